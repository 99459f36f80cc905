/* fuzz_checkpoint.c — fuzz the checkpoint reader (fc_ckpt_parse, the bytes of a
 * checkpoint.bin): a parse either fails with "corrupt checkpoint" naming the file, or gives
 * sections whose bytes all lie inside the input and that serialise back to the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_checkpoint.h"
#include "fc_error.h"
#include "fc_file.h"
#include "fc_mem.h"
#include "fuzz_util.h"

/* Section names the runtime writes; the round trip looks each one up. */
static const char *const tags[] = {"config", "meta", "global", "theta_star",
                                   "m_good", "rows", "clients"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fc_ckpt_t *c = (fc_ckpt_t *)1, *back = NULL;
    char path[4096];
    char *again = NULL;
    size_t len = 0;
    int err = fc_ckpt_parse("fuzz.bin", data, size, &c);
    if (err != FC_OK) {
        fz_check_error("checkpoint", err, "fuzz.bin: corrupt checkpoint: ");
        if (err != FC_EDATA && err != FC_ENOMEM) fz_fail("checkpoint", "unexpected error code");
        if (c != NULL) fz_fail("checkpoint", "failure left *out set");
        return 0;
    }
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        size_t n;
        const unsigned char *p = fc_ckpt_get(c, tags[i], &n);
        if (p && n > size) fz_fail("checkpoint", "a section is larger than the file");
        volatile unsigned char sink = 0;
        for (size_t j = 0; p && j < n; j++)
            sink ^= p[j]; /* every byte readable (ASan) */
        (void)sink;
    }
    /* What parsed must write back byte for byte. */
    if (fc_ckpt_write(c, fz_dir(), "again.bin") != FC_OK) fz_fail("checkpoint", "write failed");
    fz_path(path, sizeof path, "again.bin");
    if (fc_read_file(path, size + 1, &again, &len) != FC_OK) fz_fail("checkpoint", "read back");
    if (len != size || memcmp(again, data, size) != 0)
        fz_fail("checkpoint", "a parsed checkpoint does not write back to the same bytes");
    if (fc_ckpt_parse("again.bin", again, len, &back) != FC_OK)
        fz_fail("checkpoint", "the written checkpoint does not parse");
    fc_free(&again);
    fc_ckpt_destroy(&back);
    fc_ckpt_destroy(&c);
    return 0;
}
