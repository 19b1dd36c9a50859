/*
 * nstime.c — nanosecond clocks, RFC 3339 and durations.
 *
 * Calendar conversion uses Howard Hinnant's days-from-civil arithmetic, so
 * neither the TZ environment nor the C library's locale can change a result.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sakimori/error.h"
#include "sakimori/nstime.h"

sk_nstime sk_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (sk_nstime)ts.tv_sec * SK_NS_PER_SEC + (sk_nstime)ts.tv_nsec;
}

sk_nstime sk_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (sk_nstime)ts.tv_sec * SK_NS_PER_SEC + (sk_nstime)ts.tv_nsec;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

char *sk_rfc3339(sk_nstime t, char *out, size_t len)
{
    int64_t secs = (int64_t)(t / SK_NS_PER_SEC), y;
    unsigned frac = (unsigned)(t % SK_NS_PER_SEC), mo, d;
    int64_t days = secs / 86400, rem = secs % 86400;
    char fr[16] = "";

    civil_from_days(days, &y, &mo, &d);
    if (frac == 0)
        fr[0] = '\0';
    else if (frac % 1000000 == 0)
        snprintf(fr, sizeof fr, ".%03u", frac / 1000000);
    else if (frac % 1000 == 0)
        snprintf(fr, sizeof fr, ".%06u", frac / 1000);
    else
        snprintf(fr, sizeof fr, ".%09u", frac);
    snprintf(out, len, "%04lld-%02u-%02uT%02u:%02u:%02u%sZ", (long long)y, mo, d,
             (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60),
             fr);
    return out;
}

static int digits(const char **p, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -SK_EPARSE;
        v = v * 10 + (unsigned)((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int sk_rfc3339_parse(const char *s, sk_nstime *out)
{
    unsigned y, mo, d, h, mi, se, frac = 0, oh = 0, om = 0;
    const char *p = s;
    int sign = 0;

    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d))
        return -SK_EPARSE;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -SK_EPARSE;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
        digits(&p, 2, &se))
        return -SK_EPARSE;
    if (*p == '.') {
        int n = 0;
        p++;
        if (!isdigit((unsigned char)*p))
            return -SK_EPARSE;
        for (; isdigit((unsigned char)*p); p++, n++)
            if (n < 9)
                frac = frac * 10 + (unsigned)(*p - '0');
        for (; n < 9; n++)
            frac *= 10;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++ == '+' ? 1 : -1;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om))
            return -SK_EPARSE;
    } else {
        return -SK_EPARSE;
    }
    if (*p != '\0')
        return -SK_EPARSE;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60 || oh > 23 || om > 59)
        return -SK_EPARSE;
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100) || y % 400 == 0)))
        return -SK_EPARSE;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    secs -= sign * (int64_t)(oh * 3600 + om * 60);
    if (secs < 0)
        return -SK_EPARSE;
    *out = (sk_nstime)secs * SK_NS_PER_SEC + frac;
    return 0;
}

static const struct {
    const char *unit;
    uint64_t ns;
} duration_units[] = {
    {"ns", 1}, {"us", SK_NS_PER_US}, {"ms", SK_NS_PER_MS}, {"s", SK_NS_PER_SEC},
    {"m", 60 * SK_NS_PER_SEC}, {"h", 3600 * SK_NS_PER_SEC},
    {"d", 86400 * SK_NS_PER_SEC}, {"w", 7 * 86400 * SK_NS_PER_SEC},
};

int sk_duration_parse(const char *s, uint64_t *ns_out)
{
    uint64_t v = 0;
    const char *p = s;

    if (!isdigit((unsigned char)*p))
        return -SK_EPARSE;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -SK_ETOOBIG;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '\0') {
        if (v > UINT64_MAX / SK_NS_PER_SEC)
            return -SK_ETOOBIG;
        *ns_out = v * SK_NS_PER_SEC;
        return 0;
    }
    for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
        if (strcmp(p, duration_units[i].unit) == 0) {
            if (v > UINT64_MAX / duration_units[i].ns)
                return -SK_ETOOBIG;
            *ns_out = v * duration_units[i].ns;
            return 0;
        }
    }
    return -SK_EPARSE;
}

char *sk_duration_fmt(uint64_t ns, char *out, size_t len)
{
    for (size_t i = sizeof duration_units / sizeof duration_units[0]; i-- > 0;) {
        if (ns >= duration_units[i].ns && ns % duration_units[i].ns == 0) {
            snprintf(out, len, "%llu%s", (unsigned long long)(ns / duration_units[i].ns),
                     duration_units[i].unit);
            return out;
        }
    }
    snprintf(out, len, "0s");
    return out;
}
