/*
 * cmd_audit.c — `sakimori audit verify|log|prove|consistency|check-proof|
 * export|report|purge`: the audit log for auditors and oversight bodies.
 *
 * Proofs are printed as self-contained JSON documents (the entry, its leaf
 * hash, the audit path, the signed tree head with the exact bytes its
 * signature covers, the public key) so that `audit check-proof` — or any
 * RFC 9162 implementation plus an Ed25519 verifier such as openssl — can
 * check them without the store. docs/governance.md describes the formats.
 */
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/govcli.h"
#include "sakimori/buf.h"
#include "sakimori/conf.h"
#include "sakimori/file.h"
#include "sakimori/key.h"
#include "sakimori/merkle.h"

#define MAX_ANCHORS 4096

static void help(void)
{
    printf("usage: sakimori audit verify [--pubkey KEY] [--anchor FILE]...\n"
           "       sakimori audit log [--from N] [--limit N] [--kind PREFIX]\n"
           "       sakimori audit prove N [--size S]\n"
           "       sakimori audit consistency M [N]\n"
           "       sakimori audit check-proof FILE [--pubkey KEY]\n"
           "       sakimori audit export [--since S] [--out FILE]\n"
           "       sakimori audit report [--from TIME] [--to TIME]\n"
           "       sakimori audit purge [--dry-run]\n"
           "\n"
           "The audit log records every governance transition, approval, action step,\n"
           "export, data access and purge as a leaf of an RFC 9162 Merkle tree, with a\n"
           "tree head signed by the server's key at every commit.\n"
           "\n"
           "verify       recompute every leaf and signed tree head from the store; name\n"
           "             the first entry that was edited, deleted, inserted or reordered.\n"
           "             --anchor: tree heads exported earlier (audit export) the log\n"
           "             must still extend (catches truncation and rewriting)\n"
           "log          print entries (entry numbers start at 1)\n"
           "prove N      inclusion proof of entry N in the newest signed tree head (or\n"
           "             the first one of at least S entries)\n"
           "consistency  proof that the signed tree head of size N extends the one of\n"
           "             size M (N: the newest)\n"
           "check-proof  verify a proof file from prove or consistency, without the store\n"
           "export       signed tree heads as JSON lines, to anchor elsewhere\n"
           "report       the transparency report for [--from, --to)\n"
           "purge        apply audit.retention: delete expired raw events, detections and\n"
           "             passive DNS; empty expired audit entries (their hashes stay)\n"
           "\n"
           "options:\n"
           "      --pubkey KEY       ed25519:… (or a file) tree heads must be signed with;\n"
           "                         default audit.public_key, then <key>.pub\n"
           "      --anchor FILE      exported tree heads (repeatable)\n"
           "      --from N|TIME      first entry (log) or start time (report)\n"
           "      --to TIME          end of the report period (default now)\n"
           "      --limit N          at most N entries (log)\n"
           "      --kind PREFIX      only entries whose kind starts with PREFIX (log)\n"
           "      --size S           prove against a tree of at least S entries\n"
           "      --since S          export tree heads of size > S\n"
           "  -o, --out FILE       write the export to FILE (atomically)\n"
           "      --dry-run          purge: count, change nothing\n"
           "      --as NAME          who acts (default: $SAKIMORI_USER, $USER)\n"
           "      --db PATH          store file (default: store.path in the config)\n"
           "      --json             JSON output\n"
           "  -c, --config PATH      configuration file\n"
           "  -q, --quiet            no progress\n"
           "  -h, --help             this help\n"
           "\n"
           "exit status: 0 ok (verify: the log is intact), 1 verify or check-proof found\n"
           "tampering, 2 usage or input error\n");
}

static char *hex32(const uint8_t h[32], char out[65]) { return sk_hex(h, 32, out, 65); }

static int parse_pubkey(const char *arg, uint8_t pub[SK_KEY_PUBLIC_BYTES])
{
    char name[SK_KEY_NAME_MAX], *text = NULL;
    size_t n;
    int rc;

    if (sk_key_parse_public(arg, pub) == 0)
        return 0;
    if (sk_key_parse_named_public(arg, name, pub, NULL) == 0)
        return 0;
    if (sk_read_file(arg, 4096, &text, &n, NULL) < 0)
        return -SK_EPARSE;
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    rc = sk_key_parse_public(text, pub) == 0 ? 0 : sk_key_parse_named_public(text, name, pub, NULL);
    free(text);
    return rc;
}

