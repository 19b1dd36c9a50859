/*
 * proposal.c — the governance handle, proposals (create, submit, load),
 * their canonical digest, and the one transition routine.
 *
 * A proposal is a row of gov_proposals. At submit, once the safeguards
 * pass, its canonical JSON — every field an approver decides on, the
 * safeguard report, and the audit log's random identity — is stored with its
 * SHA-256 digest; approvals sign that digest. Whenever the digest is needed
 * again it is recomputed from the stored fields and compared with the
 * stored one, so a row edited behind sakimori's back is caught before anyone
 * signs or acts on it.
 *
 * Every change runs in one store transaction that ends with
 * sk_audit_commit(): the state change and its audit entry land together.
 */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "govern/govern-int.h"
#include "sakimori/addr.h"
#include "sakimori/conf.h"
#include "sakimori/log.h"

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -SK_ESTORE;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

const char *sk__gov_target_text(const struct sk_target *t, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", t->kind == SK_TARGET_DOMAIN ? "*." : "", t->value);
    return buf;
}

void sk__gov_crashpoint(const char *name)
{
    const char *at = getenv("SK_GOVERN_CRASH_AT");
    if (at && strcmp(at, name) == 0)
        _exit(86);
}

/* --- the handle ---------------------------------------------------------- */

int sk_govern_open(struct sk_govern **out, const struct sk_conf *conf, struct sk_store *st,
                   struct sk_audit *audit, struct sk_errinfo *ei)
{
    static const char q_log[] = "SELECT log_id FROM audit_head WHERE id = 1";
    struct sk_govern *g = calloc(1, sizeof *g);
    const char *cname = conf->path ? conf->path : "configuration";
    sqlite3_stmt *q;
    int rc = 0;

    if (!g)
        return -SK_ENOMEM;
    g->conf = conf;
    g->st = st;
    g->audit = audit;
    if (conf->govern.approvers.n > SK_GOV_MAX_APPROVERS) {
        rc = sk_fail(ei, -SK_ECONF, "%s: govern.approvers: at most %d approvers", cname,
                     SK_GOV_MAX_APPROVERS);
        goto out;
    }
    for (size_t i = 0; i < conf->govern.approvers.n; i++) {
        struct sk__gov_approver *ap = &g->approvers[g->napprovers];
        struct sk_errinfo why = {""};
        if (sk_key_parse_named_public(conf->govern.approvers.v[i], ap->name, ap->pub, &why) < 0) {
            rc = sk_fail(ei, -SK_ECONF, "%s: govern.approvers item %zu: %s", cname, i + 1, why.msg);
            goto out;
        }
        for (size_t j = 0; j < g->napprovers; j++) {
            if (strcmp(g->approvers[j].name, ap->name) == 0 ||
                memcmp(g->approvers[j].pub, ap->pub, SK_KEY_PUBLIC_BYTES) == 0) {
                rc = sk_fail(ei, -SK_ECONF,
                             "%s: govern.approvers: '%s' and '%s' share a name or a key: approvers must be distinct people with distinct keys",
                             cname, g->approvers[j].name, ap->name);
                goto out;
            }
        }
        g->napprovers++;
    }
    if ((rc = sk_store_prepare(st, q_log, &q)) < 0) {
        rc = sk_fail(ei, rc, "store: %s", sk_store_errmsg(st));
        goto out;
    }
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 16)
        memcpy(g->log_id, sqlite3_column_blob(q, 0), 16);
    else
        rc = sk_fail(ei, -SK_ESTORE, "store: the audit log has no identity (damaged store)");
    sqlite3_reset(q);
out:
    if (rc < 0) {
        free(g);
        return rc;
    }
    *out = g;
    return 0;
}

void sk_govern_close(struct sk_govern *g)
{
    if (!g)
        return;
    sk__gov_plugins_fini(g);
    sk__gov_lists_free(&g->protected_assets);
    sk_wl_free(g->wl);
    if (g->psl_owned)
        psl_free(g->psl_owned);
    free(g);
}

int sk_govern_approver(struct sk_govern *g, const char *name, uint8_t pub[SK_KEY_PUBLIC_BYTES])
{
    for (size_t i = 0; i < g->napprovers; i++) {
        if (strcmp(g->approvers[i].name, name) == 0) {
            if (pub)
                memcpy(pub, g->approvers[i].pub, SK_KEY_PUBLIC_BYTES);
            return 0;
        }
    }
    return -SK_ENOTFOUND;
}

/* --- loading --------------------------------------------------------------- */

#define PROPOSAL_COLUMNS                                                                       \
    "id, case_id, renews, state, target, action, scope, ttl_ns, legal_basis, evidence,"        \
    " proposer, safeguards, canonical, digest, created_ns, submitted_ns, decided_ns,"          \
    " activated_ns, not_after_ns, ratify_by_ns, ended_ns, first_seen_ns, foreign_target,"      \
    " approvals_needed, exigent, false_positive, end_reason"

void sk__gov_proposal_free(struct sk__gov_proposal *p)
{
    free(p->scope);
    free(p->legal_basis);
    free(p->evidence);
    free(p->proposer);
    free(p->safeguards);
    free(p->canonical);
    free(p->end_reason);
    memset(p, 0, sizeof *p);
}

int sk__gov_load(struct sk_govern *g, int64_t id, struct sk__gov_proposal *p)
{
    static const char sql[] = "SELECT " PROPOSAL_COLUMNS " FROM gov_proposals WHERE id = ?1";
    sqlite3_stmt *st;
    int rc;

    memset(p, 0, sizeof *p);
    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? -SK_ENOTFOUND : -SK_ESTORE;
    }
    p->id = sqlite3_column_int64(st, 0);
    p->case_id = sqlite3_column_int64(st, 1);
    p->renews = sqlite3_column_int64(st, 2);
    p->state = (enum sk_gov_state)sk_govern_state_parse((const char *)sqlite3_column_text(st, 3));
    if (sk_target_parse((const char *)sqlite3_column_text(st, 4), &p->target, NULL) < 0)
        p->target.kind = 0;
    p->action = (enum sk_gov_action)sk_govern_action_parse((const char *)sqlite3_column_text(st, 5));
    p->scope = col_dup(st, 6);
    p->ttl = (uint64_t)sqlite3_column_int64(st, 7);
    p->legal_basis = col_dup(st, 8);
    p->evidence = col_dup(st, 9);
    p->proposer = col_dup(st, 10);
    p->safeguards = col_dup(st, 11);
    p->canonical = col_dup(st, 12);
    if (sqlite3_column_bytes(st, 13) == 32) {
        memcpy(p->digest, sqlite3_column_blob(st, 13), 32);
        p->has_digest = 1;
    }
    p->created = (sk_nstime)sqlite3_column_int64(st, 14);
    p->submitted = (sk_nstime)sqlite3_column_int64(st, 15);
    p->decided = (sk_nstime)sqlite3_column_int64(st, 16);
    p->activated = (sk_nstime)sqlite3_column_int64(st, 17);
    p->not_after = (sk_nstime)sqlite3_column_int64(st, 18);
    p->ratify_by = (sk_nstime)sqlite3_column_int64(st, 19);
    p->ended = (sk_nstime)sqlite3_column_int64(st, 20);
    p->first_seen = (sk_nstime)sqlite3_column_int64(st, 21);
    p->foreign = sqlite3_column_int(st, 22);
    p->approvals_needed = sqlite3_column_int(st, 23);
    p->exigent = sqlite3_column_int(st, 24);
    p->false_positive = sqlite3_column_int(st, 25);
    p->end_reason = col_dup(st, 26);
    sqlite3_reset(st);
    if ((int)p->state < 0 || (int)p->action < 0 || !p->target.kind || !p->scope ||
        !p->legal_basis || !p->evidence || !p->proposer) {
        sk__gov_proposal_free(p);
        return -SK_EPARSE;
    }
    return 0;
}

