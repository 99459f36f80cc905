/* fc_partition.c — split examples over K clients (SPEC §6 [partition]): iid, dirichlet
 * label skew and label groups. Each scheme assigns every example an owner; one counting
 * sort then groups them by client with increasing indices, by construction. */
#include "fc_partition.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_data.h"
#include "fc_mem.h"
#include "fc_rng.h"

/* Stream ids: id1 = PART_GLOBAL (never a client), id2 = the scheme. */
#define PART_GLOBAL (UINT64_MAX - 1)
#define TAG_IID 0x5041525400000001ULL /* "PART" 1 */
#define TAG_DIRICHLET 0x5041525400000002ULL
#define TAG_GROUPS 0x5041525400000003ULL

#define DROPPED SIZE_MAX /* owner of an example that no client gets */

void fc_partition_destroy(fc_partition_t **p)
{
    if (!p || !*p) return;
    fc_free(&(*p)->offset);
    fc_free(&(*p)->index);
    fc_free(p);
}

/* Group the examples by owner (counting sort, stable, so indices increase within a client). */
static int from_owner(const size_t *owner, size_t n, size_t K, fc_partition_t **out)
{
    int err = FC_OK;
    fc_partition_t *p = NULL;
    size_t *next = NULL, kept = 0;
    FC_CALL(fc_calloc(1, sizeof *p, &p));
    FC_CALL(fc_calloc(K + 1, sizeof *p->offset, &p->offset));
    FC_CALL(fc_alloc(K, sizeof *next, &next));
    p->K = K;
    for (size_t i = 0; i < n; i++)
        if (owner[i] != DROPPED) p->offset[owner[i] + 1]++, kept++;
    for (size_t k = 0; k < K; k++)
        p->offset[k + 1] += p->offset[k];
    FC_CALL(fc_alloc(kept, sizeof *p->index, &p->index));
    memcpy(next, p->offset, K * sizeof *next);
    for (size_t i = 0; i < n; i++)
        if (owner[i] != DROPPED) p->index[next[owner[i]]++] = i;
    *out = p;
    p = NULL;
cleanup:
    fc_free(&next);
    fc_partition_destroy(&p);
    return err;
}

/* The first client with no examples, or K. */
static size_t first_empty(const fc_partition_t *p)
{
    for (size_t k = 0; k < p->K; k++)
        if (p->offset[k + 1] == p->offset[k]) return k;
    return p->K;
}

static int check_sizes(size_t n, size_t K)
{
    if (K < 1) return fc_err_set(FC_ECONFIG, "partition: partition.clients must be at least 1");
    if (K > n)
        return fc_err_set(FC_EDATA,
                          "partition: %zu clients but only %zu examples; lower partition.clients "
                          "or use more data",
                          K, n);
    return FC_OK;
}

/* Deal a[0..m) into parts near-equal contiguous parts: part q gets a[q m/parts, (q+1) m/parts). */
static void deal(const size_t *a, size_t m, size_t parts, size_t first, size_t stride,
                 size_t *owner)
{
    for (size_t q = 0; q < parts; q++) {
        size_t lo = q * m / parts, hi = (q + 1) * m / parts;
        for (size_t t = lo; t < hi; t++)
            owner[a[t]] = first + q * stride;
    }
}

int fc_partition_iid(size_t n, size_t K, uint64_t seed, fc_partition_t **out)
{
    int err = FC_OK;
    size_t *perm = NULL, *owner = NULL;
    fc_rng_t r;
    *out = NULL;
    FC_CALL(check_sizes(n, K));
    FC_CALL(fc_alloc(n, sizeof *perm, &perm));
    FC_CALL(fc_alloc(n, sizeof *owner, &owner));
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    fc_rng_seed(&r, seed, PART_GLOBAL, TAG_IID);
    fc_rng_shuffle(&r, n, perm);
    deal(perm, n, K, 0, 1, owner);
    FC_CALL(from_owner(owner, n, K, out));
cleanup:
    fc_free(&perm);
    fc_free(&owner);
    return err;
}

