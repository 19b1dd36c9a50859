/*
 * merkle.c — RFC 9162 Merkle tree: hashing, the frontier, proofs and their
 * verification.
 *
 * The frontier stores, for a tree of n leaves, the roots of the perfect
 * subtrees that n's binary representation decomposes into, largest first
 * (n = 13 = 8 + 4 + 1 → three hashes). Pushing a leaf appends a size-1
 * subtree and merges equal neighbours, like a binary counter; the root folds
 * the list from the right, which is exactly RFC 9162's split at the largest
 * power of two below n.
 *
 * Proofs are built top-down (the split of [lo, hi) at k) collecting the
 * sibling subtree hashes, which RFC 9162 lists bottom-up, so they are
 * reversed at the end. Each sibling hash is one pass of the source over its
 * range; the siblings of one proof are disjoint, so a proof reads each leaf
 * at most once.
 */
#include <sodium.h>
#include <string.h>

#include "audit/sha256.h"
#include "sakimori/error.h"
#include "sakimori/merkle.h"

void sk_merkle_leaf_hash(const void *entry, size_t len, uint8_t out[SK_MERKLE_HASH])
{
    static const uint8_t zero = 0x00;
    sk__sha256_2(&zero, 1, entry, len, out);
}

void sk_merkle_node_hash(const uint8_t left[SK_MERKLE_HASH], const uint8_t right[SK_MERKLE_HASH],
                         uint8_t out[SK_MERKLE_HASH])
{
    uint8_t buf[1 + 2 * SK_MERKLE_HASH];

    buf[0] = 0x01;
    memcpy(buf + 1, left, SK_MERKLE_HASH);
    memcpy(buf + 1 + SK_MERKLE_HASH, right, SK_MERKLE_HASH);
    sk__sha256_2(buf, sizeof buf, NULL, 0, out);
}

void sk_merkle_empty_root(uint8_t out[SK_MERKLE_HASH])
{
    crypto_hash_sha256(out, (const uint8_t *)"", 0);
}

void sk_merkle_frontier_init(struct sk_merkle_frontier *f)
{
    f->size = 0;
    f->n = 0;
}

void sk_merkle_frontier_push(struct sk_merkle_frontier *f, const uint8_t leaf[SK_MERKLE_HASH])
{
    memcpy(f->h[f->n++], leaf, SK_MERKLE_HASH);
    /* one merge per trailing 1-bit of the old size: a binary carry */
    for (uint64_t s = f->size; s & 1; s >>= 1) {
        sk_merkle_node_hash(f->h[f->n - 2], f->h[f->n - 1], f->h[f->n - 2]);
        f->n--;
    }
    f->size++;
}

void sk_merkle_frontier_root(const struct sk_merkle_frontier *f, uint8_t out[SK_MERKLE_HASH])
{
    uint8_t r[SK_MERKLE_HASH];

    if (f->n == 0) {
        sk_merkle_empty_root(out);
        return;
    }
    memcpy(r, f->h[f->n - 1], SK_MERKLE_HASH);
    for (unsigned i = f->n - 1; i-- > 0;)
        sk_merkle_node_hash(f->h[i], r, r);
    memcpy(out, r, SK_MERKLE_HASH);
}

size_t sk_merkle_frontier_bytes(const struct sk_merkle_frontier *f, uint8_t *out, size_t cap)
{
    size_t n = (size_t)f->n * SK_MERKLE_HASH;

    if (n > cap)
        return 0;
    memcpy(out, f->h, n);
    return n;
}

int sk_merkle_frontier_load(struct sk_merkle_frontier *f, uint64_t size, const uint8_t *b,
                            size_t len)
{
    unsigned n = (unsigned)__builtin_popcountll(size);

    if (len != (size_t)n * SK_MERKLE_HASH)
        return -SK_EPARSE;
    f->size = size;
    f->n = n;
    if (len)
        memcpy(f->h, b, len);
    return 0;
}

int sk_merkle_range_root(const struct sk_merkle_source *src, uint64_t lo, uint64_t hi,
                         uint8_t out[SK_MERKLE_HASH])
{
    struct sk_merkle_frontier f;
    int rc;

    if (hi < lo)
        return -SK_EINVAL;
    sk_merkle_frontier_init(&f);
    if (hi > lo && (rc = src->range(src->ctx, lo, hi, &f)) < 0)
        return rc;
    if (f.size != hi - lo)
        return -SK_ETRUNC;
    sk_merkle_frontier_root(&f, out);
    return 0;
}

