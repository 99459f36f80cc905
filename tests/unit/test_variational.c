/* test_variational.c — variational expectations and bayes_admm (SPEC §10) against independent
 * computations written here: Gauss–Hermite moments against N(0, 1)'s, the closed-form linear
 * posterior, a dense-grid integration of the 1-D logistic variational fixed point, Monte Carlo
 * errors against quadrature, the Gaussian KL by this file's own Cholesky, and a small dense
 * implementation of Bayes-ADMM's equations. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_algo.h"
#include "fc_config.h"
#include "fc_mem.h"
#include "fc_model.h"
#include "fc_testjob.h"
#include "fc_testutil.h"
#include "fc_variational.h"

#define OK(x) ck_assert_int_eq((x), FC_OK)
#define MAXK 8

static void config_for(fc_config_t *c, const char *model, size_t K, const char *name,
                       const char *fam, const char *expect, double alpha)
{
    fc_config_defaults(c);
    snprintf(c->model.type, sizeof c->model.type, "%s", model);
    c->partition.clients = (int)K;
    c->run.reference = 0;
    snprintf(c->algorithm.name, sizeof c->algorithm.name, "%s", name);
    snprintf(c->algorithm.family, sizeof c->algorithm.family, "%s", fam);
    c->algorithm.expectation = strcmp(expect, "point") == 0        ? FC_EXPECT_POINT
                               : strcmp(expect, "quadrature") == 0 ? FC_EXPECT_QUADRATURE
                                                                   : FC_EXPECT_MC;
    c->algorithm.damping = alpha;
    c->algorithm.quadrature_points = 64;
}

static void free_blocks(fc_data_t **b, size_t K)
{
    for (size_t k = 0; k < K; k++)
        fc_data_destroy(&b[k]);
}

/* ---- independent dense linear algebra: Cholesky, solves, KL ------------------------- */

/* A = L Lᵀ in place (lower triangle); 0 if not positive definite. */
static int test_chol(size_t n, double *A)
{
    for (size_t j = 0; j < n; j++) {
        double s = A[j * n + j];
        for (size_t k = 0; k < j; k++)
            s -= A[j * n + k] * A[j * n + k];
        if (!(s > 0.0)) return 0;
        A[j * n + j] = sqrt(s);
        for (size_t i = j + 1; i < n; i++) {
            double t = A[i * n + j];
            for (size_t k = 0; k < j; k++)
                t -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = t / A[j * n + j];
        }
    }
    return 1;
}

/* x = A⁻¹ b with L from test_chol. */
static void test_chol_solve(size_t n, const double *L, double *b)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < i; k++)
            b[i] -= L[i * n + k] * b[k];
        b[i] /= L[i * n + i];
    }
    for (size_t i = n; i-- > 0;) {
        for (size_t k = i + 1; k < n; k++)
            b[i] -= L[k * n + i] * b[k];
        b[i] /= L[i * n + i];
    }
}

/* KL(N(m0, S0⁻¹) ‖ N(m1, S1⁻¹)) for dense precisions, by explicit inverse columns. */
static double test_kl(size_t d, const double *m0, const double *S0, const double *m1,
                      const double *S1)
{
    double *L0 = fc_test_dalloc(d * d), *L1 = fc_test_dalloc(d * d), *col = fc_test_dalloc(d),
           tr = 0.0, q = 0.0, ld = 0.0;
    memcpy(L0, S0, d * d * sizeof *L0);
    memcpy(L1, S1, d * d * sizeof *L1);
    ck_assert(test_chol(d, L0) && test_chol(d, L1));
    for (size_t j = 0; j < d; j++) { /* tr(S1 S0⁻¹) = Σ_j (S1 S0⁻¹ e_j)_j */
        memset(col, 0, d * sizeof *col);
        col[j] = 1.0;
        test_chol_solve(d, L0, col);
        for (size_t i = 0; i < d; i++)
            tr += S1[j * d + i] * col[i];
    }
    for (size_t i = 0; i < d; i++) {
        for (size_t j = 0; j < d; j++)
            q += (m1[i] - m0[i]) * S1[i * d + j] * (m1[j] - m0[j]);
        ld += 2.0 * log(L0[i * d + i]) - 2.0 * log(L1[i * d + i]);
    }
    free(L0), free(L1), free(col);
    return 0.5 * (tr + q - (double)d + ld);
}

