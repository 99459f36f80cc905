/* test_checkpoint.c — the checkpoint container: exact round trip, a table of corrupt files
 * each rejected with a message naming the file, and atomic replacement under SIGKILL. */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fc_checkpoint.h"
#include "fc_file.h"
#include "fc_mem.h"
#include "fc_rng.h"
#include "fc_testutil.h"

#define OK(x) ck_assert_int_eq((x), FC_OK)

/* A checkpoint with a text section and n doubles filled with `fill`. */
static void make(fc_ckpt_t **c, size_t n, double fill)
{
    double *v = NULL;
    OK(fc_alloc(n, sizeof(double), &v));
    for (size_t i = 0; i < n; i++)
        v[i] = fill + (double)i * 1e-3;
    OK(fc_ckpt_create(c));
    OK(fc_ckpt_put(*c, "config", "a.b=1\n", 6));
    OK(fc_ckpt_put(*c, "values", v, n * sizeof(double)));
    fc_free(&v);
}

static void bytes_of(const char *dir, unsigned char **buf, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ck.bin", dir);
    OK(fc_read_file(path, (size_t)1 << 30, (char **)buf, len));
}

START_TEST(round_trip_is_exact)
{
    char dir[256], path[300];
    fc_ckpt_t *c = NULL, *r = NULL;
    size_t n;
    fc_test_tmpdir(dir, sizeof dir);
    make(&c, 1000, 3.25);
    OK(fc_ckpt_write(c, dir, "ck.bin"));
    snprintf(path, sizeof path, "%s/ck.bin", dir);
    OK(fc_ckpt_read(path, &r));
    const double *a = fc_ckpt_get(c, "values", &n), *b = fc_ckpt_get(r, "values", &n);
    ck_assert_uint_eq(n, 1000 * sizeof(double));
    ck_assert_mem_eq(a, b, n);
    ck_assert_ptr_null(fc_ckpt_get(r, "absent", &n));
    ck_assert_int_eq(fc_ckpt_put(r, "values", "x", 1), FC_EINVAL); /* tags are unique */
    fc_ckpt_destroy(&c);
    fc_ckpt_destroy(&r);
}
END_TEST

/* Corruptions applied to a good file's bytes. */
typedef struct {
    const char *what;
    long at;       /* byte to change (negative: from the end), or -1000 for none */
    int value;     /* new byte value */
    long truncate; /* new length (negative: shorter by), 0 = keep */
    const char *append;
    const char *message;
} corrupt_t;

static const corrupt_t corrupt[] = {
    {"wrong magic", 0, 'X', 0, NULL, "not a fedpc checkpoint"},
    {"other byte order", 8, 0x01, 0, NULL, "another byte order"},
    {"future version", 12, 9, 0, NULL, "version 9"},
    {"absurd section count", 17, 0x7f, 0, NULL, "sections"},
    {"flipped payload byte", 120, 0x55, 0, NULL, "fails its CRC"},
    {"flipped last payload byte", -9, 0x55, 0, NULL, "fails its CRC"},
    {"section length too large", 42, 0x7f, 0, NULL, "claims"},
    {"unnamed section", 20, 0, 0, NULL, "bad section name"},
    {"truncated in a payload", -1000, 0, -100, NULL, "claims"},
    {"truncated by 3 bytes", -1000, 0, -3, NULL, "claims"},
    {"trailer overwritten", -2, 'X', 0, NULL, "bad ending"},
    {"trailing garbage", -1000, 0, 0, "junk", "bad ending"},
    {"empty file", -1000, 0, 1, NULL, "not a fedpc checkpoint"},
};

START_TEST(corrupt_files_are_rejected)
{
    const corrupt_t *t = &corrupt[_i];
    char dir[256];
    unsigned char *buf;
    size_t len;
    fc_ckpt_t *c = NULL, *r = (fc_ckpt_t *)1;
    fc_test_tmpdir(dir, sizeof dir);
    make(&c, 64, 1.0);
    OK(fc_ckpt_write(c, dir, "ck.bin"));
    bytes_of(dir, &buf, &len);
    if (t->at != -1000)
        buf[t->at >= 0 ? (size_t)t->at : len + (size_t)t->at] = (unsigned char)t->value;
    if (t->truncate < 0) len -= (size_t)(-t->truncate);
    if (t->truncate > 0) len = (size_t)t->truncate - 1;
    unsigned char *joined = NULL;
    OK(fc_alloc(len + 16, 1, &joined));
    memcpy(joined, buf, len);
    if (t->append) {
        memcpy(joined + len, t->append, strlen(t->append));
        len += strlen(t->append);
    }
    int err = fc_ckpt_parse("ck.bin", joined, len, &r);
    ck_assert_msg(err == FC_EDATA, "%s: got %d", t->what, err);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(fc_err_msg(), "ck.bin: corrupt checkpoint: ") == fc_err_msg(), "%s: %s",
                  t->what, fc_err_msg());
    ck_assert_msg(strstr(fc_err_msg(), t->message) != NULL, "%s: %s", t->what, fc_err_msg());
    fc_free(&joined);
    fc_free(&buf);
    fc_ckpt_destroy(&c);
}
END_TEST

