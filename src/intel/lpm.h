/*
 * lpm.h — longest-prefix match structures of src/intel (internal).
 *
 * Both structures are built once from a set of distinct prefixes and then
 * only read. A lookup returns 1 + the index (in the input arrays) of the
 * longest prefix containing the address, or 0. All the other containing
 * prefixes are found through parent[]: parent[i] is the index of the longest
 * prefix strictly containing prefix i, or SK_LPM_NONE — so one lookup plus a
 * walk up parent[] yields every match, most specific first.
 *
 * Both are built from the same "boundary" form of a prefix set: the sorted
 * positions where the longest match changes, with the value from there on
 * (at most 2n + 1 boundaries for n prefixes), computed by one sweep over the
 * prefixes sorted by (start, length) with a stack of open prefixes.
 *
 * Each prefix k carries an id (id[k], or k itself when id is NULL): a lookup
 * returns 1 + the id, and parent[] is indexed by id, so the caller's own
 * numbering (indicator indexes) needs no translation table.
 */
#ifndef SK_INTEL_LPM_H
#define SK_INTEL_LPM_H

#include <stddef.h>
#include <stdint.h>

#define SK_LPM_NONE UINT32_MAX

/* --- IPv4: DIR-24 with compressed 256-address chunks ----------------------
 * tbl24[a >> 8] is either the result for the whole /24 (high bit clear) or,
 * with the high bit set, the 4-byte-unit offset of a chunk: the runs of
 * equal results inside that /24 as (first octet, result) pairs,
 *   u8 nruns-1 | u8 start[nruns] | pad to 4 | u32 result[nruns]
 * found by counting the starts <= the last octet (16 at a time with SSE2).
 * One memory access for a /24 without longer prefixes, two otherwise; a
 * chunk with one host prefix costs 16 bytes (DIR-24-8's tbl8 costs 1 KiB). */
struct sk_lpm4;

/* addr: host order, host bits clear; len 0–32; no duplicates; ids < 2^31.
 * parent[id] is set for every id. */
int sk__lpm4_build(const uint32_t *addr, const uint8_t *len, const uint32_t *id, size_t n,
                   uint32_t *parent, struct sk_lpm4 **out);
void sk__lpm4_free(struct sk_lpm4 *t);
uint32_t sk__lpm4_lookup(const struct sk_lpm4 *t, uint32_t addr);
/* n lookups with software prefetching (addresses in host order). */
void sk__lpm4_lookup_batch(const struct sk_lpm4 *t, const uint32_t *addr, size_t n, uint32_t *out);
size_t sk__lpm4_bytes(const struct sk_lpm4 *t);

/* --- IPv6: direct index + sorted boundaries (DXR-style) -------------------
 * The boundaries are kept as one sorted array of (high 64 bits, low 64 bits,
 * result). The addresses between the first and last boundary share their
 * top c bits; the next K bits index a table of (first boundary, count)
 * ranges, and a bucket with no boundary inside holds its result directly.
 * A lookup is one index access and a short search over a bucket's few
 * boundaries, which share a cache line or two. */
struct sk_lpm6;

/* hi/lo: the address as two host-order 64-bit halves, host bits clear. */
int sk__lpm6_build(const uint64_t *hi, const uint64_t *lo, const uint8_t *len,
                   const uint32_t *id, size_t n, uint32_t *parent, struct sk_lpm6 **out);
void sk__lpm6_free(struct sk_lpm6 *t);
uint32_t sk__lpm6_lookup(const struct sk_lpm6 *t, uint64_t hi, uint64_t lo);
void sk__lpm6_lookup_batch(const struct sk_lpm6 *t, const uint64_t *hi, const uint64_t *lo,
                           size_t n, uint32_t *out);
size_t sk__lpm6_bytes(const struct sk_lpm6 *t);

/* Sorts n 64-bit keys ascending (LSD radix, 16-bit digits); tmp holds n. */
void sk__radix_sort64(uint64_t *v, uint64_t *tmp, size_t n);

/* Large zeroed allocation backed by transparent huge pages where the kernel
 * allows it (fewer TLB misses for tables read at random). Free with
 * sk__big_free(p, size). */
void *sk__big_alloc(size_t size);
void sk__big_free(void *p, size_t size);

#endif