static void progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    fprintf(stderr, "\raudit verify: %" PRIu64 " / %" PRIu64 " entries\033[K", done, total);
    if (done == total)
        fprintf(stderr, "\n");
}

/* Anchors from exported JSON lines; each must carry a valid signature. */
static int load_anchors(const char *path, const uint8_t pub[SK_KEY_PUBLIC_BYTES],
                        struct sk_audit_anchor *a, size_t *n, struct sk_errinfo *ei)
{
    char *text = NULL, *p, *nl;
    size_t len, line = 0;
    int rc;

    if ((rc = sk_read_file(path, 64u << 20, &text, &len, ei)) < 0)
        return rc;
    for (p = text; p && *p; p = nl ? nl + 1 : NULL) {
        struct sk_audit_sth s;
        json_error_t je;
        json_t *o;
        line++;
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (!*p)
            continue;
        if (!(o = json_loads(p, 0, &je)) || sk_audit_sth_from_json(o, &s) < 0) {
            json_decref(o);
            rc = sk_fail(ei, -SK_EPARSE, "%s:%zu: expected a tree head as `audit export` writes it",
                         path, line);
            goto out;
        }
        json_decref(o);
        if (sk_audit_sth_check(&s, pub) < 0) {
            rc = sk_fail(ei, -SK_ECRYPTO, "%s:%zu: the tree head's signature does not verify with the audit key",
                         path, line);
            goto out;
        }
        if (*n == MAX_ANCHORS) {
            rc = sk_fail(ei, -SK_ETOOBIG, "%s: more than %d anchors", path, MAX_ANCHORS);
            goto out;
        }
        a[*n].tree_size = s.tree_size;
        memcpy(a[*n].root, s.root, 32);
        (*n)++;
    }
    rc = 0;
out:
    free(text);
    return rc;
}

