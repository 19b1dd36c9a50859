/*
 * runner.c — carries out approved proposals through the action plugins,
 * crash-safe: intent first, the plugin call, the outcome after.
 *
 * Every plugin step is a row of gov_runs: written (outcome NULL) in the same
 * transaction as the state change that calls for it, then the plugin runs
 * outside any transaction, then the outcome is written with its audit entry.
 * The proposal's state is therefore what *should* hold, and gov_runs says
 * whether it does yet. After a crash, tick finds rows still in flight whose
 * owner process is gone and runs them again — apply and revert are
 * idempotent, so doing a step twice is harmless, and skipping one is
 * impossible.
 *
 *   apply:  [tx: safeguards again, approved→active|pending→provisional,
 *            run(apply) in flight] → check+apply → [tx: outcome]
 *           → verify → [tx: outcome]; a failure of any step →
 *           [tx: →failed, run(revert) in flight] → revert → [tx: outcome]
 *   revert: [tx: active→reverted (ttl, revoke, lapse), run(revert) in flight]
 *           → revert → [tx: outcome]; a failed revert is retried by tick.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "govern/govern-int.h"
#include "sakimori/conf.h"
#include "sakimori/log.h"

/* Tests replace this to inject plugin failures; everything else uses the
 * registry. */
const struct sk_action_ops *(*sk__gov_plugin_lookup)(const char *name) = sk_action_find;

/* The governance action → the plugins that may implement it, in order. */
static const char *const plugin_names[][3] = {
    [SK_GOV_MONITOR] = {"monitor", NULL, NULL},
    [SK_GOV_SINKHOLE] = {"sinkhole", "rpz", NULL},
    [SK_GOV_BLOCK] = {"block", "nft", NULL},
    [SK_GOV_BLACKHOLE] = {"blackhole", "bgp", NULL},
    [SK_GOV_TAKEDOWN] = {"takedown_request", "takedown", NULL},
};

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -SK_ESTORE;
}

const char *sk__gov_plugin_name(enum sk_gov_action a)
{
    for (int i = 0; i < 3 && plugin_names[a][i]; i++)
        if (sk__gov_plugin_lookup(plugin_names[a][i]))
            return plugin_names[a][i];
    return plugin_names[a][1] ? plugin_names[a][1] : plugin_names[a][0];
}

/* The plugin for an action, initialised once per handle. */
static int plugin_get(struct sk_govern *g, enum sk_gov_action a, struct sk__gov_plugin **out,
                      struct sk_errinfo *ei)
{
    const char *name = sk__gov_plugin_name(a);
    const struct sk_action_ops *ops = sk__gov_plugin_lookup(name);
    struct sk_action_env env = {.conf = g->conf, .store = g->st};
    struct sk__gov_plugin *pl;
    int rc;

    if (!ops)
        return sk_fail(ei, -SK_EUNSUP, "no action plugin for '%s' is built in (looked for '%s')",
                       sk_govern_action_name(a), name);
    if (ops->api != SK_ACTION_API)
        return sk_fail(ei, -SK_EUNSUP, "action plugin '%s' speaks API %u, not %u", ops->name,
                       ops->api, SK_ACTION_API);
    if (!ops->apply || !ops->revert)
        return sk_fail(ei, -SK_EUNSUP, "action plugin '%s' cannot apply and revert", ops->name);
    for (size_t i = 0; i < g->nplugins; i++) {
        if (g->plugins[i].ops == ops) {
            *out = &g->plugins[i];
            return 0;
        }
    }
    if (g->nplugins == sizeof g->plugins / sizeof g->plugins[0])
        return -SK_ETOOBIG;
    pl = &g->plugins[g->nplugins];
    pl->ops = ops;
    pl->state = NULL;
    if (ops->init && (rc = ops->init(&pl->state, &env, ei)) < 0)
        return rc;
    g->nplugins++;
    *out = pl;
    return 0;
}

