/*
 * src_eve.c — Suricata EVE JSON: flow, netflow, dns, tls, http and alert
 * events; files, stdin, gzip, and following a growing file across
 * rotation.
 *
 * Each line is one JSON object. It is scanned once, in place (jscan.c):
 * the top-level members sakimori maps are taken, the protocol objects it
 * knows are walked, everything else is skipped with validation, so a
 * malformed line is always recognised and counted. Members may come in any
 * order; the event is built once the line is done.
 *
 * Mapping (EVE → sk_event):
 *   timestamp → ts; src_ip/src_port → src (the flow's initiator, as
 *   Suricata orients flows), dest_ip/dest_port → dst; proto (name or
 *   number) → proto; ICMP icmp_type/icmp_code → sport/dport.
 *   flow:  flow.{pkts,bytes}_{toserver,toclient} → out/in counters (bytes
 *          as Suricata counts them: whole packets), flow.start/end → ts/
 *          ts_end, tcp.tcp_flags_ts/_tc → flags out/in, flow.state →
 *          tcp_state (1 new, 2 established, 3 closed, 4 bypassed).
 *   netflow: one direction of a flow: netflow.{pkts,bytes,start,end}.
 *   dns:   v1 (one line per query or answer record), v2 (answers array,
 *          or "grouped" answers) and v3 (queries/answers arrays): rrname →
 *          qname, rrtype → qtype, id, rcode → number, answers → rrs.
 *   tls:   sni, version → server_version, ja3.hash, ja3s.hash, ja4,
 *          fingerprint (SHA-1 of the server certificate) → cert_sha1,
 *          client_alpns[0] → alpn.
 *   http:  http_method, hostname, url, http_user_agent, status.
 *   alert: signature, category, signature_id, severity, gid, rev, action.
 * Other event types (stats, anomaly, fileinfo, smb, …) are counted as
 * skipped; a line that is not JSON, not an object, has no event_type, or
 * whose address or time does not parse is counted as malformed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"
#include "sakimori/source.h"
#include "sense/jscan.h"
#include "sense/linereader.h"
#include "sense/logsrc.h"
#include "sense/textconv.h"

#define MAX_ANSWERS 64

struct src_eve {
    struct sk_source base;
    struct sk_lines *lines;
};

/* Everything one line yields, before it becomes an event. */
struct eve_line {
    char *event_type, *timestamp, *src_ip, *dest_ip, *proto_name;
    uint64_t src_port, dest_port, proto_num, icmp_type, icmp_code;
    int has_proto_num, has_icmp;
    /* flow / netflow */
    uint64_t pkts_ts, pkts_tc, bytes_ts, bytes_tc;
    char *start, *end, *state;
    char *flags_ts, *flags_tc;
    /* dns */
    char *dns_type, *rrname, *rrtype, *rcode;
    uint64_t dns_id;
    uint16_t n_answers;
    struct sk_dns_rr answers[MAX_ANSWERS];
    /* v1 answer line: the record itself */
    char *rdata;
    uint64_t ttl;
    int has_ttl;
    /* tls */
    char *sni, *tls_version, *ja3, *ja3s, *ja4, *fingerprint, *alpn;
    char fp_hex[64];
    /* http */
    char *method, *hostname, *url, *ua;
    uint64_t status;
    /* alert */
    char *signature, *category, *action;
    uint64_t sid, gid, rev, severity;
};

/* --- name tables -------------------------------------------------------------- */

static uint16_t tls_version_code(const char *s)
{
    if (!s)
        return 0;
    if (!strcmp(s, "TLS 1.3") || !strcmp(s, "TLSv1.3"))
        return 0x0304;
    if (!strcmp(s, "TLS 1.2") || !strcmp(s, "TLSv1.2"))
        return 0x0303;
    if (!strcmp(s, "TLS 1.1") || !strcmp(s, "TLSv1.1"))
        return 0x0302;
    if (!strcmp(s, "TLS 1.0") || !strcmp(s, "TLSv1") || !strcmp(s, "TLSv1.0"))
        return 0x0301;
    if (!strcmp(s, "SSLv3"))
        return 0x0300;
    if (!strcmp(s, "SSLv2"))
        return 0x0002;
    return 0;
}

