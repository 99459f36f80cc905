/* fc_algo_sites.c — the site-based algorithms: federated posterior correction (SPEC §3.1)
 * and partitioned variational inference (SPEC §3.2). They share the state (m, S) and the
 * cavity; they differ in how hard the local problem is solved and in the new site. */
#include <math.h>

#include "fc_algo_impl.h"
#include "fc_la.h"

typedef enum { NEW_SITE_NATURAL_GRADIENT, NEW_SITE_RATIO } new_site_rule_t;

static size_t sites_state_len(const fc_algo_ctx_t *a)
{
    return a->d + a->family->prec_len(&a->fd); /* m, then S */
}

static size_t sites_delta_len(const fc_algo_ctx_t *a)
{
    return a->d + a->family->prec_len(&a->fd); /* Δh, then ΔH */
}

/* m and h down and up, plus the precision parts the family needs on the wire. */
static size_t sites_wire_len(const fc_algo_ctx_t *a)
{
    const fc_family_ops_t *f = a->family;
    size_t np = f->prec_len(&a->fd);
    if (!f->wire_len) return 2 * (a->d + np);
    return 2 * a->d + f->wire_len(&a->fd, 0) + f->wire_len(&a->fd, 1);
}

static void sites_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *state)
{
    fc_copy(a->d, g->m, state);
    fc_copy(a->family->prec_len(&a->fd), g->S, state + a->d);
}

/* SPEC §3.1 steps 2–3 (point): the local Newton solve and the site's curvature at m_k. */
static int point_step(const fc_algo_ctx_t *a, fc_client_t *c, const double *m, const double *S,
                      const fc_quad_t *q, fc_work_t *w)
{
    size_t d = a->d;
    fc_solve_info_t info;
    /* Step 2: local correction step from the server mean, or, where the local problem is
     * solved to tolerance (fpc), from the client's last m_k when that is nearer the new
     * solution, with the family's guess of the Newton matrix for the first step
     * (fc_solve_local_warm). PVI's inexact step stays one Newton step from m_t (SPEC §3.2). */
    int exact = a->ops->exact_local_solve;
    fc_solve_start_t start = {
        .cold = m,
        .warm = exact ? c->theta : NULL,
        .keep_hessian = a->family->site_from_hessian != NULL,
        .guess = exact && a->family->newton_guess ? a->family->newton_guess(d, S) : NULL};
    int err =
        fc_solve_local_warm(a->model, c->data, q, &a->local, &start, w->theta, w->solver, &info);
    if (err) return err;
    /* Step 3: g, the family's projection of the curvature, and h_new = H_new m_k; from the
     * Hessian the solver formed at m_k when it kept one. */
    const double *grad, *hess = fc_solver_kept_hessian(w->solver, &grad);
    if (hess)
        a->family->site_from_hessian(d, grad, hess, w->theta, w->g, w->H_new, w->h_new);
    else
        a->family->curvature(&a->fd, c->k, a->model, c->data, w->theta, c->H, w->g, w->H_new,
                             w->h_new, fc_solver_ws_model_work(w->solver), w->scratch);
    return FC_OK;
}

static int sites_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                       fc_work_t *w, new_site_rule_t rule)
{
    size_t d = a->d, np = fc_family_site_len(a->family, &a->fd);
    const double *m = state, *S = state + d;
    fc_quad_t q;
    int err = a->family->cavity(&a->fd, c->k, a->penalty, m, S, c->h, c->H, w->P, w->b,
                                a->damping > 1.0, w->chol, &q);
    if (err) return err;
    if (a->expect.kind != FC_EXPECT_POINT) {
        /* SPEC §10: the variational local step from (m_t, S_t), the site from E_{q_k}. */
        err = fc_vi_local(a, c, &q, m, S, 1.0, w);
        if (err) return err;
        a->family->site_gradient(&a->fd, w->zero, w->H_new, w->theta, w->h_new); /* H_new m_k */
    } else {
        err = point_step(a, c, m, S, &q, w);
        if (err) return err;
    }
    if (rule == NEW_SITE_NATURAL_GRADIENT) {
        /* FPC: h_new = H_new m_k − ∇ℓ_k(m_k). */
        fc_axpy(d, -1.0, w->g, w->h_new);
    } else {
        /* PVI ratio: h_new = S_k m_k − S_\k m_\k with S_k = S_\k + H_new, i.e.
         * H_new m_k + P m_k − b (iso: h_k + ρ(m_k − m_t)). */
        q.ops->apply_add(&q, d, w->theta, w->h_new);
        fc_axpy(d, -1.0, q.b, w->h_new);
    }
    if (!fc_all_finite(d, w->h_new) || !fc_all_finite(np, w->H_new))
        return fc_err_set(FC_ENUMERIC, "new site is not finite");
    a->family->damp(&a->fd, c->k, a->damping, c->h, c->H, w->h_new, w->H_new, delta, delta + d);
    /* The client's last local solution m_k, part of its state (checkpoints; the map whose
     * radius fc_server_radius measures overwrites it every round, as ADMM's θ_k). */
    fc_copy(d, w->theta, c->theta);
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
    size_t d = a->d, np = a->family->prec_len(&a->fd);
    fc_copy(d, c->h, out);
    if (a->family->place)
        a->family->place(&a->fd, c->k, c->H, out + d);
    else if (np)
        fc_copy(np, c->H, out + d);
}

