/*
 * analyzer.h — detection plugins: every analyzer is one sk_analyzer_ops.
 *
 * An analyzer is fed every sk_event of a run (or of the daemon's stream) and
 * emits findings: at once (an indicator sighting) or when it has seen enough
 * (a beacon after N connections). flush() asks for what it holds now — at the
 * end of an offline scan, or periodically in the daemon — so a current
 * result is always available, not only at the end of input.
 */
#ifndef SAKIMORI_ANALYZER_H
#define SAKIMORI_ANALYZER_H

#include "sakimori/event-t.h"
#include "sakimori/finding-t.h"

#define SK_ANALYZER_API 1

struct sk_conf;
struct sk_intel;
struct sk_warninglists;

/* What an analyzer may use; owned by the caller, lives as long as the
 * analyzer. */
struct sk_analyzer_env {
    const struct sk_conf *conf;
    const struct sk_intel *intel; /* may be NULL: no indicators loaded */
    /* MISP warninglists (sakimori/warninglist.h): cloud/CDN ranges, public
     * resolvers, top sites… never NULL in scan (an empty set when none are
     * configured), may be NULL elsewhere */
    const struct sk_warninglists *warninglists;
};

struct sk_analyzer_ops {
    const char *name; /* "intel", "beacon", "dga", … */
    unsigned api;     /* SK_ANALYZER_API */
    const char *desc;
    int (*create)(void **state, const struct sk_analyzer_env *env);
    int (*feed)(void *state, const struct sk_event *ev, sk_finding_fn emit,
                void *ctx);
    /* final: end of input (emit everything held); otherwise a periodic
     * report at time now. */
    int (*flush)(void *state, sk_nstime now, int final, sk_finding_fn emit,
                 void *ctx);
    void (*destroy)(void *state);
};

/* Registry (src/detect/registry.c). */
const struct sk_analyzer_ops *sk_analyzer_find(const char *name);
const struct sk_analyzer_ops *const *sk_analyzer_all(void);

#endif
