/*
 * fuzz_tls.c — the TLS decoders: hello parsers, fingerprints, and the
 * per-connection record decoder fed through TCP stream reassembly.
 *
 * Input: byte 0 selects the mode. 0: a ClientHello body; 1: a ServerHello
 * body (each also fingerprinted). Otherwise a sequence of chunks
 * [1 byte: direction (bit 0) | sequence skew (bits 1-3)][2 bytes length]
 * [bytes], fed to the two directions of one connection.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sense/stream.h"
#include "sense/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
    struct sk_tls_conn *c;
    int dir;
    size_t seen;
};

static int on_report(void *vctx, const struct sk_tls_report *r)
{
    struct ctx *x = vctx;
    char alpn[2048];
    x->seen += strlen(r->ja3) + strlen(r->ja4) + strlen(r->cert_sha256);
    if (r->has_ch) {
        sk_tls_alpn_text(&r->ch, alpn, sizeof alpn);
        x->seen += strlen(alpn) + strlen(r->ch.sni);
    }
    return 0;
}

static int consume(void *vctx, const uint8_t *p, size_t n)
{
    struct ctx *x = vctx;
    return sk_tls_conn_feed(x->c, x->dir, p, n, on_report, x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char ja3[33], ja4[40], raw[16384];

    if (size < 1)
        return 0;
    if (data[0] < 2) {
        uint8_t *b = malloc(size - 1 ? size - 1 : 1);
        memcpy(b, data + 1, size - 1);
        if (data[0] == 0) {
            struct sk_tls_client_hello *ch = malloc(sizeof *ch);
            if (sk_tls_parse_client_hello(b, size - 1, ch) == 0) {
                sk_tls_ja3(ch, ja3, raw, sizeof raw);
                sk_tls_ja4(ch, 't', ja4, raw, sizeof raw);
                sk_tls_alpn_text(ch, raw, sizeof raw);
            }
            free(ch);
        } else {
            struct sk_tls_server_hello sh;
            if (sk_tls_parse_server_hello(b, size - 1, &sh) == 0)
                sk_tls_ja3s(&sh, ja3, raw, sizeof raw);
        }
        free(b);
        return 0;
    }
    struct sk_stream st[2];
    struct sk_stream_mem mem = {.max = 1 << 20, .depth = 1 << 16};
    struct ctx x = {.c = sk_tls_conn_new(1 << 16)};
    uint32_t seq[2] = {1000, 5000};
    memset(st, 0, sizeof st);
    data++;
    size--;
    while (size >= 3 && x.c) {
        int dir = data[0] & 1;
        uint32_t skew = (data[0] >> 1) & 7;
        size_t len = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        uint8_t *chunk = malloc(len ? len : 1);
        memcpy(chunk, data, len);
        x.dir = dir;
        sk_stream_segment(&st[dir], &mem, seq[dir] + skew, chunk, (uint32_t)len, consume, &x);
        seq[dir] += (uint32_t)len;
        free(chunk);
        data += len;
        size -= len;
    }
    if (x.c)
        sk_tls_conn_finish(x.c, on_report, &x);
    sk_stream_release(&st[0], &mem);
    sk_stream_release(&st[1], &mem);
    sk_tls_conn_free(x.c);
    return 0;
}
