/* fuzz_groups.c — fuzz fc_groups_parse (partition.groups, "0,1;2,3"): a parse either
 * fails with a message or gives groups that keep every invariant, survive the config
 * echo and parse back to the same groups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_config.h"
#include "fc_error.h"
#include "fc_partition.h"
#include "fuzz_util.h"

static void check_groups(const fc_groups_t *g)
{
    if (g->count < 1 || g->count > FC_MAX_GROUPS) fz_fail("groups", "group count out of range");
    if (g->start[0] != 0) fz_fail("groups", "start[0] != 0");
    for (int i = 0; i < g->count; i++)
        if (g->start[i + 1] <= g->start[i]) fz_fail("groups", "an empty group was accepted");
    if (g->start[g->count] > FC_MAX_GROUP_LABELS) fz_fail("groups", "too many labels");
    for (int j = 0; j < g->start[g->count]; j++) {
        if (g->label[j] < 0) fz_fail("groups", "a negative label was accepted");
        for (int k = 0; k < j; k++)
            if (g->label[k] == g->label[j]) fz_fail("groups", "a label appears twice");
    }
}

static int same_groups(const fc_groups_t *a, const fc_groups_t *b)
{
    if (a->count != b->count) return 0;
    if (memcmp(a->start, b->start, (size_t)(a->count + 1) * sizeof a->start[0]) != 0) return 0;
    return memcmp(a->label, b->label, (size_t)a->start[a->count] * sizeof a->label[0]) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fc_config_t c;
    static char assign[FC_CONFIG_VALUE_MAX + 64], echo[FC_CONFIG_VALUE_MAX];
    fc_groups_t g, back, untouched;
    char *text = fz_strndup(data, size);
    int err;

    memset(&g, 0xA5, sizeof g);
    untouched = g;
    err = fc_groups_parse(text, &g);
    if (err != FC_OK) {
        fz_check_error("groups", err, NULL);
        if (err != FC_ECONFIG) fz_fail("groups", "a bad text is not FC_ECONFIG");
        if (memcmp(&g, &untouched, sizeof g) != 0) fz_fail("groups", "failure changed *g");
        free(text);
        return 0;
    }
    check_groups(&g);

    /* Round trip through the config: --set, the echo, and a second parse. Texts with a
     * newline or too long for --set are left out (argv cannot hold the first; the second
     * is fc_config_set's documented limit). */
    if (!strchr(text, '\n') && strlen(text) < FC_CONFIG_VALUE_MAX - 1) {
        fc_config_defaults(&c);
        snprintf(assign, sizeof assign, "partition.groups=%s", text);
        if (fc_config_set(&c, assign) != FC_OK) fz_fail("groups", "--set rejects parsed groups");
        if (!same_groups(&c.partition.groups, &g)) fz_fail("groups", "--set changed the groups");
        if (fc_config_get(&c, "partition.groups", echo, sizeof echo) != FC_OK)
            fz_fail("groups", "the echo of parsed groups fails");
        if (fc_groups_parse(echo, &back) != FC_OK) fz_fail("groups", "the echo does not parse");
        if (!same_groups(&back, &g)) fz_fail("groups", "the echo parses to other groups");
    }
    free(text);
    return 0;
}
