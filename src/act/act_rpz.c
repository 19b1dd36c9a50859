/*
 * act_rpz.c — the "rpz" action: a DNS Response Policy Zone entry for a name
 * (sinkhole, NXDOMAIN, NODATA, or a PASSTHRU exception), enforced by the
 * operator's Unbound and BIND resolvers within milliseconds even when the
 * policy holds a million names.
 *
 * Reloading a large zone does not meet that (RECIPES.md, 1M names: Unbound
 * blocks every query for ~16 s per reload; BIND rebuilds its whole policy,
 * ~4 s per change). So each resolver lists three policy zones, in order:
 *
 *   allow  (act.rpz.zone_allow)  PASSTHRU exceptions, small, listed first so
 *                                an exception always wins
 *   delta  (act.rpz.zone_delta)  what changed since the base was built
 *   base   (act.rpz.zone_base)   the bulk of the policy
 *
 * and every change touches only allow or delta:
 *   Unbound — sakimori serves allow and delta as a primary (rpz_primary.c);
 *     after a change it sends NOTIFY and Unbound fetches an IXFR of just the
 *     difference, applied incrementally (measured: milliseconds at 1M). The
 *     base is a zone file sakimori writes (act.rpz.base_file), loaded by
 *     Unbound at start.
 *   BIND — allow, delta and base are dynamic zones in named; sakimori sends
 *     RFC 2136 updates signed with TSIG (act.rpz.bind.tsig_key_file). BIND
 *     rebuilds the policy of the zone that changed only, so a small delta
 *     keeps updates fast.
 *
 * Which names each zone must hold is computed in the store (rpz_store.c),
 * from act_entries, per resolver family, including PASSTHRU tombstones that
 * hide a base entry after a revert. Folding keeps the delta small:
 *   BIND — when the delta passes act.rpz.fold_above, its names are written
 *     into the base zone by update; after act.rpz.bind.fold_settle (time for
 *     BIND to rebuild the base policy) they are deleted from the delta.
 *   Unbound — a new base file is written; once every Unbound's control
 *     channel (act.rpz.unbound.control) reports that base serial loaded (it
 *     reloads the file when it restarts), the delta drops what it holds.
 *     Until then the delta simply stays larger: IXFR cost does not grow with
 *     it.
 *
 * Crash safety: the store is written first, in one transaction; the resolvers
 * are told afterwards. A crash in between leaves the store ahead; reconcile
 * recomputes every zone from act_entries, compares what BIND really holds
 * (zone transfer) and NOTIFYs Unbound, which transfers what it lacks.
 * Restarts: Unbound reloads the base file and transfers allow+delta from the
 * primary at start; BIND reloads its zones and journals. The windows during
 * which a restarted resolver answers without its policy are measured in
 * bench/bench_rpz.sh (docs/PERFORMANCE.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "act/act-int.h"
#include "act/dnsmsg.h"
#include "act/rpz.h"
#include "sakimori/act.h"
#include "sakimori/buf.h"
#include "sakimori/conf-t.h"
#include "sakimori/log.h"

#define MAX_EP 16
#define UPDATE_CHUNK 32000
#define DNS_TIMEOUT_MS 2000
#define JOURNAL_KEEP 100000

struct endpoint {
    struct sockaddr_storage ss;
    socklen_t len;
    char spec[128]; /* as configured; a path for a unix control socket */
};

struct rpz {
    struct sk_store *st;
    const struct sk_conf_act_rpz *conf;
    struct sk_rpz_ctx ctx;
    struct sk_tsig_key key;
    struct endpoint ub[MAX_EP], bd[MAX_EP], uctl[MAX_EP];
    size_t nub, nbd, nuctl;
    char zone[3][256]; /* allow, delta, base; no trailing dot */
    char sink4[INET6_ADDRSTRLEN], sink6[INET6_ADDRSTRLEN], cname[256];
    struct sk_rpz_primary *primary;
};

enum { Z_ALLOW, Z_DELTA, Z_BASE };

static void strip_dot(char *s)
{
    size_t n = strlen(s);
    if (n > 1 && s[n - 1] == '.')
        s[n - 1] = '\0';
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n < 254 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n &&
           s[0] != '.' && !strstr(s, "..");
}

static int parse_eps(const struct sk_strlist *l, struct endpoint *v, size_t *n, const char *what,
                     int allow_path, struct sk_errinfo *ei)
{
    if (l->n > MAX_EP)
        return sk_fail(ei, -SK_ECONF, "%s: at most %d endpoints", what, MAX_EP);
    for (size_t i = 0; i < l->n; i++) {
        snprintf(v[i].spec, sizeof v[i].spec, "%s", l->v[i]);
        if (allow_path && l->v[i][0] == '/')
            continue;
        if (sk__hostport_parse(l->v[i], 53, &v[i].ss, &v[i].len) < 0)
            return sk_fail(ei, -SK_ECONF, "%s: '%s' is not ADDR@PORT%s", what, l->v[i],
                           allow_path ? " or a socket path" : "");
    }
    *n = l->n;
    return 0;
}

static void rpz_fini(void *state)
{
    struct rpz *r = state;
    if (!r)
        return;
    sk_rpz_primary_stop(r->primary);
    sodium_memzero(&r->key, sizeof r->key);
    free(r);
}

