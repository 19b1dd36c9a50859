/*
 * act_nft.c — the "nft" action: drop traffic to and from an address or
 * prefix with nftables, through libnftables.
 *
 * sakimori owns one table (act.nft.table, family inet):
 *
 *   table inet sakimori {
 *     set v4 { type ipv4_addr; flags interval, timeout; }
 *     set v6 { type ipv6_addr; flags interval, timeout; }
 *     chain input   { … hook input   …; ip saddr @v4 counter drop; ip6 saddr @v6 counter drop }
 *     chain forward { … hook forward …; ip daddr/saddr @v4 counter drop; same for v6 }
 *     chain output  { … hook output  …; ip daddr @v4 counter drop; ip6 daddr @v6 counter drop }
 *   }
 *
 * The store (act_entries, kind "nft") says which prefixes are blocked; the
 * kernel sets are made to match it by one diff, applied as one nftables
 * transaction (a buffer of commands is atomic). That one `sync` serves apply,
 * revert and reconcile alike, so a crash anywhere is repaired by the next
 * sync. Elements carry a timeout equal to the remaining TTL (the latest
 * expiry of the actions holding them), so a block ends on time even if
 * sakimori is gone.
 *
 * nftables 1.0.6 quirks this design avoids (RECIPES.md): no auto-merge (a
 * /32 absorbed into a /28 could not be deleted later), so overlapping
 * intervals are refused by the kernel; we therefore install only the
 * maximal prefixes of the desired set (a /32 inside a blocked /28 is held by
 * the /28 and installed when the /28 goes). Deleting a missing element fails
 * and there is no `destroy`, so deletions are computed from a fresh listing,
 * and a transaction that lost a race with an expiring element is retried
 * once from a new listing. Cost: one listing and one transaction per change,
 * O(n log n) in the number of blocked prefixes.
 */
#include <jansson.h>
#include <nftables/libnftables.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act/act-int.h"
#include "sakimori/addr.h"
#include "sakimori/buf.h"
#include "sakimori/conf-t.h"
#include "sakimori/log.h"

#define NFT_OUT_CAP (64u << 20)
#define NFT_MAX_ELEMS 1000000

struct nft {
    struct sk_store *store;
    struct nft_ctx *ctx;
    char table[64];
    long long prio;
};

struct elem {
    struct sk_prefix p;
    uint64_t expires_s; /* kernel: seconds left; desired: TTL left (0 = none) */
    char text[SK_ADDR_STRLEN + 4];
};

struct elems {
    struct elem *v;
    size_t n, cap;
};

static int elems_push(struct elems *e, const struct elem *x)
{
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        if (cap > NFT_MAX_ELEMS)
            return -SK_ETOOBIG;
        struct elem *v = realloc(e->v, cap * sizeof *v);
        if (!v)
            return -SK_ENOMEM;
        e->v = v;
        e->cap = cap;
    }
    e->v[e->n++] = *x;
    return 0;
}

static int prefix_cmp(const void *a, const void *b)
{
    const struct elem *x = a, *y = b;
    int c = sk_addr_cmp(&x->p.addr, &y->p.addr);
    if (c)
        return c;
    return (int)x->p.len - (int)y->p.len; /* shorter (wider) first */
}

static void elem_text(struct elem *e)
{
    char a[SK_ADDR_STRLEN];
    if (e->p.len == sk_addr_bits(&e->p.addr))
        snprintf(e->text, sizeof e->text, "%s", sk_addr_fmt(&e->p.addr, a, sizeof a));
    else
        sk_prefix_fmt(&e->p, e->text, sizeof e->text);
}

/* Runs one nft command buffer; *out is nft's output (valid until the next
 * run). JSON output when json is set. */
static int nft_run(struct nft *n, const char *cmd, int json, const char **out,
                   struct sk_errinfo *ei)
{
    unsigned flags = nft_ctx_output_get_flags(n->ctx);

    if (json)
        flags |= NFT_CTX_OUTPUT_JSON;
    else
        flags &= ~(unsigned)NFT_CTX_OUTPUT_JSON;
    nft_ctx_output_set_flags(n->ctx, flags);
    if (nft_run_cmd_from_buffer(n->ctx, cmd) != 0) {
        const char *err = nft_ctx_get_error_buffer(n->ctx);
        char first[300];
        size_t k = 0;
        while (err && err[k] && err[k] != '\n' && k < sizeof first - 1) {
            first[k] = err[k];
            k++;
        }
        first[k] = '\0';
        return sk_fail(ei, -SK_EEXTERNAL, "nft: %s (command: %.120s)",
                       k ? first : "failed", cmd);
    }
    if (out)
        *out = nft_ctx_get_output_buffer(n->ctx);
    return 0;
}

