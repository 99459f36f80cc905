/* fc_model.c — the model registry (SPEC §1, model.type) and fc_model_init.
 * Adding a model is adding a file fc_model_<name>.c and a row in `registry`. */
#include "fc_model.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "fc_mem.h"
#include "fc_model_impl.h"

static const fc_model_ops_t *const registry[] = {
    &fc_model_linear_ops,
    &fc_model_logistic_ops,
    &fc_model_softmax_ops,
};

const fc_model_ops_t *fc_model_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

const fc_model_ops_t *fc_model_at(size_t i)
{
    return i < sizeof registry / sizeof registry[0] ? registry[i] : NULL;
}

int fc_model_init(fc_model_t *m, const fc_model_ops_t *ops, size_t p, int classes, double beta)
{
    size_t d = p;
    int C = 1;
    assert(m && ops);
    if (p == 0) return fc_err_set(FC_EINVAL, "model %s: needs at least one feature", ops->name);
    /* Class-labelled models have one weight per (feature, class): d = p*C (SPEC §1). */
    if (ops->labels == FC_LABEL_CLASS) {
        if (classes < 2)
            return fc_err_set(FC_EINVAL, "model %s: needs at least 2 classes, got %d", ops->name,
                              classes);
        if (fc_mul_size(p, (size_t)classes, &d) != FC_OK)
            return fc_err_set(FC_EINVAL, "model %s: d = %zu features x %d classes overflows",
                              ops->name, p, classes);
        C = classes;
    }
    /* BLAS indexes with int: every dimension we pass (p, d, leading dimensions) must fit. */
    if (d > INT_MAX)
        return fc_err_set(FC_EINVAL, "model %s: %zu parameters exceed the BLAS index range",
                          ops->name, d);
    if (ops->labels == FC_LABEL_REAL && !(isfinite(beta) && beta > 0.0))
        return fc_err_set(FC_EINVAL,
                          "model %s: noise precision must be positive and finite, got %g",
                          ops->name, beta);
    m->ops = ops;
    m->p = p;
    m->classes = C;
    m->d = d;
    m->beta = beta;
    return FC_OK;
}
