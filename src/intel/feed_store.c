/*
 * feed_store.c — indicators in the store: importing a feed file, and loading
 * the live indicators into a builder.
 *
 * Tables (migration 4 → 5 in src/store/schema.c):
 *   intel_sources       one row per source (feed), with its decay half-life
 *                       and ttl (NULL: the configured defaults)
 *   indicators          one row per (type, canonical value)
 *   indicator_sources   one row per (indicator, source): that source's
 *                       assertion — confidence, TLP, validity, first/last
 *                       seen, labels (JSON array), STIX id, description,
 *                       and the import that last asserted it
 *   intel_imports       one row per imported file, with its counts
 * An import is one transaction: the file lands whole or not at all. The
 * same value twice in one file merges into one assertion (highest
 * confidence, union of labels, widest times); a value a source asserted in
 * an earlier import is refreshed with the new assertion (first seen kept).
 * With replace, the source's assertions the file no longer carries go, and
 * so do indicators no source asserts any more.
 *
 * Loading applies time: an assertion past its valid_until, or older (since
 * last seen) than its source's ttl, is left out; confidence halves every
 * half-life since last seen; below min_confidence it is left out.
 */
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/intel-feed.h"
#include "sakimori/store.h"

#define MAX_LABELS 64

struct sctx {
    struct sk_store *st;
    int64_t source_id, import_id;
    sk_nstime now;
    struct sk_feed_stats *stats;
    const struct sk_feed_sink *user;
    int failed_db;
};

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_time(sqlite3_stmt *st, int i, sk_nstime t)
{
    if (t)
        sqlite3_bind_int64(st, i, (sqlite3_int64)t);
    else
        sqlite3_bind_null(st, i);
}

static int step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return rc;
    return -SK_ESTORE;
}

static char *labels_json(const char *const *labels)
{
    if (!labels || !labels[0])
        return NULL;
    json_t *a = json_array();
    for (const char *const *l = labels; *l; l++)
        json_array_append_new(a, json_string(*l));
    char *s = json_dumps(a, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(a);
    return s;
}

/* Labels of a JSON array into out[] (strings owned by *arr; decref it). */
static size_t labels_parse(const char *text, json_t **arr, const char **out, size_t max)
{
    size_t n = 0, i;
    json_t *v;
    *arr = text ? json_loads(text, 0, NULL) : NULL;
    json_array_foreach(*arr, i, v)
        if (json_is_string(v) && n < max)
            out[n++] = json_string_value(v);
    out[n] = NULL;
    return n;
}

static int64_t indicator_id(struct sctx *c, const struct sk_ioc_record *r)
{
    static const char q[] = "SELECT id FROM indicators WHERE type = ?1 AND value = ?2";
    static const char ins[] = "INSERT INTO indicators (type, value, created_ns) VALUES (?1, ?2, ?3)";
    sqlite3_stmt *st;
    const char *type = sk_ioc_type_name((enum sk_ioc_type)r->type);

    if (sk_store_prepare(c->st, q, &st) < 0)
        return -SK_ESTORE;
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->value, -1, SQLITE_TRANSIENT);
    int rc = step(st);
    if (rc == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return id;
    }
    sqlite3_reset(st);
    if (rc < 0 || sk_store_prepare(c->st, ins, &st) < 0)
        return -SK_ESTORE;
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->value, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)c->now);
    rc = step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -SK_ESTORE;
    return sqlite3_last_insert_rowid(sk_store_db(c->st));
}

static sk_nstime col_time(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : (sk_nstime)sqlite3_column_int64(st, i);
}

