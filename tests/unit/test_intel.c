/*
 * test_intel.c — the indicator model and the snapshot matcher: plain lists
 * (all or nothing), canonical values of every type, one indicator per value
 * with several sources, source merging, TLP, URL normalisation, names bounded
 * by the registered domain (public suffix list), batch and event matching,
 * and names against a brute-force reference that asks libpsl directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/intel.h"

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sk_intel_%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static struct sk_intel *build_from(const char *text)
{
    struct sk_intel_builder *b;
    struct sk_intel *in;
    struct sk_errinfo ei = {""};
    assert_int_equal(sk_intel_builder_new(&b), 0);
    int rc = sk_intel_load_list(b, write_tmp(text), "t", &ei);
    if (rc < 0)
        fail_msg("load: %s", ei.msg);
    assert_int_equal(sk_intel_build(b, &in), 0);
    return in;
}

static size_t match_ip(const struct sk_intel *in, const char *ip)
{
    struct sk_addr a;
    const struct sk_indicator *m[8];
    assert_int_equal(sk_addr_parse(ip, &a), 0);
    return sk_intel_match_addr(in, &a, m, 8);
}

static void test_list_and_match(void **state)
{
    struct sk_intel *in = build_from("# C2 list\n"
                                     "203.0.113.66   # a server\n"
                                     "198.51.100.0/24\n"
                                     "\n"
                                     "  Evil.Example.  \n"
                                     "*.bad.test\n"
                                     "2001:db8:bad::/48\n"
                                     "2001:db8::66\n"
                                     "203.0.113.66\n"
                                     "HTTP://Evil.Example:80/a/../payload.bin#x\r\n");
    const struct sk_indicator *m[8];
    assert_int_equal(sk_intel_count(in), 7); /* the repeated address is one indicator */
    assert_int_equal(match_ip(in, "203.0.113.66"), 1);
    assert_int_equal(match_ip(in, "203.0.113.67"), 0);
    assert_int_equal(match_ip(in, "198.51.100.255"), 1);
    assert_int_equal(match_ip(in, "198.51.101.0"), 0);
    assert_int_equal(match_ip(in, "2001:db8:bad:1::5"), 1);
    assert_int_equal(match_ip(in, "2001:db8::66"), 1);
    assert_int_equal(match_ip(in, "::ffff:203.0.113.66"), 0);
    assert_int_equal(sk_intel_match_name(in, "evil.example", m, 8), 1);
    assert_string_equal(m[0]->value, "evil.example");
    assert_int_equal(m[0]->type, SK_IOC_DOMAIN);
    assert_int_equal(sk_intel_match_name(in, "www.EVIL.example.", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "notevil.example", m, 8), 0);
    assert_int_equal(sk_intel_match_name(in, "example", m, 8), 0);
    assert_int_equal(sk_intel_match_name(in, "a.b.bad.test", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "bad.test", m, 8), 1);
    assert_int_equal(sk_intel_match_url(in, "http://evil.example/payload.bin", m, 8), 1);
    assert_string_equal(m[0]->value, "http://evil.example/payload.bin");
    assert_int_equal(sk_intel_match_url(in, "http://evil.example/%70ayload.bin?", m, 8), 0);
    assert_int_equal(sk_intel_match_url(in, "http://EVIL.example/%70ayload.bin", m, 8), 1);
    const struct sk_indicator *ind = sk_intel_find(in, SK_IOC_IPV4, "203.0.113.66");
    assert_non_null(ind);
    assert_int_equal(ind->nsources, 1);
    assert_string_equal(sk_intel_source(in, ind, 0)->name, "t");
    assert_int_equal(ind->confidence, 50);
    sk_intel_free(in);
}

