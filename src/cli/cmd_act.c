/*
 * cmd_act.c — `sakimori act`: the action plugins and the services beside
 * them. Applying and reverting is the governance runner's job (an action
 * runs only once approved); these subcommands inspect, estimate and serve:
 * list, check, dryrun, primary (the RPZ zones for Unbound), sinkhole,
 * notify (victims per operator), takedown (list/close/stats), rpz-base.
 */
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "sakimori/act.h"
#include "sakimori/action.h"
#include "sakimori/log.h"
#include "sakimori/store.h"

static void help(void)
{
    printf("usage: sakimori act COMMAND [OPTIONS] [ARGS]\n"
           "\n"
           "The action plugins and the services beside them. Actions are applied and\n"
           "reverted by the governance runner once approved, never from here.\n"
           "\n"
           "commands:\n"
           "  list                          the action plugins\n"
           "  check KIND TARGET             would the action be accepted? (changes nothing)\n"
           "  dryrun KIND TARGET            hosts, flows and DNS queries it would have\n"
           "                                affected, from stored telemetry\n"
           "  primary                       serve the RPZ allow and delta zones to Unbound\n"
           "                                (IXFR) until stopped\n"
           "  sinkhole                      run the sinkhole listener until stopped\n"
           "  notify                        write one victim notification per operator\n"
           "  takedown list                 abuse reports and their state\n"
           "  takedown close ID OUTCOME     record an outcome: taken-down, refused,\n"
           "                                no-response or not-responsible\n"
           "  takedown stats                time to takedown: median, share within 24 h\n"
           "  rpz-base                      write the base policy zone from the store\n"
           "\n"
           "options:\n"
           "      --variant V    check/dryrun: rpz sinkhole|nxdomain|nodata|passthru\n"
           "      --window D     dryrun: how far back (default act.dryrun_window)\n"
           "      --since D      notify: the window's length, ending now (default 24h)\n"
           "      --at TIME      takedown close: when it was taken down (RFC 3339;\n"
           "                     default now)\n"
           "      --out FILE     rpz-base: where (default act.rpz.base_file)\n"
           "      --json         print JSON\n"
           "      --db PATH      store file (default: store.path in the config)\n"
           "  -c, --config PATH  configuration file\n"
           "  -q, --quiet        no messages on stderr\n"
           "  -h, --help         this help\n"
           "\n"
           "exit status: 0 success, 1 refused (check) or nothing to do, 2 usage or input\n"
           "error\n");
}

struct opts {
    struct sk_cli_common common;
    const char *db, *variant, *window, *since, *at, *out;
};

static void print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(o);
}

static int open_store(const struct opts *o, const struct sk_conf *c, struct sk_store **st)
{
    struct sk_errinfo ei = {""};
    int rc = sk_store_open(st, o->db ? o->db : c->store.path, &ei);
    return rc < 0 ? sk_cli_fail("act", rc, &ei) : 0;
}

static int cmd_list(const struct opts *o)
{
    const struct sk_action_ops *const *all = sk_action_all();
    static const char *const effects[] = {"none", "dns", "ip"};
    json_t *arr = json_array();

    for (size_t i = 0; all[i]; i++) {
        const char *eff = all[i]->effect <= 2 ? effects[all[i]->effect] : "?";
        if (o->common.json)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b}", "name", all[i]->name,
                                                 "description", all[i]->desc, "effect", eff,
                                                 "reconcile", all[i]->reconcile != NULL));
        else
            printf("%-18s %-5s %s\n", all[i]->name, eff, all[i]->desc);
    }
    if (o->common.json)
        print_json(arr);
    else
        json_decref(arr);
    return SK_EXIT_OK;
}

static int req_of(const char *kind, const char *target, const struct opts *o,
                  struct sk_action_req *req)
{
    struct sk_errinfo ei = {""};
    int rc;

