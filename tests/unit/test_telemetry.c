/*
 * test_telemetry.c — stored telemetry and passive DNS: the writer (with its
 * bounded pending table), the pdns and impact queries, retention purges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"
#include "sakimori/pdns.h"
#include "sakimori/store.h"
#include "sakimori/telemetry.h"

static char dbpath[64];

static int setup(void **state)
{
    snprintf(dbpath, sizeof dbpath, "/tmp/sk_tel_%d.db", (int)getpid());
    unlink(dbpath);
    return 0;
}

static int teardown(void **state)
{
    char p[80];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static struct sk_addr A(const char *s)
{
    struct sk_addr a;
    assert_int_equal(sk_addr_parse(s, &a), 0);
    return a;
}

static struct sk_prefix P(const char *s)
{
    struct sk_prefix p;
    assert_int_equal(sk_prefix_parse(s, &p, 0), 0);
    return p;
}

/* A DNS response: qname resolved to addrs (through cname when given). */
static struct sk_event dns_answer(sk_nstime ts, const char *client, const char *qname,
                                  const char *cname, const char **addrs, size_t n,
                                  struct sk_dns_rr *rrs)
{
    struct sk_event ev;
    size_t k = 0;

    memset(&ev, 0, sizeof ev);
    ev.kind = SK_EVENT_DNS;
    ev.proto = 17;
    ev.ts = ev.ts_end = ts;
    ev.src = A(client);
    ev.dst = A("192.0.2.53");
    ev.sport = 40000;
    ev.dport = 53;
    ev.u.dns.qname = qname;
    ev.u.dns.qtype = 1;
    ev.u.dns.is_response = 1;
    if (cname) {
        memset(&rrs[k], 0, sizeof rrs[k]);
        rrs[k].name = qname;
        rrs[k].type = 5;
        rrs[k].data = cname;
        k++;
    }
    for (size_t i = 0; i < n; i++, k++) {
        memset(&rrs[k], 0, sizeof rrs[k]);
        rrs[k].name = cname ? cname : qname;
        rrs[k].addr = A(addrs[i]);
        rrs[k].type = rrs[k].addr.family == SK_AF_INET ? 1 : 28;
    }
    ev.u.dns.answers = rrs;
    ev.u.dns.n_answers = (uint16_t)k;
    return ev;
}

static struct sk_event flow(sk_nstime ts, const char *src, uint16_t sp, const char *dst,
                            uint16_t dp, uint64_t pkts, uint64_t bytes)
{
    struct sk_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SK_EVENT_FLOW;
    ev.proto = 6;
    ev.ts = ts;
    ev.ts_end = ts + 5;
    ev.src = A(src);
    ev.dst = A(dst);
    ev.sport = sp;
    ev.dport = dp;
    ev.u.flow.pkts_out = pkts;
    ev.u.flow.bytes_out = bytes;
    ev.u.flow.pkts_in = 1;
    ev.u.flow.bytes_in = 40;
    ev.u.flow.tcp_flags_out = 0x1b;
    ev.u.flow.tcp_flags_in = 0x12;
    ev.u.flow.end_reason = SK_FLOW_END_FIN;
    return ev;
}

struct collect {
    char names[16][64];
    struct sk_pdns_entry e[16];
    int n;
};

static int collect_fn(void *ctx, const struct sk_pdns_entry *e)
{
    struct collect *c = ctx;
    if (c->n < 16) {
        snprintf(c->names[c->n], 64, "%s", e->name);
        c->e[c->n] = *e;
        c->e[c->n].name = c->names[c->n];
        c->n++;
    }
    return 0;
}

