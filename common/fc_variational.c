/* fc_variational.c — expectations under q of a GLM's loss, its gradient and Hessian, by
 * Gauss–Hermite nodes or seeded Monte Carlo on the margins (SPEC §10); KL, log det, variances.
 * See fc_variational.h for the maths. */
#include "fc_variational.h"

#include <math.h>
#include <string.h>

#include "fc_la.h"
#include "fc_rng.h"

/* mc: samples drawn per triangular solve (a block of right-hand sides). */
#define MC_BATCH 16
/* Stream tag of the mc draws ("vi"), so that they never share a stream with another use. */
#define MC_TAG 0x7669000000000000ULL

/* Gauss–Hermite nodes for the weight e^{−z²} (Newton on the orthonormal Hermite
 * recurrence, Numerical Recipes' gauher), then rescaled to N(0, 1): x = √2 z, w / √π. */
static void gauss_hermite(int n, double *x, double *w)
{
    const double pim4 = 0.7511255444649425; /* π^{−1/4} */
    double z = 0.0, pp = 1.0;
    for (int i = 0; i < (n + 1) / 2; i++) {
        if (i == 0)
            z = sqrt(2.0 * n + 1.0) - 1.85575 * pow(2.0 * n + 1.0, -0.16667);
        else if (i == 1)
            z -= 1.14 * pow((double)n, 0.426) / z;
        else if (i == 2)
            z = 1.86 * z - 0.86 * x[0];
        else if (i == 3)
            z = 1.91 * z - 0.91 * x[1];
        else
            z = 2.0 * z - x[i - 2];
        for (int it = 0; it < 100; it++) {
            double p1 = pim4, p2 = 0.0;
            for (int j = 0; j < n; j++) {
                double p3 = p2;
                p2 = p1;
                p1 = z * sqrt(2.0 / (j + 1.0)) * p2 - sqrt((double)j / (j + 1.0)) * p3;
            }
            pp = sqrt(2.0 * n) * p2;
            double z1 = z;
            z = z1 - p1 / pp;
            if (fabs(z - z1) <= 1e-15 * fmax(1.0, fabs(z))) break;
        }
        x[i] = z;
        x[n - 1 - i] = -z;
        w[i] = w[n - 1 - i] = 2.0 / (pp * pp);
    }
    for (int i = 0; i < n; i++) {
        x[i] *= sqrt(2.0);
        w[i] /= 1.7724538509055160273; /* √π */
    }
    if (n % 2) x[n / 2] = 0.0;
}

void fc_expect_init(fc_expect_t *e, fc_expect_kind_t kind, int nodes, int samples, uint64_t seed)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->nodes = nodes < 1 ? 1 : nodes > FC_QUADRATURE_MAX ? FC_QUADRATURE_MAX : nodes;
    e->samples = samples < 1 ? 1 : samples;
    e->seed = seed;
    gauss_hermite(e->nodes, e->x, e->w);
}

/* Labels the predictive compares: C classes, 2 for binary, the example's own for real. */
static size_t n_labels(const fc_model_t *m)
{
    return m->ops->labels == FC_LABEL_CLASS    ? (size_t)m->classes
           : m->ops->labels == FC_LABEL_BINARY ? 2
                                               : 1;
}

static size_t batch_of(const fc_expect_t *e)
{
    return e->samples < MC_BATCH ? (size_t)e->samples : MC_BATCH;
}

/* Work of the margin generator: quadrature mean, variance, X L⁻ᵀ; mc draws and margins. */
static size_t margin_work_len(const fc_expect_t *e, const fc_model_t *m, size_t n)
{
    size_t C = (size_t)m->classes, B = batch_of(e);
    if (e->kind == FC_EXPECT_QUADRATURE) return 2 * n + n * m->p + C;
    return m->d * B + n * C * B + C;
}

size_t fc_vi_work_len(const fc_expect_t *e, const fc_model_t *m, size_t n)
{
    size_t C = (size_t)m->classes, L = n_labels(m);
    size_t eval = n + n * C + n * C * C + C + C * C + n * m->d;
    size_t pred = 2 * n * L + C;
    return margin_work_len(e, m, n) + (eval > pred ? eval : pred);
}

/* Called for every (example, node or sample): a is the margin vector (C, scratch). */
typedef void (*visit_fn)(void *ctx, size_t i, double weight, double *a);

/* Quadrature (C = 1): μ_i = x_iᵀm, v_i = x_iᵀS⁻¹x_i — for FULL the rows of X L⁻ᵀ, one dtrsm
 * on the block — then the nodes μ_i + √v_i x_j. */
