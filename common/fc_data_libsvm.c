/* fc_data_libsvm.c — the libsvm reader (SPEC §6 "Data files"): "label idx:val ..." with
 * 1-based strictly increasing indices. Rows are gathered sparse, then made dense once
 * the largest index (p) is known. Problems are reported as "PATH:LINE: ...". */
#include "fc_data.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fc_file.h"
#include "fc_mem.h"

#define QUOTE_MAX 40

/* A whitespace-free token [s, e) as one finite number: 0 ok, 1 not a number, 2 not finite. */
static int parse_number(const char *s, const char *e, double *out)
{
    char *end;
    if (s == e || isspace((unsigned char)*s)) return 1; /* strtod would skip spaces */
    double v = strtod(s, &end);
    if (end != e) return 1;
    if (!isfinite(v)) return 2;
    *out = v;
    return 0;
}

static int quote_len(const char *s, const char *e)
{
    return (int)(e - s > QUOTE_MAX ? QUOTE_MAX : e - s);
}

/* Sparse rows: entries [row[i], row[i+1]) of (col, val) belong to example i. */
typedef struct {
    size_t n, ncap, ne, ecap;
    size_t *row;
    uint32_t *col; /* 0-based */
    double *val;
    double *y;
} sparse_t;

static int sparse_push_entry(sparse_t *sp, uint32_t col, double val)
{
    int err = FC_OK;
    if (sp->ne == sp->ecap) {
        size_t c = sp->ecap ? 2 * sp->ecap : 4096;
        FC_CALL(fc_realloc(&sp->col, c, sizeof *sp->col));
        FC_CALL(fc_realloc(&sp->val, c, sizeof *sp->val));
        sp->ecap = c;
    }
    sp->col[sp->ne] = col;
    sp->val[sp->ne] = val;
    sp->ne++;
cleanup:
    return err;
}

static int sparse_push_row(sparse_t *sp, double y)
{
    int err = FC_OK;
    if (sp->n + 1 >= sp->ncap) {
        size_t c = sp->ncap ? 2 * sp->ncap : 256;
        FC_CALL(fc_realloc(&sp->row, c, sizeof *sp->row));
        FC_CALL(fc_realloc(&sp->y, c, sizeof *sp->y));
        sp->ncap = c;
        if (sp->n == 0) sp->row[0] = 0;
    }
    sp->y[sp->n] = y;
    sp->n++;
    sp->row[sp->n] = sp->ne;
cleanup:
    return err;
}

static void sparse_free(sparse_t *sp)
{
    fc_free(&sp->row);
    fc_free(&sp->col);
    fc_free(&sp->val);
    fc_free(&sp->y);
}

