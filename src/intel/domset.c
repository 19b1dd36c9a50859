/*
 * domset.c — exact and parent-domain name matching, bounded by the
 * registered domain.
 *
 * One open-addressing table of 16-byte slots — a 24-bit hash tag and the
 * name's length, the node (with its flags in the top bits), and the name
 * itself — at most 75 % full, over an array of nodes (one per distinct
 * name). A probe decides from the slot alone and one string comparison. A lookup of a.b.example.co.uk probes the name itself, then its
 * parents from the longest, and stops at the first hit: the name itself
 * (exact: its domain and fqdn indicators apply) or a parent carrying a domain
 * indicator. Each node knows its nearest domain ancestor (parent), computed
 * at build, so the other matches need no more probing.
 *
 * Two 64-bit masks of the label counts present (names, and domain names that
 * may be parents) skip probes that cannot hit: with indicators of 2–4 labels
 * a 6-label name costs at most 3 probes. A tag mismatch costs no string
 * comparison, so a miss reads one cache line per probe. The batch lookup
 * pipelines four stages over names (hash every candidate and prefetch its
 * Bloom block; test the Bloom filter and prefetch the slots of the
 * candidates that pass; read the slots and prefetch the names they point to;
 * compare), so the cache misses of many names overlap.
 *
 * A blocked Bloom filter (one 64-byte block per name, three bits, about 12
 * bits per name: a few MiB that mostly stay in the last-level cache) stands
 * in front of the table: a suffix that is no indicator's name is almost
 * always turned away there, so a name that matches nothing costs no main
 * memory access, and one that matches costs one slot and one string.
 *
 * Bounds (psl.h): a domain indicator that is a public suffix (co.uk) only
 * matches itself; a parent above the looked-up name's registered domain
 * never matches. Only parents "guarded" by a public suffix below them
 * (amazonaws.com, under which s3.amazonaws.com is one) need libpsl at lookup
 * time, and then only when they are hit.
 */
#include <stdlib.h>
#include <string.h>

#include "intel/domset.h"
#include "intel/lpm.h"
#include "intel/psl.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"

enum { F_PS = 1, F_GUARD = 2, F_PARENT_OK = 4 };

struct slot {
    uint32_t tl;      /* hash tag (top 24 bits of the hash) << 8 | name length */
    uint32_t nf;      /* node + 1, flags in the top 3 bits; 0 = empty */
    const char *name;
};

#define NF_SHIFT 29
#define NF_NODE ((1u << NF_SHIFT) - 1)

struct sk_domset {
    struct sk_domset_node *nodes;
    size_t n;
    struct slot *slots;
    size_t mask;
    uint64_t *bloom;  /* blocks of 8 words (64 bytes) */
    size_t bmask;     /* blocks - 1 */
    uint64_t seed;
    uint64_t mask_exact, mask_parent; /* bit min(labels, 63) */
};

static inline uint64_t lbit(unsigned labels) { return 1ULL << (labels > 63 ? 63 : labels); }

/* The Bloom filter: a hash picks a 64-byte block and three bits in it (9
 * bits each of a second mix, independent of the slot position). */
struct bloom_ref {
    const uint64_t *blk;
    uint16_t b[3];
};

static inline struct bloom_ref bloom_ref(const struct sk_domset *d, uint64_t hv)
{
    uint64_t x = sk_hash_mix64(hv ^ 0x9e3779b97f4a7c15ULL);
    struct bloom_ref r = {&d->bloom[(x & d->bmask) * 8],
                          {(uint16_t)((x >> 37) & 511), (uint16_t)((x >> 46) & 511),
                           (uint16_t)((x >> 55) & 511)}};
    return r;
}

static inline int bloom_test(struct bloom_ref r)
{
    return (r.blk[r.b[0] >> 6] >> (r.b[0] & 63) & 1) && (r.blk[r.b[1] >> 6] >> (r.b[1] & 63) & 1) &&
           (r.blk[r.b[2] >> 6] >> (r.b[2] & 63) & 1);
}

static inline int bloom_has(const struct sk_domset *d, uint64_t hv)
{
    return bloom_test(bloom_ref(d, hv));
}

static inline void bloom_add(struct sk_domset *d, uint64_t hv)
{
    struct bloom_ref r = bloom_ref(d, hv);
    uint64_t *blk = (uint64_t *)r.blk;
    for (int i = 0; i < 3; i++)
        blk[r.b[i] >> 6] |= 1ULL << (r.b[i] & 63);
}