/* --- the canonical form ------------------------------------------------------ */

int sk__gov_canonical(struct sk_govern *g, const struct sk__gov_proposal *p, char **text,
                      uint8_t digest[32])
{
    char log[33];
    json_t *o = NULL, *ev = NULL, *sg = NULL;
    int rc = 0;

    *text = NULL;
    ev = json_loads(p->evidence, 0, NULL);
    sg = p->safeguards ? json_loads(p->safeguards, 0, NULL) : json_object();
    if (!json_is_array(ev) || !json_is_object(sg)) {
        rc = -SK_EPARSE;
        goto out;
    }
    sk_hex(g->log_id, 16, log, sizeof log);
    o = json_pack("{s:i, s:s, s:I, s:o, s:{s:s, s:s}, s:s, s:s, s:I, s:s, s:O, s:s, s:o, s:I,"
                  " s:b, s:i, s:O}",
                  "v", 1, "log", log, "id", (json_int_t)p->id,
                  "case", p->case_id ? json_integer(p->case_id) : json_null(),
                  "target", "kind", sk_target_kind_name((enum sk_target_kind)p->target.kind),
                  "value", p->target.value,
                  "action", sk_govern_action_name(p->action), "scope", p->scope,
                  "ttl_ns", (json_int_t)p->ttl, "legal_basis", p->legal_basis, "evidence", ev,
                  "proposer", p->proposer,
                  "renews", p->renews ? json_integer(p->renews) : json_null(),
                  "submitted_ns", (json_int_t)p->submitted, "foreign", p->foreign,
                  "approvals_needed", p->approvals_needed, "safeguards", sg);
    if (!o) {
        rc = -SK_ENOMEM;
        goto out;
    }
    if (!(*text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS))) {
        rc = -SK_ENOMEM;
        goto out;
    }
    crypto_hash_sha256(digest, (const uint8_t *)*text, strlen(*text));
out:
    json_decref(o);
    json_decref(ev);
    json_decref(sg);
    return rc;
}

int sk_govern_digest(struct sk_govern *g, int64_t id, uint8_t digest[32], struct sk_errinfo *ei)
{
    struct sk__gov_proposal p;
    char *text = NULL;
    int rc;

    if ((rc = sk__gov_load(g, id, &p)) < 0)
        return sk_fail(ei, rc, "proposal #%lld: %s", (long long)id,
                       rc == -SK_ENOTFOUND ? "no such proposal" : sk_strerror(rc));
    if (!p.has_digest) {
        rc = sk_fail(ei, -SK_ESTATE, "proposal #%lld is a %s: it has no digest until it is submitted",
                     (long long)id, sk_govern_state_name(p.state));
        goto out;
    }
    if ((rc = sk__gov_canonical(g, &p, &text, digest)) < 0) {
        rc = sk_fail(ei, rc, "proposal #%lld: cannot rebuild its canonical form", (long long)id);
        goto out;
    }
    if (sodium_memcmp(digest, p.digest, 32) != 0 || !p.canonical || strcmp(text, p.canonical) != 0) {
        rc = sk_fail(ei, -SK_ECRYPTO,
                     "proposal #%lld was altered in the store after it was submitted: its fields no longer match the digest approvers sign",
                     (long long)id);
        goto out;
    }
out:
    free(text);
    sk__gov_proposal_free(&p);
    return rc;
}

/* --- transitions ------------------------------------------------------------ */

