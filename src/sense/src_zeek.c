/*
 * src_zeek.c — Zeek logs: conn, dns, ssl and http, as TSV with #fields
 * headers or as JSON lines, plain or gzip.
 *
 * TSV: the header block (#separator, #set_separator, #empty_field,
 * #unset_field, #path, #fields) is read whenever it appears, so
 * concatenated logs work; columns are split in place on the separator,
 * "\xHH" escapes decoded, and the unset and empty markers honoured. JSON:
 * one object per line (jscan.c), keys as Zeek writes them ("id.orig_h"),
 * ts as seconds or ISO 8601. Which log a line belongs to comes from #path,
 * a "_path" member, the file name (conn*.log, dns*, ssl*, http*), or —
 * for JSON without either — the members it has.
 *
 * Mapping (Zeek → sk_event); id.orig → src, id.resp → dst throughout:
 *   conn → flow: orig_pkts/orig_ip_bytes → out, resp_pkts/resp_ip_bytes →
 *          in (IP-layer bytes, as sakimori counts), ts/duration → ts/ts_end,
 *          history → TCP flags each way (S SYN, H SYN+ACK, A/D ACK, F FIN,
 *          R RST; upper case originator, lower case responder), conn_state
 *          → tcp_state (1 S0, 2 S1, 3 SF, 4 REJ, 5 S2, 6 S3, 7 RSTO, 8 RSTR,
 *          9 RSTOS0, 10 RSTRH, 11 SH, 12 SHR, 13 OTH); ICMP: id.orig_p is
 *          the type, id.resp_p the code, as the packet decoder has them.
 *   dns  → dns: query, qtype, qclass, trans_id, rcode (a response when
 *          set), answers with TTLs: an address answer is A/AAAA, a name is
 *          of the query's type (CNAME when the query asked for an address).
 *   ssl  → tls: server_name → sni, version → server_version, next_protocol
 *          → alpn, ja3/ja3s when the JA3 package logs them, the first of
 *          cert_chain_fps → cert_sha256.
 *   http → http: method, host, uri, user_agent, status_code.
 * Lines of other logs (files, x509, weird, …) are skipped; a line whose
 * columns, time or addresses do not parse is malformed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/error.h"
#include "sakimori/source.h"
#include "sense/jscan.h"
#include "sense/linereader.h"
#include "sense/logsrc.h"
#include "sense/textconv.h"

#define MAX_COLUMNS 256
#define MAX_VEC 64

enum zlog { Z_UNKNOWN = 0, Z_CONN, Z_DNS, Z_SSL, Z_HTTP, Z_OTHER };

enum zf {
    F_NONE = 0,
    F_TS, F_ORIG_H, F_ORIG_P, F_RESP_H, F_RESP_P, F_PROTO, F_PATH,
    F_DURATION, F_ORIG_PKTS, F_ORIG_IP_BYTES, F_RESP_PKTS, F_RESP_IP_BYTES, F_CONN_STATE,
    F_HISTORY,
    F_TRANS_ID, F_QUERY, F_QCLASS, F_QTYPE, F_RCODE, F_ANSWERS, F_TTLS,
    F_VERSION, F_SERVER_NAME, F_NEXT_PROTOCOL, F_JA3, F_JA3S, F_CERT_FPS, F_CIPHER,
    F_ESTABLISHED,
    F_METHOD, F_HOST, F_URI, F_USER_AGENT, F_STATUS_CODE,
    F_COUNT
};

static const struct {
    const char *name;
    uint8_t id;
} field_names[] = {
    {"ts", F_TS}, {"id.orig_h", F_ORIG_H}, {"id.orig_p", F_ORIG_P}, {"id.resp_h", F_RESP_H},
    {"id.resp_p", F_RESP_P}, {"proto", F_PROTO}, {"_path", F_PATH},
    {"duration", F_DURATION}, {"orig_pkts", F_ORIG_PKTS}, {"orig_ip_bytes", F_ORIG_IP_BYTES},
    {"resp_pkts", F_RESP_PKTS}, {"resp_ip_bytes", F_RESP_IP_BYTES},
    {"conn_state", F_CONN_STATE}, {"history", F_HISTORY},
    {"trans_id", F_TRANS_ID}, {"query", F_QUERY}, {"qclass", F_QCLASS}, {"qtype", F_QTYPE},
    {"rcode", F_RCODE}, {"answers", F_ANSWERS}, {"TTLs", F_TTLS},
    {"version", F_VERSION}, {"server_name", F_SERVER_NAME}, {"next_protocol", F_NEXT_PROTOCOL},
    {"ja3", F_JA3}, {"ja3s", F_JA3S}, {"cert_chain_fps", F_CERT_FPS}, {"cipher", F_CIPHER},
    {"established", F_ESTABLISHED},
    {"method", F_METHOD}, {"host", F_HOST}, {"uri", F_URI}, {"user_agent", F_USER_AGENT},
    {"status_code", F_STATUS_CODE},
};

static uint8_t field_id(const char *k, size_t len)
{
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
        if (strlen(field_names[i].name) == len && memcmp(field_names[i].name, k, len) == 0)
            return field_names[i].id;
    return F_NONE;
}

/* One record's values, as text (NUL-terminated, in the line). */
struct zrec {
    const char *v[F_COUNT];
    size_t vlen[F_COUNT];
    const char *vec[2][MAX_VEC]; /* answers, TTLs (dns); fps in [0] for ssl */
    uint16_t nvec[2];
    struct sk_dns_rr rr[MAX_VEC];
    char numbers[4096]; /* JSON number tokens, NUL-terminated copies */
    size_t numbers_used;
};

