/*
 * import.c — feed importers for text formats, and the format dispatcher.
 *
 * Text formats are read whole (capped at FEED_CAP) and walked line by line;
 * every error is "file:line: what was expected" and stops the import (the
 * caller's transaction then lands nothing).
 *
 *   plain     one value per line; '#' starts a comment; the type is guessed
 *             (address, prefix, URL, domain) unless --type says it
 *   csv       RFC 4180 fields (quotes, doubled quotes; one record per line),
 *             '#' comment lines; --columns maps fields to value, type,
 *             confidence, tlp, labels, first_seen, last_seen, valid_from,
 *             valid_until, description by 1-based number or, with --header,
 *             by name
 *   abuse.ch  Feodo Tracker, SSLBL JA3 and URLhaus CSV: the header is the
 *             last comment line naming the columns ("# ja3_md5,Firstseen,…")
 *             or a quoted line ("first_seen_utc","dst_ip",…); columns are
 *             found by name, so the older and newer layouts both read.
 *             Dates "YYYY-MM-DD[ HH:MM:SS]" are UTC.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "intel/feed-int.h"
#include "sakimori/file.h"
#include "sakimori/intel-feed.h"

#define FEED_CAP (1ULL << 30)
#define MAX_FIELDS 64
#define MAX_LABELS 32

static const char *const format_names[] = {
    [SK_FEED_AUTO] = "auto", [SK_FEED_PLAIN] = "plain", [SK_FEED_CSV] = "csv",
    [SK_FEED_FEODO] = "feodo", [SK_FEED_SSLBL_JA3] = "sslbl-ja3", [SK_FEED_URLHAUS] = "urlhaus",
    [SK_FEED_STIX] = "stix", [SK_FEED_MISP_EVENT] = "misp-event", [SK_FEED_MISP_FEED] = "misp-feed",
};

const char *sk_feed_format_name(enum sk_feed_format f)
{
    return f <= SK_FEED_MISP_FEED ? format_names[f] : "unknown";
}

int sk_feed_format_parse(const char *s, enum sk_feed_format *out)
{
    for (int f = 0; f <= SK_FEED_MISP_FEED; f++) {
        if (strcmp(s, format_names[f]) == 0) {
            *out = (enum sk_feed_format)f;
            return 0;
        }
    }
    return -SK_EINVAL;
}

/* --- shared by every importer ------------------------------------------------ */

int sk__feed_emit(const struct sk__feed *im, uint8_t type, const char *value,
                  const struct sk_ioc_source *src, const char *where)
{
    struct sk_ioc_record r;
    const char *labels[MAX_LABELS + 1];
    char canon[8192], why[512];
    enum sk_ioc_type t = (enum sk_ioc_type)type;
    size_t nl = 0;

    if (sk_ioc_canon(&t, value, canon, sizeof canon, why, sizeof why) < 0)
        return sk_fail(im->ei, -SK_EPARSE, "%s: %s", where, why);
    r.type = (uint8_t)t;
    r.value = canon;
    r.src = *src;
    r.src.name = im->o->source;
    if (!r.src.first_seen && !r.src.last_seen)
        r.src.first_seen = r.src.last_seen = im->o->now;
    for (const char *const *l = src->labels; l && *l && nl < MAX_LABELS; l++)
        if (**l)
            labels[nl++] = *l;
    for (const char *const *l = im->o->labels; l && *l && nl < MAX_LABELS; l++) {
        size_t k = 0;
        while (k < nl && strcmp(labels[k], *l) != 0)
            k++;
        if (k == nl)
            labels[nl++] = *l;
    }
    labels[nl] = NULL;
    r.src.labels = nl ? labels : NULL;
    int rc = im->sink->record(im->sink->ctx, &r);
    if (rc < 0 && im->ei && !im->ei->msg[0])
        sk_errinfo_set(im->ei, "%s: %s", where, sk_strerror(rc));
    return rc;
}

