/*
 * test_act.c — the parts of src/act that do not need a real server: DNS
 * messages and TSIG, the key file parser, the HTTP/TLS sniffers, the contact
 * and operator registries, act_entries stacking, the RPZ policy model
 * (deltas, tombstones, folding, whole recomputation, journal) and the dry
 * run over stored telemetry. The real resolvers, firewall and routers are
 * in tests/integration/test_act_*.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act/act-int.h"
#include "act/contacts.h"
#include "act/dnsmsg.h"
#include "act/rpz.h"
#include "act/sniff.h"
#include "sakimori/act.h"
#include "sakimori/action.h"
#include "sakimori/addr.h"
#include "sakimori/conf.h"
#include "sakimori/store.h"
#include "sakimori/telemetry.h"

static char dbpath[64];

static int setup(void **state)
{
    snprintf(dbpath, sizeof dbpath, "/tmp/sk_act_%d.db", (int)getpid());
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

/* --- DNS messages ------------------------------------------------------- */

static void test_dns_roundtrip(void **state)
{
    struct sk_dnsw w;
    struct sk_dnsr r;
    struct sk_dnsrr rr;
    char txt[600];

    sk__dnsw_init(&w, 0x1234, 0x0100);
    sk__dnsw_question(&w, "Evil.Example.", SK_DNS_A, SK_DNS_IN);
    sk__dnsw_count(&w, 0, 1);
    assert_int_equal(sk__dnsw_rr_text(&w, "x", "delta.sakimori.rpz", 60, "A 192.0.2.7"), 0);
    assert_int_equal(sk__dnsw_rr_text(&w, "x", "delta.sakimori.rpz", 60, "AAAA 2001:db8::7"), 0);
    assert_int_equal(sk__dnsw_rr_text(&w, "*.y", "delta.sakimori.rpz", 60, "CNAME ."), 0);
    assert_int_equal(sk__dnsw_rr_text(&w, "z", "delta.sakimori.rpz", 60, "CNAME rpz-passthru."), 0);
    sk__dnsw_soa(&w, "delta.sakimori.rpz", 4000000000u, 60);
    sk__dnsw_count(&w, 1, 5);
    assert_int_equal(sk__dnsw_rr_text(&w, "x", "z", 60, "MX 10 mail."), -SK_EUNSUP);
    assert_int_equal(sk__dnsw_rr_text(&w, "x", "z", 60, "A 300.1.1.1"), -SK_EPARSE);
    assert_int_equal(w.err, 0);

    assert_int_equal(sk__dnsr_init(&r, w.buf, w.len), 0);
    assert_int_equal(r.id, 0x1234);
    assert_string_equal(r.qname, "evil.example");
    assert_int_equal(r.qtype, SK_DNS_A);
    const char *want[] = {"A 192.0.2.7", "AAAA 2001:db8::7", "CNAME .", "CNAME rpz-passthru.",
                          "SOA localhost. hostmaster.localhost. 4000000000 300 60 2592000 60"};
    const char *owners[] = {"x.delta.sakimori.rpz", "x.delta.sakimori.rpz",
                            "*.y.delta.sakimori.rpz", "z.delta.sakimori.rpz",
                            "delta.sakimori.rpz"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sk__dnsr_next(&r, &rr), 1);
        assert_string_equal(rr.name, owners[i]);
        assert_int_equal(sk__dnsrr_text(&r, &rr, txt, sizeof txt), 0);
        assert_string_equal(txt, want[i]);
    }
    uint32_t serial;
    assert_int_equal(sk__dnsrr_soa_serial(&rr, &serial), 0);
    assert_int_equal(serial, 4000000000u);
    assert_int_equal(sk__dnsr_next(&r, &rr), 0);
}

