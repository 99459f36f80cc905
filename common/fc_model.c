/* fc_model.c — the model registry (SPEC §1, model.type) and fc_model_init.
 * Adding a model is adding a file fc_model_<name>.c and a row in `registry`. */
#include "fc_model.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "fc_mem.h"
#include "fc_model_impl.h"
#include "fc_registry.h"

static fc_registry_t registry = {
    "model",
    {&fc_model_linear_ops, &fc_model_logistic_ops, &fc_model_softmax_ops, &fc_model_mlp_ops},
    4};

const fc_model_ops_t *fc_model_find(const char *name)
{
    return fc_registry_find(&registry, name);
}

void fc_model_names(char *buf, size_t size)
{
    fc_registry_names(&registry, buf, size);
}

int fc_model_register(const fc_model_ops_t *ops)
{
    if (ops && !(ops->eval && ops->work_size))
        return fc_err_set(FC_EINVAL, "model '%s': eval and work_size are required",
                          ops->name ? ops->name : "?");
    return fc_registry_add(&registry, ops);
}

const fc_model_key_t *fc_model_key_find(const fc_model_ops_t *ops, const char *key)
{
    for (const fc_model_key_t *k = ops && ops->keys ? ops->keys : NULL; k && k->key; k++)
        if (strcmp(k->key, key) == 0) return k;
    return NULL;
}

int fc_model_key_known(const char *key)
{
    for (size_t i = 0; i < registry.n; i++)
        if (fc_model_key_find(registry.row[i], key)) return 1;
    return 0;
}

const fc_model_ops_t *fc_model_at(size_t i)
{
    return i < registry.n ? registry.row[i] : NULL;
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
    memset(m->param, 0, sizeof m->param);
    m->seed = 0;
    m->bias_column = 0;
    return FC_OK;
}
