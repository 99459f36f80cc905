/* fc_algo_bayes_admm.c — Bayes-ADMM (Möllenhoff et al., ICLR 2026; SPEC §10), families full
 * and diag. ADMM in the natural parameters η = (S m, S) of Gaussians: client k holds the
 * Lagrangian site ν_k = (v_k, V_k) (stored as the site h, H) and its local posterior
 * q_k = N(m_k, S_k⁻¹) (θ_k and the extra state), and solves against the server's q_g
 *     q_k = argmin_q E_q[ℓ_k − ℓ̂_{ν_k}] + ρ KL(q ‖ q_g),   ℓ̂_ν(θ) = ½θᵀVθ − vᵀθ,
 * whose stationarity is the variational local step with the cavity P = ρS_g − V_k,
 * b = ρS_g m_g − v_k and S_k = (P + G)/ρ (G the family's E_{q_k}[∇²ℓ_k], or ∇²ℓ_k(m_k) for
 * point: Laplace). Duals: v_k += αρ(S_k m_k − S_g m_g), V_k += αρ(S_k − S_g). Server, with
 * a = 1/(1 + Kρ):  S_g = (1−a)·mean_k S_k + a(δI + Σ_k V_k),
 *                  S_g m_g = (1−a)·mean_k S_k m_k + a(δμ₀ + Σ_k v_k).
 * A client stores E_k = S_k − δI (zero before its first update, so that q_k starts as the
 * prior and the server's sums start at q_0); the server then adds (1−a)δI + aδI = δI, which
 * is the family's posterior (D) with δ, on the totals of the contributions
 *     [(1−a)/K·S_k m_k + a v_k,  (1−a)/K·E_k + a V_k]. */
#include "fc_algo_impl.h"
#include "fc_la.h"

static size_t prec_len(const fc_algo_ctx_t *a)
{
    return fc_vi_prec_len(a); /* d×d (full) or d (diag): the config refuses the others */
}

static size_t ba_len(const fc_algo_ctx_t *a)
{
    return a->d + prec_len(a); /* m_g, S_g down; the contribution's change up */
}

static double ba_a(const fc_algo_ctx_t *a)
{
    return 1.0 / (1.0 + (double)a->K * a->penalty);
}

/* y = M x + beta y for a precision-shaped M. */
static void prec_mul(const fc_algo_ctx_t *a, double alpha, const double *M, const double *x,
                     double beta, double *y)
{
    size_t d = a->d;
    if (a->cov == FC_COV_FULL) {
        fc_symv(d, alpha, M, x, beta, y);
        return;
    }
    for (size_t i = 0; i < d; i++)
        y[i] = alpha * M[i] * x[i] + beta * y[i];
}

static void prec_add_delta(const fc_algo_ctx_t *a, double s, double *M)
{
    size_t d = a->d;
    for (size_t i = 0; i < d; i++)
        M[a->cov == FC_COV_FULL ? i * d + i : i] += s;
}

static void ba_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *state)
{
    fc_copy(a->d, g->m, state);
    fc_copy(prec_len(a), g->S, state + a->d);
}

/* out += sign · [(1−a)/K·S_k m_k + a v_k, (1−a)/K·E_k + a V_k], S_k = E_k + δI. */
static void add_contribution(const fc_algo_ctx_t *a, const fc_client_t *c, double sign, double *out)
{
    size_t d = a->d, nq = prec_len(a);
    double wk = sign * (1.0 - ba_a(a)) / (double)a->K, wa = sign * ba_a(a);
    prec_mul(a, wk, c->extra, c->theta, 1.0, out);
    fc_axpy(d, wk * a->delta, c->theta, out);
    fc_axpy(d, wa, c->h, out);
    fc_axpy(nq, wk, c->extra, out + d);
    fc_axpy(nq, wa, c->H, out + d);
}

static void ba_contribution(const fc_algo_ctx_t *a, const fc_client_t *c, double *out)
{
    fc_zero(ba_len(a), out);
    add_contribution(a, c, 1.0, out);
}

/* The cavity quadratic P = ρS_g − V_k, b = ρS_g m_g − v_k into w->P, w->b. */
static fc_quad_t ba_cavity(const fc_algo_ctx_t *a, const fc_client_t *c, const double *m,
                           const double *S, fc_work_t *w)
{
    size_t d = a->d, nq = prec_len(a);
    for (size_t i = 0; i < nq; i++)
        w->P[i] = a->penalty * S[i] - c->H[i];
    fc_copy(d, c->h, w->b);
    prec_mul(a, a->penalty, S, m, -1.0, w->b);
    return (fc_quad_t){a->cov == FC_COV_FULL ? &fc_quad_full : &fc_quad_diag, w->P, a->penalty,
                       w->b, NULL};
}

