/* fc_testtool.c — independent checks for the integration tests (no fedpc code):
 *   fc_testtool csvcmp A B TOL [SKIPCOL...]   numeric CSV/text files agree to TOL relative
 *   fc_testtool linsolve CSV DELTA BETA BIAS [MU0]   θ* = (δI + βXᵀX)⁻¹(δμ₀ + βXᵀy) by Gaussian
 *                                             elimination (label first, then features; BIAS 1
 *                                             appends 1; μ₀ = MU0 in every coordinate, default 0)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_config.h"
#include "fc_testutil.h"

#define MAXLINE 65536
#define MAXP 512

static int is_skipped(const char *name, int nskip, char **skip)
{
    for (int i = 0; i < nskip; i++)
        if (strcmp(name, skip[i]) == 0) return 1;
    return 0;
}

/* Split a line into fields in place; returns the count. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ',') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

static int csvcmp(const char *a, const char *b, double tol, int nskip, char **skip)
{
    FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
    static char la[MAXLINE], lb[MAXLINE], hdr[MAXLINE];
    char *fa_[256], *fb_[256], *names[256];
    int nnames = 0, row = 0, bad = 0;
    double worst = 0.0;
    if (!fa || !fb) {
        fprintf(stderr, "csvcmp: cannot open %s or %s\n", a, b);
        return 2;
    }
    while (fgets(la, sizeof la, fa)) {
        if (!fgets(lb, sizeof lb, fb)) {
            fprintf(stderr, "csvcmp: %s has more lines than %s\n", a, b);
            return 1;
        }
        row++;
        int na = split(la, fa_, 256), nb = split(lb, fb_, 256);
        if (na != nb) {
            fprintf(stderr, "csvcmp: line %d: %d vs %d fields\n", row, na, nb);
            return 1;
        }
        char *end;
        strtod(fa_[0], &end);
        if (row == 1 && *end != '\0') { /* header: keep the names (la is reused) */
            for (int i = 0; i < na; i++)
                if (strcmp(fa_[i], fb_[i]) != 0) {
                    fprintf(stderr, "csvcmp: headers differ\n");
                    return 1;
                }
            size_t off = 0;
            for (int i = 0; i < na; i++) {
                size_t len = strlen(fa_[i]) + 1;
                memcpy(hdr + off, fa_[i], len);
                names[i] = hdr + off;
                off += len;
            }
            nnames = na;
            continue;
        }
        for (int i = 0; i < na; i++) {
            if (i < nnames && is_skipped(names[i], nskip, skip)) continue;
            if (fa_[i][0] == '\0' || fb_[i][0] == '\0') {
                if (fa_[i][0] != fb_[i][0]) {
                    fprintf(stderr, "csvcmp: line %d field %d: '%s' vs '%s'\n", row, i + 1, fa_[i],
                            fb_[i]);
                    bad = 1;
                }
                continue;
            }
            double x = strtod(fa_[i], NULL), y = strtod(fb_[i], NULL);
            double scale = fmax(fabs(x), fabs(y));
            double rel = scale > 0 ? fabs(x - y) / scale : 0.0;
            if (rel > worst) worst = rel;
            if ((rel > tol || isnan(x) != isnan(y)) && bad++ < 10) {
                fprintf(stderr, "csvcmp: line %d field %d (%s): %.17g vs %.17g (rel %.3g)\n", row,
                        i + 1, i < nnames ? names[i] : "?", x, y, rel);
            }
        }
    }
    if (fgets(lb, sizeof lb, fb)) {
        fprintf(stderr, "csvcmp: %s has more lines than %s\n", b, a);
        return 1;
    }
    fclose(fa);
    fclose(fb);
    printf("csvcmp: %s vs %s: %d lines, worst relative difference %.3g\n", a, b, row, worst);
    return bad != 0;
}

static int linsolve(const char *path, double delta, double beta, int bias, double mu0)
{
    static double A[MAXP * MAXP], r[MAXP];
    static char line[MAXLINE];
    char *f[MAXP];
    int p = -1;
    FILE *fp = fopen(path, "r");
    if (!fp) return 2;
    while (fgets(line, sizeof line, fp)) {
        int n = split(line, f, MAXP);
        char *end;
        double y = strtod(f[0], &end);
        if (*end) continue; /* header */
        double x[MAXP];
        int q = n - 1 + (bias ? 1 : 0);
        if (p < 0) p = q;
        for (int j = 0; j < n - 1; j++)
            x[j] = strtod(f[j + 1], NULL);
        if (bias) x[n - 1] = 1.0;
        for (int i = 0; i < p; i++) {
            r[i] += beta * x[i] * y;
            for (int j = 0; j < p; j++)
                A[i * p + j] += beta * x[i] * x[j];
        }
    }
    fclose(fp);
    for (int i = 0; i < p; i++) {
        A[i * p + i] += delta;
        r[i] += delta * mu0;
    }
    fc_test_gauss_solve((size_t)p, A, r);
    for (int i = 0; i < p; i++)
        printf("%.17g\n", r[i]);
    return 0;
}

int main(int argc, char **argv)
{
    char why[128];
    double tol, delta, beta, mu0 = 0.0;
    long long bias;
    if (argc >= 5 && strcmp(argv[1], "csvcmp") == 0 &&
        fc_parse_double(argv[4], &tol, why, sizeof why) == 0)
        return csvcmp(argv[2], argv[3], tol, argc - 5, argv + 5);
    if ((argc == 6 || argc == 7) && strcmp(argv[1], "linsolve") == 0 &&
        (argc == 6 || fc_parse_double(argv[6], &mu0, why, sizeof why) == 0) &&
        fc_parse_double(argv[3], &delta, why, sizeof why) == 0 &&
        fc_parse_double(argv[4], &beta, why, sizeof why) == 0 &&
        fc_parse_integer(argv[5], 0, 1, &bias, why, sizeof why) == 0)
        return linsolve(argv[2], delta, beta, (int)bias, mu0);
    fprintf(
        stderr,
        "usage: fc_testtool csvcmp A B TOL [SKIPCOL...] | linsolve CSV DELTA BETA BIAS [MU0]\n");
    return 2;
}
