/*
 * schema.c — the store's schema as a list of forward migrations.
 *
 * migrations[i] moves a database from user_version i to i + 1. Each runs in
 * its own transaction together with the user_version bump, so a crash leaves
 * the database at one version or the next, never between. Never edit a
 * migration that has shipped; add a new one.
 */
#include <stddef.h>

#include "store/store-int.h"

const char *const sk__store_migrations[] = {
    /* 0 → 1: scan runs, findings, the monitor watchlist */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  command TEXT NOT NULL,"
    "  inputs TEXT NOT NULL,"
    "  started_ns INTEGER NOT NULL,"
    "  finished_ns INTEGER,"
    "  events INTEGER,"
    "  findings INTEGER);"
    "CREATE TABLE findings ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER REFERENCES runs(id),"
    "  type TEXT NOT NULL CHECK (type IN ('sighting', 'detection')),"
    "  ts_first_ns INTEGER NOT NULL,"
    "  ts_last_ns INTEGER NOT NULL,"
    "  src_ip TEXT, src_port INTEGER,"
    "  dst_ip TEXT, dst_port INTEGER,"
    "  proto INTEGER,"
    "  name TEXT,"
    "  ind_value TEXT, ind_type TEXT, ind_source TEXT, ind_confidence INTEGER,"
    "  count INTEGER NOT NULL,"
    "  analyzer TEXT, score REAL, evidence TEXT,"
    "  privacy TEXT NOT NULL);"
    "CREATE INDEX findings_dst ON findings(dst_ip);"
    "CREATE INDEX findings_ind ON findings(ind_value);"
    "CREATE INDEX findings_run ON findings(run_id);"
    "CREATE TABLE watchlist ("
    "  target TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  action_id INTEGER,"
    "  added_ns INTEGER NOT NULL,"
    "  not_after_ns INTEGER);",
};

const size_t sk__store_nmigrations =
    sizeof sk__store_migrations / sizeof sk__store_migrations[0];
