/*
 * intel.h — indicators and the matcher.
 *
 * Indicators are collected in a builder, then frozen into an immutable
 * snapshot (struct sk_intel) that any number of threads may match against
 * without locks. A match returns every indicator that applies: all prefixes
 * containing an address (most specific first), the name itself and each of
 * its parent domains.
 */
#ifndef SAKIMORI_INTEL_H
#define SAKIMORI_INTEL_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/error.h"
#include "sakimori/nstime.h"

enum sk_ioc_type {
    SK_IOC_IPV4 = 1,
    SK_IOC_IPV6,
    SK_IOC_CIDR4,
    SK_IOC_CIDR6,
    SK_IOC_DOMAIN, /* this name and every subdomain */
    SK_IOC_FQDN,   /* exactly this name */
    SK_IOC_URL,
    SK_IOC_JA3,
    SK_IOC_JA4,
    SK_IOC_CERT_SHA1,
    SK_IOC_CERT_SHA256,
};

struct sk_indicator {
    uint8_t type;       /* enum sk_ioc_type */
    uint8_t confidence; /* 0–100 */
    const char *value;  /* canonical text (lower-case names, CIDR text) */
    const char *source; /* feed/list name */
};

struct sk_intel_builder;
struct sk_intel;

const char *sk_ioc_type_name(enum sk_ioc_type t);
int sk_ioc_type_parse(const char *s, enum sk_ioc_type *out);

int sk_intel_builder_new(struct sk_intel_builder **out);
void sk_intel_builder_free(struct sk_intel_builder *b);
/* Copies the indicator (value canonicalised); -SK_EPARSE if value is not a
 * valid value of its type. */
int sk_intel_builder_add(struct sk_intel_builder *b, const struct sk_indicator *ind);
/* Reads a plain list: one IP, CIDR or domain per line, '#' comments, blank
 * lines ignored. All-or-nothing: on the first bad line nothing is added and
 * ei says "path:line: …". */
int sk_intel_load_list(struct sk_intel_builder *b, const char *path,
                       const char *source, struct sk_errinfo *ei);
/* Freezes the builder into a snapshot; the builder is consumed. */
int sk_intel_build(struct sk_intel_builder *b, struct sk_intel **out);
void sk_intel_free(struct sk_intel *in);
size_t sk_intel_count(const struct sk_intel *in);

/* Fills out[] with up to max matches and returns how many there are in all
 * (possibly more than max). */
size_t sk_intel_match_addr(const struct sk_intel *in, const struct sk_addr *a,
                           const struct sk_indicator **out, size_t max);
size_t sk_intel_match_name(const struct sk_intel *in, const char *name,
                           const struct sk_indicator **out, size_t max);

#endif
