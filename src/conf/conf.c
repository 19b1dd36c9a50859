/*
 * conf.c — YAML → typed, validated struct sk_conf.
 *
 * The document is parsed whole by libfyaml, then walked against the
 * descriptor table (schema.c): every key must be known, every value must have
 * the declared type and lie in range. The first problem stops the load and
 * is reported as file:line:column with what was expected. Strings and arrays
 * are copied into the conf's arena, so one sk_conf_free() releases all.
 */
#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/schema.h"
#include "sakimori/addr.h"
#include "sakimori/conf.h"
#include "sakimori/error.h"
#include "sakimori/file.h"
#include "sakimori/nstime.h"

#define SK_CONF_MAX_BYTES (16u << 20)

struct walk {
    const char *name; /* file name for messages */
    struct sk_conf *conf;
    struct sk_errinfo *ei;
};

static void node_pos(struct fy_node *n, int *line, int *col)
{
    struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

    *line = m ? m->line + 1 : 0;
    *col = m ? m->column + 1 : 0;
}

__attribute__((format(printf, 3, 4)))
static int werr(struct walk *w, struct fy_node *at, const char *fmt, ...)
{
    char msg[400];
    int line, col;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    node_pos(at, &line, &col);
    if (line)
        sk_errinfo_set(w->ei, "%s:%d:%d: %s", w->name, line, col, msg);
    else
        sk_errinfo_set(w->ei, "%s: %s", w->name, msg);
    return -SK_ECONF;
}

static const char *scalar(struct fy_node *n)
{
    if (!n || fy_node_get_type(n) != FYNT_SCALAR)
        return NULL;
    return fy_node_get_scalar0(n);
}

static int parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *suffix;
        uint64_t mul;
    } units[] = {{"", 1}, {"B", 1}, {"KiB", 1ULL << 10}, {"MiB", 1ULL << 20},
                 {"GiB", 1ULL << 30}, {"TiB", 1ULL << 40}, {"K", 1000},
                 {"M", 1000000}, {"G", 1000000000}};
    char *end;

    if (!isdigit((unsigned char)*s))
        return -SK_EPARSE;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -SK_EPARSE;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) == 0) {
            if (v > UINT64_MAX / units[i].mul)
                return -SK_ETOOBIG;
            *out = v * units[i].mul;
            return 0;
        }
    }
    return -SK_EPARSE;
}

static const char *type_word(const struct sk_conf_field *f)
{
    switch (f->type) {
    case SK_CT_BOOL: return "true or false";
    case SK_CT_INT: case SK_CT_U32: return "an integer";
    case SK_CT_DOUBLE: return "a number";
    case SK_CT_DURATION: return "a duration like 30s, 15m, 24h or 7d";
    case SK_CT_SIZE: return "a size like 4096, 64KiB or 1GiB";
    case SK_CT_STRING: return "a string";
    case SK_CT_ENUM: return "one of the listed words";
    case SK_CT_STRLIST: return "a list of strings";
    case SK_CT_PREFIXES: return "a list of IP prefixes";
    case SK_CT_SECTION: return "a mapping";
    case SK_CT_SECTLIST: return "a list of mappings";
    }
    return "?";
}

static int walk_section(struct walk *w, struct fy_node *map,
                        const struct sk_conf_field *fields, const char *path,
                        void *base);

