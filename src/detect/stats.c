/*
 * stats.c — the robust statistics behind the behavioural scores.
 *
 * Beaconing shows as a distribution of inter-arrival times (or of bytes) that
 * is narrow and symmetric. Two robust measures say so without being thrown
 * by the odd missed or extra connection:
 *   Bowley skew   (Q1 + Q3 − 2·Q2) / (Q3 − Q1), in [−1, 1]: 0 for a
 *                 symmetric distribution; a human's clicks are skewed right
 *   MAD / median  dispersion relative to the typical value; a beacon's
 *                 intervals cluster around its period
 * Quantiles use linear interpolation between order statistics (type 7).
 * Sorting is an insertion sort for the short sample arrays the analyzers
 * keep (≤ 64) and qsort beyond.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-int.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void sk__sort_doubles(double *v, size_t n)
{
    if (n > 64) {
        qsort(v, n, sizeof *v, cmp_double);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

double sk__quantile(const double *v, size_t n, double q)
{
    if (n == 1)
        return v[0];
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)h;
    if (lo >= n - 1)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

void sk__describe(const double *v, size_t n, double *scratch, double min_iqr,
                  struct sk__dist *d)
{
    memset(d, 0, sizeof *d);
    d->n = n;
    if (n == 0)
        return;
    d->q1 = sk__quantile(v, n, 0.25);
    d->median = sk__quantile(v, n, 0.5);
    d->q3 = sk__quantile(v, n, 0.75);
    for (size_t i = 0; i < n; i++)
        scratch[i] = fabs(v[i] - d->median);
    sk__sort_doubles(scratch, n);
    d->mad = sk__quantile(scratch, n, 0.5);

    double iqr = d->q3 - d->q1;
    /* A spike (spread below min_iqr) or a median sitting on a quartile has
     * no meaningful skew: that is a perfectly regular series. */
    if (iqr >= min_iqr && iqr > 0 && d->median != d->q1 && d->median != d->q3)
        d->skew = (d->q1 + d->q3 - 2 * d->median) / iqr;
    d->skew_score = 1.0 - fabs(d->skew);
    if (d->median > 0) {
        d->mad_score = 1.0 - d->mad / d->median;
        if (d->mad_score < 0 || isnan(d->mad_score))
            d->mad_score = 0;
    } else {
        /* everything at zero: as regular as it gets */
        d->mad_score = d->mad == 0 ? 1.0 : 0.0;
    }
    d->score = (d->skew_score + d->mad_score) / 2;
}

double sk__cv(const uint32_t *v, size_t n)
{
    double sum = 0, ss = 0;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    double mean = sum / (double)n;
    if (mean <= 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        ss += ((double)v[i] - mean) * ((double)v[i] - mean);
    return sqrt(ss / (double)n) / mean;
}

double sk__entropy(const char *s, size_t len)
{
    uint32_t count[256] = {0};
    double h = 0;
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        count[(unsigned char)s[i]]++;
    for (int c = 0; c < 256; c++) {
        if (!count[c])
            continue;
        double p = (double)count[c] / (double)len;
        h -= p * log2(p);
    }
    return h;
}
