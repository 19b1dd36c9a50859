/*
 * act_monitor.c — the "monitor" action: watch a target, change nothing on
 * the network.
 *
 * Applying puts the target on the node's watchlist (a table in the store)
 * with its expiry, so sensors and analysts give its traffic attention; revert
 * takes it off. It is the least intrusive action there is, and the one to
 * take while evidence is still being gathered.
 */
#include <sqlite3.h>
#include <stdlib.h>

#include "sakimori/action.h"
#include "sakimori/error.h"
#include "sakimori/store.h"

struct monitor {
    struct sk_store *store;
};

static int monitor_init(void **state, const struct sk_action_env *env, struct sk_errinfo *ei)
{
    struct monitor *m;

    if (!env->store)
        return sk_fail(ei, -SK_EINVAL, "monitor: needs the store");
    if (!(m = calloc(1, sizeof *m)))
        return -SK_ENOMEM;
    m->store = env->store;
    *state = m;
    return 0;
}

static void monitor_fini(void *state) { free(state); }

static int monitor_check(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    if (!req->target.value[0])
        return sk_fail(ei, -SK_EINVAL, "monitor: empty target");
    return 0;
}

static int monitor_apply(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    static const char sql[] =
        "INSERT INTO watchlist (target, kind, action_id, added_ns, not_after_ns)"
        " VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT(target) DO UPDATE SET action_id = ?3, not_after_ns = ?5";
    struct monitor *m = state;
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(m->store, sql, &st)) < 0)
        return sk_fail(ei, rc, "monitor: %s", sk_store_errmsg(m->store));
    sqlite3_bind_text(st, 1, req->target.value, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, sk_target_kind_name((enum sk_target_kind)req->target.kind), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)req->id);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)sk_now());
    sqlite3_bind_int64(st, 5, (sqlite3_int64)req->not_after);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sk_fail(ei, -SK_ESTORE, "monitor: %s", sk_store_errmsg(m->store));
    return 0;
}

static int monitor_verify(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    static const char sql[] = "SELECT action_id FROM watchlist WHERE target = ?1";
    struct monitor *m = state;
    sqlite3_stmt *st;
    int rc, found = 0;

    if ((rc = sk_store_prepare(m->store, sql, &st)) < 0)
        return sk_fail(ei, rc, "monitor: %s", sk_store_errmsg(m->store));
    sqlite3_bind_text(st, 1, req->target.value, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        found = (uint64_t)sqlite3_column_int64(st, 0) == req->id;
    sqlite3_reset(st);
    if (!found)
        return sk_fail(ei, -SK_ENOTFOUND, "monitor: '%s' is not on the watchlist",
                       req->target.value);
    return 0;
}

static int monitor_revert(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    static const char sql[] = "DELETE FROM watchlist WHERE target = ?1 AND action_id = ?2";
    struct monitor *m = state;
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(m->store, sql, &st)) < 0)
        return sk_fail(ei, rc, "monitor: %s", sk_store_errmsg(m->store));
    sqlite3_bind_text(st, 1, req->target.value, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)req->id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sk_fail(ei, -SK_ESTORE, "monitor: %s", sk_store_errmsg(m->store));
    return 0;
}

const struct sk_action_ops sk__act_monitor = {
    .name = "monitor",
    .api = SK_ACTION_API,
    .desc = "put the target on the node's watchlist; no change to the network",
    .init = monitor_init,
    .check = monitor_check,
    .apply = monitor_apply,
    .verify = monitor_verify,
    .revert = monitor_revert,
    .fini = monitor_fini,
};
