/*
 * intel.c — indicator builder, plain-list loader and snapshot matcher.
 *
 * A snapshot holds every indicator in one array and one hash table from a
 * binary key to the first indicator with that key (indicators with the same
 * key — the same value from several sources — are chained). Keys:
 *   address prefix  'P' family len  16 masked bytes
 *   name            'N' name        (lower-case, no trailing dot)
 *   other           'H' type value  (hashes and URLs)
 * An address is matched by probing each prefix length present in its family,
 * longest first; a name by itself (FQDN and domain indicators) and then each
 * parent (domain indicators only). The snapshot is immutable once built, so
 * readers need no locks.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/arena.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"
#include "sakimori/intel.h"

#define NIL UINT32_MAX
#define LINE_MAX_LEN 4096
#define NAME_MAX_LEN 253

struct ioc {
    struct sk_indicator ind;
    uint32_t next_same; /* next indicator with the same key */
    uint32_t keylen;
    const uint8_t *key;
};

struct sk_intel_builder {
    struct sk_arena arena;
    struct ioc *v;
    size_t n, cap;
};

struct sk_intel {
    struct sk_arena arena;
    struct ioc *v;
    size_t n;
    uint32_t *slots; /* index + 1 of the chain head, 0 = empty */
    uint32_t mask;
    uint64_t seed;
    uint8_t lens4[33], nlens4;   /* IPv4 prefix lengths present, longest first */
    uint8_t lens6[129], nlens6;
};

static const char *const ioc_names[] = {
    [SK_IOC_IPV4] = "ipv4", [SK_IOC_IPV6] = "ipv6", [SK_IOC_CIDR4] = "cidr4",
    [SK_IOC_CIDR6] = "cidr6", [SK_IOC_DOMAIN] = "domain", [SK_IOC_FQDN] = "fqdn",
    [SK_IOC_URL] = "url", [SK_IOC_JA3] = "ja3", [SK_IOC_JA4] = "ja4",
    [SK_IOC_CERT_SHA1] = "cert-sha1", [SK_IOC_CERT_SHA256] = "cert-sha256",
};

const char *sk_ioc_type_name(enum sk_ioc_type t)
{
    if (t >= SK_IOC_IPV4 && t <= SK_IOC_CERT_SHA256)
        return ioc_names[t];
    return "unknown";
}

int sk_ioc_type_parse(const char *s, enum sk_ioc_type *out)
{
    for (int t = SK_IOC_IPV4; t <= SK_IOC_CERT_SHA256; t++) {
        if (strcmp(s, ioc_names[t]) == 0) {
            *out = (enum sk_ioc_type)t;
            return 0;
        }
    }
    return -SK_EINVAL;
}

int sk_intel_builder_new(struct sk_intel_builder **out)
{
    struct sk_intel_builder *b = calloc(1, sizeof *b);
    if (!b)
        return -SK_ENOMEM;
    sk_arena_init(&b->arena, 1 << 20, 0);
    *out = b;
    return 0;
}

void sk_intel_builder_free(struct sk_intel_builder *b)
{
    if (!b)
        return;
    sk_arena_free(&b->arena);
    free(b->v);
    free(b);
}

/* Canonical DNS name: lower-case, no trailing dot, letters/digits/-/_ only,
 * labels 1–63 bytes, at most 253 bytes. */
static int canon_name(const char *in, char *out, size_t outlen)
{
    size_t n = strlen(in), o = 0, label = 0;

    if (n && in[n - 1] == '.')
        n--;
    if (n == 0 || n > NAME_MAX_LEN || n >= outlen)
        return -SK_EPARSE;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (label == 0)
                return -SK_EPARSE;
            label = 0;
        } else if (isalnum(c) || c == '-' || c == '_') {
            if (++label > 63)
                return -SK_EPARSE;
            c = (unsigned char)tolower(c);
        } else {
            return -SK_EPARSE;
        }
        out[o++] = (char)c;
    }
    if (label == 0)
        return -SK_EPARSE;
    out[o] = '\0';
    return 0;
}

