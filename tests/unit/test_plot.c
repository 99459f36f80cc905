/* test_plot.c — fc_plot_dir and fc_plot_compare on small fake run and sweep folders: every
 * plot kind is a valid PNG of the documented size drawn without a gnuplot warning, the
 * ρ = 2δ/K line and the radius = 1 contour land where interpolation puts them, gaps ≤ 0
 * are marked, bad input and unwritable folders are errors, not crashes. */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fc_error.h"
#include "fc_file.h"
#include "fc_mem.h"
#include "fc_plot.h"
#include "fc_testutil.h"

enum { PATH_LEN = 4096 };

static void path_join(char *buf, const char *dir, const char *name)
{
    int n = snprintf(buf, PATH_LEN, "%s/%s", dir, name);
    ck_assert(n > 0 && n < PATH_LEN);
}

/* rm -r path (only what the tests made; on a failed check the folder stays for a look). */
static void rm_tree(const char *path)
{
    struct stat st;
    if (getenv("FC_PLOT_KEEP")) return; /* to look at the PNGs */
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        char sub[PATH_LEN];
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            path_join(sub, path, e->d_name);
            rm_tree(sub);
        }
        if (d) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void write_in(const char *dir, const char *name, const char *text)
{
    char path[PATH_LEN];
    path_join(path, dir, name);
    fc_test_write_file(path, text);
}

/* A folder with a space in its name: paths reach gnuplot as arguments, not shell text. */
static void make_dir(char *buf, const char *parent, const char *name)
{
    path_join(buf, parent, name);
    ck_assert_int_eq(mkdir(buf, 0777), 0);
}

static void write_summary(const char *dir, const char *status, double delta, int K,
                          const char *extra_config)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\n\t\"config\": {\n\t\t\"model\": {\"type\": \"logistic\", \"prior_precision\": "
             "\"%g\"},\n\t\t\"partition\": {\"clients\": \"%d\"}%s\n\t},\n\t\"status\": "
             "\"%s\",\n\t\"theta_star_objective\": 10.0\n}\n",
             delta, K, extra_config, status);
    write_in(dir, "summary.json", text);
}

/* metrics.csv whose gap behaves as gap0 * rate^t (objective = 10 + gap), n rows. A gap that
 * reaches exactly 0 and one a hair below it exercise the log-scale floor. */
static void write_metrics(const char *dir, int n, double gap0, double rate, int exact_end)
{
    size_t cap = 256 + (size_t)n * 256, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)snprintf(text, cap,
                            "round,seconds,objective,grad_norm,dist_to_opt,correction,"
                            "test_loss,test_accuracy,bytes\n");
    for (int t = 0; t < n; t++) {
        double gap = gap0 * pow(rate, t);
        if (exact_end && t == n - 2) gap = 0.0;
        if (exact_end && t == n - 1) gap = -1e-15;
        char corr[32] = "";
        if (t > 0) snprintf(corr, sizeof corr, "%.6g", 0.5 * gap0 * pow(rate, t));
        len += (size_t)snprintf(text + len, cap - len, "%d,%.6f,%.17g,%.6g,%.6g,%s,0.5,%.4f,%d\n",
                                t, 0.01 * t, 10.0 + gap, 2.0 * fabs(gap), sqrt(fabs(gap)), corr,
                                0.9 - 0.3 / (1.0 + t), 1000 * t);
    }
    write_in(dir, "metrics.csv", text);
    free(text);
}

/* Big-endian 32-bit integer at p. */
static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* dir/name is a PNG of w x h pixels (signature, then the IHDR chunk). */
static void assert_png_size(const char *dir, const char *name, unsigned w, unsigned h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    char path[PATH_LEN];
    unsigned char head[24] = {0};
    struct stat st;
    path_join(path, dir, name);
    ck_assert_msg(stat(path, &st) == 0, "%s missing", path);
    ck_assert_msg(st.st_size > 1000, "%s is only %lld bytes", path, (long long)st.st_size);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(head, 1, 24, f), 24);
    fclose(f);
    ck_assert_msg(memcmp(head, sig, 8) == 0, "%s is not a PNG", path);
    ck_assert_msg(memcmp(head + 12, "IHDR", 4) == 0, "%s: no IHDR chunk first", path);
    if (w) {
        ck_assert_msg(be32(head + 16) == w && be32(head + 20) == h, "%s is %ux%u, expected %ux%u",
                      path, be32(head + 16), be32(head + 20), w, h);
    }
}

