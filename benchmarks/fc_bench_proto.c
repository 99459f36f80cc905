/* fc_bench_proto.c — prototypes of faster ways to form the softmax Hessian, measured by
 * `fc_bench --probe` against the library's own softmax eval (same inputs, same layout
 * theta[j*C + c]), so the lead can see what a change to common/fc_model_softmax.c would
 * gain before making it. Not used by the runtime.
 *
 *   H[(j,c),(j',c')] = Σ_i x_ij x_ij' a_i[c,c'],   a_i = diag(p_i) − p_i p_iᵀ
 *
 * A. "one syrk": Z (n × d) with Z[i, jC+c] = x_ij p_ic gives Σ_i x x' p_c p_c' for every
 *    pair in one syrk (n·d(d+1) flops, one call instead of C(C+1)/2); the C diagonal class
 *    blocks are then overwritten with X^T diag(p_c(1 − p_c)) X (C more syrks, n·d(p+1)).
 * B, the "Gram" form (one gemm QᵀA per block of rows, half the flops), was adopted by the
 *    library (common/fc_model_softmax.c) and lives there now. */
#include "fc_bench_proto.h"

#include <math.h>

#include "fc_la.h"
#include "fc_mem.h"

/* Probabilities P (n × C) of the logits X Θ, and 1 − p in Q1 (n × C) computed as the sum of
 * the other classes' probabilities (so it keeps full precision when p → 1). */
static void probabilities(const fc_model_t *m, const double *X, size_t n, const double *theta,
                          double *P, double *Q1)
{
    size_t p = m->p, C = (size_t)m->classes;
    fc_gemm(0, 0, n, C, p, 1.0, X, p, theta, C, 0.0, P, C);
    for (size_t i = 0; i < n; i++) {
        double *a = P + i * C, mx = a[0], s = 0.0;
        for (size_t c = 1; c < C; c++)
            mx = a[c] > mx ? a[c] : mx;
        for (size_t c = 0; c < C; c++)
            s += (a[c] = exp(a[c] - mx));
        for (size_t c = 0; c < C; c++)
            a[c] /= s;
        for (size_t c = 0; c < C; c++) {
            double o = 0.0;
            for (size_t e = 0; e < C; e++)
                if (e != c) o += a[e];
            Q1[i * C + c] = o;
        }
    }
}

size_t fc_proto_work_size(const fc_model_t *m, size_t n, size_t block)
{
    size_t p = m->p, C = (size_t)m->classes, d = m->d;
    size_t a = 2 * n * C + n * d + n * p + p * p;                        /* A */
    size_t b = 2 * n * C + block * (p * (p + 1) / 2 + C * (C + 1) / 2) + /* B */
               (p * (p + 1) / 2) * (C * (C + 1) / 2);
    return a > b ? a : b;
}

void fc_proto_hess_syrk(const fc_model_t *m, const double *X, size_t n, const double *theta,
                        double *H, double *work)
{
    size_t p = m->p, C = (size_t)m->classes, d = m->d;
    double *P = work, *Q1 = P + n * C, *Z = Q1 + n * C, *Zc = Z + n * d, *B = Zc + n * p;
    probabilities(m, X, n, theta, P, Q1);
    for (size_t i = 0; i < n; i++) {
        const double *xi = X + i * p, *pi = P + i * C;
        double *zi = Z + i * d;
        for (size_t j = 0; j < p; j++)
            for (size_t c = 0; c < C; c++)
                zi[j * C + c] = xi[j] * pi[c];
    }
    fc_syrk_t(d, n, -1.0, Z, d, 0.0, H, d); /* −Σ p_c p_c' x xᵀ, every class pair */
    for (size_t c = 0; c < C; c++) {
        for (size_t i = 0; i < n; i++) {
            double w = sqrt(P[i * C + c] * Q1[i * C + c]);
            for (size_t j = 0; j < p; j++)
                Zc[i * p + j] = w * X[i * p + j];
        }
        fc_syrk_t(p, n, 1.0, Zc, p, 0.0, B, p);
        for (size_t j = 0; j < p; j++)
            for (size_t j2 = 0; j2 < p; j2++)
                H[(j * C + c) * d + j2 * C + c] = B[j * p + j2];
    }
}
