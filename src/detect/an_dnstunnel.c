/*
 * an_dnstunnel.c — the "dnstunnel" analyzer: data carried in DNS names.
 *
 * Subject: (host, registered domain) — "t.tunnel1.example" and
 * "x.y.tunnel1.example" both count for tunnel1.example (libpsl). A tunnel
 * needs a new name for every message, long labels to carry data, random-
 * looking labels (encoded bytes), and often TXT or NULL records for the
 * answer. Per pair:
 *   queries, TXT+NULL queries, distinct subdomains (exact for the first 8,
 *   then a KMV sketch of the 64 smallest hashes, ±12 %), the longest
 *   subdomain, running sums of subdomain length and character entropy.
 * Scored from min_subdomains distinct subdomains on:
 *   0.4 × min(1, log10(distinct) / 3)          (1000 subdomains → 1)
 *   0.2 × clamp((mean subdomain length − 10) / 40)
 *   0.2 × clamp((mean entropy − 2.5) / 2)        (bits per character)
 *   0.2 × share of TXT/NULL queries
 * then scoring.c's modifiers: prevalence matters here, since a service many
 * hosts use (anti-virus lookups, CDN steering) also makes many names.
 * Memory: pairs ≤ detect.max_pairs; 100 bytes a pair, + 512 once a pair
 * has more than 8 distinct subdomains.
 */
#include <libpsl.h>
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

#define INLINE 8
#define KMV 64

struct tpair {
    uint32_t host, domain;
    uint32_t queries, txt, distinct_small;
    uint32_t longest;
    uint64_t small[INLINE];
    uint64_t *kmv; /* KMV sketch (sorted ascending, up to KMV values) */
    uint32_t nkmv;
    double sum_len, sum_ent;
    uint32_t judged; /* subdomains measured */
    sk_nstime first, last;
    struct sk_addr server;
    uint8_t dirty;
};

struct tun {
    const struct sk_conf_detect *conf;
    const struct sk_intel *intel;
    const struct sk_warninglists *wl;
    struct sk__strtab domains;
    struct sk_addr *hosts;
    uint32_t nhosts, ahosts;
    uint32_t *domain_hosts; /* prevalence per domain */
    uint32_t adomain_hosts;
    struct sk__table host_ix, pair_ix;
    struct tpair *pairs;
    uint32_t npairs, apairs;
    uint64_t seed, refused;
    const struct sk_addr *key_addr;
    uint64_t key_pair;
};

static int host_eq(const void *ctx, uint32_t i)
{
    const struct tun *t = ctx;
    return sk_addr_eq(&t->hosts[i], t->key_addr);
}

static int pair_eq(const void *ctx, uint32_t i)
{
    const struct tun *t = ctx;
    return ((uint64_t)t->pairs[i].host << 32 | t->pairs[i].domain) == t->key_pair;
}

