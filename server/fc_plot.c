/* fc_plot.c — PNG plots of a run or a sweep (the SPEC §7 files): reads metrics.csv,
 * sweep.csv and summary.json, writes the data and a gnuplot script under dir/plot/ and
 * runs gnuplot on it (posix_spawnp, no shell); the drawing itself is gnuplot's. */
#include "fc_plot.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fc_config.h"
#include "fc_mem.h"

extern char **environ; /* libc's, handed to gnuplot unchanged */

enum { PATH_CAP = FC_PATH_MAX + 64, TITLE_CAP = 512 };
#define NPOS ((size_t)-1)
/* Objective gaps and gradient norms ≤ 0 (round-off below F(θ*), an exact optimum) are
 * drawn at this floor so the log scale holds; corrections ≤ 0 are left out instead. */
#define GAP_FLOOR 1e-16

/* ---------------------------------------------------------------- files and paths */

static int join_path(char *buf, const char *dir, const char *name)
{
    int n = snprintf(buf, PATH_CAP, "%s/%s", dir, name);
    if (n < 0 || n >= PATH_CAP) return fc_err_set(FC_EIO, "%s/%s: path too long", dir, name);
    return FC_OK;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The whole file, NUL-terminated, into *out (owned by the caller). */
static int read_text(const char *path, char **out)
{
    int err = FC_OK;
    size_t cap = 4096, len = 0;
    char *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return fc_err_set(FC_EIO, "%s: cannot read: %s", path, strerror(errno));
    FC_CALL(fc_alloc(cap, 1, &buf));
    while (!feof(f) && !ferror(f)) {
        if (cap - len < 2) {
            FC_CALL(fc_realloc(&buf, cap, 2));
            cap *= 2;
        }
        len += fread(buf + len, 1, cap - len - 1, f);
    }
    if (ferror(f)) FC_FAIL(FC_EIO, "%s: read failed", path);
    buf[len] = '\0';
    if (strlen(buf) != len) FC_FAIL(FC_EDATA, "%s: not a text file (NUL byte)", path);
    *out = buf;
    buf = NULL;
cleanup:
    fclose(f);
    fc_free(&buf);
    return err;
}

static int open_out(const char *dir, const char *name, FILE **out)
{
    char path[PATH_CAP];
    int err = join_path(path, dir, name);
    if (err) return err;
    *out = fopen(path, "w");
    if (!*out) return fc_err_set(FC_EIO, "%s: cannot write: %s", path, strerror(errno));
    return FC_OK;
}

static int close_out(FILE *f, const char *dir, const char *name)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0) bad = true;
    if (bad) return fc_err_set(FC_EIO, "%s/%s: write failed", dir, name);
    return FC_OK;
}

/* ---------------------------------------------------------------- CSV */

/* A CSV file cut into fields in place (no quoting: fedpc's writers never quote). */
typedef struct {
    char *text;   /* the file */
    char **cell;  /* (nrows + 1) x ncols pointers into text; row 0 is the header */
    size_t nrows; /* data rows */
    size_t ncols;
} csv_t;

static void csv_free(csv_t *t)
{
    fc_free(&t->text);
    fc_free(&t->cell);
    t->nrows = t->ncols = 0;
}

/* The next line (\n or \r\n ended), terminated in place; NULL at the end. */
static char *next_line(char **cur)
{
    char *s = *cur, *e;
    if (!*s) return NULL;
    e = strchr(s, '\n');
    if (e) {
        *e = '\0';
        *cur = e + 1;
    } else {
        *cur = s + strlen(s);
    }
    size_t n = strlen(s);
    if (n > 0 && s[n - 1] == '\r') s[n - 1] = '\0';
    return s;
}

static size_t count_fields(const char *s)
{
    size_t n = 1;
    for (; *s; s++)
        n += *s == ',';
    return n;
}

static void split_fields(char *line, size_t n, char **dst)
{
    for (size_t j = 0; j < n; j++) {
        dst[j] = line;
        char *c = strchr(line, ',');
        if (c) {
            *c = '\0';
            line = c + 1;
        }
    }
}

/* Split t->text; every line must have as many fields as the header (blank lines skipped). */
static int csv_split(const char *path, csv_t *t)
{
    int err = FC_OK;
    size_t cap = 1, lineno = 0, row = 0, cells;
    char *cur = t->text, *line;
    for (const char *p = t->text; *p; p++)
        cap += *p == '\n';
    while ((line = next_line(&cur)) != NULL) {
        lineno++;
        if (!*line) continue;
        size_t nf = count_fields(line);
        if (row == 0) {
            t->ncols = nf;
            FC_CALL(fc_mul_size(cap, nf, &cells));
            FC_CALL(fc_alloc(cells, sizeof(char *), &t->cell));
        } else if (nf != t->ncols) {
            FC_FAIL(FC_EDATA, "%s:%zu: %zu fields where the header has %zu", path, lineno, nf,
                    t->ncols);
        }
        split_fields(line, nf, t->cell + row * t->ncols);
        row++;
    }
    if (row == 0) FC_FAIL(FC_EDATA, "%s: empty file, no header", path);
    t->nrows = row - 1;
cleanup:
    return err;
}

static int csv_read(const char *path, csv_t *out)
{
    csv_t t = {0};
    int err = read_text(path, &t.text);
    if (!err) err = csv_split(path, &t);
    if (err) {
        csv_free(&t);
        return err;
    }
    *out = t;
    return FC_OK;
}

