/*
 * synth.c — the scenario synthesizer.
 *
 * Model: every actor (a benign host, an infected host, the NTP client of
 * each host) produces sessions at times drawn from its own distribution; a
 * session becomes packets (DNS lookup, TCP handshake, request, response,
 * close). Packets are collected, sorted by time and written as one pcap.
 *   benign web   exponential gaps (mean 90 s) to one of 64 sites; sizes vary
 *   benign NTP   every 1024 s ± 1 s to the NTP server (periodic on purpose:
 *                a beacon detector must not flag it)
 *   beacon       every period × (1 ± jitter) to its C2, small request and
 *                response, DNS lookup of the C2 name when its TTL (300 s)
 *                has run out
 * Randomness is xoshiro256** seeded by splitmix64 from the seed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/buf.h"
#include "sakimori/file.h"
#include "sakimori/pcapw.h"
#include "sakimori/synth.h"

#define NSITES 64
#define DNS_TTL_S 300

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static double rng_unit(struct rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
static uint32_t rng_below(struct rng *r, uint32_t n) { return (uint32_t)(rng_unit(r) * n); }

struct pkt {
    sk_nstime ts;
    uint32_t len;
    uint32_t off; /* into the byte pool */
};

struct gen {
    struct sk_synth_cfg cfg;
    struct rng rng;
    struct pkt *pkts;
    size_t npkts, cap;
    uint8_t *pool;
    size_t pool_len, pool_cap;
    struct sk_addr resolver, ntp;
    uint16_t next_port;
    uint16_t dns_id;
};

static int push(struct gen *g, sk_nstime ts, const uint8_t *frame, uint32_t len)
{
    if (g->npkts == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 4096;
        struct pkt *np = realloc(g->pkts, nc * sizeof *np);
        if (!np)
            return -SK_ENOMEM;
        g->pkts = np;
        g->cap = nc;
    }
    if (g->pool_len + len > g->pool_cap) {
        size_t nc = g->pool_cap ? g->pool_cap * 2 : 1 << 20;
        while (nc < g->pool_len + len)
            nc *= 2;
        uint8_t *np = realloc(g->pool, nc);
        if (!np)
            return -SK_ENOMEM;
        g->pool = np;
        g->pool_cap = nc;
    }
    memcpy(g->pool + g->pool_len, frame, len);
    g->pkts[g->npkts++] = (struct pkt){ts, len, (uint32_t)g->pool_len};
    g->pool_len += len;
    return 0;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

/* Builds Ethernet + IPv4 + TCP/UDP around payload and queues it. */
static int ip_packet(struct gen *g, sk_nstime ts, const struct sk_addr *src, uint16_t sport,
                     const struct sk_addr *dst, uint16_t dport, uint8_t proto, uint8_t flags,
                     uint32_t seq, uint32_t ack, const uint8_t *payload, uint32_t plen)
{
    uint8_t f[1600];
    uint32_t l4len = (proto == 6 ? 20 : 8) + plen, iplen = 20 + l4len;
    uint8_t *ip = f + 14, *l4 = ip + 20;

    if (14 + iplen > sizeof f)
        return -SK_ETOOBIG;
    memset(f, 0, 14 + iplen);
    /* MACs derived from the addresses, locally administered */
    f[0] = 0x02; memcpy(f + 2, dst->b + 12, 4);
    f[6] = 0x02; memcpy(f + 8, src->b + 12, 4);
    f[12] = 0x08; f[13] = 0x00;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(iplen >> 8); ip[3] = (uint8_t)iplen;
    ip[6] = 0x40; /* DF */
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, src->b + 12, 4);
    memcpy(ip + 16, dst->b + 12, 4);
    uint16_t c = csum_fold(csum_add(0, ip, 20));
    ip[10] = (uint8_t)(c >> 8); ip[11] = (uint8_t)c;
    l4[0] = (uint8_t)(sport >> 8); l4[1] = (uint8_t)sport;
    l4[2] = (uint8_t)(dport >> 8); l4[3] = (uint8_t)dport;
    if (proto == 6) {
        l4[4] = (uint8_t)(seq >> 24); l4[5] = (uint8_t)(seq >> 16);
        l4[6] = (uint8_t)(seq >> 8); l4[7] = (uint8_t)seq;
        l4[8] = (uint8_t)(ack >> 24); l4[9] = (uint8_t)(ack >> 16);
        l4[10] = (uint8_t)(ack >> 8); l4[11] = (uint8_t)ack;
        l4[12] = 0x50;
        l4[13] = flags;
        l4[14] = 0xfa; l4[15] = 0xf0; /* window */
        memcpy(l4 + 20, payload, plen);
    } else {
        l4[4] = (uint8_t)(l4len >> 8); l4[5] = (uint8_t)l4len;
        memcpy(l4 + 8, payload, plen);
    }
    /* pseudo-header checksum */
    uint32_t sum = csum_add(0, ip + 12, 8) + proto + l4len;
    c = csum_fold(csum_add(sum, l4, l4len));
    if (proto == 17 && c == 0)
        c = 0xffff;
    if (proto == 6) {
        l4[16] = (uint8_t)(c >> 8); l4[17] = (uint8_t)c;
    } else {
        l4[6] = (uint8_t)(c >> 8); l4[7] = (uint8_t)c;
    }
    return push(g, ts, f, 14 + iplen);
}

