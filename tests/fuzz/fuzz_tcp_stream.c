/*
 * fuzz_tcp_stream.c — TCP stream reassembly on arbitrary segments: any
 * order, overlaps, retransmissions, wrap-around, holes; a consumer that
 * takes whole "messages" whose lengths come from the data. Small bounds
 * (depth 512, budget 2 KiB) so failures and releases are exercised; at the
 * end every byte charged must have been given back.
 *
 * Input: records [1 byte direction][2 bytes sequence offset][1 byte
 * length][bytes].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sense/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int consume(void *ctx, const uint8_t *p, size_t n)
{
    size_t off = 0;
    /* messages: a length byte then that many bytes; 0xff stops the stream */
    while (off < n) {
        if (p[off] == 0xff)
            return -1;
        if (off + 1 + p[off] > n)
            break;
        off += 1 + (size_t)p[off];
    }
    return (int)off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_stream st[2];
    struct sk_stream_mem mem = {.max = 2048, .depth = 512};
    uint32_t base = 0xffffff00u; /* wraps */

    memset(st, 0, sizeof st);
    while (size >= 4) {
        int dir = data[0] & 1;
        uint32_t off = (uint32_t)data[1] << 8 | data[2];
        size_t len = data[3];
        data += 4;
        size -= 4;
        if (len > size)
            len = size;
        uint8_t *seg = malloc(len ? len : 1);
        memcpy(seg, data, len);
        sk_stream_segment(&st[dir], &mem, base + off, seg, (uint32_t)len, consume, NULL);
        free(seg);
        data += len;
        size -= len;
    }
    sk_stream_release(&st[0], &mem);
    sk_stream_release(&st[1], &mem);
    if (mem.used != 0)
        abort(); /* a charge not given back */
    return 0;
}
