/*
 * govern-int.h — what the files of src/govern share (internal).
 */
#ifndef SK_GOVERN_INT_H
#define SK_GOVERN_INT_H

#include <jansson.h>
#include <libpsl.h>
#include <sqlite3.h>
#include <stdint.h>

#include "sakimori/action.h"
#include "sakimori/addr-t.h"
#include "sakimori/audit.h"
#include "sakimori/conf-t.h"
#include "sakimori/govern.h"
#include "sakimori/store.h"
#include "sakimori/warninglist.h"

#define SK_GOV_MAX_APPROVERS 64
#define SK_GOV_MAX_EVIDENCE 256
#define SK_GOV_TEXT_MAX 8192 /* legal basis, reasons, justifications */

struct sk__gov_approver {
    char name[SK_KEY_NAME_MAX];
    uint8_t pub[SK_KEY_PUBLIC_BYTES];
};

/* A protected asset or warninglist entry, as the safeguards match it. */
struct sk__gov_listed {
    uint8_t is_prefix;        /* else a name */
    uint8_t match;            /* names: 0 exact, 1 this name and below, 2 substring */
    struct sk_prefix prefix;
    const char *name;         /* lower case, no trailing dot */
    const char *list;         /* which list it came from */
};

struct sk__gov_lists {
    struct sk__gov_listed *v;
    size_t n, cap;
    char **strings; /* everything the entries point into */
    size_t nstrings, capstrings;
};

struct sk__gov_plugin {
    const struct sk_action_ops *ops;
    void *state;
};

struct sk_govern {
    const struct sk_conf *conf;
    struct sk_store *st;
    struct sk_audit *audit;
    struct sk__gov_approver approvers[SK_GOV_MAX_APPROVERS];
    size_t napprovers;
    uint8_t log_id[16];
    /* safeguard data, loaded on first use */
    int lists_loaded;
    struct sk__gov_lists protected_assets;
    struct sk_warninglists *wl; /* intel.warninglists */
    const psl_ctx_t *psl;
    psl_ctx_t *psl_owned;
    /* action plugins, initialised on first use */
    struct sk__gov_plugin plugins[16];
    size_t nplugins;
};

/* A proposal row. Strings are malloc'd (sk__gov_proposal_free). */
struct sk__gov_proposal {
    int64_t id, case_id, renews;
    enum sk_gov_state state;
    enum sk_gov_action action;
    struct sk_target target;
    char *scope, *legal_basis, *evidence, *proposer, *safeguards, *canonical, *end_reason;
    uint64_t ttl;
    sk_nstime created, submitted, decided, activated, not_after, ratify_by, ended, first_seen;
    int foreign, approvals_needed, exigent, false_positive, has_digest;
    uint8_t digest[32];
};

int sk__gov_load(struct sk_govern *g, int64_t id, struct sk__gov_proposal *p);
void sk__gov_proposal_free(struct sk__gov_proposal *p);
/* The canonical JSON text of a proposal (malloc'd) and its SHA-256. */
int sk__gov_canonical(struct sk_govern *g, const struct sk__gov_proposal *p, char **text,
                      uint8_t digest[32]);

/* "pending or provisional": the states ev is allowed from; returns how many. */
int sk__gov_event_sources(enum sk_gov_event ev, char *out, size_t len);

/* Moves p by ev inside the open transaction: checks the table, updates the
 * row guarded by the old state, appends "proposal.<event>" with detail
 * (borrowed, may be NULL) merged with from/to. p->state is updated. */
int sk__gov_transition(struct sk_govern *g, struct sk__gov_proposal *p, enum sk_gov_event ev,
                       const char *actor, json_t *detail, struct sk_errinfo *ei);
/* Sets one integer/text column of a proposal (name from a fixed list). */
int sk__gov_set_int(struct sk_govern *g, int64_t id, const char *column, int64_t v);
int sk__gov_set_text(struct sk_govern *g, int64_t id, const char *column, const char *v);

/* Safeguards: fills *report (caller decrefs) and returns 0 when every check
 * passed, -SK_EDENIED (ei: the first refusal) otherwise. at_apply: the
 * second run, right before apply (the proposal itself is not a conflict). */
int sk__gov_safeguards(struct sk_govern *g, const struct sk__gov_proposal *p, int at_apply,
                       json_t **report, struct sk_errinfo *ei);
int sk__gov_lists_load(struct sk_govern *g, struct sk_errinfo *ei);
void sk__gov_lists_free(struct sk__gov_lists *l);
/* Protected assets file: one IP, prefix or name per line, '#' comments. */
int sk__gov_lists_read_plain(struct sk__gov_lists *l, const char *path, const char *list,
                             struct sk_errinfo *ei);

/* Targets: overlap of two targets (same name, a domain covering a name,
 * prefixes sharing addresses). */
int sk__gov_targets_overlap(const struct sk_target *a, const struct sk_target *b);
/* The parseable text of a target: "*.name" for a domain. */
const char *sk__gov_target_text(const struct sk_target *t, char *buf, size_t len);
/* name is x or below x */
int sk__gov_name_at_or_below(const char *name, const char *x);

/* Runner (runner.c). The plugin implementing an action: the registered
 * one among its candidate names (sinkhole: rpz, block: nft, …). */
const char *sk__gov_plugin_name(enum sk_gov_action a);
int sk__gov_start_apply(struct sk_govern *g, struct sk__gov_proposal *p, const char *actor,
                        struct sk_errinfo *ei);
int sk__gov_run_apply(struct sk_govern *g, int64_t id, const char *actor, struct sk_errinfo *ei);
int sk__gov_start_revert(struct sk_govern *g, struct sk__gov_proposal *p, enum sk_gov_event ev,
                         const char *actor, const char *reason, int false_positive,
                         struct sk_errinfo *ei);
extern const struct sk_action_ops *(*sk__gov_plugin_lookup)(const char *name);
int sk__gov_run_revert(struct sk_govern *g, int64_t id, const char *actor, struct sk_errinfo *ei);
void sk__gov_plugins_fini(struct sk_govern *g);

/* Crash points for the crash test: SK_GOVERN_CRASH_AT=name makes the named
 * point _exit(86). One getenv per call; nothing when unset. */
void sk__gov_crashpoint(const char *name);

/* Finding rows for evidence. */
struct sk__gov_finding {
    int64_t id;
    int detection;
    int confidence; /* 0-100 */
    int tlp;        /* enum sk_tlp */
    sk_nstime first, last;
    struct sk_addr src, dst;
    uint16_t dport;
    char name[256], ind_value[256];
};
int sk__gov_finding(struct sk_govern *g, int64_t id, struct sk__gov_finding *f);

#endif
