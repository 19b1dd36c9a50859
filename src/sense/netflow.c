/*
 * netflow.c — NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011)
 * decoding into flow events.
 *
 * Wire formats (offset/size/meaning, network byte order):
 *   v5 header   0/2 version=5  2/2 count (≤ 30)  4/4 sysUptime ms
 *               8/4 unix_secs  12/4 unix_nsecs  16/4 sequence  20/1 engine
 *               type  21/1 engine id  22/2 sampling (2 bits mode, 14 interval)
 *   v5 record   0/4 srcaddr 4/4 dstaddr 8/4 nexthop 12/2 input 14/2 output
 *   (48 bytes)  16/4 dPkts 20/4 dOctets 24/4 first 28/4 last (sysUptime ms)
 *               32/2 srcport 34/2 dstport 37/1 tcp_flags 38/1 prot 39/1 tos
 *   v9 header   0/2 version=9  2/2 count  4/4 sysUptime ms  8/4 unix_secs
 *               12/4 sequence  16/4 source id (the observation domain)
 *   IPFIX hdr   0/2 version=10 2/2 message length  4/4 export time (s)
 *               8/4 sequence  12/4 observation domain id
 *   set         0/2 set id  2/2 length (with this header)
 *               v9: 0 template, 1 options template; IPFIX: 2 template,
 *               3 options template; ≥ 256 data of that template id
 *   template    0/2 template id  2/2 field count, then per field 0/2 type
 *               2/2 length; IPFIX: type bit 15 set → 4/4 enterprise number;
 *               length 65535 → variable length (IPFIX)
 *   v9 options  0/2 template id  2/2 scope length (bytes)  4/2 option length
 *               (bytes), then scope fields (scope type numbers, not IEs) and
 *               option fields
 *   IPFIX opts  0/2 template id  2/2 field count  4/2 scope field count
 *   varlen      1 byte length, or 255 then 2 bytes length
 *
 * Design. A template is compiled once into the list of fields sakimori
 * uses (offset, length, what it means); every other field is skipped by
 * offset, so a fixed-length data record costs one pass over a handful of
 * extractors whatever the template's size. Templates live in a small hash
 * per observation domain, domains in a hash keyed by (exporter address,
 * version, domain id) with an LRU list; the last domain and template used
 * are remembered, so a stream of data sets costs no lookups. Data sets
 * without a template wait in a FIFO bounded in bytes and age, and are
 * decoded in arrival order when their template appears.
 *
 * Sampling: v5 takes the header's interval. v9/IPFIX take, in order, the
 * record's own samplingInterval (34); the rate of its sampler (48 samplerId
 * or 302 selectorId) learnt from options data; a rate from options data
 * scoped to its template (145 templateId); the domain's last rate from
 * options data without a sampler id. A rate comes from samplingInterval
 * (34), samplerRandomInterval (50), samplingPacketInterval/Space (305/306)
 * as (interval+space)/interval, or samplingPopulation/Size (310/309).
 *
 * Records carrying a sampled frame instead of flow keys (dataLinkFrameSection
 * 315, ipHeaderPacketSection 313) are decoded through the packet decoder,
 * with MPLS label stacks and pseudowire control words unwrapped.
 */
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"
#include "sense/decode.h"
#include "sense/netflow.h"

#define DOMAIN_BUCKETS_MIN 64
#define TMPL_BUCKETS 128
#define MAX_SAMPLERS 64
#define NTP_UNIX_OFFSET 2208988800ULL
#define REVERSE_PEN 29305u

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
/* Unsigned big-endian of 1–8 bytes (reduced-size encoding, RFC 7011 6.2). */
static inline uint64_t rdn(const uint8_t *p, uint32_t n)
{
    switch (n) {
    case 1: return p[0];
    case 2: return rd16(p);
    case 4: return rd32(p);
    case 8: return (uint64_t)rd32(p) << 32 | rd32(p + 4);
    default: {
        uint64_t v = 0;
        if (n > 8) {
            p += n - 8;
            n = 8;
        }
        for (uint32_t i = 0; i < n; i++)
            v = v << 8 | p[i];
        return v;
    }
    }
}

/* What a field means to sakimori. */
enum tgt {
    T_NONE = 0,
    T_SRC4, T_DST4, T_SRC6, T_DST6, T_SPORT, T_DPORT, T_PROTO, T_FLAGS,
    T_RFLAGS, T_IPVER, T_ICMP, T_ICMP_TYPE, T_ICMP_CODE,
    T_BYTES, T_PKTS, T_RBYTES, T_RPKTS, T_OBYTES, T_OPKTS, T_TBYTES, T_TPKTS,
    T_TRBYTES, T_TRPKTS,
    T_FIRST_UP, T_LAST_UP, T_START_S, T_END_S, T_START_MS, T_END_MS,
    T_START_NTP, T_END_NTP, T_START_NTPUS, T_END_NTPUS, T_START_DUS, T_END_DUS, T_OBS_S, T_OBS_MS,
    T_OBS_NTP, T_OBS_NTPUS, T_SYSINIT_MS,
    T_SAMPLING, T_SAMPLER_ID, T_SAMPLER_RAND, T_PKT_INTERVAL, T_PKT_SPACE,
    T_SAMP_SIZE, T_SAMP_POP, T_SCOPE_TMPL,
    T_FRAME, T_IPHDR, T_FRAME_SIZE,
};

