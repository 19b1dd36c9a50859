/*
 * test_intel.c — plain lists, all-or-nothing loading, and matching checked
 * against a brute-force reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/intel.h"

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sk_intel_%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static struct sk_intel *build_from(const char *text)
{
    struct sk_intel_builder *b;
    struct sk_intel *in;
    struct sk_errinfo ei = {""};
    assert_int_equal(sk_intel_builder_new(&b), 0);
    int rc = sk_intel_load_list(b, write_tmp(text), "t", &ei);
    if (rc < 0)
        fail_msg("load: %s", ei.msg);
    assert_int_equal(sk_intel_build(b, &in), 0);
    return in;
}

static size_t match_ip(const struct sk_intel *in, const char *ip)
{
    struct sk_addr a;
    const struct sk_indicator *m[8];
    assert_int_equal(sk_addr_parse(ip, &a), 0);
    return sk_intel_match_addr(in, &a, m, 8);
}

static void test_list_and_match(void **state)
{
    struct sk_intel *in = build_from("# C2 list\n"
                                     "203.0.113.66   # a server\n"
                                     "198.51.100.0/24\n"
                                     "\n"
                                     "  Evil.Example.  \n"
                                     "*.bad.test\n"
                                     "2001:db8:bad::/48\n"
                                     "2001:db8::66\n"
                                     "203.0.113.66\n");
    const struct sk_indicator *m[8];
    assert_int_equal(sk_intel_count(in), 7);
    assert_int_equal(match_ip(in, "203.0.113.66"), 1);
    assert_int_equal(match_ip(in, "203.0.113.67"), 0);
    assert_int_equal(match_ip(in, "198.51.100.255"), 1);
    assert_int_equal(match_ip(in, "198.51.101.0"), 0);
    assert_int_equal(match_ip(in, "2001:db8:bad:1::5"), 1);
    assert_int_equal(match_ip(in, "2001:db8::66"), 1);
    assert_int_equal(match_ip(in, "::ffff:203.0.113.66"), 0);
    assert_int_equal(sk_intel_match_name(in, "evil.example", m, 8), 1);
    assert_string_equal(m[0]->value, "evil.example");
    assert_int_equal(m[0]->type, SK_IOC_DOMAIN);
    assert_int_equal(sk_intel_match_name(in, "www.EVIL.example.", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "notevil.example", m, 8), 0);
    assert_int_equal(sk_intel_match_name(in, "example", m, 8), 0);
    assert_int_equal(sk_intel_match_name(in, "a.b.bad.test", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "bad.test", m, 8), 1);
    sk_intel_free(in);
}

static void test_nested_prefixes_and_sources(void **state)
{
    struct sk_intel_builder *b;
    struct sk_intel *in;
    const struct sk_indicator *m[8];
    struct sk_addr a;
    struct sk_indicator i1 = {.type = SK_IOC_CIDR4, .value = "10.0.0.0/8", .source = "feed-a", .confidence = 60};
    struct sk_indicator i2 = {.type = SK_IOC_CIDR4, .value = "10.1.0.0/16", .source = "feed-a"};
    struct sk_indicator i3 = {.type = SK_IOC_IPV4, .value = "10.1.2.3", .source = "feed-a"};
    struct sk_indicator i4 = {.type = SK_IOC_IPV4, .value = "10.1.2.3", .source = "feed-b", .confidence = 90};
    struct sk_indicator fq = {.type = SK_IOC_FQDN, .value = "exact.example", .source = "x"};

    assert_int_equal(sk_intel_builder_new(&b), 0);
    assert_int_equal(sk_intel_builder_add(b, &i1), 0);
    assert_int_equal(sk_intel_builder_add(b, &i2), 0);
    assert_int_equal(sk_intel_builder_add(b, &i3), 0);
    assert_int_equal(sk_intel_builder_add(b, &i4), 0);
    assert_int_equal(sk_intel_builder_add(b, &fq), 0);
    struct sk_indicator bad = {.type = SK_IOC_IPV4, .value = "10.0.0.0/8"};
    assert_int_equal(sk_intel_builder_add(b, &bad), -SK_EPARSE);
    bad.type = SK_IOC_CIDR6;
    assert_int_equal(sk_intel_builder_add(b, &bad), -SK_EPARSE);
    assert_int_equal(sk_intel_build(b, &in), 0);
    sk_addr_parse("10.1.2.3", &a);
    /* most specific first; the same value from two sources gives both */
    assert_int_equal(sk_intel_match_addr(in, &a, m, 8), 4);
    assert_string_equal(m[0]->value, "10.1.2.3");
    assert_string_equal(m[1]->value, "10.1.2.3");
    assert_string_not_equal(m[0]->source, m[1]->source);
    assert_string_equal(m[2]->value, "10.1.0.0/16");
    assert_string_equal(m[3]->value, "10.0.0.0/8");
    /* max smaller than the number of matches: the total is still reported */
    assert_int_equal(sk_intel_match_addr(in, &a, m, 1), 4);
    /* FQDN indicators do not match subdomains */
    assert_int_equal(sk_intel_match_name(in, "exact.example", m, 8), 1);
    assert_int_equal(sk_intel_match_name(in, "sub.exact.example", m, 8), 0);
    sk_intel_free(in);
}

