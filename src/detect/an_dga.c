/*
 * an_dga.c — the "dga" analyzer (algorithmically generated names a host
 * looks up) and "nxdomain" (bursts of names that do not exist).
 *
 * Per queried name: the registrable label is scored by the DGA model
 * (sakimori/dga.h: the embedded model, or detect.dga.model); a name at or
 * above the threshold (the model's calibrated one unless detect.dga.threshold
 * is set) is held as a (host, name) finding with its count, first and last
 * time and the model's features as evidence. Each (host, name) is judged
 * once: a table of what was judged, bounded by detect.max_pairs.
 *
 * Per host: the times of its last N NXDOMAIN answers (N =
 * detect.dga.nxdomain_burst) in a ring; when the oldest of them is within
 * burst_window of the newest, the host is in a burst. A DGA walks through
 * names until one resolves, so most of its lookups fail — a burst is the
 * host-level sign, the names' look the name-level one. Score of a burst:
 * 0.5 + 0.25 × min(1, peak rate / burst rate) + 0.25 × the share of the
 * failed names that look generated.
 *
 * Memory: judged pairs ≤ detect.max_pairs (refused past it, counted), hosts
 * with NXDOMAIN answers ≤ the same, N timestamps each.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-int.h"
#include "detect/table.h"
#include "sakimori/addr.h"
#include "sakimori/analyzer.h"
#include "sakimori/dga.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"
#include "sakimori/log.h"

struct judged {
    uint32_t host, name;
    uint32_t count;
    uint8_t flagged, nx, dirty;
    float score;
    sk_nstime first, last;
    struct sk_addr server;
};

struct nxhost {
    struct sk_addr addr;
    sk_nstime *ring; /* last N NXDOMAIN times */
    uint32_t pos, n;
    uint64_t nx_total, nx_dga;
    uint32_t bursts;
    double peak;     /* highest N / window span seen, per second */
    sk_nstime first, last, burst_first, burst_last;
    uint8_t dirty;
};

struct dga {
    const struct sk_conf_detect *conf;
    const struct sk_intel *intel;
    const struct sk_warninglists *wl;
    struct sk_dga_model *model;
    double threshold;
    struct sk__strtab names;
    struct sk_addr *hosts;
    uint32_t nhosts, ahosts;
    struct sk__table host_ix, pair_ix, nx_ix;
    struct judged *pairs;
    uint32_t npairs, apairs;
    struct nxhost *nx;
    uint32_t nnx, anx;
    uint64_t seed, refused;
    const struct sk_addr *key_addr;
    uint64_t key_pair;
};

static int host_eq(const void *ctx, uint32_t i)
{
    const struct dga *d = ctx;
    return sk_addr_eq(&d->hosts[i], d->key_addr);
}

static int nx_eq(const void *ctx, uint32_t i)
{
    const struct dga *d = ctx;
    return sk_addr_eq(&d->nx[i].addr, d->key_addr);
}

static int pair_eq(const void *ctx, uint32_t i)
{
    const struct dga *d = ctx;
    return ((uint64_t)d->pairs[i].host << 32 | d->pairs[i].name) == d->key_pair;
}

