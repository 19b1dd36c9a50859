/*
 * test_netflow.c — the NetFlow v5/v9/IPFIX decoder on export datagrams
 * built here byte by byte: templates per domain, options and sampling,
 * variable-length fields, biflows, withdrawal, data before its template,
 * the bounds, and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"
#include "sakimori/event.h"
#include "sense/netflow.h"

/* --- a tiny datagram builder ---------------------------------------------- */

struct pkt {
    uint8_t b[4096];
    size_t n;
    size_t set_start;
};

static void u8(struct pkt *p, unsigned v) { p->b[p->n++] = (uint8_t)v; }
static void u16(struct pkt *p, unsigned v) { u8(p, v >> 8); u8(p, v & 0xff); }
static void u32(struct pkt *p, uint32_t v) { u16(p, v >> 16); u16(p, v & 0xffff); }
static void u64(struct pkt *p, uint64_t v) { u32(p, (uint32_t)(v >> 32)); u32(p, (uint32_t)v); }
static void ip4(struct pkt *p, const char *s)
{
    struct sk_addr a;
    assert_int_equal(sk_addr_parse(s, &a), 0);
    memcpy(p->b + p->n, a.b + 12, 4);
    p->n += 4;
}
static void ip6(struct pkt *p, const char *s)
{
    struct sk_addr a;
    assert_int_equal(sk_addr_parse(s, &a), 0);
    memcpy(p->b + p->n, a.b, 16);
    p->n += 16;
}

static void v9_header(struct pkt *p, uint32_t uptime_ms, uint32_t secs, uint32_t domain)
{
    p->n = 0;
    u16(p, 9);
    u16(p, 0);
    u32(p, uptime_ms);
    u32(p, secs);
    u32(p, 1);
    u32(p, domain);
}

static void ipfix_header(struct pkt *p, uint32_t secs, uint32_t domain)
{
    p->n = 0;
    u16(p, 10);
    u16(p, 0); /* length, fixed by finish */
    u32(p, secs);
    u32(p, 1);
    u32(p, domain);
}

static void set_begin(struct pkt *p, unsigned id)
{
    p->set_start = p->n;
    u16(p, id);
    u16(p, 0);
}

static void set_end(struct pkt *p)
{
    size_t len = p->n - p->set_start;
    p->b[p->set_start + 2] = (uint8_t)(len >> 8);
    p->b[p->set_start + 3] = (uint8_t)len;
}

static void ipfix_finish(struct pkt *p)
{
    p->b[2] = (uint8_t)(p->n >> 8);
    p->b[3] = (uint8_t)p->n;
}

/* --- collecting events ------------------------------------------------------ */

#define MAXEV 64
struct got {
    struct sk_event ev[MAXEV];
    size_t n;
};

static int sink(void *ctx, const struct sk_event *ev)
{
    struct got *g = ctx;
    assert_int_equal(ev->kind, SK_EVENT_FLOW);
    if (g->n < MAXEV)
        g->ev[g->n++] = *ev;
    return 0;
}

static struct sk_addr A(const char *s)
{
    struct sk_addr a;
    assert_int_equal(sk_addr_parse(s, &a), 0);
    return a;
}

static const struct sk_addr *exporter(void)
{
    static struct sk_addr a;
    a = A("192.0.2.1");
    return &a;
}

/* --- v5 ------------------------------------------------------------------------ */

