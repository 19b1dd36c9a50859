/*
 * intel-int.h — the snapshot's layout, shared by the files of src/intel.
 */
#ifndef SK_INTEL_INT_H
#define SK_INTEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/arena.h"
#include "sakimori/intel.h"

struct sk_lpm4;
struct sk_lpm6;
struct sk_domset;

/* Indicator values: a bump allocator over 2 MiB-aligned chunks on
 * transparent huge pages, because matching reads them at random (a name's
 * comparison, a prefix's expansion) and 4 KiB pages would cost a TLB miss
 * each. */
struct sk__strpool {
    struct sk__strchunk *head;
    size_t used, cap; /* in the head chunk */
};
char *sk__strpool_dup(struct sk__strpool *p, const char *s, size_t len);
void sk__strpool_free(struct sk__strpool *p);

struct sk_intel {
    struct sk_arena arena;        /* record strings and label arrays */
    struct sk__strpool values;    /* indicator values */
    struct sk_indicator *v;       /* indicators */
    size_t n;
    uint64_t *bslots;             /* the builder's (type, value) table, while freezing */
    size_t bmask;
    uint32_t *oslots;             /* URLs and hashes: (type, value) → index + 1 */
    size_t omask;
    uint64_t seed;
    struct sk_ioc_source *recs;   /* interned source assertions */
    size_t nrecs;
    uint32_t *multi;              /* record indexes of multi-source indicators */
    size_t count[SK_IOC_MAX + 1];
    struct sk_lpm4 *lpm4;         /* IPv4 prefixes, valued by indicator index */
    struct sk_lpm6 *lpm6;
    uint32_t *parent;             /* per indicator: the next shorter prefix's indicator */
    size_t n4, n6;
    struct sk_domset *names;
};

/* canon.c: "a.b.c.d[/len]" in the strict form inet_pton accepts; -1 for
 * anything else (the caller falls back to sk_prefix_parse). */
int sk__fast_v4(const char *s, uint32_t *addr, unsigned *len);

#endif
