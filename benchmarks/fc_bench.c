/* fc_bench.c — where the time of a fedpc round goes (issue "Performance: rounds at the speed
 * of the hardware"): one process runs fedpc's own job — the server and the host of
 * server/fc_job.c over the serial transport, every client on this one rank — for R rounds
 * with single-threaded BLAS, and prints each phase's time, floating-point operations and
 * GFLOP/s next to the dgemm rate measured in the same run. The round is the runtime's
 * (fc_server_round, fc_server_measure): this file has no copy of it.
 *
 * Nothing in the library is changed to measure it: the job is given timed copies of the
 * model's row (eval, hvp, correct) and of the algorithm's row (pack, local, contribution,
 * apply), the server's command execution is fronted by bench_exec (which tells the update
 * from the metrics), and the link wraps (-Wl,--wrap) fc_solve_local, fc_chol,
 * fc_chol_solve, fc_symv, fc_syrk_t, fc_gemm and fc_tp_chain_sum, so every call a round
 * makes is timed where it happens. The meter below is the one global state: it is a
 * measuring harness, not part of the runtime.
 *
 *   fc_bench CONFIG.ini [--set section.key=value]... [--rounds R] [--comm SECONDS]
 *            [--tsv FILE] [--label TEXT] [--probe] [--paired N]
 *
 * Flop counts (n examples of a client, p features, C classes, d = pC parameters):
 *   model forward (X θ) 2nd, gradient 2nd, Hessian counted twice:
 *     classic  n·d(d+1) — the unique entries of Σ_i (x_i x_iᵀ) ⊗ (diag p_i − p_i p_iᵀ),
 *              2n flops each: what any d×d product form needs (the logistic syrk
 *              n·p(p+1), the softmax's former class-pair syrk/gemm); the measure of the
 *              work, comparable across versions, so a cleverer algorithm shows above 100%;
 *     own      what the code does: the softmax Gram form's one gemm per row block,
 *              Q (b × p(p+1)/2)ᵀ A (b × C(C+1)/2), n·p(p+1)·C(C+1)/2 in all (about half);
 *              for logistic (C = 1) the same as classic;
 *   diagonal of the Hessian 2nd + np; Hessian-vector product 6nd; Cholesky d³/3;
 *   triangular solve pair 2d²; symv 2d²; gemm 2mnk; syrk k·n(n+1).
 * Vector loops (axpy, copies, the cavity S − H, damping, the Gram form's Q/A fill and
 * scatter) are not counted as flops. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <lapacke.h> /* only for --probe: the two ways of calling dpotrf/dpotrs */

#include "fc_algo.h"
#include "fc_bench_proto.h"
#include "fc_config.h"
#include "fc_dataset.h"
#include "fc_family.h"
#include "fc_job.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_model.h"
#include "fc_protocol.h"
#include "fc_server.h"
#include "fc_solver.h"
#include "fc_transport.h"

/* The wrapped functions (see CMakeLists.txt): __real_* is the library's, __wrap_* ours. */
int __real_fc_solve_local(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                          const fc_solve_opts_t *o, double *theta, fc_solver_ws_t *ws,
                          fc_solve_info_t *info);
int __wrap_fc_solve_local(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                          const fc_solve_opts_t *o, double *theta, fc_solver_ws_t *ws,
                          fc_solve_info_t *info);
int __real_fc_solve_local_warm(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                               const fc_solve_opts_t *o, const fc_solve_start_t *s, double *theta,
                               fc_solver_ws_t *ws, fc_solve_info_t *info);
int __wrap_fc_solve_local_warm(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                               const fc_solve_opts_t *o, const fc_solve_start_t *s, double *theta,
                               fc_solver_ws_t *ws, fc_solve_info_t *info);
int __real_fc_chol(size_t n, double *A, const char *what);
int __wrap_fc_chol(size_t n, double *A, const char *what);
void __real_fc_chol_solve(size_t n, const double *L, double *b);
void __wrap_fc_chol_solve(size_t n, const double *L, double *b);
void __real_fc_symv(size_t n, double alpha, const double *A, const double *x, double beta,
                    double *y);
void __wrap_fc_symv(size_t n, double alpha, const double *A, const double *x, double beta,
                    double *y);
void __real_fc_syrk_t(size_t n, size_t k, double alpha, const double *A, size_t lda, double beta,
                      double *C, size_t ldc);
void __wrap_fc_syrk_t(size_t n, size_t k, double alpha, const double *A, size_t lda, double beta,
                      double *C, size_t ldc);
void __real_fc_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const double *A,
                    size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc);
void __wrap_fc_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const double *A,
                    size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc);
int __real_fc_tp_chain_sum(fc_tp_t *tp, double *acc, size_t n, fc_tp_add_fn add, void *ctx);
int __wrap_fc_tp_chain_sum(fc_tp_t *tp, double *acc, size_t n, fc_tp_add_fn add, void *ctx);

/* What is being timed. Categories are exclusive where the table needs them to be: a
 * Hessian evaluation inside the local solver is counted under HESS, not under the solver. */
enum {
    T_HESS_SOLVER, /* model eval with ∇², inside fc_solve_local (Newton matrices) */
    T_HESS_SITE,   /* model eval with ∇², outside it (the new site's curvature) */
    T_HESS_BLAS3,  /* the syrk/gemm products inside those evaluations */
    T_EVAL_SOLVER, /* model evals without ∇² inside the solver (f, ∇f, line search) */
    T_EVAL_SITE,   /* ... outside it (diag/iso site: ∇ℓ and the Hessian's diagonal) */
    T_HVP,         /* Hessian-vector products (Newton-CG) */
    T_CHOL_CAVITY, /* Cholesky of the cavity precision (a positive-definiteness check) */
    T_CHOL_NEWTON, /* Cholesky of the local Newton matrix */
    T_CHOL_SERVER, /* Cholesky of the server precision / central Hessian */
    T_SOLVE,       /* triangular solve pairs (fc_chol_solve) */
    T_SYMV,        /* symmetric matrix-vector products */
    T_SOLVE_LOCAL, /* all of fc_solve_local */
    T_LOCAL,       /* all of the algorithm's local update */
    T_SUM,         /* ordered sum of the contributions (the chain's additions) */
    T_SERVER,      /* pack + apply */
    T_METRICS,     /* per-client ℓ, ∇ℓ, correction, and the test set */
    T_METRICS_EVAL,
    NT
};