static void test_v5(void **state)
{
    struct sk_nf *nf;
    struct got g = {.n = 0};
    struct pkt p = {.n = 0};

    assert_int_equal(sk_nf_new(&nf, NULL, sink, &g), 0);
    u16(&p, 5);
    u16(&p, 2);
    u32(&p, 100000);     /* uptime 100 s */
    u32(&p, 1700000000); /* export time */
    u32(&p, 500000000);  /* + 0.5 s */
    u32(&p, 7);
    u8(&p, 0);
    u8(&p, 0);
    u16(&p, 0x4000 | 100); /* 1 in 100 */
    for (int i = 0; i < 2; i++) {
        ip4(&p, i ? "198.51.100.7" : "10.0.0.1");
        ip4(&p, "203.0.113.9");
        ip4(&p, "0.0.0.0");
        u16(&p, 1);
        u16(&p, 2);
        u32(&p, 3);          /* packets */
        u32(&p, 180);        /* octets */
        u32(&p, 90000);      /* first: 10 s before export */
        u32(&p, 99000);      /* last: 1 s before */
        u16(&p, i ? 0 : 40000);
        u16(&p, i ? 0x0301 : 443); /* ICMP: type 3 code 1 in dst port */
        u8(&p, 0);
        u8(&p, i ? 0 : 0x1b);
        u8(&p, i ? 1 : 6);
        u8(&p, 0);
        u16(&p, 0); u16(&p, 0); u8(&p, 0); u8(&p, 0); u16(&p, 0);
    }
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    assert_int_equal(g.n, 2);
    struct sk_addr src = A("10.0.0.1");
    assert_true(sk_addr_eq(&g.ev[0].src, &src));
    assert_int_equal(g.ev[0].sport, 40000);
    assert_int_equal(g.ev[0].dport, 443);
    assert_int_equal(g.ev[0].proto, 6);
    assert_int_equal(g.ev[0].u.flow.pkts_out, 300);
    assert_int_equal(g.ev[0].u.flow.bytes_out, 18000);
    assert_int_equal(g.ev[0].u.flow.sampling, 100);
    assert_int_equal(g.ev[0].u.flow.tcp_flags_out, 0x1b);
    assert_int_equal(g.ev[0].u.flow.end_reason, SK_FLOW_END_EXPORTED);
    assert_int_equal(g.ev[0].ts, 1700000000ULL * SK_NS_PER_SEC + 500000000 - 10 * SK_NS_PER_SEC);
    assert_int_equal(g.ev[0].ts_end, 1700000000ULL * SK_NS_PER_SEC + 500000000 - 1 * SK_NS_PER_SEC);
    /* ICMP type/code as the packet decoder has them */
    assert_int_equal(g.ev[1].proto, 1);
    assert_int_equal(g.ev[1].sport, 3);
    assert_int_equal(g.ev[1].dport, 1);

    /* a count the datagram cannot hold: what fits is decoded, counted malformed */
    p.b[3] = 3;
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    assert_int_equal(g.n, 4);
    struct sk_nf_stats st;
    sk_nf_stats(nf, &st);
    assert_int_equal(st.malformed, 1);
    sk_nf_free(nf);
}

/* --- v9: templates, options, sampling, pending ---------------------------------- */

static void v9_template_260(struct pkt *p)
{
    set_begin(p, 0);
    u16(p, 260);
    u16(p, 8);
    u16(p, 8); u16(p, 4);   /* src */
    u16(p, 12); u16(p, 4);  /* dst */
    u16(p, 7); u16(p, 2);   /* sport */
    u16(p, 11); u16(p, 2);  /* dport */
    u16(p, 4); u16(p, 1);   /* proto */
    u16(p, 2); u16(p, 4);   /* packets */
    u16(p, 1); u16(p, 8);   /* octets, 8 bytes */
    u16(p, 48); u16(p, 1);  /* sampler id */
    set_end(p);
}

static void v9_data_260(struct pkt *p, const char *src, unsigned sampler)
{
    set_begin(p, 260);
    ip4(p, src);
    ip4(p, "203.0.113.5");
    u16(p, 5353);
    u16(p, 53);
    u8(p, 17);
    u32(p, 2);
    u64(p, 150);
    u8(p, sampler);
    u8(p, 0); u8(p, 0); u8(p, 0); /* padding */
    set_end(p);
}

