/* fc_server_impl.h — private to the server role's files: the server's state and the
 * helpers its checkpoint code shares. */
#ifndef FC_SERVER_IMPL_H
#define FC_SERVER_IMPL_H

#include "fc_output.h"
#include "fc_server.h"

struct fc_server {
    const fc_server_env_t *env;
    const fc_algo_ctx_t *ctx; /* main slot */
    size_t d, K;
    fc_global_t *g, *gref;
    double *state, *result, *grad;
    double *test_work;
    double *theta_star;
    double *m_good; /* the mean of the last row written */
    double F_star;
    int have_ref;
    double gtol;        /* convergence threshold, tol · max(1, ‖∇F(m_0)‖) */
    fc_metrics_t *rows; /* every row written, for the trend and checkpoints */
    size_t nrows, rows_cap;
    double bytes, t0;
    unsigned char *mask;
    fc_output_t *out;
    struct fc_srv_async *async; /* the asynchronous schedule (SPEC §11), from its first round */
    /* SPEC §10 (variational runs): a payload [m, precision], KL scratch, the variances and
     * their d×d scratch (every run writes variance.txt), the predictive's work. */
    double *vi_payload, *kl_work, *var, *var_work, *pred_work;
};
typedef struct fc_server server_t;

/* Broadcast a command and its payload, then run it (collective). */
FC_MUST int fc_srv_call(server_t *s, int code, int slot, int round, int64_t k, int flags,
                        const double *payload, size_t len, double *result);
/* The metrics of SPEC §7 at the current mean (collective). */
FC_MUST int fc_srv_measure(server_t *s, int round, fc_metrics_t *m);
/* Write checkpoint.bin after round t (collective: gathers the clients' state). */
FC_MUST int fc_srv_checkpoint_save(server_t *s, int t);
/* Load checkpoint.bin, check it matches the config, restore everything, rewrite metrics.csv
 * from the saved rows and open it for appending; *round = the round to continue after. */
FC_MUST int fc_srv_checkpoint_restore(server_t *s, int *round, fc_run_result_t *r);

/* Does the linearised radius apply to this run? (a reference, an algorithm with a fixed
 * point, a family without precisions — means only —, full participation, a small state) */
int fc_srv_radius_applies(const server_t *s);
/* The linearised spectral radius of the round map at θ* (collective; overwrites every
 * client's and the server's state: call it after the run's outputs are written). */
FC_MUST int fc_srv_radius(server_t *s, double *radius);

#endif
