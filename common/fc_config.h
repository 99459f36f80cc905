/* fc_config.h — the run configuration (SPEC §6): a typed, validated struct filled from
 * defaults, an INI file (inih) and --set overrides. The struct holds no heap memory, so
 * it can be copied by assignment (sweeps do). Errors name file, line and key:
 *   "PATH:LINE: section.key: what is wrong"                  (file)
 *   "--set section.key=value: section.key: what is wrong"    (command line)
 * One table of key descriptors in fc_config.c drives defaults, parsing, --set and the
 * echo, so a key is added in one place. */
#ifndef FC_CONFIG_H
#define FC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "fc_error.h"
#include "fc_partition.h"

#define FC_PATH_MAX 4096
#define FC_NAME_MAX 32
/* Number of keys (SPEC §6 plus algorithm.local_solver), the length of origin[]. */
#define FC_CONFIG_NKEYS 50
/* A model's own keys: at most this many set, each value at most this long. */
#define FC_MODEL_OWN_MAX 8
#define FC_MODEL_VALUE_MAX 128
/* origin[] value for a key set with --set (fc_config_set); 0 = default, > 0 = a line. */
#define FC_CONFIG_FROM_SET (-1)
/* Room for any key's value as text (fc_config_get; groups can be long). */
#define FC_CONFIG_VALUE_MAX 16384

typedef enum { FC_FMT_SYNTHETIC, FC_FMT_CSV, FC_FMT_LIBSVM, FC_FMT_IDX } fc_format_t;
typedef enum { FC_PART_IID, FC_PART_DIRICHLET, FC_PART_LABEL_GROUPS, FC_PART_FILES } fc_scheme_t;
typedef enum { FC_SCHED_SYNC, FC_SCHED_SEQ, FC_SCHED_ASYNC } fc_schedule_t;
/* algorithm.staleness_damping (SPEC §11). */
typedef enum { FC_STALE_NONE, FC_STALE_INVERSE } fc_stale_damping_t;
/* A set of schedules as a bit mask (an algorithm row's capabilities). */
#define FC_SCHEDULE_BIT(s) (1u << (unsigned)(s))
typedef enum { FC_SOLVER_AUTO, FC_SOLVER_NEWTON, FC_SOLVER_CG } fc_solver_kind_t;
/* fedavg/fedprox local optimiser (SPEC §9). */
typedef enum { FC_OPT_SGD, FC_OPT_ADAM } fc_optimizer_t;
/* SPEC §10 algorithm.expectation: at the mean (Laplace), Gauss–Hermite, Monte Carlo. */
typedef enum { FC_EXPECT_POINT, FC_EXPECT_QUADRATURE, FC_EXPECT_MC } fc_expect_kind_t;
/* The most Gauss–Hermite nodes algorithm.quadrature_points accepts. */
#define FC_QUADRATURE_MAX 64

typedef struct {
    char source[FC_PATH_MAX]; /* the config file ("" when built from defaults only) */
    struct {
        fc_format_t format;
        char train[FC_PATH_MAX]; /* resolved against the config file's folder */
        char test[FC_PATH_MAX];  /* "" = none */
        double test_fraction;    /* share of a single training file held out as the test set */
        long max_examples;       /* 0 = all */
        int resize;              /* idx: r x r, default 28 */
        int classes;             /* 0 = from the labels */
        long n_per_client;       /* synthetic */
        int features;            /* synthetic */
        double heterogeneity;    /* synthetic */
        double noise;            /* synthetic */
    } data;
    struct {
        fc_scheme_t scheme;
        int clients;
        double alpha;
        fc_groups_t groups;
    } partition;
    struct {
        char type[FC_NAME_MAX]; /* a name in the model registry */
        int bias;
        double prior_precision;
        double noise_precision;
        /* Keys a model row declares for itself (fc_model_key_t), as text, in the order
         * given; checked against model.type by fc_config_validate. */
        struct {
            char key[FC_NAME_MAX];
            char value[FC_MODEL_VALUE_MAX];
            int origin; /* as origin[] below */
        } own[FC_MODEL_OWN_MAX];
        int nown;
    } model;
    struct {
        char name[FC_NAME_MAX];   /* a name in the algorithm registry */
        char family[FC_NAME_MAX]; /* a name in the family registry */
        double damping;
        double penalty;
        fc_schedule_t schedule;
        double participation;
        int local_steps; /* 0 = the algorithm's default (its row's default_local_steps) */
        double local_tol;
        fc_solver_kind_t local_solver; /* extension: auto | newton | cg */
        /* lowrank family (SPEC §12): columns r of a site's U_k; columns the server keeps
         * (0 = K·r, the exact stack). */
        int rank;
        int server_rank;
        /* fedavg, fedprox (SPEC §9): the local optimiser, its step size, the minibatch size
         * (a block of at most this many examples is one batch) and the passes per round. */
        fc_optimizer_t optimizer;
        double lr;
        int batch_size;
        int local_epochs;
        /* asynchronous schedule (SPEC §11): the largest staleness applied (0 = no bound),
         * and the step's damping by staleness. */
        int max_staleness;
        fc_stale_damping_t staleness_damping;
        /* SPEC §10: expectations under q in the local step (point = Laplace), the nodes of
         * quadrature and the samples of mc. */
        fc_expect_kind_t expectation;
        int quadrature_points;
        int mc_samples;
    } algorithm;
    struct {
        int rounds;
        double tol;
        uint64_t seed;
        int reference;
        int threads;
        int resume;
        double divergence;
        char replay[FC_PATH_MAX]; /* asynchronous: a recorded arrivals.csv ("" = none) */
        char client_delay[256];   /* asynchronous: none | lognormal:μ:σ | k:seconds,... */
    } run;
    struct {
        char dir[FC_PATH_MAX];
        int checkpoint_every;
    } output;
    /* Where each key got its value, in fc_config_visit order: a line of `source` (> 0),
     * FC_CONFIG_FROM_SET, or 0 (the default). Read it with fc_config_where. */
    int origin[FC_CONFIG_NKEYS];
} fc_config_t;

