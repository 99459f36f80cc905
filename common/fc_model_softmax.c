/* fc_model_softmax.c — multinomial logistic regression (SPEC §1, model.type = softmax):
 * loss = sum_i logsumexp(a_i) - a_{i,y_i}, with the logits of the block A = X Theta where
 * Theta is p x C row-major (theta[j*C + c] = feature j, class c), so d = p*C and every
 * d-vector (gradient, hdiag, hvp) has the same interleaved layout as theta.
 * grad = X^T (P - Y);  H[(j,c),(j',c')] = sum_i x_ij x_ij' (p_ic [c = c'] - p_ic p_ic'). */
#include <assert.h>
#include <math.h>
#include <stddef.h>

#include "fc_la.h"
#include "fc_model.h"
#include "fc_model_impl.h"

/* Turn one row of logits a (C) into probabilities in place and return the example's loss.
 * Stable logsumexp: subtract the row max a_k (k the first argmax, so e_k = 1 exactly) and
 * keep rest = sum_{c != k} e^{a_c - a_k} apart, so that 1 - p_k = rest / (1 + rest) and the
 * loss (a_k - a_y) + log1p(rest) keep full relative precision for confident predictions. */
static double softmax_row(double *a, size_t C, size_t yi, size_t *top, double *om)
{
    size_t k = 0;
    double rest = 0.0, ay = a[yi], s;
    for (size_t c = 1; c < C; c++)
        if (a[c] > a[k]) k = c;
    for (size_t c = 0; c < C; c++) {
        if (c == k) continue;
        a[c] = exp(a[c] - a[k]);
        rest += a[c];
    }
    s = 1.0 + rest;
    double loss = (a[k] - ay) + log1p(rest);
    a[k] = 1.0;
    for (size_t c = 0; c < C; c++)
        a[c] /= s;
    *top = k;
    *om = rest / s;
    return loss;
}

/* The label of example i as a class index (the readers guarantee an integer in range). */
static size_t label(double y, size_t C)
{
    assert(y >= 0.0 && y < (double)C && y == floor(y));
    (void)C;
    return (size_t)y;
}

/* 1 - p_ic, taken from om for the top class, where p_ic may round to 1 (elsewhere
 * p_ic <= 1/2 and the subtraction is exact enough). */
static double one_minus_p(const double *P, const double *om, const double *top, size_t C, size_t i,
                          size_t c)
{
    return (size_t)top[i] == c ? om[i] : 1.0 - P[i * C + c];
}

/* Rows per block of the Gram-form Hessian: enough for a well-shaped gemm, few enough that
 * the block of products Q stays around 32 MiB whatever p is. */
static size_t gram_block(size_t p)
{
    size_t np = p * (p + 1) / 2, b = ((size_t)1 << 22) / (np ? np : 1);
    return b < 8 ? 8 : b > 256 ? 256 : b;
}

/* The Hessian in Gram form: H[(j,c),(j',c')] = Σ_i x_ij x_ij' a_i[c,c'] with
 * a_i = diag(p_i) − p_i p_iᵀ. For each block of rows, Q[i, {j≤j'}] = x_ij x_ij' and
 * A[i, {c≤c'}] = a_i[c,c']; G += QᵀA is ONE gemm per block of n·p(p+1)·C(C+1)/2 flops —
 * half of what any form of the d×d product needs — and H is G scattered (each entry and its
 * mirror get the same value, so H is exactly symmetric). work: Q, A, G. */
static void softmax_hessian(const fc_model_t *m, const double *X, size_t n, const double *P,
                            const double *om, const double *top, double *H, double *work)
{
    const size_t p = m->p, C = (size_t)m->classes, d = m->d;
    const size_t np = p * (p + 1) / 2, nc = C * (C + 1) / 2, block = gram_block(p);
    double *Q = work, *A = Q + block * np, *G = A + block * nc;
    for (size_t i0 = 0; i0 < n; i0 += block) {
        size_t b = n - i0 < block ? n - i0 : block;
        for (size_t r = 0; r < b; r++) {
            const double *xi = X + (i0 + r) * p, *pi = P + (i0 + r) * C;
            double *q = Q + r * np, *a = A + r * nc;
            for (size_t j = 0; j < p; j++)
                for (size_t j2 = j; j2 < p; j2++)
                    *q++ = xi[j] * xi[j2];
            for (size_t c = 0; c < C; c++)
                for (size_t c2 = c; c2 < C; c2++)
                    *a++ =
                        c == c2 ? pi[c] * one_minus_p(P, om, top, C, i0 + r, c) : -pi[c] * pi[c2];
        }
        fc_gemm(1, 0, np, nc, b, 1.0, Q, np, A, nc, i0 ? 1.0 : 0.0, G, nc);
    }
    size_t jj = 0;
    for (size_t j = 0; j < p; j++)
        for (size_t j2 = j; j2 < p; j2++, jj++) {
            size_t cc = 0;
            for (size_t c = 0; c < C; c++)
                for (size_t c2 = c; c2 < C; c2++, cc++) {
                    double g = G[jj * nc + cc];
                    H[(j * C + c) * d + j2 * C + c2] = g;
                    H[(j2 * C + c2) * d + j * C + c] = g;
                    H[(j * C + c2) * d + j2 * C + c] = g;
                    H[(j2 * C + c) * d + j * C + c2] = g;
                }
        }
}

