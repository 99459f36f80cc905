/* test_algo.c — the update rules of SPEC §3 iterated in one process: the paper's exactly
 * checkable claims (SPEC §3.1 "Facts the tests must show") and convergence to θ*. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_algo.h"
#include "fc_config.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_sim.h"
#include "fc_testutil.h"

#define OK(x) ck_assert_int_eq((x), FC_OK)
#define MAXK 16

static int verbose(void)
{
    return getenv("FC_TEST_VERBOSE") != NULL;
}

static void model_for(const char *type, size_t p, int C, double beta, fc_model_t *m)
{
    OK(fc_model_init(m, fc_model_find(type), p, C, beta));
}

static void config_for(fc_config_t *c, const char *name, fc_family_t fam, double delta,
                       double alpha, double rho)
{
    fc_config_defaults(c);
    snprintf(c->algorithm.name, sizeof c->algorithm.name, "%s", name);
    c->algorithm.family = fam;
    c->model.prior_precision = delta;
    c->algorithm.damping = alpha;
    c->algorithm.penalty = rho;
}

static void free_blocks(fc_data_t **b, size_t K)
{
    for (size_t k = 0; k < K; k++)
        fc_data_destroy(&b[k]);
}

/* Acceptance 2: linear + full + α = 1 — one FPC round gives the exact posterior mean
 * θ* = (δI + βXᵀX)⁻¹ βXᵀy, for K = 1, 3, 7. */
START_TEST(fpc_full_linear_exact_after_one_round)
{
    static const size_t Ks[] = {1, 3, 7};
    const size_t K = Ks[_i], p_raw = 6, p = 7, n = 15;
    const double delta = 0.7, beta = 2.5;
    fc_model_t m;
    fc_config_t c;
    fc_data_t *b[MAXK];
    fc_sim_t s;
    double A[7 * 7] = {0}, rhs[7] = {0};
    model_for("linear", p, 1, beta, &m);
    fc_sim_blocks(&m, K, n, p_raw, 1, 0.5, 11 + K, b);
    for (size_t i = 0; i < p; i++)
        A[i * p + i] = delta;
    for (size_t k = 0; k < K; k++)
        for (size_t e = 0; e < b[k]->n; e++) {
            const double *x = b[k]->X + e * p;
            for (size_t i = 0; i < p; i++) {
                rhs[i] += beta * x[i] * b[k]->y[e];
                for (size_t j = 0; j < p; j++)
                    A[i * p + j] += beta * x[i] * x[j];
            }
        }
    fc_test_gauss_solve(p, A, rhs);
    config_for(&c, "fpc", FC_FAMILY_FULL, delta, 1.0, 1.0);
    fc_sim_init(&s, &c, &m, b, K);
    OK(fc_sim_round(&s, NULL));
    double err = fc_test_relerr(p, s.g->m, rhs);
    if (verbose()) printf("linear exact K=%zu: rel err %.3e\n", K, err);
    ck_assert_double_lt(err, 1e-9);
    fc_sim_free(&s);
    free_blocks(b, K);
}
END_TEST

/* Acceptance 3: FPC-iso and AMA with the same α and ρ give the same iterates. */
START_TEST(fpc_iso_equals_ama)
{
    const size_t K = 4, p_raw = 5, p = 6, n = 40;
    fc_model_t m;
    fc_config_t c1, c2;
    fc_data_t *b[MAXK];
    fc_sim_t s1, s2;
    model_for("logistic", p, 1, 1.0, &m);
    fc_sim_blocks(&m, K, n, p_raw, 1, 1.0, 5, b);
    config_for(&c1, "fpc", FC_FAMILY_ISO, 1.0, 0.8, 0.3);
    config_for(&c2, "ama", FC_FAMILY_FULL, 1.0, 0.8, 0.3);
    c1.algorithm.local_tol = c2.algorithm.local_tol = 0.0;
    fc_sim_init(&s1, &c1, &m, b, K);
    fc_sim_init(&s2, &c2, &m, b, K);
    double worst = 0.0;
    for (int t = 0; t < 20; t++) {
        OK(fc_sim_round(&s1, NULL));
        OK(fc_sim_round(&s2, NULL));
        double e = fc_test_relerr(p, s1.g->m, s2.g->m);
        worst = fmax(worst, e);
    }
    if (verbose()) printf("fpc-iso vs ama: worst rel diff over 20 rounds %.3e\n", worst);
    ck_assert_double_lt(worst, 1e-9);
    ck_assert_double_gt(fc_nrm2(p, s1.g->m), 0.1); /* it moved */
    fc_sim_free(&s1);
    fc_sim_free(&s2);
    free_blocks(b, K);
}
END_TEST

/* Acceptance 4a: central reaches ‖∇F‖ < 1e-10 on logistic and softmax. */
START_TEST(central_reaches_gradient_floor)
{
    const char *type = _i == 0 ? "logistic" : "softmax";
    const size_t K = 5, p_raw = 6, p = 7, n = 60;
    const int C = _i == 0 ? 1 : 4;
    fc_model_t m;
    fc_config_t c;
    fc_data_t *b[MAXK];
    double theta[7 * 4];
    model_for(type, p, C, 1.0, &m);
    fc_sim_blocks(&m, K, n, p_raw, 1, 1.0, 21, b);
    config_for(&c, "central", FC_FAMILY_FULL, 1.0, 1.0, 1.0);
    double gn = fc_sim_central(&c, &m, b, K, theta);
    if (verbose()) printf("central %s: |grad F| = %.3e\n", type, gn);
    ck_assert_double_lt(gn, 1e-10);
    free_blocks(b, K);
}
END_TEST