static int set_field(struct walk *w, const struct sk_conf_field *f,
                     struct fy_node *key, struct fy_node *val, const char *path,
                     void *base)
{
    char *dst = (char *)base + f->offset;
    const char *s = scalar(val);
    struct fy_node *at = s ? val : key;
    struct sk_arena *ar = &w->conf->arena;

    if (f->type == SK_CT_SECTION) {
        if (!val || fy_node_get_type(val) != FYNT_MAPPING)
            return werr(w, key, "'%s': expected a mapping", path);
        return walk_section(w, val, f->fields, path, dst);
    }
    if (f->type == SK_CT_SECTLIST) {
        struct {
            void *v;
            size_t n;
        } *l = (void *)dst;
        if (!val || fy_node_get_type(val) != FYNT_SEQUENCE)
            return werr(w, key, "'%s': expected a list of mappings", path);
        int n = fy_node_sequence_item_count(val);
        void *iter = NULL;
        struct fy_node *item;
        size_t i = 0;
        if (!(l->v = sk_arena_calloc(ar, f->elem_size * (size_t)(n + 1))))
            return -SK_ENOMEM;
        while ((item = fy_node_sequence_iterate(val, &iter))) {
            char sub[300];
            void *elem = (char *)l->v + i * f->elem_size;
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (fy_node_get_type(item) != FYNT_MAPPING)
                return werr(w, scalar(item) ? item : key, "'%s': expected a mapping", sub);
            if (f->elem_init)
                f->elem_init(elem);
            int rc = walk_section(w, item, f->fields, sub, elem);
            if (rc < 0)
                return rc;
            i++;
        }
        l->n = i;
        return 0;
    }
    if (f->type == SK_CT_STRLIST || f->type == SK_CT_PREFIXES) {
        if (!val || fy_node_get_type(val) != FYNT_SEQUENCE)
            return werr(w, key, "'%s': expected %s", path, type_word(f));
        int n = fy_node_sequence_item_count(val);
        void *iter = NULL;
        struct fy_node *item;
        size_t i = 0;
        if (f->type == SK_CT_STRLIST) {
            struct sk_strlist *l = (struct sk_strlist *)dst;
            l->v = sk_arena_calloc(ar, sizeof(char *) * (size_t)(n + 1));
            if (!l->v)
                return -SK_ENOMEM;
            while ((item = fy_node_sequence_iterate(val, &iter))) {
                const char *is = scalar(item);
                if (!is)
                    return werr(w, key, "'%s' item %zu: expected a string", path, i + 1);
                if (f->item_check) {
                    struct sk_errinfo why = {""};
                    if (f->item_check(is, &why) < 0)
                        return werr(w, item, "'%s': '%s': %s", path, is, why.msg);
                }
                if (!(l->v[i++] = sk_arena_strdup(ar, is)))
                    return -SK_ENOMEM;
            }
            l->n = i;
        } else {
            struct sk_prefix_list *l = (struct sk_prefix_list *)dst;
            l->v = sk_arena_calloc(ar, sizeof(struct sk_prefix) * (size_t)(n + 1));
            if (!l->v)
                return -SK_ENOMEM;
            while ((item = fy_node_sequence_iterate(val, &iter))) {
                const char *is = scalar(item);
                if (!is)
                    return werr(w, key, "'%s' item %zu: expected an IP prefix", path, i + 1);
                int rc = sk_prefix_parse(is, &l->v[i], 0);
                if (rc == -SK_EINVAL)
                    return werr(w, item, "'%s': '%s' has host bits set beyond the prefix length",
                                path, is);
                if (rc < 0)
                    return werr(w, item, "'%s': '%s' is not an IP prefix (expected like 192.0.2.0/24 or 2001:db8::/32)",
                                path, is);
                i++;
            }
            l->n = i;
        }
        return 0;
    }
    if (!s)
        return werr(w, at, "'%s': expected %s", path, type_word(f));

    switch (f->type) {
    case SK_CT_BOOL:
        if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
            *(int *)dst = 1;
        else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
            *(int *)dst = 0;
        else
            return werr(w, at, "'%s': expected true or false, got '%s'", path, s);
        return 0;
    case SK_CT_INT:
    case SK_CT_U32: {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || *end || v < f->min || v > f->max)
            return werr(w, at, "'%s': expected an integer in [%lld, %lld], got '%s'",
                        path, (long long)f->min, (long long)f->max, s);
        if (f->type == SK_CT_INT)
            *(int64_t *)dst = v;
        else
            *(uint32_t *)dst = (uint32_t)v;
        return 0;
    }
    case SK_CT_DOUBLE: {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v) || v < f->dmin || v > f->dmax)
            return werr(w, at, "'%s': expected a number in [%g, %g], got '%s'", path,
                        f->dmin, f->dmax, s);
        *(double *)dst = v;
        return 0;
    }
    case SK_CT_DURATION: {
        uint64_t v = 0;
        char lo[32], hi[32];
        if (sk_duration_parse(s, &v) < 0 || v < (uint64_t)f->min || v > (uint64_t)f->max)
            return werr(w, at, "'%s': expected a duration between %s and %s (like 30s, 15m, 24h, 7d), got '%s'",
                        path, sk_duration_fmt((uint64_t)f->min, lo, sizeof lo),
                        sk_duration_fmt((uint64_t)f->max, hi, sizeof hi), s);
        *(uint64_t *)dst = v;
        return 0;
    }
    case SK_CT_SIZE: {
        uint64_t v = 0;
        if (parse_size(s, &v) < 0 || v < (uint64_t)f->min || v > (uint64_t)f->max)
            return werr(w, at, "'%s': expected a size between %lld and %lld bytes (like 64KiB, 1GiB), got '%s'",
                        path, (long long)f->min, (long long)f->max, s);
        *(uint64_t *)dst = v;
        return 0;
    }
    case SK_CT_STRING:
        if (!(*(char **)dst = sk_arena_strdup(ar, s)))
            return -SK_ENOMEM;
        return 0;
    case SK_CT_ENUM:
        for (int i = 0; f->names[i]; i++) {
            if (strcmp(s, f->names[i]) == 0) {
                *(int *)dst = i;
                return 0;
            }
        }
        {
            char known[200] = "";
            size_t k = 0;
            for (int i = 0; f->names[i] && k < sizeof known - 32; i++)
                k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", i ? ", " : "",
                                      f->names[i]);
            return werr(w, at, "'%s': expected one of %s, got '%s'", path, known, s);
        }
    }
    return werr(w, at, "'%s': unsupported setting type", path);
}

