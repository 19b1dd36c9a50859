/*
 * store.c — open, migrate, transactions and the statement cache.
 *
 * The database runs in WAL mode with synchronous=NORMAL (durable at each
 * checkpoint, never corrupt on a crash), foreign keys on and a busy timeout so
 * a CLI command and the daemon can share the file. Statements are prepared
 * once and cached by the address of their SQL text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/event.h"
#include "sakimori/nstime.h"
#include "store/store-int.h"

static int exec(struct sk_store *s, const char *sql, struct sk_errinfo *ei)
{
    char *err = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        sk_errinfo_set(ei, "%s: %s", s->path, err ? err : sqlite3_errmsg(s->db));
        sqlite3_free(err);
        return -SK_ESTORE;
    }
    return 0;
}

int sk_store_schema_latest(void) { return (int)sk__store_nmigrations; }

int sk_store_schema_version(struct sk_store *s)
{
    sqlite3_stmt *st;
    int v = -1;

    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v < 0 ? -SK_ESTORE : v;
}

static int migrate(struct sk_store *s, struct sk_errinfo *ei)
{
    int v = sk_store_schema_version(s), rc;
    char sql[64];

    if (v < 0)
        return sk_fail(ei, v, "%s: cannot read schema version: %s", s->path,
                       sqlite3_errmsg(s->db));
    if ((size_t)v > sk__store_nmigrations)
        return sk_fail(ei, -SK_EUNSUP,
                       "%s: schema version %d is newer than this sakimori knows (%zu); upgrade sakimori",
                       s->path, v, sk__store_nmigrations);
    for (size_t i = (size_t)v; i < sk__store_nmigrations; i++) {
        if ((rc = exec(s, "BEGIN IMMEDIATE", ei)) < 0)
            return rc;
        /* re-read inside the write lock: another process may have migrated */
        int cur = sk_store_schema_version(s);
        if (cur < 0 || (size_t)cur > i) {
            exec(s, "ROLLBACK", NULL);
            if (cur < 0)
                return sk_fail(ei, -SK_ESTORE, "%s: cannot read schema version", s->path);
            i = (size_t)cur - 1;
            continue;
        }
        snprintf(sql, sizeof sql, "PRAGMA user_version = %zu", i + 1);
        if ((rc = exec(s, sk__store_migrations[i], ei)) < 0 ||
            (rc = exec(s, sql, ei)) < 0 || (rc = exec(s, "COMMIT", ei)) < 0) {
            exec(s, "ROLLBACK", NULL);
            return rc;
        }
    }
    return 0;
}

static int store_open(struct sk_store **out, const char *path, int ro,
                      struct sk_errinfo *ei)
{
    struct sk_store *s = calloc(1, sizeof *s);
    int rc, flags = ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

    if (!s || !(s->path = strdup(path))) {
        free(s);
        return -SK_ENOMEM;
    }
    if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = sk_fail(ei, -SK_ESTORE, "%s: cannot open store: %s", path,
                     s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 10000);
    sqlite3_extended_result_codes(s->db, 1);
    if (!ro) {
        if ((rc = exec(s, "PRAGMA journal_mode = WAL", ei)) < 0 ||
            (rc = exec(s, "PRAGMA synchronous = NORMAL", ei)) < 0)
            goto fail;
    }
    if ((rc = exec(s, "PRAGMA foreign_keys = ON", ei)) < 0)
        goto fail;
    if (ro) {
        int v = sk_store_schema_version(s);
        if (v < 0 || (size_t)v > sk__store_nmigrations) {
            rc = sk_fail(ei, -SK_EUNSUP, "%s: not a sakimori store this version can read", path);
            goto fail;
        }
    } else if ((rc = migrate(s, ei)) < 0) {
        goto fail;
    }
    *out = s;
    return 0;
fail:
    sk_store_close(s);
    return rc;
}

int sk_store_open(struct sk_store **out, const char *path, struct sk_errinfo *ei)
{
    return store_open(out, path, 0, ei);
}

int sk_store_open_ro(struct sk_store **out, const char *path, struct sk_errinfo *ei)
{
    return store_open(out, path, 1, ei);
}

void sk_store_close(struct sk_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nstmts; i++)
        sqlite3_finalize(s->stmts[i].stmt);
    if (s->in_tx)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

sqlite3 *sk_store_db(struct sk_store *s) { return s->db; }
const char *sk_store_errmsg(struct sk_store *s) { return sqlite3_errmsg(s->db); }

