/*
 * fuzz_feed_text.c — the text feed formats: plain, CSV with a column
 * mapping, abuse.ch Feodo, SSLBL JA3 and URLhaus. The first byte picks the
 * format (and, for CSV, whether the first line is a header); the rest is the
 * file. Any input imports canonical records or fails naming the input and a
 * line.
 */
#include <stdint.h>

#include "fuzz_feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum sk_feed_format fmts[] = {SK_FEED_PLAIN, SK_FEED_CSV, SK_FEED_FEODO,
                                               SK_FEED_SSLBL_JA3, SK_FEED_URLHAUS, SK_FEED_AUTO};
    struct sk_feed_opts o = {.source = "fuzz", .confidence = 50};
    if (size < 1)
        return 0;
    enum sk_feed_format f = fmts[data[0] % 6];
    if (f == SK_FEED_CSV) {
        o.header = (data[0] / 6) % 2;
        o.columns = o.header ? "value=value,type=type,confidence=confidence,labels=labels,tlp=tlp"
                             : "value=1,type=2,confidence=3,labels=4,tlp=5,first_seen=6,valid_until=7";
        o.delimiter = (data[0] / 12) % 2 ? ';' : ',';
    }
    fuzz_feed(data + 1, size - 1, f, &o);
    return 0;
}