static uint8_t ie_target(uint16_t ie, uint32_t pen)
{
    if (pen == REVERSE_PEN) {
        switch (ie) {
        case 1: return T_RBYTES;
        case 2: return T_RPKTS;
        case 6: return T_RFLAGS;
        case 85: return T_TRBYTES;
        case 86: return T_TRPKTS;
        }
        return T_NONE;
    }
    if (pen)
        return T_NONE;
    switch (ie) {
    case 1: return T_BYTES;
    case 2: return T_PKTS;
    case 4: return T_PROTO;
    case 6: return T_FLAGS;
    case 7: return T_SPORT;
    case 8: return T_SRC4;
    case 11: return T_DPORT;
    case 12: return T_DST4;
    case 21: return T_LAST_UP;
    case 22: return T_FIRST_UP;
    case 23: return T_OBYTES;
    case 24: return T_OPKTS;
    case 27: return T_SRC6;
    case 28: return T_DST6;
    case 32: return T_ICMP;
    case 34: return T_SAMPLING;
    case 48: return T_SAMPLER_ID;
    case 50: return T_SAMPLER_RAND;
    case 60: return T_IPVER;
    case 85: return T_TBYTES;
    case 86: return T_TPKTS;
    case 139: return T_ICMP;
    case 145: return T_SCOPE_TMPL;
    case 150: return T_START_S;
    case 151: return T_END_S;
    case 152: return T_START_MS;
    case 153: return T_END_MS;
    case 154: return T_START_NTPUS;
    case 155: return T_END_NTPUS;
    case 156: return T_START_NTP;
    case 157: return T_END_NTP;
    case 158: return T_START_DUS;
    case 159: return T_END_DUS;
    case 160: return T_SYSINIT_MS;
    case 176: case 178: return T_ICMP_TYPE;
    case 177: case 179: return T_ICMP_CODE;
    case 231: return T_BYTES;  /* initiatorOctets (NSEL) */
    case 232: return T_RBYTES; /* responderOctets */
    case 298: return T_PKTS;   /* initiatorPackets */
    case 299: return T_RPKTS;  /* responderPackets */
    case 302: return T_SAMPLER_ID; /* selectorId */
    case 305: return T_PKT_INTERVAL;
    case 306: return T_PKT_SPACE;
    case 309: return T_SAMP_SIZE;
    case 310: return T_SAMP_POP;
    case 312: return T_FRAME_SIZE;
    case 313: return T_IPHDR;
    case 315: return T_FRAME;
    case 322: return T_OBS_S;
    case 323: return T_OBS_MS;
    case 324: return T_OBS_NTPUS;
    case 325: return T_OBS_NTP;
    }
    return T_NONE;
}

/* Lengths a target accepts; others make the field ignored. */
static int target_len_ok(uint8_t t, uint32_t len)
{
    switch (t) {
    case T_SRC4: case T_DST4: return len == 4;
    case T_SRC6: case T_DST6: return len == 16;
    case T_START_NTP: case T_END_NTP: case T_OBS_NTP:
    case T_START_NTPUS: case T_END_NTPUS: case T_OBS_NTPUS: return len == 8;
    case T_FRAME: case T_IPHDR: return 1;
    case T_NONE: return 1;
    default: return len >= 1 && len <= 8;
    }
}

struct nf_field {
    uint16_t off; /* fixed-length templates: offset in the record */
    uint16_t len; /* 65535: variable length */
    uint8_t tgt;
};

struct nf_tmpl {
    struct nf_tmpl *next;
    uint16_t id;
    uint8_t options;
    uint8_t varlen;
    uint16_t nall, next_ext;
    uint32_t rec_len;      /* fixed: record length; varlen: minimum */
    uint32_t sampling;     /* rate from options scoped to this template */
    uint64_t sig;          /* digest of the definition */
    struct nf_field *ext;  /* fields with a target (fixed-length only) */
    struct nf_field *all;  /* every field (variable-length only) */
};

struct nf_dkey {
    uint8_t addr[16];
    uint8_t family, version, pad[2];
    uint32_t domain;
};

struct nf_sampler {
    uint64_t id;
    uint32_t rate;
};

struct nf_domain {
    struct nf_domain *hnext;             /* hash chain */
    struct nf_domain *lru_prev, *lru_next;
    struct nf_dkey key;
    struct nf_tmpl *tmpl[TMPL_BUCKETS];
    uint32_t ntmpl;
    uint32_t default_rate;
    uint64_t sysinit_ms;
    uint32_t nsamplers, sampler_next;
    struct nf_sampler samplers[MAX_SAMPLERS];
};

struct nf_hdr {
    uint8_t version;
    uint32_t domain;
    uint32_t uptime_ms; /* v9 */
    sk_nstime export_ns;
    sk_nstime recv;
};

struct nf_pending {
    struct nf_pending *next, *prev;
    struct nf_dkey key;
    uint16_t tid;
    struct nf_hdr hdr;
    uint8_t privacy;
    uint16_t source_id;
    uint32_t len;
    uint8_t data[];
};

struct sk_nf {
    struct sk_nf_limits lim;
    sk_event_fn emit;
    void *ctx;
    uint8_t privacy;
    uint16_t source_id;
    uint64_t seed;
    struct nf_domain **dbuckets;
    size_t dmask;
    struct nf_domain *lru_head, *lru_tail; /* head = most recent */
    struct nf_domain *last_dom;
    struct nf_tmpl *last_tmpl;
    uint32_t ntemplates;
    struct nf_pending *pend_head, *pend_tail;
    uint64_t pend_bytes;
    sk_nstime newest_recv;
    struct sk_nf_stats st;
};

/* --- records ------------------------------------------------------------ */

enum {
    H_SPORT = 1 << 0, H_DPORT = 1 << 1, H_PROTO = 1 << 2, H_ICMP = 1 << 3,
    H_ICMPT = 1 << 4, H_ICMPC = 1 << 5, H_FIRST = 1 << 6, H_LAST = 1 << 7,
    H_SDUS = 1 << 8, H_EDUS = 1 << 9, H_SAMPLER = 1 << 10, H_SCOPE_TMPL = 1 << 11,
    H_PKTS = 1 << 12, H_BYTES = 1 << 13, H_OPKTS = 1 << 14, H_OBYTES = 1 << 15,
    H_TPKTS = 1 << 16, H_TBYTES = 1 << 17, H_RPKTS = 1 << 18, H_RBYTES = 1 << 19,
    H_TRPKTS = 1 << 20, H_TRBYTES = 1 << 21, H_SYSINIT = 1 << 22, H_IPVER = 1 << 23,
};

struct nf_rec {
    uint32_t have;
    const uint8_t *src4, *dst4, *src6, *dst6, *frame, *iphdr;
    uint32_t frame_len, iphdr_len, frame_size;
    uint64_t pkts, bytes, rpkts, rbytes, opkts, obytes, tpkts, tbytes, trpkts, trbytes;
    sk_nstime start, end, obs;
    uint64_t sdus, edus, sysinit_ms, sampler_id;
    uint32_t first_up, last_up;
    uint32_t sampling, sampler_rand, pkt_interval, pkt_space, samp_size, samp_pop;
    uint16_t sport, dport, icmp, scope_tmpl;
    uint8_t icmp_type, icmp_code, proto, flags, rflags, ipver;
};

/* NTP timestamp (seconds since 1900, 2^-32 fractions), rounded to the
 * unit the element carries (µs for dateTimeMicroseconds, else ns). */
