/* test_hostile.c — hostile input (issue "Reliability: ... hostile input"): one table of
 * files, --set strings and partition requests built to break the readers, each with the
 * error code and message it must give. Nothing may crash, hang or ask for absurd memory:
 * every row runs under an address-space cap (RLIMIT_AS, or ASan's allocation limit in a
 * sanitizer build), so a reader that trusts a header's counts fails its row. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fc_config.h"
#include "fc_data.h"
#include "fc_error.h"
#include "fc_partition.h"
#include "fc_testutil.h"

/* ---------------------------------------------------------------------------------------
 * The memory cap: what one row may allocate beyond what the process already has. */

#define HOSTILE_MEM_MB 256
#define HOSTILE_STR_(x) #x
#define HOSTILE_STR(x) HOSTILE_STR_(x)

/* ASan reserves terabytes of shadow memory, so RLIMIT_AS cannot be used under it; its
 * own per-allocation limit, returning NULL instead of aborting, plays the same part.
 * The options only take effect when ASan is linked in, and __asan_init (a weak
 * reference) tells whether it is: non-NULL whenever the runtime is linked, even when
 * only the library was instrumented (FC_FUZZ builds). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1:max_allocation_size_mb=" HOSTILE_STR(HOSTILE_MEM_MB);
}
extern void __asan_init(void) __attribute__((weak));

/* The process's current address-space size, from /proc/self/statm (pages). */
static size_t vm_bytes(void)
{
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%lu", &pages), 1);
    fclose(f);
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

static void mem_cap(struct rlimit *saved, int mb)
{
    struct rlimit cap;
    ck_assert_int_eq(getrlimit(RLIMIT_AS, saved), 0);
    if (__asan_init) return;
    cap = *saved;
    cap.rlim_cur = (rlim_t)(vm_bytes() + (size_t)(mb ? mb : HOSTILE_MEM_MB) * 1024 * 1024);
    if (saved->rlim_cur != RLIM_INFINITY && saved->rlim_cur < cap.rlim_cur)
        cap.rlim_cur = saved->rlim_cur;
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &cap), 0);
}

static void mem_uncap(const struct rlimit *saved)
{
    ck_assert_int_eq(setrlimit(RLIMIT_AS, saved), 0);
}

/* ---------------------------------------------------------------------------------------
 * File makers */

static void join(char *buf, size_t size, const char *dir, const char *name)
{
    int w = snprintf(buf, size, "%s/%s", dir, name);
    ck_assert(w > 0 && (size_t)w < size);
}

static void write_bytes(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* The gzip stream of bytes (header, deflate data, CRC-32 and length trailer). */
static size_t gzip_bytes(const void *bytes, size_t len, unsigned char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)bytes;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    deflateEnd(&z);
    return n;
}

static void be32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

/* An IDX images header (magic 0x803, big-endian) and `body` bytes of pixels. */
static void idx_images(const char *dir, uint32_t n, uint32_t rows, uint32_t cols, size_t body)
{
    char path[1024];
    unsigned char *b = calloc(16 + body, 1);
    ck_assert_ptr_nonnull(b);
    be32(b, 0x803);
    be32(b + 4, n);
    be32(b + 8, rows);
    be32(b + 12, cols);
    for (size_t i = 0; i < body; i++)
        b[16 + i] = (unsigned char)(i * 37);
    join(path, sizeof path, dir, "train-images-idx3-ubyte");
    write_bytes(path, b, 16 + body);
    free(b);
}

/* An IDX labels header (magic 0x801) and `body` label bytes. */
static void idx_labels(const char *dir, uint32_t n, size_t body)
{
    char path[1024];
    unsigned char *b = calloc(8 + body, 1);
    ck_assert_ptr_nonnull(b);
    be32(b, 0x801);
    be32(b + 4, n);
    for (size_t i = 0; i < body; i++)
        b[8 + i] = (unsigned char)(i % 10);
    join(path, sizeof path, dir, "train-labels-idx1-ubyte");
    write_bytes(path, b, 8 + body);
    free(b);
}