static int cmd_verify(struct govcli *gc, const struct sk_cli_common *common,
                      const char *const *anchor_files, size_t nanchor_files)
{
    struct sk_audit_anchor *anchors = calloc(MAX_ANCHORS, sizeof *anchors);
    struct sk_audit_verify v;
    struct sk_errinfo ei = {""};
    uint8_t pub[SK_KEY_PUBLIC_BYTES];
    size_t nanchors = 0;
    int rc, status;

    if (!anchors)
        return SK_EXIT_ERROR;
    memset(&v, 0, sizeof v);
    if (sk_audit_pubkey(gc->audit, pub) < 0) {
        free(anchors);
        fprintf(stderr, "sakimori audit: no audit public key: give --pubkey, or set audit.public_key\n");
        return SK_EXIT_ERROR;
    }
    for (size_t i = 0; i < nanchor_files; i++) {
        if ((rc = load_anchors(anchor_files[i], pub, anchors, &nanchors, &ei)) < 0) {
            free(anchors);
            return sk_cli_fail("audit", rc, &ei);
        }
    }
    v.anchors = anchors;
    v.nanchors = nanchors;
    if (sk_cli_progress_ok(common)) {
        v.progress = progress;
    }
    rc = sk_audit_verify(gc->audit, &v);
    if (rc < 0) {
        free(anchors);
        fprintf(stderr, "sakimori audit: verify: %s (%s)\n", sk_strerror(rc),
                sk_store_errmsg(gc->store));
        return SK_EXIT_ERROR;
    }
    /* the log holds; do the governance tables agree with it? */
    char state_problem[512] = "";
    uint64_t checked = 0;
    int state_rc = 0;
    if (rc == 0 && gc->govern &&
        (state_rc = sk_govern_check_log(gc->govern, &checked, state_problem, sizeof state_problem)) < 0) {
        free(anchors);
        fprintf(stderr, "sakimori audit: verify: %s\n", sk_strerror(state_rc));
        return SK_EXIT_ERROR;
    }
    if (common->json) {
        char root[65];
        json_t *o = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:s?, s:I, s:s, s:I}", "ok",
                              rc == 0 && state_rc == 0,
                              "entries", (json_int_t)v.entries, "tree_heads", (json_int_t)v.sths,
                              "purged", (json_int_t)v.purged, "first_bad",
                              (json_int_t)v.first_bad, "bad_last", (json_int_t)v.bad_last,
                              "problem", rc ? v.problem : NULL, "tree_size",
                              (json_int_t)v.last.tree_size, "root_hash", hex32(v.last.root, root),
                              "anchors", (json_int_t)nanchors);
        json_object_set_new(o, "log_ok", json_boolean(rc == 0));
        json_object_set_new(o, "state_ok", json_boolean(rc == 0 && state_rc == 0));
        json_object_set_new(o, "proposals_checked", json_integer((json_int_t)checked));
        if (state_rc)
            json_object_set_new(o, "state_problem", json_string(state_problem));
        sk_govcli_print_json(o);
        json_decref(o);
    } else if (rc == 0 && state_rc) {
        printf("audit log OK (%" PRIu64 " entries), but the governance tables DISAGREE with it: %s\n",
               v.entries, state_problem);
    } else if (rc == 0) {
        char root[65], ts[SK_RFC3339_LEN];
        printf("audit log OK: %" PRIu64 " entries (%" PRIu64 " purged by retention), %" PRIu64
               " signed tree heads%s\n",
               v.entries, v.purged, v.sths, nanchors ? ", every anchor holds" : "");
        if (v.last.tree_size)
            printf("newest tree head: size %" PRIu64 ", root %s, signed %s\n", v.last.tree_size,
                   hex32(v.last.root, root), sk_rfc3339(v.last.ts, ts, sizeof ts));
        printf("governance state agrees with the log (%" PRIu64 " proposals)\n", checked);
    } else {
        printf("audit log TAMPERED: %s\n", v.problem);
        if (v.bad_last && v.bad_last != v.first_bad)
            printf("first bad entry: %" PRIu64 " (somewhere in %" PRIu64 "..%" PRIu64 ")\n",
                   v.first_bad, v.first_bad, v.bad_last);
        else
            printf("first bad entry: %" PRIu64 "\n", v.first_bad);
    }
    status = rc == 0 && state_rc == 0 ? SK_EXIT_OK : SK_EXIT_FINDINGS;
    free(anchors);
    return status;
}

static int cmd_log(struct govcli *gc, const struct sk_cli_common *common, uint64_t from,
                   uint64_t limit, const char *kind, const char *actor)
{
    static const char sql[] =
        "SELECT seq, entry FROM audit_log WHERE seq >= ?1 AND (?2 IS NULL OR kind >= ?2 AND kind < ?2 || '~')"
        " ORDER BY seq LIMIT ?3";
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(sk_store_db(gc->store), sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sakimori audit: %s\n", sk_store_errmsg(gc->store));
        return SK_EXIT_ERROR;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
    if (kind)
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
        if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
            if (common->json)
                printf("{\"seq\":%" PRIu64 ",\"purged\":true}\n", seq);
            else
                printf("%6" PRIu64 "  (purged by retention)\n", seq);
            continue;
        }
        const char *e = (const char *)sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1);
        if (common->json) {
            printf("%.*s\n", n, e);
            continue;
        }
        json_t *o = json_loadb(e, (size_t)n, 0, NULL);
        char ts[SK_RFC3339_LEN], *detail = json_dumps(json_object_get(o, "detail"), JSON_COMPACT);
        sk_rfc3339((sk_nstime)json_integer_value(json_object_get(o, "ts_ns")), ts, sizeof ts);
        printf("%6" PRIu64 "  %s  %-22s %-16s %-12s %.160s\n", seq, ts,
               json_string_value(json_object_get(o, "kind")),
               json_string_value(json_object_get(o, "subject")),
               json_string_value(json_object_get(o, "actor")), detail ? detail : "");
        free(detail);
        json_decref(o);
    }
    sqlite3_finalize(st);
    sk_govcli_audit_read(gc, actor, "audit", "audit log entries");
    return SK_EXIT_OK;
}