void sk__feed_skip(const struct sk__feed *im, const char *where, const char *why)
{
    if (im->sink->skip)
        im->sink->skip(im->sink->ctx, where, why);
}

int sk__feed_time(const char *s, sk_nstime *out)
{
    char buf[64];
    size_t n = strlen(s);

    if (n == 0 || n >= sizeof buf - 12)
        return -SK_EPARSE;
    memcpy(buf, s, n + 1);
    if (n == 10) /* a date */
        memcpy(buf + 10, "T00:00:00Z", 11);
    else if (n == 19) /* "YYYY-MM-DD HH:MM:SS", UTC */
        memcpy(buf + 19, "Z", 2);
    return sk_rfc3339_parse(buf, out);
}

/* --- lines and CSV fields --------------------------------------------------------- */

struct lines {
    char *p, *end;
    size_t lineno;
};

/* The next line, NUL-terminated in place, without its CR/LF. */
static char *next_line(struct lines *L)
{
    if (L->p >= L->end)
        return NULL;
    char *s = L->p, *nl = memchr(s, '\n', (size_t)(L->end - s));
    char *stop = nl ? nl : L->end;
    L->p = nl ? nl + 1 : L->end;
    if (stop > s && stop[-1] == '\r')
        stop--;
    *stop = '\0';
    L->lineno++;
    return s;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Splits a CSV record in place. Returns the number of fields or -1 with why. */
static int split_csv(char *s, char delim, char **f, int max, const char **why)
{
    int n = 0;
    char *p = s;
    for (;;) {
        if (n == max) {
            *why = "too many fields";
            return -1;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"') {
            char *o = ++p;
            f[n] = o;
            for (;;) {
                if (*p == '\0') {
                    *why = "unterminated quoted field";
                    return -1;
                }
                if (*p == '"') {
                    if (p[1] == '"') {
                        *o++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *o++ = *p++;
            }
            *o = '\0';
            while (*p == ' ' || *p == '\t')
                p++;
            n++;
            if (*p == delim) {
                p++;
                continue;
            }
            if (*p != '\0') {
                *why = "text after a closing quote";
                return -1;
            }
            return n;
        }
        f[n++] = p;
        char *d = strchr(p, delim);
        if (!d) {
            trim(f[n - 1]);
            return n;
        }
        *d = '\0';
        trim(f[n - 1]);
        p = d + 1;
    }
}

/* --- plain ----------------------------------------------------------------------------- */

static int import_plain(const struct sk__feed *im, char *text, size_t len)
{
    struct lines L = {text, text + len, 0};
    char *s, where[600];
    int rc;

    while ((s = next_line(&L))) {
        char *h = strchr(s, '#');
        if (h)
            *h = '\0';
        s = trim(s);
        if (!*s)
            continue;
        snprintf(where, sizeof where, "%s:%zu", im->name, L.lineno);
        if (strpbrk(s, " \t,;"))
            return sk_fail(im->ei, -SK_EPARSE, "%s: '%s': expected one value per line", where, s);
        enum sk_ioc_type t = (enum sk_ioc_type)im->o->type;
        if (!t && sk_ioc_classify(s, &t) < 0)
            return sk_fail(im->ei, -SK_EPARSE,
                           "%s: '%s' is not an IP address, CIDR prefix, domain name or URL "
                           "(give --type for hashes)", where, s);
        struct sk_ioc_source src = {.confidence = im->o->confidence, .tlp = im->o->tlp};
        if ((rc = sk__feed_emit(im, (uint8_t)t, s, &src, where)) < 0)
            return rc;
    }
    return 0;
}

/* --- CSV with a column mapping ------------------------------------------------------------ */

enum col { C_VALUE, C_TYPE, C_CONFIDENCE, C_TLP, C_LABELS, C_FIRST_SEEN, C_LAST_SEEN,
           C_VALID_FROM, C_VALID_UNTIL, C_DESCRIPTION, NCOLS };
static const char *const col_names[NCOLS] = {"value", "type", "confidence", "tlp", "labels",
                                             "first_seen", "last_seen", "valid_from",
                                             "valid_until", "description"};

struct colmap {
    int idx[NCOLS];              /* 0-based field index, -1 unset */
    char names[NCOLS][64];       /* by header name, resolved at the header */
};

static int parse_columns(const struct sk__feed *im, struct colmap *m)
{
    const char *spec = im->o->columns;
    for (int c = 0; c < NCOLS; c++) {
        m->idx[c] = -1;
        m->names[c][0] = '\0';
    }
    if (!spec || !*spec)
        return sk_fail(im->ei, -SK_EINVAL,
                       "csv needs a column mapping (--columns value=N[,type=N,confidence=N,…])");
    char buf[1024];
    if (strlen(spec) >= sizeof buf)
        return sk_fail(im->ei, -SK_EINVAL, "--columns: too long");
    memcpy(buf, spec, strlen(spec) + 1);
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq)
            return sk_fail(im->ei, -SK_EINVAL, "--columns: '%s': expected NAME=COLUMN", item);
        *eq = '\0';
        int c = 0;
        while (c < NCOLS && strcmp(col_names[c], trim(item)) != 0)
            c++;
        if (c == NCOLS)
            return sk_fail(im->ei, -SK_EINVAL,
                           "--columns: unknown field '%s' (expected value, type, confidence, tlp, "
                           "labels, first_seen, last_seen, valid_from, valid_until, description)",
                           item);
        char *col = trim(eq + 1), *end;
        errno = 0;
        long v = strtol(col, &end, 10);
        if (*col && !*end && !errno) {
            if (v < 1 || v > MAX_FIELDS)
                return sk_fail(im->ei, -SK_EINVAL, "--columns: %s=%s: columns are 1 to %d",
                               col_names[c], col, MAX_FIELDS);
            m->idx[c] = (int)v - 1;
        } else if (!im->o->header) {
            return sk_fail(im->ei, -SK_EINVAL,
                           "--columns: %s=%s: a column name needs --header (or give its number)",
                           col_names[c], col);
        } else {
            snprintf(m->names[c], sizeof m->names[c], "%s", col);
        }
    }
    if (m->idx[C_VALUE] < 0 && !m->names[C_VALUE][0])
        return sk_fail(im->ei, -SK_EINVAL, "--columns: no 'value' column");
    return 0;
}

/* Labels from a field: split on ',', ';' or '|'. */
static size_t split_labels(char *s, const char **out, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(s, ",;|", &save); t && n < max;
         t = strtok_r(NULL, ",;|", &save)) {
        t = trim(t);
        if (*t)
            out[n++] = t;
    }
    out[n] = NULL;
    return n;
}

