/*
 * flow.c — bidirectional flow table with bounded memory.
 *
 * Data structure:
 *   pool     at most max_flows records of 104 bytes, carved in chunks as the
 *            table fills; free records form a list through `next`.
 *   index    open addressing (linear probing) over a power of two of slots,
 *            kept at least twice the active flows: it starts small and
 *            doubles as the table fills (up to 2 × max_flows), so a table
 *            holding few flows stays in the CPU caches; a slot holds the
 *            flow's 32-bit hash (its home slot is hash & mask) and pool
 *            index + 1, so a probe compares hashes without touching the
 *            record, and deletion shifts the probe run back (no tombstones).
 *            8 bytes a slot, 16 a flow at most.
 *   queue    a singly linked FIFO through `next`, ordered by `qkey` (whole
 *            seconds): a flow joins the tail when created. Expiry looks only
 *            at the head: if idle, it ends; if it was seen since it was
 *            queued, it is moved to the tail with qkey = now ("lazy LRU",
 *            as in the Linux conntrack gc), else nothing behind it is due.
 *            A packet therefore touches only its own record, never its
 *            neighbours', and each flow is requeued at most once per idle
 *            period. A flow found idle by its own next packet is ended then
 *            and there, so splitting is exact even when the queue is late.
 * The hash is symmetric in the two endpoints, so both directions of a flow
 * find the same slot. Per flow: 104 + 16 = 120 bytes (sk_flowtab_bytes_per_flow).
 * Cost: O(1) expected per packet; expiry is amortised O(1) per flow.
 */
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"
#include "sense/flow.h"

#define NIL UINT32_MAX
#define POOL_SHIFT 16
#define POOL_CHUNK (1u << POOL_SHIFT)
#define EVICT_TRIES 8

struct flow {
    uint8_t a[16], b[16]; /* initiator, responder (sk_addr bytes) */
    uint16_t aport, bport;
    uint8_t proto, family;
    uint8_t flags_ab, flags_ba;
    uint8_t tcp_state;    /* enum sk_tcp_state */
    uint8_t fin;          /* bit 0: FIN a→b, bit 1: FIN b→a */
    uint8_t app;          /* the owner's (sk_flowtab_app) */
    uint8_t spare;
    uint32_t qkey;        /* seconds: when it joined the queue */
    uint32_t sess;        /* the owner's (sk_flowtab_sess) */
    uint32_t next;        /* queue or free list */
    uint64_t pkts_ab, pkts_ba;
    uint64_t bytes_ab, bytes_ba;
    sk_nstime first, last;
};

struct slot {
    uint32_t hash;
    uint32_t ref; /* pool index + 1; 0 = empty */
};

struct sk_flowtab {
    struct sk_flowtab_cfg cfg;
    sk_event_fn emit;
    void *ctx;
    struct flow **chunks;
    uint32_t nchunks, allocated;
    uint32_t free_head;
    struct slot *index;
    uint32_t mask;
    uint32_t max_mask;   /* the index never grows past this */
    uint32_t head, tail; /* queue */
    uint32_t idle_s;     /* idle_timeout in whole seconds (floor) */
    uint64_t seed;
    struct sk_flowtab_stats st;
};

static inline struct flow *F(struct sk_flowtab *ft, uint32_t i)
{
    return &ft->chunks[i >> POOL_SHIFT][i & (POOL_CHUNK - 1)];
}

size_t sk_flowtab_bytes_per_flow(void) { return sizeof(struct flow) + 2 * sizeof(struct slot); }

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
    if (ft->cfg.max_flows > (1u << 30))
        ft->cfg.max_flows = 1u << 30;
    while (slots < 2ULL * ft->cfg.max_flows)
        slots *= 2;
    ft->max_mask = (uint32_t)(slots - 1);
    slots = slots < 4096 ? slots : 4096;
    ft->mask = (uint32_t)(slots - 1);
    ft->index = calloc(slots, sizeof *ft->index);
    ft->nchunks = (ft->cfg.max_flows + POOL_CHUNK - 1) / POOL_CHUNK;
    ft->chunks = calloc(ft->nchunks, sizeof *ft->chunks);
    if (!ft->index || !ft->chunks) {
        sk_flowtab_free(ft);
        return -SK_ENOMEM;
    }
    ft->free_head = NIL;
    ft->head = ft->tail = NIL;
    ft->idle_s = (uint32_t)(ft->cfg.idle_timeout / SK_NS_PER_SEC);
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

