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

#endif
