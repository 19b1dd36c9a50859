/*
 * contacts.c — the abuse-contact database and the operator registry.
 *
 * The abuse-contact database is RDAP-shaped (RFC 9083) so that answers an
 * operator fetched from RDAP servers can be stored as they are:
 *
 *   { "networks": [ { "objectClassName": "ip network", "handle": "NET-1",
 *                     "name": "EXAMPLE-HOSTING", "country": "JP",
 *                     "cidr0_cidrs": [ {"v4prefix": "203.0.113.0", "length": 24} ],
 *                     "entities": [ { "roles": ["abuse"], "vcardArray": ["vcard",
 *                        [["version",{},"text","4.0"], ["fn",{},"text","Abuse desk"],
 *                         ["email",{},"text","abuse@hosting.example"]]] } ] } ],
 *     "domains":  [ { "objectClassName": "domain", "handle": "D-1",
 *                     "ldhName": "evil.example", "entities": [ … ] } ] }
 *
 * A network may give startAddress/endAddress instead of cidr0_cidrs when the
 * range is one prefix. The abuse mailbox is the email of the first entity
 * with the "abuse" role, searched depth-first through nested entities (RDAP
 * nests a registrar's abuse contact inside the registrar entity).
 *
 * Lookup is linear over a few thousand objects at most; the database is a
 * curated operator file, not a feed. Everything is validated at load with
 * the JSON path of the first problem.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "act/contacts.h"
#include "sakimori/addr.h"
#include "sakimori/file.h"

#define MAX_OBJECTS 100000
#define MAX_DEPTH 4

struct net {
    struct sk_prefix *p;
    size_t np;
    struct sk_contact c;
};

struct dom {
    char *name;
    struct sk_contact c;
};

struct sk_contacts {
    json_t *root; /* owns every string the entries point to */
    struct net *nets;
    size_t nnets;
    struct dom *doms;
    size_t ndoms;
};

static int bad(struct sk_errinfo *ei, const char *name, const char *path, const char *what)
{
    return sk_fail(ei, -SK_EPARSE, "%s: %s: %s", name, path, what);
}

/* The email (and fn) of the first abuse entity under obj. */
static int find_abuse(json_t *entities, int depth, const char **email, const char **fn)
{
    size_t i;
    json_t *e;

    if (depth > MAX_DEPTH || !json_is_array(entities))
        return 0;
    json_array_foreach(entities, i, e) {
        json_t *roles = json_object_get(e, "roles"), *r;
        size_t k;
        int abuse = 0;
        json_array_foreach(roles, k, r) abuse |= json_is_string(r) && !strcmp(json_string_value(r), "abuse");
        if (abuse) {
            json_t *card = json_array_get(json_object_get(e, "vcardArray"), 1), *prop;
            size_t j;
            const char *em = NULL, *f = NULL;
            json_array_foreach(card, j, prop) {
                const char *pn = json_string_value(json_array_get(prop, 0));
                const char *pv = json_string_value(json_array_get(prop, 3));
                if (pn && pv && !strcmp(pn, "email") && !em)
                    em = pv;
                if (pn && pv && !strcmp(pn, "fn") && !f)
                    f = pv;
            }
            if (em) {
                *email = em;
                *fn = f;
                return 1;
            }
        }
        if (find_abuse(json_object_get(e, "entities"), depth + 1, email, fn))
            return 1;
    }
    return 0;
}

static int valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || n > 254)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == '<' || s[i] == '>' || s[i] == ',' ||
            s[i] == '"' || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

/* startAddress..endAddress as one prefix, if it is one. */
static int range_prefix(const char *a, const char *b, struct sk_prefix *out)
{
    struct sk_addr lo, hi;
    if (sk_addr_parse(a, &lo) < 0 || sk_addr_parse(b, &hi) < 0 || lo.family != hi.family)
        return -1;
    unsigned bits = sk_addr_bits(&lo);
    for (unsigned len = 0; len <= bits; len++) {
        struct sk_addr m = lo;
        sk_addr_mask(&m, len);
        if (!sk_addr_eq(&m, &lo))
            continue;
        /* hi must be lo with every host bit set */
        struct sk_addr h = hi;
        sk_addr_mask(&h, len);
        if (!sk_addr_eq(&h, &lo))
            continue;
        int all = 1;
        unsigned off = 128 - bits;
        for (unsigned bit = len; bit < bits && all; bit++) {
            unsigned b2 = off + bit;
            all = (hi.b[b2 / 8] >> (7 - b2 % 8)) & 1;
        }
        if (all) {
            out->addr = lo;
            out->len = (uint8_t)len;
            return 0;
        }
    }
    return -1;
}

