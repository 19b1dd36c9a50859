/*
 * fuzz_reasm.c — IP fragment reassembly on arbitrary fragments.
 *
 * Input: records [2 bytes length][raw IPv4/IPv6 packet]; each is decoded,
 * and if it is a fragment offered to a small reassembler (64 KiB, 8
 * fragments a datagram), 1 ms apart so some time out; a completed
 * datagram is decoded again, as the pipeline does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/nstime.h"
#include "sense/decode.h"
#include "sense/reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_reasm *r;
    struct sk_reasm_cfg cfg = {.max_bytes = 1 << 16, .timeout = 20 * SK_NS_PER_MS, .max_frags = 8};
    sk_nstime ts = 1;

    if (sk_reasm_new(&r, &cfg) < 0)
        return 0;
    while (size >= 2) {
        size_t len = (size_t)data[0] << 8 | data[1];
        data += 2;
        size -= 2;
        if (len > size)
            len = size;
        uint8_t *pkt = malloc(len ? len : 1);
        memcpy(pkt, data, len);
        struct sk_packet pk;
        if (sk_decode_packet(SK_DLT_RAW, pkt, (uint32_t)len, &pk) == 0 && pk.fragment) {
            struct sk_reasm_out out;
            pk.ts = ts;
            if (sk_reasm_add(r, &pk, &out) == 1) {
                uint8_t *d = malloc(out.len);
                memcpy(d, out.data, out.len);
                struct sk_packet in;
                (void)sk_decode_packet(pk.ip_version == 4 ? SK_DLT_IPV4 : SK_DLT_IPV6, d,
                                       out.len, &in);
                free(d);
            }
        }
        free(pkt);
        data += len;
        size -= len;
        ts += SK_NS_PER_MS;
    }
    sk_reasm_expire(r, UINT64_MAX);
    sk_reasm_free(r);
    return 0;
}
