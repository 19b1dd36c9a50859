/*
 * pktproc.c — the packet pipeline: decode → reassemble → flow table →
 * application decoders.
 *
 * Fast path: a packet is decoded, accounted to its flow, and — unless its
 * flow still has an application decision to make — that is all. Each flow
 * has an app byte: UNDECIDED until its first payload, IGNORE when that
 * payload is nothing we decode, SESSION when a session (below) follows it.
 * UDP needs no session: port 53 datagrams are DNS messages, one each.
 *
 * A session follows one TCP connection: both directions are reassembled
 * (stream.c, bounded by sense.stream_depth per direction and
 * sense.stream_memory in all) and fed to one consumer, which first looks
 * through a proxy negotiation (SOCKS, HTTP CONNECT), then detects and runs
 * the decoder: DNS (port 53, 2-byte length-prefixed messages), TLS (a
 * handshake record), or HTTP/1.x (a request or status line). A session ends
 * as soon as its decoder has nothing more to learn (TLS handshake reported,
 * first request answered), on a decoding error or a stream that failed,
 * or with its flow; what it still holds is reported then.
 *
 * Per-packet strings live in a small arena reset after every packet.
 * Events are oriented client → server: DNS by the QR bit, TLS by who sent
 * the ClientHello, HTTP by who sent the request.
 */
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/arena.h"
#include "sakimori/conf-t.h"
#include "sakimori/error.h"
#include "sense/decode.h"
#include "sense/dns.h"
#include "sense/flow.h"
#include "sense/http.h"
#include "sense/pktproc.h"
#include "sense/quic.h"
#include "sense/reasm.h"
#include "sense/socks.h"
#include "sense/stream.h"
#include "sense/tls.h"

enum { APP_UNDECIDED = 0, APP_IGNORE = 1, APP_SESSION = 2 };
#define SPARE_MAX 64
enum { P_DETECT, P_DNS, P_TLS, P_HTTP, P_STOP };
enum { X_NONE, X_SOCKS, X_CONNECT };

struct sess {
    struct sk_stream st[2]; /* 0: initiator → responder */
    uint8_t proto, proxy;
    uint8_t proxy_done[2];
    uint8_t http_emitted;
    struct sk_socks socks;
    struct sk_http_conn *http;
    struct sk_tls_conn *tls;
    size_t tls_charged;
    struct sk_quic_conn *quic; /* a QUIC client's Initials (UDP sessions) */
    uint8_t quic_datagrams;
    struct sk_addr a, b; /* initiator, responder */
    uint16_t aport, bport;
    sk_nstime ts_mark, ts_last;
    uint32_t next_free;
};

struct sk_pktproc {
    struct sk_source_opts opts;
    sk_event_fn emit;
    void *ctx;
    struct sk_flowtab *flows;
    struct sk_reasm *reasm;
    struct sk_stream_mem mem;
    struct sess **sess;   /* by id; NULL when free */
    uint32_t *free_ids;   /* stack of free ids */
    uint32_t nsess, nfree, sess_cap;
    struct sk_arena scratch;
    /* finished sessions and TLS decoders kept for the next ones: a busy
     * link starts thousands a second, and a TLS decoder is 3 KiB */
    struct sess *spare_sess[SPARE_MAX];
    struct sk_tls_conn *spare_tls[SPARE_MAX];
    uint32_t nspare_sess, nspare_tls;
    /* the segment being fed */
    struct sess *cs;
    int cdir;
    const struct sk_packet *cpk;
    struct sk_pktproc_stats st;
    uint64_t events;
    struct sk_tls_client_hello quic_ch; /* scratch for a QUIC ClientHello */
};

static int on_flow_end(void *ctx, uint8_t app, uint32_t sess);

/* Every event leaves through here (flow records through the flow table). */
static int deliver(struct sk_pktproc *pp, const struct sk_event *ev)
{
    pp->events++;
    return pp->emit(pp->ctx, ev);
}

