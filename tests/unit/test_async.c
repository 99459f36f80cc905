/* test_async.c — the MPI-free parts of the asynchronous schedule (SPEC §11): the
 * run.client_delay parser (a table of good and bad values), the seeded delays against the
 * lognormal's moments, the staleness rule, the virtual clock's order, and the arrivals
 * record read back (a table of broken records, each refused with its file and line). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fc_async.h"
#include "fc_testutil.h"

static const struct {
    const char *text;
    const char *why; /* NULL: accepted */
} delays[] = {
    {"none", NULL},
    {"lognormal:-3:1", NULL},
    {"lognormal:0:0", NULL},
    {"lognormal:1e-3:2.5", NULL},
    {"0:0.5", NULL},
    {"2:1,0:0.25,7:0", NULL},
    {"", "expected none"},
    {"-1", "expected none"},
    {"junk", "expected none"},
    {"lognormal:", "expected lognormal:MU:SIGMA"},
    {"lognormal:1", "expected lognormal:MU:SIGMA"},
    {"lognormal:x:1", "expected lognormal:MU:SIGMA"},
    {"lognormal:0:-1", "sigma must be at least 0"},
    {"lognormal:0:inf", "expected lognormal:MU:SIGMA"},
    {"lognormal:0:1:2", "expected lognormal:MU:SIGMA"},
    {"0:-1", "at least 0 seconds"},
    {"0:-0.5,1:1", "at least 0 seconds"},
    {"-1:1", "expected CLIENT:SECONDS"},
    {"1.5:1", "expected CLIENT:SECONDS"},
    {"0:1,0:2", "client 0 is given twice"},
    {"0:1,", "expected CLIENT:SECONDS"},
    {"0:x", "expected CLIENT:SECONDS"},
    {"0: 1", "expected CLIENT:SECONDS"},
};

START_TEST(delay_parser_accepts_and_refuses_the_table)
{
    for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        fc_delay_t d;
        char why[256] = "";
        int rc = fc_delay_parse(delays[i].text, &d, why, sizeof why);
        if (!delays[i].why) {
            ck_assert_msg(rc == 0, "'%s' refused: %s", delays[i].text, why);
        } else {
            ck_assert_msg(rc != 0, "'%s' accepted", delays[i].text);
            ck_assert_msg(strstr(why, delays[i].why), "'%s': '%s' lacks '%s'", delays[i].text, why,
                          delays[i].why);
        }
    }
}
END_TEST

START_TEST(delay_list_gives_each_client_its_delay)
{
    fc_delay_t d;
    char why[256];
    ck_assert_int_eq(fc_delay_parse("2:1.5,0:0.25", &d, why, sizeof why), 0);
    ck_assert_int_eq(fc_delay_max_client(&d), 2);
    for (uint64_t j = 0; j < 5; j++) {
        ck_assert(fc_delay_draw(&d, 7, 0, j) == 0.25);
        ck_assert(fc_delay_draw(&d, 7, 1, j) == 0.0); /* not listed */
        ck_assert(fc_delay_draw(&d, 7, 2, j) == 1.5);
    }
    ck_assert_int_eq(fc_delay_parse("none", &d, why, sizeof why), 0);
    ck_assert(fc_delay_draw(&d, 7, 3, 4) == 0.0);
    ck_assert_int_eq(fc_delay_max_client(&d), -1);
}
END_TEST

/* ln(delay) ~ N(μ, σ²): the sample mean and variance of the logs of n draws over clients and
 * updates, within 5 standard errors; and a draw depends on (seed, k, j) alone. */
START_TEST(lognormal_delays_have_the_lognormal_moments)
{
    fc_delay_t d;
    char why[256];
    const double mu = -2.0, sigma = 0.75;
    ck_assert_int_eq(fc_delay_parse("lognormal:-2:0.75", &d, why, sizeof why), 0);
    size_t n = 0;
    double s1 = 0.0, s2 = 0.0;
    for (size_t k = 0; k < 40; k++)
        for (uint64_t j = 0; j < 500; j++) {
            double x = log(fc_delay_draw(&d, 11, k, j));
            s1 += x;
            s2 += x * x;
            n++;
        }
    double mean = s1 / (double)n, var = s2 / (double)n - mean * mean;
    ck_assert_msg(fabs(mean - mu) < 5.0 * sigma / sqrt((double)n), "mean of logs %g", mean);
    /* var of the sample variance of normals: 2σ⁴/n */
    ck_assert_msg(fabs(var - sigma * sigma) < 5.0 * sqrt(2.0 / (double)n) * sigma * sigma,
                  "variance of logs %g", var);
    ck_assert(fc_delay_draw(&d, 11, 3, 9) == fc_delay_draw(&d, 11, 3, 9));
    ck_assert(fc_delay_draw(&d, 11, 3, 9) != fc_delay_draw(&d, 11, 3, 10));
    ck_assert(fc_delay_draw(&d, 11, 3, 9) != fc_delay_draw(&d, 11, 4, 9));
    ck_assert(fc_delay_draw(&d, 11, 3, 9) != fc_delay_draw(&d, 12, 3, 9));
    ck_assert_int_eq(fc_delay_parse("lognormal:0.5:0", &d, why, sizeof why), 0);
    ck_assert_double_eq_tol(fc_delay_draw(&d, 1, 0, 0), exp(0.5), 1e-15);
}
END_TEST

START_TEST(staleness_rule_drops_and_damps)
{
    for (int64_t s = 0; s < 6; s++) {
        ck_assert(fc_async_factor(0, 0, s) == 1.0);
        ck_assert(fc_async_factor(0, 1, s) == 1.0 / (1.0 + (double)s));
        ck_assert(fc_async_factor(2, 0, s) == (s > 2 ? 0.0 : 1.0));
        ck_assert(fc_async_factor(2, 1, s) == (s > 2 ? 0.0 : 1.0 / (1.0 + (double)s)));
    }
    ck_assert(fc_async_factor(1, 1, 1) == 0.5);
}
END_TEST

