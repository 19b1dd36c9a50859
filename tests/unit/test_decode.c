/*
 * test_decode.c — the packet decoder, the DNS decoder and the flow table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/conf.h"
#include "sakimori/error.h"
#include "sense/decode.h"
#include "sense/dns.h"
#include "sense/flow.h"

/* --- packet builders ---------------------------------------------------- */

static size_t ipv4_udp(uint8_t *p, const char *src, const char *dst, uint16_t sp, uint16_t dp,
                       const uint8_t *payload, size_t plen)
{
    struct sk_addr s, d;
    sk_addr_parse(src, &s);
    sk_addr_parse(dst, &d);
    size_t total = 20 + 8 + plen;
    memset(p, 0, 28);
    p[0] = 0x45;
    p[2] = (uint8_t)(total >> 8);
    p[3] = (uint8_t)total;
    p[8] = 64;
    p[9] = 17;
    memcpy(p + 12, s.b + 12, 4);
    memcpy(p + 16, d.b + 12, 4);
    p[20] = (uint8_t)(sp >> 8); p[21] = (uint8_t)sp;
    p[22] = (uint8_t)(dp >> 8); p[23] = (uint8_t)dp;
    p[24] = (uint8_t)((8 + plen) >> 8); p[25] = (uint8_t)(8 + plen);
    memcpy(p + 28, payload, plen);
    return total;
}

static size_t ipv4_tcp(uint8_t *p, const char *src, const char *dst, uint16_t sp, uint16_t dp,
                       uint8_t flags, size_t plen)
{
    struct sk_addr s, d;
    sk_addr_parse(src, &s);
    sk_addr_parse(dst, &d);
    size_t total = 20 + 20 + plen;
    memset(p, 0, total);
    p[0] = 0x45;
    p[2] = (uint8_t)(total >> 8);
    p[3] = (uint8_t)total;
    p[8] = 64;
    p[9] = 6;
    memcpy(p + 12, s.b + 12, 4);
    memcpy(p + 16, d.b + 12, 4);
    p[20] = (uint8_t)(sp >> 8); p[21] = (uint8_t)sp;
    p[22] = (uint8_t)(dp >> 8); p[23] = (uint8_t)dp;
    p[32] = 0x50;
    p[33] = flags;
    return total;
}

static size_t eth(uint8_t *p, const uint16_t *tags, size_t ntags, uint16_t et)
{
    memset(p, 0, 12);
    size_t o = 12;
    for (size_t i = 0; i < ntags; i++) {
        p[o] = (uint8_t)(tags[i] >> 8); p[o + 1] = (uint8_t)tags[i];
        p[o + 2] = 0; p[o + 3] = (uint8_t)(i + 10); /* VLAN id */
        o += 4;
    }
    p[o] = (uint8_t)(et >> 8); p[o + 1] = (uint8_t)et;
    return o + 2;
}

/* --- decoder --------------------------------------------------------------- */

static void test_ethernet_ipv4_tcp(void **state)
{
    uint8_t pkt[200];
    struct sk_packet pk;
    char a[SK_ADDR_STRLEN];
    size_t o = eth(pkt, NULL, 0, 0x0800);
    size_t n = o + ipv4_tcp(pkt + o, "10.0.0.1", "203.0.113.5", 40000, 443, SK_TCP_SYN, 12);

    assert_int_equal(sk_decode_packet(SK_DLT_EN10MB, pkt, (uint32_t)n, &pk), 0);
    assert_string_equal(sk_addr_fmt(&pk.src, a, sizeof a), "10.0.0.1");
    assert_string_equal(sk_addr_fmt(&pk.dst, a, sizeof a), "203.0.113.5");
    assert_int_equal(pk.sport, 40000);
    assert_int_equal(pk.dport, 443);
    assert_int_equal(pk.proto, 6);
    assert_int_equal(pk.tcp_flags, SK_TCP_SYN);
    assert_int_equal(pk.ip_len, 52);
    assert_int_equal(pk.payload_len, 12);
    assert_int_equal(pk.ip_version, 4);
}

