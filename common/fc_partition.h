/* fc_partition.h — split n examples over K clients: iid, dirichlet (label skew) and
 * label_groups. Deterministic for a seed; every example lands in exactly one client;
 * within a client the indices are increasing. An empty client is FC_EDATA (the message
 * names the client and suggests a fix); K < 1 is FC_ECONFIG, K > n is FC_EDATA.
 * Ownership: *out is a new fc_partition_t owned by the caller, NULL on failure;
 * fc_partition_destroy frees it and its arrays. */
#ifndef FC_PARTITION_H
#define FC_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "fc_error.h"

typedef struct {
    size_t K;
    size_t *offset; /* K+1 offsets into index: client k has index[offset[k] .. offset[k+1]) */
    size_t *index;  /* offset[K] example indices, grouped by client */
} fc_partition_t;

/* Label groups: group g holds labels label[start[g] .. start[g+1]). */
#define FC_MAX_GROUPS 256
#define FC_MAX_GROUP_LABELS 1024
typedef struct {
    int count;
    int start[FC_MAX_GROUPS + 1];
    int label[FC_MAX_GROUP_LABELS];
} fc_groups_t;

/* Shuffle 0..n-1 with (seed) and deal into K near-equal contiguous parts (sizes differ
 * by at most one). */
FC_MUST int fc_partition_iid(size_t n, size_t K, uint64_t seed, fc_partition_t **out);
/* For each class c, proportions ~ Dirichlet(alpha 1_K) split that class's shuffled
 * examples by cumulative rounding. Labels must be integers 0..classes-1 (classes <= 0:
 * from the labels), else FC_EDATA; alpha must be finite and > 0, else FC_ECONFIG. */
FC_MUST int fc_partition_dirichlet(const double *y, size_t n, int classes, size_t K, double alpha,
                                   uint64_t seed, fc_partition_t **out);
/* Client k gets the examples whose label is in group (k mod G); when several clients
 * share a group they split its examples iid. Labels in no group, and groups no client
 * gets (K < G), are dropped. */
FC_MUST int fc_partition_label_groups(const double *y, size_t n, const fc_groups_t *g, size_t K,
                                      uint64_t seed, fc_partition_t **out);
void fc_partition_destroy(fc_partition_t **p);

/* Parse "0,1;2,3;4" into groups: ';' separates groups, ',' labels (integers >= 0, each
 * in one group only), whitespace allowed. FC_ECONFIG on bad syntax, with a message that
 * quotes the text and says what is wrong ("\"0,;1\": group 0 has an empty label (a stray
 * ','?)"); it does not name the key, which the config reader adds with file and line.
 * On failure *g is untouched. */
FC_MUST int fc_groups_parse(const char *text, fc_groups_t *g);

#endif
