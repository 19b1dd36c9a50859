/*
 * event_json.c — one sk_event as one line of JSON (`sakimori collect --json`).
 *
 * Hand-written rather than built through jansson: a collector prints
 * millions of events, and the shape is fixed. Fields a privacy profile
 * removed are null (strings) or absent from the protocol object's arrays,
 * the same rule the event itself follows. Strings are escaped per RFC 8259;
 * bytes that are not valid UTF-8 are written as \u00XX of the byte so the
 * line always parses.
 */
#include <stdio.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/buf.h"
#include "sakimori/event.h"

static int put_str(struct sk_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[256];
    size_t n = 0;
    int rc;

    if (!s)
        return sk_buf_puts(b, "null");
    tmp[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (n > sizeof tmp - 8) {
            if ((rc = sk_buf_append(b, tmp, n)) < 0)
                return rc;
            n = 0;
        }
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            tmp[n++] = '\\';
            tmp[n++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            tmp[n++] = '\\';
            tmp[n++] = 'u';
            tmp[n++] = '0';
            tmp[n++] = '0';
            tmp[n++] = hex[c >> 4];
            tmp[n++] = hex[c & 15];
        } else if (c < 0x80) {
            tmp[n++] = (char)c;
        } else {
            /* copy a valid UTF-8 sequence, escape a stray byte */
            int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
            int ok = len > 0;
            for (int i = 1; ok && i < len; i++)
                ok = (p[i] & 0xc0) == 0x80;
            if (ok && len == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
                ok = 0;
            if (ok && len == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
                ok = 0;
            if (ok) {
                memcpy(tmp + n, p, (size_t)len);
                n += (size_t)len;
                p += len - 1;
            } else {
                tmp[n++] = '\\';
                tmp[n++] = 'u';
                tmp[n++] = '0';
                tmp[n++] = '0';
                tmp[n++] = hex[c >> 4];
                tmp[n++] = hex[c & 15];
            }
        }
    }
    tmp[n++] = '"';
    return sk_buf_append(b, tmp, n);
}

static int put_addr(struct sk_buf *b, const struct sk_addr *a)
{
    char s[SK_ADDR_STRLEN];
    if (!a->family)
        return sk_buf_puts(b, "null");
    return sk_buf_printf(b, "\"%s\"", sk_addr_fmt(a, s, sizeof s));
}

static int put_time(struct sk_buf *b, sk_nstime t)
{
    char s[SK_RFC3339_LEN];
    return sk_buf_printf(b, "\"%s\"", sk_rfc3339(t, s, sizeof s));
}

static const char *end_name(uint8_t r)
{
    switch (r) {
    case SK_FLOW_END_IDLE: return "idle";
    case SK_FLOW_END_ACTIVE: return "active";
    case SK_FLOW_END_FIN: return "fin";
    case SK_FLOW_END_EVICTED: return "evicted";
    case SK_FLOW_END_EOF: return "eof";
    case SK_FLOW_END_EXPORTED: return "exported";
    }
    return "unknown";
}

int sk_event_json(const struct sk_event *ev, struct sk_buf *b)
{
    char pb[8];
    int rc = 0;

#define P(x)                                                                                       \
    do {                                                                                           \
        if ((rc = (x)) < 0)                                                                        \
            return rc;                                                                             \
    } while (0)
    P(sk_buf_printf(b, "{\"kind\":\"%s\",\"ts\":", sk_event_kind_name((enum sk_event_kind)ev->kind)));
    P(put_time(b, ev->ts));
    P(sk_buf_puts(b, ",\"ts_end\":"));
    P(put_time(b, ev->ts_end));
    P(sk_buf_printf(b, ",\"proto\":\"%s\",\"src_ip\":", sk_proto_name(ev->proto, pb, sizeof pb)));
    P(put_addr(b, &ev->src));
    P(sk_buf_printf(b, ",\"src_port\":%u,\"dst_ip\":", ev->sport));
    P(put_addr(b, &ev->dst));
    P(sk_buf_printf(b, ",\"dst_port\":%u,\"privacy\":\"%s\",\"source\":%u", ev->dport,
                    sk_privacy_name((enum sk_privacy)ev->privacy), ev->source_id));
    switch (ev->kind) {
    case SK_EVENT_FLOW: {
        const struct sk_ev_flow *f = &ev->u.flow;
        P(sk_buf_printf(b,
                        ",\"flow\":{\"pkts_out\":%llu,\"bytes_out\":%llu,\"pkts_in\":%llu,"
                        "\"bytes_in\":%llu,\"tcp_flags_out\":%u,\"tcp_flags_in\":%u,"
                        "\"end_reason\":\"%s\",\"tcp_state\":%u,\"sampling\":%u}",
                        (unsigned long long)f->pkts_out, (unsigned long long)f->bytes_out,
                        (unsigned long long)f->pkts_in, (unsigned long long)f->bytes_in,
                        f->tcp_flags_out, f->tcp_flags_in, end_name(f->end_reason), f->tcp_state,
                        f->sampling));
        break;
    }
    case SK_EVENT_DNS: {
        const struct sk_ev_dns *d = &ev->u.dns;
        P(sk_buf_puts(b, ",\"dns\":{\"qname\":"));
        P(put_str(b, d->qname));
        P(sk_buf_printf(b, ",\"qtype\":%u,\"qclass\":%u,\"id\":%u,\"response\":%s,\"rcode\":%u,"
                           "\"answers\":[",
                        d->qtype, d->qclass, d->id, d->is_response ? "true" : "false", d->rcode));
        for (uint16_t i = 0; d->answers && i < d->n_answers; i++) {
            const struct sk_dns_rr *rr = &d->answers[i];
            P(sk_buf_puts(b, i ? ",{\"name\":" : "{\"name\":"));
            P(put_str(b, rr->name));
            P(sk_buf_printf(b, ",\"type\":%u,\"ttl\":%u", rr->type, rr->ttl));
            if (rr->addr.family) {
                P(sk_buf_puts(b, ",\"addr\":"));
                P(put_addr(b, &rr->addr));
            }
            if (rr->data) {
                P(sk_buf_puts(b, ",\"data\":"));
                P(put_str(b, rr->data));
            }
            if (rr->type == 15)
                P(sk_buf_printf(b, ",\"pref\":%u", rr->pref));
            P(sk_buf_putc(b, '}'));
        }
        P(sk_buf_puts(b, "]}"));
        break;
    }
    case SK_EVENT_TLS: {
        const struct sk_ev_tls *t = &ev->u.tls;
        P(sk_buf_puts(b, ",\"tls\":{\"sni\":"));
        P(put_str(b, t->sni));
        P(sk_buf_puts(b, ",\"alpn\":"));
        P(put_str(b, t->alpn));
        P(sk_buf_printf(b, ",\"client_version\":%u,\"server_version\":%u,\"ja3\":",
                        t->client_version, t->server_version));
        P(put_str(b, t->ja3));
        P(sk_buf_puts(b, ",\"ja3s\":"));
        P(put_str(b, t->ja3s));
        P(sk_buf_puts(b, ",\"ja4\":"));
        P(put_str(b, t->ja4));
        P(sk_buf_puts(b, ",\"cert_sha1\":"));
        P(put_str(b, t->cert_sha1));
        P(sk_buf_puts(b, ",\"cert_sha256\":"));
        P(put_str(b, t->cert_sha256));
        P(sk_buf_putc(b, '}'));
        break;
    }
    case SK_EVENT_HTTP: {
        const struct sk_ev_http *h = &ev->u.http;
        P(sk_buf_puts(b, ",\"http\":{\"method\":"));
        P(put_str(b, h->method));
        P(sk_buf_puts(b, ",\"host\":"));
        P(put_str(b, h->host));
        P(sk_buf_puts(b, ",\"uri\":"));
        P(put_str(b, h->uri));
        P(sk_buf_puts(b, ",\"user_agent\":"));
        P(put_str(b, h->user_agent));
        P(sk_buf_printf(b, ",\"status\":%u}", h->status));
        break;
    }
    case SK_EVENT_ALERT: {
        const struct sk_ev_alert *a = &ev->u.alert;
        P(sk_buf_puts(b, ",\"alert\":{\"signature\":"));
        P(put_str(b, a->signature));
        P(sk_buf_puts(b, ",\"category\":"));
        P(put_str(b, a->category));
        P(sk_buf_printf(b, ",\"sid\":%u,\"gid\":%u,\"rev\":%u,\"severity\":%u,\"action\":", a->sid,
                        a->gid, a->rev, a->severity));
        P(put_str(b, a->action));
        P(sk_buf_putc(b, '}'));
        break;
    }
    }
    P(sk_buf_putc(b, '}'));
#undef P
    return 0;
}
