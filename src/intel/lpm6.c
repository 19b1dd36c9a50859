/*
 * lpm6.c — IPv6 longest-prefix match: direct index over sorted boundaries.
 *
 * The prefix set becomes its boundaries (lpm.h): sorted 128-bit positions
 * where the longest match changes, each with the result from there on —
 * kept as one array of 24-byte entries, so the few a bucket holds share a
 * cache line or two. A lookup is "the last boundary at or
 * before the address".
 *
 * To find it in O(1) expected memory accesses, every boundary but the first
 * (which is always at ::) shares some top c bits (the common prefix of the
 * smallest and largest); the next K bits of an address inside that region
 * index a table of 2^K buckets, K chosen so that a bucket holds about two
 * boundaries. A bucket records the range of boundaries to search (from the
 * last one at or before its start to the last one inside it) or, when none
 * falls inside, the result itself. Addresses outside the region resolve to
 * the first or the last boundary without any search. This is DXR's
 * "direct/range" scheme (Zec, Rizzo, Mikuc 2012) on 128-bit keys: it is
 * insensitive to prefix length, where a trie over IPv6 hosts (/128) would
 * need a chain of nodes per host.
 *
 * Build: sort by (address, length) with qsort, one stack sweep that also
 * yields parent[], then one pass over the boundaries to fill the index.
 */
#include <stdlib.h>
#include <string.h>

#include "intel/lpm.h"
#include "sakimori/error.h"

typedef unsigned __int128 u128;

/* A boundary: from this address on, the longest match is val (1 + id, or
 * 0). 24 bytes, so a bucket's few boundaries share a cache line or two. */
struct bnd {
    uint64_t hi, lo;
    uint32_t val;
};

struct bucket {
    uint32_t first; /* first boundary to search, or the result when count == 0 */
    uint32_t count;
};

struct sk_lpm6 {
    struct bnd *b; /* boundaries, sorted */
    size_t nb;
    struct bucket *dir;
    unsigned c, k;  /* region prefix bits, index bits */
    u128 region;    /* the region's top c bits, in place (low bits zero) */
};

struct key6 {
    uint64_t hi, lo;
    uint32_t idx;
    uint8_t len;
};

static int key_cmp(const void *pa, const void *pb)
{
    const struct key6 *a = pa, *b = pb;
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
}

static inline u128 mk(uint64_t hi, uint64_t lo) { return (u128)hi << 64 | lo; }

static int push_boundary(struct sk_lpm6 *t, size_t cap, u128 pos, uint32_t val)
{
    if (t->nb && mk(t->b[t->nb - 1].hi, t->b[t->nb - 1].lo) == pos) {
        t->b[t->nb - 1].val = val;
        if (t->nb >= 2 && t->b[t->nb - 2].val == val)
            t->nb--; /* the replaced boundary no longer changes anything */
        return 0;
    }
    if (t->nb && t->b[t->nb - 1].val == val)
        return 0;
    if (t->nb == cap)
        return -SK_EINVAL;
    t->b[t->nb] = (struct bnd){.hi = (uint64_t)(pos >> 64), .lo = (uint64_t)pos, .val = val};
    t->nb++;
    return 0;
}

static unsigned clz128(u128 x)
{
    uint64_t h = (uint64_t)(x >> 64), l = (uint64_t)x;
    if (h)
        return (unsigned)__builtin_clzll(h);
    if (l)
        return 64 + (unsigned)__builtin_clzll(l);
    return 128;
}

static inline unsigned bucket_of(const struct sk_lpm6 *t, u128 a)
{
    if (t->k == 0)
        return 0;
    return (unsigned)((t->c ? a << t->c : a) >> (128 - t->k));
}

static int build_index(struct sk_lpm6 *t)
{
    if (t->nb < 2) {
        t->c = 128;
        t->k = 0;
    } else {
        u128 first = mk(t->b[1].hi, t->b[1].lo), last = mk(t->b[t->nb - 1].hi, t->b[t->nb - 1].lo);
        t->c = clz128(first ^ last);
        unsigned want = 0;
        while (want < 22 && ((size_t)2 << want) < t->nb)
            want++;
        if (want < 4)
            want = 4;
        t->k = want < 128 - t->c ? want : 128 - t->c;
        t->region = t->c == 0 ? 0 : first >> (128 - t->c) << (128 - t->c);
    }
    size_t nbuckets = (size_t)1 << t->k;
    if (!(t->dir = malloc(nbuckets * sizeof *t->dir)))
        return -SK_ENOMEM;
    /* j walks the boundaries: the last one at or before each bucket start */
    size_t j = 0;
    unsigned span = 128 - t->c - t->k; /* bits below the index */
    for (size_t b = 0; b < nbuckets; b++) {
        u128 start = t->region | (span >= 128 ? 0 : (u128)b << span);
        u128 end = span >= 128 ? ~(u128)0 : start + (((u128)1 << span) - 1);
        if (t->nb < 2) {
            start = 0;
            end = ~(u128)0;
        }
        while (j + 1 < t->nb && mk(t->b[j + 1].hi, t->b[j + 1].lo) <= start)
            j++;
        size_t last = j;
        while (last + 1 < t->nb && mk(t->b[last + 1].hi, t->b[last + 1].lo) <= end)
            last++;
        if (last == j)
            t->dir[b] = (struct bucket){.first = t->b[j].val, .count = 0};
        else
            t->dir[b] = (struct bucket){.first = (uint32_t)j, .count = (uint32_t)(last - j + 1)};
    }
    return 0;
}

