/*
 * tls.h — TLS handshakes seen on the wire: ClientHello, ServerHello and the
 * server certificate, their fingerprints (JA3, JA3S, JA4) and a stream
 * decoder that follows one connection's records.
 *
 * The hello parsers take a handshake message body (after the 4-byte
 * handshake header) and never read outside it. The connection decoder takes
 * the reassembled bytes of each direction (stream.h), splits TLS records,
 * joins handshake messages that span records, and calls back when a
 * handshake is ready to report: after the ServerHello for TLS 1.3 (the
 * certificate is encrypted), after the Certificate (or the end of the
 * server's plaintext flight) for TLS 1.2 and older, before a second
 * ClientHello (HelloRetryRequest), or at the end of the connection.
 *
 * Fingerprints:
 *   JA3   MD5 of "version,ciphers,extensions,groups,point formats" (decimal,
 *         '-'-joined, GREASE values left out) — as Salesforce's JA3 and
 *         Wireshark's tls.handshake.ja3.
 *   JA3S  MD5 of "version,cipher,extensions" of the ServerHello.
 *   JA4   FoxIO's JA4 (TLS client): t|q, version, d|i, cipher count,
 *         extension count, ALPN first+last character, then 12 hex digits of
 *         SHA-256 over the sorted ciphers and over the sorted extensions
 *         (without SNI and ALPN) + "_" + signature algorithms in order.
 */
#ifndef SK_SENSE_TLS_H
#define SK_SENSE_TLS_H

#include <stddef.h>
#include <stdint.h>

#define SK_TLS_MAX_LIST 256 /* values kept per list; more marks the hello truncated */
#define SK_TLS_NAME_MAX 256

struct sk_tls_client_hello {
    uint16_t legacy_version;
    uint16_t version; /* highest of supported_versions, else legacy_version */
    uint16_t ciphers[SK_TLS_MAX_LIST], n_ciphers;
    uint16_t exts[SK_TLS_MAX_LIST], n_exts;
    uint16_t groups[SK_TLS_MAX_LIST], n_groups;
    uint16_t sigalgs[SK_TLS_MAX_LIST], n_sigalgs;
    uint8_t ecpf[SK_TLS_MAX_LIST];
    uint16_t n_ecpf;
    uint8_t has_sni, has_alpn, truncated;
    char sni[SK_TLS_NAME_MAX];       /* printable; other bytes escaped \xNN */
    uint8_t alpn[SK_TLS_NAME_MAX];   /* first ALPN value, raw */
    uint16_t alpn_len;
};

struct sk_tls_server_hello {
    uint16_t legacy_version;
    uint16_t version; /* supported_versions when present */
    uint16_t cipher;
    uint16_t exts[SK_TLS_MAX_LIST], n_exts;
    uint8_t is_hrr;   /* a HelloRetryRequest */
    uint8_t truncated;
};

/* Parse a handshake body. 0, or -SK_ETRUNC / -SK_EPARSE. */
int sk_tls_parse_client_hello(const uint8_t *body, size_t len, struct sk_tls_client_hello *ch);
int sk_tls_parse_server_hello(const uint8_t *body, size_t len, struct sk_tls_server_hello *sh);

static inline int sk_tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Fingerprints. `raw` (may be NULL) receives the string before hashing. */
void sk_tls_ja3(const struct sk_tls_client_hello *ch, char out[33], char *raw, size_t rawlen);
void sk_tls_ja3s(const struct sk_tls_server_hello *sh, char out[33], char *raw, size_t rawlen);
/* proto: 't' TCP, 'q' QUIC, 'd' DTLS. out: 37 bytes. raw: JA4_r. */
void sk_tls_ja4(const struct sk_tls_client_hello *ch, char proto, char out[40], char *raw,
                size_t rawlen);
/* JA3 and JA4 of a ClientHello, through a per-thread cache of recent hello
 * shapes (the full key is compared: a hit is always right). */
void sk_tls_client_fingerprints(const struct sk_tls_client_hello *ch, char proto, char ja3[33],
                                char ja4[40]);
/* The first ALPN value as text (printable, else \xNN escapes). */
void sk_tls_alpn_text(const struct sk_tls_client_hello *ch, char *out, size_t len);

/* --- following a connection ----------------------------------------------- */

/* What a handshake report carries. */
struct sk_tls_report {
    int client_dir; /* stream direction (0/1) the ClientHello came from; -1 none */
    uint8_t has_ch, has_sh, has_cert;
    struct sk_tls_client_hello ch;
    struct sk_tls_server_hello sh;
    char ja3[33], ja3s[33], ja4[40];
    char cert_sha1[41], cert_sha256[65];
};

struct sk_tls_conn;
/* Called with each report; return < 0 to stop the connection's decoding. */
typedef int (*sk_tls_report_fn)(void *ctx, const struct sk_tls_report *r);

/* hs_cap bounds a handshake message being joined across records. */
struct sk_tls_conn *sk_tls_conn_new(uint32_t hs_cap);
void sk_tls_conn_free(struct sk_tls_conn *c);
/* Back to a fresh connection, keeping its buffers (for reuse). */
void sk_tls_conn_reset(struct sk_tls_conn *c);
/* Bytes the connection holds (for the stream memory budget). */
size_t sk_tls_conn_size(const struct sk_tls_conn *c);
/* Feeds in-order bytes of direction dir; returns bytes consumed (whole
 * records only) or -SK_EPARSE when the bytes are not TLS or are malformed
 * (the caller stops). */
int sk_tls_conn_feed(struct sk_tls_conn *c, int dir, const uint8_t *p, size_t n,
                     sk_tls_report_fn fn, void *ctx);
/* Nothing more to learn: the handshake was reported and what follows is
 * encrypted. */
int sk_tls_conn_done(const struct sk_tls_conn *c);
/* End of the connection: reports a ClientHello still pending. */
int sk_tls_conn_finish(struct sk_tls_conn *c, sk_tls_report_fn fn, void *ctx);

/* Does p look like the start of a TLS handshake record? (n >= 1) */
int sk_tls_looks_like(const uint8_t *p, size_t n);

#endif