/* log of a Gamma(shape, 1) draw, finite even when the draw itself underflows (tiny alpha):
 * Gamma(a) = Gamma(a + 1) U^(1/a), taken in logs. */
static double log_gamma_draw(fc_rng_t *r, double shape)
{
    if (shape >= 1.0) return log(fc_rng_gamma(r, shape));
    double u = 1.0 - fc_rng_uniform(r); /* (0, 1] */
    return log(fc_rng_gamma(r, shape + 1.0)) + log(u) / shape;
}

int fc_partition_dirichlet(const double *y, size_t n, int classes, size_t K, double alpha,
                           uint64_t seed, fc_partition_t **out)
{
    int err = FC_OK;
    size_t *owner = NULL, *byclass = NULL, *start = NULL, *next = NULL;
    double *lw = NULL;
    fc_partition_t *p = NULL;
    fc_rng_t r;
    *out = NULL;
    FC_CALL(check_sizes(n, K));
    if (!(alpha > 0.0) || !isfinite(alpha))
        FC_FAIL(FC_ECONFIG, "partition: partition.alpha must be a finite number > 0, not %g",
                alpha);

    /* Labels must be classes 0..C-1; C from the labels when not given. */
    fc_label_rule_t rule = {FC_LABEL_CLASS, classes > 0 ? classes : 0};
    size_t C = 0;
    for (size_t i = 0; i < n; i++) {
        char why[96];
        if (fc_label_invalid(rule, y[i], why, sizeof why))
            FC_FAIL(FC_EDATA, "partition: example %zu has label %g: %s (dirichlet needs classes)",
                    i, y[i], why);
        if ((size_t)y[i] + 1 > C) C = (size_t)y[i] + 1;
    }
    if (classes > 0) C = (size_t)classes;

    /* Examples by class, in index order (counting sort). */
    FC_CALL(fc_calloc(C + 1, sizeof *start, &start));
    FC_CALL(fc_alloc(n, sizeof *byclass, &byclass));
    FC_CALL(fc_alloc(n, sizeof *owner, &owner));
    FC_CALL(fc_alloc(K, sizeof *lw, &lw));
    for (size_t i = 0; i < n; i++)
        start[(size_t)y[i] + 1]++;
    for (size_t c = 0; c < C; c++)
        start[c + 1] += start[c];
    FC_CALL(fc_alloc(C, sizeof *next, &next));
    memcpy(next, start, C * sizeof *next);
    for (size_t i = 0; i < n; i++)
        byclass[next[(size_t)y[i]]++] = i;

    fc_rng_seed(&r, seed, PART_GLOBAL, TAG_DIRICHLET);
    for (size_t c = 0; c < C; c++) {
        size_t *a = byclass + start[c], m = start[c + 1] - start[c];
        fc_rng_shuffle(&r, m, a);
        /* Proportions ~ Dirichlet(alpha 1_K): normalised Gamma(alpha) draws, in logs. */
        double mx = -INFINITY, tot = 0.0, cum = 0.0;
        for (size_t k = 0; k < K; k++) {
            lw[k] = log_gamma_draw(&r, alpha);
            if (lw[k] > mx) mx = lw[k];
        }
        for (size_t k = 0; k < K; k++)
            tot += (lw[k] = exp(lw[k] - mx));
        /* Cumulative rounding: client k gets a[round(m F_{k-1}), round(m F_k)). */
        size_t lo = 0;
        for (size_t k = 0; k < K; k++) {
            cum += lw[k];
            size_t hi = k + 1 == K ? m : (size_t)floor((double)m * (cum / tot) + 0.5);
            if (hi > m) hi = m;
            if (hi < lo) hi = lo;
            for (size_t t = lo; t < hi; t++)
                owner[a[t]] = k;
            lo = hi;
        }
    }
    FC_CALL(from_owner(owner, n, K, &p));
    size_t e = first_empty(p);
    if (e < K)
        FC_FAIL(
            FC_EDATA,
            "partition: client %zu of %zu gets no examples (dirichlet, alpha %g, %zu examples); "
            "raise partition.alpha or lower partition.clients",
            e, K, alpha, n);
    *out = p;
    p = NULL;
cleanup:
    fc_partition_destroy(&p);
    fc_free(&owner);
    fc_free(&byclass);
    fc_free(&start);
    fc_free(&next);
    fc_free(&lw);
    return err;
}

