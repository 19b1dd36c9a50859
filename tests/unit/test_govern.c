/*
 * test_govern.c — the governance state machine, signed approvals and the
 * action runner, against a real store, the real audit log and the real
 * `monitor` action (the node's watchlist). Plugin failures, which the real
 * monitor never has, are injected through sk__gov_plugin_lookup.
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
#include <sys/wait.h>
#include <unistd.h>

#include "govern/govern-int.h"
#include "sakimori/addr.h"
#include "sakimori/audit.h"
#include "sakimori/conf.h"
#include "sakimori/govern.h"
#include "sakimori/log.h"
#include "sakimori/pdns.h"
#include "sakimori/store.h"

#define DAY (86400ULL * SK_NS_PER_SEC)

struct fx {
    char dir[256], db[300];
    struct sk_conf *conf;
    struct sk_store *st;
    struct sk_audit *a;
    struct sk_govern *g;
    struct sk_key alice, bob, carol, eve;
    int64_t finding; /* a sighting of 203.0.113.66 / c2.evil.example, confidence 90 */
    int64_t weak;    /* the same, confidence 20 */
};

static int fx_open_with(struct fx *f, const char *audit_extra, const char *extra)
{
    struct sk_errinfo ei = {""};
    char yaml[4096], pa[64], pb[64], pc[64];

    snprintf(yaml, sizeof yaml,
             "store:\n  path: %s\n"
             "audit:\n  key: %s/audit.key\n%s"
             "privacy:\n  domestic: [203.0.113.0/24]\n"
             "govern:\n  approvals: 2\n  foreign_extra_approvals: 1\n  exigent_window: 1h\n"
             "  approvers:\n    - \"alice %s\"\n    - \"bob %s\"\n    - \"carol %s\"\n%s",
             f->db, f->dir, audit_extra ? audit_extra : "", sk_key_format_public(f->alice.pub, pa, sizeof pa),
             sk_key_format_public(f->bob.pub, pb, sizeof pb),
             sk_key_format_public(f->carol.pub, pc, sizeof pc), extra ? extra : "");
    if (sk_conf_load_string(yaml, strlen(yaml), "test.yaml", &f->conf, &ei) < 0 ||
        sk_store_open(&f->st, f->db, &ei) < 0 ||
        sk_audit_open(&f->a, f->st, f->conf, SK_AUDIT_WRITE, &ei) < 0 ||
        sk_govern_open(&f->g, f->conf, f->st, f->a, &ei) < 0) {
        fprintf(stderr, "fixture: %s\n", ei.msg);
        return -1;
    }
    return 0;
}


static int fx_open_retention(struct fx *f)
{
    return fx_open_with(f, "  retention:\n    events: 1d\n    detections: 2d\n    pdns: 1d\n"
                           "    audit: 1d\n", NULL);
}

static int fx_open(struct fx *f, const char *extra)
{
    return fx_open_with(f, NULL, extra);
}

static void fx_close(struct fx *f)
{
    sk_govern_close(f->g);
    sk_audit_close(f->a);
    sk_store_close(f->st);
    sk_conf_free(f->conf);
    f->g = NULL;
    f->a = NULL;
    f->st = NULL;
    f->conf = NULL;
}

static int64_t add_finding(struct fx *f, int confidence, const char *dst, const char *name)
{
    struct sk_finding fi;
    int64_t run;

    memset(&fi, 0, sizeof fi);
    fi.type = SK_FINDING_SIGHTING;
    fi.proto = 6;
    sk_addr_parse("10.0.0.7", &fi.src);
    sk_addr_parse(dst, &fi.dst);
    fi.sport = 40000;
    fi.dport = 443;
    fi.ts_first = sk_now() - 3600 * SK_NS_PER_SEC;
    fi.ts_last = sk_now() - 60 * SK_NS_PER_SEC;
    fi.name = name;
    fi.indicator.value = dst;
    fi.indicator.type = "ipv4";
    fi.indicator.source = "test";
    fi.indicator.confidence = (uint8_t)confidence;
    fi.count = 12;
    assert_int_equal(sk_store_begin(f->st), 0);
    assert_int_equal(sk_store_run_begin(f->st, "test", "-", &run), 0);
    assert_int_equal(sk_store_add_finding(f->st, run, &fi), 0);
    int64_t id = sqlite3_last_insert_rowid(sk_store_db(f->st));
    assert_int_equal(sk_store_commit(f->st), 0);
    return id;
}

