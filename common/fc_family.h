/* fc_family.h — Gaussian families as a table of operations (SPEC §2, §3.1-3.2). A family
 * fixes the shape of a site's precision H_k and, through it, how the server forms the
 * posterior from the dual form (D), how a client forms its cavity and its local Newton
 * system, and how a new site is cut out of the client's curvature. iso, diag and full are
 * rows (fc_family_iso.c, fc_family_diag.c, fc_family_full.c); adding a family is adding a
 * file with a row and registering it (built-in: the list in fc_family.c; outside the
 * library: fc_family_register before the run starts). Nothing outside a family's file
 * asks which family it is.
 * Storage: a "precision-like" array (a site's H_k, the server's S_t and ΣH_k) holds
 * prec_len(d) doubles in the family's own layout; the server may keep a factor of S_t
 * (factor_len(d) doubles). Every function works on caller-owned arrays. */
#ifndef FC_FAMILY_H
#define FC_FAMILY_H

#include <stddef.h>
#include <stdint.h>

#include "fc_data.h"
#include "fc_error.h"
#include "fc_model.h"
#include "fc_solver.h"

/* The shape of a family's arrays in one run: the dimension and the parameters a family
 * may read (fc_algo_ctx_init fills it from the config). Families without a rank ignore
 * all but d. */
typedef struct fc_family_dims {
    size_t d;           /* parameters */
    size_t rank;        /* algorithm.rank (lowrank: columns of a site's U_k); 0 otherwise */
    size_t server_rank; /* algorithm.server_rank; K·rank when unset */
    size_t K;           /* logical clients */
    uint64_t seed;      /* run.seed: the family's random streams (seed, client, update) */
} fc_family_dims_t;

/* The shape of a family's Gaussians for variational expectations (SPEC §10): how a
 * precision-like array of prec_len doubles reads as a covariance. NONE: the family has no
 * variational expectations (algorithm.expectation must be point). */
typedef enum { FC_COV_NONE, FC_COV_ISO, FC_COV_DIAG, FC_COV_FULL } fc_cov_shape_t;

