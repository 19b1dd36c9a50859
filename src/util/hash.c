/*
 * hash.c — 64-bit hashing for hash tables (wyhash-style multiply-mix).
 *
 * Reads 8 bytes at a time with memcpy (no unaligned access), folds pairs of
 * words with a 128-bit multiply, and finishes with the length. Not
 * cryptographic: seed it per process when keys come from the network.
 */
#include <string.h>
#include <sys/random.h>

#include "sakimori/hash.h"

static inline uint64_t mum(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t rd_tail(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    memcpy(&v, p, n);
    return v;
}

#define P0 0xa0761d6478bd642fULL
#define P1 0xe7037ed1a0b428dbULL
#define P2 0x8ebc6af09c88c6e3ULL

uint64_t sk_hash64(const void *key, size_t len, uint64_t seed)
{
    const unsigned char *p = key;
    uint64_t h = seed ^ P0;
    size_t n = len;

    while (n >= 16) {
        h = mum(rd64(p) ^ P1, rd64(p + 8) ^ h);
        p += 16;
        n -= 16;
    }
    if (n >= 8) {
        h = mum(rd64(p) ^ P1, h ^ P2);
        p += 8;
        n -= 8;
    }
    if (n)
        h = mum(rd_tail(p, n) ^ P2, h ^ P1);
    return mum(h ^ len, P0 ^ P2);
}

uint64_t sk_hash64_lower(const void *key, size_t len, uint64_t seed)
{
    unsigned char tmp[256];
    const unsigned char *p = key;

    if (len > sizeof tmp)
        len = sizeof tmp; /* DNS names are at most 253 bytes */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        tmp[i] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
    }
    return sk_hash64(tmp, len, seed);
}

uint64_t sk_hash_seed(void)
{
    static uint64_t seed;
    static int ready;

    if (!ready) {
        uint64_t s = 0;
        if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s)
            s = (uint64_t)(uintptr_t)&seed ^ 0x9e3779b97f4a7c15ULL;
        seed = s | 1;
        ready = 1;
    }
    return seed;
}
