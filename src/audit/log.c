/*
 * log.c — the audit log in the store: append, seal (signed tree heads),
 * verify, proofs, purge.
 *
 * Tables (src/store/schema.c):
 *   audit_log(seq, ts_ns, kind, subject, entry, leaf)  one row per entry;
 *       entry is the exact JSON text hashed into leaf; NULL once purged
 *   audit_sth(tree_size, ts_ns, root, key_id, signature)  signed tree heads
 *   audit_head(tree_size, frontier, log_id)  the frontier of the signed tree
 *       and this log's random identity (bound into every signature, so a
 *       tree head of one deployment never passes for another's)
 *
 * The entry text starts with a fixed-order header,
 *   {"seq":N,"ts_ns":T,"kind":"K","subject":"S","actor":…,"detail":{…}}
 * so verification can rebuild the header from the row's columns and compare
 * bytes instead of parsing JSON: an edited column, an entry moved to another
 * seq, or an edited body are each told apart cheaply, and 10 million entries
 * verify in one sequential pass.
 *
 * Sealing reads the frontier of the last signed tree, pushes the leaves
 * appended since, signs the new root and stores head and frontier — all in
 * the caller's transaction, so entries, tree head and the state change they
 * record commit together or not at all. Nothing is cached across
 * transactions: a rolled-back append leaves no trace in memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sakimori/audit.h"
#include "sakimori/buf.h"
#include "sakimori/conf.h"
#include "sakimori/file.h"
#include "sakimori/log.h"
#include "sakimori/store.h"

#define STH_MAGIC "sakimori-sth-v1" /* 15 bytes + NUL = 16 */
#define ENTRY_MAX (1u << 20)

struct sk_audit {
    struct sk_store *st;
    sqlite3 *db;
    struct sk_key key;   /* the server's signing key (write mode) */
    uint8_t pub[SK_KEY_PUBLIC_BYTES];
    int has_pub;
    struct sk_buf entry; /* scratch for building entries */
};

struct sk_store *sk_audit_store(struct sk_audit *a) { return a->st; }

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -SK_ESTORE;
}

/* "<store file>.audit-key" when the configuration names no key. */
static void key_path(struct sk_audit *a, const struct sk_conf *conf, char *out, size_t len)
{
    const char *db = sqlite3_db_filename(a->db, "main");

    if (conf && conf->audit.key && conf->audit.key[0])
        snprintf(out, len, "%s", conf->audit.key);
    else
        snprintf(out, len, "%s.audit-key", db && *db ? db : "sakimori.db");
}

static int write_pub_file(const char *path, const struct sk_key *k, struct sk_errinfo *ei)
{
    char pub[SK_KEY_PUBLIC_TEXT], line[160];
    int n = snprintf(line, sizeof line, "%s %s\n", k->name,
                     sk_key_format_public(k->pub, pub, sizeof pub));
    return sk_write_file_atomic(path, line, (size_t)n, ei);
}

static int load_pub_file(const char *path, uint8_t pub[SK_KEY_PUBLIC_BYTES])
{
    char *text = NULL, name[SK_KEY_NAME_MAX];
    size_t len;
    int rc;

    if ((rc = sk_read_file(path, 4096, &text, &len, NULL)) < 0)
        return rc;
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    rc = sk_key_parse_named_public(text, name, pub, NULL);
    free(text);
    return rc;
}

