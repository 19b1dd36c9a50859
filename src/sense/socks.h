/*
 * socks.h — the SOCKS 4/4a/5 negotiation at the start of a proxied
 * connection, so the protocol inside (TLS, HTTP) can be decoded after it.
 *
 * Fed the reassembled bytes of each side, it consumes exactly the
 * negotiation messages and says when each side is done; the caller then
 * hands the following bytes to the decoder of the tunnelled protocol.
 */
#ifndef SK_SENSE_SOCKS_H
#define SK_SENSE_SOCKS_H

#include <stddef.h>
#include <stdint.h>

struct sk_socks {
    uint8_t version;  /* 4 or 5 */
    uint8_t stage[2]; /* per side: messages consumed so far */
    uint8_t done[2];  /* per side: negotiation over */
    uint8_t granted;  /* the server accepted the request */
};

/* Does a client's first bytes look like a SOCKS 4 or 5 request? Returns the
 * version or 0. */
int sk_socks_looks_like(const uint8_t *p, size_t n);
void sk_socks_init(struct sk_socks *s, int version);
/* Feeds side `client` (1) or server (0). Returns bytes consumed (0: needs
 * more), or -SK_EPARSE for something that is not SOCKS or a refusal. */
int sk_socks_feed(struct sk_socks *s, int client, const uint8_t *p, size_t n);

#endif
