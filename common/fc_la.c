/* fc_la.c — CBLAS/LAPACKE calls, row-major. The only file that includes them. */
#include "fc_la.h"

#include <assert.h>
#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_mem.h"

_Static_assert(FC_LA_MAX_LEN == INT_MAX, "FC_LA_MAX_LEN is the int range");
_Static_assert(sizeof(blasint) >= sizeof(int) && sizeof(lapack_int) >= sizeof(int),
               "BLAS and LAPACK lengths hold at least an int");
_Static_assert(1LL * FC_LA_MAX_DXD * FC_LA_MAX_DXD <= INT_MAX &&
                   1LL * (FC_LA_MAX_DXD + 1) * (FC_LA_MAX_DXD + 1) > INT_MAX,
               "FC_LA_MAX_DXD is the largest d with d*d in the int range");

/* A length for BLAS. Out of range here is a bug (sizes were checked at setup by
 * fc_la_check_dims), and these functions return nothing: stop, always (not only when
 * assert is compiled in), rather than hand BLAS a wrapped, negative or short length. */
static blasint la_len(size_t n, const char *func)
{
    if (n > FC_LA_MAX_LEN) {
        fprintf(stderr,
                "fedpc: internal error: %s: length %zu is above the largest BLAS "
                "can index (%d)\n",
                func, n, FC_LA_MAX_LEN);
        abort();
    }
    return (blasint)n;
}
#define BI(x) la_len((x), __func__)

int fc_la_check_len(size_t n, const char *what)
{
    if (n <= FC_LA_MAX_LEN) return FC_OK;
    return fc_err_set(FC_ETOOBIG, "%s = %zu is above the largest length BLAS can index (%d)", what,
                      n, FC_LA_MAX_LEN);
}

int fc_la_check_dims(size_t d, int needs_dxd)
{
    if (needs_dxd && d > FC_LA_MAX_DXD)
        return fc_err_set(FC_ETOOBIG,
                          "d = %zu is above the largest size BLAS can index (%d for d x d "
                          "matrices: family full and the central reference keep them); use "
                          "fewer features or classes, or family = diag/iso with "
                          "run.reference = false",
                          d, FC_LA_MAX_DXD);
    return fc_la_check_len(d, "d");
}

double fc_dot(size_t n, const double *x, const double *y)
{
    return cblas_ddot(BI(n), x, 1, y, 1);
}

double fc_nrm2(size_t n, const double *x)
{
    return cblas_dnrm2(BI(n), x, 1);
}

void fc_axpy(size_t n, double a, const double *x, double *y)
{
    cblas_daxpy(BI(n), a, x, 1, y, 1);
}

void fc_scal(size_t n, double a, double *x)
{
    cblas_dscal(BI(n), a, x, 1);
}

void fc_copy(size_t n, const double *x, double *y)
{
    if (n) memmove(y, x, n * sizeof *x);
}

void fc_zero(size_t n, double *x)
{
    if (n) memset(x, 0, n * sizeof *x);
}

void fc_gemv(int trans, size_t m, size_t n, double alpha, const double *A, size_t lda,
             const double *x, double beta, double *y)
{
    if (m == 0 || n == 0) {
        size_t ny = trans ? n : m;
        if (beta == 0.0)
            fc_zero(ny, y);
        else
            fc_scal(ny, beta, y);
        return;
    }
    cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, BI(m), BI(n), alpha, A, BI(lda),
                x, 1, beta, y, 1);
}

void fc_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const double *A,
             size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc)
{
    if (m == 0 || n == 0) return;
    if (k == 0) {
        for (size_t i = 0; i < m; i++) {
            if (beta == 0.0)
                fc_zero(n, C + i * ldc);
            else
                fc_scal(n, beta, C + i * ldc);
        }
        return;
    }
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                BI(m), BI(n), BI(k), alpha, A, BI(lda), B, BI(ldb), beta, C, BI(ldc));
}

void fc_sym_fill_lower(size_t n, double *A, size_t lda)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            A[i * lda + j] = A[j * lda + i];
}

void fc_syrk_t(size_t n, size_t k, double alpha, const double *A, size_t lda, double beta,
               double *C, size_t ldc)
{
    if (n == 0) return;
    if (k == 0) {
        for (size_t i = 0; i < n; i++) {
            if (beta == 0.0)
                fc_zero(n, C + i * ldc);
            else
                fc_scal(n, beta, C + i * ldc);
        }
        return;
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, BI(n), BI(k), alpha, A, BI(lda), beta, C,
                BI(ldc));
    fc_sym_fill_lower(n, C, ldc);
}