static void test_vlan_qinq(void **state)
{
    uint8_t pkt[200], dns[12] = {0};
    struct sk_packet pk;
    uint16_t tags[] = {0x88a8, 0x8100};
    size_t o = eth(pkt, tags, 2, 0x0800);
    size_t n = o + ipv4_udp(pkt + o, "10.0.0.2", "10.0.0.53", 5353, 53, dns, sizeof dns);
    assert_int_equal(sk_decode_packet(SK_DLT_EN10MB, pkt, (uint32_t)n, &pk), 0);
    assert_int_equal(pk.dport, 53);
    assert_int_equal(pk.payload_len, 12);
    /* 9 stacked tags are refused as malformed, not looped over forever */
    uint16_t many[9] = {0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100, 0x8100};
    o = eth(pkt, many, 9, 0x0800);
    n = o + ipv4_udp(pkt + o, "10.0.0.2", "10.0.0.53", 1, 53, dns, sizeof dns);
    assert_int_equal(sk_decode_packet(SK_DLT_EN10MB, pkt, (uint32_t)n, &pk), -SK_EPARSE);
}

static void test_sll_sll2_raw_null(void **state)
{
    uint8_t pkt[200], payload[4] = {1, 2, 3, 4};
    struct sk_packet pk;

    memset(pkt, 0, 16);
    pkt[14] = 0x08; /* SLL protocol 0x0800 */
    size_t n = 16 + ipv4_udp(pkt + 16, "10.1.1.1", "10.2.2.2", 1000, 2000, payload, 4);
    assert_int_equal(sk_decode_packet(SK_DLT_LINUX_SLL, pkt, (uint32_t)n, &pk), 0);
    assert_int_equal(pk.sport, 1000);

    memset(pkt, 0, 20);
    pkt[0] = 0x08; /* SLL2 protocol first */
    n = 20 + ipv4_udp(pkt + 20, "10.1.1.1", "10.2.2.2", 1000, 2000, payload, 4);
    assert_int_equal(sk_decode_packet(SK_DLT_LINUX_SLL2, pkt, (uint32_t)n, &pk), 0);
    assert_int_equal(pk.dport, 2000);

    n = ipv4_udp(pkt, "10.1.1.1", "10.2.2.2", 7, 9, payload, 4);
    assert_int_equal(sk_decode_packet(SK_DLT_RAW, pkt, (uint32_t)n, &pk), 0);
    assert_int_equal(sk_decode_packet(SK_DLT_RAW_LT, pkt, (uint32_t)n, &pk), 0);
    assert_int_equal(sk_decode_packet(SK_DLT_IPV4, pkt, (uint32_t)n, &pk), 0);

    uint32_t af = 2; /* AF_INET in host order */
    memcpy(pkt, &af, 4);
    n = 4 + ipv4_udp(pkt + 4, "10.1.1.1", "10.2.2.2", 7, 9, payload, 4);
    assert_int_equal(sk_decode_packet(SK_DLT_NULL, pkt, (uint32_t)n, &pk), 0);
    assert_int_equal(pk.sport, 7);
}

