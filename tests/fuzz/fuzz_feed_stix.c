/*
 * fuzz_feed_stix.c — STIX 2.1 bundles: any input imports canonical records
 * or fails naming the input and a JSON path.
 */
#include <stdint.h>

#include "fuzz_feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_feed_opts o = {.source = "fuzz", .confidence = 50};
    fuzz_feed(data, size, SK_FEED_STIX, &o);
    return 0;
}
