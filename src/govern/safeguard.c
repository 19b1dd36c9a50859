/*
 * safeguard.c — the checks every proposal passes at submit and again right
 * before it is applied.
 *
 * Each check adds one line to the report: its name, pass / refuse / note,
 * why, and — for a refusal — the narrower action that would pass. The
 * report is stored with the proposal and is part of the canonical form the
 * approvers sign, so an approval always names the safeguard results it saw.
 *
 *   action_allowed      the action type is in govern.allowed_actions
 *   target_fits_action  sinkholes act on names, blocks on addresses, …
 *   narrowest           no TLD or public suffix (libpsl), wildcards at or
 *                       below the registered domain, IPv4 /24 and IPv6 /48 or
 *                       narrower, blackholes only /32 or /128
 *   protected_assets    the operator's own list (hospitals, government, its
 *                       infrastructure): any overlap refuses any action
 *   warninglists        MISP warninglists (cloud/CDN, public resolvers, top
 *                       sites, sinkholes): a hit refuses actions that cut
 *                       traffic at the IP level and suggests the FQDN-level one
 *   collateral          names seen co-hosted on the target address (passive DNS)
 *   evidence            a finding about the target at or above the confidence
 *                       threshold whose TLP allows this use
 *   domestic            domestic or foreign target (privacy.domestic); a foreign
 *                       one needs govern.foreign_extra_approvals more approvals
 *   approvers           enough distinct approvers exist to decide it
 *   ttl                 at most govern.ttl_max for the action type
 *   deconfliction       no other open proposal on the same target
 *
 * Monitoring and takedown requests change no traffic, so the warninglists
 * and collateral checks note their hits without refusing them.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "govern/govern-int.h"
#include "sakimori/addr.h"
#include "sakimori/conf.h"
#include "sakimori/file.h"
#include "sakimori/pdns.h"

struct report {
    json_t *checks;
    int refused;
    struct sk_errinfo *ei; /* the first refusal */
};

__attribute__((format(printf, 5, 6)))
static void check(struct report *r, const char *name, const char *result, const char *suggest,
                  const char *fmt, ...)
{
    char why[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    json_array_append_new(r->checks, json_pack("{s:s, s:s, s:s, s:s?}", "check", name, "result",
                                               result, "why", why, "suggest", suggest));
    if (strcmp(result, "refuse") == 0) {
        if (!r->refused)
            sk_errinfo_set(r->ei, "safeguard '%s' refused: %s%s%s", name, why,
                           suggest ? "; " : "", suggest ? suggest : "");
        r->refused++;
    }
}

/* --- names and targets ----------------------------------------------------- */

int sk__gov_name_at_or_below(const char *name, const char *x)
{
    size_t n = strlen(name), k = strlen(x);

    if (n == k)
        return strcmp(name, x) == 0;
    return n > k && name[n - k - 1] == '.' && strcmp(name + n - k, x) == 0;
}

/* The host of a URL target, lower-cased, into out; "" if none. */
static void url_host(const char *url, char *out, size_t len)
{
    const char *p = strstr(url, "://");
    size_t i = 0;

    p = p ? p + 3 : url;
    if (strchr(p, '@') && (!strchr(p, '/') || strchr(p, '@') < strchr(p, '/')))
        p = strchr(p, '@') + 1;
    while (*p && *p != '/' && *p != ':' && *p != '?' && *p != '#' && i + 1 < len)
        out[i++] = (char)tolower((unsigned char)*p++);
    out[i] = '\0';
}

/* The name a target is about (fqdn, domain, URL host), or NULL. */
static const char *target_name(const struct sk_target *t, char *buf, size_t len)
{
    if (t->kind == SK_TARGET_FQDN || t->kind == SK_TARGET_DOMAIN)
        return t->value;
    if (t->kind == SK_TARGET_URL) {
        url_host(t->value, buf, len);
        return buf[0] ? buf : NULL;
    }
    return NULL;
}

static int is_ip_target(const struct sk_target *t)
{
    return t->kind == SK_TARGET_IP || t->kind == SK_TARGET_PREFIX;
}

static int prefixes_overlap(const struct sk_prefix *a, const struct sk_prefix *b)
{
    if (a->addr.family != b->addr.family)
        return 0;
    return a->len <= b->len ? sk_prefix_contains(a, &b->addr) : sk_prefix_contains(b, &a->addr);
}

int sk__gov_targets_overlap(const struct sk_target *a, const struct sk_target *b)
{
    char ba[SK_TARGET_MAX], bb[SK_TARGET_MAX];
    const char *na, *nb;

    if (is_ip_target(a) && is_ip_target(b))
        return prefixes_overlap(&a->prefix, &b->prefix);
    if (a->kind == SK_TARGET_URL && b->kind == SK_TARGET_URL)
        return strcmp(a->value, b->value) == 0;
    na = target_name(a, ba, sizeof ba);
    nb = target_name(b, bb, sizeof bb);
    if (!na || !nb)
        return 0;
    if (strcmp(na, nb) == 0)
        return 1;
    /* a wildcard covers every name below it */
    if (a->kind == SK_TARGET_DOMAIN && sk__gov_name_at_or_below(nb, na))
        return 1;
    if (b->kind == SK_TARGET_DOMAIN && sk__gov_name_at_or_below(na, nb))
        return 1;
    return 0;
}

/* --- lists: protected assets and warninglists ------------------------------- */

void sk__gov_lists_free(struct sk__gov_lists *l)
{
    for (size_t i = 0; i < l->nstrings; i++)
        free(l->strings[i]);
    free(l->strings);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static const char *lists_keep(struct sk__gov_lists *l, const char *s)
{
    char *c;

    if (l->nstrings == l->capstrings) {
        size_t cap = l->capstrings ? 2 * l->capstrings : 64;
        char **nv = realloc(l->strings, cap * sizeof *nv);
        if (!nv)
            return NULL;
        l->strings = nv;
        l->capstrings = cap;
    }
    if (!(c = strdup(s)))
        return NULL;
    l->strings[l->nstrings++] = c;
    return c;
}

static int lists_add(struct sk__gov_lists *l, const struct sk__gov_listed *e)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        struct sk__gov_listed *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = *e;
    return 0;
}

/* One entry of the operator's list: an IP, a prefix, a name or *.name. */
static int listed_parse(struct sk__gov_lists *l, const char *s, const char *list, int names_below)
{
    struct sk__gov_listed e;
    char low[256];
    size_t n = strlen(s), i;

    memset(&e, 0, sizeof e);
    e.list = list;
    if (sk_prefix_parse(s, &e.prefix, 1) == 0) {
        e.is_prefix = 1;
        return lists_add(l, &e);
    }
    if (strncmp(s, "*.", 2) == 0) {
        s += 2;
        n -= 2;
        names_below = 1;
    }
    if (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n >= sizeof low || s[0] == '.')
        return -SK_EPARSE;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '-' && c != '.' && c != '_')
            return -SK_EPARSE;
        if (c == '.' && (i + 1 == n || s[i + 1] == '.'))
            return -SK_EPARSE; /* an empty label */
        low[i] = (char)tolower(c);
    }
    low[n] = '\0';
    if (!(e.name = lists_keep(l, low)))
        return -SK_ENOMEM;
    e.match = (uint8_t)(names_below ? 1 : 0);
    return lists_add(l, &e);
}

