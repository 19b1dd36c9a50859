/*
 * test_logsrc.c — the EVE and Zeek mappings line by line: every DNS log
 * layout (EVE v1, v2, v3, grouped; Zeek answers and TTLs), ICMP, netflow
 * events, Zeek TSV headers, escapes and unset fields, and the malformed
 * lines that must be refused with what was expected. Also the text
 * conversions under them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sakimori/addr.h"
#include "sakimori/event.h"
#include "sense/logsrc.h"
#include "sense/textconv.h"

static void *scratch;

static int eve(const char *text, struct sk_event *ev, const char **why)
{
    static char line[8192];
    size_t where;
    snprintf(line, sizeof line, "%s", text);
    return sk__eve_line(line, strlen(line), ev, scratch, why, &where);
}

static struct sk_addr A(const char *s)
{
    struct sk_addr a;
    assert_int_equal(sk_addr_parse(s, &a), 0);
    return a;
}

#define TS "\"timestamp\":\"2024-03-01T10:00:00.5+0100\""
#define EP "\"src_ip\":\"192.0.2.1\",\"src_port\":1234,\"dest_ip\":\"2001:db8::53\",\"dest_port\":53,\"proto\":\"UDP\""

static void test_eve_dns_layouts(void **state)
{
    struct sk_event ev;
    const char *why = NULL;

    /* v1 query */
    assert_int_equal(eve("{" TS ",\"event_type\":\"dns\"," EP ",\"dns\":{\"type\":\"query\",\"id\":7,"
                         "\"rrname\":\"a.example\",\"rrtype\":\"AAAA\"}}", &ev, &why), 1);
    assert_int_equal(ev.kind, SK_EVENT_DNS);
    assert_string_equal(ev.u.dns.qname, "a.example");
    assert_int_equal(ev.u.dns.qtype, 28);
    assert_false(ev.u.dns.is_response);
    assert_int_equal(ev.ts, 1709283600500000000ULL);
    struct sk_addr d = A("2001:db8::53");
    assert_true(sk_addr_eq(&ev.dst, &d));
    assert_int_equal(ev.proto, 17);
    /* v1 answer: the line is one record */
    assert_int_equal(eve("{" TS ",\"event_type\":\"dns\"," EP ",\"dns\":{\"type\":\"answer\",\"id\":7,"
                         "\"rcode\":\"NXDOMAIN\",\"rrname\":\"a.example\",\"rrtype\":\"A\",\"ttl\":30,"
                         "\"rdata\":\"203.0.113.9\"}}", &ev, &why), 1);
    assert_true(ev.u.dns.is_response);
    assert_int_equal(ev.u.dns.rcode, 3);
    assert_int_equal(ev.u.dns.n_answers, 1);
    struct sk_addr ans = A("203.0.113.9");
    assert_true(sk_addr_eq(&ev.u.dns.answers[0].addr, &ans));
    assert_int_equal(ev.u.dns.answers[0].ttl, 30);
    /* v2 with answers and grouped: answers win, MX preference split */
    assert_int_equal(eve("{" TS ",\"event_type\":\"dns\"," EP ",\"dns\":{\"version\":2,\"type\":\"answer\","
                         "\"rrname\":\"m.example\",\"rrtype\":\"MX\",\"grouped\":{\"MX\":[\"x\"]},"
                         "\"answers\":[{\"rrname\":\"m.example\",\"rrtype\":\"MX\",\"ttl\":5,"
                         "\"rdata\":\"10 mx.example\"},{\"rrname\":\"mx.example\",\"rrtype\":\"CNAME\","
                         "\"ttl\":6,\"rdata\":\"mail.example\"}]}}", &ev, &why), 1);
    assert_int_equal(ev.u.dns.n_answers, 2);
    assert_int_equal(ev.u.dns.answers[0].type, 15);
    assert_int_equal(ev.u.dns.answers[0].pref, 10);
    assert_string_equal(ev.u.dns.answers[0].data, "mx.example");
    assert_string_equal(ev.u.dns.answers[1].data, "mail.example");
    /* grouped only */
    assert_int_equal(eve("{" TS ",\"event_type\":\"dns\"," EP ",\"dns\":{\"version\":2,\"type\":\"answer\","
                         "\"rrname\":\"g.example\",\"rrtype\":\"A\",\"grouped\":{\"A\":[\"192.0.2.7\","
                         "\"192.0.2.8\"]}}}", &ev, &why), 1);
    assert_int_equal(ev.u.dns.n_answers, 2);
    struct sk_addr g2 = A("192.0.2.8");
    assert_true(sk_addr_eq(&ev.u.dns.answers[1].addr, &g2));
    /* v3: queries array, "response" */
    assert_int_equal(eve("{" TS ",\"event_type\":\"dns\"," EP ",\"dns\":{\"version\":3,\"type\":\"response\","
                         "\"rcode\":\"SERVFAIL\",\"queries\":[{\"rrname\":\"q.example\",\"rrtype\":\"TYPE65\"},"
                         "{\"rrname\":\"other\"}],\"answers\":[]}}", &ev, &why), 1);
    assert_string_equal(ev.u.dns.qname, "q.example");
    assert_int_equal(ev.u.dns.qtype, 65);
    assert_int_equal(ev.u.dns.rcode, 2);
    assert_true(ev.u.dns.is_response);
}

