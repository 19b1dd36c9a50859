/*
 * decode.c — packet header decoding, through tunnels.
 *
 * Layouts (offset/size: meaning, network byte order):
 *   Ethernet  0/6 dst  6/6 src  12/2 ethertype; 802.1Q/802.1ad tags insert
 *             4 bytes (2 TCI, 2 inner ethertype) before the ethertype, any
 *             number of times (QinQ, 0x8100 / 0x88a8 / 0x9100)
 *   MPLS      4-byte labels (0x8847/0x8848), bit 8 of byte 2 = bottom of
 *             stack; the payload's first nibble says IPv4 or IPv6
 *   PPPoE     (0x8864) 0/1 ver|type 1/1 code 2/2 session 4/2 length 6/2 PPP
 *             protocol (0x0021 IPv4, 0x0057 IPv6)
 *   SLL       0/2 pkttype 2/2 arphrd 4/2 addrlen 6/8 addr 14/2 protocol
 *   SLL2      0/2 protocol 2/2 reserved 4/4 ifindex 8/2 arphrd 10/1 pkttype
 *             11/1 addrlen 12/8 addr                          (20 bytes)
 *   NULL/LOOP 0/4 address family (host order for NULL, network for LOOP)
 *   IPv4      0/1 version|IHL 2/2 total length 4/2 id 6/2 flags|fragment
 *             offset 9/1 protocol 12/4 src 16/4 dst
 *   IPv6      0/4 version|class|flow 4/2 payload length 6/1 next header
 *             8/16 src 24/16 dst; extension headers 0/1 next 1/1 len;
 *             fragment header 0/1 next 2/2 offset|M 4/4 id
 *   TCP       0/2 sport 2/2 dport 4/4 seq 8/4 ack 12/1 data offset 13/1 flags
 *   UDP       0/2 sport 2/2 dport 4/2 length
 *   ICMP      0/1 type 1/1 code
 * Tunnels:
 *   GRE       0/2 C|R|K|S|…|version 2/2 protocol; +4 checksum (C), +4 key
 *             (K), +4 sequence (S). Protocol 0x0800/0x86dd IP, 0x6558
 *             Ethernet, 0x88be ERSPAN I (no S bit: Ethernet follows) or II
 *             (8-byte header), 0x22eb ERSPAN III (12 bytes, +8 when the O
 *             bit — byte 11 bit 0 — is set), 0x8847 MPLS
 *   VXLAN     UDP 4789: 0/1 flags (I = 0x08) 4/3 VNI; 8 bytes, then Ethernet
 *   Geneve    UDP 6081: 0/1 version|option length (4-byte units) 2/2
 *             protocol 4/3 VNI; 8 + options, then Ethernet or IP
 *   GTP-U     UDP 2152: 0/1 version|PT|E|S|PN 1/1 type (255 = G-PDU) 2/2
 *             length 4/4 TEID; +4 when E, S or PN, then extension headers
 *   IP-in-IP  protocol 4 (IPv4) and 41 (IPv6)
 * Every read is bounds-checked against the captured length first.
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
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE 0x8864
#define ETH_TEB 0x6558   /* transparent Ethernet bridging */
#define ETH_ERSPAN2 0x88be
#define ETH_ERSPAN3 0x22eb
#define MAX_VLAN_TAGS 8
#define MAX_MPLS_LABELS 8
#define MAX_IPV6_EXT 16

#define UDP_VXLAN 4789
#define UDP_GENEVE 6081
#define UDP_GTPU 2152

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int decode_ipv4(const uint8_t *p, uint32_t len, struct sk_packet *pk, int depth);
static int decode_ipv6(const uint8_t *p, uint32_t len, struct sk_packet *pk, int depth);
static int decode_ether(const uint8_t *p, uint32_t len, struct sk_packet *pk, int depth);

static void reset(struct sk_packet *pk)
{
    pk->src.family = pk->dst.family = SK_AF_NONE;
    pk->sport = pk->dport = 0;
    pk->proto = 0;
    pk->tcp_flags = 0;
    pk->fragment = 0;
    pk->ip_version = 0;
    pk->ip_len = 0;
    pk->tcp_seq = pk->tcp_ack = 0;
    pk->l3 = NULL;
    pk->l3_len = 0;
    pk->frag_hdr = 0;
    pk->payload = NULL;
    pk->payload_len = 0;
}

/* Decodes what a tunnel carries; on success the inner packet replaces the
 * outer one, otherwise the outer one stays as it was. kind: 4 or 6 for IP,
 * 1 for Ethernet, 0 for "IP, version from the first nibble". */
