/* test_data.c — the data readers (csv, libsvm, idx), the writers, the synthetic generator
 * and the block helpers. Bad inputs are one table; real data is Fashion-MNIST. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fc_data.h"
#include "fc_error.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_rng.h"
#include "fc_testutil.h"

static const fc_label_rule_t REAL = {FC_LABEL_REAL, 0};
static const fc_label_rule_t BIN = {FC_LABEL_BINARY, 0};
static const fc_label_rule_t CLS3 = {FC_LABEL_CLASS, 3};
static const fc_label_rule_t CLS = {FC_LABEL_CLASS, 0};

/* ---- helpers ----------------------------------------------------------------------- */

static void write_bytes(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void write_gz(const char *path, const void *bytes, size_t len)
{
    gzFile f = gzopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_int_eq(gzwrite(f, bytes, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(f), Z_OK);
}

static void join(char *buf, size_t size, const char *dir, const char *name)
{
    int w = snprintf(buf, size, "%s/%s", dir, name);
    ck_assert(w > 0 && (size_t)w < size);
}

/* Remove the files named and then the folder itself. */
static void cleanup_dir(const char *dir, const char *const *names)
{
    char path[1024];
    for (; *names; names++) {
        join(path, sizeof path, dir, *names);
        unlink(path);
    }
    ck_assert_int_eq(rmdir(dir), 0);
}

static const char *test_data_dir(void)
{
    const char *d = getenv("FC_TEST_DATA");
#ifdef FC_TEST_DATA_DIR
    if (!d || !*d) d = FC_TEST_DATA_DIR;
#endif
    ck_assert_msg(d && *d, "set FC_TEST_DATA to the tests/data folder (ctest does)");
    return d;
}

static int same_block(const fc_data_t *a, const fc_data_t *b)
{
    return a->n == b->n && a->p == b->p && memcmp(a->X, b->X, a->n * a->p * sizeof(double)) == 0 &&
           memcmp(a->y, b->y, a->n * sizeof(double)) == 0;
}

/* ---- bad inputs: one table --------------------------------------------------------- */

typedef enum { R_CSV, R_LIBSVM, R_IDX, R_IDX_TEST } reader_t;

typedef struct {
    const char *what;
    reader_t reader;
    fc_label_rule_t rule;
    const char *file; /* written into a fresh folder (NULL: nothing) */
    const char *text;
    size_t len; /* 0: strlen(text) */
    const char *file2;
    const char *text2;
    size_t len2;
    const char *read; /* csv/libsvm: the name read (default: file); idx reads the folder */
    int code;
    const char *msg; /* expected substring of the message */
} bad_case_t;

#define BYTES(s) .text = s, .len = sizeof(s) - 1
#define BYTES2(s) .text2 = s, .len2 = sizeof(s) - 1

/* Two 2x2 images and their labels; variants break one thing each. */
#define IMG_HEAD                                                                                   \
    "\x00\x00\x08\x03"                                                                             \
    "\x00\x00\x00\x02"                                                                             \
    "\x00\x00\x00\x02"                                                                             \
    "\x00\x00\x00\x02"
#define IMG_GOOD                                                                                   \
    IMG_HEAD "\x00\x10\x20\xff"                                                                    \
             "\x01\x02\x03\x04"
#define LAB_GOOD                                                                                   \
    "\x00\x00\x08\x01"                                                                             \
    "\x00\x00\x00\x02"                                                                             \
    "\x03\x07"
#define IMGS "train-images-idx3-ubyte"
#define LABS "train-labels-idx1-ubyte"

static const bad_case_t bad_cases[] = {
    {.what = "csv ragged row",
     .reader = R_CSV,
     .rule = BIN,
     .file = "a.csv",
     .text = "1,2,3\n0,4,5\n1,6\n",
     .code = FC_EDATA,
     .msg = "a.csv:3: expected 3 fields, got 2"},
    {.what = "csv ragged against the header",
     .reader = R_CSV,
     .rule = BIN,
     .file = "h.csv",
     .text = "y,a,b\n1,2\n",
     .code = FC_EDATA,
     .msg = "h.csv:2: expected 3 fields, got 2"},
    {.what = "csv non-number",
     .reader = R_CSV,
     .rule = BIN,
     .file = "b.csv",
     .text = "1,2,3\n0,abc,5\n",
     .code = FC_EDATA,
     .msg = "b.csv:2: field 2 ('abc') is not a number"},
    {.what = "csv trailing garbage",
     .reader = R_CSV,
     .rule = REAL,
     .file = "g.csv",
     .text = "1,2.5x\n",
     .code = FC_EDATA,
     .msg = "g.csv:1: field 2 ('2.5x') is not a number"},
    {.what = "csv NaN",
     .reader = R_CSV,
     .rule = REAL,
     .file = "c.csv",
     .text = "1,2\n2, nan\n",
     .code = FC_EDATA,
     .msg = "c.csv:2: field 2 ('nan') is not a finite number"},
    {.what = "csv Inf",
     .reader = R_CSV,
     .rule = REAL,
     .file = "d.csv",
     .text = "1,2\n2,3\n3,-inf\n",
     .code = FC_EDATA,
     .msg = "d.csv:3: field 2 ('-inf') is not a finite number"},
    {.what = "csv overflow",
     .reader = R_CSV,
     .rule = REAL,
     .file = "o.csv",
     .text = "1,1e999\n",
     .code = FC_EDATA,
     .msg = "o.csv:1: field 2 ('1e999') is not a finite"},
    {.what = "csv empty field",
     .reader = R_CSV,
     .rule = REAL,
     .file = "e.csv",
     .text = "1,2,3\n1,,3\n",
     .code = FC_EDATA,
     .msg = "e.csv:2: field 2 is empty"},
    {.what = "csv trailing comma",
     .reader = R_CSV,
     .rule = REAL,
     .file = "t.csv",
     .text = "1,2,\n",
     .code = FC_EDATA,
     .msg = "t.csv:1: field 3 is empty"},
    {.what = "csv binary label 2",
     .reader = R_CSV,
     .rule = BIN,
     .file = "f.csv",
     .text = "1,0.5\n0,1\n2,1\n",
     .code = FC_EDATA,
     .msg = "f.csv:3: label 2: binary labels must be 0 or 1"},
    {.what = "csv class >= classes",
     .reader = R_CSV,
     .rule = CLS3,
     .file = "g3.csv",
     .text = "0,1\n3,1\n",
     .code = FC_EDATA,
     .msg = "g3.csv:2: label 3: class labels must be 0..2"},
    {.what = "csv negative class",
     .reader = R_CSV,
     .rule = CLS,
     .file = "n.csv",
     .text = "0,1\n\n-1,1\n",
     .code = FC_EDATA,
     .msg = "n.csv:3: label -1: class labels must be"},
    {.what = "csv fractional class",
     .reader = R_CSV,
     .rule = CLS,
     .file = "q.csv",
     .text = "1.5,1\n",
     .code = FC_EDATA,
     .msg = "q.csv:1: label 1.5: class labels must be"},
    {.what = "csv empty file",
     .reader = R_CSV,
     .rule = REAL,
     .file = "empty.csv",
     .text = "",
     .code = FC_EDATA,
     .msg = "empty.csv: no examples (empty file)"},
    {.what = "csv header only",
     .reader = R_CSV,
     .rule = REAL,
     .file = "ho.csv",
     .text = "label,x\n",
     .code = FC_EDATA,
     .msg = "ho.csv: no examples (only a header line)"},
    {.what = "csv binary file",
     .reader = R_CSV,
     .rule = REAL,
     .file = "z.csv",
     BYTES("1,2\n1,\0\n"),
     .code = FC_EDATA,
     .msg = "z.csv:2: line contains a NUL byte"},
    {.what = "csv missing file",
     .reader = R_CSV,
     .rule = REAL,
     .read = "missing.csv",
     .code = FC_EIO,
     .msg = "missing.csv: cannot open: No such file or directory"},
    {.what = "libsvm index 0",
     .reader = R_LIBSVM,
     .rule = BIN,
     .file = "a.svm",
     .text = "1 1:0.5\n0 0:1 2:3\n",
     .code = FC_EDATA,
     .msg = "a.svm:2: index 0: libsvm indices start at 1"},
    {.what = "libsvm unsorted index",
     .reader = R_LIBSVM,
     .rule = BIN,
     .file = "b.svm",
     .text = "1 3:0.5 2:1\n",
     .code = FC_EDATA,
     .msg = "b.svm:1: index 2 after index 3: indices must be strictly increasing"},
    {.what = "libsvm duplicate index",
     .reader = R_LIBSVM,
     .rule = BIN,
     .file = "c.svm",
     .text = "1 1:1\n0 2:0.5 2:1\n",
     .code = FC_EDATA,
     .msg = "c.svm:2: index 2 after index 2"},
    {.what = "libsvm missing colon",
     .reader = R_LIBSVM,
     .rule = REAL,
     .file = "d.svm",
     .text = "1 1:1 2\n",
     .code = FC_EDATA,
     .msg = "d.svm:1: '2' is not index:value (missing ':')"},
    {.what = "libsvm bad value",
     .reader = R_LIBSVM,
     .rule = REAL,
     .file = "e.svm",
     .text = "1 1:1\n1 4:x\n",
     .code = FC_EDATA,
     .msg = "e.svm:2: value 'x' of index 4 is not a number"},
    {.what = "libsvm bad index",
     .reader = R_LIBSVM,
     .rule = REAL,
     .file = "f.svm",
     .text = "1 -4:1\n",
     .code = FC_EDATA,
     .msg = "f.svm:1: index '-4' is not a positive integer"},
    {.what = "libsvm huge index",
     .reader = R_LIBSVM,
     .rule = REAL,
     .file = "g.svm",
     .text = "1 1:1\n2 1099511627776:1\n",
     .code = FC_EDATA,
     .msg = "g.svm:2: index 1099511627776 is above the limit of 10000000 features"},
    {.what = "libsvm bad label",
     .reader = R_LIBSVM,
     .rule = BIN,
     .file = "h.svm",
     .text = "1 1:1\n2 1:1\n",
     .code = FC_EDATA,
     .msg = "h.svm:2: label 2: binary labels must be 0 or 1"},
    {.what = "libsvm mixes -1 and 0",
     .reader = R_LIBSVM,
     .rule = BIN,
     .file = "i.svm",
     .text = "-1 1:1\n+1 1:2\n0 1:3\n",
     .code = FC_EDATA,
     .msg = "i.svm:3: label 0, but line 1 has label -1"},
    {.what = "libsvm NaN value",
     .reader = R_LIBSVM,
     .rule = REAL,
     .file = "j.svm",
     .text = "1 1:NaN\n",
     .code = FC_EDATA,
     .msg = "j.svm:1: value 'NaN' of index 1 is not a finite number"},
    {.what = "libsvm empty file",
     .reader = R_LIBSVM,
     .rule = REAL,
     .file = "k.svm",
     .text = "\n  \n",
     .code = FC_EDATA,
     .msg = "k.svm: no examples"},
    {.what = "libsvm missing file",
     .reader = R_LIBSVM,
     .rule = REAL,
     .read = "none.svm",
     .code = FC_EIO,
     .msg = "none.svm: cannot open: No such file or directory"},
    {.what = "idx truncated images",
     .reader = R_IDX,
     .file = IMGS,
     BYTES(IMG_HEAD "\x00\x10\x20\xff"
                    "\x01"),
     .file2 = LABS,
     BYTES2(LAB_GOOD),
     .code = FC_EDATA,
     .msg = IMGS ": truncated in image 2 of 2: expected 4 bytes, got 1"},
    {.what = "idx truncated header",
     .reader = R_IDX,
     .file = IMGS,
     BYTES("\x00\x00\x08\x03"
           "\x00\x00"),
     .file2 = LABS,
     BYTES2(LAB_GOOD),
     .code = FC_EDATA,
     .msg = IMGS ": truncated in the header: expected 16 bytes, got 6"},
    {.what = "idx truncated labels",
     .reader = R_IDX,
     .file = IMGS,
     BYTES(IMG_GOOD),
     .file2 = LABS,
     BYTES2("\x00\x00\x08\x01"
            "\x00\x00\x00\x02"
            "\x03"),
     .code = FC_EDATA,
     .msg = LABS ": truncated in the labels: expected 2 bytes, got 1"},
    {.what = "idx wrong image magic",
     .reader = R_IDX,
     .file = IMGS,
     BYTES("\x00\x00\x08\x04"
           "\x00\x00\x00\x02"
           "\x00\x00\x00\x02"
           "\x00\x00\x00\x02"
           "\x00\x10\x20\xff"
           "\x01\x02\x03\x04"),
     .file2 = LABS,
     BYTES2(LAB_GOOD),
     .code = FC_EDATA,
     .msg = IMGS ": bad magic number 0x00000804 (expected 0x00000803"},
    {.what = "idx labels with the image magic",
     .reader = R_IDX,
     .file = IMGS,
     BYTES(IMG_GOOD),
     .file2 = LABS,
     BYTES2("\x00\x00\x08\x03"
            "\x00\x00\x00\x02"
            "\x03\x07"),
     .code = FC_EDATA,
     .msg = LABS ": bad magic number 0x00000803 (expected 0x00000801"},
    {.what = "idx count mismatch",
     .reader = R_IDX,
     .file = IMGS,
     BYTES(IMG_GOOD),
     .file2 = LABS,
     BYTES2("\x00\x00\x08\x01"
            "\x00\x00\x00\x03"
            "\x03\x07\x01"),
     .code = FC_EDATA,
     .msg = LABS ": 3 labels, but "},
    {.what = "idx zero-sized images",
     .reader = R_IDX,
     .file = IMGS,
     BYTES("\x00\x00\x08\x03"
           "\x00\x00\x00\x02"
           "\x00\x00\x00\x00"
           "\x00\x00\x00\x02"),
     .file2 = LABS,
     BYTES2(LAB_GOOD),
     .code = FC_EDATA,
     .msg = IMGS ": implausible image size 0 x 2"},
    {.what = "idx missing labels",
     .reader = R_IDX,
     .file = IMGS,
     BYTES(IMG_GOOD),
     .code = FC_EIO,
     .msg = LABS ": cannot open: No such file or directory"},
    {.what = "idx missing test set",
     .reader = R_IDX_TEST,
     .file = IMGS,
     BYTES(IMG_GOOD),
     .file2 = LABS,
     BYTES2(LAB_GOOD),
     .code = FC_EIO,
     .msg = "t10k-images-idx3-ubyte: cannot open: No such file or directory"},
};
enum { N_BAD = sizeof bad_cases / sizeof bad_cases[0] };

START_TEST(bad_input_is_rejected)
{
    const bad_case_t *c = &bad_cases[_i];
    char dir[512], path[1024];
    fc_test_tmpdir(dir, sizeof dir);
    if (c->file) {
        join(path, sizeof path, dir, c->file);
        write_bytes(path, c->text, c->len ? c->len : strlen(c->text));
    }
    if (c->file2) {
        join(path, sizeof path, dir, c->file2);
        write_bytes(path, c->text2, c->len2 ? c->len2 : strlen(c->text2));
    }
    join(path, sizeof path, dir, c->read ? c->read : c->file ? c->file : "");
    fc_data_t *d = (fc_data_t *)&d; /* a sentinel: must come back NULL */
    int err = FC_OK;
    fc_err_clear();
    switch (c->reader) {
    case R_CSV:
        err = fc_data_read_csv(path, c->rule, 0, &d);
        break;
    case R_LIBSVM:
        err = fc_data_read_libsvm(path, c->rule, 0, &d);
        break;
    case R_IDX:
    case R_IDX_TEST:
        err = fc_data_read_idx(dir, c->reader == R_IDX_TEST, 0, 0, &d);
        break;
    }
    const char *msg = fc_err_msg();
    if (getenv("FC_TEST_VERBOSE")) printf("%-32s %s: %s\n", c->what, fc_errname(err), msg);
    ck_assert_msg(err == c->code, "%s: got %s (\"%s\"), expected %s", c->what, fc_errname(err), msg,
                  fc_errname(c->code));
    ck_assert_msg(strstr(msg, c->msg) != NULL, "%s: message \"%s\" lacks \"%s\"", c->what, msg,
                  c->msg);
    ck_assert_msg(strncmp(msg, dir, strlen(dir)) == 0, "%s: message \"%s\" must start with %s/",
                  c->what, msg, dir);
    ck_assert_ptr_null(d);
    const char *names[] = {c->file ? c->file : "", c->file2 ? c->file2 : "", NULL};
    cleanup_dir(dir, names);
}
END_TEST

START_TEST(bad_table_is_large_enough)
{
    /* Acceptance criterion: at least 12 bad inputs, across all three readers. */
    int seen[4] = {0};
    for (int i = 0; i < N_BAD; i++)
        seen[bad_cases[i].reader]++;
    ck_assert_int_ge(N_BAD, 12);
    ck_assert_int_ge(seen[R_CSV], 4);
    ck_assert_int_ge(seen[R_LIBSVM], 4);
    ck_assert_int_ge(seen[R_IDX], 4);
}
END_TEST

/* ---- good inputs --------------------------------------------------------------------- */

/* A block with awkward doubles: thirds, denormals, the extremes, signed zeros. */
static fc_data_t *awkward_block(size_t n, size_t p, int integer_labels)
{
    fc_data_t *d = NULL;
    fc_rng_t r;
    ck_assert_int_eq(fc_data_create(n, p, &d), FC_OK);
    fc_rng_seed(&r, 11, 0, 0);
    fc_test_randn(&r, n * p, 3.0, d->X);
    static const double odd[] = {1.0 / 3.0,
                                 4.9406564584124654e-324,
                                 -1.7976931348623157e308,
                                 2.2250738585072014e-308,
                                 0.1,
                                 -0.0,
                                 1e22,
                                 123456789.0,
                                 0.0};
    for (size_t t = 0; t < sizeof odd / sizeof odd[0] && t < n * p; t++)
        d->X[t * 7 % (n * p)] = odd[t];
    for (size_t j = 0; j < p; j++)
        d->X[(n - 1) * p + j] = 0.0; /* a row of zeros */
    for (size_t i = 0; i < n; i++)
        d->X[i * p + p - 1] = 0.0; /* an all-zero last column */
    for (size_t i = 0; i < n; i++)
        d->y[i] = integer_labels ? (double)(i % 2) : fc_rng_normal(&r) * 1e-3;
    return d;
}

START_TEST(csv_round_trip_is_exact)
{
    char dir[512], path[1024], tmp[1100];
    fc_test_tmpdir(dir, sizeof dir);
    join(path, sizeof path, dir, "rt.csv");
    fc_data_t *d = awkward_block(40, 6, 0), *back = NULL;
    ck_assert_int_eq(fc_data_write_csv(path, d, 0), FC_OK);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ck_assert_int_ne(access(tmp, F_OK), 0); /* renamed away */
    ck_assert_int_eq(fc_data_read_csv(path, REAL, 0, &back), FC_OK);
    ck_assert(same_block(d, back));
    fc_data_destroy(&back);

    /* drop_cols leaves the bias column out; reading back gives the block without it. */
    fc_data_t *b = NULL;
    ck_assert_int_eq(fc_data_subset(d, (size_t[]){0, 1, 2, 3, 4}, 5, &b), FC_OK);
    ck_assert_int_eq(fc_data_append_bias(b), FC_OK);
    ck_assert_int_eq(fc_data_write_csv(path, b, 1), FC_OK);
    ck_assert_int_eq(fc_data_read_csv(path, REAL, 0, &back), FC_OK);
    ck_assert_uint_eq(back->p, 6);
    ck_assert_uint_eq(back->n, 5);
    ck_assert_int_eq(memcmp(back->X, d->X, 5 * 6 * sizeof(double)), 0);

    /* max_examples keeps the first rows. */
    fc_data_destroy(&back);
    ck_assert_int_eq(fc_data_read_csv(path, REAL, 2, &back), FC_OK);
    ck_assert_uint_eq(back->n, 2);
    ck_assert_int_eq(memcmp(back->X, d->X, 2 * 6 * sizeof(double)), 0);

    /* Integer labels are written as integers. */
    fc_data_destroy(&back);
    fc_data_destroy(&d);
    d = awkward_block(3, 2, 1);
    ck_assert_int_eq(fc_data_write_csv(path, d, 0), FC_OK);
    FILE *f = fopen(path, "r");
    char line[256];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_msg(strncmp(line, "0,", 2) == 0, "label written as \"%s\"", line);
    fclose(f);
    ck_assert_int_eq(fc_data_read_csv(path, BIN, 0, &back), FC_OK);
    ck_assert(same_block(d, back));

    fc_data_destroy(&back);
    fc_data_destroy(&b);
    fc_data_destroy(&d);
    cleanup_dir(dir, (const char *[]){"rt.csv", NULL});
}
END_TEST

START_TEST(libsvm_round_trip_is_exact)
{
    char dir[512], path[1024];
    fc_test_tmpdir(dir, sizeof dir);
    join(path, sizeof path, dir, "rt.svm");
    fc_data_t *d = awkward_block(40, 6, 0), *back = NULL;
    ck_assert_int_eq(fc_data_write_libsvm(path, d, 0), FC_OK);
    ck_assert_int_eq(fc_data_read_libsvm(path, REAL, 0, &back), FC_OK);
    ck_assert(same_block(d, back)); /* including p, though the last column is all zero */
    fc_data_destroy(&back);

    fc_data_destroy(&d);
    d = awkward_block(9, 4, 1);
    ck_assert_int_eq(fc_data_append_bias(d), FC_OK);
    ck_assert_int_eq(fc_data_write_libsvm(path, d, 1), FC_OK);
    ck_assert_int_eq(fc_data_read_libsvm(path, BIN, 0, &back), FC_OK);
    ck_assert_uint_eq(back->p, 4);
    for (size_t i = 0; i < d->n; i++) {
        ck_assert_int_eq(memcmp(back->X + i * 4, d->X + i * 5, 4 * sizeof(double)), 0);
        ck_assert_double_eq(back->y[i], d->y[i]);
    }
    fc_data_destroy(&back);
    fc_data_destroy(&d);
    cleanup_dir(dir, (const char *[]){"rt.svm", NULL});
}
END_TEST

START_TEST(writer_reports_unwritable_path)
{
    fc_data_t *d = awkward_block(2, 2, 0);
    ck_assert_int_eq(fc_data_write_csv("/nonexistent-dir/x.csv", d, 0), FC_EIO);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "/nonexistent-dir/x.csv.tmp: cannot open: "));
    fc_data_destroy(&d);
}
END_TEST

