/*
 * pattern.c — the STIX 2.1 patterning language: lexer, parser, and the
 * translation of a pattern into indicators that enforce it exactly.
 *
 * The lexer follows STIXPattern.g4's token rules, including ANTLR's
 * longest-match-then-first-rule order (so "ANDx" is an identifier, "true"
 * a boolean, "h'0f'" a hex literal, "ipv4-addr" an identifier with hyphen),
 * its Unicode whitespace and its block and line comments. The parser is
 * recursive descent over the grammar's precedence levels:
 *   observationExpressions  FOLLOWEDBY  <  OR  <  AND  <  [ … ] / ( … ) + qualifiers
 *   comparisonExpression    OR  <  AND  <  propTest / ( … )
 * building a small tree in an arena. Depth (nested parentheses) is capped
 * at MAX_DEPTH and the pattern at MAX_PATTERN bytes: both come from
 * untrusted feeds.
 *
 * Translation: a pattern is enforceable exactly when it is a disjunction of
 * comparisons each of which means "the observed value is this one" (or in
 * this prefix, or this name and its subdomains) — see intel-feed.h for the
 * list. Anything else is refused with the reason, never approximated.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sakimori/addr.h"
#include "sakimori/arena.h"
#include "sakimori/intel-feed.h"

#define MAX_PATTERN (64 * 1024)
#define MAX_DEPTH 100
#define MAX_IOCS 4096

/* --- tokens ------------------------------------------------------------------ */

enum tok {
    T_EOF, T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COLON, T_DOT, T_COMMA,
    T_EQ, T_NEQ, T_LT, T_LE, T_GT, T_GE, T_ASTERISK, T_PLUS, T_MINUS, T_POWER, T_DIVIDE,
    T_AND, T_OR, T_NOT, T_FOLLOWEDBY, T_LIKE, T_MATCHES, T_ISSUPERSET, T_ISSUBSET,
    T_EXISTS, T_LAST, T_IN, T_START, T_STOP, T_SECONDS, T_WITHIN, T_REPEATS, T_TIMES,
    T_BOOL, T_IDENT, T_IDENT_HYPHEN, T_INT_POS, T_INT_NEG, T_FLOAT_POS, T_FLOAT_NEG,
    T_STRING, T_HEX, T_BINARY, T_TIMESTAMP,
};

static const char *const tok_names[] = {
    [T_EOF] = "end of pattern", [T_LBRACK] = "'['", [T_RBRACK] = "']'", [T_LPAREN] = "'('",
    [T_RPAREN] = "')'", [T_COLON] = "':'", [T_DOT] = "'.'", [T_COMMA] = "','", [T_EQ] = "'='",
    [T_NEQ] = "'!='", [T_LT] = "'<'", [T_LE] = "'<='", [T_GT] = "'>'", [T_GE] = "'>='",
    [T_ASTERISK] = "'*'", [T_PLUS] = "'+'", [T_MINUS] = "'-'", [T_POWER] = "'^'",
    [T_DIVIDE] = "'/'", [T_AND] = "AND", [T_OR] = "OR", [T_NOT] = "NOT",
    [T_FOLLOWEDBY] = "FOLLOWEDBY", [T_LIKE] = "LIKE", [T_MATCHES] = "MATCHES",
    [T_ISSUPERSET] = "ISSUPERSET", [T_ISSUBSET] = "ISSUBSET", [T_EXISTS] = "EXISTS",
    [T_LAST] = "LAST", [T_IN] = "IN", [T_START] = "START", [T_STOP] = "STOP",
    [T_SECONDS] = "SECONDS", [T_WITHIN] = "WITHIN", [T_REPEATS] = "REPEATS", [T_TIMES] = "TIMES",
    [T_BOOL] = "a boolean", [T_IDENT] = "an identifier", [T_IDENT_HYPHEN] = "an identifier",
    [T_INT_POS] = "an integer", [T_INT_NEG] = "an integer", [T_FLOAT_POS] = "a number",
    [T_FLOAT_NEG] = "a number", [T_STRING] = "a string", [T_HEX] = "a hex literal",
    [T_BINARY] = "a binary literal", [T_TIMESTAMP] = "a timestamp",
};

static const struct {
    const char *word;
    enum tok tok;
} keywords[] = {
    {"AND", T_AND}, {"OR", T_OR}, {"NOT", T_NOT}, {"FOLLOWEDBY", T_FOLLOWEDBY},
    {"LIKE", T_LIKE}, {"MATCHES", T_MATCHES}, {"ISSUPERSET", T_ISSUPERSET},
    {"ISSUBSET", T_ISSUBSET}, {"EXISTS", T_EXISTS}, {"LAST", T_LAST}, {"IN", T_IN},
    {"START", T_START}, {"STOP", T_STOP}, {"SECONDS", T_SECONDS}, {"true", T_BOOL},
    {"false", T_BOOL}, {"WITHIN", T_WITHIN}, {"REPEATS", T_REPEATS}, {"TIMES", T_TIMES},
};

struct lexer {
    const char *s, *p, *end;
    enum tok tok;
    const char *start; /* the current token's text */
    size_t len;
    char *str;         /* T_STRING: the decoded value (arena) */
    struct sk_arena *ar;
};