static json_t *path_json(uint8_t path[][32], size_t n)
{
    json_t *a = json_array();
    char h[65];
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(hex32(path[i], h)));
    return a;
}

static int cmd_prove(struct govcli *gc, uint64_t seq, uint64_t size)
{
    uint8_t path[SK_MERKLE_MAX_DEPTH][32], leaf[32], pub[32];
    struct sk_audit_sth sth;
    char *text = NULL, lh[65];
    size_t n;
    int rc;
    json_t *o;

    if (sk_audit_pubkey(gc->audit, pub) < 0)
        memset(pub, 0, sizeof pub);
    if ((rc = sk_audit_entry(gc->audit, seq, &text, leaf)) < 0) {
        fprintf(stderr, "sakimori audit: entry %" PRIu64 ": %s\n", seq,
                rc == -SK_ENOTFOUND ? "no such entry" : sk_strerror(rc));
        return SK_EXIT_ERROR;
    }
    if ((rc = sk_audit_sth_at_least(gc->audit, size > seq ? size : seq, &sth)) < 0) {
        free(text);
        fprintf(stderr, "sakimori audit: no signed tree head covers entry %" PRIu64 " yet\n", seq);
        return SK_EXIT_ERROR;
    }
    if (!size) {
        struct sk_audit_sth latest;
        if (sk_audit_latest_sth(gc->audit, &latest) == 0 && latest.tree_size >= seq)
            sth = latest;
    }
    if ((rc = sk_audit_prove_inclusion(gc->audit, seq, sth.tree_size, path, &n)) < 0) {
        free(text);
        fprintf(stderr, "sakimori audit: cannot build the proof: %s\n", sk_strerror(rc));
        return SK_EXIT_ERROR;
    }
    o = json_pack("{s:s, s:I, s:I, s:s?, s:s, s:I, s:o, s:o}", "type", "inclusion", "entry",
                  (json_int_t)seq, "leaf_index", (json_int_t)(seq - 1), "entry_text", text,
                  "leaf_hash", hex32(leaf, lh), "tree_size", (json_int_t)sth.tree_size, "path",
                  path_json(path, n), "sth", sk_audit_sth_json(&sth, pub));
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("%s\n", s);
    free(s);
    json_decref(o);
    free(text);
    return SK_EXIT_OK;
}

static int cmd_consistency(struct govcli *gc, uint64_t m, uint64_t n)
{
    uint8_t path[SK_MERKLE_MAX_DEPTH][32], pub[32];
    struct sk_audit_sth a, b;
    size_t len;
    int rc;
    json_t *o;

    if (sk_audit_pubkey(gc->audit, pub) < 0)
        memset(pub, 0, sizeof pub);
    if (!n) {
        if (sk_audit_latest_sth(gc->audit, &b) < 0 || b.tree_size == 0) {
            fprintf(stderr, "sakimori audit: no signed tree head yet\n");
            return SK_EXIT_ERROR;
        }
        n = b.tree_size;
    }
    if (sk_audit_sth_at_least(gc->audit, m, &a) < 0 || a.tree_size != m ||
        sk_audit_sth_at_least(gc->audit, n, &b) < 0 || b.tree_size != n || m > n) {
        fprintf(stderr, "sakimori audit: consistency needs two signed tree heads, M <= N "
                        "(sakimori audit export lists their sizes)\n");
        return SK_EXIT_ERROR;
    }
    if ((rc = sk_audit_prove_consistency(gc->audit, m, n, path, &len)) < 0) {
        fprintf(stderr, "sakimori audit: cannot build the proof: %s\n", sk_strerror(rc));
        return SK_EXIT_ERROR;
    }
    o = json_pack("{s:s, s:o, s:o, s:o}", "type", "consistency", "first", sk_audit_sth_json(&a, pub),
                  "second", sk_audit_sth_json(&b, pub), "path", path_json(path, len));
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("%s\n", s);
    free(s);
    json_decref(o);
    return SK_EXIT_OK;
}