static int make_key(struct sk_arena *ar, const struct sk_indicator *ind,
                    const struct sk_prefix *pfx, const char *canon, struct ioc *e)
{
    uint8_t *k;

    if (pfx) {
        e->keylen = 19;
        if (!(k = sk_arena_alloc(ar, e->keylen)))
            return -SK_ENOMEM;
        k[0] = 'P';
        k[1] = pfx->addr.family;
        k[2] = pfx->len;
        memcpy(k + 3, pfx->addr.b, 16);
    } else {
        size_t l = strlen(canon);
        int is_name = ind->type == SK_IOC_DOMAIN || ind->type == SK_IOC_FQDN;
        e->keylen = (uint32_t)(l + (is_name ? 1 : 2));
        if (!(k = sk_arena_alloc(ar, e->keylen)))
            return -SK_ENOMEM;
        if (is_name) {
            k[0] = 'N';
            memcpy(k + 1, canon, l);
        } else {
            k[0] = 'H';
            k[1] = ind->type;
            memcpy(k + 2, canon, l);
        }
    }
    e->key = k;
    return 0;
}

int sk_intel_builder_add(struct sk_intel_builder *b, const struct sk_indicator *ind)
{
    char canon[SK_ADDR_STRLEN > 512 ? SK_ADDR_STRLEN : 512];
    struct sk_prefix pfx, *pp = NULL;
    struct ioc e;
    int rc;

    memset(&e, 0, sizeof e);
    switch (ind->type) {
    case SK_IOC_IPV4: case SK_IOC_IPV6: case SK_IOC_CIDR4: case SK_IOC_CIDR6:
        if (sk_prefix_parse(ind->value, &pfx, 0) < 0)
            return -SK_EPARSE;
        if ((ind->type == SK_IOC_IPV4 || ind->type == SK_IOC_CIDR4) != (pfx.addr.family == SK_AF_INET))
            return -SK_EPARSE;
        if ((ind->type == SK_IOC_IPV4 || ind->type == SK_IOC_IPV6) && pfx.len != sk_addr_bits(&pfx.addr))
            return -SK_EPARSE;
        if (pfx.len == sk_addr_bits(&pfx.addr))
            sk_addr_fmt(&pfx.addr, canon, sizeof canon);
        else
            sk_prefix_fmt(&pfx, canon, sizeof canon);
        pp = &pfx;
        break;
    case SK_IOC_DOMAIN: case SK_IOC_FQDN:
        if (canon_name(ind->value, canon, sizeof canon) < 0)
            return -SK_EPARSE;
        break;
    default: {
        size_t l = strlen(ind->value);
        if (l == 0 || l >= sizeof canon)
            return -SK_EPARSE;
        for (size_t i = 0; i <= l; i++)
            canon[i] = (char)tolower((unsigned char)ind->value[i]);
        break;
    }
    }
    e.ind = *ind;
    if (!(e.ind.value = sk_arena_strdup(&b->arena, canon)) ||
        !(e.ind.source = sk_arena_strdup(&b->arena, ind->source ? ind->source : "")))
        return -SK_ENOMEM;
    if ((rc = make_key(&b->arena, ind, pp, canon, &e)) < 0)
        return rc;
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 1024;
        struct ioc *nv = realloc(b->v, ncap * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        b->v = nv;
        b->cap = ncap;
    }
    b->v[b->n++] = e;
    return 0;
}

/* Classifies one list entry: address, prefix or domain. */
static int classify(const char *s, struct sk_indicator *ind, char *why, size_t wlen)
{
    struct sk_prefix p;
    int rc;

    if (strchr(s, '/')) {
        rc = sk_prefix_parse(s, &p, 0);
        if (rc == -SK_EINVAL) {
            char fix[SK_ADDR_STRLEN];
            sk_prefix_parse(s, &p, 1);
            snprintf(why, wlen, "'%s' has host bits set (did you mean %s?)", s,
                     sk_prefix_fmt(&p, fix, sizeof fix));
            return -SK_EPARSE;
        }
        if (rc < 0) {
            snprintf(why, wlen, "'%s' is not a CIDR prefix (expected like 192.0.2.0/24 or 2001:db8::/32)", s);
            return -SK_EPARSE;
        }
        int full = p.len == sk_addr_bits(&p.addr);
        ind->type = p.addr.family == SK_AF_INET ? (full ? SK_IOC_IPV4 : SK_IOC_CIDR4)
                                                : (full ? SK_IOC_IPV6 : SK_IOC_CIDR6);
        return 0;
    }
    if (sk_prefix_parse(s, &p, 0) == 0) {
        ind->type = p.addr.family == SK_AF_INET ? SK_IOC_IPV4 : SK_IOC_IPV6;
        return 0;
    }
    char canon[512];
    const char *name = s;
    if (strncmp(name, "*.", 2) == 0)
        name += 2;
    if (canon_name(name, canon, sizeof canon) < 0 || !strchr(canon, '.') ||
        strspn(canon, "0123456789.") == strlen(canon)) {
        snprintf(why, wlen,
                 "'%s' is not an IP address, CIDR prefix or domain name", s);
        return -SK_EPARSE;
    }
    ind->type = SK_IOC_DOMAIN;
    return 0;
}

