/*
 * flow.h — the bidirectional flow table.
 *
 * Flows are keyed by 5-tuple in either direction; the first packet's sender
 * is the initiator (src). A flow ends when it has been idle for
 * idle_timeout, when TCP has closed (FIN both ways, or RST) and a new SYN
 * reuses its 5-tuple, at end of input, or when the table is full and it is
 * the oldest (evicted and counted). A flow open longer than active_timeout is
 * reported and its counters restart (it keeps its app-layer state). Time is
 * the packets' own time, so a capture replays exactly as it happened,
 * whatever the speed of reading.
 *
 * ICMP and ICMPv6 use (type, code) as ports; an echo reply is keyed as its
 * request so a ping is one bidirectional flow.
 *
 * Each flow carries two fields for its owner (the packet pipeline): an app
 * byte and a 32-bit session index, 0 / SK_FLOW_NO_SESS for a new flow and
 * handed to the on_end hook when the flow ends for good.
 */
#ifndef SK_SENSE_FLOW_H
#define SK_SENSE_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/event-t.h"
#include "sense/decode.h"

struct sk_flowtab;

#define SK_FLOW_NO_SESS UINT32_MAX

/* TCP state in sk_ev_flow.tcp_state for flows of this table. */
enum sk_tcp_state {
    SK_TCPS_NONE = 0,     /* not TCP */
    SK_TCPS_SYN_SENT,     /* SYN seen */
    SK_TCPS_SYN_RCVD,     /* SYN+ACK seen */
    SK_TCPS_ESTABLISHED,  /* handshake done, or joined mid-stream */
    SK_TCPS_CLOSING,      /* FIN one way */
    SK_TCPS_CLOSED,       /* FIN both ways */
    SK_TCPS_RESET,        /* RST seen */
};

/* A flow whose app byte or session is set ends for good. */
typedef int (*sk_flow_end_fn)(void *ctx, uint8_t app, uint32_t sess);

struct sk_flowtab_cfg {
    uint64_t idle_timeout;   /* ns */
    uint64_t active_timeout; /* ns */
    uint32_t max_flows;
    uint16_t source_id;
    uint8_t privacy;
    /* Called when a flow with its app byte or session set ends, just
     * before its record is emitted (so app events come before the flow
     * record). The hook may emit events; a negative return stops the
     * table as emit's would. */
    sk_flow_end_fn on_end;
};

struct sk_flowtab_stats {
    uint64_t flows;   /* records emitted */
    uint64_t evicted; /* ended early because the table was full */
    uint32_t active;  /* flows in the table now */
    uint32_t peak;    /* most flows at once */
};

/* Where a packet landed. */
struct sk_flow_hit {
    uint32_t id;     /* the flow's slot: valid until the next call */
    uint8_t reverse; /* 1: the packet went responder → initiator */
    uint8_t fresh;   /* 1: the packet started this flow */
};

int sk_flowtab_new(struct sk_flowtab **out, const struct sk_flowtab_cfg *cfg,
                   sk_event_fn emit, void *ctx);
void sk_flowtab_free(struct sk_flowtab *ft);
/* Accounts one decoded IP packet (pk->pkts packets, pk->ip_len bytes) and
 * says where it landed (hit may be NULL). Expires idle flows first. Returns < 0 only when emit
 * asked to stop or memory ran out. */
int sk_flowtab_packet(struct sk_flowtab *ft, const struct sk_packet *pk,
                      struct sk_flow_hit *hit);
/* The same with the packet's flow hash already computed (batches). */
int sk_flowtab_packet_h(struct sk_flowtab *ft, const struct sk_packet *pk, uint32_t hash,
                        struct sk_flow_hit *hit);
/* The packet's flow hash (the same both ways), and a hint to bring its
 * index slot (stage 0) and then its record (stage 1, once the slot has had
 * time to arrive) into the CPU cache: a batch of packets then waits for
 * memory once instead of once per packet. */
uint32_t sk_flowtab_hash(const struct sk_flowtab *ft, const struct sk_packet *pk);
void sk_flowtab_prefetch(const struct sk_flowtab *ft, uint32_t hash, int stage);
/* The owner's fields of flow id (from a hit); 0 / SK_FLOW_NO_SESS on a
 * fresh flow. */
uint8_t *sk_flowtab_app(struct sk_flowtab *ft, uint32_t id);
uint32_t *sk_flowtab_sess(struct sk_flowtab *ft, uint32_t id);
/* Ends every flow idle at time now. */
int sk_flowtab_expire(struct sk_flowtab *ft, sk_nstime now);
/* Ends every flow (end of input). */
int sk_flowtab_flush(struct sk_flowtab *ft);
void sk_flowtab_stats(const struct sk_flowtab *ft, struct sk_flowtab_stats *out);
/* Bytes the table uses per flow (record + index), for PERFORMANCE.md. */
size_t sk_flowtab_bytes_per_flow(void);

#endif