typedef struct fc_family_ops {
    const char *name;
    /* SPEC §10: FULL (S a d×d matrix, factor L = chol(S) kept by posterior), DIAG (S its
     * diagonal), ISO (no precision stored: δI on the server, ρI for a client), or NONE. */
    fc_cov_shape_t cov_shape;
    /* 1: the family reads algorithm.rank and algorithm.server_rank (checked by the config). */
    int uses_rank;
    /* Doubles of a server-side precision-like array (S_t, ΣH_k, the cavity P, and the
     * site's term in the server's sums, the contribution), and of the server's factor of
     * S_t (0: none). */
    size_t (*prec_len)(const fc_family_dims_t *fd);
    size_t (*factor_len)(const fc_family_dims_t *fd);
    /* Optional: doubles of one site's H_k (and of a new site H_new) when they differ from
     * prec_len (lowrank: a client keeps its own O(rd) site, the server the stack of all).
     * NULL: prec_len. */
    size_t (*site_len)(const fc_family_dims_t *fd);
    /* 1: the local solver may run matrix-free (Newton-CG on curvature-vector products). */
    int matrix_free;
    /* Doubles of client-side scratch beyond the d-vectors (the cavity precision, the new
     * site, a Cholesky scratch when check_pd is needed), for the memory pre-flight. */
    size_t (*work_len)(const fc_family_dims_t *fd, int check_pd);
    /* Optional: doubles of scratch the curvature operation needs for blocks of up to max_n
     * examples of model m (passed to it as `scratch`). NULL: none. */
    size_t (*scratch_len)(const fc_family_dims_t *fd, const fc_model_t *m, size_t max_n);
    /* S_0 = δI in the family's layout (S has prec_len doubles). */
    void (*prior)(const fc_family_dims_t *fd, double delta, double *S);
    /* SPEC §2 (D): S = δI + ΣH, S m = δμ₀ + Σh (mu0 NULL: μ₀ = 0); L = the factor of S.
     * FC_ENOTSPD naming "server precision S_t" when S is not positive definite. */
    FC_MUST int (*posterior)(const fc_family_dims_t *fd, double delta, const double *mu0,
                             const double *sum_h, const double *sum_H, double *m, double *S,
                             double *L);
    /* SPEC §3.1 step 1: client k's cavity as the quadratic of the local problem
     * f(θ) = ℓ_k(θ) + ½θᵀPθ − bᵀθ with P = S − H_k (written to P, prec_len doubles) and
     * b = S m − h_k; q is filled to point at them. rho is ρ = algorithm.penalty (iso's
     * fixed local precision). check_pd: verify P is positive definite (only damping > 1
     * can break it), with chol_tmp as scratch. FC_ENOTSPD naming "cavity precision". */
    FC_MUST int (*cavity)(const fc_family_dims_t *fd, size_t k, double rho, const double *m,
                          const double *S, const double *h, const double *H, double *P, double *b,
                          int check_pd, double *chol_tmp, fc_quad_t *q);
    /* SPEC §3.1 step 3: client k at θ, its current site H_old: g = ∇ℓ_k(θ), H_new = the
     * family's projection of the curvature ∇²ℓ_k(θ), h_new = H_new θ. work: the model's
     * work buffer; scratch: scratch_len doubles (NULL when scratch_len is). */
    void (*curvature)(const fc_family_dims_t *fd, size_t k, const fc_model_t *m,
                      const fc_data_t *blk, const double *theta, const double *H_old, double *g,
                      double *H_new, double *h_new, double *work, double *scratch);
    /* Optional (performance, issue 16): curvature's outputs from ∇ℓ (grad) and the dense
     * ∇²ℓ (hess) at θ that the local solver already formed there (its kept-Hessian mode),
     * so the new site costs no second pass over the data. A family sets it when its
     * curvature needs the whole Hessian anyway (full); where the projection is much cheaper
     * to form directly (diag, iso) it stays NULL and the solver forms no Hessian it would
     * not use. */
    void (*site_from_hessian)(size_t d, const double *grad, const double *hess, const double *theta,
                              double *g, double *H_new, double *h_new);
    /* Optional, with site_from_hessian: a dense d×d positive definite guess of the local
     * Newton matrix ∇²ℓ_k + P at the start of a solve to tolerance, made from the server's
     * S (borrowed or a pointer into it), or NULL. Full: H_k + P = S_t, exact when the site's
     * curvature is the client's Hessian, as at the fixed point; so near it the first Newton
     * step forms no Hessian. */
    const double *(*newton_guess)(size_t d, const double *S);
    /* out = H θ − h: the site's gradient at θ (SPEC §2, the correction). */
    void (*site_gradient)(const fc_family_dims_t *fd, const double *h, const double *H,
                          const double *theta, double *out);
    /* SPEC §3.1 step 4: client k's (h, H) ← (1−α)(h, H) + α(h_new, H_new), the change
     * written to (dh, dH) in the layout of the server's sums (dH: prec_len doubles). */
    void (*damp)(const fc_family_dims_t *fd, size_t k, double alpha, double *h, double *H,
                 const double *h_new, const double *H_new, double *dh, double *dH);
    /* Optional: doubles of the precision part a client really needs on the wire each round:
     * up (its site's change), or down (the state's precision), when the arrays the sum-based
     * transport moves are larger (lowrank: every client's block rides in the sums). For the
     * payload metric (SPEC §7 `bytes`). NULL: prec_len both ways. */
    size_t (*wire_len)(const fc_family_dims_t *fd, int up);
    /* Optional: client k's site H in the layout of the server's sums (out: prec_len
     * doubles), its term of ΣH. NULL: a copy (site_len = prec_len). */
    void (*place)(const fc_family_dims_t *fd, size_t k, const double *H, double *out);
} fc_family_ops_t;

/* The row for an algorithm.family name, or NULL. */
const fc_family_ops_t *fc_family_find(const char *name);
/* Registered names, comma-separated (for messages and --help). */
void fc_family_names(char *buf, size_t size);
/* Add a family (borrowed row). FC_EINVAL if the name is taken or a required operation is
 * missing. */
FC_MUST int fc_family_register(const fc_family_ops_t *ops);
/* The family algorithms without one use (admm, ama, central): iso. */
const fc_family_ops_t *fc_family_default(void);

/* Doubles of one site's H_k: site_len, or prec_len when the family has none. */
size_t fc_family_site_len(const fc_family_ops_t *f, const fc_family_dims_t *fd);

/* Damping of a site that is linear in its stored arrays (h and the prec_len numbers of
 * H): what every built-in family uses as its damp operation, through this wrapper. */
void fc_site_damp_linear(size_t d, size_t n_H, double alpha, double *h, double *H,
                         const double *h_new, const double *H_new, double *dh, double *dH);

#endif
