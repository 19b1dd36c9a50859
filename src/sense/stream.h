/*
 * stream.h — one direction of a TCP connection, reassembled in order for
 * the application-layer decoders (DNS over TCP, TLS handshakes, HTTP).
 *
 * Segments are delivered to a consumer callback in sequence order; what the
 * consumer does not consume yet (a message cut by the segment boundary)
 * stays in a buffer until more arrives. Retransmitted bytes are dropped,
 * segments that arrive early wait on a short sorted list. Everything is
 * bounded: per direction at most `depth` bytes buffered (unconsumed plus
 * waiting), and every byte is charged to a shared budget (`struct
 * sk_stream_mem`) so all connections together stay under stream_memory.
 * Past a bound, or across a hole that never fills, the stream fails and
 * the consumer is told nothing more: it can only lose data, never memory.
 */
#ifndef SK_SENSE_STREAM_H
#define SK_SENSE_STREAM_H

#include <stddef.h>
#include <stdint.h>

#define SK_STREAM_MAX_OOO 8 /* segments waiting for a hole to fill */

struct sk_stream_mem {
    uint64_t used, max; /* bytes charged now / allowed */
    uint32_t depth;     /* per direction */
    uint64_t peak;
    uint64_t overflows; /* streams failed on a bound */
    uint64_t gaps;      /* streams failed on a hole */
};

struct sk_stream_seg;

struct sk_stream {
    uint32_t next_seq; /* sequence number of the next byte to deliver */
    uint8_t synced;    /* next_seq is known */
    uint8_t failed;    /* bound or hole: nothing more is delivered */
    uint8_t n_ooo;
    uint32_t len, cap; /* buffered unconsumed bytes */
    uint8_t *buf;
    struct sk_stream_seg *ooo; /* early segments, by sequence */
    uint32_t ooo_bytes;
};

/* The consumer: gets the in-order bytes not consumed so far; returns how
 * many it consumed (0..n), or < 0 to stop the stream (failed, no error). */
typedef int (*sk_stream_fn)(void *ctx, const uint8_t *p, size_t n);

/* Sets where the stream starts: the byte after a SYN's sequence number. */
void sk_stream_start(struct sk_stream *s, uint32_t isn_plus_1);
/* One segment's payload at sequence number seq. Returns 0, or -SK_ENOMEM
 * when malloc fails; bounds and holes only mark the stream failed. */
int sk_stream_segment(struct sk_stream *s, struct sk_stream_mem *mem, uint32_t seq,
                      const uint8_t *p, uint32_t n, sk_stream_fn fn, void *ctx);
/* Frees the buffers, returning their charge. The struct can be reused. */
void sk_stream_release(struct sk_stream *s, struct sk_stream_mem *mem);

#endif
