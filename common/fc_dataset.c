/* fc_dataset.c — from a config to the blocks of one rank's clients. */
#include "fc_dataset.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fc_mem.h"
#include "fc_model.h"
#include "fc_partition.h"
#include "fc_rng.h"

fc_label_rule_t fc_dataset_label_rule(const fc_config_t *c)
{
    const fc_model_ops_t *ops = fc_model_find(c->model.type);
    fc_label_rule_t rule = {ops ? ops->labels : FC_LABEL_REAL, c->data.classes};
    return rule;
}

static int read_file(const fc_config_t *c, const char *path, fc_data_t **out)
{
    fc_label_rule_t rule = fc_dataset_label_rule(c);
    size_t max = (size_t)c->data.max_examples;
    switch (c->data.format) {
    case FC_FMT_CSV:
        return fc_data_read_csv(path, rule, max, out);
    case FC_FMT_LIBSVM:
        return fc_data_read_libsvm(path, rule, max, out);
    case FC_FMT_IDX:
        return fc_data_read_idx(path, 0, c->data.resize, max, out);
    default:
        return fc_err_set(FC_EINVAL, "no reader for this data.format");
    }
}

static fc_synth_t synth_params(const fc_config_t *c)
{
    fc_synth_t s = {(size_t)c->data.n_per_client,
                    (size_t)c->data.features,
                    c->data.heterogeneity,
                    c->data.noise,
                    c->data.classes > 0 ? c->data.classes : 3,
                    c->run.seed};
    return s;
}

/* Builds one client's block from rows of the whole training set. */
typedef int (*block_fn)(const void *src, const size_t *idx, size_t n, fc_data_t **out);

static int block_of_data(const void *src, const size_t *idx, size_t n, fc_data_t **out)
{
    return fc_data_subset(src, idx, n, out);
}

static int block_of_idx(const void *src, const size_t *idx, size_t n, fc_data_t **out)
{
    return fc_idx_block(src, idx, n, out);
}

/* Largest label + 1 of n labels. */
static int max_class_of(const double *y, size_t n)
{
    double mx = -1.0;
    for (size_t i = 0; i < n; i++)
        if (y[i] > mx) mx = y[i];
    return (int)mx + 1;
}

/* Stream of the held-out split: never a client id, and not a partition scheme's tag. */
#define HELD_GLOBAL (UINT64_MAX - 2)
#define TAG_HELD_OUT 0x484f4c444f555401ULL /* "HOLDOUT" 1 */

/* data.test_fraction of the n examples of the training file: a shuffle seeded by run.seed
 * alone picks round(f n) of them for the test set, so the split is the same on every rank
 * and for any P. Both lists come out increasing (file order); the caller frees them. */
static int held_out_split(const fc_config_t *c, size_t n, size_t **keep, size_t *nkeep,
                          size_t **held, size_t *nheld)
{
    int err;
    size_t *perm = NULL, h = (size_t)floor(c->data.test_fraction * (double)n + 0.5), a = 0, b = 0;
    unsigned char *out = NULL;
    *keep = *held = NULL;
    if (h == 0 || h >= n)
        return fc_err_set(FC_EDATA,
                          "%s: data.test_fraction = %g of %zu examples holds out %zu of them; the "
                          "test set and the clients both need examples",
                          c->data.train, c->data.test_fraction, n, h);
    FC_CALL(fc_alloc(n, sizeof *perm, &perm));
    FC_CALL(fc_calloc(n, 1, &out));
    FC_CALL(fc_alloc(n - h, sizeof **keep, keep));
    FC_CALL(fc_alloc(h, sizeof **held, held));
    fc_rng_t r;
    fc_rng_seed(&r, c->run.seed, HELD_GLOBAL, TAG_HELD_OUT);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    fc_rng_shuffle(&r, n, perm);
    for (size_t j = 0; j < h; j++)
        out[perm[j]] = 1;
    for (size_t i = 0; i < n; i++) {
        if (out[i])
            (*held)[a++] = i;
        else
            (*keep)[b++] = i;
    }
    *nheld = h;
    *nkeep = n - h;
cleanup:
    if (err) {
        fc_free(keep);
        fc_free(held);
    }
    fc_free(&perm);
    fc_free(&out);
    return err;
}

