/*
 * bench_pcap.c — the packet pipeline on a capture, without the CLI around
 * it, and the flow table's memory per active flow.
 *
 *   bench_pcap FILE.pcap     reads FILE through the pcap source (decode,
 *                            reassembly, flows, DNS/TLS/HTTP) into a sink
 *                            that only counts events; prints packets/s
 *   bench_pcap --flowmem N   puts N distinct active flows in a table sized
 *                            for N and prints the resident memory they
 *                            added, per flow (the ≤ 128 bytes budget)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/conf.h"
#include "sakimori/source.h"
#include "sense/flow.h"

static int sink(void *ctx, const struct sk_event *ev)
{
    uint64_t *n = ctx;
    if (ev->kind <= SK_EVENT_ALERT)
        n[ev->kind]++;
    return 0;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static int flowmem(unsigned long n)
{
    struct sk_flowtab *ft;
    struct sk_flowtab_cfg cfg = {.idle_timeout = 3600 * SK_NS_PER_SEC,
                                 .active_timeout = 7200 * SK_NS_PER_SEC,
                                 .max_flows = (uint32_t)n};
    struct sk_packet pk;
    long before = rss_kb();

    if (sk_flowtab_new(&ft, &cfg, NULL, NULL) < 0)
        return 1;
    memset(&pk, 0, sizeof pk);
    pk.proto = 6;
    pk.ip_len = 60;
    pk.tcp_flags = 0x02;
    for (unsigned long i = 0; i < n; i++) {
        sk_addr_from_v4(&pk.src, 0x0a000000u + (uint32_t)(i >> 8));
        sk_addr_from_v4(&pk.dst, 0xc6336400u + (uint32_t)(i & 0xff));
        pk.sport = (uint16_t)(1024 + (i % 50000));
        pk.dport = 443;
        pk.ts = SK_NS_PER_SEC + i;
        if (sk_flowtab_packet(ft, &pk, NULL) < 0)
            return 1;
    }
    struct sk_flowtab_stats st;
    sk_flowtab_stats(ft, &st);
    long after = rss_kb();
    printf("flow table: %u active flows, %ld KiB resident added, %.1f bytes per active flow"
           " (record + index: %zu bytes)\n",
           st.active, after - before, (double)(after - before) * 1024 / st.active,
           sk_flowtab_bytes_per_flow());
    sk_flowtab_free(ft);
    return 0;
}

int main(int argc, char **argv)
{
    struct sk_conf conf;
    struct sk_source *src;
    struct sk_errinfo ei = {""};
    uint64_t n[SK_EVENT_ALERT + 1] = {0};

    if (argc == 3 && strcmp(argv[1], "--flowmem") == 0)
        return flowmem(strtoul(argv[2], NULL, 10));
    if (argc != 2) {
        fprintf(stderr, "usage: bench_pcap FILE.pcap | --flowmem N\n");
        return 2;
    }
    sk_conf_defaults(&conf);
    struct sk_source_opts so = {.conf = &conf};
    if (sk_source_open(&src, "pcap", argv[1], &so, &ei) < 0) {
        fprintf(stderr, "bench_pcap: %s\n", ei.msg);
        return 2;
    }
    sk_nstime t0 = sk_monotonic();
    int rc = src->ops->run(src, sink, n);
    double s = (double)(sk_monotonic() - t0) / 1e9;
    if (rc < 0) {
        fprintf(stderr, "bench_pcap: %s\n", src->err.msg);
        return 2;
    }
    printf("sakimori pipeline: %llu packets in %.3f s = %.2f Mpackets/s; %llu flows, %llu dns, "
           "%llu tls, %llu http events; %llu malformed\n",
           (unsigned long long)src->stats.records, s, (double)src->stats.records / s / 1e6,
           (unsigned long long)n[SK_EVENT_FLOW], (unsigned long long)n[SK_EVENT_DNS],
           (unsigned long long)n[SK_EVENT_TLS], (unsigned long long)n[SK_EVENT_HTTP],
           (unsigned long long)src->stats.malformed);
    sk_source_close(src);
    return 0;
}