static size_t csv_col(const csv_t *t, const char *name)
{
    for (size_t j = 0; j < t->ncols; j++)
        if (strcmp(t->cell[j], name) == 0) return j;
    return NPOS;
}

/* Field (r, c) of the data rows (r = 0 is the first row after the header). */
static const char *csv_get(const csv_t *t, size_t r, size_t c)
{
    return t->cell[(r + 1) * t->ncols + c];
}

/* A field as a number; an empty field is NaN ("does not apply"). */
static bool parse_num(const char *s, double *out)
{
    char *end;
    if (!*s) {
        *out = NAN;
        return true;
    }
    double v = strtod(s, &end);
    if (end == s || *end) return false;
    *out = v;
    return true;
}

/* ---------------------------------------------------------------- runs */

enum { S_ROUND, S_OBJ, S_GRAD, S_CORR, S_NCOL };
static const char *const series_names[S_NCOL] = {"round", "objective", "grad_norm", "correction"};

/* The columns of one run's metrics.csv that are plotted, plus its reference objective. */
typedef struct {
    size_t n;              /* rows */
    double *buf;           /* S_NCOL x n */
    double *v[S_NCOL];     /* column views into buf */
    double theta_star;     /* F(θ*), NaN without a reference */
    char title[TITLE_CAP]; /* legend entry ("" = none) */
} curve_t;

static void curve_free(curve_t *c)
{
    fc_free(&c->buf);
    c->n = 0;
}

static int curve_fill(const char *path, const csv_t *t, curve_t *c)
{
    int err = FC_OK;
    size_t col[S_NCOL], total;
    for (int k = 0; k < S_NCOL; k++) {
        col[k] = csv_col(t, series_names[k]);
        if (col[k] == NPOS) FC_FAIL(FC_EDATA, "%s: no column '%s'", path, series_names[k]);
    }
    FC_CALL(fc_mul_size(t->nrows, S_NCOL, &total));
    FC_CALL(fc_alloc(total, sizeof(double), &c->buf));
    c->n = t->nrows;
    for (int k = 0; k < S_NCOL; k++)
        c->v[k] = c->buf + (size_t)k * t->nrows;
    for (size_t i = 0; i < t->nrows; i++)
        for (int k = 0; k < S_NCOL; k++)
            if (!parse_num(csv_get(t, i, col[k]), &c->v[k][i]))
                FC_FAIL(FC_EDATA, "%s: data row %zu: %s '%s' is not a number", path, i + 1,
                        series_names[k], csv_get(t, i, col[k]));
cleanup:
    return err;
}

static int load_metrics(const char *path, curve_t *c)
{
    csv_t t = {0};
    int err = csv_read(path, &t);
    if (!err) err = curve_fill(path, &t, c);
    if (err) curve_free(c);
    csv_free(&t);
    return err;
}

/* dir/summary.json into *out, or *out = NULL when there is none (a run that never
 * started writes none). */
static int load_summary(const char *dir, cJSON **out)
{
    char path[PATH_CAP], *text = NULL;
    int err = join_path(path, dir, "summary.json");
    *out = NULL;
    if (err || !file_exists(path)) return err;
    err = read_text(path, &text);
    if (err) return err;
    *out = cJSON_Parse(text);
    fc_free(&text);
    if (!*out) return fc_err_set(FC_EDATA, "%s: not valid JSON", path);
    return FC_OK;
}

static double json_num(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* A number from the config echo ("config": {section: {key: number}}, or "text" as older
 * folders have it), NaN if absent. */
static double config_num(const cJSON *sum, const char *section, const char *key)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(sum, "config");
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(cfg, section);
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(sec, key);
    if (cJSON_IsNumber(it)) return it->valuedouble;
    const char *s = json_str(sec, key);
    double v;
    if (!s || !parse_num(s, &v)) return NAN;
    return v;
}

/* One run folder: its metrics (none when metrics.csv is missing) and F(θ*). */
static int load_run(const char *dir, curve_t *c, cJSON **sum)
{
    char path[PATH_CAP];
    int err = join_path(path, dir, "metrics.csv");
    c->theta_star = NAN;
    if (!err) err = load_summary(dir, sum);
    if (err) return err;
    if (*sum) c->theta_star = json_num(*sum, "theta_star_objective");
    if (!file_exists(path)) return FC_OK;
    return load_metrics(path, c);
}

/* ---------------------------------------------------------------- gnuplot */

/* s as a gnuplot single-quoted string: no escapes but '' for a quote; line breaks
 * (which would end the command) become spaces. */
static void put_sq(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    }
    fputc('\'', f);
}

/* A data value; non-finite ones are gnuplot's missing-data mark. */
static void put_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputc('?', f);
}

/* Terminal (pngcairo, else png), working folder dir/plot, output png_tmp there. */
static void put_preamble(FILE *f, const char *plotdir, const char *png_tmp)
{
    fputs("# written by fedpc (fc_plot.c); run again with: gnuplot <this file>\n"
          "set encoding utf8\n"
          "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
          "    set terminal pngcairo noenhanced size 1000,700 font 'Sans,10'\n"
          "} else {\n"
          "    set terminal png noenhanced size 1000,700\n"
          "}\n"
          "cd ",
          f);
    put_sq(f, plotdir);
    fprintf(f, "\nset output '%s'\nset datafile missing '?'\n", png_tmp);
}

static void last_line(const char *path, char *buf, size_t size)
{
    char *text = NULL, *cur, *line;
    buf[0] = '\0';
    if (read_text(path, &text) != FC_OK) return;
    cur = text;
    while ((line = next_line(&cur)) != NULL)
        if (*line) snprintf(buf, size, "%s", line);
    fc_free(&text);
}

