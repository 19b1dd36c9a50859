/*
 * file.c — write-fsync-rename, whole-file reads, mkdir -p.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sakimori/file.h"

static int fsync_dir_of(const char *path)
{
    char *copy = strdup(path);
    int fd, rc = 0;

    if (!copy)
        return -SK_ENOMEM;
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        if (fsync(fd) != 0)
            rc = -errno;
        close(fd);
    }
    free(copy);
    return rc;
}

int sk_write_file_atomic(const char *path, const void *data, size_t len, struct sk_errinfo *ei)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    const char *p = data;
    int fd, rc = 0;

    if (!tmp)
        return -SK_ENOMEM;
    snprintf(tmp, n, "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = sk_fail(ei, -errno, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            rc = sk_fail(ei, -errno, "%s: %s", tmp, strerror(errno));
            break;
        }
        p += w;
        len -= (size_t)w;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = sk_fail(ei, -errno, "%s: fsync: %s", tmp, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = sk_fail(ei, -errno, "%s: %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = sk_fail(ei, -errno, "%s: %s", path, strerror(errno));
    if (rc < 0)
        unlink(tmp);
    else
        fsync_dir_of(path);
    free(tmp);
    return rc;
}

int sk_read_file(const char *path, size_t cap, char **out, size_t *lenp, struct sk_errinfo *ei)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, size = 0;
    int rc = 0;

    if (!f)
        return sk_fail(ei, -errno, "%s: %s", path, strerror(errno));
    for (;;) {
        if (len + 1 >= size) {
            size_t ns = size ? size * 2 : 65536;
            if (ns > cap + 1)
                ns = cap + 1;
            if (ns <= len + 1) {
                rc = sk_fail(ei, -SK_ETOOBIG, "%s: larger than %zu bytes", path, cap);
                break;
            }
            char *nb = realloc(buf, ns);
            if (!nb) {
                rc = -SK_ENOMEM;
                break;
            }
            buf = nb;
            size = ns;
        }
        size_t r = fread(buf + len, 1, size - len - 1, f);
        len += r;
        if (r == 0) {
            if (ferror(f))
                rc = sk_fail(ei, -SK_EIO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    if (!buf && !(buf = malloc(1)))
        return -SK_ENOMEM;
    buf[len] = '\0';
    *out = buf;
    if (lenp)
        *lenp = len;
    return 0;
}

int sk_mkdir_p(const char *path, struct sk_errinfo *ei)
{
    char tmp[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof tmp)
        return sk_fail(ei, -SK_EINVAL, "bad directory name '%s'", path);
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return sk_fail(ei, -errno, "%s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return sk_fail(ei, -errno, "%s: %s", tmp, strerror(errno));
    return 0;
}
