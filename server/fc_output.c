/* fc_output.c — metrics.csv, mean.txt, summary.json. */
#include "fc_output.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fc_algo.h"
#include "fc_file.h"
#include "fc_model.h"
#include "fc_mem.h"

struct fc_output {
    FILE *csv;
    char path[FC_PATH_MAX + 32];
};

int fc_output_open(const char *dir, fc_output_t **out)
{
    int err;
    fc_output_t *o = NULL;
    *out = NULL;
    FC_CALL(fc_mkdirs(dir));
    FC_CALL(fc_calloc(1, sizeof *o, &o));
    snprintf(o->path, sizeof o->path, "%s/metrics.csv", dir);
    o->csv = fopen(o->path, "w");
    if (!o->csv) FC_FAIL(FC_EIO, "%s: cannot write: %s", o->path, strerror(errno));
    fputs("round,seconds,objective,grad_norm,dist_to_opt,correction,test_loss,test_accuracy,"
          "bytes,kl_to_opt,elbo,test_loss_bayes,test_accuracy_bayes\n",
          o->csv);
    *out = o;
    return FC_OK;
cleanup:
    fc_output_close(&o);
    return err;
}

void fc_output_close(fc_output_t **po)
{
    fc_output_t *o = po ? *po : NULL;
    if (!o) return;
    if (o->csv) fclose(o->csv);
    fc_free(po);
}

static void put_field(FILE *f, double v)
{
    if (!isnan(v)) fprintf(f, "%.17g", v);
}

int fc_output_row(fc_output_t *o, const fc_metrics_t *m)
{
    const double cols[] = {m->objective,  m->grad_norm, m->dist_to_opt,
                           m->correction, m->test_loss, m->test_accuracy};
    fprintf(o->csv, "%d,%.6f", m->round, m->seconds);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        fputc(',', o->csv);
        put_field(o->csv, cols[i]);
    }
    fprintf(o->csv, ",%.0f", m->bytes);
    const double vi[] = {m->kl_to_opt, m->elbo, m->test_loss_bayes, m->test_accuracy_bayes};
    for (size_t i = 0; i < sizeof vi / sizeof vi[0]; i++) {
        fputc(',', o->csv);
        put_field(o->csv, vi[i]);
    }
    fputc('\n', o->csv);
    if (fflush(o->csv) != 0 || ferror(o->csv))
        return fc_err_set(FC_EIO, "%s: write failed: %s", o->path, strerror(errno));
    return FC_OK;
}

static int write_vector(const char *dir, const char *name, size_t d, const double *v)
{
    int err;
    char *text = NULL;
    size_t cap = 0, len = 0;
    FC_CALL(fc_mul_size(d + 1, 32, &cap));
    FC_CALL(fc_alloc(cap, 1, &text));
    for (size_t i = 0; i < d; i++)
        len += (size_t)snprintf(text + len, cap - len, "%.17g\n", v[i]);
    FC_CALL(fc_write_atomic(dir, name, text, len));
cleanup:
    fc_free(&text);
    return err;
}

int fc_output_mean(const char *dir, size_t d, const double *m)
{
    return write_vector(dir, "mean.txt", d, m);
}

int fc_output_variance(const char *dir, size_t d, const double *var)
{
    return write_vector(dir, "variance.txt", d, var);
}

/* cJSON cannot hold NaN: non-applicable numbers become null. */
static void add_number(cJSON *obj, const char *key, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(obj, key, v);
    else
        cJSON_AddNullToObject(obj, key);
}

struct echo_ctx {
    cJSON *root;
    const fc_config_t *c;
};

/* Whether a key steers this run, so that the echo lists only those: the data keys of its
 * format, the partition keys of its scheme, the model's own keys, and the algorithm keys
 * its registry row lists (fc_algo_uses_key: the penalty of fpc/pvi only with the iso
 * family). [run] and [output] always apply. */
static int key_applies(const fc_config_t *c, const char *section, const char *key)
{
    const fc_algo_ops_t *a = fc_algo_find(c->algorithm.name);
    const fc_model_ops_t *m = fc_model_find(c->model.type);
    int synth = c->data.format == FC_FMT_SYNTHETIC;
#define IS(k) (strcmp(key, (k)) == 0)
    if (strcmp(section, "data") == 0) {
        if (IS("format")) return 1;
        if (IS("n_per_client") || IS("features") || IS("heterogeneity") || IS("noise"))
            return synth;
        if (IS("test")) return c->data.test[0] != '\0';
        if (IS("test_fraction")) return c->data.test_fraction > 0;
        if (IS("resize")) return c->data.format == FC_FMT_IDX;
        if (IS("classes")) return m && m->labels == FC_LABEL_CLASS;
        return !synth; /* train, max_examples */
    }
    if (strcmp(section, "partition") == 0) {
        if (IS("alpha")) return c->partition.scheme == FC_PART_DIRICHLET;
        if (IS("groups")) return c->partition.scheme == FC_PART_LABEL_GROUPS;
        return 1;
    }
    if (strcmp(section, "model") == 0)
        return IS("noise_precision") ? m && m->labels == FC_LABEL_REAL : 1;
    if ((strcmp(section, "algorithm") == 0 && (IS("max_staleness") || IS("staleness_damping"))) ||
        (strcmp(section, "run") == 0 && (IS("replay") || IS("client_delay"))))
        return c->algorithm.schedule == FC_SCHED_ASYNC; /* SPEC §11 */
    if (strcmp(section, "algorithm") == 0)
        return !a || fc_algo_uses_key(a, c->algorithm.family, key);
#undef IS
    return 1;
}