static void fill(struct sk_store *s, uint32_t pending)
{
    struct sk_telemetry *t;
    struct sk_telemetry_opts o = {.run_id = 0, .pdns_pending = pending,
                                  .flows = 1, .dns = 1, .tls = 1, .http = 1, .pdns = 1};
    struct sk_dns_rr rrs[8];
    const char *cdn[] = {"198.51.100.7"};
    const char *two[] = {"198.51.100.7", "2001:db8::7"};
    struct sk_event ev;

    assert_int_equal(sk_telemetry_new(&t, s, &o), 0);
    /* three names co-hosted on 198.51.100.7; one reached through a CNAME */
    for (int i = 0; i < 5; i++) {
        ev = dns_answer(1000 + (sk_nstime)i, "10.0.0.1", "a.example.com", NULL, cdn, 1, rrs);
        assert_int_equal(sk_telemetry_add(t, &ev), 0);
    }
    ev = dns_answer(2000, "10.0.0.2", "www.shop.example", "edge.cdn.example", two, 2, rrs);
    assert_int_equal(sk_telemetry_add(t, &ev), 0);
    /* NXDOMAIN feeds the DNS log but not passive DNS */
    ev = dns_answer(2500, "10.0.0.3", "gone.example.com", NULL, cdn, 1, rrs);
    ev.u.dns.rcode = 3;
    assert_int_equal(sk_telemetry_add(t, &ev), 0);
    /* a query */
    ev = dns_answer(900, "10.0.0.4", "b.a.example.com", NULL, NULL, 0, rrs);
    ev.u.dns.is_response = 0;
    assert_int_equal(sk_telemetry_add(t, &ev), 0);

    ev = flow(1000, "10.0.0.1", 40001, "198.51.100.7", 443, 10, 5000);
    assert_int_equal(sk_telemetry_add(t, &ev), 0);
    ev = flow(1100, "10.0.0.2", 40002, "198.51.100.7", 443, 4, 400);
    assert_int_equal(sk_telemetry_add(t, &ev), 0);
    ev = flow(1200, "10.0.0.2", 40003, "198.51.100.7", 80, 2, 100);
    assert_int_equal(sk_telemetry_add(t, &ev), 0);
    ev = flow(5000, "198.51.100.9", 53, "10.0.0.9", 5353, 1, 60);
    assert_int_equal(sk_telemetry_add(t, &ev), 0);
    ev = flow(1300, "10.0.0.5", 40004, "203.0.113.1", 443, 3, 300);
    assert_int_equal(sk_telemetry_add(t, &ev), 0);

    memset(&ev, 0, sizeof ev);
    ev.kind = SK_EVENT_TLS;
    ev.proto = 6;
    ev.ts = 1500;
    ev.src = A("10.0.0.6");
    ev.dst = A("198.51.100.7");
    ev.dport = 443;
    ev.u.tls.sni = "login.a.example.com";
    ev.u.tls.ja3 = "e7d705a3286e19ea42f587b344ee6865";
    assert_int_equal(sk_telemetry_add(t, &ev), 0);
    ev.kind = SK_EVENT_HTTP;
    ev.dport = 80;
    memset(&ev.u, 0, sizeof ev.u);
    ev.u.http.host = "a.example.com";
    ev.u.http.method = "GET";
    ev.u.http.uri = "/";
    assert_int_equal(sk_telemetry_add(t, &ev), 0);

    assert_int_equal(sk_telemetry_flush(t), 0);
    struct sk_telemetry_stats ts;
    sk_telemetry_stats(t, &ts);
    assert_int_equal(ts.flows, 5);
    assert_int_equal(ts.dns, 8);
    assert_int_equal(ts.tls, 1);
    assert_int_equal(ts.http, 1);
    sk_telemetry_free(t);
}

