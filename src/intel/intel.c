/*
 * intel.c — the indicator builder and the snapshot it freezes into.
 *
 * Builder. Indicators live in one array of 16-byte struct sk_indicator whose
 * values are copied into an arena; an open-addressing table keyed by (type,
 * canonical value) merges repeats into one indicator. Each source assertion
 * (struct sk_ioc_source) is interned — hashed by content and stored once —
 * so a feed of a million values with the same metadata costs one record. An
 * indicator with one source points at its record directly; a second source
 * turns that into a chain (the same source again merges into its record:
 * highest confidence, widest validity, union of labels).
 *
 * Snapshot. Freezing reuses all of that (nothing is copied) and adds the
 * matchers:
 *   IPv4 / IPv6 prefixes  lpm4.c (DIR-24 + chunks) / lpm6.c (DXR), with
 *                         parent links for "every containing prefix";
 *   names                 domset.c (exact + parents, registered-domain bound);
 *   URLs, hashes          the builder's (type, value) table, kept as is.
 * Multi-source chains become sorted arrays (highest confidence first).
 * Snapshot memory for 10 M mixed indicators: ~16 B per indicator + its value
 * text + the matchers (lpm.h, domset.c); see docs/PERFORMANCE.md.
 *
 * Matching never allocates and never locks; the batch functions pipeline
 * their lookups with prefetches.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "intel/domset.h"
#include "intel/intel-int.h"
#include "intel/lpm.h"
#include "sakimori/addr.h"
#include "sakimori/arena.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"
#include "sakimori/intel.h"

#define NIL UINT32_MAX
#define VALUE_MAX 8192
#define MAX_SOURCES 255

struct link {
    uint32_t rec;
    uint32_t next;
};

struct sk_intel_builder {
    struct sk_arena arena;
    struct sk__strpool values;
    struct sk_indicator *v;
    size_t n, cap;
    uint64_t *slots; /* (hash tag << 32) | (indicator index + 1) */
    size_t mask;
    struct link *links;
    size_t nlinks, caplinks;
    struct sk_ioc_source *recs;
    size_t nrecs, caprecs;
    uint32_t *rslots; /* record index + 1 */
    size_t rmask;
    uint32_t last_rec; /* the record interned last + 1: feeds repeat their metadata */
    uint64_t seed;
};

/* --- growing arrays and tables -------------------------------------------- */

static int grow(void **v, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : first;
    void *nv = realloc(*v, ncap * elem);
    if (!nv)
        return -SK_ENOMEM;
    *v = nv;
    *cap = ncap;
    return 0;
}

static uint64_t key_hash(uint64_t seed, uint8_t type, const char *value, size_t len)
{
    return sk_hash64(value, len, seed ^ ((uint64_t)type * 0x9e3779b97f4a7c15ULL));
}

/* The slot of (type, value) in the builder's table: the matching one, or
 * the empty one where it would go. Each slot keeps the top 32 bits of the
 * key's hash: its low bits are the home position (so growing the table
 * needs no string) and the rest a tag that spares most string comparisons
 * (and the cache misses they cost). */
static size_t ioc_slot(const uint64_t *slots, size_t mask, const struct sk_indicator *v,
                       uint64_t h, uint8_t type, const char *value, size_t len)
{
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t s = tag & mask;; s = (s + 1) & mask) {
        uint64_t x = slots[s];
        if (!x)
            return s;
        if ((uint32_t)(x >> 32) != tag)
            continue;
        const struct sk_indicator *e = &v[(uint32_t)x - 1];
        if (e->type == type && strncmp(e->value, value, len) == 0 && e->value[len] == '\0')
            return s;
    }
}

static int rehash_iocs(struct sk_intel_builder *b)
{
    size_t nslots = b->slots ? (b->mask + 1) * 2 : 1024;
    uint64_t *ns = calloc(nslots, sizeof *ns);
    if (!ns)
        return -SK_ENOMEM;
    if (nslots - 1 > UINT32_MAX) {
        free(ns);
        return -SK_ETOOBIG;
    }
    for (size_t i = 0; b->slots && i <= b->mask; i++) {
        uint64_t x = b->slots[i];
        if (!x)
            continue;
        size_t s = (x >> 32) & (nslots - 1);
        while (ns[s])
            s = (s + 1) & (nslots - 1);
        ns[s] = x;
    }
    free(b->slots);
    b->slots = ns;
    b->mask = nslots - 1;
    return 0;
}

/* --- interned source records ----------------------------------------------- */

