/*
 * test_conf.c — YAML configuration: defaults, overlay, and errors that name
 * file:line:column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/conf.h"
#include "sakimori/log.h"
#include "sakimori/nstime.h"

static struct sk_conf *load(const char *yaml, struct sk_errinfo *ei, int *rc)
{
    struct sk_conf *c = NULL;
    *rc = sk_conf_load_string(yaml, strlen(yaml), "t.yaml", &c, ei);
    return c;
}

static void expect_error(const char *yaml, const char *want)
{
    struct sk_errinfo ei = {""};
    int rc;
    struct sk_conf *c = load(yaml, &ei, &rc);
    assert_null(c);
    assert_int_equal(rc, -SK_ECONF);
    if (!strstr(ei.msg, want))
        fail_msg("error '%s' does not contain '%s'", ei.msg, want);
}

static void test_defaults(void **state)
{
    struct sk_conf c;
    sk_conf_defaults(&c);
    assert_int_equal(c.flow.idle_timeout, 60 * SK_NS_PER_SEC);
    assert_int_equal(c.flow.max_flows, 1000000);
    assert_string_equal(c.store.path, "./sakimori.db");
    assert_int_equal(c.log.level, SK_LOG_INFO);
    sk_arena_free(&c.arena);
}

static void test_overlay(void **state)
{
    struct sk_errinfo ei = {""};
    int rc;
    struct sk_conf *c = load("log:\n  level: debug\n  json: true\n"
                             "flow:\n  idle_timeout: 90s\n  max_flows: 5000\n"
                             "store: {path: /tmp/x.db}\n"
                             "intel:\n  lists: [a.txt, \"b c.txt\"]\n"
                             "privacy:\n  domestic: [192.0.2.0/24, '2001:db8::/32']\n",
                             &ei, &rc);
    assert_non_null(c);
    assert_int_equal(c->log.level, SK_LOG_DEBUG);
    assert_int_equal(c->log.json, 1);
    assert_int_equal(c->flow.idle_timeout, 90 * SK_NS_PER_SEC);
    assert_int_equal(c->flow.active_timeout, 1800 * SK_NS_PER_SEC); /* default kept */
    assert_int_equal(c->flow.max_flows, 5000);
    assert_string_equal(c->store.path, "/tmp/x.db");
    assert_int_equal(c->intel.lists.n, 2);
    assert_string_equal(c->intel.lists.v[1], "b c.txt");
    assert_int_equal(c->privacy.domestic.n, 2);
    assert_int_equal(c->privacy.domestic.v[1].len, 32);
    assert_string_equal(c->path, "t.yaml");
    sk_conf_free(c);
}

static void test_empty_is_defaults(void **state)
{
    struct sk_errinfo ei = {""};
    int rc;
    struct sk_conf *c = load("", &ei, &rc);
    assert_non_null(c);
    assert_int_equal(c->flow.max_flows, 1000000);
    sk_conf_free(c);
}

static void test_errors(void **state)
{
    expect_error("flow:\n  idle_timout: 30s\n", "t.yaml:2:3: unknown key 'idle_timout' in 'flow'");
    expect_error("flow:\n  idle_timeout: soon\n", "t.yaml:2:17: 'flow.idle_timeout': expected a duration");
    expect_error("flow:\n  max_flows: 10\n", "t.yaml:2:14: 'flow.max_flows': expected an integer in [1024, 100000000]");
    expect_error("flow:\n  max_flows: [1]\n", "t.yaml:2:3: 'flow.max_flows': expected an integer");
    expect_error("log:\n  level: loud\n", "t.yaml:2:10: 'log.level': expected one of debug, info, warn, error, off");
    expect_error("log:\n  json: maybe\n", "'log.json': expected true or false");
    expect_error("logs: {}\n", "t.yaml:1:1: unknown key 'logs' in the top level");
    expect_error("flow: 3\n", "'flow': expected a mapping");
    expect_error("- a\n- b\n", "the top level must be a mapping");
    expect_error("flow:\n  idle_timeout: [\n", "t.yaml:");
    expect_error("privacy:\n  domestic: [10.0.0.1/8]\n", "host bits set");
    expect_error("privacy:\n  domestic: [10.0.0.0/40]\n", "is not an IP prefix");
    expect_error("flow:\n  idle_timeout:\n", "missing value");
    /* bytes YAML does not admit are refused with their position */
    static const char nul[] = "flow:\n  max_flows: 1\0002\n";
    struct sk_errinfo ei = {""};
    struct sk_conf *c = NULL;
    assert_int_equal(sk_conf_load_string(nul, sizeof nul - 1, "t.yaml", &c, &ei), -SK_ECONF);
    assert_non_null(strstr(ei.msg, "t.yaml:2:15: control character 0x00"));
    expect_error("log:\n  level: \xff\n", "t.yaml:2:10: invalid UTF-8");
    expect_error("node:\n  name: \xe6\x97\n", "t.yaml:2:9: invalid UTF-8 sequence");
    assert_int_equal(sk_conf_load_string("node:\n  name: \xe9\x98\xb2\xe4\xba\xba\n", 21, "t.yaml", &c, &ei), 0);
    assert_string_equal(c->node.name, "\xe9\x98\xb2\xe4\xba\xba");
    sk_conf_free(c);
}

static void test_file_errors(void **state)
{
    struct sk_errinfo ei = {""};
    struct sk_conf *c = NULL;
    assert_int_equal(sk_conf_load("/nonexistent/sakimori.yaml", &c, &ei), -2 /* -ENOENT */);
    assert_non_null(strstr(ei.msg, "/nonexistent/sakimori.yaml"));

    char path[] = "/tmp/sk_conf_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("node:\n  name: osaka-1\n  role: hub\n  colour: red\n", f);
    fclose(f);
    assert_int_equal(sk_conf_load(path, &c, &ei), -SK_ECONF);
    char want[256];
    snprintf(want, sizeof want, "%s:4:3: unknown key 'colour'", path);
    assert_non_null(strstr(ei.msg, want));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults), cmocka_unit_test(test_overlay),
        cmocka_unit_test(test_empty_is_defaults), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
