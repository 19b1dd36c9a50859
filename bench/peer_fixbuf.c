/*
 * peer_fixbuf.c — libfixbuf (CERT NetSA, Debian libfixbuf-dev) decoding the
 * same IPFIX messages from memory as bench_netflow -v 10: the peer for
 * sakimori's own decoder in bench_netflow.sh. Not part of the build (its
 * name does not match bench_*.c): bench_netflow.sh compiles it when
 * libfixbuf is installed.
 *
 * Messages: one template message, then 1024 distinct data messages of 28
 * records (the 10-field IPv4 template bench_nfgen sends). Every record is
 * transcoded by fBufNext() into an internal template holding the same
 * fields sakimori's decoder takes, as an application would use fixbuf.
 */
#include <fixbuf/public.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define NMSG 1024
#define NREC 28

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
static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const uint16_t fields[][2] = {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1},
                                     {6, 1}, {2, 4},  {1, 4},  {22, 4}, {21, 4}};
#define NF (sizeof fields / sizeof fields[0])

struct rec {
    uint64_t pkts, bytes;
    uint32_t sip, dip, start, end;
    uint16_t sport, dport;
    uint8_t proto, flags;
    uint8_t pad[6];
};

static fbInfoElementSpec_t spec[] = {
    {"packetDeltaCount", 8, 0},        {"octetDeltaCount", 8, 0},
    {"sourceIPv4Address", 4, 0},       {"destinationIPv4Address", 4, 0},
    {"flowStartSysUpTime", 4, 0},      {"flowEndSysUpTime", 4, 0},
    {"sourceTransportPort", 2, 0},     {"destinationTransportPort", 2, 0},
    {"protocolIdentifier", 1, 0},      {"tcpControlBits", 1, 0},
    {"paddingOctets", 6, 0},           FB_IESPEC_NULL};

int main(int argc, char **argv)
{
    uint64_t want = argc > 1 ? strtoull(argv[1], NULL, 10) : 50000000;
    static uint8_t msgs[NMSG][1500], tmsg[200];
    static size_t lens[NMSG];
    size_t tlen;
    GError *err = NULL;

    /* template message */
    size_t o = 16;
    memset(tmsg, 0, sizeof tmsg);
    put16(tmsg, 10);
    put32(tmsg + 4, 1700000000);
    put16(tmsg + o, 2);
    size_t set = o;
    o += 4;
    put16(tmsg + o, 256);
    put16(tmsg + o + 2, NF);
    o += 4;
    for (size_t i = 0; i < NF; i++, o += 4) {
        put16(tmsg + o, fields[i][0]);
        put16(tmsg + o + 2, fields[i][1]);
    }
    put16(tmsg + set + 2, (unsigned)(o - set));
    put16(tmsg + 2, (unsigned)o);
    tlen = o;
    /* data messages */
    for (int m = 0; m < NMSG; m++) {
        uint8_t *b = msgs[m];
        o = 16;
        memset(b, 0, 16);
        put16(b, 10);
        put32(b + 4, 1700000000);
        put32(b + 8, (uint32_t)m);
        put16(b + o, 256);
        set = o;
        o += 4;
        for (int r = 0; r < NREC; r++, o += 30) {
            uint8_t *q = b + o;
            put32(q, 0x0a000000 | (rnd() & 0xffffff));
            put32(q + 4, 0xc6336400 | (rnd() & 0xff));
            put16(q + 8, 1024 + rnd() % 60000);
            put16(q + 10, (rnd() & 1) ? 443 : 53);
            q[12] = (rnd() & 1) ? 6 : 17;
            q[13] = 0x1b;
            put32(q + 14, 1 + rnd() % 50);
            put32(q + 18, 40 + rnd() % 60000);
            put32(q + 22, 3590000 + rnd() % 5000);
            put32(q + 26, 3595000 + rnd() % 5000);
        }
        while ((o - set) % 4)
            b[o++] = 0;
        put16(b + set + 2, (unsigned)(o - set));
        put16(b + 2, (unsigned)o);
        lens[m] = o;
    }

    fbInfoModel_t *model = fbInfoModelAlloc();
    fbSession_t *session = fbSessionAlloc(model);
    fbTemplate_t *tmpl = fbTemplateAlloc(model);
    if (!fbTemplateAppendSpecArray(tmpl, spec, 0xffffffff, &err)) {
        fprintf(stderr, "template: %s\n", err->message);
        return 1;
    }
    uint16_t tid = fbSessionAddTemplate(session, TRUE, FB_TID_AUTO, tmpl, &err);
    if (!tid) {
        fprintf(stderr, "session: %s\n", err->message);
        return 1;
    }
    fBuf_t *fbuf = fBufAllocForCollection(session, NULL);
    fBufSetAutomaticMode(fbuf, FALSE);
    if (!fBufSetInternalTemplate(fbuf, tid, &err)) {
        fprintf(stderr, "internal template: %s\n", err->message);
        return 1;
    }

    struct rec rec;
    size_t rlen;
    uint64_t n = 0, acc = 0, bytes = 0;
    uint32_t seq = 0;
    uint64_t c0 = cpu_ns();
    fBufSetBuffer(fbuf, tmsg, tlen);
    while (fBufNext(fbuf, (uint8_t *)&rec, (rlen = sizeof rec, &rlen), &err))
        n++;
    g_clear_error(&err);
    while (n < want) {
        for (int m = 0; m < NMSG; m++) {
            /* a valid stream: each message's sequence number counts the
             * data records before it (fixbuf checks and warns) */
            put32(msgs[m] + 8, seq);
            seq += NREC;
            fBufSetBuffer(fbuf, msgs[m], lens[m]);
            rlen = sizeof rec;
            while (fBufNext(fbuf, (uint8_t *)&rec, &rlen, &err)) {
                n++;
                acc += rec.bytes + rec.sport + (rec.sip & 0xff);
                rlen = sizeof rec;
            }
            g_clear_error(&err);
            bytes += lens[m];
        }
    }
    double cpu = (double)(cpu_ns() - c0) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("libfixbuf  %11llu flows, %6.2f s CPU: %6.2f M flows/s/core, %6.1f MB/s/core of "
           "messages, peak RSS %ld KiB [%llu]\n",
           (unsigned long long)n, cpu, (double)n / cpu / 1e6, (double)bytes / cpu / 1e6,
           ru.ru_maxrss, (unsigned long long)(acc & 0xff));
    fBufFree(fbuf);
    fbInfoModelFree(model);
    return 0;
}
