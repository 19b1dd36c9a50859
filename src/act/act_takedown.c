/*
 * act_takedown.c — the "takedown_request" action: an abuse report asking
 * the network or domain owner of a C2 server to take it down, written as
 * files for a human or an MTA to send. sakimori never contacts anyone.
 *
 * Apply looks the target up in the abuse-contact database (contacts.c:
 * longest prefix for an address, longest domain suffix for a name or a
 * URL's host) and writes into act.takedown.outbox, atomically:
 *   <date>-a<action>-<target>.json  the report in X-ARF v4 JSON (core fields:
 *                                   xarf_version, report_id, timestamp,
 *                                   reporter, sender, source_identifier,
 *                                   category "infrastructure", type "botnet")
 *   <date>-a<action>-<target>.eml   an RFC 5322 message to the abuse mailbox:
 *                                   a text part and the JSON as an attachment
 * and records the request in act_takedown (status open). The report id is
 * derived from (action, target), so writing again gives the same report.
 *
 * Tracking: an operator closes a request with its outcome (sk_takedown_close,
 * `sakimori act takedown close`); time-to-takedown is closed - created, and
 * sk_takedown_stats gives the median and the share taken down within 24 h.
 * Revert withdraws an open request: the files are deleted if still in the
 * outbox, else a withdrawal message to the same mailbox is written.
 */
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "act/act-int.h"
#include "act/contacts.h"
#include "sakimori/act.h"
#include "sakimori/addr.h"
#include "sakimori/buf.h"
#include "sakimori/conf-t.h"
#include "sakimori/file.h"
#include "sakimori/log.h"

#define NOTE_MAX 4000

struct takedown {
    struct sk_store *st;
    const struct sk_conf_act_takedown *conf;
    struct sk_contacts *db;
};

static int td_init(void **state, const struct sk_action_env *env, struct sk_errinfo *ei)
{
    struct takedown *t;

    if (!env->store)
        return sk_fail(ei, -SK_EINVAL, "takedown_request: needs the store");
    if (!(t = calloc(1, sizeof *t)))
        return -SK_ENOMEM;
    t->st = env->store;
    t->conf = &env->conf->act.takedown;
    *state = t;
    return 0;
}

static void td_fini(void *state)
{
    struct takedown *t = state;
    if (!t)
        return;
    sk__contacts_free(t->db);
    free(t);
}

/* The database is loaded on first use, so a node without one can still run
 * every other action. */
static int db(struct takedown *t, struct sk_errinfo *ei)
{
    if (t->db)
        return 0;
    if (!t->conf->contacts || !t->conf->contacts[0])
        return sk_fail(ei, -SK_ECONF, "takedown_request: no abuse-contact database "
                       "(act.takedown.contacts)");
    return sk__contacts_load(t->conf->contacts, &t->db, ei);
}

/* The host a target is about: the name, the address, or a URL's host. */
static int target_host(const struct sk_action_req *req, char *host, size_t len,
                       struct sk_addr *addr, int *is_addr)
{
    *is_addr = 0;
    switch (req->target.kind) {
    case SK_TARGET_IP:
    case SK_TARGET_PREFIX:
        *addr = req->target.prefix.addr;
        *is_addr = 1;
        sk_addr_fmt(addr, host, len);
        return 0;
    case SK_TARGET_FQDN:
    case SK_TARGET_DOMAIN:
        snprintf(host, len, "%.253s", req->target.value);
        return 0;
    case SK_TARGET_URL: {
        const char *p = strstr(req->target.value, "://");
        p = p ? p + 3 : req->target.value;
        const char *at = strchr(p, '@'), *end;
        if (at && at < p + strcspn(p, "/?#"))
            p = at + 1;
        if (*p == '[') {
            end = strchr(p, ']');
            if (!end)
                return -SK_EPARSE;
            snprintf(host, len, "%.*s", (int)(end - p - 1), p + 1);
        } else {
            end = p + strcspn(p, ":/?#");
            snprintf(host, len, "%.*s", (int)(end - p), p);
        }
        for (char *c = host; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        if (sk_addr_parse(host, addr) == 0)
            *is_addr = 1;
        return host[0] ? 0 : -SK_EPARSE;
    }
    }
    return -SK_EINVAL;
}

static int lookup(struct takedown *t, const struct sk_action_req *req, struct sk_contact *c,
                  struct sk_errinfo *ei)
{
    char host[300];
    struct sk_addr a;
    int is_addr, rc;

