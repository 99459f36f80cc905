/* fc_lowrank.c — low-rank-plus-diagonal linear algebra for the lowrank family (SPEC §12):
 * Woodbury solves on small Cholesky factors, compression through Gram matrices, and
 * randomized subspace iteration. Level-3 BLAS for every product with d rows. */
#include "fc_lowrank.h"

#include <float.h>
#include <math.h>

#include "fc_la.h"

/* Columns handled per level-2 pass of fc_lr_apply (the small vector lives on the stack). */
#define LR_CHUNK 64

/* y += sign · Z (Zᵀ x) for Z d×n, in chunks of columns so no scratch is needed. */
static void add_outer(size_t d, size_t n, double sign, const double *Z, const double *x, double *y)
{
    double t[LR_CHUNK];
    for (size_t c0 = 0; c0 < n; c0 += LR_CHUNK) {
        size_t cn = n - c0 < LR_CHUNK ? n - c0 : LR_CHUNK;
        fc_gemv(1, d, cn, 1.0, Z + c0, n, x, 0.0, t);
        fc_gemv(0, d, cn, sign, Z + c0, n, t, 1.0, y);
    }
}

void fc_lr_apply(size_t d, const double *D, size_t nw, const double *W, size_t nu, const double *U,
                 const double *x, int add, double *y)
{
    for (size_t i = 0; i < d; i++)
        y[i] = (add ? y[i] : 0.0) + D[i] * x[i];
    if (nw) add_outer(d, nw, 1.0, W, x, y);
    if (nu) add_outer(d, nu, -1.0, U, x, y);
}

size_t fc_lr_solve_work(size_t d, size_t nw, size_t nu)
{
    size_t n = nw + nu;
    return d * n + n * n + nw * nw + nw * nu + nu * nu + 2 * n + 1;
}

int fc_lr_solve(size_t d, const double *D, size_t nw, const double *W, size_t nu, const double *U,
                double *b, double *work, const char *what)
{
    size_t n = nw + nu;
    for (size_t i = 0; i < d; i++)
        if (!(D[i] > 0.0))
            return fc_err_set(FC_ENOTSPD, "%s is not positive definite (diagonal entry %zu: %g)",
                              what, i, D[i]);
    double *T = work, *G = T + d * n, *C = G + n * n, *X = C + nw * nw, *E = X + nw * nu,
           *c = E + nu * nu;
    /* T = D^{-1/2} [W U], G = TᵀT = [W U]ᵀ D⁻¹ [W U]. */
    for (size_t i = 0; i < d; i++) {
        double s = 1.0 / sqrt(D[i]);
        for (size_t j = 0; j < nw; j++)
            T[i * n + j] = s * W[i * nw + j];
        for (size_t j = 0; j < nu; j++)
            T[i * n + nw + j] = s * U[i * nu + j];
        b[i] *= s;
    }
    if (n == 0) goto finish;
    fc_syrk_t(n, d, 1.0, T, n, 0.0, G, n);
    fc_gemv(1, d, n, 1.0, T, n, b, 0.0, c); /* c = [W U]ᵀ D⁻¹ b */
    /* C = I + WᵀD⁻¹W. */
    for (size_t i = 0; i < nw; i++)
        for (size_t j = 0; j < nw; j++)
            C[i * nw + j] = G[i * n + j] + (i == j);
    int err = fc_chol(nw, C, what);
    if (err) return err;
    if (nu) {
        /* X = C⁻¹B with B = WᵀD⁻¹U; E = I − UᵀD⁻¹U + BᵀC⁻¹B = I − Uᵀ(D + WWᵀ)⁻¹U. */
        for (size_t i = 0; i < nw; i++)
            for (size_t j = 0; j < nu; j++)
                X[i * nu + j] = G[i * n + nw + j];
        fc_chol_solve_many(nw, C, nu, X, nu);
        for (size_t i = 0; i < nu; i++)
            for (size_t j = 0; j < nu; j++)
                E[i * nu + j] = (i == j) - G[(nw + i) * n + nw + j];
        if (nw) fc_gemm(1, 0, nu, nu, nw, 1.0, G + nw, n, X, nu, 1.0, E, nu);
        err = fc_chol(nu, E, what);
        if (err) return err;
        /* The capacitance [C B; Bᵀ G₂₂−I] y = c by block elimination. */
        double *c1 = c, *c2 = c + nw, *t = c + n;
        fc_copy(nw, c1, t);
        fc_chol_solve(nw, C, t);
        if (nw) fc_gemv(1, nw, nu, -1.0, G + nw, n, t, 1.0, c2);
        fc_chol_solve(nu, E, c2);
        fc_scal(nu, -1.0, c2);
        if (nw) fc_gemv(0, nw, nu, -1.0, G + nw, n, c2, 1.0, c1);
        fc_chol_solve(nw, C, c1);
    } else {
        fc_chol_solve(nw, C, c);
    }
    fc_gemv(0, d, n, -1.0, T, n, c, 1.0, b); /* D^{-1/2}b − T y */
finish:
    for (size_t i = 0; i < d; i++)
        b[i] /= sqrt(D[i]);
    return FC_OK;
}

