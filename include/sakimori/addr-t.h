/*
 * addr-t.h — one address type for IPv4 and IPv6.
 *
 * An sk_addr is 16 bytes in network order plus a family byte. IPv4 addresses
 * are stored IPv4-mapped (::ffff:a.b.c.d) so one comparison, one hash and one
 * prefix test serve both families; the family byte keeps 0.0.0.0/0 from
 * containing IPv6. 17 bytes, byte-aligned, so it packs tightly into keys.
 */
#ifndef SAKIMORI_ADDR_T_H
#define SAKIMORI_ADDR_T_H

#include <stdint.h>

enum sk_af {
    SK_AF_NONE = 0,
    SK_AF_INET = 4,
    SK_AF_INET6 = 6,
};

struct sk_addr {
    uint8_t b[16];  /* network byte order; IPv4 in b[12..15] */
    uint8_t family; /* enum sk_af */
};

/* A prefix: address with host bits cleared, and its length in bits within
 * its family (0–32 for IPv4, 0–128 for IPv6). */
struct sk_prefix {
    struct sk_addr addr;
    uint8_t len;
};

/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" + NUL */
#define SK_ADDR_STRLEN 50

#endif
