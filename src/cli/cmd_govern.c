/*
 * cmd_govern.c — the governance workflow on the command line:
 * `sakimori cases`, `propose`, `approve`, `reject`, `revoke`, `actions`.
 *
 * Each command is a thin layer over include/sakimori/govern.h: parse the
 * options, open store + audit + governance, call one function, print the
 * result for people or as JSON. Exit status: 0 done, 1 refused (a safeguard,
 * a signature check, an illegal transition), 2 usage or input error.
 * `approve` and `reject` sign with the approver's own key file on this
 * machine — or take a signature made elsewhere (`sakimori sign --approval`).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/govcli.h"
#include "sakimori/conf.h"
#include "sakimori/key.h"
#include "sakimori/nstime.h"

#define MAX_REFS 256

static int status_of(int rc)
{
    if (rc == -SK_EDENIED || rc == -SK_ESTATE || rc == -SK_ECRYPTO || rc == -SK_EEXTERNAL)
        return SK_EXIT_FINDINGS;
    return SK_EXIT_ERROR;
}

static int fail(const char *cmd, int rc, const struct sk_errinfo *ei)
{
    if (ei && ei->msg[0])
        fprintf(stderr, "sakimori %s: %s\n", cmd, ei->msg);
    else
        fprintf(stderr, "sakimori %s: %s\n", cmd, sk_strerror(rc));
    return status_of(rc);
}

static int show_proposal(struct govcli *gc, int64_t id, int json, int checks)
{
    json_t *p = NULL;

    if (sk_govern_proposal_json(gc->govern, id, &p) < 0)
        return -1;
    if (json)
        sk_govcli_print_json(p);
    else
        sk_govcli_print_proposal(p, checks);
    json_decref(p);
    return 0;
}

/* --- propose ----------------------------------------------------------------- */

static void propose_help(void)
{
    printf("usage: sakimori propose --target T --action A --ttl D --legal-basis TEXT\n"
           "                        --evidence finding:ID... [OPTIONS]\n"
           "       sakimori propose --submit ID\n"
           "\n"
           "Drafts a neutralization proposal and submits it for approval. Submitting\n"
           "runs the safeguards; a refusal keeps the proposal a draft and says which\n"
           "check failed, why, and what narrower action would pass.\n"
           "\n"
           "  T  evil.example (that name), *.evil.example (and every name below),\n"
           "     203.0.113.5, 203.0.113.0/28, 2001:db8::/64, https://… (a URL)\n"
           "  A  monitor | sinkhole | block | blackhole | takedown_request\n"
           "  D  how long the action may last: 6h, 3d, 7d (capped per action type)\n"
           "\n"
           "options:\n"
           "  -t, --target T         what to act on\n"
           "  -a, --action A         the action type\n"
           "      --ttl D            its lifetime once active\n"
           "  -l, --legal-basis TEXT the provision of law it rests on\n"
           "  -e, --evidence REF     finding:ID (repeatable), or a document reference\n"
           "  -s, --scope S          which nodes/resolvers/routers (default: all)\n"
           "      --case N           the case it belongs to (default: the target's)\n"
           "      --renews N         renew active proposal N (needs fresh evidence)\n"
           "      --draft            only draft it; submit later with --submit ID\n"
           "      --submit ID        submit a draft\n"
           "      --as NAME          the proposer (default: $SAKIMORI_USER, $USER)\n"
           "      --db PATH          store file (default: store.path in the config)\n"
           "      --json             print the proposal as JSON\n"
           "  -c, --config PATH      configuration file\n"
           "  -h, --help             this help\n"
           "\n"
           "exit status: 0 submitted (or drafted), 1 refused by a safeguard, 2 usage or\n"
           "input error\n");
}

