/* fc_bench_vi.c — what variational expectations (SPEC §10) cost per round over `point`: one
 * process runs fedpc's own job (server and host over the serial transport, every client on
 * this rank, single-threaded BLAS) for R rounds with algorithm.expectation = point,
 * quadrature (one-margin models) and mc, and prints the seconds per round, the factor over
 * point and where the time goes — the expectations (fc_vi_eval), of which the triangular
 * solves on the Cholesky factor (margin variances, mc draws) and the gemms (margins, the
 * expected Hessian's assembly), the Cholesky factorisations, and point's Newton solves —
 * next to a dgemm rate and the GFLOP/s of the margin-variance pass (X L⁻ᵀ for a client's
 * block, n·p² flops) measured in the same run.
 *
 *   fc_bench_vi CONFIG.ini [--set section.key=value]... [--rounds R]
 *
 * The library is not changed to measure it: the link wraps (-Wl,--wrap) fc_vi_eval,
 * fc_trsm_lower, fc_gemm and fc_syrk_t (counted together), fc_chol and fc_solve_local_warm, and the
 * meter below is the one global state of this harness. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fc_algo.h"
#include "fc_config.h"
#include "fc_job.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_rng.h"
#include "fc_server.h"
#include "fc_transport.h"
#include "fc_variational.h"

enum { PH_VI, PH_TRSM, PH_GEMM, PH_CHOL, PH_NEWTON, PH_N };
static const char *const ph_name[PH_N] = {"expectations", "trsm", "gemm", "chol", "point Newton"};
static struct {
    double sec[PH_N], flops[PH_N];
    int depth[PH_N];
} meter;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The wrapped library calls: __real_* is the library's. */
void __real_fc_vi_eval(const fc_expect_t *e, const fc_model_t *m, const fc_data_t *blk,
                       const double *mean, const fc_prec_t *q, uint64_t stream, uint64_t round,
                       double *loss, double *grad, double *hess, double *hdiag, double *work);
void __wrap_fc_vi_eval(const fc_expect_t *e, const fc_model_t *m, const fc_data_t *blk,
                       const double *mean, const fc_prec_t *q, uint64_t stream, uint64_t round,
                       double *loss, double *grad, double *hess, double *hdiag, double *work);
void __real_fc_trsm_lower(int right, int trans, size_t rows, size_t cols, const double *L,
                          double *B, size_t ldb);
void __wrap_fc_trsm_lower(int right, int trans, size_t rows, size_t cols, const double *L,
                          double *B, size_t ldb);
void __real_fc_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const double *A,
                    size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc);
void __wrap_fc_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const double *A,
                    size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc);
void __real_fc_syrk_t(size_t n, size_t k, double alpha, const double *A, size_t lda, double beta,
                      double *C, size_t ldc);
void __wrap_fc_syrk_t(size_t n, size_t k, double alpha, const double *A, size_t lda, double beta,
                      double *C, size_t ldc);
int __real_fc_chol(size_t n, double *A, const char *what);
int __wrap_fc_chol(size_t n, double *A, const char *what);
int __real_fc_solve_local_warm(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                               const fc_solve_opts_t *o, const fc_solve_start_t *s, double *theta,
                               fc_solver_ws_t *ws, fc_solve_info_t *info);
int __wrap_fc_solve_local_warm(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                               const fc_solve_opts_t *o, const fc_solve_start_t *s, double *theta,
                               fc_solver_ws_t *ws, fc_solve_info_t *info);

void __wrap_fc_vi_eval(const fc_expect_t *e, const fc_model_t *m, const fc_data_t *blk,
                       const double *mean, const fc_prec_t *q, uint64_t stream, uint64_t round,
                       double *loss, double *grad, double *hess, double *hdiag, double *work)
{
    double t = now();
    __real_fc_vi_eval(e, m, blk, mean, q, stream, round, loss, grad, hess, hdiag, work);
    meter.sec[PH_VI] += now() - t;
    meter.flops[PH_VI] += 1.0; /* the count of expectations, not flops */
}

void __wrap_fc_trsm_lower(int right, int trans, size_t rows, size_t cols, const double *L,
                          double *B, size_t ldb)
{
    double t = now(), n = (double)(right ? cols : rows);
    __real_fc_trsm_lower(right, trans, rows, cols, L, B, ldb);
    meter.sec[PH_TRSM] += now() - t;
    meter.flops[PH_TRSM] += n * n * (double)(right ? rows : cols);
}

