/*
 * canon.c — indicator types, TLP markings, and canonical values.
 *
 * Every value is stored and matched in one canonical form, so "Evil.Example."
 * and "evil.example" are the same indicator and a match is a byte
 * comparison:
 *   ipv4, ipv6         the address as sk_addr_fmt writes it
 *   cidr4, cidr6       "address/len" with host bits clear (a prefix with host
 *                      bits set is refused: its author meant something else);
 *                      a full-length prefix becomes ipv4/ipv6
 *   domain, fqdn       lower-case, no trailing dot (a domain may be written
 *                      "*.example.org"); letters, digits, '-' and '_',
 *                      labels of 1–63 bytes, at most 253 bytes
 *   url                sk_url_normalize()
 *   ja3                32 lower-case hex digits (an MD5)
 *   ja4                a_b_c: 10 lower-case letters/digits, 12 and 12 hex
 *   cert-sha1/-sha256  40/64 lower-case hex digits (':' separators dropped)
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "intel/intel-int.h"
#include "sakimori/addr.h"
#include "sakimori/intel.h"

static const char *const ioc_names[] = {
    [SK_IOC_IPV4] = "ipv4", [SK_IOC_IPV6] = "ipv6", [SK_IOC_CIDR4] = "cidr4",
    [SK_IOC_CIDR6] = "cidr6", [SK_IOC_DOMAIN] = "domain", [SK_IOC_FQDN] = "fqdn",
    [SK_IOC_URL] = "url", [SK_IOC_JA3] = "ja3", [SK_IOC_JA4] = "ja4",
    [SK_IOC_CERT_SHA1] = "cert-sha1", [SK_IOC_CERT_SHA256] = "cert-sha256",
};

const char *sk_ioc_type_name(enum sk_ioc_type t)
{
    if (t >= SK_IOC_IPV4 && t <= SK_IOC_MAX)
        return ioc_names[t];
    return "unknown";
}

int sk_ioc_type_parse(const char *s, enum sk_ioc_type *out)
{
    for (int t = SK_IOC_IPV4; t <= SK_IOC_MAX; t++) {
        if (strcmp(s, ioc_names[t]) == 0) {
            *out = (enum sk_ioc_type)t;
            return 0;
        }
    }
    return -SK_EINVAL;
}

static const char *const tlp_names[] = {
    [SK_IOC_TLP_UNMARKED] = "", [SK_IOC_TLP_CLEAR] = "TLP:CLEAR", [SK_IOC_TLP_GREEN] = "TLP:GREEN",
    [SK_IOC_TLP_AMBER] = "TLP:AMBER", [SK_IOC_TLP_AMBER_STRICT] = "TLP:AMBER+STRICT",
    [SK_IOC_TLP_RED] = "TLP:RED",
};

const char *sk_ioc_tlp_name(enum sk_ioc_tlp t)
{
    return t <= SK_IOC_TLP_RED ? tlp_names[t] : "";
}

int sk_ioc_tlp_parse(const char *s, enum sk_ioc_tlp *out)
{
    static const struct {
        const char *name;
        enum sk_ioc_tlp tlp;
    } map[] = {
        {"clear", SK_IOC_TLP_CLEAR}, {"white", SK_IOC_TLP_CLEAR}, {"green", SK_IOC_TLP_GREEN},
        {"amber", SK_IOC_TLP_AMBER}, {"amber+strict", SK_IOC_TLP_AMBER_STRICT}, {"red", SK_IOC_TLP_RED},
    };
    if (strncasecmp(s, "tlp:", 4) == 0)
        s += 4;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcasecmp(s, map[i].name) == 0) {
            *out = map[i].tlp;
            return 0;
        }
    }
    return -SK_EINVAL;
}

/* Canonical DNS name: lower-case, no trailing dot, letters/digits/-/_ only,
 * labels 1–63 bytes, at most 253 bytes. */
static int canon_name(const char *in, char *out, size_t outlen)
{
    size_t n = strlen(in), o = 0, label = 0;

    if (n && in[n - 1] == '.')
        n--;
    if (n == 0 || n > 253 || n >= outlen)
        return -SK_EPARSE;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (label == 0)
                return -SK_EPARSE;
            label = 0;
        } else if (isalnum(c) || c == '-' || c == '_') {
            if (++label > 63)
                return -SK_EPARSE;
            c = (unsigned char)tolower(c);
        } else {
            return -SK_EPARSE;
        }
        out[o++] = (char)c;
    }
    if (label == 0)
        return -SK_EPARSE;
    out[o] = '\0';
    return 0;
}