static int forward(void *ctx, const struct sk_event *ev)
{
    return deliver(ctx, ev);
}

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
        .on_end = on_flow_end,
    };
    struct sk_reasm_cfg rcfg = {
        .max_bytes = c->sense.frag_memory ? c->sense.frag_memory : 16u << 20,
        .timeout = c->sense.frag_timeout ? c->sense.frag_timeout : 30 * SK_NS_PER_SEC,
        .max_frags = 64,
    };
    int rc;

    if (!pp)
        return -SK_ENOMEM;
    pp->opts = *opts;
    pp->emit = emit;
    pp->ctx = ctx;
    pp->mem.max = c->sense.stream_memory ? c->sense.stream_memory : 64u << 20;
    pp->mem.depth = c->sense.stream_depth ? (uint32_t)c->sense.stream_depth : 128u << 10;
    sk_arena_init(&pp->scratch, 16384, 1 << 20);
    if ((rc = sk_flowtab_new(&pp->flows, &fc, forward, pp)) < 0 ||
        (rc = sk_reasm_new(&pp->reasm, &rcfg)) < 0) {
        sk_pktproc_free(pp);
        return rc;
    }
    *out = pp;
    return 0;
}

/* --- sessions ------------------------------------------------------------ */

static void charge(struct sk_pktproc *pp, int64_t n)
{
    pp->mem.used = (uint64_t)((int64_t)pp->mem.used + n);
    if (pp->mem.used > pp->mem.peak)
        pp->mem.peak = pp->mem.used;
}

static int can_charge(const struct sk_pktproc *pp, size_t n)
{
    return pp->mem.used + n <= pp->mem.max;
}

static void sess_free(struct sk_pktproc *pp, uint32_t id)
{
    struct sess *s = pp->sess[id];

    sk_stream_release(&s->st[0], &pp->mem);
    sk_stream_release(&s->st[1], &pp->mem);
    if (s->tls) {
        charge(pp, -(int64_t)s->tls_charged);
        if (pp->nspare_tls < SPARE_MAX && sk_tls_conn_size(s->tls) <= 16384)
            pp->spare_tls[pp->nspare_tls++] = s->tls;
        else
            sk_tls_conn_free(s->tls);
    }
    if (s->http) {
        charge(pp, -(int64_t)sizeof *s->http);
        free(s->http);
    }
    if (s->quic) {
        charge(pp, -(int64_t)sk_quic_conn_size());
        sk_quic_conn_free(s->quic);
    }
    charge(pp, -(int64_t)sizeof *s);
    if (pp->nspare_sess < SPARE_MAX)
        pp->spare_sess[pp->nspare_sess++] = s;
    else
        free(s);
    pp->sess[id] = NULL;
    pp->free_ids[pp->nfree++] = id;
}

/* A new session for the flow of pk; SK_FLOW_NO_SESS when refused. */
static int sess_new(struct sk_pktproc *pp, const struct sk_packet *pk, int reverse,
                    uint32_t *out)
{
    struct sess *s;
    uint32_t id;

    *out = SK_FLOW_NO_SESS;
    if (!can_charge(pp, sizeof *s)) {
        pp->st.sessions_refused++;
        return 0;
    }
    if (!pp->nfree && pp->nsess == pp->sess_cap) {
        uint32_t cap = pp->sess_cap ? pp->sess_cap * 2 : 1024;
        struct sess **ns = realloc(pp->sess, cap * sizeof *ns);
        if (!ns)
            return -SK_ENOMEM;
        pp->sess = ns;
        uint32_t *nf = realloc(pp->free_ids, cap * sizeof *nf);
        if (!nf)
            return -SK_ENOMEM;
        pp->free_ids = nf;
        pp->sess_cap = cap;
    }
    if (pp->nspare_sess)
        memset(s = pp->spare_sess[--pp->nspare_sess], 0, sizeof *s);
    else if (!(s = calloc(1, sizeof *s)))
        return -SK_ENOMEM;
    id = pp->nfree ? pp->free_ids[--pp->nfree] : pp->nsess++;
    pp->sess[id] = s;
    charge(pp, sizeof *s);
    s->a = reverse ? pk->dst : pk->src;
    s->b = reverse ? pk->src : pk->dst;
    s->aport = reverse ? pk->dport : pk->sport;
    s->bport = reverse ? pk->sport : pk->dport;
    s->ts_mark = s->ts_last = pk->ts;
    pp->st.sessions++;
    *out = id;
    return 0;
}

