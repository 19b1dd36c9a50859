/*
 * cmd_synth.c — `sakimori synth`: write a labelled traffic scenario.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sakimori/synth.h"

static void help(void)
{
    printf("usage: sakimori synth --out DIR [OPTIONS]\n"
           "\n"
           "Writes a labelled traffic scenario: DIR/scenario.pcap (benign web browsing\n"
           "over HTTPS with CDN assets, DNS, NTP and periodic software-update checks of\n"
           "many hosts, with C2 beacons, DGA lookups, DNS tunnels and long C2\n"
           "connections among it), DIR/truth.json (which traffic is malicious) and\n"
           "DIR/intel.txt (an indicator list naming the beacons' C2 servers).\n"
           "The same options and seed always give the same files. Infected hosts are\n"
           "ordinary hosts too: they browse and update like the others.\n"
           "\n"
           "options:\n"
           "  -o, --out DIR            output directory (created if missing)\n"
           "  -s, --seed N             random seed (default 1)\n"
           "      --hosts N            internal hosts with benign activity (default 20)\n"
           "      --duration SECONDS   length of the capture (default 3600)\n"
           "      --start TIME         time of the first packet: RFC 3339, or 'now' for a\n"
           "                           capture that ends now (default 2026-01-01T00:00:00Z)\n"
           "      --web-mean SECONDS   mean gap between a host's web sessions (default 90)\n"
           "      --updates N          periodic update services, 0–5 (default 3)\n"
           "      --beacons N          hosts beaconing, one C2 each (default 1)\n"
           "      --period SECONDS     beacon period (default 60)\n"
           "      --period-max SECONDS draw each beacon's period log-uniformly in\n"
           "                           [period, period-max] (default: all equal)\n"
           "      --jitter FRACTION    beacon timing jitter, 0–1 (default 0.1)\n"
           "      --size-jitter FRACTION  beacon size jitter, 0–1 (default 0.1)\n"
           "      --dga N              hosts running a DGA (default 0)\n"
           "      --tunnels N          hosts tunnelling over DNS (default 0)\n"
           "      --longconns N        hosts holding a long C2 connection (default 0)\n"
           "  -h, --help               this help\n");
}

static int parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
        return sk_cli_usage_error("synth", "%s: expected an integer in [%llu, %llu], got '%s'",
                                  opt, (unsigned long long)lo, (unsigned long long)hi, s);
    *out = v;
    return 0;
}

int sk_cmd_synth(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},    {"seed", required_argument, NULL, 's'},
        {"hosts", required_argument, NULL, 'H'},  {"duration", required_argument, NULL, 'D'},
        {"beacons", required_argument, NULL, 'B'}, {"period", required_argument, NULL, 'P'},
        {"jitter", required_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'},
        {"size-jitter", required_argument, NULL, 'Z'}, {"period-max", required_argument, NULL, 'M'},
        {"web-mean", required_argument, NULL, 'W'}, {"updates", required_argument, NULL, 'U'},
        {"dga", required_argument, NULL, 'G'},     {"tunnels", required_argument, NULL, 'T'},
        {"longconns", required_argument, NULL, 'L'},
        {"start", required_argument, NULL, 'S'},
        {0},
    };
    struct sk_synth_cfg cfg;
    struct sk_errinfo ei = {""};
    const char *out = NULL;
    uint64_t v;
    int c, rc;

    const char *start = NULL;

    sk_synth_defaults(&cfg);
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 's':
            if (parse_u64("--seed", optarg, 0, UINT64_MAX, &cfg.seed))
                return SK_EXIT_ERROR;
            break;
        case 'H':
            if (parse_u64("--hosts", optarg, 0, 100000, &v))
                return SK_EXIT_ERROR;
            cfg.hosts = (uint32_t)v;
            break;
        case 'D':
            if (parse_u64("--duration", optarg, 1, 30 * 86400, &v))
                return SK_EXIT_ERROR;
            cfg.duration = v * SK_NS_PER_SEC;
            break;
        case 'B':
            if (parse_u64("--beacons", optarg, 0, 100, &v))
                return SK_EXIT_ERROR;
            cfg.beacons = (uint32_t)v;
            break;
        case 'P':
            if (parse_u64("--period", optarg, 1, 86400, &v))
                return SK_EXIT_ERROR;
            cfg.beacon_period = v * SK_NS_PER_SEC;
            break;
        case 'J':
        case 'Z': {
            char *end;
            double d = strtod(optarg, &end);
            if (end == optarg || *end || !(d >= 0 && d <= 1))
                return sk_cli_usage_error("synth", "%s: expected a number in [0, 1], got '%s'",
                                          c == 'J' ? "--jitter" : "--size-jitter", optarg);
            if (c == 'J')
                cfg.beacon_jitter = d;
            else
                cfg.size_jitter = d;
            break;
        }
        case 'M':
            if (parse_u64("--period-max", optarg, 1, 86400, &v))
                return SK_EXIT_ERROR;
            cfg.beacon_period_max = v * SK_NS_PER_SEC;
            break;
        case 'W':
            if (parse_u64("--web-mean", optarg, 1, 86400, &v))
                return SK_EXIT_ERROR;
            cfg.web_mean = v * SK_NS_PER_SEC;
            break;
        case 'U':
            if (parse_u64("--updates", optarg, 0, 5, &v))
                return SK_EXIT_ERROR;
            cfg.update_services = (uint32_t)v;
            break;
        case 'G':
        case 'T':
        case 'L':
            if (parse_u64(c == 'G' ? "--dga" : c == 'T' ? "--tunnels" : "--longconns", optarg, 0,
                          20, &v))
                return SK_EXIT_ERROR;
            if (c == 'G')
                cfg.dga = (uint32_t)v;
            else if (c == 'T')
                cfg.tunnels = (uint32_t)v;
            else
                cfg.longconns = (uint32_t)v;
            break;
        case 'S': start = optarg; break;
        case 'h': help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("synth", "unknown option");
        }
    }
    if (!out)
        return sk_cli_usage_error("synth", "--out DIR is required");
    if (optind < argc)
        return sk_cli_usage_error("synth", "unexpected argument '%s'", argv[optind]);
    /* after the loop: "now" depends on --duration wherever it was given */
    if (start && strcmp(start, "now") == 0)
        cfg.start = (sk_now() - cfg.duration) / SK_NS_PER_SEC * SK_NS_PER_SEC;
    else if (start && sk_rfc3339_parse(start, &cfg.start) < 0)
        return sk_cli_usage_error("synth", "--start: expected RFC 3339 like 2026-01-01T00:00:00Z or 'now', got '%s'",
                                  start);
    if ((rc = sk_synth_run(&cfg, out, &ei)) < 0)
        return sk_cli_fail("synth", rc, &ei);
    return SK_EXIT_OK;
}
