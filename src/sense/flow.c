/*
 * flow.c — bidirectional flow table with bounded memory.
 *
 * Data structure:
 *   flows[]  a pool of at most max_flows records, allocated in chunks as the
 *            table fills; free records form a list through lru_next.
 *   index[]  open addressing (linear probing) over 2 × max_flows slots (a
 *            power of two), each holding a pool index + 1; deletion shifts
 *            the probe run back, so there are no tombstones.
 *   LRU      a doubly linked list through the pool in order of last packet:
 *            idle expiry pops from the head while the head is idle, and a
 *            full table evicts the head. Packets arrive in time order, so
 *            moving a flow to the tail keeps the list sorted.
 * The hash is symmetric in the two endpoints, so both directions of a flow
 * find the same slot. Per flow: one record (96 bytes) + two index slots
 * (8 bytes) — see sk_flowtab_bytes_per_flow().
 * Cost: O(1) expected per packet; expiry is amortised O(1) per flow.
 */
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"
#include "sense/flow.h"

#define NIL UINT32_MAX
#define POOL_CHUNK 65536u

struct flow {
    struct sk_addr a, b;  /* a = initiator */
    uint16_t aport, bport;
    uint8_t proto;
    uint8_t flags_ab, flags_ba;
    uint8_t fin;          /* bit 0: FIN a→b, bit 1: FIN b→a, bit 2: RST */
    uint32_t lru_prev, lru_next;
    uint32_t slot;        /* where the index points at it */
    uint32_t pkts_ab, pkts_ba;
    uint64_t bytes_ab, bytes_ba;
    sk_nstime first, last;
};

struct sk_flowtab {
    struct sk_flowtab_cfg cfg;
    sk_event_fn emit;
    void *ctx;
    struct flow **chunks; /* pool in chunks of POOL_CHUNK */
    uint32_t nchunks, allocated; /* records carved so far */
    uint32_t free_head;
    uint32_t *index;
    uint32_t mask;
    uint32_t lru_head, lru_tail;
    uint64_t seed;
    struct sk_flowtab_stats st;
};

static inline struct flow *F(struct sk_flowtab *ft, uint32_t i)
{
    return &ft->chunks[i / POOL_CHUNK][i % POOL_CHUNK];
}

size_t sk_flowtab_bytes_per_flow(void) { return sizeof(struct flow) + 2 * sizeof(uint32_t); }

int sk_flowtab_new(struct sk_flowtab **out, const struct sk_flowtab_cfg *cfg,
                   sk_event_fn emit, void *ctx)
{
    struct sk_flowtab *ft = calloc(1, sizeof *ft);
    uint64_t slots = 1024;

    if (!ft)
        return -SK_ENOMEM;
    ft->cfg = *cfg;
    if (ft->cfg.max_flows < 16)
        ft->cfg.max_flows = 16;
    while (slots < 2ULL * ft->cfg.max_flows)
        slots *= 2;
    ft->mask = (uint32_t)(slots - 1);
    ft->index = calloc(slots, sizeof *ft->index);
    ft->nchunks = (ft->cfg.max_flows + POOL_CHUNK - 1) / POOL_CHUNK;
    ft->chunks = calloc(ft->nchunks, sizeof *ft->chunks);
    if (!ft->index || !ft->chunks) {
        sk_flowtab_free(ft);
        return -SK_ENOMEM;
    }
    ft->free_head = NIL;
    ft->lru_head = ft->lru_tail = NIL;
    ft->emit = emit;
    ft->ctx = ctx;
    ft->seed = sk_hash_seed();
    *out = ft;
    return 0;
}

void sk_flowtab_free(struct sk_flowtab *ft)
{
    if (!ft)
        return;
    for (uint32_t i = 0; ft->chunks && i < ft->nchunks; i++)
        free(ft->chunks[i]);
    free(ft->chunks);
    free(ft->index);
    free(ft);
}

static uint64_t endpoint_hash(const struct sk_addr *a, uint16_t port, uint64_t seed)
{
    uint64_t w[2];
    memcpy(w, a->b, 16);
    return sk_hash_mix64(w[0] ^ seed) ^ sk_hash_mix64(w[1] + port + ((uint64_t)a->family << 32));
}

static uint32_t flow_hash(struct sk_flowtab *ft, const struct sk_addr *s, uint16_t sp,
                          const struct sk_addr *d, uint16_t dp, uint8_t proto)
{
    /* symmetric: the two endpoint hashes are combined commutatively */
    uint64_t h = endpoint_hash(s, sp, ft->seed) + endpoint_hash(d, dp, ft->seed);
    return (uint32_t)sk_hash_mix64(h ^ proto);
}

