/*
 * fuzz_audit_proof.c — checking inclusion and consistency proof documents
 * (JSON from outside: an auditor's mailbox) without the store.
 *
 * Whatever the input, the checker answers valid, invalid or malformed and
 * never accepts a proof whose tree head is not signed by the key given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t nobody[SK_KEY_PUBLIC_BYTES] = {1, 2, 3};
    char why[512];

    int rc = sk_audit_check_proof((const char *)data, size, NULL, why, sizeof why);
    if (rc > 1 || !why[0])
        abort();
    /* a key that signed nothing validates nothing */
    if (sk_audit_check_proof((const char *)data, size, nobody, why, sizeof why) == 1)
        abort();
    return 0;
}