/* gnuplot said nothing while drawing dir/name.png: its output is in dir/plot/name.log. */
static void assert_quiet_gnuplot(const char *dir, const char *name)
{
    char path[PATH_LEN], rel[128], text[512] = "";
    snprintf(rel, sizeof rel, "plot/%s.log", name);
    path_join(path, dir, rel);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s missing", path);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    ck_assert_msg(n == 0, "gnuplot wrote to %s: %s", path, text);
}

/* Every PNG of a convergence plot: valid, 1400 x 1050, drawn without a gnuplot warning. */
static void assert_convergence_pngs(const char *dir)
{
    assert_png_size(dir, "convergence.png", 1400, 1050);
    assert_png_size(dir, "convergence_bytes.png", 1400, 1050);
    assert_quiet_gnuplot(dir, "convergence");
    assert_quiet_gnuplot(dir, "convergence_bytes");
}

static int exists(const char *dir, const char *name)
{
    char path[PATH_LEN];
    struct stat st;
    path_join(path, dir, name);
    return stat(path, &st) == 0;
}

/* The fake 2x3 AMA sweep: damping (outer) x penalty (inner, log-spaced 0.1, 1, 10), δ = 1,
 * K = 8, so Tseng's ρ = 2δ/(αK) is 0.5 in the damping-0.5 row — log(5)/log(10) ≈ 0.699 of
 * the way from 0.1 to 1 — and 1/6 in the damping-1.5 row. Cell (damping 1.5, penalty 0.1)
 * diverged; (0.5, 10) never reached tolerance. */
static void make_sweep(char *sweep, const char *parent)
{
    static const char *const status[6] = {"converged", "converged", "max_rounds",
                                          "diverged",  "converged", "converged"};
    static const int tol[6] = {12, 25, -1, -1, 8, 40};
    char run[PATH_LEN], name[16], text[2048];
    size_t len = 0;
    make_dir(sweep, parent, "my sweep");
    len += (size_t)snprintf(text, sizeof text,
                            "algorithm.damping,algorithm.penalty,status,trend,rounds,"
                            "rounds_to_tol,objective_gap,correction,dir\n");
    for (int i = 0; i < 6; i++) {
        const char *damp = i < 3 ? "0.5" : "1.5", *pen[3] = {"0.1", "1", "10"};
        char t[16] = "";
        if (tol[i] >= 0) snprintf(t, sizeof t, "%d", tol[i]);
        snprintf(name, sizeof name, "run%03d", i);
        len += (size_t)snprintf(text + len, sizeof text - len, "%s,%s,%s,%s,%d,%s,1e-9,1e-5,%s\n",
                                damp, pen[i % 3], status[i], i == 2 ? "stalled" : "",
                                tol[i] >= 0 ? tol[i] : 60, t, name);
        make_dir(run, sweep, name);
        char algo[128];
        snprintf(algo, sizeof algo,
                 ",\n\t\t\"algorithm\": {\"name\": \"ama\", \"damping\": \"%s\"}", damp);
        write_summary(run, status[i], 1.0, 8, algo);
        if (i == 3)
            write_metrics(run, 15, 1e-2, 4.0, 0); /* blows up */
        else
            write_metrics(run, tol[i] >= 0 ? tol[i] + 1 : 61, 1.0,
                          tol[i] >= 0 ? pow(1e-10, 1.0 / tol[i]) : 0.9, 0);
    }
    write_in(sweep, "sweep.csv", text);
}

/* Field col (1-based) of the data rows of block `block` of a gnuplot data file, as text;
 * returns how many rows the block has (texts into out[0..cap-1]). */
static size_t block_field(const char *path, int block, int col, char out[][32], size_t cap)
{
    char line[512];
    int blanks = 0, cur = 0;
    size_t rows = 0;
    bool started = false;
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\n') {
            blanks++;
            continue;
        }
        if (started && blanks >= 2) cur++;
        started = true;
        blanks = 0;
        if (cur != block) continue;
        char *tok = strtok(line, " \n");
        for (int k = 1; tok && k < col; k++)
            tok = strtok(NULL, " \n");
        if (rows < cap) snprintf(out[rows], 32, "%s", tok ? tok : "");
        rows++;
    }
    fclose(f);
    return rows;
}

