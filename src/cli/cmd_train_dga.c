/*
 * cmd_train_dga.c — `sakimori intel train-dga`: derive the DGA model from
 * top-site lists, and measure a model against labelled names.
 *
 * Training reads MISP warninglists (list.json: {"list": [names…]}) or plain
 * lists (one name per line), reduces every name to its registrable label
 * (libpsl) and de-duplicates. A stable hash of the label splits the labels:
 *   holdout     --holdout (default 10 %): never seen by training; written to
 *               --holdout-out for measuring the false-positive rate
 *   validation  10 % of the rest: calibrates the threshold (--target-fpr)
 *   training    the rest: the n-gram counts and the feature weights
 * Evaluation scores a file of names — a CSV "class,family,domain" (class
 * "dga" or "legit"), or plain names, all taken as legitimate — and prints
 * ROC-AUC, the rates at the model's threshold and per-family detection.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sakimori/buf.h"
#include "sakimori/dga.h"
#include "sakimori/file.h"
#include "sakimori/hash.h"

#define MAX_LISTS 64
#define MAX_LIST_BYTES (256u << 20)
#define SPLIT_SEED 0x73616b696d6f7269ULL /* fixed: the split must not move between runs */

static void help(void)
{
    printf("usage: sakimori intel train-dga --out MODEL --list FILE... [OPTIONS]\n"
           "       sakimori intel train-dga --model MODEL --evaluate FILE [--scores] [--json]\n"
           "\n"
           "Derives the DGA model `sakimori scan` uses to judge queried names: a\n"
           "character n-gram model of the registrable labels of legitimate names\n"
           "(top-site lists), combined with entropy, length, digit and consonant\n"
           "measures. The lists themselves do not go into the model file.\n"
           "\n"
           "training:\n"
           "  -o, --out MODEL         where to write the model (text)\n"
           "  -l, --list FILE         a MISP warninglist (list.json) or a plain list of\n"
           "                          names, one per line (repeatable)\n"
           "      --holdout FRACTION  share of labels kept out of training (default 0.1)\n"
           "      --holdout-out FILE  write the held-out labels' names there\n"
           "      --order N           n-gram order, 2–4 (default 4)\n"
           "      --target-fpr F      share of validation names allowed at or above the\n"
           "                          threshold (default 0.005)\n"
           "      --seed N            seed of the generated DGA examples (default 1)\n"
           "      --words FILE        dictionary, one word a line (e.g. /usr/share/dict/words\n"
           "                          from wamerican); its words of 3–24 letters go into\n"
           "                          the model for the dictionary-cover features\n"
           "\n"
           "evaluation:\n"
           "  -m, --model MODEL       the model to measure ('embedded' for the shipped one)\n"
           "  -e, --evaluate FILE     CSV class,family,domain or one legitimate name a line\n"
           "      --scores            print every name's label and score\n"
           "      --json              print the summary as JSON\n"
           "  -h, --help              this help\n"
           "\n"
           "exit status: 0 success, 2 usage or input error\n");
}

struct labels {
    char **v;
    size_t n, cap;
};

static int labels_add(struct labels *l, const char *s)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4096;
        char **nv = realloc(l->v, nc * sizeof *nv);
        if (!nv)
            return -SK_ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    if (!(l->v[l->n] = strdup(s)))
        return -SK_ENOMEM;
    l->n++;
    return 0;
}

