/* test_stability.c — the stability verdict on synthetic trajectories built here from
 * closed forms (geometric decay, cycles of period 2 and 3 with and without decay,
 * plateaus, blow-ups, round-off noise, short runs): each gets the verdict, and the rate
 * within 1% of the one it was built with; plus the JSON and CSV forms. */
#include <check.h>
#include <cJSON.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_error.h"
#include "fc_rng.h"
#include "fc_stability.h"
#include "fc_testutil.h"

enum { NMAX = 2100 };

typedef enum {
    GEOMETRIC, /* a r^t */
    CYCLE2,    /* a r^t (1 + c0 (−1)^t) */
    CYCLE3,    /* a r^t c[t mod 3], c = {1, 3, 0.5} */
    LIMIT,     /* c0 + a r^t: approaches a non-zero plateau */
    NOISY,     /* a r^t exp(c0 N(0,1)) */
    FLOOR,     /* a r^t until it falls below 1e-15 a, then |noise| ~ c0 ε a, some ≤ 0 */
    LOGISTIC,  /* the logistic map at 3.9, scaled by a: chaotic, no period */
    DRIFT2,    /* a (1 + c0 (1 − r^t)) (1 ± 6e-4 (1 + 0.5 r^t)): an unstable AMA run's
                  2-cycle, 0.1% wide at a large gap, its mean and width still settling */
} shape_t;

typedef struct {
    const char *name;
    shape_t shape;
    size_t n;
    double a, r, c0;
    double tol;           /* on the series itself, NaN = none */
    double floor;         /* given floor, NaN = the default */
    bool converged;       /* the caller's stopping rule held */
    const char *diverged; /* the caller's divergence reason */
    fc_verdict_t want;
    int period;         /* expected period, −1 */
    double want_rate;   /* rate it was built with (checked to 1%); NaN: must be NaN; < 0: any */
    const char *reason; /* expected substring of the reason, NULL = not checked */
} case_t;

static void build(const case_t *c, double *x)
{
    static const double c3[3] = {1.0, 3.0, 0.5};
    fc_rng_t rng;
    double z = 0.3;
    bool low = false;
    fc_rng_seed(&rng, 7, 0, 0);
    for (size_t t = 0; t < c->n; t++) {
        double g = c->a * pow(c->r, (double)t);
        switch (c->shape) {
        case GEOMETRIC:
            x[t] = g;
            break;
        case CYCLE2:
            x[t] = g * (1.0 + c->c0 * (t % 2 ? -1.0 : 1.0));
            break;
        case CYCLE3:
            x[t] = g * c3[t % 3];
            break;
        case LIMIT:
            x[t] = c->c0 + g;
            break;
        case NOISY:
            x[t] = g * exp(c->c0 * fc_rng_normal(&rng));
            break;
        case FLOOR:
            low = low || g < 1e-15 * c->a;
            x[t] = low ? c->c0 * DBL_EPSILON * c->a * (2.0 * fc_rng_uniform(&rng) - 1.0) : g;
            break;
        case DRIFT2:
            x[t] = c->a * (1.0 + c->c0 * (1.0 - pow(c->r, (double)t))) *
                   (1.0 + 6e-4 * (1.0 + 0.5 * pow(c->r, (double)t)) * (t % 2 ? -1.0 : 1.0));
            break;
        case LOGISTIC:
            z = 3.9 * z * (1.0 - z);
            x[t] = c->a * (0.05 + z);
            break;
        }
    }
}

