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

typedef enum { FC_QUAD_FULL, FC_QUAD_DIAG, FC_QUAD_ISO } fc_quad_shape_t;

typedef struct {
    fc_quad_shape_t shape;
    const double *P; /* FULL: d*d symmetric; DIAG: d; ISO: unused */
    double rho;      /* ISO: the scalar */
    const double *b; /* d */
} fc_quad_t;

typedef struct {
    int max_steps; /* Newton iterations at most */
    double tol; /* stop when ‖g‖ <= tol * max(1, ‖g0‖); 0 = to the floating-point floor */
    int matrix_free; /* 1: Newton-CG (diag/iso only) */
} fc_solve_opts_t;

typedef struct {
    int steps;    /* Newton iterations taken */
    double gnorm; /* final gradient norm of f */
    double f;     /* final f */
} fc_solve_info_t;

typedef struct fc_solver_ws fc_solver_ws_t;

/* Scratch for d parameters and up to max_n examples; dense = 0 skips the d×d buffers. */
FC_MUST int fc_solver_ws_create(const fc_model_t *m, size_t max_n, int dense, fc_solver_ws_t **out);
void fc_solver_ws_destroy(fc_solver_ws_t **ws);
/* The model work buffer inside ws (model->ops->work_size(max_n) doubles). */
double *fc_solver_ws_model_work(fc_solver_ws_t *ws);

/* Minimise f from theta (in: start, out: solution). FC_ENOTSPD if a Newton system is not
 * positive definite, FC_ENUMERIC if f or its gradient becomes non-finite. */
FC_MUST int fc_solve_local(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                           const fc_solve_opts_t *o, double *theta, fc_solver_ws_t *ws,
                           fc_solve_info_t *info);

/* f, its gradient (into g, may be NULL) for the quadratic-plus-loss objective, plus the
 * magnitude of its terms (|ℓ| + |½θᵀPθ| + |bᵀθ|) used by the Armijo slack. */
void fc_quad_objective(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                       const double *theta, double *f, double *g, double *scale, double *work,
                       double *tmp);

#endif