static int nft_init(void **state, const struct sk_action_env *env, struct sk_errinfo *ei)
{
    const struct sk_conf_act_nft *c = &env->conf->act.nft;
    struct nft *n;

    if (!env->store)
        return sk_fail(ei, -SK_EINVAL, "nft: needs the store");
    if (!c->table[0] || strlen(c->table) >= sizeof n->table ||
        strspn(c->table, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
            strlen(c->table))
        return sk_fail(ei, -SK_ECONF, "act.nft.table: '%s' is not a valid table name "
                       "(letters, digits, '_' and '-')", c->table);
    if (!(n = calloc(1, sizeof *n)))
        return -SK_ENOMEM;
    if (!(n->ctx = nft_ctx_new(NFT_CTX_DEFAULT))) {
        free(n);
        return sk_fail(ei, -SK_ENOMEM, "nft: cannot create a libnftables context");
    }
    nft_ctx_buffer_output(n->ctx);
    nft_ctx_buffer_error(n->ctx);
    snprintf(n->table, sizeof n->table, "%s", c->table);
    n->store = env->store;
    n->prio = c->priority;
    *state = n;
    return 0;
}

static void nft_fini(void *state)
{
    struct nft *n = state;
    if (!n)
        return;
    nft_ctx_free(n->ctx);
    free(n);
}

/* The rules each chain must hold, in order. */
static const struct {
    const char *chain, *hook;
    const char *rules[4];
} chains[] = {
    {"input", "input", {"ip saddr @v4 counter drop", "ip6 saddr @v6 counter drop"}},
    {"forward", "forward",
     {"ip daddr @v4 counter drop", "ip saddr @v4 counter drop", "ip6 daddr @v6 counter drop",
      "ip6 saddr @v6 counter drop"}},
    {"output", "output", {"ip daddr @v4 counter drop", "ip6 daddr @v6 counter drop"}},
};

static size_t nrules(size_t c)
{
    size_t k = 0;
    while (k < 4 && chains[c].rules[k])
        k++;
    return k;
}

/* Number of rules in a chain, -1 if the chain (or table) is missing. */
static int chain_rules(struct nft *n, const char *chain)
{
    char cmd[160];
    const char *out = NULL;
    json_t *root, *arr;
    size_t i;
    int count = 0;

    snprintf(cmd, sizeof cmd, "list chain inet %s %s", n->table, chain);
    if (nft_run(n, cmd, 1, &out, NULL) < 0 || !out)
        return -1;
    if (!(root = json_loads(out, 0, NULL)))
        return -1;
    arr = json_object_get(root, "nftables");
    for (i = 0; i < json_array_size(arr); i++)
        if (json_object_get(json_array_get(arr, i), "rule"))
            count++;
    json_decref(root);
    return count;
}

/* Creates the table, its sets and chains if missing, and restores the rules
 * of a chain someone edited. Never touches the sets' elements. */
static int ensure_table(struct nft *n, struct sk_errinfo *ei)
{
    struct sk_buf b;
    int rc = 0, any = 0;

    sk_buf_init(&b, 1 << 16);
    for (size_t c = 0; c < sizeof chains / sizeof chains[0]; c++) {
        int have = chain_rules(n, chains[c].chain);
        if (have == (int)nrules(c))
            continue;
        if (!any)
            rc = sk_buf_printf(&b,
                               "add table inet %s\n"
                               "add set inet %s v4 { type ipv4_addr; flags interval, timeout; }\n"
                               "add set inet %s v6 { type ipv6_addr; flags interval, timeout; }\n",
                               n->table, n->table, n->table);
        any = 1;
        if (rc == 0)
            rc = sk_buf_printf(&b,
                               "add chain inet %s %s { type filter hook %s priority %lld; "
                               "policy accept; }\nflush chain inet %s %s\n",
                               n->table, chains[c].chain, chains[c].hook, n->prio, n->table,
                               chains[c].chain);
        for (size_t r = 0; rc == 0 && r < nrules(c); r++)
            rc = sk_buf_printf(&b, "add rule inet %s %s %s\n", n->table, chains[c].chain,
                               chains[c].rules[r]);
        if (have >= 0)
            sk_info("act", "nft: chain %s of table %s had %d rules, expected %zu: restored",
                    chains[c].chain, n->table, have, nrules(c));
    }
    if (rc == 0 && any)
        rc = nft_run(n, sk_buf_str(&b), 0, NULL, ei);
    sk_buf_free(&b);
    return rc;
}

static int parse_elem_val(json_t *val, struct elem *e)
{
    if (json_is_string(val))
        return sk_prefix_parse(json_string_value(val), &e->p, 0);
    json_t *pfx = json_object_get(val, "prefix");
    if (pfx) {
        const char *a = json_string_value(json_object_get(pfx, "addr"));
        json_int_t len = json_integer_value(json_object_get(pfx, "len"));
        struct sk_addr addr;
        if (!a || sk_addr_parse(a, &addr) < 0 || len < 0 || len > (json_int_t)sk_addr_bits(&addr))
            return -SK_EPARSE;
        sk_addr_mask(&addr, (unsigned)len);
        e->p.addr = addr;
        e->p.len = (uint8_t)len;
        return 0;
    }
    return -SK_EUNSUP; /* a range: not ours */
}

/* Reads the elements of set v4 or v6. Ranges nobody of ours wrote are
 * returned with len 0 and their text so sync deletes them. */
static int kernel_elems(struct nft *n, const char *set, struct elems *out, struct sk_errinfo *ei)
{
    char cmd[160];
    const char *txt = NULL;
    json_t *root = NULL, *arr, *elem = NULL;
    int rc;

    snprintf(cmd, sizeof cmd, "list set inet %s %s", n->table, set);
    if ((rc = nft_run(n, cmd, 1, &txt, ei)) < 0)
        return rc;
    if (!txt || strlen(txt) > NFT_OUT_CAP || !(root = json_loads(txt, 0, NULL)))
        return sk_fail(ei, -SK_EEXTERNAL, "nft: unreadable JSON listing of set %s", set);
    arr = json_object_get(root, "nftables");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *s = json_object_get(json_array_get(arr, i), "set");
        if (s)
            elem = json_object_get(s, "elem");
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(elem); i++) {
        json_t *it = json_array_get(elem, i), *val = it, *wrap = json_object_get(it, "elem");
        struct elem e = {0};
        if (wrap) {
            val = json_object_get(wrap, "val");
            e.expires_s = (uint64_t)json_integer_value(json_object_get(wrap, "expires"));
        }
        int prc = parse_elem_val(val, &e);
        if (prc == -SK_EUNSUP) {
            json_t *r = json_object_get(val, "range");
            snprintf(e.text, sizeof e.text, "%s-%s", json_string_value(json_array_get(r, 0)) ?: "?",
                     json_string_value(json_array_get(r, 1)) ?: "?");
            e.p.len = 0;
            e.p.addr.family = SK_AF_NONE;
        } else if (prc < 0) {
            continue;
        } else {
            elem_text(&e);
        }
        rc = elems_push(out, &e);
    }
    json_decref(root);
    return rc;
}

