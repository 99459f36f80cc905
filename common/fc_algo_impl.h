/* fc_algo_impl.h — private to the fc_algo*.c files: the work struct and the rows of the
 * algorithm registry. */
#ifndef FC_ALGO_IMPL_H
#define FC_ALGO_IMPL_H

#include "fc_algo.h"

struct fc_work {
    fc_solver_ws_t *solver;
    double *theta, *b, *g, *h_new, *tmp; /* d each */
    double *P;                           /* prec_len */
    double *H_new;                       /* fc_family_site_len */
    double *chol;                        /* full: d*d scratch for PD checks */
    double *scratch;                     /* the family's curvature scratch (scratch_len) */
    double *algo;                        /* the algorithm's own scratch (its row's work_len) */
    size_t algo_max_n;                   /* the largest client block algo is sized for */
    /* SPEC §10 (allocated when the expectation is not point): the expectations' work, the
     * local step's precision iterate Q and its update Qn (prec_len), the factor or scaled
     * diagonal of the precision the expectations use, the expected Hessian G and the Newton
     * matrix N (d×d each), and d-vectors: residual, step, zeros. */
    double *vi, *Q, *Qn, *Lq, *G, *N, *r, *dm, *zero;
    int round; /* the round of the update being run (fc_work_set_round): per-round streams */
};

/* The variational local step (SPEC §10), fc_algo_vi.c: with the cavity quadratic cav
 * (P, b), find q_k = N(m, τ·(P + G)⁻¹) with G = the family's projection of E_{q_k}[∇²ℓ_k] and
 * P m − b + E_{q_k}[∇ℓ_k] = 0 (τ = 1: fpc, pvi; τ = ρ: bayes_admm), from m0 and the precision
 * iterate Q0 = P + G0 (prec_len; unread for iso), by natural-gradient steps (SPEC §10; README).
 * Writes m_k to w->theta, E[∇ℓ_k] to w->g, the projected G to w->H_new (site layout) and
 * P + G to w->Qn, all at the last q_k evaluated. FC_ENOTSPD for an indefinite precision. */
FC_MUST int fc_vi_local(const fc_algo_ctx_t *a, const fc_client_t *c, const fc_quad_t *cav,
                        const double *m0, const double *Q0, double tau, fc_work_t *w);
/* The precision the expectations use for an iterate Q (prec layout) scaled by 1/τ, into q
 * (factor or diagonal in w->Lq). FC_ENOTSPD naming `what` if Q is not positive definite. */
FC_MUST int fc_vi_prec(const fc_algo_ctx_t *a, const double *Q, double iso, double tau,
                       fc_work_t *w, const char *what, fc_prec_t *q);

extern const fc_algo_ops_t fc_algo_fpc_ops;
extern const fc_algo_ops_t fc_algo_pvi_ops;
extern const fc_algo_ops_t fc_algo_admm_ops;
extern const fc_algo_ops_t fc_algo_ama_ops;
extern const fc_algo_ops_t fc_algo_central_ops;
extern const fc_algo_ops_t fc_algo_fedavg_ops;
extern const fc_algo_ops_t fc_algo_fedprox_ops;
extern const fc_algo_ops_t fc_algo_bayes_admm_ops;

#endif
