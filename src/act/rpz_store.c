/*
 * rpz_store.c — the RPZ policy, versioned, and the zones derived from it.
 *
 * act_rpz_policy holds every policy record a name ever had, with the
 * version that added it and the one that removed it (NULL while live). A
 * version is a counter bumped per change, so "the policy as of version V"
 * — what a base zone file written at V holds — is the rows with
 * added_v <= V < removed_v. Each resolver family keeps two versions:
 *   lo — the base every resolver of the family is known to have loaded,
 *   hi — the newest base written for it (== lo when none is pending).
 * The family's delta zone must make "base(lo) or base(hi), plus delta"
 * equal the live policy, whichever base a resolver holds:
 *   a live record added after lo                    → in the delta;
 *   a name in base(lo) or base(hi) that is not live → a PASSTHRU tombstone
 *     (the delta is listed before the base, so the tombstone wins);
 *   anything else                                   → not in the delta.
 * Raising hi (writing a base) changes no delta entry; raising lo (a base
 * confirmed loaded) only removes entries — that is the fold.
 *
 * Kept zones (act_rpz_zone) are those derived contents, updated per owner on
 * every change; for the zones the primary serves, each change is journalled
 * under a new serial (act_rpz_journal) so IXFR can send just the difference.
 */
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act-int.h"
#include "act/rpz.h"
#include "sakimori/buf.h"
#include "sakimori/file.h"
#include "sakimori/nstime.h"

const char *const sk__rpz_zone_key[RPZ_NZONES] = {"u:allow", "u:delta", "b:allow", "b:delta"};

void sk__rpz_batch_free(struct sk_rpz_batch *b)
{
    free(b->v);
    memset(b, 0, sizeof *b);
}

int sk__rpz_rrs_for(const struct sk_rpz_ctx *c, const char *variant, char *out, size_t len,
                    int *allow)
{
    *allow = 0;
    if (!variant || !*variant || !strcmp(variant, "sinkhole"))
        snprintf(out, len, "%s", c->sinkhole_rrs);
    else if (!strcmp(variant, "nxdomain"))
        snprintf(out, len, "CNAME .");
    else if (!strcmp(variant, "nodata"))
        snprintf(out, len, "CNAME *.");
    else if (!strcmp(variant, "passthru")) {
        snprintf(out, len, "%s", RPZ_PASSTHRU);
        *allow = 1;
    } else
        return -SK_EINVAL;
    return 0;
}

int sk__rpz_owners_of(const char *key, char owners[2][RPZ_OWNER_MAX])
{
    if (!strncmp(key, "*.", 2)) {
        snprintf(owners[0], RPZ_OWNER_MAX, "%s", key + 2);
        snprintf(owners[1], RPZ_OWNER_MAX, "%s", key);
        return 2;
    }
    snprintf(owners[0], RPZ_OWNER_MAX, "%s", key);
    return 1;
}

static int is_served(int zone) { return zone == RZ_U_ALLOW || zone == RZ_U_DELTA; }
static const char *family(int zone) { return zone < RZ_B_ALLOW ? "u" : "b"; }
static int enabled(const struct sk_rpz_ctx *c, int zone)
{
    return zone < RZ_B_ALLOW ? c->unbound : c->bind;
}

static int next_version(struct sk_store *st, int64_t *v)
{
    int rc = sk__act_kv_get(st, "rpz.version", 0, v);
    if (rc == 0)
        rc = sk__act_kv_set(st, "rpz.version", ++*v);
    return rc;
}

static int lohi(struct sk_store *st, int zone, int64_t *lo, int64_t *hi)
{
    char k[32];
    int rc;

    snprintf(k, sizeof k, "rpz.%s.lo", family(zone));
    if ((rc = sk__act_kv_get(st, k, 0, lo)) < 0)
        return rc;
    snprintf(k, sizeof k, "rpz.%s.hi", family(zone));
    return sk__act_kv_get(st, k, 0, hi);
}

