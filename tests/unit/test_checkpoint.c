/* test_checkpoint.c — the checkpoint container: exact round trip, a table of corrupt files
 * each rejected with a message naming the file, and atomic replacement under SIGKILL. */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
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

/* Kill a writer at random moments while it replaces a good checkpoint: every time, the
 * file on disk is one of the two complete versions, never a torn one. */
START_TEST(kill_during_write_never_tears)
{
    char dir[256], path[300];
    fc_ckpt_t *c = NULL;
    fc_test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ck.bin", dir);
    make(&c, 1 << 18, 1.0); /* 2 MiB */
    OK(fc_ckpt_write(c, dir, "ck.bin"));
    fc_ckpt_destroy(&c);
    fc_rng_t rng;
    fc_rng_seed(&rng, 12345, 0, 0);
    int torn = 0, replaced = 0;
    for (int trial = 0; trial < 30; trial++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            fc_ckpt_t *w = NULL;
            make(&w, 1 << 18, 2.0 + trial);
            for (;;)
                if (fc_ckpt_write(w, dir, "ck.bin")) _exit(1);
        }
        struct timespec ts = {0, (long)fc_rng_below(&rng, 20000) * 1000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fc_ckpt_t *r = NULL;
        if (fc_ckpt_read(path, &r) != FC_OK) {
            torn++;
            continue;
        }
        size_t n;
        const double *v = fc_ckpt_get(r, "values", &n);
        ck_assert_uint_eq(n, (size_t)(1 << 18) * sizeof(double));
        replaced += v[0] != 1.0;
        fc_ckpt_destroy(&r);
    }
    ck_assert_int_eq(torn, 0);
    ck_assert_int_gt(replaced, 0); /* the writers did get through sometimes */
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
    tcase_add_test(tc, kill_during_write_never_tears);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
