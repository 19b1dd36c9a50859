/*
 * test_privacy.c — the privacy filter: Crypto-PAn against the reference
 * vectors, prefix preservation on random addresses, key sensitivity, the
 * domestic-only drop, name stripping, and the configuration around it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/conf.h"
#include "sakimori/error.h"
#include "sakimori/privacy.h"

/* The key of the Crypto-PAn reference distribution's sample. */
static const uint8_t ref_key[32] = {21,  34,  23,  141, 51,  164, 207, 128, 19,  10, 91,
                                    22,  73,  144, 125, 16,  216, 152, 143, 131, 121, 121,
                                    101, 39,  98,  87,  76,  45,  42,  132, 34,  2};
#define REF_KEY_HEX "1522178d33a4cf80130a5b1649907d10d8988f837979652762574c2d2a842202"

static struct sk_addr A(const char *s)
{
    struct sk_addr a;
    assert_int_equal(sk_addr_parse(s, &a), 0);
    return a;
}

static void assert_maps(const struct sk_cryptopan *cp, const char *in, const char *want)
{
    struct sk_addr a = A(in), w = A(want), got;
    char s[SK_ADDR_STRLEN];
    sk_cryptopan_map(cp, &a, 0, &got);
    if (!sk_addr_eq(&got, &w))
        fail_msg("%s -> %s, expected %s", in, sk_addr_fmt(&got, s, sizeof s), want);
}

