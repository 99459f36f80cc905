/* fc_data.h — a block of examples (features and labels) and the readers that fill one:
 * csv, libsvm, idx (gzip or plain, via zlib) and the seeded synthetic generator.
 * Ownership: fc_data_t owns X and y; fc_data_destroy frees both. */
#ifndef FC_DATA_H
#define FC_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "fc_error.h"

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
 * "PATH: cannot open: <strerror>". max_examples > 0 keeps the first N examples. */
FC_MUST int fc_data_read_csv(const char *path, fc_label_rule_t rule, size_t max_examples,
                             fc_data_t **out);
/* libsvm: "label idx:val ..." with 1-based, strictly increasing indices. p is the
 * largest index seen (callers pad several files to one p with fc_data_pad). */
FC_MUST int fc_data_read_libsvm(const char *path, fc_label_rule_t rule, size_t max_examples,
                                fc_data_t **out);
/* idx: dir holds {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]; pixels / 255;
 * resize r (1..28 for 28x28 images) does nearest-neighbour resampling to r x r. */
FC_MUST int fc_data_read_idx(const char *dir, int test_set, int resize, size_t max_examples,
                             fc_data_t **out);

/* Synthetic data for client k of a model with the given label kind (SPEC §6):
 * deterministic in (seed, k), independent of every other client. */
FC_MUST int fc_data_synthetic(const fc_synth_t *s, fc_label_kind_t kind, size_t k,
                              fc_data_t **out);
/* Synthetic held-out test set (stream id K+1 ... so it never overlaps a client). */
FC_MUST int fc_data_synthetic_test(const fc_synth_t *s, fc_label_kind_t kind, size_t n,
                                   fc_data_t **out);

/* Widen to p features (new columns zero); p must be >= d->p. */
FC_MUST int fc_data_pad(fc_data_t *d, size_t p);
/* Append a constant-1 last column (SPEC §1: the bias is the last feature). */
FC_MUST int fc_data_append_bias(fc_data_t *d);
/* New block with the rows idx[0..n-1] of src, in that order. */
FC_MUST int fc_data_subset(const fc_data_t *src, const size_t *idx, size_t n, fc_data_t **out);
/* Largest label + 1 (for softmax class counts); 0 for an empty block. */
int fc_data_max_class(const fc_data_t *d);

/* Writers (used by `fedpc partition` and round-trip tests); %.17g, so reading
 * back gives the same doubles. bias_cols trailing columns are left out. */
FC_MUST int fc_data_write_csv(const char *path, const fc_data_t *d, size_t drop_cols);
FC_MUST int fc_data_write_libsvm(const char *path, const fc_data_t *d, size_t drop_cols);

#endif