static int want_collect(void *ctx, const struct sk__act_entry *en)
{
    struct elems *want = ctx;
    struct elem e = {0};
    sk_nstime now = sk_now();

    if (sk_prefix_parse(en->key, &e.p, 0) < 0)
        return 0;
    if (en->not_after && en->not_after <= now)
        return 0; /* expired: the runner reverts it; never re-install */
    e.expires_s = en->not_after ? (en->not_after - now + SK_NS_PER_SEC - 1) / SK_NS_PER_SEC : 0;
    elem_text(&e);
    return elems_push(want, &e);
}

/* Keeps only the maximal prefixes (sorted by address, wider first: a prefix
 * is covered iff the last kept one contains it). */
static void keep_maximal(struct elems *w)
{
    size_t k = 0;

    if (w->n > 1) /* qsort(NULL, 0) is undefined */
        qsort(w->v, w->n, sizeof *w->v, prefix_cmp);
    for (size_t i = 0; i < w->n; i++) {
        if (k > 0 && w->v[k - 1].p.addr.family == w->v[i].p.addr.family &&
            sk_prefix_contains(&w->v[k - 1].p, &w->v[i].p.addr))
            continue;
        w->v[k++] = w->v[i];
    }
    w->n = k;
}

static const struct elem *find_exact(const struct elems *e, const struct sk_prefix *p)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->v[i].p.len == p->len && sk_addr_eq(&e->v[i].p.addr, &p->addr))
            return &e->v[i];
    return NULL;
}

/* Appends "VERB element inet T SET { items }" when items is not empty. */
static int put_cmd(struct sk_buf *cmds, const char *verb, const char *table, const char *set,
                   struct sk_buf *items)
{
    int rc = 0;

    if (items->len)
        rc = sk_buf_printf(cmds, "%s element inet %s %s { %s }\n", verb, table, set,
                           sk_buf_str(items));
    sk_buf_reset(items);
    return rc;
}

