/*
 * key.c — Ed25519 key files, public key text, detached signatures.
 *
 * Design: the secret key is a 32-byte seed kept in a text file that only
 * its holder can read; everything else (the libsodium 64-byte secret, the
 * public key) is derived from it. The file is written the durable way —
 * temporary file created 0600 with O_EXCL, fsync, rename, fsync of the
 * directory — so a crash leaves either no key or the whole key, never a
 * readable half. Loading checks the file mode (a key others can read is
 * compromised by definition) and that the public line matches the seed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sakimori/file.h"
#include "sakimori/key.h"

#define KEY_MAGIC "sakimori-ed25519-secret-key v1"
#define KEY_FILE_MAX 4096

static int sodium_ready(void)
{
    return sodium_init() < 0 ? -SK_ECRYPTO : 0;
}

int sk_key_name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n >= SK_KEY_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-' && c != '@')
            return 0;
    }
    return 1;
}

char *sk_hex(const uint8_t *b, size_t n, char *out, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    if (len == 0)
        return out;
    for (i = 0; i < n && 2 * i + 2 < len; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * i] = '\0';
    return out;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int sk_unhex(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n)
        return -SK_EPARSE;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -SK_EPARSE;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int b64_decode_exact(const char *s, size_t slen, uint8_t *out, size_t n)
{
    size_t got = 0;
    const char *end = NULL;

    if (sodium_base642bin(out, n, s, slen, NULL, &got, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != n || end != s + slen)
        return -SK_EPARSE;
    return 0;
}

int sk_key_generate(struct sk_key *k, const char *name, struct sk_errinfo *ei)
{
    memset(k, 0, sizeof *k);
    if (sodium_ready() < 0)
        return sk_fail(ei, -SK_ECRYPTO, "libsodium failed to initialise");
    if (!sk_key_name_ok(name))
        return sk_fail(ei, -SK_EINVAL,
                       "key name '%s': expected 1-63 characters of letters, digits, '.', '_', '-', '@'",
                       name);
    snprintf(k->name, sizeof k->name, "%s", name);
    crypto_sign_keypair(k->pub, k->sec);
    k->has_secret = 1;
    return 0;
}

void sk_key_wipe(struct sk_key *k)
{
    sodium_memzero(k->sec, sizeof k->sec);
    k->has_secret = 0;
}

char *sk_key_format_public(const uint8_t pub[SK_KEY_PUBLIC_BYTES], char *out, size_t len)
{
    char b64[48];

    sodium_bin2base64(b64, sizeof b64, pub, SK_KEY_PUBLIC_BYTES, sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, len, "ed25519:%s", b64);
    return out;
}

int sk_key_parse_public(const char *text, uint8_t pub[SK_KEY_PUBLIC_BYTES])
{
    if (sodium_ready() < 0)
        return -SK_ECRYPTO;
    if (strncmp(text, "ed25519:", 8) != 0)
        return -SK_EPARSE;
    return b64_decode_exact(text + 8, strlen(text + 8), pub, SK_KEY_PUBLIC_BYTES);
}

int sk_key_parse_named_public(const char *text, char name[SK_KEY_NAME_MAX],
                              uint8_t pub[SK_KEY_PUBLIC_BYTES], struct sk_errinfo *ei)
{
    const char *sp = strchr(text, ' ');
    size_t n = sp ? (size_t)(sp - text) : 0;

    if (!sp || n == 0 || n >= SK_KEY_NAME_MAX)
        return sk_fail(ei, -SK_EPARSE, "expected 'NAME ed25519:BASE64' (the line sakimori keygen prints)");
    memcpy(name, text, n);
    name[n] = '\0';
    if (!sk_key_name_ok(name))
        return sk_fail(ei, -SK_EPARSE, "'%s' is not a valid name (letters, digits, '.', '_', '-', '@')",
                       name);
    while (*sp == ' ')
        sp++;
    if (sk_key_parse_public(sp, pub) < 0)
        return sk_fail(ei, -SK_EPARSE, "'%s' is not a public key (expected ed25519: and 44 base64 characters)",
                       sp);
    return 0;
}

char *sk_key_id(const uint8_t pub[SK_KEY_PUBLIC_BYTES], char *out, size_t len)
{
    uint8_t h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, pub, SK_KEY_PUBLIC_BYTES);
    return sk_hex(h, 8, out, len);
}

int sk_key_sign(const struct sk_key *k, const void *msg, size_t len, uint8_t sig[SK_KEY_SIG_BYTES])
{
    if (!k->has_secret)
        return -SK_EINVAL;
    if (sodium_ready() < 0)
        return -SK_ECRYPTO;
    crypto_sign_detached(sig, NULL, msg, len, k->sec);
    return 0;
}

int sk_key_verify(const uint8_t pub[SK_KEY_PUBLIC_BYTES], const void *msg, size_t len,
                  const uint8_t sig[SK_KEY_SIG_BYTES])
{
    if (sodium_ready() < 0)
        return -SK_ECRYPTO;
    return crypto_sign_verify_detached(sig, msg, len, pub) == 0 ? 0 : -SK_ECRYPTO;
}

char *sk_key_sig_format(const uint8_t sig[SK_KEY_SIG_BYTES], char *out, size_t len)
{
    if (len < SK_KEY_SIG_TEXT) {
        if (len)
            out[0] = '\0';
        return out;
    }
    sodium_bin2base64(out, len, sig, SK_KEY_SIG_BYTES, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

int sk_key_sig_parse(const char *text, uint8_t sig[SK_KEY_SIG_BYTES])
{
    size_t n = strlen(text);

    if (sodium_ready() < 0)
        return -SK_ECRYPTO;
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    return b64_decode_exact(text, n, sig, SK_KEY_SIG_BYTES);
}

/* --- the secret key file ------------------------------------------------ */

