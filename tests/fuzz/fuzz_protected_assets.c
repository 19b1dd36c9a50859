/*
 * fuzz_protected_assets.c — the operator's protected-assets list (one IP,
 * prefix or name per line, '#' comments), which the safeguards read.
 *
 * A file loads whole or not at all; an error names the file and line; every
 * entry loaded is a prefix or a lower-case name without a trailing dot.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "govern/govern-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    struct sk__gov_lists l;
    struct sk_errinfo ei = {""};

    if (!path[0])
        snprintf(path, sizeof path, "/tmp/sk_fuzz_assets_%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    memset(&l, 0, sizeof l);
    int rc = sk__gov_lists_read_plain(&l, path, "fuzz", &ei);
    if (rc < 0 && strncmp(ei.msg, path, strlen(path)) != 0)
        abort(); /* every error names the file */
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        const struct sk__gov_listed *e = &l.v[i];
        if (e->is_prefix)
            continue;
        size_t n = strlen(e->name);
        if (n == 0 || e->name[n - 1] == '.')
            abort();
        for (size_t j = 0; j < n; j++)
            if (isupper((unsigned char)e->name[j]))
                abort();
    }
    sk__gov_lists_free(&l);
    return 0;
}
