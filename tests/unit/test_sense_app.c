/*
 * test_sense_app.c — what sits above the packet decoder: IP fragment
 * reassembly, TCP stream reassembly, TLS hellos and fingerprints, HTTP,
 * SOCKS, and the pipeline that ties them to flows (sk_pktproc).
 *
 * Expected digests were computed independently (Python hashlib) from the
 * strings written next to them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/conf.h"
#include "sakimori/error.h"
#include "sense/decode.h"
#include "sense/flow.h"
#include "sense/http.h"
#include "sense/pktproc.h"
#include "sense/quic.h"
#include "sense/reasm.h"
#include "sense/socks.h"
#include "sense/stream.h"
#include "sense/tls.h"

#define S SK_NS_PER_SEC

/* --- packet builders (raw IPv4 / IPv6) ----------------------------------- */

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

static void v4hdr(uint8_t *p, const char *src, const char *dst, uint8_t proto, size_t total,
                  uint16_t id, uint16_t frag)
{
    struct sk_addr s, d;
    sk_addr_parse(src, &s);
    sk_addr_parse(dst, &d);
    memset(p, 0, 20);
    p[0] = 0x45;
    put16(p + 2, (uint32_t)total);
    put16(p + 4, id);
    put16(p + 6, frag);
    p[8] = 64;
    p[9] = proto;
    memcpy(p + 12, s.b + 12, 4);
    memcpy(p + 16, d.b + 12, 4);
}

static size_t udp4(uint8_t *p, const char *src, const char *dst, uint16_t sp, uint16_t dp,
                   const uint8_t *pl, size_t n)
{
    v4hdr(p, src, dst, 17, 28 + n, 1, 0);
    put16(p + 20, sp);
    put16(p + 22, dp);
    put16(p + 24, (uint32_t)(8 + n));
    p[26] = p[27] = 0;
    memcpy(p + 28, pl, n);
    return 28 + n;
}

static size_t tcp4(uint8_t *p, const char *src, const char *dst, uint16_t sp, uint16_t dp,
                   uint32_t seq, uint8_t flags, const uint8_t *pl, size_t n)
{
    v4hdr(p, src, dst, 6, 40 + n, 1, 0x4000);
    memset(p + 20, 0, 20);
    put16(p + 20, sp);
    put16(p + 22, dp);
    put32(p + 24, seq);
    p[32] = 0x50;
    p[33] = flags;
    if (n)
        memcpy(p + 40, pl, n);
    return 40 + n;
}

/* A DNS query for name (dotted), type A. */
static size_t dns_query(uint8_t *m, uint16_t id, const char *name)
{
    size_t o = 12;
    memset(m, 0, 12);
    put16(m, id);
    put16(m + 2, 0x0100);
    put16(m + 4, 1);
    const char *p = name;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        m[o++] = (uint8_t)l;
        memcpy(m + o, p, l);
        o += l;
        p += l + (dot ? 1 : 0);
    }
    m[o++] = 0;
    put16(m + o, 1);
    put16(m + o + 2, 1);
    return o + 4;
}

/* --- an event collector --------------------------------------------------- */

struct seen {
    int n, flows, dns, tls, http;
    char names[16][128];
    int nnames;
    struct sk_event last_flow;
    char ja3[40], ja4[40], ja3s[40], sni[128], alpn[64], sha1[48];
    char method[32], host[128], uri[128], ua[128];
    uint16_t status, client_version, server_version;
    struct sk_addr tls_src;
    uint16_t tls_sport;
};

static void cp(char *dst, size_t n, const char *s) { snprintf(dst, n, "%s", s ? s : "(null)"); }

static int collect(void *ctx, const struct sk_event *ev)
{
    struct seen *s = ctx;
    s->n++;
    switch (ev->kind) {
    case SK_EVENT_FLOW:
        s->flows++;
        s->last_flow = *ev;
        break;
    case SK_EVENT_DNS:
        s->dns++;
        if (s->nnames < 16)
            cp(s->names[s->nnames++], 128, ev->u.dns.qname);
        break;
    case SK_EVENT_TLS:
        s->tls++;
        cp(s->ja3, sizeof s->ja3, ev->u.tls.ja3);
        cp(s->ja4, sizeof s->ja4, ev->u.tls.ja4);
        cp(s->ja3s, sizeof s->ja3s, ev->u.tls.ja3s);
        cp(s->sni, sizeof s->sni, ev->u.tls.sni);
        cp(s->alpn, sizeof s->alpn, ev->u.tls.alpn);
        cp(s->sha1, sizeof s->sha1, ev->u.tls.cert_sha1);
        s->client_version = ev->u.tls.client_version;
        s->server_version = ev->u.tls.server_version;
        s->tls_src = ev->src;
        s->tls_sport = ev->sport;
        break;
    case SK_EVENT_HTTP:
        s->http++;
        cp(s->method, sizeof s->method, ev->u.http.method);
        cp(s->host, sizeof s->host, ev->u.http.host);
        cp(s->uri, sizeof s->uri, ev->u.http.uri);
        cp(s->ua, sizeof s->ua, ev->u.http.user_agent);
        s->status = ev->u.http.status;
        break;
    }
    return 0;
}

static struct sk_conf conf;

static struct sk_pktproc *pipeline(struct seen *s)
{
    struct sk_pktproc *pp;
    sk_conf_defaults(&conf);
    struct sk_source_opts o = {.conf = &conf};
    memset(s, 0, sizeof *s);
    assert_int_equal(sk_pktproc_new(&pp, &o, collect, s), 0);
    return pp;
}

