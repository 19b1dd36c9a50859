/*
 * cmd_scan.c — `sakimori scan`: offline analysis of captures and logs.
 *
 * Pipeline: each input → its source → sk_events → every analyzer → findset
 * (merge and rank) → output. The store is written in one transaction that
 * spans the scan: telemetry (flow/DNS/TLS/HTTP records, passive DNS) is
 * streamed into it as events come, findings are added at the end, and an
 * input error rolls all of it back, leaving the store exactly as it was.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sakimori/addr.h"
#include "sakimori/analyzer.h"
#include "sakimori/buf.h"
#include "sakimori/event.h"
#include "sakimori/finding.h"
#include "sakimori/intel.h"
#include "sakimori/log.h"
#include "sakimori/privacy.h"
#include "sakimori/source.h"
#include "sakimori/store.h"
#include "sakimori/telemetry.h"
#include "sakimori/warninglist.h"

#define MAX_INTEL_LISTS 64

struct scan {
    const struct sk_analyzer_ops *const *an_ops;
    void **an_state;
    size_t nan;
    struct sk_findset *findings;
    struct sk_source *cur;
    struct sk_store *store;   /* open for the whole scan unless --no-store */
    struct sk_telemetry *tel; /* stored telemetry, NULL when off */
    int64_t run_id;
    struct sk_privacy_filter *privacy;    /* per-input profile, before anything else */
    struct sk_source_session *session; /* state shared by the inputs (NetFlow templates) */
    FILE *events_out;         /* --events: every event as a JSON line */
    struct sk_buf line;
    uint8_t strictest;                 /* strictest privacy profile of the inputs so far */
    uint64_t events[SK_EVENT_ALERT + 1];
    uint64_t nevents;
    int progress;
    sk_nstime next_draw;
};

static void help(void)
{
    printf("usage: sakimori scan [OPTIONS] INPUT...\n"
           "\n"
           "Reads captures and logs offline and prints what matched indicators\n"
           "(sightings) and what analyzers found (detections), strongest first.\n"
           "Findings are also written to the store, in one transaction per scan,\n"
           "with the telemetry seen (flow, DNS, TLS and HTTP records and passive\n"
           "DNS; sense.telemetry: false in the config turns that off).\n"
           "\n"
           "Inputs: pcap/pcapng captures, NetFlow/IPFIX export packets in pcap,\n"
           "Suricata EVE JSON, Zeek logs (TSV or JSON, plain or gzip); '-' is stdin\n"
           "(with --format). The format is detected. Each input's privacy profile\n"
           "comes from the configuration (privacy:, sources:) and is recorded on its\n"
           "findings.\n"
           "\n"
           "options:\n"
           "  -i, --intel PATH   indicator list: one IP, CIDR or domain per line, '#'\n"
           "                     comments; a domain matches its subdomains (repeatable);\n"
           "                     indicators imported into the store are matched too\n"
           "                     (sakimori intel import; intel.use_store)\n"
           "  -w, --warninglists PATH\n"
           "                     MISP warninglists: a list.json, a list folder or a folder\n"
           "                     of lists (repeatable; default: intel.warninglists)\n"
           "  -f, --format NAME  input format instead of detecting it (pcap, netflow,\n"
           "                     eve, zeek)\n"
           "      --bpf EXPR     capture filter applied to packet inputs\n"
           "      --json         one JSON object per finding and line (and the\n"
           "                     per-input statistics as JSON lines on stderr)\n"
           "      --events PATH  also write every event (flow, dns, tls, http) as\n"
           "                     one JSON object per line to PATH\n"
           "      --db PATH      store file (default: store.path in the config,\n"
           "                     ./sakimori.db)\n"
           "      --no-store     do not write findings to the store\n"
           "  -c, --config PATH  configuration file\n"
           "  -q, --quiet        no progress or summary on stderr\n"
           "\n"
           "For each input a summary goes to stderr: records read, events, and\n"
           "records malformed, skipped (not IP) or dropped (over a memory bound).\n"
           "  -h, --help         this help\n"
           "\n"
           "exit status: 0 nothing found, 1 findings, 2 usage or input error\n");
}

