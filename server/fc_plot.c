/* fc_plot.c — PNG plots of a run, a sweep or several runs (the SPEC §7 files): reads
 * metrics.csv, sweep.csv and summary.json, writes the data and a gnuplot script under
 * DIR/plot/ and runs gnuplot on it (posix_spawnp, no shell); the drawing is gnuplot's. */
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

#include "fc_algo.h"
#include "fc_config.h"
#include "fc_family.h"
#include "fc_file.h"
#include "fc_mem.h"

extern char **environ; /* libc's, handed to gnuplot unchanged */

enum { PATH_CAP = FC_PATH_MAX + 64, TITLE_CAP = 512 };
#define NPOS ((size_t)-1)

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

enum { S_ROUND, S_BYTES, S_OBJ, S_GRAD, S_CORR, S_ACC, S_DIST, S_NCOL };
static const char *const series_names[S_NCOL] = {
    "round", "bytes", "objective", "grad_norm", "correction", "test_accuracy", "dist_to_opt"};
/* Old or hand-made metrics.csv files may lack the columns that are not always filled. */
static const bool series_required[S_NCOL] = {true, false, true, true, true, false, false};

/* The convergence panels, in drawing order (column of the data file in brackets):
 * objective gap, ‖∇F‖, correction, test accuracy, ‖m − θ*‖. */
enum { P_GAP, P_GRAD, P_CORR, P_ACC, P_DIST, NPANEL };
enum { KEY_MAX = 16, VAL_CAP = 64, NAME_CAP = 64 };

/* One run: the plotted columns of its metrics.csv, its reference objective, and what its
 * legend entry is made of. */
typedef struct {
    size_t n;          /* rows */
    double *buf;       /* S_NCOL x n */
    double *v[S_NCOL]; /* column views into buf */
    double theta_star; /* F(θ*), NaN without a reference */
    char algo[NAME_CAP], family[NAME_CAP], status[NAME_CAP];
    char val[KEY_MAX][VAL_CAP]; /* its value of each varied key (labels_t) */
    char title[TITLE_CAP];      /* legend entry */
    size_t cnt[2][NPANEL];      /* drawable points per x axis (round, bytes) and panel */
    size_t marks[2];            /* rows with a gap ≤ 0 that have an x */
    double cval;                /* colour value when coloured by one key */
    int dash;                   /* dash group (0 = solid) */
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
        if (col[k] == NPOS && series_required[k])
            FC_FAIL(FC_EDATA, "%s: no column '%s'", path, series_names[k]);
    }
    FC_CALL(fc_mul_size(t->nrows, S_NCOL, &total));
    FC_CALL(fc_alloc(total, sizeof(double), &c->buf));
    c->n = t->nrows;
    for (int k = 0; k < S_NCOL; k++)
        c->v[k] = c->buf + (size_t)k * t->nrows;
    for (size_t i = 0; i < t->nrows; i++)
        for (int k = 0; k < S_NCOL; k++) {
            if (col[k] == NPOS) {
                c->v[k][i] = NAN;
                continue;
            }
            if (!parse_num(csv_get(t, i, col[k]), &c->v[k][i]))
                FC_FAIL(FC_EDATA, "%s: data row %zu: %s '%s' is not a number", path, i + 1,
                        series_names[k], csv_get(t, i, col[k]));
        }
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

/* A value of the config echo ("config": {section: {key: "text"}}), NULL if absent. */
static const char *config_str(const cJSON *sum, const char *section, const char *key)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(sum, "config");
    return json_str(cJSON_GetObjectItemCaseSensitive(cfg, section), key);
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

static void copy_str(char *dst, size_t size, const char *s)
{
    snprintf(dst, size, "%s", s ? s : "");
}

/* One run folder: its metrics (none when metrics.csv is missing), F(θ*), algorithm and
 * status. *sum (owned by the caller) is its summary.json or NULL. */
