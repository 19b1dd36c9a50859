/*
 * test_util.c — errors, buffers, arena, time, hashing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sakimori/arena.h"
#include "sakimori/buf.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"
#include "sakimori/nstime.h"

static void test_strerror(void **state)
{
    assert_string_equal(sk_strerror(-SK_EPARSE), "malformed input");
    assert_string_equal(sk_errname(-SK_ETOOBIG), "SK_ETOOBIG");
    assert_string_equal(sk_strerror(-ENOENT), strerror(ENOENT));
    assert_string_equal(sk_errname(-ENOENT), "ENOENT");
    assert_string_equal(sk_strerror(0), "success");
    assert_string_equal(sk_strerror(-123456), "unknown error");
    /* every code in the table has its own message */
    for (int e = SK__EBASE + 1; e < SK__ELAST; e++) {
        assert_true(strlen(sk_strerror(-e)) > 3);
        assert_string_not_equal(sk_strerror(-e), "unknown error");
    }
}

static void test_errinfo(void **state)
{
    struct sk_errinfo ei = {""};
    assert_int_equal(sk_fail(&ei, -SK_EPARSE, "%s:%d: bad", "f", 3), -SK_EPARSE);
    assert_string_equal(ei.msg, "f:3: bad");
    assert_int_equal(sk_fail(NULL, -SK_EIO, "x"), -SK_EIO);
}

static void test_buf_cap(void **state)
{
    struct sk_buf b;
    sk_buf_init(&b, 10);
    assert_string_equal(sk_buf_str(&b), "");
    assert_int_equal(sk_buf_puts(&b, "hello"), 0);
    assert_int_equal(sk_buf_printf(&b, "%d", 1234), 0);
    assert_string_equal(sk_buf_str(&b), "hello1234");
    /* past the cap: refused, contents unchanged */
    assert_int_equal(sk_buf_puts(&b, "xy"), -SK_ETOOBIG);
    assert_string_equal(sk_buf_str(&b), "hello1234");
    assert_int_equal(sk_buf_putc(&b, '!'), 0);
    assert_int_equal(b.len, 10);
    assert_int_equal(sk_buf_putc(&b, '!'), -SK_ETOOBIG);
    char *s = sk_buf_steal(&b);
    assert_string_equal(s, "hello1234!");
    free(s);
    assert_int_equal(b.len, 0);
    sk_buf_free(&b);
}

static void test_arena(void **state)
{
    struct sk_arena a;
    sk_arena_init(&a, 128, 1000);
    char *p = sk_arena_strdup(&a, "abc");
    assert_string_equal(p, "abc");
    void *big = sk_arena_alloc(&a, 600); /* bigger than a chunk: own chunk */
    assert_non_null(big);
    assert_true(((uintptr_t)big % _Alignof(max_align_t)) == 0);
    assert_null(sk_arena_alloc(&a, 600)); /* over the cap */
    sk_arena_reset(&a);
    assert_int_equal(a.used, 0);
    assert_non_null(sk_arena_alloc(&a, 600));
    sk_arena_free(&a);
}