static const char *const tname[NT] = {"hess eval (solver)",
                                      "hess eval (site)",
                                      "hess BLAS-3",
                                      "eval (solver)",
                                      "eval (site)",
                                      "hvp",
                                      "chol cavity",
                                      "chol newton",
                                      "chol server",
                                      "chol solve",
                                      "symv",
                                      "fc_solve_local",
                                      "local update",
                                      "ordered sum",
                                      "server update",
                                      "metrics",
                                      "metrics evals"};

typedef struct {
    double sec, flops; /* flops: the classic count (see the header) */
    double own;        /* the flops the code itself performs (differs for the Hessian only) */
    long calls;
} tally_t;

enum { PH_NONE, PH_LOCAL, PH_SERVER, PH_METRICS };

static struct {
    const fc_model_ops_t *real; /* the model's own table */
    const fc_algo_ops_t *algo;  /* the algorithm's own row */
    int phase;
    int cmd;         /* the command the host is executing (fc_cmd_code_t), 0 outside one */
    long cmd_locals; /* local updates run by that command */
    long cmd_terms;  /* contributions taken by its sum */
    int in_solver;   /* inside fc_solve_local */
    int in_hess;     /* inside a model eval that forms ∇² */
    size_t p;        /* model features and classes (to recognise the Hessian's products) */
    size_t C;
    long newton_steps;
    double hess_examples; /* examples that went through a Hessian formation (passes × n) */
    tally_t t[NT];
} M;

/* Phases are timed in this thread's CPU time (BLAS runs single-threaded in the caller), so
 * that other processes on a shared machine do not count; wall() is for the round totals. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void tally_n(int cat, double sec, double flops, double own, long calls)
{
    M.t[cat].sec += sec;
    M.t[cat].flops += flops;
    M.t[cat].own += own;
    M.t[cat].calls += calls;
}

static void tally2(int cat, double sec, double flops, double own)
{
    tally_n(cat, sec, flops, own, 1);
}

static void tally(int cat, double sec, double flops)
{
    tally2(cat, sec, flops, flops);
}

/* Flops of one Hessian of n examples: the classic count n·d(d+1), and the code's own
 * (the softmax Gram form: n·p(p+1)·C(C+1)/2; a single-output model forms X^T W X). */
static double hess_flops_classic(const fc_model_t *m, size_t n)
{
    return (double)n * (double)m->d * ((double)m->d + 1.0);
}

static double hess_flops_own(const fc_model_t *m, size_t n)
{
    double p = (double)m->p, C = m->classes > 1 ? (double)m->classes : 1.0;
    return (double)n * p * (p + 1.0) * C * (C + 1.0) / 2.0; /* C = 1: n·p(p+1), the syrk */
}

/* ---- the model's operations, timed --------------------------------------------------- */

static void bench_eval(const fc_model_t *m, const double *X, const double *y, size_t n,
                       const double *theta, double *loss, double *grad, double *hess, double *hdiag,
                       double *work)
{
    double nd = (double)n * (double)m->d, t0 = now();
    M.in_hess = hess != NULL;
    M.real->eval(m, X, y, n, theta, loss, grad, hess, hdiag, work);
    M.in_hess = 0;
    double dt = now() - t0, fl = 2.0 * nd, own;
    if (grad) fl += 2.0 * nd;
    if (hdiag) fl += 2.0 * nd + (double)n * (double)m->p;
    own = fl;
    if (hess) {
        fl += hess_flops_classic(m, n);
        own += hess_flops_own(m, n);
    }
    int cat;
    if (M.phase == PH_METRICS)
        cat = T_METRICS_EVAL;
    else if (hess) {
        cat = M.in_solver ? T_HESS_SOLVER : T_HESS_SITE;
        M.hess_examples += (double)n;
    } else
        cat = M.in_solver ? T_EVAL_SOLVER : T_EVAL_SITE;
    tally2(cat, dt, fl, own);
}

static void bench_hvp(const fc_model_t *m, const double *X, const double *y, size_t n,
                      const double *theta, const double *v, double *out, double *work)
{
    double t0 = now();
    M.real->hvp(m, X, y, n, theta, v, out, work);
    tally(T_HVP, now() - t0, 6.0 * (double)n * (double)m->d);
}

static size_t bench_correct(const fc_model_t *m, const double *X, const double *y, size_t n,
                            const double *theta, double *work)
{
    double t0 = now();
    size_t r = M.real->correct(m, X, y, n, theta, work);
    tally(T_METRICS_EVAL, now() - t0, 2.0 * (double)n * (double)m->d);
    return r;
}

/* ---- the algorithm's operations, timed -------------------------------------------------- */

/* pack and apply are the server's step; each sets the phase for the calls it makes (the
 * posterior's Cholesky; central's line search evaluates the clients from inside apply). */
static void bench_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *state)
{
    int phase = M.phase;
    double t0 = now();
    M.phase = PH_SERVER;
    M.algo->pack(a, g, state);
    tally(T_SERVER, now() - t0, 0.0);
    M.phase = phase;
}

static int bench_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *totals,
                       const fc_oracle_t *oracle)
{
    int phase = M.phase;
    double t0 = now();
    M.phase = PH_SERVER;
    int err = M.algo->apply(a, g, totals, oracle);
    tally(T_SERVER, now() - t0, 0.0);
    M.phase = phase;
    return err;
}

static int bench_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                       fc_work_t *w)
{
    int phase = M.phase;
    double t0 = now();
    M.phase = PH_LOCAL;
    int err = M.algo->local(a, c, state, delta, w);
    tally(T_LOCAL, now() - t0, 0.0);
    M.phase = phase;
    M.cmd_locals++;
    return err;
}

/* Only counted: its time is part of the ordered sum it is called from (fc_tp_chain_sum). */
static void bench_contribution(const fc_algo_ctx_t *a, const fc_client_t *c, double *out)
{
    M.algo->contribution(a, c, out);
    M.cmd_terms++;
}

/* In front of the host's execution (fc_host_execute): the per-client evaluations of the
 * metrics are the metrics phase; an update's work outside local is the ordered sum. The
 * line search's loss-only evaluations stay in the phase that asked for them (the server's
 * apply, for central). */
