/* fuzz_text.h — the shared body of the csv and libsvm harnesses: write the input to a
 * file, read it with each label rule, and check the reader's contract either way. */
#ifndef FUZZ_TEXT_H
#define FUZZ_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "fc_data.h"

typedef int (*fz_reader_fn)(const char *path, fc_label_rule_t rule, size_t max_examples,
                            fc_data_t **out);

/* Run reader over data (written to fz_dir()/name) with real, binary and class labels
 * (and class labels 0..2 with max_examples 2). max_p bounds the features of a result. */
void fz_text_reader(const char *target, const char *name, fz_reader_fn reader, size_t max_p,
                    const uint8_t *data, size_t size);

#endif
