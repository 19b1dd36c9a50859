/*
 * test_merkle.c — RFC 9162 hashing, the frontier, inclusion and consistency
 * proofs.
 *
 * Three independent checks: the published Certificate Transparency test
 * vectors (roots of the 8-leaf reference tree at every size); a literal,
 * recursive transcription of RFC 9162's MTH/PATH/SUBPROOF definitions that
 * the optimised code must match for every (m, n) up to 70; and tampering —
 * any changed byte, index or size makes a proof fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit/sha256.h"
#include "sakimori/error.h"
#include "sakimori/key.h"
#include "sakimori/merkle.h"

#define N 70

static uint8_t leaves[N][32];

/* --- the RFC, literally ---------------------------------------------------- */

static uint64_t k_of(uint64_t n)
{
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

static void ref_mth(uint64_t lo, uint64_t hi, uint8_t out[32])
{
    if (hi == lo) {
        crypto_hash_sha256(out, (const uint8_t *)"", 0);
    } else if (hi - lo == 1) {
        memcpy(out, leaves[lo], 32);
    } else {
        uint8_t l[32], r[32];
        uint64_t k = k_of(hi - lo);
        ref_mth(lo, lo + k, l);
        ref_mth(lo + k, hi, r);
        sk_merkle_node_hash(l, r, out);
    }
}

static size_t ref_path(uint64_t m, uint64_t lo, uint64_t hi, uint8_t out[][32])
{
    if (hi - lo == 1)
        return 0;
    uint64_t k = k_of(hi - lo);
    size_t n;
    if (m < k) {
        n = ref_path(m, lo, lo + k, out);
        ref_mth(lo + k, hi, out[n]);
    } else {
        n = ref_path(m - k, lo + k, hi, out);
        ref_mth(lo, lo + k, out[n]);
    }
    return n + 1;
}

static size_t ref_subproof(uint64_t m, uint64_t lo, uint64_t hi, int b, uint8_t out[][32])
{
    uint64_t n = hi - lo;
    if (m == n) {
        if (b)
            return 0;
        ref_mth(lo, hi, out[0]);
        return 1;
    }
    uint64_t k = k_of(n);
    size_t c;
    if (m <= k) {
        c = ref_subproof(m, lo, lo + k, b, out);
        ref_mth(lo + k, hi, out[c]);
    } else {
        c = ref_subproof(m - k, lo + k, hi, 0, out);
        ref_mth(lo, lo + k, out[c]);
    }
    return c + 1;
}

static int array_range(void *ctx, uint64_t lo, uint64_t hi, struct sk_merkle_frontier *f)
{
    (void)ctx;
    for (uint64_t i = lo; i < hi; i++)
        sk_merkle_frontier_push(f, leaves[i]);
    return 0;
}

static const struct sk_merkle_source src = {array_range, NULL};

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    for (int i = 0; i < N; i++) {
        uint8_t e[8];
        memcpy(e, &i, sizeof i);
        memcpy(e + 4, "leaf", 4);
        sk_merkle_leaf_hash(e, sizeof e, leaves[i]);
    }
    return 0;
}

/* --- tests ------------------------------------------------------------------ */

static void test_ct_vectors(void **state)
{
    /* certificate-transparency test data: the leaf inputs and the root of
     * the tree of the first n of them, n = 1..8 */
    static const char *const inputs[] = {"", "00", "10", "2021", "3031", "40414243",
                                         "5051525354555657",
                                         "606162636465666768696a6b6c6d6e6f"};
    static const char *const roots[] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };
    struct sk_merkle_frontier f;
    uint8_t root[32], want[32], empty[32];
    char hex[65];
    (void)state;

    sk_merkle_frontier_init(&f);
    sk_merkle_frontier_root(&f, empty);
    assert_string_equal(sk_hex(empty, 32, hex, sizeof hex),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    for (int i = 0; i < 8; i++) {
        uint8_t in[16], leaf[32];
        size_t n = strlen(inputs[i]) / 2;
        assert_int_equal(sk_unhex(inputs[i], in, n), 0);
        sk_merkle_leaf_hash(in, n, leaf);
        sk_merkle_frontier_push(&f, leaf);
        sk_merkle_frontier_root(&f, root);
        assert_int_equal(sk_unhex(roots[i], want, 32), 0);
        assert_memory_equal(root, want, 32);
    }
}

static void test_frontier_matches_rfc(void **state)
{
    struct sk_merkle_frontier f, g;
    uint8_t a[32], b[32], buf[SK_MERKLE_MAX_DEPTH * 32];
    (void)state;

    sk_merkle_frontier_init(&f);
    for (uint64_t n = 1; n <= N; n++) {
        sk_merkle_frontier_push(&f, leaves[n - 1]);
        assert_int_equal(f.size, n);
        assert_int_equal(f.n, __builtin_popcountll(n));
        sk_merkle_frontier_root(&f, a);
        ref_mth(0, n, b);
        assert_memory_equal(a, b, 32);
        /* the serialized frontier round-trips, and a wrong size is refused */
        size_t len = sk_merkle_frontier_bytes(&f, buf, sizeof buf);
        assert_int_equal(sk_merkle_frontier_load(&g, n, buf, len), 0);
        sk_merkle_frontier_root(&g, b);
        assert_memory_equal(a, b, 32);
        assert_int_equal(sk_merkle_frontier_load(&g, n + 1, buf, len),
                         __builtin_popcountll(n + 1) == __builtin_popcountll(n) ? 0 : -SK_EPARSE);
    }
}

