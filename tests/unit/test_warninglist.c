/*
 * test_warninglist.c — MISP warninglists: loading (directory, file, all or
 * nothing, errors naming file and JSON path), each list type's matching,
 * matching_attributes, a brute-force check of address matching on random
 * prefixes, and the real lists from ../shared/data when present.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/warninglist.h"

static char tmpdir[256];

static void write_file(const char *rel, const char *text)
{
    char path[512], dir[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    *slash = '\0';
    mkdir(dir, 0755);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    const char *base = getenv("SK_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/wl_%d", base && *base ? base : "/tmp", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/lists'", tmpdir);
    if (system(cmd) != 0)
        return -1;
    write_file("lists/cloud/list.json",
               "{\"name\": \"Cloud ranges\", \"description\": \"a cloud\", \"version\": 3,"
               " \"type\": \"cidr\", \"matching_attributes\": [\"ip-src\", \"ip-dst\"],"
               " \"list\": [\"198.51.100.0/24\", \"198.51.100.128/25\", \"203.0.113.7\","
               " \"2001:db8::/32\", \"192.0.2.77/24\"]}");
    write_file("lists/scanners/list.json",
               "{\"name\": \"Scanners\", \"description\": \"scan sources\", \"version\": 1,"
               " \"type\": \"cidr\", \"matching_attributes\": [\"ip-src\"],"
               " \"list\": [\"198.51.100.0/24\"]}");
    write_file("lists/top/list.json",
               "{\"name\": \"Top sites\", \"description\": \"popular\", \"version\": 1,"
               " \"type\": \"string\", \"matching_attributes\": [\"hostname\", \"domain\"],"
               " \"list\": [\"Popular.Example\", \"www.other.example\"]}");
    write_file("lists/cdn/list.json",
               "{\"name\": \"CDN names\", \"description\": \"cdn\", \"version\": 1,"
               " \"type\": \"hostname\", \"matching_attributes\": [\"hostname\", \"domain\", \"url\"],"
               " \"list\": [\".cdn.example\", \"static.test.\"]}");
    write_file("lists/sandbox/list.json",
               "{\"name\": \"Sandboxes\", \"description\": \"analysis\", \"version\": 1,"
               " \"type\": \"substring\", \"matching_attributes\": [\"hostname\", \"domain\"],"
               " \"list\": [\"sandbox\"]}");
    write_file("lists/mail/list.json",
               "{\"name\": \"Contacts\", \"description\": \"abuse@\", \"version\": 1,"
               " \"type\": \"regex\", \"matching_attributes\": [\"email-src\"],"
               " \"list\": [\"/^(abuse|noc)\\\\@.*$/i\"]}");
    write_file("lists/hashes/list.json",
               "{\"name\": \"Empty\", \"description\": \"empty file\", \"version\": 1,"
               " \"type\": \"string\", \"matching_attributes\": [\"md5\"],"
               " \"list\": [\"D41D8CD98F00B204E9800998ECF8427E\"]}");
    write_file("lists/README.txt", "not a list folder\n");
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct sk_warninglists *load_dir(const char *rel)
{
    char path[512];
    const char *p = path;
    struct sk_warninglists *wl;
    struct sk_errinfo ei = {""};
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    if (sk_wl_load(&wl, &p, 1, &ei) < 0)
        fail_msg("load %s: %s", path, ei.msg);
    return wl;
}

static size_t addr_hits(const struct sk_warninglists *wl, const char *ip, enum sk_wl_role role,
                        struct sk_wl_hit *h, size_t max)
{
    struct sk_addr a;
    assert_int_equal(sk_addr_parse(ip, &a), 0);
    return sk_wl_match_addr(wl, &a, role, h, max);
}

static void test_types_and_attrs(void **state)
{
    struct sk_warninglists *wl = load_dir("lists");
    struct sk_wl_hit h[8];

    assert_int_equal(sk_wl_count(wl), 7);
    /* name order of the folders */
    assert_string_equal(sk_wl_list(wl, 0)->id, "cdn");
    assert_string_equal(sk_wl_list(wl, 1)->id, "cloud");
    const struct sk_wl_info *cloud = sk_wl_find(wl, "cloud");
    assert_non_null(cloud);
    assert_string_equal(cloud->name, "Cloud ranges");
    assert_string_equal(cloud->description, "a cloud");
    assert_int_equal(cloud->type, SK_WL_CIDR);
    assert_int_equal(cloud->version, 3);
    assert_int_equal(cloud->nentries, 5);
    assert_null(sk_wl_find(wl, "nope"));

    /* cidr: one hit per list, the most specific entry, role by attributes */
    assert_int_equal(addr_hits(wl, "198.51.100.200", SK_WL_DST, h, 8), 1);
    assert_string_equal(h[0].list->id, "cloud");
    assert_string_equal(h[0].entry, "198.51.100.128/25");
    assert_int_equal(addr_hits(wl, "198.51.100.200", SK_WL_SRC, h, 8), 2);
    assert_string_equal(h[0].list->id, "cloud");
    assert_string_equal(h[1].list->id, "scanners");
    assert_int_equal(addr_hits(wl, "198.51.100.200", SK_WL_SRC, h, 1), 2); /* total beyond max */
    assert_int_equal(addr_hits(wl, "198.51.101.1", SK_WL_ANY, h, 8), 0);
    assert_int_equal(addr_hits(wl, "203.0.113.7", SK_WL_DST, h, 8), 1);
    assert_int_equal(addr_hits(wl, "203.0.113.8", SK_WL_DST, h, 8), 0);
    assert_int_equal(addr_hits(wl, "192.0.2.1", SK_WL_DST, h, 8), 1); /* host bits cleared */
    assert_int_equal(addr_hits(wl, "2001:db8:1::1", SK_WL_DST, h, 8), 1);
    assert_int_equal(addr_hits(wl, "2001:db9::1", SK_WL_DST, h, 8), 0);
    assert_int_equal(addr_hits(wl, "::ffff:198.51.100.1", SK_WL_DST, h, 8), 0);

    /* string: exact, any case; hostname: the name and its subdomains */
    assert_int_equal(sk_wl_match_name(wl, "popular.example", h, 8), 1);
    assert_string_equal(h[0].list->id, "top");
    assert_int_equal(sk_wl_match_name(wl, "POPULAR.example.", h, 8), 1);
    assert_int_equal(sk_wl_match_name(wl, "www.popular.example", h, 8), 0);
    assert_int_equal(sk_wl_match_name(wl, "cdn.example", h, 8), 1);
    assert_string_equal(h[0].entry, ".cdn.example");
    assert_int_equal(sk_wl_match_name(wl, "a.b.cdn.example", h, 8), 1);
    assert_int_equal(sk_wl_match_name(wl, "xcdn.example", h, 8), 0);
    assert_int_equal(sk_wl_match_name(wl, "img.static.test", h, 8), 1);
    /* substring */
    assert_int_equal(sk_wl_match_name(wl, "my-SANDBOX-01.example", h, 8), 1);
    assert_string_equal(h[0].list->id, "sandbox");
    /* regex applies to e-mail attributes only */
    assert_int_equal(sk_wl_match_name(wl, "abuse@example.org", h, 8), 0);
    assert_int_equal(sk_wl_match_value(wl, "email-src", "ABUSE@example.org", h, 8), 1);
    assert_string_equal(h[0].list->id, "mail");
    assert_int_equal(sk_wl_match_value(wl, "email-src", "alice@example.org", h, 8), 0);
    /* hashes, case-insensitive; filename|md5 takes the part after '|' */
    assert_int_equal(sk_wl_match_value(wl, "md5", "d41d8cd98f00b204e9800998ecf8427e", h, 8), 1);
    assert_int_equal(sk_wl_match_value(wl, "filename|md5", "x.bin|d41d8cd98f00b204e9800998ecf8427e", h, 8), 1);
    assert_int_equal(sk_wl_match_value(wl, "email-src", "d41d8cd98f00b204e9800998ecf8427e", h, 8), 0);
    assert_int_equal(sk_wl_match_value(wl, "md5", "d41d8cd98f00b204e9800998ecf8427f", h, 8), 0);
    /* URLs: the host against hostname lists only */
    assert_int_equal(sk_wl_match_value(wl, "url", "https://user@img.cdn.example:8443/a?b#c", h, 8), 1);
    assert_string_equal(h[0].list->id, "cdn");
    assert_int_equal(sk_wl_match_value(wl, "url", "http://popular.example/", h, 8), 0);
    /* composite attributes */
    assert_int_equal(sk_wl_match_value(wl, "ip-dst|port", "203.0.113.7|443", h, 8), 1);
    assert_int_equal(sk_wl_match_value(wl, "domain|ip", "popular.example|198.51.100.1", h, 8), 3);
    assert_int_equal(sk_wl_match_value(wl, "ip-src", "198.51.100.1", h, 8), 2);
    sk_wl_free(wl);

    /* a single list by file and by folder */
    wl = load_dir("lists/cloud/list.json");
    assert_int_equal(sk_wl_count(wl), 1);
    assert_string_equal(sk_wl_list(wl, 0)->id, "cloud");
    sk_wl_free(wl);
    wl = load_dir("lists/top");
    assert_int_equal(sk_wl_count(wl), 1);
    assert_string_equal(sk_wl_list(wl, 0)->id, "top");
    sk_wl_free(wl);

    /* an empty set matches nothing */
    assert_int_equal(sk_wl_empty(&wl), 0);
    assert_int_equal(sk_wl_count(wl), 0);
    assert_int_equal(addr_hits(wl, "10.0.0.1", SK_WL_ANY, h, 8), 0);
    assert_int_equal(sk_wl_match_name(wl, "x.example", h, 8), 0);
    sk_wl_free(wl);
}