/* The grammar's whitespace: ASCII, U+0085, U+00A0, U+1680, U+2000–U+200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000 (in UTF-8). Returns its length. */
static size_t ws_len(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t left = (size_t)(end - p);
    if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\n' || *u == 0x0b || *u == 0x0c)
        return 1;
    if (left >= 2 && u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0))
        return 2;
    if (left >= 3 && u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)
        return 3;
    if (left >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
        ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
        return 3;
    if (left >= 3 && u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)
        return 3;
    if (left >= 3 && u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
        return 3;
    return 0;
}

/* Length of a string literal starting at the quote p (0 if unterminated or
 * with an escape other than \' and \\). */
static size_t string_len(const char *p, const char *end)
{
    const char *q = p + 1;
    while (q < end) {
        if (*q == '\'')
            return (size_t)(q + 1 - p);
        if (*q == '\\') {
            if (q + 1 >= end || (q[1] != '\'' && q[1] != '\\'))
                return 0;
            q += 2;
            continue;
        }
        q++;
    }
    return 0;
}

static size_t digits(const char *p, const char *end)
{
    size_t n = 0;
    while (p + n < end && isdigit((unsigned char)p[n]))
        n++;
    return n;
}

/* 't' ' YYYY-MM-DDTHH:MM:SS(.f+)? Z ' with the grammar's ranges. */
static size_t timestamp_len(const char *p, const char *end)
{
    const char *q = p + 2, *e;
#define NEED(c) do { if (q >= end || *q != (c)) return 0; q++; } while (0)
#define DIG2(lo, hi) do { if (end - q < 2 || !isdigit((unsigned char)q[0]) || !isdigit((unsigned char)q[1])) return 0; \
        int v_ = (q[0] - '0') * 10 + (q[1] - '0'); if (v_ < (lo) || v_ > (hi)) return 0; q += 2; } while (0)
    if (end - q < 4 || digits(q, end) < 4)
        return 0;
    q += 4;
    NEED('-');
    DIG2(1, 12);
    NEED('-');
    DIG2(1, 31);
    NEED('T');
    DIG2(0, 23);
    NEED(':');
    DIG2(0, 59);
    NEED(':');
    DIG2(0, 60);
    if (q < end && *q == '.') {
        q++;
        size_t d = digits(q, end);
        if (!d)
            return 0;
        q += d;
    }
    NEED('Z');
    NEED('\'');
    e = q;
    return (size_t)(e - p);
#undef NEED
#undef DIG2
}

static int is_b64(int c) { return isalnum(c) || c == '+' || c == '/'; }

static size_t binary_len(const char *p, const char *end)
{
    const char *q = p + 2;
    size_t n = 0;
    while (q + n < end && is_b64((unsigned char)q[n]))
        n++;
    size_t pad = 0;
    while (q + n + pad < end && q[n + pad] == '=' && pad < 2)
        pad++;
    if (q + n + pad >= end || q[n + pad] != '\'' || (n + pad) % 4 != 0 || n + pad == 0)
        return 0;
    return 2 + n + pad + 1;
}

static size_t hex_len(const char *p, const char *end)
{
    const char *q = p + 2;
    size_t n = 0;
    while (q + n < end && isxdigit((unsigned char)q[n]))
        n++;
    if (q + n >= end || q[n] != '\'' || n % 2)
        return 0;
    return 2 + n + 1;
}

/* Number literals: returns the token and sets *len, or T_EOF if none. */
static enum tok number(const char *p, const char *end, size_t *len)
{
    const char *q = p;
    int neg = 0;
    if (*q == '+' || *q == '-') {
        neg = *q == '-';
        q++;
    }
    size_t d = digits(q, end);
    /* float: [0-9]* '.' [0-9]+ */
    if (q + d < end && q[d] == '.') {
        size_t f = digits(q + d + 1, end);
        if (f) {
            *len = (size_t)(q + d + 1 + f - p);
            return neg ? T_FLOAT_NEG : T_FLOAT_POS;
        }
    }
    if (!d)
        return T_EOF;
    /* int: '0' | [1-9][0-9]* — a leading zero ends the literal after it */
    if (q[0] == '0')
        d = 1;
    *len = (size_t)(q + d - p);
    return neg ? T_INT_NEG : T_INT_POS;
}

