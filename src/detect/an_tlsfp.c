/*
 * an_tlsfp.c — the "tlsfp" analyzer: TLS clients whose fingerprint intel
 * knows as malware's.
 *
 * Every TLS event's JA3 and JA4 (sense/tls.c) are looked up among the hash
 * indicators (sk_intel_match_hash); a hit is held per (client, server,
 * fingerprint) with its count, times, the SNI seen and the indicator's
 * sources. The detection carries the malware family: the labels of the
 * sources (a feed such as abuse.ch SSLBL names the family per fingerprint),
 * else their description. Score: the indicator's confidence (0–100) / 100,
 * at least 0.5 — a known-bad client fingerprint is strong evidence, but
 * fingerprints are shared by every program built on the same TLS library, so
 * it is not certainty — then scoring.c's modifiers (the intel hit is the
 * detection itself and is not counted twice).
 * Memory: held hits ≤ detect.max_pairs.
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
#include "sakimori/intel.h"
#include "sakimori/log.h"

#define MAXM 8

struct fphit {
    struct sk_addr client, server;
    uint16_t dport;
    uint8_t kind; /* SK_IOC_JA3 or SK_IOC_JA4 */
    uint8_t dirty;
    const struct sk_indicator *ind;
    uint32_t sni; /* name id + 1, 0 none */
    uint64_t count;
    sk_nstime first, last;
};

struct tlsfp {
    const struct sk_conf_detect *conf;
    const struct sk_intel *intel;
    struct sk__table ix;
    struct fphit *hits;
    uint32_t n, cap;
    struct sk__strtab names;
    uint64_t seed, refused;
    const struct fphit *key;
};

static int eq(const void *ctx, uint32_t i)
{
    const struct tlsfp *t = ctx;
    const struct fphit *a = &t->hits[i], *b = t->key;
    return a->ind == b->ind && a->dport == b->dport && sk_addr_eq(&a->client, &b->client) &&
           sk_addr_eq(&a->server, &b->server);
}

static int hold(struct tlsfp *t, const struct sk_event *ev, const struct sk_indicator *ind, uint8_t kind)
{
    struct fphit k = {.client = ev->src, .server = ev->dst, .dport = ev->dport, .ind = ind};
    uint64_t h = sk_hash64(ev->src.b, 16, t->seed ^ (uintptr_t)ind);
    h = sk_hash64(ev->dst.b, 16, h ^ ev->dport);
    uint32_t slot;
    int64_t i;
    int rc;

    t->key = &k;
    if ((i = sk__table_find(&t->ix, h, eq, t, &slot)) < 0) {
        if (t->n >= t->conf->max_pairs) {
            t->refused++;
            return 0;
        }
        if (t->n == t->cap) {
            uint32_t nc = t->cap ? t->cap * 2 : 64;
            struct fphit *nv = realloc(t->hits, nc * sizeof *nv);
            if (!nv)
                return -SK_ENOMEM;
            t->hits = nv;
            t->cap = nc;
        }
        k.kind = kind;
        k.first = ev->ts;
        t->hits[t->n] = k;
        if ((rc = sk__table_put(&t->ix, slot, h, t->n)) < 0)
            return rc;
        i = t->n++;
    }
    struct fphit *f = &t->hits[i];
    f->count++;
    f->last = ev->ts;
    f->dirty = 1;
    if (ev->u.tls.sni && *ev->u.tls.sni) {
        int64_t id = sk__strtab_intern(&t->names, ev->u.tls.sni, strlen(ev->u.tls.sni));
        if (id == -SK_ENOMEM)
            return (int)id;
        if (id >= 0)
            f->sni = (uint32_t)id + 1;
    }
    return 0;
}

static int tlsfp_feed(void *state, const struct sk_event *ev, sk_finding_fn emit, void *ctx)
{
    struct tlsfp *t = state;
    const struct sk_indicator *m[MAXM];
    int rc;

    if (ev->kind != SK_EVENT_TLS || !t->intel || !sk_intel_count(t->intel))
        return 0;
    static const uint8_t kinds[] = {SK_IOC_JA3, SK_IOC_JA4};
    const char *vals[] = {ev->u.tls.ja3, ev->u.tls.ja4};
    for (int k = 0; k < 2; k++) {
        if (!vals[k] || !*vals[k])
            continue;
        size_t n = sk_intel_match_hash(t->intel, (enum sk_ioc_type)kinds[k], vals[k], m, MAXM);
        for (size_t i = 0; i < n && i < MAXM; i++)
            if ((rc = hold(t, ev, m[i], kinds[k])) < 0)
                return rc;
    }
    return 0;
}