int sk_cmd_propose(int argc, char **argv)
{
    static const struct option opts[] = {
        {"target", required_argument, NULL, 't'}, {"action", required_argument, NULL, 'a'},
        {"ttl", required_argument, NULL, 'T'},    {"legal-basis", required_argument, NULL, 'l'},
        {"evidence", required_argument, NULL, 'e'}, {"scope", required_argument, NULL, 's'},
        {"case", required_argument, NULL, 'C'},   {"renews", required_argument, NULL, 'R'},
        {"draft", no_argument, NULL, 'D'},        {"submit", required_argument, NULL, 'S'},
        {"as", required_argument, NULL, 'u'},     {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},         {"config", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {0},
    };
    struct sk_cli_common common = {0};
    struct sk_proposal_req req;
    const char *refs[MAX_REFS], *db = NULL, *as = NULL, *ttl = NULL;
    int draft = 0, c, rc, status;
    int64_t submit = 0, id = 0;
    struct sk_errinfo ei = {""};
    char *report = NULL;
    struct govcli gc;

    memset(&req, 0, sizeof req);
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:a:l:e:s:c:qh", opts, NULL)) != -1) {
        switch (c) {
        case 't': req.target = optarg; break;
        case 'a': req.action = optarg; break;
        case 'T': ttl = optarg; break;
        case 'l': req.legal_basis = optarg; break;
        case 'e':
            if (req.nevidence == MAX_REFS)
                return sk_cli_usage_error("propose", "at most %d --evidence", MAX_REFS);
            refs[req.nevidence++] = optarg;
            break;
        case 's': req.scope = optarg; break;
        case 'C':
            if (!(req.case_id = sk_govcli_id(optarg)))
                return sk_cli_usage_error("propose", "--case: expected a case number");
            break;
        case 'R':
            if (!(req.renews = sk_govcli_id(optarg)))
                return sk_cli_usage_error("propose", "--renews: expected a proposal number");
            break;
        case 'D': draft = 1; break;
        case 'S':
            if (!(submit = sk_govcli_id(optarg)))
                return sk_cli_usage_error("propose", "--submit: expected a proposal number");
            break;
        case 'u': as = optarg; break;
        case 'd': db = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'q': common.quiet = 1; break;
        case 'h': propose_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("propose", "unknown option");
        }
    }
    if (optind != argc)
        return sk_cli_usage_error("propose", "unexpected argument '%s'", argv[optind]);
    if (!submit) {
        if (!req.target || !req.action || !ttl || !req.legal_basis)
            return sk_cli_usage_error("propose", "--target, --action, --ttl and --legal-basis are required");
        if (sk_duration_parse(ttl, &req.ttl) < 0 || req.ttl == 0)
            return sk_cli_usage_error("propose", "--ttl '%s': expected a duration like 6h, 3d or 7d", ttl);
    }
    req.evidence = refs;
    req.proposer = sk_govcli_actor(as);
    if ((status = sk_govcli_open("propose", &common, db, SK_AUDIT_WRITE, 1, &gc)) != 0)
        return status;
    if (submit) {
        id = submit;
    } else if ((rc = sk_govern_propose(gc.govern, &req, &id, &ei)) < 0) {
        status = fail("propose", rc, &ei);
        goto out;
    }
    if (!draft) {
        rc = sk_govern_submit(gc.govern, id, req.proposer, &report, &ei);
        if (rc < 0 && rc != -SK_EDENIED) {
            status = fail("propose", rc, &ei);
            goto out;
        }
        if (rc == -SK_EDENIED) {
            json_t *rep = report ? json_loads(report, 0, NULL) : NULL;
            if (common.json) {
                json_t *o = json_pack("{s:I, s:s, s:O?}", "id", (json_int_t)id, "state", "draft",
                                      "safeguards", rep);
                json_object_set_new(o, "refused", json_string(ei.msg));
                sk_govcli_print_json(o);
                json_decref(o);
            } else {
                printf("proposal #%lld refused by the safeguards; it stays a draft:\n", (long long)id);
                sk_govcli_print_checks(rep);
            }
            json_decref(rep);
            status = SK_EXIT_FINDINGS;
            goto out;
        }
    }
    show_proposal(&gc, id, common.json, !common.quiet);
    status = SK_EXIT_OK;
out:
    free(report);
    sk_govcli_close(&gc);
    return status;
}

