/*
 * synth.c — the scenario synthesizer.
 *
 * Model: actors — each benign host's browsing, NTP and software-update
 * checks, and the malicious ones (beacons, DGA, DNS tunnels, long C2
 * connections) — each produce sessions at times drawn from their own
 * distribution, from their own random stream (so adding a DGA host does not
 * move a beacon). A session becomes packets: DNS lookup through the
 * resolver, TCP handshake, TLS ClientHello/ServerHello or an HTTP request,
 * data, orderly close.
 *
 * Streaming: actors wait in a min-heap by the time of their next session;
 * the earliest runs, and its packets go into a second min-heap. Every later
 * session starts at or after the earliest actor's time, so every queued
 * packet before that time is final and is written out. Memory is the
 * packets in flight (a few seconds of traffic) plus per-host state, not the
 * capture: 10,000 hosts for hours fit in tens of megabytes.
 *
 *   benign web   exponential gaps (mean web_mean) to one of 256 sites chosen
 *                by a Zipf law; a quarter of the sites sit on 8 CDN
 *                addresses, and most pages pull assets from CDN names too;
 *                HTTPS with a browser-like TLS ClientHello (SNI)
 *   NTP          every 1024 s ± 1 s to the internal NTP server
 *   updates      software-update checks over HTTP, periodic on purpose
 *                (period ± 2 %), each service installed on a share of hosts
 *   beacon       every period × (1 ± jitter) to its own C2 over HTTPS
 *                (another TLS fingerprint), request/response sizes × (1 ±
 *                size jitter); DNS lookup of the C2 name when its TTL ran out
 *   DGA          every 10 min ± 1 a burst of 20–40 lookups of one family's
 *                names, NXDOMAIN but for the one registered name, then a
 *                connection to its C2
 *   DNS tunnel   bursts of TXT (some NULL) queries with base32 data in the
 *                labels under one domain, TXT answers
 *   long conn    one TLS connection held for the whole scenario, a small
 *                exchange every 30 s
 * Randomness is xoshiro256** seeded by splitmix64 from (seed, actor).
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

#define NSITES 256
#define NCDN 8
#define DNS_TTL_S 300
#define DNS_CACHE 32
#define NOISE 65536
#define MAX_PAYLOAD 65536

/* ---- randomness ------------------------------------------------------------ */

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
/* symmetric: 1 ± j */
static double rng_pm(struct rng *r, double j) { return 1 + j * (2 * rng_unit(r) - 1); }
static sk_nstime rng_exp(struct rng *r, uint64_t mean)
{
    return (sk_nstime)(-log(1 - rng_unit(r)) * (double)mean);
}

/* ---- DGA name styles ------------------------------------------------------- */

const char *sk_dga_family_name(enum sk_dga_family f)
{
    static const char *const names[SK_DGA_NFAMILIES] = {"random", "alnum", "hex",
                                                         "syllable", "words2", "words4"};
    return (unsigned)f < SK_DGA_NFAMILIES ? names[f] : "?";
}

size_t sk_dga_label(enum sk_dga_family f, uint64_t seed, uint64_t index, char *out)
{
    static const char cons[] = "bcdfghjklmnpqrstvwxz", vow[] = "aeiouy";
    struct rng r;
    size_t n = 0, len;

    rng_seed(&r, seed * 0x9e3779b97f4a7c15ULL ^ (index + 1) * 0xd1b54a32d192ed03ULL ^ (uint64_t)f);
    switch (f) {
    case SK_DGA_RANDOM:
        len = 6 + rng_below(&r, 15);
        while (n < len)
            out[n++] = (char)('a' + rng_below(&r, 26));
        break;
    case SK_DGA_ALNUM:
        len = 12 + rng_below(&r, 13);
        while (n < len) {
            uint32_t c = rng_below(&r, 36);
            out[n++] = (char)(c < 26 ? 'a' + c : '0' + (c - 26));
        }
        break;
    case SK_DGA_HEX:
        len = 16 + 8 * rng_below(&r, 3);
        while (n < len)
            out[n++] = "0123456789abcdef"[rng_below(&r, 16)];
        break;
    case SK_DGA_SYLLABLE:
        len = 8 + rng_below(&r, 9);
        while (n < len) {
            out[n++] = cons[rng_below(&r, sizeof cons - 1)];
            if (n < len)
                out[n++] = vow[rng_below(&r, sizeof vow - 1)];
            if (n < len && rng_unit(&r) < 0.3)
                out[n++] = cons[rng_below(&r, sizeof cons - 1)];
        }
        break;
    case SK_DGA_WORDS2:
    case SK_DGA_WORDS4: {
        unsigned k = f == SK_DGA_WORDS2 ? 2 : 3 + rng_below(&r, 4);
        for (unsigned i = 0; i < k; i++) {
            const char *w = sk_synth_word(rng_below(&r, (uint32_t)sk_synth_nwords()));
            size_t wl = strlen(w);
            if (n + wl + 1 > 60)
                break;
            if (i && f == SK_DGA_WORDS4 && rng_unit(&r) < 0.2)
                out[n++] = '-';
            memcpy(out + n, w, wl);
            n += wl;
        }
        break;
    }
    default:
        out[n++] = 'x';
        break;
    }
    out[n] = '\0';
    return n;
}

/* ---- packets --------------------------------------------------------------- */

struct pkt {
    sk_nstime ts;
    uint64_t order; /* tie-break: generation order */
    uint32_t len;
    uint8_t *data;
};

enum actor_kind { A_WEB, A_NTP, A_UPDATE, A_BEACON, A_DGA, A_TUNNEL, A_LONG };

struct actor {
    uint8_t kind;
    uint32_t host;
    uint32_t idx; /* service / beacon / … number */
    struct rng rng;
    sk_nstime next;
    uint64_t period;
    uint32_t req0, resp0;
    sk_nstime dns_until;
    uint32_t count; /* sessions (truth) */
    uint32_t queries, nxdomain;
    /* long connection */
    uint16_t sport;
    uint32_t cseq, sseq;
    sk_nstime opened;
};

struct host {
    struct sk_addr addr;
    uint16_t port;
    struct {
        uint16_t site;
        sk_nstime until;
    } dns[DNS_CACHE];
};

