/*
 * an_beacon.c — the "beacon" analyzer: C2 check-ins found by their rhythm,
 * and "strobe" (≥ strobe_rate connections per second, sustained).
 *
 * Subjects: (internal host, external IP) and (internal host, FQDN), the name
 * being what the host resolved (DNS answer), sent as SNI or as HTTP Host for
 * that address (names.c's cache). Each flow event is one connection.
 *
 * Per pair, bounded (≈ 440 bytes whatever the traffic):
 *   count, first/last start time, byte totals, the last 4 start times
 *   K = 32 inter-arrival times (ms) and K sizes (bytes client → server),
 *     each a uniform reservoir sample over the pair's whole history; the
 *     slot is chosen by a hash of (pair, n), so results are reproducible
 *   a 48-bin histogram of connection times since the start of observation
 *     (t0); bins are 1 s wide at first and all double together whenever the
 *     observation outgrows 48 bins, so there are always 24–48 of them over
 *     the observation (a pair merges its bins lazily, when next touched).
 *
 * Score, in the manner RITA publishes (equal weights, 0–1), see
 * sk__beacon_score(): the mean of
 *   ts    regularity of the intervals: (1 − |Bowley skew| + 1 − MAD/median)/2
 *   ds    the same on sizes
 *   hist  flatness of the histogram over the pair's span (1 − CV) — bins
 *         merged until each holds ≥ 4 periods — or the share of bins in the
 *         two most common levels (for beacons that alternate two rates)
 *   dur   how much of the observation the pair covers: the larger of its
 *         span / observation and its longest run of non-empty bins / half
 *         the observation's bins
 * then scoring.c's modifiers (intel hit, prevalence, first seen). At least
 * min_connections (default 4) connections before a pair is scored.
 *
 * Not judged: DNS flows (port 53 — DNS is judged by name, by dga and
 * dnstunnel), and whatever sk__detect_orient() filters. Flows arrive in order
 * of their end; one that starts before the pair's last start is counted but
 * gives no interval (out_of_order in the evidence).
 *
 * Streaming: flush(final = 0) re-scores the pairs touched since the last
 * flush and emits those at or above the threshold; flush(final = 1) scores
 * every pair. Memory: pairs ≤ detect.max_pairs (new pairs are refused past
 * it, and counted), names ≤ the same, the name cache 2^20 slots.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-int.h"
#include "detect/table.h"
#include "sakimori/addr.h"
#include "sakimori/analyzer.h"
#include "sakimori/conf-t.h"
#include "sakimori/error.h"
#include "sakimori/event.h"
#include "sakimori/hash.h"
#include "sakimori/log.h"
#include "sakimori/warninglist.h"

#define K 32
#define NBINS 48
#define NRECENT 4
#define BIN0_NS SK_NS_PER_SEC
#define CHUNK 65536u
#define NONE UINT32_MAX
#define NAMECACHE_SLOTS (1u << 20)

struct host {
    struct sk_addr addr;
};

struct obj {
    struct sk_addr addr; /* IP objects */
    uint32_t name_id;    /* name objects; NONE for IP objects */
    uint32_t hosts;      /* internal hosts that reached it (prevalence) */
    sk_nstime first_seen;
};

struct bpair {
    uint32_t host, obj;
    struct sk_addr peer; /* IP pairs: the object's address (a copy, so a
                            lookup touches only this record) */
    uint32_t name_id;    /* name pairs: the name; NONE for IP pairs */
    uint32_t count, ooo;
    sk_nstime first, last;
    sk_nstime recent[NRECENT];
    uint64_t bytes_out, bytes_in;
    uint32_t hint;  /* IP pair: last name id; name pair: last IP object */
    uint16_t dport;
    uint8_t proto;
    uint8_t level;  /* histogram bin width = BIN0_NS << level */
    uint8_t dirty;
    uint32_t dt[K]; /* ms */
    uint32_t sz[K]; /* bytes out */
    uint16_t hist[NBINS];
};

