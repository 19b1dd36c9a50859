/*
 * tls.c — TLS ClientHello/ServerHello/Certificate decoding, JA3/JA3S/JA4,
 * and a per-connection record decoder.
 *
 * Wire layouts (offset/size: meaning):
 *   record       0/1 type (20 CCS, 21 alert, 22 handshake, 23 data)
 *                1/2 version 3/2 length, then length bytes (≤ 2^14 + 2048)
 *   handshake    0/1 type (1 ClientHello, 2 ServerHello, 11 Certificate,
 *                14 ServerHelloDone) 1/3 length, then the body
 *   ClientHello  0/2 legacy version 2/32 random, 1 + session id, 2 + cipher
 *                suites, 1 + compression methods, [2 + extensions]
 *   ServerHello  0/2 legacy version 2/32 random, 1 + session id, 2 cipher,
 *                1 compression, [2 + extensions]
 *   extension    0/2 type 2/2 length, then data; read here: server_name (0),
 *                supported_groups (10), ec_point_formats (11),
 *                signature_algorithms (13), ALPN (16), supported_versions (43)
 *   Certificate  0/3 list length, then entries of 3-byte length + DER
 * Every length is checked against what encloses it before it is used. An
 * extension whose inside is malformed keeps its type in the lists (it was
 * offered) but contributes no values; a malformed frame fails the hello.
 *
 * Digests come from nettle (MD5 for JA3 — libsodium has none — SHA-1 and
 * SHA-256 for certificates and JA4).
 */
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/error.h"
#include "sense/tls.h"

#define RECORD_MAX (16384 + 2048)

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static void push16(uint16_t *v, uint16_t *n, uint16_t x, uint8_t *trunc)
{
    if (*n < SK_TLS_MAX_LIST)
        v[(*n)++] = x;
    else
        *trunc = 1;
}

/* A u16 list with a 2-byte (or 1-byte) length prefix, inside [p, p + len). */
static void read_u16_list(const uint8_t *p, size_t len, size_t prefix, uint16_t *v,
                          uint16_t *n, uint8_t *trunc)
{
    if (len < prefix)
        return;
    size_t l = prefix == 2 ? rd16(p) : p[0];
    if (l + prefix > len || l % 2)
        return;
    for (size_t i = 0; i < l; i += 2)
        push16(v, n, rd16(p + prefix + i), trunc);
}

static void escape_name(const uint8_t *p, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < outlen; i++) {
        uint8_t c = p[i];
        if (c > 0x20 && c < 0x7f && c != '\\' && c != '"')
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        else
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
    }
    out[o] = '\0';
}

static void client_ext(struct sk_tls_client_hello *ch, uint16_t type, const uint8_t *p, size_t len)
{
    switch (type) {
    case 0x0000: /* server_name: list of (type, name) */
        if (len >= 5 && (size_t)rd16(p) + 2 <= len && p[2] == 0) {
            size_t nl = rd16(p + 3);
            if (nl + 5 <= len) {
                escape_name(p + 5, nl, ch->sni, sizeof ch->sni);
                ch->has_sni = 1;
            }
        }
        ch->has_sni = 1; /* offered, even if unreadable */
        break;
    case 0x0010: /* ALPN: list of 1-byte-length strings; the first counts */
        ch->has_alpn = 1;
        if (len >= 3 && (size_t)rd16(p) + 2 <= len && p[2] && (size_t)p[2] + 3 <= len) {
            size_t al = p[2]; /* ≤ 255 < sizeof ch->alpn */
            memcpy(ch->alpn, p + 3, al);
            ch->alpn_len = (uint16_t)al;
        }
        break;
    case 0x000a:
        read_u16_list(p, len, 2, ch->groups, &ch->n_groups, &ch->truncated);
        break;
    case 0x000b:
        if (len >= 1 && (size_t)p[0] + 1 <= len)
            for (size_t i = 0; i < p[0]; i++) {
                if (ch->n_ecpf < SK_TLS_MAX_LIST)
                    ch->ecpf[ch->n_ecpf++] = p[1 + i];
                else
                    ch->truncated = 1;
            }
        break;
    case 0x000d:
        read_u16_list(p, len, 2, ch->sigalgs, &ch->n_sigalgs, &ch->truncated);
        break;
    case 0x002b: { /* supported_versions: 1-byte length, u16s */
        uint16_t v[SK_TLS_MAX_LIST], n = 0;
        uint8_t t = 0;
        read_u16_list(p, len, 1, v, &n, &t);
        for (uint16_t i = 0; i < n; i++)
            if (!sk_tls_is_grease(v[i]) && v[i] > ch->version)
                ch->version = v[i];
        break;
    }
    default:
        break;
    }
}