    if ((rc = db(t, ei)) < 0)
        return rc;
    if (target_host(req, host, sizeof host, &a, &is_addr) < 0)
        return sk_fail(ei, -SK_EINVAL, "takedown_request: no host in '%s'", req->target.value);
    rc = is_addr ? sk__contacts_for_addr(t->db, &a, c) : sk__contacts_for_name(t->db, host, c);
    if (rc < 0)
        return sk_fail(ei, -SK_ENOTFOUND, "takedown_request: no abuse contact for %s in %s",
                       host, t->conf->contacts);
    return 0;
}

static int td_check(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct sk_contact c;
    return lookup(state, req, &c, ei);
}

/* A UUID (version 4 layout) derived from action and target. */
static void report_id(const struct sk_action_req *req, char *out, size_t len)
{
    uint8_t h[16];
    char in[SK_TARGET_MAX + 32];
    int n = snprintf(in, sizeof in, "%llu|%s", (unsigned long long)req->id, req->target.value);

    crypto_generichash(h, sizeof h, (const uint8_t *)in, (size_t)n, NULL, 0);
    h[6] = (uint8_t)((h[6] & 0x0f) | 0x40);
    h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
    snprintf(out, len,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1],
             h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14],
             h[15]);
}

static void file_base(const struct takedown *t, const struct sk_action_req *req, char *out,
                      size_t len)
{
    char slug[101], day[16];
    size_t k = 0;
    time_t now = time(NULL);
    struct tm tm;

    for (const char *p = req->target.value; *p && k < sizeof slug - 1; p++) {
        char c = *p;
        slug[k++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                        ? c
                        : '_';
    }
    slug[k] = '\0';
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y%m%d", &tm);
    snprintf(out, len, "%s/%s-a%llu-%s", t->conf->outbox, day, (unsigned long long)req->id, slug);
}

/* The free text of a note, made safe for a mail body: printable ASCII,
 * UTF-8 and newlines only, capped. */
static void clean_note(const char *in, char *out, size_t len)
{
    size_t k = 0;
    for (; in && *in && k + 1 < len && k < NOTE_MAX; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == '\n' || c >= 0x20)
            out[k++] = c == 0x7f ? ' ' : (char)c;
    }
    out[k] = '\0';
}

static const char *domain_of(const char *email)
{
    const char *at = strchr(email, '@');
    return at ? at + 1 : email;
}

static json_t *build_xarf(const struct takedown *t, const struct sk_action_req *req,
                          const struct sk_contact *c, const char *rid, const char *note)
{
    char ts[SK_RFC3339_LEN];
    const char *from = t->conf->from;
    json_t *who = json_pack("{s:s, s:s, s:s}", "org", t->conf->reporter, "contact", from,
                            "domain", domain_of(from));
    char desc[NOTE_MAX + 1024];

    snprintf(desc, sizeof desc,
             "%s is used as a command-and-control server for malware that infects hosts on "
             "our network. Please investigate and take it down.%s%s",
             req->target.value, note[0] ? " Evidence: " : "", note);
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:o, s:O, s:s, s:s, s:s, s:s, s:s, s:[s,s]}", "xarf_version", "4.0.0",
        "report_id", rid, "timestamp", sk_rfc3339(sk_now() / SK_NS_PER_SEC * SK_NS_PER_SEC, ts, sizeof ts),
        "reporter", who, "sender", who, "source_identifier", req->target.value, "category",
        "infrastructure", "type", "botnet", "evidence_source", "traffic_analysis",
        "description", desc, "tags", "role:c2", "source:sakimori");
    if (!o)
        return NULL;
    if (req->target.kind == SK_TARGET_URL)
        json_object_set_new(o, "url", json_string(req->target.value));
    json_object_set_new(o, "sakimori",
                        json_pack("{s:I, s:s, s:s?, s:s?, s:s}", "action_id",
                                  (json_int_t)req->id, "abuse_contact", c->email, "handle",
                                  c->handle, "holder", c->name, "matched", c->matched));
    return o;
}