static void test_nested_prefixes_and_sources(void **state)
{
    struct sk_intel_builder *b;
    struct sk_intel *in;
    const struct sk_indicator *m[8];
    struct sk_addr a;

    assert_int_equal(sk_intel_builder_new(&b), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_CIDR4, "10.0.0.0/8", "feed-a", 60), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_CIDR4, "10.1.0.0/16", "feed-a", 50), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_IPV4, "10.1.2.3", "feed-a", 40), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_CIDR4, "10.1.2.3/32", "feed-b", 90), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_FQDN, "exact.example", "x", 50), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_IPV4, "10.0.0.0/8", "x", 50), -SK_EPARSE);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_CIDR6, "10.0.0.0/8", "x", 50), -SK_EPARSE);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_CIDR4, "10.0.0.1/8", "x", 50), -SK_EPARSE);
    assert_int_equal(sk_intel_builder_count(b), 4);
    assert_int_equal(sk_intel_build(b, &in), 0);
    sk_addr_parse("10.1.2.3", &a);
    /* most specific first; the same value from two sources is one indicator */
    assert_int_equal(sk_intel_match_addr(in, &a, m, 8), 3);
    assert_string_equal(m[0]->value, "10.1.2.3");
    assert_int_equal(m[0]->type, SK_IOC_IPV4);
    assert_int_equal(m[0]->nsources, 2);
    assert_int_equal(m[0]->confidence, 90);
    assert_string_equal(sk_intel_source(in, m[0], 0)->name, "feed-b"); /* most confident first */
    assert_string_equal(sk_intel_source(in, m[0], 1)->name, "feed-a");
    assert_null(sk_intel_source(in, m[0], 2));
    assert_string_equal(m[1]->value, "10.1.0.0/16");
    assert_string_equal(m[2]->value, "10.0.0.0/8");
    /* max smaller than the number of matches: the total is still reported */
    assert_int_equal(sk_intel_match_addr(in, &a, m, 1), 3);
    /* FQDN indicators do not match subdomains */
    assert_int_equal(sk_intel_match_name(in, "exact.example", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "sub.exact.example", m, 8), 0);
    struct sk_intel_stats st;
    sk_intel_stats(in, &st);
    assert_int_equal(st.indicators, 4);
    assert_int_equal(st.count[SK_IOC_CIDR4], 2);
    assert_int_equal(st.count[SK_IOC_IPV4], 1);
    assert_int_equal(st.count[SK_IOC_FQDN], 1);
    sk_intel_free(in);
}

static void test_source_merge_and_tlp(void **state)
{
    struct sk_intel_builder *b;
    struct sk_intel *in;
    const char *l1[] = {"emotet", "c2", NULL}, *l2[] = {"c2", "epoch4", NULL};
    struct sk_ioc_record r = {.type = SK_IOC_DOMAIN, .value = "c2.example",
                              .src = {.name = "feed", .confidence = 40, .tlp = SK_IOC_TLP_GREEN,
                                      .labels = l1, .valid_from = 100, .valid_until = 200,
                                      .first_seen = 150, .last_seen = 160}};
    assert_int_equal(sk_intel_builder_new(&b), 0);
    assert_int_equal(sk_intel_builder_add_record(b, &r), 0);
    r.src.confidence = 70;
    r.src.labels = l2;
    r.src.valid_from = 50;
    r.src.valid_until = 0; /* unbounded */
    r.src.first_seen = 120;
    r.src.last_seen = 300;
    r.src.stix_id = "indicator--1";
    assert_int_equal(sk_intel_builder_add_record(b, &r), 0);
    /* a second source, unmarked, and a third marked clear */
    struct sk_ioc_record r2 = {.type = SK_IOC_DOMAIN, .value = "C2.example.",
                               .src = {.name = "other", .confidence = 10}};
    assert_int_equal(sk_intel_builder_add_record(b, &r2), 0);
    r2.src.name = "open";
    r2.src.tlp = SK_IOC_TLP_CLEAR;
    assert_int_equal(sk_intel_builder_add_record(b, &r2), 0);
    r2.src.confidence = 101;
    assert_int_equal(sk_intel_builder_add_record(b, &r2), -SK_EINVAL);
    /* many indicators with the same metadata share one record */
    for (int i = 0; i < 1000; i++) {
        char v[32];
        snprintf(v, sizeof v, "192.0.2.%d", i % 256);
        assert_int_equal(sk_intel_builder_add(b, SK_IOC_IPV4, v, "bulk", 30), 0);
    }
    assert_int_equal(sk_intel_build(b, &in), 0);
    const struct sk_indicator *ind = sk_intel_find(in, SK_IOC_DOMAIN, "c2.EXAMPLE");
    assert_non_null(ind);
    assert_int_equal(ind->nsources, 3);
    assert_int_equal(ind->confidence, 70);
    assert_int_equal(ind->tlp, SK_IOC_TLP_CLEAR); /* least restrictive marked source */
    const struct sk_ioc_source *s = sk_intel_source(in, ind, 0);
    assert_string_equal(s->name, "feed");
    assert_int_equal(s->confidence, 70);
    assert_int_equal(s->tlp, SK_IOC_TLP_GREEN);
    assert_int_equal(s->valid_from, 50);
    assert_int_equal(s->valid_until, 0);
    assert_int_equal(s->first_seen, 120);
    assert_int_equal(s->last_seen, 300);
    assert_string_equal(s->stix_id, "indicator--1");
    assert_string_equal(s->labels[0], "emotet");
    assert_string_equal(s->labels[1], "c2");
    assert_string_equal(s->labels[2], "epoch4");
    assert_null(s->labels[3]);
    struct sk_intel_stats st;
    sk_intel_stats(in, &st);
    assert_int_equal(st.indicators, 257);
    assert_true(st.sources <= 6); /* feed (merged + its first), other, open, bulk */
    sk_intel_free(in);

    enum sk_ioc_tlp t;
    assert_int_equal(sk_ioc_tlp_parse("TLP:AMBER+STRICT", &t), 0);
    assert_int_equal(t, SK_IOC_TLP_AMBER_STRICT);
    assert_int_equal(sk_ioc_tlp_parse("white", &t), 0);
    assert_int_equal(t, SK_IOC_TLP_CLEAR);
    assert_int_equal(sk_ioc_tlp_parse("tlp:Red", &t), 0);
    assert_int_equal(t, SK_IOC_TLP_RED);
    assert_int_equal(sk_ioc_tlp_parse("purple", &t), -SK_EINVAL);
    assert_string_equal(sk_ioc_tlp_name(SK_IOC_TLP_AMBER), "TLP:AMBER");
}

