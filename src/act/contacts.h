/*
 * contacts.h — registries that map a network resource to whom to write
 * (internal to src/act):
 *   the abuse-contact database for takedown requests (RDAP-like JSON:
 *     ip network and domain objects with abuse entities), and
 *   the operator registry for victim notifications (operators and the
 *     prefixes they own).
 * Both are loaded whole, validated, and searched by longest match.
 */
#ifndef SK_ACT_CONTACTS_H
#define SK_ACT_CONTACTS_H

#include <stddef.h>

#include "sakimori/addr-t.h"
#include "sakimori/error.h"

#define SK_CONTACTS_MAX_BYTES (64u << 20)

struct sk_contact {
    const char *handle;  /* of the network/domain object */
    const char *name;    /* its name, or the abuse entity's fn */
    const char *email;   /* the abuse mailbox */
    const char *country; /* may be NULL */
    char matched[256];   /* what matched: "203.0.113.0/24" or "evil.example" */
};

struct sk_contacts;

/* Parses the abuse-contact database from text (name for messages). Errors
 * name the JSON path: "contacts.json: networks[3].cidr0_cidrs[0]: …". */
int sk__contacts_parse(const char *text, size_t len, const char *name, struct sk_contacts **out,
                       struct sk_errinfo *ei);
int sk__contacts_load(const char *path, struct sk_contacts **out, struct sk_errinfo *ei);
void sk__contacts_free(struct sk_contacts *c);
/* The abuse contact for an address (longest prefix) or a host name
 * (longest domain suffix). -SK_ENOTFOUND if none. */
int sk__contacts_for_addr(const struct sk_contacts *c, const struct sk_addr *a,
                          struct sk_contact *out);
int sk__contacts_for_name(const struct sk_contacts *c, const char *name, struct sk_contact *out);

/* --- operator registry (victim notification) --- */

struct sk_operator {
    const char *id, *name, *email;
};

struct sk_operators;

/* {"operators": [{"id", "name", "email", "prefixes": ["198.51.100.0/24", …]}]} */
int sk__operators_parse(const char *text, size_t len, const char *name,
                        struct sk_operators **out, struct sk_errinfo *ei);
int sk__operators_load(const char *path, struct sk_operators **out, struct sk_errinfo *ei);
void sk__operators_free(struct sk_operators *o);
/* The operator owning a, by longest prefix; NULL if none. */
const struct sk_operator *sk__operators_for_addr(const struct sk_operators *o,
                                                 const struct sk_addr *a);

#endif