typedef struct {
    fc_exec_fn exec;
    void *ctx;
} host_exec_t;

static int bench_exec(void *vh, const fc_cmd_t *cmd, const double *payload, double *result)
{
    const host_exec_t *h = vh;
    int phase = M.phase, code = M.cmd;
    long locals = M.cmd_locals, terms = M.cmd_terms;
    M.cmd = cmd->code;
    M.cmd_locals = M.cmd_terms = 0;
    if (cmd->code == FC_CMD_EVAL && !(cmd->flags & FC_EVAL_LOSS_ONLY))
        M.phase = PH_METRICS;
    else if (cmd->code == FC_CMD_UPDATE || cmd->code == FC_CMD_UPDATE_ONE)
        M.phase = PH_NONE;
    int err = h->exec(h->ctx, cmd, payload, result);
    M.phase = phase;
    M.cmd = code;
    M.cmd_locals = locals;
    M.cmd_terms = terms;
    return err;
}

/* ---- the wrapped library calls --------------------------------------------------------- */

int __wrap_fc_solve_local(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                          const fc_solve_opts_t *o, double *theta, fc_solver_ws_t *ws,
                          fc_solve_info_t *info)
{
    fc_solve_info_t mine;
    double t0 = now();
    M.in_solver = 1;
    int err = __real_fc_solve_local(m, blk, q, o, theta, ws, info ? info : &mine);
    M.in_solver = 0;
    tally(T_SOLVE_LOCAL, now() - t0, 0.0);
    if (!err) M.newton_steps += (info ? info : &mine)->steps;
    return err;
}

/* The warm-started solve (fpc, admm, ama) is timed and counted as fc_solve_local. */
int __wrap_fc_solve_local_warm(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                               const fc_solve_opts_t *o, const fc_solve_start_t *s, double *theta,
                               fc_solver_ws_t *ws, fc_solve_info_t *info)
{
    fc_solve_info_t mine;
    double t0 = now();
    M.in_solver = 1;
    int err = __real_fc_solve_local_warm(m, blk, q, o, s, theta, ws, info ? info : &mine);
    M.in_solver = 0;
    tally(T_SOLVE_LOCAL, now() - t0, 0.0);
    if (!err) M.newton_steps += (info ? info : &mine)->steps;
    return err;
}

int __wrap_fc_chol(size_t n, double *A, const char *what)
{
    double t0 = now();
    int err = __real_fc_chol(n, A, what);
    double dn = (double)n;
    int cat = M.phase == PH_SERVER     ? T_CHOL_SERVER
              : strstr(what, "cavity") ? T_CHOL_CAVITY
                                       : T_CHOL_NEWTON;
    tally(cat, now() - t0, dn * dn * dn / 3.0);
    return err;
}

void __wrap_fc_chol_solve(size_t n, const double *L, double *b)
{
    double t0 = now();
    __real_fc_chol_solve(n, L, b);
    tally(T_SOLVE, now() - t0, 2.0 * (double)n * (double)n);
}

void __wrap_fc_symv(size_t n, double alpha, const double *A, const double *x, double beta,
                    double *y)
{
    double t0 = now();
    __real_fc_symv(n, alpha, A, x, beta, y);
    tally(T_SYMV, now() - t0, 2.0 * (double)n * (double)n);
}

void __wrap_fc_syrk_t(size_t n, size_t k, double alpha, const double *A, size_t lda, double beta,
                      double *C, size_t ldc)
{
    double t0 = now();
    __real_fc_syrk_t(n, k, alpha, A, lda, beta, C, ldc);
    if (M.in_hess) tally(T_HESS_BLAS3, now() - t0, (double)k * (double)n * ((double)n + 1.0));
}

void __wrap_fc_gemm(int ta, int tb, size_t m, size_t n, size_t k, double alpha, const double *A,
                    size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc)
{
    double t0 = now();
    __real_fc_gemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
    /* The softmax Hessian's Gram products: Q^T A with Q (k × p(p+1)/2), A (k × C(C+1)/2),
     * k the rows of a block; own flops 2mnk; classic: the n·d(d+1) those k rows stand for. */
    if (M.in_hess && ta && !tb && m == M.p * (M.p + 1) / 2 && n == M.C * (M.C + 1) / 2) {
        double d = (double)(M.p * M.C);
        tally2(T_HESS_BLAS3, now() - t0, (double)k * d * (d + 1.0),
               2.0 * (double)m * (double)n * (double)k);
    }
}

/* The ordered sum of an update (every client's contribution, or the participants' results
 * when the algorithm has none): its time, one call and n flops per term added. The sums of
 * evaluations are part of the metrics (or of the line search) and not counted here. */
int __wrap_fc_tp_chain_sum(fc_tp_t *tp, double *acc, size_t n, fc_tp_add_fn add, void *ctx)
{
    long terms0 = M.cmd_terms;
    double t0 = now();
    int err = __real_fc_tp_chain_sum(tp, acc, n, add, ctx);
    if (M.cmd == FC_CMD_UPDATE || M.cmd == FC_CMD_UPDATE_ONE) {
        long terms = M.cmd_terms > terms0 ? M.cmd_terms - terms0 : M.cmd_locals;
        tally_n(T_SUM, now() - t0, (double)terms * (double)n, (double)terms * (double)n, terms);
    }
    return err;
}

/* ---- reference rates -------------------------------------------------------------------- */

static void fill(size_t n, double *x, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (double)(seed >> 8) / 16777216.0 - 0.5;
    }
}

/* GFLOP/s of C = A B for m×k times k×n, best of reps. */
static double rate_gemm(size_t m, size_t n, size_t k, int ta, int reps)
{
    double *A = NULL, *B = NULL, *C = NULL, best = INFINITY;
    if (fc_alloc(m * k, sizeof(double), &A) || fc_alloc(k * n, sizeof(double), &B) ||
        fc_alloc(m * n, sizeof(double), &C))
        goto cleanup;
    fill(m * k, A, 1);
    fill(k * n, B, 2);
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        __real_fc_gemm(ta, 0, m, n, k, 1.0, A, ta ? m : k, B, n, 0.0, C, n);
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
cleanup:
    fc_free(&A);
    fc_free(&B);
    fc_free(&C);
    return 2.0 * (double)m * (double)n * (double)k / best / 1e9;
}