static int setup(void **state)
{
    static int n;
    struct fx *f = calloc(1, sizeof *f);
    const char *tmp = getenv("SK_TEST_TMP");

    sk_log_set_level(SK_LOG_OFF);
    snprintf(f->dir, sizeof f->dir, "%s/govern_%d_%d", tmp ? tmp : "/tmp", (int)getpid(), n++);
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(f->dir, 0700);
    snprintf(f->db, sizeof f->db, "%s/s.db", f->dir);
    if (sk_key_generate(&f->alice, "alice", NULL) < 0 || sk_key_generate(&f->bob, "bob", NULL) < 0 ||
        sk_key_generate(&f->carol, "carol", NULL) < 0 || sk_key_generate(&f->eve, "alice", NULL) < 0)
        return -1;
    if (fx_open(f, NULL) < 0)
        return -1;
    f->finding = add_finding(f, 90, "203.0.113.66", "c2.evil.example");
    f->weak = add_finding(f, 20, "203.0.113.66", "c2.evil.example");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[600];

    sk__gov_plugin_lookup = sk_action_find;
    fx_close(f);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* --- helpers ---------------------------------------------------------------- */

static int64_t propose(struct fx *f, const char *target, const char *action, uint64_t ttl,
                       int64_t finding, const char *proposer, int submit)
{
    char ref[32];
    const char *refs[1] = {ref};
    struct sk_proposal_req req = {
        .target = target, .action = action, .ttl = ttl, .legal_basis = "Act 12, s. 3(1)",
        .evidence = refs, .nevidence = 1, .proposer = proposer ? proposer : "dave",
    };
    struct sk_errinfo ei = {""};
    int64_t id = 0;

    snprintf(ref, sizeof ref, "finding:%lld", (long long)finding);
    if (sk_govern_propose(f->g, &req, &id, &ei) < 0)
        fail_msg("propose: %s", ei.msg);
    if (submit && sk_govern_submit(f->g, id, "dave", NULL, &ei) < 0)
        fail_msg("submit: %s", ei.msg);
    return id;
}

static int decide(struct fx *f, const struct sk_key *k, const char *as, int64_t id,
                  enum sk_gov_verdict v, const char *note, struct sk_errinfo *ei)
{
    uint8_t digest[32], msg[SK_GOV_APPROVAL_MSG_LEN], sig[64];

    if (sk_govern_digest(f->g, id, digest, NULL) < 0)
        memset(digest, 0, sizeof digest);
    sk_govern_approval_message(digest, v, note, msg);
    sk_key_sign(k, msg, sizeof msg, sig);
    return sk_govern_decide(f->g, id, as ? as : k->name, v, note, sig, ei);
}

static enum sk_gov_state state_of(struct fx *f, int64_t id)
{
    struct sk__gov_proposal p;
    assert_int_equal(sk__gov_load(f->g, id, &p), 0);
    enum sk_gov_state s = p.state;
    sk__gov_proposal_free(&p);
    return s;
}

static int watched(struct fx *f, const char *target)
{
    sqlite3_stmt *st;
    int n = 0;
    assert_int_equal(sqlite3_prepare_v2(sk_store_db(f->st),
                                        "SELECT count(*) FROM watchlist WHERE target = ?1", -1, &st,
                                        NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int64_t count(struct fx *f, const char *q)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    assert_int_equal(sqlite3_prepare_v2(sk_store_db(f->st), q, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void log_verifies(struct fx *f)
{
    struct sk_audit_verify v;
    memset(&v, 0, sizeof v);
    if (sk_audit_verify(f->a, &v) != 0)
        fail_msg("audit log: %s", v.problem);
}

/* --- the table itself ------------------------------------------------------ */

static void test_state_machine_table(void **state)
{
    /* DESIGN.md, typed in again independently of state.c: 0 = illegal */
    enum sk_gov_state want[SK_GOV_NSTATES + 1][SK_GOV_NEVENTS + 1];
    (void)state;
    memset(want, 0, sizeof want);
    want[SK_GOV_DRAFT][SK_GOV_EV_SUBMIT] = SK_GOV_PENDING;
    want[SK_GOV_PENDING][SK_GOV_EV_APPROVE] = SK_GOV_APPROVED;
    want[SK_GOV_PENDING][SK_GOV_EV_REJECT] = SK_GOV_REJECTED;
    want[SK_GOV_PENDING][SK_GOV_EV_EXIGENT] = SK_GOV_PROVISIONAL;
    want[SK_GOV_APPROVED][SK_GOV_EV_APPLY] = SK_GOV_ACTIVE;
    want[SK_GOV_ACTIVE][SK_GOV_EV_EXPIRE] = SK_GOV_REVERTED;
    want[SK_GOV_ACTIVE][SK_GOV_EV_REVOKE] = SK_GOV_REVERTED;
    want[SK_GOV_ACTIVE][SK_GOV_EV_VERIFY_FAIL] = SK_GOV_FAILED;
    want[SK_GOV_PROVISIONAL][SK_GOV_EV_RATIFY] = SK_GOV_ACTIVE;
    want[SK_GOV_PROVISIONAL][SK_GOV_EV_LAPSE] = SK_GOV_REVERTED;
    want[SK_GOV_PROVISIONAL][SK_GOV_EV_EXPIRE] = SK_GOV_REVERTED;
    want[SK_GOV_PROVISIONAL][SK_GOV_EV_REVOKE] = SK_GOV_REVERTED;
    want[SK_GOV_PROVISIONAL][SK_GOV_EV_VERIFY_FAIL] = SK_GOV_FAILED;

    int legal = 0;
    for (int s = SK_GOV_DRAFT; s <= SK_GOV_REJECTED; s++) {
        for (int e = SK_GOV_EV_SUBMIT; e <= SK_GOV_EV_REVOKE; e++) {
            enum sk_gov_state to = 0;
            int rc = sk_govern_next_state((enum sk_gov_state)s, (enum sk_gov_event)e, &to);
            if (want[s][e]) {
                if (rc != 0 || to != want[s][e])
                    fail_msg("%s --%s--> should be %s", sk_govern_state_name(s),
                             sk_govern_event_name(e), sk_govern_state_name(want[s][e]));
                legal++;
            } else if (rc != -SK_ESTATE) {
                fail_msg("%s --%s--> must be illegal", sk_govern_state_name(s),
                         sk_govern_event_name(e));
            }
        }
    }
    assert_int_equal(legal, 13);
    /* terminal states have no way out */
    for (int e = SK_GOV_EV_SUBMIT; e <= SK_GOV_EV_REVOKE; e++) {
        enum sk_gov_state to;
        assert_int_equal(sk_govern_next_state(SK_GOV_REVERTED, e, &to), -SK_ESTATE);
        assert_int_equal(sk_govern_next_state(SK_GOV_FAILED, e, &to), -SK_ESTATE);
        assert_int_equal(sk_govern_next_state(SK_GOV_REJECTED, e, &to), -SK_ESTATE);
    }
}

/* --- configuration the governance refuses ---------------------------------- */

static void test_config_refusals(void **state)
{
    struct sk_conf *c = NULL;
    struct sk_errinfo ei = {""};
    const char *bad_key = "govern:\n  approvers:\n    - \"alice ed25519:c2hvcnQ=\"\n";
    const char *bad_form = "govern:\n  approvers:\n    - alice\n";
    const char *bad_action = "govern:\n  allowed_actions: [monitor, hack_back]\n";
    (void)state;

    assert_int_equal(sk_conf_load_string(bad_key, strlen(bad_key), "g.yaml", &c, &ei), -SK_ECONF);
    assert_non_null(strstr(ei.msg, "g.yaml:3:8"));
    assert_non_null(strstr(ei.msg, "not a public key"));
    assert_int_equal(sk_conf_load_string(bad_form, strlen(bad_form), "g.yaml", &c, &ei), -SK_ECONF);
    assert_non_null(strstr(ei.msg, "NAME ed25519:BASE64"));
    assert_int_equal(sk_conf_load_string(bad_action, strlen(bad_action), "g.yaml", &c, &ei),
                     -SK_ECONF);
    assert_non_null(strstr(ei.msg, "g.yaml:2:30"));

    /* the same key under two names is not two approvers */
    struct sk_key k;
    char yaml[512], pk[64];
    sk_key_generate(&k, "alice", NULL);
    sk_key_format_public(k.pub, pk, sizeof pk);
    snprintf(yaml, sizeof yaml, "govern:\n  approvers:\n    - \"alice %s\"\n    - \"bob %s\"\n", pk, pk);
    assert_int_equal(sk_conf_load_string(yaml, strlen(yaml), "g.yaml", &c, &ei), 0);
    struct sk_govern *g = NULL;
    assert_int_equal(sk_govern_open(&g, c, NULL, NULL, &ei), -SK_ECONF);
    assert_non_null(strstr(ei.msg, "share a name or a key"));
    sk_conf_free(c);
}

/* --- the whole path ------------------------------------------------------------ */

static void test_approve_apply_revoke(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    int64_t id = propose(f, "203.0.113.66", "monitor", 2 * DAY, f->finding, NULL, 1);

    assert_int_equal(state_of(f, id), SK_GOV_PENDING);
    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(state_of(f, id), SK_GOV_PENDING);
    assert_int_equal(watched(f, "203.0.113.66"), 0);
    assert_int_equal(decide(f, &f->bob, NULL, id, SK_GOV_VERDICT_APPROVE, "proportionate", &ei), 0);
    assert_int_equal(state_of(f, id), SK_GOV_ACTIVE);
    assert_int_equal(watched(f, "203.0.113.66"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM gov_runs WHERE outcome = 'ok'"), 2);
    assert_int_equal(sk_govern_revoke(f->g, id, "dave", "contained", 0, &ei), 0);
    assert_int_equal(state_of(f, id), SK_GOV_REVERTED);
    assert_int_equal(watched(f, "203.0.113.66"), 0);
    /* every transition is in the log, in order */
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE kind IN ('proposal.submit',"
                              " 'proposal.approve', 'proposal.apply', 'proposal.revoke')"), 4);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE kind = 'action.apply'"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE kind = 'action.verify'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE kind = 'action.revert'"), 2);
    log_verifies(f);
}

/* Every operation from every state it is not allowed in is refused with
 * -SK_ESTATE and changes nothing. */
static void expect_illegal(struct fx *f, int64_t id)
{
    struct sk_errinfo ei = {""};
    enum sk_gov_state before = state_of(f, id);
    int64_t entries = count(f, "SELECT count(*) FROM audit_log");
    int is_pending = before == SK_GOV_PENDING, is_prov = before == SK_GOV_PROVISIONAL;
    int is_draft = before == SK_GOV_DRAFT, is_approved = before == SK_GOV_APPROVED;
    int is_active = before == SK_GOV_ACTIVE;

    if (!is_draft)
        assert_int_equal(sk_govern_submit(f->g, id, "dave", NULL, &ei), -SK_ESTATE);
    if (!is_approved)
        assert_int_equal(sk_govern_apply(f->g, id, "dave", &ei), -SK_ESTATE);
    if (!is_active && !is_prov)
        assert_int_equal(sk_govern_revoke(f->g, id, "dave", "why", 0, &ei), -SK_ESTATE);
    if (!is_pending && !is_prov) {
        assert_int_equal(decide(f, &f->carol, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), -SK_ESTATE);
        assert_int_equal(decide(f, &f->carol, NULL, id, SK_GOV_VERDICT_REJECT, "no", &ei), -SK_ESTATE);
    }
    if (!is_pending)
        assert_int_equal(decide(f, &f->carol, NULL, id, SK_GOV_VERDICT_EXIGENT, "now", &ei),
                         -SK_ESTATE);
    assert_int_equal(state_of(f, id), before);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log"), entries);
}

static void test_illegal_transitions(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    int64_t d, p, a, r, rej, prov, fail, ap;

    d = propose(f, "c2.evil.example", "monitor", DAY, f->finding, NULL, 0);
    expect_illegal(f, d); /* draft */
    p = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);
    expect_illegal(f, p); /* pending */
    assert_int_equal(decide(f, &f->alice, NULL, p, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(decide(f, &f->bob, NULL, p, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    a = p;
    expect_illegal(f, a); /* active */
    assert_int_equal(sk_govern_revoke(f->g, a, "dave", "done", 0, &ei), 0);
    r = a;
    expect_illegal(f, r); /* reverted */

    rej = propose(f, "203.0.113.67", "monitor", DAY, f->finding, NULL, 0);
    /* 203.0.113.67 is not what the finding is about: refused, stays a draft */
    assert_int_equal(sk_govern_submit(f->g, rej, "dave", NULL, &ei), -SK_EDENIED);
    assert_int_equal(state_of(f, rej), SK_GOV_DRAFT);
    rej = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);
    assert_int_equal(decide(f, &f->carol, NULL, rej, SK_GOV_VERDICT_REJECT, "not proportionate", &ei), 0);
    assert_int_equal(state_of(f, rej), SK_GOV_REJECTED);
    expect_illegal(f, rej); /* rejected */

    prov = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);
    assert_int_equal(decide(f, &f->alice, NULL, prov, SK_GOV_VERDICT_EXIGENT, "ransomware spreading now", &ei), 0);
    assert_int_equal(state_of(f, prov), SK_GOV_PROVISIONAL);
    expect_illegal(f, prov); /* provisional */
    assert_int_equal(sk_govern_revoke(f->g, prov, "dave", "done", 0, &ei), 0);

    /* approved never stays committed (apply follows in the same
     * transaction); put a proposal there by hand to test it too */
    ap = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);
    char q[128];
    snprintf(q, sizeof q, "UPDATE gov_proposals SET state = 'approved' WHERE id = %lld", (long long)ap);
    assert_int_equal(sqlite3_exec(sk_store_db(f->st), q, NULL, NULL, NULL), SQLITE_OK);
    expect_illegal(f, ap); /* approved */
    assert_int_equal(sk_govern_apply(f->g, ap, "dave", &ei), 0);
    assert_int_equal(state_of(f, ap), SK_GOV_ACTIVE);
    assert_int_equal(sk_govern_revoke(f->g, ap, "dave", "done", 0, &ei), 0);

    fail = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);
    snprintf(q, sizeof q, "UPDATE gov_proposals SET state = 'failed' WHERE id = %lld", (long long)fail);
    assert_int_equal(sqlite3_exec(sk_store_db(f->st), q, NULL, NULL, NULL), SQLITE_OK);
    expect_illegal(f, fail); /* failed */
    (void)d;
}

/* --- approvals: who, what, how often ------------------------------------------ */

static void test_forged_replayed_duplicate_self(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    uint8_t digest[32], msg[SK_GOV_APPROVAL_MSG_LEN], sig[64];
    int64_t one = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);

    /* forged: eve signs as "alice" with her own key */
    assert_int_equal(decide(f, &f->eve, "alice", one, SK_GOV_VERDICT_APPROVE, "", &ei), -SK_EDENIED);
    assert_non_null(strstr(ei.msg, "does not verify"));
    /* the server has no way to sign for alice: a zero signature fails too */
    memset(sig, 0, sizeof sig);
    assert_int_equal(sk_govern_decide(f->g, one, "alice", SK_GOV_VERDICT_APPROVE, "", sig, &ei),
                     -SK_EDENIED);
    /* unknown approver */
    assert_int_equal(decide(f, &f->eve, "mallory", one, SK_GOV_VERDICT_APPROVE, "", &ei), -SK_EDENIED);
    assert_non_null(strstr(ei.msg, "not a configured approver"));

    /* a genuine approval of proposal one... */
    assert_int_equal(sk_govern_digest(f->g, one, digest, &ei), 0);
    sk_govern_approval_message(digest, SK_GOV_VERDICT_APPROVE, "", msg);
    sk_key_sign(&f->alice, msg, sizeof msg, sig);
    assert_int_equal(sk_govern_decide(f->g, one, "alice", SK_GOV_VERDICT_APPROVE, "", sig, &ei), 0);
    /* ...duplicated */
    assert_int_equal(sk_govern_decide(f->g, one, "alice", SK_GOV_VERDICT_APPROVE, "", sig, &ei),
                     -SK_EDENIED);
    assert_non_null(strstr(ei.msg, "already gave a verdict"));
    assert_int_equal(decide(f, &f->alice, NULL, one, SK_GOV_VERDICT_REJECT, "changed my mind", &ei),
                     -SK_EDENIED);
    /* ...replayed onto another proposal, as another verdict, with another note */
    int64_t two = propose(f, "c2.evil.example", "monitor", DAY, f->finding, NULL, 1);
    assert_int_equal(sk_govern_decide(f->g, two, "alice", SK_GOV_VERDICT_APPROVE, "", sig, &ei),
                     -SK_EDENIED);
    assert_int_equal(sk_govern_decide(f->g, two, "alice", SK_GOV_VERDICT_REJECT, "", sig, &ei),
                     -SK_EDENIED);
    assert_int_equal(sk_govern_decide(f->g, one, "bob", SK_GOV_VERDICT_APPROVE, "", sig, &ei),
                     -SK_EDENIED);
    sk_govern_approval_message(digest, SK_GOV_VERDICT_APPROVE, "fine", msg);
    assert_int_equal(state_of(f, one), SK_GOV_PENDING);
    assert_int_equal(state_of(f, two), SK_GOV_PENDING);
    assert_int_equal(count(f, "SELECT count(*) FROM gov_approvals"), 1);
    /* every refused attempt is on the record */
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE kind = 'approval.refused'"), 8);

    /* approvers cannot propose... */
    char ref[32];
    const char *refs[1] = {ref};
    snprintf(ref, sizeof ref, "finding:%lld", (long long)f->finding);
    struct sk_proposal_req req = {.target = "203.0.113.66", .action = "monitor", .ttl = DAY,
                                  .legal_basis = "x", .evidence = refs, .nevidence = 1,
                                  .proposer = "bob"};
    int64_t id;
    assert_int_equal(sk_govern_propose(f->g, &req, &id, &ei), -SK_EDENIED);
}

static void test_self_approval(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    struct sk_key frank;
    char extra[128], pk[64];

    /* frank proposes, then joins the oversight body: he still cannot
     * decide on his own proposal */
    sk_key_generate(&frank, "frank", NULL);
    int64_t p = propose(f, "c2.evil.example", "monitor", DAY, f->finding, "frank", 1);
    fx_close(f);
    snprintf(extra, sizeof extra, "    - \"frank %s\"\n",
             sk_key_format_public(frank.pub, pk, sizeof pk));
    assert_int_equal(fx_open(f, extra), 0);
    assert_int_equal(decide(f, &frank, NULL, p, SK_GOV_VERDICT_APPROVE, "", &ei), -SK_EDENIED);
    assert_non_null(strstr(ei.msg, "separation of duties"));
    assert_int_equal(decide(f, &frank, NULL, p, SK_GOV_VERDICT_EXIGENT, "urgent", &ei), -SK_EDENIED);
    assert_int_equal(count(f, "SELECT count(*) FROM gov_approvals"), 0);
    assert_int_equal(state_of(f, p), SK_GOV_PENDING);
}

static void test_any_approver_rejects(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    int64_t id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);

    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(decide(f, &f->carol, NULL, id, SK_GOV_VERDICT_REJECT, "evidence too thin", &ei), 0);
    assert_int_equal(state_of(f, id), SK_GOV_REJECTED);
    assert_int_equal(decide(f, &f->bob, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), -SK_ESTATE);
    assert_int_equal(watched(f, "203.0.113.66"), 0);
    log_verifies(f);
}

static void test_foreign_needs_more(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    int64_t fid = add_finding(f, 90, "198.51.100.7", NULL);
    int64_t id = propose(f, "198.51.100.7", "monitor", DAY, fid, NULL, 1);
    struct sk__gov_proposal p;

    assert_int_equal(sk__gov_load(f->g, id, &p), 0);
    assert_int_equal(p.foreign, 1);
    assert_int_equal(p.approvals_needed, 3);
    sk__gov_proposal_free(&p);
    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(decide(f, &f->bob, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(state_of(f, id), SK_GOV_PENDING);
    assert_int_equal(decide(f, &f->carol, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(state_of(f, id), SK_GOV_ACTIVE);
}

static void test_tampered_proposal(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    uint8_t digest[32];
    int64_t id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);
    char q[128];

    assert_int_equal(sk_govern_digest(f->g, id, digest, &ei), 0);
    snprintf(q, sizeof q, "UPDATE gov_proposals SET ttl_ns = ttl_ns * 30 WHERE id = %lld", (long long)id);
    assert_int_equal(sqlite3_exec(sk_store_db(f->st), q, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sk_govern_digest(f->g, id, digest, &ei), -SK_ECRYPTO);
    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), -SK_ECRYPTO);
    assert_non_null(strstr(ei.msg, "altered"));
}

/* --- exigent path --------------------------------------------------------------- */

static void test_exigent_ratified(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    int64_t id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);

    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_EXIGENT, "", &ei), -SK_EPARSE);
    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_EXIGENT,
                            "active exfiltration from a hospital network", &ei), 0);
    assert_int_equal(state_of(f, id), SK_GOV_PROVISIONAL);
    assert_int_equal(watched(f, "203.0.113.66"), 1);
    assert_int_equal(decide(f, &f->bob, NULL, id, SK_GOV_VERDICT_APPROVE, "ratified", &ei), 0);
    assert_int_equal(state_of(f, id), SK_GOV_ACTIVE);
    /* the window passing changes nothing now */
    struct sk_govern_tick t;
    assert_int_equal(sk_govern_tick(f->g, sk_now() + 2 * 3600 * SK_NS_PER_SEC, &t, &ei), 0);
    assert_int_equal(t.lapsed, 0);
    assert_int_equal(state_of(f, id), SK_GOV_ACTIVE);
    log_verifies(f);
}

