/*
 * sinkhole.c — the listener at the sinkhole address: it records who
 * connects to a sinkholed name — the infected victims — and nothing else.
 *
 * When the rpz action sinkholes a C2 name, infected hosts resolve it to the
 * sinkhole and connect here instead of to their C2. For each connection (TCP)
 * or datagram (UDP) on act.sinkhole.listen we record: time, victim address
 * and port, the local address and port, and the name the victim meant when
 * its first bytes tell it (HTTP Host, TLS SNI, a DNS query name). We send
 * nothing back and close: the sinkhole neither serves nor probes anyone.
 *
 * One thread, one poll loop: listeners plus at most act.sinkhole.max_clients
 * connections, each read for at most 4 KiB or act.sinkhole.read_timeout,
 * whichever comes first. Hits are batched into the store (one transaction
 * per 256 hits or 200 ms). Victim addresses are personal data: the table
 * carries a timestamp for the retention purge, and the notification step
 * (notify.c) is the only consumer.
 */
#include <arpa/inet.h>
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
#include <sys/socket.h>
#include <unistd.h>

#include "act/act-int.h"
#include "act/dnsmsg.h"
#include "act/sniff.h"
#include "sakimori/act.h"
#include "sakimori/conf-t.h"
#include "sakimori/log.h"

#define MAX_LISTEN 32
#define FIRST_BYTES 4096
#define BATCH 256

struct client {
    int fd;
    int listen_idx;
    struct sockaddr_storage peer, local;
    uint8_t buf[FIRST_BYTES];
    size_t len;
    sk_nstime since, deadline;
};

struct hit {
    sk_nstime ts;
    char victim[INET6_ADDRSTRLEN], local[INET6_ADDRSTRLEN];
    uint16_t vport, lport;
    uint8_t proto;
    char name[256];
    const char *via;
};

struct sk_sinkhole {
    struct sk_store *st;
    int fds[MAX_LISTEN];
    int tcp[MAX_LISTEN];
    int nfds;
    struct client *clients;
    uint32_t max_clients, nclients;
    uint64_t timeout;
    int wake[2];
    pthread_t thread;
    int running;
    struct hit batch[BATCH];
    size_t nbatch;
    sk_nstime batch_since;
    atomic_uint_fast64_t hits;
};

static void addr_port(const struct sockaddr_storage *ss, char *addr, uint16_t *port)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &v4->sin_addr, addr, INET6_ADDRSTRLEN);
        *port = ntohs(v4->sin_port);
    } else {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &v6->sin6_addr, addr, INET6_ADDRSTRLEN);
        *port = ntohs(v6->sin6_port);
        if (!strncmp(addr, "::ffff:", 7) && strchr(addr, '.'))
            memmove(addr, addr + 7, strlen(addr + 7) + 1);
    }
}