/* A terminated copy of a JSON number token (tokens in the line have no
 * terminator of their own), or NULL when the record has too many. */
static const char *keep_number(struct zrec *r, const char *tok, size_t len)
{
    if (r->numbers_used + len + 1 > sizeof r->numbers)
        return NULL;
    char *p = r->numbers + r->numbers_used;
    memcpy(p, tok, len);
    p[len] = '\0';
    r->numbers_used += len + 1;
    return p;
}

struct src_zeek {
    struct sk_source base;
    struct sk_lines *lines;
    enum zlog file_log; /* from the file name */
    /* TSV header state */
    int have_fields;
    char sep, set_sep;
    char empty[32], unset[32];
    enum zlog path_log;
    uint8_t col[MAX_COLUMNS];
    size_t ncols;
    struct zrec rec;
};

/* --- shared ---------------------------------------------------------------------- */

static enum zlog log_from_name(const char *s, size_t len)
{
    if (len >= 4 && !memcmp(s, "conn", 4))
        return Z_CONN;
    if (len >= 3 && !memcmp(s, "dns", 3))
        return Z_DNS;
    if (len >= 3 && !memcmp(s, "ssl", 3))
        return Z_SSL;
    if (len >= 4 && !memcmp(s, "http", 4))
        return Z_HTTP;
    return Z_OTHER;
}

static enum zlog log_from_members(const struct zrec *r)
{
    if (r->v[F_CONN_STATE] || r->v[F_ORIG_IP_BYTES] || r->v[F_HISTORY])
        return Z_CONN;
    if (r->v[F_QUERY] || r->v[F_QTYPE] || r->v[F_TRANS_ID])
        return Z_DNS;
    if (r->v[F_SERVER_NAME] || r->v[F_CIPHER] || r->v[F_ESTABLISHED])
        return Z_SSL;
    if (r->v[F_METHOD] || r->v[F_URI] || r->v[F_STATUS_CODE])
        return Z_HTTP;
    return Z_OTHER;
}

static uint64_t num(const struct zrec *r, int f)
{
    uint64_t v = 0;
    if (r->v[f])
        sk_tc_u64(r->v[f], r->vlen[f], &v);
    return v;
}

static const char *sval(const struct zrec *r, int f) { return r->v[f]; }