/* Point (Laplace): m_k = argmin ℓ_k + ½θᵀPθ − bᵀθ by the Newton solver, G = ∇²ℓ_k(m_k) (diag:
 * its diagonal) into w->H_new, and w->Qn = P + G. */
static int point_local(const fc_algo_ctx_t *a, const fc_client_t *c, const fc_quad_t *q,
                       const double *m, fc_work_t *w)
{
    size_t nq = prec_len(a);
    double loss;
    fc_copy(a->d, m, w->theta);
    int err = fc_solve_local(a->model, c->data, q, &a->local, w->theta, w->solver, NULL);
    if (err) return err;
    fc_model_eval(a->model, c->data, w->theta, &loss, w->g, a->cov == FC_COV_FULL ? w->H_new : NULL,
                  a->cov == FC_COV_FULL ? NULL : w->H_new, fc_work_model(w));
    for (size_t i = 0; i < nq; i++)
        w->Qn[i] = w->P[i] + w->H_new[i];
    return FC_OK;
}

static int ba_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                    fc_work_t *w)
{
    size_t d = a->d, nq = prec_len(a);
    const double *m = state, *S = state + d;
    double step = a->damping * a->penalty;
    fc_quad_t q = ba_cavity(a, c, m, S, w);
    int err;
    if (a->expect.kind == FC_EXPECT_POINT) {
        err = point_local(a, c, &q, m, w);
    } else {
        for (size_t i = 0; i < nq; i++) /* start from P + V_k = ρS_g */
            w->Qn[i] = a->penalty * S[i];
        err = fc_vi_local(a, c, &q, m, w->Qn, a->penalty, w);
    }
    if (err) return err;
    if (!fc_all_finite(d, w->theta) || !fc_all_finite(nq, w->Qn))
        return fc_err_set(FC_ENUMERIC, "local posterior is not finite");
    fc_zero(ba_len(a), delta);
    add_contribution(a, c, -1.0, delta);
    /* S_k = (P + G)/ρ; duals against q_g: v += αρ(S_k m_k − S_g m_g), V += αρ(S_k − S_g). */
    for (size_t i = 0; i < nq; i++) {
        double Sk = w->Qn[i] / a->penalty;
        c->H[i] += step * (Sk - S[i]);
        c->extra[i] = Sk;
    }
    prec_mul(a, step, c->extra, w->theta, 1.0, c->h);
    prec_mul(a, -step, S, m, 1.0, c->h);
    prec_add_delta(a, -a->delta, c->extra); /* E_k = S_k − δI */
    fc_copy(d, w->theta, c->theta);
    add_contribution(a, c, 1.0, delta);
    return FC_OK;
}

/* S_g = δI + totals_H, S_g m_g = totals_h + aδμ₀: the family's (D) with δ, after taking
 * (1 − a)δμ₀ back out of the prior's mean term. */
static int ba_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *totals,
                    const fc_oracle_t *oracle)
{
    size_t d = a->d, nq = prec_len(a);
    double *rhs = g->scratch;
    (void)oracle;
    fc_copy(d, totals, g->sum_h);
    fc_copy(nq, totals + d, g->sum_H);
    fc_copy(d, totals, rhs);
    if (a->mu0) fc_axpy(d, (ba_a(a) - 1.0) * a->delta, a->mu0, rhs);
    return a->family->posterior(&a->fd, a->delta, a->mu0, rhs, g->sum_H, g->m, g->S, g->L);
}

static size_t ba_extra_len(const fc_algo_ctx_t *a)
{
    return prec_len(a);
}

const fc_algo_ops_t fc_algo_bayes_admm_ops = {
    .name = "bayes_admm",
    .partial_participation = 1,
    .has_sites = 1,
    .uses_family = 1,
    .default_local_steps = 50,
    .exact_local_solve = 1,
    .schedules = FC_SCHEDULE_BIT(FC_SCHED_SYNC),
    .keys = "family damping penalty participation local_steps local_tol expectation "
            "quadrature_points mc_samples",
    .expectations = 1,
    .needs_precision = 1,
    .client_extra_len = ba_extra_len,
    .state_len = ba_len,
    .delta_len = ba_len,
    .pack = ba_pack,
    .local = ba_local,
    .contribution = ba_contribution,
    .apply = ba_apply,
};