int sk_tls_parse_client_hello(const uint8_t *b, size_t len, struct sk_tls_client_hello *ch)
{
    size_t o;

    memset(ch, 0, offsetof(struct sk_tls_client_hello, sni));
    ch->sni[0] = '\0';
    ch->alpn_len = 0;
    if (len < 35)
        return -SK_ETRUNC;
    ch->legacy_version = rd16(b);
    o = 34;
    o += 1 + (size_t)b[34]; /* session id */
    if (b[34] > 32)
        return -SK_EPARSE;
    if (o + 2 > len)
        return -SK_ETRUNC;
    size_t cl = rd16(b + o);
    o += 2;
    if (cl % 2)
        return -SK_EPARSE;
    if (o + cl > len)
        return -SK_ETRUNC;
    for (size_t i = 0; i < cl; i += 2)
        push16(ch->ciphers, &ch->n_ciphers, rd16(b + o + i), &ch->truncated);
    o += cl;
    if (o + 1 > len)
        return -SK_ETRUNC;
    o += 1 + (size_t)b[o]; /* compression methods */
    if (o > len)
        return -SK_ETRUNC;
    if (o + 2 <= len) {
        size_t el = rd16(b + o);
        o += 2;
        if (o + el > len)
            return -SK_ETRUNC;
        size_t end = o + el;
        while (o < end) {
            if (o + 4 > end)
                return -SK_EPARSE;
            uint16_t type = rd16(b + o), l = rd16(b + o + 2);
            o += 4;
            if (o + l > end)
                return -SK_EPARSE;
            push16(ch->exts, &ch->n_exts, type, &ch->truncated);
            client_ext(ch, type, b + o, l);
            o += l;
        }
    }
    if (!ch->version)
        ch->version = ch->legacy_version;
    return 0;
}

int sk_tls_parse_server_hello(const uint8_t *b, size_t len, struct sk_tls_server_hello *sh)
{
    size_t o;

    memset(sh, 0, sizeof *sh);
    if (len < 35)
        return -SK_ETRUNC;
    sh->legacy_version = rd16(b);
    sh->is_hrr = memcmp(b + 2, hrr_random, 32) == 0;
    if (b[34] > 32)
        return -SK_EPARSE;
    o = 35 + (size_t)b[34];
    if (o + 3 > len)
        return -SK_ETRUNC;
    sh->cipher = rd16(b + o);
    o += 3;
    if (o + 2 <= len) {
        size_t el = rd16(b + o);
        o += 2;
        if (o + el > len)
            return -SK_ETRUNC;
        size_t end = o + el;
        while (o < end) {
            if (o + 4 > end)
                return -SK_EPARSE;
            uint16_t type = rd16(b + o), l = rd16(b + o + 2);
            o += 4;
            if (o + l > end)
                return -SK_EPARSE;
            push16(sh->exts, &sh->n_exts, type, &sh->truncated);
            if (type == 0x002b && l == 2)
                sh->version = rd16(b + o);
            o += l;
        }
    }
    if (!sh->version)
        sh->version = sh->legacy_version;
    return 0;
}

/* --- fingerprints --------------------------------------------------------- */

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* A growing string in a caller's buffer; never overflows, never fails. */
struct sbuf {
    char *p;
    size_t len, cap;
};