int sk__gov_transition(struct sk_govern *g, struct sk__gov_proposal *p, enum sk_gov_event ev,
                       const char *actor, json_t *detail, struct sk_errinfo *ei)
{
    static const char sql[] = "UPDATE gov_proposals SET state = ?1 WHERE id = ?2 AND state = ?3";
    enum sk_gov_state to;
    char subject[32], kind[48];
    json_t *d = NULL;
    sqlite3_stmt *st;
    int rc;

    if (sk_govern_next_state(p->state, ev, &to) < 0) {
        char from[128];
        sk__gov_event_sources(ev, from, sizeof from);
        return sk_fail(ei, -SK_ESTATE, "proposal #%lld is %s: '%s' is allowed only when it is %s",
                       (long long)p->id, sk_govern_state_name(p->state), sk_govern_event_name(ev),
                       from);
    }
    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    sqlite3_bind_text(st, 1, sk_govern_state_name(to), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, p->id);
    sqlite3_bind_text(st, 3, sk_govern_state_name(p->state), -1, SQLITE_STATIC);
    if ((rc = step_done(st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    if (sqlite3_changes(sk_store_db(g->st)) != 1)
        return sk_fail(ei, -SK_ESTATE, "proposal #%lld changed state meanwhile (another process?)",
                       (long long)p->id);
    d = detail ? json_deep_copy(detail) : json_object();
    if (!d)
        return -SK_ENOMEM;
    json_object_set_new(d, "from", json_string(sk_govern_state_name(p->state)));
    json_object_set_new(d, "to", json_string(sk_govern_state_name(to)));
    /* each entry stands alone: the transparency report reads nothing else */
    json_object_set_new(d, "action", json_string(sk_govern_action_name(p->action)));
    char tt[SK_TARGET_MAX + 2];
    json_object_set_new(d, "target", json_string(sk__gov_target_text(&p->target, tt, sizeof tt)));
    if (ev == SK_GOV_EV_APPLY || ev == SK_GOV_EV_EXIGENT)
        json_object_set_new(d, "first_seen_ns", json_integer((json_int_t)p->first_seen));
    snprintf(subject, sizeof subject, "proposal/%lld", (long long)p->id);
    snprintf(kind, sizeof kind, "proposal.%s", sk_govern_event_name(ev));
    rc = sk_audit_append(g->audit, actor, kind, subject, d, NULL);
    json_decref(d);
    if (rc < 0)
        return sk_fail(ei, rc, "audit: cannot append: %s", sk_strerror(rc));
    p->state = to;
    return 0;
}

int sk__gov_set_int(struct sk_govern *g, int64_t id, const char *column, int64_t v)
{
    static const char *const sqls[][2] = {
        {"decided_ns", "UPDATE gov_proposals SET decided_ns = ?1 WHERE id = ?2"},
        {"activated_ns", "UPDATE gov_proposals SET activated_ns = ?1 WHERE id = ?2"},
        {"not_after_ns", "UPDATE gov_proposals SET not_after_ns = ?1 WHERE id = ?2"},
        {"ratify_by_ns", "UPDATE gov_proposals SET ratify_by_ns = ?1 WHERE id = ?2"},
        {"ended_ns", "UPDATE gov_proposals SET ended_ns = ?1 WHERE id = ?2"},
        {"exigent", "UPDATE gov_proposals SET exigent = ?1 WHERE id = ?2"},
        {"false_positive", "UPDATE gov_proposals SET false_positive = ?1 WHERE id = ?2"},
    };
    sqlite3_stmt *st;
    int rc;

    for (size_t i = 0; i < sizeof sqls / sizeof sqls[0]; i++) {
        if (strcmp(sqls[i][0], column) != 0)
            continue;
        if ((rc = sk_store_prepare(g->st, sqls[i][1], &st)) < 0)
            return rc;
        sqlite3_bind_int64(st, 1, v);
        sqlite3_bind_int64(st, 2, id);
        return step_done(st);
    }
    return -SK_EINVAL;
}

int sk__gov_set_text(struct sk_govern *g, int64_t id, const char *column, const char *v)
{
    static const char *const sqls[][2] = {
        {"end_reason", "UPDATE gov_proposals SET end_reason = ?1 WHERE id = ?2"},
        {"safeguards", "UPDATE gov_proposals SET safeguards = ?1 WHERE id = ?2"},
    };
    sqlite3_stmt *st;
    int rc;

    for (size_t i = 0; i < sizeof sqls / sizeof sqls[0]; i++) {
        if (strcmp(sqls[i][0], column) != 0)
            continue;
        if ((rc = sk_store_prepare(g->st, sqls[i][1], &st)) < 0)
            return rc;
        sqlite3_bind_text(st, 1, v, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, id);
        return step_done(st);
    }
    return -SK_EINVAL;
}

/* --- findings as evidence ---------------------------------------------------- */

int sk__gov_finding(struct sk_govern *g, int64_t id, struct sk__gov_finding *f)
{
    static const char sql[] =
        "SELECT type, ind_confidence, score, ts_first_ns, ts_last_ns, src_ip, dst_ip, name,"
        " ind_value, dst_port FROM findings WHERE id = ?1";
    sqlite3_stmt *st;
    int rc;

    memset(f, 0, sizeof *f);
    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? -SK_ENOTFOUND : -SK_ESTORE;
    }
    f->id = id;
    f->detection = sqlite3_column_text(st, 0) &&
                   strcmp((const char *)sqlite3_column_text(st, 0), "detection") == 0;
    if (f->detection) {
        double s = sqlite3_column_double(st, 2);
        f->confidence = s <= 0 ? 0 : s >= 1 ? 100 : (int)(s * 100.0 + 0.5);
    } else {
        f->confidence = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 : sqlite3_column_int(st, 1);
    }
    /* A finding's TLP is its indicator's (intel's store, least restrictive
     * over the marked sources: the value may be used under it); findings
     * without a marked indicator — local detections, plain lists — take the
     * configured default (docs/governance.md, "TLP and use"). */
    f->tlp = g->conf->govern.tlp_default;
    f->first = (sk_nstime)sqlite3_column_int64(st, 3);
    f->last = (sk_nstime)sqlite3_column_int64(st, 4);
    if (sqlite3_column_text(st, 5))
        sk_addr_parse((const char *)sqlite3_column_text(st, 5), &f->src);
    if (sqlite3_column_text(st, 6))
        sk_addr_parse((const char *)sqlite3_column_text(st, 6), &f->dst);
    if (sqlite3_column_text(st, 7))
        snprintf(f->name, sizeof f->name, "%s", (const char *)sqlite3_column_text(st, 7));
    if (sqlite3_column_text(st, 8))
        snprintf(f->ind_value, sizeof f->ind_value, "%s", (const char *)sqlite3_column_text(st, 8));
    f->dport = (uint16_t)sqlite3_column_int(st, 9);
    sqlite3_reset(st);
    if (f->ind_value[0]) {
        static const char q_tlp[] =
            "SELECT s.tlp FROM indicators i JOIN indicator_sources s ON s.indicator_id = i.id"
            " WHERE i.value = ?1 AND s.tlp IS NOT NULL";
        int best = -1;
        if (sk_store_prepare(g->st, q_tlp, &st) == 0) {
            sqlite3_bind_text(st, 1, f->ind_value, -1, SQLITE_TRANSIENT);
            while (sqlite3_step(st) == SQLITE_ROW) {
                int t = sk_tlp_parse((const char *)sqlite3_column_text(st, 0));
                if (t >= 0 && (best < 0 || t < best))
                    best = t;
            }
            sqlite3_reset(st);
        }
        if (best >= 0)
            f->tlp = best;
    }
    return 0;
}

/* "finding:12" → 12; 0 when ref is not a finding reference. */
static int64_t finding_ref(const char *ref)
{
    char *end;
    long long v;

    if (strncmp(ref, "finding:", 8) != 0)
        return 0;
    errno = 0;
    v = strtoll(ref + 8, &end, 10);
    return errno || *end || v <= 0 ? -1 : v;
}

/* --- cases -------------------------------------------------------------- */

static int case_link(struct sk_govern *g, int64_t case_id, int64_t finding)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO gov_case_findings (case_id, finding_id) VALUES (?1, ?2)";
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, finding);
    return step_done(st);
}

static int case_insert(struct sk_govern *g, const char *title, const char *target,
                       const char *actor, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO gov_cases (title, target, created_ns, created_by) VALUES (?1, ?2, ?3, ?4)";
    char subject[32];
    sqlite3_stmt *st;
    json_t *d;
    int rc;

    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, title, -1, SQLITE_TRANSIENT);
    if (target)
        sqlite3_bind_text(st, 2, target, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)sk_now());
    sqlite3_bind_text(st, 4, actor, -1, SQLITE_TRANSIENT);
    if ((rc = step_done(st)) < 0)
        return rc;
    *id = sqlite3_last_insert_rowid(sk_store_db(g->st));
    snprintf(subject, sizeof subject, "case/%lld", (long long)*id);
    d = json_pack("{s:s, s:s?}", "title", title, "target", target);
    rc = sk_audit_append(g->audit, actor, "case.create", subject, d, NULL);
    json_decref(d);
    return rc;
}

