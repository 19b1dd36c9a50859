/*
 * reasm.c — IP fragment reassembly.
 *
 * Data structure: datagrams in progress are in a chained hash table keyed
 * by (version, protocol, src, dst, identification) and on a doubly linked
 * list in order of their first fragment, so expiry and eviction take the
 * oldest first in O(1). Each holds the unfragmentable header of its
 * offset-0 fragment, a payload buffer grown to the highest end seen (at
 * most 65535 bytes), and up to MAX_RANGES disjoint received byte ranges
 * (merged as they touch). Bytes already held are never overwritten (first
 * wins; an overlap is counted), so a later fragment cannot rewrite a header
 * an earlier one delivered.
 *
 * Memory: every datagram is charged its struct plus its payload buffer
 * against max_bytes; before growing, the oldest other datagrams are dropped
 * (counted as evicted) until the charge fits. The output buffer (one
 * datagram, 64 KiB + header) is allocated once.
 *
 * Validation: offset + length must stay within 65535; a fragment with more
 * to follow must carry a multiple of 8 bytes and not be empty; two last
 * fragments must agree on the end; no byte may lie past the end; more than
 * max_frags fragments or MAX_RANGES holes is refused. A refused fragment
 * drops its whole datagram (counted malformed).
 */
#include <stdlib.h>
#include <string.h>

#include "sakimori/error.h"
#include "sakimori/hash.h"
#include "sense/reasm.h"

#define MAX_RANGES 16
#define HDR_MAX 320 /* IPv6 header + extension headers before the fragment header */
#define BUCKETS 4096u
#define IP_MAX 65535u

struct range {
    uint32_t start, end;
};

struct dgram {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t proto, version;
    uint8_t have_first, have_last;
    uint8_t v6_next; /* IPv6: next header after the fragment header */
    uint32_t total;  /* payload length, known from the last fragment */
    uint32_t hdr_len;
    uint8_t hdr[HDR_MAX];
    uint8_t *data;
    uint32_t cap;
    struct range r[MAX_RANGES];
    uint32_t nr;
    uint32_t nfrags, wire;
    sk_nstime first_ts;
    uint32_t bucket;
    struct dgram *hnext, *prev, *next;
};

struct sk_reasm {
    struct sk_reasm_cfg cfg;
    struct dgram *buckets[BUCKETS];
    struct dgram *oldest, *newest;
    uint8_t *out;
    uint64_t seed;
    struct sk_reasm_stats st;
};

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sk_reasm_new(struct sk_reasm **out, const struct sk_reasm_cfg *cfg)
{
    struct sk_reasm *r = calloc(1, sizeof *r);

    if (!r)
        return -SK_ENOMEM;
    r->cfg = *cfg;
    if (!r->cfg.max_frags)
        r->cfg.max_frags = 64;
    if (!(r->out = malloc(IP_MAX + HDR_MAX))) {
        free(r);
        return -SK_ENOMEM;
    }
    r->seed = sk_hash_seed();
    *out = r;
    return 0;
}

static uint64_t charge(const struct dgram *d) { return sizeof *d + d->cap; }

static void unlink_dgram(struct sk_reasm *r, struct dgram *d)
{
    struct dgram **pp = &r->buckets[d->bucket];
    while (*pp != d)
        pp = &(*pp)->hnext;
    *pp = d->hnext;
    if (d->prev)
        d->prev->next = d->next;
    else
        r->oldest = d->next;
    if (d->next)
        d->next->prev = d->prev;
    else
        r->newest = d->prev;
    r->st.held_bytes -= charge(d);
    free(d->data);
    free(d);
}

void sk_reasm_free(struct sk_reasm *r)
{
    if (!r)
        return;
    while (r->oldest)
        unlink_dgram(r, r->oldest);
    free(r->out);
    free(r);
}

void sk_reasm_stats(const struct sk_reasm *r, struct sk_reasm_stats *out) { *out = r->st; }

void sk_reasm_expire(struct sk_reasm *r, sk_nstime now)
{
    while (r->oldest && r->oldest->first_ts + r->cfg.timeout <= now) {
        r->st.timeouts++;
        unlink_dgram(r, r->oldest);
    }
}

