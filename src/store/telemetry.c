/*
 * telemetry.c — stored telemetry and passive DNS: the writer, the impact
 * queries and retention.
 *
 * Tables (migration 2 in schema.c): flow_log, dns_log, tls_log, http_log and
 * pdns. Addresses are stored as their 16 sk_addr bytes (IPv4-mapped), so a
 * prefix is the BLOB range [network, broadcast] and one index serves IPv4
 * and IPv6; names are also stored reversed ("com.example.www") so a name
 * and everything under it is the range [R, R] ∪ [R + ".", R + "/").
 *
 * The writer appends one row per flow/DNS/TLS/HTTP event with cached
 * prepared statements inside the caller's transaction. Passive DNS pairs go
 * first to an in-memory table (open addressing over a power-of-two slot
 * array, names in an arena) holding at most `pdns_pending` distinct pairs;
 * when it is full, and at flush, every pending pair is merged into `pdns`
 * with one UPSERT each, then the table and arena are cleared. Memory is
 * therefore bounded whatever the input, and repeated answers cost one
 * increment in memory.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/arena.h"
#include "sakimori/error.h"
#include "sakimori/hash.h"
#include "sakimori/pdns.h"
#include "sakimori/telemetry.h"
#include "store/store-int.h"

#define NAME_KEY_MAX 1100 /* presentation names are < 1024 bytes (dns.c) */

/* --- shared helpers ------------------------------------------------------ */

char *sk_name_reverse(const char *name, char *out, size_t len)
{
    size_t n = strlen(name), o = 0;

    if (!len)
        return out;
    /* walk labels from the end of the name */
    size_t end = n;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && name[start - 1] != '.')
            start--;
        size_t l = end - start;
        if (o && o + 1 < len)
            out[o++] = '.';
        if (o + l >= len)
            l = len - 1 - o;
        memcpy(out + o, name + start, l);
        o += l;
        end = start ? start - 1 : 0;
    }
    out[o] = '\0';
    return out;
}

/* The inclusive BLOB range of addresses in p. */
static void prefix_range(const struct sk_prefix *p, uint8_t lo[16], uint8_t hi[16])
{
    unsigned bits = p->len + (p->addr.family == SK_AF_INET ? 96u : 0u);

    memcpy(lo, p->addr.b, 16);
    memcpy(hi, p->addr.b, 16);
    for (unsigned i = 0; i < 128; i++) {
        if (i < bits)
            continue;
        lo[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
        hi[i / 8] |= (uint8_t)(0x80u >> (i % 8));
    }
}

static void host_prefix(const struct sk_addr *a, struct sk_prefix *p)
{
    p->addr = *a;
    p->len = (uint8_t)sk_addr_bits(a);
}

static void addr_from_blob(struct sk_addr *a, const void *blob, int n)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    memset(a, 0, sizeof *a);
    if (n != 16 || !blob)
        return;
    memcpy(a->b, blob, 16);
    a->family = memcmp(a->b, mapped, 12) == 0 ? SK_AF_INET : SK_AF_INET6;
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -SK_ESTORE;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_rname_or_null(sqlite3_stmt *st, int i, const char *name)
{
    char r[NAME_KEY_MAX];
    if (name)
        sqlite3_bind_text(st, i, sk_name_reverse(name, r, sizeof r), -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_addr(sqlite3_stmt *st, int i, const struct sk_addr *a)
{
    sqlite3_bind_blob(st, i, a->b, 16, SQLITE_TRANSIENT);
}

/* Name range keys: exact R, and [R".", R"/") for subdomains (empty range
 * when subdomains are not wanted). */
struct name_keys {
    char exact[NAME_KEY_MAX], lo[NAME_KEY_MAX + 2], hi[NAME_KEY_MAX + 2];
};

static void name_keys(const char *name, int subdomains, struct name_keys *k)
{
    size_t n = strlen(sk_name_reverse(name, k->exact, sizeof k->exact));
    if (subdomains && n) {
        memcpy(k->lo, k->exact, n);
        memcpy(k->hi, k->exact, n);
        k->lo[n] = '.';
        k->hi[n] = '/'; /* '.' + 1 */
        k->lo[n + 1] = k->hi[n + 1] = '\0';
    } else if (subdomains) { /* the root: every name */
        k->lo[0] = '\0';
        k->hi[0] = '\x7f';
        k->hi[1] = '\0';
    } else {
        k->lo[0] = k->hi[0] = '\0';
    }
}

/* --- passive DNS --------------------------------------------------------- */

int sk_pdns_record(struct sk_store *s, const char *name, const struct sk_addr *addr,
                   sk_nstime first, sk_nstime last, uint64_t count)
{
    static const char sql[] =
        "INSERT INTO pdns (name, rname, addr, first_ns, last_ns, count)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        " ON CONFLICT (name, addr) DO UPDATE SET"
        "  first_ns = min(first_ns, excluded.first_ns),"
        "  last_ns = max(last_ns, excluded.last_ns),"
        "  count = count + excluded.count";
    sqlite3_stmt *st;
    int rc;

    if (!name || !addr || addr->family == SK_AF_NONE)
        return -SK_EINVAL;
    if ((rc = sk_store_prepare(s, sql, &st)) < 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    bind_rname_or_null(st, 2, name);
    bind_addr(st, 3, addr);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)first);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)last);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)count);
    return step_done(st);
}

