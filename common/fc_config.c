/* fc_config.c — the run configuration (SPEC §6). One table of key descriptors drives
 * the defaults, the INI parser (inih), --set overrides and the echo (fc_config_visit). */
#include "fc_config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ini.h>

#include "fc_algo.h"
#include "fc_async.h"
#include "fc_family.h"
#include "fc_registry.h"
#include "fc_file.h"
#include "fc_model.h"

/* ---------------------------------------------------------------------------------------
 * The key table */

typedef enum {
    T_INT,    /* int */
    T_LONG,   /* long */
    T_U64,    /* uint64_t, no sign */
    T_DOUBLE, /* finite double */
    T_BOOL,   /* int 0/1: true/false, yes/no, 1/0 */
    T_ENUM,   /* an int-sized enum; names[] in enum order */
    T_MODEL,  /* char[FC_NAME_MAX], a name fc_model_find knows */
    T_ALGO,   /* char[FC_NAME_MAX], a name fc_algo_find knows */
    T_FAMILY, /* char[FC_NAME_MAX], a name fc_family_find knows */
    T_PATH,   /* char[FC_PATH_MAX]; in a file, relative to the file's folder */
    T_GROUPS, /* fc_groups_t via fc_groups_parse; "" = none */
    T_DELAY   /* char[FC_DELAY_TEXT_MAX], a run.client_delay fc_delay_parse accepts */
} ktype_t;

/* Bounds of numeric keys. */
enum {
    B_LO = 1u << 0,      /* v >= lo */
    B_LO_OPEN = 1u << 1, /* with B_LO: v > lo */
    B_HI = 1u << 2,      /* v <= hi */
    B_HI_OPEN = 1u << 3, /* with B_HI: v < hi */
    B_ZERO_OK = 1u << 4  /* 0 is allowed besides the range (data.classes: 0 = from labels) */
};

typedef struct {
    const char *section;
    const char *key;
    ktype_t type;
    size_t offset; /* into fc_config_t */
    unsigned bounds;
    double lo, hi;
    const char *const *names; /* T_ENUM: NULL-terminated, in enum order */
    const char *def;          /* default as text; NULL = the field stays zero */
} keydesc_t;

static const char *const format_names[] = {"synthetic", "csv", "libsvm", "idx", NULL};
static const char *const scheme_names[] = {"iid", "dirichlet", "label_groups", "files", NULL};
static const char *const schedule_names[] = {"synchronous", "sequential", "asynchronous", NULL};
static const char *const solver_names[] = {"auto", "newton", "cg", NULL};
static const char *const optimizer_names[] = {"sgd", "adam", NULL};
_Static_assert(sizeof((fc_config_t *)0)->run.client_delay == FC_DELAY_TEXT_MAX, "delay size");
static const char *const stale_names[] = {"none", "inverse", NULL};
static const char *const expect_names[] = {"point", "quadrature", "mc", NULL};

/* Enum fields are read and written as int. */
_Static_assert(sizeof(fc_format_t) == sizeof(int), "enum size");
_Static_assert(sizeof(fc_scheme_t) == sizeof(int), "enum size");
_Static_assert(sizeof(fc_schedule_t) == sizeof(int), "enum size");
_Static_assert(sizeof(fc_solver_kind_t) == sizeof(int), "enum size");
_Static_assert(sizeof(fc_optimizer_t) == sizeof(int), "enum size");
_Static_assert(sizeof(fc_stale_damping_t) == sizeof(int), "enum size");
_Static_assert(sizeof(fc_expect_kind_t) == sizeof(int), "enum size");

/* Offset of a field, with a compile-time check that the field has type T. */
#define AT(field, T) _Generic(((fc_config_t *)0)->field, T : offsetof(fc_config_t, field))

/* Row builders (kept on one line each; clang-format would split the braces). */
// clang-format off
#define K_INT(s, k, field, b, lo, hi, def) {s, k, T_INT, AT(field, int), b, lo, hi, NULL, def}
#define K_LONG(s, k, field, b, lo, hi, def) {s, k, T_LONG, AT(field, long), b, lo, hi, NULL, def}
#define K_DBL(s, k, field, b, lo, hi, def) {s, k, T_DOUBLE, AT(field, double), b, lo, hi, NULL, def}
#define K_BOOL(s, k, field, def) {s, k, T_BOOL, AT(field, int), 0, 0, 0, NULL, def}
#define K_ENUM(s, k, field, T, names, def) {s, k, T_ENUM, AT(field, T), 0, 0, 0, names, def}
#define K_STR(s, k, type, field, def) {s, k, type, AT(field, char *), 0, 0, 0, NULL, def}
// clang-format on