static void test_exigent_lapses(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    struct sk_govern_tick t;
    int64_t id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);

    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_EXIGENT, "cannot wait", &ei), 0);
    assert_int_equal(sk_govern_tick(f->g, sk_now() + 30 * 60 * SK_NS_PER_SEC, &t, &ei), 0);
    assert_int_equal(state_of(f, id), SK_GOV_PROVISIONAL);
    assert_int_equal(sk_govern_tick(f->g, sk_now() + 61 * 60 * SK_NS_PER_SEC, &t, &ei), 0);
    assert_int_equal(t.lapsed, 1);
    assert_int_equal(state_of(f, id), SK_GOV_REVERTED);
    assert_int_equal(watched(f, "203.0.113.66"), 0);
    /* a late ratification is refused */
    assert_int_equal(decide(f, &f->bob, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), -SK_ESTATE);

    /* rejected during the window: reverted at once */
    id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);
    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_EXIGENT, "cannot wait", &ei), 0);
    assert_int_equal(watched(f, "203.0.113.66"), 1);
    assert_int_equal(decide(f, &f->carol, NULL, id, SK_GOV_VERDICT_REJECT, "not exigent", &ei), 0);
    assert_int_equal(state_of(f, id), SK_GOV_REVERTED);
    assert_int_equal(watched(f, "203.0.113.66"), 0);
    log_verifies(f);
}