static int load_run(const char *dir, curve_t *c, cJSON **sum)
{
    char path[PATH_CAP];
    int err = join_path(path, dir, "metrics.csv");
    c->theta_star = NAN;
    if (!err) err = load_summary(dir, sum);
    if (err) return err;
    if (*sum) {
        c->theta_star = json_num(*sum, "theta_star_objective");
        copy_str(c->algo, sizeof c->algo, config_str(*sum, "algorithm", "name"));
        copy_str(c->family, sizeof c->family, config_str(*sum, "algorithm", "family"));
        copy_str(c->status, sizeof c->status, json_str(*sum, "status"));
    }
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

/* Terminal (pngcairo, else png) of w x h pixels, working folder plotdir, output png_tmp. */
static void put_preamble(FILE *f, const char *plotdir, const char *png_tmp, int w, int h)
{
    fprintf(f,
            "# written by fedpc (fc_plot.c); run again with: gnuplot <this file>\n"
            "set encoding utf8\n"
            "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
            "    set terminal pngcairo noenhanced size %d,%d font 'Sans,10'\n"
            "} else {\n"
            "    set terminal png noenhanced size %d,%d\n"
            "}\n"
            "cd ",
            w, h, w, h);
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

/* Run `gnuplot plotdir/name.gp` (its stdout and stderr into name.log there) and move
 * plotdir/name.png.tmp to dir/name.png. FC_EIO when gnuplot is missing or fails. */
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
    if (rename(tmp, png) != 0) FC_FAIL(FC_EIO, "%s: cannot write: %s", png, strerror(errno));
cleanup:
    return err;
}

typedef struct {
    const char *dir;     /* where the PNGs go */
    char plot[PATH_CAP]; /* dir/plot: data, scripts, gnuplot logs */
    char abs[PATH_CAP];  /* the same, absolute, for the scripts' cd (rerunnable anywhere) */
} plot_ctx_t;

static int ensure_dir(const char *path)
{
    struct stat st;
    int err = fc_mkdirs(path);
    if (err) return err;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return fc_err_set(FC_EIO, "%s: cannot create folder: a file of that name is in the way",
                          path);
    return FC_OK;
}

/* dir/plot, created if needed. FC_EIO naming the path when it cannot be. */
static int make_plot_dir(plot_ctx_t *p, const char *dir)
{
    int err = join_path(p->plot, dir, "plot");
    p->dir = dir;
    if (err) return err;
    err = ensure_dir(p->plot);
    if (err) return err;
    char cwd[PATH_CAP];
    if (p->plot[0] != '/' && getcwd(cwd, sizeof cwd)) return join_path(p->abs, cwd, p->plot);
    memcpy(p->abs, p->plot, sizeof p->abs);
    return FC_OK;
}

/* Close f (written as dir/name), FC_EIO if any write failed. */
static int finish_file(FILE *f, const char *dir, const char *name, int err)
{
    int cerr = close_out(f, dir, name);
    return err ? err : cerr;
}

/* ---------------------------------------------------------------- legends */

/* Up to this many curves get a legend; beyond, colour follows one varied key. */
#define LEGEND_MAX 12

/* The keys that tell the curves apart (a sweep's --vary keys, or the config keys in
 * which compared runs differ) and how the curves are styled by them. */
typedef struct {
    size_t nkeys;
    char key[KEY_MAX][NAME_CAP]; /* full names, section.key */
    int colour_key;              /* by_key: the key on the colour bar, −1 = the run index */
    int dash_key;                /* by_key: the key told by dash type, −1 = none */
    bool cb_log;                 /* colour key numeric and spread over decades */
    bool cb_cat;                 /* colour key not numeric: one colour per value */
    size_t ncat;                 /* its distinct values (cb_cat) or the dash key's */
    double cb_lo, cb_hi;
} labels_t;

static bool name_is(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

/* Does the run's algorithm read this key? Its registry row lists the [algorithm] keys it
 * reads; of those, the penalty matters to a family only if the family keeps no precision
 * (it is then iso's fixed local precision ρ). An unknown algorithm shows every key. */
static bool key_used(const curve_t *c, const char *key)
{
    const fc_algo_ops_t *a = fc_algo_find(c->algo);
    if (!a || strncmp(key, "algorithm.", 10) != 0) return true;
    return fc_algo_uses_key(a, c->family, key + 10);
}

/* The key's name without its section, unless another key has the same short name. */
static const char *short_key(const labels_t *L, size_t j)
{
    const char *a = strrchr(L->key[j], '.');
    a = a ? a + 1 : L->key[j];
    for (size_t i = 0; i < L->nkeys; i++) {
        const char *b = strrchr(L->key[i], '.');
        if (i != j && strcmp(a, b ? b + 1 : L->key[i]) == 0) return L->key[j];
    }
    return a;
}

/* "penalty=0.1 damping=1" from the keys the run uses, plus its status when it did not end
 * cleanly; fallback (a folder name) when no key is left. */
static void make_title(const labels_t *L, curve_t *c, const char *fallback)
{
    size_t len = 0, size = sizeof c->title;
    c->title[0] = '\0';
    for (size_t j = 0; j < L->nkeys && len < size; j++) {
        if (!key_used(c, L->key[j])) continue;
        int w = snprintf(c->title + len, size - len, "%s%s=%s", len ? " " : "", short_key(L, j),
                         c->val[j]);
        len = w < 0 ? size : len + (size_t)w;
    }
    if (len == 0 && fallback) len = (size_t)snprintf(c->title, size, "%s", fallback);
    if (len < size && *c->status && !name_is(c->status, "converged") &&
        !name_is(c->status, "max_rounds"))
        snprintf(c->title + strlen(c->title), size - strlen(c->title), " (%s)", c->status);
}

/* The algorithm and family of a run without summary.json, from its varied values. */
static void fill_algo_from_keys(const labels_t *L, curve_t *c)
{
    for (size_t j = 0; j < L->nkeys; j++) {
        if (!*c->algo && name_is(L->key[j], "algorithm.name"))
            copy_str(c->algo, sizeof c->algo, c->val[j]);
        if (!*c->family && name_is(L->key[j], "algorithm.family"))
            copy_str(c->family, sizeof c->family, c->val[j]);
    }
}

/* Index of c[r]'s value of key j among the distinct values in curve order (c[0..r]). */
static size_t value_index(const curve_t *c, size_t r, size_t j)
{
    size_t idx = 0;
    for (size_t q = 0; q < r; q++) {
        bool seen = false;
        if (c[q].n == 0) continue;
        for (size_t p = 0; p < q && !seen; p++)
            seen = c[p].n > 0 && strcmp(c[p].val[j], c[q].val[j]) == 0;
        if (!seen && strcmp(c[q].val[j], c[r].val[j]) == 0) return idx;
        idx += !seen;
    }
    return idx;
}

static size_t distinct_values(const curve_t *c, size_t n, size_t j)
{
    size_t count = 0;
    for (size_t r = 0; r < n; r++)
        if (c[r].n > 0 && value_index(c, r, j) == count) count++;
    return count;
}

static bool key_numeric(const curve_t *c, size_t n, size_t j, double *lo, double *hi)
{
    double v;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t r = 0; r < n; r++) {
        if (c[r].n == 0) continue;
        if (!parse_num(c[r].val[j], &v) || !isfinite(v)) return false;
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
    return true;
}

/* Beyond LEGEND_MAX curves: colour by the key with the most distinct values (a numeric
 * one on a log colour bar when it spans a factor 20), dash type by another key with 2..5
 * values. */
static void choose_colour_key(labels_t *L, curve_t *c, size_t n)
{
    size_t best = 1;
    L->colour_key = L->dash_key = -1;
    for (size_t j = 0; j < L->nkeys; j++) {
        size_t d = distinct_values(c, n, j);
        if (d > best) {
            best = d;
            L->colour_key = (int)j;
        }
    }
    for (size_t j = 0; j < L->nkeys && L->dash_key < 0; j++) {
        size_t d = distinct_values(c, n, j);
        if ((int)j != L->colour_key && d >= 2 && d <= 5) {
            L->dash_key = (int)j;
            L->ncat = d;
        }
    }
    L->cb_cat = L->cb_log = false;
    if (L->colour_key < 0) {
        L->cb_lo = 0;
        L->cb_hi = (double)n - 1;
    } else if (key_numeric(c, n, (size_t)L->colour_key, &L->cb_lo, &L->cb_hi)) {
        L->cb_log = L->cb_lo > 0 && L->cb_hi >= 20 * L->cb_lo;
    } else {
        L->cb_cat = true;
        L->cb_lo = -0.5;
        L->cb_hi = (double)distinct_values(c, n, (size_t)L->colour_key) - 0.5;
    }
    if (!(L->cb_lo < L->cb_hi)) L->cb_hi = L->cb_lo + 1;
    for (size_t r = 0, k = 0; r < n; r++) {
        if (c[r].n == 0) continue;
        size_t j = (size_t)L->colour_key;
        if (L->colour_key < 0)
            c[r].cval = (double)k;
        else if (L->cb_cat)
            c[r].cval = (double)value_index(c, r, j);
        else
            c[r].cval = strtod(c[r].val[j], NULL);
        c[r].dash = L->dash_key < 0 ? 0 : (int)value_index(c, r, (size_t)L->dash_key);
        k++;
    }
}

/* ---------------------------------------------------------------- convergence plots */

/* What the convergence scripts need to know about their data. */
typedef struct {
    size_t drawn;          /* curves with rows */
    size_t maxn;           /* most rows in one curve */
    bool by_key;           /* more than LEGEND_MAX curves */
    bool key;              /* legend entries (several runs, or a title) */
    double xlo[2], xhi[2]; /* round and bytes ranges */
    double ylo[NPANEL], yhi[NPANEL];
    size_t total[2][NPANEL]; /* drawable points per axis and panel */
    size_t marks[2];         /* gap ≤ 0 rows per axis */
    double mark_y;           /* where those are drawn: the foot of the gap panel */
} conv_info_t;

static const char *const panel_label[NPANEL] = {"objective gap F(m_t) − F(θ*)", "‖∇F(m_t)‖",
                                                "correction", "test accuracy",
                                                "‖m_t − θ*‖ (distance to the reference)"};
static const char *const panel_empty[NPANEL] = {
    "no data: no reference θ* (run.reference = false)", "no data", "no data (central has none)",
    "no data: no test set, or a linear model", "no data: no reference θ*"};
/* Data file columns: 1 round, 2 bytes, 3 gap, 4 gap mark, then ‖∇F‖, correction, accuracy,
 * distance. */
static const int panel_col[NPANEL] = {3, 5, 6, 7, 8};
enum { MARK_COL = 4 };

/* Value of panel p at row i as drawn (NaN = not drawn; log panels need > 0). */
static double panel_value(const curve_t *c, size_t i, int p)
{
    double y = NAN;
    switch (p) {
    case P_GAP:
        y = c->v[S_OBJ][i] - c->theta_star;
        break;
    case P_GRAD:
        y = c->v[S_GRAD][i];
        break;
    case P_CORR:
        y = c->v[S_CORR][i];
        break;
    case P_ACC:
        return c->v[S_ACC][i];
    case P_DIST:
        y = c->v[S_DIST][i];
        break;
    }
    return y > 0.0 ? y : NAN; /* NaN stays NaN */
}

/* A gap that is finite and ≤ 0: round-off below F(θ*) or an exact optimum. */
static bool gap_mark(const curve_t *c, size_t i)
{
    double g = c->v[S_OBJ][i] - c->theta_star;
    return isfinite(g) && g <= 0.0;
}

static double x_value(const curve_t *c, size_t i, int axis)
{
    double x = c->v[axis ? S_BYTES : S_ROUND][i];
    return isfinite(x) && x >= 0.0 ? x : NAN;
}

static void log_range(double *lo, double *hi)
{
    if (!(*lo <= *hi)) {
        *lo = 0.1;
        *hi = 1.0;
    }
    *lo = pow(10.0, floor(log10(*lo)));
    *hi = pow(10.0, ceil(log10(*hi)));
    if (!(*hi > *lo)) *hi = *lo * 10.0;
}

static void count_curve(curve_t *c, conv_info_t *in)
{
    for (size_t i = 0; i < c->n; i++)
        for (int a = 0; a < 2; a++) {
            double x = x_value(c, i, a);
            if (isnan(x)) continue;
            for (int p = 0; p < NPANEL; p++) {
                double y = panel_value(c, i, p);
                if (isnan(y)) continue;
                c->cnt[a][p]++;
                in->ylo[p] = fmin(in->ylo[p], y);
                in->yhi[p] = fmax(in->yhi[p], y);
                in->xlo[a] = fmin(in->xlo[a], x);
                in->xhi[a] = fmax(in->xhi[a], x);
            }
            if (gap_mark(c, i)) {
                c->marks[a]++;
                in->xlo[a] = fmin(in->xlo[a], x);
                in->xhi[a] = fmax(in->xhi[a], x);
            }
        }
}

static void conv_info_init(curve_t *c, size_t n, conv_info_t *in)
{
    memset(in, 0, sizeof *in);
    for (int a = 0; a < 2; a++) {
        in->xlo[a] = INFINITY;
        in->xhi[a] = -INFINITY;
    }
    for (int p = 0; p < NPANEL; p++) {
        in->ylo[p] = INFINITY;
        in->yhi[p] = -INFINITY;
    }
    for (size_t k = 0; k < n; k++) {
        if (c[k].n == 0) continue;
        memset(c[k].cnt, 0, sizeof c[k].cnt);
        memset(c[k].marks, 0, sizeof c[k].marks);
        count_curve(&c[k], in);
        for (int a = 0; a < 2; a++) {
            in->marks[a] += c[k].marks[a];
            for (int p = 0; p < NPANEL; p++)
                in->total[a][p] += c[k].cnt[a][p];
        }
        in->drawn++;
        in->key = in->key || c[k].title[0];
        if (c[k].n > in->maxn) in->maxn = c[k].n;
    }
    in->key = in->key && (in->drawn > 1 || c[0].title[0]);
    in->by_key = in->drawn > LEGEND_MAX;
    for (int p = 0; p < NPANEL; p++)
        if (p != P_ACC) log_range(&in->ylo[p], &in->yhi[p]);
    if (!(in->ylo[P_ACC] <= in->yhi[P_ACC])) in->ylo[P_ACC] = 0, in->yhi[P_ACC] = 1;
    in->ylo[P_ACC] = fmax(0.0, in->ylo[P_ACC] - 0.02);
    in->yhi[P_ACC] = fmin(1.0, in->yhi[P_ACC] + 0.02);
    if (!(in->yhi[P_ACC] > in->ylo[P_ACC])) in->ylo[P_ACC] = 0, in->yhi[P_ACC] = 1;
    if (in->marks[0] || in->marks[1]) {
        in->ylo[P_GAP] /= 10.0; /* one decade below the smallest gap for the marks */
        in->mark_y = 2.0 * in->ylo[P_GAP];
    }
    for (int a = 0; a < 2; a++)
        if (!(in->xlo[a] < in->xhi[a])) {
            in->xlo[a] = isfinite(in->xlo[a]) ? in->xlo[a] - 1 : 0;
            in->xhi[a] = isfinite(in->xhi[a]) ? in->xhi[a] + 1 : 1;
        }
}

/* One block per curve with rows: round bytes gap mark ‖∇F‖ correction accuracy distance. */
static void write_curves(FILE *f, const curve_t *c, size_t n, const conv_info_t *in)
{
    for (size_t k = 0; k < n; k++) {
        if (c[k].n == 0) continue;
        for (size_t i = 0; i < c[k].n; i++) {
            put_num(f, x_value(&c[k], i, 0));
            fputc(' ', f);
            put_num(f, x_value(&c[k], i, 1));
            fputc(' ', f);
            put_num(f, panel_value(&c[k], i, P_GAP));
            fputc(' ', f);
            put_num(f, gap_mark(&c[k], i) ? in->mark_y : NAN);
            for (int p = P_GRAD; p < NPANEL; p++) {
                fputc(' ', f);
                put_num(f, panel_value(&c[k], i, p));
            }
            fputc('\n', f);
        }
        fputs("\n\n", f);
    }
}

/* Curve k of n (legend mode): a colour, a dash type, a width (the first drawn widest, so
 * curves that coincide show as nested bands) and markers at staggered rows. */
typedef struct {
    char colour[40];
    int dt, pt;
    double lw;
    size_t every, offset; /* markers every `every` rows from `offset`; every = 0: none */
} style_t;

static void curve_style(const curve_t *c, size_t k, const conv_info_t *in, style_t *s)
{
    static const char *const tab12[LEGEND_MAX] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                  "#9467bd", "#8c564b", "#e377c2", "#17becf",
                                                  "#bcbd22", "#7f7f7f", "#393b79", "#ad494a"};
    static const int points[8] = {6, 4, 8, 10, 12, 14, 1, 2};
    size_t n = in->drawn;
    if (in->by_key) {
        snprintf(s->colour, sizeof s->colour, "palette cb %.17g", c->cval);
        s->dt = 1 + c->dash;
        s->lw = 1.3;
        s->every = 0;
        return;
    }
    snprintf(s->colour, sizeof s->colour, "rgb '%s'", tab12[k]);
    s->dt = 1 + (int)(k % 5);
    s->pt = points[k % 8];
    s->lw = n > 1 ? 1.0 + 2.6 * (double)(n - 1 - k) / (double)(n - 1) : 1.5;
    s->every = in->maxn / 12 > 1 ? in->maxn / 12 : 1;
    s->offset = n > 1 ? k * s->every / n : 0;
}

/* Does "every e::o" pick at least one drawable point of panel p on axis a? (gnuplot warns
 * about a plot element with none.) */
static bool markers_drawable(const curve_t *c, const style_t *s, int a, int p)
{
    if (s->every == 0) return false;
    for (size_t i = s->offset; i < c->n; i += s->every)
        if (!isnan(x_value(c, i, a)) && !isnan(panel_value(c, i, p))) return true;
    return false;
}

/* Where panel p sits (slot 5, bottom right, holds the legend or colour bar). */
static void put_slot(FILE *f, int slot)
{
    double l = slot % 2 ? 0.57 : 0.07, top = 0.92 - 0.31 * (slot / 2);
    fprintf(f,
            "set lmargin at screen %.3f\nset rmargin at screen %.3f\n"
            "set tmargin at screen %.3f\nset bmargin at screen %.3f\n",
            l, l + 0.41, top, top - 0.24);
}

static void put_panel_axes(FILE *f, int p, int axis, const conv_info_t *in)
{
    fprintf(f, "set xrange [%.17g:%.17g]\n", in->xlo[axis], in->xhi[axis]);
    fputs(axis ? "set xlabel 'cumulative bytes'\nset format x '%.1s %cB'\n"
               : "set xlabel 'round'\nset format x '%g'\n",
          f);
    fputs("set ylabel ", f);
    put_sq(f, panel_label[p]);
    if (p == P_ACC)
        fputs("\nunset logscale y\nset format y '%g'\n", f);
    else
        fputs("\nset logscale y\nset format y '%.0e'\n", f);
    fprintf(f, "set yrange [%.17g:%.17g]\n", in->ylo[p], in->yhi[p]);
}

static void put_placeholder(FILE *f, int p, bool rows)
{
    fputs("unset logscale y\nset yrange [0:1]\nunset ytics\nset label 1 ", f);
    put_sq(f, rows ? panel_empty[p] : "no data: no rows in metrics.csv");
    fputs(" at graph 0.5, graph 0.5 center\nplot 2 notitle\nunset label 1\nset ytics\n", f);
}

static void put_title(FILE *f, const char *title)
{
    size_t n = strlen(title);
    /* keep the end of a long title (the folder's own name is there) on one line */
    if (n > 110) {
        char buf[TITLE_CAP];
        snprintf(buf, sizeof buf, "…%s", title + n - 108);
        put_sq(f, buf);
    } else {
        put_sq(f, title);
    }
}

/* The legend (or, by key, the colour bar and dash-type legend) in slot 5. */
static void put_legend_setup(FILE *f, const labels_t *L, const conv_info_t *in)
{
    if (!in->by_key) {
        fputs("set key at screen 0.57, screen 0.30 left top Left reverse font ',9' spacing 1.15 "
              "samplen 5 box opaque\n",
              f);
        return;
    }
    fputs("set key at screen 0.72, screen 0.30 left top Left reverse font ',9' samplen 5\n", f);
    fputs("set palette defined (0 '#440154', 0.33 '#31688e', 0.66 '#35b779', 1 '#e0b000')\n", f);
    fprintf(f, "set cbrange [%.17g:%.17g]\n", L->cb_lo, L->cb_hi);
    fputs(L->cb_log ? "set logscale cb\n" : "unset logscale cb\n", f);
    fputs("set cblabel ", f);
    put_sq(f, L->colour_key < 0 ? "run" : short_key(L, (size_t)L->colour_key));
    fputc('\n', f);
}

/* Categorical colour-bar tics: the colour key's values. */
static void put_cat_tics(FILE *f, const labels_t *L, const curve_t *c, size_t n)
{
    size_t j = (size_t)L->colour_key, count = 0;
    fputs("set cbtics (", f);
    for (size_t r = 0; r < n; r++) {
        if (c[r].n == 0 || value_index(c, r, j) != count) continue;
        fputs(count ? ", " : "", f);
        put_sq(f, c[r].val[j]);
        fprintf(f, " %zu", count++);
    }
    fputs(")\n", f);
}

static void put_keyentries(FILE *f, const curve_t *c, size_t n, const labels_t *L,
                           const conv_info_t *in, bool *first)
{
    style_t s;
    if (in->by_key && L->dash_key >= 0) {
        size_t j = (size_t)L->dash_key, count = 0;
        for (size_t r = 0; r < n; r++) {
            if (c[r].n == 0 || value_index(c, r, j) != count) continue;
            char t[TITLE_CAP];
            snprintf(t, sizeof t, "%s=%s", short_key(L, j), c[r].val[j]);
            fprintf(f, "%skeyentry with lines lc rgb 'black' dt %zu lw 1.3 title ",
                    *first ? "plot " : ", \\\n    ", ++count);
            put_sq(f, t);
            *first = false;
        }
    } else if (in->key && !in->by_key) {
        for (size_t r = 0, k = 0; r < n; r++) {
            if (c[r].n == 0) continue;
            curve_style(&c[r], k++, in, &s);
            fprintf(f, "%skeyentry with linespoints lc %s dt %d lw %.2f pt %d title ",
                    *first ? "plot " : ", \\\n    ", s.colour, s.dt, s.lw, s.pt);
            put_sq(f, c[r].title);
            *first = false;
        }
    }
    if (in->marks[0] || in->marks[1]) {
        fprintf(f,
                "%skeyentry with points lc rgb 'black' pt 11 ps 1.2 title 'gap ≤ 0 "
                "(round-off), marked at the panel foot'",
                *first ? "plot " : ", \\\n    ");
        *first = false;
    }
}

/* The plot command of panel p on axis a; the legend goes with the first panel drawn. */
static void put_panel(FILE *f, const curve_t *c, size_t n, int p, int a, const labels_t *L,
                      const conv_info_t *in, bool legend)
{
    bool first = true;
    style_t s;
    int x = a ? 2 : 1;
    if (legend) put_keyentries(f, c, n, L, in, &first);
    for (size_t r = 0, k = 0; r < n; r++) {
        if (c[r].n == 0) continue;
        size_t blk = k;
        curve_style(&c[r], k++, in, &s);
        if (c[r].cnt[a][p] > 0) {
            fprintf(f,
                    "%s'convergence.dat' index %zu using %d:%d with lines lc %s dt %d lw %.2f "
                    "notitle",
                    first ? "plot " : ", \\\n    ", blk, x, panel_col[p], s.colour, s.dt, s.lw);
            first = false;
            if (markers_drawable(&c[r], &s, a, p))
                fprintf(f,
                        ", \\\n    '' index %zu every %zu::%zu using %d:%d with points lc %s "
                        "pt %d ps 0.9 notitle",
                        blk, s.every, s.offset, x, panel_col[p], s.colour, s.pt);
        }
        if (p == P_GAP && c[r].marks[a] > 0) {
            fprintf(f,
                    "%s'convergence.dat' index %zu using %d:%d with points lc %s pt 11 ps 1.2 "
                    "notitle",
                    first ? "plot " : ", \\\n    ", blk, x, MARK_COL, s.colour);
            first = false;
        }
    }
    fputc('\n', f);
}

/* Panels 0..4 in slots 0..4, the legend or colour bar in slot 5. */
static void put_convergence_script(FILE *f, const plot_ctx_t *p, const curve_t *c, size_t n,
                                   const char *title, const labels_t *L, const conv_info_t *in,
                                   int axis, const char *note)
{
    bool legend_done = false;
    put_preamble(f, p->abs, axis ? "convergence_bytes.png.tmp" : "convergence.png.tmp", 1400, 1050);
    fputs("set multiplot title ", f);
    put_title(f, title);
    fputs(" font ',12'\nset grid\nset tics nomirror\nunset colorbox\n", f);
    if (in->by_key) put_legend_setup(f, L, in);
    if (in->by_key && L->cb_cat) put_cat_tics(f, L, c, n);
    if (note[0]) {
        fputs("set label 90 ", f);
        put_sq(f, note);
        fputs(" at screen 0.57, screen 0.025 left font ',9'\n", f);
    }
    for (int panel = 0; panel < NPANEL; panel++) {
        put_slot(f, panel);
        put_panel_axes(f, panel, axis, in);
        if (in->total[axis][panel] == 0) {
            fputs("unset key\n", f);
            put_placeholder(f, panel, in->drawn > 0);
            continue;
        }
        bool legend = !legend_done;
        bool entries = in->key || in->marks[0] || in->marks[1];
        if (legend && !in->by_key && entries) put_legend_setup(f, L, in);
        if (legend && !in->by_key && !entries) fputs("unset key\n", f);
        if (legend && in->by_key) /* in slot 5, with the panel that carries the legend */
            fputs("set colorbox user origin screen 0.58, screen 0.07 size screen 0.018, screen "
                  "0.21\n",
                  f);
        if (!legend) fputs("unset key\nunset colorbox\n", f);
        put_panel(f, c, n, panel, axis, L, in, legend);
        if (legend) fputs("unset label 90\n", f);
        legend_done = true;
    }
    fputs("unset multiplot\nset output\n", f);
}

/* convergence.png (against round) and convergence_bytes.png (against cumulative bytes)
 * for the curves c[0..n-1] (those with no rows are skipped). */
static int plot_convergence(const plot_ctx_t *p, curve_t *c, size_t n, const char *title,
                            labels_t *L, const char *note)
{
    static const char *const names[2] = {"convergence", "convergence_bytes"};
    conv_info_t in;
    FILE *f = NULL;
    int err;
    conv_info_init(c, n, &in);
    if (in.by_key) choose_colour_key(L, c, n);
    FC_CALL(open_out(p->plot, "convergence.dat", &f));
    write_curves(f, c, n, &in);
    err = close_out(f, p->plot, "convergence.dat");
    f = NULL;
    FC_CALL(err);
    for (int a = 0; a < 2; a++) {
        char gp[64];
        snprintf(gp, sizeof gp, "%s.gp", names[a]);
        FC_CALL(open_out(p->plot, gp, &f));
        put_convergence_script(f, p, c, n, title, L, &in, a, note);
        err = close_out(f, p->plot, gp);
        f = NULL;
        FC_CALL(err);
        FC_CALL(run_gnuplot(p->dir, p->plot, names[a]));
    }
cleanup:
    if (f) fclose(f);
    return err;
}

/* ---------------------------------------------------------------- a run */

static int plot_run(const char *dir)
{
    plot_ctx_t p;
    curve_t *c = NULL;
    cJSON *sum = NULL;
    labels_t L = {0};
    char title[TITLE_CAP];
    int err;
    FC_CALL(make_plot_dir(&p, dir));
    FC_CALL(fc_calloc(1, sizeof *c, &c));
    FC_CALL(load_run(dir, c, &sum));
    const char *fam = key_used(c, "algorithm.family") ? c->family : "";
    snprintf(title, sizeof title, "%s — %s%s%s%s%s, %zu rows", dir, c->algo, *fam ? " " : "", fam,
             *c->algo ? ", " : "", sum ? c->status : "no summary", c->n);
    c->status[0] = '\0'; /* in the title already */
    FC_CALL(plot_convergence(&p, c, 1, title, &L, ""));
cleanup:
    if (c) curve_free(c);
    fc_free(&c);
    cJSON_Delete(sum);
    return err;
}

/* ---------------------------------------------------------------- a sweep */

/* sweep.csv: the varied keys are the columns before "status"; the verdict columns
 * (verdict, rate, period, amplitude, projected_rounds, radius) may be missing (older
 * files have trend instead). */
typedef struct {
    csv_t t;
    size_t nkeys;
    size_t c_status, c_tol, c_dir, c_trend, c_gap, c_rounds;
    size_t c_verdict, c_rate, c_period, c_proj, c_radius; /* NPOS when absent */
} sweep_t;

static int sweep_read(const char *path, sweep_t *s)
{
    int err;
    FC_CALL(csv_read(path, &s->t));
    s->c_status = csv_col(&s->t, "status");
    s->c_tol = csv_col(&s->t, "rounds_to_tol");
    s->c_dir = csv_col(&s->t, "dir");
    s->c_trend = csv_col(&s->t, "trend");
    s->c_gap = csv_col(&s->t, "objective_gap");
    s->c_rounds = csv_col(&s->t, "rounds");
    s->c_verdict = csv_col(&s->t, "verdict");
    s->c_rate = csv_col(&s->t, "rate");
    s->c_period = csv_col(&s->t, "period");
    s->c_proj = csv_col(&s->t, "projected_rounds");
    s->c_radius = csv_col(&s->t, "radius");
    if (s->c_status == NPOS || s->c_tol == NPOS || s->c_dir == NPOS)
        FC_FAIL(FC_EDATA, "%s: not a sweep table (needs columns status, rounds_to_tol, dir)", path);
    s->nkeys = s->c_status;
cleanup:
    return err;
}

/* Field r of an optional column ("" when the column is absent). */
static const char *sweep_field(const sweep_t *s, size_t r, size_t col)
{
    return col == NPOS ? "" : csv_get(&s->t, r, col);
}

static double sweep_num(const sweep_t *s, size_t r, size_t col)
{
    double v;
    if (!parse_num(sweep_field(s, r, col), &v)) return NAN;
    return v;
}

/* Part `part` of a '+'-joined field ("1+2", part 1 → "2") into dst. */
static void zip_part(char *dst, size_t size, const char *field, size_t part)
{
    for (size_t i = 0; i < part && *field; i++) {
        field += strcspn(field, "+");
        field += *field == '+';
    }
    snprintf(dst, size, "%.*s", (int)strcspn(field, "+"), field);
}

static size_t zip_count(const char *field)
{
    size_t n = 1;
    for (; *field; field++)
        n += *field == '+';
    return n;
}

/* The legend keys of a sweep: every --vary column, zipped keys ("a.x+b.y") split. */
static void sweep_labels(const sweep_t *s, labels_t *L, size_t *col, size_t *part)
{
    L->nkeys = 0;
    for (size_t j = 0; j < s->nkeys; j++)
        for (size_t q = 0; q < zip_count(s->t.cell[j]) && L->nkeys < KEY_MAX; q++) {
            zip_part(L->key[L->nkeys], NAME_CAP, s->t.cell[j], q);
            col[L->nkeys] = j;
            part[L->nkeys++] = q;
        }
}

/* Load every run of the sweep (runs without metrics.csv get no rows) and its legend. */
static int sweep_curves(const char *dir, const sweep_t *s, labels_t *L, curve_t *c)
{
    char run[PATH_CAP];
    size_t col[KEY_MAX], part[KEY_MAX];
    int err = FC_OK;
    sweep_labels(s, L, col, part);
    for (size_t r = 0; r < s->t.nrows; r++) {
        cJSON *sum = NULL;
        const char *sub = csv_get(&s->t, r, s->c_dir);
        c[r].theta_star = NAN;
        c[r].cval = NAN;
        for (size_t k = 0; k < L->nkeys; k++)
            zip_part(c[r].val[k], VAL_CAP, csv_get(&s->t, r, col[k]), part[k]);
        if (*sub) {
            FC_CALL(join_path(run, dir, sub));
            err = load_run(run, &c[r], &sum);
            cJSON_Delete(sum);
            FC_CALL(err);
        }
        copy_str(c[r].status, sizeof c[r].status, csv_get(&s->t, r, s->c_status));
        fill_algo_from_keys(L, &c[r]);
        make_title(L, &c[r], sub);
    }
cleanup:
    return err;
}

static int plot_sweep_convergence(const plot_ctx_t *p, const sweep_t *s)
{
    curve_t *c = NULL;
    labels_t L = {0};
    char title[TITLE_CAP], note[TITLE_CAP] = "";
    int err;
    size_t empty = 0;
    FC_CALL(fc_calloc(s->t.nrows, sizeof *c, &c));
    FC_CALL(sweep_curves(p->dir, s, &L, c));
    for (size_t r = 0; r < s->t.nrows; r++)
        empty += c[r].n == 0;
    snprintf(title, sizeof title, "%s — sweep of %zu runs", p->dir, s->t.nrows);
    if (empty) snprintf(note, sizeof note, "%zu of the runs have no metrics.csv", empty);
    FC_CALL(plot_convergence(p, c, s->t.nrows, title, &L, note));
cleanup:
    for (size_t r = 0; c && r < s->t.nrows; r++)
        curve_free(&c[r]);
    fc_free(&c);
    return err;
}

/* ---------------------------------------------------------------- stability.png */

/* What a cell shows. TOL and PROJ are coloured by rounds on the colour bar; OSC and STALL
 * by their final gap, in shades of their own hue. */
enum { CELL_TOL, CELL_PROJ, CELL_OSC, CELL_STALL, CELL_DIV, CELL_OTHER, CELL_NKIND };

typedef struct {
    int kind;
    double rounds; /* TOL: rounds to tolerance; PROJ: projected rounds */
    double gap;    /* final objective gap (NaN without a reference) */
    char text[2][24];
} cell_t;

/* The two-key grid: axis 0 (x) and 1 (y) with their distinct values in sweep order. */
typedef struct {
    size_t key[2];       /* sweep.csv column on each axis */
    size_t n[2];         /* distinct values per axis */
    const char **val[2]; /* the values (borrowed from the csv) */
    size_t *pos;         /* 2 per sweep row: x index, y index */
    cell_t *cell;        /* per sweep row */
} grid_t;

static void grid_free(grid_t *g)
{
    fc_free(&g->val[0]);
    fc_free(&g->val[1]);
    fc_free(&g->pos);
    fc_free(&g->cell);
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
    FC_CALL(fc_calloc(s->t.nrows, sizeof(cell_t), &g->cell));
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

/* v compactly: "412", "2487", "0.25", "3.4e6", "2.1e-3". */
static void fmt_compact(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return;
    }
    double e = v == 0.0 ? 0.0 : floor(log10(fabs(v)));
    if (e >= -2 && e <= 3) {
        snprintf(buf, size, e >= 0 ? "%.4g" : "%.2g", v);
        return;
    }
    double m = v / pow(10.0, e);
    if (fabs(m) >= 9.95) m /= 10.0, e += 1.0;
    snprintf(buf, size, "%.1fe%d", m, (int)e);
}

/* A word of the verdict or trend column, or "" when it is not a plain word. */
static const char *plain_word(const char *w)
{
    for (const char *c = w; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || *c == '_')) return "";
    return w;
}