START_TEST(run_folder_gives_convergence_pngs)
{
    char tmp[PATH_LEN], run[PATH_LEN], dat[PATH_LEN], gap[40][32], mark[40][32];
    fc_test_tmpdir(tmp, sizeof tmp);
    make_dir(run, tmp, "my run");
    write_metrics(run, 30, 1.0, 0.3, 1); /* the last two gaps are 0 and −1e-15 */
    write_summary(run, "converged", 1.0, 8, "");
    ck_assert_msg(fc_plot_dir(run) == FC_OK, "%s", fc_err_msg());
    assert_convergence_pngs(run);
    ck_assert(!exists(run, "stability.png"));
    ck_assert(exists(run, "plot/convergence.gp"));
    /* the gaps ≤ 0 are marked (column 4), not drawn at a clamped value (column 3) */
    path_join(dat, run, "plot/convergence.dat");
    ck_assert_uint_eq(block_field(dat, 0, 3, gap, 40), 30);
    ck_assert_uint_eq(block_field(dat, 0, 4, mark, 40), 30);
    for (int t = 0; t < 30; t++) {
        bool nonpos = t >= 28;
        ck_assert_msg(nonpos == (strcmp(gap[t], "?") == 0), "row %d: gap '%s'", t, gap[t]);
        ck_assert_msg(nonpos == (strcmp(mark[t], "?") != 0), "row %d: mark '%s'", t, mark[t]);
    }
    ck_assert_double_eq_tol(strtod(gap[1], NULL), 0.3, 1e-12); /* F − F* = 0.3^1 */
    rm_tree(tmp);
}
END_TEST

START_TEST(run_without_reference_or_rows_still_plots)
{
    char tmp[PATH_LEN], run[PATH_LEN];
    fc_test_tmpdir(tmp, sizeof tmp);
    make_dir(run, tmp, "empty");
    write_in(run, "metrics.csv",
             "round,seconds,objective,grad_norm,dist_to_opt,correction,"
             "test_loss,test_accuracy,bytes\n");
    write_in(run, "summary.json", "{\"status\": \"diverged\", \"theta_star_objective\": null}");
    ck_assert_msg(fc_plot_dir(run) == FC_OK, "%s", fc_err_msg());
    assert_convergence_pngs(run);
    /* a run without a reference: the gap and distance panels say so, the rest is drawn */
    make_dir(run, tmp, "noref");
    write_metrics(run, 20, 1.0, 0.5, 0);
    write_in(run, "summary.json", "{\"status\": \"max_rounds\", \"theta_star_objective\": null}");
    ck_assert_msg(fc_plot_dir(run) == FC_OK, "%s", fc_err_msg());
    assert_convergence_pngs(run);
    rm_tree(tmp);
}
END_TEST

/* The ρ line's x in its first row (plot/stability.dat: the last block, two points per row). */
static double rho_line_x(const char *sweep)
{
    char path[PATH_LEN], line[256];
    double x = NAN, y;
    int blanks = 0;
    path_join(path, sweep, "plot/stability.dat");
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\n') {
            blanks++;
            continue;
        }
        if (blanks >= 2) x = NAN; /* a new block starts */
        blanks = 0;
        if (isnan(x) && sscanf(line, "%lf %lf", &x, &y) != 2) x = NAN;
    }
    fclose(f);
    return x;
}

/* Stability map size for nx x ny cells, as fc_plot.h documents it. */
static void map_size(unsigned nx, unsigned ny, unsigned *w, unsigned *h)
{
    *w = 300 + 95 * nx < 1000 ? 1000 : 300 + 95 * nx > 2600 ? 2600 : 300 + 95 * nx;
    *h = 280 + 70 * ny < 700 ? 700 : 280 + 70 * ny > 1800 ? 1800 : 280 + 70 * ny;
}

