/* test_solver.c — the local solver (SPEC "Local solver") and the family arithmetic: the
 * Newton solution is a stationary point of f, dense Newton and matrix-free Newton-CG agree,
 * local_steps caps the iterations, cavities and posteriors match dense formulas. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_family.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_testjob.h"
#include "fc_solver.h"
#include "fc_testutil.h"

#define OK(x) ck_assert_int_eq((x), FC_OK)

typedef struct {
    fc_model_t m;
    fc_data_t *b;
    fc_solver_ws_t *ws;
    double P[36], Pdiag[6], bvec[6];
} problem_t;

/* A logistic client (n = 50, p = 6 with bias) and a random SPD quadratic. */
static void problem_init(problem_t *pr, int dense)
{
    fc_rng_t r;
    double B[36];
    OK(fc_model_init(&pr->m, fc_model_find("logistic"), 6, 1, 1.0));
    fc_test_blocks(&pr->m, 1, 50, 5, 1, 1.0, 77, &pr->b);
    OK(fc_solver_ws_create(&pr->m, 50, dense, &pr->ws));
    fc_rng_seed(&r, 9, 0, 0);
    fc_test_randn(&r, 36, 0.5, B);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            double s = i == j ? 0.3 : 0.0;
            for (int k = 0; k < 6; k++)
                s += B[i * 6 + k] * B[j * 6 + k];
            pr->P[i * 6 + j] = s;
        }
    for (int i = 0; i < 6; i++)
        pr->Pdiag[i] = 0.2 + 0.1 * i;
    fc_test_randn(&r, 6, 2.0, pr->bvec);
}

static void problem_free(problem_t *pr)
{
    fc_solver_ws_destroy(&pr->ws);
    fc_data_destroy(&pr->b);
}

/* ‖∇f(θ)‖ computed independently: model gradient plus P θ − b by plain loops. */
static double grad_norm(problem_t *pr, const fc_quad_t *q, const double *theta)
{
    double g[6], loss, s = 0.0;
    double *work = fc_solver_ws_model_work(pr->ws);
    fc_model_eval(&pr->m, pr->b, theta, &loss, g, NULL, NULL, work);
    for (int i = 0; i < 6; i++) {
        double pt = 0.0;
        if (q->ops == &fc_quad_full)
            for (int j = 0; j < 6; j++)
                pt += q->P[i * 6 + j] * theta[j];
        else
            pt = (q->ops == &fc_quad_diag ? q->P[i] : q->rho) * theta[i];
        g[i] += pt - q->b[i];
        s += g[i] * g[i];
    }
    return sqrt(s);
}

START_TEST(newton_reaches_stationary_point)
{
    problem_t pr;
    problem_init(&pr, 1);
    fc_quad_t qs[3] = {{&fc_quad_full, pr.P, 0.0, pr.bvec, NULL},
                       {&fc_quad_diag, pr.Pdiag, 0.0, pr.bvec, NULL},
                       {&fc_quad_iso, NULL, 0.7, pr.bvec, NULL}};
    fc_solve_opts_t o = {50, 0.0, 0};
    for (int s = 0; s < 3; s++) {
        double theta[6] = {0};
        fc_solve_info_t info;
        OK(fc_solve_local(&pr.m, pr.b, &qs[s], &o, theta, pr.ws, &info));
        double gn = grad_norm(&pr, &qs[s], theta);
        ck_assert_double_lt(gn, 1e-10);
        ck_assert_int_le(info.steps, 15); /* Newton: a handful of steps */
        ck_assert_int_ge(info.steps, 3);
    }
    problem_free(&pr);
}
END_TEST

START_TEST(matrix_free_matches_dense)
{
    problem_t pr;
    problem_init(&pr, 1);
    fc_quad_t qs[2] = {{&fc_quad_diag, pr.Pdiag, 0.0, pr.bvec, NULL},
                       {&fc_quad_iso, NULL, 0.7, pr.bvec, NULL}};
    for (int s = 0; s < 2; s++) {
        double a[6] = {0}, b[6] = {0};
        fc_solve_opts_t dense = {50, 0.0, 0}, cg = {50, 0.0, 1};
        OK(fc_solve_local(&pr.m, pr.b, &qs[s], &dense, a, pr.ws, NULL));
        OK(fc_solve_local(&pr.m, pr.b, &qs[s], &cg, b, pr.ws, NULL));
        ck_assert_double_lt(fc_test_relerr(6, b, a), 1e-10);
    }
    problem_free(&pr);
}
END_TEST

