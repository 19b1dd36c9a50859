/*
 * bench_nfgen.c — a NetFlow v9 / IPFIX / v5 export generator for the
 * collector benchmark (bench_netflow.sh). Loopback only: it refuses any
 * destination that is not 127.0.0.0/8 or ::1.
 *
 *   bench_nfgen -p PORT [-v 9|10|5] [-r RECORDS_PER_S] [-n RECORDS] [-H 127.0.0.1]
 *
 * Datagrams of 30 records (v5: 30, v9/IPFIX: 28 IPv4 records in ≤ 1400
 * bytes) with varied addresses, ports and counters are prepared up front;
 * the template goes first and again every 1000 datagrams. Sending is paced
 * per batch of 32 datagrams (sendmmsg) against the monotonic clock, so the
 * average rate is exact and bursts stay short. Prints what it sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NDGRAMS 1024
#define BATCH 32
#define V9_RECS 28
#define V5_RECS 30

struct dg {
    uint8_t b[1500];
    size_t n;
    unsigned records;
};

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* v9/IPFIX template 256: src, dst, sport, dport, proto, flags, pkts(4),
 * bytes(4), first, last (sysUptime ms) = 4+4+2+2+1+1+4+4+4+4 = 30 bytes */
static const uint16_t tmpl_fields[][2] = {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1},
                                          {6, 1}, {2, 4}, {1, 4}, {22, 4}, {21, 4}};
#define NFIELDS (sizeof tmpl_fields / sizeof tmpl_fields[0])
#define REC_LEN 30

static size_t header(uint8_t *p, int v, unsigned count, uint32_t seq, uint32_t secs)
{
    if (v == 9) {
        put16(p, 9);
        put16(p + 2, count);
        put32(p + 4, 3600000);
        put32(p + 8, secs);
        put32(p + 12, seq);
        put32(p + 16, 1);
        return 20;
    }
    put16(p, 10);
    put16(p + 2, 0); /* length set by the caller */
    put32(p + 4, secs);
    put32(p + 8, seq);
    put32(p + 12, 1);
    return 16;
}

static void make_template(struct dg *d, int v, uint32_t secs)
{
    size_t o = header(d->b, v, 1, 0, secs);
    size_t set = o;
    put16(d->b + o, v == 9 ? 0 : 2);
    o += 4;
    put16(d->b + o, 256);
    put16(d->b + o + 2, NFIELDS);
    o += 4;
    for (size_t i = 0; i < NFIELDS; i++, o += 4) {
        put16(d->b + o, tmpl_fields[i][0]);
        put16(d->b + o + 2, tmpl_fields[i][1]);
    }
    put16(d->b + set + 2, (unsigned)(o - set));
    if (v == 10)
        put16(d->b + 2, (unsigned)o);
    d->n = o;
    d->records = 0;
}

