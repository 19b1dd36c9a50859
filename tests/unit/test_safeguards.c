/*
 * test_safeguards.c — every safeguard with one proposal it lets through and
 * one it refuses, using the real MISP warninglists in ../shared/data (the
 * test is skipped when they are absent), the real public suffix list
 * (libpsl), passive DNS in a real store, and real signed approvals where a
 * check needs an active action (renewal).
 *
 * Each case submits a proposal and reads the one check it is about from the
 * report, so an unrelated check cannot make a case pass or fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "govern/govern-int.h"
#include "sakimori/addr.h"
#include "sakimori/conf.h"
#include "sakimori/intel-feed.h"
#include "sakimori/log.h"
#include "sakimori/pdns.h"

#define DAY (86400ULL * SK_NS_PER_SEC)

struct fx {
    char dir[256], db[300], wl[512];
    struct sk_conf *conf;
    struct sk_store *st;
    struct sk_audit *a;
    struct sk_govern *g;
    struct sk_key alice, bob, carol;
};

static int fx_open(struct fx *f, const char *extra_govern, const char *extra_top)
{
    struct sk_errinfo ei = {""};
    char yaml[8192], pa[64], pb[64], pc[64];

    snprintf(yaml, sizeof yaml,
             "store:\n  path: %s\n"
             "audit:\n  key: %s/audit.key\n"
             "privacy:\n  domestic: [203.0.113.0/24, 2001:db8::/32]\n"
             "intel:\n  warninglists: [%s/amazon-aws, %s/public-dns-v4, %s/sinkholes, %s/tranco10k,"
             " %s/tlds]\n"
             "govern:\n"
             "  protected_assets: %s/protected.txt\n"
             "  approvers:\n    - \"alice %s\"\n    - \"bob %s\"\n    - \"carol %s\"\n%s%s",
             f->db, f->dir, f->wl, f->wl, f->wl, f->wl, f->wl, f->dir,
             sk_key_format_public(f->alice.pub, pa, sizeof pa),
             sk_key_format_public(f->bob.pub, pb, sizeof pb),
             sk_key_format_public(f->carol.pub, pc, sizeof pc), extra_govern ? extra_govern : "",
             extra_top ? extra_top : "");
    if (sk_conf_load_string(yaml, strlen(yaml), "test.yaml", &f->conf, &ei) < 0 ||
        sk_store_open(&f->st, f->db, &ei) < 0 ||
        sk_audit_open(&f->a, f->st, f->conf, SK_AUDIT_WRITE, &ei) < 0 ||
        sk_govern_open(&f->g, f->conf, f->st, f->a, &ei) < 0) {
        fprintf(stderr, "fixture: %s\n", ei.msg);
        return -1;
    }
    return 0;
}

static void fx_close(struct fx *f)
{
    sk_govern_close(f->g);
    sk_audit_close(f->a);
    sk_store_close(f->st);
    sk_conf_free(f->conf);
    f->g = NULL, f->a = NULL, f->st = NULL, f->conf = NULL;
}

static int setup(void **state)
{
    static int n;
    const char *tmp = getenv("SK_TEST_TMP"), *shared = getenv("SK_SHARED_DATA");
    struct fx *f = calloc(1, sizeof *f);
    char path[600];
    FILE *fp;

    sk_log_set_level(SK_LOG_OFF);
    snprintf(f->wl, sizeof f->wl, "%s/warninglists", shared ? shared : "../shared/data");
    snprintf(path, sizeof path, "%s/amazon-aws/list.json", f->wl);
    if (access(path, R_OK) != 0) {
        free(f);
        *state = NULL;
        return 0; /* each test skips */
    }
    snprintf(f->dir, sizeof f->dir, "%s/safeguards_%d_%d", tmp ? tmp : "/tmp", (int)getpid(), n++);
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(f->dir, 0700);
    snprintf(f->db, sizeof f->db, "%s/s.db", f->dir);
    snprintf(path, sizeof path, "%s/protected.txt", f->dir);
    if (!(fp = fopen(path, "w")))
        return -1;
    fprintf(fp, "# the operator's protected assets\n203.0.113.0/28   # our own servers\n"
                "hospital.example\n2001:db8:ffff::/48\n");
    fclose(fp);
    if (sk_key_generate(&f->alice, "alice", NULL) < 0 || sk_key_generate(&f->bob, "bob", NULL) < 0 ||
        sk_key_generate(&f->carol, "carol", NULL) < 0 || fx_open(f, NULL, NULL) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[600];

    if (!f)
        return 0;
    fx_close(f);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

#define NEED_DATA(f)                                                                           \
    do {                                                                                       \
        if (!(f)) {                                                                            \
            print_message("SKIP: ../shared/data/warninglists not found\n");                   \
            skip();                                                                            \
        }                                                                                      \
    } while (0)

static int64_t finding(struct fx *f, const char *dst, const char *name, int confidence,
                       sk_nstime last)
{
    struct sk_finding fi;
    int64_t run, id;

    memset(&fi, 0, sizeof fi);
    fi.type = SK_FINDING_SIGHTING;
    fi.proto = 6;
    sk_addr_parse("10.0.0.9", &fi.src);
    if (dst)
        sk_addr_parse(dst, &fi.dst);
    fi.dport = 443;
    fi.ts_first = last - 600 * SK_NS_PER_SEC;
    fi.ts_last = last;
    fi.name = name;
    fi.indicator.value = dst ? dst : name;
    fi.indicator.type = dst ? "ipv4" : "domain";
    fi.indicator.source = "test";
    fi.indicator.confidence = (uint8_t)confidence;
    fi.count = 3;
    assert_int_equal(sk_store_begin(f->st), 0);
    assert_int_equal(sk_store_run_begin(f->st, "test", "-", &run), 0);
    assert_int_equal(sk_store_add_finding(f->st, run, &fi), 0);
    id = sqlite3_last_insert_rowid(sk_store_db(f->st));
    assert_int_equal(sk_store_commit(f->st), 0);
    return id;
}

/* Submits a proposal about target with evidence; returns the result of the
 * named check ("pass", "refuse", "note") and, if asked, the whole report. */
static const char *result(struct fx *f, const char *target, const char *action, uint64_t ttl,
                          int64_t evidence, int64_t renews, const char *check_name,
                          int64_t *id_out, char **why)
{
    static char res[16];
    char ref[32], *report = NULL;
    const char *refs[1] = {ref};
    struct sk_proposal_req req = {.target = target, .action = action, .ttl = ttl,
                                  .legal_basis = "Act 12", .evidence = refs,
                                  .nevidence = evidence ? 1 : 0, .proposer = "dave",
                                  .renews = renews};
    struct sk_errinfo ei = {""};
    int64_t id;
    json_t *rep, *c;
    size_t i;

    snprintf(ref, sizeof ref, "finding:%lld", (long long)evidence);
    if (sk_govern_propose(f->g, &req, &id, &ei) < 0)
        fail_msg("propose %s: %s", target, ei.msg);
    int rc = sk_govern_submit(f->g, id, "dave", &report, &ei);
    assert_true(rc == 0 || rc == -SK_EDENIED);
    assert_non_null(report);
    rep = json_loads(report, 0, NULL);
    free(report);
    snprintf(res, sizeof res, "missing");
    json_array_foreach(json_object_get(rep, "checks"), i, c) {
        if (strcmp(json_string_value(json_object_get(c, "check")), check_name) != 0)
            continue;
        snprintf(res, sizeof res, "%s", json_string_value(json_object_get(c, "result")));
        if (why) {
            const char *w = json_string_value(json_object_get(c, "why"));
            const char *s = json_string_value(json_object_get(c, "suggest"));
            size_t n = strlen(w) + (s ? strlen(s) : 0) + 8;
            *why = malloc(n);
            snprintf(*why, n, "%s | %s", w, s ? s : "");
        }
    }
    /* a refusal keeps it a draft; a pass made it pending */
    assert_int_equal(json_is_true(json_object_get(rep, "passed")), rc == 0);
    json_decref(rep);
    if (id_out)
        *id_out = id;
    return res;
}

static void expect(struct fx *f, const char *target, const char *action, uint64_t ttl,
                   int64_t evidence, const char *check_name, const char *want, const char *word)
{
    char *why = NULL;
    const char *got = result(f, target, action, ttl, evidence, 0, check_name, NULL, &why);
    if (strcmp(got, want) != 0 || (word && (!why || !strstr(why, word))))
        fail_msg("%s %s: %s is %s, wanted %s (%s) [%s]", action, target, check_name, got, want,
                 word ? word : "", why ? why : "");
    free(why);
}

/* --- the checks -------------------------------------------------------------- */

static void test_action_allowed(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    int64_t e = finding(f, "203.0.113.66", NULL, 90, sk_now());
    fx_close(f);
    assert_int_equal(fx_open(f, "  allowed_actions: [monitor, takedown_request]\n", NULL), 0);
    expect(f, "203.0.113.66", "block", DAY, e, "action_allowed", "refuse", "monitor, takedown_request");
    expect(f, "203.0.113.66", "monitor", DAY, e, "action_allowed", "pass", NULL);
    /* and a type that does not exist is refused when the configuration loads */
    struct sk_conf *c = NULL;
    struct sk_errinfo ei = {""};
    const char *bad = "govern:\n  allowed_actions:\n    - monitor\n    - hack_back\n";
    assert_int_equal(sk_conf_load_string(bad, strlen(bad), "bad.yaml", &c, &ei), -SK_ECONF);
    assert_non_null(strstr(ei.msg, "bad.yaml:4:7"));
    assert_non_null(strstr(ei.msg, "hack_back"));
}

static void test_target_fits_action(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    int64_t e = finding(f, NULL, "c2.evil.example", 90, sk_now());
    expect(f, "c2.evil.example", "block", DAY, e, "target_fits_action", "refuse", "sinkhole");
    expect(f, "c2.evil.example", "sinkhole", DAY, e, "target_fits_action", "pass", NULL);
}

static void test_narrowest(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    int64_t e = finding(f, "198.51.100.77", "c2.evil.co.uk", 90, sk_now());
    /* names: a public suffix never, a registered domain and below yes */
    expect(f, "*.co.uk", "sinkhole", DAY, e, "narrowest", "refuse", "public suffix");
    expect(f, "co.uk", "sinkhole", DAY, e, "narrowest", "refuse", "public suffix");
    expect(f, "*.evil.co.uk", "sinkhole", DAY, e, "narrowest", "pass", "registered domain evil.co.uk");
    expect(f, "c2.evil.co.uk", "sinkhole", DAY, e, "narrowest", "pass", NULL);
    /* addresses: /24 and /48 at most, blackholes only host routes */
    expect(f, "198.51.100.0/23", "block", DAY, e, "narrowest", "refuse", "198.51.100.0/24");
    expect(f, "198.51.100.0/24", "block", DAY, e, "narrowest", "pass", NULL);
    expect(f, "2001:db8::/32", "block", DAY, e, "narrowest", "refuse", "/48");
    expect(f, "2001:db8:1::/48", "block", DAY, e, "narrowest", "pass", NULL);
    expect(f, "198.51.100.64/28", "blackhole", DAY, e, "narrowest", "refuse", "/32");
    expect(f, "198.51.100.77", "blackhole", DAY, e, "narrowest", "pass", NULL);
}

static void test_protected_assets(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    int64_t e1 = finding(f, "203.0.113.5", "www.hospital.example", 90, sk_now());
    int64_t e2 = finding(f, "203.0.113.66", NULL, 90, sk_now());
    expect(f, "203.0.113.5", "block", DAY, e1, "protected_assets", "refuse", "203.0.113.0/28");
    expect(f, "www.hospital.example", "sinkhole", DAY, e1, "protected_assets", "refuse", "hospital.example");
    expect(f, "203.0.113.66", "block", DAY, e2, "protected_assets", "pass", NULL);
    /* monitoring a compromised protected asset is allowed, and noted */
    expect(f, "203.0.113.5", "monitor", DAY, e1, "protected_assets", "note", NULL);
}

static void test_warninglists(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    /* an Amazon AWS range (amazon-aws), Google's resolver (public-dns-v4), a
     * known sinkhole (sinkholes), a top site (tranco10k) */
    int64_t aws = finding(f, "1.178.1.10", "c2-on-ec2.example", 90, sk_now());
    int64_t dns = finding(f, "8.8.8.8", NULL, 90, sk_now());
    int64_t sink = finding(f, "104.155.11.149", NULL, 90, sk_now());
    int64_t top = finding(f, NULL, "google.com", 90, sk_now());
    int64_t dyn = finding(f, NULL, "c2.duckdns.org", 90, sk_now());
    int64_t ok = finding(f, "198.51.100.77", "c2.evil.example", 90, sk_now());

    expect(f, "1.178.1.10", "block", DAY, aws, "warninglists", "refuse", "amazon-aws");
    /* ...and says what would pass: the C2's own name */
    expect(f, "1.178.1.10", "block", DAY, aws, "warninglists", "refuse", "--target c2-on-ec2.example");
    expect(f, "1.178.1.0/24", "block", DAY, aws, "warninglists", "refuse", "amazon-aws");
    expect(f, "8.8.8.8", "blackhole", DAY, dns, "warninglists", "refuse", "public-dns-v4");
    expect(f, "104.155.11.149", "block", DAY, sink, "warninglists", "refuse", "sinkholes");
    expect(f, "google.com", "sinkhole", DAY, top, "warninglists", "refuse", "tranco10k");
    /* monitoring or a takedown request cuts nothing: noted, not refused */
    expect(f, "8.8.8.8", "monitor", DAY, dns, "warninglists", "note", "public-dns-v4");
    /* a host below a listed name: only that host is affected */
    expect(f, "c2.duckdns.org", "sinkhole", DAY, dyn, "warninglists", "note", "below");
    expect(f, "198.51.100.77", "block", DAY, ok, "warninglists", "pass", NULL);
    expect(f, "c2.evil.example", "sinkhole", DAY, ok, "warninglists", "pass", NULL);
}

static void test_collateral(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    struct sk_addr shared, own;
    sk_nstime now = sk_now();
    char name[64];

    sk_addr_parse("198.51.100.10", &shared);
    sk_addr_parse("198.51.100.20", &own);
    assert_int_equal(sk_store_begin(f->st), 0);
    for (int i = 0; i < 8; i++) {
        snprintf(name, sizeof name, "shop%d.hosting.example", i);
        assert_int_equal(sk_pdns_record(f->st, name, &shared, now - DAY, now - 60 * SK_NS_PER_SEC, 4), 0);
    }
    assert_int_equal(sk_pdns_record(f->st, "c2.evil.example", &shared, now - DAY, now, 9), 0);
    assert_int_equal(sk_pdns_record(f->st, "c2.evil.example", &own, now - DAY, now, 9), 0);
    assert_int_equal(sk_pdns_record(f->st, "cdn.evil.example", &own, now - DAY, now, 9), 0);
    assert_int_equal(sk_store_commit(f->st), 0);
    int64_t e1 = finding(f, "198.51.100.10", "c2.evil.example", 90, now);
    int64_t e2 = finding(f, "198.51.100.20", "c2.evil.example", 90, now);
    expect(f, "198.51.100.10", "block", DAY, e1, "collateral", "refuse", "8 other name(s)");
    expect(f, "198.51.100.10", "block", DAY, e1, "collateral", "refuse", "--target c2.evil.example");
    /* the C2's own names are not collateral; a sibling name is counted */
    expect(f, "198.51.100.20", "block", DAY, e2, "collateral", "pass", "1 other name(s)");
    /* a name-level action has no address collateral */
    expect(f, "c2.evil.example", "sinkhole", DAY, e1, "collateral", "pass", NULL);
}

static void test_evidence(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    int64_t strong = finding(f, "198.51.100.77", NULL, 90, sk_now());
    int64_t weak = finding(f, "198.51.100.78", NULL, 40, sk_now());
    expect(f, "198.51.100.77", "block", DAY, strong, "evidence", "pass", NULL);
    expect(f, "198.51.100.78", "block", DAY, weak, "evidence", "refuse", "confidence 40");
    /* evidence about something else does not count (a typo in the target) */
    expect(f, "198.51.100.79", "block", DAY, strong, "evidence", "refuse", "misidentification");
    expect(f, "198.51.100.77", "block", DAY, 0, "evidence", "refuse", "no finding");
    /* TLP from intel: an indicator a partner shared as TLP:RED may back a
     * watch, not a block; once another source shares it as GREEN, it may */
    {
        char list[400];
        struct sk_feed_opts o = {.source = "partner", .confidence = 90, .tlp = SK_IOC_TLP_RED};
        struct sk_feed_stats stats;
        struct sk_errinfo ei = {""};
        FILE *fp;
        snprintf(list, sizeof list, "%s/partner.txt", f->dir);
        assert_non_null(fp = fopen(list, "w"));
        fputs("198.51.100.88\n", fp);
        fclose(fp);
        if (sk_feed_store_import(f->st, list, SK_FEED_PLAIN, &o, NULL, NULL, &stats, &ei) < 0)
            fail_msg("import: %s", ei.msg);
        int64_t red = finding(f, "198.51.100.88", NULL, 90, sk_now());
        expect(f, "198.51.100.88", "block", DAY, red, "evidence", "refuse", "TLP:AMBER+STRICT");
        expect(f, "198.51.100.88", "monitor", DAY, red, "evidence", "pass", NULL);
        o.source = "isac";
        o.tlp = SK_IOC_TLP_GREEN;
        if (sk_feed_store_import(f->st, list, SK_FEED_PLAIN, &o, NULL, NULL, &stats, &ei) < 0)
            fail_msg("import: %s", ei.msg);
        expect(f, "198.51.100.88", "takedown_request", DAY, red, "evidence", "pass", NULL);
    }
    /* TLP: evidence marked RED may back a watch, not a block */
    fx_close(f);
    assert_int_equal(fx_open(f, "  tlp_default: red\n", NULL), 0);
    expect(f, "198.51.100.77", "block", DAY, strong, "evidence", "refuse", "TLP:AMBER+STRICT");
    expect(f, "198.51.100.77", "monitor", DAY, strong, "evidence", "pass", NULL);
}

static void test_domestic(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    struct sk__gov_proposal p;
    int64_t a = 0, b = 0, c = 0;
    int64_t dom = finding(f, "203.0.113.66", NULL, 90, sk_now());
    int64_t abroad = finding(f, "198.51.100.77", NULL, 90, sk_now());

    /* privacy.domestic is 203.0.113.0/24 and 2001:db8::/32 */
    expect(f, "203.0.113.66", "block", DAY, dom, "domestic", "note", "is domestic");
    expect(f, "198.51.100.77", "block", DAY, abroad, "domestic", "note", "is foreign");
    /* a name is as domestic as the addresses it was seen at */
    int64_t named = finding(f, "203.0.113.70", "c2.local-isp.example", 90, sk_now());
    expect(f, "c2.local-isp.example", "sinkhole", DAY, named, "domestic", "note", "only at domestic");
    int64_t unknown = finding(f, NULL, "nowhere.example", 90, sk_now());
    expect(f, "nowhere.example", "sinkhole", DAY, unknown, "domestic", "note", "treated as foreign");
    /* foreign targets need the extra approvals (2 + 1 here) */
    (void)result(f, "203.0.113.67", "monitor", DAY, finding(f, "203.0.113.67", NULL, 90, sk_now()), 0,
                 "domestic", &a, NULL);
    (void)result(f, "198.51.100.99", "monitor", DAY, finding(f, "198.51.100.99", NULL, 90, sk_now()),
                 0, "domestic", &b, NULL);
    (void)result(f, "2001:db8:5::7", "monitor", DAY, 0, 0, "domestic", &c, NULL);
    assert_int_equal(sk__gov_load(f->g, a, &p), 0);
    assert_int_equal(p.foreign, 0);
    assert_int_equal(p.approvals_needed, 2);
    sk__gov_proposal_free(&p);
    assert_int_equal(sk__gov_load(f->g, b, &p), 0);
    assert_int_equal(p.foreign, 1);
    assert_int_equal(p.approvals_needed, 3);
    sk__gov_proposal_free(&p);
}

static void test_approvers(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    int64_t dom = finding(f, "203.0.113.66", NULL, 90, sk_now());
    int64_t abroad = finding(f, "198.51.100.77", NULL, 90, sk_now());
    fx_close(f);
    assert_int_equal(fx_open(f, "  approvals: 3\n", NULL), 0);
    expect(f, "203.0.113.66", "monitor", DAY, dom, "approvers", "pass", "3 approvals needed of 3");
    expect(f, "198.51.100.77", "monitor", DAY, abroad, "approvers", "refuse",
           "4 approvals are needed for a foreign target but only 3");
}

static void test_ttl(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    int64_t e = finding(f, NULL, "c2.evil.example", 90, sk_now());
    expect(f, "c2.evil.example", "sinkhole", 8 * DAY, e, "ttl", "refuse", "--ttl 1w");
    expect(f, "c2.evil.example", "sinkhole", 7 * DAY, e, "ttl", "pass", NULL);
    /* a monitor may run longer (30 d by default) */
    expect(f, "c2.evil.example", "monitor", 20 * DAY, e, "ttl", "pass", NULL);
}

static int decide(struct fx *f, const struct sk_key *k, int64_t id)
{
    uint8_t digest[32], msg[SK_GOV_APPROVAL_MSG_LEN], sig[64];
    struct sk_errinfo ei = {""};
    assert_int_equal(sk_govern_digest(f->g, id, digest, &ei), 0);
    sk_govern_approval_message(digest, SK_GOV_VERDICT_APPROVE, "", msg);
    sk_key_sign(k, msg, sizeof msg, sig);
    return sk_govern_decide(f->g, id, k->name, SK_GOV_VERDICT_APPROVE, "", sig, &ei);
}

static void test_deconfliction(void **state)
{
    struct fx *f = *state;
    NEED_DATA(f);
    sk_nstime now = sk_now();
    int64_t e = finding(f, NULL, "c2.evil.example", 90, now - 3600 * SK_NS_PER_SEC);
    int64_t first;
    struct sk__gov_proposal p;
    char *why = NULL;

    assert_string_equal(result(f, "c2.evil.example", "monitor", DAY, e, 0, "deconfliction", &first, NULL),
                        "pass");
    /* the same name, or a wildcard covering it, while #first is open */
    expect(f, "c2.evil.example", "sinkhole", DAY, e, "deconfliction", "refuse", "already covers");
    expect(f, "*.evil.example", "sinkhole", DAY, e, "deconfliction", "refuse", "already covers");
    expect(f, "c3.evil.example", "sinkhole", DAY, e, "deconfliction", "pass", NULL);

    /* renewal: only of an active proposal, only with evidence seen after it began */
    assert_string_equal(result(f, "c2.evil.example", "monitor", DAY, e, first, "deconfliction",
                               NULL, &why), "refuse");
    if (!strstr(why, "already covers"))
        fail_msg("%s", why);
    free(why);
    assert_int_equal(decide(f, &f->alice, first), 0);
    assert_int_equal(decide(f, &f->bob, first), 0);
    assert_int_equal(decide(f, &f->carol, first), 0); /* a foreign name: 3 approvals */
    assert_int_equal(sk__gov_load(f->g, first, &p), 0);
    assert_int_equal(p.state, SK_GOV_ACTIVE);
    sk__gov_proposal_free(&p);
    assert_string_equal(result(f, "c2.evil.example", "monitor", DAY, e, first, "deconfliction",
                               NULL, &why), "refuse");
    if (!strstr(why, "fresh evidence"))
        fail_msg("%s", why);
    free(why);
    int64_t fresh = finding(f, NULL, "c2.evil.example", 90, sk_now() + SK_NS_PER_SEC);
    assert_string_equal(result(f, "c2.evil.example", "monitor", DAY, fresh, first, "deconfliction",
                               NULL, NULL), "pass");
    /* without --renews the active one is a conflict */
    expect(f, "c2.evil.example", "monitor", DAY, fresh, "deconfliction", "refuse", "--renews");
}

int main(void)
{
    const char *shared = getenv("SK_SHARED_DATA");
    char path[600];
    snprintf(path, sizeof path, "%s/warninglists/amazon-aws/list.json",
             shared ? shared : "../shared/data");
    if (access(path, R_OK) != 0) {
        printf("SKIP: %s not found (shared reference data is not part of the project)\n", path);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_action_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_fits_action, setup, teardown),
        cmocka_unit_test_setup_teardown(test_narrowest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protected_assets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warninglists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collateral, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_domestic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_approvers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deconfliction, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