    memset(req, 0, sizeof *req);
    if (!sk_action_find(kind))
        return sk_cli_usage_error("act", "no action '%s' (see 'sakimori act list')", kind);
    if ((rc = sk_target_parse(target, &req->target, &ei)) < 0)
        return sk_cli_fail("act", rc, &ei);
    req->kind = kind;
    req->variant = o->variant;
    req->scope = "";
    req->not_after = sk_now() + 3600 * SK_NS_PER_SEC;
    return 0;
}

static int cmd_check(const struct opts *o, const struct sk_conf *c, const char *kind,
                     const char *target)
{
    const struct sk_action_ops *ops = sk_action_find(kind);
    struct sk_action_req req;
    struct sk_store *st = NULL;
    struct sk_errinfo ei = {""};
    void *state = NULL;
    int rc;

    if ((rc = req_of(kind, target, o, &req)) != 0 || (rc = open_store(o, c, &st)) != 0)
        return rc;
    struct sk_action_env env = {.conf = c, .store = st};
    if ((rc = ops->init(&state, &env, &ei)) < 0) {
        sk_store_close(st);
        return sk_cli_fail("act", rc, &ei);
    }
    rc = ops->check(state, &req, &ei);
    if (ops->fini)
        ops->fini(state);
    sk_store_close(st);
    if (o->common.json)
        print_json(json_pack("{s:s, s:s, s:b, s:s}", "kind", kind, "target", req.target.value,
                             "ok", rc == 0, "reason", rc < 0 ? ei.msg : ""));
    else if (rc == 0)
        printf("%s %s: would be accepted\n", kind, req.target.value);
    else
        printf("%s %s: refused: %s\n", kind, req.target.value, ei.msg);
    return rc == 0 ? SK_EXIT_OK : SK_EXIT_FINDINGS;
}

static int cmd_dryrun(const struct opts *o, const struct sk_conf *c, const char *kind,
                      const char *target)
{
    struct sk_action_req req;
    struct sk_action_impact im;
    struct sk_store *st = NULL;
    struct sk_errinfo ei = {""};
    uint64_t window = c->act.dryrun_window;
    char f[SK_RFC3339_LEN], t[SK_RFC3339_LEN];
    int rc;

    if (o->window && sk_duration_parse(o->window, &window) < 0)
        return sk_cli_usage_error("act", "--window '%s': expected a duration like 7d", o->window);
    if ((rc = req_of(kind, target, o, &req)) != 0 || (rc = open_store(o, c, &st)) != 0)
        return rc;
    rc = sk_action_dryrun(st, &req, window, &im, &ei);
    sk_store_close(st);
    if (rc < 0)
        return sk_cli_fail("act", rc, &ei);
    sk_rfc3339(im.from / SK_NS_PER_SEC * SK_NS_PER_SEC, f, sizeof f);
    sk_rfc3339(im.to / SK_NS_PER_SEC * SK_NS_PER_SEC, t, sizeof t);
    if (o->common.json) {
        print_json(json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I}", "kind",
                             kind, "target", req.target.value, "from", f, "to", t, "telemetry",
                             im.telemetry, "hosts", (json_int_t)im.hosts, "flows",
                             (json_int_t)im.flows, "packets", (json_int_t)im.packets, "bytes",
                             (json_int_t)im.bytes, "dns_queries", (json_int_t)im.dns_queries,
                             "addresses", (json_int_t)im.addresses));
        return SK_EXIT_OK;
    }
    printf("%s %s, replayed over %s .. %s:\n", kind, req.target.value, f, t);
    if (!im.telemetry)
        printf("  (the store holds no telemetry for this window: every count is 0)\n");
    if (im.effect == SK_ACTION_EFFECT_NONE)
        printf("  changes no traffic\n");
    printf("  hosts        %llu\n  flows        %llu\n  packets      %llu\n  bytes        %llu\n"
           "  dns queries  %llu\n  addresses    %llu\n",
           (unsigned long long)im.hosts, (unsigned long long)im.flows,
           (unsigned long long)im.packets, (unsigned long long)im.bytes,
           (unsigned long long)im.dns_queries, (unsigned long long)im.addresses);
    return SK_EXIT_OK;
}

