/*
 * quic.c — decrypting QUIC client Initial packets for their ClientHello.
 *
 * Long header (RFC 9000 §17.2), offset/size: 0/1 form|fixed|type|reserved|
 * packet number length (the low 4 bits header-protected), 1/4 version,
 * 5/1 DCID length, DCID (≤ 20), 1 SCID length, SCID (≤ 20); Initial only:
 * token length (varint), token, length (varint: packet number + payload),
 * packet number (1–4 bytes, protected), payload (AEAD, 16-byte tag).
 *
 * Keys (RFC 9001 §5.2, RFC 9369 for v2): initial_secret =
 * HKDF-Extract(version salt, DCID); client = HKDF-Expand-Label(initial,
 * "client in"); key/iv/hp = HKDF-Expand-Label(client, "quic key"/"quic
 * iv"/"quic hp") ("quicv2 …" in v2). Header protection: AES-ECB(hp, the 16
 * bytes 4 after the packet number's start) masks the first byte's low bits
 * and the packet number. Payload: AES-128-GCM, nonce = iv XOR packet
 * number, additional data = the unprotected header. The tag is checked: a
 * packet that is not really QUIC fails there.
 *
 * Frames read in an Initial: PADDING, PING, ACK, CRYPTO (offset, length,
 * data), CONNECTION_CLOSE; any other stops the packet. CRYPTO data is
 * gathered into a buffer of SK_QUIC_CRYPTO_MAX bytes with up to 16
 * received ranges; the ClientHello is whole when [0, 4 + its length) is.
 * Crypto: nettle (HKDF, HMAC-SHA-256, AES, GCM).
 */
#include <nettle/aes.h>
#include <nettle/gcm.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/error.h"
#include "sense/quic.h"

#define V1 0x00000001u
#define V2 0x6b3343cfu
#define MAX_RANGES 16

static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};

static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A variable-length integer at p[*off]; -1 when cut short. */
static int varint(const uint8_t *p, size_t n, size_t *off, uint64_t *v)
{
    if (*off >= n)
        return -1;
    size_t len = (size_t)1 << (p[*off] >> 6);
    if (*off + len > n)
        return -1;
    uint64_t x = p[*off] & 0x3f;
    for (size_t i = 1; i < len; i++)
        x = x << 8 | p[*off + i];
    *off += len;
    *v = x;
    return 0;
}

static void expand_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t len)
{
    struct hmac_sha256_ctx h;
    uint8_t info[64];
    size_t ll = strlen(label), o = 0;

    info[o++] = (uint8_t)(len >> 8);
    info[o++] = (uint8_t)len;
    info[o++] = (uint8_t)(6 + ll);
    memcpy(info + o, "tls13 ", 6);
    o += 6;
    memcpy(info + o, label, ll);
    o += ll;
    info[o++] = 0; /* empty context */
    hmac_sha256_set_key(&h, 32, secret);
    hkdf_expand(&h, (nettle_hash_update_func *)hmac_sha256_update,
                (nettle_hash_digest_func *)hmac_sha256_digest, SHA256_DIGEST_SIZE, o, info, len,
                out);
}

int sk_quic_client_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                        struct sk_quic_keys *k)
{
    struct hmac_sha256_ctx h;
    uint8_t initial[32], client[32];

    if (version != V1 && version != V2)
        return -SK_EUNSUP;
    k->v2 = version == V2;
    hmac_sha256_set_key(&h, 20, k->v2 ? salt_v2 : salt_v1);
    hkdf_extract(&h, (nettle_hash_update_func *)hmac_sha256_update,
                 (nettle_hash_digest_func *)hmac_sha256_digest, SHA256_DIGEST_SIZE, dcid_len, dcid,
                 initial);
    expand_label(initial, "client in", client, 32);
    expand_label(client, k->v2 ? "quicv2 key" : "quic key", k->key, 16);
    expand_label(client, k->v2 ? "quicv2 iv" : "quic iv", k->iv, 12);
    expand_label(client, k->v2 ? "quicv2 hp" : "quic hp", k->hp, 16);
    return 0;
}

static int is_initial(uint8_t first, uint32_t version)
{
    uint8_t type = (first >> 4) & 3;
    return (first & 0xc0) == 0xc0 && ((version == V1 && type == 0) || (version == V2 && type == 1));
}

int sk_quic_looks_like_initial(const uint8_t *p, size_t n)
{
    return n >= 1200 && is_initial(p[0], rd32(p + 1));
}