size_t fc_lr_compress_work(size_t n)
{
    return 4 * n * n + 2 * n;
}

int fc_lr_compress_coef(size_t n, const double *G, const double *c, size_t q, double *Mc,
                        size_t *kept, double *work)
{
    double *A = work, *Qe = A + n * n, *lam = Qe + n * n, *T = lam + n, *V = T + n * n,
           *tau = V + n * n;
    int err;
    *kept = 0;
    fc_zero(n * q, Mc);
    if (n == 0 || q == 0) return FC_OK;
    fc_copy(n * n, G, A);
    err = fc_sym_eig(n, A, lam, Qe);
    if (err) return err;
    /* Range of Z: eigenvalues of G above n·ε·λ_max (ascending order: the last p). */
    double thr = (double)n * DBL_EPSILON * fmax(lam[n - 1], 0.0);
    size_t p = 0;
    while (p < n && lam[n - 1 - p] > thr)
        p++;
    if (p == 0) return FC_OK;
    size_t lo = n - p;
    /* T = Λ^{1/2} Q₊ᵀ diag(c) Q₊ Λ^{1/2} (p×p). */
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b <= a; b++) {
            double s = 0.0;
            for (size_t i = 0; i < n; i++)
                s += c[i] * Qe[i * n + lo + a] * Qe[i * n + lo + b];
            s *= sqrt(lam[lo + a] * lam[lo + b]);
            T[a * p + b] = T[b * p + a] = s;
        }
    err = fc_sym_eig(p, T, tau, V);
    if (err) return err;
    /* The q largest positive τ: Mc[:, j] = Q₊ Λ₊^{-1/2} v_j sqrt(τ_j). */
    size_t take = 0;
    while (take < q && take < p && tau[p - 1 - take] > 0.0)
        take++;
    for (size_t j = 0; j < take; j++) {
        size_t col = p - 1 - j;
        double st = sqrt(tau[col]);
        for (size_t i = 0; i < n; i++) {
            double s = 0.0;
            for (size_t a = 0; a < p; a++)
                s += Qe[i * n + lo + a] * V[a * p + col] / sqrt(lam[lo + a]);
            Mc[i * q + j] = s * st;
        }
    }
    *kept = take;
    return FC_OK;
}

size_t fc_lr_top_eig_work(size_t d, size_t s)
{
    return 2 * d * s + 4 * s * s + 2 * s;
}

/* dst = src M with M making the columns orthonormal: G = srcᵀsrc = QΛQᵀ, M = Q Λ^{-1/2}
 * (directions with λ ≤ s·ε·λ_max dropped: their columns are zero). */