/* Blocks SIGINT/SIGTERM for every thread started after it, so the caller
 * can sigwait for them. */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
}

static int cmd_primary(const struct opts *o, const struct sk_conf *c)
{
    struct sk_rpz_primary *p;
    struct sk_errinfo ei = {""};
    sigset_t set;
    int sig, rc;

    block_signals(&set);
    if ((rc = sk_rpz_primary_start(c, o->db ? o->db : c->store.path, &p, &ei)) < 0)
        return sk_cli_fail("act", rc, &ei);
    sigwait(&set, &sig);
    if (!o->common.quiet)
        fprintf(stderr, "sakimori act primary: stopping after %llu requests\n",
                (unsigned long long)sk_rpz_primary_requests(p));
    sk_rpz_primary_stop(p);
    return SK_EXIT_OK;
}

static int cmd_sinkhole(const struct opts *o, const struct sk_conf *c)
{
    struct sk_sinkhole *s;
    struct sk_errinfo ei = {""};
    sigset_t set;
    int sig, rc;

    block_signals(&set);
    if ((rc = sk_sinkhole_start(c, o->db ? o->db : c->store.path, &s, &ei)) < 0)
        return sk_cli_fail("act", rc, &ei);
    sigwait(&set, &sig);
    sk_sinkhole_stop(s);
    return SK_EXIT_OK;
}

static int cmd_notify(const struct opts *o, const struct sk_conf *c)
{
    struct sk_store *st = NULL;
    struct sk_errinfo ei = {""};
    struct sk_notify_result *res = calloc(1, sizeof *res);
    uint64_t since = 86400 * SK_NS_PER_SEC;
    int rc;

    if (!res)
        return sk_cli_fail("act", -SK_ENOMEM, NULL);
    if (o->since && sk_duration_parse(o->since, &since) < 0) {
        free(res);
        return sk_cli_usage_error("act", "--since '%s': expected a duration like 24h", o->since);
    }
    if ((rc = open_store(o, c, &st)) != 0) {
        free(res);
        return rc;
    }
    sk_nstime now = sk_now();
    rc = sk_notify_victims(st, c, now > since ? now - since : 0, now + 1, res, &ei);
    sk_store_close(st);
    if (rc < 0) {
        free(res);
        return sk_cli_fail("act", rc, &ei);
    }
    if (o->common.json) {
        json_t *files = json_array();
        for (size_t i = 0; i < res->nfiles; i++)
            json_array_append_new(files, json_pack("{s:s, s:I, s:s, s:s}", "operator",
                                                   res->files[i].operator_id, "victims",
                                                   (json_int_t)res->files[i].victims, "json",
                                                   res->files[i].json_path, "eml",
                                                   res->files[i].eml_path));
        print_json(json_pack("{s:I, s:I, s:I, s:o}", "victims", (json_int_t)res->victims,
                             "operators", (json_int_t)res->operators, "unassigned",
                             (json_int_t)res->unassigned, "files", files));
    } else {
        printf("%llu victims, %llu operators notified, %llu unassigned\n",
               (unsigned long long)res->victims, (unsigned long long)res->operators,
               (unsigned long long)res->unassigned);
        for (size_t i = 0; i < res->nfiles; i++)
            printf("  %-24s %6llu  %s%s%s\n", res->files[i].operator_id,
                   (unsigned long long)res->files[i].victims, res->files[i].eml_path[0] ? res->files[i].eml_path : res->files[i].json_path,
                   res->files[i].eml_path[0] ? "" : " (no operator: JSON only)", "");
    }
    rc = res->victims ? SK_EXIT_OK : SK_EXIT_FINDINGS;
    free(res);
    return rc;
}