START_TEST(csv_with_header_and_spaces)
{
    char path[1024];
    fc_data_t *d = NULL;
    join(path, sizeof path, test_data_dir(), "header.csv");
    ck_assert_msg(fc_data_read_csv(path, BIN, 0, &d) == FC_OK, "%s", fc_err_msg());
    ck_assert_uint_eq(d->n, 3);
    ck_assert_uint_eq(d->p, 2);
    const double X[] = {0.5, -2, 1e-3, 3, 4.25, 0}, y[] = {1, 0, 1};
    ck_assert_int_eq(memcmp(d->X, X, sizeof X), 0);
    ck_assert_int_eq(memcmp(d->y, y, sizeof y), 0);
    fc_data_destroy(&d);

    /* A UTF-8 byte-order mark is not a header: both rows are data. */
    char dir[512];
    fc_test_tmpdir(dir, sizeof dir);
    join(path, sizeof path, dir, "bom.csv");
    write_bytes(path,
                "\xEF\xBB\xBF"
                "1,2\n0,3\n",
                11);
    ck_assert_msg(fc_data_read_csv(path, BIN, 0, &d) == FC_OK, "%s", fc_err_msg());
    ck_assert_uint_eq(d->n, 2);
    ck_assert_double_eq(d->y[0], 1);
    ck_assert_double_eq(d->X[0], 2);
    fc_data_destroy(&d);
    cleanup_dir(dir, (const char *[]){"bom.csv", NULL});
}
END_TEST

