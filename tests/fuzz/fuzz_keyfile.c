/*
 * fuzz_keyfile.c — the secret key file parser and public key text.
 *
 * A file that parses yields a key whose public half matches its seed (the
 * parser checks that) and signs what verifies; any error names the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_key k;
    struct sk_errinfo ei = {""};
    uint8_t sig[SK_KEY_SIG_BYTES], pub[SK_KEY_PUBLIC_BYTES];
    char name[SK_KEY_NAME_MAX], text[512];

    int rc = sk_key_parse_secret(&k, (const char *)data, size, "fuzz.key", &ei);
    if (rc < 0) {
        if (strncmp(ei.msg, "fuzz.key", 8) != 0)
            abort(); /* every error names the file */
        if (k.has_secret)
            abort(); /* nothing half-loaded */
    } else {
        if (sk_key_sign(&k, data, size, sig) < 0 || sk_key_verify(k.pub, data, size, sig) < 0)
            abort();
        sk_key_wipe(&k);
    }
    /* the same bytes as a public key line */
    if (size < sizeof text) {
        memcpy(text, data, size);
        text[size] = '\0';
        if (sk_key_parse_named_public(text, name, pub, NULL) == 0 && !sk_key_name_ok(name))
            abort();
        (void)sk_key_parse_public(text, pub);
        (void)sk_key_sig_parse(text, sig);
    }
    return 0;
}