/* Needs no store: a proof file and a key. */
static int cmd_check_proof(const char *file, const char *pubarg, int json)
{
    uint8_t pub[SK_KEY_PUBLIC_BYTES];
    char why[512] = "", *text = NULL;
    struct sk_errinfo ei = {""};
    size_t len;
    int rc;

    if (pubarg && parse_pubkey(pubarg, pub) < 0)
        return sk_cli_usage_error("audit", "--pubkey: expected ed25519:<base64>, NAME ed25519:<base64> or a file");
    if ((rc = sk_read_file(file, 64u << 20, &text, &len, &ei)) < 0)
        return sk_cli_fail("audit", rc, &ei);
    rc = sk_audit_check_proof(text, len, pubarg ? pub : NULL, why, sizeof why);
    free(text);
    if (rc < 0) {
        fprintf(stderr, "sakimori audit: %s: %s\n", file, why);
        return SK_EXIT_ERROR;
    }
    if (json) {
        json_t *r = json_pack("{s:b, s:s, s:b}", "valid", rc == 1, "detail", why, "key_from_proof",
                              !pubarg);
        sk_govcli_print_json(r);
        json_decref(r);
    } else {
        printf("%s: %s: %s\n", file, rc == 1 ? "valid" : "INVALID", why);
        if (rc == 1 && !pubarg)
            printf("note: checked with the public key inside the proof; compare it with the one "
                   "you trust, or give --pubkey\n");
    }
    return rc == 1 ? SK_EXIT_OK : SK_EXIT_FINDINGS;
}

static int cmd_export(struct govcli *gc, uint64_t since, const char *out, const char *actor)
{
    static const char sql[] =
        "SELECT tree_size, ts_ns, root, key_id, signature FROM audit_sth WHERE tree_size > ?1"
        " ORDER BY tree_size";
    struct sk_errinfo ei = {""};
    struct sk_buf buf;
    sqlite3_stmt *st;
    uint8_t pub[32];
    uint64_t n = 0;
    struct sk_audit_sth head;
    int rc = 0;

    if (sk_audit_pubkey(gc->audit, pub) < 0)
        memset(pub, 0, sizeof pub);
    if (sk_audit_latest_sth(gc->audit, &head) < 0)
        return SK_EXIT_ERROR;
    if (sqlite3_prepare_v2(sk_store_db(gc->store), sql, -1, &st, NULL) != SQLITE_OK)
        return SK_EXIT_ERROR;
    sk_buf_init(&buf, 1u << 30);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct sk_audit_sth s;
        memset(&s, 0, sizeof s);
        s.tree_size = (uint64_t)sqlite3_column_int64(st, 0);
        s.ts = (sk_nstime)sqlite3_column_int64(st, 1);
        if (sqlite3_column_bytes(st, 2) != 32 || sqlite3_column_bytes(st, 4) != 64)
            continue;
        memcpy(s.root, sqlite3_column_blob(st, 2), 32);
        snprintf(s.key_id, sizeof s.key_id, "%s", (const char *)sqlite3_column_text(st, 3));
        memcpy(s.sig, sqlite3_column_blob(st, 4), 64);
        memcpy(s.log_id, head.log_id, 16);
        json_t *o = sk_audit_sth_json(&s, pub);
        char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (!line || (rc = sk_buf_printf(&buf, "%s\n", line)) < 0) {
            free(line);
            break;
        }
        free(line);
        n++;
    }
    sqlite3_finalize(st);
    if (rc < 0) {
        sk_buf_free(&buf);
        fprintf(stderr, "sakimori audit: export: %s\n", sk_strerror(rc));
        return SK_EXIT_ERROR;
    }
    if (out) {
        if ((rc = sk_write_file_atomic(out, buf.data ? buf.data : "", buf.len, &ei)) < 0) {
            sk_buf_free(&buf);
            return sk_cli_fail("audit", rc, &ei);
        }
    } else {
        fwrite(sk_buf_str(&buf), 1, buf.len, stdout);
    }
    sk_buf_free(&buf);
    json_t *d = json_pack("{s:I, s:I, s:s}", "since", (json_int_t)since, "tree_heads",
                          (json_int_t)n, "to", out ? out : "stdout");
    sk_audit_record(gc->audit, actor, "audit.export", "audit", d);
    json_decref(d);
    return SK_EXIT_OK;
}