static int rpz_init(void **state, const struct sk_action_env *env, struct sk_errinfo *ei)
{
    const struct sk_conf_act_rpz *c = &env->conf->act.rpz;
    struct rpz *r;
    int rc;

    if (!env->store)
        return sk_fail(ei, -SK_EINVAL, "rpz: needs the store");
    if (!(r = calloc(1, sizeof *r)))
        return -SK_ENOMEM;
    r->st = env->store;
    r->conf = c;
    const char *names[3] = {c->zone_allow, c->zone_delta, c->zone_base};
    const char *keys[3] = {"zone_allow", "zone_delta", "zone_base"};
    for (int i = 0; i < 3; i++) {
        snprintf(r->zone[i], sizeof r->zone[i], "%s", names[i]);
        strip_dot(r->zone[i]);
        if (!valid_name(r->zone[i])) {
            rc = sk_fail(ei, -SK_ECONF, "act.rpz.%s: '%s' is not a zone name", keys[i], names[i]);
            goto fail;
        }
    }
    if ((rc = parse_eps(&c->unbound_servers, r->ub, &r->nub, "act.rpz.unbound.servers", 0, ei)) < 0 ||
        (rc = parse_eps(&c->bind_servers, r->bd, &r->nbd, "act.rpz.bind.servers", 0, ei)) < 0 ||
        (rc = parse_eps(&c->unbound_control, r->uctl, &r->nuctl, "act.rpz.unbound.control", 1,
                        ei)) < 0)
        goto fail;
    if (r->nbd) {
        if (!c->bind_tsig_key || !c->bind_tsig_key[0]) {
            rc = sk_fail(ei, -SK_ECONF, "act.rpz.bind.tsig_key_file: BIND servers are "
                         "configured but no TSIG key to sign updates with");
            goto fail;
        }
        if ((rc = sk__tsig_key_load(c->bind_tsig_key, &r->key, ei)) < 0)
            goto fail;
    }
    /* the sinkhole answer: addresses (A before AAAA), or a CNAME */
    struct sk_buf sb;
    sk_buf_init(&sb, RPZ_RRS_MAX - 1);
    if (c->sinkhole_cname && c->sinkhole_cname[0]) {
        snprintf(r->cname, sizeof r->cname, "%s", c->sinkhole_cname);
        strip_dot(r->cname);
        if (!valid_name(r->cname)) {
            rc = sk_fail(ei, -SK_ECONF, "act.rpz.sinkhole_cname: '%s' is not a host name",
                         c->sinkhole_cname);
            sk_buf_free(&sb);
            goto fail;
        }
        rc = sk_buf_printf(&sb, "CNAME %s.", r->cname);
    } else {
        rc = 0;
        for (int fam = 0; fam < 2 && rc == 0; fam++)
            for (size_t i = 0; i < c->sinkhole.n && rc == 0; i++) {
                uint8_t a[16];
                char txt[INET6_ADDRSTRLEN];
                int af = fam ? AF_INET6 : AF_INET;
                if (inet_pton(af, c->sinkhole.v[i], a) != 1)
                    continue;
                inet_ntop(af, a, txt, sizeof txt);
                if (!(fam ? r->sink6 : r->sink4)[0])
                    snprintf(fam ? r->sink6 : r->sink4, INET6_ADDRSTRLEN, "%s", txt);
                rc = sk_buf_printf(&sb, "%s%s %s", sb.len ? ";" : "", fam ? "AAAA" : "A", txt);
            }
        for (size_t i = 0; i < c->sinkhole.n && rc == 0; i++) {
            uint8_t a[16];
            if (inet_pton(AF_INET, c->sinkhole.v[i], a) != 1 &&
                inet_pton(AF_INET6, c->sinkhole.v[i], a) != 1)
                rc = sk_fail(ei, -SK_ECONF, "act.rpz.sinkhole: '%s' is not an IP address",
                             c->sinkhole.v[i]);
        }
        if (rc == 0 && sb.len == 0)
            rc = sk_fail(ei, -SK_ECONF, "act.rpz: neither sinkhole addresses nor "
                         "sinkhole_cname are set");
    }
    if (rc == 0)
        snprintf(r->ctx.sinkhole_rrs, sizeof r->ctx.sinkhole_rrs, "%s", sk_buf_str(&sb));
    sk_buf_free(&sb);
    if (rc < 0)
        goto fail;
    r->ctx.st = r->st;
    r->ctx.ttl = (uint32_t)(c->ttl / SK_NS_PER_SEC);
    r->ctx.unbound = c->primary_listen.n > 0 || r->nub > 0;
    r->ctx.bind = r->nbd > 0;
    /* serve the zones if asked to; another sakimori process may already */
    if (c->primary_listen.n) {
        const char *db = sqlite3_db_filename(sk_store_db(r->st), "main");
        struct sk_errinfo pe = {""};
        rc = sk_rpz_primary_start(env->conf, db ? db : "", &r->primary, &pe);
        if (rc == -EADDRINUSE)
            sk_debug("act", "rpz: primary endpoints busy: another sakimori serves them (%s)",
                     pe.msg);
        else if (rc < 0) {
            if (ei)
                *ei = pe;
            goto fail;
        }
    }
    /* served zones get their first serial now, so a transfer never sees 0 */
    if (r->ctx.unbound) {
        int64_t s;
        if ((rc = sk_store_begin(r->st)) < 0 || (rc = sk__rpz_serial(r->st, RZ_U_ALLOW, &s)) < 0 ||
            (rc = sk__rpz_serial(r->st, RZ_U_DELTA, &s)) < 0 || (rc = sk_store_commit(r->st)) < 0) {
            sk_store_rollback(r->st);
            rc = sk_fail(ei, rc, "rpz: store: %s", sk_store_errmsg(r->st));
            goto fail;
        }
    }
    *state = r;
    return 0;
fail:
    rpz_fini(r);
    return rc;
}

static const char *variant_of(const struct sk_action_req *req)
{
    return req->variant && *req->variant ? req->variant : "sinkhole";
}

static const char *rpz_key(const struct sk_action_req *req, char *buf, size_t len)
{
    if (req->target.kind == SK_TARGET_FQDN)
        snprintf(buf, len, "%.253s", req->target.value); /* names are <= 253 */
    else if (req->target.kind == SK_TARGET_DOMAIN)
        snprintf(buf, len, "*.%.253s", req->target.value);
    else
        return NULL;
    return buf;
}

static int rpz_check(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct rpz *r = state;
    char rrs[RPZ_RRS_MAX];
    int allow;

    if (req->target.kind != SK_TARGET_FQDN && req->target.kind != SK_TARGET_DOMAIN)
        return sk_fail(ei, -SK_EINVAL, "rpz: acts on names; '%s' is a %s (use nft or bgp for "
                       "addresses)", req->target.value,
                       sk_target_kind_name((enum sk_target_kind)req->target.kind));
    if (sk__rpz_rrs_for(&r->ctx, variant_of(req), rrs, sizeof rrs, &allow) < 0)
        return sk_fail(ei, -SK_EINVAL, "rpz: unknown variant '%s' (sinkhole, nxdomain, nodata "
                       "or passthru)", variant_of(req));
    if (!r->ctx.unbound && !r->ctx.bind)
        return sk_fail(ei, -SK_ECONF, "rpz: no resolver configured (act.rpz.unbound or "
                       "act.rpz.bind)");
    for (int i = 0; i < 3; i++) {
        size_t tl = strlen(req->target.value), zl = strlen(r->zone[i]);
        if (tl >= zl && !strcmp(req->target.value + tl - zl, r->zone[i]) &&
            (tl == zl || req->target.value[tl - zl - 1] == '.'))
            return sk_fail(ei, -SK_EDENIED, "rpz: '%s' is inside the policy zone %s",
                           req->target.value, r->zone[i]);
    }
    if (r->cname[0] && !strcmp(req->target.value, r->cname))
        return sk_fail(ei, -SK_EDENIED, "rpz: '%s' is the sinkhole itself", req->target.value);
    return 0;
}

/* --- talking to the resolvers -------------------------------------------- */