uint8_t *sk_flowtab_app(struct sk_flowtab *ft, uint32_t id) { return &F(ft, id)->app; }
uint32_t *sk_flowtab_sess(struct sk_flowtab *ft, uint32_t id) { return &F(ft, id)->sess; }

/* Symmetric 32-bit hash of the 5-tuple: each endpoint is mixed on its own
 * and the two are added, so (a, b) and (b, a) hash alike. */
static inline uint64_t endpoint_hash(const uint8_t *addr, uint16_t port, uint64_t seed)
{
    uint64_t w0, w1;
    memcpy(&w0, addr, 8);
    memcpy(&w1, addr + 8, 8);
    return sk_hash_mix64((w0 ^ seed) * 0x9e3779b97f4a7c15ULL + (w1 ^ ((uint64_t)port << 48)));
}

static inline uint32_t tuple_hash(const struct sk_flowtab *ft, const uint8_t *s, uint16_t sp,
                                  const uint8_t *d, uint16_t dp, uint8_t proto)
{
    uint64_t h = endpoint_hash(s, sp, ft->seed) + endpoint_hash(d, dp, ft->seed);
    return (uint32_t)sk_hash_mix64(h ^ proto);
}

/* ICMP keys carry (type, code) the same way in both directions, so they are
 * mixed in apart from the endpoints. */
static inline uint32_t key_hash(const struct sk_flowtab *ft, const uint8_t *s, uint16_t sp,
                                const uint8_t *d, uint16_t dp, uint8_t proto)
{
    if (proto == 1 || proto == 58)
        return tuple_hash(ft, s, 0, d, 0, proto) ^ (uint32_t)sk_hash_mix64((uint64_t)sp << 16 | dp);
    return tuple_hash(ft, s, sp, d, dp, proto);
}

static inline uint32_t flow_hash(const struct sk_flowtab *ft, const struct flow *f)
{
    return key_hash(ft, f->a, f->aport, f->b, f->bport, f->proto);
}

/* Removes flow i from the index, shifting later members of its probe run
 * back into the hole. */
static void index_delete(struct sk_flowtab *ft, uint32_t i)
{
    uint32_t hole = flow_hash(ft, F(ft, i)) & ft->mask, j;

    while (ft->index[hole].ref != i + 1)
        hole = (hole + 1) & ft->mask;
    j = hole;
    for (;;) {
        j = (j + 1) & ft->mask;
        if (!ft->index[j].ref)
            break;
        uint32_t home = ft->index[j].hash & ft->mask;
        /* the entry at j may fill the hole if the hole lies between its
         * home and j (cyclically): it stays reachable from home */
        if (((j - home) & ft->mask) >= ((j - hole) & ft->mask)) {
            ft->index[hole] = ft->index[j];
            hole = j;
        }
    }
    ft->index[hole].ref = 0;
}

/* Doubles the index and puts every flow back in it. */
static int index_grow(struct sk_flowtab *ft)
{
    uint32_t nmask = ft->mask * 2 + 1;
    struct slot *n = calloc((size_t)nmask + 1, sizeof *n);

    if (!n)
        return -SK_ENOMEM;
    for (uint32_t i = 0; i <= ft->mask; i++) {
        if (!ft->index[i].ref)
            continue;
        uint32_t j = ft->index[i].hash & nmask;
        while (n[j].ref)
            j = (j + 1) & nmask;
        n[j] = ft->index[i];
    }
    free(ft->index);
    ft->index = n;
    ft->mask = nmask;
    return 0;
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
    memcpy(ev.src.b, f->a, 16);
    memcpy(ev.dst.b, f->b, 16);
    ev.src.family = ev.dst.family = f->family;
    ev.u.flow.pkts_out = f->pkts_ab;
    ev.u.flow.bytes_out = f->bytes_ab;
    ev.u.flow.pkts_in = f->pkts_ba;
    ev.u.flow.bytes_in = f->bytes_ba;
    ev.u.flow.tcp_flags_out = f->flags_ab;
    ev.u.flow.tcp_flags_in = f->flags_ba;
    ev.u.flow.end_reason = reason;
    ev.u.flow.tcp_state = f->tcp_state;
    ev.u.flow.sampling = 1;
    ft->st.flows++;
    return ft->emit ? ft->emit(ft->ctx, &ev) : 0;
}

