/*
 * dnsmsg.h — DNS messages as the act plugins need them (internal): build
 * queries, NOTIFY, dynamic UPDATE (RFC 2136) and zone-transfer replies; read
 * any message back with bounds and compression-loop checks; sign and verify
 * TSIG (RFC 8945, HMAC-SHA256/512); exchange a message over UDP or TCP.
 *
 * Wire layout of a message (RFC 1035 §4.1):
 *   OFFSET SIZE MEANING
 *   0      2    ID
 *   2      2    flags: QR(15) OPCODE(14-11) AA(10) TC(9) RD(8) RA(7) Z AD CD RCODE(3-0)
 *   4      2    QDCOUNT (for UPDATE: ZOCOUNT)
 *   6      2    ANCOUNT (UPDATE: PRCOUNT)
 *   8      2    NSCOUNT (UPDATE: UPCOUNT)
 *   10     2    ARCOUNT
 *   12     …    question, answer, authority, additional sections
 *
 * Names are written uncompressed (every message we build is small or a
 * transfer, where compression saves little and complicates TSIG). Names are
 * read in presentation form, lower-case, with a trailing dot omitted ("" is
 * the root); bytes outside [a-z0-9-_*] are escaped as \DDD.
 */
#ifndef SK_ACT_DNSMSG_H
#define SK_ACT_DNSMSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sakimori/error.h"

enum {
    SK_DNS_A = 1, SK_DNS_NS = 2, SK_DNS_CNAME = 5, SK_DNS_SOA = 6, SK_DNS_TXT = 16,
    SK_DNS_AAAA = 28, SK_DNS_OPT = 41, SK_DNS_TSIG = 250, SK_DNS_IXFR = 251,
    SK_DNS_AXFR = 252, SK_DNS_ANY = 255,
};
enum { SK_DNS_IN = 1, SK_DNS_CLASS_NONE = 254, SK_DNS_CLASS_ANY = 255 };
enum { SK_DNS_OP_QUERY = 0, SK_DNS_OP_NOTIFY = 4, SK_DNS_OP_UPDATE = 5 };
enum {
    SK_DNS_NOERROR = 0, SK_DNS_FORMERR = 1, SK_DNS_SERVFAIL = 2, SK_DNS_NXDOMAIN = 3,
    SK_DNS_NOTIMP = 4, SK_DNS_REFUSED = 5, SK_DNS_NOTAUTH = 9, SK_DNS_NOTZONE = 10,
};

#define SK_DNS_NAME_MAX 1025 /* presentation form with \DDD escapes, + NUL */
#define SK_DNS_MSG_MAX 65535

/* --- building --------------------------------------------------------- */

struct sk_dnsw {
    uint8_t buf[SK_DNS_MSG_MAX];
    size_t len;
    int err; /* sticky: -SK_ETOOBIG or -SK_EPARSE after a failed put */
};

void sk__dnsw_init(struct sk_dnsw *w, uint16_t id, uint16_t flags);
void sk__dnsw_u16(struct sk_dnsw *w, uint16_t v);
void sk__dnsw_u32(struct sk_dnsw *w, uint32_t v);
void sk__dnsw_bytes(struct sk_dnsw *w, const void *p, size_t n);
/* A name in presentation form ("evil.example", "evil.example.", "." or ""
 * for the root, "*.x" wildcards); plain labels only, no escapes. */
void sk__dnsw_name(struct sk_dnsw *w, const char *name);
/* Two-part name: "<rel>.<zone>" without building the string. */
void sk__dnsw_name2(struct sk_dnsw *w, const char *rel, const char *zone);
void sk__dnsw_question(struct sk_dnsw *w, const char *name, uint16_t type, uint16_t cls);
/* Starts an RR; sk__dnsw_rdata_end fixes RDLENGTH once the data is written. */
size_t sk__dnsw_rr_begin(struct sk_dnsw *w, const char *rel, const char *zone, uint16_t type,
                         uint16_t cls, uint32_t ttl);
void sk__dnsw_rdata_end(struct sk_dnsw *w, size_t mark);
/* Writes an RR whose rdata is given in presentation form for the types a
 * policy uses: "A 192.0.2.1", "AAAA 2001:db8::1", "CNAME name." */
int sk__dnsw_rr_text(struct sk_dnsw *w, const char *rel, const char *zone, uint32_t ttl,
                     const char *rr);
