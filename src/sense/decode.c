/*
 * decode.c — packet header decoding.
 *
 * Layouts (offset/size/meaning, network byte order):
 *   Ethernet  0/6 dst  6/6 src  12/2 ethertype; 802.1Q/802.1ad tags insert
 *             4 bytes (2 TCI, 2 inner ethertype) before the ethertype, any
 *             number of times (QinQ, 0x8100 / 0x88a8 / 0x9100)
 *   SLL       0/2 pkttype 2/2 arphrd 4/2 addrlen 6/8 addr 14/2 protocol
 *   SLL2      0/2 protocol 2/2 reserved 4/4 ifindex 8/2 arphrd 10/1 pkttype
 *             11/1 addrlen 12/8 addr                          (20 bytes)
 *   NULL/LOOP 0/4 address family (host order for NULL, network for LOOP)
 *   IPv4      0/1 version|IHL 2/2 total length 6/2 flags|fragment offset
 *             9/1 protocol 12/4 src 16/4 dst
 *   IPv6      0/4 version|class|flow 4/2 payload length 6/1 next header
 *             8/16 src 24/16 dst; extension headers 0/1 next 1/1 len
 *   TCP       0/2 sport 2/2 dport 4/4 seq 12/1 data offset 13/1 flags
 *   UDP       0/2 sport 2/2 dport 4/2 length
 *   ICMP      0/1 type 1/1 code
 * Every read is bounds-checked against caplen first.
 */
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"
#include "sense/decode.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 8
#define MAX_IPV6_EXT 16

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int decode_l4(const uint8_t *p, uint32_t len, struct sk_packet *pk)
{
    switch (pk->proto) {
    case 6: /* TCP */
        if (len < 20)
            return -SK_ETRUNC;
        pk->sport = rd16(p);
        pk->dport = rd16(p + 2);
        pk->tcp_seq = rd32(p + 4);
        pk->tcp_flags = p[13];
        {
            uint32_t off = (uint32_t)(p[12] >> 4) * 4;
            if (off < 20)
                return -SK_EPARSE;
            if (off > len)
                return -SK_ETRUNC;
            pk->payload = p + off;
            pk->payload_len = len - off;
        }
        return 0;
    case 17: /* UDP */
        if (len < 8)
            return -SK_ETRUNC;
        pk->sport = rd16(p);
        pk->dport = rd16(p + 2);
        {
            uint32_t ulen = rd16(p + 4);
            if (ulen < 8)
                return -SK_EPARSE;
            uint32_t plen = ulen - 8;
            pk->payload = p + 8;
            pk->payload_len = len - 8 < plen ? len - 8 : plen;
        }
        return 0;
    case 1:  /* ICMP */
    case 58: /* ICMPv6 */
        if (len < 4)
            return -SK_ETRUNC;
        pk->sport = p[0];
        pk->dport = p[1];
        pk->payload = p + 4;
        pk->payload_len = len - 4;
        return 0;
    default:
        pk->payload = p;
        pk->payload_len = len;
        return 0;
    }
}

static int decode_ipv4(const uint8_t *p, uint32_t len, struct sk_packet *pk)
{
    if (len < 20)
        return -SK_ETRUNC;
    if (p[0] >> 4 != 4)
        return -SK_EPARSE;
    uint32_t ihl = (uint32_t)(p[0] & 0x0f) * 4;
    uint32_t total = rd16(p + 2);
    if (ihl < 20 || total < ihl)
        return -SK_EPARSE;
    if (ihl > len)
        return -SK_ETRUNC;
    pk->l3 = p;
    pk->ip_version = 4;
    pk->ip_len = total;
    pk->proto = p[9];
    sk_addr_from_v4_bytes(&pk->src, p + 12);
    sk_addr_from_v4_bytes(&pk->dst, p + 16);
    uint16_t frag = rd16(p + 6);
    uint32_t avail = (total < len ? total : len) - ihl;
    if ((frag & 0x1fff) != 0) { /* not the first fragment: no L4 header */
        pk->fragment = 1;
        pk->payload = p + ihl;
        pk->payload_len = avail;
        return 0;
    }
    if (frag & 0x2000)
        pk->fragment = 1;
    return decode_l4(p + ihl, avail, pk);
}

