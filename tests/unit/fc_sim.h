/* fc_sim.h — a one-process driver of the update rules for unit tests: the same
 * pack / local / sum-in-client-order / apply cycle the MPI runtime runs, without it. */
#ifndef FC_SIM_H
#define FC_SIM_H

#include "fc_algo.h"

typedef struct {
    fc_algo_ctx_t a;
    fc_global_t *g;
    fc_client_t **c;
    fc_work_t *w;
    double *state, *sum, *delta;
    size_t K;
    fc_data_t **blocks; /* borrowed */
} fc_sim_t;

/* Build from a config (algorithm keys) and K client blocks; aborts the test on failure. */
void fc_sim_init(fc_sim_t *s, const fc_config_t *cfg, const fc_model_t *m, fc_data_t **blocks,
                 size_t K);
void fc_sim_free(fc_sim_t *s);
/* One synchronous round over the clients with mask[k] (NULL = all). Returns the error. */
int fc_sim_round(fc_sim_t *s, const unsigned char *mask);
/* One sequential round (posterior refreshed after each client). */
int fc_sim_round_seq(fc_sim_t *s);
/* F(θ) and ∇F(θ) (grad may be NULL). */
double fc_sim_objective(fc_sim_t *s, const double *theta, double *grad);
/* θ* by iterating the central algorithm; returns ‖∇F(θ*)‖. */
double fc_sim_central(const fc_config_t *cfg, const fc_model_t *m, fc_data_t **blocks, size_t K,
                      double *theta_star);

/* Random blocks for tests: K clients of n examples with p raw features (+ bias column when
 * bias), labels of the model's kind from a shared parameter plus a per-client shift of
 * size het. */
void fc_sim_blocks(const fc_model_t *m, size_t K, size_t n, size_t p_raw, int bias, double het,
                   uint64_t seed, fc_data_t **blocks);

#endif