static int put_b64(struct sk_buf *b, const char *data, size_t len)
{
    size_t enc = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *tmp = malloc(enc);
    int rc = 0;

    if (!tmp)
        return -SK_ENOMEM;
    sodium_bin2base64(tmp, enc, (const unsigned char *)data, len, sodium_base64_VARIANT_ORIGINAL);
    size_t n = strlen(tmp);
    for (size_t i = 0; i < n && rc == 0; i += 76)
        rc = sk_buf_printf(b, "%.76s\r\n", tmp + i);
    free(tmp);
    return rc;
}

static int put_text_crlf(struct sk_buf *b, const char *s)
{
    int rc = 0;
    for (; *s && rc == 0; s++)
        rc = *s == '\n' ? sk_buf_puts(b, "\r\n") : sk_buf_putc(b, *s);
    return rc;
}

static void mail_date(char *out, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    gmtime_r(&now, &tm);
    snprintf(out, len, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int sk__act_mail(struct sk_buf *b, const char *from, const char *to, const char *subject,
                 const char *msgid, const char *text, const char *json, const char *json_name)
{
    char date[64], bnd[40];
    uint8_t r[12];
    int rc;

    randombytes_buf(r, sizeof r);
    snprintf(bnd, sizeof bnd, "=_sakimori_");
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(bnd + 11 + 2 * i, sizeof bnd - 11 - 2 * i, "%02x", r[i]);
    mail_date(date, sizeof date);
    rc = sk_buf_printf(b,
                       "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
                       "Message-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n"
                       "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
                       "Auto-Submitted: auto-generated\r\n\r\n"
                       "This is a MIME message.\r\n\r\n--%s\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: 8bit\r\n\r\n",
                       from, to, subject, date, msgid, domain_of(from), bnd, bnd);
    if (rc == 0)
        rc = put_text_crlf(b, text);
    if (rc == 0 && json)
        rc = sk_buf_printf(b,
                           "\r\n--%s\r\nContent-Type: application/json; name=\"%s\"\r\n"
                           "Content-Disposition: attachment; filename=\"%s\"\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\n",
                           bnd, json_name, json_name);
    if (rc == 0 && json)
        rc = put_b64(b, json, strlen(json));
    if (rc == 0)
        rc = sk_buf_printf(b, "\r\n--%s--\r\n", bnd);
    return rc;
}

static int write_report(struct takedown *t, const struct sk_action_req *req,
                        const struct sk_contact *c, char *json_path, char *eml_path,
                        size_t plen, struct sk_errinfo *ei)
{
    char rid[40], base[600], note[NOTE_MAX + 1], subj[700];
    struct sk_buf text, mail;
    char *js = NULL;
    json_t *x = NULL;
    int rc;

    sk_buf_init(&text, 64 * 1024);
    sk_buf_init(&mail, 1 << 20);
    report_id(req, rid, sizeof rid);
    clean_note(req->note, note, sizeof note);
    file_base(t, req, base, sizeof base);
    snprintf(json_path, plen, "%s.json", base);
    snprintf(eml_path, plen, "%s.eml", base);
    if ((rc = sk_mkdir_p(t->conf->outbox, ei)) < 0)
        goto out;
    if (!(x = build_xarf(t, req, c, rid, note)) || !(js = json_dumps(x, JSON_INDENT(2)))) {
        rc = -SK_ENOMEM;
        goto out;
    }
    rc = sk_buf_printf(&text,
                       "Dear abuse team%s%s,\n\n"
                       "The host %s, in your network or registration %s, is used as a\n"
                       "command-and-control server by malware that infects hosts on our network.\n"
                       "We ask you to investigate and to take it down.\n\n"
                       "%s%s%s"
                       "The report is attached in X-ARF v4 format (%s.json).\n"
                       "Report ID: %s\n\n"
                       "-- \n%s <%s>\n",
                       c->name ? " of " : "", c->name ? c->name : "", req->target.value,
                       c->matched, note[0] ? "Evidence:\n" : "", note, note[0] ? "\n\n" : "",
                       rid, rid, t->conf->reporter, t->conf->from);
    snprintf(subj, sizeof subj, "Abuse report: command-and-control server %.200s [%s]",
             req->target.value, rid);
    char att[64];
    snprintf(att, sizeof att, "%s.json", rid);
    if (rc == 0)
        rc = sk__act_mail(&mail, t->conf->from, c->email, subj, rid, sk_buf_str(&text), js, att);
    if (rc < 0) {
        sk_fail(ei, rc, "takedown_request: building the report: %s", sk_strerror(rc));
        goto out;
    }
    if ((rc = sk_write_file_atomic(json_path, js, strlen(js), ei)) < 0 ||
        (rc = sk_write_file_atomic(eml_path, mail.data, mail.len, ei)) < 0)
        goto out;
out:
    free(js);
    json_decref(x);
    sk_buf_free(&text);
    sk_buf_free(&mail);
    return rc;
}

struct row {
    int64_t id;
    char status[16], json_path[600], eml_path[600], email[300];
    int found;
};

static int get_row(struct takedown *t, const struct sk_action_req *req, struct row *r)
{
    static const char sql[] = "SELECT id, status, json_path, eml_path, email FROM act_takedown"
                              " WHERE action_id = ?1 AND target = ?2";
    sqlite3_stmt *s;
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = sk_store_prepare(t->st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)req->id);
    sqlite3_bind_text(s, 2, req->target.value, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        r->found = 1;
        r->id = sqlite3_column_int64(s, 0);
        snprintf(r->status, sizeof r->status, "%s", (const char *)sqlite3_column_text(s, 1));
        snprintf(r->json_path, sizeof r->json_path, "%s",
                 sqlite3_column_text(s, 2) ? (const char *)sqlite3_column_text(s, 2) : "");
        snprintf(r->eml_path, sizeof r->eml_path, "%s",
                 sqlite3_column_text(s, 3) ? (const char *)sqlite3_column_text(s, 3) : "");
        snprintf(r->email, sizeof r->email, "%s",
                 sqlite3_column_text(s, 4) ? (const char *)sqlite3_column_text(s, 4) : "");
    }
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc;
}

static int exists(const char *p)
{
    struct stat sb;
    return p[0] && stat(p, &sb) == 0;
}

/* Writes (or rewrites) the report and records it open. *wrote = 1 when
 * files were written. */
static int ensure_report(struct takedown *t, const struct sk_action_req *req, int *wrote,
                         struct sk_errinfo *ei)
{
    static const char up[] =
        "INSERT INTO act_takedown (action_id, target, contact, email, status, created_ns,"
        " json_path, eml_path) VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6, ?7)"
        " ON CONFLICT (action_id, target) DO UPDATE SET contact = ?3, email = ?4,"
        " status = 'open', outcome = NULL, closed_ns = NULL, created_ns = ?5,"
        " json_path = ?6, eml_path = ?7";
    struct sk_contact c;
    struct row r;
    char jp[700], ep[700];
    sqlite3_stmt *s;
    int rc;

    *wrote = 0;
    if ((rc = get_row(t, req, &r)) < 0)
        return sk_fail(ei, rc, "takedown_request: store: %s", sk_store_errmsg(t->st));
    if (r.found && !strcmp(r.status, "closed"))
        return 0; /* done with: applying again changes nothing */
    if (r.found && !strcmp(r.status, "open") && exists(r.json_path) && exists(r.eml_path))
        return 0;
    if ((rc = lookup(t, req, &c, ei)) < 0 ||
        (rc = write_report(t, req, &c, jp, ep, sizeof jp, ei)) < 0)
        return rc;
    *wrote = 1;
    sk__act_crashpoint("takedown:after-files");
    if ((rc = sk_store_prepare(t->st, up, &s)) < 0)
        return sk_fail(ei, rc, "takedown_request: store: %s", sk_store_errmsg(t->st));
    sqlite3_bind_int64(s, 1, (sqlite3_int64)req->id);
    sqlite3_bind_text(s, 2, req->target.value, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, c.handle ? c.handle : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, c.email, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)sk_now());
    sqlite3_bind_text(s, 6, jp, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, ep, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    if (rc < 0)
        return sk_fail(ei, rc, "takedown_request: store: %s", sk_store_errmsg(t->st));
    sk_info("act", "takedown_request: report for %s to %s written to %s", req->target.value,
            c.email, ep);
    return 0;
}

static int td_apply(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    int wrote;
    return ensure_report(state, req, &wrote, ei);
}

static int td_verify(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct takedown *t = state;
    struct row r;
    char *text = NULL;
    size_t len;
    int rc;

    if ((rc = get_row(t, req, &r)) < 0)
        return sk_fail(ei, rc, "takedown_request: store: %s", sk_store_errmsg(t->st));
    if (!r.found || !strcmp(r.status, "withdrawn"))
        return sk_fail(ei, -SK_ENOTFOUND, "takedown_request: no report for %s",
                       req->target.value);
    if (!strcmp(r.status, "closed"))
        return 0;
    if (!exists(r.eml_path))
        return sk_fail(ei, -SK_ENOTFOUND, "takedown_request: %s is missing", r.eml_path);
    if ((rc = sk_read_file(r.json_path, 1 << 20, &text, &len, ei)) < 0)
        return rc;
    json_t *x = json_loadb(text, len, 0, NULL);
    const char *src = json_string_value(json_object_get(x, "source_identifier"));
    rc = src && !strcmp(src, req->target.value)
             ? 0
             : sk_fail(ei, -SK_EPARSE, "takedown_request: %s is not the report for %s",
                       r.json_path, req->target.value);
    json_decref(x);
    free(text);
    return rc;
}

static int withdraw(struct takedown *t, const struct row *r, const struct sk_action_req *req,
                    struct sk_errinfo *ei)
{
    static const char sql[] = "UPDATE act_takedown SET status = 'withdrawn', closed_ns = ?2"
                              " WHERE id = ?1 AND status = 'open'";
    sqlite3_stmt *s;
    int rc, gone = 0;

    /* still in the outbox: nobody sent it; take it back */
    if (exists(r->eml_path)) {
        unlink(r->eml_path);
        unlink(r->json_path);
    } else {
        gone = 1;
    }
    if (gone && r->email[0]) {
        /* already sent: tell the recipient it is withdrawn */
        struct sk_buf mail;
        char path[700], subj[400], text[600], rid[40];
        report_id(req, rid, sizeof rid);
        snprintf(path, sizeof path, "%.600s.withdrawn.eml", r->eml_path);
        snprintf(subj, sizeof subj, "Withdrawn: abuse report %s", rid);
        snprintf(text, sizeof text,
                 "Our abuse report %s about %.300s is withdrawn: no action is needed\n"
                 "any more.\n\n-- \n%s <%s>\n",
                 rid, req->target.value, t->conf->reporter, t->conf->from);
        sk_buf_init(&mail, 1 << 16);
        rc = sk__act_mail(&mail, t->conf->from, r->email, subj, rid, text, NULL, NULL);
        if (rc == 0)
            rc = sk_write_file_atomic(path, mail.data, mail.len, ei);
        sk_buf_free(&mail);
        if (rc < 0)
            return rc;
    }
    if ((rc = sk_store_prepare(t->st, sql, &s)) < 0)
        return rc;
    sqlite3_bind_int64(s, 1, r->id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)sk_now());
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc < 0 ? sk_fail(ei, rc, "takedown_request: store: %s", sk_store_errmsg(t->st)) : 0;
}