int sk_audit_open(struct sk_audit **out, struct sk_store *st, const struct sk_conf *conf,
                  int mode, struct sk_errinfo *ei)
{
    struct sk_audit *a = calloc(1, sizeof *a);
    char path[4096], pubpath[4200];
    int rc = 0;

    if (!a)
        return -SK_ENOMEM;
    a->st = st;
    a->db = sk_store_db(st);
    sk_buf_init(&a->entry, ENTRY_MAX + 1024);
    {
        /* room for a typical entry, so details are written in place */
        static const char zeros[8192];
        sk_buf_append(&a->entry, zeros, sizeof zeros);
        sk_buf_reset(&a->entry);
    }
    key_path(a, conf, path, sizeof path);
    snprintf(pubpath, sizeof pubpath, "%s.pub", path);

    if (conf && conf->audit.public_key && conf->audit.public_key[0]) {
        if (sk_key_parse_public(conf->audit.public_key, a->pub) < 0) {
            rc = sk_fail(ei, -SK_ECONF, "%s: audit.public_key: expected ed25519:<base64 of 32 bytes>",
                         conf->path ? conf->path : "configuration");
            goto out;
        }
        a->has_pub = 1;
    }
    if (mode == SK_AUDIT_WRITE) {
        if (access(path, F_OK) != 0 && errno == ENOENT) {
            if ((rc = sk_key_generate(&a->key, "audit-server", ei)) < 0)
                goto out;
            rc = sk_key_write_secret(&a->key, path, 0, ei);
            if (rc == -EEXIST || rc == -SK_EEXIST) {
                /* another process made it first: use theirs */
                sk_key_wipe(&a->key);
                if ((rc = sk_key_load_secret(&a->key, path, ei)) < 0)
                    goto out;
            } else if (rc < 0 || (rc = write_pub_file(pubpath, &a->key, ei)) < 0) {
                goto out;
            } else {
                sk_info("audit", "created the audit signing key %s (public half: %s)", path,
                        pubpath);
            }
        } else if ((rc = sk_key_load_secret(&a->key, path, ei)) < 0) {
            goto out;
        }
        if (a->has_pub && memcmp(a->pub, a->key.pub, sizeof a->pub) != 0) {
            rc = sk_fail(ei, -SK_ECONF,
                         "%s: the audit signing key does not match audit.public_key in the configuration",
                         path);
            goto out;
        }
        memcpy(a->pub, a->key.pub, sizeof a->pub);
        a->has_pub = 1;
        /* an entry is durable when its transaction commits */
        sqlite3_exec(a->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
    } else if (!a->has_pub) {
        struct sk_key k;
        if (load_pub_file(pubpath, a->pub) == 0) {
            a->has_pub = 1;
        } else if (sk_key_load_secret(&k, path, NULL) == 0) {
            memcpy(a->pub, k.pub, sizeof a->pub);
            sk_key_wipe(&k);
            a->has_pub = 1;
        }
    }
out:
    if (rc < 0) {
        sk_audit_close(a);
        return rc;
    }
    *out = a;
    return 0;
}

void sk_audit_close(struct sk_audit *a)
{
    if (!a)
        return;
    sk_key_wipe(&a->key);
    sk_buf_free(&a->entry);
    free(a);
}

int sk_audit_set_pubkey(struct sk_audit *a, const uint8_t pub[SK_KEY_PUBLIC_BYTES])
{
    memcpy(a->pub, pub, SK_KEY_PUBLIC_BYTES);
    a->has_pub = 1;
    return 0;
}

int sk_audit_pubkey(struct sk_audit *a, uint8_t pub[SK_KEY_PUBLIC_BYTES])
{
    if (!a->has_pub)
        return -SK_ENOTFOUND;
    memcpy(pub, a->pub, SK_KEY_PUBLIC_BYTES);
    return 0;
}

/* --- append ------------------------------------------------------------- */

static int kind_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n >= SK_AUDIT_KIND_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int subject_ok(const char *s)
{
    size_t n = strlen(s);
    if (n >= SK_AUDIT_SUBJECT_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

/* Strict UTF-8 (no overlongs, no surrogates), as JSON requires. */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        unsigned c = *p, n, cp;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            n = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3, cp = c & 0x07;
        else
            return 0;
        for (unsigned i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        p += n + 1;
    }
    return 1;
}

static int next_seq(struct sk_audit *a, uint64_t *seq)
{
    static const char sql[] = "SELECT coalesce(max(seq), 0) FROM audit_log";
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(a->st, sql, &st)) < 0)
        return rc;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return -SK_ESTORE;
    }
    *seq = (uint64_t)sqlite3_column_int64(st, 0) + 1;
    sqlite3_reset(st);
    return 0;
}

/* The fixed-order header every entry starts with. */
/* Decimal digits of v at p; returns the end. */
static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_str(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* The header every entry starts with (by hand: this runs once per entry
 * when appending and again when verifying). Returns its length, or -1 if
 * len is too small; kind and subject were checked by kind_ok/subject_ok
 * (verify: their lengths are bounded here). */
static int entry_header(char *out, size_t len, uint64_t seq, sk_nstime ts, const char *kind,
                        const char *subject)
{
    size_t nk = strlen(kind), ns = strlen(subject);
    char *p = out;

    if (len < 80 + nk + ns)
        return -1;
    p = put_str(p, "{\"seq\":", 7);
    p = put_u64(p, seq);
    p = put_str(p, ",\"ts_ns\":", 9);
    p = put_u64(p, (uint64_t)ts);
    p = put_str(p, ",\"kind\":\"", 9);
    p = put_str(p, kind, nk);
    p = put_str(p, "\",\"subject\":\"", 13);
    p = put_str(p, subject, ns);
    p = put_str(p, "\",\"actor\":", 10);
    *p = '\0';
    return (int)(p - out);
}

/* Appends s as a JSON string; -SK_EINVAL if it is not UTF-8. */
static int put_json_string(struct sk_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    int rc;

    if (!utf8_ok(s))
        return -SK_EINVAL;
    if ((rc = sk_buf_putc(b, '"')) < 0)
        return rc;
    for (; *p; p++) {
        char esc[7];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\', esc[1] = (char)*p, esc[2] = '\0';
        } else if (*p < 0x20) {
            esc[0] = '\\', esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[*p >> 4],
            esc[5] = hex[*p & 15], esc[6] = '\0';
        } else {
            if ((rc = sk_buf_putc(b, (char)*p)) < 0)
                return rc;
            continue;
        }
        if ((rc = sk_buf_puts(b, esc)) < 0)
            return rc;
    }
    return sk_buf_putc(b, '"');
}

