/* fc_bench_async.c — the asynchronous schedule's server throughput (SPEC §11): updates the
 * server applies per second in real timing with P − 1 client ranks (one client each), for
 * the iso, diag and full families, next to the transport's own point-to-point round trip of
 * one update's payload (the state down and the change up) measured in the same run, and
 * the dgemm rate of rank 0.
 *
 *   mpirun -n P fc_bench_async [--d D] [--rounds R] [--out DIR]
 *
 * Each family runs `fedpc`'s real job: asynchronous PVI (one local Newton step), logistic
 * synthetic data of 20 examples per client and d parameters (default 100), R rounds (default
 * 200, a round = P − 1 applied updates), no reference solve, three times; the median run is
 * printed. Updates per second are counted from the run's own arrivals.csv: the arrivals
 * after the first round, over the seconds between the first and the last of them (the
 * first round holds the ranks' start-up). */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_algo.h"
#include "fc_bench_util.h"
#include "fc_config.h"
#include "fc_family.h"
#include "fc_job.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_transport.h"

typedef struct {
    long d, rounds;
    char out[1024];
} opts_t;

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Median seconds of a round trip rank 0 -> 1 (down doubles) -> 0 (up doubles) with the
 * transport's point-to-point calls, as an update's messages travel. */
static int pingpong(fc_tp_t *tp, size_t down, size_t up, double *median)
{
    int err = FC_OK, reps = 200, r = fc_tp_rank(tp);
    double *buf = NULL, t[200];
    size_t n = down > up ? down : up;
    FC_CALL(fc_calloc(n, sizeof(double), &buf));
    for (int i = -5; i < reps && !err; i++) {
        double t0 = fc_tp_wtime(tp);
        if (r == 0) {
            err = fc_tp_send(tp, 1, 3, buf, down * sizeof(double));
            if (!err) err = fc_tp_recv(tp, 1, 3, buf, n * sizeof(double), NULL, NULL);
        } else if (r == 1) {
            err = fc_tp_recv(tp, 0, 3, buf, n * sizeof(double), NULL, NULL);
            if (!err) err = fc_tp_send(tp, 0, 3, buf, up * sizeof(double));
        }
        if (i >= 0) t[i] = fc_tp_wtime(tp) - t0;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    *median = t[reps / 2];
cleanup:
    fc_free(&buf);
    return fc_tp_agree(tp, err);
}

/* Updates per second from arrivals.csv: those after the first round of k. */
static int throughput(const char *dir, long k, double *rate, long *counted)
{
    char path[1200], line[256];
    snprintf(path, sizeof path, "%s/arrivals.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) return fc_err_set(FC_EIO, "%s: cannot open", path);
    long n = 0, ln = 0;
    double first = 0.0, last = 0.0;
    while (fgets(line, sizeof line, f)) {
        if (++ln <= 2) continue;
        const char *c = strrchr(line, ',');
        long update = atol(line);
        if (!c || update <= k) continue;
        double s = atof(c + 1);
        if (n++ == 0) first = s;
        last = s;
    }
    fclose(f);
    *counted = n - 1;
    *rate = n > 1 && last > first ? (double)(n - 1) / (last - first) : NAN;
    return FC_OK;
}

static int parse_args(int argc, char **argv, opts_t *o)
{
    char why[128];
    long long v;
    o->d = 100;
    o->rounds = 200;
    snprintf(o->out, sizeof o->out, "results/bench_async");
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc) return fc_err_set(FC_EINVAL, "%s: needs a value", argv[i]);
        if (strcmp(argv[i], "--d") == 0 || strcmp(argv[i], "--rounds") == 0) {
            if (fc_parse_integer(argv[i + 1], 2, 4000, &v, why, sizeof why))
                return fc_err_set(FC_EINVAL, "%s: %s", argv[i], why);
            *(argv[i][2] == 'd' ? &o->d : &o->rounds) = (long)v;
        } else if (strcmp(argv[i], "--out") == 0) {
            snprintf(o->out, sizeof o->out, "%s", argv[i + 1]);
        } else {
            return fc_err_set(FC_EINVAL, "unknown option '%s' (--d D, --rounds R, --out DIR)",
                              argv[i]);
        }
    }
    return FC_OK;
}