static uint8_t hexbyte_flags(const char *s)
{
    uint64_t v = 0;
    if (!s)
        return 0;
    for (; *s; s++) {
        int c = *s | 0x20;
        int d = *s >= '0' && *s <= '9' ? *s - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0 || v > 0xffff)
            return 0;
        v = v << 4 | (unsigned)d;
    }
    return (uint8_t)v;
}

/* --- the line walker ------------------------------------------------------------- */

#define KEY(lit) (klen == sizeof(lit) - 1 && memcmp(k, lit, sizeof(lit) - 1) == 0)

static int str(struct sk_js *js, char **out)
{
    if (sk_js_null(js)) {
        *out = NULL;
        return 0;
    }
    return sk_js_string(js, out, NULL);
}

static int u64v(struct sk_js *js, uint64_t *out)
{
    if (sk_js_null(js))
        return 0;
    if (sk_js_peek(js) == SK_JS_NUMBER) {
        const char *tok;
        size_t len;
        int is_int, rc;
        char *at = js->p;
        if ((rc = sk_js_number(js, &tok, &len, &is_int)) < 0)
            return rc;
        if (!is_int || tok[0] == '-') {
            /* a fraction or a negative: keep the integral part, floor 0 */
            uint64_t v = 0;
            for (size_t i = tok[0] == '-' ? len : 0; i < len && tok[i] >= '0' && tok[i] <= '9'; i++)
                v = v * 10 + (uint64_t)(tok[i] - '0');
            *out = v;
            return 0;
        }
        js->p = at;
        return sk_js_u64(js, out);
    }
    return sk_js_skip(js); /* a string where a number was expected: ignored */
}

