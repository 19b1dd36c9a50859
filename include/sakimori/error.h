/*
 * error.h — one way to fail everywhere.
 *
 * Functions return int: 0 (or a count) on success, a negative code on
 * failure: -SK_E… for ours, -errno for the OS's, so `return -SK_EPARSE;` and
 * `return -errno;` read the same and sk_strerror() explains both kinds. The
 * table below is the only place a code is defined: it generates the enum and
 * the messages (libuv's UV_ERRNO_MAP). SK_E… values start above 10000 so they
 * never collide with errno values.
 */
#ifndef SAKIMORI_ERROR_H
#define SAKIMORI_ERROR_H

#include <stdio.h>
#include <stdlib.h>

#define SK_ERRNO_MAP(X)                                                        \
    X(EINVAL,    "invalid argument")                                           \
    X(ENOMEM,    "out of memory")                                              \
    X(ETOOBIG,   "input exceeds its size limit")                               \
    X(EPARSE,    "malformed input")                                            \
    X(ETRUNC,    "truncated input")                                            \
    X(EUNSUP,    "unsupported format or feature")                              \
    X(ENOTFOUND, "not found")                                                  \
    X(EEXIST,    "already exists")                                             \
    X(ESTATE,    "operation not allowed in the current state")                 \
    X(EDENIED,   "refused by policy")                                          \
    X(ESTORE,    "store (SQLite) error")                                       \
    X(ECONF,     "configuration error")                                        \
    X(EIO,       "input/output error")                                         \
    X(ECRYPTO,   "cryptographic check failed")                                 \
    X(ETIMEOUT,  "timed out")                                                  \
    X(EEXTERNAL, "external program or server failed")                          \
    X(ESTOP,     "stopped on request")

enum sk_errno {
    SK__EBASE = 10000,
#define SK__ERR_ENUM(name, msg) SK_##name,
    SK_ERRNO_MAP(SK__ERR_ENUM)
#undef SK__ERR_ENUM
    SK__ELAST
};

/* Message for -SK_E… or -errno; never NULL. */
const char *sk_strerror(int err);

/* Name of the code ("SK_EPARSE", "ENOENT"), for JSON output and logs. */
const char *sk_errname(int err);

/* Aborts with file:line when an invariant is broken: a bug, never bad input. */
#define SK_REQUIRE(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "sakimori: %s:%d: invariant failed: %s\n",         \
                    __FILE__, __LINE__, #cond);                                \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* Where a parser failed and why, for the user: "file:line:col: expected …".
 * Functions that read user input take an optional struct sk_errinfo * and fill
 * it when they return an error. */
struct sk_errinfo {
    char msg[512];
};
void sk_errinfo_set(struct sk_errinfo *ei, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sets the message and returns err, for "return sk_fail(ei, -SK_EPARSE, …)". */
int sk_fail(struct sk_errinfo *ei, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Recoverable check: logs once where it fired and evaluates to true. */
int sk__fails(int cond, const char *expr, const char *file, int line);
#define SK_FAILS(cond) sk__fails(!!(cond), #cond, __FILE__, __LINE__)

#endif
