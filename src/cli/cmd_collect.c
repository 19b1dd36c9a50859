/*
 * cmd_collect.c — `sakimori collect`: telemetry in, normalized events out.
 *
 * Reads inputs as scan does (captures, NetFlow/IPFIX captures, EVE JSON,
 * Zeek logs, stdin) and, with --listen, receives NetFlow/IPFIX over UDP;
 * every event goes through the privacy filter of its input and is printed
 * as a line of text or of JSON. This is the collector of the future daemon
 * (`sakimori serve` runs the same sources) usable on its own today: pipe it
 * to a file, to jq, to another tool.
 *
 * Live inputs (--listen, --follow) run until SIGINT/SIGTERM, --for, or
 * --idle. Per-input statistics (records, events, malformed, skipped,
 * dropped) go to stderr at the end of each input, as JSON with --stats.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sakimori/addr.h"
#include "sakimori/buf.h"
#include "sakimori/event.h"
#include "sakimori/file.h"
#include "sakimori/log.h"
#include "sakimori/privacy.h"
#include "sakimori/source.h"
#include "sense/netflow.h"

#define MAX_INPUTS 256

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct collect {
    struct sk_privacy_filter *pf;
    struct sk_source *cur;
    uint8_t profile;
    int json, print;
    struct sk_buf line;
    uint64_t printed;
};

static void help(void)
{
    printf("usage: sakimori collect [OPTIONS] [INPUT...]\n"
           "\n"
           "Decodes telemetry into sakimori's normalized events and prints them, after\n"
           "the privacy filter of each input: one line per event, or one JSON object\n"
           "per line with --json. Inputs are read as by scan: pcap/pcapng, NetFlow/IPFIX\n"
           "export packets in pcap, Suricata EVE JSON, Zeek logs (TSV or JSON, plain or\n"
           "gzip); '-' is stdin (with --format). --listen receives NetFlow v5/v9\n"
           "and IPFIX over UDP.\n"
           "\n"
           "options:\n"
           "  -l, --listen ADDR    receive NetFlow/IPFIX on UDP ADDR (HOST:PORT,\n"
           "                       [::1]:PORT; port 0 picks a free port)\n"
           "  -f, --format NAME    input format instead of detecting it (pcap, netflow,\n"
           "                       eve, zeek); 'live' captures on the interface named\n"
           "                       as the input (collect -f live eth0)\n"
           "      --bpf EXPR       capture filter for packet inputs (pcap, live)\n"
           "      --follow         keep reading files as they grow, across rotation\n"
           "      --for DURATION   stop live inputs after this long (30s, 5m, …)\n"
           "      --idle DURATION  stop live inputs after this long without input (for\n"
           "                       --listen: counted from the first datagram)\n"
           "      --port-file PATH write the UDP port bound by --listen to PATH\n"
           "  -n, --no-events      print no events (statistics only)\n"
           "      --json           events as JSON objects, one per line\n"
           "      --stats          per-input statistics as JSON lines on stderr\n"
           "  -c, --config PATH    configuration file (privacy, sources, netflow)\n"
           "  -q, --quiet          no statistics on stderr\n"
           "  -h, --help           this help\n"
           "\n"
           "Live inputs stop on SIGINT or SIGTERM, and statistics are still printed.\n"
           "exit status: 0 success, 2 usage or input error\n");
}

static void endpoint(struct sk_buf *b, const struct sk_addr *a, uint16_t port)
{
    char s[SK_ADDR_STRLEN];
    if (!a->family)
        sk_buf_puts(b, "-");
    else if (a->family == SK_AF_INET6)
        sk_buf_printf(b, "[%s]:%u", sk_addr_fmt(a, s, sizeof s), port);
    else
        sk_buf_printf(b, "%s:%u", sk_addr_fmt(a, s, sizeof s), port);
}

static void text_line(struct sk_buf *b, const struct sk_event *ev)
{
    char ts[SK_RFC3339_LEN], pb[8];

    sk_buf_printf(b, "%-5s %s %-5s ", sk_event_kind_name((enum sk_event_kind)ev->kind),
                  sk_rfc3339(ev->ts, ts, sizeof ts), sk_proto_name(ev->proto, pb, sizeof pb));
    endpoint(b, &ev->src, ev->sport);
    sk_buf_puts(b, " -> ");
    endpoint(b, &ev->dst, ev->dport);
    switch (ev->kind) {
    case SK_EVENT_FLOW: {
        const struct sk_ev_flow *f = &ev->u.flow;
        sk_buf_printf(b, " pkts %llu/%llu bytes %llu/%llu flags 0x%02x/0x%02x",
                      (unsigned long long)f->pkts_out, (unsigned long long)f->pkts_in,
                      (unsigned long long)f->bytes_out, (unsigned long long)f->bytes_in,
                      f->tcp_flags_out, f->tcp_flags_in);
        if (f->sampling > 1)
            sk_buf_printf(b, " sampling 1/%u", f->sampling);
        break;
    }
    case SK_EVENT_DNS:
        sk_buf_printf(b, " %s %s qtype %u", ev->u.dns.is_response ? "response" : "query",
                      ev->u.dns.qname ? ev->u.dns.qname : "-", ev->u.dns.qtype);
        if (ev->u.dns.is_response)
            sk_buf_printf(b, " rcode %u answers %u", ev->u.dns.rcode, ev->u.dns.n_answers);
        break;
    case SK_EVENT_TLS:
        sk_buf_printf(b, " sni %s ja3 %s", ev->u.tls.sni ? ev->u.tls.sni : "-",
                      ev->u.tls.ja3 ? ev->u.tls.ja3 : "-");
        break;
    case SK_EVENT_HTTP:
        sk_buf_printf(b, " %s %s%s", ev->u.http.method ? ev->u.http.method : "-",
                      ev->u.http.host ? ev->u.http.host : "-", ev->u.http.uri ? ev->u.http.uri : "");
        break;
    case SK_EVENT_ALERT:
        sk_buf_printf(b, " sid %u %s", ev->u.alert.sid,
                      ev->u.alert.signature ? ev->u.alert.signature : "-");
        break;
    }
}

static int on_event(void *ctx, const struct sk_event *ev)
{
    struct collect *co = ctx;
    struct sk_event filtered;

    if (!(ev = sk_privacy_apply(co->pf, co->profile, ev, &filtered)))
        return 0;
    if (!co->print)
        return 0;
    sk_buf_reset(&co->line);
    if (co->json ? sk_event_json(ev, &co->line) < 0 : (text_line(&co->line, ev), 0))
        return 0; /* a line over the cap: not printable, not fatal */
    sk_buf_putc(&co->line, '\n');
    if (fwrite(co->line.data, 1, co->line.len, stdout) != co->line.len)
        return -errno;
    co->printed++;
    return 0;
}

