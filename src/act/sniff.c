/*
 * sniff.c — the first bytes a victim sends to the sinkhole: which name did
 * it think it was talking to? HTTP/1.x gives it in the Host header, TLS in
 * the server_name extension of the ClientHello. Both readers take bytes
 * from the network and have a fuzz target (tests/fuzz/fuzz_sniff.c).
 *
 * TLS ClientHello layout (RFC 8446 §4.1.2), the parts walked here:
 *   OFFSET SIZE MEANING
 *   0      1    record type 22 (handshake)
 *   1      2    record version
 *   3      2    record length
 *   5      1    handshake type 1 (ClientHello)
 *   6      3    handshake length
 *   9      2    client version
 *   11     32   random
 *   43     1+n  session id
 *   …      2+n  cipher suites
 *   …      1+n  compression methods
 *   …      2+n  extensions: type(2) length(2) data; server_name is type 0:
 *                 list length(2), name type(1) = 0 host_name, length(2), name
 * Only the first record is read: a ClientHello split over records is rare
 * and the sinkhole records the connection without a name then.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "act/sniff.h"

static int copy_name(const uint8_t *p, size_t n, char *out, size_t len)
{
    size_t k = 0;
    if (n == 0 || n >= len)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)tolower(p[i]);
        if (!(isalnum(c) || c == '-' || c == '.' || c == '_' || c == ':' || c == '[' || c == ']'))
            return -1;
        out[k++] = (char)c;
    }
    out[k] = '\0';
    return 0;
}

int sk__sniff_http_host(const uint8_t *p, size_t n, char *host, size_t len)
{
    static const char *const methods[] = {"GET ", "POST ", "HEAD ", "PUT ", "DELETE ",
                                          "OPTIONS ", "CONNECT ", "PATCH ", NULL};
    int is_http = 0;

    for (int i = 0; methods[i]; i++) {
        size_t ml = strlen(methods[i]);
        if (n >= ml ? memcmp(p, methods[i], ml) == 0 : memcmp(p, methods[i], n) == 0) {
            is_http = 1;
            if (n < ml)
                return SK_SNIFF_MORE;
            break;
        }
    }
    if (!is_http)
        return SK_SNIFF_NO;
    /* header lines until the empty line */
    size_t i = 0;
    while (i < n && p[i] != '\n')
        i++;
    while (i < n) {
        size_t start = ++i;
        while (i < n && p[i] != '\n')
            i++;
        if (i >= n)
            return SK_SNIFF_MORE;
        size_t end = i;
        if (end > start && p[end - 1] == '\r')
            end--;
        if (end == start)
            return SK_SNIFF_NONAME; /* end of headers, no Host */
        if (end - start > 5 && strncasecmp((const char *)p + start, "host:", 5) == 0) {
            size_t a = start + 5, b = end;
            while (a < b && (p[a] == ' ' || p[a] == '\t'))
                a++;
            while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
                b--;
            /* drop a :port, but keep an IPv6 literal whole */
            if (p[a] != '[')
                for (size_t c = a; c < b; c++)
                    if (p[c] == ':') {
                        b = c;
                        break;
                    }
            return copy_name(p + a, b - a, host, len) == 0 ? SK_SNIFF_NAME : SK_SNIFF_NONAME;
        }
    }
    return SK_SNIFF_MORE;
}

static uint32_t be(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

int sk__sniff_tls_sni(const uint8_t *p, size_t n, char *sni, size_t len)
{
    if (n < 1)
        return SK_SNIFF_MORE;
    if (p[0] != 22)
        return SK_SNIFF_NO;
    if (n < 6)
        return SK_SNIFF_MORE;
    if (p[1] != 3 || p[5] != 1)
        return SK_SNIFF_NO;
    size_t rec = be(p + 3, 2);
    if (n < 5 + rec)
        return SK_SNIFF_MORE;
    const uint8_t *h = p + 5, *end = p + 5 + rec;
    if (end - h < 4)
        return SK_SNIFF_NONAME;
    size_t hl = be(h + 1, 3);
    const uint8_t *q = h + 4;
    if ((size_t)(end - q) >= hl)
        end = q + hl; /* else the hello continues in another record: read what is here */
#define NEED(k)                                                                                 \
    do {                                                                                        \
        if ((size_t)(end - q) < (size_t)(k))                                                    \
            return SK_SNIFF_NONAME;                                                             \
    } while (0)
    NEED(2 + 32 + 1);
    q += 34;
    size_t sid = q[0];
    q += 1;
    NEED(sid + 2);
    q += sid;
    size_t cs = be(q, 2);
    q += 2;
    NEED(cs + 1);
    q += cs;
    size_t cm = q[0];
    q += 1;
    NEED(cm + 2);
    q += cm;
    size_t el = be(q, 2);
    q += 2;
    if ((size_t)(end - q) < el)
        el = (size_t)(end - q);
    const uint8_t *ee = q + el;
    while (ee - q >= 4) {
        uint32_t type = be(q, 2), l = be(q + 2, 2);
        q += 4;
        if ((size_t)(ee - q) < l)
            return SK_SNIFF_NONAME;
        if (type == 0 && l >= 5) {
            const uint8_t *s = q + 2, *se = q + l;
            size_t list = be(q, 2);
            if (list + 2 > l)
                return SK_SNIFF_NONAME;
            while (se - s >= 3) {
                uint32_t nt = s[0], nl = be(s + 1, 2);
                s += 3;
                if ((size_t)(se - s) < nl)
                    return SK_SNIFF_NONAME;
                if (nt == 0)
                    return copy_name(s, nl, sni, len) == 0 ? SK_SNIFF_NAME : SK_SNIFF_NONAME;
                s += nl;
            }
            return SK_SNIFF_NONAME;
        }
        q += l;
    }
#undef NEED
    return SK_SNIFF_NONAME;
}
