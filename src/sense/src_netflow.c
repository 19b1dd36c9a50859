/*
 * src_netflow.c — NetFlow v5/v9 and IPFIX export packets captured in pcap.
 *
 * A capture taken at a collector (tcpdump -w on UDP 2055, 4739, 9995, …)
 * holds the export datagrams themselves. This source reads it with libpcap,
 * decodes each packet's headers with the packet decoder, and hands every UDP
 * payload that looks like NetFlow/IPFIX to the decoder (netflow.c) as a
 * datagram from the packet's source address, at the packet's capture time.
 * Other packets are skipped and counted; IP fragments (export datagrams
 * larger than the path MTU) are skipped too, counted as skipped.
 *
 * The decoder lives in the run's session when there is one, so templates
 * seen in one capture decode the data of the next (`scan t.pcap d.pcap`),
 * as they would at a collector that received both. Data sets of this input
 * still waiting for their template when it ends are counted as skipped (a
 * later input of the run may yet decode them).
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sakimori/conf-t.h"
#include "sakimori/error.h"
#include "sakimori/source.h"
#include "sense/decode.h"
#include "sense/netflow.h"

#define SESSION_KEY "netflow"

struct src_netflow {
    struct sk_source base;
    pcap_t *pcap;
    int linktype;
    struct sk_nf *nf;
    int own_nf; /* not in a session: freed with the source */
    struct sk_nf_stats at_open;
};

static uint32_t rd32le(const uint8_t *p, int swap)
{
    return swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A classic pcap whose first packet is UDP carrying NetFlow/IPFIX. */
static int netflow_probe(const char *path, const uint8_t *h, size_t len)
{
    struct sk_packet pk;
    int swap;

    if (len < 24 + 16)
        return 0;
    if ((h[0] == 0xd4 && h[1] == 0xc3 && h[2] == 0xb2 && h[3] == 0xa1) ||
        (h[0] == 0x4d && h[1] == 0x3c && h[2] == 0xb2 && h[3] == 0xa1))
        swap = 0;
    else if ((h[3] == 0xd4 && h[2] == 0xc3 && h[1] == 0xb2 && h[0] == 0xa1) ||
             (h[3] == 0x4d && h[2] == 0x3c && h[1] == 0xb2 && h[0] == 0xa1))
        swap = 1;
    else
        return 0;
    int linktype = (int)(rd32le(h + 20, swap) & 0xffff);
    uint32_t caplen = rd32le(h + 24 + 8, swap);
    size_t avail = len - 40;
    if (caplen < avail)
        avail = caplen;
    if (sk_decode_packet(linktype, h + 40, (uint32_t)avail, &pk) != 0 || pk.proto != 17 ||
        pk.fragment)
        return 0;
    return sk_nf_looks_like(pk.payload, pk.payload_len, 1) ? 95 : 0;
}

static void nf_free_void(void *p) { sk_nf_free(p); }

int sk__nf_for_source(const struct sk_source_opts *opts, sk_event_fn emit, void *ctx,
                      struct sk_nf **out, int *own)
{
    struct sk_nf *nf = opts->session ? sk_source_session_get(opts->session, SESSION_KEY) : NULL;
    int rc;

    *own = 0;
    if (!nf) {
        const struct sk_conf_netflow *c = &opts->conf->netflow;
        struct sk_nf_limits lim = {.max_domains = c->max_domains,
                                   .max_templates = c->max_templates,
                                   .pending_bytes = c->pending_bytes,
                                   .pending_age = c->pending_age};
        if ((rc = sk_nf_new(&nf, &lim, emit, ctx)) < 0)
            return rc;
        if (!opts->session ||
            sk_source_session_put(opts->session, SESSION_KEY, nf, nf_free_void) < 0)
            *own = 1;
    }
    sk_nf_bind(nf, emit, ctx, opts->privacy, opts->source_id);
    *out = nf;
    return 0;
}

static int netflow_open(struct sk_source **out, const char *path,
                        const struct sk_source_opts *opts, struct sk_errinfo *ei)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    struct src_netflow *s = calloc(1, sizeof *s);
    struct stat sb;

    if (!s)
        return -SK_ENOMEM;
    s->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!s->pcap) {
        int rc = sk_fail(ei, errno == ENOENT ? -ENOENT : -SK_EPARSE,
                         "%s: byte 0: not a readable pcap or pcapng file (%s)", path, errbuf);
        free(s);
        return rc;
    }
    s->linktype = pcap_datalink(s->pcap);
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0)
        s->base.stats.bytes_total = (uint64_t)sb.st_size;
    *out = &s->base;
    return 0;
}

static int netflow_run(struct sk_source *src, sk_event_fn emit, void *ctx)
{
    struct src_netflow *s = (struct src_netflow *)src;
    struct pcap_pkthdr *h;
    const u_char *data;
    FILE *fp = pcap_file(s->pcap);
    long pos = fp ? ftell(fp) : -1;
    uint64_t not_netflow = 0, bad_packets = 0;
    struct sk_nf_stats now;
    int rc = 0, r;

    if ((rc = sk__nf_for_source(&src->opts, emit, ctx, &s->nf, &s->own_nf)) < 0)
        return rc;
    sk_nf_stats(s->nf, &s->at_open);
    while ((r = pcap_next_ex(s->pcap, &h, &data)) == 1) {
        struct sk_packet pk;
        sk_nstime ts = (sk_nstime)h->ts.tv_sec * SK_NS_PER_SEC + (sk_nstime)h->ts.tv_usec;
        src->stats.records++;
        int d = sk_decode_packet(s->linktype, data, h->caplen, &pk);
        if (d == -SK_EUNSUP) {
            not_netflow++;
        } else if (d < 0) {
            bad_packets++;
        } else if (pk.proto != 17 || pk.fragment || !sk_nf_looks_like(pk.payload, pk.payload_len, 0)) {
            not_netflow++;
        } else if ((rc = sk_nf_datagram(s->nf, &pk.src, ts, pk.payload, pk.payload_len)) < 0) {
            goto out;
        }
        if (fp)
            src->stats.bytes = (uint64_t)(pos = ftell(fp));
        if (src->opts.stop && *src->opts.stop)
            break;
    }
    if (r == PCAP_ERROR) {
        rc = sk_fail(&src->err, -SK_ETRUNC, "%s: byte %ld: packet record %llu: %s", src->path,
                     pos, (unsigned long long)src->stats.records + 1, pcap_geterr(s->pcap));
        goto out;
    }
    if (s->own_nf)
        sk_nf_finish(s->nf);
out:
    sk_nf_stats(s->nf, &now);
    src->stats.events = now.flows - s->at_open.flows;
    src->stats.malformed = bad_packets + now.malformed - s->at_open.malformed;
    src->stats.skipped = not_netflow + (now.keyless - s->at_open.keyless) +
                         (now.no_template - s->at_open.no_template) +
                         (now.pending_now > s->at_open.pending_now
                              ? now.pending_now - s->at_open.pending_now : 0);
    src->stats.dropped = now.evicted - s->at_open.evicted;
    return rc;
}

static void netflow_close(struct sk_source *src)
{
    struct src_netflow *s = (struct src_netflow *)src;
    if (s->pcap)
        pcap_close(s->pcap);
    if (s->own_nf)
        sk_nf_free(s->nf);
    free(s);
}

const struct sk_source_ops sk__src_netflow = {
    .name = "netflow",
    .api = SK_SOURCE_API,
    .desc = "NetFlow v5/v9 and IPFIX export packets captured in pcap",
    .probe = netflow_probe,
    .open = netflow_open,
    .run = netflow_run,
    .close = netflow_close,
};
