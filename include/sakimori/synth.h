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

#include <stddef.h>
#include <stdint.h>

#include "sakimori/error.h"
#include "sakimori/nstime.h"

struct sk_synth_cfg {
    uint64_t seed;
    uint32_t hosts;          /* internal hosts with benign activity */
    uint64_t duration;       /* ns of traffic */
    sk_nstime start;         /* time of the first packet */
    uint32_t beacons;        /* infected hosts, each with its own C2 */
    uint64_t beacon_period;  /* ns */
    double beacon_jitter;    /* 0–1: interval is period × (1 ± jitter) */
    double size_jitter;      /* 0–1 */
    /* added with the behavioural analyzers */
    uint64_t beacon_period_max; /* ns; above beacon_period: each beacon's
                                   period is drawn log-uniformly between */
    uint64_t web_mean;       /* ns: mean gap between a host's web sessions */
    uint32_t update_services; /* periodic benign update checks, 0–5 */
    uint32_t dga;            /* hosts running a DGA */
    uint32_t tunnels;        /* hosts tunnelling data over DNS */
    uint32_t longconns;      /* hosts holding one long C2 connection */
};

void sk_synth_defaults(struct sk_synth_cfg *cfg);

/* Writes DIR/scenario.pcap, DIR/truth.json (ground truth) and DIR/intel.txt
 * (an indicator list naming the C2 servers), creating DIR if needed.
 * Memory stays flat in the number of packets: traffic is generated in time
 * order, actor by actor, and written as it becomes final. */
int sk_synth_run(const struct sk_synth_cfg *cfg, const char *dir, struct sk_errinfo *ei);

/* DGA families the synthesizer imitates (styles, not real algorithms). */
enum sk_dga_family {
    SK_DGA_RANDOM = 0, /* letters, uniform (many banking trojans) */
    SK_DGA_ALNUM,      /* letters and digits */
    SK_DGA_HEX,        /* a hash in hex */
    SK_DGA_SYLLABLE,   /* pronounceable consonant–vowel syllables */
    SK_DGA_WORDS2,     /* two dictionary words */
    SK_DGA_WORDS4,     /* three to six dictionary words */
    SK_DGA_NFAMILIES
};
const char *sk_dga_family_name(enum sk_dga_family f);
/* The index-th name of family f under seed (without a TLD); returns its
 * length. out must hold 64 bytes. Deterministic. */
size_t sk_dga_label(enum sk_dga_family f, uint64_t seed, uint64_t index, char *out);

/* A list of common English words (words.c). */
size_t sk_synth_nwords(void);
const char *sk_synth_word(size_t i);

#endif
