/* fc_data.h — a block of examples (features and labels) and the readers that fill one:
 * csv, libsvm, idx (gzip or plain, via zlib) and the seeded synthetic generator.
 * Ownership: fc_data_t owns X and y; fc_data_destroy frees both. */
#ifndef FC_DATA_H
#define FC_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "fc_error.h"

/* Longest line the text readers accept (a million-feature csv row fits). */
#define FC_MAX_LINE ((size_t)256 << 20)

typedef struct {
    size_t n;  /* examples */
    size_t p;  /* features per example (including the bias column once appended) */
    double *X; /* n x p, row-major */
    double *y; /* n labels */
} fc_data_t;

/* What a label may be; the readers reject anything else with file and line. */
typedef enum {
    FC_LABEL_REAL,   /* any finite number (linear) */
    FC_LABEL_BINARY, /* 0 or 1 (logistic); libsvm also accepts -1/+1, mapped to 0/1 */
    FC_LABEL_CLASS   /* integer 0..classes-1 (softmax; classes 0 = no upper bound yet) */
} fc_label_kind_t;

typedef struct {
    fc_label_kind_t kind;
    int classes; /* FC_LABEL_CLASS: upper bound, 0 = none */
} fc_label_rule_t;

/* Nonzero when y breaks the rule; then why (size bytes) says how, e.g.
 * "binary labels must be 0 or 1". Shared by the readers and the partitioners. */
int fc_label_invalid(fc_label_rule_t rule, double y, char *why, size_t size);

/* libsvm: the largest feature index accepted (a dense row is allocated per example). */
#define FC_LIBSVM_MAX_FEATURES 10000000u

/* Parameters of the synthetic generator (SPEC §6 [data]). */
typedef struct {
    size_t n_per_client;
    size_t features;      /* before the bias column */
    double heterogeneity; /* 0 = iid clients; larger = more different clients */
    double noise;         /* label noise (linear: std of y; others: logit noise) */
    int classes;          /* softmax */
    uint64_t seed;
} fc_synth_t;

/* Allocate an n x p block, zeroed. */
FC_MUST int fc_data_create(size_t n, size_t p, fc_data_t **out);
void fc_data_destroy(fc_data_t **d);

/* Readers. Every malformed line, value or header is FC_EDATA with a message
 * "PATH:LINE: what is wrong" (idx: "PATH: what is wrong"); a missing file is FC_EIO
 * "PATH: cannot open: <strerror>". max_examples > 0 keeps the first N examples.
 * A file with no examples is FC_EDATA. Blank (whitespace-only) lines are skipped; lines
 * after the first max_examples examples are not read.
 * *out is a new block owned by the caller (fc_data_destroy); NULL on failure. */
/* csv: "label,x1,...,xp"; whitespace around fields is allowed; an optional header is
 * recognised as a first line whose first field is not a number. Every row must have
 * the same number of fields; empty fields, non-numbers, NaN and Inf are errors. */
FC_MUST int fc_data_read_csv(const char *path, fc_label_rule_t rule, size_t max_examples,
                             fc_data_t **out);
/* libsvm: "label idx:val ..." with 1-based, strictly increasing indices. p is the
 * largest index seen (callers pad several files to one p with fc_data_pad); an index
 * above FC_LIBSVM_MAX_FEATURES is an error. Binary labels may be 0/1 or -1/+1 (one
 * convention per file; -1 maps to 0). */
FC_MUST int fc_data_read_libsvm(const char *path, fc_label_rule_t rule, size_t max_examples,
                                fc_data_t **out);
/* idx: dir holds {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (the .gz name is
 * tried first; zlib reads plain files too). test_set != 0 reads t10k. Pixels / 255,
 * row-major per image; labels are the raw bytes. resize r in 1..max(rows, cols) does
 * nearest-neighbour resampling of each rows x cols image to r x r (source row
 * floor((i + 0.5) rows / r)); r <= 0 keeps the native size; a larger r is FC_ECONFIG. */
FC_MUST int fc_data_read_idx(const char *dir, int test_set, int resize, size_t max_examples,
                             fc_data_t **out);

/* An IDX image set kept as bytes (already resized; 1/8 of the memory of doubles), so a
 * rank can partition on the labels and convert only its clients' images. */
typedef struct {
    size_t n, p;
    unsigned char *pix; /* n x p */
    double *y;          /* n labels */
} fc_idx_t;
FC_MUST int fc_idx_read(const char *dir, int test_set, int resize, size_t max_examples,
                        fc_idx_t **out);
/* Rows idx[0..n-1] (all rows in order when idx is NULL) as a block, pixels / 255. */
FC_MUST int fc_idx_block(const fc_idx_t *x, const size_t *idx, size_t n, fc_data_t **out);
void fc_idx_destroy(fc_idx_t **x);

/* Synthetic data for client k of a model with the given label kind (SPEC §6):
 * deterministic in (seed, k), independent of every other client. No bias column.
 * A global theta0 (features, or features x classes row-major for FC_LABEL_CLASS)
 * has entries N(0, 4/features); client k uses theta_k = theta0 + heterogeneity * (an
 * independent draw of the same law) and features x ~ N(mu_k, I) with
 * mu_k = heterogeneity * N(0, I/4). Labels, with a = x^T theta_k + noise * N(0, 1):
 * REAL y = a; BINARY y ~ Bernoulli(sigmoid(a)); CLASS y ~ softmax(a_c + noise N(0,1)).
 * The client's parameters do not depend on n_per_client. */
FC_MUST int fc_data_synthetic(const fc_synth_t *s, fc_label_kind_t kind, size_t k, fc_data_t **out);
/* Synthetic held-out test set of n examples from the "average" client (theta0,
 * mu = 0), drawn from its own stream, distinct from every client's. */
FC_MUST int fc_data_synthetic_test(const fc_synth_t *s, fc_label_kind_t kind, size_t n,
                                   fc_data_t **out);

/* Widen to p features (new columns zero); p must be >= d->p (else FC_EINVAL). */
FC_MUST int fc_data_pad(fc_data_t *d, size_t p);
/* Append a constant-1 last column (SPEC §1: the bias is the last feature). */
FC_MUST int fc_data_append_bias(fc_data_t *d);
/* New block with the rows idx[0..n-1] of src, in that order (each idx < src->n). */
FC_MUST int fc_data_subset(const fc_data_t *src, const size_t *idx, size_t n, fc_data_t **out);
/* Largest label + 1 (for softmax class counts); 0 for an empty block; negative
 * labels count as 0 and the result saturates at INT_MAX. */
int fc_data_max_class(const fc_data_t *d);

/* Writers (used by `fedpc partition` and round-trip tests); %.17g, so reading
 * back gives the same doubles (integer labels print as integers). drop_cols trailing
 * columns are left out (the bias column). The file is written to PATH.tmp and renamed
 * to PATH, so readers never see half a file; FC_EIO with a message on failure.
 * libsvm leaves out zero features except the last column, so p reads back unchanged. */
FC_MUST int fc_data_write_csv(const char *path, const fc_data_t *d, size_t drop_cols);
FC_MUST int fc_data_write_libsvm(const char *path, const fc_data_t *d, size_t drop_cols);

#endif
