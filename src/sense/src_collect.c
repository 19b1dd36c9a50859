/*
 * src_collect.c — the NetFlow/IPFIX UDP collector ("netflow-udp").
 *
 * Input name: udp://HOST:PORT (IPv6 as udp://[::1]:2055; port 0 picks a
 * free one). One socket, a large receive buffer (netflow.socket_buffer,
 * forced past the system maximum when running as root), and recvmmsg()
 * batches of 64 datagrams, each handed to the decoder (netflow.c) as from
 * its sender's address. The kernel's count of datagrams dropped for a full
 * buffer (SO_RXQ_OVFL) is reported as `dropped`, so loss is never silent.
 *
 * The loop wakes at least every 100 ms to honour opts->stop and
 * opts->idle_stop (counted from the first datagram, so a collector started
 * before its exporters waits for them); it never ends on its own otherwise. Time is the
 * reception time (the wall clock), used only where a record carries none.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/conf-t.h"
#include "sakimori/error.h"
#include "sakimori/source.h"
#include "sense/netflow.h"

#define BATCH 64
#define SLOT 16384 /* datagram buffer: jumbo frames fit; larger is truncated */

struct src_collect {
    struct sk_source base;
    int fd;
    struct sk_nf *nf;
    int own_nf;
    struct sockaddr_storage bound;
    uint8_t *bufs;
};

static int collect_probe(const char *path, const uint8_t *h, size_t len)
{
    return strncmp(path, "udp://", 6) == 0 ? 100 : 0;
}

/* "udp://HOST:PORT", "HOST:PORT", "[V6]:PORT" → host and port strings. */
static int split_hostport(const char *s, char *host, size_t hlen, char *port, size_t plen)
{
    const char *colon;

    if (strncmp(s, "udp://", 6) == 0)
        s += 6;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= hlen)
            return -SK_EPARSE;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= hlen || strchr(s, ':') != colon)
            return -SK_EPARSE;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    if (!colon[1] || strlen(colon + 1) >= plen)
        return -SK_EPARSE;
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return -SK_EPARSE;
    snprintf(port, plen, "%s", colon + 1);
    return 0;
}

static int collect_open(struct sk_source **out, const char *path,
                        const struct sk_source_opts *opts, struct sk_errinfo *ei)
{
    char host[256], port[16];
    struct addrinfo hints, *res = NULL;
    struct src_collect *s;
    int rc, one = 1;

    if (split_hostport(path, host, sizeof host, port, sizeof port) < 0 ||
        strtoul(port, NULL, 10) > 65535)
        return sk_fail(ei, -SK_EINVAL,
                       "%s: expected udp://HOST:PORT (IPv6 as udp://[::1]:2055)", path);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if ((rc = getaddrinfo(*host ? host : NULL, port, &hints, &res)) != 0)
        return sk_fail(ei, -SK_EINVAL, "%s: %s", path, gai_strerror(rc));
    if (!(s = calloc(1, sizeof *s))) {
        freeaddrinfo(res);
        return -SK_ENOMEM;
    }
    s->fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        rc = sk_fail(ei, -errno, "%s: socket: %s", path, strerror(errno));
        goto fail;
    }
    int bufsize = (int)(opts->conf->netflow.socket_buffer > (1u << 30)
                            ? 1u << 30 : opts->conf->netflow.socket_buffer);
    if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsize, sizeof bufsize) < 0)
        setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
    setsockopt(s->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s->fd, res->ai_addr, res->ai_addrlen) < 0) {
        rc = sk_fail(ei, -errno, "%s: bind: %s", path, strerror(errno));
        goto fail;
    }
    socklen_t sl = sizeof s->bound;
    getsockname(s->fd, (struct sockaddr *)&s->bound, &sl);
    if (!(s->bufs = malloc((size_t)BATCH * SLOT))) {
        rc = -SK_ENOMEM;
        goto fail;
    }
    freeaddrinfo(res);
    *out = &s->base;
    return 0;
fail:
    freeaddrinfo(res);
    if (s->fd >= 0)
        close(s->fd);
    free(s);
    return rc;
}

static void from_sockaddr(const struct sockaddr_storage *ss, struct sk_addr *a)
{
    memset(a, 0, sizeof *a);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        sk_addr_from_v4_bytes(a, (const uint8_t *)&in->sin_addr);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        sk_addr_from_v6_bytes(a, in6->sin6_addr.s6_addr);
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            a->family = SK_AF_INET;
    }
}

