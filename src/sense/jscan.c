/*
 * jscan.c — strict in-place JSON pull scanner (see jscan.h).
 *
 * The hot loop is the string scan: with SSE2 (every x86-64) sixteen bytes
 * are tested at once for the three things that end the plain run — a quote,
 * a backslash, or a byte below 0x20 or above 0x7f (one signed compare
 * catches both: control characters are invalid, high bytes start UTF-8
 * sequences that are validated one by one). ASCII text therefore costs
 * about a cycle per sixteen bytes. Elsewhere a byte is looked at once.
 *
 * Unescaping happens only when the caller asks for a string and it has
 * escapes: the decoded text is never longer than the escaped one, so it is
 * written over it, from the first backslash on.
 */
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sakimori/error.h"
#include "sense/jscan.h"

static int fail(struct sk_js *js, const char *what)
{
    js->err = what;
    js->err_off = (size_t)(js->p - js->base);
    return -SK_EPARSE;
}

static inline void ws(struct sk_js *js)
{
    char *p = js->p, *end = js->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    js->p = p;
}

void sk_js_init(struct sk_js *js, char *buf, size_t len)
{
    js->p = js->base = buf;
    js->end = buf + len;
    js->err = NULL;
    js->err_off = 0;
    js->depth = 0;
}

int sk_js_peek(struct sk_js *js)
{
    ws(js);
    if (js->p >= js->end)
        return SK_JS_NONE;
    switch (*js->p) {
    case '{': return SK_JS_OBJECT;
    case '[': return SK_JS_ARRAY;
    case '"': return SK_JS_STRING;
    case 't': return SK_JS_TRUE;
    case 'f': return SK_JS_FALSE;
    case 'n': return SK_JS_NULL;
    case '-': return SK_JS_NUMBER;
    default:
        return *js->p >= '0' && *js->p <= '9' ? SK_JS_NUMBER : SK_JS_BAD;
    }
}

static inline int hex4(const char *p, unsigned *v)
{
    unsigned x = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = (unsigned char)p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        x = x << 4 | d;
    }
    *v = x;
    return 0;
}

/* One UTF-8 sequence starting at p (a byte >= 0x80): its length, or 0 when
 * it is not valid (overlong, surrogate, beyond U+10FFFF, cut short). */
static inline int utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    if (c >= 0xc2 && c <= 0xdf)
        return end - p >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (end - p < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))
            return 0;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (end - p < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
            (p[3] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

/* Cursor on the opening quote. Validates the string, leaves the cursor
 * after the closing quote; *body and *stop delimit the raw contents,
 * *escaped tells whether a backslash occurs. */
static int scan_string(struct sk_js *js, char **body, char **stop, int *escaped)
{
    char *p = js->p + 1, *end = js->end;
    int esc = 0;

    *body = p;
    for (;;) {
#if defined(__SSE2__)
        {
            const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                          space = _mm_set1_epi8(0x20);
            while (end - p >= 16) {
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
                __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                      _mm_cmpeq_epi8(v, bslash)),
                                         _mm_cmplt_epi8(v, space));
                int bits = _mm_movemask_epi8(m);
                if (bits) {
                    p += __builtin_ctz((unsigned)bits);
                    goto special;
                }
                p += 16;
            }
        }
#endif
        while (p < end) {
            unsigned char c = (unsigned char)*p;
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
                goto special;
            p++;
        }
        js->p = p;
        return fail(js, "a closing '\"'");
    special:
        if (p >= end) {
            js->p = p;
            return fail(js, "a closing '\"'");
        }
        {
            unsigned char c = (unsigned char)*p;
            if (c == '"') {
                *stop = p;
                *escaped = esc;
                js->p = p + 1;
                return 0;
            }
            if (c == '\\') {
                esc = 1;
                if (end - p < 2) {
                    js->p = p;
                    return fail(js, "an escape after '\\'");
                }
                switch (p[1]) {
                case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                    p += 2;
                    break;
                case 'u': {
                    unsigned u, lo;
                    if (end - p < 6 || hex4(p + 2, &u) < 0) {
                        js->p = p;
                        return fail(js, "four hexadecimal digits after '\\u'");
                    }
                    if (u == 0) {
                        js->p = p;
                        return fail(js, "no '\\u0000' (strings are C strings)");
                    }
                    if (u >= 0xdc00 && u <= 0xdfff) {
                        js->p = p;
                        return fail(js, "a high surrogate before a low one");
                    }
                    if (u >= 0xd800 && u <= 0xdbff) {
                        if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &lo) < 0 ||
                            lo < 0xdc00 || lo > 0xdfff) {
                            js->p = p;
                            return fail(js, "a low surrogate after a high one");
                        }
                        p += 12;
                    } else {
                        p += 6;
                    }
                    break;
                }
                default:
                    js->p = p;
                    return fail(js, "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
                }
                continue;
            }
            if (c < 0x20) {
                js->p = p;
                return fail(js, "no control character inside a string");
            }
            int n = utf8_len((const unsigned char *)p, (const unsigned char *)end);
            if (!n) {
                js->p = p;
                return fail(js, "valid UTF-8");
            }
            p += n;
        }
    }
}

