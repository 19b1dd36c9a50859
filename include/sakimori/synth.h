/*
 * synth.h — labelled traffic scenarios for tests, evaluation and the demo.
 *
 * A scenario is a pcap of an internal network (10.0.0.0/8) talking to the
 * outside world through one resolver, with known malicious activity mixed
 * into benign background, and a ground-truth file saying which is which.
 * Everything is derived from the seed: the same options give the same bytes.
 * Only documentation addresses (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24) and reserved names (.example) are used for the outside.
 */
#ifndef SAKIMORI_SYNTH_H
#define SAKIMORI_SYNTH_H

#include <stdint.h>

#include "sakimori/error.h"
#include "sakimori/nstime.h"

struct sk_synth_cfg {
    uint64_t seed;
    uint32_t hosts;          /* benign internal hosts */
    uint64_t duration;       /* ns of traffic */
    sk_nstime start;         /* time of the first packet */
    uint32_t beacons;        /* infected hosts, each with its own C2 */
    uint64_t beacon_period;  /* ns */
    double beacon_jitter;    /* 0–1: interval is period × (1 ± jitter) */
    double size_jitter;      /* 0–1 */
};

void sk_synth_defaults(struct sk_synth_cfg *cfg);

/* Writes DIR/scenario.pcap, DIR/truth.json (ground truth) and DIR/intel.txt
 * (an indicator list naming the C2 servers), creating DIR if needed. */
int sk_synth_run(const struct sk_synth_cfg *cfg, const char *dir, struct sk_errinfo *ei);

#endif