START_TEST(libsvm_fixture_and_pm1_labels)
{
    char path[1024];
    fc_data_t *d = NULL;
    join(path, sizeof path, test_data_dir(), "small.libsvm");
    ck_assert_msg(fc_data_read_libsvm(path, BIN, 0, &d) == FC_OK, "%s", fc_err_msg());
    ck_assert_uint_eq(d->n, 3);
    ck_assert_uint_eq(d->p, 4);
    const double X[] = {0.5, 0, -2, 0, 0, 0.001, 0, 0, 0, 0, 0, 7}, y[] = {1, 0, 1};
    ck_assert_int_eq(memcmp(d->X, X, sizeof X), 0);
    ck_assert_int_eq(memcmp(d->y, y, sizeof y), 0);
    fc_data_destroy(&d);
    /* As real labels, -1 stays -1. */
    ck_assert_int_eq(fc_data_read_libsvm(path, REAL, 2, &d), FC_OK);
    ck_assert_uint_eq(d->n, 2);
    ck_assert_double_eq(d->y[1], -1.0);
    ck_assert_uint_eq(d->p, 3); /* the largest index among the rows read */
    fc_data_destroy(&d);
}
END_TEST

START_TEST(idx_small_gz_and_plain)
{
    /* 3 images of 4 x 2 pixels, images gzip, labels plain. */
    static const unsigned char img[] = {
        0, 0, 8, 3, 0,  0,  0,  3,  0,  0,  0,  4,  0,   0,   0,   2,   0,   1,   2,   3,
        4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 255, 254, 253, 252, 251, 250, 249, 248};
    static const unsigned char lab[] = {0, 0, 8, 1, 0, 0, 0, 3, 9, 0, 255};
    char dir[512], path[1024];
    fc_data_t *d = NULL;
    fc_test_tmpdir(dir, sizeof dir);
    join(path, sizeof path, dir, "t10k-images-idx3-ubyte.gz");
    write_gz(path, img, sizeof img);
    join(path, sizeof path, dir, "t10k-labels-idx1-ubyte");
    write_bytes(path, lab, sizeof lab);

    ck_assert_msg(fc_data_read_idx(dir, 1, 0, 0, &d) == FC_OK, "%s", fc_err_msg());
    ck_assert_uint_eq(d->n, 3);
    ck_assert_uint_eq(d->p, 8);
    for (size_t t = 0; t < 24; t++)
        ck_assert_double_eq(d->X[t], img[16 + t] / 255.0);
    ck_assert_double_eq(d->y[0], 9);
    ck_assert_double_eq(d->y[2], 255);
    fc_data_destroy(&d);

    /* Resize 4x2 -> 2x2: rows floor((i + .5) 4 / 2) = 1, 3; cols floor((j + .5) 2 / 2) = 0, 1. */
    ck_assert_int_eq(fc_data_read_idx(dir, 1, 2, 2, &d), FC_OK);
    ck_assert_uint_eq(d->n, 2);
    ck_assert_uint_eq(d->p, 4);
    const unsigned char want[] = {2, 3, 6, 7, 12, 13, 16, 17};
    for (size_t t = 0; t < 8; t++)
        ck_assert_double_eq(d->X[t], want[t] / 255.0);
    fc_data_destroy(&d);

    ck_assert_int_eq(fc_data_read_idx(dir, 1, 5, 0, &d), FC_ECONFIG);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "data.resize = 5 is larger than the 4 x 2 images"));

    /* A gzip stream cut short is an error, not silently fewer pixels. */
    unsigned char gz[256];
    join(path, sizeof path, dir, "t10k-images-idx3-ubyte.gz");
    FILE *f = fopen(path, "rb");
    size_t len = fread(gz, 1, sizeof gz, f);
    fclose(f);
    write_bytes(path, gz, len - 12); /* lose the trailer and some data */
    ck_assert_int_eq(fc_data_read_idx(dir, 1, 0, 0, &d), FC_EDATA);
    if (getenv("FC_TEST_VERBOSE")) printf("cut gzip: %s\n", fc_err_msg());
    ck_assert_msg(strstr(fc_err_msg(), "t10k-images-idx3-ubyte.gz: ") != NULL &&
                      (strstr(fc_err_msg(), "truncated") || strstr(fc_err_msg(), "corrupt")),
                  "%s", fc_err_msg());
    ck_assert_ptr_null(d);
    cleanup_dir(dir, (const char *[]){"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte", NULL});
}
END_TEST

