/*
 * findset.c — merge, rank and serialise findings.
 *
 * Findings are copied into the set's arena and indexed by a hash of their
 * identity (type, analyzer, 5-tuple, name, indicator value and source) in an
 * open-addressing table; a repeat merges into the existing entry. Sorting
 * happens once, on demand.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/arena.h"
#include "sakimori/error.h"
#include "sakimori/event.h"
#include "sakimori/finding.h"
#include "sakimori/hash.h"

struct sk_findset {
    struct sk_arena arena;
    struct sk_finding **v;
    size_t n, cap;
    uint32_t *slots; /* index + 1 */
    uint32_t mask;
    uint64_t seed;
    int sorted;
};

int sk_findset_new(struct sk_findset **out)
{
    struct sk_findset *fs = calloc(1, sizeof *fs);
    if (!fs)
        return -SK_ENOMEM;
    sk_arena_init(&fs->arena, 64 * 1024, 0);
    fs->mask = 255;
    fs->slots = calloc(256, sizeof *fs->slots);
    if (!fs->slots) {
        free(fs);
        return -SK_ENOMEM;
    }
    fs->seed = sk_hash_seed();
    *out = fs;
    return 0;
}

void sk_findset_free(struct sk_findset *fs)
{
    if (!fs)
        return;
    sk_arena_free(&fs->arena);
    free(fs->v);
    free(fs->slots);
    free(fs);
}

size_t sk_findset_count(const struct sk_findset *fs) { return fs->n; }

static int streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static uint64_t str_hash(const char *s, uint64_t seed)
{
    return s ? sk_hash64(s, strlen(s), seed) : seed;
}

static uint64_t identity_hash(const struct sk_finding *f, uint64_t seed)
{
    uint64_t h = sk_hash64(f->src.b, 16, seed ^ f->type);
    h = sk_hash64(f->dst.b, 16, h ^ ((uint64_t)f->sport << 16 | f->dport));
    h ^= (uint64_t)f->proto << 40 | (uint64_t)f->src.family << 48 | (uint64_t)f->dst.family << 56;
    h = str_hash(f->name, h);
    h = str_hash(f->indicator.value, h);
    h = str_hash(f->indicator.source, h);
    return str_hash(f->analyzer, h);
}

static int same_identity(const struct sk_finding *a, const struct sk_finding *b)
{
    return a->type == b->type && a->proto == b->proto && a->sport == b->sport &&
           a->dport == b->dport && sk_addr_eq(&a->src, &b->src) &&
           sk_addr_eq(&a->dst, &b->dst) && streq(a->name, b->name) &&
           streq(a->indicator.value, b->indicator.value) &&
           streq(a->indicator.source, b->indicator.source) && streq(a->analyzer, b->analyzer);
}

static const char *dup(struct sk_arena *ar, const char *s)
{
    return s ? sk_arena_strdup(ar, s) : NULL;
}

static int grow(struct sk_findset *fs)
{
    size_t nslots = ((size_t)fs->mask + 1) * 2;
    uint32_t *ns = calloc(nslots, sizeof *ns);
    if (!ns)
        return -SK_ENOMEM;
    for (size_t i = 0; i < fs->n; i++) {
        uint32_t s = (uint32_t)identity_hash(fs->v[i], fs->seed) & (uint32_t)(nslots - 1);
        while (ns[s])
            s = (s + 1) & (uint32_t)(nslots - 1);
        ns[s] = (uint32_t)i + 1;
    }
    free(fs->slots);
    fs->slots = ns;
    fs->mask = (uint32_t)(nslots - 1);
    return 0;
}

