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
#include "sakimori/hash.h"
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

/* A growing string in a caller's buffer; never overflows, never fails.
 * Numbers are formatted by hand: fingerprints are built for every handshake
 * and printf-family calls were most of their cost. */
struct sbuf {
    char *p;
    size_t len, cap;
};

static inline void s_ch(struct sbuf *s, char c)
{
    if (s->len + 1 < s->cap)
        s->p[s->len++] = c;
}

static inline void s_dec(struct sbuf *s, unsigned v)
{
    char t[10];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (s->len + (size_t)n < s->cap)
        while (n)
            s->p[s->len++] = t[--n];
}

static inline void s_hex4(struct sbuf *s, uint16_t v)
{
    static const char d[] = "0123456789abcdef";
    if (s->len + 4 < s->cap) {
        s->p[s->len++] = d[v >> 12];
        s->p[s->len++] = d[(v >> 8) & 15];
        s->p[s->len++] = d[(v >> 4) & 15];
        s->p[s->len++] = d[v & 15];
    }
}

static inline void s_end(struct sbuf *s) { s->p[s->len] = '\0'; }

static void u16_list_dec(struct sbuf *s, const uint16_t *v, uint16_t n)
{
    int first = 1;
    for (uint16_t i = 0; i < n; i++) {
        if (sk_tls_is_grease(v[i]))
            continue;
        if (!first)
            s_ch(s, '-');
        s_dec(s, v[i]);
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

    s_dec(&s, ch->legacy_version);
    s_ch(&s, ',');
    u16_list_dec(&s, ch->ciphers, ch->n_ciphers);
    s_ch(&s, ',');
    u16_list_dec(&s, ch->exts, ch->n_exts);
    s_ch(&s, ',');
    u16_list_dec(&s, ch->groups, ch->n_groups);
    s_ch(&s, ',');
    for (uint16_t i = 0; i < ch->n_ecpf; i++) {
        if (i)
            s_ch(&s, '-');
        s_dec(&s, ch->ecpf[i]);
    }
    s_end(&s);
    md5_hex(buf, s.len, out);
    if (raw && rawlen)
        snprintf(raw, rawlen, "%s", buf);
}

void sk_tls_ja3s(const struct sk_tls_server_hello *sh, char out[33], char *raw, size_t rawlen)
{
    char buf[JA3_MAX];
    struct sbuf s = {buf, 0, sizeof buf};

    s_dec(&s, sh->legacy_version);
    s_ch(&s, ',');
    s_dec(&s, sh->cipher);
    s_ch(&s, ',');
    u16_list_dec(&s, sh->exts, sh->n_exts);
    s_end(&s);
    md5_hex(buf, s.len, out);
    if (raw && rawlen)
        snprintf(raw, rawlen, "%s", buf);
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
    if (sort) /* a few dozen values: insertion sort beats qsort's setup */
        for (uint16_t i = 1; i < k; i++) {
            uint16_t x = out[i], j = i;
            while (j && out[j - 1] > x) {
                out[j] = out[j - 1];
                j--;
            }
            out[j] = x;
        }
    return k;
}

static void u16_list_hex(struct sbuf *s, const uint16_t *v, uint16_t n)
{
    for (uint16_t i = 0; i < n; i++) {
        if (i)
            s_ch(s, ',');
        s_hex4(s, v[i]);
    }
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
    {
        const char *v = ja4_version(ch->version);
        unsigned cn = nc > 99 ? 99u : nc, en = ne_all > 99 ? 99u : ne_all;
        a[0] = proto;
        a[1] = v[0];
        a[2] = v[1];
        a[3] = ch->has_sni ? 'd' : 'i';
        a[4] = (char)('0' + cn / 10);
        a[5] = (char)('0' + cn % 10);
        a[6] = (char)('0' + en / 10);
        a[7] = (char)('0' + en % 10);
        a[8] = alpn[0];
        a[9] = alpn[1];
        a[10] = '\0';
    }
    u16_list_hex(&bs, ciphers, nc);
    s_end(&bs);
    u16_list_hex(&cs, exts, ne);
    if (ns) {
        s_ch(&cs, '_');
        u16_list_hex(&cs, sigs, ns);
    }
    s_end(&cs);
    if (nc)
        sha256_12(bstr, bs.len, b);
    else
        memcpy(b, "000000000000", 13);
    if (ne)
        sha256_12(cstr, cs.len, c);
    else
        memcpy(c, "000000000000", 13);
    memcpy(out, a, 10); /* a_b_c: 10 + 1 + 12 + 1 + 12 characters */
    out[10] = '_';
    memcpy(out + 11, b, 12);
    out[23] = '_';
    memcpy(out + 24, c, 12);
    out[36] = '\0';
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

/* --- a cache of fingerprints ------------------------------------------------- */

/* The clients of a network send the same hello over and over (one browser,
 * one TLS library), differing only in SNI and random bytes: a small
 * direct-mapped cache keyed by everything JA3/JA4 (or JA3S) read saves the
 * formatting and hashing. The full key is stored and compared, so a hash
 * collision costs a recomputation, never a wrong fingerprint. One cache per
 * thread. */
#define FP_SLOTS 64
#define FP_KEY_MAX 1024

struct fp_entry {
    uint64_t hash;
    uint16_t klen;
    char a[40], b[40];
    uint8_t key[FP_KEY_MAX];
};

static _Thread_local struct fp_entry fp_cache[FP_SLOTS];

struct keybuf {
    uint8_t k[FP_KEY_MAX];
    size_t n;
    int full;
};

static void key_u16(struct keybuf *kb, uint16_t v)
{
    if (kb->n + 2 > sizeof kb->k) {
        kb->full = 1;
        return;
    }
    kb->k[kb->n++] = (uint8_t)(v >> 8);
    kb->k[kb->n++] = (uint8_t)v;
}

static void key_list(struct keybuf *kb, const uint16_t *v, uint16_t n)
{
    uint16_t m = 0;
    for (uint16_t i = 0; i < n; i++)
        m += !sk_tls_is_grease(v[i]);
    key_u16(kb, m);
    for (uint16_t i = 0; i < n; i++)
        if (!sk_tls_is_grease(v[i]))
            key_u16(kb, v[i]);
}

/* Looks the key up: 1 and the two strings when cached, else 0 and the
 * slot to fill. */
static struct fp_entry *fp_lookup(const struct keybuf *kb, uint64_t *hash, int *hit)
{
    uint64_t h = sk_hash64(kb->k, kb->n, sk_hash_seed());
    struct fp_entry *e = &fp_cache[h & (FP_SLOTS - 1)];
    *hash = h;
    *hit = e->hash == h && e->klen == kb->n && memcmp(e->key, kb->k, kb->n) == 0;
    return e;
}

static void fp_store(struct fp_entry *e, const struct keybuf *kb, uint64_t h, const char *a,
                     const char *b)
{
    e->hash = h;
    e->klen = (uint16_t)kb->n;
    memcpy(e->key, kb->k, kb->n);
    memcpy(e->a, a, 40);
    memcpy(e->b, b, 40);
}

void sk_tls_client_fingerprints(const struct sk_tls_client_hello *ch, char proto, char ja3[33],
                                char ja4[40])
{
    struct keybuf kb = {.n = 0, .full = 0};
    uint64_t h;
    int hit;

    key_u16(&kb, (uint16_t)(1 << 8 | (uint8_t)proto)); /* a ClientHello key, and t/q/d */
    key_u16(&kb, ch->legacy_version);
    key_u16(&kb, ch->version);
    key_u16(&kb, (uint16_t)(ch->has_sni << 8 | (ch->alpn_len ? 1 : 0)));
    key_u16(&kb, ch->alpn_len ? (uint16_t)(ch->alpn[0] << 8 | ch->alpn[ch->alpn_len - 1]) : 0);
    key_list(&kb, ch->ciphers, ch->n_ciphers);
    key_list(&kb, ch->exts, ch->n_exts);
    key_list(&kb, ch->groups, ch->n_groups);
    key_list(&kb, ch->sigalgs, ch->n_sigalgs);
    key_u16(&kb, ch->n_ecpf);
    for (uint16_t i = 0; i < ch->n_ecpf; i++)
        key_u16(&kb, ch->ecpf[i]);
    if (kb.full || ch->truncated) {
        sk_tls_ja3(ch, ja3, NULL, 0);
        sk_tls_ja4(ch, proto, ja4, NULL, 0);
        return;
    }
    struct fp_entry *e = fp_lookup(&kb, &h, &hit);
    if (hit) {
        memcpy(ja3, e->a, 33);
        memcpy(ja4, e->b, 40);
        return;
    }
    char a[40] = "", b[40] = "";
    sk_tls_ja3(ch, a, NULL, 0);
    sk_tls_ja4(ch, proto, b, NULL, 0);
    fp_store(e, &kb, h, a, b);
    memcpy(ja3, a, 33);
    memcpy(ja4, b, 40);
}

static void server_fingerprint(const struct sk_tls_server_hello *sh, char ja3s[33])
{
    struct keybuf kb = {.n = 0, .full = 0};
    uint64_t h;
    int hit;

    key_u16(&kb, 2); /* a ServerHello key */
    key_u16(&kb, sh->legacy_version);
    key_u16(&kb, sh->cipher);
    key_list(&kb, sh->exts, sh->n_exts);
    if (kb.full || sh->truncated) {
        sk_tls_ja3s(sh, ja3s, NULL, 0);
        return;
    }
    struct fp_entry *e = fp_lookup(&kb, &h, &hit);
    if (hit) {
        memcpy(ja3s, e->a, 33);
        return;
    }
    char a[40] = "", b[40] = "";
    sk_tls_ja3s(sh, a, NULL, 0);
    fp_store(e, &kb, h, a, b);
    memcpy(ja3s, a, 33);
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
    uint32_t skip[2];    /* body bytes of a non-handshake record still to pass */
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

void sk_tls_conn_reset(struct sk_tls_conn *c)
{
    c->state = ST_IDLE;
    c->negotiated = 0;
    c->skip[0] = c->skip[1] = 0;
    for (int i = 0; i < 2; i++) {
        c->d[i].len = 0;
        c->d[i].encrypted = 0;
    }
    c->rep.client_dir = -1;
    c->rep.has_ch = c->rep.has_sh = c->rep.has_cert = 0;
    c->rep.ja3[0] = c->rep.ja3s[0] = c->rep.ja4[0] = '\0';
    c->rep.cert_sha1[0] = c->rep.cert_sha256[0] = '\0';
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
        sk_tls_client_fingerprints(&c->rep.ch, 't', c->rep.ja3, c->rep.ja4);
        c->state = ST_HELLO;
        return 0;
    case 2: /* ServerHello */
        if (c->rep.client_dir < 0)
            c->rep.client_dir = !dir;
        if ((rc = sk_tls_parse_server_hello(b, len, &c->rep.sh)) < 0)
            return rc;
        c->rep.has_sh = 1;
        c->negotiated = c->rep.sh.version;
        server_fingerprint(&c->rep.sh, c->rep.ja3s);
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
    while (c->state != ST_DONE) {
        if (c->skip[dir]) { /* the body of a record we only needed the header of */
            size_t k = n - off < c->skip[dir] ? n - off : c->skip[dir];
            off += k;
            c->skip[dir] -= (uint32_t)k;
            if (c->skip[dir])
                break;
            continue;
        }
        if (n - off < 5)
            break;
        const uint8_t *r = p + off;
        uint8_t type = r[0];
        size_t rl = rd16(r + 3);
        if (type < 20 || type > 24 || r[1] != 3 || rl > RECORD_MAX)
            return -SK_EPARSE;
        int server = c->rep.client_dir >= 0 && dir != c->rep.client_dir;
        if (type == 22) { /* handshake: the whole record is needed */
            if (n - off - 5 < rl)
                break;
            if (!c->d[dir].encrypted &&
                (rc = handshake_record(c, dir, r + 5, rl, fn, ctx)) < 0)
                return rc;
            off += 5 + rl;
            continue;
        }
        /* other records: what they mean is in the header; the body
         * (application data, maybe kilobytes) is passed over unbuffered */
        switch (type) {
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
        off += 5;
        c->skip[dir] = (uint32_t)rl;
    }
    return c->state == ST_DONE ? (int)n : (int)off;
}

int sk_tls_conn_finish(struct sk_tls_conn *c, sk_tls_report_fn fn, void *ctx)
{
    int rc = report(c, fn, ctx);
    c->state = ST_DONE;
    return rc;
}