START_TEST(virtual_clock_takes_the_earliest_then_the_first_scheduled)
{
    fc_vevent_t ev[4] = {{2.0, 5}, {1.0, 7}, {1.0, 3}, {0.5, 9}};
    unsigned char allowed[4] = {1, 1, 1, 0};
    ck_assert_int_eq(fc_vclock_next(4, ev, NULL), 3);
    ck_assert_int_eq(fc_vclock_next(4, ev, allowed), 2); /* tie at 1.0: seq 3 first */
    allowed[2] = 0;
    ck_assert_int_eq(fc_vclock_next(4, ev, allowed), 1);
    memset(allowed, 0, sizeof allowed);
    ck_assert_int_eq(fc_vclock_next(4, ev, allowed), -1);
}
END_TEST

/* A record of 3 clients and seed 5 written with the writer and read back. */
static void write_record(const char *path)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fc_arrivals_header(f, 3, 5);
    const fc_arrival_t a[] = {
        {1, 0, 0, 1, 0, 0.5}, {2, 1, 0, 2, 1, 0.75}, {3, 2, 0, -1, 2, 1.0}, {4, 0, 1, 3, 1, 1.25}};
    for (size_t i = 0; i < 4; i++)
        fc_arrivals_line(f, &a[i]);
    fclose(f);
}

START_TEST(arrivals_record_reads_back)
{
    char dir[4096], path[4200];
    fc_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/arrivals.csv", dir);
    write_record(path);
    fc_replay_t r;
    ck_assert_int_eq(fc_replay_load(path, 3, 5, &r), FC_OK);
    ck_assert_uint_eq(r.n, 4);
    ck_assert_int_eq(r.a[2].made, -1);
    ck_assert_int_eq(r.a[2].staleness, 2);
    ck_assert_int_eq(r.a[3].used, 1);
    ck_assert(r.a[3].seconds == 1.25);
    ck_assert_int_eq(r.line[0], 3);
    ck_assert_int_eq(r.last_line, 6);
    fc_replay_free(&r);
}
END_TEST

static const struct {
    const char *text;
    const char *where; /* the message names FILE + where */
    const char *why;
} broken[] = {
    {"", ":1: run.replay", "no header"},
    {"update,client\n", ":1: run.replay", "not an arrivals.csv"},
    {"# fedpc arrivals: clients=4 seed=5\n", ":1: run.replay", "another run"},
    {"# fedpc arrivals: clients=3 seed=6\n", ":1: run.replay", "another run"},
    {"# fedpc arrivals: clients=3 seed=5\nupdate,client\n", ":2: run.replay", "column names"},
    {"H\nC\n1,0,0,1,0\n", ":3: run.replay", "malformed"},
    {"H\nC\n1,0,0,1,0,0,7\n", ":3: run.replay", "malformed"},
    {"H\nC\n1,x,0,1,0,0\n", ":3: run.replay", "malformed"},
    {"H\nC\n1,-1,0,1,0,0\n", ":3: run.replay", "malformed"},
    {"H\nC\n1,0,0,1,0,nan\n", ":3: run.replay", "malformed"},
    {"H\nC\n2,0,0,1,0,0\n", ":3: run.replay", "numbered"},
    {"H\nC\n1,3,0,1,0,0\n", ":3: run.replay", "client this config does not have"},
    {"H\nC\n1,0,0,1,0,0\n2,1,0,3,1,0\n", ":4: run.replay", "does not follow"},
    {"H\nC\n1,0,0,1,0,0\n2,1,0,2,0,0\n", ":4: run.replay", "version the server held"},
    {"H\nC\n1,0,0,,0,0\n", ":3: run.replay", "dropped update of staleness 0"},
};

START_TEST(broken_records_are_refused_with_their_line)
{
    char dir[4096], path[4200], text[512];
    fc_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/rec.csv", dir);
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        const char *t = broken[i].text;
        if (strncmp(t, "H\nC\n", 4) == 0)
            snprintf(text, sizeof text,
                     "# fedpc arrivals: clients=3 seed=5\n"
                     "update,client,version_used,version_made,staleness,seconds\n%s",
                     t + 4);
        else
            snprintf(text, sizeof text, "%s", t);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
        fc_replay_t r;
        char want[4300];
        ck_assert_msg(fc_replay_load(path, 3, 5, &r) == FC_ECONFIG, "case %zu accepted", i);
        snprintf(want, sizeof want, "%s%s", path, broken[i].where);
        ck_assert_msg(strstr(fc_err_msg(), want), "case %zu: '%s' lacks '%s'", i, fc_err_msg(),
                      want);
        ck_assert_msg(strstr(fc_err_msg(), broken[i].why), "case %zu: '%s' lacks '%s'", i,
                      fc_err_msg(), broken[i].why);
    }
    snprintf(path, sizeof path, "%s/none.csv", dir);
    fc_replay_t r;
    ck_assert_int_eq(fc_replay_load(path, 3, 5, &r), FC_EIO);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("async");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, delay_parser_accepts_and_refuses_the_table);
    tcase_add_test(tc, delay_list_gives_each_client_its_delay);
    tcase_add_test(tc, lognormal_delays_have_the_lognormal_moments);
    tcase_add_test(tc, staleness_rule_drops_and_damps);
    tcase_add_test(tc, virtual_clock_takes_the_earliest_then_the_first_scheduled);
    tcase_add_test(tc, arrivals_record_reads_back);
    tcase_add_test(tc, broken_records_are_refused_with_their_line);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