void sk_pktproc_free(struct sk_pktproc *pp)
{
    if (!pp)
        return;
    for (uint32_t i = 0; i < pp->nsess; i++)
        if (pp->sess[i])
            sess_free(pp, i);
    free(pp->sess);
    free(pp->free_ids);
    while (pp->nspare_sess)
        free(pp->spare_sess[--pp->nspare_sess]);
    while (pp->nspare_tls)
        sk_tls_conn_free(pp->spare_tls[--pp->nspare_tls]);
    sk_flowtab_free(pp->flows);
    sk_reasm_free(pp->reasm);
    sk_arena_free(&pp->scratch);
    free(pp);
}

/* --- events --------------------------------------------------------------- */

static void event_base(struct sk_pktproc *pp, struct sk_event *ev, uint8_t kind, uint8_t proto)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->proto = proto;
    ev->privacy = pp->opts.privacy;
    ev->source_id = pp->opts.source_id;
}

static int dns_message(struct sk_pktproc *pp, const struct sk_packet *pk, const uint8_t *msg,
                       size_t len)
{
    struct sk_event ev;
    int rc;

    event_base(pp, &ev, SK_EVENT_DNS, pk->proto);
    rc = sk_dns_parse(msg, len, &pp->scratch, &ev.u.dns);
    if (rc == -SK_ENOMEM)
        return rc;
    if (rc < 0) {
        pp->st.dns_malformed++;
        return 0;
    }
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
    pp->st.dns++;
    return deliver(pp, &ev);
}

/* The session's endpoints as client → server; client_dir 0 = initiator. */
static void orient(struct sk_event *ev, const struct sess *s, int client_dir)
{
    if (client_dir == 1) {
        ev->src = s->b;
        ev->sport = s->bport;
        ev->dst = s->a;
        ev->dport = s->aport;
    } else {
        ev->src = s->a;
        ev->sport = s->aport;
        ev->dst = s->b;
        ev->dport = s->bport;
    }
}

static char *arena_str(struct sk_pktproc *pp, const char *s)
{
    return s && *s ? sk_arena_strdup(&pp->scratch, s) : NULL;
}

static int tls_report(void *ctx, const struct sk_tls_report *r)
{
    struct sk_pktproc *pp = ctx;
    struct sess *s = pp->cs;
    struct sk_event ev;
    char alpn[SK_TLS_NAME_MAX * 4 + 1];

    event_base(pp, &ev, SK_EVENT_TLS, 6);
    orient(&ev, s, r->client_dir < 0 ? 0 : r->client_dir);
    ev.ts = s->ts_mark;
    ev.ts_end = s->ts_last;
    if (r->has_ch) {
        ev.u.tls.sni = r->ch.has_sni ? arena_str(pp, r->ch.sni) : NULL;
        sk_tls_alpn_text(&r->ch, alpn, sizeof alpn);
        ev.u.tls.alpn = arena_str(pp, alpn);
        ev.u.tls.client_version = r->ch.version;
        ev.u.tls.ja3 = arena_str(pp, r->ja3);
        ev.u.tls.ja4 = arena_str(pp, r->ja4);
    }
    if (r->has_sh) {
        ev.u.tls.server_version = r->sh.version;
        ev.u.tls.ja3s = arena_str(pp, r->ja3s);
    }
    if (r->has_cert) {
        ev.u.tls.cert_sha1 = arena_str(pp, r->cert_sha1);
        ev.u.tls.cert_sha256 = arena_str(pp, r->cert_sha256);
    }
    s->ts_mark = s->ts_last;
    pp->st.tls++;
    return deliver(pp, &ev);
}

