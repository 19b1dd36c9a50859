/*
 * test_jscan.c — the in-place JSON scanner: its API, and its agreement
 * with jansson on hand-written edge cases and on a quarter of a million
 * random mutations of JSON documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/error.h"
#include "sense/jscan.h"
#include "sense/jscan_check.h"

static void agree(const char *doc, size_t len)
{
    char why[256];
    if (sk__jscan_agrees(doc, len, why, sizeof why) < 0)
        fail_msg("disagreement on <%.*s>: %s", (int)len, doc, why);
}

static int accepts(const char *doc)
{
    size_t len = strlen(doc);
    char *copy = strdup(doc);
    struct sk_js *js = malloc(sizeof *js);
    sk_js_init(js, copy, len);
    int ok = sk_js_skip(js) == 0 && sk_js_done(js) == 0;
    free(js);
    free(copy);
    return ok;
}

static void test_api(void **state)
{
    char line[] = "{\"a\\u00e9\\n\": \"x\\\"y\\ud83d\\ude00\", \"n\": [1, -2.5e3, 18446744073709551615],"
                  " \"t\": true, \"z\": null, \"o\": {\"k\": []}}";
    struct sk_js js;
    const char *k, *tok;
    size_t klen, len;
    char *s;
    int is_int, b;
    uint64_t u;
    double d;

    sk_js_init(&js, line, strlen(line));
    assert_int_equal(sk_js_object(&js), 0);
    assert_int_equal(sk_js_key(&js, &k, &klen), 1);
    assert_int_equal(klen, 4);
    assert_memory_equal(k, "a\xc3\xa9\n", 4);
    assert_int_equal(sk_js_string(&js, &s, &len), 0);
    assert_string_equal(s, "x\"y\xf0\x9f\x98\x80");
    assert_int_equal(len, 7);
    assert_int_equal(sk_js_key(&js, &k, &klen), 1);
    assert_int_equal(sk_js_peek(&js), SK_JS_ARRAY);
    assert_int_equal(sk_js_array(&js), 0);
    assert_int_equal(sk_js_next(&js), 1);
    assert_int_equal(sk_js_u64(&js, &u), 0);
    assert_int_equal(u, 1);
    assert_int_equal(sk_js_next(&js), 1);
    assert_true(sk_js_u64(&js, &u) < 0); /* a real is not an integer */
    assert_int_equal(sk_js_double(&js, &d), 0);
    assert_true(d == -2500.0);
    assert_int_equal(sk_js_next(&js), 1);
    assert_int_equal(sk_js_number(&js, &tok, &len, &is_int), 0);
    assert_true(is_int);
    assert_int_equal(len, 20);
    assert_int_equal(sk_js_next(&js), 0);
    assert_int_equal(sk_js_key(&js, &k, &klen), 1);
    assert_int_equal(sk_js_bool(&js, &b), 0);
    assert_true(b);
    assert_int_equal(sk_js_key(&js, &k, &klen), 1);
    assert_int_equal(sk_js_null(&js), 1);
    assert_int_equal(sk_js_key(&js, &k, &klen), 1);
    assert_int_equal(sk_js_skip(&js), 0);
    assert_int_equal(sk_js_key(&js, &k, &klen), 0);
    assert_int_equal(sk_js_done(&js), 0);

    /* u64 overflow, and the error position */
    char big[] = "18446744073709551616";
    sk_js_init(&js, big, strlen(big));
    assert_true(sk_js_u64(&js, &u) < 0);
    char bad[] = "{\"a\": 1,}";
    sk_js_init(&js, bad, strlen(bad));
    assert_true(sk_js_skip(&js) < 0);
    assert_int_equal(js.err_off, 8);
    assert_non_null(js.err);
}