/* 93784 s → "1d 2h", 4500 s → "1h 15m", 75 s → "1m 15s", 2.5 → "2.5s" */
static const char *human(double s, char *out, size_t len)
{
    unsigned long long v = (unsigned long long)(s + 0.5);
    if (s < 60)
        snprintf(out, len, "%.1fs", s);
    else if (v < 3600)
        snprintf(out, len, "%llum %llus", v / 60, v % 60);
    else if (v < 86400)
        snprintf(out, len, "%lluh %llum", v / 3600, v % 3600 / 60);
    else
        snprintf(out, len, "%llud %lluh", v / 86400, v % 86400 / 3600);
    return out;
}

static void print_durations(const char *what, const json_t *d)
{
    char a[32], b[32], c[32], e[32];

    if (!json_integer_value(json_object_get(d, "count"))) {
        printf("  %-36s none in the period\n", what);
        return;
    }
    printf("  %-36s median %s, p90 %s (n=%lld, min %s, max %s)\n", what,
           human(json_real_value(json_object_get(d, "median_s")), a, sizeof a),
           human(json_real_value(json_object_get(d, "p90_s")), b, sizeof b),
           (long long)json_integer_value(json_object_get(d, "count")),
           human(json_real_value(json_object_get(d, "min_s")), c, sizeof c),
           human(json_real_value(json_object_get(d, "max_s")), e, sizeof e));
}

static long long I(const json_t *o, const char *a, const char *b)
{
    return (long long)json_integer_value(json_object_get(b ? json_object_get(o, a) : o, b ? b : a));
}

static int cmd_report(struct govcli *gc, const struct sk_cli_common *common, sk_nstime from,
                      sk_nstime to, const char *actor)
{
    struct sk_errinfo ei = {""};
    json_t *r = NULL;
    int rc;

    if ((rc = sk_audit_report(gc->audit, from, to, &r, &ei)) < 0)
        return sk_cli_fail("audit", rc, &ei);
    if (common->json) {
        sk_govcli_print_json(r);
    } else {
        const json_t *by = json_object_get(r, "actions_by_type");
        printf("transparency report %s .. %s\n",
               json_string_value(json_object_get(r, "from")), json_string_value(json_object_get(r, "to")));
        printf("  proposals          %lld created, %lld submitted, %lld refused by safeguards\n",
               I(r, "proposals", "created"), I(r, "proposals", "submitted"),
               I(r, "proposals", "refused_by_safeguards"));
        printf("  verdicts           %lld approvals, %lld rejections, %lld exigent, %lld refused "
               "(forged, duplicate, self)\n",
               I(r, "verdicts", "approvals"), I(r, "verdicts", "rejections"),
               I(r, "verdicts", "exigent"), I(r, "verdicts", "refused"));
        printf("  decisions          %lld approved, %lld rejected, %lld exigent uses (%lld ratified, "
               "%lld not ratified)\n",
               I(r, "decisions", "approved"), I(r, "decisions", "rejected"),
               I(r, "decisions", "exigent_uses"), I(r, "decisions", "ratified"),
               I(r, "decisions", "not_ratified"));
        printf("  actions            %lld monitor, %lld sinkhole, %lld block, %lld blackhole, %lld "
               "takedown request; %lld failed\n",
               I(by, "monitor", NULL), I(by, "sinkhole", NULL), I(by, "block", NULL),
               I(by, "blackhole", NULL), I(by, "takedown_request", NULL), I(r, "actions_failed", NULL));
        printf("  reverts            %lld at TTL, %lld revoked (%lld false positives), %lld not "
               "ratified; %lld completed, %lld errors\n",
               I(r, "reverts", "expired"), I(r, "reverts", "revoked"),
               I(r, "false_positive_reverts", NULL), I(r, "reverts", "not_ratified"),
               I(r, "reverts", "completed"), I(r, "reverts", "errors"));
        print_durations("first detection to neutralization", json_object_get(r, "detection_to_neutralization"));
        print_durations("submission to decision", json_object_get(r, "submission_to_decision"));
        printf("  oversight          %lld purges, %lld exports, %lld data reads, %lld logins; %lld "
               "audit entries in the period\n",
               I(r, "oversight", "purges"), I(r, "oversight", "exports"),
               I(r, "oversight", "data_reads"), I(r, "oversight", "logins"),
               I(r, "audit_entries", NULL));
    }
    json_decref(r);
    json_t *d = json_pack("{s:s}", "what", "transparency report");
    sk_audit_record(gc->audit, actor, "audit.export", "audit/report", d);
    json_decref(d);
    return SK_EXIT_OK;
}

