/*
 * fuzz_feed.h — what the feed fuzz targets share: a sink that checks every
 * record is canonical, and the check that every error names the input.
 */
#ifndef SK_FUZZ_FEED_H
#define SK_FUZZ_FEED_H

#include <stdlib.h>
#include <string.h>

#include "sakimori/intel-feed.h"

static int fuzz_record(void *ctx, const struct sk_ioc_record *r)
{
    char canon[8192];
    enum sk_ioc_type t = (enum sk_ioc_type)r->type;
    if (sk_ioc_canon(&t, r->value, canon, sizeof canon, NULL, 0) < 0 || t != r->type ||
        strcmp(canon, r->value) != 0 || r->src.confidence > 100 || r->src.tlp > SK_IOC_TLP_RED ||
        !r->src.name)
        abort();
    (*(size_t *)ctx)++;
    return 0;
}

static void fuzz_skip(void *ctx, const char *where, const char *why)
{
    if (!where || !why || strncmp(where, "fuzz-input", 10) != 0)
        abort(); /* a skip names the input */
}

static void fuzz_feed(const uint8_t *data, size_t size, enum sk_feed_format fmt,
                      const struct sk_feed_opts *o)
{
    size_t n = 0;
    struct sk_feed_sink s = {.record = fuzz_record, .skip = fuzz_skip, .ctx = &n};
    struct sk_errinfo ei = {""};
    if (sk_feed_import_buf("fuzz-input", (const char *)data, size, fmt, o, &s, &ei) < 0 &&
        strncmp(ei.msg, "fuzz-input", 10) != 0 && !strstr(ei.msg, "out of memory"))
        abort(); /* an error names the input */
}

#endif
