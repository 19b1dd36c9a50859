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
    struct sk_strlist lists;        /* plain indicator lists loaded by scan/serve */
    struct sk_strlist warninglists; /* MISP warninglist files or directories */
    int use_store;                  /* scan/serve also match the store's indicators */
    uint64_t decay_half_life;       /* ns; confidence halves per half-life since last
                                       seen, for sources without their own; 0 none */
    uint64_t max_age;               /* ns; not seen again for longer: not matched
                                       (sources without their own ttl); 0 none */
    uint32_t min_confidence;        /* decayed below this: not matched */
};

struct sk_conf_privacy {
    int profile;                    /* enum sk_privacy, default for sources */
    struct sk_prefix_list domestic; /* the country's / operator's prefixes */
    char *key;                      /* pseudonymization key: 64 hex digits */
    char *key_file;                 /* or a file holding them (or 32 bytes) */
};

/* One configured input: which inputs it covers and how they are read. */
struct sk_conf_source {
    char *name;   /* label in messages; defaults to the input */
    char *input;  /* path or glob ("/var/log/suricata/eve*.json", "-"), or
                     udp://HOST:PORT for a collector */
    char *format; /* source name (eve, zeek, netflow, …), NULL: detect */
    int privacy;  /* enum sk_privacy, or -1: privacy.profile */
    int follow;   /* keep reading a growing file */
};

struct sk_conf_sources {
    struct sk_conf_source *v;
    size_t n;
};

struct sk_conf_netflow {
    uint32_t max_domains;   /* (exporter, version, domain) kept; LRU beyond */
    uint32_t max_templates; /* templates over all domains */
    uint64_t pending_bytes; /* data waiting for its template */
    uint64_t pending_age;   /* ns such data is kept */
    uint64_t socket_buffer; /* UDP collector receive buffer, bytes */
};

/* act: how actions are carried out (src/act, docs/actions.md). */
struct sk_conf_act_rpz {
    char *zone_allow, *zone_delta, *zone_base; /* policy zone names */
    struct sk_strlist sinkhole;  /* addresses a sinkholed name resolves to */
    char *sinkhole_cname;        /* or a CNAME to this name ("" = addresses) */
    uint64_t ttl;                /* TTL of policy records, ns */
    char *base_file;             /* generated base zone (Unbound; BIND bootstrap) */
    uint32_t fold_above;         /* fold the delta into the base past this size */
    uint64_t fold_settle;        /* BIND: wait this long after a fold, ns */
    uint64_t verify_timeout;     /* verify waits at most this long, ns */
    struct sk_strlist primary_listen;   /* sakimori's primary: "127.0.0.1@5301" */
    struct sk_prefix_list primary_allow; /* who may transfer from it */
    struct sk_strlist unbound_servers;  /* NOTIFY + verification: "127.0.0.1@53" */
    struct sk_strlist unbound_control;  /* unbound-control without cert: "127.0.0.1@8953" */
    struct sk_strlist bind_servers;     /* dynamic update + verification */
    char *bind_tsig_key;                /* BIND key file (tsig-keygen) */
};

struct sk_conf_act_nft {
    char *table;      /* table inet NAME */
    int64_t priority; /* of its filter chains */
};

struct sk_conf_act_bgp {
    char *bird_socket;  /* BIRD control socket */
    char *include_file; /* generated `route X blackhole;` lines */
    char *protocol;     /* the static protocol that includes it */
    uint64_t timeout;   /* for a birdc exchange, ns */
};

struct sk_conf_act_takedown {
    char *contacts; /* abuse-contact database (RDAP-like JSON) */
    char *outbox;   /* where reports are written for a human or an MTA */
    char *from;     /* From: of the reports */
    char *reporter; /* reporting organisation */
};

struct sk_conf_act_sinkhole {
    struct sk_strlist listen; /* "127.0.0.1@8080/tcp", "[::1]@8053/udp" */
    uint64_t read_timeout;    /* ns */
    uint32_t max_clients;
};

struct sk_conf_act_notify {
    char *registry; /* operators and their prefixes (JSON) */
    char *outbox;
    char *from;
};