int sk_store_prepare(struct sk_store *s, const char *sql, sqlite3_stmt **out)
{
    for (size_t i = 0; i < s->nstmts; i++) {
        if (s->stmts[i].sql == sql) {
            sqlite3_reset(s->stmts[i].stmt);
            sqlite3_clear_bindings(s->stmts[i].stmt);
            *out = s->stmts[i].stmt;
            return 0;
        }
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    if (s->nstmts < SK_STORE_STMT_CACHE) {
        s->stmts[s->nstmts].sql = sql;
        s->stmts[s->nstmts].stmt = st;
        s->nstmts++;
    } else {
        /* cache full: evict the oldest (statements are few; this is rare) */
        sqlite3_finalize(s->stmts[0].stmt);
        memmove(&s->stmts[0], &s->stmts[1], sizeof s->stmts[0] * (SK_STORE_STMT_CACHE - 1));
        s->stmts[SK_STORE_STMT_CACHE - 1].sql = sql;
        s->stmts[SK_STORE_STMT_CACHE - 1].stmt = st;
    }
    *out = st;
    return 0;
}

int sk_store_begin(struct sk_store *s)
{
    if (s->in_tx)
        return -SK_ESTATE;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    s->in_tx = 1;
    return 0;
}

int sk_store_commit(struct sk_store *s)
{
    if (!s->in_tx)
        return -SK_ESTATE;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    s->in_tx = 0;
    return 0;
}

int sk_store_rollback(struct sk_store *s)
{
    if (!s->in_tx)
        return 0;
    s->in_tx = 0;
    if (sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    return 0;
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -SK_ESTORE;
}

int sk_store_run_begin(struct sk_store *s, const char *command, const char *inputs,
                       int64_t *run_id)
{
    static const char sql[] =
        "INSERT INTO runs (command, inputs, started_ns) VALUES (?1, ?2, ?3)";
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(s, sql, &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, command, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, inputs, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)sk_now());
    if ((rc = step_done(st)) < 0)
        return rc;
    *run_id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sk_store_run_end(struct sk_store *s, int64_t run_id, uint64_t events,
                     uint64_t findings)
{
    static const char sql[] =
        "UPDATE runs SET finished_ns = ?1, events = ?2, findings = ?3 WHERE id = ?4";
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(s, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)sk_now());
    sqlite3_bind_int64(st, 2, (sqlite3_int64)events);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)findings);
    sqlite3_bind_int64(st, 4, run_id);
    return step_done(st);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int sk_store_add_finding(struct sk_store *s, int64_t run_id, const struct sk_finding *f)
{
    static const char sql[] =
        "INSERT INTO findings (run_id, type, ts_first_ns, ts_last_ns, src_ip, src_port,"
        " dst_ip, dst_port, proto, name, ind_value, ind_type, ind_source,"
        " ind_confidence, count, analyzer, score, evidence, privacy, ind_field, warninglists)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " ?16, ?17, ?18, ?19, ?20, ?21)";
    char src[SK_ADDR_STRLEN], dst[SK_ADDR_STRLEN];
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(s, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, f->type == SK_FINDING_DETECTION ? "detection" : "sighting", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)f->ts_first);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)f->ts_last);
    bind_text_or_null(st, 5, f->src.family ? sk_addr_fmt(&f->src, src, sizeof src) : NULL);
    sqlite3_bind_int(st, 6, f->sport);
    bind_text_or_null(st, 7, f->dst.family ? sk_addr_fmt(&f->dst, dst, sizeof dst) : NULL);
    sqlite3_bind_int(st, 8, f->dport);
    sqlite3_bind_int(st, 9, f->proto);
    bind_text_or_null(st, 10, f->name);
    bind_text_or_null(st, 11, f->indicator.value);
    bind_text_or_null(st, 12, f->indicator.value ? f->indicator.type : NULL);
    bind_text_or_null(st, 13, f->indicator.value ? f->indicator.source : NULL);
    if (f->indicator.value)
        sqlite3_bind_int(st, 14, f->indicator.confidence);
    sqlite3_bind_int64(st, 15, (sqlite3_int64)f->count);
    bind_text_or_null(st, 16, f->analyzer);
    if (f->type == SK_FINDING_DETECTION)
        sqlite3_bind_double(st, 17, f->score);
    bind_text_or_null(st, 18, f->evidence_json);
    sqlite3_bind_text(st, 19, sk_privacy_name(f->privacy), -1, SQLITE_STATIC);
    bind_text_or_null(st, 20, f->indicator.value ? f->indicator.field : NULL);
    bind_text_or_null(st, 21, f->warninglists_json);
    return step_done(st);
}

int64_t sk_store_count(struct sk_store *s, const char *table)
{
    /* table names cannot be bound: only known tables are counted */
    static const char *const known[] = {"runs", "findings", "watchlist", NULL};
    char sql[96];
    sqlite3_stmt *st;
    int64_t n = -SK_ESTORE;

    for (size_t i = 0; known[i]; i++) {
        if (strcmp(known[i], table) != 0)
            continue;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", known[i]);
        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
            return -SK_ESTORE;
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return n;
    }
    return -SK_EINVAL;
}