/* The kind and text of sweep row r: from the verdict when sweep.csv has one, else from
 * status and rounds_to_tol (and trend). */
static void classify_cell(const sweep_t *s, size_t r, cell_t *c)
{
    const char *st = csv_get(&s->t, r, s->c_status);
    const char *v = plain_word(sweep_field(s, r, s->c_verdict));
    double tol = sweep_num(s, r, s->c_tol), proj = sweep_num(s, r, s->c_proj);
    double period = sweep_num(s, r, s->c_period), rate = sweep_num(s, r, s->c_rate);
    c->gap = sweep_num(s, r, s->c_gap);
    c->rounds = NAN;
    snprintf(c->text[1], sizeof c->text[1], "-");
    if (name_is(st, "diverged") || name_is(v, "diverged")) {
        c->kind = CELL_DIV;
        snprintf(c->text[0], sizeof c->text[0], "D");
    } else if (isfinite(tol) && tol >= 0) {
        c->kind = CELL_TOL;
        c->rounds = tol;
        snprintf(c->text[0], sizeof c->text[0], "%.0f", tol);
    } else if (name_is(v, "converging") && isfinite(proj)) {
        c->kind = CELL_PROJ;
        c->rounds = proj;
        char b[16];
        fmt_compact(b, sizeof b, proj);
        snprintf(c->text[0], sizeof c->text[0], "≈%s", b);
        if (isfinite(rate)) snprintf(c->text[1], sizeof c->text[1], "r=%.4f", rate);
    } else if (name_is(v, "oscillating")) {
        c->kind = CELL_OSC;
        if (period > 0)
            snprintf(c->text[0], sizeof c->text[0], "osc%.0f", period);
        else
            snprintf(c->text[0], sizeof c->text[0], "osc");
        fmt_compact(c->text[1], sizeof c->text[1], c->gap);
    } else if (*v || name_is(st, "max_rounds") || name_is(st, "converged")) {
        /* stalled, a converging run without projection, or an old file's trend word */
        const char *w = *v ? v : plain_word(sweep_field(s, r, s->c_trend));
        c->kind = CELL_STALL;
        snprintf(c->text[0], sizeof c->text[0], "%s",
                 name_is(w, "stalled") || !*w ? "S"
                 : name_is(w, "improving")    ? "impr"
                                              : w);
        fmt_compact(c->text[1], sizeof c->text[1], c->gap);
    } else {
        c->kind = CELL_OTHER;
        snprintf(c->text[0], sizeof c->text[0], "?");
    }
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

/* The run's stability bound on the penalty (its algorithm row's stability_bound: Tseng's
 * ρ = 2δ/(αK) for AMA and the iso families), NaN where none applies. */
static double stability_bound(const cJSON *sum, double delta, double K, double alpha)
{
    const fc_algo_ops_t *a = fc_algo_find(config_str(sum, "algorithm", "name"));
    const char *fam = config_str(sum, "algorithm", "family");
    const fc_family_ops_t *f = a && a->uses_family ? fc_family_find(fam) : fc_family_default();
    if (!a || !a->stability_bound || !f || !(delta > 0 && K >= 1 && alpha > 0)) return NAN;
    return a->stability_bound(f, delta, alpha, (size_t)K);
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
        *rho = stability_bound(sum, delta, K, alpha);
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
    int block[CELL_NKIND]; /* data blocks: 0 palette cells, 1 shaded cells, 2 black text,
                              3 white text, 4 ρ line, 5 radius contour; −1 = none */
    bool kinds[CELL_NKIND];
    double r_lo, r_hi; /* rounds on the colour bar */
    double g_lo, g_hi; /* final gaps of the shaded cells */
    rho_line_t rho;
    bool has_rho; /* the x key is algorithm.penalty */
    double pen_lo, pen_hi;
    bool label_left;   /* the ρ line is in the right half: its label goes left of it */
    size_t contour;    /* segments of the radius = 1 contour */
    bool radius;       /* sweep.csv has a radius column with a number in it */
    double font;       /* cell text size (points) */
    int width, height; /* of stability.png */
} stab_info_t;

enum { B_PAL, B_SHADE, B_TEXT_DARK, B_TEXT_LIGHT, B_RHO, B_RADIUS, B_N };

/* Shade of a cell of kind OSC or STALL: from the light to the dark end of its hue by
 * log final gap over the shaded cells; *dark when white text reads better. */
static unsigned shade(const cell_t *c, const stab_info_t *in, bool *dark)
{
    static const unsigned light[2] = {0xe7d4e8, 0xf0f0f0}, deep[2] = {0x762a83, 0x525252};
    int h = c->kind == CELL_OSC ? 0 : 1;
    double t = 0.5;
    if (isfinite(c->gap) && c->gap > 0 && in->g_hi > in->g_lo)
        t = (log(c->gap) - log(in->g_lo)) / (log(in->g_hi) - log(in->g_lo));
    unsigned rgb = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double a = (light[h] >> sh) & 0xff, b = (deep[h] >> sh) & 0xff;
        rgb |= (unsigned)lround(a + t * (b - a)) << sh;
    }
    *dark = t > 0.55;
    return rgb;
}