static void check_queries(struct sk_store *s)
{
    struct collect c;
    struct sk_prefix p;
    struct sk_addr a = A("198.51.100.7");
    char buf[SK_ADDR_STRLEN];

    /* names for the address: a.example.com, edge.cdn.example, www.shop.example */
    assert_int_equal(sk_pdns_count_names(s, &a, 0), 3);
    memset(&c, 0, sizeof c);
    p = P("198.51.100.7/32");
    assert_int_equal(sk_pdns_names_in(s, &p, 0, 0, collect_fn, &c), 3);
    /* most recent first: the CNAME answer at 2000 */
    assert_true(strcmp(c.names[0], "edge.cdn.example") == 0 ||
                strcmp(c.names[0], "www.shop.example") == 0);
    assert_string_equal(c.names[2], "a.example.com");
    assert_int_equal(c.e[2].count, 5);
    assert_int_equal(c.e[2].first_seen, 1000);
    assert_int_equal(c.e[2].last_seen, 1004);
    /* since excludes older sightings */
    assert_int_equal(sk_pdns_count_names(s, &a, 1500), 2);
    /* a covering prefix, and one that covers nothing */
    p = P("198.51.100.0/24");
    assert_int_equal(sk_pdns_count_names_in(s, &p, 0), 3);
    p = P("198.51.101.0/24");
    assert_int_equal(sk_pdns_count_names_in(s, &p, 0), 0);
    /* IPv6 */
    a = A("2001:db8::7");
    assert_int_equal(sk_pdns_count_names(s, &a, 0), 2);
    p = P("2001:db8::/32");
    assert_int_equal(sk_pdns_count_names_in(s, &p, 0), 2);
    /* the IPv4 /0 holds no IPv6 address */
    p = P("0.0.0.0/0");
    assert_int_equal(sk_pdns_count_names_in(s, &p, 0), 3);

    /* addresses for a name; subdomains */
    memset(&c, 0, sizeof c);
    assert_int_equal(sk_pdns_addrs_for_name(s, "www.shop.example", 0, 0, 0, collect_fn, &c), 2);
    assert_string_equal(sk_addr_fmt(&c.e[0].addr, buf, sizeof buf), "198.51.100.7");
    memset(&c, 0, sizeof c);
    assert_int_equal(sk_pdns_addrs_for_name(s, "example.com", 0, 0, 0, collect_fn, &c), 0);
    assert_int_equal(sk_pdns_addrs_for_name(s, "example.com", 1, 0, 0, collect_fn, &c), 1);
    /* "ample.com" is not a parent of a.example.com */
    assert_int_equal(sk_pdns_addrs_for_name(s, "ample.com", 1, 0, 0, NULL, NULL), 0);
    assert_int_equal(sk_pdns_addrs_for_name(s, "example", 1, 0, 10, NULL, NULL), 4);
    assert_int_equal(sk_pdns_addrs_for_name(s, "example", 1, 0, 1, NULL, NULL), 1);

    /* block 198.51.100.7: 3 flows from 2 hosts (the TLS/HTTP rows are not flows) */
    struct sk_telemetry_impact im;
    p = P("198.51.100.7/32");
    assert_int_equal(sk_telemetry_prefix_impact(s, &p, 0, 0, 0, &im), 0);
    assert_int_equal(im.flows, 3);
    assert_int_equal(im.hosts, 2);
    assert_int_equal(im.packets, 10 + 4 + 2 + 3);
    assert_int_equal(im.bytes, 5000 + 400 + 100 + 3 * 40);
    assert_int_equal(im.first, 1000);
    assert_int_equal(im.last, 1205);
    assert_int_equal(sk_telemetry_prefix_impact(s, &p, 6, 443, 0, &im), 0);
    assert_int_equal(im.flows, 2);
    assert_int_equal(sk_telemetry_prefix_impact(s, &p, 17, 0, 0, &im), 0);
    assert_int_equal(im.flows, 0);
    assert_int_equal(im.first, 0);
    /* the /24 also holds .9, which was the source side of a flow (port 53) */
    p = P("198.51.100.0/24");
    assert_int_equal(sk_telemetry_prefix_impact(s, &p, 0, 0, 0, &im), 0);
    assert_int_equal(im.flows, 4);
    assert_int_equal(im.hosts, 3);
    assert_int_equal(sk_telemetry_prefix_impact(s, &p, 0, 53, 0, &im), 0);
    assert_int_equal(im.flows, 1);
    assert_int_equal(sk_telemetry_prefix_impact(s, &p, 0, 0, 1300, &im), 0);
    assert_int_equal(im.flows, 1);

    /* sinkhole example.com and below: DNS, TLS SNI, HTTP Host */
    assert_int_equal(sk_telemetry_name_impact(s, "example.com", 1, 0, &im), 0);
    assert_int_equal(im.dns_responses, 6);
    assert_int_equal(im.dns_queries, 1);
    assert_int_equal(im.tls, 1);
    assert_int_equal(im.http, 1);
    assert_int_equal(im.hosts, 4); /* .1 .3 .4 .6 */
    assert_int_equal(im.first, 900);
    assert_int_equal(im.last, 2500);
    assert_int_equal(sk_telemetry_name_impact(s, "a.example.com", 0, 0, &im), 0);
    assert_int_equal(im.dns_responses, 5);
    assert_int_equal(im.tls, 0);
    assert_int_equal(im.http, 1);

    /* walk flows */
    p = P("10.0.0.2/32");
    assert_int_equal(sk_telemetry_flows(s, &p, 0, 0, NULL, NULL), 2);
    assert_int_equal(sk_telemetry_flows(s, NULL, 0, 0, NULL, NULL), 5);
    assert_int_equal(sk_telemetry_flows(s, NULL, 0, 2, NULL, NULL), 2);
}

static int first_flow(void *ctx, const struct sk_event *ev)
{
    *(struct sk_event *)ctx = *ev;
    return -SK_ESTOP;
}

