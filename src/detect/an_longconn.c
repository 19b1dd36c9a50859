/*
 * an_longconn.c — the "longconn" analyzer: connections held open for hours.
 *
 * A C2 channel that stays up (a reverse shell, a tunnel, a long-poll) shows
 * as long total connection time between a host and a peer. Per (internal
 * host, external IP, port): the sum of the durations of its flows (a flow
 * the flow table split at flow.active_timeout continues in the next one, so
 * the sum is the connection's length), the longest flow, flows and bytes.
 * A pair whose total reaches detect.longconn.min_duration is reported:
 *   score = 0.5 + 0.5 × clamp((total − min) / (12 h − min))
 * (RITA's "base" at the minimum and "high" at 12 hours), then scoring.c's
 * modifiers. Filtering as every analyzer (detect-int.h), DNS excluded.
 * Memory: pairs ≤ detect.max_pairs, 72 bytes each.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-int.h"
#include "detect/table.h"
#include "sakimori/addr.h"
#include "sakimori/analyzer.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"
#include "sakimori/log.h"

#define TWELVE_H (12 * 3600ULL * SK_NS_PER_SEC)

struct lpair {
    struct sk_addr host, peer;
    uint16_t dport;
    uint8_t proto, dirty;
    uint32_t flows;
    uint64_t total, longest;
    uint64_t bytes;
    sk_nstime first, last;
};

struct lc {
    const struct sk_conf_detect *conf;
    const struct sk_intel *intel;
    const struct sk_warninglists *wl;
    struct sk__table ix;
    struct lpair *pairs;
    uint32_t n, cap;
    uint64_t seed, refused;
    const struct sk_event *key;
    const struct sk_addr *key_host, *key_peer;
};

static int eq(const void *ctx, uint32_t i)
{
    const struct lc *l = ctx;
    const struct lpair *p = &l->pairs[i];
    return p->dport == l->key->dport && p->proto == l->key->proto && sk_addr_eq(&p->host, l->key_host) &&
           sk_addr_eq(&p->peer, l->key_peer);
}

static int lc_feed(void *state, const struct sk_event *ev, sk_finding_fn emit, void *ctx)
{
    struct lc *l = state;
    const struct sk_addr *host, *peer;
    uint32_t slot;
    int64_t i;
    int rc;

    if (ev->kind != SK_EVENT_FLOW || ev->ts_end <= ev->ts)
        return 0;
    if ((ev->proto == 6 || ev->proto == 17) && ev->dport == 53)
        return 0;
    if (!sk__detect_orient(l->conf, ev, &host, &peer))
        return 0;
    uint64_t h = sk_hash64(host->b, 16, l->seed ^ host->family);
    h = sk_hash64(peer->b, 16, h ^ ((uint64_t)ev->dport << 8 | ev->proto));
    l->key = ev;
    l->key_host = host;
    l->key_peer = peer;
    if ((i = sk__table_find(&l->ix, h, eq, l, &slot)) < 0) {
        if (l->n >= l->conf->max_pairs) {
            l->refused++;
            return 0;
        }
        if (l->n == l->cap) {
            uint32_t nc = l->cap ? l->cap * 2 : 1024;
            struct lpair *nv = realloc(l->pairs, nc * sizeof *nv);
            if (!nv)
                return -SK_ENOMEM;
            l->pairs = nv;
            l->cap = nc;
        }
        struct lpair *p = &l->pairs[l->n];
        memset(p, 0, sizeof *p);
        p->host = *host;
        p->peer = *peer;
        p->dport = ev->dport;
        p->proto = ev->proto;
        p->first = ev->ts;
        if ((rc = sk__table_put(&l->ix, slot, h, l->n)) < 0)
            return rc;
        i = l->n++;
    }
    struct lpair *p = &l->pairs[i];
    uint64_t d = ev->ts_end - ev->ts;
    p->flows++;
    p->total += d;
    p->longest = d > p->longest ? d : p->longest;
    p->bytes += ev->u.flow.bytes_out + ev->u.flow.bytes_in;
    p->first = ev->ts < p->first ? ev->ts : p->first;
    p->last = ev->ts_end > p->last ? ev->ts_end : p->last;
    p->dirty = 1;
    return 0;
}

static int lc_flush(void *state, sk_nstime now, int final, sk_finding_fn emit, void *ctx)
{
    struct lc *l = state;
    const uint64_t min = l->conf->longconn.min_duration;
    int rc;

    for (uint32_t i = 0; i < l->n; i++) {
        struct lpair *p = &l->pairs[i];
        if ((!final && !p->dirty) || p->total < min)
            continue;
        p->dirty = 0;
        double ramp = min < TWELVE_H ? (double)(p->total - min) / (double)(TWELVE_H - min) : 1;
        double base = 0.5 + 0.5 * (ramp > 1 ? 1 : ramp);
        struct sk__mod_in mi = {.intel_hit = sk__intel_hit_addr(l->intel, &p->peer),
                                .warninglist = sk__wl_addr(l->wl, &p->peer)};
        json_t *ev = json_pack("{s:f,s:f,s:i,s:i,s:f}", "total_s", (double)p->total / 1e9,
                               "longest_flow_s", (double)p->longest / 1e9, "flows",
                               (json_int_t)p->flows, "bytes", (json_int_t)p->bytes,
                               "base_score", round(base * 1000) / 1000);
        if (!ev)
            return -SK_ENOMEM;
        double score = sk__score_modify(base, &mi, ev);
        char *evs = sk__evidence_take(ev);
        if (!evs)
            return -SK_ENOMEM;
        struct sk_finding f;
        memset(&f, 0, sizeof f);
        f.type = SK_FINDING_DETECTION;
        f.proto = p->proto;
        f.src = p->host;
        f.dst = p->peer;
        f.dport = p->dport;
        f.ts_first = p->first;
        f.ts_last = p->last;
        f.count = p->flows;
        f.analyzer = "longconn";
        f.score = round(score * 1000) / 1000;
        f.evidence_json = evs;
        rc = emit(ctx, &f);
        free(evs);
        if (rc < 0)
            return rc;
    }
    if (final && l->refused)
        sk_warn("detect", "longconn: %llu flows beyond detect.max_pairs were not measured",
                (unsigned long long)l->refused);
    return 0;
}

static void lc_destroy(void *state)
{
    struct lc *l = state;
    if (!l)
        return;
    sk__table_free(&l->ix);
    free(l->pairs);
    free(l);
}

static int lc_create(void **state, const struct sk_analyzer_env *env)
{
    struct lc *l = calloc(1, sizeof *l);
    int rc;
    if (!l)
        return -SK_ENOMEM;
    l->conf = &env->conf->detect;
    l->intel = env->intel;
    l->wl = env->warninglists;
    l->seed = sk_hash_seed();
    if ((rc = sk__table_init(&l->ix, 1024)) < 0) {
        lc_destroy(l);
        return rc;
    }
    *state = l;
    return 0;
}

const struct sk_analyzer_ops sk__an_longconn = {
    .name = "longconn",
    .api = SK_ANALYZER_API,
    .desc = "long connections: total connection time per host and peer over a threshold",
    .create = lc_create,
    .feed = lc_feed,
    .flush = lc_flush,
    .destroy = lc_destroy,
};
