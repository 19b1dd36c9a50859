/*
 * pcapw.c — classic pcap writer, nanosecond variant.
 *
 * File header (24 bytes): magic a1b23c4d (ns), version 2.4, thiszone 0,
 * sigfigs 0, snaplen, linktype. Record header (16 bytes): seconds,
 * nanoseconds, captured length, original length. Written in host byte order
 * as the format allows; readers detect it from the magic.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/pcapw.h"

struct sk_pcapw {
    FILE *f;
    char *path, *tmp;
    int failed;
};

int sk_pcapw_open(struct sk_pcapw **out, const char *path, uint32_t linktype,
                  struct sk_errinfo *ei)
{
    struct sk_pcapw *w = calloc(1, sizeof *w);
    size_t n = strlen(path) + 5;
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t zone;
        uint32_t sigfigs, snaplen, linktype;
    } hdr = {0xa1b23c4d, 2, 4, 0, 0, 262144, linktype};

    if (!w || !(w->path = strdup(path)) || !(w->tmp = malloc(n))) {
        if (w)
            free(w->path);
        free(w);
        return -SK_ENOMEM;
    }
    snprintf(w->tmp, n, "%s.tmp", path);
    if (!(w->f = fopen(w->tmp, "wb"))) {
        int rc = sk_fail(ei, -errno, "%s: %s", w->tmp, strerror(errno));
        free(w->tmp);
        free(w->path);
        free(w);
        return rc;
    }
    if (fwrite(&hdr, sizeof hdr, 1, w->f) != 1)
        w->failed = 1;
    *out = w;
    return 0;
}

int sk_pcapw_write(struct sk_pcapw *w, sk_nstime ts, const uint8_t *data, uint32_t len)
{
    uint32_t rec[4] = {(uint32_t)(ts / SK_NS_PER_SEC), (uint32_t)(ts % SK_NS_PER_SEC), len, len};

    if (fwrite(rec, sizeof rec, 1, w->f) != 1 || fwrite(data, 1, len, w->f) != len) {
        w->failed = 1;
        return -SK_EIO;
    }
    return 0;
}

static void pcapw_free(struct sk_pcapw *w)
{
    free(w->tmp);
    free(w->path);
    free(w);
}

int sk_pcapw_close(struct sk_pcapw *w, struct sk_errinfo *ei)
{
    int rc = 0;

    if (fflush(w->f) != 0 || fsync(fileno(w->f)) != 0)
        w->failed = 1;
    if (fclose(w->f) != 0)
        w->failed = 1;
    if (w->failed)
        rc = sk_fail(ei, -SK_EIO, "%s: write failed", w->tmp);
    else if (rename(w->tmp, w->path) != 0)
        rc = sk_fail(ei, -errno, "%s: %s", w->path, strerror(errno));
    if (rc < 0)
        unlink(w->tmp);
    pcapw_free(w);
    return rc;
}

void sk_pcapw_abort(struct sk_pcapw *w)
{
    if (!w)
        return;
    fclose(w->f);
    unlink(w->tmp);
    pcapw_free(w);
}
