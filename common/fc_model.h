/* fc_model.h — models as a table of operations (SPEC §1): the loss of a whole block of
 * examples (a sum, not a mean), its gradient, Hessian (full or diagonal), Hessian-vector
 * product and predictions. A name registry maps model.type to a row.
 * Ownership: callers own every buffer passed in; a model holds no heap memory. */
#ifndef FC_MODEL_H
#define FC_MODEL_H

#include <stddef.h>

#include "fc_data.h"
#include "fc_error.h"

typedef struct fc_model fc_model_t;

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
    /* Number of correct predictions (SPEC §6 metrics); NULL for regression. */
    size_t (*correct)(const fc_model_t *m, const double *X, const double *y, size_t n,
                      const double *theta, double *work);
    /* Doubles of work space eval/hvp/correct need for a block of n examples; SIZE_MAX if that
     * overflows, so fc_alloc refuses it. Labels must be valid for the model (the readers check
     * them; the models only assert). hdiag and hvp never form the d x d Hessian. */
    size_t (*work_size)(const fc_model_t *m, size_t n);
} fc_model_ops_t;

struct fc_model {
    const fc_model_ops_t *ops;
    size_t p;    /* features, bias included */
    int classes; /* softmax: C; otherwise 1 */
    size_t d;    /* parameters: p, or p*C for softmax (theta[j*C + c]) */
    double beta; /* linear: noise precision */
};

/* The row for a model.type name, or NULL. */
const fc_model_ops_t *fc_model_find(const char *name);
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