/* ---- Fashion-MNIST (Debian's dataset-fashion-mnist) -------------------------------- */

static const char *fashion_dir(void)
{
    const char *d = getenv("FC_FASHION_MNIST");
    return d && *d ? d : "/usr/share/datasets/fashion-mnist";
}

/* An independent reading of an IDX file with plain zlib: the whole decompressed file. */
static unsigned char *slurp_gz(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    ck_assert_msg(f != NULL, "%s missing: install dataset-fashion-mnist or set FC_FASHION_MNIST",
                  path);
    size_t cap = 1 << 20, n = 0;
    unsigned char *buf = malloc(cap);
    int r;
    while ((r = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)r;
        if (n == cap) buf = realloc(buf, cap *= 2);
        ck_assert_ptr_nonnull(buf);
    }
    gzclose(f);
    *len = n;
    return buf;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

START_TEST(fashion_mnist_test_set)
{
    char path[1024];
    size_t li, ll;
    join(path, sizeof path, fashion_dir(), "t10k-images-idx3-ubyte.gz");
    unsigned char *img = slurp_gz(path, &li);
    join(path, sizeof path, fashion_dir(), "t10k-labels-idx1-ubyte.gz");
    unsigned char *lab = slurp_gz(path, &ll);
    ck_assert_uint_eq(be32(img + 4), 10000);
    ck_assert_uint_eq(ll, 8 + 10000);
    ck_assert_uint_eq(li, 16 + 10000 * 784);

    fc_data_t *d = NULL;
    ck_assert_msg(fc_data_read_idx(fashion_dir(), 1, 28, 0, &d) == FC_OK, "%s", fc_err_msg());
    ck_assert_uint_eq(d->n, 10000);
    ck_assert_uint_eq(d->p, 784);
    int count[10] = {0};
    for (size_t i = 0; i < d->n; i++) {
        ck_assert_double_eq(d->y[i], lab[8 + i]);
        ck_assert(d->y[i] >= 0 && d->y[i] <= 9);
        count[(int)d->y[i]]++;
    }
    for (int c = 0; c < 10; c++)
        ck_assert_int_eq(count[c], 1000); /* balanced test set */
    /* The first labels of Fashion-MNIST's test set: ankle boot, pullover, trouser, ... */
    const double first[] = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
    ck_assert_int_eq(memcmp(d->y, first, sizeof first), 0);
    double lo = 1, hi = 0;
    for (size_t t = 0; t < d->n * d->p; t++) {
        lo = fmin(lo, d->X[t]);
        hi = fmax(hi, d->X[t]);
        if (t < 5 * 784) ck_assert_double_eq(d->X[t], img[16 + t] / 255.0);
    }
    ck_assert_double_eq(lo, 0.0);
    ck_assert_double_eq(hi, 1.0);
    fc_data_destroy(&d);
    free(img);
    free(lab);
}
END_TEST

START_TEST(fashion_mnist_train_resized)
{
    char path[1024];
    size_t li, ll;
    join(path, sizeof path, fashion_dir(), "train-images-idx3-ubyte.gz");
    unsigned char *img = slurp_gz(path, &li);
    join(path, sizeof path, fashion_dir(), "train-labels-idx1-ubyte.gz");
    unsigned char *lab = slurp_gz(path, &ll);
    ck_assert_uint_eq(be32(lab + 4), 60000);

    fc_data_t *d = NULL, *head = NULL;
    ck_assert_msg(fc_data_read_idx(fashion_dir(), 0, 7, 0, &d) == FC_OK, "%s", fc_err_msg());
    ck_assert_uint_eq(d->n, 60000);
    ck_assert_uint_eq(d->p, 49);
    for (size_t i = 0; i < d->n; i++)
        ck_assert_double_eq(d->y[i], lab[8 + i]);
    /* Nearest neighbour, computed here in floating point: source floor((i + .5) * 28 / 7). */
    for (size_t t = 0; t < 100; t++)
        for (int i = 0; i < 7; i++)
            for (int j = 0; j < 7; j++) {
                int si = (int)floor((i + 0.5) * 28.0 / 7.0),
                    sj = (int)floor((j + 0.5) * 28.0 / 7.0);
                ck_assert_double_eq(d->X[t * 49 + (size_t)(i * 7 + j)],
                                    img[16 + t * 784 + (size_t)(si * 28 + sj)] / 255.0);
            }
    ck_assert_int_eq(fc_data_read_idx(fashion_dir(), 0, 7, 25, &head), FC_OK);
    ck_assert_uint_eq(head->n, 25);
    ck_assert_int_eq(memcmp(head->X, d->X, 25 * 49 * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(head->y, d->y, 25 * sizeof(double)), 0);
    fc_data_destroy(&head);
    fc_data_destroy(&d);
    free(img);
    free(lab);
}
END_TEST

/* ---- synthetic ----------------------------------------------------------------------- */

static fc_synth_t synth(double h)
{
    fc_synth_t s = {.n_per_client = 300,
                    .features = 6,
                    .heterogeneity = h,
                    .noise = 0.1,
                    .classes = 4,
                    .seed = 42};
    return s;
}

START_TEST(synthetic_is_deterministic)
{
    const fc_label_kind_t kinds[] = {FC_LABEL_REAL, FC_LABEL_BINARY, FC_LABEL_CLASS};
    for (int q = 0; q < 3; q++) {
        fc_synth_t s = synth(1.0);
        fc_data_t *a = NULL, *b = NULL, *c = NULL, *o = NULL;
        ck_assert_int_eq(fc_data_synthetic(&s, kinds[q], 2, &a), FC_OK);
        ck_assert_int_eq(fc_data_synthetic(&s, kinds[q], 2, &b), FC_OK);
        ck_assert(same_block(a, b));
        ck_assert_int_eq(fc_data_synthetic(&s, kinds[q], 3, &o), FC_OK);
        ck_assert(memcmp(a->X, o->X, a->n * a->p * sizeof(double)) != 0);
        s.seed = 43;
        ck_assert_int_eq(fc_data_synthetic(&s, kinds[q], 2, &c), FC_OK);
        ck_assert(memcmp(a->X, c->X, a->n * a->p * sizeof(double)) != 0);
        /* Fewer examples per client: a prefix of the same stream. */
        fc_data_t *few = NULL;
        s.seed = 42;
        s.n_per_client = 50;
        ck_assert_int_eq(fc_data_synthetic(&s, kinds[q], 2, &few), FC_OK);
        ck_assert_int_eq(memcmp(few->X, a->X, 50 * a->p * sizeof(double)), 0);
        ck_assert_int_eq(memcmp(few->y, a->y, 50 * sizeof(double)), 0);
        fc_data_destroy(&few);
        fc_data_destroy(&a);
        fc_data_destroy(&b);
        fc_data_destroy(&c);
        fc_data_destroy(&o);
    }
}
END_TEST

START_TEST(synthetic_clients_are_independent)
{
    fc_synth_t s = synth(1.0);
    fc_data_t *all[6] = {NULL}, *alone = NULL;
    for (size_t k = 0; k < 6; k++)
        ck_assert_int_eq(fc_data_synthetic(&s, FC_LABEL_BINARY, k, &all[k]), FC_OK);
    ck_assert_int_eq(fc_data_synthetic(&s, FC_LABEL_BINARY, 3, &alone), FC_OK);
    ck_assert(same_block(all[3], alone));
    fc_data_t *test = NULL;
    ck_assert_int_eq(fc_data_synthetic_test(&s, FC_LABEL_BINARY, 300, &test), FC_OK);
    for (size_t k = 0; k < 6; k++) {
        ck_assert(memcmp(test->X, all[k]->X, 6 * sizeof(double)) != 0);
        fc_data_destroy(&all[k]);
    }
    fc_data_destroy(&alone);
    fc_data_destroy(&test);
}
END_TEST

START_TEST(synthetic_labels_follow_the_model)
{
    fc_synth_t s = synth(0.5);
    int classes[4] = {0}, ones = 0, total = 0;
    for (size_t k = 0; k < 3; k++) {
        fc_data_t *d = NULL;
        ck_assert_int_eq(fc_data_synthetic(&s, FC_LABEL_CLASS, k, &d), FC_OK);
        char why[96];
        for (size_t i = 0; i < d->n; i++) {
            ck_assert(!fc_label_invalid((fc_label_rule_t){FC_LABEL_CLASS, 4}, d->y[i], why, 96));
            classes[(int)d->y[i]]++;
        }
        fc_data_destroy(&d);
        ck_assert_int_eq(fc_data_synthetic(&s, FC_LABEL_BINARY, k, &d), FC_OK);
        for (size_t i = 0; i < d->n; i++) {
            ck_assert(d->y[i] == 0.0 || d->y[i] == 1.0);
            ones += d->y[i] == 1.0;
            total++;
        }
        fc_data_destroy(&d);
    }
    for (int c = 0; c < 4; c++)
        ck_assert_int_gt(classes[c], 20); /* every class appears */
    ck_assert_int_gt(ones, total / 10);
    ck_assert_int_lt(ones, total - total / 10);

    s.features = 0;
    fc_data_t *d = NULL;
    ck_assert_int_eq(fc_data_synthetic(&s, FC_LABEL_REAL, 0, &d), FC_ECONFIG);
    s = synth(0.5);
    s.classes = 1;
    ck_assert_int_eq(fc_data_synthetic(&s, FC_LABEL_CLASS, 0, &d), FC_ECONFIG);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "data.classes"));
}
END_TEST

