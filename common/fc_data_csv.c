/* fc_data_csv.c — the csv reader (SPEC §6 "Data files"): "label,x1,...,xp" per line,
 * an optional header, strict numbers; every problem is reported as "PATH:LINE: ...". */
#include "fc_data.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "fc_file.h"
#include "fc_mem.h"

enum { NUM_OK, NUM_EMPTY, NUM_BAD, NUM_INF };

/* Longest piece of a bad field quoted back in a message. */
#define QUOTE_MAX 40

/* Parse the field [s, e) as one number with optional whitespace around it; the whole
 * field must be consumed. The C locale is assumed (no setlocale anywhere), so ',' can
 * never be part of a number and strtod stops at the separator. */
static int parse_field(const char *s, const char *e, double *out, const char **ts, int *tl)
{
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    *ts = s;
    *tl = (int)(e - s > QUOTE_MAX ? QUOTE_MAX : e - s);
    if (s == e) return NUM_EMPTY;
    char *end;
    double v = strtod(s, &end); /* ERANGE on underflow is fine: the result is finite */
    if (end != e) return NUM_BAD;
    if (!isfinite(v)) return NUM_INF;
    *out = v;
    return NUM_OK;
}

static int blank_line(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

static size_t count_fields(const char *s)
{
    size_t n = 1;
    for (; *s; s++)
        n += *s == ',';
    return n;
}

int fc_data_read_csv(const char *path, fc_label_rule_t rule, size_t max_examples, fc_data_t **out)
{
    int err = FC_OK;
    FILE *f = NULL;
    char *line = NULL;
    size_t lcap = 0, lineno = 0;
    ssize_t len;
    int seen_first = 0;
    size_t nfields = 0, ref_line = 0; /* fields per row and the line that fixed it */
    size_t header_line = 0;
    size_t n = 0, cap = 0, p = 0;
    double *X = NULL, *y = NULL;
    fc_data_t *d = NULL;
    *out = NULL;

    f = fopen(path, "r");
    if (!f) FC_FAIL(FC_EIO, "%s: cannot open: %s", path, strerror(errno));

    while (max_examples == 0 || n < max_examples) {
        FC_CALL(fc_next_text_line(f, path, FC_MAX_LINE, &line, &lcap, &lineno, &len));
        if (len == -1) break;
        if (lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            /* A UTF-8 byte-order mark (spreadsheet exports): not part of the first field,
             * which would otherwise pass for a header and silently lose the first row. */
            memmove(line, line + 3, (size_t)len - 2);
            len -= 3;
        }
        if (blank_line(line)) continue;
        size_t nf = count_fields(line);
        const char *s = line, *ts;
        int tl;
        double v;

        if (!seen_first) {
            /* SPEC §6: an optional header, recognised by a first field that is no number. */
            const char *c = strchr(line, ',');
            int r = parse_field(line, c ? c : line + len, &v, &ts, &tl);
            seen_first = 1;
            if (r == NUM_BAD || r == NUM_EMPTY) {
                header_line = lineno;
                nfields = nf;
                ref_line = lineno;
                continue;
            }
        }
        if (nfields == 0) {
            nfields = nf;
            ref_line = lineno;
        }
        if (nf != nfields) {
            FC_FAIL(FC_EDATA, "%s:%zu: expected %zu fields, got %zu (line %zu%s has %zu)", path,
                    lineno, nfields, nf, ref_line, ref_line == header_line ? ", the header," : "",
                    nfields);
        }
        if (n == cap) {
            /* Rows grow by doubling from about 1 MiB, so a very wide first row does not
             * reserve room for 256 more of its kind. */
            p = nfields - 1;
            size_t first = ((size_t)1 << 17) / (p ? p : 1);
            size_t ncap = cap ? 2 * cap : (first < 1 ? 1 : first > 256 ? 256 : first), np = 0;
            FC_CALL(fc_mul_size(ncap, p, &np));
            FC_CALL(fc_realloc(&X, np, sizeof(double)));
            FC_CALL(fc_realloc(&y, ncap, sizeof(double)));
            cap = ncap;
        }
        for (size_t j = 0; j < nfields; j++) {
            const char *e = strchr(s, ',');
            if (!e) e = line + len;
            switch (parse_field(s, e, &v, &ts, &tl)) {
            case NUM_EMPTY:
                FC_FAIL(FC_EDATA, "%s:%zu: field %zu is empty", path, lineno, j + 1);
            case NUM_BAD:
                FC_FAIL(FC_EDATA, "%s:%zu: field %zu ('%.*s') is not a number", path, lineno, j + 1,
                        tl, ts);
            case NUM_INF:
                FC_FAIL(FC_EDATA, "%s:%zu: field %zu ('%.*s') is not a finite number", path, lineno,
                        j + 1, tl, ts);
            default:
                break;
            }
            if (j == 0) {
                char why[96];
                if (fc_label_invalid(rule, v, why, sizeof why))
                    FC_FAIL(FC_EDATA, "%s:%zu: label %.*s: %s", path, lineno, tl, ts, why);
                y[n] = rule.kind != FC_LABEL_REAL && v == 0.0 ? 0.0 : v; /* no -0 class */
            } else {
                X[n * p + j - 1] = v;
            }
            s = e + 1;
        }
        n++;
    }
    if (ferror(f)) FC_FAIL(FC_EIO, "%s: read error: %s", path, strerror(errno));
    if (n == 0)
        FC_FAIL(FC_EDATA, "%s: no examples%s", path,
                header_line ? " (only a header line)" : " (empty file)");

    /* Trim the buffers to size and hand them over. */
    FC_CALL(fc_realloc(&X, n * p, sizeof(double)));
    FC_CALL(fc_realloc(&y, n, sizeof(double)));
    FC_CALL(fc_calloc(1, sizeof *d, &d));
    d->n = n;
    d->p = p;
    d->X = X;
    d->y = y;
    X = y = NULL;
    *out = d;
cleanup:
    fc_free(&X);
    fc_free(&y);
    free(line); /* fc_getline's buffer comes from malloc, not fc_alloc */
    if (f) fclose(f);
    return err;
}
