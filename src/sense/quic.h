/*
 * quic.h — the TLS ClientHello inside a QUIC client's Initial packets
 * (RFC 9000, RFC 9001; QUIC versions 1 and 2).
 *
 * Initial packets are encrypted with keys anyone can derive from the
 * packet's Destination Connection ID, so a passive sensor can read the
 * ClientHello of an HTTP/3 connection: SNI, ALPN, and the fingerprints
 * (JA4 with protocol "q"). A connection decoder gathers the CRYPTO frames
 * of the client's first Initial packets — a ClientHello with a large key
 * share spans two — until the ClientHello is whole. Nothing after the
 * Initial packets is readable, and nothing is tried.
 */
#ifndef SK_SENSE_QUIC_H
#define SK_SENSE_QUIC_H

#include <stddef.h>
#include <stdint.h>

#include "sense/tls.h"

#define SK_QUIC_CRYPTO_MAX 16384 /* ClientHello bytes gathered at most */

/* Keys of the client's Initial packets for a version and Destination
 * Connection ID (RFC 9001 §5.2). -SK_EUNSUP for an unknown version. */
struct sk_quic_keys {
    uint8_t key[16], iv[12], hp[16];
    int v2;
};
int sk_quic_client_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                        struct sk_quic_keys *out);

/* Does this UDP payload start with a client Initial packet of a version we
 * know, padded as RFC 9000 §14.1 requires (a datagram ≥ 1200 bytes)? */
int sk_quic_looks_like_initial(const uint8_t *p, size_t n);

/* Removes header protection from and decrypts the Initial packet at the
 * start of p (a datagram may hold more packets after it): the plaintext
 * frames go to out (at least n bytes), *plen their length, *pkt_len the
 * packet's length. 0, -SK_EUNSUP (not a client Initial of a known
 * version), -SK_ETRUNC, or -SK_EPARSE (malformed, or the AEAD tag does not
 * match). */
int sk_quic_decrypt_initial(const uint8_t *p, size_t n, uint8_t *out, size_t *plen,
                            size_t *pkt_len);

struct sk_quic_conn;
struct sk_quic_conn *sk_quic_conn_new(void);
void sk_quic_conn_free(struct sk_quic_conn *q);
size_t sk_quic_conn_size(void);
/* One datagram from the client. Returns 1 when the ClientHello is whole
 * (parsed into ch), 0 when more is needed, < 0 when the connection cannot
 * be decoded (malformed, not QUIC, or too big): stop feeding it then. */
int sk_quic_conn_feed(struct sk_quic_conn *q, const uint8_t *p, size_t n,
                      struct sk_tls_client_hello *ch);

/* The frames of one decrypted Initial payload (the second half of
 * sk_quic_conn_feed; for tests and fuzzing). Same returns. */
int sk_quic_conn_frames(struct sk_quic_conn *q, const uint8_t *p, size_t n,
                        struct sk_tls_client_hello *ch);

#endif
