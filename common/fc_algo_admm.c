/* fc_algo_admm.c — federated ADMM (SPEC §3.3) and Tseng's AMA (SPEC §3.4). Client state:
 * the dual v_k (stored as the client's h) and the last local solution θ_k. */
#include "fc_algo_impl.h"
#include "fc_la.h"

static size_t dual_len(const fc_algo_ctx_t *a)
{
    return a->d;
}

static void dual_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *state)
{
    fc_copy(a->d, g->m, state); /* θ̄ */
}

/* θ_k = argmin ℓ_k(θ) + v_kᵀθ + ρ/2‖θ − θ̄‖²; v_k += αρ(θ_k − θ̄). Writes Δv_k into dv and
 * the new θ_k into c->theta, returning the old θ_k in w->tmp. */
static int dual_step(const fc_algo_ctx_t *a, fc_client_t *c, const double *theta_bar, double *dv,
                     fc_work_t *w)
{
    size_t d = a->d;
    fc_quad_t q = {.ops = &fc_quad_iso, .P = NULL, .rho = a->penalty, .b = w->b};
    for (size_t i = 0; i < d; i++)
        w->b[i] = a->penalty * theta_bar[i] - c->h[i];
    /* From θ̄, or from the last θ_k when that is nearer the new solution (fc_solver.h). */
    fc_solve_start_t start = {.cold = theta_bar, .warm = c->theta, .keep_hessian = 0};
    int err =
        fc_solve_local_warm(a->model, c->data, &q, &a->local, &start, w->theta, w->solver, NULL);
    if (err) return err;
    for (size_t i = 0; i < d; i++) {
        dv[i] = a->damping * a->penalty * (w->theta[i] - theta_bar[i]);
        c->h[i] += dv[i];
    }
    fc_copy(d, c->theta, w->tmp);
    fc_copy(d, w->theta, c->theta);
    return FC_OK;
}

/* ADMM contributes the change of ρθ_k + v_k (the server needs ρΣθ_k + Σv_k). */
static int admm_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                      fc_work_t *w)
{
    int err = dual_step(a, c, state, delta, w);
    if (err) return err;
    for (size_t i = 0; i < a->d; i++)
        delta[i] += a->penalty * (c->theta[i] - w->tmp[i]);
    return FC_OK;
}

/* AMA contributes the change of v_k. */
static int ama_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                     fc_work_t *w)
{
    return dual_step(a, c, state, delta, w);
}

/* ADMM's server needs ρΣθ_k + Σv_k; AMA's Σv_k. */
static void admm_contribution(const fc_algo_ctx_t *a, const fc_client_t *c, double *out)
{
    for (size_t i = 0; i < a->d; i++)
        out[i] = a->penalty * c->theta[i] + c->h[i];
}

static void ama_contribution(const fc_algo_ctx_t *a, const fc_client_t *c, double *out)
{
    fc_copy(a->d, c->h, out);
}

static int admm_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *totals,
                      const fc_oracle_t *oracle)
{
    (void)oracle;
    fc_copy(a->d, totals, g->sum_h);
    double denom = a->delta + (double)a->K * a->penalty; /* θ̄ = (ρΣθ_k + Σv_k + δμ₀)/(δ + Kρ) */
    for (size_t i = 0; i < a->d; i++)
        g->m[i] = (a->mu0 ? g->sum_h[i] + a->delta * a->mu0[i] : g->sum_h[i]) / denom;
    return FC_OK;
}

static int ama_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *totals,
                     const fc_oracle_t *oracle)
{
    (void)oracle;
    fc_copy(a->d, totals, g->sum_h);
    for (size_t i = 0; i < a->d; i++) /* θ̄ = (Σv_k + δμ₀) / δ */
        g->m[i] = (a->mu0 ? g->sum_h[i] + a->delta * a->mu0[i] : g->sum_h[i]) / a->delta;
    return FC_OK;
}

/* The fixed point at θ*: θ_k = θ̄ = θ* and v_k = −∇ℓ_k(θ*) (the local problem's optimality
 * with θ_k = θ̄). */
static void dual_fixed_point(const fc_algo_ctx_t *a, fc_client_t *c, const double *theta_star,
                             fc_work_t *w)
{
    double loss;
    fc_model_eval(a->model, c->data, theta_star, &loss, c->h, NULL, NULL, fc_work_model(w));
    fc_scal(a->d, -1.0, c->h);
    fc_copy(a->d, theta_star, c->theta);
}

/* SPEC §3.4: Tseng's condition ρ < 2δ/K at α = 1, and 2δ/(αK) damped. */
static double ama_stability_bound(const fc_family_ops_t *family, double delta, double damping,
                                  size_t K)
{
    (void)family;
    return 2.0 * delta / (damping * (double)K);
}

#define DUAL_KEYS "damping penalty participation local_steps local_tol local_solver"

const fc_algo_ops_t fc_algo_admm_ops = {
    .name = "admm",
    .partial_participation = 1,
    .has_sites = 1,
    .uses_family = 0,
    .default_local_steps = 50,
    .exact_local_solve = 1,
    .schedules = FC_SCHEDULE_BIT(FC_SCHED_SYNC),
    .keys = DUAL_KEYS,
    .fixed_point = dual_fixed_point,
    .state_len = dual_len,
    .delta_len = dual_len,
    .pack = dual_pack,
    .local = admm_local,
    .contribution = admm_contribution,
    .apply = admm_apply,
};

const fc_algo_ops_t fc_algo_ama_ops = {
    .name = "ama",
    .partial_participation = 1,
    .has_sites = 1,
    .uses_family = 0,
    .default_local_steps = 50,
    .exact_local_solve = 1,
    .schedules = FC_SCHEDULE_BIT(FC_SCHED_SYNC),
    .keys = DUAL_KEYS,
    .fixed_point = dual_fixed_point,
    .stability_bound = ama_stability_bound,
    .state_len = dual_len,
    .delta_len = dual_len,
    .pack = dual_pack,
    .local = ama_local,
    .contribution = ama_contribution,
    .apply = ama_apply,
};