static int http_report(struct sk_pktproc *pp, struct sess *s)
{
    const struct sk_http_conn *h = s->http;
    struct sk_event ev;

    if (!h || !h->have_req || s->http_emitted)
        return 0;
    s->http_emitted = 1;
    event_base(pp, &ev, SK_EVENT_HTTP, 6);
    orient(&ev, s, h->client_dir < 0 ? 0 : h->client_dir);
    ev.ts = s->ts_mark;
    ev.ts_end = s->ts_last;
    ev.u.http.method = arena_str(pp, h->method);
    ev.u.http.host = h->has_host ? arena_str(pp, h->host) : NULL;
    ev.u.http.uri = arena_str(pp, h->uri);
    ev.u.http.user_agent = h->has_ua ? arena_str(pp, h->user_agent) : NULL;
    ev.u.http.status = h->have_resp ? h->status : 0;
    s->ts_mark = s->ts_last;
    pp->st.http++;
    return deliver(pp, &ev);
}

/* Reports what the session still holds and frees it. */
static int sess_end(struct sk_pktproc *pp, uint32_t id)
{
    struct sess *s = pp->sess[id], *saved = pp->cs;
    int rc = 0, rc2;

    pp->cs = s;
    if (s->tls)
        rc = sk_tls_conn_finish(s->tls, tls_report, pp);
    rc2 = http_report(pp, s);
    pp->cs = saved;
    sess_free(pp, id);
    return rc < 0 ? rc : rc2;
}

static int on_flow_end(void *ctx, uint8_t app, uint32_t sess)
{
    struct sk_pktproc *pp = ctx;
    if (sess != SK_FLOW_NO_SESS && sess < pp->nsess && pp->sess[sess])
        return sess_end(pp, sess);
    return 0;
}

/* --- the stream consumer ---------------------------------------------------- */

static int dns_tcp(struct sk_pktproc *pp, const uint8_t *p, size_t n)
{
    size_t off = 0;
    int rc;

    while (n - off >= 2) {
        size_t ml = (size_t)p[off] << 8 | p[off + 1];
        if (ml < 12) {
            pp->st.dns_malformed++;
            return -1;
        }
        if (n - off - 2 < ml)
            break;
        if ((rc = dns_message(pp, pp->cpk, p + off + 2, ml)) < 0)
            return rc == -SK_ENOMEM ? -1 : rc;
        off += 2 + ml;
    }
    return (int)off;
}

static int is_dns_port(const struct sess *s) { return s->aport == 53 || s->bport == 53; }

/* Chooses the decoder for the bytes at p; 0, or -1 for nothing we decode. */
static int detect(struct sk_pktproc *pp, struct sess *s, int dir, const uint8_t *p, size_t n)
{
    if (is_dns_port(s) && s->proxy == X_NONE) {
        s->proto = P_DNS;
        return 0;
    }
    if (sk_tls_looks_like(p, n)) {
        size_t sz;
        if (pp->nspare_tls)
            sk_tls_conn_reset(s->tls = pp->spare_tls[--pp->nspare_tls]);
        else if (!(s->tls = sk_tls_conn_new(pp->mem.depth)))
            return -SK_ENOMEM;
        sz = sk_tls_conn_size(s->tls);
        if (!can_charge(pp, sz)) {
            pp->st.sessions_refused++;
            return -1;
        }
        charge(pp, (int64_t)sz);
        s->tls_charged = sz;
        s->proto = P_TLS;
        return 0;
    }
    if (sk_http_looks_like_request(p, n) || sk_http_looks_like_response(p, n)) {
        if (s->http) { /* a second HTTP layer inside CONNECT: not decoded */
            return -1;
        }
        if (!can_charge(pp, sizeof *s->http)) {
            pp->st.sessions_refused++;
            return -1;
        }
        if (!(s->http = malloc(sizeof *s->http)))
            return -SK_ENOMEM;
        charge(pp, sizeof *s->http);
        sk_http_conn_init(s->http);
        if (dir == 0 && s->proxy == X_NONE && n >= 8 && memcmp(p, "CONNECT ", 8) == 0)
            s->proxy = X_CONNECT;
        else
            s->proto = P_HTTP;
        return 0;
    }
    if (dir == 0 && s->proxy == X_NONE) {
        int v = sk_socks_looks_like(p, n);
        if (v) {
            sk_socks_init(&s->socks, v);
            s->proxy = X_SOCKS;
            return 0;
        }
    }
    return -1;
}

