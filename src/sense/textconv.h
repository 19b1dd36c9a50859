/*
 * textconv.h — the text-to-value conversions log sources need on their hot
 * path: timestamps, addresses, integers. Each takes a (pointer, length)
 * pair, reads nothing outside it, and returns 0 or -SK_EPARSE.
 */
#ifndef SK_SENSE_TEXTCONV_H
#define SK_SENSE_TEXTCONV_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/nstime.h"

/* ISO 8601 / RFC 3339 date-time: YYYY-MM-DD[T ]hh:mm:ss[.fraction][zone],
 * zone Z, ±hh:mm, ±hhmm, ±hh or none (UTC). Suricata writes
 * "2021-06-06T15:57:37.272281+0200". */
int sk_tc_isotime(const char *s, size_t len, sk_nstime *out);
/* Seconds since the epoch with an optional fraction ("1320279566.452687"),
 * exactly (no floating point). */
int sk_tc_epoch(const char *s, size_t len, sk_nstime *out);
/* A duration in seconds with an optional fraction, as nanoseconds. */
int sk_tc_seconds(const char *s, size_t len, uint64_t *ns);
/* IPv4 dotted quad (fast path) or IPv6. */
int sk_tc_addr(const char *s, size_t len, struct sk_addr *out);
/* Decimal unsigned integer. */
int sk_tc_u64(const char *s, size_t len, uint64_t *out);

#endif
