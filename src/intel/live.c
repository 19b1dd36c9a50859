/*
 * live.c — hot reload: the current snapshot, swapped atomically.
 *
 * Readers register once (one struct sk_intel_reader per thread, each on its
 * own cache line) and then bracket every use of the snapshot with
 * read_begin/read_end, which only increment the reader's own sequence
 * counter (odd = inside a read) and load the current pointer: two atomic
 * operations, no lock, no wait, no shared cache line written.
 *
 * A writer builds the next snapshot aside, then swap() exchanges the current
 * pointer and waits — alone — until every reader that was inside a read at
 * that moment has left it (its counter moved on). With sequentially
 * consistent atomics, a reader whose read began after the exchange loads the
 * new pointer, and one that began before is seen as odd by the writer, so
 * the old snapshot is freed only when no reader can hold it. This is the
 * grace-period idea of RCU with per-reader counters instead of quiescent
 * states. Swaps are serialised by a mutex that readers never touch; reader
 * registration takes it too (not on the read path).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "sakimori/error.h"
#include "sakimori/intel.h"

struct sk_intel_reader {
    _Alignas(64) atomic_uint_fast64_t seq;
    struct sk_intel_live *live;
    struct sk_intel_reader *next;
    char pad[64 - sizeof(void *) * 2];
};

struct sk_intel_live {
    _Alignas(64) _Atomic(struct sk_intel *) cur;
    atomic_uint_fast64_t generation;
    pthread_mutex_t lock; /* writers and reader registration */
    struct sk_intel_reader *readers;
};

int sk_intel_live_new(struct sk_intel *initial, struct sk_intel_live **out)
{
    struct sk_intel_live *live = aligned_alloc(64, sizeof *live);
    int rc;

    *out = NULL;
    if (!live) {
        sk_intel_free(initial);
        return -SK_ENOMEM;
    }
    if (!initial) {
        struct sk_intel_builder *b;
        if ((rc = sk_intel_builder_new(&b)) < 0 || (rc = sk_intel_build(b, &initial)) < 0) {
            free(live);
            return rc;
        }
    }
    atomic_init(&live->cur, initial);
    atomic_init(&live->generation, 1);
    pthread_mutex_init(&live->lock, NULL);
    live->readers = NULL;
    *out = live;
    return 0;
}

void sk_intel_live_free(struct sk_intel_live *live)
{
    if (!live)
        return;
    SK_REQUIRE(live->readers == NULL);
    sk_intel_free(atomic_load(&live->cur));
    pthread_mutex_destroy(&live->lock);
    free(live);
}

int sk_intel_reader_new(struct sk_intel_live *live, struct sk_intel_reader **out)
{
    struct sk_intel_reader *r = aligned_alloc(64, sizeof *r);
    if (!r)
        return -SK_ENOMEM;
    atomic_init(&r->seq, 0);
    r->live = live;
    pthread_mutex_lock(&live->lock);
    r->next = live->readers;
    live->readers = r;
    pthread_mutex_unlock(&live->lock);
    *out = r;
    return 0;
}

void sk_intel_reader_free(struct sk_intel_reader *r)
{
    if (!r)
        return;
    SK_REQUIRE((atomic_load(&r->seq) & 1) == 0); /* not inside a read */
    pthread_mutex_lock(&r->live->lock);
    for (struct sk_intel_reader **p = &r->live->readers; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            break;
        }
    }
    pthread_mutex_unlock(&r->live->lock);
    free(r);
}

const struct sk_intel *sk_intel_read_begin(struct sk_intel_reader *r)
{
    atomic_fetch_add(&r->seq, 1); /* now odd: inside a read */
    return atomic_load(&r->live->cur);
}

void sk_intel_read_end(struct sk_intel_reader *r)
{
    atomic_fetch_add(&r->seq, 1);
}

uint64_t sk_intel_live_swap(struct sk_intel_live *live, struct sk_intel *next)
{
    uint64_t gen;

    if (!next) {
        struct sk_intel_builder *b;
        if (sk_intel_builder_new(&b) < 0 || sk_intel_build(b, &next) < 0)
            return atomic_load(&live->generation);
    }
    pthread_mutex_lock(&live->lock);
    struct sk_intel *old = atomic_exchange(&live->cur, next);
    gen = atomic_fetch_add(&live->generation, 1) + 1;
    /* grace period: wait for every reader seen inside a read to leave it */
    for (struct sk_intel_reader *r = live->readers; r; r = r->next) {
        uint64_t s = atomic_load(&r->seq);
        if (!(s & 1))
            continue;
        for (unsigned spins = 0; atomic_load(&r->seq) == s; spins++) {
            if (spins < 64)
                continue;
            struct timespec ts = {0, 20000};
            nanosleep(&ts, NULL);
        }
    }
    pthread_mutex_unlock(&live->lock);
    sk_intel_free(old);
    return gen;
}

uint64_t sk_intel_live_generation(const struct sk_intel_live *live)
{
    return atomic_load(&((struct sk_intel_live *)live)->generation);
}
