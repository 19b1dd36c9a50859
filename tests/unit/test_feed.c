/*
 * test_feed.c — the feed importers and the STIX patterning parser.
 *
 * Each format on inputs written here (what it must import, what it must
 * refuse, with the file and line or JSON path), the STIX pattern compiler on
 * a table of patterns (exact translations, refusals with reasons, syntax
 * errors with offsets, the lexer's corner cases), every example bundle of
 * ../shared/data/stix/examples against the indicators it must yield, and
 * the store: all or nothing per file, refresh, replace, expiry and decay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sakimori/intel-feed.h"
#include "sakimori/intel.h"
#include "sakimori/store.h"

static char tmpdir[256];

/* --- a sink that remembers -------------------------------------------------- */

struct got {
    char rec[512][200]; /* "type value" */
    char detail[512][300]; /* "source conf tlp labels stix" */
    size_t n;
    char skips[64][400];
    size_t nskips;
};

static int rec(void *ctx, const struct sk_ioc_record *r)
{
    struct got *g = ctx;
    if (g->n < 512) {
        snprintf(g->rec[g->n], sizeof g->rec[0], "%s %s", sk_ioc_type_name((enum sk_ioc_type)r->type), r->value);
        size_t o = (size_t)snprintf(g->detail[g->n], sizeof g->detail[0], "%s %u %s", r->src.name,
                                    r->src.confidence, r->src.tlp ? sk_ioc_tlp_name((enum sk_ioc_tlp)r->src.tlp) : "-");
        for (const char *const *l = r->src.labels; l && *l && o < sizeof g->detail[0]; l++)
            o += (size_t)snprintf(g->detail[g->n] + o, sizeof g->detail[0] - o, " [%s]", *l);
        if (r->src.stix_id && o < sizeof g->detail[0])
            snprintf(g->detail[g->n] + o, sizeof g->detail[0] - o, " %s", r->src.stix_id);
    }
    g->n++;
    return 0;
}

static void on_skip(void *ctx, const char *where, const char *why)
{
    struct got *g = ctx;
    if (g->nskips < 64)
        snprintf(g->skips[g->nskips], sizeof g->skips[0], "%s: %s", where, why);
    g->nskips++;
}

static int has(const struct got *g, const char *want)
{
    for (size_t i = 0; i < g->n && i < 512; i++)
        if (strcmp(g->rec[i], want) == 0)
            return 1;
    return 0;
}

static const struct sk_feed_opts base_opts = {.source = "t", .confidence = 50};

static int import_text(const char *text, enum sk_feed_format fmt, const struct sk_feed_opts *o,
                       struct got *g, struct sk_errinfo *ei)
{
    struct sk_feed_sink s = {.record = rec, .skip = on_skip, .ctx = g};
    memset(g, 0, sizeof *g);
    ei->msg[0] = '\0';
    return sk_feed_import_buf("feed.txt", text, strlen(text), fmt, o ? o : &base_opts, &s, ei);
}

static void expect_error(const char *text, enum sk_feed_format fmt, const struct sk_feed_opts *o,
                         const char *want)
{
    struct got *g = malloc(sizeof *g);
    struct sk_errinfo ei;
    assert_true(import_text(text, fmt, o, g, &ei) < 0);
    if (!strstr(ei.msg, want))
        fail_msg("error '%s' does not contain '%s'", ei.msg, want);
    free(g);
}

/* --- text formats -------------------------------------------------------------- */

static void test_plain(void **state)
{
    struct got *g = malloc(sizeof *g);
    struct sk_errinfo ei;
    assert_int_equal(import_text("# list\n192.0.2.1\n198.51.100.0/24 # net\n\nEvil.Example.\n"
                                 "*.bad.test\r\nhttp://Evil.Example:80/a/../x\n2001:db8::/32\n",
                                 SK_FEED_PLAIN, NULL, g, &ei), 0);
    assert_int_equal(g->n, 6);
    assert_true(has(g, "ipv4 192.0.2.1"));
    assert_true(has(g, "cidr4 198.51.100.0/24"));
    assert_true(has(g, "domain evil.example"));
    assert_true(has(g, "domain bad.test"));
    assert_true(has(g, "url http://evil.example/x"));
    assert_true(has(g, "cidr6 2001:db8::/32"));
    struct sk_feed_opts o = base_opts;
    o.type = SK_IOC_JA3;
    assert_int_equal(import_text("b386946a5a44d1ddcc843bc75336dfce\n", SK_FEED_PLAIN, &o, g, &ei), 0);
    assert_true(has(g, "ja3 b386946a5a44d1ddcc843bc75336dfce"));
    expect_error("1.2.3.4\nnot valid!\n", SK_FEED_PLAIN, NULL, "feed.txt:2: 'not valid!': expected one value per line");
    expect_error("1.2.3.4\n\n10.0.0.1/8\n", SK_FEED_PLAIN, NULL, "feed.txt:3: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)");
    expect_error("deadbeef\n", SK_FEED_PLAIN, NULL, "feed.txt:1: 'deadbeef' is not an IP address");
    expect_error("a.example\n", SK_FEED_PLAIN, &o, "feed.txt:1: 'a.example' is not a JA3 fingerprint");
    free(g);
}

