/*
 * state.c — the governance state machine and the names of things.
 *
 * The transition table below is the only definition of what may follow
 * what. Everything that changes a proposal's state asks
 * sk_govern_next_state() first and writes the result with a guard on the old
 * state (UPDATE … WHERE state = old), so neither a bug nor two processes
 * racing can take an edge that is not in the table. The unit test walks
 * every (state, event) pair against this table and DESIGN.md.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "govern/govern-int.h"

static const char *const state_names[SK_GOV_NSTATES + 1] = {
    [SK_GOV_DRAFT] = "draft",       [SK_GOV_PENDING] = "pending",
    [SK_GOV_APPROVED] = "approved", [SK_GOV_ACTIVE] = "active",
    [SK_GOV_PROVISIONAL] = "provisional", [SK_GOV_REVERTED] = "reverted",
    [SK_GOV_FAILED] = "failed",     [SK_GOV_REJECTED] = "rejected",
};

static const char *const event_names[SK_GOV_NEVENTS + 1] = {
    [SK_GOV_EV_SUBMIT] = "submit",   [SK_GOV_EV_APPROVE] = "approve",
    [SK_GOV_EV_EXIGENT] = "exigent", [SK_GOV_EV_REJECT] = "reject",
    [SK_GOV_EV_APPLY] = "apply",     [SK_GOV_EV_RATIFY] = "ratify",
    [SK_GOV_EV_LAPSE] = "lapse",     [SK_GOV_EV_VERIFY_FAIL] = "verify_fail",
    [SK_GOV_EV_EXPIRE] = "expire",   [SK_GOV_EV_REVOKE] = "revoke",
};

static const struct {
    enum sk_gov_state from;
    enum sk_gov_event ev;
    enum sk_gov_state to;
} transitions[] = {
    {SK_GOV_DRAFT, SK_GOV_EV_SUBMIT, SK_GOV_PENDING},
    {SK_GOV_PENDING, SK_GOV_EV_APPROVE, SK_GOV_APPROVED},
    {SK_GOV_PENDING, SK_GOV_EV_REJECT, SK_GOV_REJECTED},
    {SK_GOV_PENDING, SK_GOV_EV_EXIGENT, SK_GOV_PROVISIONAL},
    {SK_GOV_APPROVED, SK_GOV_EV_APPLY, SK_GOV_ACTIVE},
    {SK_GOV_ACTIVE, SK_GOV_EV_EXPIRE, SK_GOV_REVERTED},
    {SK_GOV_ACTIVE, SK_GOV_EV_REVOKE, SK_GOV_REVERTED},
    {SK_GOV_ACTIVE, SK_GOV_EV_VERIFY_FAIL, SK_GOV_FAILED},
    {SK_GOV_PROVISIONAL, SK_GOV_EV_RATIFY, SK_GOV_ACTIVE},
    {SK_GOV_PROVISIONAL, SK_GOV_EV_LAPSE, SK_GOV_REVERTED},
    /* active (provisional) is active: the edges out of active leave it too */
    {SK_GOV_PROVISIONAL, SK_GOV_EV_EXPIRE, SK_GOV_REVERTED},
    {SK_GOV_PROVISIONAL, SK_GOV_EV_REVOKE, SK_GOV_REVERTED},
    {SK_GOV_PROVISIONAL, SK_GOV_EV_VERIFY_FAIL, SK_GOV_FAILED},
};

int sk_govern_next_state(enum sk_gov_state from, enum sk_gov_event ev, enum sk_gov_state *to)
{
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
        if (transitions[i].from == from && transitions[i].ev == ev) {
            *to = transitions[i].to;
            return 0;
        }
    }
    return -SK_ESTATE;
}

const char *sk_govern_state_name(enum sk_gov_state s)
{
    return s >= SK_GOV_DRAFT && s <= SK_GOV_REJECTED ? state_names[s] : "unknown";
}

int sk_govern_state_parse(const char *s)
{
    for (int i = SK_GOV_DRAFT; i <= SK_GOV_REJECTED; i++)
        if (strcmp(s, state_names[i]) == 0)
            return i;
    return -1;
}

const char *sk_govern_event_name(enum sk_gov_event e)
{
    return e >= SK_GOV_EV_SUBMIT && e <= SK_GOV_EV_REVOKE ? event_names[e] : "unknown";
}

static const char *const action_names[] = {
    [SK_GOV_MONITOR] = "monitor",     [SK_GOV_SINKHOLE] = "sinkhole",
    [SK_GOV_BLOCK] = "block",         [SK_GOV_BLACKHOLE] = "blackhole",
    [SK_GOV_TAKEDOWN] = "takedown_request",
};

const char *sk_govern_action_name(enum sk_gov_action a)
{
    return a >= SK_GOV_MONITOR && a <= SK_GOV_TAKEDOWN ? action_names[a] : "unknown";
}

int sk_govern_action_parse(const char *s)
{
    for (int i = SK_GOV_MONITOR; i <= SK_GOV_TAKEDOWN; i++)
        if (strcmp(s, action_names[i]) == 0)
            return i;
    return -1;
}

const char *sk_govern_verdict_name(enum sk_gov_verdict v)
{
    switch (v) {
    case SK_GOV_VERDICT_APPROVE: return "approve";
    case SK_GOV_VERDICT_EXIGENT: return "exigent";
    case SK_GOV_VERDICT_REJECT: return "reject";
    }
    return "unknown";
}

int sk_govern_verdict_parse(const char *s)
{
    if (!strcmp(s, "approve"))
        return SK_GOV_VERDICT_APPROVE;
    if (!strcmp(s, "exigent"))
        return SK_GOV_VERDICT_EXIGENT;
    if (!strcmp(s, "reject"))
        return SK_GOV_VERDICT_REJECT;
    return -1;
}

static const char *const tlp_names[] = {"clear", "green", "amber", "amber+strict", "red"};

const char *sk_tlp_name(enum sk_tlp t)
{
    return t <= SK_TLP_RED ? tlp_names[t] : "unknown";
}

int sk_tlp_parse(const char *s)
{
    if (strncasecmp(s, "TLP:", 4) == 0)
        s += 4;
    for (int i = 0; i <= SK_TLP_RED; i++)
        if (strcasecmp(s, tlp_names[i]) == 0)
            return i;
    if (strcasecmp(s, "white") == 0) /* TLP 1.0 */
        return SK_TLP_CLEAR;
    return -1;
}


int sk__gov_event_sources(enum sk_gov_event ev, char *out, size_t len)
{
    size_t k = 0;
    int n = 0;

    if (len)
        out[0] = '\0';
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++) {
        if (transitions[i].ev != ev || k >= len)
            continue;
        k += (size_t)snprintf(out + k, len - k, "%s%s", n++ ? " or " : "",
                              state_names[transitions[i].from]);
    }
    return n;
}
