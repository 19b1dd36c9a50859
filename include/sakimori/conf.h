/*
 * conf.h — load and validate configuration.
 *
 * Errors name the file, line and column and what was expected:
 *   sakimori.yaml:7:3: unknown key 'idle_timout' in 'flow' (known: …)
 *   sakimori.yaml:9:19: 'max_flows': expected an integer in [1024, 100000000]
 */
#ifndef SAKIMORI_CONF_H
#define SAKIMORI_CONF_H

#include "sakimori/conf-t.h"
#include "sakimori/error.h"

/* Default search path when --config is not given. */
#define SK_CONF_LOCAL "./sakimori.yaml"
#define SK_CONF_SYSTEM "/etc/sakimori/sakimori.yaml"

/* Fills c with the embedded defaults. */
void sk_conf_defaults(struct sk_conf *c);
/* path NULL: the first of SK_CONF_LOCAL, SK_CONF_SYSTEM that exists, else
 * the embedded defaults. Returns a malloc'd conf (free with sk_conf_free). */
int sk_conf_load(const char *path, struct sk_conf **out, struct sk_errinfo *ei);
/* Parses YAML text (for tests and fuzzing); name is used in messages. */
int sk_conf_load_string(const char *text, size_t len, const char *name,
                        struct sk_conf **out, struct sk_errinfo *ei);
void sk_conf_free(struct sk_conf *c);

#endif
