/* fc_algo_sites.c — the site-based algorithms: federated posterior correction (SPEC §3.1)
 * and partitioned variational inference (SPEC §3.2). They share the state (m, S) and the
 * cavity; they differ in how hard the local problem is solved and in the new site. */
#include <math.h>

#include "fc_algo_impl.h"
#include "fc_family.h"
#include "fc_la.h"

typedef enum { NEW_SITE_NATURAL_GRADIENT, NEW_SITE_RATIO } new_site_rule_t;

static size_t sites_state_len(const fc_algo_ctx_t *a)
{
    return a->d + fc_family_prec_len(a->family, a->d); /* m, then S */
}

static size_t sites_delta_len(const fc_algo_ctx_t *a)
{
    return a->d + fc_family_prec_len(a->family, a->d); /* Δh, then ΔH */
}

static void sites_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *state)
{
    fc_copy(a->d, g->m, state);
    fc_copy(fc_family_prec_len(a->family, a->d), g->S, state + a->d);
}

/* H_new and h_new = H_new θ for the family's projection of ∇²ℓ_k(θ) (SPEC §3.1 step 3:
 * full Hessian, its diagonal for diag, 0 for iso); g = ∇ℓ_k(θ). */
static void site_curvature(const fc_algo_ctx_t *a, const fc_client_t *c, const double *theta,
                           fc_work_t *w)
{
    size_t d = a->d;
    double loss, *work = fc_solver_ws_model_work(w->solver);
    switch (a->family) {
    case FC_FAMILY_FULL:
        fc_model_eval(a->model, c->data, theta, &loss, w->g, w->H_new, NULL, work);
        fc_symv(d, 1.0, w->H_new, theta, 0.0, w->h_new);
        break;
    case FC_FAMILY_DIAG:
        fc_model_eval(a->model, c->data, theta, &loss, w->g, NULL, w->H_new, work);
        for (size_t i = 0; i < d; i++)
            w->h_new[i] = w->H_new[i] * theta[i];
        break;
    case FC_FAMILY_ISO:
        fc_model_eval(a->model, c->data, theta, &loss, w->g, NULL, NULL, work);
        fc_zero(d, w->h_new);
        break;
    }
}

static int sites_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                       fc_work_t *w, new_site_rule_t rule)
{
    size_t d = a->d, np = fc_family_prec_len(a->family, d);
    const double *m = state, *S = state + d;
    fc_quad_t q;
    fc_solve_info_t info;
    int err = fc_family_cavity(a->family, d, a->penalty, m, S, c->h, c->H, w->P, w->b,
                               a->damping > 1.0, w->chol, &q);
    if (err) return err;
    /* Step 2: local correction step, started from the server mean. */
    fc_copy(d, m, w->theta);
    err = fc_solve_local(a->model, c->data, &q, &a->local, w->theta, w->solver, &info);
    if (err) return err;
    site_curvature(a, c, w->theta, w);
    if (rule == NEW_SITE_NATURAL_GRADIENT) {
        /* FPC: h_new = H_new m_k − ∇ℓ_k(m_k). */
        fc_axpy(d, -1.0, w->g, w->h_new);
    } else {
        /* PVI ratio: h_new = S_k m_k − S_\k m_\k with S_k = S_\k + H_new, i.e.
         * H_new m_k + P m_k − b (iso: h_k + ρ(m_k − m_t)). */
        switch (q.shape) {
        case FC_QUAD_FULL:
            fc_symv(d, 1.0, q.P, w->theta, 1.0, w->h_new);
            break;
        case FC_QUAD_DIAG:
            for (size_t i = 0; i < d; i++)
                w->h_new[i] += q.P[i] * w->theta[i];
            break;
        case FC_QUAD_ISO:
            fc_axpy(d, q.rho, w->theta, w->h_new);
            break;
        }
        fc_axpy(d, -1.0, q.b, w->h_new);
    }
    if (!fc_all_finite(d, w->h_new) || !fc_all_finite(np, w->H_new))
        return fc_err_set(FC_ENUMERIC, "new site is not finite");
    fc_site_damp(d, np, a->damping, c->h, c->H, w->h_new, w->H_new, delta, delta + d);
    return FC_OK;
}

static int fpc_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                     fc_work_t *w)
{
    return sites_local(a, c, state, delta, w, NEW_SITE_NATURAL_GRADIENT);
}

static int pvi_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                     fc_work_t *w)
{
    return sites_local(a, c, state, delta, w, NEW_SITE_RATIO);
}

/* Client k's term in (D): [h_k, H_k]. */
static void sites_contribution(const fc_algo_ctx_t *a, const fc_client_t *c, double *out)
{
    size_t d = a->d, np = fc_family_prec_len(a->family, d);
    fc_copy(d, c->h, out);
    if (np) fc_copy(np, c->H, out + d);
}

/* Server: Σh, ΣH := the totals, then (D). */
static int sites_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *totals,
                       const fc_oracle_t *oracle)
{
    size_t d = a->d, np = fc_family_prec_len(a->family, d);
    (void)oracle;
    fc_copy(d, totals, g->sum_h);
    if (np) fc_copy(np, totals + d, g->sum_H);
    return fc_family_posterior(a->family, d, a->delta, g->sum_h, g->sum_H, g->m, g->S, g->L);
}

const fc_algo_ops_t fc_algo_fpc_ops = {
    .name = "fpc",
    .has_sites = 1,
    .uses_family = 1,
    .state_len = sites_state_len,
    .delta_len = sites_delta_len,
    .pack = sites_pack,
    .local = fpc_local,
    .contribution = sites_contribution,
    .apply = sites_apply,
};

const fc_algo_ops_t fc_algo_pvi_ops = {
    .name = "pvi",
    .has_sites = 1,
    .uses_family = 1,
    .state_len = sites_state_len,
    .delta_len = sites_delta_len,
    .pack = sites_pack,
    .local = pvi_local,
    .contribution = sites_contribution,
    .apply = sites_apply,
};
