/*
 * buf.h — growable byte buffer with a hard cap (curl's dynbuf).
 *
 * Every buffer fed by untrusted input is an sk_buf with a cap; appending past
 * the cap fails with -SK_ETOOBIG and leaves the contents as they were. The
 * contents are always NUL-terminated so they can be used as a C string.
 */
#ifndef SAKIMORI_BUF_H
#define SAKIMORI_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct sk_buf {
    char *data;  /* NULL until the first append */
    size_t len;  /* bytes in use, excluding the NUL */
    size_t size; /* bytes allocated */
    size_t cap;  /* maximum len */
};

void sk_buf_init(struct sk_buf *b, size_t cap);
int sk_buf_append(struct sk_buf *b, const void *p, size_t n);
int sk_buf_puts(struct sk_buf *b, const char *s);
int sk_buf_putc(struct sk_buf *b, char c);
int sk_buf_printf(struct sk_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int sk_buf_vprintf(struct sk_buf *b, const char *fmt, va_list ap);
void sk_buf_reset(struct sk_buf *b);
/* Hands the contents to the caller (malloc'd; caller frees) and resets. */
char *sk_buf_steal(struct sk_buf *b);
void sk_buf_free(struct sk_buf *b);
/* "" when empty, never NULL. */
const char *sk_buf_str(const struct sk_buf *b);

#endif
