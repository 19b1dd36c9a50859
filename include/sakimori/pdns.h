/*
 * pdns.h — passive DNS: which names resolved to which addresses, and when.
 *
 * Every A/AAAA answer sakimori sees (scan, and later serve) is recorded as a
 * (name, address) pair with first/last seen and a count. Both the answer's
 * owner name and the query name are recorded when they differ (the query
 * reached the address through a CNAME chain), so "the names that resolve to
 * address X" includes the names people actually asked for.
 *
 * Uses: the collateral-damage safeguard (how many distinct names are
 * co-hosted on an address before it is blocked), analysts pivoting from an
 * address to names and back. The data lives in the store's `pdns` table
 * (src/store/telemetry.c); a retention purge cuts it by last_seen with
 * sk_telemetry_purge(s, "pdns", before).
 *
 * Addresses are compared as the store keeps them: IPv4 as IPv4-mapped IPv6,
 * so an IPv4 prefix is also a range of 16-byte values.
 */
#ifndef SAKIMORI_PDNS_H
#define SAKIMORI_PDNS_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/nstime.h"

struct sk_store;

struct sk_pdns_entry {
    const char *name;    /* lower-case, no trailing dot */
    struct sk_addr addr;
    sk_nstime first_seen, last_seen;
    uint64_t count;      /* answers seen carrying the pair */
};

/* Called once per row; strings live only for the call. Return < 0 to stop
 * (the query returns that code). */
typedef int (*sk_pdns_fn)(void *ctx, const struct sk_pdns_entry *e);

/* Records that name resolved to addr, seen `count` times between first and
 * last. Merges with an existing pair (min first, max last, sum counts).
 * Writes: call inside a store transaction. */
int sk_pdns_record(struct sk_store *s, const char *name, const struct sk_addr *addr,
                   sk_nstime first, sk_nstime last, uint64_t count);

/* Names seen resolving to an address in prefix p (a single address is a
 * host prefix: /32 or /128) with last_seen >= since; one entry per (name,
 * address), most recently seen first, at most limit (0: no limit).
 * Returns the number of entries delivered, or < 0. */
int sk_pdns_names_in(struct sk_store *s, const struct sk_prefix *p, sk_nstime since,
                     size_t limit, sk_pdns_fn fn, void *ctx);
/* How many distinct names resolved into p since `since`. Returns the count
 * (>= 0) or < 0 on error. */
int64_t sk_pdns_count_names_in(struct sk_store *s, const struct sk_prefix *p,
                               sk_nstime since);
/* The same for one address. */
int64_t sk_pdns_count_names(struct sk_store *s, const struct sk_addr *a, sk_nstime since);

/* Addresses name resolved to (with subdomains: the name and every name
 * under it) since `since`, most recently seen first, at most limit.
 * Returns the number delivered or < 0. */
int sk_pdns_addrs_for_name(struct sk_store *s, const char *name, int subdomains,
                           sk_nstime since, size_t limit, sk_pdns_fn fn, void *ctx);

#endif
