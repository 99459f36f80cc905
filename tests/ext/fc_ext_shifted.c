/* fc_ext_shifted.c — a model written outside the library, as a user would: linear
 * regression whose prior is centred away from zero, N(μ₀, δ⁻¹I) with μ₀ = prior_mean in
 * every coordinate, set by a [model] key of its own (model.prior_mean). It proves that a
 * model declares its own keys, dimension and initial mean in its row: the config, the
 * job and every algorithm take them from there (S m = δμ₀ + Σh, SPEC §8). */
#include <math.h>

#include "fc_config.h"
#include "fc_ext.h"

static int check_mean(const char *text, char *why, size_t wn)
{
    double v;
    return fc_parse_double(text, &v, why, wn);
}

static const fc_model_key_t shifted_keys[] = {
    {"prior_mean", "0", "the prior mean of every weight (μ₀ = prior_mean · 1)", check_mean},
    {NULL, NULL, NULL, NULL},
};

/* param[0] = prior_mean; the dimension stays p (one weight per feature). */
static int shifted_setup(fc_model_t *m, const char *(*value)(const char *key, const void *ctx),
                         const void *ctx)
{
    char why[128];
    if (fc_parse_double(value("prior_mean", ctx), &m->param[0], why, sizeof why))
        return fc_err_set(FC_ECONFIG, "model.prior_mean: %s", why);
    m->d = m->p;
    return FC_OK;
}

static void shifted_init_mean(const fc_model_t *m, uint64_t seed, double *mu0)
{
    (void)seed;
    for (size_t i = 0; i < m->d; i++)
        mu0[i] = m->param[0];
}

static fc_model_ops_t shifted;

const fc_model_ops_t *fc_ext_shifted_model(void)
{
    shifted = *fc_model_find("linear"); /* the loss is linear regression's */
    shifted.name = "linear_shifted";
    shifted.keys = shifted_keys;
    shifted.setup = shifted_setup;
    shifted.init_mean = shifted_init_mean;
    return &shifted;
}
