/*
 * fuzz_feed_misp.c — MISP event JSON: any input imports canonical records or
 * fails naming the input and a JSON path.
 */
#include <stdint.h>

#include "fuzz_feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_feed_opts o = {.source = "fuzz", .confidence = 50};
    fuzz_feed(data, size, SK_FEED_MISP_EVENT, &o);
    return 0;
}