static void test_exigent_disabled(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};

    fx_close(f);
    assert_int_equal(fx_open(f, "  exigent: false\n"), 0);
    int64_t id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);
    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_EXIGENT, "now", &ei), -SK_EDENIED);
    assert_int_equal(state_of(f, id), SK_GOV_PENDING);
}

/* --- time ------------------------------------------------------------------------ */

static void test_ttl_expiry(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    struct sk_govern_tick t;
    int64_t id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);

    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(decide(f, &f->bob, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(sk_govern_tick(f->g, sk_now() + DAY - 60 * SK_NS_PER_SEC, &t, &ei), 0);
    assert_int_equal(t.expired, 0);
    assert_int_equal(watched(f, "203.0.113.66"), 1);
    assert_int_equal(sk_govern_tick(f->g, sk_now() + DAY + SK_NS_PER_SEC, &t, &ei), 0);
    assert_int_equal(t.expired, 1);
    assert_int_equal(state_of(f, id), SK_GOV_REVERTED);
    assert_int_equal(watched(f, "203.0.113.66"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE kind = 'proposal.expire'"), 1);
    log_verifies(f);
}

/* --- plugin failures --------------------------------------------------------------- */

static int fail_apply, fail_verify, fail_revert, reverts;

static int fake_apply(void *s, const struct sk_action_req *r, struct sk_errinfo *ei)
{
    (void)s; (void)r;
    return fail_apply ? sk_fail(ei, -SK_EEXTERNAL, "resolver refused the update") : 0;
}
static int fake_verify(void *s, const struct sk_action_req *r, struct sk_errinfo *ei)
{
    (void)s; (void)r;
    return fail_verify ? sk_fail(ei, -SK_EEXTERNAL, "the resolver still answers the real address") : 0;
}
static int fake_revert(void *s, const struct sk_action_req *r, struct sk_errinfo *ei)
{
    (void)s; (void)r;
    reverts++;
    if (fail_revert) {
        fail_revert--;
        return sk_fail(ei, -SK_EEXTERNAL, "router unreachable");
    }
    return 0;
}
static const struct sk_action_ops fake = {
    .name = "monitor", .api = SK_ACTION_API, .apply = fake_apply, .verify = fake_verify,
    .revert = fake_revert,
};
static const struct sk_action_ops *fake_lookup(const char *name)
{
    return strcmp(name, "monitor") == 0 ? &fake : NULL;
}

static void test_verify_failure_reverts(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    int64_t id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);

    sk__gov_plugin_lookup = fake_lookup;
    fail_apply = 0, fail_verify = 1, fail_revert = 0, reverts = 0;
    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(decide(f, &f->bob, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), -SK_EEXTERNAL);
    assert_int_equal(state_of(f, id), SK_GOV_FAILED);
    assert_int_equal(reverts, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM gov_runs WHERE op = 'verify' AND outcome = 'error'"), 1);

    /* apply fails: failed too, and whatever was half done is reverted */
    id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);
    fail_apply = 1, fail_verify = 0, reverts = 0;
    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(decide(f, &f->bob, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), -SK_EEXTERNAL);
    assert_int_equal(state_of(f, id), SK_GOV_FAILED);
    assert_int_equal(reverts, 1);
    log_verifies(f);
}

static void test_failed_revert_is_retried(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    struct sk_govern_tick t;
    int64_t id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);

    sk__gov_plugin_lookup = fake_lookup;
    fail_apply = 0, fail_verify = 0, fail_revert = 2, reverts = 0;
    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(decide(f, &f->bob, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    assert_int_equal(sk_govern_revoke(f->g, id, "dave", "wrong target", 1, &ei), -SK_EEXTERNAL);
    assert_int_equal(state_of(f, id), SK_GOV_REVERTED);
    assert_int_equal(sk_govern_tick(f->g, 0, &t, &ei), 0);
    assert_int_equal(t.retried, 1);
    assert_int_equal(t.failed, 1);
    assert_int_equal(sk_govern_tick(f->g, 0, &t, &ei), 0);
    assert_int_equal(t.retried, 1);
    assert_int_equal(t.failed, 0);
    assert_int_equal(sk_govern_tick(f->g, 0, &t, &ei), 0);
    assert_int_equal(t.retried, 0);
    assert_int_equal(reverts, 3);
    assert_int_equal(count(f, "SELECT false_positive FROM gov_proposals WHERE id = 1"), 1);
    log_verifies(f);
}

/* --- crashes ------------------------------------------------------------------------ */

static void crash_in_child(struct fx *f, const char *point, int64_t id, const struct sk_key *k)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct sk_errinfo ei = {""};
        setenv("SK_GOVERN_CRASH_AT", point, 1);
        decide(f, k, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 86);
}

static void test_crash_then_resume(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    struct sk_govern_tick t;
    int64_t id = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);

    assert_int_equal(decide(f, &f->alice, NULL, id, SK_GOV_VERDICT_APPROVE, "", &ei), 0);
    /* the approving process dies after writing its intent, before the plugin */
    crash_in_child(f, "apply:after-intent", id, &f->bob);
    fx_close(f);
    assert_int_equal(fx_open(f, NULL), 0);
    assert_int_equal(state_of(f, id), SK_GOV_ACTIVE);
    assert_int_equal(watched(f, "203.0.113.66"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM gov_runs WHERE outcome IS NULL"), 1);
    log_verifies(f);
    assert_int_equal(sk_govern_tick(f->g, 0, &t, &ei), 0);
    assert_int_equal(t.resumed, 1);
    assert_int_equal(watched(f, "203.0.113.66"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM gov_runs WHERE outcome IS NULL"), 0);

    /* dies inside a revert, after the plugin ran: tick finishes it (twice is harmless) */
    pid_t pid = fork();
    if (pid == 0) {
        setenv("SK_GOVERN_CRASH_AT", "revert:after-plugin", 1);
        sk_govern_revoke(f->g, id, "dave", "contained", 0, &ei);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 86);
    fx_close(f);
    assert_int_equal(fx_open(f, NULL), 0);
    assert_int_equal(state_of(f, id), SK_GOV_REVERTED);
    assert_int_equal(sk_govern_tick(f->g, 0, &t, &ei), 0);
    assert_int_equal(t.resumed, 1);
    assert_int_equal(watched(f, "203.0.113.66"), 0);
    log_verifies(f);
}

/* --- retention ------------------------------------------------------------------- */

static void test_retention(void **state)
{
    struct fx *f = *state;
    struct sk_errinfo ei = {""};
    struct sk_retention_result res[8];
    struct sk_addr a;
    sk_nstime now = sk_now();
    int64_t cited;

    /* a proposal cites f->finding: its case is open, so it is held */
    cited = propose(f, "203.0.113.66", "monitor", DAY, f->finding, NULL, 1);
    (void)cited;
    sk_addr_parse("203.0.113.66", &a);
    assert_int_equal(sk_store_begin(f->st), 0);
    assert_int_equal(sk_pdns_record(f->st, "old.example", &a, now - 9 * DAY, now - 8 * DAY, 1), 0);
    assert_int_equal(sk_pdns_record(f->st, "new.example", &a, now - DAY / 2, now, 1), 0);
    assert_int_equal(sk_store_commit(f->st), 0);
    /* purge as if ten days had passed, with the periods of the config below */
    fx_close(f);
    assert_int_equal(fx_open_retention(f), 0);
    sk_nstime later = now + 10 * DAY;
    int n = sk_govern_retention_purge(f->g, later, "tester", 1, res, 8, &ei);
    assert_int_equal(n, 4);
    assert_int_equal(res[2].purged, 1); /* f->weak; f->finding is held */
    assert_int_equal(res[2].held, 1);
    assert_int_equal(res[3].purged, 2); /* both pdns pairs are older than 10 d - 1 d */
    assert_int_equal(res[0].purged, 3); /* case, proposal created, submitted */
    /* a dry run changed nothing */
    assert_int_equal(count(f, "SELECT count(*) FROM findings"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE entry IS NULL"), 0);
    assert_int_equal(sk_govern_retention_purge(f->g, later, "tester", 0, res, 8, &ei), 4);
    assert_int_equal(count(f, "SELECT count(*) FROM findings"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM pdns"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE entry IS NULL"), 3);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE kind = 'retention.purge'"), 4);
    log_verifies(f);
    /* the governance state still agrees with what is left of the log */
    char problem[256];
    uint64_t checked;
    assert_int_equal(sk_govern_check_log(f->g, &checked, problem, sizeof problem), 0);
    /* again: nothing more to purge */
    assert_int_equal(sk_govern_retention_purge(f->g, later, "tester", 0, res, 8, &ei), 4);
    assert_int_equal(res[2].purged, 0);
    log_verifies(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_machine_table),
        cmocka_unit_test(test_config_refusals),
        cmocka_unit_test_setup_teardown(test_approve_apply_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_illegal_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_replayed_duplicate_self, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_approval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_any_approver_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_needs_more, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_proposal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exigent_ratified, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exigent_lapses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exigent_disabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttl_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_failure_reverts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_revert_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_then_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