int sk__gov_lists_read_plain(struct sk__gov_lists *l, const char *path, const char *list,
                             struct sk_errinfo *ei)
{
    char *text = NULL, *p, *nl;
    size_t len, line = 0;
    const char *lname;
    int rc = 0;

    if ((rc = sk_read_file(path, 64u << 20, &text, &len, ei)) < 0)
        return rc;
    if (!(lname = lists_keep(l, list))) {
        free(text);
        return -SK_ENOMEM;
    }
    for (p = text; p && *p; p = nl ? nl + 1 : NULL) {
        char *hash, *end;
        line++;
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if ((hash = strchr(p, '#')))
            *hash = '\0';
        while (isspace((unsigned char)*p))
            p++;
        end = p + strlen(p);
        while (end > p && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (!*p)
            continue;
        /* a protected name protects everything below it too */
        if ((rc = listed_parse(l, p, lname, 1)) < 0) {
            rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: expected an IP address, a prefix or a domain name, got '%s'",
                         path, line, p);
            break;
        }
    }
    free(text);
    return rc;
}

int sk__gov_lists_load(struct sk_govern *g, struct sk_errinfo *ei)
{
    const struct sk_conf *c = g->conf;
    int rc;

    if (g->lists_loaded)
        return 0;
    if (c->govern.protected_assets && *c->govern.protected_assets &&
        (rc = sk__gov_lists_read_plain(&g->protected_assets, c->govern.protected_assets,
                                       "protected assets", ei)) < 0)
        return rc;
    /* the same MISP warninglists intel uses (intel.warninglists) */
    if ((rc = sk_wl_load(&g->wl, (const char *const *)c->intel.warninglists.v,
                         c->intel.warninglists.n, ei)) < 0)
        return rc;
    for (size_t i = 0; i < c->govern.warninglists.n; i++)
        if (!sk_wl_find(g->wl, c->govern.warninglists.v[i]))
            return sk_fail(ei, -SK_ECONF,
                           "%s: govern.warninglists: '%s' is not among the loaded warninglists (intel.warninglists)",
                           c->path ? c->path : "configuration", c->govern.warninglists.v[i]);
    if (!g->psl) {
        g->psl_owned = psl_latest(NULL);
        g->psl = g->psl_owned ? g->psl_owned : psl_builtin();
        if (!g->psl)
            return sk_fail(ei, -SK_EUNSUP, "libpsl has no public suffix list (install publicsuffix)");
    }
    g->lists_loaded = 1;
    return 0;
}

/* Entries of the operator's list that the target touches: an address or
 * prefix sharing addresses with an IP target; a name equal to, above or
 * below a name target (a protected name protects everything under it, and
 * a wildcard target covers everything under it). Appends up to max
 * descriptions to hits; returns how many entries hit. */
static size_t protected_hits(const struct sk__gov_lists *l, const struct sk_target *t,
                             json_t *hits, size_t max)
{
    char buf[SK_TARGET_MAX];
    const char *name = target_name(t, buf, sizeof buf);
    size_t n = 0;

    for (size_t i = 0; i < l->n; i++) {
        const struct sk__gov_listed *e = &l->v[i];
        char what[SK_ADDR_STRLEN + 256];
        int hit = 0;
        if (e->is_prefix) {
            hit = is_ip_target(t) && prefixes_overlap(&e->prefix, &t->prefix);
            if (hit)
                sk_prefix_fmt(&e->prefix, what, sizeof what);
        } else if (name) {
            hit = sk__gov_name_at_or_below(name, e->name) ||
                  (t->kind == SK_TARGET_DOMAIN && sk__gov_name_at_or_below(e->name, name));
            if (hit)
                snprintf(what, sizeof what, "%s", e->name);
        }
        if (!hit)
            continue;
        if (n < max)
            json_array_append_new(hits, json_pack("{s:s, s:s}", "list", e->list, "entry", what));
        n++;
    }
    return n;
}