static void test_v9_templates_and_sampling(void **state)
{
    struct sk_nf *nf;
    struct got g = {.n = 0};
    struct pkt p = {.n = 0};
    struct sk_nf_stats st;

    assert_int_equal(sk_nf_new(&nf, NULL, sink, &g), 0);

    /* data first: buffered */
    v9_header(&p, 5000, 1700000000, 7);
    v9_data_260(&p, "10.1.1.1", 2);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    assert_int_equal(g.n, 0);
    sk_nf_stats(nf, &st);
    assert_int_equal(st.pending_sets, 1);

    /* options template: scope system, sampler id + interval; options data */
    v9_header(&p, 5000, 1700000000, 7);
    set_begin(&p, 1);
    u16(&p, 300);
    u16(&p, 4);  /* scope length */
    u16(&p, 8);  /* option length */
    u16(&p, 1); u16(&p, 4);    /* scope: system */
    u16(&p, 48); u16(&p, 1);   /* sampler id */
    u16(&p, 34); u16(&p, 4);   /* sampling interval */
    set_end(&p);
    set_begin(&p, 300);
    u32(&p, 0); u8(&p, 2); u32(&p, 1000);
    u32(&p, 0); u8(&p, 3); u32(&p, 64);
    set_end(&p);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);

    /* the template arrives: the buffered data is decoded with it */
    v9_header(&p, 5000, 1700000000, 7);
    v9_template_260(&p);
    v9_data_260(&p, "10.1.1.2", 3);
    v9_data_260(&p, "10.1.1.3", 9); /* unknown sampler: no rate */
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    assert_int_equal(g.n, 3);
    struct sk_addr a1 = A("10.1.1.1"), a2 = A("10.1.1.2");
    assert_true(sk_addr_eq(&g.ev[0].src, &a1));
    assert_int_equal(g.ev[0].u.flow.sampling, 1000);
    assert_int_equal(g.ev[0].u.flow.pkts_out, 2000);
    assert_int_equal(g.ev[0].u.flow.bytes_out, 150000);
    assert_true(sk_addr_eq(&g.ev[1].src, &a2));
    assert_int_equal(g.ev[1].u.flow.sampling, 64);
    assert_int_equal(g.ev[2].u.flow.sampling, 0);
    assert_int_equal(g.ev[2].u.flow.pkts_out, 2);
    sk_nf_stats(nf, &st);
    assert_int_equal(st.late_decoded, 1);
    assert_int_equal(st.option_records, 2);
    assert_int_equal(st.malformed, 0);

    /* the same template id in another domain is another template */
    g.n = 0;
    v9_header(&p, 5000, 1700000000, 8);
    v9_data_260(&p, "10.1.1.4", 2);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    assert_int_equal(g.n, 0);
    /* and from another exporter address too */
    struct sk_addr other = A("2001:db8::9");
    v9_header(&p, 5000, 1700000000, 7);
    v9_data_260(&p, "10.1.1.5", 2);
    assert_int_equal(sk_nf_datagram(nf, &other, 1, p.b, p.n), 0);
    assert_int_equal(g.n, 0);
    sk_nf_finish(nf);
    sk_nf_stats(nf, &st);
    assert_int_equal(st.no_template, 2);
    sk_nf_free(nf);
}

static void test_v9_uptime_wrap(void **state)
{
    struct sk_nf *nf;
    struct got g = {.n = 0};
    struct pkt p = {.n = 0};

    assert_int_equal(sk_nf_new(&nf, NULL, sink, &g), 0);
    v9_header(&p, 1000, 1700000000, 0); /* uptime just wrapped past 2^32 ms */
    set_begin(&p, 0);
    u16(&p, 256);
    u16(&p, 4);
    u16(&p, 8); u16(&p, 4);
    u16(&p, 12); u16(&p, 4);
    u16(&p, 22); u16(&p, 4); /* first switched */
    u16(&p, 21); u16(&p, 4); /* last switched */
    set_end(&p);
    set_begin(&p, 256);
    ip4(&p, "10.0.0.1");
    ip4(&p, "10.0.0.2");
    u32(&p, 0xffffffffu - 999); /* 2 s before the export */
    u32(&p, 500);               /* 0.5 s before */
    set_end(&p);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.ev[0].ts, 1700000000ULL * SK_NS_PER_SEC - 2 * SK_NS_PER_SEC);
    assert_int_equal(g.ev[0].ts_end, 1700000000ULL * SK_NS_PER_SEC - 500 * SK_NS_PER_MS);
    sk_nf_free(nf);
}

/* --- IPFIX --------------------------------------------------------------------- */