static int lex(struct lexer *L, char *why, size_t wlen)
{
    const char *p = L->p, *end = L->end;
    size_t n;

    for (;;) {
        if (p < end && (n = ws_len(p, end))) {
            p += n;
        } else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
            const char *c = p + 2;
            while (c + 1 < end && !(c[0] == '*' && c[1] == '/'))
                c++;
            if (c + 1 >= end) {
                snprintf(why, wlen, "offset %zu: unterminated comment", (size_t)(p - L->s));
                return -1;
            }
            p = c + 2;
        } else if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
            while (p < end && *p != '\r' && *p != '\n')
                p++;
        } else {
            break;
        }
    }
    L->start = p;
    L->str = NULL;
    if (p >= end) {
        L->tok = T_EOF;
        L->len = 0;
        L->p = p;
        return 0;
    }
    unsigned char c = (unsigned char)*p;
    enum tok t = T_EOF;
    n = 1;
    /* literals with a one-letter prefix win over the identifier "h", "t", "b" */
    if ((c == 'h' || c == 't' || c == 'b') && end - p >= 2 && p[1] == '\'') {
        n = c == 'h' ? hex_len(p, end) : c == 't' ? timestamp_len(p, end) : binary_len(p, end);
        if (n)
            t = c == 'h' ? T_HEX : c == 't' ? T_TIMESTAMP : T_BINARY;
        else
            n = 1;
    }
    if (t != T_EOF) {
        /* done */
    } else if (isalpha(c) || c == '_') {
        size_t a = 1, h;
        while (p + a < end && (isalnum((unsigned char)p[a]) || p[a] == '_'))
            a++;
        h = a;
        while (p + h < end && (isalnum((unsigned char)p[h]) || p[h] == '_' || p[h] == '-'))
            h++;
        if (h > a) {
            t = T_IDENT_HYPHEN;
            n = h;
        } else {
            t = T_IDENT;
            n = a;
            for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
                if (strlen(keywords[k].word) == a && memcmp(keywords[k].word, p, a) == 0)
                    t = keywords[k].tok;
        }
    } else if (c == '\'') {
        if (!(n = string_len(p, end))) {
            snprintf(why, wlen, "offset %zu: unterminated string (or an escape other than \\' and \\\\)",
                     (size_t)(p - L->s));
            return -1;
        }
        t = T_STRING;
        char *d = sk_arena_alloc(L->ar, n);
        if (!d) {
            snprintf(why, wlen, "pattern too large");
            return -1;
        }
        size_t o = 0;
        for (const char *q = p + 1; q < p + n - 1; q++) {
            if (*q == '\\')
                q++;
            d[o++] = *q;
        }
        d[o] = '\0';
        L->str = d;
    } else if (isdigit(c) || c == '.' || ((c == '+' || c == '-') && p + 1 < end &&
                                         (isdigit((unsigned char)p[1]) || p[1] == '.'))) {
        size_t nl = 0;
        t = number(p, end, &nl);
        if (t == T_EOF) {
            t = c == '.' ? T_DOT : c == '+' ? T_PLUS : T_MINUS;
            n = 1;
        } else {
            n = nl;
        }
    } else {
        switch (c) {
        case '[': t = T_LBRACK; break;
        case ']': t = T_RBRACK; break;
        case '(': t = T_LPAREN; break;
        case ')': t = T_RPAREN; break;
        case ':': t = T_COLON; break;
        case ',': t = T_COMMA; break;
        case '*': t = T_ASTERISK; break;
        case '+': t = T_PLUS; break;
        case '-': t = T_MINUS; break;
        case '^': t = T_POWER; break;
        case '/': t = T_DIVIDE; break;
        case '=':
            t = T_EQ;
            n = end - p >= 2 && p[1] == '=' ? 2 : 1;
            break;
        case '!':
            if (end - p >= 2 && p[1] == '=') {
                t = T_NEQ;
                n = 2;
            }
            break;
        case '<':
            if (end - p >= 2 && (p[1] == '=' || p[1] == '>')) {
                t = p[1] == '=' ? T_LE : T_NEQ;
                n = 2;
            } else {
                t = T_LT;
            }
            break;
        case '>':
            if (end - p >= 2 && p[1] == '=') {
                t = T_GE;
                n = 2;
            } else {
                t = T_GT;
            }
            break;
        default:
            break;
        }
        if (t == T_EOF) {
            snprintf(why, wlen, "offset %zu: unexpected character '%s%c'", (size_t)(p - L->s),
                     isprint(c) ? "" : "\\x", isprint(c) ? c : '?');
            if (!isprint(c))
                snprintf(why, wlen, "offset %zu: unexpected byte 0x%02x", (size_t)(p - L->s), c);
            return -1;
        }
    }
    L->tok = t;
    L->len = n;
    L->p = p + n;
    return 0;
}

/* --- tree ------------------------------------------------------------------------ */

enum node_kind {
    N_FOLLOWEDBY, N_OBS_OR, N_OBS_AND, N_OBS, N_QUAL, N_C_OR, N_C_AND, N_TEST, N_EXISTS,
};

struct path {
    const char *type;      /* object type */
    const char *comp[8];   /* key components ("value", "hashes", "SHA-256"); index steps as "[]" */
    size_t ncomp;
    int deep;              /* more than 8 components */
};

struct literal {
    enum tok kind;
    const char *text; /* decoded string, or the token's text */
};

struct node {
    enum node_kind kind;
    struct node *l, *r;
    /* N_QUAL */
    enum tok qual;
    /* N_TEST, N_EXISTS */
    struct path path;
    int negated;
    enum tok op;
    struct literal lit;
    struct literal *set;
    size_t nset;
    size_t offset; /* where it starts, for messages */
};

struct parser {
    struct lexer L;
    char *why;
    size_t wlen;
    int depth;
};

static struct node *new_node(struct parser *P, enum node_kind k)
{
    struct node *n = sk_arena_calloc(P->L.ar, sizeof *n);
    if (!n)
        snprintf(P->why, P->wlen, "pattern too large");
    else
        n->kind = k;
    if (n)
        n->offset = (size_t)(P->L.start - P->L.s);
    return n;
}

static int advance(struct parser *P) { return lex(&P->L, P->why, P->wlen); }

static int expect(struct parser *P, enum tok t, const char *what)
{
    if (P->L.tok != t) {
        snprintf(P->why, P->wlen, "offset %zu: expected %s, found %s", (size_t)(P->L.start - P->L.s),
                 what ? what : tok_names[t], tok_names[P->L.tok]);
        return -1;
    }
    return advance(P);
}

static int fail_at(struct parser *P, const char *expected)
{
    snprintf(P->why, P->wlen, "offset %zu: expected %s, found %s", (size_t)(P->L.start - P->L.s),
             expected, tok_names[P->L.tok]);
    return -1;
}

static struct node *obs_exprs(struct parser *P);
static struct node *comp_expr(struct parser *P);

static int literal_of(struct parser *P, struct literal *lit, int orderable_only)
{
    enum tok t = P->L.tok;
    int ok = t == T_INT_POS || t == T_INT_NEG || t == T_FLOAT_POS || t == T_FLOAT_NEG ||
             t == T_STRING || t == T_BINARY || t == T_HEX || t == T_TIMESTAMP ||
             (!orderable_only && t == T_BOOL);
    if (!ok)
        return fail_at(P, orderable_only ? "an orderable literal" : "a literal");
    lit->kind = t;
    if (t == T_STRING) {
        lit->text = P->L.str;
    } else {
        char *d = sk_arena_strndup(P->L.ar, P->L.start, P->L.len);
        if (!d) {
            snprintf(P->why, P->wlen, "pattern too large");
            return -1;
        }
        lit->text = d;
    }
    return advance(P);
}