/* --- evidence ------------------------------------------------------------- */

static int finding_about(const struct sk__gov_finding *f, const struct sk_target *t)
{
    char buf[SK_TARGET_MAX];
    const char *name = target_name(t, buf, sizeof buf);
    struct sk_target it;

    if (is_ip_target(t)) {
        if ((f->dst.family && sk_prefix_contains(&t->prefix, &f->dst)) ||
            (f->src.family && sk_prefix_contains(&t->prefix, &f->src)))
            return 1;
    } else if (name) {
        if (f->name[0] && (t->kind == SK_TARGET_DOMAIN ? sk__gov_name_at_or_below(f->name, name)
                                                       : strcasecmp(f->name, name) == 0))
            return 1;
    }
    if (f->ind_value[0] && sk_target_parse(f->ind_value, &it, NULL) == 0 &&
        sk__gov_targets_overlap(&it, t))
        return 1;
    /* an indicator domain covers the names below it */
    if (name && f->ind_value[0] && sk__gov_name_at_or_below(name, f->ind_value))
        return 1;
    return 0;
}

static int tlp_max_for(const struct sk_conf_govern *c, enum sk_gov_action a)
{
    switch (a) {
    case SK_GOV_MONITOR: return c->tlp_max.monitor;
    case SK_GOV_SINKHOLE: return c->tlp_max.sinkhole;
    case SK_GOV_BLOCK: return c->tlp_max.block;
    case SK_GOV_BLACKHOLE: return c->tlp_max.blackhole;
    case SK_GOV_TAKEDOWN: return c->tlp_max.takedown_request;
    }
    return SK_TLP_CLEAR;
}

static uint64_t ttl_max_for(const struct sk_conf_govern *c, enum sk_gov_action a)
{
    switch (a) {
    case SK_GOV_MONITOR: return c->ttl_max.monitor;
    case SK_GOV_SINKHOLE: return c->ttl_max.sinkhole;
    case SK_GOV_BLOCK: return c->ttl_max.block;
    case SK_GOV_BLACKHOLE: return c->ttl_max.blackhole;
    case SK_GOV_TAKEDOWN: return c->ttl_max.takedown_request;
    }
    return 0;
}

struct evidence {
    int qualifying;
    sk_nstime first_seen;
    sk_nstime newest;           /* last seen of the newest qualifying finding */
    struct sk_addr addrs[32];   /* addresses the target was seen at */
    size_t naddrs;
    char names[8][256];         /* names seen for the target (for suggestions) */
    size_t nnames;
};

static void evidence_add_addr(struct evidence *e, const struct sk_addr *a)
{
    for (size_t i = 0; i < e->naddrs; i++)
        if (sk_addr_eq(&e->addrs[i], a))
            return;
    if (e->naddrs < sizeof e->addrs / sizeof e->addrs[0])
        e->addrs[e->naddrs++] = *a;
}

static void evidence_add_name(struct evidence *e, const char *n)
{
    for (size_t i = 0; i < e->nnames; i++)
        if (strcmp(e->names[i], n) == 0)
            return;
    if (e->nnames < sizeof e->names / sizeof e->names[0])
        snprintf(e->names[e->nnames++], sizeof e->names[0], "%s", n);
}

static const char *tlp_upper(int tlp, char *out, size_t len)
{
    const char *n = sk_tlp_name((enum sk_tlp)tlp);
    size_t i = 0;
    for (; n[i] && i + 1 < len; i++)
        out[i] = (char)toupper((unsigned char)n[i]);
    out[i] = '\0';
    return out;
}

static void check_evidence(struct sk_govern *g, const struct sk__gov_proposal *p,
                           struct report *r, struct evidence *e, json_t *qualifying)
{
    const struct sk_conf_govern *c = &g->conf->govern;
    json_t *refs = json_loads(p->evidence, 0, NULL);
    int tmax = tlp_max_for(c, p->action), nfind = 0, about = 0, best_conf = -1, tlp_blocked = 0;
    int64_t best_id = 0;
    size_t i;
    json_t *ref;
    char sugg[SK_TARGET_MAX + 256], up[16];

