/* fc_solver.c — Newton / Newton-CG with Armijo backtracking for the local problem
 * f(θ) = ℓ(θ) + ½θᵀPθ − bᵀθ (SPEC "Local solver"). */
#include "fc_solver.h"

#include <float.h>
#include <math.h>

#include "fc_la.h"
#include "fc_mem.h"

#define ARMIJO_C 1e-4
#define MAX_HALVINGS 30
#define CG_MAX_ITERS 500

struct fc_solver_ws {
    size_t d;
    double *g, *dir, *trial, *tmp; /* d each */
    double *r, *p, *Ap;            /* d each: conjugate gradients */
    double *A;                     /* d*d Newton matrix (dense only) */
    double *work;                  /* model work */
    /* Kept-Hessian mode (fc_solve_local_warm with keep_hessian): ∇ℓ and ∇²ℓ at the current
     * iterate, and the trial point's, swapped in when the trial is accepted. */
    double *gl, *gl_trial; /* d each */
    double *hess;          /* d*d; the trial's Hessian goes into A (free once dir is known) */
    int hess_valid;        /* hess and gl are at the θ the last solve returned */
};

int fc_solver_ws_create(const fc_model_t *m, size_t max_n, int dense, fc_solver_ws_t **out)
{
    int err;
    size_t d = m->d, dd = 0;
    fc_solver_ws_t *ws = NULL;
    *out = NULL;
    FC_CALL(fc_calloc(1, sizeof *ws, &ws));
    ws->d = d;
    FC_CALL(fc_alloc(d, sizeof(double), &ws->g));
    FC_CALL(fc_alloc(d, sizeof(double), &ws->dir));
    FC_CALL(fc_alloc(d, sizeof(double), &ws->trial));
    FC_CALL(fc_alloc(d, sizeof(double), &ws->tmp));
    FC_CALL(fc_alloc(d, sizeof(double), &ws->r));
    FC_CALL(fc_alloc(d, sizeof(double), &ws->p));
    FC_CALL(fc_alloc(d, sizeof(double), &ws->Ap));
    if (dense) {
        FC_CALL(fc_mul_size(d, d, &dd));
        FC_CALL(fc_alloc(dd, sizeof(double), &ws->A));
    }
    if (dense == FC_SOLVER_WS_KEEP_HESSIAN) {
        FC_CALL(fc_alloc(dd, sizeof(double), &ws->hess));
        FC_CALL(fc_alloc(d, sizeof(double), &ws->gl));
        FC_CALL(fc_alloc(d, sizeof(double), &ws->gl_trial));
    }
    FC_CALL(fc_alloc(m->ops->work_size(m, max_n), sizeof(double), &ws->work));
    *out = ws;
    return FC_OK;
cleanup:
    fc_solver_ws_destroy(&ws);
    return err;
}

void fc_solver_ws_destroy(fc_solver_ws_t **pws)
{
    fc_solver_ws_t *ws = pws ? *pws : NULL;
    if (!ws) return;
    fc_free(&ws->g);
    fc_free(&ws->dir);
    fc_free(&ws->trial);
    fc_free(&ws->tmp);
    fc_free(&ws->r);
    fc_free(&ws->p);
    fc_free(&ws->Ap);
    fc_free(&ws->A);
    fc_free(&ws->work);
    fc_free(&ws->hess);
    fc_free(&ws->gl);
    fc_free(&ws->gl_trial);
    fc_free(pws);
}

double *fc_solver_ws_model_work(fc_solver_ws_t *ws)
{
    return ws->work;
}

/* The three plain shapes of the quadratic (fc_solver.h). */
static void full_apply(const fc_quad_t *q, size_t d, const double *v, double *out)
{
    fc_symv(d, 1.0, q->P, v, 0.0, out);
}

static void full_apply_add(const fc_quad_t *q, size_t d, const double *v, double *out)
{
    fc_symv(d, 1.0, q->P, v, 1.0, out);
}

