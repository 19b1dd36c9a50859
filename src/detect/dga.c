/*
 * dga.c — the DGA model: load, score, train (sakimori/dga.h).
 *
 * Symbols: a–z, 0–9, '-' (36; '_' and anything else map here) and the label
 * boundary (37), so A = 38. A label is scored as the sequence
 *   ^…^ c1 c2 … cL $        (order − 1 start symbols, one end symbol)
 * n-gram probabilities are Witten–Bell interpolated, from order 1 (add-one)
 * up to the model's order:
 *   P_k(c | h) = (C(h c) + T(h) · P_{k−1}(c | h')) / (C(h) + T(h))
 * where T(h) is the number of distinct symbols seen after h and h' drops
 * h's oldest symbol; an unseen context falls back to P_{k−1}. At load the
 * counts become a dense table of log P over all A^order grams (order ≤ 4:
 * at most 2.1 M floats, 8 MB), so scoring is one lookup per symbol.
 *
 * Features of a label (standardised with the training mean and sd, then
 * combined by logistic regression into a 0–1 score):
 *   0 logprob   mean ln P per symbol under the n-gram model
 *   1 length
 *   2 entropy   Shannon, bits per character
 *   3 digits    share of digits
 *   4 consonants share of consonants (y counts as a vowel)
 *   5 run       longest run of consonants
 *   6 hyphens   number of '-'
 *   7 rare      share of transitions with P < 0.01
 *   8 coverage  share of the label covered by dictionary words (≥ 3
 *               letters; the segmentation covering most, then fewest words)
 *   9 full      1 when the dictionary covers the whole label
 *  10 words     number of words of a full cover, else 0
 * Coverage cuts both ways: random labels are barely covered, while
 * dictionary DGAs (matsnu, suppobox) are covered entirely and by more words
 * than real names usually are — hence the three separate features.
 * The dictionary is part of the model (word lines), taken by the trainer
 * from a word list such as /usr/share/dict/words (Debian wamerican).
 *
 * Training (sk_dga_train): the n-gram counts come from the training labels;
 * the features the weights are fitted on come from two half-models (each
 * label is scored by the model of the other half) so legitimate names look
 * as they will look when unseen; the counter-examples are generated in six
 * DGA styles (synth.h). Weights: Newton's method (IRLS) with a small ridge,
 * classes weighted equally. The threshold is the (1 − target FPR) quantile
 * of the scores of validation labels that no model saw.
 */
#include <libpsl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-int.h"
#include "sakimori/dga.h"
#include "sakimori/file.h"
#include "sakimori/synth.h"

#define A 38
#define BOUND 37
#define MAX_ORDER 4
#define F SK_DGA_NFEATURES
#define MAX_LABEL 63
#define MIN_WORD 3
#define MAX_WORD 24
#define MAX_WORDS 1000000
#define GEN_ORDER 3 /* order of the model of generated names */

struct sk_dga_model {
    unsigned order;
    double threshold, bias;
    double mean[F], sd[F], w[F];
    float *lp;         /* A^order: ln P(last symbol | the others) */
    uint32_t ctx_mod;  /* A^(order − 1) */
    float *lp_gen;     /* A^GEN_ORDER: the same for generated names */
    uint32_t ctx_mod_gen;
    struct sk__strtab words;
    int have_words;
};

static const char *const feature_names[F] = {"logprob", "length", "entropy", "digits",
                                             "consonants", "run", "hyphens", "rare",
                                             "coverage", "full", "words", "llr"};

const char *sk_dga_feature_name(unsigned i) { return i < F ? feature_names[i] : "?"; }

static inline int sym(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '0' && c <= '9')
        return 26 + (c - '0');
    return 36;
}

static uint32_t ipow(uint32_t b, unsigned e)
{
    uint32_t r = 1;
    while (e--)
        r *= b;
    return r;
}

void sk_dga_model_free(struct sk_dga_model *m)
{
    if (!m)
        return;
    free(m->lp);
    free(m->lp_gen);
    if (m->have_words)
        sk__strtab_free(&m->words);
    free(m);
}

static int valid_word(const char *w, size_t n)
{
    if (n < MIN_WORD || n > MAX_WORD)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return 0;
    return 1;
}

static int words_init(struct sk_dga_model *m)
{
    int rc = sk__strtab_init(&m->words, MAX_WORDS);
    m->have_words = rc == 0;
    return rc;
}

/* Best dictionary cover of s (letters only count): the most letters
 * covered, then the fewest words. */
