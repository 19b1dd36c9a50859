/*
 * arena.c — bump allocator.
 *
 * Chunks form a singly linked list, newest first. An allocation bigger than
 * the chunk size gets a chunk of its own. Alignment is max_align_t.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/arena.h"

struct sk_arena_chunk {
    struct sk_arena_chunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

#define ARENA_ALIGN alignof(max_align_t)

void sk_arena_init(struct sk_arena *a, size_t chunk_size, size_t cap)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->used = 0;
    a->cap = cap;
}

void *sk_arena_alloc(struct sk_arena *a, size_t size)
{
    struct sk_arena_chunk *c = a->head;
    size_t need = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);

    if (size == 0)
        need = ARENA_ALIGN;
    if (need < size)
        return NULL; /* overflow */
    if (a->cap && a->used + need > a->cap)
        return NULL;
    if (!c || c->size - c->used < need) {
        size_t csize = need > a->chunk_size ? need : a->chunk_size;
        c = malloc(sizeof *c + csize);
        if (!c)
            return NULL;
        c->size = csize;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    a->used += need;
    return p;
}

void *sk_arena_calloc(struct sk_arena *a, size_t size)
{
    void *p = sk_arena_alloc(a, size);
    if (p)
        memset(p, 0, size);
    return p;
}

char *sk_arena_strndup(struct sk_arena *a, const char *s, size_t len)
{
    char *p = sk_arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *sk_arena_strdup(struct sk_arena *a, const char *s)
{
    return sk_arena_strndup(a, s, strlen(s));
}

void sk_arena_reset(struct sk_arena *a)
{
    struct sk_arena_chunk *c = a->head, *next;

    if (!c)
        return;
    /* keep the oldest chunk of the default size, free the rest */
    struct sk_arena_chunk *keep = NULL;
    for (; c; c = next) {
        next = c->next;
        if (!keep && !next && c->size == a->chunk_size) {
            keep = c;
            break;
        }
        free(c);
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    a->head = keep;
    a->used = 0;
}

void sk_arena_free(struct sk_arena *a)
{
    struct sk_arena_chunk *c = a->head, *next;

    for (; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
    a->used = 0;
}