int sk_findset_add(void *ctx, const struct sk_finding *f)
{
    struct sk_findset *fs = ctx;
    uint32_t s = (uint32_t)identity_hash(f, fs->seed) & fs->mask;
    int rc;

    for (; fs->slots[s]; s = (s + 1) & fs->mask) {
        struct sk_finding *e = fs->v[fs->slots[s] - 1];
        if (!same_identity(e, f))
            continue;
        if (f->type == SK_FINDING_SIGHTING) {
            e->count += f->count;
            if (f->ts_first < e->ts_first)
                e->ts_first = f->ts_first;
            if (f->ts_last > e->ts_last)
                e->ts_last = f->ts_last;
        } else {
            /* a newer report on the same subject replaces the older one */
            e->score = f->score;
            e->count = f->count;
            e->ts_first = f->ts_first < e->ts_first ? f->ts_first : e->ts_first;
            e->ts_last = f->ts_last > e->ts_last ? f->ts_last : e->ts_last;
            if (f->evidence_json && !(e->evidence_json = dup(&fs->arena, f->evidence_json)))
                return -SK_ENOMEM;
        }
        fs->sorted = 0;
        return 0;
    }
    if (fs->n == fs->cap) {
        size_t ncap = fs->cap ? fs->cap * 2 : 256;
        struct sk_finding **nv = realloc(fs->v, ncap * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        fs->v = nv;
        fs->cap = ncap;
    }
    struct sk_finding *e = sk_arena_alloc(&fs->arena, sizeof *e);
    if (!e)
        return -SK_ENOMEM;
    *e = *f;
    e->name = dup(&fs->arena, f->name);
    e->indicator.value = dup(&fs->arena, f->indicator.value);
    e->indicator.type = dup(&fs->arena, f->indicator.type);
    e->indicator.source = dup(&fs->arena, f->indicator.source);
    e->indicator.field = dup(&fs->arena, f->indicator.field);
    e->indicator.sources_json = dup(&fs->arena, f->indicator.sources_json);
    e->warninglists_json = dup(&fs->arena, f->warninglists_json);
    e->analyzer = dup(&fs->arena, f->analyzer);
    e->evidence_json = dup(&fs->arena, f->evidence_json);
    if ((f->indicator.field && !e->indicator.field) ||
        (f->indicator.sources_json && !e->indicator.sources_json) ||
        (f->warninglists_json && !e->warninglists_json))
        return -SK_ENOMEM;
    if ((f->name && !e->name) || (f->indicator.value && !e->indicator.value) ||
        (f->analyzer && !e->analyzer) || (f->evidence_json && !e->evidence_json))
        return -SK_ENOMEM;
    fs->v[fs->n++] = e;
    fs->slots[s] = (uint32_t)fs->n;
    fs->sorted = 0;
    if (fs->n * 2 > fs->mask && (rc = grow(fs)) < 0)
        return rc;
    return 0;
}

static int rank(const void *pa, const void *pb)
{
    const struct sk_finding *a = *(const struct sk_finding *const *)pa;
    const struct sk_finding *b = *(const struct sk_finding *const *)pb;

    if (a->type != b->type)
        return a->type == SK_FINDING_DETECTION ? -1 : 1;
    if (a->type == SK_FINDING_DETECTION && a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->ts_first != b->ts_first)
        return a->ts_first < b->ts_first ? -1 : 1;
    int c = sk_addr_cmp(&a->src, &b->src);
    if (c)
        return c;
    if (a->sport != b->sport)
        return a->sport < b->sport ? -1 : 1;
    if ((c = sk_addr_cmp(&a->dst, &b->dst)))
        return c;
    if (a->dport != b->dport)
        return a->dport < b->dport ? -1 : 1;
    return strcmp(a->indicator.value ? a->indicator.value : "",
                  b->indicator.value ? b->indicator.value : "");
}

const struct sk_finding *const *sk_findset_sorted(struct sk_findset *fs, size_t *n)
{
    if (!fs->sorted && fs->n > 1) {
        /* the slots index positions: rebuild it after reordering */
        qsort(fs->v, fs->n, sizeof *fs->v, rank);
        memset(fs->slots, 0, ((size_t)fs->mask + 1) * sizeof *fs->slots);
        for (size_t i = 0; i < fs->n; i++) {
            uint32_t s = (uint32_t)identity_hash(fs->v[i], fs->seed) & fs->mask;
            while (fs->slots[s])
                s = (s + 1) & fs->mask;
            fs->slots[s] = (uint32_t)i + 1;
        }
    }
    fs->sorted = 1;
    *n = fs->n;
    return (const struct sk_finding *const *)fs->v;
}

const char *sk_finding_type_name(enum sk_finding_type t)
{
    return t == SK_FINDING_DETECTION ? "detection" : "sighting";
}

int sk_finding_json(const struct sk_finding *f, struct sk_buf *out)
{
    char a[SK_ADDR_STRLEN], t1[SK_RFC3339_LEN], t2[SK_RFC3339_LEN], pb[8];
    json_t *o = json_object(), *ind;
    int rc = -SK_ENOMEM;

    if (!o)
        return -SK_ENOMEM;
    json_object_set_new(o, "type", json_string(sk_finding_type_name(f->type)));
    json_object_set_new(o, "ts_first", json_string(sk_rfc3339(f->ts_first, t1, sizeof t1)));
    json_object_set_new(o, "ts_last", json_string(sk_rfc3339(f->ts_last, t2, sizeof t2)));
    json_object_set_new(o, "src_ip", f->src.family ? json_string(sk_addr_fmt(&f->src, a, sizeof a)) : json_null());
    json_object_set_new(o, "src_port", json_integer(f->sport));
    json_object_set_new(o, "dst_ip", f->dst.family ? json_string(sk_addr_fmt(&f->dst, a, sizeof a)) : json_null());
    json_object_set_new(o, "dst_port", json_integer(f->dport));
    json_object_set_new(o, "proto", json_string(sk_proto_name(f->proto, pb, sizeof pb)));
    json_object_set_new(o, "name", f->name ? json_string(f->name) : json_null());
    if (f->indicator.value) {
        ind = json_object();
        json_object_set_new(ind, "value", json_string(f->indicator.value));
        json_object_set_new(ind, "type", json_string(f->indicator.type ? f->indicator.type : ""));
        json_object_set_new(ind, "source", json_string(f->indicator.source ? f->indicator.source : ""));
        json_object_set_new(ind, "confidence", json_integer(f->indicator.confidence));
        if (f->indicator.field)
            json_object_set_new(ind, "field", json_string(f->indicator.field));
        json_t *srcs = f->indicator.sources_json ? json_loads(f->indicator.sources_json, 0, NULL) : NULL;
        if (srcs)
            json_object_set_new(ind, "sources", srcs);
        json_object_set_new(o, "indicator", ind);
    } else {
        json_object_set_new(o, "indicator", json_null());
    }
    json_object_set_new(o, "count", json_integer((json_int_t)f->count));
    if (f->type == SK_FINDING_DETECTION) {
        json_t *ev = NULL;
        json_object_set_new(o, "analyzer", json_string(f->analyzer ? f->analyzer : ""));
        json_object_set_new(o, "score", json_real(f->score));
        if (f->evidence_json)
            ev = json_loads(f->evidence_json, 0, NULL);
        json_object_set_new(o, "evidence", ev ? ev : json_object());
    }
    if (f->type == SK_FINDING_SIGHTING) {
        json_t *wl = f->warninglists_json ? json_loads(f->warninglists_json, 0, NULL) : NULL;
        json_object_set_new(o, "warninglists", wl ? wl : json_array());
    }
    json_object_set_new(o, "privacy", json_string(sk_privacy_name(f->privacy)));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (s) {
        rc = sk_buf_puts(out, s);
        free(s);
    }
    json_decref(o);
    return rc;
}