/* Label -> group lookup: pairs sorted by label. */
typedef struct {
    int label, group;
} label_group_t;

static int cmp_label(const void *a, const void *b)
{
    int x = ((const label_group_t *)a)->label, y = ((const label_group_t *)b)->label;
    return (x > y) - (x < y);
}

/* Text of group gi's labels, "2,3", for messages. */
static void group_text(const fc_groups_t *g, int gi, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int j = g->start[gi]; j < g->start[gi + 1] && used < size; j++) {
        int w = snprintf(buf + used, size - used, "%s%d", j > g->start[gi] ? "," : "", g->label[j]);
        if (w < 0) break;
        used += (size_t)w;
    }
}

int fc_partition_label_groups(const double *y, size_t n, const fc_groups_t *g, size_t K,
                              uint64_t seed, fc_partition_t **out)
{
    int err = FC_OK;
    label_group_t *map = NULL;
    size_t *owner = NULL, *members = NULL, *gstart = NULL, *gsize = NULL;
    fc_partition_t *p = NULL;
    fc_rng_t r;
    *out = NULL;
    FC_CALL(check_sizes(n, K));
    if (g->count < 1 || g->count > FC_MAX_GROUPS)
        FC_FAIL(FC_ECONFIG, "partition: partition.groups needs 1..%d groups, not %d", FC_MAX_GROUPS,
                g->count);
    size_t G = (size_t)g->count, L = (size_t)g->start[G];

    FC_CALL(fc_alloc(L, sizeof *map, &map));
    for (size_t gi = 0; gi < G; gi++)
        for (int j = g->start[gi]; j < g->start[gi + 1]; j++)
            map[j] = (label_group_t){g->label[j], (int)gi};
    qsort(map, L, sizeof *map, cmp_label);
    for (size_t j = 1; j < L; j++)
        if (map[j].label == map[j - 1].label)
            FC_FAIL(FC_ECONFIG,
                    "partition: label %d is in group %d and group %d of partition.groups",
                    map[j].label, map[j - 1].group < map[j].group ? map[j - 1].group : map[j].group,
                    map[j - 1].group < map[j].group ? map[j].group : map[j - 1].group);

    /* Each example's group (or DROPPED), then the examples of each group in index order. */
    FC_CALL(fc_alloc(n, sizeof *owner, &owner));
    FC_CALL(fc_calloc(G + 1, sizeof *gstart, &gstart));
    FC_CALL(fc_calloc(G, sizeof *gsize, &gsize));
    for (size_t i = 0; i < n; i++) {
        owner[i] = DROPPED;
        if (!(y[i] >= 0.0 && y[i] <= (double)INT_MAX && y[i] == floor(y[i]))) continue;
        label_group_t key = {(int)y[i], 0};
        const label_group_t *hit = bsearch(&key, map, L, sizeof *map, cmp_label);
        if (hit) owner[i] = (size_t)hit->group, gstart[hit->group + 1]++;
    }
    for (size_t gi = 0; gi < G; gi++)
        gstart[gi + 1] += gstart[gi];
    FC_CALL(fc_alloc(gstart[G], sizeof *members, &members));
    for (size_t i = 0; i < n; i++)
        if (owner[i] != DROPPED) members[gstart[owner[i]] + gsize[owner[i]]++] = i;

    /* Clients gi, gi + G, gi + 2G, ... share group gi and split it iid. Groups with no
     * client (K < G) are dropped with their labels. */
    fc_rng_seed(&r, seed, PART_GLOBAL, TAG_GROUPS);
    for (size_t i = 0; i < n; i++)
        owner[i] = DROPPED;
    for (size_t gi = 0; gi < G; gi++) {
        size_t share = K > gi ? (K - 1 - gi) / G + 1 : 0, m = gsize[gi];
        size_t *a = members + gstart[gi];
        fc_rng_shuffle(&r, m, a);
        if (share == 0) continue;
        if (m < share) {
            char labels[128];
            group_text(g, (int)gi, labels, sizeof labels);
            size_t k = gi + m * G; /* the first client of this group left without examples */
            FC_FAIL(FC_EDATA,
                    "partition: client %zu of %zu gets no examples (label_groups: group %zu, "
                    "labels %s, has %zu examples for %zu clients); check partition.groups "
                    "against the labels or lower partition.clients",
                    k, K, gi, labels, m, share);
        }
        deal(a, m, share, gi, G, owner);
    }
    FC_CALL(from_owner(owner, n, K, &p));
    *out = p;
    p = NULL;
cleanup:
    fc_partition_destroy(&p);
    fc_free(&map);
    fc_free(&owner);
    fc_free(&members);
    fc_free(&gstart);
    fc_free(&gsize);
    return err;
}