static int one_family(fc_tp_t *tp, const opts_t *o, const char *family, double gemm)
{
    int P = fc_tp_size(tp), err = FC_OK;
    char set[256], dir[1100];
    fc_config_t c;
    fc_config_defaults(&c);
    const char *sets[] = {"algorithm.name=pvi",
                          "algorithm.schedule=asynchronous",
                          "algorithm.damping=0.5",
                          "data.n_per_client=20",
                          "run.tol=0",
                          "run.reference=false",
                          "output.checkpoint_every=0"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        FC_CALL(fc_config_set(&c, sets[i]));
    snprintf(set, sizeof set, "algorithm.family=%s", family);
    FC_CALL(fc_config_set(&c, set));
    snprintf(set, sizeof set, "data.features=%ld", o->d - 1);
    FC_CALL(fc_config_set(&c, set));
    snprintf(set, sizeof set, "partition.clients=%d", P - 1);
    FC_CALL(fc_config_set(&c, set));
    snprintf(set, sizeof set, "run.rounds=%ld", o->rounds);
    FC_CALL(fc_config_set(&c, set));
    double rates[3];
    long counted = 0;
    for (int rep = 0; rep < 3; rep++) {
        snprintf(dir, sizeof dir, "%s/%s-P%d-%d", o->out, family, P, rep);
        fc_run_result_t res;
        int status = fc_job_run_config(tp, &c, dir, 1, 1, &res);
        if (status != FC_EXIT_DONE)
            return fc_err_set(FC_EINVAL, "the %s run exited %d", family, status);
        if (fc_tp_rank(tp) == 0) FC_CALL(throughput(dir, P - 1, &rates[rep], &counted));
    }
    qsort(rates, 3, sizeof rates[0], cmp_double);
    /* The payload of one update: the state down, the change up (the transport's arrays). */
    fc_family_dims_t fd = {(size_t)o->d, 0, 0, (size_t)(P - 1), 0};
    size_t np = fc_family_find(family)->prec_len(&fd);
    size_t down = 5 + (size_t)o->d + np, up = 6 + (size_t)o->d + np;
    double rtt = 0.0, rate = rates[1];
    FC_CALL(pingpong(tp, down, up, &rtt));
    if (fc_tp_rank(tp) == 0) {
        printf("%-6s %5ld %6d %8ld %12.0f %10.1f %12.1f %10.1f %8.1f %7.2f\n", family, o->d, P - 1,
               counted, rate, 1e6 / rate, 8.0 * (double)(down + up), rtt * 1e6, 1.0 / (rate * rtt),
               gemm);
        fflush(stdout);
    }
cleanup:
    return err;
}

int main(int argc, char **argv)
{
    opts_t o;
    int err = FC_OK;
    double gemm = 0.0;
    fc_tp_t *tp = NULL;
    MPI_Init(&argc, &argv);
    MPI_Comm world = MPI_COMM_WORLD;
    FC_CALL(fc_tp_create_mpi(&world, &tp));
    FC_CALL(parse_args(argc, argv, &o));
    if (fc_tp_size(tp) < 2) FC_FAIL(FC_EINVAL, "needs at least 2 ranks (mpirun -n P)");
    fc_la_set_threads(1);
    if (fc_tp_rank(tp) == 0) {
        FC_CALL(fc_bench_gemm_rate(500, &gemm));
        printf("asynchronous server throughput (pvi, one client per rank), dgemm 500^3 on "
               "rank 0: %.2f GFLOP/s\n",
               gemm);
        printf("%-6s %5s %6s %8s %12s %10s %12s %10s %8s %7s\n", "family", "d", "ranks", "updates",
               "updates/s", "us/update", "bytes/update", "p2p rtt us", "x rtt", "GFLOP/s");
    }
    const char *fam[] = {"iso", "diag", "full"};
    for (int i = 0; i < 3 && !err; i++)
        err = one_family(tp, &o, fam[i], gemm);
cleanup:
    if (err && (!tp || fc_tp_rank(tp) == 0 || err != FC_EINVAL))
        fprintf(stderr, "fc_bench_async: rank %d: %s\n", tp ? fc_tp_rank(tp) : -1, fc_err_msg());
    fc_tp_destroy(&tp);
    MPI_Finalize();
    return err ? 2 : 0;
}
