/*
 * cmd_intel_db.c — `sakimori intel import/list/export/stats`: indicators in
 * the store, and the snapshot scan and check match against.
 *
 * import   one store transaction per file: a file lands whole or not at all
 *          (the first bad line or object names the file and line or JSON
 *          path, exit 2, and that file adds nothing); what a file carries
 *          that cannot be matched exactly is reported on stderr and counted
 * list     the stored indicators with every source's assertion
 * export   plain, CSV, JSON lines or a STIX 2.1 bundle, written atomically
 * stats    counts by type, source and TLP, what time has expired or decayed
 *          away, and the size and build time of the snapshot they make
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sakimori/buf.h"
#include "sakimori/file.h"
#include "sakimori/intel-feed.h"
#include "sakimori/intel.h"
#include "sakimori/log.h"
#include "sakimori/store.h"

#define MAX_FILES 256
#define MAX_LABELS 32

/* --- the matching snapshot ---------------------------------------------------- */

struct sk_feed_policy;

static void policy_of(const struct sk_conf *conf, struct sk_feed_policy *p)
{
    p->now = sk_now();
    p->decay_half_life_ns = (int64_t)conf->intel.decay_half_life;
    p->max_age_ns = (int64_t)conf->intel.max_age;
    p->min_confidence = (uint8_t)conf->intel.min_confidence;
}

int sk_cli_load_intel(const char *cmd, const struct sk_conf *conf, const char *db,
                      const char *const *lists, size_t nlists, struct sk_intel **out,
                      size_t *from_store)
{
    struct sk_intel_builder *b = NULL;
    struct sk_errinfo ei = {""};
    struct sk_store *st = NULL;
    int rc;

    *out = NULL;
    if (from_store)
        *from_store = 0;
    if ((rc = sk_intel_builder_new(&b)) < 0)
        goto fail;
    for (size_t i = 0; i < conf->intel.lists.n + nlists; i++) {
        const char *p = i < conf->intel.lists.n ? conf->intel.lists.v[i] : lists[i - conf->intel.lists.n];
        const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
        if ((rc = sk_intel_load_list(b, p, base, &ei)) < 0)
            goto fail;
    }
    if (conf->intel.use_store && db && access(db, R_OK) == 0) {
        struct sk_feed_policy pol;
        policy_of(conf, &pol);
        if ((rc = sk_store_open_ro(&st, db, &ei)) < 0 ||
            (rc = sk_feed_store_load(st, b, &pol, from_store, &ei)) < 0)
            goto fail;
        sk_store_close(st);
        st = NULL;
    }
    rc = sk_intel_build(b, out);
    b = NULL;
    if (rc < 0)
        goto fail;
    return 0;
fail:
    sk_store_close(st);
    sk_intel_builder_free(b);
    return sk_cli_fail(cmd, rc, &ei);
}

static const char *db_path(const struct sk_conf *conf, const char *db)
{
    return db ? db : conf->store.path;
}

/* --- import ------------------------------------------------------------------------ */

static void import_help(void)
{
    printf("usage: sakimori intel import [OPTIONS] FILE...\n"
           "\n"
           "Imports indicator feeds into the store, one transaction per file: a file\n"
           "lands whole or not at all. Formats (detected unless --format says):\n"
           "  plain       one IP, CIDR, domain or URL per line ('#' comments)\n"
           "  csv         any CSV, with --columns (and --header)\n"
           "  feodo       abuse.ch Feodo Tracker C2 IP blocklist (CSV)\n"
           "  sslbl-ja3   abuse.ch SSLBL JA3 fingerprints (CSV)\n"
           "  urlhaus     abuse.ch URLhaus (CSV)\n"
           "  stix        STIX 2.1 bundle of indicators with STIX patterns\n"
           "  misp-event  MISP event JSON\n"
           "  misp-feed   MISP feed directory (manifest.json and the event files)\n"
           "What a feed carries that cannot be matched exactly (a STIX pattern with\n"
           "AND or FOLLOWEDBY, a file hash, a MISP attribute with to_ids false) is\n"
           "reported on stderr and skipped, never approximated.\n"
           "\n"
           "options:\n"
           "  -f, --format NAME      the format (default: detect)\n"
           "  -s, --source NAME      source (feed) name (default: the file name)\n"
           "      --confidence N     confidence 0-100 where the feed gives none (default 50)\n"
           "      --tlp LEVEL        TLP where the feed gives none: clear, green, amber,\n"
           "                         amber+strict, red (default: unmarked)\n"
           "  -l, --label TEXT       a label for every indicator (repeatable)\n"
           "  -t, --type TYPE        plain, csv: every value is of this type (ipv4, ipv6,\n"
           "                         cidr4, cidr6, domain, fqdn, url, ja3, ja4, cert-sha1,\n"
           "                         cert-sha256)\n"
           "      --columns MAP      csv: value=N[,type=N,confidence=N,tlp=N,labels=N,\n"
           "                         first_seen=N,last_seen=N,valid_from=N,valid_until=N,\n"
           "                         description=N], N a column number or, with --header, a name\n"
           "      --header           csv: the first line names the columns\n"
           "      --delimiter C      csv: field delimiter (default ',')\n"
           "      --replace          drop this source's indicators the file no longer has\n"
           "      --decay DURATION   the source's confidence half-life (0 none; default:\n"
           "                         intel.decay_half_life)\n"
           "      --ttl DURATION     not matched when not asserted again for this long\n"
           "                         (0 never; default: intel.max_age)\n"
           "      --dry-run          read and check only; write nothing\n"
           "      --db PATH          store file (default: store.path in the config)\n"
           "      --json             the summary as one JSON object per file\n"
           "  -c, --config PATH      configuration file\n"
           "  -q, --quiet            no skip reports or summary on stderr\n"
           "  -h, --help             this help\n"
           "\n"
           "exit status: 0 imported, 2 usage or input error (that file added nothing)\n");
}

