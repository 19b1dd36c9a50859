/*
 * approval.c — signed verdicts of the oversight body: approve, exigent,
 * reject.
 *
 * The server never signs: it receives a verdict and a signature made with
 * an approver's own key and checks it against the public key in the
 * configuration. The signed message binds the verdict to one proposal's
 * digest (which binds the log identity, the proposal id and every field the
 * approver saw) and to the SHA-256 of the note, so a signature cannot be
 * replayed onto another proposal, another verdict, another deployment or
 * another justification. UNIQUE(proposal, approver) in the store makes a
 * second verdict by the same person impossible even for a buggy caller.
 *
 * Every refused attempt (forged, replayed, duplicated, self-approval) is
 * itself written to the audit log.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "govern/govern-int.h"
#include "sakimori/conf.h"

#define APPROVAL_MAGIC "sakimori-approval-v1" /* 20 bytes + NUL = 21 */

void sk_govern_approval_message(const uint8_t digest[32], enum sk_gov_verdict v, const char *note,
                                uint8_t msg[SK_GOV_APPROVAL_MSG_LEN])
{
    /* OFFSET SIZE MEANING
     *  0     21   "sakimori-approval-v1\0"
     * 21      1   verdict: 'A' approve, 'E' exigent, 'R' reject
     * 22     32   proposal digest (SHA-256 of its canonical JSON)
     * 54     32   SHA-256 of the note (reason or justification, UTF-8) */
    memcpy(msg, APPROVAL_MAGIC, 21);
    msg[21] = (uint8_t)v;
    memcpy(msg + 22, digest, 32);
    crypto_hash_sha256(msg + 54, (const uint8_t *)(note ? note : ""), note ? strlen(note) : 0);
}

static int count_approvals(struct sk_govern *g, int64_t id, int *n)
{
    static const char sql[] =
        "SELECT count(*) FROM gov_approvals WHERE proposal_id = ?1 AND verdict IN ('approve', 'exigent')";
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -SK_ESTORE;
    *n = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return rc;
}

/* The verdict this approver already gave, if any. */
static int previous_verdict(struct sk_govern *g, int64_t id, const char *approver, char *out,
                            size_t len)
{
    static const char sql[] =
        "SELECT verdict FROM gov_approvals WHERE proposal_id = ?1 AND approver = ?2";
    sqlite3_stmt *st;
    int rc, found = 0;

    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, approver, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
        found = 1;
    }
    sqlite3_reset(st);
    return found;
}

/* A refused attempt is on the record too, in a transaction of its own. */
static void audit_refusal(struct sk_govern *g, int64_t id, const char *approver,
                          enum sk_gov_verdict v, const uint8_t sig[SK_KEY_SIG_BYTES],
                          const char *why)
{
    char subject[32], sigtext[SK_KEY_SIG_TEXT];
    json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "approver", approver, "verdict",
                          sk_govern_verdict_name(v), "signature",
                          sk_key_sig_format(sig, sigtext, sizeof sigtext), "why", why);

    snprintf(subject, sizeof subject, "proposal/%lld", (long long)id);
    sk_audit_record(g->audit, approver, "approval.refused", subject, d);
    json_decref(d);
}

