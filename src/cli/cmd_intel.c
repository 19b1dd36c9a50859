/*
 * cmd_intel.c — `sakimori intel SUBCOMMAND`: threat intelligence management.
 *
 * A dispatcher over a table of subcommands, one line each; a subcommand
 * owned by another subsystem lives in that subsystem's cmd_*.c file and adds
 * its line here (and its prototype to cli.h).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sakimori/addr.h"
#include "sakimori/warninglist.h"

#define MAX_PATHS 64
#define MAX_HITS 256

static int intel_check(int argc, char **argv);

static const struct sk_cmd intel_cmds[] = {
    {"check", "which warninglists a value is on (address, name, URL, hash)", intel_check},
    {"train-dga", "derive the DGA model from top-site lists; measure a model", sk_cmd_intel_train_dga},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: sakimori intel SUBCOMMAND [ARGS]\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof intel_cmds / sizeof intel_cmds[0]; i++)
        fprintf(out, "  %-10s %s\n", intel_cmds[i].name, intel_cmds[i].summary);
    fprintf(out, "\nEach subcommand takes --help.\n");
}

int sk_cmd_intel(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SK_EXIT_ERROR;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return SK_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof intel_cmds / sizeof intel_cmds[0]; i++)
        if (!strcmp(argv[1], intel_cmds[i].name))
            return intel_cmds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "sakimori intel: '%s' is not a subcommand. See 'sakimori intel --help'.\n",
            argv[1]);
    return SK_EXIT_ERROR;
}

/* Loads the warninglists named on the command line, else those of the
 * configuration. */
int sk_cli_load_warninglists(const char *cmd, const struct sk_conf *conf, const char *const *paths,
                             size_t npaths, struct sk_warninglists **out)
{
    struct sk_errinfo ei = {""};
    int rc;

    if (!npaths) {
        paths = (const char *const *)conf->intel.warninglists.v;
        npaths = conf->intel.warninglists.n;
    }
    if ((rc = sk_wl_load(out, paths, npaths, &ei)) < 0)
        return sk_cli_fail(cmd, rc, &ei);
    return 0;
}

/* --- intel check ------------------------------------------------------------ */

static void check_help(void)
{
    printf("usage: sakimori intel check [OPTIONS] VALUE...\n"
           "\n"
           "Says which MISP warninglists each value is on: an address against the\n"
           "cidr lists, a name against the hostname, string, substring and regex\n"
           "lists (a hostname entry covers its subdomains), a URL by its host and\n"
           "as a whole. A hit means acting on the value would touch something\n"
           "well known and shared (a cloud range, a public resolver, a top site).\n"
           "\n"
           "options:\n"
           "  -w, --warninglists PATH  a list.json, a list folder, or a folder of lists\n"
           "                           (repeatable; default: intel.warninglists in the\n"
           "                           configuration)\n"
           "  -a, --attr TYPE          MISP attribute type of the values (ip-src, ip-dst,\n"
           "                           domain, hostname, url, md5, sha256, email-src, …);\n"
           "                           default: ip-dst for addresses, url for URLs,\n"
           "                           hostname otherwise\n"
           "      --json               one JSON object per value and line\n"
           "  -c, --config PATH        configuration file\n"
           "  -h, --help               this help\n"
           "\n"
           "exit status: 0 no value is on a list, 1 some value is, 2 usage or input error\n");
}

static const char *guess_attr(const char *v)
{
    struct sk_addr a;
    if (sk_addr_parse(v, &a) == 0)
        return "ip-dst";
    if (strstr(v, "://"))
        return "url";
    return "hostname";
}

static int intel_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"warninglists", required_argument, NULL, 'w'}, {"attr", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},               {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},               {0},
    };
    struct sk_cli_common common = {0};
    const char *paths[MAX_PATHS], *attr = NULL;
    size_t npaths = 0;
    struct sk_conf *conf = NULL;
    struct sk_warninglists *wl = NULL;
    struct sk_wl_hit hits[MAX_HITS];
    int c, status = SK_EXIT_ERROR, any = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "w:a:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'w':
            if (npaths == MAX_PATHS)
                return sk_cli_usage_error("intel check", "at most %d --warninglists", MAX_PATHS);
            paths[npaths++] = optarg;
            break;
        case 'a': attr = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'h': check_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("intel check", "unknown option");
        }
    }
    if (optind >= argc)
        return sk_cli_usage_error("intel check", "no value given");
    if (!(conf = sk_cli_load_conf("intel check", &common)))
        return SK_EXIT_ERROR;
    if (sk_cli_load_warninglists("intel check", conf, paths, npaths, &wl) != 0)
        goto out;
    if (sk_wl_count(wl) == 0) {
        sk_cli_usage_error("intel check",
                           "no warninglists: give --warninglists or set intel.warninglists");
        goto out;
    }
    for (int i = optind; i < argc; i++) {
        const char *v = argv[i], *at = attr ? attr : guess_attr(v);
        size_t n = sk_wl_match_value(wl, at, v, hits, MAX_HITS);
        if (n > MAX_HITS)
            n = MAX_HITS;
        any |= n > 0;
        if (common.json) {
            json_t *o = json_object(), *arr = json_array();
            json_object_set_new(o, "value", json_string(v));
            json_object_set_new(o, "attr", json_string(at));
            for (size_t k = 0; k < n; k++) {
                json_t *h = json_object();
                json_object_set_new(h, "id", json_string(hits[k].list->id));
                json_object_set_new(h, "name", json_string(hits[k].list->name));
                json_object_set_new(h, "description", json_string(hits[k].list->description));
                json_object_set_new(h, "type", json_string(sk_wl_type_name(hits[k].list->type)));
                json_object_set_new(h, "entry", json_string(hits[k].entry));
                json_array_append_new(arr, h);
            }
            json_object_set_new(o, "warninglists", arr);
            char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
            if (s)
                printf("%s\n", s);
            free(s);
            json_decref(o);
        } else if (n == 0) {
            printf("%s: on no warninglist\n", v);
        } else {
            for (size_t k = 0; k < n; k++)
                printf("%s: %s (%s, entry %s): %s\n", v, hits[k].list->id,
                       sk_wl_type_name(hits[k].list->type), hits[k].entry, hits[k].list->name);
        }
    }
    status = any ? SK_EXIT_FINDINGS : SK_EXIT_OK;
out:
    sk_wl_free(wl);
    sk_conf_free(conf);
    fflush(stdout);
    return status;
}
