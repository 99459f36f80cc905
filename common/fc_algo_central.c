/* fc_algo_central.c — the reference (SPEC §3.5): Newton's method on
 * F(θ) = δ/2‖θ − μ₀‖² + Σ_k ℓ_k(θ), with the gradient and Hessian summed over the clients.
 * One round is one Newton step with an Armijo line search whose trial values come from
 * the oracle (a collective evaluation of F in the runtime). */
#include <float.h>
#include <math.h>

#include "fc_algo_impl.h"
#include "fc_la.h"

/* Variational (SPEC §10): the state adds q's precision, its factor L (full) or diagonal. */
static int variational(const fc_algo_ctx_t *a)
{
    return a->expect.kind != FC_EXPECT_POINT;
}

static size_t central_state_len(const fc_algo_ctx_t *a)
{
    return a->d + (variational(a) ? fc_vi_prec_len(a) : 0);
}

static size_t central_delta_len(const fc_algo_ctx_t *a)
{
    return 1 + a->d + a->d * a->d; /* ℓ_k, ∇ℓ_k, ∇²ℓ_k */
}

static void central_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *state)
{
    fc_copy(a->d, g->m, state);
    if (variational(a))
        fc_copy(fc_vi_prec_len(a), a->cov == FC_COV_FULL ? g->L : g->S, state + a->d);
}

/* The client's E_q[ℓ_k], E_q[∇ℓ_k], E_q[∇²ℓ_k] at the server's q, with the same mc draws every
 * round (stream round 0), so that q* is the fixed point of one sample-average objective. */
static int central_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                         fc_work_t *w)
{
    size_t d = a->d;
    if (variational(a)) {
        fc_prec_t q = {a->cov, state + d, state + d, a->delta};
        fc_vi_eval(&a->expect, a->model, c->data, state, &q, c->k, 0, &delta[0], delta + 1,
                   delta + 1 + d, NULL, w->vi);
        return FC_OK;
    }
    fc_model_eval(a->model, c->data, state, &delta[0], delta + 1, delta + 1 + a->d, NULL,
                  fc_solver_ws_model_work(w->solver));
    return FC_OK;
}

/* SPEC §10, the central variational posterior: with the expectations at q = (m, S),
 * S ← δI + ΣE[∇²ℓ_k] (diag: its diagonal, the mean-field fixed point) and a Newton step on
 * the mean with the full expected Hessian, d = −(δI + ΣE[∇²ℓ_k])⁻¹(δ(m − μ₀) + ΣE[∇ℓ_k]),
 * with Armijo backtracking on E_q[F] at the old covariance (from a vague q the expected
 * curvature is small and a full step overshoots). settled: S moved by at most 1e-13
 * relatively; stalled: neither m nor S moved. The Newton factor is built in sum_H (full:
 * it is chol(S_new), L then) or in L (diag), so the old covariance stays for the search. */
static int central_vi_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *sum,
                            const fc_oracle_t *oracle)
{
    size_t d = a->d, nq = fc_vi_prec_len(a);
    int full = nq == d * d && a->cov == FC_COV_FULL;
    double *grad = g->scratch, *dir = g->scratch + d, *trial = g->scratch + 2 * d;
    double *NB = full ? g->sum_H : g->L, *Snew = full ? g->S : g->sum_H;
    const double *old = full ? g->L : g->S;
    double num = 0.0, den = 0.0;
    fc_prior_gradient(a, g->m, sum + 1, grad);
    fc_copy(d * d, sum + 1 + d, NB);
    for (size_t i = 0; i < d; i++)
        NB[i * d + i] += a->delta;
    for (size_t i = 0; i < nq; i++) {
        double s = full ? NB[i] : NB[i * d + i];
        double o = full ? g->S[i] : g->S[i];
        num += (s - o) * (s - o);
        den += s * s;
        Snew[i] = s;
    }
    int err = fc_chol(d, NB, "central variational precision");
    if (err) return err;
    for (size_t i = 0; i < d; i++)
        dir[i] = -grad[i];
    fc_chol_solve(d, NB, dir);
    double gd = fc_dot(d, grad, dir), F0 = fc_prior_value(a, g->m) + sum[0], step = 1.0;
    int moved = 0;
    for (int j = 0; gd < 0.0 && j <= 30; j++, step *= 0.5) {
        double Ft;
        for (size_t i = 0; i < d; i++)
            trial[i] = g->m[i] + step * dir[i];
        err = oracle->expected(oracle->ctx, trial, old, &Ft);
        if (err) return err;
        if (Ft <= F0 + 1e-4 * step * gd + 100.0 * DBL_EPSILON * fabs(F0)) {
            for (size_t i = 0; i < d; i++)
                moved |= trial[i] != g->m[i];
            fc_copy(d, trial, g->m);
            break;
        }
    }
    if (full)
        fc_copy(d * d, NB, g->L);
    else
        fc_copy(d, Snew, g->S);
    g->settled = num <= 1e-26 * den;
    g->stalled = g->settled && !moved;
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
    if (variational(a)) return central_vi_apply(a, g, sum, oracle);
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
    /* participation is ignored: Newton needs every client's terms */
    .keys = "expectation quadrature_points mc_samples",
    .expectations = 1,
    .vi_family = 1,
    .state_len = central_state_len,
    .delta_len = central_delta_len,
    .pack = central_pack,
    .local = central_local,
    .apply = central_apply,
};