/* GFLOP/s of C = A^T A (fc_syrk_t, which also mirrors the triangle) for A k×n. */
static double rate_syrk(size_t n, size_t k, int reps)
{
    double *A = NULL, *C = NULL, best = INFINITY;
    if (fc_alloc(k * n, sizeof(double), &A) || fc_alloc(n * n, sizeof(double), &C)) goto cleanup;
    fill(k * n, A, 3);
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        __real_fc_syrk_t(n, k, 1.0, A, n, 0.0, C, n);
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
cleanup:
    fc_free(&A);
    fc_free(&C);
    return (double)k * (double)n * ((double)n + 1.0) / best / 1e9;
}

/* GFLOP/s of a Cholesky factorisation of an SPD d×d matrix. */
static double rate_chol(size_t d, int reps)
{
    double *A = NULL, *B = NULL, best = INFINITY;
    if (fc_alloc(d * d, sizeof(double), &A) || fc_alloc(d * d, sizeof(double), &B)) goto cleanup;
    fill(d * d, B, 4);
    __real_fc_syrk_t(d, d, 1.0, B, d, 0.0, A, d);
    for (size_t i = 0; i < d; i++)
        A[i * d + i] += (double)d;
    for (int r = 0; r < reps; r++) {
        fc_copy(d * d, A, B);
        double t0 = now();
        int err = __real_fc_chol(d, B, "probe");
        double dt = now() - t0;
        if (!err && dt < best) best = dt;
    }
cleanup:
    fc_free(&A);
    fc_free(&B);
    return (double)d * (double)d * (double)d / 3.0 / best / 1e9;
}

/* Seconds of dpotrf + one dpotrs on an SPD d×d matrix, best of reps: through LAPACKE's
 * row-major wrappers (which transpose into a temporary copy; the library's former way), or
 * as fc_chol and fc_chol_solve now call it, the _work routines on the same array read as
 * column-major 'U' (no copy, no NaN scan; the factor lands in the same place). */
static void time_lapacke(size_t d, int reps, int col, double *t_potrf, double *t_potrs)
{
    double *A = NULL, *B = NULL, *x = NULL;
    lapack_int n = (lapack_int)d;
    *t_potrf = *t_potrs = INFINITY;
    if (fc_alloc(d * d, sizeof(double), &A) || fc_alloc(d * d, sizeof(double), &B) ||
        fc_alloc(d, sizeof(double), &x))
        goto cleanup;
    fill(d * d, B, 5);
    __real_fc_syrk_t(d, d, 1.0, B, d, 0.0, A, d);
    for (size_t i = 0; i < d; i++)
        A[i * d + i] += (double)d;
    for (int r = 0; r < reps; r++) {
        fc_copy(d * d, A, B);
        fill(d, x, 6);
        double t0 = now();
        lapack_int info = col ? LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', n, B, n)
                              : LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', n, B, n);
        double t1 = now();
        if (info == 0) {
            if (col)
                LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'U', n, 1, B, n, x, n);
            else
                LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', n, 1, B, n, x, 1);
        }
        double t2 = now();
        if (t1 - t0 < *t_potrf) *t_potrf = t1 - t0;
        if (t2 - t1 < *t_potrs) *t_potrs = t2 - t1;
    }
cleanup:
    fc_free(&A);
    fc_free(&B);
    fc_free(&x);
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* ---- the run: fedpc's own job in this process ------------------------------------------- */

typedef struct {
    fc_config_t cfg;     /* the job borrows it */
    fc_shards_t *shards; /* every client, loaded here and lent to the job (bench_load) */
    fc_data_t *test;
    fc_model_ops_t mops; /* the timed copies of the model's and the algorithm's rows */
    fc_algo_ops_t aops;
    fc_tp_t *tp; /* serial: one rank is the server and hosts every client */
    fc_job_t *job;
    fc_server_env_t env; /* the job's, with bench_exec in front of the host's execution */
    host_exec_t host;
    fc_server_t *srv;
    const fc_algo_ctx_t *ctx; /* the job's (main slot) */
    const fc_model_t *model;
    size_t K;
} bench_t;

static void bench_free(bench_t *b)
{
    fc_server_destroy(&b->srv);
    fc_job_destroy(&b->job);
    fc_tp_destroy(&b->tp);
    fc_data_destroy(&b->test);
    fc_shards_destroy(&b->shards);
}

/* The timed rows the job runs instead of the registry's (M keeps the real ones). */
static int bench_rows(bench_t *b, fc_job_opts_t *o)
{
    const fc_model_ops_t *mo = fc_model_find(b->cfg.model.type);
    const fc_algo_ops_t *ao = fc_algo_find(b->cfg.algorithm.name);
    if (!mo) return fc_err_set(FC_ECONFIG, "unknown model.type %s", b->cfg.model.type);
    if (!ao) return fc_err_set(FC_ECONFIG, "unknown algorithm.name %s", b->cfg.algorithm.name);
    M.real = mo;
    M.algo = ao;
    b->mops = *mo;
    b->mops.eval = bench_eval;
    if (mo->hvp) b->mops.hvp = bench_hvp;
    if (mo->correct) b->mops.correct = bench_correct;
    b->aops = *ao;
    b->aops.pack = bench_pack;
    b->aops.local = bench_local;
    b->aops.apply = bench_apply;
    if (ao->contribution) b->aops.contribution = bench_contribution;
    o->model_ops = &b->mops;
    o->algo_ops = &b->aops;
    return FC_OK;
}

/* Every client and the test set, read by the library's loader as fc_job reads them on one
 * rank, and lent to the job (fc_job_opts_t.blocks): the benchmark needs the blocks (the
 * clients' sizes, the largest client for --paired and --probe), which the job does not
 * expose. The class count follows the job's rule (data.classes, else the largest label). */
static int bench_load(bench_t *b, fc_job_opts_t *o)
{
    int err;
    const fc_config_t *c = &b->cfg;
    b->K = (size_t)c->partition.clients;
    FC_CALL(fc_shards_load(c, 0, b->K, &b->shards));
    long p_raw = (long)b->shards->p_raw, classes = b->shards->max_class;
    if (c->data.classes > 0) classes = c->data.classes;
    if (M.real->labels != FC_LABEL_CLASS) classes = 0;
    FC_CALL(fc_shards_finish(b->shards, (size_t)p_raw, (int)classes, c->model.bias));
    FC_CALL(fc_testset_load(c, (size_t)p_raw, (int)classes, &b->test));
    o->blocks = b->shards->block;
    o->test = b->test;
    o->classes = (int)classes;
cleanup:
    return err;
}