static void sput(struct sbuf *s, const char *fmt, unsigned v)
{
    if (s->len + 1 >= s->cap)
        return;
    int n = snprintf(s->p + s->len, s->cap - s->len, fmt, v);
    if (n > 0)
        s->len = s->len + (size_t)n < s->cap ? s->len + (size_t)n : s->cap - 1;
}

static void u16_list_dec(struct sbuf *s, const uint16_t *v, uint16_t n)
{
    int first = 1;
    for (uint16_t i = 0; i < n; i++) {
        if (sk_tls_is_grease(v[i]))
            continue;
        sput(s, first ? "%u" : "-%u", v[i]);
        first = 0;
    }
}

static void md5_hex(const char *s, size_t n, char out[33])
{
    struct md5_ctx c;
    uint8_t d[MD5_DIGEST_SIZE];
    md5_init(&c);
    md5_update(&c, n, (const uint8_t *)s);
    md5_digest(&c, sizeof d, d);
    hex(d, sizeof d, out);
}

#define JA3_MAX 8192 /* 256 values × 6 characters × 4 lists fit */

void sk_tls_ja3(const struct sk_tls_client_hello *ch, char out[33], char *raw, size_t rawlen)
{
    char buf[JA3_MAX];
    struct sbuf s = {buf, 0, sizeof buf};

    buf[0] = '\0';
    sput(&s, "%u,", ch->legacy_version);
    u16_list_dec(&s, ch->ciphers, ch->n_ciphers);
    sput(&s, ",", 0);
    u16_list_dec(&s, ch->exts, ch->n_exts);
    sput(&s, ",", 0);
    u16_list_dec(&s, ch->groups, ch->n_groups);
    sput(&s, ",", 0);
    for (uint16_t i = 0; i < ch->n_ecpf; i++)
        sput(&s, i ? "-%u" : "%u", ch->ecpf[i]);
    md5_hex(buf, s.len, out);
    if (raw && rawlen)
        snprintf(raw, rawlen, "%s", buf);
}

void sk_tls_ja3s(const struct sk_tls_server_hello *sh, char out[33], char *raw, size_t rawlen)
{
    char buf[JA3_MAX];
    struct sbuf s = {buf, 0, sizeof buf};

    buf[0] = '\0';
    sput(&s, "%u,", sh->legacy_version);
    sput(&s, "%u,", sh->cipher);
    u16_list_dec(&s, sh->exts, sh->n_exts);
    md5_hex(buf, s.len, out);
    if (raw && rawlen)
        snprintf(raw, rawlen, "%s", buf);
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* Non-GREASE values of v (without `skip1`/`skip2`), optionally sorted. */
static uint16_t filtered(const uint16_t *v, uint16_t n, uint16_t *out, int sort, int skip_sni_alpn)
{
    uint16_t k = 0;
    for (uint16_t i = 0; i < n; i++) {
        if (sk_tls_is_grease(v[i]))
            continue;
        if (skip_sni_alpn && (v[i] == 0x0000 || v[i] == 0x0010))
            continue;
        out[k++] = v[i];
    }
    if (sort)
        qsort(out, k, sizeof *out, cmp_u16);
    return k;
}

static void u16_list_hex(struct sbuf *s, const uint16_t *v, uint16_t n)
{
    for (uint16_t i = 0; i < n; i++)
        sput(s, i ? ",%04x" : "%04x", v[i]);
}

static void sha256_12(const char *s, size_t n, char out[13])
{
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    char h[65];
    sha256_init(&c);
    sha256_update(&c, n, (const uint8_t *)s);
    sha256_digest(&c, sizeof d, d);
    hex(d, sizeof d, h);
    memcpy(out, h, 12);
    out[12] = '\0';
}

static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0200: return "s2";
    case 0x0100: return "s1";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
    }
}

