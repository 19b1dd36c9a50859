/*
 * fuzz_dnsmsg.c — the DNS message reader the RPZ primary applies to
 * requests from the network, and the TSIG check applied to BIND's replies.
 *
 * Whatever the bytes: no crash, every RR walk ends, every name read is a
 * NUL-terminated string shorter than SK_DNS_NAME_MAX, and a reply with no
 * valid MAC under our key never verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "act/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct sk_tsig_key key = {.name = "sakimori-test", .alg = "hmac-sha256",
                                           .secret = {1, 2, 3, 4}, .secret_len = 4};
    struct sk_dnsr r;
    struct sk_dnsrr rr;
    char txt[1200];
    int n = 0, rc;

    if (sk__dnsr_init(&r, data, size) < 0)
        return 0;
    if (strlen(r.qname) >= SK_DNS_NAME_MAX)
        abort();
    while ((rc = sk__dnsr_next(&r, &rr)) == 1) {
        if (strlen(rr.name) >= SK_DNS_NAME_MAX || rr.rdoff + rr.rdlen > size)
            abort();
        if (sk__dnsrr_text(&r, &rr, txt, sizeof txt) == 0 && strlen(txt) >= sizeof txt)
            abort();
        uint32_t serial;
        sk__dnsrr_soa_serial(&rr, &serial);
        if (++n > 65535 * 3)
            abort(); /* the walk must end */
    }
    /* an all-zero request MAC: no input may verify against it by accident */
    uint8_t mac[32] = {0};
    if (sk__tsig_verify_reply(data, size, &key, mac, sizeof mac, 0) == 0)
        abort();
    return 0;
}