static void test_eve_other_events(void **state)
{
    struct sk_event ev;
    const char *why = NULL;

    /* ICMPv6 flow: type and code in the ports; times from flow.start/end */
    assert_int_equal(eve("{" TS ",\"event_type\":\"flow\",\"src_ip\":\"2001:db8::1\",\"dest_ip\":"
                         "\"2001:db8::2\",\"proto\":\"IPv6-ICMP\",\"icmp_type\":135,\"icmp_code\":0,"
                         "\"flow\":{\"pkts_toserver\":2,\"bytes_toserver\":144,\"start\":"
                         "\"2024-03-01T09:00:00Z\",\"end\":\"2024-03-01T09:00:01.25Z\"}}", &ev, &why), 1);
    assert_int_equal(ev.proto, 58);
    assert_int_equal(ev.sport, 135);
    assert_int_equal(ev.ts, 1709283600000000000ULL);
    assert_int_equal(ev.ts_end - ev.ts, 1250000000ULL);
    assert_int_equal(ev.u.flow.end_reason, SK_FLOW_END_EXPORTED);
    /* netflow event: one direction */
    assert_int_equal(eve("{" TS ",\"event_type\":\"netflow\"," EP ",\"netflow\":{\"pkts\":3,"
                         "\"bytes\":180,\"start\":\"2024-03-01T09:00:00Z\"}}", &ev, &why), 1);
    assert_int_equal(ev.u.flow.pkts_out, 3);
    assert_int_equal(ev.u.flow.bytes_out, 180);
    /* tls: fingerprint without colons, lower case */
    assert_int_equal(eve("{" TS ",\"event_type\":\"tls\"," EP ",\"tls\":{\"sni\":\"s.example\","
                         "\"version\":\"TLS 1.3\",\"fingerprint\":\"AB:CD:EF\",\"ja3\":{\"hash\":\"x\"},"
                         "\"ja4\":\"t13d\",\"client_alpns\":[\"h2\"]}}", &ev, &why), 1);
    assert_string_equal(ev.u.tls.cert_sha1, "abcdef");
    assert_int_equal(ev.u.tls.server_version, 0x0304);
    assert_string_equal(ev.u.tls.alpn, "h2");
    assert_string_equal(ev.u.tls.ja4, "t13d");
    /* alert: all rule fields */
    assert_int_equal(eve("{" TS ",\"event_type\":\"alert\"," EP ",\"alert\":{\"action\":\"blocked\","
                         "\"gid\":1,\"signature_id\":9,\"rev\":2,\"signature\":\"S \\u00e9\","
                         "\"category\":\"C\",\"severity\":1}}", &ev, &why), 1);
    assert_int_equal(ev.u.alert.sid, 9);
    assert_int_equal(ev.u.alert.rev, 2);
    assert_string_equal(ev.u.alert.action, "blocked");
    assert_string_equal(ev.u.alert.signature, "S \xc3\xa9");
    /* other event types are skipped, not malformed */
    assert_int_equal(eve("{\"event_type\":\"stats\",\"stats\":{}}", &ev, &why), 0);
    /* malformed: says what was expected */
    assert_int_equal(eve("{\"event_type\":\"flow\"}", &ev, &why), -1);
    assert_non_null(strstr(why, "timestamp"));
    assert_int_equal(eve("{" TS ",\"event_type\":\"dns\",\"src_ip\":\"1.2.3\"}", &ev, &why), -1);
    assert_non_null(strstr(why, "src_ip"));
    assert_int_equal(eve("{" TS "}", &ev, &why), -1);
    assert_non_null(strstr(why, "event_type"));
    assert_int_equal(eve("[1]", &ev, &why), -1);
    assert_int_equal(eve("{\"event_type\":\"flow\",}", &ev, &why), -1);
}