static int td_revert(void *state, const struct sk_action_req *req, struct sk_errinfo *ei)
{
    struct takedown *t = state;
    struct row r;
    int rc;

    if ((rc = get_row(t, req, &r)) < 0)
        return sk_fail(ei, rc, "takedown_request: store: %s", sk_store_errmsg(t->st));
    if (!r.found || strcmp(r.status, "open") != 0)
        return 0; /* nothing open: closed requests stay as history */
    return withdraw(t, &r, req, ei);
}

static int td_reconcile(void *state, const struct sk_action_req *active, size_t n,
                        struct sk_action_drift *drift, struct sk_errinfo *ei)
{
    static const char sql[] = "SELECT action_id, target FROM act_takedown WHERE status = 'open'";
    struct takedown *t = state;
    sqlite3_stmt *s;
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        int wrote = 0;
        rc = ensure_report(t, &active[i], &wrote, ei);
        if (drift && rc == 0)
            *(wrote ? &drift->added : &drift->kept) += 1;
    }
    if (rc < 0)
        return rc;
    /* open requests of actions no longer active are withdrawn */
    struct sk_action_req *stale = NULL;
    size_t ns = 0;
    if ((rc = sk_store_prepare(t->st, sql, &s)) < 0)
        return rc;
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        uint64_t aid = (uint64_t)sqlite3_column_int64(s, 0);
        const char *tg = (const char *)sqlite3_column_text(s, 1);
        int keep = 0;
        for (size_t i = 0; i < n && !keep; i++)
            keep = active[i].id == aid && !strcmp(active[i].target.value, tg);
        if (keep)
            continue;
        struct sk_action_req *v = realloc(stale, (ns + 1) * sizeof *v);
        if (!v) {
            rc = -SK_ENOMEM;
            break;
        }
        stale = v;
        memset(&stale[ns], 0, sizeof stale[ns]);
        stale[ns].id = aid;
        if (sk_target_parse(tg, &stale[ns].target, NULL) == 0)
            ns++;
    }
    sqlite3_reset(s);
    for (size_t i = 0; i < ns && rc == 0; i++) {
        rc = td_revert(t, &stale[i], ei);
        if (drift && rc == 0)
            drift->removed++;
    }
    free(stale);
    return rc;
}

