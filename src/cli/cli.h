/*
 * cli.h — what the subcommands of `sakimori` share.
 */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <stdio.h>

#include "sakimori/conf.h"
#include "sakimori/error.h"

/* Exit status: the contract with scripts. */
enum {
    SK_EXIT_OK = 0,       /* success, nothing found */
    SK_EXIT_FINDINGS = 1, /* findings, or a refusal a script must see */
    SK_EXIT_ERROR = 2,    /* usage or input error */
};

struct sk_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

/* Options every subcommand takes. */
struct sk_cli_common {
    const char *config; /* --config */
    int json;           /* --json */
    int quiet;          /* --quiet */
};

/* Prints "sakimori CMD: message" and a hint to --help; returns SK_EXIT_ERROR. */
int sk_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "sakimori: message" for an error with its detail; returns SK_EXIT_ERROR. */
int sk_cli_fail(const char *cmd, int err, const struct sk_errinfo *ei);
/* Loads the configuration named by --config (or the default search) and
 * applies its log settings; prints the error and returns NULL on failure. */
struct sk_conf *sk_cli_load_conf(const char *cmd, const struct sk_cli_common *common);
/* Loads warninglists from paths, or when npaths is 0 from the configuration
 * (intel.warninglists); prints the error and returns SK_EXIT_ERROR on failure. */
struct sk_warninglists;
int sk_cli_load_warninglists(const char *cmd, const struct sk_conf *conf,
                             const char *const *paths, size_t npaths,
                             struct sk_warninglists **out);
/* Whether progress may be drawn (stderr is a terminal and not --quiet). */
int sk_cli_progress_ok(const struct sk_cli_common *common);

int sk_cmd_scan(int argc, char **argv);
int sk_cmd_pdns(int argc, char **argv);
int sk_cmd_synth(int argc, char **argv);
int sk_cmd_intel(int argc, char **argv);
int sk__cmd_intel_import(int argc, char **argv);
int sk__cmd_intel_list(int argc, char **argv);
int sk__cmd_intel_export(int argc, char **argv);
int sk__cmd_intel_stats(int argc, char **argv);
/* The matching snapshot: intel.lists, the given lists, and (intel.use_store)
 * the store's live indicators; prints the error and returns SK_EXIT_ERROR on
 * failure. *from_store (may be NULL) counts the store's assertions loaded. */
struct sk_intel;
int sk_cli_load_intel(const char *cmd, const struct sk_conf *conf, const char *db,
                      const char *const *lists, size_t nlists, struct sk_intel **out,
                      size_t *from_store);
int sk_cmd_bench(int argc, char **argv);
int sk_cmd_bench_match(int argc, char **argv);
int sk_cmd_collect(int argc, char **argv);
int sk_cmd_cases(int argc, char **argv);
int sk_cmd_propose(int argc, char **argv);
int sk_cmd_approve(int argc, char **argv);
int sk_cmd_reject(int argc, char **argv);
int sk_cmd_revoke(int argc, char **argv);
int sk_cmd_actions(int argc, char **argv);
int sk_cmd_audit(int argc, char **argv);
int sk_cmd_keygen(int argc, char **argv);
int sk_cmd_sign(int argc, char **argv);
int sk_cmd_verify(int argc, char **argv);
int sk_cmd_act(int argc, char **argv);
int sk_cmd_intel_train_dga(int argc, char **argv);

#endif
