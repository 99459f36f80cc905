/* fc_model_linear.c — linear regression with Gaussian noise (SPEC §1, model.type = linear):
 * loss = beta/2 sum_i (y_i - x_i^T theta)^2, so grad = -beta X^T r and H = beta X^T X. */
#include <stddef.h>

#include "fc_la.h"
#include "fc_model.h"
#include "fc_model_impl.h"

/* work: r (n), the residuals y - X theta. */
static void linear_eval(const fc_model_t *m, const double *X, const double *y, size_t n,
                        const double *theta, double *loss, double *grad, double *hess,
                        double *hdiag, double *work)
{
    const size_t p = m->p;
    const double beta = m->beta;
    double *r = work;

    if (n == 0) {
        fc_model__eval_empty(m, loss, grad, hess, hdiag);
        return;
    }
    fc_copy(n, y, r);
    fc_gemv(0, n, p, -1.0, X, p, theta, 1.0, r); /* r = y - X theta */
    *loss = 0.5 * beta * fc_dot(n, r, r);
    if (grad) fc_gemv(1, n, p, -beta, X, p, r, 0.0, grad); /* -beta X^T r */
    if (hess) fc_syrk_t(p, n, beta, X, p, 0.0, hess, p);   /* beta X^T X, one syrk */
    if (hdiag) {
        /* beta sum_i x_ij^2: one pass over the rows (a level-2 call would need a squared
         * copy of X, i.e. three passes and n*p more work). */
        fc_zero(p, hdiag);
        for (size_t i = 0; i < n; i++) {
            const double *xi = X + i * p;
            for (size_t j = 0; j < p; j++)
                hdiag[j] += xi[j] * xi[j];
        }
        fc_scal(p, beta, hdiag);
    }
}

/* out = beta X^T (X v); work: X v (n). */
static void linear_hvp(const fc_model_t *m, const double *X, const double *y, size_t n,
                       const double *theta, const double *v, double *out, double *work)
{
    (void)y;
    (void)theta;
    if (n == 0) {
        fc_zero(m->d, out);
        return;
    }
    fc_gemv(0, n, m->p, 1.0, X, m->p, v, 0.0, work);
    fc_gemv(1, n, m->p, m->beta, X, m->p, work, 0.0, out);
}

/* lowrank family (SPEC §12): out = β Xᵀ (X V) for a block V (p×s), two gemms; work: X V. */
static void linear_hvp_block(const fc_model_t *m, const double *X, const double *y, size_t n,
                             const double *theta, size_t s, const double *V, double *out,
                             double *work)
{
    (void)y, (void)theta;
    if (n == 0) {
        fc_zero(m->d * s, out);
        return;
    }
    fc_gemm(0, 0, n, s, m->p, 1.0, X, m->p, V, s, 0.0, work, s);
    fc_gemm(1, 0, m->p, s, n, m->beta, X, m->p, work, s, 0.0, out, s);
}

static size_t linear_hvp_block_work(const fc_model_t *m, size_t n, size_t s)
{
    (void)m;
    return fc_model__mul(n, s);
}

static size_t linear_work_size(const fc_model_t *m, size_t n)
{
    (void)m;
    return n;
}

/* SPEC §10: ψ(y, a) = β/2 (y − a)², ψ' = β(a − y), ψ'' = β. */
static double linear_margin(const fc_model_t *m, double y, double *a, double *g, double *h)
{
    double r = a[0] - y;
    if (g) g[0] = m->beta * r;
    if (h) h[0] = m->beta;
    return 0.5 * m->beta * r * r;
}

const fc_model_ops_t fc_model_linear_ops = {
    .margin = linear_margin,
    .name = "linear",
    .labels = FC_LABEL_REAL,
    .eval = linear_eval,
    .hvp = linear_hvp,
    .hvp_block = linear_hvp_block, /* lowrank family */
    .hvp_block_work = linear_hvp_block_work,
    .correct = NULL, /* regression: no accuracy */
    .work_size = linear_work_size,
};
