/*
 * dns.c — DNS message decoding.
 *
 * Header (offset/size): 0/2 id, 2/2 flags (QR bit 15, opcode 14–11, rcode
 * 3–0), 4/2 qdcount, 6/2 ancount, 8/2 nscount, 10/2 arcount; then questions
 * (name, 2 type, 2 class) and resource records (name, 2 type, 2 class, 4 ttl,
 * 2 rdlength, rdata).
 *
 * Names: labels of ≤ 63 bytes, a whole name ≤ 255 bytes on the wire;
 * compression pointers (0xC0 | offset) must point strictly backwards from
 * the label that holds them, which makes loops impossible; a hop budget
 * bounds the work anyway. Labels with bytes outside the usual host-name set
 * are escaped so names are safe to print, log and put in JSON.
 */
#include <stdio.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"
#include "sense/dns.h"

#define DNS_NAME_MAX 1024 /* presentation form, with escapes */
#define DNS_MAX_HOPS 64

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sk_dns_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outlen)
{
    size_t pos = *off, o = 0, wire = 0, end = 0;
    int hops = 0, jumped = 0;

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
            if (ptr >= pos || ++hops > DNS_MAX_HOPS)
                return -SK_EPARSE; /* forward or self pointer: a loop */
            if (!jumped)
                end = pos + 2;
            jumped = 1;
            pos = ptr;
            continue;
        }
        if (l & 0xc0)
            return -SK_EPARSE; /* 0x40/0x80: extended label types, obsolete */
        pos++;
        if (l == 0)
            break;
        wire += (size_t)l + 1;
        if (wire > 254)
            return -SK_EPARSE;
        if (pos + l > len)
            return -SK_ETRUNC;
        if (o && o + 1 < outlen)
            out[o++] = '.';
        for (size_t i = 0; i < l; i++) {
            uint8_t c = msg[pos + i];
            if (c >= 'A' && c <= 'Z')
                c = (uint8_t)(c + 32);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '*') {
                if (o + 1 >= outlen)
                    return -SK_ETOOBIG;
                out[o++] = (char)c;
            } else {
                if (o + 5 >= outlen)
                    return -SK_ETOOBIG;
                o += (size_t)snprintf(out + o, outlen - o, "\\%03u", c);
            }
        }
        pos += l;
    }
    out[o] = '\0';
    *off = jumped ? end : pos;
    return 0;
}

static int parse_rr(const uint8_t *msg, size_t len, size_t *off, struct sk_arena *ar,
                    struct sk_dns_rr *rr, int keep)
{
    char name[DNS_NAME_MAX];
    int rc;

    if ((rc = sk_dns_name(msg, len, off, name, sizeof name)) < 0)
        return rc;
    if (*off + 10 > len)
        return -SK_ETRUNC;
    uint16_t type = rd16(msg + *off), rclass = rd16(msg + *off + 2);
    uint32_t ttl = rd32(msg + *off + 4);
    uint16_t rdlen = rd16(msg + *off + 8);
    size_t rdata = *off + 10;
    if (rdata + rdlen > len)
        return -SK_ETRUNC;
    *off = rdata + rdlen;
    if (!keep)
        return 0;

    memset(rr, 0, sizeof *rr);
    rr->type = type;
    rr->rclass = rclass;
    rr->ttl = ttl;
    if (!(rr->name = sk_arena_strdup(ar, name)))
        return -SK_ENOMEM;
    switch (type) {
    case 1: /* A */
        if (rdlen != 4)
            return -SK_EPARSE;
        sk_addr_from_v4_bytes(&rr->addr, msg + rdata);
        break;
    case 28: /* AAAA */
        if (rdlen != 16)
            return -SK_EPARSE;
        sk_addr_from_v6_bytes(&rr->addr, msg + rdata);
        break;
    case 2:  /* NS */
    case 5:  /* CNAME */
    case 12: /* PTR */
    case 15: /* MX */ {
        size_t p = rdata;
        if (type == 15) {
            if (rdlen < 3)
                return -SK_EPARSE;
            rr->pref = rd16(msg + rdata);
            p += 2;
        }
        if ((rc = sk_dns_name(msg, rdata + rdlen, &p, name, sizeof name)) < 0)
            return rc;
        if (p != rdata + rdlen)
            return -SK_EPARSE;
        if (!(rr->data = sk_arena_strdup(ar, name)))
            return -SK_ENOMEM;
        break;
    }
    case 16: { /* TXT: character-strings, joined; non-printables escaped */
        char txt[DNS_NAME_MAX];
        size_t p = rdata, o = 0;
        while (p < rdata + rdlen) {
            size_t sl = msg[p++];
            if (p + sl > rdata + rdlen)
                return -SK_EPARSE;
            for (size_t i = 0; i < sl && o + 5 < sizeof txt; i++) {
                uint8_t c = msg[p + i];
                if (c >= 0x20 && c < 0x7f && c != '\\')
                    txt[o++] = (char)c;
                else
                    o += (size_t)snprintf(txt + o, sizeof txt - o, "\\%03u", c);
            }
            p += sl;
        }
        txt[o] = '\0';
        if (!(rr->data = sk_arena_strdup(ar, txt)))
            return -SK_ENOMEM;
        break;
    }
    default:
        break;
    }
    return 0;
}

int sk_dns_parse(const uint8_t *msg, size_t len, struct sk_arena *ar, struct sk_ev_dns *out)
{
    char name[DNS_NAME_MAX];
    size_t off = 12;
    int rc;

    memset(out, 0, sizeof *out);
    if (len < 12)
        return -SK_ETRUNC;
    uint16_t flags = rd16(msg + 2);
    uint16_t qd = rd16(msg + 4), an = rd16(msg + 6);
    out->id = rd16(msg);
    out->is_response = (uint8_t)(flags >> 15);
    out->rcode = (uint8_t)(flags & 0x0f);
    if (((flags >> 11) & 0x0f) > 6)
        return -SK_EPARSE; /* no such opcode: not DNS */
    if (qd != 1)
        return qd == 0 ? -SK_EUNSUP : -SK_EPARSE; /* every real query has one question */
    if ((rc = sk_dns_name(msg, len, &off, name, sizeof name)) < 0)
        return rc;
    if (off + 4 > len)
        return -SK_ETRUNC;
    out->qtype = rd16(msg + off);
    out->qclass = rd16(msg + off + 2);
    off += 4;
    if (!(out->qname = sk_arena_strdup(ar, name)))
        return -SK_ENOMEM;
    if (!out->is_response || an == 0)
        return 0;

    size_t keep = an < SK_DNS_MAX_ANSWERS ? an : SK_DNS_MAX_ANSWERS;
    struct sk_dns_rr *rrs = sk_arena_calloc(ar, keep * sizeof *rrs);
    if (!rrs)
        return -SK_ENOMEM;
    for (size_t i = 0; i < an; i++) {
        if ((rc = parse_rr(msg, len, &off, ar, &rrs[i < keep ? i : 0], i < keep)) < 0) {
            /* a response cut short by the snap length still tells the name */
            if (rc == -SK_ETRUNC) {
                out->n_answers = (uint16_t)i;
                out->answers = rrs;
                return 0;
            }
            return rc;
        }
    }
    out->n_answers = (uint16_t)keep;
    out->answers = rrs;
    return 0;
}
