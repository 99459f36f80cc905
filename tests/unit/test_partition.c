/* test_partition.c — iid, dirichlet and label-group partitions, and the groups parser. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_error.h"
#include "fc_partition.h"
#include "fc_testutil.h"

/* Every index in [0, n) appears at most once (exactly once when `all`), offsets are
 * monotone and indices increase within each client; returns how many appear. */
static size_t check_partition(const fc_partition_t *p, size_t n, int all)
{
    int *seen = calloc(n, sizeof *seen);
    ck_assert_ptr_nonnull(seen);
    ck_assert_uint_eq(p->offset[0], 0);
    for (size_t k = 0; k < p->K; k++) {
        ck_assert_uint_lt(p->offset[k], p->offset[k + 1]); /* no empty client */
        for (size_t t = p->offset[k]; t < p->offset[k + 1]; t++) {
            ck_assert_uint_lt(p->index[t], n);
            seen[p->index[t]]++;
            if (t > p->offset[k]) ck_assert_uint_lt(p->index[t - 1], p->index[t]);
        }
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_le(seen[i], 1);
        if (all) ck_assert_msg(seen[i] == 1, "example %zu is in no client", i);
        total += (size_t)seen[i];
    }
    ck_assert_uint_eq(total, p->offset[p->K]);
    free(seen);
    return total;
}

static int same_partition(const fc_partition_t *a, const fc_partition_t *b)
{
    return a->K == b->K && memcmp(a->offset, b->offset, (a->K + 1) * sizeof(size_t)) == 0 &&
           memcmp(a->index, b->index, a->offset[a->K] * sizeof(size_t)) == 0;
}

START_TEST(iid_is_deterministic_and_complete)
{
    fc_partition_t *a = NULL, *b = NULL, *c = NULL;
    ck_assert_int_eq(fc_partition_iid(103, 10, 7, &a), FC_OK);
    ck_assert_int_eq(fc_partition_iid(103, 10, 7, &b), FC_OK);
    ck_assert_int_eq(fc_partition_iid(103, 10, 8, &c), FC_OK);
    check_partition(a, 103, 1);
    check_partition(c, 103, 1);
    ck_assert(same_partition(a, b));
    ck_assert(!same_partition(a, c));
    for (size_t k = 0; k < 10; k++) { /* near-equal: 10 or 11 each */
        size_t m = a->offset[k + 1] - a->offset[k];
        ck_assert(m == 10 || m == 11);
    }
    /* Shuffled, not dealt in order: client 0 is not simply 0..9. */
    ck_assert_uint_ne(a->index[a->offset[1] - 1], a->offset[1] - 1);
    fc_partition_destroy(&a);
    fc_partition_destroy(&b);
    fc_partition_destroy(&c);
    fc_partition_destroy(&c); /* NULL is fine */

    ck_assert_int_eq(fc_partition_iid(5, 5, 1, &a), FC_OK); /* K = n: one each */
    check_partition(a, 5, 1);
    fc_partition_destroy(&a);
}
END_TEST

START_TEST(too_many_clients_is_an_error)
{
    fc_partition_t *p = (fc_partition_t *)&p;
    double y[4] = {0, 1, 0, 1};
    fc_groups_t g;
    ck_assert_int_eq(fc_groups_parse("0;1", &g), FC_OK);
    ck_assert_int_eq(fc_partition_iid(4, 5, 1, &p), FC_EDATA);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "5 clients but only 4 examples"));
    ck_assert_ptr_null(p);
    ck_assert_int_eq(fc_partition_dirichlet(y, 4, 2, 5, 1.0, 1, &p), FC_EDATA);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "partition.clients"));
    ck_assert_int_eq(fc_partition_label_groups(y, 4, &g, 5, 1, &p), FC_EDATA);
    ck_assert_int_eq(fc_partition_iid(4, 0, 1, &p), FC_ECONFIG);
}
END_TEST

static double *cyclic_labels(size_t n, int classes)
{
    double *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        y[i] = (double)(i * 7 % (size_t)classes);
    return y;
}

START_TEST(dirichlet_is_deterministic_and_complete)
{
    enum { n = 1000, C = 10, K = 8 };
    double *y = cyclic_labels(n, C);
    fc_partition_t *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    ck_assert_int_eq(fc_partition_dirichlet(y, n, C, K, 0.5, 3, &a), FC_OK);
    ck_assert_int_eq(fc_partition_dirichlet(y, n, C, K, 0.5, 3, &b), FC_OK);
    ck_assert_int_eq(fc_partition_dirichlet(y, n, C, K, 0.5, 4, &c), FC_OK);
    ck_assert_int_eq(fc_partition_dirichlet(y, n, 0, K, 0.5, 3, &d), FC_OK); /* C from labels */
    check_partition(a, n, 1);
    check_partition(c, n, 1);
    ck_assert(same_partition(a, b));
    ck_assert(!same_partition(a, c));
    ck_assert(same_partition(a, d));
    fc_partition_destroy(&a);
    fc_partition_destroy(&b);
    fc_partition_destroy(&c);
    fc_partition_destroy(&d);
    free(y);
}
END_TEST

