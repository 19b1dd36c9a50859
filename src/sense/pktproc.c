/*
 * pktproc.c — the packet pipeline: decode → flow table → protocol decoders.
 *
 * DNS is recognised by port 53 on either side, over UDP (one message per
 * datagram) and TCP (messages with a 2-byte length prefix, when a segment
 * carries whole messages). Each DNS message becomes one event oriented from
 * the client to the server, so a query and its response share a 5-tuple.
 * Per-packet strings live in a small arena reset after every packet.
 */
#include <stdlib.h>
#include <string.h>

#include "sakimori/arena.h"
#include "sakimori/conf-t.h"
#include "sakimori/error.h"
#include "sense/decode.h"
#include "sense/dns.h"
#include "sense/flow.h"
#include "sense/pktproc.h"

struct sk_pktproc {
    struct sk_source_opts opts;
    sk_event_fn emit;
    void *ctx;
    struct sk_flowtab *flows;
    struct sk_arena scratch;
    struct sk_pktproc_stats st;
};

int sk_pktproc_new(struct sk_pktproc **out, const struct sk_source_opts *opts,
                   sk_event_fn emit, void *ctx)
{
    struct sk_pktproc *pp = calloc(1, sizeof *pp);
    const struct sk_conf *c = opts->conf;
    struct sk_flowtab_cfg fc = {
        .idle_timeout = c->flow.idle_timeout,
        .active_timeout = c->flow.active_timeout,
        .max_flows = c->flow.max_flows,
        .source_id = opts->source_id,
        .privacy = opts->privacy,
    };
    int rc;

    if (!pp)
        return -SK_ENOMEM;
    pp->opts = *opts;
    pp->emit = emit;
    pp->ctx = ctx;
    sk_arena_init(&pp->scratch, 16384, 1 << 20);
    if ((rc = sk_flowtab_new(&pp->flows, &fc, emit, ctx)) < 0) {
        free(pp);
        return rc;
    }
    *out = pp;
    return 0;
}

void sk_pktproc_free(struct sk_pktproc *pp)
{
    if (!pp)
        return;
    sk_flowtab_free(pp->flows);
    sk_arena_free(&pp->scratch);
    free(pp);
}

static int dns_message(struct sk_pktproc *pp, const struct sk_packet *pk,
                       const uint8_t *msg, size_t len)
{
    struct sk_event ev;
    int rc;

    memset(&ev, 0, sizeof ev);
    rc = sk_dns_parse(msg, len, &pp->scratch, &ev.u.dns);
    if (rc == -SK_ENOMEM)
        return rc;
    if (rc < 0) {
        pp->st.dns_malformed++;
        return 0;
    }
    ev.kind = SK_EVENT_DNS;
    ev.proto = pk->proto;
    ev.privacy = pp->opts.privacy;
    ev.source_id = pp->opts.source_id;
    ev.ts = ev.ts_end = pk->ts;
    if (ev.u.dns.is_response) { /* orient client → server */
        ev.src = pk->dst;
        ev.sport = pk->dport;
        ev.dst = pk->src;
        ev.dport = pk->sport;
    } else {
        ev.src = pk->src;
        ev.sport = pk->sport;
        ev.dst = pk->dst;
        ev.dport = pk->dport;
    }
    return pp->emit(pp->ctx, &ev);
}

static int app_layer(struct sk_pktproc *pp, const struct sk_packet *pk)
{
    int rc = 0;

    if (pk->fragment || pk->payload_len == 0)
        return 0;
    if (pk->sport != 53 && pk->dport != 53)
        return 0;
    if (pk->proto == 17)
        return dns_message(pp, pk, pk->payload, pk->payload_len);
    if (pk->proto == 6) {
        const uint8_t *p = pk->payload;
        size_t n = pk->payload_len;
        while (n >= 2 && rc >= 0) {
            size_t mlen = (size_t)p[0] << 8 | p[1];
            if (mlen < 12 || mlen + 2 > n)
                break; /* spans segments: needs stream reassembly */
            rc = dns_message(pp, pk, p + 2, mlen);
            p += mlen + 2;
            n -= mlen + 2;
        }
    }
    return rc;
}

int sk_pktproc_packet(struct sk_pktproc *pp, int linktype, sk_nstime ts,
                      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
    struct sk_packet pk;
    int rc, rev;

    pp->st.packets++;
    rc = sk_decode_packet(linktype, data, caplen, &pk);
    if (rc == -SK_EUNSUP) {
        pp->st.not_ip++;
        return 0;
    }
    if (rc < 0) {
        pp->st.malformed++;
        return 0;
    }
    pk.ts = ts;
    pk.wirelen = wirelen;
    if ((rc = sk_flowtab_packet(pp->flows, &pk, &rev)) < 0)
        return rc;
    rc = app_layer(pp, &pk);
    sk_arena_reset(&pp->scratch);
    return rc;
}

int sk_pktproc_finish(struct sk_pktproc *pp)
{
    return sk_flowtab_flush(pp->flows);
}

void sk_pktproc_stats(const struct sk_pktproc *pp, struct sk_pktproc_stats *out)
{
    struct sk_flowtab_stats fs;

    *out = pp->st;
    sk_flowtab_stats(pp->flows, &fs);
    out->flows = fs.flows;
    out->evicted = fs.evicted;
    out->peak_flows = fs.peak;
}