static int consume(void *ctx, const uint8_t *p, size_t n)
{
    struct sk_pktproc *pp = ctx;
    struct sess *s = pp->cs;
    int dir = pp->cdir, c;
    size_t off = 0;

    for (;;) {
        if (off == n || s->proto == P_STOP)
            return (int)off;
        /* a proxy negotiation comes first on each side */
        if (s->proxy == X_SOCKS && !s->proxy_done[dir]) {
            c = sk_socks_feed(&s->socks, dir == 0, p + off, n - off);
            if (c < 0) {
                s->proto = P_STOP;
                return -1;
            }
            off += (size_t)c;
            if (!s->socks.done[dir == 0 ? 1 : 0])
                return (int)off;
            s->proxy_done[dir] = 1;
            continue;
        }
        if (s->proxy == X_CONNECT && !s->proxy_done[dir]) {
            c = sk_http_conn_feed(s->http, dir, p + off, n - off, pp->mem.depth);
            if (c < 0) {
                pp->st.http_malformed++;
                s->proto = P_STOP;
                return -1;
            }
            off += (size_t)c;
            if (dir == s->http->client_dir ? s->http->req_done : s->http->resp_done) {
                s->proxy_done[dir] = 1;
                if (s->http->have_resp && !s->http->tunnel) { /* refused */
                    s->proto = P_STOP;
                    return (int)off;
                }
                if (sk_http_complete(s->http) && (c = http_report(pp, s)) < 0)
                    return c;
                continue;
            }
            return (int)off;
        }
        switch (s->proto) {
        case P_DETECT:
            if ((c = detect(pp, s, dir, p + off, n - off)) < 0) {
                s->proto = P_STOP;
                return c == -SK_ENOMEM ? c : -1;
            }
            continue;
        case P_DNS:
            c = dns_tcp(pp, p + off, n - off);
            return c < 0 ? c : (int)off + c;
        case P_TLS:
            c = sk_tls_conn_feed(s->tls, dir, p + off, n - off, tls_report, pp);
            {
                size_t sz = sk_tls_conn_size(s->tls);
                charge(pp, (int64_t)sz - (int64_t)s->tls_charged);
                s->tls_charged = sz;
            }
            if (c < 0) {
                if (c == -SK_EPARSE || c == -SK_ETRUNC)
                    pp->st.tls_malformed++;
                else if (c == -SK_ETOOBIG)
                    pp->mem.overflows++;
                s->proto = P_STOP;
                return c == -SK_ENOMEM ? c : -1;
            }
            if (sk_tls_conn_done(s->tls))
                s->proto = P_STOP;
            return (int)off + c;
        case P_HTTP:
            c = sk_http_conn_feed(s->http, dir, p + off, n - off, pp->mem.depth);
            if (c < 0) {
                if (c == -SK_ETOOBIG)
                    pp->mem.overflows++;
                else
                    pp->st.http_malformed++;
                s->proto = P_STOP;
                return -1;
            }
            if (sk_http_complete(s->http)) {
                int rc = http_report(pp, s);
                s->proto = P_STOP;
                if (rc < 0)
                    return rc;
            }
            return (int)off + c;
        default:
            return (int)n;
        }
    }
}

