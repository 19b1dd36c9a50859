/*
 * socks.c — SOCKS negotiation (RFC 1928, RFC 1929, SOCKS 4/4a).
 *
 * Client side                              Server side
 *   v4:  04 cmd port/2 ip/4 user\0 [host\0]  00 status port/2 ip/4   (8 bytes)
 *   v5:  05 n methods[n]                     05 method
 *        [01 ulen user plen pass]            [01 status]   (method 02 only)
 *        05 cmd 00 atyp addr port/2          05 reply 00 atyp addr port/2
 *        atyp 1: 4 bytes, 3: 1 + name length, 4: 16 bytes
 * Strings (user id, host) are bounded to 255 bytes; a refusal (v4 status
 * other than 90, v5 reply other than 0) ends the decoding.
 */
#include <string.h>

#include "sakimori/error.h"
#include "sense/socks.h"

#define SOCKS4_MAX_STR 256

int sk_socks_looks_like(const uint8_t *p, size_t n)
{
    if (n >= 9 && p[0] == 4 && (p[1] == 1 || p[1] == 2) && memchr(p + 8, 0, n - 8))
        return 4;
    if (n >= 3 && p[0] == 5 && p[1] >= 1 && p[1] <= 16 && n == (size_t)p[1] + 2)
        return 5;
    return 0;
}

void sk_socks_init(struct sk_socks *s, int version)
{
    memset(s, 0, sizeof *s);
    s->version = (uint8_t)version;
}

/* A NUL-terminated string at p[off]; its end + 1, 0 if incomplete, -1 bad. */
static long cstr(const uint8_t *p, size_t n, size_t off)
{
    size_t lim = off + SOCKS4_MAX_STR;
    for (size_t i = off; i < n && i < lim; i++)
        if (p[i] == 0)
            return (long)(i + 1);
    return n >= lim ? -1 : 0;
}

static int v4_client(struct sk_socks *s, const uint8_t *p, size_t n)
{
    if (n < 9)
        return 0;
    if (p[0] != 4 || (p[1] != 1 && p[1] != 2))
        return -SK_EPARSE;
    long e = cstr(p, n, 8);
    if (e <= 0)
        return e < 0 ? -SK_EPARSE : 0;
    if (p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] != 0) { /* 4a: a host name follows */
        long h = cstr(p, n, (size_t)e);
        if (h <= 0)
            return h < 0 ? -SK_EPARSE : 0;
        e = h;
    }
    s->done[1] = 1;
    return (int)e;
}

static int v4_server(struct sk_socks *s, const uint8_t *p, size_t n)
{
    if (n < 8)
        return 0;
    if (p[0] != 0 || p[1] != 90)
        return -SK_EPARSE;
    s->granted = 1;
    s->done[0] = 1;
    return 8;
}

/* Length of a v5 request/reply at p, 0 if incomplete, -1 if bad. */
static long v5_addr_msg(const uint8_t *p, size_t n)
{
    if (n < 5)
        return 0;
    if (p[0] != 5 || p[2] != 0)
        return -1;
    size_t l;
    switch (p[3]) {
    case 1: l = 4 + 4 + 2; break;
    case 3: l = 4 + 1 + (size_t)p[4] + 2; break;
    case 4: l = 4 + 16 + 2; break;
    default: return -1;
    }
    return n >= l ? (long)l : 0;
}

static int v5_client(struct sk_socks *s, const uint8_t *p, size_t n)
{
    size_t off = 0;

    while (!s->done[1] && off < n) {
        const uint8_t *q = p + off;
        size_t m = n - off;
        if (s->stage[1] == 0) { /* greeting */
            if (m < 2 || m < (size_t)q[1] + 2)
                break;
            if (q[0] != 5 || q[1] == 0)
                return -SK_EPARSE;
            off += (size_t)q[1] + 2;
            s->stage[1] = 1;
        } else if (q[0] == 1) { /* username/password */
            if (m < 2 || m < (size_t)q[1] + 3 || m < (size_t)q[1] + 3 + q[q[1] + 2])
                break;
            off += (size_t)q[1] + 3 + q[q[1] + 2];
        } else { /* request */
            long l = v5_addr_msg(q, m);
            if (l < 0)
                return -SK_EPARSE;
            if (l == 0)
                break;
            off += (size_t)l;
            s->done[1] = 1;
        }
    }
    return (int)off;
}

static int v5_server(struct sk_socks *s, const uint8_t *p, size_t n)
{
    size_t off = 0;

    while (!s->done[0] && off < n) {
        const uint8_t *q = p + off;
        size_t m = n - off;
        if (s->stage[0] == 0) { /* method choice */
            if (m < 2)
                break;
            if (q[0] != 5 || q[1] == 0xff)
                return -SK_EPARSE;
            off += 2;
            s->stage[0] = 1;
        } else if (q[0] == 1) { /* authentication status */
            if (m < 2)
                break;
            if (q[1] != 0)
                return -SK_EPARSE;
            off += 2;
        } else { /* reply */
            long l = v5_addr_msg(q, m);
            if (l == 0)
                break;
            if (l < 0 || q[1] != 0) /* l > 0: the whole reply is there */
                return -SK_EPARSE;
            off += (size_t)l;
            s->granted = 1;
            s->done[0] = 1;
        }
    }
    return (int)off;
}

int sk_socks_feed(struct sk_socks *s, int client, const uint8_t *p, size_t n)
{
    if (s->done[client ? 1 : 0])
        return 0;
    if (s->version == 4)
        return client ? v4_client(s, p, n) : v4_server(s, p, n);
    if (s->version == 5)
        return client ? v5_client(s, p, n) : v5_server(s, p, n);
    return -SK_EPARSE;
}
