/*
 * notify.c — tells each operator which of its machines talked to the
 * sinkhole, so it can clean them.
 *
 * Reads the sinkhole's hits for a window, groups them by victim address,
 * finds the operator owning each address in the operator registry
 * (act.notify.registry, longest prefix wins) and writes one notification per
 * operator into act.notify.outbox:
 *   <date>-<operator>-<n>.json  {operator, window, victims: [{address,
 *                                first_seen, last_seen, connections, ports,
 *                                names}]}
 *   <date>-<operator>-<n>.eml   an RFC 5322 message to the operator's
 *                                address with the list and the JSON attached
 * Victims whose address no operator owns go to one "unassigned" JSON file
 * (no message: nobody to send it to) for the centre to follow up. Each
 * notification is recorded in act_notifications. Nothing is sent: the files
 * are for a human or an MTA.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act/act-int.h"
#include "act/contacts.h"
#include "sakimori/act.h"
#include "sakimori/addr.h"
#include "sakimori/buf.h"
#include "sakimori/conf-t.h"
#include "sakimori/file.h"
#include "sakimori/log.h"

#define MAX_NAMES 20
#define MAX_PORTS 20

struct victim {
    struct sk_addr addr;
    char text[SK_ADDR_STRLEN];
    sk_nstime first, last;
    uint64_t count;
    json_t *names, *ports;
    const struct sk_operator *op;
};

static int add_unique(json_t *arr, json_t *v, size_t cap)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (json_equal(x, v)) {
        json_decref(v);
        return 0;
    }
    if (json_array_size(arr) >= cap) {
        json_decref(v);
        return 0;
    }
    return json_array_append_new(arr, v);
}

static int cmp_op(const void *a, const void *b)
{
    const struct victim *x = a, *y = b;
    const char *ix = x->op ? x->op->id : "~", *iy = y->op ? y->op->id : "~";
    int c = strcmp(ix, iy);
    return c ? c : sk_addr_cmp(&x->addr, &y->addr);
}

static int write_one(const struct sk_conf_act_notify *nc, struct sk_store *st,
                     const struct sk_operator *op, struct victim *v, size_t n, sk_nstime since,
                     sk_nstime until, struct sk_notify_result *res, struct sk_errinfo *ei)
{
    static const char ins[] =
        "INSERT INTO act_notifications (operator, created_ns, since_ns, until_ns, victims,"
        " json_path, eml_path) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    char ts[3][SK_RFC3339_LEN], day[16], base[700], jp[720], ep[720];
    const char *id = op ? op->id : "unassigned";
    json_t *o = NULL, *list = json_array();
    struct sk_buf text, mail;
    char *js = NULL;
    int rc = 0;
    time_t now = time(NULL);
    struct tm tm;

    sk_buf_init(&text, 8u << 20);
    sk_buf_init(&mail, 32u << 20);
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y%m%d", &tm);
    snprintf(base, sizeof base, "%s/%s-%s-%lld", nc->outbox, day, id,
             (long long)(sk_now() / SK_NS_PER_MS % 100000000));
    snprintf(jp, sizeof jp, "%s.json", base);
    snprintf(ep, sizeof ep, "%s.eml", base);
    rc = sk_buf_printf(&text,
                       "Dear security team%s%s,\n\n"
                       "The machines below, in your network, connected to our sinkhole between\n"
                       "%s and %s. The sinkhole stands in for a malware command-and-control\n"
                       "server: a machine that connects to it is very likely infected.\n"
                       "Please find and clean them. The list is also attached as JSON.\n\n"
                       "%-40s %-22s %-22s %8s  %s\n",
                       op ? " of " : "", op ? op->name : "", sk_rfc3339(since, ts[0], sizeof ts[0]),
                       sk_rfc3339(until, ts[1], sizeof ts[1]), "ADDRESS", "FIRST SEEN", "LAST SEEN",
                       "CONNS", "NAMES");
    for (size_t i = 0; i < n && rc == 0; i++) {
        char f[SK_RFC3339_LEN], l[SK_RFC3339_LEN];
        json_t *vo = json_pack("{s:s, s:s, s:s, s:I, s:O, s:O}", "address", v[i].text,
                               "first_seen", sk_rfc3339(v[i].first / SK_NS_PER_SEC * SK_NS_PER_SEC, f, sizeof f),
                               "last_seen", sk_rfc3339(v[i].last / SK_NS_PER_SEC * SK_NS_PER_SEC, l, sizeof l),
                               "connections", (json_int_t)v[i].count, "ports", v[i].ports,
                               "names", v[i].names);
        if (!vo || json_array_append_new(list, vo) < 0) {
            rc = -SK_ENOMEM;
            break;
        }
        struct sk_buf nm;
        sk_buf_init(&nm, 1024);
        size_t k;
        json_t *x;
        json_array_foreach(v[i].names, k, x) sk_buf_printf(&nm, "%s%s", k ? "," : "", json_string_value(x));
        rc = sk_buf_printf(&text, "%-40s %-22s %-22s %8llu  %s\n", v[i].text, f, l,
                           (unsigned long long)v[i].count, nm.len ? sk_buf_str(&nm) : "-");
        sk_buf_free(&nm);
    }
    if (rc == 0)
        rc = sk_buf_printf(&text, "\n-- \nsakimori <%s>\n", nc->from);
    o = json_pack("{s:{s:s, s:s?, s:s?}, s:s, s:{s:s, s:s}, s:I, s:o}", "operator", "id", id,
                  "name", op ? op->name : NULL, "email", op ? op->email : NULL, "generated",
                  sk_rfc3339(sk_now() / SK_NS_PER_SEC * SK_NS_PER_SEC, ts[2], sizeof ts[2]),
                  "window", "since", ts[0], "until", ts[1], "victim_count", (json_int_t)n,
                  "victims", list);
    list = NULL;
    if (rc < 0 || !o || !(js = json_dumps(o, JSON_INDENT(2)))) {
        rc = rc < 0 ? rc : -SK_ENOMEM;
        goto out;
    }
    if ((rc = sk_mkdir_p(nc->outbox, ei)) < 0 ||
        (rc = sk_write_file_atomic(jp, js, strlen(js), ei)) < 0)
        goto out;
    if (op) {
        char subj[300], msgid[80];
        snprintf(subj, sizeof subj, "%zu infected machine%s in your network contacted a malware "
                 "sinkhole", n, n == 1 ? "" : "s");
        snprintf(msgid, sizeof msgid, "notify-%s-%lld", id, (long long)(sk_now() / SK_NS_PER_MS));
        if ((rc = sk__act_mail(&mail, nc->from, op->email, subj, msgid, sk_buf_str(&text), js,
                               "victims.json")) < 0 ||
            (rc = sk_write_file_atomic(ep, mail.data, mail.len, ei)) < 0)
            goto out;
    }
    sqlite3_stmt *s;
    if ((rc = sk_store_prepare(st, ins, &s)) < 0)
        goto out;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)sk_now());
    sqlite3_bind_int64(s, 3, (sqlite3_int64)since);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)until);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)n);
    sqlite3_bind_text(s, 6, jp, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, op ? ep : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -SK_ESTORE;
    sqlite3_reset(s);
    if (rc == 0 && res && res->nfiles < SK_NOTIFY_MAX_FILES) {
        snprintf(res->files[res->nfiles].operator_id, sizeof res->files[0].operator_id, "%s", id);
        snprintf(res->files[res->nfiles].json_path, sizeof res->files[0].json_path, "%s", jp);
        snprintf(res->files[res->nfiles].eml_path, sizeof res->files[0].eml_path, "%s",
                 op ? ep : "");
        res->files[res->nfiles].victims = n;
        res->nfiles++;
    }
out:
    if (rc < 0 && ei && !ei->msg[0])
        sk_fail(ei, rc, "notify: %s: %s", id, sk_strerror(rc));
    json_decref(list);
    json_decref(o);
    free(js);
    sk_buf_free(&text);
    sk_buf_free(&mail);
    return rc;
}

int sk_notify_victims(struct sk_store *st, const struct sk_conf *conf, sk_nstime since,
                      sk_nstime until, struct sk_notify_result *res, struct sk_errinfo *ei)
{
    static const char sql[] =
        "SELECT victim, MIN(ts_ns), MAX(ts_ns), count(*) FROM act_sinkhole_hits"
        " WHERE ts_ns >= ?1 AND ts_ns < ?2 GROUP BY victim";
    static const char detail[] =
        "SELECT DISTINCT name, local_port FROM act_sinkhole_hits"
        " WHERE victim = ?1 AND ts_ns >= ?2 AND ts_ns < ?3";
    const struct sk_conf_act_notify *nc = &conf->act.notify;
    struct sk_operators *ops = NULL;
    struct victim *v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *s;
    int rc;

    if (res)
        memset(res, 0, sizeof *res);
    if (!nc->registry || !nc->registry[0])
        return sk_fail(ei, -SK_ECONF, "notify: no operator registry (act.notify.registry)");
    if ((rc = sk__operators_load(nc->registry, &ops, ei)) < 0)
        return rc;
    if ((rc = sk_store_prepare(st, sql, &s)) < 0)
        goto out;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)until);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct sk_addr a;
        if (sk_addr_parse((const char *)sqlite3_column_text(s, 0), &a) < 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct victim *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                rc = -SK_ENOMEM;
                break;
            }
            v = nv;
        }
        memset(&v[n], 0, sizeof v[n]);
        v[n].addr = a;
        sk_addr_fmt(&a, v[n].text, sizeof v[n].text);
        v[n].first = (sk_nstime)sqlite3_column_int64(s, 1);
        v[n].last = (sk_nstime)sqlite3_column_int64(s, 2);
        v[n].count = (uint64_t)sqlite3_column_int64(s, 3);
        v[n].names = json_array();
        v[n].ports = json_array();
        v[n].op = sk__operators_for_addr(ops, &a);
        n++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        rc = rc < 0 ? rc : sk_fail(ei, -SK_ESTORE, "notify: %s", sk_store_errmsg(st));
        goto out;
    }
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if ((rc = sk_store_prepare(st, detail, &s)) < 0)
            break;
        sqlite3_bind_text(s, 1, v[i].text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)since);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)until);
        while (sqlite3_step(s) == SQLITE_ROW) {
            if (sqlite3_column_type(s, 0) != SQLITE_NULL)
                add_unique(v[i].names, json_string((const char *)sqlite3_column_text(s, 0)), MAX_NAMES);
            add_unique(v[i].ports, json_integer(sqlite3_column_int(s, 1)), MAX_PORTS);
        }
        sqlite3_reset(s);
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_op);
    if (rc == 0 && (rc = sk_store_begin(st)) == 0) {
        for (size_t i = 0; i < n && rc == 0;) {
            size_t j = i;
            while (j < n && v[j].op == v[i].op)
                j++;
            rc = write_one(nc, st, v[i].op, v + i, j - i, since, until, res, ei);
            if (res) {
                res->victims += j - i;
                if (v[i].op)
                    res->operators++;
                else
                    res->unassigned += j - i;
            }
            i = j;
        }
        if (rc == 0)
            rc = sk_store_commit(st);
        else
            sk_store_rollback(st);
    }
out:
    for (size_t i = 0; i < n; i++) {
        json_decref(v[i].names);
        json_decref(v[i].ports);
    }
    free(v);
    sk__operators_free(ops);
    return rc;
}
