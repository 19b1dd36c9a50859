/*
 * dnsmsg.c — DNS message building, reading, TSIG and exchange for the act
 * plugins (see dnsmsg.h for the wire layout).
 *
 * Reading is defensive: every offset is checked against the message length,
 * compression pointers must point strictly backwards (so they cannot loop)
 * and a name is at most 255 octets on the wire. The reader is what the RPZ
 * primary applies to requests from the network, and it has a fuzz target
 * (tests/fuzz/fuzz_dnsmsg.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "act/dnsmsg.h"
#include "sakimori/file.h"
#include "sakimori/nstime.h"

/* --- building ----------------------------------------------------------- */

void sk__dnsw_init(struct sk_dnsw *w, uint16_t id, uint16_t flags)
{
    w->len = 0;
    w->err = 0;
    sk__dnsw_u16(w, id);
    sk__dnsw_u16(w, flags);
    for (int i = 0; i < 4; i++)
        sk__dnsw_u16(w, 0);
}

void sk__dnsw_bytes(struct sk_dnsw *w, const void *p, size_t n)
{
    if (w->err)
        return;
    if (n > sizeof w->buf - w->len) {
        w->err = -SK_ETOOBIG;
        return;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

void sk__dnsw_u16(struct sk_dnsw *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    sk__dnsw_bytes(w, b, 2);
}

void sk__dnsw_u32(struct sk_dnsw *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    sk__dnsw_bytes(w, b, 4);
}

/* Writes the labels of s (no terminating root label); *total counts octets. */
static void put_labels(struct sk_dnsw *w, const char *s, size_t *total)
{
    while (*s && !w->err) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        if (n == 0 || n > 63) {
            if (n == 0 && !dot[1])
                return; /* trailing dot */
            w->err = -SK_EPARSE;
            return;
        }
        *total += n + 1;
        if (*total > 254) {
            w->err = -SK_EPARSE;
            return;
        }
        uint8_t len = (uint8_t)n;
        sk__dnsw_bytes(w, &len, 1);
        sk__dnsw_bytes(w, s, n);
        s += n + (dot ? 1 : 0);
    }
}

void sk__dnsw_name(struct sk_dnsw *w, const char *name)
{
    size_t total = 0;
    if (strcmp(name, ".") != 0)
        put_labels(w, name, &total);
    sk__dnsw_bytes(w, "", 1);
}

void sk__dnsw_name2(struct sk_dnsw *w, const char *rel, const char *zone)
{
    size_t total = 0;
    if (rel && *rel && strcmp(rel, "@") != 0)
        put_labels(w, rel, &total);
    put_labels(w, zone, &total);
    sk__dnsw_bytes(w, "", 1);
}

void sk__dnsw_question(struct sk_dnsw *w, const char *name, uint16_t type, uint16_t cls)
{
    sk__dnsw_name(w, name);
    sk__dnsw_u16(w, type);
    sk__dnsw_u16(w, cls);
}

size_t sk__dnsw_rr_begin(struct sk_dnsw *w, const char *rel, const char *zone, uint16_t type,
                         uint16_t cls, uint32_t ttl)
{
    sk__dnsw_name2(w, rel, zone);
    sk__dnsw_u16(w, type);
    sk__dnsw_u16(w, cls);
    sk__dnsw_u32(w, ttl);
    size_t mark = w->len;
    sk__dnsw_u16(w, 0);
    return mark;
}

void sk__dnsw_rdata_end(struct sk_dnsw *w, size_t mark)
{
    if (w->err)
        return;
    size_t n = w->len - mark - 2;
    w->buf[mark] = (uint8_t)(n >> 8);
    w->buf[mark + 1] = (uint8_t)n;
}

int sk__dnsw_rr_text(struct sk_dnsw *w, const char *rel, const char *zone, uint32_t ttl,
                     const char *rr)
{
    char type[16], data[300];
    const char *sp = strchr(rr, ' ');
    size_t tl = sp ? (size_t)(sp - rr) : 0;

    if (!sp || tl >= sizeof type || strlen(sp + 1) >= sizeof data)
        return -SK_EPARSE;
    memcpy(type, rr, tl);
    type[tl] = '\0';
    snprintf(data, sizeof data, "%s", sp + 1);
    if (!strcmp(type, "A")) {
        uint8_t a[4];
        if (inet_pton(AF_INET, data, a) != 1)
            return -SK_EPARSE;
        size_t m = sk__dnsw_rr_begin(w, rel, zone, SK_DNS_A, SK_DNS_IN, ttl);
        sk__dnsw_bytes(w, a, 4);
        sk__dnsw_rdata_end(w, m);
    } else if (!strcmp(type, "AAAA")) {
        uint8_t a[16];
        if (inet_pton(AF_INET6, data, a) != 1)
            return -SK_EPARSE;
        size_t m = sk__dnsw_rr_begin(w, rel, zone, SK_DNS_AAAA, SK_DNS_IN, ttl);
        sk__dnsw_bytes(w, a, 16);
        sk__dnsw_rdata_end(w, m);
    } else if (!strcmp(type, "CNAME")) {
        size_t m = sk__dnsw_rr_begin(w, rel, zone, SK_DNS_CNAME, SK_DNS_IN, ttl);
        sk__dnsw_name(w, data);
        sk__dnsw_rdata_end(w, m);
    } else {
        return -SK_EUNSUP;
    }
    return w->err;
}

void sk__dnsw_soa(struct sk_dnsw *w, const char *zone, uint32_t serial, uint32_t ttl)
{
    size_t m = sk__dnsw_rr_begin(w, NULL, zone, SK_DNS_SOA, SK_DNS_IN, ttl);
    sk__dnsw_name(w, "localhost");
    sk__dnsw_name(w, "hostmaster.localhost");
    sk__dnsw_u32(w, serial);
    sk__dnsw_u32(w, 300);         /* refresh: NOTIFY is the fast path */
    sk__dnsw_u32(w, 60);          /* retry */
    sk__dnsw_u32(w, 30 * 86400);  /* expire: keep the policy if sakimori is away */
    sk__dnsw_u32(w, 60);          /* negative TTL */
    sk__dnsw_rdata_end(w, m);
}

void sk__dnsw_count(struct sk_dnsw *w, int section, uint16_t n)
{
    w->buf[4 + 2 * section] = (uint8_t)(n >> 8);
    w->buf[5 + 2 * section] = (uint8_t)n;
}

uint16_t sk__dnsw_get_count(const struct sk_dnsw *w, int section)
{
    return (uint16_t)(w->buf[4 + 2 * section] << 8 | w->buf[5 + 2 * section]);
}

/* --- reading ------------------------------------------------------------ */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sk__dns_read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outlen)
{
    size_t pos = *off, o = 0, wire = 0, end = 0;
    int jumped = 0;

    if (outlen < 1)
        return -SK_EINVAL;
    for (;;) {
        if (pos >= len)
            return -SK_ETRUNC;
        uint8_t l = msg[pos];
        if ((l & 0xc0) == 0xc0) {
            if (pos + 1 >= len)
                return -SK_ETRUNC;
            size_t ptr = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
            if (ptr >= pos)
                return -SK_EPARSE; /* only backwards: no loops */
            if (!jumped)
                end = pos + 2;
            jumped = 1;
            pos = ptr;
            continue;
        }
        if (l & 0xc0)
            return -SK_EPARSE;
        if (l == 0) {
            if (!jumped)
                end = pos + 1;
            break;
        }
        wire += (size_t)l + 1;
        if (wire > 255 || pos + 1 + l > len)
            return wire > 255 ? -SK_EPARSE : -SK_ETRUNC;
        if (o)
            out[o++] = '.';
        for (size_t i = 0; i < l; i++) {
            unsigned char c = (unsigned char)tolower(msg[pos + 1 + i]);
            if (isalnum(c) || c == '-' || c == '_' || c == '*') {
                if (o + 2 > outlen)
                    return -SK_ETOOBIG;
                out[o++] = (char)c;
            } else {
                if (o + 5 > outlen)
                    return -SK_ETOOBIG;
                snprintf(out + o, 5, "\\%03u", c);
                o += 4;
            }
        }
        if (o + 2 > outlen)
            return -SK_ETOOBIG;
        pos += 1 + l;
    }
    out[o] = '\0';
    *off = end;
    return 0;
}

