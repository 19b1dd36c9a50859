/*
 * intel.h — indicators and the matcher.
 *
 * An indicator is one value of one type (an address, a prefix, a domain, a
 * URL, a TLS fingerprint …) asserted by one or more sources; each source's
 * assertion carries its confidence, TLP marking, validity and labels. The
 * same value from several sources is one indicator with several sources.
 *
 * Indicators are collected in a builder (importers, the store) and frozen
 * into an immutable snapshot (struct sk_intel) that any number of threads
 * may match against without locks. A match returns every indicator that
 * applies, most specific first: all prefixes containing an address; the
 * name itself (domain and fqdn indicators) and each parent domain up to the
 * name's registered domain (public suffix list). For the daemon, struct
 * sk_intel_live holds the current snapshot and swaps in a new one atomically
 * (hot reload): readers never block and an old snapshot is freed once no
 * reader holds it.
 */
#ifndef SAKIMORI_INTEL_H
#define SAKIMORI_INTEL_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/error.h"
#include "sakimori/event-t.h"
#include "sakimori/nstime.h"

enum sk_ioc_type {
    SK_IOC_IPV4 = 1,
    SK_IOC_IPV6,
    SK_IOC_CIDR4,
    SK_IOC_CIDR6,
    SK_IOC_DOMAIN, /* this name and every subdomain (up to the registered domain) */
    SK_IOC_FQDN,   /* exactly this name */
    SK_IOC_URL,    /* a normalised URL (sk_url_normalize) */
    SK_IOC_JA3,    /* MD5 hex of the JA3 string */
    SK_IOC_JA4,    /* JA4 fingerprint, a_b_c form */
    SK_IOC_CERT_SHA1,
    SK_IOC_CERT_SHA256,
};
#define SK_IOC_MAX SK_IOC_CERT_SHA256

/* TLP 2.0 (FIRST) marking of a source assertion; TLP 1.0 WHITE reads as
 * CLEAR. Unlike govern.h's enum sk_tlp (for proposals, always marked) a
 * source may be unmarked: SK_IOC_TLP_x == 1 + SK_TLP_x. */
enum sk_ioc_tlp {
    SK_IOC_TLP_UNMARKED = 0,
    SK_IOC_TLP_CLEAR,
    SK_IOC_TLP_GREEN,
    SK_IOC_TLP_AMBER,
    SK_IOC_TLP_AMBER_STRICT,
    SK_IOC_TLP_RED,
};

/* One source's assertion of an indicator. Snapshots intern these: every
 * indicator of a feed with the same metadata shares one. */
struct sk_ioc_source {
    const char *name;           /* feed or list name */
    const char *stix_id;        /* "indicator--…" when known, else NULL */
    const char *const *labels;  /* NULL-terminated (malware family, kill-chain
                                   phase, …); NULL when none */
    const char *description;    /* NULL when none */
    sk_nstime valid_from, valid_until; /* 0: unbounded */
    sk_nstime first_seen, last_seen;   /* 0: unknown */
    uint8_t confidence;         /* 0–100 */
    uint8_t tlp;                /* enum sk_ioc_tlp */
};

/* An indicator in a snapshot (16 bytes; its sources: sk_intel_source()). */
struct sk_indicator {
    const char *value;  /* canonical text */
    uint32_t src;       /* where its sources are kept (internal) */
    uint8_t type;       /* enum sk_ioc_type */
    uint8_t confidence; /* highest over its sources */
    uint8_t tlp;        /* least restrictive marking over its marked sources:
                           the value may be shared under it */
    uint8_t nsources;   /* 1–255 */
};

/* What an importer hands the builder: one value from one source. */
struct sk_ioc_record {
    uint8_t type;
    const char *value;
    struct sk_ioc_source src; /* copied, strings included */
};

struct sk_intel_builder;
struct sk_intel;

