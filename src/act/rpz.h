/*
 * rpz.h — the RPZ policy model in the store, shared by the rpz action
 * (act_rpz.c) and the primary that serves its zones (rpz_primary.c).
 * Internal to src/act. The design is described in act_rpz.c.
 */
#ifndef SK_ACT_RPZ_H
#define SK_ACT_RPZ_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/error.h"
#include "sakimori/store.h"

/* The zones sakimori keeps incrementally, per resolver family:
 *   u:allow, u:delta — served by sakimori's primary to Unbound (IXFR)
 *   b:allow, b:delta — pushed into BIND by dynamic update */
enum { RZ_U_ALLOW, RZ_U_DELTA, RZ_B_ALLOW, RZ_B_DELTA, RPZ_NZONES };
extern const char *const sk__rpz_zone_key[RPZ_NZONES];

#define RPZ_OWNER_MAX 260
#define RPZ_RRS_MAX 512
#define RPZ_PASSTHRU "CNAME rpz-passthru."

struct sk_rpz_ctx {
    struct sk_store *st;
    int unbound, bind;           /* which families are configured */
    uint32_t ttl;                /* of policy records, s */
    char sinkhole_rrs[RPZ_RRS_MAX]; /* "A 127.0.0.1;AAAA ::1" or "CNAME x." */
};

/* One change to a kept zone: owner now holds rrs ("" = nothing), held old. */
struct sk_rpz_change {
    uint8_t zone;
    char owner[RPZ_OWNER_MAX];
    char rrs[RPZ_RRS_MAX];
    char old[RPZ_RRS_MAX];
};

struct sk_rpz_batch {
    struct sk_rpz_change *v;
    size_t n, cap;
    int64_t serial[RPZ_NZONES]; /* served zones: the serial this batch made */
    int64_t jseq;
};

void sk__rpz_batch_free(struct sk_rpz_batch *b);

/* The policy records for a variant (sinkhole, nxdomain, nodata, passthru;
 * NULL/"" = sinkhole); *allow = 1 when it belongs in the allow zone. */
int sk__rpz_rrs_for(const struct sk_rpz_ctx *c, const char *variant, char *out, size_t len,
                    int *allow);
/* The policy owners a key sets: "x" → x; "*.x" → x and *.x. Returns 1 or 2. */
int sk__rpz_owners_of(const char *key, char owners[2][RPZ_OWNER_MAX]);

/* Recomputes one owner's policy from act_entries and the kept zones from
 * the policy; records what changed in b. Inside the caller's transaction. */
int sk__rpz_owner_update(struct sk_rpz_ctx *c, const char *owner, struct sk_rpz_batch *b);
/* The same for every owner at once (reconcile): set-based, O(n log n). */
int sk__rpz_recompute_all(struct sk_rpz_ctx *c, struct sk_rpz_batch *b);
/* Recomputes the owners currently in one kept zone (after its family's base
 * moved forward, which can only shrink the delta). */
int sk__rpz_zone_shrink(struct sk_rpz_ctx *c, int zone, struct sk_rpz_batch *b);
/* What a kept zone holds at owner ("" = nothing). */
int sk__rpz_zone_get(struct sk_store *st, int zone, const char *owner, char *out);
/* Number of owners in a kept zone. */
int64_t sk__rpz_zone_size(struct sk_store *st, int zone);

/* Current serial of a served zone (initialised from the clock). */
int sk__rpz_serial(struct sk_store *st, int zone, int64_t *serial);

/* Writes the base zone file: every live policy record of the main zone at
 * the current version, atomically. *version is that version (also its SOA
 * serial). */
int sk__rpz_write_base(struct sk_rpz_ctx *c, const char *path, const char *zone_name,
                       int64_t *version, struct sk_errinfo *ei);

#endif
