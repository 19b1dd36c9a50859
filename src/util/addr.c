/*
 * addr.c — IPv4/IPv6 addresses and prefixes.
 *
 * Parsing and formatting go through inet_pton/inet_ntop, which are strict
 * (no "1.2.3", no octal) and give the canonical RFC 5952 text for IPv6.
 * IPv4 lives in b[12..15] behind ::ffff:, so prefix arithmetic on an IPv4
 * prefix of length L works on bit 96 + L of the 128-bit value.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void sk_addr_from_v4(struct sk_addr *a, uint32_t host_order)
{
    memcpy(a->b, v4mapped, 12);
    a->b[12] = (uint8_t)(host_order >> 24);
    a->b[13] = (uint8_t)(host_order >> 16);
    a->b[14] = (uint8_t)(host_order >> 8);
    a->b[15] = (uint8_t)host_order;
    a->family = SK_AF_INET;
}

void sk_addr_from_v4_bytes(struct sk_addr *a, const uint8_t b[4])
{
    memcpy(a->b, v4mapped, 12);
    memcpy(a->b + 12, b, 4);
    a->family = SK_AF_INET;
}

void sk_addr_from_v6_bytes(struct sk_addr *a, const uint8_t b[16])
{
    memcpy(a->b, b, 16);
    a->family = SK_AF_INET6;
}

int sk_addr_parsen(const char *s, size_t len, struct sk_addr *out)
{
    char tmp[INET6_ADDRSTRLEN + 1];
    uint8_t b[16];

    if (len == 0 || len >= sizeof tmp)
        return -SK_EPARSE;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (memchr(tmp, ':', len)) {
        if (inet_pton(AF_INET6, tmp, b) != 1)
            return -SK_EPARSE;
        sk_addr_from_v6_bytes(out, b);
        return 0;
    }
    if (inet_pton(AF_INET, tmp, b) != 1)
        return -SK_EPARSE;
    sk_addr_from_v4_bytes(out, b);
    return 0;
}

int sk_addr_parse(const char *s, struct sk_addr *out)
{
    return sk_addr_parsen(s, strlen(s), out);
}

void sk_addr_mask(struct sk_addr *a, unsigned len)
{
    unsigned bit = (a->family == SK_AF_INET ? 96 : 0) + len;

    if (bit >= 128)
        return;
    unsigned byte = bit / 8, rem = bit % 8;
    if (rem) {
        a->b[byte] &= (uint8_t)(0xff << (8 - rem));
        byte++;
    }
    memset(a->b + byte, 0, 16 - byte);
}

int sk_prefix_parse(const char *s, struct sk_prefix *out, int lenient)
{
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    struct sk_addr a, masked;
    unsigned long len;

    if (sk_addr_parsen(s, alen, &a) < 0)
        return -SK_EPARSE;
    unsigned bits = sk_addr_bits(&a);
    if (slash) {
        const char *p = slash + 1;
        char *end;
        if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '\0'))
            return -SK_EPARSE;
        len = strtoul(p, &end, 10);
        if (*end != '\0' || len > bits)
            return -SK_EPARSE;
    } else {
        len = bits;
    }
    masked = a;
    sk_addr_mask(&masked, (unsigned)len);
    if (!lenient && !sk_addr_eq(&masked, &a))
        return -SK_EINVAL; /* host bits set */
    out->addr = masked;
    out->len = (uint8_t)len;
    return 0;
}

char *sk_addr_fmt(const struct sk_addr *a, char *out, size_t len)
{
    if (a->family == SK_AF_INET) {
        if (!inet_ntop(AF_INET, a->b + 12, out, (socklen_t)len))
            snprintf(out, len, "?");
    } else if (a->family == SK_AF_INET6) {
        if (!inet_ntop(AF_INET6, a->b, out, (socklen_t)len))
            snprintf(out, len, "?");
    } else {
        snprintf(out, len, "-");
    }
    return out;
}

char *sk_prefix_fmt(const struct sk_prefix *p, char *out, size_t len)
{
    char a[SK_ADDR_STRLEN];
    snprintf(out, len, "%s/%u", sk_addr_fmt(&p->addr, a, sizeof a), p->len);
    return out;
}

int sk_prefix_contains(const struct sk_prefix *p, const struct sk_addr *a)
{
    if (p->addr.family != a->family)
        return 0;
    unsigned bit = (a->family == SK_AF_INET ? 96 : 0) + p->len;
    unsigned full = bit / 8, rem = bit % 8;
    if (memcmp(p->addr.b, a->b, full) != 0)
        return 0;
    if (rem) {
        uint8_t m = (uint8_t)(0xff << (8 - rem));
        if ((p->addr.b[full] & m) != (a->b[full] & m))
            return 0;
    }
    return 1;
}