static void canon_ok(enum sk_ioc_type type, const char *in, enum sk_ioc_type want_type,
                     const char *want)
{
    char out[8192], why[256];
    enum sk_ioc_type t = type;
    if (sk_ioc_canon(&t, in, out, sizeof out, why, sizeof why) < 0)
        fail_msg("'%s': %s", in, why);
    assert_int_equal(t, want_type);
    assert_string_equal(out, want);
}

static void canon_bad(enum sk_ioc_type type, const char *in, const char *why_part)
{
    char out[8192], why[256] = "";
    enum sk_ioc_type t = type;
    assert_true(sk_ioc_canon(&t, in, out, sizeof out, why, sizeof why) < 0);
    if (!strstr(why, why_part))
        fail_msg("'%s': reason '%s' lacks '%s'", in, why, why_part);
}

static void test_canon(void **state)
{
    canon_ok(SK_IOC_CIDR4, "192.0.2.0/24", SK_IOC_CIDR4, "192.0.2.0/24");
    canon_ok(SK_IOC_CIDR4, "192.0.2.7/32", SK_IOC_IPV4, "192.0.2.7");
    canon_ok(SK_IOC_CIDR6, "2001:DB8::/32", SK_IOC_CIDR6, "2001:db8::/32");
    canon_ok(SK_IOC_IPV6, "2001:db8:0:0::1", SK_IOC_IPV6, "2001:db8::1");
    canon_ok(SK_IOC_DOMAIN, "*.Evil.Example.", SK_IOC_DOMAIN, "evil.example");
    canon_ok(SK_IOC_FQDN, "WWW.x_y.test", SK_IOC_FQDN, "www.x_y.test");
    canon_ok(SK_IOC_JA3, "B386946A5A44D1DDCC843BC75336DFCE", SK_IOC_JA3,
             "b386946a5a44d1ddcc843bc75336dfce");
    canon_ok(SK_IOC_JA4, "T13D1516H2_8DAAF6152771_B186095E22B6", SK_IOC_JA4,
             "t13d1516h2_8daaf6152771_b186095e22b6");
    canon_ok(SK_IOC_CERT_SHA1, "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01",
             SK_IOC_CERT_SHA1, "abcdef0123456789abcdef0123456789abcdef01");
    canon_ok(SK_IOC_CERT_SHA256,
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             SK_IOC_CERT_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    canon_bad(SK_IOC_CIDR4, "192.0.2.1/24", "has host bits set (did you mean 192.0.2.0/24?)");
    canon_bad(SK_IOC_IPV4, "2001:db8::1", "is not an IPv4 address");
    canon_bad(SK_IOC_IPV6, "2001:db8::/32", "is a prefix, not one IPv6 address");
    canon_bad(SK_IOC_DOMAIN, "domain autuo.xicp.net", "is not a domain name");
    canon_bad(SK_IOC_DOMAIN, "a..b", "is not a domain name");
    canon_bad(SK_IOC_JA3, "b386946a5a44d1ddcc843bc75336dfc", "32 hex digits");
    canon_bad(SK_IOC_JA3, "z386946a5a44d1ddcc843bc75336dfce", "32 hex digits");
    canon_bad(SK_IOC_JA4, "t13d1516h2-8daaf6152771_b186095e22b6", "JA4");
    canon_bad(SK_IOC_CERT_SHA256, "abcd", "64 hex digits");
    canon_bad(SK_IOC_URL, "http:///nohost", "is not a URL");
}

static void url_is(const char *in, const char *want)
{
    char out[1024];
    if (sk_url_normalize(in, out, sizeof out) < 0)
        fail_msg("'%s' did not normalise", in);
    if (strcmp(out, want) != 0)
        fail_msg("'%s' → '%s', expected '%s'", in, out, want);
}

static void test_url_normalize(void **state)
{
    char out[64];
    url_is("HTTP://Example.COM:80/", "http://example.com/");
    url_is("https://example.com:443", "https://example.com/");
    url_is("https://example.com:8443/x", "https://example.com:8443/x");
    url_is("http://example.com:/x", "http://example.com/x");
    url_is("http://example.com./a/./b/../c", "http://example.com/a/c");
    url_is("http://example.com/../../a", "http://example.com/a");
    url_is("http://example.com/a/b/..", "http://example.com/a/");
    url_is("http://example.com/%7euser/%2fx%2F", "http://example.com/~user/%2Fx%2F");
    url_is("http://example.com/a b?q=1 2#frag", "http://example.com/a%20b?q=1%202");
    url_is("example.com/path", "http://example.com/path");
    url_is("//example.com", "http://example.com/");
    url_is("http://user:pw@[2001:DB8::1]:80/x", "http://user:pw@[2001:db8::1]/x");
    url_is("ftp://host:21/f", "ftp://host/f");
    url_is("http://h/?", "http://h/?");
    url_is("http://h/100%/%%41%zz", "http://h/100%25/%25A%25zz"); /* a stray '%' is "%25" */
    url_is("http://h/100%25", "http://h/100%25");
    assert_true(sk_url_normalize("http://a[b]/", out, sizeof out) < 0);
    assert_true(sk_url_normalize("http://a..b/", out, sizeof out) < 0);
    assert_true(sk_url_normalize("http://./", out, sizeof out) < 0);
    assert_true(sk_url_normalize("http://:80/", out, sizeof out) < 0);
    assert_true(sk_url_normalize("http://h:99999/", out, sizeof out) < 0);
    assert_true(sk_url_normalize("1http://h/", out, sizeof out) < 0);
    assert_true(sk_url_normalize("http://[::1/", out, sizeof out) < 0);
    assert_int_equal(sk_url_normalize("http://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                      out, sizeof out), -SK_ETOOBIG);
}

static void expect_load_error(const char *text, const char *want)
{
    struct sk_intel_builder *b;
    struct sk_errinfo ei = {""};
    assert_int_equal(sk_intel_builder_new(&b), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_IPV4, "192.0.2.1", "before", 50), 0);
    const char *p = write_tmp(text);
    assert_true(sk_intel_load_list(b, p, "t", &ei) < 0);
    char full[600];
    snprintf(full, sizeof full, "%s:%s", p, want);
    if (!strstr(ei.msg, full))
        fail_msg("error '%s' does not contain '%s'", ei.msg, full);
    /* all or nothing: the good lines before the bad one are not kept */
    struct sk_intel *in;
    assert_int_equal(sk_intel_build(b, &in), 0);
    assert_int_equal(sk_intel_count(in), 1);
    assert_int_equal(sk_intel_find(in, SK_IOC_IPV4, "192.0.2.1")->nsources, 1);
    sk_intel_free(in);
}

static void test_bad_lines(void **state)
{
    expect_load_error("1.2.3.4\n5.6.7.8\nnot a domain!\n", "3: 'not a domain!': expected one IP");
    expect_load_error("1.2.3.4\n10.0.0.1/8\n", "2: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)");
    expect_load_error("# x\n1.2.3.4/33\n", "2: '1.2.3.4/33' is not a CIDR prefix");
    expect_load_error("ok.example\nbad..example\n", "2: 'bad..example' is not an IP address");
    expect_load_error("1.2.3\n", "1: '1.2.3' is not an IP address");
    expect_load_error("localhost\n", "1: 'localhost' is not an IP address");
    expect_load_error("192.0.2.1\nhttp://[::1/\n", "2: 'http://[::1/' is not a URL");
}

/* Public-suffix bounds, asked of the real list. */
static void test_registered_domain_bound(void **state)
{
    struct sk_intel_builder *b;
    struct sk_intel *in;
    const struct sk_indicator *m[8];
    assert_int_equal(sk_intel_builder_new(&b), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_DOMAIN, "co.uk", "t", 50), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_DOMAIN, "example.co.uk", "t", 50), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_DOMAIN, "amazonaws.com", "t", 50), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_DOMAIN, "evil.s3.amazonaws.com", "t", 50), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_DOMAIN, "com", "t", 50), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_FQDN, "www.example.co.uk", "t", 50), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_DOMAIN, "github.io", "t", 50), 0);
    assert_int_equal(sk_intel_build(b, &in), 0);
    /* a public suffix matches only itself */
    assert_int_equal(sk_intel_match_name(in, "co.uk", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "other.co.uk", m, 8), 0);
    assert_int_equal(sk_intel_match_name(in, "com", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "example.com", m, 8), 0);
    assert_int_equal(sk_intel_match_name(in, "user.github.io", m, 8), 0);
    /* below the registered domain: matches, with the fqdn on the name itself */
    assert_int_equal(sk_intel_match_name(in, "a.b.example.co.uk", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "www.example.co.uk", m, 8), 2);
    assert_int_equal(m[0]->type, SK_IOC_FQDN);
    assert_int_equal(m[1]->type, SK_IOC_DOMAIN);
    assert_int_equal(sk_intel_match_name(in, "x.www.example.co.uk", m, 8), 1);
    /* amazonaws.com is registered, but s3.amazonaws.com is a public suffix:
     * bucket.s3.amazonaws.com is its own registered domain */
    assert_int_equal(sk_intel_match_name(in, "console.amazonaws.com", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "bucket.s3.amazonaws.com", m, 8), 0);
    assert_int_equal(sk_intel_match_name(in, "evil.s3.amazonaws.com", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "a.evil.s3.amazonaws.com", m, 8), 1);
    assert_string_equal(m[0]->value, "evil.s3.amazonaws.com");
    sk_intel_free(in);
}