static int field_time(const struct sk__feed *im, const char *where, const char *what,
                      const char *s, sk_nstime *out)
{
    if (!*s)
        return 0;
    if (sk__feed_time(s, out) < 0)
        return sk_fail(im->ei, -SK_EPARSE,
                       "%s: %s '%s': expected a UTC time (YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or RFC 3339)",
                       where, what, s);
    return 0;
}

static int import_csv(const struct sk__feed *im, char *text, size_t len)
{
    struct lines L = {text, text + len, 0};
    struct colmap m;
    char *s, *f[MAX_FIELDS], where[600];
    const char *why;
    char delim = im->o->delimiter ? im->o->delimiter : ',';
    int rc, need_header = im->o->header;

    if ((rc = parse_columns(im, &m)) < 0)
        return rc;
    while ((s = next_line(&L))) {
        if (!*trim(s) || *trim(s) == '#')
            continue;
        snprintf(where, sizeof where, "%s:%zu", im->name, L.lineno);
        int n = split_csv(s, delim, f, MAX_FIELDS, &why);
        if (n < 0)
            return sk_fail(im->ei, -SK_EPARSE, "%s: %s", where, why);
        if (need_header) {
            for (int c = 0; c < NCOLS; c++) {
                if (!m.names[c][0])
                    continue;
                for (int k = 0; k < n && m.idx[c] < 0; k++)
                    if (strcasecmp(f[k], m.names[c]) == 0)
                        m.idx[c] = k;
                if (m.idx[c] < 0)
                    return sk_fail(im->ei, -SK_EPARSE, "%s: no column named '%s' in the header",
                                   where, m.names[c]);
            }
            need_header = 0;
            continue;
        }
        for (int c = 0; c < NCOLS; c++)
            if (m.idx[c] >= n)
                return sk_fail(im->ei, -SK_EPARSE, "%s: %d fields, expected at least %d (%s)",
                               where, n, m.idx[c] + 1, col_names[c]);
#define FIELD(c) (m.idx[c] >= 0 ? f[m.idx[c]] : "")
        const char *value = FIELD(C_VALUE);
        struct sk_ioc_source src = {.confidence = im->o->confidence, .tlp = im->o->tlp};
        enum sk_ioc_type t = (enum sk_ioc_type)im->o->type;
        if (*FIELD(C_TYPE) && sk_ioc_type_parse(FIELD(C_TYPE), &t) < 0)
            return sk_fail(im->ei, -SK_EPARSE,
                           "%s: column %d: type '%s' unknown (expected ipv4, ipv6, cidr4, cidr6, "
                           "domain, fqdn, url, ja3, ja4, cert-sha1, cert-sha256)",
                           where, m.idx[C_TYPE] + 1, FIELD(C_TYPE));
        if (!t && sk_ioc_classify(value, &t) < 0)
            return sk_fail(im->ei, -SK_EPARSE,
                           "%s: column %d: '%s' is not an IP address, CIDR prefix, domain name or "
                           "URL (map a type column or give --type)", where, m.idx[C_VALUE] + 1, value);
        if (*FIELD(C_CONFIDENCE)) {
            char *end;
            errno = 0;
            long v = strtol(FIELD(C_CONFIDENCE), &end, 10);
            if (errno || *end || v < 0 || v > 100)
                return sk_fail(im->ei, -SK_EPARSE, "%s: column %d: confidence '%s': expected 0 to 100",
                               where, m.idx[C_CONFIDENCE] + 1, FIELD(C_CONFIDENCE));
            src.confidence = (uint8_t)v;
        }
        if (*FIELD(C_TLP)) {
            enum sk_ioc_tlp tl;
            if (sk_ioc_tlp_parse(FIELD(C_TLP), &tl) < 0)
                return sk_fail(im->ei, -SK_EPARSE,
                               "%s: column %d: TLP '%s': expected clear, green, amber, amber+strict or red",
                               where, m.idx[C_TLP] + 1, FIELD(C_TLP));
            src.tlp = (uint8_t)tl;
        }
        const char *labels[MAX_LABELS + 1] = {NULL};
        if (m.idx[C_LABELS] >= 0)
            split_labels(f[m.idx[C_LABELS]], labels, MAX_LABELS);
        src.labels = labels;
        if ((rc = field_time(im, where, "first_seen", FIELD(C_FIRST_SEEN), &src.first_seen)) < 0 ||
            (rc = field_time(im, where, "last_seen", FIELD(C_LAST_SEEN), &src.last_seen)) < 0 ||
            (rc = field_time(im, where, "valid_from", FIELD(C_VALID_FROM), &src.valid_from)) < 0 ||
            (rc = field_time(im, where, "valid_until", FIELD(C_VALID_UNTIL), &src.valid_until)) < 0)
            return rc;
        if (*FIELD(C_DESCRIPTION))
            src.description = FIELD(C_DESCRIPTION);
#undef FIELD
        if ((rc = sk__feed_emit(im, (uint8_t)t, value, &src, where)) < 0)
            return rc;
    }
    if (need_header)
        return sk_fail(im->ei, -SK_EPARSE, "%s: no header line", im->name);
    return 0;
}

