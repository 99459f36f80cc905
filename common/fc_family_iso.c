/* fc_family_iso.c — the isotropic family: H_k = 0 and every local posterior has the fixed
 * precision ρI, ρ = algorithm.penalty (SPEC §2); only means are learned and the sites are
 * linear. It is also the family of the algorithms that have none (admm, ama, central):
 * their duals are iso sites (h_k = v_k, H_k = 0). */
#include "fc_family.h"
#include "fc_la.h"

static size_t iso_zero_len(const fc_family_dims_t *fd)
{
    (void)fd;
    return 0;
}

static size_t iso_work_len(const fc_family_dims_t *fd, int check_pd)
{
    (void)fd, (void)check_pd;
    return 0;
}

static void iso_prior(const fc_family_dims_t *fd, double delta, double *S)
{
    size_t d = fd->d;
    (void)d, (void)delta, (void)S; /* no precision is stored: the server's is δI */
}

/* The server's precision is δI: m = (Σh + δμ₀)/δ. */
static int iso_posterior(const fc_family_dims_t *fd, double delta, const double *mu0,
                         const double *sum_h, const double *sum_H, double *m, double *S, double *L)
{
    size_t d = fd->d;
    (void)sum_H, (void)S, (void)L;
    for (size_t i = 0; i < d; i++)
        m[i] = (mu0 ? sum_h[i] + delta * mu0[i] : sum_h[i]) / delta;
    return FC_OK;
}

/* SPEC §3.1 step 1, iso: m_\k = m_t, S_\k = ρI, plus the term +h_kᵀθ: b = ρm − h_k. */
static int iso_cavity(const fc_family_dims_t *fd, size_t k, double rho, const double *m,
                      const double *S, const double *h, const double *H, double *P, double *b,
                      int check_pd, double *chol_tmp, fc_quad_t *q)
{
    size_t d = fd->d;
    (void)k;
    (void)S, (void)H, (void)P, (void)check_pd, (void)chol_tmp;
    *q = (fc_quad_t){.ops = &fc_quad_iso, .P = NULL, .rho = rho, .b = b};
    for (size_t i = 0; i < d; i++)
        b[i] = rho * m[i] - h[i];
    return FC_OK;
}

static void iso_curvature(const fc_family_dims_t *fd, size_t k, const fc_model_t *m,
                          const fc_data_t *blk, const double *theta, const double *H_old, double *g,
                          double *H_new, double *h_new, double *work, double *scratch)
{
    (void)fd, (void)k, (void)H_old, (void)scratch;
    double loss;
    (void)H_new;
    fc_model_eval(m, blk, theta, &loss, g, NULL, NULL, work);
    fc_zero(m->d, h_new);
}

static void iso_site_gradient(const fc_family_dims_t *fd, const double *h, const double *H,
                              const double *theta, double *out)
{
    size_t d = fd->d;
    (void)H, (void)theta;
    for (size_t i = 0; i < d; i++)
        out[i] = -h[i];
}

static void iso_damp(const fc_family_dims_t *fd, size_t k, double alpha, double *h, double *H,
                     const double *h_new, const double *H_new, double *dh, double *dH)
{
    size_t d = fd->d;
    (void)k;
    fc_site_damp_linear(d, 0, alpha, h, H, h_new, H_new, dh, dH);
}

const fc_family_ops_t fc_family_iso_ops = {
    .name = "iso",
    .cov_shape = FC_COV_ISO,
    .prec_len = iso_zero_len,
    .factor_len = iso_zero_len,
    .matrix_free = 1,
    .work_len = iso_work_len,
    .prior = iso_prior,
    .posterior = iso_posterior,
    .cavity = iso_cavity,
    .curvature = iso_curvature,
    .site_gradient = iso_site_gradient,
    .damp = iso_damp,
};
