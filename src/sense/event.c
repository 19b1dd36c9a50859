/*
 * event.c — names and accessors for sk_event.
 */
#include <stdio.h>

#include "sakimori/event.h"

const char *sk_event_kind_name(enum sk_event_kind k)
{
    switch (k) {
    case SK_EVENT_FLOW: return "flow";
    case SK_EVENT_DNS: return "dns";
    case SK_EVENT_TLS: return "tls";
    case SK_EVENT_HTTP: return "http";
    case SK_EVENT_ALERT: return "alert";
    }
    return "unknown";
}

const char *sk_proto_name(uint8_t proto, char *buf, size_t len)
{
    switch (proto) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 58: return "icmp6";
    case 132: return "sctp";
    }
    snprintf(buf, len, "%u", proto);
    return buf;
}

const char *sk_privacy_name(enum sk_privacy p)
{
    return p == SK_PRIVACY_METADATA ? "metadata" : "operator";
}

const char *sk_event_name(const struct sk_event *ev)
{
    switch (ev->kind) {
    case SK_EVENT_DNS: return ev->u.dns.qname;
    case SK_EVENT_TLS: return ev->u.tls.sni;
    case SK_EVENT_HTTP: return ev->u.http.host;
    default: return NULL;
    }
}