static uint8_t history_flags(const char *h, int responder)
{
    uint8_t f = 0;
    for (; h && *h; h++) {
        char c = *h;
        int upper = c >= 'A' && c <= 'Z';
        if (upper == responder || c == '^')
            continue;
        switch (c | 0x20) {
        case 's': f |= 0x02; break;
        case 'h': f |= 0x12; break;
        case 'a': case 'd': f |= 0x10; break;
        case 'f': f |= 0x01; break;
        case 'r': f |= 0x04; break;
        }
    }
    return f;
}

static uint8_t conn_state_code(const char *s)
{
    static const char *const states[] = {"S0", "S1", "SF", "REJ", "S2", "S3", "RSTO",
                                         "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH"};
    for (size_t i = 0; s && i < sizeof states / sizeof states[0]; i++)
        if (!strcmp(s, states[i]))
            return (uint8_t)(i + 1);
    return 0;
}

static uint16_t tls_version(const char *s)
{
    if (!s)
        return 0;
    if (!strcmp(s, "TLSv13"))
        return 0x0304;
    if (!strcmp(s, "TLSv12"))
        return 0x0303;
    if (!strcmp(s, "TLSv11"))
        return 0x0302;
    if (!strcmp(s, "TLSv10"))
        return 0x0301;
    if (!strcmp(s, "SSLv3"))
        return 0x0300;
    if (!strcmp(s, "SSLv2"))
        return 0x0002;
    if (!strcmp(s, "DTLSv10"))
        return 0xfeff;
    if (!strcmp(s, "DTLSv12"))
        return 0xfefd;
    if (!strcmp(s, "DTLSv13"))
        return 0xfefc;
    return 0;
}

static int parse_time(const char *s, size_t len, sk_nstime *t)
{
    if (sk_tc_epoch(s, len, t) == 0)
        return 0;
    return sk_tc_isotime(s, len, t);
}

/* Builds the event of a record of log type lt. 1 deliver, 0 skip, -1
 * malformed (*why). */