/* Makes the kernel sets hold exactly the maximal desired prefixes, in one
 * nftables transaction. */
static int sync_once(struct nft *n, struct sk_action_drift *drift, struct sk_errinfo *ei)
{
    struct elems want = {0}, have[2] = {{0}, {0}};
    struct sk_buf cmds, dels, adds;
    struct sk_action_drift d = {0};
    static const char *const sets[2] = {"v4", "v6"};
    int rc;

    sk_buf_init(&cmds, 128u << 20);
    sk_buf_init(&dels, 64u << 20);
    sk_buf_init(&adds, 64u << 20);
    if ((rc = ensure_table(n, ei)) < 0 ||
        (rc = sk__act_entry_each(n->store, "nft", want_collect, &want)) < 0 ||
        (rc = kernel_elems(n, "v4", &have[0], ei)) < 0 ||
        (rc = kernel_elems(n, "v6", &have[1], ei)) < 0)
        goto out;
    keep_maximal(&want);
    for (int fam = 0; fam < 2 && rc == 0; fam++) {
        enum sk_af af = fam ? SK_AF_INET6 : SK_AF_INET;
        for (size_t i = 0; rc == 0 && i < have[fam].n; i++) {
            const struct elem *h = &have[fam].v[i];
            if (h->p.addr.family && find_exact(&want, &h->p))
                continue;
            rc = sk_buf_printf(&dels, "%s%s", dels.len ? ", " : "", h->text);
            d.removed++;
        }
        for (size_t i = 0; rc == 0 && i < want.n; i++) {
            const struct elem *w = &want.v[i];
            if (w->p.addr.family != af)
                continue;
            const struct elem *h = find_exact(&have[fam], &w->p);
            /* Present with about the right expiry: keep. Otherwise (re)add:
             * `add` of an existing element refreshes its timeout. */
            if (h && (w->expires_s == 0 ? h->expires_s == 0
                                        : h->expires_s + 3 >= w->expires_s &&
                                              h->expires_s <= w->expires_s + 3)) {
                d.kept++;
                continue;
            }
            if (h)
                d.kept++;
            else
                d.added++;
            rc = sk_buf_printf(&adds, "%s%s", adds.len ? ", " : "", w->text);
            if (rc == 0 && w->expires_s)
                rc = sk_buf_printf(&adds, " timeout %llus", (unsigned long long)w->expires_s);
        }
        if (rc == 0)
            rc = put_cmd(&cmds, "delete", n->table, sets[fam], &dels);
        if (rc == 0)
            rc = put_cmd(&cmds, "add", n->table, sets[fam], &adds);
    }
    if (rc == 0 && cmds.len)
        rc = nft_run(n, sk_buf_str(&cmds), 0, NULL, ei);
    if (rc == 0 && drift) {
        drift->added += d.added;
        drift->removed += d.removed;
        drift->kept += d.kept;
    }
out:
    free(want.v);
    free(have[0].v);
    free(have[1].v);
    sk_buf_free(&cmds);
    sk_buf_free(&dels);
    sk_buf_free(&adds);
    return rc;
}

static int nft_sync(struct nft *n, struct sk_action_drift *drift, struct sk_errinfo *ei)
{
    struct sk_errinfo first = {""};
    int rc = sync_once(n, drift, &first);

    /* An element may have expired between listing and deleting: retry once
     * from a fresh listing. */
    if (rc == -SK_EEXTERNAL)
        rc = sync_once(n, drift, ei);
    else if (rc < 0 && ei)
        *ei = first;
    return rc;
}

static int nft_check(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    const struct sk_prefix *p = &req->target.prefix;
    struct sk_prefix lo4, lo6;

    if (req->target.kind != SK_TARGET_IP && req->target.kind != SK_TARGET_PREFIX)
        return sk_fail(ei, -SK_EINVAL,
                       "nft: blocks addresses and prefixes; '%s' is a %s (use rpz for names)",
                       req->target.value,
                       sk_target_kind_name((enum sk_target_kind)req->target.kind));
    if ((p->addr.family == SK_AF_INET && p->len < 8) ||
        (p->addr.family == SK_AF_INET6 && p->len < 16))
        return sk_fail(ei, -SK_EDENIED, "nft: refusing to block %s: wider than /8 (IPv4) or "
                       "/16 (IPv6)", req->target.value);
    sk_prefix_parse("127.0.0.0/8", &lo4, 0);
    sk_prefix_parse("::1/128", &lo6, 0);
    if (sk_prefix_contains(&lo4, &p->addr) || sk_prefix_contains(p, &lo4.addr) ||
        sk_addr_eq(&p->addr, &lo6.addr) || (p->addr.family == SK_AF_INET6 && p->len == 0))
        return sk_fail(ei, -SK_EDENIED, "nft: refusing to block loopback (%s)", req->target.value);
    return 0;
}