void __wrap_fc_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const double *A,
                    size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc)
{
    double t = now();
    __real_fc_gemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
    meter.sec[PH_GEMM] += now() - t;
    meter.flops[PH_GEMM] += 2.0 * (double)m * (double)n * (double)k;
}

void __wrap_fc_syrk_t(size_t n, size_t k, double alpha, const double *A, size_t lda, double beta,
                      double *C, size_t ldc)
{
    double t = now();
    __real_fc_syrk_t(n, k, alpha, A, lda, beta, C, ldc);
    meter.sec[PH_GEMM] += now() - t;
    meter.flops[PH_GEMM] += (double)k * (double)n * (double)(n + 1);
}

int __wrap_fc_chol(size_t n, double *A, const char *what)
{
    double t = now();
    int err = __real_fc_chol(n, A, what);
    meter.sec[PH_CHOL] += now() - t;
    meter.flops[PH_CHOL] += (double)n * (double)n * (double)n / 3.0;
    return err;
}

int __wrap_fc_solve_local_warm(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                               const fc_solve_opts_t *o, const fc_solve_start_t *s, double *theta,
                               fc_solver_ws_t *ws, fc_solve_info_t *info)
{
    double t = now();
    int err = __real_fc_solve_local_warm(m, blk, q, o, s, theta, ws, info);
    meter.sec[PH_NEWTON] += now() - t;
    return err;
}

static void die(const char *what)
{
    fprintf(stderr, "fc_bench_vi: %s: %s\n", what, fc_err_msg());
    exit(1);
}

/* GFLOP/s of one n×n×n dgemm. */
static double dgemm_rate(size_t n)
{
    double *A = NULL, *B = NULL, *C = NULL;
    if (fc_calloc(n * n, sizeof *A, &A) || fc_calloc(n * n, sizeof *B, &B) ||
        fc_calloc(n * n, sizeof *C, &C))
        die("dgemm buffers");
    for (size_t i = 0; i < n * n; i++)
        A[i] = B[i] = 1.0 / (double)(1 + i % 7);
    __real_fc_gemm(0, 0, n, n, n, 1.0, A, n, B, n, 0.0, C, n); /* warm up */
    double t = now();
    __real_fc_gemm(0, 0, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
    double rate = 2.0 * (double)n * n * n / (now() - t) / 1e9;
    fc_free(&A), fc_free(&B), fc_free(&C);
    return rate;
}

/* The margin-variance pass alone: Z = X L⁻ᵀ for n×p X and a p×p factor (n·p² flops), as
 * fc_vi_eval's quadrature does for a client's block; GFLOP/s of the best of 3. */
static double variance_pass_rate(size_t n, size_t p)
{
    double *X = NULL, *L = NULL, best = 0.0;
    fc_rng_t r;
    if (fc_calloc(n * p, sizeof *X, &X) || fc_calloc(p * p, sizeof *L, &L)) die("pass buffers");
    fc_rng_seed(&r, 7, 1, 2);
    for (size_t i = 0; i < n * p; i++)
        X[i] = fc_rng_normal(&r);
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j <= i; j++)
            L[i * p + j] = i == j ? 2.0 + fc_rng_uniform(&r) : 0.1 * fc_rng_normal(&r);
    for (int k = 0; k < 3; k++) {
        double t = now();
        __real_fc_trsm_lower(1, 1, n, p, L, X, p);
        double rate = (double)n * p * p / (now() - t) / 1e9;
        if (rate > best) best = rate;
    }
    fc_free(&X), fc_free(&L);
    return best;
}

typedef struct {
    double per_round, sec[PH_N], flops[PH_N];
} result_t;