/* A TCP segment of a flow that has (or may get) a session. */
static int tcp_segment(struct sk_pktproc *pp, const struct sk_packet *pk,
                       const struct sk_flow_hit *hit)
{
    uint8_t *app = sk_flowtab_app(pp->flows, hit->id);
    uint32_t *sid = sk_flowtab_sess(pp->flows, hit->id);
    struct sess *s;
    int rc;

    if (*app == APP_IGNORE)
        return 0;
    if (*app == APP_UNDECIDED) {
        const uint8_t *p = pk->payload;
        uint32_t n = pk->payload_len;
        if (n == 0)
            return 0; /* handshake, ACKs: nothing to decide on yet */
        if (!(pk->sport == 53 || pk->dport == 53 || sk_tls_looks_like(p, n) ||
              sk_http_looks_like_request(p, n) || sk_http_looks_like_response(p, n) ||
              (!hit->reverse && sk_socks_looks_like(p, n)))) {
            *app = APP_IGNORE;
            return 0;
        }
        if ((rc = sess_new(pp, pk, hit->reverse, sid)) < 0)
            return rc;
        *app = *sid == SK_FLOW_NO_SESS ? APP_IGNORE : APP_SESSION;
        if (*app == APP_IGNORE)
            return 0;
    }
    if (*sid == SK_FLOW_NO_SESS || pk->payload_len == 0)
        return 0;
    s = pp->sess[*sid];
    s->ts_last = pk->ts;
    pp->cs = s;
    pp->cdir = hit->reverse;
    pp->cpk = pk;
    uint32_t seq = pk->tcp_seq + ((pk->tcp_flags & SK_TCP_SYN) ? 1u : 0u);
    rc = sk_stream_segment(&s->st[hit->reverse], &pp->mem, seq, pk->payload,
                           pk->payload_len, consume, pp);
    pp->cs = NULL;
    if (rc < 0)
        return rc;
    if (s->proto == P_STOP || s->st[0].failed || s->st[1].failed) {
        rc = sess_end(pp, *sid);
        *sid = SK_FLOW_NO_SESS;
        *app = APP_IGNORE;
    }
    return rc;
}

/* --- QUIC ------------------------------------------------------------------------ */

#define QUIC_MAX_DATAGRAMS 4 /* client Initials looked at before giving up */

static int quic_report(struct sk_pktproc *pp, struct sess *s, const struct sk_packet *pk,
                       const struct sk_tls_client_hello *ch)
{
    struct sk_event ev;
    char ja3[33], ja4[40], alpn[SK_TLS_NAME_MAX * 4 + 1];

    event_base(pp, &ev, SK_EVENT_TLS, 17);
    orient(&ev, s, 0);
    ev.ts = s->ts_mark;
    ev.ts_end = pk->ts;
    sk_tls_client_fingerprints(ch, 'q', ja3, ja4);
    ev.u.tls.sni = ch->has_sni ? arena_str(pp, ch->sni) : NULL;
    sk_tls_alpn_text(ch, alpn, sizeof alpn);
    ev.u.tls.alpn = arena_str(pp, alpn);
    ev.u.tls.client_version = ch->version;
    ev.u.tls.ja3 = arena_str(pp, ja3);
    ev.u.tls.ja4 = arena_str(pp, ja4);
    pp->st.tls++;
    return deliver(pp, &ev);
}

/* A UDP datagram of a flow that may be QUIC: the client's first Initial
 * packets carry its ClientHello. */