static int collect_run(struct sk_source *src, sk_event_fn emit, void *ctx)
{
    struct src_collect *s = (struct src_collect *)src;
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    struct sockaddr_storage from[BATCH];
    union {
        char buf[CMSG_SPACE(sizeof(uint32_t))];
        struct cmsghdr align;
    } ctl[BATCH];
    uint32_t ovfl_last = 0;
    int have_ovfl = 0, rc;
    sk_nstime last_input = 0; /* idle_stop counts from the first datagram */
    struct sk_nf_stats st;

    if ((rc = sk__nf_for_source(&src->opts, emit, ctx, &s->nf, &s->own_nf)) < 0)
        return rc;
    struct sk_nf_stats at_open;
    sk_nf_stats(s->nf, &at_open);
    for (;;) {
        if (src->opts.stop && *src->opts.stop)
            break;
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 100);
        if (pr < 0 && errno != EINTR) {
            rc = sk_fail(&src->err, -errno, "%s: poll: %s", src->path, strerror(errno));
            goto out;
        }
        if (pr <= 0) {
            if (src->opts.idle_stop && last_input &&
                sk_monotonic() - last_input >= src->opts.idle_stop)
                break;
            continue;
        }
        for (int i = 0; i < BATCH; i++) {
            iov[i].iov_base = s->bufs + (size_t)i * SLOT;
            iov[i].iov_len = SLOT;
            memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
            msgs[i].msg_hdr.msg_control = ctl[i].buf;
            msgs[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
        }
        int n = recvmmsg(s->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            rc = sk_fail(&src->err, -errno, "%s: recvmmsg: %s", src->path, strerror(errno));
            goto out;
        }
        sk_nstime now = sk_now();
        last_input = sk_monotonic();
        for (int i = 0; i < n; i++) {
            struct msghdr *mh = &msgs[i].msg_hdr;
            for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
                    uint32_t v;
                    memcpy(&v, CMSG_DATA(cm), sizeof v);
                    have_ovfl = 1;
                    ovfl_last = v;
                }
            }
            src->stats.records++;
            src->stats.bytes += msgs[i].msg_len;
            if (mh->msg_flags & MSG_TRUNC) {
                src->stats.malformed++;
                continue;
            }
            struct sk_addr a;
            from_sockaddr(&from[i], &a);
            if ((rc = sk_nf_datagram(s->nf, &a, now, iov[i].iov_base, msgs[i].msg_len)) < 0)
                goto out;
        }
    }
    rc = 0;
    if (s->own_nf)
        sk_nf_finish(s->nf);
out:
    sk_nf_stats(s->nf, &st);
    src->stats.events = st.flows - at_open.flows;
    src->stats.malformed += st.malformed - at_open.malformed;
    src->stats.skipped = (st.keyless - at_open.keyless) + (st.no_template - at_open.no_template) +
                         (st.pending_now > at_open.pending_now ? st.pending_now - at_open.pending_now : 0);
    /* the kernel's counter runs from the socket's creation */
    src->stats.dropped = (st.evicted - at_open.evicted) + (have_ovfl ? ovfl_last : 0);
    return rc;
}

static void collect_close(struct sk_source *src)
{
    struct src_collect *s = (struct src_collect *)src;
    if (s->fd >= 0)
        close(s->fd);
    if (s->own_nf)
        sk_nf_free(s->nf);
    free(s->bufs);
    free(s);
}

int sk__collect_bound(const struct sk_source *src, char *buf, size_t len)
{
    const struct src_collect *s = (const struct src_collect *)src;
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;

    if (src->ops->close != collect_close)
        return -SK_EINVAL;
    if (s->bound.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&s->bound;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        snprintf(buf, len, "%s:%u", host, port);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&s->bound;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
        snprintf(buf, len, "[%s]:%u", host, port);
    }
    return (int)port;
}

const struct sk_source_ops sk__src_collect = {
    .name = "netflow-udp",
    .api = SK_SOURCE_API,
    .desc = "NetFlow v5/v9 and IPFIX received over UDP (udp://HOST:PORT)",
    .probe = collect_probe,
    .open = collect_open,
    .run = collect_run,
    .close = collect_close,
};
