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
#include "sakimori/intel.h"
#include "sakimori/warninglist.h"

#define MAX_PATHS 64
#define MAX_HITS 256

static int intel_check(int argc, char **argv);

static const struct sk_cmd intel_cmds[] = {
    {"import", "import feeds into the store (plain, CSV, abuse.ch, STIX 2.1, MISP)", sk__cmd_intel_import},
    {"list", "list the stored indicators and their sources", sk__cmd_intel_list},
    {"export", "write the stored indicators (plain, CSV, JSON, STIX 2.1)", sk__cmd_intel_export},
    {"stats", "counts by type, source and TLP; live indicators; snapshot size", sk__cmd_intel_stats},
    {"check", "which indicators and warninglists a value hits (address, name, URL, hash)", intel_check},
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
           "Says which indicators each value matches (the store's, intel.lists and\n"
           "--intel lists: an address against every containing prefix, a name against\n"
           "itself and its parent domains up to its registered domain, a URL after\n"
           "normalisation, a JA3/JA4/certificate hash exactly) and which MISP\n"
           "warninglists it is on. A warninglist hit means acting on the value would\n"
           "touch something well known and shared (a cloud range, a public resolver,\n"
           "a top site).\n"
           "\n"
           "options:\n"
           "  -i, --intel PATH         also match this plain indicator list (repeatable)\n"
           "  -w, --warninglists PATH  a list.json, a list folder, or a folder of lists\n"
           "                           (repeatable; default: intel.warninglists)\n"
           "  -a, --attr TYPE          MISP attribute type of the values for warninglists\n"
           "                           (ip-src, ip-dst, domain, hostname, url, md5, sha256,\n"
           "                           email-src, …); default: ip-dst for addresses, url for\n"
           "                           URLs, a hash type for hex hashes, hostname otherwise\n"
           "  -t, --type TYPE          the indicator type of hex values: ja3, cert-sha1,\n"
           "                           cert-sha256 (default: by length: 32 ja3, 40 cert-sha1,\n"
           "                           64 cert-sha256)\n"
           "      --db PATH            store file (default: store.path in the config)\n"
           "      --json               one JSON object per value and line\n"
           "  -c, --config PATH        configuration file\n"
           "  -h, --help               this help\n"
           "\n"
           "exit status: 0 no value hits anything, 1 some value does, 2 usage or input error\n");
}

enum kind { K_ADDR, K_URL, K_HASH, K_NAME };

static int hexlen(const char *v)
{
    size_t n = 0;
    for (const char *p = v; *p; p++) {
        if (*p == ':')
            continue;
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
            return -1;
        n++;
    }
    return (int)n;
}

static enum kind kind_of(const char *v, enum sk_ioc_type *htype, int forced)
{
    struct sk_addr a;
    enum sk_ioc_type t;
    if (sk_addr_parse(v, &a) == 0)
        return K_ADDR;
    if (strstr(v, "://"))
        return K_URL;
    char canon[64];
    t = SK_IOC_JA4;
    if (forced || sk_ioc_canon(&t, v, canon, sizeof canon, NULL, 0) == 0) {
        if (!forced)
            *htype = SK_IOC_JA4;
        return K_HASH;
    }
    int n = hexlen(v);
    if (n == 32 || n == 40 || n == 64) {
        *htype = n == 32 ? SK_IOC_JA3 : n == 40 ? SK_IOC_CERT_SHA1 : SK_IOC_CERT_SHA256;
        return K_HASH;
    }
    return K_NAME;
}

static const char *wl_attr(enum kind k, enum sk_ioc_type h)
{
    switch (k) {
    case K_ADDR: return "ip-dst";
    case K_URL: return "url";
    case K_HASH: return h == SK_IOC_JA3 ? "md5" : h == SK_IOC_CERT_SHA1 ? "x509-fingerprint-sha1"
                        : h == SK_IOC_CERT_SHA256 ? "x509-fingerprint-sha256" : "other";
    default: return "hostname";
    }
}

static json_t *ind_json(const struct sk_intel *in, const struct sk_indicator *ind)
{
    json_t *o = json_object(), *srcs = json_array();
    json_object_set_new(o, "type", json_string(sk_ioc_type_name((enum sk_ioc_type)ind->type)));
    json_object_set_new(o, "value", json_string(ind->value));
    json_object_set_new(o, "confidence", json_integer(ind->confidence));
    json_object_set_new(o, "tlp", ind->tlp ? json_string(sk_ioc_tlp_name((enum sk_ioc_tlp)ind->tlp)) : json_null());
    for (size_t i = 0; i < ind->nsources; i++) {
        const struct sk_ioc_source *s = sk_intel_source(in, ind, i);
        json_t *so = json_object(), *labels = json_array();
        json_object_set_new(so, "name", json_string(s->name));
        json_object_set_new(so, "confidence", json_integer(s->confidence));
        for (const char *const *l = s->labels; l && *l; l++)
            json_array_append_new(labels, json_string(*l));
        json_object_set_new(so, "labels", labels);
        if (s->stix_id)
            json_object_set_new(so, "stix_id", json_string(s->stix_id));
        json_array_append_new(srcs, so);
    }
    json_object_set_new(o, "sources", srcs);
    return o;
}