static int check_findings(struct sk_govern *g, const int64_t *findings, size_t n,
                          struct sk_errinfo *ei)
{
    struct sk__gov_finding f;
    int rc;

    for (size_t i = 0; i < n; i++)
        if ((rc = sk__gov_finding(g, findings[i], &f)) < 0)
            return sk_fail(ei, rc == -SK_ENOTFOUND ? -SK_EPARSE : rc, "finding %lld: %s",
                           (long long)findings[i],
                           rc == -SK_ENOTFOUND ? "no such finding in the store" : sk_strerror(rc));
    return 0;
}

int sk_govern_case_new(struct sk_govern *g, const char *title, const char *target,
                       const char *actor, const int64_t *findings, size_t n, int64_t *id,
                       struct sk_errinfo *ei)
{
    struct sk_target t;
    int rc;

    if (!title || !*title || strlen(title) > 512)
        return sk_fail(ei, -SK_EPARSE, "a case needs a title of 1-512 characters");
    if (target && (rc = sk_target_parse(target, &t, ei)) < 0)
        return rc;
    if ((rc = sk_store_begin(g->st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    if ((rc = check_findings(g, findings, n, ei)) < 0)
        goto fail;
    char tt[SK_TARGET_MAX + 2];
    if ((rc = case_insert(g, title, target ? sk__gov_target_text(&t, tt, sizeof tt) : NULL, actor,
                          id)) < 0) {
        sk_errinfo_set(ei, "cannot create the case: %s", sk_strerror(rc));
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = case_link(g, *id, findings[i])) < 0)
            goto fail;
    if ((rc = sk_audit_commit(g->audit)) < 0)
        return sk_fail(ei, rc, "store: cannot commit: %s", sk_strerror(rc));
    return 0;
fail:
    sk_store_rollback(g->st);
    return rc;
}

int sk_govern_case_add(struct sk_govern *g, int64_t case_id, const int64_t *findings, size_t n,
                       const char *actor, struct sk_errinfo *ei)
{
    static const char q_case[] = "SELECT status FROM gov_cases WHERE id = ?1";
    char subject[32];
    sqlite3_stmt *st;
    json_t *d = NULL, *arr;
    int rc;

    if ((rc = sk_store_begin(g->st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    if ((rc = sk_store_prepare(g->st, q_case, &st)) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, case_id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        rc = sk_fail(ei, -SK_ENOTFOUND, "case %lld: no such case", (long long)case_id);
        goto fail;
    }
    if ((rc = check_findings(g, findings, n, ei)) < 0)
        goto fail;
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if ((rc = case_link(g, case_id, findings[i])) < 0)
            goto fail;
        json_array_append_new(arr, json_integer(findings[i]));
    }
    d = json_pack("{s:o}", "findings", arr);
    snprintf(subject, sizeof subject, "case/%lld", (long long)case_id);
    if ((rc = sk_audit_append(g->audit, actor, "case.add", subject, d, NULL)) < 0)
        goto fail;
    json_decref(d);
    if ((rc = sk_audit_commit(g->audit)) < 0)
        return sk_fail(ei, rc, "store: cannot commit: %s", sk_strerror(rc));
    return 0;
fail:
    json_decref(d);
    sk_store_rollback(g->st);
    return rc;
}

int sk_govern_case_close(struct sk_govern *g, int64_t case_id, const char *actor,
                         struct sk_errinfo *ei)
{
    static const char q_open[] =
        "SELECT id, state FROM gov_proposals WHERE case_id = ?1 AND state IN"
        " ('draft', 'pending', 'approved', 'active', 'provisional') ORDER BY id LIMIT 1";
    static const char q_close[] =
        "UPDATE gov_cases SET status = 'closed' WHERE id = ?1 AND status = 'open'";
    char subject[32];
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_begin(g->st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    if ((rc = sk_store_prepare(g->st, q_open, &st)) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, case_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        rc = sk_fail(ei, -SK_ESTATE, "case %lld still has proposal #%lld %s: end it first",
                     (long long)case_id, (long long)sqlite3_column_int64(st, 0),
                     (const char *)sqlite3_column_text(st, 1));
        sqlite3_reset(st);
        goto fail;
    }
    sqlite3_reset(st);
    if ((rc = sk_store_prepare(g->st, q_close, &st)) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, case_id);
    if ((rc = step_done(st)) < 0)
        goto fail;
    if (sqlite3_changes(sk_store_db(g->st)) != 1) {
        rc = sk_fail(ei, -SK_ESTATE, "case %lld: no such open case", (long long)case_id);
        goto fail;
    }
    snprintf(subject, sizeof subject, "case/%lld", (long long)case_id);
    if ((rc = sk_audit_append(g->audit, actor, "case.close", subject, NULL, NULL)) < 0 ||
        (rc = sk_audit_commit(g->audit)) < 0)
        goto fail;
    return 0;
fail:
    sk_store_rollback(g->st);
    return rc;
}

/* The open case for a target, created when there is none. */
static int case_for_target(struct sk_govern *g, const struct sk_target *t, const char *actor,
                           int64_t *id)
{
    static const char sql[] =
        "SELECT id FROM gov_cases WHERE target = ?1 AND status = 'open' ORDER BY id LIMIT 1";
    char title[SK_TARGET_MAX + 16];
    sqlite3_stmt *st;
    int rc;

    sk__gov_target_text(t, title, sizeof title);
    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, title, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return 0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -SK_ESTORE;
    return case_insert(g, title, title, actor, id);
}

/* --- propose and submit ------------------------------------------------------ */

static int utf8_ok(const char *s)
{
    json_t *j = json_string(s);
    json_decref(j);
    return j != NULL;
}

static int is_approver(struct sk_govern *g, const char *name)
{
    return sk_govern_approver(g, name, NULL) == 0;
}

int sk_govern_propose(struct sk_govern *g, const struct sk_proposal_req *req, int64_t *id,
                      struct sk_errinfo *ei)
{
    static const char q_ins[] =
        "INSERT INTO gov_proposals (case_id, state, target, target_kind, action, scope, ttl_ns,"
        " legal_basis, evidence, proposer, renews, created_ns)"
        " VALUES (?1, 'draft', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    static const char q_case[] = "SELECT status FROM gov_cases WHERE id = ?1";
    struct sk_target t;
    struct sk__gov_finding f;
    json_t *ev = NULL, *d = NULL;
    char *ev_text = NULL, subject[32];
    int64_t case_id = req->case_id;
    sqlite3_stmt *st;
    int rc = 0, action;

    *id = 0;
    if (!req->target || (rc = sk_target_parse(req->target, &t, ei)) < 0)
        return req->target ? rc : sk_fail(ei, -SK_EPARSE, "a proposal needs a target");
    if (!req->action || (action = sk_govern_action_parse(req->action)) < 0)
        return sk_fail(ei, -SK_EPARSE,
                       "action '%s': expected monitor, sinkhole, block, blackhole or takedown_request",
                       req->action ? req->action : "");
    if (req->ttl == 0)
        return sk_fail(ei, -SK_EPARSE, "a proposal needs a TTL (how long the action may last)");
    if (!req->legal_basis || !*req->legal_basis || strlen(req->legal_basis) > SK_GOV_TEXT_MAX)
        return sk_fail(ei, -SK_EPARSE, "a proposal needs a legal basis of 1-%d characters",
                       SK_GOV_TEXT_MAX);
    if (req->scope && strlen(req->scope) > 256)
        return sk_fail(ei, -SK_EPARSE, "scope: at most 256 characters");
    if (!req->proposer || !sk_key_name_ok(req->proposer))
        return sk_fail(ei, -SK_EPARSE, "proposer '%s': expected a name of letters, digits, '.', '_', '-', '@'",
                       req->proposer ? req->proposer : "");
    if (is_approver(g, req->proposer))
        return sk_fail(ei, -SK_EDENIED,
                       "'%s' is an approver: approvers decide on proposals and cannot make them (separation of duties)",
                       req->proposer);
    if (req->nevidence > SK_GOV_MAX_EVIDENCE)
        return sk_fail(ei, -SK_EPARSE, "at most %d evidence references", SK_GOV_MAX_EVIDENCE);
    if (!(ev = json_array()))
        return -SK_ENOMEM;
    if ((rc = sk_store_begin(g->st)) < 0) {
        json_decref(ev);
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    }
    for (size_t i = 0; i < req->nevidence; i++) {
        const char *r = req->evidence[i];
        int64_t fid = finding_ref(r);
        if (!*r || strlen(r) > 512) {
            rc = sk_fail(ei, -SK_EPARSE, "evidence %zu: 1-512 characters", i + 1);
            goto fail;
        }
        if (fid < 0) {
            rc = sk_fail(ei, -SK_EPARSE, "evidence '%s': expected finding:<id>", r);
            goto fail;
        }
        if (fid > 0 && (rc = sk__gov_finding(g, fid, &f)) < 0) {
            rc = sk_fail(ei, rc == -SK_ENOTFOUND ? -SK_EPARSE : rc, "evidence '%s': %s", r,
                         rc == -SK_ENOTFOUND ? "no such finding in the store" : sk_strerror(rc));
            goto fail;
        }
        json_t *js = json_string(r);
        if (!js) {
            rc = sk_fail(ei, -SK_EPARSE, "evidence %zu: not UTF-8", i + 1);
            goto fail;
        }
        json_array_append_new(ev, js);
    }
    if (!utf8_ok(req->legal_basis) || !utf8_ok(req->scope ? req->scope : "")) {
        rc = sk_fail(ei, -SK_EPARSE, "legal basis: not UTF-8");
        goto fail;
    }
    if (case_id) {
        if ((rc = sk_store_prepare(g->st, q_case, &st)) < 0)
            goto store_fail;
        sqlite3_bind_int64(st, 1, case_id);
        rc = sqlite3_step(st);
        int open = rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "open");
        sqlite3_reset(st);
        if (!open) {
            rc = sk_fail(ei, -SK_EPARSE, "case %lld: %s", (long long)case_id,
                         rc == SQLITE_ROW ? "the case is closed" : "no such case");
            goto fail;
        }
    } else if ((rc = case_for_target(g, &t, req->proposer, &case_id)) < 0) {
        goto store_fail;
    }
    if (req->renews) {
        struct sk__gov_proposal old;
        if ((rc = sk__gov_load(g, req->renews, &old)) < 0) {
            rc = sk_fail(ei, -SK_EPARSE, "renews %lld: no such proposal", (long long)req->renews);
            goto fail;
        }
        sk__gov_proposal_free(&old);
    }
    if (!(ev_text = json_dumps(ev, JSON_COMPACT))) {
        rc = -SK_ENOMEM;
        goto fail;
    }
    if ((rc = sk_store_prepare(g->st, q_ins, &st)) < 0)
        goto store_fail;
    sqlite3_bind_int64(st, 1, case_id);
    char ttext[SK_TARGET_MAX + 2];
    sqlite3_bind_text(st, 2, sk__gov_target_text(&t, ttext, sizeof ttext), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, sk_target_kind_name((enum sk_target_kind)t.kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, sk_govern_action_name((enum sk_gov_action)action), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, req->scope ? req->scope : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)req->ttl);
    sqlite3_bind_text(st, 7, req->legal_basis, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, ev_text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, req->proposer, -1, SQLITE_TRANSIENT);
    if (req->renews)
        sqlite3_bind_int64(st, 10, req->renews);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)sk_now());
    if ((rc = step_done(st)) < 0)
        goto store_fail;
    *id = sqlite3_last_insert_rowid(sk_store_db(g->st));
    for (size_t i = 0; i < req->nevidence; i++) {
        int64_t fid = finding_ref(req->evidence[i]);
        if (fid > 0 && (rc = case_link(g, case_id, fid)) < 0)
            goto store_fail;
    }
    snprintf(subject, sizeof subject, "proposal/%lld", (long long)*id);
    d = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:O, s:I}", "case", (json_int_t)case_id,
                  "target", ttext, "target_kind", sk_target_kind_name((enum sk_target_kind)t.kind),
                  "action", sk_govern_action_name((enum sk_gov_action)action),
                  "scope", req->scope ? req->scope : "", "ttl_ns", (json_int_t)req->ttl,
                  "legal_basis", req->legal_basis, "evidence", ev,
                  "renews", (json_int_t)req->renews);
    if ((rc = sk_audit_append(g->audit, req->proposer, "proposal.create", subject, d, NULL)) < 0)
        goto store_fail;
    if ((rc = sk_audit_commit(g->audit)) < 0)
        goto store_fail;
    rc = 0;
    goto out;
store_fail:
    sk_errinfo_set(ei, "store: cannot record the proposal: %s (%s)", sk_strerror(rc),
                   sk_store_errmsg(g->st));
fail:
    sk_store_rollback(g->st);
    *id = 0;
out:
    json_decref(d);
    json_decref(ev);
    free(ev_text);
    return rc;
}

