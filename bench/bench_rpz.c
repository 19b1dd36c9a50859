/*
 * bench_rpz.c — update-to-enforcement latency of the rpz action on real
 * Unbound and BIND resolvers whose policy already holds N names (driven by
 * bench_rpz.sh, which starts the resolvers).
 *
 *   bench_rpz populate CONFIG N          N sinkholed names into the store, and
 *                                        the base zone file made from them
 *   bench_rpz latency CONFIG K           K applies; per resolver: time from the
 *                                        start of apply to the first answer
 *                                        carrying the sinkhole; meanwhile a
 *                                        client asks each resolver an unrelated
 *                                        name every 10 ms (answering during
 *                                        update: longest gap, failures)
 *   bench_rpz peer-bind CONFIG KEYFILE K the same through nsupdate straight into
 *                                        the big base zone (the usual way)
 *   bench_rpz peer-unbound CONFIG UBCONF  add one name to the base file and
 *                                        auth_zone_reload it (the usual way)
 *   bench_rpz watch PORT BASE HOT SECS   from now (a restart was just issued):
 *                                        first answer, when a base name and a
 *                                        delta name carry the sinkhole, and the
 *                                        window answered without them
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act/act-int.h"
#include "act/dnsmsg.h"
#include "sakimori/act.h"
#include "sakimori/action.h"
#include "sakimori/conf.h"
#include "sakimori/log.h"
#include "sakimori/store.h"

#define SINK "127.0.0.7"
#define SINK_RRS "A 127.0.0.7;AAAA ::7"

static double ms(sk_nstime ns) { return (double)ns / 1e6; }

/* 1 if the resolver answers name with the sinkhole, 0 if with something
 * else, -1 if not at all (within timeout_ms). */
