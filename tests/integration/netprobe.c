/*
 * netprobe.c — the traffic the action tests send through their namespaces.
 *
 *   netprobe listen ADDR PORT        accept TCP connections forever, write "ok\n"
 *   netprobe connect ADDR PORT MS    exit 0 if a TCP connection is established
 *                                    and "ok" is read within MS milliseconds,
 *                                    1 otherwise
 *   netprobe send ADDR PORT TEXT     open TCP, send TEXT (\n becomes CRLF), read
 *                                    until EOF or 2 s; print the bytes received
 *   netprobe tls ADDR PORT SNI       open TCP, send a TLS 1.2/1.3 ClientHello
 *                                    naming SNI; print the bytes received
 *   netprobe udp ADDR PORT TEXT      send one UDP datagram
 *   netprobe freeport ADDR N         print N distinct ports free for both TCP
 *                                    and UDP on ADDR right now (the kernel's
 *                                    choice, so parallel tests do not collide)
 *
 * NETPROBE_SRC=ADDR binds the client side to ADDR first (a victim address
 * on loopback). Test-only; nothing here is installed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int addr_of(const char *host, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    long p = strtol(port, NULL, 10);

    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)p);
        *len = sizeof *v4;
        return AF_INET;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)p);
        *len = sizeof *v6;
        return AF_INET6;
    }
    fprintf(stderr, "netprobe: bad address %s\n", host);
    exit(2);
}

static int do_listen(const char *host, const char *port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fam = addr_of(host, port, &ss, &len), one = 1;
    int fd = socket(fam, SOCK_STREAM, 0);

    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fam == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
        perror("netprobe listen");
        return 1;
    }
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0)
            continue;
        if (write(c, "ok\n", 3) < 0)
            (void)0;
        close(c);
    }
}

static void bind_src(int fd)
{
    const char *src = getenv("NETPROBE_SRC");
    struct sockaddr_storage ss;
    socklen_t len;

    if (!src)
        return;
    addr_of(src, "0", &ss, &len);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        perror("netprobe: bind NETPROBE_SRC");
        exit(2);
    }
}

static int do_connect(const char *host, const char *port, const char *ms, const char *text,
                      size_t tlen)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fam = addr_of(host, port, &ss, &len);
    int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    bind_src(fd);
    int timeout = ms ? (int)strtol(ms, NULL, 10) : 2000;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    char buf[64];

    if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)
        return 1;
    if (poll(&p, 1, timeout) != 1)
        return 1;
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err)
        return 1;
    if (text && write(fd, text, tlen) < 0)
        return 1;
    p.events = POLLIN;
    if (poll(&p, 1, timeout) != 1) {
        if (text)
            printf("0\n");
        return text ? 0 : 1;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (text)
        printf("%zd\n", n < 0 ? 0 : n);
    return text ? 0 : (n >= 2 && memcmp(buf, "ok", 2) == 0 ? 0 : 1);
}

/* A ClientHello as TLS 1.3 clients send it, cut to what a parser needs:
 * one cipher suite, the server_name and supported_versions extensions. */
static size_t client_hello(uint8_t *b, const char *sni)
{
    size_t n = strlen(sni), o = 0, ext, hs;
    b[o++] = 22; b[o++] = 3; b[o++] = 1; o += 2; /* record; length below */
    hs = o;
    b[o++] = 1; o += 3;                          /* ClientHello; length below */
    b[o++] = 3; b[o++] = 3;                      /* legacy version 1.2 */
    for (int i = 0; i < 32; i++) b[o++] = (uint8_t)(i * 7);
    b[o++] = 0;                                  /* session id */
    b[o++] = 0; b[o++] = 2; b[o++] = 0x13; b[o++] = 0x01;
    b[o++] = 1; b[o++] = 0;                      /* compression: null */
    ext = o; o += 2;
    b[o++] = 0; b[o++] = 0;                      /* server_name */
    b[o++] = (uint8_t)((n + 5) >> 8); b[o++] = (uint8_t)(n + 5);
    b[o++] = (uint8_t)((n + 3) >> 8); b[o++] = (uint8_t)(n + 3);
    b[o++] = 0; b[o++] = (uint8_t)(n >> 8); b[o++] = (uint8_t)n;
    memcpy(b + o, sni, n); o += n;
    b[o++] = 0; b[o++] = 43; b[o++] = 0; b[o++] = 3; b[o++] = 2; b[o++] = 3; b[o++] = 4;
    b[ext] = (uint8_t)((o - ext - 2) >> 8); b[ext + 1] = (uint8_t)(o - ext - 2);
    b[hs + 1] = 0; b[hs + 2] = (uint8_t)((o - hs - 4) >> 8); b[hs + 3] = (uint8_t)(o - hs - 4);
    b[3] = (uint8_t)((o - 5) >> 8); b[4] = (uint8_t)(o - 5);
    return o;
}

static int do_udp(const char *host, const char *port, const char *text)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fam = addr_of(host, port, &ss, &len);
    int fd = socket(fam, SOCK_DGRAM, 0);
    bind_src(fd);

    return sendto(fd, text, strlen(text), 0, (struct sockaddr *)&ss, len) < 0;
}

static int do_freeport(const char *host, const char *count)
{
    long n = strtol(count, NULL, 10);
    int held[64], nh = 0;

    for (int tries = 0; n > 0 && tries < 200 && nh < 64; tries++) {
        struct sockaddr_storage ss;
        socklen_t len;
        int fam = addr_of(host, "0", &ss, &len);
        int t = socket(fam, SOCK_STREAM, 0), u = socket(fam, SOCK_DGRAM, 0);
        if (bind(t, (struct sockaddr *)&ss, len) < 0 || getsockname(t, (struct sockaddr *)&ss, &len) < 0 ||
            bind(u, (struct sockaddr *)&ss, len) < 0) {
            close(t);
            close(u);
            continue;
        }
        unsigned port = ntohs(fam == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                             : ((struct sockaddr_in6 *)&ss)->sin6_port);
        printf("%u\n", port);
        held[nh++] = t;
        held[nh++] = u;
        n--;
    }
    for (int i = 0; i < nh; i++)
        close(held[i]);
    return n > 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "freeport"))
        return do_freeport(argv[2], argv[3]);
    if (argc >= 4 && !strcmp(argv[1], "listen"))
        return do_listen(argv[2], argv[3]);
    if (argc >= 4 && !strcmp(argv[1], "connect"))
        return do_connect(argv[2], argv[3], argc > 4 ? argv[4] : NULL, NULL, 0);
    if (argc >= 5 && !strcmp(argv[1], "send")) {
        char buf[4096];
        size_t k = 0;
        for (const char *t = argv[4]; *t && k + 2 < sizeof buf; t++) {
            if (*t == '\n')
                buf[k++] = '\r';
            buf[k++] = *t;
        }
        return do_connect(argv[2], argv[3], "2000", buf, k);
    }
    if (argc >= 5 && !strcmp(argv[1], "tls")) {
        uint8_t hello[600];
        if (strlen(argv[4]) > 255)
            return 2;
        size_t n = client_hello(hello, argv[4]);
        return do_connect(argv[2], argv[3], "2000", (const char *)hello, n);
    }
    if (argc >= 5 && !strcmp(argv[1], "udp"))
        return do_udp(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: netprobe listen|connect|send|udp ADDR PORT [MS|TEXT]\n");
    return 2;
}
