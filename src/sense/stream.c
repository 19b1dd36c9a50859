/*
 * stream.c — in-order delivery of one TCP direction, bounded.
 *
 * The common case costs no copy: a segment arriving exactly at next_seq
 * with nothing buffered is handed to the consumer straight from the packet,
 * and only the unconsumed tail (a message cut by the segment boundary) is
 * copied into the buffer. Otherwise the segment is appended to the buffer
 * and the consumer sees the buffer. Sequence arithmetic is modulo 2^32
 * (a signed 32-bit difference), so wrap-around needs nothing special.
 *
 * Early segments (a hole before them) are copied into a list sorted by
 * sequence, at most SK_STREAM_MAX_OOO of them and within the depth; when
 * the hole fills they are delivered in order, trimmed of what overlaps.
 * A segment that cannot be kept marks the stream failed: from then on
 * nothing is delivered and everything held is released.
 */
#include <stdlib.h>
#include <string.h>

#include "sakimori/error.h"
#include "sense/stream.h"

struct sk_stream_seg {
    struct sk_stream_seg *next;
    uint32_t seq, len;
    uint8_t data[];
};

static void charge(struct sk_stream_mem *m, int64_t n)
{
    m->used = (uint64_t)((int64_t)m->used + n);
    if (m->used > m->peak)
        m->peak = m->used;
}

void sk_stream_start(struct sk_stream *s, uint32_t isn_plus_1)
{
    if (s->synced)
        return;
    s->next_seq = isn_plus_1;
    s->synced = 1;
}

void sk_stream_release(struct sk_stream *s, struct sk_stream_mem *mem)
{
    while (s->ooo) {
        struct sk_stream_seg *g = s->ooo;
        s->ooo = g->next;
        charge(mem, -(int64_t)(sizeof *g + g->len));
        free(g);
    }
    s->n_ooo = 0;
    s->ooo_bytes = 0;
    charge(mem, -(int64_t)s->cap);
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
}

static void fail(struct sk_stream *s, struct sk_stream_mem *mem, int hole)
{
    if (!s->failed) {
        if (hole)
            mem->gaps++;
        else
            mem->overflows++;
    }
    s->failed = 1;
    sk_stream_release(s, mem);
}

/* Appends to the buffer within depth and budget; 1 = over a bound. */
static int buffer(struct sk_stream *s, struct sk_stream_mem *mem, const uint8_t *p, uint32_t n)
{
    if ((uint64_t)s->len + n + s->ooo_bytes > mem->depth)
        return 1;
    if (s->len + n > s->cap) {
        uint32_t cap = s->cap ? s->cap : 2048;
        while (cap < s->len + n)
            cap *= 2;
        if (cap > mem->depth)
            cap = mem->depth;
        if (mem->used + (cap - s->cap) > mem->max)
            return 1;
        uint8_t *nb = realloc(s->buf, cap);
        if (!nb)
            return -1;
        charge(mem, (int64_t)cap - (int64_t)s->cap);
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

/* Delivers n in-order bytes. */
static int deliver(struct sk_stream *s, struct sk_stream_mem *mem, const uint8_t *p, uint32_t n,
                   sk_stream_fn fn, void *ctx)
{
    int c, r;

    s->next_seq += n;
    if (s->len == 0) {
        c = fn(ctx, p, n);
        if (c < 0) {
            s->failed = 1;
            sk_stream_release(s, mem);
            return 0;
        }
        if ((uint32_t)c < n && (r = buffer(s, mem, p + c, n - (uint32_t)c)) != 0) {
            if (r < 0)
                return -SK_ENOMEM;
            fail(s, mem, 0);
        }
        return 0;
    }
    if ((r = buffer(s, mem, p, n)) != 0) {
        if (r < 0)
            return -SK_ENOMEM;
        fail(s, mem, 0);
        return 0;
    }
    c = fn(ctx, s->buf, s->len);
    if (c < 0) {
        s->failed = 1;
        sk_stream_release(s, mem);
        return 0;
    }
    if (s->failed) /* the consumer may have been told to stop meanwhile */
        return 0;
    memmove(s->buf, s->buf + c, s->len - (uint32_t)c);
    s->len -= (uint32_t)c;
    return 0;
}

static int keep_early(struct sk_stream *s, struct sk_stream_mem *mem, uint32_t seq,
                      const uint8_t *p, uint32_t n)
{
    struct sk_stream_seg **pp = &s->ooo, *g;

    if (s->n_ooo >= SK_STREAM_MAX_OOO || (uint64_t)s->len + s->ooo_bytes + n > mem->depth ||
        mem->used + sizeof *g + n > mem->max)
        return 1;
    while (*pp && (int32_t)((*pp)->seq - seq) <= 0) {
        if ((*pp)->seq == seq && (*pp)->len >= n)
            return 0; /* a retransmission of an early segment */
        pp = &(*pp)->next;
    }
    if (!(g = malloc(sizeof *g + n)))
        return -1;
    g->seq = seq;
    g->len = n;
    memcpy(g->data, p, n);
    g->next = *pp;
    *pp = g;
    s->n_ooo++;
    s->ooo_bytes += n;
    charge(mem, (int64_t)(sizeof *g + n));
    return 0;
}

int sk_stream_segment(struct sk_stream *s, struct sk_stream_mem *mem, uint32_t seq,
                      const uint8_t *p, uint32_t n, sk_stream_fn fn, void *ctx)
{
    int rc;

    if (s->failed || n == 0)
        return 0;
    if (!s->synced) {
        s->next_seq = seq;
        s->synced = 1;
    }
    int32_t rel = (int32_t)(seq - s->next_seq);
    if (rel > 0) {
        if ((rc = keep_early(s, mem, seq, p, n)) != 0) {
            if (rc < 0)
                return -SK_ENOMEM;
            fail(s, mem, 1);
        }
        return 0;
    }
    uint32_t seen = 0u - (uint32_t)rel; /* bytes already delivered (rel ≤ 0) */
    if (seen >= n)
        return 0; /* all seen before */
    p += seen;
    n -= seen;
    if ((rc = deliver(s, mem, p, n, fn, ctx)) < 0)
        return rc;
    /* early segments the hole no longer separates */
    while (!s->failed && s->ooo && (int32_t)(s->ooo->seq - s->next_seq) <= 0) {
        struct sk_stream_seg *g = s->ooo;
        uint32_t skip = s->next_seq - g->seq;
        s->ooo = g->next;
        s->n_ooo--;
        s->ooo_bytes -= g->len;
        if (skip < g->len)
            rc = deliver(s, mem, g->data + skip, g->len - skip, fn, ctx);
        charge(mem, -(int64_t)(sizeof *g + g->len));
        free(g);
        if (rc < 0)
            return rc;
    }
    return 0;
}
