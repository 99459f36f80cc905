/* fc_testutil.h — small helpers shared by the unit tests: random data, relative
 * differences, temporary files. */
#ifndef FC_TESTUTIL_H
#define FC_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "fc_rng.h"

struct Suite;
/* Run a Check suite and return the process exit status (0 when every test passed). */
int fc_test_run(struct Suite *s);
/* Solve A x = b (n x n, row-major, A and b overwritten, x in b) by Gaussian elimination
 * with partial pivoting: the independent dense solve the tests compare against. */
void fc_test_gauss_solve(size_t n, double *A, double *b);

/* max_i |a_i - b_i| / max(1e-300, max_i |b_i|, floor): a scale-aware relative error. */
double fc_test_relerr(size_t n, const double *a, const double *b);
/* Fill x with N(0, scale^2) draws. */
void fc_test_randn(fc_rng_t *r, size_t n, double scale, double *x);
/* Write text to a fresh file under a temporary folder; returns its path (static slot
 * per call site is not kept: the caller copies it). */
void fc_test_write_file(const char *path, const char *text);
/* Print the tests' measured errors? (FC_TEST_VERBOSE set, non-empty and not "0") */
int fc_test_verbose(void);
/* n zeroed doubles (at least one), the test failing if they cannot be had; fc_free them. */
double *fc_test_dalloc(size_t n);
/* A fresh temporary folder (mkdtemp) whose path is copied into buf. */
void fc_test_tmpdir(char *buf, size_t size);

#endif