static const char *nft_key(const struct sk_action_req *r, char *buf, size_t len)
{
    if (r->target.kind != SK_TARGET_IP && r->target.kind != SK_TARGET_PREFIX)
        return NULL;
    return sk_prefix_fmt(&r->target.prefix, buf, len);
}

static int store_change(struct nft *n, const struct sk_action_req *req, int add,
                        struct sk_errinfo *ei)
{
    char key[SK_ADDR_STRLEN + 4];
    int rc;

    nft_key(req, key, sizeof key);
    if ((rc = sk_store_begin(n->store)) < 0)
        return sk_fail(ei, rc, "nft: %s", sk_store_errmsg(n->store));
    rc = add ? sk__act_entry_put(n->store, "nft", key, req, NULL)
             : sk__act_entry_del(n->store, "nft", key, req->id, NULL);
    if (rc == 0)
        rc = sk_store_commit(n->store);
    if (rc < 0) {
        sk_fail(ei, rc, "nft: store: %s", sk_store_errmsg(n->store));
        sk_store_rollback(n->store);
    }
    return rc;
}

static int nft_apply(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct nft *n = state;
    int rc;

    if ((rc = nft_check(state, req, ei)) < 0 || (rc = store_change(n, req, 1, ei)) < 0)
        return rc;
    sk__act_crashpoint("nft:after-store");
    return nft_sync(n, NULL, ei);
}

static int nft_revert(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct nft *n = state;
    int rc;

    if (req->target.kind != SK_TARGET_IP && req->target.kind != SK_TARGET_PREFIX)
        return 0; /* never applied: nothing to restore */
    if ((rc = store_change(n, req, 0, ei)) < 0)
        return rc;
    sk__act_crashpoint("nft:after-store");
    return nft_sync(n, NULL, ei);
}

/* The real system holds the target: a kernel element of the right family
 * contains it, and the drop rules are in place. */
static int nft_verify(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct nft *n = state;
    const struct sk_prefix *p = &req->target.prefix;
    struct elems have = {0};
    int rc, found = 0;

    if ((rc = nft_check(state, req, ei)) < 0)
        return rc;
    for (size_t c = 0; c < sizeof chains / sizeof chains[0]; c++)
        if (chain_rules(n, chains[c].chain) != (int)nrules(c))
            return sk_fail(ei, -SK_ENOTFOUND, "nft: chain %s of table inet %s is missing or "
                           "does not hold its %zu drop rules", chains[c].chain, n->table,
                           nrules(c));
    if ((rc = kernel_elems(n, p->addr.family == SK_AF_INET ? "v4" : "v6", &have, ei)) < 0)
        return rc;
    for (size_t i = 0; i < have.n && !found; i++)
        found = have.v[i].p.addr.family == p->addr.family && have.v[i].p.len <= p->len &&
                sk_prefix_contains(&have.v[i].p, &p->addr);
    free(have.v);
    if (!found)
        return sk_fail(ei, -SK_ENOTFOUND, "nft: %s is not in set inet %s %s", req->target.value,
                       n->table, p->addr.family == SK_AF_INET ? "v4" : "v6");
    return 0;
}

static int nft_reconcile(void *state, const struct sk_action_req *active, size_t n_active,
                         struct sk_action_drift *drift, struct sk_errinfo *ei)
{
    struct nft *n = state;
    int rc;

    if ((rc = sk_store_begin(n->store)) < 0)
        return sk_fail(ei, rc, "nft: %s", sk_store_errmsg(n->store));
    rc = sk__act_entry_reset(n->store, "nft", active, n_active, nft_key, NULL);
    if (rc == 0)
        rc = sk_store_commit(n->store);
    if (rc < 0) {
        sk_store_rollback(n->store);
        return sk_fail(ei, rc, "nft: store: %s", sk_store_errmsg(n->store));
    }
    return nft_sync(n, drift, ei);
}

const struct sk_action_ops sk__act_nft = {
    .name = "nft",
    .api = SK_ACTION_API,
    .desc = "drop traffic to and from an address or prefix (nftables sets with timeouts)",
    .init = nft_init,
    .check = nft_check,
    .apply = nft_apply,
    .verify = nft_verify,
    .revert = nft_revert,
    .fini = nft_fini,
    .reconcile = nft_reconcile,
    .effect = SK_ACTION_EFFECT_IP,
};