static int load_net(struct sk_contacts *c, json_t *o, size_t idx, const char *name,
                    struct sk_errinfo *ei)
{
    char path[64];
    struct net *n = &c->nets[c->nnets];
    json_t *cidrs = json_object_get(o, "cidr0_cidrs"), *x;
    size_t i;

    snprintf(path, sizeof path, "networks[%zu]", idx);
    if (!json_is_object(o))
        return bad(ei, name, path, "expected an RDAP ip network object");
    memset(n, 0, sizeof *n);
    n->c.handle = json_string_value(json_object_get(o, "handle"));
    n->c.name = json_string_value(json_object_get(o, "name"));
    n->c.country = json_string_value(json_object_get(o, "country"));
    size_t cap = json_array_size(cidrs) + 1;
    if (cap > 1024)
        return bad(ei, name, path, "more than 1024 cidr0_cidrs");
    if (!(n->p = calloc(cap, sizeof *n->p)))
        return -SK_ENOMEM;
    c->nnets++; /* owned from here: freed with the database */
    json_array_foreach(cidrs, i, x) {
        const char *a = json_string_value(json_object_get(x, "v4prefix"));
        int v6 = !a;
        if (!a)
            a = json_string_value(json_object_get(x, "v6prefix"));
        json_t *len = json_object_get(x, "length");
        char p[128], sub[128];
        snprintf(sub, sizeof sub, "%s.cidr0_cidrs[%zu]", path, i);
        if (!a || !json_is_integer(len))
            return bad(ei, name, sub, "expected {\"v4prefix\" or \"v6prefix\", \"length\"}");
        snprintf(p, sizeof p, "%s/%lld", a, (long long)json_integer_value(len));
        if (sk_prefix_parse(p, &n->p[n->np], 0) < 0 ||
            (n->p[n->np].addr.family == SK_AF_INET6) != v6)
            return bad(ei, name, sub, "not a valid prefix of its family with host bits clear");
        n->np++;
    }
    if (n->np == 0) {
        const char *s = json_string_value(json_object_get(o, "startAddress"));
        const char *e = json_string_value(json_object_get(o, "endAddress"));
        if (!s || !e)
            return bad(ei, name, path, "needs cidr0_cidrs or startAddress/endAddress");
        if (range_prefix(s, e, &n->p[0]) < 0)
            return bad(ei, name, path, "startAddress..endAddress is not one prefix (use "
                       "cidr0_cidrs)");
        n->np = 1;
    }
    const char *fn = NULL;
    if (!find_abuse(json_object_get(o, "entities"), 0, &n->c.email, &fn))
        return bad(ei, name, path, "no entity with the \"abuse\" role and an email");
    if (!valid_email(n->c.email))
        return bad(ei, name, path, "the abuse email is not a plain address");
    if (!n->c.name)
        n->c.name = fn;
    return 0;
}

static int load_dom(struct sk_contacts *c, json_t *o, size_t idx, const char *name,
                    struct sk_errinfo *ei)
{
    char path[64];
    struct dom *d = &c->doms[c->ndoms];
    const char *ldh = json_string_value(json_object_get(o, "ldhName"));
    const char *fn = NULL;

    snprintf(path, sizeof path, "domains[%zu]", idx);
    if (!json_is_object(o) || !ldh || !*ldh || strlen(ldh) > 253)
        return bad(ei, name, path, "expected an RDAP domain object with ldhName");
    memset(d, 0, sizeof *d);
    if (!(d->name = strdup(ldh)))
        return -SK_ENOMEM;
    c->ndoms++;
    for (char *p = d->name; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    size_t l = strlen(d->name);
    if (d->name[l - 1] == '.')
        d->name[l - 1] = '\0';
    d->c.handle = json_string_value(json_object_get(o, "handle"));
    snprintf(d->c.matched, sizeof d->c.matched, "%s", d->name);
    if (!find_abuse(json_object_get(o, "entities"), 0, &d->c.email, &fn))
        return bad(ei, name, path, "no entity with the \"abuse\" role and an email");
    if (!valid_email(d->c.email))
        return bad(ei, name, path, "the abuse email is not a plain address");
    d->c.name = fn ? fn : d->c.handle;
    return 0;
}

void sk__contacts_free(struct sk_contacts *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nnets; i++)
        free(c->nets[i].p);
    for (size_t i = 0; i < c->ndoms; i++)
        free(c->doms[i].name);
    free(c->nets);
    free(c->doms);
    json_decref(c->root);
    free(c);
}

