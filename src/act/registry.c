/*
 * registry.c — every action.
 */
#include <stddef.h>
#include <string.h>

#include "sakimori/action.h"

extern const struct sk_action_ops sk__act_monitor;
extern const struct sk_action_ops sk__act_nft;
extern const struct sk_action_ops sk__act_bgp;
extern const struct sk_action_ops sk__act_rpz;
extern const struct sk_action_ops sk__act_takedown;

static const struct sk_action_ops *const actions[] = {
    &sk__act_monitor,
    &sk__act_nft,
    &sk__act_bgp,
    &sk__act_rpz,
    &sk__act_takedown,
    NULL,
};

const struct sk_action_ops *const *sk_action_all(void) { return actions; }

const struct sk_action_ops *sk_action_find(const char *name)
{
    for (size_t i = 0; actions[i]; i++)
        if (strcmp(actions[i]->name, name) == 0)
            return actions[i];
    return NULL;
}