static void lru_unlink(struct sk_flowtab *ft, uint32_t i)
{
    struct flow *f = F(ft, i);
    if (f->lru_prev != NIL)
        F(ft, f->lru_prev)->lru_next = f->lru_next;
    else
        ft->lru_head = f->lru_next;
    if (f->lru_next != NIL)
        F(ft, f->lru_next)->lru_prev = f->lru_prev;
    else
        ft->lru_tail = f->lru_prev;
}

static void lru_append(struct sk_flowtab *ft, uint32_t i)
{
    struct flow *f = F(ft, i);
    f->lru_prev = ft->lru_tail;
    f->lru_next = NIL;
    if (ft->lru_tail != NIL)
        F(ft, ft->lru_tail)->lru_next = i;
    else
        ft->lru_head = i;
    ft->lru_tail = i;
}

/* Removes index slot `slot`, shifting later members of its probe run back. */
static void index_delete(struct sk_flowtab *ft, uint32_t slot)
{
    uint32_t hole = slot, j = slot;

    for (;;) {
        j = (j + 1) & ft->mask;
        uint32_t v = ft->index[j];
        if (!v)
            break;
        struct flow *f = F(ft, v - 1);
        uint32_t home = flow_hash(ft, &f->a, f->aport, &f->b, f->bport, f->proto) & ft->mask;
        /* the entry at j may fill the hole if the hole is no farther from
         * j than its home slot is (it stays reachable from home) */
        if (((j - home) & ft->mask) >= ((j - hole) & ft->mask)) {
            ft->index[hole] = v;
            f->slot = hole;
            hole = j;
        }
    }
    ft->index[hole] = 0;
}

static int emit_flow(struct sk_flowtab *ft, struct flow *f, uint8_t reason)
{
    struct sk_event ev;

    memset(&ev, 0, sizeof ev);
    ev.kind = SK_EVENT_FLOW;
    ev.proto = f->proto;
    ev.privacy = ft->cfg.privacy;
    ev.source_id = ft->cfg.source_id;
    ev.sport = f->aport;
    ev.dport = f->bport;
    ev.ts = f->first;
    ev.ts_end = f->last;
    ev.src = f->a;
    ev.dst = f->b;
    ev.u.flow.pkts_out = f->pkts_ab;
    ev.u.flow.bytes_out = f->bytes_ab;
    ev.u.flow.pkts_in = f->pkts_ba;
    ev.u.flow.bytes_in = f->bytes_ba;
    ev.u.flow.tcp_flags_out = f->flags_ab;
    ev.u.flow.tcp_flags_in = f->flags_ba;
    ev.u.flow.end_reason = reason;
    ev.u.flow.sampling = 1;
    ft->st.flows++;
    return ft->emit ? ft->emit(ft->ctx, &ev) : 0;
}

/* TCP closed both ways or reset. */
static inline int flow_closed(const struct flow *f) { return (f->fin & 3) == 3 || (f->fin & 4); }

/* Ends flow i: emits its record and returns it to the free list. */
static int end_flow(struct sk_flowtab *ft, uint32_t i, uint8_t reason)
{
    struct flow *f = F(ft, i);
    int rc = emit_flow(ft, f, reason);

    lru_unlink(ft, i);
    index_delete(ft, f->slot);
    f->lru_next = ft->free_head;
    ft->free_head = i;
    ft->st.active--;
    return rc;
}

int sk_flowtab_expire(struct sk_flowtab *ft, sk_nstime now)
{
    int rc;
    while (ft->lru_head != NIL) {
        struct flow *f = F(ft, ft->lru_head);
        if (f->last + ft->cfg.idle_timeout > now)
            break;
        if ((rc = end_flow(ft, ft->lru_head, flow_closed(f) ? SK_FLOW_END_FIN : SK_FLOW_END_IDLE)) < 0)
            return rc;
    }
    return 0;
}

int sk_flowtab_flush(struct sk_flowtab *ft)
{
    int rc;
    while (ft->lru_head != NIL)
        if ((rc = end_flow(ft, ft->lru_head, SK_FLOW_END_EOF)) < 0)
            return rc;
    return 0;
}