static void test_dns_names_hostile(void **state)
{
    /* header + a name with a pointer back to itself: a loop */
    uint8_t loop[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
    uint8_t fwd[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 1, 'a', 0, 0, 1, 0, 1};
    /* a compressed name pointing to an earlier one is fine */
    uint8_t ok[] = {0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 2, 'b', 'c', 0, 0, 1, 0, 1,
                    1, 'x', 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};
    struct sk_dnsr r;
    struct sk_dnsrr rr;
    char name[SK_DNS_NAME_MAX];
    size_t off;

    assert_int_equal(sk__dnsr_init(&r, loop, sizeof loop), -SK_EPARSE);
    assert_int_equal(sk__dnsr_init(&r, fwd, sizeof fwd), -SK_EPARSE);
    assert_int_equal(sk__dnsr_init(&r, ok, sizeof ok), 0);
    assert_string_equal(r.qname, "a.bc");
    assert_int_equal(sk__dnsr_next(&r, &rr), 1);
    assert_string_equal(rr.name, "x.a.bc");
    assert_int_equal(sk__dnsr_init(&r, ok, 11), -SK_ETRUNC);
    /* a label with odd bytes is escaped, not trusted */
    uint8_t odd[] = {3, 'a', '.', 0x01, 0};
    off = 0;
    assert_int_equal(sk__dns_read_name(odd, sizeof odd, &off, name, sizeof name), 0);
    assert_string_equal(name, "a\\046\\001");
    /* over 255 octets on the wire */
    uint8_t big[320];
    size_t k = 0;
    for (int i = 0; i < 5; i++) {
        big[k++] = 60;
        memset(big + k, 'a', 60);
        k += 60;
    }
    big[k++] = 0;
    off = 0;
    assert_int_equal(sk__dns_read_name(big, k, &off, name, sizeof name), -SK_EPARSE);
    /* writing a too-long label fails and sticks */
    struct sk_dnsw w;
    char lab[80];
    memset(lab, 'a', 64);
    lab[64] = '\0';
    sk__dnsw_init(&w, 1, 0);
    sk__dnsw_name(&w, lab);
    assert_int_equal(w.err, -SK_EPARSE);
}

/* The server side of RFC 8945 §4.3, written here independently of
 * dnsmsg.c: MAC over request MAC, the reply, then the TSIG variables. */
static size_t server_sign(uint8_t *msg, size_t len, const uint8_t *key, size_t keylen,
                          const char *keyname_wire, size_t kwl, const uint8_t *req_mac,
                          uint64_t t, int tamper)
{
    static const uint8_t alg[] = {11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '5', '6', 0};
    crypto_auth_hmacsha256_state st;
    uint8_t mac[32], vars[300], lm[2] = {0, 32};
    size_t v = 0;

    memcpy(vars + v, keyname_wire, kwl), v += kwl;
    vars[v++] = 0, vars[v++] = 255;                 /* class ANY */
    memset(vars + v, 0, 4), v += 4;                 /* TTL */
    memcpy(vars + v, alg, sizeof alg), v += sizeof alg;
    vars[v++] = 0, vars[v++] = 0;                   /* time, 48 bits */
    vars[v++] = (uint8_t)(t >> 24), vars[v++] = (uint8_t)(t >> 16);
    vars[v++] = (uint8_t)(t >> 8), vars[v++] = (uint8_t)t;
    vars[v++] = 1, vars[v++] = 44;                  /* fudge 300 */
    vars[v++] = 0, vars[v++] = 0, vars[v++] = 0, vars[v++] = 0; /* error, other len */
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, lm, 2);
    crypto_auth_hmacsha256_update(&st, req_mac, 32);
    crypto_auth_hmacsha256_update(&st, msg, len);
    crypto_auth_hmacsha256_update(&st, vars, v);
    crypto_auth_hmacsha256_final(&st, mac);
    if (tamper)
        mac[0] ^= 1;
    /* append the TSIG RR */
    size_t o = len;
    memcpy(msg + o, keyname_wire, kwl), o += kwl;
    msg[o++] = 0, msg[o++] = 250, msg[o++] = 0, msg[o++] = 255;
    memset(msg + o, 0, 4), o += 4;
    size_t rdl = sizeof alg + 6 + 2 + 2 + 32 + 2 + 2 + 2;
    msg[o++] = (uint8_t)(rdl >> 8), msg[o++] = (uint8_t)rdl;
    memcpy(msg + o, alg, sizeof alg), o += sizeof alg;
    msg[o++] = 0, msg[o++] = 0;
    msg[o++] = (uint8_t)(t >> 24), msg[o++] = (uint8_t)(t >> 16);
    msg[o++] = (uint8_t)(t >> 8), msg[o++] = (uint8_t)t;
    msg[o++] = 1, msg[o++] = 44, msg[o++] = 0, msg[o++] = 32;
    memcpy(msg + o, mac, 32), o += 32;
    msg[o++] = msg[0], msg[o++] = msg[1];           /* original id */
    msg[o++] = 0, msg[o++] = 0, msg[o++] = 0, msg[o++] = 0;
    msg[11]++;                                      /* ARCOUNT */
    return o;
}