static void cell_ranges(const sweep_t *s, grid_t *g, stab_info_t *in)
{
    in->r_lo = in->g_lo = INFINITY;
    in->r_hi = in->g_hi = -INFINITY;
    for (size_t r = 0; r < s->t.nrows; r++) {
        cell_t *c = &g->cell[r];
        classify_cell(s, r, c);
        in->kinds[c->kind] = true;
        if (c->kind == CELL_TOL || c->kind == CELL_PROJ) {
            in->r_lo = fmin(in->r_lo, fmax(c->rounds, 1.0));
            in->r_hi = fmax(in->r_hi, fmax(c->rounds, 1.0));
        }
        if ((c->kind == CELL_OSC || c->kind == CELL_STALL) && c->gap > 0) {
            in->g_lo = fmin(in->g_lo, c->gap);
            in->g_hi = fmax(in->g_hi, c->gap);
        }
    }
    if (!(in->r_lo < in->r_hi)) {
        in->r_lo = isfinite(in->r_lo) ? in->r_lo * 0.5 : 1;
        in->r_hi = isfinite(in->r_hi) ? in->r_hi * 2.0 : 10;
    }
}

/* Blocks B_PAL, B_SHADE (x y value), B_TEXT_* (x y line1 line2). */
static void write_cells(FILE *f, const sweep_t *s, const grid_t *g, stab_info_t *in, int *nblock)
{
    for (int b = B_PAL; b <= B_TEXT_LIGHT; b++) {
        bool any = false;
        for (size_t r = 0; r < s->t.nrows; r++) {
            const cell_t *c = &g->cell[r];
            bool pal = c->kind == CELL_TOL || c->kind == CELL_PROJ, dark = false;
            unsigned rgb = c->kind == CELL_DIV ? 0x67001f : 0xc6dbef;
            if (c->kind == CELL_OSC || c->kind == CELL_STALL) rgb = shade(c, in, &dark);
            dark = dark || c->kind == CELL_DIV;
            if ((b == B_PAL && !pal) || (b == B_SHADE && pal)) continue;
            if ((b == B_TEXT_DARK && dark) || (b == B_TEXT_LIGHT && !dark)) continue;
            fprintf(f, "%zu %zu ", g->pos[2 * r], g->pos[2 * r + 1]);
            if (b == B_PAL) fprintf(f, "%.17g\n", fmax(c->rounds, 1.0));
            if (b == B_SHADE) fprintf(f, "%u\n", rgb);
            if (b >= B_TEXT_DARK) fprintf(f, "\"%s\" \"%s\"\n", c->text[0], c->text[1]);
            any = true;
        }
        in->block[b] = any ? (*nblock)++ : -1;
        if (any) fputs("\n\n", f);
    }
}