/* The server's q_t as a dense precision (full: S; diag: diag(S); iso: δI). */
static void dense_prec(const fc_algo_ctx_t *a, const fc_global_t *g, double *S)
{
    size_t d = a->d;
    memset(S, 0, d * d * sizeof *S);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            if (a->cov == FC_COV_FULL) S[i * d + j] = g->S[i * d + j];
            if (i == j && a->cov == FC_COV_DIAG) S[i * d + i] = g->S[i];
            if (i == j && a->cov == FC_COV_ISO) S[i * d + i] = a->delta;
        }
}

static double run_kl(fc_testjob_t *t, const double *ms, const double *Ss)
{
    const fc_algo_ctx_t *a = fc_testjob_ctx(t);
    double *S = fc_test_dalloc(a->d * a->d);
    dense_prec(a, fc_server_global(t->srv), S);
    double kl = test_kl(a->d, fc_testjob_mean(t), S, ms, Ss);
    free(S);
    return kl;
}

/* ---- Gauss–Hermite ------------------------------------------------------------------ */

START_TEST(gauss_hermite_moments)
{
    /* E[z^k] for z ~ N(0,1): 0 for odd k, (k−1)!! for even; exact up to 2n − 1. */
    int ns[] = {1, 2, 5, 16, 32, 64};
    for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
        fc_expect_t e;
        fc_expect_init(&e, FC_EXPECT_QUADRATURE, ns[t], 1, 1);
        int kmax = 2 * ns[t] - 1 < 24 ? 2 * ns[t] - 1 : 24;
        for (int k = 0; k <= kmax; k++) {
            double s = 0.0, scale = 0.0, want = (k % 2) ? 0.0 : 1.0;
            for (int j = k - 1; j > 0 && !(k % 2); j -= 2)
                want *= j;
            for (int j = 0; j < ns[t]; j++) {
                s += e.w[j] * pow(e.x[j], k);
                scale += e.w[j] * fabs(pow(e.x[j], k)); /* odd k: the terms cancel */
            }
            ck_assert_msg(fabs(s - want) <= 1e-13 * fmax(1.0, scale), "n %d k %d: %g vs %g", ns[t],
                          k, s, want);
        }
    }
}
END_TEST

/* ---- acceptance 1: linear ------------------------------------------------------------- */

/* q* = N((δI + βXᵀX)⁻¹βXᵀy, (δI + βXᵀX)⁻¹) over all clients, by this file's arithmetic. */
static void linear_posterior(fc_data_t **b, size_t K, double delta, double beta, double *m,
                             double *S)
{
    size_t p = b[0]->p;
    double *L = fc_test_dalloc(p * p);
    memset(S, 0, p * p * sizeof *S);
    memset(m, 0, p * sizeof *m);
    for (size_t i = 0; i < p; i++)
        S[i * p + i] = delta;
    for (size_t k = 0; k < K; k++)
        for (size_t r = 0; r < b[k]->n; r++) {
            const double *x = b[k]->X + r * p;
            for (size_t i = 0; i < p; i++) {
                m[i] += beta * x[i] * b[k]->y[r];
                for (size_t j = 0; j < p; j++)
                    S[i * p + j] += beta * x[i] * x[j];
            }
        }
    memcpy(L, S, p * p * sizeof *L);
    ck_assert(test_chol(p, L));
    test_chol_solve(p, L, m);
    free(L);
}

