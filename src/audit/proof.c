/*
 * proof.c — tree heads and proofs as JSON documents, and checking a proof
 * without the store.
 *
 * A proof document is self-contained: the entry text and its leaf hash (an
 * inclusion proof) or two tree heads (a consistency proof), the audit path,
 * and the signed tree head(s) with the public key. Checking rebuilds the
 * signed bytes from the fields — the "signed_data" in the file is a
 * convenience for other tools and is never trusted — recomputes the leaf
 * hash from the entry text, and runs RFC 9162's verification algorithms.
 * Proof files come from outside (an auditor's mailbox), so everything is
 * parsed defensively: sizes are bounded, hex and base64 must be exact.
 */
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "sakimori/audit.h"

#define PROOF_MAX (16u << 20)

json_t *sk_audit_sth_json(const struct sk_audit_sth *s, const uint8_t pub[SK_KEY_PUBLIC_BYTES])
{
    uint8_t data[SK_AUDIT_STH_SIGNED_LEN];
    char root[65], log[33], ts[SK_RFC3339_LEN], sig[SK_KEY_SIG_TEXT], b64[128],
        pk[SK_KEY_PUBLIC_TEXT];

    sk_audit_sth_signed_data(s, data);
    sodium_bin2base64(b64, sizeof b64, data, sizeof data, sodium_base64_VARIANT_ORIGINAL);
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "tree_size",
                     (json_int_t)s->tree_size, "timestamp_ns", (json_int_t)s->ts, "timestamp",
                     sk_rfc3339(s->ts, ts, sizeof ts), "root_hash", sk_hex(s->root, 32, root, sizeof root),
                     "log_id", sk_hex(s->log_id, 16, log, sizeof log), "key_id", s->key_id,
                     "signature", sk_key_sig_format(s->sig, sig, sizeof sig), "signed_data", b64,
                     "public_key", sk_key_format_public(pub, pk, sizeof pk));
}

int sk_audit_sth_from_json(const json_t *o, struct sk_audit_sth *s)
{
    const char *root = json_string_value(json_object_get(o, "root_hash"));
    const char *log = json_string_value(json_object_get(o, "log_id"));
    const char *sig = json_string_value(json_object_get(o, "signature"));
    const char *kid = json_string_value(json_object_get(o, "key_id"));

    memset(s, 0, sizeof *s);
    if (!json_is_integer(json_object_get(o, "tree_size")) ||
        !json_is_integer(json_object_get(o, "timestamp_ns")) || !root || !log || !sig ||
        json_integer_value(json_object_get(o, "tree_size")) < 0 ||
        json_integer_value(json_object_get(o, "timestamp_ns")) < 0 ||
        sk_unhex(root, s->root, 32) < 0 || sk_unhex(log, s->log_id, 16) < 0 ||
        sk_key_sig_parse(sig, s->sig) < 0)
        return -SK_EPARSE;
    s->tree_size = (uint64_t)json_integer_value(json_object_get(o, "tree_size"));
    s->ts = (sk_nstime)json_integer_value(json_object_get(o, "timestamp_ns"));
    snprintf(s->key_id, sizeof s->key_id, "%s", kid ? kid : "");
    return 0;
}

static int read_path(const json_t *arr, uint8_t path[][SK_MERKLE_HASH], size_t *n)
{
    size_t i;
    json_t *h;

    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) > SK_MERKLE_MAX_DEPTH)
        return -SK_EPARSE;
    json_array_foreach(arr, i, h) {
        if (!json_is_string(h) || sk_unhex(json_string_value(h), path[i], SK_MERKLE_HASH) < 0)
            return -SK_EPARSE;
    }
    *n = json_array_size(arr);
    return 0;
}

