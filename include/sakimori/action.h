/*
 * action.h — neutralization plugins: every action is one sk_action_ops.
 *
 * An action changes something the operator owns (its resolvers, firewalls,
 * routers, its own watchlist) and nothing else. Every action is
 *   check  — would apply succeed? (configuration, reachability; no change)
 *   apply  — make it so; applying twice changes nothing (idempotent)
 *   verify — prove it took effect on the real system
 *   revert — restore exactly the previous state; reverting twice is harmless
 * Governance (src/govern) decides when; actions only know how.
 */
#ifndef SAKIMORI_ACTION_H
#define SAKIMORI_ACTION_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/error.h"
#include "sakimori/nstime.h"

#define SK_ACTION_API 1

struct sk_conf;
struct sk_store;

enum sk_target_kind {
    SK_TARGET_FQDN = 1, /* exactly this name */
    SK_TARGET_DOMAIN,   /* this name and every name below it */
    SK_TARGET_IP,       /* one address (a host prefix) */
    SK_TARGET_PREFIX,   /* an address block */
    SK_TARGET_URL,
};

#define SK_TARGET_MAX 512

struct sk_target {
    uint8_t kind;                /* enum sk_target_kind */
    char value[SK_TARGET_MAX];   /* canonical text form */
    struct sk_prefix prefix;     /* IP and PREFIX kinds */
};

/* Parses "1.2.3.4", "2001:db8::/48", "evil.example", "*.evil.example"
 * (domain), "https://…" (url). -SK_EPARSE with ei set otherwise. */
int sk_target_parse(const char *s, struct sk_target *out, struct sk_errinfo *ei);
const char *sk_target_kind_name(enum sk_target_kind k);

struct sk_action_req {
    uint64_t id;                   /* the action's id in the store */
    const char *kind;              /* "monitor", "sinkhole", "block", … */
    struct sk_target target;
    sk_nstime not_after;           /* expiry: the action must end by then */
    const char *scope;             /* which nodes/resolvers/routers; "" = all */
    /* Added for the act plugins (issue 7); NULL means the default. */
    const char *variant;           /* action-specific policy: rpz "sinkhole" (default),
                                      "nxdomain", "nodata", "passthru" */
    const char *note;              /* evidence summary for reports (takedown) */
};

/* What reconcile changed on the real system. */
struct sk_action_drift {
    uint32_t kept;    /* held and should be: untouched */
    uint32_t added;   /* should be held, was missing: re-applied */
    uint32_t removed; /* held but no longer active: taken away */
};

/* Which traffic an action cuts, for the dry run (sk_action_dryrun). */
enum sk_action_effect {
    SK_ACTION_EFFECT_NONE = 0, /* no change to traffic (watchlist, reports) */
    SK_ACTION_EFFECT_DNS = 1,  /* resolution of the target names */
    SK_ACTION_EFFECT_IP = 2,   /* packets to and from the target addresses */
};

struct sk_action_env {
    const struct sk_conf *conf;
    struct sk_store *store;
};

struct sk_action_ops {
    const char *name; /* the action kind it implements */
    unsigned api;     /* SK_ACTION_API */
    const char *desc;
    int (*init)(void **state, const struct sk_action_env *env,
                struct sk_errinfo *ei);
    int (*check)(void *state, const struct sk_action_req *req,
                 struct sk_errinfo *ei);
    int (*apply)(void *state, const struct sk_action_req *req,
                 struct sk_errinfo *ei);
    int (*verify)(void *state, const struct sk_action_req *req,
                  struct sk_errinfo *ei);
    int (*revert)(void *state, const struct sk_action_req *req,
                  struct sk_errinfo *ei);
    void (*fini)(void *state);
    /* Optional (NULL: nothing outside the store to reconcile). After a crash
     * or a restart of the resolver/firewall/router: makes the real system
     * hold exactly `active` — every action of this kind the store says is
     * active — re-applying what is missing and removing what this plugin put
     * there that is no longer active. Counts what it did in *drift. */
    int (*reconcile)(void *state, const struct sk_action_req *active, size_t n,
                     struct sk_action_drift *drift, struct sk_errinfo *ei);
    unsigned effect; /* enum sk_action_effect */
};

/* Dry run: what the action would have affected had it been active over
 * [from, to), replayed from the telemetry in the store (flows, DNS, passive
 * DNS). Changes nothing. */
struct sk_action_impact {
    sk_nstime from, to;     /* the window replayed: [now - window, now] */
    unsigned effect;        /* enum sk_action_effect of the action */
    int telemetry;          /* 0: the store holds no telemetry for the window */
    uint64_t hosts;         /* IP: distinct peers of the target addresses;
                               DNS: distinct clients that asked for the names */
    uint64_t flows;         /* flows with an end in the target addresses (DNS:
                               in the addresses the names resolved to) */
    uint64_t packets, bytes;
    uint64_t dns_queries;   /* DNS lookups of the target (queries, or responses
                               where the sensor saw only those) */
    uint64_t addresses;     /* DNS: addresses the names resolved to (passive DNS) */
};
/* Fills out for req over the last `window` ns of stored telemetry. */
int sk_action_dryrun(struct sk_store *st, const struct sk_action_req *req,
                     uint64_t window, struct sk_action_impact *out,
                     struct sk_errinfo *ei);

/* Registry (src/act/registry.c). */
const struct sk_action_ops *sk_action_find(const char *name);
const struct sk_action_ops *const *sk_action_all(void);

#endif