/* Fill c with the defaults of SPEC §6 (source "", every origin 0). */
void fc_config_defaults(fc_config_t *c);
/* Defaults, then the INI file at path. FC_EIO "PATH: cannot open: ..." if it cannot be
 * read; FC_ECONFIG "PATH:LINE: ..." on a syntax error, an unknown section or key, a key
 * given twice, a wrong type or an out-of-range value. Relative paths in the file are
 * joined to the file's folder. Lines (after leading blanks) are limited to inih's
 * line length (198 characters). Indented lines are ordinary lines, not continuations.
 * On failure *c is untouched. */
FC_MUST int fc_config_load(const char *path, fc_config_t *c);
/* Apply one "section.key=value" override (paths stay relative to the current
 * directory). FC_ECONFIG "--set ASSIGNMENT: section.key: ..." on failure, and then *c
 * is untouched. Also the way to apply --vary values and --out (output.dir=DIR). */
FC_MUST int fc_config_set(fc_config_t *c, const char *assignment);
/* Cross-key checks that need the whole config, run after every --set: data.train is
 * required for csv/libsvm/idx and must be readable (idx: a folder with
 * train-{images-idx3,labels-idx1}-ubyte[.gz]; data.test likewise with t10k-); a path
 * with {k} goes with partition.scheme = files (csv/libsvm only) and then the file of
 * every client 0..clients-1 must exist; label_groups needs groups, at most one group
 * per client, labels below data.classes when set; dirichlet and label_groups need a
 * model with class labels. FC_ECONFIG with fc_config_where's prefix, e.g.
 * "PATH:LINE: data.train: cannot open '/abs/x.csv': No such file or directory". */
FC_MUST int fc_config_validate(const fc_config_t *c);
/* fc_config_validate for one rank of a job (several hosts, SPEC §13): the test set's
 * files are looked for only when reads_test is non-zero (the server rank, which alone reads
 * them), so they need exist only on its node. fc_config_validate(c) is reads_test = 1. */
FC_MUST int fc_config_validate_role(const fc_config_t *c, int reads_test);
/* Effective local step limit: algorithm.local_steps, or the algorithm row's default (SPEC
 * "Local solver": 1 for pvi, else 50). */
int fc_config_local_steps(const fc_config_t *c);

/* Visit every key with its effective value as text, in a fixed order (for the JSON
 * echo in summary.json and for checkpoint compatibility). */
typedef void (*fc_config_visit_fn)(const char *section, const char *key, const char *value,
                                   void *ctx);
void fc_config_visit(const fc_config_t *c, fc_config_visit_fn fn, void *ctx);

/* What a key's value is, for writers that type it (summary.json): a number, true/false, or
 * text (names, paths, groups). FC_KEY_TEXT for an unknown key. */
typedef enum { FC_KEY_TEXT, FC_KEY_NUMBER, FC_KEY_BOOL } fc_key_kind_t;
fc_key_kind_t fc_config_key_kind(const char *section, const char *key);

/* The effective value of one key ("section.key") as fc_config_visit shows it, into buf
 * (size bytes; FC_CONFIG_VALUE_MAX is always enough). FC_ECONFIG for an unknown key or
 * a value that does not fit. */
FC_MUST int fc_config_get(const fc_config_t *c, const char *name, char *buf, size_t size);
/* The message prefix naming where key `name` ("section.key") got its value, for errors
 * found after loading: "PATH:LINE: " (file), "--set section.key=VALUE: " (--set),
 * "PATH: " (default, config from a file) or "" (default, no file). Callers append
 * "section.key: problem". */
void fc_config_where(const fc_config_t *c, const char *name, char *buf, size_t size);

/* The text of model key `key` (without "model."): as set, else model.type's default;
 * NULL if model.type declares no such key. */
const char *fc_config_model_value(const fc_config_t *c, const char *key);

/* data.train for client k: every "{k}" replaced by k (SPEC §6). */
FC_MUST int fc_config_client_path(const fc_config_t *c, size_t k, char *out, size_t size);

/* The checked parsers every key uses, for other command-line values too: the whole text
 * must be a base-10 integer in [lo, hi] (never atoi) / a finite number. 0 on success; -1
 * with a reason ("expected an integer, got 'x'", "out of range, got 'x'") in why. */
int fc_parse_integer(const char *text, long long lo, long long hi, long long *out, char *why,
                     size_t wn);
int fc_parse_double(const char *text, double *out, char *why, size_t wn);

/* Names for the enums ("csv", "synchronous", ...); "?" for a value out of range. */
const char *fc_format_name(fc_format_t f);
const char *fc_scheme_name(fc_scheme_t s);
const char *fc_schedule_name(fc_schedule_t s);
/* algorithm.expectation's name (SPEC §10). */
const char *fc_expect_name(fc_expect_kind_t e);
const char *fc_solver_kind_name(fc_solver_kind_t s);
const char *fc_optimizer_name(fc_optimizer_t o);

#endif