/* The radius of each grid cell (NaN where absent) on a grid padded by one cell on each
 * side with copies of the border cells, row-major by y then x: (nx + 2) x (ny + 2). */
static int radius_grid(const sweep_t *s, const grid_t *g, double **out)
{
    int err;
    size_t nx = g->n[0], ny = g->n[1], w = nx + 2, cells;
    FC_CALL(fc_mul_size(w, ny + 2, &cells));
    FC_CALL(fc_alloc(cells, sizeof(double), out));
    for (size_t i = 0; i < cells; i++)
        (*out)[i] = NAN;
    for (size_t r = 0; r < s->t.nrows; r++)
        (*out)[(g->pos[2 * r + 1] + 1) * w + g->pos[2 * r] + 1] = sweep_num(s, r, s->c_radius);
    for (size_t j = 1; j <= ny; j++) {
        (*out)[j * w] = (*out)[j * w + 1];
        (*out)[j * w + nx + 1] = (*out)[j * w + nx];
    }
    for (size_t i = 0; i < w; i++) {
        (*out)[i] = (*out)[w + i];
        (*out)[(ny + 1) * w + i] = (*out)[ny * w + i];
    }
cleanup:
    return err;
}

/* Where radius − 1 changes sign on the edge from (xa, ya) to (xb, yb): linear in the two
 * values. */
