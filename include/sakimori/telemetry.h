/*
 * telemetry.h — stored telemetry: compact flow, DNS, TLS and HTTP records
 * and passive DNS, written from the sk_event stream and queried later.
 *
 * One table per data class (flow_log, dns_log, tls_log, http_log, pdns),
 * each with a time column, so retention cuts each class by age on its own
 * (sk_telemetry_purge). What is stored is what the event carries after the
 * privacy filter: a field the profile removed is stored as NULL.
 *
 * Writing: a writer takes events (sk_telemetry_add) inside the caller's
 * store transaction; passive DNS pairs are aggregated in a bounded table in
 * memory and merged into the store when it fills and at flush, so a name
 * answered a million times costs one row update, not a million.
 *
 * Reading: "what would blocking this prefix, or sinkholing this name, have
 * touched" (sk_telemetry_prefix_impact, sk_telemetry_name_impact) and a walk
 * over stored flows (sk_telemetry_flows). Passive DNS queries are in pdns.h.
 */
#ifndef SAKIMORI_TELEMETRY_H
#define SAKIMORI_TELEMETRY_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/event-t.h"
#include "sakimori/nstime.h"

struct sk_store;
struct sk_telemetry;

struct sk_telemetry_opts {
    int64_t run_id;        /* runs.id the rows belong to, 0 for none */
    uint32_t pdns_pending; /* pairs held in memory before a merge; 0: 65536 */
    int flows, dns, tls, http, pdns; /* which classes to store (1 = store) */
};

struct sk_telemetry_stats {
    uint64_t flows, dns, tls, http; /* rows written */
    uint64_t pdns_pairs;            /* (name, address) merges written */
};

/* A writer over an open store; the caller begins and commits the
 * transaction around it. */
int sk_telemetry_new(struct sk_telemetry **out, struct sk_store *s,
                     const struct sk_telemetry_opts *opts);
/* Stores one event (flow, dns, tls, http; others are ignored). */
int sk_telemetry_add(struct sk_telemetry *t, const struct sk_event *ev);
/* Merges the pending passive DNS pairs into the store. */
int sk_telemetry_flush(struct sk_telemetry *t);
void sk_telemetry_stats(const struct sk_telemetry *t, struct sk_telemetry_stats *out);
/* Frees the writer; pending pairs not flushed are discarded. */
void sk_telemetry_free(struct sk_telemetry *t);

/* What a block or a sinkhole would have affected. */
struct sk_telemetry_impact {
    uint64_t flows;         /* flow records with an end in the prefix */
    uint64_t packets, bytes; /* their packets and bytes, both ways */
    uint64_t dns_queries, dns_responses; /* DNS messages for the name */
    uint64_t tls, http;     /* TLS handshakes (SNI) / HTTP requests (Host) */
    uint64_t hosts;         /* distinct hosts on the other side */
    sk_nstime first, last;  /* 0 when nothing matched */
};

/* Flows since `since` with either endpoint inside p; if port is non-zero,
 * only those where the endpoint in p used that port; if proto is non-zero,
 * only that IP protocol. hosts = distinct peers of p. */
int sk_telemetry_prefix_impact(struct sk_store *s, const struct sk_prefix *p,
                               uint8_t proto, uint16_t port, sk_nstime since,
                               struct sk_telemetry_impact *out);
/* DNS messages, TLS handshakes and HTTP requests naming `name` (and every
 * name under it when subdomains is set) since `since`. hosts = distinct
 * clients. */
int sk_telemetry_name_impact(struct sk_store *s, const char *name, int subdomains,
                             sk_nstime since, struct sk_telemetry_impact *out);

/* Stored flows with an endpoint in p (NULL: all) since `since`, oldest
 * first, at most limit (0: all), each delivered as an SK_EVENT_FLOW event.
 * Returns the number delivered or < 0 (or fn's negative code). */
int sk_telemetry_flows(struct sk_store *s, const struct sk_prefix *p, sk_nstime since,
                       size_t limit, sk_event_fn fn, void *ctx);

/* Retention: deletes rows of a data class older than `before` (by start
 * time; pdns by last_seen). class is "flows", "dns", "tls", "http" or
 * "pdns". Returns the number of rows deleted or < 0 (-SK_EINVAL for an
 * unknown class). Call inside a transaction to combine with an audit entry. */
int64_t sk_telemetry_purge(struct sk_store *s, const char *data_class, sk_nstime before);

/* A name's labels reversed: "www.example.com" → "com.example.www" (the key
 * the store indexes names by). Writes at most len bytes; returns out. */
char *sk_name_reverse(const char *name, char *out, size_t len);

#endif
