/*
 * conf-t.h — the typed configuration every subsystem reads.
 *
 * One struct sk_conf, one section per subsystem. Values start as the embedded
 * defaults (sk_conf_defaults), then a YAML file overlays them. The schema —
 * keys, types, ranges — is the descriptor table in src/conf/schema.c; adding
 * a setting is a field here, a line there, and a default.
 */
#ifndef SAKIMORI_CONF_T_H
#define SAKIMORI_CONF_T_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/addr-t.h"
#include "sakimori/arena.h"

struct sk_strlist {
    char **v;
    size_t n;
};

struct sk_prefix_list {
    struct sk_prefix *v;
    size_t n;
};

struct sk_conf_log {
    int level; /* enum sk_log_level */
    int json;
};

struct sk_conf_node {
    char *name; /* this node's name in findings and shared data */
    int role;   /* 0 node, 1 hub */
};

struct sk_conf_store {
    char *path;
};

struct sk_conf_flow {
    uint64_t idle_timeout;   /* ns */
    uint64_t active_timeout; /* ns */
    uint32_t max_flows;      /* table bound; when full the oldest is evicted */
};

/* Packet sources and stored telemetry (src/sense, src/store/telemetry.c). */
struct sk_conf_sense {
    int telemetry;          /* scan stores flow/DNS/TLS/HTTP records + passive DNS */
    uint64_t frag_memory;   /* bytes held by IP fragment reassembly, all flows */
    uint64_t frag_timeout;  /* ns an incomplete datagram is kept */
    uint64_t stream_memory; /* bytes held by TCP stream reassembly, all flows */
    uint64_t stream_depth;  /* bytes reassembled per direction of a flow */
};

struct sk_conf_intel {
    struct sk_strlist lists; /* plain indicator lists loaded by scan/serve */
};

struct sk_conf_privacy {
    int profile;                    /* enum sk_privacy, default for sources */
    struct sk_prefix_list domestic; /* the country's / operator's prefixes */
};

struct sk_conf {
    char *path; /* the file it came from, or "(embedded defaults)" */
    struct sk_conf_log log;
    struct sk_conf_node node;
    struct sk_conf_store store;
    struct sk_conf_flow flow;
    struct sk_conf_sense sense;
    struct sk_conf_intel intel;
    struct sk_conf_privacy privacy;
    struct sk_arena arena; /* owns every string and array above */
};

#endif