static int walk_flow(struct sk_js *js, struct eve_line *e)
{
    const char *k;
    size_t klen;
    int rc;

    if ((rc = sk_js_object(js)) < 0)
        return rc;
    while ((rc = sk_js_key(js, &k, &klen)) > 0) {
        if (KEY("pkts_toserver"))
            rc = u64v(js, &e->pkts_ts);
        else if (KEY("pkts_toclient"))
            rc = u64v(js, &e->pkts_tc);
        else if (KEY("bytes_toserver"))
            rc = u64v(js, &e->bytes_ts);
        else if (KEY("bytes_toclient"))
            rc = u64v(js, &e->bytes_tc);
        else if (KEY("pkts")) /* netflow */
            rc = u64v(js, &e->pkts_ts);
        else if (KEY("bytes"))
            rc = u64v(js, &e->bytes_ts);
        else if (KEY("start"))
            rc = str(js, &e->start);
        else if (KEY("end"))
            rc = str(js, &e->end);
        else if (KEY("state"))
            rc = str(js, &e->state);
        else
            rc = sk_js_skip(js);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int walk_tcp(struct sk_js *js, struct eve_line *e)
{
    const char *k;
    size_t klen;
    int rc;

    if ((rc = sk_js_object(js)) < 0)
        return rc;
    while ((rc = sk_js_key(js, &k, &klen)) > 0) {
        if (KEY("tcp_flags_ts"))
            rc = str(js, &e->flags_ts);
        else if (KEY("tcp_flags_tc"))
            rc = str(js, &e->flags_tc);
        else
            rc = sk_js_skip(js);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static void add_answer(struct eve_line *e, char *name, char *type, uint64_t ttl, char *rdata)
{
    if (e->n_answers >= MAX_ANSWERS)
        return;
    struct sk_dns_rr *rr = &e->answers[e->n_answers++];
    memset(rr, 0, sizeof *rr);
    rr->name = name;
    rr->type = sk__dns_type_code(type);
    rr->rclass = 1;
    rr->ttl = ttl > UINT32_MAX ? UINT32_MAX : (uint32_t)ttl;
    if (rdata && (rr->type == 1 || rr->type == 28) &&
        sk_tc_addr(rdata, strlen(rdata), &rr->addr) == 0)
        return;
    rr->data = rdata;
    if (rdata && rr->type == 15) {
        /* "10 mx.example.org" in some versions: preference first */
        char *sp = strchr(rdata, ' ');
        uint64_t pref;
        if (sp && sk_tc_u64(rdata, (size_t)(sp - rdata), &pref) == 0 && pref <= 65535) {
            rr->pref = (uint16_t)pref;
            rr->data = sp + 1;
        }
    }
}

static int walk_answers(struct sk_js *js, struct eve_line *e)
{
    int rc;

    if ((rc = sk_js_array(js)) < 0)
        return rc;
    while ((rc = sk_js_next(js)) > 0) {
        char *name = NULL, *type = NULL, *rdata = NULL;
        uint64_t ttl = 0;
        const char *k;
        size_t klen;
        if (sk_js_peek(js) != SK_JS_OBJECT) {
            if ((rc = sk_js_skip(js)) < 0)
                return rc;
            continue;
        }
        if ((rc = sk_js_object(js)) < 0)
            return rc;
        while ((rc = sk_js_key(js, &k, &klen)) > 0) {
            if (KEY("rrname"))
                rc = str(js, &name);
            else if (KEY("rrtype"))
                rc = str(js, &type);
            else if (KEY("ttl"))
                rc = u64v(js, &ttl);
            else if (KEY("rdata"))
                rc = sk_js_peek(js) == SK_JS_STRING ? str(js, &rdata) : sk_js_skip(js);
            else
                rc = sk_js_skip(js);
            if (rc < 0)
                return rc;
        }
        if (rc < 0)
            return rc;
        add_answer(e, name, type, ttl, rdata);
    }
    return rc;
}

/* v3: "queries": [{"rrname": …, "rrtype": …}, …] — the first one counts */
static int walk_queries(struct sk_js *js, struct eve_line *e)
{
    int rc;

    if ((rc = sk_js_array(js)) < 0)
        return rc;
    while ((rc = sk_js_next(js)) > 0) {
        const char *k;
        size_t klen;
        if (sk_js_peek(js) != SK_JS_OBJECT || e->rrname) {
            if ((rc = sk_js_skip(js)) < 0)
                return rc;
            continue;
        }
        if ((rc = sk_js_object(js)) < 0)
            return rc;
        while ((rc = sk_js_key(js, &k, &klen)) > 0) {
            if (KEY("rrname"))
                rc = str(js, &e->rrname);
            else if (KEY("rrtype"))
                rc = str(js, &e->rrtype);
            else
                rc = sk_js_skip(js);
            if (rc < 0)
                return rc;
        }
        if (rc < 0)
            return rc;
    }
    return rc;
}

/* "grouped": {"A": ["1.2.3.4"], "CNAME": ["x.example"]} */
static int walk_grouped(struct sk_js *js, struct eve_line *e, int use)
{
    const char *k;
    size_t klen;
    int rc;

    if ((rc = sk_js_object(js)) < 0)
        return rc;
    while ((rc = sk_js_key(js, &k, &klen)) > 0) {
        char type[16];
        snprintf(type, sizeof type, "%.*s", (int)(klen < 15 ? klen : 15), k);
        if ((rc = sk_js_array(js)) < 0)
            return rc;
        while ((rc = sk_js_next(js)) > 0) {
            char *v = NULL;
            if (sk_js_peek(js) == SK_JS_STRING) {
                if ((rc = str(js, &v)) < 0)
                    return rc;
                if (use)
                    add_answer(e, NULL, type, 0, v);
            } else if ((rc = sk_js_skip(js)) < 0) {
                return rc;
            }
        }
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int walk_dns(struct sk_js *js, struct eve_line *e)
{
    const char *k;
    size_t klen;
    int rc, have_answers = 0;

    if ((rc = sk_js_object(js)) < 0)
        return rc;
    while ((rc = sk_js_key(js, &k, &klen)) > 0) {
        if (KEY("type"))
            rc = str(js, &e->dns_type);
        else if (KEY("id"))
            rc = u64v(js, &e->dns_id);
        else if (KEY("rrname"))
            rc = str(js, &e->rrname);
        else if (KEY("rrtype"))
            rc = str(js, &e->rrtype);
        else if (KEY("rcode"))
            rc = str(js, &e->rcode);
        else if (KEY("ttl")) {
            rc = u64v(js, &e->ttl);
            e->has_ttl = 1;
        } else if (KEY("rdata"))
            rc = sk_js_peek(js) == SK_JS_STRING ? str(js, &e->rdata) : sk_js_skip(js);
        else if (KEY("answers")) {
            have_answers = 1;
            e->n_answers = 0; /* authoritative over "grouped" read before */
            rc = walk_answers(js, e);
        } else if (KEY("queries"))
            rc = walk_queries(js, e);
        else if (KEY("grouped"))
            /* used only when there is no answers array */
            rc = walk_grouped(js, e, !have_answers);
        else
            rc = sk_js_skip(js);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int walk_tls(struct sk_js *js, struct eve_line *e)
{
    const char *k, *k2;
    size_t klen, k2len;
    int rc;

    if ((rc = sk_js_object(js)) < 0)
        return rc;
    while ((rc = sk_js_key(js, &k, &klen)) > 0) {
        if (KEY("sni"))
            rc = str(js, &e->sni);
        else if (KEY("version"))
            rc = str(js, &e->tls_version);
        else if (KEY("fingerprint"))
            rc = str(js, &e->fingerprint);
        else if (KEY("ja4"))
            rc = sk_js_peek(js) == SK_JS_STRING ? str(js, &e->ja4) : sk_js_skip(js);
        else if ((KEY("ja3") || KEY("ja3s")) && sk_js_peek(js) == SK_JS_OBJECT) {
            char **dst = klen == 3 ? &e->ja3 : &e->ja3s;
            if ((rc = sk_js_object(js)) < 0)
                return rc;
            while ((rc = sk_js_key(js, &k2, &k2len)) > 0) {
                if (k2len == 4 && memcmp(k2, "hash", 4) == 0)
                    rc = str(js, dst);
                else
                    rc = sk_js_skip(js);
                if (rc < 0)
                    return rc;
            }
        } else if (KEY("client_alpns") && sk_js_peek(js) == SK_JS_ARRAY) {
            if ((rc = sk_js_array(js)) < 0)
                return rc;
            while ((rc = sk_js_next(js)) > 0) {
                if (!e->alpn && sk_js_peek(js) == SK_JS_STRING)
                    rc = str(js, &e->alpn);
                else
                    rc = sk_js_skip(js);
                if (rc < 0)
                    return rc;
            }
        } else
            rc = sk_js_skip(js);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int walk_http(struct sk_js *js, struct eve_line *e)
{
    const char *k;
    size_t klen;
    int rc;

    if ((rc = sk_js_object(js)) < 0)
        return rc;
    while ((rc = sk_js_key(js, &k, &klen)) > 0) {
        if (KEY("hostname"))
            rc = str(js, &e->hostname);
        else if (KEY("url"))
            rc = str(js, &e->url);
        else if (KEY("http_user_agent"))
            rc = str(js, &e->ua);
        else if (KEY("http_method"))
            rc = str(js, &e->method);
        else if (KEY("status"))
            rc = u64v(js, &e->status);
        else
            rc = sk_js_skip(js);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int walk_alert(struct sk_js *js, struct eve_line *e)
{
    const char *k;
    size_t klen;
    int rc;

    if ((rc = sk_js_object(js)) < 0)
        return rc;
    while ((rc = sk_js_key(js, &k, &klen)) > 0) {
        if (KEY("signature"))
            rc = str(js, &e->signature);
        else if (KEY("category"))
            rc = str(js, &e->category);
        else if (KEY("action"))
            rc = str(js, &e->action);
        else if (KEY("signature_id"))
            rc = u64v(js, &e->sid);
        else if (KEY("gid"))
            rc = u64v(js, &e->gid);
        else if (KEY("rev"))
            rc = u64v(js, &e->rev);
        else if (KEY("severity"))
            rc = u64v(js, &e->severity);
        else
            rc = sk_js_skip(js);
        if (rc < 0)
            return rc;
    }
    return rc;
}

/* Parses one line into e: 0, or < 0 with js->err and js->err_off set. */
static int walk_line(struct sk_js *js, struct eve_line *e)
{
    const char *k;
    size_t klen;
    int rc;

    if ((rc = sk_js_object(js)) < 0)
        return rc;
    while ((rc = sk_js_key(js, &k, &klen)) > 0) {
        int t = sk_js_peek(js);
        switch (klen) {
        case 3:
            if (KEY("dns") && t == SK_JS_OBJECT)
                rc = walk_dns(js, e);
            else if (KEY("tls") && t == SK_JS_OBJECT)
                rc = walk_tls(js, e);
            else if (KEY("tcp") && t == SK_JS_OBJECT)
                rc = walk_tcp(js, e);
            else
                rc = sk_js_skip(js);
            break;
        case 4:
            if (KEY("flow") && t == SK_JS_OBJECT)
                rc = walk_flow(js, e);
            else if (KEY("http") && t == SK_JS_OBJECT)
                rc = walk_http(js, e);
            else
                rc = sk_js_skip(js);
            break;
        case 5:
            if (KEY("alert") && t == SK_JS_OBJECT)
                rc = walk_alert(js, e);
            else if (KEY("proto")) {
                if (t == SK_JS_NUMBER) {
                    rc = u64v(js, &e->proto_num);
                    e->has_proto_num = 1;
                } else {
                    rc = str(js, &e->proto_name);
                }
            } else
                rc = sk_js_skip(js);
            break;
        case 6:
            rc = KEY("src_ip") ? str(js, &e->src_ip) : sk_js_skip(js);
            break;
        case 7:
            if (KEY("dest_ip"))
                rc = str(js, &e->dest_ip);
            else if (KEY("netflow") && t == SK_JS_OBJECT)
                rc = walk_flow(js, e);
            else
                rc = sk_js_skip(js);
            break;
        case 8:
            rc = KEY("src_port") ? u64v(js, &e->src_port) : sk_js_skip(js);
            break;
        case 9:
            if (KEY("timestamp"))
                rc = str(js, &e->timestamp);
            else if (KEY("dest_port"))
                rc = u64v(js, &e->dest_port);
            else if (KEY("icmp_type")) {
                rc = u64v(js, &e->icmp_type);
                e->has_icmp = 1;
            } else if (KEY("icmp_code"))
                rc = u64v(js, &e->icmp_code);
            else
                rc = sk_js_skip(js);
            break;
        case 10:
            rc = KEY("event_type") ? str(js, &e->event_type) : sk_js_skip(js);
            break;
        default:
            rc = sk_js_skip(js);
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    return sk_js_done(js);
}

/* --- line → event --------------------------------------------------------------- */

static uint8_t flow_state(const char *s)
{
    if (!s)
        return 0;
    if (!strcmp(s, "new"))
        return 1;
    if (!strcmp(s, "established"))
        return 2;
    if (!strcmp(s, "closed"))
        return 3;
    if (strstr(s, "bypassed"))
        return 4;
    return 0;
}

/* Builds the event. Returns 1 to deliver, 0 to skip (an event type we do
 * not map), or -1 when a field does not parse (*why says which). */
static int build(struct eve_line *e, struct sk_event *ev, const char **why)
{
    const char *t = e->event_type;
    enum sk_event_kind kind;

    if (!t) {
        *why = "an event_type member";
        return -1;
    }
    if (!strcmp(t, "flow") || !strcmp(t, "netflow"))
        kind = SK_EVENT_FLOW;
    else if (!strcmp(t, "dns"))
        kind = SK_EVENT_DNS;
    else if (!strcmp(t, "tls"))
        kind = SK_EVENT_TLS;
    else if (!strcmp(t, "http"))
        kind = SK_EVENT_HTTP;
    else if (!strcmp(t, "alert"))
        kind = SK_EVENT_ALERT;
    else
        return 0;

    memset(ev, 0, sizeof *ev);
    ev->kind = (uint8_t)kind;
    if (!e->timestamp || sk_tc_isotime(e->timestamp, strlen(e->timestamp), &ev->ts) < 0) {
        *why = "an ISO 8601 date and time in timestamp";
        return -1;
    }
    ev->ts_end = ev->ts;
    if (e->src_ip && sk_tc_addr(e->src_ip, strlen(e->src_ip), &ev->src) < 0) {
        *why = "an IP address in src_ip";
        return -1;
    }
    if (e->dest_ip && sk_tc_addr(e->dest_ip, strlen(e->dest_ip), &ev->dst) < 0) {
        *why = "an IP address in dest_ip";
        return -1;
    }
    ev->proto = e->has_proto_num ? (uint8_t)e->proto_num
                                 : e->proto_name ? sk__proto_code(e->proto_name) : 0;
    ev->sport = (uint16_t)e->src_port;
    ev->dport = (uint16_t)e->dest_port;
    if (e->has_icmp && (ev->proto == 1 || ev->proto == 58)) {
        ev->sport = (uint16_t)e->icmp_type;
        ev->dport = (uint16_t)e->icmp_code;
    }

    switch (kind) {
    case SK_EVENT_FLOW: {
        struct sk_ev_flow *f = &ev->u.flow;
        f->pkts_out = e->pkts_ts;
        f->bytes_out = e->bytes_ts;
        f->pkts_in = e->pkts_tc;
        f->bytes_in = e->bytes_tc;
        f->tcp_flags_out = hexbyte_flags(e->flags_ts);
        f->tcp_flags_in = hexbyte_flags(e->flags_tc);
        f->end_reason = SK_FLOW_END_EXPORTED;
        f->tcp_state = flow_state(e->state);
        if (e->start && sk_tc_isotime(e->start, strlen(e->start), &ev->ts) < 0) {
            *why = "an ISO 8601 date and time in flow.start";
            return -1;
        }
        ev->ts_end = ev->ts;
        if (e->end && sk_tc_isotime(e->end, strlen(e->end), &ev->ts_end) < 0) {
            *why = "an ISO 8601 date and time in flow.end";
            return -1;
        }
        if (ev->ts_end < ev->ts)
            ev->ts_end = ev->ts;
        break;
    }
    case SK_EVENT_DNS: {
        struct sk_ev_dns *d = &ev->u.dns;
        d->qname = e->rrname;
        d->qtype = sk__dns_type_code(e->rrtype);
        d->qclass = 1;
        d->id = (uint16_t)e->dns_id;
        d->is_response = e->dns_type && strcmp(e->dns_type, "query") != 0 &&
                         strcmp(e->dns_type, "request") != 0;
        d->rcode = sk__dns_rcode_code(e->rcode);
        if (d->is_response && !e->n_answers && (e->rdata || e->has_ttl))
            add_answer(e, e->rrname, e->rrtype, e->ttl, e->rdata); /* v1 answer line */
        d->n_answers = e->n_answers;
        d->answers = e->n_answers ? e->answers : NULL;
        break;
    }
    case SK_EVENT_TLS: {
        struct sk_ev_tls *tl = &ev->u.tls;
        tl->sni = e->sni;
        tl->alpn = e->alpn;
        tl->server_version = tls_version_code(e->tls_version);
        tl->ja3 = e->ja3;
        tl->ja3s = e->ja3s;
        tl->ja4 = e->ja4;
        if (e->fingerprint) {
            size_t n = 0;
            for (const char *p = e->fingerprint; *p && n < sizeof e->fp_hex - 1; p++)
                if (*p != ':')
                    e->fp_hex[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p | 0x20 : *p);
            e->fp_hex[n] = '\0';
            tl->cert_sha1 = e->fp_hex;
        }
        break;
    }
    case SK_EVENT_HTTP: {
        struct sk_ev_http *h = &ev->u.http;
        h->method = e->method;
        h->host = e->hostname;
        h->uri = e->url;
        h->user_agent = e->ua;
        h->status = (uint16_t)(e->status > 999 ? 0 : e->status);
        break;
    }
    case SK_EVENT_ALERT: {
        struct sk_ev_alert *a = &ev->u.alert;
        a->signature = e->signature;
        a->category = e->category;
        a->sid = (uint32_t)e->sid;
        a->gid = (uint32_t)e->gid;
        a->rev = (uint32_t)e->rev;
        a->severity = (uint8_t)(e->severity > 255 ? 255 : e->severity);
        a->action = e->action;
        break;
    }
    }
    return 1;
}

/* One EVE line → event (scratch: a struct eve_line the caller keeps).
 * Returns 1 event, 0 skipped, < 0 malformed (why/where set). Used by the
 * source and by the fuzz target and tests. */
int sk__eve_line(char *line, size_t len, struct sk_event *ev, void *scratch,
                 const char **why, size_t *where)
{
    struct eve_line *e = scratch;
    struct sk_js js;

    memset(e, 0, offsetof(struct eve_line, answers));
    e->n_answers = 0;
    memset(&e->rdata, 0, sizeof *e - offsetof(struct eve_line, rdata));
    sk_js_init(&js, line, len);
    if (walk_line(&js, e) < 0) {
        *why = js.err;
        *where = js.err_off;
        return -1;
    }
    *where = 0;
    int r = build(e, ev, why);
    return r < 0 ? -1 : r;
}

size_t sk__eve_scratch_size(void) { return sizeof(struct eve_line); }

/* --- the source ----------------------------------------------------------------- */

static int eve_probe(const char *path, const uint8_t *h, size_t len)
{
    char text[1024];
    size_t n = sk__probe_text(h, len, text, sizeof text);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

    if (n && text[0] == '{' && memmem(text, n, "\"event_type\"", 12))
        return 85;
    if (strstr(base, "eve") && (strstr(base, ".json") || strstr(base, ".log")))
        return n && text[0] == '{' ? 80 : 40;
    return 0;
}

static int eve_open(struct sk_source **out, const char *path, const struct sk_source_opts *opts,
                    struct sk_errinfo *ei)
{
    struct src_eve *s = calloc(1, sizeof *s);
    struct sk_lines_opts lo = {.follow = opts->follow, .stop = opts->stop,
                               .idle_stop = opts->idle_stop};
    int rc;

    if (!s)
        return -SK_ENOMEM;
    if ((rc = sk_lines_open(&s->lines, path, &lo, ei)) < 0) {
        free(s);
        return rc;
    }
    s->base.stats.bytes_total = sk_lines_size(s->lines);
    *out = &s->base;
    return 0;
}

static int eve_run(struct sk_source *src, sk_event_fn emit, void *ctx)
{
    struct src_eve *s = (struct src_eve *)src;
    struct eve_line *e = malloc(sizeof *e);
    struct sk_logsrc_report rep = {.src = src, .what = "EVE JSON line"};
    char *line;
    size_t len;
    int rc = 0, r;

    if (!e)
        return -SK_ENOMEM;
    while ((r = sk_lines_next(s->lines, &line, &len)) != 0) {
        src->stats.bytes = sk_lines_offset(s->lines);
        if (r == -SK_ETOOBIG) {
            src->stats.records++;
            sk__logsrc_malformed(&rep, sk_lines_lineno(s->lines), 0, "a line of at most 16 MiB");
            continue;
        }
        if (r < 0) {
            rc = sk_fail(&src->err, r, "%s", sk_lines_error(s->lines));
            break;
        }
        if (len == 0)
            continue; /* blank lines are not records */
        src->stats.records++;
        struct sk_event ev;
        const char *why = NULL;
        size_t where = 0;
        int k = sk__eve_line(line, len, &ev, e, &why, &where);
        if (k < 0) {
            sk__logsrc_malformed(&rep, sk_lines_lineno(s->lines), where, why);
            continue;
        }
        if (k == 0) {
            src->stats.skipped++;
            continue;
        }
        ev.privacy = src->opts.privacy;
        ev.source_id = src->opts.source_id;
        src->stats.events++;
        if ((rc = emit(ctx, &ev)) < 0)
            break;
    }
    src->stats.bytes = sk_lines_offset(s->lines);
    free(e);
    return rc;
}

static void eve_close(struct sk_source *src)
{
    struct src_eve *s = (struct src_eve *)src;
    sk_lines_close(s->lines);
    free(s);
}

const struct sk_source_ops sk__src_eve = {
    .name = "eve",
    .api = SK_SOURCE_API,
    .desc = "Suricata EVE JSON (flow, netflow, dns, tls, http, alert), plain or gzip",
    .probe = eve_probe,
    .open = eve_open,
    .run = eve_run,
    .close = eve_close,
};