static int intel_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"warninglists", required_argument, NULL, 'w'}, {"attr", required_argument, NULL, 'a'},
        {"intel", required_argument, NULL, 'i'},        {"type", required_argument, NULL, 't'},
        {"db", required_argument, NULL, 'd'},           {"json", no_argument, NULL, 'j'},
        {"config", required_argument, NULL, 'c'},       {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *cmd = "intel check";
    struct sk_cli_common common = {0};
    const char *paths[MAX_PATHS], *lists[MAX_PATHS], *attr = NULL, *db = NULL;
    size_t npaths = 0, nlists = 0;
    struct sk_conf *conf = NULL;
    struct sk_warninglists *wl = NULL;
    struct sk_intel *in = NULL;
    struct sk_wl_hit hits[MAX_HITS];
    const struct sk_indicator *m[MAX_HITS];
    enum sk_ioc_type forced = 0;
    int c, status = SK_EXIT_ERROR, any = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "w:a:i:t:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'w':
            if (npaths == MAX_PATHS)
                return sk_cli_usage_error(cmd, "at most %d --warninglists", MAX_PATHS);
            paths[npaths++] = optarg;
            break;
        case 'i':
            if (nlists == MAX_PATHS)
                return sk_cli_usage_error(cmd, "at most %d --intel lists", MAX_PATHS);
            lists[nlists++] = optarg;
            break;
        case 't':
            if (sk_ioc_type_parse(optarg, &forced) < 0 || forced < SK_IOC_JA3)
                return sk_cli_usage_error(cmd, "--type: ja3, ja4, cert-sha1 or cert-sha256");
            break;
        case 'a': attr = optarg; break;
        case 'd': db = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'h': check_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind >= argc)
        return sk_cli_usage_error(cmd, "no value given");
    if (!(conf = sk_cli_load_conf(cmd, &common)))
        return SK_EXIT_ERROR;
    if (sk_cli_load_warninglists(cmd, conf, paths, npaths, &wl) != 0 ||
        sk_cli_load_intel(cmd, conf, db ? db : conf->store.path, lists, nlists, &in, NULL) != 0)
        goto out;
    if (sk_wl_count(wl) == 0 && sk_intel_count(in) == 0) {
        sk_cli_usage_error(cmd, "nothing to check against: no indicators (store, intel.lists, "
                                "--intel) and no warninglists (--warninglists, intel.warninglists)");
        goto out;
    }
    for (int i = optind; i < argc; i++) {
        const char *v = argv[i];
        enum sk_ioc_type htype = forced;
        enum kind k = kind_of(v, &htype, forced != 0);
        const char *at = attr ? attr : wl_attr(k, htype);
        size_t nw = sk_wl_match_value(wl, at, v, hits, MAX_HITS), ni = 0;
        struct sk_addr a;
        switch (k) {
        case K_ADDR: sk_addr_parse(v, &a); ni = sk_intel_match_addr(in, &a, m, MAX_HITS); break;
        case K_URL: ni = sk_intel_match_url(in, v, m, MAX_HITS); break;
        case K_HASH: ni = sk_intel_match_hash(in, htype, v, m, MAX_HITS); break;
        case K_NAME: ni = sk_intel_match_name(in, v, m, MAX_HITS); break;
        }
        if (nw > MAX_HITS)
            nw = MAX_HITS;
        if (ni > MAX_HITS)
            ni = MAX_HITS;
        any |= nw > 0 || ni > 0;
        if (common.json) {
            json_t *o = json_object(), *arr = json_array(), *inds = json_array();
            json_object_set_new(o, "value", json_string(v));
            json_object_set_new(o, "attr", json_string(at));
            for (size_t j = 0; j < ni; j++)
                json_array_append_new(inds, ind_json(in, m[j]));
            json_object_set_new(o, "indicators", inds);
            for (size_t j = 0; j < nw; j++) {
                json_t *h = json_object();
                json_object_set_new(h, "id", json_string(hits[j].list->id));
                json_object_set_new(h, "name", json_string(hits[j].list->name));
                json_object_set_new(h, "description", json_string(hits[j].list->description));
                json_object_set_new(h, "type", json_string(sk_wl_type_name(hits[j].list->type)));
                json_object_set_new(h, "entry", json_string(hits[j].entry));
                json_array_append_new(arr, h);
            }
            json_object_set_new(o, "warninglists", arr);
            char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
            if (s)
                printf("%s\n", s);
            free(s);
            json_decref(o);
            continue;
        }
        if (nw == 0 && ni == 0)
            printf("%s: no indicator, on no warninglist\n", v);
        for (size_t j = 0; j < ni; j++) {
            printf("%s: indicator %s %s confidence %u", v, sk_ioc_type_name((enum sk_ioc_type)m[j]->type),
                   m[j]->value, m[j]->confidence);
            for (size_t s2 = 0; s2 < m[j]->nsources; s2++) {
                const struct sk_ioc_source *src = sk_intel_source(in, m[j], s2);
                printf("%s%s(%u)", s2 ? "," : " from ", src->name, src->confidence);
            }
            printf("\n");
        }
        for (size_t j = 0; j < nw; j++)
            printf("%s: %s (%s, entry %s): %s\n", v, hits[j].list->id,
                   sk_wl_type_name(hits[j].list->type), hits[j].entry, hits[j].list->name);
    }
    status = any ? SK_EXIT_FINDINGS : SK_EXIT_OK;
out:
    sk_intel_free(in);
    sk_wl_free(wl);
    sk_conf_free(conf);
    fflush(stdout);
    return status;
}
