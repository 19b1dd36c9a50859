/*
 * detect-int.h — what the analyzers of src/detect share (internal).
 *
 *   orientation   which end of an event is "our" host (detect.internal) and
 *                 which is the peer it talks to; events we do not judge
 *                 (inbound, internal → internal, multicast, DNS to a
 *                 resolver) are filtered here, once, the same way for all.
 *   statistics    quartiles, Bowley skew, median absolute deviation,
 *                 coefficient of variation, Shannon entropy (stats.c).
 *   modifiers     the score adjustments every behavioural detection gets:
 *                 intel hit, prevalence, first-seen age, warninglist
 *                 (scoring.c).
 *   names         an interning table (string → dense id) with a cap, and a
 *                 name cache (client, server address) → the name the client
 *                 resolved or sent as SNI/Host (names.c).
 * None of this is public API: analyzers are reached only through their
 * sk_analyzer_ops.
 */
#ifndef SK_DETECT_INT_H
#define SK_DETECT_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/arena.h"
#include "sakimori/conf-t.h"
#include "sakimori/event-t.h"
#include "sakimori/nstime.h"

struct sk_intel;

/* ---- orientation ------------------------------------------------------ */

int sk__detect_is_internal(const struct sk_conf_detect *c, const struct sk_addr *a);
/* Not a unicast destination one could beacon to: multicast, broadcast,
 * unspecified, loopback, link-local. */
int sk__detect_is_special(const struct sk_addr *a);

/* Which end of a flow is the subject ("our host") and which the object.
 * Returns 1 and fills host/peer when the event should be judged:
 *   initiator internal, responder external → host = initiator
 *   neither end internal (a capture from outside the configured prefixes)
 *                                           → host = initiator
 *   both internal → only with detect.internal_to_internal
 *   responder internal, initiator external (inbound) → not judged
 * Special destinations are never judged. */
int sk__detect_orient(const struct sk_conf_detect *c, const struct sk_event *ev,
                      const struct sk_addr **host, const struct sk_addr **peer);

/* ---- statistics (stats.c) --------------------------------------------- */

/* Sorts v in place (ascending). */
void sk__sort_doubles(double *v, size_t n);
/* Quantile q in [0, 1] of sorted v by linear interpolation (Hyndman–Fan 7,
 * the common default); v must be non-empty. */
double sk__quantile(const double *v, size_t n, double q);

struct sk__dist {
    size_t n;
    double q1, median, q3;
    double mad;        /* median absolute deviation from the median */
    double skew;       /* Bowley: (q1 + q3 − 2·median) / (q3 − q1), 0 if undefined */
    double skew_score; /* 1 − |skew| */
    double mad_score;  /* 1 − mad / median, clamped to [0, 1] */
    double score;      /* mean of the two */
};
/* Describes sorted v (n ≥ 1); scratch holds n doubles. min_iqr is the
 * smallest spread (absolute, in v's unit) for which skew is meaningful:
 * below it the distribution is a spike and skew counts as 0. */
void sk__describe(const double *v, size_t n, double *scratch, double min_iqr,
                  struct sk__dist *out);

/* Coefficient of variation (population sd / mean) of counts; 0 if mean 0. */
double sk__cv(const uint32_t *v, size_t n);
/* Shannon entropy in bits per symbol of the bytes of s[0..len). */
double sk__entropy(const char *s, size_t len);

/* ---- score modifiers (scoring.c) ------------------------------------- */

struct sk__mod_in {
    uint32_t prevalence_hosts; /* internal hosts that reached the object */
    uint32_t internal_hosts;   /* internal hosts seen by the analyzer */
    sk_nstime first_seen;      /* when the object was first seen */
    sk_nstime observed_since;  /* start of the analyzer's observation */
    sk_nstime now;
    int intel_hit;             /* object named by an indicator */
    const char *warninglist;   /* name of a warninglist holding it, or NULL */
};

/* Applies the modifiers to base (0–1) and returns the result, clamped to
 * [0, 1]. When ev is not NULL, records each adjustment under
 * ev["modifiers"]. */
double sk__score_modify(double base, const struct sk__mod_in *m, json_t *ev);