static uint64_t rng = 42;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Random names over a few registered domains and public suffixes, against a
 * reference that asks libpsl for the registered domain of every query. */
static void test_names_bruteforce(void **state)
{
    enum { NNAMES = 3000, NQ = 200000 };
    static const char *const tails[] = {"example.com", "co.uk", "com", "s3.amazonaws.com",
                                        "amazonaws.com", "github.io", "test", "example.co.uk"};
    static const char *const heads[] = {"a", "b", "www", "c2", "x-y", "mail"};
    static char names[NNAMES][96];
    static uint8_t is_domain[NNAMES], first[NNAMES];
    const psl_ctx_t *psl = psl_latest(NULL);
    struct sk_intel_builder *b;
    struct sk_intel *in;
    const struct sk_indicator *m[64];

    assert_int_equal(sk_intel_builder_new(&b), 0);
    for (int i = 0; i < NNAMES; i++) {
        size_t o = 0;
        int labels = (int)(next() % 4);
        for (int k = 0; k < labels; k++)
            o += (size_t)snprintf(names[i] + o, sizeof names[i] - o, "%s%u.",
                                  heads[next() % 6], (unsigned)(next() % 4));
        snprintf(names[i] + o, sizeof names[i] - o, "%s", tails[next() % 8]);
        is_domain[i] = next() % 3 != 0;
        assert_int_equal(sk_intel_builder_add(b, is_domain[i] ? SK_IOC_DOMAIN : SK_IOC_FQDN,
                                              names[i], "r", 50), 0);
        first[i] = 1;
        for (int j = 0; j < i; j++)
            if (is_domain[j] == is_domain[i] && strcmp(names[j], names[i]) == 0)
                first[i] = 0;
    }
    assert_int_equal(sk_intel_build(b, &in), 0);
    const char **qs = malloc(NQ * sizeof *qs);
    char (*qbuf)[128] = malloc((size_t)NQ * 128);
    uint32_t *hits = malloc(NQ * sizeof *hits);
    for (int q = 0; q < NQ; q++) {
        char *name = qbuf[q];
        if (next() % 2) {
            snprintf(name, 128, "%s%s", next() % 2 ? "z." : "", names[next() % NNAMES]);
        } else {
            size_t o = 0;
            int labels = (int)(next() % 5);
            for (int k = 0; k < labels; k++)
                o += (size_t)snprintf(name + o, 128 - o, "%s%u.", heads[next() % 6],
                                      (unsigned)(next() % 4));
            snprintf(name + o, 128 - o, "%s", tails[next() % 8]);
        }
        qs[q] = name;
        const char *reg = psl_registrable_domain(psl, name);
        size_t reglen = reg ? strlen(reg) : SIZE_MAX, ln = strlen(name);
        size_t want = 0;
        for (int i = 0; i < NNAMES; i++) {
            if (!first[i])
                continue;
            size_t li = strlen(names[i]);
            if (strcmp(name, names[i]) == 0)
                want++;
            else if (is_domain[i] && ln > li && name[ln - li - 1] == '.' &&
                     strcmp(name + ln - li, names[i]) == 0 && li >= reglen)
                want++;
        }
        size_t got = sk_intel_match_name(in, name, m, 64);
        if (got != want)
            fail_msg("'%s': %zu matches, reference %zu", name, got, want);
    }
    /* the batch lookup agrees */
    sk_intel_lookup_names(in, qs, NQ, hits);
    for (int q = 0; q < NQ; q++) {
        const struct sk_indicator *m2[64];
        size_t a = sk_intel_hit_expand(in, hits[q], m2, 64), c = sk_intel_match_name(in, qs[q], m, 64);
        assert_int_equal(a, c);
        for (size_t k = 0; k < a && k < 64; k++)
            assert_ptr_equal(m[k], m2[k]);
    }
    free(qs);
    free(qbuf);
    free(hits);
    sk_intel_free(in);
    psl_free((psl_ctx_t *)psl);
}

