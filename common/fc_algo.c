/* fc_algo.c — the algorithm registry and the state shared by every algorithm: global
 * posterior, client state, work buffers, per-client metrics, participation. */
#include "fc_algo.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fc_algo_impl.h"
#include "fc_family.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_registry.h"
#include "fc_rng.h"

static fc_registry_t registry = {"algorithm",
                                 {&fc_algo_fpc_ops, &fc_algo_pvi_ops, &fc_algo_admm_ops,
                                  &fc_algo_ama_ops, &fc_algo_central_ops, &fc_algo_fedavg_ops,
                                  &fc_algo_fedprox_ops, &fc_algo_bayes_admm_ops},
                                 8};

const fc_algo_ops_t *fc_algo_find(const char *name)
{
    return fc_registry_find(&registry, name);
}

void fc_algo_names(char *buf, size_t size)
{
    fc_registry_names(&registry, buf, size);
}

int fc_algo_register(const fc_algo_ops_t *ops)
{
    if (ops && !(ops->state_len && ops->delta_len && ops->pack && ops->local && ops->apply &&
                 ops->schedules && (ops->contribution || !ops->has_sites)))
        return fc_err_set(FC_EINVAL, "algorithm '%s': a required operation is missing",
                          ops->name ? ops->name : "?");
    return fc_registry_add(&registry, ops);
}

