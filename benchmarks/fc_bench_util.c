/* fc_bench_util.c — what the MPI benchmarks share: a wall clock and the dgemm rate they
 * print beside their own numbers (see fc_bench_util.h). */
#include "fc_bench_util.h"

#include <math.h>
#include <time.h>

#include "fc_la.h"
#include "fc_mem.h"

double fc_bench_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int fc_bench_gemm_rate(size_t n, double *gfs)
{
    int err;
    double *A = NULL, *B = NULL, *C = NULL, best = INFINITY;
    FC_CALL(fc_alloc(n * n, sizeof(double), &A));
    FC_CALL(fc_alloc(n * n, sizeof(double), &B));
    FC_CALL(fc_alloc(n * n, sizeof(double), &C));
    for (size_t i = 0; i < n * n; i++) {
        A[i] = (double)(i % 7) - 3.0;
        B[i] = (double)(i % 5) - 2.0;
    }
    for (int r = 0; r < 3; r++) {
        double t0 = fc_bench_wall();
        fc_gemm(0, 0, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
        double dt = fc_bench_wall() - t0;
        if (dt < best) best = dt;
    }
    *gfs = 2.0 * (double)n * (double)n * (double)n / best / 1e9;
cleanup:
    fc_free(&A);
    fc_free(&B);
    fc_free(&C);
    return err;
}