const struct sk_action_ops sk__act_takedown = {
    .name = "takedown_request",
    .api = SK_ACTION_API,
    .desc = "write an abuse report (X-ARF JSON + RFC 5322 message) to the owner of the target, "
            "for a human or an MTA to send; track it until closed",
    .init = td_init,
    .check = td_check,
    .apply = td_apply,
    .verify = td_verify,
    .revert = td_revert,
    .fini = td_fini,
    .reconcile = td_reconcile,
    .effect = SK_ACTION_EFFECT_NONE,
};

/* --- tracking (act.h) ---------------------------------------------------- */

int sk_takedown_list(struct sk_store *st, int (*fn)(void *ctx, const struct sk_takedown *t),
                     void *ctx)
{
    static const char sql[] =
        "SELECT id, action_id, target, COALESCE(contact, ''), COALESCE(email, ''), status,"
        " COALESCE(outcome, ''), created_ns, COALESCE(closed_ns, 0), COALESCE(eml_path, '')"
        " FROM act_takedown ORDER BY id";
    sqlite3_stmt *s;
    int rc;

    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct sk_takedown t = {
            .id = sqlite3_column_int64(s, 0),
            .action_id = (uint64_t)sqlite3_column_int64(s, 1),
            .target = (const char *)sqlite3_column_text(s, 2),
            .contact = (const char *)sqlite3_column_text(s, 3),
            .email = (const char *)sqlite3_column_text(s, 4),
            .status = (const char *)sqlite3_column_text(s, 5),
            .outcome = (const char *)sqlite3_column_text(s, 6),
            .created = (sk_nstime)sqlite3_column_int64(s, 7),
            .closed = (sk_nstime)sqlite3_column_int64(s, 8),
            .eml_path = (const char *)sqlite3_column_text(s, 9),
        };
        if ((rc = fn(ctx, &t)) < 0) {
            sqlite3_reset(s);
            return rc;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -SK_ESTORE;
}

static const char *const outcomes[] = {"taken-down", "refused", "no-response", "not-responsible",
                                       NULL};

int sk_takedown_close(struct sk_store *st, int64_t id, const char *outcome, sk_nstime at,
                      struct sk_errinfo *ei)
{
    static const char get[] = "SELECT status, created_ns FROM act_takedown WHERE id = ?1";
    static const char up[] = "UPDATE act_takedown SET status = 'closed', outcome = ?2,"
                             " closed_ns = ?3 WHERE id = ?1";
    sqlite3_stmt *s;
    int rc, ok = 0;

    for (int i = 0; outcomes[i]; i++)
        ok |= !strcmp(outcome, outcomes[i]);
    if (!ok)
        return sk_fail(ei, -SK_EINVAL, "outcome '%s': expected taken-down, refused, no-response "
                       "or not-responsible", outcome);
    if ((rc = sk_store_prepare(st, get, &s)) < 0)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    char status[16] = "";
    sk_nstime created = 0;
    if (rc == SQLITE_ROW) {
        snprintf(status, sizeof status, "%s", (const char *)sqlite3_column_text(s, 0));
        created = (sk_nstime)sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return sk_fail(ei, -SK_ENOTFOUND, "no takedown request %lld", (long long)id);
    if (strcmp(status, "open") != 0)
        return sk_fail(ei, -SK_ESTATE, "takedown request %lld is %s, not open", (long long)id,
                       status);
    if (at < created)
        return sk_fail(ei, -SK_EINVAL, "takedown request %lld: closing before it was created",
                       (long long)id);
    if ((rc = sk_store_prepare(st, up, &s)) < 0)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, outcome, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)at);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    return rc < 0 ? sk_fail(ei, rc, "store: %s", sk_store_errmsg(st)) : 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int sk_takedown_stats(struct sk_store *st, sk_nstime now, struct sk_takedown_stats *out)
{
    static const char sql[] =
        "SELECT status, COALESCE(outcome, ''), created_ns, COALESCE(closed_ns, 0)"
        " FROM act_takedown";
    const uint64_t day = 86400 * SK_NS_PER_SEC;
    uint64_t *ttt = NULL;
    size_t n = 0, cap = 0;
    uint64_t decided = 0, fast = 0;
    sqlite3_stmt *s;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        return rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(s, 0);
        const char *outcome = (const char *)sqlite3_column_text(s, 1);
        uint64_t created = (uint64_t)sqlite3_column_int64(s, 2);
        uint64_t closed = (uint64_t)sqlite3_column_int64(s, 3);
        out->reports++;
        if (!strcmp(status, "withdrawn")) {
            out->withdrawn++;
            continue;
        }
        if (!strcmp(status, "open"))
            out->open++;
        else
            out->closed++;
        int down = !strcmp(status, "closed") && !strcmp(outcome, "taken-down");
        /* decided: closed, or open for more than a day already */
        if (!strcmp(status, "closed") || now > created + day)
            decided++;
        if (down) {
            out->taken_down++;
            if (closed - created <= day)
                fast++;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                uint64_t *v = realloc(ttt, cap * sizeof *v);
                if (!v) {
                    free(ttt);
                    sqlite3_reset(s);
                    return -SK_ENOMEM;
                }
                ttt = v;
            }
            ttt[n++] = closed - created;
        }
    }
    sqlite3_reset(s);
    if (n) {
        qsort(ttt, n, sizeof *ttt, cmp_u64);
        out->median_ns = n % 2 ? ttt[n / 2] : (ttt[n / 2 - 1] + ttt[n / 2]) / 2;
    }
    out->decided = decided;
    out->within_24h = decided ? (double)fast / (double)decided : 0;
    free(ttt);
    return rc == SQLITE_DONE ? 0 : -SK_ESTORE;
}
