/*
 * test_detect.c — the behavioural analyzers: robust statistics, the beacon
 * score on series of known shape, streaming flushes, the score modifiers,
 * the DGA model (file format errors, scores of clear cases), and the
 * NXDOMAIN, DNS tunnel and long-connection analyzers fed by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-int.h"
#include "sakimori/addr.h"
#include "sakimori/analyzer.h"
#include "sakimori/conf.h"
#include "sakimori/dga.h"
#include "sakimori/finding.h"
#include "sakimori/intel.h"

static double unit(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) * 0x1.0p-53;
}

static void test_stats(void **state)
{
    double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, scratch[9];
    struct sk__dist d;
    assert_true(fabs(sk__quantile(v, 9, 0.5) - 5) < 1e-12);
    assert_true(fabs(sk__quantile(v, 9, 0.25) - 3) < 1e-12);
    assert_true(fabs(sk__quantile(v, 4, 0.5) - 2.5) < 1e-12);
    sk__describe(v, 9, scratch, 0, &d);
    assert_true(fabs(d.skew) < 1e-12); /* symmetric */
    assert_true(fabs(d.mad - 2) < 1e-12);
    assert_true(fabs(d.mad_score - 0.6) < 1e-12);
    /* right-skewed: long tail */
    double w[] = {1, 1.1, 1.2, 1.3, 2, 5, 9, 20, 40};
    sk__describe(w, 9, scratch, 0, &d);
    assert_true(d.skew > 0.3);
    /* constant: perfectly regular, skew undefined → 0 */
    double c[] = {60, 60, 60, 60};
    sk__describe(c, 4, scratch, 0, &d);
    assert_true(d.score == 1.0);
    double s[] = {3, 1, 2};
    sk__sort_doubles(s, 3);
    assert_true(s[0] == 1 && s[2] == 3);
    uint32_t flat[] = {5, 5, 5, 5};
    assert_true(sk__cv(flat, 4) == 0);
    assert_true(fabs(sk__entropy("abab", 4) - 1.0) < 1e-12);
    assert_true(sk__entropy("aaaa", 4) == 0);
}

/* A series of n connections, interval period × (1 ± jitter) or exponential,
 * binned as the analyzer would, scored. */
static double series_score(int n, double period, double jitter, int exponential, uint64_t seed)
{
    double iv[64], sz[64], scratch[64];
    uint16_t hist[48] = {0};
    double t = 0, times[65];
    struct sk__beacon_result r;
    int k = n > 64 ? 64 : n;

    for (int i = 0; i < n && i < 65; i++) {
        times[i] = t;
        t += exponential ? -log(1 - unit(&seed)) * period : period * (1 + jitter * (2 * unit(&seed) - 1));
    }
    for (int i = 0; i + 1 < k; i++)
        iv[i] = times[i + 1] - times[i];
    for (int i = 0; i < k; i++)
        sz[i] = exponential ? 500 + 20000 * unit(&seed) : 300 * (1 + 0.1 * (2 * unit(&seed) - 1));
    sk__sort_doubles(iv, (size_t)k - 1);
    sk__sort_doubles(sz, (size_t)k);
    double span = times[k - 1];
    uint64_t bin = 1;
    while ((double)(bin * 48) < span + 1)
        bin *= 2;
    for (int i = 0; i < k; i++)
        hist[(size_t)(times[i] / (double)bin)]++;
    struct sk__beacon_obs o = {
        .intervals = iv, .n_intervals = (size_t)k - 1, .sizes = sz, .n_sizes = (size_t)k,
        .scratch = scratch, .hist = hist, .nbins = 48, .bin_ns = bin * SK_NS_PER_SEC,
        .first = SK_NS_PER_SEC, .last = SK_NS_PER_SEC + (sk_nstime)(span * 1e9),
        .t0 = SK_NS_PER_SEC, .now = SK_NS_PER_SEC + (sk_nstime)(span * 1e9),
    };
    sk__beacon_score(&o, &r);
    assert_true(r.score >= 0 && r.score <= 1);
    return r.score;
}