int sk_key_parse_secret(struct sk_key *k, const char *text, size_t len, const char *name,
                        struct sk_errinfo *ei)
{
    uint8_t seed[crypto_sign_SEEDBYTES], pub_claimed[SK_KEY_PUBLIC_BYTES];
    int have_name = 0, have_pub = 0, have_seed = 0, rc = 0;
    size_t off = 0, line = 0;

    memset(k, 0, sizeof *k);
    if (sodium_ready() < 0)
        return sk_fail(ei, -SK_ECRYPTO, "libsodium failed to initialise");
    if (len > KEY_FILE_MAX)
        return sk_fail(ei, -SK_ETOOBIG, "%s: larger than %d bytes: not a key file", name,
                       KEY_FILE_MAX);
    while (off < len) {
        const char *l = text + off, *nl = memchr(l, '\n', len - off);
        size_t n = nl ? (size_t)(nl - l) : len - off;
        char buf[256];

        off += n + (nl ? 1 : 0);
        line++;
        if (n && l[n - 1] == '\r')
            n--;
        if (n >= sizeof buf) {
            rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: line too long", name, line);
            goto out;
        }
        memcpy(buf, l, n);
        buf[n] = '\0';
        if (memchr(buf, '\0', n)) {
            rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: NUL byte in key file", name, line);
            goto out;
        }
        if (line == 1) {
            if (strcmp(buf, KEY_MAGIC) != 0) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:1: expected '%s' (a file written by sakimori keygen)",
                             name, KEY_MAGIC);
                goto out;
            }
            continue;
        }
        if (n == 0 || buf[0] == '#')
            continue;
        if (strncmp(buf, "name: ", 6) == 0 && !have_name) {
            if (!sk_key_name_ok(buf + 6)) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: invalid key name '%s'", name, line, buf + 6);
                goto out;
            }
            snprintf(k->name, sizeof k->name, "%s", buf + 6);
            have_name = 1;
        } else if (strncmp(buf, "public: ", 8) == 0 && !have_pub) {
            if (sk_key_parse_public(buf + 8, pub_claimed) < 0) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: expected 'public: ed25519:<base64 of 32 bytes>'",
                             name, line);
                goto out;
            }
            have_pub = 1;
        } else if (strncmp(buf, "seed: ", 6) == 0 && !have_seed) {
            if (b64_decode_exact(buf + 6, strlen(buf + 6), seed, sizeof seed) < 0) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: expected 'seed: <base64 of 32 bytes>'", name,
                             line);
                goto out;
            }
            have_seed = 1;
        } else {
            rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: expected one each of 'name:', 'public:', 'seed:'",
                         name, line);
            goto out;
        }
    }
    if (line == 0 || !have_name || !have_pub || !have_seed) {
        rc = sk_fail(ei, -SK_EPARSE, "%s: incomplete key file (needs the header, name:, public:, seed:)",
                     name);
        goto out;
    }
    crypto_sign_seed_keypair(k->pub, k->sec, seed);
    if (sodium_memcmp(k->pub, pub_claimed, sizeof pub_claimed) != 0) {
        rc = sk_fail(ei, -SK_ECRYPTO, "%s: the public key does not belong to the seed (damaged key file)",
                     name);
        goto out;
    }
    k->has_secret = 1;