int sk_audit_append(struct sk_audit *a, const char *actor, const char *kind,
                    const char *subject, const struct json_t *detail, uint64_t *seqp)
{
    static const char sql[] =
        "INSERT INTO audit_log (seq, ts_ns, kind, subject, entry, leaf) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    char head[SK_AUDIT_KIND_MAX + SK_AUDIT_SUBJECT_MAX + 96];
    uint8_t leaf[SK_MERKLE_HASH];
    sqlite3_stmt *st;
    uint64_t seq;
    sk_nstime ts;
    int rc;

    if (sqlite3_get_autocommit(a->db))
        return -SK_ESTATE; /* entries land with the change they record */
    if (!subject)
        subject = "";
    if (!kind_ok(kind) || !subject_ok(subject))
        return -SK_EINVAL;
    if (detail && !json_is_object((const json_t *)detail))
        return -SK_EINVAL;
    if ((rc = next_seq(a, &seq)) < 0)
        return rc;
    ts = sk_now();
    entry_header(head, sizeof head, seq, ts, kind, subject);
    sk_buf_reset(&a->entry);
    if ((rc = sk_buf_puts(&a->entry, head)) < 0 ||
        (rc = put_json_string(&a->entry, actor ? actor : "")) < 0 ||
        (rc = sk_buf_puts(&a->entry, ",\"detail\":")) < 0)
        return rc;
    if (detail) {
        /* straight into the entry buffer; jansson keeps insertion order */
        size_t room = a->entry.size > a->entry.len ? a->entry.size - a->entry.len - 1 : 0;
        size_t need = json_dumpb((const json_t *)detail, a->entry.data + a->entry.len, room,
                                 JSON_COMPACT);
        if (need == 0)
            return -SK_EINVAL;
        if (need > room) {
            char *tmp = malloc(need);
            if (!tmp)
                return -SK_ENOMEM;
            json_dumpb((const json_t *)detail, tmp, need, JSON_COMPACT);
            rc = sk_buf_append(&a->entry, tmp, need);
            free(tmp);
            if (rc < 0)
                return rc;
        } else {
            a->entry.len += need;
            a->entry.data[a->entry.len] = '\0';
        }
    } else if ((rc = sk_buf_puts(&a->entry, "{}")) < 0) {
        return rc;
    }
    if ((rc = sk_buf_putc(&a->entry, '}')) < 0)
        return rc;
    sk_merkle_leaf_hash(a->entry.data, a->entry.len, leaf);
    if ((rc = sk_store_prepare(a->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)ts);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, subject, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, a->entry.data, (int)a->entry.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, leaf, sizeof leaf, SQLITE_STATIC);
    if ((rc = step_done(st)) < 0)
        return rc;
    if (seqp)
        *seqp = seq;
    return 0;
}

int sk_audit_append_text(struct sk_audit *a, const char *actor, const char *kind,
                         const char *subject, const char *detail_json, uint64_t *seq)
{
    json_t *d = NULL;
    int rc;

    if (detail_json) {
        d = json_loads(detail_json, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(d)) {
            json_decref(d);
            return -SK_EPARSE;
        }
    }
    rc = sk_audit_append(a, actor, kind, subject, d, seq);
    json_decref(d);
    return rc;
}

/* --- signed tree heads ---------------------------------------------------- */

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

size_t sk_audit_sth_signed_data(const struct sk_audit_sth *h, uint8_t out[SK_AUDIT_STH_SIGNED_LEN])
{
    /* OFFSET SIZE MEANING
     *  0     16   "sakimori-sth-v1\0"
     * 16     16   log id (random, per deployment)
     * 32      8   tree size, big-endian
     * 40      8   timestamp, ns since the Unix epoch, big-endian
     * 48     32   root hash (RFC 9162 MTH) */
    memcpy(out, STH_MAGIC, 16);
    memcpy(out + 16, h->log_id, 16);
    put_be64(out + 32, h->tree_size);
    put_be64(out + 40, (uint64_t)h->ts);
    memcpy(out + 48, h->root, SK_MERKLE_HASH);
    return SK_AUDIT_STH_SIGNED_LEN;
}

int sk_audit_sth_check(const struct sk_audit_sth *h, const uint8_t pub[SK_KEY_PUBLIC_BYTES])
{
    uint8_t data[SK_AUDIT_STH_SIGNED_LEN];

    sk_audit_sth_signed_data(h, data);
    return sk_key_verify(pub, data, sizeof data, h->sig);
}

struct head {
    struct sk_merkle_frontier f;
    uint8_t log_id[16];
};

static int read_head(struct sk_audit *a, struct head *h)
{
    static const char sql[] = "SELECT tree_size, frontier, log_id FROM audit_head WHERE id = 1";
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(a->st, sql, &st)) < 0)
        return rc;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return -SK_ESTORE;
    }
    rc = sk_merkle_frontier_load(&h->f, (uint64_t)sqlite3_column_int64(st, 0),
                                 sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
    if (rc == 0 && sqlite3_column_bytes(st, 2) == 16)
        memcpy(h->log_id, sqlite3_column_blob(st, 2), 16);
    else if (rc == 0)
        rc = -SK_EPARSE;
    sqlite3_reset(st);
    return rc;
}