/* SPEC §6, in echo order. Defaults are text so that they go through the same parser. */
static const keydesc_t keys[] = {
    K_ENUM("data", "format", data.format, fc_format_t, format_names, "synthetic"),
    K_STR("data", "train", T_PATH, data.train, ""),
    K_STR("data", "test", T_PATH, data.test, ""),
    K_DBL("data", "test_fraction", data.test_fraction, B_LO | B_HI | B_HI_OPEN, 0, 1, "0"),
    K_LONG("data", "max_examples", data.max_examples, B_LO, 0, 0, "0"),
    K_INT("data", "resize", data.resize, B_LO | B_HI, 1, 1024, "28"),
    K_INT("data", "classes", data.classes, B_LO | B_ZERO_OK, 2, 0, "0"),
    K_LONG("data", "n_per_client", data.n_per_client, B_LO, 1, 0, "200"),
    K_INT("data", "features", data.features, B_LO, 1, 0, "20"),
    K_DBL("data", "heterogeneity", data.heterogeneity, B_LO, 0, 0, "1"),
    K_DBL("data", "noise", data.noise, B_LO, 0, 0, "0.1"),

    K_ENUM("partition", "scheme", partition.scheme, fc_scheme_t, scheme_names, "iid"),
    K_INT("partition", "clients", partition.clients, B_LO, 1, 0, "8"),
    K_DBL("partition", "alpha", partition.alpha, B_LO | B_LO_OPEN, 0, 0, "0.5"),
    {"partition", "groups", T_GROUPS, AT(partition.groups, fc_groups_t), 0, 0, 0, NULL, ""},

    K_STR("model", "type", T_MODEL, model.type, "logistic"),
    K_BOOL("model", "bias", model.bias, "true"),
    K_DBL("model", "prior_precision", model.prior_precision, B_LO | B_LO_OPEN, 0, 0, "1"),
    K_DBL("model", "noise_precision", model.noise_precision, B_LO | B_LO_OPEN, 0, 0, "1"),

    K_STR("algorithm", "name", T_ALGO, algorithm.name, "fpc"),
    K_STR("algorithm", "family", T_FAMILY, algorithm.family, "full"),
    K_DBL("algorithm", "damping", algorithm.damping, B_LO | B_LO_OPEN | B_HI | B_HI_OPEN, 0, 2,
          "1"),
    K_DBL("algorithm", "penalty", algorithm.penalty, B_LO | B_LO_OPEN, 0, 0, "1"),
    K_ENUM("algorithm", "schedule", algorithm.schedule, fc_schedule_t, schedule_names,
           "synchronous"),
    K_DBL("algorithm", "participation", algorithm.participation, B_LO | B_LO_OPEN | B_HI, 0, 1,
          "1"),
    /* 0 (the default, not settable) = the algorithm's own limit, fc_config_local_steps. */
    K_INT("algorithm", "local_steps", algorithm.local_steps, B_LO, 1, 0, NULL),
    K_DBL("algorithm", "local_tol", algorithm.local_tol, B_LO, 0, 0, "1e-10"),
    K_ENUM("algorithm", "local_solver", algorithm.local_solver, fc_solver_kind_t, solver_names,
           "auto"),
    /* lowrank family (SPEC §12); checked against the family in check_family_rank. */
    K_INT("algorithm", "rank", algorithm.rank, B_LO, 0, 0, "0"),
    K_INT("algorithm", "server_rank", algorithm.server_rank, B_LO, 0, 0, "0"),
    /* fedavg, fedprox (SPEC §9). lr is the step on the sum-semantics f_k (README). */
    K_ENUM("algorithm", "optimizer", algorithm.optimizer, fc_optimizer_t, optimizer_names, "sgd"),
    K_DBL("algorithm", "lr", algorithm.lr, B_LO | B_LO_OPEN, 0, 0, "0.001"),
    K_INT("algorithm", "batch_size", algorithm.batch_size, B_LO, 1, 0, "32"),
    K_INT("algorithm", "local_epochs", algorithm.local_epochs, B_LO, 1, 0, "1"),
    /* asynchronous schedule (SPEC §11). */
    K_INT("algorithm", "max_staleness", algorithm.max_staleness, B_LO, 0, 0, "0"),
    K_ENUM("algorithm", "staleness_damping", algorithm.staleness_damping, fc_stale_damping_t,
           stale_names, "none"),
    /* SPEC §10 variational expectations; checked against the model and family in
     * check_expectation. */
    K_ENUM("algorithm", "expectation", algorithm.expectation, fc_expect_kind_t, expect_names,
           "point"),
    K_INT("algorithm", "quadrature_points", algorithm.quadrature_points, B_LO | B_HI, 1,
          FC_QUADRATURE_MAX, "32"),
    K_INT("algorithm", "mc_samples", algorithm.mc_samples, B_LO, 1, 0, "200"),

    K_INT("run", "rounds", run.rounds, B_LO, 0, 0, "100"),
    K_DBL("run", "tol", run.tol, B_LO, 0, 0, "1e-8"),
    {"run", "seed", T_U64, AT(run.seed, uint64_t), 0, 0, 0, NULL, "1"},
    K_BOOL("run", "reference", run.reference, "true"),
    K_INT("run", "threads", run.threads, B_LO, 1, 0, "1"),
    K_BOOL("run", "resume", run.resume, "false"),
    K_DBL("run", "divergence", run.divergence, B_LO | B_LO_OPEN, 0, 0, "1e8"),
    K_STR("run", "replay", T_PATH, run.replay, ""),
    K_STR("run", "client_delay", T_DELAY, run.client_delay, "none"),

    K_STR("output", "dir", T_PATH, output.dir, "results/default"),
    K_INT("output", "checkpoint_every", output.checkpoint_every, B_LO, 0, 0, "0"),
};
#define NKEYS (sizeof keys / sizeof keys[0])
_Static_assert(sizeof keys / sizeof keys[0] == FC_CONFIG_NKEYS, "FC_CONFIG_NKEYS is stale");

static const char *const sections[] = {"data", "partition", "model", "algorithm", "run", "output"};
#define NSECTIONS (sizeof sections / sizeof sections[0])

static int section_known(const char *s, size_t n)
{
    for (size_t i = 0; i < NSECTIONS; i++)
        if (strlen(sections[i]) == n && strncmp(sections[i], s, n) == 0) return 1;
    return 0;
}

/* The row for (section, key) given as counted strings, or -1. */
static int key_find(const char *s, size_t sn, const char *k, size_t kn)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strlen(keys[i].section) == sn && strncmp(keys[i].section, s, sn) == 0 &&
            strlen(keys[i].key) == kn && strncmp(keys[i].key, k, kn) == 0)
            return (int)i;
    return -1;
}

/* The row for "section.key", or -1. */
static int key_find_dotted(const char *name)
{
    const char *dot = strchr(name, '.');
    if (!dot) return -1;
    return key_find(name, (size_t)(dot - name), dot + 1, strlen(dot + 1));
}

/* Levenshtein distance between a (an bytes) and b, for "did you mean": names are short. */
static size_t edit_distance(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b), row[128];
    if (an >= 127 || bn >= 127) return (size_t)-1;
    for (size_t j = 0; j <= bn; j++)
        row[j] = j;
    for (size_t i = 1; i <= an; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= bn; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[bn];
}

/* "; did you mean section.key?" for the nearest key of the table to the unknown name
 * "s.k", when it is near enough (at most a third of its letters, and 3, changed); else "". */
static void suggest_key(const char *s, size_t sn, const char *k, size_t kn, char *buf, size_t size)
{
    char name[128], cand[128];
    size_t best = (size_t)-1, bi = 0;
    int n = snprintf(name, sizeof name, "%.*s.%.*s", (int)sn, s, (int)kn, k);
    buf[0] = '\0';
    if (n < 0 || (size_t)n >= sizeof name) return;
    for (size_t i = 0; i < NKEYS; i++) {
        snprintf(cand, sizeof cand, "%s.%s", keys[i].section, keys[i].key);
        size_t dist = edit_distance(name, (size_t)n, cand);
        if (dist < best) best = dist, bi = i;
    }
    if (best <= 3 && 3 * best <= (size_t)n)
        snprintf(buf, size, "; did you mean %s.%s?", keys[bi].section, keys[bi].key);
}

static void *field(fc_config_t *c, const keydesc_t *k)
{
    return (char *)c + k->offset;
}

static const void *cfield(const fc_config_t *c, const keydesc_t *k)
{
    return (const char *)c + k->offset;
}

/* ---------------------------------------------------------------------------------------
 * Values: text -> field, with the problem written to why on failure */

/* "(0, 2)", "> 0", "[1, 1024]", "0 or >= 2". */
static void bounds_text(const keydesc_t *k, char *buf, size_t size)
{
    const char *zero = k->bounds & B_ZERO_OK ? "0 or " : "";
    if ((k->bounds & B_LO) && (k->bounds & B_HI))
        snprintf(buf, size, "%sin %c%g, %g%c", zero, k->bounds & B_LO_OPEN ? '(' : '[', k->lo,
                 k->hi, k->bounds & B_HI_OPEN ? ')' : ']');
    else if (k->bounds & B_LO)
        snprintf(buf, size, "%s%s %g", zero, k->bounds & B_LO_OPEN ? ">" : ">=", k->lo);
    else if (k->bounds & B_HI)
        snprintf(buf, size, "%s%s %g", zero, k->bounds & B_HI_OPEN ? "<" : "<=", k->hi);
    else
        buf[0] = '\0';
}

