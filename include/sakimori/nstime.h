/*
 * nstime.h — time as nanoseconds since the Unix epoch (uint64_t, UTC).
 *
 * Every timestamp in sakimori is an sk_nstime. Formatting is RFC 3339 in UTC
 * with the precision the value carries (whole seconds, milliseconds,
 * microseconds or nanoseconds), parsing accepts RFC 3339 with any fraction and
 * offset, and durations are written as "90s", "15m", "24h", "7d" or "250ms".
 */
#ifndef SAKIMORI_NSTIME_H
#define SAKIMORI_NSTIME_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t sk_nstime;

#define SK_NS_PER_US 1000ULL
#define SK_NS_PER_MS 1000000ULL
#define SK_NS_PER_SEC 1000000000ULL

/* Wall clock. */
sk_nstime sk_now(void);
/* Monotonic clock, for measuring elapsed time. */
sk_nstime sk_monotonic(void);

/* Needs at least 36 bytes: "2026-11-25T18:13:04.123456789Z". */
#define SK_RFC3339_LEN 40
char *sk_rfc3339(sk_nstime t, char *out, size_t len);
/* Parses RFC 3339 (date-time with 'T' or ' ', optional fraction, Z or
 * ±hh:mm); -SK_EPARSE otherwise. */
int sk_rfc3339_parse(const char *s, sk_nstime *out);

/* Durations: "<number><unit>" with unit ns, us, ms, s, m, h, d, w; a bare
 * number is seconds. */
int sk_duration_parse(const char *s, uint64_t *ns_out);
char *sk_duration_fmt(uint64_t ns, char *out, size_t len);

#endif