static char *put_utf8(char *w, unsigned cp)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xc0 | cp >> 6);
        *w++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xe0 | cp >> 12);
        *w++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *w++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *w++ = (char)(0xf0 | cp >> 18);
        *w++ = (char)(0x80 | (cp >> 12 & 0x3f));
        *w++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *w++ = (char)(0x80 | (cp & 0x3f));
    }
    return w;
}

/* Decodes the escapes of a validated string body in place; returns the new
 * end. */
static char *unescape(char *body, char *stop)
{
    char *r = memchr(body, '\\', (size_t)(stop - body)), *w;
    if (!r)
        return stop;
    w = r;
    while (r < stop) {
        if (*r != '\\') {
            *w++ = *r++;
            continue;
        }
        switch (r[1]) {
        case 'b': *w++ = '\b'; r += 2; break;
        case 'f': *w++ = '\f'; r += 2; break;
        case 'n': *w++ = '\n'; r += 2; break;
        case 'r': *w++ = '\r'; r += 2; break;
        case 't': *w++ = '\t'; r += 2; break;
        case 'u': {
            unsigned u = 0, lo = 0xdc00; /* validated by scan_string */
            hex4(r + 2, &u);
            r += 6;
            if (u >= 0xd800 && u <= 0xdbff) {
                hex4(r + 2, &lo);
                r += 6;
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
            }
            w = put_utf8(w, u);
            break;
        }
        default: *w++ = r[1]; r += 2; break; /* " \ / */
        }
    }
    return w;
}

int sk_js_object(struct sk_js *js)
{
    ws(js);
    if (js->p >= js->end || *js->p != '{')
        return fail(js, "'{'");
    if (js->depth >= SK_JS_MAX_DEPTH)
        return fail(js, "less nesting (2048 levels at most)");
    js->first[js->depth++] = 1;
    js->p++;
    return 0;
}

int sk_js_array(struct sk_js *js)
{
    ws(js);
    if (js->p >= js->end || *js->p != '[')
        return fail(js, "'['");
    if (js->depth >= SK_JS_MAX_DEPTH)
        return fail(js, "less nesting (2048 levels at most)");
    js->first[js->depth++] = 1;
    js->p++;
    return 0;
}

static int key_impl(struct sk_js *js, const char **key, size_t *klen, int decode)
{
    char *body, *stop;
    int escaped, rc;

    ws(js);
    if (js->p >= js->end)
        return fail(js, "'}'");
    if (*js->p == '}') {
        js->p++;
        js->depth--;
        return 0;
    }
    if (!js->first[js->depth - 1]) {
        if (*js->p != ',')
            return fail(js, "',' or '}'");
        js->p++;
        ws(js);
    }
    js->first[js->depth - 1] = 0;
    if (js->p >= js->end || *js->p != '"')
        return fail(js, "a member name in quotes");
    if ((rc = scan_string(js, &body, &stop, &escaped)) < 0)
        return rc;
    if (escaped && decode)
        stop = unescape(body, stop);
    *key = body;
    *klen = (size_t)(stop - body);
    ws(js);
    if (js->p >= js->end || *js->p != ':')
        return fail(js, "':' after the member name");
    js->p++;
    ws(js);
    return 1;
}

int sk_js_key(struct sk_js *js, const char **key, size_t *klen)
{
    return key_impl(js, key, klen, 1);
}

int sk_js_next(struct sk_js *js)
{
    ws(js);
    if (js->p >= js->end)
        return fail(js, "']'");
    if (*js->p == ']') {
        js->p++;
        js->depth--;
        return 0;
    }
    if (!js->first[js->depth - 1]) {
        if (*js->p != ',')
            return fail(js, "',' or ']'");
        js->p++;
        ws(js);
    }
    js->first[js->depth - 1] = 0;
    return 1;
}

int sk_js_string(struct sk_js *js, char **s, size_t *len)
{
    char *body, *stop;
    int escaped, rc;

    ws(js);
    if (js->p >= js->end || *js->p != '"')
        return fail(js, "a string");
    if ((rc = scan_string(js, &body, &stop, &escaped)) < 0)
        return rc;
    if (escaped)
        stop = unescape(body, stop);
    *stop = '\0'; /* over the closing quote or inside the old escapes */
    *s = body;
    if (len)
        *len = (size_t)(stop - body);
    return 0;
}