START_TEST(linear_every_expectation_is_point)
{
    const fc_model_ops_t *ops = fc_model_find("linear");
    fc_model_t model;
    fc_data_t *b[MAXK];
    size_t K = 3, p = 6;
    OK(fc_model_init(&model, ops, p, 1, 2.0));
    fc_test_blocks(&model, K, 25, p - 1, 1, 0.7, 21, b);
    const char *ex[] = {"point", "quadrature", "mc"};
    const char *fams[] = {"full", "diag", "iso"};
    for (size_t f = 0; f < 3; f++) {
        double *mean[3];
        for (size_t e = 0; e < 3; e++) {
            fc_config_t c;
            fc_testjob_t t;
            config_for(&c, "linear", K, "fpc", fams[f], ex[e], 0.5);
            c.model.noise_precision = 2.0;
            c.algorithm.mc_samples = 8; /* antithetic pairs: linear functions exactly */
            c.algorithm.penalty = 0.3;
            fc_testjob_init(&t, &c, b, 0);
            for (int r = 1; r <= 4; r++)
                OK(fc_testjob_round(&t, r));
            mean[e] = fc_test_dalloc(p);
            memcpy(mean[e], fc_testjob_mean(&t), p * sizeof(double));
            fc_testjob_free(&t);
        }
        for (size_t e = 1; e < 3; e++) {
            double err = fc_test_relerr(p, mean[e], mean[0]);
            if (fc_test_verbose()) printf("linear %s %s vs point: %.3g\n", fams[f], ex[e], err);
            ck_assert_msg(err < 1e-12, "%s %s: %g", fams[f], ex[e], err);
        }
        for (size_t e = 0; e < 3; e++)
            free(mean[e]);
    }
    free_blocks(b, K);
}
END_TEST

START_TEST(linear_fpc_full_exact_after_one_round)
{
    const fc_model_ops_t *ops = fc_model_find("linear");
    size_t Ks[] = {1, 3, 7}, p = 5;
    for (size_t i = 0; i < 3; i++) {
        fc_model_t model;
        fc_data_t *b[MAXK];
        size_t K = Ks[i];
        OK(fc_model_init(&model, ops, p, 1, 1.5));
        fc_test_blocks(&model, K, 12, p - 1, 1, 1.0, 40 + K, b);
        double *ms = fc_test_dalloc(p), *Ss = fc_test_dalloc(p * p);
        linear_posterior(b, K, 0.8, 1.5, ms, Ss);
        for (int e = 1; e <= 2; e++) {
            fc_config_t c;
            fc_testjob_t t;
            config_for(&c, "linear", K, "fpc", "full", e == 1 ? "quadrature" : "mc", 1.0);
            c.model.noise_precision = 1.5;
            c.model.prior_precision = 0.8;
            c.algorithm.mc_samples = 4;
            fc_testjob_init(&t, &c, b, 0);
            OK(fc_testjob_round(&t, 1));
            double kl = run_kl(&t, ms, Ss);
            if (fc_test_verbose()) printf("linear K=%zu e=%d KL(q_1||q*) = %.3g\n", K, e, kl);
            ck_assert_msg(fabs(kl) < 1e-10, "K %zu: KL %g", K, kl);
            fc_testjob_free(&t);
        }
        free(ms), free(Ss);
        free_blocks(b, K);
    }
}
END_TEST

/* ---- acceptance 2: 1-D logistic, brute-force grid ------------------------------------- */

static double sigmoid(double a)
{
    return a >= 0 ? 1.0 / (1.0 + exp(-a)) : exp(a) / (1.0 + exp(a));
}

/* E over θ ~ N(m, v) of Σ_i x_i (σ(x_iθ) − y_i) and Σ_i x_i² σ(1−σ), by the trapezoid rule on
 * a dense grid of ±14 standard deviations (the integrands are smooth: spectral accuracy). */