/* Two 2 x 2 images as a .gz file, cut or damaged by `edit`. */
static const unsigned char IMG2[] = {0, 0, 8, 3, 0, 0,  0,  2,   0, 0, 0, 2,
                                     0, 0, 0, 2, 0, 16, 32, 255, 1, 2, 3, 4};

static void idx_gz(const char *dir, size_t cut, int flip_crc)
{
    char path[1024];
    unsigned char gz[256];
    size_t n = gzip_bytes(IMG2, sizeof IMG2, gz, sizeof gz);
    if (flip_crc) gz[n - 8] ^= 0x5a; /* the trailer: CRC-32, then the length */
    if (cut && cut < n) n = cut;
    join(path, sizeof path, dir, "train-images-idx3-ubyte.gz");
    write_bytes(path, gz, n);
    idx_labels(dir, 2, 2);
}

static void gen_idx_gz_truncated(const char *dir)
{
    idx_gz(dir, 20, 0); /* the gzip stream stops inside the first image */
}

static void gen_idx_gz_bad_crc(const char *dir)
{
    idx_gz(dir, 0, 1);
}

static void gen_idx_byte_swapped(const char *dir)
{
    /* Every header field written little-endian, as a naive writer on x86 would. */
    static const unsigned char le[] = {3, 8, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0,
                                       2, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7};
    char path[1024];
    join(path, sizeof path, dir, "train-images-idx3-ubyte");
    write_bytes(path, le, sizeof le);
    idx_labels(dir, 2, 2);
}

static void gen_idx_2p31_images(const char *dir)
{
    idx_images(dir, UINT32_C(1) << 31, 28, 28, 100);
    idx_labels(dir, UINT32_C(1) << 31, 100);
}

static void gen_idx_60000_images(const char *dir)
{
    idx_images(dir, 60000, 28, 28, 100);
    idx_labels(dir, 60000, 100);
}

/* Plausible images (1024 x 1024) but 1024 of them declared: 8 GB as doubles. */
static void gen_idx_1024_megapixel(const char *dir)
{
    idx_images(dir, 1024, 1024, 1024, 100);
    idx_labels(dir, 1024, 100);
}

static void gen_idx_huge_side(const char *dir)
{
    idx_images(dir, 2, 65536, 65536, 100);
    idx_labels(dir, 2, 2);
}

static void gen_idx_empty(const char *dir)
{
    char path[1024];
    join(path, sizeof path, dir, "train-images-idx3-ubyte");
    write_bytes(path, "", 0);
    idx_labels(dir, 2, 2);
}

static void gen_idx_good(const char *dir)
{
    idx_images(dir, 2, 2, 2, 8);
    idx_labels(dir, 2, 2);
}

/* Text files. Each maker writes one file at path. */

static FILE *create(const char *path)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    return f;
}

static void finish(FILE *f)
{
    ck_assert_int_eq(ferror(f), 0);
    ck_assert_int_eq(fclose(f), 0);
}

/* One csv line of about 10^6 characters: a label and 249999 features of 0.5. */
#define WIDE_FEATURES 249999u
static void gen_csv_wide_line(const char *path)
{
    FILE *f = create(path);
    fputs("1", f);
    for (unsigned j = 0; j < WIDE_FEATURES; j++)
        fputs(",0.5", f);
    fputs("\n", f);
    finish(f);
}

/* A good line, then 10 MB of printable garbage on one line with a single comma. */
static void gen_csv_garbage_line(const char *path)
{
    FILE *f = create(path);
    uint32_t s = 12345;
    fputs("1,2\n", f);
    for (size_t i = 0; i < 10u << 20; i++) {
        s = s * 1103515245u + 12345u;
        int c = '!' + (int)(s >> 16) % 94; /* '!'..'~' */
        fputc(i == 5u << 20 ? ',' : c == ',' ? ';' : c, f);
    }
    fputs("\n", f);
    finish(f);
}

