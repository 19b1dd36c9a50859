/*
 * src_pcap.c — pcap and pcapng files, through the packet pipeline.
 *
 * Two readers behind one source:
 *   - classic pcap files (the format every capture tool writes by default)
 *     are mapped into memory and walked record by record: no read() per
 *     packet, no copy, the kernel reads ahead (MADV_SEQUENTIAL), the pages
 *     ahead are mapped 8 MiB at a time (MADV_POPULATE_READ) and those behind
 *     released from the process every 32 MiB. Layout,
 *     in the byte order the magic number gives:
 *       file header  0/4 magic (a1b2c3d4 µs, a1b23c4d ns) 4/2 major 6/2 minor
 *                    8/4 zone 12/4 sigfigs 16/4 snaplen 20/4 link type
 *       record       0/4 seconds 4/4 µs or ns 8/4 captured length
 *                    12/4 length on the wire, then the captured bytes
 *     A capture filter (--bpf) runs with pcap_offline_filter() on each record.
 *   - everything else (pcapng, stdin, a file that cannot be mapped) goes
 *     through libpcap, which knows every format and link type.
 * A corrupt or truncated record stops the file with an error naming the byte
 * offset where the record starts: the rest of a file after a broken record
 * header cannot be trusted. Packets whose headers are broken are counted as
 * malformed and skipped; they never stop the source.
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sakimori/conf-t.h"
#include "sakimori/error.h"
#include "sakimori/source.h"
#include "sense/pktproc.h"

#define MAX_CAPLEN (256u << 10) /* libpcap's own bound on a record */
#define RELEASE_STEP (32u << 20)
#define POPULATE_STEP (8u << 20)
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

struct src_pcap {
    struct sk_source base;
    pcap_t *pcap;   /* libpcap reader, or a dead handle for the filter */
    int linktype;
    /* the mapped classic pcap file, when map != NULL */
    const uint8_t *map;
    size_t map_len;
    int swapped, nano;
    uint32_t snaplen;
    struct bpf_program filter;
    int has_filter;
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

static inline uint32_t rd32(const uint8_t *p, int swapped)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

/* Maps path if it is a classic pcap file; 0 on success, 1 if it is not one
 * (the caller falls back to libpcap), < 0 on a bad header. */
static int map_classic(struct src_pcap *s, const char *path, struct sk_errinfo *ei)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 1;
    uint32_t magic;

    if (fd < 0)
        return 1; /* libpcap reports the error */
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size < 24)
        goto out;
    void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED)
        goto out;
    memcpy(&magic, m, 4);
    switch (magic) {
    case 0xa1b2c3d4: s->swapped = 0; s->nano = 0; break;
    case 0xd4c3b2a1: s->swapped = 1; s->nano = 0; break;
    case 0xa1b23c4d: s->swapped = 0; s->nano = 1; break;
    case 0x4d3cb2a1: s->swapped = 1; s->nano = 1; break;
    default:
        munmap(m, (size_t)sb.st_size);
        goto out; /* pcapng or something libpcap may know */
    }
    s->map = m;
    s->map_len = (size_t)sb.st_size;
    s->snaplen = rd32(s->map + 16, s->swapped);
    s->linktype = (int)(rd32(s->map + 20, s->swapped) & 0x03ffffff);
    if (rd32(s->map + 4, s->swapped) == 0) { /* major version 0: not pcap */
        rc = sk_fail(ei, -SK_EPARSE, "%s: byte 4: not a readable pcap file (version 0)", path);
        goto out;
    }
    madvise(m, s->map_len, MADV_SEQUENTIAL);
    rc = 0;
out:
    close(fd);
    return rc;
}

