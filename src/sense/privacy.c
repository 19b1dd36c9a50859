/*
 * privacy.c — the privacy filter: profiles, domestic prefixes, Crypto-PAn.
 *
 * Domestic prefixes are reduced to the outermost ones (a prefix inside
 * another is dropped), sorted; they are then disjoint, so the only
 * candidate for an address is the last prefix starting at or before it:
 * one binary search per address, whatever the size of a national list.
 *
 * Pseudonyms: Crypto-PAn, as in the original paper and reference code. For
 * bit position i the cipher input is the address's first i bits followed
 * by the pad's remaining bits; the first bit of AES(input) flips bit i.
 * Two addresses sharing a k-bit prefix thus map to pseudonyms sharing a
 * k-bit prefix, and nothing else about them is kept. The bits of the
 * domestic prefix an address lies in are kept as they are (flips start at
 * that prefix's length), so a pseudonym stays inside its own domestic
 * prefix: it can never collide with a real foreign address and analysts can
 * still tell which network it belongs to. Each address costs 32 (IPv4) or
 * 128 (IPv6) AES blocks; a direct-mapped cache of recent mappings makes a
 * repeated address cost one lookup. AES comes from nettle (GnuTLS's crypto
 * library), which uses AES-NI where the CPU has it.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <nettle/aes.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/conf-t.h"
#include "sakimori/file.h"
#include "sakimori/hash.h"
#include "sakimori/privacy.h"

#define CACHE_SLOTS 16384 /* power of two */

struct sk_cryptopan {
    struct aes128_ctx aes;
    uint8_t pad[16];
};

struct cache_slot {
    struct sk_addr in, out;
};

struct sk_privacy_filter {
    struct sk_prefix *dom; /* disjoint, sorted */
    size_t ndom;
    struct sk_cryptopan *cp; /* NULL when no key was configured */
    struct cache_slot *cache;
    uint64_t seed;
    struct sk_privacy_stats st;
};

/* --- Crypto-PAn -------------------------------------------------------------- */

int sk_cryptopan_new(struct sk_cryptopan **out, const uint8_t key[32])
{
    struct sk_cryptopan *cp = calloc(1, sizeof *cp);
    if (!cp)
        return -SK_ENOMEM;
    aes128_set_encrypt_key(&cp->aes, key);
    aes128_encrypt(&cp->aes, 16, cp->pad, key + 16);
    *out = cp;
    return 0;
}

void sk_cryptopan_free(struct sk_cryptopan *cp)
{
    if (cp)
        memset(cp, 0, sizeof *cp);
    free(cp);
}

/* addr: nbytes of the address (4 or 16), most significant first. */
static void cryptopan_bits(const struct sk_cryptopan *cp, const uint8_t *addr, unsigned nbits,
                           unsigned keep, uint8_t *res)
{
    uint8_t in[16], out[16], flip[16] = {0};

    for (unsigned pos = keep; pos < nbits; pos++) {
        unsigned full = pos / 8, rem = pos % 8;
        memcpy(in, addr, full);
        memcpy(in + full, cp->pad + full, 16 - full);
        if (rem) {
            uint8_t hi = (uint8_t)(0xff << (8 - rem));
            in[full] = (uint8_t)((addr[full] & hi) | (cp->pad[full] & (uint8_t)~hi));
        }
        aes128_encrypt(&cp->aes, 16, out, in);
        flip[pos / 8] |= (uint8_t)((out[0] >> 7) << (7 - pos % 8));
    }
    for (unsigned i = 0; i < nbits / 8; i++)
        res[i] = addr[i] ^ flip[i];
}

void sk_cryptopan_map(const struct sk_cryptopan *cp, const struct sk_addr *in, unsigned keep,
                      struct sk_addr *out)
{
    *out = *in;
    if (in->family == SK_AF_INET)
        cryptopan_bits(cp, in->b + 12, 32, keep > 32 ? 32 : keep, out->b + 12);
    else if (in->family == SK_AF_INET6)
        cryptopan_bits(cp, in->b, 128, keep > 128 ? 128 : keep, out->b);
}