static void test_ipv6_ext_headers(void **state)
{
    uint8_t pkt[200];
    struct sk_packet pk;
    char a[SK_ADDR_STRLEN];
    struct sk_addr s, d;

    sk_addr_parse("2001:db8::1", &s);
    sk_addr_parse("2001:db8::53", &d);
    memset(pkt, 0, sizeof pkt);
    pkt[0] = 0x60;
    pkt[4] = 0;
    pkt[5] = 8 + 8 + 8 + 4; /* hop-by-hop + fragment + UDP + 4 bytes */
    pkt[6] = 0;             /* hop-by-hop */
    pkt[7] = 64;
    memcpy(pkt + 8, s.b, 16);
    memcpy(pkt + 24, d.b, 16);
    pkt[40] = 44; /* next: fragment */
    pkt[41] = 0;  /* 8 bytes */
    pkt[48] = 17; /* next: UDP */
    pkt[50] = 0; pkt[51] = 1; /* offset 0, more fragments */
    pkt[56] = 0x13; pkt[57] = 0x88; /* 5000 */
    pkt[58] = 0; pkt[59] = 53;
    pkt[61] = 12;
    assert_int_equal(sk_decode_packet(SK_DLT_RAW, pkt, 68, &pk), 0);
    assert_int_equal(pk.ip_version, 6);
    assert_string_equal(sk_addr_fmt(&pk.src, a, sizeof a), "2001:db8::1");
    /* a first fragment stops at the IP layer: its ports are decoded once
     * the datagram is reassembled */
    assert_int_equal(pk.proto, 17);
    assert_int_equal(pk.sport, 0);
    assert_int_equal(pk.fragment, 1);
    assert_int_equal(pk.frag_hdr, 48);
    assert_int_equal(pk.ip_len, 68);
    /* a later fragment: protocol known, no ports */
    pkt[50] = 0; pkt[51] = 0x08 | 1;
    assert_int_equal(sk_decode_packet(SK_DLT_RAW, pkt, 68, &pk), 0);
    assert_int_equal(pk.proto, 17);
    assert_int_equal(pk.sport, 0);
    assert_int_equal(pk.fragment, 1);
}

static void test_not_ip_and_truncation(void **state)
{
    uint8_t pkt[200];
    struct sk_packet pk;
    size_t o = eth(pkt, NULL, 0, 0x0806); /* ARP */
    memset(pkt + o, 0, 28);
    assert_int_equal(sk_decode_packet(SK_DLT_EN10MB, pkt, (uint32_t)(o + 28), &pk), -SK_EUNSUP);
    assert_int_equal(sk_decode_packet(999, pkt, 60, &pk), -SK_EUNSUP);

    /* every prefix of a valid packet decodes or fails cleanly */
    o = eth(pkt, NULL, 0, 0x0800);
    size_t n = o + ipv4_tcp(pkt + o, "10.0.0.1", "10.0.0.2", 1, 2, SK_TCP_ACK, 30);
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, pkt, cut);
        int rc = sk_decode_packet(SK_DLT_EN10MB, copy, (uint32_t)cut, &pk);
        if (cut < o + 40)
            assert_int_equal(rc, -SK_ETRUNC);
        else
            assert_int_equal(rc, 0);
        free(copy);
    }
    /* IHL below 5 is malformed */
    n = o + ipv4_tcp(pkt + o, "10.0.0.1", "10.0.0.2", 1, 2, SK_TCP_ACK, 0);
    pkt[o] = 0x44;
    assert_int_equal(sk_decode_packet(SK_DLT_EN10MB, pkt, (uint32_t)n, &pk), -SK_EPARSE);
}

/* --- DNS ----------------------------------------------------------------- */

static const uint8_t dns_response[] = {
    0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0,
    /* question: WWW.Example.COM A IN */
    3, 'W', 'W', 'W', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'C', 'O', 'M', 0, 0, 1, 0, 1,
    /* CNAME -> cdn.example.com (compressed suffix) */
    0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0x0e, 0x10, 0, 6, 3, 'c', 'd', 'n', 0xc0, 0x10,
    /* A 192.0.2.7 for cdn */
    0xc0, 0x2d, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7,
    /* TXT "v=1" "x\x01" */
    0xc0, 0x2d, 0, 16, 0, 1, 0, 0, 0, 60, 0, 7, 3, 'v', '=', '1', 2, 'x', 1,
};

static void test_dns_answers(void **state)
{
    struct sk_arena ar;
    struct sk_ev_dns d;
    char a[SK_ADDR_STRLEN];

    sk_arena_init(&ar, 4096, 0);
    assert_int_equal(sk_dns_parse(dns_response, sizeof dns_response, &ar, &d), 0);
    assert_int_equal(d.id, 0x1234);
    assert_int_equal(d.is_response, 1);
    assert_int_equal(d.rcode, 0);
    assert_string_equal(d.qname, "www.example.com");
    assert_int_equal(d.qtype, 1);
    assert_int_equal(d.n_answers, 3);
    assert_int_equal(d.answers[0].type, 5);
    assert_string_equal(d.answers[0].data, "cdn.example.com");
    assert_int_equal(d.answers[0].ttl, 3600);
    assert_string_equal(d.answers[1].name, "cdn.example.com");
    assert_string_equal(sk_addr_fmt(&d.answers[1].addr, a, sizeof a), "192.0.2.7");
    assert_string_equal(d.answers[2].data, "v=1x\\001");
    sk_arena_free(&ar);
}