struct beacon {
    const struct sk_conf_detect *conf;
    const struct sk_intel *intel;
    const struct sk_warninglists *wl;
    struct host *hosts;
    uint32_t nhosts, ahosts;
    struct obj *objs;
    uint32_t nobjs, aobjs;
    struct bpair **chunks;
    uint32_t npairs, nchunks;
    struct sk__table host_ix, obj_ix, pair_ix;
    uint32_t *name_obj; /* name id → object + 1 */
    uint32_t aname_obj;
    struct sk__strtab names;
    struct sk__namecache nc;
    uint64_t seed;
    sk_nstime t0, now;
    uint8_t level;
    uint64_t refused;
    int warned;
    /* lookup keys for the eq callbacks */
    const struct sk_addr *key_addr, *key_host, *key_peer;
    uint32_t key_name_id;
    uint32_t key_name;
};

static inline struct bpair *P(const struct beacon *b, uint32_t i)
{
    return &b->chunks[i / CHUNK][i % CHUNK];
}

/* ---- scoring ------------------------------------------------------------ */

static double clamp01(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

void sk__beacon_score(const struct sk__beacon_obs *o, struct sk__beacon_result *r)
{
    memset(r, 0, sizeof *r);
    if (o->n_intervals) {
        double med = sk__quantile(o->intervals, o->n_intervals, 0.5);
        sk__describe(o->intervals, o->n_intervals, o->scratch, 0.05 * med, &r->ts);
        r->ts_score = r->ts.score;
    }
    if (o->n_sizes) {
        double med = sk__quantile(o->sizes, o->n_sizes, 0.5);
        sk__describe(o->sizes, o->n_sizes, o->scratch, fmax(16, 0.05 * med), &r->ds);
        r->ds_score = r->ds.score;
    }

    /* histogram: merge bins until one holds about four periods (fewer, and
     * a strict beacon aliases into counts like 2, 3, 2, 2, 3) */
    uint64_t w = o->bin_ns, want = (uint64_t)(4 * r->ts.median * 1e9);
    size_t f = 1;
    while (w * f < want && f < o->nbins)
        f *= 2;
    size_t nb = (o->nbins + f - 1) / f;
    uint32_t merged[NBINS];
    memset(merged, 0, sizeof merged);
    for (size_t i = 0; i < o->nbins; i++)
        merged[i / f] += o->hist[i];
    uint64_t mw = w * f;
    size_t fb = o->first > o->t0 ? (size_t)((o->first - o->t0) / mw) : 0;
    size_t lb = o->last > o->t0 ? (size_t)((o->last - o->t0) / mw) : 0;
    size_t db = o->now > o->t0 ? (size_t)((o->now - o->t0) / mw) + 1 : 1;
    if (lb >= nb)
        lb = nb - 1;
    if (fb > lb)
        fb = lb;
    if (db > nb)
        db = nb;
    r->hist_bin_ns = mw;
    r->hist_n = lb - fb + 1;
    memcpy(r->hist_bins, merged + fb, r->hist_n * sizeof *merged);
    /* the first and last bins are partial: judge the interior when there
     * is one */
    size_t ufb = fb, ulb = lb;
    if (lb - fb + 1 >= 6) {
        ufb++;
        ulb--;
    }
    size_t nused = ulb - ufb + 1;
    if (nused >= 3) {
        r->hist_cv = sk__cv(merged + ufb, nused);
        double cv_score = clamp01(1 - r->hist_cv);
        /* two-level fit: bars grouped by height in steps of 5 % of the
         * tallest; the share of non-empty bars in the two largest groups,
         * one outlier forgiven; needs 11 non-empty bars, and bars of at
         * least 10, to mean anything (with 1–3 a bar every count is a
         * "level") */
        uint32_t top = 0, nz = 0;
        for (size_t i = ufb; i <= ulb; i++) {
            top = merged[i] > top ? merged[i] : top;
            nz += merged[i] > 0;
        }
        if (nz >= 11 && top >= 10) {
            uint32_t step = (uint32_t)ceil(top * 0.05), groups[21] = {0}, g1 = 0, g2 = 0;
            if (!step)
                step = 1;
            for (size_t i = ufb; i <= ulb; i++)
                if (merged[i]) {
                    uint32_t g = merged[i] / step;
                    groups[g > 20 ? 20 : g]++;
                }
            for (int g = 0; g <= 20; g++) {
                if (groups[g] > g1) {
                    g2 = g1;
                    g1 = groups[g];
                } else if (groups[g] > g2) {
                    g2 = groups[g];
                }
            }
            r->hist_bimodal = clamp01((double)(g1 + g2) / (double)(nz - 1));
        }
        r->hist_score = fmax(cv_score, r->hist_bimodal);
    }

    /* duration */
    if (o->now > o->t0)
        r->coverage = clamp01((double)(o->last - o->first) / (double)(o->now - o->t0));
    else
        r->coverage = 1;
    if (db >= 4) {
        size_t run = 0, best = 0;
        for (size_t i = 0; i < db; i++) {
            run = merged[i] ? run + 1 : 0;
            best = run > best ? run : best;
        }
        r->consistency = clamp01((double)best / ((double)db / 2));
    }
    r->dur_score = fmax(r->coverage, r->consistency);
    r->score = (r->ts_score + r->ds_score + r->hist_score + r->dur_score) / 4;
}

/* ---- tables ------------------------------------------------------------- */

static int host_eq(const void *ctx, uint32_t i)
{
    const struct beacon *b = ctx;
    return sk_addr_eq(&b->hosts[i].addr, b->key_addr);
}

static int obj_eq(const void *ctx, uint32_t i)
{
    const struct beacon *b = ctx;
    return b->objs[i].name_id == NONE && sk_addr_eq(&b->objs[i].addr, b->key_addr);
}

static int pair_eq(const void *ctx, uint32_t i)
{
    const struct beacon *b = ctx;
    const struct bpair *p = P(b, i);
    return p->name_id == b->key_name_id &&
           (p->name_id != NONE || sk_addr_eq(&p->peer, b->key_peer)) &&
           sk_addr_eq(&b->hosts[p->host].addr, b->key_host);
}

static uint64_t addr_hash(const struct beacon *b, const struct sk_addr *a)
{
    return sk_hash64(a->b, 16, b->seed ^ a->family);
}

static int64_t host_get(struct beacon *b, const struct sk_addr *a)
{
    uint64_t h = addr_hash(b, a);
    uint32_t slot;
    int64_t i;
    int rc;

    b->key_addr = a;
    if ((i = sk__table_find(&b->host_ix, h, host_eq, b, &slot)) >= 0)
        return i;
    if (b->nhosts == b->ahosts) {
        uint32_t na = b->ahosts ? b->ahosts * 2 : 1024;
        struct host *nv = realloc(b->hosts, na * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        b->hosts = nv;
        b->ahosts = na;
    }
    b->hosts[b->nhosts].addr = *a;
    if ((rc = sk__table_put(&b->host_ix, slot, h, b->nhosts)) < 0)
        return rc;
    return b->nhosts++;
}

static int64_t obj_new(struct beacon *b, const struct sk_addr *a, uint32_t name_id, sk_nstime ts)
{
    if (b->nobjs == b->aobjs) {
        uint32_t na = b->aobjs ? b->aobjs * 2 : 1024;
        struct obj *nv = realloc(b->objs, na * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        b->objs = nv;
        b->aobjs = na;
    }
    struct obj *o = &b->objs[b->nobjs];
    memset(o, 0, sizeof *o);
    if (a)
        o->addr = *a;
    o->name_id = name_id;
    o->first_seen = ts;
    return b->nobjs++;
}

static int64_t obj_ip_get(struct beacon *b, const struct sk_addr *a, sk_nstime ts)
{
    uint64_t h = addr_hash(b, a) ^ 0x1b873593ULL;
    uint32_t slot;
    int64_t i;
    int rc;

    b->key_addr = a;
    if ((i = sk__table_find(&b->obj_ix, h, obj_eq, b, &slot)) >= 0)
        return i;
    if ((i = obj_new(b, a, NONE, ts)) < 0)
        return i;
    if ((rc = sk__table_put(&b->obj_ix, slot, h, (uint32_t)i)) < 0)
        return rc;
    return i;
}

static int64_t obj_name_get(struct beacon *b, uint32_t name_id, sk_nstime ts)
{
    int64_t i;
    if (name_id >= b->aname_obj) {
        uint32_t na = b->aname_obj ? b->aname_obj : 1024;
        while (na <= name_id)
            na *= 2;
        uint32_t *nv = realloc(b->name_obj, na * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        memset(nv + b->aname_obj, 0, (na - b->aname_obj) * sizeof *nv);
        b->name_obj = nv;
        b->aname_obj = na;
    }
    if (b->name_obj[name_id])
        return b->name_obj[name_id] - 1;
    if ((i = obj_new(b, NULL, name_id, ts)) < 0)
        return i;
    b->name_obj[name_id] = (uint32_t)i + 1;
    return i;
}

/* The pair of host and peer (an IP pair) or host and name_id (a name pair,
 * peer NULL), created if new; NULL with *rc = 0 when refused at the cap.
 * Known pairs are found with one table probe and one record; the host and
 * object tables are consulted only for a new pair. */
static struct bpair *pair_get(struct beacon *b, const struct sk_addr *host, uint64_t host_hash,
                              const struct sk_addr *peer, uint32_t name_id, sk_nstime ts, int *rc)
{
    uint64_t h = sk_hash_mix64(host_hash ^ (peer ? addr_hash(b, peer) * 31 : (uint64_t)name_id * 0x9e3779b97f4a7c15ULL + 1));
    uint32_t slot;
    int64_t i, hid, oid;

    *rc = 0;
    b->key_host = host;
    b->key_peer = peer;
    b->key_name_id = peer ? NONE : name_id;
    if ((i = sk__table_find(&b->pair_ix, h, pair_eq, b, &slot)) >= 0)
        return P(b, (uint32_t)i);
    if (b->npairs >= b->conf->max_pairs) {
        b->refused++;
        if (!b->warned) {
            sk_warn("detect", "beacon: %u pairs tracked (detect.max_pairs); new pairs are not analysed",
                    b->npairs);
            b->warned = 1;
        }
        return NULL;
    }
    if ((hid = host_get(b, host)) < 0 ||
        (oid = peer ? obj_ip_get(b, peer, ts) : obj_name_get(b, name_id, ts)) < 0) {
        *rc = (int)(hid < 0 ? hid : oid);
        return NULL;
    }
    uint32_t host_id = (uint32_t)hid, obj = (uint32_t)oid;
    if (b->npairs / CHUNK == b->nchunks) {
        struct bpair **nc = realloc(b->chunks, (b->nchunks + 1) * sizeof *nc);
        if (!nc || !(nc[b->nchunks] = malloc(CHUNK * sizeof **nc))) {
            if (nc)
                b->chunks = nc;
            *rc = -SK_ENOMEM;
            return NULL;
        }
        b->chunks = nc;
        b->nchunks++;
    }
    struct bpair *p = P(b, b->npairs);
    memset(p, 0, sizeof *p);
    p->host = host_id;
    p->obj = obj;
    if (peer)
        p->peer = *peer;
    p->name_id = peer ? NONE : name_id;
    p->hint = NONE;
    p->level = b->level;
    if ((*rc = sk__table_put(&b->pair_ix, slot, h, b->npairs)) < 0)
        return NULL;
    b->npairs++;
    b->objs[obj].hosts++;
    return p;
}

/* Brings a pair's histogram to the current bin width. */
static void hist_catch_up(uint16_t *hist, uint8_t from, uint8_t to)
{
    if (from >= to)
        return;
    unsigned d = to - from;
    if (d >= 16) {
        uint32_t sum = 0;
        for (int i = 0; i < NBINS; i++)
            sum += hist[i];
        memset(hist, 0, NBINS * sizeof *hist);
        hist[0] = sum > UINT16_MAX ? UINT16_MAX : (uint16_t)sum;
        return;
    }
    size_t f = (size_t)1 << d;
    for (size_t i = 0; i < NBINS; i++) {
        uint32_t sum = 0;
        for (size_t j = i * f; j < (i + 1) * f && j < NBINS; j++)
            sum += hist[j];
        hist[i] = sum > UINT16_MAX ? UINT16_MAX : (uint16_t)sum;
    }
}

/* Reservoir slot for the n-th item (1-based), or -1 to drop it. */
static inline int reservoir_slot(uint64_t key, uint32_t n)
{
    if (n <= K)
        return (int)n - 1;
    uint64_t j = sk_hash_mix64(key * 0x9e3779b97f4a7c15ULL + n) % n;
    return j < K ? (int)j : -1;
}

static void pair_add(struct beacon *b, struct bpair *p, const struct sk_event *ev, uint32_t hint)
{
    uint64_t key = (uint64_t)p->host << 32 | p->obj;
    sk_nstime ts = ev->ts;
    int s;

    p->count++;
    p->bytes_out += ev->u.flow.bytes_out;
    p->bytes_in += ev->u.flow.bytes_in;
    if (p->count == 1) {
        p->first = p->last = ts;
        p->dport = ev->dport;
        p->proto = ev->proto;
    } else if (ts >= p->last) {
        uint64_t ms = (ts - p->last) / SK_NS_PER_MS;
        uint32_t n = p->count - 1 - p->ooo; /* intervals so far */
        if ((s = reservoir_slot(key, n)) >= 0)
            p->dt[s] = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
        p->last = ts;
    } else {
        p->ooo++;
        if (ts < p->first)
            p->first = ts;
    }
    if ((s = reservoir_slot(key ^ 0x5a5a5a5aULL, p->count)) >= 0)
        p->sz[s] = ev->u.flow.bytes_out > UINT32_MAX ? UINT32_MAX : (uint32_t)ev->u.flow.bytes_out;
    hist_catch_up(p->hist, p->level, b->level);
    p->level = b->level;
    uint64_t bin = ts > b->t0 ? (ts - b->t0) / (BIN0_NS << b->level) : 0;
    if (bin >= NBINS)
        bin = NBINS - 1;
    if (p->hist[bin] < UINT16_MAX)
        p->hist[bin]++;
    p->recent[(p->count - 1) % NRECENT] = ts;
    if (hint != NONE)
        p->hint = hint;
    p->dirty = 1;
}

static void advance_clock(struct beacon *b, sk_nstime ts, sk_nstime ts_end)
{
    if (!b->t0) {
        b->t0 = ts;
        b->now = ts;
    }
    if (ts_end > b->now)
        b->now = ts_end;
    while (b->level < 40 && b->now - b->t0 >= (uint64_t)NBINS * (BIN0_NS << b->level))
        b->level++;
}

/* ---- feeding ------------------------------------------------------------ */

static int64_t intern_name(struct beacon *b, const char *name)
{
    char low[256];
    size_t n = 0;
    if (!name)
        return -1;
    for (; name[n] && n < sizeof low; n++)
        low[n] = (name[n] >= 'A' && name[n] <= 'Z') ? (char)(name[n] + 32) : name[n];
    if (n == sizeof low || n == 0)
        return -1;
    while (n && low[n - 1] == '.')
        n--;
    return n ? sk__strtab_intern(&b->names, low, n) : -1;
}

static int learn_names(struct beacon *b, const struct sk_event *ev)
{
    int64_t id;
    switch (ev->kind) {
    case SK_EVENT_DNS: {
        const struct sk_ev_dns *d = &ev->u.dns;
        if (!d->is_response || d->rcode != 0 || !d->n_answers)
            return 0;
        if ((id = intern_name(b, d->qname)) < 0)
            return id == -SK_ENOMEM ? (int)id : 0;
        for (size_t i = 0; i < d->n_answers; i++)
            if (d->answers[i].type == 1 || d->answers[i].type == 28)
                sk__namecache_put(&b->nc, &ev->src, &d->answers[i].addr, (uint32_t)id);
        return 0;
    }
    case SK_EVENT_TLS:
    case SK_EVENT_HTTP: {
        char host[256];
        const char *n = ev->kind == SK_EVENT_TLS ? ev->u.tls.sni : ev->u.http.host;
        if (!n || !*n)
            return 0;
        size_t len = strcspn(n, ":");
        if (ev->kind == SK_EVENT_HTTP && n[0] == '[')
            return 0; /* an IPv6 literal is not a name */
        if (len == 0 || len >= sizeof host)
            return 0;
        memcpy(host, n, len);
        host[len] = '\0';
        struct sk_addr lit;
        if (sk_addr_parse(host, &lit) == 0)
            return 0; /* Host: 192.0.2.1 names nothing */
        if ((id = intern_name(b, host)) < 0)
            return id == -SK_ENOMEM ? (int)id : 0;
        sk__namecache_put(&b->nc, &ev->src, &ev->dst, (uint32_t)id);
        return 0;
    }
    default:
        return 0;
    }
}

static int beacon_feed(void *state, const struct sk_event *ev, sk_finding_fn emit, void *ctx)
{
    struct beacon *b = state;
    const struct sk_addr *host, *peer;
    int64_t nid = -1;
    struct bpair *p;
    int rc;

    if (ev->kind != SK_EVENT_FLOW)
        return learn_names(b, ev);
    if ((ev->proto == 6 || ev->proto == 17) && ev->dport == 53)
        return 0;
    if (!sk__detect_orient(b->conf, ev, &host, &peer))
        return 0;
    advance_clock(b, ev->ts, ev->ts_end);
    uint64_t hh = addr_hash(b, host);
    if (b->names.n)
        nid = sk__namecache_get(&b->nc, host, peer);
    if ((p = pair_get(b, host, hh, peer, 0, ev->ts, &rc)))
        pair_add(b, p, ev, nid >= 0 ? (uint32_t)nid : NONE);
    else if (rc < 0)
        return rc;
    if (nid < 0)
        return 0;
    uint32_t ip_obj = p ? p->obj : NONE;
    if ((p = pair_get(b, host, hh, NULL, (uint32_t)nid, ev->ts, &rc)))
        pair_add(b, p, ev, ip_obj);
    return rc;
}

/* ---- reporting ---------------------------------------------------------- */

static json_t *dist_json(const struct sk__dist *d, int seconds)
{
    return json_pack("{s:i,s:f,s:f,s:f,s:f,s:f,s:f}", "samples", (json_int_t)d->n,
                     seconds ? "median_s" : "median", d->median, seconds ? "q1_s" : "q1", d->q1,
                     seconds ? "q3_s" : "q3", d->q3, seconds ? "mad_s" : "mad", d->mad,
                     "bowley_skew", d->skew, "score", d->score);
}

static int report(struct beacon *b, struct bpair *p, sk_finding_fn emit, void *ctx)
{
    const struct sk_conf_detect_beacon *bc = &b->conf->beacon;
    const struct obj *o = &b->objs[p->obj];
    const struct sk_addr *host = &b->hosts[p->host].addr;
    const char *name = o->name_id != NONE ? sk__strtab_str(&b->names, o->name_id) : NULL;
    double iv[K], sz[K], scratch[K];
    uint16_t hist[NBINS];
    size_t ni = p->count - 1 - p->ooo, ns = p->count;
    struct sk__beacon_result r;
    struct sk_finding f;
    const char *analyzer = "beacon";
    double base, score, span_s = (double)(p->last - p->first) / 1e9;
    char *evs = NULL;
    int rc = 0;

    if (p->count < bc->min_connections)
        return 0;
    if (ni > K)
        ni = K;
    if (ns > K)
        ns = K;
    for (size_t i = 0; i < ni; i++)
        iv[i] = p->dt[i] / 1000.0;
    for (size_t i = 0; i < ns; i++)
        sz[i] = p->sz[i];
    sk__sort_doubles(iv, ni);
    sk__sort_doubles(sz, ns);
    memcpy(hist, p->hist, sizeof hist);
    hist_catch_up(hist, p->level, b->level);
    struct sk__beacon_obs obs = {
        .intervals = iv, .n_intervals = ni, .sizes = sz, .n_sizes = ns, .scratch = scratch,
        .hist = hist, .nbins = NBINS, .bin_ns = BIN0_NS << b->level,
        .first = p->first, .last = p->last, .t0 = b->t0, .now = b->now,
    };
    int strobe = span_s >= (double)bc->strobe_min_span / 1e9 &&
                 (double)(p->count - 1) / span_s >= bc->strobe_rate;
    sk__beacon_score(&obs, &r);
    base = strobe ? 1.0 : r.score;
    struct sk__mod_in mi = {
        .prevalence_hosts = o->hosts, .internal_hosts = b->nhosts,
        .first_seen = o->first_seen, .observed_since = b->t0, .now = b->now,
        .intel_hit = name ? sk__intel_hit_name(b->intel, name) : sk__intel_hit_addr(b->intel, &o->addr),
    };
    score = sk__score_modify(base, &mi, NULL);
    if (score < bc->threshold)
        return 0;
    /* warninglists only lower a score: consult them for what would be reported */
    if ((mi.warninglist = name ? sk__wl_name(b->wl, name) : sk__wl_addr(b->wl, &o->addr)) &&
        (score = sk__score_modify(base, &mi, NULL)) < bc->threshold)
        return 0;

    json_t *ev = json_object();
    if (!ev)
        return -SK_ENOMEM;
    json_object_set_new(ev, "object", json_string(name ? "fqdn" : "ip"));
    json_object_set_new(ev, "connections", json_integer(p->count));
    json_object_set_new(ev, "out_of_order", json_integer(p->ooo));
    if (strobe)
        json_object_set_new(ev, "rate_per_s", json_real(round((p->count - 1) / span_s * 1000) / 1000));
    json_object_set_new(ev, "interval", dist_json(&r.ts, 1));
    json_object_set_new(ev, "size_out", dist_json(&r.ds, 0));
    json_object_set_new(ev, "bytes_out", json_integer((json_int_t)p->bytes_out));
    json_object_set_new(ev, "bytes_in", json_integer((json_int_t)p->bytes_in));
    json_t *hb = json_array();
    for (size_t i = 0; i < r.hist_n; i++)
        json_array_append_new(hb, json_integer(r.hist_bins[i]));
    json_object_set_new(ev, "histogram",
                        json_pack("{s:f,s:o,s:f,s:f,s:f}", "bin_s", (double)r.hist_bin_ns / 1e9,
                                  "bins", hb, "cv", r.hist_cv, "two_level_fit", r.hist_bimodal,
                                  "score", r.hist_score));
    json_object_set_new(ev, "duration",
                        json_pack("{s:f,s:f,s:f,s:f}", "span_s", span_s, "coverage", r.coverage,
                                  "consistency", r.consistency, "score", r.dur_score));
    json_t *samples = json_array();
    size_t nr = p->count < NRECENT ? p->count : NRECENT;
    for (size_t i = 0; i < nr; i++) {
        char t[SK_RFC3339_LEN];
        size_t k = (p->count - nr + i) % NRECENT;
        json_array_append_new(samples, json_string(sk_rfc3339(p->recent[k], t, sizeof t)));
    }
    json_object_set_new(ev, "recent", samples);
    if (p->hint != NONE) {
        if (name) {
            char a[SK_ADDR_STRLEN];
            json_object_set_new(ev, "last_address",
                                json_string(sk_addr_fmt(&b->objs[p->hint].addr, a, sizeof a)));
        } else {
            json_object_set_new(ev, "last_name", json_string(sk__strtab_str(&b->names, p->hint)));
        }
    }
    json_object_set_new(ev, "subscores",
                        json_pack("{s:f,s:f,s:f,s:f}", "interval", r.ts_score, "size", r.ds_score,
                                  "histogram", r.hist_score, "duration", r.dur_score));
    json_object_set_new(ev, "base_score", json_real(base));
    sk__score_modify(base, &mi, ev);
    if (strobe)
        analyzer = "strobe";
    if (!(evs = sk__evidence_take(ev)))
        return -SK_ENOMEM;

    memset(&f, 0, sizeof f);
    f.type = SK_FINDING_DETECTION;
    f.proto = p->proto;
    f.privacy = SK_PRIVACY_OPERATOR;
    f.dport = p->dport;
    f.ts_first = p->first;
    f.ts_last = p->last;
    f.src = *host;
    if (!name)
        f.dst = o->addr;
    f.name = name;
    f.count = p->count;
    f.analyzer = analyzer;
    f.score = round(score * 1000) / 1000;
    f.evidence_json = evs;
    rc = emit(ctx, &f);
    free(evs);
    return rc;
}

static int beacon_flush(void *state, sk_nstime now, int final, sk_finding_fn emit, void *ctx)
{
    struct beacon *b = state;
    int rc;

    if (now > b->now && b->t0)
        advance_clock(b, b->t0, now);
    for (uint32_t i = 0; i < b->npairs; i++) {
        struct bpair *p = P(b, i);
        if (!final && !p->dirty)
            continue;
        p->dirty = 0;
        if ((rc = report(b, p, emit, ctx)) < 0)
            return rc;
    }
    if (final && b->refused)
        sk_warn("detect", "beacon: %llu connections of pairs beyond detect.max_pairs were not analysed",
                (unsigned long long)b->refused);
    return 0;
}

/* ---- life cycle ----------------------------------------------------------- */

static void beacon_destroy(void *state)
{
    struct beacon *b = state;
    if (!b)
        return;
    for (uint32_t i = 0; i < b->nchunks; i++)
        free(b->chunks[i]);
    free(b->chunks);
    free(b->hosts);
    free(b->objs);
    free(b->name_obj);
    sk__table_free(&b->host_ix);
    sk__table_free(&b->obj_ix);
    sk__table_free(&b->pair_ix);
    sk__strtab_free(&b->names);
    sk__namecache_free(&b->nc);
    free(b);
}

static int beacon_create(void **state, const struct sk_analyzer_env *env)
{
    struct beacon *b = calloc(1, sizeof *b);
    int rc;

    if (!b)
        return -SK_ENOMEM;
    b->conf = &env->conf->detect;
    b->intel = env->intel;
    b->wl = env->warninglists;
    b->seed = sk_hash_seed();
    if ((rc = sk__table_init(&b->host_ix, 1024)) < 0 ||
        (rc = sk__table_init(&b->obj_ix, 1024)) < 0 ||
        (rc = sk__table_init(&b->pair_ix, 4096)) < 0 ||
        (rc = sk__strtab_init(&b->names, b->conf->max_pairs)) < 0 ||
        (rc = sk__namecache_init(&b->nc, NAMECACHE_SLOTS)) < 0) {
        beacon_destroy(b);
        return rc;
    }
    *state = b;
    return 0;
}

const struct sk_analyzer_ops sk__an_beacon = {
    .name = "beacon",
    .api = SK_ANALYZER_API,
    .desc = "C2 beaconing (regular check-ins per host and IP or name) and strobes",
    .create = beacon_create,
    .feed = beacon_feed,
    .flush = beacon_flush,
    .destroy = beacon_destroy,
};
