/*
 * psl.h — public suffix helpers of src/intel (internal; see psl.c).
 * Names are lower-case ASCII without a trailing dot. Thread-safe.
 */
#ifndef SK_INTEL_PSL_H
#define SK_INTEL_PSL_H

#include <stddef.h>

/* Whether libpsl loaded a list. */
int sk__psl_ready(void);
/* Is the name a public suffix ("co.uk", "github.io", "com")? */
int sk__psl_is_suffix(const char *name, size_t len);
/* Could a public suffix lie strictly below the name (amazonaws.com → yes)?
 * False means no name below it can have its registered domain above it. */
int sk__psl_guarded(const char *name, size_t len);
/* Length of the registered domain of name (a suffix of it), 0 if none. */
size_t sk__psl_registered_len(const char *name, size_t len);
/* Is the suffix of name of length suffix_len at or below name's registered
 * domain? */
int sk__psl_within(const char *name, size_t len, size_t suffix_len);

#endif
