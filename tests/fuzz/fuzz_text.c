/* fuzz_text.c — the shared body of the csv and libsvm harnesses (see fuzz_text.h). */
#include "fuzz_text.h"

#include <math.h>
#include <stdio.h>

#include "fc_error.h"
#include "fuzz_util.h"

/* A block a reader returned: at least one example, max_examples kept, finite features,
 * labels that obey the rule. */
static void check_block(const char *target, const fc_data_t *d, fc_label_rule_t rule,
                        size_t max_examples, size_t max_p)
{
    char why[128];
    if (!d) fz_fail(target, "FC_OK without a block");
    if (d->n == 0) fz_fail(target, "a block with no examples");
    if (max_examples && d->n > max_examples) fz_fail(target, "more than max_examples");
    if (d->p > max_p) fz_fail(target, "more features than the limit");
    for (size_t i = 0; i < d->n; i++) {
        if (fc_label_invalid(rule, d->y[i], why, sizeof why)) fz_fail(target, why);
        if (rule.kind != FC_LABEL_REAL && signbit(d->y[i])) fz_fail(target, "a -0 class label");
    }
    for (size_t t = 0; t < d->n * d->p; t++)
        if (!isfinite(d->X[t])) fz_fail(target, "a non-finite feature");
}

void fz_text_reader(const char *target, const char *name, fz_reader_fn reader, size_t max_p,
                    const uint8_t *data, size_t size)
{
    static const struct {
        fc_label_rule_t rule;
        size_t max_examples;
    } runs[] = {
        {{FC_LABEL_REAL, 0}, 0},
        {{FC_LABEL_BINARY, 0}, 0},
        {{FC_LABEL_CLASS, 0}, 0},
        {{FC_LABEL_CLASS, 3}, 2},
    };
    char path[1024];
    fz_write(name, data, size);
    fz_path(path, sizeof path, name);
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        fc_data_t *d = (fc_data_t *)(uintptr_t)1; /* the reader must overwrite it */
        int err = reader(path, runs[r].rule, runs[r].max_examples, &d);
        if (err == FC_OK) {
            check_block(target, d, runs[r].rule, runs[r].max_examples, max_p);
            fc_data_destroy(&d);
        } else {
            fz_check_error(target, err, path);
            if (err != FC_EDATA && err != FC_EIO && err != FC_ENOMEM)
                fz_fail(target, "a reader error other than FC_EDATA, FC_EIO or FC_ENOMEM");
            if (d != NULL) fz_fail(target, "*out is not NULL after a failure");
        }
    }
}