static int udp_datagram(struct sk_pktproc *pp, const struct sk_packet *pk,
                        const struct sk_flow_hit *hit)
{
    uint8_t *app = sk_flowtab_app(pp->flows, hit->id);
    uint32_t *sid = sk_flowtab_sess(pp->flows, hit->id);
    struct sess *s;
    int rc;

    if (*app == APP_IGNORE)
        return 0;
    if (*app == APP_UNDECIDED) {
        if (hit->reverse || !sk_quic_looks_like_initial(pk->payload, pk->payload_len)) {
            *app = APP_IGNORE;
            return 0;
        }
        if (!can_charge(pp, sk_quic_conn_size())) {
            pp->st.sessions_refused++;
            *app = APP_IGNORE;
            return 0;
        }
        if ((rc = sess_new(pp, pk, 0, sid)) < 0)
            return rc;
        if (*sid == SK_FLOW_NO_SESS) {
            *app = APP_IGNORE;
            return 0;
        }
        *app = APP_SESSION;
        s = pp->sess[*sid];
        if (!(s->quic = sk_quic_conn_new()))
            return -SK_ENOMEM;
        charge(pp, (int64_t)sk_quic_conn_size());
    }
    if (*sid == SK_FLOW_NO_SESS || hit->reverse)
        return 0;
    s = pp->sess[*sid];
    s->ts_last = pk->ts;
    rc = sk_quic_conn_feed(s->quic, pk->payload, pk->payload_len, &pp->quic_ch);
    if (rc == 1)
        rc = quic_report(pp, s, pk, &pp->quic_ch);
    else if (rc < 0 && rc != -SK_ENOMEM)
        pp->st.tls_malformed++;
    if (rc != 0 || ++s->quic_datagrams >= QUIC_MAX_DATAGRAMS) {
        int rc2 = sess_end(pp, *sid);
        *sid = SK_FLOW_NO_SESS;
        *app = APP_IGNORE;
        if (rc == -SK_ENOMEM)
            return rc;
        if (rc2 < 0)
            return rc2;
        return rc < 0 ? 0 : rc;
    }
    return 0;
}

/* --- packets ------------------------------------------------------------------ */

static int ip_packet(struct sk_pktproc *pp, struct sk_packet *pk, uint32_t hash)
{
    struct sk_flow_hit hit;
    int rc;

    if (pk->tunnels)
        pp->st.tunneled++;
    if ((rc = sk_flowtab_packet_h(pp->flows, pk, hash, &hit)) < 0)
        return rc;
    if (pk->payload_len == 0 && pk->proto != 6)
        return 0;
    if (pk->proto == 17) {
        if (pk->sport == 53 || pk->dport == 53)
            return dns_message(pp, pk, pk->payload, pk->payload_len);
        return udp_datagram(pp, pk, &hit);
    }
    if (pk->proto == 6)
        return tcp_segment(pp, pk, &hit);
    return 0;
}

/* Decodes one packet into pk: 1 for an IP packet, 0 skipped (counted). */
static int decode(struct sk_pktproc *pp, int linktype, sk_nstime ts, const uint8_t *data,
                  uint32_t caplen, uint32_t wirelen, struct sk_packet *pk)
{
    int rc;

    pp->st.packets++;
    rc = sk_decode_packet(linktype, data, caplen, pk);
    if (rc < 0) {
        if (rc == -SK_EUNSUP)
            pp->st.not_ip++;
        else
            pp->st.malformed++;
        return 0;
    }
    pk->ts = ts;
    pk->wirelen = wirelen;
    return 1;
}

/* The rest of the way for a decoded packet; hash is its flow hash when
 * known (have_hash), computed here otherwise. */
static int after_decode(struct sk_pktproc *pp, struct sk_packet *pk, uint32_t hash,
                        int have_hash)
{
    sk_nstime ts = pk->ts;
    uint32_t wirelen = pk->wirelen;
    int rc;

    /* a fragment waits for the rest of its datagram; a completed datagram
     * is decoded again (it may be a tunnel holding fragments: twice at most) */
    for (int round = 0; pk->fragment && round < 2; round++) {
        struct sk_reasm_out out;
        if ((rc = sk_reasm_add(pp->reasm, pk, &out)) <= 0)
            return rc;
        rc = sk_decode_packet(pk->ip_version == 4 ? SK_DLT_IPV4 : SK_DLT_IPV6, out.data,
                              out.len, pk);
        if (rc < 0) {
            pp->st.malformed++;
            return 0;
        }
        pk->ts = ts;
        pk->wirelen = wirelen;
        pk->pkts = out.fragments;
        pk->ip_len = out.wire_bytes;
        have_hash = 0;
    }
    if (pk->fragment) {
        pp->st.malformed++;
        return 0;
    }
    rc = ip_packet(pp, pk, have_hash ? hash : sk_flowtab_hash(pp->flows, pk));
    sk_arena_reset(&pp->scratch);
    return rc;
}

