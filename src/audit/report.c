/*
 * report.c — the transparency report: what was proposed, decided and done
 * over a period, computed from the audit log alone.
 *
 * Every governance entry carries what the report needs (the action type, the
 * time of first detection on activation, whether a revocation was a false
 * positive), so the report never reads the mutable governance tables: an
 * auditor who verified the log has verified the report's inputs. One pass
 * over the entries of [from, to) by their time index; per-proposal timings
 * are collected in a small table and their median and 90th percentile taken
 * at the end (nearest-rank).
 */
#include <inttypes.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/audit.h"
#include "sakimori/store.h"

#define NACTIONS 5
static const char *const action_names[NACTIONS] = {"monitor", "sinkhole", "block", "blackhole",
                                                   "takedown_request"};

struct timing {
    int64_t pid;
    sk_nstime first_seen, submitted, decided, activated, verified;
};

struct tally {
    struct timing *t;
    size_t n, cap;
};

static struct timing *timing_of(struct tally *ta, int64_t pid)
{
    for (size_t i = ta->n; i-- > 0;)
        if (ta->t[i].pid == pid)
            return &ta->t[i];
    if (ta->n == ta->cap) {
        size_t cap = ta->cap ? 2 * ta->cap : 64;
        struct timing *nv = realloc(ta->t, cap * sizeof *nv);
        if (!nv)
            return NULL;
        ta->t = nv;
        ta->cap = cap;
    }
    memset(&ta->t[ta->n], 0, sizeof ta->t[0]);
    ta->t[ta->n].pid = pid;
    return &ta->t[ta->n++];
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static uint64_t percentile(const uint64_t *v, size_t n, unsigned pct)
{
    size_t rank = (n * pct + 99) / 100;
    return v[rank ? rank - 1 : 0];
}

static json_t *durations(uint64_t *v, size_t n)
{
    if (n == 0)
        return json_pack("{s:i, s:n, s:n, s:n, s:n}", "count", 0, "median_s", "p90_s", "min_s",
                         "max_s");
    qsort(v, n, sizeof *v, cmp_u64);
    return json_pack("{s:I, s:f, s:f, s:f, s:f}", "count", (json_int_t)n, "median_s",
                     (double)percentile(v, n, 50) / 1e9, "p90_s",
                     (double)percentile(v, n, 90) / 1e9, "min_s", (double)v[0] / 1e9, "max_s",
                     (double)v[n - 1] / 1e9);
}

static int action_index(const char *a)
{
    for (int i = 0; a && i < NACTIONS; i++)
        if (strcmp(a, action_names[i]) == 0)
            return i;
    return -1;
}

int sk_audit_report(struct sk_audit *a, sk_nstime from, sk_nstime to, json_t **out,
                    struct sk_errinfo *ei)
{
    static const char sql[] =
        "SELECT ts_ns, kind, subject, entry FROM audit_log WHERE ts_ns >= ?1 AND ts_ns < ?2"
        " AND entry IS NOT NULL ORDER BY seq";
    struct {
        uint64_t created, submitted, refused, approvals, rejections, exigent_verdicts,
            refused_verdicts, approved, rejected, exigent, ratified, lapsed, failed, expired,
            revoked, false_positive, reverted_ok, revert_errors, purges, exports, reads, logins,
            entries;
        uint64_t activated[NACTIONS];
    } c;
    struct tally ta = {0};
    uint64_t *neut = NULL, *decide = NULL;
    size_t nneut = 0, ndecide = 0;
    char f1[SK_RFC3339_LEN], f2[SK_RFC3339_LEN];
    sqlite3_stmt *st = NULL;
    json_t *o = NULL, *byaction;
    int rc, r;

    *out = NULL;
    memset(&c, 0, sizeof c);
    if (sqlite3_prepare_v2(sk_store_db(sk_audit_store(a)), sql, -1, &st, NULL) != SQLITE_OK)
        return sk_fail(ei, -SK_ESTORE, "store: %s", sk_store_errmsg(sk_audit_store(a)));
    sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        sk_nstime ts = (sk_nstime)sqlite3_column_int64(st, 0);
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        const char *subject = (const char *)sqlite3_column_text(st, 2);
        int64_t pid = 0;
        json_t *e, *d;
        struct timing *t;