static int spawn_gnuplot(const char *script, const char *log, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    char arg[PATH_CAP + 2];
    /* "./" keeps a relative path that starts with '-' from being read as an option */
    snprintf(arg, sizeof arg, "%s%s", script[0] == '-' ? "./" : "", script);
    char *argv[] = {"gnuplot", arg, NULL};
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc) return fc_err_set(FC_EIO, "cannot start gnuplot: %s", strerror(rc));
    rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!rc) rc = posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (!rc) rc = posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (!rc) rc = posix_spawnp(pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc == ENOENT) return fc_err_set(FC_EIO, "gnuplot not found (apt-get install gnuplot-nox)");
    if (rc) return fc_err_set(FC_EIO, "cannot start gnuplot on %s: %s", script, strerror(rc));
    return FC_OK;
}

/* Run `gnuplot plotdir/name.gp` (output into name.log there) and move plotdir/name.png.tmp
 * to dir/name.png. FC_EIO when gnuplot is missing or fails. */
static int run_gnuplot(const char *dir, const char *plotdir, const char *name)
{
    char script[PATH_CAP], log[PATH_CAP], tmp[PATH_CAP], png[PATH_CAP], file[64], msg[256];
    int err, status;
    pid_t pid;
    snprintf(file, sizeof file, "%s.gp", name);
    FC_CALL(join_path(script, plotdir, file));
    snprintf(file, sizeof file, "%s.log", name);
    FC_CALL(join_path(log, plotdir, file));
    snprintf(file, sizeof file, "%s.png.tmp", name);
    FC_CALL(join_path(tmp, plotdir, file));
    snprintf(file, sizeof file, "%s.png", name);
    FC_CALL(join_path(png, dir, file));
    FC_CALL(spawn_gnuplot(script, log, &pid));
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) FC_FAIL(FC_EIO, "waiting for gnuplot: %s", strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        FC_FAIL(FC_EIO, "gnuplot not found (apt-get install gnuplot-nox)");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        last_line(log, msg, sizeof msg);
        FC_FAIL(FC_EIO, "gnuplot failed on %s: %s (see %s)", script, msg, log);
    }
    if (rename(tmp, png) != 0) FC_FAIL(FC_EIO, "%s: cannot rename: %s", png, strerror(errno));
cleanup:
    return err;
}

/* ---------------------------------------------------------------- convergence.png */

typedef struct {
    const char *dir;     /* the run or sweep folder */
    char plot[PATH_CAP]; /* dir/plot: data, scripts, gnuplot logs */
    char abs[PATH_CAP];  /* the same, absolute, for the scripts' cd (rerunnable anywhere) */
} plot_ctx_t;

/* Curves beyond this many get no legend (it would cover the panels). */
#define MAX_LEGEND 24

/* What the convergence script needs to know about its data. */
typedef struct {
    bool use_gap;    /* objective gap (every curve has F(θ*)) or ‖∇F‖ */
    bool legend;     /* some curve has a title */
    size_t count[2]; /* drawable points per panel */
    size_t drawn;    /* curves with rows */
    size_t titled;   /* curves with a legend entry */
    size_t maxn;     /* most rows in one curve */
    double xlo, xhi; /* round range, shared by both panels */
} conv_info_t;

/* Gap (or ‖∇F‖) and correction of row i as drawn on a log scale. */
static void curve_point(const curve_t *c, size_t i, bool use_gap, double *y, double *corr)
{
    *y = use_gap ? c->v[S_OBJ][i] - c->theta_star : c->v[S_GRAD][i];
    if (*y < GAP_FLOOR) *y = GAP_FLOOR; /* NaN stays NaN: missing */
    *corr = c->v[S_CORR][i] > 0.0 ? c->v[S_CORR][i] : NAN;
}

static void conv_info_init(const curve_t *c, size_t n, conv_info_t *in)
{
    memset(in, 0, sizeof *in);
    in->xlo = INFINITY;
    in->xhi = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        if (c[k].n == 0) continue;
        in->use_gap =
            in->drawn == 0 ? isfinite(c[k].theta_star) : in->use_gap && isfinite(c[k].theta_star);
        in->legend = in->legend || c[k].title[0];
        in->drawn++;
        in->titled += c[k].title[0] != '\0';
        if (c[k].n > in->maxn) in->maxn = c[k].n;
    }
}

/* One block per curve with rows (round, y, correction); counts the drawable points. */
static void write_curves(FILE *f, const curve_t *c, size_t n, conv_info_t *in)
{
    double y, corr, x;
    for (size_t k = 0; k < n; k++) {
        if (c[k].n == 0) continue;
        for (size_t i = 0; i < c[k].n; i++) {
            x = c[k].v[S_ROUND][i];
            curve_point(&c[k], i, in->use_gap, &y, &corr);
            if (isfinite(x) && (isfinite(y) || isfinite(corr))) {
                in->xlo = fmin(in->xlo, x);
                in->xhi = fmax(in->xhi, x);
            }
            in->count[0] += isfinite(y) && isfinite(x);
            in->count[1] += isfinite(corr) && isfinite(x);
            put_num(f, x);
            fputc(' ', f);
            put_num(f, y);
            fputc(' ', f);
            put_num(f, corr);
            fputc('\n', f);
        }
        fputs("\n\n", f);
    }
}

/* Colour of curve k of n: eight distinct colours (matplotlib's tab10 minus grey and
 * olive), a palette beyond. */
