/* fc_la.h — the one shim over CBLAS and LAPACKE.
 * Conventions: every matrix is dense, row-major, with leading dimension = number of
 * columns unless an ld is passed. Symmetric matrices are stored in full (both
 * triangles valid) except Cholesky factors, which live in the lower triangle. */
#ifndef FC_LA_H
#define FC_LA_H

#include <stddef.h>

#include "fc_error.h"

/* BLAS and LAPACK take int lengths (this build's blasint and lapack_int are 32 bits): every
 * length, dimension and leading dimension handed to them must be at most FC_LA_MAX_LEN, and
 * a d×d matrix, which fc_axpy/fc_scal treat as one vector of d² entries, needs
 * d <= FC_LA_MAX_DXD (46 340² = 2 147 395 600 <= 2³¹ − 1 < 46 341²). Sizes come from the
 * user (features, classes), so they are checked once at setup by fc_la_check_dims; past
 * that point a length out of range is a bug, and the void functions below end the
 * process with a message naming the function and the length rather than let it wrap. */
#define FC_LA_MAX_LEN 2147483647
#define FC_LA_MAX_DXD 46340

/* FC_OK if a model of d parameters fits BLAS's int lengths: d itself, and d² when the run
 * keeps d×d matrices (needs_dxd: family full, or the central reference's Hessian);
 * otherwise FC_ETOOBIG with a message naming d and the limit. */
FC_MUST int fc_la_check_dims(size_t d, int needs_dxd);
/* FC_OK if a length of n entries (named `what` in the message) can be handed to BLAS;
 * otherwise FC_ETOOBIG. */
FC_MUST int fc_la_check_len(size_t n, const char *what);

double fc_dot(size_t n, const double *x, const double *y);
double fc_nrm2(size_t n, const double *x);
void fc_axpy(size_t n, double a, const double *x, double *y); /* y += a x   */
void fc_scal(size_t n, double a, double *x);                  /* x *= a     */
void fc_copy(size_t n, const double *x, double *y);           /* y = x      */
void fc_zero(size_t n, double *x);                            /* x = 0      */
/* y = alpha op(A) x + beta y, A m x n row-major; trans != 0 uses A^T. */
void fc_gemv(int trans, size_t m, size_t n, double alpha, const double *A, size_t lda,
             const double *x, double beta, double *y);
/* C = alpha op(A) op(B) + beta C (m x n result, k inner). */
void fc_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const double *A,
             size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc);
/* C = alpha A^T A + beta C for A k x n (ld lda): C n x n, both triangles filled. */
void fc_syrk_t(size_t n, size_t k, double alpha, const double *A, size_t lda, double beta,
               double *C, size_t ldc);
/* y = A x for symmetric A (full storage). */
void fc_symv(size_t n, double alpha, const double *A, const double *x, double beta, double *y);
/* Copy the upper triangle onto the lower one. */
void fc_sym_fill_lower(size_t n, double *A, size_t lda);

/* In-place Cholesky A = L L^T (lower triangle of A gets L). FC_ENOTSPD (with a
 * message naming `what`) if A is not positive definite; A is then undefined. FC_ETOOBIG,
 * A untouched, if n > FC_LA_MAX_DXD. */
FC_MUST int fc_chol(size_t n, double *A, const char *what);
/* Solve (L L^T) x = b in place (b -> x), L from fc_chol. */
void fc_chol_solve(size_t n, const double *L, double *b);

/* Triangular solve with a Cholesky factor L (n×n lower triangle, from fc_chol; its upper
 * triangle is not read) on a block B (rows×cols, row-major, ld ldb), in place (dtrsm):
 * right = 0: B := op(L)⁻¹ B (n = rows); right = 1: B := B op(L)⁻¹ (n = cols); op(L) = Lᵀ
 * when trans != 0. Variational expectations (SPEC §10): margin variances xᵀS⁻¹x and
 * samples m + L⁻ᵀε for a whole block, with no inverse formed. */
void fc_trsm_lower(int right, int trans, size_t rows, size_t cols, const double *L, double *B,
                   size_t ldb);

/* lowrank family: solve (L Lᵀ) X = B in place for nrhs right-hand sides, B n×nrhs row-major
 * (ld ldb), L from fc_chol. */
void fc_chol_solve_many(size_t n, const double *L, size_t nrhs, double *B, size_t ldb);
/* lowrank family: every eigenpair of a symmetric n×n matrix A (destroyed) by LAPACK's
 * dsyevr: w the eigenvalues in ascending order, Z (n×n, row-major) the eigenvectors as its
 * columns. FC_ENUMERIC if dsyevr fails, FC_ENOMEM if its small index buffer cannot be had. */
FC_MUST int fc_sym_eig(size_t n, double *A, double *w, double *Z);

/* Number of BLAS threads for this process. */
void fc_la_set_threads(int n);

/* True if every entry is finite. */
int fc_all_finite(size_t n, const double *x);

/* The largest modulus of the eigenvalues of a general n×n matrix A (row-major, destroyed),
 * by LAPACK's dgeev without eigenvectors; 0 for n = 0. FC_ENUMERIC if it fails. */
FC_MUST int fc_eig_max_modulus(size_t n, double *A, double *out);

#endif