static uint16_t ephemeral(struct gen *g)
{
    if (g->next_port < 32768)
        g->next_port = 32768;
    return g->next_port++;
}

static size_t dns_encode_name(uint8_t *out, const char *name)
{
    size_t o = 0;
    const char *p = name;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        out[o++] = (uint8_t)l;
        memcpy(out + o, p, l);
        o += l;
        p += l + (dot ? 1 : 0);
    }
    out[o++] = 0;
    return o;
}

/* A DNS lookup of name (type A) answered with addr, or NXDOMAIN if !addr. */
static int dns_lookup(struct gen *g, sk_nstime ts, const struct sk_addr *client,
                      const char *name, const struct sk_addr *addr)
{
    uint8_t q[512], r[600];
    uint16_t id = ++g->dns_id, port = ephemeral(g);
    size_t n = 12, m;
    int rc;

    memset(q, 0, 12);
    q[0] = (uint8_t)(id >> 8); q[1] = (uint8_t)id;
    q[2] = 0x01; /* RD */
    q[5] = 1;    /* qdcount */
    n += dns_encode_name(q + n, name);
    q[n++] = 0; q[n++] = 1; /* A */
    q[n++] = 0; q[n++] = 1; /* IN */
    if ((rc = ip_packet(g, ts, client, port, &g->resolver, 53, 17, 0, 0, 0, q, (uint32_t)n)) < 0)
        return rc;
    memcpy(r, q, n);
    r[2] = 0x81;
    r[3] = addr ? 0x80 : 0x83; /* RA, rcode NOERROR / NXDOMAIN */
    m = n;
    if (addr) {
        r[7] = 1; /* ancount */
        static const uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, DNS_TTL_S >> 8, DNS_TTL_S & 0xff, 0, 4};
        memcpy(r + m, rr, sizeof rr);
        m += sizeof rr;
        memcpy(r + m, addr->b + 12, 4);
        m += 4;
    }
    sk_nstime rtt = (sk_nstime)(2 + rng_below(&g->rng, 30)) * SK_NS_PER_MS;
    return ip_packet(g, ts + rtt, &g->resolver, 53, client, port, 17, 0, 0, 0, r, (uint32_t)m);
}

/* A TCP session: handshake, one request of req bytes, one response of resp
 * bytes, orderly close. */
static int tcp_session(struct gen *g, sk_nstime ts, const struct sk_addr *c,
                       const struct sk_addr *s, uint16_t dport, uint32_t req, uint32_t resp)
{
    uint8_t data[1400];
    uint16_t sport = ephemeral(g);
    sk_nstime rtt = (sk_nstime)(10 + rng_below(&g->rng, 80)) * SK_NS_PER_MS, t = ts;
    uint32_t cs = (uint32_t)rng_next(&g->rng), ss = (uint32_t)rng_next(&g->rng);
    int rc;

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)rng_next(&g->rng);
#define TX(src, sp, dst, dp, fl, sq, ak, n)                                                   \
    if ((rc = ip_packet(g, t, src, sp, dst, dp, 6, fl, sq, ak, data, n)) < 0)                 \
        return rc;
    TX(c, sport, s, dport, 0x02, cs, 0, 0);
    t += rtt / 2;
    TX(s, dport, c, sport, 0x12, ss, cs + 1, 0);
    t += rtt / 2;
    TX(c, sport, s, dport, 0x10, cs + 1, ss + 1, 0);
    uint32_t sent = 0;
    while (sent < req) {
        uint32_t n = req - sent > 1400 ? 1400 : req - sent;
        TX(c, sport, s, dport, 0x18, cs + 1 + sent, ss + 1, n);
        sent += n;
    }
    t += rtt / 2;
    TX(s, dport, c, sport, 0x10, ss + 1, cs + 1 + req, 0);
    t += SK_NS_PER_MS * (1 + rng_below(&g->rng, 20));
    sent = 0;
    while (sent < resp) {
        uint32_t n = resp - sent > 1400 ? 1400 : resp - sent;
        TX(s, dport, c, sport, 0x18, ss + 1 + sent, cs + 1 + req, n);
        sent += n;
        t += SK_NS_PER_US * 200;
    }
    t += rtt / 2;
    TX(c, sport, s, dport, 0x10, cs + 1 + req, ss + 1 + resp, 0);
    TX(c, sport, s, dport, 0x11, cs + 1 + req, ss + 1 + resp, 0);
    t += rtt / 2;
    TX(s, dport, c, sport, 0x11, ss + 1 + resp, cs + 2 + req, 0);
    t += rtt / 2;
    TX(c, sport, s, dport, 0x10, cs + 2 + req, ss + 2 + resp, 0);