static int cmd_purge(struct govcli *gc, const struct sk_cli_common *common, int dry_run,
                     const char *actor)
{
    struct sk_retention_result res[8];
    struct sk_errinfo ei = {""};
    int n = sk_govern_retention_purge(gc->govern, 0, actor, dry_run, res, 8, &ei);

    if (n < 0)
        return sk_cli_fail("audit", n, &ei);
    for (int i = 0; i < n; i++) {
        char before[SK_RFC3339_LEN];
        if (common->json) {
            json_t *o = json_pack("{s:s, s:s, s:b, s:I, s:I, s:s?, s:b}", "class", res[i].class_name,
                                  "table", res[i].table, "skipped", res[i].skipped, "purged",
                                  (json_int_t)res[i].purged, "held", (json_int_t)res[i].held,
                                  "before", res[i].before ? sk_rfc3339(res[i].before, before, sizeof before) : NULL,
                                  "dry_run", dry_run);
            sk_govcli_print_json(o);
            json_decref(o);
        } else if (res[i].skipped) {
            printf("%-10s no table in this store\n", res[i].class_name);
        } else if (!res[i].before) {
            printf("%-10s %-10s kept (no retention limit)\n", res[i].class_name, res[i].table);
        } else {
            printf("%-10s %-10s %s %llu older than %s%s%s\n", res[i].class_name, res[i].table,
                   dry_run ? "would purge" : "purged", (unsigned long long)res[i].purged,
                   sk_rfc3339(res[i].before, before, sizeof before),
                   res[i].held ? ", held back (open cases): " : "",
                   res[i].held ? "yes" : "");
        }
    }
    return SK_EXIT_OK;
}