static int build(enum zlog lt, struct zrec *r, struct sk_event *ev, const char **why)
{
    memset(ev, 0, sizeof *ev);
    switch (lt) {
    case Z_CONN: ev->kind = SK_EVENT_FLOW; break;
    case Z_DNS: ev->kind = SK_EVENT_DNS; break;
    case Z_SSL: ev->kind = SK_EVENT_TLS; break;
    case Z_HTTP: ev->kind = SK_EVENT_HTTP; break;
    default: return 0;
    }
    if (!r->v[F_TS] || parse_time(r->v[F_TS], r->vlen[F_TS], &ev->ts) < 0) {
        *why = "a time in ts";
        return -1;
    }
    ev->ts_end = ev->ts;
    if (!r->v[F_ORIG_H] || sk_tc_addr(r->v[F_ORIG_H], r->vlen[F_ORIG_H], &ev->src) < 0) {
        *why = "an IP address in id.orig_h";
        return -1;
    }
    if (!r->v[F_RESP_H] || sk_tc_addr(r->v[F_RESP_H], r->vlen[F_RESP_H], &ev->dst) < 0) {
        *why = "an IP address in id.resp_h";
        return -1;
    }
    ev->sport = (uint16_t)num(r, F_ORIG_P);
    ev->dport = (uint16_t)num(r, F_RESP_P);
    ev->proto = r->v[F_PROTO] ? sk__proto_code(r->v[F_PROTO]) : lt == Z_DNS ? 17 : 6;

    switch (lt) {
    case Z_CONN: {
        struct sk_ev_flow *f = &ev->u.flow;
        uint64_t dur = 0;
        if (r->v[F_DURATION] && sk_tc_seconds(r->v[F_DURATION], r->vlen[F_DURATION], &dur) < 0) {
            *why = "seconds in duration";
            return -1;
        }
        ev->ts_end = ev->ts + dur;
        f->pkts_out = num(r, F_ORIG_PKTS);
        f->bytes_out = num(r, F_ORIG_IP_BYTES);
        f->pkts_in = num(r, F_RESP_PKTS);
        f->bytes_in = num(r, F_RESP_IP_BYTES);
        if (ev->proto == 6) {
            f->tcp_flags_out = history_flags(sval(r, F_HISTORY), 0);
            f->tcp_flags_in = history_flags(sval(r, F_HISTORY), 1);
        }
        f->tcp_state = conn_state_code(sval(r, F_CONN_STATE));
        f->end_reason = SK_FLOW_END_EXPORTED;
        break;
    }
    case Z_DNS: {
        struct sk_ev_dns *d = &ev->u.dns;
        d->qname = sval(r, F_QUERY);
        d->qtype = (uint16_t)num(r, F_QTYPE);
        d->qclass = (uint16_t)num(r, F_QCLASS);
        d->id = (uint16_t)num(r, F_TRANS_ID);
        d->is_response = r->v[F_RCODE] != NULL;
        d->rcode = (uint8_t)num(r, F_RCODE);
        for (uint16_t i = 0; i < r->nvec[0]; i++) {
            struct sk_dns_rr *rr = &r->rr[i];
            const char *a = r->vec[0][i];
            memset(rr, 0, sizeof *rr);
            rr->name = d->qname;
            rr->rclass = 1;
            if (i < r->nvec[1]) {
                uint64_t ttl = 0;
                sk_tc_seconds(r->vec[1][i], strlen(r->vec[1][i]), &ttl);
                rr->ttl = (uint32_t)(ttl / SK_NS_PER_SEC);
            }
            if (sk_tc_addr(a, strlen(a), &rr->addr) == 0) {
                rr->type = rr->addr.family == SK_AF_INET6 ? 28 : 1;
            } else {
                rr->type = d->qtype == 1 || d->qtype == 28 ? 5 : d->qtype;
                rr->data = a;
            }
        }
        d->n_answers = r->nvec[0];
        d->answers = r->nvec[0] ? r->rr : NULL;
        break;
    }
    case Z_SSL: {
        struct sk_ev_tls *t = &ev->u.tls;
        t->sni = sval(r, F_SERVER_NAME);
        t->alpn = sval(r, F_NEXT_PROTOCOL);
        t->server_version = tls_version(sval(r, F_VERSION));
        t->ja3 = sval(r, F_JA3);
        t->ja3s = sval(r, F_JA3S);
        t->cert_sha256 = r->nvec[0] ? r->vec[0][0] : NULL;
        break;
    }
    case Z_HTTP: {
        struct sk_ev_http *h = &ev->u.http;
        h->method = sval(r, F_METHOD);
        h->host = sval(r, F_HOST);
        h->uri = sval(r, F_URI);
        h->user_agent = sval(r, F_USER_AGENT);
        uint64_t st = num(r, F_STATUS_CODE);
        h->status = (uint16_t)(st > 999 ? 0 : st);
        break;
    }
    default:
        break;
    }
    return 1;
}

/* --- TSV --------------------------------------------------------------------------- */

/* Decodes Zeek's \xHH escapes in place; returns the new length. */
static size_t unescape_hex(char *s, size_t len)
{
    size_t r = 0, w = 0;
    while (r < len) {
        if (s[r] == '\\' && r + 3 < len && s[r + 1] == 'x') {
            int hi = s[r + 2], lo = s[r + 3], h, l;
            h = hi >= '0' && hi <= '9' ? hi - '0' : (hi | 0x20) >= 'a' && (hi | 0x20) <= 'f' ? (hi | 0x20) - 'a' + 10 : -1;
            l = lo >= '0' && lo <= '9' ? lo - '0' : (lo | 0x20) >= 'a' && (lo | 0x20) <= 'f' ? (lo | 0x20) - 'a' + 10 : -1;
            if (h >= 0 && l >= 0 && (h || l)) {
                s[w++] = (char)(h << 4 | l);
                r += 4;
                continue;
            }
        }
        s[w++] = s[r++];
    }
    s[w] = '\0';
    return w;
}