static int in_bounds(const keydesc_t *k, double v)
{
    if ((k->bounds & B_ZERO_OK) && v == 0.0) return 1;
    if (k->bounds & B_LO) {
        if (k->bounds & B_LO_OPEN ? !(v > k->lo) : !(v >= k->lo)) return 0;
    }
    if (k->bounds & B_HI) {
        if (k->bounds & B_HI_OPEN ? !(v < k->hi) : !(v <= k->hi)) return 0;
    }
    return 1;
}

static int check_bounds(const keydesc_t *k, double v, const char *text, char *why, size_t wn)
{
    char b[96];
    if (in_bounds(k, v)) return 0;
    bounds_text(k, b, sizeof b);
    snprintf(why, wn, "must be %s, got %s", b, text);
    return -1;
}

int fc_parse_integer(const char *text, long long lo, long long hi, long long *out, char *why,
                     size_t wn)
{
    char *end;
    long long v;
    if (!*text || isspace((unsigned char)text[0])) goto bad;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (end == text || *end) goto bad;
    if (errno == ERANGE || v < lo || v > hi) {
        snprintf(why, wn, "out of range, got '%s'", text);
        return -1;
    }
    *out = v;
    return 0;
bad:
    snprintf(why, wn, "expected an integer, got '%s'", text);
    return -1;
}

static int parse_u64(const char *text, uint64_t *out, char *why, size_t wn)
{
    char *end;
    unsigned long long v;
    /* strtoull accepts "-1" and wraps it: insist on digits. */
    if (!isdigit((unsigned char)text[text[0] == '+'])) goto bad;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (*end) goto bad;
    if (errno == ERANGE) {
        snprintf(why, wn, "out of range, got '%s'", text);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
bad:
    snprintf(why, wn, "expected a non-negative integer, got '%s'", text);
    return -1;
}

int fc_parse_double(const char *text, double *out, char *why, size_t wn)
{
    char *end;
    double v;
    if (!*text || isspace((unsigned char)text[0])) goto bad;
    errno = 0;
    v = strtod(text, &end);
    if (end == text || *end) goto bad;
    if (!isfinite(v)) {
        snprintf(why, wn, "expected a finite number, got '%s'", text);
        return -1;
    }
    /* Overflow gives +-HUGE_VAL (caught above); underflow to a tiny value is accepted. */
    *out = v;
    return 0;
bad:
    snprintf(why, wn, "expected a number, got '%s'", text);
    return -1;
}

static int parse_bool(const char *text, int *out, char *why, size_t wn)
{
    static const char *const yes[] = {"true", "yes", "1"}, *const no[] = {"false", "no", "0"};
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(text, yes[i]) == 0) return *out = 1, 0;
        if (strcasecmp(text, no[i]) == 0) return *out = 0, 0;
    }
    snprintf(why, wn, "expected true or false, got '%s'", text);
    return -1;
}

static int parse_enum(const keydesc_t *k, const char *text, int *out, char *why, size_t wn)
{
    size_t used;
    for (int i = 0; k->names[i]; i++)
        if (strcmp(text, k->names[i]) == 0) return *out = i, 0;
    used = (size_t)snprintf(why, wn, "expected one of ");
    for (int i = 0; k->names[i] && used < wn; i++)
        used += (size_t)snprintf(why + used, wn - used, "%s, ", k->names[i]);
    if (used < wn) snprintf(why + used, wn - used, "got '%s'", text);
    return -1;
}

static int copy_text(const char *text, char *dst, size_t size, char *why, size_t wn)
{
    size_t n = strlen(text);
    if (n >= size) {
        snprintf(why, wn, "too long (%zu characters, at most %zu)", n, size - 1);
        return -1;
    }
    memcpy(dst, text, n + 1);
    return 0;
}

/* A name key (model.type, algorithm.name, algorithm.family) must name a row of its
 * registry: 0 if it does, else -1 with "expected one of ..., got 'x'" in why. */
static int registry_refuses(ktype_t type, const char *text, char *why, size_t wn)
{
    char names[FC_REGISTRY_NAMES_MAX];
    int known = type == T_MODEL  ? fc_model_find(text) != NULL
                : type == T_ALGO ? fc_algo_find(text) != NULL
                                 : fc_family_find(text) != NULL;
    if (known) return 0;
    if (type == T_MODEL)
        fc_model_names(names, sizeof names);
    else if (type == T_ALGO)
        fc_algo_names(names, sizeof names);
    else
        fc_family_names(names, sizeof names);
    snprintf(why, wn, "expected one of %s, got '%s'", names, text);
    return -1;
}

/* Parse text for key k and store it in c. base is the folder relative paths are joined
 * to ("" = none). registry = 0 skips the model/algorithm registry look-up (defaults).
 * Returns 0, or -1 with the problem in why; c is untouched on failure. */
static int key_apply(const keydesc_t *k, const char *text, const char *base, int registry,
                     fc_config_t *c, char *why, size_t wn)
{
    void *f = field(c, k);
    long long ll = 0;
    double d = 0.0;
    int i = 0;
    switch (k->type) {
    case T_INT:
    case T_LONG:
        if (fc_parse_integer(text, k->type == T_INT ? INT_MIN : LONG_MIN,
                             k->type == T_INT ? INT_MAX : LONG_MAX, &ll, why, wn) ||
            check_bounds(k, (double)ll, text, why, wn))
            return -1;
        if (k->type == T_INT)
            *(int *)f = (int)ll;
        else
            *(long *)f = (long)ll;
        return 0;
    case T_U64:
        return parse_u64(text, (uint64_t *)f, why, wn);
    case T_DOUBLE:
        if (fc_parse_double(text, &d, why, wn) || check_bounds(k, d, text, why, wn)) return -1;
        *(double *)f = d;
        return 0;
    case T_BOOL:
        return parse_bool(text, (int *)f, why, wn);
    case T_ENUM:
        if (parse_enum(k, text, &i, why, wn)) return -1;
        memcpy(f, &i, sizeof i);
        return 0;
    case T_MODEL:
    case T_ALGO:
    case T_FAMILY:
        if (registry && registry_refuses(k->type, text, why, wn)) return -1;
        return copy_text(text, f, FC_NAME_MAX, why, wn);
    case T_PATH: {
        char joined[FC_PATH_MAX];
        size_t bn = strlen(base), tn = strlen(text);
        /* SPEC §6: relative paths in a file are resolved from the file's folder. */
        if (!*base || !*text || text[0] == '/') return copy_text(text, f, FC_PATH_MAX, why, wn);
        if (bn + tn >= sizeof joined) {
            snprintf(why, wn, "path too long (%zu characters with the config folder, at most %d)",
                     bn + tn, FC_PATH_MAX - 1);
            return -1;
        }
        memcpy(joined, base, bn);
        memcpy(joined + bn, text, tn + 1);
        return copy_text(joined, f, FC_PATH_MAX, why, wn);
    }
    case T_DELAY: {
        fc_delay_t dl;
        if (fc_delay_parse(text, &dl, why, wn)) return -1;
        return copy_text(text, f, FC_DELAY_TEXT_MAX, why, wn);
    }
    case T_GROUPS: {
        fc_groups_t g;
        memset(&g, 0, sizeof g);
        if (*text && fc_groups_parse(text, &g) != FC_OK) {
            /* Our caller names the key: drop the parser's own 'partition.groups = "..": '. */
            const char *msg = fc_err_msg(), *head = "partition.groups = \"", *rest;
            if (strncmp(msg, head, strlen(head)) == 0 && (rest = strstr(msg, "\": ")) != NULL)
                msg = rest + 3;
            snprintf(why, wn, "%s", msg);
            return -1;
        }
        memcpy(f, &g, sizeof g);
        return 0;
    }
    }
    assert(0 && "unhandled key type");
    return -1;
}

