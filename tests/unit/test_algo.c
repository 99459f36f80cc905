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
#include "fc_testjob.h"
#include "fc_testutil.h"

#define OK(x) ck_assert_int_eq((x), FC_OK)
#define MAXK 16

static void model_for(const char *type, size_t p, int C, double beta, fc_model_t *m)
{
    OK(fc_model_init(m, fc_model_find(type), p, C, beta));
}

/* A config for K in-memory clients of model m (its row's name, β) and the algorithm. */
static void config_for(fc_config_t *c, const fc_model_t *m, size_t K, const char *name,
                       const char *fam, double delta, double alpha, double rho)
{
    fc_config_defaults(c);
    snprintf(c->model.type, sizeof c->model.type, "%s", m->ops->name);
    c->model.noise_precision = m->beta > 0 ? m->beta : 1.0;
    c->partition.clients = (int)K;
    c->run.reference = 0;
    snprintf(c->algorithm.name, sizeof c->algorithm.name, "%s", name);
    snprintf(c->algorithm.family, sizeof c->algorithm.family, "%s", fam);
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
    fc_testjob_t s;
    double A[7 * 7] = {0}, rhs[7] = {0};
    model_for("linear", p, 1, beta, &m);
    fc_test_blocks(&m, K, n, p_raw, 1, 0.5, 11 + K, b);
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
    config_for(&c, &m, K, "fpc", "full", delta, 1.0, 1.0);
    fc_testjob_init(&s, &c, b, 0);
    OK(fc_testjob_round(&s, 1));
    double err = fc_test_relerr(p, fc_testjob_mean(&s), rhs);
    if (fc_test_verbose()) printf("linear exact K=%zu: rel err %.3e\n", K, err);
    ck_assert_double_lt(err, 1e-9);
    fc_testjob_free(&s);
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
    fc_testjob_t s1, s2;
    model_for("logistic", p, 1, 1.0, &m);
    fc_test_blocks(&m, K, n, p_raw, 1, 1.0, 5, b);
    config_for(&c1, &m, K, "fpc", "iso", 1.0, 0.8, 0.3);
    config_for(&c2, &m, K, "ama", "full", 1.0, 0.8, 0.3);
    c1.algorithm.local_tol = c2.algorithm.local_tol = 0.0;
    fc_testjob_init(&s1, &c1, b, 0);
    fc_testjob_init(&s2, &c2, b, 0);
    double worst = 0.0;
    for (int t = 1; t <= 20; t++) {
        OK(fc_testjob_round(&s1, t));
        OK(fc_testjob_round(&s2, t));
        double e = fc_test_relerr(p, fc_testjob_mean(&s1), fc_testjob_mean(&s2));
        worst = fmax(worst, e);
    }
    if (fc_test_verbose()) printf("fpc-iso vs ama: worst rel diff over 20 rounds %.3e\n", worst);
    ck_assert_double_lt(worst, 1e-9);
    ck_assert_double_gt(fc_nrm2(p, fc_testjob_mean(&s1)), 0.1); /* it moved */
    fc_testjob_free(&s1);
    fc_testjob_free(&s2);
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
    fc_testjob_t s;
    model_for(type, p, C, 1.0, &m);
    fc_test_blocks(&m, K, n, p_raw, 1, 1.0, 21, b);
    config_for(&c, &m, K, "central", "full", 1.0, 1.0, 1.0);
    fc_testjob_init(&s, &c, b, C);
    for (int t = 1; t <= 100 && !fc_server_stalled(s.srv); t++)
        OK(fc_testjob_round(&s, t));
    double gn = fc_testjob_grad_norm(&s);
    fc_testjob_free(&s);
    if (fc_test_verbose()) printf("central %s: |grad F| = %.3e\n", type, gn);
    ck_assert_double_lt(gn, 1e-10);
    free_blocks(b, K);
}
END_TEST

/* Acceptance 4b: every algorithm with stable settings converges to θ*. */
typedef struct {
    const char *name;
    const char *family;
    double alpha, rho;
    int sequential;
    int rounds;
} conv_case_t;

static const conv_case_t conv_cases[] = {
    {"fpc", "full", 1.0, 1.0, 0, 60},   {"fpc", "diag", 0.5, 1.0, 0, 400},
    {"fpc", "iso", 1.0, 0.2, 0, 3000},  {"pvi", "full", 1.0, 1.0, 0, 100},
    {"pvi", "full", 1.0, 1.0, 1, 100},  {"pvi", "diag", 0.5, 1.0, 0, 400},
    {"fpc", "full", 1.0, 1.0, 1, 60},   {"admm", "full", 1.0, 1.0, 0, 3000},
    {"ama", "full", 1.0, 0.2, 0, 3000},
};

START_TEST(algorithms_converge_to_map)
{
    const conv_case_t *cc = &conv_cases[_i];
    const size_t K = 4, p_raw = 4, p = 5, n = 30;
    fc_model_t m;
    fc_config_t c;
    fc_data_t *b[MAXK];
    fc_testjob_t s;
    double star[5];
    model_for("logistic", p, 1, 1.0, &m);
    fc_test_blocks(&m, K, n, p_raw, 1, 0.3, 31, b); /* mildly heterogeneous */
    config_for(&c, &m, K, cc->name, cc->family, 1.0, cc->alpha, cc->rho);
    c.algorithm.schedule = cc->sequential ? FC_SCHED_SEQ : FC_SCHED_SYNC;
    c.run.reference = 1;
    fc_testjob_init(&s, &c, b, 0);
    fc_testjob_reference(&s, star); /* θ* by central Newton, the server's own */
    int t;
    double dist = INFINITY;
    for (t = 1; t <= cc->rounds && dist > 1e-8; t++) {
        OK(fc_testjob_round(&s, t));
        double diff[5];
        for (size_t i = 0; i < p; i++)
            diff[i] = fc_testjob_mean(&s)[i] - star[i];
        dist = fc_nrm2(p, diff);
    }
    if (fc_test_verbose())
        printf("%s family %s alpha %g rho %g seq %d: dist %.3e after %d rounds\n", cc->name,
               cc->family, cc->alpha, cc->rho, cc->sequential, dist, t);
    ck_assert_double_lt(dist, 1e-6);
    fc_testjob_free(&s);
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
    fc_testjob_t s;
    model_for("logistic", p, 1, 1.0, &m);
    fc_test_blocks(&m, K, n, p - 1, 1, 3.0, 41, b);
    config_for(&c, &m, K, "fpc", _i == 0 ? "full" : "diag", 0.01, 1.95, 1.0);
    fc_testjob_init(&s, &c, b, 0);
    int err = FC_OK, t;
    for (t = 1; t <= 100 && !err; t++)
        err = fc_testjob_round(&s, t);
    if (fc_test_verbose()) printf("indefinite after %d rounds: %s\n", t, fc_err_msg());
    ck_assert_int_eq(err, FC_ENOTSPD);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "not positive definite"));
    fc_testjob_free(&s);
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