struct sk_conf_act {
    struct sk_conf_act_rpz rpz;
    struct sk_conf_act_nft nft;
    struct sk_conf_act_bgp bgp;
    struct sk_conf_act_takedown takedown;
    struct sk_conf_act_sinkhole sinkhole;
    struct sk_conf_act_notify notify;
    uint64_t dryrun_window; /* how far back the dry run looks, ns */
};

/* govern: proposals, safeguards, approvals (src/govern, docs/governance.md).
 * Per-action settings are one field per action type. */
struct sk_conf_per_action_dur {
    uint64_t monitor, sinkhole, block, blackhole, takedown_request; /* ns */
};
struct sk_conf_per_action_tlp {
    int monitor, sinkhole, block, blackhole, takedown_request; /* 0 clear, 1 green, 2 amber,
                                                                 3 amber+strict, 4 red */
};

struct sk_conf_govern {
    struct sk_strlist approvers;       /* "NAME ed25519:BASE64": the oversight body */
    uint32_t approvals;                /* k distinct approvals to act */
    uint32_t foreign_extra;            /* more approvals for a foreign target */
    int exigent;                       /* allow the exigent (one approval) path */
    uint64_t exigent_window;           /* ratify within this or revert, ns */
    struct sk_strlist allowed_actions; /* action types proposals may use */
    struct sk_conf_per_action_dur ttl_max;
    uint32_t min_prefix4, min_prefix6; /* narrowest-target bounds for blocks */
    struct sk_strlist warninglists;    /* ids of intel.warninglists to consult; empty = all */
    uint64_t collateral_window;        /* passive DNS look-back, ns */
    char *protected_assets;            /* operator's list: IPs, prefixes, names */
    uint32_t collateral_max;           /* names co-hosted on a target IP */
    uint32_t evidence_confidence;      /* 0-100: the least confidence that counts */
    struct sk_conf_per_action_tlp tlp_max;
    int tlp_default;                   /* TLP of evidence that carries none (as above) */
};

/* audit: the tamper-evident log and retention (src/audit). */
struct sk_conf_retention {
    uint64_t events, detections, pdns, audit; /* ns; 0 = keep */
};

struct sk_conf_audit {
    char *key;        /* server signing key; "" = "<store.path>.audit-key" */
    char *public_key; /* "ed25519:…" tree heads are checked against; "" = the key file's */
    struct sk_conf_retention retention;
};

/* detect: which hosts are ours and how the behavioural analyzers judge
 * (src/detect). Scores are 0–1; a detection is reported at or above its
 * analyzer's threshold. */
struct sk_conf_detect_beacon {
    double threshold;        /* report at or above this score */
    uint32_t min_connections; /* scored from this many connections on */
    double strobe_rate;      /* connections per second that make a strobe */
    uint64_t strobe_min_span; /* ns the rate must be sustained */
};

struct sk_conf_detect_longconn {
    uint64_t min_duration; /* ns of total connection time per pair */
};

struct sk_conf_detect_dga {
    char *model;              /* model file; "" = the embedded model */
    double threshold;         /* 0 = the model's calibrated threshold */
    uint32_t nxdomain_burst;  /* NXDOMAIN answers to one host … */
    uint64_t burst_window;    /* … within this many ns make a burst */
};

struct sk_conf_detect_dnstunnel {
    double threshold;
    uint32_t min_subdomains; /* unique subdomains of one domain from one host */
};

struct sk_conf_detect {
    struct sk_prefix_list internal; /* our hosts; default RFC 1918 + ULA */
    int internal_to_internal;       /* also analyse internal → internal */
    uint32_t max_pairs;             /* bound on tracked pairs per analyzer */
    struct sk_conf_detect_beacon beacon;
    struct sk_conf_detect_longconn longconn;
    struct sk_conf_detect_dga dga;
    struct sk_conf_detect_dnstunnel dnstunnel;
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
    struct sk_conf_act act;
    struct sk_conf_sources sources;
    struct sk_conf_netflow netflow;
    struct sk_conf_govern govern;
    struct sk_conf_audit audit;
    struct sk_conf_detect detect;
    struct sk_arena arena; /* owns every string and array above */
};

#endif