/* Drops the oldest datagrams other than keep until `more` bytes fit. */
static int make_room(struct sk_reasm *r, uint64_t more, const struct dgram *keep)
{
    while (r->st.held_bytes + more > r->cfg.max_bytes) {
        struct dgram *d = r->oldest;
        if (d == keep)
            d = d->next;
        if (!d)
            return -SK_ETOOBIG;
        r->st.evicted++;
        unlink_dgram(r, d);
    }
    return 0;
}

static void held(struct sk_reasm *r, uint64_t n)
{
    r->st.held_bytes += n;
    if (r->st.held_bytes > r->st.peak_bytes)
        r->st.peak_bytes = r->st.held_bytes;
}

/* Adds [start, end) to the sorted disjoint ranges, merging neighbours.
 * -SK_EPARSE when there would be too many holes. */
static int range_add(struct dgram *d, uint32_t start, uint32_t end)
{
    uint32_t i = 0, j;

    while (i < d->nr && d->r[i].end < start)
        i++;
    j = i;
    while (j < d->nr && d->r[j].start <= end) {
        if (d->r[j].start < start)
            start = d->r[j].start;
        if (d->r[j].end > end)
            end = d->r[j].end;
        j++;
    }
    /* ranges i..j-1 merge into one */
    if (i == j) {
        if (d->nr == MAX_RANGES)
            return -SK_EPARSE;
        memmove(&d->r[i + 1], &d->r[i], (d->nr - i) * sizeof d->r[0]);
        d->nr++;
    } else if (j - i > 1) {
        memmove(&d->r[i + 1], &d->r[j], (d->nr - j) * sizeof d->r[0]);
        d->nr -= j - i - 1;
    }
    d->r[i].start = start;
    d->r[i].end = end;
    return 0;
}

/* Copies the bytes of [off, off + len) not held yet; 1 if some were. */
static int copy_new(struct dgram *d, uint32_t off, const uint8_t *p, uint32_t len)
{
    uint32_t pos = off, end = off + len;
    int overlap = 0;

    for (uint32_t i = 0; i < d->nr && pos < end; i++) {
        if (d->r[i].end <= pos)
            continue;
        if (d->r[i].start >= end)
            break;
        if (d->r[i].start > pos)
            memcpy(d->data + pos, p + (pos - off), d->r[i].start - pos);
        overlap = 1;
        pos = d->r[i].end;
    }
    if (pos < end)
        memcpy(d->data + pos, p + (pos - off), end - pos);
    return overlap;
}

/* Builds the datagram in r->out. */
static int rebuild(struct sk_reasm *r, struct dgram *d, struct sk_reasm_out *o)
{
    uint8_t *p = r->out;
    uint32_t len = d->hdr_len + d->total;

    if (len > IP_MAX + (d->version == 6 ? 40u : 0u))
        return -SK_EPARSE;
    memcpy(p, d->hdr, d->hdr_len);
    memcpy(p + d->hdr_len, d->data, d->total);
    if (d->version == 4) {
        p[2] = (uint8_t)(len >> 8);
        p[3] = (uint8_t)len;
        p[6] &= 0x40; /* keep DF, clear MF and the offset */
        p[7] = 0;
    } else {
        uint32_t nh_off = 6, off = 40;
        while (off < d->hdr_len) {
            uint8_t type = p[nh_off];
            if (off + 2 > d->hdr_len)
                return -SK_EPARSE;
            nh_off = off;
            off += type == 51 ? ((uint32_t)p[off + 1] + 2) * 4 : ((uint32_t)p[off + 1] + 1) * 8;
        }
        if (off != d->hdr_len)
            return -SK_EPARSE;
        p[nh_off] = d->v6_next;
        p[4] = (uint8_t)((len - 40) >> 8);
        p[5] = (uint8_t)(len - 40);
    }
    o->data = p;
    o->len = len;
    o->fragments = d->nfrags;
    o->wire_bytes = d->wire;
    return 0;
}

