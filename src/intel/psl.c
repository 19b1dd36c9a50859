/*
 * psl.c — public suffix questions asked while building and matching names.
 *
 * A domain indicator matches its subdomains, but never above the registered
 * domain of the name being matched: "evil.example.co.uk" is matched by an
 * indicator on example.co.uk, not by one on co.uk; and
 * "bucket.s3.amazonaws.com" (s3.amazonaws.com is a public suffix) is not
 * matched by an indicator on amazonaws.com. libpsl (psl_latest: the newest of
 * its built-in list and Debian's publicsuffix package) is the authority.
 *
 * libpsl answers in about a microsecond, too slow for millions of names, so
 * the rules file it is built from (/usr/share/publicsuffix/
 * public_suffix_list.dat) is read once into two hash sets that answer the
 * common case without it:
 *   maybe_suffix(N)  false means N is certainly not a public suffix: it is
 *                    not a rule, its parent is not a wildcard base, and it
 *                    has more than one label (exception rules only ever make
 *                    fewer names public suffixes, so ignoring them is safe);
 *   guarded(N)       true when some public suffix lies strictly below N
 *                    (N is a proper ancestor of a rule, e.g. amazonaws.com):
 *                    only then can N be above a name's registered domain
 *                    without being a public suffix itself.
 * Internationalised rules are converted to ASCII (punycode) with libidn2, as
 * libpsl does. When the file cannot be read, or a rule cannot be converted,
 * both prefilters answer "maybe" and libpsl decides every case: slower, never
 * wrong.
 */
#include <ctype.h>
#include <idn2.h>
#include <libpsl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/psl.h"
#include "sakimori/hash.h"

#define PSL_DAT "/usr/share/publicsuffix/public_suffix_list.dat"

struct strset {
    char **slots;
    size_t mask, n;
};

static struct {
    const psl_ctx_t *psl;
    struct strset exact, wild, anc;
    int usable; /* the prefilters are complete */
} g;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint64_t h(const char *s, size_t len) { return sk_hash64(s, len, 0x5eed5eedULL); }

static int set_has(const struct strset *s, const char *k, size_t len)
{
    if (!s->slots)
        return 0;
    for (size_t i = h(k, len) & s->mask;; i = (i + 1) & s->mask) {
        const char *v = s->slots[i];
        if (!v)
            return 0;
        if (strlen(v) == len && memcmp(v, k, len) == 0)
            return 1;
    }
}

static int set_add(struct strset *s, const char *k, size_t len)
{
    if ((s->n + 1) * 2 > s->mask + 1) {
        size_t ncap = s->slots ? (s->mask + 1) * 2 : 1024;
        char **ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; s->slots && i <= s->mask; i++) {
            if (!s->slots[i])
                continue;
            size_t j = h(s->slots[i], strlen(s->slots[i])) & (ncap - 1);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = s->slots[i];
        }
        free(s->slots);
        s->slots = ns;
        s->mask = ncap - 1;
    }
    if (set_has(s, k, len))
        return 0;
    char *d = malloc(len + 1);
    if (!d)
        return -1;
    memcpy(d, k, len);
    d[len] = '\0';
    size_t j = h(k, len) & s->mask;
    while (s->slots[j])
        j = (j + 1) & s->mask;
    s->slots[j] = d;
    s->n++;
    return 0;
}

static int add_rule(const char *rule)
{
    int wildcard = 0;
    char *ascii = NULL;
    const char *r = rule;
    int rc = 0;

    if (*r == '!')
        return 0; /* exceptions only make fewer public suffixes */
    if (strncmp(r, "*.", 2) == 0) {
        wildcard = 1;
        r += 2;
    }
    for (const char *p = r; *p; p++) {
        if ((unsigned char)*p >= 0x80) {
            if (idn2_to_ascii_8z(r, &ascii, IDN2_NONTRANSITIONAL) != IDN2_OK)
                return -1;
            r = ascii;
            break;
        }
    }
    char low[256];
    size_t len = strlen(r);
    if (len == 0 || len >= sizeof low) {
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i <= len; i++)
        low[i] = (char)tolower((unsigned char)r[i]);
    if (set_add(wildcard ? &g.wild : &g.exact, low, len) < 0) {
        rc = -1;
        goto out;
    }
    /* every proper ancestor of the rule has a public suffix below it; the
     * base of a wildcard rule too (its children are public suffixes) */
    if (wildcard && set_add(&g.anc, low, len) < 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < len; i++)
        if (low[i] == '.' && set_add(&g.anc, low + i + 1, len - i - 1) < 0)
            rc = -1;
out:
    free(ascii);
    return rc;
}

static void init(void)
{
    FILE *f;
    char line[512];
    int ok = 1;

    g.psl = psl_latest(NULL);
    if (!g.psl)
        g.psl = psl_builtin();
    if (!(f = fopen(PSL_DAT, "r")))
        return;
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, " \t\r\n");
        line[n] = '\0';
        if (n == 0 || strncmp(line, "//", 2) == 0)
            continue;
        if (add_rule(line) < 0)
            ok = 0;
    }
    fclose(f);
    g.usable = ok && g.exact.n > 1000;
}

static void ensure(void) { pthread_once(&once, init); }

int sk__psl_ready(void)
{
    ensure();
    return g.psl != NULL;
}

int sk__psl_is_suffix(const char *name, size_t len)
{
    char buf[256];

    ensure();
    if (g.usable) {
        const char *dot = memchr(name, '.', len);
        if (dot && !set_has(&g.exact, name, len) &&
            !set_has(&g.wild, dot + 1, len - (size_t)(dot + 1 - name)))
            return 0;
    }
    if (!g.psl || len >= sizeof buf)
        return !memchr(name, '.', len); /* no list: only TLDs are suffixes */
    memcpy(buf, name, len);
    buf[len] = '\0';
    return psl_is_public_suffix2(g.psl, buf, PSL_TYPE_ANY) != 0;
}

int sk__psl_guarded(const char *name, size_t len)
{
    ensure();
    if (!g.usable)
        return 1;
    return set_has(&g.anc, name, len);
}

size_t sk__psl_registered_len(const char *name, size_t len)
{
    char buf[256];

    ensure();
    if (!g.psl || len >= sizeof buf)
        return 0;
    memcpy(buf, name, len);
    buf[len] = '\0';
    const char *r = psl_registrable_domain(g.psl, buf);
    return r ? strlen(r) : 0;
}

int sk__psl_within(const char *name, size_t len, size_t suffix_len)
{
    size_t reg = sk__psl_registered_len(name, len);
    return reg != 0 && suffix_len >= reg;
}