static void cover(const struct sk_dga_model *m, const char *s, size_t n, unsigned *covered,
                  unsigned *nwords)
{
    unsigned cov[MAX_LABEL + 2], cnt[MAX_LABEL + 2];
    cov[0] = cnt[0] = 0;
    for (size_t i = 1; i <= n; i++) {
        cov[i] = cov[i - 1];
        cnt[i] = cnt[i - 1];
        for (size_t len = MIN_WORD; len <= MAX_WORD && len <= i; len++) {
            size_t j = i - len;
            unsigned c = cov[j] + (unsigned)len, k = cnt[j] + 1;
            if (c < cov[i] || (c == cov[i] && k >= cnt[i]))
                continue;
            if (m->have_words && sk__strtab_find(&m->words, s + j, len) >= 0) {
                cov[i] = c;
                cnt[i] = k;
            }
        }
    }
    *covered = cov[n];
    *nwords = cnt[n];
}

double sk_dga_model_threshold(const struct sk_dga_model *m) { return m->threshold; }
unsigned sk_dga_model_order(const struct sk_dga_model *m) { return m->order; }

/* counts[k − 1] holds A^k counts of k-grams; builds m->lp. */
static int build_table(unsigned n, uint32_t *const counts[MAX_ORDER], float **lp_out,
                       uint32_t *ctx_mod_out)
{
    double *prev = malloc(A * sizeof *prev), *cur = NULL;
    uint64_t total = 0;
    int rc = -SK_ENOMEM;

    if (!prev)
        return rc;
    for (int s = 0; s < A; s++)
        total += counts[0][s];
    for (int s = 0; s < A; s++)
        prev[s] = (counts[0][s] + 1.0) / ((double)total + A);
    for (unsigned k = 2; k <= n; k++) {
        uint32_t nctx = ipow(A, k - 1), pctx = ipow(A, k - 2);
        if (!(cur = malloc((size_t)nctx * A * sizeof *cur)))
            goto out;
        for (uint32_t h = 0; h < nctx; h++) {
            const uint32_t *c = counts[k - 1] + (size_t)h * A;
            const double *lower = prev + (size_t)(h % pctx) * A;
            double ch = 0, th = 0;
            for (int s = 0; s < A; s++) {
                ch += c[s];
                th += c[s] > 0;
            }
            for (int s = 0; s < A; s++)
                cur[(size_t)h * A + s] = ch > 0 ? (c[s] + th * lower[s]) / (ch + th) : lower[s];
        }
        free(prev);
        prev = cur;
        cur = NULL;
    }
    size_t ng = (size_t)ipow(A, n);
    float *lp = malloc(ng * sizeof *lp);
    if (!lp)
        goto out;
    for (size_t i = 0; i < ng; i++)
        lp[i] = (float)log(prev[i]);
    free(*lp_out);
    *lp_out = lp;
    *ctx_mod_out = ipow(A, n - 1);
    rc = 0;
out:
    free(prev);
    free(cur);
    return rc;
}

static int build_probs(struct sk_dga_model *m, uint32_t *const counts[MAX_ORDER])
{
    return build_table(m->order, counts, &m->lp, &m->ctx_mod);
}

/* Mean ln P per symbol of low[0..len) under one table. */
static double mean_logprob(const float *lp, unsigned order, uint32_t ctx_mod, const char *low,
                           size_t len)
{
    uint32_t ctx = 0;
    double t = 0;
    for (unsigned j = 0; j + 1 < order; j++)
        ctx = ctx * A + BOUND;
    for (size_t i = 0; i <= len; i++) {
        int s = i < len ? sym((unsigned char)low[i]) : BOUND;
        t += lp[(size_t)ctx * A + (uint32_t)s];
        ctx = ctx_mod > 1 ? (ctx * A + (uint32_t)s) % ctx_mod : 0;
    }
    return t / (double)(len + 1);
}

/* ---- scoring ------------------------------------------------------------ */

static int is_consonant(char c)
{
    return c >= 'a' && c <= 'z' && !strchr("aeiouy", c);
}

void sk_dga_score_label(const struct sk_dga_model *m, const char *label, size_t len,
                        struct sk_dga_result *r)
{
    char low[MAX_LABEL + 1];
    uint32_t ctx = 0;
    double lp = 0;
    unsigned rare = 0, digits = 0, cons = 0, hyph = 0, run = 0, best = 0;

