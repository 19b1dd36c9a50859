/*
 * fuzz_dga_model.c — the DGA model loader (sakimori/dga.h).
 *
 * Any input either loads or fails with a message naming the model; a model
 * that loads scores names into [0, 1] and never reads outside its tables.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/dga.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_dga_model *m = NULL;
    struct sk_errinfo ei = {""};
    struct sk_dga_result r;
    static const char *const names[] = {"www.example.com", "xkqjzpwvbnm.net", "a1-b2.co.uk",
                                        "journeyvalley.net", "z.org"};

    int rc = sk_dga_model_parse((const char *)data, size, "fuzz.model", &m, &ei);
    if (rc < 0) {
        if (m || strncmp(ei.msg, "fuzz.model", 10) != 0)
            abort(); /* a failure loads nothing and names the model */
        return 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (sk_dga_score(m, names[i], &r) == 0 && !(r.score >= 0 && r.score <= 1) && !isnan(r.score))
            abort();
    sk_dga_model_free(m);
    return 0;
}
