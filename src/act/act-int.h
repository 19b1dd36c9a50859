/*
 * act-int.h — what the action plugins of src/act share (internal).
 *
 * Entries: every network action (rpz, nft, bgp) records what it holds in
 * act_entries, one row per (kind, key, action). Several approved actions may
 * hold the same key — two proposals sinkholing one name — so a key stays on
 * the real system while any row for it remains, and the latest applied row
 * decides its variant and expiry. That is what makes revert "restore exactly
 * the previous state": reverting the newer action brings back the older one.
 */
#ifndef SK_ACT_INT_H
#define SK_ACT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sakimori/action.h"
#include "sakimori/store.h"

/* --- act_entries ---------------------------------------------------------- */

struct sk__act_entry {
    char key[SK_TARGET_MAX + 4];
    char variant[32];   /* of the deciding (latest applied) row */
    uint64_t action_id; /* of the deciding row */
    sk_nstime not_after; /* the latest expiry of all rows for key; 0 = none */
    int64_t seq;         /* of the deciding row: higher is more recent */
};

/* The entry that decides key (the latest applied); -SK_ENOTFOUND if none. */
int sk__act_entry_top(struct sk_store *st, const char *kind, const char *key,
                      struct sk__act_entry *out);
/* Records (kind, key, req): an upsert, so applying twice changes nothing. */
int sk__act_entry_put(struct sk_store *st, const char *kind, const char *key,
                      const struct sk_action_req *req, const char *variant);
/* Removes (kind, key, action_id); *removed = 1 if a row went. */
int sk__act_entry_del(struct sk_store *st, const char *kind, const char *key,
                      uint64_t action_id, int *removed);
/* Every key of kind with its deciding entry, in key order. fn returns < 0
 * to stop. */
int sk__act_entry_each(struct sk_store *st, const char *kind,
                       int (*fn)(void *ctx, const struct sk__act_entry *e), void *ctx);
/* Replaces all entries of kind by `active` (reconcile); in the caller's
 * transaction. */
int sk__act_entry_reset(struct sk_store *st, const char *kind,
                        const struct sk_action_req *active, size_t n,
                        const char *(*key_of)(const struct sk_action_req *r, char *buf,
                                              size_t len),
                        const char *(*variant_of)(const struct sk_action_req *r));

/* --- act_kv: small integer state ------------------------------------------ */

int sk__act_kv_get(struct sk_store *st, const char *k, int64_t dflt, int64_t *out);
int sk__act_kv_set(struct sk_store *st, const char *k, int64_t v);

/* --- endpoints ------------------------------------------------------------ */

/* Parses "127.0.0.1@53", "::1@53", "[::1]@53", "127.0.0.1" (default_port).
 * -SK_EPARSE otherwise. */
int sk__hostport_parse(const char *s, uint16_t default_port,
                       struct sockaddr_storage *out, socklen_t *outlen);
/* "127.0.0.1@53" back from a sockaddr. */
char *sk__hostport_fmt(const struct sockaddr *sa, char *out, size_t len);

/* --- crash points ----------------------------------------------------------
 * Tests prove crash safety by stopping the process at a named point:
 * SK_ACT_CRASH_AT=rpz:after-store makes sk__act_crashpoint("rpz:after-store")
 * _exit(86). Costs one getenv per call; does nothing when unset. */
void sk__act_crashpoint(const char *name);

/* An RFC 5322 message (CRLF line ends) into b: a text/plain part and, when
 * json is given, json_name attached in base64. msgid is the local part of
 * the Message-ID (the domain is the sender's). */
struct sk_buf;
int sk__act_mail(struct sk_buf *b, const char *from, const char *to, const char *subject,
                 const char *msgid, const char *text, const char *json, const char *json_name);

/* Remaining lifetime of req in seconds (at least 1), for element timeouts. */
uint64_t sk__act_ttl_left(const struct sk_action_req *req);

#endif