/* Is word a word of the space-separated list? */
static int word_in(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && (p = strstr(p, word)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
    return 0;
}

int fc_algo_uses_key(const fc_algo_ops_t *a, const char *family, const char *key)
{
    if (strcmp(key, "name") == 0) return 1;
    if (!word_in(a->keys, key)) return 0;
    /* lowrank family (SPEC §12): the rank keys only for a family with a rank. */
    if ((strcmp(key, "rank") == 0 || strcmp(key, "server_rank") == 0) && a->uses_family) {
        const fc_family_ops_t *f = fc_family_find(family);
        return f && f->uses_rank;
    }
    if (strcmp(key, "penalty") == 0 && a->uses_family && !a->needs_precision) {
        const fc_family_ops_t *f = fc_family_find(family);
        fc_family_dims_t one = {1, 1, 1, 1, 0};
        return !f || f->prec_len(&one) == 0;
    }
    return 1;
}

double fc_prior_value(const fc_algo_ctx_t *a, const double *theta)
{
    if (!a->mu0) return 0.5 * a->delta * fc_dot(a->d, theta, theta);
    double s = 0.0;
    for (size_t i = 0; i < a->d; i++)
        s += (theta[i] - a->mu0[i]) * (theta[i] - a->mu0[i]);
    return 0.5 * a->delta * s;
}

void fc_prior_gradient(const fc_algo_ctx_t *a, const double *theta, const double *sum, double *out)
{
    for (size_t i = 0; i < a->d; i++)
        out[i] = a->delta * (a->mu0 ? theta[i] - a->mu0[i] : theta[i]) + sum[i];
}

void fc_algo_ctx_init(fc_algo_ctx_t *a, const fc_config_t *c, const fc_algo_ops_t *ops,
                      const fc_model_t *model, size_t K)
{
    memset(a, 0, sizeof *a);
    a->model = model;
    a->ops = ops;
    a->family =
        a->ops && a->ops->uses_family ? fc_family_find(c->algorithm.family) : fc_family_default();
    if (!a->family) a->family = fc_family_default(); /* fc_config_validate names it */
    /* SPEC §10: expectations for the rows that take them. */
    fc_expect_init(&a->expect,
                   ops && ops->expectations ? c->algorithm.expectation : FC_EXPECT_POINT,
                   c->algorithm.quadrature_points, c->algorithm.mc_samples, c->run.seed);
    if (ops && ops->vi_family && a->expect.kind != FC_EXPECT_POINT) {
        /* central's q*: a Gaussian of the run's shape (diag: the mean-field optimum), else
         * full (iso keeps no precision to be optimal over). */
        const fc_family_ops_t *f = fc_family_find(c->algorithm.family);
        a->family = f && f->cov_shape == FC_COV_DIAG ? f : fc_family_find("full");
        if (!a->family) a->family = fc_family_default();
    }
    a->cov = a->family->cov_shape == FC_COV_NONE ? FC_COV_ISO : a->family->cov_shape;
    a->d = model->d;
    a->K = K;
    /* The family's shape (lowrank: algorithm.rank; server_rank 0 = K·rank, exact). */
    a->fd = (fc_family_dims_t){model->d, (size_t)c->algorithm.rank,
                               c->algorithm.server_rank > 0 ? (size_t)c->algorithm.server_rank
                                                            : K * (size_t)c->algorithm.rank,
                               K, c->run.seed};
    a->delta = c->model.prior_precision;
    a->damping = c->algorithm.damping;
    a->penalty = c->algorithm.penalty;
    a->local.max_steps = c->algorithm.local_steps > 0 ? c->algorithm.local_steps
                         : ops                        ? ops->default_local_steps
                                                      : 50;
    a->local.tol = c->algorithm.local_tol;
    a->optimizer = c->algorithm.optimizer;
    a->lr = c->algorithm.lr;
    a->batch_size = (size_t)c->algorithm.batch_size;
    a->local_epochs = c->algorithm.local_epochs;
    /* Matrix-free when asked, or (auto) when a d×d matrix would not fit comfortably, for
     * the families that can go without one. */
    a->local.matrix_free =
        a->family->matrix_free &&
        (c->algorithm.local_solver == FC_SOLVER_CG ||
         (c->algorithm.local_solver == FC_SOLVER_AUTO && model->d > FC_DENSE_MAX_D));
}

/* The server's factor: the family's, or central's d*d Newton factor. Checkpoint layout of
 * the global state: m, Σh, S, ΣH (prec_len each), L (this length), stalled. */
static size_t global_L_len(const fc_algo_ctx_t *a)
{
    size_t nf = a->family->factor_len(&a->fd);
    if (a->ops && a->ops->dense_server && nf < a->d * a->d) nf = a->d * a->d;
    return nf;
}

int fc_global_create(const fc_algo_ctx_t *a, fc_global_t **out)
{
    int err;
    size_t d = a->d, np = a->family->prec_len(&a->fd), nl = global_L_len(a);
    fc_global_t *g = NULL;
    *out = NULL;
    FC_CALL(fc_calloc(1, sizeof *g, &g));
    g->d = d;
    FC_CALL(fc_calloc(d, sizeof(double), &g->m));
    if (a->mu0) fc_copy(d, a->mu0, g->m); /* q_0 is the prior */
    FC_CALL(fc_calloc(d, sizeof(double), &g->sum_h));
    FC_CALL(fc_calloc(3 * d, sizeof(double), &g->scratch));
    if (np) {
        FC_CALL(fc_calloc(np, sizeof(double), &g->S));
        FC_CALL(fc_calloc(np, sizeof(double), &g->sum_H));
        a->family->prior(&a->fd, a->delta, g->S);
    }
    if (nl) FC_CALL(fc_calloc(nl, sizeof(double), &g->L));
    /* q_0's factor, √δ I, for the variational metrics before the first posterior (the
     * posterior overwrites it; nothing reads it at round 0 otherwise). */
    if (a->cov == FC_COV_FULL && nl >= d * d)
        for (size_t i = 0; i < d; i++)
            g->L[i * d + i] = sqrt(a->delta);
    *out = g;
    return FC_OK;
cleanup:
    fc_global_destroy(&g);
    return err;
}

void fc_global_destroy(fc_global_t **pg)
{
    fc_global_t *g = pg ? *pg : NULL;
    if (!g) return;
    fc_free(&g->m);
    fc_free(&g->S);
    fc_free(&g->L);
    fc_free(&g->sum_h);
    fc_free(&g->sum_H);
    fc_free(&g->scratch);
    fc_free(pg);
}

static size_t client_extra_len(const fc_algo_ctx_t *a)
{
    return a->ops && a->ops->client_extra_len ? a->ops->client_extra_len(a) : 0;
}

int fc_client_create(const fc_algo_ctx_t *a, size_t k, const fc_data_t *data, fc_client_t **out)
{
    int err;
    size_t d = a->d, np = fc_family_site_len(a->family, &a->fd);
    fc_client_t *c = NULL;
    *out = NULL;
    FC_CALL(fc_calloc(1, sizeof *c, &c));
    c->k = k;
    c->data = data;
    FC_CALL(fc_calloc(d, sizeof(double), &c->h));
    FC_CALL(fc_calloc(d, sizeof(double), &c->theta));
    if (np) FC_CALL(fc_calloc(np, sizeof(double), &c->H));
    if (client_extra_len(a)) FC_CALL(fc_calloc(client_extra_len(a), sizeof(double), &c->extra));
    *out = c;
    return FC_OK;
cleanup:
    fc_client_destroy(&c);
    return err;
}

void fc_client_destroy(fc_client_t **pc)
{
    fc_client_t *c = pc ? *pc : NULL;
    if (!c) return;
    fc_free(&c->h);
    fc_free(&c->H);
    fc_free(&c->theta);
    fc_free(&c->extra);
    fc_free(pc);
}

int fc_work_create(const fc_algo_ctx_t *a, size_t max_n, fc_work_t **out)
{
    int err;
    size_t d = a->d, np = a->family->prec_len(&a->fd), ns = fc_family_site_len(a->family, &a->fd);
    size_t nscr = a->family->scratch_len ? a->family->scratch_len(&a->fd, a->model, max_n) : 0;
    /* The local solver's d×d buffers: the Newton matrix, and the kept Hessian when the family
     * takes its site from it (fc_family.h site_from_hessian). */
    int dense = a->local.matrix_free           ? 0
                : a->family->site_from_hessian ? FC_SOLVER_WS_KEEP_HESSIAN
                                               : 1;
    fc_work_t *w = NULL;
    *out = NULL;
    FC_CALL(fc_calloc(1, sizeof *w, &w));
    FC_CALL(fc_solver_ws_create(a->model, max_n, dense, &w->solver));
    FC_CALL(fc_calloc(d, sizeof(double), &w->theta));
    FC_CALL(fc_calloc(d, sizeof(double), &w->b));
    FC_CALL(fc_calloc(d, sizeof(double), &w->g));
    FC_CALL(fc_calloc(d, sizeof(double), &w->h_new));
    FC_CALL(fc_calloc(d, sizeof(double), &w->tmp));
    if (np) {
        FC_CALL(fc_calloc(np, sizeof(double), &w->P));
    }
    if (ns) FC_CALL(fc_calloc(ns, sizeof(double), &w->H_new));
    if (nscr) FC_CALL(fc_calloc(nscr, sizeof(double), &w->scratch));
    /* Cholesky scratch for the cavity check, which only damping α > 1 needs (fc_family.h). */
    size_t nchol = a->family->work_len(&a->fd, 1) - a->family->work_len(&a->fd, 0);
    if (nchol && a->damping > 1.0) FC_CALL(fc_calloc(nchol, sizeof(double), &w->chol));
    size_t nalgo = a->ops && a->ops->work_len ? a->ops->work_len(a, max_n) : 0;
    if (nalgo) FC_CALL(fc_calloc(nalgo, sizeof(double), &w->algo));
    w->algo_max_n = max_n;
    /* The local precision's update P + G (variational steps, and bayes_admm's S_k). */
    if (a->expect.kind != FC_EXPECT_POINT || (a->ops && a->ops->needs_precision))
        FC_CALL(fc_calloc(fc_vi_prec_len(a) + 1, sizeof(double), &w->Qn));
    if (a->expect.kind != FC_EXPECT_POINT) {
        size_t nq = fc_vi_prec_len(a);
        FC_CALL(fc_calloc(fc_vi_work_len(&a->expect, a->model, max_n), sizeof(double), &w->vi));
        FC_CALL(fc_calloc(nq ? nq : 1, sizeof(double), &w->Q));
        FC_CALL(fc_calloc(d * d, sizeof(double), &w->Lq));
        FC_CALL(fc_calloc(d * d, sizeof(double), &w->G));
        FC_CALL(fc_calloc(d * d, sizeof(double), &w->N));
        FC_CALL(fc_calloc(d, sizeof(double), &w->r));
        FC_CALL(fc_calloc(d, sizeof(double), &w->dm));
        FC_CALL(fc_calloc(d, sizeof(double), &w->zero));
    }
    *out = w;
    return FC_OK;
cleanup:
    fc_work_destroy(&w);
    return err;
}

void fc_work_destroy(fc_work_t **pw)
{
    fc_work_t *w = pw ? *pw : NULL;
    if (!w) return;
    fc_solver_ws_destroy(&w->solver);
    fc_free(&w->theta);
    fc_free(&w->b);
    fc_free(&w->g);
    fc_free(&w->h_new);
    fc_free(&w->tmp);
    fc_free(&w->P);
    fc_free(&w->H_new);
    fc_free(&w->chol);
    fc_free(&w->scratch);
    fc_free(&w->algo);
    fc_free(&w->vi);
    fc_free(&w->Q);
    fc_free(&w->Qn);
    fc_free(&w->Lq);
    fc_free(&w->G);
    fc_free(&w->N);
    fc_free(&w->r);
    fc_free(&w->dm);
    fc_free(&w->zero);
    fc_free(pw);
}

double *fc_work_model(fc_work_t *w)
{
    return fc_solver_ws_model_work(w->solver);
}

void fc_work_set_round(fc_work_t *w, int round)
{
    w->round = round;
}

void fc_global_prec(const fc_algo_ctx_t *a, const fc_global_t *g, fc_prec_t *q)
{
    *q = (fc_prec_t){a->cov, NULL, NULL, a->delta};
    if (a->cov == FC_COV_FULL) q->L = g->L;
    if (a->cov == FC_COV_DIAG) q->s = g->S;
}

/* The metrics' mc round: one stream for every round, so the curves are not mc noise. */
#define VI_METRICS_ROUND 0xffffffffULL

void fc_client_metrics_vi(const fc_algo_ctx_t *a, const fc_client_t *c, const double *theta,
                          const fc_prec_t *q, double *out, fc_work_t *w)
{
    fc_client_metrics(a, c, a->ops->has_sites, theta, out, NULL, w); /* the correction */
    fc_vi_eval(&a->expect, a->model, c->data, theta, q, c->k, VI_METRICS_ROUND, &out[0], out + 2,
               NULL, NULL, w->vi);
}

void fc_client_metrics(const fc_algo_ctx_t *a, const fc_client_t *c, int has_sites,
                       const double *theta, double *out, double *hess, fc_work_t *w)
{
    size_t d = a->d;
    double *grad = out + 2;
    fc_model_eval(a->model, c->data, theta, &out[0], grad, hess, NULL,
                  fc_solver_ws_model_work(w->solver));
    out[1] = 0.0;
    if (!has_sites) return;
    /* SPEC §2: correction term ‖∇ℓ_k(m) − (H_k m − h_k)‖². admm/ama sites have H = 0. */
    a->family->site_gradient(&a->fd, c->h, c->H, theta, w->tmp);
    double s = 0.0;
    for (size_t i = 0; i < d; i++) {
        double r = grad[i] - w->tmp[i];
        s += r * r;
    }
    out[1] = s;
}

double fc_client_loss(const fc_algo_ctx_t *a, const fc_client_t *c, const double *theta,
                      fc_work_t *w)
{
    double loss;
    fc_model_eval(a->model, c->data, theta, &loss, NULL, NULL, NULL,
                  fc_solver_ws_model_work(w->solver));
    return loss;
}

void fc_participants(size_t K, double frac, uint64_t seed, int round, unsigned char *mask)
{
    size_t take = (size_t)ceil(frac * (double)K - 1e-12);
    if (take < 1) take = 1;
    if (take >= K) {
        memset(mask, 1, K);
        return;
    }
    memset(mask, 0, K);
    /* Partial Fisher–Yates over an implicit identity permutation, tracked in the mask:
     * Floyd's algorithm picks `take` distinct clients with one draw each. */
    fc_rng_t r;
    fc_rng_seed(&r, seed, 0x7061727469ULL, (uint64_t)round);
    for (size_t j = K - take; j < K; j++) {
        size_t t = (size_t)fc_rng_below(&r, j + 1);
        if (mask[t])
            mask[j] = 1;
        else
            mask[t] = 1;
    }
}

size_t fc_client_state_len(const fc_algo_ctx_t *a)
{
    return 2 * a->d + fc_family_site_len(a->family, &a->fd) + client_extra_len(a);
}

void fc_client_state_pack(const fc_algo_ctx_t *a, const fc_client_t *c, double *out)
{
    size_t d = a->d, np = fc_family_site_len(a->family, &a->fd);
    fc_copy(d, c->h, out);
    fc_copy(d, c->theta, out + d);
    if (np) fc_copy(np, c->H, out + 2 * d);
    if (client_extra_len(a)) fc_copy(client_extra_len(a), c->extra, out + 2 * d + np);
}

size_t fc_client_state_pieces(const fc_algo_ctx_t *a, fc_client_t *c, double **ptr, size_t *len)
{
    size_t d = a->d, np = fc_family_site_len(a->family, &a->fd), n = 0;
    ptr[n] = c->h, len[n++] = d;
    ptr[n] = c->theta, len[n++] = d;
    if (np) ptr[n] = c->H, len[n++] = np;
    if (client_extra_len(a)) ptr[n] = c->extra, len[n++] = client_extra_len(a);
    return n;
}

void fc_client_state_unpack(const fc_algo_ctx_t *a, fc_client_t *c, const double *in)
{
    size_t d = a->d, np = fc_family_site_len(a->family, &a->fd);
    fc_copy(d, in, c->h);
    fc_copy(d, in + d, c->theta);
    if (np) fc_copy(np, in + 2 * d, c->H);
    if (client_extra_len(a)) fc_copy(client_extra_len(a), in + 2 * d + np, c->extra);
}

size_t fc_global_state_len(const fc_algo_ctx_t *a)
{
    return 2 * a->d + 2 * a->family->prec_len(&a->fd) + global_L_len(a) + 1;
}

void fc_global_state_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *out)
{
    size_t d = a->d, np = a->family->prec_len(&a->fd), nl = global_L_len(a);
    fc_copy(d, g->m, out);
    fc_copy(d, g->sum_h, out + d);
    if (np) fc_copy(np, g->S, out + 2 * d);
    if (np) fc_copy(np, g->sum_H, out + 2 * d + np);
    if (nl) fc_copy(nl, g->L, out + 2 * d + 2 * np);
    out[2 * d + 2 * np + nl] = g->stalled;
}

