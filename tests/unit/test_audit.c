/*
 * test_audit.c — the audit log in a real store: append, seal, verify,
 * proofs, purge, and tampering done directly in SQLite, each of which
 * verification must catch and name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sakimori/audit.h"
#include "sakimori/conf.h"
#include "sakimori/store.h"

struct fx {
    char dir[256], db[300];
    struct sk_conf *conf;
    struct sk_store *st;
    struct sk_audit *a;
};

static int fx_open(struct fx *f)
{
    struct sk_errinfo ei = {""};

    if (sk_store_open(&f->st, f->db, &ei) < 0 ||
        sk_audit_open(&f->a, f->st, f->conf, SK_AUDIT_WRITE, &ei) < 0) {
        fprintf(stderr, "%s\n", ei.msg);
        return -1;
    }
    return 0;
}

static void fx_close(struct fx *f)
{
    sk_audit_close(f->a);
    sk_store_close(f->st);
    f->a = NULL;
    f->st = NULL;
}

static int setup(void **state)
{
    static int n;
    struct fx *f = calloc(1, sizeof *f);
    const char *tmp = getenv("SK_TEST_TMP");
    struct sk_errinfo ei = {""};
    char yaml[600];

    snprintf(f->dir, sizeof f->dir, "%s/audit_%d_%d", tmp ? tmp : "/tmp", (int)getpid(), n++);
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(f->dir, 0700);
    snprintf(f->db, sizeof f->db, "%s/s.db", f->dir);
    snprintf(yaml, sizeof yaml, "audit:\n  key: %s/audit.key\n", f->dir);
    if (sk_conf_load_string(yaml, strlen(yaml), "test.yaml", &f->conf, &ei) < 0 || fx_open(f) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[600];

    fx_close(f);
    sk_conf_free(f->conf);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* n entries in transactions of `batch`, each sealed. */
static void fill(struct fx *f, int n, int batch)
{
    for (int i = 0; i < n;) {
        assert_int_equal(sk_store_begin(f->st), 0);
        for (int j = 0; j < batch && i < n; j++, i++) {
            json_t *d = json_pack("{s:i, s:s}", "i", i, "note", "xyzzy");
            assert_int_equal(sk_audit_append(f->a, "tester", "test.entry", "test/1", d, NULL), 0);
            json_decref(d);
        }
        assert_int_equal(sk_audit_commit(f->a), 0);
    }
}