static void print_stats(const char *input, const struct sk_source *s, int json)
{
    const struct sk_source_stats *st = &s->stats;
    if (json) {
        struct sk_buf b;
        sk_buf_init(&b, 1 << 16);
        sk_buf_puts(&b, "{\"input\":");
        /* reuse the JSON string writer through a tiny event-free path */
        sk_buf_putc(&b, '"');
        for (const char *p = input; *p; p++) {
            if (*p == '"' || *p == '\\')
                sk_buf_putc(&b, '\\');
            if ((unsigned char)*p < 0x20)
                sk_buf_printf(&b, "\\u%04x", (unsigned char)*p);
            else
                sk_buf_putc(&b, *p);
        }
        sk_buf_printf(&b,
                      "\",\"format\":\"%s\",\"records\":%llu,\"events\":%llu,\"malformed\":%llu,"
                      "\"skipped\":%llu,\"dropped\":%llu,\"bytes\":%llu}",
                      s->ops->name, (unsigned long long)st->records,
                      (unsigned long long)st->events, (unsigned long long)st->malformed,
                      (unsigned long long)st->skipped, (unsigned long long)st->dropped,
                      (unsigned long long)st->bytes);
        fprintf(stderr, "%s\n", sk_buf_str(&b));
        sk_buf_free(&b);
    } else {
        fprintf(stderr,
                "collect: %s: %s, %llu records, %llu events, %llu malformed, %llu skipped, "
                "%llu dropped\n",
                input, s->ops->name, (unsigned long long)st->records,
                (unsigned long long)st->events, (unsigned long long)st->malformed,
                (unsigned long long)st->skipped, (unsigned long long)st->dropped);
    }
}