/* The job over the serial transport and its server, ready for round 1 (θ* first when the
 * config asks for the reference: set-up, not a round, so not timed). */
static int bench_start(bench_t *b)
{
    int err;
    fc_job_opts_t o = {.quiet = 1};
    FC_CALL(bench_rows(b, &o));
    FC_CALL(bench_load(b, &o));
    FC_CALL(fc_tp_create_serial(&b->tp));
    FC_CALL(fc_job_create(b->tp, &b->cfg, &o, &b->job));
    b->env = *fc_job_server_env(b->job, NULL);
    b->host = (host_exec_t){b->env.exec, b->env.exec_ctx};
    b->env.exec = bench_exec;
    b->env.exec_ctx = &b->host;
    FC_CALL(fc_server_create(&b->env, &b->srv));
    b->ctx = fc_job_ctx(b->job);
    b->model = b->ctx->model;
    M.p = b->model->p;
    M.C = (size_t)b->model->classes;
    if (b->cfg.run.reference) FC_CALL(fc_server_reference(b->srv));
cleanup:
    return err;
}

/* The server's metrics of round t (SPEC §7: per-client ℓ, correction, ∇ℓ in client order,
 * then the test set), timed as the metrics phase. */
static int bench_measure(bench_t *b, int t, fc_metrics_t *m)
{
    double t0 = now();
    M.phase = PH_METRICS;
    int err = fc_server_measure(b->srv, t, m);
    M.phase = PH_NONE;
    tally(T_METRICS, now() - t0, 0.0);
    return err;
}

/* Criterion (1), measured robustly on a shared machine: alternate `reps` times one Hessian
 * formation of the largest client at the current mean and a 1000³ dgemm, and compare the
 * best of each (interference only ever slows a run down). *hess_gfs, *gemm_gfs in GFLOP/s. */
static int paired_hessian(bench_t *b, int reps, double *hess_gfs, double *hess_own_gfs,
                          double *gemm_gfs)
{
    int err;
    size_t d = b->model->d, big = 0;
    double *H = NULL, *g = NULL, *W = NULL, loss, best = INFINITY;
    for (size_t k = 1; k < b->K; k++)
        if (b->shards->block[k]->n > b->shards->block[big]->n) big = k;
    const fc_data_t *blk = b->shards->block[big];
    FC_CALL(fc_alloc(d * d, sizeof(double), &H));
    FC_CALL(fc_alloc(d, sizeof(double), &g));
    FC_CALL(fc_alloc(b->model->ops->work_size(b->model, blk->n), sizeof(double), &W));
    *gemm_gfs = 0.0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        M.real->eval(b->model, blk->X, blk->y, blk->n, fc_server_mean(b->srv), &loss, g, H, NULL,
                     W);
        double dt = now() - t0;
        if (dt < best) best = dt;
        double gr = rate_gemm(1000, 1000, 1000, 0, 1);
        if (gr > *gemm_gfs) *gemm_gfs = gr;
    }
    double nd = (double)blk->n * (double)d;
    *hess_gfs = (4.0 * nd + hess_flops_classic(b->model, blk->n)) / best / 1e9;
    *hess_own_gfs = (4.0 * nd + hess_flops_own(b->model, blk->n)) / best / 1e9;
cleanup:
    fc_free(&H);
    fc_free(&g);
    fc_free(&W);
    return err;
}

/* --probe, softmax only: the library's Hessian (the Gram form, adopted from this file's
 * former prototype B) against the remaining prototype of fc_bench_proto.c on the largest client at
 * the current mean: best-of-3 CPU seconds, the rate on the classic n·d(d+1) flops of the product
 * and on the Gram form's own n·p(p+1)·C(C+1)/2, and the largest difference relative to max|H|. */
static int probe_softmax(bench_t *b, double gemm)
{
    int err;
    size_t d = b->model->d, big = 0, block = 256;
    double *H0 = NULL, *H1 = NULL, *g = NULL, *W = NULL, *WP = NULL, loss;
    for (size_t k = 1; k < b->K; k++)
        if (b->shards->block[k]->n > b->shards->block[big]->n) big = k;
    const fc_data_t *blk = b->shards->block[big];
    FC_CALL(fc_alloc(d * d, sizeof(double), &H0));
    FC_CALL(fc_alloc(d * d, sizeof(double), &H1));
    FC_CALL(fc_alloc(d, sizeof(double), &g));
    FC_CALL(fc_alloc(b->model->ops->work_size(b->model, blk->n), sizeof(double), &W));
    FC_CALL(fc_alloc(fc_proto_work_size(b->model, blk->n, block), sizeof(double), &WP));
    double fl = hess_flops_classic(b->model, blk->n), fo = hess_flops_own(b->model, blk->n);
    for (int v = 0; v < 2; v++) {
        double best = INFINITY;
        for (int r = 0; r < 3; r++) {
            double t0 = now();
            if (v == 0)
                M.real->eval(b->model, blk->X, blk->y, blk->n, fc_server_mean(b->srv), &loss, g, H0,
                             NULL, W);
            else
                fc_proto_hess_syrk(b->model, blk->X, blk->n, fc_server_mean(b->srv), H1, WP);
            double dt = now() - t0;
            if (dt < best) best = dt;
        }
        double diff = 0.0, mx = 0.0;
        for (size_t i = 0; v && i < d * d; i++) {
            diff = fmax(diff, fabs(H1[i] - H0[i]));
            mx = fmax(mx, fabs(H0[i]));
        }
        static const char *const what[2] = {"library (Gram form, incl. loss, grad)",
                                            "A: one d-wide syrk + C blocks"};
        printf("  softmax Hessian, %-40s %8.2f ms = %6.2f GFLOP/s classic (%.0f%% of dgemm)",
               what[v], 1e3 * best, fl / best / 1e9, 100.0 * fl / best / 1e9 / gemm);
        if (v != 1)
            printf(", %6.2f GFLOP/s on the Gram form's own flops (%.0f%%)", fo / best / 1e9,
                   100.0 * fo / best / 1e9 / gemm);
        if (v) printf(", max |ΔH| / max |H| = %.1e", diff / mx);
        printf("\n");
    }
cleanup:
    fc_free(&H0);
    fc_free(&H1);
    fc_free(&g);
    fc_free(&W);
    fc_free(&WP);
    return err;
}