static int object_path(struct parser *P, struct path *path)
{
    if (P->L.tok != T_IDENT && P->L.tok != T_IDENT_HYPHEN)
        return fail_at(P, "an object type (like ipv4-addr)");
    path->type = sk_arena_strndup(P->L.ar, P->L.start, P->L.len);
    if (!path->type || advance(P) < 0 || expect(P, T_COLON, NULL) < 0)
        return -1;
    /* first component: identifier without hyphen or string */
    if (P->L.tok == T_IDENT) {
        path->comp[path->ncomp++] = sk_arena_strndup(P->L.ar, P->L.start, P->L.len);
    } else if (P->L.tok == T_STRING) {
        path->comp[path->ncomp++] = P->L.str;
    } else {
        return fail_at(P, "a property name");
    }
    if (advance(P) < 0)
        return -1;
    for (;;) {
        const char *c;
        if (P->L.tok == T_DOT) {
            if (advance(P) < 0)
                return -1;
            if (P->L.tok == T_IDENT)
                c = sk_arena_strndup(P->L.ar, P->L.start, P->L.len);
            else if (P->L.tok == T_STRING)
                c = P->L.str;
            else
                return fail_at(P, "a property name after '.'");
        } else if (P->L.tok == T_LBRACK) {
            /* an index step: '[' may also open… nothing else here */
            if (advance(P) < 0)
                return -1;
            if (P->L.tok != T_INT_POS && P->L.tok != T_INT_NEG && P->L.tok != T_ASTERISK)
                return fail_at(P, "an index or '*'");
            if (advance(P) < 0 || expect(P, T_RBRACK, NULL) < 0)
                return -1;
            c = "[]";
            if (path->ncomp < 8)
                path->comp[path->ncomp++] = c;
            else
                path->deep = 1;
            continue;
        } else {
            return 0;
        }
        if (!c || advance(P) < 0)
            return -1;
        if (path->ncomp < 8)
            path->comp[path->ncomp++] = c;
        else
            path->deep = 1;
    }
}

static struct node *prop_test(struct parser *P)
{
    struct node *n;

    if (P->L.tok == T_LPAREN) {
        if (++P->depth > MAX_DEPTH) {
            snprintf(P->why, P->wlen, "offset %zu: parentheses nested deeper than %d",
                     (size_t)(P->L.start - P->L.s), MAX_DEPTH);
            return NULL;
        }
        if (advance(P) < 0 || !(n = comp_expr(P)) || expect(P, T_RPAREN, NULL) < 0)
            return NULL;
        P->depth--;
        return n;
    }
    if (P->L.tok == T_NOT || P->L.tok == T_EXISTS) {
        /* NOT? EXISTS path — or the NOT of "path NOT op" cannot come first */
        int neg = 0;
        if (P->L.tok == T_NOT) {
            neg = 1;
            if (advance(P) < 0)
                return NULL;
        }
        if (P->L.tok != T_EXISTS) {
            fail_at(P, "EXISTS");
            return NULL;
        }
        if (!(n = new_node(P, N_EXISTS)) || advance(P) < 0 || object_path(P, &n->path) < 0)
            return NULL;
        n->negated = neg;
        return n;
    }
    if (!(n = new_node(P, N_TEST)) || object_path(P, &n->path) < 0)
        return NULL;
    if (P->L.tok == T_NOT) {
        n->negated = 1;
        if (advance(P) < 0)
            return NULL;
    }
    n->op = P->L.tok;
    switch (P->L.tok) {
    case T_EQ: case T_NEQ:
        if (advance(P) < 0 || literal_of(P, &n->lit, 0) < 0)
            return NULL;
        return n;
    case T_GT: case T_LT: case T_GE: case T_LE:
        if (advance(P) < 0 || literal_of(P, &n->lit, 1) < 0)
            return NULL;
        return n;
    case T_IN: {
        if (advance(P) < 0 || expect(P, T_LPAREN, "'(' opening a set") < 0)
            return NULL;
        size_t cap = 0;
        while (P->L.tok != T_RPAREN) {
            if (n->nset && expect(P, T_COMMA, "',' or ')'") < 0)
                return NULL;
            if (n->nset == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                struct literal *ns = sk_arena_alloc(P->L.ar, ncap * sizeof *ns);
                if (!ns) {
                    snprintf(P->why, P->wlen, "pattern too large");
                    return NULL;
                }
                if (n->nset)
                    memcpy(ns, n->set, n->nset * sizeof *ns);
                n->set = ns;
                cap = ncap;
            }
            if (literal_of(P, &n->set[n->nset++], 0) < 0)
                return NULL;
        }
        if (advance(P) < 0)
            return NULL;
        return n;
    }
    case T_LIKE: case T_MATCHES: case T_ISSUBSET: case T_ISSUPERSET:
        if (advance(P) < 0)
            return NULL;
        if (P->L.tok != T_STRING) {
            fail_at(P, "a string");
            return NULL;
        }
        n->lit.kind = T_STRING;
        n->lit.text = P->L.str;
        if (advance(P) < 0)
            return NULL;
        return n;
    default:
        fail_at(P, "a comparison operator (=, !=, <, >, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET)");
        return NULL;
    }
}