static void test_csv(void **state)
{
    struct got *g = malloc(sizeof *g);
    struct sk_errinfo ei;
    struct sk_feed_opts o = base_opts;
    o.columns = "value=2,type=1,confidence=3,labels=4,tlp=5,last_seen=6";
    assert_int_equal(import_text("# comment\nipv4,192.0.2.9,80,\"emotet, epoch4\",amber,2024-05-01 10:00:00\n"
                                 "domain,\"c2.example\",70,,clear,\n"
                                 "fqdn, \"a \"\"quoted\"\" host\" ,1,,,\n",
                                 SK_FEED_CSV, &o, g, &ei) < 0, 1);
    /* the third row's value is not a name: the error names line and value */
    assert_non_null(strstr(ei.msg, "feed.txt:4: "));
    assert_non_null(strstr(ei.msg, "'a \"quoted\" host' is not a domain name"));
    assert_int_equal(import_text("ipv4,192.0.2.9,80,\"emotet; epoch4\",amber,2024-05-01 10:00:00\n"
                                 "domain,c2.example,70,,clear,\n", SK_FEED_CSV, &o, g, &ei), 0);
    assert_int_equal(g->n, 2);
    assert_string_equal(g->rec[0], "ipv4 192.0.2.9");
    assert_string_equal(g->detail[0], "t 80 TLP:AMBER [emotet] [epoch4]");
    assert_string_equal(g->detail[1], "t 70 TLP:CLEAR");
    /* by header name */
    o.columns = "value=indicator,labels=family";
    o.header = 1;
    assert_int_equal(import_text("family;indicator\nqakbot;203.0.113.5\n", SK_FEED_CSV,
                                 &(struct sk_feed_opts){.source = "t", .confidence = 50,
                                                        .columns = o.columns, .header = 1,
                                                        .delimiter = ';'}, g, &ei), 0);
    assert_true(has(g, "ipv4 203.0.113.5"));
    assert_string_equal(g->detail[0], "t 50 - [qakbot]");
    expect_error("a,b\n", SK_FEED_CSV, &(struct sk_feed_opts){.source = "t", .columns = "value=x"},
                 "a column name needs --header");
    expect_error("x\n", SK_FEED_CSV, &(struct sk_feed_opts){.source = "t", .columns = "colour=1"},
                 "unknown field 'colour'");
    expect_error("1.2.3.4\n", SK_FEED_CSV, &(struct sk_feed_opts){.source = "t", .columns = "value=3"},
                 "feed.txt:1: 1 fields, expected at least 3 (value)");
    expect_error("1.2.3.4,101\n", SK_FEED_CSV,
                 &(struct sk_feed_opts){.source = "t", .columns = "value=1,confidence=2"},
                 "feed.txt:1: column 2: confidence '101': expected 0 to 100");
    expect_error("\"1.2.3.4,5\n", SK_FEED_CSV, &(struct sk_feed_opts){.source = "t", .columns = "value=1"},
                 "feed.txt:1: unterminated quoted field");
    expect_error("1.2.3.4,yesterday\n", SK_FEED_CSV,
                 &(struct sk_feed_opts){.source = "t", .columns = "value=1,first_seen=2"},
                 "feed.txt:1: first_seen 'yesterday': expected a UTC time");
    expect_error("a,b\n1.2.3.4,x\n", SK_FEED_CSV,
                 &(struct sk_feed_opts){.source = "t", .columns = "value=ip", .header = 1},
                 "feed.txt:1: no column named 'ip' in the header");
    free(g);
}

static void test_abuse_ch(void **state)
{
    struct got *g = malloc(sizeof *g);
    struct sk_errinfo ei;
    /* Feodo: the quoted header of today, and the commented one of before */
    assert_int_equal(import_text("#####\n# abuse.ch Feodo Tracker\n#\n"
                                 "\"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n"
                                 "\"2021-01-17 07:44:46\",\"51.178.161.32\",\"4643\",\"online\",\"2024-05-29\",\"Pikabot\"\n"
                                 "# END 1 entries\n", SK_FEED_AUTO, NULL, g, &ei), 0);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->rec[0], "ipv4 51.178.161.32");
    assert_string_equal(g->detail[0], "t 50 - [Pikabot]");
    assert_int_equal(import_text("# Feodo Tracker\n# Firstseen,DstIP,DstPort,LastOnline,Malware\n"
                                 "2019-01-01 00:00:00,192.0.2.10,447,2019-02-01,TrickBot\n",
                                 SK_FEED_FEODO, NULL, g, &ei), 0);
    assert_true(has(g, "ipv4 192.0.2.10"));
    assert_string_equal(g->detail[0], "t 50 - [TrickBot]");
    /* SSLBL JA3 */
    assert_int_equal(import_text("# ja3_md5,Firstseen,Lastseen,Listingreason\n"
                                 "b386946a5a44d1ddcc843bc75336dfce,2017-07-14 18:08:15,2019-07-27 20:42:54,Dridex\n",
                                 SK_FEED_AUTO, NULL, g, &ei), 0);
    assert_true(has(g, "ja3 b386946a5a44d1ddcc843bc75336dfce"));
    assert_string_equal(g->detail[0], "t 50 - [Dridex]");
    /* URLhaus: threat and tags become labels */
    assert_int_equal(import_text("################################################################\n"
                                 "# abuse.ch URLhaus Database Dump (CSV - recent URLs)           #\n"
                                 "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"
                                 "\"2856372\",\"2024-05-29 09:29:08\",\"http://117.215.213.211:33211/bin.sh\",\"online\","
                                 "\"2024-05-29 09:29:08\",\"malware_download\",\"32-bit,elf,mips,Mozi\","
                                 "\"https://urlhaus.abuse.ch/url/2856372/\",\"geenensp\"\n",
                                 SK_FEED_AUTO, NULL, g, &ei), 0);
    assert_true(has(g, "url http://117.215.213.211:33211/bin.sh"));
    assert_string_equal(g->detail[0], "t 50 - [malware_download] [32-bit] [elf] [mips] [Mozi]");
    expect_error("# ja3_md5,Firstseen,Lastseen,Listingreason\nnothex,2017-07-14 18:08:15,2019-07-27 20:42:54,X\n",
                 SK_FEED_SSLBL_JA3, NULL, "feed.txt:2: 'nothex' is not a JA3 fingerprint");
    expect_error("1.2.3.4,5\n", SK_FEED_FEODO, NULL, "expected a Feodo Tracker CSV header naming a 'dst_ip' column");
    expect_error("# ja3_md5,Firstseen,Lastseen,Listingreason\nb386946a5a44d1ddcc843bc75336dfce,2017-07-14\n",
                 SK_FEED_SSLBL_JA3, NULL, "feed.txt:2: 2 fields, expected 4 (SSLBL JA3 CSV)");
    /* the real list, when it is there */
    const char *root = getenv("SK_SHARED_DATA");
    char path[512];
    snprintf(path, sizeof path, "%s/intel/sslbl-ja3.csv", root ? root : "../shared/data");
    if (access(path, R_OK) == 0) {
        struct sk_feed_sink s = {.record = rec, .skip = on_skip, .ctx = g};
        memset(g, 0, sizeof *g);
        assert_int_equal(sk_feed_import(path, SK_FEED_AUTO, &base_opts, &s, &ei), 0);
        assert_int_equal(g->n, 98);
        assert_true(has(g, "ja3 b386946a5a44d1ddcc843bc75336dfce"));
    }
    free(g);
}

