/*
 * fuzz_stix_pattern.c — the STIX patterning lexer, parser and translation.
 *
 * Any input is either translated or refused with a reason; what is
 * translated is canonical, and the pattern exported for each indicator
 * reads back as that same indicator.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/intel-feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p = malloc(size + 1), why[512], warn[512], canon[8192];
    struct sk_stix_ioc *v;
    size_t n;

    if (!p)
        return 0;
    memcpy(p, data, size);
    p[size] = '\0';
    int rc = sk_stix_pattern_compile(p, &v, &n, why, sizeof why, warn, sizeof warn);
    if (rc < 0) {
        if (!why[0])
            abort(); /* a refusal always says why */
        free(p);
        return 0;
    }
    if (n == 0)
        abort();
    for (size_t i = 0; i < n; i++) {
        enum sk_ioc_type t = (enum sk_ioc_type)v[i].type;
        if (sk_ioc_canon(&t, v[i].value, canon, sizeof canon, NULL, 0) < 0 || t != v[i].type ||
            strcmp(canon, v[i].value) != 0)
            abort(); /* not canonical */
        char *back = sk_stix_pattern_for(t, v[i].value);
        if (back) {
            struct sk_stix_ioc *w;
            size_t m;
            if (sk_stix_pattern_compile(back, &w, &m, why, sizeof why, NULL, 0) < 0 || m != 1 ||
                w[0].type != v[i].type || strcmp(w[0].value, v[i].value) != 0)
                abort(); /* the export does not read back */
            sk_stix_iocs_free(w, m);
            free(back);
        }
    }
    sk_stix_iocs_free(v, n);
    free(p);
    return 0;
}