START_TEST(old_sweep_with_trend_gives_all_pngs)
{
    char tmp[PATH_LEN], sweep[PATH_LEN];
    unsigned w, h;
    fc_test_tmpdir(tmp, sizeof tmp);
    make_sweep(sweep, tmp);
    ck_assert_msg(fc_plot_dir(sweep) == FC_OK, "%s", fc_err_msg());
    assert_convergence_pngs(sweep);
    map_size(3, 2, &w, &h);
    assert_png_size(sweep, "stability.png", w, h);
    assert_quiet_gnuplot(sweep, "stability");
    ck_assert_double_eq_tol(rho_line_x(sweep), log(5.0) / log(10.0), 1e-9);
    rm_tree(tmp);
}
END_TEST

/* A 9 x 3 AMA sweep in today's format: verdict columns and a radius column. Penalty i
 * (x) has radius 0.55 + 0.1 i in every row, so the radius = 1 contour is the line
 * x = 4 + (1 − 0.95) / (1.05 − 0.95) = 4.5. Cells cycle through every verdict. */
static void make_verdict_sweep(char *sweep, const char *parent, int nx, int ny, int runs_with_dir)
{
    static const char *const row_kind[6] = {
        "converged,converged,0.6,,,",      "max_rounds,converging,0.99318,,,2487",
        "max_rounds,oscillating,1,2,5e5,", "max_rounds,stalled,1,,,",
        "diverged,diverged,,,,",           "max_rounds,oscillating,1,,4.4,"};
    size_t cap = 4096 + (size_t)(nx * ny) * 256, len = 0;
    char *text = malloc(cap), run[PATH_LEN], name[16];
    ck_assert_ptr_nonnull(text);
    make_dir(sweep, parent, "verdicts");
    len += (size_t)snprintf(text, cap,
                            "algorithm.damping,algorithm.penalty,status,verdict,rate,period,"
                            "amplitude,projected_rounds,radius,reason,rounds,rounds_to_tol,"
                            "objective_gap,correction,dir\n");
    for (int j = 0, r = 0; j < ny; j++)
        for (int i = 0; i < nx; i++, r++) {
            int k = (i + j) % 6;
            char tol[16] = "", dir[16] = "";
            if (k == 0) snprintf(tol, sizeof tol, "%d", 20 + 37 * r);
            if (r < runs_with_dir) snprintf(dir, sizeof dir, "run%03d", r);
            len +=
                (size_t)snprintf(text + len, cap - len, "%.2g,%.3g,%s,%.17g,,%d,%s,%.3g,1e-5,%s\n",
                                 0.25 * (j + 1), 0.01 * pow(2.0, i), row_kind[k], 0.55 + 0.1 * i,
                                 k == 0 ? 20 + 37 * r : 2000, tol, pow(10.0, (double)(i - j)), dir);
            if (r >= runs_with_dir) continue;
            snprintf(name, sizeof name, "run%03d", r);
            make_dir(run, sweep, name);
            write_summary(run, "max_rounds", 1.0, 8,
                          ",\n\t\t\"algorithm\": {\"name\": \"ama\", \"damping\": \"1\"}");
            /* every third run has the same curve as the one before: coinciding curves */
            write_metrics(run, 40, 1.0, 0.6 + 0.01 * (double)(r - r % 3 / 2), 0);
        }
    write_in(sweep, "sweep.csv", text);
    free(text);
}

/* Points of the radius contour (the last block of stability.dat), each checked to be at
 * x_want. */
static size_t contour_points_at(const char *sweep, double x_want)
{
    char path[PATH_LEN], line[256];
    size_t n = 0, off = 0; /* points in the current block, and of them not at x_want */
    int blanks = 0;
    path_join(path, sweep, "plot/stability.dat");
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof line, f)) {
        double x, y;
        if (line[0] == '\n') {
            blanks++;
            continue;
        }
        if (blanks >= 2) n = off = 0; /* a new block: count only the last one */
        blanks = 0;
        n++;
        off += !(sscanf(line, "%lf %lf", &x, &y) == 2 && fabs(x - x_want) < 1e-12);
    }
    fclose(f);
    ck_assert_msg(off == 0, "%zu of %zu contour points are not at x = %g", off, n, x_want);
    return n;
}

