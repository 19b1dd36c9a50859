/*
 * rpz_primary.c — a small authoritative primary for the policy zones
 * sakimori keeps for Unbound (allow and delta), read from the store.
 *
 * Unbound lists them as `rpz:` zones with `primary: <this>`; on NOTIFY
 * (sent by the rpz action after each change) it asks for the SOA over UDP
 * and then for an IXFR over TCP, which we answer from act_rpz_journal with
 * only the difference since its serial (RFC 1995), or with the whole zone
 * when the journal no longer reaches back that far (AXFR form). Unbound
 * applies an IXFR incrementally, which is what makes an update cost
 * milliseconds whatever the size of the policy (RECIPES.md).
 *
 * Threads: one loop polls every UDP socket and TCP listener; each TCP
 * connection gets a short-lived thread (at most MAX_TCP at once) with its own
 * store connection, reading in one transaction so a transfer is one
 * consistent snapshot. Requests from outside act.rpz.primary.allow get
 * REFUSED; so does anything that is not SOA/NS/AXFR/IXFR at a zone apex.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "act/act-int.h"
#include "act/dnsmsg.h"
#include "act/rpz.h"
#include "sakimori/act.h"
#include "sakimori/addr.h"
#include "sakimori/conf-t.h"
#include "sakimori/log.h"

#define MAX_LISTEN 16
#define MAX_TCP 16
#define CHUNK 16000 /* bytes of RRs per transfer message */

struct sk_rpz_primary {
    char *db_path;
    char zone[2][256]; /* served: [0] allow, [1] delta */
    uint32_t ttl;
    struct sk_prefix_list allow;
    struct sk_prefix *allow_v;
    int fds[MAX_LISTEN * 2];
    int is_tcp[MAX_LISTEN * 2];
    int nfds;
    int wake[2];
    pthread_t loop;
    int running;
    struct sk_store *st; /* the loop's own connection */
    atomic_int tcp_busy;
    atomic_uint_fast64_t requests;
};

