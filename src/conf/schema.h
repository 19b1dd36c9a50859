/*
 * schema.h — the descriptor types the configuration schema is written in
 * (internal to src/conf).
 */
#ifndef SK_CONF_SCHEMA_H
#define SK_CONF_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/conf-t.h"
#include "sakimori/error.h"

enum sk_conf_type {
    SK_CT_BOOL = 1, /* int: 0/1 */
    SK_CT_INT,      /* int64_t within [min, max] */
    SK_CT_U32,      /* uint32_t within [min, max] */
    SK_CT_DOUBLE,   /* double within [dmin, dmax] */
    SK_CT_DURATION, /* uint64_t ns within [min, max] ns */
    SK_CT_SIZE,     /* uint64_t bytes: 512, 64KiB, 1MiB, 2GiB */
    SK_CT_STRING,   /* char * */
    SK_CT_ENUM,     /* int: index into names */
    SK_CT_STRLIST,  /* struct sk_strlist */
    SK_CT_PREFIXES, /* struct sk_prefix_list */
    SK_CT_SECTION,  /* nested mapping described by fields */
    SK_CT_SECTLIST, /* a list of mappings described by fields, stored as
                       { void *v; size_t n; } of elem_size elements, each
                       set up by elem_init before its keys are read */
};

struct sk_conf_field {
    const char *key;
    uint8_t type;
    size_t offset;
    int64_t min, max;
    double dmin, dmax;
    const char *const *names;           /* SK_CT_ENUM, NULL-terminated */
    const struct sk_conf_field *fields; /* SK_CT_SECTION, SK_CT_SECTLIST */
    size_t elem_size;                   /* SK_CT_SECTLIST */
    void (*elem_init)(void *elem);      /* SK_CT_SECTLIST, may be NULL */
    /* SK_CT_STRLIST, optional: checks one item; on failure fills why and
     * returns < 0, and the load stops at that item's line and column. */
    int (*item_check)(const char *item, struct sk_errinfo *why);
};

/* The root of the schema (schema.c). */
extern const struct sk_conf_field sk__conf_root[];

#endif