/* Mean over clients of the largest share one class has in the client. */
static double mean_top_share(const fc_partition_t *p, const double *y, int C)
{
    double s = 0;
    for (size_t k = 0; k < p->K; k++) {
        size_t cnt[64] = {0}, m = p->offset[k + 1] - p->offset[k], top = 0;
        for (size_t t = p->offset[k]; t < p->offset[k + 1]; t++)
            cnt[(int)y[p->index[t]]]++;
        for (int c = 0; c < C; c++)
            top = cnt[c] > top ? cnt[c] : top;
        s += (double)top / (double)m;
    }
    return s / (double)p->K;
}

START_TEST(dirichlet_alpha_controls_skew)
{
    enum { n = 4000, C = 10, K = 4 };
    double *y = cyclic_labels(n, C);
    fc_partition_t *iidish = NULL, *skewed = NULL;
    ck_assert_int_eq(fc_partition_dirichlet(y, n, C, K, 1000.0, 5, &iidish), FC_OK);
    ck_assert_int_eq(fc_partition_dirichlet(y, n, C, K, 0.05, 5, &skewed), FC_OK);
    check_partition(iidish, n, 1);
    check_partition(skewed, n, 1);
    double a = mean_top_share(iidish, y, C), b = mean_top_share(skewed, y, C);
    ck_assert_msg(a < 0.15, "alpha 1000 should be near-uniform (top share %g)", a);
    ck_assert_msg(b > 0.4, "alpha 0.05 should be skewed (top share %g)", b);
    fc_partition_destroy(&iidish);
    fc_partition_destroy(&skewed);
    free(y);
}
END_TEST

START_TEST(dirichlet_empty_client_and_bad_labels)
{
    enum { n = 200, C = 10 };
    double *y = cyclic_labels(n, C);
    fc_partition_t *p = (fc_partition_t *)&p;
    ck_assert_int_eq(fc_partition_dirichlet(y, n, C, 50, 0.01, 1, &p), FC_EDATA);
    const char *msg = fc_err_msg();
    ck_assert_msg(strstr(msg, "partition: client ") && strstr(msg, " of 50 gets no examples") &&
                      strstr(msg, "alpha 0.01") &&
                      strstr(msg, "raise partition.alpha or lower partition.clients"),
                  "%s", msg);
    ck_assert_ptr_null(p);

    y[17] = 2.5;
    ck_assert_int_eq(fc_partition_dirichlet(y, n, C, 4, 1.0, 1, &p), FC_EDATA);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "example 17 has label 2.5"));
    y[17] = 10;
    ck_assert_int_eq(fc_partition_dirichlet(y, n, C, 4, 1.0, 1, &p), FC_EDATA);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "class labels must be 0..9"));
    y[17] = 0;
    ck_assert_int_eq(fc_partition_dirichlet(y, n, C, 4, 0.0, 1, &p), FC_ECONFIG);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "partition.alpha"));
    free(y);
}
END_TEST

START_TEST(label_groups_respect_groups)
{
    enum { n = 1000, K = 8 };
    double *y = cyclic_labels(n, 10);
    fc_groups_t g;
    fc_partition_t *a = NULL, *b = NULL;
    ck_assert_int_eq(fc_groups_parse("0,1;2,3;4,5;6,7;8,9", &g), FC_OK);
    ck_assert_int_eq(fc_partition_label_groups(y, n, &g, K, 9, &a), FC_OK);
    ck_assert_int_eq(fc_partition_label_groups(y, n, &g, K, 9, &b), FC_OK);
    ck_assert(same_partition(a, b));
    check_partition(a, n, 1);
    for (size_t k = 0; k < K; k++) {
        int gi = (int)(k % 5);
        for (size_t t = a->offset[k]; t < a->offset[k + 1]; t++) {
            int lab = (int)y[a->index[t]];
            ck_assert_msg(lab == 2 * gi || lab == 2 * gi + 1, "client %zu got label %d", k, lab);
        }
        /* Groups 0-2 are shared by two clients (100 each), groups 3-4 by one (200). */
        ck_assert_uint_eq(a->offset[k + 1] - a->offset[k], gi < 3 ? 100 : 200);
    }
    fc_partition_destroy(&a);
    fc_partition_destroy(&b);

    /* Labels in no group (and groups with no client) are dropped. */
    ck_assert_int_eq(fc_groups_parse("3;0,1;7", &g), FC_OK);
    ck_assert_int_eq(fc_partition_label_groups(y, n, &g, 2, 9, &a), FC_OK);
    ck_assert_uint_eq(check_partition(a, n, 0), 300);
    for (size_t t = a->offset[0]; t < a->offset[1]; t++)
        ck_assert_double_eq(y[a->index[t]], 3);
    for (size_t t = a->offset[1]; t < a->offset[2]; t++)
        ck_assert_double_le(y[a->index[t]], 1);
    fc_partition_destroy(&a);
    free(y);
}
END_TEST