int sk_intel_load_list(struct sk_intel_builder *b, const char *path, const char *source,
                       struct sk_errinfo *ei)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    char *line = NULL, why[600];
    size_t cap = 0, start = b->n, lineno = 0;
    ssize_t len;
    int rc = 0;

    if (!f)
        return sk_fail(ei, -errno, "%s: cannot read indicator list: %s", path, strerror(errno));
    while ((len = getline(&line, &cap, f)) >= 0) {
        struct sk_indicator ind = {.confidence = 50, .source = source};
        char *s = line, *e;
        lineno++;
        if (len > LINE_MAX_LEN) {
            rc = sk_fail(ei, -SK_ETOOBIG, "%s:%zu: line longer than %d bytes", path, lineno,
                         LINE_MAX_LEN);
            goto out;
        }
        if (memchr(line, '\0', (size_t)len)) {
            rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: NUL byte in a text list", path, lineno);
            goto out;
        }
        if ((e = strchr(s, '#')))
            *e = '\0';
        while (isspace((unsigned char)*s))
            s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if (!*s)
            continue;
        if (strpbrk(s, " \t,;")) {
            rc = sk_fail(ei, -SK_EPARSE,
                         "%s:%zu: '%s': expected one IP, CIDR or domain per line", path,
                         lineno, s);
            goto out;
        }
        if (classify(s, &ind, why, sizeof why) < 0) {
            rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: %s", path, lineno, why);
            goto out;
        }
        ind.value = strncmp(s, "*.", 2) == 0 ? s + 2 : s;
        if ((rc = sk_intel_builder_add(b, &ind)) < 0) {
            sk_fail(ei, rc, "%s:%zu: '%s': %s", path, lineno, s, sk_strerror(rc));
            goto out;
        }
    }
    if (ferror(f))
        rc = sk_fail(ei, -SK_EIO, "%s: read error after line %zu", path, lineno);
out:
    if (rc < 0)
        b->n = start; /* all or nothing: forget this file's entries */
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

static uint64_t key_hash(const struct sk_intel *in, const uint8_t *k, size_t len)
{
    return sk_hash64(k, len, in->seed);
}

static uint32_t lookup(const struct sk_intel *in, const uint8_t *k, size_t len)
{
    for (uint32_t s = (uint32_t)key_hash(in, k, len) & in->mask;; s = (s + 1) & in->mask) {
        uint32_t v = in->slots[s];
        if (!v)
            return NIL;
        const struct ioc *e = &in->v[v - 1];
        if (e->keylen == len && memcmp(e->key, k, len) == 0)
            return v - 1;
    }
}