static void test_edge_cases(void **state)
{
    static const char *const valid[] = {
        "{}", "[]", "0", "-0", "1e5", "1E+5", "-1.5e-300", "\"\"", "true", "null",
        "  {\"a\" : [ 1 , 2 ] }  ", "{\"a\":{\"b\":{\"c\":[[[]]]}}}", "\"\\/\\b\\f\\n\\r\\t\"",
        "\"\\u0041\\u00e9\\u20ac\\ud834\\udd1e\"", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
        "{\"dup\":1,\"dup\":2}", "[1.0, 2e10, -3E-2]", "\"\x7f\"",
        "{\"timestamp\":\"2021-06-06T15:57:37.272281+0200\",\"event_type\":\"flow\"}",
    };
    static const char *const invalid[] = {
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{,}", "[,1]", "01", "1.", ".5", "-", "+1",
        "1e", "1e+", "NaN", "Infinity", "tru", "nul", "\"abc", "\"\\x41\"", "\"\\u12\"",
        "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\tb\"",
        "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xff\"", "\"\xe2\x82\"",
        "{\"a\" 1}", "{1:2}", "[1 2]", "{} {}", "\xef\xbb\xbf{}", "[\"a\"]x", "{\"a\":}",
    };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        if (!accepts(valid[i]))
            fail_msg("refused <%s>", valid[i]);
        agree(valid[i], strlen(valid[i]));
    }
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        if (accepts(invalid[i]))
            fail_msg("accepted <%s>", invalid[i]);
        agree(invalid[i], strlen(invalid[i]));
    }
    /* NUL bytes inside and outside strings */
    agree("\"a\0b\"", 5);
    agree("[1,\0 2]", 7);
    /* numbers beyond jansson's range: we take them, it does not */
    agree("123456789012345678901234567890", 30);
    agree("[1e400]", 7);
    /* nesting at the limit and past it */
    size_t n = SK_JS_MAX_DEPTH + 1;
    char *deep = malloc(2 * n + 1);
    for (size_t d = 0; d <= 1; d++) {
        size_t depth = SK_JS_MAX_DEPTH + d;
        memset(deep, '[', depth);
        memset(deep + depth, ']', depth);
        agree(deep, 2 * depth);
        assert_int_equal(accepts(d ? "[" : "[]"), !d);
    }
    free(deep);
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_random_mutations(void **state)
{
    static const char *const seeds[] = {
        "{\"timestamp\":\"2021-06-06T15:57:37.272281+0200\",\"flow_id\":445348883402532,"
        "\"event_type\":\"flow\",\"src_ip\":\"192.168.1.132\",\"src_port\":1900,\"proto\":\"UDP\","
        "\"flow\":{\"pkts_toserver\":12,\"bytes_toserver\":4056,\"alerted\":false}}",
        "{\"dns\":{\"answers\":[{\"rrname\":\"a.example\",\"rrtype\":\"A\",\"ttl\":91,"
        "\"rdata\":\"172.217.23.196\"}],\"grouped\":{\"A\":[\"1.2.3.4\"]}}}",
        "{\"ts\":22.335172,\"id.orig_h\":\"fe80::1\",\"TTLs\":[6400.0,20.5],\"AA\":true,"
        "\"answers\":[\"x\\u00e9\",\"\\ud83d\\ude00\"]}",
        "[1, -0.5e-3, \"s\\\\\\\"\", null, true, false, {}, [], {\"\":\"\"}]",
        "\"\xe6\x97\xa5\xe6\x9c\xac \\t \\u001f \\/\"",
    };
    const char specials[] = "{}[]\":,\\.-+eE0123456789tfnu \t\r\n\x7f\x80\xbf\xc3\xe2\xf0\xff\0";
    char buf[1024];

    for (int round = 0; round < 250000; round++) {
        const char *seed = seeds[rnd() % (sizeof seeds / sizeof seeds[0])];
        size_t len = strlen(seed);
        memcpy(buf, seed, len);
        int edits = 1 + (int)(rnd() % 4);
        for (int e = 0; e < edits; e++) {
            size_t at = len ? rnd() % len : 0;
            switch (rnd() % 5) {
            case 0: /* replace */
                if (len)
                    buf[at] = specials[rnd() % (sizeof specials - 1)];
                break;
            case 1: /* insert */
                if (len < sizeof buf - 1) {
                    memmove(buf + at + 1, buf + at, len - at);
                    buf[at] = specials[rnd() % (sizeof specials - 1)];
                    len++;
                }
                break;
            case 2: /* delete */
                if (len) {
                    memmove(buf + at, buf + at + 1, len - at - 1);
                    len--;
                }
                break;
            case 3: /* truncate */
                len = at;
                break;
            default: /* random byte */
                if (len)
                    buf[at] = (char)(rnd() & 0xff);
            }
        }
        agree(buf, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_random_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
