/*
 * key.h — Ed25519 keys for approvers, for the audit log's tree heads and for
 * signed advisories (libsodium).
 *
 * A secret key lives in a small text file that only its holder can read
 * (mode 0600, written atomically); the server holds public keys only, as the
 * text "ed25519:<base64 of 32 bytes>". A secret key file looks like
 *
 *   sakimori-ed25519-secret-key v1
 *   name: alice
 *   public: ed25519:6yGm…=
 *   seed: q0D3…=
 *
 * The seed is the 32-byte Ed25519 seed; the public line is checked against
 * it on load, so a damaged file is refused instead of signing with a key
 * nobody knows. Signatures are detached, 64 bytes, shown as base64.
 */
#ifndef SAKIMORI_KEY_H
#define SAKIMORI_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/error.h"

#define SK_KEY_PUBLIC_BYTES 32
#define SK_KEY_SECRET_BYTES 64 /* libsodium's seed ‖ public form */
#define SK_KEY_SIG_BYTES 64
#define SK_KEY_NAME_MAX 64
/* "ed25519:" + base64 of 32 bytes + NUL */
#define SK_KEY_PUBLIC_TEXT 56
/* base64 of 64 bytes + NUL */
#define SK_KEY_SIG_TEXT 92
/* hex of the first 8 bytes of SHA-256(public key) + NUL */
#define SK_KEY_ID_TEXT 17

struct sk_key {
    char name[SK_KEY_NAME_MAX];
    uint8_t pub[SK_KEY_PUBLIC_BYTES];
    uint8_t sec[SK_KEY_SECRET_BYTES];
    int has_secret;
};

/* A name is 1–63 characters of [A-Za-z0-9._@-]. */
int sk_key_name_ok(const char *name);

/* A fresh key pair named name. */
int sk_key_generate(struct sk_key *k, const char *name, struct sk_errinfo *ei);
/* Writes the secret key file: created with mode 0600, fsynced, renamed into
 * place. Refuses to replace an existing file unless overwrite is set. */
int sk_key_write_secret(const struct sk_key *k, const char *path, int overwrite,
                        struct sk_errinfo *ei);
/* Loads a secret key file; errors name path:line. Refuses a file that group
 * or others can read or write. */
int sk_key_load_secret(struct sk_key *k, const char *path, struct sk_errinfo *ei);
/* Parses the same format from memory (for tests and fuzzing). */
int sk_key_parse_secret(struct sk_key *k, const char *text, size_t len, const char *name,
                        struct sk_errinfo *ei);
/* Wipes the secret half. */
void sk_key_wipe(struct sk_key *k);

/* "ed25519:<base64>" ⇄ 32 bytes. */
int sk_key_parse_public(const char *text, uint8_t pub[SK_KEY_PUBLIC_BYTES]);
char *sk_key_format_public(const uint8_t pub[SK_KEY_PUBLIC_BYTES], char *out, size_t len);
/* "NAME ed25519:<base64>" — the form the configuration lists approvers in. */
int sk_key_parse_named_public(const char *text, char name[SK_KEY_NAME_MAX],
                              uint8_t pub[SK_KEY_PUBLIC_BYTES], struct sk_errinfo *ei);
char *sk_key_id(const uint8_t pub[SK_KEY_PUBLIC_BYTES], char *out, size_t len);

int sk_key_sign(const struct sk_key *k, const void *msg, size_t len,
                uint8_t sig[SK_KEY_SIG_BYTES]);
/* 0 when valid, -SK_ECRYPTO otherwise. */
int sk_key_verify(const uint8_t pub[SK_KEY_PUBLIC_BYTES], const void *msg, size_t len,
                  const uint8_t sig[SK_KEY_SIG_BYTES]);

/* Base64 (standard alphabet, padded) of a signature, and back. */
char *sk_key_sig_format(const uint8_t sig[SK_KEY_SIG_BYTES], char *out, size_t len);
int sk_key_sig_parse(const char *text, uint8_t sig[SK_KEY_SIG_BYTES]);

/* Hex helpers for digests shown to people. */
char *sk_hex(const uint8_t *b, size_t n, char *out, size_t len);
int sk_unhex(const char *s, uint8_t *out, size_t n);

#endif
