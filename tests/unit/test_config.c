/* test_config.c — the configuration (SPEC §6): a table of bad configs with the exact
 * message each must give, defaults, a file that sets every key, --set, relative paths,
 * the echo and its round trip, and the cross-key validation of good configs. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fc_config.h"
#include "fc_family.h"
#include "fc_error.h"
#include "fc_testutil.h"

/* ---------------------------------------------------------------------------------------
 * Helpers */

/* A line longer than inih's 200-byte line buffer. */
#define LONG_VALUE                                                                                 \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* tmpl with every "$D" replaced by dir. */
static void subst(const char *tmpl, const char *dir, char *out, size_t size)
{
    size_t used = 0;
    const char *s = tmpl, *hit;
    while ((hit = strstr(s, "$D")) != NULL) {
        used += (size_t)snprintf(out + used, size - used, "%.*s%s", (int)(hit - s), s, dir);
        ck_assert_uint_lt(used, size);
        s = hit + 2;
    }
    used += (size_t)snprintf(out + used, size - used, "%s", s);
    ck_assert_uint_lt(used, size);
}

static void write_in(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    fc_test_write_file(path, text);
}

static void remove_in(const char *dir, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    remove(path);
}

static fc_config_t *new_config(void)
{
    fc_config_t *c = malloc(sizeof *c);
    ck_assert_ptr_nonnull(c);
    fc_config_defaults(c);
    return c;
}

/* Every setting (not source or origin) equal; local_steps by its effective value. */
static void assert_same_settings(const fc_config_t *a, const fc_config_t *b)
{
    ck_assert_int_eq(a->data.format, b->data.format);
    ck_assert_str_eq(a->data.train, b->data.train);
    ck_assert_str_eq(a->data.test, b->data.test);
    ck_assert_double_eq(a->data.test_fraction, b->data.test_fraction);
    ck_assert_int_eq(a->data.max_examples, b->data.max_examples);
    ck_assert_int_eq(a->data.resize, b->data.resize);
    ck_assert_int_eq(a->data.classes, b->data.classes);
    ck_assert_int_eq(a->data.n_per_client, b->data.n_per_client);
    ck_assert_int_eq(a->data.features, b->data.features);
    ck_assert_double_eq(a->data.heterogeneity, b->data.heterogeneity);
    ck_assert_double_eq(a->data.noise, b->data.noise);
    ck_assert_int_eq(a->partition.scheme, b->partition.scheme);
    ck_assert_int_eq(a->partition.clients, b->partition.clients);
    ck_assert_double_eq(a->partition.alpha, b->partition.alpha);
    ck_assert_int_eq(a->partition.groups.count, b->partition.groups.count);
    for (int g = 0; g <= a->partition.groups.count; g++)
        ck_assert_int_eq(a->partition.groups.start[g], b->partition.groups.start[g]);
    for (int i = 0; i < a->partition.groups.start[a->partition.groups.count]; i++)
        ck_assert_int_eq(a->partition.groups.label[i], b->partition.groups.label[i]);
    ck_assert_str_eq(a->model.type, b->model.type);
    ck_assert_int_eq(a->model.bias, b->model.bias);
    ck_assert_double_eq(a->model.prior_precision, b->model.prior_precision);
    ck_assert_double_eq(a->model.noise_precision, b->model.noise_precision);
    ck_assert_str_eq(a->algorithm.name, b->algorithm.name);
    ck_assert_str_eq(a->algorithm.family, b->algorithm.family);
    ck_assert_double_eq(a->algorithm.damping, b->algorithm.damping);
    ck_assert_double_eq(a->algorithm.penalty, b->algorithm.penalty);
    ck_assert_int_eq(a->algorithm.schedule, b->algorithm.schedule);
    ck_assert_double_eq(a->algorithm.participation, b->algorithm.participation);
    ck_assert_int_eq(fc_config_local_steps(a), fc_config_local_steps(b));
    ck_assert_double_eq(a->algorithm.local_tol, b->algorithm.local_tol);
    ck_assert_int_eq(a->algorithm.local_solver, b->algorithm.local_solver);
    ck_assert_int_eq(a->algorithm.optimizer, b->algorithm.optimizer);
    ck_assert_double_eq(a->algorithm.lr, b->algorithm.lr);
    ck_assert_int_eq(a->algorithm.batch_size, b->algorithm.batch_size);
    ck_assert_int_eq(a->algorithm.local_epochs, b->algorithm.local_epochs);
    ck_assert_int_eq(a->run.rounds, b->run.rounds);
    ck_assert_double_eq(a->run.tol, b->run.tol);
    ck_assert_uint_eq(a->run.seed, b->run.seed);
    ck_assert_int_eq(a->run.reference, b->run.reference);
    ck_assert_int_eq(a->run.threads, b->run.threads);
    ck_assert_int_eq(a->run.resume, b->run.resume);
    ck_assert_double_eq(a->run.divergence, b->run.divergence);
    ck_assert_str_eq(a->output.dir, b->output.dir);
    ck_assert_int_eq(a->output.checkpoint_every, b->output.checkpoint_every);
}

/* ---------------------------------------------------------------------------------------
 * Bad configs: each row fails at load, --set or validate with this exact message. */

typedef struct {
    const char *what;
    const char *ini;      /* written to $D/cfg.ini; NULL = no file */
    const char *set[3];   /* --set assignments, applied after loading */
    const char *files[4]; /* files created in $D before loading */
    int code;
    const char *msg; /* "$D" is the temporary folder */
} bad_t;

