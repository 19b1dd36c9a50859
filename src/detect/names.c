/*
 * names.c — interned names and the (client, server) → name cache.
 *
 * strtab: strings copied into an arena, id → string in a growable array,
 *   string → id through open addressing over id + 1 (linear probing, load
 *   ≤ 1/2). Names come from the network, so the table has a hard cap on the
 *   count and on the length of each string; the hash is seeded per process.
 *
 * namecache: which name a client used for a server address — the query name
 *   whose answer held the address, or the SNI/Host it sent. Direct-mapped
 *   (one slot per hash, a newer entry replaces an older one): a bounded,
 *   lossy memory that is right for every client that connects shortly after
 *   resolving, which is how software works. 24 bytes a slot.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/detect-int.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"

#define MAX_NAME 255

int sk__strtab_init(struct sk__strtab *t, uint32_t cap)
{
    memset(t, 0, sizeof *t);
    sk_arena_init(&t->arena, 256 * 1024, 0);
    t->cap = cap;
    t->mask = 1023;
    t->slots = calloc(1024, sizeof *t->slots);
    t->alloc = 512;
    t->str = malloc(t->alloc * sizeof *t->str);
    t->seed = sk_hash_seed() ^ 0x6e616d6573ULL;
    if (!t->slots || !t->str) {
        sk__strtab_free(t);
        return -SK_ENOMEM;
    }
    return 0;
}

void sk__strtab_free(struct sk__strtab *t)
{
    sk_arena_free(&t->arena);
    free(t->slots);
    free(t->str);
    t->slots = NULL;
    t->str = NULL;
}

static uint32_t probe(const struct sk__strtab *t, const char *s, size_t len, uint64_t h)
{
    uint32_t i = (uint32_t)h & t->mask;
    for (; t->slots[i]; i = (i + 1) & t->mask) {
        const char *e = t->str[t->slots[i] - 1];
        if (strncmp(e, s, len) == 0 && e[len] == '\0')
            break;
    }
    return i;
}

int64_t sk__strtab_find(const struct sk__strtab *t, const char *s, size_t len)
{
    uint32_t i = probe(t, s, len, sk_hash64(s, len, t->seed));
    return t->slots[i] ? (int64_t)t->slots[i] - 1 : -1;
}

static int grow(struct sk__strtab *t)
{
    uint32_t nmask = t->mask * 2 + 1;
    uint32_t *ns = calloc((size_t)nmask + 1, sizeof *ns);
    if (!ns)
        return -SK_ENOMEM;
    for (uint32_t id = 0; id < t->n; id++) {
        const char *e = t->str[id];
        uint32_t i = (uint32_t)sk_hash64(e, strlen(e), t->seed) & nmask;
        while (ns[i])
            i = (i + 1) & nmask;
        ns[i] = id + 1;
    }
    free(t->slots);
    t->slots = ns;
    t->mask = nmask;
    return 0;
}

int64_t sk__strtab_intern(struct sk__strtab *t, const char *s, size_t len)
{
    uint64_t h = sk_hash64(s, len, t->seed);
    uint32_t i = probe(t, s, len, h);
    char *copy;

    if (t->slots[i])
        return (int64_t)t->slots[i] - 1;
    if (len > MAX_NAME || t->n >= t->cap) {
        t->refused++;
        return -SK_ETOOBIG;
    }
    if (t->n == t->alloc) {
        uint32_t na = t->alloc * 2;
        const char **nv = realloc(t->str, na * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        t->str = nv;
        t->alloc = na;
    }
    if (!(copy = sk_arena_strndup(&t->arena, s, len)))
        return -SK_ENOMEM;
    t->str[t->n] = copy;
    t->slots[i] = ++t->n;
    if ((uint64_t)t->n * 2 > t->mask) {
        int rc = grow(t);
        if (rc < 0)
            return rc;
    }
    return (int64_t)t->n - 1;
}

struct sk__nc_slot {
    uint64_t check; /* full hash of the key, 0 = empty */
    uint32_t name_id;
    uint32_t pad;
};

int sk__namecache_init(struct sk__namecache *nc, uint32_t slots_pow2)
{
    memset(nc, 0, sizeof *nc);
    if (slots_pow2 == 0 || (slots_pow2 & (slots_pow2 - 1)))
        return -SK_EINVAL;
    nc->slots = calloc(slots_pow2, sizeof *nc->slots);
    if (!nc->slots)
        return -SK_ENOMEM;
    nc->mask = slots_pow2 - 1;
    nc->seed = sk_hash_seed() ^ 0x6e63ULL;
    return 0;
}

void sk__namecache_free(struct sk__namecache *nc)
{
    free(nc->slots);
    nc->slots = NULL;
}

static uint64_t nc_hash(const struct sk__namecache *nc, const struct sk_addr *c,
                        const struct sk_addr *s)
{
    uint64_t h = sk_hash64(c->b, 16, nc->seed ^ c->family);
    h = sk_hash64(s->b, 16, h ^ ((uint64_t)s->family << 8));
    return h ? h : 1;
}

void sk__namecache_put(struct sk__namecache *nc, const struct sk_addr *client,
                       const struct sk_addr *server, uint32_t name_id)
{
    uint64_t h = nc_hash(nc, client, server);
    struct sk__nc_slot *sl = &nc->slots[h & nc->mask];
    sl->check = h;
    sl->name_id = name_id;
}

int64_t sk__namecache_get(const struct sk__namecache *nc, const struct sk_addr *client,
                          const struct sk_addr *server)
{
    uint64_t h = nc_hash(nc, client, server);
    const struct sk__nc_slot *sl = &nc->slots[h & nc->mask];
    return sl->check == h ? (int64_t)sl->name_id : -1;
}
