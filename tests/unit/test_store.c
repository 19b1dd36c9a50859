/*
 * test_store.c — WAL mode, migrations, transactions, findings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/addr.h"
#include "sakimori/store.h"

static char dbpath[64];

static int setup(void **state)
{
    snprintf(dbpath, sizeof dbpath, "/tmp/sk_store_%d.db", (int)getpid());
    unlink(dbpath);
    return 0;
}

static int teardown(void **state)
{
    char p[80];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static struct sk_finding sample(int i)
{
    struct sk_finding f;
    memset(&f, 0, sizeof f);
    f.type = SK_FINDING_SIGHTING;
    f.proto = 6;
    sk_addr_parse("10.0.0.1", &f.src);
    sk_addr_parse("203.0.113.66", &f.dst);
    f.sport = (uint16_t)(40000 + i);
    f.dport = 443;
    f.ts_first = 1000;
    f.ts_last = 2000;
    f.indicator.value = "203.0.113.66";
    f.indicator.type = "ipv4";
    f.indicator.source = "test";
    f.count = 10;
    return f;
}

static void test_open_migrate(void **state)
{
    struct sk_store *s;
    struct sk_errinfo ei = {""};

    assert_int_equal(sk_store_open(&s, dbpath, &ei), 0);
    assert_int_equal(sk_store_schema_version(s), sk_store_schema_latest());
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(sk_store_db(s), "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sk_store_close(s);
    /* reopening does not migrate again */
    assert_int_equal(sk_store_open(&s, dbpath, &ei), 0);
    assert_int_equal(sk_store_schema_version(s), sk_store_schema_latest());
    sk_store_close(s);
}

static void test_newer_schema_refused(void **state)
{
    struct sk_store *s;
    struct sk_errinfo ei = {""};
    sqlite3 *db;

    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 9999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(sk_store_open(&s, dbpath, &ei), -SK_EUNSUP);
    assert_non_null(strstr(ei.msg, "newer"));
}

static void test_transactions(void **state)
{
    struct sk_store *s;
    struct sk_errinfo ei = {""};
    int64_t run;

    assert_int_equal(sk_store_open(&s, dbpath, &ei), 0);
    /* rolled back: nothing lands */
    assert_int_equal(sk_store_begin(s), 0);
    assert_int_equal(sk_store_run_begin(s, "scan", "a.pcap", &run), 0);
    for (int i = 0; i < 5; i++) {
        struct sk_finding f = sample(i);
        assert_int_equal(sk_store_add_finding(s, run, &f), 0);
    }
    assert_int_equal(sk_store_count(s, "findings"), 5);
    assert_int_equal(sk_store_rollback(s), 0);
    assert_int_equal(sk_store_count(s, "findings"), 0);
    assert_int_equal(sk_store_count(s, "runs"), 0);
    /* committed: everything lands */
    assert_int_equal(sk_store_begin(s), 0);
    assert_int_equal(sk_store_begin(s), -SK_ESTATE); /* no nesting */
    assert_int_equal(sk_store_run_begin(s, "scan", "a.pcap", &run), 0);
    struct sk_finding f = sample(1);
    f.type = SK_FINDING_DETECTION;
    f.analyzer = "beacon";
    f.score = 0.93;
    f.evidence_json = "{\"n\":12}";
    assert_int_equal(sk_store_add_finding(s, run, &f), 0);
    assert_int_equal(sk_store_run_end(s, run, 100, 1), 0);
    assert_int_equal(sk_store_commit(s), 0);
    assert_int_equal(sk_store_count(s, "findings"), 1);
    assert_int_equal(sk_store_count(s, "sqlite_master"), -SK_EINVAL);
    sk_store_close(s);

    /* what landed is what was written */
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT type, src_ip, dst_ip, dst_port, analyzer, score, evidence, ind_value FROM findings", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "detection");
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "10.0.0.1");
    assert_string_equal((const char *)sqlite3_column_text(st, 2), "203.0.113.66");
    assert_int_equal(sqlite3_column_int(st, 3), 443);
    assert_string_equal((const char *)sqlite3_column_text(st, 4), "beacon");
    assert_true(sqlite3_column_double(st, 5) > 0.92);
    assert_string_equal((const char *)sqlite3_column_text(st, 6), "{\"n\":12}");
    assert_string_equal((const char *)sqlite3_column_text(st, 7), "203.0.113.66");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_open_errors(void **state)
{
    struct sk_store *s;
    struct sk_errinfo ei = {""};
    assert_true(sk_store_open(&s, "/nonexistent/dir/x.db", &ei) < 0);
    assert_non_null(strstr(ei.msg, "/nonexistent/dir/x.db"));
    FILE *f = fopen(dbpath, "w");
    fputs("this is not a database, just text that is long enough to look like one..........", f);
    fclose(f);
    assert_true(sk_store_open(&s, dbpath, &ei) < 0);
    assert_non_null(strstr(ei.msg, dbpath));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_migrate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