/* Partition the training examples (labels y of the n in the file; without those
 * data.test_fraction holds out) and build the rank's clients' blocks. */
static int split_whole(const fc_config_t *c, const double *y, size_t n, block_fn make,
                       const void *src, fc_shards_t *s)
{
    int err;
    size_t K = (size_t)c->partition.clients, *keep = NULL, *held = NULL, *rows = NULL;
    size_t nkeep = n, nheld = 0;
    double *ykeep = NULL;
    const double *yp = y;
    fc_partition_t *part = NULL;
    int classes = c->data.classes > 0 ? c->data.classes : max_class_of(y, n);
    if (c->data.test_fraction > 0) {
        FC_CALL(held_out_split(c, n, &keep, &nkeep, &held, &nheld));
        FC_CALL(fc_alloc(nkeep, sizeof *ykeep, &ykeep));
        FC_CALL(fc_alloc(nkeep, sizeof *rows, &rows));
        for (size_t i = 0; i < nkeep; i++)
            ykeep[i] = y[keep[i]];
        yp = ykeep;
    }
    switch (c->partition.scheme) {
    case FC_PART_IID:
        FC_CALL(fc_partition_iid(nkeep, K, c->run.seed, &part));
        break;
    case FC_PART_DIRICHLET:
        FC_CALL(
            fc_partition_dirichlet(yp, nkeep, classes, K, c->partition.alpha, c->run.seed, &part));
        break;
    case FC_PART_LABEL_GROUPS:
        FC_CALL(fc_partition_label_groups(yp, nkeep, &c->partition.groups, K, c->run.seed, &part));
        break;
    default:
        FC_FAIL(FC_EINVAL, "partition.scheme files needs a {k} path");
    }
    for (size_t k = s->lo; k < s->hi; k++) {
        const size_t *idx = part->index + part->offset[k];
        size_t cnt = part->offset[k + 1] - part->offset[k];
        if (keep) { /* positions among the kept examples -> rows of the file */
            for (size_t t = 0; t < cnt; t++)
                rows[t] = keep[idx[t]];
            idx = rows;
        }
        FC_CALL(make(src, idx, cnt, &s->block[k - s->lo]));
    }
cleanup:
    fc_partition_destroy(&part);
    fc_free(&keep);
    fc_free(&held);
    fc_free(&rows);
    fc_free(&ykeep);
    return err;
}

/* The held-out test set of data.test_fraction: the training file read again, and the
 * rows held_out_split picks. */
static int held_out_testset(const fc_config_t *c, fc_data_t **out)
{
    int err;
    fc_data_t *all = NULL;
    fc_idx_t *raw = NULL;
    size_t *keep = NULL, *held = NULL, nkeep, nheld;
    if (c->data.format == FC_FMT_IDX) {
        FC_CALL(fc_idx_read(c->data.train, 0, c->data.resize, (size_t)c->data.max_examples, &raw));
        FC_CALL(held_out_split(c, raw->n, &keep, &nkeep, &held, &nheld));
        FC_CALL(fc_idx_block(raw, held, nheld, out));
    } else {
        FC_CALL(read_file(c, c->data.train, &all));
        FC_CALL(held_out_split(c, all->n, &keep, &nkeep, &held, &nheld));
        FC_CALL(fc_data_subset(all, held, nheld, out));
    }
cleanup:
    fc_free(&keep);
    fc_free(&held);
    fc_data_destroy(&all);
    fc_idx_destroy(&raw);
    return err;
}

/* The whole file, then the rank's share. idx stays in bytes until a client's rows are
 * converted, so a rank holds the file at 1 byte a pixel plus its own clients' doubles. */