static int on_record(void *vctx, const struct sk_ioc_record *r)
{
    static const char q[] =
        "SELECT import_id, confidence, tlp, valid_from_ns, valid_until_ns, first_seen_ns,"
        " last_seen_ns, labels, stix_id, description"
        " FROM indicator_sources WHERE indicator_id = ?1 AND source_id = ?2";
    static const char up[] =
        "INSERT OR REPLACE INTO indicator_sources (indicator_id, source_id, confidence, tlp,"
        " valid_from_ns, valid_until_ns, first_seen_ns, last_seen_ns, labels, stix_id,"
        " description, import_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
    struct sctx *c = vctx;
    struct sk_ioc_source a = r->src;
    sqlite3_stmt *st;
    const char *labels[MAX_LABELS + 1];
    json_t *old_labels = NULL;
    char *lj = NULL, *old_stix = NULL, *old_desc = NULL;
    int rc;

    c->stats->records++;
    int64_t id = indicator_id(c, r);
    if (id < 0)
        goto db;
    if (sk_store_prepare(c->st, q, &st) < 0)
        goto db;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, c->source_id);
    rc = step(st);
    if (rc < 0) {
        sqlite3_reset(st);
        goto db;
    }
    if (rc == SQLITE_ROW) {
        int same_import = sqlite3_column_int64(st, 0) == c->import_id;
        sk_nstime ofirst = col_time(st, 5);
        if (same_import) {
            /* the same value twice in this file: one assertion */
            uint8_t oconf = (uint8_t)sqlite3_column_int(st, 1);
            enum sk_ioc_tlp otlp = SK_IOC_TLP_UNMARKED;
            const char *t = (const char *)sqlite3_column_text(st, 2);
            if (t)
                sk_ioc_tlp_parse(t, &otlp);
            sk_nstime ofrom = col_time(st, 3), ountil = col_time(st, 4), olast = col_time(st, 6);
            if (oconf > a.confidence)
                a.confidence = oconf;
            if (otlp > a.tlp)
                a.tlp = (uint8_t)otlp;
            a.valid_from = !ofrom || !a.valid_from ? 0 : ofrom < a.valid_from ? ofrom : a.valid_from;
            a.valid_until = !ountil || !a.valid_until ? 0 : ountil > a.valid_until ? ountil : a.valid_until;
            if (olast > a.last_seen)
                a.last_seen = olast;
            size_t n = labels_parse((const char *)sqlite3_column_text(st, 7), &old_labels, labels,
                                    MAX_LABELS);
            for (const char *const *l = r->src.labels; l && *l && n < MAX_LABELS; l++) {
                size_t k = 0;
                while (k < n && strcmp(labels[k], *l) != 0)
                    k++;
                if (k == n)
                    labels[n++] = *l;
            }
            labels[n] = NULL;
            a.labels = labels;
            if (!a.stix_id && sqlite3_column_text(st, 8))
                a.stix_id = old_stix = strdup((const char *)sqlite3_column_text(st, 8));
            if (!a.description && sqlite3_column_text(st, 9))
                a.description = old_desc = strdup((const char *)sqlite3_column_text(st, 9));
        } else {
            c->stats->updated++;
        }
        if (ofirst && (!a.first_seen || ofirst < a.first_seen))
            a.first_seen = ofirst;
    } else {
        c->stats->added++;
    }
    sqlite3_reset(st);
    lj = labels_json(a.labels);
    if (sk_store_prepare(c->st, up, &st) < 0)
        goto db;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, c->source_id);
    sqlite3_bind_int(st, 3, a.confidence);
    bind_text(st, 4, a.tlp ? sk_ioc_tlp_name((enum sk_ioc_tlp)a.tlp) : NULL);
    bind_time(st, 5, a.valid_from);
    bind_time(st, 6, a.valid_until);
    bind_time(st, 7, a.first_seen);
    bind_time(st, 8, a.last_seen);
    bind_text(st, 9, lj);
    bind_text(st, 10, a.stix_id);
    bind_text(st, 11, a.description);
    sqlite3_bind_int64(st, 12, c->import_id);
    rc = step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        goto db;
    rc = 0;
    goto out;
db:
    c->failed_db = 1;
    rc = -SK_ESTORE;
out:
    free(lj);
    free(old_stix);
    free(old_desc);
    json_decref(old_labels);
    return rc;
}

static void on_skip(void *vctx, const char *where, const char *why)
{
    struct sctx *c = vctx;
    c->stats->skipped++;
    if (c->user && c->user->skip)
        c->user->skip(c->user->ctx, where, why);
}

static int exec1(struct sk_store *s, const char *sql, int64_t a, int64_t b, const char *t1,
                 const char *t2, int64_t *changes)
{
    sqlite3_stmt *st;
    if (sk_store_prepare(s, sql, &st) < 0)
        return -SK_ESTORE;
    int n = sqlite3_bind_parameter_count(st);
    if (n >= 1)
        sqlite3_bind_int64(st, 1, a);
    if (n >= 2)
        sqlite3_bind_int64(st, 2, b);
    if (n >= 3)
        bind_text(st, 3, t1);
    if (n >= 4)
        bind_text(st, 4, t2);
    int rc = step(st);
    sqlite3_reset(st);
    if (changes)
        *changes = sqlite3_changes(sk_store_db(s));
    return rc == SQLITE_DONE ? 0 : -SK_ESTORE;
}

