/* fc_family_full.c — the full Gaussian family: H_k a symmetric PSD d×d matrix (SPEC §2).
 * The server keeps S_t and its Cholesky factor; the cavity needs a d×d scratch only when
 * damping > 1 can make it indefinite. */
#include "fc_family.h"
#include "fc_la.h"

static size_t full_prec_len(const fc_family_dims_t *fd)
{
    size_t d = fd->d;
    return d * d;
}

static size_t full_factor_len(const fc_family_dims_t *fd)
{
    size_t d = fd->d;
    return d * d;
}

/* Cavity precision and new site; plus the Cholesky scratch for the PD check. */
static size_t full_work_len(const fc_family_dims_t *fd, int check_pd)
{
    size_t d = fd->d;
    return (check_pd ? 3 : 2) * d * d;
}

static void full_prior(const fc_family_dims_t *fd, double delta, double *S)
{
    size_t d = fd->d;
    for (size_t i = 0; i < d; i++)
        S[i * d + i] = delta;
}

/* S m = rhs with rhs = Σh (+ δμ₀). */
static int full_posterior(const fc_family_dims_t *fd, double delta, const double *mu0,
                          const double *sum_h, const double *sum_H, double *m, double *S, double *L)
{
    size_t d = fd->d;
    fc_copy(d * d, sum_H, S);
    for (size_t i = 0; i < d; i++)
        S[i * d + i] += delta;
    fc_copy(d * d, S, L);
    int err = fc_chol(d, L, "server precision S_t");
    if (err) return err;
    fc_copy(d, sum_h, m);
    if (mu0) fc_axpy(d, delta, mu0, m);
    fc_chol_solve(d, L, m);
    return FC_OK;
}

/* S_\k = S_t − H_k;  S_\k m_\k = S_t m_t − h_k. */
static int full_cavity(const fc_family_dims_t *fd, size_t k, double rho, const double *m,
                       const double *S, const double *h, const double *H, double *P, double *b,
                       int check_pd, double *chol_tmp, fc_quad_t *q)
{
    size_t d = fd->d;
    (void)k;
    *q = (fc_quad_t){.ops = &fc_quad_full, .P = P, .rho = rho, .b = b};
    for (size_t i = 0; i < d * d; i++)
        P[i] = S[i] - H[i];
    fc_copy(d, h, b);
    fc_symv(d, 1.0, S, m, -1.0, b);
    if (!check_pd) return FC_OK;
    fc_copy(d * d, P, chol_tmp);
    return fc_chol(d, chol_tmp, "cavity precision");
}

/* The whole Hessian is the site's curvature. */
static void full_curvature(const fc_family_dims_t *fd, size_t k, const fc_model_t *m,
                           const fc_data_t *blk, const double *theta, const double *H_old,
                           double *g, double *H_new, double *h_new, double *work, double *scratch)
{
    (void)fd, (void)k, (void)H_old, (void)scratch;
    double loss;
    fc_model_eval(m, blk, theta, &loss, g, H_new, NULL, work);
    fc_symv(m->d, 1.0, H_new, theta, 0.0, h_new);
}

/* The same from the Hessian the local solver kept at θ. */
static void full_site_from_hessian(size_t d, const double *grad, const double *hess,
                                   const double *theta, double *g, double *H_new, double *h_new)
{
    fc_copy(d, grad, g);
    fc_copy(d * d, hess, H_new);
    fc_symv(d, 1.0, H_new, theta, 0.0, h_new);
}

/* ∇²ℓ_k + P = (∇²ℓ_k − H_k) + S_t ≈ S_t: the site's curvature stands for the client's. */
static const double *full_newton_guess(size_t d, const double *S)
{
    (void)d;
    return S;
}

static void full_site_gradient(const fc_family_dims_t *fd, const double *h, const double *H,
                               const double *theta, double *out)
{
    size_t d = fd->d;
    fc_copy(d, h, out);
    fc_symv(d, 1.0, H, theta, -1.0, out);
}

static void full_damp(const fc_family_dims_t *fd, size_t k, double alpha, double *h, double *H,
                      const double *h_new, const double *H_new, double *dh, double *dH)
{
    size_t d = fd->d;
    (void)k;
    fc_site_damp_linear(d, d * d, alpha, h, H, h_new, H_new, dh, dH);
}

const fc_family_ops_t fc_family_full_ops = {
    .name = "full",
    .cov_shape = FC_COV_FULL,
    .prec_len = full_prec_len,
    .factor_len = full_factor_len,
    .matrix_free = 0,
    .work_len = full_work_len,
    .prior = full_prior,
    .posterior = full_posterior,
    .cavity = full_cavity,
    .curvature = full_curvature,
    .site_from_hessian = full_site_from_hessian,
    .newton_guess = full_newton_guess,
    .site_gradient = full_site_gradient,
    .damp = full_damp,
};