/* --- STIX patterns ------------------------------------------------------------------ */

static void pattern_ok(const char *pattern, const char *want)
{
    struct sk_stix_ioc *v;
    size_t n;
    char why[512], warn[512], got[1024] = "";
    size_t o = 0;
    if (sk_stix_pattern_compile(pattern, &v, &n, why, sizeof why, warn, sizeof warn) < 0)
        fail_msg("%s: %s", pattern, why);
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(got + o, sizeof got - o, "%s%s %s", i ? "; " : "",
                              sk_ioc_type_name((enum sk_ioc_type)v[i].type), v[i].value);
    sk_stix_iocs_free(v, n);
    if (strcmp(got, want) != 0)
        fail_msg("%s → '%s', expected '%s'", pattern, got, want);
}

static void pattern_bad(const char *pattern, int want_rc, const char *why_part)
{
    struct sk_stix_ioc *v;
    size_t n;
    char why[512];
    int rc = sk_stix_pattern_compile(pattern, &v, &n, why, sizeof why, NULL, 0);
    if (rc != want_rc)
        fail_msg("%s: rc %d, expected %d (%s)", pattern, rc, want_rc, rc < 0 ? why : "accepted");
    if (!strstr(why, why_part))
        fail_msg("%s: reason '%s' lacks '%s'", pattern, why, why_part);
}