int sk_reasm_add(struct sk_reasm *r, const struct sk_packet *pk, struct sk_reasm_out *out)
{
    const uint8_t *l3 = pk->l3;
    uint32_t id, off, plen, captured, hdr_len = pk->frag_hdr;
    uint8_t proto, v6_next = 0;
    int mf, rc;

    r->st.fragments++;
    sk_reasm_expire(r, pk->ts);
    if (!l3 || !pk->fragment)
        return -SK_EINVAL;
    if (pk->ip_version == 4) {
        uint16_t fo = rd16(l3 + 6);
        off = (uint32_t)(fo & 0x1fff) * 8;
        mf = (fo & 0x2000) != 0;
        id = rd16(l3 + 4);
        proto = l3[9];
        if (pk->ip_len < hdr_len)
            goto malformed;
        plen = pk->ip_len - hdr_len;
        captured = pk->l3_len - hdr_len;
    } else {
        const uint8_t *fh = l3 + hdr_len;
        if (pk->l3_len < hdr_len + 8u || pk->ip_len < hdr_len + 8u)
            goto malformed;
        uint16_t fo = rd16(fh + 2);
        off = fo & 0xfff8;
        mf = fo & 1;
        id = rd32(fh + 4);
        proto = v6_next = fh[0];
        plen = pk->ip_len - hdr_len - 8;
        captured = pk->l3_len - hdr_len - 8;
    }
    if (off + plen > IP_MAX || (mf && (plen == 0 || plen % 8)) || hdr_len > HDR_MAX)
        goto malformed;
    if (captured < plen) {
        r->st.truncated++;
        return 0;
    }

    /* find or start the datagram */
    uint64_t h = sk_hash64(pk->src.b, 16, r->seed ^ id) ^
                 sk_hash64(pk->dst.b, 16, r->seed + ((uint64_t)proto << 8 | pk->ip_version));
    uint32_t b = (uint32_t)h & (BUCKETS - 1);
    struct dgram *d;
    for (d = r->buckets[b]; d; d = d->hnext)
        if (d->id == id && d->proto == proto && d->version == pk->ip_version &&
            memcmp(d->src, pk->src.b, 16) == 0 && memcmp(d->dst, pk->dst.b, 16) == 0)
            break;
    if (!d) {
        if (make_room(r, sizeof *d, NULL) < 0) {
            r->st.evicted++;
            return 0;
        }
        if (!(d = calloc(1, sizeof *d)))
            return -SK_ENOMEM;
        memcpy(d->src, pk->src.b, 16);
        memcpy(d->dst, pk->dst.b, 16);
        d->id = id;
        d->proto = proto;
        d->version = pk->ip_version;
        d->first_ts = pk->ts;
        d->bucket = b;
        d->hnext = r->buckets[b];
        r->buckets[b] = d;
        d->prev = r->newest;
        if (r->newest)
            r->newest->next = d;
        else
            r->oldest = d;
        r->newest = d;
        held(r, sizeof *d);
    }

    if (++d->nfrags > r->cfg.max_frags)
        goto drop;
    d->wire += pk->ip_len;
    if (!mf) {
        if ((d->have_last && d->total != off + plen) ||
            (d->nr && d->r[d->nr - 1].end > off + plen))
            goto drop;
        d->total = off + plen;
        d->have_last = 1;
    } else if (d->have_last && off + plen > d->total) {
        goto drop;
    }
    if (off == 0 && !d->have_first) {
        memcpy(d->hdr, l3, hdr_len);
        d->hdr_len = hdr_len;
        d->v6_next = v6_next;
        d->have_first = 1;
    }
    if (plen) {
        if (off + plen > d->cap) {
            uint32_t cap = d->cap ? d->cap : 2048;
            while (cap < off + plen)
                cap *= 2;
            if (cap > IP_MAX)
                cap = IP_MAX;
            if (make_room(r, cap - d->cap, d) < 0)
                goto drop;
            uint8_t *nd = realloc(d->data, cap);
            if (!nd)
                return -SK_ENOMEM;
            held(r, cap - d->cap);
            d->data = nd;
            d->cap = cap;
        }
        if (copy_new(d, off, pk->payload, plen))
            r->st.overlaps++;
        if (range_add(d, off, off + plen) < 0)
            goto drop;
    }
    if (d->have_first && d->have_last && d->nr == 1 && d->r[0].start == 0 &&
        d->r[0].end == d->total) {
        rc = rebuild(r, d, out);
        unlink_dgram(r, d);
        if (rc < 0) {
            r->st.malformed++;
            return 0;
        }
        r->st.reassembled++;
        return 1;
    }
    return 0;
drop:
    unlink_dgram(r, d);
malformed:
    r->st.malformed++;
    return 0;
}