static void full_add_dense(const fc_quad_t *q, size_t d, double *A)
{
    fc_axpy(d * d, 1.0, q->P, A);
}

static void diag_apply(const fc_quad_t *q, size_t d, const double *v, double *out)
{
    for (size_t i = 0; i < d; i++)
        out[i] = q->P[i] * v[i];
}

static void diag_apply_add(const fc_quad_t *q, size_t d, const double *v, double *out)
{
    for (size_t i = 0; i < d; i++)
        out[i] += q->P[i] * v[i];
}

static void diag_add_dense(const fc_quad_t *q, size_t d, double *A)
{
    for (size_t i = 0; i < d; i++)
        A[i * d + i] += q->P[i];
}

static void iso_apply(const fc_quad_t *q, size_t d, const double *v, double *out)
{
    for (size_t i = 0; i < d; i++)
        out[i] = q->rho * v[i];
}

static void iso_apply_add(const fc_quad_t *q, size_t d, const double *v, double *out)
{
    fc_axpy(d, q->rho, v, out);
}

static void iso_add_dense(const fc_quad_t *q, size_t d, double *A)
{
    for (size_t i = 0; i < d; i++)
        A[i * d + i] += q->rho;
}

const fc_quad_ops_t fc_quad_full = {full_apply, full_apply_add, full_add_dense};
const fc_quad_ops_t fc_quad_diag = {diag_apply, diag_apply_add, diag_add_dense};
const fc_quad_ops_t fc_quad_iso = {iso_apply, iso_apply_add, iso_add_dense};

/* f = ℓ + ½θᵀPθ − bᵀθ from ℓ (loss) and, with g, ∇f = ∇ℓ + Pθ − b from ∇ℓ (gl, which may
 * be g itself), in one loop over the d-vectors. */
static void add_quadratic(const fc_quad_t *q, size_t d, const double *theta, double loss,
                          const double *gl, double *f, double *g, double *scale, double *tmp)
{
    q->ops->apply(q, d, theta, tmp); /* tmp = Pθ */
    double quad = 0.5 * fc_dot(d, theta, tmp), lin = fc_dot(d, q->b, theta);
    *f = loss + quad - lin;
    if (scale) *scale = fabs(loss) + fabs(quad) + fabs(lin);
    if (g)
        for (size_t i = 0; i < d; i++)
            g[i] = gl[i] + tmp[i] - q->b[i];
}

void fc_quad_objective(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                       const double *theta, double *f, double *g, double *scale, double *work,
                       double *tmp)
{
    double loss;
    fc_model_eval(m, blk, theta, &loss, g, NULL, NULL, work);
    add_quadratic(q, m->d, theta, loss, g, f, g, scale, tmp);
}

/* Kept-Hessian mode: ℓ, ∇ℓ (into gl) and ∇²ℓ (into H) at θ in one pass over the data, and
 * from them f and ∇f (into g). */
static void eval_keeping_hessian(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                                 const double *theta, double *f, double *g, double *scale,
                                 double *gl, double *H, fc_solver_ws_t *ws)
{
    double loss;
    fc_model_eval(m, blk, theta, &loss, gl, H, NULL, ws->work);
    add_quadratic(q, m->d, theta, loss, gl, f, g, scale, ws->tmp);
}

/* ws->A += P, factor it and dir = −A⁻¹ g: the Newton step once A holds ∇²ℓ. */
static int newton_dir_from(const fc_quad_t *q, size_t d, fc_solver_ws_t *ws)
{
    q->ops->add_dense(q, d, ws->A);
    int err = fc_chol(d, ws->A, "local Newton matrix");
    if (err) return err;
    for (size_t i = 0; i < d; i++)
        ws->dir[i] = -ws->g[i];
    fc_chol_solve(d, ws->A, ws->dir);
    return FC_OK;
}

/* dir = −(∇²ℓ + P)⁻¹ g from the Hessian the kept-Hessian mode already holds at θ. */
static int newton_dir_kept(const fc_quad_t *q, size_t d, fc_solver_ws_t *ws)
{
    fc_copy(d * d, ws->hess, ws->A);
    return newton_dir_from(q, d, ws);
}