static sk_nstime ntp_ns(const uint8_t *p, int micro)
{
    uint64_t secs = rd32(p), frac = rd32(p + 4);
    if (secs < NTP_UNIX_OFFSET)
        return 0;
    uint64_t sub = micro ? ((frac * 1000000 + (1ull << 31)) >> 32) * 1000
                         : (frac * SK_NS_PER_SEC + (1ull << 31)) >> 32;
    return (secs - NTP_UNIX_OFFSET) * SK_NS_PER_SEC + sub;
}

static inline __attribute__((always_inline)) void extract(struct nf_rec *r, uint8_t tgt,
                                                          const uint8_t *p, uint32_t len)
{
    switch (tgt) {
    case T_SRC4: r->src4 = p; break;
    case T_DST4: r->dst4 = p; break;
    case T_SRC6: r->src6 = p; break;
    case T_DST6: r->dst6 = p; break;
    case T_SPORT: r->sport = (uint16_t)rdn(p, len); r->have |= H_SPORT; break;
    case T_DPORT: r->dport = (uint16_t)rdn(p, len); r->have |= H_DPORT; break;
    case T_PROTO: r->proto = (uint8_t)rdn(p, len); r->have |= H_PROTO; break;
    case T_FLAGS: r->flags = (uint8_t)rdn(p, len); break;
    case T_RFLAGS: r->rflags = (uint8_t)rdn(p, len); break;
    case T_IPVER: r->ipver = (uint8_t)rdn(p, len); r->have |= H_IPVER; break;
    case T_ICMP: r->icmp = (uint16_t)rdn(p, len); r->have |= H_ICMP; break;
    case T_ICMP_TYPE: r->icmp_type = (uint8_t)rdn(p, len); r->have |= H_ICMPT; break;
    case T_ICMP_CODE: r->icmp_code = (uint8_t)rdn(p, len); r->have |= H_ICMPC; break;
    case T_BYTES: r->bytes = rdn(p, len); r->have |= H_BYTES; break;
    case T_PKTS: r->pkts = rdn(p, len); r->have |= H_PKTS; break;
    case T_RBYTES: r->rbytes = rdn(p, len); r->have |= H_RBYTES; break;
    case T_RPKTS: r->rpkts = rdn(p, len); r->have |= H_RPKTS; break;
    case T_OBYTES: r->obytes = rdn(p, len); r->have |= H_OBYTES; break;
    case T_OPKTS: r->opkts = rdn(p, len); r->have |= H_OPKTS; break;
    case T_TBYTES: r->tbytes = rdn(p, len); r->have |= H_TBYTES; break;
    case T_TPKTS: r->tpkts = rdn(p, len); r->have |= H_TPKTS; break;
    case T_TRBYTES: r->trbytes = rdn(p, len); r->have |= H_TRBYTES; break;
    case T_TRPKTS: r->trpkts = rdn(p, len); r->have |= H_TRPKTS; break;
    case T_FIRST_UP: r->first_up = (uint32_t)rdn(p, len); r->have |= H_FIRST; break;
    case T_LAST_UP: r->last_up = (uint32_t)rdn(p, len); r->have |= H_LAST; break;
    case T_START_S: r->start = rdn(p, len) * SK_NS_PER_SEC; break;
    case T_END_S: r->end = rdn(p, len) * SK_NS_PER_SEC; break;
    case T_START_MS: r->start = rdn(p, len) * SK_NS_PER_MS; break;
    case T_END_MS: r->end = rdn(p, len) * SK_NS_PER_MS; break;
    case T_START_NTP: r->start = ntp_ns(p, 0); break;
    case T_END_NTP: r->end = ntp_ns(p, 0); break;
    case T_START_NTPUS: r->start = ntp_ns(p, 1); break;
    case T_END_NTPUS: r->end = ntp_ns(p, 1); break;
    case T_OBS_NTPUS: r->obs = ntp_ns(p, 1); break;
    case T_START_DUS: r->sdus = rdn(p, len); r->have |= H_SDUS; break;
    case T_END_DUS: r->edus = rdn(p, len); r->have |= H_EDUS; break;
    case T_OBS_S: r->obs = rdn(p, len) * SK_NS_PER_SEC; break;
    case T_OBS_MS: r->obs = rdn(p, len) * SK_NS_PER_MS; break;
    case T_OBS_NTP: r->obs = ntp_ns(p, 0); break;
    case T_SYSINIT_MS: r->sysinit_ms = rdn(p, len); r->have |= H_SYSINIT; break;
    case T_SAMPLING: r->sampling = (uint32_t)rdn(p, len); break;
    case T_SAMPLER_ID: r->sampler_id = rdn(p, len); r->have |= H_SAMPLER; break;
    case T_SAMPLER_RAND: r->sampler_rand = (uint32_t)rdn(p, len); break;
    case T_PKT_INTERVAL: r->pkt_interval = (uint32_t)rdn(p, len); break;
    case T_PKT_SPACE: r->pkt_space = (uint32_t)rdn(p, len); break;
    case T_SAMP_SIZE: r->samp_size = (uint32_t)rdn(p, len); break;
    case T_SAMP_POP: r->samp_pop = (uint32_t)rdn(p, len); break;
    case T_SCOPE_TMPL: r->scope_tmpl = (uint16_t)rdn(p, len); r->have |= H_SCOPE_TMPL; break;
    case T_FRAME: r->frame = p; r->frame_len = len; break;
    case T_IPHDR: r->iphdr = p; r->iphdr_len = len; break;
    case T_FRAME_SIZE: r->frame_size = (uint32_t)rdn(p, len); break;
    default: break;
    }
}

static uint64_t sat_mul(uint64_t v, uint32_t rate)
{
    if (rate <= 1)
        return v;
    if (v > UINT64_MAX / rate)
        return UINT64_MAX;
    return v * rate;
}

/* Unwraps Ethernet with VLAN tags and MPLS (with a pseudowire control word
 * or bare IP under the label stack) and decodes the packet inside. */