/* --- approve / reject ------------------------------------------------------------ */

static void decide_help(const char *cmd)
{
    int approve = !strcmp(cmd, "approve");

    printf("usage: sakimori %s ID --key FILE %s\n"
           "       sakimori %s ID --approver NAME --signature SIG %s\n"
           "\n",
           cmd, approve ? "[--note TEXT] [--exigent --justification TEXT]" : "--reason TEXT", cmd,
           approve ? "[--note TEXT]" : "--reason TEXT");
    if (approve)
        printf("Approves proposal ID as a member of the oversight body: signs the\n"
               "proposal's digest (every field and the safeguard report) with your own\n"
               "Ed25519 key. When the approvals needed are in, the action is applied at\n"
               "once. Approving an active (provisional) proposal ratifies it.\n"
               "\n"
               "Exigent path: --exigent with a written --justification activates the\n"
               "action provisionally on this one approval; the remaining approvers must\n"
               "ratify within govern.exigent_window or it reverts by itself.\n");
    else
        printf("Rejects proposal ID (any approver can), with a signed reason. Rejecting\n"
               "an active (provisional) proposal ends its ratification: it is reverted.\n");
    printf("\n"
           "options:\n"
           "  -k, --key FILE         your secret key (sakimori keygen); its name is you\n"
           "      --approver NAME    with --signature: a verdict signed elsewhere\n"
           "      --signature SIG    (sakimori sign --approval)\n"
           "%s"
           "      --db PATH          store file (default: store.path in the config)\n"
           "      --json             print the proposal afterwards as JSON\n"
           "  -c, --config PATH      configuration file\n"
           "  -h, --help             this help\n"
           "\n"
           "exit status: 0 recorded, 1 refused (signature, duplicate, self-approval,\n"
           "state, safeguards at apply), 2 usage or input error\n",
           approve ? "  -n, --note TEXT        a remark signed with the approval\n"
                     "      --exigent          the exigent path (needs --justification)\n"
                     "      --justification T  why it cannot wait for the other approvers\n"
                   : "  -r, --reason TEXT      why (signed with the rejection)\n");
}