    if (len > MAX_LABEL)
        len = MAX_LABEL;
    for (size_t i = 0; i < len; i++)
        low[i] = (char)((label[i] >= 'A' && label[i] <= 'Z') ? label[i] + 32 : label[i]);
    low[len] = '\0';
    memset(r, 0, sizeof *r);
    memcpy(r->label, low, len + 1);
    for (unsigned j = 0; j + 1 < m->order; j++)
        ctx = ctx * A + BOUND;
    for (size_t i = 0; i <= len; i++) {
        int s = i < len ? sym((unsigned char)low[i]) : BOUND;
        float p = m->lp[(size_t)ctx * A + (uint32_t)s];
        lp += p;
        rare += p < -4.6052f; /* ln 0.01 */
        ctx = m->ctx_mod > 1 ? (ctx * A + (uint32_t)s) % m->ctx_mod : 0;
        if (i == len)
            break;
        char c = low[i];
        digits += c >= '0' && c <= '9';
        hyph += c == '-';
        if (is_consonant(c)) {
            cons++;
            best = ++run > best ? run : best;
        } else {
            run = 0;
        }
    }
    double L = len ? (double)len : 1;
    /* dictionary cover of the letters (hyphens and digits split words) */
    unsigned covered = 0, nwords = 0, letters = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && low[j] >= 'a' && low[j] <= 'z')
            j++;
        if (j > i) {
            unsigned c, k;
            cover(m, low + i, j - i, &c, &k);
            covered += c;
            nwords += k;
            letters += (unsigned)(j - i);
        }
        i = j + (j == i);
    }
    r->logprob = lp / (double)(len + 1);
    r->f[0] = r->logprob;
    r->f[1] = (double)len;
    r->f[2] = sk__entropy(low, len);
    r->f[3] = digits / L;
    r->f[4] = cons / L;
    r->f[5] = best;
    r->f[6] = hyph;
    r->f[7] = (double)rare / (double)(len + 1);
    r->f[8] = letters ? (double)covered / letters : 0;
    r->f[9] = letters && covered == letters;
    r->f[10] = r->f[9] ? nwords : 0;
    r->f[11] = m->lp_gen ? r->logprob - mean_logprob(m->lp_gen, GEN_ORDER, m->ctx_mod_gen, low, len) : 0;
    double z = m->bias;
    for (int i = 0; i < F; i++)
        z += m->w[i] * (r->f[i] - m->mean[i]) / m->sd[i];
    r->score = 1 / (1 + exp(-z));
}

static const psl_ctx_t *psl(void)
{
    return sk__psl();
}

const psl_ctx_t *sk__psl(void)
{
    static const psl_ctx_t *ctx;
    if (!ctx)
        ctx = psl_latest(NULL);
    if (!ctx)
        ctx = psl_builtin();
    return ctx;
}

size_t sk_dga_label_of(const char *name, char *label, size_t len)
{
    char low[256];
    size_t n = 0;

    if (!name)
        return 0;
    for (; name[n] && n < sizeof low - 1; n++)
        low[n] = (char)((name[n] >= 'A' && name[n] <= 'Z') ? name[n] + 32 : name[n]);
    if (name[n])
        return 0;
    while (n && low[n - 1] == '.')
        n--;
    low[n] = '\0';
    if (!n || !strchr(low, '.'))
        return 0;
    if ((n > 13 && !strcmp(low + n - 13, ".in-addr.arpa")) ||
        (n > 9 && !strcmp(low + n - 9, ".ip6.arpa")))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = low[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return 0; /* not a host name */
    }
    const char *reg = psl_registrable_domain(psl(), low);
    if (!reg)
        return 0;
    size_t l = strcspn(reg, ".");
    if (l >= 4 && !memcmp(reg, "xn--", 4))
        return 0; /* an IDN label: not judged by a model of ASCII names */
    if (l == 0 || l >= len || l > MAX_LABEL)
        return 0;
    memcpy(label, reg, l);
    label[l] = '\0';
    return l;
}

int sk_dga_score(const struct sk_dga_model *m, const char *name, struct sk_dga_result *r)
{
    char label[MAX_LABEL + 1];
    size_t n = sk_dga_label_of(name, label, sizeof label);
    if (!n)
        return -SK_ENOTFOUND;
    sk_dga_score_label(m, label, n, r);
    return 0;
}

/* ---- the model file ------------------------------------------------------- */

static int gram_index(const char *g, size_t len, unsigned order, uint32_t *idx)
{
    uint32_t v = 0;
    int seen_real = 0;
    if (len == 0 || len > order)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = g[i];
        int s;
        if (c == '^') {
            if (seen_real || i == len - 1)
                return -1; /* start marks only lead a context */
            s = BOUND;
        } else if (c == '$') {
            if (i != len - 1)
                return -1; /* the end mark only ends a gram */
            s = BOUND;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
            s = sym((unsigned char)c);
            seen_real = 1;
        } else {
            return -1;
        }
        v = v * A + (uint32_t)s;
    }
    *idx = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int sk_dga_model_parse(const char *text, size_t len, const char *name,
                       struct sk_dga_model **out, struct sk_errinfo *ei)
{
    struct sk_dga_model *m = calloc(1, sizeof *m);
    uint32_t *counts[MAX_ORDER] = {0}, *gcounts[MAX_ORDER] = {0};
    unsigned nfeat = 0, line = 0;
    int have_thr = 0, have_bias = 0, rc = -SK_EPARSE;
    size_t pos = 0;
    char buf[512];