START_TEST(verdict_sweep_map_with_radius_contour)
{
    char tmp[PATH_LEN], sweep[PATH_LEN];
    unsigned w, h;
    fc_test_tmpdir(tmp, sizeof tmp);
    make_verdict_sweep(sweep, tmp, 9, 3, 27);
    ck_assert_msg(fc_plot_dir(sweep) == FC_OK, "%s", fc_err_msg());
    assert_convergence_pngs(sweep);
    map_size(9, 3, &w, &h);
    assert_png_size(sweep, "stability.png", w, h);
    assert_quiet_gnuplot(sweep, "stability");
    /* Tseng's 2δ/(αK) = 0.25 lies inside the penalties 0.01..2.56 and its line is written
     * before the contour, which is the last block */
    /* one segment per pair of neighbouring rows of the padded grid (ny + 1), two ends each */
    ck_assert_uint_eq(contour_points_at(sweep, 4.5), 2 * (3 + 1));
    rm_tree(tmp);
}
END_TEST

/* More than 24 runs (a 6 x 5 sweep, some curves coinciding): no legend but a colour bar. */
START_TEST(large_sweep_colours_by_a_key)
{
    char tmp[PATH_LEN], sweep[PATH_LEN], gp[PATH_LEN];
    unsigned w, h;
    fc_test_tmpdir(tmp, sizeof tmp);
    make_verdict_sweep(sweep, tmp, 6, 5, 28); /* two rows without a run folder */
    ck_assert_msg(fc_plot_dir(sweep) == FC_OK, "%s", fc_err_msg());
    assert_convergence_pngs(sweep);
    map_size(6, 5, &w, &h);
    assert_png_size(sweep, "stability.png", w, h);
    assert_quiet_gnuplot(sweep, "stability");
    path_join(gp, sweep, "plot/convergence.gp");
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(fc_read_file(gp, 1 << 22, &text, &len), FC_OK);
    ck_assert_ptr_nonnull(strstr(text, "set cblabel 'penalty'"));
    ck_assert_ptr_null(strstr(text, "keyentry with linespoints")); /* no per-run legend */
    fc_free(&text);
    rm_tree(tmp);
}
END_TEST

START_TEST(one_key_sweep_has_no_stability_map)
{
    char tmp[PATH_LEN], sweep[PATH_LEN], run[PATH_LEN];
    fc_test_tmpdir(tmp, sizeof tmp);
    make_dir(sweep, tmp, "s1");
    write_in(sweep, "sweep.csv",
             "algorithm.name,status,trend,rounds,rounds_to_tol,objective_gap,correction,dir\n"
             "fpc,converged,,9,9,1e-12,1e-9,run000\n"
             "nosuch,invalid,,0,,,,run001\n");
    make_dir(run, sweep, "run000");
    write_metrics(run, 10, 1.0, 0.1, 0);
    write_summary(run, "converged", 1.0, 4, "");
    ck_assert_msg(fc_plot_dir(sweep) == FC_OK, "%s", fc_err_msg());
    assert_convergence_pngs(sweep);
    ck_assert(!exists(sweep, "stability.png"));
    rm_tree(tmp);
}
END_TEST

/* Three runs that were not one sweep, two with the same curve (ADMM and AMA): drawn
 * together; the legend names the keys that differ, without a family for ADMM/AMA. */
START_TEST(compare_runs_across_folders)
{
    static const char *const algo[3] = {
        ",\n\t\t\"algorithm\": {\"name\": \"fpc\", \"family\": \"full\", \"penalty\": \"1\"}",
        ",\n\t\t\"algorithm\": {\"name\": \"admm\", \"family\": \"full\", \"penalty\": \"0.5\"}",
        ",\n\t\t\"algorithm\": {\"name\": \"ama\", \"family\": \"iso\", \"penalty\": \"0.5\"}"};
    char tmp[PATH_LEN], dirs[3][PATH_LEN], out[PATH_LEN], gp[PATH_LEN], name[8];
    const char *d[3] = {dirs[0], dirs[1], dirs[2]};
    fc_test_tmpdir(tmp, sizeof tmp);
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "r%d", i);
        make_dir(dirs[i], tmp, name);
        write_metrics(dirs[i], 50, 1.0, i ? 0.8 : 0.7, 0);
        write_summary(dirs[i], "converged", 1.0, 8, algo[i]);
    }
    path_join(out, tmp, "cmp/deeper");
    ck_assert_msg(fc_plot_compare(3, d, out) == FC_OK, "%s", fc_err_msg());
    assert_convergence_pngs(out);
    path_join(gp, out, "plot/convergence.gp");
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(fc_read_file(gp, 1 << 22, &text, &len), FC_OK);
    ck_assert_ptr_nonnull(strstr(text, "title 'name=fpc family=full'"));
    ck_assert_ptr_nonnull(strstr(text, "title 'name=admm penalty=0.5'"));
    ck_assert_ptr_nonnull(strstr(text, "title 'name=ama penalty=0.5'"));
    fc_free(&text);
    rm_tree(tmp);
}
END_TEST