int sk_quic_decrypt_initial(const uint8_t *p, size_t n, uint8_t *out, size_t *plen,
                            size_t *pkt_len)
{
    struct sk_quic_keys k;
    struct aes128_ctx hp;
    struct gcm_aes128_ctx gcm;
    uint8_t mask[16], hdr[128], nonce[12], tag[16];
    uint64_t token_len, length;
    size_t off = 5;
    int rc;

    if (n < 7)
        return -SK_ETRUNC;
    uint32_t version = rd32(p + 1);
    if (!is_initial(p[0], version))
        return -SK_EUNSUP;
    size_t dcil = p[off++];
    if (dcil > 20 || off + dcil + 1 > n)
        return dcil > 20 ? -SK_EPARSE : -SK_ETRUNC;
    const uint8_t *dcid = p + off;
    off += dcil;
    size_t scil = p[off++];
    if (scil > 20)
        return -SK_EPARSE;
    off += scil;
    if (varint(p, n, &off, &token_len) < 0 || token_len > n - off)
        return -SK_ETRUNC;
    off += (size_t)token_len;
    if (varint(p, n, &off, &length) < 0)
        return -SK_ETRUNC;
    size_t pn_off = off;
    if (length > n - pn_off)
        return -SK_ETRUNC;
    if (length < 4 + 16 || pn_off + 4 > sizeof hdr)
        return -SK_EPARSE;
    if ((rc = sk_quic_client_keys(version, dcid, dcil, &k)) < 0)
        return rc;

    /* header protection */
    aes128_set_encrypt_key(&hp, k.hp);
    aes128_encrypt(&hp, 16, mask, p + pn_off + 4);
    memcpy(hdr, p, pn_off + 4);
    hdr[0] ^= mask[0] & 0x0f;
    size_t pnlen = (size_t)(hdr[0] & 3) + 1;
    uint64_t pn = 0;
    for (size_t i = 0; i < pnlen; i++) {
        hdr[pn_off + i] ^= mask[1 + i];
        pn = pn << 8 | hdr[pn_off + i];
    }
    /* AEAD */
    memcpy(nonce, k.iv, 12);
    for (size_t i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
    size_t ct_len = (size_t)length - pnlen - 16;
    const uint8_t *ct = p + pn_off + pnlen;
    gcm_aes128_set_key(&gcm, k.key);
    gcm_aes128_set_iv(&gcm, 12, nonce);
    gcm_aes128_update(&gcm, pn_off + pnlen, hdr);
    gcm_aes128_decrypt(&gcm, ct_len, out, ct);
    gcm_aes128_digest(&gcm, 16, tag);
    if (memcmp(tag, ct + ct_len, 16) != 0)
        return -SK_EPARSE;
    *plen = ct_len;
    *pkt_len = pn_off + (size_t)length;
    return 0;
}

/* --- gathering the CRYPTO stream -------------------------------------------- */

struct range {
    uint32_t start, end;
};

struct sk_quic_conn {
    uint8_t crypto[SK_QUIC_CRYPTO_MAX];
    struct range r[MAX_RANGES];
    uint32_t nr;
    uint8_t plain[2048]; /* one decrypted packet (a datagram is ≤ 1500 here) */
};

struct sk_quic_conn *sk_quic_conn_new(void) { return calloc(1, sizeof(struct sk_quic_conn)); }
void sk_quic_conn_free(struct sk_quic_conn *q) { free(q); }
size_t sk_quic_conn_size(void) { return sizeof(struct sk_quic_conn); }

static int add_range(struct sk_quic_conn *q, uint32_t start, uint32_t end)
{
    uint32_t i = 0, j;
    while (i < q->nr && q->r[i].end < start)
        i++;
    j = i;
    while (j < q->nr && q->r[j].start <= end) {
        if (q->r[j].start < start)
            start = q->r[j].start;
        if (q->r[j].end > end)
            end = q->r[j].end;
        j++;
    }
    if (i == j) {
        if (q->nr == MAX_RANGES)
            return -SK_EPARSE;
        memmove(&q->r[i + 1], &q->r[i], (q->nr - i) * sizeof q->r[0]);
        q->nr++;
    } else if (j - i > 1) {
        memmove(&q->r[i + 1], &q->r[j], (q->nr - j) * sizeof q->r[0]);
        q->nr -= j - i - 1;
    }
    q->r[i].start = start;
    q->r[i].end = end;
    return 0;
}

/* The frames of one decrypted Initial. */
static int frames(struct sk_quic_conn *q, const uint8_t *p, size_t n)
{
    size_t off = 0;
    uint64_t a, b, c, cnt;

    while (off < n) {
        uint8_t type = p[off++];
        switch (type) {
        case 0x00: /* PADDING */
        case 0x01: /* PING */
            break;
        case 0x02:
        case 0x03: /* ACK: largest, delay, range count, first range, ranges, [ECN] */
            if (varint(p, n, &off, &a) < 0 || varint(p, n, &off, &b) < 0 ||
                varint(p, n, &off, &cnt) < 0 || varint(p, n, &off, &c) < 0 || cnt > n)
                return -SK_EPARSE;
            for (uint64_t i = 0; i < cnt; i++)
                if (varint(p, n, &off, &a) < 0 || varint(p, n, &off, &b) < 0)
                    return -SK_EPARSE;
            if (type == 0x03)
                for (int i = 0; i < 3; i++)
                    if (varint(p, n, &off, &a) < 0)
                        return -SK_EPARSE;
            break;
        case 0x06: /* CRYPTO: offset, length, data */
            if (varint(p, n, &off, &a) < 0 || varint(p, n, &off, &b) < 0 || b > n - off)
                return -SK_EPARSE;
            if (a + b > SK_QUIC_CRYPTO_MAX)
                return -SK_ETOOBIG;
            /* bytes already held keep their first value */
            for (uint64_t i = 0; i < b; i++) {
                uint32_t at = (uint32_t)(a + i);
                int held = 0;
                for (uint32_t r = 0; r < q->nr && !held; r++)
                    held = at >= q->r[r].start && at < q->r[r].end;
                if (!held)
                    q->crypto[at] = p[off + i];
            }
            if (b && add_range(q, (uint32_t)a, (uint32_t)(a + b)) < 0)
                return -SK_EPARSE;
            off += (size_t)b;
            break;
        case 0x1c:
        case 0x1d: /* CONNECTION_CLOSE */
            if (varint(p, n, &off, &a) < 0 || (type == 0x1c && varint(p, n, &off, &b) < 0) ||
                varint(p, n, &off, &c) < 0 || c > n - off)
                return -SK_EPARSE;
            off += (size_t)c;
            break;
        default:
            return -SK_EPARSE; /* not allowed in an Initial */
        }
    }
    return 0;
}

/* Is the ClientHello whole yet? */
static int client_hello_ready(struct sk_quic_conn *q, struct sk_tls_client_hello *ch)
{
    int rc;

    if (q->nr == 0 || q->r[0].start != 0 || q->r[0].end < 4)
        return 0;
    if (q->crypto[0] != 1) /* the first handshake message must be a ClientHello */
        return -SK_EPARSE;
    size_t mlen = (size_t)q->crypto[1] << 16 | (size_t)q->crypto[2] << 8 | q->crypto[3];
    if (4 + mlen > SK_QUIC_CRYPTO_MAX)
        return -SK_ETOOBIG;
    if (q->r[0].end < 4 + mlen)
        return 0;
    if ((rc = sk_tls_parse_client_hello(q->crypto + 4, mlen, ch)) < 0)
        return rc;
    return 1;
}

int sk_quic_conn_frames(struct sk_quic_conn *q, const uint8_t *p, size_t n,
                        struct sk_tls_client_hello *ch)
{
    int rc = frames(q, p, n);
    return rc < 0 ? rc : client_hello_ready(q, ch);
}

int sk_quic_conn_feed(struct sk_quic_conn *q, const uint8_t *p, size_t n,
                      struct sk_tls_client_hello *ch)
{
    size_t off = 0;
    int rc;

    /* a datagram may coalesce packets: the Initials come first */
    while (off < n) {
        size_t plen, pkt_len;
        if (n - off > sizeof q->plain)
            return -SK_ETOOBIG;
        rc = sk_quic_decrypt_initial(p + off, n - off, q->plain, &plen, &pkt_len);
        if (rc == -SK_EUNSUP && off > 0)
            break; /* a 0-RTT or Handshake packet after the Initial */
        if (rc < 0)
            return rc;
        if ((rc = frames(q, q->plain, plen)) < 0)
            return rc;
        off += pkt_len;
    }
    return client_hello_ready(q, ch);
}