/* Whether an address or name is named by an indicator (intel may be NULL). */
int sk__intel_hit_addr(const struct sk_intel *in, const struct sk_addr *a);
int sk__intel_hit_name(const struct sk_intel *in, const char *name);
/* The id of a loaded warninglist holding the destination address or name
 * ("cloudflare", "tranco10k"), or NULL (wl may be NULL). */
struct sk_warninglists;
const char *sk__wl_addr(const struct sk_warninglists *wl, const struct sk_addr *a);
const char *sk__wl_name(const struct sk_warninglists *wl, const char *name);

/* ---- names (names.c) --------------------------------------------------- */

/* Interned strings: each distinct string gets a dense id from 0. At most
 * cap strings of at most 255 bytes; past the cap sk__strtab_intern() fails
 * with -SK_ETOOBIG and counts the refusal. */
struct sk__strtab {
    struct sk_arena arena;
    const char **str; /* id → string */
    uint32_t *slots;  /* id + 1 */
    uint32_t n, cap, mask, alloc;
    uint64_t seed;
    uint64_t refused;
};
int sk__strtab_init(struct sk__strtab *t, uint32_t cap);
void sk__strtab_free(struct sk__strtab *t);
/* Returns the id (≥ 0) or a negative error. */
int64_t sk__strtab_intern(struct sk__strtab *t, const char *s, size_t len);
int64_t sk__strtab_find(const struct sk__strtab *t, const char *s, size_t len);
static inline const char *sk__strtab_str(const struct sk__strtab *t, uint32_t id)
{
    return t->str[id];
}

/* (client, server) → name id, direct-mapped: a newer entry replaces an
 * older one in its slot. Lossy by design, bounded by construction. */
struct sk__namecache {
    struct sk__nc_slot *slots;
    uint32_t mask;
    uint64_t seed;
};
int sk__namecache_init(struct sk__namecache *nc, uint32_t slots_pow2);
void sk__namecache_free(struct sk__namecache *nc);
void sk__namecache_put(struct sk__namecache *nc, const struct sk_addr *client,
                       const struct sk_addr *server, uint32_t name_id);
/* Returns the name id or -1. */
int64_t sk__namecache_get(const struct sk__namecache *nc, const struct sk_addr *client,
                          const struct sk_addr *server);

/* ---- beacon scoring (an_beacon.c) ------------------------------------- */

/* What the beacon score is computed from: one (host, object) pair's sampled
 * inter-arrival times and sizes, its time histogram, and the span of the
 * whole observation. */
struct sk__beacon_obs {
    double *intervals;      /* seconds, sorted ascending; n_intervals of them */
    size_t n_intervals;
    double *sizes;          /* bytes, sorted ascending */
    size_t n_sizes;
    double *scratch;        /* max(n_intervals, n_sizes) doubles */
    const uint16_t *hist;   /* nbins counts of connections from t0 on … */
    size_t nbins;
    uint64_t bin_ns;        /* … each bin this wide */
    sk_nstime first, last;  /* the pair's first and last connection */
    sk_nstime t0, now;      /* the observation so far */
};

struct sk__beacon_result {
    struct sk__dist ts, ds;
    double ts_score, ds_score, hist_score, dur_score;
    double hist_cv, hist_bimodal;
    uint64_t hist_bin_ns;   /* width after merging to ≥ 4 × the median interval */
    uint32_t hist_bins[48]; /* the pair's merged bins, first to last */
    size_t hist_n;
    double coverage, consistency;
    double score;           /* mean of the four, before modifiers */
};

void sk__beacon_score(const struct sk__beacon_obs *o, struct sk__beacon_result *r);

/* ---- names and domains ------------------------------------------------- */

struct psl_ctx_st;
/* The Public Suffix List (the newest of libpsl's built-in and the system's
 * publicsuffix file), loaded once. */
const struct psl_ctx_st *sk__psl(void);

/* ---- evidence ----------------------------------------------------------- */

/* Serialises ev compactly (malloc'd; caller frees) and drops the reference. */
char *sk__evidence_take(json_t *ev);
/* Adds an RFC 3339 time string. */
void sk__json_time(json_t *o, const char *key, sk_nstime t);

#endif
