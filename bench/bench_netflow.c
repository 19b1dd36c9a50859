/*
 * bench_netflow.c — NetFlow/IPFIX decoding from memory (records per second
 * on one core), for bench_netflow.sh.
 *
 *   bench_netflow [-v 9|10|5|ipfix-rich] [-n RECORDS]
 *
 * 1024 distinct export datagrams are built in memory (v9 and IPFIX: 28
 * IPv4 records of a 10-field template, like bench_nfgen sends; ipfix-rich:
 * 13 records of an 18-field biflow template with reverse counters and
 * microsecond times, as ipfixprobe exports; v5: 30 records) and fed to the
 * decoder round after round, every flow delivered as an sk_event to a sink
 * that reads it, until RECORDS flows were decoded. Prints flows/s and the
 * process's peak RSS.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/event.h"
#include "sense/netflow.h"

#define NDGRAMS 1024

struct dg {
    uint8_t b[1500];
    size_t n;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)(v >> 32)); put32(p + 4, (uint32_t)v); }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct field {
    uint16_t ie, len;
    uint32_t pen;
};

static const struct field simple[] = {{8, 4, 0}, {12, 4, 0}, {7, 2, 0}, {11, 2, 0}, {4, 1, 0},
                                      {6, 1, 0}, {2, 4, 0},  {1, 4, 0},  {22, 4, 0}, {21, 4, 0}};
/* like ipfixprobe: end reason, biflow counters, µs times, flags both ways, MACs */
static const struct field rich[] = {
    {136, 1, 0}, {1, 8, 0}, {1, 8, 29305}, {2, 8, 0}, {2, 8, 29305}, {154, 8, 0}, {155, 8, 0},
    {60, 1, 0},  {4, 1, 0}, {6, 1, 0},     {6, 1, 29305}, {7, 2, 0}, {11, 2, 0}, {10, 4, 0},
    {8, 4, 0},   {12, 4, 0}, {56, 6, 0},   {80, 6, 0}};

static void fill_value(uint8_t *q, const struct field *f)
{
    switch (f->ie) {
    case 8: put32(q, 0x0a000000 | (rnd() & 0xffffff)); break;
    case 12: put32(q, 0xc6336400 | (rnd() & 0xff)); break;
    case 7: put16(q, 1024 + rnd() % 60000); break;
    case 11: put16(q, (rnd() & 1) ? 443 : 53); break;
    case 4: q[0] = (rnd() & 1) ? 6 : 17; break;
    case 60: q[0] = 4; break;
    case 154: case 155: put64(q, ((uint64_t)(2208988800u + 1700000000u + rnd() % 100) << 32) | rnd()); break;
    case 22: case 21: put32(q, 3590000 + rnd() % 5000); break;
    default:
        for (unsigned i = 0; i < f->len; i++)
            q[i] = (uint8_t)(i + 1 == f->len ? 1 + rnd() % 200 : 0);
    }
}

/* v9 (version 9) or IPFIX (10): a template datagram, then data datagrams */
static size_t build_tmpl(uint8_t *b, int v, const struct field *fs, size_t nf)
{
    size_t o = v == 9 ? 20 : 16;
    memset(b, 0, o);
    put16(b, (unsigned)v);
    put32(b + (v == 9 ? 8 : 4), 1700000000);
    size_t set = o;
    put16(b + o, v == 9 ? 0 : 2);
    o += 4;
    put16(b + o, 256);
    put16(b + o + 2, (unsigned)nf);
    o += 4;
    for (size_t i = 0; i < nf; i++) {
        put16(b + o, fs[i].ie | (fs[i].pen ? 0x8000 : 0));
        put16(b + o + 2, fs[i].len);
        o += 4;
        if (fs[i].pen) {
            put32(b + o, fs[i].pen);
            o += 4;
        }
    }
    put16(b + set + 2, (unsigned)(o - set));
    if (v == 10)
        put16(b + 2, (unsigned)o);
    return o;
}

static size_t build_data(uint8_t *b, int v, const struct field *fs, size_t nf, unsigned nrec)
{
    size_t o = v == 9 ? 20 : 16;
    memset(b, 0, o);
    put16(b, (unsigned)v);
    if (v == 9) {
        put16(b + 2, nrec);
        put32(b + 4, 3600000);
        put32(b + 8, 1700000000);
    } else {
        put32(b + 4, 1700000000);
    }
    size_t set = o;
    put16(b + o, 256);
    o += 4;
    for (unsigned r = 0; r < nrec; r++)
        for (size_t i = 0; i < nf; i++) {
            fill_value(b + o, &fs[i]);
            o += fs[i].len;
        }
    while ((o - set) % 4)
        b[o++] = 0;
    put16(b + set + 2, (unsigned)(o - set));
    if (v == 10)
        put16(b + 2, (unsigned)o);
    return o;
}