static int pdns_rows(sqlite3_stmt *st, sk_pdns_fn fn, void *ctx)
{
    int n = 0, rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct sk_pdns_entry e;
        e.name = (const char *)sqlite3_column_text(st, 0);
        addr_from_blob(&e.addr, sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1));
        e.first_seen = (sk_nstime)sqlite3_column_int64(st, 2);
        e.last_seen = (sk_nstime)sqlite3_column_int64(st, 3);
        e.count = (uint64_t)sqlite3_column_int64(st, 4);
        n++;
        if (fn && (rc = fn(ctx, &e)) < 0) {
            sqlite3_reset(st);
            return rc;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : -SK_ESTORE;
}

int sk_pdns_names_in(struct sk_store *s, const struct sk_prefix *p, sk_nstime since,
                     size_t limit, sk_pdns_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT name, addr, first_ns, last_ns, count FROM pdns"
        " WHERE addr BETWEEN ?1 AND ?2 AND last_ns >= ?3"
        " ORDER BY last_ns DESC, name LIMIT ?4";
    uint8_t lo[16], hi[16];
    sqlite3_stmt *st;
    int rc;

    if (!p || p->addr.family == SK_AF_NONE)
        return -SK_EINVAL;
    if ((rc = sk_store_prepare(s, sql, &st)) < 0)
        return rc;
    prefix_range(p, lo, hi);
    sqlite3_bind_blob(st, 1, lo, 16, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, hi, 16, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)since);
    sqlite3_bind_int64(st, 4, limit ? (sqlite3_int64)limit : -1);
    return pdns_rows(st, fn, ctx);
}

int64_t sk_pdns_count_names_in(struct sk_store *s, const struct sk_prefix *p, sk_nstime since)
{
    static const char sql[] =
        "SELECT count(DISTINCT name) FROM pdns"
        " WHERE addr BETWEEN ?1 AND ?2 AND last_ns >= ?3";
    uint8_t lo[16], hi[16];
    sqlite3_stmt *st;
    int64_t n = -SK_ESTORE;
    int rc;

    if (!p || p->addr.family == SK_AF_NONE)
        return -SK_EINVAL;
    if ((rc = sk_store_prepare(s, sql, &st)) < 0)
        return rc;
    prefix_range(p, lo, hi);
    sqlite3_bind_blob(st, 1, lo, 16, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, hi, 16, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)since);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

int64_t sk_pdns_count_names(struct sk_store *s, const struct sk_addr *a, sk_nstime since)
{
    struct sk_prefix p;

    if (!a || a->family == SK_AF_NONE)
        return -SK_EINVAL;
    host_prefix(a, &p);
    return sk_pdns_count_names_in(s, &p, since);
}