static int walk_section(struct walk *w, struct fy_node *map,
                        const struct sk_conf_field *fields, const char *path,
                        void *base)
{
    void *iter = NULL;
    struct fy_node_pair *pair;
    int rc;

    while ((pair = fy_node_mapping_iterate(map, &iter))) {
        struct fy_node *key = fy_node_pair_key(pair);
        struct fy_node *val = fy_node_pair_value(pair);
        const char *k = scalar(key);
        const struct sk_conf_field *f;
        char sub[256];

        if (!k)
            return werr(w, key, "keys must be plain words");
        for (f = fields; f->key; f++)
            if (strcmp(f->key, k) == 0)
                break;
        if (!f->key) {
            char known[256] = "";
            size_t n = 0;
            for (const struct sk_conf_field *g = fields; g->key && n < sizeof known - 40; g++)
                n += (size_t)snprintf(known + n, sizeof known - n, "%s%s",
                                      g == fields ? "" : ", ", g->key);
            return werr(w, key, "unknown key '%s' in %s%s%s (known: %s)", k,
                        *path ? "'" : "", *path ? path : "the top level",
                        *path ? "'" : "", known);
        }
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
        if (!val || (fy_node_get_type(val) == FYNT_SCALAR && f->type != SK_CT_STRING &&
                     fy_node_get_scalar_length(val) == 0 && f->type != SK_CT_SECTION &&
                     f->type != SK_CT_SECTLIST))
            return werr(w, key, "'%s': missing value (expected %s)", sub, type_word(f));
        if ((rc = set_field(w, f, key, val, sub, base)) < 0)
            return rc;
    }
    return 0;
}

static int load_doc(struct fy_document *fyd, const char *name, struct sk_conf *c,
                    struct sk_errinfo *ei)
{
    struct walk w = {.name = name, .conf = c, .ei = ei};
    struct fy_node *root = fy_document_root(fyd);

    if (!root)
        return 0; /* empty file: defaults */
    if (fy_node_get_type(root) != FYNT_MAPPING)
        return werr(&w, root, "the top level must be a mapping of sections");
    return walk_section(&w, root, sk__conf_root, "", c);
}

/* Collects libfyaml's own syntax error as "file:line:col: message". */
static int yaml_error(struct fy_diag *diag, const char *name, struct sk_errinfo *ei)
{
    void *iter = NULL;
    struct fy_diag_error *e = fy_diag_errors_iterate(diag, &iter);

    if (e)
        return sk_fail(ei, -SK_ECONF, "%s:%d:%d: YAML syntax: %s", name, e->line + 1,
                       e->column + 1, e->msg);
    return sk_fail(ei, -SK_ECONF, "%s: YAML syntax error", name);
}

/* YAML admits printable Unicode, tab and line breaks only (YAML 1.2 §5.1).
 * Checking that up front, with a precise position, also keeps bytes libfyaml
 * mishandles (a NUL inside a directive makes 0.7.12 loop forever) away from
 * it. */