int sk__dnsr_init(struct sk_dnsr *r, const uint8_t *msg, size_t len)
{
    memset(r, 0, sizeof *r);
    r->msg = msg;
    r->len = len;
    if (len < 12)
        return -SK_ETRUNC;
    r->id = rd16(msg);
    r->flags = rd16(msg + 2);
    for (int i = 0; i < 4; i++)
        r->count[i] = rd16(msg + 4 + 2 * i);
    r->off = 12;
    if (r->count[0] > 0) {
        int rc = sk__dns_read_name(msg, len, &r->off, r->qname, sizeof r->qname);
        if (rc < 0)
            return rc;
        if (r->off + 4 > len)
            return -SK_ETRUNC;
        r->qtype = rd16(msg + r->off);
        r->qclass = rd16(msg + r->off + 2);
        r->off += 4;
        /* further questions are skipped */
        for (uint16_t q = 1; q < r->count[0]; q++) {
            char tmp[SK_DNS_NAME_MAX];
            if ((rc = sk__dns_read_name(msg, len, &r->off, tmp, sizeof tmp)) < 0)
                return rc;
            if (r->off + 4 > len)
                return -SK_ETRUNC;
            r->off += 4;
        }
    }
    r->section = 1;
    r->left = r->count[1];
    return 0;
}

