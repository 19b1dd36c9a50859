/*
 * domset.c — exact and parent-domain name matching, bounded by the
 * registered domain.
 *
 * One open-addressing table of 64-bit slots, (32-bit hash tag << 32) |
 * (node + 1), at most 60 % full, over an array of nodes (one per distinct
 * name). A lookup of a.b.example.co.uk probes the name itself, then its
 * parents from the longest, and stops at the first hit: the name itself
 * (exact: its domain and fqdn indicators apply) or a parent carrying a domain
 * indicator. Each node knows its nearest domain ancestor (parent), computed
 * at build, so the other matches need no more probing.
 *
 * Two 64-bit masks of the label counts present (names, and domain names that
 * may be parents) skip probes that cannot hit: with indicators of 2–4 labels
 * a 6-label name costs at most 3 probes. A tag mismatch costs no string
 * comparison, so a miss reads one cache line per probe.
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

struct sk_domset {
    struct sk_domset_node *nodes;
    size_t n;
    uint64_t *slots;
    size_t mask;
    uint64_t seed;
    uint64_t mask_exact, mask_parent; /* bit min(labels, 63) */
};

static inline uint64_t lbit(unsigned labels) { return 1ULL << (labels > 63 ? 63 : labels); }

static inline uint32_t probe(const struct sk_domset *d, const char *s, size_t len, uint64_t hv)
{
    uint32_t tag = (uint32_t)(hv >> 32);
    for (size_t i = hv & d->mask;; i = (i + 1) & d->mask) {
        uint64_t v = d->slots[i];
        if (!v)
            return SK_DOMSET_NONE;
        if ((uint32_t)(v >> 32) == tag) {
            const struct sk_domset_node *nd = &d->nodes[(uint32_t)v - 1];
            if (nd->len == len && memcmp(nd->name, s, len) == 0)
                return (uint32_t)v - 1;
        }
    }
}

static unsigned count_labels(const char *s, size_t len)
{
    unsigned n = 1;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '.';
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
    if (n >= UINT32_MAX / 2) {
        rc = -SK_ETOOBIG;
        goto fail;
    }
    while (nslots * 3 < n * 5)
        nslots *= 2;
    d->seed = seed;
    d->n = n;
    d->mask = nslots - 1;
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
        *nd = (struct sk_domset_node){.name = names[i], .domain = domain[i], .fqdn = fqdn[i],
                                      .parent = SK_DOMSET_NONE, .len = (uint16_t)len,
                                      .labels = (uint8_t)count_labels(names[i], len)};
        uint64_t hv = sk_hash64(names[i], len, seed);
        if (probe(d, names[i], len, hv) != SK_DOMSET_NONE) {
            rc = -SK_EINVAL; /* the same name twice */
            goto fail;
        }
        size_t s = hv & d->mask;
        while (d->slots[s])
            s = (s + 1) & d->mask;
        d->slots[s] = (hv >> 32) << 32 | (uint64_t)(i + 1);
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
    }
    /* parent links: the nearest domain ancestor within the registered domain */
    for (size_t i = 0; i < n; i++) {
        struct sk_domset_node *nd = &d->nodes[i];
        unsigned labels = nd->labels;
        for (size_t k = 0; k < nd->len; k++) {
            if (nd->name[k] != '.')
                continue;
            labels--;
            if (!(d->mask_parent & lbit(labels)))
                continue;
            const char *suf = nd->name + k + 1;
            size_t slen = nd->len - k - 1;
            uint32_t p = probe(d, suf, slen, sk_hash64(suf, slen, seed));
            if (p == SK_DOMSET_NONE || !(d->nodes[p].flags & F_PARENT_OK))
                continue;
            if ((d->nodes[p].flags & F_GUARD) && !sk__psl_within(nd->name, nd->len, slen))
                break; /* above the registered domain, and so is everything shorter */
            nd->parent = p;
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
    free(d);
}

size_t sk__domset_bytes(const struct sk_domset *d)
{
    return d ? d->n * sizeof *d->nodes + (d->mask + 1) * sizeof *d->slots : 0;
}

const struct sk_domset_node *sk__domset_node(const struct sk_domset *d, uint32_t i)
{
    return &d->nodes[i];
}

uint32_t sk__domset_lookup(const struct sk_domset *d, const char *name, size_t len, int *exact)
{
    unsigned labels;

    *exact = 0;
    if (!d || d->n == 0 || len == 0 || len > 253)
        return 0;
    labels = count_labels(name, len);
    if (d->mask_exact & lbit(labels)) {
        uint32_t p = probe(d, name, len, sk_hash64(name, len, d->seed));
        if (p != SK_DOMSET_NONE) {
            *exact = 1;
            return p + 1;
        }
    }
    for (size_t k = 0; k < len; k++) {
        if (name[k] != '.')
            continue;
        labels--;
        if (!(d->mask_parent & lbit(labels)))
            continue;
        const char *suf = name + k + 1;
        size_t slen = len - k - 1;
        uint32_t p = probe(d, suf, slen, sk_hash64(suf, slen, d->seed));
        if (p == SK_DOMSET_NONE || !(d->nodes[p].flags & F_PARENT_OK))
            continue;
        if ((d->nodes[p].flags & F_GUARD) && !sk__psl_within(name, len, slen))
            return 0;
        return p + 1;
    }
    return 0;
}

void sk__domset_lookup_batch(const struct sk_domset *d, const char *const *names,
                             const uint16_t *lens, size_t n, uint32_t *out)
{
    enum { D = 8 };

    if (!d || d->n == 0) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    /* stage 1: hash every candidate suffix and prefetch its slot;
     * stage 2 (D names later): look up, the slots now in cache */
    for (size_t i = 0; i < n + D; i++) {
        if (i < n && lens[i] && lens[i] <= 253) {
            const char *s = names[i];
            size_t len = lens[i];
            unsigned labels = count_labels(s, len);
            if (d->mask_exact & lbit(labels))
                __builtin_prefetch(&d->slots[sk_hash64(s, len, d->seed) & d->mask]);
            for (size_t k = 0; k < len; k++) {
                if (s[k] != '.')
                    continue;
                labels--;
                if (d->mask_parent & lbit(labels))
                    __builtin_prefetch(
                        &d->slots[sk_hash64(s + k + 1, len - k - 1, d->seed) & d->mask]);
            }
        }
        if (i >= D) {
            size_t j = i - D;
            int exact;
            uint32_t r = sk__domset_lookup(d, names[j], lens[j], &exact);
            out[j] = r | (r && exact ? SK_DOMSET_EXACT : 0);
        }
    }
}