static void test_inclusion(void **state)
{
    uint8_t path[SK_MERKLE_MAX_DEPTH][32], want[SK_MERKLE_MAX_DEPTH][32], root[32], bad[32];
    size_t len, wlen;
    (void)state;

    for (uint64_t n = 1; n <= N; n++) {
        ref_mth(0, n, root);
        for (uint64_t m = 0; m < n; m++) {
            assert_int_equal(sk_merkle_inclusion_proof(&src, m, n, path, &len), 0);
            wlen = ref_path(m, 0, n, want);
            assert_int_equal(len, wlen);
            if (len)
                assert_memory_equal(path, want, len * 32);
            assert_int_equal(sk_merkle_verify_inclusion(m, n, leaves[m], (const uint8_t(*)[32])path,
                                                        len, root), 0);
            /* a wrong leaf, index, size, root or path byte fails */
            assert_int_equal(sk_merkle_verify_inclusion(m, n, leaves[(m + 1) % N],
                                                        (const uint8_t(*)[32])path, len, root),
                             -SK_ECRYPTO);
            if (n > 1)
                assert_int_equal(sk_merkle_verify_inclusion((m + 1) % n, n, leaves[m],
                                                            (const uint8_t(*)[32])path, len, root),
                                 -SK_ECRYPTO);
            /* against the (signed) root of a bigger tree, the old path fails */
            if (n < N) {
                uint8_t root2[32];
                ref_mth(0, n + 1, root2);
                assert_int_equal(sk_merkle_verify_inclusion(m, n + 1, leaves[m],
                                                            (const uint8_t(*)[32])path, len, root2),
                                 -SK_ECRYPTO);
            }
            memcpy(bad, root, 32);
            bad[5] ^= 1;
            assert_int_equal(sk_merkle_verify_inclusion(m, n, leaves[m], (const uint8_t(*)[32])path,
                                                        len, bad), -SK_ECRYPTO);
            if (len) {
                path[len - 1][0] ^= 0x80;
                assert_int_equal(sk_merkle_verify_inclusion(m, n, leaves[m],
                                                            (const uint8_t(*)[32])path, len, root),
                                 -SK_ECRYPTO);
            }
        }
    }
    assert_int_equal(sk_merkle_inclusion_proof(&src, 5, 5, path, &len), -SK_EINVAL);
}

static void test_consistency(void **state)
{
    uint8_t path[SK_MERKLE_MAX_DEPTH][32], want[SK_MERKLE_MAX_DEPTH][32], r1[32], r2[32];
    size_t len, wlen;
    (void)state;

    for (uint64_t n = 1; n <= N; n++) {
        ref_mth(0, n, r2);
        for (uint64_t m = 1; m <= n; m++) {
            ref_mth(0, m, r1);
            assert_int_equal(sk_merkle_consistency_proof(&src, m, n, path, &len), 0);
            wlen = ref_subproof(m, 0, n, 1, want);
            assert_int_equal(len, wlen);
            if (len)
                assert_memory_equal(path, want, len * 32);
            assert_int_equal(sk_merkle_verify_consistency(m, n, r1, r2, (const uint8_t(*)[32])path,
                                                          len), 0);
            if (m == n)
                continue;
            /* a different old root (the log was rewritten) fails */
            uint8_t other[32];
            memcpy(other, r1, 32);
            other[0] ^= 1;
            assert_int_equal(sk_merkle_verify_consistency(m, n, other, r2,
                                                          (const uint8_t(*)[32])path, len),
                             -SK_ECRYPTO);
            assert_int_equal(sk_merkle_verify_consistency(m, n, r1, other,
                                                          (const uint8_t(*)[32])path, len),
                             -SK_ECRYPTO);
            path[0][31] ^= 1;
            assert_int_equal(sk_merkle_verify_consistency(m, n, r1, r2, (const uint8_t(*)[32])path,
                                                          len), -SK_ECRYPTO);
            /* a truncated proof fails */
            assert_int_equal(sk_merkle_verify_consistency(m, n, r1, r2, (const uint8_t(*)[32])path,
                                                          len - 1), -SK_ECRYPTO);
        }
    }
    assert_int_equal(sk_merkle_consistency_proof(&src, 0, 3, path, &len), -SK_EINVAL);
    assert_int_equal(sk_merkle_consistency_proof(&src, 4, 3, path, &len), -SK_EINVAL);
}

/* the SHA-NI path against libsodium, on every length up to 1000 */
static void test_sha256_paths(void **state)
{
    uint8_t buf[1001], a[32], b[32], c[32];
    (void)state;
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    print_message("SHA-NI in use: %s\n", sk__sha256_accelerated() ? "yes" : "no");
    for (size_t n = 0; n <= 1000; n++) {
        crypto_hash_sha256(a, buf, n);
        sk__sha256_2(buf, n ? 1 : 0, buf + (n ? 1 : 0), n ? n - 1 : 0, b);
        sk__sha256_force_portable(1);
        sk__sha256_2(buf, n / 2, buf + n / 2, n - n / 2, c);
        sk__sha256_force_portable(0);
        if (memcmp(a, b, 32) || memcmp(a, c, 32))
            fail_msg("SHA-256 differs from libsodium at %zu bytes", n);
    }
    /* the two-piece form with a long first piece (not the prefix byte) */
    for (size_t n = 60; n <= 200; n++) {
        crypto_hash_sha256(a, buf, n + 77);
        sk__sha256_2(buf, n, buf + n, 77, b);
        assert_memory_equal(a, b, 32);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_paths),
        cmocka_unit_test(test_ct_vectors),
        cmocka_unit_test(test_frontier_matches_rfc),
        cmocka_unit_test(test_inclusion),
        cmocka_unit_test(test_consistency),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