static void test_ipfix_varlen_biflow_withdrawal(void **state)
{
    struct sk_nf *nf;
    struct got g = {.n = 0};
    struct pkt p = {.n = 0};
    struct sk_nf_stats st;
    char longname[300];

    memset(longname, 'x', sizeof longname);
    assert_int_equal(sk_nf_new(&nf, NULL, sink, &g), 0);
    ipfix_header(&p, 1700000000, 42);
    set_begin(&p, 2);
    u16(&p, 400);
    u16(&p, 9);
    u16(&p, 27); u16(&p, 16);            /* sourceIPv6Address */
    u16(&p, 82); u16(&p, 65535);         /* interfaceName, variable */
    u16(&p, 28); u16(&p, 16);            /* destinationIPv6Address */
    u16(&p, 4); u16(&p, 1);              /* protocol */
    u16(&p, 1); u16(&p, 4);              /* octets (reduced size) */
    u16(&p, 0x8000 | 1); u16(&p, 4); u32(&p, 29305); /* reverse octets */
    u16(&p, 0x8000 | 2); u16(&p, 2); u32(&p, 29305); /* reverse packets */
    u16(&p, 152); u16(&p, 8);            /* flowStartMilliseconds */
    u16(&p, 0x8000 | 99); u16(&p, 2); u32(&p, 9); /* some enterprise field */
    set_end(&p);
    set_begin(&p, 400);
    /* record 1: short variable-length name */
    ip6(&p, "2001:db8::1");
    u8(&p, 3); u8(&p, 'e'); u8(&p, 't'); u8(&p, 'h');
    ip6(&p, "2001:db8::2");
    u8(&p, 17);
    u32(&p, 1000);
    u32(&p, 2000);
    u16(&p, 4);
    u64(&p, 1700000000123ULL);
    u16(&p, 0);
    /* record 2: a 300-byte name, length in the 255-escape form */
    ip6(&p, "2001:db8::3");
    u8(&p, 255); u16(&p, sizeof longname);
    memcpy(p.b + p.n, longname, sizeof longname);
    p.n += sizeof longname;
    ip6(&p, "2001:db8::4");
    u8(&p, 6);
    u32(&p, 10);
    u32(&p, 20);
    u16(&p, 1);
    u64(&p, 1700000000456ULL);
    u16(&p, 0);
    set_end(&p);
    ipfix_finish(&p);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    assert_int_equal(g.n, 2);
    struct sk_addr s1 = A("2001:db8::1"), d2 = A("2001:db8::4");
    assert_true(sk_addr_eq(&g.ev[0].src, &s1));
    assert_int_equal(g.ev[0].u.flow.bytes_out, 1000);
    assert_int_equal(g.ev[0].u.flow.bytes_in, 2000);
    assert_int_equal(g.ev[0].u.flow.pkts_in, 4);
    assert_int_equal(g.ev[0].ts, 1700000000123ULL * SK_NS_PER_MS);
    assert_true(sk_addr_eq(&g.ev[1].dst, &d2));
    assert_int_equal(g.ev[1].ts, 1700000000456ULL * SK_NS_PER_MS);

    /* withdrawal of template 400: its data now waits for a new definition */
    g.n = 0;
    ipfix_header(&p, 1700000001, 42);
    set_begin(&p, 2);
    u16(&p, 400);
    u16(&p, 0);
    set_end(&p);
    ipfix_finish(&p);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    sk_nf_stats(nf, &st);
    assert_int_equal(st.withdrawals, 1);
    assert_int_equal(st.templates_now, 0);

    /* a template set that withdraws all, then redefines: fixed-length now */
    ipfix_header(&p, 1700000002, 42);
    set_begin(&p, 2);
    u16(&p, 401);
    u16(&p, 2);
    u16(&p, 8); u16(&p, 4);
    u16(&p, 12); u16(&p, 4);
    set_end(&p);
    set_begin(&p, 2);
    u16(&p, 2); /* template id 2 = all templates */
    u16(&p, 0);
    set_end(&p);
    ipfix_finish(&p);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    sk_nf_stats(nf, &st);
    assert_int_equal(st.templates_now, 0);
    assert_int_equal(st.malformed, 0);
    sk_nf_free(nf);
}

static void test_ipfix_template_scoped_sampling(void **state)
{
    struct sk_nf *nf;
    struct got g = {.n = 0};
    struct pkt p = {.n = 0};

    assert_int_equal(sk_nf_new(&nf, NULL, sink, &g), 0);
    ipfix_header(&p, 1700000000, 1);
    /* options: scope templateId; samplingPacketInterval 1, Space 99 */
    set_begin(&p, 3);
    u16(&p, 500);
    u16(&p, 3);
    u16(&p, 1);
    u16(&p, 145); u16(&p, 2);
    u16(&p, 305); u16(&p, 4);
    u16(&p, 306); u16(&p, 4);
    set_end(&p);
    set_begin(&p, 500);
    u16(&p, 501); u32(&p, 1); u32(&p, 99);
    set_end(&p);
    /* the template it scopes comes after its options data */
    set_begin(&p, 2);
    u16(&p, 501);
    u16(&p, 3);
    u16(&p, 8); u16(&p, 4);
    u16(&p, 12); u16(&p, 4);
    u16(&p, 2); u16(&p, 4);
    set_end(&p);
    set_begin(&p, 501);
    ip4(&p, "10.9.9.9");
    ip4(&p, "10.8.8.8");
    u32(&p, 5);
    set_end(&p);
    ipfix_finish(&p);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.ev[0].u.flow.sampling, 100);
    assert_int_equal(g.ev[0].u.flow.pkts_out, 500);
    /* no time in the record: the export time */
    assert_int_equal(g.ev[0].ts, 1700000000ULL * SK_NS_PER_SEC);
    sk_nf_free(nf);
}