int sk__contacts_parse(const char *text, size_t len, const char *name, struct sk_contacts **out,
                       struct sk_errinfo *ei)
{
    struct sk_contacts *c;
    json_error_t je;
    int rc = 0;

    *out = NULL;
    if (len > SK_CONTACTS_MAX_BYTES)
        return sk_fail(ei, -SK_ETOOBIG, "%s: larger than %u bytes", name, SK_CONTACTS_MAX_BYTES);
    if (!(c = calloc(1, sizeof *c)))
        return -SK_ENOMEM;
    if (!(c->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je))) {
        rc = sk_fail(ei, -SK_EPARSE, "%s:%d:%d: %s", name, je.line, je.column, je.text);
        goto out;
    }
    json_t *nets = json_object_get(c->root, "networks"), *doms = json_object_get(c->root, "domains");
    if (!json_is_object(c->root) || (nets && !json_is_array(nets)) || (doms && !json_is_array(doms))) {
        rc = bad(ei, name, "$", "expected {\"networks\": [...], \"domains\": [...]}");
        goto out;
    }
    if (json_array_size(nets) + json_array_size(doms) > MAX_OBJECTS) {
        rc = bad(ei, name, "$", "more than 100000 objects");
        goto out;
    }
    c->nets = calloc(json_array_size(nets) + 1, sizeof *c->nets);
    c->doms = calloc(json_array_size(doms) + 1, sizeof *c->doms);
    if (!c->nets || !c->doms) {
        rc = -SK_ENOMEM;
        goto out;
    }
    size_t i;
    json_t *o;
    json_array_foreach(nets, i, o) if ((rc = load_net(c, o, i, name, ei)) < 0) goto out;
    json_array_foreach(doms, i, o) if ((rc = load_dom(c, o, i, name, ei)) < 0) goto out;
out:
    if (rc < 0)
        sk__contacts_free(c);
    else
        *out = c;
    return rc;
}

int sk__contacts_load(const char *path, struct sk_contacts **out, struct sk_errinfo *ei)
{
    char *text = NULL;
    size_t len;
    int rc = sk_read_file(path, SK_CONTACTS_MAX_BYTES, &text, &len, ei);

    if (rc == 0)
        rc = sk__contacts_parse(text, len, path, out, ei);
    free(text);
    return rc;
}

int sk__contacts_for_addr(const struct sk_contacts *c, const struct sk_addr *a,
                          struct sk_contact *out)
{
    int best = -1;
    const struct net *bn = NULL;
    const struct sk_prefix *bp = NULL;

    for (size_t i = 0; i < c->nnets; i++)
        for (size_t k = 0; k < c->nets[i].np; k++) {
            const struct sk_prefix *p = &c->nets[i].p[k];
            if (p->addr.family == a->family && sk_prefix_contains(p, a) && p->len > best) {
                best = p->len;
                bn = &c->nets[i];
                bp = p;
            }
        }
    if (!bn)
        return -SK_ENOTFOUND;
    *out = bn->c;
    sk_prefix_fmt(bp, out->matched, sizeof out->matched);
    return 0;
}

int sk__contacts_for_name(const struct sk_contacts *c, const char *name, struct sk_contact *out)
{
    size_t nl = strlen(name), best = 0;
    const struct dom *bd = NULL;

    for (size_t i = 0; i < c->ndoms; i++) {
        size_t dl = strlen(c->doms[i].name);
        if (dl > nl || dl <= best || strcasecmp(name + nl - dl, c->doms[i].name) != 0)
            continue;
        if (dl < nl && name[nl - dl - 1] != '.')
            continue;
        best = dl;
        bd = &c->doms[i];
    }
    if (!bd)
        return -SK_ENOTFOUND;
    *out = bd->c;
    return 0;
}

/* --- operator registry --------------------------------------------------- */

