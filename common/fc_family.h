/* fc_family.h — Gaussian families (iso, diag, full) and their sites (SPEC §2, §3.1-3.2):
 * the posterior from the dual form (D), the cavity, the natural-gradient (FPC) and ratio
 * (PVI) sites, and damping. Shapes: a "precision-like" array is d*d (full), d (diag) or
 * absent (iso). Every function works on caller-owned arrays. */
#ifndef FC_FAMILY_H
#define FC_FAMILY_H

#include <stddef.h>

#include "fc_config.h"
#include "fc_error.h"
#include "fc_solver.h"

/* Doubles in a precision-like array of the family: d*d, d or 0. */
size_t fc_family_prec_len(fc_family_t f, size_t d);

/* SPEC §2 (D): S = δI + ΣH, S m = Σh. full: S (d*d) and its Cholesky factor L; diag: S
 * (d); iso: m = Σh/δ and S unused. FC_ENOTSPD names "server precision S_t". */
FC_MUST int fc_family_posterior(fc_family_t f, size_t d, double delta, const double *sum_h,
                                const double *sum_H, double *m, double *S, double *L);

/* Cavity in natural parameters (SPEC §3.1 step 1), as the quadratic of the local problem
 * f(θ) = ℓ_k(θ) + ½θᵀPθ − bᵀθ: P = S − H_k, b = S m − h_k (iso: P = ρI, b = ρm − h_k).
 * P is written to P (d*d or d). check_pd: verify a full P is positive definite with a
 * Cholesky in chol_tmp (d*d) — needed only when damping α > 1 (SPEC §3.1: with α ≤ 1 every
 * site is positive semi-definite, so every cavity is ⪰ δI). FC_ENOTSPD names "cavity
 * precision". */
FC_MUST int fc_family_cavity(fc_family_t f, size_t d, double rho, const double *m, const double *S,
                             const double *h, const double *H, double *P, double *b, int check_pd,
                             double *chol_tmp, fc_quad_t *q);

/* Damping (SPEC §3.1 step 4): Δ = α (new − old); old += Δ; the change is written to
 * dh, dH (what the server adds up). n_H = fc_family_prec_len. */
void fc_site_damp(size_t d, size_t n_H, double alpha, double *h, double *H, const double *h_new,
                  const double *H_new, double *dh, double *dH);

/* out = H θ − h: the site's gradient at θ (H absent = 0). */
void fc_site_gradient(fc_family_t f, size_t d, const double *h, const double *H,
                      const double *theta, double *out);

#endif