struct skip_ctx {
    int quiet;
    size_t n;
};

static void on_skip(void *ctx, const char *where, const char *why)
{
    struct skip_ctx *s = ctx;
    s->n++;
    if (!s->quiet)
        fprintf(stderr, "sakimori intel import: %s: %s\n", where, why);
}

struct dry_ctx {
    struct skip_ctx skips;
    size_t records;
};

static int dry_record(void *ctx, const struct sk_ioc_record *r)
{
    ((struct dry_ctx *)ctx)->records++;
    return 0;
}

static void dry_skip(void *ctx, const char *where, const char *why)
{
    on_skip(&((struct dry_ctx *)ctx)->skips, where, why);
}

static int parse_pct(const char *cmd, const char *opt, const char *s, uint8_t *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 100)
        return sk_cli_usage_error(cmd, "%s: expected 0 to 100, got '%s'", opt, s);
    *out = (uint8_t)v;
    return 0;
}

static int parse_dur(const char *cmd, const char *opt, const char *s, int64_t *out)
{
    uint64_t v;
    if (sk_duration_parse(s, &v) < 0 || v > (uint64_t)INT64_MAX)
        return sk_cli_usage_error(cmd, "%s: expected a duration like 30d or 12h, got '%s'", opt, s);
    *out = (int64_t)v;
    return 0;
}

