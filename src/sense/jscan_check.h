/*
 * jscan_check.h — the scanner's agreement with jansson, for tests and the
 * fuzz target (tests/unit/test_jscan.c, tests/fuzz/fuzz_jscan.c).
 */
#ifndef SK_SENSE_JSCAN_CHECK_H
#define SK_SENSE_JSCAN_CHECK_H

#include <stddef.h>

/* Parses buf with jscan and with jansson (JSON_DECODE_ANY) and compares:
 * both accept and yield equal documents, or both refuse, or jansson
 * refuses only for a limit of its own (integers beyond 64 bits, reals
 * beyond double range). Returns 0 when they agree, else -1 with a
 * description in why (caller's buffer). */
int sk__jscan_agrees(const char *buf, size_t len, char *why, size_t whylen);

#endif
