/*
 * buf.c — capped growable buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/buf.h"
#include "sakimori/error.h"

void sk_buf_init(struct sk_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->size = 0;
    b->cap = cap;
}

static int buf_reserve(struct sk_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;

    if (extra > b->cap || b->len + extra > b->cap)
        return -SK_ETOOBIG;
    if (need <= b->size)
        return 0;
    size_t nsize = b->size ? b->size : 64;
    while (nsize < need)
        nsize *= 2;
    if (nsize > b->cap + 1)
        nsize = b->cap + 1;
    char *p = realloc(b->data, nsize);
    if (!p)
        return -SK_ENOMEM;
    b->data = p;
    b->size = nsize;
    return 0;
}

int sk_buf_append(struct sk_buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc < 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int sk_buf_puts(struct sk_buf *b, const char *s) { return sk_buf_append(b, s, strlen(s)); }
int sk_buf_putc(struct sk_buf *b, char c) { return sk_buf_append(b, &c, 1); }

int sk_buf_vprintf(struct sk_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n, rc;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return -SK_EINVAL;
    if ((rc = buf_reserve(b, (size_t)n)) < 0)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int sk_buf_printf(struct sk_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = sk_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void sk_buf_reset(struct sk_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *sk_buf_steal(struct sk_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->size = 0;
    return p;
}

void sk_buf_free(struct sk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->size = 0;
}

const char *sk_buf_str(const struct sk_buf *b) { return b->data ? b->data : ""; }