START_TEST(compare_needs_run_folders)
{
    char tmp[PATH_LEN], run[PATH_LEN], empty[PATH_LEN], out[PATH_LEN];
    fc_test_tmpdir(tmp, sizeof tmp);
    make_dir(run, tmp, "r");
    write_metrics(run, 5, 1.0, 0.5, 0);
    make_dir(empty, tmp, "nothing here");
    const char *d[2] = {run, empty};
    path_join(out, tmp, "out");
    ck_assert_int_eq(fc_plot_compare(2, d, out), FC_EIO);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "nothing here: not a run folder"));
    ck_assert_int_eq(fc_plot_compare(0, d, out), FC_EINVAL);
    rm_tree(tmp);
}
END_TEST

/* Issue 9 item 3: a plot folder that cannot be written is FC_EIO naming the path (a file in
 * the way works even for root, whom permissions do not stop). */
START_TEST(unwritable_plot_folder_is_eio)
{
    char tmp[PATH_LEN], run[PATH_LEN], blocker[PATH_LEN], out[PATH_LEN];
    fc_test_tmpdir(tmp, sizeof tmp);
    make_dir(run, tmp, "r");
    write_metrics(run, 5, 1.0, 0.5, 0);
    write_in(run, "plot", "a file where the plot folder goes\n");
    ck_assert_int_eq(fc_plot_dir(run), FC_EIO);
    path_join(blocker, run, "plot");
    ck_assert_msg(strstr(fc_err_msg(), blocker), "message '%s' does not name %s", fc_err_msg(),
                  blocker);
    const char *d[1] = {run};
    path_join(out, blocker, "cmp"); /* under a regular file */
    ck_assert_int_eq(fc_plot_compare(1, d, out), FC_EIO);
    ck_assert_msg(strstr(fc_err_msg(), blocker), "message '%s' does not name %s", fc_err_msg(),
                  blocker);
    rm_tree(tmp);
}
END_TEST

START_TEST(folder_without_csv_is_eio)
{
    char tmp[PATH_LEN];
    fc_test_tmpdir(tmp, sizeof tmp);
    ck_assert_int_eq(fc_plot_dir(tmp), FC_EIO);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "nothing to plot"));
    ck_assert_int_eq(fc_plot_dir("/nonexistent/fedpc/folder"), FC_EIO);
    rm_tree(tmp);
}
END_TEST

START_TEST(corrupt_sweep_csv_is_an_error)
{
    static const char *const bad[] = {
        ("algorithm.penalty,status,trend,rounds,rounds_to_tol,objective_gap,correction,dir\n"
         "0.1,converged,,9,9\n"),            /* short row */
        "penalty,rounds\n0.1,3\n",           /* not a sweep table */
        "",                                  /* empty */
        "\x89PNG\r\n\x1a\n\x01\x02,,,\n,\n", /* binary junk */
    };
    char tmp[PATH_LEN], dir[PATH_LEN], name[16];
    fc_test_tmpdir(tmp, sizeof tmp);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(name, sizeof name, "bad%zu", i);
        make_dir(dir, tmp, name);
        write_in(dir, "sweep.csv", bad[i]);
        int err = fc_plot_dir(dir);
        ck_assert_msg(err == FC_EDATA, "case %zu: %s (%s)", i, fc_errname(err), fc_err_msg());
        ck_assert_ptr_nonnull(strstr(fc_err_msg(), "sweep.csv"));
    }
    rm_tree(tmp);
}
END_TEST

