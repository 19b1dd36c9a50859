/*
 * govern.h — deciding under oversight: cases, proposals, safeguards, signed
 * M-of-N approvals, the action runner, expiry (src/govern).
 *
 * The state machine (docs/governance.md; DESIGN.md "Governance model"):
 *
 *  draft ─submit─► pending ─k approvals─► approved ─apply─► active ─ttl/revoke─► reverted
 *                     │                                       │
 *                     └─reject─► rejected                     └─verify fails─► failed
 *  exigent: pending ─1 approval + justification─► provisional ─ratified─► active
 *                                                     └─window passes / rejected─► reverted
 *
 * "provisional" is DESIGN.md's "active (provisional)": it is applied, and
 * every edge out of active (ttl, revoke, verify fails) leaves it too.
 * sk_govern_next_state() is the only place a transition is decided; every
 * function below that changes a proposal's state goes through it, writes the
 * change with a guard on the old state, and appends the audit entry in the
 * same transaction.
 *
 * An approval is an Ed25519 signature by an approver's own key over
 *   "sakimori-approval-v1\0" ‖ verdict ‖ proposal digest ‖ SHA-256(note)
 * where the digest is SHA-256 of the proposal's canonical JSON (target,
 * action, scope, TTL, evidence, legal basis, proposer, the log identity and
 * the safeguard report). The server holds only public keys: it can check an
 * approval, never make one.
 */
#ifndef SAKIMORI_GOVERN_H
#define SAKIMORI_GOVERN_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/action.h"
#include "sakimori/error.h"
#include "sakimori/key.h"
#include "sakimori/nstime.h"

struct sk_conf;
struct sk_store;
struct sk_audit;
struct json_t;
struct sk_govern;

enum sk_gov_state {
    SK_GOV_DRAFT = 1,
    SK_GOV_PENDING,
    SK_GOV_APPROVED,
    SK_GOV_ACTIVE,
    SK_GOV_PROVISIONAL, /* active (provisional): exigent, awaiting ratification */
    SK_GOV_REVERTED,
    SK_GOV_FAILED,
    SK_GOV_REJECTED,
};
#define SK_GOV_NSTATES 8

enum sk_gov_event {
    SK_GOV_EV_SUBMIT = 1,  /* draft → pending */
    SK_GOV_EV_APPROVE,     /* the k-th approval: pending → approved */
    SK_GOV_EV_EXIGENT,     /* one approval + justification: pending → provisional */
    SK_GOV_EV_REJECT,      /* any approver: pending → rejected */
    SK_GOV_EV_APPLY,       /* approved → active */
    SK_GOV_EV_RATIFY,      /* the k-th approval in the window: provisional → active */
    SK_GOV_EV_LAPSE,       /* window passed or ratification rejected: provisional → reverted */
    SK_GOV_EV_VERIFY_FAIL, /* active/provisional → failed */
    SK_GOV_EV_EXPIRE,      /* TTL: active/provisional → reverted */
    SK_GOV_EV_REVOKE,      /* active/provisional → reverted */
};
#define SK_GOV_NEVENTS 10

enum sk_gov_action {
    SK_GOV_MONITOR = 1,
    SK_GOV_SINKHOLE,
    SK_GOV_BLOCK,
    SK_GOV_BLACKHOLE,
    SK_GOV_TAKEDOWN,
};

enum sk_gov_verdict {
    SK_GOV_VERDICT_APPROVE = 'A',
    SK_GOV_VERDICT_EXIGENT = 'E',
    SK_GOV_VERDICT_REJECT = 'R',
};

enum sk_tlp { SK_TLP_CLEAR, SK_TLP_GREEN, SK_TLP_AMBER, SK_TLP_AMBER_STRICT, SK_TLP_RED };

const char *sk_govern_state_name(enum sk_gov_state s);
int sk_govern_state_parse(const char *s);  /* -1 if unknown */
const char *sk_govern_event_name(enum sk_gov_event e);
const char *sk_govern_action_name(enum sk_gov_action a);
int sk_govern_action_parse(const char *s); /* -1 if unknown */
const char *sk_govern_verdict_name(enum sk_gov_verdict v);
int sk_govern_verdict_parse(const char *s); /* -1 if unknown */
const char *sk_tlp_name(enum sk_tlp t);
int sk_tlp_parse(const char *s);            /* -1 if unknown; accepts "TLP:AMBER" too */

/* The state machine: 0 and *to when the event is allowed in state from,
 * -SK_ESTATE otherwise. */
int sk_govern_next_state(enum sk_gov_state from, enum sk_gov_event ev, enum sk_gov_state *to);

/* --- the governance handle -------------------------------------------- */

/* Reads the approvers (names and public keys), checks k against them,
 * opens nothing else; safeguard data (warninglists, protected assets) is
 * loaded on first use. conf, st and audit must outlive the handle. */
int sk_govern_open(struct sk_govern **out, const struct sk_conf *conf, struct sk_store *st,
                   struct sk_audit *audit, struct sk_errinfo *ei);
void sk_govern_close(struct sk_govern *g);
/* A configured approver's public key; -SK_ENOTFOUND if name is not one. */
int sk_govern_approver(struct sk_govern *g, const char *name, uint8_t pub[SK_KEY_PUBLIC_BYTES]);

/* --- proposals ----------------------------------------------------------- */

struct sk_proposal_req {
    const char *target;      /* "evil.example", "*.evil.example", "203.0.113.5", … */
    const char *action;      /* monitor | sinkhole | block | blackhole | takedown_request */
    const char *scope;       /* nodes/resolvers/routers; NULL or "" = all */
    uint64_t ttl;            /* ns */
    const char *legal_basis;
    const char *const *evidence; /* "finding:12", "indicator:evil.example", free text */
    size_t nevidence;
    const char *proposer;
    int64_t case_id;         /* 0: the open case for the target, created if none */
    int64_t renews;          /* 0, or the active proposal this one renews */
};