#define NONE NAN
static const case_t cases[] = {
    {"geometric 0.9", GEOMETRIC, 200, 1.0, 0.9, 0, 1e-12, NONE, 0, NULL, FC_VERDICT_CONVERGING, -1,
     0.9, NULL},
    {"geometric 0.5", GEOMETRIC, 30, 10.0, 0.5, 0, NONE, NONE, 0, NULL, FC_VERDICT_CONVERGING, -1,
     0.5, NULL},
    {"geometric 0.999", GEOMETRIC, 2000, 1e3, 0.999, 0, 1e-5, NONE, 0, NULL, FC_VERDICT_CONVERGING,
     -1, 0.999, NULL},
    /* the slow FPC-diag shape of issue 11: 24.6 → 3.7 over 200 rounds */
    {"slow 0.99318", GEOMETRIC, 201, 24.6, 0.99318, 0, 1e-6, NONE, 0, NULL, FC_VERDICT_CONVERGING,
     -1, 0.99318, NULL},
    {"noisy 0.95", NOISY, 300, 1.0, 0.95, 1e-3, NONE, NONE, 0, NULL, FC_VERDICT_CONVERGING, -1,
     0.95, NULL},
    {"monotone ripple 0.5", CYCLE2, 40, 1.0, 0.5, 0.1, NONE, NONE, 0, NULL, FC_VERDICT_CONVERGING,
     -1, 0.5, NULL},
    {"2-cycle", CYCLE2, 400, 1e6, 1.0, 0.5, 1e-8, NONE, 0, NULL, FC_VERDICT_OSCILLATING, 2, 1.0,
     NULL},
    {"2-cycle decaying", CYCLE2, 400, 1e3, 0.97, 0.5, 1e-8, NONE, 0, NULL, FC_VERDICT_OSCILLATING,
     2, 0.97, NULL},
    {"2-cycle growing", CYCLE2, 200, 1.0, 1.01, 0.3, NONE, NONE, 0, NULL, FC_VERDICT_OSCILLATING, 2,
     1.01, NULL},
    {"3-cycle", CYCLE3, 300, 100.0, 1.0, 0, 1e-8, NONE, 0, NULL, FC_VERDICT_OSCILLATING, 3, 1.0,
     NULL},
    {"3-cycle decaying", CYCLE3, 300, 100.0, 0.98, 0, 1e-8, NONE, 0, NULL, FC_VERDICT_OSCILLATING,
     3, 0.98, NULL},
    {"short 3-cycle", CYCLE3, 10, 100.0, 1.0, 0, NONE, NONE, 0, NULL, FC_VERDICT_OSCILLATING, 3,
     1.0, NULL},
    {"settling 2-cycle", DRIFT2, 400, 6e5, 0.99, 1.0, 1e-8, NONE, 0, NULL, FC_VERDICT_OSCILLATING,
     2, 1.0, NULL},
    {"chaotic", LOGISTIC, 500, 10.0, 1.0, 0, NONE, NONE, 0, NULL, FC_VERDICT_OSCILLATING, -1, -1,
     "irregular"},
    {"plateau", GEOMETRIC, 100, 5.0, 1.0, 0, 1e-8, NONE, 0, NULL, FC_VERDICT_STALLED, -1, 1.0,
     "no progress"},
    {"plateau reached", LIMIT, 400, 5.0, 0.9, 2.0, 1e-8, NONE, 0, NULL, FC_VERDICT_STALLED, -1, 1.0,
     "no progress"},
    {"slow growth", GEOMETRIC, 100, 1.0, 1.1, 0, NONE, NONE, 0, NULL, FC_VERDICT_STALLED, -1, 1.1,
     "growing"},
    {"blow-up", GEOMETRIC, 15, 1e-2, 4.0, 0, NONE, NONE, 0, "objective gap above run.divergence",
     FC_VERDICT_DIVERGED, -1, 4.0, "run.divergence"},
    {"converged", GEOMETRIC, 40, 1.0, 0.6, 0, NONE, NONE, 1, NULL, FC_VERDICT_CONVERGED, -1, 0.6,
     NULL},
    {"floor noise (given floor)", FLOOR, 120, 1.0, 0.5, 4.0, NONE, 64 * DBL_EPSILON, 0, NULL,
     FC_VERDICT_CONVERGED, -1, 0.5, "floor"},
    {"floor noise (default floor)", FLOOR, 200, 3e2, 0.8, 2.0, NONE, NONE, 0, NULL,
     FC_VERDICT_CONVERGED, -1, 0.8, "floor"},
    {"one row", GEOMETRIC, 1, 1.0, 0.5, 0, NONE, NONE, 0, NULL, FC_VERDICT_STALLED, -1, NONE,
     "too few"},
    {"no rows", GEOMETRIC, 0, 1.0, 0.5, 0, NONE, NONE, 0, NULL, FC_VERDICT_STALLED, -1, NONE,
     "too few"},
    {"two rows", GEOMETRIC, 2, 1.0, 0.5, 0, NONE, NONE, 0, NULL, FC_VERDICT_CONVERGING, -1, 0.5,
     NULL},
    {"five rows", GEOMETRIC, 5, 1.0, 0.7, 0, NONE, NONE, 0, NULL, FC_VERDICT_CONVERGING, -1, 0.7,
     NULL},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

/* The round at which a r^t first is ≤ tol: the closed form the projection must match. */
static double closed_form_rounds(const case_t *c)
{
    return ceil(log(c->tol / c->a) / log(c->r));
}

START_TEST(verdict_table)
{
    const case_t *c = &cases[_i];
    static double x[NMAX];
    fc_stability_t s;
    build(c, x);
    fc_stability_input_t in = {.n = c->n,
                               .value = x,
                               .tol = c->tol,
                               .floor = c->floor,
                               .converged = c->converged,
                               .diverged = c->diverged};
    ck_assert_int_eq(fc_stability_assess(&in, &s), FC_OK);
    ck_assert_msg(s.verdict == c->want, "%s: verdict %s, expected %s (reason '%s')", c->name,
                  fc_verdict_name(s.verdict), fc_verdict_name(c->want), s.reason);
    ck_assert_msg(s.period == c->period, "%s: period %d, expected %d", c->name, s.period,
                  c->period);
    if (c->want_rate < 0)
        ck_assert(isfinite(s.rate));
    else if (isnan(c->want_rate))
        ck_assert_msg(isnan(s.rate), "%s: rate %g where none applies", c->name, s.rate);
    else
        ck_assert_msg(fabs(s.rate - c->want_rate) <= 0.01 * c->want_rate,
                      "%s: rate %.6g, built with %.6g", c->name, s.rate, c->want_rate);
    if (c->reason)
        ck_assert_msg(strstr(s.reason, c->reason), "%s: reason '%s' lacks '%s'", c->name, s.reason,
                      c->reason);
    ck_assert_msg(!strchr(s.reason, ','), "%s: a comma in the reason breaks sweep.csv", c->name);
    /* the projection: where it applies, the closed form of a r^t ≤ tol (±1 round) */
    bool projects = (s.verdict == FC_VERDICT_CONVERGING ||
                     (s.verdict == FC_VERDICT_OSCILLATING && s.rate < 0.999)) &&
                    isfinite(c->tol);
    if (projects && c->shape == GEOMETRIC)
        ck_assert_msg(fabs(s.projected_rounds - closed_form_rounds(c)) <= 1.0,
                      "%s: projected %g, closed form %g", c->name, s.projected_rounds,
                      closed_form_rounds(c));
    else if (!projects)
        ck_assert_msg(isnan(s.projected_rounds), "%s: projected %g where none applies", c->name,
                      s.projected_rounds);
    if (s.verdict == FC_VERDICT_OSCILLATING)
        ck_assert(isfinite(s.amplitude) && s.amplitude > 0);
    else
        ck_assert(isnan(s.amplitude));
}
END_TEST

/* Amplitude: half the peak-to-peak over the last period, by hand for an undamped cycle. */
START_TEST(amplitude_of_cycles)
{
    static double x[400];
    fc_stability_t s;
    build(&cases[6], x); /* 1e6 (1 ± 0.5): peaks 1.5e6 and 0.5e6 */
    fc_stability_input_t in = {.n = 400, .value = x, .tol = NAN, .floor = NAN};
    ck_assert_int_eq(fc_stability_assess(&in, &s), FC_OK);
    ck_assert_double_eq_tol(s.amplitude, 0.5e6, 1e-6);
    build(&cases[9], x); /* 100 {1, 3, 0.5}: peaks 300 and 50 */
    in.n = 300;
    ck_assert_int_eq(fc_stability_assess(&in, &s), FC_OK);
    ck_assert_double_eq_tol(s.amplitude, 125.0, 1e-9);
}
END_TEST

/* The gap at round-off while ‖∇F‖ still shrinks at 0.9 per round: judged by ‖∇F‖. */
START_TEST(gap_at_floor_defers_to_gradient)
{
    static double gap[120], grad[120];
    fc_stability_t s;
    for (size_t t = 0; t < 120; t++) {
        grad[t] = pow(0.9, (double)t);
        gap[t] = t < 30 ? grad[t] * grad[t] : (t % 2 ? -1e-17 : 2e-17);
    }
    fc_stability_input_t in = {
        .n = 120, .value = gap, .stop = grad, .tol = 1e-40, .floor = 64 * DBL_EPSILON};
    ck_assert_int_eq(fc_stability_assess(&in, &s), FC_OK);
    ck_assert_str_eq(fc_verdict_name(s.verdict), "converging");
    ck_assert_double_eq_tol(s.rate, 0.9, 0.009);
    ck_assert_ptr_nonnull(strstr(s.reason, "floor"));
    ck_assert_double_eq_tol(s.projected_rounds, ceil(log(1e-40) / log(0.9)), 1.0);
    /* the same with ‖∇F‖ already at tol: converged at the floor */
    in.tol = 1.0;
    ck_assert_int_eq(fc_stability_assess(&in, &s), FC_OK);
    ck_assert_str_eq(fc_verdict_name(s.verdict), "converged");
    ck_assert_double_eq_tol(s.rate, 0.81, 0.0081); /* the gap's rate, before the floor */
}
END_TEST

/* The projection uses the tolerance series' own rate: gap = grad², rates 0.81 and 0.9. */
START_TEST(projection_follows_the_tolerance_series)
{
    static double gap[100], grad[100];
    fc_stability_t s;
    for (size_t t = 0; t < 100; t++) {
        grad[t] = 10.0 * pow(0.9, (double)t);
        gap[t] = grad[t] * grad[t];
    }
    fc_stability_input_t in = {.n = 100, .value = gap, .stop = grad, .tol = 1e-8, .floor = NAN};
    ck_assert_int_eq(fc_stability_assess(&in, &s), FC_OK);
    ck_assert_str_eq(fc_verdict_name(s.verdict), "converging");
    ck_assert_double_eq_tol(s.rate, 0.81, 0.0081);
    ck_assert_double_eq_tol(s.projected_rounds, ceil(log(1e-9) / log(0.9)), 1.0);
}
END_TEST

START_TEST(json_numbers_and_nulls)
{
    fc_stability_t osc = {FC_VERDICT_OSCILLATING, 0.97, 2, 1250.5, 812.0, ""};
    fc_stability_t st = {FC_VERDICT_STALLED, NAN, -1, NAN, NAN, "no progress"};
    cJSON *root = cJSON_CreateObject(), *other = cJSON_CreateObject();
    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_nonnull(other);
    ck_assert_int_eq(fc_stability_to_json(root, &osc), FC_OK);
    ck_assert_int_eq(fc_stability_to_json(other, &st), FC_OK);
    char *text = cJSON_PrintUnformatted(root);
    cJSON *back = cJSON_Parse(text);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(back, "stability");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(o, "verdict")->valuestring, "oscillating");
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "rate")));
    ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(o, "rate")->valuedouble, 0.97);
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(o, "period")->valueint, 2);
    ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(o, "amplitude")->valuedouble, 1250.5);
    ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(o, "projected_rounds")->valuedouble,
                        812.0);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "reason")));
    o = cJSON_GetObjectItemCaseSensitive(other, "stability");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "rate")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "period")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "amplitude")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "projected_rounds")));
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(o, "reason")->valuestring, "no progress");
    cJSON_free(text);
    cJSON_Delete(back);
    cJSON_Delete(root);
    cJSON_Delete(other);
}
END_TEST