static void put_colour(FILE *f, size_t k, size_t n)
{
    static const char *const tab10[8] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                         "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    if (n <= 8)
        fprintf(f, "lc rgb '%s'", tab10[k]);
    else
        fprintf(f, "lc palette frac %.4f", n > 1 ? (double)k / (double)(n - 1) : 0.0);
}

static void put_placeholder(FILE *f)
{
    fputs("unset logscale y\nset yrange [0:1]\nunset ytics\n"
          "set label 1 'no data' at graph 0.5, graph 0.5 center\nplot 2 notitle\n"
          "unset label 1\nset ytics\nset yrange [*:*]\nset logscale y\n",
          f);
}

/* One panel: column col of every curve with rows, or a "no data" placeholder. */
static void put_panel(FILE *f, const curve_t *c, size_t n, int col, const char *ylabel,
                      const conv_info_t *in)
{
    size_t k = 0;
    fputs("set ylabel ", f);
    put_sq(f, ylabel);
    fputc('\n', f);
    if (in->count[col - 2] == 0) {
        put_placeholder(f);
        return;
    }
    fputs("plot ", f);
    for (size_t j = 0; j < n; j++) {
        if (c[j].n == 0) continue;
        fprintf(f, "%s'convergence.dat' index %zu using 1:%d with %s lw 1.5 ",
                k ? ", \\\n    " : "", k, col,
                in->maxn <= 60 ? "linespoints pt 7 ps 0.5" : "lines");
        put_colour(f, k, in->drawn);
        fputc(' ', f);
        if (c[j].title[0]) {
            fputs("title ", f);
            put_sq(f, c[j].title);
        } else {
            fputs("notitle", f);
        }
        k++;
    }
    fputc('\n', f);
}

/* Two panels sharing the x range; a legend (sweeps) stands right of both. */
static void put_convergence_script(FILE *f, const plot_ctx_t *p, const curve_t *c, size_t n,
                                   const char *title, const conv_info_t *in)
{
    double lo = in->xlo, hi = in->xhi;
    if (!(lo < hi)) {
        lo = isfinite(lo) ? lo - 1 : 0;
        hi = isfinite(hi) ? hi + 1 : 1;
    }
    put_preamble(f, p->abs, "convergence.png.tmp");
    fputs("set multiplot layout 2,1 title ", f);
    put_sq(f, title);
    fprintf(f,
            "\nset logscale y\nset format y '%%.0e'\nset grid\nset xlabel 'round'\n"
            "set xrange [%.17g:%.17g]\nset palette rgbformulae 33,13,10\nunset colorbox\n",
            lo, hi);
    if (in->legend && in->titled <= MAX_LEGEND)
        fputs("set lmargin at screen 0.09\nset rmargin at screen 0.70\n"
              "set key at screen 0.99, screen 0.93 right top Right font ',8' maxrows 60\n",
              f);
    else if (in->legend) /* one colour per run still; the values are in sweep.csv */
        fprintf(f,
                "unset key\nset label 99 '%zu runs: too many for a legend (see sweep.csv)' "
                "at screen 0.5, screen 0.955 center font ',9'\n",
                in->titled);
    else
        fputs("unset key\n", f);
    put_panel(f, c, n, 2,
              in->use_gap ? "objective gap F(m_t) − F(θ*)" : "‖∇F(m_t)‖ (no reference θ*)", in);
    fputs("unset key\n", f);
    put_panel(f, c, n, 3, "correction", in);
    fputs("unset multiplot\nset output\n", f);
}

/* convergence.png for the curves c[0..n-1] (those with no rows are skipped). The gap is
 * drawn when every curve has F(θ*), ‖∇F‖ otherwise. */
static int plot_convergence(const plot_ctx_t *p, const curve_t *c, size_t n, const char *title)
{
    conv_info_t in;
    FILE *f = NULL;
    int err;
    conv_info_init(c, n, &in);
    FC_CALL(open_out(p->plot, "convergence.dat", &f));
    write_curves(f, c, n, &in);
    err = close_out(f, p->plot, "convergence.dat");
    f = NULL;
    FC_CALL(err);
    FC_CALL(open_out(p->plot, "convergence.gp", &f));
    put_convergence_script(f, p, c, n, title, &in);
    err = close_out(f, p->plot, "convergence.gp");
    f = NULL;
    FC_CALL(err);
    FC_CALL(run_gnuplot(p->dir, p->plot, "convergence"));
cleanup:
    if (f) fclose(f);
    return err;
}

static int make_plot_dir(plot_ctx_t *p, const char *dir)
{
    int err = join_path(p->plot, dir, "plot");
    p->dir = dir;
    if (err) return err;
    if (mkdir(p->plot, 0777) != 0 && errno != EEXIST)
        return fc_err_set(FC_EIO, "%s: cannot create folder: %s", p->plot, strerror(errno));
    char cwd[PATH_CAP];
    if (p->plot[0] != '/' && getcwd(cwd, sizeof cwd)) return join_path(p->abs, cwd, p->plot);
    memcpy(p->abs, p->plot, sizeof p->abs);
    return FC_OK;
}

/* ---------------------------------------------------------------- a run */

static int plot_run(const char *dir)
{
    plot_ctx_t p;
    curve_t c = {0};
    cJSON *sum = NULL;
    char title[TITLE_CAP];
    int err;
    FC_CALL(make_plot_dir(&p, dir));
    FC_CALL(load_run(dir, &c, &sum));
    const char *status = sum ? json_str(sum, "status") : NULL;
    snprintf(title, sizeof title, "%s — %s, %zu rows", dir, status ? status : "no summary", c.n);
    FC_CALL(plot_convergence(&p, &c, 1, title));
cleanup:
    curve_free(&c);
    cJSON_Delete(sum);
    return err;
}