static int allowed(const struct sk_rpz_primary *p, const struct sockaddr *sa)
{
    struct sk_addr a;

    if (sa->sa_family == AF_INET)
        sk_addr_from_v4_bytes(&a, (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr);
    else if (sa->sa_family == AF_INET6)
        sk_addr_from_v6_bytes(&a, ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
    else
        return 0;
    for (size_t i = 0; i < p->allow.n; i++)
        if (p->allow.v[i].addr.family == a.family && sk_prefix_contains(&p->allow.v[i], &a))
            return 1;
    return 0;
}

/* A reply header for request r. */
static void reply_init(struct sk_dnsw *w, const struct sk_dnsr *r, int rcode, int aa)
{
    sk__dnsw_init(w, r->id, (uint16_t)(0x8000 | (r->flags & 0x7800) | (aa ? 0x0400 : 0) |
                                       (r->flags & 0x0100) | rcode));
}

static void echo_question(struct sk_dnsw *w, const struct sk_dnsr *r)
{
    if (r->count[0]) {
        sk__dnsw_question(w, r->qname, r->qtype, r->qclass);
        sk__dnsw_count(w, 0, 1);
    }
}

/* Writes the RRs of one policy owner; returns how many. */
static int put_rrs(struct sk_dnsw *w, const char *owner, const char *zone, uint32_t ttl,
                   const char *rrs)
{
    int n = 0;
    char one[RPZ_RRS_MAX];

    while (*rrs) {
        size_t k = strcspn(rrs, ";");
        snprintf(one, sizeof one, "%.*s", (int)k, rrs);
        if (sk__dnsw_rr_text(w, owner, zone, ttl, one) == 0)
            n++;
        rrs += k + (rrs[k] == ';');
    }
    return n;
}

/* The serial of a served zone; 0 until the rpz action has initialised it. */
static int read_serial(struct sk_store *st, int zi, int64_t *serial)
{
    char k[40];
    snprintf(k, sizeof k, "rpz.serial.%s", sk__rpz_zone_key[zi == 0 ? RZ_U_ALLOW : RZ_U_DELTA]);
    return sk__act_kv_get(st, k, 0, serial);
}

/* A read snapshot (deferred: never the write lock, however long a
 * transfer takes). */
static int snapshot_begin(struct sk_store *st)
{
    return sqlite3_exec(sk_store_db(st), "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : -SK_ESTORE;
}

static void snapshot_end(struct sk_store *st)
{
    sqlite3_exec(sk_store_db(st), "COMMIT", NULL, NULL, NULL);
}

/* --- transfers over TCP -------------------------------------------------- */

struct xfr {
    int fd;
    const struct sk_dnsr *req;
    struct sk_dnsw *w;
    uint16_t an;
    int first;
    int err;
};

static int send_tcp(int fd, const uint8_t *buf, size_t len)
{
    uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
    struct iovec iov[2] = {{hdr, 2}, {(void *)buf, len}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    size_t total = len + 2;

    while (total > 0) {
        ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        total -= (size_t)n;
        while (n > 0 && mh.msg_iovlen > 0) {
            if ((size_t)n >= mh.msg_iov[0].iov_len) {
                n -= (ssize_t)mh.msg_iov[0].iov_len;
                mh.msg_iov++;
                mh.msg_iovlen--;
            } else {
                mh.msg_iov[0].iov_base = (uint8_t *)mh.msg_iov[0].iov_base + n;
                mh.msg_iov[0].iov_len -= (size_t)n;
                n = 0;
            }
        }
    }
    return 0;
}

static void xfr_begin(struct xfr *x)
{
    reply_init(x->w, x->req, SK_DNS_NOERROR, 1);
    if (x->first)
        echo_question(x->w, x->req);
    x->first = 0;
    x->an = 0;
}

static int xfr_flush(struct xfr *x)
{
    if (x->an == 0)
        return 0;
    sk__dnsw_count(x->w, 1, x->an);
    if (x->w->err)
        return x->w->err;
    int rc = send_tcp(x->fd, x->w->buf, x->w->len);
    xfr_begin(x);
    return rc;
}

/* Makes room for about one more owner's RRs. */
static int xfr_room(struct xfr *x)
{
    if (x->w->len > CHUNK)
        return xfr_flush(x);
    return 0;
}

static void xfr_soa(struct xfr *x, const char *zone, int64_t serial, uint32_t ttl)
{
    sk__dnsw_soa(x->w, zone, (uint32_t)serial, ttl);
    x->an++;
}

static int axfr_body(struct sk_rpz_primary *p, struct sk_store *st, struct xfr *x, int zi,
                     const char *zone)
{
    static const char sql[] = "SELECT owner, rrs FROM act_rpz_zone WHERE zone = ?1";
    sqlite3_stmt *s;
    int rc;

    size_t m = sk__dnsw_rr_begin(x->w, NULL, zone, SK_DNS_NS, SK_DNS_IN, p->ttl);
    sk__dnsw_name(x->w, "localhost");
    sk__dnsw_rdata_end(x->w, m);
    x->an++;
    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, sk__rpz_zone_key[zi == 0 ? RZ_U_ALLOW : RZ_U_DELTA], -1,
                      SQLITE_STATIC);
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        if ((rc = xfr_room(x)) < 0)
            break;
        x->an = (uint16_t)(x->an + put_rrs(x->w, (const char *)sqlite3_column_text(s, 0), zone,
                                           p->ttl, (const char *)sqlite3_column_text(s, 1)));
    }
    sqlite3_reset(s);
    return rc;
}

/* IXFR from `from` to `to` out of the journal; 0 if sent, 1 if the journal
 * does not reach back (the caller sends the whole zone). */
static int ixfr_body(struct sk_rpz_primary *p, struct sk_store *st, struct xfr *x, int zi,
                     const char *zone, int64_t from, int64_t to)
{
    static const char oldest[] = "SELECT MIN(serial) FROM act_rpz_journal WHERE zone = ?1";
    static const char sql[] =
        "SELECT serial, op, owner, rrs FROM act_rpz_journal"
        " WHERE zone = ?1 AND serial > ?2 AND serial <= ?3 ORDER BY serial, op, seq";
    const char *key = sk__rpz_zone_key[zi == 0 ? RZ_U_ALLOW : RZ_U_DELTA];
    sqlite3_stmt *s;
    int64_t min = -1, cur = -1;
    int cur_op = -1, rc;

    if ((rc = sk_store_prepare(st, oldest, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        min = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (min < 0 || min > from + 1)
        return 1;
    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        int64_t serial = sqlite3_column_int64(s, 0);
        int op = sqlite3_column_int(s, 1);
        if ((rc = xfr_room(x)) < 0)
            break;
        /* each version: SOA(old) deletions SOA(new) additions */
        if (serial != cur) {
            if (cur >= 0 && cur_op == 0)
                xfr_soa(x, zone, cur, p->ttl); /* a version with deletions only */
            xfr_soa(x, zone, serial - 1, p->ttl);
            cur = serial;
            cur_op = 0;
        }
        if (op == 1 && cur_op == 0) {
            xfr_soa(x, zone, serial, p->ttl);
            cur_op = 1;
        }
        x->an = (uint16_t)(x->an + put_rrs(x->w, (const char *)sqlite3_column_text(s, 2), zone,
                                           p->ttl, (const char *)sqlite3_column_text(s, 3)));
    }
    sqlite3_reset(s);
    if (rc == 0 && cur >= 0 && cur_op == 0)
        xfr_soa(x, zone, cur, p->ttl);
    return rc;
}

/* Maps a 32-bit serial from a client onto our 64-bit counter (RFC 1982:
 * within 2^31 of the current one). */
static int64_t widen(int64_t cur, uint32_t s)
{
    int32_t d = (int32_t)((uint32_t)cur - s);
    return cur - d;
}

static int transfer(struct sk_rpz_primary *p, struct sk_store *st, int fd,
                    const struct sk_dnsr *req, int zi)
{
    struct sk_dnsw *w = malloc(sizeof *w);
    struct xfr x = {.fd = fd, .req = req, .w = w, .first = 1};
    const char *zone = p->zone[zi];
    int64_t serial;
    int rc;

    if (!w)
        return -SK_ENOMEM;
    if ((rc = snapshot_begin(st)) < 0)
        goto out;
    if ((rc = read_serial(st, zi, &serial)) < 0)
        goto done;
    xfr_begin(&x);
    xfr_soa(&x, zone, serial, p->ttl);
    if (req->qtype == SK_DNS_IXFR) {
        /* the client's SOA is in the authority section */
        struct sk_dnsr r = *req;
        struct sk_dnsrr rr;
        uint32_t have = 0;
        int found = 0;
        while (sk__dnsr_next(&r, &rr) == 1)
            if (rr.type == SK_DNS_SOA && rr.section == 2 && sk__dnsrr_soa_serial(&rr, &have) == 0)
                found = 1;
        int64_t from = found ? widen(serial, have) : -1;
        if (found && from >= serial) {
            /* up to date: the SOA alone */
            rc = xfr_flush(&x);
            goto done;
        }
        if (found && (rc = ixfr_body(p, st, &x, zi, zone, from, serial)) <= 0) {
            if (rc == 0) {
                xfr_soa(&x, zone, serial, p->ttl);
                rc = xfr_flush(&x);
            }
            goto done;
        }
    }
    if ((rc = axfr_body(p, st, &x, zi, zone)) == 0) {
        xfr_soa(&x, zone, serial, p->ttl);
        rc = xfr_flush(&x);
    }
done:
    snapshot_end(st);
out:
    free(w);
    return rc;
}

/* --- requests ------------------------------------------------------------ */

/* Which served zone is name (0 allow, 1 delta), or -1. */
static int zone_of(const struct sk_rpz_primary *p, const char *name)
{
    for (int i = 0; i < 2; i++)
        if (!strcasecmp(name, p->zone[i]))
            return i;
    return -1;
}

/* Answers one request. For TCP transfers it writes to fd itself and
 * returns 0 with *out_len 0. */
static int handle(struct sk_rpz_primary *p, struct sk_store *st, const uint8_t *msg, size_t len,
                  const struct sockaddr *from, int tcp_fd, struct sk_dnsw *w)
{
    struct sk_dnsr r;

    w->len = 0;
    if (sk__dnsr_init(&r, msg, len) < 0 || (r.flags & 0x8000))
        return -SK_EPARSE; /* not a request: no answer */
    atomic_fetch_add(&p->requests, 1);
    if (!allowed(p, from)) {
        reply_init(w, &r, SK_DNS_REFUSED, 0);
        echo_question(w, &r);
        return 0;
    }
    if (sk__dns_opcode(&r) != SK_DNS_OP_QUERY || r.count[0] != 1) {
        reply_init(w, &r, sk__dns_opcode(&r) != SK_DNS_OP_QUERY ? SK_DNS_NOTIMP : SK_DNS_FORMERR,
                   0);
        echo_question(w, &r);
        return 0;
    }
    int zi = zone_of(p, r.qname);
    if (zi < 0 || (r.qclass != SK_DNS_IN && r.qclass != SK_DNS_ANY)) {
        reply_init(w, &r, SK_DNS_REFUSED, 0);
        echo_question(w, &r);
        return 0;
    }
    if ((r.qtype == SK_DNS_AXFR || r.qtype == SK_DNS_IXFR) && tcp_fd >= 0)
        return transfer(p, st, tcp_fd, &r, zi) < 0 ? -SK_EIO : 0;
    int64_t serial = 0;
    read_serial(st, zi, &serial);
    reply_init(w, &r, SK_DNS_NOERROR, 1);
    echo_question(w, &r);
    if (r.qtype == SK_DNS_SOA || r.qtype == SK_DNS_IXFR) {
        /* IXFR over UDP: the SOA alone tells the client to come by TCP */
        sk__dnsw_soa(w, p->zone[zi], (uint32_t)serial, p->ttl);
        sk__dnsw_count(w, 1, 1);
    } else if (r.qtype == SK_DNS_NS) {
        size_t m = sk__dnsw_rr_begin(w, NULL, p->zone[zi], SK_DNS_NS, SK_DNS_IN, p->ttl);
        sk__dnsw_name(w, "localhost");
        sk__dnsw_rdata_end(w, m);
        sk__dnsw_count(w, 1, 1);
    } else if (r.qtype == SK_DNS_AXFR) {
        reply_init(w, &r, SK_DNS_REFUSED, 0); /* AXFR only over TCP */
        echo_question(w, &r);
    } else {
        sk__dnsw_soa(w, p->zone[zi], (uint32_t)serial, p->ttl);
        sk__dnsw_count(w, 2, 1);
    }
    return w->err;
}

struct tcp_job {
    struct sk_rpz_primary *p;
    int fd;
    struct sockaddr_storage from;
};

static void *tcp_thread(void *arg)
{
    struct tcp_job *j = arg;
    struct sk_store *st = NULL;
    struct sk_dnsw *w = malloc(sizeof *w);
    uint8_t *msg = malloc(65535);
    struct timeval tv = {.tv_sec = 10};

    setsockopt(j->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(j->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (w && msg && sk_store_open(&st, j->p->db_path, NULL) == 0) {
        /* several requests may come on one connection */
        for (;;) {
            uint8_t hdr[2];
            if (recv(j->fd, hdr, 2, MSG_WAITALL) != 2)
                break;
            size_t n = (size_t)hdr[0] << 8 | hdr[1];
            if (n < 12 || recv(j->fd, msg, n, MSG_WAITALL) != (ssize_t)n)
                break;
            if (handle(j->p, st, msg, n, (struct sockaddr *)&j->from, j->fd, w) < 0)
                break;
            if (w->len && send_tcp(j->fd, w->buf, w->len) < 0)
                break;
        }
    }
    sk_store_close(st);
    close(j->fd);
    atomic_fetch_sub(&j->p->tcp_busy, 1);
    free(w);
    free(msg);
    free(j);
    return NULL;
}

static void *loop(void *arg)
{
    struct sk_rpz_primary *p = arg;
    struct pollfd pfd[MAX_LISTEN * 2 + 1];
    struct sk_dnsw *w = malloc(sizeof *w);
    uint8_t msg[4096];

    if (!w)
        return NULL;
    for (int i = 0; i < p->nfds; i++)
        pfd[i] = (struct pollfd){.fd = p->fds[i], .events = POLLIN};
    pfd[p->nfds] = (struct pollfd){.fd = p->wake[0], .events = POLLIN};
    for (;;) {
        if (poll(pfd, (nfds_t)p->nfds + 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pfd[p->nfds].revents)
            break;
        for (int i = 0; i < p->nfds; i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            struct sockaddr_storage from;
            socklen_t fl = sizeof from;
            if (p->is_tcp[i]) {
                int c = accept4(p->fds[i], (struct sockaddr *)&from, &fl, SOCK_CLOEXEC);
                if (c < 0)
                    continue;
                struct tcp_job *j = calloc(1, sizeof *j);
                pthread_t t;
                if (!j || atomic_fetch_add(&p->tcp_busy, 1) >= MAX_TCP) {
                    if (j)
                        atomic_fetch_sub(&p->tcp_busy, 1);
                    free(j);
                    close(c);
                    continue;
                }
                j->p = p;
                j->fd = c;
                j->from = from;
                if (pthread_create(&t, NULL, tcp_thread, j) != 0) {
                    atomic_fetch_sub(&p->tcp_busy, 1);
                    close(c);
                    free(j);
                    continue;
                }
                pthread_detach(t);
            } else {
                ssize_t n = recvfrom(p->fds[i], msg, sizeof msg, 0, (struct sockaddr *)&from, &fl);
                if (n < 12)
                    continue;
                if (handle(p, p->st, msg, (size_t)n, (struct sockaddr *)&from, -1, w) == 0 &&
                    w->len) {
                    /* truncate to the classic 512 bytes a UDP client expects */
                    sendto(p->fds[i], w->buf, w->len, 0, (struct sockaddr *)&from, fl);
                }
            }
        }
    }
    free(w);
    return NULL;
}

static int open_sock(const struct sockaddr_storage *ss, socklen_t len, int type, int *out,
                     struct sk_errinfo *ei, const char *spec)
{
    int one = 1, fd = socket(ss->ss_family, type | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return sk_fail(ei, -errno, "rpz primary: socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss->ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)ss, len) < 0 ||
        (type == SOCK_STREAM && listen(fd, 64) < 0)) {
        int e = errno;
        close(fd);
        return sk_fail(ei, -e, "rpz primary: %s (%s): %s", spec,
                       type == SOCK_STREAM ? "tcp" : "udp", strerror(e));
    }
    *out = fd;
    return 0;
}

int sk_rpz_primary_start(const struct sk_conf *conf, const char *db_path,
                         struct sk_rpz_primary **out, struct sk_errinfo *ei)
{
    const struct sk_conf_act_rpz *c = &conf->act.rpz;
    struct sk_rpz_primary *p;
    int rc = 0;

    *out = NULL;
    if (c->primary_listen.n == 0)
        return sk_fail(ei, -SK_ECONF, "act.rpz.primary.listen is empty: nothing to serve");
    if (c->primary_listen.n > MAX_LISTEN)
        return sk_fail(ei, -SK_ECONF, "act.rpz.primary.listen: at most %d endpoints", MAX_LISTEN);
    if (!(p = calloc(1, sizeof *p)))
        return -SK_ENOMEM;
    p->wake[0] = p->wake[1] = -1;
    snprintf(p->zone[0], sizeof p->zone[0], "%s", c->zone_allow);
    snprintf(p->zone[1], sizeof p->zone[1], "%s", c->zone_delta);
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(p->zone[i]);
        if (n && p->zone[i][n - 1] == '.')
            p->zone[i][n - 1] = '\0';
    }
    p->ttl = (uint32_t)(c->ttl / SK_NS_PER_SEC);
    p->allow_v = malloc((c->primary_allow.n + 1) * sizeof *p->allow_v);
    p->db_path = strdup(db_path);
    if (!p->allow_v || !p->db_path) {
        rc = -SK_ENOMEM;
        goto fail;
    }
    if (c->primary_allow.n)
        memcpy(p->allow_v, c->primary_allow.v, c->primary_allow.n * sizeof *p->allow_v);
    p->allow.v = p->allow_v;
    p->allow.n = c->primary_allow.n;
    for (size_t i = 0; i < c->primary_listen.n; i++) {
        struct sockaddr_storage ss;
        socklen_t len;
        if (sk__hostport_parse(c->primary_listen.v[i], 53, &ss, &len) < 0) {
            rc = sk_fail(ei, -SK_ECONF, "act.rpz.primary.listen: '%s' is not ADDR@PORT",
                         c->primary_listen.v[i]);
            goto fail;
        }
        if ((rc = open_sock(&ss, len, SOCK_DGRAM, &p->fds[p->nfds], ei,
                            c->primary_listen.v[i])) < 0)
            goto fail;
        p->is_tcp[p->nfds++] = 0;
        if ((rc = open_sock(&ss, len, SOCK_STREAM, &p->fds[p->nfds], ei,
                            c->primary_listen.v[i])) < 0)
            goto fail;
        p->is_tcp[p->nfds++] = 1;
    }
    if ((rc = sk_store_open(&p->st, db_path, ei)) < 0)
        goto fail;
    if (pipe2(p->wake, O_CLOEXEC) < 0) {
        rc = -errno;
        goto fail;
    }
    if (pthread_create(&p->loop, NULL, loop, p) != 0) {
        rc = sk_fail(ei, -SK_ENOMEM, "rpz primary: cannot start its thread");
        goto fail;
    }
    p->running = 1;
    sk_info("act", "rpz primary: serving %s and %s on %zu endpoint(s)", p->zone[0], p->zone[1],
            c->primary_listen.n);
    *out = p;
    return 0;
fail:
    sk_rpz_primary_stop(p);
    return rc;
}

uint64_t sk_rpz_primary_requests(const struct sk_rpz_primary *p)
{
    return p ? (uint64_t)atomic_load(&((struct sk_rpz_primary *)p)->requests) : 0;
}

void sk_rpz_primary_stop(struct sk_rpz_primary *p)
{
    if (!p)
        return;
    if (p->running) {
        if (write(p->wake[1], "x", 1) < 0)
            (void)0;
        pthread_join(p->loop, NULL);
        /* let transfer threads finish: they hold the store path and p */
        for (int i = 0; i < 500 && atomic_load(&p->tcp_busy) > 0; i++)
            usleep(10000);
    }
    for (int i = 0; i < p->nfds; i++)
        close(p->fds[i]);
    for (int i = 0; i < 2; i++)
        if (p->wake[i] >= 0)
            close(p->wake[i]);
    sk_store_close(p->st);
    free(p->allow_v);
    free(p->db_path);
    free(p);
}