static void test_rfc3339(void **state)
{
    char buf[SK_RFC3339_LEN];
    sk_nstime t;

    assert_string_equal(sk_rfc3339(0, buf, sizeof buf), "1970-01-01T00:00:00Z");
    assert_string_equal(sk_rfc3339(1707834878788187000ULL, buf, sizeof buf),
                        "2024-02-13T14:34:38.788187Z");
    assert_string_equal(sk_rfc3339(951782400123000000ULL, buf, sizeof buf),
                        "2000-02-29T00:00:00.123Z");
    assert_string_equal(sk_rfc3339(1767225600000000001ULL, buf, sizeof buf),
                        "2026-01-01T00:00:00.000000001Z");
    assert_int_equal(sk_rfc3339_parse("2024-02-13T14:34:38.788187Z", &t), 0);
    assert_int_equal(t, 1707834878788187000ULL);
    assert_int_equal(sk_rfc3339_parse("2024-02-13T23:34:38+09:00", &t), 0);
    assert_int_equal(t, 1707834878000000000ULL);
    assert_int_equal(sk_rfc3339_parse("2000-02-29 00:00:00z", &t), 0);
    assert_int_equal(sk_rfc3339_parse("2001-02-29T00:00:00Z", &t), -SK_EPARSE);
    assert_int_equal(sk_rfc3339_parse("2024-02-13T14:34:38", &t), -SK_EPARSE);
    assert_int_equal(sk_rfc3339_parse("2024-13-01T00:00:00Z", &t), -SK_EPARSE);
    assert_int_equal(sk_rfc3339_parse("2024-02-13T14:34:38.Z", &t), -SK_EPARSE);
    assert_int_equal(sk_rfc3339_parse("2024-02-13T14:34:38Zjunk", &t), -SK_EPARSE);
    /* round trip over many values */
    for (uint64_t v = 0; v < 4000000000ULL * SK_NS_PER_SEC; v += 7777777777777777ULL) {
        assert_int_equal(sk_rfc3339_parse(sk_rfc3339(v, buf, sizeof buf), &t), 0);
        assert_int_equal(t, v);
    }
}

static void test_duration(void **state)
{
    uint64_t ns;
    char buf[32];
    assert_int_equal(sk_duration_parse("30s", &ns), 0);
    assert_int_equal(ns, 30 * SK_NS_PER_SEC);
    assert_int_equal(sk_duration_parse("15m", &ns), 0);
    assert_int_equal(ns, 900 * SK_NS_PER_SEC);
    assert_int_equal(sk_duration_parse("250ms", &ns), 0);
    assert_int_equal(ns, 250 * SK_NS_PER_MS);
    assert_int_equal(sk_duration_parse("7d", &ns), 0);
    assert_int_equal(ns, 7 * 86400 * SK_NS_PER_SEC);
    assert_int_equal(sk_duration_parse("12", &ns), 0);
    assert_int_equal(ns, 12 * SK_NS_PER_SEC);
    assert_int_equal(sk_duration_parse("1y", &ns), -SK_EPARSE);
    assert_int_equal(sk_duration_parse("-1s", &ns), -SK_EPARSE);
    assert_int_equal(sk_duration_parse("", &ns), -SK_EPARSE);
    assert_int_equal(sk_duration_parse("99999999999999999999d", &ns), -SK_ETOOBIG);
    assert_string_equal(sk_duration_fmt(90 * SK_NS_PER_SEC, buf, sizeof buf), "90s");
    assert_string_equal(sk_duration_fmt(3600 * SK_NS_PER_SEC, buf, sizeof buf), "1h");
    assert_string_equal(sk_duration_fmt(1500 * SK_NS_PER_MS, buf, sizeof buf), "1500ms");
}

static void test_hash(void **state)
{
    uint64_t seed = 42;
    /* deterministic for a seed, sensitive to every byte and to the length */
    assert_int_equal(sk_hash64("abc", 3, seed), sk_hash64("abc", 3, seed));
    assert_int_not_equal(sk_hash64("abc", 3, seed), sk_hash64("abd", 3, seed));
    assert_int_not_equal(sk_hash64("abc", 3, seed), sk_hash64("abc", 3, seed + 1));
    assert_int_not_equal(sk_hash64("", 0, seed), sk_hash64("\0", 1, seed));
    assert_int_equal(sk_hash64_lower("WwW.Example", 11, seed), sk_hash64("www.example", 11, seed));
    /* bucket spread: 64k sequential keys over 256 buckets stay near uniform */
    unsigned counts[256] = {0};
    for (uint32_t i = 0; i < 65536; i++)
        counts[sk_hash64(&i, sizeof i, seed) & 255]++;
    for (int b = 0; b < 256; b++)
        assert_in_range(counts[b], 160, 352);
    assert_int_equal(sk_hash_seed(), sk_hash_seed());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror), cmocka_unit_test(test_errinfo),
        cmocka_unit_test(test_buf_cap),  cmocka_unit_test(test_arena),
        cmocka_unit_test(test_rfc3339),  cmocka_unit_test(test_duration),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