static uint16_t random_id(void) { return (uint16_t)randombytes_uniform(65536); }

static const char *rcode_name(int rc)
{
    static const char *const n[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
                                    "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
                                    "NOTZONE"};
    return rc >= 0 && rc <= 10 ? n[rc] : "rcode?";
}

/* Sends one signed UPDATE to one BIND server and checks the signed reply. */
static int update_send(struct rpz *r, const struct endpoint *ep, struct sk_dnsw *w,
                       struct sk_errinfo *ei)
{
    uint8_t mac[64], *resp = malloc(SK_DNS_MSG_MAX);
    size_t maclen;
    struct sk_dnsr rd;
    int rc, n;

    if (!resp)
        return -SK_ENOMEM;
    uint64_t now = sk_now() / SK_NS_PER_SEC;
    if ((rc = sk__tsig_sign(w, &r->key, now, mac, &maclen)) < 0) {
        rc = sk_fail(ei, rc, "rpz: update too large to sign");
        goto out;
    }
    if ((n = sk__dns_tcp((struct sockaddr *)&ep->ss, ep->len, w->buf, w->len, resp,
                         SK_DNS_MSG_MAX, DNS_TIMEOUT_MS)) < 0) {
        rc = sk_fail(ei, -SK_EEXTERNAL, "rpz: BIND at %s: %s", ep->spec, sk_strerror(n));
        goto out;
    }
    if ((rc = sk__dnsr_init(&rd, resp, (size_t)n)) < 0 ||
        sk__dns_opcode(&rd) != SK_DNS_OP_UPDATE) {
        rc = sk_fail(ei, -SK_EEXTERNAL, "rpz: BIND at %s: malformed reply to an update",
                     ep->spec);
        goto out;
    }
    if (sk__dns_rcode(&rd) != SK_DNS_NOERROR) {
        rc = sk_fail(ei, -SK_EEXTERNAL, "rpz: BIND at %s refused the update of %s: %s%s",
                     ep->spec, rd.qname, rcode_name(sk__dns_rcode(&rd)),
                     sk__dns_rcode(&rd) == SK_DNS_NOTAUTH || sk__dns_rcode(&rd) == SK_DNS_REFUSED
                         ? " (check allow-update and the TSIG key)"
                         : "");
        goto out;
    }
    if (sk__tsig_verify_reply(resp, (size_t)n, &r->key, mac, maclen, sk_now() / SK_NS_PER_SEC) < 0) {
        rc = sk_fail(ei, -SK_ECRYPTO, "rpz: BIND at %s: the reply's TSIG does not verify",
                     ep->spec);
        goto out;
    }
    rc = 0;
out:
    free(resp);
    return rc;
}

struct upd {
    struct rpz *r;
    const char *zone;
    struct sk_dnsw *w;
    uint16_t n;
};

static void upd_start(struct upd *u)
{
    sk__dnsw_init(u->w, random_id(), SK_DNS_OP_UPDATE << 11);
    sk__dnsw_question(u->w, u->zone, SK_DNS_SOA, SK_DNS_IN);
    sk__dnsw_count(u->w, 0, 1);
    u->n = 0;
}

static int upd_flush(struct upd *u, struct sk_errinfo *ei)
{
    int rc = 0;

    if (u->n == 0)
        return 0;
    sk__dnsw_count(u->w, 2, u->n);
    if (u->w->err)
        return sk_fail(ei, u->w->err, "rpz: cannot encode the update");
    /* the same message to every BIND server; a copy each, since signing
     * appends to it */
    struct sk_dnsw *copy = malloc(sizeof *copy);
    if (!copy)
        return -SK_ENOMEM;
    for (size_t i = 0; i < u->r->nbd && rc == 0; i++) {
        memcpy(copy, u->w, sizeof *copy);
        rc = update_send(u->r, &u->r->bd[i], copy, ei);
    }
    free(copy);
    upd_start(u);
    return rc;
}

/* owner now holds rrs ("" = nothing): delete every RRset at it, then add. */
static int upd_owner(struct upd *u, const char *owner, const char *rrs, struct sk_errinfo *ei)
{
    int rc;

    if (u->w->len > UPDATE_CHUNK && (rc = upd_flush(u, ei)) < 0)
        return rc;
    size_t m = sk__dnsw_rr_begin(u->w, owner, u->zone, SK_DNS_ANY, SK_DNS_CLASS_ANY, 0);
    sk__dnsw_rdata_end(u->w, m);
    u->n++;
    while (*rrs) {
        char one[RPZ_RRS_MAX];
        size_t k = strcspn(rrs, ";");
        snprintf(one, sizeof one, "%.*s", (int)k, rrs);
        if (sk__dnsw_rr_text(u->w, owner, u->zone, u->r->ctx.ttl, one) == 0)
            u->n++;
        rrs += k + (rrs[k] == ';');
    }
    return 0;
}

/* Pushes the BIND changes of a batch: one update per zone per server. */
static int push_bind(struct rpz *r, const struct sk_rpz_batch *b, struct sk_errinfo *ei)
{
    struct upd u = {.r = r};
    int rc = 0;

    if (!r->nbd)
        return 0;
    if (!(u.w = malloc(sizeof *u.w)))
        return -SK_ENOMEM;
    for (int z = RZ_B_ALLOW; z <= RZ_B_DELTA && rc == 0; z++) {
        u.zone = r->zone[z == RZ_B_ALLOW ? Z_ALLOW : Z_DELTA];
        upd_start(&u);
        for (size_t i = 0; i < b->n && rc == 0; i++)
            if (b->v[i].zone == z)
                rc = upd_owner(&u, b->v[i].owner, b->v[i].rrs, ei);
        if (rc == 0)
            rc = upd_flush(&u, ei);
    }
    free(u.w);
    return rc;
}

/* NOTIFY every Unbound of a served zone's new serial (RFC 1996). A lost
 * NOTIFY is not an error: Unbound also polls at the SOA refresh, and verify
 * tells whether the change arrived. */
static void notify_unbound(struct rpz *r, int zone, int64_t serial)
{
    struct sk_dnsw *w = malloc(sizeof *w);
    uint8_t resp[512];

    if (!w)
        return;
    const char *name = r->zone[zone == RZ_U_ALLOW ? Z_ALLOW : Z_DELTA];
    for (size_t i = 0; i < r->nub; i++) {
        sk__dnsw_init(w, random_id(), SK_DNS_OP_NOTIFY << 11 | 0x0400);
        sk__dnsw_question(w, name, SK_DNS_SOA, SK_DNS_IN);
        sk__dnsw_count(w, 0, 1);
        sk__dnsw_soa(w, name, (uint32_t)serial, r->ctx.ttl);
        sk__dnsw_count(w, 1, 1);
        int n = sk__dns_udp((struct sockaddr *)&r->ub[i].ss, r->ub[i].len, w->buf, w->len, resp,
                            sizeof resp, 500);
        if (n < 0)
            sk_warn("act", "rpz: NOTIFY %s to Unbound at %s: %s (it will poll at the SOA "
                    "refresh)", name, r->ub[i].spec, sk_strerror(n));
    }
    free(w);
}

