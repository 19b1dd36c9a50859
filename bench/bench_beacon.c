/*
 * bench_beacon.c — the beacon analyzer on N connections over P pairs.
 *
 * Generates flow events in memory (no I/O in the measured loop): P pairs of
 * (internal host, external address), 100 hosts' worth of destinations each
 * host, about N / P connections per pair in rounds of a minute; 1 % of the
 * pairs beacon (once a round, ± 30 % of a round), the rest connect 0, 1 or 2
 * times a round at random places (0.9 a round on average). Per pair the
 * times only go forward, as flow records of a real sensor do. Feeds them to
 * the "beacon" analyzer, then flush(final) scores every pair. Prints one JSON
 * line: connections, pairs, seconds, connections/s, peak RSS, detections.
 *
 * usage: bench_beacon --connections N --pairs P [--dump FILE]
 *   --dump writes the same connections as "src dst start_s bytes" lines for a
 *   peer tool to chew on (bench_beacon.sh uses sort + awk).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sakimori/addr.h"
#include "sakimori/analyzer.h"
#include "sakimori/conf.h"
#include "sakimori/nstime.h"

static uint64_t detections;

static int count(void *ctx, const struct sk_finding *f)
{
    detections++;
    return 0;
}

static inline uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"connections", required_argument, NULL, 'n'},
                                         {"pairs", required_argument, NULL, 'p'},
                                         {"dump", required_argument, NULL, 'd'},
                                         {0}};
    uint64_t n = 1000000, pairs = 10000;
    const char *dump = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'n')
            n = strtoull(optarg, NULL, 10);
        else if (c == 'p')
            pairs = strtoull(optarg, NULL, 10);
        else if (c == 'd')
            dump = optarg;
        else
            return 2;
    }
    if (!pairs || n < pairs) {
        fprintf(stderr, "bench_beacon: need connections ≥ pairs ≥ 1\n");
        return 2;
    }
    struct sk_conf *conf;
    struct sk_errinfo ei = {""};
    const char *yaml = "detect:\n  max_pairs: 100000000\n";
    if (sk_conf_load_string(yaml, strlen(yaml), "bench", &conf, &ei) < 0) {
        fprintf(stderr, "%s\n", ei.msg);
        return 1;
    }
    const struct sk_analyzer_ops *ops = sk_analyzer_find("beacon");
    struct sk_analyzer_env env = {.conf = conf};
    void *st;
    if (ops->create(&st, &env) < 0)
        return 1;
    FILE *df = dump ? fopen(dump, "w") : NULL;
    if (dump && !df) {
        perror(dump);
        return 1;
    }

    /* 1 % of pairs connect once a round, the rest 0.9 times on average */
    uint64_t rounds = (uint64_t)ceil((double)n / ((double)pairs * 0.901)),
             hosts = pairs / 100 ? pairs / 100 : 1;
    const sk_nstime t0 = 1767225600ULL * SK_NS_PER_SEC, round_ns = 60 * SK_NS_PER_SEC;
    struct sk_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SK_EVENT_FLOW;
    ev.proto = 6;
    ev.dport = 443;
    ev.sport = 40000;
    ev.u.flow.pkts_out = ev.u.flow.pkts_in = 6;

    sk_nstime start = sk_monotonic();
    uint64_t fed = 0;
    for (uint64_t r = 0; r < rounds; r++) {
        for (uint64_t p = 0; p < pairs; p++) {
            uint64_t h = mix(p * 0x9e3779b97f4a7c15ULL + r);
            int beacon = p % 100 == 7;
            unsigned k = beacon ? 1 : (h >> 60) < 6 ? 0 : (h >> 60) < 11 ? 1 : 2;
            for (unsigned j = 0; j < k; j++) {
            double frac = beacon ? 0.5 + 0.3 * ((double)(h >> 11) * 0x1.0p-53 - 0.5)
                                 : (j + (double)((h >> (11 + 20 * j)) & 0xfffff) / 1048576.0) / k;
            ev.ts = t0 + r * round_ns + (sk_nstime)(frac * (double)round_ns);
            ev.ts_end = ev.ts + 150 * SK_NS_PER_MS;
            uint64_t host = p % hosts, dst = mix(p) % 100000;
            sk_addr_from_v4(&ev.src, (10u << 24) + (uint32_t)host + 1);
            sk_addr_from_v4(&ev.dst, (100u << 24) + (uint32_t)dst + 1);
            ev.u.flow.bytes_out = beacon ? 300 + (h & 15) : 200 + (h % 5000);
            ev.u.flow.bytes_in = 500 + (h % 3000);
            if (ops->feed(st, &ev, count, NULL) < 0)
                return 1;
            if (df)
                fprintf(df, "%08x %08x %.3f %llu\n", (unsigned)sk_addr_v4(&ev.src),
                        (unsigned)sk_addr_v4(&ev.dst), (double)(ev.ts - t0) / 1e9,
                        (unsigned long long)ev.u.flow.bytes_out);
            fed++;
            }
        }
    }
    sk_nstime fed_at = sk_monotonic();
    if (ops->flush(st, 0, 1, count, NULL) < 0)
        return 1;
    sk_nstime end = sk_monotonic();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double secs = (double)(end - start) / 1e9;
    printf("{\"connections\":%llu,\"pairs\":%llu,\"seconds\":%.2f,\"feed_seconds\":%.2f,"
           "\"score_seconds\":%.2f,\"connections_per_s\":%.0f,\"peak_rss_mb\":%.0f,\"detections\":%llu}\n",
           (unsigned long long)fed, (unsigned long long)pairs, secs,
           (double)(fed_at - start) / 1e9, (double)(end - fed_at) / 1e9, (double)fed / secs,
           (double)ru.ru_maxrss / 1024, (unsigned long long)detections);
    if (df)
        fclose(df);
    ops->destroy(st);
    sk_conf_free(conf);
    return 0;
}