int sk_govern_submit(struct sk_govern *g, int64_t id, const char *actor, char **report,
                     struct sk_errinfo *ei)
{
    static const char q_sub[] =
        "UPDATE gov_proposals SET submitted_ns = ?1, foreign_target = ?2, approvals_needed = ?3,"
        " safeguards = ?4, canonical = ?5, digest = ?6, first_seen_ns = ?7 WHERE id = ?8";
    struct sk__gov_proposal p;
    struct sk_errinfo refusal = {""};
    json_t *rep = NULL, *d = NULL;
    char *rep_text = NULL, *canon = NULL, subject[32], hex[65];
    uint8_t digest[32];
    sqlite3_stmt *st;
    enum sk_gov_state to;
    int rc, verdict;

    if (report)
        *report = NULL;
    if ((rc = sk_store_begin(g->st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    if ((rc = sk__gov_load(g, id, &p)) < 0) {
        sk_store_rollback(g->st);
        return sk_fail(ei, rc, "proposal #%lld: %s", (long long)id,
                       rc == -SK_ENOTFOUND ? "no such proposal" : sk_strerror(rc));
    }
    if (sk_govern_next_state(p.state, SK_GOV_EV_SUBMIT, &to) < 0) {
        rc = sk__gov_transition(g, &p, SK_GOV_EV_SUBMIT, actor, NULL, ei);
        goto fail;
    }
    verdict = sk__gov_safeguards(g, &p, 0, &rep, &refusal);
    if (!rep) {
        rc = sk_fail(ei, verdict < 0 ? verdict : -SK_ENOMEM, "safeguards: %s", refusal.msg);
        goto fail;
    }
    if (!(rep_text = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS))) {
        rc = -SK_ENOMEM;
        goto fail;
    }
    if (report)
        *report = strdup(rep_text);
    snprintf(subject, sizeof subject, "proposal/%lld", (long long)id);
    if (verdict == -SK_EDENIED) {
        /* stays a draft; the refusal and its report are on record */
        if ((rc = sk__gov_set_text(g, id, "safeguards", rep_text)) < 0)
            goto store_fail;
        d = json_pack("{s:O}", "safeguards", rep);
        if ((rc = sk_audit_append(g->audit, actor, "proposal.refused", subject, d, NULL)) < 0 ||
            (rc = sk_audit_commit(g->audit)) < 0)
            goto store_fail;
        rc = sk_fail(ei, -SK_EDENIED, "%s", refusal.msg);
        goto out;
    }
    if (verdict < 0) {
        rc = sk_fail(ei, verdict, "safeguards: %s", refusal.msg);
        goto fail;
    }
    free(p.safeguards);
    p.safeguards = strdup(rep_text);
    p.submitted = sk_now();
    p.foreign = json_is_true(json_object_get(rep, "foreign"));
    p.approvals_needed = (int)json_integer_value(json_object_get(rep, "approvals_needed"));
    p.first_seen = (sk_nstime)json_integer_value(json_object_get(rep, "first_seen_ns"));
    if (!p.safeguards || (rc = sk__gov_canonical(g, &p, &canon, digest)) < 0) {
        rc = sk_fail(ei, rc < 0 ? rc : -SK_ENOMEM, "cannot build the canonical form");
        goto fail;
    }
    if ((rc = sk_store_prepare(g->st, q_sub, &st)) < 0)
        goto store_fail;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)p.submitted);
    sqlite3_bind_int(st, 2, p.foreign);
    sqlite3_bind_int(st, 3, p.approvals_needed);
    sqlite3_bind_text(st, 4, p.safeguards, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, canon, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 6, digest, 32, SQLITE_TRANSIENT);
    if (p.first_seen)
        sqlite3_bind_int64(st, 7, (sqlite3_int64)p.first_seen);
    sqlite3_bind_int64(st, 8, id);
    if ((rc = step_done(st)) < 0)
        goto store_fail;
    d = json_pack("{s:s, s:O, s:b, s:i}", "digest", sk_hex(digest, 32, hex, sizeof hex),
                  "safeguards", rep, "foreign", p.foreign, "approvals_needed",
                  p.approvals_needed);
    if ((rc = sk__gov_transition(g, &p, SK_GOV_EV_SUBMIT, actor, d, ei)) < 0)
        goto fail;
    if ((rc = sk_audit_commit(g->audit)) < 0)
        goto store_fail;
    rc = 0;
    goto out;
store_fail:
    sk_errinfo_set(ei, "store: %s (%s)", sk_strerror(rc), sk_store_errmsg(g->st));
fail:
    sk_store_rollback(g->st);
out:
    json_decref(d);
    json_decref(rep);
    free(rep_text);
    free(canon);
    sk__gov_proposal_free(&p);
    return rc;
}

