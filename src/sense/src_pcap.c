/*
 * src_pcap.c — pcap and pcapng files (libpcap), through the packet pipeline.
 *
 * libpcap reads both formats, any link type it knows and nanosecond or
 * microsecond timestamps (asked for in nanoseconds). A corrupt or truncated
 * record stops the file with an error naming the byte offset where the
 * record starts: the rest of a file after a broken record header cannot be
 * trusted. Packets whose headers are broken are counted as malformed and
 * skipped; they never stop the source.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sakimori/conf-t.h"
#include "sakimori/error.h"
#include "sakimori/source.h"
#include "sense/pktproc.h"

struct src_pcap {
    struct sk_source base;
    pcap_t *pcap;
    int linktype;
};

static int pcap_probe(const char *path, const uint8_t *h, size_t len)
{
    static const uint8_t magics[][4] = {
        {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, /* µs */
        {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d}, /* ns */
        {0x0a, 0x0d, 0x0d, 0x0a},                           /* pcapng SHB */
    };
    if (len < 4)
        return 0;
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (memcmp(h, magics[i], 4) == 0)
            return 90;
    return 0;
}

static int pcap_src_open(struct sk_source **out, const char *path,
                         const struct sk_source_opts *opts, struct sk_errinfo *ei)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    struct src_pcap *s = calloc(1, sizeof *s);
    struct stat sb;
    int rc;

    if (!s)
        return -SK_ENOMEM;
    s->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!s->pcap) {
        rc = sk_fail(ei, errno == ENOENT ? -ENOENT : -SK_EPARSE,
                     "%s: byte 0: not a readable pcap or pcapng file (%s)", path, errbuf);
        free(s);
        return rc;
    }
    s->linktype = pcap_datalink(s->pcap);
    if (opts->bpf && *opts->bpf) {
        struct bpf_program prog;
        if (pcap_compile(s->pcap, &prog, opts->bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            rc = sk_fail(ei, -SK_EINVAL, "capture filter '%s': %s", opts->bpf,
                         pcap_geterr(s->pcap));
            pcap_close(s->pcap);
            free(s);
            return rc;
        }
        rc = pcap_setfilter(s->pcap, &prog);
        pcap_freecode(&prog);
        if (rc < 0) {
            rc = sk_fail(ei, -SK_EINVAL, "capture filter '%s': %s", opts->bpf,
                         pcap_geterr(s->pcap));
            pcap_close(s->pcap);
            free(s);
            return rc;
        }
    }
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0)
        s->base.stats.bytes_total = (uint64_t)sb.st_size;
    *out = &s->base;
    return 0;
}

static int pcap_src_run(struct sk_source *src, sk_event_fn emit, void *ctx)
{
    struct src_pcap *s = (struct src_pcap *)src;
    struct sk_pktproc *pp;
    struct pcap_pkthdr *h;
    const u_char *data;
    FILE *fp = pcap_file(s->pcap);
    long pos = fp ? ftell(fp) : -1;
    int rc, r;

    if ((rc = sk_pktproc_new(&pp, &src->opts, emit, ctx)) < 0)
        return rc;
    while ((r = pcap_next_ex(s->pcap, &h, &data)) == 1) {
        sk_nstime ts = (sk_nstime)h->ts.tv_sec * SK_NS_PER_SEC + (sk_nstime)h->ts.tv_usec;
        src->stats.records++;
        if ((rc = sk_pktproc_packet(pp, s->linktype, ts, data, h->caplen, h->len)) < 0)
            goto out;
        if (fp)
            src->stats.bytes = (uint64_t)(pos = ftell(fp));
    }
    if (r == PCAP_ERROR) {
        rc = sk_fail(&src->err, -SK_ETRUNC, "%s: byte %ld: packet record %llu: %s",
                     src->path, pos, (unsigned long long)src->stats.records + 1,
                     pcap_geterr(s->pcap));
        goto out;
    }
    rc = sk_pktproc_finish(pp);
out:
    sk_pktproc_source_stats(pp, &src->stats);
    sk_pktproc_free(pp);
    return rc;
}

static void pcap_src_close(struct sk_source *src)
{
    struct src_pcap *s = (struct src_pcap *)src;
    if (s->pcap)
        pcap_close(s->pcap);
    free(s);
}

const struct sk_source_ops sk__src_pcap = {
    .name = "pcap",
    .api = SK_SOURCE_API,
    .desc = "pcap and pcapng capture files (Ethernet, 802.1Q, Linux SLL, raw IP, tunnels)",
    .probe = pcap_probe,
    .open = pcap_src_open,
    .run = pcap_src_run,
    .close = pcap_src_close,
};