void sk__gov_plugins_fini(struct sk_govern *g)
{
    for (size_t i = 0; i < g->nplugins; i++)
        if (g->plugins[i].ops->fini)
            g->plugins[i].ops->fini(g->plugins[i].state);
    g->nplugins = 0;
}

/* req->note points into buf (the legal basis and the evidence, for
 * reports that leave the operator, such as takedown requests). */
static void make_req(const struct sk__gov_proposal *p, struct sk_action_req *req, char *buf,
                     size_t len)
{
    memset(req, 0, sizeof *req);
    req->id = (uint64_t)p->id;
    req->kind = sk_govern_action_name(p->action);
    req->target = p->target;
    req->not_after = p->not_after;
    req->scope = p->scope ? p->scope : "";
    if (buf && len) {
        snprintf(buf, len, "proposal #%lld under %s; evidence %s", (long long)p->id,
                 p->legal_basis, p->evidence);
        req->note = buf;
    }
}

/* --- the journal ----------------------------------------------------------- */

static int run_insert(struct sk_govern *g, int64_t pid, const char *op, const char *plugin,
                      int64_t *run)
{
    static const char sql[] =
        "INSERT INTO gov_runs (proposal_id, op, plugin, owner_pid, started_ns)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_text(st, 2, op, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, plugin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)getpid());
    sqlite3_bind_int64(st, 5, (sqlite3_int64)sk_now());
    if ((rc = step_done(st)) < 0)
        return rc;
    if (run)
        *run = sqlite3_last_insert_rowid(sk_store_db(g->st));
    return 0;
}

static int run_finish(struct sk_govern *g, int64_t run, int ok, const char *err)
{
    static const char sql[] =
        "UPDATE gov_runs SET finished_ns = ?1, outcome = ?2, error = ?3 WHERE id = ?4";
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)sk_now());
    sqlite3_bind_text(st, 2, ok ? "ok" : "error", -1, SQLITE_STATIC);
    if (err && *err)
        sqlite3_bind_text(st, 3, err, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, run);
    return step_done(st);
}

struct run {
    int64_t id;
    char op[8];
    int done, ok;
    int64_t owner;
};

/* The latest run of a proposal; 0 if it has none. */
static int run_latest(struct sk_govern *g, int64_t pid, struct run *r)
{
    static const char sql[] =
        "SELECT id, op, outcome, owner_pid FROM gov_runs WHERE proposal_id = ?1"
        " ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *st;
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, pid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *outcome = (const char *)sqlite3_column_text(st, 2);
        r->id = sqlite3_column_int64(st, 0);
        snprintf(r->op, sizeof r->op, "%s", (const char *)sqlite3_column_text(st, 1));
        r->done = outcome != NULL;
        r->ok = outcome && strcmp(outcome, "ok") == 0;
        r->owner = sqlite3_column_int64(st, 3);
        rc = 1;
    } else {
        rc = rc == SQLITE_DONE ? 0 : -SK_ESTORE;
    }
    sqlite3_reset(st);
    return rc;
}

static int step_audit(struct sk_govern *g, int64_t pid, const char *actor, const char *op,
                      const char *phase, const char *plugin, const char *err)
{
    char subject[32], kind[32];
    json_t *d = json_pack("{s:s, s:s, s:s?}", "phase", phase, "plugin", plugin, "error",
                          err && *err ? err : NULL);
    int rc;

    snprintf(subject, sizeof subject, "proposal/%lld", (long long)pid);
    snprintf(kind, sizeof kind, "action.%s", op);
    rc = sk_audit_append(g->audit, actor, kind, subject, d, NULL);
    json_decref(d);
    return rc;
}

