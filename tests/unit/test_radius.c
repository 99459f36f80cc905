/* test_radius.c — the linearised spectral radius of the round map (fc_server_radius) on
 * linear data, where AMA's and ADMM's rounds are affine maps of the clients' state: the
 * test builds that map itself (closed-form local solves by Gaussian elimination), forms its
 * Jacobian column by column, and takes the largest eigenvalue modulus by LAPACK's dgeev —
 * independent of the runtime's finite differences and Arnoldi. */
#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fc_la.h"
#include "fc_testjob.h"
#include "fc_testutil.h"

#define OK(x) ck_assert_msg((x) == FC_OK, "%s", fc_err_msg())
#define K 4
#define P 3 /* features with the bias */
#define N 12

static fc_data_t *blocks[K];
static double delta = 1.0, beta = 1.0;

/* The test's own round of AMA (admm = 0) or ADMM (admm = 1) on state x = [v_k, θ_k]_k. */
static void round_map(int admm, double rho, double alpha, const double *x, double *y)
{
    double bar[P] = {0};
    for (int k = 0; k < K; k++)
        for (int i = 0; i < P; i++)
            bar[i] += x[k * 2 * P + i] + (admm ? rho * x[k * 2 * P + P + i] : 0.0);
    for (int i = 0; i < P; i++)
        bar[i] /= admm ? delta + K * rho : delta;
    for (int k = 0; k < K; k++) {
        const fc_data_t *b = blocks[k];
        double A[P * P] = {0}, r[P];
        /* θ_k = (βXᵀX + ρI)⁻¹(βXᵀy − v_k + ρθ̄) */
        for (int i = 0; i < P; i++) {
            r[i] = -x[k * 2 * P + i] + rho * bar[i];
            A[i * P + i] = rho;
        }
        for (size_t e = 0; e < b->n; e++)
            for (int i = 0; i < P; i++) {
                r[i] += beta * b->X[e * P + i] * b->y[e];
                for (int j = 0; j < P; j++)
                    A[i * P + j] += beta * b->X[e * P + i] * b->X[e * P + j];
            }
        fc_test_gauss_solve(P, A, r);
        for (int i = 0; i < P; i++) {
            y[k * 2 * P + i] = x[k * 2 * P + i] + alpha * rho * (r[i] - bar[i]);
            y[k * 2 * P + P + i] = r[i];
        }
    }
}

static double explicit_radius(int admm, double rho, double alpha)
{
    enum { n = 2 * K * P };
    double J[n * n], zero[n] = {0}, e[n], t0[n], t[n], wr[n], wi[n], best = 0.0;
    round_map(admm, rho, alpha, zero, t0);
    for (int c = 0; c < n; c++) { /* affine: column c is T(e_c) − T(0) */
        memset(e, 0, sizeof e);
        e[c] = 1.0;
        round_map(admm, rho, alpha, e, t);
        for (int i = 0; i < n; i++)
            J[i * n + c] = t[i] - t0[i];
    }
    ck_assert_int_eq(LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', n, J, n, wr, wi, NULL, 1, NULL, 1),
                     0);
    for (int i = 0; i < n; i++)
        best = fmax(best, hypot(wr[i], wi[i]));
    return best;
}

static const struct {
    const char *name;
    double rho, alpha;
} cases[] = {
    {"ama", 0.2, 1.0}, {"ama", 0.6, 1.0}, {"ama", 0.3, 0.5}, {"admm", 1.0, 1.0}, {"admm", 5.0, 1.5},
};

START_TEST(radius_matches_the_explicit_jacobian)
{
    fc_model_t m;
    fc_config_t c;
    fc_testjob_t t;
    double radius;
    OK(fc_model_init(&m, fc_model_find("linear"), P, 1, beta));
    fc_test_blocks(&m, K, N, P - 1, 1, 1.0, 17, blocks);
    fc_config_defaults(&c);
    snprintf(c.model.type, sizeof c.model.type, "linear");
    snprintf(c.algorithm.name, sizeof c.algorithm.name, "%s", cases[_i].name);
    c.partition.clients = K;
    c.algorithm.penalty = cases[_i].rho;
    c.algorithm.damping = cases[_i].alpha;
    c.algorithm.local_tol = 0.0;
    fc_testjob_init(&t, &c, blocks, 0);
    double star[P];
    fc_testjob_reference(&t, star);
    OK(fc_server_radius(t.srv, &radius));
    double want = explicit_radius(!strcmp(cases[_i].name, "admm"), cases[_i].rho, cases[_i].alpha);
    if (getenv("FC_TEST_VERBOSE"))
        printf("%s rho %g alpha %g: radius %.10f, explicit %.10f\n", cases[_i].name, cases[_i].rho,
               cases[_i].alpha, radius, want);
    ck_assert_double_eq_tol(radius, want, 1e-6 * fmax(1.0, want));
    fc_testjob_free(&t);
    for (int k = 0; k < K; k++)
        fc_data_destroy(&blocks[k]);
}
END_TEST

/* Where it does not apply (a family with precisions), the radius is NaN, not a guess. */
START_TEST(radius_is_nan_where_it_does_not_apply)
{
    fc_model_t m;
    fc_config_t c;
    fc_testjob_t t;
    double radius = 0.0;
    OK(fc_model_init(&m, fc_model_find("linear"), P, 1, beta));
    fc_test_blocks(&m, K, N, P - 1, 1, 1.0, 17, blocks);
    fc_config_defaults(&c);
    snprintf(c.model.type, sizeof c.model.type, "linear");
    c.partition.clients = K;
    fc_testjob_init(&t, &c, blocks, 0); /* fpc, family full */
    double star[P];
    fc_testjob_reference(&t, star);
    OK(fc_server_radius(t.srv, &radius));
    ck_assert(isnan(radius));
    fc_testjob_free(&t);
    for (int k = 0; k < K; k++)
        fc_data_destroy(&blocks[k]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("radius");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, radius_matches_the_explicit_jacobian, 0,
                        (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, radius_is_nan_where_it_does_not_apply);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
