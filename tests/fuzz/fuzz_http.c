/*
 * fuzz_http.c — the HTTP/1.x decoder (request header blocks, status lines,
 * CONNECT tunnels) and the SOCKS negotiation decoder, each fed through TCP
 * stream reassembly as the pipeline feeds them.
 *
 * Input: byte 0 bit 0 selects HTTP (0) or SOCKS (1; bit 1: version 4 or 5);
 * then chunks [1 byte direction][2 bytes length][bytes].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sense/http.h"
#include "sense/socks.h"
#include "sense/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
    int socks, dir;
    struct sk_http_conn h;
    struct sk_socks s;
};

static int consume(void *vctx, const uint8_t *p, size_t n)
{
    struct ctx *x = vctx;
    if (x->socks)
        return sk_socks_feed(&x->s, x->dir == 0, p, n);
    return sk_http_conn_feed(&x->h, x->dir, p, n, 4096);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_stream st[2];
    struct sk_stream_mem mem = {.max = 1 << 20, .depth = 8192};
    struct ctx x;
    uint32_t seq[2] = {1, 1};

    if (size < 1)
        return 0;
    memset(&x, 0, sizeof x);
    memset(st, 0, sizeof st);
    x.socks = data[0] & 1;
    sk_http_conn_init(&x.h);
    sk_socks_init(&x.s, data[0] & 2 ? 5 : 4);
    data++;
    size--;
    if (size && x.socks)
        (void)sk_socks_looks_like(data, size);
    if (size && !x.socks)
        (void)(sk_http_looks_like_request(data, size) + sk_http_looks_like_response(data, size));
    while (size >= 3) {
        int dir = data[0] & 1;
        size_t len = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        uint8_t *chunk = malloc(len ? len : 1);
        memcpy(chunk, data, len);
        x.dir = dir;
        sk_stream_segment(&st[dir], &mem, seq[dir], chunk, (uint32_t)len, consume, &x);
        seq[dir] += (uint32_t)len;
        free(chunk);
        data += len;
        size -= len;
    }
    sk_stream_release(&st[0], &mem);
    sk_stream_release(&st[1], &mem);
    return 0;
}
