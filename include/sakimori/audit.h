/*
 * audit.h — the tamper-evident audit log (src/audit).
 *
 * Every governance transition, approval, action step, login, export, data
 * access and purge is one entry: a line of JSON
 *
 *   {"seq":7,"ts_ns":…,"kind":"proposal.approve","subject":"proposal/3",
 *    "actor":"alice","detail":{…}}
 *
 * appended as leaf seq-1 of an RFC 9162 Merkle tree (merkle.h). Each commit
 * that appends entries also signs a tree head (size, time, root) with the
 * server's Ed25519 key, in the same transaction as the entries and the state
 * change they record, so the store never holds a change without its entry.
 *
 * Other subsystems append inside their own store transaction and finish with
 * sk_audit_commit() instead of sk_store_commit():
 *
 *     sk_store_begin(st);
 *     … their own writes …
 *     sk_audit_append(a, "alice", "action.apply", "proposal/3", detail, NULL);
 *     sk_audit_commit(a);          // signs the new tree head, commits
 *
 * Entry numbers (seq) start at 1; leaf index = seq - 1.
 */
#ifndef SAKIMORI_AUDIT_H
#define SAKIMORI_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/error.h"
#include "sakimori/key.h"
#include "sakimori/merkle.h"
#include "sakimori/nstime.h"

struct sk_conf;
struct sk_store;
struct json_t;
struct sk_audit;

enum {
    SK_AUDIT_READ = 0,  /* verify, prove, export: no signing key needed */
    SK_AUDIT_WRITE = 1, /* append and sign: loads (or creates) the server key */
};

/* A kind is 1–63 characters of [a-z0-9._-]; a subject 0–127 printable ASCII
 * characters without '"' or '\'. */
#define SK_AUDIT_KIND_MAX 64
#define SK_AUDIT_SUBJECT_MAX 128

struct sk_audit_sth {
    uint64_t tree_size;
    sk_nstime ts;
    uint8_t root[SK_MERKLE_HASH];
    uint8_t log_id[16];
    char key_id[SK_KEY_ID_TEXT];
    uint8_t sig[SK_KEY_SIG_BYTES];
};

/* Opens the log in the store. With SK_AUDIT_WRITE the server's signing key
 * (conf audit.key; default "<store path>.audit-key") is loaded, or created
 * with mode 0600 if it does not exist yet. */
int sk_audit_open(struct sk_audit **out, struct sk_store *st, const struct sk_conf *conf,
                  int mode, struct sk_errinfo *ei);
void sk_audit_close(struct sk_audit *a);
/* The public key tree heads are checked against: --pubkey, else
 * conf audit.public_key, else the server key file's public half. */
int sk_audit_set_pubkey(struct sk_audit *a, const uint8_t pub[SK_KEY_PUBLIC_BYTES]);
int sk_audit_pubkey(struct sk_audit *a, uint8_t pub[SK_KEY_PUBLIC_BYTES]);
struct sk_store *sk_audit_store(struct sk_audit *a);

/* Appends one entry inside the caller's open transaction (-SK_ESTATE if
 * none). detail: a JSON object or NULL, borrowed. */
int sk_audit_append(struct sk_audit *a, const char *actor, const char *kind,
                    const char *subject, const struct json_t *detail, uint64_t *seq);
/* Same, detail given as JSON text (must be an object); -SK_EPARSE if not. */
int sk_audit_append_text(struct sk_audit *a, const char *actor, const char *kind,
                         const char *subject, const char *detail_json, uint64_t *seq);
/* Signs a tree head covering every entry appended so far (inside the open
 * transaction); nothing to do when none was added since the last head. */
int sk_audit_seal(struct sk_audit *a);
/* sk_audit_seal + sk_store_commit; on failure the transaction is rolled back. */
int sk_audit_commit(struct sk_audit *a);
/* One entry in a transaction of its own (begin, append, seal, commit). */
int sk_audit_record(struct sk_audit *a, const char *actor, const char *kind,
                    const char *subject, const struct json_t *detail);

/* The number of entries and the latest signed tree head (tree_size 0 when
 * nothing was signed yet). */