void fc_symv(size_t n, double alpha, const double *A, const double *x, double beta, double *y)
{
    if (n == 0) return;
    cblas_dsymv(CblasRowMajor, CblasUpper, BI(n), alpha, A, BI(n), x, 1, beta, y, 1);
}

/* Row-major lower L with A = L Lᵀ is, read column-major, the upper U = Lᵀ with A = UᵀU of the
 * same symmetric A: so LAPACK's native column-major 'U' routines work in place, without the
 * transposed copies the row-major LAPACKE wrappers make (and the _work variants skip their
 * NaN scans: fc_chol checks finiteness once itself). */
int fc_chol(size_t n, double *A, const char *what)
{
    lapack_int info;
    if (n == 0) return FC_OK;
    if (n > FC_LA_MAX_DXD)
        return fc_err_set(FC_ETOOBIG,
                          "%s is %zu x %zu: above the largest size LAPACK can index (%d)", what, n,
                          n, FC_LA_MAX_DXD);
    if (!fc_all_finite(n * n, A)) return fc_err_set(FC_ENOTSPD, "%s has a non-finite entry", what);
    info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', BI(n), A, BI(n));
    if (info > 0)
        return fc_err_set(FC_ENOTSPD, "%s is not positive definite (leading minor %d)", what,
                          (int)info);
    assert(info == 0 && "dpotrf: illegal argument");
    return FC_OK;
}

void fc_chol_solve(size_t n, const double *L, double *b)
{
    lapack_int info;
    if (n == 0) return;
    info = LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'U', BI(n), 1, L, BI(n), b, BI(n));
    assert(info == 0 && "dpotrs: illegal argument");
    (void)info;
}

/* lowrank family. fc_chol's factor is the row-major lower triangle L with A = L Lᵀ, which
 * is what LAPACKE's row-major 'L' reads. */
void fc_trsm_lower(int right, int trans, size_t rows, size_t cols, const double *L, double *B,
                   size_t ldb)
{
    size_t n = right ? cols : rows;
    if (rows == 0 || cols == 0) return;
    cblas_dtrsm(CblasRowMajor, right ? CblasRight : CblasLeft, CblasLower,
                trans ? CblasTrans : CblasNoTrans, CblasNonUnit, BI(rows), BI(cols), 1.0, L, BI(n),
                B, BI(ldb));
}

void fc_chol_solve_many(size_t n, const double *L, size_t nrhs, double *B, size_t ldb)
{
    if (n == 0 || nrhs == 0) return;
    lapack_int info = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', BI(n), BI(nrhs), L, BI(n), B, BI(ldb));
    assert(info == 0 && "dpotrs: illegal argument");
    (void)info;
}

int fc_sym_eig(size_t n, double *A, double *w, double *Z)
{
    lapack_int *isuppz = NULL, found = 0;
    int err = FC_OK;
    if (n == 0) return FC_OK;
    FC_CALL(fc_alloc(2 * n, sizeof(lapack_int), &isuppz));
    lapack_int info = LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'A', 'L', BI(n), A, BI(n), 0.0, 0.0, 0,
                                     0, 0.0, &found, w, Z, BI(n), isuppz);
    if (info || (size_t)found != n)
        FC_FAIL(FC_ENUMERIC, "eigendecomposition of a %zu x %zu matrix: dsyevr info %d", n, n,
                (int)info);
cleanup:
    fc_free(&isuppz);
    return err;
}

void fc_la_set_threads(int n)
{
    openblas_set_num_threads(n < 1 ? 1 : n);
}

int fc_all_finite(size_t n, const double *x)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

int fc_eig_max_modulus(size_t n, double *A, double *out)
{
    double *wr = NULL, *wi = NULL;
    int err;
    *out = 0.0;
    if (n == 0) return FC_OK;
    FC_CALL(fc_alloc(n, sizeof(double), &wr));
    FC_CALL(fc_alloc(n, sizeof(double), &wi));
    lapack_int info = LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int)n, A, (lapack_int)n, wr,
                                    wi, NULL, 1, NULL, 1);
    if (info)
        FC_FAIL(FC_ENUMERIC, "eigenvalues of a %zu x %zu matrix: dgeev info %d", n, n, (int)info);
    for (size_t i = 0; i < n; i++)
        *out = fmax(*out, hypot(wr[i], wi[i]));
cleanup:
    fc_free(&wr);
    fc_free(&wi);
    return err;
}