static void labels_free(struct labels *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One name from a list: strip a leading "*." or ".", reduce to the label. */
static int take_name(struct labels *out, struct labels *names, const char *raw)
{
    char label[64];
    while (*raw == '*' || *raw == '.')
        raw++;
    if (!sk_dga_label_of(raw, label, sizeof label))
        return 0;
    int rc = labels_add(out, label);
    if (rc == 0 && names)
        rc = labels_add(names, raw);
    return rc;
}

static int read_list(const char *path, struct labels *out, struct labels *names, struct sk_errinfo *ei)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    if ((rc = sk_read_file(path, MAX_LIST_BYTES, &text, &len, ei)) < 0)
        return rc;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
        i++;
    if (i < len && text[i] == '{') {
        json_error_t je;
        json_t *doc = json_loadb(text, len, 0, &je), *list;
        if (!doc) {
            rc = sk_fail(ei, -SK_EPARSE, "%s:%d:%d: %s", path, je.line, je.column, je.text);
            goto out;
        }
        list = json_object_get(doc, "list");
        if (!json_is_array(list)) {
            json_decref(doc);
            rc = sk_fail(ei, -SK_EPARSE, "%s: expected a MISP warninglist (an object with a \"list\" array)", path);
            goto out;
        }
        for (size_t k = 0; k < json_array_size(list); k++) {
            const char *s = json_string_value(json_array_get(list, k));
            if (!s) {
                json_decref(doc);
                rc = sk_fail(ei, -SK_EPARSE, "%s: $.list[%zu]: expected a string", path, k);
                goto out;
            }
            if ((rc = take_name(out, names, s)) < 0) {
                json_decref(doc);
                goto out;
            }
        }
        json_decref(doc);
    } else {
        char *save = NULL;
        for (char *ln = strtok_r(text, "\r\n", &save); ln; ln = strtok_r(NULL, "\r\n", &save)) {
            ln += strspn(ln, " \t");
            if (!*ln || *ln == '#')
                continue;
            ln[strcspn(ln, " \t,")] = '\0';
            if ((rc = take_name(out, names, ln)) < 0)
                goto out;
        }
    }
    rc = 0;
out:
    free(text);
    return rc;
}

/* Dictionary words: lower-cased, letters only, 3–24 of them. */
static int read_words(const char *path, struct labels *out, struct sk_errinfo *ei)
{
    char *text = NULL, *save = NULL;
    size_t len = 0;
    int rc;
    if ((rc = sk_read_file(path, MAX_LIST_BYTES, &text, &len, ei)) < 0)
        return rc;
    for (char *w = strtok_r(text, "\r\n", &save); w && rc == 0; w = strtok_r(NULL, "\r\n", &save)) {
        size_t n = strlen(w), i;
        for (i = 0; i < n; i++) {
            char ch = w[i];
            if (ch >= 'A' && ch <= 'Z')
                w[i] = (char)(ch + 32);
            else if (ch < 'a' || ch > 'z')
                break;
        }
        if (i == n && n >= 3 && n <= 24)
            rc = labels_add(out, w);
    }
    free(text);
    return rc;
}