/* --- abuse.ch -------------------------------------------------------------------------------- */

struct abuse_cols {
    const char *name; /* for messages */
    const char *const *value, *const *first, *const *last, *const *label, *const *extra,
        *const *status;
    uint8_t type;
};

static int find_col(char **f, int n, const char *const *names)
{
    for (int k = 0; names && k < n; k++)
        for (const char *const *nm = names; *nm; nm++)
            if (strcasecmp(trim(f[k]), *nm) == 0)
                return k;
    return -1;
}

static int import_abuse(const struct sk__feed *im, char *text, size_t len, enum sk_feed_format fmt)
{
#define NAMES(n, ...) static const char *const n[] = {__VA_ARGS__, NULL}
    NAMES(feodo_ip, "dst_ip", "dstip", "ip_address");
    NAMES(feodo_first, "first_seen_utc", "first_seen", "firstseen");
    NAMES(feodo_last, "last_online", "lastonline");
    NAMES(feodo_label, "malware");
    NAMES(feodo_port, "dst_port", "dstport", "port");
    NAMES(feodo_status, "c2_status", "status");
    NAMES(ja3_value, "ja3_md5");
    NAMES(ja3_first, "firstseen", "first_seen");
    NAMES(ja3_last, "lastseen", "last_seen");
    NAMES(ja3_label, "listingreason", "listing_reason");
    NAMES(uh_value, "url");
    NAMES(uh_first, "dateadded");
    NAMES(uh_last, "last_online");
    NAMES(uh_label, "threat");
    NAMES(uh_tags, "tags");
    NAMES(uh_status, "url_status");
#undef NAMES
    const struct abuse_cols formats[] = {
        {"Feodo Tracker", feodo_ip, feodo_first, feodo_last, feodo_label, feodo_port, feodo_status, SK_IOC_IPV4},
        {"SSLBL JA3", ja3_value, ja3_first, ja3_last, ja3_label, NULL, NULL, SK_IOC_JA3},
        {"URLhaus", uh_value, uh_first, uh_last, uh_label, uh_tags, uh_status, SK_IOC_URL},
    };
    const struct abuse_cols *F = &formats[fmt == SK_FEED_FEODO ? 0 : fmt == SK_FEED_SSLBL_JA3 ? 1 : 2];
    struct lines L = {text, text + len, 0};
    char *s, *f[MAX_FIELDS], where[600], lastcomment[4096] = "";
    const char *why;
    int iv = -1, ifirst = -1, ilast = -1, ilabel = -1, iextra = -1, istatus = -1, rc;
    size_t comment_line = 0;

    while ((s = next_line(&L))) {
        char *t = trim(s);
        if (!*t)
            continue;
        snprintf(where, sizeof where, "%s:%zu", im->name, L.lineno);
        if (*t == '#') {
            /* the header is the last comment line that names the columns */
            t = trim(t + 1);
            if (strchr(t, ',') && strlen(t) < sizeof lastcomment) {
                memcpy(lastcomment, t, strlen(t) + 1);
                comment_line = L.lineno;
            }
            continue;
        }
        int n = split_csv(t, ',', f, MAX_FIELDS, &why);
        if (n < 0)
            return sk_fail(im->ei, -SK_EPARSE, "%s: %s", where, why);
        if (iv < 0) {
            /* a quoted header line, or the last commented one */
            int hv = find_col(f, n, F->value);
            char *hf[MAX_FIELDS];
            int hn = n;
            if (hv >= 0) {
                memcpy(hf, f, sizeof f[0] * (size_t)n);
            } else if (lastcomment[0]) {
                hn = split_csv(lastcomment, ',', hf, MAX_FIELDS, &why);
                hv = hn > 0 ? find_col(hf, hn, F->value) : -1;
            }
            if (hv < 0)
                return sk_fail(im->ei, -SK_EPARSE,
                               "%s: expected a %s CSV header naming a '%s' column before the data",
                               comment_line ? where : im->name, F->name, F->value[0]);
            iv = hv;
            ifirst = find_col(hf, hn, F->first);
            ilast = find_col(hf, hn, F->last);
            ilabel = find_col(hf, hn, F->label);
            iextra = find_col(hf, hn, F->extra);
            istatus = find_col(hf, hn, F->status);
            if (find_col(f, n, F->value) >= 0)
                continue; /* that line was the header */
        }
        int maxi = iv;
        if (ifirst > maxi) maxi = ifirst;
        if (ilast > maxi) maxi = ilast;
        if (ilabel > maxi) maxi = ilabel;
        if (iextra > maxi) maxi = iextra;
        if (istatus > maxi) maxi = istatus;
        if (n <= maxi)
            return sk_fail(im->ei, -SK_EPARSE, "%s: %d fields, expected %d (%s CSV)", where, n,
                           maxi + 1, F->name);
        struct sk_ioc_source src = {.confidence = im->o->confidence, .tlp = im->o->tlp};
        const char *labels[MAX_LABELS + 1] = {NULL};
        size_t nl = 0;
        char desc[256] = "";
        if (ilabel >= 0 && *f[ilabel])
            labels[nl++] = f[ilabel];
        if (fmt == SK_FEED_URLHAUS && iextra >= 0)
            nl += split_labels(f[iextra], labels + nl, MAX_LABELS - nl);
        labels[nl] = NULL;
        src.labels = labels;
        if ((rc = field_time(im, where, "first seen", ifirst >= 0 ? f[ifirst] : "", &src.first_seen)) < 0 ||
            (rc = field_time(im, where, "last seen", ilast >= 0 ? f[ilast] : "", &src.last_seen)) < 0)
            return rc;
        if (src.first_seen && !src.last_seen)
            src.last_seen = src.first_seen;
        if (fmt == SK_FEED_FEODO && iextra >= 0)
            snprintf(desc, sizeof desc, "C2 port %s%s%s", f[iextra], istatus >= 0 ? ", " : "",
                     istatus >= 0 ? f[istatus] : "");
        else if (fmt == SK_FEED_URLHAUS && istatus >= 0)
            snprintf(desc, sizeof desc, "URL status %s", f[istatus]);
        src.description = desc[0] ? desc : NULL;
        uint8_t type = F->type;
        if (fmt == SK_FEED_FEODO && strchr(f[iv], ':'))
            type = SK_IOC_IPV6;
        if ((rc = sk__feed_emit(im, type, f[iv], &src, where)) < 0)
            return rc;
    }
    return 0;
}