int sk_feed_store_import(struct sk_store *st, const char *path, enum sk_feed_format fmt,
                         const struct sk_feed_opts *o, const struct sk_feed_source_opts *so,
                         const struct sk_feed_sink *sink, struct sk_feed_stats *stats,
                         struct sk_errinfo *ei)
{
    static const char q_src[] = "SELECT id FROM intel_sources WHERE name = ?3";
    static const char ins_src[] =
        "INSERT INTO intel_sources (name, created_ns, updated_ns) VALUES (?3, ?1, ?1)";
    static const char up_src[] = "UPDATE intel_sources SET updated_ns = ?1, format = ?3 WHERE id = ?2";
    static const char up_decay[] = "UPDATE intel_sources SET decay_half_life_ns = ?1 WHERE id = ?2";
    static const char up_ttl[] = "UPDATE intel_sources SET ttl_ns = ?1 WHERE id = ?2";
    static const char ins_imp[] =
        "INSERT INTO intel_imports (source_id, started_ns, path, format) VALUES (?2, ?1, ?3, ?4)";
    static const char end_imp[] =
        "UPDATE intel_imports SET finished_ns = ?1, records = ?3, added = ?4, updated = ?5,"
        " removed = ?6, skipped = ?7 WHERE id = ?2";
    static const char del_old[] =
        "DELETE FROM indicator_sources WHERE source_id = ?1 AND (import_id IS NULL OR import_id != ?2)";
    static const char del_orphans[] =
        "DELETE FROM indicators WHERE NOT EXISTS (SELECT 1 FROM indicator_sources a WHERE"
        " a.indicator_id = indicators.id)";
    struct sk_feed_stats local;
    struct sctx c = {.st = st, .now = o->now, .user = sink};
    struct sk_feed_sink s = {.record = on_record, .skip = on_skip, .ctx = &c};
    sqlite3_stmt *q;
    int rc;

    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    c.stats = stats;
    if (fmt == SK_FEED_AUTO) {
        char head[4096];
        size_t n = 0;
        FILE *f = strcmp(path, "-") ? fopen(path, "rb") : NULL;
        if (f) {
            n = fread(head, 1, sizeof head, f);
            fclose(f);
        }
        fmt = sk_feed_detect(path, head, n);
    }
    if ((rc = sk_store_begin(st)) < 0)
        return sk_fail(ei, rc, "%s: cannot start a transaction: %s", path, sk_store_errmsg(st));
    /* the source and the import */
    if (sk_store_prepare(st, q_src, &q) < 0)
        goto db;
    sqlite3_bind_text(q, 3, o->source, -1, SQLITE_TRANSIENT);
    rc = step(q);
    c.source_id = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_reset(q);
    if (rc < 0)
        goto db;
    if (c.source_id < 0) {
        if (exec1(st, ins_src, (int64_t)o->now, 0, o->source, NULL, NULL) < 0)
            goto db;
        c.source_id = sqlite3_last_insert_rowid(sk_store_db(st));
    }
    if (exec1(st, up_src, (int64_t)o->now, c.source_id, sk_feed_format_name(fmt), NULL, NULL) < 0 ||
        (so && so->decay_half_life_ns >= 0 &&
         exec1(st, up_decay, so->decay_half_life_ns, c.source_id, NULL, NULL, NULL) < 0) ||
        (so && so->ttl_ns >= 0 && exec1(st, up_ttl, so->ttl_ns, c.source_id, NULL, NULL, NULL) < 0) ||
        exec1(st, ins_imp, (int64_t)o->now, c.source_id, path, sk_feed_format_name(fmt), NULL) < 0)
        goto db;
    c.import_id = sqlite3_last_insert_rowid(sk_store_db(st));
    /* the file */
    if ((rc = sk_feed_import(path, fmt, o, &s, ei)) < 0) {
        if (c.failed_db)
            goto db;
        goto fail;
    }
    if (so && so->replace) {
        int64_t removed;
        if (exec1(st, del_old, c.source_id, c.import_id, NULL, NULL, &removed) < 0 ||
            exec1(st, del_orphans, 0, 0, NULL, NULL, NULL) < 0)
            goto db;
        stats->removed = (size_t)removed;
    }
    if (sk_store_prepare(st, end_imp, &q) < 0)
        goto db;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)sk_now());
    sqlite3_bind_int64(q, 2, c.import_id);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)stats->records);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)stats->added);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)stats->updated);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)stats->removed);
    sqlite3_bind_int64(q, 7, (sqlite3_int64)stats->skipped);
    rc = step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE || sk_store_commit(st) < 0)
        goto db;
    return 0;
db:
    rc = sk_fail(ei, -SK_ESTORE, "%s: cannot record indicators: %s", path, sk_store_errmsg(st));