/* ---------------------------------------------------------------- a sweep */

/* sweep.csv: the varied keys are the columns before "status". */
typedef struct {
    csv_t t;
    size_t nkeys;
    size_t c_status, c_tol, c_dir, c_trend; /* c_trend may be NPOS */
} sweep_t;

static int sweep_read(const char *path, sweep_t *s)
{
    int err;
    FC_CALL(csv_read(path, &s->t));
    s->c_status = csv_col(&s->t, "status");
    s->c_tol = csv_col(&s->t, "rounds_to_tol");
    s->c_dir = csv_col(&s->t, "dir");
    s->c_trend = csv_col(&s->t, "trend");
    if (s->c_status == NPOS || s->c_tol == NPOS || s->c_dir == NPOS)
        FC_FAIL(FC_EDATA, "%s: not a sweep table (needs columns status, rounds_to_tol, dir)", path);
    s->nkeys = s->c_status;
cleanup:
    return err;
}

/* The key's name without its section, unless another key has the same short name. */
static const char *key_label(const sweep_t *s, size_t j)
{
    const char *a = strrchr(s->t.cell[j], '.');
    a = a ? a + 1 : s->t.cell[j];
    for (size_t i = 0; i < s->nkeys; i++) {
        const char *b = strrchr(s->t.cell[i], '.');
        if (i != j && strcmp(a, b ? b + 1 : s->t.cell[i]) == 0) return s->t.cell[j];
    }
    return a;
}

/* Append "name=value" pairs for one --vary column; zipped keys ("a.x+b.y" with values
 * "1+2") become one pair per key, each named by its short name ("x=1 y=2"). */
static size_t append_pairs(char *buf, size_t len, size_t size, const char *keys, const char *values,
                           int full_names)
{
    const char *k = keys, *v = values;
    while (*k && len < size) {
        size_t kl = strcspn(k, "+"), vl = strcspn(v, "+");
        const char *name = k;
        if (!full_names)
            for (const char *q = k; q < k + kl; q++)
                if (*q == '.') name = q + 1;
        len += (size_t)snprintf(buf + len, size - len, "%s%.*s=%.*s", len ? " " : "",
                                (int)(k + kl - name), name, (int)vl, v);
        k += kl + (k[kl] == '+');
        v += vl + (v[vl] == '+');
    }
    return len < size ? len : size - 1;
}

/* Legend entry of sweep row r: "penalty=0.1 damping=1", plus the status if not clean. */
static void row_title(const sweep_t *s, size_t r, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < s->nkeys && len < size; j++)
        len = append_pairs(buf, len, size, s->t.cell[j], csv_get(&s->t, r, j),
                           key_label(s, j) == s->t.cell[j]);
    const char *st = csv_get(&s->t, r, s->c_status);
    if (len < size && strcmp(st, "converged") != 0 && strcmp(st, "max_rounds") != 0)
        snprintf(buf + len, size - len, " (%s)", st);
}

/* Load every run of the sweep (runs without metrics.csv get no rows). */
static int sweep_curves(const char *dir, const sweep_t *s, curve_t *c)
{
    char run[PATH_CAP];
    int err = FC_OK;
    for (size_t r = 0; r < s->t.nrows; r++) {
        cJSON *sum = NULL;
        const char *sub = csv_get(&s->t, r, s->c_dir);
        c[r].theta_star = NAN;
        row_title(s, r, c[r].title, sizeof c[r].title);
        if (!*sub) continue;
        FC_CALL(join_path(run, dir, sub));
        err = load_run(run, &c[r], &sum);
        cJSON_Delete(sum);
        FC_CALL(err);
    }
cleanup:
    return err;
}

static int plot_sweep_convergence(const plot_ctx_t *p, const sweep_t *s)
{
    curve_t *c = NULL;
    char title[TITLE_CAP];
    int err;
    FC_CALL(fc_calloc(s->t.nrows, sizeof *c, &c));
    FC_CALL(sweep_curves(p->dir, s, c));
    size_t empty = 0;
    for (size_t r = 0; r < s->t.nrows; r++)
        empty += c[r].n == 0;
    int len = snprintf(title, sizeof title, "%s — sweep of %zu runs", p->dir, s->t.nrows);
    if (empty && len > 0 && (size_t)len < sizeof title)
        snprintf(title + len, sizeof title - (size_t)len, " (%zu without metrics)", empty);
    FC_CALL(plot_convergence(p, c, s->t.nrows, title));
cleanup:
    for (size_t r = 0; c && r < s->t.nrows; r++)
        curve_free(&c[r]);
    fc_free(&c);
    return err;
}

/* ---------------------------------------------------------------- stability.png */

enum { CELL_TOL, CELL_MAX, CELL_DIV, CELL_OTHER, CELL_NKIND };

/* The two-key grid: axis 0 (x) and 1 (y) with their distinct values in sweep order. */
typedef struct {
    size_t key[2];       /* sweep.csv column on each axis */
    size_t n[2];         /* distinct values per axis */
    const char **val[2]; /* the values (borrowed from the csv) */
    size_t *pos;         /* 2 per sweep row: x index, y index */
} grid_t;

static void grid_free(grid_t *g)
{
    fc_free(&g->val[0]);
    fc_free(&g->val[1]);
    fc_free(&g->pos);
}

