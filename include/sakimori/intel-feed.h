/*
 * intel-feed.h — reading indicator feeds, and keeping indicators in the store.
 *
 * Importers turn a file into indicator records (struct sk_ioc_record, see
 * intel.h) handed to a sink one by one; they never write anything
 * themselves. All-or-nothing is the caller's: the store import wraps a file
 * in one transaction and rolls it back on the first error. Errors name the
 * file and the line (text formats) or the JSON path (STIX, MISP) and say
 * what was expected. What a format carries that cannot be matched exactly on
 * the network (a STIX pattern with AND or FOLLOWEDBY, a file hash, a MISP
 * attribute with to_ids false) is reported through the sink's skip() and
 * counted, never approximated and never silently dropped.
 *
 * Formats:
 *   plain        one IP, CIDR, domain or URL per line ('#' comments)
 *   csv          any CSV with a column mapping (--columns value=3,type=1 …)
 *   feodo        abuse.ch Feodo Tracker C2 IP blocklist (CSV)
 *   sslbl-ja3    abuse.ch SSLBL JA3 fingerprint blacklist (CSV)
 *   urlhaus      abuse.ch URLhaus database dump (CSV)
 *   stix         STIX 2.1 bundle (or a single object) of indicators with
 *                STIX patterns
 *   misp-event   MISP event JSON ({"Event": {…}})
 *   misp-feed    MISP feed: a directory (or its manifest.json) of events
 */
#ifndef SAKIMORI_INTEL_FEED_H
#define SAKIMORI_INTEL_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/error.h"
#include "sakimori/intel.h"
#include "sakimori/nstime.h"

enum sk_feed_format {
    SK_FEED_AUTO = 0,
    SK_FEED_PLAIN,
    SK_FEED_CSV,
    SK_FEED_FEODO,
    SK_FEED_SSLBL_JA3,
    SK_FEED_URLHAUS,
    SK_FEED_STIX,
    SK_FEED_MISP_EVENT,
    SK_FEED_MISP_FEED,
};

const char *sk_feed_format_name(enum sk_feed_format f);
int sk_feed_format_parse(const char *s, enum sk_feed_format *out);
/* Guesses the format from the path (a directory is a MISP feed) and the
 * first bytes of the file; SK_FEED_PLAIN when nothing else fits. */
enum sk_feed_format sk_feed_detect(const char *path, const char *head, size_t len);

struct sk_feed_opts {
    const char *source;          /* source name for every record (required) */
    uint8_t confidence;          /* when the format carries none (0–100) */
    uint8_t tlp;                 /* enum sk_ioc_tlp, when the format carries none */
    const char *const *labels;   /* added to every record; NULL-terminated or NULL */
    uint8_t type;                /* plain, csv: the type of every value (0: guess) */
    const char *columns;         /* csv: "value=3,type=1,confidence=4,…" */
    char delimiter;              /* csv: default ',' */
    int header;                  /* csv: the first line names the columns */
    sk_nstime now;               /* import time: first/last seen when unknown */
};

struct sk_feed_sink {
    /* one record; a negative return stops the import and is returned */
    int (*record)(void *ctx, const struct sk_ioc_record *r);
    /* something valid but not importable exactly; where = "file:line" or
     * "file: $.objects[3]" */
    void (*skip)(void *ctx, const char *where, const char *why);
    void *ctx;
};

/* Reads path in the given format (SK_FEED_AUTO: detect). */
int sk_feed_import(const char *path, enum sk_feed_format fmt, const struct sk_feed_opts *o,
                   const struct sk_feed_sink *sink, struct sk_errinfo *ei);
/* The same on a buffer (not for misp-feed); name is used in messages. */
int sk_feed_import_buf(const char *name, const char *data, size_t len, enum sk_feed_format fmt,
                       const struct sk_feed_opts *o, const struct sk_feed_sink *sink,
                       struct sk_errinfo *ei);

/* --- STIX patterning ----------------------------------------------------------
 * A parser for the full STIX 2.1 patterning grammar (STIXPattern.g4), and
 * the translation of a pattern into the indicators that enforce it exactly:
 * comparisons joined by OR (in one observation or across observations),
 * "=" and IN on ipv4-addr:value, ipv6-addr:value (an address or CIDR),
 * domain-name:value, url:value, x509-certificate:hashes.'SHA-1'/'SHA-256';
 * ISSUBSET on addresses (a CIDR); LIKE and MATCHES when they mean exactly a
 * name, a name and its subdomains, or one URL. AND, FOLLOWEDBY, NOT,
 * qualifiers, other operators and other object paths are valid STIX that
 * cannot be enforced exactly by matching single values: the pattern is
 * refused with the reason. A comparison whose value no network observation
 * can carry (a domain name with a space in it) is left out of its
 * disjunction with a warning: it could never match, so the rest is still
 * exact. */
struct sk_stix_ioc {
    uint8_t type;   /* enum sk_ioc_type */
    char *value;    /* canonical */
};

/* Returns 0 and the indicators (malloc'd array and strings; free with
 * sk_stix_iocs_free); -SK_EPARSE for a syntax error (why: "offset N:
 * expected …"); -SK_EUNSUP when it cannot be enforced exactly (why says
 * what). warn (may be NULL) collects warnings, '; '-separated. */
int sk_stix_pattern_compile(const char *pattern, struct sk_stix_ioc **out, size_t *n,
                            char *why, size_t whylen, char *warn, size_t warnlen);
void sk_stix_iocs_free(struct sk_stix_ioc *v, size_t n);
/* The pattern that means exactly this indicator (for export); NULL when
 * STIX has no observable for its type (JA3, JA4). malloc'd. */
char *sk_stix_pattern_for(enum sk_ioc_type type, const char *value);

/* --- the store ------------------------------------------------------------------ */
struct sk_store;

struct sk_feed_stats {
    size_t records;   /* records read from the file */
    size_t added;     /* new (indicator, source) assertions */
    size_t updated;   /* assertions that existed and were refreshed */
    size_t removed;   /* --replace: this source's assertions not in the file */
    size_t skipped;   /* reported and not imported */
};

struct sk_feed_source_opts {
    int replace;                 /* drop this source's assertions not in the file */
    int64_t decay_half_life_ns;  /* < 0: leave as is; 0: none; > 0: set */
    int64_t ttl_ns;              /* < 0: leave as is; 0: none; > 0: set */
};

/* Imports one file into the store in one transaction. skip() of sink (may
 * be NULL) hears what was skipped; its record() is not used. */
int sk_feed_store_import(struct sk_store *st, const char *path, enum sk_feed_format fmt,
                         const struct sk_feed_opts *o, const struct sk_feed_source_opts *so,
                         const struct sk_feed_sink *sink, struct sk_feed_stats *stats,
                         struct sk_errinfo *ei);

/* How stored assertions become indicators at a given time. */
struct sk_feed_policy {
    sk_nstime now;
    int64_t decay_half_life_ns; /* default for sources without their own; 0: none */
    int64_t max_age_ns;         /* default ttl (from last seen); 0: none */
    uint8_t min_confidence;     /* decayed below this: not loaded */
};
/* Adds every live stored assertion to the builder: expired ones (valid_until
 * or ttl past) are left out, confidence decays by the source's half-life
 * since last seen. *loaded counts the assertions added. A store without the
 * indicator tables loads nothing. */
int sk_feed_store_load(struct sk_store *st, struct sk_intel_builder *b,
                       const struct sk_feed_policy *pol, size_t *loaded, struct sk_errinfo *ei);

#endif
