/*
 * lpm4.c — IPv4 longest-prefix match: DIR-24 with compressed chunks.
 *
 * Layout (see lpm.h): a 2^24-entry table indexed by the top 24 bits (64 MiB,
 * on transparent huge pages), each entry a result or a reference to a chunk
 * of (first octet, result) runs for a /24 that holds longer prefixes. The
 * classic DIR-24-8 gives such a /24 a 256-entry tbl8 (1 KiB); a feed of host
 * addresses spread over the whole space then needs one per address (10 M
 * hosts: 10 GiB). A chunk stores only the runs: a /24 with one host costs 16
 * bytes, and 10 M random prefixes fit in about 250 MiB all told.
 *
 * Build, O(n log n) time and O(n) extra memory:
 *   1. sort (address, length, index) keys with a radix sort;
 *   2. sweep them with a stack of open prefixes: the stack top when a prefix
 *      opens is its parent; each open/close emits a boundary "from here on
 *      the longest match is X" (deduplicated on the fly);
 *   3. stream the boundaries into the table: a /24 crossed by no boundary
 *      gets the value in effect, a /24 with boundaries inside gets a chunk.
 *   The boundaries are consumed as they are made, never stored (10 M
 *   prefixes would need 160 MiB for them) into a chunk area reserved for
 *   the worst case (virtual memory: only the pages written are backed, and
 *   the rest is given back at the end).
 * Lookup: one table read; for a chunk, one more read and a 16-byte SIMD
 * compare of its run starts. The batch lookup pipelines three stages across
 * addresses (prefetch the table entry, then the chunk, then resolve) so that
 * many cache misses are in flight at once.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "intel/lpm.h"
#include "sakimori/error.h"

#define CHUNK_FLAG 0x80000000u
#define IDX_BITS 26
#define IDX_MASK ((1ULL << IDX_BITS) - 1)
#define SLACK 16 /* bytes readable past the last chunk (16-byte loads) */

struct sk_lpm4 {
    uint32_t *tbl24;   /* 1 << 24 entries */
    uint8_t *chunks;   /* chunk area, 4-byte aligned chunks */
    size_t chunk_bytes;
    size_t nchunks;
};

/* --- shared helpers ------------------------------------------------------- */

#define HUGE_PAGE (2u << 20)

/* mmap'd, 2 MiB aligned (so that transparent huge pages can back all of it;
 * Linux before 6.7 does not align anonymous mappings itself), rounded up to
 * whole huge pages. Untouched pages cost no memory. */
static size_t big_size(size_t size) { return (size + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1); }