static bool edge_cross(double ra, double rb, double xa, double ya, double xb, double yb, double *x,
                       double *y)
{
    if (!isfinite(ra) || !isfinite(rb) || ra == rb) return false;
    /* a strict sign change, or a corner exactly on 1 (counted on the edge leaving it) */
    if (!((ra - 1.0) * (rb - 1.0) < 0.0 || ra == 1.0)) return false;
    double t = (1.0 - ra) / (rb - ra);
    *x = xa + t * (xb - xa);
    *y = ya + t * (yb - ya);
    return true;
}

/* A contour point of the padded grid in map coordinates, clamped to the map: a segment in
 * the padding runs straight out from the border (copies on both sides), so clamping cuts
 * it at the map's edge. */
static void put_point(FILE *f, double x, double y, const double *lim)
{
    fprintf(f, "%.17g %.17g\n", fmin(fmax(x - 1.0, -0.5), lim[0] - 0.5),
            fmin(fmax(y - 1.0, -0.5), lim[1] - 0.5));
}

static void put_segment(FILE *f, const double *px, const double *py, int a, int b,
                        const double *lim)
{
    put_point(f, px[a], py[a], lim);
    put_point(f, px[b], py[b], lim);
    fputc('\n', f);
}

/* One square of marching squares between cell centres (i, j) .. (i+1, j+1) of the padded
 * grid R (w columns): 0, 1 or 2 segments of the contour radius = 1 (a saddle is split by
 * the mean of the corners). */