int sk__dnsr_next(struct sk_dnsr *r, struct sk_dnsrr *rr)
{
    int rc;

    while (r->left == 0) {
        if (r->section >= 3)
            return 0;
        r->section++;
        r->left = r->count[r->section];
    }
    rr->start = r->off;
    if ((rc = sk__dns_read_name(r->msg, r->len, &r->off, rr->name, sizeof rr->name)) < 0)
        return rc;
    if (r->off + 10 > r->len)
        return -SK_ETRUNC;
    rr->type = rd16(r->msg + r->off);
    rr->cls = rd16(r->msg + r->off + 2);
    rr->ttl = rd32(r->msg + r->off + 4);
    rr->rdlen = rd16(r->msg + r->off + 8);
    r->off += 10;
    if (r->off + rr->rdlen > r->len)
        return -SK_ETRUNC;
    rr->rdata = r->msg + r->off;
    rr->rdoff = r->off;
    rr->section = r->section;
    r->off += rr->rdlen;
    r->left--;
    return 1;
}

int sk__dnsrr_text(const struct sk_dnsr *r, const struct sk_dnsrr *rr, char *out, size_t len)
{
    char a[INET6_ADDRSTRLEN], n1[SK_DNS_NAME_MAX], n2[SK_DNS_NAME_MAX];
    size_t off = rr->rdoff;
    int rc;

    switch (rr->type) {
    case SK_DNS_A:
        if (rr->rdlen != 4)
            return -SK_EPARSE;
        inet_ntop(AF_INET, rr->rdata, a, sizeof a);
        snprintf(out, len, "A %s", a);
        return 0;
    case SK_DNS_AAAA:
        if (rr->rdlen != 16)
            return -SK_EPARSE;
        inet_ntop(AF_INET6, rr->rdata, a, sizeof a);
        snprintf(out, len, "AAAA %s", a);
        return 0;
    case SK_DNS_CNAME:
    case SK_DNS_NS:
        if ((rc = sk__dns_read_name(r->msg, rr->rdoff + rr->rdlen, &off, n1, sizeof n1)) < 0)
            return rc;
        snprintf(out, len, "%s %s.", rr->type == SK_DNS_CNAME ? "CNAME" : "NS",
                 n1[0] ? n1 : "");
        return 0;
    case SK_DNS_SOA: {
        size_t end = rr->rdoff + rr->rdlen;
        if ((rc = sk__dns_read_name(r->msg, end, &off, n1, sizeof n1)) < 0 ||
            (rc = sk__dns_read_name(r->msg, end, &off, n2, sizeof n2)) < 0)
            return rc;
        if (off + 20 != end)
            return -SK_EPARSE;
        snprintf(out, len, "SOA %s. %s. %u %u %u %u %u", n1, n2, rd32(r->msg + off),
                 rd32(r->msg + off + 4), rd32(r->msg + off + 8), rd32(r->msg + off + 12),
                 rd32(r->msg + off + 16));
        return 0;
    }
    }
    return -SK_EUNSUP;
}