/* Least-squares fit (X^T X) theta = X^T y via the Cholesky shim, for the linear model. */
static void least_squares(const fc_data_t *d, double *theta)
{
    size_t p = d->p;
    double *A = calloc(p * p, sizeof *A);
    fc_syrk_t(p, d->n, 1.0, d->X, p, 0.0, A, p);
    fc_gemv(1, d->n, p, 1.0, d->X, p, d->y, 0.0, theta);
    ck_assert_int_eq(fc_chol(p, A, "X^T X"), FC_OK);
    fc_chol_solve(p, A, theta);
    free(A);
}

static double max_abs_diff(size_t n, const double *a, const double *b)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i] - b[i]));
    return m;
}

START_TEST(synthetic_heterogeneity_changes_clients)
{
    /* heterogeneity 0: every client and the test set share theta0 and mean 0; > 0: the
     * clients' fitted parameters and feature means differ. */
    double th[3][6], mean[3][6];
    for (int pass = 0; pass < 2; pass++) {
        fc_synth_t s = synth(pass == 0 ? 0.0 : 1.0);
        s.n_per_client = 3000;
        for (int k = 0; k < 3; k++) {
            fc_data_t *d = NULL;
            if (k < 2)
                ck_assert_int_eq(fc_data_synthetic(&s, FC_LABEL_REAL, (size_t)k, &d), FC_OK);
            else
                ck_assert_int_eq(fc_data_synthetic_test(&s, FC_LABEL_REAL, 3000, &d), FC_OK);
            least_squares(d, th[k]);
            for (size_t j = 0; j < 6; j++) {
                mean[k][j] = 0;
                for (size_t i = 0; i < d->n; i++)
                    mean[k][j] += d->X[i * 6 + j] / (double)d->n;
            }
            fc_data_destroy(&d);
        }
        /* Sampling error of theta-hat is ~ noise / sqrt(n) = 0.002; of a mean ~ 0.02. */
        double dth = max_abs_diff(6, th[0], th[1]), dmu = max_abs_diff(6, mean[0], mean[1]);
        if (pass == 0) {
            ck_assert_msg(dth < 0.02, "iid clients' parameters differ by %g", dth);
            ck_assert_msg(max_abs_diff(6, th[0], th[2]) < 0.02, "test set differs");
            ck_assert_msg(dmu < 0.12, "iid clients' means differ by %g", dmu);
        } else {
            ck_assert_msg(dth > 0.2, "heterogeneous parameters differ by only %g", dth);
            ck_assert_msg(dmu > 0.3, "heterogeneous means differ by only %g", dmu);
        }
    }
}
END_TEST

