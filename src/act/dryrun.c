/*
 * dryrun.c — what an action would have affected, replayed from the
 * telemetry in the store, before anyone approves it.
 *
 * By the action's effect (enum sk_action_effect):
 *   IP  (nft, bgp): every stored flow with an end in the target prefix —
 *       those flows would have been dropped; hosts = their distinct peers.
 *   DNS (rpz): every DNS message naming the target (and names below it for a
 *       *.domain target); hosts = distinct clients that asked. The addresses
 *       the names resolved to come from passive DNS, and the flows to them
 *       are what a sinkhole would have redirected (an upper bound: another
 *       name may share an address).
 *   NONE (monitor, takedown_request): changes no traffic; zeros.
 * The queries are the store's telemetry API (telemetry.h, pdns.h); nothing
 * is written.
 */
#include <string.h>

#include "sakimori/action.h"
#include "sakimori/addr.h"
#include "sakimori/pdns.h"
#include "sakimori/store.h"
#include "sakimori/telemetry.h"

#define DRYRUN_MAX_ADDRS 256

struct addrset {
    struct sk_addr v[DRYRUN_MAX_ADDRS];
    size_t n;
};

static int collect_addr(void *ctx, const struct sk_pdns_entry *e)
{
    struct addrset *s = ctx;

    for (size_t i = 0; i < s->n; i++)
        if (sk_addr_eq(&s->v[i], &e->addr))
            return 0;
    if (s->n < DRYRUN_MAX_ADDRS)
        s->v[s->n++] = e->addr;
    return 0;
}

static int any_flow(void *ctx, const struct sk_event *ev)
{
    *(int *)ctx = 1;
    return 0;
}

int sk_action_dryrun(struct sk_store *st, const struct sk_action_req *req, uint64_t window,
                     struct sk_action_impact *out, struct sk_errinfo *ei)
{
    const struct sk_action_ops *ops = req->kind ? sk_action_find(req->kind) : NULL;
    struct sk_telemetry_impact ti;
    struct addrset *as = NULL;
    int rc = 0, have_flow = 0;

    memset(out, 0, sizeof *out);
    if (!ops)
        return sk_fail(ei, -SK_EINVAL, "dry run: no action '%s'", req->kind ? req->kind : "");
    out->to = sk_now();
    out->from = out->to > window ? out->to - window : 0;
    out->effect = ops->effect;
    if ((rc = sk_telemetry_flows(st, NULL, out->from, 1, any_flow, &have_flow)) < 0)
        return sk_fail(ei, rc, "dry run: reading stored flows: %s", sk_store_errmsg(st));
    out->telemetry = have_flow || sk_store_count(st, "dns_log") > 0;
    rc = 0;
    if (ops->effect == SK_ACTION_EFFECT_IP) {
        if (req->target.kind != SK_TARGET_IP && req->target.kind != SK_TARGET_PREFIX)
            return sk_fail(ei, -SK_EINVAL, "dry run: %s acts on addresses, not on '%s'",
                           ops->name, req->target.value);
        if ((rc = sk_telemetry_prefix_impact(st, &req->target.prefix, 0, 0, out->from, &ti)) < 0)
            return sk_fail(ei, rc, "dry run: %s", sk_store_errmsg(st));
        out->flows = ti.flows;
        out->packets = ti.packets;
        out->bytes = ti.bytes;
        out->hosts = ti.hosts;
        out->addresses = 1;
    } else if (ops->effect == SK_ACTION_EFFECT_DNS) {
        int sub = req->target.kind == SK_TARGET_DOMAIN;
        if (req->target.kind != SK_TARGET_FQDN && req->target.kind != SK_TARGET_DOMAIN)
            return sk_fail(ei, -SK_EINVAL, "dry run: %s acts on names, not on '%s'", ops->name,
                           req->target.value);
        if ((rc = sk_telemetry_name_impact(st, req->target.value, sub, out->from, &ti)) < 0)
            return sk_fail(ei, rc, "dry run: %s", sk_store_errmsg(st));
        /* lookups: queries, or the responses when a sensor saw only those */
        out->dns_queries = ti.dns_queries > ti.dns_responses ? ti.dns_queries : ti.dns_responses;
        out->hosts = ti.hosts;
        if (!(as = calloc(1, sizeof *as)))
            return -SK_ENOMEM;
        if ((rc = sk_pdns_addrs_for_name(st, req->target.value, sub, out->from, 4096,
                                         collect_addr, as)) < 0) {
            sk_fail(ei, rc, "dry run: passive DNS: %s", sk_store_errmsg(st));
            goto out;
        }
        rc = 0;
        out->addresses = as->n;
        for (size_t i = 0; i < as->n; i++) {
            struct sk_prefix p = {.addr = as->v[i], .len = (uint8_t)sk_addr_bits(&as->v[i])};
            if ((rc = sk_telemetry_prefix_impact(st, &p, 0, 0, out->from, &ti)) < 0) {
                sk_fail(ei, rc, "dry run: %s", sk_store_errmsg(st));
                goto out;
            }
            out->flows += ti.flows;
            out->packets += ti.packets;
            out->bytes += ti.bytes;
        }
    }
out:
    free(as);
    return rc;
}
