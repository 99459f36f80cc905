/* fc_server.h — the server role: holds the global posterior, drives the rounds by
 * commands to the client role, adds the clients' changes up in client order, computes the
 * metrics, decides when to stop and writes the output (SPEC §3-§7).
 * Ownership: everything in fc_server_env_t is borrowed. */
#ifndef FC_SERVER_H
#define FC_SERVER_H

#include "fc_algo.h"
#include "fc_config.h"
#include "fc_data.h"
#include "fc_protocol.h"
#include "fc_transport.h"

typedef struct {
    fc_tp_t *tp;
    fc_exec_fn exec; /* the client role's command execution (main wires it) */
    void *exec_ctx;
    const fc_config_t *cfg;
    const fc_algo_ctx_t *ctx; /* [FC_NSLOTS] */
    const fc_data_t *test;    /* NULL: no test metrics */
    const char *out_dir;
    int quiet; /* no progress lines (sweeps) */
} fc_server_env_t;

/* What a run ended with (for sweeps). */
typedef struct {
    int exit_status;      /* FC_EXIT_* */
    char status[16];      /* converged | diverged | max_rounds | error */
    char trend[16];       /* improving | stalled | "" */
    int rounds;           /* last round with a row */
    int rounds_to_tol;    /* first round that met the tolerance, −1 if none */
    double objective_gap; /* final F(m) − F(θ*), NaN without reference */
    double correction;    /* final, NaN when it does not apply */
    char reason[512];     /* why it diverged (or, from the sweep, could not start); "" */
} fc_run_result_t;

/* Collective (rank 0 side): run the configured algorithm to the end, write the output,
 * and finally send FC_CMD_DONE with the exit status to the other ranks. */
FC_MUST int fc_server_run(const fc_server_env_t *env, fc_run_result_t *result);

#endif