static int grid_build(const sweep_t *s, grid_t *g)
{
    int err;
    /* the penalty goes on x, so ρ = 2δ/K is a vertical line */
    bool swap = strcmp(s->t.cell[1], "algorithm.penalty") == 0;
    g->key[0] = swap ? 1 : 0;
    g->key[1] = swap ? 0 : 1;
    FC_CALL(fc_calloc(s->t.nrows, sizeof(char *), &g->val[0]));
    FC_CALL(fc_calloc(s->t.nrows, sizeof(char *), &g->val[1]));
    FC_CALL(fc_calloc(s->t.nrows, 2 * sizeof(size_t), &g->pos));
    for (size_t r = 0; r < s->t.nrows; r++)
        for (int a = 0; a < 2; a++) {
            const char *v = csv_get(&s->t, r, g->key[a]);
            size_t i = 0;
            while (i < g->n[a] && strcmp(g->val[a][i], v) != 0)
                i++;
            if (i == g->n[a]) g->val[a][g->n[a]++] = v;
            g->pos[2 * r + (size_t)a] = i;
        }
cleanup:
    return err;
}

static int cell_kind(const sweep_t *s, size_t r, double *tol)
{
    const char *st = csv_get(&s->t, r, s->c_status);
    if (strcmp(st, "diverged") == 0) return CELL_DIV;
    if (parse_num(csv_get(&s->t, r, s->c_tol), tol) && isfinite(*tol) && *tol >= 0) return CELL_TOL;
    if (strcmp(st, "max_rounds") == 0) return CELL_MAX;
    return CELL_OTHER;
}

/* Where ρ = 2δ/K falls on the categorical penalty axis. */
typedef struct {
    size_t rows;   /* y rows where it could be placed */
    double rho;    /* its value (the last computed), NaN if none */
    bool constant; /* the same ρ on every row */
    double top_x;  /* x of the top-most placed row, for the label */
    double top_y;
} rho_line_t;

/* max |step| / min |step| of p (in log space when logsp): 1 for even spacing. */
static double step_spread(const double *p, size_t n, bool logsp)
{
    double lo = INFINITY, hi = 0.0;
    for (size_t i = 0; i + 1 < n; i++) {
        double d = logsp ? fabs(log(p[i + 1]) - log(p[i])) : fabs(p[i + 1] - p[i]);
        lo = fmin(lo, d);
        hi = fmax(hi, d);
    }
    return hi / lo;
}

/* Log-interpolate when every value is positive and the steps are more even in log space
 * (two values: when they differ by a factor 4 or more). */
static bool looks_log_spaced(const double *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(p[i] > 0.0)) return false;
    if (n < 2) return false;
    if (n == 2) return fmax(p[0], p[1]) / fmin(p[0], p[1]) >= 4.0;
    return step_spread(p, n, true) <= step_spread(p, n, false);
}

/* Categorical position of v among p[0..n-1] (sweep order), interpolated between
 * neighbours; false when no neighbouring pair brackets v. */
static bool axis_position(const double *p, size_t n, bool logsp, double v, double *pos)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == v) {
            *pos = (double)i;
            return true;
        }
    for (size_t i = 0; i + 1 < n; i++) {
        double a = logsp ? log(p[i]) : p[i], b = logsp ? log(p[i + 1]) : p[i + 1];
        double t = logsp ? log(v) : v;
        if ((t - a) * (t - b) < 0.0) {
            *pos = (double)i + (t - a) / (b - a);
            return true;
        }
    }
    return false;
}

/* Does Tseng's bound apply to this run? AMA, and FPC-iso (the same iterates, SPEC §3.1). */
static bool tseng_applies(const cJSON *sum)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(sum, "config");
    const char *name = json_str(cJSON_GetObjectItemCaseSensitive(cfg, "algorithm"), "name");
    const char *fam = json_str(cJSON_GetObjectItemCaseSensitive(cfg, "algorithm"), "family");
    if (!name) return false;
    return strcmp(name, "ama") == 0 || (strcmp(name, "fpc") == 0 && fam && strcmp(fam, "iso") == 0);
}

/* Tseng's bound αρ < 2δ/K as a penalty for y row j: ρ = 2δ/(αK), from the first run of that
 * row with a summary.json (α = 1 gives SPEC §3.4's ρ = 2δ/K); NaN where it does not apply. */
static int row_rho(const char *dir, const sweep_t *s, const grid_t *g, size_t j, double *rho)
{
    char run[PATH_CAP];
    int err = FC_OK;
    *rho = NAN;
    for (size_t r = 0; r < s->t.nrows && isnan(*rho); r++) {
        cJSON *sum = NULL;
        const char *sub = csv_get(&s->t, r, s->c_dir);
        if (g->pos[2 * r + 1] != j || !*sub) continue;
        FC_CALL(join_path(run, dir, sub));
        FC_CALL(load_summary(run, &sum));
        double delta = config_num(sum, "model", "prior_precision");
        double K = config_num(sum, "partition", "clients");
        double alpha = config_num(sum, "algorithm", "damping");
        if (tseng_applies(sum) && delta > 0 && K >= 1 && alpha > 0)
            *rho = 2.0 * delta / (alpha * K);
        cJSON_Delete(sum);
    }
cleanup:
    return err;
}

/* The ρ line as a staircase: in y row j it is vertical at x_j over [j − ½, j + ½]; a row
 * where it cannot be placed breaks the line. Written as one data block. */
