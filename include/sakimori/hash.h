/*
 * hash.h — fast non-cryptographic hashing for in-memory tables.
 *
 * sk_hash64 is wyhash-style 64-bit mixing of bytes with a seed; tables that
 * hash attacker-controlled keys (flows, names) seed it at start-up from
 * sk_hash_seed() so collisions cannot be precomputed. Cryptographic digests
 * (BLAKE2b, SHA-256) come from libsodium, not from here.
 */
#ifndef SAKIMORI_HASH_H
#define SAKIMORI_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t sk_hash64(const void *key, size_t len, uint64_t seed);
/* Case-insensitive over ASCII letters, for DNS names. */
uint64_t sk_hash64_lower(const void *key, size_t len, uint64_t seed);
/* Final avalanche of one 64-bit value. */
static inline uint64_t sk_hash_mix64(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return x;
}
/* A random per-process seed (from the OS), the same for every call. */
uint64_t sk_hash_seed(void);

#endif