const char *sk_ioc_type_name(enum sk_ioc_type t);
int sk_ioc_type_parse(const char *s, enum sk_ioc_type *out);
const char *sk_ioc_tlp_name(enum sk_ioc_tlp t); /* "TLP:CLEAR" …; "" when unmarked */
/* "TLP:AMBER+STRICT", "amber+strict", "tlp:white" (= CLEAR), any case. */
int sk_ioc_tlp_parse(const char *s, enum sk_ioc_tlp *out);

/* The canonical form of a value: lower-case names without trailing dot or
 * "*." prefix, prefixes with host bits clear (refused otherwise), hashes in
 * lower-case hex, normalised URLs. *type may change (a cidr4 /32 is an
 * ipv4). -SK_EPARSE with why (may be NULL) saying what was expected. */
int sk_ioc_canon(enum sk_ioc_type *type, const char *value, char *out, size_t outlen,
                 char *why, size_t whylen);
/* Guesses the type of a plain-list entry: address, prefix, URL or domain
 * ("*.x" is x); -SK_EPARSE when it is none of these. */
int sk_ioc_classify(const char *s, enum sk_ioc_type *out);

/* RFC 3986 normalisation for matching: scheme and host in lower case, no
 * default port, no fragment, no dot segments, percent-encodings of
 * unreserved characters decoded and others in upper case, "http://" added
 * when there is no scheme, "/" for an empty path. */
int sk_url_normalize(const char *in, char *out, size_t outlen);

int sk_intel_builder_new(struct sk_intel_builder **out);
void sk_intel_builder_free(struct sk_intel_builder *b);
/* Adds one value from one source (canonicalised; the same value again
 * merges into one indicator; the same source again merges its assertion).
 * -SK_EPARSE when the value is not one of its type. */
int sk_intel_builder_add_record(struct sk_intel_builder *b, const struct sk_ioc_record *r);
/* Shorthand: type, value, source name, confidence. */
int sk_intel_builder_add(struct sk_intel_builder *b, enum sk_ioc_type type, const char *value,
                         const char *source, uint8_t confidence);
size_t sk_intel_builder_count(const struct sk_intel_builder *b);
/* Reads a plain list: one IP, CIDR, domain or URL per line, '#' comments,
 * blank lines ignored. All-or-nothing: on the first bad line nothing is
 * added and ei says "path:line: …". */
int sk_intel_load_list(struct sk_intel_builder *b, const char *path,
                       const char *source, struct sk_errinfo *ei);
/* Freezes the builder into a snapshot; the builder is consumed. */
int sk_intel_build(struct sk_intel_builder *b, struct sk_intel **out);
void sk_intel_free(struct sk_intel *in);
size_t sk_intel_count(const struct sk_intel *in);

/* The i-th source of an indicator (highest confidence first). */
const struct sk_ioc_source *sk_intel_source(const struct sk_intel *in,
                                            const struct sk_indicator *ind, size_t i);
/* The indicator with exactly this (canonical or not) type and value. */
const struct sk_indicator *sk_intel_find(const struct sk_intel *in, enum sk_ioc_type type,
                                         const char *value);

struct sk_intel_stats {
    size_t count[SK_IOC_MAX + 1]; /* indicators per type */
    size_t indicators, sources;   /* indicators; distinct source assertions */
    size_t bytes_lpm4, bytes_lpm6, bytes_names, bytes_other; /* matcher memory */
};
void sk_intel_stats(const struct sk_intel *in, struct sk_intel_stats *st);

/* Matching. Each function fills out[] with up to max matches and returns
 * how many there are in all (possibly more than max). */
size_t sk_intel_match_addr(const struct sk_intel *in, const struct sk_addr *a,
                           const struct sk_indicator **out, size_t max);
size_t sk_intel_match_name(const struct sk_intel *in, const char *name,
                           const struct sk_indicator **out, size_t max);
/* A URL, normalised first. */
size_t sk_intel_match_url(const struct sk_intel *in, const char *url,
                          const struct sk_indicator **out, size_t max);