static int decide(const char *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},       {"approver", required_argument, NULL, 'A'},
        {"signature", required_argument, NULL, 'S'}, {"note", required_argument, NULL, 'n'},
        {"reason", required_argument, NULL, 'r'},    {"exigent", no_argument, NULL, 'E'},
        {"justification", required_argument, NULL, 'J'}, {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},            {"config", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},           {"help", no_argument, NULL, 'h'},
        {0},
    };
    struct sk_cli_common common = {0};
    const char *keyfile = NULL, *approver = NULL, *sigtext = NULL, *note = NULL, *db = NULL;
    const char *justification = NULL;
    int approve = !strcmp(cmd, "approve"), exigent = 0, c, rc, status;
    enum sk_gov_verdict v;
    uint8_t sig[SK_KEY_SIG_BYTES], digest[32], msg[SK_GOV_APPROVAL_MSG_LEN];
    struct sk_errinfo ei = {""};
    struct sk_key k;
    struct govcli gc;
    int64_t id;

    memset(&k, 0, sizeof k);
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:n:r:c:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 'A': approver = optarg; break;
        case 'S': sigtext = optarg; break;
        case 'n': note = optarg; break;
        case 'r': note = optarg; break;
        case 'E': exigent = 1; break;
        case 'J': justification = optarg; break;
        case 'd': db = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'q': common.quiet = 1; break;
        case 'h': decide_help(cmd); return SK_EXIT_OK;
        default: return sk_cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind + 1 != argc || !(id = sk_govcli_id(argv[optind])))
        return sk_cli_usage_error(cmd, "expected one proposal number");
    if (!keyfile == !sigtext)
        return sk_cli_usage_error(cmd, "give either --key FILE or --approver NAME --signature SIG");
    if (sigtext && !approver)
        return sk_cli_usage_error(cmd, "--signature needs --approver");
    if (!approve && (!note || !*note))
        return sk_cli_usage_error(cmd, "--reason is required");
    if (exigent && (!approve || !justification || !*justification))
        return sk_cli_usage_error(cmd, "--exigent needs a written --justification");
    if (!exigent && justification)
        return sk_cli_usage_error(cmd, "--justification goes with --exigent");
    v = !approve ? SK_GOV_VERDICT_REJECT : exigent ? SK_GOV_VERDICT_EXIGENT : SK_GOV_VERDICT_APPROVE;
    if (exigent)
        note = justification;
    if (sigtext && sk_key_sig_parse(sigtext, sig) < 0)
        return sk_cli_usage_error(cmd, "--signature: expected a base64 Ed25519 signature");
    if (keyfile && (rc = sk_key_load_secret(&k, keyfile, &ei)) < 0)
        return sk_cli_fail(cmd, rc, &ei);
    if ((status = sk_govcli_open(cmd, &common, db, SK_AUDIT_WRITE, 1, &gc)) != 0) {
        sk_key_wipe(&k);
        return status;
    }
    if (keyfile) {
        /* the approver's own machine signs what the store says was proposed */
        approver = k.name;
        if ((rc = sk_govern_digest(gc.govern, id, digest, &ei)) < 0) {
            status = fail(cmd, rc, &ei);
            goto out;
        }
        sk_govern_approval_message(digest, v, note, msg);
        sk_key_sign(&k, msg, sizeof msg, sig);
        if (!common.quiet) {
            /* say what was signed, on the approver's own terminal */
            json_t *p = NULL;
            char hex[65];
            if (sk_govern_proposal_json(gc.govern, id, &p) == 0) {
                const json_t *t = json_object_get(p, "target");
                fprintf(stderr, "%s: %s signs '%s' on proposal #%lld: %s of %s for %s under \"%s\" (digest %s)\n",
                        cmd, approver, sk_govern_verdict_name(v), (long long)id,
                        json_string_value(json_object_get(p, "action")),
                        json_string_value(json_object_get(t, "value")),
                        json_string_value(json_object_get(p, "ttl")),
                        json_string_value(json_object_get(p, "legal_basis")),
                        sk_hex(digest, 32, hex, sizeof hex));
                json_decref(p);
            }
        }
    }
    rc = sk_govern_decide(gc.govern, id, approver, v, note, sig, &ei);
    if (rc < 0) {
        status = fail(cmd, rc, &ei);
        if (rc != -SK_EEXTERNAL || common.json)
            goto out;
    } else {
        status = SK_EXIT_OK;
    }
    show_proposal(&gc, id, common.json, 0);
out:
    sk_key_wipe(&k);
    sk_govcli_close(&gc);
    return status;
}

int sk_cmd_approve(int argc, char **argv) { return decide("approve", argc, argv); }
int sk_cmd_reject(int argc, char **argv) { return decide("reject", argc, argv); }

/* --- revoke ------------------------------------------------------------------- */

static void revoke_help(void)
{
    printf("usage: sakimori revoke ID --reason TEXT [--false-positive] [--as NAME]\n"
           "\n"
           "Ends an active (or provisional) action now: the action plugin reverts it\n"
           "and the proposal becomes reverted. --false-positive records that the\n"
           "target was misidentified (counted in the transparency report).\n"
           "\n"
           "options:\n"
           "  -r, --reason TEXT      why\n"
           "      --false-positive   the target turned out not to be malicious\n"
           "      --as NAME          who revokes (default: $SAKIMORI_USER, $USER)\n"
           "      --db PATH          store file (default: store.path in the config)\n"
           "      --json             print the proposal afterwards as JSON\n"
           "  -c, --config PATH      configuration file\n"
           "  -h, --help             this help\n"
           "\n"
           "exit status: 0 reverted, 1 not active (or the revert failed), 2 usage or\n"
           "input error\n");
}

