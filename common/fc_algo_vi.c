/* fc_algo_vi.c — the variational local step of SPEC §10, shared by fpc, pvi and bayes_admm:
 *     q_k = argmin_q E_q[ℓ_k] + KL(q ‖ cavity)   over the family,
 * solved to its fixed point  S_k = P + G,  P m − b + E_q[∇ℓ_k] = 0  (G the family's projection
 * of E_q[∇²ℓ_k], P and b the cavity's quadratic) by natural-gradient steps with step 1:
 *     Q ← P + G(q),   m ← m − (P + E_q[∇²ℓ_k])⁻¹ (P m − b + E_q[∇ℓ_k]),
 * i.e. Newton's method on the mean with the expected Hessian (for full Gaussians this is the
 * natural gradient exactly; for diag and iso the full expected Hessian keeps the mean step a
 * Newton step, where a diagonal one can overshoot on correlated features) while the precision
 * follows the fixed-point map. It stops like the Newton solver: when the mean residual is at
 * most local_tol·max(1, its start) and the precision moved by at most local_tol relatively,
 * when three steps in a row make no progress (the floating-point floor, or mc noise), or after
 * local_steps steps. */
#include <float.h>
#include <math.h>

#include "fc_algo_impl.h"
#include "fc_la.h"

size_t fc_vi_prec_len(const fc_algo_ctx_t *a)
{
    return a->cov == FC_COV_FULL ? a->d * a->d : a->cov == FC_COV_DIAG ? a->d : 0;
}

int fc_vi_prec(const fc_algo_ctx_t *a, const double *Q, double iso, double tau, fc_work_t *w,
               const char *what, fc_prec_t *q)
{
    size_t d = a->d;
    *q = (fc_prec_t){a->cov, NULL, NULL, iso / tau};
    if (a->cov == FC_COV_FULL) {
        fc_copy(d * d, Q, w->Lq);
        int err = fc_chol(d, w->Lq, what);
        if (err) return err;
        fc_scal(d * d, 1.0 / sqrt(tau), w->Lq);
        q->L = w->Lq;
    } else if (a->cov == FC_COV_DIAG) {
        for (size_t i = 0; i < d; i++) {
            if (!(Q[i] > 0.0))
                return fc_err_set(FC_ENOTSPD, "%s is not positive definite (entry %zu: %g)", what,
                                  i, Q[i]);
            w->Lq[i] = Q[i] / tau;
        }
        q->s = w->Lq;
    }
    return FC_OK;
}

/* Qn = P + the family's projection of G (full: all of it; diag: its diagonal); returns
 * ‖Qn − Q‖ / ‖Qn‖ (0 for iso, whose precision is fixed). */
static double precision_update(const fc_algo_ctx_t *a, const fc_quad_t *cav, fc_work_t *w)
{
    size_t d = a->d, nq = fc_vi_prec_len(a);
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < nq; i++) {
        double g = a->cov == FC_COV_FULL ? w->G[i] : w->G[i * d + i];
        w->Qn[i] = cav->P[i] + g;
        num += (w->Qn[i] - w->Q[i]) * (w->Qn[i] - w->Q[i]);
        den += w->Qn[i] * w->Qn[i];
    }
    return den > 0.0 ? sqrt(num / den) : 0.0;
}

/* The site's curvature in the family's layout: G (full) or its diagonal (diag). */
static void project_site(const fc_algo_ctx_t *a, fc_work_t *w)
{
    size_t d = a->d, nq = fc_vi_prec_len(a);
    for (size_t i = 0; i < nq; i++)
        w->H_new[i] = a->cov == FC_COV_FULL ? w->G[i] : w->G[i * d + i];
}

/* The local objective in the mean at a fixed q's covariance: f(m) = E_q[ℓ_k] + ½mᵀPm − bᵀm
 * (the KL's other terms do not depend on m). */