static int on_finding(void *ctx, const struct sk_finding *f)
{
    struct scan *sc = ctx;
    if (f->type == SK_FINDING_DETECTION && f->privacy < sc->strictest) {
        /* a detection aggregates events: it carries the strictest profile
         * of the inputs read so far (sightings carry their event's) */
        struct sk_finding g = *f;
        g.privacy = sc->strictest;
        return sk_findset_add(sc->findings, &g);
    }
    return sk_findset_add(sc->findings, f);
}

static void draw_progress(struct scan *sc, int done)
{
    const struct sk_source *s = sc->cur;
    char line[256];
    int n;

    if (s->stats.bytes_total)
        n = snprintf(line, sizeof line, "\rscan: %s  %3.0f%%  %llu records  %llu events",
                     s->path, 100.0 * (double)s->stats.bytes / (double)s->stats.bytes_total,
                     (unsigned long long)s->stats.records, (unsigned long long)sc->nevents);
    else
        n = snprintf(line, sizeof line, "\rscan: %s  %llu records  %llu events", s->path,
                     (unsigned long long)s->stats.records, (unsigned long long)sc->nevents);
    fprintf(stderr, "%s\033[K%s", line, done ? "\n" : "");
    (void)n;
}

static int on_event(void *ctx, const struct sk_event *ev)
{
    struct scan *sc = ctx;
    struct sk_event filtered;
    int rc;

    if (!(ev = sk_privacy_apply(sc->privacy, sc->cur->opts.privacy, ev, &filtered)))
        return 0; /* the input's privacy profile keeps nothing of it */
    sc->nevents++;
    if (ev->kind <= SK_EVENT_ALERT)
        sc->events[ev->kind]++;
    if (sc->tel && (rc = sk_telemetry_add(sc->tel, ev)) < 0)
        return rc;
    if (sc->events_out) {
        sk_buf_reset(&sc->line);
        if ((rc = sk_event_json(ev, &sc->line)) < 0)
            return rc;
        if (fputs(sk_buf_str(&sc->line), sc->events_out) == EOF ||
            fputc('\n', sc->events_out) == EOF)
            return -SK_EIO;
    }
    for (size_t i = 0; i < sc->nan; i++)
        if ((rc = sc->an_ops[i]->feed(sc->an_state[i], ev, on_finding, sc)) < 0)
            return rc;
    if (sc->progress && (sc->nevents & 1023) == 0) {
        sk_nstime now = sk_monotonic();
        if (now >= sc->next_draw) {
            draw_progress(sc, 0);
            sc->next_draw = now + 250 * SK_NS_PER_MS;
        }
    }
    return 0;
}

/* A path as a JSON string body: quotes, backslashes and control bytes escaped. */
static const char *json_path(const char *p, char *out, size_t len)
{
    size_t o = 0;
    for (; *p && o + 7 < len; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, len - o, "\\%c", c);
        else if (c < 0x20)
            o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
    return out;
}

/* "addr:port", "[v6]:port", or the bare address where there is no port
 * (a detection about a host pair rather than one connection). */
static void endpoint(char *out, size_t len, const struct sk_addr *a, uint16_t port)
{
    char s[SK_ADDR_STRLEN];
    if (!a->family)
        snprintf(out, len, "-");
    else if (port == 0)
        snprintf(out, len, "%s", sk_addr_fmt(a, s, sizeof s));
    else if (a->family == SK_AF_INET6)
        snprintf(out, len, "[%s]:%u", sk_addr_fmt(a, s, sizeof s), port);
    else
        snprintf(out, len, "%s:%u", sk_addr_fmt(a, s, sizeof s), port);
}

enum { COL_TYPE, COL_FIRST, COL_LAST, COL_PROTO, COL_SRC, COL_DST, COL_NAME,
       COL_IND, COL_LIST, COL_SCORE, COL_COUNT, NCOLS };