static struct node *binary(struct parser *P, enum node_kind k, struct node *l, struct node *r)
{
    struct node *n = new_node(P, k);
    if (n) {
        n->l = l;
        n->r = r;
        n->offset = l->offset; /* an expression starts where its left side does */
    }
    return n;
}

static struct node *comp_and(struct parser *P)
{
    struct node *l = prop_test(P), *r;
    while (l && P->L.tok == T_AND) {
        if (advance(P) < 0 || !(r = prop_test(P)))
            return NULL;
        l = binary(P, N_C_AND, l, r);
    }
    return l;
}

static struct node *comp_expr(struct parser *P)
{
    struct node *l = comp_and(P), *r;
    while (l && P->L.tok == T_OR) {
        if (advance(P) < 0 || !(r = comp_and(P)))
            return NULL;
        l = binary(P, N_C_OR, l, r);
    }
    return l;
}

static struct node *obs_expr(struct parser *P)
{
    struct node *n;

    if (++P->depth > MAX_DEPTH) {
        snprintf(P->why, P->wlen, "offset %zu: expressions nested deeper than %d",
                 (size_t)(P->L.start - P->L.s), MAX_DEPTH);
        return NULL;
    }
    if (P->L.tok == T_LBRACK) {
        if (!(n = new_node(P, N_OBS)) || advance(P) < 0 || !(n->l = comp_expr(P)) ||
            expect(P, T_RBRACK, "']' or a boolean operator") < 0)
            return NULL;
    } else if (P->L.tok == T_LPAREN) {
        if (advance(P) < 0 || !(n = obs_exprs(P)) || expect(P, T_RPAREN, NULL) < 0)
            return NULL;
    } else {
        fail_at(P, "'[' or '('");
        return NULL;
    }
    P->depth--;
    /* qualifiers, any number */
    for (;;) {
        enum tok q = P->L.tok;
        if (q != T_START && q != T_WITHIN && q != T_REPEATS)
            return n;
        struct node *w = new_node(P, N_QUAL);
        if (!w || advance(P) < 0)
            return NULL;
        w->qual = q;
        w->l = n;
        if (q == T_START) {
            if (expect(P, T_TIMESTAMP, NULL) < 0 || expect(P, T_STOP, NULL) < 0 ||
                expect(P, T_TIMESTAMP, NULL) < 0)
                return NULL;
        } else if (q == T_WITHIN) {
            if (P->L.tok != T_INT_POS && P->L.tok != T_FLOAT_POS) {
                fail_at(P, "a positive number of seconds");
                return NULL;
            }
            if (advance(P) < 0 || expect(P, T_SECONDS, NULL) < 0)
                return NULL;
        } else {
            if (expect(P, T_INT_POS, "a positive count") < 0 || expect(P, T_TIMES, NULL) < 0)
                return NULL;
        }
        n = w;
    }
}

static struct node *obs_and(struct parser *P)
{
    struct node *l = obs_expr(P), *r;
    while (l && P->L.tok == T_AND) {
        if (advance(P) < 0 || !(r = obs_expr(P)))
            return NULL;
        l = binary(P, N_OBS_AND, l, r);
    }
    return l;
}

static struct node *obs_or(struct parser *P)
{
    struct node *l = obs_and(P), *r;
    while (l && P->L.tok == T_OR) {
        if (advance(P) < 0 || !(r = obs_and(P)))
            return NULL;
        l = binary(P, N_OBS_OR, l, r);
    }
    return l;
}

static struct node *obs_exprs(struct parser *P)
{
    struct node *l = obs_or(P), *r;
    while (l && P->L.tok == T_FOLLOWEDBY) {
        if (advance(P) < 0 || !(r = obs_or(P)))
            return NULL;
        l = binary(P, N_FOLLOWEDBY, l, r);
    }
    return l;
}

/* --- translation -------------------------------------------------------------------- */

struct out {
    struct sk_stix_ioc *v;
    size_t n, cap;
    char **subonly; /* "%.x" names waiting for their "= x" */
    size_t nsub, capsub;
    char *why, *warn;
    size_t wlen, warnlen;
};

static void warnf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(struct out *o, const char *fmt, ...)
{
    if (!o->warn || !o->warnlen)
        return;
    size_t used = strlen(o->warn);
    if (used && used + 2 < o->warnlen) {
        memcpy(o->warn + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->warn + used, o->warnlen - used, fmt, ap);
    va_end(ap);
}

static int unsup(struct out *o, const struct node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int unsup(struct out *o, const struct node *n, const char *fmt, ...)
{
    int k = snprintf(o->why, o->wlen, "offset %zu: ", n ? n->offset : 0);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < o->wlen)
        vsnprintf(o->why + k, o->wlen - (size_t)k, fmt, ap);
    va_end(ap);
    return -SK_EUNSUP;
}

static int add(struct out *o, enum sk_ioc_type t, const char *canon)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->v[i].type == t && strcmp(o->v[i].value, canon) == 0)
            return 0;
    if (o->n == MAX_IOCS) {
        snprintf(o->why, o->wlen, "more than %d values in one pattern", MAX_IOCS);
        return -SK_ETOOBIG;
    }
    if (o->n == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 8;
        struct sk_stix_ioc *nv = realloc(o->v, ncap * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        o->v = nv;
        o->cap = ncap;
    }
    if (!(o->v[o->n].value = strdup(canon)))
        return -SK_ENOMEM;
    o->v[o->n++].type = (uint8_t)t;
    return 0;
}

enum target { TG_NONE, TG_V4, TG_V6, TG_NAME, TG_URL, TG_SHA1, TG_SHA256 };