/* ja3, ja4, cert-sha1 or cert-sha256 (hex in any case, ':' allowed). */
size_t sk_intel_match_hash(const struct sk_intel *in, enum sk_ioc_type type, const char *value,
                           const struct sk_indicator **out, size_t max);

/* Batch matching, for the pipeline: a lookup per key yields a hit handle (0:
 * nothing matched), and sk_intel_hit_expand() lists the indicators behind a
 * handle. Lookups are pipelined with prefetching so many cache misses are in
 * flight at once. */
void sk_intel_lookup_v4(const struct sk_intel *in, const uint32_t *addr_host_order, size_t n,
                        uint32_t *hits);
void sk_intel_lookup_addrs(const struct sk_intel *in, const struct sk_addr *addrs, size_t n,
                           uint32_t *hits);
/* Names as they come (any case, trailing dot allowed). */
void sk_intel_lookup_names(const struct sk_intel *in, const char *const *names, size_t n,
                           uint32_t *hits);
size_t sk_intel_hit_expand(const struct sk_intel *in, uint32_t hit,
                           const struct sk_indicator **out, size_t max);

/* Where in an event a match was found. */
enum sk_match_field {
    SK_MATCH_SRC = 1,  /* source address */
    SK_MATCH_DST,      /* destination address */
    SK_MATCH_QNAME,    /* DNS query name */
    SK_MATCH_ANSWER,   /* DNS answer: address or CNAME/NS/MX target */
    SK_MATCH_SNI,      /* TLS server name */
    SK_MATCH_HOST,     /* HTTP Host */
    SK_MATCH_URL,      /* HTTP request URL (http://host/uri, normalised) */
    SK_MATCH_JA3,
    SK_MATCH_JA4,
    SK_MATCH_CERT,     /* server certificate SHA-1 or SHA-256 */
};
const char *sk_match_field_name(enum sk_match_field f);

struct sk_intel_match {
    size_t event;                 /* index in the batch */
    uint8_t field;                /* enum sk_match_field */
    const char *observed;         /* the name, URL or hash seen; NULL for addresses */
    const struct sk_addr *addr;   /* the address seen; NULL for the others */
    const struct sk_indicator *const *ind; /* every indicator, most specific first */
    size_t n;
};
typedef int (*sk_intel_match_fn)(void *ctx, const struct sk_intel_match *m);

/* Matches n events: every address, name, URL and fingerprint they carry.
 * Calls fn once per (event, field, observed value) that matched, in event
 * order; a negative return stops and is returned. */
int sk_intel_match_events(const struct sk_intel *in, const struct sk_event *ev, size_t n,
                          sk_intel_match_fn fn, void *ctx);

/* --- hot reload ------------------------------------------------------------ */
struct sk_intel_live;
struct sk_intel_reader;

/* Takes ownership of initial (may be NULL: an empty snapshot is made). */
int sk_intel_live_new(struct sk_intel *initial, struct sk_intel_live **out);
/* Frees the current snapshot; every reader must have been freed. */
void sk_intel_live_free(struct sk_intel_live *live);
/* One reader per thread (registration takes a lock; reading never does). */
int sk_intel_reader_new(struct sk_intel_live *live, struct sk_intel_reader **out);
void sk_intel_reader_free(struct sk_intel_reader *r);
/* The current snapshot, valid until sk_intel_read_end(). Wait-free. */
const struct sk_intel *sk_intel_read_begin(struct sk_intel_reader *r);
void sk_intel_read_end(struct sk_intel_reader *r);
/* Publishes next (taking ownership) and frees the snapshot it replaces once
 * every reader that could hold it has ended its read. Only the caller waits;
 * readers are never blocked. Returns the generation number now current. */
uint64_t sk_intel_live_swap(struct sk_intel_live *live, struct sk_intel *next);
uint64_t sk_intel_live_generation(const struct sk_intel_live *live);

#endif
