/*
 * act.h — the services of src/act that run beside the action plugins:
 * the RPZ primary (serves the allow and delta policy zones to Unbound by
 * IXFR), the sinkhole listener and victim notification, takedown report
 * tracking. The plugins themselves are reached through action.h.
 */
#ifndef SAKIMORI_ACT_H
#define SAKIMORI_ACT_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/error.h"
#include "sakimori/nstime.h"

struct sk_conf;
struct sk_store;

/* --- RPZ primary -------------------------------------------------------- */

struct sk_rpz_primary;

/* Serves act.rpz.zone_allow and zone_delta from the store at db_path on every
 * act.rpz.primary.listen endpoint (UDP and TCP: SOA, AXFR, IXFR), in threads
 * of its own with their own store connections. Only clients inside
 * act.rpz.primary.allow are answered. -EADDRINUSE when an endpoint is taken
 * (another sakimori process serves the same store). */
int sk_rpz_primary_start(const struct sk_conf *conf, const char *db_path,
                         struct sk_rpz_primary **out, struct sk_errinfo *ei);
/* Requests answered so far (for logs and tests). */
uint64_t sk_rpz_primary_requests(const struct sk_rpz_primary *p);
void sk_rpz_primary_stop(struct sk_rpz_primary *p);

/* Writes the base policy zone (every live rpz entry of the store) to path
 * (NULL: act.rpz.base_file) for Unbound to load at its next start; once
 * every Unbound reports that serial, the delta sakimori serves shrinks. */
int sk_rpz_write_base(struct sk_store *st, const struct sk_conf *conf, const char *path,
                      int64_t *version, struct sk_errinfo *ei);

/* --- sinkhole listener and victim notification ------------------------- */

struct sk_sinkhole;

/* Listens on every act.sinkhole.listen endpoint ("ADDR@PORT/tcp|udp") and
 * records each connection or datagram — victim, local endpoint, the name
 * from HTTP Host / TLS SNI / DNS when seen — in act_sinkhole_hits. Sends
 * nothing back. Runs in a thread of its own with its own store connection. */
int sk_sinkhole_start(const struct sk_conf *conf, const char *db_path,
                      struct sk_sinkhole **out, struct sk_errinfo *ei);
/* Hits written to the store so far. */
uint64_t sk_sinkhole_hits(const struct sk_sinkhole *s);
/* Stops, recording the connections still open. */
void sk_sinkhole_stop(struct sk_sinkhole *s);

#define SK_NOTIFY_MAX_FILES 256
struct sk_notify_result {
    uint64_t victims, operators, unassigned;
    size_t nfiles;
    struct {
        char operator_id[72];
        char json_path[760], eml_path[760];
        uint64_t victims;
    } files[SK_NOTIFY_MAX_FILES];
};

/* One notification per operator (act.notify.registry) for the victims the
 * sinkhole saw in [since, until): JSON and an RFC 5322 message in
 * act.notify.outbox; unowned victims in one "unassigned" JSON. */
int sk_notify_victims(struct sk_store *st, const struct sk_conf *conf, sk_nstime since,
                      sk_nstime until, struct sk_notify_result *res, struct sk_errinfo *ei);

/* --- takedown requests (written by the takedown_request action) -------- */

struct sk_takedown {
    int64_t id;
    uint64_t action_id;
    const char *target, *contact, *email;
    const char *status;  /* open | closed | withdrawn */
    const char *outcome; /* taken-down | refused | no-response | not-responsible | "" */
    sk_nstime created, closed; /* closed 0 while open */
    const char *eml_path;
};

/* Every request, oldest first; strings live for the call. */
int sk_takedown_list(struct sk_store *st, int (*fn)(void *ctx, const struct sk_takedown *t),
                     void *ctx);
/* Records the outcome of an open request at time `at` (>= its creation). */
int sk_takedown_close(struct sk_store *st, int64_t id, const char *outcome, sk_nstime at,
                      struct sk_errinfo *ei);

/* Time to takedown, the figures national takedown services publish:
 * median_ns over requests closed as taken-down (created -> closed), and
 * within_24h = taken down within 24 h / decided, where decided counts the
 * requests closed or open for more than 24 h (withdrawn ones excluded). */
struct sk_takedown_stats {
    uint64_t reports, open, closed, withdrawn, taken_down, decided;
    uint64_t median_ns;
    double within_24h;
};
int sk_takedown_stats(struct sk_store *st, sk_nstime now, struct sk_takedown_stats *out);

#endif