void *sk__big_alloc(size_t size)
{
    size_t sz = big_size(size);
    uint8_t *p = mmap(NULL, sz + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    size_t head = (HUGE_PAGE - ((uintptr_t)p & (HUGE_PAGE - 1))) & (HUGE_PAGE - 1);
    if (head)
        munmap(p, head);
    if (HUGE_PAGE - head)
        munmap(p + head + sz, HUGE_PAGE - head);
#ifdef MADV_HUGEPAGE
    madvise(p + head, sz, MADV_HUGEPAGE);
#endif
    return p + head;
}

void sk__big_free(void *p, size_t size)
{
    if (p)
        munmap(p, big_size(size));
}

/* Gives back the pages past `used` of a region of `size` bytes. */
static void big_trim(void *p, size_t size, size_t used)
{
    size_t keep = big_size(used), all = big_size(size);
    if (keep < all)
        munmap((uint8_t *)p + keep, all - keep);
}

void sk__radix_sort64(uint64_t *v, uint64_t *tmp, size_t n)
{
    size_t count[1 << 16];
    uint64_t *src = v, *dst = tmp;

    for (unsigned shift = 0; shift < 64; shift += 16) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xffff]++;
        if (count[(src[0] >> shift) & 0xffff] == n)
            continue; /* every key has the same digit: nothing to move */
        size_t sum = 0;
        for (size_t d = 0; d < (1 << 16); d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
}

/* --- boundary sweep --------------------------------------------------------- */

/* Consumer of boundaries: the table builder below. */
struct fill {
    struct sk_lpm4 *t;
    int failed;         /* out of memory growing the chunk area */
    uint32_t block;     /* the /24 being assembled */
    uint32_t value;     /* value in effect at the end of what was seen */
    uint32_t nruns;
    uint8_t starts[256];
    uint32_t vals[256];
    size_t off;         /* next free byte in the chunk area */
};

static size_t chunk_size(uint32_t nruns)
{
    return ((1 + nruns + 3) & ~(size_t)3) + 4 * (size_t)nruns;
}

static void finish_block(struct fill *f)
{
    if (f->nruns == 1) {
        if (f->vals[0])
            f->t->tbl24[f->block] = f->vals[0];
        return;
    }
    size_t sz = chunk_size(f->nruns);
    if (f->off + sz + SLACK > f->t->chunk_bytes) {
        f->failed = 1; /* cannot happen: the area is sized for the worst case */
        return;
    }
    {
        uint8_t *c = f->t->chunks + f->off;
        c[0] = (uint8_t)(f->nruns - 1);
        memcpy(c + 1, f->starts, f->nruns);
        memcpy(c + ((1 + f->nruns + 3) & ~3u), f->vals, 4 * (size_t)f->nruns);
        f->t->tbl24[f->block] = CHUNK_FLAG | (uint32_t)(f->off >> 2);
    }
    f->off += sz;
    f->t->nchunks++;
}

/* Fills the blocks after the current one up to (not including) `to` with
 * the value in effect. */
static void fill_blocks(struct fill *f, uint64_t to)
{
    if (f->value == 0)
        return; /* fresh mmap'd memory reads as zero: leave the pages untouched */
    for (uint64_t b = (uint64_t)f->block + 1; b < to; b++)
        f->t->tbl24[b] = f->value;
}

static void on_boundary(struct fill *f, uint64_t pos, uint32_t val)
{
    uint32_t b = (uint32_t)(pos >> 8);
    if (b != f->block) {
        finish_block(f);
        fill_blocks(f, b);
        f->block = b;
        f->nruns = 1;
        f->starts[0] = 0;
        f->vals[0] = f->value;
    }
    if ((pos & 0xff) == 0) {
        f->vals[0] = val;
    } else {
        f->starts[f->nruns] = (uint8_t)(pos & 0xff);
        f->vals[f->nruns] = val;
        f->nruns++;
    }
    f->value = val;
}

/* Deduplication between the sweep and the consumer: a boundary at the same
 * position replaces the pending one; a boundary that does not change the
 * value is dropped. */
struct emitter {
    struct fill *f;
    int has_pending;
    uint64_t ppos;
    uint32_t pval;
    uint32_t last; /* value of the last boundary passed on */
};

static void emit(struct emitter *e, uint64_t pos, uint32_t val)
{
    if (e->has_pending && e->ppos == pos) {
        e->pval = val;
        return;
    }
    if (e->has_pending && e->pval != e->last) {
        on_boundary(e->f, e->ppos, e->pval);
        e->last = e->pval;
    }
    e->has_pending = 1;
    e->ppos = pos;
    e->pval = val;
}

static void emit_flush(struct emitter *e)
{
    if (e->has_pending && e->pval != e->last) {
        on_boundary(e->f, e->ppos, e->pval);
        e->last = e->pval;
    }
    e->has_pending = 0;
}

static int sweep(const uint64_t *keys, size_t n, const uint32_t *id, uint32_t *parent,
                 struct fill *f)
{
    uint64_t stack_end[34];
    uint32_t stack_idx[34];
    unsigned sp = 0;
    struct emitter e = {.f = f, .last = 0};

    f->block = 0;
    f->value = 0;
    f->nruns = 1;
    f->starts[0] = 0;
    f->vals[0] = 0;
    f->off = 0;
    f->failed = 0;
    f->t->nchunks = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t s = keys[k] >> 32;
        unsigned len = (unsigned)(keys[k] >> IDX_BITS) & 63;
        uint32_t i = (uint32_t)(keys[k] & IDX_MASK);
        if (id)
            i = id[i];
        uint64_t end = s + ((1ULL << (32 - len)) - 1);
        if (k && (keys[k - 1] >> IDX_BITS) == (keys[k] >> IDX_BITS))
            return -SK_EINVAL; /* the same prefix twice */
        while (sp && stack_end[sp - 1] < s) {
            uint64_t at = stack_end[--sp] + 1;
            emit(&e, at, sp ? stack_idx[sp - 1] + 1 : 0);
        }
        if (parent)
            parent[i] = sp ? stack_idx[sp - 1] : SK_LPM_NONE;
        emit(&e, s, i + 1);
        if (sp == 34)
            return -SK_EINVAL; /* cannot happen with distinct prefixes */
        stack_end[sp] = end;
        stack_idx[sp++] = i;
    }
    while (sp) {
        uint64_t at = stack_end[--sp] + 1;
        if (at < (1ULL << 32))
            emit(&e, at, sp ? stack_idx[sp - 1] + 1 : 0);
    }
    emit_flush(&e);
    finish_block(f);
    fill_blocks(f, 1u << 24);
    return f->failed ? -SK_ENOMEM : 0;
}