int fc_data_read_libsvm(const char *path, fc_label_rule_t rule, size_t max_examples,
                        fc_data_t **out)
{
    int err = FC_OK;
    FILE *f = NULL;
    char *line = NULL;
    size_t lcap = 0, lineno = 0, p = 0;
    size_t line_m1 = 0, line_0 = 0; /* binary: first lines with label -1 and 0 */
    ssize_t len;
    sparse_t sp = {0};
    fc_data_t *d = NULL;
    char why[96];
    *out = NULL;

    f = fopen(path, "r");
    if (!f) FC_FAIL(FC_EIO, "%s: cannot open: %s", path, strerror(errno));

    while (max_examples == 0 || sp.n < max_examples) {
        FC_CALL(fc_next_text_line(f, path, FC_MAX_LINE, &line, &lcap, &lineno, &len));
        if (len == -1) break;
        const char *s = line, *e;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s) continue; /* blank line */

        /* The label. */
        double y = 0.0;
        for (e = s; *e && !isspace((unsigned char)*e); e++) {
        }
        int r = parse_number(s, e, &y);
        if (r)
            FC_FAIL(FC_EDATA, "%s:%zu: label '%.*s' is not a %snumber", path, lineno,
                    quote_len(s, e), s, r == 2 ? "finite " : "");
        if (rule.kind == FC_LABEL_BINARY && (y == -1.0 || y == 0.0)) {
            /* libsvm's -1/+1 convention maps to 0/1; a file may not mix -1 and 0. */
            if (y == -1.0 && !line_m1) line_m1 = lineno;
            if (y == 0.0 && !line_0) line_0 = lineno;
            if (line_m1 && line_0)
                FC_FAIL(FC_EDATA,
                        "%s:%zu: label %.*s, but line %zu has label %s: binary labels are "
                        "either 0/1 or -1/+1, not both",
                        path, lineno, quote_len(s, e), s, y == 0.0 ? line_m1 : line_0,
                        y == 0.0 ? "-1" : "0");
            y = 0.0;
        }
        if (fc_label_invalid(rule, y, why, sizeof why))
            FC_FAIL(FC_EDATA, "%s:%zu: label %.*s: %s", path, lineno, quote_len(s, e), s, why);
        if (rule.kind != FC_LABEL_REAL && y == 0.0) y = 0.0; /* no -0 class */

        /* The features. */
        size_t prev = 0;
        for (s = e;;) {
            while (isspace((unsigned char)*s))
                s++;
            if (!*s) break;
            for (e = s; *e && !isspace((unsigned char)*e); e++) {
            }
            const char *colon = memchr(s, ':', (size_t)(e - s));
            if (!colon)
                FC_FAIL(FC_EDATA, "%s:%zu: '%.*s' is not index:value (missing ':')", path, lineno,
                        quote_len(s, e), s);
            /* The index: decimal digits only, capped before it can overflow. */
            size_t idx = 0;
            int big = 0;
            if (colon == s)
                FC_FAIL(FC_EDATA, "%s:%zu: '%.*s' has no index before ':'", path, lineno,
                        quote_len(s, e), s);
            for (const char *c = s; c < colon; c++) {
                if (!isdigit((unsigned char)*c))
                    FC_FAIL(FC_EDATA, "%s:%zu: index '%.*s' is not a positive integer", path,
                            lineno, quote_len(s, colon), s);
                if (!big) idx = 10 * idx + (size_t)(*c - '0');
                if (idx > FC_LIBSVM_MAX_FEATURES) big = 1;
            }
            if (big)
                FC_FAIL(FC_EDATA,
                        "%s:%zu: index %.*s is above the limit of %u features (dense rows are "
                        "allocated up to the largest index)",
                        path, lineno, quote_len(s, colon), s, FC_LIBSVM_MAX_FEATURES);
            if (idx == 0)
                FC_FAIL(FC_EDATA, "%s:%zu: index 0: libsvm indices start at 1", path, lineno);
            if (idx <= prev)
                FC_FAIL(FC_EDATA,
                        "%s:%zu: index %zu after index %zu: indices must be strictly increasing",
                        path, lineno, idx, prev);
            double v = 0.0;
            r = parse_number(colon + 1, e, &v);
            if (r)
                FC_FAIL(FC_EDATA, "%s:%zu: value '%.*s' of index %zu is not a %snumber", path,
                        lineno, quote_len(colon + 1, e), colon + 1, idx, r == 2 ? "finite " : "");
            FC_CALL(sparse_push_entry(&sp, (uint32_t)(idx - 1), v));
            if (idx > p) p = idx;
            prev = idx;
            s = e;
        }
        FC_CALL(sparse_push_row(&sp, y));
    }
    if (ferror(f)) FC_FAIL(FC_EIO, "%s: read error: %s", path, strerror(errno));
    if (sp.n == 0) FC_FAIL(FC_EDATA, "%s: no examples (empty file)", path);

    /* fedpc keeps data dense. A sparse file whose dense form is both over 1 GiB and over 64
     * times the file itself is a poor fit (and a few hostile lines with a huge index would
     * otherwise ask for terabytes): refuse it with the sizes rather than try. */
    struct stat st;
    double dense = (double)sp.n * (double)p * sizeof(double);
    double file = fstat(fileno(f), &st) == 0 ? (double)st.st_size : 0.0;
    if (dense > (double)(1u << 30) && dense > 64.0 * file)
        FC_FAIL(FC_EDATA,
                "%s: %zu examples x %zu features would take %.3g GiB as a dense matrix (fedpc "
                "keeps data dense; the file is %.3g MiB): use fewer features or examples",
                path, sp.n, p, dense / 1073741824.0, file / 1048576.0);
    if (fc_data_create(sp.n, p, &d) != FC_OK)
        FC_FAIL(FC_ENOMEM, "%s: %zu examples x %zu features do not fit in memory as a dense matrix",
                path, sp.n, p);
    for (size_t i = 0; i < sp.n; i++) {
        d->y[i] = sp.y[i];
        for (size_t t = sp.row[i]; t < sp.row[i + 1]; t++)
            d->X[i * p + sp.col[t]] = sp.val[t];
    }
    *out = d;
cleanup:
    sparse_free(&sp);
    free(line); /* fc_getline's buffer comes from malloc, not fc_alloc */
    if (f) fclose(f);
    return err;
}