static int write_rho_line(FILE *f, const char *dir, const sweep_t *s, const grid_t *g,
                          const double *pen, bool logsp, rho_line_t *L)
{
    int err = FC_OK;
    double rho, x, first = NAN;
    L->rows = 0;
    L->rho = NAN;
    L->constant = true;
    for (size_t j = 0; j < g->n[1]; j++) {
        FC_CALL(row_rho(dir, s, g, j, &rho));
        if (isnan(rho)) continue;
        if (isnan(first)) first = rho;
        L->constant = L->constant && rho == first;
        L->rho = rho;
        if (!axis_position(pen, g->n[0], logsp, rho, &x)) {
            fputc('\n', f);
            continue;
        }
        fprintf(f, "%.17g %.17g\n%.17g %.17g\n", x, (double)j - 0.5, x, (double)j + 0.5);
        L->rows++;
        L->top_x = x;
        L->top_y = (double)j + 0.5;
    }
cleanup:
    return err;
}

/* The x axis values as numbers, when they are all numbers. */
static bool axis_numbers(const grid_t *g, double *out)
{
    for (size_t i = 0; i < g->n[0]; i++)
        if (!parse_num(g->val[0][i], &out[i]) || !isfinite(out[i])) return false;
    return true;
}

typedef struct {
    int block[CELL_NKIND + 1]; /* data block index per cell kind and the ρ line, −1 = none */
    double tol_lo, tol_hi;     /* range of rounds_to_tol */
    rho_line_t rho;
    bool has_rho; /* the x key is algorithm.penalty */
    double pen_lo, pen_hi;
    bool label_left; /* the line is in the right half: its label goes left of it */
} stab_info_t;

/* The trend of a max_rounds row as one plain word for the data file, "-" if none. */
static const char *trend_word(const sweep_t *s, size_t r)
{
    const char *w = s->c_trend == NPOS ? "" : csv_get(&s->t, r, s->c_trend);
    for (const char *c = w; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || *c == '_')) return "-";
    return *w ? w : "-";
}

/* One block per non-empty cell kind: x y [rounds_to_tol | trend]. */
static void write_cells(FILE *f, const sweep_t *s, const grid_t *g, stab_info_t *info, int *nblock)
{
    info->tol_lo = INFINITY;
    info->tol_hi = -INFINITY;
    for (int kind = 0; kind < CELL_NKIND; kind++) {
        bool any = false;
        for (size_t r = 0; r < s->t.nrows; r++) {
            double tol = NAN;
            if (cell_kind(s, r, &tol) != kind) continue;
            fprintf(f, "%zu %zu", g->pos[2 * r], g->pos[2 * r + 1]);
            if (kind == CELL_TOL) {
                fprintf(f, " %.17g", tol);
                info->tol_lo = fmin(info->tol_lo, tol);
                info->tol_hi = fmax(info->tol_hi, tol);
            }
            if (kind == CELL_MAX) fprintf(f, " %s", trend_word(s, r));
            fputc('\n', f);
            any = true;
        }
        info->block[kind] = any ? (*nblock)++ : -1;
        if (any) fputs("\n\n", f);
    }
}

static int write_stability_data(FILE *f, const char *dir, const sweep_t *s, const grid_t *g,
                                stab_info_t *info)
{
    int err = FC_OK, nblock = 0;
    double *pen = NULL;
    write_cells(f, s, g, info, &nblock);
    info->block[CELL_NKIND] = -1;
    info->has_rho = strcmp(s->t.cell[g->key[0]], "algorithm.penalty") == 0;
    if (!info->has_rho) return FC_OK;
    FC_CALL(fc_alloc(g->n[0], sizeof(double), &pen));
    if (!axis_numbers(g, pen)) {
        info->has_rho = false;
        goto cleanup;
    }
    info->pen_lo = INFINITY;
    info->pen_hi = -INFINITY;
    for (size_t i = 0; i < g->n[0]; i++) {
        info->pen_lo = fmin(info->pen_lo, pen[i]);
        info->pen_hi = fmax(info->pen_hi, pen[i]);
    }
    FC_CALL(write_rho_line(f, dir, s, g, pen, looks_log_spaced(pen, g->n[0]), &info->rho));
    if (info->rho.rows > 0) {
        info->label_left = info->rho.top_x > 0.5 * ((double)g->n[0] - 1.0);
        info->block[CELL_NKIND] = nblock++;
        fputs("\n\n", f);
    }
cleanup:
    fc_free(&pen);
    return err;
}

static void put_tics(FILE *f, const char *axis, const grid_t *g, int a)
{
    fprintf(f, "set %stics (", axis);
    for (size_t i = 0; i < g->n[a]; i++) {
        fputs(i ? ", " : "", f);
        put_sq(f, g->val[a][i]);
        fprintf(f, " %zu", i);
    }
    fprintf(f, ")\nset %srange [-0.5:%.1f]\n", axis, (double)g->n[a] - 0.5);
    fprintf(f, "set %slabel ", axis);
}

static void put_stability_axes(FILE *f, const sweep_t *s, const grid_t *g, const stab_info_t *in)
{
    double lo = in->tol_lo, hi = in->tol_hi;
    if (!(lo < hi)) {
        lo = isfinite(lo) ? lo - 1 : 0;
        hi = isfinite(hi) ? hi + 1 : 1;
    }
    put_tics(f, "x", g, 0);
    put_sq(f, s->t.cell[g->key[0]]);
    fputc('\n', f);
    put_tics(f, "y", g, 1);
    put_sq(f, s->t.cell[g->key[1]]);
    fprintf(f, "\nset cbrange [%.17g:%.17g]\nset cblabel 'rounds to tolerance'\n", lo, hi);
    fputs("set palette defined (0 '#1a9850', 0.5 '#fee08b', 1 '#f46d43')\n"
          "set tics out nomirror\nset key outside below center horizontal height 1\n"
          "set style textbox opaque noborder\n",
          f);
}