/* Records a finished step in its own transaction. */
static int record_outcome(struct sk_govern *g, int64_t pid, int64_t run, const char *actor,
                          const char *op, const char *plugin, int ok, const char *err)
{
    int rc;

    if ((rc = sk_store_begin(g->st)) < 0)
        return rc;
    if (run && (rc = run_finish(g, run, ok, err)) < 0)
        goto fail;
    if (!run && (rc = run_insert(g, pid, op, plugin, &run)) == 0)
        rc = run_finish(g, run, ok, err);
    if (rc < 0 || (rc = step_audit(g, pid, actor, op, ok ? "ok" : "error", plugin, err)) < 0)
        goto fail;
    return sk_audit_commit(g->audit);
fail:
    sk_store_rollback(g->st);
    return rc;
}

/* --- apply -------------------------------------------------------------------- */

int sk__gov_start_apply(struct sk_govern *g, struct sk__gov_proposal *p, const char *actor,
                        struct sk_errinfo *ei)
{
    const struct sk_conf_govern *c = &g->conf->govern;
    struct sk_errinfo refusal = {""};
    json_t *rep = NULL, *d = NULL;
    sk_nstime now = sk_now();
    int exigent = p->state == SK_GOV_PENDING, rc;
    const char *plugin = sk__gov_plugin_name(p->action);

    /* the second run of the safeguards, right before anything changes */
    rc = sk__gov_safeguards(g, p, 1, &rep, &refusal);
    if (rc < 0 && rc != -SK_EDENIED) {
        json_decref(rep);
        return sk_fail(ei, rc, "safeguards: %s", refusal.msg);
    }
    if (rc == -SK_EDENIED) {
        if (exigent) {
            /* nothing was approved: the exigent approval is refused */
            json_decref(rep);
            return sk_fail(ei, -SK_EDENIED, "at apply: %s", refusal.msg);
        }
        d = json_pack("{s:O, s:s}", "safeguards", rep, "why", refusal.msg);
        if ((rc = sk__gov_transition(g, p, SK_GOV_EV_APPLY, actor, d, ei)) < 0 ||
            (rc = sk__gov_transition(g, p, SK_GOV_EV_VERIFY_FAIL, actor, d, ei)) < 0)
            goto out;
        if ((rc = sk__gov_set_int(g, p->id, "ended_ns", (int64_t)now)) < 0 ||
            (rc = sk__gov_set_text(g, p->id, "end_reason", refusal.msg)) < 0)
            goto out;
        rc = sk_fail(ei, -SK_EDENIED, "not applied: %s", refusal.msg);
        goto out;
    }
    d = json_pack("{s:O, s:s}", "safeguards", rep, "plugin", plugin);
    if ((rc = sk__gov_transition(g, p, exigent ? SK_GOV_EV_EXIGENT : SK_GOV_EV_APPLY, actor, d,
                                 ei)) < 0)
        goto out;
    p->activated = now;
    p->not_after = now + p->ttl;
    if ((rc = sk__gov_set_int(g, p->id, "activated_ns", (int64_t)now)) < 0 ||
        (rc = sk__gov_set_int(g, p->id, "not_after_ns", (int64_t)p->not_after)) < 0)
        goto out;
    if (exigent) {
        p->exigent = 1;
        p->ratify_by = now + c->exigent_window;
        if (p->ratify_by > p->not_after)
            p->ratify_by = p->not_after;
        if ((rc = sk__gov_set_int(g, p->id, "exigent", 1)) < 0 ||
            (rc = sk__gov_set_int(g, p->id, "ratify_by_ns", (int64_t)p->ratify_by)) < 0 ||
            (rc = sk__gov_set_int(g, p->id, "decided_ns", (int64_t)now)) < 0)
            goto out;
    }
    if ((rc = run_insert(g, p->id, "apply", plugin, NULL)) < 0 ||
        (rc = step_audit(g, p->id, actor, "apply", "intent", plugin, NULL)) < 0)
        goto out;
    rc = 0;
out:
    json_decref(rep);
    json_decref(d);
    return rc;
}

/* After a failed apply or verify: failed, and undo whatever was done. */
static int fail_and_revert(struct sk_govern *g, int64_t id, const char *actor, const char *why,
                           struct sk_errinfo *ei)
{
    struct sk__gov_proposal p;
    struct sk_errinfo e2 = {""};
    int rc;