    json_array_foreach(refs, i, ref) {
        const char *s = json_string_value(ref);
        struct sk__gov_finding f;
        char *end;
        long long id;
        if (!s || strncmp(s, "finding:", 8) != 0)
            continue;
        id = strtoll(s + 8, &end, 10);
        if (*end || id <= 0 || sk__gov_finding(g, id, &f) < 0)
            continue;
        nfind++;
        if (!finding_about(&f, &p->target))
            continue;
        about++;
        if (f.dst.family && f.dport != 53)
            evidence_add_addr(e, &f.dst);
        if (f.name[0])
            evidence_add_name(e, f.name);
        if (!e->first_seen || f.first < e->first_seen)
            e->first_seen = f.first;
        /* monitoring changes nothing: any finding about the target will do */
        if (p->action != SK_GOV_MONITOR && f.confidence < (int)c->evidence_confidence) {
            if (f.confidence > best_conf) {
                best_conf = f.confidence;
                best_id = id;
            }
            continue;
        }
        if (f.tlp > tmax) {
            tlp_blocked++;
            continue;
        }
        e->qualifying++;
        if (f.last > e->newest)
            e->newest = f.last;
        json_array_append_new(qualifying, json_integer(id));
    }
    json_decref(refs);
    if (e->qualifying) {
        if (p->action == SK_GOV_MONITOR)
            check(r, "evidence", "pass", NULL,
                  "%d finding(s) about %s (monitoring needs no confidence threshold)",
                  e->qualifying, p->target.value);
        else
            check(r, "evidence", "pass", NULL,
                  "%d finding(s) about %s at or above confidence %u with a TLP that allows %s",
                  e->qualifying, p->target.value, c->evidence_confidence,
                  sk_govern_action_name(p->action));
        return;
    }
    if (nfind == 0) {
        check(r, "evidence", "refuse",
              "reference the findings behind the proposal with --evidence finding:<id> (sakimori cases show lists them)",
              "no finding is referenced: a proposal needs at least one detection or sighting");
    } else if (about == 0) {
        snprintf(sugg, sizeof sugg,
                 "check the target for a typo, or reference findings that involve %s", p->target.value);
        check(r, "evidence", "refuse", sugg,
              "none of the %d referenced finding(s) concerns %s (misidentification guard)", nfind,
              p->target.value);
    } else if (tlp_blocked) {
        snprintf(sugg, sizeof sugg,
                 "an action that discloses less (monitor allows TLP:%s), or evidence released for this use",
                 tlp_upper(c->tlp_max.monitor, up, sizeof up));
        check(r, "evidence", "refuse", sugg,
              "the evidence about %s is marked more restrictively than TLP:%s, the most a %s may rely on",
              p->target.value, tlp_upper(tmax, up, sizeof up), sk_govern_action_name(p->action));
    } else {
        snprintf(sugg, sizeof sugg, "monitor %s while gathering evidence of confidence %u or more",
                 p->target.value, c->evidence_confidence);
        check(r, "evidence", "refuse", sugg,
              "the strongest evidence about %s (finding %lld) has confidence %d, below the threshold %u",
              p->target.value, (long long)best_id, best_conf, c->evidence_confidence);
    }
}

/* --- the checks ------------------------------------------------------------- */

static int action_allowed(const struct sk_conf_govern *c, enum sk_gov_action a)
{
    for (size_t i = 0; i < c->allowed_actions.n; i++)
        if (sk_govern_action_parse(c->allowed_actions.v[i]) == (int)a)
            return 1;
    return 0;
}

static void allowed_list(const struct sk_conf_govern *c, char *out, size_t len)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < c->allowed_actions.n && k < len; i++)
        k += (size_t)snprintf(out + k, len - k, "%s%s", i ? ", " : "", c->allowed_actions.v[i]);
}

static void check_fits(const struct sk__gov_proposal *p, struct report *r)
{
    const struct sk_target *t = &p->target;
    const char *kind = sk_target_kind_name((enum sk_target_kind)t->kind);
    char sugg[SK_TARGET_MAX + 128], host[SK_TARGET_MAX];

    switch (p->action) {
    case SK_GOV_MONITOR:
        check(r, "target_fits_action", "pass", NULL, "monitor watches any kind of target");
        return;
    case SK_GOV_SINKHOLE:
        if (t->kind == SK_TARGET_FQDN || t->kind == SK_TARGET_DOMAIN) {
            check(r, "target_fits_action", "pass", NULL, "a sinkhole acts on names (RPZ)");
        } else if (t->kind == SK_TARGET_URL) {
            url_host(t->value, host, sizeof host);
            snprintf(sugg, sizeof sugg, "sinkhole the host name %s, or request a takedown of the URL",
                     host);
            check(r, "target_fits_action", "refuse", sugg,
                  "a sinkhole acts on names, not on URLs");
        } else {
            snprintf(sugg, sizeof sugg, "block %s, or sinkhole the C2's name", t->value);
            check(r, "target_fits_action", "refuse", sugg, "a sinkhole acts on names, not on an %s",
                  kind);
        }
        return;
    case SK_GOV_BLOCK:
    case SK_GOV_BLACKHOLE:
        if (is_ip_target(t)) {
            check(r, "target_fits_action", "pass", NULL, "%s acts on addresses",
                  p->action == SK_GOV_BLOCK ? "a block" : "a blackhole");
        } else {
            snprintf(sugg, sizeof sugg, "sinkhole %s instead (a name-level action)",
                     t->kind == SK_TARGET_URL ? "the URL's host name" : t->value);
            check(r, "target_fits_action", "refuse", sugg, "%s acts on addresses, not on a %s",
                  p->action == SK_GOV_BLOCK ? "a block" : "a blackhole", kind);
        }
        return;
    case SK_GOV_TAKEDOWN:
        check(r, "target_fits_action", "pass", NULL,
              "a takedown request may name a host, a domain, an address or a URL");
        return;
    }
}

static void check_narrowest(struct sk_govern *g, const struct sk__gov_proposal *p,
                            struct report *r)
{
    const struct sk_conf_govern *c = &g->conf->govern;
    const struct sk_target *t = &p->target;
    char sugg[SK_TARGET_MAX + 160], buf[SK_TARGET_MAX], pfx[SK_ADDR_STRLEN];
    const char *name = target_name(t, buf, sizeof buf);

