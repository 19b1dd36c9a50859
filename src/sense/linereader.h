/*
 * linereader.h — lines from a file, stdin or a gzip file, optionally
 * following a growing file across rotation (tail -F).
 *
 * Lines are handed out in place in the reader's buffer, NUL-terminated and
 * mutable (the JSON scanner unescapes into them), without the newline and a
 * trailing CR; a line is valid until the next call. A line longer than the
 * cap is skipped whole and reported once as -SK_ETOOBIG: the reader stays
 * usable, the caller counts it as malformed.
 *
 * Following: at the end of the file the reader waits (polling every 100 ms)
 * for more; when the path names a new file (rotation: renamed away and
 * recreated) it finishes the old one and opens the new one from its start;
 * when the file shrank (truncated in place) it starts again from the top. A
 * last line without its newline is held until it is completed. It returns 0
 * when *stop becomes non-zero or after idle_stop ns without new data.
 */
#ifndef SK_SENSE_LINEREADER_H
#define SK_SENSE_LINEREADER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sakimori/error.h"

struct sk_lines;

struct sk_lines_opts {
    size_t max_line;                   /* 0: 16 MiB */
    int follow;                        /* not for stdin or gzip */
    const volatile sig_atomic_t *stop; /* may be NULL */
    uint64_t idle_stop;                /* ns; 0: never */
};

/* path "-" is stdin. gzip input (by its magic bytes) is decompressed. */
int sk_lines_open(struct sk_lines **out, const char *path, const struct sk_lines_opts *opts,
                  struct sk_errinfo *ei);
/* 1: a line in *line and *len; 0: end of input (or stopped); -SK_ETOOBIG: a
 * line over the cap was skipped; other < 0: a read error (lr->err). */
int sk_lines_next(struct sk_lines *lr, char **line, size_t *len);
/* 1-based number of the line last returned (counted across rotations). */
uint64_t sk_lines_lineno(const struct sk_lines *lr);
/* Bytes consumed so far, and the input's size when known (else 0). */
uint64_t sk_lines_offset(const struct sk_lines *lr);
uint64_t sk_lines_size(const struct sk_lines *lr);
/* The first bytes of the input (for format detection), without consuming. */
int sk_lines_is_gzip(const struct sk_lines *lr);
const char *sk_lines_error(const struct sk_lines *lr);
void sk_lines_close(struct sk_lines *lr);

#endif