/* One row per line group: what, INI text, --set list, files to create, code, message. */
// clang-format off
static const bad_t bad[] = {
    {"unknown key", "[algorithm]\ndampng = 1\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.dampng: unknown key; did you mean algorithm.damping?"},
    {"unknown section", "[run]\nrounds = 5\n[foo]\nx = 1\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:3: [foo]: unknown section"},
    {"unknown empty section", "[run]\n\n[bar]\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:3: [bar]: unknown section"},
    {"wrong type: int", "[run]\nrounds = ten\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: run.rounds: expected an integer, got 'ten'"},
    {"wrong type: int with a fraction", "[run]\nrounds = 10.5\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: run.rounds: expected an integer, got '10.5'"},
    {"int overflow", "[run]\nrounds = 99999999999\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: run.rounds: out of range, got '99999999999'"},
    {"wrong type: double", "[model]\nprior_precision = abc\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: model.prior_precision: expected a number, got 'abc'"},
    {"trailing junk", "[algorithm]\ndamping = 0.5x\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.damping: expected a number, got '0.5x'"},
    {"nan", "[run]\ntol = nan\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: run.tol: expected a finite number, got 'nan'"},
    {"double overflow", "[run]\ndivergence = 1e400\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: run.divergence: expected a finite number, got '1e400'"},
    {"wrong type: bool", "[run]\nreference = maybe\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: run.reference: expected true or false, got 'maybe'"},
    {"negative seed", "[run]\nseed = -1\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: run.seed: expected a non-negative integer, got '-1'"},
    {"damping 0", "[algorithm]\nname = fpc\n; comment\n# comment\n\nfamily = full\ndamping = 0\n",
     {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:7: algorithm.damping: must be in (0, 2), got 0"},
    {"damping 2", "[algorithm]\ndamping = 2\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.damping: must be in (0, 2), got 2"},
    {"negative penalty", "[algorithm]\npenalty = -1\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.penalty: must be > 0, got -1"},
    {"participation 0", "[algorithm]\nparticipation = 0\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.participation: must be in (0, 1], got 0"},
    {"participation 1.5", "[algorithm]\nparticipation = 1.5\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.participation: must be in (0, 1], got 1.5"},
    {"explicit local_steps 0", "[algorithm]\nlocal_steps = 0\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.local_steps: must be >= 1, got 0"},
    {"classes 1", "[data]\nclasses = 1\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: data.classes: must be 0 or >= 2, got 1"},
    {"resize 0", "[data]\nresize = 0\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: data.resize: must be in [1, 1024], got 0"},
    {"test_fraction 1", "[data]\ntest_fraction = 1\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: data.test_fraction: must be in [0, 1), got 1"},
    {"bad enum", "[algorithm]\nfamily = dense\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.family: expected one of iso, diag, full, lowrank, got 'dense'"},
    {"bad model type", "[model]\ntype = mlp2\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: model.type: expected one of linear, logistic, softmax, mlp, got 'mlp2'"},
    {"bad algorithm name", "[algorithm]\nname = sgd\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.name: expected one of fpc, pvi, admm, ama, central, fedavg, fedprox, bayes_admm, got 'sgd'"},
    {"lr 0", "[algorithm]\nlr = 0\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.lr: must be > 0, got 0"},
    {"batch_size 0", "[algorithm]\nbatch_size = 0\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.batch_size: must be >= 1, got 0"},
    {"local_epochs 0", "[algorithm]\nlocal_epochs = 0\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.local_epochs: must be >= 1, got 0"},
    {"bad optimizer", "[algorithm]\noptimizer = sgdm\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: algorithm.optimizer: expected one of sgd, adam, got 'sgdm'"},
    {"duplicate key", "[run]\nrounds = 5\ntol = 1e-6\nrounds = 6\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:4: run.rounds: duplicate key (first set on line 2)"},
    {"syntax error", "[run]\nrounds = 5\nthis is not a key\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:3: syntax error"},
    {"unclosed section", "[run\nrounds = 5\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:1: syntax error"},
    {"first error wins", "[run]\noops\nrounds = x\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: syntax error"},
    {"key outside a section", "rounds = 5\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:1: rounds: key outside any [section]"},
    {"line too long", "[data]\ntrain = " LONG_VALUE "\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: line too long (at most 198 characters)"},
    {"unreadable config", NULL, {NULL}, {NULL}, FC_EIO,
     "$D/cfg.ini: cannot open: No such file or directory"},
    {"missing data file", "[data]\nformat = csv\ntrain = nothere.csv\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:3: data.train: cannot open '$D/nothere.csv': No such file or directory"},
    {"missing test file", "[data]\nformat = csv\ntrain = a.csv\ntest = b.csv\n", {NULL},
     {"a.csv"}, FC_ECONFIG,
     "$D/cfg.ini:4: data.test: cannot open '$D/b.csv': No such file or directory"},
    {"data file is a folder", "[data]\nformat = csv\ntrain = .\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:3: data.train: cannot open '$D/.': Is a directory"},
    {"train required", "[data]\nformat = libsvm\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini: data.train: required when data.format = libsvm"},
    {"{k} without files", "[data]\nformat = csv\ntrain = part{k}.csv\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:3: data.train: a path with {k} needs partition.scheme = files, got iid"},
    {"files without {k}", "[data]\nformat = csv\ntrain = a.csv\n[partition]\nscheme = files\n",
     {NULL}, {"a.csv"}, FC_ECONFIG,
     "$D/cfg.ini:5: partition.scheme: files needs a data.train path with {k}, got '$D/a.csv'"},
    {"files with synthetic data", "[partition]\nscheme = files\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:2: partition.scheme: files needs data.format = csv or libsvm, got synthetic"},
    {"label split of synthetic data", "[partition]\nscheme = dirichlet\n", {NULL}, {NULL},
     FC_ECONFIG,
     "$D/cfg.ini:2: partition.scheme: dirichlet needs data.format = csv, libsvm or idx, got "
     "synthetic (synthetic clients differ by data.heterogeneity)"},
    {"idx folder without images", "[data]\nformat = idx\ntrain = .\n", {NULL}, {NULL}, FC_ECONFIG,
     "$D/cfg.ini:3: data.train: '$D/.' holds no readable train-images-idx3-ubyte(.gz)"},
    {"idx folder without test labels", "[data]\nformat = idx\ntrain = .\ntest = .\n", {NULL},
     {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"},
     FC_ECONFIG,
     "$D/cfg.ini:4: data.test: '$D/.' holds no readable t10k-labels-idx1-ubyte(.gz)"},
    {"dirichlet with a regression model",
     "[data]\nformat = csv\ntrain = a.csv\n"
     "[partition]\nscheme = dirichlet\n[model]\ntype = linear\n",
     {NULL}, {"a.csv"}, FC_ECONFIG,
     "$D/cfg.ini:5: partition.scheme: dirichlet needs a model with class labels (logistic or "
     "softmax), got model.type = linear"},
    {"label_groups without groups", "[partition]\nscheme = label_groups\n", {NULL}, {NULL},
     FC_ECONFIG,
     "$D/cfg.ini: partition.groups: required when partition.scheme = label_groups"},
    {"group label above classes",
     "[data]\nclasses = 3\n[partition]\nscheme = label_groups\ngroups = 0,1;2,3\n", {NULL},
     {NULL}, FC_ECONFIG,
     "$D/cfg.ini:5: partition.groups: label 3 is not below data.classes = 3"},
    {"--set malformed", "", {"foo"}, {NULL}, FC_ECONFIG,
     "--set foo: expected section.key=value"},
    {"--set without a section", "", {"rounds=5"}, {NULL}, FC_ECONFIG,
     "--set rounds=5: expected section.key=value"},
    {"--set out of range", "", {"algorithm.damping=0"}, {NULL}, FC_ECONFIG,
     "--set algorithm.damping=0: algorithm.damping: must be in (0, 2), got 0"},
    {"--set unknown key", "", {"run.roundz=1"}, {NULL}, FC_ECONFIG,
     "--set run.roundz=1: run.roundz: unknown key; did you mean run.rounds?"},
    {"--set misspelt section", "", {"algoritm.damping=1"}, {NULL}, FC_ECONFIG,
     "--set algoritm.damping=1: [algoritm]: unknown section; did you mean algorithm.damping?"},
    {"--set unknown key, nothing near", "", {"run.zzzzzz=1"}, {NULL}, FC_ECONFIG,
     "--set run.zzzzzz=1: run.zzzzzz: unknown key"},
    {"--set unknown section", "", {"foo.bar=1"}, {NULL}, FC_ECONFIG,
     "--set foo.bar=1: [foo]: unknown section"},
    {"--set wrong type after good ones", "", {"run.rounds=3", "run.threads=two"}, {NULL},
     FC_ECONFIG,
     "--set run.threads=two: run.threads: expected an integer, got 'two'"},
    {"--set missing data file", "", {"data.format=csv", "data.train=/nonexistent/x.csv"}, {NULL},
     FC_ECONFIG,
     "--set data.train=/nonexistent/x.csv: data.train: cannot open '/nonexistent/x.csv': "
     "No such file or directory"},
};
// clang-format on
#define NBAD ((int)(sizeof bad / sizeof bad[0]))

START_TEST(bad_config_gives_exact_message)
{
    const bad_t *b = &bad[_i];
    char dir[1024], path[PATH_MAX], text[4096], want[4096];
    fc_config_t *c = new_config();
    int err;

    fc_test_tmpdir(dir, sizeof dir);
    for (int j = 0; j < 4 && b->files[j]; j++)
        write_in(dir, b->files[j], "1,0.5\n");
    snprintf(path, sizeof path, "%s/cfg.ini", dir);
    if (b->ini) {
        subst(b->ini, dir, text, sizeof text);
        fc_test_write_file(path, text);
    }
    fc_err_clear();
    err = fc_config_load(path, c);
    for (int j = 0; err == FC_OK && j < 3 && b->set[j]; j++)
        err = fc_config_set(c, b->set[j]);
    if (err == FC_OK) err = fc_config_validate(c);

    subst(b->msg, dir, want, sizeof want);
    ck_assert_msg(err == b->code, "%s: expected %s, got %s (%s)", b->what, fc_errname(b->code),
                  fc_errname(err), fc_err_msg());
    ck_assert_str_eq(fc_err_msg(), want);

    for (int j = 0; j < 4 && b->files[j]; j++)
        remove_in(dir, b->files[j]);
    remove(path);
    rmdir(dir);
    free(c);
}
END_TEST

START_TEST(bad_groups_name_the_line)
{
    /* The groups syntax message comes from fc_groups_parse; we add file, line and key. */
    char dir[1024], path[PATH_MAX], want[PATH_MAX + 64];
    fc_config_t *c = new_config();
    fc_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/cfg.ini", dir);
    fc_test_write_file(path, "[partition]\nscheme = label_groups\ngroups = 0,1;x\n");
    ck_assert_int_eq(fc_config_load(path, c), FC_ECONFIG);
    snprintf(want, sizeof want, "%s:3: partition.groups: ", path);
    ck_assert_msg(strncmp(fc_err_msg(), want, strlen(want)) == 0, "got '%s'", fc_err_msg());
    ck_assert_msg(!strstr(fc_err_msg() + strlen(want), "partition.groups"), "key named twice: %s",
                  fc_err_msg());
    /* ' ;' would start an inline comment and silently drop the groups after it. */
    fc_test_write_file(path, "[partition]\ngroups = 0,1 ;2,3\n");
    ck_assert_int_eq(fc_config_load(path, c), FC_ECONFIG);
    snprintf(want, sizeof want, "%s:2: partition.groups: ' ;' starts a comment", path);
    ck_assert_msg(strncmp(fc_err_msg(), want, strlen(want)) == 0, "got '%s'", fc_err_msg());
    fc_test_write_file(path, "[partition]\ngroups = 0,1; 2,3 ; two groups\n");
    ck_assert_msg(fc_config_load(path, c) == FC_OK, "%s", fc_err_msg());
    ck_assert_int_eq(c->partition.groups.count, 2);
    remove(path);
    rmdir(dir);
    free(c);
}
END_TEST

START_TEST(failure_leaves_config_untouched)
{
    char dir[1024], path[PATH_MAX];
    fc_config_t *c = new_config(), *copy = malloc(sizeof *copy);
    ck_assert_ptr_nonnull(copy);
    ck_assert_int_eq(fc_config_set(c, "run.rounds=17"), FC_OK);
    *copy = *c;
    ck_assert_int_eq(fc_config_set(c, "run.rounds=-1"), FC_ECONFIG);
    ck_assert_int_eq(fc_config_set(c, "partition.groups=0;;"), FC_ECONFIG);
    fc_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/cfg.ini", dir);
    fc_test_write_file(path, "[run]\nrounds = 3\nthreads = 0\n");
    ck_assert_int_eq(fc_config_load(path, c), FC_ECONFIG);
    ck_assert_int_eq(memcmp(c, copy, sizeof *c), 0);
    remove(path);
    rmdir(dir);
    free(copy);
    free(c);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Good configs */

START_TEST(defaults_match_spec)
{
    fc_config_t *c = new_config();
    ck_assert_str_eq(c->source, "");
    ck_assert_int_eq(c->data.format, FC_FMT_SYNTHETIC);
    ck_assert_str_eq(c->data.train, "");
    ck_assert_str_eq(c->data.test, "");
    ck_assert_int_eq(c->data.max_examples, 0);
    ck_assert_int_eq(c->data.resize, 28);
    ck_assert_int_eq(c->data.classes, 0);
    ck_assert_int_eq(c->data.n_per_client, 200);
    ck_assert_int_eq(c->data.features, 20);
    ck_assert_double_eq(c->data.heterogeneity, 1.0);
    ck_assert_double_eq(c->data.noise, 0.1);
    ck_assert_int_eq(c->partition.scheme, FC_PART_IID);
    ck_assert_int_eq(c->partition.clients, 8);
    ck_assert_double_eq(c->partition.alpha, 0.5);
    ck_assert_int_eq(c->partition.groups.count, 0);
    ck_assert_str_eq(c->model.type, "logistic");
    ck_assert_int_eq(c->model.bias, 1);
    ck_assert_double_eq(c->model.prior_precision, 1.0);
    ck_assert_double_eq(c->model.noise_precision, 1.0);
    ck_assert_str_eq(c->algorithm.name, "fpc");
    ck_assert_str_eq(c->algorithm.family, "full");
    ck_assert_double_eq(c->algorithm.damping, 1.0);
    ck_assert_double_eq(c->algorithm.penalty, 1.0);
    ck_assert_int_eq(c->algorithm.schedule, FC_SCHED_SYNC);
    ck_assert_double_eq(c->algorithm.participation, 1.0);
    ck_assert_int_eq(c->algorithm.local_steps, 0);
    ck_assert_double_eq(c->algorithm.local_tol, 1e-10);
    ck_assert_int_eq(c->algorithm.local_solver, FC_SOLVER_AUTO);
    ck_assert_int_eq(c->algorithm.optimizer, FC_OPT_SGD);
    ck_assert_double_eq(c->algorithm.lr, 0.001);
    ck_assert_int_eq(c->algorithm.batch_size, 32);
    ck_assert_int_eq(c->algorithm.local_epochs, 1);
    ck_assert_int_eq(c->run.rounds, 100);
    ck_assert_double_eq(c->run.tol, 1e-8);
    ck_assert_uint_eq(c->run.seed, 1);
    ck_assert_int_eq(c->run.reference, 1);
    ck_assert_int_eq(c->run.threads, 1);
    ck_assert_int_eq(c->run.resume, 0);
    ck_assert_double_eq(c->run.divergence, 1e8);
    ck_assert_str_eq(c->output.dir, "results/default");
    ck_assert_int_eq(c->output.checkpoint_every, 0);
    for (int i = 0; i < FC_CONFIG_NKEYS; i++)
        ck_assert_int_eq(c->origin[i], 0);

    /* SPEC "Local solver": 50 Newton steps, 1 for pvi, unless set. */
    ck_assert_int_eq(fc_config_local_steps(c), 50);
    ck_assert_int_eq(fc_config_set(c, "algorithm.name=pvi"), FC_OK);
    ck_assert_int_eq(fc_config_local_steps(c), 1);
    ck_assert_int_eq(fc_config_set(c, "algorithm.local_steps=7"), FC_OK);
    ck_assert_int_eq(fc_config_local_steps(c), 7);

    fc_config_defaults(c);
    ck_assert_int_eq(fc_config_validate(c), FC_OK);
    ck_assert_ptr_nonnull(fc_family_find("diag"));
    ck_assert_str_eq(fc_format_name(FC_FMT_LIBSVM), "libsvm");
    ck_assert_str_eq(fc_scheme_name(FC_PART_LABEL_GROUPS), "label_groups");
    ck_assert_str_eq(fc_schedule_name(FC_SCHED_SEQ), "sequential");
    ck_assert_str_eq(fc_solver_kind_name(FC_SOLVER_CG), "cg");
    free(c);
}
END_TEST

/* Every key, none at its default; the line of each key is its 1-based position below. */
static const char full_ini[] = "[data]\n"                       /* 1 */
                               "format = csv\n"                 /* 2 */
                               "train = train.csv\n"            /* 3 */
                               "test = /abs/test.csv\n"         /* 4 */
                               "max_examples = 1000\n"          /* 5 */
                               "resize = 14\n"                  /* 6 */
                               "classes = 10\n"                 /* 7 */
                               "n_per_client = 50\n"            /* 8 */
                               "features = 7\n"                 /* 9 */
                               "heterogeneity = 2.5\n"          /* 10 */
                               "noise = 0.25\n"                 /* 11 */
                               "test_fraction = 0.2\n"          /* 12 */
                               "[partition]\n"                  /* 13 */
                               "scheme = label_groups\n"        /* 14 */
                               "clients = 5\n"                  /* 15 */
                               "alpha = 0.1\n"                  /* 16 */
                               "groups = 0,1;2,3;4,5;6,7;8,9\n" /* 17 */
                               "[model]\n"                      /* 18 */
                               "type = softmax\n"               /* 19 */
                               "bias = false\n"                 /* 20 */
                               "prior_precision = 0.01\n"       /* 21 */
                               "noise_precision = 4\n"          /* 22 */
                               "[algorithm]\n"                  /* 23 */
                               "name = pvi\n"                   /* 24 */
                               "family = diag\n"                /* 25 */
                               "damping = 0.5\n"                /* 26 */
                               "penalty = 2\n"                  /* 27 */
                               "schedule = sequential\n"        /* 28 */
                               "participation = 0.5\n"          /* 29 */
                               "local_steps = 3\n"              /* 30 */
                               "local_tol = 1e-12\n"            /* 31 */
                               "local_solver = cg\n"            /* 32 */
                               "rank = 4\n"                     /* 33 */
                               "server_rank = 8\n"              /* 34 */
                               "optimizer = adam\n"             /* 35 */
                               "lr = 0.05\n"                    /* 36 */
                               "batch_size = 64\n"              /* 37 */
                               "local_epochs = 3\n"             /* 38 */
                               "max_staleness = 3\n"            /* 39 */
                               "staleness_damping = inverse\n"  /* 40 */
                               "expectation = mc\n"             /* 41 */
                               "quadrature_points = 8\n"        /* 42 */
                               "mc_samples = 50\n"              /* 43 */
                               "[run]\n"                        /* 44 */
                               "rounds = 7\n"                   /* 45 */
                               "tol = 1e-6\n"                   /* 46 */
                               "seed = 18446744073709551615\n"  /* 47 */
                               "reference = false\n"            /* 48 */
                               "threads = 4\n"                  /* 49 */
                               "resume = yes\n"                 /* 50 */
                               "divergence = 1e6\n"             /* 51 */
                               "replay = rec.csv\n"             /* 52 */
                               "client_delay = 0:1.5\n"         /* 53 */
                               "[output]\n"                     /* 54 */
                               "dir = out\n"                    /* 55 */
                               "checkpoint_every = 2\n";        /* 56 */

static void check_full(const fc_config_t *c, const char *dir)
{
    char want[PATH_MAX];
    ck_assert_int_eq(c->data.format, FC_FMT_CSV);
    snprintf(want, sizeof want, "%s/train.csv", dir);
    ck_assert_str_eq(c->data.train, want);
    ck_assert_str_eq(c->data.test, "/abs/test.csv");
    ck_assert_int_eq(c->data.max_examples, 1000);
    ck_assert_int_eq(c->data.resize, 14);
    ck_assert_int_eq(c->data.classes, 10);
    ck_assert_int_eq(c->data.n_per_client, 50);
    ck_assert_int_eq(c->data.features, 7);
    ck_assert_double_eq(c->data.heterogeneity, 2.5);
    ck_assert_double_eq(c->data.noise, 0.25);
    ck_assert_double_eq(c->data.test_fraction, 0.2);
    ck_assert_int_eq(c->partition.scheme, FC_PART_LABEL_GROUPS);
    ck_assert_int_eq(c->partition.clients, 5);
    ck_assert_double_eq(c->partition.alpha, 0.1);
    ck_assert_int_eq(c->partition.groups.count, 5);
    ck_assert_int_eq(c->partition.groups.start[5], 10);
    ck_assert_int_eq(c->partition.groups.label[3], 3);
    ck_assert_str_eq(c->model.type, "softmax");
    ck_assert_int_eq(c->model.bias, 0);
    ck_assert_double_eq(c->model.prior_precision, 0.01);
    ck_assert_double_eq(c->model.noise_precision, 4.0);
    ck_assert_str_eq(c->algorithm.name, "pvi");
    ck_assert_str_eq(c->algorithm.family, "diag");
    ck_assert_double_eq(c->algorithm.damping, 0.5);
    ck_assert_double_eq(c->algorithm.penalty, 2.0);
    ck_assert_int_eq(c->algorithm.schedule, FC_SCHED_SEQ);
    ck_assert_double_eq(c->algorithm.participation, 0.5);
    ck_assert_int_eq(c->algorithm.local_steps, 3);
    ck_assert_double_eq(c->algorithm.local_tol, 1e-12);
    ck_assert_int_eq(c->algorithm.local_solver, FC_SOLVER_CG);
    ck_assert_int_eq(c->algorithm.rank, 4);
    ck_assert_int_eq(c->algorithm.server_rank, 8);
    ck_assert_int_eq(c->algorithm.optimizer, FC_OPT_ADAM);
    ck_assert_double_eq(c->algorithm.lr, 0.05);
    ck_assert_int_eq(c->algorithm.batch_size, 64);
    ck_assert_int_eq(c->algorithm.local_epochs, 3);
    ck_assert_int_eq(c->algorithm.max_staleness, 3);
    ck_assert_int_eq(c->algorithm.staleness_damping, FC_STALE_INVERSE);
    ck_assert_int_eq(c->algorithm.expectation, FC_EXPECT_MC);
    ck_assert_int_eq(c->algorithm.quadrature_points, 8);
    ck_assert_int_eq(c->algorithm.mc_samples, 50);
    ck_assert_int_eq(c->run.rounds, 7);
    ck_assert_double_eq(c->run.tol, 1e-6);
    ck_assert_uint_eq(c->run.seed, UINT64_MAX);
    ck_assert_int_eq(c->run.reference, 0);
    ck_assert_int_eq(c->run.threads, 4);
    ck_assert_int_eq(c->run.resume, 1);
    ck_assert_double_eq(c->run.divergence, 1e6);
    snprintf(want, sizeof want, "%s/rec.csv", dir);
    ck_assert_str_eq(c->run.replay, want);
    ck_assert_str_eq(c->run.client_delay, "0:1.5");
    snprintf(want, sizeof want, "%s/out", dir);
    ck_assert_str_eq(c->output.dir, want);
    ck_assert_int_eq(c->output.checkpoint_every, 2);
}

START_TEST(full_file_sets_every_key)
{
    char dir[1024], path[PATH_MAX], where[PATH_MAX + 64], want[PATH_MAX + 64];
    fc_config_t *c = new_config();
    fc_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/cfg.ini", dir);
    fc_test_write_file(path, full_ini);
    ck_assert_msg(fc_config_load(path, c) == FC_OK, "%s", fc_err_msg());
    ck_assert_str_eq(c->source, path);
    check_full(c, dir);
    /* Every key came from the file: no origin is 0 and each names its line. */
    for (int i = 0; i < FC_CONFIG_NKEYS; i++)
        ck_assert_int_gt(c->origin[i], 0);
    fc_config_where(c, "algorithm.damping", where, sizeof where);
    snprintf(want, sizeof want, "%s:26: ", path);
    ck_assert_str_eq(where, want);
    fc_config_where(c, "output.checkpoint_every", where, sizeof where);
    snprintf(want, sizeof want, "%s:56: ", path);
    ck_assert_str_eq(where, want);
    remove(path);
    rmdir(dir);
    free(c);
}
END_TEST

START_TEST(set_overrides_file)
{
    char dir[1024], path[PATH_MAX], where[PATH_MAX + 64], want[PATH_MAX + 64];
    fc_config_t *c = new_config();
    fc_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/cfg.ini", dir);
    fc_test_write_file(path, "[run]\nrounds = 7\n[algorithm]\ndamping = 0.5\n[data]\ntrain = "
                             "a.csv\n");
    ck_assert_int_eq(fc_config_load(path, c), FC_OK);
    ck_assert_int_eq(c->run.rounds, 7);
    ck_assert_int_eq(fc_config_set(c, "run.rounds=9"), FC_OK);
    ck_assert_int_eq(fc_config_set(c, " run.tol = 1e-3 "), FC_OK);
    ck_assert_int_eq(fc_config_set(c, "data.train=rel/x.csv"), FC_OK);
    ck_assert_int_eq(fc_config_set(c, "output.dir=runs/a=b"), FC_OK); /* first '=' splits */
    ck_assert_int_eq(c->run.rounds, 9);
    ck_assert_double_eq(c->run.tol, 1e-3);
    ck_assert_double_eq(c->algorithm.damping, 0.5);
    ck_assert_str_eq(c->data.train, "rel/x.csv"); /* --set paths stay relative to the cwd */
    ck_assert_str_eq(c->output.dir, "runs/a=b");

    fc_config_where(c, "run.rounds", where, sizeof where);
    ck_assert_str_eq(where, "--set run.rounds=9: ");
    fc_config_where(c, "algorithm.damping", where, sizeof where);
    snprintf(want, sizeof want, "%s:4: ", path);
    ck_assert_str_eq(where, want);
    fc_config_where(c, "run.seed", where, sizeof where);
    snprintf(want, sizeof want, "%s: ", path);
    ck_assert_str_eq(where, want);
    fc_config_defaults(c);
    fc_config_where(c, "run.seed", where, sizeof where);
    ck_assert_str_eq(where, "");

    /* Later --set wins, and a --set of an enum and a bool. */
    ck_assert_int_eq(fc_config_set(c, "algorithm.family=iso"), FC_OK);
    ck_assert_int_eq(fc_config_set(c, "algorithm.family=diag"), FC_OK);
    ck_assert_str_eq(c->algorithm.family, "diag");
    ck_assert_int_eq(fc_config_set(c, "run.resume=TRUE"), FC_OK);
    ck_assert_int_eq(c->run.resume, 1);
    ck_assert_int_eq(fc_config_set(c, "run.resume=0"), FC_OK);
    ck_assert_int_eq(c->run.resume, 0);
    ck_assert_int_eq(fc_config_set(c, "run.reference=no"), FC_OK);
    ck_assert_int_eq(c->run.reference, 0);
    ck_assert_int_eq(fc_config_set(c, "run.seed=+12"), FC_OK);
    ck_assert_uint_eq(c->run.seed, 12);
    ck_assert_int_eq(fc_config_set(c, "run.rounds=+12"), FC_OK);
    ck_assert_int_eq(c->run.rounds, 12);
    ck_assert_int_eq(fc_config_set(c, "partition.groups=3;1,2"), FC_OK);
    ck_assert_int_eq(c->partition.groups.count, 2);
    ck_assert_int_eq(fc_config_set(c, "partition.groups="), FC_OK);
    ck_assert_int_eq(c->partition.groups.count, 0);
    remove(path);
    rmdir(dir);
    free(c);
}
END_TEST

START_TEST(relative_paths_resolve_against_config_folder)
{
    char dir[1024], sub[1100], path[PATH_MAX], want[PATH_MAX], cwd[PATH_MAX];
    fc_config_t *c = new_config();
    const char *ini = "[data]\ntrain = data/x.csv\ntest = /abs/t.csv\n[output]\ndir = ../out\n";
    fc_test_tmpdir(dir, sizeof dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/cfg.ini", sub);
    fc_test_write_file(path, ini);
    ck_assert_int_eq(fc_config_load(path, c), FC_OK);
    snprintf(want, sizeof want, "%s/data/x.csv", sub);
    ck_assert_str_eq(c->data.train, want);
    ck_assert_str_eq(c->data.test, "/abs/t.csv");
    snprintf(want, sizeof want, "%s/../out", sub);
    ck_assert_str_eq(c->output.dir, want);

    /* A config named without a folder: its folder is the cwd, paths stay as written. */
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(sub), 0);
    ck_assert_int_eq(fc_config_load("cfg.ini", c), FC_OK);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_str_eq(c->data.train, "data/x.csv");
    ck_assert_str_eq(c->output.dir, "../out");
    ck_assert_str_eq(c->source, "cfg.ini");

    remove(path);
    rmdir(sub);
    rmdir(dir);
    free(c);
}
END_TEST

START_TEST(indented_lines_comments_and_crlf)
{
    char dir[1024], path[PATH_MAX];
    fc_config_t *c = new_config();
    fc_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/cfg.ini", dir);
    /* An indented key is a key of its own, not a continuation of the previous value. */
    fc_test_write_file(path, "; comment\n# comment\n\n[run]\n  rounds = 5\n\ttol = 1e-6 ; why\n"
                             "  [algorithm]\r\n  damping = 0.25\r\n");
    ck_assert_msg(fc_config_load(path, c) == FC_OK, "%s", fc_err_msg());
    ck_assert_int_eq(c->run.rounds, 5);
    ck_assert_double_eq(c->run.tol, 1e-6);
    ck_assert_double_eq(c->algorithm.damping, 0.25);
    remove(path);
    rmdir(dir);
    free(c);
}
END_TEST

/* Collects what fc_config_visit echoes. */
typedef struct {
    int n;
    char name[FC_CONFIG_NKEYS + 1][64];
    char value[FC_CONFIG_NKEYS + 1][FC_PATH_MAX];
} echo_t;

static void collect(const char *section, const char *key, const char *value, void *ctx)
{
    echo_t *e = ctx;
    ck_assert_int_lt(e->n, FC_CONFIG_NKEYS + 1);
    snprintf(e->name[e->n], sizeof e->name[0], "%s.%s", section, key);
    snprintf(e->value[e->n], sizeof e->value[0], "%s", value);
    e->n++;
}

static const char *echoed(const echo_t *e, const char *name)
{
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->name[i], name) == 0) return e->value[i];
    ck_abort_msg("%s not echoed", name);
    return NULL;
}

/* Feed every echoed key=value to fc_config_set on fresh defaults: same settings. */
static void assert_round_trip(const fc_config_t *c)
{
    echo_t *e = calloc(1, sizeof *e);
    fc_config_t *fresh = new_config();
    char assignment[FC_PATH_MAX + 128];
    ck_assert_ptr_nonnull(e);
    fc_config_visit(c, collect, e);
    ck_assert_int_eq(e->n, FC_CONFIG_NKEYS);
    for (int i = 0; i < e->n; i++) {
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(e->name[i], e->name[j]);
        snprintf(assignment, sizeof assignment, "%s=%s", e->name[i], e->value[i]);
        ck_assert_msg(fc_config_set(fresh, assignment) == FC_OK, "%s", fc_err_msg());
    }
    assert_same_settings(fresh, c);
    free(fresh);
    free(e);
}

START_TEST(visit_echoes_every_key_and_round_trips)
{
    char dir[1024], path[PATH_MAX], value[64];
    fc_config_t *c = new_config();
    echo_t *e = calloc(1, sizeof *e);
    ck_assert_ptr_nonnull(e);

    fc_config_visit(c, collect, e);
    ck_assert_int_eq(e->n, FC_CONFIG_NKEYS);
    ck_assert_str_eq(e->name[0], "data.format"); /* fixed order: SPEC §6 */
    ck_assert_str_eq(echoed(e, "data.format"), "synthetic");
    ck_assert_str_eq(echoed(e, "algorithm.local_steps"), "50"); /* the effective value */
    ck_assert_str_eq(echoed(e, "data.noise"), "0.1");
    ck_assert_str_eq(echoed(e, "run.tol"), "1e-08");
    ck_assert_str_eq(echoed(e, "run.divergence"), "1e+08");
    ck_assert_str_eq(echoed(e, "model.bias"), "true");
    ck_assert_str_eq(echoed(e, "partition.groups"), "");
    ck_assert_str_eq(echoed(e, "output.dir"), "results/default");
    assert_round_trip(c);

    fc_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/cfg.ini", dir);
    fc_test_write_file(path, full_ini);
    ck_assert_int_eq(fc_config_load(path, c), FC_OK);
    memset(e, 0, sizeof *e);
    fc_config_visit(c, collect, e);
    ck_assert_int_eq(e->n, FC_CONFIG_NKEYS);
    ck_assert_str_eq(echoed(e, "algorithm.damping"), "0.5");
    ck_assert_str_eq(echoed(e, "algorithm.local_steps"), "3");
    ck_assert_str_eq(echoed(e, "run.seed"), "18446744073709551615");
    ck_assert_str_eq(echoed(e, "partition.groups"), "0,1;2,3;4,5;6,7;8,9");
    ck_assert_str_eq(echoed(e, "model.bias"), "false");
    ck_assert_str_eq(echoed(e, "algorithm.schedule"), "sequential");
    assert_round_trip(c);

    /* Doubles echo the shortest text that reads back exactly. */
    ck_assert_int_eq(fc_config_set(c, "algorithm.penalty=0.30000000000000004"), FC_OK);
    ck_assert_int_eq(fc_config_get(c, "algorithm.penalty", value, sizeof value), FC_OK);
    ck_assert_str_eq(value, "0.30000000000000004");
    assert_round_trip(c);
    ck_assert_int_eq(fc_config_get(c, "algorithm.pennalty", value, sizeof value), FC_ECONFIG);
    ck_assert_int_eq(fc_config_get(c, "data.format", value, 3), FC_ECONFIG);

    remove(path);
    rmdir(dir);
    free(e);
    free(c);
}
END_TEST

START_TEST(validate_accepts_good_configs)
{
    char dir[1024], path[PATH_MAX];
    fc_config_t *c = new_config();
    static const char *const files[] = {"train.csv",
                                        "test.csv",
                                        "part0.svm",
                                        "part1.svm",
                                        "part2.svm",
                                        "train-images-idx3-ubyte.gz",
                                        "train-labels-idx1-ubyte",
                                        "t10k-images-idx3-ubyte",
                                        "t10k-labels-idx1-ubyte.gz"};
    const size_t nfiles = sizeof files / sizeof files[0];
    fc_test_tmpdir(dir, sizeof dir);
    for (size_t i = 0; i < nfiles; i++)
        write_in(dir, files[i], "1,0.5\n");
    snprintf(path, sizeof path, "%s/cfg.ini", dir);

    fc_test_write_file(path, "[data]\nformat = csv\ntrain = train.csv\ntest = test.csv\n");
    ck_assert_int_eq(fc_config_load(path, c), FC_OK);
    ck_assert_msg(fc_config_validate(c) == FC_OK, "%s", fc_err_msg());

    fc_test_write_file(path, "[data]\nformat = libsvm\ntrain = part{k}.svm\n"
                             "[partition]\nscheme = files\nclients = 3\n");
    ck_assert_int_eq(fc_config_load(path, c), FC_OK);
    ck_assert_msg(fc_config_validate(c) == FC_OK, "%s", fc_err_msg());
    /* part3.svm is missing, but per-client files live on the nodes that host those clients
     * (a cluster's node-local disks), so the hosting rank reports it while loading, not the
     * config check that every rank runs. */
    ck_assert_int_eq(fc_config_set(c, "partition.clients=4"), FC_OK);
    ck_assert_int_eq(fc_config_validate(c), FC_OK);

    /* Fewer clients than groups is allowed: fc_partition drops the unused groups. */
    fc_test_write_file(path, "[data]\nformat = idx\ntrain = .\ntest = .\nresize = 14\n"
                             "[partition]\nscheme = label_groups\nclients = 2\ngroups = 0,1;2;3\n"
                             "[model]\ntype = softmax\n");
    ck_assert_int_eq(fc_config_load(path, c), FC_OK);
    ck_assert_msg(fc_config_validate(c) == FC_OK, "%s", fc_err_msg());

    fc_test_write_file(path, "[data]\nformat = csv\ntrain = train.csv\n"
                             "[partition]\nscheme = dirichlet\nalpha = 0.1\n");
    ck_assert_int_eq(fc_config_load(path, c), FC_OK);
    ck_assert_msg(fc_config_validate(c) == FC_OK, "%s", fc_err_msg());

    for (size_t i = 0; i < nfiles; i++)
        remove_in(dir, files[i]);
    remove(path);
    rmdir(dir);
    free(c);
}
END_TEST

/* Several hosts (SPEC §13): the test set lives on the server's node only. A rank that does
 * not read it (reads_test = 0) accepts a config whose data.test is absent where it runs; the
 * server's check (reads_test = 1, also fc_config_validate) still names file, line and key,
 * and the checks that do not depend on the file still run on every rank. */
START_TEST(test_set_checked_only_where_read)
{
    char dir[1024], path[PATH_MAX], want[PATH_MAX + 1024 + 128];
    fc_config_t *c = new_config();
    fc_test_tmpdir(dir, sizeof dir);
    write_in(dir, "train.csv", "1,0.5\n");
    snprintf(path, sizeof path, "%s/cfg.ini", dir);
    fc_test_write_file(path, "[data]\nformat = csv\ntrain = train.csv\ntest = far.csv\n");
    ck_assert_int_eq(fc_config_load(path, c), FC_OK);
    ck_assert_msg(fc_config_validate_role(c, 0) == FC_OK, "%s", fc_err_msg());
    ck_assert_int_eq(fc_config_validate_role(c, 1), FC_ECONFIG);
    snprintf(want, sizeof want,
             "%s:4: data.test: cannot open '%s/far.csv': No such file or directory", path, dir);
    ck_assert_str_eq(fc_err_msg(), want);
    ck_assert_int_eq(fc_config_validate(c), FC_ECONFIG);
    ck_assert_int_eq(fc_config_set(c, "data.test=t{k}.csv"), FC_OK);
    ck_assert_int_eq(fc_config_validate_role(c, 0), FC_ECONFIG); /* {k} is wrong everywhere */
    ck_assert_int_eq(fc_config_set(c, "data.train=gone.csv"), FC_OK);
    ck_assert_int_eq(fc_config_validate_role(c, 0), FC_ECONFIG); /* the training file is read */
    remove_in(dir, "train.csv");
    remove(path);
    rmdir(dir);
    free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, bad_config_gives_exact_message, 0, NBAD);
    tcase_add_test(tc, bad_groups_name_the_line);
    tcase_add_test(tc, failure_leaves_config_untouched);
    tcase_add_test(tc, defaults_match_spec);
    tcase_add_test(tc, full_file_sets_every_key);
    tcase_add_test(tc, set_overrides_file);
    tcase_add_test(tc, relative_paths_resolve_against_config_folder);
    tcase_add_test(tc, indented_lines_comments_and_crlf);
    tcase_add_test(tc, visit_echoes_every_key_and_round_trips);
    tcase_add_test(tc, validate_accepts_good_configs);
    tcase_add_test(tc, test_set_checked_only_where_read);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