static void expect_load_error(const char *text, const char *want)
{
    struct sk_intel_builder *b;
    struct sk_errinfo ei = {""};
    assert_int_equal(sk_intel_builder_new(&b), 0);
    const char *p = write_tmp(text);
    assert_true(sk_intel_load_list(b, p, "t", &ei) < 0);
    char full[600];
    snprintf(full, sizeof full, "%s:%s", p, want);
    if (!strstr(ei.msg, full))
        fail_msg("error '%s' does not contain '%s'", ei.msg, full);
    /* all or nothing: the good lines before the bad one are not kept */
    struct sk_intel *in;
    assert_int_equal(sk_intel_build(b, &in), 0);
    assert_int_equal(sk_intel_count(in), 0);
    sk_intel_free(in);
}

static void test_bad_lines(void **state)
{
    expect_load_error("1.2.3.4\n5.6.7.8\nnot a domain!\n", "3: 'not a domain!': expected one IP");
    expect_load_error("1.2.3.4\n10.0.0.1/8\n", "2: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)");
    expect_load_error("# x\n1.2.3.4/33\n", "2: '1.2.3.4/33' is not a CIDR prefix");
    expect_load_error("ok.example\nbad..example\n", "2: 'bad..example' is not an IP address");
    expect_load_error("1.2.3\n", "1: '1.2.3' is not an IP address");
    expect_load_error("localhost\n", "1: 'localhost' is not an IP address");
}

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Random prefixes and names against a brute-force scan of the same set. */
static void test_bruteforce(void **state)
{
    enum { NPFX = 3000, NNAMES = 2000, NQ = 200000 };
    struct sk_intel_builder *b;
    struct sk_intel *in;
    static struct sk_prefix pfx[NPFX];
    static char names[NNAMES][40];
    const struct sk_indicator *m[64];
    uint64_t x = 0x9e3779b97f4a7c15ULL;
#define NEXT() xorshift(&x)

    assert_int_equal(sk_intel_builder_new(&b), 0);
    for (int i = 0; i < NPFX; i++) {
        int v6 = NEXT() % 4 == 0;
        uint8_t raw[16];
        for (int k = 0; k < 16; k++)
            raw[k] = (uint8_t)(k < 2 ? NEXT() % 4 : NEXT()); /* crowd into few /8s */
        if (v6)
            sk_addr_from_v6_bytes(&pfx[i].addr, raw);
        else
            sk_addr_from_v4_bytes(&pfx[i].addr, raw + 12);
        unsigned bits = v6 ? 128 : 32;
        unsigned r = (unsigned)(NEXT() % 10);
        pfx[i].len = (uint8_t)(r == 0 ? 0 : r < 3 ? bits : NEXT() % (bits + 1));
        if (!v6 && pfx[i].len && pfx[i].len < 8)
            pfx[i].len = 8;
        sk_addr_mask(&pfx[i].addr, pfx[i].len);
        char txt[SK_ADDR_STRLEN];
        struct sk_indicator ind = {.source = "r"};
        ind.type = (uint8_t)(v6 ? (pfx[i].len == 128 ? SK_IOC_IPV6 : SK_IOC_CIDR6)
                                : (pfx[i].len == 32 ? SK_IOC_IPV4 : SK_IOC_CIDR4));
        if (pfx[i].len == bits)
            sk_addr_fmt(&pfx[i].addr, txt, sizeof txt);
        else
            sk_prefix_fmt(&pfx[i], txt, sizeof txt);
        ind.value = txt;
        assert_int_equal(sk_intel_builder_add(b, &ind), 0);
    }
    for (int i = 0; i < NNAMES; i++) {
        snprintf(names[i], sizeof names[i], "%s%u.%s", NEXT() % 2 ? "" : "w.",
                 (unsigned)(NEXT() % 500), NEXT() % 2 ? "example" : "test");
        struct sk_indicator ind = {.type = SK_IOC_DOMAIN, .value = names[i], .source = "r"};
        assert_int_equal(sk_intel_builder_add(b, &ind), 0);
    }
    assert_int_equal(sk_intel_build(b, &in), 0);
    /* duplicates count once in a match */
    static uint8_t pfx_first[NPFX], name_first[NNAMES];
    for (int i = 0; i < NPFX; i++) {
        pfx_first[i] = 1;
        for (int j = 0; j < i; j++)
            if (pfx[j].len == pfx[i].len && sk_addr_eq(&pfx[j].addr, &pfx[i].addr))
                pfx_first[i] = 0;
    }
    for (int i = 0; i < NNAMES; i++) {
        name_first[i] = 1;
        for (int j = 0; j < i; j++)
            if (strcmp(names[j], names[i]) == 0)
                name_first[i] = 0;
    }

    for (int q = 0; q < NQ; q++) {
        struct sk_addr a;
        uint8_t raw[16];
        const struct sk_prefix *base = &pfx[NEXT() % NPFX];
        for (int k = 0; k < 16; k++)
            raw[k] = base->addr.b[k];
        /* near a known prefix: flip a few low bits */
        int flips = (int)(NEXT() % 3);
        for (int k = 0; k < flips; k++) {
            unsigned bit = (unsigned)(NEXT() % 128);
            raw[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        }
        a.family = base->addr.family;
        if (a.family == SK_AF_INET)
            sk_addr_from_v4_bytes(&a, raw + 12);
        else
            sk_addr_from_v6_bytes(&a, raw);
        /* reference: distinct matching prefixes */
        size_t want = 0;
        for (int i = 0; i < NPFX; i++)
            want += pfx_first[i] && sk_prefix_contains(&pfx[i], &a);
        assert_int_equal(sk_intel_match_addr(in, &a, m, 64), want);
    }
    for (int q = 0; q < 20000; q++) {
        char name[80];
        snprintf(name, sizeof name, "%s%s%u.%s", NEXT() % 2 ? "a." : "", NEXT() % 2 ? "w." : "",
                 (unsigned)(NEXT() % 600), NEXT() % 2 ? "example" : "test");
        size_t want = 0;
        for (int i = 0; i < NNAMES; i++) {
            size_t ln = strlen(name), li = strlen(names[i]);
            int hit = strcmp(name, names[i]) == 0 ||
                      (ln > li && name[ln - li - 1] == '.' && strcmp(name + ln - li, names[i]) == 0);
            want += hit && name_first[i];
        }
        assert_int_equal(sk_intel_match_name(in, name, m, 64), want);
    }
    sk_intel_free(in);
#undef NEXT
}

static int teardown(void **state)
{
    unlink(write_tmp(""));
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_and_match), cmocka_unit_test(test_nested_prefixes_and_sources),
        cmocka_unit_test(test_bad_lines), cmocka_unit_test(test_bruteforce),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