static size_t contour_square(FILE *f, const double *R, size_t w, size_t i, size_t j,
                             const double *lim)
{
    double v[4] = {R[j * w + i], R[j * w + i + 1], R[(j + 1) * w + i + 1], R[(j + 1) * w + i]};
    double cx[4] = {0, 1, 1, 0}, cy[4] = {0, 0, 1, 1}, px[4], py[4];
    int k = 0;
    for (int e = 0; e < 4; e++)
        if (edge_cross(v[e], v[(e + 1) % 4], (double)i + cx[e], (double)j + cy[e],
                       (double)i + cx[(e + 1) % 4], (double)j + cy[(e + 1) % 4], &px[k], &py[k]))
            k++;
    if (k == 2 || k == 3) {
        put_segment(f, px, py, 0, 1, lim);
        return 1;
    }
    if (k != 4) return 0;
    /* saddle: pair the crossings around the corners on the other side from the mean */
    bool centre_above = 0.25 * (v[0] + v[1] + v[2] + v[3]) > 1.0;
    int a = centre_above == (v[0] > 1.0) ? 1 : 0; /* pairs (1,2),(3,0) or (0,1),(2,3) */
    put_segment(f, px, py, a, a + 1, lim);
    put_segment(f, px, py, (a + 2) % 4, (a + 3) % 4, lim);
    return 2;
}

/* The radius = 1 contour over the map (marching squares on the padded grid). */
static int write_radius_contour(FILE *f, const sweep_t *s, const grid_t *g, stab_info_t *in)
{
    double *R = NULL, lim[2] = {(double)g->n[0], (double)g->n[1]};
    int err;
    size_t w = g->n[0] + 2, h = g->n[1] + 2;
    FC_CALL(radius_grid(s, g, &R));
    for (size_t i = 0; i < w * h; i++)
        in->radius = in->radius || isfinite(R[i]);
    for (size_t j = 0; j + 1 < h; j++)
        for (size_t i = 0; i + 1 < w; i++)
            in->contour += contour_square(f, R, w, i, j, lim);
cleanup:
    fc_free(&R);
    return err;
}

static int write_theory(FILE *f, const char *dir, const sweep_t *s, const grid_t *g,
                        stab_info_t *info, int *nblock)
{
    int err = FC_OK;
    double *pen = NULL;
    info->has_rho = strcmp(s->t.cell[g->key[0]], "algorithm.penalty") == 0;
    FC_CALL(fc_alloc(g->n[0], sizeof(double), &pen));
    if (info->has_rho && axis_numbers(g, pen)) {
        info->pen_lo = INFINITY;
        info->pen_hi = -INFINITY;
        for (size_t i = 0; i < g->n[0]; i++) {
            info->pen_lo = fmin(info->pen_lo, pen[i]);
            info->pen_hi = fmax(info->pen_hi, pen[i]);
        }
        FC_CALL(write_rho_line(f, dir, s, g, pen, looks_log_spaced(pen, g->n[0]), &info->rho));
        if (info->rho.rows > 0) {
            info->label_left = info->rho.top_x > 0.5 * ((double)g->n[0] - 1.0);
            info->block[B_RHO] = (*nblock)++;
            fputs("\n\n", f);
        }
    } else {
        info->has_rho = false;
    }
    if (s->c_radius != NPOS) {
        FC_CALL(write_radius_contour(f, s, g, info));
        if (info->contour > 0) {
            info->block[B_RADIUS] = (*nblock)++;
            fputs("\n", f);
        }
    }
cleanup:
    fc_free(&pen);
    return err;
}

/* Canvas and text size: cells of about 95 x 70 pixels (the canvas grows with the grid,
 * within 1000..2600 x 700..1800), text shrunk until the longest line fits its cell. */
static void size_map(const sweep_t *s, const grid_t *g, stab_info_t *in)
{
    size_t nx = g->n[0], ny = g->n[1], longest = 1;
    in->width = (int)fmin(2600.0, fmax(1000.0, 300.0 + 95.0 * (double)nx));
    in->height = (int)fmin(1800.0, fmax(700.0, 280.0 + 70.0 * (double)ny));
    for (size_t r = 0; r < s->t.nrows; r++)
        for (int k = 0; k < 2; k++) {
            size_t len = 0; /* characters, not bytes: skip UTF-8 continuation bytes */
            for (const char *c = g->cell[r].text[k]; *c; c++)
                len += ((unsigned char)*c & 0xc0) != 0x80;
            if (len > longest) longest = len;
        }
    double cell_w = ((double)in->width - 330.0) / (double)nx;
    double cell_h = ((double)in->height - 260.0) / (double)ny;
    /* a Sans character is at most about 0.7 em wide, a line 1.25 em high (1 pt = 1 px) */
    double by_w = 0.85 * cell_w / (0.7 * (double)longest), by_h = 0.8 * cell_h / (2 * 1.25);
    in->font = fmax(6.0, fmin(13.0, fmin(by_w, by_h)));
}

static int write_stability_data(FILE *f, const char *dir, const sweep_t *s, grid_t *g,
                                stab_info_t *info)
{
    int nblock = 0;
    for (int b = 0; b < B_N; b++)
        info->block[b] = -1;
    cell_ranges(s, g, info);
    size_map(s, g, info);
    write_cells(f, s, g, info, &nblock);
    return write_theory(f, dir, s, g, info, &nblock);
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
    put_tics(f, "x", g, 0);
    put_sq(f, s->t.cell[g->key[0]]);
    fputc('\n', f);
    if (g->n[0] > 8) fputs("set xtics rotate by 30 right\n", f);
    put_tics(f, "y", g, 1);
    put_sq(f, s->t.cell[g->key[1]]);
    fprintf(f, "\nset cbrange [%.17g:%.17g]\n", in->r_lo, in->r_hi);
    if (in->r_hi >= 10.0 * in->r_lo) fputs("set logscale cb\n", f);
    fputs("set cblabel 'rounds to tolerance (≈: projected)'\n"
          "set palette defined (0 '#1a9850', 0.5 '#fee08b', 1 '#f46d43')\n"
          "set tics out nomirror\nset style textbox opaque noborder\n",
          f);
    /* the legend (three rows at most) under the x label, with room kept for both */
    fprintf(f,
            "set key at screen 0.5, screen 0.012 center bottom horizontal maxrows 3 font ',9'\n"
            "set bmargin at screen %.4f\nset tmargin at screen %.4f\n",
            (g->n[0] > 8 ? 150.0 : 125.0) / in->height, 1.0 - 45.0 / in->height);
    if (!in->kinds[CELL_TOL] && !in->kinds[CELL_PROJ]) fputs("unset colorbox\n", f);
}

