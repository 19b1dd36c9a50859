/*
 * retention.c — the purge job: each data class is kept only as long as
 * audit.retention says, and every purge is itself an audit entry.
 *
 *   class       what                                   by           held back
 *   events      flow_log, dns_log, tls_log, http_log   start time   —
 *   detections  findings                               last seen    findings in an open case
 *   pdns        pdns                                   last seen    —
 *   audit       audit_log entry texts                  entry time   (leaf hashes always stay)
 *
 * Telemetry goes through the store's own purge (sk_telemetry_purge). The
 * audit class removes only the text of old entries and keeps their leaf
 * hashes, so the Merkle tree and every signed tree head still verify; the
 * purge entry records which entries it emptied, and verification refuses an
 * emptied entry no purge covers. Findings cited by an open case are the
 * evidence behind decisions under review and are kept until it closes.
 *
 * All classes are purged in one transaction; a dry run does the same work
 * and rolls it back, so its counts are exactly what a purge would remove.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "govern/govern-int.h"
#include "sakimori/conf.h"
#include "sakimori/telemetry.h"

static int64_t purge_findings(struct sk_govern *g, sk_nstime before, uint64_t *held)
{
    static const char q_all[] = "SELECT count(*) FROM findings WHERE ts_last_ns < ?1";
    static const char q_del[] =
        "DELETE FROM findings WHERE ts_last_ns < ?1 AND id NOT IN"
        " (SELECT cf.finding_id FROM gov_case_findings cf JOIN gov_cases c ON c.id = cf.case_id"
        "  WHERE c.status = 'open')";
    sqlite3_stmt *st;
    int64_t expired;
    int rc;

    if ((rc = sk_store_prepare(g->st, q_all, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
    rc = sqlite3_step(st);
    expired = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return -SK_ESTORE;
    if ((rc = sk_store_prepare(g->st, q_del, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -SK_ESTORE;
    int64_t n = sqlite3_changes64(sk_store_db(g->st));
    *held = (uint64_t)(expired - n);
    return n;
}

int sk_govern_retention_purge(struct sk_govern *g, sk_nstime now, const char *actor, int dry_run,
                              struct sk_retention_result *res, size_t n, struct sk_errinfo *ei)
{
    static const struct {
        const char *name, *table;
    } classes[] = {
        /* the audit log first: this run's own purge entries must survive it */
        {"audit", "audit_log"},
        {"events", "flow_log, dns_log, tls_log, http_log"},
        {"detections", "findings"},
        {"pdns", "pdns"},
    };
    const struct sk_conf_retention *ret = &g->conf->audit.retention;
    const uint64_t periods[] = {ret->audit, ret->events, ret->detections, ret->pdns};
    size_t k = 0;
    int rc;

    if (!now)
        now = sk_now();
    if ((rc = sk_store_begin(g->st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    for (size_t i = 0; i < sizeof classes / sizeof classes[0] && k < n; i++) {
        struct sk_retention_result *r = &res[k++];
        uint64_t afirst = 0, alast = 0, period = periods[i];
        int64_t got = 0;
        char subject[64];
        json_t *d;

        memset(r, 0, sizeof *r);
        r->class_name = classes[i].name;
        r->table = classes[i].table;
        if (period == 0 || period >= now)
            continue; /* kept for ever */
        r->before = now - period;
        switch (i) {
        case 1:
            for (const char *const *c = (const char *const[]){"flows", "dns", "tls", "http", NULL};
                 *c && got >= 0; c++) {
                int64_t x = sk_telemetry_purge(g->st, *c, r->before);
                got = x < 0 ? x : got + x;
            }
            break;
        case 2:
            got = purge_findings(g, r->before, &r->held);
            break;
        case 3:
            got = sk_telemetry_purge(g->st, "pdns", r->before);
            break;
        default: {
            uint64_t np = 0;
            got = sk_audit_purge_before(g->audit, r->before, &afirst, &alast, &np);
            if (got == 0)
                got = (int64_t)np;
        }
        }
        if (got < 0) {
            rc = (int)got;
            sk_errinfo_set(ei, "retention: %s: %s (%s)", r->table, sk_strerror(rc),
                           sk_store_errmsg(g->st));
            goto fail;
        }
        r->purged = (uint64_t)got;
        if (dry_run)
            continue;
        snprintf(subject, sizeof subject, "retention/%s", r->class_name);
        d = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "class", r->class_name, "tables", r->table,
                      "before_ns", (json_int_t)r->before, "period_ns", (json_int_t)period,
                      "purged", (json_int_t)r->purged, "held", (json_int_t)r->held);
        if (i == 0 && r->purged) {
            json_object_set_new(d, "audit_first", json_integer((json_int_t)afirst));
            json_object_set_new(d, "audit_last", json_integer((json_int_t)alast));
        }
        rc = sk_audit_append(g->audit, actor, "retention.purge", subject, d, NULL);
        json_decref(d);
        if (rc < 0) {
            sk_errinfo_set(ei, "audit: %s", sk_strerror(rc));
            goto fail;
        }
    }
    if (dry_run) {
        sk_store_rollback(g->st);
        return (int)k;
    }
    if ((rc = sk_audit_commit(g->audit)) < 0)
        return sk_fail(ei, rc, "store: cannot commit the purge: %s", sk_strerror(rc));
    return (int)k;
fail:
    sk_store_rollback(g->st);
    return rc;
}