struct seen {
    int n;
    char what[16][128];
};

static int on_match(void *ctx, const struct sk_intel_match *m)
{
    struct seen *s = ctx;
    char a[SK_ADDR_STRLEN] = "";
    if (m->addr)
        sk_addr_fmt(m->addr, a, sizeof a);
    if (s->n < 16)
        snprintf(s->what[s->n], 128, "%zu %s %s %s %zu", m->event,
                 sk_match_field_name((enum sk_match_field)m->field),
                 m->observed ? m->observed : a, m->ind[0]->value, m->n);
    s->n++;
    return 0;
}

static void test_events(void **state)
{
    struct sk_intel *in = build_from("198.51.100.0/24\n198.51.100.7\nc2.example\n"
                                     "http://www.c2.example/gate.php\n");
    struct sk_intel_builder *b;
    struct sk_dns_rr rr[2];
    struct sk_event ev[4];
    struct seen s = {0};

    memset(ev, 0, sizeof ev);
    memset(rr, 0, sizeof rr);
    ev[0].kind = SK_EVENT_FLOW;
    sk_addr_parse("10.0.0.5", &ev[0].src);
    sk_addr_parse("198.51.100.7", &ev[0].dst);
    ev[1].kind = SK_EVENT_DNS;
    ev[1].u.dns.qname = "www.c2.example";
    rr[0].type = 1;
    sk_addr_parse("198.51.100.9", &rr[0].addr);
    rr[1].type = 5;
    rr[1].data = "cdn.c2.example";
    ev[1].u.dns.answers = rr;
    ev[1].u.dns.n_answers = 2;
    ev[2].kind = SK_EVENT_HTTP;
    ev[2].u.http.host = "WWW.C2.example";
    ev[2].u.http.uri = "/./gate.php";
    ev[3].kind = SK_EVENT_FLOW;
    sk_addr_parse("10.0.0.5", &ev[3].src);
    sk_addr_parse("192.0.2.1", &ev[3].dst);
    assert_int_equal(sk_intel_match_events(in, ev, 4, on_match, &s), 0);
    assert_int_equal(s.n, 6);
    assert_string_equal(s.what[0], "0 dst 198.51.100.7 198.51.100.7 2");
    assert_string_equal(s.what[1], "1 qname www.c2.example c2.example 1");
    assert_string_equal(s.what[2], "1 answer 198.51.100.9 198.51.100.0/24 1");
    assert_string_equal(s.what[3], "1 answer cdn.c2.example c2.example 1");
    assert_string_equal(s.what[4], "2 http_host WWW.C2.example c2.example 1");
    assert_string_equal(s.what[5], "2 url http://www.c2.example/gate.php http://www.c2.example/gate.php 1");
    sk_intel_free(in);

    /* TLS fingerprints */
    assert_int_equal(sk_intel_builder_new(&b), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_JA3, "b386946a5a44d1ddcc843bc75336dfce", "sslbl", 80), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_JA4, "t13d1516h2_8daaf6152771_b186095e22b6", "j", 80), 0);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_CERT_SHA1, "abcdef0123456789abcdef0123456789abcdef01", "c", 80), 0);
    assert_int_equal(sk_intel_build(b, &in), 0);
    memset(ev, 0, sizeof ev);
    ev[0].kind = SK_EVENT_TLS;
    ev[0].u.tls.ja3 = "B386946A5A44D1DDCC843BC75336DFCE";
    ev[0].u.tls.ja4 = "t13d1516h2_8daaf6152771_b186095e22b6";
    ev[0].u.tls.cert_sha1 = "abcdef0123456789abcdef0123456789abcdef01";
    ev[0].u.tls.cert_sha256 = "00";
    memset(&s, 0, sizeof s);
    assert_int_equal(sk_intel_match_events(in, ev, 1, on_match, &s), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.what[0], "0 ja3 B386946A5A44D1DDCC843BC75336DFCE b386946a5a44d1ddcc843bc75336dfce 1");
    assert_string_equal(s.what[2], "0 cert abcdef0123456789abcdef0123456789abcdef01 abcdef0123456789abcdef0123456789abcdef01 1");
    sk_intel_free(in);
}