    if (!m)
        return -SK_ENOMEM;
    if (len > SK_DGA_MAX_MODEL) {
        rc = sk_fail(ei, -SK_ETOOBIG, "%s: model larger than %u bytes", name, SK_DGA_MAX_MODEL);
        goto out;
    }
    while (pos < len) {
        size_t e = pos;
        while (e < len && text[e] != '\n')
            e++;
        size_t ll = e - pos;
        line++;
        if (ll >= sizeof buf) {
            rc = sk_fail(ei, -SK_EPARSE, "%s:%u: line too long", name, line);
            goto out;
        }
        memcpy(buf, text + pos, ll);
        buf[ll] = '\0';
        if (ll && buf[ll - 1] == '\r')
            buf[--ll] = '\0';
        pos = e + 1;
        if (memchr(buf, '\0', ll)) {
            rc = sk_fail(ei, -SK_EPARSE, "%s:%u: NUL byte in a text model", name, line);
            goto out;
        }
        char *tok[6], *save = NULL;
        int nt = 0;
        for (char *t = strtok_r(buf, " \t", &save); t && nt < 6; t = strtok_r(NULL, " \t", &save))
            tok[nt++] = t;
        if (nt == 0 || tok[0][0] == '#')
            continue;
        if (line == 1 || !m->order) {
            if (line == 1) {
                if (nt != 2 || strcmp(tok[0], "sakimori-dga-model") || strcmp(tok[1], "1")) {
                    rc = sk_fail(ei, -SK_EPARSE,
                                 "%s:%u: expected 'sakimori-dga-model 1' (not a DGA model, or a newer version)",
                                 name, line);
                    goto out;
                }
                continue;
            }
            if (nt != 2 || strcmp(tok[0], "order") || strlen(tok[1]) != 1 || tok[1][0] < '2' ||
                tok[1][0] > '0' + MAX_ORDER) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%u: expected 'order N' with N in 2..%d", name,
                             line, MAX_ORDER);
                goto out;
            }
            m->order = (unsigned)(tok[1][0] - '0');
            for (unsigned k = 1; k <= m->order; k++)
                if (!(counts[k - 1] = calloc(ipow(A, k), sizeof **counts))) {
                    rc = -SK_ENOMEM;
                    goto out;
                }
            continue;
        }
        if (!strcmp(tok[0], "threshold") && nt == 2) {
            if (parse_double(tok[1], &m->threshold) < 0 || m->threshold < 0 || m->threshold > 1) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%u: threshold: expected a number in [0, 1]", name, line);
                goto out;
            }
            have_thr = 1;
        } else if (!strcmp(tok[0], "bias") && nt == 2) {
            if (parse_double(tok[1], &m->bias) < 0) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%u: bias: expected a number", name, line);
                goto out;
            }
            have_bias = 1;
        } else if (!strcmp(tok[0], "feature") && nt == 5) {
            if (nfeat >= F || strcmp(tok[1], feature_names[nfeat])) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%u: expected feature '%s'", name, line,
                             nfeat < F ? feature_names[nfeat] : "(no more)");
                goto out;
            }
            if (parse_double(tok[2], &m->mean[nfeat]) < 0 || parse_double(tok[3], &m->sd[nfeat]) < 0 ||
                parse_double(tok[4], &m->w[nfeat]) < 0 || !(m->sd[nfeat] > 0)) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%u: feature %s: expected MEAN SD WEIGHT (SD > 0)",
                             name, line, feature_names[nfeat]);
                goto out;
            }
            nfeat++;
        } else if (!strcmp(tok[0], "word") && nt == 2) {
            size_t wl = strlen(tok[1]);
            if (!valid_word(tok[1], wl)) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%u: word '%s': expected %d–%d letters a-z", name,
                             line, tok[1], MIN_WORD, MAX_WORD);
                goto out;
            }
            if (!m->have_words && (rc = words_init(m)) < 0)
                goto out;
            int64_t id = sk__strtab_intern(&m->words, tok[1], wl);
            if (id < 0) {
                rc = id == -SK_ENOMEM ? -SK_ENOMEM
                                      : sk_fail(ei, -SK_ETOOBIG, "%s:%u: more than %d words", name,
                                                line, MAX_WORDS);
                goto out;
            }
        } else if (!strcmp(tok[0], "gengram") && nt == 3) {
            uint32_t idx;
            char *end;
            size_t gl = strlen(tok[1]);
            unsigned long long c = strtoull(tok[2], &end, 10);
            if (gram_index(tok[1], gl, GEN_ORDER, &idx) < 0 || end == tok[2] || *end ||
                tok[2][0] == '-' || c > UINT32_MAX) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%u: gengram: expected TEXT (1..%d symbols) COUNT",
                             name, line, GEN_ORDER);
                goto out;
            }
            if (!gcounts[0])
                for (unsigned k = 1; k <= GEN_ORDER; k++)
                    if (!(gcounts[k - 1] = calloc(ipow(A, k), sizeof **gcounts))) {
                        rc = -SK_ENOMEM;
                        goto out;
                    }
            gcounts[gl - 1][idx] = (uint32_t)c;
        } else if (!strcmp(tok[0], "gram") && nt == 3) {
            uint32_t idx;
            char *end;
            size_t gl = strlen(tok[1]);
            unsigned long long c = strtoull(tok[2], &end, 10);
            if (gram_index(tok[1], gl, m->order, &idx) < 0) {
                rc = sk_fail(ei, -SK_EPARSE,
                             "%s:%u: gram '%s': expected 1..%u of a-z 0-9 '-', '^' only leading, '$' only last",
                             name, line, tok[1], m->order);
                goto out;
            }
            if (end == tok[2] || *end || tok[2][0] == '-' || c > UINT32_MAX) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%u: gram count: expected an integer", name, line);
                goto out;
            }
            if (counts[gl - 1][idx]) {
                rc = sk_fail(ei, -SK_EPARSE, "%s:%u: gram '%s' given twice", name, line, tok[1]);
                goto out;
            }
            counts[gl - 1][idx] = (uint32_t)c;
        } else {
            rc = sk_fail(ei, -SK_EPARSE, "%s:%u: expected threshold, bias, feature, word, gengram or gram, got '%s'",
                         name, line, tok[0]);
            goto out;
        }
    }
    if (!m->order || !have_thr || !have_bias || nfeat != F) {
        rc = sk_fail(ei, -SK_EPARSE, "%s: incomplete model (needs the header, order, threshold, bias and %d features)",
                     name, F);
        goto out;
    }
    if ((rc = build_probs(m, counts)) < 0 ||
        (gcounts[0] && (rc = build_table(GEN_ORDER, gcounts, &m->lp_gen, &m->ctx_mod_gen)) < 0))
        goto out;
    *out = m;
    m = NULL;