static void print_table(const struct sk_finding *const *v, size_t n)
{
    static const char *const head[NCOLS] = {"TYPE", "FIRST SEEN", "LAST SEEN", "PROTO",
                                            "SOURCE", "DESTINATION", "NAME", "INDICATOR",
                                            "LIST", "SCORE", "COUNT"};
    size_t w[NCOLS];
    char (*cells)[NCOLS][160] = calloc(n ? n : 1, sizeof *cells);

    if (!cells)
        return;
    for (int c = 0; c < NCOLS; c++)
        w[c] = strlen(head[c]);
    for (size_t i = 0; i < n; i++) {
        const struct sk_finding *f = v[i];
        char pb[8];
        snprintf(cells[i][COL_TYPE], 160, "%s", f->type == SK_FINDING_DETECTION && f->analyzer ? f->analyzer : sk_finding_type_name(f->type));
        /* milliseconds are enough for a person; --json keeps every digit */
        sk_rfc3339(f->ts_first / SK_NS_PER_MS * SK_NS_PER_MS, cells[i][COL_FIRST], 160);
        sk_rfc3339(f->ts_last / SK_NS_PER_MS * SK_NS_PER_MS, cells[i][COL_LAST], 160);
        snprintf(cells[i][COL_PROTO], 160, "%s", sk_proto_name(f->proto, pb, sizeof pb));
        endpoint(cells[i][COL_SRC], 160, &f->src, f->sport);
        endpoint(cells[i][COL_DST], 160, &f->dst, f->dport);
        snprintf(cells[i][COL_NAME], 160, "%s", f->name ? f->name : "-");
        snprintf(cells[i][COL_IND], 160, "%s", f->indicator.value ? f->indicator.value : "-");
        snprintf(cells[i][COL_LIST], 160, "%s", f->indicator.value && f->indicator.source ? f->indicator.source : "-");
        if (f->type == SK_FINDING_DETECTION)
            snprintf(cells[i][COL_SCORE], 160, "%.3f", f->score);
        else
            snprintf(cells[i][COL_SCORE], 160, "-");
        snprintf(cells[i][COL_COUNT], 160, "%llu", (unsigned long long)f->count);
        for (int c = 0; c < NCOLS; c++)
            if (strlen(cells[i][c]) > w[c])
                w[c] = strlen(cells[i][c]);
    }
    for (int c = 0; c < NCOLS; c++)
        printf(c == COL_COUNT ? "%*s" : "%-*s  ", (int)w[c], head[c]);
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < NCOLS; c++)
            printf(c == COL_COUNT ? "%*s" : "%-*s  ", (int)w[c], cells[i][c]);
        printf("\n");
    }
    free(cells);
}

/* Opens the store and starts the scan's transaction and run record. */
static int store_start(const char *db, int argc, char **argv, const struct sk_conf *conf,
                       struct scan *sc, struct sk_errinfo *ei)
{
    struct sk_buf inputs;
    int rc;

    sk_buf_init(&inputs, 1 << 20);
    for (int i = 0; i < argc; i++)
        if ((rc = sk_buf_printf(&inputs, "%s%s", i ? " " : "", argv[i])) < 0)
            goto out;
    if ((rc = sk_store_open(&sc->store, db, ei)) < 0)
        goto out;
    if ((rc = sk_store_begin(sc->store)) < 0 ||
        (rc = sk_store_run_begin(sc->store, "scan", sk_buf_str(&inputs), &sc->run_id)) < 0) {
        sk_errinfo_set(ei, "%s: cannot record the scan: %s", db, sk_store_errmsg(sc->store));
        goto out;
    }
    if (conf->sense.telemetry) {
        struct sk_telemetry_opts to = {.run_id = sc->run_id, .flows = 1, .dns = 1,
                                       .tls = 1, .http = 1, .pdns = 1};
        rc = sk_telemetry_new(&sc->tel, sc->store, &to);
    }
out:
    sk_buf_free(&inputs);
    return rc;
}

/* Adds the findings, closes the run and commits everything. */
static int store_finish(const char *db, struct scan *sc, const struct sk_finding *const *v,
                        size_t n, struct sk_errinfo *ei)
{
    int rc;

    if (sc->tel && (rc = sk_telemetry_flush(sc->tel)) < 0)
        goto db_error;
    for (size_t i = 0; i < n; i++)
        if ((rc = sk_store_add_finding(sc->store, sc->run_id, v[i])) < 0)
            goto db_error;
    if ((rc = sk_store_run_end(sc->store, sc->run_id, sc->nevents, n)) < 0 ||
        (rc = sk_store_commit(sc->store)) < 0)
        goto db_error;
    return 0;
db_error:
    sk_errinfo_set(ei, "%s: cannot record findings: %s", db, sk_store_errmsg(sc->store));
    sk_store_rollback(sc->store);
    return rc;
}