static void expect_error(const char *json, const char *want)
{
    char path[512], good[512];
    const char *paths[2] = {good, path};
    struct sk_warninglists *wl = (struct sk_warninglists *)1;
    struct sk_errinfo ei = {""};

    write_file("bad/list.json", json);
    snprintf(path, sizeof path, "%s/bad/list.json", tmpdir);
    snprintf(good, sizeof good, "%s/lists/cloud/list.json", tmpdir);
    assert_true(sk_wl_load(&wl, paths, 2, &ei) < 0);
    assert_null(wl); /* all or nothing: the good list is not kept either */
    char full[700];
    snprintf(full, sizeof full, "%s%s", path, want);
    if (!strstr(ei.msg, full))
        fail_msg("error '%s' does not contain '%s'", ei.msg, full);
}

static void test_errors(void **state)
{
    expect_error("{\"name\": \"x\",\n \"list\": [1,]}", ":2:");
    expect_error("[]", ": $: expected a JSON object");
    expect_error("{\"name\": \"x\", \"description\": \"d\", \"version\": 1, \"list\": []}",
                 ": $: missing required key 'type'");
    expect_error("{\"name\": \"x\", \"description\": \"d\", \"version\": 1, \"type\": \"cidr\","
                 " \"list\": [], \"colour\": 1}",
                 ": $.colour: unknown key");
    expect_error("{\"name\": \"x\", \"description\": \"d\", \"version\": 1, \"type\": \"prefix\","
                 " \"list\": []}",
                 ": $.type: expected one of cidr, string, hostname, substring, regex");
    expect_error("{\"name\": \"x\", \"description\": \"d\", \"version\": \"1\", \"type\": \"cidr\","
                 " \"list\": []}",
                 ": $.version: expected an integer");
    expect_error("{\"name\": \"x\", \"description\": \"d\", \"version\": 1, \"type\": \"cidr\","
                 " \"list\": [\"10.0.0.0/8\", \"10.0.0.0/33\"]}",
                 ": $.list[1]: '10.0.0.0/33': expected an IP address or CIDR prefix");
    expect_error("{\"name\": \"x\", \"description\": \"d\", \"version\": 1, \"type\": \"string\","
                 " \"list\": [\"a\", \"b\", 3]}",
                 ": $.list[2]: expected a string");
    expect_error("{\"name\": \"x\", \"description\": \"d\", \"version\": 1, \"type\": \"regex\","
                 " \"list\": [\"/(unclosed/\"]}",
                 ": $.list[0]: regex does not compile at offset");
    expect_error("{\"name\": \"x\", \"description\": \"d\", \"version\": 1, \"type\": \"regex\","
                 " \"list\": [\"/a/q\"]}",
                 ": $.list[0]: regex flag 'q' unknown");
    expect_error("{\"name\": \"x\", \"description\": \"d\", \"version\": 1, \"type\": \"cidr\","
                 " \"list\": [], \"matching_attributes\": \"ip-src\"}",
                 ": $.matching_attributes: expected an array of strings");

    /* a folder without lists, a missing file */
    struct sk_warninglists *wl;
    struct sk_errinfo ei = {""};
    char path[512];
    const char *p = path;
    snprintf(path, sizeof path, "%s/empty", tmpdir);
    mkdir(path, 0755);
    assert_int_equal(sk_wl_load(&wl, &p, 1, &ei), -SK_ENOTFOUND);
    assert_non_null(strstr(ei.msg, "no warninglists"));
    snprintf(path, sizeof path, "%s/missing.json", tmpdir);
    assert_true(sk_wl_load(&wl, &p, 1, &ei) < 0);
    assert_non_null(strstr(ei.msg, "missing.json"));
}

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Random cidr lists (overlapping, /0, host prefixes, both families) against
 * a brute-force scan; one million queries with a fixed seed. */
