/* fc_server.h — the server role: holds the global posterior, drives the rounds by
 * commands to the client role, adds the clients' changes up in client order, computes the
 * metrics, decides when to stop and writes the output (SPEC §3-§7).
 * Ownership: everything in fc_server_env_t is borrowed. */
#ifndef FC_SERVER_H
#define FC_SERVER_H

#include "fc_algo.h"
#include "fc_config.h"
#include "fc_data.h"
#include "fc_output.h"
#include "fc_protocol.h"
#include "fc_stability.h"
#include "fc_transport.h"

typedef struct {
    fc_tp_t *tp;
    fc_exec_fn exec; /* the client role's command execution (main wires it) */
    void *exec_ctx;
    const fc_config_t *cfg;
    const fc_algo_ctx_t *ctx; /* [FC_NSLOTS] */
    const fc_data_t *test;    /* NULL: no test metrics */
    const char *out_dir;
    int quiet;  /* no progress lines (--quiet); the final status line stays */
    int silent; /* nothing on stdout at all (a sweep prints its own table) */
} fc_server_env_t;

/* What a run ended with (for sweeps). */
typedef struct {
    int exit_status;          /* FC_EXIT_* */
    char status[16];          /* converged | diverged | max_rounds | error */
    fc_stability_t stability; /* the measured verdict (fc_stability.h) */
    int rounds;               /* last round with a row */
    int rounds_to_tol;        /* first round that met the tolerance, −1 if none */
    double objective_gap;     /* final F(m) − F(θ*), NaN without reference */
    double correction;        /* final, NaN when it does not apply */
    double radius;            /* linearised spectral radius of the round map at θ*, or NaN */
    char reason[512];         /* why it diverged (or, from the sweep, could not start); "" */
} fc_run_result_t;

/* Collective (rank 0 side): run the configured algorithm to the end, write the output,
 * and finally send FC_CMD_DONE with the exit status to the other ranks. */
FC_MUST int fc_server_run(const fc_server_env_t *env, fc_run_result_t *result);

/* The same server, a step at a time (unit tests, benchmark): the rounds of fc_server_run
 * without its outputs and stopping rules. Every call but the accessors is collective with
 * the client role (the other ranks serve commands until fc_server_release). */
typedef struct fc_server fc_server_t;
FC_MUST int fc_server_create(const fc_server_env_t *env, fc_server_t **out);
void fc_server_destroy(fc_server_t **s);
/* θ* by central Newton over every client (SPEC §3.5); needs the reference slot. */
FC_MUST int fc_server_reference(fc_server_t *s);
/* Round t (t ≥ 1): every participant updates, the server applies (SPEC §3). */
FC_MUST int fc_server_round(fc_server_t *s, int t);
/* The metrics of SPEC §7 at the current mean, as round t. */
FC_MUST int fc_server_measure(fc_server_t *s, int t, fc_metrics_t *m);
/* The current server mean (d values) and θ* (NULL before fc_server_reference). */
const double *fc_server_mean(const fc_server_t *s);
const double *fc_server_theta_star(const fc_server_t *s);
/* The linearised spectral radius of the round map at θ* (after fc_server_reference): NaN
 * where it does not apply (fc_server.c: algorithms with a fixed point, families without
 * precisions, full participation, a state of at most 2^21 doubles). Overwrites the state. */
FC_MUST int fc_server_radius(fc_server_t *s, double *radius);
/* The server's global state (the posterior q_t: m, S, its factor) and the reference's
 * (θ*, or q* = N(θ*, S*⁻¹) for a variational run; NULL without a reference slot). */
const fc_global_t *fc_server_global(const fc_server_t *s);
const fc_global_t *fc_server_reference_global(const fc_server_t *s);
/* Central only: the last step made no progress (the floating-point floor). */
int fc_server_stalled(const fc_server_t *s);
/* Collective: end the client ranks' command loop with an exit status. */
FC_MUST int fc_server_release(const fc_server_env_t *env, int exit_status);

#endif
