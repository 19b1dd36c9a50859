/*
 * netflow.h — NetFlow v5, NetFlow v9 and IPFIX export datagrams to sk_events.
 *
 * One decoder holds the state an exporter builds up over time: templates and
 * options templates per (exporter address, version, observation domain),
 * sampling rates learnt from options data, and data sets that arrived before
 * their template (buffered, bounded, decoded as soon as the template comes).
 * Both the UDP collector and `scan` on captured export packets feed it one
 * datagram at a time; each flow record becomes one SK_EVENT_FLOW with
 * end_reason SK_FLOW_END_EXPORTED and its counters scaled by the sampling
 * rate (recorded in ev.u.flow.sampling).
 *
 * Everything is bounded: observation domains (least recently seen evicted),
 * templates over all domains, pending bytes and age. A malformed datagram or
 * set is counted and skipped, never an error; the decoder reads nothing
 * outside the datagram it is given.
 */
#ifndef SK_SENSE_NETFLOW_H
#define SK_SENSE_NETFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/event-t.h"
#include "sakimori/nstime.h"

struct sk_nf;

struct sk_nf_limits {
    uint32_t max_domains;    /* (exporter, version, domain) tracked; 0: 4096 */
    uint32_t max_templates;  /* templates over all domains; 0: 65536 */
    uint64_t pending_bytes;  /* data sets awaiting a template; 0: 4 MiB */
    uint64_t pending_age;    /* ns a pending set is kept; 0: 10 min */
};

struct sk_nf_stats {
    uint64_t datagrams;      /* export datagrams given */
    uint64_t flows;          /* flow records decoded (events emitted) */
    uint64_t option_records; /* options data records (sampling, …) */
    uint64_t keyless;        /* data records with no address (NAT pool events, …) */
    uint64_t templates;      /* template and options template definitions */
    uint64_t withdrawals;    /* IPFIX template withdrawals */
    uint64_t malformed;      /* datagrams, sets or templates rejected */
    uint64_t pending_sets;   /* data sets buffered for a later template */
    uint64_t pending_now;    /* of those, still waiting */
    uint64_t late_decoded;   /* of those, decoded once the template came */
    uint64_t no_template;    /* data sets whose template never came */
    uint64_t evicted;        /* pending sets or domains dropped at the bounds */
    uint32_t domains;        /* observation domains tracked now */
    uint32_t templates_now;  /* templates held now */
};

/* emit gets every flow record; privacy and source_id are copied into each
 * event. limits may be NULL (defaults). */
int sk_nf_new(struct sk_nf **out, const struct sk_nf_limits *limits,
              sk_event_fn emit, void *ctx);
void sk_nf_free(struct sk_nf *nf);
/* Where events go from now on (a decoder reused across inputs of a run). */
void sk_nf_bind(struct sk_nf *nf, sk_event_fn emit, void *ctx, uint8_t privacy,
                uint16_t source_id);

/* One export datagram (the UDP payload) from exporter `from`, received at
 * `recv` (the capture time, or now). Returns 0, or < 0 when emit asked to
 * stop or memory ran out; malformed input is counted, not an error. */
int sk_nf_datagram(struct sk_nf *nf, const struct sk_addr *from, sk_nstime recv,
                   const uint8_t *data, size_t len);
/* End of input: pending sets still without a template are dropped and
 * counted in no_template. */
void sk_nf_finish(struct sk_nf *nf);
void sk_nf_stats(const struct sk_nf *nf, struct sk_nf_stats *out);

/* Does this UDP payload start like a NetFlow v5/v9 or IPFIX message?
 * partial: the payload may be cut short (a probe's first bytes). */
int sk_nf_looks_like(const uint8_t *data, size_t len, int partial);

/* For the sources (src_netflow.c, src_collect.c): the decoder of the run
 * (kept in opts->session, so templates carry over between inputs) or a new
 * one, limits from opts->conf, bound to emit/ctx and the source's privacy
 * profile and id. *own is set when the caller must free it. */
struct sk_source_opts;
int sk__nf_for_source(const struct sk_source_opts *opts, sk_event_fn emit, void *ctx,
                      struct sk_nf **out, int *own);
/* The address a netflow-udp source is bound to ("127.0.0.1:2055"); returns
 * the port, or < 0 when src is not a netflow-udp source. */
struct sk_source;
int sk__collect_bound(const struct sk_source *src, char *buf, size_t len);

#endif