struct gen {
    struct sk_synth_cfg cfg;
    sk_nstime end;
    struct pkt *pk;
    size_t npk, apk;
    uint64_t order;
    uint32_t *heap; /* actor indices */
    size_t nheap;
    struct actor *actors;
    size_t nactors, aactors;
    struct host *hosts;
    uint32_t nhosts;
    struct sk_addr resolver, ntp;
    uint16_t dns_id;
    uint8_t noise[NOISE];
    uint8_t payload[MAX_PAYLOAD];
    double site_cdf[NSITES];
    struct sk_pcapw *w;
    uint64_t packets;
    struct rng misc;
};

static int pk_less(const struct pkt *a, const struct pkt *b)
{
    return a->ts != b->ts ? a->ts < b->ts : a->order < b->order;
}

static int pk_push(struct gen *g, sk_nstime ts, const uint8_t *frame, uint32_t len)
{
    if (g->npk == g->apk) {
        size_t na = g->apk ? g->apk * 2 : 4096;
        struct pkt *nv = realloc(g->pk, na * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        g->pk = nv;
        g->apk = na;
    }
    struct pkt p = {ts, g->order++, len, malloc(len)};
    if (!p.data)
        return -SK_ENOMEM;
    memcpy(p.data, frame, len);
    size_t i = g->npk++;
    while (i > 0 && pk_less(&p, &g->pk[(i - 1) / 2])) {
        g->pk[i] = g->pk[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    g->pk[i] = p;
    return 0;
}

static void pk_pop(struct gen *g)
{
    struct pkt last = g->pk[--g->npk];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= g->npk)
            break;
        if (c + 1 < g->npk && pk_less(&g->pk[c + 1], &g->pk[c]))
            c++;
        if (!pk_less(&g->pk[c], &last))
            break;
        g->pk[i] = g->pk[c];
        i = c;
    }
    if (g->npk)
        g->pk[i] = last;
}

/* Writes every queued packet before `before`. */
static int pk_drain(struct gen *g, sk_nstime before)
{
    while (g->npk && g->pk[0].ts < before) {
        int rc = sk_pcapw_write(g->w, g->pk[0].ts, g->pk[0].data, g->pk[0].len);
        free(g->pk[0].data);
        pk_pop(g);
        if (rc < 0)
            return rc;
        g->packets++;
    }
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
    memset(f, 0, 14 + 20 + (proto == 6 ? 20 : 8));
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
        if (plen)
            memcpy(l4 + 20, payload, plen);
    } else {
        l4[4] = (uint8_t)(l4len >> 8); l4[5] = (uint8_t)l4len;
        if (plen)
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
    return pk_push(g, ts, f, 14 + iplen);
}

static uint16_t ephemeral(struct host *h)
{
    if (h->port < 32768)
        h->port = 32768;
    return h->port++;
}

/* ---- DNS ------------------------------------------------------------------- */

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

/* A DNS lookup through the resolver: type qtype; answered with addr (A),
 * with txt (TXT/NULL), or NXDOMAIN when neither is given. Returns the time
 * the answer arrived, or 0 on error (*rc set). */
static sk_nstime dns_lookup(struct gen *g, struct rng *r, sk_nstime ts, struct host *client,
                            const char *name, uint16_t qtype, const struct sk_addr *addr,
                            const char *txt, int *rc)
{
    uint8_t q[600], resp[1200];
    uint16_t id = ++g->dns_id, port = ephemeral(client);
    size_t n = 12, m;

    memset(q, 0, 12);
    q[0] = (uint8_t)(id >> 8); q[1] = (uint8_t)id;
    q[2] = 0x01; /* RD */
    q[5] = 1;    /* qdcount */
    n += dns_encode_name(q + n, name);
    q[n++] = (uint8_t)(qtype >> 8); q[n++] = (uint8_t)qtype;
    q[n++] = 0; q[n++] = 1; /* IN */
    if ((*rc = ip_packet(g, ts, &client->addr, port, &g->resolver, 53, 17, 0, 0, 0, q,
                         (uint32_t)n)) < 0)
        return 0;
    memcpy(resp, q, n);
    resp[2] = 0x81;
    int answered = addr || txt;
    resp[3] = answered ? 0x80 : 0x83; /* RA, rcode NOERROR / NXDOMAIN */
    m = n;
    if (addr) {
        static const uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, DNS_TTL_S >> 8, DNS_TTL_S & 0xff, 0, 4};
        resp[7] = 1;
        memcpy(resp + m, rr, sizeof rr);
        m += sizeof rr;
        memcpy(resp + m, addr->b + 12, 4);
        m += 4;
    } else if (txt) {
        size_t tl = strlen(txt);
        if (tl > 255)
            tl = 255;
        uint16_t rdlen = (uint16_t)(qtype == 16 ? tl + 1 : tl);
        uint8_t rr[] = {0xc0, 0x0c, (uint8_t)(qtype >> 8), (uint8_t)qtype, 0, 1, 0, 0, 0, 0,
                        (uint8_t)(rdlen >> 8), (uint8_t)rdlen};
        resp[7] = 1;
        memcpy(resp + m, rr, sizeof rr);
        m += sizeof rr;
        if (qtype == 16)
            resp[m++] = (uint8_t)tl;
        memcpy(resp + m, txt, tl);
        m += tl;
    }
    sk_nstime rtt = (sk_nstime)(2 + rng_below(r, 30)) * SK_NS_PER_MS;
    if ((*rc = ip_packet(g, ts + rtt, &g->resolver, 53, &client->addr, port, 17, 0, 0, 0, resp,
                         (uint32_t)m)) < 0)
        return 0;
    return ts + rtt;
}

/* ---- TLS and TCP ------------------------------------------------------------ */

static size_t put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return 2;
}

enum { TLS_BROWSER, TLS_IMPLANT };

/* A TLS ClientHello record naming sni; two fingerprints (JA3/JA4 differ):
 * a browser's and an implant's. Returns its length. */