struct list_ctx {
    int json;
    json_t *arr;
};

static int list_one(void *ctx, const struct sk_takedown *t)
{
    struct list_ctx *l = ctx;
    char cr[SK_RFC3339_LEN], cl[SK_RFC3339_LEN] = "-";

    sk_rfc3339(t->created / SK_NS_PER_SEC * SK_NS_PER_SEC, cr, sizeof cr);
    if (t->closed)
        sk_rfc3339(t->closed / SK_NS_PER_SEC * SK_NS_PER_SEC, cl, sizeof cl);
    if (l->json)
        json_array_append_new(l->arr, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:s}",
                                                "id", (json_int_t)t->id, "action_id",
                                                (json_int_t)t->action_id, "target", t->target,
                                                "email", t->email, "status", t->status,
                                                "outcome", t->outcome, "created", cr, "closed",
                                                t->closed ? cl : NULL, "message", t->eml_path));
    else
        printf("%-5lld %-9s %-14s %-30s %-30s %s\n", (long long)t->id, t->status,
               t->outcome[0] ? t->outcome : "-", t->target, t->email, cr);
    return 0;
}

static int cmd_takedown(const struct opts *o, const struct sk_conf *c, int argc, char **argv)
{
    struct sk_store *st = NULL;
    struct sk_errinfo ei = {""};
    int rc;

    if (argc < 1)
        return sk_cli_usage_error("act", "takedown: expected list, close or stats");
    if ((rc = open_store(o, c, &st)) != 0)
        return rc;
    if (!strcmp(argv[0], "list")) {
        struct list_ctx l = {.json = o->common.json, .arr = json_array()};
        if (!l.json)
            printf("%-5s %-9s %-14s %-30s %-30s %s\n", "ID", "STATUS", "OUTCOME", "TARGET",
                   "TO", "CREATED");
        rc = sk_takedown_list(st, list_one, &l);
        if (l.json)
            print_json(l.arr);
        else
            json_decref(l.arr);
        rc = rc < 0 ? sk_cli_fail("act", rc, NULL) : SK_EXIT_OK;
    } else if (!strcmp(argv[0], "close")) {
        char *end;
        long long id = argc >= 3 ? strtoll(argv[1], &end, 10) : 0;
        sk_nstime at = sk_now();
        if (argc < 3 || *end || id <= 0)
            rc = sk_cli_usage_error("act", "takedown close ID OUTCOME");
        else if (o->at && sk_rfc3339_parse(o->at, &at) < 0)
            rc = sk_cli_usage_error("act", "--at '%s': expected RFC 3339 time", o->at);
        else if ((rc = sk_takedown_close(st, id, argv[2], at, &ei)) < 0)
            rc = sk_cli_fail("act", rc, &ei);
        else
            rc = SK_EXIT_OK;
    } else if (!strcmp(argv[0], "stats")) {
        struct sk_takedown_stats s;
        if ((rc = sk_takedown_stats(st, sk_now(), &s)) < 0) {
            rc = sk_cli_fail("act", rc, NULL);
        } else {
            double hours = (double)s.median_ns / 3600e9;
            if (o->common.json)
                print_json(json_pack("{s:I, s:I, s:I, s:I, s:I, s:o?, s:f}", "reports",
                                     (json_int_t)s.reports, "open", (json_int_t)s.open, "closed",
                                     (json_int_t)s.closed, "withdrawn", (json_int_t)s.withdrawn,
                                     "taken_down", (json_int_t)s.taken_down,
                                     "median_hours_to_takedown",
                                     s.taken_down ? json_real(hours) : NULL,
                                     "share_within_24h", s.within_24h));
            else
                printf("reports %llu (open %llu, closed %llu, withdrawn %llu)\n"
                       "taken down %llu; median time to takedown %s%.1f h; within 24 h: %.0f%% "
                       "of %llu decided\n",
                       (unsigned long long)s.reports, (unsigned long long)s.open,
                       (unsigned long long)s.closed, (unsigned long long)s.withdrawn,
                       (unsigned long long)s.taken_down, s.taken_down ? "" : "n/a ",
                       s.taken_down ? hours : 0.0, 100 * s.within_24h,
                       (unsigned long long)s.decided);
            rc = SK_EXIT_OK;
        }
    } else {
        rc = sk_cli_usage_error("act", "takedown: expected list, close or stats, not '%s'",
                                argv[0]);
    }
    sk_store_close(st);
    return rc;
}

