/* fc_data_synth.c — the seeded synthetic generator (SPEC §6 [data] synthetic): a global
 * true parameter, per-client perturbations of it and of the feature mean, and labels
 * drawn from the model. Every stream is seeded from (seed, client, tag), so a client's
 * data never depend on which other clients were generated or on how many ranks run. */
#include "fc_data.h"

#include <math.h>
#include <stdint.h>

#include "fc_mem.h"
#include "fc_rng.h"

/* Stream ids: id1 is the client (or SYNTH_GLOBAL, never a client), id2 a tag that keeps
 * these streams apart from each other and from other modules' (client, round) streams. */
#define SYNTH_GLOBAL UINT64_MAX
#define TAG_THETA0 0x53594e5448000001ULL        /* "SYNTH" 1: the global parameter */
#define TAG_CLIENT_PARAMS 0x53594e5448000002ULL /* client k's theta_k and mu_k */
#define TAG_CLIENT_DATA 0x53594e5448000003ULL   /* client k's examples */
#define TAG_TEST 0x53594e5448000004ULL          /* the held-out set */

static int check_params(const fc_synth_t *s, fc_label_kind_t kind, size_t n)
{
    if (s->features < 1) return fc_err_set(FC_ECONFIG, "data.features must be at least 1");
    if (n < 1) return fc_err_set(FC_ECONFIG, "synthetic data: need at least 1 example");
    if (!(s->heterogeneity >= 0.0) || !isfinite(s->heterogeneity))
        return fc_err_set(FC_ECONFIG, "data.heterogeneity must be a finite number >= 0, not %g",
                          s->heterogeneity);
    if (!(s->noise >= 0.0) || !isfinite(s->noise))
        return fc_err_set(FC_ECONFIG, "data.noise must be a finite number >= 0, not %g", s->noise);
    if (kind == FC_LABEL_CLASS && s->classes < 2)
        return fc_err_set(FC_ECONFIG, "data.classes must be at least 2 for softmax, not %d",
                          s->classes);
    return FC_OK;
}

static size_t label_cols(const fc_synth_t *s, fc_label_kind_t kind)
{
    return kind == FC_LABEL_CLASS ? (size_t)s->classes : 1;
}

/* theta0 (features x cols, row-major): entries N(0, 4/features), so x^T theta0 with
 * x ~ N(0, I) has standard deviation 2 — logits of order 1-3. */
static void draw_theta0(const fc_synth_t *s, size_t cols, double *theta)
{
    fc_rng_t r;
    double sd = 2.0 / sqrt((double)s->features);
    fc_rng_seed(&r, s->seed, SYNTH_GLOBAL, TAG_THETA0);
    for (size_t i = 0; i < s->features * cols; i++)
        theta[i] = sd * fc_rng_normal(&r);
}

/* Labels for n examples with features N(mu, I) and parameter theta; fills d. */
static void draw_examples(const fc_synth_t *s, fc_label_kind_t kind, const double *theta,
                          const double *mu, fc_rng_t *r, double *a, fc_data_t *d)
{
    size_t p = s->features, C = label_cols(s, kind);
    for (size_t i = 0; i < d->n; i++) {
        double *x = d->X + i * p;
        for (size_t j = 0; j < p; j++)
            x[j] = mu[j] + fc_rng_normal(r);
        for (size_t c = 0; c < C; c++)
            a[c] = 0.0;
        for (size_t j = 0; j < p; j++)
            for (size_t c = 0; c < C; c++)
                a[c] += x[j] * theta[j * C + c];
        for (size_t c = 0; c < C; c++)
            a[c] += s->noise * fc_rng_normal(r);
        switch (kind) {
        case FC_LABEL_REAL:
            d->y[i] = a[0];
            break;
        case FC_LABEL_BINARY:
            d->y[i] = fc_rng_uniform(r) < 1.0 / (1.0 + exp(-a[0])) ? 1.0 : 0.0;
            break;
        case FC_LABEL_CLASS: {
            /* Sample from softmax(a): the C-class analogue of the logistic draw. */
            double m = a[0], z = 0.0;
            for (size_t c = 1; c < C; c++)
                m = a[c] > m ? a[c] : m;
            for (size_t c = 0; c < C; c++)
                z += (a[c] = exp(a[c] - m));
            double u = fc_rng_uniform(r) * z, acc = 0.0;
            size_t y = C - 1;
            for (size_t c = 0; c < C; c++) {
                acc += a[c];
                if (u < acc) {
                    y = c;
                    break;
                }
            }
            d->y[i] = (double)y;
            break;
        }
        }
    }
}

int fc_data_synthetic(const fc_synth_t *s, fc_label_kind_t kind, size_t k, fc_data_t **out)
{
    int err = FC_OK;
    double *theta = NULL, *mu = NULL, *a = NULL;
    fc_data_t *d = NULL;
    fc_rng_t r;
    *out = NULL;
    FC_CALL(check_params(s, kind, s->n_per_client));
    size_t p = s->features, C = label_cols(s, kind);
    FC_CALL(fc_alloc(p, C * sizeof *theta, &theta));
    FC_CALL(fc_alloc(p, sizeof *mu, &mu));
    FC_CALL(fc_alloc(C, sizeof *a, &a));
    draw_theta0(s, C, theta);

    /* Client k's distribution: theta_k = theta0 + h * (a draw like theta0's), mean
     * mu_k = h * N(0, I/4). Its own stream, so it does not depend on n_per_client. */
    double sd = 2.0 / sqrt((double)p), h = s->heterogeneity;
    fc_rng_seed(&r, s->seed, (uint64_t)k, TAG_CLIENT_PARAMS);
    for (size_t i = 0; i < p * C; i++)
        theta[i] += h * sd * fc_rng_normal(&r);
    for (size_t j = 0; j < p; j++)
        mu[j] = h * 0.5 * fc_rng_normal(&r);

    FC_CALL(fc_data_create(s->n_per_client, p, &d));
    fc_rng_seed(&r, s->seed, (uint64_t)k, TAG_CLIENT_DATA);
    draw_examples(s, kind, theta, mu, &r, a, d);
    *out = d;
cleanup:
    fc_free(&theta);
    fc_free(&mu);
    fc_free(&a);
    return err;
}

int fc_data_synthetic_test(const fc_synth_t *s, fc_label_kind_t kind, size_t n, fc_data_t **out)
{
    int err = FC_OK;
    double *theta = NULL, *mu = NULL, *a = NULL;
    fc_data_t *d = NULL;
    fc_rng_t r;
    *out = NULL;
    FC_CALL(check_params(s, kind, n));
    size_t p = s->features, C = label_cols(s, kind);
    FC_CALL(fc_alloc(p, C * sizeof *theta, &theta));
    FC_CALL(fc_calloc(p, sizeof *mu, &mu)); /* the "average" client: mu = 0, theta0 */
    FC_CALL(fc_alloc(C, sizeof *a, &a));
    draw_theta0(s, C, theta);
    FC_CALL(fc_data_create(n, p, &d));
    fc_rng_seed(&r, s->seed, SYNTH_GLOBAL, TAG_TEST);
    draw_examples(s, kind, theta, mu, &r, a, d);
    *out = d;
cleanup:
    fc_free(&theta);
    fc_free(&mu);
    fc_free(&a);
    return err;
}