static int intel_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},  {"source", required_argument, NULL, 's'},
        {"confidence", required_argument, NULL, 'C'}, {"tlp", required_argument, NULL, 'T'},
        {"label", required_argument, NULL, 'l'},   {"type", required_argument, NULL, 't'},
        {"columns", required_argument, NULL, 'M'}, {"header", no_argument, NULL, 'H'},
        {"delimiter", required_argument, NULL, 'D'}, {"replace", no_argument, NULL, 'R'},
        {"decay", required_argument, NULL, 'y'},   {"ttl", required_argument, NULL, 'L'},
        {"dry-run", no_argument, NULL, 'n'},       {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},          {"config", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *cmd = "intel import";
    struct sk_cli_common common = {0};
    struct sk_feed_opts o = {.confidence = 50};
    struct sk_feed_source_opts so = {.decay_half_life_ns = -1, .ttl_ns = -1};
    enum sk_feed_format fmt = SK_FEED_AUTO;
    const char *labels[MAX_LABELS + 1] = {NULL}, *db = NULL, *source = NULL;
    size_t nlabels = 0;
    int c, dry = 0, status = SK_EXIT_ERROR;
    struct sk_conf *conf = NULL;
    struct sk_store *st = NULL;

    optind = 1;
    while ((c = getopt_long(argc, argv, "f:s:l:t:c:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (sk_feed_format_parse(optarg, &fmt) < 0)
                return sk_cli_usage_error(cmd, "unknown format '%s' (plain, csv, feodo, sslbl-ja3, "
                                               "urlhaus, stix, misp-event, misp-feed)", optarg);
            break;
        case 's': source = optarg; break;
        case 'C': if (parse_pct(cmd, "--confidence", optarg, &o.confidence)) return SK_EXIT_ERROR; break;
        case 'T': {
            enum sk_ioc_tlp t;
            if (sk_ioc_tlp_parse(optarg, &t) < 0)
                return sk_cli_usage_error(cmd, "--tlp: expected clear, green, amber, amber+strict or red");
            o.tlp = (uint8_t)t;
            break;
        }
        case 'l':
            if (nlabels == MAX_LABELS)
                return sk_cli_usage_error(cmd, "at most %d labels", MAX_LABELS);
            labels[nlabels++] = optarg;
            break;
        case 't': {
            enum sk_ioc_type t;
            if (sk_ioc_type_parse(optarg, &t) < 0)
                return sk_cli_usage_error(cmd, "unknown type '%s'", optarg);
            o.type = (uint8_t)t;
            break;
        }
        case 'M': o.columns = optarg; break;
        case 'H': o.header = 1; break;
        case 'D':
            if (strlen(optarg) != 1 && strcmp(optarg, "\\t"))
                return sk_cli_usage_error(cmd, "--delimiter: one character");
            o.delimiter = strcmp(optarg, "\\t") ? optarg[0] : '\t';
            break;
        case 'R': so.replace = 1; break;
        case 'y': if (parse_dur(cmd, "--decay", optarg, &so.decay_half_life_ns)) return SK_EXIT_ERROR; break;
        case 'L': if (parse_dur(cmd, "--ttl", optarg, &so.ttl_ns)) return SK_EXIT_ERROR; break;
        case 'n': dry = 1; break;
        case 'd': db = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'q': common.quiet = 1; break;
        case 'h': import_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind >= argc)
        return sk_cli_usage_error(cmd, "no file given");
    if (fmt == SK_FEED_CSV && !o.columns)
        return sk_cli_usage_error(cmd, "csv needs --columns (value=N, …)");
    if (!(conf = sk_cli_load_conf(cmd, &common)))
        return SK_EXIT_ERROR;
    o.labels = labels;
    o.now = sk_now();
    if (!dry) {
        struct sk_errinfo ei = {""};
        int rc = sk_store_open(&st, db_path(conf, db), &ei);
        if (rc < 0) {
            sk_cli_fail(cmd, rc, &ei);
            goto out;
        }
    }
    for (int i = optind; i < argc; i++) {
        const char *path = argv[i];
        char name[256];
        struct sk_errinfo ei = {""};
        struct skip_ctx sc = {.quiet = common.quiet};
        struct sk_feed_stats stats = {0};
        struct sk_feed_sink sink = {.skip = on_skip, .ctx = &sc};
        int rc;

        /* the default source: the file name without its extension, or the
         * feed directory's name */
        if (source) {
            o.source = source;
        } else {
            const char *b = strrchr(path, '/');
            size_t len = strlen(b ? b + 1 : path);
            if (len == 0 && b) { /* "dir/" */
                const char *e = b;
                while (e > path && e[-1] == '/')
                    e--;
                const char *s2 = e;
                while (s2 > path && s2[-1] != '/')
                    s2--;
                snprintf(name, sizeof name, "%.*s", (int)(e - s2), s2);
            } else {
                snprintf(name, sizeof name, "%s", b ? b + 1 : path);
                char *dot = strrchr(name, '.');
                if (dot && dot != name)
                    *dot = '\0';
                if (!strcmp(name, "manifest") && b) {
                    const char *s2 = b;
                    while (s2 > path && s2[-1] != '/')
                        s2--;
                    snprintf(name, sizeof name, "%.*s", (int)(b - s2), s2);
                }
            }
            o.source = name;
        }
        if (dry) {
            struct dry_ctx dc = {.skips = {.quiet = common.quiet}};
            struct sk_feed_sink dsink = {.record = dry_record, .skip = dry_skip, .ctx = &dc};
            rc = sk_feed_import(path, fmt, &o, &dsink, &ei);
            stats.records = dc.records;
            stats.skipped = dc.skips.n;
        } else {
            rc = sk_feed_store_import(st, path, fmt, &o, &so, &sink, &stats, &ei);
        }
        if (rc < 0) {
            sk_cli_fail(cmd, rc, &ei);
            goto out;
        }
        if (common.json) {
            printf("{\"file\":\"%s\",\"source\":\"%s\",\"records\":%zu,\"added\":%zu,\"updated\":%zu,"
                   "\"removed\":%zu,\"skipped\":%zu,\"dry_run\":%s}\n",
                   path, o.source, stats.records, stats.added, stats.updated, stats.removed,
                   stats.skipped, dry ? "true" : "false");
        } else if (!common.quiet) {
            fprintf(stderr, "sakimori intel import: %s: %zu records from source '%s'%s: %zu added, "
                            "%zu updated, %zu removed, %zu skipped\n",
                    path, stats.records, o.source, dry ? " (dry run)" : "", stats.added,
                    stats.updated, stats.removed, stats.skipped);
        }
    }
    status = SK_EXIT_OK;
out:
    sk_store_close(st);
    sk_conf_free(conf);
    fflush(stdout);
    return status;
}

/* --- list and export --------------------------------------------------------------- */

struct row_filter {
    const char *type, *source, *match;
    long limit;
    uint8_t min_conf;
    enum sk_ioc_tlp max_tlp; /* sources more restrictive are left out */
};

/* One indicator with its sources, as JSON. */
typedef int (*ind_fn)(void *ctx, json_t *ind);

static int each_indicator(struct sk_store *st, const struct row_filter *f, ind_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT i.id, i.type, i.value, s.name, a.confidence, a.tlp, a.labels, a.first_seen_ns,"
        " a.last_seen_ns, a.valid_from_ns, a.valid_until_ns, a.stix_id, a.description"
        " FROM indicators i JOIN indicator_sources a ON a.indicator_id = i.id"
        " JOIN intel_sources s ON s.id = a.source_id"
        " WHERE (?1 IS NULL OR i.type = ?1) AND (?2 IS NULL OR s.name = ?2)"
        " AND (?3 IS NULL OR instr(i.value, ?3) > 0)"
        " ORDER BY i.type, i.value, a.confidence DESC, s.name";
    sqlite3_stmt *q;
    json_t *cur = NULL;
    int64_t cur_id = -1;
    long count = 0;
    int rc, frc = 0;

    if (sqlite3_prepare_v2(sk_store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
        return -SK_ESTORE;
    if (f->type)
        sqlite3_bind_text(q, 1, f->type, -1, SQLITE_STATIC);
    if (f->source)
        sqlite3_bind_text(q, 2, f->source, -1, SQLITE_STATIC);
    if (f->match)
        sqlite3_bind_text(q, 3, f->match, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && frc >= 0) {
        int64_t id = sqlite3_column_int64(q, 0);
        enum sk_ioc_tlp tlp = SK_IOC_TLP_UNMARKED;
        if (sqlite3_column_text(q, 5))
            sk_ioc_tlp_parse((const char *)sqlite3_column_text(q, 5), &tlp);
        if (tlp > f->max_tlp || sqlite3_column_int(q, 4) < f->min_conf)
            continue;
        if (id != cur_id) {
            if (cur) {
                frc = fn(ctx, cur);
                json_decref(cur);
                cur = NULL;
                if (frc < 0 || (f->limit > 0 && ++count >= f->limit))
                    break;
            }
            cur_id = id;
            cur = json_object();
            json_object_set_new(cur, "type", json_string((const char *)sqlite3_column_text(q, 1)));
            json_object_set_new(cur, "value", json_string((const char *)sqlite3_column_text(q, 2)));
            json_object_set_new(cur, "confidence", json_integer(sqlite3_column_int(q, 4)));
            json_object_set_new(cur, "sources", json_array());
        }
        json_t *s = json_object();
        char t[SK_RFC3339_LEN];
        json_object_set_new(s, "name", json_string((const char *)sqlite3_column_text(q, 3)));
        json_object_set_new(s, "confidence", json_integer(sqlite3_column_int(q, 4)));
        json_object_set_new(s, "tlp", tlp ? json_string(sk_ioc_tlp_name(tlp)) : json_null());
        json_t *labels = sqlite3_column_text(q, 6) ? json_loads((const char *)sqlite3_column_text(q, 6), 0, NULL) : NULL;
        json_object_set_new(s, "labels", labels ? labels : json_array());
        static const char *const tk[] = {"first_seen", "last_seen", "valid_from", "valid_until"};
        for (int k = 0; k < 4; k++)
            json_object_set_new(s, tk[k], sqlite3_column_type(q, 7 + k) == SQLITE_NULL ? json_null()
                                : json_string(sk_rfc3339((sk_nstime)sqlite3_column_int64(q, 7 + k), t, sizeof t)));
        json_object_set_new(s, "stix_id", sqlite3_column_text(q, 11) ? json_string((const char *)sqlite3_column_text(q, 11)) : json_null());
        json_object_set_new(s, "description", sqlite3_column_text(q, 12) ? json_string((const char *)sqlite3_column_text(q, 12)) : json_null());
        json_array_append_new(json_object_get(cur, "sources"), s);
    }
    if (cur && frc >= 0 && !(f->limit > 0 && count >= f->limit))
        frc = fn(ctx, cur);
    json_decref(cur);
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return -SK_ESTORE;
    return frc;
}

static int open_ro(const char *cmd, const struct sk_conf *conf, const char *db, struct sk_store **st)
{
    struct sk_errinfo ei = {""};
    const char *path = db_path(conf, db);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "sakimori %s: %s: no store (import indicators with 'sakimori intel import')\n",
                cmd, path);
        return SK_EXIT_ERROR;
    }
    int rc = sk_store_open_ro(st, path, &ei);
    return rc < 0 ? sk_cli_fail(cmd, rc, &ei) : 0;
}

struct print_ctx {
    int json;
    FILE *out;
};

static int print_ind(void *vctx, json_t *ind)
{
    struct print_ctx *c = vctx;
    if (c->json) {
        char *s = json_dumps(ind, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        if (s)
            fprintf(c->out, "%s\n", s);
        free(s);
        return 0;
    }
    struct sk_buf srcs, labels;
    sk_buf_init(&srcs, 1 << 16);
    sk_buf_init(&labels, 1 << 16);
    size_t i;
    json_t *s, *l;
    const char *tlp = "";
    json_array_foreach(json_object_get(ind, "sources"), i, s) {
        sk_buf_printf(&srcs, "%s%s(%lld)", i ? "," : "", json_string_value(json_object_get(s, "name")),
                      (long long)json_integer_value(json_object_get(s, "confidence")));
        if (json_string_value(json_object_get(s, "tlp")))
            tlp = json_string_value(json_object_get(s, "tlp"));
        size_t k;
        json_array_foreach(json_object_get(s, "labels"), k, l)
            if (!strstr(sk_buf_str(&labels), json_string_value(l)))
                sk_buf_printf(&labels, "%s%s", labels.len ? "," : "", json_string_value(l));
    }
    fprintf(c->out, "%-11s %-40s %3lld %-16s %s %s\n", json_string_value(json_object_get(ind, "type")),
            json_string_value(json_object_get(ind, "value")),
            (long long)json_integer_value(json_object_get(ind, "confidence")), *tlp ? tlp : "-",
            sk_buf_str(&srcs), labels.len ? sk_buf_str(&labels) : "-");
    sk_buf_free(&srcs);
    sk_buf_free(&labels);
    return 0;
}

static void list_help(void)
{
    printf("usage: sakimori intel list [OPTIONS]\n"
           "\n"
           "Lists the indicators in the store with every source's assertion\n"
           "(TYPE VALUE CONFIDENCE TLP SOURCES(confidence) LABELS).\n"
           "\n"
           "options:\n"
           "  -t, --type TYPE      only this type\n"
           "  -s, --source NAME    only what this source asserts\n"
           "  -m, --match TEXT     only values containing TEXT\n"
           "  -n, --limit N        at most N indicators (default: all)\n"
           "      --db PATH        store file (default: store.path in the config)\n"
           "      --json           one JSON object per indicator and line\n"
           "  -c, --config PATH    configuration file\n"
           "  -h, --help           this help\n");
}

static int parse_filter_opt(const char *cmd, int c, struct row_filter *f)
{
    enum sk_ioc_type t;
    char *end;
    switch (c) {
    case 't':
        if (sk_ioc_type_parse(optarg, &t) < 0)
            return sk_cli_usage_error(cmd, "unknown type '%s'", optarg);
        f->type = optarg;
        return 0;
    case 's': f->source = optarg; return 0;
    case 'm': f->match = optarg; return 0;
    case 'n':
        errno = 0;
        f->limit = strtol(optarg, &end, 10);
        if (errno || *end || f->limit < 1)
            return sk_cli_usage_error(cmd, "--limit: expected a positive integer");
        return 0;
    }
    return -1;
}

static int intel_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"type", required_argument, NULL, 't'}, {"source", required_argument, NULL, 's'},
        {"match", required_argument, NULL, 'm'}, {"limit", required_argument, NULL, 'n'},
        {"db", required_argument, NULL, 'd'},   {"json", no_argument, NULL, 'j'},
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *cmd = "intel list", *db = NULL;
    struct sk_cli_common common = {0};
    struct row_filter f = {.max_tlp = SK_IOC_TLP_RED};
    struct sk_conf *conf = NULL;
    struct sk_store *st = NULL;
    int c, status = SK_EXIT_ERROR;

    optind = 1;
    while ((c = getopt_long(argc, argv, "t:s:m:n:c:h", opts, NULL)) != -1) {
        if (c == 'd') db = optarg;
        else if (c == 'j') common.json = 1;
        else if (c == 'c') common.config = optarg;
        else if (c == 'h') { list_help(); return SK_EXIT_OK; }
        else if (parse_filter_opt(cmd, c, &f) != 0)
            return c == '?' ? sk_cli_usage_error(cmd, "unknown option") : SK_EXIT_ERROR;
    }
    if (optind < argc)
        return sk_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!(conf = sk_cli_load_conf(cmd, &common)))
        return SK_EXIT_ERROR;
    if (open_ro(cmd, conf, db, &st) != 0)
        goto out;
    struct print_ctx pc = {.json = common.json, .out = stdout};
    if (each_indicator(st, &f, print_ind, &pc) < 0) {
        fprintf(stderr, "sakimori %s: cannot read indicators: %s\n", cmd, sk_store_errmsg(st));
        goto out;
    }
    status = SK_EXIT_OK;
out:
    sk_store_close(st);
    sk_conf_free(conf);
    fflush(stdout);
    return status;
}

