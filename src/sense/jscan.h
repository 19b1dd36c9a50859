/*
 * jscan.h — a small, strict, in-place JSON pull scanner for log lines.
 *
 * Built for EVE and Zeek JSON, where a line is one object and a source wants
 * a dozen of its members: the caller walks objects and arrays, takes the
 * values it wants and skips the rest, and nothing is allocated. Strings are
 * unescaped in place in the caller's (mutable) buffer and NUL-terminated
 * there, so they can be handed on as C strings; a string that is skipped
 * is validated but left as it was.
 *
 * It accepts exactly RFC 8259 JSON: no trailing commas, no comments, no
 * NaN, no leading zeros, no control characters in strings, valid UTF-8 only,
 * no lone surrogates, and no \u0000 (strings are C strings). It agrees with
 * jansson (JSON_DECODE_ANY) on what is JSON, except where jansson has limits
 * of its own: integers beyond 64 bits and reals beyond double range, which
 * jansson refuses and jscan accepts as number tokens. tests/unit/test_jscan.c
 * and tests/fuzz/fuzz_jscan.c check that agreement.
 *
 * Errors: a negative return, with js->err saying what was expected and
 * js->err_off the byte offset in the line.
 */
#ifndef SK_SENSE_JSCAN_H
#define SK_SENSE_JSCAN_H

#include <stddef.h>
#include <stdint.h>

#define SK_JS_MAX_DEPTH 2048 /* as jansson's JSON_PARSER_MAX_DEPTH */

enum sk_js_type {
    SK_JS_NONE = 0, /* end of input */
    SK_JS_OBJECT,
    SK_JS_ARRAY,
    SK_JS_STRING,
    SK_JS_NUMBER,
    SK_JS_TRUE,
    SK_JS_FALSE,
    SK_JS_NULL,
    SK_JS_BAD, /* not the start of a value */
};

struct sk_js {
    char *p;         /* cursor */
    char *end;       /* end of the input */
    char *base;      /* start, for offsets */
    const char *err; /* what was expected, when a call failed */
    size_t err_off;
    int depth;
    uint8_t first[SK_JS_MAX_DEPTH]; /* per open container: no member read yet */
};

void sk_js_init(struct sk_js *js, char *buf, size_t len);

/* The type of the next value (whitespace skipped). */
int sk_js_peek(struct sk_js *js);

/* Opens the object at the cursor. */
int sk_js_object(struct sk_js *js);
/* The next member of the innermost open object: returns 1 with its key
 * (not NUL-terminated, unescaped when it had escapes) and leaves the cursor
 * at its value; 0 at the closing brace (the object is closed). */
int sk_js_key(struct sk_js *js, const char **key, size_t *klen);
/* Opens the array at the cursor. */
int sk_js_array(struct sk_js *js);
/* 1 when the innermost open array has another element (cursor on it), 0 at
 * the closing bracket (the array is closed). */
int sk_js_next(struct sk_js *js);

/* Values; each fails (< 0) when the value at the cursor has another type. */
/* A string, unescaped and NUL-terminated in place. */
int sk_js_string(struct sk_js *js, char **s, size_t *len);
/* A number's token (not terminated); *is_int when it has no fraction or
 * exponent. */
int sk_js_number(struct sk_js *js, const char **tok, size_t *len, int *is_int);
/* A non-negative integer that fits 64 bits. */
int sk_js_u64(struct sk_js *js, uint64_t *v);
int sk_js_double(struct sk_js *js, double *v);
int sk_js_bool(struct sk_js *js, int *v);
/* null: returns 1 and consumes it; anything else: 0, cursor unchanged. */
int sk_js_null(struct sk_js *js);
/* Any value, validated and left in place. */
int sk_js_skip(struct sk_js *js);
/* Only whitespace remains. */
int sk_js_done(struct sk_js *js);

#endif
