/*
 * linereader.c — lines from files, stdin and gzip, with tail -F following.
 *
 * One buffer (1 MiB to start, grown up to the line cap) is filled with
 * large reads; lines are found with memchr and handed out in place, so a
 * byte is copied at most once more (when a partial line moves to the
 * buffer's start). gzip files go through zlib's gzread; stdin always does,
 * as zlib passes plain data through unchanged and stdin cannot be peeked.
 *
 * Following keeps the file's device and inode; a different pair under the
 * same path means the file was rotated, a size below what was read means it
 * was truncated in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "sakimori/nstime.h"
#include "sense/linereader.h"

#define INITIAL_BUF (1u << 20)
#define DEFAULT_MAX_LINE (16u << 20)
#define POLL_NS (100 * SK_NS_PER_MS)

struct sk_lines {
    char *path;
    int fd;
    gzFile gz;
    struct sk_lines_opts o;
    char *buf;
    size_t cap, start, fill;
    int skipping;      /* dropping the rest of an over-long line */
    int flush_partial; /* hand out an unterminated last line */
    uint64_t lineno, offset, size;
    dev_t dev;
    ino_t ino;
    uint64_t pos; /* bytes read from the current file */
    sk_nstime last_data;
    int quiet_polls; /* polls the old file stayed quiet after a rotation */
    char err[256];
};

