/* fc_sim.c — one-process driver of the update rules (tests only). */
#include "fc_sim.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fc_la.h"
#include "fc_mem.h"
#include "fc_rng.h"

#define OK(x) ck_assert_int_eq((x), FC_OK)

static size_t max_len(const fc_algo_ctx_t *a)
{
    size_t s = a->ops->state_len(a), d = a->ops->delta_len(a);
    return s > d ? s : d;
}

void fc_sim_init(fc_sim_t *s, const fc_config_t *cfg, const fc_model_t *m, fc_data_t **blocks,
                 size_t K)
{
    size_t max_n = 0;
    fc_algo_ctx_init(&s->a, cfg, m, K);
    ck_assert_ptr_nonnull(s->a.ops);
    s->K = K;
    s->blocks = blocks;
    OK(fc_global_create(&s->a, &s->g));
    OK(fc_calloc(K, sizeof *s->c, &s->c));
    for (size_t k = 0; k < K; k++) {
        OK(fc_client_create(&s->a, k, blocks[k], &s->c[k]));
        if (blocks[k]->n > max_n) max_n = blocks[k]->n;
    }
    OK(fc_work_create(&s->a, max_n, &s->w));
    OK(fc_calloc(max_len(&s->a), sizeof(double), &s->state));
    OK(fc_calloc(max_len(&s->a), sizeof(double), &s->sum));
    OK(fc_calloc(max_len(&s->a), sizeof(double), &s->delta));
}

void fc_sim_free(fc_sim_t *s)
{
    for (size_t k = 0; k < s->K; k++)
        fc_client_destroy(&s->c[k]);
    fc_free(&s->c);
    fc_global_destroy(&s->g);
    fc_work_destroy(&s->w);
    fc_free(&s->state);
    fc_free(&s->sum);
    fc_free(&s->delta);
}

double fc_sim_objective(fc_sim_t *s, const double *theta, double *grad)
{
    size_t d = s->a.d;
    double F = 0.5 * s->a.delta * fc_dot(d, theta, theta);
    double *out = NULL;
    OK(fc_alloc(d + 2, sizeof(double), &out));
    if (grad)
        for (size_t i = 0; i < d; i++)
            grad[i] = s->a.delta * theta[i];
    for (size_t k = 0; k < s->K; k++) {
        fc_client_metrics(&s->a, s->c[k], 0, theta, out, NULL, s->w);
        F += out[0];
        if (grad) fc_axpy(d, 1.0, out + 2, grad);
    }
    fc_free(&out);
    return F;
}

static int sim_oracle(void *ctx, const double *theta, double *F)
{
    *F = fc_sim_objective(ctx, theta, NULL);
    return FC_OK;
}

/* Synchronous round as the runtime does it: participants update; the totals are every
 * client's current term (central: the participants' local results) summed in order. */
int fc_sim_round(fc_sim_t *s, const unsigned char *mask)
{
    size_t dl = s->a.ops->delta_len(&s->a);
    fc_oracle_t oracle = {sim_oracle, s};
    s->a.ops->pack(&s->a, s->g, s->state);
    fc_zero(dl, s->sum);
    for (size_t k = 0; k < s->K; k++) {
        if (mask && !mask[k]) continue;
        int err = s->a.ops->local(&s->a, s->c[k], s->state, s->delta, s->w);
        if (err) return err;
        if (!s->a.ops->contribution) fc_axpy(dl, 1.0, s->delta, s->sum);
    }
    for (size_t k = 0; k < s->K && s->a.ops->contribution; k++) {
        s->a.ops->contribution(&s->a, s->c[k], s->delta);
        fc_axpy(dl, 1.0, s->delta, s->sum); /* client order */
    }
    return s->a.ops->apply(&s->a, s->g, s->sum, &oracle);
}

/* Sequential round: after each client, totals = the server's sums + its delta. */
int fc_sim_round_seq(fc_sim_t *s)
{
    size_t dl = s->a.ops->delta_len(&s->a);
    fc_oracle_t oracle = {sim_oracle, s};
    for (size_t k = 0; k < s->K; k++) {
        s->a.ops->pack(&s->a, s->g, s->state);
        int err = s->a.ops->local(&s->a, s->c[k], s->state, s->delta, s->w);
        if (err) return err;
        fc_global_sums(&s->a, s->g, s->sum);
        fc_axpy(dl, 1.0, s->delta, s->sum);
        err = s->a.ops->apply(&s->a, s->g, s->sum, &oracle);
        if (err) return err;
    }
    return FC_OK;
}

double fc_sim_central(const fc_config_t *cfg, const fc_model_t *m, fc_data_t **blocks, size_t K,
                      double *theta_star)
{
    fc_config_t c = *cfg;
    fc_sim_t s;
    snprintf(c.algorithm.name, sizeof c.algorithm.name, "central");
    fc_sim_init(&s, &c, m, blocks, K);
    for (int it = 0; it < 100; it++) {
        OK(fc_sim_round(&s, NULL));
        if (s.g->stalled) break;
    }
    double *g = NULL;
    OK(fc_alloc(m->d, sizeof(double), &g));
    fc_sim_objective(&s, s.g->m, g);
    double gn = fc_nrm2(m->d, g);
    fc_copy(m->d, s.g->m, theta_star);
    fc_free(&g);
    fc_sim_free(&s);
    return gn;
}

void fc_sim_blocks(const fc_model_t *m, size_t K, size_t n, size_t p_raw, int bias, double het,
                   uint64_t seed, fc_data_t **blocks)
{
    fc_rng_t r;
    size_t p = p_raw + (bias ? 1 : 0), C = (size_t)m->classes;
    double *theta0 = NULL, *a = NULL;
    OK(fc_alloc(p * C, sizeof(double), &theta0));
    OK(fc_alloc(C, sizeof(double), &a));
    fc_rng_seed(&r, seed, 999, 0);
    for (size_t i = 0; i < p * C; i++)
        theta0[i] = fc_rng_normal(&r) / sqrt((double)p);
    for (size_t k = 0; k < K; k++) {
        fc_data_t *b = NULL;
        OK(fc_data_create(n, p, &b));
        fc_rng_seed(&r, seed, k, 1);
        double shift = het * fc_rng_normal(&r);
        for (size_t i = 0; i < n; i++) {
            double *x = b->X + i * p;
            for (size_t j = 0; j < p_raw; j++)
                x[j] = fc_rng_normal(&r) + shift;
            if (bias) x[p_raw] = 1.0;
            for (size_t c = 0; c < C; c++) {
                a[c] = 0.0;
                for (size_t j = 0; j < p; j++)
                    a[c] += x[j] * theta0[j * C + c];
            }
            if (m->ops->labels == FC_LABEL_REAL)
                b->y[i] = a[0] + 0.3 * fc_rng_normal(&r);
            else if (m->ops->labels == FC_LABEL_BINARY)
                b->y[i] = fc_rng_uniform(&r) < 1.0 / (1.0 + exp(-a[0] - het * shift)) ? 1.0 : 0.0;
            else {
                size_t best = 0;
                for (size_t c = 0; c < C; c++) {
                    a[c] += -log(-log(1.0 - fc_rng_uniform(&r))); /* Gumbel: a softmax draw */
                    if (a[c] > a[best]) best = c;
                }
                b->y[i] = (double)best;
            }
        }
        blocks[k] = b;
    }
    fc_free(&theta0);
    fc_free(&a);
}
