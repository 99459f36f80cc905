/* fc_family.c — posterior, cavity and site arithmetic for the three Gaussian families. */
#include "fc_family.h"

#include "fc_la.h"

size_t fc_family_prec_len(fc_family_t f, size_t d)
{
    return f == FC_FAMILY_FULL ? d * d : f == FC_FAMILY_DIAG ? d : 0;
}

int fc_family_posterior(fc_family_t f, size_t d, double delta, const double *sum_h,
                        const double *sum_H, double *m, double *S, double *L)
{
    int err;
    switch (f) {
    case FC_FAMILY_FULL:
        fc_copy(d * d, sum_H, S);
        for (size_t i = 0; i < d; i++)
            S[i * d + i] += delta;
        fc_copy(d * d, S, L);
        err = fc_chol(d, L, "server precision S_t");
        if (err) return err;
        fc_copy(d, sum_h, m);
        fc_chol_solve(d, L, m);
        return FC_OK;
    case FC_FAMILY_DIAG:
        for (size_t i = 0; i < d; i++) {
            S[i] = delta + sum_H[i];
            if (!(S[i] > 0.0))
                return fc_err_set(FC_ENOTSPD,
                                  "server precision S_t is not positive definite (entry %zu: %g)",
                                  i, S[i]);
            m[i] = sum_h[i] / S[i];
        }
        return FC_OK;
    case FC_FAMILY_ISO:
        for (size_t i = 0; i < d; i++)
            m[i] = sum_h[i] / delta;
        return FC_OK;
    }
    return fc_err_set(FC_EINVAL, "unknown family %d", (int)f);
}

int fc_family_cavity(fc_family_t f, size_t d, double rho, const double *m, const double *S,
                     const double *h, const double *H, double *P, double *b, int check_pd,
                     double *chol_tmp, fc_quad_t *q)
{
    int err;
    q->b = b;
    q->rho = rho;
    q->P = P;
    switch (f) {
    case FC_FAMILY_FULL:
        /* S_\k = S_t − H_k;  S_\k m_\k = S_t m_t − h_k. */
        for (size_t i = 0; i < d * d; i++)
            P[i] = S[i] - H[i];
        fc_copy(d, h, b);
        fc_symv(d, 1.0, S, m, -1.0, b);
        q->shape = FC_QUAD_FULL;
        if (!check_pd) return FC_OK;
        fc_copy(d * d, P, chol_tmp);
        err = fc_chol(d, chol_tmp, "cavity precision");
        if (err) return err;
        return FC_OK;
    case FC_FAMILY_DIAG:
        for (size_t i = 0; i < d; i++) {
            P[i] = S[i] - H[i];
            if (!(P[i] > 0.0))
                return fc_err_set(FC_ENOTSPD,
                                  "cavity precision is not positive definite (entry %zu: %g)", i,
                                  P[i]);
            b[i] = S[i] * m[i] - h[i];
        }
        q->shape = FC_QUAD_DIAG;
        return FC_OK;
    case FC_FAMILY_ISO:
        /* SPEC §3.1 step 1, iso: m_\k = m_t, S_\k = ρI, plus the term +h_kᵀθ. */
        for (size_t i = 0; i < d; i++)
            b[i] = rho * m[i] - h[i];
        q->shape = FC_QUAD_ISO;
        return FC_OK;
    }
    return fc_err_set(FC_EINVAL, "unknown family %d", (int)f);
}

void fc_site_damp(size_t d, size_t n_H, double alpha, double *h, double *H, const double *h_new,
                  const double *H_new, double *dh, double *dH)
{
    for (size_t i = 0; i < d; i++) {
        dh[i] = alpha * (h_new[i] - h[i]);
        h[i] += dh[i];
    }
    for (size_t i = 0; i < n_H; i++) {
        dH[i] = alpha * (H_new[i] - H[i]);
        H[i] += dH[i];
    }
}

void fc_site_gradient(fc_family_t f, size_t d, const double *h, const double *H,
                      const double *theta, double *out)
{
    if (f == FC_FAMILY_FULL && H) {
        fc_copy(d, h, out);
        fc_symv(d, 1.0, H, theta, -1.0, out);
    } else if (f == FC_FAMILY_DIAG && H) {
        for (size_t i = 0; i < d; i++)
            out[i] = H[i] * theta[i] - h[i];
    } else {
        for (size_t i = 0; i < d; i++)
            out[i] = -h[i];
    }
}