/* Is text a JSON number (RFC 8259: -?int frac? exp?)? The config's own text is kept
 * exactly (run.seed needs all 64 bits, which a double would round). */
static int is_json_number(const char *t)
{
    if (*t == '-') t++;
    if (*t == '0')
        t++;
    else if (*t >= '1' && *t <= '9')
        while (*t >= '0' && *t <= '9')
            t++;
    else
        return 0;
    if (*t == '.') {
        if (!(*++t >= '0' && *t <= '9')) return 0;
        while (*t >= '0' && *t <= '9')
            t++;
    }
    if (*t == 'e' || *t == 'E') {
        t++;
        if (*t == '+' || *t == '-') t++;
        if (!(*t >= '0' && *t <= '9')) return 0;
        while (*t >= '0' && *t <= '9')
            t++;
    }
    return *t == '\0';
}

static void echo_key(const char *section, const char *key, const char *value, void *vctx)
{
    struct echo_ctx *e = vctx;
    if (!key_applies(e->c, section, key)) return;
    cJSON *sec = cJSON_GetObjectItemCaseSensitive(e->root, section);
    if (!sec) sec = cJSON_AddObjectToObject(e->root, section);
    if (!sec) return;
    fc_key_kind_t kind = fc_config_key_kind(section, key);
    if (kind == FC_KEY_BOOL)
        cJSON_AddBoolToObject(sec, key, strcmp(value, "true") == 0);
    else if (kind == FC_KEY_NUMBER && is_json_number(value))
        cJSON_AddRawToObject(sec, key, value);
    else
        cJSON_AddStringToObject(sec, key, value);
}

int fc_output_summary(const char *dir, const fc_config_t *c, const fc_summary_t *s)
{
    int err = FC_OK;
    char *text = NULL;
    cJSON *root = cJSON_CreateObject(), *cfg = NULL, *fin = NULL;
    if (!root) return fc_err_set(FC_ENOMEM, "out of memory building summary.json");
    cfg = cJSON_AddObjectToObject(root, "config");
    struct echo_ctx e = {cfg, c};
    if (cfg) fc_config_visit(c, echo_key, &e);
    cJSON_AddStringToObject(root, "status", s->status);
    if (s->stability && fc_stability_to_json(root, s->stability) == FC_OK)
        add_number(cJSON_GetObjectItemCaseSensitive(root, "stability"), "radius", s->radius);
    if (s->reason) cJSON_AddStringToObject(root, "reason", s->reason);
    cJSON_AddNumberToObject(root, "rounds", s->rounds);
    fin = cJSON_AddObjectToObject(root, "final");
    if (fin) {
        add_number(fin, "objective", s->final.objective);
        add_number(fin, "grad_norm", s->final.grad_norm);
        add_number(fin, "dist_to_opt", s->final.dist_to_opt);
        add_number(fin, "correction", s->final.correction);
        add_number(fin, "test_loss", s->final.test_loss);
        add_number(fin, "test_accuracy", s->final.test_accuracy);
        add_number(fin, "objective_gap", s->final.objective - s->theta_star_objective);
        add_number(fin, "bytes", s->final.bytes);
        add_number(fin, "kl_to_opt", s->final.kl_to_opt);
        add_number(fin, "elbo", s->final.elbo);
        add_number(fin, "test_loss_bayes", s->final.test_loss_bayes);
        add_number(fin, "test_accuracy_bayes", s->final.test_accuracy_bayes);
    }
    add_number(root, "theta_star_objective", s->theta_star_objective);
    add_number(root, "wall_seconds", s->wall_seconds);
    cJSON_AddNumberToObject(root, "ranks", s->ranks);
    cJSON_AddNumberToObject(root, "clients", (double)s->clients);
    cJSON_AddNumberToObject(root, "parameters", (double)s->parameters);
    text = cJSON_Print(root);
    if (!text) FC_FAIL(FC_ENOMEM, "out of memory printing summary.json");
    FC_CALL(fc_write_atomic(dir, "summary.json", text, strlen(text)));
cleanup:
    cJSON_free(text);
    cJSON_Delete(root);
    return err;
}
