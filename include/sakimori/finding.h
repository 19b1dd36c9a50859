/*
 * finding.h — collecting, ranking and printing findings.
 *
 * A findset merges repeated sightings of the same indicator on the same
 * 5-tuple and name into one (counts add up, first/last widen) and keeps the
 * latest, highest-scoring detection per subject. sk_findset_sorted() ranks
 * detections by score, then sightings by first time seen.
 */
#ifndef SAKIMORI_FINDING_H
#define SAKIMORI_FINDING_H

#include <stddef.h>

#include "sakimori/buf.h"
#include "sakimori/finding-t.h"

struct sk_findset;

int sk_findset_new(struct sk_findset **out);
void sk_findset_free(struct sk_findset *fs);
/* Copies f (strings included). Usable as an sk_finding_fn with ctx = fs. */
int sk_findset_add(void *fs, const struct sk_finding *f);
size_t sk_findset_count(const struct sk_findset *fs);
/* A ranked array owned by the set, valid until the next add or free. */
const struct sk_finding *const *sk_findset_sorted(struct sk_findset *fs, size_t *n);

/* Appends the stable one-line JSON form (no newline). */
int sk_finding_json(const struct sk_finding *f, struct sk_buf *out);
const char *sk_finding_type_name(enum sk_finding_type t);

#endif