static void test_dns_malicious_names(void **state)
{
    struct sk_arena ar;
    struct sk_ev_dns d;
    uint8_t m[600];

    sk_arena_init(&ar, 4096, 0);
    /* pointer to itself: a loop */
    uint8_t loop[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
    assert_int_equal(sk_dns_parse(loop, sizeof loop, &ar, &d), -SK_EPARSE);
    /* forward pointer */
    uint8_t fwd[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 1, 'a', 0, 0, 1, 0, 1};
    assert_int_equal(sk_dns_parse(fwd, sizeof fwd, &ar, &d), -SK_EPARSE);
    /* a name longer than 255 bytes on the wire */
    memset(m, 0, sizeof m);
    m[5] = 1;
    size_t o = 12;
    for (int i = 0; i < 5; i++) {
        m[o++] = 63;
        memset(m + o, 'a', 63);
        o += 63;
    }
    m[o++] = 0;
    m[o + 1] = 1;
    m[o + 3] = 1;
    assert_int_equal(sk_dns_parse(m, o + 4, &ar, &d), -SK_EPARSE);
    /* label type 0x40 */
    uint8_t ext[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 'a', 0, 0, 1, 0, 1};
    assert_int_equal(sk_dns_parse(ext, sizeof ext, &ar, &d), -SK_EPARSE);
    /* odd bytes in a label are escaped, never printed raw */
    uint8_t odd[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', '.', 0x1b, 2, 'n', 'l', 0, 0, 1, 0, 1};
    assert_int_equal(sk_dns_parse(odd, sizeof odd, &ar, &d), 0);
    assert_string_equal(d.qname, "a\\046\\027.nl");
    /* every truncation of a good response fails cleanly or parses */
    for (size_t cut = 0; cut < sizeof dns_response; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, dns_response, cut);
        int rc = sk_dns_parse(copy, cut, &ar, &d);
        assert_true(rc == 0 || rc == -SK_ETRUNC);
        free(copy);
    }
    sk_arena_free(&ar);
}

/* --- flow table ---------------------------------------------------------- */

struct flows_seen {
    struct sk_event ev[64];
    int n;
};

static int collect(void *ctx, const struct sk_event *ev)
{
    struct flows_seen *fs = ctx;
    if (fs->n < 64)
        fs->ev[fs->n] = *ev;
    fs->n++;
    return 0;
}

static struct sk_packet tcp_pkt(const char *s, uint16_t sp, const char *d, uint16_t dp,
                                uint8_t flags, uint32_t len, sk_nstime ts)
{
    struct sk_packet pk;
    memset(&pk, 0, sizeof pk);
    sk_addr_parse(s, &pk.src);
    sk_addr_parse(d, &pk.dst);
    pk.sport = sp;
    pk.dport = dp;
    pk.proto = 6;
    pk.tcp_flags = flags;
    pk.ip_len = len;
    pk.ts = ts;
    return pk;
}

#define S SK_NS_PER_SEC

static void test_flow_bidirectional(void **state)
{
    struct sk_flowtab *ft;
    struct flows_seen seen = {.n = 0};
    struct sk_flowtab_cfg cfg = {.idle_timeout = 60 * S, .active_timeout = 1800 * S, .max_flows = 1024};
    struct sk_flow_hit hit;

    assert_int_equal(sk_flowtab_new(&ft, &cfg, collect, &seen), 0);
    struct sk_packet p1 = tcp_pkt("10.0.0.1", 40000, "192.0.2.1", 443, SK_TCP_SYN, 60, 1 * S);
    struct sk_packet p2 = tcp_pkt("192.0.2.1", 443, "10.0.0.1", 40000, SK_TCP_SYN | SK_TCP_ACK, 60, 2 * S);
    struct sk_packet p3 = tcp_pkt("10.0.0.1", 40000, "192.0.2.1", 443, SK_TCP_ACK, 540, 3 * S);
    assert_int_equal(sk_flowtab_packet(ft, &p1, &hit), 0);
    assert_int_equal(hit.reverse, 0);
    assert_int_equal(hit.fresh, 1);
    uint32_t id = hit.id;
    assert_int_equal(sk_flowtab_packet(ft, &p2, &hit), 0);
    assert_int_equal(hit.reverse, 1);
    assert_int_equal(hit.fresh, 0);
    assert_int_equal(hit.id, id);
    assert_int_equal(sk_flowtab_packet(ft, &p3, &hit), 0);
    assert_int_equal(seen.n, 0);
    assert_int_equal(sk_flowtab_flush(ft), 0);
    assert_int_equal(seen.n, 1);
    const struct sk_ev_flow *f = &seen.ev[0].u.flow;
    assert_int_equal(seen.ev[0].sport, 40000);
    assert_int_equal(f->pkts_out, 2);
    assert_int_equal(f->bytes_out, 600);
    assert_int_equal(f->pkts_in, 1);
    assert_int_equal(f->bytes_in, 60);
    assert_int_equal(f->tcp_flags_out, SK_TCP_SYN | SK_TCP_ACK);
    assert_int_equal(f->end_reason, SK_FLOW_END_EOF);
    assert_int_equal(seen.ev[0].ts, 1 * S);
    assert_int_equal(seen.ev[0].ts_end, 3 * S);
    assert_int_equal(f->tcp_state, SK_TCPS_ESTABLISHED);
    sk_flowtab_free(ft);
}

static void test_flow_timeouts(void **state)
{
    struct sk_flowtab *ft;
    struct flows_seen seen = {.n = 0};
    struct sk_flowtab_cfg cfg = {.idle_timeout = 10 * S, .active_timeout = 100 * S, .max_flows = 1024};

    assert_int_equal(sk_flowtab_new(&ft, &cfg, collect, &seen), 0);
    /* idle: a packet 11 s later starts a new flow, the old one is emitted */
    struct sk_packet p = tcp_pkt("10.0.0.1", 1, "10.0.0.2", 2, SK_TCP_ACK, 40, 0);
    assert_int_equal(sk_flowtab_packet(ft, &p, NULL), 0);
    p.ts = 11 * S;
    assert_int_equal(sk_flowtab_packet(ft, &p, NULL), 0);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.ev[0].u.flow.end_reason, SK_FLOW_END_IDLE);
    /* active: a busy flow is split every 100 s */
    for (sk_nstime t = 12 * S; t < 250 * S; t += 5 * S) {
        p.ts = t;
        assert_int_equal(sk_flowtab_packet(ft, &p, NULL), 0);
    }
    assert_int_equal(seen.n, 3);
    assert_int_equal(seen.ev[1].u.flow.end_reason, SK_FLOW_END_ACTIVE);
    assert_int_equal(seen.ev[2].u.flow.end_reason, SK_FLOW_END_ACTIVE);
    assert_int_equal(sk_flowtab_expire(ft, 1000 * S), 0);
    assert_int_equal(seen.n, 4);
    sk_flowtab_free(ft);
}