int sk_pdns_addrs_for_name(struct sk_store *s, const char *name, int subdomains,
                           sk_nstime since, size_t limit, sk_pdns_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT name, addr, first_ns, last_ns, count FROM pdns"
        " WHERE (rname = ?1 OR (rname >= ?2 AND rname < ?3)) AND last_ns >= ?4"
        " ORDER BY last_ns DESC, name, addr LIMIT ?5";
    struct name_keys k;
    sqlite3_stmt *st;
    int rc;

    if (!name)
        return -SK_EINVAL;
    if ((rc = sk_store_prepare(s, sql, &st)) < 0)
        return rc;
    name_keys(name, subdomains, &k);
    sqlite3_bind_text(st, 1, k.exact, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, k.lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, k.hi, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)since);
    sqlite3_bind_int64(st, 5, limit ? (sqlite3_int64)limit : -1);
    return pdns_rows(st, fn, ctx);
}

/* --- the writer ---------------------------------------------------------- */

struct pdns_pair {
    const char *name; /* in the writer's arena; NULL = empty slot */
    struct sk_addr addr;
    sk_nstime first, last;
    uint64_t count;
};

struct sk_telemetry {
    struct sk_store *s;
    struct sk_telemetry_opts opts;
    struct pdns_pair *slots;
    uint32_t mask, used, cap;
    struct sk_arena names;
    uint64_t seed;
    struct sk_telemetry_stats st;
};

int sk_telemetry_new(struct sk_telemetry **out, struct sk_store *s,
                     const struct sk_telemetry_opts *opts)
{
    struct sk_telemetry *t = calloc(1, sizeof *t);
    uint32_t slots = 64;

    if (!t)
        return -SK_ENOMEM;
    t->s = s;
    t->opts = *opts;
    t->cap = opts->pdns_pending ? opts->pdns_pending : 65536;
    while (slots < 2 * t->cap)
        slots *= 2;
    t->mask = slots - 1;
    if (!(t->slots = calloc(slots, sizeof *t->slots))) {
        free(t);
        return -SK_ENOMEM;
    }
    sk_arena_init(&t->names, 64 * 1024, 0); /* bounded by cap × name length */
    /* a bulk writer: keep the indexes' pages in memory (64 MiB) rather than
     * re-reading them from the WAL for every row */
    sqlite3_exec(sk_store_db(s), "PRAGMA cache_size = -65536", NULL, NULL, NULL);
    t->seed = sk_hash_seed();
    *out = t;
    return 0;
}

void sk_telemetry_free(struct sk_telemetry *t)
{
    if (!t)
        return;
    sk_arena_free(&t->names);
    free(t->slots);
    free(t);
}

void sk_telemetry_stats(const struct sk_telemetry *t, struct sk_telemetry_stats *out)
{
    *out = t->st;
}

int sk_telemetry_flush(struct sk_telemetry *t)
{
    int rc = 0;

    for (uint32_t i = 0; i <= t->mask && t->used; i++) {
        struct pdns_pair *p = &t->slots[i];
        if (!p->name)
            continue;
        if ((rc = sk_pdns_record(t->s, p->name, &p->addr, p->first, p->last, p->count)) < 0)
            return rc;
        t->st.pdns_pairs++;
        p->name = NULL;
        t->used--;
    }
    sk_arena_reset(&t->names);
    return rc;
}

static int pdns_note(struct sk_telemetry *t, const char *name, const struct sk_addr *a,
                     sk_nstime ts)
{
    size_t n = strlen(name);
    uint64_t h = sk_hash64(name, n, t->seed) ^ sk_hash64(a->b, 16, t->seed + 1);
    uint32_t i;
    int rc;

    for (i = (uint32_t)h & t->mask; t->slots[i].name; i = (i + 1) & t->mask) {
        struct pdns_pair *p = &t->slots[i];
        if (sk_addr_eq(&p->addr, a) && strcmp(p->name, name) == 0) {
            if (ts < p->first)
                p->first = ts;
            if (ts > p->last)
                p->last = ts;
            p->count++;
            return 0;
        }
    }
    if (t->used >= t->cap) {
        if ((rc = sk_telemetry_flush(t)) < 0)
            return rc;
        for (i = (uint32_t)h & t->mask; t->slots[i].name; i = (i + 1) & t->mask)
            ;
    }
    struct pdns_pair *p = &t->slots[i];
    if (!(p->name = sk_arena_strndup(&t->names, name, n)))
        return -SK_ENOMEM;
    p->addr = *a;
    p->first = p->last = ts;
    p->count = 1;
    t->used++;
    return 0;
}