/* "#separator \x09" → '\t' */
static int header_char(const char *v, char *out)
{
    if (v[0] == '\\' && v[1] == 'x' && v[2] && v[3]) {
        char hex[3] = {v[2], v[3], 0};
        char *end;
        unsigned long c = strtoul(hex, &end, 16);
        if (*end || c == 0 || c > 255)
            return -1;
        *out = (char)c;
        return 0;
    }
    if (v[0] && !v[1]) {
        *out = v[0];
        return 0;
    }
    return -1;
}

/* A '#' line. Returns 0, or -1 with *why. */
static int tsv_header(struct src_zeek *z, char *line, size_t len, const char **why)
{
    if (len >= 11 && !memcmp(line, "#separator ", 11)) {
        if (header_char(line + 11, &z->sep) < 0) {
            *why = "a separator like \\x09 after #separator";
            return -1;
        }
        return 0;
    }
    /* the other header lines use the separator itself */
    char *tab = memchr(line, z->sep, len);
    if (!tab)
        return 0; /* a comment */
    size_t klen = (size_t)(tab - line);
    char *val = tab + 1;
    size_t vlen = len - klen - 1;
    if (klen == 14 && !memcmp(line, "#set_separator", 14)) {
        if (header_char(val, &z->set_sep) < 0) {
            *why = "one character after #set_separator";
            return -1;
        }
    } else if (klen == 12 && !memcmp(line, "#empty_field", 12)) {
        snprintf(z->empty, sizeof z->empty, "%.*s", (int)vlen, val);
    } else if (klen == 12 && !memcmp(line, "#unset_field", 12)) {
        snprintf(z->unset, sizeof z->unset, "%.*s", (int)vlen, val);
    } else if (klen == 5 && !memcmp(line, "#path", 5)) {
        z->path_log = log_from_name(val, vlen);
    } else if (klen == 7 && !memcmp(line, "#fields", 7)) {
        z->ncols = 0;
        char *p = val, *end = val + vlen;
        while (p <= end) {
            char *q = memchr(p, z->sep, (size_t)(end - p));
            if (!q)
                q = end;
            if (z->ncols == MAX_COLUMNS) {
                *why = "at most 256 columns in #fields";
                return -1;
            }
            z->col[z->ncols++] = field_id(p, (size_t)(q - p));
            p = q + 1;
        }
        z->have_fields = 1;
    }
    return 0;
}

static void split_vec(struct zrec *r, int which, char *s, char sep)
{
    r->nvec[which] = 0;
    while (s && r->nvec[which] < MAX_VEC) {
        char *c = strchr(s, sep);
        if (c)
            *c = '\0';
        r->vec[which][r->nvec[which]++] = s;
        s = c ? c + 1 : NULL;
    }
}

static int tsv_record(struct src_zeek *z, char *line, size_t len, const char **why)
{
    struct zrec *r = &z->rec;
    char *p = line, *end = line + len;
    size_t c = 0;

    memset(r->v, 0, sizeof r->v);
    r->nvec[0] = r->nvec[1] = 0;
    for (;; c++) {
        char *q = memchr(p, z->sep, (size_t)(end - p));
        if (!q)
            q = end;
        if (c >= z->ncols) {
            *why = "no more columns than #fields names";
            return -1;
        }
        *q = '\0';
        size_t flen = (size_t)(q - p);
        uint8_t f = z->col[c];
        if (f && strcmp(p, z->unset) != 0) {
            if (strcmp(p, z->empty) == 0)
                flen = 0, *p = '\0';
            else if (memchr(p, '\\', flen))
                flen = unescape_hex(p, flen);
            r->v[f] = p;
            r->vlen[f] = flen;
        }
        if (q == end)
            break;
        p = q + 1;
    }
    if (c + 1 != z->ncols) {
        *why = "as many columns as #fields names";
        return -1;
    }
    if (r->v[F_ANSWERS] && r->vlen[F_ANSWERS])
        split_vec(r, 0, (char *)r->v[F_ANSWERS], z->set_sep);
    if (r->v[F_TTLS] && r->vlen[F_TTLS])
        split_vec(r, 1, (char *)r->v[F_TTLS], z->set_sep);
    if (r->v[F_CERT_FPS] && r->vlen[F_CERT_FPS])
        split_vec(r, 0, (char *)r->v[F_CERT_FPS], z->set_sep);
    return 0;
}