START_TEST(missing_file_is_io_error)
{
    fc_ckpt_t *r = NULL;
    ck_assert_int_eq(fc_ckpt_read("/nonexistent/ck.bin", &r), FC_EIO);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "/nonexistent/ck.bin: cannot open"));
}
END_TEST

/* The stages fc_write_atomic reports through FC_TEST_WRITE_STAGES, in order, and whether the
 * new file has replaced the old one once the writer has reached each. */
static const char stages[] = "ohwrd";
static const int replaced_at[] = {0, 0, 0, 1, 1};

/* One writer replacing the checkpoint: killed (SIGKILL) the moment it reports stage
 * kill_at (an index into stages), or let finish when kill_at is past the last stage.
 * Returns the stages it reported, in order. */
static void write_until(const char *dir, double fill, int kill_at, char *seen, size_t size)
{
    int up[2], down[2];
    size_t n = 0;
    ck_assert_int_eq(pipe(up), 0);
    ck_assert_int_eq(pipe(down), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char fds[64];
        fc_ckpt_t *w = NULL;
        close(up[0]);
        close(down[1]);
        snprintf(fds, sizeof fds, "%d,%d", up[1], down[0]);
        setenv("FC_TEST_WRITE_STAGES", fds, 1);
        make(&w, 1 << 18, fill);
        _exit(fc_ckpt_write(w, dir, "ck.bin") ? 1 : 0);
    }
    close(up[1]);
    close(down[0]);
    char stage;
    while (n + 1 < size && read(up[0], &stage, 1) == 1) {
        seen[n++] = stage;
        if ((int)n - 1 == kill_at) {
            kill(pid, SIGKILL);
            break;
        }
        ck_assert_int_eq(write(down[1], "", 1), 1); /* go on */
    }
    seen[n] = '\0';
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    if (kill_at >= (int)strlen(stages))
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer failed");
    else
        ck_assert(WIFSIGNALED(status));
    close(up[0]);
    close(down[1]);
}

/* Kill writers at seeded choices of stage while they replace a good checkpoint: every
 * time the file on disk is complete, and it is the new version exactly when the writer
 * got past the rename. _i = 1 runs the same with every write and fsync slowed down (a slow
 * disk must change nothing, since the kills follow the writer's own reports). */
START_TEST(kill_during_write_never_tears)
{
    char dir[256], path[300], seen[16];
    fc_ckpt_t *c = NULL;
    if (_i == 1) setenv("FC_TEST_WRITE_DELAY_MS", "20", 1);
    fc_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ck.bin", dir);
    make(&c, 1 << 18, 1.0); /* 2 MiB */
    OK(fc_ckpt_write(c, dir, "ck.bin"));
    fc_ckpt_destroy(&c);
    fc_rng_t rng;
    fc_rng_seed(&rng, 12345, 0, 0);
    int torn = 0, replaced = 0, kept = 0, nstages = (int)strlen(stages);
    double current = 1.0;
    for (int trial = 0; trial < 20; trial++) {
        int kill_at = (int)fc_rng_below(&rng, (uint64_t)nstages + 1); /* nstages: no kill */
        double fill = 2.0 + trial;
        write_until(dir, fill, kill_at, seen, sizeof seen);
        ck_assert_msg(strncmp(seen, stages, strlen(seen)) == 0, "stages '%s'", seen);
        fc_ckpt_t *r = NULL;
        if (fc_ckpt_read(path, &r) != FC_OK) {
            torn++;
            continue;
        }
        size_t n;
        const double *v = fc_ckpt_get(r, "values", &n);
        ck_assert_uint_eq(n, (size_t)(1 << 18) * sizeof(double));
        int is_new = kill_at >= nstages || replaced_at[kill_at];
        ck_assert_msg(v[0] == (is_new ? fill : current), "trial %d killed at '%c': %g", trial,
                      kill_at < nstages ? stages[kill_at] : '-', v[0]);
        if (is_new) current = fill;
        replaced += is_new;
        kept += !is_new;
        fc_ckpt_destroy(&r);
    }
    unsetenv("FC_TEST_WRITE_DELAY_MS");
    ck_assert_int_eq(torn, 0);
    ck_assert_int_gt(replaced, 0); /* some writes completed */
    ck_assert_int_gt(kept, 0);     /* and some were killed before the rename */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, round_trip_is_exact);
    tcase_add_loop_test(tc, corrupt_files_are_rejected, 0,
                        (int)(sizeof corrupt / sizeof corrupt[0]));
    tcase_add_test(tc, missing_file_is_io_error);
    tcase_add_loop_test(tc, kill_during_write_never_tears, 0, 2);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
