/*
 * file.h — durable file writes.
 */
#ifndef SAKIMORI_FILE_H
#define SAKIMORI_FILE_H

#include <stddef.h>

#include "sakimori/error.h"

/* Writes data to PATH.tmp, fsyncs it, renames it over path and fsyncs the
 * directory: readers see the old file or the new one, never a mix. The
 * temporary file is removed on error. */
int sk_write_file_atomic(const char *path, const void *data, size_t len,
                         struct sk_errinfo *ei);
/* Reads a whole file of at most cap bytes (malloc'd, NUL-terminated; caller
 * frees). -SK_ETOOBIG past cap. */
int sk_read_file(const char *path, size_t cap, char **out, size_t *len,
                 struct sk_errinfo *ei);
/* mkdir -p with mode 0755. */
int sk_mkdir_p(const char *path, struct sk_errinfo *ei);

#endif