static enum target target_of(const struct path *p)
{
    if (p->deep)
        return TG_NONE;
    if (p->ncomp == 1 && strcmp(p->comp[0], "value") == 0) {
        if (strcmp(p->type, "ipv4-addr") == 0)
            return TG_V4;
        if (strcmp(p->type, "ipv6-addr") == 0)
            return TG_V6;
        if (strcmp(p->type, "domain-name") == 0)
            return TG_NAME;
        if (strcmp(p->type, "url") == 0)
            return TG_URL;
    }
    if (p->ncomp == 2 && strcmp(p->type, "x509-certificate") == 0 &&
        strcmp(p->comp[0], "hashes") == 0) {
        if (!strcasecmp(p->comp[1], "SHA-1") || !strcasecmp(p->comp[1], "SHA1"))
            return TG_SHA1;
        if (!strcasecmp(p->comp[1], "SHA-256") || !strcasecmp(p->comp[1], "SHA256"))
            return TG_SHA256;
    }
    return TG_NONE;
}

static void path_text(const struct path *p, char *out, size_t len)
{
    size_t o = (size_t)snprintf(out, len, "%s:", p->type);
    for (size_t i = 0; i < p->ncomp && o < len; i++)
        o += (size_t)snprintf(out + o, len - o, "%s%s", i && strcmp(p->comp[i], "[]") ? "." : "",
                              p->comp[i]);
    if (p->deep && o < len)
        snprintf(out + o, len - o, "…");
}

/* One value compared with "=" (or an IN member): add it, or drop it with a
 * warning when no observation could ever carry it. */
static int add_value(struct out *o, const struct node *n, enum target tg, const char *value,
                     int subset)
{
    char canon[8192];
    enum sk_ioc_type t;
    struct sk_prefix p;

    switch (tg) {
    case TG_V4:
    case TG_V6: {
        int rc = sk_prefix_parse(value, &p, 0);
        if (rc == -SK_EINVAL)
            return unsup(o, n, "'%s' has host bits set: which prefix is meant is not clear", value);
        if (rc < 0 || (p.addr.family == SK_AF_INET) != (tg == TG_V4)) {
            warnf(o, "'%s' is not an %s address or prefix; that comparison can never match and "
                     "is left out", value, tg == TG_V4 ? "IPv4" : "IPv6");
            return 0;
        }
        if (subset && !strchr(value, '/'))
            return unsup(o, n, "ISSUBSET needs a CIDR prefix, got '%s'", value);
        t = tg == TG_V4 ? SK_IOC_CIDR4 : SK_IOC_CIDR6;
        break;
    }
    case TG_NAME: t = SK_IOC_FQDN; break;
    case TG_URL: t = SK_IOC_URL; break;
    case TG_SHA1: t = SK_IOC_CERT_SHA1; break;
    case TG_SHA256: t = SK_IOC_CERT_SHA256; break;
    default: return unsup(o, n, "internal: no target");
    }
    if (sk_ioc_canon(&t, value, canon, sizeof canon, NULL, 0) < 0) {
        warnf(o, "'%s' is not a valid %s; that comparison can never match and is left out", value,
              tg == TG_NAME ? "domain name" : tg == TG_URL ? "URL" : "certificate hash");
        return 0;
    }
    return add(o, t, canon);
}

static int add_subonly(struct out *o, const char *name)
{
    char canon[300];
    enum sk_ioc_type t = SK_IOC_FQDN;
    if (sk_ioc_canon(&t, name, canon, sizeof canon, NULL, 0) < 0) {
        warnf(o, "'%s' is not a valid domain name; that comparison can never match and is left out",
              name);
        return 0;
    }
    if (o->nsub == o->capsub) {
        size_t ncap = o->capsub ? o->capsub * 2 : 4;
        char **ns = realloc(o->subonly, ncap * sizeof *ns);
        if (!ns)
            return -SK_ENOMEM;
        o->subonly = ns;
        o->capsub = ncap;
    }
    if (!(o->subonly[o->nsub] = strdup(canon)))
        return -SK_ENOMEM;
    o->nsub++;
    return 0;
}

/* A regex literal: the text of re[0..len) unescaped, if it has no
 * metacharacter left; -1 otherwise. allow is the set of plain characters. */