/* STIX export: one indicator object per indicator, its TLP the most
 * restrictive of the sources exported. */
static const char *const tlp2_ids[] = {
    [SK_IOC_TLP_CLEAR] = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    [SK_IOC_TLP_GREEN] = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    [SK_IOC_TLP_AMBER] = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    [SK_IOC_TLP_AMBER_STRICT] = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    [SK_IOC_TLP_RED] = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};
static const char *const tlp2_words[] = {
    [SK_IOC_TLP_CLEAR] = "clear", [SK_IOC_TLP_GREEN] = "green", [SK_IOC_TLP_AMBER] = "amber",
    [SK_IOC_TLP_AMBER_STRICT] = "amber+strict", [SK_IOC_TLP_RED] = "red",
};

struct export_ctx {
    enum { EX_PLAIN, EX_CSV, EX_JSON, EX_STIX } fmt;
    struct sk_buf out;
    json_t *objects;
    int tlp_used[SK_IOC_TLP_RED + 1];
    size_t n, not_stix;
    char now[SK_RFC3339_LEN];
};

static void uuid4(char *out)
{
    unsigned char u[16];
    randombytes_buf(u, sizeof u);
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
             u[13], u[14], u[15]);
}

static int csv_field(struct sk_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r"))
        return sk_buf_puts(b, s);
    sk_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            sk_buf_putc(b, '"');
        sk_buf_putc(b, *s);
    }
    return sk_buf_putc(b, '"');
}