static int scan_number(struct sk_js *js, const char **tok, size_t *len, int *is_int)
{
    char *p = js->p, *end = js->end;
    int integer = 1;

    if (p < end && *p == '-')
        p++;
    if (p < end && *p == '0') {
        p++;
    } else if (p < end && *p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    } else {
        js->p = p;
        return fail(js, "a digit");
    }
    if (p < end && *p == '.') {
        integer = 0;
        p++;
        if (p >= end || *p < '0' || *p > '9') {
            js->p = p;
            return fail(js, "a digit after '.'");
        }
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        integer = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9') {
            js->p = p;
            return fail(js, "a digit in the exponent");
        }
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    *tok = js->p;
    *len = (size_t)(p - js->p);
    *is_int = integer;
    js->p = p;
    return 0;
}

int sk_js_number(struct sk_js *js, const char **tok, size_t *len, int *is_int)
{
    ws(js);
    if (js->p >= js->end || !(*js->p == '-' || (*js->p >= '0' && *js->p <= '9')))
        return fail(js, "a number");
    return scan_number(js, tok, len, is_int);
}

int sk_js_u64(struct sk_js *js, uint64_t *v)
{
    const char *tok;
    size_t len;
    int is_int, rc;
    char *at = js->p;

    if ((rc = sk_js_number(js, &tok, &len, &is_int)) < 0)
        return rc;
    if (!is_int || tok[0] == '-') {
        js->p = at;
        return fail(js, "a non-negative integer");
    }
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(tok[i] - '0');
        if (x > (UINT64_MAX - d) / 10) {
            js->p = at;
            return fail(js, "an integer below 2^64");
        }
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

int sk_js_double(struct sk_js *js, double *v)
{
    const char *tok;
    size_t len;
    int is_int, rc;
    char small[64], *copy = small;

    if ((rc = sk_js_number(js, &tok, &len, &is_int)) < 0)
        return rc;
    if (len >= sizeof small && !(copy = malloc(len + 1)))
        return -SK_ENOMEM;
    memcpy(copy, tok, len);
    copy[len] = '\0';
    *v = strtod(copy, NULL);
    if (copy != small)
        free(copy);
    return 0;
}

static int literal(struct sk_js *js, const char *word, size_t n)
{
    if ((size_t)(js->end - js->p) < n || memcmp(js->p, word, n) != 0)
        return fail(js, word);
    js->p += n;
    return 0;
}

int sk_js_bool(struct sk_js *js, int *v)
{
    ws(js);
    if (js->p < js->end && *js->p == 't') {
        *v = 1;
        return literal(js, "true", 4);
    }
    if (js->p < js->end && *js->p == 'f') {
        *v = 0;
        return literal(js, "false", 5);
    }
    return fail(js, "true or false");
}

int sk_js_null(struct sk_js *js)
{
    ws(js);
    if ((size_t)(js->end - js->p) >= 4 && memcmp(js->p, "null", 4) == 0) {
        js->p += 4;
        return 1;
    }
    return 0;
}

int sk_js_skip(struct sk_js *js)
{
    const char *k, *tok;
    size_t len;
    char *body, *stop;
    int rc, esc, is_int;

    switch (sk_js_peek(js)) {
    case SK_JS_OBJECT:
        if ((rc = sk_js_object(js)) < 0)
            return rc;
        while ((rc = key_impl(js, &k, &len, 0)) > 0) /* the text stays as it was */
            if ((rc = sk_js_skip(js)) < 0)
                return rc;
        return rc;
    case SK_JS_ARRAY:
        if ((rc = sk_js_array(js)) < 0)
            return rc;
        while ((rc = sk_js_next(js)) > 0)
            if ((rc = sk_js_skip(js)) < 0)
                return rc;
        return rc;
    case SK_JS_STRING:
        return scan_string(js, &body, &stop, &esc);
    case SK_JS_NUMBER:
        return scan_number(js, &tok, &len, &is_int);
    case SK_JS_TRUE: return literal(js, "true", 4);
    case SK_JS_FALSE: return literal(js, "false", 5);
    case SK_JS_NULL: return literal(js, "null", 4);
    case SK_JS_NONE: return fail(js, "a value");
    }
    return fail(js, "a value (object, array, string, number, true, false or null)");
}

int sk_js_done(struct sk_js *js)
{
    ws(js);
    return js->p == js->end ? 0 : fail(js, "the end of the line");
}