static void push_unbound(struct rpz *r, const struct sk_rpz_batch *b)
{
    for (int z = RZ_U_ALLOW; z <= RZ_U_DELTA; z++)
        if (b->serial[z])
            notify_unbound(r, z, b->serial[z]);
}

/* `UBCT1 <command>` on an Unbound control channel without certificates;
 * the reply runs to EOF. */
static int unbound_control(const struct endpoint *ep, const char *cmd, struct sk_buf *out,
                           struct sk_errinfo *ei)
{
    int fd, rc = 0;
    sk_nstime deadline = sk_monotonic() + (sk_nstime)DNS_TIMEOUT_MS * SK_NS_PER_MS;

    if (ep->spec[0] == '/') {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};
        if (strlen(ep->spec) >= sizeof sun.sun_path)
            return sk_fail(ei, -SK_ECONF, "rpz: control socket path too long");
        memcpy(sun.sun_path, ep->spec, strlen(ep->spec) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0)
            rc = -errno;
    } else {
        fd = socket(ep->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (const struct sockaddr *)&ep->ss, ep->len) < 0)
            rc = -errno;
    }
    if (rc < 0) {
        if (fd >= 0)
            close(fd);
        return sk_fail(ei, -SK_EEXTERNAL, "rpz: Unbound control at %s: %s", ep->spec,
                       strerror(-rc));
    }
    char line[256];
    snprintf(line, sizeof line, "UBCT1 %s\n", cmd);
    if (write(fd, line, strlen(line)) < 0)
        rc = -errno;
    while (rc == 0) {
        sk_nstime now = sk_monotonic();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (now >= deadline || poll(&p, 1, (int)((deadline - now) / SK_NS_PER_MS) + 1) <= 0) {
            rc = -SK_ETIMEOUT;
            break;
        }
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        rc = sk_buf_append(out, buf, (size_t)n);
    }
    close(fd);
    if (rc < 0)
        return sk_fail(ei, -SK_EEXTERNAL, "rpz: Unbound control at %s: %s", ep->spec,
                       sk_strerror(rc));
    return 0;
}

/* The serial Unbound reports for zone (list_auth_zones), or -1. */
static int64_t unbound_zone_serial(const struct endpoint *ep, const char *zone)
{
    struct sk_buf out;
    char want[300];
    int64_t serial = -1;

    sk_buf_init(&out, 1 << 20);
    if (unbound_control(ep, "list_auth_zones", &out, NULL) == 0) {
        snprintf(want, sizeof want, "%s.\tserial ", zone);
        const char *s = sk_buf_str(&out), *p = strstr(s, want);
        if (p && (p == s || p[-1] == '\n'))
            serial = strtoll(p + strlen(want), NULL, 10);
    }
    sk_buf_free(&out);
    return serial;
}

/* --- folding ------------------------------------------------------------- */

static int commit_batch(struct rpz *r, struct sk_rpz_batch *b, struct sk_errinfo *ei);

/* Writes the base file at the current version and records it as the
 * newest base for Unbound (rpz.u.hi). */
static int write_base(struct sk_rpz_ctx *ctx, const char *path, const char *zone, int64_t *v,
                      struct sk_errinfo *ei)
{
    static const char sql[] = "INSERT OR REPLACE INTO act_rpz_basegen"
                              " (serial, version, written_ns) VALUES (?1, ?1, ?2)";
    int64_t hi;
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk__rpz_write_base(ctx, path, zone, v, ei)) < 0)
        return rc;
    if ((rc = sk_store_begin(ctx->st)) < 0)
        return sk_fail(ei, rc, "rpz: store: %s", sk_store_errmsg(ctx->st));
    rc = sk__act_kv_get(ctx->st, "rpz.u.hi", 0, &hi);
    if (rc == 0 && *v > hi)
        rc = sk__act_kv_set(ctx->st, "rpz.u.hi", *v);
    if (rc == 0 && (rc = sk_store_prepare(ctx->st, sql, &s)) == 0) {
        sqlite3_bind_int64(s, 1, *v);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)sk_now());
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
        sqlite3_reset(s);
    }
    if (rc == 0)
        rc = sk_store_commit(ctx->st);
    if (rc < 0) {
        sk_store_rollback(ctx->st);
        return sk_fail(ei, rc, "rpz: store: %s", sk_store_errmsg(ctx->st));
    }
    sk_info("act", "rpz: wrote base zone %s at version %lld; Unbound loads it at its next "
            "restart", path, (long long)*v);
    return 0;
}

int sk_rpz_write_base(struct sk_store *st, const struct sk_conf *conf, const char *path,
                      int64_t *version, struct sk_errinfo *ei)
{
    struct sk_rpz_ctx ctx = {.st = st, .ttl = (uint32_t)(conf->act.rpz.ttl / SK_NS_PER_SEC)};
    char zone[256];

    snprintf(zone, sizeof zone, "%s", conf->act.rpz.zone_base);
    strip_dot(zone);
    if (!valid_name(zone))
        return sk_fail(ei, -SK_ECONF, "act.rpz.zone_base: '%s' is not a zone name", zone);
    return write_base(&ctx, path ? path : conf->act.rpz.base_file, zone, version, ei);
}

static int fold_unbound(struct rpz *r, struct sk_errinfo *ei)
{
    int64_t lo, hi, v;
    int rc;

    if (!r->ctx.unbound || !r->conf->base_file[0])
        return 0;
    if ((rc = sk__act_kv_get(r->st, "rpz.u.lo", 0, &lo)) < 0 ||
        (rc = sk__act_kv_get(r->st, "rpz.u.hi", 0, &hi)) < 0)
        return rc;
    if (hi == lo && sk__rpz_zone_size(r->st, RZ_U_DELTA) > (int64_t)r->conf->fold_above)
        return write_base(&r->ctx, r->conf->base_file, r->zone[Z_BASE], &v, ei);
    if (hi > lo && r->nuctl) {
        /* every Unbound must have loaded base `hi` before the delta shrinks */
        for (size_t i = 0; i < r->nuctl; i++)
            if (unbound_zone_serial(&r->uctl[i], r->zone[Z_BASE]) != (hi & 0xffffffff))
                return 0;
        struct sk_rpz_batch b = {0};
        if ((rc = sk_store_begin(r->st)) < 0)
            return rc;
        if ((rc = sk__act_kv_set(r->st, "rpz.u.lo", hi)) == 0)
            rc = sk__rpz_zone_shrink(&r->ctx, RZ_U_DELTA, &b);
        rc = rc == 0 ? commit_batch(r, &b, ei) : (sk_store_rollback(r->st), rc);
        sk_info("act", "rpz: every Unbound loaded base %lld: the delta dropped %zu names",
                (long long)hi, b.n);
        sk__rpz_batch_free(&b);
    }
    return rc;
}