static int zeek(void *st, const char *text, struct sk_event *ev, const char **why)
{
    static char line[8192];
    size_t where;
    snprintf(line, sizeof line, "%s", text);
    return sk__zeek_line(st, line, strlen(line), ev, why, &where);
}

static void test_zeek_tsv(void **state)
{
    void *st = malloc(sk__zeek_state_size());
    struct sk_event ev;
    const char *why = NULL;

    sk__zeek_state_init(st, "logs/current/whatever.log");
    /* a record before any header cannot be read */
    assert_int_equal(zeek(st, "1.0\tC1", &ev, &why), -1);
    assert_non_null(strstr(why, "#fields"));
    assert_int_equal(zeek(st, "#separator \\x09", &ev, &why), 0);
    assert_int_equal(zeek(st, "#set_separator\t;", &ev, &why), 0);
    assert_int_equal(zeek(st, "#empty_field\t(none)", &ev, &why), 0);
    assert_int_equal(zeek(st, "#unset_field\t-", &ev, &why), 0);
    assert_int_equal(zeek(st, "#path\tdns", &ev, &why), 0);
    assert_int_equal(zeek(st, "#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tquery\tqtype"
                              "\trcode\tanswers\tTTLs\textra", &ev, &why), 0);
    assert_int_equal(zeek(st, "1700000000.25\t10.0.0.1\t5353\t10.0.0.53\t53\tx\\x09y.example\t1\t0"
                              "\tcdn.example;192.0.2.1\t60.0;5.9\tz", &ev, &why), 1);
    assert_int_equal(ev.kind, SK_EVENT_DNS);
    assert_string_equal(ev.u.dns.qname, "x\ty.example");
    assert_int_equal(ev.u.dns.n_answers, 2);
    assert_int_equal(ev.u.dns.answers[0].type, 5);
    assert_string_equal(ev.u.dns.answers[0].data, "cdn.example");
    assert_int_equal(ev.u.dns.answers[1].type, 1);
    assert_int_equal(ev.u.dns.answers[1].ttl, 5);
    assert_int_equal(ev.ts, 1700000000250000000ULL);
    assert_int_equal(ev.proto, 17);
    /* unset rcode: a query without a reply; the empty marker is an empty name */
    assert_int_equal(zeek(st, "1700000001\t10.0.0.1\t5353\t10.0.0.53\t53\t(none)\t15\t-\t-\t-\tz",
                          &ev, &why), 1);
    assert_false(ev.u.dns.is_response);
    assert_string_equal(ev.u.dns.qname, "");
    /* column count must match */
    assert_int_equal(zeek(st, "1700000001\t10.0.0.1", &ev, &why), -1);
    assert_int_equal(zeek(st, "1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\t12", &ev, &why), -1);
    /* a new header block switches the log: conn */
    assert_int_equal(zeek(st, "#path\tconn", &ev, &why), 0);
    assert_int_equal(zeek(st, "#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration"
                              "\tconn_state\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes",
                          &ev, &why), 0);
    assert_int_equal(zeek(st, "1700000000.5\t10.0.0.1\t40000\t198.51.100.1\t443\ttcp\t1.5\tRSTO"
                              "\tShAdDaR\t7\t900\t5\t4000", &ev, &why), 1);
    assert_int_equal(ev.kind, SK_EVENT_FLOW);
    assert_int_equal(ev.ts_end - ev.ts, 1500000000ULL);
    assert_int_equal(ev.u.flow.tcp_flags_out, 0x02 | 0x10 | 0x04); /* S A D R */
    assert_int_equal(ev.u.flow.tcp_flags_in, 0x12 | 0x10);        /* h a d */
    assert_int_equal(ev.u.flow.tcp_state, 7);
    assert_int_equal(ev.u.flow.bytes_in, 4000);
    /* bad time, bad address */
    assert_int_equal(zeek(st, "yesterday\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\t-\t-\t-\t-\t-\t-\t-", &ev, &why), -1);
    assert_non_null(strstr(why, "ts"));
    assert_int_equal(zeek(st, "1.0\t10.0.0\t1\t10.0.0.2\t2\ttcp\t-\t-\t-\t-\t-\t-\t-", &ev, &why), -1);
    free(st);
}

