/*
 * fuzz_conf.c — the YAML configuration loader on arbitrary text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_conf *c = NULL;
    struct sk_errinfo ei = {""};

    if (sk_conf_load_string((const char *)data, size, "fuzz.yaml", &c, &ei) == 0)
        sk_conf_free(c);
    else if (strncmp(ei.msg, "fuzz.yaml", 9) != 0)
        abort(); /* every error names the file */
    return 0;
}