int sk_audit_seal(struct sk_audit *a)
{
    static const char q_new[] = "SELECT seq, leaf FROM audit_log WHERE seq > ?1 ORDER BY seq";
    static const char q_sth[] =
        "INSERT INTO audit_sth (tree_size, ts_ns, root, key_id, signature) VALUES (?1, ?2, ?3, ?4, ?5)";
    static const char q_head[] = "UPDATE audit_head SET tree_size = ?1, frontier = ?2 WHERE id = 1";
    uint8_t data[SK_AUDIT_STH_SIGNED_LEN], fb[SK_MERKLE_MAX_DEPTH * SK_MERKLE_HASH];
    struct sk_audit_sth sth;
    struct head h;
    sqlite3_stmt *st;
    uint64_t old;
    size_t fl;
    int rc, r;

    if (sqlite3_get_autocommit(a->db))
        return -SK_ESTATE;
    if (!a->key.has_secret)
        return -SK_EINVAL; /* opened read-only */
    if ((rc = read_head(a, &h)) < 0)
        return rc;
    old = h.f.size;
    if ((rc = sk_store_prepare(a->st, q_new, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)old);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if ((uint64_t)sqlite3_column_int64(st, 0) != h.f.size + 1 ||
            sqlite3_column_bytes(st, 1) != SK_MERKLE_HASH) {
            sqlite3_reset(st);
            return -SK_ESTATE; /* a gap or a damaged leaf: never sign over it */
        }
        sk_merkle_frontier_push(&h.f, sqlite3_column_blob(st, 1));
    }
    sqlite3_reset(st);
    if (r != SQLITE_DONE)
        return -SK_ESTORE;
    if (h.f.size == old)
        return 0;
    memset(&sth, 0, sizeof sth);
    sth.tree_size = h.f.size;
    sth.ts = sk_now();
    memcpy(sth.log_id, h.log_id, 16);
    sk_merkle_frontier_root(&h.f, sth.root);
    sk_key_id(a->key.pub, sth.key_id, sizeof sth.key_id);
    sk_audit_sth_signed_data(&sth, data);
    if ((rc = sk_key_sign(&a->key, data, sizeof data, sth.sig)) < 0)
        return rc;
    if ((rc = sk_store_prepare(a->st, q_sth, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)sth.tree_size);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)sth.ts);
    sqlite3_bind_blob(st, 3, sth.root, SK_MERKLE_HASH, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, sth.key_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, sth.sig, SK_KEY_SIG_BYTES, SQLITE_STATIC);
    if ((rc = step_done(st)) < 0)
        return rc;
    fl = sk_merkle_frontier_bytes(&h.f, fb, sizeof fb);
    if ((rc = sk_store_prepare(a->st, q_head, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)h.f.size);
    sqlite3_bind_blob(st, 2, fb, (int)fl, SQLITE_STATIC);
    return step_done(st);
}

int sk_audit_commit(struct sk_audit *a)
{
    int rc;

    if ((rc = sk_audit_seal(a)) < 0 || (rc = sk_store_commit(a->st)) < 0) {
        sk_store_rollback(a->st);
        return rc;
    }
    return 0;
}

int sk_audit_record(struct sk_audit *a, const char *actor, const char *kind,
                    const char *subject, const struct json_t *detail)
{
    int rc;

    if ((rc = sk_store_begin(a->st)) < 0)
        return rc;
    if ((rc = sk_audit_append(a, actor, kind, subject, detail, NULL)) < 0) {
        sk_store_rollback(a->st);
        return rc;
    }
    return sk_audit_commit(a);
}

/* --- reading ------------------------------------------------------------ */

int sk_audit_size(struct sk_audit *a, uint64_t *entries)
{
    static const char sql[] = "SELECT coalesce(max(seq), 0) FROM audit_log";
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(a->st, sql, &st)) < 0)
        return rc;
    rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -SK_ESTORE;
    if (rc == 0)
        *entries = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc;
}

static int sth_from_row(sqlite3_stmt *st, const uint8_t log_id[16], struct sk_audit_sth *out)
{
    memset(out, 0, sizeof *out);
    out->tree_size = (uint64_t)sqlite3_column_int64(st, 0);
    out->ts = (sk_nstime)sqlite3_column_int64(st, 1);
    if (sqlite3_column_bytes(st, 2) != SK_MERKLE_HASH ||
        sqlite3_column_bytes(st, 4) != SK_KEY_SIG_BYTES)
        return -SK_EPARSE;
    memcpy(out->root, sqlite3_column_blob(st, 2), SK_MERKLE_HASH);
    snprintf(out->key_id, sizeof out->key_id, "%s",
             sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "");
    memcpy(out->sig, sqlite3_column_blob(st, 4), SK_KEY_SIG_BYTES);
    memcpy(out->log_id, log_id, 16);
    return 0;
}