static int read_and_split(const fc_config_t *c, fc_shards_t *s, int classify)
{
    int err;
    fc_data_t *all = NULL;
    fc_idx_t *raw = NULL;
    if (c->data.format == FC_FMT_IDX) {
        FC_CALL(fc_idx_read(c->data.train, 0, c->data.resize, (size_t)c->data.max_examples, &raw));
        FC_CALL(split_whole(c, raw->y, raw->n, block_of_idx, raw, s));
        if (raw->p > s->p_raw) s->p_raw = raw->p;
        if (classify && max_class_of(raw->y, raw->n) > s->max_class)
            s->max_class = max_class_of(raw->y, raw->n);
    } else {
        FC_CALL(read_file(c, c->data.train, &all));
        FC_CALL(split_whole(c, all->y, all->n, block_of_data, all, s));
        if (all->p > s->p_raw) s->p_raw = all->p;
        if (classify && fc_data_max_class(all) > s->max_class)
            s->max_class = fc_data_max_class(all);
    }
cleanup:
    fc_data_destroy(&all);
    fc_idx_destroy(&raw);
    return err;
}

/* Width and classes of a block; its size counts only for a client's own block (work
 * buffers are sized by the largest client, not by the whole file). */
static void note_block(fc_shards_t *s, const fc_data_t *b, int classify, int own)
{
    if (b->p > s->p_raw) s->p_raw = b->p;
    if (own && b->n > s->max_n) s->max_n = b->n;
    if (classify) {
        int mc = fc_data_max_class(b);
        if (mc > s->max_class) s->max_class = mc;
    }
}

int fc_shards_load(const fc_config_t *c, size_t lo, size_t hi, fc_shards_t **out)
{
    int err = FC_OK;
    fc_shards_t *s = NULL;
    fc_label_rule_t rule = fc_dataset_label_rule(c);
    int classify = rule.kind == FC_LABEL_CLASS || rule.kind == FC_LABEL_BINARY;
    char path[FC_PATH_MAX];
    *out = NULL;
    FC_CALL(fc_calloc(1, sizeof *s, &s));
    s->lo = lo;
    s->hi = hi;
    FC_CALL(fc_calloc(hi - lo, sizeof *s->block, &s->block));
    if (c->data.format == FC_FMT_SYNTHETIC) {
        fc_synth_t sp = synth_params(c);
        for (size_t k = lo; k < hi; k++)
            FC_CALL(fc_data_synthetic(&sp, rule.kind, k, &s->block[k - lo]));
    } else if (c->partition.scheme == FC_PART_FILES) {
        for (size_t k = lo; k < hi; k++) {
            FC_CALL(fc_config_client_path(c, k, path, sizeof path));
            err = read_file(c, path, &s->block[k - lo]);
            if (err) {
                fc_err_prefix("client %zu: ", k);
                goto cleanup;
            }
            if (s->block[k - lo]->n == 0) FC_FAIL(FC_EDATA, "client %zu: %s: no examples", k, path);
        }
    } else if (hi > lo) {
        /* Every rank that hosts clients reads the whole file, so that the partition is the
         * same for any P; a rank without clients (the server when P > 1) reads nothing and
         * learns the data's width and classes from the others. */
        FC_CALL(read_and_split(c, s, classify));
    }
    for (size_t k = lo; k < hi; k++)
        note_block(s, s->block[k - lo], classify, 1);
    *out = s;
    s = NULL;
cleanup:
    fc_shards_destroy(&s);
    return err;
}

static int shape_block(fc_data_t *b, size_t p_raw, int classes, int bias, const char *what)
{
    int err;
    if (b->p < p_raw) FC_CALL(fc_data_pad(b, p_raw));
    if (bias) FC_CALL(fc_data_append_bias(b));
    if (classes > 0)
        for (size_t i = 0; i < b->n; i++)
            if (b->y[i] >= classes)
                FC_FAIL(FC_EDATA, "%s: example %zu has label %g but there are %d classes", what,
                        i + 1, b->y[i], classes);
cleanup:
    return err;
}