static int regex_literal(const char *re, size_t len, char *out, size_t outlen, int url)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = re[i];
        if (c == '\\') {
            if (++i >= len)
                return -1;
            c = re[i];
            if (isalnum((unsigned char)c))
                return -1; /* \d, \w, \b … are classes, not literals */
        } else if (strchr(".^$*+?()[]{}|", c)) {
            return -1;
        } else if (!url && !(isalnum((unsigned char)c) || c == '-' || c == '_')) {
            return -1;
        } else if (url && ((unsigned char)c <= 0x20 || (unsigned char)c >= 0x7f)) {
            return -1;
        }
        if (o + 1 >= outlen)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static int like_or_match(struct out *o, const struct node *n, enum target tg)
{
    const char *s = n->lit.text;
    size_t len = strlen(s);
    char lit[8192];

    if (tg != TG_NAME && tg != TG_URL)
        return unsup(o, n, "%s on this property cannot be enforced exactly",
                     n->op == T_LIKE ? "LIKE" : "MATCHES");
    if (n->op == T_LIKE) {
        /* SQL LIKE: '%' any run, '_' any one character, no escapes */
        if (!strpbrk(s, "%_"))
            return add_value(o, n, tg, s, 0);
        if (tg == TG_NAME && s[0] == '%' && s[1] == '.' && !strpbrk(s + 2, "%_"))
            return add_subonly(o, s + 2);
        return unsup(o, n, "LIKE '%s' is not one %s (only a plain value, or '%%.name' for the "
                           "subdomains of a name, can be enforced exactly)", s,
                     tg == TG_NAME ? "name or the subdomains of one" : "URL");
    }
    /* MATCHES: PCRE. Only anchored literals and the domain forms are exact. */
    if (tg == TG_URL) {
        if (len >= 2 && s[0] == '^' && s[len - 1] == '$' && (len < 3 || s[len - 2] != '\\') &&
            regex_literal(s + 1, len - 2, lit, sizeof lit, 1) == 0)
            return add_value(o, n, tg, lit, 0);
        return unsup(o, n, "MATCHES '%s' is not one URL (only ^literal$ can be enforced exactly)", s);
    }
    static const char *const dom_prefix[] = {"^(.*\\.)?", "^(.+\\.)?", "(^|\\.)", NULL};
    static const char *const sub_prefix[] = {"^.*\\.", "^.+\\.", "\\.", NULL};
    if (len >= 2 && s[len - 1] == '$' && s[len - 2] != '\\') {
        for (int k = 0; dom_prefix[k]; k++) {
            size_t pl = strlen(dom_prefix[k]);
            if (starts(s, dom_prefix[k]) && len > pl + 1 &&
                regex_literal(s + pl, len - pl - 1, lit, sizeof lit, 0) == 0) {
                int rc = add_value(o, n, tg, lit, 0);
                return rc < 0 ? rc : add_subonly(o, lit);
            }
        }
        for (int k = 0; sub_prefix[k]; k++) {
            size_t pl = strlen(sub_prefix[k]);
            if (starts(s, sub_prefix[k]) && len > pl + 1 &&
                regex_literal(s + pl, len - pl - 1, lit, sizeof lit, 0) == 0)
                return add_subonly(o, lit);
        }
        if (s[0] == '^' && regex_literal(s + 1, len - 2, lit, sizeof lit, 0) == 0)
            return add_value(o, n, tg, lit, 0);
    }
    return unsup(o, n, "MATCHES '%s' is not one name or a name and its subdomains (accepted: "
                       "^name$, ^(.*\\.)?name$, \\.name$ with dots escaped)", s);
}

static int translate_test(struct out *o, const struct node *n)
{
    char pt[256];
    enum target tg = target_of(&n->path);

    path_text(&n->path, pt, sizeof pt);
    if (tg == TG_NONE)
        return unsup(o, n, "%s is not matched on network traffic (supported: ipv4-addr:value, "
                           "ipv6-addr:value, domain-name:value, url:value, "
                           "x509-certificate:hashes.'SHA-1'/'SHA-256')", pt);
    if (n->negated)
        return unsup(o, n, "NOT on %s matches everything but a value: not an indicator", pt);
    switch (n->op) {
    case T_EQ:
        if (n->lit.kind != T_STRING)
            return unsup(o, n, "%s compared with %s, not a string", pt, tok_names[n->lit.kind]);
        return add_value(o, n, tg, n->lit.text, 0);
    case T_IN:
        for (size_t i = 0; i < n->nset; i++) {
            if (n->set[i].kind != T_STRING)
                return unsup(o, n, "IN set member %zu is %s, not a string", i + 1,
                             tok_names[n->set[i].kind]);
            int rc = add_value(o, n, tg, n->set[i].text, 0);
            if (rc < 0)
                return rc;
        }
        return 0;
    case T_ISSUBSET:
        if (tg != TG_V4 && tg != TG_V6)
            return unsup(o, n, "ISSUBSET on %s cannot be enforced exactly", pt);
        return add_value(o, n, tg, n->lit.text, 1);
    case T_LIKE:
    case T_MATCHES:
        return like_or_match(o, n, tg);
    default:
        return unsup(o, n, "%s with %s is not one value", pt, tok_names[n->op]);
    }
}

static int translate_comp(struct out *o, const struct node *n)
{
    int rc;
    switch (n->kind) {
    case N_C_OR:
        if ((rc = translate_comp(o, n->l)) < 0)
            return rc;
        return translate_comp(o, n->r);
    case N_C_AND:
        return unsup(o, n, "AND inside an observation needs several properties seen together: "
                           "single values cannot enforce it");
    case N_EXISTS:
        return unsup(o, n, "EXISTS is not a value");
    case N_TEST:
        return translate_test(o, n);
    default:
        return unsup(o, n, "internal: unexpected node");
    }
}

static int translate_obs(struct out *o, const struct node *n)
{
    int rc;
    switch (n->kind) {
    case N_OBS_OR:
        if ((rc = translate_obs(o, n->l)) < 0)
            return rc;
        return translate_obs(o, n->r);
    case N_OBS:
        return translate_comp(o, n->l);
    case N_OBS_AND:
        return unsup(o, n, "AND between observations needs both to be seen: single values "
                           "cannot enforce it");
    case N_FOLLOWEDBY:
        return unsup(o, n, "FOLLOWEDBY needs observations in order: single values cannot enforce it");
    case N_QUAL:
        return unsup(o, n, "the %s qualifier constrains when or how often: single values cannot "
                           "enforce it", n->qual == T_START ? "START/STOP" :
                                         n->qual == T_WITHIN ? "WITHIN" : "REPEATS");
    default:
        return unsup(o, n, "internal: unexpected node");
    }
}

void sk_stix_iocs_free(struct sk_stix_ioc *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].value);
    free(v);
}