static void grid_expect(fc_data_t **b, size_t K, double m, double v, double *g, double *h)
{
    const int N = 8001;
    double sd = sqrt(v), lo = m - 14 * sd, step = 28 * sd / (N - 1);
    *g = *h = 0.0;
    for (int j = 0; j < N; j++) {
        double th = lo + j * step, z = (th - m) / sd;
        double w = exp(-0.5 * z * z) / sqrt(2 * 3.14159265358979323846 * v) * step;
        if (j == 0 || j == N - 1) w *= 0.5;
        for (size_t k = 0; k < K; k++)
            for (size_t i = 0; i < b[k]->n; i++) {
                double x = b[k]->X[i], s = sigmoid(x * th);
                *g += w * x * (s - b[k]->y[i]);
                *h += w * x * x * s * (1 - s);
            }
    }
}

START_TEST(logistic_1d_central_against_grid)
{
    const fc_model_ops_t *ops = fc_model_find("logistic");
    fc_model_t model;
    fc_data_t *b[3];
    size_t K = 3;
    double delta = 0.5;
    OK(fc_model_init(&model, ops, 1, 1, 1.0));
    fc_test_blocks(&model, K, 15, 1, 0, 0.5, 77, b);
    /* The fixed point 1/v = δ + E[Σx²ψ''], δm + E[Σxψ'] = 0, by Newton on m with v updated. */
    double m = 0.0, v = 1.0 / delta;
    for (int it = 0; it < 200; it++) {
        double g, h;
        grid_expect(b, K, m, v, &g, &h);
        double vn = 1.0 / (delta + h), mn = m - (delta * m + g) / (delta + h);
        if (fabs(mn - m) < 1e-15 && fabs(vn - v) < 1e-15 * v) break;
        m = mn, v = vn;
    }
    const char *names[] = {"central", "fpc"};
    for (int a = 0; a < 2; a++) {
        fc_config_t c;
        fc_testjob_t t;
        config_for(&c, "logistic", K, names[a], "full", "quadrature", 1.0);
        c.model.bias = 0;
        c.model.prior_precision = delta;
        c.algorithm.local_tol = 1e-13;
        fc_testjob_init(&t, &c, b, 0);
        for (int r = 1; r <= 60; r++)
            OK(fc_testjob_round(&t, r));
        const fc_global_t *g = fc_server_global(t.srv);
        double vm = 1.0 / g->S[0], em = fabs(fc_testjob_mean(&t)[0] - m) / fabs(m);
        double ev = fabs(vm - v) / v;
        if (fc_test_verbose())
            printf("1-D logistic %s: mean %.17g (grid %.17g) var %.17g (grid %.17g): %.2g %.2g\n",
                   names[a], fc_testjob_mean(&t)[0], m, vm, v, em, ev);
        ck_assert_msg(em < 1e-8 && ev < 1e-8, "%s: mean err %g var err %g", names[a], em, ev);
        fc_testjob_free(&t);
    }
    free_blocks(b, K);
}
END_TEST

/* ---- acceptance 3: mc against quadrature ---------------------------------------------- */

/* E_q[ℓ] on a logistic block under a full q, by fc_vi_eval with the given expectation. */
static double expected_loss(const fc_model_t *m, const fc_data_t *blk, const double *mean,
                            const double *L, fc_expect_kind_t kind, int samples, uint64_t seed)
{
    fc_expect_t e;
    fc_expect_init(&e, kind, 64, samples, seed);
    double *work = fc_test_dalloc(fc_vi_work_len(&e, m, blk->n)), loss;
    fc_prec_t q = {FC_COV_FULL, L, NULL, 0.0};
    fc_vi_eval(&e, m, blk, mean, &q, 3, 1, &loss, NULL, NULL, NULL, work);
    free(work);
    return loss;
}

