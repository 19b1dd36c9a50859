/*
 * fuzz_tsigkey.c — the BIND key file parser (act.rpz.bind.tsig_key_file).
 * A key that parses has a name, a supported algorithm and a secret; an
 * error always names the file and a line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "act/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_tsig_key k;
    struct sk_errinfo ei = {""};

    if (sk__tsig_key_parse((const char *)data, size, "key", &k, &ei) == 0) {
        if (!k.name[0] || k.secret_len == 0 || k.secret_len > sizeof k.secret ||
            (strcmp(k.alg, "hmac-sha256") && strcmp(k.alg, "hmac-sha512")))
            abort();
    } else if (strncmp(ei.msg, "key:", 4) != 0) {
        abort();
    }
    return 0;
}