static int export_ind(void *vctx, json_t *ind)
{
    struct export_ctx *c = vctx;
    const char *type = json_string_value(json_object_get(ind, "type"));
    const char *value = json_string_value(json_object_get(ind, "value"));
    json_t *srcs = json_object_get(ind, "sources"), *s, *l;
    size_t i, k;
    int rc = 0;

    c->n++;
    switch (c->fmt) {
    case EX_PLAIN:
        return sk_buf_printf(&c->out, "%s\n", value);
    case EX_JSON: {
        char *txt = json_dumps(ind, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        rc = txt ? sk_buf_printf(&c->out, "%s\n", txt) : -SK_ENOMEM;
        free(txt);
        return rc;
    }
    case EX_CSV: {
        struct sk_buf names, labels;
        const char *tlp = "";
        sk_buf_init(&names, 1 << 16);
        sk_buf_init(&labels, 1 << 16);
        const char *first = "", *last = "", *until = "";
        json_array_foreach(srcs, i, s) {
            sk_buf_printf(&names, "%s%s", i ? ";" : "", json_string_value(json_object_get(s, "name")));
            json_array_foreach(json_object_get(s, "labels"), k, l)
                sk_buf_printf(&labels, "%s%s", labels.len ? ";" : "", json_string_value(l));
            if (!i) {
                tlp = json_string_value(json_object_get(s, "tlp")) ? json_string_value(json_object_get(s, "tlp")) : "";
                first = json_string_value(json_object_get(s, "first_seen")) ? json_string_value(json_object_get(s, "first_seen")) : "";
                last = json_string_value(json_object_get(s, "last_seen")) ? json_string_value(json_object_get(s, "last_seen")) : "";
                until = json_string_value(json_object_get(s, "valid_until")) ? json_string_value(json_object_get(s, "valid_until")) : "";
            }
        }
        sk_buf_printf(&c->out, "%s,", type);
        csv_field(&c->out, value);
        sk_buf_printf(&c->out, ",%lld,%s,", (long long)json_integer_value(json_object_get(ind, "confidence")), tlp);
        csv_field(&c->out, sk_buf_str(&names));
        sk_buf_putc(&c->out, ',');
        csv_field(&c->out, sk_buf_str(&labels));
        rc = sk_buf_printf(&c->out, ",%s,%s,%s\n", first, last, until);
        sk_buf_free(&names);
        sk_buf_free(&labels);
        return rc;
    }
    case EX_STIX: {
        enum sk_ioc_type t;
        sk_ioc_type_parse(type, &t);
        char *pattern = sk_stix_pattern_for(t, value);
        if (!pattern) {
            c->not_stix++;
            return 0;
        }
        json_t *o = json_object(), *labels = json_array();
        char id[64] = "indicator--";
        enum sk_ioc_tlp tlp = SK_IOC_TLP_UNMARKED;
        const char *valid_from = NULL, *stix_id = NULL;
        json_array_foreach(srcs, i, s) {
            enum sk_ioc_tlp st;
            const char *ts = json_string_value(json_object_get(s, "tlp"));
            if (ts && sk_ioc_tlp_parse(ts, &st) == 0 && st > tlp)
                tlp = st;
            json_array_foreach(json_object_get(s, "labels"), k, l) {
                size_t m;
                json_t *x;
                int dup = 0;
                json_array_foreach(labels, m, x)
                    dup |= json_equal(x, l);
                if (!dup)
                    json_array_append(labels, l);
            }
            const char *fs = json_string_value(json_object_get(s, "first_seen"));
            if (fs && (!valid_from || strcmp(fs, valid_from) < 0))
                valid_from = fs;
            if (!stix_id)
                stix_id = json_string_value(json_object_get(s, "stix_id"));
        }
        if (stix_id && strncmp(stix_id, "indicator--", 11) == 0 && strlen(stix_id) < sizeof id)
            snprintf(id, sizeof id, "%s", stix_id);
        else
            uuid4(id + 11);
        json_object_set_new(o, "type", json_string("indicator"));
        json_object_set_new(o, "spec_version", json_string("2.1"));
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "created", json_string(c->now));
        json_object_set_new(o, "modified", json_string(c->now));
        json_object_set_new(o, "name", json_string(value));
        json_object_set_new(o, "pattern", json_string(pattern));
        json_object_set_new(o, "pattern_type", json_string("stix"));
        json_object_set_new(o, "valid_from", json_string(valid_from ? valid_from : c->now));
        json_object_set_new(o, "confidence", json_incref(json_object_get(ind, "confidence")));
        if (json_array_size(labels))
            json_object_set_new(o, "labels", labels);
        else
            json_decref(labels);
        if (tlp) {
            json_t *refs = json_array();
            json_array_append_new(refs, json_string(tlp2_ids[tlp]));
            json_object_set_new(o, "object_marking_refs", refs);
            c->tlp_used[tlp] = 1;
        }
        json_array_append_new(c->objects, o);
        free(pattern);
        return 0;
    }
    }
    return 0;
}