/* Acceptance 4b: every algorithm with stable settings converges to θ*. */
typedef struct {
    const char *name;
    fc_family_t family;
    double alpha, rho;
    int sequential;
    int rounds;
} conv_case_t;

static const conv_case_t conv_cases[] = {
    {"fpc", FC_FAMILY_FULL, 1.0, 1.0, 0, 60},   {"fpc", FC_FAMILY_DIAG, 0.5, 1.0, 0, 400},
    {"fpc", FC_FAMILY_ISO, 1.0, 0.2, 0, 3000},  {"pvi", FC_FAMILY_FULL, 1.0, 1.0, 0, 100},
    {"pvi", FC_FAMILY_FULL, 1.0, 1.0, 1, 100},  {"pvi", FC_FAMILY_DIAG, 0.5, 1.0, 0, 400},
    {"fpc", FC_FAMILY_FULL, 1.0, 1.0, 1, 60},   {"admm", FC_FAMILY_FULL, 1.0, 1.0, 0, 3000},
    {"ama", FC_FAMILY_FULL, 1.0, 0.2, 0, 3000},
};

START_TEST(algorithms_converge_to_map)
{
    const conv_case_t *cc = &conv_cases[_i];
    const size_t K = 4, p_raw = 4, p = 5, n = 30;
    fc_model_t m;
    fc_config_t c;
    fc_data_t *b[MAXK];
    fc_sim_t s;
    double star[5];
    model_for("logistic", p, 1, 1.0, &m);
    fc_sim_blocks(&m, K, n, p_raw, 1, 0.3, 31, b); /* mildly heterogeneous */
    config_for(&c, "central", FC_FAMILY_FULL, 1.0, 1.0, 1.0);
    ck_assert_double_lt(fc_sim_central(&c, &m, b, K, star), 1e-10);
    config_for(&c, cc->name, cc->family, 1.0, cc->alpha, cc->rho);
    fc_sim_init(&s, &c, &m, b, K);
    int t;
    double dist = INFINITY;
    for (t = 0; t < cc->rounds && dist > 1e-8; t++) {
        OK(cc->sequential ? fc_sim_round_seq(&s) : fc_sim_round(&s, NULL));
        double diff[5];
        for (size_t i = 0; i < p; i++)
            diff[i] = s.g->m[i] - star[i];
        dist = fc_nrm2(p, diff);
    }
    if (verbose())
        printf("%s family %d alpha %g rho %g seq %d: dist %.3e after %d rounds\n", cc->name,
               (int)cc->family, cc->alpha, cc->rho, cc->sequential, dist, t);
    ck_assert_double_lt(dist, 1e-6);
    fc_sim_free(&s);
    free_blocks(b, K);
}
END_TEST

/* An over-relaxed site update (α > 1) on confident logistic data shrinks the new
 * Hessians below the damped old ones, so a cavity turns indefinite: reported, not a crash. */
START_TEST(indefinite_cavity_is_reported)
{
    const size_t K = 2, p = 3, n = 40;
    fc_model_t m;
    fc_config_t c;
    fc_data_t *b[MAXK];
    fc_sim_t s;
    model_for("logistic", p, 1, 1.0, &m);
    fc_sim_blocks(&m, K, n, p - 1, 1, 3.0, 41, b);
    config_for(&c, "fpc", _i == 0 ? FC_FAMILY_FULL : FC_FAMILY_DIAG, 0.01, 1.95, 1.0);
    fc_sim_init(&s, &c, &m, b, K);
    int err = FC_OK, t;
    for (t = 0; t < 100 && !err; t++)
        err = fc_sim_round(&s, NULL);
    if (verbose()) printf("indefinite after %d rounds: %s\n", t, fc_err_msg());
    ck_assert_int_eq(err, FC_ENOTSPD);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "not positive definite"));
    fc_sim_free(&s);
    free_blocks(b, K);
}
END_TEST

/* Participation: ⌈frac K⌉ distinct clients, reproducible for (seed, round). */
START_TEST(participation_is_seeded_subset)
{
    unsigned char a[50], b2[50];
    fc_participants(50, 0.3, 7, 3, a);
    fc_participants(50, 0.3, 7, 3, b2);
    ck_assert_mem_eq(a, b2, 50);
    int n = 0;
    for (int k = 0; k < 50; k++)
        n += a[k];
    ck_assert_int_eq(n, 15);
    fc_participants(50, 0.3, 7, 4, b2);
    ck_assert(memcmp(a, b2, 50) != 0);
    fc_participants(50, 1.0, 7, 4, b2);
    for (int k = 0; k < 50; k++)
        ck_assert_int_eq(b2[k], 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("algo");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, fpc_full_linear_exact_after_one_round, 0, 3);
    tcase_add_test(tc, fpc_iso_equals_ama);
    tcase_add_loop_test(tc, central_reaches_gradient_floor, 0, 2);
    tcase_add_loop_test(tc, algorithms_converge_to_map, 0,
                        (int)(sizeof conv_cases / sizeof conv_cases[0]));
    tcase_add_loop_test(tc, indefinite_cavity_is_reported, 0, 2);
    tcase_add_test(tc, participation_is_seeded_subset);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
