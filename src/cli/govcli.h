/*
 * govcli.h — what the governance and audit commands share: opening the
 * store with its audit log and governance handle, who is acting, output.
 */
#ifndef SK_CLI_GOVCLI_H
#define SK_CLI_GOVCLI_H

#include <jansson.h>
#include <stdint.h>

#include "cli/cli.h"
#include "sakimori/audit.h"
#include "sakimori/govern.h"
#include "sakimori/store.h"

struct govcli {
    struct sk_conf *conf;
    struct sk_store *store;
    struct sk_audit *audit;
    struct sk_govern *govern;
};

/* Loads the configuration, opens the store (db, else store.path), the
 * audit log (mode SK_AUDIT_READ or SK_AUDIT_WRITE) and, when want_govern,
 * the governance handle. Prints the error and returns SK_EXIT_ERROR on
 * failure, 0 on success. */
int sk_govcli_open(const char *cmd, const struct sk_cli_common *common, const char *db, int mode,
                   int want_govern, struct govcli *gc);
void sk_govcli_close(struct govcli *gc);

/* Who is acting: --as, else $SAKIMORI_USER, else $USER, else "operator". */
const char *sk_govcli_actor(const char *as);

/* Parses a positive integer id; 0 on error. */
int64_t sk_govcli_id(const char *s);
/* Time given as RFC 3339 or "now"; -SK_EPARSE otherwise. */
int sk_govcli_time(const char *s, sk_nstime *out);

/* Prints a JSON value on one line (--json). */
void sk_govcli_print_json(const json_t *v);
/* Prints a proposal for people. */
void sk_govcli_print_proposal(const json_t *p, int with_checks);
/* Prints a safeguard report's checks, refusals first with what would pass. */
void sk_govcli_print_checks(const json_t *report);

/* Appends a "data.read" entry: who looked at what. */
void sk_govcli_audit_read(struct govcli *gc, const char *actor, const char *subject,
                          const char *what);

#endif
