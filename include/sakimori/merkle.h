/*
 * merkle.h — RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing,
 * inclusion proofs and consistency proofs.
 *
 *   leaf hash  = SHA-256(0x00 ‖ entry)
 *   node hash  = SHA-256(0x01 ‖ left ‖ right)
 *   MTH({})    = SHA-256("")
 *   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of 2 < n
 *
 * A frontier (RFC 9162's "compact range" of the whole tree) holds one
 * subtree hash per set bit of the tree size, so appending a leaf and
 * computing the current root cost O(log n) time and memory: the audit log
 * keeps one in the store and never rereads old leaves to sign a new head.
 *
 * Proofs need hashes of arbitrary ranges of leaves; they read leaves through
 * a source callback, so the same code serves an in-memory array (tests) and
 * the store (one sequential pass over the leaves).
 */
#ifndef SAKIMORI_MERKLE_H
#define SAKIMORI_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define SK_MERKLE_HASH 32
#define SK_MERKLE_MAX_DEPTH 64

struct sk_merkle_frontier {
    uint64_t size;                                   /* leaves so far */
    uint8_t h[SK_MERKLE_MAX_DEPTH][SK_MERKLE_HASH];  /* subtree hashes, largest first */
    unsigned n;                                      /* entries in h (popcount of size) */
};

void sk_merkle_leaf_hash(const void *entry, size_t len, uint8_t out[SK_MERKLE_HASH]);
void sk_merkle_node_hash(const uint8_t left[SK_MERKLE_HASH], const uint8_t right[SK_MERKLE_HASH],
                         uint8_t out[SK_MERKLE_HASH]);
void sk_merkle_empty_root(uint8_t out[SK_MERKLE_HASH]);

void sk_merkle_frontier_init(struct sk_merkle_frontier *f);
void sk_merkle_frontier_push(struct sk_merkle_frontier *f, const uint8_t leaf[SK_MERKLE_HASH]);
/* The root of the tree of f->size leaves. */
void sk_merkle_frontier_root(const struct sk_merkle_frontier *f, uint8_t out[SK_MERKLE_HASH]);
/* Serialized form: the f->n hashes, 32 bytes each, largest subtree first. */
size_t sk_merkle_frontier_bytes(const struct sk_merkle_frontier *f, uint8_t *out, size_t cap);
/* -SK_EPARSE when len does not match popcount(size) hashes. */
int sk_merkle_frontier_load(struct sk_merkle_frontier *f, uint64_t size, const uint8_t *b,
                            size_t len);

/* Leaves lo..hi-1 (0-based), in order, pushed into f. */
struct sk_merkle_source {
    int (*range)(void *ctx, uint64_t lo, uint64_t hi, struct sk_merkle_frontier *f);
    void *ctx;
};

/* MTH of leaves lo..hi-1. */
int sk_merkle_range_root(const struct sk_merkle_source *src, uint64_t lo, uint64_t hi,
                         uint8_t out[SK_MERKLE_HASH]);

/* Inclusion proof of leaf m in the tree of n leaves: fills path (at most
 * SK_MERKLE_MAX_DEPTH hashes) and sets *len. */
int sk_merkle_inclusion_proof(const struct sk_merkle_source *src, uint64_t m, uint64_t n,
                              uint8_t path[][SK_MERKLE_HASH], size_t *len);
/* Consistency proof between the trees of m and n leaves, 0 < m <= n. */
int sk_merkle_consistency_proof(const struct sk_merkle_source *src, uint64_t m, uint64_t n,
                                uint8_t path[][SK_MERKLE_HASH], size_t *len);

/* RFC 9162 §2.1.3.2: 0 when leaf m is in the tree (n, root), else -SK_ECRYPTO. */
int sk_merkle_verify_inclusion(uint64_t m, uint64_t n, const uint8_t leaf[SK_MERKLE_HASH],
                               const uint8_t path[][SK_MERKLE_HASH], size_t len,
                               const uint8_t root[SK_MERKLE_HASH]);
/* RFC 9162 §2.1.4.2: 0 when the tree (n, root2) extends (m, root1). */
int sk_merkle_verify_consistency(uint64_t m, uint64_t n, const uint8_t root1[SK_MERKLE_HASH],
                                 const uint8_t root2[SK_MERKLE_HASH],
                                 const uint8_t path[][SK_MERKLE_HASH], size_t len);

#endif
