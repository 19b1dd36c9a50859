/*
 * govcli.c — shared plumbing of the governance and audit commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/govcli.h"
#include "sakimori/conf.h"
#include "sakimori/key.h"

int sk_govcli_open(const char *cmd, const struct sk_cli_common *common, const char *db, int mode,
                   int want_govern, struct govcli *gc)
{
    struct sk_errinfo ei = {""};
    int rc;

    memset(gc, 0, sizeof *gc);
    if (!(gc->conf = sk_cli_load_conf(cmd, common)))
        return SK_EXIT_ERROR;
    if (!db)
        db = gc->conf->store.path;
    if ((rc = sk_store_open(&gc->store, db, &ei)) < 0 ||
        (rc = sk_audit_open(&gc->audit, gc->store, gc->conf, mode, &ei)) < 0 ||
        (want_govern && (rc = sk_govern_open(&gc->govern, gc->conf, gc->store, gc->audit, &ei)) < 0)) {
        sk_cli_fail(cmd, rc, &ei);
        sk_govcli_close(gc);
        return SK_EXIT_ERROR;
    }
    return 0;
}

void sk_govcli_close(struct govcli *gc)
{
    sk_govern_close(gc->govern);
    sk_audit_close(gc->audit);
    sk_store_close(gc->store);
    sk_conf_free(gc->conf);
    memset(gc, 0, sizeof *gc);
}

const char *sk_govcli_actor(const char *as)
{
    const char *u;

    if (as)
        return as;
    if ((u = getenv("SAKIMORI_USER")) && sk_key_name_ok(u))
        return u;
    if ((u = getenv("USER")) && sk_key_name_ok(u))
        return u;
    return "operator";
}

int64_t sk_govcli_id(const char *s)
{
    char *end;
    long long v;

    if (!s)
        return 0;
    if (*s == '#')
        s++;
    errno = 0;
    v = strtoll(s, &end, 10);
    return errno || end == s || *end || v <= 0 ? 0 : v;
}

int sk_govcli_time(const char *s, sk_nstime *out)
{
    if (strcmp(s, "now") == 0) {
        *out = sk_now();
        return 0;
    }
    if (sk_rfc3339_parse(s, out) == 0)
        return 0;
    /* a bare date: midnight UTC */
    if (strlen(s) == 10) {
        char buf[32];
        snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
        return sk_rfc3339_parse(buf, out);
    }
    return -SK_EPARSE;
}

void sk_govcli_print_json(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s)
        printf("%s\n", s);
    free(s);
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

void sk_govcli_print_checks(const json_t *report)
{
    const json_t *checks = json_object_get(report, "checks"), *c;
    size_t i;

    /* refusals first: they are what the reader must act on */
    for (int pass = 0; pass < 2; pass++) {
        json_array_foreach(checks, i, c) {
            int refused = !strcmp(str(c, "result"), "refuse");
            if (refused != !pass)
                continue;
            printf("  %-7s %-18s %s\n", refused ? "REFUSED" : str(c, "result"), str(c, "check"),
                   str(c, "why"));
            if (json_is_string(json_object_get(c, "suggest")))
                printf("          %-18s would pass: %s\n", "", str(c, "suggest"));
        }
    }
}

void sk_govcli_print_proposal(const json_t *p, int with_checks)
{
    const json_t *t = json_object_get(p, "target"), *ap, *runs;
    size_t i;

    printf("proposal #%lld  %s  %s of %s %s  ttl %s  scope %s\n",
           (long long)json_integer_value(json_object_get(p, "id")), str(p, "state"),
           str(p, "action"), str(t, "kind"), str(t, "value"), str(p, "ttl"),
           *str(p, "scope") ? str(p, "scope") : "all");
    printf("  proposer %s, case %lld, legal basis: %s\n", str(p, "proposer"),
           (long long)json_integer_value(json_object_get(p, "case")), str(p, "legal_basis"));
    if (json_is_integer(json_object_get(p, "approvals_needed")))
        printf("  approvals needed %lld%s, digest %s\n",
               (long long)json_integer_value(json_object_get(p, "approvals_needed")),
               json_is_true(json_object_get(p, "foreign")) ? " (foreign target)" : "",
               str(p, "digest"));
    if (json_is_string(json_object_get(p, "activated")))
        printf("  active since %s until %s%s%s\n", str(p, "activated"), str(p, "not_after"),
               json_is_true(json_object_get(p, "exigent")) ? ", exigent: ratify by " : "",
               json_is_true(json_object_get(p, "exigent")) ? str(p, "ratify_by") : "");
    if (json_is_string(json_object_get(p, "end_reason")))
        printf("  ended %s: %s\n", str(p, "ended"), str(p, "end_reason"));
    ap = json_object_get(p, "approvals");
    if (json_is_array(ap)) {
        const json_t *a;
        json_array_foreach(ap, i, a)
            printf("  %-8s by %s at %s (key %s)%s%s\n", str(a, "verdict"), str(a, "approver"),
                   str(a, "signed"), str(a, "key_id"), *str(a, "note") ? ": " : "",
                   *str(a, "note") ? str(a, "note") : "");
    } else if (json_is_integer(ap)) {
        printf("  approvals %lld\n", (long long)json_integer_value(ap));
    }
    runs = json_object_get(p, "runs");
    if (json_is_array(runs)) {
        const json_t *r;
        json_array_foreach(runs, i, r)
            printf("  %-6s via %-9s %s%s%s\n", str(r, "op"), str(r, "plugin"), str(r, "outcome"),
                   json_is_string(json_object_get(r, "error")) ? ": " : "",
                   json_is_string(json_object_get(r, "error")) ? str(r, "error") : "");
    }
    if (with_checks && json_is_object(json_object_get(p, "safeguards"))) {
        printf("  safeguards:\n");
        sk_govcli_print_checks(json_object_get(p, "safeguards"));
    }
}

void sk_govcli_audit_read(struct govcli *gc, const char *actor, const char *subject,
                          const char *what)
{
    json_t *d = json_pack("{s:s}", "what", what);
    sk_audit_record(gc->audit, actor, "data.read", subject, d);
    json_decref(d);
}
