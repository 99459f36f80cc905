/* fc_sweep.h — `fedpc sweep` (SPEC §5): the Cartesian product of the --vary values, run
 * one after another in the same MPI job, each isolated; a table on stdout and sweep.csv. */
#ifndef FC_SWEEP_H
#define FC_SWEEP_H

#include "fc_cli.h"
#include "fc_config.h"
#include "fc_server.h"

/* Runs one configuration collectively; returns its exit status. */
typedef int (*fc_sweep_run_fn)(void *ctx, const fc_config_t *c, const char *out_dir,
                               fc_run_result_t *res);

/* Collective: every rank's error code in, the agreed one out, the failing rank's message
 * printed (so a failure only rank 0 sees, like an unwritable output folder, ends every
 * rank's sweep before the first run). */
typedef int (*fc_sweep_agree_fn)(void *ctx, int err);

/* Collective: every rank walks the same product; rank 0 (is_root) prints and writes.
 * Returns FC_EXIT_DONE when every run was attempted (diverged runs included). */
int fc_sweep_run(const fc_config_t *base, const fc_cli_t *cli, int is_root, fc_sweep_run_fn run,
                 fc_sweep_agree_fn agree, void *ctx);

#endif