void sk_tls_ja4(const struct sk_tls_client_hello *ch, char proto, char out[40], char *raw,
                size_t rawlen)
{
    uint16_t ciphers[SK_TLS_MAX_LIST], exts[SK_TLS_MAX_LIST], sigs[SK_TLS_MAX_LIST];
    uint16_t nc = filtered(ch->ciphers, ch->n_ciphers, ciphers, 1, 0);
    uint16_t ne_all = filtered(ch->exts, ch->n_exts, exts, 0, 0);
    uint16_t ne = filtered(ch->exts, ch->n_exts, exts, 1, 1);
    uint16_t ns = filtered(ch->sigalgs, ch->n_sigalgs, sigs, 0, 0);
    char a[16], alpn[3] = "00", b[13], c[13];
    char bstr[JA3_MAX], cstr[JA3_MAX];
    struct sbuf bs = {bstr, 0, sizeof bstr}, cs = {cstr, 0, sizeof cstr};

    if (ch->alpn_len) {
        /* first and last character; a value that starts or ends outside
         * ASCII is "99", as the reference implementation writes it (its
         * test outputs; later spec drafts print hex digits instead) */
        uint8_t f = ch->alpn[0], l = ch->alpn[ch->alpn_len - 1];
        if (f < 0x80 && l < 0x80 && f > 0x20 && l > 0x20) {
            alpn[0] = (char)f;
            alpn[1] = (char)l;
        } else {
            alpn[0] = alpn[1] = '9';
        }
    }
    snprintf(a, sizeof a, "%c%s%c%02u%02u%s", proto, ja4_version(ch->version),
             ch->has_sni ? 'd' : 'i', nc > 99 ? 99u : nc, ne_all > 99 ? 99u : ne_all, alpn);
    bstr[0] = cstr[0] = '\0';
    u16_list_hex(&bs, ciphers, nc);
    u16_list_hex(&cs, exts, ne);
    if (ns) {
        sput(&cs, "_", 0);
        u16_list_hex(&cs, sigs, ns);
    }
    if (nc)
        sha256_12(bstr, bs.len, b);
    else
        memcpy(b, "000000000000", 13);
    if (ne)
        sha256_12(cstr, cs.len, c);
    else
        memcpy(c, "000000000000", 13);
    snprintf(out, 40, "%.10s_%.12s_%.12s", a, b, c);
    if (raw && rawlen)
        snprintf(raw, rawlen, "%s_%s_%s", a, bstr, cstr);
}

void sk_tls_alpn_text(const struct sk_tls_client_hello *ch, char *out, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < ch->alpn_len && o + 5 < len; i++) {
        uint8_t c = ch->alpn[i];
        if (c > 0x20 && c < 0x7f && c != '\\' && c != '"')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
    }
    out[o] = '\0';
}

int sk_tls_looks_like(const uint8_t *p, size_t n)
{
    /* handshake record, major version 3, and (when visible) a hello */
    if (p[0] != 22)
        return 0;
    if (n >= 2 && p[1] != 3)
        return 0;
    if (n >= 6 && p[5] != 1 && p[5] != 2)
        return 0;
    return 1;
}

/* --- a connection ----------------------------------------------------------- */

enum { ST_IDLE, ST_HELLO, ST_SERVER, ST_DONE };

struct hs_dir {
    uint8_t *buf;
    uint32_t len, cap;
    uint8_t encrypted;
};

struct sk_tls_conn {
    uint32_t hs_cap;
    uint8_t state;
    uint16_t negotiated; /* the last ServerHello's version, 0 before one */
    struct hs_dir d[2];
    struct sk_tls_report rep;
};

struct sk_tls_conn *sk_tls_conn_new(uint32_t hs_cap)
{
    struct sk_tls_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->hs_cap = hs_cap;
    c->rep.client_dir = -1;
    return c;
}

void sk_tls_conn_free(struct sk_tls_conn *c)
{
    if (!c)
        return;
    free(c->d[0].buf);
    free(c->d[1].buf);
    free(c);
}