struct fold_ctx {
    struct upd *u;
    struct sk_errinfo *ei;
};

static int fold_row(void *ctx, sqlite3_stmt *row)
{
    struct fold_ctx *f = ctx;
    const char *owner = (const char *)sqlite3_column_text(row, 0);
    const char *rrs = (const char *)sqlite3_column_text(row, 1);

    /* a tombstone in the delta is an absence in the base */
    return upd_owner(f->u, owner, rrs && strcmp(rrs, RPZ_PASSTHRU) ? rrs : "", f->ei);
}

static int fold_bind(struct rpz *r, struct sk_errinfo *ei)
{
    int64_t lo, hi, at, v;
    int rc;

    if (!r->ctx.bind)
        return 0;
    if ((rc = sk__act_kv_get(r->st, "rpz.b.lo", 0, &lo)) < 0 ||
        (rc = sk__act_kv_get(r->st, "rpz.b.hi", 0, &hi)) < 0 ||
        (rc = sk__act_kv_get(r->st, "rpz.b.fold_at", 0, &at)) < 0)
        return rc;
    if (hi == lo && sk__rpz_zone_size(r->st, RZ_B_DELTA) > (int64_t)r->conf->fold_above) {
        /* write the delta's names into BIND's base zone */
        static const char sql[] = "SELECT owner, rrs FROM act_rpz_zone WHERE zone = 'b:delta'";
        struct upd u = {.r = r, .zone = r->zone[Z_BASE]};
        struct fold_ctx f = {.u = &u, .ei = ei};
        sqlite3_stmt *s;
        if ((rc = sk__act_kv_get(r->st, "rpz.version", 0, &v)) < 0)
            return rc;
        if (!(u.w = malloc(sizeof *u.w)))
            return -SK_ENOMEM;
        upd_start(&u);
        if ((rc = sk_store_prepare(r->st, sql, &s)) == 0) {
            while (rc == 0 && sqlite3_step(s) == SQLITE_ROW)
                rc = fold_row(&f, s);
            sqlite3_reset(s);
        }
        if (rc == 0)
            rc = upd_flush(&u, ei);
        free(u.w);
        if (rc < 0)
            return rc;
        if ((rc = sk_store_begin(r->st)) < 0)
            return rc;
        if ((rc = sk__act_kv_set(r->st, "rpz.b.hi", v)) == 0)
            rc = sk__act_kv_set(r->st, "rpz.b.fold_at", (int64_t)sk_now());
        rc = rc == 0 ? sk_store_commit(r->st) : (sk_store_rollback(r->st), rc);
        sk_info("act", "rpz: folded the delta into BIND's base at version %lld", (long long)v);
        return rc;
    }
    if (hi > lo && (int64_t)sk_now() - at >= (int64_t)r->conf->fold_settle) {
        struct sk_rpz_batch b = {0};
        if ((rc = sk_store_begin(r->st)) < 0)
            return rc;
        if ((rc = sk__act_kv_set(r->st, "rpz.b.lo", hi)) == 0)
            rc = sk__rpz_zone_shrink(&r->ctx, RZ_B_DELTA, &b);
        rc = rc == 0 ? commit_batch(r, &b, ei) : (sk_store_rollback(r->st), rc);
        sk__rpz_batch_free(&b);
    }
    return rc;
}

/* Folds when due. Failures are logged, never fail the action that ran it:
 * the policy is enforced either way, only the delta stays larger. */
static void maintain(struct rpz *r)
{
    struct sk_errinfo ei = {""};

    if (fold_unbound(r, &ei) < 0 || fold_bind(r, &ei) < 0)
        sk_warn("act", "rpz: folding the delta: %s", ei.msg[0] ? ei.msg : "failed");
}

/* Commits the open transaction of a batch, prunes the journal, then tells
 * the resolvers. */
static int commit_batch(struct rpz *r, struct sk_rpz_batch *b, struct sk_errinfo *ei)
{
    static const char prune[] =
        "DELETE FROM act_rpz_journal WHERE zone = ?1 AND serial <= ?2";
    int rc = 0;

    for (int z = RZ_U_ALLOW; z <= RZ_U_DELTA && rc == 0; z++) {
        sqlite3_stmt *s;
        if (!b->serial[z] || b->serial[z] % 1000)
            continue;
        if ((rc = sk_store_prepare(r->st, prune, &s)) < 0)
            break;
        sqlite3_bind_text(s, 1, sk__rpz_zone_key[z], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, b->serial[z] - JOURNAL_KEEP);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
        sqlite3_reset(s);
    }
    if (rc == 0)
        rc = sk_store_commit(r->st);
    if (rc < 0) {
        sk_store_rollback(r->st);
        return sk_fail(ei, rc, "rpz: store: %s", sk_store_errmsg(r->st));
    }
    sk__act_crashpoint("rpz:after-store");
    push_unbound(r, b);
    return push_bind(r, b, ei);
}

/* An apply also re-sends what the resolvers must hold for its owners even
 * when the store did not change: re-applying an active action (what the
 * runner does after a crash) then repairs a resolver that lost it. */
static int force_owners(struct rpz *r, char owners[2][RPZ_OWNER_MAX], int n,
                        struct sk_rpz_batch *b)
{
    for (int i = 0; i < n; i++)
        for (int z = RZ_B_ALLOW; r->ctx.bind && z <= RZ_B_DELTA; z++) {
            int seen = 0;
            for (size_t k = 0; k < b->n && !seen; k++)
                seen = b->v[k].zone == z && !strcmp(b->v[k].owner, owners[i]);
            if (seen)
                continue;
            if (b->n == b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 8;
                struct sk_rpz_change *v = realloc(b->v, cap * sizeof *v);
                if (!v)
                    return -SK_ENOMEM;
                b->v = v;
                b->cap = cap;
            }
            struct sk_rpz_change *ch = &b->v[b->n];
            memset(ch, 0, sizeof *ch);
            ch->zone = (uint8_t)z;
            size_t ol = strnlen(owners[i], sizeof ch->owner - 1);
            memcpy(ch->owner, owners[i], ol);
            ch->owner[ol] = '\0';
            if (sk__rpz_zone_get(r->st, z, owners[i], ch->rrs) < 0)
                return -SK_ESTORE;
            b->n++;
        }
    for (int z = RZ_U_ALLOW; r->ctx.unbound && z <= RZ_U_DELTA; z++)
        if (!b->serial[z] && sk__rpz_serial(r->st, z, &b->serial[z]) < 0)
            return -SK_ESTORE;
    return 0;
}

