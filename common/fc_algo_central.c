/* fc_algo_central.c — the reference (SPEC §3.5): Newton's method on
 * F(θ) = δ/2‖θ − μ₀‖² + Σ_k ℓ_k(θ), with the gradient and Hessian summed over the clients.
 * One round is one Newton step with an Armijo line search whose trial values come from
 * the oracle (a collective evaluation of F in the runtime). */
#include <float.h>
#include <math.h>

#include "fc_algo_impl.h"
#include "fc_la.h"

static size_t central_state_len(const fc_algo_ctx_t *a)
{
    return a->d;
}

static size_t central_delta_len(const fc_algo_ctx_t *a)
{
    return 1 + a->d + a->d * a->d; /* ℓ_k, ∇ℓ_k, ∇²ℓ_k */
}

static void central_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *state)
{
    fc_copy(a->d, g->m, state);
}

static int central_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                         fc_work_t *w)
{
    fc_model_eval(a->model, c->data, state, &delta[0], delta + 1, delta + 1 + a->d, NULL,
                  fc_solver_ws_model_work(w->solver));
    return FC_OK;
}

/* Newton step on F: (δI + ΣH) s = −(δθ + Σ∇ℓ), Armijo backtracking as in the local
 * solver (SPEC "Local solver"), at most 30 halvings. */
static int central_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *sum,
                         const fc_oracle_t *oracle)
{
    size_t d = a->d;
    double *grad = g->scratch, *dir = g->scratch + d, *trial = g->scratch + 2 * d;
    double half_sq = fc_prior_value(a, g->m);
    double F = half_sq + sum[0];
    double scale = fabs(half_sq) + fabs(sum[0]);
    int err;
    fc_prior_gradient(a, g->m, sum + 1, grad);
    fc_copy(d * d, sum + 1 + d, g->L);
    for (size_t i = 0; i < d; i++)
        g->L[i * d + i] += a->delta;
    err = fc_chol(d, g->L, "Hessian of F");
    if (err) return err;
    for (size_t i = 0; i < d; i++)
        dir[i] = -grad[i];
    fc_chol_solve(d, g->L, dir);
    double gd = fc_dot(d, grad, dir), step = 1.0;
    g->stalled = 1;
    if (!(gd < 0.0)) return FC_OK; /* ∇F = 0 to working precision */
    for (int j = 0; j <= 30; j++, step *= 0.5) {
        double Ft;
        for (size_t i = 0; i < d; i++)
            trial[i] = g->m[i] + step * dir[i];
        err = oracle->objective(oracle->ctx, trial, &Ft);
        if (err) return err;
        if (Ft <= F + 1e-4 * step * gd + 100.0 * DBL_EPSILON * scale) {
            g->stalled = !(Ft < F);
            fc_copy(d, trial, g->m);
            return FC_OK;
        }
    }
    return FC_OK;
}

const fc_algo_ops_t fc_algo_central_ops = {
    .name = "central",
    .has_sites = 0,
    .uses_family = 0,
    .dense_server = 1,
    .default_local_steps = 50,
    .schedules = FC_SCHEDULE_BIT(FC_SCHED_SYNC),
    .keys = "", /* participation is ignored: Newton needs every client's terms */
    .state_len = central_state_len,
    .delta_len = central_delta_len,
    .pack = central_pack,
    .local = central_local,
    .apply = central_apply,
};