        c.entries++;
        if (!kind)
            continue;
        if (!strcmp(kind, "retention.purge")) { c.purges++; continue; }
        if (!strcmp(kind, "audit.export")) { c.exports++; continue; }
        if (!strcmp(kind, "data.read")) { c.reads++; continue; }
        if (!strncmp(kind, "auth.login", 10)) { c.logins++; continue; }
        if (strncmp(kind, "proposal.", 9) && strncmp(kind, "approval.", 9) &&
            strcmp(kind, "action.verify") && strcmp(kind, "action.revert"))
            continue;
        if (subject && !strncmp(subject, "proposal/", 9))
            pid = strtoll(subject + 9, NULL, 10);
        e = json_loadb(sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3), 0, NULL);
        d = json_object_get(e, "detail");
        if (!(t = timing_of(&ta, pid))) {
            json_decref(e);
            rc = -SK_ENOMEM;
            goto out;
        }
        if (!strcmp(kind, "proposal.create")) c.created++;
        else if (!strcmp(kind, "proposal.submit")) { c.submitted++; t->submitted = ts; }
        else if (!strcmp(kind, "proposal.refused")) c.refused++;
        else if (!strcmp(kind, "approval.approve")) c.approvals++;
        else if (!strcmp(kind, "approval.reject")) c.rejections++;
        else if (!strcmp(kind, "approval.exigent")) c.exigent_verdicts++;
        else if (!strcmp(kind, "approval.refused")) c.refused_verdicts++;
        else if (!strcmp(kind, "proposal.approve")) { c.approved++; t->decided = ts; }
        else if (!strcmp(kind, "proposal.reject")) { c.rejected++; t->decided = ts; }
        else if (!strcmp(kind, "proposal.ratify")) c.ratified++;
        else if (!strcmp(kind, "proposal.lapse")) c.lapsed++;
        else if (!strcmp(kind, "proposal.verify_fail")) c.failed++;
        else if (!strcmp(kind, "proposal.expire")) c.expired++;
        else if (!strcmp(kind, "proposal.revoke")) {
            c.revoked++;
            if (json_is_true(json_object_get(d, "false_positive")))
                c.false_positive++;
        } else if (!strcmp(kind, "proposal.apply") || !strcmp(kind, "proposal.exigent")) {
            int ai = action_index(json_string_value(json_object_get(d, "action")));
            if (!strcmp(kind, "proposal.exigent")) {
                c.exigent++;
                t->decided = ts;
            }
            if (ai >= 0)
                c.activated[ai]++;
            t->activated = ts;
            t->first_seen = (sk_nstime)json_integer_value(json_object_get(d, "first_seen_ns"));
        } else if (!strcmp(kind, "action.verify")) {
            const char *ph = json_string_value(json_object_get(d, "phase"));
            if (ph && !strcmp(ph, "ok") && !t->verified)
                t->verified = ts;
        } else if (!strcmp(kind, "action.revert")) {
            const char *ph = json_string_value(json_object_get(d, "phase"));
            if (ph && !strcmp(ph, "ok"))
                c.reverted_ok++;
            else if (ph && !strcmp(ph, "error"))
                c.revert_errors++;
        }
        json_decref(e);
    }
    if (r != SQLITE_DONE) {
        rc = sk_fail(ei, -SK_ESTORE, "store: %s", sk_store_errmsg(sk_audit_store(a)));
        goto out;
    }
    if (ta.n && (!(neut = malloc(ta.n * sizeof *neut)) || !(decide = malloc(ta.n * sizeof *decide)))) {
        rc = -SK_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < ta.n; i++) {
        const struct timing *t = &ta.t[i];
        /* neutralized = the action verifiably took effect */
        if (t->verified && t->first_seen && t->verified >= t->first_seen)
            neut[nneut++] = t->verified - t->first_seen;
        if (t->submitted && t->decided && t->decided >= t->submitted)
            decide[ndecide++] = t->decided - t->submitted;
    }
    byaction = json_object();
    for (int i = 0; i < NACTIONS; i++)
        json_object_set_new(byaction, action_names[i], json_integer((json_int_t)c.activated[i]));
    o = json_pack(
        "{s:s, s:s, s:I,"
        " s:{s:I, s:I, s:I},"
        " s:{s:I, s:I, s:I, s:I},"
        " s:{s:I, s:I, s:I, s:I, s:I},"
        " s:o, s:I,"
        " s:{s:I, s:I, s:I, s:I, s:I},"
        " s:I, s:o, s:o,"
        " s:{s:I, s:I, s:I, s:I}}",
        "from", sk_rfc3339(from, f1, sizeof f1), "to", sk_rfc3339(to, f2, sizeof f2),
        "audit_entries", (json_int_t)c.entries,
        "proposals", "created", (json_int_t)c.created, "submitted", (json_int_t)c.submitted,
        "refused_by_safeguards", (json_int_t)c.refused,
        "verdicts", "approvals", (json_int_t)c.approvals, "rejections", (json_int_t)c.rejections,
        "exigent", (json_int_t)c.exigent_verdicts, "refused", (json_int_t)c.refused_verdicts,
        "decisions", "approved", (json_int_t)c.approved, "rejected", (json_int_t)c.rejected,
        "exigent_uses", (json_int_t)c.exigent, "ratified", (json_int_t)c.ratified,
        "not_ratified", (json_int_t)c.lapsed,
        "actions_by_type", byaction, "actions_failed", (json_int_t)c.failed,
        "reverts", "expired", (json_int_t)c.expired, "revoked", (json_int_t)c.revoked,
        "not_ratified", (json_int_t)c.lapsed, "completed", (json_int_t)c.reverted_ok,
        "errors", (json_int_t)c.revert_errors,
        "false_positive_reverts", (json_int_t)c.false_positive,
        "detection_to_neutralization", durations(neut, nneut),
        "submission_to_decision", durations(decide, ndecide),
        "oversight", "purges", (json_int_t)c.purges, "exports", (json_int_t)c.exports,
        "data_reads", (json_int_t)c.reads, "logins", (json_int_t)c.logins);
    if (!o) {
        rc = -SK_ENOMEM;
        goto out;
    }
    *out = o;
    rc = 0;
out:
    sqlite3_finalize(st);
    free(ta.t);
    free(neut);
    free(decide);
    return rc;
}