START_TEST(local_steps_caps_iterations)
{
    problem_t pr;
    problem_init(&pr, 1);
    fc_quad_t q = {&fc_quad_full, pr.P, 0.0, pr.bvec, NULL};
    fc_solve_opts_t one = {1, 0.0, 0};
    double theta[6] = {0}, start_g = grad_norm(&pr, &q, theta);
    fc_solve_info_t info;
    OK(fc_solve_local(&pr.m, pr.b, &q, &one, theta, pr.ws, &info));
    ck_assert_int_eq(info.steps, 1);
    ck_assert_double_lt(grad_norm(&pr, &q, theta), start_g); /* it made progress */
    ck_assert_double_gt(grad_norm(&pr, &q, theta), 1e-8);    /* but did not finish */
    /* A loose tolerance stops early, relative to the first gradient. */
    fc_solve_opts_t loose = {50, 1e-2, 0};
    double t2[6] = {0};
    OK(fc_solve_local(&pr.m, pr.b, &q, &loose, t2, pr.ws, &info));
    ck_assert_double_le(grad_norm(&pr, &q, t2), 1e-2 * fmax(1.0, start_g));
    problem_free(&pr);
}
END_TEST

START_TEST(indefinite_newton_matrix_is_an_error)
{
    problem_t pr;
    problem_init(&pr, 1);
    double negP[36];
    for (int i = 0; i < 36; i++)
        negP[i] = -pr.P[i] * 100.0;
    fc_quad_t q = {&fc_quad_full, negP, 0.0, pr.bvec, NULL};
    fc_solve_opts_t o = {50, 0.0, 0};
    double theta[6] = {0};
    ck_assert_int_eq(fc_solve_local(&pr.m, pr.b, &q, &o, theta, pr.ws, NULL), FC_ENOTSPD);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "local Newton matrix"));
    problem_free(&pr);
}
END_TEST

/* Issue 16: the warm-started solve, with and without a kept Hessian and a guess for the
 * chord phase, reaches the same stationary point as a cold solve, within the stopping rule;
 * the kept Hessian is the model's at the returned θ (checked by central differences of the
 * gradient, not by the solver's own Hessian), never the one of an earlier iterate. */
START_TEST(warm_start_kept_hessian_and_chord)
{
    enum { d = 6 };
    problem_t pr;
    problem_init(&pr, 1);
    fc_solver_ws_destroy(&pr.ws);
    OK(fc_solver_ws_create(&pr.m, 50, FC_SOLVER_WS_KEEP_HESSIAN, &pr.ws));
    fc_quad_t q = {&fc_quad_full, pr.P, 0.0, pr.bvec, NULL};
    fc_solve_opts_t o = {50, 1e-10, 0};
    double cold[d] = {0}, ref[d] = {0}, warm[d], theta[d], bad[d * d], good[d * d], loss;
    double g0[d], gp[d], gm[d], tp[d], *work = fc_solver_ws_model_work(pr.ws);
    fc_solve_info_t info;
    OK(fc_solve_local(&pr.m, pr.b, &q, &o, ref, pr.ws, &info));
    double gcold = grad_norm(&pr, &q, cold);
    for (int i = 0; i < d; i++)
        warm[i] = ref[i] + 1e-3 * (i - 2.5); /* a previous solution nearby */
    /* Guesses of the Newton matrix: P alone (far off) and P + the Hessian at ref (close). */
    fc_model_eval(&pr.m, pr.b, ref, &loss, g0, good, NULL, work);
    for (int i = 0; i < d * d; i++)
        good[i] += pr.P[i], bad[i] = pr.P[i];
    const double *guesses[3] = {NULL, bad, good};
    for (int keep = 0; keep <= 1; keep++)
        for (int gi = 0; gi < (keep ? 3 : 1); gi++) {
            fc_solve_start_t st = {
                .cold = cold, .warm = warm, .keep_hessian = keep, .guess = guesses[gi]};
            OK(fc_solve_local_warm(&pr.m, pr.b, &q, &o, &st, theta, pr.ws, &info));
            /* The cold start's stopping rule holds at the result... */
            ck_assert(grad_norm(&pr, &q, theta) <= 1e-10 * fmax(1.0, gcold) * 1.0001);
            /* ...so it is the cold solve's point to the rule's accuracy. */
            for (int i = 0; i < d; i++)
                ck_assert_double_eq_tol(theta[i], ref[i], 1e-8);
            const double *grad, *H = fc_solver_kept_hessian(pr.ws, &grad);
            if (!keep) {
                ck_assert_ptr_null(H);
                continue;
            }
            ck_assert_ptr_nonnull(H);
            fc_model_eval(&pr.m, pr.b, theta, &loss, g0, NULL, NULL, work);
            for (int i = 0; i < d; i++)
                ck_assert_double_eq_tol(grad[i], g0[i], 1e-12 * (1.0 + fabs(g0[i])));
            for (int j = 0; j < d; j++) { /* column j of ∇²ℓ(θ) by central differences */
                memcpy(tp, theta, sizeof tp);
                tp[j] = theta[j] + 1e-5;
                fc_model_eval(&pr.m, pr.b, tp, &loss, gp, NULL, NULL, work);
                tp[j] = theta[j] - 1e-5;
                fc_model_eval(&pr.m, pr.b, tp, &loss, gm, NULL, NULL, work);
                for (int i = 0; i < d; i++)
                    ck_assert_double_eq_tol(H[i * d + j], (gp[i] - gm[i]) / 2e-5, 1e-6);
            }
        }
    /* A warm start at the solution itself: no step, and the kept Hessian is formed there. */
    fc_solve_start_t at = {.cold = cold, .warm = ref, .keep_hessian = 1, .guess = good};
    OK(fc_solve_local_warm(&pr.m, pr.b, &q, &o, &at, theta, pr.ws, &info));
    ck_assert_int_eq(info.steps, 0);
    ck_assert_ptr_nonnull(fc_solver_kept_hessian(pr.ws, NULL));
    /* A guess that is not positive definite is reported, naming it. */
    for (int i = 0; i < d * d; i++)
        bad[i] = -pr.P[i];
    fc_solve_start_t neg = {.cold = cold, .warm = NULL, .keep_hessian = 1, .guess = bad};
    ck_assert_int_eq(fc_solve_local_warm(&pr.m, pr.b, &q, &o, &neg, theta, pr.ws, &info),
                     FC_ENOTSPD);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "guess of the local Newton matrix"));
    ck_assert_ptr_null(fc_solver_kept_hessian(pr.ws, NULL));
    problem_free(&pr);
}
END_TEST