int sk_govern_decide(struct sk_govern *g, int64_t id, const char *approver,
                     enum sk_gov_verdict v, const char *note,
                     const uint8_t sig[SK_KEY_SIG_BYTES], struct sk_errinfo *ei)
{
    static const char q_ins[] =
        "INSERT INTO gov_approvals (proposal_id, approver, verdict, key_id, digest, signature,"
        " note, signed_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    const struct sk_conf_govern *c = &g->conf->govern;
    struct sk__gov_proposal p;
    uint8_t pub[SK_KEY_PUBLIC_BYTES], digest[32], msg[SK_GOV_APPROVAL_MSG_LEN];
    char key_id[SK_KEY_ID_TEXT], prev[16], subject[32], hex[65], sigtext[SK_KEY_SIG_TEXT];
    struct sk_errinfo why = {""};
    int rc, have = 0, refused = 0, apply_after = 0, revert_after = 0, nappr = 0, denied = 0;
    json_t *d = NULL;
    sqlite3_stmt *st;

    memset(&p, 0, sizeof p);
    if (!note)
        note = "";
    if (strlen(note) > SK_GOV_TEXT_MAX)
        return sk_fail(ei, -SK_EPARSE, "the note is longer than %d characters", SK_GOV_TEXT_MAX);
    if ((rc = sk_store_begin(g->st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    if ((rc = sk__gov_load(g, id, &p)) < 0) {
        rc = sk_fail(ei, rc, "proposal #%lld: %s", (long long)id,
                     rc == -SK_ENOTFOUND ? "no such proposal" : sk_strerror(rc));
        goto fail;
    }
    have = 1;
    snprintf(subject, sizeof subject, "proposal/%lld", (long long)id);

    /* who may decide */
    if (sk_govern_approver(g, approver, pub) < 0) {
        rc = sk_fail(&why, -SK_EDENIED, "'%s' is not a configured approver (govern.approvers)",
                     approver);
        refused = 1;
        goto fail;
    }
    if (strcmp(approver, p.proposer) == 0) {
        rc = sk_fail(&why, -SK_EDENIED,
                     "'%s' proposed #%lld and cannot decide on it (separation of duties)", approver,
                     (long long)id);
        refused = 1;
        goto fail;
    }
    /* in which state */
    {
        enum sk_gov_event ev = v == SK_GOV_VERDICT_EXIGENT ? SK_GOV_EV_EXIGENT
                             : v == SK_GOV_VERDICT_REJECT  ? SK_GOV_EV_REJECT
                                                           : SK_GOV_EV_APPROVE;
        int ok = p.state == SK_GOV_PENDING ||
                 (p.state == SK_GOV_PROVISIONAL && v != SK_GOV_VERDICT_EXIGENT);
        if (!ok) {
            char from[64];
            sk__gov_event_sources(ev, from, sizeof from);
            rc = sk_fail(ei, -SK_ESTATE,
                         "proposal #%lld is %s: a verdict (%s) is taken only while it is pending%s",
                         (long long)id, sk_govern_state_name(p.state), sk_govern_verdict_name(v),
                         v == SK_GOV_VERDICT_EXIGENT ? "" : " or provisional (ratification)");
            goto fail;
        }
    }
    if (v == SK_GOV_VERDICT_EXIGENT) {
        if (!c->exigent) {
            rc = sk_fail(&why, -SK_EDENIED, "the exigent path is disabled here (govern.exigent)");
            refused = 1;
            goto fail;
        }
        if (!*note) {
            rc = sk_fail(ei, -SK_EPARSE, "an exigent approval needs a written justification");
            goto fail;
        }
    }
    /* what was signed */
    if ((rc = sk_govern_digest(g, id, digest, ei)) < 0)
        goto fail;
    sk_govern_approval_message(digest, v, note, msg);
    if (sk_key_verify(pub, msg, sizeof msg, sig) < 0) {
        rc = sk_fail(&why, -SK_EDENIED,
                     "the signature does not verify with %s's key for this verdict on proposal #%lld (digest %.16s…): forged, made with another key, or made for another proposal, verdict or note",
                     approver, (long long)id, sk_hex(digest, 32, hex, sizeof hex));
        refused = 1;
        goto fail;
    }
    if (previous_verdict(g, id, approver, prev, sizeof prev) > 0) {
        rc = sk_fail(&why, -SK_EDENIED,
                     "%s already gave a verdict (%s) on proposal #%lld: one verdict per approver",
                     approver, prev, (long long)id);
        refused = 1;
        goto fail;
    }

    /* on the record */
    sk_key_id(pub, key_id, sizeof key_id);
    if ((rc = sk_store_prepare(g->st, q_ins, &st)) < 0)
        goto store_fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, approver, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, sk_govern_verdict_name(v), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, key_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 5, digest, 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 6, sig, SK_KEY_SIG_BYTES, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, note, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)sk_now());
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        rc = -SK_ESTORE;
        goto store_fail;
    }
    d = json_pack("{s:s, s:s, s:s, s:s, s:s}", "approver", approver, "key_id", key_id, "digest",
                  sk_hex(digest, 32, hex, sizeof hex), "signature",
                  sk_key_sig_format(sig, sigtext, sizeof sigtext), "note", note);
    {
        char kind[32];
        snprintf(kind, sizeof kind, "approval.%s", sk_govern_verdict_name(v));
        if ((rc = sk_audit_append(g->audit, approver, kind, subject, d, NULL)) < 0)
            goto store_fail;
    }
    if ((rc = count_approvals(g, id, &nappr)) < 0)
        goto store_fail;

    /* what it changes */
    if (v == SK_GOV_VERDICT_REJECT) {
        if (p.state == SK_GOV_PENDING) {
            if ((rc = sk__gov_transition(g, &p, SK_GOV_EV_REJECT, approver, NULL, ei)) < 0 ||
                (rc = sk__gov_set_int(g, id, "decided_ns", (int64_t)sk_now())) < 0)
                goto fail;
        } else {
            char reason[128];
            snprintf(reason, sizeof reason, "ratification rejected by %s", approver);
            if ((rc = sk__gov_start_revert(g, &p, SK_GOV_EV_LAPSE, approver, reason, 0, ei)) < 0)
                goto fail;
            revert_after = 1;
        }
    } else if (p.state == SK_GOV_PROVISIONAL) {
        if (nappr >= p.approvals_needed &&
            (rc = sk__gov_transition(g, &p, SK_GOV_EV_RATIFY, approver, NULL, ei)) < 0)
            goto fail;
    } else if (nappr >= p.approvals_needed) {
        if ((rc = sk__gov_transition(g, &p, SK_GOV_EV_APPROVE, approver, NULL, ei)) < 0 ||
            (rc = sk__gov_set_int(g, id, "decided_ns", (int64_t)sk_now())) < 0)
            goto fail;
        if ((rc = sk__gov_start_apply(g, &p, approver, ei)) < 0) {
            if (rc != -SK_EDENIED)
                goto fail;
            denied = 1; /* the safeguards refused at apply: recorded as failed */
        } else {
            apply_after = 1;
        }
    } else if (v == SK_GOV_VERDICT_EXIGENT) {
        if ((rc = sk__gov_start_apply(g, &p, approver, ei)) < 0)
            goto fail; /* a refusal keeps it pending: nothing was approved */
        apply_after = 1;
    }
    sk__gov_crashpoint("decide:before-commit");
    if ((rc = sk_audit_commit(g->audit)) < 0)
        goto store_fail;
    sk__gov_proposal_free(&p);
    json_decref(d);
    if (apply_after)
        return sk__gov_run_apply(g, id, approver, ei);
    if (revert_after)
        return sk__gov_run_revert(g, id, approver, ei);
    return denied ? -SK_EDENIED : 0;
store_fail:
    sk_errinfo_set(ei, "store: %s (%s)", sk_strerror(rc), sk_store_errmsg(g->st));
fail:
    sk_store_rollback(g->st);
    if (have)
        sk__gov_proposal_free(&p);
    json_decref(d);
    if (refused) {
        audit_refusal(g, id, approver, v, sig, why.msg);
        sk_errinfo_set(ei, "%s", why.msg);
    }
    return rc;
}