static void test_write_and_query(void **state)
{
    struct sk_store *s;
    struct sk_errinfo ei = {""};

    assert_int_equal(sk_store_open(&s, dbpath, &ei), 0);
    assert_int_equal(sk_store_begin(s), 0);
    fill(s, 0);
    assert_int_equal(sk_store_commit(s), 0);
    check_queries(s);

    /* a flow comes back as it went in */
    struct sk_event ev;
    char b1[SK_ADDR_STRLEN];
    assert_int_equal(sk_telemetry_flows(s, NULL, 0, 0, first_flow, &ev), -SK_ESTOP);
    assert_int_equal(ev.kind, SK_EVENT_FLOW);
    assert_string_equal(sk_addr_fmt(&ev.src, b1, sizeof b1), "10.0.0.1");
    assert_int_equal(ev.src.family, SK_AF_INET);
    assert_int_equal(ev.sport, 40001);
    assert_int_equal(ev.dport, 443);
    assert_int_equal(ev.u.flow.pkts_out, 10);
    assert_int_equal(ev.u.flow.bytes_in, 40);
    assert_int_equal(ev.u.flow.tcp_flags_out, 0x1b);
    assert_int_equal(ev.u.flow.tcp_flags_in, 0x12);
    assert_int_equal(ev.u.flow.end_reason, SK_FLOW_END_FIN);

    /* a second run merges passive DNS pairs instead of duplicating them */
    assert_int_equal(sk_store_begin(s), 0);
    fill(s, 0);
    assert_int_equal(sk_store_commit(s), 0);
    struct sk_addr a = A("198.51.100.7");
    assert_int_equal(sk_pdns_count_names(s, &a, 0), 3);
    struct collect c = {0};
    struct sk_prefix p = P("198.51.100.7/32");
    sk_pdns_names_in(s, &p, 0, 0, collect_fn, &c);
    assert_string_equal(c.names[2], "a.example.com");
    assert_int_equal(c.e[2].count, 10);
    sk_store_close(s);
}

/* A pending table of 2 pairs is merged many times during the run; the
 * result is the same as with a large one. */
static void test_small_pending_table(void **state)
{
    struct sk_store *s;
    struct sk_errinfo ei = {""};

    assert_int_equal(sk_store_open(&s, dbpath, &ei), 0);
    assert_int_equal(sk_store_begin(s), 0);
    fill(s, 2);
    assert_int_equal(sk_store_commit(s), 0);
    check_queries(s);
    sk_store_close(s);
}

static void test_rollback_lands_nothing(void **state)
{
    struct sk_store *s;
    struct sk_errinfo ei = {""};
    struct sk_addr a = A("198.51.100.7");

    assert_int_equal(sk_store_open(&s, dbpath, &ei), 0);
    assert_int_equal(sk_store_begin(s), 0);
    fill(s, 0);
    assert_int_equal(sk_store_rollback(s), 0);
    assert_int_equal(sk_pdns_count_names(s, &a, 0), 0);
    assert_int_equal(sk_telemetry_flows(s, NULL, 0, 0, NULL, NULL), 0);
    sk_store_close(s);
}

static void test_purge(void **state)
{
    struct sk_store *s;
    struct sk_errinfo ei = {""};
    struct sk_addr a = A("198.51.100.7");

    assert_int_equal(sk_store_open(&s, dbpath, &ei), 0);
    assert_int_equal(sk_store_begin(s), 0);
    fill(s, 0);
    assert_int_equal(sk_store_commit(s), 0);
    assert_int_equal(sk_telemetry_purge(s, "flows", 1150), 2);
    assert_int_equal(sk_telemetry_flows(s, NULL, 0, 0, NULL, NULL), 3);
    assert_int_equal(sk_telemetry_purge(s, "pdns", 1500), 1); /* a.example.com */
    assert_int_equal(sk_pdns_count_names(s, &a, 0), 2);
    assert_int_equal(sk_telemetry_purge(s, "dns", 1000000), 8);
    assert_int_equal(sk_telemetry_purge(s, "tls", 1000000), 1);
    assert_int_equal(sk_telemetry_purge(s, "http", 1000000), 1);
    assert_int_equal(sk_telemetry_purge(s, "findings", 1000000), -SK_EINVAL);
    assert_int_equal(sk_telemetry_purge(s, "flows; DROP TABLE runs", 1), -SK_EINVAL);
    sk_store_close(s);
}

static void test_name_reverse(void **state)
{
    char b[32];
    assert_string_equal(sk_name_reverse("www.example.com", b, sizeof b), "com.example.www");
    assert_string_equal(sk_name_reverse("com", b, sizeof b), "com");
    assert_string_equal(sk_name_reverse("", b, sizeof b), "");
    assert_string_equal(sk_name_reverse("a.b", b, 3), "b.");
    assert_string_equal(sk_name_reverse("abcdef.b", b, 4), "b.a");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_and_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_pending_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_lands_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
        cmocka_unit_test(test_name_reverse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
