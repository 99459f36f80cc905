/* fc_family_diag.c — the diagonal Gaussian family: H_k diagonal (SPEC §2); the site keeps
 * the diagonal of the client's Hessian (SPEC §3.1 step 3). */
#include "fc_family.h"
#include "fc_la.h"

static size_t diag_prec_len(const fc_family_dims_t *fd)
{
    size_t d = fd->d;
    return d;
}

static size_t diag_factor_len(const fc_family_dims_t *fd)
{
    (void)fd;
    return 0;
}

static size_t diag_work_len(const fc_family_dims_t *fd, int check_pd)
{
    size_t d = fd->d;
    (void)check_pd;
    return 2 * d;
}

static void diag_prior(const fc_family_dims_t *fd, double delta, double *S)
{
    size_t d = fd->d;
    for (size_t i = 0; i < d; i++)
        S[i] = delta;
}

static int diag_posterior(const fc_family_dims_t *fd, double delta, const double *mu0,
                          const double *sum_h, const double *sum_H, double *m, double *S, double *L)
{
    size_t d = fd->d;
    (void)L;
    for (size_t i = 0; i < d; i++) {
        S[i] = delta + sum_H[i];
        if (!(S[i] > 0.0))
            return fc_err_set(FC_ENOTSPD,
                              "server precision S_t is not positive definite (entry %zu: %g)", i,
                              S[i]);
        m[i] = (mu0 ? sum_h[i] + delta * mu0[i] : sum_h[i]) / S[i];
    }
    return FC_OK;
}

static int diag_cavity(const fc_family_dims_t *fd, size_t k, double rho, const double *m,
                       const double *S, const double *h, const double *H, double *P, double *b,
                       int check_pd, double *chol_tmp, fc_quad_t *q)
{
    size_t d = fd->d;
    (void)k;
    (void)check_pd, (void)chol_tmp; /* every entry is checked: it costs nothing */
    *q = (fc_quad_t){.ops = &fc_quad_diag, .P = P, .rho = rho, .b = b};
    for (size_t i = 0; i < d; i++) {
        P[i] = S[i] - H[i];
        if (!(P[i] > 0.0))
            return fc_err_set(FC_ENOTSPD,
                              "cavity precision is not positive definite (entry %zu: %g)", i, P[i]);
        b[i] = S[i] * m[i] - h[i];
    }
    return FC_OK;
}

static void diag_curvature(const fc_family_dims_t *fd, size_t k, const fc_model_t *m,
                           const fc_data_t *blk, const double *theta, const double *H_old,
                           double *g, double *H_new, double *h_new, double *work, double *scratch)
{
    (void)fd, (void)k, (void)H_old, (void)scratch;
    double loss;
    fc_model_eval(m, blk, theta, &loss, g, NULL, H_new, work);
    for (size_t i = 0; i < m->d; i++)
        h_new[i] = H_new[i] * theta[i];
}

static void diag_site_gradient(const fc_family_dims_t *fd, const double *h, const double *H,
                               const double *theta, double *out)
{
    size_t d = fd->d;
    for (size_t i = 0; i < d; i++)
        out[i] = H[i] * theta[i] - h[i];
}

static void diag_damp(const fc_family_dims_t *fd, size_t k, double alpha, double *h, double *H,
                      const double *h_new, const double *H_new, double *dh, double *dH)
{
    size_t d = fd->d;
    (void)k;
    fc_site_damp_linear(d, d, alpha, h, H, h_new, H_new, dh, dH);
}

const fc_family_ops_t fc_family_diag_ops = {
    .name = "diag",
    .cov_shape = FC_COV_DIAG,
    .prec_len = diag_prec_len,
    .factor_len = diag_factor_len,
    .matrix_free = 1,
    .work_len = diag_work_len,
    .prior = diag_prior,
    .posterior = diag_posterior,
    .cavity = diag_cavity,
    .curvature = diag_curvature,
    .site_gradient = diag_site_gradient,
    .damp = diag_damp,
};