out:
    for (int k = 0; k < MAX_ORDER; k++) {
        free(counts[k]);
        free(gcounts[k]);
    }
    sk_dga_model_free(m);
    return rc;
}

int sk_dga_model_load(const char *path, struct sk_dga_model **out, struct sk_errinfo *ei)
{
    char *text = NULL;
    size_t len = 0;
    int rc = sk_read_file(path, SK_DGA_MAX_MODEL, &text, &len, ei);
    if (rc < 0)
        return rc;
    rc = sk_dga_model_parse(text, len, path, out, ei);
    free(text);
    return rc;
}

/* The shipped model, linked in by dga_embed.c. */
extern const char sk__dga_model_text[], sk__dga_model_end[];

int sk_dga_model_embedded(struct sk_dga_model **out, struct sk_errinfo *ei)
{
    return sk_dga_model_parse(sk__dga_model_text, (size_t)(sk__dga_model_end - sk__dga_model_text),
                              "(embedded DGA model)", out, ei);
}

/* ---- training ------------------------------------------------------------- */

static void count_label(uint32_t *const counts[MAX_ORDER], unsigned order, const char *l, size_t len)
{
    int seq[MAX_LABEL + MAX_ORDER + 1];
    size_t n = 0;
    for (unsigned j = 0; j + 1 < order; j++)
        seq[n++] = BOUND;
    for (size_t i = 0; i < len && i < MAX_LABEL; i++)
        seq[n++] = sym((unsigned char)l[i]);
    seq[n++] = BOUND;
    /* every k-gram ending at a real symbol or the end mark */
    for (size_t end = order - 1; end < n; end++)
        for (unsigned k = 1; k <= order; k++) {
            uint32_t idx = 0;
            for (size_t j = end + 1 - k; j <= end; j++)
                idx = idx * A + (uint32_t)seq[j];
            counts[k - 1][idx]++;
        }
}

