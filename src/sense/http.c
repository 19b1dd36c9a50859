/*
 * http.c — the first HTTP/1.x request and response status of a connection.
 *
 * Request:  METHOD SP request-target SP HTTP/1.x CRLF *(header CRLF) CRLF
 * Response: HTTP/1.x SP 3DIGIT [SP reason] CRLF …
 * (bare LF is accepted as a line end, as servers do). Header names compare
 * case-insensitively; values are trimmed of surrounding blanks. Every value
 * is copied with a length bound and with bytes outside printable ASCII
 * escaped as \xNN, so it is safe to print, log and put in JSON.
 */
#include <stdio.h>
#include <string.h>

#include "sakimori/error.h"
#include "sense/http.h"

static const char *const methods[] = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "PATCH", "TRACE",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", NULL,
};

void sk_http_conn_init(struct sk_http_conn *h)
{
    memset(h, 0, sizeof *h);
    h->client_dir = -1;
}

int sk_http_looks_like_request(const uint8_t *p, size_t n)
{
    for (size_t i = 0; methods[i]; i++) {
        size_t l = strlen(methods[i]);
        size_t k = n < l + 1 ? n : l + 1;
        if (memcmp(p, methods[i], k < l ? k : l) == 0 && (k <= l || p[l] == ' '))
            return 1;
    }
    return 0;
}

int sk_http_looks_like_response(const uint8_t *p, size_t n)
{
    static const char pfx[] = "HTTP/1.";
    size_t k = n < sizeof pfx - 1 ? n : sizeof pfx - 1;
    return memcmp(p, pfx, k) == 0;
}

/* End of the header block: the offset just past the blank line, or 0. */
static size_t header_end(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (p[i] != '\n')
            continue;
        if (p[i + 1] == '\n')
            return i + 2;
        if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

static void copy_val(char *out, size_t outlen, const uint8_t *p, size_t n, int lower)
{
    size_t o = 0;
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    for (size_t i = 0; i < n && o + 5 < outlen; i++) {
        uint8_t c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
            out[o++] = (char)(lower && c >= 'A' && c <= 'Z' ? c + 32 : c);
        else
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
    }
    out[o] = '\0';
}

static int name_is(const uint8_t *p, size_t n, const char *name)
{
    size_t l = strlen(name);
    if (n != l)
        return 0;
    for (size_t i = 0; i < l; i++) {
        uint8_t c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        if (c != (uint8_t)name[i])
            return 0;
    }
    return 1;
}

/* "host:port" → "host"; "[v6]:port" → "[v6]". */
static void strip_port(char *h)
{
    char *c = h[0] == '[' ? strchr(h, ']') : h;
    if (!c)
        return;
    c = strchr(c, ':');
    if (c)
        *c = '\0';
}

int sk_http_parse_request(struct sk_http_conn *h, const uint8_t *p, size_t n)
{
    size_t i = 0, sp1, sp2, eol;

    /* request line */
    while (i < n && p[i] >= 'A' && p[i] <= 'Z')
        i++;
    if (i == 0 || i >= SK_HTTP_METHOD_MAX || i >= n || p[i] != ' ')
        return -SK_EPARSE;
    sp1 = i;
    for (eol = sp1; eol < n && p[eol] != '\n'; eol++)
        ;
    if (eol >= n)
        return -SK_ETRUNC;
    /* the version is the last word: a target with blanks in it (sent by
     * careless clients) stays whole, as servers and tshark read it */
    for (sp2 = eol; sp2 > sp1 && p[sp2] != ' '; sp2--)
        ;
    if (sp2 <= sp1 + 1 || sp2 + 8 > eol || memcmp(p + sp2 + 1, "HTTP/", 5) != 0)
        return -SK_EPARSE;
    memcpy(h->method, p, sp1);
    h->method[sp1] = '\0';
    copy_val(h->uri, sizeof h->uri, p + sp1 + 1, sp2 - sp1 - 1, 0);
    /* headers */
    for (i = eol + 1; i < n;) {
        size_t e = i;
        while (e < n && p[e] != '\n')
            e++;
        size_t len = e - i;
        if (len && p[i + len - 1] == '\r')
            len--;
        if (len == 0)
            break;
        const uint8_t *colon = memchr(p + i, ':', len);
        if (colon) {
            size_t nl = (size_t)(colon - (p + i));
            const uint8_t *v = colon + 1;
            size_t vl = len - nl - 1;
            if (!h->has_host && name_is(p + i, nl, "host")) {
                copy_val(h->host, sizeof h->host, v, vl, 1);
                strip_port(h->host);
                h->has_host = 1;
            } else if (!h->has_ua && name_is(p + i, nl, "user-agent")) {
                copy_val(h->user_agent, sizeof h->user_agent, v, vl, 0);
                h->has_ua = 1;
            }
        }
        i = e + 1;
    }
    if (!h->has_host && strcmp(h->method, "CONNECT") == 0) {
        copy_val(h->host, sizeof h->host, (const uint8_t *)h->uri, strlen(h->uri), 1);
        strip_port(h->host);
        h->has_host = 1;
    }
    h->have_req = 1;
    return 0;
}

int sk_http_conn_feed(struct sk_http_conn *h, int dir, const uint8_t *p, size_t n,
                      size_t max_header)
{
    int rc;

    if (h->client_dir < 0) {
        if (sk_http_looks_like_response(p, n))
            h->client_dir = (int8_t)!dir;
        else
            h->client_dir = (int8_t)dir;
    }
    if (dir == h->client_dir) {
        if (h->req_done)
            return (int)n; /* later requests: not decoded */
        size_t end = header_end(p, n);
        if (!end) {
            if (n > max_header)
                return -SK_ETOOBIG;
            if (!sk_http_looks_like_request(p, n))
                return -SK_EPARSE;
            return 0;
        }
        if ((rc = sk_http_parse_request(h, p, end)) < 0)
            return rc;
        h->req_done = 1;
        /* a tunnel starts right after the CONNECT header block */
        return strcmp(h->method, "CONNECT") == 0 ? (int)end : (int)n;
    }
    /* server */
    if (h->resp_done)
        return (int)n;
    if (!h->have_resp) {
        const uint8_t *eol = memchr(p, '\n', n);
        if (!eol) {
            if (n > max_header)
                return -SK_ETOOBIG;
            return sk_http_looks_like_response(p, n) ? 0 : -SK_EPARSE;
        }
        if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ' ||
            p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' || p[11] < '0' ||
            p[11] > '9')
            return -SK_EPARSE;
        h->status = (uint16_t)((p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0'));
        h->have_resp = 1;
    }
    if (h->have_req && strcmp(h->method, "CONNECT") == 0 && h->status / 100 == 2) {
        size_t end = header_end(p, n);
        if (!end)
            return n > max_header ? -SK_ETOOBIG : 0;
        h->tunnel = 1;
        h->resp_done = 1;
        return (int)end;
    }
    h->resp_done = 1;
    return (int)n;
}