static void test_flow_fin_and_reuse(void **state)
{
    struct sk_flowtab *ft;
    struct flows_seen seen = {.n = 0};
    struct sk_flowtab_cfg cfg = {.idle_timeout = 60 * S, .active_timeout = 1800 * S, .max_flows = 1024};

    assert_int_equal(sk_flowtab_new(&ft, &cfg, collect, &seen), 0);
    struct sk_packet a = tcp_pkt("10.0.0.1", 5, "10.0.0.2", 80, SK_TCP_SYN, 40, 1 * S);
    struct sk_packet b = tcp_pkt("10.0.0.2", 80, "10.0.0.1", 5, SK_TCP_FIN | SK_TCP_ACK, 40, 2 * S);
    struct sk_packet c = tcp_pkt("10.0.0.1", 5, "10.0.0.2", 80, SK_TCP_FIN | SK_TCP_ACK, 40, 3 * S);
    struct sk_packet last_ack = tcp_pkt("10.0.0.2", 80, "10.0.0.1", 5, SK_TCP_ACK, 40, 3 * S + 1);
    sk_flowtab_packet(ft, &a, NULL);
    sk_flowtab_packet(ft, &b, NULL);
    sk_flowtab_packet(ft, &c, NULL);
    sk_flowtab_packet(ft, &last_ack, NULL);
    assert_int_equal(seen.n, 0); /* the last ACK still belongs to the flow */
    a.ts = 4 * S;                /* a new SYN on the same 5-tuple */
    sk_flowtab_packet(ft, &a, NULL);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.ev[0].u.flow.end_reason, SK_FLOW_END_FIN);
    assert_int_equal(seen.ev[0].u.flow.pkts_out + seen.ev[0].u.flow.pkts_in, 4);
    sk_flowtab_flush(ft);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.ev[1].u.flow.pkts_out, 1);
    sk_flowtab_free(ft);
}