static int canon_hex(const char *in, size_t want, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ':' && o && p[1] && p[1] != ':')
            continue;
        if (!isxdigit((unsigned char)*p) || o >= want || o + 1 >= outlen)
            return -SK_EPARSE;
        out[o++] = (char)tolower((unsigned char)*p);
    }
    if (o != want)
        return -SK_EPARSE;
    out[o] = '\0';
    return 0;
}

static int canon_ja4(const char *in, char *out, size_t outlen)
{
    size_t n = strlen(in);
    if (n != 36 || outlen <= n || in[10] != '_' || in[23] != '_')
        return -SK_EPARSE;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)tolower((unsigned char)in[i]);
        if (i == 10 || i == 23)
            ;
        else if (i < 10 ? !isalnum(c) : !isxdigit(c))
            return -SK_EPARSE;
        out[i] = (char)c;
    }
    out[n] = '\0';
    return 0;
}

/* Fast path for the commonest values, "a.b.c.d" and "a.b.c.d/len": exactly
 * what inet_pton and sk_prefix_parse accept for them (no leading zeros,
 * octets ≤ 255, length ≤ 32 without leading zero). Anything else returns -1
 * and takes the general path, so the two cannot disagree. */
int sk__fast_v4(const char *s, uint32_t *addr, unsigned *len)
{
    uint32_t a = 0;
    for (int k = 0; k < 4; k++) {
        unsigned v = 0, d = 0;
        while (s[d] >= '0' && s[d] <= '9' && d < 4)
            v = v * 10 + (unsigned)(s[d++] - '0');
        if (d == 0 || d > 3 || v > 255 || (d > 1 && s[0] == '0'))
            return -1;
        a = a << 8 | v;
        s += d;
        if (k < 3 && *s++ != '.')
            return -1;
    }
    *len = 32;
    if (*s == '/') {
        unsigned v = 0, d = 0;
        s++;
        while (s[d] >= '0' && s[d] <= '9' && d < 3)
            v = v * 10 + (unsigned)(s[d++] - '0');
        if (d == 0 || v > 32 || (d > 1 && s[0] == '0'))
            return -1;
        s += d;
        *len = v;
    }
    if (*s)
        return -1;
    *addr = a;
    return 0;
}

static char *put_dec(char *o, unsigned v)
{
    if (v >= 100)
        *o++ = (char)('0' + v / 100);
    if (v >= 10)
        *o++ = (char)('0' + v / 10 % 10);
    *o++ = (char)('0' + v % 10);
    return o;
}

static void fmt_v4(uint32_t a, unsigned len, char *out)
{
    char *o = out;
    for (int k = 3; k >= 0; k--) {
        o = put_dec(o, (a >> (8 * k)) & 255);
        if (k)
            *o++ = '.';
    }
    if (len < 32) {
        *o++ = '/';
        o = put_dec(o, len);
    }
    *o = '\0';
}

#define WHY(...) (why ? (void)snprintf(why, whylen, __VA_ARGS__) : (void)0)

