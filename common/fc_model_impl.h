/* fc_model_impl.h — private to the fc_model*.c files: the rows of the model registry and
 * small helpers they share. Nothing outside common/fc_model*.c includes this header. */
#ifndef FC_MODEL_IMPL_H
#define FC_MODEL_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "fc_la.h"
#include "fc_model.h"

/* One row per model.type (SPEC §1); fc_model.c lists them in its registry. */
extern const fc_model_ops_t fc_model_linear_ops;
extern const fc_model_ops_t fc_model_logistic_ops;
extern const fc_model_ops_t fc_model_softmax_ops;
extern const fc_model_ops_t fc_model_mlp_ops;

/* Saturating size arithmetic for work_size: an overflow yields SIZE_MAX, which the
 * caller's fc_alloc then rejects with FC_ENOMEM instead of allocating a wrapped size. */
static inline size_t fc_model__add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static inline size_t fc_model__mul(size_t a, size_t b)
{
    return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* An empty block (n = 0): loss 0 and every requested output 0. */
static inline void fc_model__eval_empty(const fc_model_t *m, double *loss, double *grad,
                                        double *hess, double *hdiag)
{
    *loss = 0.0;
    if (grad) fc_zero(m->d, grad);
    if (hess) fc_zero(m->d * m->d, hess);
    if (hdiag) fc_zero(m->d, hdiag);
}

#endif
