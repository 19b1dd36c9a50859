/*
 * addr.h — parse, format, compare and test IPv4/IPv6 addresses and prefixes.
 */
#ifndef SAKIMORI_ADDR_H
#define SAKIMORI_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sakimori/addr-t.h"

/* Parses an IPv4 or IPv6 address (no prefix). -SK_EPARSE on bad input. */
int sk_addr_parse(const char *s, struct sk_addr *out);
int sk_addr_parsen(const char *s, size_t len, struct sk_addr *out);
/* Parses "addr" (host prefix) or "addr/len". Host bits must be zero unless
 * `lenient` is set, in which case they are cleared. */
int sk_prefix_parse(const char *s, struct sk_prefix *out, int lenient);

/* Formats into out (SK_ADDR_STRLEN bytes); returns out. */
char *sk_addr_fmt(const struct sk_addr *a, char *out, size_t len);
char *sk_prefix_fmt(const struct sk_prefix *p, char *out, size_t len);

void sk_addr_from_v4(struct sk_addr *a, uint32_t host_order);
/* Copies 4 bytes in network order. */
void sk_addr_from_v4_bytes(struct sk_addr *a, const uint8_t b[4]);
void sk_addr_from_v6_bytes(struct sk_addr *a, const uint8_t b[16]);
/* The IPv4 address in host order; only meaningful for SK_AF_INET. */
static inline uint32_t sk_addr_v4(const struct sk_addr *a)
{
    return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 |
           (uint32_t)a->b[14] << 8 | a->b[15];
}

/* Total order: family first, then bytes. */
static inline int sk_addr_cmp(const struct sk_addr *x, const struct sk_addr *y)
{
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    return memcmp(x->b, y->b, 16);
}
static inline int sk_addr_eq(const struct sk_addr *x, const struct sk_addr *y)
{
    return x->family == y->family && memcmp(x->b, y->b, 16) == 0;
}

/* Does prefix p contain address a? Families must match. */
int sk_prefix_contains(const struct sk_prefix *p, const struct sk_addr *a);
/* Clears host bits beyond len (in the family's own bit numbering). */
void sk_addr_mask(struct sk_addr *a, unsigned len);
/* The bit length of the family: 32 or 128. */
static inline unsigned sk_addr_bits(const struct sk_addr *a)
{
    return a->family == SK_AF_INET ? 32 : 128;
}

#endif