/* --- domestic prefixes -------------------------------------------------------- */

static int prefix_cmp(const void *a, const void *b)
{
    const struct sk_prefix *x = a, *y = b;
    int c = sk_addr_cmp(&x->addr, &y->addr);
    if (c)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

int sk_privacy_domestic(const struct sk_privacy_filter *p, const struct sk_addr *a, unsigned *plen)
{
    size_t lo = 0, hi = p->ndom;

    if (!a->family || !hi)
        return 0;
    /* last prefix whose start is <= a */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sk_addr_cmp(&p->dom[mid].addr, a) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || !sk_prefix_contains(&p->dom[lo - 1], a))
        return 0;
    if (plen)
        *plen = p->dom[lo - 1].len;
    return 1;
}

/* --- key ------------------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_hex_key(const char *s, size_t len, uint8_t key[32])
{
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    if (len != 64)
        return -SK_EPARSE;
    for (size_t i = 0; i < 32; i++) {
        int h = hexval((unsigned char)s[2 * i]), l = hexval((unsigned char)s[2 * i + 1]);
        if (h < 0 || l < 0)
            return -SK_EPARSE;
        key[i] = (uint8_t)(h << 4 | l);
    }
    return 0;
}

static int load_key(const struct sk_conf_privacy *c, uint8_t key[32], struct sk_errinfo *ei)
{
    if (c->key && c->key_file)
        return sk_fail(ei, -SK_ECONF, "privacy: give key or key_file, not both");
    if (c->key) {
        if (parse_hex_key(c->key, strlen(c->key), key) < 0)
            return sk_fail(ei, -SK_ECONF, "privacy.key: expected 64 hexadecimal digits (32 bytes)");
        return 0;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = sk_read_file(c->key_file, 4096, &text, &len, ei);
    if (rc < 0)
        return sk_fail(ei, -SK_ECONF, "privacy.key_file: %s: %s", c->key_file, sk_strerror(rc));
    if (parse_hex_key(text, len, key) == 0)
        rc = 0;
    else if (len == 32)
        memcpy(key, text, 32), rc = 0;
    else
        rc = sk_fail(ei, -SK_ECONF,
                     "privacy.key_file: %s: expected 64 hexadecimal digits or 32 raw bytes",
                     c->key_file);
    memset(text, 0, len);
    free(text);
    return rc;
}

/* --- the filter ----------------------------------------------------------------- */