    if (is_ip_target(t)) {
        int v4 = t->prefix.addr.family == SK_AF_INET;
        unsigned bits = v4 ? 32 : 128, min = v4 ? c->min_prefix4 : c->min_prefix6;
        if (p->action == SK_GOV_BLACKHOLE && t->prefix.len != bits) {
            struct sk_prefix first = t->prefix;
            first.len = (uint8_t)bits;
            snprintf(sugg, sizeof sugg, "blackhole the C2's own address, e.g. %s/%u, or block %s",
                     sk_addr_fmt(&first.addr, pfx, sizeof pfx), bits, t->value);
            check(r, "narrowest", "refuse", sugg,
                  "a blackhole (RTBH) announces host routes only (/%u), not %s", bits, t->value);
            return;
        }
        if (t->prefix.len < min) {
            struct sk_prefix nar = t->prefix;
            nar.len = (uint8_t)min;
            snprintf(sugg, sizeof sugg, "name the /%u blocks the C2 really uses, e.g. %s", min,
                     sk_prefix_fmt(&nar, pfx, sizeof pfx));
            check(r, "narrowest", "refuse", sugg,
                  "%s is wider than /%u, the widest %s block allowed (govern.min_prefix_v%d)",
                  t->value, min, v4 ? "IPv4" : "IPv6", v4 ? 4 : 6);
            return;
        }
        check(r, "narrowest", "pass", NULL, "%s is /%u, within the /%u bound", t->value,
              t->prefix.len, min);
        return;
    }
    if (!name) {
        check(r, "narrowest", "refuse", "name the host in the URL", "the URL has no host name");
        return;
    }
    if (psl_is_public_suffix2(g->psl, name, PSL_TYPE_ANY)) {
        check(r, "narrowest", "refuse",
              "name one registered domain below it (like evil.example) or a host name",
              "%s is a public suffix (a TLD or a shared registry such as co.uk): acting on it would hit every domain registered under it",
              name);
        return;
    }
    const char *reg = psl_registrable_domain(g->psl, name);
    if (!reg || !sk__gov_name_at_or_below(name, reg)) {
        check(r, "narrowest", "refuse", "name a registered domain or a host below one",
              "%s has no registered domain under the public suffix list", name);
        return;
    }
    if (t->kind == SK_TARGET_DOMAIN)
        check(r, "narrowest", "pass", NULL,
              "*.%s is at or below the registered domain %s", name, reg);
    else
        check(r, "narrowest", "pass", NULL, "%s lies under the registered domain %s", name, reg);
}

static int cuts_traffic(enum sk_gov_action a)
{
    return a == SK_GOV_SINKHOLE || a == SK_GOV_BLOCK || a == SK_GOV_BLACKHOLE;
}

static void hits_text(json_t *hits, char *out, size_t len)
{
    size_t i, k = 0;
    json_t *h;

    out[0] = '\0';
    json_array_foreach(hits, i, h) {
        if (k >= len || i == 4)
            break;
        k += (size_t)snprintf(out + k, len - k, "%s%s in '%s'", i ? ", " : "",
                              json_string_value(json_object_get(h, "entry")),
                              json_string_value(json_object_get(h, "list")));
    }
}

static void name_suggestion(const struct evidence *e, const char *what, char *out, size_t len)
{
    if (e->nnames)
        snprintf(out, len, "%s the C2's name instead: --action sinkhole --target %s", what,
                 e->names[0]);
    else
        snprintf(out, len, "%s the C2's host name instead (an FQDN-level sinkhole)", what);
}

static int list_selected(const struct sk_conf_govern *c, const char *id)
{
    if (c->warninglists.n == 0)
        return 1;
    for (size_t i = 0; i < c->warninglists.n; i++)
        if (strcmp(c->warninglists.v[i], id) == 0)
            return 1;
    return 0;
}

/* An entry as a bare lower-case name: no "*.", no leading or trailing dot. */
static void entry_name(const char *entry, char *out, size_t len)
{
    size_t i = 0;

    if (strncmp(entry, "*.", 2) == 0)
        entry += 2;
    while (*entry == '.')
        entry++;
    while (*entry && i + 1 < len)
        out[i++] = (char)tolower((unsigned char)*entry++);
    while (i && out[i - 1] == '.')
        i--;
    out[i] = '\0';
}