/* --- reading as JSON --------------------------------------------------------- */

static json_t *time_or_null(sk_nstime t)
{
    char buf[SK_RFC3339_LEN];
    return t ? json_string(sk_rfc3339(t, buf, sizeof buf)) : json_null();
}

static json_t *proposal_summary(const struct sk__gov_proposal *p)
{
    char dur[32], hex[65];
    json_t *o = json_pack("{s:I, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:I, s:s, s:s, s:I}",
                          "id", (json_int_t)p->id, "state", sk_govern_state_name(p->state),
                          "target", "kind", sk_target_kind_name((enum sk_target_kind)p->target.kind),
                          "value", p->target.value, "action", sk_govern_action_name(p->action),
                          "scope", p->scope, "ttl", sk_duration_fmt(p->ttl, dur, sizeof dur),
                          "ttl_ns", (json_int_t)p->ttl, "proposer", p->proposer,
                          "legal_basis", p->legal_basis, "case", (json_int_t)p->case_id);
    if (!o)
        return NULL;
    json_object_set_new(o, "evidence", json_loads(p->evidence, 0, NULL));
    json_object_set_new(o, "renews", p->renews ? json_integer(p->renews) : json_null());
    json_object_set_new(o, "created", time_or_null(p->created));
    json_object_set_new(o, "submitted", time_or_null(p->submitted));
    json_object_set_new(o, "decided", time_or_null(p->decided));
    json_object_set_new(o, "activated", time_or_null(p->activated));
    json_object_set_new(o, "not_after", time_or_null(p->not_after));
    json_object_set_new(o, "ratify_by", time_or_null(p->ratify_by));
    json_object_set_new(o, "ended", time_or_null(p->ended));
    json_object_set_new(o, "first_seen", time_or_null(p->first_seen));
    json_object_set_new(o, "end_reason", p->end_reason ? json_string(p->end_reason) : json_null());
    json_object_set_new(o, "exigent", json_boolean(p->exigent));
    json_object_set_new(o, "false_positive", json_boolean(p->false_positive));
    json_object_set_new(o, "foreign", p->submitted ? json_boolean(p->foreign) : json_null());
    json_object_set_new(o, "approvals_needed",
                        p->submitted ? json_integer(p->approvals_needed) : json_null());
    json_object_set_new(o, "digest", p->has_digest ? json_string(sk_hex(p->digest, 32, hex, sizeof hex))
                                                   : json_null());
    return o;
}

