/* fc_bench_mlp.c — where the time of an mlp round goes (SPEC §8, issue 12 acceptance 7), next
 * to the dgemm rate measured in the same run (CPU seconds, one BLAS thread per rank):
 *
 *   mpirun -n 2 fc_bench_mlp [CONFIG.ini] [--rounds R] [--set section.key=value]...
 *
 * Part 1 (rank 0, before the run): the model's passes on one client-sized block of
 * pixel-like examples (the config's input width and classes, n = 2000): forward (the loss
 * alone), backward (loss + gradient minus forward), the exact GGN diagonal (minus forward)
 * and a GGN-vector product, each with its flops and GFLOP/s, against dgemm at the first
 * layer's shape (1024 × w₀ × w₁, the chunk the passes use) and at 1000³.
 * Part 2: fedpc's own job on the MPI transport (rank 0 the server, the others the clients,
 * as `fedpc run`), R rounds of the config, with timed copies of the model's row (each call
 * classed by what it computes) and of the algorithm's row (local update, server apply). Per
 * round: the model calls inside local updates (forward-only line-search trials,
 * loss + gradient, curvature, GGN products) with GFLOP/s, the local solver's own work (the
 * local update minus those calls), the server's apply, the metrics' evaluations, and the
 * rest of the round's wall time — communication and waiting.
 *
 * Flops (n rows; W = Σ_l w_{l−1}w_l the weights, U = Σ_{l≥2} w_{l−1}w_l those a delta goes
 * back through): forward 2nW; backward 2nW + 2nU; exact GGN diagonal 2nCU + 2nW (the
 * Monte Carlo Fisher 2nU + 2nW); GGN-vector product forward + tangent (2nW + 2nU) +
 * backward; full GGN n·C·d(d+1). Vector loops (activations, softmax, squares) are not
 * counted. The layer widths are read from the model's param slots (fc_model_mlp.c's
 * layout: layers, w₁, w₂). */
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fc_algo.h"
#include "fc_config.h"
#include "fc_job.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_model.h"
#include "fc_rng.h"
#include "fc_transport.h"

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double wall_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *must_alloc(size_t n)
{
    double *p = NULL;
    if (fc_calloc(n ? n : 1, sizeof(double), &p)) {
        fprintf(stderr, "fc_bench_mlp: out of memory (%zu doubles)\n", n);
        exit(1);
    }
    return p;
}

/* ------------------------------------------------------------------ flop model --------- */

typedef struct {
    double W, U, C, d;
} shape_t;

static shape_t shape_of(const fc_model_t *m)
{
    size_t L = (size_t)m->param[0], w[4] = {m->p - (m->bias_column ? 1 : 0), 0, 0, 0};
    shape_t s = {0, 0, (double)m->classes, (double)m->d};
    w[1] = (size_t)m->param[1];
    if (L == 2) w[2] = (size_t)m->param[2];
    w[L + 1] = (size_t)m->classes;
    for (size_t l = 1; l <= L + 1; l++) {
        s.W += (double)(w[l - 1] * w[l]);
        if (l >= 2) s.U += (double)(w[l - 1] * w[l]);
    }
    return s;
}

static double f_forward(const shape_t *s, double n)
{
    return 2 * n * s->W;
}
static double f_backward(const shape_t *s, double n)
{
    return 2 * n * s->W + 2 * n * s->U;
}
static double f_diag(const shape_t *s, double n, int fisher)
{
    return 2 * n * (fisher ? 1.0 : s->C) * s->U + 2 * n * s->W;
}
static double f_hvp(const shape_t *s, double n)
{
    return f_forward(s, n) + 2 * n * (s->W + s->U) + f_backward(s, n);
}

/* ------------------------------------------------------------------ the meters -------- */

/* Model calls by what they compute; [0] inside local updates, [1] outside (metrics). */
enum { K_LOSS, K_GRAD, K_CURV, K_HVP, K_CORRECT, NKIND };
static const char *const KIND_NAME[NKIND] = {
    "forward only (line-search trials)", "loss + gradient (forward + backward)",
    "curvature (+ GGN diagonal or full GGN)", "GGN-vector products (Newton-CG)", "predictions"};
typedef struct {
    double secs[2][NKIND], flops[2][NKIND], calls[2][NKIND];
    double local_secs, apply_secs, local_calls;
    /* Wall seconds of the same work (a loaded machine stretches it; the rest of a round's
     * wall time is then communication and waiting). */
    double local_wall, apply_wall, outside_wall;
} meter_t;
static meter_t M;
static int in_local;
static fc_model_ops_t timed_model;
static fc_algo_ops_t timed_algo;
static const fc_model_ops_t *base_model;
static const fc_algo_ops_t *base_algo;
static int fisher;