static inline uint32_t tl_of(uint64_t hv, size_t len)
{
    return (uint32_t)(hv >> 40) << 8 | (uint32_t)len;
}

/* The slot index holding name s, or SIZE_MAX. */
static inline size_t probe(const struct sk_domset *d, const char *s, size_t len, uint64_t hv)
{
    uint32_t tl = tl_of(hv, len);
    if (d->bloom && !bloom_has(d, hv))
        return SIZE_MAX;
    for (size_t i = hv & d->mask;; i = (i + 1) & d->mask) {
        const struct slot *x = &d->slots[i];
        if (!x->nf)
            return SIZE_MAX;
        if (x->tl == tl && memcmp(x->name, s, len) == 0)
            return i;
    }
}

static inline uint32_t slot_node(const struct sk_domset *d, size_t i) { return (d->slots[i].nf & NF_NODE) - 1; }
static inline unsigned slot_flags(const struct sk_domset *d, size_t i) { return d->slots[i].nf >> NF_SHIFT; }

/* The hash of every suffix of a name that starts at a label: hs[j] for the
 * suffix at start[j], j = 0 the whole name. Each label is hashed with the
 * hash of the suffix after it as the seed, so all of them cost one pass
 * over the name (hashing each suffix whole would cost one per label).
 * Returns the number of labels. */
#define MAX_LABELS 128

/* One label into the running hash: a 128-bit multiply of its bytes (up to
 * 16; longer labels go through sk_hash64) with the hash so far — a few
 * cycles, where the chain of labels makes the latency count. */
static inline uint64_t label_hash(const char *p, size_t n, uint64_t h)
{
    uint64_t a = 0, b = 0;
    if (n > 16)
        return sk_hash64(p, n, h);
    for (size_t i = 0; i < n && i < 8; i++)
        a |= (uint64_t)(uint8_t)p[i] << (8 * i);
    for (size_t i = 8; i < n; i++)
        b |= (uint64_t)(uint8_t)p[i] << (8 * (i - 8));
    __uint128_t r = (__uint128_t)(a ^ h ^ 0xa0761d6478bd642fULL) *
                    (b ^ ((uint64_t)n << 56) ^ 0xe7037ed1a0b428dbULL);
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static unsigned suffix_hashes(const char *s, size_t len, uint64_t seed, uint64_t *hs,
                              uint16_t *start)
{
    unsigned n = 0;
    start[n++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '.')
            continue;
        if (n == MAX_LABELS)
            return 0; /* cannot happen within 253 bytes */
        start[n++] = (uint16_t)(i + 1);
    }
    uint64_t h = seed;
    for (unsigned j = n; j-- > 0;) {
        size_t end = j + 1 < n ? (size_t)start[j + 1] - 1 : len;
        h = label_hash(s + start[j], end - start[j], h);
        hs[j] = sk_hash_mix64(h); /* the chain value stays raw; the table sees it mixed */
    }
    return n;
}