/* The live record of (zone, owner): 1 with rrs/added, 0 if none. */
static int policy_live(struct sk_store *st, const char *pz, const char *owner, char *rrs,
                       int64_t *added)
{
    static const char sql[] = "SELECT rrs, added_v FROM act_rpz_policy"
                              " INDEXED BY act_rpz_policy_owner"
                              " WHERE zone = ?1 AND owner = ?2 AND removed_v IS NULL";
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, pz, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        snprintf(rrs, RPZ_RRS_MAX, "%s", (const char *)sqlite3_column_text(s, 0));
        if (added)
            *added = sqlite3_column_int64(s, 1);
        rc = 1;
    } else {
        rc = rc == SQLITE_DONE ? 0 : -SK_ESTORE;
    }
    sqlite3_reset(s);
    return rc;
}

/* Makes (pz, owner) hold rrs (NULL = nothing); *changed when it did. */
static int policy_set(struct sk_store *st, const char *pz, const char *owner, const char *rrs,
                      int *changed)
{
    static const char del[] = "UPDATE act_rpz_policy SET removed_v = ?3"
                              " WHERE zone = ?1 AND owner = ?2 AND removed_v IS NULL";
    static const char ins[] = "INSERT INTO act_rpz_policy (zone, owner, rrs, added_v)"
                              " VALUES (?1, ?2, ?4, ?3)";
    char cur[RPZ_RRS_MAX];
    int64_t v;
    int live, rc;
    sqlite3_stmt *s;

    *changed = 0;
    if ((live = policy_live(st, pz, owner, cur, NULL)) < 0)
        return live;
    if ((live && rrs && !strcmp(cur, rrs)) || (!live && !rrs))
        return 0;
    if ((rc = next_version(st, &v)) < 0)
        return rc;
    for (int step = 0; step < 2; step++) {
        if ((step == 0 && !live) || (step == 1 && !rrs))
            continue;
        if ((rc = sk_store_prepare(st, step ? ins : del, &s)) < 0)
            return rc;
        sqlite3_bind_text(s, 1, pz, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, owner, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 3, v);
        if (step)
            sqlite3_bind_text(s, 4, rrs, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
        sqlite3_reset(s);
        if (rc < 0)
            return rc;
    }
    *changed = 1;
    return 0;
}

/* What a kept zone should hold for owner ("" = nothing). */
static int zone_want(struct sk_rpz_ctx *c, int zone, const char *owner, char *out)
{
    static const char tomb[] =
        "SELECT 1 FROM act_rpz_policy INDEXED BY act_rpz_policy_owner"
        " WHERE zone = 'main' AND owner = ?1 AND added_v <= ?2 AND removed_v > ?3 LIMIT 1";
    int64_t added = 0, lo, hi;
    sqlite3_stmt *s;
    int rc;

    out[0] = '\0';
    if (zone == RZ_U_ALLOW || zone == RZ_B_ALLOW)
        return policy_live(c->st, "allow", owner, out, NULL) < 0 ? -SK_ESTORE : 0;
    if ((rc = lohi(c->st, zone, &lo, &hi)) < 0)
        return rc;
    if ((rc = policy_live(c->st, "main", owner, out, &added)) < 0)
        return rc;
    if (rc == 1) {
        if (added <= lo)
            out[0] = '\0'; /* in the loaded base already */
        return 0;
    }
    if ((rc = sk_store_prepare(c->st, tomb, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, owner, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, hi);
    sqlite3_bind_int64(s, 3, lo);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        snprintf(out, RPZ_RRS_MAX, "%s", RPZ_PASSTHRU);
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc;
}

int sk__rpz_serial(struct sk_store *st, int zone, int64_t *serial)
{
    char k[40];
    int rc;

    snprintf(k, sizeof k, "rpz.serial.%s", sk__rpz_zone_key[zone]);
    if ((rc = sk__act_kv_get(st, k, -1, serial)) < 0)
        return rc;
    if (*serial < 0) {
        /* a new zone starts at the clock, so a store made afresh still
         * moves serials forward for resolvers that knew an older one */
        *serial = (int64_t)(sk_now() / SK_NS_PER_SEC);
        rc = sk__act_kv_set(st, k, *serial);
    }
    return rc;
}

static int journal(struct sk_store *st, int zone, struct sk_rpz_batch *b, int op,
                   const char *owner, const char *rrs)
{
    static const char sql[] =
        "INSERT INTO act_rpz_journal (zone, serial, seq, op, owner, rrs)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    sqlite3_stmt *s;
    int rc;

    if (!b->serial[zone]) {
        int64_t cur;
        char k[40];
        if ((rc = sk__rpz_serial(st, zone, &cur)) < 0)
            return rc;
        b->serial[zone] = cur + 1;
        snprintf(k, sizeof k, "rpz.serial.%s", sk__rpz_zone_key[zone]);
        if ((rc = sk__act_kv_set(st, k, cur + 1)) < 0)
            return rc;
    }
    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, sk__rpz_zone_key[zone], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, b->serial[zone]);
    sqlite3_bind_int64(s, 3, ++b->jseq);
    sqlite3_bind_int(s, 4, op);
    sqlite3_bind_text(s, 5, owner, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, rrs, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc;
}

/* Journals owner going from old to new in this batch's version of zone. If
 * the batch already changed owner in this version, the entries are merged
 * into one net change (from the value before the version to new), so an
 * IXFR — all deletions of a version before its additions — stays right. */
static int journal_owner(struct sk_store *st, int zone, struct sk_rpz_batch *b,
                         const char *owner, const char *old, const char *new)
{
    static const char prior[] =
        "SELECT op, rrs FROM act_rpz_journal WHERE zone = ?1 AND serial = ?2 AND owner = ?3"
        " ORDER BY seq";
    static const char drop[] =
        "DELETE FROM act_rpz_journal WHERE zone = ?1 AND serial = ?2 AND owner = ?3";
    char before[RPZ_RRS_MAX];
    sqlite3_stmt *s;
    int rc, seen = 0;

    snprintf(before, sizeof before, "%s", old);
    if (b->serial[zone]) {
        if ((rc = sk_store_prepare(st, prior, &s)) < 0)
            return rc;
        sqlite3_bind_text(s, 1, sk__rpz_zone_key[zone], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, b->serial[zone]);
        sqlite3_bind_text(s, 3, owner, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s) == SQLITE_ROW) {
            if (!seen)
                /* the first entry tells the value before the version: the
                 * deleted one, or nothing if it starts with an addition */
                snprintf(before, sizeof before, "%s",
                         sqlite3_column_int(s, 0) == 0 ? (const char *)sqlite3_column_text(s, 1)
                                                       : "");
            seen = 1;
        }
        sqlite3_reset(s);
        if (seen) {
            if ((rc = sk_store_prepare(st, drop, &s)) < 0)
                return rc;
            sqlite3_bind_text(s, 1, sk__rpz_zone_key[zone], -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 2, b->serial[zone]);
            sqlite3_bind_text(s, 3, owner, -1, SQLITE_TRANSIENT);
            rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
            sqlite3_reset(s);
            if (rc < 0)
                return rc;
        }
    }
    if (!strcmp(before, new) && seen)
        return 0; /* back where the version started: no net change */
    if (before[0] && (rc = journal(st, zone, b, 0, owner, before)) < 0)
        return rc;
    if (new[0] && (rc = journal(st, zone, b, 1, owner, new)) < 0)
        return rc;
    return 0;
}

int sk__rpz_zone_get(struct sk_store *st, int zone, const char *owner, char *out)
{
    static const char sql[] = "SELECT rrs FROM act_rpz_zone WHERE zone = ?1 AND owner = ?2";
    sqlite3_stmt *s;
    int rc;

    out[0] = '\0';
    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, sk__rpz_zone_key[zone], -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        snprintf(out, RPZ_RRS_MAX, "%s", (const char *)sqlite3_column_text(s, 0));
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc;
}

static int batch_push(struct sk_rpz_batch *b, int zone, const char *owner, const char *rrs,
                      const char *old)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct sk_rpz_change *v = realloc(b->v, cap * sizeof *v);
        if (!v)
            return -SK_ENOMEM;
        b->v = v;
        b->cap = cap;
    }
    struct sk_rpz_change *ch = &b->v[b->n++];
    ch->zone = (uint8_t)zone;
    snprintf(ch->owner, sizeof ch->owner, "%s", owner);
    snprintf(ch->rrs, sizeof ch->rrs, "%s", rrs);
    snprintf(ch->old, sizeof ch->old, "%s", old);
    return 0;
}