/* work: P (n x C) logits then probabilities; R (n x C) P - Y then diagonal weights;
 * om (n) 1 - p of the row's top class; top (n) that class; Z (n x p) squared features;
 * B the Gram-form Hessian's blocks (softmax_hessian). */
static void softmax_eval(const fc_model_t *m, const double *X, const double *y, size_t n,
                         const double *theta, double *loss, double *grad, double *hess,
                         double *hdiag, double *work)
{
    const size_t p = m->p, C = (size_t)m->classes;
    double *P = work, *R = P + n * C, *om = R + n * C, *top = om + n, *Z = top + n;
    double *B = Z + n * p;
    double sum = 0.0;

    if (n == 0) {
        fc_model__eval_empty(m, loss, grad, hess, hdiag);
        return;
    }
    fc_gemm(0, 0, n, C, p, 1.0, X, p, theta, C, 0.0, P, C); /* A = X Theta */
    for (size_t i = 0; i < n; i++) {
        size_t k;
        sum += softmax_row(P + i * C, C, label(y[i], C), &k, &om[i]);
        top[i] = (double)k;
    }
    *loss = sum;

    if (grad) {
        for (size_t i = 0; i < n; i++) {
            size_t yi = label(y[i], C);
            for (size_t c = 0; c < C; c++)
                R[i * C + c] = c == yi ? -one_minus_p(P, om, top, C, i, c) : P[i * C + c];
        }
        fc_gemm(1, 0, p, C, n, 1.0, X, p, R, C, 0.0, grad, C); /* X^T (P - Y), p x C */
    }
    if (hdiag) {
        /* H[(j,c),(j,c)] = sum_i x_ij^2 p_ic (1 - p_ic) = ((X o X)^T W)[j][c]: one gemm whose
         * p x C result is already in theta's layout, O(n d); no Hessian formed. */
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < C; c++)
                R[i * C + c] = P[i * C + c] * one_minus_p(P, om, top, C, i, c);
        for (size_t t = 0; t < n * p; t++)
            Z[t] = X[t] * X[t];
        fc_gemm(1, 0, p, C, n, 1.0, Z, p, R, C, 0.0, hdiag, C);
    }
    if (hess) softmax_hessian(m, X, n, P, om, top, hess, B);
}

/* out = X^T T with t_i = (diag(p_i) - p_i p_i^T) (V^T x_i): three gemm-sized steps, no
 * Hessian. work: P (n x C), U = X V (n x C). */
static void softmax_hvp(const fc_model_t *m, const double *X, const double *y, size_t n,
                        const double *theta, const double *v, double *out, double *work)
{
    const size_t p = m->p, C = (size_t)m->classes;
    double *P = work, *U = work + n * C;

    if (n == 0) {
        fc_zero(m->d, out);
        return;
    }
    fc_gemm(0, 0, n, C, p, 1.0, X, p, theta, C, 0.0, P, C);
    fc_gemm(0, 0, n, C, p, 1.0, X, p, v, C, 0.0, U, C);
    for (size_t i = 0; i < n; i++) {
        size_t k;
        double om, pu = 0.0, *pi = P + i * C, *ui = U + i * C;
        (void)softmax_row(pi, C, label(y[i], C), &k, &om);
        for (size_t c = 0; c < C; c++)
            pu += pi[c] * ui[c];
        for (size_t c = 0; c < C; c++)
            ui[c] = pi[c] * (ui[c] - pu);
    }
    fc_gemm(1, 0, p, C, n, 1.0, X, p, U, C, 0.0, out, C);
}