/* A good line, then a 20 MB line: more than a 16 MB memory cap can hold. */
static void gen_csv_line_beyond_memory(const char *path)
{
    FILE *f = create(path);
    fputs("1,2\n", f);
    for (size_t i = 0; i < 20u << 20; i++)
        fputc('0', f);
    fputs(",1\n", f);
    finish(f);
}

/* 28 one-feature rows with the largest accepted index: 2.2 GB as a dense matrix. */
static void gen_libsvm_dense_blowup(const char *path)
{
    FILE *f = create(path);
    fprintf(f, "1 %u:1\n", FC_LIBSVM_MAX_FEATURES);
    for (int i = 0; i < 27; i++)
        fputs("1\n", f);
    finish(f);
}

#define LONG_VALUE 100000
static void gen_config_long_value(const char *path)
{
    FILE *f = create(path);
    fputs("[data]\ntrain = ", f);
    for (int i = 0; i < LONG_VALUE; i++)
        fputc('a', f);
    fputs("\n", f);
    finish(f);
}

static void gen_set_long_value(const char *path)
{
    FILE *f = create(path);
    fputs("data.train=", f);
    for (int i = 0; i < LONG_VALUE; i++)
        fputc('a', f);
    finish(f);
}

/* ---------------------------------------------------------------------------------------
 * The table */

typedef enum {
    T_CSV,       /* fc_data_read_csv(path) */
    T_LIBSVM,    /* fc_data_read_libsvm(path) */
    T_IDX,       /* fc_data_read_idx(folder, train, resize) */
    T_CONFIG,    /* fc_config_load(path), then fc_config_validate */
    T_SET,       /* fc_config_set(defaults, the file's content) */
    T_IID,       /* fc_partition_iid(n, K) */
    T_DIRICHLET, /* fc_partition_dirichlet(labels i % 2, n, K, alpha) */
} target_t;

typedef struct {
    const char *what;
    target_t target;
    /* The input: a file `name` in a fresh folder holding `bytes` (len, or strlen when 0),
     * or written by make_file; or a folder filled by make_dir (T_IDX reads the folder);
     * or `path`, read as it is (/dev/zero, the folder itself). */
    const char *name;
    const char *bytes;
    size_t len;
    void (*make_file)(const char *path);
    void (*make_dir)(const char *dir);
    const char *path;
    fc_label_rule_t rule;
    int resize;             /* T_IDX */
    size_t n, K;            /* T_IID, T_DIRICHLET */
    double alpha;           /* T_DIRICHLET */
    int code;               /* expected result */
    const char *msg, *msg2; /* expected substrings of the message (NULL: none) */
    int names_input;        /* the message must contain the path read (or "--set ") */
    int mem_mb;             /* a tighter memory cap than HOSTILE_MEM_MB (not under ASan) */
} hostile_t;

#define BYTES(s) .bytes = s, .len = sizeof(s) - 1
#define REAL                                                                                       \
    {                                                                                              \
        FC_LABEL_REAL, 0                                                                           \
    }
#define BIN                                                                                        \
    {                                                                                              \
        FC_LABEL_BINARY, 0                                                                         \
    }

