/* fc_data_idx.c — the IDX reader for MNIST-style image sets (SPEC §6 "Data files"):
 * {train,t10k}-images-idx3-ubyte and -labels-idx1-ubyte, gzip or plain (zlib reads
 * both), big-endian headers checked, pixels scaled to [0, 1], optional nearest-neighbour
 * resize. Problems are reported as "PATH: what is wrong". */
#include "fc_data.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "fc_mem.h"

#define IDX_MAGIC_IMAGES 0x00000803u /* unsigned byte, 3 dimensions */
#define IDX_MAGIC_LABELS 0x00000801u /* unsigned byte, 1 dimension */
/* Sanity bound on one image side: a corrupt header must not ask for terabytes. */
#define IDX_MAX_SIDE 65536u
/* ... nor one image more than 2^24 pixels (4096 x 4096). */
#define IDX_MAX_PIXELS ((uint64_t)1 << 24)

typedef struct {
    gzFile f;
    char *path; /* the name actually opened (with or without .gz) */
} idx_file_t;

static void idx_close(idx_file_t *x)
{
    if (x->f) gzclose(x->f);
    x->f = NULL;
    fc_free(&x->path);
}

/* Open dir/base.gz, or dir/base when there is no .gz. */
static int idx_open(const char *dir, const char *base, idx_file_t *x)
{
    int err = FC_OK;
    size_t len = strlen(dir) + strlen(base) + 5;
    FC_CALL(fc_alloc(len, 1, &x->path));
    snprintf(x->path, len, "%s/%s.gz", dir, base);
    errno = 0;
    x->f = gzopen(x->path, "rb");
    if (!x->f && errno != ENOENT && errno != 0)
        FC_FAIL(FC_EIO, "%s: cannot open: %s", x->path, strerror(errno));
    if (!x->f) {
        snprintf(x->path, len, "%s/%s", dir, base);
        errno = 0;
        x->f = gzopen(x->path, "rb");
        if (!x->f) {
            int e = errno ? errno : ENOMEM; /* zlib leaves errno 0 when its malloc fails */
            FC_FAIL(FC_EIO, "%s: cannot open: %s (nor %s.gz)", x->path, strerror(e), x->path);
        }
    }
    gzbuffer(x->f, 1u << 17);
cleanup:
    return err;
}