START_TEST(corrupt_metrics_is_an_error)
{
    char tmp[PATH_LEN], run[PATH_LEN];
    fc_test_tmpdir(tmp, sizeof tmp);
    make_dir(run, tmp, "r");
    write_in(run, "metrics.csv",
             "round,seconds,objective,grad_norm,dist_to_opt,correction,"
             "test_loss,test_accuracy,bytes\n0,0.1,abc,1,1,,,,0\n");
    ck_assert_int_eq(fc_plot_dir(run), FC_EDATA);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "abc"));
    write_in(run, "metrics.csv", "round,seconds,objective,grad_norm\n0,0.1,1,1\n");
    ck_assert_int_eq(fc_plot_dir(run), FC_EDATA);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "correction"));
    rm_tree(tmp);
}
END_TEST

/* fc_plot_dir on run with PATH set to path: the error code it gives. */
static int plot_with_path(const char *run, const char *path)
{
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    ck_assert_int_eq(setenv("PATH", path, 1), 0);
    int err = fc_plot_dir(run);
    if (saved) setenv("PATH", saved, 1); /* matters under CK_FORK=no */
    free(saved);
    return err;
}

START_TEST(missing_gnuplot_is_eio)
{
    char tmp[PATH_LEN], run[PATH_LEN];
    fc_test_tmpdir(tmp, sizeof tmp);
    make_dir(run, tmp, "r");
    write_metrics(run, 5, 1.0, 0.5, 0);
    ck_assert_int_eq(plot_with_path(run, tmp), FC_EIO); /* a folder with no gnuplot in it */
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "gnuplot not found (apt-get install gnuplot-nox)"));
    rm_tree(tmp);
}
END_TEST

START_TEST(failing_gnuplot_is_eio_with_its_message)
{
    char tmp[PATH_LEN], run[PATH_LEN], bin[PATH_LEN], fake[PATH_LEN];
    fc_test_tmpdir(tmp, sizeof tmp);
    make_dir(run, tmp, "r");
    write_metrics(run, 5, 1.0, 0.5, 0);
    make_dir(bin, tmp, "bin");
    path_join(fake, bin, "gnuplot");
    fc_test_write_file(fake, "#!/bin/sh\necho \"line 3: kaboom\" >&2\nexit 1\n");
    ck_assert_int_eq(chmod(fake, 0755), 0);
    ck_assert_int_eq(plot_with_path(run, bin), FC_EIO);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "kaboom"));
    ck_assert(!exists(run, "convergence.png"));
    rm_tree(tmp);
}
END_TEST

/* The tests that draw need gnuplot on PATH; without it they are left out (with a note). */
static int have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char exe[PATH_LEN];
    while (path && *path) {
        size_t n = strcspn(path, ":"); /* an empty entry is the current folder */
        snprintf(exe, sizeof exe, "%.*s/gnuplot", n ? (int)n : 1, n ? path : ".");
        if (access(exe, X_OK) == 0) return 1; /* (no ck_assert here: not inside a test) */
        path += n + (path[n] == ':');
    }
    return 0;
}

int main(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    if (have_gnuplot()) {
        tcase_add_test(tc, run_folder_gives_convergence_pngs);
        tcase_add_test(tc, run_without_reference_or_rows_still_plots);
        tcase_add_test(tc, old_sweep_with_trend_gives_all_pngs);
        tcase_add_test(tc, verdict_sweep_map_with_radius_contour);
        tcase_add_test(tc, large_sweep_colours_by_a_key);
        tcase_add_test(tc, one_key_sweep_has_no_stability_map);
        tcase_add_test(tc, compare_runs_across_folders);
    } else {
        fprintf(stderr, "test_plot: gnuplot not on PATH, drawing tests left out\n");
    }
    tcase_add_test(tc, folder_without_csv_is_eio);
    tcase_add_test(tc, corrupt_sweep_csv_is_an_error);
    tcase_add_test(tc, corrupt_metrics_is_an_error);
    tcase_add_test(tc, compare_needs_run_folders);
    tcase_add_test(tc, unwritable_plot_folder_is_eio);
    tcase_add_test(tc, missing_gnuplot_is_eio);
    tcase_add_test(tc, failing_gnuplot_is_eio_with_its_message);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
