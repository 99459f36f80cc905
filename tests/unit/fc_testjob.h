/* fc_testjob.h — the unit tests' way to run fedpc: the real job, server and host (the same
 * code as `mpirun fedpc`) over the serial transport in one process, on in-memory clients,
 * driven a round at a time. Every failure to set up aborts the test. */
#ifndef FC_TESTJOB_H
#define FC_TESTJOB_H

#include "fc_config.h"
#include "fc_data.h"
#include "fc_job.h"
#include "fc_model.h"
#include "fc_server.h"

typedef struct {
    fc_config_t cfg; /* the job borrows it */
    fc_tp_t *tp;
    fc_job_t *job;
    fc_server_t *srv;
} fc_testjob_t;

/* A job of config c (partition.clients = K blocks, model.type, algorithm keys) on the
 * borrowed blocks (bias column included); classes for softmax. */
void fc_testjob_init(fc_testjob_t *t, const fc_config_t *c, fc_data_t *const *blocks, int classes);
void fc_testjob_free(fc_testjob_t *t);
/* Round t ≥ 1 through fc_server_round; returns its error code. */
int fc_testjob_round(fc_testjob_t *t, int round);
/* The server mean, the run's context. */
const double *fc_testjob_mean(const fc_testjob_t *t);
const fc_algo_ctx_t *fc_testjob_ctx(const fc_testjob_t *t);
/* ‖∇F‖ at the server mean, from the server's own metrics. */
double fc_testjob_grad_norm(fc_testjob_t *t);
/* θ* by the server's reference solve (needs run.reference = true): copied into star. */
void fc_testjob_reference(fc_testjob_t *t, double *star);

/* Random blocks for tests: K clients of n examples with p raw features (+ bias column when
 * bias), labels of the model's kind from a shared parameter plus a per-client shift of
 * size het. */
void fc_test_blocks(const fc_model_t *m, size_t K, size_t n, size_t p_raw, int bias, double het,
                    uint64_t seed, fc_data_t **blocks);

#endif
