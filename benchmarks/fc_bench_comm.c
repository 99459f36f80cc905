/* fc_bench_comm.c — the communication of one fedpc round at a case's sizes, through the
 * runtime's own transport: what fc_srv_call and fc_host_execute do for an update (the
 * command header and the state broadcast from rank 0, the contributions' ordered sum
 * fc_tp_chain_sum back to rank 0) and for the metrics (θ down, [ℓ, corr², ∇ℓ] up).
 * The chain's additions are left out (fc_bench times them); this is the transport alone.
 *
 *   mpirun -n 2 fc_bench_comm --state DOUBLES --delta DOUBLES [--eval DOUBLES] [--reps R]
 *
 * Prints, on rank 0, the median seconds per round of the update exchange and of the metrics
 * exchange, the bytes each moves, and every rank's peak RSS before any buffer was allocated
 * (the MPI runtime's own footprint, the baseline of fedpc's per-rank memory). */
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "fc_config.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_protocol.h"
#include "fc_transport.h"

static void add_nothing(void *ctx, double *acc)
{
    (void)ctx;
    (void)acc;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* One exchange: header and `down` doubles broadcast, `up` doubles summed back. */
static int exchange(fc_tp_t *tp, double *buf, size_t down, double *acc, size_t up)
{
    fc_cmd_t cmd = {FC_CMD_UPDATE, FC_SLOT_MAIN, 1, 0, 0, (int64_t)down};
    int err = fc_tp_bcast(tp, &cmd, sizeof cmd, 0);
    if (!err) err = fc_tp_bcast(tp, buf, down * sizeof(double), 0);
    if (!err) err = fc_tp_chain_sum(tp, acc, up, add_nothing, NULL);
    return err;
}

/* Median seconds of reps exchanges, on rank 0 (every rank runs them). */
static int time_exchange(fc_tp_t *tp, double *buf, size_t down, double *acc, size_t up, int reps,
                         double *t, double *median)
{
    for (int r = 0; r < reps; r++) {
        if (fc_tp_agree(tp, FC_OK)) return FC_EMPI; /* start together */
        double t0 = fc_tp_wtime(tp);
        int err = exchange(tp, buf, down, acc, up);
        if (err) return err;
        t[r] = fc_tp_wtime(tp) - t0;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    *median = t[reps / 2];
    return FC_OK;
}

int main(int argc, char **argv)
{
    size_t state = 0, delta = 0, eval = 0;
    int reps = 20, err = FC_OK;
    double *buf = NULL, *acc = NULL, *t = NULL;
    long *all_kb = NULL;
    fc_tp_t *tp = NULL;
    MPI_Init(&argc, &argv);
    MPI_Comm world = MPI_COMM_WORLD;
    for (int i = 1; i + 1 < argc; i += 2) {
        long long v;
        char why[128];
        if (fc_parse_integer(argv[i + 1], 0, LLONG_MAX, &v, why, sizeof why)) {
            fprintf(stderr, "fc_bench_comm: %s: %s\n", argv[i], why);
            return 2;
        }
        if (strcmp(argv[i], "--state") == 0) state = (size_t)v;
        if (strcmp(argv[i], "--delta") == 0) delta = (size_t)v;
        if (strcmp(argv[i], "--eval") == 0) eval = (size_t)v;
        if (strcmp(argv[i], "--reps") == 0) reps = v > INT_MAX ? INT_MAX : (int)v;
    }
    if (reps < 1) reps = 1;
    FC_CALL(fc_tp_create_mpi(&world, &tp));
    int rank = fc_tp_rank(tp), P = fc_tp_size(tp);

    /* The runtime's own footprint, before any buffer of the case. */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long base_kb = ru.ru_maxrss;
    FC_CALL(fc_calloc((size_t)P, sizeof(long), &all_kb));
    MPI_Gather(&base_kb, 1, MPI_LONG, all_kb, 1, MPI_LONG, 0, world);

    size_t big = state > delta ? state : delta;
    big = big > eval + 2 ? big : eval + 2;
    FC_CALL(fc_calloc(big, sizeof(double), &buf));
    FC_CALL(fc_calloc(big, sizeof(double), &acc));
    FC_CALL(fc_calloc((size_t)reps, sizeof(double), &t));
    double t_update = 0.0, t_eval = 0.0;
    (void)exchange(tp, buf, state, acc, delta); /* warm-up: connections, page faults */
    FC_CALL(time_exchange(tp, buf, state, acc, delta, reps, t, &t_update));
    if (eval) FC_CALL(time_exchange(tp, buf, eval, acc, eval + 2, reps, t, &t_eval));
    if (rank == 0) {
        printf("ranks %d, median of %d\n", P, reps);
        printf("update exchange: %zu doubles down, %zu up: %.6f s (%.2f GB/s)\n", state, delta,
               t_update, (double)(state + delta) * 8.0 / t_update / 1e9);
        if (eval)
            printf("metrics exchange: %zu doubles down, %zu up: %.6f s\n", eval, eval + 2, t_eval);
        for (int r = 0; r < P; r++)
            printf("rank %d baseline RSS (MPI initialised, no buffers): %.1f MB\n", r,
                   (double)all_kb[r] / 1024.0);
        printf("COMM\t%.6f\t%.6f\t%.1f\n", t_update, t_eval,
               (double)all_kb[P > 1 ? 1 : 0] / 1024.0);
    }
cleanup:
    if (err)
        fprintf(stderr, "fc_bench_comm: rank %d: %s\n", tp ? fc_tp_rank(tp) : -1, fc_err_msg());
    fc_free(&all_kb);
    fc_free(&buf);
    fc_free(&acc);
    fc_free(&t);
    fc_tp_destroy(&tp);
    MPI_Finalize();
    return err ? 1 : 0;
}
