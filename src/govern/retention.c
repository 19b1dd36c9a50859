/*
 * retention.c — the purge job: each data class is kept only as long as
 * audit.retention says, and every purge is itself an audit entry.
 *
 *   class       table(s)                 time column     held back
 *   events      events, flows (if any)   ts_ns, ts_last  —
 *   detections  findings                 ts_last_ns      findings in an open case
 *   pdns        pdns                     last_seen_ns    —
 *   audit       audit_log                ts_ns           (leaf hashes always stay)
 *
 * A class whose table this store does not have (the sensor that fills it is
 * not in use) is reported as skipped. The audit class removes only the
 * content of old entries and keeps their leaf hashes, so the Merkle tree
 * and every signed tree head still verify; the purge entry records which
 * entries it emptied, and verification refuses an emptied entry no purge
 * covers. All classes go in one transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "govern/govern-int.h"
#include "sakimori/conf.h"

struct class_table {
    const char *class_name, *table, *column;
};

static const struct class_table tables[] = {
    {"events", "events", "ts_ns"},
    {"events", "flows", "ts_last_ns"},
    {"detections", "findings", "ts_last_ns"},
    {"pdns", "pdns", "last_seen_ns"},
};

/* Does table.column exist in this store? */
static int has_column(struct sk_govern *g, const char *table, const char *column)
{
    static const char sql[] = "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2";
    sqlite3_stmt *st;
    int found;

    if (sk_store_prepare(g->st, sql, &st) < 0)
        return 0;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

static uint64_t period_of(const struct sk_conf_retention *r, const char *class_name)
{
    if (!strcmp(class_name, "events"))
        return r->events;
    if (!strcmp(class_name, "detections"))
        return r->detections;
    if (!strcmp(class_name, "pdns"))
        return r->pdns;
    return r->audit;
}

/* Table and column names come from the fixed list above, never from input:
 * they are the only thing formatted into SQL here. */
static int purge_table(struct sk_govern *g, const struct class_table *t, sk_nstime before,
                       int dry_run, uint64_t *purged, uint64_t *held)
{
    char sql[512], cnt[512];
    const char *hold = "";
    sqlite3_stmt *st;
    int rc;

    if (!strcmp(t->table, "findings"))
        hold = " AND id NOT IN (SELECT cf.finding_id FROM gov_case_findings cf"
               " JOIN gov_cases c ON c.id = cf.case_id WHERE c.status = 'open')";
    snprintf(sql, sizeof sql, "%s FROM %s WHERE %s < ?1%s", dry_run ? "SELECT count(*)" : "DELETE",
             t->table, t->column, hold);
    snprintf(cnt, sizeof cnt, "SELECT count(*) FROM %s WHERE %s < ?1", t->table, t->column);
    if (sqlite3_prepare_v2(sk_store_db(g->st), cnt, -1, &st, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
    rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -SK_ESTORE;
    uint64_t expired = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;
    if (sqlite3_prepare_v2(sk_store_db(g->st), sql, -1, &st, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
    rc = sqlite3_step(st);
    if (dry_run) {
        *purged = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
        rc = rc == SQLITE_ROW ? 0 : -SK_ESTORE;
    } else {
        *purged = (uint64_t)sqlite3_changes(sk_store_db(g->st));
        rc = rc == SQLITE_DONE ? 0 : -SK_ESTORE;
    }
    sqlite3_finalize(st);
    *held = expired - *purged;
    return rc;
}

/* The table holding a class in this store, or NULL (audit: NULL too). */
static const struct class_table *class_table(struct sk_govern *g, const char *cls)
{
    for (size_t j = 0; j < sizeof tables / sizeof tables[0]; j++)
        if (!strcmp(tables[j].class_name, cls) && has_column(g, tables[j].table, tables[j].column))
            return &tables[j];
    return NULL;
}

int sk_govern_retention_purge(struct sk_govern *g, sk_nstime now, const char *actor, int dry_run,
                              struct sk_retention_result *res, size_t n, struct sk_errinfo *ei)
{
    static const char *const classes[] = {"events", "detections", "pdns", "audit"};
    const struct sk_conf_retention *ret = &g->conf->audit.retention;
    size_t k = 0;
    int rc;

    if (!now)
        now = sk_now();
    if ((rc = sk_store_begin(g->st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    for (size_t i = 0; i < sizeof classes / sizeof classes[0] && k < n; i++) {
        struct sk_retention_result *r = &res[k++];
        const char *cls = classes[i];
        int audit = !strcmp(cls, "audit");
        const struct class_table *t = audit ? NULL : class_table(g, cls);
        uint64_t period = period_of(ret, cls);
        uint64_t afirst = 0, alast = 0;
        char subject[64];
        json_t *d;

        memset(r, 0, sizeof *r);
        r->class_name = cls;
        r->table = audit ? "audit_log" : t ? t->table : "-";
        if (!audit && !t) {
            r->skipped = 1;
            continue;
        }
        if (period == 0 || period >= now)
            continue; /* kept for ever */
        r->before = now - period;
        if (t) {
            rc = purge_table(g, t, r->before, dry_run, &r->purged, &r->held);
        } else if (dry_run) {
            static const char q[] =
                "SELECT count(*) FROM audit_log WHERE entry IS NOT NULL AND seq <="
                " coalesce((SELECT min(seq) FROM audit_log WHERE ts_ns >= ?1),"
                " (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)) - 1";
            sqlite3_stmt *st;
            if ((rc = sk_store_prepare(g->st, q, &st)) == 0) {
                sqlite3_bind_int64(st, 1, (sqlite3_int64)r->before);
                rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -SK_ESTORE;
                r->purged = (uint64_t)sqlite3_column_int64(st, 0);
                sqlite3_reset(st);
            }
        } else {
            rc = sk_audit_purge_before(g->audit, r->before, &afirst, &alast, &r->purged);
        }
        if (rc < 0) {
            sk_errinfo_set(ei, "retention: %s: %s (%s)", r->table, sk_strerror(rc),
                           sk_store_errmsg(g->st));
            goto fail;
        }
        if (dry_run)
            continue;
        snprintf(subject, sizeof subject, "retention/%s", cls);
        d = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "class", cls, "table", r->table,
                      "before_ns", (json_int_t)r->before, "period_ns", (json_int_t)period,
                      "purged", (json_int_t)r->purged, "held", (json_int_t)r->held);
        if (audit && r->purged) {
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