static int set_filter(struct src_pcap *s, const char *bpf, struct sk_errinfo *ei)
{
    int rc;

    if (s->map) {
        /* a dead handle compiles for the file's link type */
        if (!(s->pcap = pcap_open_dead(s->linktype, (int)(s->snaplen ? s->snaplen : MAX_CAPLEN))))
            return -SK_ENOMEM;
    }
    if (pcap_compile(s->pcap, &s->filter, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0)
        return sk_fail(ei, -SK_EINVAL, "capture filter '%s': %s", bpf, pcap_geterr(s->pcap));
    s->has_filter = 1;
    if (!s->map && (rc = pcap_setfilter(s->pcap, &s->filter)) < 0)
        return sk_fail(ei, -SK_EINVAL, "capture filter '%s': %s", bpf, pcap_geterr(s->pcap));
    return 0;
}

static void pcap_src_close(struct sk_source *src)
{
    struct src_pcap *s = (struct src_pcap *)src;
    if (s->has_filter)
        pcap_freecode(&s->filter);
    if (s->pcap)
        pcap_close(s->pcap);
    if (s->map)
        munmap((void *)s->map, s->map_len);
    free(s);
}

static int pcap_src_open(struct sk_source **out, const char *path,
                         const struct sk_source_opts *opts, struct sk_errinfo *ei)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    struct src_pcap *s = calloc(1, sizeof *s);
    struct stat sb;
    int rc = 1;

    if (!s)
        return -SK_ENOMEM;
    if (strcmp(path, "-") != 0 && (rc = map_classic(s, path, ei)) < 0)
        goto fail;
    if (rc > 0) {
        s->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
        if (!s->pcap) {
            rc = sk_fail(ei, errno == ENOENT ? -ENOENT : -SK_EPARSE,
                         "%s: byte 0: not a readable pcap or pcapng file (%s)", path, errbuf);
            goto fail;
        }
        s->linktype = pcap_datalink(s->pcap);
    }
    if (opts->bpf && *opts->bpf && (rc = set_filter(s, opts->bpf, ei)) < 0)
        goto fail;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0)
        s->base.stats.bytes_total = (uint64_t)sb.st_size;
    *out = &s->base;
    return 0;
fail:
    pcap_src_close(&s->base);
    return rc;
}

static int run_mapped(struct src_pcap *s, struct sk_pktproc *pp)
{
    struct sk_source *src = &s->base;
    const uint8_t *m = s->map;
    size_t off = 24, len = s->map_len, dropped = 0, populated = 0, nb = 0;
    struct sk_pktproc_in batch[SK_PKTPROC_BATCH];
    int populate = 1;
    uint32_t frac_ns = s->nano ? 1 : (uint32_t)SK_NS_PER_US;
    int rc;

    while (off < len) {
        /* map the next pages in one call rather than one fault per 16
         * pages (Linux 5.14+; older kernels just take the faults) */
        if (populate && off + POPULATE_STEP / 2 > populated && populated < len) {
            size_t upto = populated + POPULATE_STEP < len ? populated + POPULATE_STEP : len;
            if (madvise((void *)(m + populated), upto - populated, MADV_POPULATE_READ) < 0)
                populate = 0;
            populated = upto;
        }
        if (len - off < 16)
            return sk_fail(&src->err, -SK_ETRUNC,
                           "%s: byte %zu: packet record %llu: truncated dump file; "
                           "%zu bytes left of a 16-byte record header",
                           src->path, off, (unsigned long long)src->stats.records + 1, len - off);
        const uint8_t *h = m + off;
        uint32_t caplen = rd32(h + 8, s->swapped), wirelen = rd32(h + 12, s->swapped);
        if (caplen > MAX_CAPLEN && caplen > s->snaplen)
            return sk_fail(&src->err, -SK_EPARSE,
                           "%s: byte %zu: packet record %llu: captured length %u is larger "
                           "than the file's snapshot length %u",
                           src->path, off, (unsigned long long)src->stats.records + 1, caplen,
                           s->snaplen);
        if (len - off - 16 < caplen)
            return sk_fail(&src->err, -SK_ETRUNC,
                           "%s: byte %zu: packet record %llu: truncated dump file; "
                           "%u bytes of packet data expected, %zu left",
                           src->path, off, (unsigned long long)src->stats.records + 1, caplen,
                           len - off - 16);
        sk_nstime ts = (sk_nstime)rd32(h, s->swapped) * SK_NS_PER_SEC +
                       (sk_nstime)rd32(h + 4, s->swapped) * frac_ns;
        const uint8_t *data = h + 16;
        off += 16 + (size_t)caplen;
        /* the next record's header and first bytes: a page boundary stops
         * the hardware prefetcher, this does not */
        __builtin_prefetch(m + off);
        __builtin_prefetch(m + off + 64);
        src->stats.records++;
        if (s->has_filter) {
            struct pcap_pkthdr ph = {.caplen = caplen, .len = wirelen};
            if (!pcap_offline_filter(&s->filter, &ph, data)) {
                src->stats.skipped++;
                continue;
            }
        }
        batch[nb++] = (struct sk_pktproc_in){ts, data, caplen, wirelen};
        if (nb == SK_PKTPROC_BATCH) {
            if ((rc = sk_pktproc_batch(pp, s->linktype, batch, nb)) < 0)
                return rc;
            nb = 0;
        }
        if ((src->stats.records & 0x3ff) == 0) {
            src->stats.bytes = off;
            /* pages already read need not stay in this process: keeps its
             * resident size to what it really holds (they stay cached) */
            if (off - dropped >= 2 * RELEASE_STEP) {
                /* a step behind: the batch still points at recent records
                 * (they would only be read again from the page cache) */
                size_t upto = (off - RELEASE_STEP) & ~(size_t)(RELEASE_STEP - 1);
                madvise((void *)(m + dropped), upto - dropped, MADV_DONTNEED);
                dropped = upto;
            }
        }
    }
    src->stats.bytes = off;
    return nb ? sk_pktproc_batch(pp, s->linktype, batch, nb) : 0;
}

