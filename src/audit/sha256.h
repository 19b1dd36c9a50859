/*
 * sha256.h — SHA-256 of two concatenated pieces, hardware-accelerated when
 * the CPU allows (internal to src/audit; see sha256.c).
 */
#ifndef SK_AUDIT_SHA256_H
#define SK_AUDIT_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* SHA-256(a ‖ b). Either piece may be empty. */
void sk__sha256_2(const void *a, size_t na, const void *b, size_t nb, uint8_t out[32]);
/* Whether the SHA extensions are in use. */
int sk__sha256_accelerated(void);
/* Tests: use libsodium even where the CPU has SHA-NI. */
void sk__sha256_force_portable(int on);

#endif