/* Shortest %g text that reads back as exactly v. */
static void format_double(double v, char *buf, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

/* "0,1;2,3": the syntax fc_groups_parse reads. */
static int format_groups(const fc_groups_t *g, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < g->count; i++)
        for (int j = g->start[i]; j < g->start[i + 1]; j++) {
            const char *sep = j > g->start[i] ? "," : i > 0 ? ";" : "";
            int n = snprintf(buf + used, size - used, "%s%d", sep, g->label[j]);
            if (n < 0 || (size_t)n >= size - used) return -1;
            used += (size_t)n;
        }
    return 0;
}

/* The effective value of key k as text; -1 if it does not fit. */
static int key_text(const fc_config_t *c, const keydesc_t *k, char *buf, size_t size)
{
    const void *f = cfield(c, k);
    int i, n = 0;
    switch (k->type) {
    case T_INT:
        i = *(const int *)f;
        /* algorithm.local_steps 0 means "the algorithm's default": echo what runs. */
        if (k->offset == offsetof(fc_config_t, algorithm.local_steps)) i = fc_config_local_steps(c);
        n = snprintf(buf, size, "%d", i);
        break;
    case T_LONG:
        n = snprintf(buf, size, "%ld", *(const long *)f);
        break;
    case T_U64:
        n = snprintf(buf, size, "%" PRIu64, *(const uint64_t *)f);
        break;
    case T_DOUBLE:
        if (size < 32) return -1;
        format_double(*(const double *)f, buf, size);
        break;
    case T_BOOL:
        n = snprintf(buf, size, "%s", *(const int *)f ? "true" : "false");
        break;
    case T_ENUM: {
        int count = 0;
        memcpy(&i, f, sizeof i);
        while (k->names[count])
            count++;
        n = snprintf(buf, size, "%s", i >= 0 && i < count ? k->names[i] : "?");
        break;
    }
    case T_MODEL:
    case T_ALGO:
    case T_FAMILY:
    case T_PATH:
    case T_DELAY:
        n = snprintf(buf, size, "%s", (const char *)f);
        break;
    case T_GROUPS:
        return format_groups(f, buf, size);
    }
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* ---------------------------------------------------------------------------------------
 * Defaults, --set, visit */

void fc_config_defaults(fc_config_t *c)
{
    char why[256];
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NKEYS; i++) {
        if (!keys[i].def) continue;
        int bad = key_apply(&keys[i], keys[i].def, "", 0, c, why, sizeof why);
        assert(!bad && "a default in the key table is invalid");
        (void)bad;
    }
}

