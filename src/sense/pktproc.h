/*
 * pktproc.h — from captured packets to sk_events.
 *
 * The packet pipeline every packet source shares (pcap files, live
 * capture): decode the headers (through tunnels), reassemble IP fragments,
 * account the packet to its flow, and hand application payloads to the
 * protocol decoders: DNS over UDP and TCP, TLS handshakes and the first
 * HTTP/1.x request, reassembling TCP streams for them, through SOCKS and
 * HTTP CONNECT proxies. Flow records come out when flows end; DNS messages
 * as they are seen; TLS and HTTP events when their exchange is complete or
 * their flow ends.
 */
#ifndef SK_SENSE_PKTPROC_H
#define SK_SENSE_PKTPROC_H

#include <stdint.h>

#include "sakimori/event-t.h"
#include "sakimori/source.h"

struct sk_pktproc;

struct sk_pktproc_stats {
    uint64_t packets;
    uint64_t malformed;     /* headers cut short or inconsistent */
    uint64_t not_ip;        /* ARP, LLDP, …: skipped */
    uint64_t tunneled;      /* packets decoded inside a tunnel */
    uint64_t dns, tls, http;                            /* events */
    uint64_t dns_malformed, tls_malformed, http_malformed; /* payloads refused */
    uint64_t flows, evicted;
    uint32_t peak_flows;
    /* IP fragments */
    uint64_t fragments, reassembled, frag_timeouts, frag_evicted, frag_malformed,
        frag_truncated, frag_overlaps, frag_peak_bytes;
    /* TCP streams */
    uint64_t sessions, sessions_refused, stream_gaps, stream_overflows, stream_peak_bytes;
};

int sk_pktproc_new(struct sk_pktproc **out, const struct sk_source_opts *opts,
                   sk_event_fn emit, void *ctx);
void sk_pktproc_free(struct sk_pktproc *pp);
/* One packet. Malformed packets are counted, not errors; < 0 only when
 * emit asked to stop or memory ran out. */
int sk_pktproc_packet(struct sk_pktproc *pp, int linktype, sk_nstime ts,
                      const uint8_t *data, uint32_t caplen, uint32_t wirelen);
/* Several packets at once (up to SK_PKTPROC_BATCH are worked on
 * together): the same as one sk_pktproc_packet() each, faster, because
 * the flow table's memory is fetched for all of them before any is used.
 * The packets' bytes must stay valid for the call. */
#define SK_PKTPROC_BATCH 16
struct sk_pktproc_in {
    sk_nstime ts;
    const uint8_t *data;
    uint32_t caplen, wirelen;
};
int sk_pktproc_batch(struct sk_pktproc *pp, int linktype, const struct sk_pktproc_in *in,
                     size_t n);
/* Time passes without packets (live capture): ends idle flows. */
int sk_pktproc_tick(struct sk_pktproc *pp, sk_nstime now);
/* End of input: every open flow is emitted. */
int sk_pktproc_finish(struct sk_pktproc *pp);
void sk_pktproc_stats(const struct sk_pktproc *pp, struct sk_pktproc_stats *out);
/* Fills a source's malformed/skipped/dropped counters from the pipeline's. */
void sk_pktproc_source_stats(const struct sk_pktproc *pp, struct sk_source_stats *out);

#endif
