/* test_error.c — the one error list (names, texts, exit statuses, the README's table), the
 * call-site trace, and the int-range checks of the BLAS shim. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_error.h"
#include "fc_la.h"
#include "fc_protocol.h"
#include "fc_testutil.h"

/* The documented table (README "Checkpoints and failures"), written out independently of
 * FC_ERRNO_MAP: a code added to the list without a decision here fails the walk. */
static const struct {
    int code;
    const char *name;
    int status;
} documented[] = {
    {FC_OK, "FC_OK", 0},
    {FC_ENOMEM, "FC_ENOMEM", 1},
    {FC_EINVAL, "FC_EINVAL", 2},
    {FC_ECONFIG, "FC_ECONFIG", 2},
    {FC_EDATA, "FC_EDATA", 2},
    {FC_ENOTSPD, "FC_ENOTSPD", 3},
    {FC_ENUMERIC, "FC_ENUMERIC", 3},
    {FC_EMPI, "FC_EMPI", 1},
    {FC_EIO, "FC_EIO", 2},
    {FC_ETOOBIG, "FC_ETOOBIG", 2},
};
enum { NDOC = sizeof documented / sizeof documented[0] };

START_TEST(exit_statuses_have_their_documented_values)
{
    ck_assert_int_eq(FC_EXIT_DONE, 0);
    ck_assert_int_eq(FC_EXIT_INTERNAL, 1);
    ck_assert_int_eq(FC_EXIT_INPUT, 2);
    ck_assert_int_eq(FC_EXIT_DIVERGED, 3);
}
END_TEST

START_TEST(every_code_has_its_documented_exit_status)
{
    ck_assert_int_eq(NDOC, FC_NERR);
    int seen[FC_NERR] = {0};
    for (size_t i = 0; i < NDOC; i++) {
        int c = documented[i].code;
        ck_assert_int_ge(c, 0);
        ck_assert_int_lt(c, FC_NERR);
        ck_assert_msg(!seen[c], "%s listed twice", documented[i].name);
        seen[c] = 1;
        ck_assert_msg(fc_exit_status(c) == documented[i].status, "%s: exit %d, documented %d",
                      documented[i].name, fc_exit_status(c), documented[i].status);
    }
    /* Outside the list: an internal error, never "done". */
    ck_assert_int_eq(fc_exit_status(-1), FC_EXIT_INTERNAL);
    ck_assert_int_eq(fc_exit_status(FC_NERR), FC_EXIT_INTERNAL);
}
END_TEST

START_TEST(every_code_has_a_name_and_a_text)
{
    for (size_t i = 0; i < NDOC; i++) {
        int c = documented[i].code;
        ck_assert_str_eq(fc_errname(c), documented[i].name);
        ck_assert_str_ne(fc_strerror(c), "unknown error");
        ck_assert_int_gt(strlen(fc_strerror(c)), 0);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(fc_strerror(c), fc_strerror(documented[j].code));
    }
    ck_assert_str_eq(fc_errname(FC_NERR), "FC_UNKNOWN");
    ck_assert_str_eq(fc_strerror(-3), "unknown error");
}
END_TEST

/* The README's table rows look like "| `FC_EDATA` | cause | 2 |". */
START_TEST(readme_table_matches_the_list)
{
    const char *data = getenv("FC_TEST_DATA");
    ck_assert_msg(data != NULL, "FC_TEST_DATA is not set (run through ctest)");
    char path[4096], line[1024];
    snprintf(path, sizeof path, "%s/../../README.md", data);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s: cannot open", path);
    int rows[FC_NERR] = {0};
    size_t nrows = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "| `FC_", 6) != 0) continue;
        char *name = line + 3, *tick = strchr(name, '`'), *last = strrchr(line, '|');
        ck_assert_msg(tick && last, "README row: %s", line);
        *tick = '\0';
        /* The status is the last cell: between the last two '|'. */
        *last = '\0';
        char *cell = strrchr(line + (tick - line) + 1, '|');
        ck_assert_msg(cell != NULL, "README row for %s has no status cell", name);
        char *end;
        long status = strtol(cell + 1, &end, 10);
        ck_assert_msg(end != cell + 1, "README row for %s: no status number", name);
        int code = -1;
        for (int c = 0; c < FC_NERR; c++)
            if (strcmp(fc_errname(c), name) == 0) code = c;
        ck_assert_msg(code >= 0, "README lists %s, which is not an error code", name);
        ck_assert_msg(!rows[code], "README lists %s twice", name);
        rows[code] = 1;
        ck_assert_msg(status == fc_exit_status(code), "README: %s exits %ld, the list says %d",
                      name, status, fc_exit_status(code));
        nrows++;
    }
    fclose(f);
    for (int c = 0; c < FC_NERR; c++)
        ck_assert_msg(rows[c], "README's exit-status table has no row for %s", fc_errname(c));
    ck_assert_int_eq(nrows, FC_NERR);
}
END_TEST