int sk_cmd_revoke(int argc, char **argv)
{
    static const struct option opts[] = {
        {"reason", required_argument, NULL, 'r'}, {"false-positive", no_argument, NULL, 'F'},
        {"as", required_argument, NULL, 'u'},     {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},         {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {0},
    };
    struct sk_cli_common common = {0};
    const char *reason = NULL, *as = NULL, *db = NULL;
    int fp = 0, c, rc, status;
    struct sk_errinfo ei = {""};
    struct govcli gc;
    int64_t id;

    optind = 1;
    while ((c = getopt_long(argc, argv, "r:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': reason = optarg; break;
        case 'F': fp = 1; break;
        case 'u': as = optarg; break;
        case 'd': db = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'h': revoke_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("revoke", "unknown option");
        }
    }
    if (optind + 1 != argc || !(id = sk_govcli_id(argv[optind])))
        return sk_cli_usage_error("revoke", "expected one proposal number");
    if (!reason || !*reason)
        return sk_cli_usage_error("revoke", "--reason is required");
    if ((status = sk_govcli_open("revoke", &common, db, SK_AUDIT_WRITE, 1, &gc)) != 0)
        return status;
    rc = sk_govern_revoke(gc.govern, id, sk_govcli_actor(as), reason, fp, &ei);
    if (rc < 0)
        status = fail("revoke", rc, &ei);
    else
        status = SK_EXIT_OK;
    if (rc == 0 || rc == -SK_EEXTERNAL)
        show_proposal(&gc, id, common.json, 0);
    sk_govcli_close(&gc);
    return status;
}

/* --- cases -------------------------------------------------------------------- */

static void cases_help(void)
{
    printf("usage: sakimori cases [list]\n"
           "       sakimori cases show N\n"
           "       sakimori cases new --title TEXT [--target T] [--finding ID]...\n"
           "       sakimori cases add N --finding ID...\n"
           "       sakimori cases close N\n"
           "\n"
           "A case groups the findings (sightings, detections) about one target and\n"
           "the proposals made about it. propose opens one per target by itself.\n"
           "While a case is open its findings are kept whatever audit.retention says;\n"
           "close it once no proposal of it is open.\n"
           "Showing a case is recorded in the audit log (data access).\n"
           "\n"
           "options:\n"
           "      --title TEXT       the case's title\n"
           "      --target T         what it is about\n"
           "  -f, --finding ID       a finding from the store (repeatable)\n"
           "      --as NAME          who acts (default: $SAKIMORI_USER, $USER)\n"
           "      --db PATH          store file (default: store.path in the config)\n"
           "      --json             JSON output\n"
           "  -c, --config PATH      configuration file\n"
           "  -h, --help             this help\n"
           "\n"
           "exit status: 0 ok, 2 usage or input error\n");
}

static void print_case(const json_t *c)
{
    const json_t *arr, *f;
    size_t i;

    printf("case %lld  %s  target %s  opened %s by %s\n",
           (long long)json_integer_value(json_object_get(c, "id")),
           json_string_value(json_object_get(c, "title")),
           json_is_string(json_object_get(c, "target")) ? json_string_value(json_object_get(c, "target")) : "-",
           json_string_value(json_object_get(c, "created")),
           json_string_value(json_object_get(c, "created_by")));
    arr = json_object_get(c, "findings");
    json_array_foreach(arr, i, f) {
        const json_t *n = json_object_get(f, "name"), *ind = json_object_get(f, "indicator");
        printf("  finding %-6lld %-9s %s -> %s %s%s%s\n",
               (long long)json_integer_value(json_object_get(f, "id")),
               json_string_value(json_object_get(f, "type")),
               json_is_string(json_object_get(f, "src_ip")) ? json_string_value(json_object_get(f, "src_ip")) : "-",
               json_is_string(json_object_get(f, "dst_ip")) ? json_string_value(json_object_get(f, "dst_ip")) : "-",
               json_is_string(n) ? json_string_value(n) : "",
               json_is_string(ind) ? " indicator " : "", json_is_string(ind) ? json_string_value(ind) : "");
    }
    arr = json_object_get(c, "proposals");
    json_array_foreach(arr, i, f)
        printf("  proposal #%lld\n", (long long)json_integer_value(f));
}

int sk_cmd_cases(int argc, char **argv)
{
    static const struct option opts[] = {
        {"title", required_argument, NULL, 'T'}, {"target", required_argument, NULL, 't'},
        {"finding", required_argument, NULL, 'f'}, {"as", required_argument, NULL, 'u'},
        {"db", required_argument, NULL, 'd'},    {"json", no_argument, NULL, 'j'},
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {0},
    };
    struct sk_cli_common common = {0};
    const char *title = NULL, *target = NULL, *as = NULL, *db = NULL, *sub = "list";
    int64_t findings[MAX_REFS], id = 0;
    size_t nfind = 0;
    int c, rc, status;
    struct sk_errinfo ei = {""};
    struct govcli gc;
    json_t *o = NULL;

    optind = 1;
    while ((c = getopt_long(argc, argv, "f:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'T': title = optarg; break;
        case 't': target = optarg; break;
        case 'f':
            if (nfind == MAX_REFS || !(findings[nfind++] = sk_govcli_id(optarg)))
                return sk_cli_usage_error("cases", "--finding: expected a finding number");
            break;
        case 'u': as = optarg; break;
        case 'd': db = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'h': cases_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("cases", "unknown option");
        }
    }
    if (optind < argc)
        sub = argv[optind++];
    if (!strcmp(sub, "show") || !strcmp(sub, "add") || !strcmp(sub, "close")) {
        if (optind >= argc || !(id = sk_govcli_id(argv[optind++])))
            return sk_cli_usage_error("cases", "%s: expected a case number", sub);
    } else if (strcmp(sub, "list") && strcmp(sub, "new")) {
        return sk_cli_usage_error("cases", "unknown subcommand '%s' (list, show, new, add, close)",
                                  sub);
    }
    if (optind != argc)
        return sk_cli_usage_error("cases", "unexpected argument '%s'", argv[optind]);
    if (!strcmp(sub, "new") && !title)
        return sk_cli_usage_error("cases", "new: --title is required");
    if (!strcmp(sub, "add") && !nfind)
        return sk_cli_usage_error("cases", "add: at least one --finding");
    if ((status = sk_govcli_open("cases", &common, db, SK_AUDIT_WRITE, 1, &gc)) != 0)
        return status;
    status = SK_EXIT_OK;
    if (!strcmp(sub, "new")) {
        if ((rc = sk_govern_case_new(gc.govern, title, target, sk_govcli_actor(as), findings, nfind,
                                     &id, &ei)) < 0) {
            status = fail("cases", rc, &ei);
            goto out;
        }
        sub = "show";
    } else if (!strcmp(sub, "add")) {
        if ((rc = sk_govern_case_add(gc.govern, id, findings, nfind, sk_govcli_actor(as), &ei)) < 0) {
            status = fail("cases", rc, &ei);
            goto out;
        }
        sub = "show";
    } else if (!strcmp(sub, "close")) {
        if ((rc = sk_govern_case_close(gc.govern, id, sk_govcli_actor(as), &ei)) < 0) {
            status = fail("cases", rc, &ei);
            goto out;
        }
        sub = "show";
    }
    if (!strcmp(sub, "show")) {
        char subject[32];
        if ((rc = sk_govern_case_json(gc.govern, id, &o)) < 0) {
            sk_errinfo_set(&ei, "case %lld: %s", (long long)id,
                           rc == -SK_ENOTFOUND ? "no such case" : sk_strerror(rc));
            status = fail("cases", rc == -SK_ENOTFOUND ? -SK_EPARSE : rc, &ei);
            goto out;
        }
        snprintf(subject, sizeof subject, "case/%lld", (long long)id);
        sk_govcli_audit_read(&gc, sk_govcli_actor(as), subject, "case with its findings");
        if (common.json)
            sk_govcli_print_json(o);
        else
            print_case(o);
    } else {
        size_t i;
        json_t *x;
        if ((rc = sk_govern_cases_json(gc.govern, &o)) < 0) {
            status = fail("cases", rc, &ei);
            goto out;
        }
        json_array_foreach(o, i, x) {
            if (common.json) {
                sk_govcli_print_json(x);
                continue;
            }
            printf("case %-5lld %-8s %3lld findings %3lld proposals %3lld active  %s\n",
                   (long long)json_integer_value(json_object_get(x, "id")),
                   json_string_value(json_object_get(x, "status")),
                   (long long)json_integer_value(json_object_get(x, "findings")),
                   (long long)json_integer_value(json_object_get(x, "proposals")),
                   (long long)json_integer_value(json_object_get(x, "active")),
                   json_string_value(json_object_get(x, "title")));
        }
    }
out:
    json_decref(o);
    sk_govcli_close(&gc);
    return status;
}

/* --- actions -------------------------------------------------------------------- */

static void actions_help(void)
{
    printf("usage: sakimori actions [list] [--state S]\n"
           "       sakimori actions show ID\n"
           "       sakimori actions tick [--at TIME]\n"
           "       sakimori actions reconcile\n"
           "\n"
           "list       proposals and their actions, newest first (--state: draft,\n"
           "           pending, approved, active, provisional, reverted, failed, rejected)\n"
           "show       one proposal: fields, safeguard report, signed approvals, and\n"
           "           every apply/verify/revert with its outcome (audited as a read)\n"
           "tick       what time brings: reverts actions whose TTL ran out, reverts\n"
           "           exigent actions not ratified in time, finishes steps a crash\n"
           "           left in flight and retries failed reverts (the daemon runs it\n"
           "           every few seconds; cron can run it too)\n"
           "reconcile  tick, then apply and verify every active action again (after a\n"
           "           restart: plugins are idempotent)\n"
           "\n"
           "options:\n"
           "      --state S          list only proposals in state S\n"
           "      --at TIME          tick as if it were TIME (RFC 3339)\n"
           "      --as NAME          who reads (default: $SAKIMORI_USER, $USER)\n"
           "      --db PATH          store file (default: store.path in the config)\n"
           "      --json             JSON output\n"
           "  -c, --config PATH      configuration file\n"
           "  -h, --help             this help\n"
           "\n"
           "exit status: 0 ok, 1 a step failed, 2 usage or input error\n");
}

int sk_cmd_actions(int argc, char **argv)
{
    static const struct option opts[] = {
        {"state", required_argument, NULL, 's'}, {"at", required_argument, NULL, 'A'},
        {"as", required_argument, NULL, 'u'},    {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},        {0},
    };
    struct sk_cli_common common = {0};
    const char *sub = "list", *as = NULL, *db = NULL;
    int state = -1, c, rc, status;
    sk_nstime at = 0;
    int64_t id = 0;
    struct sk_errinfo ei = {""};
    struct govcli gc;
    json_t *o = NULL;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if ((state = sk_govern_state_parse(optarg)) < 0)
                return sk_cli_usage_error("actions", "--state '%s': not a state", optarg);
            break;
        case 'A':
            if (sk_govcli_time(optarg, &at) < 0)
                return sk_cli_usage_error("actions", "--at '%s': expected RFC 3339 time", optarg);
            break;
        case 'u': as = optarg; break;
        case 'd': db = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'h': actions_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("actions", "unknown option");
        }
    }
    if (optind < argc)
        sub = argv[optind++];
    if (!strcmp(sub, "show")) {
        if (optind >= argc || !(id = sk_govcli_id(argv[optind++])))
            return sk_cli_usage_error("actions", "show: expected a proposal number");
    } else if (strcmp(sub, "list") && strcmp(sub, "tick") && strcmp(sub, "reconcile")) {
        return sk_cli_usage_error("actions", "unknown subcommand '%s' (list, show, tick, reconcile)",
                                  sub);
    }
    if (optind != argc)
        return sk_cli_usage_error("actions", "unexpected argument '%s'", argv[optind]);
    if ((status = sk_govcli_open("actions", &common, db, SK_AUDIT_WRITE, 1, &gc)) != 0)
        return status;
    status = SK_EXIT_OK;
    if (!strcmp(sub, "show")) {
        char subject[32];
        if ((rc = sk_govern_proposal_json(gc.govern, id, &o)) < 0) {
            sk_errinfo_set(&ei, "proposal #%lld: %s", (long long)id,
                           rc == -SK_ENOTFOUND ? "no such proposal" : sk_strerror(rc));
            status = fail("actions", rc == -SK_ENOTFOUND ? -SK_EPARSE : rc, &ei);
            goto out;
        }
        snprintf(subject, sizeof subject, "proposal/%lld", (long long)id);
        sk_govcli_audit_read(&gc, sk_govcli_actor(as), subject, "proposal with evidence and approvals");
        if (common.json)
            sk_govcli_print_json(o);
        else
            sk_govcli_print_proposal(o, 1);
    } else if (!strcmp(sub, "list")) {
        size_t i;
        json_t *p;
        if ((rc = sk_govern_list_json(gc.govern, state, &o)) < 0) {
            status = fail("actions", rc, &ei);
            goto out;
        }
        json_array_foreach(o, i, p) {
            if (common.json) {
                sk_govcli_print_json(p);
                continue;
            }
            const json_t *t = json_object_get(p, "target");
            char appr[32];
            if (json_is_integer(json_object_get(p, "approvals_needed")))
                snprintf(appr, sizeof appr, "%lld/%lld",
                         (long long)json_integer_value(json_object_get(p, "approvals")),
                         (long long)json_integer_value(json_object_get(p, "approvals_needed")));
            else
                snprintf(appr, sizeof appr, "-");
            printf("#%-5lld %-11s %-16s %-40s approvals %-5s until %s\n",
                   (long long)json_integer_value(json_object_get(p, "id")),
                   json_string_value(json_object_get(p, "state")),
                   json_string_value(json_object_get(p, "action")),
                   json_string_value(json_object_get(t, "value")), appr,
                   json_is_string(json_object_get(p, "not_after"))
                       ? json_string_value(json_object_get(p, "not_after")) : "-");
        }
    } else {
        struct sk_govern_tick t;
        uint32_t checked = 0;
        if (!strcmp(sub, "tick"))
            rc = sk_govern_tick(gc.govern, at, &t, &ei);
        else
            rc = sk_govern_reconcile(gc.govern, &t, &checked, &ei);
        if (rc < 0) {
            status = fail("actions", rc, &ei);
            goto out;
        }
        o = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "expired", t.expired, "not_ratified",
                      t.lapsed, "resumed", t.resumed, "retried", t.retried, "failed", t.failed,
                      "reapplied", checked);
        if (common.json)
            sk_govcli_print_json(o);
        else
            printf("%s: %u expired, %u not ratified in time, %u resumed after a crash, %u reverts "
                   "retried, %u re-applied, %u failed\n",
                   sub, t.expired, t.lapsed, t.resumed, t.retried, checked, t.failed);
        if (t.failed)
            status = SK_EXIT_FINDINGS;
    }
out:
    json_decref(o);
    sk_govcli_close(&gc);
    return status;
}