static void bind_run(struct sk_telemetry *t, sqlite3_stmt *st, const struct sk_event *ev)
{
    if (t->opts.run_id)
        sqlite3_bind_int64(st, 1, t->opts.run_id);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int(st, 2, ev->source_id);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)ev->ts);
}

static int add_flow(struct sk_telemetry *t, const struct sk_event *ev)
{
    static const char sql[] =
        "INSERT INTO flow_log (run_id, source_id, ts_ns, end_ns, src, sport, dst, dport,"
        " proto, pkts_out, bytes_out, pkts_in, bytes_in, tcp_flags, end_reason)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
    const struct sk_ev_flow *f = &ev->u.flow;
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(t->s, sql, &st)) < 0)
        return rc;
    bind_run(t, st, ev);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)ev->ts_end);
    bind_addr(st, 5, &ev->src);
    sqlite3_bind_int(st, 6, ev->sport);
    bind_addr(st, 7, &ev->dst);
    sqlite3_bind_int(st, 8, ev->dport);
    sqlite3_bind_int(st, 9, ev->proto);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)f->pkts_out);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)f->bytes_out);
    sqlite3_bind_int64(st, 12, (sqlite3_int64)f->pkts_in);
    sqlite3_bind_int64(st, 13, (sqlite3_int64)f->bytes_in);
    sqlite3_bind_int(st, 14, f->tcp_flags_out | f->tcp_flags_in << 8);
    sqlite3_bind_int(st, 15, f->end_reason);
    if ((rc = step_done(st)) == 0)
        t->st.flows++;
    return rc;
}

static int add_dns(struct sk_telemetry *t, const struct sk_event *ev)
{
    static const char sql[] =
        "INSERT INTO dns_log (run_id, source_id, ts_ns, client, server, proto, qname, rname,"
        " qtype, response, rcode, answers)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
    const struct sk_ev_dns *d = &ev->u.dns;
    sqlite3_stmt *st;
    int rc;

    if (t->opts.dns) {
        if ((rc = sk_store_prepare(t->s, sql, &st)) < 0)
            return rc;
        bind_run(t, st, ev);
        bind_addr(st, 4, &ev->src);
        bind_addr(st, 5, &ev->dst);
        sqlite3_bind_int(st, 6, ev->proto);
        bind_text_or_null(st, 7, d->qname);
        bind_rname_or_null(st, 8, d->qname);
        sqlite3_bind_int(st, 9, d->qtype);
        sqlite3_bind_int(st, 10, d->is_response);
        if (d->is_response)
            sqlite3_bind_int(st, 11, d->rcode);
        else
            sqlite3_bind_null(st, 11);
        sqlite3_bind_int(st, 12, d->n_answers);
        if ((rc = step_done(st)) < 0)
            return rc;
        t->st.dns++;
    }
    if (!t->opts.pdns || !d->is_response || d->rcode != 0)
        return 0;
    for (uint16_t i = 0; i < d->n_answers; i++) {
        const struct sk_dns_rr *rr = &d->answers[i];
        if ((rr->type != 1 && rr->type != 28) || rr->addr.family == SK_AF_NONE || !rr->name)
            continue;
        if ((rc = pdns_note(t, rr->name, &rr->addr, ev->ts)) < 0)
            return rc;
        /* the query name reached this address (through a CNAME chain) */
        if (d->qname && strcmp(d->qname, rr->name) != 0 &&
            (rc = pdns_note(t, d->qname, &rr->addr, ev->ts)) < 0)
            return rc;
    }
    return 0;
}