START_TEST(label_groups_empty_client)
{
    double y[6] = {0, 1, 1, 1, 1, 1}; /* one example of label 0, shared by clients 0 and 2 */
    fc_groups_t g;
    fc_partition_t *p = (fc_partition_t *)&p;
    ck_assert_int_eq(fc_groups_parse("0;1", &g), FC_OK);
    ck_assert_int_eq(fc_partition_label_groups(y, 6, &g, 4, 1, &p), FC_EDATA);
    const char *msg = fc_err_msg();
    ck_assert_msg(strstr(msg, "partition: client 2 of 4 gets no examples") &&
                      strstr(msg, "group 0, labels 0, has 1 examples for 2 clients") &&
                      strstr(msg, "partition.groups"),
                  "%s", msg);
    ck_assert_ptr_null(p);
}
END_TEST

START_TEST(groups_parse_good)
{
    fc_groups_t g;
    ck_assert_int_eq(fc_groups_parse("0,1;2,3;4", &g), FC_OK);
    ck_assert_int_eq(g.count, 3);
    const int start[] = {0, 2, 4, 5}, label[] = {0, 1, 2, 3, 4};
    ck_assert_int_eq(memcmp(g.start, start, sizeof start), 0);
    ck_assert_int_eq(memcmp(g.label, label, sizeof label), 0);
    ck_assert_int_eq(fc_groups_parse("  9 , 12 ;\t3\n", &g), FC_OK);
    ck_assert_int_eq(g.count, 2);
    ck_assert_int_eq(g.label[1], 12);
    ck_assert_int_eq(g.start[2], 3);
}
END_TEST

static const struct {
    const char *text, *msg;
} bad_groups[] = {
    {"", "no groups"},
    {"   ", "no groups"},
    {"0,,1", "group 0 has an empty label"},
    {",0", "group 0 has an empty label"},
    {"0,1;2,", "group 1 has an empty label"},
    {"0;;1", "group 1 is empty"},
    {"0;1;", "group 2 is empty"},
    {"a", "'a' in group 0 is not a label"},
    {"0;-1", "'-1' in group 1 is not a label"},
    {"1.5", "'1.5' in group 0 is not a label"},
    {"0,1;1", "label 1 is in group 0 and group 1"},
    {"2,2", "label 2 appears twice in group 0"},
    {"99999999999", "label 99999999999 in group 0 is too large"},
    {"0 1", "unexpected '1' in group 0"},
};

START_TEST(groups_parse_bad)
{
    fc_groups_t g, before;
    memset(&g, 0x5a, sizeof g);
    before = g;
    ck_assert_int_eq(fc_groups_parse(bad_groups[_i].text, &g), FC_ECONFIG);
    const char *msg = fc_err_msg();
    char quoted[64]; /* the message quotes the text first */
    snprintf(quoted, sizeof quoted, "\"%s\": ", bad_groups[_i].text);
    ck_assert_msg(
        strncmp(msg, quoted, strlen(quoted)) == 0 && strstr(msg, bad_groups[_i].msg) != NULL,
        "\"%s\": message \"%s\" lacks \"%s\"", bad_groups[_i].text, msg, bad_groups[_i].msg);
    ck_assert_int_eq(memcmp(&g, &before, sizeof g), 0); /* untouched on failure */
}
END_TEST

START_TEST(groups_parse_limits)
{
    /* 257 groups, and 1025 labels. */
    char *text = malloc(8 * 2000);
    size_t len = 0;
    fc_groups_t g;
    for (int i = 0; i <= FC_MAX_GROUPS; i++)
        len += (size_t)sprintf(text + len, "%s%d", i ? ";" : "", i);
    ck_assert_int_eq(fc_groups_parse(text, &g), FC_ECONFIG);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "more than 256 groups"));
    len = 0;
    for (int i = 0; i <= FC_MAX_GROUP_LABELS; i++)
        len += (size_t)sprintf(text + len, "%s%d", i ? "," : "", i);
    ck_assert_int_eq(fc_groups_parse(text, &g), FC_ECONFIG);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "more than 1024 labels"));
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("partition");
    TCase *tc = tcase_create("schemes");
    tcase_add_test(tc, iid_is_deterministic_and_complete);
    tcase_add_test(tc, too_many_clients_is_an_error);
    tcase_add_test(tc, dirichlet_is_deterministic_and_complete);
    tcase_add_test(tc, dirichlet_alpha_controls_skew);
    tcase_add_test(tc, dirichlet_empty_client_and_bad_labels);
    tcase_add_test(tc, label_groups_respect_groups);
    tcase_add_test(tc, label_groups_empty_client);
    suite_add_tcase(s, tc);
    TCase *gp = tcase_create("groups");
    tcase_add_test(gp, groups_parse_good);
    tcase_add_loop_test(gp, groups_parse_bad, 0, sizeof bad_groups / sizeof bad_groups[0]);
    tcase_add_test(gp, groups_parse_limits);
    suite_add_tcase(s, gp);
    return fc_test_run(s);
}