fail:
    sk_store_rollback(st);
    return rc;
}

/* --- loading ---------------------------------------------------------------------- */

static int has_tables(struct sk_store *st)
{
    sqlite3_stmt *q;
    int ok = 0;
    if (sqlite3_prepare_v2(sk_store_db(st),
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'indicator_sources'",
                           -1, &q, NULL) != SQLITE_OK)
        return 0;
    ok = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return ok;
}

int sk_feed_store_load(struct sk_store *st, struct sk_intel_builder *b,
                       const struct sk_feed_policy *pol, size_t *loaded, struct sk_errinfo *ei)
{
    static const char sql[] =
        "SELECT i.type, i.value, s.name, a.confidence, a.tlp, a.valid_from_ns, a.valid_until_ns,"
        " a.first_seen_ns, a.last_seen_ns, a.labels, a.stix_id, a.description,"
        " s.decay_half_life_ns, s.ttl_ns"
        " FROM indicator_sources a JOIN indicators i ON i.id = a.indicator_id"
        " JOIN intel_sources s ON s.id = a.source_id ORDER BY a.source_id";
    sqlite3_stmt *q;
    size_t n = 0;
    int rc;

    if (loaded)
        *loaded = 0;
    if (!has_tables(st))
        return 0;
    if (sk_store_prepare(st, sql, &q) < 0)
        return sk_fail(ei, -SK_ESTORE, "cannot read indicators: %s", sk_store_errmsg(st));
    while ((rc = step(q)) == SQLITE_ROW) {
        struct sk_ioc_record r;
        enum sk_ioc_type type;
        enum sk_ioc_tlp tlp = SK_IOC_TLP_UNMARKED;
        const char *labels[MAX_LABELS + 1];
        json_t *larr = NULL;

        if (sk_ioc_type_parse((const char *)sqlite3_column_text(q, 0), &type) < 0)
            continue; /* a type this version does not know */
        memset(&r, 0, sizeof r);
        r.type = (uint8_t)type;
        r.value = (const char *)sqlite3_column_text(q, 1);
        r.src.name = (const char *)sqlite3_column_text(q, 2);
        r.src.confidence = (uint8_t)sqlite3_column_int(q, 3);
        if (sqlite3_column_text(q, 4))
            sk_ioc_tlp_parse((const char *)sqlite3_column_text(q, 4), &tlp);
        r.src.tlp = (uint8_t)tlp;
        r.src.valid_from = col_time(q, 5);
        r.src.valid_until = col_time(q, 6);
        r.src.first_seen = col_time(q, 7);
        r.src.last_seen = col_time(q, 8);
        if (sqlite3_column_text(q, 9))
            labels_parse((const char *)sqlite3_column_text(q, 9), &larr, labels, MAX_LABELS);
        r.src.labels = larr ? labels : NULL;
        r.src.stix_id = (const char *)sqlite3_column_text(q, 10);
        r.src.description = (const char *)sqlite3_column_text(q, 11);
        int64_t half = sqlite3_column_type(q, 12) == SQLITE_NULL ? pol->decay_half_life_ns
                                                                  : sqlite3_column_int64(q, 12);
        int64_t ttl = sqlite3_column_type(q, 13) == SQLITE_NULL ? pol->max_age_ns
                                                                 : sqlite3_column_int64(q, 13);
        sk_nstime seen = r.src.last_seen ? r.src.last_seen : r.src.first_seen;
        int live = 1;
        if (r.src.valid_until && r.src.valid_until < pol->now)
            live = 0; /* expired */
        if (ttl > 0 && seen && seen + (sk_nstime)ttl < pol->now)
            live = 0; /* not seen again for longer than the source's ttl */
        if (live && half > 0 && seen && seen < pol->now) {
            double age = (double)(pol->now - seen) / (double)half;
            r.src.confidence = (uint8_t)floor(r.src.confidence * pow(0.5, age) + 0.5);
        }
        if (live && r.src.confidence < pol->min_confidence)
            live = 0;
        int arc = live ? sk_intel_builder_add_record(b, &r) : 0;
        json_decref(larr);
        if (arc < 0) {
            sqlite3_reset(q);
            return sk_fail(ei, arc, "indicator %s '%s' from %s: %s",
                           sk_ioc_type_name(type), r.value, r.src.name, sk_strerror(arc));
        }
        n += (size_t)live;
    }
    sqlite3_reset(q);
    if (rc < 0)
        return sk_fail(ei, -SK_ESTORE, "cannot read indicators: %s", sk_store_errmsg(st));
    if (loaded)
        *loaded = n;
    return 0;
}
