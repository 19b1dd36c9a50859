/*
 * pcapw.h — writing classic pcap files (nanosecond timestamps).
 *
 * Used by the scenario synthesizer and by tests that build their own
 * captures. The file is written to "PATH.tmp", fsync'd and renamed over PATH
 * on sk_pcapw_close(), so a reader never sees half a capture.
 */
#ifndef SAKIMORI_PCAPW_H
#define SAKIMORI_PCAPW_H

#include <stdint.h>

#include "sakimori/error.h"
#include "sakimori/nstime.h"

struct sk_pcapw;

/* linktype: 1 Ethernet, 101 raw IP, … */
int sk_pcapw_open(struct sk_pcapw **out, const char *path, uint32_t linktype,
                  struct sk_errinfo *ei);
int sk_pcapw_write(struct sk_pcapw *w, sk_nstime ts, const uint8_t *data, uint32_t len);
/* Commits the file (fsync + rename). Returns < 0 if anything failed. */
int sk_pcapw_close(struct sk_pcapw *w, struct sk_errinfo *ei);
/* Discards the temporary file. */
void sk_pcapw_abort(struct sk_pcapw *w);

#endif
