/* test_plot.c — fc_plot_dir on small fake run and sweep folders: the PNGs appear, the
 * ρ = 2δ/K line lands where interpolation puts it, bad input is an error, not a crash. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fc_error.h"
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
        len += (size_t)snprintf(text + len, cap - len, "%d,%.6f,%.17g,%.6g,%.6g,%s,0.5,,%d\n", t,
                                0.01 * t, 10.0 + gap, 2.0 * fabs(gap), sqrt(fabs(gap)), corr,
                                1000 * t);
    }
    write_in(dir, "metrics.csv", text);
    free(text);
}

static void assert_png(const char *dir, const char *name)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    char path[PATH_LEN];
    unsigned char head[8] = {0};
    struct stat st;
    path_join(path, dir, name);
    ck_assert_msg(stat(path, &st) == 0, "%s missing", path);
    ck_assert_msg(st.st_size > 1000, "%s is only %lld bytes", path, (long long)st.st_size);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(head, 1, 8, f), 8);
    fclose(f);
    ck_assert_msg(memcmp(head, sig, 8) == 0, "%s is not a PNG", path);
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

START_TEST(run_folder_gives_convergence_png)
{
    char tmp[PATH_LEN], run[PATH_LEN];
    fc_test_tmpdir(tmp, sizeof tmp);
    make_dir(run, tmp, "my run");
    write_metrics(run, 30, 1.0, 0.3, 1);
    write_summary(run, "converged", 1.0, 8, "");
    ck_assert_msg(fc_plot_dir(run) == FC_OK, "%s", fc_err_msg());
    assert_png(run, "convergence.png");
    ck_assert(!exists(run, "stability.png"));
    ck_assert(exists(run, "plot/convergence.gp"));
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
    assert_png(run, "convergence.png");
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

START_TEST(sweep_folder_gives_both_pngs)
{
    char tmp[PATH_LEN], sweep[PATH_LEN];
    fc_test_tmpdir(tmp, sizeof tmp);
    make_sweep(sweep, tmp);
    ck_assert_msg(fc_plot_dir(sweep) == FC_OK, "%s", fc_err_msg());
    assert_png(sweep, "convergence.png");
    assert_png(sweep, "stability.png");
    ck_assert_double_eq_tol(rho_line_x(sweep), log(5.0) / log(10.0), 1e-9);
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
    assert_png(sweep, "convergence.png");
    ck_assert(!exists(sweep, "stability.png"));
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
        tcase_add_test(tc, run_folder_gives_convergence_png);
        tcase_add_test(tc, run_without_reference_or_rows_still_plots);
        tcase_add_test(tc, sweep_folder_gives_both_pngs);
        tcase_add_test(tc, one_key_sweep_has_no_stability_map);
    } else {
        fprintf(stderr, "test_plot: gnuplot not on PATH, drawing tests left out\n");
    }
    tcase_add_test(tc, folder_without_csv_is_eio);
    tcase_add_test(tc, corrupt_sweep_csv_is_an_error);
    tcase_add_test(tc, corrupt_metrics_is_an_error);
    tcase_add_test(tc, missing_gnuplot_is_eio);
    tcase_add_test(tc, failing_gnuplot_is_eio_with_its_message);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