START_TEST(mc_agrees_with_quadrature)
{
    const fc_model_ops_t *ops = fc_model_find("logistic");
    fc_model_t model;
    fc_data_t *b[1];
    size_t p = 4;
    OK(fc_model_init(&model, ops, p, 1, 1.0));
    fc_test_blocks(&model, 1, 60, p - 1, 1, 0.0, 5, b);
    double mean[4] = {0.3, -0.5, 0.2, 0.1}, S[16] = {0}, L[16];
    for (size_t i = 0; i < p; i++) /* S = 2I + 0.5·11ᵀ: correlated, margins of variance ~1 */
        for (size_t j = 0; j < p; j++)
            S[i * p + j] = (i == j ? 2.0 : 0.0) + 0.5;
    memcpy(L, S, sizeof S);
    ck_assert(test_chol(p, L));
    double quad = expected_loss(&model, b[0], mean, L, FC_EXPECT_QUADRATURE, 1, 1);
    /* The spread of independent estimates is the standard error (20 seeds per count). */
    int counts[2] = {100, 10000};
    double rms[2];
    for (int c = 0; c < 2; c++) {
        double s2 = 0.0, first = 0.0;
        for (uint64_t seed = 1; seed <= 20; seed++) {
            double est = expected_loss(&model, b[0], mean, L, FC_EXPECT_MC, counts[c], seed);
            s2 += (est - quad) * (est - quad);
            if (seed == 1) first = est;
        }
        rms[c] = sqrt(s2 / 20.0);
        if (fc_test_verbose())
            printf("mc %d samples: rms error %.3g (quadrature %.12g, first %.12g)\n", counts[c],
                   rms[c], quad, first);
        if (c == 1) ck_assert_msg(fabs(first - quad) <= 3.0 * rms[c], "%g vs %g", first, quad);
    }
    double ratio = rms[0] / rms[1]; /* 1/√samples: √100 = 10 */
    ck_assert_msg(ratio > 5.0 && ratio < 20.0, "error ratio %g", ratio);
    free_blocks(b, 1);
}
END_TEST

/* ---- acceptance 4: family-own fixed points -------------------------------------------- */

static void own_fixed_point(const char *name, const char *fam, double alpha, int rounds)
{
    const fc_model_ops_t *ops = fc_model_find("logistic");
    fc_model_t model;
    fc_data_t *b[MAXK];
    size_t K = 4, p = 4;
    OK(fc_model_init(&model, ops, p, 1, 1.0));
    fc_test_blocks(&model, K, 30, p - 1, 1, 0.3, 11, b);
    fc_config_t c;
    fc_testjob_t t, ct;
    config_for(&c, "logistic", K, "central", fam, "quadrature", 1.0);
    fc_testjob_init(&ct, &c, b, 0);
    for (int r = 1; r <= 40; r++)
        OK(fc_testjob_round(&ct, r));
    const fc_algo_ctx_t *ca = fc_testjob_ctx(&ct);
    double *Ss = fc_test_dalloc(p * p), *ms = fc_test_dalloc(p);
    dense_prec(ca, fc_server_global(ct.srv), Ss);
    memcpy(ms, fc_testjob_mean(&ct), p * sizeof *ms);
    config_for(&c, "logistic", K, name, fam, "quadrature", alpha);
    fc_testjob_init(&t, &c, b, 0);
    for (int r = 1; r <= rounds; r++)
        OK(fc_testjob_round(&t, r));
    double kl = run_kl(&t, ms, Ss);
    if (fc_test_verbose()) printf("%s %s: KL to its family's q* %.3g\n", name, fam, kl);
    ck_assert_msg(fabs(kl) < 1e-8, "%s %s: KL %g", name, fam, kl);
    fc_testjob_free(&t);
    fc_testjob_free(&ct);
    free(Ss), free(ms);
    free_blocks(b, K);
}

START_TEST(fpc_full_fixed_point)
{
    own_fixed_point("fpc", "full", 1.0, 40);
}
END_TEST

START_TEST(fpc_diag_fixed_point_is_mean_field)
{
    own_fixed_point("fpc", "diag", 0.5, 120);
}
END_TEST

