/*
 * test_intel_live.c — hot reload with threads: readers match continuously
 * while a writer builds and swaps in new snapshots. Each snapshot holds a
 * self-describing set (generation g: the prefix 10.g.0.0/16 and the domain
 * gen-g.example), so a reader can tell a torn or freed snapshot from a good
 * one. Run under ASan (make test-asan) a snapshot freed while a reader holds
 * it is a use-after-free report; the checks below catch the rest: every
 * snapshot a reader sees is whole, and generations only move forward.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/intel.h"

enum { READERS = 3, SWAPS = 150 };

static struct sk_intel_live *live;
static atomic_int stop;
static atomic_long reads;

static struct sk_intel *make(unsigned g)
{
    struct sk_intel_builder *b;
    struct sk_intel *in;
    char v[64];
    assert_int_equal(sk_intel_builder_new(&b), 0);
    snprintf(v, sizeof v, "10.%u.0.0/16", g % 256);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_CIDR4, v, "live", (uint8_t)(g % 101)), 0);
    snprintf(v, sizeof v, "gen-%u.example", g);
    assert_int_equal(sk_intel_builder_add(b, SK_IOC_DOMAIN, v, "live", 50), 0);
    /* some bulk so that building and freeing take time */
    for (unsigned i = 0; i < 2000; i++) {
        snprintf(v, sizeof v, "172.%u.%u.%u", 16 + i % 16, (i / 16) % 256, g % 256);
        assert_int_equal(sk_intel_builder_add(b, SK_IOC_IPV4, v, "bulk", 10), 0);
    }
    assert_int_equal(sk_intel_build(b, &in), 0);
    return in;
}

static void *reader(void *arg)
{
    struct sk_intel_reader *r;
    const struct sk_indicator *m[4];
    unsigned last = 0;
    long n = 0;

    if (sk_intel_reader_new(live, &r) < 0)
        return (void *)1;
    while (!atomic_load(&stop)) {
        const struct sk_intel *in = sk_intel_read_begin(r);
        /* find which generation this is from its domain indicator */
        unsigned g = 0;
        for (unsigned k = last; k < last + SWAPS + 2; k++) {
            char name[64];
            snprintf(name, sizeof name, "www.gen-%u.example", k);
            if (sk_intel_match_name(in, name, m, 4) == 1) {
                g = k;
                break;
            }
        }
        if (g < last) {
            sk_intel_read_end(r);
            return (void *)2; /* went back in time */
        }
        struct sk_addr a;
        char ip[32];
        snprintf(ip, sizeof ip, "10.%u.1.2", g % 256);
        sk_addr_parse(ip, &a);
        if (sk_intel_count(in) != 2002 || sk_intel_match_addr(in, &a, m, 4) != 1 ||
            m[0]->confidence != g % 101) {
            sk_intel_read_end(r);
            return (void *)3; /* a torn or foreign snapshot */
        }
        sk_intel_read_end(r);
        last = g;
        n++;
    }
    atomic_fetch_add(&reads, n);
    sk_intel_reader_free(r);
    return NULL;
}

static void test_swap_under_readers(void **state)
{
    pthread_t th[READERS];

    assert_int_equal(sk_intel_live_new(make(0), &live), 0);
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, reader, NULL), 0);
    for (unsigned g = 1; g <= SWAPS; g++)
        assert_int_equal(sk_intel_live_swap(live, make(g)), g + 1);
    atomic_store(&stop, 1);
    for (int i = 0; i < READERS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        if (ret)
            fail_msg("reader %d failed: %ld", i, (long)ret);
    }
    assert_true(atomic_load(&reads) > 0);
    assert_int_equal(sk_intel_live_generation(live), SWAPS + 1);
    sk_intel_live_free(live);
}

static void test_empty_and_null(void **state)
{
    struct sk_intel_reader *r;
    assert_int_equal(sk_intel_live_new(NULL, &live), 0);
    assert_int_equal(sk_intel_reader_new(live, &r), 0);
    const struct sk_intel *in = sk_intel_read_begin(r);
    assert_int_equal(sk_intel_count(in), 0);
    sk_intel_read_end(r);
    assert_int_equal(sk_intel_live_swap(live, NULL), 2);
    in = sk_intel_read_begin(r);
    assert_int_equal(sk_intel_count(in), 0);
    sk_intel_read_end(r);
    sk_intel_reader_free(r);
    sk_intel_live_free(live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_swap_under_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
