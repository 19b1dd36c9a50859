/*
 * sniff.h — the name a client meant, from its first bytes (internal to
 * src/act; used by the sinkhole listener).
 */
#ifndef SK_ACT_SNIFF_H
#define SK_ACT_SNIFF_H

#include <stddef.h>
#include <stdint.h>

enum {
    SK_SNIFF_NO = -1,    /* not this protocol */
    SK_SNIFF_MORE = 0,   /* this protocol so far: need more bytes */
    SK_SNIFF_NAME = 1,   /* found: the name is in the output buffer */
    SK_SNIFF_NONAME = 2, /* this protocol, but no (usable) name */
};

/* HTTP/1.x request: the Host header without its port, lower-case. */
int sk__sniff_http_host(const uint8_t *p, size_t n, char *host, size_t len);
/* TLS ClientHello in the first record: the server_name, lower-case. */
int sk__sniff_tls_sni(const uint8_t *p, size_t n, char *sni, size_t len);

#endif