START_TEST(pvi_full_fixed_point)
{
    own_fixed_point("pvi", "full", 1.0, 80);
}
END_TEST

/* ---- acceptance 6: bayes_admm --------------------------------------------------------- */

START_TEST(bayes_admm_linear_exact_one_round)
{
    const fc_model_ops_t *ops = fc_model_find("linear");
    size_t Ks[] = {1, 3, 7}, p = 5;
    const char *fams[] = {"full", "diag"};
    for (size_t i = 0; i < 3; i++) {
        fc_model_t model;
        fc_data_t *b[MAXK];
        size_t K = Ks[i];
        OK(fc_model_init(&model, ops, p, 1, 1.0));
        fc_test_blocks(&model, K, 12, p - 1, 1, 1.0, 60 + K, b);
        double *ms = fc_test_dalloc(p), *Ss = fc_test_dalloc(p * p);
        linear_posterior(b, K, 1.0, 1.0, ms, Ss);
        for (int e = 0; e < 2; e++) {
            fc_config_t c;
            fc_testjob_t t;
            config_for(&c, "linear", K, "bayes_admm", fams[0], e ? "quadrature" : "point", 1.0);
            c.algorithm.penalty = 1.0 / (double)K;
            fc_testjob_init(&t, &c, b, 0);
            OK(fc_testjob_round(&t, 1));
            double kl = run_kl(&t, ms, Ss);
            if (fc_test_verbose()) printf("bayes_admm linear K=%zu e=%d: KL %.3g\n", K, e, kl);
            ck_assert_msg(fabs(kl) < 1e-10, "K %zu: KL %g", K, kl);
            fc_testjob_free(&t);
        }
        (void)fams;
        free(ms), free(Ss);
        free_blocks(b, K);
    }
}
END_TEST

START_TEST(bayes_admm_logistic_converges_to_map)
{
    const fc_model_ops_t *ops = fc_model_find("logistic");
    fc_model_t model;
    fc_data_t *b[MAXK];
    size_t K = 4, p = 4;
    OK(fc_model_init(&model, ops, p, 1, 1.0));
    fc_test_blocks(&model, K, 30, p - 1, 1, 0.3, 13, b);
    fc_config_t c;
    fc_testjob_t t;
    double star[4];
    config_for(&c, "logistic", K, "bayes_admm", "full", "point", 1.0);
    c.algorithm.penalty = 0.5;
    c.run.reference = 1;
    fc_testjob_init(&t, &c, b, 0);
    fc_testjob_reference(&t, star);
    for (int r = 1; r <= 300; r++)
        OK(fc_testjob_round(&t, r));
    double err = fc_test_relerr(p, fc_testjob_mean(&t), star);
    if (fc_test_verbose()) printf("bayes_admm logistic: |m - θ*| rel %.3g\n", err);
    ck_assert_msg(err < 1e-8, "rel err %g", err);
    fc_testjob_free(&t);
    free_blocks(b, K);
}
END_TEST

/* SPEC §10's equations, densely, for logistic + full + point: the test's own Newton solve of
 * ℓ_k(θ) + ½θᵀPθ − bᵀθ, P = ρS_g − V_k, b = ρS_g m_g − v_k; S_k = (P + ∇²ℓ_k(m_k))/ρ; duals;
 * the server with a = 1/(1 + Kρ). */
static void logistic_grad_hess(const fc_data_t *blk, const double *th, double *g, double *H)
{
    size_t p = blk->p;
    memset(g, 0, p * sizeof *g);
    memset(H, 0, p * p * sizeof *H);
    for (size_t i = 0; i < blk->n; i++) {
        const double *x = blk->X + i * p;
        double a = 0.0;
        for (size_t j = 0; j < p; j++)
            a += x[j] * th[j];
        double s = sigmoid(a);
        for (size_t j = 0; j < p; j++) {
            g[j] += x[j] * (s - blk->y[i]);
            for (size_t l = 0; l < p; l++)
                H[j * p + l] += s * (1 - s) * x[j] * x[l];
        }
    }
}