static void decap(struct sk_packet *pk, int kind, const uint8_t *p, uint32_t len, int depth)
{
    struct sk_packet in = *pk;
    int rc;

    if (depth >= SK_DECODE_MAX_TUNNELS || len == 0)
        return;
    reset(&in);
    if (kind == 0)
        kind = p[0] >> 4;
    if (kind == 4)
        rc = decode_ipv4(p, len, &in, depth + 1);
    else if (kind == 6)
        rc = decode_ipv6(p, len, &in, depth + 1);
    else if (kind == 1)
        rc = decode_ether(p, len, &in, depth + 1);
    else
        return;
    if (rc == 0) {
        in.tunnels++;
        *pk = in;
    }
}

static void decode_gre(struct sk_packet *pk, const uint8_t *p, uint32_t len, int depth)
{
    if (len < 4)
        return;
    uint16_t flags = rd16(p), proto = rd16(p + 2);
    uint32_t off = 4;
    if ((flags & 0x7) != 0 || (flags & 0x4000)) /* enhanced GRE (PPTP), routing */
        return;
    if (flags & 0x8000)
        off += 4;
    if (flags & 0x2000)
        off += 4;
    if (flags & 0x1000)
        off += 4;
    if (off > len)
        return;
    p += off;
    len -= off;
    switch (proto) {
    case ETH_IPV4: decap(pk, 4, p, len, depth); break;
    case ETH_IPV6: decap(pk, 6, p, len, depth); break;
    case ETH_TEB: decap(pk, 1, p, len, depth); break;
    case ETH_ERSPAN2:
        if (!(flags & 0x1000)) { /* type I: no ERSPAN header */
            decap(pk, 1, p, len, depth);
        } else if (len >= 8) {
            decap(pk, 1, p + 8, len - 8, depth);
        }
        break;
    case ETH_ERSPAN3:
        if (len >= 12) {
            uint32_t h = (p[11] & 1) ? 20 : 12;
            if (len >= h)
                decap(pk, 1, p + h, len - h, depth);
        }
        break;
    case ETH_MPLS:
        for (int i = 0; i < MAX_MPLS_LABELS && len >= 4; i++) {
            int bottom = p[2] & 1;
            p += 4;
            len -= 4;
            if (bottom) {
                decap(pk, 0, p, len, depth);
                break;
            }
        }
        break;
    default:
        break;
    }
}

static void decode_udp_tunnel(struct sk_packet *pk, int depth)
{
    const uint8_t *p = pk->payload;
    uint32_t len = pk->payload_len;

    if (pk->dport == UDP_VXLAN || pk->sport == UDP_VXLAN) {
        if (len >= 8 && (p[0] & 0x08))
            decap(pk, 1, p + 8, len - 8, depth);
    } else if (pk->dport == UDP_GENEVE) {
        if (len < 8 || (p[0] >> 6) != 0)
            return;
        uint32_t h = 8 + (uint32_t)(p[0] & 0x3f) * 4;
        uint16_t proto = rd16(p + 2);
        if (h > len)
            return;
        if (proto == ETH_TEB)
            decap(pk, 1, p + h, len - h, depth);
        else if (proto == ETH_IPV4)
            decap(pk, 4, p + h, len - h, depth);
        else if (proto == ETH_IPV6)
            decap(pk, 6, p + h, len - h, depth);
    } else if (pk->dport == UDP_GTPU || pk->sport == UDP_GTPU) {
        if (len < 8 || (p[0] >> 5) != 1 || !(p[0] & 0x10) || p[1] != 0xff)
            return;
        uint32_t h = 8;
        if (p[0] & 0x07) { /* E, S or PN: sequence, N-PDU, next extension */
            if (len < 12)
                return;
            uint8_t next = p[11];
            h = 12;
            while (next) { /* extension headers: length in 4-byte units */
                if (h >= len || p[h] == 0)
                    return;
                uint32_t el = (uint32_t)p[h] * 4;
                if (h + el > len)
                    return;
                next = p[h + el - 1];
                h += el;
            }
        }
        if (h < len)
            decap(pk, 0, p + h, len - h, depth);
    }
}

static int decode_l4(const uint8_t *p, uint32_t len, struct sk_packet *pk, int depth)
{
    switch (pk->proto) {
    case 6: /* TCP */
        if (len < 20)
            return -SK_ETRUNC;
        pk->sport = rd16(p);
        pk->dport = rd16(p + 2);
        pk->tcp_seq = rd32(p + 4);
        pk->tcp_ack = rd32(p + 8);
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
        if (pk->payload_len >= 8)
            decode_udp_tunnel(pk, depth);
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
    case 47: /* GRE */
        pk->payload = p;
        pk->payload_len = len;
        decode_gre(pk, p, len, depth);
        return 0;
    case 4:  /* IPv4 in IP */
    case 41: /* IPv6 in IP */
        pk->payload = p;
        pk->payload_len = len;
        decap(pk, pk->proto == 4 ? 4 : 6, p, len, depth);
        return 0;
    default:
        pk->payload = p;
        pk->payload_len = len;
        return 0;
    }
}