/* SOA with our fixed timers: refresh 300, retry 60, expire 30 days, min 60. */
void sk__dnsw_soa(struct sk_dnsw *w, const char *zone, uint32_t serial, uint32_t ttl);
/* Sets a count: 0 QD, 1 AN, 2 NS, 3 AR. */
void sk__dnsw_count(struct sk_dnsw *w, int section, uint16_t n);
uint16_t sk__dnsw_get_count(const struct sk_dnsw *w, int section);

/* --- reading ---------------------------------------------------------- */

struct sk_dnsr {
    const uint8_t *msg;
    size_t len;
    uint16_t id, flags;
    uint16_t count[4]; /* QD AN NS AR */
    char qname[SK_DNS_NAME_MAX];
    uint16_t qtype, qclass;
    size_t off; /* next RR */
    int section; /* of the next RR: 1 AN, 2 NS, 3 AR */
    uint16_t left; /* RRs left in that section */
};

struct sk_dnsrr {
    char name[SK_DNS_NAME_MAX];
    uint16_t type, cls;
    uint32_t ttl;
    const uint8_t *rdata;
    uint16_t rdlen;
    size_t start, rdoff; /* offsets of the RR and of its rdata in the message */
    int section;
};

/* Parses the header and the first question (if any). */
int sk__dnsr_init(struct sk_dnsr *r, const uint8_t *msg, size_t len);
/* The next RR; returns 1 with rr filled, 0 at the end, < 0 on malformed. */
int sk__dnsr_next(struct sk_dnsr *r, struct sk_dnsrr *rr);
/* Reads a (possibly compressed) name at *off into out; advances *off. */
int sk__dns_read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outlen);
/* RDATA of A/AAAA/CNAME/NS/SOA in presentation form ("CNAME x.", "A 1.2.3.4",
 * "SOA mname rname serial …"); -SK_EUNSUP for other types. */
int sk__dnsrr_text(const struct sk_dnsr *r, const struct sk_dnsrr *rr, char *out, size_t len);
/* SOA serial from an SOA RR. */
int sk__dnsrr_soa_serial(const struct sk_dnsrr *rr, uint32_t *serial);
static inline int sk__dns_rcode(const struct sk_dnsr *r) { return r->flags & 0xf; }
static inline int sk__dns_opcode(const struct sk_dnsr *r) { return (r->flags >> 11) & 0xf; }

/* --- TSIG ------------------------------------------------------------- */

struct sk_tsig_key {
    char name[256];     /* key name, lower-case, no trailing dot */
    char alg[32];       /* "hmac-sha256" or "hmac-sha512" */
    uint8_t secret[128];
    size_t secret_len;
};

/* Parses a BIND key file (`key "name" { algorithm hmac-sha256; secret "…"; };`,
 * as tsig-keygen writes it). Errors name the file and line. */
int sk__tsig_key_parse(const char *text, size_t len, const char *path, struct sk_tsig_key *k,
                       struct sk_errinfo *ei);
int sk__tsig_key_load(const char *path, struct sk_tsig_key *k, struct sk_errinfo *ei);
/* Appends a TSIG RR signing the message (RFC 8945 §4.3) at time `now` (s);
 * the MAC is copied to mac (64 bytes room) for verifying the reply. */
int sk__tsig_sign(struct sk_dnsw *w, const struct sk_tsig_key *k, uint64_t now, uint8_t *mac,
                  size_t *maclen);
/* Verifies the TSIG RR that must end a reply to a request signed with
 * req_mac. -SK_ECRYPTO if missing, bad or out of the time window. */
int sk__tsig_verify_reply(const uint8_t *msg, size_t len, const struct sk_tsig_key *k,
                          const uint8_t *req_mac, size_t req_maclen, uint64_t now);

/* --- exchange --------------------------------------------------------- */

/* Sends q and waits for the reply with the same ID (UDP: over one socket,
 * retried once at half the timeout). Returns the reply length. */
int sk__dns_udp(const struct sockaddr *to, socklen_t tolen, const uint8_t *q, size_t qlen,
                uint8_t *resp, size_t cap, int timeout_ms);
int sk__dns_tcp(const struct sockaddr *to, socklen_t tolen, const uint8_t *q, size_t qlen,
                uint8_t *resp, size_t cap, int timeout_ms);

#endif