/* --- dispatch ----------------------------------------------------------------------------------- */

enum sk_feed_format sk_feed_detect(const char *path, const char *head, size_t len)
{
    struct stat sb;
    if (path && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return SK_FEED_MISP_FEED;
    const char *base = path ? strrchr(path, '/') : NULL;
    base = base ? base + 1 : path;
    if (base && strcmp(base, "manifest.json") == 0)
        return SK_FEED_MISP_FEED;
    size_t i = 0;
    if (len >= 3 && (unsigned char)head[0] == 0xef && (unsigned char)head[1] == 0xbb)
        i = 3; /* UTF-8 byte order mark */
    while (i < len && isspace((unsigned char)head[i]))
        i++;
    if (i < len && (head[i] == '{' || head[i] == '[')) {
        /* JSON: a MISP event has "Event", STIX has "type" */
        if (memmem(head, len, "\"Event\"", 7))
            return SK_FEED_MISP_EVENT;
        return SK_FEED_STIX;
    }
    if (memmem(head, len, "ja3_md5", 7))
        return SK_FEED_SSLBL_JA3;
    if (memmem(head, len, "URLhaus", 7) || memmem(head, len, "url_status", 10))
        return SK_FEED_URLHAUS;
    if (memmem(head, len, "Feodo", 5) || memmem(head, len, "dst_ip", 6) || memmem(head, len, "DstIP", 5))
        return SK_FEED_FEODO;
    return SK_FEED_PLAIN;
}

int sk_feed_import_buf(const char *name, const char *data, size_t len, enum sk_feed_format fmt,
                       const struct sk_feed_opts *o, const struct sk_feed_sink *sink,
                       struct sk_errinfo *ei)
{
    struct sk__feed im = {.name = name, .o = o, .sink = sink, .ei = ei};
    char *text;
    int rc;