static int streq0(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static uint64_t str_hash(const char *s, uint64_t h)
{
    return s ? sk_hash64(s, strlen(s), h) : h ^ 0x51ed27;
}

static uint64_t rec_hash(const struct sk_ioc_source *r, uint64_t seed)
{
    uint64_t h = str_hash(r->name, seed);
    h = str_hash(r->stix_id, h);
    h = str_hash(r->description, h);
    for (const char *const *l = r->labels; l && *l; l++)
        h = str_hash(*l, h);
    uint64_t nums[5] = {r->valid_from, r->valid_until, r->first_seen, r->last_seen,
                        (uint64_t)r->confidence << 8 | r->tlp};
    return sk_hash64(nums, sizeof nums, h);
}

static int labels_eq(const char *const *a, const char *const *b)
{
    if (!a || !*a)
        return !b || !*b;
    if (!b)
        return 0;
    for (; *a && *b; a++, b++)
        if (strcmp(*a, *b) != 0)
            return 0;
    return !*a && !*b;
}

static int rec_eq(const struct sk_ioc_source *a, const struct sk_ioc_source *b)
{
    return a->confidence == b->confidence && a->tlp == b->tlp && a->valid_from == b->valid_from &&
           a->valid_until == b->valid_until && a->first_seen == b->first_seen &&
           a->last_seen == b->last_seen && streq0(a->name, b->name) &&
           streq0(a->stix_id, b->stix_id) && streq0(a->description, b->description) &&
           labels_eq(a->labels, b->labels);
}

static const char *adup(struct sk_arena *ar, const char *s, int *fail)
{
    if (!s)
        return NULL;
    const char *d = sk_arena_strdup(ar, s);
    if (!d)
        *fail = 1;
    return d;
}

static int rehash_recs(struct sk_intel_builder *b)
{
    size_t nslots = b->rslots ? (b->rmask + 1) * 2 : 256;
    uint32_t *ns = calloc(nslots, sizeof *ns);
    if (!ns)
        return -SK_ENOMEM;
    for (size_t i = 0; i < b->nrecs; i++) {
        size_t s = rec_hash(&b->recs[i], b->seed) & (nslots - 1);
        while (ns[s])
            s = (s + 1) & (nslots - 1);
        ns[s] = (uint32_t)i + 1;
    }
    free(b->rslots);
    b->rslots = ns;
    b->rmask = nslots - 1;
    return 0;
}

static int intern_slow(struct sk_intel_builder *b, const struct sk_ioc_source *r, uint32_t *out);

/* Index of the interned copy of r (strings copied on first sight). */
static int intern(struct sk_intel_builder *b, const struct sk_ioc_source *r, uint32_t *out)
{
    int rc;

    if (b->last_rec && rec_eq(&b->recs[b->last_rec - 1], r)) {
        *out = b->last_rec - 1;
        return 0;
    }
    rc = intern_slow(b, r, out);
    if (rc == 0)
        b->last_rec = *out + 1;
    return rc;
}

static int intern_slow(struct sk_intel_builder *b, const struct sk_ioc_source *r, uint32_t *out)
{
    int rc, fail = 0;

    if ((b->nrecs + 1) * 2 > (b->rslots ? b->rmask + 1 : 0) && (rc = rehash_recs(b)) < 0)
        return rc;
    size_t s = rec_hash(r, b->seed) & b->rmask;
    for (; b->rslots[s]; s = (s + 1) & b->rmask) {
        if (rec_eq(&b->recs[b->rslots[s] - 1], r)) {
            *out = b->rslots[s] - 1;
            return 0;
        }
    }
    if (b->nrecs >= NIL - 1)
        return -SK_ETOOBIG;
    if ((rc = grow((void **)&b->recs, &b->caprecs, b->nrecs, sizeof *b->recs, 64)) < 0)
        return rc;
    struct sk_ioc_source c = *r;
    c.name = adup(&b->arena, r->name ? r->name : "", &fail);
    c.stix_id = adup(&b->arena, r->stix_id, &fail);
    c.description = adup(&b->arena, r->description, &fail);
    c.labels = NULL;
    if (r->labels && r->labels[0]) {
        size_t nl = 0;
        while (r->labels[nl])
            nl++;
        const char **l = sk_arena_alloc(&b->arena, (nl + 1) * sizeof *l);
        if (!l)
            return -SK_ENOMEM;
        for (size_t i = 0; i < nl; i++)
            l[i] = adup(&b->arena, r->labels[i], &fail);
        l[nl] = NULL;
        c.labels = l;
    }
    if (fail)
        return -SK_ENOMEM;
    b->recs[b->nrecs] = c;
    b->rslots[s] = (uint32_t)++b->nrecs;
    *out = (uint32_t)b->nrecs - 1;
    return 0;
}

static sk_nstime min_bound(sk_nstime a, sk_nstime b) { return !a || !b ? 0 : a < b ? a : b; }
static sk_nstime max_bound(sk_nstime a, sk_nstime b) { return !a || !b ? 0 : a > b ? a : b; }
static sk_nstime min_known(sk_nstime a, sk_nstime b) { return !a ? b : !b ? a : a < b ? a : b; }
static sk_nstime max_known(sk_nstime a, sk_nstime b) { return a > b ? a : b; }

/* The same source asserting the same value twice: one assertion. */
static int merge_rec(struct sk_intel_builder *b, uint32_t old, const struct sk_ioc_source *nw,
                     uint32_t *out)
{
    const struct sk_ioc_source *o = &b->recs[old];
    struct sk_ioc_source m = *o;
    const char *labels[64];
    size_t nl = 0;

    m.confidence = o->confidence > nw->confidence ? o->confidence : nw->confidence;
    m.tlp = o->tlp > nw->tlp ? o->tlp : nw->tlp;
    m.valid_from = min_bound(o->valid_from, nw->valid_from);
    m.valid_until = max_bound(o->valid_until, nw->valid_until);
    m.first_seen = min_known(o->first_seen, nw->first_seen);
    m.last_seen = max_known(o->last_seen, nw->last_seen);
    if (!m.stix_id)
        m.stix_id = nw->stix_id;
    if (!m.description)
        m.description = nw->description;
    for (const char *const *l = o->labels; l && *l && nl < 63; l++)
        labels[nl++] = *l;
    for (const char *const *l = nw->labels; l && *l && nl < 63; l++) {
        size_t k = 0;
        while (k < nl && strcmp(labels[k], *l) != 0)
            k++;
        if (k == nl)
            labels[nl++] = *l;
    }
    labels[nl] = NULL;
    m.labels = nl ? labels : NULL;
    return intern(b, &m, out);
}

/* --- value strings ------------------------------------------------------------ */

#define STRCHUNK (32u << 20)

struct sk__strchunk {
    struct sk__strchunk *next;
    size_t size;
    char data[];
};

char *sk__strpool_dup(struct sk__strpool *p, const char *s, size_t len)
{
    if (!p->head || p->used + len + 1 > p->cap) {
        size_t size = STRCHUNK > len + 1 + sizeof(struct sk__strchunk) ? STRCHUNK
                                                                        : len + 1 + sizeof(struct sk__strchunk);
        struct sk__strchunk *c = sk__big_alloc(size);
        if (!c)
            return NULL;
        c->next = p->head;
        c->size = size;
        p->head = c;
        p->used = 0;
        p->cap = size - sizeof *c;
    }
    char *d = p->head->data + p->used;
    memcpy(d, s, len);
    d[len] = '\0';
    p->used += len + 1;
    return d;
}

void sk__strpool_free(struct sk__strpool *p)
{
    for (struct sk__strchunk *c = p->head, *next; c; c = next) {
        next = c->next;
        sk__big_free(c, c->size);
    }
    p->head = NULL;
}

/* --- builder ----------------------------------------------------------------- */

int sk_intel_builder_new(struct sk_intel_builder **out)
{
    struct sk_intel_builder *b = calloc(1, sizeof *b);
    if (!b)
        return -SK_ENOMEM;
    sk_arena_init(&b->arena, 1 << 20, 0);
    b->seed = sk_hash_seed();
    *out = b;
    return 0;
}

void sk_intel_builder_free(struct sk_intel_builder *b)
{
    if (!b)
        return;
    sk_arena_free(&b->arena);
    sk__strpool_free(&b->values);
    free(b->v);
    free(b->slots);
    free(b->links);
    free(b->recs);
    free(b->rslots);
    free(b);
}

size_t sk_intel_builder_count(const struct sk_intel_builder *b) { return b ? b->n : 0; }

int sk_intel_builder_add_record(struct sk_intel_builder *b, const struct sk_ioc_record *r)
{
    char canon[VALUE_MAX];
    enum sk_ioc_type type = (enum sk_ioc_type)r->type;
    uint32_t rec;
    int rc;

    if (!r->value || (rc = sk_ioc_canon(&type, r->value, canon, sizeof canon, NULL, 0)) < 0)
        return -SK_EPARSE;
    if (r->src.confidence > 100 || r->src.tlp > SK_IOC_TLP_RED)
        return -SK_EINVAL;
    size_t len = strlen(canon);
    if ((b->n + 1) * 4 > (b->slots ? b->mask + 1 : 0) * 3 && (rc = rehash_iocs(b)) < 0)
        return rc;
    uint64_t h = key_hash(b->seed, (uint8_t)type, canon, len);
    size_t s = ioc_slot(b->slots, b->mask, b->v, h, (uint8_t)type, canon, len);
    if (!b->slots[s]) {
        if (b->n >= (1u << 29))
            return -SK_ETOOBIG;
        if ((rc = intern(b, &r->src, &rec)) < 0 ||
            (rc = grow((void **)&b->v, &b->cap, b->n, sizeof *b->v, 1024)) < 0)
            return rc;
        const char *v = sk__strpool_dup(&b->values, canon, len);
        if (!v)
            return -SK_ENOMEM;
        b->v[b->n] = (struct sk_indicator){.value = v, .src = rec, .type = (uint8_t)type,
                                           .confidence = r->src.confidence, .tlp = r->src.tlp,
                                           .nsources = 1};
        b->slots[s] = (h >> 32) << 32 | (uint64_t)++b->n;
        return 0;
    }
    struct sk_indicator *e = &b->v[(uint32_t)b->slots[s] - 1];
    const char *name = r->src.name ? r->src.name : "";
    if (e->nsources == 1) {
        if (strcmp(b->recs[e->src].name, name) == 0)
            return merge_rec(b, e->src, &r->src, &e->src);
        if ((rc = intern(b, &r->src, &rec)) < 0 ||
            (rc = grow((void **)&b->links, &b->caplinks, b->nlinks + 1, sizeof *b->links, 256)) < 0)
            return rc;
        b->links[b->nlinks] = (struct link){.rec = e->src, .next = NIL};
        b->links[b->nlinks + 1] = (struct link){.rec = rec, .next = (uint32_t)b->nlinks};
        e->src = (uint32_t)b->nlinks + 1;
        b->nlinks += 2;
        e->nsources = 2;
        return 0;
    }
    for (uint32_t l = e->src; l != NIL; l = b->links[l].next)
        if (strcmp(b->recs[b->links[l].rec].name, name) == 0)
            return merge_rec(b, b->links[l].rec, &r->src, &b->links[l].rec);
    if (e->nsources == MAX_SOURCES)
        return -SK_ETOOBIG;
    if ((rc = intern(b, &r->src, &rec)) < 0 ||
        (rc = grow((void **)&b->links, &b->caplinks, b->nlinks, sizeof *b->links, 256)) < 0)
        return rc;
    b->links[b->nlinks] = (struct link){.rec = rec, .next = e->src};
    e->src = (uint32_t)b->nlinks++;
    e->nsources++;
    return 0;
}

int sk_intel_builder_add(struct sk_intel_builder *b, enum sk_ioc_type type, const char *value,
                         const char *source, uint8_t confidence)
{
    struct sk_ioc_record r = {.type = (uint8_t)type, .value = value,
                              .src = {.name = source, .confidence = confidence}};
    return sk_intel_builder_add_record(b, &r);
}

/* --- snapshot ----------------------------------------------------------------- */

static int rec_rank(const void *pa, const void *pb, void *arg)
{
    const struct sk_ioc_source *recs = arg;
    const struct sk_ioc_source *a = &recs[*(const uint32_t *)pa], *b = &recs[*(const uint32_t *)pb];
    if (a->confidence != b->confidence)
        return a->confidence > b->confidence ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Least restrictive of the marked sources; unmarked when none is marked. */
static uint8_t share_tlp(uint8_t cur, uint8_t t)
{
    if (t == SK_IOC_TLP_UNMARKED)
        return cur;
    return cur == SK_IOC_TLP_UNMARKED || t < cur ? t : cur;
}

static int build_multi(struct sk_intel *in, const struct link *links)
{
    size_t total = 0;
    for (size_t i = 0; i < in->n; i++)
        if (in->v[i].nsources > 1)
            total += in->v[i].nsources;
    if (total && !(in->multi = malloc(total * sizeof *in->multi)))
        return -SK_ENOMEM;
    size_t off = 0;
    for (size_t i = 0; i < in->n; i++) {
        struct sk_indicator *e = &in->v[i];
        if (e->nsources == 1) {
            e->confidence = in->recs[e->src].confidence;
            e->tlp = in->recs[e->src].tlp;
            continue;
        }
        size_t k = 0;
        for (uint32_t l = e->src; l != NIL; l = links[l].next)
            in->multi[off + k++] = links[l].rec;
        qsort_r(in->multi + off, k, sizeof *in->multi, rec_rank, in->recs);
        e->src = (uint32_t)off;
        e->confidence = in->recs[in->multi[off]].confidence;
        e->tlp = SK_IOC_TLP_UNMARKED;
        for (size_t j = 0; j < k; j++)
            e->tlp = share_tlp(e->tlp, in->recs[in->multi[off + j]].tlp);
        off += k;
    }
    return 0;
}

static int build_lpm4(struct sk_intel *in)
{
    size_t n4 = in->count[SK_IOC_IPV4] + in->count[SK_IOC_CIDR4], k = 0;
    uint32_t *addr = NULL;
    uint8_t *len = NULL;
    int rc = -SK_ENOMEM;

    in->n4 = n4;
    if (!n4)
        return 0;
    uint32_t *id = NULL;
    if (!(addr = malloc(n4 * sizeof *addr)) || !(len = malloc(n4)) ||
        !(id = malloc(n4 * sizeof *id)))
        goto out;
    for (size_t i = 0; i < in->n; i++) {
        const struct sk_indicator *e = &in->v[i];
        struct sk_prefix p;
        unsigned l;
        if (e->type != SK_IOC_IPV4 && e->type != SK_IOC_CIDR4)
            continue;
        if (sk__fast_v4(e->value, &addr[k], &l) == 0) {
            len[k] = (uint8_t)l;
        } else if (sk_prefix_parse(e->value, &p, 0) == 0) {
            addr[k] = sk_addr_v4(&p.addr);
            len[k] = p.len;
        } else {
            rc = -SK_EINVAL;
            goto out;
        }
        id[k++] = (uint32_t)i;
    }
    rc = sk__lpm4_build(addr, len, id, n4, in->parent, &in->lpm4);
out:
    free(id);
    free(addr);
    free(len);
    return rc;
}

static inline void v6_halves(const struct sk_addr *a, uint64_t *hi, uint64_t *lo)
{
    uint64_t h, l;
    memcpy(&h, a->b, 8);
    memcpy(&l, a->b + 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    h = __builtin_bswap64(h); /* network order → host order */
    l = __builtin_bswap64(l);
#endif
    *hi = h;
    *lo = l;
}

static int build_lpm6(struct sk_intel *in)
{
    size_t n6 = in->count[SK_IOC_IPV6] + in->count[SK_IOC_CIDR6], k = 0;
    uint64_t *hi = NULL, *lo = NULL;
    uint8_t *len = NULL;
    int rc = -SK_ENOMEM;

    in->n6 = n6;
    if (!n6)
        return 0;
    uint32_t *id = NULL;
    if (!(hi = malloc(n6 * sizeof *hi)) || !(lo = malloc(n6 * sizeof *lo)) || !(len = malloc(n6)) ||
        !(id = malloc(n6 * sizeof *id)))
        goto out;
    for (size_t i = 0; i < in->n; i++) {
        const struct sk_indicator *e = &in->v[i];
        struct sk_prefix p;
        if (e->type != SK_IOC_IPV6 && e->type != SK_IOC_CIDR6)
            continue;
        if (sk_prefix_parse(e->value, &p, 0) < 0) {
            rc = -SK_EINVAL;
            goto out;
        }
        v6_halves(&p.addr, &hi[k], &lo[k]);
        len[k] = p.len;
        id[k++] = (uint32_t)i;
    }
    rc = sk__lpm6_build(hi, lo, len, id, n6, in->parent, &in->lpm6);
out:
    free(id);
    free(hi);
    free(lo);
    free(len);
    return rc;
}

static int is_other(uint8_t type) { return type >= SK_IOC_URL && type <= SK_IOC_MAX; }

static uint32_t lookup_addr(const struct sk_intel *in, const struct sk_addr *a);
static uint32_t lookup_name(const struct sk_intel *in, const char *name);

/* The indicator with this canonical (type, value), or NULL. While freezing,
 * the builder's table answers; afterwards URLs and hashes have their own
 * table and addresses and names are found through their matchers. */
static const struct sk_indicator *find_canon(const struct sk_intel *in, uint8_t type,
                                             const char *canon, size_t len)
{
    if (in->n == 0)
        return NULL;
    if (in->bslots) {
        size_t s = ioc_slot(in->bslots, in->bmask, in->v, key_hash(in->seed, type, canon, len),
                            type, canon, len);
        return in->bslots[s] ? &in->v[(uint32_t)in->bslots[s] - 1] : NULL;
    }
    if (is_other(type)) {
        if (!in->oslots)
            return NULL;
        for (size_t s = key_hash(in->seed, type, canon, len) & in->omask;; s = (s + 1) & in->omask) {
            uint32_t x = in->oslots[s];
            if (!x)
                return NULL;
            const struct sk_indicator *e = &in->v[x - 1];
            if (e->type == type && strncmp(e->value, canon, len) == 0 && e->value[len] == '\0')
                return e;
        }
    }
    const struct sk_indicator *m[160];
    size_t n = 0;
    if (type == SK_IOC_DOMAIN || type == SK_IOC_FQDN) {
        n = sk_intel_hit_expand(in, lookup_name(in, canon), m, 160);
    } else {
        struct sk_prefix p;
        if (sk_prefix_parse(canon, &p, 0) < 0)
            return NULL;
        n = sk_intel_hit_expand(in, lookup_addr(in, &p.addr), m, 160);
    }
    for (size_t i = 0; i < n && i < 160; i++)
        if (m[i]->type == type && strcmp(m[i]->value, canon) == 0)
            return m[i];
    return NULL;
}

/* The table of URLs and hashes, the only values matched by exact lookup. */
static int build_other(struct sk_intel *in)
{
    size_t no = 0, nslots = 16;
    for (int t = SK_IOC_URL; t <= SK_IOC_MAX; t++)
        no += in->count[t];
    if (!no)
        return 0;
    while (nslots < 2 * no)
        nslots *= 2;
    if (!(in->oslots = calloc(nslots, sizeof *in->oslots)))
        return -SK_ENOMEM;
    in->omask = nslots - 1;
    for (size_t i = 0; i < in->n; i++) {
        const struct sk_indicator *e = &in->v[i];
        if (!is_other(e->type))
            continue;
        size_t s = key_hash(in->seed, e->type, e->value, strlen(e->value)) & in->omask;
        while (in->oslots[s])
            s = (s + 1) & in->omask;
        in->oslots[s] = (uint32_t)i + 1;
    }
    return 0;
}

static int build_names(struct sk_intel *in)
{
    size_t nn = in->count[SK_IOC_DOMAIN] + in->count[SK_IOC_FQDN], k = 0;
    const char **names = NULL;
    uint32_t *dom = NULL, *fq = NULL;
    int rc = -SK_ENOMEM;

    if (!nn)
        return 0;
    if (!(names = malloc(nn * sizeof *names)) || !(dom = malloc(nn * sizeof *dom)) ||
        !(fq = malloc(nn * sizeof *fq)))
        goto out;
    for (size_t i = 0; i < in->n; i++) {
        const struct sk_indicator *e = &in->v[i];
        if (e->type == SK_IOC_DOMAIN) {
            const struct sk_indicator *f = find_canon(in, SK_IOC_FQDN, e->value, strlen(e->value));
            names[k] = e->value;
            dom[k] = (uint32_t)i;
            fq[k++] = f ? (uint32_t)(f - in->v) : SK_DOMSET_NONE;
        } else if (e->type == SK_IOC_FQDN) {
            if (find_canon(in, SK_IOC_DOMAIN, e->value, strlen(e->value)))
                continue; /* paired from the domain side */
            names[k] = e->value;
            dom[k] = SK_DOMSET_NONE;
            fq[k++] = (uint32_t)i;
        }
    }
    rc = sk__domset_build(names, dom, fq, k, in->seed, &in->names);
out:
    free(names);
    free(dom);
    free(fq);
    return rc;
}

int sk_intel_build(struct sk_intel_builder *b, struct sk_intel **out)
{
    struct sk_intel *in = calloc(1, sizeof *in);
    int rc;

    *out = NULL;
    if (!in) {
        sk_intel_builder_free(b);
        return -SK_ENOMEM;
    }
    /* take over the builder's memory */
    in->arena = b->arena;
    in->values = b->values;
    in->v = b->v;
    in->n = b->n;
    in->bslots = b->slots;
    in->bmask = b->mask;
    in->seed = b->seed;
    in->recs = b->recs;
    in->nrecs = b->nrecs;
    struct link *links = b->links;
    free(b->rslots);
    free(b);
    for (size_t i = 0; i < in->n; i++)
        in->count[in->v[i].type]++;
    rc = build_multi(in, links);
    free(links);
    if (rc == 0 && in->count[SK_IOC_IPV4] + in->count[SK_IOC_CIDR4] + in->count[SK_IOC_IPV6] +
                       in->count[SK_IOC_CIDR6] &&
        !(in->parent = malloc(in->n * sizeof *in->parent)))
        rc = -SK_ENOMEM;
    /* names pair their domain and fqdn indicators through the builder's
     * table; then it goes, before the prefix matchers take their memory */
    if (rc == 0)
        rc = build_names(in);
    free(in->bslots);
    in->bslots = NULL;
    if (rc < 0 || (rc = build_other(in)) < 0 || (rc = build_lpm4(in)) < 0 ||
        (rc = build_lpm6(in)) < 0) {
        sk_intel_free(in);
        return rc;
    }
    *out = in;
    return 0;
}

void sk_intel_free(struct sk_intel *in)
{
    if (!in)
        return;
    sk__lpm4_free(in->lpm4);
    sk__lpm6_free(in->lpm6);
    sk__domset_free(in->names);
    free(in->parent);
    free(in->multi);
    free(in->recs);
    free(in->bslots);
    free(in->oslots);
    free(in->v);
    sk_arena_free(&in->arena);
    sk__strpool_free(&in->values);
    free(in);
}

size_t sk_intel_count(const struct sk_intel *in) { return in ? in->n : 0; }

const struct sk_ioc_source *sk_intel_source(const struct sk_intel *in,
                                            const struct sk_indicator *ind, size_t i)
{
    if (!in || !ind || i >= ind->nsources)
        return NULL;
    return ind->nsources == 1 ? &in->recs[ind->src] : &in->recs[in->multi[ind->src + i]];
}

const struct sk_indicator *sk_intel_find(const struct sk_intel *in, enum sk_ioc_type type,
                                         const char *value)
{
    char canon[VALUE_MAX];
    if (!in || sk_ioc_canon(&type, value, canon, sizeof canon, NULL, 0) < 0)
        return NULL;
    return find_canon(in, (uint8_t)type, canon, strlen(canon));
}

void sk_intel_stats(const struct sk_intel *in, struct sk_intel_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!in)
        return;
    memcpy(st->count, in->count, sizeof st->count);
    st->indicators = in->n;
    st->sources = in->nrecs;
    st->bytes_lpm4 = sk__lpm4_bytes(in->lpm4);
    st->bytes_lpm6 = sk__lpm6_bytes(in->lpm6);
    st->bytes_names = sk__domset_bytes(in->names);
    st->bytes_other = (in->oslots ? (in->omask + 1) * sizeof *in->oslots : 0) + in->n * sizeof *in->v +
                      (in->parent ? in->n * sizeof *in->parent : 0);
}

/* --- matching ------------------------------------------------------------------ */

/* A hit handle: kind in the top two bits. An IPv4 hit is the LPM's own
 * result (1 + indicator index, kind bits 0), so the batch IPv4 lookup hands
 * back the LPM's output untouched; 0 is "no match" for every kind. */
#define HIT_V4 (0u << 30)
#define HIT_V6 (2u << 30)
#define HIT_NAME (3u << 30)
#define HIT_KIND 0xc0000000u
#define HIT_EXACT (1u << 29)

static inline size_t put(const struct sk_indicator **out, size_t max, size_t n,
                         const struct sk_indicator *e)
{
    if (n < max)
        out[n] = e;
    return n + 1;
}

size_t sk_intel_hit_expand(const struct sk_intel *in, uint32_t hit,
                           const struct sk_indicator **out, size_t max)
{
    size_t n = 0;

    if (!hit)
        return 0;
    switch (hit & HIT_KIND) {
    case HIT_V4:
        for (uint32_t p = hit - 1; p != SK_LPM_NONE; p = in->parent[p])
            n = put(out, max, n, &in->v[p]);
        break;
    case HIT_V6:
        for (uint32_t p = hit & ~HIT_KIND; p != SK_LPM_NONE; p = in->parent[p])
            n = put(out, max, n, &in->v[p]);
        break;
    case HIT_NAME: {
        const struct sk_domset_node *nd = sk__domset_node(in->names, hit & (HIT_EXACT - 1));
        if (hit & HIT_EXACT) {
            if (nd->fqdn != SK_DOMSET_NONE)
                n = put(out, max, n, &in->v[nd->fqdn]);
        }
        if (nd->domain != SK_DOMSET_NONE)
            n = put(out, max, n, &in->v[nd->domain]);
        for (uint32_t p = nd->parent; p != SK_DOMSET_NONE; p = nd->parent) {
            nd = sk__domset_node(in->names, p);
            n = put(out, max, n, &in->v[nd->domain]);
        }
        break;
    }
    default:
        break;
    }
    return n;
}

static inline uint32_t v4_hit(uint32_t r) { return r; }
static inline uint32_t v6_hit(uint32_t r) { return r ? HIT_V6 | (r - 1) : 0; }

static uint32_t lookup_addr(const struct sk_intel *in, const struct sk_addr *a)
{
    if (a->family == SK_AF_INET)
        return in->lpm4 ? v4_hit(sk__lpm4_lookup(in->lpm4, sk_addr_v4(a))) : 0;
    if (a->family == SK_AF_INET6 && in->lpm6) {
        uint64_t hi, lo;
        v6_halves(a, &hi, &lo);
        return v6_hit(sk__lpm6_lookup(in->lpm6, hi, lo));
    }
    return 0;
}

size_t sk_intel_match_addr(const struct sk_intel *in, const struct sk_addr *a,
                           const struct sk_indicator **out, size_t max)
{
    if (!in || in->n == 0)
        return 0;
    return sk_intel_hit_expand(in, lookup_addr(in, a), out, max);
}

/* Lower-cases name into buf without a trailing dot; its length, or 0. */
static size_t norm_name(const char *name, char *buf)
{
    size_t len = strlen(name);
    if (len && name[len - 1] == '.')
        len--;
    if (len == 0 || len > 253)
        return 0;
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)tolower((unsigned char)name[i]);
    buf[len] = '\0';
    return len;
}

static uint32_t lookup_name(const struct sk_intel *in, const char *name)
{
    char buf[256];
    size_t len;
    int exact;

    if (!in->names || !name || !(len = norm_name(name, buf)))
        return 0;
    uint32_t r = sk__domset_lookup(in->names, buf, len, &exact);
    return r ? HIT_NAME | (exact ? HIT_EXACT : 0) | (r - 1) : 0;
}

size_t sk_intel_match_name(const struct sk_intel *in, const char *name,
                           const struct sk_indicator **out, size_t max)
{
    if (!in || in->n == 0)
        return 0;
    return sk_intel_hit_expand(in, lookup_name(in, name), out, max);
}

size_t sk_intel_match_url(const struct sk_intel *in, const char *url,
                          const struct sk_indicator **out, size_t max)
{
    char canon[VALUE_MAX];
    if (!in || !in->count[SK_IOC_URL] || sk_url_normalize(url, canon, sizeof canon) < 0)
        return 0;
    const struct sk_indicator *e = find_canon(in, SK_IOC_URL, canon, strlen(canon));
    return e ? put(out, max, 0, e) : 0;
}

size_t sk_intel_match_hash(const struct sk_intel *in, enum sk_ioc_type type, const char *value,
                           const struct sk_indicator **out, size_t max)
{
    char canon[VALUE_MAX];
    if (!in || !value || type < SK_IOC_JA3 || type > SK_IOC_CERT_SHA256 || !in->count[type] ||
        sk_ioc_canon(&type, value, canon, sizeof canon, NULL, 0) < 0)
        return 0;
    const struct sk_indicator *e = find_canon(in, (uint8_t)type, canon, strlen(canon));
    return e ? put(out, max, 0, e) : 0;
}

void sk_intel_lookup_v4(const struct sk_intel *in, const uint32_t *addr, size_t n, uint32_t *hits)
{
    if (!in || !in->lpm4) {
        memset(hits, 0, n * sizeof *hits);
        return;
    }
    sk__lpm4_lookup_batch(in->lpm4, addr, n, hits);
}

void sk_intel_lookup_addrs(const struct sk_intel *in, const struct sk_addr *addrs, size_t n,
                           uint32_t *hits)
{
    enum { CH = 256 };
    uint32_t a4[CH], r4[CH];
    uint64_t hi[CH], lo[CH];
    uint32_t r6[CH];
    size_t i4[CH], i6[CH];

    if (!in) {
        memset(hits, 0, n * sizeof *hits);
        return;
    }
    for (size_t base = 0; base < n; base += CH) {
        size_t m = n - base < CH ? n - base : CH, n4 = 0, n6 = 0;
        for (size_t i = 0; i < m; i++) {
            const struct sk_addr *a = &addrs[base + i];
            hits[base + i] = 0;
            if (a->family == SK_AF_INET && in->lpm4) {
                a4[n4] = sk_addr_v4(a);
                i4[n4++] = base + i;
            } else if (a->family == SK_AF_INET6 && in->lpm6) {
                v6_halves(a, &hi[n6], &lo[n6]);
                i6[n6++] = base + i;
            }
        }
        if (n4) {
            sk__lpm4_lookup_batch(in->lpm4, a4, n4, r4);
            for (size_t k = 0; k < n4; k++)
                hits[i4[k]] = v4_hit(r4[k]);
        }
        if (n6) {
            sk__lpm6_lookup_batch(in->lpm6, hi, lo, n6, r6);
            for (size_t k = 0; k < n6; k++)
                hits[i6[k]] = v6_hit(r6[k]);
        }
    }
}

void sk_intel_lookup_names(const struct sk_intel *in, const char *const *names, size_t n,
                           uint32_t *hits)
{
    enum { CH = 1024 };
    char (*buf)[256] = NULL; /* only for names that need lower-casing */
    const char *p[CH];
    uint16_t lens[CH];
    uint32_t r[CH];

    if (!in || !in->names) {
        memset(hits, 0, n * sizeof *hits);
        return;
    }
    for (size_t base = 0; base < n; base += CH) {
        size_t m = n - base < CH ? n - base : CH;
        for (size_t i = 0; i < m; i++) {
            /* names from the wire are usually lower case already: copy only
             * the ones that are not (or end with a dot) */
            const char *nm = names[base + i];
            size_t len = nm ? strlen(nm) : 0;
            int upper = 0;
            /* any byte in 'A'..'Z', eight at a time */
            for (size_t k = 0; k < len && !upper && len <= 254; k += 8) {
                uint64_t x = 0;
                memcpy(&x, nm + k, len - k < 8 ? len - k : 8);
                upper = ((x + 0x3f3f3f3f3f3f3f3fULL) & ~(x + 0x2525252525252525ULL) &
                         ~x & 0x8080808080808080ULL) != 0;
            }
            if (!nm || len == 0 || len > 254) {
                lens[i] = 0;
                p[i] = "";
            } else if (upper || nm[len - 1] == '.') {
                if (!buf && !(buf = malloc((size_t)CH * sizeof *buf))) {
                    lens[i] = 0; /* out of memory: reported as no match */
                    p[i] = "";
                    continue;
                }
                lens[i] = (uint16_t)norm_name(nm, buf[i]);
                p[i] = buf[i];
            } else {
                lens[i] = len <= 253 ? (uint16_t)len : 0;
                p[i] = nm;
            }
        }
        sk__domset_lookup_batch(in->names, p, lens, m, r);
        for (size_t i = 0; i < m; i++) {
            uint32_t x = r[i] & ~SK_DOMSET_EXACT;
            hits[base + i] = x ? HIT_NAME | ((r[i] & SK_DOMSET_EXACT) ? HIT_EXACT : 0) | (x - 1) : 0;
        }
    }
    free(buf);
}

/* --- events ------------------------------------------------------------------------ */

static const char *const field_names[] = {
    [SK_MATCH_SRC] = "src", [SK_MATCH_DST] = "dst", [SK_MATCH_QNAME] = "qname",
    [SK_MATCH_ANSWER] = "answer", [SK_MATCH_SNI] = "sni", [SK_MATCH_HOST] = "http_host",
    [SK_MATCH_URL] = "url", [SK_MATCH_JA3] = "ja3", [SK_MATCH_JA4] = "ja4",
    [SK_MATCH_CERT] = "cert",
};

const char *sk_match_field_name(enum sk_match_field f)
{
    return f >= SK_MATCH_SRC && f <= SK_MATCH_CERT ? field_names[f] : "unknown";
}

#define EV_MAX_MATCHES 64

struct ev_ctx {
    const struct sk_intel *in;
    sk_intel_match_fn fn;
    void *ctx;
    const struct sk_indicator *m[EV_MAX_MATCHES];
};

static int emit_hit(struct ev_ctx *c, size_t ev, uint8_t field, uint32_t hit, const char *obs,
                    const struct sk_addr *addr)
{
    if (!hit)
        return 0;
    size_t n = sk_intel_hit_expand(c->in, hit, c->m, EV_MAX_MATCHES);
    struct sk_intel_match mt = {.event = ev, .field = field, .observed = obs, .addr = addr,
                                .ind = c->m, .n = n < EV_MAX_MATCHES ? n : EV_MAX_MATCHES};
    return c->fn(c->ctx, &mt);
}

static int emit_list(struct ev_ctx *c, size_t ev, uint8_t field, const char *obs, size_t n)
{
    if (!n)
        return 0;
    struct sk_intel_match mt = {.event = ev, .field = field, .observed = obs,
                                .ind = c->m, .n = n < EV_MAX_MATCHES ? n : EV_MAX_MATCHES};
    return c->fn(c->ctx, &mt);
}

/* The URL of an HTTP request, as a client would have written it. */
static int http_url(const struct sk_ev_http *h, char *out, size_t len)
{
    if (!h->uri || !*h->uri)
        return -1;
    if (strncmp(h->uri, "http://", 7) == 0 || strncmp(h->uri, "https://", 8) == 0)
        return sk_url_normalize(h->uri, out, len);
    if (!h->host || !*h->host || h->uri[0] != '/')
        return -1;
    char raw[VALUE_MAX];
    int w = snprintf(raw, sizeof raw, "http://%s%s", h->host, h->uri);
    if (w < 0 || (size_t)w >= sizeof raw)
        return -1;
    return sk_url_normalize(raw, out, len);
}

/* Everything but flow addresses, per event (hash probes, no batching). */
static int match_rest(struct ev_ctx *c, size_t i, const struct sk_event *ev, const uint32_t *addr_hits,
                      size_t nk, size_t *ak)
{
    const struct sk_intel *in = c->in;
    int rc = 0;

    switch (ev->kind) {
    case SK_EVENT_DNS: {
        const struct sk_ev_dns *d = &ev->u.dns;
        if (d->qname && *d->qname && (rc = emit_hit(c, i, SK_MATCH_QNAME, lookup_name(in, d->qname), d->qname, NULL)) < 0)
            return rc;
        for (size_t k = 0; k < d->n_answers; k++) {
            const struct sk_dns_rr *rr = &d->answers[k];
            if (rr->type == 1 || rr->type == 28) {
                /* answers beyond what the batch held are looked up one by one */
                uint32_t hit = *ak < nk ? addr_hits[(*ak)++] : lookup_addr(in, &rr->addr);
                if ((rc = emit_hit(c, i, SK_MATCH_ANSWER, hit, NULL, &rr->addr)) < 0)
                    return rc;
            } else if (rr->data && (rr->type == 5 || rr->type == 2 || rr->type == 15)) {
                if ((rc = emit_hit(c, i, SK_MATCH_ANSWER, lookup_name(in, rr->data), rr->data, NULL)) < 0)
                    return rc;
            }
        }
        return 0;
    }
    case SK_EVENT_TLS: {
        const struct sk_ev_tls *t = &ev->u.tls;
        if (t->sni && *t->sni && (rc = emit_hit(c, i, SK_MATCH_SNI, lookup_name(in, t->sni), t->sni, NULL)) < 0)
            return rc;
        struct { const char *v; enum sk_ioc_type type; uint8_t field; } h[] = {
            {t->ja3, SK_IOC_JA3, SK_MATCH_JA3}, {t->ja4, SK_IOC_JA4, SK_MATCH_JA4},
            {t->cert_sha1, SK_IOC_CERT_SHA1, SK_MATCH_CERT},
            {t->cert_sha256, SK_IOC_CERT_SHA256, SK_MATCH_CERT},
        };
        for (size_t k = 0; k < sizeof h / sizeof h[0]; k++) {
            if (!h[k].v)
                continue;
            size_t n = sk_intel_match_hash(in, h[k].type, h[k].v, c->m, EV_MAX_MATCHES);
            if ((rc = emit_list(c, i, h[k].field, h[k].v, n)) < 0)
                return rc;
        }
        return 0;
    }
    case SK_EVENT_HTTP: {
        const struct sk_ev_http *h = &ev->u.http;
        char url[VALUE_MAX];
        if (h->host && *h->host && (rc = emit_hit(c, i, SK_MATCH_HOST, lookup_name(in, h->host), h->host, NULL)) < 0)
            return rc;
        if (in->count[SK_IOC_URL] && http_url(h, url, sizeof url) == 0) {
            const struct sk_indicator *e = find_canon(in, SK_IOC_URL, url, strlen(url));
            if (e) {
                c->m[0] = e;
                if ((rc = emit_list(c, i, SK_MATCH_URL, url, 1)) < 0)
                    return rc;
            }
        }
        return 0;
    }
    default:
        return 0;
    }
}

int sk_intel_match_events(const struct sk_intel *in, const struct sk_event *ev, size_t n,
                          sk_intel_match_fn fn, void *ctx)
{
    enum { CH = 512 };
    struct sk_addr keys[CH];
    uint32_t hits[CH];
    struct ev_ctx c = {.in = in, .fn = fn, .ctx = ctx};
    int rc = 0;

    if (!in || in->n == 0)
        return 0;
    /* in chunks of events whose addresses fit in keys[] */
    for (size_t base = 0; base < n;) {
        size_t end = base, nk = 0;
        while (end < n) {
            const struct sk_event *e = &ev[end];
            size_t need = e->kind == SK_EVENT_FLOW ? 2 : 0;
            if (e->kind == SK_EVENT_DNS)
                for (size_t k = 0; k < e->u.dns.n_answers; k++)
                    need += e->u.dns.answers[k].type == 1 || e->u.dns.answers[k].type == 28;
            if (nk + need > CH && end > base)
                break;
            if (e->kind == SK_EVENT_FLOW) {
                keys[nk++] = e->src;
                keys[nk++] = e->dst;
            } else if (e->kind == SK_EVENT_DNS) {
                for (size_t k = 0; k < e->u.dns.n_answers && nk < CH; k++) {
                    const struct sk_dns_rr *rr = &e->u.dns.answers[k];
                    if (rr->type == 1 || rr->type == 28)
                        keys[nk++] = rr->addr;
                }
            }
            end++;
            if (nk >= CH)
                break;
        }
        sk_intel_lookup_addrs(in, keys, nk, hits);
        size_t ak = 0;
        for (size_t i = base; i < end; i++) {
            const struct sk_event *e = &ev[i];
            if (e->kind == SK_EVENT_FLOW) {
                if ((rc = emit_hit(&c, i, SK_MATCH_SRC, hits[ak], NULL, &e->src)) < 0 ||
                    (rc = emit_hit(&c, i, SK_MATCH_DST, hits[ak + 1], NULL, &e->dst)) < 0)
                    return rc;
                ak += 2;
            } else if ((rc = match_rest(&c, i, e, hits, nk, &ak)) < 0) {
                return rc;
            }
        }
        base = end;
    }
    return 0;
}