/* A chain of three calls: born() fails, middle() and top() propagate with FC_CALL. The
 * expected lines are taken where the calls are written. */
static int line_born, line_middle, line_top;

static int born(void)
{
    line_born = __LINE__ + 1;
    return fc_err_set(FC_EDATA, "x.csv:%d: bad", 4);
}

static int middle(void)
{
    int err;
    line_middle = __LINE__ + 1;
    FC_CALL(born());
cleanup:
    return err;
}

static int top(void)
{
    int err;
    line_top = __LINE__ + 1;
    FC_CALL(middle());
cleanup:
    return err;
}

static int succeeds(void)
{
    return FC_OK;
}

static int top_ok(void)
{
    int err;
    FC_CALL(succeeds());
    FC_CALL(succeeds());
cleanup:
    return err;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0 && (n == m || s[n - m - 1] == '/');
}

START_TEST(trace_records_each_call_site)
{
    const fc_err_site_t *t;
    fc_err_clear();
    ck_assert_int_eq(top(), FC_EDATA);
    ck_assert_str_eq(fc_err_msg(), "x.csv:4: bad"); /* the message stays as born */
    ck_assert_int_eq(fc_err_trace(&t), 3);
    ck_assert_int_eq(fc_err_trace_dropped(), 0);
    const char *func[3] = {"born", "middle", "top"};
    int lines[3] = {line_born, line_middle, line_top};
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(ends_with(t[i].file, "test_error.c"), "site %d: %s", i, t[i].file);
        ck_assert_str_eq(t[i].func, func[i]);
        ck_assert_int_eq(t[i].line, lines[i]);
    }
}
END_TEST

START_TEST(trace_restarts_with_each_error_and_ignores_success)
{
    const fc_err_site_t *t;
    ck_assert_int_eq(top(), FC_EDATA);
    int here = __LINE__ + 1;
    ck_assert_int_eq(fc_err_set(FC_ECONFIG, "fresh"), FC_ECONFIG);
    ck_assert_int_eq(fc_err_trace(&t), 1);
    ck_assert_int_eq(t[0].line, here);
    /* Check names the test's function <test>_fn. */
    ck_assert_ptr_nonnull(strstr(t[0].func, "trace_restarts_with_each_error"));
    ck_assert_int_eq(top_ok(), FC_OK);
    ck_assert_int_eq(fc_err_trace(NULL), 1);
    fc_err_clear();
    ck_assert_int_eq(fc_err_trace(NULL), 0);
    ck_assert_str_eq(fc_err_msg(), "");
}
END_TEST

static int deep(int n)
{
    int err;
    if (n == 0) return fc_err_set(FC_EIO, "bottom");
    FC_CALL(deep(n - 1));
cleanup:
    return err;
}

START_TEST(trace_is_bounded)
{
    const fc_err_site_t *t;
    /* deep(39): the birth and 39 propagation steps = 40 sites, FC_TRACE_MAX kept. */
    ck_assert_int_eq(deep(39), FC_EIO);
    ck_assert_int_eq(fc_err_trace(&t), FC_TRACE_MAX);
    ck_assert_int_eq(fc_err_trace_dropped(), 40 - FC_TRACE_MAX);
    for (int i = 0; i < FC_TRACE_MAX; i++)
        ck_assert_str_eq(t[i].func, "deep");
    ck_assert_int_ne(t[0].line, t[1].line); /* born at the return, then the FC_CALL */
    ck_assert_int_eq(t[1].line, t[FC_TRACE_MAX - 1].line);
}
END_TEST