static int train(const char *out_path, const char **lists, size_t nlists, double holdout,
                 const char *holdout_out, const char *words_path, struct sk_dga_train_opts *o,
                 int quiet)
{
    struct labels all = {0}, names = {0}, train_l = {0}, valid = {0}, held = {0}, words = {0};
    struct sk_buf model, hb;
    struct sk_errinfo ei = {""};
    struct sk_dga_train_report rep;
    int rc = 0;

    sk_buf_init(&model, SK_DGA_MAX_MODEL);
    sk_buf_init(&hb, MAX_LIST_BYTES);
    for (size_t i = 0; i < nlists; i++)
        if ((rc = read_list(lists[i], &all, &names, &ei)) < 0)
            goto fail;
    if (words_path && (rc = read_words(words_path, &words, &ei)) < 0)
        goto fail;
    o->words = (const char *const *)words.v;
    o->nwords = words.n;
    /* de-duplicate by label, keeping one name per label for the holdout file */
    size_t n = all.n;
    char **pairs = malloc((n ? n : 1) * sizeof *pairs);
    if (!pairs) {
        rc = -SK_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        size_t a = strlen(all.v[i]), b = strlen(names.v[i]);
        if (!(pairs[i] = malloc(a + b + 2))) {
            for (size_t j = 0; j < i; j++)
                free(pairs[j]);
            free(pairs);
            rc = -SK_ENOMEM;
            goto fail;
        }
        memcpy(pairs[i], all.v[i], a);
        pairs[i][a] = ' ';
        memcpy(pairs[i] + a + 1, names.v[i], b + 1);
    }
    qsort(pairs, n, sizeof *pairs, cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *sp = strchr(pairs[i], ' ');
        *sp = '\0';
        if (i && !strncmp(pairs[i - 1], pairs[i], strlen(pairs[i]) + 1))
            continue; /* same label as the previous entry */
        uint64_t h = sk_hash64(pairs[i], strlen(pairs[i]), SPLIT_SEED) % 1000;
        if (h < (uint64_t)(holdout * 1000)) {
            rc = labels_add(&held, pairs[i]);
            if (rc == 0 && holdout_out)
                rc = sk_buf_printf(&hb, "%s\n", sp + 1);
        } else if (h < (uint64_t)(holdout * 1000) + 100) {
            rc = labels_add(&valid, pairs[i]);
        } else {
            rc = labels_add(&train_l, pairs[i]);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(pairs[i]);
    free(pairs);
    if (rc < 0)
        goto fail;
    /* training labels first, then validation: sk_dga_train's layout */
    for (size_t i = 0; i < valid.n; i++)
        if ((rc = labels_add(&train_l, valid.v[i])) < 0)
            goto fail;
    size_t ntrain = train_l.n - valid.n;
    if ((rc = sk_dga_train((const char *const *)train_l.v, ntrain, valid.n, o, &model, &rep, &ei)) < 0)
        goto fail;
    if ((rc = sk_write_file_atomic(out_path, model.data, model.len, &ei)) < 0)
        goto fail;
    if (holdout_out && (rc = sk_write_file_atomic(holdout_out, hb.data ? hb.data : "", hb.len, &ei)) < 0)
        goto fail;
    if (!quiet)
        fprintf(stderr,
                "train-dga: %zu names → %zu labels: %zu training, %zu validation, %zu held out\n"
                "train-dga: threshold %.6f (validation FPR %.4f); generated DGA names at or above it: %.4f\n"
                "train-dga: wrote %s (%zu bytes)\n",
                all.n, ntrain + valid.n + held.n, ntrain, valid.n, held.n, rep.threshold,
                rep.validation_fpr, rep.dga_recall, out_path, model.len);
    goto out;
fail:
    sk_cli_fail("intel train-dga", rc, &ei);
    rc = -1;
out:
    labels_free(&all);
    labels_free(&names);
    labels_free(&train_l);
    labels_free(&valid);
    labels_free(&held);
    labels_free(&words);
    sk_buf_free(&model);
    sk_buf_free(&hb);
    return rc < 0 ? SK_EXIT_ERROR : SK_EXIT_OK;
}

struct scored {
    double score;
    int dga;       /* 1 dga, 0 legit */
    int family;    /* index into the family table */
    int judged;
};

static int cmp_scored(const void *a, const void *b)
{
    double x = ((const struct scored *)a)->score, y = ((const struct scored *)b)->score;
    return x < y ? -1 : x > y;
}

/* ROC-AUC by the rank-sum (Mann–Whitney) with ties averaged; v is sorted. */
static double auc(const struct scored *v, size_t n)
{
    double rank_sum = 0, npos = 0, nneg = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].score == v[i].score)
            j++;
        double avg = (double)(i + 1 + j) / 2; /* ranks i+1 .. j */
        for (size_t k = i; k < j; k++)
            if (v[k].dga)
                rank_sum += avg;
        i = j;
    }
    for (size_t i = 0; i < n; i++) {
        npos += v[i].dga;
        nneg += !v[i].dga;
    }
    if (!npos || !nneg)
        return NAN;
    return (rank_sum - npos * (npos + 1) / 2) / (npos * nneg);
}

#define MAX_FAMILIES 128

