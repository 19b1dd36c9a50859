/*
 * session.c — state the sources of one run share across inputs.
 *
 * A short list of (key, object, destructor): NetFlow/IPFIX keeps its
 * template cache here so `scan templates.pcap data.pcap` decodes the data
 * with the templates of the first file, as a collector would. A handful of
 * keys at most, so a linear list is the right structure.
 */
#include <stdlib.h>
#include <string.h>

#include "sakimori/error.h"
#include "sakimori/source.h"

#define SESSION_MAX 16

struct sk_source_session {
    size_t n;
    struct {
        const char *key;
        void *obj;
        void (*free_fn)(void *);
    } v[SESSION_MAX];
};

int sk_source_session_new(struct sk_source_session **out)
{
    return (*out = calloc(1, sizeof **out)) ? 0 : -SK_ENOMEM;
}

void sk_source_session_free(struct sk_source_session *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].free_fn)
            s->v[i].free_fn(s->v[i].obj);
    free(s);
}

void *sk_source_session_get(struct sk_source_session *s, const char *key)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (strcmp(s->v[i].key, key) == 0)
            return s->v[i].obj;
    return NULL;
}

int sk_source_session_put(struct sk_source_session *s, const char *key, void *obj,
                          void (*free_fn)(void *))
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].key, key) == 0)
            return -SK_EEXIST;
    if (s->n == SESSION_MAX)
        return -SK_ETOOBIG;
    s->v[s->n].key = key;
    s->v[s->n].obj = obj;
    s->v[s->n].free_fn = free_fn;
    s->n++;
    return 0;
}