static size_t client_hello(struct gen *g, struct rng *r, uint8_t *out, const char *sni, int profile)
{
    static const uint16_t browser_cs[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c,
                                          0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
                                          0x009d, 0x002f, 0x0035};
    static const uint16_t implant_cs[] = {0xc02c, 0xc02b, 0xc030, 0xc02f, 0x009f, 0x009e,
                                          0xc024, 0xc023, 0xc028, 0xc027, 0xc00a, 0xc009,
                                          0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c,
                                          0x0035, 0x002f, 0x000a};
    const uint16_t *cs = profile == TLS_BROWSER ? browser_cs : implant_cs;
    size_t ncs = profile == TLS_BROWSER ? sizeof browser_cs / 2 : sizeof implant_cs / 2;
    size_t snil = strlen(sni), o = 0, ext;
    uint8_t *p = out;

    p[o++] = 22; o += put16(p + o, 0x0301); o += 2;   /* record header; length later */
    p[o++] = 1; o += 3;                                /* ClientHello; length later */
    o += put16(p + o, 0x0303);
    for (int i = 0; i < 32; i++)
        p[o++] = (uint8_t)rng_next(r);
    p[o++] = 32;
    for (int i = 0; i < 32; i++)
        p[o++] = (uint8_t)rng_next(r);
    o += put16(p + o, (uint16_t)(ncs * 2));
    for (size_t i = 0; i < ncs; i++)
        o += put16(p + o, cs[i]);
    p[o++] = 1; p[o++] = 0;                            /* compression: null */
    ext = o;
    o += 2;
    /* server_name */
    o += put16(p + o, 0); o += put16(p + o, (uint16_t)(snil + 5));
    o += put16(p + o, (uint16_t)(snil + 3)); p[o++] = 0; o += put16(p + o, (uint16_t)snil);
    memcpy(p + o, sni, snil); o += snil;
    if (profile == TLS_BROWSER) {
        o += put16(p + o, 23); o += put16(p + o, 0);               /* extended master secret */
        o += put16(p + o, 0xff01); o += put16(p + o, 1); p[o++] = 0; /* renegotiation info */
    }
    o += put16(p + o, 10); o += put16(p + o, 8); o += put16(p + o, 6); /* supported groups */
    o += put16(p + o, 0x001d); o += put16(p + o, 0x0017); o += put16(p + o, 0x0018);
    o += put16(p + o, 11); o += put16(p + o, 2); p[o++] = 1; p[o++] = 0; /* point formats */
    o += put16(p + o, 35); o += put16(p + o, 0);                   /* session ticket */
    if (profile == TLS_BROWSER) {
        static const uint8_t alpn[] = {0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        o += put16(p + o, 16); o += put16(p + o, sizeof alpn);
        memcpy(p + o, alpn, sizeof alpn); o += sizeof alpn;
    }
    static const uint16_t sigs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    o += put16(p + o, 13); o += put16(p + o, sizeof sigs + 2); o += put16(p + o, sizeof sigs);
    for (size_t i = 0; i < sizeof sigs / 2; i++)
        o += put16(p + o, sigs[i]);
    if (profile == TLS_BROWSER) {
        o += put16(p + o, 43); o += put16(p + o, 5); p[o++] = 4;   /* supported versions */
        o += put16(p + o, 0x0304); o += put16(p + o, 0x0303);
        o += put16(p + o, 45); o += put16(p + o, 2); p[o++] = 1; p[o++] = 1; /* psk modes */
        o += put16(p + o, 51); o += put16(p + o, 38); o += put16(p + o, 36); /* key share */
        o += put16(p + o, 0x001d); o += put16(p + o, 32);
        memcpy(p + o, g->noise + rng_below(r, NOISE - 32), 32); o += 32;
    } else {
        o += put16(p + o, 23); o += put16(p + o, 0);
        o += put16(p + o, 0xff01); o += put16(p + o, 1); p[o++] = 0;
    }
    put16(p + ext, (uint16_t)(o - ext - 2));
    put16(p + 3, (uint16_t)(o - 5));
    p[6] = 0; put16(p + 7, (uint16_t)(o - 9));
    return o;
}

static size_t server_hello(struct rng *r, uint8_t *p)
{
    size_t o = 0;
    p[o++] = 22; o += put16(p + o, 0x0303); o += 2;
    p[o++] = 2; o += 3;
    o += put16(p + o, 0x0303);
    for (int i = 0; i < 32; i++)
        p[o++] = (uint8_t)rng_next(r);
    p[o++] = 32;
    for (int i = 0; i < 32; i++)
        p[o++] = (uint8_t)rng_next(r);
    o += put16(p + o, 0xc02f);
    p[o++] = 0;
    o += put16(p + o, 9);
    o += put16(p + o, 0xff01); o += put16(p + o, 1); p[o++] = 0;
    o += put16(p + o, 23); o += put16(p + o, 0);
    put16(p + 3, (uint16_t)(o - 5));
    p[6] = 0; put16(p + 7, (uint16_t)(o - 9));
    return o;
}

/* Application data of n bytes as TLS records (opaque, as on the wire). */
static size_t app_data(struct gen *g, struct rng *r, uint8_t *out, size_t n)
{
    size_t o = 0;
    while (o + 5 < n) {
        size_t chunk = n - o - 5 > 16384 ? 16384 : n - o - 5;
        out[o] = 23;
        put16(out + o + 1, 0x0303);
        put16(out + o + 3, (uint16_t)chunk);
        memcpy(out + o + 5, g->noise + rng_below(r, NOISE - 16384), chunk);
        o += 5 + chunk;
    }
    return o;
}

struct tcp {
    struct sk_addr c, s;
    uint16_t sport, dport;
    uint32_t cseq, sseq; /* next sequence number each way */
    sk_nstime rtt;
};

#define TX(fromc, fl, data, n)                                                                   \
    ((fromc) ? ip_packet(g, t, &k->c, k->sport, &k->s, k->dport, 6, fl, k->cseq, k->sseq, data, n) \
             : ip_packet(g, t, &k->s, k->dport, &k->c, k->sport, 6, fl, k->sseq, k->cseq, data, n))

static int tcp_open(struct gen *g, struct tcp *k, sk_nstime *tp)
{
    sk_nstime t = *tp;
    int rc;
    if ((rc = ip_packet(g, t, &k->c, k->sport, &k->s, k->dport, 6, 0x02, k->cseq, 0, NULL, 0)) < 0)
        return rc;
    k->cseq++;
    t += k->rtt / 2;
    if ((rc = ip_packet(g, t, &k->s, k->dport, &k->c, k->sport, 6, 0x12, k->sseq, k->cseq, NULL, 0)) < 0)
        return rc;
    k->sseq++;
    t += k->rtt / 2;
    if ((rc = TX(1, 0x10, NULL, 0)) < 0)
        return rc;
    *tp = t;
    return 0;
}

/* Sends n bytes one way in segments of ≤ 1400, then the other side ACKs. */
static int tcp_send(struct gen *g, struct tcp *k, sk_nstime *tp, int fromc, const uint8_t *d, size_t n)
{
    sk_nstime t = *tp;
    size_t sent = 0;
    int rc;
    while (sent < n) {
        uint32_t seg = n - sent > 1400 ? 1400 : (uint32_t)(n - sent);
        if ((rc = TX(fromc, 0x18, d + sent, seg)) < 0)
            return rc;
        if (fromc)
            k->cseq += seg;
        else
            k->sseq += seg;
        sent += seg;
        t += 120 * SK_NS_PER_US;
    }
    t += k->rtt / 2;
    if ((rc = TX(!fromc, 0x10, NULL, 0)) < 0)
        return rc;
    *tp = t;
    return 0;
}

static int tcp_close(struct gen *g, struct tcp *k, sk_nstime *tp)
{
    sk_nstime t = *tp;
    int rc;
    if ((rc = TX(1, 0x11, NULL, 0)) < 0)
        return rc;
    k->cseq++;
    t += k->rtt / 2;
    if ((rc = TX(0, 0x11, NULL, 0)) < 0)
        return rc;
    k->sseq++;
    t += k->rtt / 2;
    if ((rc = TX(1, 0x10, NULL, 0)) < 0)
        return rc;
    *tp = t;
    return 0;
}
#undef TX

static void tcp_init(struct tcp *k, struct rng *r, struct host *h, const struct sk_addr *srv,
                     uint16_t dport)
{
    k->c = h->addr;
    k->s = *srv;
    k->sport = ephemeral(h);
    k->dport = dport;
    k->cseq = (uint32_t)rng_next(r);
    k->sseq = (uint32_t)rng_next(r);
    k->rtt = (sk_nstime)(10 + rng_below(r, 80)) * SK_NS_PER_MS;
}

/* An HTTPS session: handshake, ClientHello/ServerHello, req bytes of
 * application data up, resp down, close. */
static int tls_session(struct gen *g, struct rng *r, sk_nstime t, struct host *h,
                       const struct sk_addr *srv, const char *sni, int profile, uint32_t req,
                       uint32_t resp)
{
    struct tcp k;
    size_t n;
    int rc;

    tcp_init(&k, r, h, srv, 443);
    if ((rc = tcp_open(g, &k, &t)) < 0)
        return rc;
    n = client_hello(g, r, g->payload, sni, profile);
    if ((rc = tcp_send(g, &k, &t, 1, g->payload, n)) < 0)
        return rc;
    n = server_hello(r, g->payload);
    if ((rc = tcp_send(g, &k, &t, 0, g->payload, n)) < 0)
        return rc;
    n = app_data(g, r, g->payload, req > MAX_PAYLOAD ? MAX_PAYLOAD : req);
    if ((rc = tcp_send(g, &k, &t, 1, g->payload, n)) < 0)
        return rc;
    t += SK_NS_PER_MS * (1 + rng_below(r, 20));
    n = app_data(g, r, g->payload, resp > MAX_PAYLOAD ? MAX_PAYLOAD : resp);
    if ((rc = tcp_send(g, &k, &t, 0, g->payload, n)) < 0)
        return rc;
    return tcp_close(g, &k, &t);
}

/* A plain HTTP request with a Host header, and a response of resp bytes. */
static int http_session(struct gen *g, struct rng *r, sk_nstime t, struct host *h,
                        const struct sk_addr *srv, const char *host, const char *uri,
                        uint32_t resp)
{
    struct tcp k;
    int rc, n;

    tcp_init(&k, r, h, srv, 80);
    if ((rc = tcp_open(g, &k, &t)) < 0)
        return rc;
    n = snprintf((char *)g->payload, MAX_PAYLOAD,
                 "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: updater/2.4\r\nAccept: */*\r\n\r\n",
                 uri, host);
    if ((rc = tcp_send(g, &k, &t, 1, g->payload, (size_t)n)) < 0)
        return rc;
    n = snprintf((char *)g->payload, MAX_PAYLOAD,
                 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %u\r\n\r\n",
                 resp);
    size_t total = (size_t)n + resp > MAX_PAYLOAD ? MAX_PAYLOAD : (size_t)n + resp;
    memset(g->payload + n, 'a', total - (size_t)n);
    t += SK_NS_PER_MS * (1 + rng_below(r, 20));
    if ((rc = tcp_send(g, &k, &t, 0, g->payload, total)) < 0)
        return rc;
    return tcp_close(g, &k, &t);
}

/* ---- the outside world ------------------------------------------------------ */

static void host_addr(struct sk_addr *a, uint32_t i)
{
    /* 10.1.0.0 onwards, skipping .0 and .255 */
    uint32_t net = 10u << 24 | 1u << 16;
    sk_addr_from_v4(a, net + (i / 254) * 256 + i % 254 + 1);
}

static void site_name(char *out, size_t len, uint32_t i)
{
    size_t nw = sk_synth_nwords();
    const char *a = sk_synth_word(i * 7919u % nw), *b = sk_synth_word((i * 104729u + 13) % nw);
    if (i % 3 == 0)
        snprintf(out, len, "www.%s.example", a);
    else
        snprintf(out, len, "www.%s%s.example", a, b);
}

static void cdn_addr(struct sk_addr *a, uint32_t i)
{
    sk_addr_from_v4(a, (192u << 24 | 0u << 16 | 2u << 8) + 10 + i % NCDN);
}

static void site_addr(struct sk_addr *a, uint32_t i)
{
    if (i % 4 == 1)
        cdn_addr(a, i);
    else if (i < 200)
        sk_addr_from_v4(a, (198u << 24 | 51u << 16 | 100u << 8) + 10 + i);
    else
        sk_addr_from_v4(a, (192u << 24 | 0u << 16 | 2u << 8) + 100 + (i - 200));
}

struct update_service {
    const char *name;
    const char *uri;
    uint32_t period_s;
    double share; /* of hosts that have it */
    uint32_t resp;
};

static const struct update_service updates[] = {
    {"update.osvendor.example", "/v1/check?channel=stable", 3600, 1.00, 420},
    {"definitions.avvendor.example", "/defs/latest.json", 1800, 0.80, 610},
    {"telemetry.browser.example", "/ping", 900, 0.60, 180},
    {"checkin.mdm.example", "/api/checkin", 600, 0.50, 350},
    {"sync.office.example", "/sync/status", 300, 0.40, 240},
};
#define NUPDATES (sizeof updates / sizeof updates[0])

static void update_addr(struct sk_addr *a, uint32_t i)
{
    sk_addr_from_v4(a, (192u << 24 | 0u << 16 | 2u << 8) + 20 + i);
}

static void c2_addr(struct sk_addr *a, uint32_t kind, uint32_t i)
{
    /* beacons .66–.165 (as before), DGA .170–.189, long connections .190–.209 */
    uint32_t base = kind == A_BEACON ? 66 : kind == A_DGA ? 170 : 190;
    sk_addr_from_v4(a, (203u << 24 | 0u << 16 | 113u << 8) + base + i);
}

static void beacon_name(char *out, size_t len, uint32_t b)
{
    snprintf(out, len, "cdn-update%u.example", b + 1);
}

/* ---- actors ------------------------------------------------------------------ */

static int host_resolve(struct gen *g, struct rng *r, struct host *h, uint32_t site,
                        sk_nstime *t, const char *name, const struct sk_addr *addr)
{
    uint32_t slot = site % DNS_CACHE;
    int rc = 0;
    if (h->dns[slot].site == site + 1 && h->dns[slot].until > *t)
        return 0;
    sk_nstime at = dns_lookup(g, r, *t, h, name, 1, addr, NULL, &rc);
    if (rc < 0)
        return rc;
    h->dns[slot].site = (uint16_t)(site + 1);
    h->dns[slot].until = *t + DNS_TTL_S * SK_NS_PER_SEC;
    *t = at + (sk_nstime)(1 + rng_below(r, 20)) * SK_NS_PER_MS;
    return 0;
}

static uint32_t pick_site(struct gen *g, struct rng *r)
{
    double u = rng_unit(r);
    uint32_t lo = 0, hi = NSITES - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (g->site_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int run_web(struct gen *g, struct actor *a)
{
    struct host *h = &g->hosts[a->host];
    struct rng *r = &a->rng;
    char name[128];
    struct sk_addr srv;
    sk_nstime t = a->next;
    int rc;

    uint32_t site = pick_site(g, r);
    site_name(name, sizeof name, site);
    site_addr(&srv, site);
    if ((rc = host_resolve(g, r, h, site, &t, name, &srv)) < 0)
        return rc;
    uint32_t resp = (uint32_t)fmin(60000, 1500 + rng_exp(r, 6000));
    if ((rc = tls_session(g, r, t, h, &srv, name, TLS_BROWSER, 300 + rng_below(r, 1200), resp)) < 0)
        return rc;
    /* page assets from CDN names */
    uint32_t assets = rng_unit(r) < 0.7 ? 1 + rng_below(r, 3) : 0;
    for (uint32_t i = 0; i < assets; i++) {
        uint32_t c = rng_below(r, NCDN * 4);
        char cname[64];
        struct sk_addr caddr;
        snprintf(cname, sizeof cname, "static%u.cdnnet.example", c);
        cdn_addr(&caddr, c);
        t += (sk_nstime)(50 + rng_below(r, 400)) * SK_NS_PER_MS;
        if ((rc = host_resolve(g, r, h, NSITES + c, &t, cname, &caddr)) < 0 ||
            (rc = tls_session(g, r, t, h, &caddr, cname, TLS_BROWSER, 400 + rng_below(r, 600),
                              (uint32_t)fmin(60000, 800 + rng_exp(r, 5000)))) < 0)
            return rc;
    }
    a->count++;
    a->next += 1 * SK_NS_PER_SEC + rng_exp(r, g->cfg.web_mean);
    return 0;
}

static int run_ntp(struct gen *g, struct actor *a)
{
    struct host *h = &g->hosts[a->host];
    uint8_t ntp[48] = {0x23};
    uint16_t port = ephemeral(h);
    int rc;
    if ((rc = ip_packet(g, a->next, &h->addr, port, &g->ntp, 123, 17, 0, 0, 0, ntp, 48)) < 0 ||
        (rc = ip_packet(g, a->next + 3 * SK_NS_PER_MS, &g->ntp, 123, &h->addr, port, 17, 0, 0, 0,
                        ntp, 48)) < 0)
        return rc;
    a->count++;
    a->next += 1024 * SK_NS_PER_SEC + (sk_nstime)(rng_unit(&a->rng) * SK_NS_PER_SEC);
    return 0;
}

static int run_update(struct gen *g, struct actor *a)
{
    const struct update_service *u = &updates[a->idx];
    struct host *h = &g->hosts[a->host];
    struct sk_addr srv;
    sk_nstime t = a->next;
    int rc;

    update_addr(&srv, a->idx);
    if ((rc = host_resolve(g, &a->rng, h, NSITES + 64 + a->idx, &t, u->name, &srv)) < 0 ||
        (rc = http_session(g, &a->rng, t, h, &srv, u->name, u->uri,
                           (uint32_t)(u->resp * rng_pm(&a->rng, 0.02)))) < 0)
        return rc;
    a->count++;
    a->next += (sk_nstime)((double)a->period * rng_pm(&a->rng, 0.02));
    return 0;
}

static int run_beacon(struct gen *g, struct actor *a)
{
    struct host *h = &g->hosts[a->host];
    struct rng *r = &a->rng;
    struct sk_addr c2;
    char name[64];
    sk_nstime t = a->next;
    int rc = 0;

    c2_addr(&c2, A_BEACON, a->idx);
    beacon_name(name, sizeof name, a->idx);
    if (t >= a->dns_until) {
        t = dns_lookup(g, r, t, h, name, 1, &c2, NULL, &rc);
        if (rc < 0)
            return rc;
        a->dns_until = a->next + DNS_TTL_S * SK_NS_PER_SEC;
        t += 10 * SK_NS_PER_MS;
    }
    double sj = g->cfg.size_jitter;
    uint32_t req = (uint32_t)(a->req0 * rng_pm(r, sj)), resp = (uint32_t)(a->resp0 * rng_pm(r, sj));
    if ((rc = tls_session(g, r, t, h, &c2, name, TLS_IMPLANT, req, resp)) < 0)
        return rc;
    a->count++;
    a->next += (sk_nstime)((double)a->period * rng_pm(r, g->cfg.beacon_jitter));
    return 0;
}

static int run_dga(struct gen *g, struct actor *a)
{
    struct host *h = &g->hosts[a->host];
    struct rng *r = &a->rng;
    enum sk_dga_family fam = (enum sk_dga_family)(a->idx % SK_DGA_NFAMILIES);
    uint32_t n = 20 + rng_below(r, 21), hit = a->count % 3 == 0 ? rng_below(r, n) : UINT32_MAX;
    sk_nstime t = a->next;
    struct sk_addr c2;
    char label[64], name[96];
    int rc = 0;

    c2_addr(&c2, A_DGA, a->idx);
    for (uint32_t i = 0; i < n; i++) {
        sk_dga_label(fam, g->cfg.seed ^ (a->idx + 1) * 0x51ed27ULL, (uint64_t)a->count * 64 + i, label);
        snprintf(name, sizeof name, "%s.example", label);
        sk_nstime at = dns_lookup(g, r, t, h, name, 1, i == hit ? &c2 : NULL, NULL, &rc);
        if (rc < 0)
            return rc;
        a->queries++;
        if (i != hit) {
            a->nxdomain++;
        } else if ((rc = tls_session(g, r, at + 20 * SK_NS_PER_MS, h, &c2, name, TLS_IMPLANT,
                                     300 + rng_below(r, 200), 800 + rng_below(r, 400))) < 0) {
            return rc;
        }
        t += (sk_nstime)(100 + rng_below(r, 400)) * SK_NS_PER_MS;
    }
    a->count++;
    a->next += (sk_nstime)(600 * rng_pm(r, 0.1) * SK_NS_PER_SEC);
    return 0;
}

static void base32(struct rng *r, char *out, size_t n)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
    for (size_t i = 0; i < n; i++)
        out[i] = alpha[rng_below(r, 32)];
    out[n] = '\0';
}

static int run_tunnel(struct gen *g, struct actor *a)
{
    struct host *h = &g->hosts[a->host];
    struct rng *r = &a->rng;
    uint32_t n = 5 + rng_below(r, 20);
    sk_nstime t = a->next;
    char d1[64], d2[64], name[200], txt[200];
    int rc = 0;

    for (uint32_t i = 0; i < n; i++) {
        uint16_t qtype = rng_unit(r) < 0.8 ? 16 : 10;
        base32(r, d1, 40 + rng_below(r, 20));
        base32(r, d2, 20 + rng_below(r, 30));
        snprintf(name, sizeof name, "%s.%s.%x.t.tunnel%u.example", d1, d2, a->queries & 0xffff,
                 a->idx + 1);
        base32(r, txt, 60 + rng_below(r, 120));
        dns_lookup(g, r, t, h, name, qtype, NULL, txt, &rc);
        if (rc < 0)
            return rc;
        a->queries++;
        t += (sk_nstime)(30 + rng_below(r, 200)) * SK_NS_PER_MS;
    }
    a->count++;
    a->next = t + (sk_nstime)(1 + rng_below(r, 5)) * SK_NS_PER_SEC;
    return 0;
}

static int run_long(struct gen *g, struct actor *a)
{
    struct host *h = &g->hosts[a->host];
    struct rng *r = &a->rng;
    struct sk_addr c2;
    struct tcp k;
    sk_nstime t = a->next;
    size_t n;
    int rc;

    c2_addr(&c2, A_LONG, a->idx);
    memset(&k, 0, sizeof k);
    k.c = h->addr;
    k.s = c2;
    k.dport = 443;
    k.rtt = 40 * SK_NS_PER_MS;
    if (!a->sport) {
        char name[64];
        tcp_init(&k, r, h, &c2, 443);
        if ((rc = tcp_open(g, &k, &t)) < 0)
            return rc;
        snprintf(name, sizeof name, "relay%u.example", a->idx + 1);
        n = client_hello(g, r, g->payload, name, TLS_IMPLANT);
        if ((rc = tcp_send(g, &k, &t, 1, g->payload, n)) < 0)
            return rc;
        n = server_hello(r, g->payload);
        if ((rc = tcp_send(g, &k, &t, 0, g->payload, n)) < 0)
            return rc;
        a->sport = k.sport;
        a->opened = a->next;
    } else {
        k.sport = a->sport;
        k.cseq = a->cseq;
        k.sseq = a->sseq;
    }
    sk_nstime next = a->next + (sk_nstime)(30 * rng_pm(r, 0.1) * SK_NS_PER_SEC);
    if (next >= g->end) {
        if ((rc = tcp_close(g, &k, &t)) < 0)
            return rc;
        a->count++;
    } else {
        n = app_data(g, r, g->payload, 60 + rng_below(r, 200));
        if ((rc = tcp_send(g, &k, &t, 1, g->payload, n)) < 0)
            return rc;
        n = app_data(g, r, g->payload, 60 + rng_below(r, 400));
        if ((rc = tcp_send(g, &k, &t, 0, g->payload, n)) < 0)
            return rc;
    }
    a->cseq = k.cseq;
    a->sseq = k.sseq;
    a->next = next;
    return 0;
}

/* ---- scheduling -------------------------------------------------------------- */

static int act_less(const struct gen *g, uint32_t x, uint32_t y)
{
    const struct actor *a = &g->actors[x], *b = &g->actors[y];
    return a->next != b->next ? a->next < b->next : x < y;
}

static void heap_down(struct gen *g, size_t i)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= g->nheap)
            return;
        if (c + 1 < g->nheap && act_less(g, g->heap[c + 1], g->heap[c]))
            c++;
        if (!act_less(g, g->heap[c], g->heap[i]))
            return;
        uint32_t tmp = g->heap[i];
        g->heap[i] = g->heap[c];
        g->heap[c] = tmp;
        i = c;
    }
}