static int evaluate(const char *model_path, const char *file, int scores, int json)
{
    struct sk_dga_model *m = NULL;
    struct sk_errinfo ei = {""};
    char *text = NULL, *fam_names[MAX_FAMILIES];
    size_t len = 0, n = 0, cap = 0, nfam = 0, lineno = 0;
    size_t fam_n[MAX_FAMILIES] = {0}, fam_hit[MAX_FAMILIES] = {0};
    struct scored *v = NULL;
    int rc, csv = -1;

    if (!strcmp(model_path, "embedded"))
        rc = sk_dga_model_embedded(&m, &ei);
    else
        rc = sk_dga_model_load(model_path, &m, &ei);
    if (rc < 0 || (rc = sk_read_file(file, MAX_LIST_BYTES, &text, &len, &ei)) < 0)
        goto fail;
    double thr = sk_dga_model_threshold(m);
    char *save = NULL;
    for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        char *cls = NULL, *fam = "legit", *name = ln;
        lineno++;
        ln[strcspn(ln, "\r")] = '\0';
        if (!*ln || *ln == '#')
            continue;
        if (csv < 0)
            csv = strchr(ln, ',') != NULL;
        if (csv) {
            char *c1 = strchr(ln, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
            if (!c2) {
                rc = sk_fail(&ei, -SK_EPARSE, "%s:%zu: expected class,family,domain", file, lineno);
                goto fail;
            }
            *c1 = *c2 = '\0';
            cls = ln;
            fam = c1 + 1;
            name = c2 + 1;
            if (!strcmp(cls, "class"))
                continue; /* header */
            if (strcmp(cls, "dga") && strcmp(cls, "legit")) {
                rc = sk_fail(&ei, -SK_EPARSE, "%s:%zu: class '%s': expected dga or legit", file,
                             lineno, cls);
                goto fail;
            }
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            struct scored *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                rc = -SK_ENOMEM;
                goto fail;
            }
            v = nv;
        }
        size_t f;
        for (f = 0; f < nfam && strcmp(fam_names[f], fam); f++)
            ;
        if (f == nfam) {
            if (nfam == MAX_FAMILIES) {
                rc = sk_fail(&ei, -SK_ETOOBIG, "%s:%zu: more than %d families", file, lineno, MAX_FAMILIES);
                goto fail;
            }
            fam_names[nfam++] = fam;
        }
        struct sk_dga_result r;
        int judged = sk_dga_score(m, name, &r) == 0;
        v[n] = (struct scored){judged ? r.score : 0, cls && !strcmp(cls, "dga"), (int)f, judged};
        fam_n[f]++;
        fam_hit[f] += v[n].score >= thr;
        if (scores) {
            printf("%s\t%s\t%.6f\t%s\t%s", name, judged ? r.label : "-", v[n].score,
                   v[n].dga ? "dga" : "legit", fam);
            for (unsigned k = 0; k < SK_DGA_NFEATURES; k++)
                printf("\t%.4f", judged ? r.f[k] : 0.0);
            printf("\n");
        }
        n++;
    }
    size_t pos = 0, neg = 0, tp = 0, fp = 0, unjudged = 0;
    for (size_t i = 0; i < n; i++) {
        pos += v[i].dga;
        neg += !v[i].dga;
        tp += v[i].dga && v[i].score >= thr;
        fp += !v[i].dga && v[i].score >= thr;
        unjudged += !v[i].judged;
    }
    qsort(v, n, sizeof *v, cmp_scored);
    double a = auc(v, n);
    if (json) {
        json_t *o = json_pack("{s:s,s:s,s:f,s:i,s:i,s:i,s:i}", "model", model_path, "file", file,
                              "threshold", thr, "names", (json_int_t)n, "dga", (json_int_t)pos,
                              "legit", (json_int_t)neg, "unjudged", (json_int_t)unjudged);
        json_object_set_new(o, "roc_auc", isnan(a) ? json_null() : json_real(a));
        json_object_set_new(o, "tpr", pos ? json_real((double)tp / (double)pos) : json_null());
        json_object_set_new(o, "fpr", neg ? json_real((double)fp / (double)neg) : json_null());
        json_t *fams = json_object();
        for (size_t f = 0; f < nfam; f++)
            json_object_set_new(fams, fam_names[f],
                                json_pack("{s:i,s:f}", "names", (json_int_t)fam_n[f], "at_threshold",
                                          (double)fam_hit[f] / (double)fam_n[f]));
        json_object_set_new(o, "families", fams);
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(o);
    } else if (!scores) {
        printf("model %s, threshold %.6f\n", model_path, thr);
        printf("names %zu (dga %zu, legitimate %zu, no registrable label %zu)\n", n, pos, neg, unjudged);
        if (!isnan(a))
            printf("ROC-AUC %.4f\n", a);
        if (pos)
            printf("detection rate at threshold %.4f (%zu of %zu)\n", (double)tp / (double)pos, tp, pos);
        if (neg)
            printf("false-positive rate at threshold %.4f (%zu of %zu)\n", (double)fp / (double)neg, fp, neg);
        for (size_t f = 0; f < nfam; f++)
            printf("  %-16s %6zu names, %.3f at or above threshold\n", fam_names[f], fam_n[f],
                   (double)fam_hit[f] / (double)fam_n[f]);
    }
    rc = 0;
    goto out;