static int counts_new(uint32_t *counts[MAX_ORDER], unsigned order)
{
    for (unsigned k = 1; k <= order; k++)
        if (!(counts[k - 1] = calloc(ipow(A, k), sizeof **counts)))
            return -SK_ENOMEM;
    return 0;
}

static void counts_free(uint32_t *counts[MAX_ORDER])
{
    for (int k = 0; k < MAX_ORDER; k++) {
        free(counts[k]);
        counts[k] = NULL;
    }
}

/* An n-gram-only model over the labels of one parity (even or odd index),
 * with neutral weights. Parity, not halves: the labels arrive sorted. */
static int half_model(const char *const *labels, size_t n, unsigned parity, unsigned order,
                      struct sk_dga_model *m)
{
    uint32_t *counts[MAX_ORDER] = {0};
    int rc;
    memset(m, 0, sizeof *m);
    m->order = order;
    for (int i = 0; i < F; i++)
        m->sd[i] = 1;
    if ((rc = counts_new(counts, order)) < 0)
        goto out;
    for (size_t i = parity; i < n; i += 2)
        count_label(counts, order, labels[i], strlen(labels[i]));
    rc = build_probs(m, counts);
out:
    counts_free(counts);
    return rc;
}

/* Solves the (F+1)² system in place (Gaussian elimination, partial pivot). */
static int solve(double a[F + 1][F + 2])
{
    const int n = F + 1;
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(a[r][c]) > fabs(a[p][c]))
                p = r;
        if (fabs(a[p][c]) < 1e-12)
            return -1;
        if (p != c)
            for (int k = 0; k <= n; k++) {
                double t = a[c][k];
                a[c][k] = a[p][k];
                a[p][k] = t;
            }
        for (int r = 0; r < n; r++) {
            if (r == c)
                continue;
            double f = a[r][c] / a[c][c];
            for (int k = c; k <= n; k++)
                a[r][k] -= f * a[c][k];
        }
    }
    for (int r = 0; r < n; r++)
        a[r][n] /= a[r][r];
    return 0;
}