static void test_stix_patterns(void **state)
{
    pattern_ok("[ipv4-addr:value = '198.51.100.1']", "ipv4 198.51.100.1");
    pattern_ok("[ipv4-addr:value == '198.51.100.0/24']", "cidr4 198.51.100.0/24");
    pattern_ok("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", "cidr4 10.0.0.0/8");
    pattern_ok("[ipv6-addr:value = '2001:DB8::1' OR ipv6-addr:value ISSUBSET '2001:db8:1::/48']",
               "ipv6 2001:db8::1; cidr6 2001:db8:1::/48");
    pattern_ok("[domain-name:value = 'Evil.Example']", "fqdn evil.example");
    pattern_ok("[domain-name:value = 'evil.example' OR domain-name:value LIKE '%.evil.example']",
               "domain evil.example");
    pattern_ok("[domain-name:value MATCHES '^(.*\\\\.)?evil\\\\.example$']", "domain evil.example");
    pattern_ok("[domain-name:value MATCHES '(^|\\\\.)evil\\\\.example$']", "domain evil.example");
    pattern_ok("[domain-name:value MATCHES '^evil\\\\.example$']", "fqdn evil.example");
    pattern_ok("[domain-name:value LIKE 'exact.example']", "fqdn exact.example");
    pattern_ok("[domain-name:value MATCHES '\\\\.c2\\\\.test$'] OR [domain-name:value = 'c2.test']",
               "domain c2.test");
    pattern_ok("[url:value = 'HTTP://Evil.Example:80/a/./b']", "url http://evil.example/a/b");
    pattern_ok("[url:value MATCHES '^http://evil\\\\.example/gate\\\\.php\\\\?id=1$']",
               "url http://evil.example/gate.php?id=1");
    pattern_ok("[x509-certificate:hashes.'SHA-256' = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855']",
               "cert-sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    pattern_ok("[x509-certificate:hashes.'SHA-1' IN ('abcdef0123456789abcdef0123456789abcdef01', "
               "'ABCDEF0123456789ABCDEF0123456789ABCDEF01')]",
               "cert-sha1 abcdef0123456789abcdef0123456789abcdef01");
    pattern_ok("([ipv4-addr:value = '192.0.2.1'] OR [ipv4-addr:value = '192.0.2.2']) OR "
               "[domain-name:value IN ('a.example', 'b.example')]",
               "ipv4 192.0.2.1; ipv4 192.0.2.2; fqdn a.example; fqdn b.example");
    /* whitespace of every kind and comments */
    pattern_ok("/* c */\t[\u00a0ipv4-addr:value\u3000=\r\n'192.0.2.3' // end\n]", "ipv4 192.0.2.3");
    pattern_ok("[domain-name:value = 'it\\'s.odd' OR ipv4-addr:value = '192.0.2.4']", "ipv4 192.0.2.4");
    pattern_ok("[(ipv4-addr:value = '192.0.2.5')]", "ipv4 192.0.2.5");
    /* what cannot be enforced exactly, and why */
    pattern_bad("[ipv4-addr:value = '192.0.2.1' AND domain-name:value = 'x.example']", -SK_EUNSUP,
                "AND inside an observation");
    pattern_bad("[ipv4-addr:value = '192.0.2.1'] AND [domain-name:value = 'x.example']", -SK_EUNSUP,
                "AND between observations");
    pattern_bad("[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [ipv4-addr:value = '192.0.2.2']",
                -SK_EUNSUP, "FOLLOWEDBY");
    pattern_bad("[ipv4-addr:value = '192.0.2.1'] REPEATS 5 TIMES", -SK_EUNSUP, "REPEATS");
    pattern_bad("[ipv4-addr:value = '192.0.2.1'] WITHIN 300 SECONDS", -SK_EUNSUP, "WITHIN");
    pattern_bad("[ipv4-addr:value = '192.0.2.1'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
                -SK_EUNSUP, "START/STOP");
    pattern_bad("[ipv4-addr:value NOT = '192.0.2.1']", -SK_EUNSUP, "NOT on ipv4-addr:value");
    pattern_bad("[ipv4-addr:value != '192.0.2.1']", -SK_EUNSUP, "is not one value");
    pattern_bad("[file:hashes.'SHA-256' = 'abc']", -SK_EUNSUP, "file:hashes.SHA-256 is not matched on network traffic");
    pattern_bad("[domain-name:value LIKE '%.evil.example']", -SK_EUNSUP,
                "the subdomains of evil.example are matched but not evil.example itself");
    pattern_bad("[domain-name:value LIKE '%evil.example']", -SK_EUNSUP, "LIKE '%evil.example' is not one name");
    pattern_bad("[domain-name:value MATCHES '^evil.example$']", -SK_EUNSUP, "MATCHES '^evil.example$' is not one name");
    pattern_bad("[url:value LIKE 'http://x/%']", -SK_EUNSUP, "is not one URL");
    pattern_bad("[ipv4-addr:value = '10.1.2.3/8']", -SK_EUNSUP, "has host bits set");
    pattern_bad("[ipv4-addr:value = 5]", -SK_EUNSUP, "compared with an integer");
    pattern_bad("[EXISTS ipv4-addr:value]", -SK_EUNSUP, "EXISTS");
    pattern_bad("[domain-name:value = 'has space.example']", -SK_EUNSUP, "no comparison in it can match");
    /* syntax: where and what was expected */
    pattern_bad("", -SK_EPARSE, "offset 0: expected '[' or '('");
    pattern_bad("[ipv4-addr:value = '1.2.3.4'", -SK_EPARSE, "offset 28: expected ']' or a boolean operator");
    pattern_bad("[ipv4-addr value = '1.2.3.4']", -SK_EPARSE, "offset 11: expected ':'");
    pattern_bad("[ipv4-addr:value = '1.2.3.4]", -SK_EPARSE, "offset 19: unterminated string");
    pattern_bad("[ipv4-addr:value = 'a\\b']", -SK_EPARSE, "unterminated string (or an escape");
    pattern_bad("[ipv4-addr:value ~ '1']", -SK_EPARSE, "offset 17: unexpected character '~'");
    pattern_bad("[ipv4-addr:value = '1.2.3.4'] OR", -SK_EPARSE, "offset 32: expected '[' or '('");
    pattern_bad("[ipv4-addr:value = '1.2.3.4'] extra", -SK_EPARSE, "expected a boolean operator, a qualifier or the end");
    pattern_bad("[a:b IN ('x' 'y')]", -SK_EPARSE, "expected ',' or ')'");
    pattern_bad("[a:b = 1] START t'2016-13-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'", -SK_EPARSE,
                "expected a timestamp");
    pattern_bad("[a:b = 1] WITHIN -5 SECONDS", -SK_EPARSE, "expected a positive number of seconds");
    pattern_bad("[a:b = 1 /* open", -SK_EPARSE, "unterminated comment");
    pattern_bad("[a:b = 'x'] and [a:b = 'y']", -SK_EPARSE, "expected a boolean operator"); /* keywords are upper case */
    /* nested too deep */
    char deep[1000];
    memset(deep, '(', 150);
    deep[150] = '\0';
    pattern_bad(deep, -SK_EPARSE, "nested deeper than");
    /* export patterns read back as the indicator they came from */
    static const struct {
        enum sk_ioc_type t;
        const char *v;
    } round[] = {
        {SK_IOC_IPV4, "192.0.2.1"}, {SK_IOC_CIDR4, "192.0.2.0/24"}, {SK_IOC_IPV6, "2001:db8::1"},
        {SK_IOC_CIDR6, "2001:db8::/32"}, {SK_IOC_DOMAIN, "evil.example"}, {SK_IOC_FQDN, "www.evil.example"},
        {SK_IOC_DOMAIN, "_dmarc.x_y.example"}, /* '_' is a LIKE wildcard: exported with MATCHES */
        {SK_IOC_URL, "http://evil.example/it's"},
        {SK_IOC_CERT_SHA1, "abcdef0123456789abcdef0123456789abcdef01"},
    };
    for (size_t i = 0; i < sizeof round / sizeof round[0]; i++) {
        char *p = sk_stix_pattern_for(round[i].t, round[i].v), want[200];
        assert_non_null(p);
        snprintf(want, sizeof want, "%s %s", sk_ioc_type_name(round[i].t), round[i].v);
        pattern_ok(p, want);
        free(p);
    }
    assert_null(sk_stix_pattern_for(SK_IOC_JA3, "b386946a5a44d1ddcc843bc75336dfce"));
}

/* --- STIX bundles ---------------------------------------------------------------------- */

static void test_stix_bundles(void **state)
{
    struct got *g = malloc(sizeof *g);
    struct sk_errinfo ei;
    const char *bundle =
        "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": ["
        " {\"type\": \"marking-definition\", \"id\": \"marking-definition--local\", \"definition_type\": \"tlp\","
        "  \"definition\": {\"tlp\": \"green\"}},"
        " {\"type\": \"malware\", \"id\": \"malware--1\", \"name\": \"Emotet\", \"is_family\": true},"
        " {\"type\": \"indicator\", \"id\": \"indicator--a\", \"pattern_type\": \"stix\","
        "  \"pattern\": \"[ipv4-addr:value = '203.0.113.9']\", \"valid_from\": \"2024-01-01T00:00:00Z\","
        "  \"valid_until\": \"2030-01-01T00:00:00Z\", \"confidence\": 85, \"labels\": [\"c2\"],"
        "  \"kill_chain_phases\": [{\"kill_chain_name\": \"lockheed\", \"phase_name\": \"command-and-control\"}],"
        "  \"object_marking_refs\": [\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]},"
        " {\"type\": \"indicator\", \"id\": \"indicator--b\", \"pattern\": \"[domain-name:value = 'c2.example']\","
        "  \"valid_from\": \"2024-01-01T00:00:00Z\", \"object_marking_refs\": [\"marking-definition--local\"]},"
        " {\"type\": \"indicator\", \"id\": \"indicator--c\", \"pattern_type\": \"sigma\", \"pattern\": \"title: x\","
        "  \"valid_from\": \"2024-01-01T00:00:00Z\"},"
        " {\"type\": \"indicator\", \"id\": \"indicator--d\", \"revoked\": true, \"pattern\": \"[ipv4-addr:value = '203.0.113.10']\","
        "  \"valid_from\": \"2024-01-01T00:00:00Z\"},"
        " {\"type\": \"relationship\", \"id\": \"relationship--1\", \"relationship_type\": \"indicates\","
        "  \"source_ref\": \"indicator--a\", \"target_ref\": \"malware--1\"}"
        "]}";
    assert_int_equal(import_text(bundle, SK_FEED_AUTO, NULL, g, &ei), 0);
    assert_int_equal(g->n, 2);
    assert_string_equal(g->rec[0], "ipv4 203.0.113.9");
    assert_string_equal(g->detail[0],
                        "t 85 TLP:AMBER [Emotet] [kill-chain:command-and-control] [c2] indicator--a");
    assert_string_equal(g->rec[1], "fqdn c2.example");
    assert_string_equal(g->detail[1], "t 50 TLP:GREEN indicator--b");
    assert_int_equal(g->nskips, 2); /* sigma, revoked */
    /* malformed: the JSON path and what was expected; nothing before it counts */
    expect_error("{\"type\": \"bundle\", \"objects\": [{\"type\": \"indicator\", \"id\": \"indicator--x\","
                 " \"pattern\": \"[ipv4-addr:value = '1.2.3.4']\"}, {\"type\": \"indicator\", \"id\": \"indicator--y\","
                 " \"pattern\": \"[ipv4-addr:value = \"}]}",
                 SK_FEED_STIX, NULL, "feed.txt: $.objects[1].pattern: offset 19: expected a literal");
    expect_error("{\"type\": \"bundle\", \"objects\": [{\"type\": \"indicator\", \"id\": \"indicator--x\","
                 " \"pattern\": \"[ipv4-addr:value = '1.2.3.4']\", \"confidence\": \"high\"}]}",
                 SK_FEED_STIX, NULL, "$.objects[0].confidence: expected an integer from 0 to 100");
    expect_error("{\"type\": \"bundle\", \"objects\": [{\"type\": \"indicator\", \"id\": \"indicator--x\","
                 " \"pattern\": 7}]}", SK_FEED_STIX, NULL, "$.objects[0].pattern: expected a STIX pattern string");
    expect_error("{\"type\": \"bundle\", \"objects\": [{\"type\": \"indicator\", \"id\": \"indicator--x\","
                 " \"pattern\": \"[ipv4-addr:value = '1.2.3.4']\", \"valid_from\": \"yesterday\"}]}",
                 SK_FEED_STIX, NULL, "$.objects[0].valid_from: expected an RFC 3339 timestamp");
    expect_error("{\"type\": \"bundle\", \"objects\": [5]}", SK_FEED_STIX, NULL, "$.objects[0]: expected a STIX object");
    expect_error("{\"type\": \"bundle\", \"objects\": {}}", SK_FEED_STIX, NULL, "$.objects: expected an array");
    expect_error("{\"type\": \"bundle\",\n \"objects\": [}", SK_FEED_STIX, NULL, "feed.txt:2:");
    free(g);
}

/* Every example bundle of the OASIS repository, and what it must yield. */
static void test_stix_examples(void **state)
{
    static const char *const apt1[] = {"cidr4 58.246.0.0/15", "cidr4 223.166.0.0/15", "cidr4 112.64.0.0/15",
                                       "cidr4 139.226.0.0/15", "fqdn hugesoft.org", "fqdn arrowservice.net",
                                       "fqdn msnhome.org", NULL};
    static const char *const c2ip[] = {"ipv4 10.0.0.0", NULL};
    static const char *const none[] = {NULL};
    static const char *const poisonivy[] = {
        "fqdn 3q.wubangtu.info", "fqdn apple.cmdnetview.com", "fqdn av.ddns.us", "fqdn dedydns.ns01.us",
        "fqdn e.ct.toh.info", "fqdn fbi.zyns.com", "fqdn jj.mysecondarydns.com", "fqdn js001.3322.org",
        "fqdn maofajapa.3322.org", "fqdn mf.ddns.info", "fqdn microsofta.byinter.net",
        "fqdn microsoftb.byinter.net", "fqdn microsoftc.byinter.net", "fqdn microsofte.byinter.net",
        "fqdn mongoles.3322.org", "fqdn ngcc.8800.org", "fqdn nkr.iphone.qpoe.com", "fqdn send.have8000.com",
        "fqdn sh.chromeenter.com", "fqdn tw.2012yearleft.com", "fqdn weile3322b.3322.org",
        "fqdn www.webserver.dynssl.com", "fqdn www.webserver.fartit.com", "fqdn www.webserver.freetcp.com",
        "ipv4 101.78.151.179", "ipv4 113.10.246.30", "ipv4 123.183.210.28", "ipv4 180.210.206.96",
        "ipv4 202.65.220.64", "ipv4 202.65.222.45", "ipv4 219.76.208.163", "ipv4 219.90.112.197",
        "ipv4 219.90.112.203", "ipv4 60.1.1.114", "ipv4 60.10.1.114", "ipv4 60.10.1.115", "ipv4 60.10.1.118",
        "ipv4 60.10.1.120", "ipv4 60.10.1.121", "ipv4 60.2.148.167", "ipv4 75.126.95.138",
        "ipv4 98.126.148.114", NULL};
    static const struct {
        const char *file;
        const char *const *want;
        size_t skipped;
    } ex[] = {
        {"indicator-for-c2-ip-address.json", c2ip, 0},
        {"indicator-to-campaign-relationship.json", c2ip, 0},
        {"indicators-for-C2-with-COA.json", c2ip, 1},          /* a file hash */
        {"infrastructure.json", none, 0},
        {"interop-objectmarking-test.json", none, 0},          /* a lone campaign */
        {"malicious-email-indicator-with-attachment.json", none, 2}, /* e-mail patterns */
        {"threat-reports/apt1.json", apt1, 5},                 /* 3 file hashes, 2 certificate ANDs */
        {"threat-reports/poisonivy.json", poisonivy, 3},       /* 2 file names, 1 impossible name */
    };
    const char *root = getenv("SK_SHARED_DATA");
    char dir[512], path[700];
    struct got *g = malloc(sizeof *g);
    struct sk_errinfo ei = {""};

    snprintf(dir, sizeof dir, "%s/stix/examples", root ? root : "../shared/data");
    if (access(dir, R_OK) != 0) {
        printf("SKIP: %s not found (shared reference data is not part of the project)\n", dir);
        free(g);
        skip();
    }
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        struct sk_feed_sink s = {.record = rec, .skip = on_skip, .ctx = g};
        memset(g, 0, sizeof *g);
        snprintf(path, sizeof path, "%s/%s", dir, ex[i].file);
        if (sk_feed_import(path, SK_FEED_AUTO, &base_opts, &s, &ei) < 0)
            fail_msg("%s: %s", ex[i].file, ei.msg);
        size_t nwant = 0;
        for (const char *const *w = ex[i].want; *w; w++, nwant++)
            if (!has(g, *w))
                fail_msg("%s: missing '%s'", ex[i].file, *w);
        /* and nothing else (repeats of the same value aside) */
        for (size_t k = 0; k < g->n; k++) {
            int known = 0;
            for (const char *const *w = ex[i].want; *w; w++)
                known |= strcmp(*w, g->rec[k]) == 0;
            if (!known)
                fail_msg("%s: unexpected '%s'", ex[i].file, g->rec[k]);
        }
        if (g->nskips != ex[i].skipped)
            fail_msg("%s: %zu skipped, expected %zu", ex[i].file, g->nskips, ex[i].skipped);
        (void)nwant;
    }
    free(g);
}

/* --- MISP ------------------------------------------------------------------------------------- */

static const char misp_event[] =
    "{\"Event\": {\"info\": \"Emotet C2\", \"date\": \"2024-03-01\", \"uuid\": \"5f1a7b4e-0000-4000-8000-000000000001\","
    " \"Tag\": [{\"name\": \"tlp:amber\"}, {\"name\": \"misp-galaxy:malpedia=\\\"Emotet\\\"\"}],"
    " \"Attribute\": ["
    "  {\"type\": \"ip-dst\", \"value\": \"203.0.113.50\", \"to_ids\": true, \"timestamp\": \"1709251200\"},"
    "  {\"type\": \"ip-dst|port\", \"value\": \"203.0.113.51|8080\", \"to_ids\": \"1\"},"
    "  {\"type\": \"domain\", \"value\": \"emotet.example\", \"to_ids\": true, \"Tag\": [{\"name\": \"tlp:red\"}, {\"name\": \"epoch5\"}]},"
    "  {\"type\": \"hostname\", \"value\": \"c2.emotet.example\", \"to_ids\": false},"
    "  {\"type\": \"url\", \"value\": \"http://emotet.example/gate.php\", \"to_ids\": true, \"deleted\": true},"
    "  {\"type\": \"md5\", \"value\": \"d41d8cd98f00b204e9800998ecf8427e\", \"to_ids\": true},"
    "  {\"type\": \"domain|ip\", \"value\": \"cdn.emotet.example|198.51.100.7\", \"to_ids\": true}"
    " ],"
    " \"Object\": [{\"name\": \"x509\", \"Attribute\": ["
    "  {\"type\": \"x509-fingerprint-sha1\", \"value\": \"ABCDEF0123456789ABCDEF0123456789ABCDEF01\", \"to_ids\": true},"
    "  {\"type\": \"ja3-fingerprint-md5\", \"value\": \"b386946a5a44d1ddcc843bc75336dfce\", \"to_ids\": 1}]}]}}";

static void test_misp(void **state)
{
    struct got *g = malloc(sizeof *g);
    struct sk_errinfo ei;

    assert_int_equal(import_text(misp_event, SK_FEED_AUTO, NULL, g, &ei), 0);
    assert_int_equal(g->n, 7);
    assert_string_equal(g->rec[0], "ipv4 203.0.113.50");
    assert_string_equal(g->detail[0], "t 50 TLP:AMBER [Emotet]");
    assert_string_equal(g->rec[1], "ipv4 203.0.113.51");
    assert_string_equal(g->rec[2], "domain emotet.example");
    assert_string_equal(g->detail[2], "t 50 TLP:RED [Emotet] [epoch5]");
    assert_true(has(g, "domain cdn.emotet.example"));
    assert_true(has(g, "ipv4 198.51.100.7"));
    assert_true(has(g, "cert-sha1 abcdef0123456789abcdef0123456789abcdef01"));
    assert_true(has(g, "ja3 b386946a5a44d1ddcc843bc75336dfce"));
    assert_false(has(g, "fqdn c2.emotet.example")); /* to_ids false */
    assert_int_equal(g->nskips, 2); /* one line for to_ids false, one for the md5 */
    expect_error("{\"Event\": {\"Attribute\": [{\"type\": \"ip-dst\", \"value\": \"300.1.1.1\", \"to_ids\": true}]}}",
                 SK_FEED_MISP_EVENT, NULL, "feed.txt: $.Event.Attribute[0]: '300.1.1.1' is not an IPv4 address");
    expect_error("{\"Event\": {\"Attribute\": [{\"type\": \"ip-dst\", \"to_ids\": true}]}}",
                 SK_FEED_MISP_EVENT, NULL, "$.Event.Attribute[0].value: expected a string");
    expect_error("{\"Event\": {\"Object\": [{\"Attribute\": [{\"type\": \"domain|ip\", \"value\": \"x.example\", \"to_ids\": true}]}]}}",
                 SK_FEED_MISP_EVENT, NULL, "$.Event.Object[0].Attribute[0].value: a composite attribute needs 'a|b'");
    expect_error("{\"Event\": {\"Tag\": [{\"colour\": 1}]}}", SK_FEED_MISP_EVENT, NULL, "$.Event.Tag[0].name: expected a string");
    expect_error("{\"event\": {}}", SK_FEED_MISP_EVENT, NULL, "$: expected a MISP event");

    /* a feed: manifest + events */
    char feed[400], path[500];
    snprintf(feed, sizeof feed, "%s/feed", tmpdir);
    mkdir(feed, 0755);
    snprintf(path, sizeof path, "%s/manifest.json", feed);
    FILE *f = fopen(path, "w");
    fputs("{\"5f1a7b4e-0000-4000-8000-000000000001\": {\"info\": \"Emotet C2\", \"timestamp\": \"1709251200\"}}", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/5f1a7b4e-0000-4000-8000-000000000001.json", feed);
    f = fopen(path, "w");
    fputs(misp_event, f);
    fclose(f);
    struct sk_feed_sink s = {.record = rec, .skip = on_skip, .ctx = g};
    memset(g, 0, sizeof *g);
    assert_int_equal(sk_feed_import(feed, SK_FEED_AUTO, &base_opts, &s, &ei), 0);
    assert_int_equal(g->n, 7);
    snprintf(path, sizeof path, "%s/manifest.json", feed);
    f = fopen(path, "w");
    fputs("{\"5f1a7b4e-0000-4000-8000-000000000001\": {}, \"5f1a7b4e-0000-4000-8000-000000000002\": {}}", f);
    fclose(f);
    memset(g, 0, sizeof *g);
    assert_true(sk_feed_import(path, SK_FEED_AUTO, &base_opts, &s, &ei) < 0);
    assert_non_null(strstr(ei.msg, "5f1a7b4e-0000-4000-8000-000000000002.json"));
    free(g);
}

/* --- the store ----------------------------------------------------------------------------- */

static void write_file(const char *name, const char *text, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static size_t load_count(struct sk_store *st, const struct sk_feed_policy *pol, struct sk_intel **out)
{
    struct sk_intel_builder *b;
    struct sk_errinfo ei = {""};
    size_t n;
    assert_int_equal(sk_intel_builder_new(&b), 0);
    if (sk_feed_store_load(st, b, pol, &n, &ei) < 0)
        fail_msg("%s", ei.msg);
    assert_int_equal(sk_intel_build(b, out), 0);
    return n;
}

static void test_store(void **state)
{
    char db[400], p1[400], p2[400], p3[400];
    struct sk_store *st;
    struct sk_errinfo ei = {""};
    struct sk_feed_stats stats;
    struct sk_feed_opts o = {.source = "feed-a", .confidence = 80, .now = 1000 * SK_NS_PER_SEC};
    struct sk_feed_source_opts so = {.decay_half_life_ns = -1, .ttl_ns = -1};
    struct sk_intel *in;

    snprintf(db, sizeof db, "%s/feed.db", tmpdir);
    unlink(db);
    assert_int_equal(sk_store_open(&st, db, &ei), 0);
    write_file("a.txt", "192.0.2.1\n192.0.2.2\nc2.example\n192.0.2.1\n", p1, sizeof p1);
    assert_int_equal(sk_feed_store_import(st, p1, SK_FEED_PLAIN, &o, &so, NULL, &stats, &ei), 0);
    assert_int_equal(stats.records, 4);
    assert_int_equal(stats.added, 3);
    /* a bad line: the whole file lands nothing */
    write_file("bad.txt", "198.51.100.1\n198.51.100.2\nnot a value\n", p2, sizeof p2);
    assert_true(sk_feed_store_import(st, p2, SK_FEED_PLAIN, &o, &so, NULL, &stats, &ei) < 0);
    assert_non_null(strstr(ei.msg, "bad.txt:3:"));
    struct sk_feed_policy pol = {.now = 2000 * SK_NS_PER_SEC};
    assert_int_equal(load_count(st, &pol, &in), 3);
    assert_null(sk_intel_find(in, SK_IOC_IPV4, "198.51.100.1"));
    sk_intel_free(in);
    /* a second source asserting one of the same values: one indicator, two sources */
    o.source = "feed-b";
    o.confidence = 40;
    write_file("b.txt", "192.0.2.1\n", p3, sizeof p3);
    assert_int_equal(sk_feed_store_import(st, p3, SK_FEED_PLAIN, &o, &so, NULL, &stats, &ei), 0);
    assert_int_equal(load_count(st, &pol, &in), 4);
    const struct sk_indicator *ind = sk_intel_find(in, SK_IOC_IPV4, "192.0.2.1");
    assert_non_null(ind);
    assert_int_equal(ind->nsources, 2);
    assert_int_equal(ind->confidence, 80);
    sk_intel_free(in);
    /* replace: feed-a now lists only c2.example */
    o.source = "feed-a";
    o.confidence = 80;
    o.now = 3000 * SK_NS_PER_SEC;
    so.replace = 1;
    write_file("a2.txt", "c2.example\n", p1, sizeof p1);
    assert_int_equal(sk_feed_store_import(st, p1, SK_FEED_PLAIN, &o, &so, NULL, &stats, &ei), 0);
    assert_int_equal(stats.updated, 1);
    assert_int_equal(stats.removed, 2);
    assert_int_equal(load_count(st, &pol, &in), 2);
    assert_null(sk_intel_find(in, SK_IOC_IPV4, "192.0.2.2")); /* nobody asserts it any more */
    ind = sk_intel_find(in, SK_IOC_IPV4, "192.0.2.1");
    assert_non_null(ind);
    assert_int_equal(ind->nsources, 1); /* feed-b only */
    sk_intel_free(in);
    /* decay: feed-b (last seen at 1000 s) with a 1000 s half-life; ttl of feed-a */
    so.replace = 0;
    so.decay_half_life_ns = 1000 * (int64_t)SK_NS_PER_SEC;
    o.source = "feed-b";
    o.confidence = 40;
    o.now = 1000 * SK_NS_PER_SEC;
    assert_int_equal(sk_feed_store_import(st, p3, SK_FEED_PLAIN, &o, &so, NULL, &stats, &ei), 0);
    pol.now = 3000 * SK_NS_PER_SEC; /* two half-lives: 40 → 10 */
    assert_int_equal(load_count(st, &pol, &in), 2);
    ind = sk_intel_find(in, SK_IOC_IPV4, "192.0.2.1");
    assert_int_equal(ind->confidence, 10);
    sk_intel_free(in);
    pol.min_confidence = 11;
    assert_int_equal(load_count(st, &pol, &in), 1);
    sk_intel_free(in);
    pol.min_confidence = 0;
    pol.max_age_ns = 500 * (int64_t)SK_NS_PER_SEC; /* c2.example last seen at 3000 s */
    pol.now = 3400 * SK_NS_PER_SEC;
    assert_int_equal(load_count(st, &pol, &in), 1);
    assert_non_null(sk_intel_find(in, SK_IOC_DOMAIN, "c2.example"));
    sk_intel_free(in);
    pol.now = 3600 * SK_NS_PER_SEC;
    assert_int_equal(load_count(st, &pol, &in), 0);
    sk_intel_free(in);
    /* valid_until from a STIX bundle expires the indicator */
    write_file("s.json", "{\"type\": \"bundle\", \"objects\": [{\"type\": \"indicator\", \"id\": \"indicator--e\","
                    " \"pattern\": \"[ipv4-addr:value = '203.0.113.1']\", \"valid_from\": \"2020-01-01T00:00:00Z\","
                    " \"valid_until\": \"2021-01-01T00:00:00Z\"}]}", p1, sizeof p1);
    o.source = "stix";
    so.decay_half_life_ns = -1;
    assert_int_equal(sk_feed_store_import(st, p1, SK_FEED_AUTO, &o, &so, NULL, &stats, &ei), 0);
    pol = (struct sk_feed_policy){.now = 1609459199ULL * SK_NS_PER_SEC}; /* 2020-12-31T23:59:59Z */
    load_count(st, &pol, &in);
    assert_non_null(sk_intel_find(in, SK_IOC_IPV4, "203.0.113.1"));
    sk_intel_free(in);
    pol.now = 1609459201ULL * SK_NS_PER_SEC;
    load_count(st, &pol, &in);
    assert_null(sk_intel_find(in, SK_IOC_IPV4, "203.0.113.1"));
    sk_intel_free(in);
    sk_store_close(st);
}

static int setup(void **state)
{
    const char *base = getenv("SK_TEST_TMP");
    char cmd[600];
    snprintf(tmpdir, sizeof tmpdir, "%s/feed_%d", base && *base ? base : "/tmp", (int)getpid());
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),         cmocka_unit_test(test_csv),
        cmocka_unit_test(test_abuse_ch),      cmocka_unit_test(test_stix_patterns),
        cmocka_unit_test(test_stix_bundles),  cmocka_unit_test(test_stix_examples),
        cmocka_unit_test(test_misp),          cmocka_unit_test(test_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
