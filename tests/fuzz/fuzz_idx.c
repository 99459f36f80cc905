/* fuzz_idx.c — fuzz the IDX reader (fc_data_read_idx). The input is a 5-byte control
 * header and then the two files:
 *   byte 0  bits 0-1 images file, bits 2-3 labels file: 0 plain name, raw bytes;
 *           1 ".gz" name, raw bytes (zlib reads non-gzip bytes as plain, gzip magic
 *           as gzip); 2 ".gz" name, the bytes gzip-compressed; 3 the same, truncated
 *           to the fraction (bits 6-7 + 1) / 5 of the stream. bit 4: the t10k set.
 *           bit 5: also leave a stale plain file beside a .gz one (the .gz must win).
 *   byte 1  resize, a signed byte (<= 0: native size)
 *   byte 2  max_examples (0: all)
 *   bytes 3-4  L, big-endian: the labels file is the next min(L, rest) bytes, the
 *           images file is what follows. */
#include <stdio.h>
#include <string.h>

#include "fc_data.h"
#include "fc_error.h"
#include "fuzz_util.h"

static void put(const char *base, int mode, double keep, int stale, const uint8_t *b, size_t n)
{
    char gz[96];
    snprintf(gz, sizeof gz, "%s.gz", base);
    fz_unlink(base);
    fz_unlink(gz);
    switch (mode) {
    case 0:
        fz_write(base, b, n);
        return;
    case 1:
        fz_write(gz, b, n);
        break;
    case 2:
        fz_write_gz(gz, b, n, 1.0);
        break;
    default:
        fz_write_gz(gz, b, n, keep);
        break;
    }
    /* Garbage under the plain name: the reader must take the .gz file first. */
    if (stale) fz_write(base, "stale", 5);
}

static void check_block(const fc_data_t *d, int resize, size_t max_examples)
{
    if (!d) fz_fail("idx", "FC_OK without a block");
    if (d->n == 0) fz_fail("idx", "a block with no examples");
    if (max_examples && d->n > max_examples) fz_fail("idx", "more than max_examples");
    if (resize > 0 && d->p != (size_t)resize * (size_t)resize) fz_fail("idx", "resize ignored");
    for (size_t t = 0; t < d->n * d->p; t++)
        if (!(d->X[t] >= 0.0 && d->X[t] <= 1.0)) fz_fail("idx", "a pixel outside [0, 1]");
    for (size_t i = 0; i < d->n; i++)
        if (!(d->y[i] >= 0.0 && d->y[i] <= 255.0 && d->y[i] == (double)(int)d->y[i]))
            fz_fail("idx", "a label that is no byte");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5) return 0;
    int flags = data[0], test_set = flags >> 4 & 1, stale = flags >> 5 & 1;
    int resize = (int)(int8_t)data[1];
    size_t max_examples = data[2];
    size_t L = (size_t)data[3] << 8 | data[4], rest = size - 5;
    double keep = (double)((flags >> 6 & 3) + 1) / 5.0;
    const char *set = test_set ? "t10k" : "train";
    char images[64], labels[64];
    if (L > rest) L = rest;

    /* Only one set exists at a time: remove the other set's files from the last run. */
    for (int s = 0; s < 2; s++) {
        const char *other = s ? "t10k" : "train";
        char name[96];
        snprintf(name, sizeof name, "%s-images-idx3-ubyte", other);
        fz_unlink(name);
        snprintf(name, sizeof name, "%s-images-idx3-ubyte.gz", other);
        fz_unlink(name);
        snprintf(name, sizeof name, "%s-labels-idx1-ubyte", other);
        fz_unlink(name);
        snprintf(name, sizeof name, "%s-labels-idx1-ubyte.gz", other);
        fz_unlink(name);
    }
    snprintf(images, sizeof images, "%s-images-idx3-ubyte", set);
    snprintf(labels, sizeof labels, "%s-labels-idx1-ubyte", set);
    put(labels, flags >> 2 & 3, keep, stale, data + 5, L);
    put(images, flags & 3, keep, stale, data + 5 + L, rest - L);

    fc_data_t *d = (fc_data_t *)(uintptr_t)1; /* the reader must overwrite it */
    int err = fc_data_read_idx(fz_dir(), test_set, resize, max_examples, &d);
    if (err == FC_OK) {
        check_block(d, resize, max_examples);
        fc_data_destroy(&d);
    } else {
        fz_check_error("idx", err, fz_dir());
        if (err != FC_EDATA && err != FC_EIO && err != FC_ENOMEM && err != FC_ECONFIG)
            fz_fail("idx", "an error other than FC_EDATA, FC_EIO, FC_ENOMEM or FC_ECONFIG");
        if (err == FC_ECONFIG && resize <= 0) fz_fail("idx", "FC_ECONFIG without a resize");
        if (d != NULL) fz_fail("idx", "*out is not NULL after a failure");
    }
    return 0;
}