static int add_tls(struct sk_telemetry *t, const struct sk_event *ev)
{
    static const char sql[] =
        "INSERT INTO tls_log (run_id, source_id, ts_ns, client, sport, server, dport, sni,"
        " rsni, alpn, client_version, server_version, ja3, ja3s, ja4, cert_sha1, cert_sha256)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
    const struct sk_ev_tls *x = &ev->u.tls;
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(t->s, sql, &st)) < 0)
        return rc;
    bind_run(t, st, ev);
    bind_addr(st, 4, &ev->src);
    sqlite3_bind_int(st, 5, ev->sport);
    bind_addr(st, 6, &ev->dst);
    sqlite3_bind_int(st, 7, ev->dport);
    bind_text_or_null(st, 8, x->sni);
    bind_rname_or_null(st, 9, x->sni);
    bind_text_or_null(st, 10, x->alpn);
    sqlite3_bind_int(st, 11, x->client_version);
    sqlite3_bind_int(st, 12, x->server_version);
    bind_text_or_null(st, 13, x->ja3);
    bind_text_or_null(st, 14, x->ja3s);
    bind_text_or_null(st, 15, x->ja4);
    bind_text_or_null(st, 16, x->cert_sha1);
    bind_text_or_null(st, 17, x->cert_sha256);
    if ((rc = step_done(st)) == 0)
        t->st.tls++;
    return rc;
}

static int add_http(struct sk_telemetry *t, const struct sk_event *ev)
{
    static const char sql[] =
        "INSERT INTO http_log (run_id, source_id, ts_ns, client, sport, server, dport,"
        " method, host, rhost, uri, user_agent, status)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
    const struct sk_ev_http *h = &ev->u.http;
    sqlite3_stmt *st;
    int rc;

    if ((rc = sk_store_prepare(t->s, sql, &st)) < 0)
        return rc;
    bind_run(t, st, ev);
    bind_addr(st, 4, &ev->src);
    sqlite3_bind_int(st, 5, ev->sport);
    bind_addr(st, 6, &ev->dst);
    sqlite3_bind_int(st, 7, ev->dport);
    bind_text_or_null(st, 8, h->method);
    bind_text_or_null(st, 9, h->host);
    bind_rname_or_null(st, 10, h->host);
    bind_text_or_null(st, 11, h->uri);
    bind_text_or_null(st, 12, h->user_agent);
    if (h->status)
        sqlite3_bind_int(st, 13, h->status);
    else
        sqlite3_bind_null(st, 13);
    if ((rc = step_done(st)) == 0)
        t->st.http++;
    return rc;
}

int sk_telemetry_add(struct sk_telemetry *t, const struct sk_event *ev)
{
    switch (ev->kind) {
    case SK_EVENT_FLOW: return t->opts.flows ? add_flow(t, ev) : 0;
    case SK_EVENT_DNS: return t->opts.dns || t->opts.pdns ? add_dns(t, ev) : 0;
    case SK_EVENT_TLS: return t->opts.tls ? add_tls(t, ev) : 0;
    case SK_EVENT_HTTP: return t->opts.http ? add_http(t, ev) : 0;
    default: return 0;
    }
}

/* --- impact queries ------------------------------------------------------ */

int sk_telemetry_prefix_impact(struct sk_store *s, const struct sk_prefix *p,
                               uint8_t proto, uint16_t port, sk_nstime since,
                               struct sk_telemetry_impact *out)
{
    /* ?1/?2 the prefix range, ?3 since, ?4 proto or 0, ?5 port or 0 */
    static const char sql_flows[] =
        "SELECT count(*), total(pkts_out + pkts_in), total(bytes_out + bytes_in),"
        " min(ts_ns), max(end_ns) FROM flow_log WHERE id IN ("
        "  SELECT id FROM flow_log WHERE dst BETWEEN ?1 AND ?2 AND end_ns >= ?3"
        "   AND (?4 = 0 OR proto = ?4) AND (?5 = 0 OR dport = ?5)"
        "  UNION"
        "  SELECT id FROM flow_log WHERE src BETWEEN ?1 AND ?2 AND end_ns >= ?3"
        "   AND (?4 = 0 OR proto = ?4) AND (?5 = 0 OR sport = ?5))";
    static const char sql_hosts[] =
        "SELECT count(DISTINCT h) FROM ("
        "  SELECT src AS h FROM flow_log WHERE dst BETWEEN ?1 AND ?2 AND end_ns >= ?3"
        "   AND (?4 = 0 OR proto = ?4) AND (?5 = 0 OR dport = ?5)"
        "  UNION ALL"
        "  SELECT dst FROM flow_log WHERE src BETWEEN ?1 AND ?2 AND end_ns >= ?3"
        "   AND (?4 = 0 OR proto = ?4) AND (?5 = 0 OR sport = ?5))";
    const char *const sqls[] = {sql_flows, sql_hosts};
    uint8_t lo[16], hi[16];
    sqlite3_stmt *st;
    int rc;

