/*
 * dga.h — telling algorithmically generated domain names from real ones.
 *
 * A model has two parts, both derived by sk_dga_train() from names people
 * really use (top-site lists) and written as one text file:
 *   - a character n-gram model of legitimate registrable labels ("google"
 *     in www.google.co.uk, found with the Public Suffix List);
 *   - a logistic combination of that model's likelihood with entropy,
 *     length, digit, consonant and hyphen measures, fitted against names in
 *     the styles DGA families use (sk_dga_label() in synth.h), with its
 *     decision threshold calibrated on legitimate names the n-gram model did
 *     not see.
 * The project ships a model its trainer derived (embedded in the binary,
 * src/detect/dga.model); the lists it was derived from are not part of it.
 *
 * File format (text, one record per line, '#' comments):
 *   sakimori-dga-model 1
 *   order N                       n-gram order, 2–5
 *   threshold T                   score at or above which a name is DGA-like
 *   feature NAME MEAN SD WEIGHT   standardisation and weight, in order
 *   bias B
 *   word TEXT                     a dictionary word (3–24 letters a-z)
 *   gengram TEXT COUNT            trigram counts of generated names
 *   gram TEXT COUNT               '^' marks the start, '$' the end of a label
 * Loading checks every line and names "file:line: what was expected".
 */
#ifndef SAKIMORI_DGA_H
#define SAKIMORI_DGA_H

#include <stddef.h>
#include <stdint.h>

#include "sakimori/buf.h"
#include "sakimori/error.h"

#define SK_DGA_MAX_MODEL (64u << 20) /* bytes of model text we accept */

struct sk_dga_model;

int sk_dga_model_parse(const char *text, size_t len, const char *name,
                       struct sk_dga_model **out, struct sk_errinfo *ei);
int sk_dga_model_load(const char *path, struct sk_dga_model **out, struct sk_errinfo *ei);
/* The model shipped inside the binary. */
int sk_dga_model_embedded(struct sk_dga_model **out, struct sk_errinfo *ei);
void sk_dga_model_free(struct sk_dga_model *m);
double sk_dga_model_threshold(const struct sk_dga_model *m);
unsigned sk_dga_model_order(const struct sk_dga_model *m);

#define SK_DGA_NFEATURES 12

struct sk_dga_result {
    char label[64];          /* the label that was judged */
    double score;            /* 0–1; ≥ threshold: DGA-like */
    double logprob;          /* mean natural log-probability per symbol */
    double f[SK_DGA_NFEATURES];
};

/* The registrable label of a DNS name: "google" for "www.google.co.uk",
 * "x1y2" for "x1y2.ddns.net" (a dynamic-DNS suffix is a public suffix).
 * Returns its length, or 0 when the name has none (a public suffix itself,
 * an address literal, a reverse-lookup name, a single label). */
size_t sk_dga_label_of(const char *name, char *label, size_t len);

/* Scores one DNS name; returns 0 and fills r, or -SK_ENOTFOUND when the
 * name has no registrable label to judge. */
int sk_dga_score(const struct sk_dga_model *m, const char *name, struct sk_dga_result *r);
/* Scores a label as it is (no suffix handling). */
void sk_dga_score_label(const struct sk_dga_model *m, const char *label, size_t len,
                        struct sk_dga_result *r);

const char *sk_dga_feature_name(unsigned i);

struct sk_dga_train_opts {
    unsigned order;          /* n-gram order (default 4) */
    double target_fpr;       /* threshold: this share of validation names above it */
    uint64_t seed;           /* for the generated DGA examples */
    size_t dga_per_family;   /* generated examples per style */
    const char *const *words; /* dictionary for the coverage features */
    size_t nwords;
};

struct sk_dga_train_report {
    size_t train_labels, validation_labels, dga_examples;
    double threshold;
    double validation_fpr;
    double dga_recall;       /* generated examples at or above the threshold */
};

/* Trains from legitimate labels (already reduced to registrable labels and
 * de-duplicated by the caller): the first ntrain build the n-gram model and
 * fit the weights, the rest calibrate the threshold. Writes the model text
 * to out. */
int sk_dga_train(const char *const *labels, size_t ntrain, size_t nvalid,
                 const struct sk_dga_train_opts *o, struct sk_buf *out,
                 struct sk_dga_train_report *rep, struct sk_errinfo *ei);

#endif