static int count_only(void *ctx, const struct sk_event *ev)
{
    uint64_t *n = ctx;
    n[0]++;
    n[1] += ev->u.flow.pkts_out + ev->u.flow.pkts_in;
    if (ev->u.flow.end_reason == SK_FLOW_END_EVICTED)
        n[2]++;
    return 0;
}

/* Many flows through a small table: bounded, nothing lost, index consistent. */
static void test_flow_bounded(void **state)
{
    struct sk_flowtab *ft;
    struct sk_flowtab_stats st;
    uint64_t n[3] = {0, 0, 0};
    struct sk_flowtab_cfg cfg = {.idle_timeout = 30 * S, .active_timeout = 1800 * S, .max_flows = 1000};
    uint64_t x = 12345, packets = 0;

    assert_int_equal(sk_flowtab_new(&ft, &cfg, count_only, n), 0);
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        struct sk_packet p;
        memset(&p, 0, sizeof p);
        sk_addr_from_v4(&p.src, 0x0a000000u | (uint32_t)(x % 3000));
        sk_addr_from_v4(&p.dst, 0xc0000200u | (uint32_t)((x >> 20) % 4));
        p.sport = (uint16_t)(1024 + (x >> 32) % 2);
        p.dport = 443;
        p.proto = (x >> 40) & 1 ? 6 : 17;
        p.ip_len = 100;
        p.ts = (sk_nstime)i * (S / 1000);
        if ((x >> 50) & 1) { /* reverse direction */
            struct sk_addr t = p.src;
            p.src = p.dst;
            p.dst = t;
            uint16_t tp = p.sport;
            p.sport = p.dport;
            p.dport = tp;
        }
        assert_int_equal(sk_flowtab_packet(ft, &p, NULL), 0);
        packets++;
        sk_flowtab_stats(ft, &st);
        assert_true(st.active <= 1000);
    }
    assert_int_equal(sk_flowtab_flush(ft), 0);
    sk_flowtab_stats(ft, &st);
    assert_int_equal(st.active, 0);
    assert_int_equal(n[1], packets); /* every packet counted exactly once */
    assert_true(st.evicted > 0);
    assert_int_equal(n[2], st.evicted);
    assert_int_equal(st.peak, 1000);
    assert_true(sk_flowtab_bytes_per_flow() <= 128);
    sk_flowtab_free(ft);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_ipv4_tcp), cmocka_unit_test(test_vlan_qinq),
        cmocka_unit_test(test_sll_sll2_raw_null), cmocka_unit_test(test_ipv6_ext_headers),
        cmocka_unit_test(test_not_ip_and_truncation), cmocka_unit_test(test_dns_answers),
        cmocka_unit_test(test_dns_malicious_names), cmocka_unit_test(test_flow_bidirectional),
        cmocka_unit_test(test_flow_timeouts), cmocka_unit_test(test_flow_fin_and_reuse),
        cmocka_unit_test(test_flow_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