static int run_libpcap(struct src_pcap *s, struct sk_pktproc *pp)
{
    struct sk_source *src = &s->base;
    struct pcap_pkthdr *h;
    const u_char *data;
    FILE *fp = pcap_file(s->pcap);
    long pos = fp ? ftell(fp) : -1;
    int rc, r;

    while ((r = pcap_next_ex(s->pcap, &h, &data)) == 1) {
        sk_nstime ts = (sk_nstime)h->ts.tv_sec * SK_NS_PER_SEC + (sk_nstime)h->ts.tv_usec;
        src->stats.records++;
        if ((rc = sk_pktproc_packet(pp, s->linktype, ts, data, h->caplen, h->len)) < 0)
            return rc;
        /* where the next record starts, for errors and progress; ftell is a
         * system call, so not for every packet */
        if (fp && (src->stats.records & 0xff) == 0)
            src->stats.bytes = (uint64_t)(pos = ftell(fp));
    }
    if (r == PCAP_ERROR) {
        if (fp)
            pos = ftell(fp);
        return sk_fail(&src->err, -SK_ETRUNC, "%s: byte %ld: packet record %llu: %s",
                       src->path, pos, (unsigned long long)src->stats.records + 1,
                       pcap_geterr(s->pcap));
    }
    if (fp)
        src->stats.bytes = (uint64_t)ftell(fp);
    return 0;
}

static int pcap_src_run(struct sk_source *src, sk_event_fn emit, void *ctx)
{
    struct src_pcap *s = (struct src_pcap *)src;
    struct sk_pktproc *pp;
    int rc;

    if ((rc = sk_pktproc_new(&pp, &src->opts, emit, ctx)) < 0)
        return rc;
    rc = s->map ? run_mapped(s, pp) : run_libpcap(s, pp);
    if (rc >= 0)
        rc = sk_pktproc_finish(pp);
    {
        uint64_t filtered = src->stats.skipped;
        sk_pktproc_source_stats(pp, &src->stats);
        src->stats.skipped += filtered;
    }
    sk_pktproc_free(pp);
    return rc;
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