static void export_help(void)
{
    printf("usage: sakimori intel export [OPTIONS]\n"
           "\n"
           "Writes the stored indicators as a plain list, CSV, JSON lines or a STIX 2.1\n"
           "bundle (patterns that mean exactly each indicator; TLP 2.0 markings, the\n"
           "most restrictive of the sources exported). With --out the file is written\n"
           "atomically.\n"
           "\n"
           "options:\n"
           "  -f, --format FMT       plain, csv, json or stix (default plain)\n"
           "  -t, --type TYPE        only this type\n"
           "  -s, --source NAME      only what this source asserts\n"
           "  -m, --match TEXT       only values containing TEXT\n"
           "      --min-confidence N only assertions of at least N\n"
           "      --max-tlp LEVEL    leave out assertions marked more restrictively than\n"
           "                         LEVEL (clear, green, amber, amber+strict, red; default red)\n"
           "  -o, --out PATH         write here instead of standard output\n"
           "      --db PATH          store file (default: store.path in the config)\n"
           "  -c, --config PATH      configuration file\n"
           "  -h, --help             this help\n");
}

static int intel_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'}, {"type", required_argument, NULL, 't'},
        {"source", required_argument, NULL, 's'}, {"match", required_argument, NULL, 'm'},
        {"min-confidence", required_argument, NULL, 'C'},
        {"max-tlp", required_argument, NULL, 'T'}, {"out", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, 'd'},     {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {0},
    };
    const char *cmd = "intel export", *db = NULL, *out_path = NULL;
    struct sk_cli_common common = {0};
    struct row_filter f = {.max_tlp = SK_IOC_TLP_RED};
    struct export_ctx ec = {.fmt = EX_PLAIN};
    struct sk_conf *conf = NULL;
    struct sk_store *st = NULL;
    int c, status = SK_EXIT_ERROR;

    optind = 1;
    while ((c = getopt_long(argc, argv, "f:t:s:m:o:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "plain")) ec.fmt = EX_PLAIN;
            else if (!strcmp(optarg, "csv")) ec.fmt = EX_CSV;
            else if (!strcmp(optarg, "json")) ec.fmt = EX_JSON;
            else if (!strcmp(optarg, "stix")) ec.fmt = EX_STIX;
            else return sk_cli_usage_error(cmd, "--format: plain, csv, json or stix");
            break;
        case 'C': if (parse_pct(cmd, "--min-confidence", optarg, &f.min_conf)) return SK_EXIT_ERROR; break;
        case 'T':
            if (sk_ioc_tlp_parse(optarg, &f.max_tlp) < 0)
                return sk_cli_usage_error(cmd, "--max-tlp: expected clear, green, amber, amber+strict or red");
            break;
        case 'o': out_path = optarg; break;
        case 'd': db = optarg; break;
        case 'c': common.config = optarg; break;
        case 'h': export_help(); return SK_EXIT_OK;
        default:
            if (parse_filter_opt(cmd, c, &f) != 0)
                return c == '?' ? sk_cli_usage_error(cmd, "unknown option") : SK_EXIT_ERROR;
        }
    }
    if (optind < argc)
        return sk_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!(conf = sk_cli_load_conf(cmd, &common)))
        return SK_EXIT_ERROR;
    if (open_ro(cmd, conf, db, &st) != 0)
        goto out;
    if (sodium_init() < 0) {
        fprintf(stderr, "sakimori %s: libsodium failed to start\n", cmd);
        goto out;
    }
    sk_buf_init(&ec.out, (size_t)4 << 30);
    sk_rfc3339(sk_now() / SK_NS_PER_MS * SK_NS_PER_MS, ec.now, sizeof ec.now);
    if (ec.fmt == EX_CSV)
        sk_buf_puts(&ec.out, "type,value,confidence,tlp,sources,labels,first_seen,last_seen,valid_until\n");
    if (ec.fmt == EX_STIX)
        ec.objects = json_array();
    if (each_indicator(st, &f, export_ind, &ec) < 0) {
        fprintf(stderr, "sakimori %s: cannot read indicators: %s\n", cmd, sk_store_errmsg(st));
        goto out;
    }
    if (ec.fmt == EX_STIX) {
        json_t *bundle = json_object();
        char bid[64] = "bundle--";
        uuid4(bid + 8);
        /* the TLP 2.0 marking definitions used, as the extension defines them */
        for (int t = SK_IOC_TLP_CLEAR; t <= SK_IOC_TLP_RED; t++) {
            if (!ec.tlp_used[t])
                continue;
            json_t *m = json_object(), *ext = json_object(), *e = json_object();
            char nm[32];
            snprintf(nm, sizeof nm, "TLP:%s", tlp2_words[t]);
            for (char *p = nm; *p; p++)
                *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            json_object_set_new(m, "type", json_string("marking-definition"));
            json_object_set_new(m, "spec_version", json_string("2.1"));
            json_object_set_new(m, "id", json_string(tlp2_ids[t]));
            json_object_set_new(m, "created", json_string("2022-10-01T00:00:00.000Z"));
            json_object_set_new(m, "name", json_string(nm));
            json_object_set_new(e, "extension_type", json_string("property-extension"));
            json_object_set_new(e, "tlp_2_0", json_string(tlp2_words[t]));
            json_object_set_new(ext, "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d", e);
            json_object_set_new(m, "extensions", ext);
            json_array_insert_new(ec.objects, 0, m);
        }
        json_object_set_new(bundle, "type", json_string("bundle"));
        json_object_set_new(bundle, "id", json_string(bid));
        json_object_set_new(bundle, "objects", ec.objects);
        ec.objects = NULL;
        char *txt = json_dumps(bundle, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        json_decref(bundle);
        if (!txt || sk_buf_puts(&ec.out, txt) < 0 || sk_buf_putc(&ec.out, '\n') < 0) {
            free(txt);
            sk_cli_fail(cmd, -SK_ENOMEM, NULL);
            goto out;
        }
        free(txt);
        if (ec.not_stix)
            fprintf(stderr, "sakimori %s: %zu indicator(s) (JA3/JA4) have no STIX 2.1 observable "
                            "and are not in the bundle\n", cmd, ec.not_stix);
    }
    if (out_path) {
        struct sk_errinfo ei = {""};
        int rc = sk_write_file_atomic(out_path, sk_buf_str(&ec.out), ec.out.len, &ei);
        if (rc < 0) {
            sk_cli_fail(cmd, rc, &ei);
            goto out;
        }
    } else {
        fwrite(sk_buf_str(&ec.out), 1, ec.out.len, stdout);
    }
    status = SK_EXIT_OK;
out:
    json_decref(ec.objects);
    sk_buf_free(&ec.out);
    sk_store_close(st);
    sk_conf_free(conf);
    fflush(stdout);
    return status;
}

