/* fc_model_logistic.c — binary logistic regression (SPEC §1, model.type = logistic):
 * loss = sum_i log(1 + e^{a_i}) - y_i a_i with a = X theta, y_i in {0, 1}.
 * grad = X^T (s - y), H = X^T diag(s (1 - s)) X with s = sigmoid(a). */
#include <math.h>
#include <stddef.h>

#include "fc_la.h"
#include "fc_model.h"
#include "fc_model_impl.h"

/* Per-example loss, first and second derivative in a, without overflow or cancellation:
 * with t = e^{-|a|} <= 1, softplus(a) = max(a, 0) + log1p(t); sigmoid(a) and
 * sigmoid(-a) = 1 - sigmoid(a) are 1/(1+t) and t/(1+t) in some order. For y in {0, 1}
 * the terms max(a,0) - y a and (1-y) s - y (1-s) select exactly, so a confident correct
 * prediction gives loss log1p(e^{-|a|}) and gradient -e^{-|a|}/(1+t) to full relative
 * precision instead of rounding to 0 through a - a. */
static double logistic_point(double a, double y, double *dl, double *d2l)
{
    double t = exp(-fabs(a));
    double big = 1.0 / (1.0 + t), small = t / (1.0 + t);
    double s = a >= 0.0 ? big : small;  /* sigmoid(a) */
    double sc = a >= 0.0 ? small : big; /* 1 - sigmoid(a) */
    *dl = (1.0 - y) * s - y * sc;       /* s - y */
    *d2l = s * sc;
    return (a > 0.0 ? a : 0.0) - y * a + log1p(t);
}

/* work: r (n) = a then dloss/da; w (n) = d2loss/da2; Z (n x p) = sqrt(w_i) x_i. */
static void logistic_eval(const fc_model_t *m, const double *X, const double *y, size_t n,
                          const double *theta, double *loss, double *grad, double *hess,
                          double *hdiag, double *work)
{
    const size_t p = m->p;
    double *r = work, *w = work + n, *Z = work + 2 * n;
    double sum = 0.0;

    if (n == 0) {
        fc_model__eval_empty(m, loss, grad, hess, hdiag);
        return;
    }
    fc_gemv(0, n, p, 1.0, X, p, theta, 0.0, r); /* a = X theta */
    for (size_t i = 0; i < n; i++)
        sum += logistic_point(r[i], y[i], &r[i], &w[i]);
    *loss = sum;
    if (grad) fc_gemv(1, n, p, 1.0, X, p, r, 0.0, grad); /* X^T (s - y) */
    if (hess) {
        /* X^T W X as one syrk on the scaled rows sqrt(w_i) x_i (w_i >= 0). */
        for (size_t i = 0; i < n; i++) {
            const double *xi = X + i * p, sw = sqrt(w[i]);
            double *zi = Z + i * p;
            for (size_t j = 0; j < p; j++)
                zi[j] = sw * xi[j];
        }
        fc_syrk_t(p, n, 1.0, Z, p, 0.0, hess, p);
    }
    if (hdiag) {
        /* sum_i w_i x_ij^2 in one pass over the rows, O(n p); no Hessian formed. */
        fc_zero(p, hdiag);
        for (size_t i = 0; i < n; i++) {
            const double *xi = X + i * p;
            for (size_t j = 0; j < p; j++)
                hdiag[j] += w[i] * xi[j] * xi[j];
        }
    }
}

/* out = X^T diag(w) X v; work: a then w (n), X v (n). */
static void logistic_hvp(const fc_model_t *m, const double *X, const double *y, size_t n,
                         const double *theta, const double *v, double *out, double *work)
{
    const size_t p = m->p;
    double *w = work, *u = work + n, dl;

    if (n == 0) {
        fc_zero(m->d, out);
        return;
    }
    fc_gemv(0, n, p, 1.0, X, p, theta, 0.0, w);
    fc_gemv(0, n, p, 1.0, X, p, v, 0.0, u);
    for (size_t i = 0; i < n; i++) {
        (void)logistic_point(w[i], y[i], &dl, &w[i]);
        u[i] *= w[i];
    }
    fc_gemv(1, n, p, 1.0, X, p, u, 0.0, out);
}

/* lowrank family (SPEC §12): out = Xᵀ diag(w) X V for a block V (p×s): two gemms and a row
 * scaling. work: a then w (n), X V (n×s). */
static void logistic_hvp_block(const fc_model_t *m, const double *X, const double *y, size_t n,
                               const double *theta, size_t s, const double *V, double *out,
                               double *work)
{
    const size_t p = m->p;
    double *w = work, *A = work + n, dl;
    if (n == 0) {
        fc_zero(m->d * s, out);
        return;
    }
    fc_gemv(0, n, p, 1.0, X, p, theta, 0.0, w);
    fc_gemm(0, 0, n, s, p, 1.0, X, p, V, s, 0.0, A, s);
    for (size_t i = 0; i < n; i++) {
        (void)logistic_point(w[i], y[i], &dl, &w[i]);
        fc_scal(s, w[i], A + i * s);
    }
    fc_gemm(1, 0, p, s, n, 1.0, X, p, A, s, 0.0, out, s);
}

static size_t logistic_hvp_block_work(const fc_model_t *m, size_t n, size_t s)
{
    (void)m;
    return fc_model__mul(n, fc_model__add(s, 1));
}

/* Predict 1 iff x^T theta > 0. work: a (n). */
static size_t logistic_correct(const fc_model_t *m, const double *X, const double *y, size_t n,
                               const double *theta, double *work)
{
    size_t hits = 0;
    if (n == 0) return 0;
    fc_gemv(0, n, m->p, 1.0, X, m->p, theta, 0.0, work);
    for (size_t i = 0; i < n; i++)
        hits += (work[i] > 0.0) == (y[i] > 0.5);
    return hits;
}

static size_t logistic_work_size(const fc_model_t *m, size_t n)
{
    return fc_model__add(fc_model__mul(2, n), fc_model__mul(n, m->p));
}

/* SPEC §10: ψ(y, a) = log(1 + e^a) − y a and its derivatives, as logistic_point. */
static double logistic_margin(const fc_model_t *m, double y, double *a, double *g, double *h)
{
    double dl, d2l, loss = logistic_point(a[0], y, &dl, &d2l);
    (void)m;
    if (g) g[0] = dl;
    if (h) h[0] = d2l;
    return loss;
}

const fc_model_ops_t fc_model_logistic_ops = {
    .margin = logistic_margin,
    .name = "logistic",
    .labels = FC_LABEL_BINARY,
    .eval = logistic_eval,
    .hvp = logistic_hvp,
    .hvp_block = logistic_hvp_block, /* lowrank family */
    .hvp_block_work = logistic_hvp_block_work,
    .correct = logistic_correct,
    .work_size = logistic_work_size,
};