static void put_stability_title(FILE *f, const char *dir, const stab_info_t *in)
{
    char note[TITLE_CAP] = "";
    if (in->has_rho && in->rho.rows == 0 && isfinite(in->rho.rho))
        snprintf(note, sizeof note,
                 " (Tseng's 2δ/(αK) = %.3g lies outside the swept penalties %.3g…%.3g)",
                 in->rho.rho, in->pen_lo, in->pen_hi);
    else if (in->radius && in->contour == 0)
        snprintf(note, sizeof note, " (the linearised radius does not cross 1 here)");
    fputs("set title ", f);
    put_sq(f, dir);
    /* Two lines: a long folder name would push one line off the picture. */
    fputs(" . \"\\n\" . 'stability: rounds to tolerance, else the verdict and final gap' . ", f);
    put_sq(f, note);
    fputc('\n', f);
    if (in->block[B_RHO] < 0) return;
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

/* Legend entries of the cell kinds present. */
static void put_cell_keys(FILE *f, const stab_info_t *in, bool *first)
{
    static const char *const what[CELL_NKIND] = {
        "n: reached tolerance in n rounds",
        "≈n: converging, projected rounds (r: rate)",
        "osc p: oscillating with period p (shade, text: final gap)",
        "S: stalled (shade, text: final gap)",
        "D: diverged",
        "?: invalid or error"};
    static const char *const fill[CELL_NKIND] = {"fc palette frac 0.2", "fc palette frac 0.8",
                                                 "fc rgb '#9970ab'",    "fc rgb '#969696'",
                                                 "fc rgb '#67001f'",    "fc rgb '#c6dbef'"};
    for (int k = 0; k < CELL_NKIND; k++) {
        if (!in->kinds[k]) continue;
        fprintf(f, "%skeyentry with boxes fs solid 1.0 %s title ", *first ? "plot " : ", \\\n    ",
                fill[k]);
        put_sq(f, what[k]);
        *first = false;
    }
}

static void put_stability_plot(FILE *f, const stab_info_t *in)
{
    bool first = true;
    const char *sep = ", \\\n    ";
    put_cell_keys(f, in, &first);
    if (in->block[B_PAL] >= 0)
        fprintf(f,
                "%s'stability.dat' index %d using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 "
                "border lc rgb 'white' lc palette notitle",
                first ? "plot " : sep, in->block[B_PAL]),
            first = false;
    if (in->block[B_SHADE] >= 0)
        fprintf(f,
                "%s'stability.dat' index %d using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 "
                "border lc rgb 'white' lc rgb variable notitle",
                first ? "plot " : sep, in->block[B_SHADE]),
            first = false;
    if (in->block[B_RHO] >= 0)
        fprintf(f,
                "%s'stability.dat' index %d using 1:2 with lines dt 2 lw 2.5 lc rgb 'black' "
                "title 'Tseng: αρ = 2δ/K'",
                first ? "plot " : sep, in->block[B_RHO]),
            first = false;
    if (in->block[B_RADIUS] >= 0)
        fprintf(f,
                "%s'stability.dat' index %d using 1:2 with lines dt 1 lw 3 lc rgb '#08306b' "
                "title 'linearised spectral radius = 1'",
                first ? "plot " : sep, in->block[B_RADIUS]),
            first = false;
    /* the text last, over the theory lines */
    for (int b = B_TEXT_DARK; b <= B_TEXT_LIGHT; b++)
        if (in->block[b] >= 0)
            fprintf(f,
                    "%s'stability.dat' index %d using 1:2:(strcol(4) eq '-' ? strcol(3) : "
                    "strcol(3).\"\\n\".strcol(4)) with labels font ',%.1f' tc rgb '%s' notitle",
                    first ? "plot " : sep, in->block[b], in->font,
                    b == B_TEXT_DARK ? "black" : "white"),
                first = false;
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
    err = finish_file(f, p->plot, "stability.dat", write_stability_data(f, p->dir, s, &g, &info));
    f = NULL;
    FC_CALL(err);
    FC_CALL(open_out(p->plot, "stability.gp", &f));
    put_preamble(f, p->abs, "stability.png.tmp", info.width, info.height);
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

/* ---------------------------------------------------------------- several runs */

/* Config keys that do not change the numbers, or always differ between folders. */
static bool key_ignored(const char *section, const char *key)
{
    return name_is(section, "output") ||
           (name_is(section, "run") && (name_is(key, "resume") || name_is(key, "threads")));
}

/* Is section.key the same text in every summary (absent counts as a value)? */
static bool same_everywhere(cJSON *const *sum, int n, const char *section, const char *key)
{
    const char *first = sum[0] ? config_str(sum[0], section, key) : NULL;
    for (int i = 1; i < n; i++) {
        const char *v = sum[i] ? config_str(sum[i], section, key) : NULL;
        if ((v == NULL) != (first == NULL) || (v && strcmp(v, first) != 0)) return false;
    }
    return true;
}

static bool have_key(const labels_t *L, const char *name)
{
    for (size_t j = 0; j < L->nkeys; j++)
        if (name_is(L->key[j], name)) return true;
    return false;
}

/* The legend keys of a comparison: every config key in which the runs differ. */
static void compare_labels(cJSON *const *sum, int n, labels_t *L)
{
    L->nkeys = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *cfg = sum[i] ? cJSON_GetObjectItemCaseSensitive(sum[i], "config") : NULL;
        const cJSON *sec, *it;
        cJSON_ArrayForEach(sec, cfg) cJSON_ArrayForEach(it, sec)
        {
            char name[NAME_CAP];
            if (!sec->string || !it->string || key_ignored(sec->string, it->string)) continue;
            snprintf(name, sizeof name, "%s.%s", sec->string, it->string);
            if (L->nkeys == KEY_MAX || have_key(L, name) ||
                same_everywhere(sum, n, sec->string, it->string))
                continue;
            copy_str(L->key[L->nkeys++], NAME_CAP, name);
        }
    }
}

/* The last component of a path, for legends. */
static const char *base_name(const char *path)
{
    const char *b = path, *p;
    for (p = path; *p; p++)
        if (*p == '/' && p[1]) b = p + 1;
    return b;
}

/* Legend entries of a comparison: the differing keys each run uses; the folder name when
 * two entries would read the same. */
static void compare_titles(const labels_t *L, curve_t *c, cJSON *const *sum, int n,
                           const char *const *dirs)
{
    for (int i = 0; i < n; i++) {
        for (size_t j = 0; j < L->nkeys; j++) {
            const char *dot = strchr(L->key[j], '.');
            char section[NAME_CAP];
            snprintf(section, sizeof section, "%.*s", (int)(dot - L->key[j]), L->key[j]);
            const char *v = sum[i] ? config_str(sum[i], section, dot + 1) : NULL;
            copy_str(c[i].val[j], VAL_CAP, v ? v : "-");
        }
        make_title(L, &c[i], base_name(dirs[i]));
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++)
            if (k != i && strcmp(c[i].title, c[k].title) == 0) {
                size_t len = strlen(c[i].title);
                snprintf(c[i].title + len, sizeof c[i].title - len, " [%s]", dirs[i]);
                break;
            }
}

int fc_plot_compare(int n, const char *const *dirs, const char *out_dir)
{
    plot_ctx_t p;
    curve_t *c = NULL;
    cJSON **sum = NULL;
    labels_t L = {0};
    char title[TITLE_CAP], path[PATH_CAP];
    int err;
    if (n < 1) return fc_err_set(FC_EINVAL, "plot: no run folders to compare");
    FC_CALL(fc_calloc((size_t)n, sizeof *c, &c));
    FC_CALL(fc_calloc((size_t)n, sizeof *sum, &sum));
    for (int i = 0; i < n; i++) {
        FC_CALL(join_path(path, dirs[i], "metrics.csv"));
        if (!file_exists(path)) FC_FAIL(FC_EIO, "%s: not a run folder (no metrics.csv)", dirs[i]);
        FC_CALL(load_run(dirs[i], &c[i], &sum[i]));
        c[i].cval = NAN;
    }
    FC_CALL(ensure_dir(out_dir));
    FC_CALL(make_plot_dir(&p, out_dir));
    compare_labels(sum, n, &L);
    compare_titles(&L, c, sum, n, dirs);
    snprintf(title, sizeof title, "comparison of %d runs", n);
    FC_CALL(plot_convergence(&p, c, (size_t)n, title, &L, ""));
cleanup:
    for (int i = 0; c && i < n; i++) {
        curve_free(&c[i]);
        cJSON_Delete(sum ? sum[i] : NULL);
    }
    fc_free(&c);
    fc_free(&sum);
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
