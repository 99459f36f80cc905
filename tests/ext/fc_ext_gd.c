/* fc_ext_gd.c — an algorithm written outside the library, as a user would: one step of
 * gradient descent on F per round, θ̄ ← θ̄ − η ∇F(θ̄) with η = algorithm.penalty, the
 * clients' gradients summed in client order. It proves that an algorithm is one file plus
 * fc_algo_register, run by the same server and host code as the built-in ones. */
#include "fc_ext.h"
#include "fc_la.h"

static size_t gd_len(const fc_algo_ctx_t *a)
{
    return a->d;
}

static void gd_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *state)
{
    fc_copy(a->d, g->m, state);
}

/* Client k: its term is ∇ℓ_k(θ̄). */
static int gd_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                    fc_work_t *w)
{
    double loss;
    fc_model_eval(a->model, c->data, state, &loss, delta, NULL, NULL, fc_work_model(w));
    return fc_all_finite(a->d, delta) ? FC_OK
                                      : fc_err_set(FC_ENUMERIC, "client gradient is not finite");
}

/* Server: θ̄ ← θ̄ − η (δ(θ̄ − μ₀) + Σ_k ∇ℓ_k(θ̄)). */
static int gd_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *totals,
                    const fc_oracle_t *oracle)
{
    (void)oracle;
    fc_prior_gradient(a, g->m, totals, g->scratch);
    fc_axpy(a->d, -a->penalty, g->scratch, g->m);
    return FC_OK;
}

const fc_algo_ops_t fc_ext_gd_algorithm = {
    .name = "gd",
    .has_sites = 0,
    .uses_family = 0,
    .default_local_steps = 1,
    .schedules = FC_SCHEDULE_BIT(FC_SCHED_SYNC),
    .keys = "penalty",
    .state_len = gd_len,
    .delta_len = gd_len,
    .pack = gd_pack,
    .local = gd_local,
    .apply = gd_apply,
};
