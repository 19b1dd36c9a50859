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

struct sk_intel {
    struct sk_arena arena;        /* values, record strings and label arrays */
    struct sk_indicator *v;       /* indicators */
    size_t n;
    uint32_t *slots;              /* (type, value) → index + 1, open addressing */
    size_t mask;
    uint64_t seed;
    struct sk_ioc_source *recs;   /* interned source assertions */
    size_t nrecs;
    uint32_t *multi;              /* record indexes of multi-source indicators */
    size_t count[SK_IOC_MAX + 1];
    struct sk_lpm4 *lpm4;         /* IPv4 prefixes: p4_ioc[k] is prefix k's indicator */
    uint32_t *p4_ioc, *p4_parent;
    size_t n4;
    struct sk_lpm6 *lpm6;
    uint32_t *p6_ioc, *p6_parent;
    size_t n6;
    struct sk_domset *names;
};

#endif
