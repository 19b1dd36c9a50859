/*
 * table.h — the open-addressing index the analyzers keep their subjects in
 * (internal to src/detect).
 *
 * A table maps a record to its dense index (0, 1, 2, …) in a pool the caller
 * owns. Slots hold (32 bits of hash, index + 1); the caller's eq() confirms
 * a candidate, so keys of any shape work and nothing is ever confused by a
 * hash collision. The slot position is taken from the same 32 bits, so a
 * rebuild never touches the records. Linear probing, load ≤ 1/2, grows by
 * doubling (up to 2^31 slots, far past any cap we set). Records are
 * never deleted: analyzers bound their tables by refusing new subjects
 * past a cap, and count the refusals.
 */
#ifndef SK_DETECT_TABLE_H
#define SK_DETECT_TABLE_H

#include <stdint.h>
#include <stdlib.h>

#include "sakimori/error.h"

struct sk__table {
    uint64_t *slots; /* hash << 32 | (index + 1); 0 = empty */
    uint32_t mask;
    uint32_t n;
};

static inline int sk__table_init(struct sk__table *t, uint32_t initial_pow2)
{
    t->slots = calloc(initial_pow2, sizeof *t->slots);
    t->mask = initial_pow2 - 1;
    t->n = 0;
    return t->slots ? 0 : -SK_ENOMEM;
}

static inline void sk__table_free(struct sk__table *t)
{
    free(t->slots);
    t->slots = NULL;
}

/* Finds the record with hash h for which eq(ctx, index) holds; returns its
 * index, or -1 with *slot set to where it would go. */
static inline int64_t sk__table_find(const struct sk__table *t, uint64_t h,
                                     int (*eq)(const void *ctx, uint32_t index),
                                     const void *ctx, uint32_t *slot)
{
    uint32_t frag = (uint32_t)(h >> 32), i = frag & t->mask;
    for (;; i = (i + 1) & t->mask) {
        uint64_t s = t->slots[i];
        if (!s)
            break;
        if ((uint32_t)(s >> 32) == frag && eq(ctx, (uint32_t)s - 1))
            return (int64_t)((uint32_t)s - 1);
    }
    *slot = i;
    return -1;
}

/* Stores index at the slot sk__table_find() returned; grows when half full. */
static inline int sk__table_put(struct sk__table *t, uint32_t slot, uint64_t h, uint32_t index)
{
    t->slots[slot] = (h >> 32) << 32 | ((uint64_t)index + 1);
    if (++t->n * 2 <= t->mask)
        return 0;
    uint32_t nmask = t->mask * 2 + 1;
    uint64_t *ns = calloc((size_t)nmask + 1, sizeof *ns);
    if (!ns)
        return -SK_ENOMEM;
    for (uint32_t k = 0; k <= t->mask; k++) {
        uint64_t s = t->slots[k];
        if (!s)
            continue;
        uint32_t j = (uint32_t)(s >> 32) & nmask;
        while (ns[j])
            j = (j + 1) & nmask;
        ns[j] = s;
    }
    free(t->slots);
    t->slots = ns;
    t->mask = nmask;
    return 0;
}

#endif
