/* fc_ext_scalar.c — a Gaussian family written outside the library, as a user would: sites
 * H_k = c_k·I with one number per site, c_k the mean of the Hessian's diagonal at the local
 * solution (a scalar curvature, between iso's fixed ρ and diag's d numbers). It exists to
 * prove that a family is one file plus fc_family_register: nothing in common/, client/ or
 * server/ knows it. Every family's fixed point is θ* (the site's gradient matches the
 * client's at the solution), so FPC with it converges there. */
#include "fc_ext.h"
#include "fc_la.h"

static size_t scalar_prec_len(const fc_family_dims_t *fd)
{
    (void)fd;
    return 1;
}

static size_t scalar_factor_len(const fc_family_dims_t *fd)
{
    (void)fd;
    return 0;
}

static size_t scalar_work_len(const fc_family_dims_t *fd, int check_pd)
{
    (void)fd, (void)check_pd;
    return 2;
}

static void scalar_prior(const fc_family_dims_t *fd, double delta, double *S)
{
    size_t d = fd->d;
    (void)d;
    S[0] = delta;
}

/* S = (δ + Σc_k) I, so m = (Σh + δμ₀) / S. */
static int scalar_posterior(const fc_family_dims_t *fd, double delta, const double *mu0,
                            const double *sum_h, const double *sum_H, double *m, double *S,
                            double *L)
{
    size_t d = fd->d;
    (void)L;
    S[0] = delta + sum_H[0];
    if (!(S[0] > 0.0))
        return fc_err_set(FC_ENOTSPD, "server precision S_t is not positive definite (%g)", S[0]);
    for (size_t i = 0; i < d; i++)
        m[i] = (mu0 ? sum_h[i] + delta * mu0[i] : sum_h[i]) / S[0];
    return FC_OK;
}

/* Cavity P = (S − c_k) I, b = S m − h_k: a ρI quadratic with ρ = P. */
static int scalar_cavity(const fc_family_dims_t *fd, size_t k, double rho, const double *m,
                         const double *S, const double *h, const double *H, double *P, double *b,
                         int check_pd, double *chol_tmp, fc_quad_t *q)
{
    size_t d = fd->d;
    (void)k;
    (void)rho, (void)check_pd, (void)chol_tmp;
    P[0] = S[0] - H[0];
    if (!(P[0] > 0.0))
        return fc_err_set(FC_ENOTSPD, "cavity precision is not positive definite (%g)", P[0]);
    for (size_t i = 0; i < d; i++)
        b[i] = S[0] * m[i] - h[i];
    *q = (fc_quad_t){.ops = &fc_quad_iso, .P = P, .rho = P[0], .b = b};
    return FC_OK;
}

/* c = mean of diag ∇²ℓ_k(θ) (h_new holds the diagonal first, then c θ). */
static void scalar_curvature(const fc_family_dims_t *fd, size_t k, const fc_model_t *m,
                             const fc_data_t *blk, const double *theta, const double *H_old,
                             double *g, double *H_new, double *h_new, double *work, double *scratch)
{
    (void)fd, (void)k, (void)H_old, (void)scratch;
    double loss, c = 0.0;
    fc_model_eval(m, blk, theta, &loss, g, NULL, h_new, work);
    for (size_t i = 0; i < m->d; i++)
        c += h_new[i];
    H_new[0] = c / (double)m->d;
    for (size_t i = 0; i < m->d; i++)
        h_new[i] = H_new[0] * theta[i];
}

static void scalar_site_gradient(const fc_family_dims_t *fd, const double *h, const double *H,
                                 const double *theta, double *out)
{
    size_t d = fd->d;
    for (size_t i = 0; i < d; i++)
        out[i] = H[0] * theta[i] - h[i];
}

static void scalar_damp(const fc_family_dims_t *fd, size_t k, double alpha, double *h, double *H,
                        const double *h_new, const double *H_new, double *dh, double *dH)
{
    size_t d = fd->d;
    (void)k;
    fc_site_damp_linear(d, 1, alpha, h, H, h_new, H_new, dh, dH);
}

const fc_family_ops_t fc_ext_scalar_family = {
    .name = "scalar",
    .prec_len = scalar_prec_len,
    .factor_len = scalar_factor_len,
    .matrix_free = 1,
    .work_len = scalar_work_len,
    .prior = scalar_prior,
    .posterior = scalar_posterior,
    .cavity = scalar_cavity,
    .curvature = scalar_curvature,
    .site_gradient = scalar_site_gradient,
    .damp = scalar_damp,
};
