/*
 * registry.c — every source, and choosing one for an input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/source.h"

extern const struct sk_source_ops sk__src_pcap;
extern const struct sk_source_ops sk__src_netflow;
extern const struct sk_source_ops sk__src_collect;
extern const struct sk_source_ops sk__src_eve;
extern const struct sk_source_ops sk__src_zeek;
extern const struct sk_source_ops sk__src_live;

static const struct sk_source_ops *const sources[] = {
    &sk__src_pcap,
    &sk__src_netflow,
    &sk__src_collect,
    &sk__src_eve,
    &sk__src_zeek,
    &sk__src_live,
    NULL,
};

const struct sk_source_ops *const *sk_source_all(void) { return sources; }

const struct sk_source_ops *sk_source_find(const char *name)
{
    for (size_t i = 0; sources[i]; i++)
        if (strcmp(sources[i]->name, name) == 0)
            return sources[i];
    return NULL;
}

int sk_source_open(struct sk_source **out, const char *name, const char *path,
                   const struct sk_source_opts *opts, struct sk_errinfo *ei)
{
    const struct sk_source_ops *ops = NULL;
    int rc;

    if (name) {
        if (!(ops = sk_source_find(name)))
            return sk_fail(ei, -SK_EINVAL, "unknown input format '%s'", name);
    } else {
        uint8_t head[512];
        size_t n = 0;
        FILE *f = strcmp(path, "-") == 0 ? NULL : fopen(path, "rb");
        if (!f && strcmp(path, "-") != 0)
            return sk_fail(ei, -errno, "%s: %s", path, strerror(errno));
        if (f) {
            n = fread(head, 1, sizeof head, f);
            fclose(f);
        }
        int best = 0;
        for (size_t i = 0; sources[i]; i++) {
            int score = sources[i]->probe ? sources[i]->probe(path, head, n) : 0;
            if (score > best) {
                best = score;
                ops = sources[i];
            }
        }
        if (!ops)
            return sk_fail(ei, -SK_EUNSUP,
                           "%s: byte 0: unrecognised input format (expected pcap/pcapng, NetFlow/IPFIX "
                           "in pcap, Suricata EVE JSON or a Zeek log%s)",
                           path, strcmp(path, "-") == 0 ? "; stdin needs --format" : "");
    }
    if ((rc = ops->open(out, path, opts, ei)) < 0)
        return rc;
    (*out)->ops = ops;
    (*out)->opts = *opts;
    if (!((*out)->path = strdup(path))) {
        sk_source_close(*out);
        return -SK_ENOMEM;
    }
    return 0;
}

void sk_source_close(struct sk_source *src)
{
    if (!src)
        return;
    free(src->path);
    src->ops->close(src);
}