static void test_reference_vectors(void **state)
{
    struct sk_cryptopan *cp;
    assert_int_equal(sk_cryptopan_new(&cp, ref_key), 0);
    /* sample_trace_raw.dat → sample_trace_sanitized.dat */
    assert_maps(cp, "128.11.68.132", "135.242.180.132");
    assert_maps(cp, "129.118.74.4", "134.136.186.123");
    assert_maps(cp, "130.132.252.244", "133.68.164.234");
    assert_maps(cp, "141.223.7.43", "141.167.8.160");
    assert_maps(cp, "141.233.145.108", "141.129.237.235");
    assert_maps(cp, "152.163.225.39", "151.140.114.167");
    assert_maps(cp, "192.102.249.13", "252.138.62.131");
    assert_maps(cp, "24.0.250.221", "100.15.198.226");
    assert_maps(cp, "64.14.118.196", "0.255.183.58");
    assert_maps(cp, "10.185.25.118", "117.161.29.118");
    /* the same construction over 128 bits */
    assert_maps(cp, "::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed");
    assert_maps(cp, "2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e");
    assert_maps(cp, "2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c");
    sk_cryptopan_free(cp);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void random_addr(struct sk_addr *a, int v6)
{
    memset(a, 0, sizeof *a);
    if (v6) {
        uint64_t x = rnd(), y = rnd();
        memcpy(a->b, &x, 8);
        memcpy(a->b + 8, &y, 8);
        a->family = SK_AF_INET6;
    } else {
        sk_addr_from_v4(a, (uint32_t)rnd());
    }
}

/* Common prefix length in bits, in the family's own numbering. */
static unsigned common_prefix(const struct sk_addr *x, const struct sk_addr *y)
{
    unsigned off = x->family == SK_AF_INET ? 96 : 0, n = 0;
    for (unsigned bit = off; bit < 128; bit++, n++) {
        unsigned bx = x->b[bit / 8] >> (7 - bit % 8) & 1, by = y->b[bit / 8] >> (7 - bit % 8) & 1;
        if (bx != by)
            break;
    }
    return n;
}

static void test_prefix_preservation(void **state)
{
    struct sk_cryptopan *cp;
    uint8_t key[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)rnd();
    assert_int_equal(sk_cryptopan_new(&cp, key), 0);
    for (int v6 = 0; v6 <= 1; v6++) {
        unsigned bits = v6 ? 128 : 32;
        for (int i = 0; i < 3000; i++) {
            struct sk_addr a, b, ma, mb;
            random_addr(&a, v6);
            b = a;
            /* b shares a random-length prefix with a, then differs */
            unsigned k = (unsigned)(rnd() % bits);
            unsigned off = v6 ? 0 : 96;
            struct sk_addr r;
            random_addr(&r, v6);
            for (unsigned bit = off + k; bit < 128; bit++) {
                uint8_t m = (uint8_t)(1u << (7 - bit % 8));
                b.b[bit / 8] = (uint8_t)((b.b[bit / 8] & ~m) | (r.b[bit / 8] & m));
            }
            {   /* bit k is the complement of a's */
                unsigned bit = off + k;
                uint8_t m = (uint8_t)(1u << (7 - bit % 8));
                b.b[bit / 8] = (uint8_t)((b.b[bit / 8] & ~m) | (~a.b[bit / 8] & m));
            }
            unsigned keep = (unsigned)(rnd() % (bits + 1));
            sk_cryptopan_map(cp, &a, keep, &ma);
            sk_cryptopan_map(cp, &b, keep, &mb);
            assert_int_equal(common_prefix(&a, &b), k);
            assert_int_equal(common_prefix(&ma, &mb), k);
            /* the kept bits are the original's */
            assert_true(common_prefix(&a, &ma) >= keep);
            /* a one-to-one map: distinct inputs stay distinct */
            assert_false(sk_addr_eq(&ma, &mb));
            assert_int_equal(ma.family, a.family);
        }
    }
    sk_cryptopan_free(cp);
}

static void test_key_sensitivity(void **state)
{
    for (int half = 0; half < 2; half++) {
        struct sk_cryptopan *c1, *c2;
        uint8_t k2[32];
        memcpy(k2, ref_key, 32);
        k2[half ? 31 : 0] ^= 1; /* one bit of the AES key, or of the pad */
        assert_int_equal(sk_cryptopan_new(&c1, ref_key), 0);
        assert_int_equal(sk_cryptopan_new(&c2, k2), 0);
        int differ = 0;
        double flipped = 0, total = 0;
        for (int i = 0; i < 1000; i++) {
            struct sk_addr a, m1, m2;
            random_addr(&a, i & 1);
            sk_cryptopan_map(c1, &a, 0, &m1);
            sk_cryptopan_map(c2, &a, 0, &m2);
            differ += !sk_addr_eq(&m1, &m2);
            for (unsigned bit = a.family == SK_AF_INET ? 96 : 0; bit < 128; bit++, total++)
                flipped += (m1.b[bit / 8] ^ m2.b[bit / 8]) >> (7 - bit % 8) & 1;
        }
        /* every pseudonym changes, in about half of its bits */
        assert_true(differ >= 999);
        assert_true(flipped / total > 0.45 && flipped / total < 0.55);
        sk_cryptopan_free(c1);
        sk_cryptopan_free(c2);
    }
}

/* --- the filter -------------------------------------------------------------- */

static struct sk_conf *load(const char *yaml, int expect_ok)
{
    struct sk_conf *c = NULL;
    struct sk_errinfo ei = {""};
    int rc = sk_conf_load_string(yaml, strlen(yaml), "test.yaml", &c, &ei);
    if (expect_ok && rc < 0)
        fail_msg("conf: %s", ei.msg);
    return c;
}

static const char *conf_yaml =
    "privacy:\n"
    "  profile: metadata\n"
    "  key: " REF_KEY_HEX "\n"
    "  domestic: [10.0.0.0/8, 10.1.0.0/16, 192.0.2.0/24, 2001:db8::/32]\n"
    "sources:\n"
    "  - input: /var/log/own/*.log\n"
    "    privacy: operator\n"
    "  - name: eve\n"
    "    input: eve*.json\n"
    "    format: eve\n"
    "    follow: true\n";

static void test_domestic_drop_and_pseudonyms(void **state)
{
    struct sk_conf *conf = load(conf_yaml, 1);
    struct sk_privacy_filter *pf;
    struct sk_errinfo ei = {""};
    struct sk_event ev, tmp;
    const struct sk_event *out;
    unsigned plen = 0;

    assert_int_equal(sk_privacy_new(&pf, conf, &ei), 0);
    /* nested domestic prefixes: the outermost counts */
    struct sk_addr in16 = A("10.1.2.3"), out1 = A("11.0.0.1"), v6 = A("2001:db8:1::5");
    assert_true(sk_privacy_domestic(pf, &in16, &plen));
    assert_int_equal(plen, 8);
    assert_false(sk_privacy_domestic(pf, &out1, &plen));
    assert_true(sk_privacy_domestic(pf, &v6, &plen));
    assert_int_equal(plen, 32);

    memset(&ev, 0, sizeof ev);
    ev.kind = SK_EVENT_FLOW;
    ev.proto = 6;
    ev.src = A("10.1.2.3");
    ev.dst = A("192.0.2.77");
    ev.u.flow.pkts_out = 5;
    ev.u.flow.bytes_out = 500;
    ev.u.flow.tcp_flags_out = 0x1b;
    /* both ends domestic: dropped under metadata, kept under operator */
    assert_null(sk_privacy_apply(pf, SK_PRIVACY_METADATA, &ev, &tmp));
    assert_ptr_equal(sk_privacy_apply(pf, SK_PRIVACY_OPERATOR, &ev, &tmp), &ev);
    /* the event's own profile is stricter: it wins */
    ev.privacy = SK_PRIVACY_METADATA;
    assert_null(sk_privacy_apply(pf, SK_PRIVACY_OPERATOR, &ev, &tmp));
    ev.privacy = SK_PRIVACY_OPERATOR;

    /* one end domestic: pseudonymized inside its prefix, the other untouched */
    ev.dst = A("198.51.100.9");
    out = sk_privacy_apply(pf, SK_PRIVACY_METADATA, &ev, &tmp);
    assert_ptr_equal(out, &tmp);
    assert_false(sk_addr_eq(&out->src, &ev.src));
    assert_true(sk_privacy_domestic(pf, &out->src, &plen));
    assert_int_equal(out->src.b[12], 10);
    assert_true(sk_addr_eq(&out->dst, &ev.dst));
    assert_int_equal(out->u.flow.pkts_out, 5);
    assert_int_equal(out->u.flow.bytes_out, 500);
    assert_int_equal(out->u.flow.tcp_flags_out, 0x1b);
    assert_int_equal(out->privacy, SK_PRIVACY_METADATA);
    /* stable: the same address gets the same pseudonym (cache or not) */
    struct sk_addr first = out->src;
    out = sk_privacy_apply(pf, SK_PRIVACY_METADATA, &ev, &tmp);
    assert_true(sk_addr_eq(&out->src, &first));
    /* and it is Crypto-PAn with the configured key, keeping the /8 */
    struct sk_cryptopan *cp;
    struct sk_addr want;
    assert_int_equal(sk_cryptopan_new(&cp, ref_key), 0);
    sk_cryptopan_map(cp, &ev.src, 8, &want);
    assert_true(sk_addr_eq(&first, &want));
    sk_cryptopan_free(cp);

    struct sk_privacy_stats st;
    sk_privacy_stats(pf, &st);
    assert_int_equal(st.dropped_domestic, 2);
    assert_int_equal(st.pseudonymized, 2);
    sk_privacy_free(pf);
    sk_conf_free(conf);
}

static void test_name_stripping(void **state)
{
    struct sk_conf *conf = load(conf_yaml, 1);
    struct sk_privacy_filter *pf;
    struct sk_errinfo ei = {""};
    struct sk_event ev, tmp;
    const struct sk_event *out;
    struct sk_dns_rr rr = {.name = "c2.example", .type = 1, .ttl = 60};

    assert_int_equal(sk_privacy_new(&pf, conf, &ei), 0);
    memset(&ev, 0, sizeof ev);
    ev.src = A("198.51.100.1");
    ev.dst = A("203.0.113.53");
    ev.sport = 5353;
    ev.dport = 53;
    ev.proto = 17;
    ev.kind = SK_EVENT_DNS;
    ev.u.dns.qname = "c2.example";
    ev.u.dns.qtype = 1;
    ev.u.dns.n_answers = 1;
    ev.u.dns.answers = &rr;
    out = sk_privacy_apply(pf, SK_PRIVACY_METADATA, &ev, &tmp);
    assert_non_null(out);
    assert_null(out->u.dns.qname);
    assert_null(out->u.dns.answers);
    assert_int_equal(out->u.dns.n_answers, 0);
    assert_int_equal(out->dport, 53); /* ports and addresses stay */
    assert_true(sk_addr_eq(&out->dst, &ev.dst));
    /* operator keeps the name */
    assert_string_equal(sk_privacy_apply(pf, SK_PRIVACY_OPERATOR, &ev, &tmp)->u.dns.qname,
                        "c2.example");

    memset(&ev.u, 0, sizeof ev.u);
    ev.kind = SK_EVENT_TLS;
    ev.u.tls.sni = "c2.example";
    ev.u.tls.ja3 = "e7d705a3286e19ea42f587b344ee6865";
    ev.u.tls.ja4 = "t13d1516h2_8daaf6152771_02713d6af862";
    ev.u.tls.cert_sha256 = "00";
    out = sk_privacy_apply(pf, SK_PRIVACY_METADATA, &ev, &tmp);
    assert_null(out->u.tls.sni);
    assert_null(out->u.tls.ja3);
    assert_null(out->u.tls.ja4);
    assert_null(out->u.tls.cert_sha256);

    memset(&ev.u, 0, sizeof ev.u);
    ev.kind = SK_EVENT_HTTP;
    ev.u.http.host = "c2.example";
    ev.u.http.uri = "/gate.php";
    ev.u.http.user_agent = "x";
    ev.u.http.method = "POST";
    out = sk_privacy_apply(pf, SK_PRIVACY_METADATA, &ev, &tmp);
    assert_null(out->u.http.host);
    assert_null(out->u.http.uri);
    assert_null(out->u.http.user_agent);
    assert_null(out->u.http.method);

    memset(&ev.u, 0, sizeof ev.u);
    ev.kind = SK_EVENT_ALERT;
    ev.u.alert.signature = "ET MALWARE query to c2.example";
    out = sk_privacy_apply(pf, SK_PRIVACY_METADATA, &ev, &tmp);
    assert_null(out->u.alert.signature);
    sk_privacy_free(pf);
    sk_conf_free(conf);
}

static void test_configuration(void **state)
{
    struct sk_conf *conf = load(conf_yaml, 1);
    struct sk_privacy_filter *pf = NULL;
    struct sk_errinfo ei = {""};

    /* per-source profiles; the default elsewhere */
    assert_int_equal(conf->sources.n, 2);
    assert_int_equal(sk_privacy_profile_for(conf, "/var/log/own/conn.log"), SK_PRIVACY_OPERATOR);
    assert_int_equal(sk_privacy_profile_for(conf, "/data/eve-1.json"), SK_PRIVACY_METADATA);
    assert_int_equal(sk_privacy_profile_for(conf, "/other/conn.log"), SK_PRIVACY_METADATA);
    const struct sk_conf_source *s = sk_conf_source_for(conf, "/data/eve-1.json");
    assert_non_null(s);
    assert_string_equal(s->format, "eve");
    assert_true(s->follow);
    assert_int_equal(s->privacy, -1);
    sk_conf_free(conf);

    /* metadata with domestic prefixes needs a key */
    conf = load("privacy:\n  profile: metadata\n  domestic: [10.0.0.0/8]\n", 1);
    assert_int_equal(sk_privacy_new(&pf, conf, &ei), -SK_ECONF);
    assert_non_null(strstr(ei.msg, "privacy.key"));
    sk_conf_free(conf);
    /* ... also when only one source asks for metadata */
    conf = load("privacy:\n  domestic: [10.0.0.0/8]\n"
                "sources:\n  - input: x\n    privacy: metadata\n", 1);
    assert_int_equal(sk_privacy_new(&pf, conf, &ei), -SK_ECONF);
    sk_conf_free(conf);
    /* a bad key is named */
    conf = load("privacy:\n  key: 1234\n", 1);
    assert_int_equal(sk_privacy_new(&pf, conf, &ei), -SK_ECONF);
    assert_non_null(strstr(ei.msg, "64 hexadecimal"));
    sk_conf_free(conf);
    /* operator everywhere: no key needed */
    conf = load("privacy:\n  domestic: [10.0.0.0/8]\n", 1);
    assert_int_equal(sk_privacy_new(&pf, conf, &ei), 0);
    sk_privacy_free(pf);
    sk_conf_free(conf);
    /* a key file: hex with a newline */
    const char *dir = getenv("SK_TEST_TMP") ? getenv("SK_TEST_TMP") : "/tmp";
    char path[512], yaml[700];
    snprintf(path, sizeof path, "%s/privacy-key-%d", dir, (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
        assert_int_equal(system(cmd), 0);
        f = fopen(path, "w");
    }
    assert_non_null(f);
    fprintf(f, "%s\n", REF_KEY_HEX);
    fclose(f);
    snprintf(yaml, sizeof yaml,
             "privacy:\n  profile: metadata\n  key_file: %s\n  domestic: [10.0.0.0/8]\n", path);
    conf = load(yaml, 1);
    assert_int_equal(sk_privacy_new(&pf, conf, &ei), 0);
    sk_privacy_free(pf);
    sk_conf_free(conf);
    unlink(path);

    /* the list of sections reports where a bad entry is */
    assert_null(load("sources:\n  - input: x\n    privacy: secret\n", 0));
    assert_null(load("sources:\n  - inptu: x\n", 0));
    assert_null(load("sources: 3\n", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_vectors),
        cmocka_unit_test(test_prefix_preservation),
        cmocka_unit_test(test_key_sensitivity),
        cmocka_unit_test(test_domestic_drop_and_pseudonyms),
        cmocka_unit_test(test_name_stripping),
        cmocka_unit_test(test_configuration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
