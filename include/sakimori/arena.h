/*
 * arena.h — bump allocator for per-batch and per-request memory.
 *
 * Allocations are carved from chunks and released all at once by
 * sk_arena_reset() or sk_arena_free(); there is no per-object free. A cap
 * bounds the total so an arena fed by untrusted input fails with NULL instead
 * of growing without limit.
 */
#ifndef SAKIMORI_ARENA_H
#define SAKIMORI_ARENA_H

#include <stddef.h>

struct sk_arena_chunk;

struct sk_arena {
    struct sk_arena_chunk *head; /* current chunk, newest first */
    size_t chunk_size;           /* default size of a new chunk */
    size_t used;                 /* bytes handed out since the last reset */
    size_t cap;                  /* 0 = unbounded */
};

void sk_arena_init(struct sk_arena *a, size_t chunk_size, size_t cap);
/* Returns memory aligned for any type, or NULL (out of memory or over cap). */
void *sk_arena_alloc(struct sk_arena *a, size_t size);
void *sk_arena_calloc(struct sk_arena *a, size_t size);
/* Copies len bytes and a NUL; returns the copy or NULL. */
char *sk_arena_strndup(struct sk_arena *a, const char *s, size_t len);
char *sk_arena_strdup(struct sk_arena *a, const char *s);
/* Keeps the first chunk for reuse, frees the others. */
void sk_arena_reset(struct sk_arena *a);
void sk_arena_free(struct sk_arena *a);

#endif