static int open_file(struct sk_lines *lr, struct sk_errinfo *ei)
{
    struct stat sb;
    unsigned char magic[2];

    if (strcmp(lr->path, "-") == 0) {
        int fd = dup(STDIN_FILENO);
        if (fd < 0 || !(lr->gz = gzdopen(fd, "rb"))) {
            if (fd >= 0)
                close(fd);
            return sk_fail(ei, -SK_EIO, "stdin: cannot read");
        }
        gzbuffer(lr->gz, 1u << 18);
        lr->o.follow = 0;
        return 0;
    }
    lr->fd = open(lr->path, O_RDONLY | O_CLOEXEC);
    if (lr->fd < 0)
        return sk_fail(ei, -errno, "%s: %s", lr->path, strerror(errno));
    if (fstat(lr->fd, &sb) == 0) {
        lr->dev = sb.st_dev;
        lr->ino = sb.st_ino;
        if (S_ISREG(sb.st_mode))
            lr->size = (uint64_t)sb.st_size;
        if (S_ISDIR(sb.st_mode)) {
            close(lr->fd);
            lr->fd = -1;
            return sk_fail(ei, -EISDIR, "%s: is a directory", lr->path);
        }
    }
    if (pread(lr->fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        int fd = lr->fd;
        lr->fd = -1;
        if (!(lr->gz = gzdopen(fd, "rb"))) {
            close(fd);
            return sk_fail(ei, -SK_ENOMEM, "%s: cannot start gzip decoding", lr->path);
        }
        gzbuffer(lr->gz, 1u << 18);
        lr->o.follow = 0; /* a compressed file is a finished file */
        lr->size = 0;     /* offsets count decompressed bytes: no total */
    }
    lr->pos = 0;
    return 0;
}

int sk_lines_open(struct sk_lines **out, const char *path, const struct sk_lines_opts *opts,
                  struct sk_errinfo *ei)
{
    struct sk_lines *lr = calloc(1, sizeof *lr);
    int rc;

    if (!lr)
        return -SK_ENOMEM;
    lr->fd = -1;
    lr->o = *opts;
    if (!lr->o.max_line)
        lr->o.max_line = DEFAULT_MAX_LINE;
    lr->cap = INITIAL_BUF;
    if (!(lr->path = strdup(path)) || !(lr->buf = malloc(lr->cap))) {
        sk_lines_close(lr);
        return -SK_ENOMEM;
    }
    if ((rc = open_file(lr, ei)) < 0) {
        sk_lines_close(lr);
        return rc;
    }
    lr->last_data = sk_monotonic();
    *out = lr;
    return 0;
}

static ssize_t rd(struct sk_lines *lr, char *p, size_t n)
{
    if (lr->gz) {
        if (n > (1u << 30))
            n = 1u << 30;
        int r = gzread(lr->gz, p, (unsigned)n);
        if (r < 0) {
            int zerr;
            const char *m = gzerror(lr->gz, &zerr);
            snprintf(lr->err, sizeof lr->err, "%s: byte %llu: gzip: %s", lr->path,
                     (unsigned long long)lr->offset, m ? m : "error");
            return -1;
        }
        return r;
    }
    ssize_t r;
    do
        r = read(lr->fd, p, n);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        snprintf(lr->err, sizeof lr->err, "%s: byte %llu: %s", lr->path,
                 (unsigned long long)lr->offset, strerror(errno));
    return r;
}

static void nap(void)
{
    struct timespec ts = {0, (long)POLL_NS};
    nanosleep(&ts, NULL);
}

/* At the end of a followed file. 1: go on reading (more data, or a new
 * file); 0: stop. */
static int follow_wait(struct sk_lines *lr)
{
    struct stat sb;

    for (;;) {
        if (lr->o.stop && *lr->o.stop)
            return 0;
        if (lr->o.idle_stop && sk_monotonic() - lr->last_data >= lr->o.idle_stop)
            return 0;
        if (stat(lr->path, &sb) == 0) {
            if (sb.st_dev != lr->dev || sb.st_ino != lr->ino) {
                /* rotated: what is still appended to the old file (a
                 * writer finishing before it reopens) comes first; switch
                 * once the old file has stayed quiet for two polls */
                char probe;
                ssize_t n = pread(lr->fd, &probe, 1, (off_t)lr->pos);
                if (n > 0) {
                    lr->quiet_polls = 0;
                    return 1;
                }
                if (++lr->quiet_polls < 2) {
                    nap();
                    continue;
                }
                lr->quiet_polls = 0;
                int fd = open(lr->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                    nap();
                    continue;
                }
                close(lr->fd);
                lr->fd = fd;
                fstat(fd, &sb);
                lr->dev = sb.st_dev;
                lr->ino = sb.st_ino;
                lr->pos = 0;
                lr->flush_partial = lr->fill > lr->start;
                return 1;
            }
            if ((uint64_t)sb.st_size < lr->pos) {
                /* truncated in place (copytruncate): start again */
                lseek(lr->fd, 0, SEEK_SET);
                lr->pos = 0;
                lr->flush_partial = lr->fill > lr->start;
                return 1;
            }
            if ((uint64_t)sb.st_size > lr->pos)
                return 1;
        }
        nap();
    }
}

static int hand_out(struct sk_lines *lr, char *s, size_t len, char **line, size_t *out)
{
    if (len && s[len - 1] == '\r')
        len--;
    s[len] = '\0';
    lr->lineno++;
    *line = s;
    *out = len;
    return 1;
}

int sk_lines_next(struct sk_lines *lr, char **line, size_t *len)
{
    for (;;) {
        if (lr->fill > lr->start) {
            char *s = lr->buf + lr->start;
            size_t avail = lr->fill - lr->start;
            char *nl = memchr(s, '\n', avail);
            if (nl) {
                size_t n = (size_t)(nl - s);
                lr->start += n + 1;
                lr->offset += n + 1;
                if (lr->skipping) {
                    lr->skipping = 0;
                    continue;
                }
                return hand_out(lr, s, n, line, len);
            }
            if (lr->flush_partial && !lr->skipping) {
                lr->flush_partial = 0;
                lr->start = lr->fill;
                lr->offset += avail;
                return hand_out(lr, s, avail, line, len);
            }
            if (lr->skipping || avail > lr->o.max_line) {
                lr->offset += avail;
                lr->start = lr->fill = 0;
                if (!lr->skipping) {
                    lr->skipping = 1;
                    lr->lineno++;
                    return -SK_ETOOBIG;
                }
            }
        }
        lr->flush_partial = 0;
        if (lr->start) {
            memmove(lr->buf, lr->buf + lr->start, lr->fill - lr->start);
            lr->fill -= lr->start;
            lr->start = 0;
        }
        if (lr->cap - lr->fill < (INITIAL_BUF >> 2)) {
            size_t ncap = lr->cap * 2;
            char *nb = realloc(lr->buf, ncap);
            if (!nb)
                return -SK_ENOMEM;
            lr->buf = nb;
            lr->cap = ncap;
        }
        ssize_t n = rd(lr, lr->buf + lr->fill, lr->cap - lr->fill - 1);
        if (n < 0)
            return -SK_EIO;
        if (n > 0) {
            lr->fill += (size_t)n;
            lr->pos += (uint64_t)n;
            lr->last_data = sk_monotonic();
            continue;
        }
        if (!lr->o.follow || lr->fd < 0) {
            if (lr->fill > lr->start && !lr->skipping) {
                lr->flush_partial = 1;
                continue;
            }
            return 0;
        }
        if (!follow_wait(lr))
            return 0;
    }
}

uint64_t sk_lines_lineno(const struct sk_lines *lr) { return lr->lineno; }
uint64_t sk_lines_offset(const struct sk_lines *lr) { return lr->offset; }
uint64_t sk_lines_size(const struct sk_lines *lr) { return lr->size; }
int sk_lines_is_gzip(const struct sk_lines *lr) { return lr->gz != NULL; }
const char *sk_lines_error(const struct sk_lines *lr) { return lr->err; }

void sk_lines_close(struct sk_lines *lr)
{
    if (!lr)
        return;
    if (lr->gz)
        gzclose(lr->gz);
    if (lr->fd >= 0)
        close(lr->fd);
    free(lr->buf);
    free(lr->path);
    free(lr);
}