static int decode_ipv4(const uint8_t *p, uint32_t len, struct sk_packet *pk, int depth)
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
    uint32_t end = total < len ? total : len;
    pk->l3_len = end;
    if ((frag & 0x3fff) != 0) { /* MF set or an offset: a fragment */
        pk->fragment = 1;
        pk->frag_hdr = (uint16_t)ihl;
        pk->payload = p + ihl;
        pk->payload_len = end - ihl;
        return 0;
    }
    return decode_l4(p + ihl, end - ihl, pk, depth);
}

static int decode_ipv6(const uint8_t *p, uint32_t len, struct sk_packet *pk, int depth)
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
    pk->l3_len = avail;
    for (int i = 0; i < MAX_IPV6_EXT; i++) {
        switch (nh) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
        case 139: /* HIP */
        case 140: /* shim6 */
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
                if ((fo & 0xfff9) == 0) {
                    /* an atomic fragment (RFC 6946): offset 0, M clear */
                    nh = p[off];
                    off += 8;
                    continue;
                }
                pk->fragment = 1;
                pk->frag_hdr = (uint16_t)off;
                pk->proto = p[off];
                pk->payload = p + off + 8;
                pk->payload_len = avail - off - 8;
                return 0;
            }
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
            return decode_l4(p + off, avail - off, pk, depth);
        }
    }
    return -SK_EPARSE; /* too many extension headers */
}

static int decode_ethertype(uint16_t et, const uint8_t *p, uint32_t len, struct sk_packet *pk,
                            int depth)
{
    switch (et) {
    case ETH_IPV4:
        return decode_ipv4(p, len, pk, depth);
    case ETH_IPV6:
        return decode_ipv6(p, len, pk, depth);
    case ETH_MPLS:
    case ETH_MPLS_MC:
        for (int i = 0; i < MAX_MPLS_LABELS; i++) {
            if (len < 4)
                return -SK_ETRUNC;
            int bottom = p[2] & 1;
            p += 4;
            len -= 4;
            if (bottom) {
                if (len < 1)
                    return -SK_ETRUNC;
                if (p[0] >> 4 == 4)
                    return decode_ipv4(p, len, pk, depth);
                if (p[0] >> 4 == 6)
                    return decode_ipv6(p, len, pk, depth);
                return -SK_EUNSUP; /* pseudowire, … */
            }
        }
        return -SK_EPARSE;
    case ETH_PPPOE:
        if (len < 8)
            return -SK_ETRUNC;
        if (rd16(p + 6) == 0x0021)
            return decode_ipv4(p + 8, len - 8, pk, depth);
        if (rd16(p + 6) == 0x0057)
            return decode_ipv6(p + 8, len - 8, pk, depth);
        return -SK_EUNSUP;
    default:
        return -SK_EUNSUP;
    }
}

static int decode_ether(const uint8_t *p, uint32_t len, struct sk_packet *pk, int depth)
{
    if (len < 14)
        return -SK_ETRUNC;
    uint16_t et = rd16(p + 12);
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
    return decode_ethertype(et, p, len, pk, depth);
}

int sk_decode_packet(int linktype, const uint8_t *data, uint32_t caplen, struct sk_packet *pk)
{
    const uint8_t *p = data;
    uint32_t len = caplen;

    pk->caplen = caplen;
    pk->pkts = 1;
    pk->tunnels = 0;
    reset(pk);

    switch (linktype) {
    case SK_DLT_EN10MB:
        return decode_ether(p, len, pk, 0);
    case SK_DLT_LINUX_SLL:
        if (len < 16)
            return -SK_ETRUNC;
        return decode_ethertype(rd16(p + 14), p + 16, len - 16, pk, 0);
    case SK_DLT_LINUX_SLL2:
        if (len < 20)
            return -SK_ETRUNC;
        return decode_ethertype(rd16(p), p + 20, len - 20, pk, 0);
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
            return decode_ipv4(p, len, pk, 0);
        if (af == 10 || af == 24 || af == 28 || af == 30)
            return decode_ipv6(p, len, pk, 0);
        return -SK_EUNSUP;
    }
    case SK_DLT_RAW:
    case SK_DLT_RAW_LT:
    case 14: /* DLT_RAW on OpenBSD */
        if (len < 1)
            return -SK_ETRUNC;
        if (p[0] >> 4 == 4)
            return decode_ipv4(p, len, pk, 0);
        if (p[0] >> 4 == 6)
            return decode_ipv6(p, len, pk, 0);
        return -SK_EPARSE;
    case SK_DLT_IPV4:
        return decode_ipv4(p, len, pk, 0);
    case SK_DLT_IPV6:
        return decode_ipv6(p, len, pk, 0);
    default:
        return -SK_EUNSUP;
    }
}
