/*
 * entries.c — the act_entries bookkeeping every network action shares, the
 * small act_kv state table, endpoint parsing and the test crash points.
 *
 * act_entries is reference counting by rows: (kind, key, action_id) is the
 * primary key, so applying an action twice is one row, and a key is held on
 * the real system as long as one row for it exists. `seq` orders rows by
 * first application; the row with the highest seq decides the key's variant
 * and expiry (the most recent approval wins, and reverting it brings back
 * the one before).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act/act-int.h"
#include "sakimori/nstime.h"

static void row_to_entry(sqlite3_stmt *st, struct sk__act_entry *e)
{
    const char *k = (const char *)sqlite3_column_text(st, 0);
    const char *v = (const char *)sqlite3_column_text(st, 1);

    snprintf(e->key, sizeof e->key, "%s", k ? k : "");
    snprintf(e->variant, sizeof e->variant, "%s", v ? v : "");
    e->action_id = (uint64_t)sqlite3_column_int64(st, 2);
    e->not_after = (sk_nstime)sqlite3_column_int64(st, 3);
    e->seq = (int64_t)sqlite3_column_int64(st, 4);
}

int sk__act_entry_top(struct sk_store *st, const char *kind, const char *key,
                      struct sk__act_entry *out)
{
    static const char sql[] =
        "SELECT key, variant, action_id,"
        "  (SELECT CASE WHEN MIN(not_after_ns) = 0 THEN 0 ELSE MAX(not_after_ns) END"
        "   FROM act_entries WHERE kind = ?1 AND key = ?2), seq"
        " FROM act_entries WHERE kind = ?1 AND key = ?2"
        " ORDER BY +seq DESC LIMIT 1"; /* '+': the (kind, key) key, not a scan by seq */
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        row_to_entry(s, out);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? -SK_ENOTFOUND : -SK_ESTORE;
    }
    sqlite3_reset(s);
    return rc;
}

int sk__act_entry_put(struct sk_store *st, const char *kind, const char *key,
                      const struct sk_action_req *req, const char *variant)
{
    /* seq from a counter in act_kv: MAX(seq) over a million rows would be a
     * scan per apply */
    static const char sql[] =
        "INSERT INTO act_entries (kind, key, action_id, variant, not_after_ns, seq, applied_ns)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?7, ?6)"
        " ON CONFLICT (kind, key, action_id) DO UPDATE SET variant = ?4, not_after_ns = ?5";
    sqlite3_stmt *s;
    int64_t seq;
    int rc;

    if ((rc = sk__act_kv_get(st, "entries.seq", 0, &seq)) < 0 ||
        (rc = sk__act_kv_set(st, "entries.seq", seq + 1)) < 0)
        return rc;
    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)req->id);
    sqlite3_bind_text(s, 4, variant ? variant : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)req->not_after);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)sk_now());
    sqlite3_bind_int64(s, 7, (sqlite3_int64)(seq + 1));
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc;
}

int sk__act_entry_del(struct sk_store *st, const char *kind, const char *key,
                      uint64_t action_id, int *removed)
{
    static const char sql[] =
        "DELETE FROM act_entries WHERE kind = ?1 AND key = ?2 AND action_id = ?3";
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)action_id);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    if (removed)
        *removed = rc == 0 && sqlite3_changes(sk_store_db(st)) > 0;
    return rc;
}

int sk__act_entry_each(struct sk_store *st, const char *kind,
                       int (*fn)(void *ctx, const struct sk__act_entry *e), void *ctx)
{
    static const char sql[] =
        "SELECT key, variant, action_id,"
        "  (SELECT CASE WHEN MIN(not_after_ns) = 0 THEN 0 ELSE MAX(not_after_ns) END"
        "   FROM act_entries WHERE kind = e.kind AND key = e.key), seq"
        " FROM act_entries e"
        " WHERE kind = ?1 AND seq = (SELECT MAX(seq) FROM act_entries"
        "                            WHERE kind = e.kind AND key = e.key)"
        " ORDER BY key";
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct sk__act_entry e;
        row_to_entry(s, &e);
        if ((rc = fn(ctx, &e)) < 0) {
            sqlite3_reset(s);
            return rc;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -SK_ESTORE;
}

int sk__act_entry_reset(struct sk_store *st, const char *kind,
                        const struct sk_action_req *active, size_t n,
                        const char *(*key_of)(const struct sk_action_req *r, char *buf,
                                              size_t len),
                        const char *(*variant_of)(const struct sk_action_req *r))
{
    static const char del[] = "DELETE FROM act_entries WHERE kind = ?1";
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(st, del, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char buf[SK_TARGET_MAX + 4];
        const char *key = key_of(&active[i], buf, sizeof buf);
        if (key)
            rc = sk__act_entry_put(st, kind, key, &active[i],
                                   variant_of ? variant_of(&active[i]) : NULL);
    }
    return rc;
}

int sk__act_kv_get(struct sk_store *st, const char *k, int64_t dflt, int64_t *out)
{
    static const char sql[] = "SELECT v FROM act_kv WHERE k = ?1";
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, k, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    *out = rc == SQLITE_ROW ? (int64_t)sqlite3_column_int64(s, 0) : dflt;
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc;
}

int sk__act_kv_set(struct sk_store *st, const char *k, int64_t v)
{
    static const char sql[] =
        "INSERT INTO act_kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = ?2";
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_text(s, 1, k, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)v);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc;
}

int sk__hostport_parse(const char *s, uint16_t default_port, struct sockaddr_storage *out,
                       socklen_t *outlen)
{
    char host[64];
    const char *at = strrchr(s, '@'), *h = s;
    size_t hl = at ? (size_t)(at - s) : strlen(s);
    unsigned long port = default_port;

    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= sizeof host)
        return -SK_EPARSE;
    memcpy(host, h, hl);
    host[hl] = '\0';
    if (at) {
        char *end;
        errno = 0;
        port = strtoul(at + 1, &end, 10);
        if (errno || end == at + 1 || *end || port == 0 || port > 65535)
            return -SK_EPARSE;
    }
    memset(out, 0, sizeof *out);
    struct sockaddr_in *v4 = (struct sockaddr_in *)out;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *outlen = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *outlen = sizeof *v6;
        return 0;
    }
    return -SK_EPARSE;
}

char *sk__hostport_fmt(const struct sockaddr *sa, char *out, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
        port = ntohs(v4->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
        port = ntohs(v6->sin6_port);
    }
    snprintf(out, len, "%s@%u", host, port);
    return out;
}

void sk__act_crashpoint(const char *name)
{
    const char *at = getenv("SK_ACT_CRASH_AT");

    if (at && strcmp(at, name) == 0) {
        fprintf(stderr, "sakimori: crash point '%s' reached: exiting as if killed\n", name);
        _exit(86);
    }
}

uint64_t sk__act_ttl_left(const struct sk_action_req *req)
{
    sk_nstime now = sk_now();

    if (!req->not_after)
        return 0;
    if (req->not_after <= now + SK_NS_PER_SEC)
        return 1;
    return (req->not_after - now) / SK_NS_PER_SEC;
}
