/*
 * store.h — the embedded store (SQLite).
 *
 * One database file in WAL mode. The schema is versioned with
 * PRAGMA user_version and moved forward by the migrations in
 * src/store/schema.c, each in its own transaction. Every statement is
 * prepared (and cached); every write happens inside a transaction, so an
 * import or a scan lands whole or not at all.
 */
#ifndef SAKIMORI_STORE_H
#define SAKIMORI_STORE_H

#include <stdint.h>

#include "sakimori/error.h"
#include "sakimori/finding-t.h"

struct sk_store;
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

/* Opens (creating if needed) and migrates to the current schema. */
int sk_store_open(struct sk_store **out, const char *path, struct sk_errinfo *ei);
/* Opens read-only; fails if the schema is newer than this program knows. */
int sk_store_open_ro(struct sk_store **out, const char *path, struct sk_errinfo *ei);
void sk_store_close(struct sk_store *s);
int sk_store_schema_version(struct sk_store *s);
/* The schema version this program migrates to. */
int sk_store_schema_latest(void);

int sk_store_begin(struct sk_store *s);
int sk_store_commit(struct sk_store *s);
int sk_store_rollback(struct sk_store *s);

/* A cached prepared statement for a static SQL string (the pointer is the
 * cache key, so pass string literals). Reset and cleared before returning. */
int sk_store_prepare(struct sk_store *s, const char *sql, sqlite3_stmt **out);
sqlite3 *sk_store_db(struct sk_store *s);
/* The last SQLite error message. */
const char *sk_store_errmsg(struct sk_store *s);

/* Scan runs and their findings. */
int sk_store_run_begin(struct sk_store *s, const char *command,
                       const char *inputs, int64_t *run_id);
int sk_store_run_end(struct sk_store *s, int64_t run_id, uint64_t events,
                     uint64_t findings);
int sk_store_add_finding(struct sk_store *s, int64_t run_id,
                         const struct sk_finding *f);
int64_t sk_store_count(struct sk_store *s, const char *table);

#endif
