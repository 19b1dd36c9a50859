/*
 * event-t.h — the normalized event every sensor produces.
 *
 * Whatever the input (pcap, NetFlow/IPFIX, Suricata EVE, Zeek), a source turns
 * it into sk_events; everything downstream (intel matching, analyzers, store)
 * sees only these. A new sensor format is one new source and nothing else.
 *
 * Conventions:
 *   - src/sport is the initiator (the side that sent the first packet or the
 *     query), dst/dport the responder; "out" counters are src→dst.
 *   - Times are nanoseconds since the epoch, UTC.
 *   - Strings are NUL-terminated and owned by the source; they are valid only
 *     during the callback that delivers the event. Copy what you keep.
 *   - Fields a privacy profile removed are NULL / zero, never "redacted".
 */
#ifndef SAKIMORI_EVENT_T_H
#define SAKIMORI_EVENT_T_H

#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/nstime.h"

enum sk_event_kind {
    SK_EVENT_FLOW = 1, /* a finished (or timed-out) flow record */
    SK_EVENT_DNS,      /* one DNS message: query or response */
    SK_EVENT_TLS,      /* a TLS handshake: ClientHello and/or ServerHello */
    SK_EVENT_HTTP,     /* the first HTTP/1.x request of a flow */
    SK_EVENT_ALERT,    /* an IDS alert carried by the input (EVE) */
};

/* What the privacy filter kept; recorded on every finding. */
enum sk_privacy {
    SK_PRIVACY_OPERATOR = 0, /* every field: the operator's own network */
    SK_PRIVACY_METADATA = 1, /* addresses, ports, protocol, times, counts */
};

enum sk_flow_end {
    SK_FLOW_END_IDLE = 1,   /* no packet for idle_timeout */
    SK_FLOW_END_ACTIVE,     /* open longer than active_timeout: split */
    SK_FLOW_END_FIN,        /* TCP FIN/RST seen both ways */
    SK_FLOW_END_EVICTED,    /* table full: oldest evicted */
    SK_FLOW_END_EOF,        /* end of input */
    SK_FLOW_END_EXPORTED,   /* came as a record from an exporter/sensor */
};

struct sk_ev_flow {
    uint64_t pkts_out, bytes_out; /* src → dst; bytes are IP-layer octets */
    uint64_t pkts_in, bytes_in;   /* dst → src */
    uint8_t tcp_flags_out, tcp_flags_in; /* OR of flags seen each way */
    uint8_t end_reason;                  /* enum sk_flow_end */
    uint8_t tcp_state;                   /* source-specific, 0 if unknown */
    uint32_t sampling;                   /* 1-in-N applied to counters; 0/1 none */
};

struct sk_dns_rr {
    const char *name;
    uint16_t type;  /* 1 A, 28 AAAA, 5 CNAME, 15 MX, 2 NS, 16 TXT, … */
    uint16_t rclass;
    uint32_t ttl;
    struct sk_addr addr; /* A / AAAA */
    const char *data;    /* CNAME/NS/MX target, TXT text; NULL otherwise */
    uint16_t pref;       /* MX preference */
};

struct sk_ev_dns {
    const char *qname; /* lower-case, no trailing dot; "" for the root */
    uint16_t qtype, qclass;
    uint16_t id;
    uint8_t is_response;
    uint8_t rcode;       /* 0 NOERROR, 3 NXDOMAIN, … (responses only) */
    uint16_t n_answers;
    const struct sk_dns_rr *answers;
};

struct sk_ev_tls {
    const char *sni;
    const char *alpn;        /* first ALPN value offered */
    uint16_t client_version; /* highest offered (supported_versions aware) */
    uint16_t server_version; /* negotiated; 0 if no ServerHello seen */
    const char *ja3, *ja3s;  /* MD5 hex, NULL if not seen */
    const char *ja4;
    const char *cert_sha1, *cert_sha256; /* hex, first server certificate */
};

struct sk_ev_http {
    const char *method, *host, *uri, *user_agent;
    uint16_t status; /* 0 if no response seen */
};

struct sk_ev_alert {
    const char *signature;
    const char *category;
    uint32_t sid;
    uint8_t severity;
    uint32_t gid, rev;  /* rule generator and revision, 0 if unknown */
    const char *action; /* what the IDS did: "allowed", "blocked", or NULL */
};

struct sk_event {
    uint8_t kind;     /* enum sk_event_kind */
    uint8_t proto;    /* IP protocol number */
    uint8_t privacy;  /* enum sk_privacy */
    uint8_t reserved;
    uint16_t source_id; /* which source of this run produced it */
    uint16_t sport, dport;
    sk_nstime ts;     /* first packet / event time */
    sk_nstime ts_end; /* last packet; == ts for point events */
    struct sk_addr src, dst;
    union {
        struct sk_ev_flow flow;
        struct sk_ev_dns dns;
        struct sk_ev_tls tls;
        struct sk_ev_http http;
        struct sk_ev_alert alert;
    } u;
};

/* Delivery of events: return 0 to continue, a negative code to stop the
 * source (it returns that code). */
typedef int (*sk_event_fn)(void *ctx, const struct sk_event *ev);

#endif