size_t sk_tls_conn_size(const struct sk_tls_conn *c)
{
    return sizeof *c + c->d[0].cap + c->d[1].cap;
}

int sk_tls_conn_done(const struct sk_tls_conn *c) { return c->state == ST_DONE; }

static int report(struct sk_tls_conn *c, sk_tls_report_fn fn, void *ctx)
{
    int rc = 0;
    if (c->rep.has_ch || c->rep.has_sh)
        rc = fn(ctx, &c->rep);
    c->rep.has_ch = c->rep.has_sh = c->rep.has_cert = 0;
    c->rep.ja3[0] = c->rep.ja3s[0] = c->rep.ja4[0] = '\0';
    c->rep.cert_sha1[0] = c->rep.cert_sha256[0] = '\0';
    return rc;
}

static void cert_hashes(struct sk_tls_conn *c, const uint8_t *b, size_t len)
{
    if (len < 6)
        return;
    size_t l = rd24(b), cl = rd24(b + 3);
    if (l + 3 > len || cl == 0 || cl + 6 > len)
        return;
    struct sha1_ctx s1;
    struct sha256_ctx s2;
    uint8_t d1[SHA1_DIGEST_SIZE], d2[SHA256_DIGEST_SIZE];
    sha1_init(&s1);
    sha1_update(&s1, cl, b + 6);
    sha1_digest(&s1, sizeof d1, d1);
    sha256_init(&s2);
    sha256_update(&s2, cl, b + 6);
    sha256_digest(&s2, sizeof d2, d2);
    hex(d1, sizeof d1, c->rep.cert_sha1);
    hex(d2, sizeof d2, c->rep.cert_sha256);
    c->rep.has_cert = 1;
}

static int handshake_msg(struct sk_tls_conn *c, int dir, uint8_t type, const uint8_t *b,
                         size_t len, sk_tls_report_fn fn, void *ctx)
{
    int rc = 0, server = c->rep.client_dir >= 0 && dir != c->rep.client_dir;

    switch (type) {
    case 1: /* ClientHello */
        if (c->rep.has_ch && (rc = report(c, fn, ctx)) < 0)
            return rc;
        if ((rc = sk_tls_parse_client_hello(b, len, &c->rep.ch)) < 0)
            return rc;
        c->rep.client_dir = dir;
        c->rep.has_ch = 1;
        sk_tls_ja3(&c->rep.ch, c->rep.ja3, NULL, 0);
        sk_tls_ja4(&c->rep.ch, 't', c->rep.ja4, NULL, 0);
        c->state = ST_HELLO;
        return 0;
    case 2: /* ServerHello */
        if (c->rep.client_dir < 0)
            c->rep.client_dir = !dir;
        if ((rc = sk_tls_parse_server_hello(b, len, &c->rep.sh)) < 0)
            return rc;
        c->rep.has_sh = 1;
        c->negotiated = c->rep.sh.version;
        sk_tls_ja3s(&c->rep.sh, c->rep.ja3s, NULL, 0);
        if (c->rep.sh.is_hrr) { /* another ClientHello follows */
            rc = report(c, fn, ctx);
            c->state = ST_IDLE;
        } else if (c->rep.sh.version >= 0x0304 && c->rep.sh.version < 0x7f00) {
            rc = report(c, fn, ctx); /* the rest is encrypted */
            c->state = ST_DONE;
        } else {
            c->state = ST_SERVER;
        }
        return rc;
    case 11: /* Certificate */
        if (server && c->state == ST_SERVER) {
            cert_hashes(c, b, len);
            rc = report(c, fn, ctx);
            c->state = ST_DONE;
        }
        return rc;
    case 14: /* ServerHelloDone without a certificate (anonymous, PSK) */
        if (server && c->state == ST_SERVER) {
            rc = report(c, fn, ctx);
            c->state = ST_DONE;
        }
        return rc;
    default:
        return 0;
    }
}