int sk_govern_proposal_json(struct sk_govern *g, int64_t id, json_t **out)
{
    static const char q_appr[] =
        "SELECT approver, verdict, note, signed_ns, key_id, signature FROM gov_approvals"
        " WHERE proposal_id = ?1 ORDER BY id";
    static const char q_runs[] =
        "SELECT op, plugin, started_ns, finished_ns, outcome, error FROM gov_runs"
        " WHERE proposal_id = ?1 ORDER BY id";
    struct sk__gov_proposal p;
    sqlite3_stmt *st;
    json_t *o, *arr;
    int rc;

    *out = NULL;
    if ((rc = sk__gov_load(g, id, &p)) < 0)
        return rc;
    o = proposal_summary(&p);
    if (!o) {
        sk__gov_proposal_free(&p);
        return -SK_ENOMEM;
    }
    json_object_set_new(o, "safeguards", p.safeguards ? json_loads(p.safeguards, 0, NULL) : json_null());
    arr = json_array();
    if ((rc = sk_store_prepare(g->st, q_appr, &st)) == 0) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            char sig[SK_KEY_SIG_TEXT];
            uint8_t raw[SK_KEY_SIG_BYTES];
            if (sqlite3_column_bytes(st, 5) == SK_KEY_SIG_BYTES)
                memcpy(raw, sqlite3_column_blob(st, 5), SK_KEY_SIG_BYTES);
            else
                memset(raw, 0, sizeof raw);
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "approver",
                               (const char *)sqlite3_column_text(st, 0), "verdict",
                               (const char *)sqlite3_column_text(st, 1), "note",
                               (const char *)sqlite3_column_text(st, 2), "signed",
                               time_or_null((sk_nstime)sqlite3_column_int64(st, 3)), "key_id",
                               (const char *)sqlite3_column_text(st, 4), "signature",
                               sk_key_sig_format(raw, sig, sizeof sig)));
        }
        sqlite3_reset(st);
    }
    json_object_set_new(o, "approvals", arr);
    arr = json_array();
    if ((rc = sk_store_prepare(g->st, q_runs, &st)) == 0) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *outcome = (const char *)sqlite3_column_text(st, 4);
            const char *err = (const char *)sqlite3_column_text(st, 5);
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:o, s:o, s:s, s:s?}", "op",
                               (const char *)sqlite3_column_text(st, 0), "plugin",
                               (const char *)sqlite3_column_text(st, 1), "started",
                               time_or_null((sk_nstime)sqlite3_column_int64(st, 2)), "finished",
                               time_or_null((sk_nstime)sqlite3_column_int64(st, 3)), "outcome",
                               outcome ? outcome : "in-flight", "error", err));
        }
        sqlite3_reset(st);
    }
    json_object_set_new(o, "runs", arr);
    sk__gov_proposal_free(&p);
    *out = o;
    return 0;
}

int sk_govern_list_json(struct sk_govern *g, int state, json_t **out)
{
    static const char q_all[] = "SELECT id FROM gov_proposals ORDER BY id DESC";
    static const char q_state[] = "SELECT id FROM gov_proposals WHERE state = ?1 ORDER BY id DESC";
    static const char q_count[] =
        "SELECT count(*) FROM gov_approvals WHERE proposal_id = ?1 AND verdict != 'reject'";
    sqlite3_stmt *st, *cnt;
    json_t *arr = json_array();
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    if (!arr)
        return -SK_ENOMEM;
    if ((rc = sk_store_prepare(g->st, state < 0 ? q_all : q_state, &st)) < 0)
        goto out;
    if (state >= 0)
        sqlite3_bind_text(st, 1, sk_govern_state_name((enum sk_gov_state)state), -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            int64_t *nv = realloc(ids, (cap = cap ? 2 * cap : 64) * sizeof *ids);
            if (!nv) {
                sqlite3_reset(st);
                rc = -SK_ENOMEM;
                goto out;
            }
            ids = nv;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < n; i++) {
        struct sk__gov_proposal p;
        json_t *o;
        if (sk__gov_load(g, ids[i], &p) < 0)
            continue;
        o = proposal_summary(&p);
        sk__gov_proposal_free(&p);
        if (!o)
            continue;
        if (sk_store_prepare(g->st, q_count, &cnt) == 0) {
            sqlite3_bind_int64(cnt, 1, ids[i]);
            if (sqlite3_step(cnt) == SQLITE_ROW)
                json_object_set_new(o, "approvals", json_integer(sqlite3_column_int64(cnt, 0)));
            sqlite3_reset(cnt);
        }
        json_array_append_new(arr, o);
    }
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    json_decref(arr);
    free(ids);
    return rc;
}

int sk_govern_case_json(struct sk_govern *g, int64_t id, json_t **out)
{
    static const char q_case[] =
        "SELECT title, target, created_ns, created_by, status FROM gov_cases WHERE id = ?1";
    static const char q_find[] =
        "SELECT f.id, f.type, f.ts_first_ns, f.ts_last_ns, f.src_ip, f.dst_ip, f.name,"
        " f.ind_value, f.analyzer, f.score, f.ind_confidence FROM gov_case_findings c"
        " JOIN findings f ON f.id = c.finding_id WHERE c.case_id = ?1 ORDER BY f.id";
    static const char q_props[] = "SELECT id FROM gov_proposals WHERE case_id = ?1 ORDER BY id";
    sqlite3_stmt *st;
    json_t *o, *arr;
    int rc;

    *out = NULL;
    if ((rc = sk_store_prepare(g->st, q_case, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return -SK_ENOTFOUND;
    }
    o = json_pack("{s:I, s:s, s:s?, s:o, s:s, s:s}", "id", (json_int_t)id, "title",
                  (const char *)sqlite3_column_text(st, 0), "target",
                  (const char *)sqlite3_column_text(st, 1), "created",
                  time_or_null((sk_nstime)sqlite3_column_int64(st, 2)), "created_by",
                  (const char *)sqlite3_column_text(st, 3), "status",
                  (const char *)sqlite3_column_text(st, 4));
    sqlite3_reset(st);
    if (!o)
        return -SK_ENOMEM;
    arr = json_array();
    if (sk_store_prepare(g->st, q_find, &st) == 0) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_t *f = json_pack("{s:I, s:s, s:o, s:o, s:s?, s:s?, s:s?, s:s?, s:s?}", "id",
                                  (json_int_t)sqlite3_column_int64(st, 0), "type",
                                  (const char *)sqlite3_column_text(st, 1), "ts_first",
                                  time_or_null((sk_nstime)sqlite3_column_int64(st, 2)), "ts_last",
                                  time_or_null((sk_nstime)sqlite3_column_int64(st, 3)), "src_ip",
                                  (const char *)sqlite3_column_text(st, 4), "dst_ip",
                                  (const char *)sqlite3_column_text(st, 5), "name",
                                  (const char *)sqlite3_column_text(st, 6), "indicator",
                                  (const char *)sqlite3_column_text(st, 7), "analyzer",
                                  (const char *)sqlite3_column_text(st, 8));
            if (f && sqlite3_column_type(st, 9) != SQLITE_NULL)
                json_object_set_new(f, "score", json_real(sqlite3_column_double(st, 9)));
            if (f && sqlite3_column_type(st, 10) != SQLITE_NULL)
                json_object_set_new(f, "confidence", json_integer(sqlite3_column_int(st, 10)));
            if (f)
                json_array_append_new(arr, f);
        }
        sqlite3_reset(st);
    }
    json_object_set_new(o, "findings", arr);
    arr = json_array();
    if (sk_store_prepare(g->st, q_props, &st) == 0) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(arr, json_integer(sqlite3_column_int64(st, 0)));
        sqlite3_reset(st);
    }
    json_object_set_new(o, "proposals", arr);
    *out = o;
    return 0;
}