struct op_entry {
    struct sk_operator op;
    struct sk_prefix *p;
    size_t np;
};

struct sk_operators {
    json_t *root;
    struct op_entry *v;
    size_t n;
};

void sk__operators_free(struct sk_operators *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n; i++)
        free(o->v[i].p);
    free(o->v);
    json_decref(o->root);
    free(o);
}

int sk__operators_parse(const char *text, size_t len, const char *name,
                        struct sk_operators **out, struct sk_errinfo *ei)
{
    struct sk_operators *o;
    json_error_t je;
    json_t *ops, *x;
    size_t i;
    int rc = 0;

    *out = NULL;
    if (len > SK_CONTACTS_MAX_BYTES)
        return sk_fail(ei, -SK_ETOOBIG, "%s: larger than %u bytes", name, SK_CONTACTS_MAX_BYTES);
    if (!(o = calloc(1, sizeof *o)))
        return -SK_ENOMEM;
    if (!(o->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je))) {
        rc = sk_fail(ei, -SK_EPARSE, "%s:%d:%d: %s", name, je.line, je.column, je.text);
        goto out;
    }
    ops = json_object_get(o->root, "operators");
    if (!json_is_array(ops) || json_array_size(ops) > MAX_OBJECTS) {
        rc = bad(ei, name, "$", "expected {\"operators\": [...]} (at most 100000)");
        goto out;
    }
    if (!(o->v = calloc(json_array_size(ops) + 1, sizeof *o->v))) {
        rc = -SK_ENOMEM;
        goto out;
    }
    json_array_foreach(ops, i, x) {
        char path[64];
        struct op_entry *e = &o->v[o->n];
        json_t *pfx = json_object_get(x, "prefixes"), *p;
        size_t k;
        snprintf(path, sizeof path, "operators[%zu]", i);
        e->op.id = json_string_value(json_object_get(x, "id"));
        e->op.name = json_string_value(json_object_get(x, "name"));
        e->op.email = json_string_value(json_object_get(x, "email"));
        if (!e->op.id || !*e->op.id || strspn(e->op.id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(e->op.id) || strlen(e->op.id) > 64) {
            rc = bad(ei, name, path, "\"id\" must be 1-64 letters, digits, '-', '_' or '.'");
            goto out;
        }
        if (!e->op.email || !valid_email(e->op.email)) {
            rc = bad(ei, name, path, "\"email\" must be a plain address");
            goto out;
        }
        if (!e->op.name)
            e->op.name = e->op.id;
        if (!json_is_array(pfx) || json_array_size(pfx) == 0 || json_array_size(pfx) > 100000) {
            rc = bad(ei, name, path, "\"prefixes\" must be a non-empty list");
            goto out;
        }
        if (!(e->p = calloc(json_array_size(pfx), sizeof *e->p))) {
            rc = -SK_ENOMEM;
            goto out;
        }
        o->n++;
        json_array_foreach(pfx, k, p) {
            char sub[128];
            snprintf(sub, sizeof sub, "%s.prefixes[%zu]", path, k);
            if (!json_is_string(p) || sk_prefix_parse(json_string_value(p), &e->p[e->np], 0) < 0) {
                rc = bad(ei, name, sub, "not a prefix like 198.51.100.0/24 (host bits clear)");
                goto out;
            }
            e->np++;
        }
    }
out:
    if (rc < 0)
        sk__operators_free(o);
    else
        *out = o;
    return rc;
}

int sk__operators_load(const char *path, struct sk_operators **out, struct sk_errinfo *ei)
{
    char *text = NULL;
    size_t len;
    int rc = sk_read_file(path, SK_CONTACTS_MAX_BYTES, &text, &len, ei);

    if (rc == 0)
        rc = sk__operators_parse(text, len, path, out, ei);
    free(text);
    return rc;
}

const struct sk_operator *sk__operators_for_addr(const struct sk_operators *o,
                                                 const struct sk_addr *a)
{
    const struct sk_operator *best = NULL;
    int blen = -1;

    for (size_t i = 0; i < o->n; i++)
        for (size_t k = 0; k < o->v[i].np; k++) {
            const struct sk_prefix *p = &o->v[i].p[k];
            if (p->addr.family == a->family && sk_prefix_contains(p, a) && p->len > blen) {
                blen = p->len;
                best = &o->v[i].op;
            }
        }
    return best;
}
