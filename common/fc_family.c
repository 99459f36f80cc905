/* fc_family.c — the family registry and the arithmetic the built-in families share. */
#include "fc_family.h"

#include "fc_registry.h"

extern const fc_family_ops_t fc_family_iso_ops;
extern const fc_family_ops_t fc_family_diag_ops;
extern const fc_family_ops_t fc_family_full_ops;
extern const fc_family_ops_t fc_family_lowrank_ops; /* lowrank family (SPEC §12) */

static fc_registry_t registry = {
    "family",
    {&fc_family_iso_ops, &fc_family_diag_ops, &fc_family_full_ops, &fc_family_lowrank_ops},
    4};

const fc_family_ops_t *fc_family_find(const char *name)
{
    return fc_registry_find(&registry, name);
}

void fc_family_names(char *buf, size_t size)
{
    fc_registry_names(&registry, buf, size);
}

int fc_family_register(const fc_family_ops_t *f)
{
    if (f && !(f->prec_len && f->factor_len && f->work_len && f->prior && f->posterior &&
               f->cavity && f->curvature && f->site_gradient && f->damp))
        return fc_err_set(FC_EINVAL, "family '%s': every operation is required",
                          f->name ? f->name : "?");
    return fc_registry_add(&registry, f);
}

const fc_family_ops_t *fc_family_default(void)
{
    return &fc_family_iso_ops;
}

size_t fc_family_site_len(const fc_family_ops_t *f, const fc_family_dims_t *fd)
{
    return f->site_len ? f->site_len(fd) : f->prec_len(fd);
}

void fc_site_damp_linear(size_t d, size_t n_H, double alpha, double *h, double *H,
                         const double *h_new, const double *H_new, double *dh, double *dH)
{
    for (size_t i = 0; i < d; i++) {
        dh[i] = alpha * (h_new[i] - h[i]);
        h[i] += dh[i];
    }
    for (size_t i = 0; i < n_H; i++) {
        dH[i] = alpha * (H_new[i] - H[i]);
        H[i] += dH[i];
    }
}