static int report(struct tlsfp *t, const struct fphit *f, sk_finding_fn emit, void *ctx)
{
    json_t *ev = json_object(), *fam = json_array(), *srcs = json_array();
    struct sk_finding fi;
    int rc;

    if (!ev || !fam || !srcs) {
        json_decref(ev);
        json_decref(fam);
        json_decref(srcs);
        return -SK_ENOMEM;
    }
    json_object_set_new(ev, "fingerprint", json_string(f->kind == SK_IOC_JA3 ? "ja3" : "ja4"));
    json_object_set_new(ev, "value", json_string(f->ind->value));
    const struct sk_ioc_source *s0 = NULL;
    for (size_t i = 0; i < f->ind->nsources; i++) {
        const struct sk_ioc_source *s = sk_intel_source(t->intel, f->ind, i);
        if (!s)
            break;
        if (!s0)
            s0 = s;
        json_array_append_new(srcs, json_string(s->name ? s->name : ""));
        for (size_t l = 0; s->labels && s->labels[l]; l++)
            json_array_append_new(fam, json_string(s->labels[l]));
        if ((!s->labels || !s->labels[0]) && s->description)
            json_array_append_new(fam, json_string(s->description));
    }
    json_object_set_new(ev, "family", fam);
    json_object_set_new(ev, "sources", srcs);
    json_object_set_new(ev, "handshakes", json_integer((json_int_t)f->count));
    if (f->sni)
        json_object_set_new(ev, "sni", json_string(sk__strtab_str(&t->names, f->sni - 1)));
    double base = f->ind->confidence / 100.0;
    if (base < 0.5)
        base = 0.5;
    json_object_set_new(ev, "base_score", json_real(base));
    struct sk__mod_in mi = {0};
    double score = sk__score_modify(base, &mi, ev);
    char *evs = sk__evidence_take(ev);
    if (!evs)
        return -SK_ENOMEM;
    memset(&fi, 0, sizeof fi);
    fi.type = SK_FINDING_DETECTION;
    fi.proto = 6;
    fi.src = f->client;
    fi.dst = f->server;
    fi.dport = f->dport;
    fi.ts_first = f->first;
    fi.ts_last = f->last;
    fi.name = f->sni ? sk__strtab_str(&t->names, f->sni - 1) : NULL;
    fi.indicator.value = f->ind->value;
    fi.indicator.type = sk_ioc_type_name((enum sk_ioc_type)f->ind->type);
    fi.indicator.source = s0 && s0->name ? s0->name : NULL;
    fi.indicator.confidence = f->ind->confidence;
    fi.count = f->count;
    fi.analyzer = "tlsfp";
    fi.score = round(score * 1000) / 1000;
    fi.evidence_json = evs;
    rc = emit(ctx, &fi);
    free(evs);
    return rc;
}

static int tlsfp_flush(void *state, sk_nstime now, int final, sk_finding_fn emit, void *ctx)
{
    struct tlsfp *t = state;
    int rc;
    for (uint32_t i = 0; i < t->n; i++) {
        struct fphit *f = &t->hits[i];
        if (!final && !f->dirty)
            continue;
        f->dirty = 0;
        if ((rc = report(t, f, emit, ctx)) < 0)
            return rc;
    }
    if (final && t->refused)
        sk_warn("detect", "tlsfp: %llu handshakes beyond detect.max_pairs were not held",
                (unsigned long long)t->refused);
    return 0;
}

static void tlsfp_destroy(void *state)
{
    struct tlsfp *t = state;
    if (!t)
        return;
    sk__table_free(&t->ix);
    sk__strtab_free(&t->names);
    free(t->hits);
    free(t);
}

static int tlsfp_create(void **state, const struct sk_analyzer_env *env)
{
    struct tlsfp *t = calloc(1, sizeof *t);
    int rc;
    if (!t)
        return -SK_ENOMEM;
    t->conf = &env->conf->detect;
    t->intel = env->intel;
    t->seed = sk_hash_seed();
    if ((rc = sk__table_init(&t->ix, 64)) < 0 ||
        (rc = sk__strtab_init(&t->names, t->conf->max_pairs)) < 0) {
        tlsfp_destroy(t);
        return rc;
    }
    *state = t;
    return 0;
}

const struct sk_analyzer_ops sk__an_tlsfp = {
    .name = "tlsfp",
    .api = SK_ANALYZER_API,
    .desc = "TLS client fingerprints (JA3, JA4) intel knows as malware's, with the family",
    .create = tlsfp_create,
    .feed = tlsfp_feed,
    .flush = tlsfp_flush,
    .destroy = tlsfp_destroy,
};