START_TEST(bayes_admm_matches_independent_equations)
{
    const fc_model_ops_t *ops = fc_model_find("logistic");
    fc_model_t model;
    fc_data_t *b[MAXK];
    size_t K = 3, p = 4, pp = 16;
    double rho = 0.7, alpha = 0.8, delta = 1.0, aa = 1.0 / (1.0 + (double)K * rho);
    OK(fc_model_init(&model, ops, p, 1, 1.0));
    fc_test_blocks(&model, K, 25, p - 1, 1, 0.3, 17, b);
    fc_config_t c;
    fc_testjob_t t;
    config_for(&c, "logistic", K, "bayes_admm", "full", "point", alpha);
    c.algorithm.penalty = rho;
    c.algorithm.local_tol = 1e-14;
    fc_testjob_init(&t, &c, b, 0);
    double mg[4] = {0}, Sg[16] = {0}, v[3][4] = {{0}}, V[3][16] = {{0}}, mk[3][4] = {{0}},
           Sk[3][16] = {{0}};
    for (size_t i = 0; i < p; i++) {
        Sg[i * p + i] = delta;
        for (size_t k = 0; k < K; k++)
            Sk[k][i * p + i] = delta; /* before its first update q_k is the prior */
    }
    for (int r = 1; r <= 10; r++) {
        for (size_t k = 0; k < K; k++) {
            double P[16], bb[4], th[4], g[4], H[16], N[16], st[4];
            for (size_t i = 0; i < pp; i++)
                P[i] = rho * Sg[i] - V[k][i];
            for (size_t i = 0; i < p; i++) {
                bb[i] = -v[k][i];
                for (size_t j = 0; j < p; j++)
                    bb[i] += rho * Sg[i * p + j] * mg[j];
                th[i] = mg[i];
            }
            for (int it = 0; it < 100; it++) { /* plain Newton (convex, small steps) */
                logistic_grad_hess(b[k], th, g, H);
                double gn = 0.0;
                for (size_t i = 0; i < p; i++) {
                    st[i] = -(g[i] - bb[i]);
                    for (size_t j = 0; j < p; j++)
                        st[i] -= P[i * p + j] * th[j];
                    gn += st[i] * st[i];
                }
                if (sqrt(gn) < 1e-15) break;
                for (size_t i = 0; i < pp; i++)
                    N[i] = H[i] + P[i];
                ck_assert(test_chol(p, N));
                test_chol_solve(p, N, st);
                for (size_t i = 0; i < p; i++)
                    th[i] += st[i];
            }
            logistic_grad_hess(b[k], th, g, H);
            for (size_t i = 0; i < pp; i++) {
                Sk[k][i] = (P[i] + H[i]) / rho;
                V[k][i] += alpha * rho * (Sk[k][i] - Sg[i]);
            }
            for (size_t i = 0; i < p; i++) {
                for (size_t j = 0; j < p; j++)
                    v[k][i] += alpha * rho * (Sk[k][i * p + j] * th[j] - Sg[i * p + j] * mg[j]);
                mk[k][i] = th[i];
            }
        }
        double L[16], rhs[4] = {0};
        for (size_t i = 0; i < pp; i++) {
            double s = 0.0;
            for (size_t k = 0; k < K; k++)
                s += (1 - aa) / (double)K * Sk[k][i] + aa * V[k][i];
            Sg[i] = s + (i % (p + 1) == 0 ? aa * delta : 0.0);
        }
        for (size_t i = 0; i < p; i++)
            for (size_t k = 0; k < K; k++) {
                rhs[i] += aa * v[k][i];
                for (size_t j = 0; j < p; j++)
                    rhs[i] += (1 - aa) / (double)K * Sk[k][i * p + j] * mk[k][j];
            }
        memcpy(L, Sg, sizeof L);
        ck_assert(test_chol(p, L));
        test_chol_solve(p, L, rhs);
        memcpy(mg, rhs, sizeof mg);
        OK(fc_testjob_round(&t, r));
        double err = fc_test_relerr(p, fc_testjob_mean(&t), mg);
        if (fc_test_verbose()) printf("bayes_admm round %d: rel err %.3g\n", r, err);
        ck_assert_msg(err < 1e-9, "round %d: %g", r, err);
    }
    fc_testjob_free(&t);
    free_blocks(b, K);
}
END_TEST

