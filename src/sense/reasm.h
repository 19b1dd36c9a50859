/*
 * reasm.h — IPv4 and IPv6 fragment reassembly with bounded memory.
 *
 * Fragments of one datagram (same addresses, protocol and identification)
 * are held until every byte from 0 to the end given by the last fragment
 * has arrived; then the datagram is rebuilt as one raw IP packet (the first
 * fragment's header, lengths fixed, the fragment header gone) that the
 * caller decodes again. A datagram still incomplete `timeout` after its
 * first fragment is dropped and counted; when holding another fragment would
 * pass `max_bytes`, the oldest datagrams are dropped (counted) to make room.
 * Overlapping fragments keep the bytes that arrived first, and are counted.
 */
#ifndef SK_SENSE_REASM_H
#define SK_SENSE_REASM_H

#include <stdint.h>

#include "sense/decode.h"

struct sk_reasm;

struct sk_reasm_cfg {
    uint64_t max_bytes; /* all datagrams together, bookkeeping included */
    uint64_t timeout;   /* ns from a datagram's first fragment */
    uint32_t max_frags; /* fragments per datagram; more is an attack */
};

struct sk_reasm_stats {
    uint64_t fragments;   /* fragments offered */
    uint64_t reassembled; /* datagrams completed */
    uint64_t timeouts;    /* datagrams dropped incomplete after timeout */
    uint64_t evicted;     /* datagrams dropped to stay within max_bytes */
    uint64_t malformed;   /* fragments refused: bad offsets/lengths, too many */
    uint64_t truncated;   /* fragments not fully captured (snap length) */
    uint64_t overlaps;    /* fragments overlapping bytes already held */
    uint64_t held_bytes;  /* now */
    uint64_t peak_bytes;
};

/* A completed datagram; valid until the next call on the reassembler. */
struct sk_reasm_out {
    const uint8_t *data; /* raw IP packet */
    uint32_t len;
    uint32_t fragments;  /* how many fragments made it */
    uint32_t wire_bytes; /* sum of the fragments' IP lengths */
};

int sk_reasm_new(struct sk_reasm **out, const struct sk_reasm_cfg *cfg);
void sk_reasm_free(struct sk_reasm *r);
/* Offers a decoded fragment (pk->fragment set, pk->l3/l3_len/frag_hdr
 * valid). Returns 1 and fills out when it completed a datagram, 0 when it
 * is held (or dropped and counted), -SK_ENOMEM when memory ran out. */
int sk_reasm_add(struct sk_reasm *r, const struct sk_packet *pk, struct sk_reasm_out *out);
/* Drops datagrams whose time is up at now. */
void sk_reasm_expire(struct sk_reasm *r, sk_nstime now);
void sk_reasm_stats(const struct sk_reasm *r, struct sk_reasm_stats *out);

#endif