/* The largest power of two strictly below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

static void reverse(uint8_t path[][SK_MERKLE_HASH], size_t from, size_t len)
{
    uint8_t t[SK_MERKLE_HASH];
    for (size_t i = from, j = len; i + 1 < j; i++, j--) {
        memcpy(t, path[i], SK_MERKLE_HASH);
        memcpy(path[i], path[j - 1], SK_MERKLE_HASH);
        memcpy(path[j - 1], t, SK_MERKLE_HASH);
    }
}

int sk_merkle_inclusion_proof(const struct sk_merkle_source *src, uint64_t m, uint64_t n,
                              uint8_t path[][SK_MERKLE_HASH], size_t *len)
{
    uint64_t lo = 0, hi = n;
    size_t k = 0;
    int rc;

    *len = 0;
    if (m >= n)
        return -SK_EINVAL;
    while (hi - lo > 1) {
        uint64_t s = split_point(hi - lo);
        if (k == SK_MERKLE_MAX_DEPTH)
            return -SK_ETOOBIG;
        if (m < lo + s) {
            rc = sk_merkle_range_root(src, lo + s, hi, path[k++]);
            hi = lo + s;
        } else {
            rc = sk_merkle_range_root(src, lo, lo + s, path[k++]);
            lo += s;
        }
        if (rc < 0)
            return rc;
    }
    reverse(path, 0, k);
    *len = k;
    return 0;
}

int sk_merkle_consistency_proof(const struct sk_merkle_source *src, uint64_t m, uint64_t n,
                                uint8_t path[][SK_MERKLE_HASH], size_t *len)
{
    uint64_t lo = 0, hi = n;
    size_t k = 0;
    int whole = 1, rc;
    uint8_t base[SK_MERKLE_HASH];
    int have_base = 0;

    *len = 0;
    if (m == 0 || m > n)
        return -SK_EINVAL;
    for (;;) {
        uint64_t size = hi - lo;
        if (m == size) {
            if (!whole) {
                if ((rc = sk_merkle_range_root(src, lo, hi, base)) < 0)
                    return rc;
                have_base = 1;
            }
            break;
        }
        uint64_t s = split_point(size);
        if (k + 1 >= SK_MERKLE_MAX_DEPTH)
            return -SK_ETOOBIG;
        if (m <= s) {
            rc = sk_merkle_range_root(src, lo + s, hi, path[k++]);
            hi = lo + s;
        } else {
            rc = sk_merkle_range_root(src, lo, lo + s, path[k++]);
            m -= s;
            lo += s;
            whole = 0;
        }
        if (rc < 0)
            return rc;
    }
    /* proof = [base] ‖ siblings bottom-up */
    reverse(path, 0, k);
    if (have_base) {
        memmove(path[1], path[0], k * SK_MERKLE_HASH);
        memcpy(path[0], base, SK_MERKLE_HASH);
        k++;
    }
    *len = k;
    return 0;
}

int sk_merkle_verify_inclusion(uint64_t m, uint64_t n, const uint8_t leaf[SK_MERKLE_HASH],
                               const uint8_t path[][SK_MERKLE_HASH], size_t len,
                               const uint8_t root[SK_MERKLE_HASH])
{
    uint8_t r[SK_MERKLE_HASH];
    uint64_t fn = m, sn;

    if (m >= n)
        return -SK_ECRYPTO;
    sn = n - 1;
    memcpy(r, leaf, SK_MERKLE_HASH);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0)
            return -SK_ECRYPTO;
        if ((fn & 1) || fn == sn) {
            sk_merkle_node_hash(path[i], r, r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            sk_merkle_node_hash(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || sodium_memcmp(r, root, SK_MERKLE_HASH) != 0)
        return -SK_ECRYPTO;
    return 0;
}

int sk_merkle_verify_consistency(uint64_t m, uint64_t n, const uint8_t root1[SK_MERKLE_HASH],
                                 const uint8_t root2[SK_MERKLE_HASH],
                                 const uint8_t path[][SK_MERKLE_HASH], size_t len)
{
    uint8_t fr[SK_MERKLE_HASH], sr[SK_MERKLE_HASH];
    const uint8_t *first;
    size_t i;
    uint64_t fn, sn;

    if (m == 0 || m > n)
        return -SK_ECRYPTO;
    if (m == n)
        return len == 0 && sodium_memcmp(root1, root2, SK_MERKLE_HASH) == 0 ? 0 : -SK_ECRYPTO;
    if (len == 0)
        return -SK_ECRYPTO;
    /* if m is a power of two, the old root is the first node of the path */
    if ((m & (m - 1)) == 0) {
        first = root1;
        i = 0;
    } else {
        first = path[0];
        i = 1;
    }
    fn = m - 1;
    sn = n - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    memcpy(fr, first, SK_MERKLE_HASH);
    memcpy(sr, first, SK_MERKLE_HASH);
    for (; i < len; i++) {
        if (sn == 0)
            return -SK_ECRYPTO;
        if ((fn & 1) || fn == sn) {
            sk_merkle_node_hash(path[i], fr, fr);
            sk_merkle_node_hash(path[i], sr, sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            sk_merkle_node_hash(sr, path[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || sodium_memcmp(fr, root1, SK_MERKLE_HASH) != 0 ||
        sodium_memcmp(sr, root2, SK_MERKLE_HASH) != 0)
        return -SK_ECRYPTO;
    return 0;
}
