/*
 * http.h — the first HTTP/1.x request of a connection and its response's
 * status: request line, Host and User-Agent.
 *
 * The decoder is fed the reassembled bytes of each direction. It waits for
 * a whole request header block (up to the blank line; bounded by the
 * stream depth) before reading it, and for a whole status line from the
 * server. A CONNECT request answered with 2xx marks the connection as a
 * tunnel: the caller then decodes what follows (usually TLS) afresh, from
 * the byte after each side's header block.
 */
#ifndef SK_SENSE_HTTP_H
#define SK_SENSE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define SK_HTTP_METHOD_MAX 24
#define SK_HTTP_HOST_MAX 256
#define SK_HTTP_URI_MAX 2048
#define SK_HTTP_UA_MAX 512

struct sk_http_conn {
    char method[SK_HTTP_METHOD_MAX];
    char host[SK_HTTP_HOST_MAX]; /* lower-case, without :port */
    char uri[SK_HTTP_URI_MAX];   /* printable; other bytes escaped \xNN */
    char user_agent[SK_HTTP_UA_MAX];
    uint16_t status;
    int8_t client_dir;   /* direction the request came from; -1 unknown */
    uint8_t have_req, have_resp;
    uint8_t has_host, has_ua;
    uint8_t tunnel;      /* CONNECT answered 2xx: the rest is another protocol */
    uint8_t req_done, resp_done; /* header blocks consumed (for CONNECT) */
};

void sk_http_conn_init(struct sk_http_conn *h);
/* Does p start like a request ("GET /…", any known method) or a response
 * ("HTTP/1.")? As far as n bytes can tell. */
int sk_http_looks_like_request(const uint8_t *p, size_t n);
int sk_http_looks_like_response(const uint8_t *p, size_t n);
/* Feeds in-order bytes of direction dir. Returns the bytes consumed (0:
 * needs more), -SK_EPARSE when it is not HTTP, -SK_ETOOBIG when a header
 * block is longer than max_header. */
int sk_http_conn_feed(struct sk_http_conn *h, int dir, const uint8_t *p, size_t n,
                      size_t max_header);
/* Request and response both seen (or the tunnel is open). */
static inline int sk_http_complete(const struct sk_http_conn *h)
{
    return h->have_req && h->have_resp && (!h->tunnel || (h->req_done && h->resp_done));
}
/* Parses one request header block [p, p + n) into h (for tests/fuzzing). */
int sk_http_parse_request(struct sk_http_conn *h, const uint8_t *p, size_t n);

#endif
