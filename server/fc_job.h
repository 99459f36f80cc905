/* fc_job.h — one run of fedpc on a transport: this rank's clients, the model, the algorithm
 * contexts (the run's and the central reference), the client role (host) and, on rank 0,
 * the server role. The same job serves `fedpc run` and each sweep cell under mpirun, the
 * unit tests and the benchmark (over the serial transport, in one process), so there is
 * one round implementation. With server/fc_app.c this is the only place that sees both
 * roles: it wires the server's commands to the host's execution.
 * Ownership: the job owns what it loads and builds; it borrows the config, the transport
 * and whatever fc_job_opts_t lends it, which must outlive it. */
#ifndef FC_JOB_H
#define FC_JOB_H

#include "fc_algo.h"
#include "fc_config.h"
#include "fc_data.h"
#include "fc_model.h"
#include "fc_server.h"
#include "fc_transport.h"

typedef struct {
    /* Replace a registry row for this job only (the benchmark's timed copies); NULL: the
     * rows named by model.type and algorithm.name. */
    const fc_model_ops_t *model_ops;
    const fc_algo_ops_t *algo_ops;
    /* In-memory clients instead of the config's data (unit tests, one rank only): K =
     * partition.clients borrowed blocks, features final (bias column included), labels
     * valid for the model; classes for class-labelled models; test may be NULL. */
    fc_data_t *const *blocks;
    const fc_data_t *test;
    int classes;
    int quiet;  /* no per-round lines */
    int silent; /* nothing on stdout (sweeps) */
} fc_job_opts_t;

typedef struct fc_job fc_job_t;

/* Collective: load and build everything (the memory pre-flight first). Every rank reports
 * its own failure on stderr, naming the rank; all ranks agree before returning, so on
 * failure nobody is left in a collective. o may be NULL (defaults). */
FC_MUST int fc_job_create(fc_tp_t *tp, const fc_config_t *c, const fc_job_opts_t *o,
                          fc_job_t **out);
void fc_job_destroy(fc_job_t **j);

/* Collective: the whole run into out_dir (rank 0 runs the server, the other ranks serve
 * commands). Returns the exit status (FC_EXIT_*); res is filled on rank 0. */
int fc_job_run(fc_job_t *j, const char *out_dir, fc_run_result_t *res);

/* The server's environment, for driving the server a step at a time (fc_server_create);
 * rank 0 only. out_dir may be NULL when nothing is written. */
const fc_server_env_t *fc_job_server_env(fc_job_t *j, const char *out_dir);
/* The run's algorithm context (the main slot). */
const fc_algo_ctx_t *fc_job_ctx(const fc_job_t *j);

/* Collective: create, run and destroy: one complete run of c. Returns the exit status. */
int fc_job_run_config(fc_tp_t *tp, const fc_config_t *c, const char *out_dir, int quiet, int silent,
                      fc_run_result_t *res);

#endif
