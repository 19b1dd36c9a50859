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
           "Writes a labelled traffic scenario: DIR/scenario.pcap (benign web, DNS and\n"
           "NTP traffic of many hosts, with C2 beacons among it), DIR/truth.json (which\n"
           "traffic is malicious) and DIR/intel.txt (an indicator list naming the C2\n"
           "servers). The same options and seed always give the same files.\n"
           "\n"
           "options:\n"
           "  -o, --out DIR           output directory (created if missing)\n"
           "  -s, --seed N            random seed (default 1)\n"
           "      --hosts N           benign hosts (default 20)\n"
           "      --duration SECONDS  length of the capture (default 3600)\n"
           "      --beacons N         infected hosts, one C2 each (default 1)\n"
           "      --period SECONDS    beacon period (default 60)\n"
           "      --jitter FRACTION   beacon timing jitter, 0–1 (default 0.1)\n"
           "  -h, --help              this help\n");
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
        {0},
    };
    struct sk_synth_cfg cfg;
    struct sk_errinfo ei = {""};
    const char *out = NULL;
    uint64_t v;
    int c, rc;

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
        case 'J': {
            char *end;
            double d = strtod(optarg, &end);
            if (end == optarg || *end || !(d >= 0 && d <= 1))
                return sk_cli_usage_error("synth", "--jitter: expected a number in [0, 1], got '%s'",
                                          optarg);
            cfg.beacon_jitter = d;
            break;
        }
        case 'h': help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("synth", "unknown option");
        }
    }
    if (!out)
        return sk_cli_usage_error("synth", "--out DIR is required");
    if (optind < argc)
        return sk_cli_usage_error("synth", "unexpected argument '%s'", argv[optind]);
    if ((rc = sk_synth_run(&cfg, out, &ei)) < 0)
        return sk_cli_fail("synth", rc, &ei);
    return SK_EXIT_OK;
}