static void quadrature_margins(const fc_expect_t *e, const fc_model_t *m, const fc_data_t *blk,
                               const double *mean, const fc_prec_t *q, double *work, visit_fn fn,
                               void *ctx)
{
    size_t n = blk->n, p = m->p;
    double *mu = work, *v = work + n, *Z = work + 2 * n, *a = Z + n * p;
    fc_gemv(0, n, p, 1.0, blk->X, p, mean, 0.0, mu);
    if (q->shape == FC_COV_FULL) {
        fc_copy(n * p, blk->X, Z);
        fc_trsm_lower(1, 1, n, p, q->L, Z, p); /* Z = X L⁻ᵀ: row i is (L⁻¹x_i)ᵀ */
        for (size_t i = 0; i < n; i++)
            v[i] = fc_dot(p, Z + i * p, Z + i * p);
    } else {
        for (size_t i = 0; i < n; i++) {
            const double *xi = blk->X + i * p;
            double s = 0.0;
            for (size_t j = 0; j < p; j++)
                s += xi[j] * xi[j] / (q->shape == FC_COV_DIAG ? q->s[j] : q->iso);
            v[i] = s;
        }
    }
    for (size_t i = 0; i < n; i++) {
        double sd = sqrt(v[i]);
        for (int j = 0; j < e->nodes; j++) {
            a[0] = mu[i] + sd * e->x[j];
            fn(ctx, i, e->w[j], a);
        }
    }
}

/* Draws t = 0..b−1 of the batch from s0 into T (d×b): ε from stream (seed, stream, round,
 * pair), the odd sample of a pair −ε (antithetic), then θ = m + L⁻ᵀε. */
static void mc_draws(const fc_expect_t *e, size_t d, const double *mean, const fc_prec_t *q,
                     uint64_t stream, uint64_t round, size_t s0, size_t b, double *T)
{
    for (size_t t = 0; t < b; t++) {
        size_t s = s0 + t;
        double sign = (s & 1) ? -1.0 : 1.0;
        fc_rng_t r;
        fc_rng_seed(&r, e->seed, MC_TAG ^ stream, (round << 32) ^ (uint64_t)(s >> 1));
        for (size_t i = 0; i < d; i++)
            T[i * b + t] = sign * fc_rng_normal(&r);
    }
    if (q->shape == FC_COV_FULL) {
        fc_trsm_lower(0, 1, d, b, q->L, T, b); /* L⁻ᵀ ε for the whole batch */
    } else {
        for (size_t i = 0; i < d; i++)
            fc_scal(b, 1.0 / sqrt(q->shape == FC_COV_DIAG ? q->s[i] : q->iso), T + i * b);
    }
    for (size_t i = 0; i < d; i++)
        for (size_t t = 0; t < b; t++)
            T[i * b + t] += mean[i];
}

/* mc: a batch of θ samples, then their margins X Θ for the block in one gemm (T, d×b, read
 * as p×(C·b): entry (j, c·b + t) is θ_t[j·C + c]). */
static void mc_margins(const fc_expect_t *e, const fc_model_t *m, const fc_data_t *blk,
                       const double *mean, const fc_prec_t *q, uint64_t stream, uint64_t round,
                       double *work, visit_fn fn, void *ctx)
{
    size_t n = blk->n, p = m->p, C = (size_t)m->classes, d = m->d, B = batch_of(e);
    double *T = work, *A = T + d * B, *a = A + n * C * B, wt = 1.0 / e->samples;
    for (size_t s0 = 0; s0 < (size_t)e->samples; s0 += B) {
        size_t b = (size_t)e->samples - s0 < B ? (size_t)e->samples - s0 : B;
        mc_draws(e, d, mean, q, stream, round, s0, b, T);
        fc_gemm(0, 0, n, C * b, p, 1.0, blk->X, p, T, C * b, 0.0, A, C * b);
        for (size_t i = 0; i < n; i++)
            for (size_t t = 0; t < b; t++) {
                for (size_t c = 0; c < C; c++)
                    a[c] = A[i * C * b + c * b + t];
                fn(ctx, i, wt, a);
            }
    }
}

static void for_each_margin(const fc_expect_t *e, const fc_model_t *m, const fc_data_t *blk,
                            const double *mean, const fc_prec_t *q, uint64_t stream, uint64_t round,
                            double *work, visit_fn fn, void *ctx)
{
    if (e->kind == FC_EXPECT_QUADRATURE)
        quadrature_margins(e, m, blk, mean, q, work, fn, ctx);
    else
        mc_margins(e, m, blk, mean, q, stream, round, work, fn, ctx);
}