int fc_config_local_steps(const fc_config_t *c)
{
    if (c->algorithm.local_steps > 0) return c->algorithm.local_steps;
    const fc_algo_ops_t *ops = fc_algo_find(c->algorithm.name);
    return ops ? ops->default_local_steps : 50;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* ---------------------------------------------------------------------------------------
 * Keys a model declares for itself (fc_model_key_t): kept as text, checked later */

static int own_find(const fc_config_t *c, const char *key)
{
    for (int i = 0; i < c->model.nown; i++)
        if (strcmp(c->model.own[i].key, key) == 0) return i;
    return -1;
}

/* Store model.key = value from origin; -1 with why when it cannot be held. */
static int own_set(fc_config_t *c, const char *key, size_t kn, const char *value, int origin,
                   char *why, size_t wn)
{
    char name[FC_NAME_MAX];
    if (kn >= sizeof name) return snprintf(why, wn, "unknown key"), -1;
    memcpy(name, key, kn);
    name[kn] = '\0';
    int i = own_find(c, name);
    if (i >= 0 && origin > 0 && c->model.own[i].origin > 0)
        return snprintf(why, wn, "duplicate key (first set on line %d)", c->model.own[i].origin),
               -1;
    if (strlen(value) >= FC_MODEL_VALUE_MAX)
        return snprintf(why, wn, "too long (at most %d characters)", FC_MODEL_VALUE_MAX - 1), -1;
    if (i < 0) {
        if (c->model.nown == FC_MODEL_OWN_MAX)
            return snprintf(why, wn, "more than %d model keys", FC_MODEL_OWN_MAX), -1;
        i = c->model.nown++;
        memcpy(c->model.own[i].key, name, kn + 1);
    }
    memcpy(c->model.own[i].value, value, strlen(value) + 1);
    c->model.own[i].origin = origin;
    return 0;
}

/* Is section.key (counted) a key some registered model declares? */
static int own_known(const char *s, size_t sn, const char *k, size_t kn)
{
    char name[FC_NAME_MAX];
    if (sn != 5 || strncmp(s, "model", 5) != 0 || kn >= sizeof name) return 0;
    memcpy(name, k, kn);
    name[kn] = '\0';
    return fc_model_key_known(name);
}

const char *fc_config_model_value(const fc_config_t *c, const char *key)
{
    const fc_model_key_t *k = fc_model_key_find(fc_model_find(c->model.type), key);
    if (!k) return NULL;
    int i = own_find(c, key);
    return i >= 0 ? c->model.own[i].value : k->def;
}

/* Every model key set must be one of model.type's, with a value its check accepts. */
static int check_model_keys(const fc_config_t *c)
{
    const fc_model_ops_t *ops = fc_model_find(c->model.type);
    char where[FC_PATH_MAX + 64], why[512];
    for (int i = 0; i < c->model.nown; i++) {
        const fc_model_key_t *k = fc_model_key_find(ops, c->model.own[i].key);
        if (c->model.own[i].origin > 0)
            snprintf(where, sizeof where, "%s:%d: ", c->source, c->model.own[i].origin);
        else
            snprintf(where, sizeof where, "--set model.%s=%s: ", c->model.own[i].key,
                     c->model.own[i].value);
        if (!k)
            return fc_err_set(FC_ECONFIG, "%smodel.%s: not a key of model.type = %s", where,
                              c->model.own[i].key, c->model.type);
        if (k->check && k->check(c->model.own[i].value, why, sizeof why))
            return fc_err_set(FC_ECONFIG, "%smodel.%s: %s", where, k->key, why);
    }
    return FC_OK;
}

/* A --set assignment as messages quote it: at most 200 characters, then "...". */
#define SHOWN_MAX 200
#define SHOW(a)                                                                                    \
    (int)(strlen(a) > SHOWN_MAX ? SHOWN_MAX : strlen(a)), (a), (strlen(a) > SHOWN_MAX ? "..." : "")

int fc_config_set(fc_config_t *c, const char *assignment)
{
    const char *eq = strchr(assignment, '='), *name = assignment, *dot, *key, *val;
    size_t nn, sn, kn, vn;
    char value[FC_CONFIG_VALUE_MAX], why[1024];
    int ki;
    if (!eq) goto malformed;
    nn = (size_t)(eq - name);
    trim(&name, &nn);
    dot = memchr(name, '.', nn);
    if (!dot) goto malformed;
    sn = (size_t)(dot - name);
    key = dot + 1;
    kn = nn - sn - 1;
    trim(&name, &sn);
    trim(&key, &kn);
    if (!sn || !kn) goto malformed;
    val = eq + 1;
    vn = strlen(val);
    trim(&val, &vn);
    if (vn >= sizeof value)
        return fc_err_set(FC_ECONFIG, "--set %.*s%s: %.*s.%.*s: too long", SHOW(assignment),
                          (int)sn, name, (int)kn, key);
    memcpy(value, val, vn);
    value[vn] = '\0';

    ki = key_find(name, sn, key, kn);
    if (ki < 0 && own_known(name, sn, key, kn)) {
        if (own_set(c, key, kn, value, FC_CONFIG_FROM_SET, why, sizeof why))
            return fc_err_set(FC_ECONFIG, "--set %.*s%s: model.%.*s: %s", SHOW(assignment), (int)kn,
                              key, why);
        return FC_OK;
    }
    if (ki < 0) {
        char hint[160];
        suggest_key(name, sn, key, kn, hint, sizeof hint);
        if (!section_known(name, sn))
            return fc_err_set(FC_ECONFIG, "--set %.*s%s: [%.*s]: unknown section%s",
                              SHOW(assignment), (int)sn, name, hint);
        return fc_err_set(FC_ECONFIG, "--set %.*s%s: %.*s.%.*s: unknown key%s", SHOW(assignment),
                          (int)sn, name, (int)kn, key, hint);
    }
    /* --set paths stay relative to the current directory (SPEC §6). */
    if (key_apply(&keys[ki], value, "", 1, c, why, sizeof why))
        return fc_err_set(FC_ECONFIG, "--set %.*s%s: %s.%s: %s", SHOW(assignment), keys[ki].section,
                          keys[ki].key, why);
    c->origin[ki] = FC_CONFIG_FROM_SET;
    return FC_OK;
malformed:
    return fc_err_set(FC_ECONFIG, "--set %.*s%s: expected section.key=value", SHOW(assignment));
}

void fc_config_visit(const fc_config_t *c, fc_config_visit_fn fn, void *ctx)
{
    char buf[FC_CONFIG_VALUE_MAX];
    for (size_t i = 0; i < NKEYS; i++) {
        int bad = key_text(c, &keys[i], buf, sizeof buf);
        assert(!bad && "FC_CONFIG_VALUE_MAX too small");
        (void)bad;
        fn(keys[i].section, keys[i].key, buf, ctx);
    }
    /* Then the chosen model's own keys, with their defaults. */
    const fc_model_ops_t *model = fc_model_find(c->model.type);
    for (const fc_model_key_t *k = model && model->keys ? model->keys : NULL; k && k->key; k++)
        fn("model", k->key, fc_config_model_value(c, k->key), ctx);
}

fc_key_kind_t fc_config_key_kind(const char *section, const char *key)
{
    int ki = key_find(section, strlen(section), key, strlen(key));
    if (ki < 0) return FC_KEY_TEXT;
    switch (keys[ki].type) {
    case T_INT:
    case T_LONG:
    case T_U64:
    case T_DOUBLE:
        return FC_KEY_NUMBER;
    case T_BOOL:
        return FC_KEY_BOOL;
    default:
        return FC_KEY_TEXT;
    }
}

int fc_config_get(const fc_config_t *c, const char *name, char *buf, size_t size)
{
    int ki = key_find_dotted(name);
    const char *own = strncmp(name, "model.", 6) == 0 ? fc_config_model_value(c, name + 6) : NULL;
    if (ki < 0 && own) {
        if (strlen(own) >= size)
            return fc_err_set(FC_ECONFIG, "%s: value longer than %zu bytes", name, size);
        memcpy(buf, own, strlen(own) + 1);
        return FC_OK;
    }
    if (ki < 0) {
        const char *dot = strchr(name, '.');
        char hint[160] = "";
        if (dot)
            suggest_key(name, (size_t)(dot - name), dot + 1, strlen(dot + 1), hint, sizeof hint);
        return fc_err_set(FC_ECONFIG, "%s: unknown key%s", name, hint);
    }
    if (size == 0 || key_text(c, &keys[ki], buf, size))
        return fc_err_set(FC_ECONFIG, "%s: value longer than %zu bytes", name, size);
    return FC_OK;
}

void fc_config_where(const fc_config_t *c, const char *name, char *buf, size_t size)
{
    char value[FC_CONFIG_VALUE_MAX];
    int ki = key_find_dotted(name);
    int origin = ki >= 0 ? c->origin[ki] : 0;
    if (origin > 0)
        snprintf(buf, size, "%s:%d: ", c->source, origin);
    else if (origin == FC_CONFIG_FROM_SET && key_text(c, &keys[ki], value, sizeof value) == 0)
        snprintf(buf, size, "--set %s=%s: ", name, value);
    else if (c->source[0])
        snprintf(buf, size, "%s: ", c->source);
    else if (size)
        buf[0] = '\0';
}

static const char *enum_name(const char *const *names, int v)
{
    for (int i = 0; names[i]; i++)
        if (i == v) return names[i];
    return "?";
}

const char *fc_format_name(fc_format_t f)
{
    return enum_name(format_names, (int)f);
}

const char *fc_scheme_name(fc_scheme_t s)
{
    return enum_name(scheme_names, (int)s);
}

const char *fc_schedule_name(fc_schedule_t s)
{
    return enum_name(schedule_names, (int)s);
}

const char *fc_solver_kind_name(fc_solver_kind_t s)
{
    return enum_name(solver_names, (int)s);
}

const char *fc_optimizer_name(fc_optimizer_t o)
{
    return enum_name(optimizer_names, (int)o);
}

const char *fc_expect_name(fc_expect_kind_t e)
{
    return enum_name(expect_names, (int)e);
}

/* ---------------------------------------------------------------------------------------
 * The INI file */

/* A config line longer than this cannot be valid (inih takes 198 characters); the bound
 * keeps an endless file such as /dev/zero from filling memory. */
#define CONFIG_MAX_LINE 4096

/* State of one fc_config_load. inih's handler gets no line number in Debian's build
 * (INI_HANDLER_LINENO = 0), so our reader hands inih one physical line per call and
 * counts them: inside the handler, line is the line being parsed. */
typedef struct {
    FILE *f;
    const char *path; /* as given, for messages */
    char base[FC_PATH_MAX];
    fc_config_t *c;
    char *buf; /* getline buffer */
    size_t cap;
    int line;
    int err;      /* first error from the reader or the handler (message in fc_err) */
    int err_line; /* its line */
    int read_errno;
} parse_t;

/* Record the first error, "PATH:LINE: " + the formatted rest; returns 0 (inih's "stop"). */
static int parse_fail(parse_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int parse_fail(parse_t *p, const char *fmt, ...)
{
    char rest[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rest, sizeof rest, fmt, ap);
    va_end(ap);
    fc_err_set(FC_ECONFIG, "%s:%d: %s", p->path, p->line, rest);
    p->err = FC_ECONFIG;
    p->err_line = p->line;
    return 0;
}

static char *read_line(char *str, int num, void *stream)
{
    parse_t *p = stream;
    char *s;
    size_t n;
    ssize_t got;
    if (p->err) return NULL; /* stop at the first error */
    errno = 0;
    got = fc_getline(&p->buf, &p->cap, p->f, CONFIG_MAX_LINE);
    if (got == -2) {
        p->line++;
        parse_fail(p, "line too long (at most %d characters)", num - 2);
        return NULL;
    }
    if (got == -3) {
        p->read_errno = ENOMEM;
        return NULL;
    }
    if (got < 0) {
        p->read_errno = ferror(p->f) ? (errno ? errno : EIO) : 0;
        return NULL;
    }
    p->line++;
    if (strlen(p->buf) != (size_t)got) {
        parse_fail(p, "line contains a NUL byte (not a text file?)");
        return NULL;
    }
    /* Leading blanks dropped: inih would read an indented line as a continuation of the
     * previous value (configparser style), silently gluing "  tol = 1" onto it. */
    s = p->buf;
    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    if (n + 1 > (size_t)num) {
        parse_fail(p, "line too long (at most %d characters)", num - 2);
        return NULL;
    }
    /* Sections: inih does not call the handler on a header, so an unknown one is
     * caught here, on its own line. A header without ']' is left to inih. */
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close && !section_known(s + 1, (size_t)(close - s - 1))) {
            parse_fail(p, "[%.*s]: unknown section", (int)(close - s - 1), s + 1);
            return NULL;
        }
    }
    memcpy(str, s, n + 1);
    return str;
}

