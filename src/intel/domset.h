/*
 * domset.h — the name index of src/intel (internal; see domset.c).
 *
 * Built once from distinct canonical names (lower-case, no trailing dot),
 * each with the indicator for "this name and its subdomains" (domain) and/or
 * the one for "exactly this name" (fqdn). A lookup returns the most specific
 * node that matches and whether it matched as the name itself; the others
 * follow through sk__domset_parent(), so one lookup and a short walk give
 * every match.
 */
#ifndef SK_INTEL_DOMSET_H
#define SK_INTEL_DOMSET_H

#include <stddef.h>
#include <stdint.h>

#define SK_DOMSET_NONE UINT32_MAX

struct sk_domset;

struct sk_domset_node {
    const char *name; /* owned by the caller of build */
    uint32_t domain;  /* indicator id or SK_DOMSET_NONE */
    uint32_t fqdn;
    uint32_t parent;  /* node of the nearest domain ancestor in bounds, or NONE */
    uint16_t len;
    uint8_t labels;
    uint8_t flags;
};

int sk__domset_build(const char *const *names, const uint32_t *domain, const uint32_t *fqdn,
                     size_t n, uint64_t seed, struct sk_domset **out);
void sk__domset_free(struct sk_domset *d);
size_t sk__domset_bytes(const struct sk_domset *d);
const struct sk_domset_node *sk__domset_node(const struct sk_domset *d, uint32_t i);

/* name: lower-case, no trailing dot, len ≤ 253. Returns node + 1, or 0;
 * *exact says the node is the name itself (its fqdn indicator applies too). */
uint32_t sk__domset_lookup(const struct sk_domset *d, const char *name, size_t len, int *exact);
/* n lookups with prefetching; out[i] = node + 1 (bit 31 set when exact). */
void sk__domset_lookup_batch(const struct sk_domset *d, const char *const *names,
                             const uint16_t *lens, size_t n, uint32_t *out);
#define SK_DOMSET_EXACT 0x80000000u

#endif