static void swap_ptr(double **a, double **b)
{
    double *t = *a;
    *a = *b;
    *b = t;
}

/* dir = −(∇²ℓ + P)⁻¹ g by a dense Cholesky solve. */
static int newton_dir_dense(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                            const double *theta, fc_solver_ws_t *ws)
{
    size_t d = m->d;
    double loss;
    fc_model_eval(m, blk, theta, &loss, NULL, ws->A, NULL, ws->work);
    return newton_dir_from(q, d, ws);
}

/* dir ≈ −(∇²ℓ + P)⁻¹ g by conjugate gradients on Hessian-vector products (matrix-free),
 * to a forcing tolerance min(0.5, sqrt‖g‖)‖g‖ (superlinear Newton-CG). */
static int newton_dir_cg(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                         const double *theta, fc_solver_ws_t *ws)
{
    size_t d = m->d;
    double gn = fc_nrm2(d, ws->g);
    double eta = fmin(0.5, sqrt(gn)) * gn;
    fc_zero(d, ws->dir);
    for (size_t i = 0; i < d; i++)
        ws->r[i] = -ws->g[i], ws->p[i] = ws->r[i];
    double rr = fc_dot(d, ws->r, ws->r);
    for (int it = 0; it < CG_MAX_ITERS && sqrt(rr) > eta; it++) {
        m->ops->hvp(m, blk->X, blk->y, blk->n, theta, ws->p, ws->Ap, ws->work);
        q->ops->apply(q, d, ws->p, ws->tmp);
        fc_axpy(d, 1.0, ws->tmp, ws->Ap);
        double pAp = fc_dot(d, ws->p, ws->Ap);
        if (!(pAp > 0.0)) {
            if (it == 0)
                return fc_err_set(FC_ENOTSPD,
                                  "local Newton matrix is not positive definite (CG curvature %g)",
                                  pAp);
            break;
        }
        double a = rr / pAp;
        fc_axpy(d, a, ws->p, ws->dir);
        fc_axpy(d, -a, ws->Ap, ws->r);
        double rr_new = fc_dot(d, ws->r, ws->r);
        double beta = rr_new / rr;
        rr = rr_new;
        for (size_t i = 0; i < d; i++)
            ws->p[i] = ws->r[i] + beta * ws->p[i];
    }
    return FC_OK;
}

/* The chord phase (fc_solve_start_t guess): steps dir = −A⁻¹ g with one factor of a guess A
 * of the Newton matrix, each costing a pass for f and ∇f and two triangular solves instead of
 * a Hessian and a factorization. It converges linearly, at the rate ‖I − A⁻¹∇²f‖, which is
 * small where A is nearly the Newton matrix; it hands over to Newton when a step falls short
 * of CHORD_RATE (or of Armijo at the full step), and after half the step budget. */
#define CHORD_RATE 0.25

/* Factor the guess into ws->hess (free until the first Hessian is formed). */
static int chord_factor(const double *guess, size_t d, fc_solver_ws_t *ws)
{
    fc_copy(d * d, guess, ws->hess);
    return fc_chol(d, ws->hess, "guess of the local Newton matrix");
}

static void chord_dir(size_t d, fc_solver_ws_t *ws)
{
    for (size_t i = 0; i < d; i++)
        ws->dir[i] = -ws->g[i];
    fc_chol_solve(d, ws->hess, ws->dir);
}

/* How a solve runs: the stopping rule's reference gradient norm (negative: the start's),
 * kept-Hessian mode, and a guess of the Newton matrix for a chord phase (kept mode only). */
typedef struct {
    double gref;
    int keep;
    const double *guess;
} newton_mode_t;

