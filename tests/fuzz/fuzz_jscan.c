/*
 * fuzz_jscan.c — the JSON scanner against jansson on arbitrary bytes: they
 * must agree on what is JSON and, when it is, on what it says. Any
 * disagreement aborts, so the fuzzer reports it as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sense/jscan_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    if (sk__jscan_agrees((const char *)data, size, why, sizeof why) < 0) {
        fprintf(stderr, "jscan and jansson disagree: %s\n", why);
        abort();
    }
    return 0;
}
