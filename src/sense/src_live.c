/*
 * src_live.c — live capture from a network interface (libpcap), through the
 * packet pipeline.
 *
 * The input is an interface name (`sakimori collect -f live eth0`). The
 * capture is promiscuous, takes whole packets, asks the kernel for a 64 MiB
 * ring and nanosecond timestamps, and applies the BPF filter (--bpf) in
 * the kernel. The handle is non-blocking and the loop waits in poll() for
 * at most 100 ms (libpcap's own timeout does not return on Linux when no
 * packet comes), so it honours opts->stop (SIGINT/SIGTERM, --for) and
 * opts->idle_stop promptly, and ages idle flows by the wall clock even
 * when nothing arrives.
 * Packets the kernel dropped (ring full) are added to stats.dropped at the
 * end, so a sensor that cannot keep up says so.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/error.h"
#include "sakimori/log.h"
#include "sakimori/source.h"
#include "sense/pktproc.h"

#define LIVE_SNAPLEN 262144
#define LIVE_BUFFER (64 << 20)
#define LIVE_TIMEOUT_MS 100

struct src_live {
    struct sk_source base;
    pcap_t *pcap;
    int linktype;
    int nano;
    struct sk_pktproc *pp;
    int rc; /* a stop asked for by emit, from inside the callback */
};

static int live_probe(const char *path, const uint8_t *head, size_t len)
{
    return 0; /* only by name: -f live IFACE */
}

static int live_open(struct sk_source **out, const char *path, const struct sk_source_opts *opts,
                     struct sk_errinfo *ei)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    struct src_live *s = calloc(1, sizeof *s);
    int rc;

    if (!s)
        return -SK_ENOMEM;
    if (!(s->pcap = pcap_create(path, errbuf))) {
        rc = sk_fail(ei, -SK_EINVAL, "%s: cannot capture: %s", path, errbuf);
        goto fail;
    }
    pcap_set_snaplen(s->pcap, LIVE_SNAPLEN);
    pcap_set_promisc(s->pcap, 1);
    pcap_set_timeout(s->pcap, LIVE_TIMEOUT_MS);
    pcap_set_buffer_size(s->pcap, LIVE_BUFFER);
    s->nano = pcap_set_tstamp_precision(s->pcap, PCAP_TSTAMP_PRECISION_NANO) == 0;
    rc = pcap_activate(s->pcap);
    if (rc < 0) {
        rc = sk_fail(ei, rc == PCAP_ERROR_PERM_DENIED ? -SK_EDENIED : -SK_EINVAL,
                     "%s: cannot capture: %s", path, pcap_geterr(s->pcap));
        goto fail;
    }
    if (rc > 0)
        sk_warn("live", "%s: %s", path, pcap_geterr(s->pcap));
    s->nano = pcap_get_tstamp_precision(s->pcap) == PCAP_TSTAMP_PRECISION_NANO;
    if (pcap_setnonblock(s->pcap, 1, errbuf) < 0 || pcap_get_selectable_fd(s->pcap) < 0) {
        rc = sk_fail(ei, -SK_EUNSUP, "%s: cannot capture without blocking: %s", path, errbuf);
        goto fail;
    }
    s->linktype = pcap_datalink(s->pcap);
    if (opts->bpf && *opts->bpf) {
        struct bpf_program prog;
        bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
        if (pcap_lookupnet(path, &net, &mask, errbuf) < 0)
            mask = PCAP_NETMASK_UNKNOWN;
        if (pcap_compile(s->pcap, &prog, opts->bpf, 1, mask) < 0) {
            rc = sk_fail(ei, -SK_EINVAL, "capture filter '%s': %s", opts->bpf,
                         pcap_geterr(s->pcap));
            goto fail;
        }
        rc = pcap_setfilter(s->pcap, &prog);
        pcap_freecode(&prog);
        if (rc < 0) {
            rc = sk_fail(ei, -SK_EINVAL, "capture filter '%s': %s", opts->bpf,
                         pcap_geterr(s->pcap));
            goto fail;
        }
    }
    *out = &s->base;
    return 0;
fail:
    if (s->pcap)
        pcap_close(s->pcap);
    free(s);
    return rc;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
    struct src_live *s = (struct src_live *)user;
    sk_nstime ts = (sk_nstime)h->ts.tv_sec * SK_NS_PER_SEC +
                   (sk_nstime)h->ts.tv_usec * (s->nano ? 1 : SK_NS_PER_US);
    int rc;

    s->base.stats.records++;
    s->base.stats.bytes += h->caplen;
    if ((rc = sk_pktproc_packet(s->pp, s->linktype, ts, data, h->caplen, h->len)) < 0) {
        s->rc = rc;
        pcap_breakloop(s->pcap);
    }
}

static int live_run(struct sk_source *src, sk_event_fn emit, void *ctx)
{
    struct src_live *s = (struct src_live *)src;
    sk_nstime last_input = sk_monotonic(), last_tick = 0;
    int rc, n;

    if ((rc = sk_pktproc_new(&s->pp, &src->opts, emit, ctx)) < 0)
        return rc;
    for (;;) {
        if (src->opts.stop && *src->opts.stop)
            break;
        n = pcap_dispatch(s->pcap, 1024, on_packet, (u_char *)s);
        if (s->rc < 0) {
            rc = s->rc;
            goto out;
        }
        if (n == PCAP_ERROR_BREAK)
            break;
        if (n < 0) {
            rc = sk_fail(&src->err, -SK_EIO, "%s: capture failed: %s", src->path,
                         pcap_geterr(s->pcap));
            goto out;
        }
        if (n == 0) {
            struct pollfd pfd = {.fd = pcap_get_selectable_fd(s->pcap), .events = POLLIN};
            if (poll(&pfd, 1, LIVE_TIMEOUT_MS) < 0 && errno != EINTR) {
                rc = sk_fail(&src->err, -errno, "%s: poll: %s", src->path, strerror(errno));
                goto out;
            }
        }
        sk_nstime mono = sk_monotonic();
        if (n > 0)
            last_input = mono;
        else if (src->opts.idle_stop && mono - last_input >= src->opts.idle_stop)
            break;
        if (mono - last_tick >= SK_NS_PER_SEC) { /* flows idle by the wall clock */
            last_tick = mono;
            if ((rc = sk_pktproc_tick(s->pp, sk_now())) < 0)
                goto out;
        }
    }
    rc = sk_pktproc_finish(s->pp);
out:
    sk_pktproc_source_stats(s->pp, &src->stats);
    {
        struct pcap_stat ps;
        if (pcap_stats(s->pcap, &ps) == 0)
            src->stats.dropped += ps.ps_drop + ps.ps_ifdrop;
    }
    sk_pktproc_free(s->pp);
    s->pp = NULL;
    return rc;
}

static void live_close(struct sk_source *src)
{
    struct src_live *s = (struct src_live *)src;
    if (s->pcap)
        pcap_close(s->pcap);
    free(s);
}

const struct sk_source_ops sk__src_live = {
    .name = "live",
    .api = SK_SOURCE_API,
    .desc = "live capture from a network interface (libpcap, BPF filter)",
    .probe = live_probe,
    .open = live_open,
    .run = live_run,
    .close = live_close,
};