static int sth_query(struct sk_audit *a, const char *sql, uint64_t arg, int bind,
                     struct sk_audit_sth *out)
{
    struct head h;
    sqlite3_stmt *st;
    int rc;

    if ((rc = read_head(a, &h)) < 0)
        return rc;
    if ((rc = sk_store_prepare(a->st, sql, &st)) < 0)
        return rc;
    if (bind)
        sqlite3_bind_int64(st, 1, (sqlite3_int64)arg);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = sth_from_row(st, h.log_id, out);
    else if (rc == SQLITE_DONE)
        rc = -SK_ENOTFOUND;
    else
        rc = -SK_ESTORE;
    sqlite3_reset(st);
    return rc;
}

int sk_audit_latest_sth(struct sk_audit *a, struct sk_audit_sth *out)
{
    static const char sql[] = "SELECT tree_size, ts_ns, root, key_id, signature FROM audit_sth"
                              " ORDER BY tree_size DESC LIMIT 1";
    int rc = sth_query(a, sql, 0, 0, out);

    if (rc == -SK_ENOTFOUND) {
        struct head h;
        memset(out, 0, sizeof *out);
        if ((rc = read_head(a, &h)) < 0)
            return rc;
        memcpy(out->log_id, h.log_id, 16);
        sk_merkle_empty_root(out->root);
        return 0;
    }
    return rc;
}

int sk_audit_sth_at_least(struct sk_audit *a, uint64_t min_size, struct sk_audit_sth *out)
{
    static const char sql[] = "SELECT tree_size, ts_ns, root, key_id, signature FROM audit_sth"
                              " WHERE tree_size >= ?1 ORDER BY tree_size LIMIT 1";
    return sth_query(a, sql, min_size, 1, out);
}

int sk_audit_entry(struct sk_audit *a, uint64_t seq, char **text, uint8_t leaf[SK_MERKLE_HASH])
{
    static const char sql[] = "SELECT entry, leaf FROM audit_log WHERE seq = ?1";
    sqlite3_stmt *st;
    int rc;

    *text = NULL;
    if ((rc = sk_store_prepare(a->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = 0;
        if (sqlite3_column_bytes(st, 1) != SK_MERKLE_HASH) {
            rc = -SK_EPARSE;
        } else {
            memcpy(leaf, sqlite3_column_blob(st, 1), SK_MERKLE_HASH);
            if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
                int n = sqlite3_column_bytes(st, 0);
                if (!(*text = malloc((size_t)n + 1)))
                    rc = -SK_ENOMEM;
                else {
                    memcpy(*text, sqlite3_column_blob(st, 0), (size_t)n);
                    (*text)[n] = '\0';
                }
            }
        }
    } else {
        rc = rc == SQLITE_DONE ? -SK_ENOTFOUND : -SK_ESTORE;
    }
    sqlite3_reset(st);
    return rc;
}

/* --- proofs ------------------------------------------------------------- */

static int store_range(void *ctx, uint64_t lo, uint64_t hi, struct sk_merkle_frontier *f)
{
    static const char sql[] =
        "SELECT leaf FROM audit_log WHERE seq > ?1 AND seq <= ?2 ORDER BY seq";
    struct sk_audit *a = ctx;
    sqlite3_stmt *st;
    int rc, r;

    if ((rc = sk_store_prepare(a->st, sql, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)lo);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)hi);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != SK_MERKLE_HASH) {
            sqlite3_reset(st);
            return -SK_EPARSE;
        }
        sk_merkle_frontier_push(f, sqlite3_column_blob(st, 0));
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : -SK_ESTORE;
}

int sk_audit_prove_inclusion(struct sk_audit *a, uint64_t seq, uint64_t tree_size,
                             uint8_t path[][SK_MERKLE_HASH], size_t *len)
{
    struct sk_merkle_source src = {store_range, a};

    if (seq == 0 || seq > tree_size)
        return -SK_EINVAL;
    return sk_merkle_inclusion_proof(&src, seq - 1, tree_size, path, len);
}

int sk_audit_prove_consistency(struct sk_audit *a, uint64_t size1, uint64_t size2,
                               uint8_t path[][SK_MERKLE_HASH], size_t *len)
{
    struct sk_merkle_source src = {store_range, a};
    return sk_merkle_consistency_proof(&src, size1, size2, path, len);
}

int sk_audit_root_at(struct sk_audit *a, uint64_t tree_size, uint8_t root[SK_MERKLE_HASH])
{
    struct sk_merkle_source src = {store_range, a};
    return sk_merkle_range_root(&src, 0, tree_size, root);
}

/* --- verification ----------------------------------------------------- */

/* The highest entry a retention purge recorded as removed: purged entries
 * must all lie at or below it. */