/* Creates a draft (and its case). ei names the bad field on -SK_EPARSE. */
int sk_govern_propose(struct sk_govern *g, const struct sk_proposal_req *req, int64_t *id,
                      struct sk_errinfo *ei);
/* draft → pending after the safeguards pass. On a refusal the draft stays a
 * draft with the report stored, and -SK_EDENIED is returned with ei naming
 * the first failed check; *report (malloc'd JSON text, caller frees) holds
 * every check, why, and what narrower action would pass. */
int sk_govern_submit(struct sk_govern *g, int64_t id, const char *actor, char **report,
                     struct sk_errinfo *ei);

/* The canonical text and digest of a submitted proposal, recomputed from
 * the stored fields; -SK_ECRYPTO if they no longer match what was signed. */
int sk_govern_digest(struct sk_govern *g, int64_t id, uint8_t digest[32], struct sk_errinfo *ei);

/* The message an approver signs. */
#define SK_GOV_APPROVAL_MSG_LEN (21 + 1 + 32 + 32)
void sk_govern_approval_message(const uint8_t digest[32], enum sk_gov_verdict v, const char *note,
                                uint8_t msg[SK_GOV_APPROVAL_MSG_LEN]);

/* Records an approver's signed verdict. approve: counts toward k (and
 * ratifies a provisional action); exigent: needs a justification (note) and
 * activates provisionally; reject: rejects a pending proposal or ends a
 * provisional one. Refused (-SK_EDENIED, ei says why) for an unknown
 * approver, a bad signature (forged or made for another proposal), a second
 * verdict by the same approver, the proposer approving its own proposal.
 * When a verdict completes the approvals, the action is applied before
 * returning (see sk_govern_apply). */
int sk_govern_decide(struct sk_govern *g, int64_t id, const char *approver,
                     enum sk_gov_verdict v, const char *note,
                     const uint8_t sig[SK_KEY_SIG_BYTES], struct sk_errinfo *ei);

/* --- the runner ------------------------------------------------------------ */

/* approved → active: re-runs the safeguards, writes the intent, calls the
 * action plugin's check, apply and verify, records each outcome. A refusal
 * or a failed apply/verify reverts what was done and ends in failed
 * (-SK_EDENIED / the plugin's error, ei says why). */
int sk_govern_apply(struct sk_govern *g, int64_t id, const char *actor, struct sk_errinfo *ei);
/* active/provisional → reverted at once. */
int sk_govern_revoke(struct sk_govern *g, int64_t id, const char *actor, const char *reason,
                     int false_positive, struct sk_errinfo *ei);

struct sk_govern_tick {
    uint32_t expired, lapsed, resumed, retried, failed;
};
/* Expiry (TTL), ratification windows, and any runner step a crash left in
 * flight. now = 0: the wall clock. Callable any time, by the CLI and the
 * daemon's scheduler. */
int sk_govern_tick(struct sk_govern *g, sk_nstime now, struct sk_govern_tick *out,
                   struct sk_errinfo *ei);
/* tick, then apply and verify again every active action (plugins are
 * idempotent), after a restart or a crash. */
int sk_govern_reconcile(struct sk_govern *g, struct sk_govern_tick *out, uint32_t *checked,
                        struct sk_errinfo *ei);

/* --- cases ----------------------------------------------------------------- */

int sk_govern_case_new(struct sk_govern *g, const char *title, const char *target,
                       const char *actor, const int64_t *findings, size_t n, int64_t *id,
                       struct sk_errinfo *ei);
int sk_govern_case_add(struct sk_govern *g, int64_t case_id, const int64_t *findings, size_t n,
                       const char *actor, struct sk_errinfo *ei);
/* Closes a case with no open proposal left; its findings are then subject
 * to retention again. */
int sk_govern_case_close(struct sk_govern *g, int64_t case_id, const char *actor,
                         struct sk_errinfo *ei);

/* --- reading ------------------------------------------------------------------ */

/* A proposal with its approvals and runs as a JSON object (caller decrefs). */
int sk_govern_proposal_json(struct sk_govern *g, int64_t id, struct json_t **out);
/* Proposals, newest first; state < 0 for all. */
int sk_govern_list_json(struct sk_govern *g, int state, struct json_t **out);
int sk_govern_case_json(struct sk_govern *g, int64_t id, struct json_t **out);
int sk_govern_cases_json(struct sk_govern *g, struct json_t **out);

/* Does the governance state agree with the audit log? Replays every
 * proposal's transitions from the log and compares the result, and the
 * number of verdicts, with the tables. 0 when they agree, 1 (problem says
 * where) when not, < 0 on error. Run it after sk_audit_verify: the log is
 * the record the tables must match. */
int sk_govern_check_log(struct sk_govern *g, uint64_t *checked, char *problem, size_t len);

/* --- retention --------------------------------------------------------------- */

struct sk_retention_result {
    const char *class_name; /* events, detections, pdns, audit */
    const char *table;
    uint64_t purged;
    uint64_t held;          /* kept because open or recent proposals cite them */
    sk_nstime before;
    int skipped;            /* the class's table does not exist in this store */
};
/* Deletes what each class's retention period has expired, one transaction,
 * one audit entry per class. res has room for n results; returns how many. */
int sk_govern_retention_purge(struct sk_govern *g, sk_nstime now, const char *actor, int dry_run,
                              struct sk_retention_result *res, size_t n, struct sk_errinfo *ei);

#endif
