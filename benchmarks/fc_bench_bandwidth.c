/* fc_bench_bandwidth.c — the transport's bandwidth between two ranks: a ping-pong of the
 * runtime's own fc_tp_bcast (rank 0 → 1, then 1 → 0) at the payload of one client's
 * exchange per family (SPEC §7's counts, each way: iso d, diag 2d, full d² + d doubles),
 * with the dgemm rate measured in the same run beside it, so a round's communication can be
 * set against its arithmetic on the same machine.
 *
 *   mpirun -n 2 fc_bench_bandwidth [--d D,D,...] [--reps R]
 *
 * Defaults: d = 10,100,1000,2000; R round trips per size (the median is printed), chosen per
 * size so that each moves about 256 MB, between 5 and 2000, unless --reps is given. Run it
 * on one machine (Open MPI picks shared memory), with `--mca btl tcp,self` (TCP on the
 * loopback), or across hosts (a hostfile with one slot on each of two nodes). */
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_bench_util.h"
#include "fc_config.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_transport.h"

#define MAX_D 32

typedef struct {
    size_t d[MAX_D];
    int nd, reps;
} opts_t;

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Median seconds of reps round trips of n doubles (every rank runs them; P = 2). */
static int time_pingpong(fc_tp_t *tp, double *buf, size_t n, int reps, double *t, double *median)
{
    int err = fc_tp_agree(tp, FC_OK);         /* start together */
    for (int r = -1; !err && r < reps; r++) { /* r = -1: warm-up (connection, page faults) */
        double t0 = fc_tp_wtime(tp);
        err = fc_tp_bcast(tp, buf, n * sizeof(double), 0);
        if (!err) err = fc_tp_bcast(tp, buf, n * sizeof(double), 1);
        if (r >= 0) t[r] = fc_tp_wtime(tp) - t0;
    }
    if (err) return err;
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    *median = t[reps / 2];
    return FC_OK;
}

static int reps_for(const opts_t *o, size_t n)
{
    if (o->reps > 0) return o->reps;
    double r = 256e6 / (16.0 * (double)n); /* 2 × 8n bytes per round trip */
    return r < 5 ? 5 : r > 2000 ? 2000 : (int)r;
}

static int parse_d_list(const char *text, opts_t *o)
{
    char buf[512], *save = NULL, why[128];
    snprintf(buf, sizeof buf, "%s", text);
    o->nd = 0;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        long long v;
        if (o->nd == MAX_D) return fc_err_set(FC_EINVAL, "--d: at most %d values", MAX_D);
        if (fc_parse_integer(t, 1, 46340, &v, why, sizeof why)) /* d² + d within an int */
            return fc_err_set(FC_EINVAL, "--d: '%s': %s", t, why);
        o->d[o->nd++] = (size_t)v;
    }
    return o->nd ? FC_OK : fc_err_set(FC_EINVAL, "--d: an empty list");
}

static int parse_args(int argc, char **argv, opts_t *o)
{
    char why[128];
    int err = parse_d_list("10,100,1000,2000", o);
    for (int i = 1; !err && i < argc; i += 2) {
        long long v;
        if (i + 1 >= argc) return fc_err_set(FC_EINVAL, "%s: needs a value", argv[i]);
        if (strcmp(argv[i], "--d") == 0)
            err = parse_d_list(argv[i + 1], o);
        else if (strcmp(argv[i], "--reps") == 0) {
            if (fc_parse_integer(argv[i + 1], 1, 1000000, &v, why, sizeof why))
                return fc_err_set(FC_EINVAL, "--reps: %s", why);
            o->reps = (int)v;
        } else
            return fc_err_set(FC_EINVAL, "unknown option '%s' (--d LIST, --reps R)", argv[i]);
    }
    return err;
}

/* One table row: the payload of `what` (n doubles each way) and its round trip. */
static int row(fc_tp_t *tp, const opts_t *o, const char *what, size_t d, size_t n, double *buf,
               double *t)
{
    double rtt = 0.0;
    int reps = reps_for(o, n);
    int err = time_pingpong(tp, buf, n, reps, t, &rtt);
    if (err || fc_tp_rank(tp) != 0) return err;
    double bytes = 8.0 * (double)n;
    printf("%-8s %6zu %10zu %12.0f %6d %14.3f %14.3f\n", what, d, n, bytes, reps, rtt * 1e6,
           bytes / (rtt / 2.0) / 1e9);
    return FC_OK;
}

int main(int argc, char **argv)
{
    opts_t o = {{0}, 0, 0};
    int err = FC_OK;
    double *buf = NULL, *t = NULL, gemm = 0.0;
    fc_tp_t *tp = NULL;
    MPI_Init(&argc, &argv);
    MPI_Comm world = MPI_COMM_WORLD;
    FC_CALL(fc_tp_create_mpi(&world, &tp));
    FC_CALL(parse_args(argc, argv, &o));
    if (fc_tp_size(tp) != 2)
        FC_FAIL(FC_EINVAL, "needs exactly 2 ranks (mpirun -n 2), got %d", fc_tp_size(tp));
    size_t dmax = 0;
    for (int i = 0; i < o.nd; i++)
        if (o.d[i] > dmax) dmax = o.d[i];
    FC_CALL(fc_calloc(dmax * dmax + dmax, sizeof(double), &buf));
    FC_CALL(fc_calloc(o.reps > 2000 ? (size_t)o.reps : 2000, sizeof(double), &t));
    fc_la_set_threads(1);
    if (fc_tp_rank(tp) == 0) {
        FC_CALL(fc_bench_gemm_rate(500, &gemm));
        printf("transport ping-pong, rank 0 <-> rank 1 (fc_tp_bcast each way), median round "
               "trip\ndgemm 500^3 on rank 0, 1 thread, best of 3: %.2f GFLOP/s\n",
               gemm);
        printf("%-8s %6s %10s %12s %6s %14s %14s\n", "payload", "d", "doubles", "bytes", "reps",
               "round trip us", "GB/s each way");
    }
    FC_CALL(row(tp, &o, "latency", 0, 1, buf, t));
    for (int i = 0; i < o.nd; i++) {
        size_t d = o.d[i];
        FC_CALL(row(tp, &o, "iso", d, d, buf, t));
        FC_CALL(row(tp, &o, "diag", d, 2 * d, buf, t));
        FC_CALL(row(tp, &o, "full", d, d * d + d, buf, t));
    }
cleanup:
    /* A bad option or rank count is the same on every rank: rank 0 says it. */
    if (err && (!tp || fc_tp_rank(tp) == 0 || err != FC_EINVAL))
        fprintf(stderr, "fc_bench_bandwidth: rank %d: %s\n", tp ? fc_tp_rank(tp) : -1,
                fc_err_msg());
    fc_free(&buf);
    fc_free(&t);
    fc_tp_destroy(&tp);
    MPI_Finalize();
    return err ? 2 : 0;
}