int sk__lpm4_build(const uint32_t *addr, const uint8_t *len, const uint32_t *id, size_t n,
                   uint32_t *parent, struct sk_lpm4 **out)
{
    struct sk_lpm4 *t = calloc(1, sizeof *t);
    uint64_t *keys = NULL, *tmp = NULL;
    struct fill *f = NULL;
    int rc = -SK_ENOMEM;

    *out = NULL;
    if (!t)
        return -SK_ENOMEM;
    if (n > IDX_MASK) {
        rc = -SK_ETOOBIG;
        goto out;
    }
    if (!(f = calloc(1, sizeof *f)) || !(keys = malloc((n ? n : 1) * sizeof *keys)) ||
        !(tmp = malloc((n ? n : 1) * sizeof *tmp)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (len[i] > 32 || (len[i] < 32 && (addr[i] & (0xffffffffu >> len[i]))) ||
            (id && id[i] >= CHUNK_FLAG - 1)) {
            rc = -SK_EINVAL;
            goto out;
        }
        keys[i] = (uint64_t)addr[i] << 32 | (uint64_t)len[i] << IDX_BITS | i;
    }
    sk__radix_sort64(keys, tmp, n);
    free(tmp);
    tmp = NULL;
    /* the chunk area for the worst case: at most 2n + 1 boundaries, so at
     * most C = min(2^24, 2n + 1) chunks of r runs, Σr ≤ 2n + 1 + C, each
     * at most 5r + 4 bytes. Only the pages written are ever backed. */
    size_t maxc = n * 2 + 1 < (1u << 24) ? n * 2 + 1 : (1u << 24);
    t->chunk_bytes = 5 * (2 * n + 1 + maxc) + 4 * maxc + SLACK;
    if (!(t->tbl24 = sk__big_alloc(sizeof(uint32_t) << 24)) ||
        !(t->chunks = sk__big_alloc(t->chunk_bytes)))
        goto out;
    f->t = t;
    if ((rc = sweep(keys, n, id, parent, f)) < 0)
        goto out;
    big_trim(t->chunks, t->chunk_bytes, f->off + SLACK);
    t->chunk_bytes = f->off + SLACK;
    *out = t;
    t = NULL;
out:
    free(f);
    free(keys);
    free(tmp);
    sk__lpm4_free(t);
    return rc;
}

void sk__lpm4_free(struct sk_lpm4 *t)
{
    if (!t)
        return;
    sk__big_free(t->tbl24, sizeof(uint32_t) << 24);
    sk__big_free(t->chunks, t->chunk_bytes);
    free(t);
}

size_t sk__lpm4_bytes(const struct sk_lpm4 *t)
{
    return t ? (sizeof(uint32_t) << 24) + t->chunk_bytes : 0;
}

/* How many of the n sorted starts are <= off. */
static inline unsigned count_le(const uint8_t *s, unsigned n, unsigned off)
{
#ifdef __SSE2__
    __m128i v = _mm_set1_epi8((char)off);
    unsigned cnt = 0;
    for (unsigned i = 0; i < n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(x, v), v));
        if (n - i < 16)
            m &= (1u << (n - i)) - 1;
        cnt += (unsigned)__builtin_popcount(m);
    }
    return cnt;
#else
    unsigned cnt = 0;
    while (cnt < n && s[cnt] <= off)
        cnt++;
    return cnt;
#endif
}

static inline uint32_t resolve(const struct sk_lpm4 *t, uint32_t e, uint32_t addr)
{
    if (!(e & CHUNK_FLAG))
        return e;
    const uint8_t *c = t->chunks + ((size_t)(e & ~CHUNK_FLAG) << 2);
    unsigned n = (unsigned)c[0] + 1;
    unsigned i = count_le(c + 1, n, addr & 0xff) - 1;
    uint32_t v;
    memcpy(&v, c + ((1 + n + 3) & ~3u) + 4 * i, 4);
    return v;
}

uint32_t sk__lpm4_lookup(const struct sk_lpm4 *t, uint32_t addr)
{
    return resolve(t, t->tbl24[addr >> 8], addr);
}

void sk__lpm4_lookup_batch(const struct sk_lpm4 *t, const uint32_t *addr, size_t n, uint32_t *out)
{
#ifndef SK_LPM4_D
#define SK_LPM4_D 16
#endif
    enum { D = SK_LPM4_D };
    const uint32_t *tbl = t->tbl24;

    /* stage 1 at i: prefetch the table entry of address i;
     * stage 2 at i - D: read it into out[], prefetch its chunk;
     * stage 3 at i - 2D: resolve out[] in place. */
    for (size_t i = 0; i < n + 2 * D; i++) {
        if (i < n)
            __builtin_prefetch(&tbl[addr[i] >> 8]);
        if (i >= D && i - D < n) {
            size_t j = i - D;
            uint32_t e = tbl[addr[j] >> 8];
            out[j] = e;
            if (e & CHUNK_FLAG)
                __builtin_prefetch(t->chunks + ((size_t)(e & ~CHUNK_FLAG) << 2));
        }
        if (i >= 2 * D && i - 2 * D < n) {
            size_t j = i - 2 * D;
            out[j] = resolve(t, out[j], addr[j]);
        }
    }
}
