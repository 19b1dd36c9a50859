/*
 * url.c — URL normalisation for matching (RFC 3986 §6.2.2 syntax-based).
 *
 * A URL indicator and a URL seen in traffic are compared after the same
 * normalisation, so spelling differences that mean the same resource do not
 * hide a match:
 *   scheme and host to lower case, a trailing dot dropped from the host;
 *   the default port of http, https, ws, wss, ftp dropped, an empty port too;
 *   percent-encodings of unreserved characters (A-Z a-z 0-9 - . _ ~)
 *   decoded, the others written with upper-case hex; bytes that may not
 *   appear in a URL (controls, space, non-ASCII) percent-encoded, and a '%'
 *   that starts no encoding written "%25" (so normalising twice changes
 *   nothing);
 *   a host of letters, digits and "-._~!$&'()*+,;=%" only (or an IPv6
 *   literal in brackets);
 *   dot segments removed from the path (RFC 3986 §5.2.4), an empty path
 *   written "/"; the fragment dropped (it never goes on the wire);
 *   "http://" added to a URL given without a scheme.
 * The query is kept as written (its order and empties may matter to the
 * server). Output is capped by outlen; -SK_ETOOBIG past it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/buf.h"
#include "sakimori/intel.h"

static int unreserved(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends s[0..n) with percent-encodings normalised. */
static int put_pct(struct sk_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
            hexval(s[i + 2]) >= 0) {
            int v = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            if (unreserved(v)) {
                rc = sk_buf_putc(b, (char)v);
            } else {
                char e[3] = {'%', hex[v >> 4], hex[v & 15]};
                rc = sk_buf_append(b, e, 3);
            }
            i += 2;
        } else if (c == '%' || c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' ||
                   c == '^' || c == '`' || c == '{' || c == '|' || c == '}') {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = sk_buf_append(b, e, 3);
        } else {
            rc = sk_buf_putc(b, (char)c);
        }
    }
    return rc;
}

/* RFC 3986 §5.2.4 on an already normalised path (starts with '/'). */
static void remove_dot_segments(char *p)
{
    char *in = p, *out = p;
    while (*in) {
        if (strncmp(in, "/./", 3) == 0) {
            in += 2;
        } else if (strcmp(in, "/.") == 0) {
            in[1] = '\0';
        } else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
            in += 3;
            if (*in == '\0') {
                in--;
                *in = '/';
            }
            while (out > p && *--out != '/')
                ;
        } else {
            do
                *out++ = *in++;
            while (*in && *in != '/');
        }
    }
    *out = '\0';
}

int sk_url_normalize(const char *in, char *out, size_t outlen)
{
    struct sk_buf b;
    const char *p = in, *scheme = "http";
    size_t slen = 4;
    int rc;

    if (!in || !*in)
        return -SK_EPARSE;
    sk_buf_init(&b, outlen ? outlen - 1 : 0);
    /* scheme */
    const char *colon = strstr(in, "://");
    if (colon) {
        if (!isalpha((unsigned char)in[0]))
            goto bad;
        for (const char *q = in; q < colon; q++)
            if (!isalnum((unsigned char)*q) && *q != '+' && *q != '-' && *q != '.')
                goto bad;
        scheme = in;
        slen = (size_t)(colon - in);
        p = colon + 3;
    } else if (strncmp(in, "//", 2) == 0) {
        p = in + 2;
    }
    for (size_t i = 0; i < slen; i++)
        if ((rc = sk_buf_putc(&b, (char)tolower((unsigned char)scheme[i]))) < 0)
            goto out;
    if ((rc = sk_buf_puts(&b, "://")) < 0)
        goto out;
    /* authority: [userinfo@]host[:port] */
    size_t alen = strcspn(p, "/?#");
    const char *auth = p, *aend = p + alen;
    const char *at = NULL;
    for (const char *q = auth; q < aend; q++)
        if (*q == '@')
            at = q;
    if (at) {
        if ((rc = put_pct(&b, auth, (size_t)(at - auth + 1))) < 0)
            goto out;
        auth = at + 1;
    }
    const char *host = auth, *hend, *port = NULL;
    if (*host == '[') {
        const char *close = memchr(host, ']', (size_t)(aend - host));
        if (!close)
            goto bad;
        hend = close + 1;
        if (hend < aend) {
            if (*hend != ':')
                goto bad;
            port = hend + 1;
        }
    } else {
        const char *c = memchr(host, ':', (size_t)(aend - host));
        hend = c ? c : aend;
        if (c)
            port = c + 1;
    }
    size_t hlen = (size_t)(hend - host);
    if (hlen && host[hlen - 1] == '.' && *host != '[')
        hlen--;
    /* a name has no empty label: "", ".", "a..b" and ".a" are not hosts */
    if (hlen == 0 || host[0] == '.' || host[hlen - 1] == '.' ||
        memmem(host, hlen, "..", 2))
        goto bad;
    for (size_t i = 0; i < hlen; i++) {
        unsigned char c = (unsigned char)host[i];
        if (*host == '[' ? !(isxdigit(c) || c == ':' || c == '.' || c == '[' || c == ']')
                         : !(isalnum(c) || strchr("-._~!$&'()*+,;=%", c)))
            goto bad;
        if ((rc = sk_buf_putc(&b, (char)tolower(c))) < 0)
            goto out;
    }
    if (port) {
        size_t plen = (size_t)(aend - port);
        unsigned long v = 0;
        for (size_t i = 0; i < plen; i++) {
            if (!isdigit((unsigned char)port[i]) || (v = v * 10 + (unsigned long)(port[i] - '0')) > 65535)
                goto bad;
        }
        int dflt = plen == 0;
        char sch[8] = "";
        if (slen < sizeof sch) {
            for (size_t i = 0; i < slen; i++)
                sch[i] = (char)tolower((unsigned char)scheme[i]);
            sch[slen] = '\0';
        }
        if (plen && ((v == 80 && (!strcmp(sch, "http") || !strcmp(sch, "ws"))) ||
                     (v == 443 && (!strcmp(sch, "https") || !strcmp(sch, "wss"))) ||
                     (v == 21 && !strcmp(sch, "ftp"))))
            dflt = 1;
        if (!dflt && (rc = sk_buf_printf(&b, ":%lu", v)) < 0)
            goto out;
    }
    /* path */
    p = aend;
    size_t plen = strcspn(p, "?#");
    size_t path_at = b.len;
    if (plen == 0 || *p != '/')
        rc = sk_buf_putc(&b, '/');
    if (rc < 0 || (rc = put_pct(&b, p, plen)) < 0)
        goto out;
    if (b.data) {
        remove_dot_segments(b.data + path_at);
        b.len = strlen(b.data);
    }
    p += plen;
    /* query; the fragment is dropped */
    if (*p == '?') {
        size_t qlen = strcspn(p, "#");
        if ((rc = put_pct(&b, p, qlen)) < 0)
            goto out;
    }
    if (b.len + 1 > outlen) {
        rc = -SK_ETOOBIG;
        goto out;
    }
    memcpy(out, sk_buf_str(&b), b.len + 1);
    rc = 0;
    goto out;
bad:
    rc = -SK_EPARSE;
out:
    sk_buf_free(&b);
    return rc;
}
