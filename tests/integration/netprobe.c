/*
 * netprobe.c — the traffic the action tests send through their namespaces.
 *
 *   netprobe listen ADDR PORT        accept TCP connections forever, write "ok\n"
 *   netprobe connect ADDR PORT MS    exit 0 if a TCP connection is established
 *                                    and "ok" is read within MS milliseconds,
 *                                    1 otherwise
 *   netprobe send ADDR PORT TEXT     open TCP, send TEXT, read until EOF or 2 s
 *   netprobe udp ADDR PORT TEXT      send one UDP datagram
 *   netprobe freeport ADDR N         print N distinct ports free for both TCP
 *                                    and UDP on ADDR right now (the kernel's
 *                                    choice, so parallel tests do not collide)
 *
 * Test-only; nothing here is installed.
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

static int do_connect(const char *host, const char *port, const char *ms, const char *text)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fam = addr_of(host, port, &ss, &len);
    int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
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
    if (text && write(fd, text, strlen(text)) < 0)
        return 1;
    p.events = POLLIN;
    if (poll(&p, 1, timeout) != 1)
        return text ? 0 : 1;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    return text ? 0 : (n >= 2 && memcmp(buf, "ok", 2) == 0 ? 0 : 1);
}

static int do_udp(const char *host, const char *port, const char *text)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fam = addr_of(host, port, &ss, &len);
    int fd = socket(fam, SOCK_DGRAM, 0);

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
        return do_connect(argv[2], argv[3], argc > 4 ? argv[4] : NULL, NULL);
    if (argc >= 5 && !strcmp(argv[1], "send"))
        return do_connect(argv[2], argv[3], "2000", argv[4]);
    if (argc >= 5 && !strcmp(argv[1], "udp"))
        return do_udp(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: netprobe listen|connect|send|udp ADDR PORT [MS|TEXT]\n");
    return 2;
}