/* variance.txt of the lowrank family (Woodbury) against the inverse of full's S, column by
 * column with this file's Cholesky: with r = d the two families hold the same posterior. */
START_TEST(lowrank_variance_is_full_diagonal_inverse)
{
    const fc_model_ops_t *ops = fc_model_find("logistic");
    fc_model_t model;
    fc_data_t *b[MAXK];
    size_t K = 3, p = 4;
    OK(fc_model_init(&model, ops, p, 1, 1.0));
    fc_test_blocks(&model, K, 20, p - 1, 1, 0.3, 31, b);
    fc_config_t c;
    fc_testjob_t tf, tl;
    config_for(&c, "logistic", K, "fpc", "full", "point", 1.0);
    fc_testjob_init(&tf, &c, b, 0);
    config_for(&c, "logistic", K, "fpc", "lowrank", "point", 1.0);
    c.algorithm.rank = (int)p;
    fc_testjob_init(&tl, &c, b, 0);
    for (int r = 1; r <= 3; r++) {
        OK(fc_testjob_round(&tf, r));
        OK(fc_testjob_round(&tl, r));
    }
    const fc_algo_ctx_t *la = fc_testjob_ctx(&tl);
    double *L = fc_test_dalloc(p * p), *col = fc_test_dalloc(p), *var = fc_test_dalloc(p);
    double *work = fc_test_dalloc(la->family->variance_work(&la->fd));
    ck_assert(la->family->variance != NULL);
    la->family->variance(&la->fd, la->delta, fc_server_global(tl.srv)->S, var, work);
    memcpy(L, fc_server_global(tf.srv)->S, p * p * sizeof *L);
    ck_assert(test_chol(p, L));
    for (size_t j = 0; j < p; j++) {
        memset(col, 0, p * sizeof *col);
        col[j] = 1.0;
        test_chol_solve(p, L, col);
        if (fc_test_verbose()) printf("lowrank variance %zu: %.17g vs %.17g\n", j, var[j], col[j]);
        ck_assert_msg(fabs(var[j] - col[j]) <= 1e-10 * col[j], "%zu: %g vs %g", j, var[j], col[j]);
    }
    free(L), free(col), free(var), free(work);
    fc_testjob_free(&tf);
    fc_testjob_free(&tl);
    free_blocks(b, K);
}
END_TEST

static Suite *variational_suite(void)
{
    Suite *s = suite_create("variational");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 280);
    tcase_add_test(tc, gauss_hermite_moments);
    tcase_add_test(tc, linear_every_expectation_is_point);
    tcase_add_test(tc, linear_fpc_full_exact_after_one_round);
    tcase_add_test(tc, logistic_1d_central_against_grid);
    tcase_add_test(tc, mc_agrees_with_quadrature);
    tcase_add_test(tc, fpc_full_fixed_point);
    tcase_add_test(tc, fpc_diag_fixed_point_is_mean_field);
    tcase_add_test(tc, pvi_full_fixed_point);
    tcase_add_test(tc, bayes_admm_linear_exact_one_round);
    tcase_add_test(tc, bayes_admm_logistic_converges_to_map);
    tcase_add_test(tc, bayes_admm_matches_independent_equations);
    tcase_add_test(tc, lowrank_variance_is_full_diagonal_inverse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fc_test_run(variational_suite());
}