static int orthonormalise(size_t d, size_t s, const double *src, double *dst, double *G, double *Qe,
                          double *lam)
{
    fc_syrk_t(s, d, 1.0, src, s, 0.0, G, s);
    int err = fc_sym_eig(s, G, lam, Qe);
    if (err) return err;
    double thr = (double)s * DBL_EPSILON * fmax(lam[s - 1], 0.0);
    for (size_t j = 0; j < s; j++) {
        double f = lam[j] > thr && lam[j] > 0.0 ? 1.0 / sqrt(lam[j]) : 0.0;
        for (size_t i = 0; i < s; i++)
            Qe[i * s + j] *= f;
    }
    fc_gemm(0, 0, d, s, s, 1.0, src, s, Qe, s, 0.0, dst, s);
    return FC_OK;
}

/* Twice through the Gram matrix (the second pass restores the orthogonality the first
 * loses to rounding, as CholeskyQR2): the basis ends in a, b is scratch. */
static int orthonormalise2(size_t d, size_t s, double *a, double *b, double *G, double *Qe,
                           double *lam)
{
    int err = orthonormalise(d, s, a, b, G, Qe, lam);
    if (!err) err = orthonormalise(d, s, b, a, G, Qe, lam);
    return err;
}

int fc_lr_top_eig(size_t d, size_t r, size_t s, fc_lr_block_fn op, void *ctx, double tol,
                  int max_iter, double *Omega, double *U, double *lambda, int *iters, double *work)
{
    double *a = Omega, *b = work, *R = b + d * s, *G = R + d * s, *Qe = G + s * s, *V = Qe + s * s,
           *Vr = V + s * s, *tau = Vr + s * s, *lam = tau + s;
    int err, it = 0;
    err = orthonormalise2(d, s, a, b, G, Qe, lam);
    if (err) return err;
    for (;;) {
        op(ctx, s, a, b); /* b = H a */
        it++;
        /* Rayleigh–Ritz: T = aᵀ H a = V τ Vᵀ; the top r Ritz pairs (a v_j, τ_j). */
        fc_gemm(1, 0, s, s, d, 1.0, a, s, b, s, 0.0, G, s);
        for (size_t i = 0; i < s; i++)
            for (size_t j = 0; j < i; j++)
                G[i * s + j] = G[j * s + i] = 0.5 * (G[i * s + j] + G[j * s + i]);
        err = fc_sym_eig(s, G, tau, V);
        if (err) return err;
        for (size_t i = 0; i < s; i++)
            for (size_t j = 0; j < r; j++)
                Vr[i * r + j] = V[i * s + (s - 1 - j)];
        /* Residuals R = H a V_r − a V_r diag(τ_r), column norms against tol·λ_max. */
        fc_gemm(0, 0, d, r, s, 1.0, b, s, Vr, r, 0.0, R, r);
        for (size_t i = 0; i < s; i++)
            for (size_t j = 0; j < r; j++)
                Vr[i * r + j] *= tau[s - 1 - j];
        fc_gemm(0, 0, d, r, s, -1.0, a, s, Vr, r, 1.0, R, r);
        double worst = 0.0, top = fmax(tau[s - 1], 0.0);
        for (size_t j = 0; j < r; j++) {
            double n2 = 0.0;
            for (size_t i = 0; i < d; i++)
                n2 += R[i * r + j] * R[i * r + j];
            worst = fmax(worst, sqrt(n2));
        }
        if (worst <= tol * top || it >= max_iter) break;
        fc_copy(d * s, b, a);
        err = orthonormalise2(d, s, a, b, G, Qe, lam);
        if (err) return err;
    }
    /* U = a V_r diag(sqrt(max(τ, 0))). */
    for (size_t j = 0; j < r; j++)
        lambda[j] = fmax(tau[s - 1 - j], 0.0);
    for (size_t i = 0; i < s; i++)
        for (size_t j = 0; j < r; j++)
            Vr[i * r + j] = V[i * s + (s - 1 - j)] * sqrt(lambda[j]);
    fc_gemm(0, 0, d, r, s, 1.0, a, s, Vr, r, 0.0, U, r);
    *iters = it;
    return FC_OK;
}