int fc_shards_finish(fc_shards_t *s, size_t p_raw, int classes, int bias)
{
    int err = FC_OK;
    char what[64];
    for (size_t k = s->lo; k < s->hi; k++) {
        snprintf(what, sizeof what, "client %zu", k);
        FC_CALL(shape_block(s->block[k - s->lo], p_raw, classes, bias, what));
    }
cleanup:
    return err;
}

void fc_shards_destroy(fc_shards_t **ps)
{
    fc_shards_t *s = ps ? *ps : NULL;
    if (!s) return;
    if (s->block)
        for (size_t k = s->lo; k < s->hi; k++)
            fc_data_destroy(&s->block[k - s->lo]);
    fc_free(&s->block);
    fc_free(ps);
}

int fc_testset_load(const fc_config_t *c, size_t p_raw, int classes, fc_data_t **out)
{
    int err = FC_OK;
    fc_data_t *t = NULL;
    fc_label_rule_t rule = fc_dataset_label_rule(c);
    *out = NULL;
    if (c->data.format == FC_FMT_SYNTHETIC) {
        fc_synth_t sp = synth_params(c);
        FC_CALL(fc_data_synthetic_test(&sp, rule.kind, (size_t)c->data.n_per_client * 4, &t));
    } else if (c->data.format == FC_FMT_IDX && c->data.test[0]) {
        FC_CALL(fc_data_read_idx(c->data.test, 1, c->data.resize, 0, &t));
    } else if (c->data.test_fraction > 0) {
        FC_CALL(held_out_testset(c, &t));
    } else if (c->data.test[0]) {
        fc_config_t tc = *c;
        tc.data.max_examples = 0;
        FC_CALL(read_file(&tc, c->data.test, &t));
        if (t->p > p_raw)
            FC_FAIL(FC_EDATA, "%s: the test set has %zu features, the training data %zu",
                    c->data.test, t->p, p_raw);
    } else {
        return FC_OK;
    }
    FC_CALL(shape_block(t, p_raw, classes, c->model.bias, "test set"));
    *out = t;
    t = NULL;
cleanup:
    fc_data_destroy(&t);
    return err;
}

/* INI text of the config as it would be for the written shards. */
struct ini_ctx {
    FILE *f;
    char section[32];
    const char *ext;
    const char *train_fmt;
    int has_test;
    const char *out_dir; /* the source config's output.dir, absolute */
};

static void ini_key(const char *section, const char *key, const char *value, void *vctx)
{
    struct ini_ctx *x = vctx;
    if (strcmp(x->section, section) != 0) {
        fprintf(x->f, "%s[%s]\n", x->section[0] ? "\n" : "", section);
        snprintf(x->section, sizeof x->section, "%s", section);
    }
    if (strcmp(section, "data") == 0 && strcmp(key, "train") == 0)
        fprintf(x->f, "train = client_{k}.%s\n", x->ext);
    else if (strcmp(section, "data") == 0 && strcmp(key, "format") == 0)
        fprintf(x->f, "format = %s\n", x->train_fmt);
    else if (strcmp(section, "data") == 0 && strcmp(key, "test") == 0)
        fprintf(x->f, x->has_test ? "test = test.%s\n" : "", x->ext);
    else if (strcmp(section, "data") == 0 && strcmp(key, "test_fraction") == 0)
        ; /* the held-out rows are test.<ext> now, and not in the clients' files */
    else if (strcmp(section, "data") == 0 && strcmp(key, "max_examples") == 0)
        fprintf(x->f, "max_examples = 0\n");
    else if (strcmp(section, "partition") == 0 && strcmp(key, "scheme") == 0)
        fprintf(x->f, "scheme = files\n");
    else if (strcmp(section, "partition") == 0 && strcmp(key, "groups") == 0)
        ; /* not used with files */
    else if (strcmp(section, "output") == 0 && strcmp(key, "dir") == 0)
        fprintf(x->f, "dir = %s\n", x->out_dir);
    else if (value[0] == '\0')
        ; /* unset optional key */
    else
        fprintf(x->f, "%s = %s\n", key, value);
}