int sk_audit_size(struct sk_audit *a, uint64_t *entries);
int sk_audit_latest_sth(struct sk_audit *a, struct sk_audit_sth *out);
/* The smallest signed tree head of size >= min_size; -SK_ENOTFOUND if none. */
int sk_audit_sth_at_least(struct sk_audit *a, uint64_t min_size, struct sk_audit_sth *out);
/* The bytes a tree head signature covers. */
#define SK_AUDIT_STH_SIGNED_LEN 80
size_t sk_audit_sth_signed_data(const struct sk_audit_sth *h, uint8_t out[SK_AUDIT_STH_SIGNED_LEN]);
int sk_audit_sth_check(const struct sk_audit_sth *h, const uint8_t pub[SK_KEY_PUBLIC_BYTES]);

/* One entry's stored text (malloc'd; caller frees) and leaf hash; text is
 * NULL for an entry whose content retention purged (the leaf stays). */
int sk_audit_entry(struct sk_audit *a, uint64_t seq, char **text,
                   uint8_t leaf[SK_MERKLE_HASH]);

/* --- proofs as documents (proof.c) ---------------------------------- */

/* A tree head as the JSON object `audit export` writes and proofs embed
 * (caller decrefs), and back (the signed bytes are always rebuilt). */
struct json_t *sk_audit_sth_json(const struct sk_audit_sth *s,
                                 const uint8_t pub[SK_KEY_PUBLIC_BYTES]);
int sk_audit_sth_from_json(const struct json_t *o, struct sk_audit_sth *s);
/* Checks a proof document from `audit prove` or `audit consistency`
 * without the store. trusted_pub NULL: the key inside the proof. Returns 1
 * valid, 0 invalid, < 0 malformed; why says which. */
int sk_audit_check_proof(const char *text, size_t len, const uint8_t *trusted_pub, char *why,
                         size_t whylen);

/* --- verification ---------------------------------------------------- */

struct sk_audit_anchor {
    uint64_t tree_size;
    uint8_t root[SK_MERKLE_HASH];
};

struct sk_audit_verify {
    /* in */
    const struct sk_audit_anchor *anchors; /* exported heads to hold the log to */
    size_t nanchors;
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* out */
    uint64_t entries;   /* rows read */
    uint64_t sths;      /* tree heads checked */
    uint64_t purged;    /* entries whose content retention removed */
    uint64_t first_bad; /* 0 when the log verifies, else the first bad entry */
    uint64_t bad_last;  /* when only a range can be named: its last entry */
    char problem[512];  /* what is wrong, for people */
    struct sk_audit_sth last; /* the newest signed tree head */
};

/* Recomputes every leaf and every signed tree head from the store. Returns
 * 0 when everything holds, 1 when the log was tampered with (v->first_bad,
 * v->problem say where and how), or a negative error. */
int sk_audit_verify(struct sk_audit *a, struct sk_audit_verify *v);

/* Proofs against the store's leaves (entry numbers are 1-based seqs). */
int sk_audit_prove_inclusion(struct sk_audit *a, uint64_t seq, uint64_t tree_size,
                             uint8_t path[][SK_MERKLE_HASH], size_t *len);
int sk_audit_prove_consistency(struct sk_audit *a, uint64_t size1, uint64_t size2,
                               uint8_t path[][SK_MERKLE_HASH], size_t *len);
int sk_audit_root_at(struct sk_audit *a, uint64_t tree_size, uint8_t root[SK_MERKLE_HASH]);

/* Retention: replaces the content of entries 1..upto whose time is before
 * `before` by nothing, keeping their leaf hashes (the tree still verifies);
 * inside the caller's transaction. *n is how many were purged. */
int sk_audit_purge_before(struct sk_audit *a, sk_nstime before, uint64_t *first,
                          uint64_t *last, uint64_t *n);

/* --- the transparency report ------------------------------------------ */

/* The figures an oversight body publishes for [from, to), computed from the
 * audit log alone (report.c). *out is a JSON object (caller decrefs). */
int sk_audit_report(struct sk_audit *a, sk_nstime from, sk_nstime to, struct json_t **out,
                    struct sk_errinfo *ei);

#endif