static void test_zeek_json(void **state)
{
    void *st = malloc(sk__zeek_state_size());
    struct sk_event ev;
    const char *why = NULL;

    sk__zeek_state_init(st, "ssl.log.gz"); /* the file name says ssl */
    assert_int_equal(zeek(st, "  {\"ts\":\"2024-03-01T10:00:00.000001Z\",\"id.orig_h\":\"192.0.2.1\","
                              "\"id.orig_p\":5,\"id.resp_h\":\"192.0.2.2\",\"id.resp_p\":443,"
                              "\"version\":\"TLSv12\",\"server_name\":\"s.example\",\"next_protocol\":\"h2\","
                              "\"cert_chain_fps\":[\"aa\",\"bb\"],\"ja3\":\"j\"}", &ev, &why), 1);
    assert_int_equal(ev.kind, SK_EVENT_TLS);
    assert_string_equal(ev.u.tls.sni, "s.example");
    assert_string_equal(ev.u.tls.cert_sha256, "aa");
    assert_int_equal(ev.u.tls.server_version, 0x0303);
    assert_int_equal(ev.ts, 1709287200000001000ULL);
    /* _path wins over the file name; numbers in vectors */
    assert_int_equal(zeek(st, "{\"_path\":\"dns\",\"ts\":1.5,\"id.orig_h\":\"192.0.2.1\",\"id.orig_p\":5,"
                              "\"id.resp_h\":\"192.0.2.2\",\"id.resp_p\":53,\"query\":\"q\",\"qtype\":16,"
                              "\"rcode\":0,\"answers\":[\"TXT 3 abc\"],\"TTLs\":[42.0]}", &ev, &why), 1);
    assert_int_equal(ev.kind, SK_EVENT_DNS);
    assert_int_equal(ev.u.dns.answers[0].type, 16);
    assert_int_equal(ev.u.dns.answers[0].ttl, 42);
    assert_int_equal(ev.ts, 1500000000ULL);
    /* without _path and with an unhelpful file name: the members decide */
    sk__zeek_state_init(st, NULL);
    assert_int_equal(zeek(st, "{\"ts\":1,\"id.orig_h\":\"192.0.2.1\",\"id.resp_h\":\"192.0.2.2\","
                              "\"method\":\"GET\",\"host\":\"h\",\"uri\":\"/\",\"status_code\":301}",
                          &ev, &why), 1);
    assert_int_equal(ev.kind, SK_EVENT_HTTP);
    assert_int_equal(ev.u.http.status, 301);
    assert_int_equal(zeek(st, "{\"ts\":1,\"fuid\":\"F\"}", &ev, &why), 0); /* files.log: skipped */
    assert_int_equal(zeek(st, "{\"ts\":1,", &ev, &why), -1);
    free(st);
}

static void test_textconv(void **state)
{
    sk_nstime t;
    uint64_t ns;
    struct sk_addr a;

    assert_int_equal(sk_tc_isotime("2021-06-06T15:57:37.272281+0200", 31, &t), 0);
    assert_int_equal(t, 1622987857272281000ULL);
    assert_int_equal(sk_tc_isotime("2021-06-06 13:57:37Z", 20, &t), 0);
    assert_int_equal(t, 1622987857000000000ULL);
    assert_int_equal(sk_tc_isotime("2021-06-06T15:57:37-01:30", 25, &t), 0);
    assert_int_equal(t, 1623000457000000000ULL); /* 17:27:37Z */
    assert_true(sk_tc_isotime("2021-13-06T15:57:37Z", 20, &t) < 0);
    assert_true(sk_tc_isotime("2021-06-06T15:57:37+02:00x", 26, &t) < 0);
    assert_int_equal(sk_tc_epoch("1320279566.452687", 17, &t), 0);
    assert_int_equal(t, 1320279566452687000ULL);
    assert_int_equal(sk_tc_seconds("0.09628199999999865", 19, &ns), 0);
    assert_int_equal(ns, 96282000); /* rounded to the nearest ns */
    assert_true(sk_tc_epoch("-1", 2, &t) < 0);
    assert_true(sk_tc_epoch("1.2.3", 5, &t) < 0);
    assert_int_equal(sk_tc_addr("192.0.2.255", 11, &a), 0);
    assert_int_equal(a.family, SK_AF_INET);
    assert_true(sk_tc_addr("192.0.2.256", 11, &a) < 0);
    assert_true(sk_tc_addr("192.0.02.1", 10, &a) < 0);
    assert_int_equal(sk_tc_addr("::ffff:192.0.2.1", 16, &a), 0);
    assert_int_equal(sk_tc_addr("fe80::1", 7, &a), 0);
    assert_int_equal(a.family, SK_AF_INET6);
}

int main(void)
{
    scratch = malloc(sk__eve_scratch_size());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eve_dns_layouts),
        cmocka_unit_test(test_eve_other_events),
        cmocka_unit_test(test_zeek_tsv),
        cmocka_unit_test(test_zeek_json),
        cmocka_unit_test(test_textconv),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(scratch);
    return rc;
}