static inline int flow_closed(const struct flow *f)
{
    return f->tcp_state == SK_TCPS_CLOSED || f->tcp_state == SK_TCPS_RESET;
}

/* The flow's app state ends for good: give it to the owner, then report. */
static int finish(struct sk_flowtab *ft, struct flow *f, uint8_t reason)
{
    int rc = 0;

    if ((f->app || f->sess != SK_FLOW_NO_SESS) && ft->cfg.on_end) {
        rc = ft->cfg.on_end(ft->ctx, f->app, f->sess);
        f->app = 0;
        f->sess = SK_FLOW_NO_SESS;
    }
    int rc2 = emit_flow(ft, f, reason);
    return rc < 0 ? rc : rc2;
}

/* Ends the flow at the head of the queue and frees its record. */
static int end_head(struct sk_flowtab *ft, uint8_t reason)
{
    uint32_t i = ft->head;
    struct flow *f = F(ft, i);
    int rc = finish(ft, f, reason);

    ft->head = f->next;
    if (ft->head == NIL)
        ft->tail = NIL;
    index_delete(ft, i);
    f->next = ft->free_head;
    ft->free_head = i;
    ft->st.active--;
    return rc;
}

static inline void queue_append(struct sk_flowtab *ft, uint32_t i)
{
    F(ft, i)->next = NIL;
    if (ft->tail != NIL)
        F(ft, ft->tail)->next = i;
    else
        ft->head = i;
    ft->tail = i;
}

/* Moves the head to the tail, keyed now. */
static inline void requeue_head(struct sk_flowtab *ft, uint32_t now_s)
{
    uint32_t i = ft->head;
    struct flow *f = F(ft, i);

    if (f->next == NIL) { /* alone in the queue */
        f->qkey = now_s;
        return;
    }
    ft->head = f->next;
    f->qkey = now_s;
    queue_append(ft, i);
}

int sk_flowtab_expire(struct sk_flowtab *ft, sk_nstime now)
{
    uint32_t now_s = (uint32_t)(now / SK_NS_PER_SEC);
    int rc;

    while (ft->head != NIL) {
        struct flow *f = F(ft, ft->head);
        if (f->last + ft->cfg.idle_timeout <= now) {
            if ((rc = end_head(ft, flow_closed(f) ? SK_FLOW_END_FIN : SK_FLOW_END_IDLE)) < 0)
                return rc;
        } else if ((uint64_t)f->qkey + ft->idle_s <= now_s && f->qkey != now_s) {
            requeue_head(ft, now_s);
        } else {
            break;
        }
    }
    return 0;
}

int sk_flowtab_flush(struct sk_flowtab *ft)
{
    int rc;
    while (ft->head != NIL)
        if ((rc = end_head(ft, SK_FLOW_END_EOF)) < 0)
            return rc;
    return 0;
}