/* Parses whole handshake messages from p; returns bytes used. */
static int handshake_bytes(struct sk_tls_conn *c, int dir, const uint8_t *p, size_t n,
                           sk_tls_report_fn fn, void *ctx)
{
    size_t off = 0;
    int rc;

    while (n - off >= 4 && c->state != ST_DONE) {
        size_t ml = rd24(p + off + 1);
        if (ml > c->hs_cap)
            return -SK_ETOOBIG;
        if (n - off - 4 < ml)
            break;
        if ((rc = handshake_msg(c, dir, p[off], p + off + 4, ml, fn, ctx)) < 0)
            return rc;
        off += 4 + ml;
    }
    return (int)off;
}

static int handshake_record(struct sk_tls_conn *c, int dir, const uint8_t *p, size_t n,
                            sk_tls_report_fn fn, void *ctx)
{
    struct hs_dir *d = &c->d[dir];
    int used;

    if (d->len == 0) { /* whole messages straight from the record */
        if ((used = handshake_bytes(c, dir, p, n, fn, ctx)) < 0)
            return used;
        p += used;
        n -= (size_t)used;
        if (n == 0 || c->state == ST_DONE)
            return 0;
    }
    if (d->len + n > c->hs_cap + 4)
        return -SK_ETOOBIG;
    if (d->len + n > d->cap) {
        uint32_t cap = d->cap ? d->cap : 4096;
        while (cap < d->len + n)
            cap *= 2;
        uint8_t *nb = realloc(d->buf, cap);
        if (!nb)
            return -SK_ENOMEM;
        d->buf = nb;
        d->cap = cap;
    }
    memcpy(d->buf + d->len, p, n);
    d->len += (uint32_t)n;
    if ((used = handshake_bytes(c, dir, d->buf, d->len, fn, ctx)) < 0)
        return used;
    memmove(d->buf, d->buf + used, d->len - (uint32_t)used);
    d->len -= (uint32_t)used;
    return 0;
}

int sk_tls_conn_feed(struct sk_tls_conn *c, int dir, const uint8_t *p, size_t n,
                     sk_tls_report_fn fn, void *ctx)
{
    size_t off = 0;
    int rc;

    if (dir < 0 || dir > 1)
        return -SK_EINVAL;
    while (c->state != ST_DONE && n - off >= 5) {
        const uint8_t *r = p + off;
        uint8_t type = r[0];
        size_t rl = rd16(r + 3);
        if (type < 20 || type > 24 || r[1] != 3 || rl > RECORD_MAX)
            return -SK_EPARSE;
        if (n - off - 5 < rl)
            break;
        int server = c->rep.client_dir >= 0 && dir != c->rep.client_dir;
        switch (type) {
        case 22:
            if (!c->d[dir].encrypted &&
                (rc = handshake_record(c, dir, r + 5, rl, fn, ctx)) < 0)
                return rc;
            break;
        case 20: /* ChangeCipherSpec: encrypted from here on once a TLS ≤ 1.2
                  * ServerHello was seen; before that, or in TLS 1.3, it is
                  * the middlebox-compatibility no-op (a second ClientHello
                  * may follow it) */
            if (c->negotiated && c->negotiated < 0x0304)
                c->d[dir].encrypted = 1;
            if (server && c->state == ST_SERVER) { /* resumed: no certificate */
                if ((rc = report(c, fn, ctx)) < 0)
                    return rc;
                c->state = ST_DONE;
            }
            break;
        case 21: /* alert */
        case 23: /* application data */
            if (server && (c->state == ST_SERVER || c->state == ST_HELLO)) {
                if ((rc = report(c, fn, ctx)) < 0)
                    return rc;
                c->state = ST_DONE;
            }
            break;
        default:
            break;
        }
        off += 5 + rl;
    }
    return c->state == ST_DONE ? (int)n : (int)off;
}

int sk_tls_conn_finish(struct sk_tls_conn *c, sk_tls_report_fn fn, void *ctx)
{
    int rc = report(c, fn, ctx);
    c->state = ST_DONE;
    return rc;
}