int sk_govern_cases_json(struct sk_govern *g, json_t **out)
{
    static const char sql[] =
        "SELECT c.id, c.title, c.target, c.created_ns, c.created_by, c.status,"
        " (SELECT count(*) FROM gov_case_findings f WHERE f.case_id = c.id),"
        " (SELECT count(*) FROM gov_proposals p WHERE p.case_id = c.id),"
        " (SELECT count(*) FROM gov_proposals p WHERE p.case_id = c.id"
        "   AND p.state IN ('active', 'provisional'))"
        " FROM gov_cases c ORDER BY c.id DESC";
    sqlite3_stmt *st;
    json_t *arr = json_array();
    int rc;

    *out = NULL;
    if (!arr)
        return -SK_ENOMEM;
    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0) {
        json_decref(arr);
        return rc;
    }
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:s?, s:o, s:s, s:s, s:I, s:I, s:I}", "id",
                           (json_int_t)sqlite3_column_int64(st, 0), "title",
                           (const char *)sqlite3_column_text(st, 1), "target",
                           (const char *)sqlite3_column_text(st, 2), "created",
                           time_or_null((sk_nstime)sqlite3_column_int64(st, 3)), "created_by",
                           (const char *)sqlite3_column_text(st, 4), "status",
                           (const char *)sqlite3_column_text(st, 5), "findings",
                           (json_int_t)sqlite3_column_int64(st, 6), "proposals",
                           (json_int_t)sqlite3_column_int64(st, 7), "active",
                           (json_int_t)sqlite3_column_int64(st, 8)));
    sqlite3_reset(st);
    *out = arr;
    return 0;
}

/* --- the store agrees with the log ------------------------------------------ */

struct logged {
    int64_t id;
    char state[16];
    uint64_t seq;     /* the entry that set it */
    int approvals;    /* approval.approve|exigent|reject entries */
};

static struct logged *logged_of(struct logged **v, size_t *n, size_t *cap, int64_t id)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].id == id)
            return &(*v)[i];
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        struct logged *nv = realloc(*v, c * sizeof *nv);
        if (!nv)
            return NULL;
        *v = nv;
        *cap = c;
    }
    memset(&(*v)[*n], 0, sizeof **v);
    (*v)[*n].id = id;
    return &(*v)[(*n)++];
}

int sk_govern_check_log(struct sk_govern *g, uint64_t *checked, char *problem, size_t len)
{
    static const char q_log[] =
        "SELECT seq, kind, subject, entry FROM audit_log WHERE subject LIKE 'proposal/%'"
        " AND entry IS NOT NULL ORDER BY seq";
    static const char q_props[] = "SELECT id, state FROM gov_proposals ORDER BY id";
    static const char q_appr[] =
        "SELECT proposal_id, count(*) FROM gov_approvals GROUP BY proposal_id";
    struct logged *v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = NULL;
    int rc = 0, purged_any = 0;

    *checked = 0;
    problem[0] = '\0';
    if (sqlite3_prepare_v2(sk_store_db(g->st), q_log, -1, &st, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        int64_t id = strtoll((const char *)sqlite3_column_text(st, 2) + 9, NULL, 10);
        struct logged *l = logged_of(&v, &n, &cap, id);
        json_t *e, *d;
        if (!l) {
            rc = -SK_ENOMEM;
            goto out;
        }
        if (!strcmp(kind, "proposal.create")) {
            snprintf(l->state, sizeof l->state, "draft");
            l->seq = seq;
        } else if (!strncmp(kind, "proposal.", 9) && strcmp(kind, "proposal.refused")) {
            e = json_loadb(sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3), 0, NULL);
            d = json_object_get(e, "detail");
            if (json_is_string(json_object_get(d, "to"))) {
                snprintf(l->state, sizeof l->state, "%s", json_string_value(json_object_get(d, "to")));
                l->seq = seq;
            }
            json_decref(e);
        } else if (!strcmp(kind, "approval.approve") || !strcmp(kind, "approval.exigent") ||
                   !strcmp(kind, "approval.reject")) {
            l->approvals++;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    /* with retention purging old entries, old proposals may have no history */
    purged_any = 0;
    if (sqlite3_prepare_v2(sk_store_db(g->st), "SELECT count(*) FROM audit_log WHERE entry IS NULL",
                           -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        purged_any = sqlite3_column_int64(st, 0) > 0;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(sk_store_db(g->st), q_props, -1, &st, NULL) != SQLITE_OK) {
        rc = -SK_ESTORE;
        goto out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *state = (const char *)sqlite3_column_text(st, 1);
        struct logged *l = NULL;
        for (size_t i = 0; i < n; i++)
            if (v[i].id == id)
                l = &v[i];
        (*checked)++;
        if (!l || !l->state[0]) {
            if (purged_any)
                continue;
            snprintf(problem, len, "proposal #%lld is in the store but the audit log never recorded it",
                     (long long)id);
            rc = 1;
            goto out;
        }
        if (strcmp(l->state, state) != 0) {
            snprintf(problem, len,
                     "proposal #%lld is '%s' in the store but the audit log says '%s' (entry %llu)",
                     (long long)id, state, l->state, (unsigned long long)l->seq);
            rc = 1;
            goto out;
        }
        l->id = -l->id; /* matched */
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i].id > 0 && v[i].state[0]) {
            snprintf(problem, len, "proposal #%lld is in the audit log (entry %llu) but was deleted from the store",
                     (long long)v[i].id, (unsigned long long)v[i].seq);
            rc = 1;
            goto out;
        }
        v[i].id = -v[i].id;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(sk_store_db(g->st), q_appr, -1, &st, NULL) != SQLITE_OK) {
        rc = -SK_ESTORE;
        goto out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        int cnt = sqlite3_column_int(st, 1);
        for (size_t i = 0; i < n; i++) {
            if (v[i].id == id && v[i].approvals != cnt && !purged_any) {
                snprintf(problem, len,
                         "proposal #%lld has %d verdicts in the store but %d in the audit log",
                         (long long)id, cnt, v[i].approvals);
                rc = 1;
                goto out;
            }
        }
    }
out:
    sqlite3_finalize(st);
    free(v);
    return rc;
}