/* SPEC §2 (D) and §3.1 step 1 against dense formulas. */
START_TEST(posterior_and_cavity_match_dense_formulas)
{
    enum { d = 4 };
    double sum_H[d * d], sum_h[d], m[d], S[d * d], L[d * d], H[d * d], h[d];
    double P[d * d], b[d], tmp[d * d];
    fc_rng_t r;
    fc_rng_seed(&r, 4, 0, 0);
    double B[d * d];
    fc_test_randn(&r, d * d, 1.0, B);
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int k = 0; k < d; k++)
                s += B[i * d + k] * B[j * d + k];
            sum_H[i * d + j] = s;
            H[i * d + j] = 0.25 * s; /* one client's share */
        }
    fc_test_randn(&r, d, 1.0, sum_h);
    fc_test_randn(&r, d, 1.0, h);
    const fc_family_ops_t *full = fc_family_find("full");
    fc_family_dims_t fd = {d, 0, 0, 1, 0};
    OK(full->posterior(&fd, 0.5, NULL, sum_h, sum_H, m, S, L));
    /* (δI + ΣH) m = Σh */
    for (int i = 0; i < d; i++) {
        double s = 0.5 * m[i];
        for (int j = 0; j < d; j++)
            s += sum_H[i * d + j] * m[j];
        ck_assert_double_eq_tol(s, sum_h[i], 1e-12);
    }
    fc_quad_t q;
    OK(full->cavity(&fd, 0, 1.0, m, S, h, H, P, b, 1, tmp, &q));
    for (int i = 0; i < d; i++) {
        double sm = 0;
        for (int j = 0; j < d; j++) {
            ck_assert_double_eq_tol(P[i * d + j], S[i * d + j] - H[i * d + j], 1e-14);
            sm += S[i * d + j] * m[j];
        }
        ck_assert_double_eq_tol(b[i], sm - h[i], 1e-12);
    }
    /* Damping: (1−α) old + α new, and the change returned. */
    double hh[2] = {1, 2}, HH[2] = {3, 4}, hn[2] = {5, 6}, Hn[2] = {7, 8}, dh[2], dH[2];
    fc_site_damp_linear(2, 2, 0.25, hh, HH, hn, Hn, dh, dH);
    ck_assert_double_eq_tol(hh[0], 0.75 * 1 + 0.25 * 5, 1e-15);
    ck_assert_double_eq_tol(HH[1], 0.75 * 4 + 0.25 * 8, 1e-15);
    ck_assert_double_eq_tol(dh[1], 0.25 * (6 - 2), 1e-15);
    /* A cavity that is not positive definite is reported. */
    for (int i = 0; i < d * d; i++)
        H[i] = 2.0 * S[i];
    ck_assert_int_eq(full->cavity(&fd, 0, 1.0, m, S, h, H, P, b, 1, tmp, &q), FC_ENOTSPD);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("solver");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, newton_reaches_stationary_point);
    tcase_add_test(tc, matrix_free_matches_dense);
    tcase_add_test(tc, local_steps_caps_iterations);
    tcase_add_test(tc, indefinite_newton_matrix_is_an_error);
    tcase_add_test(tc, warm_start_kept_hessian_and_chord);
    tcase_add_test(tc, posterior_and_cavity_match_dense_formulas);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