static int change(struct rpz *r, const struct sk_action_req *req, int add, struct sk_errinfo *ei)
{
    struct sk_rpz_batch b = {0};
    char key[RPZ_OWNER_MAX], owners[2][RPZ_OWNER_MAX];
    int rc, removed = 1;

    if (!rpz_key(req, key, sizeof key))
        return 0;
    if ((rc = sk_store_begin(r->st)) < 0)
        return sk_fail(ei, rc, "rpz: store: %s", sk_store_errmsg(r->st));
    rc = add ? sk__act_entry_put(r->st, "rpz", key, req, variant_of(req))
             : sk__act_entry_del(r->st, "rpz", key, req->id, &removed);
    int n = sk__rpz_owners_of(key, owners);
    for (int i = 0; rc == 0 && removed && i < n; i++)
        rc = sk__rpz_owner_update(&r->ctx, owners[i], &b);
    if (rc == 0 && add)
        rc = force_owners(r, owners, n, &b);
    if (rc < 0) {
        sk_store_rollback(r->st);
        sk__rpz_batch_free(&b);
        return sk_fail(ei, rc, "rpz: store: %s", sk_store_errmsg(r->st));
    }
    rc = commit_batch(r, &b, ei);
    sk__rpz_batch_free(&b);
    if (rc == 0)
        maintain(r);
    return rc;
}

static int rpz_apply(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    int rc = rpz_check(state, req, ei);
    return rc < 0 ? rc : change(state, req, 1, ei);
}

static int rpz_revert(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    return change(state, req, 0, ei);
}

/* --- verify ------------------------------------------------------------- */

enum answer { ANS_ERROR, ANS_SINKHOLE, ANS_NXDOMAIN, ANS_NODATA, ANS_OTHER };

static const char *answer_name(enum answer a)
{
    static const char *const n[] = {"no answer", "the sinkhole", "NXDOMAIN", "NODATA",
                                    "an unfiltered answer"};
    return n[a];
}

/* Asks one resolver for name and classifies the answer. */
static enum answer ask(struct rpz *r, const struct endpoint *ep, const char *name, char *detail,
                       size_t dlen)
{
    struct sk_dnsw *w = malloc(sizeof *w);
    uint8_t resp[4096];
    struct sk_dnsr rd;
    struct sk_dnsrr rr;
    enum answer a = ANS_ERROR;
    uint16_t qtype = r->sink4[0] || r->cname[0] ? SK_DNS_A : SK_DNS_AAAA;
    int n, ans = 0;

    detail[0] = '\0';
    if (!w)
        return ANS_ERROR;
    sk__dnsw_init(w, random_id(), 0x0100); /* RD */
    sk__dnsw_question(w, name, qtype, SK_DNS_IN);
    sk__dnsw_count(w, 0, 1);
    n = sk__dns_udp((struct sockaddr *)&ep->ss, ep->len, w->buf, w->len, resp, sizeof resp, 1000);
    free(w);
    if (n < 0 || sk__dnsr_init(&rd, resp, (size_t)n) < 0) {
        snprintf(detail, dlen, "%s", n < 0 ? sk_strerror(n) : "malformed reply");
        return ANS_ERROR;
    }
    if (sk__dns_rcode(&rd) == SK_DNS_NXDOMAIN)
        a = ANS_NXDOMAIN;
    else if (sk__dns_rcode(&rd) != SK_DNS_NOERROR) {
        snprintf(detail, dlen, "%s", rcode_name(sk__dns_rcode(&rd)));
        return ANS_ERROR;
    }
    while (sk__dnsr_next(&rd, &rr) == 1) {
        char txt[600];
        if (rr.section != 1 || sk__dnsrr_text(&rd, &rr, txt, sizeof txt) < 0)
            continue;
        ans++;
        if (!detail[0])
            snprintf(detail, dlen, "%s", txt);
        if (r->cname[0] && rr.type == SK_DNS_CNAME && !strncmp(txt + 6, r->cname, strlen(r->cname)) &&
            txt[6 + strlen(r->cname)] == '.')
            a = ANS_SINKHOLE;
        if (!r->cname[0] && rr.type == SK_DNS_A && !strcmp(txt + 2, r->sink4))
            a = ANS_SINKHOLE;
        if (!r->cname[0] && rr.type == SK_DNS_AAAA && !strcmp(txt + 5, r->sink6))
            a = ANS_SINKHOLE;
    }
    if (a == ANS_ERROR)
        a = ans ? ANS_OTHER : ANS_NODATA;
    return a;
}

/* What the resolvers must answer for the effective policy of key. */
static enum answer expected(const char *variant)
{
    if (!strcmp(variant, "nxdomain"))
        return ANS_NXDOMAIN;
    if (!strcmp(variant, "nodata"))
        return ANS_NODATA;
    if (!strcmp(variant, "passthru"))
        return ANS_OTHER;
    return ANS_SINKHOLE;
}

static int rpz_verify(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct rpz *r = state;
    struct sk__act_entry top;
    char key[RPZ_OWNER_MAX], probe[2][RPZ_OWNER_MAX + 32], detail[600] = "";
    int rc, nprobe = 1;

    if ((rc = rpz_check(state, req, ei)) < 0)
        return rc;
    rpz_key(req, key, sizeof key);
    if ((rc = sk__act_entry_top(r->st, "rpz", key, &top)) < 0)
        return sk_fail(ei, -SK_ENOTFOUND, "rpz: '%s' is not applied", key);
    enum answer want = expected(top.variant[0] ? top.variant : "sinkhole");
    snprintf(probe[0], sizeof probe[0], "%.253s", req->target.value);
    if (req->target.kind == SK_TARGET_DOMAIN) {
        /* the apex and a name below it that nobody else names */
        snprintf(probe[1], sizeof probe[1], "sakimori-verify-%08x.%.253s", randombytes_random(),
                 req->target.value);
        nprobe = 2;
    }
    sk_nstime deadline = sk_monotonic() + r->conf->verify_timeout;
    size_t total = r->nub + r->nbd;
    for (size_t i = 0; i < total; i++) {
        const struct endpoint *ep = i < r->nub ? &r->ub[i] : &r->bd[i - r->nub];
        const char *who = i < r->nub ? "Unbound" : "BIND";
        for (int p = 0; p < nprobe; p++) {
            enum answer got;
            /* the resolver applies the change within milliseconds; poll */
            for (;;) {
                got = ask(r, ep, probe[p], detail, sizeof detail);
                /* PASSTHRU: anything but a policy answer; NXDOMAIN from the
                 * real zone counts as passing through */
                if (got == want || (want == ANS_OTHER && got != ANS_SINKHOLE && got != ANS_ERROR))
                    break;
                if (sk_monotonic() >= deadline)
                    return sk_fail(ei, -SK_ENOTFOUND,
                                   "rpz: %s at %s answers %s for %s (%s), expected %s",
                                   who, ep->spec, answer_name(got), probe[p],
                                   detail[0] ? detail : "-", answer_name(want));
                usleep(20000);
            }
        }
    }
    if (total == 0)
        return sk_fail(ei, -SK_ECONF, "rpz: no resolver to verify against (act.rpz.unbound."
                       "servers, act.rpz.bind.servers)");
    return 0;
}