static double local_objective(const fc_algo_ctx_t *a, const fc_client_t *c, const fc_quad_t *cav,
                              const fc_prec_t *q, const double *m, double *loss, fc_work_t *w)
{
    size_t d = a->d;
    if (!loss) {
        double l;
        fc_vi_eval(&a->expect, a->model, c->data, m, q, c->k, (uint64_t)w->round, &l, NULL, NULL,
                   NULL, w->vi);
        return local_objective(a, c, cav, q, m, &l, w);
    }
    cav->ops->apply(cav, d, m, w->tmp);
    return *loss + 0.5 * fc_dot(d, m, w->tmp) - fc_dot(d, cav->b, m);
}

/* m ← m + t Δ, Δ = −(P + E_q[∇²ℓ_k])⁻¹ r, t from 1 halving until Armijo's condition holds on
 * f at the current covariance (as the Newton solver's: SPEC "Local solver"): from a vague q
 * the expected curvature is small and a full step would overshoot. */
static int mean_step(const fc_algo_ctx_t *a, const fc_client_t *c, const fc_quad_t *cav,
                     const fc_prec_t *q, double loss, fc_work_t *w)
{
    size_t d = a->d;
    double *trial = w->h_new; /* free until the site is formed */
    fc_copy(d * d, w->G, w->N);
    cav->ops->add_dense(cav, d, w->N);
    int err = fc_chol(d, w->N, "local variational Newton matrix");
    if (err) return err;
    for (size_t i = 0; i < d; i++)
        w->dm[i] = -w->r[i];
    fc_chol_solve(d, w->N, w->dm);
    double gd = fc_dot(d, w->r, w->dm), f0 = local_objective(a, c, cav, q, w->theta, &loss, w);
    if (!(gd < 0.0)) return FC_OK; /* the floating-point floor */
    double step = 1.0;
    for (int j = 0; j <= 30; j++, step *= 0.5) {
        fc_copy(d, w->theta, trial);
        fc_axpy(d, step, w->dm, trial);
        double f = local_objective(a, c, cav, q, trial, NULL, w);
        if (f <= f0 + 1e-4 * step * gd + 100.0 * DBL_EPSILON * fabs(f0)) {
            fc_copy(d, trial, w->theta);
            return FC_OK;
        }
    }
    return FC_OK;
}

int fc_vi_local(const fc_algo_ctx_t *a, const fc_client_t *c, const fc_quad_t *cav,
                const double *m0, const double *Q0, double tau, fc_work_t *w)
{
    size_t d = a->d, nq = fc_vi_prec_len(a);
    double tol = a->local.tol, r0 = 0.0, best = INFINITY;
    int stall = 0, err;
    fc_copy(d, m0, w->theta);
    if (nq) fc_copy(nq, Q0, w->Q);
    for (int it = 0;; it++) {
        fc_prec_t q;
        double loss;
        err = fc_vi_prec(a, w->Q, cav->rho, tau, w, "local variational precision", &q);
        if (err) return err;
        fc_vi_eval(&a->expect, a->model, c->data, w->theta, &q, c->k, (uint64_t)w->round, &loss,
                   w->g, w->G, NULL, w->vi);
        /* r = E_q[∇ℓ_k] + P m − b: the gradient of the local objective in the mean. */
        fc_copy(d, w->g, w->r);
        cav->ops->apply_add(cav, d, w->theta, w->r);
        fc_axpy(d, -1.0, cav->b, w->r);
        double rn = fc_nrm2(d, w->r), dq = precision_update(a, cav, w);
        if (!isfinite(rn) || !isfinite(dq))
            return fc_err_set(FC_ENUMERIC, "local variational step is not finite");
        if (it == 0) r0 = rn;
        double progress = fmax(rn / fmax(1.0, r0), dq);
        if ((rn <= tol * fmax(1.0, r0) && dq <= tol) || it >= a->local.max_steps) break;
        stall = progress < best ? 0 : stall + 1;
        if (progress < best) best = progress;
        if (stall >= 3) break;
        err = mean_step(a, c, cav, &q, loss, w);
        if (err) return err;
        if (nq) fc_copy(nq, w->Qn, w->Q);
    }
    project_site(a, w);
    return FC_OK;
}