out:
    sodium_memzero(seed, sizeof seed);
    if (rc < 0)
        sk_key_wipe(k);
    return rc;
}

int sk_key_load_secret(struct sk_key *k, const char *path, struct sk_errinfo *ei)
{
    struct stat st;
    char *text = NULL;
    size_t len = 0;
    int rc;

    memset(k, 0, sizeof *k);
    if (stat(path, &st) != 0)
        return sk_fail(ei, -errno, "%s: %s", path, strerror(errno));
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return sk_fail(ei, -SK_EDENIED,
                       "%s: mode %03o lets others read or change a secret key; chmod 600 it (and consider it compromised)",
                       path, (unsigned)(st.st_mode & 0777));
    if ((rc = sk_read_file(path, KEY_FILE_MAX, &text, &len, ei)) < 0)
        return rc;
    rc = sk_key_parse_secret(k, text, len, path, ei);
    sodium_memzero(text, len);
    free(text);
    return rc;
}

static int fsync_parent(const char *path)
{
    char *copy = strdup(path);
    int fd, rc = 0;

    if (!copy)
        return -SK_ENOMEM;
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd) != 0)
            rc = -errno;
        close(fd);
    }
    free(copy);
    return rc;
}

int sk_key_write_secret(const struct sk_key *k, const char *path, int overwrite,
                        struct sk_errinfo *ei)
{
    char text[512], pub[SK_KEY_PUBLIC_TEXT], seed64[48], tmp[4096];
    uint8_t seed[crypto_sign_SEEDBYTES];
    int fd = -1, rc = 0, n;
    size_t off = 0;

    if (!k->has_secret)
        return sk_fail(ei, -SK_EINVAL, "no secret key to write");
    if (!overwrite && access(path, F_OK) == 0)
        return sk_fail(ei, -SK_EEXIST, "%s: exists; refusing to replace a key (move it away first)",
                       path);
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
        return sk_fail(ei, -SK_ETOOBIG, "%s: path too long", path);
    crypto_sign_ed25519_sk_to_seed(seed, k->sec);
    sodium_bin2base64(seed64, sizeof seed64, seed, sizeof seed, sodium_base64_VARIANT_ORIGINAL);
    n = snprintf(text, sizeof text, "%s\nname: %s\npublic: %s\nseed: %s\n", KEY_MAGIC, k->name,
                 sk_key_format_public(k->pub, pub, sizeof pub), seed64);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(seed64, sizeof seed64);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = sk_fail(ei, -errno, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    /* O_CREAT's mode is filtered by the umask: make 0600 explicit */
    if (fchmod(fd, 0600) != 0) {
        rc = sk_fail(ei, -errno, "%s: chmod: %s", tmp, strerror(errno));
        goto out;
    }
    while (off < (size_t)n) {
        ssize_t w = write(fd, text + off, (size_t)n - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            rc = sk_fail(ei, -errno, "%s: %s", tmp, strerror(errno));
            goto out;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) {
        rc = sk_fail(ei, -errno, "%s: fsync: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = sk_fail(ei, -errno, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (!overwrite) {
        /* link() fails if path appeared meanwhile: never replace a key by accident */
        if (link(tmp, path) != 0) {
            rc = sk_fail(ei, -errno, "%s: %s", path, strerror(errno));
            goto out;
        }
        unlink(tmp);
    } else if (rename(tmp, path) != 0) {
        rc = sk_fail(ei, -errno, "%s: %s", path, strerror(errno));
        goto out;
    }
    fsync_parent(path);
out:
    sodium_memzero(text, sizeof text);
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        unlink(tmp);
    return rc;
}
