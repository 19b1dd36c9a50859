/*
 * list.c — plain indicator lists straight into a builder (scan --intel).
 *
 * One IP address, CIDR prefix, domain ("*.x" is x) or URL per line; '#'
 * starts a comment; blank lines are skipped. The file is read whole (capped)
 * and checked line by line before anything is added, so a bad line leaves the
 * builder as it was and the error names the file and the line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/file.h"
#include "sakimori/intel.h"

#define LIST_CAP (1ULL << 30)
#define LINE_MAX_LEN 4096

/* The next line of [p, end): trimmed, comment removed, NUL-terminated in
 * place. Returns the start of the following line. */
static char *next_line(char *p, char *end, char **line, size_t *rawlen)
{
    char *nl = memchr(p, '\n', (size_t)(end - p));
    char *stop = nl ? nl : end;
    *rawlen = (size_t)(stop - p);
    *stop = '\0';
    char *h = memchr(p, '#', (size_t)(stop - p));
    if (h)
        *h = '\0', stop = h;
    while (p < stop && isspace((unsigned char)*p))
        p++;
    while (stop > p && isspace((unsigned char)stop[-1]))
        *--stop = '\0';
    *line = p;
    return nl ? nl + 1 : end;
}

static int check_line(const char *s, enum sk_ioc_type *type, char *why, size_t wlen)
{
    char canon[8192];
    if (strpbrk(s, " \t,;")) {
        snprintf(why, wlen, "'%s': expected one IP, CIDR, domain or URL per line", s);
        return -SK_EPARSE;
    }
    if (strchr(s, '/') && !strstr(s, "://")) {
        struct sk_prefix p;
        int rc = sk_prefix_parse(s, &p, 0);
        if (rc == -SK_EINVAL) {
            char fix[SK_ADDR_STRLEN];
            sk_prefix_parse(s, &p, 1);
            snprintf(why, wlen, "'%s' has host bits set (did you mean %s?)", s,
                     sk_prefix_fmt(&p, fix, sizeof fix));
            return -SK_EPARSE;
        }
        if (rc < 0) {
            snprintf(why, wlen, "'%s' is not a CIDR prefix (expected like 192.0.2.0/24 or 2001:db8::/32)", s);
            return -SK_EPARSE;
        }
    }
    if (sk_ioc_classify(s, type) < 0) {
        snprintf(why, wlen, "'%s' is not an IP address, CIDR prefix, domain name or URL", s);
        return -SK_EPARSE;
    }
    return sk_ioc_canon(type, s, canon, sizeof canon, why, wlen);
}

int sk_intel_load_list(struct sk_intel_builder *b, const char *path, const char *source,
                       struct sk_errinfo *ei)
{
    char *text = NULL, why[600];
    size_t len = 0;
    int rc;

    if (strcmp(path, "-") == 0) {
        /* stdin: read it whole, capped */
        size_t cap = 0;
        for (;;) {
            if (len + 65536 + 1 > cap) {
                size_t ncap = cap ? cap * 2 : 1 << 20;
                char *nt = ncap > LIST_CAP ? NULL : realloc(text, ncap);
                if (!nt) {
                    free(text);
                    return sk_fail(ei, -SK_ETOOBIG, "%s: list too large", path);
                }
                text = nt;
                cap = ncap;
            }
            size_t r = fread(text + len, 1, cap - len - 1, stdin);
            len += r;
            if (r == 0)
                break;
        }
        text[len] = '\0';
    } else if ((rc = sk_read_file(path, LIST_CAP, &text, &len, ei)) < 0) {
        if (rc != -SK_ETOOBIG)
            sk_errinfo_set(ei, "%s: cannot read indicator list: %s", path, sk_strerror(rc));
        return rc;
    }
    if (memchr(text, '\0', len)) {
        size_t line = 1;
        for (const char *q = text; *q; q++)
            line += *q == '\n';
        free(text);
        return sk_fail(ei, -SK_EPARSE, "%s:%zu: NUL byte in a text list", path, line);
    }
    /* pass 1: every line must be good; pass 2 adds (on a copy of the text:
     * pass 1 cut it into lines) */
    char *copy = malloc(len + 1);
    if (!copy) {
        free(text);
        return -SK_ENOMEM;
    }
    memcpy(copy, text, len + 1);
    rc = 0;
    for (int pass = 1; pass <= 2 && rc == 0; pass++) {
        char *p = pass == 1 ? text : copy, *end = p + len;
        size_t lineno = 0;
        while (p < end && rc == 0) {
            char *s;
            size_t raw;
            enum sk_ioc_type type;
            p = next_line(p, end, &s, &raw);
            lineno++;
            if (raw > LINE_MAX_LEN) {
                rc = sk_fail(ei, -SK_ETOOBIG, "%s:%zu: line longer than %d bytes", path, lineno,
                             LINE_MAX_LEN);
                break;
            }
            if (!*s)
                continue;
            if (pass == 1) {
                if (check_line(s, &type, why, sizeof why) < 0)
                    rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: %s", path, lineno, why);
                continue;
            }
            sk_ioc_classify(s, &type);
            if ((rc = sk_intel_builder_add(b, type, s, source, 50)) < 0)
                sk_fail(ei, rc, "%s:%zu: '%s': %s", path, lineno, s, sk_strerror(rc));
        }
    }
    free(copy);
    free(text);
    return rc;
}
