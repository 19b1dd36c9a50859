/*
 * act_driver.c — drives one action plugin's ops from the integration tests,
 * standing in for the governance runner (src/govern) that calls them in
 * production. Not installed; not a user command.
 *
 *   act_driver [--config C] [--db DB] check|apply|verify|revert KIND TARGET [ID [TTL [VARIANT]]]
 *   act_driver [--config C] [--db DB] reconcile KIND [ID:TTL:VARIANT:TARGET]...
 *   act_driver [--config C] [--db DB] serve KIND       init the plugin (the rpz
 *                                                     primary starts) and wait
 *
 * `apply` runs apply then verify, as the runner does. TTL is a duration
 * ("300s"); VARIANT "-" means the default. Prints one JSON line
 * {"op","kind","rc","error","drift"} and exits 0 on success, 1 when the op
 * failed, 2 on a usage error.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/action.h"
#include "sakimori/conf.h"
#include "sakimori/log.h"
#include "sakimori/store.h"

static int usage(void)
{
    fprintf(stderr, "usage: act_driver [--config C] [--db DB] OP KIND [ARGS]\n");
    return 2;
}

static int make_req(struct sk_action_req *r, const char *target, const char *id, const char *ttl,
                    const char *variant, struct sk_errinfo *ei)
{
    uint64_t ttl_ns = 3600 * SK_NS_PER_SEC;
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = sk_target_parse(target, &r->target, ei)) < 0)
        return rc;
    r->id = id ? strtoull(id, NULL, 10) : 1;
    if (ttl && sk_duration_parse(ttl, &ttl_ns) < 0)
        return sk_fail(ei, -SK_EPARSE, "bad TTL '%s'", ttl);
    r->not_after = sk_now() + ttl_ns;
    r->variant = variant && strcmp(variant, "-") ? variant : NULL;
    r->scope = "";
    r->note = "integration test";
    return 0;
}

int main(int argc, char **argv)
{
    const char *config = NULL, *db = NULL;
    struct sk_conf *conf = NULL;
    struct sk_store *st = NULL;
    struct sk_errinfo ei = {""};
    struct sk_action_drift drift = {0};
    const struct sk_action_ops *ops;
    void *state = NULL;
    int i = 1, rc = 0, ran = 0;

    for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
        if (!strcmp(argv[i], "--config"))
            config = argv[i + 1];
        else if (!strcmp(argv[i], "--db"))
            db = argv[i + 1];
        else
            return usage();
    }
    if (argc - i < 2)
        return usage();
    const char *op = argv[i], *kind = argv[i + 1];
    char **args = argv + i + 2;
    int nargs = argc - i - 2;

    if (!(ops = sk_action_find(kind))) {
        fprintf(stderr, "act_driver: no action '%s'\n", kind);
        return 2;
    }
    if ((rc = sk_conf_load(config, &conf, &ei)) < 0)
        goto out;
    sk_log_set_level((enum sk_log_level)conf->log.level);
    if ((rc = sk_store_open(&st, db ? db : conf->store.path, &ei)) < 0)
        goto out;
    struct sk_action_env env = {.conf = conf, .store = st};
    if ((rc = ops->init(&state, &env, &ei)) < 0)
        goto out;
    ran = 1;
    if (!strcmp(op, "serve")) {
        fprintf(stderr, "act_driver: %s initialised, serving until killed\n", kind);
        for (;;)
            pause();
    }
    if (!strcmp(op, "reconcile")) {
        struct sk_action_req *reqs = calloc((size_t)nargs + 1, sizeof *reqs);
        if (!reqs) {
            rc = -SK_ENOMEM;
            goto out;
        }
        for (int k = 0; rc == 0 && k < nargs; k++) {
            /* ID:TTL:VARIANT:TARGET (the target may hold ':') */
            char *s = args[k], *id = strtok_r(s, ":", &s), *ttl = strtok_r(NULL, ":", &s);
            char *var = strtok_r(NULL, ":", &s);
            if (!id || !ttl || !var || !s || !*s) {
                rc = sk_fail(&ei, -SK_EINVAL, "reconcile: expected ID:TTL:VARIANT:TARGET");
                break;
            }
            rc = make_req(&reqs[k], s, id, ttl, var, &ei);
        }
        if (rc == 0)
            rc = ops->reconcile ? ops->reconcile(state, reqs, (size_t)nargs, &drift, &ei) : 0;
        free(reqs);
    } else {
        struct sk_action_req req;
        if (nargs < 1) {
            rc = sk_fail(&ei, -SK_EINVAL, "%s needs a target", op);
            goto out;
        }
        if ((rc = make_req(&req, args[0], nargs > 1 ? args[1] : NULL, nargs > 2 ? args[2] : NULL,
                           nargs > 3 ? args[3] : NULL, &ei)) < 0)
            goto out;
        req.kind = kind;
        if (!strcmp(op, "check"))
            rc = ops->check(state, &req, &ei);
        else if (!strcmp(op, "apply")) {
            if ((rc = ops->check(state, &req, &ei)) == 0 && (rc = ops->apply(state, &req, &ei)) == 0)
                rc = ops->verify(state, &req, &ei);
        } else if (!strcmp(op, "verify"))
            rc = ops->verify(state, &req, &ei);
        else if (!strcmp(op, "revert"))
            rc = ops->revert(state, &req, &ei);
        else
            rc = sk_fail(&ei, -SK_EINVAL, "unknown op '%s'", op);
    }
out:
    {
        json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:{s:i, s:i, s:i}}", "op", op, "kind", kind,
                              "rc", rc, "error", rc < 0 ? (ei.msg[0] ? ei.msg : sk_strerror(rc)) : "",
                              "drift", "kept", (int)drift.kept, "added", (int)drift.added,
                              "removed", (int)drift.removed);
        char *s = json_dumps(o, JSON_COMPACT);
        printf("%s\n", s);
        free(s);
        json_decref(o);
    }
    if (ran && ops->fini)
        ops->fini(state);
    sk_store_close(st);
    sk_conf_free(conf);
    return rc < 0 ? 1 : 0;
}