    if ((rc = sk_store_begin(g->st)) < 0)
        return rc;
    if ((rc = sk__gov_load(g, id, &p)) < 0) {
        sk_store_rollback(g->st);
        return rc;
    }
    rc = sk__gov_start_revert(g, &p, SK_GOV_EV_VERIFY_FAIL, actor, why, 0, &e2);
    sk__gov_proposal_free(&p);
    if (rc < 0 || (rc = sk_audit_commit(g->audit)) < 0) {
        sk_store_rollback(g->st);
        return rc;
    }
    sk_error("govern", "proposal #%lld failed and is being reverted: %s", (long long)id, why);
    sk__gov_run_revert(g, id, actor, &e2);
    return sk_fail(ei, -SK_EEXTERNAL, "proposal #%lld failed: %s", (long long)id, why);
}

int sk__gov_run_apply(struct sk_govern *g, int64_t id, const char *actor, struct sk_errinfo *ei)
{
    struct sk__gov_proposal p;
    struct sk__gov_plugin *pl = NULL;
    struct sk_action_req req;
    struct sk_errinfo perr = {""};
    char note[SK_GOV_TEXT_MAX + 512];
    struct run r;
    const char *plugin;
    int rc;

    if ((rc = sk__gov_load(g, id, &p)) < 0)
        return sk_fail(ei, rc, "proposal #%lld: cannot load", (long long)id);
    if (p.state != SK_GOV_ACTIVE && p.state != SK_GOV_PROVISIONAL) {
        sk__gov_proposal_free(&p);
        return 0; /* ended meanwhile: nothing to apply */
    }
    plugin = sk__gov_plugin_name(p.action);
    make_req(&p, &req, note, sizeof note);
    if ((rc = run_latest(g, id, &r)) < 0)
        goto out;
    if (rc == 0 || strcmp(r.op, "apply") != 0 || r.done) {
        /* nothing in flight: this is a re-apply (reconcile) */
        r.id = 0;
    }
    sk__gov_crashpoint("apply:after-intent");
    if ((rc = plugin_get(g, p.action, &pl, &perr)) < 0 ||
        (pl->ops->check && (rc = pl->ops->check(pl->state, &req, &perr)) < 0) ||
        (rc = pl->ops->apply(pl->state, &req, &perr)) < 0) {
        if (!perr.msg[0])
            snprintf(perr.msg, sizeof perr.msg, "%s", sk_strerror(rc));
        record_outcome(g, id, r.id, actor, "apply", plugin, 0, perr.msg);
        sk__gov_proposal_free(&p);
        return fail_and_revert(g, id, actor, perr.msg, ei);
    }
    sk__gov_crashpoint("apply:after-plugin");
    if ((rc = record_outcome(g, id, r.id, actor, "apply", plugin, 1, NULL)) < 0)
        goto out;
    sk__gov_crashpoint("apply:after-record");
    rc = pl->ops->verify ? pl->ops->verify(pl->state, &req, &perr) : 0;
    if (rc < 0) {
        if (!perr.msg[0])
            snprintf(perr.msg, sizeof perr.msg, "%s", sk_strerror(rc));
        record_outcome(g, id, 0, actor, "verify", plugin, 0, perr.msg);
        sk__gov_proposal_free(&p);
        return fail_and_revert(g, id, actor, perr.msg, ei);
    }
    rc = record_outcome(g, id, 0, actor, "verify", plugin, 1, NULL);
out:
    if (rc < 0 && !ei->msg[0])
        sk_errinfo_set(ei, "proposal #%lld: %s", (long long)id, sk_strerror(rc));
    sk__gov_proposal_free(&p);
    return rc;
}

