/* fc_lowrank.h — the linear algebra of low-rank-plus-diagonal precisions (SPEC §12), used by
 * the lowrank family and its tests: products and Woodbury solves with
 *     A = diag(D) + W Wᵀ − U Uᵀ      (W d×nw, U d×nu, row-major),
 * the best low-rank part of Z diag(c) Zᵀ through its small Gram matrix, and the top
 * eigenpairs of a PSD operator by randomized subspace iteration on block products.
 * No function forms a d×d matrix. Every buffer is the caller's. */
#ifndef FC_LOWRANK_H
#define FC_LOWRANK_H

#include <stddef.h>

#include "fc_error.h"

/* y = A x, or y += A x when add (y and x do not overlap). */
void fc_lr_apply(size_t d, const double *D, size_t nw, const double *W, size_t nu, const double *U,
                 const double *x, int add, double *y);

/* Doubles of work fc_lr_solve needs. */
size_t fc_lr_solve_work(size_t d, size_t nw, size_t nu);
/* Solve A x = b in place (b -> x) by Woodbury with the stacked columns Z = [W U] and
 * S = diag(I, −I): A⁻¹ = D⁻¹ − D⁻¹Z (S + ZᵀD⁻¹Z)⁻¹ ZᵀD⁻¹, the small capacitance solved by
 * block elimination on two Cholesky factors, of C = I + WᵀD⁻¹W and of the Schur complement
 * E = I − Uᵀ(D + WWᵀ)⁻¹U. E is positive definite exactly when A is (given D > 0), so a
 * failure is FC_ENOTSPD naming `what`. D must be positive (FC_ENOTSPD otherwise). */
FC_MUST int fc_lr_solve(size_t d, const double *D, size_t nw, const double *W, size_t nu,
                        const double *U, double *b, double *work, const char *what);

/* Doubles of work fc_lr_compress_coef needs for n columns. */
size_t fc_lr_compress_work(size_t n);
/* The best rank-q part of M = Z diag(c) Zᵀ (Z d×n, given only its Gram matrix G = ZᵀZ,
 * n×n): with G = QΛQᵀ, Ẑ = Z Q₊ Λ₊^{-1/2} an orthonormal basis of range(Z) (eigenvalues
 * below n·ε·λ_max dropped), M = Ẑ T Ẑᵀ with T = Λ₊^{1/2} Q₊ᵀ diag(c) Q₊ Λ₊^{1/2}; T = VτVᵀ and
 * the q largest positive τ give M_q = W Wᵀ, W = Z Mc with Mc = Q₊Λ₊^{-1/2} V_q τ_q^{1/2}.
 * Writes Mc (n×q, row-major; columns past *kept are zero) and *kept (≤ q). G is kept. */
FC_MUST int fc_lr_compress_coef(size_t n, const double *G, const double *c, size_t q, double *Mc,
                                size_t *kept, double *work);

/* A PSD operator on blocks: out (d×s) = H V (d×s), both row-major. */
typedef void (*fc_lr_block_fn)(void *ctx, size_t s, const double *V, double *out);

/* Doubles of work fc_lr_top_eig needs for a block of s columns. */
size_t fc_lr_top_eig_work(size_t d, size_t s);
/* Top-r eigenpairs of the PSD operator H by subspace iteration on a block of s ≥ r columns:
 * Omega (d×s) is the start (overwritten); each iteration orthonormalises the block (twice,
 * through its Gram matrix) and multiplies by H, until the Ritz residuals of the top r pairs,
 * ‖H u − λu‖, are at most tol·λ_max or after max_iter products. Writes U (d×r) = the Ritz
 * vectors scaled by sqrt(λ), λ ≥ 0 clipped (so U Uᵀ is the rank-r part), lambda (r, descending)
 * and the iterations used. */
FC_MUST int fc_lr_top_eig(size_t d, size_t r, size_t s, fc_lr_block_fn op, void *ctx, double tol,
                          int max_iter, double *Omega, double *U, double *lambda, int *iters,
                          double *work);

#endif