int sk__domset_build(const char *const *names, const uint32_t *domain, const uint32_t *fqdn,
                     size_t n, uint64_t seed, struct sk_domset **out)
{
    struct sk_domset *d = calloc(1, sizeof *d);
    size_t nslots = 16;
    int rc = -SK_ENOMEM;

    *out = NULL;
    if (!d)
        return -SK_ENOMEM;
    if (n >= NF_NODE) {
        rc = -SK_ETOOBIG;
        goto fail;
    }
    while (nslots * 3 < n * 4)
        nslots *= 2;
    d->seed = seed;
    d->n = n;
    d->mask = nslots - 1;
    size_t nblocks = 1;
    while (nblocks * 512 < n * 12)
        nblocks *= 2;
    d->bmask = nblocks - 1;
    if (!(d->bloom = sk__big_alloc(nblocks * 64)))
        goto fail;
    if (!(d->nodes = malloc((n ? n : 1) * sizeof *d->nodes)) ||
        !(d->slots = sk__big_alloc(nslots * sizeof *d->slots)))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        struct sk_domset_node *nd = &d->nodes[i];
        size_t len = strlen(names[i]);
        if (len == 0 || len > 253) {
            rc = -SK_EINVAL;
            goto fail;
        }
        uint64_t hs[MAX_LABELS];
        uint16_t st[MAX_LABELS];
        unsigned nl = suffix_hashes(names[i], len, seed, hs, st);
        *nd = (struct sk_domset_node){.name = names[i], .domain = domain[i], .fqdn = fqdn[i],
                                      .parent = SK_DOMSET_NONE, .len = (uint16_t)len,
                                      .labels = (uint8_t)nl};
        uint64_t hv = hs[0];
        if (probe(d, names[i], len, hv) != SIZE_MAX) {
            rc = -SK_EINVAL; /* the same name twice */
            goto fail;
        }
        size_t s = hv & d->mask;
        while (d->slots[s].nf)
            s = (s + 1) & d->mask;
        d->slots[s] = (struct slot){.tl = tl_of(hv, len), .nf = (uint32_t)(i + 1), .name = names[i]};
        bloom_add(d, hv);
        if (nd->domain != SK_DOMSET_NONE) {
            if (sk__psl_is_suffix(nd->name, len))
                nd->flags |= F_PS;
            else
                nd->flags |= F_PARENT_OK;
            if (sk__psl_guarded(nd->name, len))
                nd->flags |= F_GUARD;
        }
        d->mask_exact |= lbit(nd->labels);
        if (nd->flags & F_PARENT_OK)
            d->mask_parent |= lbit(nd->labels);
        d->slots[s].nf |= (uint32_t)nd->flags << NF_SHIFT;
    }
    /* parent links: the nearest domain ancestor within the registered domain */
    for (size_t i = 0; i < n; i++) {
        struct sk_domset_node *nd = &d->nodes[i];
        uint64_t hs[MAX_LABELS];
        uint16_t st[MAX_LABELS];
        unsigned nl = suffix_hashes(nd->name, nd->len, seed, hs, st);
        for (unsigned j = 1; j < nl; j++) {
            if (!(d->mask_parent & lbit(nl - j)))
                continue;
            const char *suf = nd->name + st[j];
            size_t slen = nd->len - st[j];
            size_t sl = probe(d, suf, slen, hs[j]);
            if (sl == SIZE_MAX || !(slot_flags(d, sl) & F_PARENT_OK))
                continue;
            if ((slot_flags(d, sl) & F_GUARD) && !sk__psl_within(nd->name, nd->len, slen))
                break; /* above the registered domain, and so is everything shorter */
            nd->parent = slot_node(d, sl);
            break;
        }
    }
    *out = d;
    return 0;
fail:
    sk__domset_free(d);
    return rc;
}

void sk__domset_free(struct sk_domset *d)
{
    if (!d)
        return;
    free(d->nodes);
    sk__big_free(d->slots, (d->mask + 1) * sizeof *d->slots);
    if (d->bloom)
        sk__big_free(d->bloom, (d->bmask + 1) * 64);
    free(d);
}

size_t sk__domset_bytes(const struct sk_domset *d)
{
    return d ? d->n * sizeof *d->nodes + (d->mask + 1) * sizeof *d->slots + (d->bmask + 1) * 64 : 0;
}

const struct sk_domset_node *sk__domset_node(const struct sk_domset *d, uint32_t i)
{
    return &d->nodes[i];
}

uint32_t sk__domset_lookup(const struct sk_domset *d, const char *name, size_t len, int *exact)
{
    uint64_t hs[MAX_LABELS];
    uint16_t st[MAX_LABELS];
    unsigned nl;

    *exact = 0;
    if (!d || d->n == 0 || len == 0 || len > 253)
        return 0;
    nl = suffix_hashes(name, len, d->seed, hs, st);
    if (d->mask_exact & lbit(nl)) {
        size_t sl = probe(d, name, len, hs[0]);
        if (sl != SIZE_MAX) {
            *exact = 1;
            return slot_node(d, sl) + 1;
        }
    }
    for (unsigned j = 1; j < nl; j++) {
        if (!(d->mask_parent & lbit(nl - j)))
            continue;
        const char *suf = name + st[j];
        size_t slen = len - st[j];
        size_t sl = probe(d, suf, slen, hs[j]);
        if (sl == SIZE_MAX || !(slot_flags(d, sl) & F_PARENT_OK))
            continue;
        if ((slot_flags(d, sl) & F_GUARD) && !sk__psl_within(name, len, slen))
            return 0;
        return slot_node(d, sl) + 1;
    }
    return 0;
}

/* One name in flight in the batch pipeline: its candidate suffixes, most
 * specific first (the name itself only when exact). */
#define MAXC 8
struct flight {
    const char *name;
    uint16_t len;
    uint8_t nc;
    uint8_t over;            /* more candidates than MAXC: done the slow way */
    uint8_t exact0;          /* candidate 0 is the name itself */
    uint8_t alive;           /* stage 2: bit c set when candidate c passed the Bloom filter */
    uint16_t off[MAXC];      /* where the suffix starts */
    uint64_t hv[MAXC];
    struct bloom_ref br[MAXC];
    size_t slot[MAXC];       /* stage 3: the slot whose tag and length match */
};