/* --- bounds and malformed input ------------------------------------------- */

static void test_bounds(void **state)
{
    struct sk_nf_limits lim = {.max_domains = 2, .max_templates = 16, .pending_bytes = 4096};
    struct sk_nf *nf;
    struct got g = {.n = 0};
    struct pkt p = {.n = 0};
    struct sk_nf_stats st;

    assert_int_equal(sk_nf_new(&nf, &lim, sink, &g), 0);
    /* three domains: the least recently seen is evicted with its templates */
    for (uint32_t d = 1; d <= 3; d++) {
        v9_header(&p, 1, 1700000000, d);
        v9_template_260(&p);
        assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    }
    sk_nf_stats(nf, &st);
    assert_int_equal(st.domains, 2);
    assert_int_equal(st.templates_now, 2);
    assert_true(st.evicted >= 1);
    /* domain 1 was evicted: its data waits again */
    v9_header(&p, 1, 1700000000, 1);
    v9_data_260(&p, "10.0.0.1", 0);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    assert_int_equal(g.n, 0);

    /* pending is bounded in bytes: many unknown sets, memory stays put */
    for (int i = 0; i < 1000; i++) {
        v9_header(&p, 1, 1700000000, 3);
        set_begin(&p, 1000 + (unsigned)i);
        for (int k = 0; k < 100; k++)
            u8(&p, k);
        set_end(&p);
        assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    }
    sk_nf_stats(nf, &st);
    assert_true(st.evicted > 900);
    /* templates are bounded over all domains */
    for (unsigned t = 0; t < 40; t++) {
        v9_header(&p, 1, 1700000000, 3);
        set_begin(&p, 0);
        u16(&p, 2000 + t);
        u16(&p, 1);
        u16(&p, 8); u16(&p, 4);
        set_end(&p);
        assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    }
    sk_nf_stats(nf, &st);
    assert_true(st.templates_now <= 16);
    sk_nf_free(nf);
}

static void test_malformed(void **state)
{
    struct sk_nf *nf;
    struct got g = {.n = 0};
    struct pkt p = {.n = 0};
    struct sk_nf_stats st;

    assert_int_equal(sk_nf_new(&nf, NULL, sink, &g), 0);
    /* set length past the end */
    v9_header(&p, 1, 1700000000, 0);
    u16(&p, 0);
    u16(&p, 2000);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    /* template whose fields run past its set */
    v9_header(&p, 1, 1700000000, 0);
    set_begin(&p, 0);
    u16(&p, 300);
    u16(&p, 50);
    u16(&p, 8); u16(&p, 4);
    set_end(&p);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    /* a template of zero-length fields only: no record can be read */
    v9_header(&p, 1, 1700000000, 0);
    set_begin(&p, 0);
    u16(&p, 301);
    u16(&p, 1);
    u16(&p, 8); u16(&p, 0);
    set_end(&p);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    /* IPFIX message length beyond the datagram, unknown version, runt */
    ipfix_header(&p, 1, 1);
    p.b[2] = 0xff;
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    p.b[1] = 7;
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), 0);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, 3), 0);
    sk_nf_stats(nf, &st);
    assert_int_equal(st.malformed, 6);
    assert_int_equal(g.n, 0);
    sk_nf_free(nf);
}

static int stop_sink(void *ctx, const struct sk_event *ev)
{
    (void)ev;
    (*(int *)ctx)++;
    return -SK_ESTOP;
}

static void test_emit_stop(void **state)
{
    struct sk_nf *nf;
    struct pkt p = {.n = 0};
    int calls = 0;

    assert_int_equal(sk_nf_new(&nf, NULL, stop_sink, &calls), 0);
    v9_header(&p, 1, 1700000000, 0);
    v9_template_260(&p);
    v9_data_260(&p, "10.0.0.1", 0);
    v9_data_260(&p, "10.0.0.2", 0);
    assert_int_equal(sk_nf_datagram(nf, exporter(), 1, p.b, p.n), -SK_ESTOP);
    assert_int_equal(calls, 1);
    sk_nf_free(nf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v5),
        cmocka_unit_test(test_v9_templates_and_sampling),
        cmocka_unit_test(test_v9_uptime_wrap),
        cmocka_unit_test(test_ipfix_varlen_biflow_withdrawal),
        cmocka_unit_test(test_ipfix_template_scoped_sampling),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_emit_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
