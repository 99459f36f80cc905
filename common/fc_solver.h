/* fc_solver.h — the local solver (SPEC "Local solver"): minimise
 *     f(θ) = ℓ_k(θ) + ½ θᵀ P θ − bᵀ θ
 * where P is a full d×d matrix, a diagonal, or ρ I. Newton with a Cholesky solve and
 * Armijo backtracking; for diag/iso when d is too large for a d×d matrix, Newton-CG on
 * Hessian-vector products (matrix-free).
 * Ownership: the caller owns P, b, theta; fc_solver_ws_t is scratch reused across calls. */
#ifndef FC_SOLVER_H
#define FC_SOLVER_H

#include <stddef.h>

#include "fc_data.h"
#include "fc_error.h"
#include "fc_model.h"

/* The quadratic part of a local objective, ½θᵀPθ − bᵀθ. Its shape belongs to the Gaussian
 * family that built it (fc_family.h): the family supplies the operations and whatever
 * storage they read (P, rho, ext). The three plain shapes are below; a family with a
 * structured precision (e.g. low rank plus diagonal) brings its own operations. */
typedef struct fc_quad fc_quad_t;

typedef struct {
    /* out = P v (out and v do not overlap). */
    void (*apply)(const fc_quad_t *q, size_t d, const double *v, double *out);
    /* out += P v. */
    void (*apply_add)(const fc_quad_t *q, size_t d, const double *v, double *out);
    /* A += P for a dense symmetric d×d A (the dense Newton system). */
    void (*add_dense)(const fc_quad_t *q, size_t d, double *A);
} fc_quad_ops_t;

struct fc_quad {
    const fc_quad_ops_t *ops;
    const double *P; /* the shape's storage: full d*d, diag d; NULL for ρI */
    double rho;      /* ρI: the scalar */
    const double *b; /* d */
    const void *ext; /* anything else a family's operations need */
};

extern const fc_quad_ops_t fc_quad_full; /* P a dense symmetric d×d matrix */
extern const fc_quad_ops_t fc_quad_diag; /* P = diag(P[0..d)) */
extern const fc_quad_ops_t fc_quad_iso;  /* P = ρI */

typedef struct {
    int max_steps; /* Newton iterations at most */
    double tol; /* stop when ‖g‖ <= tol * max(1, ‖g0‖); 0 = to the floating-point floor */
    int matrix_free; /* 1: Newton-CG on curvature-vector products, no d×d matrix */
} fc_solve_opts_t;

typedef struct {
    int steps;    /* Newton iterations taken */
    double gnorm; /* final gradient norm of f */
    double f;     /* final f */
} fc_solve_info_t;

typedef struct fc_solver_ws fc_solver_ws_t;

/* Scratch for d parameters and up to max_n examples; dense = 0 skips the d×d buffers,
 * FC_SOLVER_WS_KEEP_HESSIAN adds a second one (and two d-vectors) for the kept-Hessian mode
 * of fc_solve_local_warm. */
#define FC_SOLVER_WS_KEEP_HESSIAN 2
FC_MUST int fc_solver_ws_create(const fc_model_t *m, size_t max_n, int dense, fc_solver_ws_t **out);
void fc_solver_ws_destroy(fc_solver_ws_t **ws);
/* The model work buffer inside ws (model->ops->work_size(max_n) doubles). */
double *fc_solver_ws_model_work(fc_solver_ws_t *ws);

/* Minimise f from theta (in: start, out: solution). FC_ENOTSPD if a Newton system is not
 * positive definite, FC_ENUMERIC if f or its gradient becomes non-finite. */
FC_MUST int fc_solve_local(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                           const fc_solve_opts_t *o, double *theta, fc_solver_ws_t *ws,
                           fc_solve_info_t *info);

/* Where fc_solve_local_warm starts, and what it keeps. */
typedef struct {
    const double *cold; /* the start SPEC "Local solver" names: the server mean (m_t or θ̄) */
    const double *warm; /* the client's previous local solution, or NULL (start cold) */
    int keep_hessian; /* 1: keep ∇ℓ and ∇²ℓ at the solution (fc_solver_kept_hessian); needs
                       * a FC_SOLVER_WS_KEEP_HESSIAN workspace and the dense solver */
    const double *guess; /* kept-Hessian mode: a dense d×d positive definite guess of the
                          * Newton matrix at the start, for the first step (no Hessian is
                          * formed at the start), or NULL */
} fc_solve_start_t;

/* fc_solve_local from the better of two starts: of s->cold and s->warm, the one with the
 * smaller gradient of the new f (ties: cold), so that a client whose objective moved little
 * since its last solve needs few Newton steps or none. The stopping rule stays relative to
 * the cold start's gradient: the solution meets the same tolerance as a cold solve. With
 * s->keep_hessian, each accepted iterate's Hessian is formed in the same pass as its
 * gradient (the full step's trial evaluation), so the solution's ∇²ℓ is at hand without a
 * second pass. theta (out) may be s->cold or s->warm. */
FC_MUST int fc_solve_local_warm(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                                const fc_solve_opts_t *o, const fc_solve_start_t *s, double *theta,
                                fc_solver_ws_t *ws, fc_solve_info_t *info);

/* ∇²ℓ (d×d, returned) and ∇ℓ (into *grad, may be NULL) at the θ the last solve returned, when
 * it ran in kept-Hessian mode and succeeded; NULL otherwise. Borrowed from ws: valid until
 * its next solve. */
const double *fc_solver_kept_hessian(const fc_solver_ws_t *ws, const double **grad);

/* f, its gradient (into g, may be NULL) for the quadratic-plus-loss objective, plus the
 * magnitude of its terms (|ℓ| + |½θᵀPθ| + |bᵀθ|) used by the Armijo slack. */
void fc_quad_objective(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                       const double *theta, double *f, double *g, double *scale, double *work,
                       double *tmp);

#endif