int sk_cmd_scan(int argc, char **argv)
{
    static const struct option opts[] = {
        {"intel", required_argument, NULL, 'i'}, {"format", required_argument, NULL, 'f'},
        {"bpf", required_argument, NULL, 'B'},   {"json", no_argument, NULL, 'j'},
        {"db", required_argument, NULL, 'd'},    {"no-store", no_argument, NULL, 'N'},
        {"config", required_argument, NULL, 'c'}, {"quiet", no_argument, NULL, 'q'},
        {"warninglists", required_argument, NULL, 'w'},
        {"events", required_argument, NULL, 'E'},
        {"help", no_argument, NULL, 'h'},        {0},
    };
    struct sk_cli_common common = {0};
    const char *intel_paths[MAX_INTEL_LISTS], *format = NULL, *bpf = NULL, *db = NULL;
    const char *wl_paths[MAX_INTEL_LISTS];
    size_t nintel = 0, nwl = 0;
    struct sk_warninglists *wl = NULL;
    const char *events_path = NULL;
    int no_store = 0, c, rc, status = SK_EXIT_ERROR;
    struct sk_errinfo ei = {""};
    struct sk_conf *conf = NULL;
    struct sk_intel *intel = NULL;
    struct scan sc;
    char pathbuf[4096];

    memset(&sc, 0, sizeof sc);
    sk_buf_init(&sc.line, 1 << 20);
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:f:c:w:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (nintel == MAX_INTEL_LISTS)
                return sk_cli_usage_error("scan", "at most %d --intel lists", MAX_INTEL_LISTS);
            intel_paths[nintel++] = optarg;
            break;
        case 'w':
            if (nwl == MAX_INTEL_LISTS)
                return sk_cli_usage_error("scan", "at most %d --warninglists", MAX_INTEL_LISTS);
            wl_paths[nwl++] = optarg;
            break;
        case 'f': format = optarg; break;
        case 'B': bpf = optarg; break;
        case 'j': common.json = 1; break;
        case 'd': db = optarg; break;
        case 'E': events_path = optarg; break;
        case 'N': no_store = 1; break;
        case 'c': common.config = optarg; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("scan", "unknown option");
        }
    }
    if (optind >= argc)
        return sk_cli_usage_error("scan", "no input given");
    if (format && !sk_source_find(format))
        return sk_cli_usage_error("scan", "unknown format '%s'", format);
    if (!(conf = sk_cli_load_conf("scan", &common)))
        return SK_EXIT_ERROR;
    if (!db)
        db = conf->store.path;
    if ((rc = sk_privacy_new(&sc.privacy, conf, &ei)) < 0 ||
        (rc = sk_source_session_new(&sc.session)) < 0)
        goto fail;

    /* indicators: configured lists, --intel, and the store's live ones
     * (intel.use_store); any bad line stops here */
    if (sk_cli_load_intel("scan", conf, db, intel_paths, nintel, &intel, NULL) != 0)
        goto out;
    if (sk_cli_load_warninglists("scan", conf, wl_paths, nwl, &wl) != 0)
        goto out;

    /* analyzers */
    sc.an_ops = sk_analyzer_all();
    while (sc.an_ops[sc.nan])
        sc.nan++;
    if (!(sc.an_state = calloc(sc.nan, sizeof *sc.an_state)) ||
        (rc = sk_findset_new(&sc.findings)) < 0) {
        rc = -SK_ENOMEM;
        goto fail;
    }
    struct sk_analyzer_env env = {.conf = conf, .intel = intel, .warninglists = wl};
    for (size_t i = 0; i < sc.nan; i++)
        if ((rc = sc.an_ops[i]->create(&sc.an_state[i], &env)) < 0)
            goto fail;
    sc.progress = sk_cli_progress_ok(&common);
    if (events_path && !(sc.events_out = fopen(events_path, "w"))) {
        rc = sk_fail(&ei, -errno, "%s: %s", events_path, strerror(errno));
        goto fail;
    }
    if (!no_store && (rc = store_start(db, argc - optind, argv + optind, conf, &sc, &ei)) < 0)
        goto fail;

    /* inputs */
    for (int i = optind; i < argc; i++) {
        struct sk_source_opts so = {.conf = conf, .bpf = bpf,
                                    .privacy = sk_privacy_profile_for(conf, argv[i]),
                                    .source_id = (uint16_t)(i - optind),
                                    .session = sc.session};
        if (so.privacy > sc.strictest)
            sc.strictest = so.privacy;
        const struct sk_conf_source *cs = sk_conf_source_for(conf, argv[i]);
        if ((rc = sk_source_open(&sc.cur, format ? format : cs ? cs->format : NULL, argv[i],
                                 &so, &ei)) < 0)
            goto fail;
        uint64_t events_before = sc.nevents;
        rc = sc.cur->ops->run(sc.cur, on_event, &sc);
        if (sc.progress)
            draw_progress(&sc, 1);
        if (rc < 0) {
            if (sc.cur->err.msg[0])
                ei = sc.cur->err;
            else if (sc.store && rc == -SK_ESTORE)
                sk_errinfo_set(&ei, "%s: cannot record telemetry: %s", db,
                               sk_store_errmsg(sc.store));
            goto fail;
        }
        const struct sk_source_stats *s = &sc.cur->stats;
        if (!common.quiet) {
            if (common.json)
                fprintf(stderr,
                        "{\"stats\":{\"input\":\"%s\",\"format\":\"%s\",\"records\":%llu,"
                        "\"events\":%llu,\"malformed\":%llu,\"skipped\":%llu,"
                        "\"dropped\":%llu}}\n",
                        json_path(argv[i], pathbuf, sizeof pathbuf), sc.cur->ops->name,
                        (unsigned long long)s->records,
                        (unsigned long long)(sc.nevents - events_before),
                        (unsigned long long)s->malformed, (unsigned long long)s->skipped,
                        (unsigned long long)s->dropped);
            else
                fprintf(stderr,
                        "scan: %s: %s, %llu records, %llu events, %llu malformed, "
                        "%llu skipped, %llu dropped\n",
                        argv[i], sc.cur->ops->name, (unsigned long long)s->records,
                        (unsigned long long)(sc.nevents - events_before),
                        (unsigned long long)s->malformed, (unsigned long long)s->skipped,
                        (unsigned long long)s->dropped);
        }
        sk_source_close(sc.cur);
        sc.cur = NULL;
    }
    for (size_t i = 0; i < sc.nan; i++)
        if ((rc = sc.an_ops[i]->flush(sc.an_state[i], 0, 1, on_finding, &sc)) < 0)
            goto fail;

    size_t n;
    const struct sk_finding *const *v = sk_findset_sorted(sc.findings, &n);
    if (sc.store && (rc = store_finish(db, &sc, v, n, &ei)) < 0)
        goto fail;
    if (common.json) {
        struct sk_buf line;
        sk_buf_init(&line, 1 << 20);
        for (size_t i = 0; i < n; i++) {
            sk_buf_reset(&line);
            if (sk_finding_json(v[i], &line) == 0)
                printf("%s\n", sk_buf_str(&line));
        }
        sk_buf_free(&line);
    } else if (n) {
        print_table(v, n);
    }
    if (!common.quiet && isatty(STDERR_FILENO))
        fprintf(stderr, "scan: %llu events (%llu flows, %llu dns); %zu findings; %zu indicators\n",
                (unsigned long long)sc.nevents, (unsigned long long)sc.events[SK_EVENT_FLOW],
                (unsigned long long)sc.events[SK_EVENT_DNS], n, sk_intel_count(intel));
    status = n ? SK_EXIT_FINDINGS : SK_EXIT_OK;
    goto out;
fail:
    sk_cli_fail("scan", rc, &ei);
    status = SK_EXIT_ERROR;
out:
    if (sc.cur)
        sk_source_close(sc.cur);
    sk_telemetry_free(sc.tel);
    if (sc.events_out && fclose(sc.events_out) == EOF && status != SK_EXIT_ERROR) {
        fprintf(stderr, "sakimori scan: %s: %s\n", events_path, strerror(errno));
        status = SK_EXIT_ERROR;
    }
    sk_buf_free(&sc.line);
    sk_store_close(sc.store); /* rolls back a transaction left open by a failure */
    for (size_t i = 0; sc.an_state && i < sc.nan; i++)
        if (sc.an_state[i])
            sc.an_ops[i]->destroy(sc.an_state[i]);
    free(sc.an_state);
    sk_findset_free(sc.findings);
    sk_source_session_free(sc.session);
    sk_privacy_free(sc.privacy);
    sk_intel_free(intel);
    sk_wl_free(wl);
    sk_conf_free(conf);
    fflush(stdout);
    return status;
}