int sk_privacy_new(struct sk_privacy_filter **out, const struct sk_conf *conf, struct sk_errinfo *ei)
{
    const struct sk_conf_privacy *c = &conf->privacy;
    struct sk_privacy_filter *p = calloc(1, sizeof *p);
    uint8_t key[32];
    int rc = 0, metadata = c->profile == SK_PRIVACY_METADATA;

    if (!p)
        return -SK_ENOMEM;
    for (size_t i = 0; i < conf->sources.n; i++)
        if (conf->sources.v[i].privacy == SK_PRIVACY_METADATA)
            metadata = 1;
    if (c->domestic.n) {
        struct sk_prefix *v = malloc(c->domestic.n * sizeof *v);
        if (!v) {
            rc = -SK_ENOMEM;
            goto out;
        }
        memcpy(v, c->domestic.v, c->domestic.n * sizeof *v);
        qsort(v, c->domestic.n, sizeof *v, prefix_cmp);
        /* keep the outermost: sorted by start then length, a prefix is
         * inside an earlier kept one exactly when the last kept contains
         * its start */
        size_t n = 0;
        for (size_t i = 0; i < c->domestic.n; i++)
            if (n == 0 || !sk_prefix_contains(&v[n - 1], &v[i].addr) ||
                v[n - 1].addr.family != v[i].addr.family)
                v[n++] = v[i];
        p->dom = v;
        p->ndom = n;
    }
    if (c->key || c->key_file) {
        if ((rc = load_key(c, key, ei)) < 0)
            goto out;
        rc = sk_cryptopan_new(&p->cp, key);
        memset(key, 0, sizeof key);
        if (rc < 0)
            goto out;
        if (!(p->cache = calloc(CACHE_SLOTS, sizeof *p->cache))) {
            rc = -SK_ENOMEM;
            goto out;
        }
    } else if (metadata && p->ndom) {
        rc = sk_fail(ei, -SK_ECONF,
                     "privacy: the metadata profile pseudonymizes domestic addresses and needs "
                     "privacy.key or privacy.key_file (64 hexadecimal digits)");
        goto out;
    }
    p->seed = sk_hash_seed();
out:
    if (rc < 0) {
        sk_privacy_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void sk_privacy_free(struct sk_privacy_filter *p)
{
    if (!p)
        return;
    sk_cryptopan_free(p->cp);
    if (p->cache)
        memset(p->cache, 0, CACHE_SLOTS * sizeof *p->cache);
    free(p->cache);
    free(p->dom);
    free(p);
}

static void pseudonym(struct sk_privacy_filter *p, struct sk_addr *a, unsigned keep)
{
    struct cache_slot *s = &p->cache[sk_hash64(a, sizeof *a, p->seed) & (CACHE_SLOTS - 1)];
    if (!sk_addr_eq(&s->in, a)) {
        s->in = *a;
        sk_cryptopan_map(p->cp, a, keep, &s->out);
    }
    *a = s->out;
    p->st.pseudonymized++;
}

const struct sk_event *sk_privacy_apply(struct sk_privacy_filter *p, uint8_t profile,
                                        const struct sk_event *ev, struct sk_event *tmp)
{
    unsigned slen = 0, dlen = 0;

    p->st.events++;
    if (ev->privacy > profile)
        profile = ev->privacy;
    if (profile != SK_PRIVACY_METADATA)
        return ev;
    int sdom = sk_privacy_domestic(p, &ev->src, &slen);
    int ddom = sk_privacy_domestic(p, &ev->dst, &dlen);
    if (sdom && ddom) {
        p->st.dropped_domestic++;
        return NULL;
    }
    memcpy(tmp, ev, sizeof *tmp);
    tmp->privacy = SK_PRIVACY_METADATA;
    if (ev->kind != SK_EVENT_FLOW) {
        /* names, answers, fingerprints, HTTP fields, alert texts */
        memset(&tmp->u, 0, sizeof tmp->u);
        p->st.stripped++;
    }
    if (sdom)
        pseudonym(p, &tmp->src, slen);
    if (ddom)
        pseudonym(p, &tmp->dst, dlen);
    return tmp;
}

void sk_privacy_stats(const struct sk_privacy_filter *p, struct sk_privacy_stats *out)
{
    *out = p->st;
}

/* --- configuration ------------------------------------------------------------ */

const struct sk_conf_source *sk_conf_source_for(const struct sk_conf *conf, const char *input)
{
    const char *base = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;

    for (size_t i = 0; i < conf->sources.n; i++) {
        const struct sk_conf_source *s = &conf->sources.v[i];
        if (!s->input)
            continue;
        if (strcmp(s->input, input) == 0 || fnmatch(s->input, input, 0) == 0 ||
            (!strchr(s->input, '/') && fnmatch(s->input, base, 0) == 0))
            return s;
    }
    return NULL;
}

uint8_t sk_privacy_profile_for(const struct sk_conf *conf, const char *input)
{
    const struct sk_conf_source *s = sk_conf_source_for(conf, input);
    if (s && s->privacy >= 0)
        return (uint8_t)s->privacy;
    return (uint8_t)conf->privacy.profile;
}
