/*
 * source.h — sensor plugins: every input format is one sk_source_ops.
 *
 * A source opens one input (a file, a socket, stdin) and turns it into
 * sk_events. The registry lists every source; `scan` picks one per input by
 * asking each source's probe() how sure it is, or by name (--format).
 * Adding a format is one file in src/sense/ and one line in the registry.
 */
#ifndef SAKIMORI_SOURCE_H
#define SAKIMORI_SOURCE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sakimori/error.h"
#include "sakimori/event-t.h"

#define SK_SOURCE_API 1

struct sk_conf;
struct sk_source_ops;
struct sk_source_session;

struct sk_source_opts {
    const struct sk_conf *conf; /* flow timeouts, limits; never NULL */
    const char *bpf;            /* capture filter, or NULL */
    uint8_t privacy;            /* enum sk_privacy for this source */
    uint16_t source_id;
    int follow;                 /* keep reading a growing file */
    /* State shared by the inputs of one run (NetFlow templates learnt from
     * one capture decode the data of the next), or NULL. */
    struct sk_source_session *session;
    /* Live sources (a UDP collector, a followed file) return 0 soon after
     * *stop becomes non-zero; NULL: they run until their input ends. */
    const volatile sig_atomic_t *stop;
    /* Live sources return 0 after this many ns without input; 0: never. */
    uint64_t idle_stop;
};

struct sk_source_stats {
    uint64_t records;     /* packets, lines or datagrams read */
    uint64_t events;      /* sk_events delivered */
    uint64_t malformed;   /* records rejected as malformed */
    uint64_t skipped;     /* records ignored on purpose (not IP, filtered) */
    uint64_t dropped;     /* lost to limits (flow table full, buffers) */
    uint64_t bytes;       /* input consumed */
    uint64_t bytes_total; /* input size when known (for progress), else 0 */
};

/* The part of every source instance the framework sees; plugins embed it as
 * their first member. */
struct sk_source {
    const struct sk_source_ops *ops;
    char *path;
    struct sk_source_opts opts;
    struct sk_source_stats stats;
    struct sk_errinfo err; /* set when run() fails: file and position */
};

struct sk_source_ops {
    const char *name; /* "pcap", "netflow", "eve", "zeek" */
    unsigned api;     /* SK_SOURCE_API */
    const char *desc;
    /* 0–100: how sure the source is that the input is its format, from the
     * path and the first bytes (head may be short). */
    int (*probe)(const char *path, const uint8_t *head, size_t len);
    /* Opens path ("-" = stdin). On error fills ei. */
    int (*open)(struct sk_source **out, const char *path,
                const struct sk_source_opts *opts, struct sk_errinfo *ei);
    /* Reads until end of input or until emit returns < 0. Malformed records
     * are counted in stats and skipped; an error that makes the rest of the
     * input unreadable returns < 0 with src->err naming where. */
    int (*run)(struct sk_source *src, sk_event_fn emit, void *ctx);
    void (*close)(struct sk_source *src);
};

/* Registry (src/sense/registry.c). */
const struct sk_source_ops *sk_source_find(const char *name);
/* NULL-terminated list of every source. */
const struct sk_source_ops *const *sk_source_all(void);
/* Opens path with the named source, or the best probe() when name is NULL. */
int sk_source_open(struct sk_source **out, const char *name, const char *path,
                   const struct sk_source_opts *opts, struct sk_errinfo *ei);
void sk_source_close(struct sk_source *src);

/* Per-run state sources keep across inputs (src/sense/session.c). The
 * caller creates one session per run and puts it in sk_source_opts. */
int sk_source_session_new(struct sk_source_session **out);
/* Frees every object stored in it. */
void sk_source_session_free(struct sk_source_session *s);
/* The object stored under key, or NULL. */
void *sk_source_session_get(struct sk_source_session *s, const char *key);
/* Stores obj under key (key is not copied: use a string literal); free_fn
 * releases it with the session. */
int sk_source_session_put(struct sk_source_session *s, const char *key, void *obj,
                          void (*free_fn)(void *));

#endif