void fc_global_state_unpack(const fc_algo_ctx_t *a, fc_global_t *g, const double *in)
{
    size_t d = a->d, np = a->family->prec_len(&a->fd), nl = global_L_len(a);
    fc_copy(d, in, g->m);
    fc_copy(d, in + d, g->sum_h);
    if (np) fc_copy(np, in + 2 * d, g->S);
    if (np) fc_copy(np, in + 2 * d + np, g->sum_H);
    if (nl) fc_copy(nl, in + 2 * d + 2 * np, g->L);
    g->stalled = in[2 * d + 2 * np + nl] != 0.0;
}

/* a*b + c in size_t, saturating at SIZE_MAX. */
static size_t sat_muladd(size_t a, size_t b, size_t c)
{
    if (b && a > (SIZE_MAX - c) / b) return SIZE_MAX;
    return a * b + c;
}

size_t fc_algo_memory_estimate(const fc_algo_ctx_t *a, size_t n_clients, size_t max_n)
{
    size_t d = a->d, dd = d > 0 && d > SIZE_MAX / d ? SIZE_MAX : d * d;
    size_t per_client = sat_muladd(1, fc_client_state_len(a), 0);
    per_client = sat_muladd(1, per_client, a->ops->delta_len(a)); /* stored contribution */
    size_t doubles = sat_muladd(n_clients, per_client, 0);
    /* d x d work: Newton matrix (dense local solver), central's server matrices; the
     * family's client scratch and the server's S, ΣH and factor. */
    size_t nmat = (a->local.matrix_free ? 0 : 1) + (a->ops->dense_server ? 2 : 0);
    /* The local solver's kept Hessian (fc_work_create), with its two d-vectors. */
    if (!a->local.matrix_free && a->family->site_from_hessian) {
        nmat++;
        doubles = sat_muladd(2, d, doubles);
    }
    doubles = sat_muladd(nmat, dd, doubles);
    size_t fam = a->family->work_len(&a->fd, a->damping > 1.0);
    fam = sat_muladd(2, a->family->prec_len(&a->fd), fam);
    fam = sat_muladd(1, a->family->factor_len(&a->fd), fam);
    doubles = sat_muladd(1, fam, doubles);
    doubles = sat_muladd(1, a->model->ops->work_size(a->model, max_n), doubles);
    if (a->ops->work_len) doubles = sat_muladd(1, a->ops->work_len(a, max_n), doubles);
    if (a->expect.kind != FC_EXPECT_POINT || a->ops->needs_precision)
        doubles = sat_muladd(1, fc_vi_prec_len(a), doubles);
    if (a->expect.kind != FC_EXPECT_POINT) { /* fc_work_create's SPEC §10 buffers */
        doubles = sat_muladd(1, fc_vi_work_len(&a->expect, a->model, max_n), doubles);
        doubles = sat_muladd(1, fc_vi_prec_len(a), doubles);
        doubles = sat_muladd(3, dd, doubles);
        doubles = sat_muladd(3, d, doubles);
    }
    return sat_muladd(doubles, sizeof(double), 0);
}

size_t fc_algo_wire_len(const fc_algo_ctx_t *a)
{
    return a->ops->wire_len ? a->ops->wire_len(a) : a->ops->state_len(a) + a->ops->delta_len(a);
}

void fc_global_sums(const fc_algo_ctx_t *a, const fc_global_t *g, double *out)
{
    size_t d = a->d, np = a->family->prec_len(&a->fd);
    fc_copy(d, g->sum_h, out);
    if (np && a->ops->uses_family) fc_copy(np, g->sum_H, out + d);
}