/* Read exactly n bytes; a short read is a truncated (or corrupt) file. */
static int idx_read(idx_file_t *x, void *buf, size_t n, const char *what)
{
    size_t got = 0;
    while (got < n) {
        size_t want = n - got > (1u << 30) ? (1u << 30) : n - got;
        int r = gzread(x->f, (unsigned char *)buf + got, (unsigned)want);
        if (r <= 0) break;
        got += (size_t)r;
    }
    if (got == n) return FC_OK;
    int zerr = Z_OK;
    const char *zmsg = gzerror(x->f, &zerr);
    if (zerr == Z_ERRNO) return fc_err_set(FC_EIO, "%s: read error: %s", x->path, strerror(errno));
    if (zerr == Z_DATA_ERROR || zerr == Z_STREAM_ERROR || zerr == Z_MEM_ERROR)
        return fc_err_set(zerr == Z_MEM_ERROR ? FC_ENOMEM : FC_EDATA, "%s: corrupt gzip data: %s",
                          x->path, zmsg);
    return fc_err_set(FC_EDATA, "%s: truncated in %s: expected %zu bytes, got %zu", x->path, what,
                      n, got);
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static int check_magic(const idx_file_t *x, uint32_t magic, uint32_t want, const char *kind)
{
    if (magic == want) return FC_OK;
    return fc_err_set(FC_EDATA,
                      "%s: bad magic number 0x%08x (expected 0x%08x for IDX %s; not an IDX "
                      "file, or images and labels swapped?)",
                      x->path, (unsigned)magic, (unsigned)want, kind);
}

/* Header checks for both files; *n, *rows, *cols from the images' header. */
static int open_pair(const char *dir, int test_set, idx_file_t *im, idx_file_t *lb, uint32_t *n,
                     uint32_t *rows, uint32_t *cols)
{
    int err = FC_OK;
    unsigned char head[16];
    const char *set = test_set ? "t10k" : "train";
    char base[64];
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", set);
    FC_CALL(idx_open(dir, base, im));
    FC_CALL(idx_read(im, head, 16, "the header"));
    FC_CALL(check_magic(im, be32(head), IDX_MAGIC_IMAGES, "images (idx3-ubyte)"));
    *n = be32(head + 4);
    *rows = be32(head + 8);
    *cols = be32(head + 12);
    if (*rows == 0 || *cols == 0 || *rows > IDX_MAX_SIDE || *cols > IDX_MAX_SIDE ||
        (uint64_t)*rows * *cols > IDX_MAX_PIXELS)
        FC_FAIL(FC_EDATA, "%s: implausible image size %u x %u", im->path, (unsigned)*rows,
                (unsigned)*cols);
    if (*n == 0) FC_FAIL(FC_EDATA, "%s: no examples (the header says 0 images)", im->path);
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", set);
    FC_CALL(idx_open(dir, base, lb));
    FC_CALL(idx_read(lb, head, 8, "the header"));
    FC_CALL(check_magic(lb, be32(head), IDX_MAGIC_LABELS, "labels (idx1-ubyte)"));
    uint32_t nl = be32(head + 4);
    if (nl != *n)
        FC_FAIL(FC_EDATA, "%s: %u labels, but %s has %u images", lb->path, (unsigned)nl, im->path,
                (unsigned)*n);
cleanup:
    return err;
}

void fc_idx_destroy(fc_idx_t **px)
{
    fc_idx_t *x = px ? *px : NULL;
    if (!x) return;
    fc_free(&x->pix);
    fc_free(&x->y);
    fc_free(px);
}

int fc_idx_read(const char *dir, int test_set, int resize, size_t max_examples, fc_idx_t **out)
{
    int err = FC_OK;
    idx_file_t im = {0}, lb = {0};
    unsigned char *pix = NULL, *lab = NULL;
    size_t *rmap = NULL, *cmap = NULL;
    fc_idx_t *x = NULL;
    uint32_t n, rows, cols;
    *out = NULL;
    FC_CALL(open_pair(dir, test_set, &im, &lb, &n, &rows, &cols));
    /* Output size: native, or r x r by nearest neighbour. */
    size_t R = rows, C = cols;
    if (resize > 0) {
        if ((uint32_t)resize > (rows > cols ? rows : cols))
            FC_FAIL(FC_ECONFIG, "%s: data.resize = %d is larger than the %u x %u images", im.path,
                    resize, (unsigned)rows, (unsigned)cols);
        R = C = (size_t)resize;
    }
    FC_CALL(fc_alloc(R, sizeof *rmap, &rmap));
    FC_CALL(fc_alloc(C, sizeof *cmap, &cmap));
    /* Source pixel of output (i, j): floor((i + 0.5) rows / R), in exact integers. */
    for (size_t i = 0; i < R; i++)
        rmap[i] = ((2 * i + 1) * rows) / (2 * R);
    for (size_t j = 0; j < C; j++)
        cmap[j] = ((2 * j + 1) * cols) / (2 * C);
    size_t keep = n, npix = (size_t)rows * cols, cap;
    if (max_examples > 0 && max_examples < keep) keep = max_examples;
    FC_CALL(fc_calloc(1, sizeof *x, &x));
    x->p = R * C;
    /* The header's count is not trusted with memory: storage grows (doubling) as images
     * actually arrive, so a file that claims 2^32 images but holds 3 costs 3 images' worth
     * before the read reports it truncated. Pixels stay bytes (1/8 of doubles). */
    cap = ((size_t)1 << 24) / x->p; /* start at about 16 MiB of pixels */
    cap = cap < 1 ? 1 : cap > keep ? keep : cap;
    FC_CALL(fc_alloc(cap, x->p, &x->pix));
    FC_CALL(fc_alloc(npix, 1, &pix));
    for (size_t t = 0; t < keep; t++) {
        char what[64];
        if (t == cap) {
            cap = 2 * cap < keep ? 2 * cap : keep;
            FC_CALL(fc_realloc(&x->pix, cap, x->p));
        }
        snprintf(what, sizeof what, "image %zu of %u", t + 1, (unsigned)n);
        FC_CALL(idx_read(&im, pix, npix, what));
        unsigned char *o = x->pix + t * x->p;
        for (size_t i = 0; i < R; i++)
            for (size_t j = 0; j < C; j++)
                o[i * C + j] = pix[rmap[i] * cols + cmap[j]];
    }
    /* Labels are single bytes, so every value is a valid class 0..255. */
    FC_CALL(fc_alloc(keep, 1, &lab));
    FC_CALL(idx_read(&lb, lab, keep, "the labels"));
    FC_CALL(fc_alloc(keep, sizeof(double), &x->y));
    for (size_t t = 0; t < keep; t++)
        x->y[t] = lab[t];
    x->n = keep;
    *out = x;
    x = NULL;
cleanup:
    fc_idx_destroy(&x);
    fc_free(&pix);
    fc_free(&lab);
    fc_free(&rmap);
    fc_free(&cmap);
    idx_close(&im);
    idx_close(&lb);
    return err;
}

int fc_idx_block(const fc_idx_t *x, const size_t *idx, size_t n, fc_data_t **out)
{
    fc_data_t *d = NULL;
    int err = fc_data_create(n, x->p, &d);
    if (err) return err;
    for (size_t t = 0; t < n; t++) {
        size_t r = idx ? idx[t] : t;
        const unsigned char *src = x->pix + r * x->p;
        double *dst = d->X + t * x->p;
        for (size_t j = 0; j < x->p; j++)
            dst[j] = src[j] / 255.0;
        d->y[t] = x->y[r];
    }
    *out = d;
    return FC_OK;
}

int fc_data_read_idx(const char *dir, int test_set, int resize, size_t max_examples,
                     fc_data_t **out)
{
    fc_idx_t *x = NULL;
    *out = NULL;
    int err = fc_idx_read(dir, test_set, resize, max_examples, &x);
    if (!err) err = fc_idx_block(x, NULL, x->n, out);
    fc_idx_destroy(&x);
    return err;
}