static int decode_frame(const uint8_t *p, uint32_t len, int is_ip, struct sk_packet *pk)
{
    for (int depth = 0; depth < 4; depth++) {
        if (is_ip)
            return sk_decode_packet(SK_DLT_RAW, p, len, pk);
        uint32_t o = 12;
        if (len < 14)
            return -SK_ETRUNC;
        uint16_t et = rd16(p + o);
        for (int tags = 0; (et == 0x8100 || et == 0x88a8 || et == 0x9100) && tags < 8; tags++) {
            o += 4;
            if (o + 2 > len)
                return -SK_ETRUNC;
            et = rd16(p + o);
        }
        o += 2;
        if (et != 0x8847 && et != 0x8848)
            return sk_decode_packet(SK_DLT_EN10MB, p, len, pk);
        for (int labels = 0;; labels++) {
            if (o + 4 > len || labels >= 16)
                return -SK_ETRUNC;
            int bos = p[o + 2] & 1;
            o += 4;
            if (bos)
                break;
        }
        if (o >= len)
            return -SK_ETRUNC;
        switch (p[o] >> 4) {
        case 4:
        case 6:
            p += o;
            len -= o;
            is_ip = 1;
            break;
        case 0: /* pseudowire control word, then an Ethernet frame */
            if (o + 4 > len)
                return -SK_ETRUNC;
            p += o + 4;
            len -= o + 4;
            break;
        default:
            return -SK_EUNSUP;
        }
    }
    return -SK_EUNSUP;
}

/* --- domains and templates ---------------------------------------------- */

static uint64_t dkey_hash(const struct sk_nf *nf, const struct nf_dkey *k)
{
    return sk_hash64(k, sizeof *k, nf->seed);
}

static void lru_unlink(struct sk_nf *nf, struct nf_domain *d)
{
    if (d->lru_prev)
        d->lru_prev->lru_next = d->lru_next;
    else
        nf->lru_head = d->lru_next;
    if (d->lru_next)
        d->lru_next->lru_prev = d->lru_prev;
    else
        nf->lru_tail = d->lru_prev;
    d->lru_prev = d->lru_next = NULL;
}

static void lru_front(struct sk_nf *nf, struct nf_domain *d)
{
    if (nf->lru_head == d)
        return;
    if (d->lru_prev || d->lru_next || nf->lru_tail == d)
        lru_unlink(nf, d);
    d->lru_next = nf->lru_head;
    if (nf->lru_head)
        nf->lru_head->lru_prev = d;
    nf->lru_head = d;
    if (!nf->lru_tail)
        nf->lru_tail = d;
}

static void tmpl_free(struct nf_tmpl *t) { free(t); }

static void domain_free(struct sk_nf *nf, struct nf_domain *d)
{
    for (size_t b = 0; b < TMPL_BUCKETS; b++) {
        struct nf_tmpl *t = d->tmpl[b], *n;
        for (; t; t = n) {
            n = t->next;
            tmpl_free(t);
            nf->ntemplates--;
        }
    }
    free(d);
}

static void domain_remove(struct sk_nf *nf, struct nf_domain *d)
{
    size_t b = dkey_hash(nf, &d->key) & nf->dmask;
    for (struct nf_domain **pp = &nf->dbuckets[b]; *pp; pp = &(*pp)->hnext) {
        if (*pp == d) {
            *pp = d->hnext;
            break;
        }
    }
    lru_unlink(nf, d);
    if (nf->last_dom == d) {
        nf->last_dom = NULL;
        nf->last_tmpl = NULL;
    }
    nf->st.domains--;
    domain_free(nf, d);
}

static struct nf_domain *domain_get(struct sk_nf *nf, const struct nf_dkey *k, int create)
{
    struct nf_domain *d = nf->last_dom;

    if (d && memcmp(&d->key, k, sizeof *k) == 0)
        return d;
    size_t b = dkey_hash(nf, k) & nf->dmask;
    for (d = nf->dbuckets[b]; d; d = d->hnext)
        if (memcmp(&d->key, k, sizeof *k) == 0)
            break;
    if (!d && create) {
        if (nf->st.domains >= nf->lim.max_domains && nf->lru_tail) {
            domain_remove(nf, nf->lru_tail);
            nf->st.evicted++;
        }
        if (!(d = calloc(1, sizeof *d)))
            return NULL;
        d->key = *k;
        d->hnext = nf->dbuckets[b];
        nf->dbuckets[b] = d;
        nf->st.domains++;
    }
    if (d) {
        lru_front(nf, d);
        nf->last_dom = d;
        nf->last_tmpl = NULL;
    }
    return d;
}

