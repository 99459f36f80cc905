/* fc_bench_lowrank.c — the lowrank family's subspace phase (SPEC §12) against the machine:
 * one client's curvature step (top-r eigenpairs by subspace iteration on softmax block
 * products) timed cold (random start) and warm (started from its own previous site), its
 * share of the client's local update (the Newton-CG local solve plus the curvature step),
 * and the GFLOP/s of its block products against a dgemm of the same shape measured in the
 * same run (CPU seconds of this process). Data: n pixel-like examples (p = 785, as Fashion-MNIST
 * 28×28 with the bias), two labels of C = 10 (one client of the label-pair split). Usage:
 * fc_bench_lowrank [n] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fc_data.h"
#include "fc_family.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_model.h"
#include "fc_rng.h"
#include "fc_solver.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); /* CPU time: robust to a shared machine */
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The softmax row with its block product counted: calls, flops (two gemms of n×p×C·s),
 * seconds. */
static fc_model_ops_t counted;
static const fc_model_ops_t *base;
static double block_flops, block_secs;
static int block_calls;

static void counted_block(const fc_model_t *m, const double *X, const double *y, size_t n,
                          const double *theta, size_t s, const double *V, double *out, double *work)
{
    double t0 = now();
    base->hvp_block(m, X, y, n, theta, s, V, out, work);
    block_secs += now() - t0;
    block_calls++;
    block_flops += 4.0 * (double)n * (double)m->p * (double)m->classes * (double)s;
}

static void *must_alloc(size_t n)
{
    double *p = NULL;
    if (fc_calloc(n ? n : 1, sizeof(double), &p)) {
        fprintf(stderr, "fc_bench_lowrank: out of memory (%zu doubles)\n", n);
        exit(1);
    }
    return p;
}

/* dgemm rate (GFLOP/s) for C (m×n) = A (m×k) B (k×n), the block product's shape. */
static double gemm_rate(size_t m, size_t n, size_t k)
{
    double *A = must_alloc(m * k), *B = must_alloc(k * n), *C = must_alloc(m * n);
    for (size_t i = 0; i < m * k; i++)
        A[i] = (double)(i % 7) * 0.1;
    for (size_t i = 0; i < k * n; i++)
        B[i] = (double)(i % 5) * 0.1;
    fc_gemm(0, 0, m, n, k, 1.0, A, k, B, n, 0.0, C, n); /* warm-up */
    int reps = 3;
    double t0 = now();
    for (int r = 0; r < reps; r++)
        fc_gemm(0, 0, m, n, k, 1.0, A, k, B, n, 0.0, C, n);
    double rate = 2.0 * (double)m * (double)n * (double)k * reps / (now() - t0) / 1e9;
    free(A), free(B), free(C);
    return rate;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 3000, p = 785;
    const int C = 10;
    static const size_t ranks[] = {5, 10, 20, 50};
    fc_model_t m;
    fc_data_t *blk = NULL;
    fc_rng_t rng;
    fc_la_set_threads(1);
    base = fc_model_find("softmax");
    counted = *base;
    counted.hvp_block = counted_block;
    if (fc_model_init(&m, &counted, p, C, 1.0) || fc_data_create(n, p, &blk)) return 1;
    fc_rng_seed(&rng, 1, 0, 0);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j + 1 < p; j++)
            blk->X[i * p + j] = fc_rng_uniform(&rng) < 0.5 ? fc_rng_uniform(&rng) : 0.0;
        blk->X[i * p + p - 1] = 1.0;
        blk->y[i] = (double)fc_rng_below(&rng, 2);
    }
    size_t d = m.d;
    double *theta = must_alloc(d), *g = must_alloc(d), *h = must_alloc(d);
    double *work = must_alloc(m.ops->work_size(&m, n));
    for (size_t i = 0; i < d; i++)
        theta[i] = 0.01 * fc_rng_normal(&rng);
    const fc_family_ops_t *f = fc_family_find("lowrank");
    printf("# lowrank subspace phase, softmax d = %zu (p = %zu, C = %d), n = %zu examples, "
           "1 BLAS thread\n",
           d, p, C, n);
    printf("%4s %6s %9s %10s %10s %6s %8s %12s %12s %10s\n", "r", "start", "products", "phase_s",
           "solve_s", "steps", "share", "block_GF/s", "dgemm_GF/s", "of_dgemm");
    for (size_t ri = 0; ri < sizeof ranks / sizeof ranks[0]; ri++) {
        fc_family_dims_t fd = {d, ranks[ri], 0, 1, 1};
        size_t s = ranks[ri] + 8, ns = f->site_len(&fd), np = f->prec_len(&fd);
        double *H0 = must_alloc(ns), *H1 = must_alloc(ns), *H2 = must_alloc(ns);
        double *scr = must_alloc(f->scratch_len(&fd, &m, n)), *S = must_alloc(np);
        double *P = must_alloc(np), *b = must_alloc(d), *th = must_alloc(d), *h0 = must_alloc(d);
        double gr = gemm_rate(n, (size_t)C * s, p);
        /* The local solve against the prior's cavity (P = δI), as in round 1. */
        fc_quad_t q;
        fc_solve_opts_t o = {50, 1e-10, 1};
        fc_solve_info_t info;
        fc_solver_ws_t *ws = NULL;
        f->prior(&fd, 1.0, S);
        if (f->cavity(&fd, 0, 1.0, th, S, h0, H0, P, b, 0, NULL, &q) ||
            fc_solver_ws_create(&m, n, 0, &ws))
            return 1;
        double t0 = now();
        if (fc_solve_local(&m, blk, &q, &o, th, ws, &info)) return 1;
        double solve = now() - t0;
        for (int warm = 0; warm < 2; warm++) {
            block_flops = block_secs = 0.0;
            block_calls = 0;
            t0 = now();
            f->curvature(&fd, 0, &m, blk, th, warm ? H1 : H0, g, warm ? H2 : H1, h, work, scr);
            double phase = now() - t0;
            printf("%4zu %6s %9d %10.3f %10.3f %6d %7.0f%% %12.2f %12.2f %9.0f%%\n", ranks[ri],
                   warm ? "warm" : "cold", block_calls, phase, solve, info.steps,
                   100.0 * phase / (phase + solve), block_flops / block_secs / 1e9, gr,
                   100.0 * (block_flops / phase / 1e9) / gr);
        }
        fc_solver_ws_destroy(&ws);
        free(H0), free(H1), free(H2), free(scr), free(S), free(P), free(b), free(th), free(h0);
    }
    fc_data_destroy(&blk);
    free(theta), free(g), free(h), free(work);
    return 0;
}