static void put_stability_title(FILE *f, const char *dir, const stab_info_t *in)
{
    char note[TITLE_CAP] = "";
    if (in->has_rho && in->rho.rows == 0 && isfinite(in->rho.rho))
        snprintf(note, sizeof note,
                 " (Tseng's 2δ/(αK) = %.3g lies outside the swept penalties %.3g…%.3g)",
                 in->rho.rho, in->pen_lo, in->pen_hi);
    fputs("set title ", f);
    put_sq(f, dir);
    fputs(" . ': rounds to tolerance' . ", f);
    put_sq(f, note);
    fputc('\n', f);
    if (in->block[CELL_NKIND] < 0) return;
    if (in->rho.constant)
        snprintf(note, sizeof note, "2δ/(αK) = %.3g", in->rho.rho);
    else
        snprintf(note, sizeof note, "ρ = 2δ/(αK)");
    fputs("set label 2 ", f);
    put_sq(f, note);
    fprintf(f, " at first %.17g, first %.17g %s offset char %s, char -0.8 front boxed\n",
            in->rho.top_x, in->rho.top_y, in->label_left ? "right" : "left",
            in->label_left ? "-0.5" : "0.5");
}

/* Boxes of one cell kind with a text in each. */
static void put_cells(FILE *f, int block, const char *fill, const char *text, const char *tcolour,
                      const char *title, bool *first)
{
    if (block < 0) return;
    fprintf(f,
            "%s'stability.dat' index %d using 1:2:(0.5):(0.5)%s with boxxyerror fs solid 1.0 "
            "border lc rgb 'white' %s title ",
            *first ? "plot " : ", \\\n    ", block, fill[0] ? "" : ":3",
            fill[0] ? fill : "lc palette");
    put_sq(f, title);
    fprintf(f,
            ", \\\n    'stability.dat' index %d using 1:2:%s with labels font ',13' tc rgb '%s' "
            "notitle",
            block, text, tcolour);
    *first = false;
}

static void put_stability_plot(FILE *f, const stab_info_t *in)
{
    bool first = true;
    put_cells(f, in->block[CELL_TOL], "", "(sprintf('%d', $3))", "black", "reached tolerance",
              &first);
    put_cells(f, in->block[CELL_MAX], "fc rgb '#bdbdbd'",
              "(strcol(3) eq '-' ? 'max' : sprintf(\"max\\n(%s)\", strcol(3)))", "black",
              "never reached it (max_rounds)", &first);
    put_cells(f, in->block[CELL_DIV], "fc rgb '#67001f'", "('D')", "white", "diverged", &first);
    put_cells(f, in->block[CELL_OTHER], "fc rgb '#c6dbef'", "('?')", "black", "invalid / error",
              &first);
    if (in->block[CELL_NKIND] >= 0)
        fprintf(f,
                ", \\\n    'stability.dat' index %d using 1:2 with lines dt 2 lw 2.5 "
                "lc rgb 'black' title 'Tseng: αρ = 2δ/K'",
                in->block[CELL_NKIND]);
    fputs(first ? "plot 2 notitle\n" : "\n", f);
    fputs("set output\n", f);
}

static int plot_stability(const plot_ctx_t *p, const sweep_t *s)
{
    grid_t g = {0};
    stab_info_t info = {0};
    FILE *f = NULL;
    int err;
    FC_CALL(grid_build(s, &g));
    FC_CALL(open_out(p->plot, "stability.dat", &f));
    err = write_stability_data(f, p->dir, s, &g, &info);
    if (!err)
        err = close_out(f, p->plot, "stability.dat");
    else
        fclose(f);
    f = NULL;
    FC_CALL(err);
    FC_CALL(open_out(p->plot, "stability.gp", &f));
    put_preamble(f, p->abs, "stability.png.tmp");
    put_stability_axes(f, s, &g, &info);
    put_stability_title(f, p->dir, &info);
    put_stability_plot(f, &info);
    err = close_out(f, p->plot, "stability.gp");
    f = NULL;
    FC_CALL(err);
    FC_CALL(run_gnuplot(p->dir, p->plot, "stability"));
cleanup:
    if (f) fclose(f);
    grid_free(&g);
    return err;
}

static int plot_sweep(const char *dir, const char *csv_path)
{
    plot_ctx_t p;
    sweep_t s = {0};
    int err;
    FC_CALL(sweep_read(csv_path, &s));
    FC_CALL(make_plot_dir(&p, dir));
    FC_CALL(plot_sweep_convergence(&p, &s));
    if (s.nkeys == 2 && s.t.nrows > 0) FC_CALL(plot_stability(&p, &s));
cleanup:
    csv_free(&s.t);
    return err;
}

/* ---------------------------------------------------------------- entry */

int fc_plot_dir(const char *dir)
{
    char path[PATH_CAP];
    int err = join_path(path, dir, "sweep.csv");
    if (err) return err;
    if (file_exists(path)) return plot_sweep(dir, path);
    err = join_path(path, dir, "metrics.csv");
    if (err) return err;
    if (file_exists(path)) return plot_run(dir);
    return fc_err_set(FC_EIO, "%s: nothing to plot (neither sweep.csv nor metrics.csv)", dir);
}