fail:
    sk_cli_fail("intel train-dga", rc, &ei);
    rc = -1;
out:
    free(v);
    free(text);
    sk_dga_model_free(m);
    return rc < 0 ? SK_EXIT_ERROR : SK_EXIT_OK;
}

static int parse_fraction(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end || !(d >= lo && d <= hi))
        return sk_cli_usage_error("intel train-dga", "%s: expected a number in [%g, %g], got '%s'",
                                  opt, lo, hi, s);
    *out = d;
    return 0;
}

int sk_cmd_intel_train_dga(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},      {"list", required_argument, NULL, 'l'},
        {"holdout", required_argument, NULL, 'H'},  {"holdout-out", required_argument, NULL, 'O'},
        {"order", required_argument, NULL, 'n'},    {"target-fpr", required_argument, NULL, 'F'},
        {"seed", required_argument, NULL, 's'},     {"model", required_argument, NULL, 'm'},
        {"evaluate", required_argument, NULL, 'e'}, {"scores", no_argument, NULL, 'S'},
        {"json", no_argument, NULL, 'j'},           {"quiet", no_argument, NULL, 'q'},
        {"words", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},           {0},
    };
    const char *lists[MAX_LISTS], *out = NULL, *holdout_out = NULL, *model = NULL, *eval = NULL,
               *words = NULL;
    struct sk_dga_train_opts o = {.order = 4, .target_fpr = 0.005, .seed = 1, .dga_per_family = 20000};
    size_t nlists = 0;
    double holdout = 0.1, d;
    int c, scores = 0, json = 0, quiet = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:l:m:e:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'l':
            if (nlists == MAX_LISTS)
                return sk_cli_usage_error("intel train-dga", "at most %d --list", MAX_LISTS);
            lists[nlists++] = optarg;
            break;
        case 'H':
            if (parse_fraction("--holdout", optarg, 0, 0.5, &holdout))
                return SK_EXIT_ERROR;
            break;
        case 'O': holdout_out = optarg; break;
        case 'n':
            if (parse_fraction("--order", optarg, 2, 4, &d) || d != floor(d))
                return d != floor(d) ? sk_cli_usage_error("intel train-dga", "--order: expected 2, 3 or 4")
                                     : SK_EXIT_ERROR;
            o.order = (unsigned)d;
            break;
        case 'F':
            if (parse_fraction("--target-fpr", optarg, 0.0001, 0.5, &o.target_fpr))
                return SK_EXIT_ERROR;
            break;
        case 's':
            if (parse_fraction("--seed", optarg, 0, 1e15, &d))
                return SK_EXIT_ERROR;
            o.seed = (uint64_t)d;
            break;
        case 'm': model = optarg; break;
        case 'e': eval = optarg; break;
        case 'S': scores = 1; break;
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'w': words = optarg; break;
        case 'h': help(); return SK_EXIT_OK;
        default: return sk_cli_usage_error("intel train-dga", "unknown option");
        }
    }
    if (optind < argc)
        return sk_cli_usage_error("intel train-dga", "unexpected argument '%s'", argv[optind]);
    if (eval || model) {
        if (!eval || !model)
            return sk_cli_usage_error("intel train-dga", "--model and --evaluate go together");
        return evaluate(model, eval, scores, json);
    }
    if (!out)
        return sk_cli_usage_error("intel train-dga", "--out MODEL is required (or --model with --evaluate)");
    if (!nlists)
        return sk_cli_usage_error("intel train-dga", "no --list given");
    return train(out, lists, nlists, holdout, holdout_out, words, &o, quiet);
}