/* Server: Σh, ΣH := the totals, then (D). */
static int sites_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *totals,
                       const fc_oracle_t *oracle)
{
    size_t d = a->d, np = a->family->prec_len(&a->fd);
    (void)oracle;
    fc_copy(d, totals, g->sum_h);
    if (np) fc_copy(np, totals + d, g->sum_H);
    return a->family->posterior(&a->fd, a->delta, a->mu0, g->sum_h, g->sum_H, g->m, g->S, g->L);
}

/* The fixed point at θ* of FPC and PVI alike: the natural-gradient site at θ*,
 * H_k = the family's curvature at θ*, h_k = H_k θ* − ∇ℓ_k(θ*) (SPEC §3.1: the site's
 * gradient then matches the client's, the correction is 0). */
static void sites_fixed_point(const fc_algo_ctx_t *a, fc_client_t *c, const double *theta_star,
                              fc_work_t *w)
{
    size_t d = a->d, np = fc_family_site_len(a->family, &a->fd);
    a->family->curvature(&a->fd, c->k, a->model, c->data, theta_star, c->H, w->g, w->H_new,
                         w->h_new, fc_work_model(w), w->scratch);
    fc_axpy(d, -1.0, w->g, w->h_new);
    fc_copy(d, w->h_new, c->h);
    if (np) fc_copy(np, w->H_new, c->H);
    fc_copy(d, theta_star, c->theta);
}

/* Tseng's condition ρ < 2δ/(αK) holds for the families whose local posteriors have the
 * fixed precision ρI (iso): FPC-iso and PVI-iso are AMA (SPEC §3.1, §3.4). */
static double sites_stability_bound(const fc_family_ops_t *family, double delta, double damping,
                                    size_t K)
{
    fc_family_dims_t one = {1, 1, 1, 1, 0};
    if (family->prec_len(&one) != 0) return NAN;
    return 2.0 * delta / (damping * (double)K);
}

#define SITES_KEYS                                                                                 \
    "family damping penalty schedule participation local_steps local_tol local_solver rank "       \
    "server_rank max_staleness staleness_damping expectation quadrature_points mc_samples"

const fc_algo_ops_t fc_algo_fpc_ops = {
    .name = "fpc",
    .partial_participation = 1,
    .has_sites = 1,
    .uses_family = 1,
    .default_local_steps = 50,
    .exact_local_solve = 1,
    .schedules = FC_SCHEDULE_BIT(FC_SCHED_SYNC) | FC_SCHEDULE_BIT(FC_SCHED_SEQ) |
                 FC_SCHEDULE_BIT(FC_SCHED_ASYNC),
    .keys = SITES_KEYS,
    .expectations = 1,
    .stability_bound = sites_stability_bound,
    .fixed_point = sites_fixed_point,
    .state_len = sites_state_len,
    .delta_len = sites_delta_len,
    .wire_len = sites_wire_len,
    .pack = sites_pack,
    .local = fpc_local,
    .contribution = sites_contribution,
    .apply = sites_apply,
};

const fc_algo_ops_t fc_algo_pvi_ops = {
    .name = "pvi",
    .partial_participation = 1,
    .has_sites = 1,
    .uses_family = 1,
    .default_local_steps = 1, /* SPEC "Local solver": PVI's inexact local step */
    .schedules = FC_SCHEDULE_BIT(FC_SCHED_SYNC) | FC_SCHEDULE_BIT(FC_SCHED_SEQ) |
                 FC_SCHEDULE_BIT(FC_SCHED_ASYNC),
    .keys = SITES_KEYS,
    .expectations = 1,
    .stability_bound = sites_stability_bound,
    .fixed_point = sites_fixed_point,
    .state_len = sites_state_len,
    .delta_len = sites_delta_len,
    .wire_len = sites_wire_len,
    .pack = sites_pack,
    .local = pvi_local,
    .contribution = sites_contribution,
    .apply = sites_apply,
};