static int decode_ipv6(const uint8_t *p, uint32_t len, struct sk_packet *pk)
{
    if (len < 40)
        return -SK_ETRUNC;
    if (p[0] >> 4 != 6)
        return -SK_EPARSE;
    uint32_t plen = rd16(p + 4);
    pk->l3 = p;
    pk->ip_version = 6;
    pk->ip_len = plen + 40; /* jumbograms (plen 0) are not seen on captures */
    sk_addr_from_v6_bytes(&pk->src, p + 8);
    sk_addr_from_v6_bytes(&pk->dst, p + 24);
    uint32_t avail = (plen + 40 < len ? plen + 40 : len);
    uint32_t off = 40;
    uint8_t nh = p[6];
    for (int i = 0; i < MAX_IPV6_EXT; i++) {
        switch (nh) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
            if (off + 2 > avail)
                return -SK_ETRUNC;
            {
                uint32_t hlen = ((uint32_t)p[off + 1] + 1) * 8;
                nh = p[off];
                off += hlen;
                if (off > avail)
                    return -SK_ETRUNC;
            }
            continue;
        case 44: /* fragment */
            if (off + 8 > avail)
                return -SK_ETRUNC;
            {
                uint16_t fo = rd16(p + off + 2);
                nh = p[off];
                off += 8;
                pk->fragment = 1;
                if ((fo & 0xfff8) != 0) {
                    pk->proto = nh;
                    pk->payload = p + off;
                    pk->payload_len = avail - off;
                    return 0;
                }
            }
            continue;
        case 51: /* AH: length in 4-byte units minus 2 */
            if (off + 2 > avail)
                return -SK_ETRUNC;
            {
                uint32_t hlen = ((uint32_t)p[off + 1] + 2) * 4;
                nh = p[off];
                off += hlen;
                if (off > avail)
                    return -SK_ETRUNC;
            }
            continue;
        default:
            pk->proto = nh;
            return decode_l4(p + off, avail - off, pk);
        }
    }
    return -SK_EPARSE; /* too many extension headers */
}

static int decode_ethertype(uint16_t et, const uint8_t *p, uint32_t len,
                            struct sk_packet *pk)
{
    if (et == ETH_IPV4)
        return decode_ipv4(p, len, pk);
    if (et == ETH_IPV6)
        return decode_ipv6(p, len, pk);
    return -SK_EUNSUP;
}

int sk_decode_packet(int linktype, const uint8_t *data, uint32_t caplen,
                     struct sk_packet *pk)
{
    const uint8_t *p = data;
    uint32_t len = caplen;
    uint16_t et;

    pk->caplen = caplen;
    pk->src.family = pk->dst.family = SK_AF_NONE;
    pk->sport = pk->dport = 0;
    pk->proto = 0;
    pk->tcp_flags = 0;
    pk->fragment = 0;
    pk->ip_version = 0;
    pk->ip_len = 0;
    pk->tcp_seq = 0;
    pk->l3 = NULL;
    pk->payload = NULL;
    pk->payload_len = 0;

    switch (linktype) {
    case SK_DLT_EN10MB:
        if (len < 14)
            return -SK_ETRUNC;
        et = rd16(p + 12);
        p += 14;
        len -= 14;
        for (int i = 0; et == ETH_VLAN || et == ETH_QINQ || et == ETH_QINQ_OLD; i++) {
            if (i == MAX_VLAN_TAGS)
                return -SK_EPARSE;
            if (len < 4)
                return -SK_ETRUNC;
            et = rd16(p + 2);
            p += 4;
            len -= 4;
        }
        if (et <= 1500) /* 802.3 length field: LLC/SNAP, not IP */
            return -SK_EUNSUP;
        return decode_ethertype(et, p, len, pk);
    case SK_DLT_LINUX_SLL:
        if (len < 16)
            return -SK_ETRUNC;
        return decode_ethertype(rd16(p + 14), p + 16, len - 16, pk);
    case SK_DLT_LINUX_SLL2:
        if (len < 20)
            return -SK_ETRUNC;
        return decode_ethertype(rd16(p), p + 20, len - 20, pk);
    case SK_DLT_NULL:
    case SK_DLT_LOOP: {
        if (len < 4)
            return -SK_ETRUNC;
        uint32_t af;
        if (linktype == SK_DLT_LOOP) {
            af = rd32(p);
        } else {
            memcpy(&af, p, 4); /* host order of the capturing machine */
            if (af > 0xffff)
                af = __builtin_bswap32(af);
        }
        p += 4;
        len -= 4;
        if (af == 2)
            return decode_ipv4(p, len, pk);
        if (af == 10 || af == 24 || af == 28 || af == 30)
            return decode_ipv6(p, len, pk);
        return -SK_EUNSUP;
    }
    case SK_DLT_RAW:
    case SK_DLT_RAW_LT:
    case 14: /* DLT_RAW on OpenBSD */
        if (len < 1)
            return -SK_ETRUNC;
        if (p[0] >> 4 == 4)
            return decode_ipv4(p, len, pk);
        if (p[0] >> 4 == 6)
            return decode_ipv6(p, len, pk);
        return -SK_EPARSE;
    case SK_DLT_IPV4:
        return decode_ipv4(p, len, pk);
    case SK_DLT_IPV6:
        return decode_ipv6(p, len, pk);
    default:
        return -SK_EUNSUP;
    }
}