int sk_pktproc_packet(struct sk_pktproc *pp, int linktype, sk_nstime ts,
                      const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
    struct sk_packet pk;

    if (!decode(pp, linktype, ts, data, caplen, wirelen, &pk))
        return 0;
    return after_decode(pp, &pk, 0, 0);
}

int sk_pktproc_batch(struct sk_pktproc *pp, int linktype, const struct sk_pktproc_in *in,
                     size_t n)
{
    struct sk_packet pk[SK_PKTPROC_BATCH];
    uint32_t hash[SK_PKTPROC_BATCH];
    uint8_t ok[SK_PKTPROC_BATCH];
    int rc;

    for (size_t base = 0; base < n; base += SK_PKTPROC_BATCH) {
        size_t m = n - base < SK_PKTPROC_BATCH ? n - base : SK_PKTPROC_BATCH;
        /* decode all, and ask for their index slots … */
        for (size_t i = 0; i < m; i++) {
            const struct sk_pktproc_in *p = &in[base + i];
            ok[i] = (uint8_t)decode(pp, linktype, p->ts, p->data, p->caplen, p->wirelen, &pk[i]);
            if (ok[i] && !pk[i].fragment) {
                hash[i] = sk_flowtab_hash(pp->flows, &pk[i]);
                sk_flowtab_prefetch(pp->flows, hash[i], 0);
            }
        }
        /* … then for the records they point at … */
        for (size_t i = 0; i < m; i++)
            if (ok[i] && !pk[i].fragment)
                sk_flowtab_prefetch(pp->flows, hash[i], 1);
        /* … and by now most of it is in the cache */
        for (size_t i = 0; i < m; i++)
            if (ok[i] && (rc = after_decode(pp, &pk[i], hash[i], !pk[i].fragment)) < 0)
                return rc;
    }
    return 0;
}

int sk_pktproc_tick(struct sk_pktproc *pp, sk_nstime now)
{
    int rc = sk_flowtab_expire(pp->flows, now);
    sk_reasm_expire(pp->reasm, now);
    sk_arena_reset(&pp->scratch);
    return rc;
}

int sk_pktproc_finish(struct sk_pktproc *pp)
{
    int rc = sk_flowtab_flush(pp->flows);
    sk_reasm_expire(pp->reasm, UINT64_MAX);
    sk_arena_reset(&pp->scratch);
    return rc;
}

void sk_pktproc_stats(const struct sk_pktproc *pp, struct sk_pktproc_stats *out)
{
    struct sk_flowtab_stats fs;
    struct sk_reasm_stats rs;

    *out = pp->st;
    sk_flowtab_stats(pp->flows, &fs);
    out->flows = fs.flows;
    out->evicted = fs.evicted;
    out->peak_flows = fs.peak;
    sk_reasm_stats(pp->reasm, &rs);
    out->fragments = rs.fragments;
    out->reassembled = rs.reassembled;
    out->frag_timeouts = rs.timeouts;
    out->frag_evicted = rs.evicted;
    out->frag_malformed = rs.malformed;
    out->frag_truncated = rs.truncated;
    out->frag_overlaps = rs.overlaps;
    out->frag_peak_bytes = rs.peak_bytes;
    out->stream_gaps = pp->mem.gaps;
    out->stream_overflows = pp->mem.overflows;
    out->stream_peak_bytes = pp->mem.peak;
}

void sk_pktproc_source_stats(const struct sk_pktproc *pp, struct sk_source_stats *out)
{
    struct sk_pktproc_stats ps;

    sk_pktproc_stats(pp, &ps);
    out->malformed = ps.malformed + ps.dns_malformed + ps.tls_malformed + ps.http_malformed +
                     ps.frag_malformed + ps.frag_truncated;
    out->skipped = ps.not_ip;
    out->events = pp->events;
    out->dropped = ps.evicted + ps.frag_evicted + ps.frag_timeouts + ps.stream_overflows +
                   ps.sessions_refused;
}
