/* fc_testjob.c — the real job over the serial transport, for the unit tests. */
#include "fc_testjob.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fc_la.h"
#include "fc_mem.h"
#include "fc_rng.h"

#define OK(x) ck_assert_msg((x) == FC_OK, "%s", fc_err_msg())

void fc_testjob_init(fc_testjob_t *t, const fc_config_t *c, fc_data_t *const *blocks, int classes)
{
    fc_job_opts_t o = {.blocks = blocks, .classes = classes, .quiet = 1, .silent = 1};
    t->cfg = *c;
    t->job = NULL;
    t->srv = NULL;
    OK(fc_tp_create_serial(&t->tp));
    OK(fc_job_create(t->tp, &t->cfg, &o, &t->job));
    OK(fc_server_create(fc_job_server_env(t->job, NULL), &t->srv));
}

void fc_testjob_free(fc_testjob_t *t)
{
    fc_server_destroy(&t->srv);
    fc_job_destroy(&t->job);
    fc_tp_destroy(&t->tp);
}

int fc_testjob_round(fc_testjob_t *t, int round)
{
    return fc_server_round(t->srv, round);
}

const double *fc_testjob_mean(const fc_testjob_t *t)
{
    return fc_server_mean(t->srv);
}

const fc_algo_ctx_t *fc_testjob_ctx(const fc_testjob_t *t)
{
    return fc_job_ctx(t->job);
}

double fc_testjob_grad_norm(fc_testjob_t *t)
{
    fc_metrics_t m;
    OK(fc_server_measure(t->srv, 0, &m));
    return m.grad_norm;
}

void fc_testjob_reference(fc_testjob_t *t, double *star)
{
    OK(fc_server_reference(t->srv));
    fc_copy(fc_job_ctx(t->job)->d, fc_server_theta_star(t->srv), star);
}

void fc_test_blocks(const fc_model_t *m, size_t K, size_t n, size_t p_raw, int bias, double het,
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
