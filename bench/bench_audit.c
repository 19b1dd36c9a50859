/*
 * bench_audit.c — the audit log's two hot paths on a real store.
 *
 *   bench_audit append DB N BATCH   appends N entries, BATCH per transaction,
 *                                   each transaction sealed (a signed tree
 *                                   head) and committed durably
 *                                   (synchronous=FULL: fsync per commit)
 *   bench_audit verify DB           recomputes every leaf and tree head
 *
 * Entries look like governance entries (a proposal transition with a small
 * detail object, ~230 bytes). Prints one line of figures and peak RSS.
 * bench/bench_audit.sh runs it next to peer tools on the same data.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sakimori/audit.h"
#include "sakimori/conf.h"
#include "sakimori/log.h"
#include "sakimori/store.h"

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int open_all(const char *db, int mode, struct sk_conf **conf, struct sk_store **st,
                    struct sk_audit **a)
{
    struct sk_errinfo ei = {""};
    char yaml[4200];

    snprintf(yaml, sizeof yaml, "audit:\n  key: %s.bench-key\n", db);
    if (sk_conf_load_string(yaml, strlen(yaml), "bench", conf, &ei) < 0 ||
        sk_store_open(st, db, &ei) < 0 || sk_audit_open(a, *st, *conf, mode, &ei) < 0) {
        fprintf(stderr, "bench_audit: %s\n", ei.msg);
        return -1;
    }
    return 0;
}

static int append(const char *db, uint64_t n, uint64_t batch)
{
    static const char *const kinds[] = {"proposal.submit", "approval.approve", "proposal.apply",
                                        "action.apply", "action.verify", "data.read"};
    struct sk_conf *conf = NULL;
    struct sk_store *st = NULL;
    struct sk_audit *a = NULL;
    char subject[32], target[64];
    uint64_t done = 0, start;
    sk_nstime t0, t1;
    int rc = 0;

    if (open_all(db, SK_AUDIT_WRITE, &conf, &st, &a) < 0)
        return 2;
    sk_audit_size(a, &start);
    t0 = sk_monotonic();
    while (done < n) {
        if ((rc = sk_store_begin(st)) < 0)
            break;
        for (uint64_t i = 0; i < batch && done < n; i++, done++) {
            uint64_t k = start + done;
            snprintf(subject, sizeof subject, "proposal/%" PRIu64, k / 7 + 1);
            snprintf(target, sizeof target, "c2-%" PRIu64 ".evil.example", k % 100003);
            json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "action", "sinkhole",
                                  "target", target, "from", "approved", "to", "active",
                                  "plugin", "rpz", "first_seen_ns",
                                  (json_int_t)(1767225600000000000LL + (long long)k * 1000));
            rc = sk_audit_append(a, "alice", kinds[k % 6], subject, d, NULL);
            json_decref(d);
            if (rc < 0)
                break;
        }
        if (rc < 0 || (rc = sk_audit_commit(a)) < 0)
            break;
    }
    t1 = sk_monotonic();
    if (rc < 0) {
        fprintf(stderr, "bench_audit: append: %s (%s)\n", sk_strerror(rc), sk_store_errmsg(st));
    } else {
        double s = (double)(t1 - t0) / 1e9;
        printf("append: %" PRIu64 " entries in %.2f s = %.0f entries/s (batch %" PRIu64
               ", %" PRIu64 " signed tree heads, synchronous=FULL), peak RSS %ld MiB\n",
               n, s, (double)n / s, batch, (n + batch - 1) / batch, peak_rss_kib() / 1024);
    }
    sk_audit_close(a);
    sk_store_close(st);
    sk_conf_free(conf);
    return rc < 0 ? 1 : 0;
}

static int verify(const char *db)
{
    struct sk_conf *conf = NULL;
    struct sk_store *st = NULL;
    struct sk_audit *a = NULL;
    struct sk_audit_verify v;
    sk_nstime t0, t1;
    int rc;

    if (open_all(db, SK_AUDIT_READ, &conf, &st, &a) < 0)
        return 2;
    memset(&v, 0, sizeof v);
    t0 = sk_monotonic();
    rc = sk_audit_verify(a, &v);
    t1 = sk_monotonic();
    double s = (double)(t1 - t0) / 1e9;
    if (rc == 0)
        printf("verify: %" PRIu64 " entries, %" PRIu64 " tree heads in %.2f s = %.0f entries/s, "
               "peak RSS %ld MiB\n",
               v.entries, v.sths, s, (double)v.entries / s, peak_rss_kib() / 1024);
    else
        fprintf(stderr, "bench_audit: verify: %s\n", rc < 0 ? sk_strerror(rc) : v.problem);
    sk_audit_close(a);
    sk_store_close(st);
    sk_conf_free(conf);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    sk_log_set_level(SK_LOG_WARN);
    if (argc == 5 && !strcmp(argv[1], "append"))
        return append(argv[2], strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10));
    if (argc == 3 && !strcmp(argv[1], "verify"))
        return verify(argv[2]);
    fprintf(stderr, "usage: bench_audit append DB N BATCH | bench_audit verify DB\n");
    return 2;
}