static struct actor *add_actor(struct gen *g, uint8_t kind, uint32_t host, uint32_t idx)
{
    if (g->nactors == g->aactors) {
        size_t na = g->aactors ? g->aactors * 2 : 1024;
        struct actor *nv = realloc(g->actors, na * sizeof *nv);
        if (!nv)
            return NULL;
        g->actors = nv;
        g->aactors = na;
    }
    struct actor *a = &g->actors[g->nactors++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->host = host;
    a->idx = idx;
    rng_seed(&a->rng, g->cfg.seed ^ ((uint64_t)kind << 56) ^ ((uint64_t)host << 24) ^ idx);
    return a;
}

void sk_synth_defaults(struct sk_synth_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 1;
    c->hosts = 20;
    c->duration = 3600 * SK_NS_PER_SEC;
    c->start = 1767225600ULL * SK_NS_PER_SEC; /* 2026-01-01T00:00:00Z */
    c->beacons = 1;
    c->beacon_period = 60 * SK_NS_PER_SEC;
    c->beacon_jitter = 0.1;
    c->size_jitter = 0.1;
    c->beacon_period_max = 0;
    c->web_mean = 90 * SK_NS_PER_SEC;
    c->update_services = 3;
    c->dga = 0;
    c->tunnels = 0;
    c->longconns = 0;
}

/* Infected host k of n among the hosts, spread out. */
static uint32_t victim(const struct gen *g, uint32_t k, uint32_t n)
{
    return (uint32_t)((uint64_t)k * g->nhosts / n + (g->nhosts / n) / 2) % g->nhosts;
}

static int truth_actor(struct gen *g, struct sk_buf *truth, struct sk_buf *intel, const struct actor *a,
                       int first)
{
    char h[SK_ADDR_STRLEN], d[SK_ADDR_STRLEN], name[64];
    struct sk_addr c2;
    const char *sep = first ? "" : ",";

    sk_addr_fmt(&g->hosts[a->host].addr, h, sizeof h);
    switch (a->kind) {
    case A_BEACON:
        c2_addr(&c2, A_BEACON, a->idx);
        beacon_name(name, sizeof name, a->idx);
        if (sk_buf_printf(intel, "%s\n%s\n", sk_addr_fmt(&c2, d, sizeof d), name) < 0)
            return -SK_ETOOBIG;
        return sk_buf_printf(truth,
                             "%s\n    {\"src_ip\": \"%s\", \"dst_ip\": \"%s\", \"dst_port\": 443,"
                             " \"name\": \"%s\", \"period_s\": %.3f, \"jitter\": %.3f,"
                             " \"size_jitter\": %.3f, \"connections\": %u}",
                             sep, h, d, name, (double)a->period / SK_NS_PER_SEC,
                             g->cfg.beacon_jitter, g->cfg.size_jitter, a->count);
    case A_DGA:
        c2_addr(&c2, A_DGA, a->idx);
        return sk_buf_printf(truth,
                             "%s\n    {\"src_ip\": \"%s\", \"family\": \"%s\", \"c2_ip\": \"%s\","
                             " \"bursts\": %u, \"queries\": %u, \"nxdomain\": %u}",
                             sep, h, sk_dga_family_name((enum sk_dga_family)(a->idx % SK_DGA_NFAMILIES)),
                             sk_addr_fmt(&c2, d, sizeof d), a->count, a->queries, a->nxdomain);
    case A_TUNNEL:
        return sk_buf_printf(truth,
                             "%s\n    {\"src_ip\": \"%s\", \"domain\": \"tunnel%u.example\","
                             " \"queries\": %u}",
                             sep, h, a->idx + 1, a->queries);
    case A_LONG:
        c2_addr(&c2, A_LONG, a->idx);
        return sk_buf_printf(truth,
                             "%s\n    {\"src_ip\": \"%s\", \"dst_ip\": \"%s\", \"dst_port\": 443,"
                             " \"name\": \"relay%u.example\", \"duration_s\": %.0f}",
                             sep, h, sk_addr_fmt(&c2, d, sizeof d), a->idx + 1,
                             (double)(g->end - a->opened) / SK_NS_PER_SEC);
    default:
        return 0;
    }
}

static int write_truth(struct gen *g, struct sk_buf *truth, struct sk_buf *intel)
{
    static const uint8_t kinds[] = {A_BEACON, A_DGA, A_TUNNEL, A_LONG};
    static const char *const keys[] = {"beacons", "dga", "tunnels", "long_connections"};
    int rc;

    if ((rc = sk_buf_printf(truth, "{\n  \"seed\": %llu,\n  \"hosts\": %u,\n  \"duration_s\": %.0f,"
                                   "\n  \"benign_periodic\": [",
                            (unsigned long long)g->cfg.seed, g->nhosts,
                            (double)g->cfg.duration / SK_NS_PER_SEC)) < 0)
        return rc;
    for (uint32_t u = 0; u < g->cfg.update_services && u < NUPDATES; u++) {
        char d[SK_ADDR_STRLEN];
        struct sk_addr a;
        uint32_t n = 0;
        update_addr(&a, u);
        for (size_t i = 0; i < g->nactors; i++)
            n += g->actors[i].kind == A_UPDATE && g->actors[i].idx == u;
        if ((rc = sk_buf_printf(truth,
                                "%s\n    {\"name\": \"%s\", \"dst_ip\": \"%s\", \"period_s\": %u,"
                                " \"hosts\": %u}",
                                u ? "," : "", updates[u].name, sk_addr_fmt(&a, d, sizeof d),
                                updates[u].period_s, n)) < 0)
            return rc;
    }
    if ((rc = sk_buf_puts(truth, "\n  ]")) < 0 ||
        (rc = sk_buf_puts(intel, "# C2 servers of the synthesized scenario\n")) < 0)
        return rc;
    for (size_t k = 0; k < sizeof kinds; k++) {
        int first = 1;
        if ((rc = sk_buf_printf(truth, ",\n  \"%s\": [", keys[k])) < 0)
            return rc;
        for (size_t i = 0; i < g->nactors; i++) {
            if (g->actors[i].kind != kinds[k])
                continue;
            if ((rc = truth_actor(g, truth, intel, &g->actors[i], first)) < 0)
                return rc;
            first = 0;
        }
        if ((rc = sk_buf_puts(truth, first ? "]" : "\n  ]")) < 0)
            return rc;
    }
    return sk_buf_puts(truth, "\n}\n");
}

static int setup(struct gen *g)
{
    const struct sk_synth_cfg *c = &g->cfg;
    uint32_t infected = c->beacons + c->dga + c->tunnels + c->longconns;
    double sum = 0;

    g->nhosts = c->hosts > infected ? c->hosts : infected;
    if (g->nhosts == 0)
        return 0;
    if (!(g->hosts = calloc(g->nhosts, sizeof *g->hosts)))
        return -SK_ENOMEM;
    rng_seed(&g->misc, c->seed);
    for (size_t i = 0; i < NOISE; i++)
        g->noise[i] = (uint8_t)rng_next(&g->misc);
    for (uint32_t i = 0; i < NSITES; i++)
        sum += g->site_cdf[i] = 1.0 / pow(i + 1, 0.9);
    double acc = 0;
    for (uint32_t i = 0; i < NSITES; i++)
        g->site_cdf[i] = (acc += g->site_cdf[i]) / sum;
    sk_addr_from_v4(&g->resolver, 10u << 24 | 0u << 16 | 0u << 8 | 53);
    sk_addr_from_v4(&g->ntp, 10u << 24 | 0u << 16 | 0u << 8 | 123);

    for (uint32_t h = 0; h < g->nhosts; h++) {
        struct actor *a;
        host_addr(&g->hosts[h].addr, h);
        g->hosts[h].port = (uint16_t)(32768 + rng_below(&g->misc, 20000));
        if (!(a = add_actor(g, A_WEB, h, 0)))
            return -SK_ENOMEM;
        a->next = c->start + (sk_nstime)(rng_unit(&a->rng) * (double)c->web_mean);
        if (!(a = add_actor(g, A_NTP, h, 0)))
            return -SK_ENOMEM;
        a->next = c->start + (sk_nstime)(rng_unit(&a->rng) * 1024 * SK_NS_PER_SEC);
        for (uint32_t u = 0; u < c->update_services && u < NUPDATES; u++) {
            if (rng_unit(&g->misc) >= updates[u].share)
                continue;
            if (!(a = add_actor(g, A_UPDATE, h, u)))
                return -SK_ENOMEM;
            a->period = updates[u].period_s * SK_NS_PER_SEC;
            a->next = c->start + (sk_nstime)(rng_unit(&a->rng) * (double)a->period);
        }
    }
    uint32_t k = 0;
    for (uint32_t b = 0; b < c->beacons; b++, k++) {
        struct actor *a = add_actor(g, A_BEACON, victim(g, k, infected), b);
        if (!a)
            return -SK_ENOMEM;
        a->period = c->beacon_period;
        if (c->beacon_period_max > c->beacon_period)
            a->period = (uint64_t)((double)c->beacon_period *
                                   pow((double)c->beacon_period_max / (double)c->beacon_period,
                                       rng_unit(&a->rng)));
        a->req0 = 180 + rng_below(&a->rng, 100);
        a->resp0 = 300 + rng_below(&a->rng, 300);
        a->next = c->start + (sk_nstime)(rng_unit(&a->rng) * (double)a->period);
    }
    for (uint32_t d = 0; d < c->dga; d++, k++) {
        struct actor *a = add_actor(g, A_DGA, victim(g, k, infected), d);
        if (!a)
            return -SK_ENOMEM;
        a->next = c->start + (sk_nstime)(rng_unit(&a->rng) * 300 * SK_NS_PER_SEC);
    }
    for (uint32_t t = 0; t < c->tunnels; t++, k++) {
        struct actor *a = add_actor(g, A_TUNNEL, victim(g, k, infected), t);
        if (!a)
            return -SK_ENOMEM;
        a->next = c->start + (sk_nstime)(rng_unit(&a->rng) * 60 * SK_NS_PER_SEC);
    }
    for (uint32_t l = 0; l < c->longconns; l++, k++) {
        struct actor *a = add_actor(g, A_LONG, victim(g, k, infected), l);
        if (!a)
            return -SK_ENOMEM;
        a->next = c->start + (sk_nstime)(rng_unit(&a->rng) * 60 * SK_NS_PER_SEC);
    }
    if (!(g->heap = malloc(g->nactors * sizeof *g->heap)))
        return -SK_ENOMEM;
    for (size_t i = 0; i < g->nactors; i++)
        g->heap[i] = (uint32_t)i;
    g->nheap = g->nactors;
    for (size_t i = g->nheap / 2 + 1; i-- > 0;)
        heap_down(g, i);
    return 0;
}

static int run_actors(struct gen *g)
{
    int rc;
    while (g->nheap) {
        struct actor *a = &g->actors[g->heap[0]];
        if (a->next >= g->end) {
            g->heap[0] = g->heap[--g->nheap];
            heap_down(g, 0);
            continue;
        }
        if ((rc = pk_drain(g, a->next)) < 0)
            return rc;
        switch (a->kind) {
        case A_WEB: rc = run_web(g, a); break;
        case A_NTP: rc = run_ntp(g, a); break;
        case A_UPDATE: rc = run_update(g, a); break;
        case A_BEACON: rc = run_beacon(g, a); break;
        case A_DGA: rc = run_dga(g, a); break;
        case A_TUNNEL: rc = run_tunnel(g, a); break;
        case A_LONG: rc = run_long(g, a); break;
        default: rc = -SK_EINVAL;
        }
        if (rc < 0)
            return rc;
        heap_down(g, 0);
    }
    return pk_drain(g, UINT64_MAX);
}

int sk_synth_run(const struct sk_synth_cfg *cfg, const char *dir, struct sk_errinfo *ei)
{
    struct gen *g = calloc(1, sizeof *g);
    struct sk_buf truth, intel;
    char path[4096];
    int rc;

    if (!g)
        return -SK_ENOMEM;
    g->cfg = *cfg;
    if (!g->cfg.web_mean)
        g->cfg.web_mean = 90 * SK_NS_PER_SEC;
    g->end = cfg->start + cfg->duration;
    sk_buf_init(&truth, 64u << 20);
    sk_buf_init(&intel, 1u << 20);

    if ((rc = sk_mkdir_p(dir, ei)) < 0)
        goto out;
    if ((rc = setup(g)) < 0) {
        sk_fail(ei, rc, "synth: cannot set up the scenario");
        goto out;
    }
    snprintf(path, sizeof path, "%s/scenario.pcap", dir);
    if ((rc = sk_pcapw_open(&g->w, path, 1, ei)) < 0)
        goto out;
    if ((rc = run_actors(g)) < 0) {
        sk_pcapw_abort(g->w);
        g->w = NULL;
        sk_fail(ei, rc, "%s: cannot write the scenario", path);
        goto out;
    }
    rc = sk_pcapw_close(g->w, ei);
    g->w = NULL;
    if (rc < 0)
        goto out;
    if ((rc = write_truth(g, &truth, &intel)) < 0) {
        sk_fail(ei, rc, "synth: ground truth too large");
        goto out;
    }
    snprintf(path, sizeof path, "%s/truth.json", dir);
    if ((rc = sk_write_file_atomic(path, truth.data, truth.len, ei)) < 0)
        goto out;
    snprintf(path, sizeof path, "%s/intel.txt", dir);
    rc = sk_write_file_atomic(path, intel.data, intel.len, ei);
out:
    while (g->npk) {
        free(g->pk[0].data);
        pk_pop(g);
    }
    free(g->pk);
    free(g->heap);
    free(g->actors);
    free(g->hosts);
    free(g);
    sk_buf_free(&truth);
    sk_buf_free(&intel);
    return rc;
}