int sk_stix_pattern_compile(const char *pattern, struct sk_stix_ioc **out, size_t *nout,
                            char *why, size_t whylen, char *warn, size_t warnlen)
{
    struct sk_arena ar;
    struct parser P = {.why = why, .wlen = whylen};
    struct out o = {.why = why, .wlen = whylen, .warn = warn, .warnlen = warnlen};
    struct node *root = NULL;
    size_t plen = strlen(pattern);
    int rc;

    *out = NULL;
    *nout = 0;
    if (why && whylen)
        why[0] = '\0';
    if (warn && warnlen)
        warn[0] = '\0';
    if (plen > MAX_PATTERN) {
        snprintf(why, whylen, "pattern longer than %d bytes", MAX_PATTERN);
        return -SK_ETOOBIG;
    }
    sk_arena_init(&ar, 4096, 16 * MAX_PATTERN + 65536);
    P.L = (struct lexer){.s = pattern, .p = pattern, .end = pattern + plen, .ar = &ar};
    if (advance(&P) < 0 || !(root = obs_exprs(&P))) {
        rc = -SK_EPARSE;
        goto out;
    }
    if (P.L.tok != T_EOF) {
        fail_at(&P, "a boolean operator, a qualifier or the end of the pattern");
        rc = -SK_EPARSE;
        goto out;
    }
    if ((rc = translate_obs(&o, root)) < 0)
        goto out;
    /* "%.x" alone covers the subdomains of x but not x: only with "= x" is
     * it a domain indicator */
    for (size_t i = 0; i < o.nsub; i++) {
        size_t k = 0;
        while (k < o.n && !(o.v[k].type == SK_IOC_FQDN && strcmp(o.v[k].value, o.subonly[i]) == 0) &&
               !(o.v[k].type == SK_IOC_DOMAIN && strcmp(o.v[k].value, o.subonly[i]) == 0))
            k++;
        if (k == o.n) {
            rc = unsup(&o, root, "the subdomains of %s are matched but not %s itself: no indicator "
                                 "means exactly that (add domain-name:value = '%s')",
                       o.subonly[i], o.subonly[i], o.subonly[i]);
            goto out;
        }
        o.v[k].type = SK_IOC_DOMAIN;
    }
    if (o.n == 0) {
        rc = unsup(&o, root, "no comparison in it can match network traffic");
        goto out;
    }
    *out = o.v;
    *nout = o.n;
    o.v = NULL;
    o.n = 0;
    rc = 0;
out:
    sk_stix_iocs_free(o.v, o.n);
    for (size_t i = 0; i < o.nsub; i++)
        free(o.subonly[i]);
    free(o.subonly);
    sk_arena_free(&ar);
    return rc;
}

/* --- export ------------------------------------------------------------------------------ */

static char *quote(const char *v)
{
    size_t n = strlen(v), o = 0;
    char *q = malloc(2 * n + 3);
    if (!q)
        return NULL;
    q[o++] = '\'';
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\'' || v[i] == '\\')
            q[o++] = '\\';
        q[o++] = v[i];
    }
    q[o++] = '\'';
    q[o] = '\0';
    return q;
}

char *sk_stix_pattern_for(enum sk_ioc_type type, const char *value)
{
    char *q = quote(value), *out = NULL;
    const char *fmt = NULL;
    size_t len;

    if (!q)
        return NULL;
    switch (type) {
    case SK_IOC_IPV4: fmt = "[ipv4-addr:value = %s]"; break;
    case SK_IOC_CIDR4: fmt = "[ipv4-addr:value ISSUBSET %s]"; break;
    case SK_IOC_IPV6: fmt = "[ipv6-addr:value = %s]"; break;
    case SK_IOC_CIDR6: fmt = "[ipv6-addr:value ISSUBSET %s]"; break;
    case SK_IOC_FQDN: fmt = "[domain-name:value = %s]"; break;
    case SK_IOC_URL: fmt = "[url:value = %s]"; break;
    case SK_IOC_CERT_SHA1: fmt = "[x509-certificate:hashes.'SHA-1' = %s]"; break;
    case SK_IOC_CERT_SHA256: fmt = "[x509-certificate:hashes.'SHA-256' = %s]"; break;
    case SK_IOC_DOMAIN: {
        /* the name and its subdomains: = and LIKE '%.name' — or, when the
         * name has a '_' (a LIKE wildcard, and LIKE has no escape), the
         * regular expression ^(.*\.)?name$ with its dots escaped */
        if (strchr(value, '_')) {
            size_t vl = strlen(value), o = 0;
            char *re = malloc(2 * vl + 16);
            if (!re)
                break;
            o += (size_t)snprintf(re, 2 * vl + 16, "^(.*\\.)?");
            for (size_t i = 0; i < vl; i++) {
                if (value[i] == '.')
                    re[o++] = '\\';
                re[o++] = value[i];
            }
            re[o++] = '$';
            re[o] = '\0';
            char *qr = quote(re);
            free(re);
            if (!qr)
                break;
            len = strlen(qr) + 40;
            if ((out = malloc(len)))
                snprintf(out, len, "[domain-name:value MATCHES %s]", qr);
            free(qr);
            break;
        }
        char *like = malloc(strlen(value) + 3);
        if (!like)
            break;
        snprintf(like, strlen(value) + 3, "%%.%s", value);
        char *ql = quote(like);
        free(like);
        if (!ql)
            break;
        len = strlen(q) + strlen(ql) + 80;
        if ((out = malloc(len)))
            snprintf(out, len, "[domain-name:value = %s OR domain-name:value LIKE %s]", q, ql);
        free(ql);
        break;
    }
    default:
        break;
    }
    if (fmt) {
        len = strlen(fmt) + strlen(q) + 1;
        if ((out = malloc(len)))
            snprintf(out, len, fmt, q);
    }
    free(q);
    return out;
}
