/*
 * test_addr.c — sk_addr parsing, formatting, ordering, prefixes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"

static void roundtrip(const char *in, const char *want)
{
    struct sk_addr a;
    char buf[SK_ADDR_STRLEN];
    assert_int_equal(sk_addr_parse(in, &a), 0);
    assert_string_equal(sk_addr_fmt(&a, buf, sizeof buf), want);
}

static void test_parse_format(void **state)
{
    roundtrip("192.0.2.1", "192.0.2.1");
    roundtrip("0.0.0.0", "0.0.0.0");
    roundtrip("255.255.255.255", "255.255.255.255");
    roundtrip("2001:DB8::1", "2001:db8::1");
    roundtrip("2001:db8:0:0:0:0:0:1", "2001:db8::1");
    roundtrip("::", "::");
    roundtrip("::ffff:192.0.2.1", "::ffff:192.0.2.1");
    struct sk_addr a;
    const char *bad[] = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4x", "1.2.3.4 ",
                         "gggg::1", "1::2::3", "192.0.2.1/24", "::ffff:1.2.3", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(sk_addr_parse(bad[i], &a), -SK_EPARSE);
}

static void test_v4_mapped_is_distinct(void **state)
{
    struct sk_addr v4, v6;
    assert_int_equal(sk_addr_parse("192.0.2.1", &v4), 0);
    assert_int_equal(sk_addr_parse("::ffff:192.0.2.1", &v6), 0);
    assert_int_equal(v4.family, SK_AF_INET);
    assert_int_equal(v6.family, SK_AF_INET6);
    assert_false(sk_addr_eq(&v4, &v6));
    assert_int_equal(memcmp(v4.b, v6.b, 16), 0);
    assert_int_equal(sk_addr_v4(&v4), 0xc0000201);
    assert_true(sk_addr_cmp(&v4, &v6) < 0);
}

static void test_prefix(void **state)
{
    struct sk_prefix p;
    struct sk_addr a;
    char buf[SK_ADDR_STRLEN];

    assert_int_equal(sk_prefix_parse("10.0.0.0/8", &p, 0), 0);
    assert_int_equal(p.len, 8);
    assert_int_equal(sk_prefix_parse("10.0.0.1/8", &p, 0), -SK_EINVAL);
    assert_int_equal(sk_prefix_parse("10.0.0.1/8", &p, 1), 0);
    assert_string_equal(sk_prefix_fmt(&p, buf, sizeof buf), "10.0.0.0/8");
    assert_int_equal(sk_prefix_parse("10.0.0.0/33", &p, 0), -SK_EPARSE);
    assert_int_equal(sk_prefix_parse("10.0.0.0/", &p, 0), -SK_EPARSE);
    assert_int_equal(sk_prefix_parse("10.0.0.0/08", &p, 0), -SK_EPARSE);
    assert_int_equal(sk_prefix_parse("10.0.0.0/8x", &p, 0), -SK_EPARSE);
    assert_int_equal(sk_prefix_parse("2001:db8::/129", &p, 0), -SK_EPARSE);
    assert_int_equal(sk_prefix_parse("192.0.2.7", &p, 0), 0);
    assert_int_equal(p.len, 32);

    assert_int_equal(sk_prefix_parse("0.0.0.0/0", &p, 0), 0);
    assert_int_equal(sk_addr_parse("203.0.113.9", &a), 0);
    assert_true(sk_prefix_contains(&p, &a));
    assert_int_equal(sk_addr_parse("2001:db8::1", &a), 0);
    assert_false(sk_prefix_contains(&p, &a)); /* /0 of IPv4 holds no IPv6 */

    assert_int_equal(sk_prefix_parse("2001:db8:abcd::/47", &p, 0), -SK_EINVAL);
    assert_int_equal(sk_prefix_parse("2001:db8:abcc::/47", &p, 0), 0);
    assert_int_equal(sk_addr_parse("2001:db8:abcd:ffff::1", &a), 0);
    assert_true(sk_prefix_contains(&p, &a));
    assert_int_equal(sk_addr_parse("2001:db8:abce::1", &a), 0);
    assert_false(sk_prefix_contains(&p, &a));
}

/* sk_prefix_contains against a bit-by-bit reference on random data */
static void test_contains_bruteforce(void **state)
{
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 200000; i++) {
        struct sk_addr a, b;
        struct sk_prefix p;
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        int v6 = (int)(x & 1);
        unsigned bits = v6 ? 128 : 32, len = (unsigned)((x >> 1) % (bits + 1));
        uint8_t raw[16];
        for (int k = 0; k < 16; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            raw[k] = (uint8_t)x;
        }
        if (v6) sk_addr_from_v6_bytes(&a, raw); else sk_addr_from_v4_bytes(&a, raw);
        b = a;
        /* flip one random bit so some tests match and some do not */
        unsigned flip = (unsigned)((x >> 9) % bits) + (v6 ? 0 : 96);
        if (x & 0x100)
            b.b[flip / 8] ^= (uint8_t)(0x80 >> (flip % 8));
        p.addr = a;
        p.len = (uint8_t)len;
        sk_addr_mask(&p.addr, len);
        int want = 1;
        for (unsigned k = (v6 ? 0 : 96); k < (v6 ? 0 : 96) + len; k++)
            if (((a.b[k / 8] ^ b.b[k / 8]) >> (7 - k % 8)) & 1)
                want = 0;
        assert_int_equal(sk_prefix_contains(&p, &b), want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_format),
        cmocka_unit_test(test_v4_mapped_is_distinct),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_contains_bruteforce),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
