/* fc_model.h — models as a table of operations (SPEC §1): the loss of a whole block of
 * examples (a sum, not a mean), its gradient, Hessian (full or diagonal), Hessian-vector
 * product and predictions. A name registry maps model.type to a row.
 * Ownership: callers own every buffer passed in; a model holds no heap memory. */
#ifndef FC_MODEL_H
#define FC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "fc_data.h"
#include "fc_error.h"

typedef struct fc_model fc_model_t;

/* A [model] key of a model's own (e.g. hidden widths), declared by its row: the config
 * keeps its text, the row's check validates it, the row's setup reads it. */
typedef struct {
    const char *key;  /* without "model." */
    const char *def;  /* default, as text */
    const char *help; /* one line for messages and the README */
    /* 0 if text is valid; else -1 with the problem in why. NULL: any text. */
    int (*check)(const char *text, char *why, size_t wn);
} fc_model_key_t;

#define FC_MODEL_PARAMS 8 /* room in fc_model_t for a model's own settings */

typedef struct {
    const char *name;
    fc_label_kind_t labels; /* what a label must be */
    /* Evaluate at theta (d values) on X (n x p) and y: *loss always; grad (d) if non-NULL;
     * hess (d x d, full symmetric) if non-NULL; hdiag (d, the Hessian's diagonal) if
     * non-NULL. Outputs are overwritten, not accumulated. work holds work_size doubles. */
    void (*eval)(const fc_model_t *m, const double *X, const double *y, size_t n,
                 const double *theta, double *loss, double *grad, double *hess, double *hdiag,
                 double *work);
    /* out = (Hessian at theta) v, without forming the Hessian. */
    void (*hvp)(const fc_model_t *m, const double *X, const double *y, size_t n,
                const double *theta, const double *v, double *out, double *work);
    /* Optional (lowrank family, SPEC §12): out (d×s, row-major) = (Hessian at theta) V for a
     * block V (d×s, row-major) by level-3 products; work holds hvp_block_work(m, n, s)
     * doubles. NULL: callers use hvp one column at a time. */
    void (*hvp_block)(const fc_model_t *m, const double *X, const double *y, size_t n,
                      const double *theta, size_t s, const double *V, double *out, double *work);
    size_t (*hvp_block_work)(const fc_model_t *m, size_t n, size_t s);
    /* Number of correct predictions (SPEC §6 metrics); NULL for regression. */
    size_t (*correct)(const fc_model_t *m, const double *X, const double *y, size_t n,
                      const double *theta, double *work);
    /* Doubles of work space eval/hvp/correct need for a block of n examples; SIZE_MAX if that
     * overflows, so fc_alloc refuses it. Labels must be valid for the model (the readers check
     * them; the models only assert). hdiag and hvp never form the d x d Hessian. */
    size_t (*work_size)(const fc_model_t *m, size_t n);
    /* Optional. The model's own [model] keys (NULL-key terminated), and setup: after
     * fc_model_init has set p, classes and d = p or p·C, read the keys (value(key, ctx)
     * gives each one's text, the default when unset) into m->param and set m->d from the
     * data's shape and the keys. FC_ECONFIG with a message naming the key on bad values. */
    const fc_model_key_t *keys;
    FC_MUST int (*setup)(fc_model_t *m, const char *(*value)(const char *key, const void *ctx),
                         const void *ctx);
    /* Optional: the prior mean μ₀ (d values) from the run's seed (SPEC §8); NULL: μ₀ = 0. */
    void (*init_mean)(const fc_model_t *m, uint64_t seed, double *mu0);
    /* Optional (SPEC §10, variational expectations of a GLM): one example's loss as a function
     * of its margins a = Θᵀx (m->classes values, C = 1 for real and binary labels; θ[j·C + c]
     * as in SPEC §1, so the loss of a block is Σ_i ψ(y_i, a_i)): returns ψ(y, a) and writes
     * ∂ψ/∂a (C) to g and ∂²ψ/∂a² (C×C, full) to h when they are non-NULL. a is scratch: it
     * is overwritten. NULL: the model has no Gaussian margins (no expectation but point). */
    double (*margin)(const fc_model_t *m, double y, double *a, double *g, double *h);
} fc_model_ops_t;

struct fc_model {
    const fc_model_ops_t *ops;
    size_t p;                      /* features, bias included */
    int classes;                   /* softmax: C; otherwise 1 */
    size_t d;                      /* parameters: p, or p*C for softmax (theta[j*C + c]) */
    double beta;                   /* linear: noise precision */
    double param[FC_MODEL_PARAMS]; /* the model's own settings (its setup fills them) */
    uint64_t seed;   /* run.seed, for a model's own seeded draws (mlp's Monte Carlo Fisher) */
    int bias_column; /* 1: the last of the p columns is model.bias's constant 1 */
};

/* The row for a model.type name, or NULL. */
const fc_model_ops_t *fc_model_find(const char *name);
/* Registered names, comma-separated. */
void fc_model_names(char *buf, size_t size);
/* Add a model (borrowed row). FC_EINVAL if the name is taken or eval/work_size is missing. */
FC_MUST int fc_model_register(const fc_model_ops_t *ops);
/* Does some registered model declare the [model] key `key`? (the config accepts it then,
 * and checks it against the chosen model.type). The declaring row, or NULL. */
const fc_model_key_t *fc_model_key_find(const fc_model_ops_t *ops, const char *key);
int fc_model_key_known(const char *key);
/* Row i of the registry, or NULL past the last (to list the valid names). */
const fc_model_ops_t *fc_model_at(size_t i);
/* Fill m for p features and C classes (ignored, and m->classes = 1, unless the model's labels
 * are classes). FC_EINVAL, with m untouched, if p == 0, C < 2 for softmax, d = p*C overflows
 * or exceeds the BLAS int range, or beta is not positive and finite for linear. */
FC_MUST int fc_model_init(fc_model_t *m, const fc_model_ops_t *ops, size_t p, int classes,
                          double beta);

/* Convenience wrappers over the table. */
static inline void fc_model_eval(const fc_model_t *m, const fc_data_t *b, const double *theta,
                                 double *loss, double *grad, double *hess, double *hdiag,
                                 double *work)
{
    m->ops->eval(m, b->X, b->y, b->n, theta, loss, grad, hess, hdiag, work);
}

#endif