static int check_chars(const char *text, size_t len, const char *name, struct sk_errinfo *ei)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t line = 1, col = 1;

    for (size_t i = 0; i < len;) {
        unsigned c = p[i], n = 0;
        if (c == '\n') {
            line++;
            col = 1;
            i++;
            continue;
        }
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
                return sk_fail(ei, -SK_ECONF, "%s:%zu:%zu: control character 0x%02x is not allowed in YAML",
                               name, line, col, c);
            i++;
            col++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            n = 1;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3;
        if (!n || i + n >= len)
            return sk_fail(ei, -SK_ECONF, "%s:%zu:%zu: invalid UTF-8 byte 0x%02x", name, line, col, c);
        for (unsigned k = 1; k <= n; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return sk_fail(ei, -SK_ECONF, "%s:%zu:%zu: invalid UTF-8 sequence", name, line, col);
        i += n + 1;
        col++;
    }
    return 0;
}

/* Only blank lines and comments? */
static int blank_yaml(const char *text, size_t len)
{
    int in_comment = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (ch == '\n')
            in_comment = 0;
        else if (ch == '#')
            in_comment = 1;
        else if (!in_comment && !isspace((unsigned char)ch))
            return 0;
    }
    return 1;
}

static int load_common(const char *text, size_t len, const char *name,
                       struct sk_conf **out, struct sk_errinfo *ei)
{
    struct fy_diag_cfg dcfg;
    struct fy_diag *diag;
    struct fy_parse_cfg pcfg = {0};
    struct fy_document *fyd;
    struct sk_conf *c;
    int rc;

    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = NULL;
    dcfg.level = FYET_ERROR;
    if (!(diag = fy_diag_create(&dcfg)))
        return -SK_ENOMEM;
    fy_diag_set_collect_errors(diag, true);
    pcfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
    pcfg.diag = diag;

    if (!(c = calloc(1, sizeof *c))) {
        fy_diag_destroy(diag);
        return -SK_ENOMEM;
    }
    sk_conf_defaults(c);
    if ((rc = check_chars(text, len, name, ei)) < 0) {
        fyd = NULL;
        goto out;
    }
    if (blank_yaml(text, len)) {
        /* empty, or only comments: libfyaml makes no document; defaults stand */
        fyd = NULL;
        rc = (c->path = sk_arena_strdup(&c->arena, name)) ? 0 : -SK_ENOMEM;
        goto out;
    }
    fyd = fy_document_build_from_string(&pcfg, text, len);
    if (!fyd) {
        rc = yaml_error(diag, name, ei);
        goto out;
    }
    if ((rc = load_doc(fyd, name, c, ei)) < 0)
        goto out;
    if (!(c->path = sk_arena_strdup(&c->arena, name)))
        rc = -SK_ENOMEM;
out:
    if (fyd)
        fy_document_destroy(fyd);
    fy_diag_destroy(diag);
    if (rc < 0) {
        sk_conf_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int sk_conf_load_string(const char *text, size_t len, const char *name,
                        struct sk_conf **out, struct sk_errinfo *ei)
{
    return load_common(text, len, name, out, ei);
}

int sk_conf_load(const char *path, struct sk_conf **out, struct sk_errinfo *ei)
{
    if (!path) {
        if (access(SK_CONF_LOCAL, F_OK) == 0)
            path = SK_CONF_LOCAL;
        else if (access(SK_CONF_SYSTEM, F_OK) == 0)
            path = SK_CONF_SYSTEM;
    }
    if (!path) {
        struct sk_conf *c = calloc(1, sizeof *c);
        if (!c)
            return -SK_ENOMEM;
        sk_conf_defaults(c);
        c->path = sk_arena_strdup(&c->arena, "(embedded defaults)");
        *out = c;
        return 0;
    }
    char *text;
    size_t len;
    int rc = sk_read_file(path, SK_CONF_MAX_BYTES, &text, &len, ei);
    if (rc < 0) {
        if (rc != -SK_ETOOBIG && rc != -SK_ENOMEM)
            sk_errinfo_set(ei, "%s: cannot read configuration: %s", path, sk_strerror(rc));
        return rc;
    }
    rc = load_common(text, len, path, out, ei);
    free(text);
    return rc;
}

void sk_conf_free(struct sk_conf *c)
{
    if (!c)
        return;
    sk_arena_free(&c->arena);
    free(c);
}