static int purge_cover(struct sk_audit *a, uint64_t *upto)
{
    static const char sql[] =
        "SELECT entry FROM audit_log WHERE kind = 'retention.purge' AND entry IS NOT NULL";
    sqlite3_stmt *st;
    int rc, r;

    *upto = 0;
    if ((rc = sk_store_prepare(a->st, sql, &st)) < 0)
        return rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *e = json_loadb(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), 0,
                               NULL);
        json_t *last = json_object_get(json_object_get(e, "detail"), "audit_last");
        if (json_is_integer(last) && (uint64_t)json_integer_value(last) > *upto)
            *upto = (uint64_t)json_integer_value(last);
        json_decref(e);
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : -SK_ESTORE;
}

__attribute__((format(printf, 4, 5)))
static int bad(struct sk_audit_verify *v, uint64_t first, uint64_t last, const char *fmt, ...)
{
    va_list ap;

    v->first_bad = first;
    v->bad_last = last;
    va_start(ap, fmt);
    vsnprintf(v->problem, sizeof v->problem, fmt, ap);
    va_end(ap);
    return 1;
}

static uint64_t embedded_seq(const uint8_t *e, size_t n)
{
    static const char pre[] = "{\"seq\":";
    uint64_t v = 0;
    size_t i = sizeof pre - 1;

    if (n < i || memcmp(e, pre, i) != 0)
        return 0;
    for (; i < n && e[i] >= '0' && e[i] <= '9' && v < UINT64_MAX / 10; i++)
        v = v * 10 + (uint64_t)(e[i] - '0');
    return v;
}

/* Does entry seq have this leaf hash? (Only asked once something is wrong.) */
static int same_leaf(struct sk_audit *a, uint64_t seq, const uint8_t leaf[SK_MERKLE_HASH])
{
    static const char sql[] = "SELECT leaf FROM audit_log WHERE seq = ?1";
    sqlite3_stmt *st;
    int same = 0;

    if (sk_store_prepare(a->st, sql, &st) < 0)
        return 0;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == SK_MERKLE_HASH)
        same = memcmp(sqlite3_column_blob(st, 0), leaf, SK_MERKLE_HASH) == 0;
    sqlite3_reset(st);
    return same;
}

struct vstate {
    struct sk_audit *a;
    struct sk_audit_verify *v;
    sqlite3_stmt *sth;   /* tree heads in size order */
    int sth_row;         /* sqlite3_step result for the current head */
    struct sk_audit_sth cur;
    uint64_t prev_size;  /* the last tree head that held */
    size_t anchor;
    uint8_t log_id[16];
};

static int sth_next(struct vstate *s)
{
    s->sth_row = sqlite3_step(s->sth);
    if (s->sth_row == SQLITE_ROW)
        return sth_from_row(s->sth, s->log_id, &s->cur) < 0 ? -SK_EPARSE : 0;
    return s->sth_row == SQLITE_DONE ? 0 : -SK_ESTORE;
}

/* Checks every tree head and anchor at size n against the frontier. */
static int check_heads(struct vstate *s, const struct sk_merkle_frontier *f)
{
    struct sk_audit_verify *v = s->v;
    uint8_t root[SK_MERKLE_HASH];
    char when[SK_RFC3339_LEN];
    int rc, have_root = 0;

    while (s->sth_row == SQLITE_ROW && s->cur.tree_size == f->size) {
        if (!have_root) {
            sk_merkle_frontier_root(f, root);
            have_root = 1;
        }
        sk_rfc3339(s->cur.ts, when, sizeof when);
        if (sk_audit_sth_check(&s->cur, s->a->pub) < 0)
            return bad(v, s->prev_size + 1, f->size,
                       "the tree head of size %" PRIu64 " (signed %s) has a signature that does not "
                       "verify: it was forged or altered, or signed by another key (key id %s)",
                       f->size, when, s->cur.key_id);
        if (sodium_memcmp(root, s->cur.root, SK_MERKLE_HASH) != 0) {
            if (f->size == s->prev_size + 1)
                return bad(v, f->size, f->size,
                           "entry %" PRIu64 " does not match the tree head signed at size %" PRIu64
                           " (%s): it was edited, inserted or replaced and its hash recomputed",
                           f->size, f->size, when);
            return bad(v, s->prev_size + 1, f->size,
                       "entries %" PRIu64 "..%" PRIu64 " do not match the tree head signed at size %"
                       PRIu64 " (%s): one of them was edited, inserted, deleted or reordered and the "
                       "hashes recomputed; entries up to %" PRIu64 " verify",
                       s->prev_size + 1, f->size, f->size, when, s->prev_size);
        }
        v->last = s->cur;
        v->sths++;
        s->prev_size = f->size;
        if ((rc = sth_next(s)) < 0)
            return rc;
    }
    if (s->sth_row == SQLITE_ROW && s->cur.tree_size < f->size)
        return bad(v, s->cur.tree_size, s->cur.tree_size,
                   "tree heads are out of order at size %" PRIu64, s->cur.tree_size);
    while (s->anchor < v->nanchors && v->anchors[s->anchor].tree_size == f->size) {
        if (!have_root) {
            sk_merkle_frontier_root(f, root);
            have_root = 1;
        }
        if (sodium_memcmp(root, v->anchors[s->anchor].root, SK_MERKLE_HASH) != 0)
            return bad(v, 1, f->size,
                       "entries 1..%" PRIu64 " do not match the anchored tree head of size %" PRIu64
                       ": the log was rewritten after that head was exported",
                       f->size, f->size);
        s->anchor++;
    }
    return 0;
}