/* inih ends a value at a ';' that follows a blank (an inline comment). In "groups =
 * 0,1 ;2,3" that would silently drop groups; raw is the whole line as read. */
static int groups_cut_by_comment(const char *raw)
{
    const char *s = strpbrk(raw, "=:");
    for (; s && *s; s++)
        if (*s == ';' && (s[-1] == ' ' || s[-1] == '\t')) {
            const char *t = s + 1;
            while (*t == ' ' || *t == '\t')
                t++;
            return isdigit((unsigned char)*t); /* a label follows: not a real comment */
        }
    return 0;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    parse_t *p = user;
    char why[1024];
    int ki;
    if (!*name) return parse_fail(p, "syntax error");
    if (!*section) return parse_fail(p, "%s: key outside any [section]", name);
    ki = key_find(section, strlen(section), name, strlen(name));
    if (ki < 0 && own_known(section, strlen(section), name, strlen(name))) {
        if (own_set(p->c, name, strlen(name), value ? value : "", p->line, why, sizeof why))
            return parse_fail(p, "model.%s: %s", name, why);
        return 1;
    }
    if (ki < 0) {
        char hint[160];
        suggest_key(section, strlen(section), name, strlen(name), hint, sizeof hint);
        if (!section_known(section, strlen(section)))
            return parse_fail(p, "[%s]: unknown section%s", section, hint);
        return parse_fail(p, "%s.%s: unknown key%s", section, name, hint);
    }
    if (p->c->origin[ki] > 0)
        return parse_fail(p, "%s.%s: duplicate key (first set on line %d)", section, name,
                          p->c->origin[ki]);
    if (keys[ki].type == T_GROUPS && groups_cut_by_comment(p->buf))
        return parse_fail(p,
                          "%s.%s: ' ;' starts a comment in INI, so the groups after it would "
                          "be lost; write them without a blank before ';'",
                          section, name);
    if (key_apply(&keys[ki], value ? value : "", p->base, 1, p->c, why, sizeof why))
        return parse_fail(p, "%s.%s: %s", section, name, why);
    p->c->origin[ki] = p->line;
    return 1;
}

int fc_config_load(const char *path, fc_config_t *c)
{
    int err = FC_OK, ret;
    const char *slash;
    parse_t p;
    fc_config_t *tmp = NULL;

    memset(&p, 0, sizeof p);
    p.path = path;
    if (strlen(path) >= sizeof tmp->source)
        FC_FAIL(FC_ECONFIG, "%s: config path too long (at most %d characters)", path,
                FC_PATH_MAX - 1);
    /* The struct is large (paths, groups): build it on the heap, assign on success. */
    tmp = malloc(sizeof *tmp);
    if (!tmp) FC_FAIL(FC_ENOMEM, "%s: out of memory", path);
    fc_config_defaults(tmp);
    memcpy(tmp->source, path, strlen(path) + 1);
    p.c = tmp;
    slash = strrchr(path, '/');
    if (slash) memcpy(p.base, path, (size_t)(slash - path) + 1);

    p.f = fopen(path, "r");
    if (!p.f) FC_FAIL(FC_EIO, "%s: cannot open: %s", path, strerror(errno));
    ret = ini_parse_stream(read_line, &p, on_pair, &p);
    if (ret > 0 && (!p.err || ret < p.err_line))
        FC_FAIL(FC_ECONFIG, "%s:%d: syntax error", path, ret);
    if (p.err) {
        err = p.err; /* the message is already in place */
        goto cleanup;
    }
    if (p.read_errno) FC_FAIL(FC_EIO, "%s: cannot read: %s", path, strerror(p.read_errno));
    if (ret < 0) FC_FAIL(FC_ENOMEM, "%s: inih failed (%d)", path, ret);
    *c = *tmp;

cleanup:
    if (p.f) fclose(p.f);
    free(p.buf);
    free(tmp);
    return err;
}

/* ---------------------------------------------------------------------------------------
 * Cross-key validation */

/* 0 if path is a readable regular file, else an errno value. */
static int file_readable(const char *path)
{
    struct stat st;
    FILE *f;
    if (stat(path, &st) != 0) return errno;
    if (S_ISDIR(st.st_mode)) return EISDIR;
    f = fopen(path, "rb");
    if (!f) return errno;
    fclose(f);
    return 0;
}