static void check_lists(struct sk_govern *g, const struct sk__gov_proposal *p, struct report *r,
                        const struct evidence *e, json_t *rep)
{
    const struct sk_conf_govern *c = &g->conf->govern;
    struct sk_wl_hit wh[64];
    json_t *hits = json_array();
    char text[600], sugg[400], buf[SK_TARGET_MAX];
    const char *name = target_name(&p->target, buf, sizeof buf);
    size_t n, nw;
    int refuse = 0;

    /* the operator's protected assets: nothing may touch them */
    n = protected_hits(&g->protected_assets, &p->target, hits, 8);
    if (n) {
        hits_text(hits, text, sizeof text);
        check(r, "protected_assets", p->action == SK_GOV_MONITOR ? "note" : "refuse",
              p->action == SK_GOV_MONITOR ? NULL : "monitor it, and report the compromise to its owner",
              "%s is a protected asset of the operator (%s)", p->target.value, text);
    } else {
        check(r, "protected_assets", "pass", NULL, "%s is not on the protected-assets list (%zu entries)",
              p->target.value, g->protected_assets.n);
    }
    json_object_set_new(rep, "protected_asset_hits", hits);

    hits = json_array();
    json_object_set_new(rep, "warninglist_hits", hits);
    if (sk_wl_count(g->wl) == 0) {
        check(r, "warninglists", "note", NULL,
              "no warninglists loaded (intel.warninglists): cloud, CDN, resolver, top-site and sinkhole lists are not checked");
        return;
    }
    if (is_ip_target(&p->target))
        nw = sk_wl_match_prefix(g->wl, &p->target.prefix, SK_WL_DST, wh, 64);
    else if (name)
        nw = sk_wl_match_name(g->wl, name, wh, 64);
    else
        nw = 0;
    if (nw > 64)
        nw = 64;
    n = 0;
    for (size_t i = 0; i < nw; i++) {
        const char *relation;
        char en[256];
        if (!list_selected(c, wh[i].list->id))
            continue;
        if (is_ip_target(&p->target)) {
            relation = "overlaps";
            refuse = 1;
        } else if (wh[i].list->type == SK_WL_SUBSTRING || wh[i].list->type == SK_WL_REGEX) {
            relation = "pattern";
        } else {
            entry_name(wh[i].entry, en, sizeof en);
            if (strcmp(en, name) == 0) {
                relation = "equal";
                refuse = 1;
            } else {
                relation = "below"; /* only the target itself is affected */
            }
        }
        json_array_append_new(hits, json_pack("{s:s, s:s, s:s, s:s}", "list", wh[i].list->id,
                                              "entry", wh[i].entry, "type",
                                              sk_wl_type_name((enum sk_wl_type)wh[i].list->type),
                                              "relation", relation));
        n++;
    }
    if (n == 0) {
        check(r, "warninglists", "pass", NULL, "%s is on none of the %zu warninglists consulted",
              p->target.value, c->warninglists.n ? c->warninglists.n : sk_wl_count(g->wl));
        return;
    }
    hits_text(hits, text, sizeof text);
    if (!cuts_traffic(p->action) || !refuse) {
        check(r, "warninglists", "note", NULL, "%s: %s%s", p->target.value, text,
              !refuse ? " (the target lies below the listed names or matches a pattern: only the target itself is affected)"
                      : " (this action does not cut traffic)");
        return;
    }
    if (is_ip_target(&p->target)) {
        name_suggestion(e, "the address is shared infrastructure:", sugg, sizeof sugg);
        check(r, "warninglists", "refuse", sugg,
              "%s is listed (%s): acting on the address would cut off everything else there",
              p->target.value, text);
    } else {
        check(r, "warninglists", "refuse",
              "name the C2's own host name below it, or request a takedown",
              "%s is listed (%s): a well-known name, resolver or sinkhole", p->target.value, text);
    }
}

struct cohosted {
    const struct evidence *e;
    json_t *names;  /* a sample of the co-hosted names */
    size_t others;  /* distinct names that are not the target's own */
    char seen[64][256];
    size_t nseen;
};

static int cohosted_one(void *ctx, const struct sk_pdns_entry *pe)
{
    struct cohosted *c = ctx;

    /* the C2's own names are not collateral */
    for (size_t i = 0; i < c->e->nnames; i++)
        if (sk__gov_name_at_or_below(pe->name, c->e->names[i]))
            return 0;
    for (size_t i = 0; i < c->nseen; i++)
        if (strcmp(c->seen[i], pe->name) == 0)
            return 0;
    if (c->nseen < sizeof c->seen / sizeof c->seen[0])
        snprintf(c->seen[c->nseen++], sizeof c->seen[0], "%s", pe->name);
    c->others++;
    if (json_array_size(c->names) < 10)
        json_array_append_new(c->names, json_string(pe->name));
    return 0;
}

static void check_collateral(struct sk_govern *g, const struct sk__gov_proposal *p,
                             struct report *r, const struct evidence *e, json_t *rep)
{
    const struct sk_conf_govern *c = &g->conf->govern;
    sk_nstime now = sk_now();
    sk_nstime since = now > c->collateral_window ? now - c->collateral_window : 0;
    struct cohosted co = {.e = e};
    char sugg[400], win[32];
    int rc;

    if (!is_ip_target(&p->target) || !cuts_traffic(p->action)) {
        check(r, "collateral", "pass", NULL, "a %s of a %s affects only the target",
              sk_govern_action_name(p->action),
              sk_target_kind_name((enum sk_target_kind)p->target.kind));
        return;
    }
    co.names = json_array();
    /* every (name, address) pair in the prefix; the limit bounds the work */
    rc = sk_pdns_names_in(g->st, &p->target.prefix, since, 100000, cohosted_one, &co);
    json_object_set_new(rep, "collateral", json_pack("{s:I, s:o}", "names", (json_int_t)co.others,
                                                      "sample", co.names));
    sk_duration_fmt(c->collateral_window, win, sizeof win);
    if (rc < 0) {
        check(r, "collateral", "refuse", NULL, "cannot read passive DNS: %s", sk_strerror(rc));
        return;
    }
    if (co.others > c->collateral_max) {
        name_suggestion(e, "other sites share it:", sugg, sizeof sugg);
        check(r, "collateral", "refuse", sugg,
              "%zu other name(s) resolved into %s in the last %s (passive DNS; govern.collateral_max is %u)",
              co.others, p->target.value, win, c->collateral_max);
        return;
    }
    check(r, "collateral", "pass", NULL,
          "%zu other name(s) resolved into %s in the last %s (at most %u allowed)", co.others,
          p->target.value, win, c->collateral_max);
}

/* What the action would have done over the recent stored telemetry (the
 * act subsystem's dry run): a note approvers sign along with the rest. */
