/* fc_testutil.c — helpers shared by the unit tests. */
#include "fc_testutil.h"

#include "fc_error.h"
#include "fc_mem.h"

#include <check.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double fc_test_relerr(size_t n, const double *a, const double *b)
{
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs(a[i] - b[i]);
        if (e > diff || isnan(e)) diff = isnan(e) ? INFINITY : e;
        if (fabs(b[i]) > scale) scale = fabs(b[i]);
    }
    return diff / (scale > 1e-300 ? scale : 1e-300);
}

void fc_test_randn(fc_rng_t *r, size_t n, double scale, double *x)
{
    for (size_t i = 0; i < n; i++)
        x[i] = scale * fc_rng_normal(r);
}

void fc_test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
}

void fc_test_tmpdir(char *buf, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, size, "%s/fedpc-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf)) {
        perror("mkdtemp");
        abort();
    }
}

int fc_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void fc_test_gauss_solve(size_t n, double *A, double *b)
{
    for (size_t c = 0; c < n; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < n; r++)
            if (fabs(A[r * n + c]) > fabs(A[piv * n + c])) piv = r;
        for (size_t j = 0; j < n; j++) {
            double t = A[c * n + j];
            A[c * n + j] = A[piv * n + j];
            A[piv * n + j] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (size_t r = c + 1; r < n; r++) {
            double f = A[r * n + c] / A[c * n + c];
            for (size_t j = c; j < n; j++)
                A[r * n + j] -= f * A[c * n + j];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = n; c-- > 0;) {
        for (size_t j = c + 1; j < n; j++)
            b[c] -= A[c * n + j] * b[j];
        b[c] /= A[c * n + c];
    }
}

int fc_test_verbose(void)
{
    const char *v = getenv("FC_TEST_VERBOSE");
    return v && *v && strcmp(v, "0") != 0;
}

double *fc_test_dalloc(size_t n)
{
    double *p = NULL;
    ck_assert_int_eq(fc_calloc(n ? n : 1, sizeof(double), &p), FC_OK);
    return p;
}
