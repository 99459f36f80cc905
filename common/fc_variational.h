/* fc_variational.h — expectations of a GLM's loss under a Gaussian q = N(m, S⁻¹) (SPEC §10).
 * The loss of a block is Σ_i ψ(y_i, a_i) in the margins a_i = Θᵀx_i (C per example, the
 * model's optional `margin` op), and under q the margins are Gaussian with mean Θ_mᵀx_i and
 * covariance (x_i ⊗ I_C)ᵀ S⁻¹ (x_i ⊗ I_C). So
 *     E_q[ℓ] = Σ_i E[ψ],  E_q[∇ℓ] = Σ_i x_i ⊗ E[∂ψ],  E_q[∇²ℓ] = Σ_i (x_i x_iᵀ) ⊗ E[∂²ψ]
 * (Bonnet's and Price's theorems), with the one-dimensional expectations by Gauss–Hermite
 * nodes on each margin (C = 1: linear, logistic) or by seeded Monte Carlo draws of θ
 * (θ_s = m + L⁻ᵀε_s, antithetic pairs, so linear functions of θ are integrated exactly).
 * Margin variances and samples come from one triangular solve per block on the Cholesky
 * factor (level 3; no inverse, no per-example solve). Also: the closed-form KL between two
 * Gaussians through their factors, log det S and diag(S⁻¹).
 * Ownership: everything is borrowed; work buffers are the caller's (fc_vi_work_len). */
#ifndef FC_VARIATIONAL_H
#define FC_VARIATIONAL_H

#include <stddef.h>
#include <stdint.h>

#include "fc_config.h"
#include "fc_data.h"
#include "fc_family.h"
#include "fc_model.h"

/* A Gaussian's precision S in one of the shapes of fc_family.h. Borrowed arrays. */
typedef struct {
    fc_cov_shape_t shape;
    const double *L; /* FULL: the Cholesky factor of S (lower triangle of a d×d array) */
    const double *s; /* DIAG: S's diagonal (d) */
    double iso;      /* ISO: S = iso·I */
} fc_prec_t;

/* How a run takes its expectations (algorithm.expectation and its keys). */
typedef struct {
    fc_expect_kind_t kind;
    int nodes;     /* quadrature: Gauss–Hermite nodes */
    int samples;   /* mc: draws of θ */
    uint64_t seed; /* run.seed: the mc streams are (seed, stream, round, sample) */
    double x[FC_QUADRATURE_MAX], w[FC_QUADRATURE_MAX]; /* ∫ f dN(0, 1) ≈ Σ_j w_j f(x_j) */
} fc_expect_t;

/* The mc stream of the test-set metrics (clients use their index). */
#define FC_VI_TEST_STREAM UINT64_MAX

/* Fill e; for quadrature the Gauss–Hermite rule of `nodes` points (Newton on the Hermite
 * recurrence, exact for polynomials of degree 2·nodes − 1). */
void fc_expect_init(fc_expect_t *e, fc_expect_kind_t kind, int nodes, int samples, uint64_t seed);

/* Doubles of work fc_vi_eval and fc_vi_predict need for blocks of up to n examples of m. */
size_t fc_vi_work_len(const fc_expect_t *e, const fc_model_t *m, size_t n);

/* E_q[ℓ] of the block into *loss; E_q[∇ℓ] (d) into grad, E_q[∇²ℓ] (d×d, symmetric) into hess
 * and its diagonal into hdiag when they are non-NULL; q = N(mean, S⁻¹) with S given by q.
 * mc draws from the streams (e->seed, stream, round, sample). e->kind must not be point. */
void fc_vi_eval(const fc_expect_t *e, const fc_model_t *m, const fc_data_t *blk, const double *mean,
                const fc_prec_t *q, uint64_t stream, uint64_t round, double *loss, double *grad,
                double *hess, double *hdiag, double *work);

/* The posterior predictive on a block: *nll = Σ_i −log E_q[e^{−ψ(y_i, a_i)}] (for classes the
 * predictive probability of the label; for linear the un-normalised Gaussian likelihood, so
 * that it is the point test loss when S⁻¹ → 0) and *hits = the examples whose predictive
 * argmax is the label (NaN for real labels). Stream FC_VI_TEST_STREAM. */
void fc_vi_predict(const fc_expect_t *e, const fc_model_t *m, const fc_data_t *blk,
                   const double *mean, const fc_prec_t *q, uint64_t round, double *nll,
                   double *hits, double *work);

/* log det S. */
double fc_prec_logdet(size_t d, const fc_prec_t *q);
/* var = diag(S⁻¹) (d values); work: d×d doubles for FULL, else unused (may be NULL). */
void fc_prec_variance(size_t d, const fc_prec_t *q, double *var, double *work);
/* KL(N(m0, S0⁻¹) ‖ N(m1, S1⁻¹)) in closed form, through the factors:
 * ½[‖L0⁻¹L1‖²_F + ‖L1ᵀ(m1 − m0)‖² − d + log det S0 − log det S1]. work: fc_gauss_kl_work(d). */
double fc_gauss_kl(size_t d, const double *m0, const fc_prec_t *q0, const double *m1,
                   const fc_prec_t *q1, double *work);
size_t fc_gauss_kl_work(size_t d);

#endif
