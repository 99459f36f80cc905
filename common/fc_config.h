/* fc_config.h — the run configuration (SPEC §6): a typed, validated struct filled from
 * defaults, an INI file (inih) and --set overrides. The struct holds no heap memory, so
 * it can be copied by assignment (sweeps do). Errors name file, line and key:
 *   "PATH:LINE: section.key: what is wrong"   (file)
 *   "--set section.key=value: what is wrong"    (command line) */
#ifndef FC_CONFIG_H
#define FC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "fc_error.h"
#include "fc_partition.h"

#define FC_PATH_MAX 4096
#define FC_NAME_MAX 32

typedef enum { FC_FMT_SYNTHETIC, FC_FMT_CSV, FC_FMT_LIBSVM, FC_FMT_IDX } fc_format_t;
typedef enum { FC_PART_IID, FC_PART_DIRICHLET, FC_PART_LABEL_GROUPS, FC_PART_FILES } fc_scheme_t;
typedef enum { FC_FAMILY_ISO, FC_FAMILY_DIAG, FC_FAMILY_FULL } fc_family_t;
typedef enum { FC_SCHED_SYNC, FC_SCHED_SEQ } fc_schedule_t;
typedef enum { FC_SOLVER_AUTO, FC_SOLVER_NEWTON, FC_SOLVER_CG } fc_solver_kind_t;

typedef struct {
    char source[FC_PATH_MAX]; /* the config file ("" when built from defaults only) */
    struct {
        fc_format_t format;
        char train[FC_PATH_MAX]; /* resolved against the config file's folder */
        char test[FC_PATH_MAX];  /* "" = none */
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
    } model;
    struct {
        char name[FC_NAME_MAX]; /* a name in the algorithm registry */
        fc_family_t family;
        double damping;
        double penalty;
        fc_schedule_t schedule;
        double participation;
        int local_steps; /* 0 = the algorithm's default (pvi 1, others 50) */
        double local_tol;
        fc_solver_kind_t local_solver; /* extension: auto | newton | cg */
    } algorithm;
    struct {
        int rounds;
        double tol;
        uint64_t seed;
        int reference;
        int threads;
        int resume;
        double divergence;
    } run;
    struct {
        char dir[FC_PATH_MAX];
        int checkpoint_every;
    } output;
} fc_config_t;

/* Fill c with the defaults of SPEC §6. */
void fc_config_defaults(fc_config_t *c);
/* Defaults, then the INI file at path. FC_EIO if it cannot be read, FC_ECONFIG on an
 * unknown section or key, a wrong type or an out-of-range value. */
FC_MUST int fc_config_load(const char *path, fc_config_t *c);
/* Apply one "section.key=value" override (paths relative to the current directory). */
FC_MUST int fc_config_set(fc_config_t *c, const char *assignment);
/* Cross-key checks that need the whole config (input files exist, groups vs clients,
 * files scheme needs {k}, ...). Messages name the key and, when it came from the file,
 * the line. */
FC_MUST int fc_config_validate(const fc_config_t *c);
/* Effective local step limit (SPEC "Local solver": 1 for pvi, else 50, unless set). */
int fc_config_local_steps(const fc_config_t *c);

/* Visit every key with its effective value as text, in a fixed order (for the JSON
 * echo in summary.json and for checkpoint compatibility). */
typedef void (*fc_config_visit_fn)(const char *section, const char *key, const char *value,
                                   void *ctx);
void fc_config_visit(const fc_config_t *c, fc_config_visit_fn fn, void *ctx);

/* Names for the enums ("iso", "synchronous", ...). */
const char *fc_family_name(fc_family_t f);

#endif