typedef struct {
    const char *config;
    const char *sets[64];
    int nsets;
    int rounds;
    double comm;
    const char *tsv;
    const char *label;
    int probe;
    int paired;
} opts_t;

/* A checked whole-text integer / number option value (never atoi). */
static int int_arg(const char *text, int *out)
{
    long long v;
    char why[128];
    if (fc_parse_integer(text, 0, INT_MAX, &v, why, sizeof why)) return -1;
    *out = (int)v;
    return 0;
}

static int parse(int argc, char **argv, opts_t *o)
{
    char why[128];
    memset(o, 0, sizeof *o);
    o->rounds = 2;
    o->comm = -1.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--set") == 0 && i + 1 < argc && o->nsets < 64)
            o->sets[o->nsets++] = argv[++i];
        else if (strcmp(a, "--rounds") == 0 && i + 1 < argc) {
            if (int_arg(argv[++i], &o->rounds)) return -1;
        } else if (strcmp(a, "--comm") == 0 && i + 1 < argc) {
            if (fc_parse_double(argv[++i], &o->comm, why, sizeof why)) return -1;
        } else if (strcmp(a, "--tsv") == 0 && i + 1 < argc)
            o->tsv = argv[++i];
        else if (strcmp(a, "--label") == 0 && i + 1 < argc)
            o->label = argv[++i];
        else if (strcmp(a, "--probe") == 0)
            o->probe = 1;
        else if (strcmp(a, "--paired") == 0 && i + 1 < argc) {
            if (int_arg(argv[++i], &o->paired)) return -1;
        } else if (a[0] != '-' && !o->config)
            o->config = a;
        else
            return -1;
    }
    return o->config && o->rounds >= 1 ? 0 : -1;
}

static void row2(const char *name, long calls, double sec, double flops, double own, double R,
                 double round, double gemm)
{
    double gf = sec > 0 ? flops / sec / 1e9 : 0.0, go = sec > 0 ? own / sec / 1e9 : 0.0;
    printf("| %-44s | %7.1f | %9.4f | %5.1f%% | %9.3f | %7.2f | %5.1f%% | %9.3f | %7.2f | %5.1f%% "
           "|\n",
           name, (double)calls / R, sec / R, round > 0 ? 100.0 * sec / round : 0.0, flops / R / 1e9,
           gf, gemm > 0 && flops > 0 ? 100.0 * gf / gemm : 0.0, own / R / 1e9, go,
           gemm > 0 && own > 0 ? 100.0 * go / gemm : 0.0);
}

static void row(const char *name, long calls, double sec, double flops, double R, double round,
                double gemm)
{
    row2(name, calls, sec, flops, flops, R, round, gemm);
}