/* --- stats ---------------------------------------------------------------------------- */

static void stats_help(void)
{
    printf("usage: sakimori intel stats [OPTIONS]\n"
           "\n"
           "Counts the stored indicators by type, source and TLP, says how many are\n"
           "live now (not expired, not decayed below intel.min_confidence), and builds\n"
           "the matching snapshot to report its size and build time.\n"
           "\n"
           "options:\n"
           "      --db PATH        store file (default: store.path in the config)\n"
           "      --json           one JSON object\n"
           "  -c, --config PATH    configuration file\n"
           "  -h, --help           this help\n");
}

static json_t *group_counts(struct sk_store *st, const char *sql)
{
    sqlite3_stmt *q;
    json_t *o = json_object();
    if (sqlite3_prepare_v2(sk_store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
        return o;
    while (sqlite3_step(q) == SQLITE_ROW)
        json_object_set_new(o, sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0) : "unmarked",
                            json_integer(sqlite3_column_int64(q, 1)));
    sqlite3_finalize(q);
    return o;
}

static int intel_stats(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"json", no_argument, NULL, 'j'},
        {"config", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *cmd = "intel stats", *db = NULL;
    struct sk_cli_common common = {0};
    struct sk_conf *conf = NULL;
    struct sk_store *st = NULL;
    struct sk_intel *in = NULL;
    int c, status = SK_EXIT_ERROR;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'h': stats_help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error(cmd, "unknown option");
        }
    }
    if (optind < argc)
        return sk_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!(conf = sk_cli_load_conf(cmd, &common)))
        return SK_EXIT_ERROR;
    if (open_ro(cmd, conf, db, &st) != 0)
        goto out;
    json_t *o = json_object();
    json_object_set_new(o, "by_type", group_counts(st, "SELECT type, count(*) FROM indicators GROUP BY type ORDER BY type"));
    json_object_set_new(o, "by_tlp", group_counts(st, "SELECT tlp, count(*) FROM indicator_sources GROUP BY tlp ORDER BY tlp"));
    json_t *sources = json_array();
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(sk_store_db(st),
                           "SELECT s.name, s.format, s.decay_half_life_ns, s.ttl_ns, s.updated_ns,"
                           " (SELECT count(*) FROM indicator_sources a WHERE a.source_id = s.id)"
                           " FROM intel_sources s ORDER BY s.name", -1, &q, NULL) == SQLITE_OK) {
        while (sqlite3_step(q) == SQLITE_ROW) {
            json_t *s = json_object();
            char d[32], t[SK_RFC3339_LEN];
            json_object_set_new(s, "name", json_string((const char *)sqlite3_column_text(q, 0)));
            json_object_set_new(s, "format", sqlite3_column_text(q, 1) ? json_string((const char *)sqlite3_column_text(q, 1)) : json_null());
            json_object_set_new(s, "decay_half_life", sqlite3_column_type(q, 2) == SQLITE_NULL ? json_null()
                                : json_string(sk_duration_fmt((uint64_t)sqlite3_column_int64(q, 2), d, sizeof d)));
            json_object_set_new(s, "ttl", sqlite3_column_type(q, 3) == SQLITE_NULL ? json_null()
                                : json_string(sk_duration_fmt((uint64_t)sqlite3_column_int64(q, 3), d, sizeof d)));
            json_object_set_new(s, "updated", json_string(sk_rfc3339((sk_nstime)sqlite3_column_int64(q, 4), t, sizeof t)));
            json_object_set_new(s, "assertions", json_integer(sqlite3_column_int64(q, 5)));
            json_array_append_new(sources, s);
        }
        sqlite3_finalize(q);
    }
    json_object_set_new(o, "sources", sources);
    int64_t total = 0, assertions = 0;
    if (sqlite3_prepare_v2(sk_store_db(st), "SELECT (SELECT count(*) FROM indicators), (SELECT count(*) FROM indicator_sources)",
                           -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) {
            total = sqlite3_column_int64(q, 0);
            assertions = sqlite3_column_int64(q, 1);
        }
        sqlite3_finalize(q);
    }
    json_object_set_new(o, "indicators", json_integer(total));
    json_object_set_new(o, "assertions", json_integer(assertions));
    sk_store_close(st);
    st = NULL;
    /* the snapshot the store makes now */
    struct sk_intel_stats is;
    size_t live = 0;
    struct sk_conf only_store = *conf;
    only_store.intel.lists.n = 0;
    only_store.intel.use_store = 1;
    sk_nstime t0 = sk_monotonic();
    if (sk_cli_load_intel(cmd, &only_store, db_path(conf, db), NULL, 0, &in, &live) != 0) {
        json_decref(o);
        goto out;
    }
    double build_s = (double)(sk_monotonic() - t0) / 1e9;
    sk_intel_stats(in, &is);
    json_object_set_new(o, "live_assertions", json_integer((json_int_t)live));
    json_object_set_new(o, "live_indicators", json_integer((json_int_t)is.indicators));
    json_object_set_new(o, "snapshot_build_s", json_real(build_s));
    json_object_set_new(o, "snapshot_bytes", json_integer((json_int_t)(is.bytes_lpm4 + is.bytes_lpm6 +
                                                                        is.bytes_names + is.bytes_other)));
    if (common.json) {
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        const char *k;
        json_t *v;
        size_t i;
        printf("indicators: %lld (%lld source assertions); live now: %zu indicators, %zu assertions\n",
               (long long)total, (long long)assertions, is.indicators, live);
        printf("by type:");
        json_object_foreach(json_object_get(o, "by_type"), k, v)
            printf(" %s %lld", k, (long long)json_integer_value(v));
        printf("\nby TLP (assertions):");
        json_object_foreach(json_object_get(o, "by_tlp"), k, v)
            printf(" %s %lld", k, (long long)json_integer_value(v));
        printf("\nsources:\n");
        json_array_foreach(json_object_get(o, "sources"), i, v)
            printf("  %-24s %8lld assertions  format %-10s decay %-8s ttl %-8s updated %s\n",
                   json_string_value(json_object_get(v, "name")),
                   (long long)json_integer_value(json_object_get(v, "assertions")),
                   json_string_value(json_object_get(v, "format")) ? json_string_value(json_object_get(v, "format")) : "-",
                   json_string_value(json_object_get(v, "decay_half_life")) ? json_string_value(json_object_get(v, "decay_half_life")) : "default",
                   json_string_value(json_object_get(v, "ttl")) ? json_string_value(json_object_get(v, "ttl")) : "default",
                   json_string_value(json_object_get(v, "updated")));
        printf("snapshot: %.1f MiB of matchers, built in %.3f s\n",
               (double)json_integer_value(json_object_get(o, "snapshot_bytes")) / 1048576.0, build_s);
    }
    json_decref(o);
    status = SK_EXIT_OK;
out:
    sk_intel_free(in);
    sk_store_close(st);
    sk_conf_free(conf);
    fflush(stdout);
    return status;
}

int sk__cmd_intel_import(int argc, char **argv) { return intel_import(argc, argv); }
int sk__cmd_intel_list(int argc, char **argv) { return intel_list(argc, argv); }
int sk__cmd_intel_export(int argc, char **argv) { return intel_export(argc, argv); }
int sk__cmd_intel_stats(int argc, char **argv) { return intel_stats(argc, argv); }