/* Writes "KEYWORD TEXT COUNT" for every k-gram counted. */
static int write_grams(struct sk_buf *out, const char *kw, const uint32_t *counts, unsigned k)
{
    uint32_t ng = ipow(A, k);
    int rc = 0;
    for (uint32_t idx = 0; idx < ng && rc >= 0; idx++) {
        char g[MAX_ORDER + 1];
        uint32_t v = idx;
        if (!counts[idx])
            continue;
        for (int j = (int)k - 1; j >= 0; j--) {
            uint32_t s = v % A;
            v /= A;
            g[j] = s < 26 ? (char)('a' + s) : s < 36 ? (char)('0' + s - 26) : s == 36 ? '-' : '^';
        }
        if (g[k - 1] == '^')
            g[k - 1] = '$';
        g[k] = '\0';
        rc = sk_buf_printf(out, "%s %s %u\n", kw, g, counts[idx]);
    }
    return rc;
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* The styles the weights are fitted against. Two-word names are left out:
 * they are what legitimate names look like too, and fitting against them
 * teaches the model that long, word-like names are generated. */
static const enum sk_dga_family dga_families[] = {SK_DGA_RANDOM, SK_DGA_ALNUM, SK_DGA_HEX,
                                                   SK_DGA_SYLLABLE, SK_DGA_WORDS4};
#define NTRAIN_FAMILIES (sizeof dga_families / sizeof dga_families[0])

int sk_dga_train(const char *const *labels, size_t ntrain, size_t nvalid,
                 const struct sk_dga_train_opts *o, struct sk_buf *out,
                 struct sk_dga_train_report *rep, struct sk_errinfo *ei)
{
    unsigned order = o->order ? o->order : 4;
    size_t per = o->dga_per_family ? o->dga_per_family : 20000;
    size_t ndga = per * NTRAIN_FAMILIES, nall = ntrain + ndga;
    struct sk_dga_model half[2], *fin = calloc(1, sizeof *fin);
    uint32_t *counts[MAX_ORDER] = {0};
    double (*x)[F] = malloc(nall * sizeof *x), *y = malloc(nall * sizeof *y);
    double *vs = malloc((nvalid ? nvalid : 1) * sizeof *vs);
    char (*dga)[64] = malloc(ndga * sizeof *dga);
    struct sk_dga_result r;
    int rc = -SK_ENOMEM;

    memset(half, 0, sizeof half);
    memset(rep, 0, sizeof *rep);
    if (!fin || !x || !y || !vs || !dga)
        goto out;
    if (order < 2 || order > MAX_ORDER || ntrain < 100) {
        rc = sk_fail(ei, -SK_EINVAL, "train-dga: need order 2..%d and at least 100 training names",
                     MAX_ORDER);
        goto out;
    }
    /* out-of-fold features for the legitimate names */
    if ((rc = words_init(fin)) < 0)
        goto out;
    for (size_t i = 0; i < o->nwords; i++) {
        size_t wl = strlen(o->words[i]);
        if (valid_word(o->words[i], wl) && sk__strtab_intern(&fin->words, o->words[i], wl) == -SK_ENOMEM) {
            rc = -SK_ENOMEM;
            goto out;
        }
    }
    if ((rc = half_model(labels, ntrain, 0, order, &half[0])) < 0 ||
        (rc = half_model(labels, ntrain, 1, order, &half[1])) < 0)
        goto out;
    /* the model of generated names: other names than the examples below */
    uint32_t *gcounts[MAX_ORDER] = {0};
    if ((rc = counts_new(gcounts, GEN_ORDER)) < 0) {
        counts_free(gcounts);
        goto out;
    }
    for (size_t i = 0; i < ndga; i++) {
        char g[64];
        size_t n = sk_dga_label(dga_families[i % NTRAIN_FAMILIES], o->seed ^ 0x67656eULL,
                                i / NTRAIN_FAMILIES + 1000000, g);
        count_label(gcounts, GEN_ORDER, g, n);
    }
    rc = build_table(GEN_ORDER, gcounts, &fin->lp_gen, &fin->ctx_mod_gen);
    if (rc < 0) {
        counts_free(gcounts);
        goto out;
    }
    /* the halves share the final model's dictionary and generated-name
     * model (freed with it) */
    half[0].words = half[1].words = fin->words;
    half[0].have_words = half[1].have_words = 1;
    half[0].lp_gen = half[1].lp_gen = fin->lp_gen;
    half[0].ctx_mod_gen = half[1].ctx_mod_gen = fin->ctx_mod_gen;
    for (size_t i = 0; i < ntrain; i++) {
        sk_dga_score_label(&half[(i & 1) ^ 1], labels[i], strlen(labels[i]), &r);
        memcpy(x[i], r.f, sizeof r.f);
        y[i] = 0;
    }
    for (size_t i = 0; i < ndga; i++) {
        enum sk_dga_family fam = dga_families[i % NTRAIN_FAMILIES];
        size_t n = sk_dga_label(fam, o->seed, i / NTRAIN_FAMILIES, dga[i]);
        sk_dga_score_label(&half[i & 1], dga[i], n, &r);
        memcpy(x[ntrain + i], r.f, sizeof r.f);
        y[ntrain + i] = 1;
    }

    /* standardise */
    for (int j = 0; j < F; j++) {
        double s = 0, ss = 0;
        for (size_t i = 0; i < nall; i++)
            s += x[i][j];
        fin->mean[j] = s / (double)nall;
        for (size_t i = 0; i < nall; i++)
            ss += (x[i][j] - fin->mean[j]) * (x[i][j] - fin->mean[j]);
        fin->sd[j] = sqrt(ss / (double)nall);
        if (!(fin->sd[j] > 1e-9))
            fin->sd[j] = 1;
    }
    /* logistic regression by IRLS; both classes carry equal total weight */
    double beta[F + 1] = {0}, wpos = (double)ntrain / (double)ndga, lambda = 1e-3 * (double)ntrain;
    for (int it = 0; it < 30; it++) {
        double a[F + 1][F + 2];
        memset(a, 0, sizeof a);
        for (size_t i = 0; i < nall; i++) {
            double v[F + 1], z = beta[F];
            for (int j = 0; j < F; j++) {
                v[j] = (x[i][j] - fin->mean[j]) / fin->sd[j];
                z += beta[j] * v[j];
            }
            v[F] = 1;
            double p = 1 / (1 + exp(-z)), sw = y[i] > 0 ? wpos : 1, h = sw * p * (1 - p);
            for (int j = 0; j <= F; j++) {
                for (int k = 0; k <= F; k++)
                    a[j][k] += h * v[j] * v[k];
                a[j][F + 1] += sw * (y[i] - p) * v[j];
            }
        }
        for (int j = 0; j < F; j++) {
            a[j][j] += lambda;
            a[j][F + 1] -= lambda * beta[j];
        }
        if (solve(a) < 0) {
            rc = sk_fail(ei, -SK_EINVAL, "train-dga: the features are degenerate (too few distinct names?)");
            goto out;
        }
        double step = 0;
        for (int j = 0; j <= F; j++) {
            beta[j] += a[j][F + 1];
            step += fabs(a[j][F + 1]);
        }
        if (step < 1e-9)
            break;
    }
    for (int j = 0; j < F; j++)
        fin->w[j] = beta[j];
    fin->bias = beta[F];

    /* the final n-gram model: every training label */
    fin->order = order;
    if ((rc = counts_new(counts, order)) < 0)
        goto out;
    for (size_t i = 0; i < ntrain; i++)
        count_label(counts, order, labels[i], strlen(labels[i]));
    if ((rc = build_probs(fin, counts)) < 0)
        goto out;

    /* threshold from names no model saw */
    fin->threshold = 0.5;
    if (nvalid) {
        for (size_t i = 0; i < nvalid; i++) {
            const char *l = labels[ntrain + i];
            sk_dga_score_label(fin, l, strlen(l), &r);
            vs[i] = r.score;
        }
        qsort(vs, nvalid, sizeof *vs, cmp_double);
        size_t k = (size_t)floor((1 - o->target_fpr) * (double)nvalid);
        if (k >= nvalid)
            k = nvalid - 1;
        /* just above the k-th score, rounded up so the text round-trips */
        fin->threshold = ceil((vs[k] + 1e-9) * 1e6) / 1e6;
        if (fin->threshold > 1)
            fin->threshold = 1;
        size_t above = 0;
        for (size_t i = 0; i < nvalid; i++)
            above += vs[i] >= fin->threshold;
        rep->validation_fpr = (double)above / (double)nvalid;
    }
    size_t hit = 0;
    for (size_t i = 0; i < ndga; i++) {
        sk_dga_score_label(fin, dga[i], strlen(dga[i]), &r);
        hit += r.score >= fin->threshold;
    }
    rep->train_labels = ntrain;
    rep->validation_labels = nvalid;
    rep->dga_examples = ndga;
    rep->threshold = fin->threshold;
    rep->dga_recall = (double)hit / (double)ndga;

    /* the text */
    if ((rc = sk_buf_printf(out, "sakimori-dga-model 1\n"
                                 "# derived by `sakimori intel train-dga` from %zu legitimate labels\n"
                                 "# (threshold from %zu more at FPR %.4f); see sakimori/dga.h\n"
                                 "order %u\nthreshold %.6f\nbias %.9g\n",
                            ntrain, nvalid, o->target_fpr, order, fin->threshold, fin->bias)) < 0)
        goto out;
    for (int j = 0; j < F; j++)
        if ((rc = sk_buf_printf(out, "feature %s %.9g %.9g %.9g\n", feature_names[j], fin->mean[j],
                                fin->sd[j], fin->w[j])) < 0)
            goto out;
    {
        /* the dictionary, sorted so the file is stable */
        const char **wv = malloc((fin->words.n ? fin->words.n : 1) * sizeof *wv);
        if (!wv) {
            rc = -SK_ENOMEM;
            goto out;
        }
        for (uint32_t i = 0; i < fin->words.n; i++)
            wv[i] = fin->words.str[i];
        qsort(wv, fin->words.n, sizeof *wv, cmp_cstr);
        for (uint32_t i = 0; i < fin->words.n && rc >= 0; i++)
            rc = sk_buf_printf(out, "word %s\n", wv[i]);
        free(wv);
        if (rc < 0)
            goto out;
    }
    for (unsigned k = 1; k <= GEN_ORDER && rc >= 0; k++)
        rc = write_grams(out, "gengram", gcounts[k - 1], k);
    counts_free(gcounts);
    if (rc < 0)
        goto out;
    for (unsigned k = 1; k <= order; k++) {
        uint32_t ng = ipow(A, k);
        for (uint32_t idx = 0; idx < ng; idx++) {
            uint32_t c = counts[k - 1][idx];
            char g[MAX_ORDER + 1];
            if (!c)
                continue;
            uint32_t v = idx;
            for (int j = (int)k - 1; j >= 0; j--) {
                uint32_t s = v % A;
                v /= A;
                g[j] = s < 26 ? (char)('a' + s) : s < 36 ? (char)('0' + s - 26) : s == 36 ? '-' : '^';
            }
            if (g[k - 1] == '^')
                g[k - 1] = '$';
            g[k] = '\0';
            if ((rc = sk_buf_printf(out, "gram %s %u\n", g, c)) < 0)
                goto out;
        }
    }
    rc = 0;
out:
    if (rc == -SK_ETOOBIG)
        sk_errinfo_set(ei, "train-dga: the model is larger than %u bytes", SK_DGA_MAX_MODEL);
    half[0].lp_gen = half[1].lp_gen = NULL;
    free(half[0].lp);
    free(half[1].lp);
    counts_free(counts);
    sk_dga_model_free(fin);
    free(x);
    free(y);
    free(vs);
    free(dga);
    return rc;
}