static void test_batch_addrs(void **state)
{
    enum { N = 20000 };
    struct sk_intel_builder *b;
    struct sk_intel *in;
    struct sk_addr *q = malloc(N * sizeof *q);
    uint32_t *hits = malloc(N * sizeof *hits);
    const struct sk_indicator *m1[40], *m2[40];

    assert_int_equal(sk_intel_builder_new(&b), 0);
    for (int i = 0; i < 5000; i++) {
        char v[64];
        if (i % 2)
            snprintf(v, sizeof v, "10.%u.%u.0/24", (unsigned)(next() % 4), (unsigned)(next() % 256));
        else
            snprintf(v, sizeof v, "2001:db8:%x::/48", (unsigned)(next() % 512));
        enum sk_ioc_type t = i % 2 ? SK_IOC_CIDR4 : SK_IOC_CIDR6;
        assert_int_equal(sk_intel_builder_add(b, t, v, "r", 50), 0);
    }
    assert_int_equal(sk_intel_build(b, &in), 0);
    for (int i = 0; i < N; i++) {
        uint8_t raw[16];
        for (int k = 0; k < 16; k++)
            raw[k] = (uint8_t)next();
        if (i % 3 == 0) {
            raw[12] = 10, raw[13] = (uint8_t)(next() % 4);
            sk_addr_from_v4_bytes(&q[i], raw + 12);
        } else if (i % 3 == 1) {
            raw[0] = 0x20, raw[1] = 0x01, raw[2] = 0x0d, raw[3] = 0xb8, raw[4] = 0, raw[5] = (uint8_t)(next() % 2);
            sk_addr_from_v6_bytes(&q[i], raw);
        } else {
            memset(&q[i], 0, sizeof q[i]); /* no family: never matches */
        }
    }
    sk_intel_lookup_addrs(in, q, N, hits);
    size_t total = 0;
    for (int i = 0; i < N; i++) {
        size_t a = sk_intel_hit_expand(in, hits[i], m1, 40), c = sk_intel_match_addr(in, &q[i], m2, 40);
        assert_int_equal(a, c);
        for (size_t k = 0; k < a; k++)
            assert_ptr_equal(m1[k], m2[k]);
        total += a;
    }
    assert_true(total > 1000); /* the test matched something */
    free(q);
    free(hits);
    sk_intel_free(in);
}

static int teardown(void **state)
{
    unlink(write_tmp(""));
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_and_match),
        cmocka_unit_test(test_nested_prefixes_and_sources),
        cmocka_unit_test(test_source_merge_and_tlp),
        cmocka_unit_test(test_canon),
        cmocka_unit_test(test_url_normalize),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_registered_domain_bound),
        cmocka_unit_test(test_names_bruteforce),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_batch_addrs),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