static const hostile_t rows[] = {
    /* IDX */
    {.what = "idx: truncated gzip stream",
     .target = T_IDX,
     .make_dir = gen_idx_gz_truncated,
     .code = FC_EDATA,
     .msg = "/train-images-idx3-ubyte.gz: ",
     .msg2 = "image 1 of 2",
     .names_input = 1},
    {.what = "idx: gzip stream with a bad CRC-32",
     .target = T_IDX,
     .make_dir = gen_idx_gz_bad_crc,
     .code = FC_EDATA,
     .msg = "/train-images-idx3-ubyte.gz: ",
     .names_input = 1},
    {.what = "idx: header written little-endian",
     .target = T_IDX,
     .make_dir = gen_idx_byte_swapped,
     .code = FC_EDATA,
     .msg = "/train-images-idx3-ubyte: bad magic number 0x03080000 (expected 0x00000803",
     .names_input = 1},
    {.what = "idx: 2^31 images declared, 100-byte body",
     .target = T_IDX,
     .make_dir = gen_idx_2p31_images,
     .code = FC_EDATA,
     .msg = "/train-images-idx3-ubyte: ",
     .msg2 = "2147483648",
     .names_input = 1},
    {.what = "idx: 60000 x 28 x 28 declared, 100-byte body",
     .target = T_IDX,
     .make_dir = gen_idx_60000_images,
     .code = FC_EDATA,
     .msg = "/train-images-idx3-ubyte: ",
     .msg2 = "60000",
     .names_input = 1},
    {.what = "idx: 1024 images of 1024 x 1024 declared, 100-byte body",
     .target = T_IDX,
     .make_dir = gen_idx_1024_megapixel,
     .code = FC_EDATA,
     .msg = "/train-images-idx3-ubyte: ",
     .msg2 = "1024",
     .names_input = 1},
    {.what = "idx: 65536 x 65536 images declared, 100-byte body",
     .target = T_IDX,
     .make_dir = gen_idx_huge_side,
     .code = FC_EDATA,
     .msg = "/train-images-idx3-ubyte: ",
     .names_input = 1},
    {.what = "idx: empty images file",
     .target = T_IDX,
     .make_dir = gen_idx_empty,
     .code = FC_EDATA,
     .msg = "/train-images-idx3-ubyte: truncated in the header: expected 16 bytes, got 0",
     .names_input = 1},
    {.what = "idx: resize 100000 on 2 x 2 images",
     .target = T_IDX,
     .make_dir = gen_idx_good,
     .resize = 100000,
     .code = FC_ECONFIG,
     .msg = "data.resize = 100000 is larger than the 2 x 2 images",
     .names_input = 1},

    /* libsvm */
    {.what = "libsvm: feature index 2^40",
     .target = T_LIBSVM,
     .name = "big.svm",
     .bytes = "1 1:1\n0 1099511627776:0.5\n",
     .rule = BIN,
     .code = FC_EDATA,
     .msg = "big.svm:2: index 1099511627776 is above the limit of 10000000 features",
     .names_input = 1},
    {.what = "libsvm: index 0",
     .target = T_LIBSVM,
     .name = "zero.svm",
     .bytes = "1 0:1\n",
     .rule = BIN,
     .code = FC_EDATA,
     .msg = "zero.svm:1: index 0: libsvm indices start at 1",
     .names_input = 1},
    {.what = "libsvm: NUL byte",
     .target = T_LIBSVM,
     .name = "nul.svm",
     BYTES("1 1:1\n0 2:\0\n"),
     .rule = BIN,
     .code = FC_EDATA,
     .msg = "nul.svm:2: line contains a NUL byte",
     .names_input = 1},
    {.what = "libsvm: 28 rows x 10^7 features (2.2 GB dense) from 70 bytes",
     .target = T_LIBSVM,
     .name = "dense.svm",
     .make_file = gen_libsvm_dense_blowup,
     .rule = REAL,
     .code = FC_EDATA,
     .msg = "dense.svm: 28 examples x 10000000 features would take 2.09 GiB as a dense matrix",
     .names_input = 1},
    {.what = "libsvm: empty file",
     .target = T_LIBSVM,
     .name = "empty.svm",
     .bytes = "",
     .rule = REAL,
     .code = FC_EDATA,
     .msg = "empty.svm: no examples",
     .names_input = 1},

    /* csv */
    {.what = "csv: a 10^6-character line of numbers works",
     .target = T_CSV,
     .name = "wide.csv",
     .make_file = gen_csv_wide_line,
     .rule = BIN,
     .code = FC_OK},
    {.what = "csv: 10 MB line of garbage",
     .target = T_CSV,
     .name = "garbage.csv",
     .make_file = gen_csv_garbage_line,
     .rule = REAL,
     .code = FC_EDATA,
     .msg = "garbage.csv:2: field 1 (",
     .msg2 = "') is not a number",
     .names_input = 1},
    {.what = "csv: a line longer than memory allows is an error, not the end of the file",
     .target = T_CSV,
     .name = "oom.csv",
     .make_file = gen_csv_line_beyond_memory,
     .rule = REAL,
     .mem_mb = 16,
     .code = FC_ENOMEM,
     .msg = "oom.csv:2: ",
     .names_input = 1},
    {.what = "csv: non-UTF-8 bytes",
     .target = T_CSV,
     .name = "latin1.csv",
     .bytes = "1,2\n0,\xff\xfe\n",
     .rule = BIN,
     .code = FC_EDATA,
     .msg = "latin1.csv:2: field 2 ('\xff\xfe') is not a number",
     .names_input = 1},
    {.what = "csv: empty file",
     .target = T_CSV,
     .name = "empty.csv",
     .bytes = "",
     .rule = REAL,
     .code = FC_EDATA,
     .msg = "empty.csv: no examples (empty file)",
     .names_input = 1},
    {.what = "csv: a folder as the data file",
     .target = T_CSV,
     .path = ".", /* the row's own folder */
     .rule = REAL,
     .code = FC_EIO,
     .msg = "Is a directory",
     .names_input = 1},
    {.what = "csv: /dev/zero, an endless line of NULs",
     .target = T_CSV,
     .path = "/dev/zero",
     .rule = REAL,
     .code = FC_EDATA,
     .msg = "/dev/zero:1: ",
     .names_input = 1},

    /* config file and --set */
    {.what = "config: non-UTF-8 value",
     .target = T_CONFIG,
     .name = "latin1.ini",
     .bytes = "[run]\nrounds = \xff\xfe\n",
     .code = FC_ECONFIG,
     .msg = "latin1.ini:2: run.rounds: expected an integer",
     .names_input = 1},
    {.what = "config: NUL byte inside a line",
     .target = T_CONFIG,
     .name = "nul.ini",
     BYTES("[run]\nrounds = 5\0garbage\n"),
     .code = FC_ECONFIG,
     .msg = "nul.ini:2: ",
     .msg2 = "NUL byte",
     .names_input = 1},
    {.what = "config: a 10^5-character value",
     .target = T_CONFIG,
     .name = "long.ini",
     .make_file = gen_config_long_value,
     .code = FC_ECONFIG,
     .msg = "long.ini:2: line too long",
     .names_input = 1},
    {.what = "--set: a 10^5-character value",
     .target = T_SET,
     .name = "set.txt",
     .make_file = gen_set_long_value,
     .code = FC_ECONFIG,
     .msg = "data.train: too long",
     .names_input = 1},
    {.what = "config: 2^40 clients",
     .target = T_CONFIG,
     .name = "k40.ini",
     .bytes = "[partition]\nclients = 1099511627776\n",
     .code = FC_ECONFIG,
     .msg = "k40.ini:2: partition.clients: out of range, got '1099511627776'",
     .names_input = 1},
    {.what = "--set: 2^40 clients",
     .target = T_SET,
     .name = "set.txt",
     .bytes = "partition.clients=1099511627776",
     .code = FC_ECONFIG,
     .msg = "--set partition.clients=1099511627776: partition.clients: out of range",
     .names_input = 1},
    {.what = "config: clients = -1",
     .target = T_CONFIG,
     .name = "neg.ini",
     .bytes = "[partition]\nscheme = iid\nclients = -1\n",
     .code = FC_ECONFIG,
     .msg = "neg.ini:3: partition.clients: must be >= 1, got -1",
     .names_input = 1},
    {.what = "config: n_per_client = -5",
     .target = T_CONFIG,
     .name = "negn.ini",
     .bytes = "[data]\nn_per_client = -5\n",
     .code = FC_ECONFIG,
     .msg = "negn.ini:2: data.n_per_client: must be >= 1, got -5",
     .names_input = 1},
    {.what = "config: resize = 100000",
     .target = T_CONFIG,
     .name = "resize.ini",
     .bytes = "[data]\nresize = 100000\n",
     .code = FC_ECONFIG,
     .msg = "resize.ini:2: data.resize: must be in [1, 1024], got 100000",
     .names_input = 1},
    {.what = "config: data.train is a folder",
     .target = T_CONFIG,
     .name = "dir.ini",
     .bytes = "[data]\nformat = csv\ntrain = .\n",
     .code = FC_ECONFIG,
     .msg = "dir.ini:3: data.train: cannot open '",
     .msg2 = "Is a directory",
     .names_input = 1},
    {.what = "config: /dev/zero as the config file",
     .target = T_CONFIG,
     .path = "/dev/zero",
     .code = FC_ECONFIG,
     .msg = "/dev/zero:1: ",
     .names_input = 1},
    {.what = "config: the config path is a folder",
     .target = T_CONFIG,
     .path = ".",
     .code = FC_EIO,
     .msg = "cannot read: Is a directory",
     .names_input = 1},

    /* partitions */
    {.what = "partition: K = 5 > n = 3",
     .target = T_IID,
     .n = 3,
     .K = 5,
     .code = FC_EDATA,
     .msg = "partition: 5 clients but only 3 examples"},
    {.what = "partition: dirichlet alpha 1e-3 leaves a client empty",
     .target = T_DIRICHLET,
     .n = 20,
     .K = 10,
     .alpha = 1e-3,
     .code = FC_EDATA,
     .msg = "gets no examples (dirichlet, alpha 0.001, 20 examples); raise partition.alpha"},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* ---------------------------------------------------------------------------------------
 * The runner */

/* The whole file as a NUL-terminated string (for T_SET). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Run one row's target on input (a path, or the --set text); d gets a block on success. */
static int run_target(const hostile_t *h, const char *input, fc_data_t **d)
{
    static fc_config_t c;
    fc_partition_t *p = NULL;
    double *y = NULL;
    int err = FC_OK;
    switch (h->target) {
    case T_CSV:
        return fc_data_read_csv(input, h->rule, 0, d);
    case T_LIBSVM:
        return fc_data_read_libsvm(input, h->rule, 0, d);
    case T_IDX:
        return fc_data_read_idx(input, 0, h->resize, 0, d);
    case T_CONFIG:
        fc_config_defaults(&c);
        err = fc_config_load(input, &c);
        return err ? err : fc_config_validate(&c);
    case T_SET:
        fc_config_defaults(&c);
        err = fc_config_set(&c, input);
        return err ? err : fc_config_validate(&c);
    case T_IID:
        err = fc_partition_iid(h->n, h->K, 1, &p);
        break;
    case T_DIRICHLET:
        y = malloc(h->n * sizeof *y);
        ck_assert_ptr_nonnull(y);
        for (size_t i = 0; i < h->n; i++)
            y[i] = (double)(i % 2);
        err = fc_partition_dirichlet(y, h->n, 0, h->K, h->alpha, 1, &p);
        free(y);
        break;
    }
    if (err != FC_OK) ck_assert_ptr_null(p);
    fc_partition_destroy(&p);
    return err;
}

/* Remove the row's files (they are all directly in dir) and the folder. */
static void remove_dir(const char *dir)
{
    static const char *const names[] = {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz",
                                        "train-labels-idx1-ubyte", "train-labels-idx1-ubyte.gz",
                                        NULL};
    char path[1024];
    for (const char *const *n = names; *n; n++) {
        join(path, sizeof path, dir, *n);
        unlink(path);
    }
    ck_assert_msg(rmdir(dir) == 0, "cannot remove %s: %s", dir, strerror(errno));
}

START_TEST(hostile_input)
{
    const hostile_t *h = &rows[_i];
    char dir[512], path[1024];
    char *text = NULL;
    const char *input = path;
    fc_data_t *const sentinel = (fc_data_t *)(uintptr_t)1, *d = sentinel; /* must be overwritten */
    struct rlimit saved;

    if (h->mem_mb && __asan_init) return; /* ASan's allocation limit is fixed at start-up */
    fc_test_tmpdir(dir, sizeof dir);
    path[0] = '\0';
    if (h->make_dir) {
        h->make_dir(dir);
        snprintf(path, sizeof path, "%s", dir);
    } else if (h->name) {
        join(path, sizeof path, dir, h->name);
        if (h->make_file)
            h->make_file(path);
        else
            write_bytes(path, h->bytes, h->len ? h->len : strlen(h->bytes));
    } else if (h->path) {
        snprintf(path, sizeof path, "%s", strcmp(h->path, ".") == 0 ? dir : h->path);
    }
    if (h->target == T_SET) input = text = slurp(path);

    fc_err_clear();
    mem_cap(&saved, h->mem_mb);
    int err = run_target(h, input, &d);
    mem_uncap(&saved);

    /* Take the result apart and clean up before asserting, so a failing row leaves no
     * files or memory behind (also with CK_FORK=no). */
    char msg[1024], junk[1024];
    snprintf(msg, sizeof msg, "%s", fc_err_msg());
    int reader = h->target == T_CSV || h->target == T_LIBSVM || h->target == T_IDX;
    int set_out = d != sentinel, out_null = d == NULL, wide_ok = 1;
    if (err == FC_OK && reader && set_out && d) {
        if (h->make_file == gen_csv_wide_line) {
            wide_ok = d->n == 1 && d->p == WIDE_FEATURES && d->y[0] == 1.0;
            for (size_t j = 0; wide_ok && j < d->p; j++)
                wide_ok = d->X[j] == 0.5;
        }
        fc_data_destroy(&d);
    }
    free(text);
    if (h->name) {
        join(junk, sizeof junk, dir, h->name);
        unlink(junk);
    }
    remove_dir(dir);

    if (getenv("FC_TEST_VERBOSE"))
        printf("%-58s %-10s %.160s\n", h->what, fc_errname(err), err ? msg : ""), fflush(stdout);
    ck_assert_msg(err == h->code, "%s: got %s (\"%.300s\"), expected %s", h->what, fc_errname(err),
                  msg, fc_errname(h->code));
    if (reader) ck_assert_msg(set_out, "%s: *out not written", h->what);
    if (err == FC_OK) {
        if (reader) ck_assert_msg(!out_null, "%s: FC_OK without a block", h->what);
        ck_assert_msg(wide_ok, "%s: the block is not 1 x %u of 0.5 with label 1", h->what,
                      WIDE_FEATURES);
        return;
    }
    if (reader) ck_assert_msg(out_null, "%s: *out not NULL after a failure", h->what);
    ck_assert_msg(msg[0] != '\0', "%s: no message", h->what);
    if (h->msg)
        ck_assert_msg(strstr(msg, h->msg) != NULL, "%s: message \"%.300s\" lacks \"%s\"", h->what,
                      msg, h->msg);
    if (h->msg2)
        ck_assert_msg(strstr(msg, h->msg2) != NULL, "%s: message \"%.300s\" lacks \"%s\"", h->what,
                      msg, h->msg2);
    if (h->names_input) {
        const char *who = h->target == T_SET ? "--set " : path;
        ck_assert_msg(strstr(msg, who) != NULL, "%s: message \"%.300s\" does not name %s", h->what,
                      msg, who);
    }
}
END_TEST

/* The table itself: enough rows, each complete. */
START_TEST(table_is_well_formed)
{
    ck_assert_uint_ge(NROWS, 15);
    for (size_t i = 0; i < NROWS; i++) {
        const hostile_t *h = &rows[i];
        int inputs = !!h->make_dir + !!h->name + !!h->path;
        ck_assert_msg(h->what && *h->what, "row %zu has no name", i);
        if (h->target == T_IID || h->target == T_DIRICHLET)
            ck_assert_msg(inputs == 0, "%s: partitions take no file", h->what);
        else
            ck_assert_msg(inputs == 1, "%s: give exactly one input", h->what);
        ck_assert_msg(!h->name || h->bytes || h->make_file, "%s: no content", h->what);
        ck_assert_msg(h->code == FC_OK || h->msg, "%s: a failure row needs a message", h->what);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("core");
    /* Generous: /dev/zero and the 10 MB line take a moment under sanitizers; a reader
     * that hangs is still caught (fork mode turns the timeout into a failure). */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, table_is_well_formed);
    tcase_add_loop_test(tc, hostile_input, 0, (int)NROWS);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
