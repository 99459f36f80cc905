/* fc_testutil.c — helpers shared by the unit tests. */
#include "fc_testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double fc_test_relerr(size_t n, const double *a, const double *b)
{
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs(a[i] - b[i]);
        if (e > diff || isnan(e)) diff = isnan(e) ? INFINITY : e;
        if (fabs(b[i]) > scale) scale = fabs(b[i]);
    }
    return diff / (scale > 1e-300 ? scale : 1e-300);
}

void fc_test_randn(fc_rng_t *r, size_t n, double scale, double *x)
{
    for (size_t i = 0; i < n; i++)
        x[i] = scale * fc_rng_normal(r);
}

void fc_test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
}

void fc_test_tmpdir(char *buf, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, size, "%s/fedpc-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf)) {
        perror("mkdtemp");
        abort();
    }
}