static void sql(struct fx *f, const char *q)
{
    char *err = NULL;
    int rc = sqlite3_exec(sk_store_db(f->st), q, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", q, err);
}

static int verify(struct fx *f, struct sk_audit_verify *v)
{
    memset(v, 0, sizeof *v);
    return sk_audit_verify(f->a, v);
}

/* --- the log as it should be ------------------------------------------------ */

static void test_append_and_verify(void **state)
{
    struct fx *f = *state;
    struct sk_audit_verify v;
    struct sk_audit_sth h;
    uint64_t n;

    assert_int_equal(verify(f, &v), 0); /* empty */
    fill(f, 1000, 7);
    assert_int_equal(sk_audit_size(f->a, &n), 0);
    assert_int_equal(n, 1000);
    assert_int_equal(verify(f, &v), 0);
    assert_int_equal(v.entries, 1000);
    assert_int_equal(v.sths, (1000 + 6) / 7);
    assert_int_equal(v.first_bad, 0);
    assert_int_equal(sk_audit_latest_sth(f->a, &h), 0);
    assert_int_equal(h.tree_size, 1000);
    uint8_t pub[32];
    assert_int_equal(sk_audit_pubkey(f->a, pub), 0);
    assert_int_equal(sk_audit_sth_check(&h, pub), 0);
    /* the key file is private */
    char key[320];
    struct stat st;
    snprintf(key, sizeof key, "%s/audit.key", f->dir);
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_append_needs_transaction(void **state)
{
    struct fx *f = *state;
    assert_int_equal(sk_audit_append(f->a, "x", "test.entry", "s", NULL, NULL), -SK_ESTATE);
    assert_int_equal(sk_store_begin(f->st), 0);
    assert_int_equal(sk_audit_append(f->a, "x", "Bad Kind", "s", NULL, NULL), -SK_EINVAL);
    assert_int_equal(sk_audit_append(f->a, "x", "k", "quote\"d", NULL, NULL), -SK_EINVAL);
    assert_int_equal(sk_audit_append_text(f->a, "x", "k", "s", "[1]", NULL), -SK_EPARSE);
    sk_store_rollback(f->st);
}

static void test_rollback_leaves_no_trace(void **state)
{
    struct fx *f = *state;
    struct sk_audit_verify v;
    uint64_t seq;

    fill(f, 10, 3);
    assert_int_equal(sk_store_begin(f->st), 0);
    assert_int_equal(sk_audit_append(f->a, "x", "test.entry", "s", NULL, &seq), 0);
    assert_int_equal(seq, 11);
    assert_int_equal(sk_audit_seal(f->a), 0);
    assert_int_equal(sk_store_rollback(f->st), 0);
    fill(f, 2, 2);
    assert_int_equal(verify(f, &v), 0);
    assert_int_equal(v.entries, 12);
}

static void test_reopen_continues(void **state)
{
    struct fx *f = *state;
    struct sk_audit_verify v;

    fill(f, 37, 5);
    fx_close(f);
    assert_int_equal(fx_open(f), 0);
    fill(f, 21, 4);
    assert_int_equal(verify(f, &v), 0);
    assert_int_equal(v.entries, 58);
}

static void test_proofs_from_store(void **state)
{
    struct fx *f = *state;
    uint8_t path[SK_MERKLE_MAX_DEPTH][32], leaf[32], r1[32], r2[32];
    struct sk_audit_sth h;
    size_t len;
    char *text;

    fill(f, 100, 9);
    assert_int_equal(sk_audit_latest_sth(f->a, &h), 0);
    for (uint64_t seq = 1; seq <= 100; seq += 11) {
        assert_int_equal(sk_audit_entry(f->a, seq, &text, leaf), 0);
        assert_non_null(text);
        uint8_t mine[32];
        sk_merkle_leaf_hash(text, strlen(text), mine);
        assert_memory_equal(mine, leaf, 32);
        free(text);
        assert_int_equal(sk_audit_prove_inclusion(f->a, seq, h.tree_size, path, &len), 0);
        assert_int_equal(sk_merkle_verify_inclusion(seq - 1, h.tree_size, leaf,
                                                    (const uint8_t(*)[32])path, len, h.root), 0);
    }
    /* every earlier signed head is extended by the latest */
    for (uint64_t m = 9; m < 100; m += 9) {
        struct sk_audit_sth a;
        assert_int_equal(sk_audit_sth_at_least(f->a, m, &a), 0);
        assert_int_equal(a.tree_size, m);
        assert_int_equal(sk_audit_root_at(f->a, m, r1), 0);
        assert_memory_equal(r1, a.root, 32);
        assert_int_equal(sk_audit_prove_consistency(f->a, m, 100, path, &len), 0);
        assert_int_equal(sk_audit_root_at(f->a, 100, r2), 0);
        assert_int_equal(sk_merkle_verify_consistency(m, 100, a.root, r2,
                                                      (const uint8_t(*)[32])path, len), 0);
    }
}

/* --- tampering, done the way an intruder with the database file would ----- */

static void expect_bad(struct fx *f, uint64_t first, const char *word)
{
    struct sk_audit_verify v;
    assert_int_equal(verify(f, &v), 1);
    if (v.first_bad != first || !strstr(v.problem, word))
        fail_msg("expected entry %llu and '%s', got entry %llu: %s", (unsigned long long)first,
                 word, (unsigned long long)v.first_bad, v.problem);
}

static void test_edit_content(void **state)
{
    struct fx *f = *state;
    fill(f, 50, 5);
    sql(f, "UPDATE audit_log SET entry = CAST(replace(CAST(entry AS TEXT), 'xyzzy', 'plugh') AS BLOB)"
           " WHERE seq = 17");
    expect_bad(f, 17, "edited");
}

static void test_edit_leaf(void **state)
{
    struct fx *f = *state;
    fill(f, 50, 5);
    sql(f, "UPDATE audit_log SET leaf = zeroblob(32) WHERE seq = 33");
    expect_bad(f, 33, "edited");
}

static void test_edit_column(void **state)
{
    struct fx *f = *state;
    fill(f, 50, 5);
    sql(f, "UPDATE audit_log SET kind = 'test.other' WHERE seq = 8");
    expect_bad(f, 8, "column");
}

static void test_delete(void **state)
{
    struct fx *f = *state;
    fill(f, 50, 5);
    sql(f, "DELETE FROM audit_log WHERE seq = 23");
    expect_bad(f, 23, "deleted");
}

static void test_delete_and_renumber(void **state)
{
    struct fx *f = *state;
    fill(f, 50, 5);
    sql(f, "DELETE FROM audit_log WHERE seq = 23;"
           "UPDATE audit_log SET seq = seq + 1000 WHERE seq > 23;"
           "UPDATE audit_log SET seq = seq - 1001 WHERE seq > 1000");
    expect_bad(f, 23, "deleted");
}

static void test_reorder(void **state)
{
    struct fx *f = *state;
    fill(f, 50, 5);
    sql(f, "UPDATE audit_log SET seq = -1 WHERE seq = 30;"
           "UPDATE audit_log SET seq = 30 WHERE seq = 31;"
           "UPDATE audit_log SET seq = 31 WHERE seq = -1");
    expect_bad(f, 30, "reordered");
}

static void test_insert_middle(void **state)
{
    struct fx *f = *state;
    fill(f, 50, 5);
    /* shift 21.. up and slip a row in at 21, copying a real entry */
    sql(f, "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 21;"
           "UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000;"
           "INSERT INTO audit_log SELECT 21, ts_ns, kind, subject, entry, leaf FROM audit_log"
           " WHERE seq = 5");
    struct sk_audit_verify v;
    assert_int_equal(verify(f, &v), 1);
    /* row 21 claims to be entry 5; either way entry 21 is named */
    assert_int_equal(v.first_bad, 21);
}

static void test_insert_crafted_middle(void **state)
{
    struct fx *f = *state;
    char text[512];
    uint8_t leaf[32];
    sqlite3_stmt *st;

    fill(f, 50, 5);
    /* a well-formed entry 21 with its own correct leaf; the rest shifted */
    sql(f, "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 21;"
           "UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000;");
    snprintf(text, sizeof text,
             "{\"seq\":21,\"ts_ns\":1,\"kind\":\"test.entry\",\"subject\":\"test/1\","
             "\"actor\":\"mallory\",\"detail\":{}}");
    sk_merkle_leaf_hash(text, strlen(text), leaf);
    assert_int_equal(sqlite3_prepare_v2(sk_store_db(f->st),
                                        "INSERT INTO audit_log VALUES (21, 1, 'test.entry', 'test/1', ?1, ?2)",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, text, (int)strlen(text), SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, leaf, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    expect_bad(f, 21, "inserted");
}

static void test_insert_with_recomputed_hashes(void **state)
{
    struct fx *f = *state;
    struct sk_audit_verify v;
    char text[512];
    uint8_t leaf[32];

    fill(f, 50, 5);
    /* the careful intruder: a well-formed entry 51 with its correct leaf */
    snprintf(text, sizeof text,
             "{\"seq\":51,\"ts_ns\":1,\"kind\":\"test.entry\",\"subject\":\"test/1\","
             "\"actor\":\"mallory\",\"detail\":{}}");
    sk_merkle_leaf_hash(text, strlen(text), leaf);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(sk_store_db(f->st),
                                        "INSERT INTO audit_log VALUES (51, 1, 'test.entry', 'test/1', ?1, ?2)",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, text, (int)strlen(text), SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, leaf, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    expect_bad(f, 51, "not covered by any signed tree head");
    (void)v;
}

static void test_edit_with_recomputed_leaf(void **state)
{
    struct fx *f = *state;
    struct sk_audit_verify v;
    char *text;
    uint8_t leaf[32];

    fill(f, 50, 5);
    assert_int_equal(sk_audit_entry(f->a, 17, &text, leaf), 0);
    char *p = strstr(text, "xyzzy");
    assert_non_null(p);
    memcpy(p, "plugh", 5);
    sk_merkle_leaf_hash(text, strlen(text), leaf);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(sk_store_db(f->st),
                                        "UPDATE audit_log SET entry = ?1, leaf = ?2 WHERE seq = 17",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, text, (int)strlen(text), SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, leaf, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    free(text);
    /* only the signed tree head of size 20 can tell: the range is 16..20 */
    assert_int_equal(verify(f, &v), 1);
    assert_int_equal(v.first_bad, 16);
    assert_int_equal(v.bad_last, 20);
    assert_non_null(strstr(v.problem, "tree head signed at size 20"));
}

static void test_forged_tree_head(void **state)
{
    struct fx *f = *state;
    fill(f, 50, 5);
    sql(f, "UPDATE audit_sth SET root = zeroblob(32) WHERE tree_size = 25");
    expect_bad(f, 21, "signature");
}

static void test_truncation_needs_anchor(void **state)
{
    struct fx *f = *state;
    struct sk_audit_verify v;
    struct sk_audit_sth h;
    struct sk_audit_anchor anchor;

    fill(f, 50, 5);
    assert_int_equal(sk_audit_latest_sth(f->a, &h), 0);
    anchor.tree_size = h.tree_size;
    memcpy(anchor.root, h.root, 32);
    /* drop the last 5 entries with their tree head, and fix up the head */
    sql(f, "DELETE FROM audit_log WHERE seq > 45; DELETE FROM audit_sth WHERE tree_size > 45;");
    {
        struct sk_merkle_frontier fr;
        uint8_t fb[SK_MERKLE_MAX_DEPTH * 32];
        sqlite3_stmt *st;
        sk_merkle_frontier_init(&fr);
        assert_int_equal(sqlite3_prepare_v2(sk_store_db(f->st), "SELECT leaf FROM audit_log ORDER BY seq",
                                            -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW)
            sk_merkle_frontier_push(&fr, sqlite3_column_blob(st, 0));
        sqlite3_finalize(st);
        size_t n = sk_merkle_frontier_bytes(&fr, fb, sizeof fb);
        assert_int_equal(sqlite3_prepare_v2(sk_store_db(f->st),
                                            "UPDATE audit_head SET tree_size = 45, frontier = ?1", -1,
                                            &st, NULL), SQLITE_OK);
        sqlite3_bind_blob(st, 1, fb, (int)n, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
    /* the store alone cannot know... */
    assert_int_equal(verify(f, &v), 0);
    /* ...the exported tree head can */
    memset(&v, 0, sizeof v);
    v.anchors = &anchor;
    v.nanchors = 1;
    assert_int_equal(sk_audit_verify(f->a, &v), 1);
    assert_int_equal(v.first_bad, 46);
    assert_non_null(strstr(v.problem, "anchored"));
}

static void test_deleted_tree_heads(void **state)
{
    struct fx *f = *state;
    fill(f, 50, 5);
    sql(f, "DELETE FROM audit_sth WHERE tree_size > 40");
    expect_bad(f, 41, "not covered");
}

static void test_purge(void **state)
{
    struct fx *f = *state;
    struct sk_audit_verify v;
    uint64_t first, last, n, cut;
    sqlite3_stmt *st;

    fill(f, 30, 5);
    assert_int_equal(sqlite3_prepare_v2(sk_store_db(f->st),
                                        "SELECT ts_ns FROM audit_log WHERE seq = 13", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    cut = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    /* a content removal no purge covers is tampering */
    sql(f, "UPDATE audit_log SET entry = NULL WHERE seq = 3");
    expect_bad(f, 3, "no retention purge");
    sql(f, "UPDATE audit_log SET entry = entry WHERE 0");
    fx_close(f);
    /* rebuild the store cleanly and purge properly */
    char p[1000];
    snprintf(p, sizeof p, "rm -f '%s' '%s-wal' '%s-shm'", f->db, f->db, f->db);
    assert_int_equal(system(p), 0);
    assert_int_equal(fx_open(f), 0);
    fill(f, 30, 5);
    assert_int_equal(sqlite3_prepare_v2(sk_store_db(f->st),
                                        "SELECT ts_ns FROM audit_log WHERE seq = 13", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    cut = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    assert_int_equal(sk_store_begin(f->st), 0);
    assert_int_equal(sk_audit_purge_before(f->a, cut, &first, &last, &n), 0);
    assert_int_equal(first, 1);
    assert_int_equal(last, 12);
    assert_int_equal(n, 12);
    json_t *d = json_pack("{s:s, s:I, s:I}", "class", "audit", "audit_first", (json_int_t)first,
                          "audit_last", (json_int_t)last);
    assert_int_equal(sk_audit_append(f->a, "tester", "retention.purge", "retention/audit", d, NULL), 0);
    json_decref(d);
    assert_int_equal(sk_audit_commit(f->a), 0);
    assert_int_equal(verify(f, &v), 0);
    assert_int_equal(v.purged, 12);
    assert_int_equal(v.entries, 31);
    /* purged entries still have inclusion proofs */
    uint8_t path[SK_MERKLE_MAX_DEPTH][32], leaf[32];
    char *text;
    size_t len;
    struct sk_audit_sth h;
    assert_int_equal(sk_audit_entry(f->a, 5, &text, leaf), 0);
    assert_null(text);
    assert_int_equal(sk_audit_latest_sth(f->a, &h), 0);
    assert_int_equal(sk_audit_prove_inclusion(f->a, 5, h.tree_size, path, &len), 0);
    assert_int_equal(sk_merkle_verify_inclusion(4, h.tree_size, leaf, (const uint8_t(*)[32])path,
                                                len, h.root), 0);
    /* emptying one more entry than the purge covered is caught */
    sql(f, "UPDATE audit_log SET entry = NULL WHERE seq = 13");
    expect_bad(f, 13, "no retention purge");
}

static void test_read_only_needs_no_secret(void **state)
{
    struct fx *f = *state;
    struct sk_audit *ro = NULL;
    struct sk_audit_verify v;
    struct sk_errinfo ei = {""};
    char key[320];

    fill(f, 12, 4);
    /* the auditor has only the public half */
    snprintf(key, sizeof key, "%s/audit.key", f->dir);
    assert_int_equal(chmod(key, 0000), 0);
    assert_int_equal(sk_audit_open(&ro, f->st, f->conf, SK_AUDIT_READ, &ei), 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(sk_audit_verify(ro, &v), 0);
    assert_int_equal(v.entries, 12);
    assert_int_equal(sk_store_begin(f->st), 0);
    assert_int_equal(sk_audit_append(ro, "x", "test.entry", "s", NULL, NULL), 0);
    assert_int_equal(sk_audit_seal(ro), -SK_EINVAL); /* cannot sign */
    sk_store_rollback(f->st);
    sk_audit_close(ro);
    chmod(key, 0600);
    /* another key's tree heads do not verify */
    uint8_t other[32];
    memset(other, 7, sizeof other);
    sk_audit_set_pubkey(f->a, other);
    assert_int_equal(verify(f, &v), 1);
    assert_int_equal(v.first_bad, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_and_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_needs_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_leaves_no_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_continues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proofs_from_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_leaf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_and_renumber, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reorder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_crafted_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_with_recomputed_hashes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_with_recomputed_leaf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_tree_head, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncation_needs_anchor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_tree_heads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_needs_no_secret, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