static void test_tsig(void **state)
{
    static const char keyfile[] =
        "# made by tsig-keygen\n"
        "key \"sakimori-test\" {\n"
        "\talgorithm hmac-sha256;\n"
        "\tsecret \"uQtqu03yOG75eMtTxq1jyn+7QnzxwU9EVQANJ9sQcOs=\";\n"
        "};\n";
    static const char kname[] = "\x0dsakimori-test";
    struct sk_tsig_key k;
    struct sk_errinfo ei = {""};
    struct sk_dnsw w;
    uint8_t mac[64], reply[1024];
    size_t maclen;
    uint64_t now = 1795600000;

    assert_int_equal(sk__tsig_key_parse(keyfile, sizeof keyfile - 1, "k", &k, &ei), 0);
    assert_string_equal(k.name, "sakimori-test");
    assert_string_equal(k.alg, "hmac-sha256");
    assert_int_equal(k.secret_len, 32);

    sk__dnsw_init(&w, 0x4242, SK_DNS_OP_UPDATE << 11);
    sk__dnsw_question(&w, "delta.sakimori.rpz", SK_DNS_SOA, SK_DNS_IN);
    sk__dnsw_count(&w, 0, 1);
    size_t unsigned_len = w.len;
    assert_int_equal(sk__tsig_sign(&w, &k, now, mac, &maclen), 0);
    assert_int_equal(maclen, 32);
    assert_int_equal(sk__dnsw_get_count(&w, 3), 1);
    /* (that BIND accepts the request MAC is tested against a real named in
     * integration/test_act_rpz.sh) */
    /* a reply signed the way a server does verifies; a flipped bit or a
     * wrong time does not */
    uint8_t base[12] = {0x42, 0x42, 0xa8, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    size_t n;
    memcpy(reply, base, 12);
    memcpy(reply + 12, w.buf + 12, unsigned_len - 12);
    n = server_sign(reply, unsigned_len, k.secret, k.secret_len, kname, sizeof kname, mac, now, 0);
    assert_int_equal(sk__tsig_verify_reply(reply, n, &k, mac, maclen, now + 5), 0);
    assert_int_equal(sk__tsig_verify_reply(reply, n, &k, mac, maclen, now + 400), -SK_ECRYPTO);
    uint8_t other_mac[32] = {1};
    assert_int_equal(sk__tsig_verify_reply(reply, n, &k, other_mac, 32, now), -SK_ECRYPTO);
    memcpy(reply, base, 12);
    memcpy(reply + 12, w.buf + 12, unsigned_len - 12);
    n = server_sign(reply, unsigned_len, k.secret, k.secret_len, kname, sizeof kname, mac, now, 1);
    assert_int_equal(sk__tsig_verify_reply(reply, n, &k, mac, maclen, now), -SK_ECRYPTO);
    /* no TSIG at all */
    base[5] = 0;
    assert_int_equal(sk__tsig_verify_reply(base, 12, &k, mac, maclen, now), -SK_ECRYPTO);
}

static void test_tsig_key_errors(void **state)
{
    struct sk_tsig_key k;
    struct { const char *text, *want; } cases[] = {
        {"key \"a\" {\n algorithm hmac-sha256;\n};\n", "k:3: expected both"},
        {"key \"a\" {\n algorithm hmac-md5;\n secret \"AAAA\";\n};\n", "k:2: algorithm 'hmac-md5'"},
        {"key \"a\" {\n algorithm hmac-sha256;\n secret \"!!!\";\n};\n", "k:3: the secret"},
        {"zone \"a\" {};", "k:1: expected 'key"},
        {"key \"a\" {\n algorithm hmac-sha256\n secret \"AAAA\";\n};\n", "k:3: expected ';'"},
        {"key \"a\" { /* unterminated", "k:1: expected"},
        {"key \"a\" {\n colour blue;\n};\n", "k:2: unknown key clause 'colour'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sk_errinfo ei = {""};
        assert_true(sk__tsig_key_parse(cases[i].text, strlen(cases[i].text), "k", &k, &ei) < 0);
        if (!strstr(ei.msg, cases[i].want))
            fail_msg("case %zu: '%s' lacks '%s'", i, ei.msg, cases[i].want);
    }
}

/* --- sniffers ------------------------------------------------------------- */

static size_t hello(uint8_t *b, const char *sni)
{
    size_t n = strlen(sni), o = 0, ext, hs;
    b[o++] = 22, b[o++] = 3, b[o++] = 1, o += 2;
    hs = o;
    b[o++] = 1, o += 3, b[o++] = 3, b[o++] = 3;
    memset(b + o, 7, 32), o += 32;
    b[o++] = 32, memset(b + o, 9, 32), o += 32; /* a session id */
    b[o++] = 0, b[o++] = 4, b[o++] = 0x13, b[o++] = 1, b[o++] = 0x13, b[o++] = 2;
    b[o++] = 1, b[o++] = 0;
    ext = o, o += 2;
    b[o++] = 0, b[o++] = 23, b[o++] = 0, b[o++] = 0; /* extended master secret, empty */
    b[o++] = 0, b[o++] = 0, b[o++] = (uint8_t)((n + 5) >> 8), b[o++] = (uint8_t)(n + 5);
    b[o++] = (uint8_t)((n + 3) >> 8), b[o++] = (uint8_t)(n + 3), b[o++] = 0;
    b[o++] = (uint8_t)(n >> 8), b[o++] = (uint8_t)n;
    memcpy(b + o, sni, n), o += n;
    b[ext] = (uint8_t)((o - ext - 2) >> 8), b[ext + 1] = (uint8_t)(o - ext - 2);
    b[hs + 1] = 0, b[hs + 2] = (uint8_t)((o - hs - 4) >> 8), b[hs + 3] = (uint8_t)(o - hs - 4);
    b[3] = (uint8_t)((o - 5) >> 8), b[4] = (uint8_t)(o - 5);
    return o;
}

static void test_sniff(void **state)
{
    char name[256];
    const char *req = "GET /gate.php HTTP/1.1\r\nUser-Agent: x\r\nHOST:  C2.Evil.Example:8080 \r\n\r\n";
    uint8_t b[600];

    assert_int_equal(sk__sniff_http_host((const uint8_t *)req, strlen(req), name, sizeof name),
                     SK_SNIFF_NAME);
    assert_string_equal(name, "c2.evil.example");
    assert_int_equal(sk__sniff_http_host((const uint8_t *)req, 20, name, sizeof name), SK_SNIFF_MORE);
    assert_int_equal(sk__sniff_http_host((const uint8_t *)"GE", 2, name, sizeof name), SK_SNIFF_MORE);
    const char *nohost = "POST / HTTP/1.0\r\nA: b\r\n\r\n";
    assert_int_equal(sk__sniff_http_host((const uint8_t *)nohost, strlen(nohost), name, sizeof name),
                     SK_SNIFF_NONAME);
    const char *v6 = "GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n";
    assert_int_equal(sk__sniff_http_host((const uint8_t *)v6, strlen(v6), name, sizeof name),
                     SK_SNIFF_NAME);
    assert_string_equal(name, "[2001:db8::1]:80");
    assert_int_equal(sk__sniff_http_host((const uint8_t *)"\x16\x03\x01", 3, name, sizeof name),
                     SK_SNIFF_NO);
    const char *evil = "GET / HTTP/1.1\r\nHost: a\"b<script>\r\n\r\n";
    assert_int_equal(sk__sniff_http_host((const uint8_t *)evil, strlen(evil), name, sizeof name),
                     SK_SNIFF_NONAME);

    size_t n = hello(b, "Tls-C2.Evil.Example");
    assert_int_equal(sk__sniff_tls_sni(b, n, name, sizeof name), SK_SNIFF_NAME);
    assert_string_equal(name, "tls-c2.evil.example");
    for (size_t cut = 0; cut < n; cut++)
        assert_int_equal(sk__sniff_tls_sni(b, cut, name, sizeof name), SK_SNIFF_MORE);
    b[0] = 23;
    assert_int_equal(sk__sniff_tls_sni(b, n, name, sizeof name), SK_SNIFF_NO);
    b[0] = 22;
    b[9 + 2 + 32] = 200; /* session id longer than the record */
    assert_int_equal(sk__sniff_tls_sni(b, n, name, sizeof name), SK_SNIFF_NONAME);
}

/* --- registries ----------------------------------------------------------- */

#define ABUSE(fn, em)                                                                          \
    "{\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\", [[\"version\", {}, \"text\", \"4.0\"]," \
    " [\"fn\", {}, \"text\", \"" fn "\"], [\"email\", {}, \"text\", \"" em "\"]]]}"

static void test_contacts(void **state)
{
    static const char db[] =
        "{\"networks\": ["
        " {\"handle\": \"N1\", \"name\": \"BIG\", \"cidr0_cidrs\": [{\"v4prefix\": \"203.0.113.0\", \"length\": 24}],"
        "  \"entities\": [" ABUSE("Big", "abuse@big.example") "]},"
        " {\"handle\": \"N2\", \"startAddress\": \"203.0.113.64\", \"endAddress\": \"203.0.113.127\","
        "  \"entities\": [{\"roles\": [\"registrant\"], \"entities\": [" ABUSE("Small", "abuse@small.example") "]}]},"
        " {\"handle\": \"N6\", \"cidr0_cidrs\": [{\"v6prefix\": \"2001:db8::\", \"length\": 32}],"
        "  \"entities\": [" ABUSE("Six", "abuse@six.example") "]}],"
        " \"domains\": ["
        " {\"handle\": \"D1\", \"ldhName\": \"Evil.Example.\", \"entities\": [" ABUSE("Reg", "abuse@reg.example") "]},"
        " {\"handle\": \"D2\", \"ldhName\": \"sub.evil.example\", \"entities\": [" ABUSE("Sub", "abuse@sub.example") "]}]}";
    struct sk_contacts *c;
    struct sk_contact k;
    struct sk_errinfo ei = {""};
    struct sk_addr a;

    assert_int_equal(sk__contacts_parse(db, sizeof db - 1, "db", &c, &ei), 0);
    sk_addr_parse("203.0.113.1", &a);
    assert_int_equal(sk__contacts_for_addr(c, &a, &k), 0);
    assert_string_equal(k.email, "abuse@big.example");
    assert_string_equal(k.matched, "203.0.113.0/24");
    sk_addr_parse("203.0.113.100", &a);
    assert_int_equal(sk__contacts_for_addr(c, &a, &k), 0);
    assert_string_equal(k.email, "abuse@small.example");
    assert_string_equal(k.matched, "203.0.113.64/26");
    assert_string_equal(k.name, "Small");
    sk_addr_parse("2001:db8:1::1", &a);
    assert_int_equal(sk__contacts_for_addr(c, &a, &k), 0);
    assert_string_equal(k.email, "abuse@six.example");
    sk_addr_parse("198.51.100.1", &a);
    assert_int_equal(sk__contacts_for_addr(c, &a, &k), -SK_ENOTFOUND);
    assert_int_equal(sk__contacts_for_name(c, "c2.evil.example", &k), 0);
    assert_string_equal(k.email, "abuse@reg.example");
    assert_int_equal(sk__contacts_for_name(c, "x.SUB.evil.example", &k), 0);
    assert_string_equal(k.email, "abuse@sub.example");
    assert_int_equal(sk__contacts_for_name(c, "evil.example", &k), 0);
    assert_int_equal(sk__contacts_for_name(c, "notevil.example", &k), -SK_ENOTFOUND);
    sk__contacts_free(c);

    struct { const char *text, *want; } bad[] = {
        {"{\"networks\": [{\"cidr0_cidrs\": [{\"v4prefix\": \"203.0.113.1\", \"length\": 24}]}]}",
         "networks[0].cidr0_cidrs[0]: not a valid prefix"},
        {"{\"networks\": [{\"startAddress\": \"203.0.113.1\", \"endAddress\": \"203.0.113.9\","
         " \"entities\": []}]}", "networks[0]: startAddress..endAddress is not one prefix"},
        {"{\"domains\": [{\"ldhName\": \"x.example\", \"entities\": [{\"roles\": [\"tech\"]}]}]}",
         "domains[0]: no entity with the \"abuse\" role"},
        {"{\"networks\": 5}", "db: $: expected"},
        {"{\"networks\": [}", "db:1:"},
        {"{\"domains\": [{\"ldhName\": \"x.example\", \"entities\": [" ABUSE("x", "a@b\\r\\nBcc: c@d") "]}]}",
         "not a plain address"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sk_errinfo e = {""};
        assert_true(sk__contacts_parse(bad[i].text, strlen(bad[i].text), "db", &c, &e) < 0);
        if (!strstr(e.msg, bad[i].want))
            fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, bad[i].want);
    }
}

static void test_operators(void **state)
{
    static const char reg[] =
        "{\"operators\": [{\"id\": \"wide\", \"email\": \"noc@wide.example\", \"prefixes\": [\"10.0.0.0/8\"]},"
        " {\"id\": \"grid\", \"name\": \"Grid\", \"email\": \"soc@grid.example\","
        "  \"prefixes\": [\"10.20.0.0/16\", \"2001:db8:20::/48\"]}]}";
    struct sk_operators *o;
    struct sk_errinfo ei = {""};
    struct sk_addr a;

    assert_int_equal(sk__operators_parse(reg, sizeof reg - 1, "r", &o, &ei), 0);
    sk_addr_parse("10.20.3.4", &a);
    assert_string_equal(sk__operators_for_addr(o, &a)->id, "grid");
    sk_addr_parse("10.21.3.4", &a);
    assert_string_equal(sk__operators_for_addr(o, &a)->id, "wide");
    assert_string_equal(sk__operators_for_addr(o, &a)->name, "wide");
    sk_addr_parse("2001:db8:20::9", &a);
    assert_string_equal(sk__operators_for_addr(o, &a)->id, "grid");
    sk_addr_parse("192.0.2.1", &a);
    assert_null(sk__operators_for_addr(o, &a));
    sk__operators_free(o);
    const char *bad = "{\"operators\": [{\"id\": \"../x\", \"email\": \"a@b\", \"prefixes\": [\"10.0.0.0/8\"]}]}";
    assert_true(sk__operators_parse(bad, strlen(bad), "r", &o, &ei) < 0);
    assert_non_null(strstr(ei.msg, "operators[0]"));
}

/* --- act_entries ------------------------------------------------------------ */

static struct sk_action_req req(uint64_t id, const char *target, const char *variant)
{
    struct sk_action_req r;
    memset(&r, 0, sizeof r);
    r.id = id;
    sk_target_parse(target, &r.target, NULL);
    r.variant = variant;
    r.not_after = 1000 * id;
    return r;
}

static void test_entries_stacking(void **state)
{
    struct sk_store *st;
    struct sk_errinfo ei = {""};
    struct sk__act_entry e;
    int removed;

    assert_int_equal(sk_store_open(&st, dbpath, &ei), 0);
    struct sk_action_req a = req(1, "evil.example", "sinkhole"), b = req(2, "evil.example", "nxdomain");
    assert_int_equal(sk__act_entry_put(st, "rpz", "evil.example", &a, "sinkhole"), 0);
    assert_int_equal(sk__act_entry_put(st, "rpz", "evil.example", &b, "nxdomain"), 0);
    assert_int_equal(sk__act_entry_put(st, "rpz", "evil.example", &a, "sinkhole"), 0); /* again */
    assert_int_equal(sk__act_entry_top(st, "rpz", "evil.example", &e), 0);
    assert_string_equal(e.variant, "nxdomain");
    assert_int_equal(e.action_id, 2);
    assert_int_equal(e.not_after, 2000);
    assert_int_equal(sk__act_entry_del(st, "rpz", "evil.example", 2, &removed), 0);
    assert_int_equal(removed, 1);
    assert_int_equal(sk__act_entry_top(st, "rpz", "evil.example", &e), 0);
    assert_string_equal(e.variant, "sinkhole");
    assert_int_equal(sk__act_entry_del(st, "rpz", "evil.example", 2, &removed), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(sk__act_entry_del(st, "rpz", "evil.example", 1, &removed), 0);
    assert_int_equal(sk__act_entry_top(st, "rpz", "evil.example", &e), -SK_ENOTFOUND);
    sk_store_close(st);
}

/* --- the RPZ policy model ----------------------------------------------------- */

static const char *zone_row(struct sk_store *st, const char *zone, const char *owner)
{
    static char out[RPZ_RRS_MAX];
    sqlite3_stmt *s;
    sqlite3_prepare_v2(sk_store_db(st), "SELECT rrs FROM act_rpz_zone WHERE zone = ?1 AND owner = ?2",
                       -1, &s, NULL);
    sqlite3_bind_text(s, 1, zone, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_STATIC);
    out[0] = '\0';
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}

static void apply_key(struct sk_rpz_ctx *c, struct sk_action_req *r, const char *key, int add,
                      struct sk_rpz_batch *b)
{
    char owners[2][RPZ_OWNER_MAX];
    int n = sk__rpz_owners_of(key, owners);
    assert_int_equal(sk_store_begin(c->st), 0);
    if (add)
        assert_int_equal(sk__act_entry_put(c->st, "rpz", key, r, r->variant), 0);
    else
        assert_int_equal(sk__act_entry_del(c->st, "rpz", key, r->id, NULL), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(sk__rpz_owner_update(c, owners[i], b), 0);
    assert_int_equal(sk_store_commit(c->st), 0);
}

static int dump_row(void *ctx, int n, char **v, char **names)
{
    for (int i = 0; i < n; i++)
        fprintf(stderr, "%s%s", i ? "|" : "", v[i] ? v[i] : "NULL");
    fprintf(stderr, "\n");
    return 0;
}

static void test_rpz_model(void **state)
{
    struct sk_store *st;
    struct sk_errinfo ei = {""};
    struct sk_rpz_ctx c = {.unbound = 1, .bind = 1, .ttl = 60};
    struct sk_rpz_batch b = {0};
    int64_t v, s0, s1;

    assert_int_equal(sk_store_open(&st, dbpath, &ei), 0);
    c.st = st;
    snprintf(c.sinkhole_rrs, sizeof c.sinkhole_rrs, "A 192.0.2.7");
    assert_int_equal(sk__rpz_serial(st, RZ_U_DELTA, &s0), 0);

    /* a domain sinkholed: two owners in both deltas; one journal version */
    struct sk_action_req d = req(1, "*.evil.example", NULL);
    apply_key(&c, &d, "*.evil.example", 1, &b);
    assert_string_equal(zone_row(st, "u:delta", "evil.example"), "A 192.0.2.7");
    assert_string_equal(zone_row(st, "u:delta", "*.evil.example"), "A 192.0.2.7");
    assert_string_equal(zone_row(st, "b:delta", "*.evil.example"), "A 192.0.2.7");
    assert_int_equal(b.serial[RZ_U_DELTA], s0 + 1);
    assert_int_equal(b.serial[RZ_B_DELTA], 0); /* BIND zones are not journalled */
    assert_int_equal(b.n, 4);
    sk__rpz_batch_free(&b);

    /* a PASSTHRU exception goes to the allow zones, not the deltas */
    struct sk_action_req p = req(2, "good.evil.example", "passthru");
    apply_key(&c, &p, "good.evil.example", 1, &b);
    assert_string_equal(zone_row(st, "u:allow", "good.evil.example"), RPZ_PASSTHRU);
    assert_string_equal(zone_row(st, "u:delta", "good.evil.example"), "");
    sk__rpz_batch_free(&b);

    /* a later NXDOMAIN on the apex name wins over the domain's sinkhole
     * for that owner; reverting it brings the sinkhole back */
    struct sk_action_req x = req(3, "evil.example", "nxdomain");
    apply_key(&c, &x, "evil.example", 1, &b);
    assert_string_equal(zone_row(st, "u:delta", "evil.example"), "CNAME .");
    assert_string_equal(zone_row(st, "u:delta", "*.evil.example"), "A 192.0.2.7");
    apply_key(&c, &x, "evil.example", 0, &b);
    assert_string_equal(zone_row(st, "u:delta", "evil.example"), "A 192.0.2.7");
    sk__rpz_batch_free(&b);

    /* fold: a base written at version v and loaded by BIND */
    assert_int_equal(sk__act_kv_get(st, "rpz.version", 0, &v), 0);
    assert_int_equal(sk_store_begin(st), 0);
    sk__act_kv_set(st, "rpz.b.lo", v);
    sk__act_kv_set(st, "rpz.b.hi", v);
    assert_int_equal(sk__rpz_zone_shrink(&c, RZ_B_DELTA, &b), 0);
    assert_int_equal(sk_store_commit(st), 0);
    assert_int_equal(sk__rpz_zone_size(st, RZ_B_DELTA), 0);
    assert_int_equal(sk__rpz_zone_size(st, RZ_U_DELTA), 2); /* Unbound has not loaded it */
    sk__rpz_batch_free(&b);

    /* reverting the folded domain: BIND's delta gets tombstones */
    apply_key(&c, &d, "*.evil.example", 0, &b);
    assert_string_equal(zone_row(st, "b:delta", "evil.example"), RPZ_PASSTHRU);
    assert_string_equal(zone_row(st, "b:delta", "*.evil.example"), RPZ_PASSTHRU);
    assert_string_equal(zone_row(st, "u:delta", "evil.example"), ""); /* never in its base */
    sk__rpz_batch_free(&b);

    /* applying it again removes the tombstones: the base holds it again */
    struct sk_action_req d2 = req(4, "*.evil.example", NULL);
    apply_key(&c, &d2, "*.evil.example", 1, &b);
    assert_string_equal(zone_row(st, "b:delta", "evil.example"), "A 192.0.2.7");
    sk__rpz_batch_free(&b);

    /* the whole recomputation agrees with the incremental one */
    assert_int_equal(sk_store_begin(st), 0);
    assert_int_equal(sk__rpz_recompute_all(&c, &b), 0);
    assert_int_equal(sk_store_commit(st), 0);
    assert_int_equal(b.n, 0);
    sk__rpz_batch_free(&b);

    /* ...and repairs a zone edited behind its back */
    sqlite3_exec(sk_store_db(st), "DELETE FROM act_rpz_zone WHERE zone = 'u:delta';"
                                  "INSERT INTO act_rpz_zone VALUES ('u:allow', 'stray.example', 'CNAME .')",
                 NULL, NULL, NULL);
    assert_int_equal(sk__rpz_serial(st, RZ_U_DELTA, &s1), 0);
    assert_int_equal(sk_store_begin(st), 0);
    assert_int_equal(sk__rpz_recompute_all(&c, &b), 0);
    assert_int_equal(sk_store_commit(st), 0);
    assert_string_equal(zone_row(st, "u:delta", "*.evil.example"), "A 192.0.2.7");
    assert_string_equal(zone_row(st, "u:allow", "stray.example"), "");
    assert_int_equal(b.serial[RZ_U_DELTA], s1 + 1);
    sk__rpz_batch_free(&b);

    /* the journal has deletes before adds for each version */
    sqlite3_stmt *q;
    sqlite3_prepare_v2(sk_store_db(st), "SELECT count(*) FROM act_rpz_journal a JOIN"
                       " act_rpz_journal b ON a.zone = b.zone AND a.serial = b.serial"
                       " AND a.op = 1 AND b.op = 0 AND b.seq > a.seq AND a.owner = b.owner",
                       -1, &q, NULL);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    if (sqlite3_column_int(q, 0) != 0)
        sqlite3_exec(sk_store_db(st), "SELECT zone, serial, seq, op, owner, rrs FROM act_rpz_journal",
                     dump_row, NULL, NULL);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    sqlite3_finalize(q);

    /* the base file: every live main record, SOA serial = version */
    char path[80];
    snprintf(path, sizeof path, "%s.base", dbpath);
    assert_int_equal(sk__rpz_write_base(&c, path, "base.sakimori.rpz", &v, &ei), 0);
    FILE *f = fopen(path, "r");
    char text[2048] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    unlink(path);
    char soa[100];
    snprintf(soa, sizeof soa, "@ SOA localhost. hostmaster.localhost. %lld ", (long long)v);
    assert_non_null(strstr(text, "$ORIGIN base.sakimori.rpz."));
    assert_non_null(strstr(text, soa));
    assert_non_null(strstr(text, "\n*.evil.example A 192.0.2.7\n"));
    assert_non_null(strstr(text, "\nevil.example A 192.0.2.7\n"));
    assert_null(strstr(text, "good.evil.example")); /* exceptions live in the allow zone */
    sk_store_close(st);
}

/* --- dry run -------------------------------------------------------------- */

static void test_dryrun(void **state)
{
    struct sk_store *st;
    struct sk_errinfo ei = {""};
    struct sk_telemetry *t;
    struct sk_telemetry_opts o = {.flows = 1, .dns = 1, .pdns = 1};
    struct sk_action_impact im;
    struct sk_event ev;
    struct sk_dns_rr rr;
    sk_nstime now = sk_now();

    assert_int_equal(sk_store_open(&st, dbpath, &ei), 0);
    assert_int_equal(sk_store_begin(st), 0);
    assert_int_equal(sk_telemetry_new(&t, st, &o), 0);
    for (int i = 0; i < 3; i++) {
        /* hosts 10.0.0.1..3 resolve c2.evil.example -> 203.0.113.66, then connect */
        char host[32];
        snprintf(host, sizeof host, "10.0.0.%d", i + 1);
        memset(&ev, 0, sizeof ev);
        ev.kind = SK_EVENT_DNS;
        ev.proto = 17;
        ev.ts = ev.ts_end = now - 3600 * SK_NS_PER_SEC;
        sk_addr_parse(host, &ev.src);
        sk_addr_parse("10.0.0.53", &ev.dst);
        ev.dport = 53;
        ev.u.dns.qname = "c2.evil.example";
        ev.u.dns.qtype = 1;
        ev.u.dns.is_response = 1;
        memset(&rr, 0, sizeof rr);
        rr.name = "c2.evil.example";
        rr.type = 1;
        sk_addr_parse("203.0.113.66", &rr.addr);
        ev.u.dns.answers = &rr;
        ev.u.dns.n_answers = 1;
        assert_int_equal(sk_telemetry_add(t, &ev), 0);
        for (int k = 0; k < 2; k++) {
            memset(&ev, 0, sizeof ev);
            ev.kind = SK_EVENT_FLOW;
            ev.proto = 6;
            ev.ts = now - 3000 * SK_NS_PER_SEC;
            ev.ts_end = ev.ts + SK_NS_PER_SEC;
            sk_addr_parse(host, &ev.src);
            sk_addr_parse("203.0.113.66", &ev.dst);
            ev.sport = (uint16_t)(40000 + k);
            ev.dport = 443;
            ev.u.flow.pkts_out = 3;
            ev.u.flow.bytes_out = 300;
            assert_int_equal(sk_telemetry_add(t, &ev), 0);
        }
    }
    /* an unrelated flow, and an old one outside the window */
    memset(&ev, 0, sizeof ev);
    ev.kind = SK_EVENT_FLOW;
    ev.proto = 6;
    ev.ts = now - 100;
    ev.ts_end = now - 50;
    sk_addr_parse("10.0.0.9", &ev.src);
    sk_addr_parse("198.51.100.1", &ev.dst);
    assert_int_equal(sk_telemetry_add(t, &ev), 0);
    ev.ts = now - 30 * 86400 * SK_NS_PER_SEC;
    ev.ts_end = ev.ts + 1;
    sk_addr_parse("203.0.113.66", &ev.dst);
    assert_int_equal(sk_telemetry_add(t, &ev), 0);
    assert_int_equal(sk_telemetry_flush(t), 0);
    sk_telemetry_free(t);
    assert_int_equal(sk_store_commit(st), 0);

    struct sk_action_req r = req(1, "203.0.113.66", NULL);
    r.kind = "nft";
    assert_int_equal(sk_action_dryrun(st, &r, 7 * 86400 * SK_NS_PER_SEC, &im, &ei), 0);
    assert_true(im.telemetry);
    assert_int_equal(im.flows, 6);
    assert_int_equal(im.hosts, 3);
    r.kind = "bgp";
    assert_int_equal(sk_action_dryrun(st, &r, 60 * SK_NS_PER_SEC, &im, &ei), 0);
    assert_int_equal(im.flows, 0); /* the window is only a minute */
    struct sk_action_req n = req(2, "*.evil.example", NULL);
    n.kind = "rpz";
    assert_int_equal(sk_action_dryrun(st, &n, 7 * 86400 * SK_NS_PER_SEC, &im, &ei), 0);
    assert_int_equal(im.dns_queries, 3);
    assert_int_equal(im.hosts, 3);
    assert_int_equal(im.addresses, 1);
    assert_int_equal(im.flows, 6);
    n.kind = "takedown_request";
    assert_int_equal(sk_action_dryrun(st, &n, 7 * 86400 * SK_NS_PER_SEC, &im, &ei), 0);
    assert_int_equal(im.effect, SK_ACTION_EFFECT_NONE);
    assert_int_equal(im.flows + im.hosts, 0);
    n.kind = "nft";
    assert_int_equal(sk_action_dryrun(st, &n, 86400 * SK_NS_PER_SEC, &im, &ei), -SK_EINVAL);
    sk_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns_roundtrip),
        cmocka_unit_test(test_dns_names_hostile),
        cmocka_unit_test(test_tsig),
        cmocka_unit_test(test_tsig_key_errors),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_contacts),
        cmocka_unit_test(test_operators),
        cmocka_unit_test_setup_teardown(test_entries_stacking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rpz_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dryrun, setup, teardown),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
