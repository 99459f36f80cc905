/* test_la.c — the BLAS/LAPACKE shim, the allocator, the RNG and the error map. */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fc_error.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_rng.h"
#include "fc_testutil.h"

START_TEST(chol_solves_spd_system)
{
    /* A = B B^T + I; check A x = b by multiplying back with a plain loop. */
    enum { n = 7 };
    double B[n * n], A[n * n], L[n * n], b[n], x[n];
    fc_rng_t r;
    fc_rng_seed(&r, 3, 0, 0);
    fc_test_randn(&r, n * n, 1.0, B);
    fc_test_randn(&r, n, 1.0, b);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = i == j ? 1.0 : 0.0;
            for (int k = 0; k < n; k++)
                s += B[i * n + k] * B[j * n + k];
            A[i * n + j] = s;
        }
    memcpy(L, A, sizeof A);
    ck_assert_int_eq(fc_chol(n, L, "A"), FC_OK);
    memcpy(x, b, sizeof b);
    fc_chol_solve(n, L, x);
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int j = 0; j < n; j++)
            s += A[i * n + j] * x[j];
        ck_assert_double_eq_tol(s, b[i], 1e-12 * (1 + fabs(b[i])));
    }
}
END_TEST

START_TEST(chol_reports_indefinite)
{
    double A[4] = {1.0, 2.0, 2.0, 1.0}; /* eigenvalues 3 and -1 */
    ck_assert_int_eq(fc_chol(2, A, "cavity precision"), FC_ENOTSPD);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "cavity precision is not positive definite"));
    double N[1] = {NAN};
    ck_assert_int_eq(fc_chol(1, N, "S"), FC_ENOTSPD);
}
END_TEST

START_TEST(syrk_matches_loop)
{
    enum { k = 9, n = 4 };
    double A[k * n], C[n * n];
    fc_rng_t r;
    fc_rng_seed(&r, 5, 0, 0);
    fc_test_randn(&r, k * n, 1.0, A);
    fc_syrk_t(n, k, 2.0, A, n, 0.0, C, n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int t = 0; t < k; t++)
                s += A[t * n + i] * A[t * n + j];
            ck_assert_double_eq_tol(C[i * n + j], 2.0 * s, 1e-12);
        }
}
END_TEST

START_TEST(alloc_rejects_overflow)
{
    double *p = (double *)&p;
    ck_assert_int_eq(fc_alloc(SIZE_MAX / 2, 16, &p), FC_ENOMEM);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(fc_calloc(10, sizeof(double), &p), FC_OK);
    ck_assert_double_eq(p[9], 0.0);
    fc_free(&p);
    ck_assert_ptr_null(p);
}
END_TEST

START_TEST(rng_streams_are_reproducible_and_distinct)
{
    fc_rng_t a, b, c;
    fc_rng_seed(&a, 1, 2, 3);
    fc_rng_seed(&b, 1, 2, 3);
    fc_rng_seed(&c, 1, 2, 4);
    uint64_t xa = fc_rng_u64(&a), xb = fc_rng_u64(&b), xc = fc_rng_u64(&c);
    ck_assert_uint_eq(xa, xb);
    ck_assert_uint_ne(xa, xc);
    /* Moments of the normal and gamma generators (independent closed forms). */
    double s = 0, s2 = 0, g = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double z = fc_rng_normal(&a);
        s += z;
        s2 += z * z;
        g += fc_rng_gamma(&a, 0.5);
    }
    ck_assert_double_eq_tol(s / n, 0.0, 0.01);
    ck_assert_double_eq_tol(s2 / n, 1.0, 0.02);
    ck_assert_double_eq_tol(g / n, 0.5, 0.01);
}
END_TEST

START_TEST(error_names_match_codes)
{
    ck_assert_str_eq(fc_errname(FC_ENOTSPD), "FC_ENOTSPD");
    ck_assert_str_eq(fc_strerror(FC_ENOMEM), "out of memory");
    ck_assert_int_eq(fc_err_set(FC_EDATA, "x.csv:%d: bad", 3), FC_EDATA);
    fc_err_prefix("rank %d: ", 2);
    ck_assert_str_eq(fc_err_msg(), "rank 2: x.csv:3: bad");
}
END_TEST

/* A length past the int range is a bug once setup has checked d: the shim stops instead of
 * handing BLAS a wrapped length (2^31 would reach BLAS as a negative int). The vector is
 * never read: the length is refused first. */
START_TEST(blas_length_above_int_range_aborts)
{
    double x[1] = {1.0};
    (void)fc_dot((size_t)2147483647u + 1, x, x);
}
END_TEST

/* Lengths up to the int range go through unchanged: 0 and the smallest cases. */
START_TEST(blas_lengths_in_range_pass)
{
    double x[3] = {1.0, 2.0, 2.0};
    ck_assert_double_eq(fc_dot(3, x, x), 9.0);
    ck_assert_double_eq_tol(fc_nrm2(3, x), 3.0, 1e-15);
    ck_assert_double_eq(fc_dot(0, x, x), 0.0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("la");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, chol_solves_spd_system);
    tcase_add_test(tc, chol_reports_indefinite);
    tcase_add_test(tc, syrk_matches_loop);
    tcase_add_test(tc, alloc_rejects_overflow);
    tcase_add_test(tc, rng_streams_are_reproducible_and_distinct);
    tcase_add_test(tc, error_names_match_codes);
    tcase_add_test(tc, blas_lengths_in_range_pass);
    /* abort() can only be caught in a forked test. */
    const char *fork = getenv("CK_FORK");
    if (!fork || strcmp(fork, "no") != 0)
        tcase_add_test_raise_signal(tc, blas_length_above_int_range_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