/* --- reconcile ------------------------------------------------------------ */

/* Reads a zone from BIND by AXFR (signed request; BIND's allow-transfer
 * should name the key) into owner -> rrs lines "owner\trrs\n", sorted. The
 * reply is compared, not trusted: what differs is re-pushed by signed
 * update, whose replies are verified. */
struct owner_rrs {
    char *owner;
    char *rrs;
};

static int cmp_owner(const void *a, const void *b)
{
    const struct owner_rrs *x = a, *y = b;
    int c = strcmp(x->owner, y->owner);
    return c ? c : strcmp(x->rrs, y->rrs);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct holding {
    struct owner_rrs *v;
    size_t n, cap;
};

static void holding_free(struct holding *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].owner);
        free(h->v[i].rrs);
    }
    free(h->v);
    memset(h, 0, sizeof *h);
}

static int holding_add(struct holding *h, const char *owner, const char *rrs)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        struct owner_rrs *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return -SK_ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n].owner = strdup(owner);
    h->v[h->n].rrs = strdup(rrs);
    if (!h->v[h->n].owner || !h->v[h->n].rrs)
        return -SK_ENOMEM;
    h->n++;
    return 0;
}

/* Groups single RRs (owner, "TYPE data") into owner -> "A x;AAAA y". */
static int holding_group(struct holding *in, struct holding *out)
{
    int rc = 0;

    if (in->n)
        qsort(in->v, in->n, sizeof *in->v, cmp_owner);
    for (size_t i = 0; i < in->n && rc == 0;) {
        size_t j = i;
        struct sk_buf b;
        sk_buf_init(&b, RPZ_RRS_MAX - 1);
        char **parts = malloc((in->n - i) * sizeof *parts);
        if (!parts)
            return -SK_ENOMEM;
        while (j < in->n && !strcmp(in->v[j].owner, in->v[i].owner)) {
            parts[j - i] = in->v[j].rrs;
            j++;
        }
        qsort(parts, j - i, sizeof *parts, cmp_str);
        for (size_t k = 0; k < j - i && rc == 0; k++)
            rc = sk_buf_printf(&b, "%s%s", k ? ";" : "", parts[k]);
        free(parts);
        if (rc == 0)
            rc = holding_add(out, in->v[i].owner, sk_buf_str(&b));
        sk_buf_free(&b);
        i = j;
    }
    return rc;
}

static int axfr_bind(struct rpz *r, const struct endpoint *ep, const char *zone,
                     struct holding *out, struct sk_errinfo *ei)
{
    struct sk_dnsw *w = malloc(sizeof *w);
    uint8_t mac[64], hdr[2], *msg = malloc(SK_DNS_MSG_MAX);
    size_t maclen, zl = strlen(zone);
    struct holding raw = {0};
    int fd = -1, rc = 0, soas = 0;

    if (!w || !msg) {
        rc = -SK_ENOMEM;
        goto out;
    }
    sk__dnsw_init(w, random_id(), 0);
    sk__dnsw_question(w, zone, SK_DNS_AXFR, SK_DNS_IN);
    sk__dnsw_count(w, 0, 1);
    if ((rc = sk__tsig_sign(w, &r->key, sk_now() / SK_NS_PER_SEC, mac, &maclen)) < 0)
        goto out;
    fd = socket(ep->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {.tv_sec = 10};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
        connect(fd, (struct sockaddr *)&ep->ss, ep->len) < 0) {
        rc = sk_fail(ei, -SK_EEXTERNAL, "rpz: BIND at %s: %s", ep->spec, strerror(errno));
        goto out;
    }
    hdr[0] = (uint8_t)(w->len >> 8);
    hdr[1] = (uint8_t)w->len;
    if (write(fd, hdr, 2) != 2 || write(fd, w->buf, w->len) != (ssize_t)w->len) {
        rc = sk_fail(ei, -SK_EEXTERNAL, "rpz: BIND at %s: write failed", ep->spec);
        goto out;
    }
    while (soas < 2) {
        struct sk_dnsr rd;
        struct sk_dnsrr rr;
        if (recv(fd, hdr, 2, MSG_WAITALL) != 2) {
            rc = sk_fail(ei, -SK_EEXTERNAL, "rpz: BIND at %s ended the transfer of %s early",
                         ep->spec, zone);
            goto out;
        }
        size_t n = (size_t)hdr[0] << 8 | hdr[1];
        if (n < 12 || recv(fd, msg, n, MSG_WAITALL) != (ssize_t)n ||
            sk__dnsr_init(&rd, msg, n) < 0) {
            rc = sk_fail(ei, -SK_EEXTERNAL, "rpz: BIND at %s: bad transfer message", ep->spec);
            goto out;
        }
        if (sk__dns_rcode(&rd) != SK_DNS_NOERROR) {
            rc = sk_fail(ei, -SK_EEXTERNAL, "rpz: BIND at %s refused the transfer of %s: %s "
                         "(allow-transfer must allow the key)", ep->spec, zone,
                         rcode_name(sk__dns_rcode(&rd)));
            goto out;
        }
        int nr;
        while ((nr = sk__dnsr_next(&rd, &rr)) == 1 && soas < 2) {
            char txt[600];
            if (rr.section != 1)
                continue;
            if (rr.type == SK_DNS_SOA) {
                soas++;
                continue;
            }
            size_t nl = strlen(rr.name);
            if (rr.type == SK_DNS_NS || nl <= zl + 1 || strcmp(rr.name + nl - zl, zone) ||
                rr.name[nl - zl - 1] != '.')
                continue; /* apex records */
            if (sk__dnsrr_text(&rd, &rr, txt, sizeof txt) < 0)
                continue;
            rr.name[nl - zl - 1] = '\0';
            if ((rc = holding_add(&raw, rr.name, txt)) < 0)
                goto out;
        }
        if (nr < 0) {
            rc = sk_fail(ei, -SK_EEXTERNAL, "rpz: BIND at %s: malformed transfer", ep->spec);
            goto out;
        }
    }
    rc = holding_group(&raw, out);
out:
    if (fd >= 0)
        close(fd);
    holding_free(&raw);
    free(w);
    free(msg);
    return rc;
}