/* The output folder the source config file names (not --out, which is the partition's
 * folder), made absolute since partition.ini lives elsewhere: relative paths in it would be
 * read from its own folder. */
static int source_output_dir(const fc_config_t *c, char *out, size_t size)
{
    int err;
    fc_config_t *src = NULL;
    char cwd[FC_PATH_MAX];
    FC_CALL(fc_alloc(1, sizeof *src, &src));
    if (c->source[0])
        FC_CALL(fc_config_load(c->source, src));
    else
        fc_config_defaults(src);
    const char *dir = src->output.dir;
    if (dir[0] == '/') {
        if (snprintf(out, size, "%s", dir) >= (int)size) FC_FAIL(FC_EIO, "%s: path too long", dir);
    } else {
        if (!getcwd(cwd, sizeof cwd))
            FC_FAIL(FC_EIO, "cannot name the current folder: %s", strerror(errno));
        if (snprintf(out, size, "%s/%s", cwd, dir) >= (int)size)
            FC_FAIL(FC_EIO, "%s/%s: path too long", cwd, dir);
    }
cleanup:
    fc_free(&src);
    return err;
}

static int write_ini(const fc_config_t *c, const char *dir, const char *ext, const char *fmt,
                     int has_test)
{
    char path[FC_PATH_MAX + 32], out_dir[FC_PATH_MAX];
    int err = source_output_dir(c, out_dir, sizeof out_dir);
    if (err) return err;
    /* inih reads lines of at most 198 characters: refuse what it could not read back. */
    if (strlen(out_dir) > 180)
        return fc_err_set(FC_EIO,
                          "%s/partition.ini: output.dir '%s' is too long for a config line; "
                          "use a shorter [output] dir",
                          dir, out_dir);
    snprintf(path, sizeof path, "%s/partition.ini", dir);
    FILE *f = fopen(path, "w");
    if (!f) return fc_err_set(FC_EIO, "%s: cannot write: %s", path, strerror(errno));
    struct ini_ctx x = {f, "", ext, fmt, has_test, out_dir};
    fprintf(f, "; written by fedpc partition: the same run, read back from one file per client\n");
    fc_config_visit(c, ini_key, &x);
    if (fclose(f) != 0) return fc_err_set(FC_EIO, "%s: write failed", path);
    return FC_OK;
}

int fc_partition_write(const fc_config_t *c, const char *dir)
{
    int err;
    fc_shards_t *s = NULL;
    fc_data_t *test = NULL;
    size_t K = (size_t)c->partition.clients;
    int libsvm = c->data.format == FC_FMT_LIBSVM;
    const char *ext = libsvm ? "svm" : "csv";
    char path[FC_PATH_MAX + 64];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return fc_err_set(FC_EIO, "%s: cannot create folder: %s", dir, strerror(errno));
    FC_CALL(fc_shards_load(c, 0, K, &s));
    /* Same width for every file so that the run reads the same p back. */
    FC_CALL(fc_shards_finish(s, s->p_raw, 0, 0));
    for (size_t k = 0; k < K; k++) {
        snprintf(path, sizeof path, "%s/client_%zu.%s", dir, k, ext);
        err = libsvm ? fc_data_write_libsvm(path, s->block[k], 0)
                     : fc_data_write_csv(path, s->block[k], 0);
        if (err) goto cleanup;
    }
    /* The test set travels too (without its bias column), so test metrics match. */
    FC_CALL(fc_testset_load(c, s->p_raw, c->data.classes, &test));
    if (test) {
        snprintf(path, sizeof path, "%s/test.%s", dir, ext);
        size_t drop = c->model.bias ? 1 : 0;
        err = libsvm ? fc_data_write_libsvm(path, test, drop) : fc_data_write_csv(path, test, drop);
        if (err) goto cleanup;
    }
    FC_CALL(write_ini(c, dir, ext, libsvm ? "libsvm" : "csv", test != NULL));
cleanup:
    fc_data_destroy(&test);
    fc_shards_destroy(&s);
    return err;
}
