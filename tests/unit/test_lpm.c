/*
 * test_lpm.c — the IPv4 and IPv6 longest-prefix-match structures against a
 * brute-force reference (a hash set probed at every prefix length) on random
 * prefix sets with a fixed seed: nested and overlapping prefixes, /0, /32,
 * /128, dense /24s (chunks with 256 runs), sparse sets over the whole
 * space, the first and last address of every prefix and their neighbours.
 * Every lookup's result and parent chain are checked, and the batch lookup
 * must agree with the single one. Several million cases in all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "intel/lpm.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* --- reference: (address, length) → index, probed at every length ------- */

struct ref {
    uint64_t *khi, *klo; /* key words; klo holds len in its top byte for v4 */
    uint8_t *klen;
    uint32_t *idx;       /* index + 1, 0 = empty */
    size_t mask;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static void ref_init(struct ref *r, size_t n)
{
    size_t cap = 16;
    while (cap < 3 * n)
        cap *= 2;
    r->khi = calloc(cap, 8);
    r->klo = calloc(cap, 8);
    r->klen = calloc(cap, 1);
    r->idx = calloc(cap, 4);
    r->mask = cap - 1;
}

static void ref_free(struct ref *r)
{
    free(r->khi);
    free(r->klo);
    free(r->klen);
    free(r->idx);
}

static size_t ref_slot(const struct ref *r, uint64_t hi, uint64_t lo, uint8_t len)
{
    size_t s = mix(hi ^ mix(lo ^ len)) & r->mask;
    while (r->idx[s] && !(r->khi[s] == hi && r->klo[s] == lo && r->klen[s] == len))
        s = (s + 1) & r->mask;
    return s;
}

/* adds unless present; returns 1 if added */
static int ref_add(struct ref *r, uint64_t hi, uint64_t lo, uint8_t len, uint32_t i)
{
    size_t s = ref_slot(r, hi, lo, len);
    if (r->idx[s])
        return 0;
    r->khi[s] = hi;
    r->klo[s] = lo;
    r->klen[s] = len;
    r->idx[s] = i + 1;
    return 1;
}

static uint32_t ref_get(const struct ref *r, uint64_t hi, uint64_t lo, uint8_t len)
{
    return r->idx[ref_slot(r, hi, lo, len)];
}

/* --- IPv4 ------------------------------------------------------------------ */

static uint32_t mask4(uint32_t a, unsigned len) { return len ? a & (0xffffffffu << (32 - len)) : 0; }
/* the host bits of a prefix of length len */
static uint32_t host4(unsigned len) { return len >= 32 ? 0 : 0xffffffffu >> len; }

/* The containing prefixes of a, longest first: indexes into out, count. */
static size_t ref4_all(const struct ref *r, uint32_t a, uint32_t *out)
{
    size_t n = 0;
    for (int len = 32; len >= 0; len--) {
        uint32_t i = ref_get(r, mask4(a, (unsigned)len), 0, (uint8_t)len);
        if (i)
            out[n++] = i - 1;
    }
    return n;
}

static void check4(const struct sk_lpm4 *t, const struct ref *r, const uint32_t *parent, uint32_t a)
{
    uint32_t want[33];
    size_t nw = ref4_all(r, a, want);
    uint32_t got = sk__lpm4_lookup(t, a);
    if (nw == 0) {
        if (got != 0)
            fail_msg("v4 %08x: expected no match, got prefix %u", a, got - 1);
        return;
    }
    if (got != want[0] + 1)
        fail_msg("v4 %08x: expected prefix %u, got %d", a, want[0], (int)got - 1);
    size_t k = 0;
    for (uint32_t p = got - 1; p != SK_LPM_NONE; p = parent[p], k++)
        if (k >= nw || p != want[k])
            fail_msg("v4 %08x: parent chain differs at %zu", a, k);
    assert_int_equal(k, nw);
}

static void run4(uint32_t *addr, uint8_t *len, size_t n, size_t nq, int near_only)
{
    struct ref r;
    struct sk_lpm4 *t;
    uint32_t *parent = malloc((n ? n : 1) * 4);
    size_t m = 0;

    /* drop duplicates, as the caller of build must */
    ref_init(&r, n);
    for (size_t i = 0; i < n; i++) {
        addr[i] = mask4(addr[i], len[i]);
        if (ref_add(&r, addr[i], 0, len[i], (uint32_t)m)) {
            addr[m] = addr[i];
            len[m++] = len[i];
        }
    }
    assert_int_equal(sk__lpm4_build(addr, len, NULL, m, parent, &t), 0);
    /* the edges of every prefix and their neighbours */
    for (size_t i = 0; i < m; i++) {
        uint32_t first = addr[i], last = first | host4(len[i]);
        check4(t, &r, parent, first);
        check4(t, &r, parent, last);
        check4(t, &r, parent, first - 1);
        check4(t, &r, parent, last + 1);
    }
    uint32_t *q = malloc(nq * 4), *out = malloc(nq * 4);
    for (size_t i = 0; i < nq; i++) {
        if (m && (near_only || next() % 2)) {
            size_t k = next() % m;
            q[i] = addr[k] | (uint32_t)(next() & host4(len[k]));
            if (len[k] == 0 || (next() % 4 == 0))
                q[i] ^= (uint32_t)(1u << (next() % 32));
        } else {
            q[i] = (uint32_t)next();
        }
        check4(t, &r, parent, q[i]);
    }
    sk__lpm4_lookup_batch(t, q, nq, out);
    for (size_t i = 0; i < nq; i++)
        if (out[i] != sk__lpm4_lookup(t, q[i]))
            fail_msg("v4 batch differs at %zu", i);
    /* batches shorter than the pipeline too */
    for (size_t l = 0; l < 40 && l <= nq; l++) {
        sk__lpm4_lookup_batch(t, q, l, out);
        for (size_t i = 0; i < l; i++)
            assert_int_equal(out[i], sk__lpm4_lookup(t, q[i]));
    }
    free(q);
    free(out);
    free(parent);
    sk__lpm4_free(t);
    ref_free(&r);
}

static void test_lpm4_edges(void **state)
{
    uint32_t a[4];
    uint8_t l[4];
    /* empty */
    run4(a, l, 0, 1000, 0);
    /* only the default route */
    a[0] = 0, l[0] = 0;
    run4(a, l, 1, 10000, 0);
    /* the first and last address as hosts, with /0 and /1s */
    a[0] = 0, l[0] = 32;
    a[1] = 0xffffffffu, l[1] = 32;
    a[2] = 0, l[2] = 0;
    a[3] = 0x80000000u, l[3] = 1;
    run4(a, l, 4, 10000, 0);
    /* a full /24 of hosts plus the /24: a chunk of 256 runs */
    uint32_t *b = malloc(300 * 4);
    uint8_t *bl = malloc(300);
    for (int i = 0; i < 256; i++)
        b[i] = 0xc0000200u | (uint32_t)i, bl[i] = 32;
    b[256] = 0xc0000200u, bl[256] = 24;
    b[257] = 0xc0000280u, bl[257] = 25;
    b[258] = 0xc0000000u, bl[258] = 16;
    run4(b, bl, 259, 100000, 1);
    /* every other host of a /24: 256 alternating runs */
    for (int i = 0; i < 128; i++)
        b[i] = 0x0a000000u | (uint32_t)(2 * i), bl[i] = 32;
    run4(b, bl, 128, 100000, 1);
    free(b);
    free(bl);
}

static void test_lpm4_random(void **state)
{
    enum { N = 200000 };
    uint32_t *a = malloc(N * 4);
    uint8_t *l = malloc(N);

    /* dense: few /8s, every length, many nested */
    for (size_t i = 0; i < 20000; i++) {
        a[i] = (uint32_t)(next() % 4) << 24 | (uint32_t)(next() & 0x00ffffff);
        unsigned r = (unsigned)(next() % 10);
        l[i] = (uint8_t)(r < 4 ? 32 : r < 6 ? 24 + next() % 8 : next() % 33);
    }
    run4(a, l, 20000, 1500000, 0);
    /* sparse over the whole space, host-heavy (a blocklist) */
    for (size_t i = 0; i < N; i++) {
        a[i] = (uint32_t)next();
        unsigned r = (unsigned)(next() % 10);
        l[i] = (uint8_t)(r < 7 ? 32 : r < 9 ? 24 : 8 + next() % 25);
    }
    run4(a, l, N, 1500000, 0);
    free(a);
    free(l);
}

/* --- IPv6 ------------------------------------------------------------------ */

static void mask6(uint64_t *hi, uint64_t *lo, unsigned len)
{
    if (len == 0) {
        *hi = *lo = 0;
    } else if (len < 64) {
        *hi &= ~0ULL << (64 - len);
        *lo = 0;
    } else if (len < 128) {
        *lo &= len == 64 ? 0 : ~0ULL << (128 - len);
    }
}

static size_t ref6_all(const struct ref *r, uint64_t hi, uint64_t lo, uint32_t *out)
{
    size_t n = 0;
    for (int len = 128; len >= 0; len--) {
        uint64_t h = hi, l = lo;
        mask6(&h, &l, (unsigned)len);
        uint32_t i = ref_get(r, h, l, (uint8_t)len);
        if (i)
            out[n++] = i - 1;
    }
    return n;
}

static void check6(const struct sk_lpm6 *t, const struct ref *r, const uint32_t *parent,
                   uint64_t hi, uint64_t lo)
{
    uint32_t want[129];
    size_t nw = ref6_all(r, hi, lo, want);
    uint32_t got = sk__lpm6_lookup(t, hi, lo);
    if (nw == 0) {
        if (got)
            fail_msg("v6 %016llx%016llx: expected none, got %u", (unsigned long long)hi,
                     (unsigned long long)lo, got - 1);
        return;
    }
    if (got != want[0] + 1)
        fail_msg("v6 %016llx%016llx: expected %u, got %d", (unsigned long long)hi,
                 (unsigned long long)lo, want[0], (int)got - 1);
    size_t k = 0;
    for (uint32_t p = got - 1; p != SK_LPM_NONE; p = parent[p], k++)
        if (k >= nw || p != want[k])
            fail_msg("v6: parent chain differs at %zu", k);
    assert_int_equal(k, nw);
}

static void add1(uint64_t *hi, uint64_t *lo, int delta)
{
    if (delta > 0) {
        if (++*lo == 0)
            ++*hi;
    } else {
        if ((*lo)-- == 0)
            --*hi;
    }
}

static void run6(uint64_t *hi, uint64_t *lo, uint8_t *len, size_t n, size_t nq)
{
    struct ref r;
    struct sk_lpm6 *t;
    uint32_t *parent = malloc((n ? n : 1) * 4);
    size_t m = 0;

    ref_init(&r, n);
    for (size_t i = 0; i < n; i++) {
        mask6(&hi[i], &lo[i], len[i]);
        if (ref_add(&r, hi[i], lo[i], len[i], (uint32_t)m)) {
            hi[m] = hi[i];
            lo[m] = lo[i];
            len[m++] = len[i];
        }
    }
    assert_int_equal(sk__lpm6_build(hi, lo, len, NULL, m, parent, &t), 0);
    for (size_t i = 0; i < m; i++) {
        uint64_t h = hi[i], l = lo[i];
        check6(t, &r, parent, h, l);
        add1(&h, &l, -1);
        check6(t, &r, parent, h, l);
        /* the last address */
        h = hi[i] | (len[i] >= 64 ? 0 : len[i] == 0 ? ~0ULL : ~0ULL >> len[i]);
        l = lo[i] | (len[i] >= 128 ? 0 : len[i] <= 64 ? ~0ULL : ~0ULL >> (len[i] - 64));
        check6(t, &r, parent, h, l);
        add1(&h, &l, 1);
        check6(t, &r, parent, h, l);
    }
    uint64_t *qh = malloc(nq * 8), *ql = malloc(nq * 8);
    uint32_t *out = malloc(nq * 4);
    for (size_t i = 0; i < nq; i++) {
        if (m && next() % 2) {
            size_t k = next() % m;
            qh[i] = hi[k] | (len[k] >= 64 ? 0 : len[k] == 0 ? next() : next() >> len[k]);
            ql[i] = lo[k] | (len[k] >= 128 ? 0 : len[k] <= 64 ? next() : next() >> (len[k] - 64));
            if (next() % 4 == 0) {
                unsigned bit = (unsigned)(next() % 128);
                if (bit < 64)
                    qh[i] ^= 1ULL << bit;
                else
                    ql[i] ^= 1ULL << (bit - 64);
            }
        } else {
            qh[i] = next() % 3 ? 0x2000000000000000ULL | (next() >> 3) : next();
            ql[i] = next();
        }
        check6(t, &r, parent, qh[i], ql[i]);
    }
    sk__lpm6_lookup_batch(t, qh, ql, nq, out);
    for (size_t i = 0; i < nq; i++)
        if (out[i] != sk__lpm6_lookup(t, qh[i], ql[i]))
            fail_msg("v6 batch differs at %zu", i);
    free(qh);
    free(ql);
    free(out);
    free(parent);
    sk__lpm6_free(t);
    ref_free(&r);
}

static void test_lpm6_edges(void **state)
{
    uint64_t h[4], l[4];
    uint8_t len[4];
    run6(h, l, len, 0, 1000);
    h[0] = l[0] = 0, len[0] = 0;
    run6(h, l, len, 1, 10000);
    h[0] = 0, l[0] = 0, len[0] = 128;
    h[1] = ~0ULL, l[1] = ~0ULL, len[1] = 128;
    h[2] = 0, l[2] = 0, len[2] = 0;
    h[3] = 0x2001000000000000ULL, l[3] = 5, len[3] = 128;
    run6(h, l, len, 4, 10000);
    h[0] = 0x20010db800000000ULL, l[0] = 0, len[0] = 32;
    run6(h, l, len, 1, 10000);
}

static void test_lpm6_random(void **state)
{
    enum { N = 100000 };
    uint64_t *h = malloc(N * 8), *l = malloc(N * 8);
    uint8_t *len = malloc(N);
    static const uint8_t common[] = {32, 48, 56, 64, 128, 128, 128};

    /* clustered: one /32, all lengths, nested */
    for (size_t i = 0; i < 20000; i++) {
        h[i] = 0x20010db800000000ULL | (next() & 0xffffffff);
        l[i] = next() % 2 ? next() : next() % 16;
        len[i] = (uint8_t)(next() % 3 ? common[next() % sizeof common] : next() % 129);
    }
    run6(h, l, len, 20000, 1000000);
    /* spread over 2000::/3, host-heavy */
    for (size_t i = 0; i < N; i++) {
        h[i] = 0x2000000000000000ULL | (next() >> 3);
        l[i] = next();
        len[i] = common[next() % sizeof common];
    }
    run6(h, l, len, N, 1000000);
    free(h);
    free(l);
    free(len);
}

static void test_duplicates_refused(void **state)
{
    uint32_t a[2] = {0x0a000000u, 0x0a000000u};
    uint8_t l[2] = {8, 8};
    uint32_t parent[2];
    struct sk_lpm4 *t;
    assert_true(sk__lpm4_build(a, l, NULL, 2, parent, &t) < 0);
    a[1] = 0x0a000001u; /* host bits set */
    assert_true(sk__lpm4_build(a, l, NULL, 2, parent, &t) < 0);
    uint64_t h[2] = {1, 1}, lo[2] = {0, 0};
    uint8_t l6[2] = {64, 64};
    struct sk_lpm6 *t6;
    assert_true(sk__lpm6_build(h, lo, l6, NULL, 2, parent, &t6) < 0);
}

static void test_radix_sort(void **state)
{
    enum { N = 100000 };
    uint64_t *v = malloc(N * 8), *tmp = malloc(N * 8);
    for (size_t i = 0; i < N; i++)
        v[i] = next() % 3 ? next() : next() & 0xffff;
    sk__radix_sort64(v, tmp, N);
    for (size_t i = 1; i < N; i++)
        assert_true(v[i - 1] <= v[i]);
    free(v);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radix_sort),     cmocka_unit_test(test_duplicates_refused),
        cmocka_unit_test(test_lpm4_edges),     cmocka_unit_test(test_lpm4_random),
        cmocka_unit_test(test_lpm6_edges),     cmocka_unit_test(test_lpm6_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