static void test_beacon_score_shapes(void **state)
{
    /* strict, jittered and human-like series, averaged over seeds */
    double strict = 0, j50 = 0, human = 0;
    for (uint64_t s = 1; s <= 20; s++) {
        strict += series_score(60, 60, 0, 0, s) / 20;
        j50 += series_score(60, 60, 0.5, 0, s) / 20;
        human += series_score(40, 90, 0, 1, s) / 20;
    }
    print_message("strict %.3f, jitter 50%% %.3f, exponential %.3f\n", strict, j50, human);
    assert_true(strict > 0.93);
    assert_true(j50 > 0.8);
    assert_true(human < 0.7);
    assert_true(strict > j50 && j50 > human);
}

static struct sk_conf *conf_with(const char *yaml)
{
    struct sk_conf *c;
    struct sk_errinfo ei = {""};
    if (sk_conf_load_string(yaml, strlen(yaml), "test.yaml", &c, &ei) < 0)
        fail_msg("conf: %s", ei.msg);
    return c;
}

static void flow(struct sk_event *ev, const char *src, const char *dst, uint16_t dport,
                 sk_nstime ts, uint64_t bytes)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = SK_EVENT_FLOW;
    ev->proto = 6;
    assert_int_equal(sk_addr_parse(src, &ev->src), 0);
    assert_int_equal(sk_addr_parse(dst, &ev->dst), 0);
    ev->sport = 40000;
    ev->dport = dport;
    ev->ts = ts;
    ev->ts_end = ts + 200 * SK_NS_PER_MS;
    ev->u.flow.bytes_out = bytes;
    ev->u.flow.pkts_out = 5;
}

struct got {
    int n, n_dga, n_nx;
    double score[16];
    char analyzer[16][16];
    char evidence[2048];
};

static int collect(void *ctx, const struct sk_finding *f)
{
    struct got *g = ctx;
    g->n_dga += !strcmp(f->analyzer, "dga");
    g->n_nx += !strcmp(f->analyzer, "nxdomain");
    if (g->n < 16) {
        g->score[g->n] = f->score;
        snprintf(g->analyzer[g->n], 16, "%s", f->analyzer);
        snprintf(g->evidence, sizeof g->evidence, "%s", f->evidence_json ? f->evidence_json : "");
    }
    g->n++;
    return 0;
}