/* R rounds of the case with one expectation; the meter counts the rounds only. */
static void run_case(const fc_config_t *base, fc_expect_kind_t kind, int rounds, result_t *res,
                     size_t *max_n, size_t *p)
{
    fc_config_t c = *base;
    fc_tp_t *tp = NULL;
    fc_job_t *job = NULL;
    fc_server_t *srv = NULL;
    fc_job_opts_t o = {.quiet = 1, .silent = 1};
    c.algorithm.expectation = kind;
    c.run.reference = 0; /* the round's cost, not q*'s */
    if (fc_tp_create_serial(&tp)) die("transport");
    if (fc_job_create(tp, &c, &o, &job)) die("job");
    if (fc_server_create(fc_job_server_env(job, NULL), &srv)) die("server");
    *p = fc_job_ctx(job)->model->p;
    (void)max_n;
    memset(&meter, 0, sizeof meter);
    double t = now();
    for (int r = 1; r <= rounds; r++)
        if (fc_server_round(srv, r)) die("round");
    res->per_round = (now() - t) / rounds;
    for (int i = 0; i < PH_N; i++) {
        res->sec[i] = meter.sec[i] / rounds;
        res->flops[i] = meter.flops[i] / rounds;
    }
    if (fc_server_release(fc_job_server_env(job, NULL), 0)) die("release");
    fc_server_destroy(&srv);
    fc_job_destroy(&job);
    fc_tp_destroy(&tp);
}

int main(int argc, char **argv)
{
    fc_config_t c;
    int rounds = 2;
    if (argc < 2) {
        fprintf(stderr, "usage: fc_bench_vi CONFIG.ini [--set k=v]... [--rounds R]\n");
        return 2;
    }
    if (fc_config_load(argv[1], &c)) die(argv[1]);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            if (fc_config_set(&c, argv[++i])) die(argv[i]);
        } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            long long v;
            char why[128];
            if (fc_parse_integer(argv[++i], 1, INT_MAX, &v, why, sizeof why)) {
                fprintf(stderr, "fc_bench_vi: --rounds: %s\n", why);
                return 2;
            }
            rounds = (int)v;
        } else {
            fprintf(stderr, "fc_bench_vi: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    c.run.threads = 1;
    fc_la_set_threads(1);
    double rate = dgemm_rate(1000);
    const fc_model_ops_t *mops = fc_model_find(c.model.type);
    int one_margin = mops && mops->labels != FC_LABEL_CLASS;
    fc_expect_kind_t kinds[3] = {FC_EXPECT_POINT, FC_EXPECT_QUADRATURE, FC_EXPECT_MC};
    result_t res[3];
    size_t max_n = 0, p = 0;
    printf("case %s: model %s, family %s, algorithm %s, K = %d, %d rounds, %d nodes, %d "
           "samples\n",
           argv[1], c.model.type, c.algorithm.family, c.algorithm.name, c.partition.clients, rounds,
           c.algorithm.quadrature_points, c.algorithm.mc_samples);
    printf("dgemm 1000³ in this run: %.2f GFLOP/s\n\n", rate);
    printf("| expectation | s/round | × point | expectations s (count) | trsm s (GFLOP/s) | "
           "gemm+syrk s "
           "(GFLOP/s) | chol s | point Newton s |\n|---|---|---|---|---|---|---|---|\n");
    /* gemm s: gemm and syrk; the point Newton solve's own syrk and gemm are in both columns */
    for (int k = 0; k < 3; k++) {
        if (kinds[k] == FC_EXPECT_QUADRATURE && !one_margin) continue;
        run_case(&c, kinds[k], rounds, &res[k], &max_n, &p);
        const result_t *r = &res[k];
        printf("| %s | %.3f | %.2f | %.3f (%.0f) | %.3f (%.2f) | %.3f (%.2f) | %.3f | %.3f |\n",
               fc_expect_name(kinds[k]), r->per_round, r->per_round / res[0].per_round,
               r->sec[PH_VI], r->flops[PH_VI], r->sec[PH_TRSM],
               r->sec[PH_TRSM] > 0 ? r->flops[PH_TRSM] / r->sec[PH_TRSM] / 1e9 : 0.0,
               r->sec[PH_GEMM],
               r->sec[PH_GEMM] > 0 ? r->flops[PH_GEMM] / r->sec[PH_GEMM] / 1e9 : 0.0,
               r->sec[PH_CHOL], r->sec[PH_NEWTON]);
        fflush(stdout);
    }
    (void)ph_name;
    size_t n = 6000;
    double pass = variance_pass_rate(n, p);
    printf("\nmargin-variance pass X L⁻ᵀ (n = %zu, p = %zu, n·p² flops): %.2f GFLOP/s = %.0f%% "
           "of dgemm\n",
           n, p, pass, 100.0 * pass / rate);
    return 0;
}