/* Armijo backtracking along ws->dir from theta (f, gd = gᵀdir, scale: at theta). The full
 * step is evaluated with its gradient (into r, free once the direction is known) and, when
 * with_hess, its Hessian (into A, free once the direction is solved for), since it usually
 * passes: accepting it then costs no second pass. Returns 2 (full step), 1 (a shorter one,
 * whose gradient the caller still needs) or 0 (none); ft, st: f and its scale there. */
static int line_search(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                       const double *theta, double f, double gd, double scale, int with_hess,
                       double *ft, double *st, fc_solver_ws_t *ws)
{
    size_t d = m->d;
    /* Armijo with a slack of 100 ε |terms of f| so rounding noise cannot stall it. */
    double slack = 100.0 * DBL_EPSILON * scale, step = 1.0;
    for (int j = 0; j <= MAX_HALVINGS; j++, step *= 0.5) {
        for (size_t i = 0; i < d; i++)
            ws->trial[i] = theta[i] + step * ws->dir[i];
        if (j == 0 && with_hess)
            eval_keeping_hessian(m, blk, q, ws->trial, ft, ws->r, st, ws->gl_trial, ws->A, ws);
        else
            fc_quad_objective(m, blk, q, ws->trial, ft, j == 0 ? ws->r : NULL, st, ws->work,
                              ws->tmp);
        if (*ft <= f + ARMIJO_C * step * gd + slack) return j == 0 ? 2 : 1;
    }
    return 0;
}

/* Newton with Armijo backtracking from theta (SPEC "Local solver"). In kept-Hessian mode
 * every accepted Newton iterate's ∇ℓ and ∇²ℓ come from the pass that evaluates it (the trial
 * of a full step), so the next Newton matrix and, at the end, the solution's Hessian cost no
 * further pass; with a guess, a chord phase comes first (above) and the Hessian is formed
 * only where Newton takes over, or at the solution. */
static int newton(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                  const fc_solve_opts_t *o, const newton_mode_t *md, double *theta,
                  fc_solver_ws_t *ws, fc_solve_info_t *info)
{
    size_t d = m->d;
    int err = FC_OK, steps = 0, keep = md->keep, have_hess = 0, chord = 0;
    /* Kept mode forms the trial's Hessian only while full steps pass (far from the solution,
     * where damped steps are the rule, a refused trial's Hessian would be wasted). */
    int full_passed = 1;
    double f, scale, gn, gref = md->gref;
    ws->hess_valid = 0;
    if (keep && !md->guess) {
        eval_keeping_hessian(m, blk, q, theta, &f, ws->g, &scale, ws->gl, ws->hess, ws);
        have_hess = 1;
    } else {
        fc_quad_objective(m, blk, q, theta, &f, ws->g, &scale, ws->work, ws->tmp);
    }
    gn = fc_nrm2(d, ws->g);
    if (!(gref >= 0.0)) gref = gn;
    if (!isfinite(f) || !isfinite(gn))
        return fc_err_set(FC_ENUMERIC, "local objective is not finite at the start");
    double gstop = o->tol * fmax(1.0, gref);
    if (keep && md->guess && gn > gstop && gn > 0.0 && o->max_steps > 0) {
        err = chord_factor(md->guess, d, ws);
        if (err) return err;
        chord = 1;
    }
    while (steps < o->max_steps && gn > gstop && gn > 0.0) {
        if (chord) {
            chord_dir(d, ws);
        } else if (o->matrix_free) {
            err = newton_dir_cg(m, blk, q, theta, ws);
        } else if (!keep) {
            err = newton_dir_dense(m, blk, q, theta, ws);
        } else {
            if (!have_hess)
                eval_keeping_hessian(m, blk, q, theta, &f, ws->g, &scale, ws->gl, ws->hess, ws);
            have_hess = 1;
            err = newton_dir_kept(q, d, ws);
        }
        if (err) return err;
        double gd = fc_dot(d, ws->g, ws->dir);
        if (!(gd < 0.0)) { /* no descent direction left: the floating-point floor */
            if (!chord) break;
            chord = 0; /* (or a guess too far off: Newton decides) */
            continue;
        }
        double ft = f, st = scale;
        int with_hess = keep && !chord && full_passed;
        int accepted = line_search(m, blk, q, theta, f, gd, scale, with_hess, &ft, &st, ws);
        if (!chord) full_passed = accepted == 2;
        if (!accepted && chord) {
            chord = 0;
            continue;
        }
        if (!accepted) break;
        int progress = ft < f;
        fc_copy(d, ws->trial, theta);
        steps++;
        double gn_old = gn;
        if (accepted == 2) {
            f = ft;
            scale = st;
            fc_copy(d, ws->r, ws->g);
            have_hess = with_hess;
            if (with_hess) {
                swap_ptr(&ws->gl, &ws->gl_trial);
                swap_ptr(&ws->hess, &ws->A);
            }
        } else {
            have_hess = 0; /* formed where the next Newton step or the caller needs it */
            fc_quad_objective(m, blk, q, theta, &f, ws->g, &scale, ws->work, ws->tmp);
        }
        gn = fc_nrm2(d, ws->g);
        if (!isfinite(f) || !isfinite(gn))
            return fc_err_set(FC_ENUMERIC, "local objective became non-finite at Newton step %d",
                              steps);
        if (chord && (accepted != 2 || gn > CHORD_RATE * gn_old || 2 * steps >= o->max_steps))
            chord = 0;
        else if (!progress && !chord)
            break;
    }
    /* A solve that ended where no Hessian was formed yet (the start met the tolerance, or
     * the chord phase reached it) forms it there: the caller's site needs it. */
    if (keep && !have_hess)
        eval_keeping_hessian(m, blk, q, theta, &f, ws->g, &scale, ws->gl, ws->hess, ws);
    ws->hess_valid = keep;
    if (info) {
        info->steps = steps;
        info->gnorm = gn;
        info->f = f;
    }
    return FC_OK;
}