int sk_cmd_collect(int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'}, {"format", required_argument, NULL, 'f'},
        {"follow", no_argument, NULL, 'F'},       {"for", required_argument, NULL, 'T'},
        {"idle", required_argument, NULL, 'I'},   {"port-file", required_argument, NULL, 'P'},
        {"no-events", no_argument, NULL, 'n'},    {"json", no_argument, NULL, 'j'},
        {"stats", no_argument, NULL, 'S'},        {"config", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {"bpf", required_argument, NULL, 'B'},
        {0},
    };
    struct sk_cli_common common = {0};
    const char *format = NULL, *listen_addr = NULL, *port_file = NULL, *bpf = NULL;
    const char *inputs[MAX_INPUTS];
    size_t ninputs = 0;
    int follow = 0, stats_json = 0, no_events = 0, c, rc = 0, status = SK_EXIT_ERROR;
    uint64_t run_for = 0, idle = 0;
    struct sk_errinfo ei = {""};
    struct sk_conf *conf = NULL;
    struct sk_source_session *session = NULL;
    struct collect co;
    char listen_input[300];

    memset(&co, 0, sizeof co);
    optind = 1;
    while ((c = getopt_long(argc, argv, "l:f:nc:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'l': listen_addr = optarg; break;
        case 'f': format = optarg; break;
        case 'F': follow = 1; break;
        case 'T':
            if (sk_duration_parse(optarg, &run_for) < 0 || run_for == 0)
                return sk_cli_usage_error("collect", "--for: expected a duration like 30s, got '%s'", optarg);
            break;
        case 'I':
            if (sk_duration_parse(optarg, &idle) < 0 || idle == 0)
                return sk_cli_usage_error("collect", "--idle: expected a duration like 2s, got '%s'", optarg);
            break;
        case 'P': port_file = optarg; break;
        case 'B': bpf = optarg; break;
        case 'n': no_events = 1; break;
        case 'j': common.json = 1; break;
        case 'S': stats_json = 1; break;
        case 'c': common.config = optarg; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("collect", "unknown option");
        }
    }
    for (int i = optind; i < argc; i++) {
        if (ninputs == MAX_INPUTS - 1)
            return sk_cli_usage_error("collect", "at most %d inputs", MAX_INPUTS - 1);
        inputs[ninputs++] = argv[i];
    }
    if (listen_addr) {
        snprintf(listen_input, sizeof listen_input, "%s%s",
                 strncmp(listen_addr, "udp://", 6) ? "udp://" : "", listen_addr);
        inputs[ninputs++] = listen_input;
    }
    if (!ninputs)
        return sk_cli_usage_error("collect", "no input given (files, '-', or --listen ADDR)");
    if (format && !sk_source_find(format))
        return sk_cli_usage_error("collect", "unknown format '%s'", format);
    if (port_file && !listen_addr)
        return sk_cli_usage_error("collect", "--port-file needs --listen");
    if (!(conf = sk_cli_load_conf("collect", &common)))
        return SK_EXIT_ERROR;
    if ((rc = sk_privacy_new(&co.pf, conf, &ei)) < 0 ||
        (rc = sk_source_session_new(&session)) < 0)
        goto fail;
    co.json = common.json;
    co.print = !no_events;
    sk_buf_init(&co.line, 16u << 20);
    /* live inputs: each event as it comes; files: big writes */
    static char outbuf[1 << 20];
    setvbuf(stdout, outbuf, listen_addr || follow ? _IOLBF : _IOFBF, sizeof outbuf);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second signal ends the process */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    if (run_for) {
        struct itimerval it = {{0, 0}, {(time_t)(run_for / SK_NS_PER_SEC),
                                        (suseconds_t)(run_for % SK_NS_PER_SEC / 1000)}};
        setitimer(ITIMER_REAL, &it, NULL);
    }

    for (size_t i = 0; i < ninputs && !stop_flag; i++) {
        const char *in = inputs[i];
        const struct sk_conf_source *cs = sk_conf_source_for(conf, in);
        int live = strncmp(in, "udp://", 6) == 0;
        struct sk_source_opts so = {.conf = conf,
                                    .bpf = bpf,
                                    .privacy = sk_privacy_profile_for(conf, in),
                                    .source_id = (uint16_t)i,
                                    .follow = follow || (cs && cs->follow),
                                    .session = session,
                                    .stop = &stop_flag,
                                    .idle_stop = idle};
        const char *fmt = live ? "netflow-udp" : format ? format : cs ? cs->format : NULL;
        if ((rc = sk_source_open(&co.cur, fmt, in, &so, &ei)) < 0)
            goto fail;
        co.profile = so.privacy;
        if (live) {
            char bound[128];
            int port = sk__collect_bound(co.cur, bound, sizeof bound);
            if (!common.quiet)
                fprintf(stderr, "collect: listening on udp %s\n", bound);
            if (port_file) {
                char pbuf[16];
                int n = snprintf(pbuf, sizeof pbuf, "%d\n", port);
                if ((rc = sk_write_file_atomic(port_file, pbuf, (size_t)n, &ei)) < 0)
                    goto fail;
            }
        }
        rc = co.cur->ops->run(co.cur, on_event, &co);
        fflush(stdout);
        if (!common.quiet || stats_json)
            print_stats(in, co.cur, stats_json);
        if (rc < 0) {
            if (co.cur->err.msg[0])
                ei = co.cur->err;
            goto fail;
        }
        sk_source_close(co.cur);
        co.cur = NULL;
    }
    if (stats_json) {
        struct sk_privacy_stats ps;
        sk_privacy_stats(co.pf, &ps);
        fprintf(stderr,
                "{\"privacy\":{\"events\":%llu,\"stripped\":%llu,\"dropped_domestic\":%llu,"
                "\"pseudonymized\":%llu}}\n",
                (unsigned long long)ps.events, (unsigned long long)ps.stripped,
                (unsigned long long)ps.dropped_domestic, (unsigned long long)ps.pseudonymized);
    }
    status = SK_EXIT_OK;
    goto out;
fail:
    sk_cli_fail("collect", rc, &ei);
    status = SK_EXIT_ERROR;
out:
    if (co.cur)
        sk_source_close(co.cur);
    sk_source_session_free(session);
    sk_privacy_free(co.pf);
    sk_buf_free(&co.line);
    sk_conf_free(conf);
    fflush(stdout);
    return status;
}