    memset(out, 0, sizeof *out);
    if (!p || p->addr.family == SK_AF_NONE)
        return -SK_EINVAL;
    prefix_range(p, lo, hi);
    for (int q = 0; q < 2; q++) {
        if ((rc = sk_store_prepare(s, sqls[q], &st)) < 0)
            return rc;
        sqlite3_bind_blob(st, 1, lo, 16, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 2, hi, 16, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)since);
        sqlite3_bind_int(st, 4, proto);
        sqlite3_bind_int(st, 5, port);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_reset(st);
            return -SK_ESTORE;
        }
        if (q == 0) {
            out->flows = (uint64_t)sqlite3_column_int64(st, 0);
            out->packets = (uint64_t)sqlite3_column_double(st, 1);
            out->bytes = (uint64_t)sqlite3_column_double(st, 2);
            out->first = (sk_nstime)sqlite3_column_int64(st, 3);
            out->last = (sk_nstime)sqlite3_column_int64(st, 4);
        } else {
            out->hosts = (uint64_t)sqlite3_column_int64(st, 0);
        }
        sqlite3_reset(st);
    }
    return 0;
}

static void widen(struct sk_telemetry_impact *out, sk_nstime first, sk_nstime last)
{
    if (!first && !last)
        return;
    if (!out->first || first < out->first)
        out->first = first;
    if (last > out->last)
        out->last = last;
}

int sk_telemetry_name_impact(struct sk_store *s, const char *name, int subdomains,
                             sk_nstime since, struct sk_telemetry_impact *out)
{
    /* ?1 exact reversed name, [?2, ?3) its subdomains, ?4 since */
    static const char sql_dns[] =
        "SELECT total(response = 0), total(response = 1), min(ts_ns), max(ts_ns)"
        " FROM dns_log WHERE (rname = ?1 OR (rname >= ?2 AND rname < ?3)) AND ts_ns >= ?4";
    static const char sql_tls[] =
        "SELECT count(*), 0, min(ts_ns), max(ts_ns)"
        " FROM tls_log WHERE (rsni = ?1 OR (rsni >= ?2 AND rsni < ?3)) AND ts_ns >= ?4";
    static const char sql_http[] =
        "SELECT count(*), 0, min(ts_ns), max(ts_ns)"
        " FROM http_log WHERE (rhost = ?1 OR (rhost >= ?2 AND rhost < ?3)) AND ts_ns >= ?4";
    static const char sql_hosts[] =
        "SELECT count(DISTINCT h) FROM ("
        "  SELECT client AS h FROM dns_log"
        "   WHERE (rname = ?1 OR (rname >= ?2 AND rname < ?3)) AND ts_ns >= ?4"
        "  UNION ALL SELECT client FROM tls_log"
        "   WHERE (rsni = ?1 OR (rsni >= ?2 AND rsni < ?3)) AND ts_ns >= ?4"
        "  UNION ALL SELECT client FROM http_log"
        "   WHERE (rhost = ?1 OR (rhost >= ?2 AND rhost < ?3)) AND ts_ns >= ?4)";
    const char *const sqls[] = {sql_dns, sql_tls, sql_http, sql_hosts};
    struct name_keys k;
    sqlite3_stmt *st;
    int rc;

    memset(out, 0, sizeof *out);
    if (!name)
        return -SK_EINVAL;
    name_keys(name, subdomains, &k);
    for (int q = 0; q < 4; q++) {
        if ((rc = sk_store_prepare(s, sqls[q], &st)) < 0)
            return rc;
        sqlite3_bind_text(st, 1, k.exact, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, k.lo, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, k.hi, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)since);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_reset(st);
            return -SK_ESTORE;
        }
        uint64_t a = (uint64_t)sqlite3_column_double(st, 0);
        switch (q) {
        case 0:
            out->dns_queries = a;
            out->dns_responses = (uint64_t)sqlite3_column_double(st, 1);
            break;
        case 1: out->tls = a; break;
        case 2: out->http = a; break;
        case 3: out->hosts = (uint64_t)sqlite3_column_int64(st, 0); break;
        }
        if (q < 3)
            widen(out, (sk_nstime)sqlite3_column_int64(st, 2),
                  (sk_nstime)sqlite3_column_int64(st, 3));
        sqlite3_reset(st);
    }
    return 0;
}

