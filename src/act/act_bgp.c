/*
 * act_bgp.c — the "bgp" action: remote-triggered blackhole (RTBH) of one
 * address through BIRD 2.
 *
 * sakimori writes one file that the operator's bird.conf includes at top
 * level (act.bgp.include_file), regenerated whole from the store on every
 * change and replaced atomically (write, fsync, rename):
 *
 *   protocol static sakimori_rtbh4 { ipv4;
 *     route 203.0.113.66/32 blackhole { bgp_community.add((65535,666));
 *                                       bgp_community.add((65535,65281)); };
 *   }
 *   protocol static sakimori_rtbh6 { ipv6; … }
 *
 * (65535,666) is BLACKHOLE (RFC 7999), (65535,65281) NO_EXPORT (RFC 1997),
 * carried on the route itself so the operator's BGP export filter only has
 * to select the protocol (examples/bird/). Then `configure` on BIRD's control
 * socket; BIRD answers 0003 "Reconfigured" on success and keeps its old
 * configuration on any error (8xxx/9xxx), which we report.
 *
 * Only host routes (/32, /128): RTBH of a wider prefix would blackhole
 * bystanders. The file is a pure function of act_entries, so apply, revert
 * and reconcile are all "regenerate and reconfigure", and a crash between
 * the store and BIRD is repaired by the next one. Verify asks BIRD for the
 * route in the static protocol with both communities. BIRD routes have no
 * timeout: the runner reverts at TTL.
 *
 * Control socket protocol: lines "DDDD-text" (more follows), "DDDD text"
 * (last line), " text" (continuation); 0xxx ok, 1xxx data, 8xxx/9xxx error.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "act/act-int.h"
#include "sakimori/addr.h"
#include "sakimori/buf.h"
#include "sakimori/conf-t.h"
#include "sakimori/file.h"
#include "sakimori/log.h"

#define BIRD_REPLY_CAP (16u << 20)

struct bgp {
    struct sk_store *store;
    const struct sk_conf_act_bgp *conf;
    char proto4[80], proto6[80];
};

/* One command on BIRD's control socket. Returns the code of the last line
 * (>= 0) with the whole reply in *reply, or < 0 when BIRD cannot be reached. */
static int bird_cmd(const struct bgp *b, const char *cmd, struct sk_buf *reply,
                    struct sk_errinfo *ei)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd = -1, rc, greeted = 0;
    sk_nstime deadline = sk_monotonic() + b->conf->timeout;
    size_t scan = 0;

    if (strlen(b->conf->bird_socket) >= sizeof sun.sun_path)
        return sk_fail(ei, -SK_ECONF, "act.bgp.bird_socket: path too long");
    memcpy(sun.sun_path, b->conf->bird_socket, strlen(b->conf->bird_socket) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return sk_fail(ei, -errno, "bgp: socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
        rc = sk_fail(ei, -SK_EEXTERNAL, "bgp: cannot reach BIRD at %s: %s", b->conf->bird_socket,
                     strerror(errno));
        goto out;
    }
    sk_buf_reset(reply);
    for (;;) {
        /* find complete lines from `scan` on */
        char *nl;
        while (reply->data && (nl = memchr(reply->data + scan, '\n', reply->len - scan))) {
            const char *line = reply->data + scan;
            size_t len = (size_t)(nl - line);
            scan += len + 1;
            if (len >= 5 && line[0] >= '0' && line[0] <= '9' && line[4] == ' ') {
                int code = (line[0] - '0') * 1000 + (line[1] - '0') * 100 + (line[2] - '0') * 10 +
                           (line[3] - '0');
                if (!greeted) {
                    if (code != 1) {
                        rc = sk_fail(ei, -SK_EEXTERNAL, "bgp: unexpected BIRD greeting '%.*s'",
                                     (int)len, line);
                        goto out;
                    }
                    greeted = 1;
                    sk_buf_reset(reply);
                    scan = 0;
                    if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
                        rc = sk_fail(ei, -SK_EEXTERNAL, "bgp: write to BIRD: %s", strerror(errno));
                        goto out;
                    }
                    break;
                }
                rc = code;
                goto out;
            }
        }
        sk_nstime now = sk_monotonic();
        if (now >= deadline) {
            rc = sk_fail(ei, -SK_ETIMEOUT, "bgp: BIRD did not answer '%s' in time", cmd);
            goto out;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)((deadline - now) / SK_NS_PER_MS) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        char buf[8192];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            rc = sk_fail(ei, -SK_EEXTERNAL, "bgp: BIRD closed the control connection");
            goto out;
        }
        if (sk_buf_append(reply, buf, (size_t)n) < 0) {
            rc = sk_fail(ei, -SK_ETOOBIG, "bgp: BIRD reply larger than %u bytes", BIRD_REPLY_CAP);
            goto out;
        }
    }
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The last numbered line of a reply, for error messages. */
static void last_line(const struct sk_buf *r, char *out, size_t len)
{
    const char *s = sk_buf_str(r), *end = s + r->len, *start;

    while (end > s && (end[-1] == '\n' || end[-1] == ' '))
        end--;
    start = end;
    while (start > s && start[-1] != '\n')
        start--;
    snprintf(out, len, "%.*s", (int)(end - start), start);
}