/* Inserts h into the sorted sketch of the KMV smallest values. */
static void kmv_add(uint64_t *v, uint32_t *n, uint64_t h)
{
    uint32_t lo = 0, hi = *n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (v[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < *n && v[lo] == h)
        return;
    if (*n == KMV && lo == KMV)
        return;
    uint32_t move = (*n == KMV ? KMV - 1 : *n) - lo;
    memmove(v + lo + 1, v + lo, move * sizeof *v);
    v[lo] = h;
    if (*n < KMV)
        (*n)++;
}

static double distinct(const struct tpair *p)
{
    if (!p->kmv)
        return p->distinct_small;
    if (p->nkmv < KMV)
        return p->nkmv;
    /* (k − 1) / (the k-th smallest hash as a fraction of the range) */
    return (KMV - 1) / ((double)p->kmv[KMV - 1] / 18446744073709551616.0);
}

static int add_subdomain(struct tpair *p, uint64_t h)
{
    if (!p->kmv) {
        for (uint32_t i = 0; i < p->distinct_small; i++)
            if (p->small[i] == h)
                return 0;
        if (p->distinct_small < INLINE) {
            p->small[p->distinct_small++] = h;
            return 1;
        }
        if (!(p->kmv = malloc(KMV * sizeof *p->kmv)))
            return -SK_ENOMEM;
        for (uint32_t i = 0; i < INLINE; i++)
            kmv_add(p->kmv, &p->nkmv, p->small[i]);
    }
    uint32_t before = p->nkmv;
    uint64_t kth = p->nkmv == KMV ? p->kmv[KMV - 1] : UINT64_MAX;
    kmv_add(p->kmv, &p->nkmv, h);
    return p->nkmv > before || (h < kth && p->kmv[KMV - 1] != kth);
}

static int tun_feed(void *state, const struct sk_event *ev, sk_finding_fn emit, void *ctx)
{
    struct tun *t = state;
    const struct sk_ev_dns *q = &ev->u.dns;
    char low[256];
    size_t n = 0;
    int rc;

    if (ev->kind != SK_EVENT_DNS || q->is_response || !q->qname || !ev->src.family)
        return 0;
    for (; q->qname[n] && n < sizeof low - 1; n++)
        low[n] = (char)((q->qname[n] >= 'A' && q->qname[n] <= 'Z') ? q->qname[n] + 32 : q->qname[n]);
    if (q->qname[n])
        return 0;
    low[n] = '\0';
    if (n > 13 && !strcmp(low + n - 13, ".in-addr.arpa"))
        return 0;
    const char *reg = psl_registrable_domain((const psl_ctx_t *)sk__psl(), low);
    if (!reg || reg == low)
        return 0; /* no subdomain part */
    size_t sublen = (size_t)(reg - low) - 1; /* without the dot */

    uint64_t hh = sk_hash64(ev->src.b, 16, t->seed ^ ev->src.family);
    uint32_t slot;
    int64_t hid, did, i;
    t->key_addr = &ev->src;
    if ((hid = sk__table_find(&t->host_ix, hh, host_eq, t, &slot)) < 0) {
        if (t->nhosts == t->ahosts) {
            uint32_t na = t->ahosts ? t->ahosts * 2 : 256;
            struct sk_addr *nv = realloc(t->hosts, na * sizeof *nv);
            if (!nv)
                return -SK_ENOMEM;
            t->hosts = nv;
            t->ahosts = na;
        }
        t->hosts[t->nhosts] = ev->src;
        if ((rc = sk__table_put(&t->host_ix, slot, hh, t->nhosts)) < 0)
            return rc;
        hid = t->nhosts++;
    }
    if ((did = sk__strtab_intern(&t->domains, reg, strlen(reg))) < 0) {
        t->refused++;
        return did == -SK_ENOMEM ? (int)did : 0;
    }
    uint64_t key = (uint64_t)hid << 32 | (uint64_t)did, ph = sk_hash_mix64(key ^ t->seed);
    t->key_pair = key;
    if ((i = sk__table_find(&t->pair_ix, ph, pair_eq, t, &slot)) < 0) {
        if (t->npairs >= t->conf->max_pairs) {
            t->refused++;
            return 0;
        }
        if (t->npairs == t->apairs) {
            uint32_t na = t->apairs ? t->apairs * 2 : 1024;
            struct tpair *nv = realloc(t->pairs, na * sizeof *nv);
            if (!nv)
                return -SK_ENOMEM;
            t->pairs = nv;
            t->apairs = na;
        }
        struct tpair *p = &t->pairs[t->npairs];
        memset(p, 0, sizeof *p);
        p->host = (uint32_t)hid;
        p->domain = (uint32_t)did;
        p->first = ev->ts;
        p->server = ev->dst;
        if ((rc = sk__table_put(&t->pair_ix, slot, ph, t->npairs)) < 0)
            return rc;
        i = t->npairs++;
        if ((uint32_t)did >= t->adomain_hosts) {
            uint32_t na = t->adomain_hosts ? t->adomain_hosts : 1024;
            while (na <= (uint32_t)did)
                na *= 2;
            uint32_t *nv = realloc(t->domain_hosts, na * sizeof *nv);
            if (!nv)
                return -SK_ENOMEM;
            memset(nv + t->adomain_hosts, 0, (na - t->adomain_hosts) * sizeof *nv);
            t->domain_hosts = nv;
            t->adomain_hosts = na;
        }
        t->domain_hosts[did]++;
    }
    struct tpair *p = &t->pairs[i];
    p->queries++;
    p->txt += q->qtype == 16 || q->qtype == 10;
    p->last = ev->ts;
    p->dirty = 1;
    int fresh = add_subdomain(p, sk_hash64(low, sublen, t->seed ^ 0x7375));
    if (fresh < 0)
        return fresh;
    if (fresh) {
        p->judged++;
        p->sum_len += (double)sublen;
        p->sum_ent += sk__entropy(low, sublen);
        if (sublen > p->longest)
            p->longest = (uint32_t)sublen;
    }
    return 0;
}

static double clamp01(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

static int tun_report(struct tun *t, struct tpair *p, sk_finding_fn emit, void *ctx)
{
    double nd = distinct(p);
    struct sk_finding f;
    int rc;

    if (nd < t->conf->dnstunnel.min_subdomains || !p->judged)
        return 0;
    double mlen = p->sum_len / p->judged, ment = p->sum_ent / p->judged;
    double txt = (double)p->txt / p->queries;
    double s_n = fmin(1, log10(nd) / 3), s_len = clamp01((mlen - 10) / 40),
           s_ent = clamp01((ment - 2.5) / 2);
    double base = 0.4 * s_n + 0.2 * s_len + 0.2 * s_ent + 0.2 * txt;
    const char *domain = sk__strtab_str(&t->domains, p->domain);
    struct sk__mod_in mi = {
        .prevalence_hosts = t->domain_hosts[p->domain], .internal_hosts = t->nhosts,
        .intel_hit = sk__intel_hit_name(t->intel, domain),
        .warninglist = sk__wl_name(t->wl, domain),
    };
    double score = sk__score_modify(base, &mi, NULL);
    if (score < t->conf->dnstunnel.threshold)
        return 0;
    json_t *ev = json_pack("{s:i,s:i,s:i,s:f,s:f,s:i,s:f}", "queries", (json_int_t)p->queries,
                           "txt_null", (json_int_t)p->txt, "subdomains", (json_int_t)llround(nd),
                           "mean_subdomain_length", round(mlen * 10) / 10, "mean_entropy_bits",
                           round(ment * 1000) / 1000, "longest_subdomain", (json_int_t)p->longest,
                           "base_score", round(base * 1000) / 1000);
    if (!ev)
        return -SK_ENOMEM;
    json_object_set_new(ev, "estimated", json_boolean(p->kmv && p->nkmv == KMV));
    sk__score_modify(base, &mi, ev);
    char *evs = sk__evidence_take(ev);
    if (!evs)
        return -SK_ENOMEM;
    memset(&f, 0, sizeof f);
    f.type = SK_FINDING_DETECTION;
    f.proto = 17;
    f.src = t->hosts[p->host];
    f.dst = p->server;
    f.dport = 53;
    f.ts_first = p->first;
    f.ts_last = p->last;
    f.name = domain;
    f.count = p->queries;
    f.analyzer = "dnstunnel";
    f.score = round(score * 1000) / 1000;
    f.evidence_json = evs;
    rc = emit(ctx, &f);
    free(evs);
    return rc;
}

static int tun_flush(void *state, sk_nstime now, int final, sk_finding_fn emit, void *ctx)
{
    struct tun *t = state;
    int rc;
    for (uint32_t i = 0; i < t->npairs; i++) {
        struct tpair *p = &t->pairs[i];
        if (!final && !p->dirty)
            continue;
        p->dirty = 0;
        if ((rc = tun_report(t, p, emit, ctx)) < 0)
            return rc;
    }
    if (final && t->refused)
        sk_warn("detect", "dnstunnel: %llu queries beyond detect.max_pairs were not judged",
                (unsigned long long)t->refused);
    return 0;
}

static void tun_destroy(void *state)
{
    struct tun *t = state;
    if (!t)
        return;
    for (uint32_t i = 0; i < t->npairs; i++)
        free(t->pairs[i].kmv);
    free(t->pairs);
    free(t->hosts);
    free(t->domain_hosts);
    sk__table_free(&t->host_ix);
    sk__table_free(&t->pair_ix);
    sk__strtab_free(&t->domains);
    free(t);
}

static int tun_create(void **state, const struct sk_analyzer_env *env)
{
    struct tun *t = calloc(1, sizeof *t);
    int rc;
    if (!t)
        return -SK_ENOMEM;
    t->conf = &env->conf->detect;
    t->intel = env->intel;
    t->wl = env->warninglists;
    t->seed = sk_hash_seed();
    if ((rc = sk__table_init(&t->host_ix, 256)) < 0 || (rc = sk__table_init(&t->pair_ix, 1024)) < 0 ||
        (rc = sk__strtab_init(&t->domains, t->conf->max_pairs)) < 0) {
        tun_destroy(t);
        return rc;
    }
    *state = t;
    return 0;
}

const struct sk_analyzer_ops sk__an_dnstunnel = {
    .name = "dnstunnel",
    .api = SK_ANALYZER_API,
    .desc = "data tunnelled through DNS names (many long, random subdomains; TXT/NULL)",
    .create = tun_create,
    .feed = tun_feed,
    .flush = tun_flush,
    .destroy = tun_destroy,
};