static void feed(struct sk_pktproc *pp, const uint8_t *p, size_t n, sk_nstime ts)
{
    /* an exact-size copy so ASan sees any read past the packet */
    uint8_t *c = malloc(n);
    memcpy(c, p, n);
    assert_int_equal(sk_pktproc_packet(pp, SK_DLT_RAW, ts, c, (uint32_t)n, (uint32_t)n), 0);
    free(c);
}

/* --- fragments -------------------------------------------------------------- */

/* A UDP DNS datagram cut into fragments of 24 payload bytes, delivered in
 * the given order; returns the number of fragments. */
static int fragment4(struct sk_pktproc *pp, const int *order, int norder, uint16_t id,
                     size_t *wire)
{
    uint8_t dgram[600], frags[16][128], msg[512];
    size_t fl[16];
    size_t mlen = dns_query(msg, 7, "a-name-long-enough-for-several-fragments.example.org");
    size_t n = udp4(dgram, "10.0.0.1", "192.0.2.53", 40000, 53, msg, mlen);
    size_t pay = n - 20;
    int k = 0;
    *wire = 0;
    for (size_t off = 0; off < pay; off += 24, k++) {
        size_t l = pay - off < 24 ? pay - off : 24;
        int more = off + l < pay;
        v4hdr(frags[k], "10.0.0.1", "192.0.2.53", 17, 20 + l, id,
              (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
        memcpy(frags[k] + 20, dgram + 20 + off, l);
        fl[k] = 20 + l;
        *wire += fl[k];
    }
    for (int i = 0; i < norder; i++)
        feed(pp, frags[order[i] < 0 ? k + order[i] : order[i]],
             fl[order[i] < 0 ? k + order[i] : order[i]], 1 * S + (sk_nstime)i);
    return k;
}

static void test_reasm_ipv4_out_of_order(void **state)
{
    struct seen s;
    struct sk_pktproc *pp = pipeline(&s);
    struct sk_pktproc_stats st;
    size_t wire;
    /* last first, then the middle ones backwards, the first one last, and
     * a duplicate of fragment 1 */
    int order[] = {-1, 2, 1, 1, 0};
    int k = fragment4(pp, order, 0, 9, &wire);
    assert_true(k >= 3);
    int all[16], m = 0;
    all[m++] = k - 1;
    for (int i = k - 2; i >= 1; i--)
        all[m++] = i;
    all[m++] = 1; /* a duplicate: overlap, first bytes kept */
    all[m++] = 0;
    fragment4(pp, all, m, 9, &wire);
    assert_int_equal(s.dns, 1);
    assert_string_equal(s.names[0], "a-name-long-enough-for-several-fragments.example.org");
    assert_int_equal(sk_pktproc_finish(pp), 0);
    assert_int_equal(s.flows, 1);
    /* the flow counts every fragment that made the datagram, and its bytes */
    assert_int_equal(s.last_flow.u.flow.pkts_out, (uint64_t)k + 1);
    assert_int_equal(s.last_flow.sport, 40000);
    assert_int_equal(s.last_flow.dport, 53);
    sk_pktproc_stats(pp, &st);
    assert_int_equal(st.reassembled, 1);
    assert_int_equal(st.frag_overlaps, 1);
    assert_int_equal(st.fragments, (uint64_t)k + 1);
    sk_pktproc_free(pp);
}

static void test_reasm_timeout_and_bounds(void **state)
{
    struct seen s;
    struct sk_pktproc *pp = pipeline(&s);
    struct sk_pktproc_stats st;
    size_t wire;
    int order[] = {0, 1}; /* never the last one */
    fragment4(pp, order, 2, 11, &wire);
    assert_int_equal(sk_pktproc_finish(pp), 0);
    sk_pktproc_stats(pp, &st);
    assert_int_equal(st.reassembled, 0);
    assert_int_equal(st.frag_timeouts, 1);
    assert_int_equal(s.dns, 0);
    sk_pktproc_free(pp);

    /* the reassembler on its own: a memory bound evicts the oldest */
    struct sk_reasm *r;
    struct sk_reasm_cfg cfg = {.max_bytes = 20000, .timeout = 30 * S, .max_frags = 8};
    struct sk_reasm_stats rs;
    assert_int_equal(sk_reasm_new(&r, &cfg), 0);
    for (uint16_t id = 0; id < 200; id++) {
        uint8_t f[20 + 64];
        struct sk_packet pk;
        struct sk_reasm_out out;
        v4hdr(f, "10.0.0.1", "10.0.0.2", 17, sizeof f, id, 0x2000);
        memset(f + 20, 0xab, 64);
        assert_int_equal(sk_decode_packet(SK_DLT_RAW, f, sizeof f, &pk), 0);
        assert_int_equal(pk.fragment, 1);
        pk.ts = (sk_nstime)id;
        assert_int_equal(sk_reasm_add(r, &pk, &out), 0);
        sk_reasm_stats(r, &rs);
        assert_true(rs.held_bytes <= 20000);
    }
    assert_true(rs.evicted > 0);
    /* malformed: a middle fragment whose length is not a multiple of 8, and
     * one that runs past 65535 */
    uint8_t f[20 + 13];
    struct sk_packet pk;
    struct sk_reasm_out out;
    v4hdr(f, "10.0.0.1", "10.0.0.2", 17, sizeof f, 999, 0x2000 | 1);
    assert_int_equal(sk_decode_packet(SK_DLT_RAW, f, sizeof f, &pk), 0);
    assert_int_equal(sk_reasm_add(r, &pk, &out), 0);
    v4hdr(f, "10.0.0.1", "10.0.0.2", 17, sizeof f, 998, 0x1fff);
    assert_int_equal(sk_decode_packet(SK_DLT_RAW, f, sizeof f, &pk), 0);
    assert_int_equal(sk_reasm_add(r, &pk, &out), 0);
    sk_reasm_stats(r, &rs);
    assert_int_equal(rs.malformed, 2);
    sk_reasm_free(r);
}

static void test_reasm_ipv6(void **state)
{
    struct seen s;
    struct sk_pktproc *pp = pipeline(&s);
    uint8_t msg[256], udp[300], f[2][200];
    struct sk_addr a, b;
    size_t mlen = dns_query(msg, 3, "v6.example.net");
    size_t ul = 8 + mlen;
    sk_addr_parse("2001:db8::1", &a);
    sk_addr_parse("2001:db8::53", &b);
    put16(udp, 5353);
    put16(udp + 2, 53);
    put16(udp + 4, (uint32_t)ul);
    put16(udp + 6, 0);
    memcpy(udp + 8, msg, mlen);
    size_t first = 16; /* payload bytes in the first fragment */
    for (int i = 0; i < 2; i++) {
        size_t off = i ? first : 0, l = i ? ul - first : first;
        uint8_t *p = f[i];
        memset(p, 0, 48);
        p[0] = 0x60;
        put16(p + 4, (uint32_t)(8 + 8 + l)); /* dest-options + fragment header + data */
        p[6] = 60;                           /* a destination options header first */
        p[7] = 64;
        memcpy(p + 8, a.b, 16);
        memcpy(p + 24, b.b, 16);
        p[40] = 44; /* → fragment */
        p[41] = 0;
        p[48] = 17; /* fragment header: next UDP */
        put16(p + 50, (uint32_t)(off | (i ? 0 : 1)));
        put32(p + 52, 0xabcdef);
        memcpy(p + 56, udp + off, l);
        feed(pp, p, 56 + l, (sk_nstime)(i + 1) * S);
    }
    assert_int_equal(s.dns, 1);
    assert_string_equal(s.names[0], "v6.example.net");
    sk_pktproc_finish(pp);
    assert_int_equal(s.last_flow.u.flow.pkts_out, 2);
    assert_int_equal(s.last_flow.dport, 53);
    sk_pktproc_free(pp);
}

/* --- TCP streams ---------------------------------------------------------------- */

struct units {
    char got[256];
    size_t n;
};

/* Consumes whole 5-byte units only. */
static int five(void *ctx, const uint8_t *p, size_t n)
{
    struct units *u = ctx;
    size_t k = n - n % 5;
    memcpy(u->got + u->n, p, k);
    u->n += k;
    u->got[u->n] = '\0';
    return (int)k;
}

static void test_stream_order_overlap_gap(void **state)
{
    struct sk_stream st;
    struct sk_stream_mem mem = {.max = 1 << 20, .depth = 64};
    struct units u = {.n = 0};
    const char *text = "aaaaabbbbbcccccdddddeeeeefffff";

    memset(&st, 0, sizeof st);
    sk_stream_start(&st, 1000);
    /* out of order, overlapping, retransmitted */
    assert_int_equal(sk_stream_segment(&st, &mem, 1012, (const uint8_t *)text + 12, 8, five, &u), 0);
    assert_int_equal(u.n, 0);
    assert_int_equal(sk_stream_segment(&st, &mem, 1000, (const uint8_t *)text, 7, five, &u), 0);
    assert_string_equal(u.got, "aaaaa");
    assert_int_equal(sk_stream_segment(&st, &mem, 1003, (const uint8_t *)text + 3, 12, five, &u), 0);
    assert_string_equal(u.got, "aaaaabbbbbcccccddddd");
    assert_int_equal(sk_stream_segment(&st, &mem, 1000, (const uint8_t *)text, 20, five, &u), 0);
    assert_int_equal(sk_stream_segment(&st, &mem, 1020, (const uint8_t *)text + 20, 10, five, &u), 0);
    assert_string_equal(u.got, text);
    assert_int_equal(st.failed, 0);
    sk_stream_release(&st, &mem);
    assert_int_equal(mem.used, 0);

    /* more early segments than it keeps: the stream fails on the hole */
    memset(&st, 0, sizeof st);
    sk_stream_start(&st, 0);
    for (uint32_t i = 0; i < SK_STREAM_MAX_OOO + 1; i++)
        sk_stream_segment(&st, &mem, 10 + i * 2, (const uint8_t *)"x", 1, five, &u);
    assert_int_equal(st.failed, 1);
    assert_int_equal(mem.gaps, 1);
    assert_int_equal(mem.used, 0);
    sk_stream_release(&st, &mem);

}

static int take_nothing(void *ctx, const uint8_t *p, size_t n) { return 0; }

static void test_stream_depth(void **state)
{
    struct sk_stream st;
    struct sk_stream_mem mem = {.max = 1 << 20, .depth = 64};
    uint8_t b[40];
    memset(b, 'q', sizeof b);
    memset(&st, 0, sizeof st);
    sk_stream_segment(&st, &mem, 1, b, 40, take_nothing, NULL);
    assert_int_equal(st.failed, 0);
    sk_stream_segment(&st, &mem, 41, b, 40, take_nothing, NULL);
    assert_int_equal(st.failed, 1);
    assert_int_equal(mem.overflows, 1);
    assert_int_equal(mem.used, 0);
    /* the shared budget: a second stream cannot take more than max */
    struct sk_stream_mem small = {.max = 100, .depth = 1 << 16};
    memset(&st, 0, sizeof st);
    uint8_t c[3000];
    memset(c, 1, sizeof c);
    sk_stream_segment(&st, &small, 1, c, sizeof c, take_nothing, NULL);
    assert_int_equal(st.failed, 1);
    assert_int_equal(small.used, 0);
}

static void test_dns_over_tcp(void **state)
{
    struct seen s;
    struct sk_pktproc *pp = pipeline(&s);
    uint8_t pkt[1500], msgs[600];
    size_t o = 0;
    /* two length-prefixed queries, cut so the second length prefix is split */
    for (int i = 0; i < 2; i++) {
        size_t l = dns_query(msgs + o + 2, (uint16_t)(100 + i), i ? "two.example" : "one.example");
        put16(msgs + o, (uint32_t)l);
        o += 2 + l;
    }
    size_t cut1 = 5, cut2 = 2 + (size_t)((msgs[0] << 8) | msgs[1]) + 1; /* inside the 2nd prefix */
    uint32_t isn = 0xfffffff0u; /* sequence numbers wrap during the exchange */
    feed(pp, pkt, tcp4(pkt, "10.0.0.1", "192.0.2.53", 5000, 53, isn, SK_TCP_SYN, NULL, 0), 1 * S);
    feed(pp, pkt, tcp4(pkt, "192.0.2.53", "10.0.0.1", 53, 5000, 77, SK_TCP_SYN | SK_TCP_ACK, NULL, 0), 1 * S + 1);
    feed(pp, pkt, tcp4(pkt, "10.0.0.1", "192.0.2.53", 5000, 53, isn + 1, SK_TCP_ACK, msgs, cut1), 1 * S + 2);
    /* the third piece before the second */
    feed(pp, pkt, tcp4(pkt, "10.0.0.1", "192.0.2.53", 5000, 53, isn + 1 + (uint32_t)cut2, SK_TCP_ACK,
                       msgs + cut2, o - cut2), 1 * S + 3);
    assert_int_equal(s.dns, 0);
    feed(pp, pkt, tcp4(pkt, "10.0.0.1", "192.0.2.53", 5000, 53, isn + 1 + (uint32_t)cut1, SK_TCP_ACK,
                       msgs + cut1, cut2 - cut1), 1 * S + 4);
    assert_int_equal(s.dns, 2);
    assert_string_equal(s.names[0], "one.example");
    assert_string_equal(s.names[1], "two.example");
    sk_pktproc_finish(pp);
    assert_int_equal(s.last_flow.u.flow.tcp_state, SK_TCPS_ESTABLISHED);
    sk_pktproc_free(pp);
}

/* --- TLS -------------------------------------------------------------------------- */

/* ClientHello body: TLS 1.2 legacy version, GREASE sprinkled in. */
static size_t client_hello(uint8_t *b, const char *sni)
{
    size_t o = 0, e;
    put16(b, 0x0303);
    memset(b + 2, 0x11, 32);
    o = 34;
    b[o++] = 0; /* session id */
    const uint16_t ciphers[] = {0x0a0a, 0x1301, 0xc02b};
    put16(b + o, sizeof ciphers);
    o += 2;
    for (size_t i = 0; i < 3; i++, o += 2)
        put16(b + o, ciphers[i]);
    b[o++] = 1;
    b[o++] = 0; /* compression: null */
    e = o;
    o += 2;
    /* GREASE extension, empty */
    put16(b + o, 0x1a1a);
    put16(b + o + 2, 0);
    o += 4;
    /* SNI */
    size_t sl = strlen(sni);
    put16(b + o, 0);
    put16(b + o + 2, (uint32_t)(5 + sl));
    put16(b + o + 4, (uint32_t)(3 + sl));
    b[o + 6] = 0;
    put16(b + o + 7, (uint32_t)sl);
    memcpy(b + o + 9, sni, sl);
    o += 9 + sl;
    /* supported_groups: GREASE, x25519, secp256r1 */
    const uint8_t groups[] = {0x00, 0x0a, 0, 8, 0, 6, 0x2a, 0x2a, 0, 29, 0, 23};
    memcpy(b + o, groups, sizeof groups);
    o += sizeof groups;
    /* ec_point_formats: uncompressed */
    const uint8_t ecpf[] = {0x00, 0x0b, 0, 2, 1, 0};
    memcpy(b + o, ecpf, sizeof ecpf);
    o += sizeof ecpf;
    /* signature_algorithms */
    const uint8_t sig[] = {0x00, 0x0d, 0, 6, 0, 4, 0x04, 0x03, 0x08, 0x04};
    memcpy(b + o, sig, sizeof sig);
    o += sizeof sig;
    /* ALPN h2, http/1.1 */
    const uint8_t alpn[] = {0x00, 0x10, 0, 14, 0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    memcpy(b + o, alpn, sizeof alpn);
    o += sizeof alpn;
    /* supported_versions: GREASE, 1.3, 1.2 */
    const uint8_t sv[] = {0x00, 0x2b, 0, 7, 6, 0x3a, 0x3a, 0x03, 0x04, 0x03, 0x03};
    memcpy(b + o, sv, sizeof sv);
    o += sizeof sv;
    put16(b + e, (uint32_t)(o - e - 2));
    return o;
}

static size_t server_hello(uint8_t *b, uint16_t version)
{
    size_t o;
    put16(b, 0x0303);
    memset(b + 2, 0x22, 32);
    o = 34;
    b[o++] = 0;
    put16(b + o, 0x1301);
    o += 2;
    b[o++] = 0;
    if (version == 0x0304) {
        const uint8_t ext[] = {0, 14, 0x00, 0x2b, 0, 2, 0x03, 0x04, 0x00, 0x33, 0, 4, 0, 29, 0, 0};
        memcpy(b + o, ext, sizeof ext);
        o += sizeof ext;
    } else {
        const uint8_t ext[] = {0, 4, 0xff, 0x01, 0, 0};
        memcpy(b + o, ext, sizeof ext);
        o += sizeof ext;
    }
    return o;
}

static void test_tls_fingerprints(void **state)
{
    struct sk_tls_client_hello ch;
    struct sk_tls_server_hello sh;
    uint8_t b[512];
    char ja3[33], ja4[40], raw[512];
    size_t n = client_hello(b, "Www.Example.COM");

    assert_int_equal(sk_tls_parse_client_hello(b, n, &ch), 0);
    assert_int_equal(ch.version, 0x0304);
    assert_int_equal(ch.legacy_version, 0x0303);
    assert_string_equal(ch.sni, "www.example.com");
    sk_tls_ja3(&ch, ja3, raw, sizeof raw);
    assert_string_equal(raw, "771,4865-49195,0-10-11-13-16-43,29-23,0");
    assert_string_equal(ja3, "87991a9b84cb5b4bc5f84c5ecad46032");
    sk_tls_ja4(&ch, 't', ja4, raw, sizeof raw);
    /* sha256("1301,c02b")[:12], sha256("000a,000b,000d,002b_0403,0804")[:12] */
    assert_string_equal(ja4, "t13d0206h2_777cda164f4b_fb71836bce29");
    assert_string_equal(raw, "t13d0206h2_1301,c02b_000a,000b,000d,002b_0403,0804");

    n = server_hello(b, 0x0304);
    assert_int_equal(sk_tls_parse_server_hello(b, n, &sh), 0);
    assert_int_equal(sh.version, 0x0304);
    sk_tls_ja3s(&sh, ja3, raw, sizeof raw);
    assert_string_equal(raw, "771,4865,43-51");
    assert_string_equal(ja3, "f4febc55ea12b31ae17cfb7e614afda8");

    /* every truncation of a hello fails cleanly or parses */
    n = client_hello(b, "x.example");
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *c = malloc(cut ? cut : 1);
        memcpy(c, b, cut);
        int rc = sk_tls_parse_client_hello(c, cut, &ch);
        assert_true(rc == 0 || rc == -SK_ETRUNC || rc == -SK_EPARSE);
        free(c);
    }
    /* the JA4 ALPN rule: first and last character; outside ASCII: "99" */
    memset(&ch, 0, sizeof ch);
    ch.version = 0x0303;
    memcpy(ch.alpn, "\xba\xad", 2);
    ch.alpn_len = 2;
    sk_tls_ja4(&ch, 't', ja4, NULL, 0);
    assert_string_equal(ja4, "t12i000099_000000000000_000000000000");
    memcpy(ch.alpn, "x", 1);
    ch.alpn_len = 1;
    sk_tls_ja4(&ch, 'q', ja4, NULL, 0);
    assert_string_equal(ja4, "q12i0000xx_000000000000_000000000000");
}

/* A record of type t around body, with a handshake header of type ht. */
static size_t record(uint8_t *p, uint8_t t, uint8_t ht, const uint8_t *body, size_t n)
{
    p[0] = t;
    put16(p + 1, 0x0303);
    if (ht) {
        put16(p + 3, (uint32_t)(n + 4));
        p[5] = ht;
        p[6] = (uint8_t)(n >> 16);
        put16(p + 7, (uint32_t)n);
        memcpy(p + 9, body, n);
        return 9 + n;
    }
    put16(p + 3, (uint32_t)n);
    memcpy(p + 5, body, n);
    return 5 + n;
}

static void test_tls_over_tcp(void **state)
{
    struct seen s;
    struct sk_pktproc *pp = pipeline(&s);
    uint8_t pkt[3000], hello[512], rec[600], flight[2000], body[512];
    size_t hn = client_hello(hello, "split.example");
    /* the ClientHello handshake message split over two records */
    uint8_t msg[600];
    msg[0] = 1;
    msg[1] = 0;
    put16(msg + 2, (uint32_t)hn);
    memcpy(msg + 4, hello, hn);
    size_t r1 = record(rec, 22, 0, msg, 30);
    size_t r2 = record(rec + r1, 22, 0, msg + 30, hn + 4 - 30);
    size_t rl = r1 + r2;
    const char *c = "10.1.1.1", *srv = "198.51.100.1";
    feed(pp, pkt, tcp4(pkt, c, srv, 40001, 8443, 100, SK_TCP_SYN, NULL, 0), 1 * S);
    feed(pp, pkt, tcp4(pkt, srv, c, 8443, 40001, 500, SK_TCP_SYN | SK_TCP_ACK, NULL, 0), 1 * S + 1);
    /* and over three segments, the last before the middle */
    size_t a = 7, b = 40;
    feed(pp, pkt, tcp4(pkt, c, srv, 40001, 8443, 101, SK_TCP_ACK, rec, a), 1 * S + 2);
    feed(pp, pkt, tcp4(pkt, c, srv, 40001, 8443, 101 + (uint32_t)b, SK_TCP_ACK, rec + b, rl - b), 1 * S + 3);
    feed(pp, pkt, tcp4(pkt, c, srv, 40001, 8443, 101 + (uint32_t)a, SK_TCP_ACK, rec + a, b - a), 1 * S + 4);
    assert_int_equal(s.tls, 0); /* waits for the server */
    /* ServerHello (TLS 1.2) + Certificate in one flight */
    size_t sn = server_hello(body, 0x0303);
    size_t fl = record(flight, 22, 2, body, sn);
    uint8_t cert[3 + 3 + 200];
    cert[0] = 0;
    put16(cert + 1, 203);
    cert[3] = 0;
    put16(cert + 4, 200);
    for (int i = 0; i < 200; i++)
        cert[6 + i] = (uint8_t)i;
    fl += record(flight + fl, 22, 11, cert, sizeof cert);
    feed(pp, pkt, tcp4(pkt, srv, c, 8443, 40001, 501, SK_TCP_ACK, flight, fl), 1 * S + 5);
    assert_int_equal(s.tls, 1);
    assert_string_equal(s.sni, "split.example");
    assert_string_equal(s.alpn, "h2");
    assert_string_equal(s.ja3, "87991a9b84cb5b4bc5f84c5ecad46032");
    assert_int_equal(s.client_version, 0x0304);
    assert_int_equal(s.server_version, 0x0303);
    /* sha1 of bytes 0..199 */
    assert_string_equal(s.sha1, "54d11e99127d159799dbce10f51a75e697780478");
    char ab[SK_ADDR_STRLEN];
    assert_string_equal(sk_addr_fmt(&s.tls_src, ab, sizeof ab), c);
    assert_int_equal(s.tls_sport, 40001);
    /* the session is over: more data costs nothing and reports nothing */
    feed(pp, pkt, tcp4(pkt, c, srv, 40001, 8443, 101 + (uint32_t)rl, SK_TCP_ACK, rec, 50), 1 * S + 6);
    sk_pktproc_finish(pp);
    assert_int_equal(s.tls, 1);
    struct sk_pktproc_stats st;
    sk_pktproc_stats(pp, &st);
    assert_int_equal(st.sessions, 1);
    sk_pktproc_free(pp);

    /* a ClientHello alone is reported when its flow ends */
    pp = pipeline(&s);
    feed(pp, pkt, tcp4(pkt, c, srv, 40002, 443, 100, SK_TCP_ACK, rec, rl), 2 * S);
    assert_int_equal(s.tls, 0);
    sk_pktproc_finish(pp);
    assert_int_equal(s.tls, 1);
    assert_string_equal(s.ja3s, "(null)");
    /* not TLS after all: a malformed record stops the session, counted */
    sk_pktproc_free(pp);
    pp = pipeline(&s);
    uint8_t junk[] = {22, 3, 1, 0xff, 0xff, 1, 2, 3};
    feed(pp, pkt, tcp4(pkt, c, srv, 40003, 443, 100, SK_TCP_ACK, junk, sizeof junk), 3 * S);
    sk_pktproc_finish(pp);
    sk_pktproc_stats(pp, &st);
    assert_int_equal(st.tls_malformed, 1);
    assert_int_equal(s.tls, 0);
    sk_pktproc_free(pp);
}

/* --- QUIC ------------------------------------------------------------------------ */

static void hexeq(const uint8_t *b, size_t n, const char *want)
{
    char got[128];
    for (size_t i = 0; i < n; i++)
        snprintf(got + 2 * i, 3, "%02x", b[i]);
    assert_string_equal(got, want);
}

static void test_quic_keys_and_frames(void **state)
{
    /* RFC 9001 Appendix A.1: the client Initial keys for DCID 8394c8f03e515708 */
    static const uint8_t dcid[] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
    struct sk_quic_keys k;
    assert_int_equal(sk_quic_client_keys(1, dcid, sizeof dcid, &k), 0);
    hexeq(k.key, 16, "1f369613dd76d5467730efcbe3b1a22d");
    hexeq(k.iv, 12, "fa044b2f42a3fd3b46fb255c");
    hexeq(k.hp, 16, "9f50449e04a0e810283a1e9933adedd2");
    assert_int_equal(sk_quic_client_keys(0xff00001d, dcid, sizeof dcid, &k), -SK_EUNSUP);

    /* CRYPTO frames out of order, with PADDING, PING and an ACK between */
    struct sk_quic_conn *q = sk_quic_conn_new();
    struct sk_tls_client_hello *ch = malloc(sizeof *ch);
    uint8_t hello[512], msg[600], f[700];
    size_t hn = client_hello(hello, "h3.example");
    msg[0] = 1;
    msg[1] = 0;
    put16(msg + 2, (uint32_t)hn);
    memcpy(msg + 4, hello, hn);
    size_t o = 0, cut = 50, total = hn + 4;
    f[o++] = 0x06; /* CRYPTO offset cut, the rest */
    f[o++] = (uint8_t)cut;
    f[o++] = (uint8_t)(0x40 | ((total - cut) >> 8));
    f[o++] = (uint8_t)(total - cut);
    memcpy(f + o, msg + cut, total - cut);
    o += total - cut;
    assert_int_equal(sk_quic_conn_frames(q, f, o, ch), 0); /* the start is missing */
    o = 0;
    f[o++] = 0x00;
    f[o++] = 0x01;
    const uint8_t ack[] = {0x02, 0x05, 0x00, 0x00, 0x01};
    memcpy(f + o, ack, sizeof ack);
    o += sizeof ack;
    f[o++] = 0x06;
    f[o++] = 0x00;
    f[o++] = (uint8_t)cut;
    memcpy(f + o, msg, cut);
    o += cut;
    assert_int_equal(sk_quic_conn_frames(q, f, o, ch), 1);
    assert_string_equal(ch->sni, "h3.example");
    char ja3[33], ja4[40];
    sk_tls_client_fingerprints(ch, 'q', ja3, ja4);
    assert_string_equal(ja3, "87991a9b84cb5b4bc5f84c5ecad46032"); /* as over TCP */
    assert_string_equal(ja4, "q13d0206h2_777cda164f4b_fb71836bce29");
    /* a STREAM frame is not allowed in an Initial */
    const uint8_t stream[] = {0x08, 0x00, 0x01, 0x02};
    assert_int_equal(sk_quic_conn_frames(q, stream, sizeof stream, ch), -SK_EPARSE);
    /* not a QUIC Initial: short header, or too small */
    uint8_t d[1300];
    memset(d, 0, sizeof d);
    d[0] = 0x40;
    assert_false(sk_quic_looks_like_initial(d, sizeof d));
    d[0] = 0xc3;
    d[4] = 1;
    assert_true(sk_quic_looks_like_initial(d, sizeof d));
    assert_false(sk_quic_looks_like_initial(d, 1000));
    size_t plen, pl;
    uint8_t out[1300];
    d[5] = 8; /* DCID length 8, zero SCID, token, then a bogus length */
    assert_true(sk_quic_decrypt_initial(d, sizeof d, out, &plen, &pl) < 0);
    free(ch);
    sk_quic_conn_free(q);
}

/* --- HTTP and proxies ------------------------------------------------------------ */

static void test_http(void **state)
{
    struct sk_http_conn h;
    const char *req = "GET /a b?c=1 HTTP/1.1\r\nHOST: WWW.Example.ORG:8080\r\n"
                      "User-Agent:  curl/8.0 \x01\r\n\r\nbody";

    assert_true(sk_http_looks_like_request((const uint8_t *)"GE", 2));
    assert_true(sk_http_looks_like_request((const uint8_t *)"POST /", 6));
    assert_false(sk_http_looks_like_request((const uint8_t *)"GETX /", 6));
    assert_true(sk_http_looks_like_response((const uint8_t *)"HTTP/1.0 200", 12));
    assert_false(sk_http_looks_like_response((const uint8_t *)"HTTP/2", 6));

    sk_http_conn_init(&h);
    /* a header block cut short: nothing consumed yet */
    assert_int_equal(sk_http_conn_feed(&h, 0, (const uint8_t *)req, 30, 4096), 0);
    int n = sk_http_conn_feed(&h, 0, (const uint8_t *)req, strlen(req), 4096);
    assert_int_equal(n, (int)strlen(req));
    assert_string_equal(h.method, "GET");
    assert_string_equal(h.uri, "/a b?c=1");
    assert_string_equal(h.host, "www.example.org");
    assert_string_equal(h.user_agent, "curl/8.0 \\x01");
    assert_false(sk_http_complete(&h));
    assert_true(sk_http_conn_feed(&h, 1, (const uint8_t *)"HTTP/1.1 404 Not Found\r\n", 24, 4096) > 0);
    assert_int_equal(h.status, 404);
    assert_true(sk_http_complete(&h));
    /* not HTTP, too long */
    sk_http_conn_init(&h);
    assert_int_equal(sk_http_conn_feed(&h, 0, (const uint8_t *)"get / HTTP/1.1\r\n\r\n", 18, 4096), -SK_EPARSE);
    sk_http_conn_init(&h);
    char longreq[300];
    memset(longreq, 'A', sizeof longreq);
    memcpy(longreq, "GET /", 5);
    assert_int_equal(sk_http_conn_feed(&h, 0, (const uint8_t *)longreq, sizeof longreq, 256), -SK_ETOOBIG);
}

static void test_connect_and_socks(void **state)
{
    struct seen s;
    struct sk_pktproc *pp = pipeline(&s);
    uint8_t pkt[2000], hello[512], rec[700];
    size_t hn = client_hello(hello, "inside.example");
    uint8_t msg[600];
    msg[0] = 1;
    msg[1] = 0;
    put16(msg + 2, (uint32_t)hn);
    memcpy(msg + 4, hello, hn);
    size_t rl = record(rec, 22, 0, msg, hn + 4);
    const char *c = "10.2.2.2", *px = "10.9.9.9";
    const char *conn = "CONNECT inside.example:443 HTTP/1.1\r\nHost: inside.example:443\r\n\r\n";
    const char *ok = "HTTP/1.1 200 Connection established\r\n\r\n";
    uint32_t cs = 1000, ss = 5000;
    feed(pp, pkt, tcp4(pkt, c, px, 41000, 3128, cs, SK_TCP_ACK, (const uint8_t *)conn, strlen(conn)), 1 * S);
    cs += (uint32_t)strlen(conn);
    feed(pp, pkt, tcp4(pkt, px, c, 3128, 41000, ss, SK_TCP_ACK, (const uint8_t *)ok, strlen(ok)), 1 * S + 1);
    assert_int_equal(s.http, 1);
    assert_string_equal(s.method, "CONNECT");
    assert_string_equal(s.host, "inside.example");
    assert_int_equal(s.status, 200);
    feed(pp, pkt, tcp4(pkt, c, px, 41000, 3128, cs, SK_TCP_ACK, rec, rl), 1 * S + 2);
    sk_pktproc_finish(pp);
    assert_int_equal(s.tls, 1);
    assert_string_equal(s.sni, "inside.example");
    sk_pktproc_free(pp);

    /* SOCKS 5 with username/password, then TLS */
    pp = pipeline(&s);
    const uint8_t greet[] = {5, 2, 0, 2}, choice[] = {5, 2};
    const uint8_t auth[] = {1, 3, 'b', 'o', 'b', 2, 'p', 'w'}, authok[] = {1, 0};
    const uint8_t req[] = {5, 1, 0, 3, 14, 'i', 'n', 's', 'i', 'd', 'e', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', 1, 187};
    const uint8_t rep[] = {5, 0, 0, 1, 10, 9, 9, 9, 0x1f, 0x90};
    cs = 1;
    ss = 1;
#define SEND(data, fromc)                                                                      \
    do {                                                                                       \
        if (fromc) {                                                                           \
            feed(pp, pkt, tcp4(pkt, c, px, 42000, 1080, cs, SK_TCP_ACK, data, sizeof data), 5 * S); \
            cs += sizeof data;                                                                 \
        } else {                                                                               \
            feed(pp, pkt, tcp4(pkt, px, c, 1080, 42000, ss, SK_TCP_ACK, data, sizeof data), 5 * S); \
            ss += sizeof data;                                                                 \
        }                                                                                      \
    } while (0)
    SEND(greet, 1);
    SEND(choice, 0);
    SEND(auth, 1);
    SEND(authok, 0);
    SEND(req, 1);
    SEND(rep, 0);
#undef SEND
    feed(pp, pkt, tcp4(pkt, c, px, 42000, 1080, cs, SK_TCP_ACK, rec, rl), 6 * S);
    sk_pktproc_finish(pp);
    assert_int_equal(s.tls, 1);
    assert_string_equal(s.sni, "inside.example");
    sk_pktproc_free(pp);

    /* the SOCKS decoder on its own: v4a, a refusal */
    struct sk_socks so;
    const uint8_t v4a[] = {4, 1, 0, 80, 0, 0, 0, 1, 'u', 0, 'h', '.', 'e', 'x', 0, 'X'};
    assert_int_equal(sk_socks_looks_like(v4a, sizeof v4a), 4);
    sk_socks_init(&so, 4);
    assert_int_equal(sk_socks_feed(&so, 1, v4a, 10), 0); /* host name not complete */
    assert_int_equal(sk_socks_feed(&so, 1, v4a, sizeof v4a), 15);
    const uint8_t refused[] = {0, 91, 0, 0, 0, 0, 0, 0};
    assert_int_equal(sk_socks_feed(&so, 0, refused, sizeof refused), -SK_EPARSE);
}

/* --- flows: ICMP pairing, TCP state, memory per flow -------------------------------- */

static void test_flow_icmp_and_state(void **state)
{
    struct seen s;
    struct sk_pktproc *pp = pipeline(&s);
    uint8_t pkt[200];
    /* echo request and reply are one flow */
    v4hdr(pkt, "10.0.0.1", "10.0.0.2", 1, 28, 1, 0);
    memset(pkt + 20, 0, 8);
    pkt[20] = 8;
    feed(pp, pkt, 28, 1 * S);
    v4hdr(pkt, "10.0.0.2", "10.0.0.1", 1, 28, 1, 0);
    pkt[20] = 0;
    feed(pp, pkt, 28, 1 * S + 5);
    sk_pktproc_finish(pp);
    assert_int_equal(s.flows, 1);
    assert_int_equal(s.last_flow.u.flow.pkts_out, 1);
    assert_int_equal(s.last_flow.u.flow.pkts_in, 1);
    assert_int_equal(s.last_flow.sport, 8);
    sk_pktproc_free(pp);

    /* TCP: handshake, FIN both ways */
    pp = pipeline(&s);
    feed(pp, pkt, tcp4(pkt, "10.0.0.1", "10.0.0.2", 1, 80, 0, SK_TCP_SYN, NULL, 0), 1 * S);
    feed(pp, pkt, tcp4(pkt, "10.0.0.2", "10.0.0.1", 80, 1, 0, SK_TCP_SYN | SK_TCP_ACK, NULL, 0), 1 * S + 1);
    feed(pp, pkt, tcp4(pkt, "10.0.0.1", "10.0.0.2", 1, 80, 1, SK_TCP_ACK, NULL, 0), 1 * S + 2);
    feed(pp, pkt, tcp4(pkt, "10.0.0.1", "10.0.0.2", 1, 80, 1, SK_TCP_FIN | SK_TCP_ACK, NULL, 0), 1 * S + 3);
    sk_pktproc_finish(pp);
    assert_int_equal(s.last_flow.u.flow.tcp_state, SK_TCPS_CLOSING);
    sk_pktproc_free(pp);

    assert_true(sk_flowtab_bytes_per_flow() <= 128);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reasm_ipv4_out_of_order),
        cmocka_unit_test(test_reasm_timeout_and_bounds),
        cmocka_unit_test(test_reasm_ipv6),
        cmocka_unit_test(test_stream_order_overlap_gap),
        cmocka_unit_test(test_stream_depth),
        cmocka_unit_test(test_dns_over_tcp),
        cmocka_unit_test(test_tls_fingerprints),
        cmocka_unit_test(test_tls_over_tcp),
        cmocka_unit_test(test_quic_keys_and_frames),
        cmocka_unit_test(test_http),
        cmocka_unit_test(test_connect_and_socks),
        cmocka_unit_test(test_flow_icmp_and_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