static void count(int kind, double t0, double w0, double flops)
{
    if (!in_local) M.outside_wall += wall_now() - w0;
    M.secs[!in_local][kind] += cpu_now() - t0;
    M.flops[!in_local][kind] += flops;
    M.calls[!in_local][kind] += 1;
}

static void timed_eval(const fc_model_t *m, const double *X, const double *y, size_t n,
                       const double *theta, double *loss, double *grad, double *hess, double *hdiag,
                       double *work)
{
    shape_t s = shape_of(m);
    double w0 = wall_now(), t0 = cpu_now(), nd = (double)n, f = f_forward(&s, nd);
    base_model->eval(m, X, y, n, theta, loss, grad, hess, hdiag, work);
    if (grad) f += f_backward(&s, nd);
    if (hdiag) f += f_diag(&s, nd, fisher);
    if (hess) f += nd * s.C * s.d * (s.d + 1) + f_backward(&s, nd);
    count(hess || hdiag ? K_CURV : grad ? K_GRAD : K_LOSS, t0, w0, f);
}

static void timed_hvp(const fc_model_t *m, const double *X, const double *y, size_t n,
                      const double *theta, const double *v, double *out, double *work)
{
    shape_t s = shape_of(m);
    double w0 = wall_now(), t0 = cpu_now();
    base_model->hvp(m, X, y, n, theta, v, out, work);
    count(K_HVP, t0, w0, f_hvp(&s, (double)n));
}

static size_t timed_correct(const fc_model_t *m, const double *X, const double *y, size_t n,
                            const double *theta, double *work)
{
    shape_t s = shape_of(m);
    double w0 = wall_now(), t0 = cpu_now();
    size_t r = base_model->correct(m, X, y, n, theta, work);
    count(K_CORRECT, t0, w0, f_forward(&s, (double)n));
    return r;
}

static int timed_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                       fc_work_t *w)
{
    double w0 = wall_now(), t0 = cpu_now();
    in_local = 1;
    int err = base_algo->local(a, c, state, delta, w);
    in_local = 0;
    M.local_secs += cpu_now() - t0;
    M.local_wall += wall_now() - w0;
    M.local_calls += 1;
    return err;
}

static int timed_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *totals,
                       const fc_oracle_t *oracle)
{
    double w0 = wall_now(), t0 = cpu_now();
    int err = base_algo->apply(a, g, totals, oracle);
    M.apply_secs += cpu_now() - t0;
    M.apply_wall += wall_now() - w0;
    return err;
}

/* ------------------------------------------------------------------ part 1 ------------ */

/* dgemm rate (GFLOP/s) for C (m×n) = A (m×k) B (k×n). */
static double gemm_rate(size_t m, size_t n, size_t k)
{
    double *A = must_alloc(m * k), *B = must_alloc(k * n), *C = must_alloc(m * n);
    for (size_t i = 0; i < m * k; i++)
        A[i] = (double)(i % 7) * 0.1;
    for (size_t i = 0; i < k * n; i++)
        B[i] = (double)(i % 5) * 0.1;
    fc_gemm(0, 0, m, n, k, 1.0, A, k, B, n, 0.0, C, n);
    int reps = 0;
    double t0 = cpu_now(), el;
    do {
        fc_gemm(0, 0, m, n, k, 1.0, A, k, B, n, 0.0, C, n);
        reps++;
    } while ((el = cpu_now() - t0) < 0.5);
    free(A), free(B), free(C);
    return 2.0 * (double)m * (double)n * (double)k * reps / el / 1e9;
}

/* Seconds per call of fn over at least 0.5 s. */
#define TIME_IT(secs, stmt)                                                                        \
    do {                                                                                           \
        int reps_ = 0;                                                                             \
        double t0_ = cpu_now();                                                                    \
        do {                                                                                       \
            stmt;                                                                                  \
            reps_++;                                                                               \
        } while ((secs = cpu_now() - t0_) < 0.5);                                                  \
        secs /= reps_;                                                                             \
    } while (0)