static int cmd_rpz_base(const struct opts *o, const struct sk_conf *c)
{
    struct sk_store *st = NULL;
    struct sk_errinfo ei = {""};
    int64_t version = 0;
    int rc;

    if ((rc = open_store(o, c, &st)) != 0)
        return rc;
    rc = sk_rpz_write_base(st, c, o->out, &version, &ei);
    sk_store_close(st);
    if (rc < 0)
        return sk_cli_fail("act", rc, &ei);
    if (!o->common.quiet)
        fprintf(stderr, "sakimori act rpz-base: wrote %s at version %lld\n",
                o->out ? o->out : c->act.rpz.base_file, (long long)version);
    return SK_EXIT_OK;
}

int sk_cmd_act(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"variant", required_argument, NULL, 'V'}, {"window", required_argument, NULL, 'W'},
        {"since", required_argument, NULL, 'S'},   {"at", required_argument, NULL, 'A'},
        {"out", required_argument, NULL, 'o'},     {"json", no_argument, NULL, 'j'},
        {"db", required_argument, NULL, 'd'},      {"config", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct opts o;

    memset(&o, 0, sizeof o);
    struct sk_conf *c;
    int ch, rc;

    /* GNU getopt permutes: options may come before or after the command */
    while ((ch = getopt_long(argc, argv, "c:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'V': o.variant = optarg; break;
        case 'W': o.window = optarg; break;
        case 'S': o.since = optarg; break;
        case 'A': o.at = optarg; break;
        case 'o': o.out = optarg; break;
        case 'j': o.common.json = 1; break;
        case 'd': o.db = optarg; break;
        case 'c': o.common.config = optarg; break;
        case 'q': o.common.quiet = 1; break;
        case 'h': help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("act", "unknown option");
        }
    }
    if (optind >= argc)
        return sk_cli_usage_error("act", "expected a command (list, check, dryrun, primary, "
                                  "sinkhole, notify, takedown, rpz-base)");
    const char *cmd = argv[optind];
    char **rest = argv + optind + 1;
    int nrest = argc - optind - 1;
    if (!(c = sk_cli_load_conf("act", &o.common)))
        return SK_EXIT_ERROR;
    if (o.common.quiet)
        sk_log_set_level(SK_LOG_ERROR);
    if (!strcmp(cmd, "list"))
        rc = cmd_list(&o);
    else if (!strcmp(cmd, "check") || !strcmp(cmd, "dryrun")) {
        if (nrest != 2)
            rc = sk_cli_usage_error("act", "%s KIND TARGET", cmd);
        else
            rc = cmd[0] == 'c' ? cmd_check(&o, c, rest[0], rest[1])
                               : cmd_dryrun(&o, c, rest[0], rest[1]);
    } else if (!strcmp(cmd, "primary"))
        rc = cmd_primary(&o, c);
    else if (!strcmp(cmd, "sinkhole"))
        rc = cmd_sinkhole(&o, c);
    else if (!strcmp(cmd, "notify"))
        rc = cmd_notify(&o, c);
    else if (!strcmp(cmd, "takedown"))
        rc = cmd_takedown(&o, c, nrest, rest);
    else if (!strcmp(cmd, "rpz-base"))
        rc = cmd_rpz_base(&o, c);
    else
        rc = sk_cli_usage_error("act", "'%s' is not an act command", cmd);
    sk_conf_free(c);
    return rc;
}
