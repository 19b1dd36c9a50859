/*
 * pktproc.h — from captured packets to sk_events.
 *
 * The packet pipeline every packet source shares (pcap files, live capture):
 * decode the headers, account the packet to its flow, and hand application
 * payloads to the protocol decoders (DNS now; TLS and HTTP join here). Flow
 * records come out when flows end; DNS messages come out as they are seen.
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
    uint64_t dns_malformed; /* port 53 payloads that did not parse */
    uint64_t flows;
    uint64_t evicted;
    uint32_t peak_flows;
};

int sk_pktproc_new(struct sk_pktproc **out, const struct sk_source_opts *opts,
                   sk_event_fn emit, void *ctx);
void sk_pktproc_free(struct sk_pktproc *pp);
/* One packet. Malformed packets are counted, not errors; < 0 only when
 * emit asked to stop or memory ran out. */
int sk_pktproc_packet(struct sk_pktproc *pp, int linktype, sk_nstime ts,
                      const uint8_t *data, uint32_t caplen, uint32_t wirelen);
/* End of input: every open flow is emitted. */
int sk_pktproc_finish(struct sk_pktproc *pp);
void sk_pktproc_stats(const struct sk_pktproc *pp, struct sk_pktproc_stats *out);

#endif
