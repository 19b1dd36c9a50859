/*
 * registry.c — every analyzer.
 */
#include <stddef.h>
#include <string.h>

#include "sakimori/analyzer.h"

extern const struct sk_analyzer_ops sk__an_intel;
extern const struct sk_analyzer_ops sk__an_beacon;
extern const struct sk_analyzer_ops sk__an_dga;
extern const struct sk_analyzer_ops sk__an_dnstunnel;
extern const struct sk_analyzer_ops sk__an_longconn;
extern const struct sk_analyzer_ops sk__an_tlsfp;

static const struct sk_analyzer_ops *const analyzers[] = {
    &sk__an_intel,
    &sk__an_beacon,
    &sk__an_dga,
    &sk__an_dnstunnel,
    &sk__an_longconn,
    &sk__an_tlsfp,
    NULL,
};

const struct sk_analyzer_ops *const *sk_analyzer_all(void) { return analyzers; }

const struct sk_analyzer_ops *sk_analyzer_find(const char *name)
{
    for (size_t i = 0; analyzers[i]; i++)
        if (strcmp(analyzers[i]->name, name) == 0)
            return analyzers[i];
    return NULL;
}