/* lowrank family (SPEC §12): the block product out = H V for V (d×s). Row-major V with
 * d = p·C interleaved as theta is the p × (C·s) matrix whose column c·s + t is class c of
 * column t, so A = X V is one gemm, each example's t-th logit direction is projected by
 * diag(p_i) − p_i p_iᵀ in place, and out = Xᵀ A is another. work: P (n×C), A (n×C·s). */
static void softmax_hvp_block(const fc_model_t *m, const double *X, const double *y, size_t n,
                              const double *theta, size_t s, const double *V, double *out,
                              double *work)
{
    const size_t p = m->p, C = (size_t)m->classes, cs = C * s;
    double *P = work, *A = work + n * C;
    if (n == 0) {
        fc_zero(m->d * s, out);
        return;
    }
    fc_gemm(0, 0, n, C, p, 1.0, X, p, theta, C, 0.0, P, C);
    fc_gemm(0, 0, n, cs, p, 1.0, X, p, V, cs, 0.0, A, cs);
    for (size_t i = 0; i < n; i++) {
        size_t k;
        double om, *pi = P + i * C, *ai = A + i * cs;
        (void)softmax_row(pi, C, label(y[i], C), &k, &om);
        for (size_t t = 0; t < s; t++) {
            double pu = 0.0;
            for (size_t c = 0; c < C; c++)
                pu += pi[c] * ai[c * s + t];
            for (size_t c = 0; c < C; c++)
                ai[c * s + t] = pi[c] * (ai[c * s + t] - pu);
        }
    }
    fc_gemm(1, 0, p, cs, n, 1.0, X, p, A, cs, 0.0, out, cs);
}

static size_t softmax_hvp_block_work(const fc_model_t *m, size_t n, size_t s)
{
    size_t C = (size_t)m->classes;
    return fc_model__mul(fc_model__mul(n, C), fc_model__add(s, 1));
}

/* Predict the first argmax of the logits. work: A (n x C). */
static size_t softmax_correct(const fc_model_t *m, const double *X, const double *y, size_t n,
                              const double *theta, double *work)
{
    const size_t p = m->p, C = (size_t)m->classes;
    size_t hits = 0;
    if (n == 0) return 0;
    fc_gemm(0, 0, n, C, p, 1.0, X, p, theta, C, 0.0, work, C);
    for (size_t i = 0; i < n; i++) {
        const double *a = work + i * C;
        size_t k = 0;
        for (size_t c = 1; c < C; c++)
            if (a[c] > a[k]) k = c;
        hits += k == label(y[i], C);
    }
    return hits;
}

static size_t softmax_work_size(const fc_model_t *m, size_t n)
{
    size_t C = (size_t)m->classes, p = m->p;
    size_t w = fc_model__mul(fc_model__mul(2, n), fc_model__add(C, 1)); /* P, R, om, top */
    w = fc_model__add(w, fc_model__mul(n, p));                          /* Z */
    /* Gram form: Q (block x p(p+1)/2), A (block x C(C+1)/2), G (p(p+1)/2 x C(C+1)/2). */
    size_t np = fc_model__mul(p, p + 1) / 2, nc = C * (C + 1) / 2, b = gram_block(p);
    w = fc_model__add(w, fc_model__mul(b, fc_model__add(np, nc)));
    return fc_model__add(w, fc_model__mul(np, nc));
}

/* SPEC §10: ψ(y, a) = logsumexp(a) − a_y; ∂ψ = p − e_y, ∂²ψ = diag(p) − ppᵀ. */
static double softmax_margin(const fc_model_t *m, double y, double *a, double *g, double *h)
{
    size_t C = (size_t)m->classes, yi = label(y, C), top;
    double om, loss = softmax_row(a, C, yi, &top, &om);
    if (g) {
        for (size_t c = 0; c < C; c++)
            g[c] = a[c];
        g[yi] = -(top == yi ? om : 1.0 - a[yi]); /* p_y − 1 without cancellation */
    }
    if (h)
        for (size_t c = 0; c < C; c++)
            for (size_t e = 0; e < C; e++)
                h[c * C + e] = (c == e ? a[c] : 0.0) - a[c] * a[e];
    return loss;
}

const fc_model_ops_t fc_model_softmax_ops = {
    .margin = softmax_margin,
    .name = "softmax",
    .labels = FC_LABEL_CLASS,
    .eval = softmax_eval,
    .hvp = softmax_hvp,
    .hvp_block = softmax_hvp_block, /* lowrank family */
    .hvp_block_work = softmax_hvp_block_work,
    .correct = softmax_correct,
    .work_size = softmax_work_size,
};