static void check_impact(struct sk_govern *g, const struct sk__gov_proposal *p, struct report *r,
                         json_t *rep)
{
    struct sk_action_req req;
    struct sk_action_impact im;
    struct sk_errinfo e2 = {""};
    char win[32];

    memset(&req, 0, sizeof req);
    req.id = (uint64_t)p->id;
    req.kind = sk__gov_plugin_name(p->action);
    req.target = p->target;
    req.scope = p->scope;
    sk_duration_fmt(g->conf->act.dryrun_window, win, sizeof win);
    if (!sk_action_find(req.kind)) {
        check(r, "impact", "note", NULL, "no dry run: no '%s' plugin is built in", req.kind);
        return;
    }
    if (sk_action_dryrun(g->st, &req, g->conf->act.dryrun_window, &im, &e2) < 0) {
        check(r, "impact", "note", NULL, "no dry run: %s", e2.msg);
        return;
    }
    json_object_set_new(rep, "dry_run",
                        json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:s}", "telemetry", im.telemetry,
                                  "hosts", (json_int_t)im.hosts, "flows", (json_int_t)im.flows,
                                  "dns_queries", (json_int_t)im.dns_queries, "addresses",
                                  (json_int_t)im.addresses, "bytes", (json_int_t)im.bytes,
                                  "window", win));
    if (im.effect == SK_ACTION_EFFECT_NONE)
        check(r, "impact", "note", NULL, "a %s changes no traffic", sk_govern_action_name(p->action));
    else if (!im.telemetry)
        check(r, "impact", "note", NULL, "no stored telemetry in the last %s: impact unknown", win);
    else
        check(r, "impact", "note", NULL,
              "over the last %s it would have cut %llu hosts off (%llu flows, %llu DNS queries)",
              win, (unsigned long long)im.hosts, (unsigned long long)im.flows,
              (unsigned long long)im.dns_queries);
}

static int pdns_addr_one(void *ctx, const struct sk_pdns_entry *pe)
{
    evidence_add_addr(ctx, &pe->addr);
    return 0;
}

/* Where a name target was seen resolving to, from passive DNS. */
static void pdns_addrs(struct sk_govern *g, const struct sk__gov_proposal *p, struct evidence *e)
{
    char buf[SK_TARGET_MAX];
    const char *name = target_name(&p->target, buf, sizeof buf);
    sk_nstime now = sk_now(), win = g->conf->govern.collateral_window;

    if (name)
        sk_pdns_addrs_for_name(g->st, name, p->target.kind == SK_TARGET_DOMAIN,
                               now > win ? now - win : 0, 32, pdns_addr_one, e);
}

static int addr_domestic(const struct sk_conf *c, const struct sk_addr *a)
{
    for (size_t i = 0; i < c->privacy.domestic.n; i++)
        if (sk_prefix_contains(&c->privacy.domestic.v[i], a))
            return 1;
    return 0;
}

static int prefix_domestic(const struct sk_conf *c, const struct sk_prefix *p)
{
    for (size_t i = 0; i < c->privacy.domestic.n; i++) {
        const struct sk_prefix *d = &c->privacy.domestic.v[i];
        if (d->addr.family == p->addr.family && d->len <= p->len && sk_prefix_contains(d, &p->addr))
            return 1;
    }
    return 0;
}

static int check_domestic(struct sk_govern *g, const struct sk__gov_proposal *p, struct report *r,
                          const struct evidence *e)
{
    const struct sk_conf *c = g->conf;
    char a[SK_ADDR_STRLEN];

    if (is_ip_target(&p->target)) {
        int dom = prefix_domestic(c, &p->target.prefix);
        check(r, "domestic", "note", NULL, "%s is %s (privacy.domestic, %zu prefixes)",
              p->target.value, dom ? "domestic" : "foreign", c->privacy.domestic.n);
        return !dom;
    }
    if (e->naddrs == 0) {
        check(r, "domestic", "note", NULL,
              "no address is known for %s: treated as foreign", p->target.value);
        return 1;
    }
    for (size_t i = 0; i < e->naddrs; i++) {
        if (!addr_domestic(c, &e->addrs[i])) {
            check(r, "domestic", "note", NULL, "%s was seen at %s, a foreign address",
                  p->target.value, sk_addr_fmt(&e->addrs[i], a, sizeof a));
            return 1;
        }
    }
    check(r, "domestic", "note", NULL, "%s was seen only at domestic addresses (%zu)",
          p->target.value, e->naddrs);
    return 0;
}

