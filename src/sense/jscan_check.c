/*
 * jscan_check.c — cross-check of jscan against jansson (see
 * jscan_check.h). The scanner's result is rebuilt as a jansson value so
 * json_equal() decides: same structure, same member names and strings after
 * unescaping, same numbers with the same integer/real type.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sense/jscan.h"
#include "sense/jscan_check.h"

/* Builds a jansson value from the scanner; NULL on a scanner error.
 * *limit is set when a number is beyond what jansson represents. */
static json_t *build(struct sk_js *js, int *limit)
{
    json_t *v = NULL;
    const char *k, *tok;
    size_t klen, len;
    char *s;
    int rc, is_int, b;

    switch (sk_js_peek(js)) {
    case SK_JS_OBJECT:
        if (sk_js_object(js) < 0 || !(v = json_object()))
            return NULL;
        while ((rc = sk_js_key(js, &k, &klen)) > 0) {
            char *name = strndup(k, klen);
            json_t *m = build(js, limit);
            if (!m || !name || json_object_setn_new_nocheck(v, name, klen, m) < 0) {
                free(name);
                json_decref(v);
                return NULL;
            }
            free(name);
        }
        if (rc < 0) {
            json_decref(v);
            return NULL;
        }
        return v;
    case SK_JS_ARRAY:
        if (sk_js_array(js) < 0 || !(v = json_array()))
            return NULL;
        while ((rc = sk_js_next(js)) > 0) {
            json_t *m = build(js, limit);
            if (!m || json_array_append_new(v, m) < 0) {
                json_decref(v);
                return NULL;
            }
        }
        if (rc < 0) {
            json_decref(v);
            return NULL;
        }
        return v;
    case SK_JS_STRING:
        if (sk_js_string(js, &s, &len) < 0)
            return NULL;
        return json_stringn(s, len);
    case SK_JS_NUMBER: {
        if (sk_js_number(js, &tok, &len, &is_int) < 0)
            return NULL;
        char *copy = strndup(tok, len), *end;
        if (!copy)
            return NULL;
        errno = 0;
        if (is_int) {
            long long x = strtoll(copy, &end, 10);
            if (errno == ERANGE)
                *limit = 1;
            v = json_integer(x);
        } else {
            double d = strtod(copy, &end);
            if (errno == ERANGE && (d > 1 || d < -1)) {
                *limit = 1; /* jansson cannot hold it: a placeholder */
                v = json_null();
            } else {
                v = json_real(d);
            }
        }
        free(copy);
        return v;
    }
    case SK_JS_TRUE:
    case SK_JS_FALSE:
        if (sk_js_bool(js, &b) < 0)
            return NULL;
        return json_boolean(b);
    case SK_JS_NULL:
        return sk_js_null(js) ? json_null() : NULL;
    default:
        sk_js_skip(js); /* sets the error */
        return NULL;
    }
}

/* jansson 2.14 drops a NUL byte that follows a number or a literal
 * ("[1\0,2]" and "[true\0]" load), which RFC 8259 does not allow and jscan
 * refuses. Such input is compared with those bytes removed. Returns a
 * malloc'd copy, or NULL when there is no such byte. */
static int token_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

static char *without_nul_after_digit(const char *buf, size_t len, size_t *out_len)
{
    int found = 0;
    for (size_t i = 1; i < len && !found; i++)
        found = buf[i] == '\0' && token_char(buf[i - 1]);
    if (!found)
        return NULL;
    char *c = malloc(len);
    size_t n = 0;
    if (!c)
        return NULL;
    for (size_t i = 0; i < len; i++)
        if (!(buf[i] == '\0' && i && token_char(buf[i - 1])))
            c[n++] = buf[i];
    *out_len = n;
    return c;
}

int sk__jscan_agrees(const char *buf, size_t len, char *why, size_t whylen)
{
    json_error_t jerr;
    json_t *theirs = json_loadb(buf, len, JSON_DECODE_ANY, &jerr), *ours = NULL;
    char *copy = malloc(len ? len : 1);
    struct sk_js *js = malloc(sizeof *js);
    int limit = 0, rc = -1, skip_ok = 0;

    if (!copy || !js) {
        snprintf(why, whylen, "out of memory");
        goto out;
    }
    memcpy(copy, buf, len);
    /* the validating skip must agree with the building walk */
    sk_js_init(js, copy, len);
    skip_ok = sk_js_skip(js) == 0 && sk_js_done(js) == 0;
    sk_js_init(js, copy, len);
    ours = build(js, &limit);
    if (ours && sk_js_done(js) < 0) {
        json_decref(ours);
        ours = NULL;
    }
    if (!!ours != skip_ok) {
        snprintf(why, whylen, "skip %s what the walk %s", skip_ok ? "accepts" : "refuses",
                 ours ? "accepts" : "refuses");
        goto out;
    }
    if (theirs && ours) {
        if (!json_equal(theirs, ours)) {
            snprintf(why, whylen, "documents differ");
            goto out;
        }
    } else if (theirs && !ours) {
        size_t clen;
        char *cleaned = without_nul_after_digit(buf, len, &clen);
        if (cleaned) {
            rc = sk__jscan_agrees(cleaned, clen, why, whylen);
            free(cleaned);
            goto out;
        }
        snprintf(why, whylen, "jscan refuses what jansson accepts: %s at byte %zu",
                 js->err ? js->err : "?", js->err_off);
        goto out;
    } else if (!theirs && ours && !limit) {
        snprintf(why, whylen, "jscan accepts what jansson refuses: %s", jerr.text);
        goto out;
    }
    rc = 0;
out:
    json_decref(theirs);
    json_decref(ours);
    free(copy);
    free(js);
    return rc;
}