static inline void add_cand(const struct sk_domset *d, struct flight *f, size_t off, uint64_t hv)
{
    unsigned c = f->nc++;
    f->off[c] = (uint16_t)off;
    f->hv[c] = hv;
    f->br[c] = bloom_ref(d, hv);
    __builtin_prefetch(f->br[c].blk);
}

/* Stage 1: the candidates, their hashes; prefetch their Bloom blocks. */
static void plan(const struct sk_domset *d, struct flight *f, const char *s, size_t len)
{
    uint64_t hs[MAX_LABELS];
    uint16_t st[MAX_LABELS];
    f->name = s;
    f->len = (uint16_t)len;
    f->nc = 0;
    f->over = 0;
    f->exact0 = 0;
    if (len == 0 || len > 253)
        return;
    unsigned nl = suffix_hashes(s, len, d->seed, hs, st);
    if (d->mask_exact & lbit(nl)) {
        f->exact0 = 1;
        add_cand(d, f, 0, hs[0]);
    }
    for (unsigned j = 1; j < nl; j++) {
        if (!(d->mask_parent & lbit(nl - j)))
            continue;
        if (f->nc == MAXC) {
            f->over = 1;
            return;
        }
        add_cand(d, f, st[j], hs[j]);
    }
}

/* Stage 2: the Bloom filter; prefetch the slots of the candidates it lets by. */
static void filter(const struct sk_domset *d, struct flight *f)
{
    f->alive = 0;
    for (unsigned c = 0; c < f->nc; c++) {
        if (bloom_test(f->br[c])) {
            f->alive |= (uint8_t)(1u << c);
            __builtin_prefetch(&d->slots[f->hv[c] & d->mask]);
        }
    }
}

/* Stage 3: find each live candidate's slot by tag and length; prefetch the name. */
static void locate(const struct sk_domset *d, struct flight *f)
{
    for (unsigned c = 0; c < f->nc; c++) {
        f->slot[c] = SIZE_MAX;
        if (!(f->alive & (1u << c)))
            continue;
        uint32_t tl = tl_of(f->hv[c], (size_t)(f->len - f->off[c]));
        for (size_t i = f->hv[c] & d->mask;; i = (i + 1) & d->mask) {
            const struct slot *x = &d->slots[i];
            if (!x->nf)
                break;
            if (x->tl == tl) {
                f->slot[c] = i;
                __builtin_prefetch(x->name);
                break;
            }
        }
    }
}

/* Stage 4: the first candidate that really matches. */
static uint32_t decide(const struct sk_domset *d, const struct flight *f)
{
    if (f->over) {
        int exact;
        uint32_t r = sk__domset_lookup(d, f->name, f->len, &exact);
        return r | (r && exact ? SK_DOMSET_EXACT : 0);
    }
    for (unsigned c = 0; c < f->nc; c++) {
        size_t sl = f->slot[c];
        size_t slen = (size_t)(f->len - f->off[c]);
        if (sl == SIZE_MAX)
            continue;
        if (memcmp(d->slots[sl].name, f->name + f->off[c], slen) != 0) {
            /* a tag collision: walk the rest of the chain the slow way */
            sl = probe(d, f->name + f->off[c], slen, f->hv[c]);
            if (sl == SIZE_MAX)
                continue;
        }
        if (c == 0 && f->exact0)
            return (slot_node(d, sl) + 1) | SK_DOMSET_EXACT;
        if (!(slot_flags(d, sl) & F_PARENT_OK))
            continue;
        if ((slot_flags(d, sl) & F_GUARD) && !sk__psl_within(f->name, f->len, slen))
            return 0;
        return slot_node(d, sl) + 1;
    }
    return 0;
}

void sk__domset_lookup_batch(const struct sk_domset *d, const char *const *names,
                             const uint16_t *lens, size_t n, uint32_t *out)
{
    enum { D = 8, RING = 3 * D + 1 };
    struct flight ring[RING];

    if (!d || d->n == 0) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    for (size_t i = 0; i < n + 3 * D; i++) {
        if (i < n)
            plan(d, &ring[i % RING], names[i], lens[i]);
        if (i >= D && i - D < n)
            filter(d, &ring[(i - D) % RING]);
        if (i >= 2 * D && i - 2 * D < n)
            locate(d, &ring[(i - 2 * D) % RING]);
        if (i >= 3 * D && i - 3 * D < n)
            out[i - 3 * D] = decide(d, &ring[(i - 3 * D) % RING]);
    }
}