struct want_ctx {
    struct holding *h;
};

static int reconcile_bind_zone(struct rpz *r, int z, struct sk_action_drift *d,
                               struct sk_errinfo *ei)
{
    static const char sql[] =
        "SELECT owner, rrs FROM act_rpz_zone WHERE zone = ?1 ORDER BY owner";
    struct holding want = {0};
    struct upd u = {.r = r, .zone = r->zone[z == RZ_B_ALLOW ? Z_ALLOW : Z_DELTA]};
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(r->st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, sk__rpz_zone_key[z], -1, SQLITE_STATIC);
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW)
        rc = holding_add(&want, (const char *)sqlite3_column_text(s, 0),
                         (const char *)sqlite3_column_text(s, 1));
    sqlite3_reset(s);
    if (rc < 0 || !(u.w = malloc(sizeof *u.w))) {
        holding_free(&want);
        return rc < 0 ? rc : -SK_ENOMEM;
    }
    if (want.n)
        qsort(want.v, want.n, sizeof *want.v, cmp_owner);
    for (size_t e = 0; e < r->nbd && rc == 0; e++) {
        struct holding have = {0};
        struct sk_action_drift one = {0};
        if ((rc = axfr_bind(r, &r->bd[e], u.zone, &have, ei)) < 0)
            break;
        upd_start(&u);
        size_t i = 0, j = 0;
        while (rc == 0 && (i < want.n || j < have.n)) {
            int c = i >= want.n ? 1 : j >= have.n ? -1 : strcmp(want.v[i].owner, have.v[j].owner);
            if (c == 0 && !strcmp(want.v[i].rrs, have.v[j].rrs)) {
                one.kept++;
                i++, j++;
            } else if (c <= 0) {
                rc = upd_owner(&u, want.v[i].owner, want.v[i].rrs, ei);
                one.added++;
                i++;
                j += c == 0;
            } else {
                rc = upd_owner(&u, have.v[j].owner, "", ei);
                one.removed++;
                j++;
            }
        }
        /* this server only: send it ours */
        if (rc == 0 && u.n) {
            sk__dnsw_count(u.w, 2, u.n);
            rc = update_send(r, &r->bd[e], u.w, ei);
        }
        holding_free(&have);
        if (e == 0) {
            d->kept += one.kept;
            d->added += one.added;
            d->removed += one.removed;
        }
    }
    free(u.w);
    holding_free(&want);
    return rc;
}

static int rpz_reconcile(void *state, const struct sk_action_req *active, size_t n,
                         struct sk_action_drift *drift, struct sk_errinfo *ei)
{
    struct rpz *r = state;
    struct sk_rpz_batch b = {0};
    struct sk_action_drift d = {0};
    int64_t before[2] = {0, 0};
    int rc;

    if ((rc = sk_store_begin(r->st)) < 0)
        return sk_fail(ei, rc, "rpz: store: %s", sk_store_errmsg(r->st));
    if (r->ctx.unbound)
        for (int z = RZ_U_ALLOW; z <= RZ_U_DELTA; z++)
            sk__rpz_serial(r->st, z, &before[z]);
    rc = sk__act_entry_reset(r->st, "rpz", active, n, rpz_key, variant_of);
    if (rc == 0)
        rc = sk__rpz_recompute_all(&r->ctx, &b);
    if (rc < 0) {
        sk_store_rollback(r->st);
        sk__rpz_batch_free(&b);
        return sk_fail(ei, rc, "rpz: store: %s", sk_store_errmsg(r->st));
    }
    /* the store is right now; BIND is compared below, not pushed blindly */
    for (size_t i = 0; i < b.n; i++)
        if (b.v[i].zone >= RZ_B_ALLOW)
            b.v[i].zone = 0xff;
    rc = commit_batch(r, &b, ei);
    /* Unbound: the changes it lacks are the journal since the serial it
     * reports (or, without a control channel, since ours before); NOTIFY
     * it whatever happened, it costs one SOA query when nothing did */
    if (rc == 0 && r->ctx.unbound) {
        for (int z = RZ_U_ALLOW; z <= RZ_U_DELTA; z++) {
            int64_t cur = 0, from = before[z];
            sk__rpz_serial(r->st, z, &cur);
            if (r->nuctl) {
                int64_t s = unbound_zone_serial(&r->uctl[0], r->zone[z == RZ_U_ALLOW ? Z_ALLOW : Z_DELTA]);
                if (s >= 0)
                    from = cur - (int32_t)((uint32_t)cur - (uint32_t)s);
            }
            static const char sql[] = "SELECT op, count(*) FROM act_rpz_journal WHERE zone = ?1"
                                      " AND serial > ?2 AND serial <= ?3 GROUP BY op";
            sqlite3_stmt *s;
            if (from < cur && sk_store_prepare(r->st, sql, &s) == 0) {
                sqlite3_bind_text(s, 1, sk__rpz_zone_key[z], -1, SQLITE_STATIC);
                sqlite3_bind_int64(s, 2, from);
                sqlite3_bind_int64(s, 3, cur);
                while (sqlite3_step(s) == SQLITE_ROW)
                    *(sqlite3_column_int(s, 0) ? &d.added : &d.removed) +=
                        (uint32_t)sqlite3_column_int64(s, 1);
                sqlite3_reset(s);
            }
            notify_unbound(r, z, cur);
        }
    }
    for (int z = RZ_B_ALLOW; rc == 0 && r->ctx.bind && z <= RZ_B_DELTA; z++)
        rc = reconcile_bind_zone(r, z, &d, ei);
    sk__rpz_batch_free(&b);
    if (rc == 0) {
        maintain(r);
        if (drift) {
            drift->kept += d.kept;
            drift->added += d.added;
            drift->removed += d.removed;
        }
    }
    return rc;
}

const struct sk_action_ops sk__act_rpz = {
    .name = "rpz",
    .api = SK_ACTION_API,
    .desc = "DNS response policy for a name (sinkhole, nxdomain, nodata or a passthru "
            "exception) on Unbound and BIND",
    .init = rpz_init,
    .check = rpz_check,
    .apply = rpz_apply,
    .verify = rpz_verify,
    .revert = rpz_revert,
    .fini = rpz_fini,
    .reconcile = rpz_reconcile,
    .effect = SK_ACTION_EFFECT_DNS,
};
