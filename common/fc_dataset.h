/* fc_dataset.h — the data of a run as the config describes it (SPEC §6 [data], [partition]):
 * the blocks of the logical clients [lo, hi) that one rank hosts, and the test set.
 * Every rank derives its blocks alone and the same way, so the split never depends on P:
 * single-file formats are read whole and partitioned with run.seed; synthetic clients are
 * generated from (seed, k); `files` reads only the rank's own files.
 * Ownership: fc_shards_t owns its blocks. */
#ifndef FC_DATASET_H
#define FC_DATASET_H

#include <stddef.h>

#include "fc_config.h"
#include "fc_data.h"
#include "fc_error.h"

typedef struct {
    size_t lo, hi;     /* logical clients held: [lo, hi) */
    fc_data_t **block; /* hi − lo blocks */
    size_t p_raw;      /* features before padding and bias (largest seen here) */
    int max_class;     /* largest label + 1 seen here (classification), else 0 */
    size_t max_n;      /* largest block */
} fc_shards_t;

/* Read or generate clients [lo, hi). Messages name the file and line; for `files`, also
 * the client ("client 3: PATH:LINE: ..."). */
FC_MUST int fc_shards_load(const fc_config_t *c, size_t lo, size_t hi, fc_shards_t **out);
/* After the ranks agreed on p_raw (the widest client, libsvm) and the class count: pad
 * every block to p_raw, append the bias column if asked, check labels < classes. */
FC_MUST int fc_shards_finish(fc_shards_t *s, size_t p_raw, int classes, int bias);
void fc_shards_destroy(fc_shards_t **s);

/* The test set (data.test, or the held-out synthetic set), shaped like the clients'
 * blocks; *out = NULL when there is none. */
FC_MUST int fc_testset_load(const fc_config_t *c, size_t p_raw, int classes, fc_data_t **out);

/* `fedpc partition`: write client k's block (no bias column) to dir/client_<k>.csv
 * (dir/client_<k>.svm for libsvm data) with %.17g values, and dir/partition.ini: the
 * config with data.train = client_{k}.<ext> and partition.scheme = files, so a run of
 * it gives the same numbers as the run that partitioned in memory. */
FC_MUST int fc_partition_write(const fc_config_t *c, const char *dir);

/* The label rule of the configured model. */
fc_label_rule_t fc_dataset_label_rule(const fc_config_t *c);

#endif