static void flush(struct sk_sinkhole *s)
{
    static const char sql[] =
        "INSERT INTO act_sinkhole_hits (ts_ns, victim, victim_port, proto, local, local_port,"
        " name, via) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    sqlite3_stmt *st;
    int rc;

    if (!s->nbatch)
        return;
    if ((rc = sk_store_begin(s->st)) == 0 && (rc = sk_store_prepare(s->st, sql, &st)) == 0) {
        for (size_t i = 0; i < s->nbatch && rc == 0; i++) {
            struct hit *h = &s->batch[i];
            sqlite3_bind_int64(st, 1, (sqlite3_int64)h->ts);
            sqlite3_bind_text(st, 2, h->victim, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 3, h->vport);
            sqlite3_bind_int(st, 4, h->proto);
            sqlite3_bind_text(st, 5, h->local, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 6, h->lport);
            if (h->name[0])
                sqlite3_bind_text(st, 7, h->name, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(st, 7);
            sqlite3_bind_text(st, 8, h->via, -1, SQLITE_STATIC);
            rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -SK_ESTORE;
            sqlite3_reset(st);
        }
    }
    if (rc == 0)
        rc = sk_store_commit(s->st);
    if (rc < 0) {
        sk_store_rollback(s->st);
        sk_error("act", "sinkhole: %zu hits not recorded: %s", s->nbatch,
                 sk_store_errmsg(s->st));
    }
    atomic_fetch_add(&s->hits, s->nbatch);
    s->nbatch = 0;
}

static void record(struct sk_sinkhole *s, const struct sockaddr_storage *peer,
                   const struct sockaddr_storage *local, uint8_t proto, const char *name,
                   const char *via)
{
    struct hit *h = &s->batch[s->nbatch];

    if (s->nbatch == 0)
        s->batch_since = sk_monotonic();
    memset(h, 0, sizeof *h);
    h->ts = sk_now();
    addr_port(peer, h->victim, &h->vport);
    addr_port(local, h->local, &h->lport);
    h->proto = proto;
    snprintf(h->name, sizeof h->name, "%s", name ? name : "");
    h->via = via;
    if (++s->nbatch == BATCH)
        flush(s);
}

/* Looks at a client's bytes: records and returns 1 when done. */
static int examine(struct sk_sinkhole *s, struct client *c, int final)
{
    char name[256] = "";
    int h = SK_SNIFF_NO;
    const char *via = "http";

    if (c->len == 0) {
        if (!final)
            return 0;
        record(s, &c->peer, &c->local, 6, NULL, "tcp"); /* connected, said nothing */
        return 1;
    }
    h = sk__sniff_http_host(c->buf, c->len, name, sizeof name);
    if (h == SK_SNIFF_NO) {
        h = sk__sniff_tls_sni(c->buf, c->len, name, sizeof name);
        via = "tls";
    }
    if (h == SK_SNIFF_NO) {
        via = "tcp";
        h = c->len ? SK_SNIFF_NONAME : SK_SNIFF_MORE;
    }
    if (h == SK_SNIFF_MORE && !final && c->len < sizeof c->buf)
        return 0;
    record(s, &c->peer, &c->local, 6, h == SK_SNIFF_NAME ? name : NULL, via);
    return 1;
}

static void drop(struct sk_sinkhole *s, uint32_t i)
{
    close(s->clients[i].fd);
    s->clients[i] = s->clients[--s->nclients];
}

static void on_udp(struct sk_sinkhole *s, int fd)
{
    uint8_t buf[2048];
    struct sockaddr_storage peer, local;
    socklen_t pl = sizeof peer, ll = sizeof local;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &pl);
    struct sk_dnsr r;
    const char *name = NULL, *via = "udp";

    if (n < 0)
        return;
    getsockname(fd, (struct sockaddr *)&local, &ll);
    if (sk__dnsr_init(&r, buf, (size_t)n) == 0 && r.count[0] == 1 && !(r.flags & 0x8000) &&
        r.qname[0]) {
        name = r.qname;
        via = "dns";
    }
    record(s, &peer, &local, 17, name, via);
}

static void on_accept(struct sk_sinkhole *s, int li)
{
    struct sockaddr_storage peer;
    socklen_t pl = sizeof peer;
    int fd = accept4(s->fds[li], (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0)
        return;
    if (s->nclients >= s->max_clients) {
        /* full: still a victim; record it without waiting for its bytes */
        struct sockaddr_storage local;
        socklen_t ll = sizeof local;
        getsockname(fd, (struct sockaddr *)&local, &ll);
        record(s, &peer, &local, 6, NULL, "tcp");
        close(fd);
        return;
    }
    struct client *c = &s->clients[s->nclients++];
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->listen_idx = li;
    c->peer = peer;
    socklen_t ll = sizeof c->local;
    getsockname(fd, (struct sockaddr *)&c->local, &ll);
    c->since = sk_monotonic();
    c->deadline = c->since + s->timeout;
}

static void *loop(void *arg)
{
    struct sk_sinkhole *s = arg;
    size_t cap = (size_t)s->nfds + 1 + s->max_clients;
    struct pollfd *pfd = calloc(cap, sizeof *pfd);

    if (!pfd)
        return NULL;
    for (;;) {
        nfds_t n = 0;
        for (int i = 0; i < s->nfds; i++)
            pfd[n++] = (struct pollfd){.fd = s->fds[i], .events = POLLIN};
        pfd[n++] = (struct pollfd){.fd = s->wake[0], .events = POLLIN};
        for (uint32_t i = 0; i < s->nclients; i++)
            pfd[n++] = (struct pollfd){.fd = s->clients[i].fd, .events = POLLIN};
        int r = poll(pfd, n, s->nbatch ? 50 : 200);
        if (r < 0 && errno != EINTR)
            break;
        if (pfd[s->nfds].revents)
            break;
        /* clients first: the array may grow on accept below */
        sk_nstime now = sk_monotonic();
        for (uint32_t i = s->nclients; i-- > 0;) {
            struct client *c = &s->clients[i];
            struct pollfd *p = &pfd[s->nfds + 1 + i];
            int done = 0;
            if (p->revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t got = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
                if (got > 0) {
                    c->len += (size_t)got;
                    done = examine(s, c, 0);
                } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                    done = examine(s, c, 1);
                }
            }
            if (!done && now >= c->deadline)
                done = examine(s, c, 1);
            if (done)
                drop(s, i);
        }
        for (int i = 0; i < s->nfds; i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            if (s->tcp[i])
                on_accept(s, i);
            else
                on_udp(s, s->fds[i]);
        }
        if (s->nbatch && sk_monotonic() - s->batch_since > 200 * SK_NS_PER_MS)
            flush(s);
    }
    for (uint32_t i = s->nclients; i-- > 0;) {
        examine(s, &s->clients[i], 1);
        drop(s, i);
    }
    flush(s);
    free(pfd);
    return NULL;
}