static int asks_sink(const struct sockaddr_storage *ss, socklen_t len, const char *name,
                     int timeout_ms)
{
    struct sk_dnsw w;
    uint8_t resp[2048];
    struct sk_dnsr r;
    struct sk_dnsrr rr;
    static _Atomic uint16_t id = 1;
    int sink = 0;

    sk__dnsw_init(&w, atomic_fetch_add(&id, 1), 0x0100);
    sk__dnsw_question(&w, name, SK_DNS_A, SK_DNS_IN);
    sk__dnsw_count(&w, 0, 1);
    int n = sk__dns_udp((const struct sockaddr *)ss, len, w.buf, w.len, resp, sizeof resp,
                        timeout_ms);
    if (n < 0 || sk__dnsr_init(&r, resp, (size_t)n) < 0)
        return -1;
    if (sk__dns_rcode(&r) == SK_DNS_SERVFAIL || sk__dns_rcode(&r) == SK_DNS_REFUSED)
        return -1;
    while (sk__dnsr_next(&r, &rr) == 1) {
        char t[600];
        if (rr.section == 1 && sk__dnsrr_text(&r, &rr, t, sizeof t) == 0 && !strcmp(t, "A " SINK))
            sink = 1;
    }
    return sink;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void pct(const char *what, double *v, size_t n)
{
    if (!n) {
        printf("%s: no samples\n", what);
        return;
    }
    qsort(v, n, sizeof *v, cmp_d);
    printf("%-34s n=%-4zu p50 %8.1f ms  p95 %8.1f ms  max %8.1f ms\n", what, n, v[n / 2],
           v[(size_t)((double)(n - 1) * 0.95)], v[n - 1]);
}

static struct sk_conf *conf_or_die(const char *path)
{
    struct sk_conf *c;
    struct sk_errinfo ei = {""};
    if (sk_conf_load(path, &c, &ei) < 0) {
        fprintf(stderr, "bench_rpz: %s\n", ei.msg);
        exit(2);
    }
    return c;
}

static struct sk_store *store_or_die(const struct sk_conf *c)
{
    struct sk_store *st;
    struct sk_errinfo ei = {""};
    if (sk_store_open(&st, c->store.path, &ei) < 0) {
        fprintf(stderr, "bench_rpz: %s\n", ei.msg);
        exit(2);
    }
    return st;
}

static int populate(const char *cfg, long n)
{
    struct sk_conf *c = conf_or_die(cfg);
    struct sk_store *st = store_or_die(c);
    struct sk_errinfo ei = {""};
    sqlite3 *db = sk_store_db(st);
    sqlite3_stmt *e, *p;
    sk_nstime t0 = sk_monotonic();
    int64_t v;

    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO act_entries (kind, key, action_id, variant, seq, applied_ns)"
                           " VALUES ('rpz', ?1, ?2, 'sinkhole', ?2, 0)", -1, &e, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO act_rpz_policy (zone, owner, rrs, added_v)"
                           " VALUES ('main', ?1, '" SINK_RRS "', 1)", -1, &p, NULL);
    for (long i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "n%ld.bench-block.test", i);
        sqlite3_bind_text(e, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(e, 2, 1000000000 + i);
        sqlite3_bind_text(p, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(e) != SQLITE_DONE || sqlite3_step(p) != SQLITE_DONE) {
            fprintf(stderr, "bench_rpz: populate: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        sqlite3_reset(e);
        sqlite3_reset(p);
    }
    sqlite3_finalize(e);
    sqlite3_finalize(p);
    /* both families start with this base loaded (the resolvers are started
     * with the file written below) */
    sqlite3_exec(db,
                 "INSERT OR REPLACE INTO act_kv VALUES ('rpz.version', 1), ('rpz.u.lo', 1),"
                 " ('rpz.u.hi', 1), ('rpz.b.lo', 1), ('rpz.b.hi', 1);"
                 "INSERT OR REPLACE INTO act_kv SELECT 'entries.seq', MAX(seq) FROM act_entries;"
                 "COMMIT",
                 NULL, NULL, NULL);
    sk_nstime t1 = sk_monotonic();
    if (sk_rpz_write_base(st, c, NULL, &v, &ei) < 0) {
        fprintf(stderr, "bench_rpz: %s\n", ei.msg);
        return 1;
    }
    sk_nstime t2 = sk_monotonic();
    printf("populate: %ld names into the store in %.1f s; base zone file written in %.1f s\n", n,
           ms(t1 - t0) / 1000, ms(t2 - t1) / 1000);
    sk_store_close(st);
    sk_conf_free(c);
    return 0;
}

/* --- the background client -------------------------------------------- */

struct bg {
    struct sockaddr_storage ss[2];
    socklen_t len[2];
    atomic_int stop;
    sk_nstime last_ok[2], max_gap[2];
    uint64_t asked[2], failed[2];
};

static void *bg_loop(void *arg)
{
    struct bg *b = arg;
    for (int i = 0; i < 2; i++)
        b->last_ok[i] = sk_monotonic();
    while (!atomic_load(&b->stop)) {
        for (int i = 0; i < 2; i++) {
            int r = asks_sink(&b->ss[i], b->len[i], "c2.evil.test", 500);
            sk_nstime now = sk_monotonic();
            b->asked[i]++;
            if (r == 0) {
                if (now - b->last_ok[i] > b->max_gap[i])
                    b->max_gap[i] = now - b->last_ok[i];
                b->last_ok[i] = now;
            } else {
                b->failed[i]++;
            }
        }
        usleep(10000);
    }
    return NULL;
}

static void endpoints(const struct sk_conf *c, struct sockaddr_storage *ss, socklen_t *len)
{
    sk__hostport_parse(c->act.rpz.unbound_servers.v[0], 53, &ss[0], &len[0]);
    sk__hostport_parse(c->act.rpz.bind_servers.v[0], 53, &ss[1], &len[1]);
}

static int latency(const char *cfg, long k)
{
    struct sk_conf *c = conf_or_die(cfg);
    struct sk_store *st = store_or_die(c);
    const struct sk_action_ops *ops = sk_action_find("rpz");
    struct sk_action_env env = {.conf = c, .store = st};
    struct sk_errinfo ei = {""};
    void *state;
    double *lat[2], *applyt;
    size_t n[2] = {0, 0}, na = 0;
    struct bg b;
    pthread_t t;
    static const char *const who[] = {"Unbound (IXFR from sakimori)", "BIND (signed update)"};

    memset(&b, 0, sizeof b);
    endpoints(c, b.ss, b.len);
    if (ops->init(&state, &env, &ei) < 0) {
        fprintf(stderr, "bench_rpz: %s\n", ei.msg);
        return 1;
    }
    lat[0] = calloc((size_t)k, sizeof(double));
    lat[1] = calloc((size_t)k, sizeof(double));
    applyt = calloc((size_t)k, sizeof(double));
    pthread_create(&t, NULL, bg_loop, &b);
    for (long i = 0; i < k; i++) {
        struct sk_action_req req = {.id = (uint64_t)(i + 1), .kind = "rpz", .scope = ""};
        char name[64];
        snprintf(name, sizeof name, "hot%ld.evil.test", i);
        sk_target_parse(name, &req.target, NULL);
        req.not_after = sk_now() + 3600 * SK_NS_PER_SEC;
        sk_nstime t0 = sk_monotonic();
        if (ops->apply(state, &req, &ei) < 0) {
            fprintf(stderr, "bench_rpz: apply %s: %s\n", name, ei.msg);
            return 1;
        }
        applyt[na++] = ms(sk_monotonic() - t0);
        int done[2] = {0, 0};
        while (!done[0] || !done[1]) {
            for (int r = 0; r < 2; r++) {
                if (done[r])
                    continue;
                if (asks_sink(&b.ss[r], b.len[r], name, 200) == 1) {
                    lat[r][n[r]++] = ms(sk_monotonic() - t0);
                    done[r] = 1;
                }
            }
            if (sk_monotonic() - t0 > 30 * SK_NS_PER_SEC) {
                fprintf(stderr, "bench_rpz: %s not enforced after 30 s\n", name);
                return 1;
            }
            if (!done[0] || !done[1])
                usleep(500);
        }
        usleep(20000);
    }
    atomic_store(&b.stop, 1);
    pthread_join(t, NULL);
    pct("apply() call itself", applyt, na);
    for (int r = 0; r < 2; r++) {
        pct(who[r], lat[r], n[r]);
        printf("    background client: %llu asked, %llu unanswered, longest gap %.0f ms\n",
               (unsigned long long)b.asked[r], (unsigned long long)b.failed[r],
               ms(b.max_gap[r]));
    }
    ops->fini(state);
    sk_store_close(st);
    sk_conf_free(c);
    return 0;
}

/* The usual BIND way: nsupdate into the zone that holds everything. */
static int peer_bind(const char *cfg, const char *key, long k)
{
    struct sk_conf *c = conf_or_die(cfg);
    struct sockaddr_storage ss[2];
    socklen_t len[2];
    double *lat = calloc((size_t)k, sizeof(double));
    size_t n = 0;
    char port[16];

    endpoints(c, ss, len);
    snprintf(port, sizeof port, "%s", strrchr(c->act.rpz.bind_servers.v[0], '@') + 1);
    for (long i = 0; i < k; i++) {
        char name[64], cmd[1024];
        snprintf(name, sizeof name, "peer%ld.evil.test", i);
        snprintf(cmd, sizeof cmd,
                 "printf 'server 127.0.0.1 %s\\nzone base.sakimori.rpz\\nupdate add %s.base."
                 "sakimori.rpz 60 A " SINK "\\nsend\\n' | nsupdate -k %s",
                 port, name, key);
        sk_nstime t0 = sk_monotonic();
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_rpz: nsupdate failed\n");
            return 1;
        }
        while (asks_sink(&ss[1], len[1], name, 200) != 1) {
            if (sk_monotonic() - t0 > 60 * SK_NS_PER_SEC)
                return 1;
            usleep(1000);
        }
        lat[n++] = ms(sk_monotonic() - t0);
    }
    pct("peer: nsupdate into the big base", lat, n);
    free(lat);
    sk_conf_free(c);
    return 0;
}

/* The usual Unbound way: edit the zone file and reload it. */
static int peer_unbound(const char *cfg, const char *ubconf)
{
    struct sk_conf *c = conf_or_die(cfg);
    struct sockaddr_storage ss[2];
    socklen_t len[2];
    struct bg b;
    pthread_t t;
    char cmd[1024];

    endpoints(c, ss, len);
    memset(&b, 0, sizeof b);
    endpoints(c, b.ss, b.len);
    FILE *f = fopen(c->act.rpz.base_file, "a");
    if (!f)
        return 1;
    fprintf(f, "peer-reload.evil.test A " SINK "\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "unbound-control -c %s auth_zone_reload base.sakimori.rpz "
             "> /dev/null", ubconf);
    pthread_create(&t, NULL, bg_loop, &b);
    usleep(100000);
    sk_nstime t0 = sk_monotonic();
    if (system(cmd) != 0)
        fprintf(stderr, "bench_rpz: auth_zone_reload failed\n");
    while (asks_sink(&ss[0], len[0], "peer-reload.evil.test", 500) != 1) {
        if (sk_monotonic() - t0 > 120 * SK_NS_PER_SEC)
            break;
        usleep(5000);
    }
    double l = ms(sk_monotonic() - t0);
    usleep(100000);
    atomic_store(&b.stop, 1);
    pthread_join(t, NULL);
    pct("peer: Unbound auth_zone_reload", &l, 1);
    printf("    background client: %llu asked, %llu unanswered, longest gap %.0f ms\n",
           (unsigned long long)b.asked[0], (unsigned long long)b.failed[0], ms(b.max_gap[0]));
    sk_conf_free(c);
    return 0;
}

/* Watches a resolver come back after a restart. */
static int watch(const char *port, const char *base, const char *hot, long secs)
{
    struct sockaddr_storage ss;
    socklen_t len;
    char spec[64];
    sk_nstime t0 = sk_monotonic(), first = 0, base_ok = 0, hot_ok = 0, unfiltered_from = 0;

    snprintf(spec, sizeof spec, "127.0.0.1@%s", port);
    sk__hostport_parse(spec, 53, &ss, &len);
    while (sk_monotonic() - t0 < (sk_nstime)secs * SK_NS_PER_SEC && (!base_ok || !hot_ok)) {
        for (int q = 0; q < 2; q++) {
            int r = asks_sink(&ss, len, q ? hot : base, 100);
            sk_nstime now = sk_monotonic() - t0;
            if (r >= 0 && !first)
                first = now ? now : 1;
            if (r == 0 && !unfiltered_from)
                unfiltered_from = now ? now : 1;
            if (r == 1 && q == 0 && !base_ok)
                base_ok = now;
            if (r == 1 && q == 1 && !hot_ok)
                hot_ok = now;
        }
        usleep(5000);
    }
    sk_nstime whole = base_ok > hot_ok ? base_ok : hot_ok;
    printf("first answer %.2f s, base policy %.2f s, delta policy %.2f s, "
           "answered without the policy for %.2f s\n",
           ms(first) / 1000, ms(base_ok) / 1000, ms(hot_ok) / 1000,
           unfiltered_from ? ms(whole - unfiltered_from) / 1000 : 0.0);
    return base_ok && hot_ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    sk_log_set_level(SK_LOG_WARN);
    if (argc == 4 && !strcmp(argv[1], "populate"))
        return populate(argv[2], strtol(argv[3], NULL, 10));
    if (argc == 4 && !strcmp(argv[1], "latency"))
        return latency(argv[2], strtol(argv[3], NULL, 10));
    if (argc == 5 && !strcmp(argv[1], "peer-bind"))
        return peer_bind(argv[2], argv[3], strtol(argv[4], NULL, 10));
    if (argc == 4 && !strcmp(argv[1], "peer-unbound"))
        return peer_unbound(argv[2], argv[3]);
    if (argc == 6 && !strcmp(argv[1], "watch"))
        return watch(argv[2], argv[3], argv[4], strtol(argv[5], NULL, 10));
    fprintf(stderr, "usage: see the comment at the top of bench_rpz.c\n");
    return 2;
}