static int bgp_init(void **state, const struct sk_action_env *env, struct sk_errinfo *ei)
{
    const struct sk_conf_act_bgp *c = &env->conf->act.bgp;
    struct bgp *b;

    if (!env->store)
        return sk_fail(ei, -SK_EINVAL, "bgp: needs the store");
    if (!c->protocol[0] || strlen(c->protocol) > 60 ||
        strspn(c->protocol, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
            strlen(c->protocol))
        return sk_fail(ei, -SK_ECONF, "act.bgp.protocol: '%s' is not a BIRD protocol name "
                       "(letters, digits, '_')", c->protocol);
    if (!(b = calloc(1, sizeof *b)))
        return -SK_ENOMEM;
    b->store = env->store;
    b->conf = c;
    snprintf(b->proto4, sizeof b->proto4, "%s4", c->protocol);
    snprintf(b->proto6, sizeof b->proto6, "%s6", c->protocol);
    *state = b;
    return 0;
}

static void bgp_fini(void *state) { free(state); }

static int bgp_check(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    const struct sk_addr *a = &req->target.prefix.addr;
    struct sk_prefix lo4, mc4, mc6;

    if (req->target.kind == SK_TARGET_PREFIX)
        return sk_fail(ei, -SK_EDENIED, "bgp: remote-triggered blackhole takes host routes only "
                       "(/32, /128); '%s' would blackhole its neighbours too (use nft for "
                       "prefixes)", req->target.value);
    if (req->target.kind != SK_TARGET_IP)
        return sk_fail(ei, -SK_EINVAL, "bgp: blackholes addresses; '%s' is a %s",
                       req->target.value,
                       sk_target_kind_name((enum sk_target_kind)req->target.kind));
    sk_prefix_parse("127.0.0.0/8", &lo4, 0);
    sk_prefix_parse("224.0.0.0/4", &mc4, 0);
    sk_prefix_parse("ff00::/8", &mc6, 0);
    struct sk_addr zero6 = {.family = SK_AF_INET6}, lo6 = zero6;
    lo6.b[15] = 1;
    if (sk_prefix_contains(&lo4, a) || sk_prefix_contains(&mc4, a) ||
        sk_prefix_contains(&mc6, a) || sk_addr_eq(a, &lo6) || sk_addr_eq(a, &zero6) ||
        (a->family == SK_AF_INET && sk_addr_v4(a) == 0))
        return sk_fail(ei, -SK_EDENIED, "bgp: refusing to blackhole %s (loopback, multicast "
                       "or unspecified)", req->target.value);
    return 0;
}

static const char *bgp_key(const struct sk_action_req *r, char *buf, size_t len)
{
    if (r->target.kind != SK_TARGET_IP)
        return NULL;
    return sk_prefix_fmt(&r->target.prefix, buf, len);
}

struct gen {
    struct sk_buf v4, v6;
    uint32_t n;
};

static int gen_route(void *ctx, const struct sk__act_entry *e)
{
    struct gen *g = ctx;
    struct sk_prefix p;

    if (sk_prefix_parse(e->key, &p, 0) < 0)
        return 0;
    g->n++;
    return sk_buf_printf(p.addr.family == SK_AF_INET ? &g->v4 : &g->v6,
                         "  route %s blackhole { bgp_community.add((65535,666)); "
                         "bgp_community.add((65535,65281)); };\n",
                         e->key);
}

/* Writes the include file from the store and reconfigures BIRD. */
static int bgp_sync(struct bgp *b, struct sk_errinfo *ei)
{
    struct gen g = {.n = 0};
    struct sk_buf out, reply;
    char line[300];
    int rc;

    sk_buf_init(&g.v4, 64u << 20);
    sk_buf_init(&g.v6, 64u << 20);
    sk_buf_init(&out, 128u << 20);
    sk_buf_init(&reply, BIRD_REPLY_CAP);
    if ((rc = sk__act_entry_each(b->store, "bgp", gen_route, &g)) < 0) {
        sk_fail(ei, rc, "bgp: store: %s", sk_store_errmsg(b->store));
        goto out;
    }
    rc = sk_buf_printf(&out,
                       "# Generated by sakimori (act.bgp): remote-triggered blackhole routes.\n"
                       "# Do not edit: rewritten whole on every change. BLACKHOLE (65535,666),\n"
                       "# RFC 7999, and NO_EXPORT (65535,65281) ride on each route.\n"
                       "protocol static %s {\n  ipv4;\n%s}\nprotocol static %s {\n  ipv6;\n%s}\n",
                       b->proto4, sk_buf_str(&g.v4), b->proto6, sk_buf_str(&g.v6));
    if (rc < 0)
        goto out;
    if ((rc = sk_write_file_atomic(b->conf->include_file, out.data, out.len, ei)) < 0)
        goto out;
    sk__act_crashpoint("bgp:after-file");
    if ((rc = bird_cmd(b, "configure", &reply, ei)) < 0)
        goto out;
    if (rc != 3 && rc != 4 && rc != 5) {
        last_line(&reply, line, sizeof line);
        rc = sk_fail(ei, -SK_EEXTERNAL, "bgp: BIRD refused the new configuration (kept the old "
                     "one): %s", line);
        goto out;
    }
    sk_debug("act", "bgp: %u blackhole routes, BIRD reconfigured", g.n);
    rc = 0;
out:
    sk_buf_free(&g.v4);
    sk_buf_free(&g.v6);
    sk_buf_free(&out);
    sk_buf_free(&reply);
    return rc;
}

static int store_change(struct bgp *b, const struct sk_action_req *req, int add,
                        struct sk_errinfo *ei)
{
    char key[SK_ADDR_STRLEN + 4];
    int rc;

    bgp_key(req, key, sizeof key);
    if ((rc = sk_store_begin(b->store)) < 0)
        return sk_fail(ei, rc, "bgp: %s", sk_store_errmsg(b->store));
    rc = add ? sk__act_entry_put(b->store, "bgp", key, req, NULL)
             : sk__act_entry_del(b->store, "bgp", key, req->id, NULL);
    if (rc == 0)
        rc = sk_store_commit(b->store);
    if (rc < 0) {
        sk_fail(ei, rc, "bgp: store: %s", sk_store_errmsg(b->store));
        sk_store_rollback(b->store);
    }
    return rc;
}

static int bgp_apply(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct bgp *b = state;
    int rc;

    if ((rc = bgp_check(state, req, ei)) < 0 || (rc = store_change(b, req, 1, ei)) < 0)
        return rc;
    sk__act_crashpoint("bgp:after-store");
    return bgp_sync(b, ei);
}

static int bgp_revert(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct bgp *b = state;
    int rc;

    if (req->target.kind != SK_TARGET_IP)
        return 0;
    if ((rc = store_change(b, req, 0, ei)) < 0)
        return rc;
    sk__act_crashpoint("bgp:after-store");
    return bgp_sync(b, ei);
}

/* Does BIRD hold the route in our static protocol, with both communities? */
static int bgp_verify(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct bgp *b = state;
    struct sk_buf reply;
    char cmd[256], key[SK_ADDR_STRLEN + 4];
    int rc;

    if ((rc = bgp_check(state, req, ei)) < 0)
        return rc;
    bgp_key(req, key, sizeof key);
    snprintf(cmd, sizeof cmd, "show route for %s protocol %s all", key,
             req->target.prefix.addr.family == SK_AF_INET ? b->proto4 : b->proto6);
    sk_buf_init(&reply, BIRD_REPLY_CAP);
    if ((rc = bird_cmd(b, cmd, &reply, ei)) < 0)
        goto out;
    const char *r = sk_buf_str(&reply);
    char want[SK_ADDR_STRLEN + 8];
    snprintf(want, sizeof want, " %s ", key);
    if (rc != 0 || !strstr(r, want) || !strstr(r, "blackhole"))
        rc = sk_fail(ei, -SK_ENOTFOUND, "bgp: BIRD does not hold the blackhole route %s", key);
    else if (!strstr(r, "(65535,666)") || !strstr(r, "(65535,65281)"))
        rc = sk_fail(ei, -SK_ENOTFOUND, "bgp: the route %s lacks BLACKHOLE (65535,666) or "
                     "NO_EXPORT (65535,65281)", key);
    else
        rc = 0;
out:
    sk_buf_free(&reply);
    return rc;
}

/* The prefixes BIRD holds in our static protocols (before a reconcile). */
static int held_routes(struct bgp *b, const char *proto, struct sk_buf *names,
                       struct sk_errinfo *ei)
{
    struct sk_buf reply;
    char cmd[160];
    int rc;

    snprintf(cmd, sizeof cmd, "show route protocol %s", proto);
    sk_buf_init(&reply, BIRD_REPLY_CAP);
    if ((rc = bird_cmd(b, cmd, &reply, ei)) < 0)
        goto out;
    rc = 0;
    for (const char *l = sk_buf_str(&reply); *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        /* route lines: "1007-Table…" then " 203.0.113.66/32   blackhole …" or
         * "1007-203.0.113.66/32 …" depending on BIRD's grouping */
        const char *p = l;
        if (len > 5 && l[0] >= '0' && l[0] <= '9' && (l[4] == '-' || l[4] == ' '))
            p = l + 5;
        while (*p == ' ' && p < l + len)
            p++;
        size_t w = strcspn(p, " \t\n");
        struct sk_prefix pf;
        char tok[SK_ADDR_STRLEN + 4];
        if (w > 0 && w < sizeof tok) {
            memcpy(tok, p, w);
            tok[w] = '\0';
            if (sk_prefix_parse(tok, &pf, 0) == 0 && (rc = sk_buf_printf(names, "%s\n", tok)) < 0)
                break;
        }
        l = nl ? nl + 1 : l + len;
    }
out:
    sk_buf_free(&reply);
    return rc;
}

struct count_ctx {
    const char *held;
    struct sk_action_drift *d;
    uint32_t in_held;
};

static int count_entry(void *ctx, const struct sk__act_entry *e)
{
    struct count_ctx *c = ctx;
    char want[sizeof e->key + 2];
    const char *h = c->held;

    snprintf(want, sizeof want, "%s\n", e->key);
    int found = 0;
    for (const char *p = h; (p = strstr(p, want)); p++)
        if (p == h || p[-1] == '\n') {
            found = 1;
            break;
        }
    if (found) {
        c->d->kept++;
        c->in_held++;
    } else {
        c->d->added++;
    }
    return 0;
}

static int bgp_reconcile(void *state, const struct sk_action_req *active, size_t n,
                         struct sk_action_drift *drift, struct sk_errinfo *ei)
{
    struct bgp *b = state;
    struct sk_buf held;
    struct sk_action_drift d = {0};
    int rc;

    sk_buf_init(&held, BIRD_REPLY_CAP);
    /* What BIRD holds now; if BIRD is down we still fix the file, and the
     * configure below reports the error. */
    if (held_routes(b, b->proto4, &held, NULL) < 0 || held_routes(b, b->proto6, &held, NULL) < 0)
        sk_buf_reset(&held);
    if ((rc = sk_store_begin(b->store)) < 0) {
        sk_fail(ei, rc, "bgp: %s", sk_store_errmsg(b->store));
        goto out;
    }
    rc = sk__act_entry_reset(b->store, "bgp", active, n, bgp_key, NULL);
    if (rc == 0)
        rc = sk_store_commit(b->store);
    if (rc < 0) {
        sk_store_rollback(b->store);
        sk_fail(ei, rc, "bgp: store: %s", sk_store_errmsg(b->store));
        goto out;
    }
    struct count_ctx cc = {.held = sk_buf_str(&held), .d = &d};
    if ((rc = sk__act_entry_each(b->store, "bgp", count_entry, &cc)) < 0)
        goto out;
    uint32_t nheld = 0;
    for (const char *p = sk_buf_str(&held); *p; p++)
        nheld += *p == '\n';
    d.removed = nheld - cc.in_held;
    if ((rc = bgp_sync(b, ei)) < 0)
        goto out;
    if (drift) {
        drift->kept += d.kept;
        drift->added += d.added;
        drift->removed += d.removed;
    }
out:
    sk_buf_free(&held);
    return rc;
}

const struct sk_action_ops sk__act_bgp = {
    .name = "bgp",
    .api = SK_ACTION_API,
    .desc = "remote-triggered blackhole of one address: BIRD static route with BLACKHOLE "
            "(65535:666) and NO_EXPORT",
    .init = bgp_init,
    .check = bgp_check,
    .apply = bgp_apply,
    .verify = bgp_verify,
    .revert = bgp_revert,
    .fini = bgp_fini,
    .reconcile = bgp_reconcile,
    .effect = SK_ACTION_EFFECT_IP,
};