/* "ADDR@PORT/tcp" or "/udp". */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len, int *tcp)
{
    char hp[128];
    const char *slash = strrchr(spec, '/');

    if (!slash || (strcmp(slash, "/tcp") && strcmp(slash, "/udp")) ||
        (size_t)(slash - spec) >= sizeof hp)
        return -SK_EPARSE;
    snprintf(hp, sizeof hp, "%.*s", (int)(slash - spec), spec);
    *tcp = !strcmp(slash, "/tcp");
    return sk__hostport_parse(hp, 0, ss, len) == 0 && ((struct sockaddr_in *)ss)->sin_port
               ? 0
               : -SK_EPARSE;
}

int sk_sinkhole_start(const struct sk_conf *conf, const char *db_path, struct sk_sinkhole **out,
                      struct sk_errinfo *ei)
{
    const struct sk_conf_act_sinkhole *c = &conf->act.sinkhole;
    struct sk_sinkhole *s;
    int rc = 0;

    *out = NULL;
    if (c->listen.n == 0 || c->listen.n > MAX_LISTEN)
        return sk_fail(ei, -SK_ECONF, "act.sinkhole.listen: 1 to %d endpoints", MAX_LISTEN);
    if (!(s = calloc(1, sizeof *s)))
        return -SK_ENOMEM;
    s->wake[0] = s->wake[1] = -1;
    s->max_clients = c->max_clients;
    s->timeout = c->read_timeout;
    if (!(s->clients = calloc(s->max_clients, sizeof *s->clients))) {
        rc = -SK_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < c->listen.n; i++) {
        struct sockaddr_storage ss;
        socklen_t len;
        int tcp, one = 1;
        if (parse_listen(c->listen.v[i], &ss, &len, &tcp) < 0) {
            rc = sk_fail(ei, -SK_ECONF, "act.sinkhole.listen: '%s' is not ADDR@PORT/tcp or "
                         "ADDR@PORT/udp", c->listen.v[i]);
            goto fail;
        }
        int fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            rc = sk_fail(ei, -errno, "sinkhole: socket: %s", strerror(errno));
            goto fail;
        }
        s->fds[s->nfds] = fd;
        s->tcp[s->nfds++] = tcp;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ss.ss_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&ss, len) < 0 || (tcp && listen(fd, 128) < 0)) {
            rc = sk_fail(ei, -errno, "sinkhole: %s: %s", c->listen.v[i], strerror(errno));
            goto fail;
        }
    }
    if ((rc = sk_store_open(&s->st, db_path, ei)) < 0)
        goto fail;
    if (pipe2(s->wake, O_CLOEXEC) < 0) {
        rc = -errno;
        goto fail;
    }
    if (pthread_create(&s->thread, NULL, loop, s) != 0) {
        rc = sk_fail(ei, -SK_ENOMEM, "sinkhole: cannot start its thread");
        goto fail;
    }
    s->running = 1;
    sk_info("act", "sinkhole: listening on %zu endpoint(s)", c->listen.n);
    *out = s;
    return 0;
fail:
    sk_sinkhole_stop(s);
    return rc;
}

uint64_t sk_sinkhole_hits(const struct sk_sinkhole *s)
{
    return s ? (uint64_t)atomic_load(&((struct sk_sinkhole *)s)->hits) : 0;
}

void sk_sinkhole_stop(struct sk_sinkhole *s)
{
    if (!s)
        return;
    if (s->running) {
        if (write(s->wake[1], "x", 1) < 0)
            (void)0;
        pthread_join(s->thread, NULL);
    }
    for (int i = 0; i < s->nfds; i++)
        close(s->fds[i]);
    for (int i = 0; i < 2; i++)
        if (s->wake[i] >= 0)
            close(s->wake[i]);
    sk_store_close(s->st);
    free(s->clients);
    free(s);
}
