/* main.c — the fedpc program: parse the command line, start MPI, and wire the two roles
 * (rank 0 is the server; ranks 1..P−1, or rank 0 itself when P = 1, host the clients).
 * This is the one file that sees both server/ and client/. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fc_algo.h"
#include "fc_cli.h"
#include "fc_config.h"
#include "fc_dataset.h"
#include "fc_host.h"
#include "fc_la.h"
#include "fc_model.h"
#include "fc_plot.h"
#include "fc_server.h"
#include "fc_sweep.h"
#include "fc_transport.h"

#ifndef FEDPC_VERSION
#define FEDPC_VERSION "0.1.0"
#endif

/* The exit status of a failure (SPEC §5, from the one list), after its message; with
 * FEDPC_TRACE=1 the call sites too. */
static int input_status(int err)
{
    fc_err_trace_dump(stderr);
    return fc_exit_status(err);
}

/* Collective: every rank reports its own failure, then all agree. */
static int agree_or_report(fc_tp_t *tp, int err)
{
    if (err) fprintf(stderr, "fedpc: rank %d: %s\n", fc_tp_rank(tp), fc_err_msg());
    return fc_tp_agree(tp, err);
}

typedef struct {
    fc_shards_t *shards;
    fc_data_t *test;
    fc_model_t model;
    fc_algo_ctx_t ctx[FC_NSLOTS];
    fc_host_t *host;
} run_parts_t;

static void parts_free(run_parts_t *r)
{
    fc_host_destroy(&r->host);
    fc_data_destroy(&r->test);
    fc_shards_destroy(&r->shards);
}

/* Refuse a run that cannot fit in this machine's memory before trying (bad input, with the
 * sizes that make it so), rather than failing an allocation halfway. */
static int check_memory(const run_parts_t *r, size_t n_clients)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return FC_OK;
    double have = (double)pages * (double)page;
    double need =
        (double)fc_algo_memory_estimate(&r->ctx[FC_SLOT_MAIN], n_clients, r->shards->max_n);
    if (r->ctx[FC_SLOT_REF].ops)
        need = fmax(need, (double)fc_algo_memory_estimate(&r->ctx[FC_SLOT_REF], n_clients,
                                                          r->shards->max_n));
    if (need <= have) return FC_OK;
    return fc_err_set(FC_ECONFIG,
                      "this run needs about %.3g GiB on this rank (d = %zu parameters, %zu "
                      "clients here; family full and the central reference (run.reference) "
                      "keep d x d matrices) but the machine has %.3g GiB; use a smaller model, "
                      "more ranks, or family = diag/iso with run.reference = false",
                      need / 1073741824.0, r->ctx[FC_SLOT_MAIN].d, n_clients, have / 1073741824.0);
}

/* Collective: load this rank's clients, agree on the shape of the data, build the model
 * and the algorithm contexts (the run's and the central reference). */
static int prepare(fc_tp_t *tp, const fc_config_t *c, run_parts_t *r)
{
    int P = fc_tp_size(tp), rank = fc_tp_rank(tp);
    size_t K = (size_t)c->partition.clients, lo, hi;
    const fc_model_ops_t *ops = fc_model_find(c->model.type);
    fc_placement(K, P, rank, &lo, &hi);
    int err = agree_or_report(tp, fc_shards_load(c, lo, hi, &r->shards));
    if (err) return err;
    /* libsvm files may differ in width; softmax classes come from all clients' labels. */
    long p_raw = (long)r->shards->p_raw, classes = r->shards->max_class;
    if ((err = fc_tp_max_long(tp, &p_raw)) || (err = fc_tp_max_long(tp, &classes))) return err;
    if (c->data.classes > 0) classes = c->data.classes;
    if (ops->labels != FC_LABEL_CLASS) classes = 0;
    err = fc_shards_finish(r->shards, (size_t)p_raw, (int)classes, c->model.bias);
    if (!err)
        err = fc_model_init(&r->model, ops, (size_t)p_raw + (c->model.bias ? 1 : 0),
                            ops->labels == FC_LABEL_CLASS ? (int)classes : 1,
                            c->model.noise_precision);
    if (!err && rank == 0) err = fc_testset_load(c, (size_t)p_raw, (int)classes, &r->test);
    err = agree_or_report(tp, err);
    if (err) return err;
    fc_config_t ref = *c;
    snprintf(ref.algorithm.name, sizeof ref.algorithm.name, "central");
    fc_algo_ctx_init(&r->ctx[FC_SLOT_MAIN], c, &r->model, K);
    fc_algo_ctx_init(&r->ctx[FC_SLOT_REF], &ref, &r->model, K);
    if (!c->run.reference) r->ctx[FC_SLOT_REF].ops = NULL; /* no θ*: the slot stays empty */
    err = check_memory(r, hi - lo);
    if (!err)
        err = fc_host_create(tp, r->ctx, r->shards, c->run.seed, c->algorithm.participation,
                             &r->host);
    return agree_or_report(tp, err);
}

