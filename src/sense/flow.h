/*
 * flow.h — the bidirectional flow table.
 *
 * Flows are keyed by 5-tuple in either direction; the first packet's sender
 * is the initiator (src). A flow ends when it has been idle for
 * idle_timeout, when it has been open for active_timeout (the record is
 * emitted and counting restarts), when TCP has closed both ways (FIN or RST),
 * at end of input, or when the table is full and it is the least recently
 * seen (evicted and counted). Time is the packets' own time, so a capture
 * replays exactly as it happened, whatever the speed of reading.
 */
#ifndef SK_SENSE_FLOW_H
#define SK_SENSE_FLOW_H

#include <stdint.h>

#include "sakimori/event-t.h"
#include "sense/decode.h"

struct sk_flowtab;

struct sk_flowtab_cfg {
    uint64_t idle_timeout;   /* ns */
    uint64_t active_timeout; /* ns */
    uint32_t max_flows;
    uint16_t source_id;
    uint8_t privacy;
};

struct sk_flowtab_stats {
    uint64_t flows;   /* records emitted */
    uint64_t evicted; /* ended early because the table was full */
    uint32_t active;  /* flows in the table now */
    uint32_t peak;    /* most flows at once */
};

int sk_flowtab_new(struct sk_flowtab **out, const struct sk_flowtab_cfg *cfg,
                   sk_event_fn emit, void *ctx);
void sk_flowtab_free(struct sk_flowtab *ft);
/* Accounts one decoded IP packet; *reverse is set when the packet goes
 * responder → initiator. Expires idle flows first. Returns < 0 only when
 * emit asked to stop. */
int sk_flowtab_packet(struct sk_flowtab *ft, const struct sk_packet *pk,
                      int *reverse);
/* Ends every flow idle or too old at time now. */
int sk_flowtab_expire(struct sk_flowtab *ft, sk_nstime now);
/* Ends every flow (end of input). */
int sk_flowtab_flush(struct sk_flowtab *ft);
void sk_flowtab_stats(const struct sk_flowtab *ft, struct sk_flowtab_stats *out);
/* Bytes the table uses per flow slot, for the record in PERFORMANCE.md. */
size_t sk_flowtab_bytes_per_flow(void);

#endif
