/*
 * feed-int.h — what the importers of src/intel share (internal).
 */
#ifndef SK_INTEL_FEED_INT_H
#define SK_INTEL_FEED_INT_H

#include <stddef.h>

#include "sakimori/intel-feed.h"

struct sk__feed {
    const char *name; /* the file, in messages */
    const struct sk_feed_opts *o;
    const struct sk_feed_sink *sink;
    struct sk_errinfo *ei;
};

/* Canonicalises and hands one record to the sink, with the options'
 * defaults (source name, labels, first/last seen = now when unknown).
 * where ("file:line", "file: $.objects[2]") prefixes any error. */
int sk__feed_emit(const struct sk__feed *im, uint8_t type, const char *value,
                  const struct sk_ioc_source *src, const char *where);
void sk__feed_skip(const struct sk__feed *im, const char *where, const char *why);
/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" (UTC) or RFC 3339. */
int sk__feed_time(const char *s, sk_nstime *out);

int sk__feed_stix(const struct sk__feed *im, const char *data, size_t len);
int sk__feed_misp_event(const struct sk__feed *im, const char *data, size_t len);
int sk__feed_misp_feed(const struct sk__feed *im, const char *dir);

#endif
