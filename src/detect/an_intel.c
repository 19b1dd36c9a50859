/*
 * an_intel.c — the "intel" analyzer: indicator matches become sightings.
 *
 * Every event goes through sk_intel_match_events(), which matches what it
 * carries:
 *   flow  both endpoints                       count = packets of the flow
 *   dns   the query name; answer addresses and count = 1 message
 *         CNAME/NS/MX targets
 *   tls   SNI, JA3, JA4, certificate hashes    count = 1 handshake
 *   http  Host, and the request URL            count = 1 request
 * Each matching indicator emits one sighting at once (the findset merges
 * repeats), carrying where it matched ("dst", "sni", …), every source of the
 * indicator, and the MISP warninglists the sighting's addresses and name are
 * on ("dst is in amazon-aws"), which the safeguards and the scoring use.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/analyzer.h"
#include "sakimori/error.h"
#include "sakimori/event.h"
#include "sakimori/intel.h"
#include "sakimori/warninglist.h"

#define MAX_WL_HITS 32

struct intel_state {
    const struct sk_intel *intel;
    const struct sk_warninglists *wl;
};

struct feed_ctx {
    const struct intel_state *s;
    const struct sk_event *ev;
    sk_finding_fn emit;
    void *ctx;
};

static int intel_create(void **state, const struct sk_analyzer_env *env)
{
    struct intel_state *s = calloc(1, sizeof *s);
    if (!s)
        return -SK_ENOMEM;
    s->intel = env->intel;
    s->wl = env->warninglists;
    *state = s;
    return 0;
}

static void intel_destroy(void *state) { free(state); }

static void add_wl_hits(json_t *arr, const struct sk_wl_hit *h, size_t n, const char *on)
{
    for (size_t i = 0; i < n && i < MAX_WL_HITS; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(h[i].list->id));
        json_object_set_new(o, "name", json_string(h[i].list->name));
        json_object_set_new(o, "on", json_string(on));
        json_object_set_new(o, "entry", json_string(h[i].entry));
        json_array_append_new(arr, o);
    }
}

/* The event's name as a sighting shows it. */
static const char *event_name(const struct sk_event *ev)
{
    switch (ev->kind) {
    case SK_EVENT_DNS: return ev->u.dns.qname && *ev->u.dns.qname ? ev->u.dns.qname : NULL;
    case SK_EVENT_TLS: return ev->u.tls.sni;
    case SK_EVENT_HTTP: return ev->u.http.host;
    default: return NULL;
    }
}

/* Warninglist hits of what matched, as a JSON array (NULL when none): the
 * matched address itself ("dst is in amazon-aws"), or the matched name —
 * and, for TLS and HTTP, the server the client talked to. */
static char *warninglists_of(const struct intel_state *s, const struct sk_event *ev,
                             const struct sk_intel_match *m)
{
    struct sk_wl_hit h[MAX_WL_HITS];
    json_t *arr;
    char *out = NULL;
    size_t n;
    const char *name = NULL;
    int server = 0;

    if (!s->wl || sk_wl_count(s->wl) == 0)
        return NULL;
    arr = json_array();
    switch (m->field) {
    case SK_MATCH_SRC:
        n = sk_wl_match_addr(s->wl, &ev->src, SK_WL_SRC, h, MAX_WL_HITS);
        add_wl_hits(arr, h, n, "src");
        break;
    case SK_MATCH_DST:
        n = sk_wl_match_addr(s->wl, &ev->dst, SK_WL_DST, h, MAX_WL_HITS);
        add_wl_hits(arr, h, n, "dst");
        break;
    case SK_MATCH_ANSWER:
        if (m->addr) {
            n = sk_wl_match_addr(s->wl, m->addr, SK_WL_DST, h, MAX_WL_HITS);
            add_wl_hits(arr, h, n, "answer");
        } else {
            name = m->observed;
        }
        break;
    case SK_MATCH_QNAME:
        name = event_name(ev);
        break;
    default: /* SNI, Host, URL, fingerprints: the name and the server */
        name = event_name(ev);
        server = 1;
        break;
    }
    if (name && *name) {
        n = sk_wl_match_name(s->wl, name, h, MAX_WL_HITS);
        add_wl_hits(arr, h, n, "name");
    }
    if (server && ev->dst.family) {
        n = sk_wl_match_addr(s->wl, &ev->dst, SK_WL_DST, h, MAX_WL_HITS);
        add_wl_hits(arr, h, n, "dst");
    }
    if (json_array_size(arr))
        out = json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(arr);
    return out;
}

static char *sources_of(const struct sk_intel *in, const struct sk_indicator *ind)
{
    json_t *arr = json_array();
    char *out;

    for (size_t i = 0; i < ind->nsources; i++) {
        const struct sk_ioc_source *src = sk_intel_source(in, ind, i);
        json_t *o = json_object(), *labels = json_array();
        json_object_set_new(o, "name", json_string(src->name));
        json_object_set_new(o, "confidence", json_integer(src->confidence));
        if (src->tlp)
            json_object_set_new(o, "tlp", json_string(sk_ioc_tlp_name((enum sk_ioc_tlp)src->tlp)));
        for (const char *const *l = src->labels; l && *l; l++)
            json_array_append_new(labels, json_string(*l));
        json_object_set_new(o, "labels", labels);
        if (src->stix_id)
            json_object_set_new(o, "stix_id", json_string(src->stix_id));
        json_array_append_new(arr, o);
    }
    out = json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(arr);
    return out;
}

static int on_match(void *vctx, const struct sk_intel_match *m)
{
    struct feed_ctx *c = vctx;
    const struct sk_event *ev = c->ev;
    struct sk_finding f;
    int rc = 0;

    char *wl = warninglists_of(c->s, ev, m);
    for (size_t i = 0; i < m->n && rc >= 0; i++) {
        const struct sk_indicator *ind = m->ind[i];
        char *srcs = sources_of(c->s->intel, ind);
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
        f.name = event_name(ev);
        f.indicator.value = ind->value;
        f.indicator.type = sk_ioc_type_name((enum sk_ioc_type)ind->type);
        f.indicator.source = sk_intel_source(c->s->intel, ind, 0)->name;
        f.indicator.confidence = ind->confidence;
        f.indicator.field = sk_match_field_name((enum sk_match_field)m->field);
        f.indicator.sources_json = srcs;
        f.warninglists_json = wl;
        f.count = ev->kind == SK_EVENT_FLOW ? ev->u.flow.pkts_out + ev->u.flow.pkts_in : 1;
        rc = c->emit(c->ctx, &f);
        free(srcs);
    }
    free(wl);
    return rc;
}

static int intel_feed(void *state, const struct sk_event *ev, sk_finding_fn emit, void *ctx)
{
    const struct intel_state *s = state;
    struct feed_ctx c = {.s = s, .ev = ev, .emit = emit, .ctx = ctx};
    int rc;

    if (!s->intel || sk_intel_count(s->intel) == 0)
        return 0;
    rc = sk_intel_match_events(s->intel, ev, 1, on_match, &c);
    return rc;
}

static int intel_flush(void *state, sk_nstime now, int final, sk_finding_fn emit, void *ctx)
{
    return 0; /* sightings are emitted as they happen; nothing is held */
}

const struct sk_analyzer_ops sk__an_intel = {
    .name = "intel",
    .api = SK_ANALYZER_API,
    .desc = "indicator matches on addresses, names, URLs and TLS fingerprints (sightings)",
    .create = intel_create,
    .feed = intel_feed,
    .flush = intel_flush,
    .destroy = intel_destroy,
};