/* --- JSON -------------------------------------------------------------------------- */

static int json_vec(struct sk_js *js, struct zrec *r, int which)
{
    int rc;
    if ((rc = sk_js_array(js)) < 0)
        return rc;
    r->nvec[which] = 0;
    while ((rc = sk_js_next(js)) > 0) {
        int t = sk_js_peek(js);
        const char *v = NULL;
        if (t == SK_JS_STRING) {
            char *str;
            rc = sk_js_string(js, &str, NULL);
            v = str;
        } else if (t == SK_JS_NUMBER) {
            const char *tok;
            size_t len;
            int is_int;
            if ((rc = sk_js_number(js, &tok, &len, &is_int)) == 0)
                v = keep_number(r, tok, len);
        } else {
            rc = sk_js_skip(js);
        }
        if (rc < 0)
            return rc;
        if (v && r->nvec[which] < MAX_VEC)
            r->vec[which][r->nvec[which]++] = v;
    }
    return rc;
}

static int json_record(struct sk_js *js, struct zrec *r)
{
    const char *k;
    size_t klen;
    int rc;

    memset(r->v, 0, sizeof r->v);
    r->nvec[0] = r->nvec[1] = 0;
    r->numbers_used = 0;
    if ((rc = sk_js_object(js)) < 0)
        return rc;
    while ((rc = sk_js_key(js, &k, &klen)) > 0) {
        uint8_t f = field_id(k, klen);
        int t = sk_js_peek(js);
        if (!f) {
            rc = sk_js_skip(js);
        } else if (t == SK_JS_STRING) {
            char *s;
            size_t len;
            rc = sk_js_string(js, &s, &len);
            r->v[f] = s;
            r->vlen[f] = len;
        } else if (t == SK_JS_NUMBER) {
            const char *tok;
            size_t len;
            int is_int;
            if ((rc = sk_js_number(js, &tok, &len, &is_int)) == 0 &&
                (r->v[f] = keep_number(r, tok, len)))
                r->vlen[f] = len;
        } else if (t == SK_JS_TRUE || t == SK_JS_FALSE) {
            int b;
            rc = sk_js_bool(js, &b);
            r->v[f] = b ? "T" : "F";
            r->vlen[f] = 1;
        } else if (t == SK_JS_ARRAY && (f == F_ANSWERS || f == F_TTLS || f == F_CERT_FPS)) {
            rc = json_vec(js, r, f == F_TTLS ? 1 : 0);
            r->v[f] = "";
            r->vlen[f] = 0;
        } else {
            rc = sk_js_skip(js);
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    return sk_js_done(js);
}

/* --- the source -------------------------------------------------------------------- */

size_t sk__zeek_state_size(void) { return sizeof(struct src_zeek); }

void sk__zeek_state_init(void *state, const char *path)
{
    struct src_zeek *z = state;
    const char *base = path ? (strrchr(path, '/') ? strrchr(path, '/') + 1 : path) : "";
    memset(z, 0, sizeof *z);
    z->sep = '\t';
    z->set_sep = ',';
    snprintf(z->empty, sizeof z->empty, "(empty)");
    snprintf(z->unset, sizeof z->unset, "-");
    z->file_log = log_from_name(base, strlen(base));
}

/* One line → event. 1 event, 0 nothing (header, other log), -1 malformed
 * with *why and *where (byte offset in the line). */
int sk__zeek_line(void *state, char *line, size_t len, struct sk_event *ev, const char **why,
                  size_t *where)
{
    struct src_zeek *z = state;
    struct zrec *r = &z->rec;
    enum zlog lt;

    *where = 0;
    if (line[0] == '#')
        return tsv_header(z, line, len, why) < 0 ? -1 : 0;
    size_t lead = 0;
    while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
        lead++;
    if (lead < len && line[lead] == '{') {
        struct sk_js js;
        sk_js_init(&js, line, len);
        if (json_record(&js, r) < 0) {
            *why = js.err;
            *where = js.err_off;
            return -1;
        }
        lt = r->v[F_PATH] ? log_from_name(r->v[F_PATH], r->vlen[F_PATH])
             : z->file_log != Z_OTHER ? z->file_log : log_from_members(r);
    } else {
        if (!z->have_fields) {
            *why = "a #fields header before the first record";
            return -1;
        }
        if (tsv_record(z, line, len, why) < 0)
            return -1;
        lt = z->path_log != Z_UNKNOWN ? z->path_log : z->file_log;
    }
    return build(lt, r, ev, why);
}

static int zeek_probe(const char *path, const uint8_t *h, size_t len)
{
    char text[1024];
    size_t n = sk__probe_text(h, len, text, sizeof text);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

    if (n >= 10 && !memcmp(text, "#separator", 10))
        return 95;
    if (n && text[0] == '{' && (memmem(text, n, "\"id.orig_h\"", 11) || memmem(text, n, "\"uid\"", 5)))
        return 85;
    if (log_from_name(base, strlen(base)) != Z_OTHER && strstr(base, ".log"))
        return n && text[0] == '{' ? 60 : 30;
    return 0;
}

static int zeek_open(struct sk_source **out, const char *path,
                     const struct sk_source_opts *opts, struct sk_errinfo *ei)
{
    struct src_zeek *z = malloc(sizeof *z);
    struct sk_lines_opts lo = {.follow = opts->follow, .stop = opts->stop,
                               .idle_stop = opts->idle_stop};
    int rc;

    if (!z)
        return -SK_ENOMEM;
    sk__zeek_state_init(z, path);
    if ((rc = sk_lines_open(&z->lines, path, &lo, ei)) < 0) {
        free(z);
        return rc;
    }
    z->base.stats.bytes_total = sk_lines_size(z->lines);
    *out = &z->base;
    return 0;
}

static int zeek_run(struct sk_source *src, sk_event_fn emit, void *ctx)
{
    struct src_zeek *z = (struct src_zeek *)src;
    struct sk_logsrc_report rep = {.src = src, .what = "Zeek log line"};
    char *line;
    size_t len;
    int rc = 0, r;

    while ((r = sk_lines_next(z->lines, &line, &len)) != 0) {
        src->stats.bytes = sk_lines_offset(z->lines);
        if (r == -SK_ETOOBIG) {
            src->stats.records++;
            sk__logsrc_malformed(&rep, sk_lines_lineno(z->lines), 0, "a line of at most 16 MiB");
            continue;
        }
        if (r < 0) {
            rc = sk_fail(&src->err, r, "%s", sk_lines_error(z->lines));
            break;
        }
        if (len == 0)
            continue;
        if (line[0] != '#')
            src->stats.records++;
        struct sk_event ev;
        const char *why = NULL;
        size_t where = 0;
        int k = sk__zeek_line(z, line, len, &ev, &why, &where);
        if (k < 0) {
            if (line[0] == '#')
                src->stats.records++; /* a broken header counts as a bad record */
            sk__logsrc_malformed(&rep, sk_lines_lineno(z->lines), where, why);
            continue;
        }
        if (k == 0) {
            if (line[0] != '#')
                src->stats.skipped++;
            continue;
        }
        ev.privacy = src->opts.privacy;
        ev.source_id = src->opts.source_id;
        src->stats.events++;
        if ((rc = emit(ctx, &ev)) < 0)
            break;
    }
    src->stats.bytes = sk_lines_offset(z->lines);
    return rc;
}

static void zeek_close(struct sk_source *src)
{
    struct src_zeek *z = (struct src_zeek *)src;
    sk_lines_close(z->lines);
    free(z);
}

const struct sk_source_ops sk__src_zeek = {
    .name = "zeek",
    .api = SK_SOURCE_API,
    .desc = "Zeek conn, dns, ssl and http logs (TSV or JSON, plain or gzip)",
    .probe = zeek_probe,
    .open = zeek_open,
    .run = zeek_run,
    .close = zeek_close,
};