int sk_cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"pubkey", required_argument, NULL, 'p'}, {"anchor", required_argument, NULL, 'a'},
        {"from", required_argument, NULL, 'F'},   {"to", required_argument, NULL, 'T'},
        {"limit", required_argument, NULL, 'L'},  {"kind", required_argument, NULL, 'K'},
        {"size", required_argument, NULL, 'S'},   {"since", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},    {"dry-run", no_argument, NULL, 'n'},
        {"as", required_argument, NULL, 'u'},     {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},         {"config", required_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {0},
    };
    struct sk_cli_common common = {0};
    const char *anchors[64], *pubarg = NULL, *from = NULL, *to = NULL, *kind = NULL, *out = NULL;
    const char *as = NULL, *db = NULL, *sub;
    size_t nanchors = 0;
    uint64_t limit = 0, size = 0, since = 0;
    int dry_run = 0, c, status, mode;
    struct govcli gc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:c:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'p': pubarg = optarg; break;
        case 'a':
            if (nanchors == 64)
                return sk_cli_usage_error("audit", "at most 64 --anchor files");
            anchors[nanchors++] = optarg;
            break;
        case 'F': from = optarg; break;
        case 'T': to = optarg; break;
        case 'L':
            if (!(limit = (uint64_t)sk_govcli_id(optarg)))
                return sk_cli_usage_error("audit", "--limit: expected a positive number");
            break;
        case 'K': kind = optarg; break;
        case 'S':
            if (!(size = (uint64_t)sk_govcli_id(optarg)))
                return sk_cli_usage_error("audit", "--size: expected a positive number");
            break;
        case 's':
            since = strcmp(optarg, "0") ? (uint64_t)sk_govcli_id(optarg) : 0;
            if (strcmp(optarg, "0") && !since)
                return sk_cli_usage_error("audit", "--since: expected a number");
            break;
        case 'o': out = optarg; break;
        case 'n': dry_run = 1; break;
        case 'u': as = optarg; break;
        case 'd': db = optarg; break;
        case 'j': common.json = 1; break;
        case 'c': common.config = optarg; break;
        case 'q': common.quiet = 1; break;
        case 'h': help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("audit", "unknown option");
        }
    }
    if (optind >= argc)
        return sk_cli_usage_error("audit", "expected a subcommand (verify, log, prove, consistency, check-proof, export, report, purge)");
    sub = argv[optind++];
    if (!strcmp(sub, "check-proof")) {
        if (optind + 1 != argc)
            return sk_cli_usage_error("audit", "check-proof: expected one proof file");
        return cmd_check_proof(argv[optind], pubarg, common.json);
    }
    uint64_t a1 = 0, a2 = 0;
    if (!strcmp(sub, "prove")) {
        if (optind + 1 != argc || !(a1 = (uint64_t)sk_govcli_id(argv[optind])))
            return sk_cli_usage_error("audit", "prove: expected one entry number");
    } else if (!strcmp(sub, "consistency")) {
        if (optind >= argc || optind + 2 < argc || !(a1 = (uint64_t)sk_govcli_id(argv[optind])) ||
            (optind + 2 == argc && !(a2 = (uint64_t)sk_govcli_id(argv[optind + 1]))))
            return sk_cli_usage_error("audit", "consistency: expected M [N], two tree sizes");
    } else if (strcmp(sub, "verify") && strcmp(sub, "log") && strcmp(sub, "export") &&
               strcmp(sub, "report") && strcmp(sub, "purge")) {
        return sk_cli_usage_error("audit", "unknown subcommand '%s'", sub);
    } else if (optind != argc) {
        return sk_cli_usage_error("audit", "unexpected argument '%s'", argv[optind]);
    }
    sk_nstime tfrom = 0, tto = sk_now();
    uint64_t first = 1;
    if (!strcmp(sub, "report")) {
        if (from && sk_govcli_time(from, &tfrom) < 0)
            return sk_cli_usage_error("audit", "--from '%s': expected RFC 3339 time or a date", from);
        if (to && sk_govcli_time(to, &tto) < 0)
            return sk_cli_usage_error("audit", "--to '%s': expected RFC 3339 time or a date", to);
    } else if (from && !(first = (uint64_t)sk_govcli_id(from))) {
        return sk_cli_usage_error("audit", "--from: expected an entry number");
    }
    /* verify and the proofs only read; everything else leaves an entry */
    mode = !strcmp(sub, "verify") || !strcmp(sub, "prove") || !strcmp(sub, "consistency")
               ? SK_AUDIT_READ : SK_AUDIT_WRITE;
    if ((status = sk_govcli_open("audit", &common, db, mode,
                                 !strcmp(sub, "purge") || !strcmp(sub, "verify"), &gc)) != 0)
        return status;
    if (pubarg) {
        uint8_t pub[32];
        if (parse_pubkey(pubarg, pub) < 0) {
            sk_govcli_close(&gc);
            return sk_cli_usage_error("audit", "--pubkey: expected ed25519:<base64>, NAME ed25519:<base64> or a file");
        }
        sk_audit_set_pubkey(gc.audit, pub);
    }
    const char *actor = sk_govcli_actor(as);
    if (!strcmp(sub, "verify"))
        status = cmd_verify(&gc, &common, anchors, nanchors);
    else if (!strcmp(sub, "log"))
        status = cmd_log(&gc, &common, first, limit, kind, actor);
    else if (!strcmp(sub, "prove"))
        status = cmd_prove(&gc, a1, size);
    else if (!strcmp(sub, "consistency"))
        status = cmd_consistency(&gc, a1, a2);
    else if (!strcmp(sub, "export"))
        status = cmd_export(&gc, since, out, actor);
    else if (!strcmp(sub, "report"))
        status = cmd_report(&gc, &common, tfrom, tto, actor);
    else
        status = cmd_purge(&gc, &common, dry_run, actor);
    sk_govcli_close(&gc);
    return status;
}