static int64_t host_get(struct dga *d, const struct sk_addr *a)
{
    uint64_t h = sk_hash64(a->b, 16, d->seed ^ a->family);
    uint32_t slot;
    int64_t i;
    int rc;
    d->key_addr = a;
    if ((i = sk__table_find(&d->host_ix, h, host_eq, d, &slot)) >= 0)
        return i;
    if (d->nhosts == d->ahosts) {
        uint32_t na = d->ahosts ? d->ahosts * 2 : 256;
        struct sk_addr *nv = realloc(d->hosts, na * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        d->hosts = nv;
        d->ahosts = na;
    }
    d->hosts[d->nhosts] = *a;
    if ((rc = sk__table_put(&d->host_ix, slot, h, d->nhosts)) < 0)
        return rc;
    return d->nhosts++;
}

static struct nxhost *nx_get(struct dga *d, const struct sk_addr *a)
{
    uint64_t h = sk_hash64(a->b, 16, d->seed ^ 0x6e78 ^ a->family);
    uint32_t slot;
    int64_t i;
    d->key_addr = a;
    if ((i = sk__table_find(&d->nx_ix, h, nx_eq, d, &slot)) >= 0)
        return &d->nx[i];
    if (d->nnx >= d->conf->max_pairs)
        return NULL;
    if (d->nnx == d->anx) {
        uint32_t na = d->anx ? d->anx * 2 : 256;
        struct nxhost *nv = realloc(d->nx, na * sizeof *nv);
        if (!nv)
            return NULL;
        d->nx = nv;
        d->anx = na;
    }
    struct nxhost *x = &d->nx[d->nnx];
    memset(x, 0, sizeof *x);
    x->addr = *a;
    x->n = d->conf->dga.nxdomain_burst;
    if (!(x->ring = calloc(x->n, sizeof *x->ring)) || sk__table_put(&d->nx_ix, slot, h, d->nnx) < 0) {
        free(x->ring);
        return NULL;
    }
    d->nnx++;
    return x;
}

static void nx_add(struct dga *d, struct nxhost *x, sk_nstime ts, int dga_like)
{
    const uint64_t window = d->conf->dga.burst_window;
    if (!x->nx_total)
        x->first = ts;
    x->last = ts;
    x->nx_total++;
    x->nx_dga += dga_like;
    x->ring[x->pos % x->n] = ts;
    x->pos++;
    if (x->pos < x->n)
        return;
    sk_nstime oldest = x->ring[x->pos % x->n];
    if (ts >= oldest && ts - oldest <= window) {
        double span = (double)(ts - oldest) / 1e9, rate = span > 0 ? (x->n - 1) / span : x->n;
        if (rate > x->peak)
            x->peak = rate;
        if (!x->bursts || oldest > x->burst_last)
            x->bursts++;
        if (!x->burst_first)
            x->burst_first = oldest;
        x->burst_last = ts;
        x->dirty = 1;
    }
}

static int dga_feed(void *state, const struct sk_event *ev, sk_finding_fn emit, void *ctx)
{
    struct dga *d = state;
    const struct sk_ev_dns *q = &ev->u.dns;
    struct sk_dga_result r;
    int64_t hid, nid;
    uint32_t slot;
    int rc;

    if (ev->kind != SK_EVENT_DNS || !q->qname || !*q->qname || !ev->src.family)
        return 0;
    if (q->is_response && q->rcode == 3) {
        struct nxhost *x = nx_get(d, &ev->src);
        if (x) {
            int like = sk_dga_score(d->model, q->qname, &r) == 0 && r.score >= d->threshold;
            nx_add(d, x, ev->ts, like);
        } else {
            d->refused++;
        }
    }
    if ((hid = host_get(d, &ev->src)) < 0)
        return (int)hid;
    size_t len = strlen(q->qname);
    if ((nid = sk__strtab_intern(&d->names, q->qname, len)) < 0) {
        if (nid == -SK_ENOMEM)
            return (int)nid;
        d->refused++;
        return 0;
    }
    uint64_t key = (uint64_t)hid << 32 | (uint64_t)nid;
    uint64_t h = sk_hash_mix64(key ^ d->seed);
    int64_t i;
    d->key_pair = key;
    if ((i = sk__table_find(&d->pair_ix, h, pair_eq, d, &slot)) < 0) {
        if (d->npairs >= d->conf->max_pairs) {
            d->refused++;
            return 0;
        }
        if (d->npairs == d->apairs) {
            uint32_t na = d->apairs ? d->apairs * 2 : 1024;
            struct judged *nv = realloc(d->pairs, na * sizeof *nv);
            if (!nv)
                return -SK_ENOMEM;
            d->pairs = nv;
            d->apairs = na;
        }
        struct judged *j = &d->pairs[d->npairs];
        memset(j, 0, sizeof *j);
        j->host = (uint32_t)hid;
        j->name = (uint32_t)nid;
        j->first = ev->ts;
        j->server = ev->dst;
        if (sk_dga_score(d->model, q->qname, &r) == 0) {
            j->score = (float)r.score;
            j->flagged = r.score >= d->threshold;
        }
        if ((rc = sk__table_put(&d->pair_ix, slot, h, d->npairs)) < 0)
            return rc;
        i = d->npairs++;
    }
    struct judged *j = &d->pairs[i];
    if (!q->is_response)
        j->count++;
    else if (!j->count)
        j->count = 1; /* a capture with only the answers */
    j->last = ev->ts;
    j->nx |= q->is_response && q->rcode == 3;
    j->dirty = 1;
    return 0;
}

static int report_name(struct dga *d, struct judged *j, sk_finding_fn emit, void *ctx)
{
    const char *name = sk__strtab_str(&d->names, j->name);
    struct sk_dga_result r;
    struct sk_finding f;
    int rc;

    if (sk_dga_score(d->model, name, &r) < 0)
        return 0;
    json_t *ev = json_object();
    json_object_set_new(ev, "label", json_string(r.label));
    json_object_set_new(ev, "model_score", json_real(round(r.score * 10000) / 10000));
    json_object_set_new(ev, "threshold", json_real(d->threshold));
    json_t *fe = json_object();
    for (unsigned k = 0; k < SK_DGA_NFEATURES; k++)
        json_object_set_new(fe, sk_dga_feature_name(k), json_real(round(r.f[k] * 10000) / 10000));
    json_object_set_new(ev, "features", fe);
    json_object_set_new(ev, "lookups", json_integer(j->count));
    json_object_set_new(ev, "nxdomain", json_boolean(j->nx));
    for (uint32_t k = 0; k < d->nnx; k++)
        if (sk_addr_eq(&d->nx[k].addr, &d->hosts[j->host])) {
            json_object_set_new(ev, "host_nxdomain", json_integer((json_int_t)d->nx[k].nx_total));
            break;
        }
    /* the model's score is the base; context moves it (a name under a CDN's
     * or cloud's domain on a loaded warninglist falls below the threshold) */
    struct sk__mod_in mi = {.intel_hit = sk__intel_hit_name(d->intel, name),
                            .warninglist = sk__wl_name(d->wl, name)};
    double score = sk__score_modify(r.score, &mi, NULL);
    if (score < d->threshold) {
        json_decref(ev);
        return 0;
    }
    sk__score_modify(r.score, &mi, ev);
    char *evs = sk__evidence_take(ev);
    if (!evs)
        return -SK_ENOMEM;
    memset(&f, 0, sizeof f);
    f.type = SK_FINDING_DETECTION;
    f.proto = 17;
    f.src = d->hosts[j->host];
    f.dst = j->server;
    f.dport = 53;
    f.ts_first = j->first;
    f.ts_last = j->last;
    f.name = name;
    f.count = j->count;
    f.analyzer = "dga";
    f.score = round(score * 1000) / 1000;
    f.evidence_json = evs;
    rc = emit(ctx, &f);
    free(evs);
    return rc;
}

static int report_burst(struct dga *d, struct nxhost *x, sk_finding_fn emit, void *ctx)
{
    const struct sk_conf_detect_dga *c = &d->conf->dga;
    double burst_rate = (double)c->nxdomain_burst / ((double)c->burst_window / 1e9);
    double like = x->nx_total ? (double)x->nx_dga / (double)x->nx_total : 0;
    double score = 0.5 + 0.25 * fmin(1, x->peak / burst_rate) + 0.25 * like;
    struct sk_finding f;
    int rc;

    json_t *ev = json_pack("{s:i,s:i,s:i,s:f,s:f}", "nxdomain", (json_int_t)x->nx_total,
                           "dga_like", (json_int_t)x->nx_dga, "bursts", (json_int_t)x->bursts,
                           "peak_per_s", round(x->peak * 1000) / 1000, "burst_threshold_per_s",
                           round(burst_rate * 1000) / 1000);
    if (!ev)
        return -SK_ENOMEM;
    sk__json_time(ev, "burst_first", x->burst_first);
    sk__json_time(ev, "burst_last", x->burst_last);
    char *evs = sk__evidence_take(ev);
    if (!evs)
        return -SK_ENOMEM;
    memset(&f, 0, sizeof f);
    f.type = SK_FINDING_DETECTION;
    f.proto = 17;
    f.src = x->addr;
    f.ts_first = x->first;
    f.ts_last = x->last;
    f.count = x->nx_total;
    f.analyzer = "nxdomain";
    f.score = round(score * 1000) / 1000;
    f.evidence_json = evs;
    rc = emit(ctx, &f);
    free(evs);
    return rc;
}

static int dga_flush(void *state, sk_nstime now, int final, sk_finding_fn emit, void *ctx)
{
    struct dga *d = state;
    int rc;
    for (uint32_t i = 0; i < d->npairs; i++) {
        struct judged *j = &d->pairs[i];
        if (!j->flagged || (!final && !j->dirty))
            continue;
        j->dirty = 0;
        if ((rc = report_name(d, j, emit, ctx)) < 0)
            return rc;
    }
    for (uint32_t i = 0; i < d->nnx; i++) {
        struct nxhost *x = &d->nx[i];
        if (!x->bursts || (!final && !x->dirty))
            continue;
        x->dirty = 0;
        if ((rc = report_burst(d, x, emit, ctx)) < 0)
            return rc;
    }
    if (final && d->refused)
        sk_warn("detect", "dga: %llu lookups beyond detect.max_pairs were not judged",
                (unsigned long long)d->refused);
    return 0;
}

static void dga_destroy(void *state)
{
    struct dga *d = state;
    if (!d)
        return;
    for (uint32_t i = 0; i < d->nnx; i++)
        free(d->nx[i].ring);
    free(d->nx);
    free(d->pairs);
    free(d->hosts);
    sk__table_free(&d->host_ix);
    sk__table_free(&d->pair_ix);
    sk__table_free(&d->nx_ix);
    sk__strtab_free(&d->names);
    sk_dga_model_free(d->model);
    free(d);
}

static int dga_create(void **state, const struct sk_analyzer_env *env)
{
    struct dga *d = calloc(1, sizeof *d);
    struct sk_errinfo ei = {""};
    int rc;

    if (!d)
        return -SK_ENOMEM;
    d->conf = &env->conf->detect;
    d->intel = env->intel;
    d->wl = env->warninglists;
    d->seed = sk_hash_seed();
    if (d->conf->dga.model && *d->conf->dga.model)
        rc = sk_dga_model_load(d->conf->dga.model, &d->model, &ei);
    else
        rc = sk_dga_model_embedded(&d->model, &ei);
    if (rc < 0) {
        sk_error("detect", "dga: %s", ei.msg[0] ? ei.msg : sk_strerror(rc));
        goto fail;
    }
    d->threshold = d->conf->dga.threshold > 0 ? d->conf->dga.threshold
                                              : sk_dga_model_threshold(d->model);
    if ((rc = sk__table_init(&d->host_ix, 256)) < 0 || (rc = sk__table_init(&d->pair_ix, 4096)) < 0 ||
        (rc = sk__table_init(&d->nx_ix, 256)) < 0 ||
        (rc = sk__strtab_init(&d->names, d->conf->max_pairs)) < 0)
        goto fail;
    *state = d;
    return 0;
fail:
    dga_destroy(d);
    return rc;
}

const struct sk_analyzer_ops sk__an_dga = {
    .name = "dga",
    .api = SK_ANALYZER_API,
    .desc = "algorithmically generated names (n-gram model) and NXDOMAIN bursts per host",
    .create = dga_create,
    .feed = dga_feed,
    .flush = dga_flush,
    .destroy = dga_destroy,
};