static struct nf_tmpl *tmpl_find(struct nf_domain *d, uint16_t id)
{
    for (struct nf_tmpl *t = d->tmpl[id % TMPL_BUCKETS]; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

static void tmpl_unlink(struct sk_nf *nf, struct nf_domain *d, uint16_t id)
{
    for (struct nf_tmpl **pp = &d->tmpl[id % TMPL_BUCKETS]; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            struct nf_tmpl *t = *pp;
            *pp = t->next;
            if (nf->last_tmpl == t)
                nf->last_tmpl = NULL;
            tmpl_free(t);
            nf->ntemplates--;
            d->ntmpl--;
            nf->st.templates_now = nf->ntemplates;
            return;
        }
    }
}

static void withdraw_all(struct sk_nf *nf, struct nf_domain *d, int options)
{
    for (size_t b = 0; b < TMPL_BUCKETS; b++) {
        struct nf_tmpl **pp = &d->tmpl[b];
        while (*pp) {
            struct nf_tmpl *t = *pp;
            if (t->options == options) {
                *pp = t->next;
                if (nf->last_tmpl == t)
                    nf->last_tmpl = NULL;
                tmpl_free(t);
                nf->ntemplates--;
                d->ntmpl--;
            } else {
                pp = &t->next;
            }
        }
    }
    nf->st.templates_now = nf->ntemplates;
}

static uint32_t sampler_rate(const struct nf_domain *d, uint64_t id)
{
    for (uint32_t i = 0; i < d->nsamplers; i++)
        if (d->samplers[i].id == id)
            return d->samplers[i].rate;
    return 0;
}

static void sampler_set(struct nf_domain *d, uint64_t id, uint32_t rate)
{
    for (uint32_t i = 0; i < d->nsamplers; i++) {
        if (d->samplers[i].id == id) {
            d->samplers[i].rate = rate;
            return;
        }
    }
    uint32_t slot = d->nsamplers < MAX_SAMPLERS ? d->nsamplers++ : d->sampler_next++ % MAX_SAMPLERS;
    d->samplers[slot].id = id;
    d->samplers[slot].rate = rate;
}

/* --- events --------------------------------------------------------------- */

static sk_nstime uptime_abs(const struct nf_hdr *h, const struct nf_domain *d, uint32_t up)
{
    if (h->version == 9 || h->version == 5) {
        /* signed difference copes with the 49.7-day wrap of sysUptime */
        int64_t ago_ms = (int32_t)(h->uptime_ms - up);
        int64_t t = (int64_t)h->export_ns - ago_ms * (int64_t)SK_NS_PER_MS;
        return t > 0 ? (sk_nstime)t : 0;
    }
    if (d && d->sysinit_ms)
        return (d->sysinit_ms + up) * SK_NS_PER_MS;
    return 0;
}

static int emit_record(struct sk_nf *nf, const struct nf_hdr *h, struct nf_domain *d,
                       const struct nf_tmpl *t, struct nf_rec *r, uint8_t privacy,
                       uint16_t source_id)
{
    struct sk_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SK_EVENT_FLOW;
    ev.privacy = privacy;
    ev.source_id = source_id;

    int v6 = r->have & H_IPVER ? r->ipver == 6 : 0;
    if (!(r->have & H_IPVER) && !(r->src4 || r->dst4)) {
        v6 = 1;
    } else if (!(r->have & H_IPVER) && (r->src6 || r->dst6)) {
        /* both families may be in one template: the one that is set wins */
        static const uint8_t zero[16];
        int v4set = (r->src4 && memcmp(r->src4, zero, 4)) || (r->dst4 && memcmp(r->dst4, zero, 4));
        int v6set = (r->src6 && memcmp(r->src6, zero, 16)) || (r->dst6 && memcmp(r->dst6, zero, 16));
        v6 = (v6set && !v4set) || (!r->src4 && !r->dst4 && (r->src6 || r->dst6));
    }
    if (!v6 && (r->src4 || r->dst4)) {
        if (r->src4)
            sk_addr_from_v4_bytes(&ev.src, r->src4);
        if (r->dst4)
            sk_addr_from_v4_bytes(&ev.dst, r->dst4);
    } else if (r->src6 || r->dst6) {
        if (r->src6)
            sk_addr_from_v6_bytes(&ev.src, r->src6);
        if (r->dst6)
            sk_addr_from_v6_bytes(&ev.dst, r->dst6);
    }
    ev.proto = r->proto;
    ev.sport = r->sport;
    ev.dport = r->dport;

    uint64_t pkts = r->have & H_PKTS ? r->pkts : r->have & H_TPKTS ? r->tpkts : r->opkts;
    uint64_t bytes = r->have & H_BYTES ? r->bytes : r->have & H_TBYTES ? r->tbytes : r->obytes;
    uint64_t rpkts = r->have & H_RPKTS ? r->rpkts : r->trpkts;
    uint64_t rbytes = r->have & H_RBYTES ? r->rbytes : r->trbytes;
    uint8_t flags = r->flags;

    if (!ev.src.family && !ev.dst.family && (r->frame || r->iphdr)) {
        /* a sampled packet: the flow keys are in the frame */
        struct sk_packet pk;
        int rc = r->frame ? decode_frame(r->frame, r->frame_len, 0, &pk)
                          : decode_frame(r->iphdr, r->iphdr_len, 1, &pk);
        if (rc == 0) {
            ev.src = pk.src;
            ev.dst = pk.dst;
            ev.proto = pk.proto;
            ev.sport = pk.sport;
            ev.dport = pk.dport;
            flags = pk.tcp_flags;
            if (!(r->have & (H_PKTS | H_TPKTS | H_OPKTS)))
                pkts = 1;
            if (!(r->have & (H_BYTES | H_TBYTES | H_OBYTES)))
                bytes = pk.ip_len ? pk.ip_len : r->frame_size;
            r->have |= H_PROTO;
        }
    }

    if (ev.proto == 1 || ev.proto == 58) {
        /* ICMP type and code as the packet decoder has them: sport, dport */
        if (r->have & H_ICMP) {
            ev.sport = r->icmp >> 8;
            ev.dport = r->icmp & 0xff;
        } else if (r->have & (H_ICMPT | H_ICMPC)) {
            ev.sport = r->icmp_type;
            ev.dport = r->icmp_code;
        } else if (ev.sport == 0) {
            /* v5 and many v9 exporters: type << 8 | code in the dst port */
            ev.sport = ev.dport >> 8;
            ev.dport &= 0xff;
        }
    }

    if (!ev.src.family && !ev.dst.family) {
        nf->st.keyless++; /* e.g. NAT pool events: nothing to say about a flow */
        return 0;
    }

    /* sampling */
    uint32_t rate = r->sampling;
    if (!rate && t && t->sampling)
        rate = t->sampling;
    if (!rate && d && (r->have & H_SAMPLER))
        rate = sampler_rate(d, r->sampler_id);
    if (!rate && d)
        rate = d->default_rate;
    if (rate > 1) {
        pkts = sat_mul(pkts, rate);
        bytes = sat_mul(bytes, rate);
        rpkts = sat_mul(rpkts, rate);
        rbytes = sat_mul(rbytes, rate);
        ev.u.flow.sampling = rate;
    }
    ev.u.flow.pkts_out = pkts;
    ev.u.flow.bytes_out = bytes;
    ev.u.flow.pkts_in = rpkts;
    ev.u.flow.bytes_in = rbytes;
    ev.u.flow.tcp_flags_out = ev.proto == 6 ? flags : 0;
    ev.u.flow.tcp_flags_in = ev.proto == 6 ? r->rflags : 0;
    ev.u.flow.end_reason = SK_FLOW_END_EXPORTED;

    /* time */
    sk_nstime start = r->start, end = r->end;
    if (!start && (r->have & H_FIRST))
        start = uptime_abs(h, d, r->first_up);
    if (!end && (r->have & H_LAST))
        end = uptime_abs(h, d, r->last_up);
    if (!start && (r->have & H_SDUS) && h->export_ns > r->sdus * SK_NS_PER_US)
        start = h->export_ns - r->sdus * SK_NS_PER_US;
    if (!end && (r->have & H_EDUS) && h->export_ns > r->edus * SK_NS_PER_US)
        end = h->export_ns - r->edus * SK_NS_PER_US;
    if (!start)
        start = end ? end : r->obs ? r->obs : h->export_ns ? h->export_ns : h->recv;
    if (!end || end < start)
        end = start;
    ev.ts = start;
    ev.ts_end = end;

    nf->st.flows++;
    return nf->emit(nf->ctx, &ev);
}

static void options_record(struct nf_domain *d, const struct nf_rec *r)
{
    uint32_t rate = 0;

    if (r->have & H_SYSINIT)
        d->sysinit_ms = r->sysinit_ms;
    if (r->sampling)
        rate = r->sampling;
    else if (r->sampler_rand)
        rate = r->sampler_rand;
    else if (r->pkt_interval)
        rate = (uint32_t)(((uint64_t)r->pkt_interval + r->pkt_space) / r->pkt_interval);
    else if (r->samp_size && r->samp_pop >= r->samp_size)
        rate = r->samp_pop / r->samp_size;
    if (!rate)
        return;
    if (r->have & H_SAMPLER) {
        sampler_set(d, r->sampler_id, rate);
    } else if (r->have & H_SCOPE_TMPL) {
        struct nf_tmpl *t = tmpl_find(d, r->scope_tmpl);
        if (t)
            t->sampling = rate;
        sampler_set(d, 0x10000ull | r->scope_tmpl, rate); /* for a later (re)definition */
    } else {
        d->default_rate = rate;
    }
}

/* --- data sets ------------------------------------------------------------- */

static int data_set(struct sk_nf *nf, const struct nf_hdr *h, struct nf_domain *d,
                    struct nf_tmpl *t, const uint8_t *p, uint32_t len, uint8_t privacy,
                    uint16_t source_id)
{
    struct nf_rec r;
    int rc;

    if (!t->varlen) {
        const uint32_t rl = t->rec_len;
        const struct nf_field *ext = t->ext;
        const uint16_t n = t->next_ext;
        for (; len >= rl; p += rl, len -= rl) {
            memset(&r, 0, sizeof r);
            for (uint16_t i = 0; i < n; i++)
                extract(&r, ext[i].tgt, p + ext[i].off, ext[i].len);
            if (t->options) {
                nf->st.option_records++;
                options_record(d, &r);
            } else if ((rc = emit_record(nf, h, d, t, &r, privacy, source_id)) < 0) {
                return rc;
            }
        }
        return 0;
    }
    while (len >= t->rec_len) {
        const uint8_t *q = p, *end = p + len;
        memset(&r, 0, sizeof r);
        for (uint16_t i = 0; i < t->nall; i++) {
            uint32_t fl = t->all[i].len;
            if (fl == 65535) {
                if (q >= end)
                    goto bad;
                fl = *q++;
                if (fl == 255) {
                    if (end - q < 2)
                        goto bad;
                    fl = rd16(q);
                    q += 2;
                }
            }
            if ((size_t)(end - q) < fl)
                goto bad;
            if (t->all[i].tgt && target_len_ok(t->all[i].tgt, fl))
                extract(&r, t->all[i].tgt, q, fl);
            q += fl;
        }
        if (t->options) {
            nf->st.option_records++;
            options_record(d, &r);
        } else if ((rc = emit_record(nf, h, d, t, &r, privacy, source_id)) < 0) {
            return rc;
        }
        len -= (uint32_t)(q - p);
        p = q;
    }
    return 0;
bad:
    /* a record that runs past its set: the rest of the set is padding or junk */
    nf->st.malformed++;
    return 0;
}

/* --- pending data (before its template) --------------------------------- */

static void pending_unlink(struct sk_nf *nf, struct nf_pending *pe)
{
    if (pe->prev)
        pe->prev->next = pe->next;
    else
        nf->pend_head = pe->next;
    if (pe->next)
        pe->next->prev = pe->prev;
    else
        nf->pend_tail = pe->prev;
    nf->pend_bytes -= sizeof *pe + pe->len;
    nf->st.pending_now--;
}

static void pending_expire(struct sk_nf *nf, sk_nstime now)
{
    while (nf->pend_head && nf->pend_head->hdr.recv + nf->lim.pending_age < now) {
        struct nf_pending *pe = nf->pend_head;
        pending_unlink(nf, pe);
        nf->st.no_template++;
        free(pe);
    }
}

static int pending_add(struct sk_nf *nf, const struct nf_dkey *k, uint16_t tid,
                       const struct nf_hdr *h, const uint8_t *p, uint32_t len)
{
    size_t need = sizeof(struct nf_pending) + len;

    if (need > nf->lim.pending_bytes) {
        nf->st.evicted++;
        return 0;
    }
    while (nf->pend_head && nf->pend_bytes + need > nf->lim.pending_bytes) {
        struct nf_pending *old = nf->pend_head;
        pending_unlink(nf, old);
        nf->st.evicted++;
        free(old);
    }
    struct nf_pending *pe = malloc(need);
    if (!pe)
        return -SK_ENOMEM;
    pe->key = *k;
    pe->tid = tid;
    pe->hdr = *h;
    pe->privacy = nf->privacy;
    pe->source_id = nf->source_id;
    pe->len = len;
    memcpy(pe->data, p, len);
    pe->next = NULL;
    pe->prev = nf->pend_tail;
    if (nf->pend_tail)
        nf->pend_tail->next = pe;
    else
        nf->pend_head = pe;
    nf->pend_tail = pe;
    nf->pend_bytes += need;
    nf->st.pending_sets++;
    nf->st.pending_now++;
    return 0;
}

/* A template (re)defined: decode what waited for it, oldest first. */
static int pending_replay(struct sk_nf *nf, struct nf_domain *d, struct nf_tmpl *t)
{
    struct nf_pending *pe = nf->pend_head, *next;
    int rc;

    for (; pe; pe = next) {
        next = pe->next;
        if (pe->tid != t->id || memcmp(&pe->key, &d->key, sizeof d->key) != 0)
            continue;
        pending_unlink(nf, pe);
        nf->st.late_decoded++;
        rc = data_set(nf, &pe->hdr, d, t, pe->data, pe->len, pe->privacy, pe->source_id);
        free(pe);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* --- templates ------------------------------------------------------------- */

/* Parses one template record at p (at most len bytes) and installs it.
 * Returns the bytes consumed, 0 when the rest of the set is padding, or -1
 * for a malformed record. *installed is set to the new template (if any). */
static int template_record(struct sk_nf *nf, struct nf_domain *d, int version, int options,
                           const uint8_t *p, uint32_t len, struct nf_tmpl **installed)
{
    uint32_t hdr_len, o, nfields, nscope = 0;
    uint16_t id;

    *installed = NULL;
    if (len < 4)
        return 0; /* padding */
    id = rd16(p);
    if (version == 9 && options) {
        if (len < 6)
            return 0;
        uint32_t scope_bytes = rd16(p + 2), opt_bytes = rd16(p + 4);
        if (scope_bytes % 4 || opt_bytes % 4 || 6 + scope_bytes + opt_bytes > len)
            return -1;
        nscope = scope_bytes / 4;
        nfields = nscope + opt_bytes / 4;
        hdr_len = 6;
    } else {
        nfields = rd16(p + 2);
        hdr_len = 4;
        if (version == 10 && options) {
            if (nfields == 0) {
                hdr_len = 4; /* withdrawal: no scope count */
            } else {
                if (len < 6)
                    return -1;
                nscope = rd16(p + 4);
                hdr_len = 6;
                if (nscope == 0 || nscope > nfields)
                    return -1;
            }
        }
    }
    if (id < 256) {
        if (version == 10 && nfields == 0 && id == (options ? 3 : 2)) {
            withdraw_all(nf, d, options);
            nf->st.withdrawals++;
            return (int)hdr_len;
        }
        if (id == 0 && nfields == 0)
            return 0; /* padding */
        return -1;
    }
    if (nfields == 0) {
        if (version != 10)
            return -1;
        tmpl_unlink(nf, d, id);
        nf->st.withdrawals++;
        return (int)hdr_len;
    }

    /* first pass: sizes */
    o = hdr_len;
    uint32_t rec_len = 0, next = 0;
    int varlen = 0;
    uint64_t sig = (uint64_t)options << 32 | nscope;
    for (uint32_t i = 0; i < nfields; i++) {
        if (o + 4 > len)
            return -1;
        uint16_t type = rd16(p + o), flen = rd16(p + o + 2);
        uint32_t pen = 0;
        o += 4;
        if (version == 10 && (type & 0x8000)) {
            if (o + 4 > len)
                return -1;
            pen = rd32(p + o);
            o += 4;
            type &= 0x7fff;
        }
        if (flen == 65535 && version == 10) {
            varlen = 1;
            rec_len += 1;
        } else {
            rec_len += flen; /* 0 happens: Cisco's v9 "System" scope */
        }
        uint8_t tgt = (version == 9 && options && i < nscope) ? T_NONE : ie_target(type, pen);
        if (tgt && flen != 65535 && !target_len_ok(tgt, flen))
            tgt = T_NONE;
        if (tgt)
            next++;
        sig = sk_hash_mix64(sig ^ ((uint64_t)type << 48 | (uint64_t)flen << 32 | pen));
    }
    if (rec_len == 0 || rec_len > 65535)
        return -1;

    struct nf_tmpl *old = tmpl_find(d, id);
    if (old && old->sig == sig && old->options == options) {
        *installed = old; /* refresh of the same definition */
        return (int)o;
    }
    if (!old && nf->ntemplates >= nf->lim.max_templates) {
        nf->st.evicted++;
        return (int)o;
    }
    size_t nstore = varlen ? nfields : next;
    struct nf_tmpl *t = calloc(1, sizeof *t + nstore * sizeof(struct nf_field));
    if (!t)
        return -2;
    t->id = id;
    t->options = (uint8_t)options;
    t->varlen = (uint8_t)varlen;
    t->rec_len = rec_len;
    t->sig = sig;
    if (varlen) {
        t->all = (struct nf_field *)(t + 1);
        t->nall = (uint16_t)nfields;
    } else {
        t->ext = (struct nf_field *)(t + 1);
    }

    /* second pass: fields */
    o = hdr_len;
    uint32_t off = 0;
    for (uint32_t i = 0; i < nfields; i++) {
        uint16_t type = rd16(p + o), flen = rd16(p + o + 2);
        uint32_t pen = 0;
        o += 4;
        if (version == 10 && (type & 0x8000)) {
            pen = rd32(p + o);
            o += 4;
            type &= 0x7fff;
        }
        uint8_t tgt = (version == 9 && options && i < nscope) ? T_NONE : ie_target(type, pen);
        if (tgt && flen != 65535 && !target_len_ok(tgt, flen))
            tgt = T_NONE;
        if (varlen) {
            t->all[i].len = flen;
            t->all[i].tgt = tgt;
        } else if (tgt) {
            t->ext[t->next_ext].off = (uint16_t)off;
            t->ext[t->next_ext].len = flen;
            t->ext[t->next_ext].tgt = tgt;
            t->next_ext++;
        }
        off += flen == 65535 ? 0 : flen;
    }
    t->sampling = sampler_rate(d, 0x10000ull | id);
    if (old)
        tmpl_unlink(nf, d, id);
    t->next = d->tmpl[id % TMPL_BUCKETS];
    d->tmpl[id % TMPL_BUCKETS] = t;
    d->ntmpl++;
    nf->ntemplates++;
    nf->st.templates++;
    nf->st.templates_now = nf->ntemplates;
    *installed = t;
    return (int)o;
}

static int template_set(struct sk_nf *nf, struct nf_domain *d, int version, int options,
                        const uint8_t *p, uint32_t len)
{
    while (len > 0) {
        struct nf_tmpl *t;
        int n = template_record(nf, d, version, options, p, len, &t);
        if (n == -2)
            return -SK_ENOMEM;
        if (n < 0) {
            nf->st.malformed++;
            return 0;
        }
        if (n == 0)
            break;
        if (t && nf->pend_head) {
            int rc = pending_replay(nf, d, t);
            if (rc < 0)
                return rc;
        }
        p += n;
        len -= (uint32_t)n;
    }
    return 0;
}

/* --- datagrams --------------------------------------------------------------- */

static int decode_v5(struct sk_nf *nf, sk_nstime recv, const uint8_t *p, size_t len)
{
    struct nf_hdr h = {.version = 5};
    uint16_t count;
    int rc;

    if (len < 24) {
        nf->st.malformed++;
        return 0;
    }
    count = rd16(p + 2);
    h.uptime_ms = rd32(p + 4);
    h.export_ns = (sk_nstime)rd32(p + 8) * SK_NS_PER_SEC + rd32(p + 12) % SK_NS_PER_SEC;
    h.recv = recv;
    uint32_t rate = rd16(p + 22) & 0x3fff;
    if (count == 0 || count > 30 || len < 24 + (size_t)count * 48) {
        nf->st.malformed++;
        if (count > 30)
            return 0;
        count = (uint16_t)((len - 24) / 48);
    }
    for (uint16_t i = 0; i < count; i++) {
        const uint8_t *q = p + 24 + (size_t)i * 48;
        struct nf_rec r;
        memset(&r, 0, sizeof r);
        r.src4 = q;
        r.dst4 = q + 4;
        r.pkts = rd32(q + 16);
        r.bytes = rd32(q + 20);
        r.first_up = rd32(q + 24);
        r.last_up = rd32(q + 28);
        r.sport = rd16(q + 32);
        r.dport = rd16(q + 34);
        r.flags = q[37];
        r.proto = q[38];
        r.sampling = rate > 1 ? rate : 0;
        r.have = H_PKTS | H_BYTES | H_FIRST | H_LAST | H_SPORT | H_DPORT | H_PROTO;
        if ((rc = emit_record(nf, &h, NULL, NULL, &r, nf->privacy, nf->source_id)) < 0)
            return rc;
    }
    return 0;
}

static int decode_v9_ipfix(struct sk_nf *nf, const struct sk_addr *from, sk_nstime recv,
                           const uint8_t *p, size_t len)
{
    struct nf_hdr h;
    struct nf_dkey k;
    size_t hlen;
    int version = rd16(p), rc;

    memset(&h, 0, sizeof h);
    h.version = (uint8_t)version;
    h.recv = recv;
    if (version == 9) {
        if (len < 20)
            goto bad;
        h.uptime_ms = rd32(p + 4);
        h.export_ns = (sk_nstime)rd32(p + 8) * SK_NS_PER_SEC;
        h.domain = rd32(p + 16);
        hlen = 20;
    } else {
        if (len < 16)
            goto bad;
        size_t mlen = rd16(p + 2);
        if (mlen < 16 || mlen > len)
            goto bad;
        len = mlen; /* bytes past the message are not ours */
        h.export_ns = (sk_nstime)rd32(p + 4) * SK_NS_PER_SEC;
        h.domain = rd32(p + 12);
        hlen = 16;
    }
    memset(&k, 0, sizeof k);
    memcpy(k.addr, from->b, 16);
    k.family = from->family;
    k.version = (uint8_t)version;
    k.domain = h.domain;
    struct nf_domain *d = domain_get(nf, &k, 1);
    if (!d)
        return -SK_ENOMEM;

    p += hlen;
    len -= hlen;
    while (len >= 4) {
        uint16_t set_id = rd16(p), set_len = rd16(p + 2);
        if (set_len < 4 || set_len > len) {
            if (version == 9 && set_len == 0 && len < 4 + 4)
                break; /* trailing padding some v9 exporters add */
            goto bad;
        }
        const uint8_t *body = p + 4;
        uint32_t blen = set_len - 4u;
        if ((version == 9 && set_id <= 1) || (version == 10 && (set_id == 2 || set_id == 3))) {
            int options = version == 9 ? set_id == 1 : set_id == 3;
            if ((rc = template_set(nf, d, version, options, body, blen)) < 0)
                return rc;
        } else if (set_id >= 256) {
            struct nf_tmpl *t = nf->last_tmpl && nf->last_tmpl->id == set_id ? nf->last_tmpl
                                                                          : tmpl_find(d, set_id);
            if (t) {
                nf->last_tmpl = t;
                if ((rc = data_set(nf, &h, d, t, body, blen, nf->privacy, nf->source_id)) < 0)
                    return rc;
            } else if ((rc = pending_add(nf, &k, set_id, &h, body, blen)) < 0) {
                return rc;
            }
            /* pending_add may have evicted nothing of ours; d stays valid */
        }
        /* set ids 2–255 in v9 and 4–255 in IPFIX are reserved: skipped */
        p += set_len;
        len -= set_len;
    }
    return 0;
bad:
    nf->st.malformed++;
    return 0;
}

int sk_nf_looks_like(const uint8_t *p, size_t len, int partial)
{
    if (len < 16)
        return 0;
    switch (rd16(p)) {
    case 5: return len >= 24 && rd16(p + 2) >= 1 && rd16(p + 2) <= 30;
    case 9: return len >= 20 && rd16(p + 2) <= 1000;
    case 10: return rd16(p + 2) >= 16 && (partial || rd16(p + 2) <= len);
    }
    return 0;
}

int sk_nf_datagram(struct sk_nf *nf, const struct sk_addr *from, sk_nstime recv,
                   const uint8_t *data, size_t len)
{
    nf->st.datagrams++;
    if (recv > nf->newest_recv)
        nf->newest_recv = recv;
    if (nf->pend_head)
        pending_expire(nf, nf->newest_recv);
    if (len < 4) {
        nf->st.malformed++;
        return 0;
    }
    switch (rd16(data)) {
    case 5: return decode_v5(nf, recv, data, len);
    case 9:
    case 10: return decode_v9_ipfix(nf, from, recv, data, len);
    }
    nf->st.malformed++;
    return 0;
}

/* --- life cycle --------------------------------------------------------------- */

int sk_nf_new(struct sk_nf **out, const struct sk_nf_limits *limits, sk_event_fn emit,
              void *ctx)
{
    struct sk_nf *nf = calloc(1, sizeof *nf);
    size_t nb = DOMAIN_BUCKETS_MIN;

    if (!nf)
        return -SK_ENOMEM;
    if (limits)
        nf->lim = *limits;
    if (!nf->lim.max_domains)
        nf->lim.max_domains = 4096;
    if (!nf->lim.max_templates)
        nf->lim.max_templates = 65536;
    if (!nf->lim.pending_bytes)
        nf->lim.pending_bytes = 4u << 20;
    if (!nf->lim.pending_age)
        nf->lim.pending_age = 600 * SK_NS_PER_SEC;
    while (nb < nf->lim.max_domains && nb < (1u << 20))
        nb <<= 1;
    if (!(nf->dbuckets = calloc(nb, sizeof *nf->dbuckets))) {
        free(nf);
        return -SK_ENOMEM;
    }
    nf->dmask = nb - 1;
    nf->seed = sk_hash_seed();
    nf->emit = emit;
    nf->ctx = ctx;
    *out = nf;
    return 0;
}

void sk_nf_bind(struct sk_nf *nf, sk_event_fn emit, void *ctx, uint8_t privacy,
                uint16_t source_id)
{
    nf->emit = emit;
    nf->ctx = ctx;
    nf->privacy = privacy;
    nf->source_id = source_id;
}

void sk_nf_finish(struct sk_nf *nf)
{
    while (nf->pend_head) {
        struct nf_pending *pe = nf->pend_head;
        pending_unlink(nf, pe);
        nf->st.no_template++;
        free(pe);
    }
}

void sk_nf_stats(const struct sk_nf *nf, struct sk_nf_stats *out)
{
    *out = nf->st;
    out->templates_now = nf->ntemplates;
}

void sk_nf_free(struct sk_nf *nf)
{
    if (!nf)
        return;
    while (nf->lru_head)
        domain_remove(nf, nf->lru_head);
    while (nf->pend_head) {
        struct nf_pending *pe = nf->pend_head;
        pending_unlink(nf, pe);
        free(pe);
    }
    free(nf->dbuckets);
    free(nf);
}
