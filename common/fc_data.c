/* fc_data.c — the fc_data_t block: creation, label rules, reshaping (pad, bias, subset)
 * and the csv/libsvm writers. The readers live in fc_data_{csv,libsvm,idx,synth}.c. */
#include "fc_data.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fc_mem.h"

int fc_data_create(size_t n, size_t p, fc_data_t **out)
{
    int err = FC_OK;
    fc_data_t *d = NULL;
    size_t np = 0;
    *out = NULL;
    FC_CALL(fc_calloc(1, sizeof *d, &d));
    FC_CALL(fc_mul_size(n, p, &np));
    FC_CALL(fc_calloc(np, sizeof(double), &d->X));
    FC_CALL(fc_calloc(n, sizeof(double), &d->y));
    d->n = n;
    d->p = p;
    *out = d;
    d = NULL;
cleanup:
    fc_data_destroy(&d);
    return err;
}

void fc_data_destroy(fc_data_t **d)
{
    if (!d || !*d) return;
    fc_free(&(*d)->X);
    fc_free(&(*d)->y);
    fc_free(d);
}

int fc_label_invalid(fc_label_rule_t rule, double y, char *why, size_t size)
{
    if (!isfinite(y)) {
        snprintf(why, size, "labels must be finite numbers");
        return 1;
    }
    switch (rule.kind) {
    case FC_LABEL_REAL:
        return 0;
    case FC_LABEL_BINARY:
        if (y == 0.0 || y == 1.0) return 0;
        snprintf(why, size, "binary labels must be 0 or 1");
        return 1;
    case FC_LABEL_CLASS:
        if (y < 0.0 || y != floor(y) || y >= (double)INT_MAX) {
            snprintf(why, size, "class labels must be integers 0, 1, 2, ...");
            return 1;
        }
        if (rule.classes > 0 && y >= (double)rule.classes) {
            snprintf(why, size, "class labels must be 0..%d (%d classes)", rule.classes - 1,
                     rule.classes);
            return 1;
        }
        return 0;
    }
    snprintf(why, size, "unknown label kind");
    return 1;
}

int fc_data_pad(fc_data_t *d, size_t p)
{
    int err = FC_OK;
    size_t old = d->p, np = 0;
    if (p < old) return fc_err_set(FC_EINVAL, "data: cannot pad %zu features down to %zu", old, p);
    if (p == old) return FC_OK;
    FC_CALL(fc_mul_size(d->n, p, &np));
    FC_CALL(fc_realloc(&d->X, np, sizeof(double)));
    /* Spread the rows out from the last one backwards, so no row is overwritten before
     * it has moved; memmove because row i's new and old places may overlap. */
    for (size_t i = d->n; i-- > 0;) {
        memmove(d->X + i * p, d->X + i * old, old * sizeof(double));
        for (size_t j = old; j < p; j++)
            d->X[i * p + j] = 0.0;
    }
    d->p = p;
cleanup:
    return err;
}

int fc_data_append_bias(fc_data_t *d)
{
    int err = fc_data_pad(d, d->p + 1);
    if (err) return err;
    for (size_t i = 0; i < d->n; i++)
        d->X[i * d->p + d->p - 1] = 1.0;
    return FC_OK;
}

int fc_data_subset(const fc_data_t *src, const size_t *idx, size_t n, fc_data_t **out)
{
    fc_data_t *d = NULL;
    int err = fc_data_create(n, src->p, &d);
    if (err) return err;
    for (size_t i = 0; i < n; i++) {
        assert(idx[i] < src->n);
        if (src->p) memcpy(d->X + i * src->p, src->X + idx[i] * src->p, src->p * sizeof(double));
        d->y[i] = src->y[idx[i]];
    }
    *out = d;
    return FC_OK;
}

int fc_data_max_class(const fc_data_t *d)
{
    double m = -1.0;
    for (size_t i = 0; i < d->n; i++)
        if (d->y[i] > m) m = d->y[i];
    if (m < 0.0) return 0;
    if (m >= (double)INT_MAX - 1.0) return INT_MAX;
    return (int)m + 1;
}

/* Writers ----------------------------------------------------------------------- */

typedef enum { WRITE_CSV, WRITE_LIBSVM } write_fmt_t;

static int write_rows(FILE *f, const fc_data_t *d, size_t p, write_fmt_t fmt)
{
    for (size_t i = 0; i < d->n; i++) {
        const double *x = d->X + i * d->p;
        if (fprintf(f, "%.17g", d->y[i]) < 0) return -1;
        for (size_t j = 0; j < p; j++) {
            int r;
            if (fmt == WRITE_CSV) {
                r = fprintf(f, ",%.17g", x[j]);
            } else {
                /* Sparse: skip +0 (but keep -0, and the last column so p survives). */
                if (x[j] == 0.0 && !signbit(x[j]) && j + 1 < p) continue;
                r = fprintf(f, " %zu:%.17g", j + 1, x[j]);
            }
            if (r < 0) return -1;
        }
        if (fputc('\n', f) == EOF) return -1;
    }
    return 0;
}

static int write_atomic(const char *path, const fc_data_t *d, size_t drop_cols, write_fmt_t fmt)
{
    int err = FC_OK;
    char *tmp = NULL;
    FILE *f = NULL;
    size_t len = strlen(path);
    if (drop_cols > d->p)
        return fc_err_set(FC_EINVAL, "%s: cannot drop %zu of %zu columns", path, drop_cols, d->p);
    FC_CALL(fc_alloc(len + 5, 1, &tmp));
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".tmp", 5);
    f = fopen(tmp, "w");
    if (!f) FC_FAIL(FC_EIO, "%s: cannot open: %s", tmp, strerror(errno));
    if (write_rows(f, d, d->p - drop_cols, fmt) != 0 || fflush(f) != 0 || ferror(f)) {
        int e = errno;
        fclose(f);
        f = NULL;
        remove(tmp);
        FC_FAIL(FC_EIO, "%s: write failed: %s", tmp, strerror(e));
    }
    if (fclose(f) != 0) {
        int e = errno;
        f = NULL;
        remove(tmp);
        FC_FAIL(FC_EIO, "%s: write failed: %s", tmp, strerror(e));
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        FC_FAIL(FC_EIO, "%s: cannot rename %s to it: %s", path, tmp, strerror(e));
    }
cleanup:
    if (f) fclose(f);
    fc_free(&tmp);
    return err;
}

int fc_data_write_csv(const char *path, const fc_data_t *d, size_t drop_cols)
{
    return write_atomic(path, d, drop_cols, WRITE_CSV);
}

int fc_data_write_libsvm(const char *path, const fc_data_t *d, size_t drop_cols)
{
    return write_atomic(path, d, drop_cols, WRITE_LIBSVM);
}