static int alloc_flow(struct sk_flowtab *ft, uint32_t now_s, uint32_t *out)
{
    int rc;

    if (ft->free_head != NIL) {
        *out = ft->free_head;
        ft->free_head = F(ft, *out)->next;
        return 0;
    }
    if (ft->allocated < ft->cfg.max_flows) {
        uint32_t c = ft->allocated >> POOL_SHIFT;
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
    /* full: evict the oldest; a head seen since it was queued gets a few
     * chances to move back (approximate LRU) */
    for (int t = 0; t < EVICT_TRIES; t++) {
        struct flow *f = F(ft, ft->head);
        if ((uint32_t)(f->last / SK_NS_PER_SEC) <= f->qkey || f->next == NIL)
            break;
        requeue_head(ft, now_s);
    }
    ft->st.evicted++;
    if ((rc = end_head(ft, SK_FLOW_END_EVICTED)) < 0)
        return rc;
    *out = ft->free_head;
    ft->free_head = F(ft, *out)->next;
    return 0;
}

/* ICMP: (type, code) are the ports; a reply is keyed as its request. */
static inline uint16_t icmp_key_type(uint8_t proto, uint16_t type)
{
    if (proto == 1) {
        switch (type) {
        case 0: return 8;   /* echo reply → echo request */
        case 14: return 13; /* timestamp */
        case 16: return 15; /* information */
        case 18: return 17; /* address mask */
        }
    } else if (type == 129) { /* ICMPv6 echo reply */
        return 128;
    }
    return type;
}

static void tcp_track(struct flow *f, uint8_t flags, int rev)
{
    if (flags & SK_TCP_RST) {
        f->tcp_state = SK_TCPS_RESET;
        return;
    }
    switch (f->tcp_state) {
    case SK_TCPS_NONE:
        if ((flags & (SK_TCP_SYN | SK_TCP_ACK)) == SK_TCP_SYN)
            f->tcp_state = SK_TCPS_SYN_SENT;
        else if (flags & SK_TCP_SYN)
            f->tcp_state = SK_TCPS_SYN_RCVD;
        else
            f->tcp_state = SK_TCPS_ESTABLISHED; /* joined mid-stream */
        break;
    case SK_TCPS_SYN_SENT:
        if ((flags & (SK_TCP_SYN | SK_TCP_ACK)) == (SK_TCP_SYN | SK_TCP_ACK) && rev)
            f->tcp_state = SK_TCPS_SYN_RCVD;
        else if (!(flags & SK_TCP_SYN) && (flags & SK_TCP_ACK) && !rev)
            f->tcp_state = SK_TCPS_ESTABLISHED; /* SYN+ACK not captured */
        break;
    case SK_TCPS_SYN_RCVD:
        if (!(flags & SK_TCP_SYN) && (flags & SK_TCP_ACK))
            f->tcp_state = SK_TCPS_ESTABLISHED;
        break;
    default:
        break;
    }
    if (flags & SK_TCP_FIN) {
        f->fin |= rev ? 2 : 1;
        f->tcp_state = f->fin == 3 ? SK_TCPS_CLOSED : SK_TCPS_CLOSING;
    }
}

static void flow_reset(struct flow *f, const struct sk_packet *pk)
{
    f->flags_ab = f->flags_ba = 0;
    f->tcp_state = SK_TCPS_NONE;
    f->fin = 0;
    f->app = 0;
    f->sess = SK_FLOW_NO_SESS;
    f->pkts_ab = f->pkts_ba = 0;
    f->bytes_ab = f->bytes_ba = 0;
    f->first = f->last = pk->ts;
}

uint32_t sk_flowtab_hash(const struct sk_flowtab *ft, const struct sk_packet *pk)
{
    uint16_t sp = pk->sport;
    if (pk->proto == 1 || pk->proto == 58)
        sp = icmp_key_type(pk->proto, sp);
    return key_hash(ft, pk->src.b, sp, pk->dst.b, pk->dport, pk->proto);
}

void sk_flowtab_prefetch(const struct sk_flowtab *ft, uint32_t hash, int stage)
{
    const struct slot *sl = &ft->index[hash & ft->mask];
    if (stage == 0) {
        __builtin_prefetch(sl);
        return;
    }
    /* the slot has arrived by now: fetch the record it points at */
    if (sl->ref && sl->hash == hash) {
        const struct flow *f = F((struct sk_flowtab *)ft, sl->ref - 1);
        __builtin_prefetch(f, 1);
        __builtin_prefetch((const char *)f + 64, 1);
    }
}

int sk_flowtab_packet(struct sk_flowtab *ft, const struct sk_packet *pk, struct sk_flow_hit *hit)
{
    return sk_flowtab_packet_h(ft, pk, sk_flowtab_hash(ft, pk), hit);
}

int sk_flowtab_packet_h(struct sk_flowtab *ft, const struct sk_packet *pk, uint32_t h,
                        struct sk_flow_hit *hit)
{
    uint16_t sp = pk->sport, dp = pk->dport;
    uint32_t slot, ref, i;
    uint32_t now_s = (uint32_t)(pk->ts / SK_NS_PER_SEC);
    const uint8_t *src = pk->src.b, *dst = pk->dst.b;
    struct flow *f = NULL;
    int rc, rev = 0, fresh = 0;

    if (ft->head != NIL && (uint64_t)F(ft, ft->head)->qkey + ft->idle_s <= now_s)
        if ((rc = sk_flowtab_expire(ft, pk->ts)) < 0)
            return rc;

    if (pk->proto == 1 || pk->proto == 58)
        sp = icmp_key_type(pk->proto, sp);
    for (slot = h & ft->mask; (ref = ft->index[slot].ref); slot = (slot + 1) & ft->mask) {
        if (ft->index[slot].hash != h)
            continue;
        f = F(ft, ref - 1);
        if (f->proto != pk->proto || f->family != pk->src.family)
            continue;
        if (f->aport == sp && f->bport == dp && memcmp(f->a, src, 16) == 0 &&
            memcmp(f->b, dst, 16) == 0) {
            rev = 0;
            break;
        }
        /* ICMP keys are not swapped: both directions carry (type, code) */
        uint16_t rsp = pk->proto == 1 || pk->proto == 58 ? sp : dp;
        uint16_t rdp = pk->proto == 1 || pk->proto == 58 ? dp : sp;
        if (f->aport == rsp && f->bport == rdp && memcmp(f->a, dst, 16) == 0 &&
            memcmp(f->b, src, 16) == 0) {
            rev = 1;
            break;
        }
    }
    if (ref) {
        i = ref - 1;
        f = F(ft, i);
        if (f->last + ft->cfg.idle_timeout <= pk->ts ||
            (flow_closed(f) && (pk->tcp_flags & (SK_TCP_SYN | SK_TCP_ACK)) == SK_TCP_SYN)) {
            /* idle since its last packet (the queue had not got to it yet),
             * or a new connection reusing the 5-tuple of a closed one: end
             * it and start afresh in the same record */
            if ((rc = finish(ft, f, flow_closed(f) ? SK_FLOW_END_FIN : SK_FLOW_END_IDLE)) < 0)
                return rc;
            flow_reset(f, pk);
            if (rev) { /* the new flow's initiator is this packet's sender */
                memcpy(f->a, src, 16);
                memcpy(f->b, dst, 16);
                f->aport = sp;
                f->bport = dp;
                rev = 0;
            }
            fresh = 1;
        } else if (pk->ts >= f->first + ft->cfg.active_timeout) {
            /* split a long flow: report what it did so far and count afresh */
            if ((rc = emit_flow(ft, f, SK_FLOW_END_ACTIVE)) < 0)
                return rc;
            f->first = pk->ts;
            f->pkts_ab = f->pkts_ba = 0;
            f->bytes_ab = f->bytes_ba = 0;
            f->flags_ab = f->flags_ba = 0;
        }
    } else {
        if ((rc = alloc_flow(ft, now_s, &i)) < 0)
            return rc;
        if ((uint64_t)(ft->st.active + 1) * 2 > (uint64_t)ft->mask + 1 && ft->mask < ft->max_mask &&
            (rc = index_grow(ft)) < 0)
            return rc;
        /* eviction may have shifted the probe run: find a free slot again */
        for (slot = h & ft->mask; ft->index[slot].ref; slot = (slot + 1) & ft->mask)
            ;
        f = F(ft, i);
        memcpy(f->a, src, 16);
        memcpy(f->b, dst, 16);
        f->aport = sp;
        f->bport = dp;
        f->proto = pk->proto;
        f->family = pk->src.family;
        f->spare = 0;
        flow_reset(f, pk);
        f->qkey = now_s;
        ft->index[slot].hash = h;
        ft->index[slot].ref = i + 1;
        queue_append(ft, i);
        fresh = 1;
        if (++ft->st.active > ft->st.peak)
            ft->st.peak = ft->st.active;
    }
    uint32_t n = pk->pkts ? pk->pkts : 1;
    if (rev) {
        f->pkts_ba += n;
        f->bytes_ba += pk->ip_len;
        f->flags_ba |= pk->tcp_flags;
    } else {
        f->pkts_ab += n;
        f->bytes_ab += pk->ip_len;
        f->flags_ab |= pk->tcp_flags;
    }
    if (pk->ts > f->last)
        f->last = pk->ts;
    if (pk->proto == 6)
        tcp_track(f, pk->tcp_flags, rev);
    if (hit) {
        hit->id = i;
        hit->reverse = (uint8_t)rev;
        hit->fresh = (uint8_t)fresh;
    }
    return 0;
}

void sk_flowtab_stats(const struct sk_flowtab *ft, struct sk_flowtab_stats *out)
{
    *out = ft->st;
}
