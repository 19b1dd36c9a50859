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
};

/* Registry (src/act/registry.c). */
const struct sk_action_ops *sk_action_find(const char *name);
const struct sk_action_ops *const *sk_action_all(void);

#endif