static void test_beacon_streaming(void **state)
{
    struct sk_conf *c = conf_with("detect:\n  beacon:\n    threshold: 0.5\n");
    const struct sk_analyzer_ops *ops = sk_analyzer_find("beacon");
    struct sk_analyzer_env env = {.conf = c};
    struct sk_event ev;
    struct got g = {0};
    void *st;
    sk_nstime t0 = 1767225600ULL * SK_NS_PER_SEC;

    assert_non_null(ops);
    assert_int_equal(ops->create(&st, &env), 0);
    /* three connections: not scored yet */
    for (int i = 0; i < 3; i++) {
        flow(&ev, "10.0.0.5", "203.0.113.9", 443, t0 + (sk_nstime)i * 60 * SK_NS_PER_SEC, 300);
        assert_int_equal(ops->feed(st, &ev, collect, &g), 0);
    }
    assert_int_equal(ops->flush(st, t0 + 200 * SK_NS_PER_SEC, 0, collect, &g), 0);
    assert_int_equal(g.n, 0);
    /* inbound, internal → internal and DNS flows are not judged */
    flow(&ev, "203.0.113.9", "10.0.0.5", 22, t0, 300);
    assert_int_equal(ops->feed(st, &ev, collect, &g), 0);
    flow(&ev, "10.0.0.5", "10.0.0.6", 445, t0, 300);
    assert_int_equal(ops->feed(st, &ev, collect, &g), 0);
    /* more: a current score is there before the end of input */
    for (int i = 3; i < 30; i++) {
        flow(&ev, "10.0.0.5", "203.0.113.9", 443, t0 + (sk_nstime)i * 60 * SK_NS_PER_SEC, 300);
        assert_int_equal(ops->feed(st, &ev, collect, &g), 0);
    }
    assert_int_equal(ops->flush(st, t0 + 1800 * SK_NS_PER_SEC, 0, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_true(g.score[0] > 0.9);
    assert_string_equal(g.analyzer[0], "beacon");
    assert_non_null(strstr(g.evidence, "\"median_s\":60"));
    /* nothing new: a periodic flush reports nothing */
    assert_int_equal(ops->flush(st, t0 + 1900 * SK_NS_PER_SEC, 0, collect, &g), 0);
    assert_int_equal(g.n, 1);
    /* the final flush reports every pair */
    assert_int_equal(ops->flush(st, t0 + 1900 * SK_NS_PER_SEC, 1, collect, &g), 0);
    assert_int_equal(g.n, 2);
    ops->destroy(st);

    /* a strobe: 2 connections a second for 2 minutes */
    memset(&g, 0, sizeof g);
    assert_int_equal(ops->create(&st, &env), 0);
    for (int i = 0; i < 240; i++) {
        flow(&ev, "10.0.0.7", "198.51.100.7", 80, t0 + (sk_nstime)i * 500 * SK_NS_PER_MS, 100);
        assert_int_equal(ops->feed(st, &ev, collect, &g), 0);
    }
    assert_int_equal(ops->flush(st, 0, 1, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.analyzer[0], "strobe");
    ops->destroy(st);
    sk_conf_free(c);
}

static void test_modifiers(void **state)
{
    struct sk__mod_in m = {0};
    assert_true(sk__score_modify(0.8, &m, NULL) == 0.8);
    m.intel_hit = 1;
    assert_true(fabs(sk__score_modify(0.8, &m, NULL) - 0.95) < 1e-9);
    assert_true(sk__score_modify(0.95, &m, NULL) == 1.0); /* clamped */
    m.intel_hit = 0;
    m.internal_hosts = 100;
    m.prevalence_hosts = 2; /* 2 %: no change */
    assert_true(sk__score_modify(0.8, &m, NULL) == 0.8);
    m.prevalence_hosts = 60; /* 60 %: the full penalty */
    assert_true(fabs(sk__score_modify(0.8, &m, NULL) - 0.5) < 1e-9);
    json_t *ev = json_object();
    sk__score_modify(0.8, &m, ev);
    assert_non_null(json_object_get(json_object_get(ev, "modifiers"), "prevalence"));
    json_decref(ev);
    m.prevalence_hosts = 0;
    m.warninglist = "cloudflare";
    assert_true(fabs(sk__score_modify(0.8, &m, NULL) - 0.55) < 1e-9);
}

static void test_strtab_and_cache(void **state)
{
    struct sk__strtab t;
    struct sk__namecache nc;
    struct sk_addr a, b;
    assert_int_equal(sk__strtab_init(&t, 3), 0);
    assert_int_equal(sk__strtab_intern(&t, "a.example", 9), 0);
    assert_int_equal(sk__strtab_intern(&t, "b.example", 9), 1);
    assert_int_equal(sk__strtab_intern(&t, "a.example", 9), 0);
    assert_int_equal(sk__strtab_intern(&t, "c.example", 9), 2);
    assert_int_equal(sk__strtab_intern(&t, "d.example", 9), -SK_ETOOBIG); /* the cap */
    assert_int_equal(sk__strtab_find(&t, "b.example", 9), 1);
    assert_int_equal(sk__strtab_find(&t, "b.exampl", 8), -1);
    assert_string_equal(sk__strtab_str(&t, 2), "c.example");
    sk__strtab_free(&t);
    assert_int_equal(sk__namecache_init(&nc, 1024), 0);
    sk_addr_parse("10.0.0.1", &a);
    sk_addr_parse("192.0.2.1", &b);
    assert_int_equal(sk__namecache_get(&nc, &a, &b), -1);
    sk__namecache_put(&nc, &a, &b, 7);
    assert_int_equal(sk__namecache_get(&nc, &a, &b), 7);
    assert_int_equal(sk__namecache_get(&nc, &b, &a), -1);
    sk__namecache_free(&nc);
}

static void test_dga_model_errors(void **state)
{
    struct sk_dga_model *m = NULL;
    struct sk_errinfo ei = {""};
    const char *bad[][2] = {
        {"hello\n", "x.model:1: expected 'sakimori-dga-model 1'"},
        {"sakimori-dga-model 1\norder 9\n", "x.model:2: expected 'order N'"},
        {"sakimori-dga-model 1\norder 2\nthreshold 2\n", "x.model:3: threshold"},
        {"sakimori-dga-model 1\norder 2\ngram abc 1\n", "x.model:3: gram 'abc'"},
        {"sakimori-dga-model 1\norder 3\ngram a^b 1\n", "x.model:3: gram 'a^b'"},
        {"sakimori-dga-model 1\norder 2\ngram ab -1\n", "x.model:3: gram count"},
        {"sakimori-dga-model 1\norder 2\ngram ab 1\ngram ab 2\n", "x.model:4: gram 'ab' given twice"},
        {"sakimori-dga-model 1\norder 2\nword AB\n", "x.model:3: word 'AB'"},
        {"sakimori-dga-model 1\norder 2\nfeature length 0 1 0\n", "x.model:3: expected feature 'logprob'"},
        {"sakimori-dga-model 1\norder 2\nthreshold 0.5\n", "incomplete model"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ei.msg[0] = '\0';
        assert_true(sk_dga_model_parse(bad[i][0], strlen(bad[i][0]), "x.model", &m, &ei) < 0);
        if (!strstr(ei.msg, bad[i][1]))
            fail_msg("case %zu: '%s' lacks '%s'", i, ei.msg, bad[i][1]);
        assert_null(m);
    }
}

static void test_dga_embedded(void **state)
{
    struct sk_dga_model *m = NULL;
    struct sk_errinfo ei = {""};
    struct sk_dga_result r;
    char label[64];

    if (sk_dga_model_embedded(&m, &ei) < 0)
        fail_msg("embedded model: %s", ei.msg);
    assert_true(sk_dga_label_of("www.google.co.uk", label, sizeof label) == 6);
    assert_string_equal(label, "google");
    assert_int_equal(sk_dga_label_of("co.uk", label, sizeof label), 0);
    assert_int_equal(sk_dga_label_of("localhost", label, sizeof label), 0);
    assert_int_equal(sk_dga_label_of("4.3.2.1.in-addr.arpa", label, sizeof label), 0);
    assert_int_equal(sk_dga_label_of("xn--bcher-kva.example", label, sizeof label), 0);
    assert_int_equal(sk_dga_score(m, "x", &r), -SK_ENOTFOUND);
    double thr = sk_dga_model_threshold(m);
    const char *legit[] = {"www.google.com", "mail.yahoo.co.jp", "en.wikipedia.org", "www.amazon.de",
                           "github.com", "weather.example"};
    const char *dga[] = {"xjwqpzkvhrtmnb.com", "qzkxjvwpfmgtlhrd.net", "vtqxjzpkwmhcf.org"};
    for (size_t i = 0; i < sizeof legit / sizeof *legit; i++) {
        assert_int_equal(sk_dga_score(m, legit[i], &r), 0);
        if (r.score >= thr)
            fail_msg("%s scored %.3f ≥ %.3f", legit[i], r.score, thr);
    }
    for (size_t i = 0; i < sizeof dga / sizeof *dga; i++) {
        assert_int_equal(sk_dga_score(m, dga[i], &r), 0);
        if (r.score < thr)
            fail_msg("%s scored %.3f < %.3f", dga[i], r.score, thr);
    }
    sk_dga_model_free(m);
}

static void dns(struct sk_event *ev, const char *client, const char *qname, uint16_t qtype,
                int response, uint8_t rcode, sk_nstime ts)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = SK_EVENT_DNS;
    ev->proto = 17;
    sk_addr_parse(client, &ev->src);
    sk_addr_parse("10.0.0.53", &ev->dst);
    ev->dport = 53;
    ev->ts = ev->ts_end = ts;
    ev->u.dns.qname = qname;
    ev->u.dns.qtype = qtype;
    ev->u.dns.is_response = (uint8_t)response;
    ev->u.dns.rcode = rcode;
}

static void test_dns_analyzers(void **state)
{
    struct sk_conf *c = conf_with("detect:\n  dnstunnel:\n    min_subdomains: 20\n");
    struct sk_analyzer_env env = {.conf = c};
    const struct sk_analyzer_ops *dga = sk_analyzer_find("dga"), *tun = sk_analyzer_find("dnstunnel");
    struct sk_event ev;
    struct got g = {0};
    void *sd, *st;
    char name[200];
    sk_nstime t0 = 1767225600ULL * SK_NS_PER_SEC;
    uint64_t seed = 5;

    assert_int_equal(dga->create(&sd, &env), 0);
    assert_int_equal(tun->create(&st, &env), 0);
    /* 30 NXDOMAIN answers in 15 s: a burst */
    for (int i = 0; i < 30; i++) {
        char label[32];
        for (int k = 0; k < 14; k++)
            label[k] = (char)('a' + (int)(unit(&seed) * 26));
        label[14] = '\0';
        snprintf(name, sizeof name, "%s.com", label);
        dns(&ev, "10.0.0.9", name, 1, 0, 0, t0 + (sk_nstime)i * 500 * SK_NS_PER_MS);
        assert_int_equal(dga->feed(sd, &ev, collect, &g), 0);
        dns(&ev, "10.0.0.9", name, 1, 1, 3, t0 + (sk_nstime)i * 500 * SK_NS_PER_MS + 5 * SK_NS_PER_MS);
        assert_int_equal(dga->feed(sd, &ev, collect, &g), 0);
    }
    /* ordinary lookups of another host */
    dns(&ev, "10.0.0.10", "www.wikipedia.org", 1, 0, 0, t0);
    assert_int_equal(dga->feed(sd, &ev, collect, &g), 0);
    assert_int_equal(dga->flush(sd, 0, 1, collect, &g), 0);
    int names = g.n_dga;
    assert_int_equal(g.n_nx, 1);
    if (names < 8) /* a good share of random names is flagged (the threshold keeps
                        * top-site false positives at 0.5 %) */
        fail_msg("only %d of 30 random names flagged", names);

    /* a DNS tunnel: 300 long random TXT queries under one domain */
    memset(&g, 0, sizeof g);
    for (int i = 0; i < 300; i++) {
        char data[64];
        for (int k = 0; k < 50; k++)
            data[k] = "abcdefghijklmnopqrstuvwxyz234567"[(int)(unit(&seed) * 32)];
        data[50] = '\0';
        snprintf(name, sizeof name, "%s.%d.t.tunnel.example", data, i);
        dns(&ev, "10.0.0.11", name, 16, 0, 0, t0 + (sk_nstime)i * SK_NS_PER_SEC);
        assert_int_equal(tun->feed(st, &ev, collect, &g), 0);
        /* a host that looks up a handful of names of a domain is no tunnel */
        snprintf(name, sizeof name, "host%d.corp.example", i % 5);
        dns(&ev, "10.0.0.12", name, 1, 0, 0, t0 + (sk_nstime)i * SK_NS_PER_SEC);
        assert_int_equal(tun->feed(st, &ev, collect, &g), 0);
    }
    assert_int_equal(tun->flush(st, 0, 1, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.analyzer[0], "dnstunnel");
    assert_true(g.score[0] > 0.8);
    assert_non_null(strstr(g.evidence, "\"txt_null\":300"));
    dga->destroy(sd);
    tun->destroy(st);
    sk_conf_free(c);
}

static void test_longconn(void **state)
{
    struct sk_conf *c = conf_with("detect:\n  longconn:\n    min_duration: 1h\n");
    struct sk_analyzer_env env = {.conf = c};
    const struct sk_analyzer_ops *ops = sk_analyzer_find("longconn");
    struct sk_event ev;
    struct got g = {0};
    void *st;
    sk_nstime t0 = 1767225600ULL * SK_NS_PER_SEC, half = 1800 * SK_NS_PER_SEC;

    assert_int_equal(ops->create(&st, &env), 0);
    /* one connection split by the active timeout into 3 flows of 30 min */
    for (int i = 0; i < 3; i++) {
        flow(&ev, "10.0.0.20", "203.0.113.50", 443, t0 + (sk_nstime)i * half, 1000);
        ev.ts_end = ev.ts + half;
        assert_int_equal(ops->feed(st, &ev, collect, &g), 0);
    }
    /* a 50-minute one elsewhere: under the threshold */
    flow(&ev, "10.0.0.21", "203.0.113.51", 443, t0, 1000);
    ev.ts_end = ev.ts + 3000 * SK_NS_PER_SEC;
    assert_int_equal(ops->feed(st, &ev, collect, &g), 0);
    assert_int_equal(ops->flush(st, 0, 1, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.analyzer[0], "longconn");
    assert_non_null(strstr(g.evidence, "\"total_s\":5400"));
    ops->destroy(st);
    sk_conf_free(c);
}

static void test_tlsfp(void **state)
{
    struct sk_conf *c = conf_with("detect: {}\n");
    struct sk_intel_builder *b;
    struct sk_intel *in;
    static const char *const labels[] = {"TrickBot", NULL};
    struct sk_ioc_record rec = {.type = SK_IOC_JA3, .value = "8F52D1CE303FB4A6515836AEC3CC16B1",
                                .src = {.name = "sslbl-ja3", .labels = labels, .confidence = 90}};
    assert_int_equal(sk_intel_builder_new(&b), 0);
    assert_int_equal(sk_intel_builder_add_record(b, &rec), 0);
    assert_int_equal(sk_intel_build(b, &in), 0);
    struct sk_analyzer_env env = {.conf = c, .intel = in};
    const struct sk_analyzer_ops *ops = sk_analyzer_find("tlsfp");
    struct sk_event ev;
    struct got g = {0};
    void *st;
    assert_non_null(ops);
    assert_int_equal(ops->create(&st, &env), 0);
    for (int i = 0; i < 3; i++) {
        memset(&ev, 0, sizeof ev);
        ev.kind = SK_EVENT_TLS;
        ev.proto = 6;
        sk_addr_parse("10.0.0.30", &ev.src);
        sk_addr_parse("203.0.113.80", &ev.dst);
        ev.dport = 443;
        ev.ts = ev.ts_end = (1767225600ULL + (uint64_t)i) * SK_NS_PER_SEC;
        ev.u.tls.sni = "update.example";
        ev.u.tls.ja3 = i == 2 ? "0123456789abcdef0123456789abcdef" : "8f52d1ce303fb4a6515836aec3cc16b1";
        assert_int_equal(ops->feed(st, &ev, collect, &g), 0);
    }
    assert_int_equal(ops->flush(st, 0, 1, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.analyzer[0], "tlsfp");
    assert_true(fabs(g.score[0] - 0.9) < 1e-9);
    assert_non_null(strstr(g.evidence, "\"family\":[\"TrickBot\"]"));
    assert_non_null(strstr(g.evidence, "\"handshakes\":2"));
    ops->destroy(st);
    sk_intel_free(in);
    sk_conf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats),          cmocka_unit_test(test_beacon_score_shapes),
        cmocka_unit_test(test_beacon_streaming), cmocka_unit_test(test_modifiers),
        cmocka_unit_test(test_strtab_and_cache), cmocka_unit_test(test_dga_model_errors),
        cmocka_unit_test(test_dga_embedded),   cmocka_unit_test(test_dns_analyzers),
        cmocka_unit_test(test_longconn),       cmocka_unit_test(test_tlsfp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