/* fc_vi_eval's accumulators: per example E[ψ], E[∂ψ] (C), E[∂²ψ] (C×C). */
typedef struct {
    const fc_model_t *m;
    size_t C;
    double *e, *R, *W, *g, *h;
} eval_acc_t;

/* A label-carrying visitor: ψ needs y_i. */
typedef struct {
    eval_acc_t acc;
    const double *y;
} eval_ctx_t;

static void eval_visit_y(void *vctx, size_t i, double weight, double *a)
{
    eval_ctx_t *x = vctx;
    size_t C = x->acc.C;
    const fc_model_t *m = x->acc.m;
    x->acc.e[i] += weight * m->ops->margin(m, x->y[i], a, x->acc.g, x->acc.h);
    fc_axpy(C, weight, x->acc.g, x->acc.R + i * C);
    fc_axpy(C * C, weight, x->acc.h, x->acc.W + i * C * C);
}

/* E_q[∇²ℓ] = Σ_i (x_i x_iᵀ) ⊗ W_i: for each class c the rows (j·C + c) are Xᵀ U_c with
 * U_c[i, j'·C + c'] = x_ij' W_i[c, c'] — C gemms; symmetrised against rounding. */
static void assemble_hessian(const fc_model_t *m, const fc_data_t *blk, const double *W, double *U,
                             double *hess)
{
    size_t n = blk->n, p = m->p, C = (size_t)m->classes, d = m->d;
    for (size_t c = 0; c < C; c++) {
        for (size_t i = 0; i < n; i++) {
            const double *xi = blk->X + i * p, *Wi = W + i * C * C + c * C;
            double *ui = U + i * d;
            for (size_t j = 0; j < p; j++)
                for (size_t e = 0; e < C; e++)
                    ui[j * C + e] = xi[j] * Wi[e];
        }
        fc_gemm(1, 0, p, d, n, 1.0, blk->X, p, U, d, 0.0, hess + c * d, C * d);
    }
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < i; j++) {
            double s = 0.5 * (hess[i * d + j] + hess[j * d + i]);
            hess[i * d + j] = hess[j * d + i] = s;
        }
}

void fc_vi_eval(const fc_expect_t *e, const fc_model_t *m, const fc_data_t *blk, const double *mean,
                const fc_prec_t *q, uint64_t stream, uint64_t round, double *loss, double *grad,
                double *hess, double *hdiag, double *work)
{
    size_t n = blk->n, p = m->p, C = (size_t)m->classes, d = m->d;
    double *own = work + margin_work_len(e, m, n);
    eval_ctx_t x = {{m, C, own, own + n, own + n + n * C, NULL, NULL}, blk->y};
    x.acc.g = x.acc.W + n * C * C;
    x.acc.h = x.acc.g + C;
    double *U = x.acc.h + C * C;
    *loss = 0.0;
    if (grad) fc_zero(d, grad);
    if (hess) fc_zero(d * d, hess);
    if (hdiag) fc_zero(d, hdiag);
    if (n == 0) return;
    fc_zero(n + n * C + n * C * C, own);
    for_each_margin(e, m, blk, mean, q, stream, round, work, eval_visit_y, &x);
    for (size_t i = 0; i < n; i++)
        *loss += x.acc.e[i];
    if (grad) fc_gemm(1, 0, p, C, n, 1.0, blk->X, p, x.acc.R, C, 0.0, grad, C);
    if (hess) assemble_hessian(m, blk, x.acc.W, U, hess);
    if (hdiag)
        for (size_t i = 0; i < n; i++) {
            const double *xi = blk->X + i * p, *Wi = x.acc.W + i * C * C;
            for (size_t j = 0; j < p; j++)
                for (size_t c = 0; c < C; c++)
                    hdiag[j * C + c] += xi[j] * xi[j] * Wi[c * C + c];
        }
}

/* The predictive: a running log-sum-exp per (example, label) of log w − ψ(label, a). */
typedef struct {
    const fc_model_t *m;
    const double *y;
    size_t L;
    double *mx, *sum, *a2;
} pred_ctx_t;

static void lse_add(double *mx, double *sum, double v)
{
    if (*sum == 0.0) {
        *mx = v;
        *sum = 1.0;
    } else if (v > *mx) {
        *sum = *sum * exp(*mx - v) + 1.0;
        *mx = v;
    } else {
        *sum += exp(v - *mx);
    }
}

static void pred_visit(void *vctx, size_t i, double weight, double *a)
{
    pred_ctx_t *x = vctx;
    size_t C = (size_t)x->m->classes;
    for (size_t l = 0; l < x->L; l++) {
        double y = x->L == 1 ? x->y[i] : (double)l;
        memcpy(x->a2, a, C * sizeof *a); /* margin overwrites its input */
        double v = log(weight) - x->m->ops->margin(x->m, y, x->a2, NULL, NULL);
        lse_add(&x->mx[i * x->L + l], &x->sum[i * x->L + l], v);
    }
}