static size_t build_v5(uint8_t *b)
{
    memset(b, 0, 24 + 30 * 48);
    put16(b, 5);
    put16(b + 2, 30);
    put32(b + 4, 3600000);
    put32(b + 8, 1700000000);
    for (unsigned r = 0; r < 30; r++) {
        uint8_t *q = b + 24 + r * 48;
        put32(q, 0x0a000000 | (rnd() & 0xffffff));
        put32(q + 4, 0xc6336400 | (rnd() & 0xff));
        put32(q + 16, 1 + rnd() % 50);
        put32(q + 20, 40 + rnd() % 60000);
        put32(q + 24, 3590000);
        put32(q + 28, 3595000);
        put16(q + 32, 1024 + rnd() % 60000);
        put16(q + 34, 443);
        q[37] = 0x1b;
        q[38] = 6;
    }
    return 24 + 30 * 48;
}

struct sink {
    uint64_t flows, acc;
};

static int sink(void *ctx, const struct sk_event *ev)
{
    struct sink *s = ctx;
    s->flows++;
    s->acc += ev->u.flow.bytes_out + ev->sport + ev->src.b[15] + ev->ts;
    return 0;
}

int main(int argc, char **argv)
{
    const char *kind = "9";
    uint64_t want = 100000000;
    int c;

    while ((c = getopt(argc, argv, "v:n:")) != -1) {
        if (c == 'v')
            kind = optarg;
        else if (c == 'n')
            want = strtoull(optarg, NULL, 10);
        else {
            fprintf(stderr, "usage: bench_netflow [-v 9|10|5|ipfix-rich] [-n RECORDS]\n");
            return 2;
        }
    }
    static struct dg dgs[NDGRAMS], tmpl;
    int v = !strcmp(kind, "5") ? 5 : !strcmp(kind, "9") ? 9 : 10;
    int is_rich = !strcmp(kind, "ipfix-rich");
    const struct field *fs = is_rich ? rich : simple;
    size_t nf = is_rich ? sizeof rich / sizeof rich[0] : sizeof simple / sizeof simple[0];
    unsigned nrec = is_rich ? 13 : 28;

    if (v != 5)
        tmpl.n = build_tmpl(tmpl.b, v, fs, nf);
    for (int i = 0; i < NDGRAMS; i++)
        dgs[i].n = v == 5 ? build_v5(dgs[i].b) : build_data(dgs[i].b, v, fs, nf, nrec);

    struct sink s = {0, 0};
    struct sk_nf *nf_dec;
    struct sk_addr exp;
    sk_addr_from_v4(&exp, 0x7f000001);
    if (sk_nf_new(&nf_dec, NULL, sink, &s) < 0)
        return 1;
    if (v != 5)
        sk_nf_datagram(nf_dec, &exp, 1, tmpl.b, tmpl.n);
    uint64_t t0 = now_ns(), c0 = cpu_ns(), bytes = 0;
    while (s.flows < want) {
        for (int i = 0; i < NDGRAMS; i++) {
            sk_nf_datagram(nf_dec, &exp, 1, dgs[i].b, dgs[i].n);
            bytes += dgs[i].n;
        }
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    double cpu = (double)(cpu_ns() - c0) / 1e9;
    struct sk_nf_stats st;
    sk_nf_stats(nf_dec, &st);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    /* per core: flows over the CPU time this thread got (the machine is
     * shared; wall time also counts time others had the core) */
    printf("%-10s %11llu flows, %6.2f s CPU (%6.2f s wall): %6.2f M flows/s/core "
           "(%5.2f M/s wall), %6.1f MB/s/core of datagrams, malformed %llu, peak RSS %ld KiB "
           "[%llu]\n",
           kind, (unsigned long long)s.flows, cpu, secs, (double)s.flows / cpu / 1e6,
           (double)s.flows / secs / 1e6, (double)bytes / cpu / 1e6,
           (unsigned long long)st.malformed, ru.ru_maxrss, (unsigned long long)(s.acc & 0xff));
    sk_nf_free(nf_dec);
    return st.malformed ? 1 : 0;
}