static void part1(const fc_model_t *m, double rate_layer, double rate_big)
{
    const size_t n = 2000, p = m->p, d = m->d;
    fc_rng_t r;
    double *X = must_alloc(n * p), *y = must_alloc(n), *theta = must_alloc(d);
    double *g = must_alloc(d), *hd = must_alloc(d), *v = must_alloc(d), *out = must_alloc(d);
    double *work = must_alloc(base_model->work_size(m, n)), loss;
    fc_rng_seed(&r, 1, 2, 3);
    /* Pixel-like: half the pixels dark (0), the rest in (0, 1]; two labels, as a client of
     * the label-pair split. */
    for (size_t t = 0; t < n * p; t++)
        X[t] = fc_rng_uniform(&r) < 0.5 ? 0.0 : fc_rng_uniform(&r);
    for (size_t i = 0; i < n; i++)
        y[i] = (double)fc_rng_below(&r, 2);
    base_model->init_mean(m, 7, theta);
    for (size_t j = 0; j < d; j++)
        v[j] = fc_rng_normal(&r);
    shape_t s = shape_of(m);
    double tf, tg, tdg, th;
    TIME_IT(tf, base_model->eval(m, X, y, n, theta, &loss, NULL, NULL, NULL, work));
    TIME_IT(tg, base_model->eval(m, X, y, n, theta, &loss, g, NULL, NULL, work));
    TIME_IT(tdg, base_model->eval(m, X, y, n, theta, &loss, NULL, NULL, hd, work));
    TIME_IT(th, base_model->hvp(m, X, y, n, theta, v, out, work));
    double nd = (double)n;
    struct {
        const char *name;
        double secs, flops;
    } rows[] = {
        {"forward", tf, f_forward(&s, nd)},
        {"backward", tg - tf, f_backward(&s, nd)},
        {fisher ? "GGN diagonal (Monte Carlo Fisher)" : "GGN diagonal (exact)", tdg - tf,
         f_diag(&s, nd, fisher)},
        {"GGN-vector product (whole)", th, f_hvp(&s, nd)},
    };
    printf("part 1: one block of n = %zu examples, d = %zu (w0 = %.0f inputs, %d classes)\n", n, d,
           (double)(m->p - (m->bias_column ? 1 : 0)), m->classes);
    printf("  dgemm: %.1f GFLOP/s at the first layer's shape, %.1f GFLOP/s at 1000^3\n", rate_layer,
           rate_big);
    printf("  %-36s %10s %10s %9s %8s\n", "pass", "ms", "GFLOP", "GFLOP/s", "% dgemm");
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        double gf = rows[i].flops / rows[i].secs / 1e9;
        printf("  %-36s %10.2f %10.3f %9.1f %7.0f%%\n", rows[i].name, 1e3 * rows[i].secs,
               rows[i].flops / 1e9, gf, 100.0 * gf / rate_big);
    }
    free(X), free(y), free(theta), free(g), free(hd), free(v), free(out), free(work);
}

/* ------------------------------------------------------------------ part 2 ------------ */