    if (!o->source || !*o->source)
        return sk_fail(ei, -SK_EINVAL, "%s: no source name", name);
    if (fmt == SK_FEED_AUTO)
        fmt = sk_feed_detect(NULL, data, len < 4096 ? len : 4096);
    if (fmt == SK_FEED_MISP_FEED)
        return sk_fail(ei, -SK_EINVAL, "%s: a MISP feed is a directory", name);
    if (fmt == SK_FEED_STIX)
        return sk__feed_stix(&im, data, len);
    if (fmt == SK_FEED_MISP_EVENT)
        return sk__feed_misp_event(&im, data, len);
    /* text formats work on a NUL-terminated copy cut into lines */
    if (memchr(data, '\0', len)) {
        size_t line = 1;
        for (const char *q = data; *q; q++)
            line += *q == '\n';
        return sk_fail(ei, -SK_EPARSE, "%s:%zu: NUL byte in a text feed", name, line);
    }
    if (!(text = malloc(len + 1)))
        return -SK_ENOMEM;
    memcpy(text, data, len);
    text[len] = '\0';
    switch (fmt) {
    case SK_FEED_PLAIN: rc = import_plain(&im, text, len); break;
    case SK_FEED_CSV: rc = import_csv(&im, text, len); break;
    default: rc = import_abuse(&im, text, len, fmt); break;
    }
    free(text);
    return rc;
}

int sk_feed_import(const char *path, enum sk_feed_format fmt, const struct sk_feed_opts *o,
                   const struct sk_feed_sink *sink, struct sk_errinfo *ei)
{
    char *data = NULL;
    size_t len;
    int rc;

    if (fmt == SK_FEED_AUTO && sk_feed_detect(path, "", 0) == SK_FEED_MISP_FEED)
        fmt = SK_FEED_MISP_FEED; /* a directory, or its manifest.json */
    if (fmt == SK_FEED_MISP_FEED) {
        struct sk__feed im = {.name = path, .o = o, .sink = sink, .ei = ei};
        if (!o->source || !*o->source)
            return sk_fail(ei, -SK_EINVAL, "%s: no source name", path);
        return sk__feed_misp_feed(&im, path);
    }
    if (strcmp(path, "-") == 0) {
        size_t cap = 0;
        len = 0;
        for (;;) {
            if (len + 65536 + 1 > cap) {
                size_t ncap = cap ? cap * 2 : 1 << 20;
                char *nd = ncap > FEED_CAP ? NULL : realloc(data, ncap);
                if (!nd) {
                    free(data);
                    return sk_fail(ei, -SK_ETOOBIG, "%s: feed larger than %llu bytes", path,
                                   (unsigned long long)FEED_CAP);
                }
                data = nd;
                cap = ncap;
            }
            size_t r = fread(data + len, 1, cap - len - 1, stdin);
            len += r;
            if (r == 0)
                break;
        }
    } else if ((rc = sk_read_file(path, FEED_CAP, &data, &len, ei)) < 0) {
        return rc;
    }
    rc = sk_feed_import_buf(path, data, len, fmt, o, sink, ei);
    free(data);
    return rc;
}