int sk_ioc_canon(enum sk_ioc_type *type, const char *value, char *out, size_t outlen, char *why,
                 size_t whylen)
{
    struct sk_prefix p;
    int rc;

    switch (*type) {
    case SK_IOC_IPV4: case SK_IOC_IPV6: case SK_IOC_CIDR4: case SK_IOC_CIDR6: {
        int v4 = *type == SK_IOC_IPV4 || *type == SK_IOC_CIDR4;
        int host = *type == SK_IOC_IPV4 || *type == SK_IOC_IPV6;
        uint32_t a4;
        unsigned l4;
        if (v4 && outlen >= 19 && sk__fast_v4(value, &a4, &l4) == 0 && (!host || l4 == 32) &&
            (l4 == 32 || (a4 & (0xffffffffu >> l4)) == 0)) {
            fmt_v4(a4, l4, out);
            *type = l4 == 32 ? SK_IOC_IPV4 : SK_IOC_CIDR4;
            return 0;
        }
        rc = sk_prefix_parse(value, &p, 0);
        if (rc == -SK_EINVAL) {
            char fix[SK_ADDR_STRLEN];
            sk_prefix_parse(value, &p, 1);
            WHY("'%s' has host bits set (did you mean %s?)", value, sk_prefix_fmt(&p, fix, sizeof fix));
            return -SK_EPARSE;
        }
        if (rc < 0 || (p.addr.family == SK_AF_INET) != v4) {
            WHY("'%s' is not an %s %s", value, v4 ? "IPv4" : "IPv6", host ? "address" : "address or prefix");
            return -SK_EPARSE;
        }
        int full = p.len == sk_addr_bits(&p.addr);
        if (host && !full) {
            WHY("'%s' is a prefix, not one %s address", value, v4 ? "IPv4" : "IPv6");
            return -SK_EPARSE;
        }
        if (outlen < SK_ADDR_STRLEN)
            return -SK_ETOOBIG;
        if (full) {
            sk_addr_fmt(&p.addr, out, outlen);
            *type = v4 ? SK_IOC_IPV4 : SK_IOC_IPV6;
        } else {
            sk_prefix_fmt(&p, out, outlen);
            *type = v4 ? SK_IOC_CIDR4 : SK_IOC_CIDR6;
        }
        return 0;
    }
    case SK_IOC_DOMAIN: case SK_IOC_FQDN: {
        const char *v = value;
        if (*type == SK_IOC_DOMAIN && strncmp(v, "*.", 2) == 0)
            v += 2;
        if (canon_name(v, out, outlen) < 0) {
            WHY("'%s' is not a domain name (letters, digits, '-', '_'; labels of 1-63, at most 253 bytes)", value);
            return -SK_EPARSE;
        }
        return 0;
    }
    case SK_IOC_URL:
        if ((rc = sk_url_normalize(value, out, outlen)) < 0) {
            WHY("'%s' is not a URL (expected scheme://host/path)", value);
            return rc;
        }
        return 0;
    case SK_IOC_JA3:
        if (canon_hex(value, 32, out, outlen) < 0) {
            WHY("'%s' is not a JA3 fingerprint (expected 32 hex digits)", value);
            return -SK_EPARSE;
        }
        return 0;
    case SK_IOC_JA4:
        if (canon_ja4(value, out, outlen) < 0) {
            WHY("'%s' is not a JA4 fingerprint (expected like t13d1516h2_8daaf6152771_b186095e22b6)", value);
            return -SK_EPARSE;
        }
        return 0;
    case SK_IOC_CERT_SHA1:
    case SK_IOC_CERT_SHA256: {
        size_t want = *type == SK_IOC_CERT_SHA1 ? 40 : 64;
        if (canon_hex(value, want, out, outlen) < 0) {
            WHY("'%s' is not a certificate %s (expected %zu hex digits)", value,
                *type == SK_IOC_CERT_SHA1 ? "SHA-1" : "SHA-256", want);
            return -SK_EPARSE;
        }
        return 0;
    }
    }
    WHY("unknown indicator type %d", (int)*type);
    return -SK_EINVAL;
}

int sk_ioc_classify(const char *s, enum sk_ioc_type *out)
{
    struct sk_prefix p;
    char canon[512];

    if (strstr(s, "://")) {
        *out = SK_IOC_URL;
        return 0;
    }
    if (strchr(s, '/')) {
        if (sk_prefix_parse(s, &p, 1) < 0)
            return -SK_EPARSE;
        int full = p.len == sk_addr_bits(&p.addr);
        *out = p.addr.family == SK_AF_INET ? (full ? SK_IOC_IPV4 : SK_IOC_CIDR4)
                                           : (full ? SK_IOC_IPV6 : SK_IOC_CIDR6);
        return 0;
    }
    if (sk_prefix_parse(s, &p, 0) == 0) {
        *out = p.addr.family == SK_AF_INET ? SK_IOC_IPV4 : SK_IOC_IPV6;
        return 0;
    }
    const char *name = strncmp(s, "*.", 2) == 0 ? s + 2 : s;
    if (canon_name(name, canon, sizeof canon) < 0 || !strchr(canon, '.') ||
        strspn(canon, "0123456789.") == strlen(canon))
        return -SK_EPARSE;
    *out = SK_IOC_DOMAIN;
    return 0;
}