START_TEST(csv_fields)
{
    fc_stability_t osc = {FC_VERDICT_OSCILLATING, 0.97, 2, 1250.5, 812.0, ""};
    fc_stability_t cv = {FC_VERDICT_CONVERGING, 0.993180001, -1, NAN, 1520.0, ""};
    fc_stability_t dv = {FC_VERDICT_DIVERGED, NAN, -1, NAN, NAN, "non-finite objective"};
    char buf[FC_STABILITY_CSV_CAP], tiny[8];
    ck_assert_str_eq(fc_stability_csv_header(), "verdict,rate,period,amplitude,projected_rounds");
    ck_assert_int_eq(fc_stability_csv_row(buf, sizeof buf, &osc), FC_OK);
    ck_assert_str_eq(buf, "oscillating,0.97,2,1250.5,812");
    ck_assert_int_eq(fc_stability_csv_row(buf, sizeof buf, &cv), FC_OK);
    ck_assert_str_eq(buf, "converging,0.99318,,,1520");
    ck_assert_int_eq(fc_stability_csv_row(buf, sizeof buf, &dv), FC_OK);
    ck_assert_str_eq(buf, "diverged,,,,");
    ck_assert_int_eq(fc_stability_csv_row(tiny, sizeof tiny, &osc), FC_EINVAL);
}
END_TEST

START_TEST(null_trajectory_is_einval)
{
    fc_stability_t s;
    fc_stability_input_t in = {.n = 3, .value = NULL, .tol = NAN, .floor = NAN};
    ck_assert_int_eq(fc_stability_assess(&in, &s), FC_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stability");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, verdict_table, 0, NCASES);
    tcase_add_test(tc, amplitude_of_cycles);
    tcase_add_test(tc, gap_at_floor_defers_to_gradient);
    tcase_add_test(tc, projection_follows_the_tolerance_series);
    tcase_add_test(tc, json_numbers_and_nulls);
    tcase_add_test(tc, csv_fields);
    tcase_add_test(tc, null_trajectory_is_einval);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
