/* fc_app.c — the fedpc program as a function (fc_main): parse the command line, start MPI
 * and dispatch to run, sweep, partition or plot. server/main.c calls it; so does a test
 * program that registers its own family or algorithm first (tests/ext). This and
 * fc_job.c are the files that see both roles; MPI_COMM_WORLD appears only here. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "fc_cli.h"
#include "fc_config.h"
#include "fc_dataset.h"
#include "fc_file.h"
#include "fc_app.h"
#include "fc_job.h"
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

/* Collective: every rank's outcome agreed on before anyone goes on; rank 0 prints the
 * message of the lowest failing rank, naming it (a config or data file that only some
 * nodes can read fails on those alone). */
static int agree_and_report(fc_tp_t *tp, int err)
{
    char msg[1024];
    int agreed = fc_tp_agree(tp, err);
    if (!agreed) return FC_OK;
    snprintf(msg, sizeof msg, "rank %d: %s", fc_tp_rank(tp), err ? fc_err_msg() : "");
    int serr = fc_tp_share_message(tp, err != 0, msg, sizeof msg);
    if (fc_tp_rank(tp) == 0) fprintf(stderr, "fedpc: %s\n", serr ? fc_err_msg() : msg);
    return agreed;
}

/* Collective: rank 0 makes the output folder (it alone writes there) and all agree. */
static int make_output_dir(fc_tp_t *tp, const char *dir)
{
    int err = fc_tp_rank(tp) == 0 ? fc_mkdirs(dir) : FC_OK;
    return agree_and_report(tp, err);
}

/* Collective: load the config and apply --set on every rank, then agree. */
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
    if (!err) err = fc_config_validate_role(c, fc_tp_rank(tp) == 0);
    return agree_and_report(tp, err);
}

static int cmd_run(fc_tp_t *tp, const fc_cli_t *cli)
{
    fc_config_t c;
    fc_run_result_t res;
    int err = load_config(tp, cli, &c);
    if (!err && !c.run.resume) err = make_output_dir(tp, c.output.dir);
    if (err) return input_status(err);
    return fc_job_run_config(tp, &c, c.output.dir, cli->quiet, 0, &res);
}

static int sweep_runner(void *vtp, const fc_config_t *c, const char *out_dir, fc_run_result_t *res)
{
    return fc_job_run_config(vtp, c, out_dir, 1, 1, res);
}

static int sweep_agree(void *vtp, int err)
{
    return agree_and_report(vtp, err);
}

static int cmd_sweep(fc_tp_t *tp, const fc_cli_t *cli)
{
    fc_config_t c;
    int err = load_config(tp, cli, &c);
    if (err) return input_status(err);
    return fc_sweep_run(&c, cli, fc_tp_rank(tp) == 0, sweep_runner, sweep_agree, tp);
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

int fc_main(int argc, char **argv)
{
    fc_cli_t cli;
    fc_tp_t *tp = NULL;
    if (fc_cli_parse(argc, argv, &cli)) {
        fprintf(stderr, "fedpc: %s\n", fc_err_msg());
        return FC_EXIT_INPUT;
    }
    if (cli.cmd == FC_CLI_HELP) return fc_cli_print_help(stdout), FC_EXIT_DONE;
    if (cli.cmd == FC_CLI_VERSION) return puts("fedpc " FEDPC_VERSION), FC_EXIT_DONE;
    if (cli.cmd == FC_CLI_PLOT) {
        int err =
            cli.ndirs > 1 ? fc_plot_compare(cli.ndirs, cli.dirs, cli.out) : fc_plot_dir(cli.config);
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