int main(int argc, char **argv)
{
    opts_t o;
    bench_t b;
    int err = FC_OK;
    memset(&b, 0, sizeof b);
    if (parse(argc, argv, &o)) {
        fprintf(stderr, "usage: fc_bench CONFIG.ini [--set section.key=value]... [--rounds R] "
                        "[--comm SECONDS] [--tsv FILE] [--label TEXT] [--probe] [--paired N]\n");
        return 2;
    }
    fc_la_set_threads(1);
    FC_CALL(fc_config_load(o.config, &b.cfg));
    for (int i = 0; i < o.nsets; i++)
        FC_CALL(fc_config_set(&b.cfg, o.sets[i]));
    FC_CALL(fc_config_validate(&b.cfg));
    b.cfg.run.threads = 1; /* the job sets BLAS's threads from it: the phases are one thread's */

    /* The machine's rate, in this run: 1000³ dgemm, one thread, best of 3. */
    double gemm = rate_gemm(1000, 1000, 1000, 0, 3);

    double t_load = wall();
    FC_CALL(bench_start(&b));
    t_load = wall() - t_load;
    const fc_algo_ctx_t *a = b.ctx;
    size_t d = a->d, n_all = 0, n_max = 0, p = b.model->p, C = (size_t)b.model->classes;
    for (size_t k = 0; k < b.K; k++) {
        n_all += b.shards->block[k]->n;
        if (b.shards->block[k]->n > n_max) n_max = b.shards->block[k]->n;
    }
    size_t sl = a->ops->state_len(a), dl = a->ops->delta_len(a);
    const char *fam = a->ops->uses_family ? a->family->name : "-";
    const char *label = o.label ? o.label : o.config;

    printf("## %s: %s/%s, d = %zu (p = %zu, C = %zu), K = %zu, n = %zu (largest client %zu; "
           "work buffers sized for %zu)\n",
           label, a->ops->name, fam, d, p, C, b.K, n_all, n_max, b.shards->max_n);
    printf("loaded in %.2f s; dgemm 1000^3, 1 thread, best of 3 (CPU time): %.2f GFLOP/s\n", t_load,
           gemm);

    memset(M.t, 0, sizeof M.t);
    M.newton_steps = 0;
    M.hess_examples = 0.0;
    double objective = NAN, t_rounds = wall();
    int done = 0;
    for (int r = 1; r <= o.rounds; r++) {
        double tr = wall(), cr = now();
        long steps0 = M.newton_steps;
        fc_metrics_t m;
        err = fc_server_round(b.srv, r);
        if (!err) err = bench_measure(&b, r, &m);
        if (!err) objective = m.objective;
        if (err == FC_ENOTSPD || err == FC_ENUMERIC) {
            printf("round %d diverged: %s (rounds timed: %d)\n", r, fc_err_msg(), done);
            err = FC_OK;
            break;
        }
        if (err) goto cleanup;
        done++;
        printf("round %d: %.3f s CPU, %.3f s wall, Newton steps %ld (%.2f per client), "
               "objective %.10e\n",
               r, now() - cr, wall() - tr, M.newton_steps - steps0,
               (double)(M.newton_steps - steps0) / (double)b.K, objective);
    }
    t_rounds = wall() - t_rounds;
    /* The rate again after the rounds; the better of the two is the machine's. */
    double gemm2 = rate_gemm(1000, 1000, 1000, 0, 3);
    if (gemm2 > gemm) gemm = gemm2;
    if (done == 0) {
        printf("no round completed\n");
        goto cleanup;
    }

    /* Exclusive phases of the round (per round, summed over clients). */
    double R = done;
    tally_t *t = M.t;
    double hess_s = t[T_HESS_SOLVER].sec + t[T_HESS_SITE].sec;
    double hess_f = t[T_HESS_SOLVER].flops + t[T_HESS_SITE].flops;
    double hess_o = t[T_HESS_SOLVER].own + t[T_HESS_SITE].own;
    long hess_c = t[T_HESS_SOLVER].calls + t[T_HESS_SITE].calls;
    double chol_s = t[T_CHOL_CAVITY].sec + t[T_CHOL_NEWTON].sec;
    double chol_f = t[T_CHOL_CAVITY].flops + t[T_CHOL_NEWTON].flops;
    long chol_c = t[T_CHOL_CAVITY].calls + t[T_CHOL_NEWTON].calls;
    /* Inside fc_solve_local, all but its Hessians and factorisations. */
    double newton_s = t[T_SOLVE_LOCAL].sec - t[T_HESS_SOLVER].sec - t[T_CHOL_NEWTON].sec;
    /* The local update outside the solver, but for the site's Hessian and the cavity check:
     * the cavity, the site's own evaluation when it has no ∇², h_new, damping. */
    double site_s =
        t[T_LOCAL].sec - t[T_SOLVE_LOCAL].sec - t[T_HESS_SITE].sec - t[T_CHOL_CAVITY].sec;
    /* Flops of the rest: what the wrappers counted, less the Hessians and factorisations. */
    double newton_f = t[T_EVAL_SOLVER].flops + t[T_HVP].flops;
    double site_f = t[T_EVAL_SITE].flops;
    double server_s = t[T_SERVER].sec, server_f = t[T_CHOL_SERVER].flops;
    double metrics_s = t[T_METRICS].sec, metrics_f = t[T_METRICS_EVAL].flops;
    double sum_s = t[T_SUM].sec, sum_f = t[T_SUM].flops;
    /* Solves and symv: split by phase is not tracked; attribute them to the local phase
     * except the server's own (one solve for full, none otherwise). */
    double solve_f = t[T_SOLVE].flops + t[T_SYMV].flops;
    double server_solve_f = a->family->factor_len(&a->fd) > 0 && a->ops->uses_family
                                ? 2.0 * (double)d * (double)d * R
                                : 0.0;
    newton_f += solve_f - server_solve_f; /* solves and symv: Newton steps and cavity */
    server_f += server_solve_f;
    double compute_s = hess_s + chol_s + newton_s + site_s + sum_s + server_s;
    double compute_f = hess_f + chol_f + newton_f + site_f + sum_f + server_f;
    double compute_o = compute_f - hess_f + hess_o; /* the same with the Hessian's own flops */
    double comm_s = o.comm > 0 ? o.comm * R : 0.0;
    double round_s = compute_s + comm_s;

    printf("\nper round, mean of %d (all K = %zu clients); %% of the round without metrics\n", done,
           b.K);
    printf("(classic: the Hessian counted as n·d(d+1); own: as the code computes it)\n");
    printf("| %-44s | %7s | %9s | %6s | %9s | %7s | %6s | %9s | %7s | %6s |\n", "phase", "calls",
           "seconds", "share", "GFLOP", "GFLOP/s", "dgemm", "own GFLOP", "GFLOP/s", "dgemm");
    printf("|%s|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
           "----------------------------------------------");
    row2("Hessian formation (eval with ∇²)", hess_c, hess_s, hess_f, hess_o, R, round_s, gemm);
    row2("  of which syrk/gemm products", t[T_HESS_BLAS3].calls, t[T_HESS_BLAS3].sec,
         t[T_HESS_BLAS3].flops, t[T_HESS_BLAS3].own, R, round_s, gemm);
    row("Factorizations (Cholesky, clients)", chol_c, chol_s, chol_f, R, round_s, gemm);
    row("  of which cavity checks", t[T_CHOL_CAVITY].calls, t[T_CHOL_CAVITY].sec,
        t[T_CHOL_CAVITY].flops, R, round_s, gemm);
    row("Local Newton, rest (f, ∇f, line search, solves)", t[T_EVAL_SOLVER].calls, newton_s,
        newton_f, R, round_s, gemm);
    row("  of which objective/gradient evaluations", t[T_EVAL_SOLVER].calls, t[T_EVAL_SOLVER].sec,
        t[T_EVAL_SOLVER].flops, R, round_s, gemm);
    row("Site computation, rest (cavity, site, damping)", t[T_LOCAL].calls, site_s, site_f, R,
        round_s, gemm);
    row("Ordered sum of the contributions", t[T_SUM].calls, sum_s, sum_f, R, round_s, gemm);
    row("Server update (pack + apply)", t[T_CHOL_SERVER].calls, server_s, server_f, R, round_s,
        gemm);
    if (o.comm > 0)
        row("Communication (fc_bench_comm, P = 2)", 1 * done, comm_s, 0.0, R, round_s, gemm);
    row2("**Round** (without metrics)", done, round_s, compute_f, compute_o, R, round_s, gemm);
    row("Metrics (per-client ℓ, ∇ℓ; test set)", t[T_METRICS_EVAL].calls, metrics_s, metrics_f, R,
        round_s, gemm);
    printf("Newton steps per round %.1f (%.2f per client); wall %.3f s per round incl. metrics "
           "and the timers\n",
           (double)M.newton_steps / R, (double)M.newton_steps / R / (double)b.K, t_rounds / R);

    /* Memory: this process holds every client (one rank for all). */
    double data_mb = (double)n_all * (double)(p + 1) * 8.0 / 1048576.0;
    double site_mb = (double)b.K * (double)fc_client_state_len(a) * 8.0 / 1048576.0;
    double dd_mb = (double)d * (double)d * 8.0 / 1048576.0;
    /* What the algorithm needs per client: the site (h, H) for fpc/pvi, (v_k, θ_k) for
     * admm/ama; and d×d work matrices: Newton matrix, new site, cavity and one more for full,
     * the Newton matrix for a dense solver otherwise, none for Newton-CG. */
    size_t need = a->ops->uses_family ? d + a->family->prec_len(&a->fd) : 2 * d;
    double need_mb = (double)b.K * (double)need * 8.0 / 1048576.0;
    int work_dd = a->family->factor_len(&a->fd) > 0 ? 4 : a->local.matrix_free ? 0 : 1;
    double test_mb = b.test ? (double)b.test->n * (double)(p + 1) * 8.0 / 1048576.0 : 0.0;
    printf("peak RSS %.1f MB; data %.1f MB, client states %.1f MB (needed %.1f), one d×d %.2f "
           "MB, test set %.1f MB\n",
           peak_rss_mb(), data_mb, site_mb, need_mb, dd_mb, test_mb);
    printf("payload per round as counted (K × (state + change)): %.3f MB; state %zu, change %zu "
           "doubles\n",
           (double)b.K * (double)(sl + dl) * 8.0 / 1048576.0, sl, dl);

    printf("raw counters (all rounds):");
    for (int i = 0; i < NT; i++)
        if (t[i].calls)
            printf("%s %s %ld calls %.4f s %.3g flop", i ? ";" : "", tname[i], t[i].calls, t[i].sec,
                   t[i].flops);
    printf("\n");

    double paired_h = 0.0, paired_ho = 0.0, paired_g = 0.0;
    if (o.paired > 0) {
        FC_CALL(paired_hessian(&b, o.paired, &paired_h, &paired_ho, &paired_g));
        printf("paired, best of %d: Hessian formation (largest client, whole eval) %.2f GFLOP/s "
               "classic, %.2f GFLOP/s own; dgemm 1000^3 %.2f GFLOP/s: %.1f%% classic, %.1f%% own\n",
               o.paired, paired_h, paired_ho, paired_g, 100.0 * paired_h / paired_g,
               100.0 * paired_ho / paired_g);
    }

    if (o.probe) {
        size_t nk = n_max;
        printf("\nrates of the shapes involved (1 thread, best of 3):\n");
        if (C > 1) {
            size_t np = p * (p + 1) / 2, nc = C * (C + 1) / 2;
            printf("  gemm   %zux%zu inner 256 (a Gram block Q^T A):    %.2f GFLOP/s\n", np, nc,
                   rate_gemm(np, nc, 256, 1, 3));
            printf("  gemm   %zux%zu inner %zu (a former class-pair block): %.2f GFLOP/s\n", p, p,
                   nk, rate_gemm(p, p, nk, 1, 3));
        } else {
            printf("  syrk   k=%zu n=%zu (X^T W X):                    %.2f GFLOP/s\n", nk, p,
                   rate_syrk(p, nk, 3));
        }
        printf("  syrk   k=%zu n=%zu (the whole d×d in one call):  %.2f GFLOP/s\n", nk, d,
               rate_syrk(d, nk, 3));
        printf("  dpotrf d=%zu (fc_chol):                        %.2f GFLOP/s\n", d,
               rate_chol(d, 3));
        double rf, rs, cf, cs, dd3 = (double)d * (double)d * (double)d / 3.0;
        time_lapacke(d, 3, 0, &rf, &rs);
        time_lapacke(d, 3, 1, &cf, &cs);
        printf("  dpotrf row-major 'L' (LAPACKE transposes; before): %.2f ms = %.2f GFLOP/s; "
               "column-major 'U' _work (fc_chol now): %.2f ms = %.2f GFLOP/s\n",
               1e3 * rf, dd3 / rf / 1e9, 1e3 * cf, dd3 / cf / 1e9);
        printf("  dpotrs (1 rhs) row-major: %.3f ms; column-major 'U' _work: %.3f ms (2d² = %.2f "
               "MFLOP)\n",
               1e3 * rs, 1e3 * cs, 2.0 * (double)d * (double)d / 1e6);
        if (b.model->classes > 1) FC_CALL(probe_softmax(&b, gemm));
    }

    if (o.tsv) {
        FILE *f = fopen(o.tsv, "a+");
        if (!f) FC_FAIL(FC_EIO, "%s: cannot append", o.tsv);
        fseek(f, 0, SEEK_END);
        if (ftell(f) == 0)
            fprintf(f, "case\talg\tfamily\td\tK\tn\tsteps\thess_n\thess_s\thess_gfs\tchol_n\t"
                       "chol_s\tnewton_s\tsite_s\tsum_s\tserver_s\tmetrics_s\tcompute_s\t"
                       "round_gflop\tround_gfs\tgemm_gfs\tpaired_hess_gfs\tpaired_gemm_gfs\t"
                       "rss_mb\tstate\tdelta\tcavity_chol_s\tp\tC\tdata_mb\tsites_mb\tdd_mb\t"
                       "work_dd\ttest_mb\thess_own_gfs\tround_own_gfs\tpaired_hess_own_gfs\t"
                       "hess_n_ex\n");
        fprintf(
            f,
            "%s\t%s\t%s\t%zu\t%zu\t%zu\t%.2f\t%.2f\t%.5f\t%.2f\t%.2f\t%.5f\t%.5f\t%.5f\t"
            "%.5f\t%.5f\t%.5f\t%.5f\t%.4f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%zu\t%zu\t%.5f\t%zu\t%zu\t"
            "%.2f\t%.2f\t%.3f\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\n",
            label, a->ops->name, fam, d, b.K, n_all, (double)M.newton_steps / R, (double)hess_c / R,
            hess_s / R, hess_s > 0 ? hess_f / hess_s / 1e9 : 0.0, (double)chol_c / R, chol_s / R,
            newton_s / R, site_s / R, sum_s / R, server_s / R, metrics_s / R, compute_s / R,
            compute_f / R / 1e9, compute_f / compute_s / 1e9, gemm, paired_h, paired_g,
            peak_rss_mb(), sl, dl, t[T_CHOL_CAVITY].sec / R, p, C, data_mb, need_mb, dd_mb, work_dd,
            test_mb, hess_s > 0 ? hess_o / hess_s / 1e9 : 0.0, compute_o / compute_s / 1e9,
            paired_ho, (double)M.hess_examples / R);
        fclose(f);
    }
cleanup:
    if (err) fprintf(stderr, "fc_bench: %s\n", fc_err_msg());
    bench_free(&b);
    return err ? 1 : 0;
}