#undef TX
    return 0;
}

static void host_addr(struct sk_addr *a, uint32_t i)
{
    /* 10.1.0.0/16 onwards, skipping .0 and .255 */
    uint32_t net = 10u << 24 | 1u << 16;
    sk_addr_from_v4(a, net + (i / 254) * 256 + i % 254 + 1);
}

static const char *const words[] = {
    "news", "shop", "mail", "cloud", "photo", "video", "music", "travel", "bank", "health",
    "sport", "game", "book", "food", "home", "auto", "tech", "learn", "maps", "docs",
    "weather", "city", "market", "social", "office", "store", "media", "daily", "world", "green",
    "blue", "north"};

static void site_name(char *out, size_t len, uint32_t i)
{
    snprintf(out, len, "www.%s%s.example", words[i % 32], words[(i / 32 + 7 * i) % 32]);
}

static void site_addr(struct sk_addr *a, uint32_t i)
{
    /* 198.51.100.0/24 and 192.0.2.0/24: 64 sites */
    if (i < 32)
        sk_addr_from_v4(a, (198u << 24 | 51u << 16 | 100u << 8) + 10 + i);
    else
        sk_addr_from_v4(a, (192u << 24 | 0u << 16 | 2u << 8) + 10 + (i - 32));
}

static int by_time(const void *a, const void *b)
{
    const struct pkt *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

void sk_synth_defaults(struct sk_synth_cfg *c)
{
    c->seed = 1;
    c->hosts = 20;
    c->duration = 3600 * SK_NS_PER_SEC;
    c->start = 1767225600ULL * SK_NS_PER_SEC; /* 2026-01-01T00:00:00Z */
    c->beacons = 1;
    c->beacon_period = 60 * SK_NS_PER_SEC;
    c->beacon_jitter = 0.1;
    c->size_jitter = 0.1;
}

int sk_synth_run(const struct sk_synth_cfg *cfg, const char *dir, struct sk_errinfo *ei)
{
    struct gen g;
    struct sk_pcapw *w = NULL;
    struct sk_buf truth, intel;
    char path[4096], name[128], a1[SK_ADDR_STRLEN], a2[SK_ADDR_STRLEN];
    sk_nstime end = cfg->start + cfg->duration;
    int rc;

    memset(&g, 0, sizeof g);
    g.cfg = *cfg;
    rng_seed(&g.rng, cfg->seed);
    sk_addr_from_v4(&g.resolver, 10u << 24 | 1u << 16 | 0u << 8 | 53);
    sk_addr_from_v4(&g.ntp, 10u << 24 | 1u << 16 | 0u << 8 | 123);
    sk_buf_init(&truth, 64u << 20);
    sk_buf_init(&intel, 1u << 20);

    if ((rc = sk_mkdir_p(dir, ei)) < 0)
        goto out;
    /* benign hosts */
    for (uint32_t h = 0; h < cfg->hosts; h++) {
        struct sk_addr host;
        sk_nstime cache_until[NSITES] = {0};
        host_addr(&host, h + 100);
        for (sk_nstime t = cfg->start + (sk_nstime)(rng_unit(&g.rng) * 60 * SK_NS_PER_SEC);
             t < end; t += (sk_nstime)(-log(1 - rng_unit(&g.rng)) * 90 * SK_NS_PER_SEC)) {
            uint32_t site = rng_below(&g.rng, NSITES);
            struct sk_addr srv;
            site_addr(&srv, site);
            if (t >= cache_until[site]) {
                site_name(name, sizeof name, site);
                if ((rc = dns_lookup(&g, t, &host, name, &srv)) < 0)
                    goto out;
                cache_until[site] = t + DNS_TTL_S * SK_NS_PER_SEC;
                t += 50 * SK_NS_PER_MS;
            }
            uint32_t req = 200 + rng_below(&g.rng, 800), resp = 500 + rng_below(&g.rng, 30000);
            if ((rc = tcp_session(&g, t, &host, &srv, 443, req, resp)) < 0)
                goto out;
        }
        /* NTP: periodic, benign */
        for (sk_nstime t = cfg->start + (sk_nstime)(rng_unit(&g.rng) * 1024 * SK_NS_PER_SEC);
             t < end; t += 1024 * SK_NS_PER_SEC + (sk_nstime)(rng_unit(&g.rng) * SK_NS_PER_SEC)) {
            uint8_t ntp[48] = {0x23};
            uint16_t port = ephemeral(&g);
            if ((rc = ip_packet(&g, t, &host, port, &g.ntp, 123, 17, 0, 0, 0, ntp, 48)) < 0 ||
                (rc = ip_packet(&g, t + 3 * SK_NS_PER_MS, &g.ntp, 123, &host, port, 17, 0, 0, 0,
                                ntp, 48)) < 0)
                goto out;
        }
    }

    if ((rc = sk_buf_printf(&truth, "{\n  \"seed\": %llu,\n  \"hosts\": %u,\n  \"beacons\": [",
                            (unsigned long long)cfg->seed, cfg->hosts)) < 0)
        goto out;
    if ((rc = sk_buf_puts(&intel, "# C2 servers of the synthesized scenario\n")) < 0)
        goto out;
    /* infected hosts */
    for (uint32_t b = 0; b < cfg->beacons; b++) {
        struct sk_addr victim, c2;
        sk_nstime cache_until = 0;
        uint32_t nconn = 0;
        host_addr(&victim, 10 + b);
        sk_addr_from_v4(&c2, (203u << 24 | 0u << 16 | 113u << 8) + 66 + b);
        snprintf(name, sizeof name, "cdn-update%u.example", b + 1);
        uint32_t req0 = 180 + rng_below(&g.rng, 100), resp0 = 300 + rng_below(&g.rng, 300);
        for (sk_nstime t = cfg->start + (sk_nstime)(rng_unit(&g.rng) * (double)cfg->beacon_period);
             t < end;) {
            if (t >= cache_until) {
                if ((rc = dns_lookup(&g, t, &victim, name, &c2)) < 0)
                    goto out;
                cache_until = t + DNS_TTL_S * SK_NS_PER_SEC;
                t += 40 * SK_NS_PER_MS;
            }
            double sj = cfg->size_jitter;
            uint32_t req = (uint32_t)(req0 * (1 + sj * (2 * rng_unit(&g.rng) - 1)));
            uint32_t resp = (uint32_t)(resp0 * (1 + sj * (2 * rng_unit(&g.rng) - 1)));
            if ((rc = tcp_session(&g, t, &victim, &c2, 443, req, resp)) < 0)
                goto out;
            nconn++;
            double j = cfg->beacon_jitter * (2 * rng_unit(&g.rng) - 1);
            t += (sk_nstime)((double)cfg->beacon_period * (1 + j));
        }
        if ((rc = sk_buf_printf(&truth,
                                "%s\n    {\"src_ip\": \"%s\", \"dst_ip\": \"%s\", \"dst_port\": 443,"
                                " \"name\": \"%s\", \"period_s\": %.3f, \"jitter\": %.3f,"
                                " \"connections\": %u}",
                                b ? "," : "", sk_addr_fmt(&victim, a1, sizeof a1),
                                sk_addr_fmt(&c2, a2, sizeof a2), name,
                                (double)cfg->beacon_period / SK_NS_PER_SEC, cfg->beacon_jitter,
                                nconn)) < 0 ||
            (rc = sk_buf_printf(&intel, "%s\n%s\n", a2, name)) < 0)
            goto out;
    }
    if ((rc = sk_buf_puts(&truth, "\n  ]\n}\n")) < 0)
        goto out;

    qsort(g.pkts, g.npkts, sizeof *g.pkts, by_time);
    snprintf(path, sizeof path, "%s/scenario.pcap", dir);
    if ((rc = sk_pcapw_open(&w, path, 1, ei)) < 0)
        goto out;
    for (size_t i = 0; i < g.npkts; i++)
        if ((rc = sk_pcapw_write(w, g.pkts[i].ts, g.pool + g.pkts[i].off, g.pkts[i].len)) < 0)
            break;
    if (rc < 0) {
        sk_pcapw_abort(w);
        sk_fail(ei, rc, "%s: write failed", path);
        goto out;
    }
    if ((rc = sk_pcapw_close(w, ei)) < 0)
        goto out;
    snprintf(path, sizeof path, "%s/truth.json", dir);
    if ((rc = sk_write_file_atomic(path, truth.data, truth.len, ei)) < 0)
        goto out;
    snprintf(path, sizeof path, "%s/intel.txt", dir);
    rc = sk_write_file_atomic(path, intel.data, intel.len, ei);
out:
    free(g.pkts);
    free(g.pool);
    sk_buf_free(&truth);
    sk_buf_free(&intel);
    return rc;
}
