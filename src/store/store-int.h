/*
 * store-int.h — internals shared by the files of src/store.
 */
#ifndef SK_STORE_INT_H
#define SK_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>

#include "sakimori/store.h"

#define SK_STORE_STMT_CACHE 64

struct sk_store {
    sqlite3 *db;
    char *path;
    int in_tx;
    struct {
        const char *sql; /* cache key: the address of a static string */
        sqlite3_stmt *stmt;
    } stmts[SK_STORE_STMT_CACHE];
    size_t nstmts;
};

extern const char *const sk__store_migrations[];
extern const size_t sk__store_nmigrations;

#endif