int sk__dnsrr_soa_serial(const struct sk_dnsrr *rr, uint32_t *serial)
{
    if (rr->type != SK_DNS_SOA || rr->rdlen < 22)
        return -SK_EPARSE;
    /* the serial is the 20 bytes before the end: serial refresh retry expire min */
    *serial = rd32(rr->rdata + rr->rdlen - 20);
    return 0;
}

/* --- TSIG --------------------------------------------------------------- */

/* A tiny tokenizer for BIND's key file syntax: words, "strings", { } ;
 * and comments (#, //, C style). */
struct keytok {
    const char *s, *end;
    int line;
    char tok[256];
};

static int next_tok(struct keytok *t)
{
    for (;;) {
        while (t->s < t->end && isspace((unsigned char)*t->s)) {
            if (*t->s == '\n')
                t->line++;
            t->s++;
        }
        if (t->s >= t->end)
            return 0;
        if (*t->s == '#' || (*t->s == '/' && t->s + 1 < t->end && t->s[1] == '/')) {
            while (t->s < t->end && *t->s != '\n')
                t->s++;
            continue;
        }
        if (*t->s == '/' && t->s + 1 < t->end && t->s[1] == '*') {
            t->s += 2;
            while (t->s + 1 < t->end && !(t->s[0] == '*' && t->s[1] == '/')) {
                if (*t->s == '\n')
                    t->line++;
                t->s++;
            }
            if (t->s + 1 >= t->end)
                return -1;
            t->s += 2;
            continue;
        }
        break;
    }
    size_t n = 0;
    if (*t->s == '{' || *t->s == '}' || *t->s == ';') {
        t->tok[0] = *t->s++;
        t->tok[1] = '\0';
        return 1;
    }
    if (*t->s == '"') {
        t->s++;
        while (t->s < t->end && *t->s != '"' && *t->s != '\n') {
            if (n + 1 >= sizeof t->tok)
                return -1;
            t->tok[n++] = *t->s++;
        }
        if (t->s >= t->end || *t->s != '"')
            return -1;
        t->s++;
        t->tok[n] = '\0';
        return 2; /* a string */
    }
    while (t->s < t->end && !isspace((unsigned char)*t->s) && !strchr("{};\"", *t->s)) {
        if (n + 1 >= sizeof t->tok)
            return -1;
        t->tok[n++] = *t->s++;
    }
    t->tok[n] = '\0';
    return 1;
}

int sk__tsig_key_parse(const char *text, size_t len, const char *path, struct sk_tsig_key *k,
                       struct sk_errinfo *ei)
{
    struct keytok t = {.s = text, .end = text + len, .line = 1};
    int have_alg = 0, have_secret = 0, r;

#define EXPECT(cond, what)                                                                 \
    do {                                                                                   \
        if (!(cond))                                                                       \
            return sk_fail(ei, -SK_EPARSE, "%s:%d: expected %s", path, t.line, what);      \
    } while (0)