static void make_data(struct dg *d, int v, uint32_t seq, uint32_t secs)
{
    if (v == 5) {
        uint8_t *p = d->b;
        put16(p, 5);
        put16(p + 2, V5_RECS);
        put32(p + 4, 3600000);
        put32(p + 8, secs);
        put32(p + 12, 0);
        put32(p + 16, seq);
        memset(p + 20, 0, 4);
        for (unsigned r = 0; r < V5_RECS; r++) {
            uint8_t *q = p + 24 + r * 48;
            memset(q, 0, 48);
            put32(q, 0x0a000000 | (rnd() & 0xffffff));
            put32(q + 4, 0xc6336400 | (rnd() & 0xff));
            put32(q + 16, 1 + rnd() % 50);
            put32(q + 20, 40 + rnd() % 60000);
            put32(q + 24, 3590000 + rnd() % 5000);
            put32(q + 28, 3595000 + rnd() % 5000);
            put16(q + 32, 1024 + rnd() % 60000);
            put16(q + 34, (rnd() & 1) ? 443 : 53);
            q[37] = 0x1b;
            q[38] = (rnd() & 1) ? 6 : 17;
        }
        d->n = 24 + V5_RECS * 48;
        d->records = V5_RECS;
        return;
    }
    size_t o = header(d->b, v, V9_RECS, seq, secs), set = o;
    put16(d->b + o, 256);
    o += 4;
    for (unsigned r = 0; r < V9_RECS; r++, o += REC_LEN) {
        uint8_t *q = d->b + o;
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
        d->b[o++] = 0;
    put16(d->b + set + 2, (unsigned)(o - set));
    if (v == 10)
        put16(d->b + 2, (unsigned)o);
    d->n = o;
    d->records = V9_RECS;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = 0, v = 9, c;
    double rate = 1e6;
    uint64_t total = 10000000;

    while ((c = getopt(argc, argv, "H:p:v:r:n:")) != -1) {
        switch (c) {
        case 'H': host = optarg; break;
        case 'p': port = (int)strtol(optarg, NULL, 10); break;
        case 'v': v = (int)strtol(optarg, NULL, 10); break;
        case 'r': rate = strtod(optarg, NULL); break;
        case 'n': total = strtoull(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: bench_nfgen -p PORT [-v 9|10|5] [-r RECORDS_PER_S] [-n RECORDS] [-H 127.0.0.1]\n");
            return 2;
        }
    }
    if (port <= 0 || port > 65535 || (v != 5 && v != 9 && v != 10) || rate <= 0) {
        fprintf(stderr, "bench_nfgen: need -p PORT, -v 5|9|10 and a positive -r\n");
        return 2;
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        if ((ntohl(in4->sin_addr.s_addr) >> 24) != 127) {
            fprintf(stderr, "bench_nfgen: %s is not loopback; refusing to send\n", host);
            return 2;
        }
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        sl = sizeof *in4;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1 &&
               IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        sl = sizeof *in6;
    } else {
        fprintf(stderr, "bench_nfgen: %s is not a loopback address; refusing to send\n", host);
        return 2;
    }
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0) {
        perror("bench_nfgen: socket");
        return 1;
    }
    int sndbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

    static struct dg dgs[NDGRAMS], tmpl;
    uint32_t secs = (uint32_t)time(NULL);
    for (int i = 0; i < NDGRAMS; i++)
        make_data(&dgs[i], v, (uint32_t)i, secs);
    if (v != 5)
        make_template(&tmpl, v, secs);

    unsigned per = v == 5 ? V5_RECS : V9_RECS;
    uint64_t sent_dg = 0, sent_rec = 0, errors = 0;
    double ns_per_dg = 1e9 * per / rate;
    uint64_t start = now_ns();
    struct mmsghdr msgs[BATCH + 1];
    struct iovec iov[BATCH + 1];

    while (sent_rec < total) {
        int n = 0;
        if (v != 5 && sent_dg % 1000 == 0) {
            iov[n].iov_base = tmpl.b;
            iov[n].iov_len = tmpl.n;
            n++;
        }
        while (n < BATCH && sent_rec + (uint64_t)(n)*per < total) {
            struct dg *d = &dgs[(sent_dg + (uint64_t)n) % NDGRAMS];
            iov[n].iov_base = d->b;
            iov[n].iov_len = d->n;
            n++;
        }
        for (int i = 0; i < n; i++) {
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        /* pace: this batch may leave once the schedule says so */
        uint64_t due = start + (uint64_t)((double)sent_dg * ns_per_dg);
        uint64_t t;
        while ((t = now_ns()) < due) {
            if (due - t > 200000) {
                struct timespec ts = {0, (long)(due - t - 100000)};
                nanosleep(&ts, NULL);
            }
        }
        int done = 0;
        while (done < n) {
            int r = sendmmsg(fd, msgs + done, (unsigned)(n - done), 0);
            if (r < 0) {
                if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN)
                    continue;
                errors++;
                break;
            }
            done += r;
        }
        for (int i = 0; i < done; i++) {
            if (iov[i].iov_base == tmpl.b)
                continue;
            sent_dg++;
            sent_rec += per;
        }
        if (done < n)
            break;
    }
    double secs_taken = (double)(now_ns() - start) / 1e9;
    printf("sent %llu datagrams, %llu records in %.3f s (%.0f records/s), %llu errors\n",
           (unsigned long long)sent_dg, (unsigned long long)sent_rec, secs_taken,
           (double)sent_rec / secs_taken, (unsigned long long)errors);
    close(fd);
    return errors ? 1 : 0;
}