int sk__lpm6_build(const uint64_t *hi, const uint64_t *lo, const uint8_t *len,
                   const uint32_t *id, size_t n, uint32_t *parent, struct sk_lpm6 **out)
{
    struct sk_lpm6 *t = calloc(1, sizeof *t);
    struct key6 *keys = NULL;
    u128 stack_end[130];
    uint32_t stack_idx[130];
    unsigned sp = 0;
    size_t cap = 2 * n + 2;
    int rc = -SK_ENOMEM;

    *out = NULL;
    if (!t)
        return -SK_ENOMEM;
    if (n >= UINT32_MAX / 2) {
        rc = -SK_ETOOBIG;
        goto out;
    }
    if (!(keys = malloc((n ? n : 1) * sizeof *keys)) || !(t->b = malloc(cap * sizeof *t->b)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        u128 a = mk(hi[i], lo[i]);
        if (len[i] > 128 || (len[i] < 128 && (a << len[i]) != 0)) {
            rc = -SK_EINVAL;
            goto out;
        }
        keys[i] = (struct key6){.hi = hi[i], .lo = lo[i], .idx = id ? id[i] : (uint32_t)i,
                                .len = len[i]};
    }
    qsort(keys, n, sizeof *keys, key_cmp);
    t->b[0] = (struct bnd){0, 0, 0};
    t->nb = 1;
    rc = -SK_EINVAL;
    for (size_t k = 0; k < n; k++) {
        u128 s = mk(keys[k].hi, keys[k].lo);
        u128 end = keys[k].len == 0 ? ~(u128)0 : s + ((((u128)1) << (128 - keys[k].len)) - 1);
        if (keys[k].len == 128)
            end = s;
        if (k && keys[k - 1].hi == keys[k].hi && keys[k - 1].lo == keys[k].lo &&
            keys[k - 1].len == keys[k].len)
            goto out; /* the same prefix twice */
        while (sp && stack_end[sp - 1] < s) {
            u128 at = stack_end[--sp] + 1;
            if (push_boundary(t, cap, at, sp ? stack_idx[sp - 1] + 1 : 0) < 0)
                goto out;
        }
        if (parent)
            parent[keys[k].idx] = sp ? stack_idx[sp - 1] : SK_LPM_NONE;
        if (push_boundary(t, cap, s, keys[k].idx + 1) < 0 || sp == 130)
            goto out;
        stack_end[sp] = end;
        stack_idx[sp++] = keys[k].idx;
    }
    while (sp) {
        u128 e = stack_end[--sp];
        if (e != ~(u128)0 && push_boundary(t, cap, e + 1, sp ? stack_idx[sp - 1] + 1 : 0) < 0)
            goto out;
    }
    if ((rc = build_index(t)) < 0)
        goto out;
    *out = t;
    t = NULL;
out:
    free(keys);
    sk__lpm6_free(t);
    return rc;
}

void sk__lpm6_free(struct sk_lpm6 *t)
{
    if (!t)
        return;
    free(t->b);
    free(t->dir);
    free(t);
}

size_t sk__lpm6_bytes(const struct sk_lpm6 *t)
{
    if (!t)
        return 0;
    return t->nb * sizeof(struct bnd) + (sizeof(struct bucket) << t->k);
}

/* The region check: is a inside [region, region + 2^(128-c)) ? */
static inline int in_region(const struct sk_lpm6 *t, u128 a)
{
    return t->c == 0 || (a >> (128 - t->c)) == (t->region >> (128 - t->c));
}

static inline uint32_t search(const struct sk_lpm6 *t, const struct bucket *bk, uint64_t ah,
                              uint64_t al)
{
    size_t lo = bk->first, hi = bk->first + bk->count - 1;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        uint64_t h = t->b[mid].hi;
        if (h < ah || (h == ah && t->b[mid].lo <= al))
            lo = mid;
        else
            hi = mid - 1;
    }
    return t->b[lo].val;
}

uint32_t sk__lpm6_lookup(const struct sk_lpm6 *t, uint64_t ah, uint64_t al)
{
    u128 a = mk(ah, al);
    if (t->nb >= 2 && !in_region(t, a))
        return a < t->region ? t->b[0].val : t->b[t->nb - 1].val;
    const struct bucket *bk = &t->dir[bucket_of(t, a)];
    if (bk->count == 0)
        return bk->first;
    return search(t, bk, ah, al);
}

void sk__lpm6_lookup_batch(const struct sk_lpm6 *t, const uint64_t *hi, const uint64_t *lo,
                           size_t n, uint32_t *out)
{
    enum { D = 12 };

    /* stage 1: prefetch the bucket; stage 2: prefetch the middle of its
     * range; stage 3: resolve */
    for (size_t i = 0; i < n + 2 * D; i++) {
        if (i < n) {
            u128 a = mk(hi[i], lo[i]);
            if (t->nb < 2 || in_region(t, a))
                __builtin_prefetch(&t->dir[bucket_of(t, a)]);
        }
        if (i >= D && i - D < n) {
            size_t j = i - D;
            u128 a = mk(hi[j], lo[j]);
            if (t->nb < 2 || in_region(t, a)) {
                const struct bucket *bk = &t->dir[bucket_of(t, a)];
                if (bk->count) {
                    __builtin_prefetch(&t->b[bk->first]);
                    __builtin_prefetch(&t->b[bk->first + bk->count - 1]);
                }
            }
        }
        if (i >= 2 * D && i - 2 * D < n) {
            size_t j = i - 2 * D;
            out[j] = sk__lpm6_lookup(t, hi[j], lo[j]);
        }
    }
}