/* Makes a kept zone hold rrs at owner; journals served zones. */
static int zone_put(struct sk_rpz_ctx *c, int zone, const char *owner, const char *rrs,
                    struct sk_rpz_batch *b)
{
    static const char up[] =
        "INSERT INTO act_rpz_zone (zone, owner, rrs) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (zone, owner) DO UPDATE SET rrs = ?3";
    static const char del[] = "DELETE FROM act_rpz_zone WHERE zone = ?1 AND owner = ?2";
    char old[RPZ_RRS_MAX];
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk__rpz_zone_get(c->st, zone, owner, old)) < 0)
        return rc;
    if (!strcmp(old, rrs))
        return 0;
    if ((rc = sk_store_prepare(c->st, rrs[0] ? up : del, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, sk__rpz_zone_key[zone], -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, owner, -1, SQLITE_TRANSIENT);
    if (rrs[0])
        sqlite3_bind_text(s, 3, rrs, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    if (rc < 0)
        return rc;
    if (is_served(zone) && (rc = journal_owner(c->st, zone, b, owner, old, rrs)) < 0)
        return rc;
    return batch_push(b, zone, owner, rrs, old);
}

static int zones_update_owner(struct sk_rpz_ctx *c, const char *owner, struct sk_rpz_batch *b)
{
    char want[RPZ_RRS_MAX];
    int rc;

    for (int z = 0; z < RPZ_NZONES; z++) {
        if (!enabled(c, z))
            continue;
        if ((rc = zone_want(c, z, owner, want)) < 0 || (rc = zone_put(c, z, owner, want, b)) < 0)
            return rc;
    }
    return 0;
}

int sk__rpz_owner_update(struct sk_rpz_ctx *c, const char *owner, struct sk_rpz_batch *b)
{
    struct sk__act_entry e, best = {.seq = -1};
    char key[RPZ_OWNER_MAX + 2], rrs[RPZ_RRS_MAX];
    int rc, allow = 0, ch1, ch2;

    /* the keys that set this owner: "*.x" sets x and *.x; "x" sets x */
    for (int k = 0; k < 2; k++) {
        if (k == 0)
            snprintf(key, sizeof key, "%s", owner);
        else if (strncmp(owner, "*.", 2) != 0)
            snprintf(key, sizeof key, "*.%s", owner);
        else
            break;
        rc = sk__act_entry_top(c->st, "rpz", key, &e);
        if (rc == -SK_ENOTFOUND)
            continue;
        if (rc < 0)
            return rc;
        if (e.seq > best.seq)
            best = e;
    }
    if (best.seq >= 0 && (rc = sk__rpz_rrs_for(c, best.variant, rrs, sizeof rrs, &allow)) < 0)
        return rc;
    const char *a = best.seq >= 0 && allow ? rrs : NULL;
    const char *m = best.seq >= 0 && !allow ? rrs : NULL;
    if ((rc = policy_set(c->st, "allow", owner, a, &ch1)) < 0 ||
        (rc = policy_set(c->st, "main", owner, m, &ch2)) < 0)
        return rc;
    return zones_update_owner(c, owner, b);
}

/* --- whole recomputation (reconcile) ------------------------------------ */

static int exec(struct sk_store *st, const char *sql)
{
    return sqlite3_exec(sk_store_db(st), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -SK_ESTORE;
}

/* Runs a query (not cached: it names TEMP tables) and calls fn per row.
 * ?1 is bound to bind1 when given, ?2 and ?3 to b2 and b3 (binding a
 * parameter a statement does not have is a no-op). */
static int each_row(struct sk_store *st, const char *sql, const char *bind1, int64_t b2,
                    int64_t b3, int (*fn)(void *ctx, sqlite3_stmt *row), void *ctx)
{
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_prepare_v2(sk_store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    if (bind1)
        sqlite3_bind_text(s, 1, bind1, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, b2);
    sqlite3_bind_int64(s, 3, b3);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (fn && (rc = fn(ctx, s)) < 0)
            break;
    sqlite3_finalize(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : rc < 0 ? rc : -SK_ESTORE;
}

struct cand_ctx {
    struct sk_store *st;
    sqlite3_stmt *ins;
};

static int add_cand(void *ctx, const struct sk__act_entry *e)
{
    struct cand_ctx *cc = ctx;
    char owners[2][RPZ_OWNER_MAX];
    int n = sk__rpz_owners_of(e->key, owners);

    for (int i = 0; i < n; i++) {
        sqlite3_bind_text(cc->ins, 1, owners[i], -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(cc->ins, 2, e->seq);
        sqlite3_bind_text(cc->ins, 3, e->variant, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(cc->ins);
        sqlite3_reset(cc->ins);
        if (rc != SQLITE_DONE)
            return -SK_ESTORE;
    }
    return 0;
}

struct apply_ctx {
    struct sk_rpz_ctx *c;
    struct sk_rpz_batch *b;
    int zone;
    int64_t v;
};

static int policy_remove_row(void *ctx, sqlite3_stmt *row)
{
    struct apply_ctx *a = ctx;
    static const char sql[] = "UPDATE act_rpz_policy SET removed_v = ?3"
                              " WHERE zone = ?1 AND owner = ?2 AND removed_v IS NULL";
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(a->c->st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_value(s, 1, sqlite3_column_value(row, 0));
    sqlite3_bind_value(s, 2, sqlite3_column_value(row, 1));
    sqlite3_bind_int64(s, 3, a->v);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc;
}

static int policy_add_row(void *ctx, sqlite3_stmt *row)
{
    struct apply_ctx *a = ctx;
    static const char sql[] = "INSERT INTO act_rpz_policy (zone, owner, rrs, added_v)"
                              " VALUES (?1, ?2, ?3, ?4)";
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(a->c->st, sql, &s)) < 0)
        return rc;
    for (int i = 0; i < 3; i++)
        sqlite3_bind_value(s, i + 1, sqlite3_column_value(row, i));
    sqlite3_bind_int64(s, 4, a->v);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc;
}

static int zone_fix_row(void *ctx, sqlite3_stmt *row)
{
    struct apply_ctx *a = ctx;
    const char *owner = (const char *)sqlite3_column_text(row, 0);
    const char *rrs = (const char *)sqlite3_column_text(row, 1);
    char o[RPZ_OWNER_MAX];

    snprintf(o, sizeof o, "%s", owner ? owner : "");
    return zone_put(a->c, a->zone, o, rrs ? rrs : "", a->b);
}

/* The wanted content of a kept zone into TEMP table rpz_zwant. */
static int fill_zwant(struct sk_rpz_ctx *c, int zone)
{
    int64_t lo, hi;
    int rc;

    if ((rc = exec(c->st, "DELETE FROM temp.rpz_zwant")) < 0)
        return rc;
    if (zone == RZ_U_ALLOW || zone == RZ_B_ALLOW)
        return each_row(c->st,
                        "INSERT INTO temp.rpz_zwant SELECT owner, rrs FROM act_rpz_policy"
                        " WHERE zone = 'allow' AND removed_v IS NULL",
                        NULL, 0, 0, NULL, NULL);
    if ((rc = lohi(c->st, zone, &lo, &hi)) < 0)
        return rc;
    if ((rc = each_row(c->st,
                       "INSERT INTO temp.rpz_zwant SELECT owner, rrs FROM act_rpz_policy"
                       " WHERE zone = 'main' AND removed_v IS NULL AND added_v > ?3",
                       NULL, hi, lo, NULL, NULL)) < 0)
        return rc;
    return each_row(c->st,
                    "INSERT OR IGNORE INTO temp.rpz_zwant"
                    " SELECT DISTINCT owner, '" RPZ_PASSTHRU "' FROM act_rpz_policy p"
                    " WHERE zone = 'main' AND added_v <= ?2 AND removed_v > ?3"
                    " AND NOT EXISTS (SELECT 1 FROM act_rpz_policy q WHERE q.zone = 'main'"
                    "   AND q.owner = p.owner AND q.removed_v IS NULL)",
                    NULL, hi, lo, NULL, NULL);
}

static int recompute_zone(struct sk_rpz_ctx *c, int zone, struct sk_rpz_batch *b)
{
    struct apply_ctx a = {.c = c, .b = b, .zone = zone};
    int rc;

    if ((rc = fill_zwant(c, zone)) < 0)
        return rc;
    /* rows to drop or change: put what is wanted (or nothing) */
    if ((rc = each_row(c->st,
                       "SELECT z.owner, COALESCE(w.rrs, '') FROM act_rpz_zone z"
                       " LEFT JOIN temp.rpz_zwant w ON w.owner = z.owner"
                       " WHERE z.zone = ?1 AND (w.rrs IS NULL OR w.rrs != z.rrs)",
                       sk__rpz_zone_key[zone], 0, 0, zone_fix_row, &a)) < 0)
        return rc;
    /* rows missing */
    return each_row(c->st,
                    "SELECT w.owner, w.rrs FROM temp.rpz_zwant w WHERE NOT EXISTS"
                    " (SELECT 1 FROM act_rpz_zone z WHERE z.zone = ?1 AND z.owner = w.owner)",
                    sk__rpz_zone_key[zone], 0, 0, zone_fix_row, &a);
}

static int ensure_temp(struct sk_store *st)
{
    return exec(st, "CREATE TEMP TABLE IF NOT EXISTS rpz_cand (owner TEXT PRIMARY KEY,"
                    "  seq INTEGER NOT NULL, variant TEXT NOT NULL);"
                    "CREATE TEMP TABLE IF NOT EXISTS rpz_want (zone TEXT NOT NULL,"
                    "  owner TEXT NOT NULL, rrs TEXT NOT NULL, PRIMARY KEY (zone, owner));"
                    "CREATE TEMP TABLE IF NOT EXISTS rpz_zwant (owner TEXT PRIMARY KEY,"
                    "  rrs TEXT NOT NULL);"
                    "DELETE FROM temp.rpz_cand; DELETE FROM temp.rpz_want;"
                    "DELETE FROM temp.rpz_zwant;");
}

int sk__rpz_recompute_all(struct sk_rpz_ctx *c, struct sk_rpz_batch *b)
{
    static const char *const variants[] = {"", "sinkhole", "nxdomain", "nodata", "passthru"};
    struct cand_ctx cc = {.st = c->st};
    struct apply_ctx a = {.c = c, .b = b};
    int rc;

    if ((rc = ensure_temp(c->st)) < 0)
        return rc;
    /* 1. the deciding action per owner (highest seq) */
    if (sqlite3_prepare_v2(sk_store_db(c->st),
                           "INSERT INTO temp.rpz_cand (owner, seq, variant) VALUES (?1, ?2, ?3)"
                           " ON CONFLICT (owner) DO UPDATE SET seq = excluded.seq,"
                           " variant = excluded.variant WHERE excluded.seq > seq",
                           -1, &cc.ins, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    rc = sk__act_entry_each(c->st, "rpz", add_cand, &cc);
    sqlite3_finalize(cc.ins);
    if (rc < 0)
        return rc;
    /* 2. the wanted policy */
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char rrs[RPZ_RRS_MAX];
        int allow;
        sqlite3_stmt *s;
        if ((rc = sk__rpz_rrs_for(c, variants[i], rrs, sizeof rrs, &allow)) < 0)
            return rc;
        if (sqlite3_prepare_v2(sk_store_db(c->st),
                               "INSERT INTO temp.rpz_want SELECT ?1, owner, ?2"
                               " FROM temp.rpz_cand WHERE variant = ?3",
                               -1, &s, NULL) != SQLITE_OK)
            return -SK_ESTORE;
        sqlite3_bind_text(s, 1, allow ? "allow" : "main", -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, rrs, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, variants[i], -1, SQLITE_STATIC);
        rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return -SK_ESTORE;
    }
    /* 3. the policy diff, under one new version */
    if ((rc = next_version(c->st, &a.v)) < 0)
        return rc;
    if ((rc = each_row(c->st,
                       "SELECT zone, owner FROM act_rpz_policy p WHERE removed_v IS NULL"
                       " AND NOT EXISTS (SELECT 1 FROM temp.rpz_want w WHERE w.zone = p.zone"
                       "   AND w.owner = p.owner AND w.rrs = p.rrs)",
                       NULL, 0, 0, policy_remove_row, &a)) < 0)
        return rc;
    if ((rc = each_row(c->st,
                       "SELECT zone, owner, rrs FROM temp.rpz_want w WHERE NOT EXISTS"
                       " (SELECT 1 FROM act_rpz_policy p WHERE p.zone = w.zone"
                       "  AND p.owner = w.owner AND p.removed_v IS NULL)",
                       NULL, 0, 0, policy_add_row, &a)) < 0)
        return rc;
    /* 4. every kept zone of the configured families */
    for (int z = 0; z < RPZ_NZONES; z++)
        if (enabled(c, z) && (rc = recompute_zone(c, z, b)) < 0)
            return rc;
    return 0;
}

struct shrink_ctx {
    struct sk_rpz_ctx *c;
    struct sk_rpz_batch *b;
    int zone;
};

static int shrink_row(void *ctx, sqlite3_stmt *row)
{
    struct shrink_ctx *s = ctx;
    char owner[RPZ_OWNER_MAX], want[RPZ_RRS_MAX];
    int rc;

    snprintf(owner, sizeof owner, "%s", (const char *)sqlite3_column_text(row, 0));
    if ((rc = zone_want(s->c, s->zone, owner, want)) < 0)
        return rc;
    return zone_put(s->c, s->zone, owner, want, s->b);
}

int sk__rpz_zone_shrink(struct sk_rpz_ctx *c, int zone, struct sk_rpz_batch *b)
{
    struct shrink_ctx s = {.c = c, .b = b, .zone = zone};
    int rc;

    /* materialize the owner list first: shrink_row edits the same table */
    if ((rc = ensure_temp(c->st)) < 0 ||
        (rc = each_row(c->st,
                       "INSERT INTO temp.rpz_zwant SELECT owner, rrs FROM act_rpz_zone"
                       " WHERE zone = ?1",
                       sk__rpz_zone_key[zone], 0, 0, NULL, NULL)) < 0)
        return rc;
    return each_row(c->st, "SELECT owner FROM temp.rpz_zwant", NULL, 0, 0, shrink_row, &s);
}

int64_t sk__rpz_zone_size(struct sk_store *st, int zone)
{
    static const char sql[] = "SELECT count(*) FROM act_rpz_zone WHERE zone = ?1";
    sqlite3_stmt *s;
    int64_t n = -SK_ESTORE;

    if (sk_store_prepare(st, sql, &s) < 0)
        return -SK_ESTORE;
    sqlite3_bind_text(s, 1, sk__rpz_zone_key[zone], -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return n;
}

/* --- the base zone file ------------------------------------------------- */

int sk__rpz_write_base(struct sk_rpz_ctx *c, const char *path, const char *zone_name,
                       int64_t *version, struct sk_errinfo *ei)
{
    static const char sql[] = "SELECT owner, rrs FROM act_rpz_policy"
                              " WHERE zone = 'main' AND removed_v IS NULL ORDER BY owner";
    struct sk_buf out;
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk__act_kv_get(c->st, "rpz.version", 0, version)) < 0)
        return sk_fail(ei, rc, "rpz: %s", sk_store_errmsg(c->st));
    sk_buf_init(&out, (size_t)4 << 30);
    rc = sk_buf_printf(&out,
                       "; Generated by sakimori (act.rpz): the base policy zone at version %lld.\n"
                       "; Do not edit: rewritten whole when the delta is folded into it.\n"
                       "$ORIGIN %s.\n$TTL %u\n"
                       "@ SOA localhost. hostmaster.localhost. %lld 300 60 2592000 60\n"
                       "@ NS localhost.\n",
                       (long long)*version, zone_name, c->ttl,
                       (long long)(*version & 0xffffffff));
    if (rc == 0 && (rc = sk_store_prepare(c->st, sql, &s)) == 0) {
        while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
            const char *owner = (const char *)sqlite3_column_text(s, 0);
            const char *rrs = (const char *)sqlite3_column_text(s, 1);
            while (rc == 0 && rrs && *rrs) {
                size_t n = strcspn(rrs, ";");
                rc = sk_buf_printf(&out, "%s %.*s\n", owner, (int)n, rrs);
                rrs += n + (rrs[n] == ';');
            }
        }
        sqlite3_reset(s);
    }
    if (rc < 0)
        sk_fail(ei, rc, "rpz: building the base zone: %s", sk_strerror(rc));
    else
        rc = sk_write_file_atomic(path, out.data, out.len, ei);
    sk_buf_free(&out);
    return rc;
}
