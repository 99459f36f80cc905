/* test_output.c — summary.json: numbers and booleans of the config echo are JSON numbers and
 * booleans (exact, run.seed's 64 bits included), and the echo lists only the keys the run
 * uses; each table row below is written by hand from README's key reference. */
#include <check.h>
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_config.h"
#include "fc_file.h"
#include "fc_output.h"
#include "fc_testutil.h"

/* summary.json of config c (after the --set list) parsed back, its text in *text. */
static cJSON *summary_of(const char *const *sets, char **text)
{
    char dir[256], path[300];
    size_t len;
    fc_config_t *c = malloc(sizeof *c);
    ck_assert_ptr_nonnull(c);
    fc_config_defaults(c);
    for (int i = 0; sets[i]; i++)
        ck_assert_msg(fc_config_set(c, sets[i]) == FC_OK, "%s", fc_err_msg());
    fc_test_tmpdir(dir, sizeof dir);
    fc_summary_t s = {.status = "converged",
                      .rounds = 3,
                      .theta_star_objective = 1.5,
                      .ranks = 2,
                      .clients = 8,
                      .parameters = 21};
    s.final.objective = 2.0;
    s.final.dist_to_opt = s.final.correction = s.final.test_loss = NAN;
    s.final.test_accuracy = NAN;
    ck_assert_int_eq(fc_output_summary(dir, c, &s), FC_OK);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    ck_assert_int_eq(fc_read_file(path, 1 << 20, text, &len), FC_OK);
    cJSON *root = cJSON_Parse(*text);
    ck_assert_ptr_nonnull(root);
    free(c);
    return root;
}

static const cJSON *item(const cJSON *root, const char *section, const char *key)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(root, "config");
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg, section), key);
}

START_TEST(numbers_are_numbers)
{
    const char *sets[] = {"run.seed=18446744073709551615", "run.tol=1e-08", "run.rounds=7",
                          "algorithm.damping=0.5", NULL};
    char *text = NULL;
    cJSON *root = summary_of(sets, &text);
    ck_assert(cJSON_IsNumber(item(root, "run", "rounds")));
    ck_assert_double_eq(item(root, "run", "rounds")->valuedouble, 7);
    ck_assert(cJSON_IsNumber(item(root, "run", "tol")));
    ck_assert_double_eq(item(root, "run", "tol")->valuedouble, 1e-8);
    ck_assert_double_eq(item(root, "algorithm", "damping")->valuedouble, 0.5);
    ck_assert(cJSON_IsNumber(item(root, "partition", "clients")));
    ck_assert(cJSON_IsBool(item(root, "run", "reference")));
    ck_assert(cJSON_IsTrue(item(root, "run", "reference")));
    ck_assert(cJSON_IsFalse(item(root, "run", "resume")));
    ck_assert(cJSON_IsTrue(item(root, "model", "bias")));
    ck_assert(cJSON_IsString(item(root, "algorithm", "name")));
    ck_assert(cJSON_IsString(item(root, "output", "dir")));
    ck_assert(cJSON_IsNumber(item(root, "run", "seed")));
    /* 2^64 - 1 is not a double: the text must carry every digit. */
    ck_assert_ptr_nonnull(strstr(text, "\"seed\":\t18446744073709551615"));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "final"), "dist_to_opt")));
    cJSON_Delete(root);
    free(text);
}
END_TEST

/* The --set list of a run, and the exact key list the echo must have per section. */
typedef struct {
    const char *what;
    const char *set[6];
    const char *data, *partition, *model, *algorithm;
} echo_t;

static const echo_t echo[] = {
    {"fpc full, synthetic",
     {NULL},
     "format n_per_client features heterogeneity noise",
     "scheme clients",
     "type bias prior_precision",
     "name family damping schedule participation local_steps local_tol local_solver expectation "
     "quadrature_points mc_samples"},
    {"fpc iso has a penalty",
     {"algorithm.family=iso", NULL},
     "format n_per_client features heterogeneity noise",
     "scheme clients",
     "type bias prior_precision",
     "name family damping penalty schedule participation local_steps local_tol local_solver "
     "expectation quadrature_points mc_samples"},
    {"admm: no family, no schedule",
     {"algorithm.name=admm", NULL},
     "format n_per_client features heterogeneity noise",
     "scheme clients",
     "type bias prior_precision",
     "name damping penalty participation local_steps local_tol local_solver"},
    {"central: no client step",
     {"algorithm.name=central", NULL},
     "format n_per_client features heterogeneity noise",
     "scheme clients",
     "type bias prior_precision",
     "name expectation quadrature_points mc_samples"},
    {"fedavg: its optimiser, no family",
     {"algorithm.name=fedavg", NULL},
     "format n_per_client features heterogeneity noise",
     "scheme clients",
     "type bias prior_precision",
     "name participation optimizer lr batch_size local_epochs"},
    {"fedprox: fedavg's keys and the penalty",
     {"algorithm.name=fedprox", NULL},
     "format n_per_client features heterogeneity noise",
     "scheme clients",
     "type bias prior_precision",
     "name penalty participation optimizer lr batch_size local_epochs"},
    {"linear on a csv file, dirichlet is not possible: iid with a held-out share",
     {"model.type=linear", "data.format=csv", "data.train=x.csv", "data.test_fraction=0.2", NULL},
     "format train test_fraction max_examples",
     "scheme clients",
     "type bias prior_precision noise_precision",
     "name family damping schedule participation local_steps local_tol local_solver expectation "
     "quadrature_points mc_samples"},
    {"softmax on idx, dirichlet, with a test folder",
     {"model.type=softmax", "data.format=idx", "data.train=tr", "data.test=te",
      "partition.scheme=dirichlet", NULL},
     "format train test max_examples resize classes",
     "scheme clients alpha",
     "type bias prior_precision",
     "name family damping schedule participation local_steps local_tol local_solver expectation "
     "quadrature_points mc_samples"},
};

/* The keys of section, space-separated, in order. */
static void keys_of(const cJSON *root, const char *section, char *buf, size_t size)
{
    const cJSON *sec =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "config"), section);
    size_t n = 0;
    buf[0] = '\0';
    for (const cJSON *it = sec ? sec->child : NULL; it; it = it->next)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " " : "", it->string);
}

START_TEST(echo_lists_the_keys_the_run_uses)
{
    const echo_t *t = &echo[_i];
    char *text = NULL, got[512];
    cJSON *root = summary_of(t->set, &text);
    const char *sections[] = {"data", "partition", "model", "algorithm"};
    const char *want[] = {t->data, t->partition, t->model, t->algorithm};
    for (int s = 0; s < 4; s++) {
        keys_of(root, sections[s], got, sizeof got);
        ck_assert_msg(strcmp(got, want[s]) == 0, "%s: [%s] is '%s', expected '%s'", t->what,
                      sections[s], got, want[s]);
    }
    keys_of(root, "run", got, sizeof got);
    ck_assert_str_eq(got, "rounds tol seed reference threads resume divergence");
    keys_of(root, "output", got, sizeof got);
    ck_assert_str_eq(got, "dir checkpoint_every");
    cJSON_Delete(root);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("summary");
    tcase_add_test(tc, numbers_are_numbers);
    tcase_add_loop_test(tc, echo_lists_the_keys_the_run_uses, 0, sizeof echo / sizeof echo[0]);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
