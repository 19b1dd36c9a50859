/*
 * textconv.c — timestamps, addresses and integers from log text.
 *
 * Days from a civil date use the closed form of Howard Hinnant's
 * days_from_civil, so no table, no timegm() and no locale or time zone is
 * involved; fractions are read digit by digit into nanoseconds so a log's
 * microseconds come out exact.
 */
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"
#include "sense/textconv.h"

static int digits(const char *s, size_t n, unsigned *v)
{
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* ".123456" → ns, rounded to the nearest ns, advancing *i. May reach
 * SK_NS_PER_SEC when rounding up .9999999996. */
static void fraction(const char *s, size_t len, size_t *i, uint64_t *ns)
{
    uint64_t f = 0, scale = SK_NS_PER_SEC;
    int round_up = 0, digits_seen = 0;
    if (*i < len && s[*i] == '.') {
        (*i)++;
        while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
            if (scale > 1) {
                scale /= 10;
                f += (uint64_t)(s[*i] - '0') * scale;
            } else if (!digits_seen++) {
                round_up = s[*i] >= '5';
            }
            (*i)++;
        }
    }
    *ns = f + (uint64_t)round_up;
}

int sk_tc_isotime(const char *s, size_t len, sk_nstime *out)
{
    unsigned y, mo, d, h, mi, se;
    size_t i = 19;
    uint64_t frac;
    int64_t off = 0;

    if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':' || digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
        digits(s + 8, 2, &d) || digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
        digits(s + 17, 2, &se))
        return -SK_EPARSE;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1970)
        return -SK_EPARSE;
    fraction(s, len, &i, &frac);
    if (i < len) {
        if (s[i] == 'Z' || s[i] == 'z') {
            i++;
        } else if (s[i] == '+' || s[i] == '-') {
            unsigned oh, om = 0;
            int sign = s[i] == '-' ? -1 : 1;
            i++;
            if (len - i < 2 || digits(s + i, 2, &oh))
                return -SK_EPARSE;
            i += 2;
            if (i < len && s[i] == ':')
                i++;
            if (len - i >= 2 && !digits(s + i, 2, &om))
                i += 2;
            if (oh > 23 || om > 59)
                return -SK_EPARSE;
            off = sign * (int64_t)(oh * 3600 + om * 60);
        }
    }
    if (i != len)
        return -SK_EPARSE;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    if (secs < 0)
        return -SK_EPARSE;
    *out = (sk_nstime)secs * SK_NS_PER_SEC + frac;
    return 0;
}

int sk_tc_epoch(const char *s, size_t len, sk_nstime *out)
{
    uint64_t secs = 0, frac;
    size_t i = 0;

    if (len == 0 || s[0] < '0' || s[0] > '9')
        return -SK_EPARSE;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (secs > 18000000000ULL) /* beyond 2540: not a log timestamp */
            return -SK_EPARSE;
        secs = secs * 10 + (uint64_t)(s[i++] - '0');
    }
    fraction(s, len, &i, &frac);
    if (i != len)
        return -SK_EPARSE;
    *out = secs * SK_NS_PER_SEC + frac;
    return 0;
}

int sk_tc_seconds(const char *s, size_t len, uint64_t *ns)
{
    return sk_tc_epoch(s, len, ns);
}

int sk_tc_addr(const char *s, size_t len, struct sk_addr *out)
{
    uint8_t b[4];
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned v = 0, n = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && n < 4) {
            v = v * 10 + (unsigned)(s[i++] - '0');
            n++;
        }
        if (n == 0 || n > 3 || v > 255 || (n > 1 && s[i - n] == '0'))
            goto slow;
        b[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                goto slow;
            i++;
        }
    }
    if (i != len)
        goto slow;
    sk_addr_from_v4_bytes(out, b);
    return 0;
slow:
    return sk_addr_parsen(s, len, out);
}

int sk_tc_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t x = 0;
    if (len == 0 || len > 20)
        return -SK_EPARSE;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || x > (UINT64_MAX - d) / 10)
            return -SK_EPARSE;
        x = x * 10 + d;
    }
    *out = x;
    return 0;
}