/* Wall seconds of rounds 1..R from the run's metrics.csv (its cumulative seconds column). */
static double rounds_wall(const char *dir, int *R)
{
    char path[4200], line[4096];
    double first = -1, last = 0;
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = fopen(path, "r");
    *R = -1;
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) {
        int t;
        double sec;
        if (sscanf(line, "%d,%lf", &t, &sec) != 2) continue;
        if (t == 0) first = sec;
        last = sec;
        *R = t;
    }
    fclose(f);
    return first < 0 ? 0 : last - first;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm world = MPI_COMM_WORLD;
    fc_tp_t *tp = NULL;
    fc_config_t cfg;
    const char *path = "configs/fmnist_mlp.ini";
    int rounds = 3, rank, size, err;
    MPI_Comm_rank(world, &rank);
    MPI_Comm_size(world, &size);
    fc_la_set_threads(1);
    if (argc > 1 && argv[1][0] != '-') path = argv[1];
    err = fc_config_load(path, &cfg);
    for (int i = 1; !err && i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            long long v = 0;
            char why[128];
            err = fc_parse_integer(argv[++i], 1, INT_MAX, &v, why, sizeof why);
            if (err) err = fc_err_set(FC_EINVAL, "--rounds: %s", why);
            rounds = (int)v;
        } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
            err = fc_config_set(&cfg, argv[++i]);
    }
    char setr[64], outdir[] = "/tmp/fc_bench_mlp-XXXXXX";
    snprintf(setr, sizeof setr, "run.rounds=%d", rounds);
    if (!err) err = fc_config_set(&cfg, setr);
    if (!err) err = fc_config_set(&cfg, "run.tol=0");
    if (!err) err = fc_config_validate_role(&cfg, rank == 0);
    if (err) {
        if (rank == 0) fprintf(stderr, "fc_bench_mlp: %s\n", fc_err_msg());
        MPI_Finalize();
        return 2;
    }
    base_model = fc_model_find(cfg.model.type);
    base_algo = fc_algo_find(cfg.algorithm.name);
    timed_model = *base_model;
    timed_model.eval = timed_eval;
    timed_model.hvp = timed_hvp;
    timed_model.correct = timed_correct;
    timed_algo = *base_algo;
    timed_algo.local = timed_local;
    timed_algo.apply = timed_apply;
    fisher = strcmp(fc_config_model_value(&cfg, "curvature"), "fisher_mc") == 0;

    double rate_layer = 0, rate_big = 0;
    if (fc_tp_create_mpi(&world, &tp)) {
        fprintf(stderr, "fc_bench_mlp: %s\n", fc_err_msg());
        MPI_Abort(world, 1);
    }
    fc_job_t *job = NULL;
    fc_job_opts_t o = {.model_ops = &timed_model, .algo_ops = &timed_algo, .quiet = 1};
    if (fc_job_create(tp, &cfg, &o, &job)) MPI_Abort(world, 2);
    const fc_model_t *m = fc_job_ctx(job)->model;
    if (rank == 0) {
        rate_layer =
            gemm_rate(1024, (size_t)m->param[1], (size_t)(m->p - (m->bias_column ? 1 : 0)));
        rate_big = gemm_rate(1000, 1000, 1000);
        part1(m, rate_layer, rate_big);
        if (!mkdtemp(outdir)) MPI_Abort(world, 1);
    }
    MPI_Bcast(outdir, sizeof outdir, MPI_CHAR, 0, world);
    memset(&M, 0, sizeof M);
    MPI_Barrier(world);
    fc_run_result_t res;
    double w_run = wall_now();
    int status = fc_job_run(job, outdir, &res);
    w_run = wall_now() - w_run; /* rank 0: the whole run, round 0's metrics included */
    /* Each rank's meters (CPU seconds), summed; and the busiest rank's total. */
    meter_t tot;
    /* The server and the client ranks take turns; the client ranks work side by side: the
     * round's work is the server's plus the busiest client rank's, in wall seconds. */
    double busy = rank == 0 ? 0 : M.local_wall + M.outside_wall, busy_max = 0;
    MPI_Reduce(&M, &tot, sizeof M / sizeof(double), MPI_DOUBLE, MPI_SUM, 0, world);
    MPI_Reduce(&busy, &busy_max, 1, MPI_DOUBLE, MPI_MAX, 0, world);
    if (rank == 0) {
        int R;
        double wall = rounds_wall(outdir, &R);
        if (status != 0 || R < 1) {
            fprintf(stderr, "fc_bench_mlp: the run ended with status %d\n", status);
        } else {
            double in_model = 0, per = 1.0 / R;
            printf("part 2: %s, %s-%s, K = %zu clients, %d ranks, %d rounds: %.3f s wall per "
                   "round\n",
                   path, cfg.algorithm.name, cfg.algorithm.family, fc_job_ctx(job)->K, size, R,
                   wall * per);
            printf("  %-42s %8s %9s %9s %8s\n", "phase (per round)", "calls", "CPU s", "GFLOP/s",
                   "% dgemm");
            for (int k = 0; k < NKIND; k++) {
                if (tot.calls[0][k] == 0) continue;
                double gf = tot.flops[0][k] / tot.secs[0][k] / 1e9;
                printf("  %-42s %8.1f %9.3f %9.1f %7.0f%%\n", KIND_NAME[k], tot.calls[0][k] * per,
                       tot.secs[0][k] * per, gf, 100.0 * gf / rate_big);
                in_model += tot.secs[0][k];
            }
            printf("  %-42s %8.1f %9.3f\n", "local solver's own work (local - model)",
                   tot.local_calls * per, (tot.local_secs - in_model) * per);
            printf("  %-42s %8s %9.3f\n", "server apply", "", tot.apply_secs * per);
            double met = 0;
            for (int k = 0; k < NKIND; k++)
                met += tot.secs[1][k];
            printf("  %-42s %8s %9.3f\n", "metrics (objective, gradient, test set)", "", met * per);
            double server = M.apply_wall + M.outside_wall; /* rank 0's: apply, test set */
            printf("  %-42s %8s %9.3f  (wall s)\n", "communication and waiting (wall - work)", "",
                   (w_run - busy_max - server) * per);
            printf("  %-42s %8s %9.3f  (wall s)\n", "the same work in wall seconds", "",
                   (busy_max + server) * per);
            printf("  (wall s per round: %.3f from metrics.csv, %.3f with round 0's metrics and "
                   "the files)\n",
                   wall * per, w_run * per);
            printf("  local update (solver + site) %.3f CPU s per round; dgemm 1000^3 %.1f "
                   "GFLOP/s\n",
                   tot.local_secs * per, rate_big);
        }
        char cmd[200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", outdir);
        if (system(cmd) != 0) fprintf(stderr, "fc_bench_mlp: could not remove %s\n", outdir);
    }
    fc_job_destroy(&job);
    fc_tp_destroy(&tp);
    MPI_Finalize();
    return status;
}