void fc_vi_predict(const fc_expect_t *e, const fc_model_t *m, const fc_data_t *blk,
                   const double *mean, const fc_prec_t *q, uint64_t round, double *nll,
                   double *hits, double *work)
{
    size_t n = blk->n, L = n_labels(m);
    double *own = work + margin_work_len(e, m, n);
    pred_ctx_t x = {m, blk->y, L, own, own + n * L, own + 2 * n * L};
    *nll = 0.0;
    *hits = m->ops->labels == FC_LABEL_REAL ? NAN : 0.0;
    if (n == 0) return;
    fc_zero(2 * n * L, own);
    for_each_margin(e, m, blk, mean, q, FC_VI_TEST_STREAM, round, work, pred_visit, &x);
    for (size_t i = 0; i < n; i++) {
        const double *mx = x.mx + i * L, *s = x.sum + i * L;
        size_t yi = L == 1 ? 0 : (size_t)blk->y[i], best = 0;
        *nll -= mx[yi] + log(s[yi]);
        for (size_t l = 1; l < L; l++) /* the first argmax, as the point accuracy */
            if (mx[l] + log(s[l]) > mx[best] + log(s[best])) best = l;
        if (L > 1) *hits += best == yi;
    }
}

double fc_prec_logdet(size_t d, const fc_prec_t *q)
{
    double s = 0.0;
    if (q->shape == FC_COV_ISO) return (double)d * log(q->iso);
    for (size_t i = 0; i < d; i++)
        s += q->shape == FC_COV_FULL ? 2.0 * log(q->L[i * d + i]) : log(q->s[i]);
    return s;
}

/* A lower-triangular F with F Fᵀ = S (zero above the diagonal). */
static void dense_factor(size_t d, const fc_prec_t *q, double *F)
{
    fc_zero(d * d, F);
    for (size_t i = 0; i < d; i++) {
        if (q->shape == FC_COV_FULL)
            memcpy(F + i * d, q->L + i * d, (i + 1) * sizeof *F);
        else
            F[i * d + i] = sqrt(q->shape == FC_COV_DIAG ? q->s[i] : q->iso);
    }
}

void fc_prec_variance(size_t d, const fc_prec_t *q, double *var, double *work)
{
    if (q->shape != FC_COV_FULL) {
        for (size_t i = 0; i < d; i++)
            var[i] = 1.0 / (q->shape == FC_COV_DIAG ? q->s[i] : q->iso);
        return;
    }
    /* S⁻¹ = L⁻ᵀL⁻¹: (S⁻¹)_jj is the squared norm of column j of L⁻¹ (one dtrsm on I). */
    fc_zero(d * d, work);
    for (size_t i = 0; i < d; i++)
        work[i * d + i] = 1.0;
    fc_trsm_lower(0, 0, d, d, q->L, work, d);
    fc_zero(d, var);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++)
            var[j] += work[i * d + j] * work[i * d + j];
}

size_t fc_gauss_kl_work(size_t d)
{
    return 2 * d * d + d;
}

double fc_gauss_kl(size_t d, const double *m0, const fc_prec_t *q0, const double *m1,
                   const fc_prec_t *q1, double *work)
{
    double tr = 0.0, quad = 0.0;
    if (q0->shape != FC_COV_FULL && q1->shape != FC_COV_FULL) {
        for (size_t i = 0; i < d; i++) {
            double s0 = q0->shape == FC_COV_DIAG ? q0->s[i] : q0->iso;
            double s1 = q1->shape == FC_COV_DIAG ? q1->s[i] : q1->iso, dm = m1[i] - m0[i];
            tr += s1 / s0;
            quad += s1 * dm * dm;
        }
    } else {
        double *F0 = work, *M = work + d * d, *u = work + 2 * d * d;
        dense_factor(d, q0, F0);
        dense_factor(d, q1, M);
        fc_trsm_lower(0, 0, d, d, F0, M, d); /* M = L0⁻¹ L1 */
        tr = fc_dot(d * d, M, M);
        dense_factor(d, q1, M);
        for (size_t j = 0; j < d; j++) { /* u = L1ᵀ (m1 − m0) */
            double s = 0.0;
            for (size_t i = j; i < d; i++)
                s += M[i * d + j] * (m1[i] - m0[i]);
            u[j] = s;
        }
        quad = fc_dot(d, u, u);
    }
    return 0.5 * (tr + quad - (double)d + fc_prec_logdet(d, q0) - fc_prec_logdet(d, q1));
}
