/*
 * fuzz_intel_list.c — the plain indicator list loader and the matcher.
 *
 * A list that loads must build, and every value it holds must match itself.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    struct sk_intel_builder *b;
    struct sk_intel *in;
    struct sk_errinfo ei = {""};
    const struct sk_indicator *m[4];

    if (!path[0])
        snprintf(path, sizeof path, "/tmp/sk_fuzz_list_%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    if (sk_intel_builder_new(&b) < 0)
        return 0;
    int rc = sk_intel_load_list(b, path, "fuzz", &ei);
    if (rc < 0 && strncmp(ei.msg, path, strlen(path)) != 0)
        abort(); /* every error names the file */
    if (sk_intel_build(b, &in) < 0)
        return 0;
    if (rc < 0 && sk_intel_count(in) != 0)
        abort(); /* all or nothing */
    /* the loaded values match themselves */
    const char *p = (const char *)data, *end = p + size;
    while (rc == 0 && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char line[300];
        if (len < sizeof line) {
            memcpy(line, p, len);
            line[len] = '\0';
            char *h = strchr(line, '#');
            if (h)
                *h = '\0';
            char *s = line;
            while (isspace((unsigned char)*s))
                s++;
            char *e = s + strlen(s);
            while (e > s && isspace((unsigned char)e[-1]))
                *--e = '\0';
            struct sk_addr a;
            if (*s && !strchr(s, '/') && sk_addr_parse(s, &a) == 0) {
                if (sk_intel_match_addr(in, &a, m, 4) == 0)
                    abort();
            } else if (*s && !strchr(s, '/')) {
                if (sk_intel_match_name(in, strncmp(s, "*.", 2) ? s : s + 2, m, 4) == 0)
                    abort();
            }
        }
        p += len + 1;
    }
    sk_intel_free(in);
    return 0;
}