/* Settings that are valid but rarely what a researcher means. */
static void warn_config(const fc_config_t *c)
{
    if (strcmp(c->algorithm.name, "fpc") == 0 && c->algorithm.local_steps > 0 &&
        c->algorithm.local_steps < 5)
        fprintf(stderr,
                "fedpc: warning: algorithm.local_steps = %d with fpc: FPC's site is exact only "
                "at the solution of the local problem, so its fixed point can miss θ* (pvi is "
                "the algorithm for inexact local steps)\n",
                c->algorithm.local_steps);
}

/* Collective: one complete run of config c into out_dir. */
static int run_one(fc_tp_t *tp, const fc_config_t *c, const char *out_dir, int quiet,
                   fc_run_result_t *res)
{
    run_parts_t parts;
    memset(&parts, 0, sizeof parts);
    memset(res, 0, sizeof *res);
    snprintf(res->status, sizeof res->status, "error");
    fc_la_set_threads(c->run.threads);
    if (fc_tp_rank(tp) == 0) warn_config(c);
    int err = prepare(tp, c, &parts);
    if (err) {
        res->exit_status = input_status(err);
        parts_free(&parts);
        return res->exit_status;
    }
    if (fc_tp_rank(tp) == 0) {
        fc_server_env_t env = {tp,        fc_host_execute, parts.host, c,
                               parts.ctx, parts.test,      out_dir,    quiet};
        err = fc_server_run(&env, res);
    } else {
        res->exit_status = fc_host_serve(parts.host);
    }
    parts_free(&parts);
    return res->exit_status;
}

/* Load the config and apply --set (same on every rank; rank 0 reports). */
static int load_config(fc_tp_t *tp, const fc_cli_t *cli, fc_config_t *c)
{
    int err = fc_config_load(cli->config, c);
    for (int i = 0; !err && i < cli->nsets; i++)
        err = fc_config_set(c, cli->set[i]);
    if (!err && cli->out) {
        char assign[FC_PATH_MAX + 16];
        snprintf(assign, sizeof assign, "output.dir=%s", cli->out);
        err = fc_config_set(c, assign);
    }
    if (!err) err = fc_config_validate(c);
    if (err && fc_tp_rank(tp) == 0) fprintf(stderr, "fedpc: %s\n", fc_err_msg());
    return err;
}

static int cmd_run(fc_tp_t *tp, const fc_cli_t *cli)
{
    fc_config_t c;
    fc_run_result_t res;
    int err = load_config(tp, cli, &c);
    if (err) return input_status(err);
    return run_one(tp, &c, c.output.dir, cli->quiet, &res);
}

static int sweep_runner(void *vtp, const fc_config_t *c, const char *out_dir, fc_run_result_t *res)
{
    return run_one(vtp, c, out_dir, 1, res);
}

static int cmd_sweep(fc_tp_t *tp, const fc_cli_t *cli)
{
    fc_config_t c;
    int err = load_config(tp, cli, &c);
    if (err) return input_status(err);
    return fc_sweep_run(&c, cli, fc_tp_rank(tp) == 0, sweep_runner, tp);
}

static int cmd_partition(fc_tp_t *tp, const fc_cli_t *cli)
{
    fc_config_t c;
    int err = load_config(tp, cli, &c);
    if (err) return input_status(err);
    if (fc_tp_rank(tp) != 0) return FC_EXIT_DONE; /* one writer is enough */
    err = fc_partition_write(&c, cli->out);
    if (err) {
        fprintf(stderr, "fedpc: %s\n", fc_err_msg());
        return input_status(err);
    }
    return FC_EXIT_DONE;
}

static int dispatch(fc_tp_t *tp, const fc_cli_t *cli)
{
    switch (cli->cmd) {
    case FC_CLI_RUN:
        return cmd_run(tp, cli);
    case FC_CLI_SWEEP:
        return cmd_sweep(tp, cli);
    case FC_CLI_PARTITION:
        return cmd_partition(tp, cli);
    default:
        return FC_EXIT_INTERNAL;
    }
}

int main(int argc, char **argv)
{
    fc_cli_t cli;
    fc_tp_t *tp = NULL;
    if (fc_cli_parse(argc, argv, &cli)) {
        fprintf(stderr, "fedpc: %s\n", fc_err_msg());
        return FC_EXIT_INPUT;
    }
    if (cli.cmd == FC_CLI_HELP) return fputs(fc_cli_help(), stdout), FC_EXIT_DONE;
    if (cli.cmd == FC_CLI_VERSION) return puts("fedpc " FEDPC_VERSION), FC_EXIT_DONE;
    if (cli.cmd == FC_CLI_PLOT) {
        int err = fc_plot_dir(cli.config);
        if (err) fprintf(stderr, "fedpc: %s\n", fc_err_msg());
        return err ? input_status(err) : FC_EXIT_DONE;
    }
    MPI_Init(&argc, &argv);
    MPI_Comm world = MPI_COMM_WORLD;
    int status = FC_EXIT_INTERNAL;
    if (fc_tp_create_mpi(&world, &tp) == FC_OK) status = dispatch(tp, &cli);
    fc_tp_destroy(&tp);
    MPI_Finalize();
    return status;
}