/* Groups ------------------------------------------------------------------------- */

static const char *skip_ws(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* The group holding label slot j of g (groups 0..gi-1 complete, gi in progress). */
static int group_of_slot(const fc_groups_t *g, int gi, int j)
{
    for (int q = 0; q < gi; q++)
        if (j < g->start[q + 1]) return q;
    return gi;
}

int fc_groups_parse(const char *text, fc_groups_t *out)
{
    fc_groups_t g;
    const char *s = skip_ws(text);
    int gi = 0, nl = 0; /* groups done, labels stored */
#define GROUPS_FAIL(...)                                                                           \
    do {                                                                                           \
        char what_[256];                                                                           \
        snprintf(what_, sizeof what_, __VA_ARGS__);                                                \
        return fc_err_set(FC_ECONFIG, "\"%.80s\": %s", text, what_);                               \
    } while (0)

    memset(&g, 0, sizeof g);
    if (!*s) GROUPS_FAIL("no groups (expected e.g. 0,1;2,3)");
    for (;;) { /* one group per ';'-separated segment */
        if (gi == FC_MAX_GROUPS) GROUPS_FAIL("more than %d groups", FC_MAX_GROUPS);
        for (;;) { /* one label per ','-separated token */
            s = skip_ws(s);
            if (*s == ';' || *s == '\0' || *s == ',') {
                if (nl == g.start[gi] && *s != ',')
                    GROUPS_FAIL("group %d is empty (a stray ';'?)", gi);
                GROUPS_FAIL("group %d has an empty label (a stray ','?)", gi);
            }
            const char *t = s;
            while (*s && *s != ',' && *s != ';' && !isspace((unsigned char)*s))
                s++;
            int tl = (int)(s - t) > 20 ? 20 : (int)(s - t);
            for (const char *c = t; c < s; c++)
                if (!isdigit((unsigned char)*c))
                    GROUPS_FAIL("'%.*s' in group %d is not a label (labels are 0, 1, 2, ...)", tl,
                                t, gi);
            errno = 0;
            long v = strtol(t, NULL, 10);
            if (errno == ERANGE || v > INT_MAX)
                GROUPS_FAIL("label %.*s in group %d is too large", tl, t, gi);
            for (int j = 0; j < nl; j++)
                if (g.label[j] == (int)v) {
                    int other = group_of_slot(&g, gi, j);
                    if (other == gi) GROUPS_FAIL("label %ld appears twice in group %d", v, gi);
                    GROUPS_FAIL("label %ld is in group %d and group %d", v, other, gi);
                }
            if (nl == FC_MAX_GROUP_LABELS)
                GROUPS_FAIL("more than %d labels in all", FC_MAX_GROUP_LABELS);
            g.label[nl++] = (int)v;
            s = skip_ws(s);
            if (*s == ',') {
                s++;
                continue;
            }
            if (*s == ';' || *s == '\0') break;
            GROUPS_FAIL("unexpected '%c' in group %d (expected ',' or ';')", *s, gi);
        }
        g.start[++gi] = nl;
        if (*s == '\0') break;
        s++; /* past ';' */
    }
#undef GROUPS_FAIL
    g.count = gi;
    *out = g;
    return FC_OK;
}