int fc_solve_local(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                   const fc_solve_opts_t *o, double *theta, fc_solver_ws_t *ws,
                   fc_solve_info_t *info)
{
    newton_mode_t md = {.gref = -1.0, .keep = 0, .guess = NULL};
    return newton(m, blk, q, o, &md, theta, ws, info);
}

/* ‖∇f(θ)‖, or +∞ where f or ∇f is not finite. */
static double gradient_norm(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                            const double *theta, fc_solver_ws_t *ws)
{
    double f;
    fc_quad_objective(m, blk, q, theta, &f, ws->g, NULL, ws->work, ws->tmp);
    double gn = fc_nrm2(m->d, ws->g);
    return isfinite(f) && isfinite(gn) ? gn : INFINITY;
}

int fc_solve_local_warm(const fc_model_t *m, const fc_data_t *blk, const fc_quad_t *q,
                        const fc_solve_opts_t *o, const fc_solve_start_t *s, double *theta,
                        fc_solver_ws_t *ws, fc_solve_info_t *info)
{
    size_t d = m->d;
    double gref = -1.0;
    const double *start = s->cold;
    if (s->warm) {
        /* Both candidates on the new objective: the one nearer its stationary point (the
         * smaller gradient) starts, ties to the cold start; the stopping rule stays relative
         * to the cold start's gradient, so the tolerance is the one a cold solve has. */
        double gc = gradient_norm(m, blk, q, s->cold, ws);
        double gw = gradient_norm(m, blk, q, s->warm, ws);
        if (isfinite(gc)) gref = gc;
        if (gw < gc) start = s->warm;
    }
    if (start != theta) fc_copy(d, start, theta);
    newton_mode_t md = {.gref = gref, .keep = s->keep_hessian && ws->hess && !o->matrix_free};
    md.guess = md.keep ? s->guess : NULL;
    return newton(m, blk, q, o, &md, theta, ws, info);
}

const double *fc_solver_kept_hessian(const fc_solver_ws_t *ws, const double **grad)
{
    if (!ws->hess_valid) return NULL;
    if (grad) *grad = ws->gl;
    return ws->hess;
}