/* Read what fc_err_trace_dump writes, with FEDPC_TRACE set to val (NULL: unset). */
static void dump_with(const char *val, char *buf, size_t size)
{
    const char *saved = getenv("FEDPC_TRACE");
    char keep[64] = "";
    if (saved) snprintf(keep, sizeof keep, "%s", saved);
    if (val)
        setenv("FEDPC_TRACE", val, 1);
    else
        unsetenv("FEDPC_TRACE");
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    fc_err_trace_dump(f);
    rewind(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    if (saved)
        setenv("FEDPC_TRACE", keep, 1);
    else
        unsetenv("FEDPC_TRACE");
}

START_TEST(trace_is_printed_only_when_asked)
{
    char got[1024], want[1024];
    ck_assert_int_eq(top(), FC_EDATA);
    snprintf(want, sizeof want,
             "  at test_error.c:%d (born)\n  at test_error.c:%d (middle)\n"
             "  at test_error.c:%d (top)\n",
             line_born, line_middle, line_top);
    dump_with("1", got, sizeof got);
    ck_assert_str_eq(got, want);
    dump_with(NULL, got, sizeof got);
    ck_assert_str_eq(got, "");
    dump_with("0", got, sizeof got);
    ck_assert_str_eq(got, "");
}
END_TEST

START_TEST(message_can_wrap_the_previous_one)
{
    /* The resume path wraps the reader's message: fc_err_set(.., "%s", fc_err_msg()).
     * Formatting in place used to overwrite the text it was reading. */
    fc_err_set(FC_EIO, "out/checkpoint.bin: cannot open: No such file or directory");
    ck_assert_int_eq(fc_err_set(FC_ECONFIG, "no checkpoint: %s", fc_err_msg()), FC_ECONFIG);
    ck_assert_str_eq(fc_err_msg(),
                     "no checkpoint: out/checkpoint.bin: cannot open: No such file or directory");
}
END_TEST

START_TEST(fail_macro_starts_the_trace_at_its_line)
{
    int err, line = __LINE__ + 1;
    FC_FAIL(FC_ENUMERIC, "theta[%d] is %g", 3, NAN);
cleanup:
    ck_assert_int_eq(err, FC_ENUMERIC);
    const fc_err_site_t *t;
    ck_assert_int_eq(fc_err_trace(&t), 1);
    ck_assert_int_eq(t[0].line, line);
}
END_TEST

/* The largest d with d*d <= 2^31 - 1, found by search rather than taken from fc_la.h. */
static size_t largest_dxd(void)
{
    const long long int_max = 2147483647LL;
    long long d = (long long)sqrt((double)int_max);
    while ((d + 1) * (d + 1) <= int_max)
        d++;
    while (d * d > int_max)
        d--;
    return (size_t)d;
}

START_TEST(int_range_refuses_dxd_above_46340)
{
    size_t lim = largest_dxd();
    ck_assert_int_eq(lim, 46340);
    ck_assert_int_eq(fc_la_check_dims(46340, 1), FC_OK);
    ck_assert_int_eq(fc_la_check_dims(46341, 1), FC_ETOOBIG);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "d = 46341"));
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "46340"));
    ck_assert_int_eq(fc_exit_status(FC_ETOOBIG), FC_EXIT_INPUT);
    /* Without d×d matrices only d itself is a BLAS length. */
    ck_assert_int_eq(fc_la_check_dims(46341, 0), FC_OK);
    ck_assert_int_eq(fc_la_check_dims(2147483647u, 0), FC_OK);
    ck_assert_int_eq(fc_la_check_dims((size_t)2147483647u + 1, 0), FC_ETOOBIG);
    ck_assert_int_eq(fc_la_check_len((size_t)2147483647u + 1, "rows"), FC_ETOOBIG);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "rows = 2147483648"));
    ck_assert_int_eq(fc_la_check_len(2147483647u, "rows"), FC_OK);
}
END_TEST

START_TEST(cholesky_refuses_a_factor_blas_cannot_index)
{
    /* A is never read: the size is refused first (a NULL A would crash otherwise). */
    ck_assert_int_eq(fc_chol(46341, NULL, "the precision"), FC_ETOOBIG);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "the precision"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, exit_statuses_have_their_documented_values);
    tcase_add_test(tc, every_code_has_its_documented_exit_status);
    tcase_add_test(tc, every_code_has_a_name_and_a_text);
    tcase_add_test(tc, readme_table_matches_the_list);
    tcase_add_test(tc, trace_records_each_call_site);
    tcase_add_test(tc, trace_restarts_with_each_error_and_ignores_success);
    tcase_add_test(tc, trace_is_bounded);
    tcase_add_test(tc, trace_is_printed_only_when_asked);
    tcase_add_test(tc, message_can_wrap_the_previous_one);
    tcase_add_test(tc, fail_macro_starts_the_trace_at_its_line);
    tcase_add_test(tc, int_range_refuses_dxd_above_46340);
    tcase_add_test(tc, cholesky_refuses_a_factor_blas_cannot_index);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