static void check_deconfliction(struct sk_govern *g, const struct sk__gov_proposal *p,
                                int at_apply, struct report *r, sk_nstime fresh_since,
                                const struct evidence *e)
{
    static const char sql[] =
        "SELECT id, state, target, action FROM gov_proposals WHERE id != ?1 AND state IN"
        " ('pending', 'approved', 'active', 'provisional') ORDER BY id";
    sqlite3_stmt *st;
    int conflicts = 0, renewing = 0;
    char sugg[320];

    if (sk_store_prepare(g->st, sql, &st) < 0) {
        check(r, "deconfliction", "refuse", NULL, "cannot read the open proposals: %s",
              sk_store_errmsg(g->st));
        return;
    }
    sqlite3_bind_int64(st, 1, p->id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *state = (const char *)sqlite3_column_text(st, 1);
        const char *action = (const char *)sqlite3_column_text(st, 3);
        struct sk_target t;
        if (sk_target_parse((const char *)sqlite3_column_text(st, 2), &t, NULL) < 0 ||
            !sk__gov_targets_overlap(&t, &p->target))
            continue;
        if (at_apply && strcmp(state, "pending") == 0)
            continue; /* checked when it was submitted */
        if (p->renews == id && (!strcmp(state, "active") || !strcmp(state, "provisional")) &&
            !strcmp(t.value, p->target.value) &&
            sk_govern_action_parse(action) == (int)p->action) {
            renewing = 1;
            continue;
        }
        if (!conflicts) {
            if (!strcmp(state, "active") || !strcmp(state, "provisional"))
                snprintf(sugg, sizeof sugg,
                         "renew it instead (--renews %lld with fresh evidence), or revoke it first",
                         (long long)id);
            else
                snprintf(sugg, sizeof sugg, "wait for proposal #%lld to be decided, or join its case",
                         (long long)id);
            check(r, "deconfliction", "refuse", sugg,
                  "proposal #%lld (%s %s of %s) already covers %s", (long long)id, state, action,
                  t.value, p->target.value);
        }
        conflicts++;
    }
    sqlite3_reset(st);
    if (conflicts)
        return;
    if (p->renews && !renewing) {
        check(r, "deconfliction", "refuse", "renew only an active proposal on the same target and action",
              "proposal #%lld is not an active %s of %s", (long long)p->renews,
              sk_govern_action_name(p->action), p->target.value);
        return;
    }
    if (renewing) {
        if (e->newest <= fresh_since) {
            char since[SK_RFC3339_LEN];
            sk_rfc3339(fresh_since, since, sizeof since);
            check(r, "deconfliction", "refuse",
                  "reference a finding seen after the current action began",
                  "a renewal needs fresh evidence: nothing qualifying was seen after %s, when #%lld became active",
                  since, (long long)p->renews);
            return;
        }
        check(r, "deconfliction", "pass", NULL, "renews proposal #%lld with fresh evidence",
              (long long)p->renews);
        return;
    }
    check(r, "deconfliction", "pass", NULL, "no other open proposal concerns %s", p->target.value);
}

int sk__gov_safeguards(struct sk_govern *g, const struct sk__gov_proposal *p, int at_apply,
                       json_t **report, struct sk_errinfo *ei)
{
    const struct sk_conf_govern *c = &g->conf->govern;
    struct report r = {.ei = ei};
    struct evidence e;
    json_t *rep = NULL, *qualifying = NULL;
    char list[256], sugg[320], cap[32], ttl[32];
    sk_nstime fresh_since = 0;
    int rc, foreign, needed;
    size_t eligible;

    *report = NULL;
    memset(&e, 0, sizeof e);
    if ((rc = sk__gov_lists_load(g, ei)) < 0)
        return rc;
    if (!(rep = json_object()) || !(r.checks = json_array()) || !(qualifying = json_array())) {
        json_decref(rep);
        json_decref(r.checks);
        return -SK_ENOMEM;
    }
    json_object_set_new(rep, "at", json_string(at_apply ? "apply" : "submit"));

    if (action_allowed(c, p->action)) {
        check(&r, "action_allowed", "pass", NULL, "%s is an allowed action type",
              sk_govern_action_name(p->action));
    } else {
        allowed_list(c, list, sizeof list);
        snprintf(sugg, sizeof sugg, "use one of: %s", list);
        check(&r, "action_allowed", "refuse", sugg,
              "%s is not an allowed action type here (govern.allowed_actions)",
              sk_govern_action_name(p->action));
    }
    check_fits(p, &r);
    check_narrowest(g, p, &r);
    check_evidence(g, p, &r, &e, qualifying);
    check_lists(g, p, &r, &e, rep);
    check_collateral(g, p, &r, &e, rep);
    check_impact(g, p, &r, rep);
    pdns_addrs(g, p, &e);
    foreign = check_domestic(g, p, &r, &e);
    needed = (int)c->approvals + (foreign ? (int)c->foreign_extra : 0);
    eligible = g->napprovers;
    if (eligible >= (size_t)needed)
        check(&r, "approvers", "pass", NULL, "%d approvals needed of %zu approvers%s", needed,
              eligible, foreign ? " (foreign target)" : "");
    else
        check(&r, "approvers", "refuse",
              "configure more approvers (govern.approvers) or fewer approvals (govern.approvals)",
              "%d approvals are needed%s but only %zu approvers are configured", needed,
              foreign ? " for a foreign target" : "", eligible);
    uint64_t tmax = ttl_max_for(c, p->action);
    if (p->ttl <= tmax) {
        check(&r, "ttl", "pass", NULL, "%s is within the %s cap for %s",
              sk_duration_fmt(p->ttl, ttl, sizeof ttl), sk_duration_fmt(tmax, cap, sizeof cap),
              sk_govern_action_name(p->action));
    } else {
        snprintf(sugg, sizeof sugg, "--ttl %s (renew later with fresh evidence)",
                 sk_duration_fmt(tmax, cap, sizeof cap));
        check(&r, "ttl", "refuse", sugg, "%s exceeds the %s cap for %s (govern.ttl_max)",
              sk_duration_fmt(p->ttl, ttl, sizeof ttl), cap, sk_govern_action_name(p->action));
    }
    if (p->renews) {
        struct sk__gov_proposal old;
        if (sk__gov_load(g, p->renews, &old) == 0) {
            fresh_since = old.activated;
            sk__gov_proposal_free(&old);
        }
    }
    check_deconfliction(g, p, at_apply, &r, fresh_since, &e);

    json_object_set_new(rep, "checks", r.checks);
    json_object_set_new(rep, "passed", json_boolean(!r.refused));
    json_object_set_new(rep, "foreign", json_boolean(foreign));
    json_object_set_new(rep, "approvals_needed", json_integer(needed));
    json_object_set_new(rep, "qualifying_evidence", qualifying);
    json_object_set_new(rep, "first_seen_ns", json_integer((json_int_t)e.first_seen));
    *report = rep;
    return r.refused ? -SK_EDENIED : 0;
}