    memset(k, 0, sizeof *k);
    r = next_tok(&t);
    EXPECT(r == 1 && !strcmp(t.tok, "key"), "'key \"NAME\" { … };'");
    r = next_tok(&t);
    EXPECT(r == 1 || r == 2, "the key name");
    EXPECT(strlen(t.tok) > 0 && strlen(t.tok) < sizeof k->name, "a key name of 1-255 characters");
    for (size_t i = 0; t.tok[i]; i++)
        k->name[i] = (char)tolower((unsigned char)t.tok[i]);
    if (k->name[strlen(k->name) - 1] == '.')
        k->name[strlen(k->name) - 1] = '\0';
    /* the name goes on the wire in every TSIG record: a host-name shape */
    size_t kl = strlen(k->name);
    EXPECT(kl > 0 && kl <= 253 && k->name[0] != '.' && !strstr(k->name, "..") &&
               strspn(k->name, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == kl,
           "a key name made of labels of letters, digits, '-' and '_'");
    r = next_tok(&t);
    EXPECT(r == 1 && !strcmp(t.tok, "{"), "'{'");
    for (;;) {
        r = next_tok(&t);
        EXPECT(r == 1, "'algorithm', 'secret' or '}'");
        if (!strcmp(t.tok, "}"))
            break;
        if (!strcmp(t.tok, "algorithm")) {
            r = next_tok(&t);
            EXPECT(r == 1 || r == 2, "an algorithm name");
            for (size_t i = 0; t.tok[i]; i++)
                t.tok[i] = (char)tolower((unsigned char)t.tok[i]);
            if (strcmp(t.tok, "hmac-sha256") && strcmp(t.tok, "hmac-sha512"))
                return sk_fail(ei, -SK_EUNSUP, "%s:%d: algorithm '%s' is not supported "
                               "(hmac-sha256 or hmac-sha512)", path, t.line, t.tok);
            snprintf(k->alg, sizeof k->alg, "%s",
                     !strcmp(t.tok, "hmac-sha512") ? "hmac-sha512" : "hmac-sha256");
            have_alg = 1;
        } else if (!strcmp(t.tok, "secret")) {
            size_t bin = 0;
            r = next_tok(&t);
            EXPECT(r == 2, "the secret as a \"base64\" string");
            if (sodium_base642bin(k->secret, sizeof k->secret, t.tok, strlen(t.tok), NULL, &bin,
                                  NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
                bin == 0)
                return sk_fail(ei, -SK_EPARSE, "%s:%d: the secret is not valid base64 of at most "
                               "%zu bytes", path, t.line, sizeof k->secret);
            k->secret_len = bin;
            have_secret = 1;
        } else {
            return sk_fail(ei, -SK_EPARSE, "%s:%d: unknown key clause '%s' (expected algorithm "
                           "or secret)", path, t.line, t.tok);
        }
        r = next_tok(&t);
        EXPECT(r == 1 && !strcmp(t.tok, ";"), "';'");
    }
    r = next_tok(&t);
    EXPECT(r == 1 && !strcmp(t.tok, ";"), "';' after '}'");
    EXPECT(have_alg && have_secret, "both 'algorithm' and 'secret' in the key");
#undef EXPECT
    return 0;
}

int sk__tsig_key_load(const char *path, struct sk_tsig_key *k, struct sk_errinfo *ei)
{
    char *text = NULL;
    size_t len;
    int rc = sk_read_file(path, 1 << 16, &text, &len, ei);

    if (rc == 0) {
        rc = sk__tsig_key_parse(text, len, path, k, ei);
        sodium_memzero(text, len);
    }
    free(text);
    return rc;
}

/* HMAC over the concatenation of parts, with the key's algorithm. */
struct part {
    const uint8_t *p;
    size_t n;
};

static size_t hmac(const struct sk_tsig_key *k, const struct part *parts, size_t nparts,
                   uint8_t *out)
{
    if (!strcmp(k->alg, "hmac-sha512")) {
        crypto_auth_hmacsha512_state st;
        crypto_auth_hmacsha512_init(&st, k->secret, k->secret_len);
        for (size_t i = 0; i < nparts; i++)
            crypto_auth_hmacsha512_update(&st, parts[i].p, parts[i].n);
        crypto_auth_hmacsha512_final(&st, out);
        return crypto_auth_hmacsha512_BYTES;
    }
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, k->secret, k->secret_len);
    for (size_t i = 0; i < nparts; i++)
        crypto_auth_hmacsha256_update(&st, parts[i].p, parts[i].n);
    crypto_auth_hmacsha256_final(&st, out);
    return crypto_auth_hmacsha256_BYTES;
}

/* The TSIG variables (RFC 8945 §4.3.3) in canonical form. */
static void tsig_vars(struct sk_dnsw *v, const struct sk_tsig_key *k, uint64_t t, uint16_t fudge,
                      uint16_t error)
{
    v->len = 0;
    v->err = 0;
    sk__dnsw_name(v, k->name);
    sk__dnsw_u16(v, SK_DNS_CLASS_ANY);
    sk__dnsw_u32(v, 0);
    sk__dnsw_name(v, k->alg);
    sk__dnsw_u16(v, (uint16_t)(t >> 32));
    sk__dnsw_u32(v, (uint32_t)t);
    sk__dnsw_u16(v, fudge);
    sk__dnsw_u16(v, error);
    sk__dnsw_u16(v, 0); /* other len */
}

int sk__tsig_sign(struct sk_dnsw *w, const struct sk_tsig_key *k, uint64_t now, uint8_t *mac,
                  size_t *maclen)
{
    struct sk_dnsw *v = malloc(sizeof *v);
    uint16_t id = (uint16_t)(w->buf[0] << 8 | w->buf[1]);

    if (!v)
        return -SK_ENOMEM;
    if (w->err) {
        free(v);
        return w->err;
    }
    tsig_vars(v, k, now, 300, 0);
    struct part parts[] = {{w->buf, w->len}, {v->buf, v->len}};
    *maclen = hmac(k, parts, 2, mac);
    free(v);
    size_t m = sk__dnsw_rr_begin(w, NULL, k->name, SK_DNS_TSIG, SK_DNS_CLASS_ANY, 0);
    sk__dnsw_name(w, k->alg);
    sk__dnsw_u16(w, (uint16_t)(now >> 32));
    sk__dnsw_u32(w, (uint32_t)now);
    sk__dnsw_u16(w, 300);
    sk__dnsw_u16(w, (uint16_t)*maclen);
    sk__dnsw_bytes(w, mac, *maclen);
    sk__dnsw_u16(w, id);
    sk__dnsw_u16(w, 0);
    sk__dnsw_u16(w, 0);
    sk__dnsw_rdata_end(w, m);
    sk__dnsw_count(w, 3, (uint16_t)(sk__dnsw_get_count(w, 3) + 1));
    return w->err;
}

int sk__tsig_verify_reply(const uint8_t *msg, size_t len, const struct sk_tsig_key *k,
                          const uint8_t *req_mac, size_t req_maclen, uint64_t now)
{
    struct sk_dnsr r;
    struct sk_dnsrr rr, last = {.type = 0};
    int rc, n = 0;

    if ((rc = sk__dnsr_init(&r, msg, len)) < 0)
        return rc;
    while ((rc = sk__dnsr_next(&r, &rr)) == 1) {
        last = rr;
        n++;
    }
    if (rc < 0)
        return rc;
    if (last.type != SK_DNS_TSIG || last.section != 3 || strcasecmp(last.name, k->name) != 0)
        return -SK_ECRYPTO;
    /* rdata: alg name, time(6), fudge(2), mac size(2), mac, orig id(2), error(2), other */
    char alg[SK_DNS_NAME_MAX];
    size_t off = last.rdoff, end = last.rdoff + last.rdlen;
    if ((rc = sk__dns_read_name(msg, end, &off, alg, sizeof alg)) < 0 || strcmp(alg, k->alg))
        return -SK_ECRYPTO;
    if (off + 10 > end)
        return -SK_ECRYPTO;
    uint64_t t = (uint64_t)rd16(msg + off) << 32 | rd32(msg + off + 2);
    uint16_t fudge = rd16(msg + off + 6), macsz = rd16(msg + off + 8);
    off += 10;
    if (off + macsz + 6 > end || macsz == 0)
        return -SK_ECRYPTO;
    const uint8_t *mac = msg + off;
    off += macsz;
    uint16_t orig_id = rd16(msg + off), error = rd16(msg + off + 2), olen = rd16(msg + off + 4);
    if (error != 0 || olen != 0 || off + 6 != end)
        return -SK_ECRYPTO;
    if ((t > now ? t - now : now - t) > fudge)
        return -SK_ECRYPTO;
    /* the reply as it was before signing: without the TSIG RR, ARCOUNT - 1,
     * the original ID */
    uint8_t *copy = malloc(last.start);
    struct sk_dnsw *v = malloc(sizeof *v);
    uint8_t lenbuf[2] = {(uint8_t)(req_maclen >> 8), (uint8_t)req_maclen}, calc[64];
    if (!copy || !v) {
        free(copy);
        free(v);
        return -SK_ENOMEM;
    }
    memcpy(copy, msg, last.start);
    copy[0] = (uint8_t)(orig_id >> 8);
    copy[1] = (uint8_t)orig_id;
    uint16_t ar = (uint16_t)(r.count[3] - 1);
    copy[10] = (uint8_t)(ar >> 8);
    copy[11] = (uint8_t)ar;
    tsig_vars(v, k, t, fudge, error);
    struct part parts[] = {{lenbuf, 2}, {req_mac, req_maclen}, {copy, last.start},
                           {v->buf, v->len}};
    size_t cl = hmac(k, parts, 4, calc);
    rc = (cl == macsz && sodium_memcmp(calc, mac, cl) == 0) ? 0 : -SK_ECRYPTO;
    free(copy);
    free(v);
    (void)n;
    return rc;
}

/* --- exchange ----------------------------------------------------------- */

static int wait_fd(int fd, short ev, sk_nstime deadline)
{
    for (;;) {
        sk_nstime now = sk_monotonic();
        if (now >= deadline)
            return -SK_ETIMEOUT;
        struct pollfd p = {.fd = fd, .events = ev};
        int r = poll(&p, 1, (int)((deadline - now) / SK_NS_PER_MS) + 1);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -errno;
    }
}

int sk__dns_udp(const struct sockaddr *to, socklen_t tolen, const uint8_t *q, size_t qlen,
                uint8_t *resp, size_t cap, int timeout_ms)
{
    int fd = socket(to->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -SK_ETIMEOUT;
    sk_nstime start = sk_monotonic(), end = start + (sk_nstime)timeout_ms * SK_NS_PER_MS;

    if (fd < 0)
        return -errno;
    if (connect(fd, to, tolen) < 0) {
        rc = -errno;
        goto out;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        sk_nstime until = attempt ? end : start + (end - start) / 2;
        if (send(fd, q, qlen, 0) < 0) {
            rc = -errno;
            goto out;
        }
        while (wait_fd(fd, POLLIN, until) == 0) {
            ssize_t n = recv(fd, resp, cap, 0);
            if (n < 0) {
                rc = errno == ECONNREFUSED ? -ECONNREFUSED : -errno;
                if (rc == -ECONNREFUSED)
                    goto out;
                continue;
            }
            if (n >= 12 && resp[0] == q[0] && resp[1] == q[1] && (resp[2] & 0x80)) {
                rc = (int)n;
                goto out;
            }
        }
    }
out:
    close(fd);
    return rc;
}

static int read_full(int fd, uint8_t *p, size_t n, sk_nstime deadline)
{
    while (n > 0) {
        int rc = wait_fd(fd, POLLIN, deadline);
        if (rc < 0)
            return rc;
        ssize_t r = read(fd, p, n);
        if (r == 0)
            return -SK_ETRUNC;
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -errno;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int sk__dns_tcp(const struct sockaddr *to, socklen_t tolen, const uint8_t *q, size_t qlen,
                uint8_t *resp, size_t cap, int timeout_ms)
{
    int fd = socket(to->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), rc;
    sk_nstime deadline = sk_monotonic() + (sk_nstime)timeout_ms * SK_NS_PER_MS;
    uint8_t hdr[2] = {(uint8_t)(qlen >> 8), (uint8_t)qlen};

    if (fd < 0)
        return -errno;
    if (connect(fd, to, tolen) < 0 && errno != EINPROGRESS) {
        rc = -errno;
        goto out;
    }
    if ((rc = wait_fd(fd, POLLOUT, deadline)) < 0)
        goto out;
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err) {
        rc = -err;
        goto out;
    }
    struct iovec iov[2] = {{hdr, 2}, {(void *)q, qlen}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    if (sendmsg(fd, &mh, MSG_NOSIGNAL) != (ssize_t)(qlen + 2)) {
        rc = -SK_EIO;
        goto out;
    }
    for (;;) {
        if ((rc = read_full(fd, hdr, 2, deadline)) < 0)
            goto out;
        size_t n = (size_t)hdr[0] << 8 | hdr[1];
        if (n > cap || n < 12) {
            rc = -SK_ETOOBIG;
            goto out;
        }
        if ((rc = read_full(fd, resp, n, deadline)) < 0)
            goto out;
        if (resp[0] == q[0] && resp[1] == q[1]) {
            rc = (int)n;
            goto out;
        }
    }
out:
    close(fd);
    return rc;
}