int sk_govern_apply(struct sk_govern *g, int64_t id, const char *actor, struct sk_errinfo *ei)
{
    struct sk__gov_proposal p;
    int rc;

    if ((rc = sk_store_begin(g->st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    if ((rc = sk__gov_load(g, id, &p)) < 0) {
        sk_store_rollback(g->st);
        return sk_fail(ei, rc, "proposal #%lld: %s", (long long)id,
                       rc == -SK_ENOTFOUND ? "no such proposal" : sk_strerror(rc));
    }
    if (p.state != SK_GOV_APPROVED) {
        rc = sk__gov_transition(g, &p, SK_GOV_EV_APPLY, actor, NULL, ei);
        goto fail;
    }
    rc = sk__gov_start_apply(g, &p, actor, ei);
    if (rc < 0 && rc != -SK_EDENIED)
        goto fail;
    int denied = rc == -SK_EDENIED;
    if ((rc = sk_audit_commit(g->audit)) < 0)
        goto fail;
    sk__gov_proposal_free(&p);
    return denied ? -SK_EDENIED : sk__gov_run_apply(g, id, actor, ei);
fail:
    sk_store_rollback(g->st);
    sk__gov_proposal_free(&p);
    return rc;
}

/* --- revert ------------------------------------------------------------------- */

int sk__gov_start_revert(struct sk_govern *g, struct sk__gov_proposal *p, enum sk_gov_event ev,
                         const char *actor, const char *reason, int false_positive,
                         struct sk_errinfo *ei)
{
    const char *plugin = sk__gov_plugin_name(p->action);
    json_t *d = json_pack("{s:s, s:b}", "reason", reason ? reason : "", "false_positive",
                          false_positive);
    int rc;

    if ((rc = sk__gov_transition(g, p, ev, actor, d, ei)) < 0)
        goto out;
    if ((rc = sk__gov_set_int(g, p->id, "ended_ns", (int64_t)sk_now())) < 0 ||
        (reason && (rc = sk__gov_set_text(g, p->id, "end_reason", reason)) < 0) ||
        (false_positive && (rc = sk__gov_set_int(g, p->id, "false_positive", 1)) < 0) ||
        (rc = run_insert(g, p->id, "revert", plugin, NULL)) < 0 ||
        (rc = step_audit(g, p->id, actor, "revert", "intent", plugin, NULL)) < 0)
        goto out;
out:
    json_decref(d);
    return rc;
}

int sk__gov_run_revert(struct sk_govern *g, int64_t id, const char *actor, struct sk_errinfo *ei)
{
    struct sk__gov_proposal p;
    struct sk__gov_plugin *pl = NULL;
    struct sk_action_req req;
    struct sk_errinfo perr = {""};
    char note[SK_GOV_TEXT_MAX + 512];
    struct run r;
    const char *plugin;
    int rc;

    if ((rc = sk__gov_load(g, id, &p)) < 0)
        return sk_fail(ei, rc, "proposal #%lld: cannot load", (long long)id);
    plugin = sk__gov_plugin_name(p.action);
    make_req(&p, &req, note, sizeof note);
    if ((rc = run_latest(g, id, &r)) < 0)
        goto out;
    if (rc == 0 || strcmp(r.op, "revert") != 0 || r.done)
        r.id = 0; /* a retry after a failed revert */
    sk__gov_crashpoint("revert:after-intent");
    rc = plugin_get(g, p.action, &pl, &perr);
    if (rc == -SK_EUNSUP) {
        /* no plugin: nothing can have been applied, nothing to undo */
        rc = record_outcome(g, id, r.id, actor, "revert", plugin, 1, perr.msg);
        goto out;
    }
    if (rc == 0)
        rc = pl->ops->revert(pl->state, &req, &perr);
    if (rc < 0) {
        if (!perr.msg[0])
            snprintf(perr.msg, sizeof perr.msg, "%s", sk_strerror(rc));
        record_outcome(g, id, r.id, actor, "revert", plugin, 0, perr.msg);
        sk_error("govern", "proposal #%lld: revert failed (tick retries it): %s", (long long)id,
                 perr.msg);
        rc = sk_fail(ei, -SK_EEXTERNAL, "proposal #%lld: revert failed: %s", (long long)id,
                     perr.msg);
        goto out;
    }
    sk__gov_crashpoint("revert:after-plugin");
    rc = record_outcome(g, id, r.id, actor, "revert", plugin, 1, NULL);
out:
    sk__gov_proposal_free(&p);
    return rc;
}

int sk_govern_revoke(struct sk_govern *g, int64_t id, const char *actor, const char *reason,
                     int false_positive, struct sk_errinfo *ei)
{
    struct sk__gov_proposal p;
    char why[SK_GOV_TEXT_MAX + 64];
    int rc;

    if (!reason || !*reason)
        return sk_fail(ei, -SK_EPARSE, "a revocation needs a reason");
    if (strlen(reason) > SK_GOV_TEXT_MAX)
        return sk_fail(ei, -SK_EPARSE, "the reason is longer than %d characters", SK_GOV_TEXT_MAX);
    if ((rc = sk_store_begin(g->st)) < 0)
        return sk_fail(ei, rc, "store: %s", sk_store_errmsg(g->st));
    if ((rc = sk__gov_load(g, id, &p)) < 0) {
        sk_store_rollback(g->st);
        return sk_fail(ei, rc, "proposal #%lld: %s", (long long)id,
                       rc == -SK_ENOTFOUND ? "no such proposal" : sk_strerror(rc));
    }
    snprintf(why, sizeof why, "revoked by %s%s: %s", actor, false_positive ? " (false positive)" : "",
             reason);
    if ((rc = sk__gov_start_revert(g, &p, SK_GOV_EV_REVOKE, actor, why, false_positive, ei)) < 0 ||
        (rc = sk_audit_commit(g->audit)) < 0) {
        sk_store_rollback(g->st);
        sk__gov_proposal_free(&p);
        return rc;
    }
    sk__gov_proposal_free(&p);
    return sk__gov_run_revert(g, id, actor, ei);
}

/* --- tick and reconcile ---------------------------------------------------- */

/* Is the process that owns an in-flight step still running? A zombie is
 * not (RECIPES: orphans linger as zombies and still pass kill -0). */
static int pid_alive(int64_t pid)
{
    char path[64], buf[512];
    FILE *f;
    size_t n;
    char *rp;

    if (pid <= 0)
        return 0;
    if (pid == getpid())
        return 0; /* our own earlier step, interrupted: resume it */
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return 0;
    snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
    if (!(f = fopen(path, "r")))
        return 1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    rp = strrchr(buf, ')');
    return !(rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'));
}

static int ids_where(struct sk_govern *g, const char *sql, int64_t arg, int64_t **ids, size_t *n)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;

    *ids = NULL;
    *n = 0;
    if ((rc = sk_store_prepare(g->st, sql, &st)) < 0)
        return rc;
    if (arg)
        sqlite3_bind_int64(st, 1, arg);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            int64_t *nv = realloc(*ids, (cap = cap ? 2 * cap : 16) * sizeof *nv);
            if (!nv) {
                sqlite3_reset(st);
                return -SK_ENOMEM;
            }
            *ids = nv;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return 0;
}

/* Ends one proposal by ev if it is still in a state ev applies to. */
static int end_one(struct sk_govern *g, int64_t id, enum sk_gov_event ev, const char *reason,
                   struct sk_errinfo *ei)
{
    struct sk__gov_proposal p;
    enum sk_gov_state to;
    int rc;

    if ((rc = sk_store_begin(g->st)) < 0)
        return rc;
    if ((rc = sk__gov_load(g, id, &p)) < 0) {
        sk_store_rollback(g->st);
        return rc;
    }
    if (sk_govern_next_state(p.state, ev, &to) < 0) {
        sk_store_rollback(g->st);
        sk__gov_proposal_free(&p);
        return 0; /* someone else ended it */
    }
    rc = sk__gov_start_revert(g, &p, ev, "sakimori", reason, 0, ei);
    sk__gov_proposal_free(&p);
    if (rc < 0 || (rc = sk_audit_commit(g->audit)) < 0) {
        sk_store_rollback(g->st);
        return rc;
    }
    sk__gov_run_revert(g, id, "sakimori", ei);
    return 1;
}

int sk_govern_tick(struct sk_govern *g, sk_nstime now, struct sk_govern_tick *out,
                   struct sk_errinfo *ei)
{
    static const char q_expired[] =
        "SELECT id FROM gov_proposals WHERE state IN ('active', 'provisional')"
        " AND not_after_ns <= ?1 ORDER BY id";
    static const char q_lapsed[] =
        "SELECT id FROM gov_proposals WHERE state = 'provisional' AND ratify_by_ns <= ?1"
        " ORDER BY id";
    static const char q_runs[] =
        "SELECT DISTINCT proposal_id FROM gov_runs WHERE outcome IS NULL OR outcome = 'error'"
        " ORDER BY proposal_id";
    int64_t *ids = NULL;
    size_t n;
    int rc;

    memset(out, 0, sizeof *out);
    if (!now)
        now = sk_now();

    /* 1. steps a crash left in flight, and reverts that failed */
    if ((rc = ids_where(g, q_runs, 0, &ids, &n)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct sk__gov_proposal p;
        struct run r;
        struct sk_errinfo e = {""};
        if (run_latest(g, ids[i], &r) <= 0 || sk__gov_load(g, ids[i], &p) < 0)
            continue;
        enum sk_gov_state s = p.state;
        sk__gov_proposal_free(&p);
        if (!r.done && pid_alive(r.owner))
            continue; /* still being run by its owner */
        if (!strcmp(r.op, "apply") && !r.done && (s == SK_GOV_ACTIVE || s == SK_GOV_PROVISIONAL)) {
            out->resumed++;
            if (sk__gov_run_apply(g, ids[i], "sakimori", &e) < 0)
                out->failed++;
        } else if (!strcmp(r.op, "apply") && r.done && r.ok &&
                   (s == SK_GOV_ACTIVE || s == SK_GOV_PROVISIONAL)) {
            continue;
        } else if (!strcmp(r.op, "revert") && (!r.done || !r.ok)) {
            if (r.done)
                out->retried++;
            else
                out->resumed++;
            if (sk__gov_run_revert(g, ids[i], "sakimori", &e) < 0)
                out->failed++;
        }
    }
    free(ids);
    ids = NULL;

    /* 2. ratification windows that passed */
    if ((rc = ids_where(g, q_lapsed, (int64_t)now, &ids, &n)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (end_one(g, ids[i], SK_GOV_EV_LAPSE, "not ratified within the exigent window", ei) > 0)
            out->lapsed++;
    free(ids);
    ids = NULL;

    /* 3. TTLs that ran out */
    if ((rc = ids_where(g, q_expired, (int64_t)now, &ids, &n)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (end_one(g, ids[i], SK_GOV_EV_EXPIRE, "TTL reached", ei) > 0)
            out->expired++;
    rc = 0;
out:
    free(ids);
    if (rc < 0 && !ei->msg[0])
        sk_errinfo_set(ei, "tick: %s (%s)", sk_strerror(rc), sk_store_errmsg(g->st));
    return rc;
}

static int plugin_used(struct sk_govern *g, const char *name)
{
    static const char sql[] = "SELECT 1 FROM gov_runs WHERE plugin = ?1 LIMIT 1";
    sqlite3_stmt *st;
    int used;

    if (sk_store_prepare(g->st, sql, &st) < 0)
        return 1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    used = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return used;
}

/* Plugins that can reconcile the real system as a whole (act's reconcile
 * op) get every active action of theirs at once; the others get each
 * action applied again. */
int sk_govern_reconcile(struct sk_govern *g, struct sk_govern_tick *out, uint32_t *checked,
                        struct sk_errinfo *ei)
{
    static const char q_active[] =
        "SELECT id FROM gov_proposals WHERE state IN ('active', 'provisional') ORDER BY id";
    const struct sk_action_ops *const *all = sk_action_all();
    int64_t *ids = NULL;
    size_t n;
    int rc;

    *checked = 0;
    if ((rc = sk_govern_tick(g, 0, out, ei)) < 0)
        return rc;
    if ((rc = ids_where(g, q_active, 0, &ids, &n)) < 0)
        return rc;
    /* whole-system reconcile, plugin by plugin */
    for (size_t k = 0; all[k]; k++) {
        const struct sk_action_ops *ops = all[k];
        struct sk__gov_plugin *pl = NULL;
        struct sk_action_req *reqs = NULL;
        struct sk__gov_proposal *ps = NULL;
        struct sk_action_drift drift = {0};
        struct sk_errinfo e2 = {""};
        size_t m = 0;
        int action = -1;
        if (!ops->reconcile || sk__gov_plugin_lookup(ops->name) != ops)
            continue;
        for (int a = SK_GOV_MONITOR; a <= SK_GOV_TAKEDOWN; a++)
            if (strcmp(sk__gov_plugin_name((enum sk_gov_action)a), ops->name) == 0)
                action = a;
        if (action < 0)
            continue;
        if (!(reqs = calloc(n ? n : 1, sizeof *reqs)) || !(ps = calloc(n ? n : 1, sizeof *ps))) {
            free(reqs);
            free(ps);
            free(ids);
            return -SK_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            if (sk__gov_load(g, ids[i], &ps[m]) < 0)
                continue;
            if ((int)ps[m].action != action) {
                sk__gov_proposal_free(&ps[m]);
                continue;
            }
            make_req(&ps[m], &reqs[m], NULL, 0);
            m++;
        }
        if (m == 0 && !plugin_used(g, ops->name)) {
            free(ps);
            free(reqs);
            continue; /* never applied anything here: nothing to reconcile */
        }
        rc = plugin_get(g, (enum sk_gov_action)action, &pl, &e2);
        if (rc == 0)
            rc = ops->reconcile(pl->state, reqs, m, &drift, &e2);
        {
            char subject[48];
            json_t *d = json_pack("{s:s, s:s, s:I, s:i, s:i, s:i, s:s?}", "phase",
                                  rc < 0 ? "error" : "ok", "plugin", ops->name, "active",
                                  (json_int_t)m, "kept", drift.kept, "added", drift.added,
                                  "removed", drift.removed, "error", rc < 0 ? e2.msg : NULL);
            snprintf(subject, sizeof subject, "plugin/%s", ops->name);
            sk_audit_record(g->audit, "sakimori", "action.reconcile", subject, d);
            json_decref(d);
        }
        if (rc < 0) {
            sk_error("govern", "reconcile via %s failed: %s", ops->name, e2.msg);
            out->failed++;
        }
        *checked += (uint32_t)m;
        for (size_t i = 0; i < m; i++)
            sk__gov_proposal_free(&ps[i]);
        free(ps);
        free(reqs);
    }
    /* the others: apply again (idempotent) and verify */
    for (size_t i = 0; i < n; i++) {
        struct sk_errinfo e = {""};
        struct sk__gov_proposal p;
        struct run r;
        if (sk__gov_load(g, ids[i], &p) < 0)
            continue;
        const struct sk_action_ops *ops = sk__gov_plugin_lookup(sk__gov_plugin_name(p.action));
        sk__gov_proposal_free(&p);
        if (ops && ops->reconcile)
            continue;
        if (run_latest(g, ids[i], &r) > 0 && !r.done && pid_alive(r.owner))
            continue;
        (*checked)++;
        if (sk__gov_run_apply(g, ids[i], "sakimori", &e) < 0)
            out->failed++;
    }
    free(ids);
    return 0;
}