/* 0 if path is a folder, else an errno value. */
static int folder_exists(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* path with every "{k}" replaced by k; -1 if it does not fit. */
static int expand_k(const char *path, long k, char *out, size_t size)
{
    size_t used = 0;
    const char *s = path, *hit;
    while ((hit = strstr(s, "{k}")) != NULL) {
        int n = snprintf(out + used, size - used, "%.*s%ld", (int)(hit - s), s, k);
        if (n < 0 || (size_t)n >= size - used) return -1;
        used += (size_t)n;
        s = hit + 3;
    }
    return (size_t)snprintf(out + used, size - used, "%s", s) >= size - used ? -1 : 0;
}

int fc_config_client_path(const fc_config_t *c, size_t k, char *out, size_t size)
{
    if (expand_k(c->data.train, (long)k, out, size))
        return fc_err_set(FC_ECONFIG, "data.train: path too long for client %zu", k);
    return FC_OK;
}

/* The idx folder check: dir holds PREFIX-images-idx3-ubyte and PREFIX-labels-idx1-ubyte,
 * each plain or .gz. */
static int check_idx(const fc_config_t *c, const char *name, const char *dir, const char *prefix)
{
    static const char *const parts[] = {"images-idx3-ubyte", "labels-idx1-ubyte"};
    char where[FC_PATH_MAX + 64], file[FC_PATH_MAX + 64];
    int e;
    fc_config_where(c, name, where, sizeof where);
    e = folder_exists(dir);
    if (e)
        return fc_err_set(FC_ECONFIG, "%s%s: cannot open '%s': %s", where, name, dir, strerror(e));
    for (size_t i = 0; i < 2; i++) {
        snprintf(file, sizeof file, "%s/%s-%s.gz", dir, prefix, parts[i]);
        if (file_readable(file) == 0) continue;
        snprintf(file, sizeof file, "%s/%s-%s", dir, prefix, parts[i]);
        if (file_readable(file) == 0) continue;
        return fc_err_set(FC_ECONFIG, "%s%s: '%s' holds no readable %s-%s(.gz)", where, name, dir,
                          prefix, parts[i]);
    }
    return FC_OK;
}

static int check_file(const fc_config_t *c, const char *name, const char *path, long client)
{
    char where[FC_PATH_MAX + 64], who[48] = "";
    int e = file_readable(path);
    if (!e) return FC_OK;
    fc_config_where(c, name, where, sizeof where);
    if (client >= 0) snprintf(who, sizeof who, " for client %ld", client);
    return fc_err_set(FC_ECONFIG, "%s%s: cannot open '%s'%s: %s", where, name, path, who,
                      strerror(e));
}

/* What the algorithm's row says it can run (SPEC §3: schedules per algorithm). */
static int check_algorithm(const fc_config_t *c)
{
    char where[FC_PATH_MAX + 64];
    const fc_algo_ops_t *a = fc_algo_find(c->algorithm.name);
    if (!a || (a->schedules & FC_SCHEDULE_BIT(c->algorithm.schedule))) return FC_OK;
    fc_config_where(c, "algorithm.schedule", where, sizeof where);
    return fc_err_set(FC_ECONFIG, "%salgorithm.schedule: %s does not run %s rounds", where, a->name,
                      fc_schedule_name(c->algorithm.schedule));
}

/* The asynchronous schedule's keys (SPEC §11): a replay or delays only with it; a delay
 * list names clients the run has; inverse staleness damping scales the damped change of a
 * site, which is a site of the family only when the site is stored as its term of the
 * server's sums (no `place`: a linear family). */
static int check_async(const fc_config_t *c)
{
    char where[FC_PATH_MAX + 64];
    const fc_family_ops_t *f = fc_family_find(c->algorithm.family);
    fc_delay_t dl;
    char why[256];
    int async = c->algorithm.schedule == FC_SCHED_ASYNC;
    if (fc_delay_parse(c->run.client_delay, &dl, why, sizeof why) == 0 &&
        fc_delay_max_client(&dl) >= c->partition.clients) {
        fc_config_where(c, "run.client_delay", where, sizeof where);
        return fc_err_set(FC_ECONFIG,
                          "%srun.client_delay: client %ld is not below partition.clients = %d",
                          where, fc_delay_max_client(&dl), c->partition.clients);
    }
    if (!async && (dl.kind != FC_DELAY_NONE || c->run.replay[0])) {
        const char *key = c->run.replay[0] ? "run.replay" : "run.client_delay";
        fc_config_where(c, key, where, sizeof where);
        return fc_err_set(FC_ECONFIG, "%s%s: only with algorithm.schedule = asynchronous", where,
                          key);
    }
    if (async && c->algorithm.staleness_damping == FC_STALE_INVERSE && f && f->place) {
        fc_config_where(c, "algorithm.staleness_damping", where, sizeof where);
        return fc_err_set(FC_ECONFIG,
                          "%salgorithm.staleness_damping: inverse needs a family whose sites are "
                          "their own terms of the server's sums; %s's are not",
                          where, f->name);
    }
    return FC_OK;
}

/* lowrank family (SPEC §12): a family with a rank needs algorithm.rank >= 1 and a server
 * rank of at least that (rank <= d is checked where d is known, fc_job.c). */
static int check_family_rank(const fc_config_t *c)
{
    char where[FC_PATH_MAX + 64];
    const fc_algo_ops_t *a = fc_algo_find(c->algorithm.name);
    const fc_family_ops_t *f = fc_family_find(c->algorithm.family);
    if (!a || !a->uses_family || !f || !f->uses_rank) return FC_OK;
    if (c->algorithm.rank < 1) {
        fc_config_where(c, "algorithm.rank", where, sizeof where);
        return fc_err_set(FC_ECONFIG,
                          "%salgorithm.rank: family %s needs a rank of at least 1, got %d", where,
                          f->name, c->algorithm.rank);
    }
    if (c->algorithm.server_rank > 0 && c->algorithm.server_rank < c->algorithm.rank) {
        fc_config_where(c, "algorithm.server_rank", where, sizeof where);
        return fc_err_set(FC_ECONFIG,
                          "%salgorithm.server_rank: %d is below algorithm.rank = %d (the server "
                          "keeps at least one site's columns)",
                          where, c->algorithm.server_rank, c->algorithm.rank);
    }
    return FC_OK;
}

/* SPEC §10: which algorithms, models and families take expectations under q, and the
 * central reference that kl_to_opt needs. */
static int check_expectation(const fc_config_t *c)
{
    char where[FC_PATH_MAX + 64];
    const fc_algo_ops_t *a = fc_algo_find(c->algorithm.name);
    const fc_family_ops_t *f = fc_family_find(c->algorithm.family);
    const fc_model_ops_t *m = fc_model_find(c->model.type);
    fc_expect_kind_t e = c->algorithm.expectation;
    if (!a || !f || !m) return FC_OK;
    if (a->needs_precision && f->cov_shape != FC_COV_FULL && f->cov_shape != FC_COV_DIAG) {
        fc_config_where(c, "algorithm.family", where, sizeof where);
        return fc_err_set(FC_ECONFIG, "%salgorithm.family: %s needs family full or diag, got %s",
                          where, a->name, f->name);
    }
    if (e == FC_EXPECT_POINT) return FC_OK;
    fc_config_where(c, "algorithm.expectation", where, sizeof where);
    if (!a->expectations)
        return fc_err_set(FC_ECONFIG,
                          "%salgorithm.expectation: %s has no variational local step (fpc, pvi, "
                          "central and bayes_admm have)",
                          where, a->name);
    if (!m->margin)
        return fc_err_set(FC_ECONFIG,
                          "%salgorithm.expectation: model %s has no Gaussian margins (linear, "
                          "logistic and softmax have)",
                          where, m->name);
    if (e == FC_EXPECT_QUADRATURE && m->labels == FC_LABEL_CLASS)
        return fc_err_set(FC_ECONFIG,
                          "%salgorithm.expectation: quadrature integrates one margin (linear, "
                          "logistic); %s has one per class: use mc",
                          where, m->name);
    if (a->uses_family && f->cov_shape == FC_COV_NONE) {
        fc_config_where(c, "algorithm.family", where, sizeof where);
        return fc_err_set(FC_ECONFIG,
                          "%salgorithm.family: %s has no variational expectations (iso, diag and "
                          "full have)",
                          where, f->name);
    }
    if (!c->run.reference) {
        fc_config_where(c, "run.reference", where, sizeof where);
        return fc_err_set(FC_ECONFIG,
                          "%srun.reference: kl_to_opt, reported with algorithm.expectation = %s, "
                          "needs the central reference q*: set run.reference = true",
                          where, expect_names[e]);
    }
    return FC_OK;
}

int fc_config_validate(const fc_config_t *c)
{
    return fc_config_validate_role(c, 1);
}

int fc_config_validate_role(const fc_config_t *c, int reads_test)
{
    char where[FC_PATH_MAX + 64], file[FC_PATH_MAX];
    const fc_model_ops_t *model = fc_model_find(c->model.type);
    const char *format = fc_format_name(c->data.format),
               *scheme = fc_scheme_name(c->partition.scheme);
    int has_k = strstr(c->data.train, "{k}") != NULL;
    int err = check_algorithm(c);
    if (!err) err = check_family_rank(c);
    if (!err) err = check_async(c);
    if (!err) err = check_expectation(c);
    if (!err) err = check_model_keys(c);
    if (err) return err;

    /* Partitions by label need class labels. */
    if ((c->partition.scheme == FC_PART_DIRICHLET || c->partition.scheme == FC_PART_LABEL_GROUPS) &&
        model && model->labels == FC_LABEL_REAL) {
        fc_config_where(c, "partition.scheme", where, sizeof where);
        return fc_err_set(FC_ECONFIG,
                          "%spartition.scheme: %s needs a model with class labels (logistic or "
                          "softmax), got model.type = %s",
                          where, scheme, c->model.type);
    }
    if (c->partition.scheme == FC_PART_LABEL_GROUPS) {
        const fc_groups_t *g = &c->partition.groups;
        fc_config_where(c, "partition.groups", where, sizeof where);
        if (g->count == 0)
            return fc_err_set(FC_ECONFIG,
                              "%spartition.groups: required when partition.scheme = label_groups",
                              where);
        for (int i = 0; c->data.classes > 0 && i < g->start[g->count]; i++)
            if (g->label[i] < 0 || g->label[i] >= c->data.classes)
                return fc_err_set(FC_ECONFIG,
                                  "%spartition.groups: label %d is not below data.classes = %d",
                                  where, g->label[i], c->data.classes);
    }

    /* A held-out share of one training file: not of generated data (it has its own test
     * set), not beside a test file, and not of per-client files (rank 0 would need them all). */
    if (c->data.test_fraction > 0) {
        fc_config_where(c, "data.test_fraction", where, sizeof where);
        if (c->data.format == FC_FMT_SYNTHETIC)
            return fc_err_set(FC_ECONFIG,
                              "%sdata.test_fraction: needs data.format = csv, libsvm or idx, got "
                              "synthetic (synthetic data has its own held-out test set)",
                              where);
        if (c->data.test[0])
            return fc_err_set(FC_ECONFIG,
                              "%sdata.test_fraction: is for a training set without a test file, "
                              "but data.test = %s is given too",
                              where, c->data.test);
        if (c->partition.scheme == FC_PART_FILES)
            return fc_err_set(FC_ECONFIG,
                              "%sdata.test_fraction: needs a single training file, not "
                              "partition.scheme = files",
                              where);
    }
    if (c->data.format == FC_FMT_SYNTHETIC) {
        fc_config_where(c, "partition.scheme", where, sizeof where);
        if (c->partition.scheme == FC_PART_FILES)
            return fc_err_set(FC_ECONFIG,
                              "%spartition.scheme: files needs data.format = csv or libsvm, got %s",
                              where, format);
        /* The generator makes each client's data itself; a label split would be ignored. */
        if (c->partition.scheme != FC_PART_IID)
            return fc_err_set(FC_ECONFIG,
                              "%spartition.scheme: %s needs data.format = csv, libsvm or idx, got "
                              "%s (synthetic clients differ by data.heterogeneity)",
                              where, scheme, format);
        return FC_OK; /* the generator needs no files */
    }

    /* File formats. */
    fc_config_where(c, "data.train", where, sizeof where);
    if (!c->data.train[0])
        return fc_err_set(FC_ECONFIG, "%sdata.train: required when data.format = %s", where,
                          format);
    if (has_k && c->partition.scheme != FC_PART_FILES)
        return fc_err_set(FC_ECONFIG,
                          "%sdata.train: a path with {k} needs partition.scheme = files, got %s",
                          where, scheme);
    if (c->partition.scheme == FC_PART_FILES) {
        fc_config_where(c, "partition.scheme", where, sizeof where);
        if (c->data.format == FC_FMT_IDX)
            return fc_err_set(FC_ECONFIG,
                              "%spartition.scheme: files needs data.format = csv or libsvm, got %s",
                              where, format);
        if (!has_k)
            return fc_err_set(FC_ECONFIG,
                              "%spartition.scheme: files needs a data.train path with {k}, got "
                              "'%s'",
                              where, c->data.train);
    }

    if (c->data.format == FC_FMT_IDX) {
        err = check_idx(c, "data.train", c->data.train, "train");
        if (err) return err;
    } else if (has_k) {
        /* SPEC §6: {k} runs over 0..K-1, one pre-partitioned file per client. The files
         * live where their clients run (node-local disks), so only the hosting rank can
         * look for them: fc_shards_load reports a missing one with rank and client. */
        if (expand_k(c->data.train, c->partition.clients - 1, file, sizeof file))
            return fc_err_set(FC_ECONFIG, "%sdata.train: path too long for client %d", where,
                              c->partition.clients - 1);
    } else {
        err = check_file(c, "data.train", c->data.train, -1);
        if (err) return err;
    }

    if (c->data.test[0]) {
        fc_config_where(c, "data.test", where, sizeof where);
        if (strstr(c->data.test, "{k}"))
            return fc_err_set(FC_ECONFIG,
                              "%sdata.test: {k} is not allowed (one test set serves all clients)",
                              where);
        /* Several hosts (SPEC §13): the server rank alone reads the test set, so the file
         * need exist only on its node; the other ranks do not look for it. */
        if (!reads_test) return FC_OK;
        err = c->data.format == FC_FMT_IDX ? check_idx(c, "data.test", c->data.test, "t10k")
                                           : check_file(c, "data.test", c->data.test, -1);
        if (err) return err;
    }
    return FC_OK;
}