static int cmp_anchor(const void *x, const void *y)
{
    const struct sk_audit_anchor *a = x, *b = y;
    return a->tree_size < b->tree_size ? -1 : a->tree_size > b->tree_size;
}

int sk_audit_verify(struct sk_audit *a, struct sk_audit_verify *v)
{
    static const char q_rows[] =
        "SELECT seq, ts_ns, kind, subject, entry, leaf FROM audit_log ORDER BY seq";
    static const char q_sth[] =
        "SELECT tree_size, ts_ns, root, key_id, signature FROM audit_sth ORDER BY tree_size";
    struct sk_merkle_frontier f;
    struct sk_audit_anchor *anchors = NULL;
    struct vstate s;
    struct head h;
    sqlite3_stmt *rows = NULL;
    uint64_t purge_upto, total = 0;
    int rc, r;

    memset(&s, 0, sizeof s);
    v->entries = v->sths = v->purged = v->first_bad = v->bad_last = 0;
    v->problem[0] = '\0';
    memset(&v->last, 0, sizeof v->last);
    if (!a->has_pub)
        return -SK_ENOTFOUND;
    if ((rc = read_head(a, &h)) < 0 || (rc = purge_cover(a, &purge_upto)) < 0 ||
        (rc = sk_audit_size(a, &total)) < 0)
        return rc;
    if (v->nanchors) {
        if (!(anchors = malloc(v->nanchors * sizeof *anchors)))
            return -SK_ENOMEM;
        memcpy(anchors, v->anchors, v->nanchors * sizeof *anchors);
        qsort(anchors, v->nanchors, sizeof *anchors, cmp_anchor);
    }
    const struct sk_audit_anchor *user_anchors = v->anchors;
    v->anchors = anchors;
    s.a = a;
    s.v = v;
    memcpy(s.log_id, h.log_id, 16);
    memcpy(v->last.log_id, h.log_id, 16);
    sk_merkle_frontier_init(&f);
    /* statements of their own: the cache's are reused by helpers */
    if (sqlite3_prepare_v2(a->db, q_sth, -1, &s.sth, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(a->db, q_rows, -1, &rows, NULL) != SQLITE_OK) {
        rc = -SK_ESTORE;
        goto out;
    }
    if ((rc = sth_next(&s)) < 0)
        goto out;
    while ((r = sqlite3_step(rows)) == SQLITE_ROW) {
        uint64_t seq = (uint64_t)sqlite3_column_int64(rows, 0);
        uint64_t want = f.size + 1;
        const uint8_t *leaf = sqlite3_column_blob(rows, 5);

        if (seq != want) {
            rc = bad(v, want, seq - 1,
                     seq == want + 1 ? "entry %" PRIu64 " is missing: it was deleted (the log goes from "
                                       "entry %" PRIu64 " to entry %" PRIu64 ")"
                                     : "entries from %" PRIu64 " are missing: they were deleted (the "
                                       "log goes from entry %" PRIu64 " to entry %" PRIu64 ")",
                     want, want - 1, seq);
            goto out;
        }
        if (sqlite3_column_bytes(rows, 5) != SK_MERKLE_HASH) {
            rc = bad(v, seq, seq, "entry %" PRIu64 ": its leaf hash was damaged or removed", seq);
            goto out;
        }
        if (sqlite3_column_type(rows, 4) == SQLITE_NULL) {
            if (seq > purge_upto) {
                rc = bad(v, seq, seq,
                         "entry %" PRIu64 ": its content was removed but no retention purge covers it",
                         seq);
                goto out;
            }
            v->purged++;
        } else {
            const uint8_t *e = sqlite3_column_blob(rows, 4);
            size_t n = (size_t)sqlite3_column_bytes(rows, 4);
            const char *kind = (const char *)sqlite3_column_text(rows, 2);
            const char *subject = (const char *)sqlite3_column_text(rows, 3);
            char hdr[SK_AUDIT_KIND_MAX + SK_AUDIT_SUBJECT_MAX + 96];
            uint8_t mine[SK_MERKLE_HASH];
            int hl;
            uint64_t es = embedded_seq(e, n);

            if (es == 0) {
                rc = bad(v, seq, seq, "entry %" PRIu64 " is not an audit entry", seq);
                goto out;
            }
            if (es < seq && same_leaf(a, es, leaf)) {
                rc = bad(v, seq, seq,
                         "entry %" PRIu64 " is a copy of entry %" PRIu64 ": it was inserted", seq,
                         es);
                goto out;
            }
            if (es < seq) {
                /* entries before es are in place, es itself moved up: the
                 * rows now numbered es..seq-1 were put in */
                rc = bad(v, es, seq - 1,
                         "entry %" PRIu64 " holds the content of entry %" PRIu64 ": entries %"
                         PRIu64 "..%" PRIu64 " were inserted (or moved there)",
                         seq, es, es, seq - 1);
                goto out;
            }
            if (es > seq) {
                rc = bad(v, seq, seq,
                         "entry %" PRIu64 " holds the content of entry %" PRIu64
                         ": entries were reordered, or entry %" PRIu64 " was deleted and the rest renumbered",
                         seq, es, seq);
                goto out;
            }
            hl = entry_header(hdr, sizeof hdr, seq, (sk_nstime)sqlite3_column_int64(rows, 1),
                              kind ? kind : "", subject ? subject : "");
            if (hl <= 0 || (size_t)hl >= sizeof hdr || (size_t)hl > n || memcmp(hdr, e, (size_t)hl)) {
                rc = bad(v, seq, seq,
                         "entry %" PRIu64 ": its time, kind or subject column was changed (it no "
                         "longer matches the entry's text)",
                         seq);
                goto out;
            }
            sk_merkle_leaf_hash(e, n, mine);
            if (sodium_memcmp(mine, leaf, SK_MERKLE_HASH) != 0) {
                rc = bad(v, seq, seq,
                         "entry %" PRIu64 " was edited: its content no longer matches its leaf hash",
                         seq);
                goto out;
            }
        }
        sk_merkle_frontier_push(&f, leaf);
        v->entries++;
        if ((rc = check_heads(&s, &f)) != 0)
            goto out;
        if (v->progress && (v->entries & 0xfffff) == 0)
            v->progress(v->progress_ctx, v->entries, total);
    }
    if (r != SQLITE_DONE) {
        rc = -SK_ESTORE;
        goto out;
    }
    if (v->progress)
        v->progress(v->progress_ctx, v->entries, total);
    if (s.sth_row == SQLITE_ROW) {
        rc = bad(v, f.size + 1, s.cur.tree_size,
                 "the log ends at entry %" PRIu64 " but a tree head of size %" PRIu64
                 " was signed: entries %" PRIu64 "..%" PRIu64 " were deleted",
                 f.size, s.cur.tree_size, f.size + 1, s.cur.tree_size);
        goto out;
    }
    if (s.anchor < v->nanchors) {
        rc = bad(v, f.size + 1, v->anchors[s.anchor].tree_size,
                 "the log ends at entry %" PRIu64 " but an anchored tree head covers %" PRIu64
                 " entries: entries %" PRIu64 "..%" PRIu64 " were deleted",
                 f.size, v->anchors[s.anchor].tree_size, f.size + 1, v->anchors[s.anchor].tree_size);
        goto out;
    }
    if (s.prev_size + 1 == f.size) {
        rc = bad(v, f.size, f.size,
                 "entry %" PRIu64 " is not covered by any signed tree head: it was inserted "
                 "outside sakimori (or its tree head deleted)",
                 f.size);
        goto out;
    }
    if (s.prev_size < f.size) {
        rc = bad(v, s.prev_size + 1, f.size,
                 "entries %" PRIu64 "..%" PRIu64 " are not covered by any signed tree head: "
                 "they were inserted outside sakimori (or their tree heads deleted)",
                 s.prev_size + 1, f.size);
        goto out;
    }
    if (h.f.size != s.prev_size) {
        rc = bad(v, s.prev_size + 1, h.f.size,
                 "the log head records %" PRIu64 " signed entries but the newest tree head covers %"
                 PRIu64 ": tree heads were deleted or the head altered",
                 h.f.size, s.prev_size);
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(rows);
    sqlite3_finalize(s.sth);
    v->anchors = user_anchors;
    free(anchors);
    return rc;
}

/* --- retention ---------------------------------------------------------- */

int sk_audit_purge_before(struct sk_audit *a, sk_nstime before, uint64_t *first, uint64_t *last,
                          uint64_t *n)
{
    static const char q_upto[] =
        "SELECT coalesce((SELECT min(seq) FROM audit_log WHERE ts_ns >= ?1),"
        " (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)) - 1";
    static const char q_first[] =
        "SELECT min(seq) FROM audit_log WHERE entry IS NOT NULL AND seq <= ?1";
    static const char q_purge[] =
        "UPDATE audit_log SET entry = NULL WHERE seq <= ?1 AND entry IS NOT NULL";
    sqlite3_stmt *st;
    uint64_t upto;
    int rc;

    *first = *last = *n = 0;
    if (sqlite3_get_autocommit(a->db))
        return -SK_ESTATE;
    if ((rc = sk_store_prepare(a->st, q_upto, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
    rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -SK_ESTORE;
    upto = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc < 0 || upto == 0)
        return rc;
    if ((rc = sk_store_prepare(a->st, q_first, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)upto);
    rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -SK_ESTORE;
    if (rc == 0 && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *first = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc < 0 || *first == 0)
        return rc;
    if ((rc = sk_store_prepare(a->st, q_purge, &st)) < 0)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)upto);
    if ((rc = step_done(st)) < 0)
        return rc;
    *n = (uint64_t)sqlite3_changes(a->db);
    *last = upto;
    return 0;
}