static int alloc_flow(struct sk_flowtab *ft, uint32_t *out)
{
    int rc;

    if (ft->free_head != NIL) {
        *out = ft->free_head;
        ft->free_head = F(ft, *out)->lru_next;
        return 0;
    }
    if (ft->allocated < ft->cfg.max_flows) {
        uint32_t c = ft->allocated / POOL_CHUNK;
        if (!ft->chunks[c]) {
            uint32_t n = ft->cfg.max_flows - c * POOL_CHUNK;
            if (n > POOL_CHUNK)
                n = POOL_CHUNK;
            if (!(ft->chunks[c] = malloc((size_t)n * sizeof(struct flow))))
                return -SK_ENOMEM;
        }
        *out = ft->allocated++;
        return 0;
    }
    /* full: evict the least recently seen flow */
    ft->st.evicted++;
    if ((rc = end_flow(ft, ft->lru_head, SK_FLOW_END_EVICTED)) < 0)
        return rc;
    *out = ft->free_head;
    ft->free_head = F(ft, *out)->lru_next;
    return 0;
}

int sk_flowtab_packet(struct sk_flowtab *ft, const struct sk_packet *pk, int *reverse)
{
    uint32_t h, slot, v, i = 0;
    struct flow *f = NULL;
    int rc, rev = 0;

    if (ft->lru_head != NIL && F(ft, ft->lru_head)->last + ft->cfg.idle_timeout <= pk->ts)
        if ((rc = sk_flowtab_expire(ft, pk->ts)) < 0)
            return rc;

    h = flow_hash(ft, &pk->src, pk->sport, &pk->dst, pk->dport, pk->proto);
    for (slot = h & ft->mask; (v = ft->index[slot]); slot = (slot + 1) & ft->mask) {
        f = F(ft, v - 1);
        if (f->proto != pk->proto)
            continue;
        if (f->aport == pk->sport && f->bport == pk->dport && sk_addr_eq(&f->a, &pk->src) &&
            sk_addr_eq(&f->b, &pk->dst)) {
            rev = 0;
            break;
        }
        if (f->aport == pk->dport && f->bport == pk->sport && sk_addr_eq(&f->a, &pk->dst) &&
            sk_addr_eq(&f->b, &pk->src)) {
            rev = 1;
            break;
        }
    }
    if (v && flow_closed(F(ft, v - 1)) &&
        (pk->tcp_flags & (SK_TCP_SYN | SK_TCP_ACK)) == SK_TCP_SYN) {
        /* a new connection reusing the 5-tuple of a closed one */
        if ((rc = end_flow(ft, v - 1, SK_FLOW_END_FIN)) < 0)
            return rc;
        v = 0;
        rev = 0;
    }
    if (v) {
        i = v - 1;
        f = F(ft, i);
        if (pk->ts >= f->first + ft->cfg.active_timeout) {
            /* split a long flow: report what it did so far and count afresh */
            if ((rc = emit_flow(ft, f, SK_FLOW_END_ACTIVE)) < 0)
                return rc;
            f->first = pk->ts;
            f->pkts_ab = f->pkts_ba = 0;
            f->bytes_ab = f->bytes_ba = 0;
            f->flags_ab = f->flags_ba = 0;
        }
    } else {
        if ((rc = alloc_flow(ft, &i)) < 0)
            return rc;
        /* eviction may have shifted the probe run: find a free slot again */
        for (slot = h & ft->mask; ft->index[slot]; slot = (slot + 1) & ft->mask)
            ;
        f = F(ft, i);
        memset(f, 0, sizeof *f);
        f->a = pk->src;
        f->b = pk->dst;
        f->aport = pk->sport;
        f->bport = pk->dport;
        f->proto = pk->proto;
        f->first = pk->ts;
        f->slot = slot;
        ft->index[slot] = i + 1;
        lru_append(ft, i);
        if (++ft->st.active > ft->st.peak)
            ft->st.peak = ft->st.active;
    }
    if (rev) {
        f->pkts_ba++;
        f->bytes_ba += pk->ip_len;
        f->flags_ba |= pk->tcp_flags;
    } else {
        f->pkts_ab++;
        f->bytes_ab += pk->ip_len;
        f->flags_ab |= pk->tcp_flags;
    }
    if (pk->ts > f->last)
        f->last = pk->ts;
    if (ft->lru_tail != i) {
        lru_unlink(ft, i);
        lru_append(ft, i);
    }
    if (reverse)
        *reverse = rev;
    if (pk->proto == 6) {
        /* Closed flows stay until idle so the last ACKs count with them (as
         * tshark's conversations do); a fresh SYN on the same 5-tuple starts
         * a new flow (above). */
        if (pk->tcp_flags & SK_TCP_RST)
            f->fin |= 4;
        if (pk->tcp_flags & SK_TCP_FIN)
            f->fin |= rev ? 2 : 1;
    }
    return 0;
}

void sk_flowtab_stats(const struct sk_flowtab *ft, struct sk_flowtab_stats *out)
{
    *out = ft->st;
}