static void test_bruteforce(void **state)
{
    enum { NLISTS = 12, PER = 120, NQ = 1000000 };
    static struct sk_prefix pfx[NLISTS][PER];
    uint64_t x = 0x2545f4914f6cdd1dULL;
    struct sk_wl_hit h[NLISTS + 1];

    for (int l = 0; l < NLISTS; l++) {
        char rel[64], *json = malloc(PER * 64 + 256);
        size_t o = 0;
        o += (size_t)snprintf(json + o, 256, "{\"name\": \"r%d\", \"description\": \"d\", \"version\": 1,"
                                             " \"type\": \"cidr\", \"list\": [", l);
        for (int i = 0; i < PER; i++) {
            uint8_t raw[16];
            int v6 = xorshift(&x) % 3 == 0;
            for (int k = 0; k < 16; k++)
                raw[k] = (uint8_t)(k < 13 ? xorshift(&x) % 3 : xorshift(&x)); /* crowd together */
            if (v6)
                sk_addr_from_v6_bytes(&pfx[l][i].addr, raw);
            else
                sk_addr_from_v4_bytes(&pfx[l][i].addr, raw + 12);
            unsigned bits = v6 ? 128 : 32, r = (unsigned)(xorshift(&x) % 20);
            pfx[l][i].len = (uint8_t)(r == 0 ? 0 : r < 6 ? bits : (unsigned)(xorshift(&x) % (bits + 1)));
            sk_addr_mask(&pfx[l][i].addr, pfx[l][i].len);
            char t[SK_ADDR_STRLEN];
            sk_prefix_fmt(&pfx[l][i], t, sizeof t);
            o += (size_t)snprintf(json + o, 80, "%s\"%s\"", i ? ", " : "", t);
        }
        snprintf(json + o, 8, "]}");
        snprintf(rel, sizeof rel, "rand/l%02d/list.json", l);
        write_file("rand/x", "");
        write_file(rel, json);
        free(json);
    }
    struct sk_warninglists *wl = load_dir("rand");
    assert_int_equal(sk_wl_count(wl), NLISTS);
    for (int q = 0; q < NQ; q++) {
        const struct sk_prefix *base = &pfx[xorshift(&x) % NLISTS][xorshift(&x) % PER];
        uint8_t raw[16];
        struct sk_addr a;
        memcpy(raw, base->addr.b, 16);
        for (int f = (int)(xorshift(&x) % 4); f > 0; f--) {
            unsigned bit = (unsigned)(base->addr.family == SK_AF_INET ? 96 + xorshift(&x) % 32
                                                                        : xorshift(&x) % 128);
            raw[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        }
        if (base->addr.family == SK_AF_INET)
            sk_addr_from_v4_bytes(&a, raw + 12);
        else
            sk_addr_from_v6_bytes(&a, raw);
        size_t want = 0;
        int expect[NLISTS];
        for (int l = 0; l < NLISTS; l++) {
            expect[l] = 0;
            for (int i = 0; i < PER && !expect[l]; i++)
                expect[l] = sk_prefix_contains(&pfx[l][i], &a);
            want += (size_t)expect[l];
        }
        size_t got = sk_wl_match_addr(wl, &a, SK_WL_ANY, h, NLISTS + 1);
        assert_int_equal(got, want);
        for (size_t k = 0; k < got; k++) {
            int l = (int)strtol(h[k].list->id + 1, NULL, 10);
            assert_true(expect[l]);
            struct sk_prefix e;
            assert_int_equal(sk_prefix_parse(h[k].entry, &e, 0), 0);
            assert_true(sk_prefix_contains(&e, &a));
        }
    }
    sk_wl_free(wl);
}

/* The real MISP lists, when the shared data is there. */
static void test_shared_lists(void **state)
{
    const char *root = getenv("SK_SHARED_DATA");
    char dir[512];
    const char *p = dir;
    struct sk_warninglists *wl;
    struct sk_errinfo ei = {""};
    struct sk_wl_hit h[64];
    struct sk_addr a;

    snprintf(dir, sizeof dir, "%s/warninglists", root ? root : "../shared/data");
    if (access(dir, R_OK) != 0) {
        printf("SKIP: %s not found (shared reference data is not part of the project)\n", dir);
        skip();
    }
    if (sk_wl_load(&wl, &p, 1, &ei) < 0)
        fail_msg("%s", ei.msg);
    assert_true(sk_wl_count(wl) > 100);
    const struct sk_wl_info *aws = sk_wl_find(wl, "amazon-aws");
    assert_non_null(aws);
    assert_int_equal(aws->type, SK_WL_CIDR);
    /* every cidr entry of amazon-aws matches its own address, in amazon-aws */
    sk_addr_parse("52.95.110.1", &a);
    size_t n = sk_wl_match_addr(wl, &a, SK_WL_DST, h, 64);
    int found = 0;
    for (size_t i = 0; i < n && i < 64; i++)
        found |= h[i].list == aws;
    assert_true(found);
    sk_addr_parse("8.8.8.8", &a);
    n = sk_wl_match_addr(wl, &a, SK_WL_DST, h, 64);
    found = 0;
    for (size_t i = 0; i < n && i < 64; i++)
        found |= strcmp(h[i].list->id, "public-dns-v4") == 0;
    assert_true(found);
    n = sk_wl_match_name(wl, "mail.google.com", h, 64);
    found = 0;
    for (size_t i = 0; i < n && i < 64; i++)
        found |= strcmp(h[i].list->id, "tranco10k") == 0;
    assert_true(found);
    sk_wl_free(wl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_and_attrs),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_bruteforce),
        cmocka_unit_test(test_shared_lists),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