/* ---- block helpers ------------------------------------------------------------------- */

START_TEST(pad_bias_subset_max_class)
{
    fc_data_t *d = NULL, *s = NULL;
    ck_assert_int_eq(fc_data_create(3, 2, &d), FC_OK);
    for (int t = 0; t < 6; t++)
        d->X[t] = t + 1;
    d->y[0] = 2, d->y[1] = 0, d->y[2] = 5;
    ck_assert_int_eq(fc_data_max_class(d), 6);
    ck_assert_int_eq(fc_data_pad(d, 4), FC_OK);
    const double padded[] = {1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0, 0};
    ck_assert_int_eq(memcmp(d->X, padded, sizeof padded), 0);
    ck_assert_int_eq(fc_data_pad(d, 3), FC_EINVAL);
    ck_assert_int_eq(fc_data_append_bias(d), FC_OK);
    ck_assert_uint_eq(d->p, 5);
    const double biased[] = {1, 2, 0, 0, 1, 3, 4, 0, 0, 1, 5, 6, 0, 0, 1};
    ck_assert_int_eq(memcmp(d->X, biased, sizeof biased), 0);
    ck_assert_int_eq(fc_data_subset(d, (size_t[]){2, 0}, 2, &s), FC_OK);
    ck_assert_uint_eq(s->n, 2);
    ck_assert_int_eq(memcmp(s->X, biased + 10, 5 * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(s->X + 5, biased, 5 * sizeof(double)), 0);
    ck_assert_double_eq(s->y[0], 5);
    fc_data_destroy(&s);
    ck_assert_int_eq(fc_data_subset(d, NULL, 0, &s), FC_OK);
    ck_assert_int_eq(fc_data_max_class(s), 0);
    fc_data_destroy(&s);
    fc_data_destroy(&d);
    fc_data_destroy(&d); /* NULL is fine */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("data");
    TCase *bad = tcase_create("bad_inputs");
    tcase_add_loop_test(bad, bad_input_is_rejected, 0, N_BAD);
    tcase_add_test(bad, bad_table_is_large_enough);
    suite_add_tcase(s, bad);
    TCase *good = tcase_create("good_inputs");
    tcase_add_test(good, csv_round_trip_is_exact);
    tcase_add_test(good, libsvm_round_trip_is_exact);
    tcase_add_test(good, writer_reports_unwritable_path);
    tcase_add_test(good, csv_with_header_and_spaces);
    tcase_add_test(good, libsvm_fixture_and_pm1_labels);
    tcase_add_test(good, idx_small_gz_and_plain);
    tcase_add_test(good, pad_bias_subset_max_class);
    suite_add_tcase(s, good);
    TCase *real = tcase_create("fashion_mnist");
    tcase_set_timeout(real, 120);
    tcase_add_test(real, fashion_mnist_test_set);
    tcase_add_test(real, fashion_mnist_train_resized);
    suite_add_tcase(s, real);
    TCase *syn = tcase_create("synthetic");
    tcase_add_test(syn, synthetic_is_deterministic);
    tcase_add_test(syn, synthetic_clients_are_independent);
    tcase_add_test(syn, synthetic_labels_follow_the_model);
    tcase_add_test(syn, synthetic_heterogeneity_changes_clients);
    suite_add_tcase(s, syn);
    return fc_test_run(s);
}