int sk_intel_build(struct sk_intel_builder *b, struct sk_intel **out)
{
    struct sk_intel *in = calloc(1, sizeof *in);
    size_t nslots = 16;
    int seen4[33] = {0}, seen6[129] = {0};

    if (!in) {
        sk_intel_builder_free(b);
        return -SK_ENOMEM;
    }
    while (nslots < 2 * b->n + 1)
        nslots *= 2;
    in->slots = calloc(nslots, sizeof *in->slots);
    if (!in->slots) {
        free(in);
        sk_intel_builder_free(b);
        return -SK_ENOMEM;
    }
    in->mask = (uint32_t)(nslots - 1);
    in->seed = sk_hash_seed();
    in->arena = b->arena; /* take over the strings and keys */
    in->v = b->v;
    in->n = b->n;
    free(b);

    for (size_t i = 0; i < in->n; i++) {
        struct ioc *e = &in->v[i];
        e->next_same = NIL;
        uint32_t hit = lookup(in, e->key, e->keylen);
        if (hit != NIL) {
            /* same value again (another source, or a duplicate line) */
            struct ioc *h = &in->v[hit];
            int dup = 0;
            for (uint32_t j = hit; j != NIL; j = in->v[j].next_same)
                if (strcmp(in->v[j].ind.source, e->ind.source) == 0 &&
                    in->v[j].ind.type == e->ind.type)
                    dup = 1;
            if (!dup) {
                e->next_same = h->next_same;
                h->next_same = (uint32_t)i;
            }
            continue;
        }
        uint32_t s = (uint32_t)key_hash(in, e->key, e->keylen) & in->mask;
        while (in->slots[s])
            s = (s + 1) & in->mask;
        in->slots[s] = (uint32_t)i + 1;
        if (e->key[0] == 'P') {
            if (e->key[1] == SK_AF_INET)
                seen4[e->key[2]] = 1;
            else
                seen6[e->key[2]] = 1;
        }
    }
    for (int l = 32; l >= 0; l--)
        if (seen4[l])
            in->lens4[in->nlens4++] = (uint8_t)l;
    for (int l = 128; l >= 0; l--)
        if (seen6[l])
            in->lens6[in->nlens6++] = (uint8_t)l;
    *out = in;
    return 0;
}

void sk_intel_free(struct sk_intel *in)
{
    if (!in)
        return;
    sk_arena_free(&in->arena);
    free(in->v);
    free(in->slots);
    free(in);
}

size_t sk_intel_count(const struct sk_intel *in) { return in ? in->n : 0; }

static size_t collect(const struct sk_intel *in, uint32_t head, int domain_only,
                      const struct sk_indicator **out, size_t max, size_t n)
{
    for (uint32_t j = head; j != NIL; j = in->v[j].next_same) {
        if (domain_only && in->v[j].ind.type != SK_IOC_DOMAIN)
            continue;
        if (n < max)
            out[n] = &in->v[j].ind;
        n++;
    }
    return n;
}

size_t sk_intel_match_addr(const struct sk_intel *in, const struct sk_addr *a,
                           const struct sk_indicator **out, size_t max)
{
    uint8_t key[19];
    const uint8_t *lens = a->family == SK_AF_INET ? in->lens4 : in->lens6;
    size_t nlens = a->family == SK_AF_INET ? in->nlens4 : in->nlens6, n = 0;

    if (!in || in->n == 0)
        return 0;
    key[0] = 'P';
    key[1] = a->family;
    for (size_t i = 0; i < nlens; i++) {
        struct sk_addr m = *a;
        sk_addr_mask(&m, lens[i]);
        key[2] = lens[i];
        memcpy(key + 3, m.b, 16);
        uint32_t hit = lookup(in, key, sizeof key);
        if (hit != NIL)
            n = collect(in, hit, 0, out, max, n);
    }
    return n;
}

size_t sk_intel_match_name(const struct sk_intel *in, const char *name,
                           const struct sk_indicator **out, size_t max)
{
    uint8_t key[1 + NAME_MAX_LEN + 1];
    size_t len = strlen(name), n = 0;

    if (!in || in->n == 0 || len == 0 || len > NAME_MAX_LEN)
        return 0;
    if (name[len - 1] == '.')
        len--;
    key[0] = 'N';
    for (size_t i = 0; i < len; i++)
        key[1 + i] = (uint8_t)tolower((unsigned char)name[i]);
    /* the name itself: FQDN and domain indicators */
    uint32_t hit = lookup(in, key, len + 1);
    if (hit != NIL)
        n = collect(in, hit, 0, out, max, n);
    /* each parent: domain indicators only */
    for (size_t i = 0; i < len; i++) {
        if (key[1 + i] != '.')
            continue;
        /* the parent's key is 'N' + the name after this dot: put the tag
         * where the dot is, look up, put the dot back */
        key[1 + i] = 'N';
        hit = lookup(in, key + 1 + i, len - i);
        key[1 + i] = '.';
        if (hit != NIL)
            n = collect(in, hit, 1, out, max, n);
    }
    return n;
}