int sk_audit_check_proof(const char *text, size_t len, const uint8_t *trusted_pub, char *why,
                         size_t whylen)
{
    uint8_t path[SK_MERKLE_MAX_DEPTH][SK_MERKLE_HASH], pub[SK_KEY_PUBLIC_BYTES];
    uint8_t leaf[SK_MERKLE_HASH], mine[SK_MERKLE_HASH];
    struct sk_audit_sth a, b;
    json_error_t je;
    json_t *o = NULL;
    const char *type, *inproof;
    size_t n;
    int rc = 0;

    if (len > PROOF_MAX) {
        snprintf(why, whylen, "larger than %u bytes: not a proof", PROOF_MAX);
        return -SK_ETOOBIG;
    }
    if (!(o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je))) {
        snprintf(why, whylen, "line %d column %d: %s", je.line, je.column, je.text);
        return -SK_EPARSE;
    }
    type = json_string_value(json_object_get(o, "type"));
    if (!type || (strcmp(type, "inclusion") && strcmp(type, "consistency"))) {
        snprintf(why, whylen, "$.type: expected \"inclusion\" or \"consistency\"");
        rc = -SK_EPARSE;
        goto out;
    }
    inproof = json_string_value(json_object_get(
        json_object_get(o, strcmp(type, "inclusion") ? "second" : "sth"), "public_key"));
    if (trusted_pub) {
        memcpy(pub, trusted_pub, sizeof pub);
    } else if (!inproof || sk_key_parse_public(inproof, pub) < 0) {
        snprintf(why, whylen, "$.%s.public_key: expected ed25519:<base64 of 32 bytes>",
                 strcmp(type, "inclusion") ? "second" : "sth");
        rc = -SK_EPARSE;
        goto out;
    }
    if (read_path(json_object_get(o, "path"), path, &n) < 0) {
        snprintf(why, whylen, "$.path: expected at most %d hex SHA-256 hashes", SK_MERKLE_MAX_DEPTH);
        rc = -SK_EPARSE;
        goto out;
    }
    if (!strcmp(type, "inclusion")) {
        const json_t *jt = json_object_get(o, "entry_text");
        const char *lh = json_string_value(json_object_get(o, "leaf_hash"));
        json_int_t idx = json_integer_value(json_object_get(o, "leaf_index"));
        if (!json_is_integer(json_object_get(o, "leaf_index")) || idx < 0 || !lh ||
            sk_unhex(lh, leaf, SK_MERKLE_HASH) < 0 || (jt && !json_is_string(jt) && !json_is_null(jt)) ||
            sk_audit_sth_from_json(json_object_get(o, "sth"), &a) < 0) {
            snprintf(why, whylen, "malformed inclusion proof (leaf_index, leaf_hash, entry_text, sth)");
            rc = -SK_EPARSE;
            goto out;
        }
        if (json_is_string(jt)) {
            sk_merkle_leaf_hash(json_string_value(jt), json_string_length(jt), mine);
            if (sodium_memcmp(mine, leaf, SK_MERKLE_HASH) != 0) {
                snprintf(why, whylen, "the entry text does not hash to the leaf hash");
                goto out;
            }
        }
        if (sk_audit_sth_check(&a, pub) < 0) {
            snprintf(why, whylen, "the tree head's signature does not verify");
            goto out;
        }
        if (sk_merkle_verify_inclusion((uint64_t)idx, a.tree_size, leaf,
                                       (const uint8_t(*)[SK_MERKLE_HASH])path, n, a.root) < 0) {
            snprintf(why, whylen, "the audit path does not lead to the signed root");
            goto out;
        }
        snprintf(why, whylen, "entry %" PRIu64 " is in the signed tree of %" PRIu64 " entries%s",
                 (uint64_t)idx + 1, a.tree_size,
                 json_is_string(jt) ? "" : " (its content was purged; its hash was checked)");
        rc = 1;
    } else {
        if (sk_audit_sth_from_json(json_object_get(o, "first"), &a) < 0 ||
            sk_audit_sth_from_json(json_object_get(o, "second"), &b) < 0) {
            snprintf(why, whylen, "malformed consistency proof (first, second)");
            rc = -SK_EPARSE;
            goto out;
        }
        if (sk_audit_sth_check(&a, pub) < 0 || sk_audit_sth_check(&b, pub) < 0) {
            snprintf(why, whylen, "a tree head's signature does not verify");
        } else if (memcmp(a.log_id, b.log_id, 16) != 0) {
            snprintf(why, whylen, "the two tree heads belong to different logs");
        } else if (sk_merkle_verify_consistency(a.tree_size, b.tree_size, a.root, b.root,
                                                (const uint8_t(*)[SK_MERKLE_HASH])path, n) < 0) {
            snprintf(why, whylen,
                     "the tree of %" PRIu64 " entries does not extend the tree of %" PRIu64,
                     b.tree_size, a.tree_size);
        } else {
            snprintf(why, whylen,
                     "the tree of %" PRIu64 " entries extends the tree of %" PRIu64
                     " entries: nothing before was changed",
                     b.tree_size, a.tree_size);
            rc = 1;
        }
    }
out:
    json_decref(o);
    return rc;
}
