/*
 * decode.h — link, network and transport headers of one captured packet.
 *
 * sk_decode_packet() never reads outside [data, data + caplen) and never
 * allocates; everything it returns points into the packet. It knows
 * Ethernet (with 802.1Q/802.1ad/QinQ tags, MPLS and PPPoE sessions), Linux
 * cooked capture v1 and v2, BSD loopback and raw IPv4/IPv6; IPv4 and IPv6
 * (walking extension headers); TCP, UDP, ICMP and ICMPv6; and it looks
 * through tunnels to the innermost packet: IP-in-IP, GRE (including
 * transparent Ethernet bridging and ERSPAN types I, II and III), VXLAN,
 * Geneve and GTP-U. A tunnel whose inner packet does not decode is left as
 * the outer packet. An IP fragment stops decoding at its IP layer: what is
 * inside is decoded once the datagram is reassembled (reasm.h).
 */
#ifndef SK_SENSE_DECODE_H
#define SK_SENSE_DECODE_H

#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/nstime.h"

/* libpcap link types (LINKTYPE_* values as in the file header; pcap maps
 * LINKTYPE_RAW 101 to DLT_RAW 12 on Linux, both are accepted). */
enum sk_linktype {
    SK_DLT_NULL = 0,
    SK_DLT_EN10MB = 1,
    SK_DLT_RAW = 12,
    SK_DLT_RAW_LT = 101,
    SK_DLT_LOOP = 108,
    SK_DLT_LINUX_SLL = 113,
    SK_DLT_IPV4 = 228,
    SK_DLT_IPV6 = 229,
    SK_DLT_LINUX_SLL2 = 276,
};

#define SK_TCP_FIN 0x01
#define SK_TCP_SYN 0x02
#define SK_TCP_RST 0x04
#define SK_TCP_PSH 0x08
#define SK_TCP_ACK 0x10

/* Tunnels looked through: at most this many, one inside the other. */
#define SK_DECODE_MAX_TUNNELS 4

struct sk_packet {
    sk_nstime ts;
    uint32_t caplen, wirelen;
    struct sk_addr src, dst;
    uint16_t sport, dport; /* ICMP: type in sport, code in dport */
    uint8_t proto;
    uint8_t tcp_flags;
    uint8_t ip_version;   /* 4 or 6 */
    uint8_t fragment;     /* 1: an IP fragment (decoding stopped at its IP layer) */
    uint8_t tunnels;      /* tunnel layers looked through */
    uint32_t pkts;        /* packets this stands for: 1, or the fragment count */
    uint32_t ip_len;      /* octets on the wire at the IP layer */
    uint32_t tcp_seq, tcp_ack;
    const uint8_t *l3;    /* start of the (innermost) IP header */
    uint32_t l3_len;      /* captured bytes from l3 on, within the IP length */
    uint16_t frag_hdr;    /* fragments: offset from l3 of the IPv6 fragment
                             header, or the IPv4 header length */
    const uint8_t *payload; /* transport payload (captured part) */
    uint32_t payload_len;   /* captured payload bytes */
};

/* Decodes one packet. Returns 0 for an IP packet, -SK_EUNSUP for something
 * that is not IP (ARP, LLDP, …; skipped, not an error), -SK_ETRUNC or
 * -SK_EPARSE when headers are cut short or inconsistent (malformed). */
int sk_decode_packet(int linktype, const uint8_t *data, uint32_t caplen,
                     struct sk_packet *out);

#endif
