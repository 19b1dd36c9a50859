/*
 * an_intel.c — the "intel" analyzer: indicator matches become sightings.
 *
 * Every event is matched against the intel snapshot by what it carries:
 *   flow  both endpoints                     count = packets of the flow
 *   dns   the query name; answer addresses;  count = 1 message
 *         CNAME/NS/MX targets
 *   tls   SNI                                count = 1 handshake
 *   http  Host                               count = 1 request
 * Each match emits one sighting at once; the findset merges repeats.
 */
#include <stdlib.h>
#include <string.h>

#include "sakimori/analyzer.h"
#include "sakimori/error.h"
#include "sakimori/event.h"
#include "sakimori/intel.h"

#define MAX_MATCHES 32

struct intel_state {
    const struct sk_intel *intel;
};

static int intel_create(void **state, const struct sk_analyzer_env *env)
{
    struct intel_state *s = calloc(1, sizeof *s);
    if (!s)
        return -SK_ENOMEM;
    s->intel = env->intel;
    *state = s;
    return 0;
}

static void intel_destroy(void *state) { free(state); }

static int emit_matches(const struct sk_event *ev, const char *name, uint64_t count,
                        const struct sk_indicator *const *m, size_t n,
                        sk_finding_fn emit, void *ctx)
{
    struct sk_finding f;
    int rc;

    if (n > MAX_MATCHES)
        n = MAX_MATCHES;
    for (size_t i = 0; i < n; i++) {
        memset(&f, 0, sizeof f);
        f.type = SK_FINDING_SIGHTING;
        f.proto = ev->proto;
        f.privacy = ev->privacy;
        f.sport = ev->sport;
        f.dport = ev->dport;
        f.ts_first = ev->ts;
        f.ts_last = ev->ts_end;
        f.src = ev->src;
        f.dst = ev->dst;
        f.name = name;
        f.indicator.value = m[i]->value;
        f.indicator.type = sk_ioc_type_name((enum sk_ioc_type)m[i]->type);
        f.indicator.source = m[i]->source;
        f.indicator.confidence = m[i]->confidence;
        f.count = count;
        if ((rc = emit(ctx, &f)) < 0)
            return rc;
    }
    return 0;
}

static int match_addr(const struct intel_state *s, const struct sk_event *ev,
                      const struct sk_addr *a, const char *name, uint64_t count,
                      sk_finding_fn emit, void *ctx)
{
    const struct sk_indicator *m[MAX_MATCHES];
    size_t n = sk_intel_match_addr(s->intel, a, m, MAX_MATCHES);
    return n ? emit_matches(ev, name, count, m, n, emit, ctx) : 0;
}

static int match_name(const struct intel_state *s, const struct sk_event *ev,
                      const char *lookup, const char *name, uint64_t count,
                      sk_finding_fn emit, void *ctx)
{
    const struct sk_indicator *m[MAX_MATCHES];
    size_t n;

    if (!lookup || !*lookup)
        return 0;
    n = sk_intel_match_name(s->intel, lookup, m, MAX_MATCHES);
    return n ? emit_matches(ev, name, count, m, n, emit, ctx) : 0;
}

static int intel_feed(void *state, const struct sk_event *ev, sk_finding_fn emit, void *ctx)
{
    const struct intel_state *s = state;
    int rc = 0;

    if (!s->intel || sk_intel_count(s->intel) == 0)
        return 0;
    switch (ev->kind) {
    case SK_EVENT_FLOW: {
        uint64_t pkts = ev->u.flow.pkts_out + ev->u.flow.pkts_in;
        if ((rc = match_addr(s, ev, &ev->src, NULL, pkts, emit, ctx)) < 0)
            return rc;
        return match_addr(s, ev, &ev->dst, NULL, pkts, emit, ctx);
    }
    case SK_EVENT_DNS: {
        const struct sk_ev_dns *d = &ev->u.dns;
        if ((rc = match_name(s, ev, d->qname, d->qname, 1, emit, ctx)) < 0)
            return rc;
        for (size_t i = 0; i < d->n_answers && rc >= 0; i++) {
            const struct sk_dns_rr *rr = &d->answers[i];
            if (rr->type == 1 || rr->type == 28)
                rc = match_addr(s, ev, &rr->addr, d->qname, 1, emit, ctx);
            else if (rr->data && (rr->type == 5 || rr->type == 2 || rr->type == 15))
                rc = match_name(s, ev, rr->data, d->qname, 1, emit, ctx);
        }
        return rc;
    }
    case SK_EVENT_TLS:
        return match_name(s, ev, ev->u.tls.sni, ev->u.tls.sni, 1, emit, ctx);
    case SK_EVENT_HTTP:
        return match_name(s, ev, ev->u.http.host, ev->u.http.host, 1, emit, ctx);
    default:
        return 0;
    }
}

static int intel_flush(void *state, sk_nstime now, int final, sk_finding_fn emit, void *ctx)
{
    return 0; /* sightings are emitted as they happen; nothing is held */
}

const struct sk_analyzer_ops sk__an_intel = {
    .name = "intel",
    .api = SK_ANALYZER_API,
    .desc = "indicator matches on addresses and names (sightings)",
    .create = intel_create,
    .feed = intel_feed,
    .flush = intel_flush,
    .destroy = intel_destroy,
};