int sk_telemetry_flows(struct sk_store *s, const struct sk_prefix *p, sk_nstime since,
                       size_t limit, sk_event_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT ts_ns, end_ns, src, sport, dst, dport, proto, pkts_out, bytes_out,"
        " pkts_in, bytes_in, tcp_flags, end_reason, source_id FROM flow_log"
        " WHERE (?1 IS NULL OR dst BETWEEN ?1 AND ?2 OR src BETWEEN ?1 AND ?2)"
        "  AND end_ns >= ?3 ORDER BY ts_ns, id LIMIT ?4";
    uint8_t lo[16], hi[16];
    sqlite3_stmt *st;
    int rc, n = 0;

    if ((rc = sk_store_prepare(s, sql, &st)) < 0)
        return rc;
    if (p) {
        prefix_range(p, lo, hi);
        sqlite3_bind_blob(st, 1, lo, 16, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 2, hi, 16, SQLITE_TRANSIENT);
    }
    sqlite3_bind_int64(st, 3, (sqlite3_int64)since);
    sqlite3_bind_int64(st, 4, limit ? (sqlite3_int64)limit : -1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct sk_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = SK_EVENT_FLOW;
        ev.ts = (sk_nstime)sqlite3_column_int64(st, 0);
        ev.ts_end = (sk_nstime)sqlite3_column_int64(st, 1);
        addr_from_blob(&ev.src, sqlite3_column_blob(st, 2), sqlite3_column_bytes(st, 2));
        ev.sport = (uint16_t)sqlite3_column_int(st, 3);
        addr_from_blob(&ev.dst, sqlite3_column_blob(st, 4), sqlite3_column_bytes(st, 4));
        ev.dport = (uint16_t)sqlite3_column_int(st, 5);
        ev.proto = (uint8_t)sqlite3_column_int(st, 6);
        ev.u.flow.pkts_out = (uint64_t)sqlite3_column_int64(st, 7);
        ev.u.flow.bytes_out = (uint64_t)sqlite3_column_int64(st, 8);
        ev.u.flow.pkts_in = (uint64_t)sqlite3_column_int64(st, 9);
        ev.u.flow.bytes_in = (uint64_t)sqlite3_column_int64(st, 10);
        int flags = sqlite3_column_int(st, 11);
        ev.u.flow.tcp_flags_out = (uint8_t)flags;
        ev.u.flow.tcp_flags_in = (uint8_t)(flags >> 8);
        ev.u.flow.end_reason = (uint8_t)sqlite3_column_int(st, 12);
        ev.u.flow.sampling = 1;
        ev.source_id = (uint16_t)sqlite3_column_int(st, 13);
        n++;
        if (fn && (rc = fn(ctx, &ev)) < 0) {
            sqlite3_reset(st);
            return rc;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : -SK_ESTORE;
}

int64_t sk_telemetry_purge(struct sk_store *s, const char *data_class, sk_nstime before)
{
    static const char flows[] = "DELETE FROM flow_log WHERE ts_ns < ?1";
    static const char dns[] = "DELETE FROM dns_log WHERE ts_ns < ?1";
    static const char tls[] = "DELETE FROM tls_log WHERE ts_ns < ?1";
    static const char http[] = "DELETE FROM http_log WHERE ts_ns < ?1";
    static const char pdns[] = "DELETE FROM pdns WHERE last_ns < ?1";
    static const struct {
        const char *name, *sql;
    } classes[] = {{"flows", flows}, {"dns", dns}, {"tls", tls}, {"http", http}, {"pdns", pdns}};
    sqlite3_stmt *st;
    int rc;

    if (!data_class)
        return -SK_EINVAL;
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        if (strcmp(classes[i].name, data_class) != 0)
            continue;
        if ((rc = sk_store_prepare(s, classes[i].sql, &st)) < 0)
            return rc;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
        if ((rc = step_done(st)) < 0)
            return rc;
        return sqlite3_changes64(sk_store_db(s));
    }
    return -SK_EINVAL;
}
