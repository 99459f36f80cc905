/* fc_job.c — one run on a transport: load, build, run (see fc_job.h). */
#include "fc_job.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fc_dataset.h"
#include "fc_host.h"
#include "fc_la.h"
#include "fc_mem.h"

struct fc_job {
    fc_tp_t *tp;
    const fc_config_t *cfg;
    fc_job_opts_t opts;
    fc_shards_t *shards; /* loaded (owned) */
    fc_shards_t lent;    /* or the borrowed opts.blocks */
    fc_data_t *test;     /* loaded (owned), rank 0 */
    fc_model_t model;
    double *mu0;    /* the model's prior mean, or NULL (μ₀ = 0) */
    size_t n_total; /* examples over every client */
    fc_algo_ctx_t ctx[FC_NSLOTS];
    fc_host_t *host;
    fc_server_env_t env;
};

/* Collective: every rank reports its own failure, then all agree. */
static int agree_or_report(fc_tp_t *tp, int err)
{
    if (err) fprintf(stderr, "fedpc: rank %d: %s\n", fc_tp_rank(tp), fc_err_msg());
    return fc_tp_agree(tp, err);
}

static const fc_shards_t *job_shards(const fc_job_t *j)
{
    return j->shards ? j->shards : &j->lent;
}

/* Checkpoints (writing or resuming) hold on rank 0, for the length of one save or
 * restore, every client's state twice (the gathered blocks and the container's copy) plus
 * the global state; the client ranks send and receive in place. */
static double checkpoint_bytes(const fc_job_t *j, size_t n_clients)
{
    const fc_config_t *c = j->cfg;
    const fc_algo_ctx_t *a = &j->ctx[FC_SLOT_MAIN];
    if (c->output.checkpoint_every <= 0 && !c->run.resume) return 0.0;
    double cl = (double)fc_client_state_len(a), need = 0.0;
    (void)n_clients;
    if (fc_tp_rank(j->tp) == 0) need += 2.0 * ((double)a->K * cl + (double)fc_global_state_len(a));
    if (fc_tp_rank(j->tp) == 0 && j->ctx[FC_SLOT_REF].ops &&
        j->ctx[FC_SLOT_REF].expect.kind != FC_EXPECT_POINT) /* q* (SPEC §10) */
        need += 2.0 * (double)fc_global_state_len(&j->ctx[FC_SLOT_REF]);
    return need * sizeof(double);
}

/* The asynchronous schedule (SPEC §11) keeps, per hosted client, the version of the posterior
 * it holds (a state and two counts), and per rank the newest version, a client's backup and
 * the two messages; rank 0 its buffers, and the checkpoint's held blocks of every client. */
static double async_bytes(const fc_job_t *j, size_t n_clients)
{
    const fc_config_t *c = j->cfg;
    const fc_algo_ctx_t *a = &j->ctx[FC_SLOT_MAIN];
    if (c->algorithm.schedule != FC_SCHED_ASYNC) return 0.0;
    double sl = (double)a->ops->state_len(a) + 8.0, dl = (double)a->ops->delta_len(a) + 8.0;
    double need = ((double)n_clients + 2.0) * sl + 2.0 * dl + (double)fc_client_state_len(a);
    if (fc_tp_rank(j->tp) == 0) {
        need += sl + 2.0 * dl;
        if (c->output.checkpoint_every > 0 || c->run.resume) need += (double)a->K * sl;
    }
    return need * sizeof(double);
}

/* d×d matrices (a family with a factor, the dense local solver, the reference) must be
 * indexable by BLAS's int lengths: an error up front, never a wrapped length. */
static int check_dims(const fc_job_t *j)
{
    const fc_algo_ctx_t *a = &j->ctx[FC_SLOT_MAIN];
    int dxd = a->family->factor_len(&a->fd) >= a->d * a->d || !a->local.matrix_free ||
              a->ops->dense_server || j->ctx[FC_SLOT_REF].ops != NULL;
    return fc_la_check_dims(a->d, dxd);
}

/* lowrank family (SPEC §12): algorithm.rank at most d, which is known only now (bad input,
 * naming the key as the config's own checks do); and its arrays within BLAS's lengths. */
static int check_family_rank(const fc_job_t *j)
{
    const fc_algo_ctx_t *a = &j->ctx[FC_SLOT_MAIN];
    char where[FC_PATH_MAX + 64];
    if (!a->ops->uses_family || !a->family->uses_rank) return FC_OK;
    if (a->fd.rank > a->d) {
        fc_config_where(j->cfg, "algorithm.rank", where, sizeof where);
        return fc_err_set(FC_ECONFIG, "%salgorithm.rank: %zu is above d = %zu parameters", where,
                          a->fd.rank, a->d);
    }
    return fc_la_check_len(a->family->prec_len(&a->fd), "the lowrank stack d x (K rank + rank)");
}

/* The server's SPEC §10 buffers (fc_server.c): diag(S⁻¹)'s d×d scratch for a full q, and
 * for a variational run the [m, L] payload and the KL's two d×d factors. */
static double server_vi_bytes(const fc_job_t *j)
{
    const fc_algo_ctx_t *a = &j->ctx[FC_SLOT_MAIN], *r = &j->ctx[FC_SLOT_REF];
    double d = (double)a->d, need = d;
    if (a->cov == FC_COV_FULL || (r->ops && r->cov == FC_COV_FULL)) need += d * d;
    if (a->expect.kind != FC_EXPECT_POINT) need += 3.0 * d * d + 2.0 * d;
    return need * sizeof(double);
}

/* SPEC §10: expectations need the dense local step (its Newton matrix is d×d). */
static int check_expectation_dims(const fc_job_t *j)
{
    const fc_algo_ctx_t *a = &j->ctx[FC_SLOT_MAIN];
    char where[FC_PATH_MAX + 64];
    if (a->expect.kind == FC_EXPECT_POINT || !a->local.matrix_free) return FC_OK;
    fc_config_where(j->cfg, "algorithm.expectation", where, sizeof where);
    return fc_err_set(FC_ECONFIG,
                      "%salgorithm.expectation: %s needs the dense local solver (d = %zu; set "
                      "algorithm.local_solver = newton, or expectation = point)",
                      where, fc_expect_name(a->expect.kind), a->d);
}

/* Refuse a run that cannot fit in this machine's memory before trying (bad input, with the
 * sizes that make it so), rather than failing an allocation halfway. */
static int check_memory(const fc_job_t *j, size_t n_clients)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return FC_OK;
    double have = (double)pages * (double)page;
    size_t max_n = job_shards(j)->max_n;
    double need = (double)fc_algo_memory_estimate(&j->ctx[FC_SLOT_MAIN], n_clients, max_n);
    if (j->ctx[FC_SLOT_REF].ops)
        need = fmax(need, (double)fc_algo_memory_estimate(&j->ctx[FC_SLOT_REF], n_clients, max_n));
    need += checkpoint_bytes(j, n_clients) + async_bytes(j, n_clients);
    need += checkpoint_bytes(j, n_clients);
    if (fc_tp_rank(j->tp) == 0) need += server_vi_bytes(j);
    if (need <= have) return FC_OK;
    /* When the family keeps d×d sites, that is the key to change: name it where it was set,
     * with one site's size. */
    const fc_algo_ctx_t *a = &j->ctx[FC_SLOT_MAIN];
    char where[FC_PATH_MAX + 96] = "";
    double site = (double)fc_family_site_len(a->family, &a->fd) * sizeof(double);
    if (a->ops->uses_family && site >= (double)a->d * (double)a->d * sizeof(double)) {
        size_t at;
        fc_config_where(j->cfg, "algorithm.family", where, sizeof where);
        at = strlen(where);
        snprintf(where + at, sizeof where - at,
                 "algorithm.family: %s keeps a d x d site per client (%.3g GiB each); ",
                 a->family->name, site / 1073741824.0);
    }
    return fc_err_set(FC_ECONFIG,
                      "%sthis run needs about %.3g GiB on this rank (d = %zu parameters, %zu "
                      "clients here, family %s; the central reference (run.reference) keeps "
                      "d x d matrices) but the machine has %.3g GiB; use a smaller model, "
                      "more ranks, a smaller family, or run.reference = false",
                      where, need / 1073741824.0, j->ctx[FC_SLOT_MAIN].d, n_clients,
                      j->ctx[FC_SLOT_MAIN].family->name, have / 1073741824.0);
}

/* This rank's clients: the lent blocks, or loaded from the config; then every rank agrees
 * on the width of the data and the class count. */
static int load_clients(fc_job_t *j, long *p_raw, long *classes)
{
    const fc_config_t *c = j->cfg;
    const fc_job_opts_t *o = &j->opts;
    size_t K = (size_t)c->partition.clients, lo, hi;
    fc_placement(K, fc_tp_size(j->tp), fc_tp_rank(j->tp), &lo, &hi);
    if (o->blocks) {
        if (fc_tp_size(j->tp) != 1)
            return fc_err_set(FC_EINVAL, "in-memory clients need a one-rank transport");
        j->lent = (fc_shards_t){0, K, (fc_data_t **)o->blocks, o->blocks[0]->p, o->classes, 0};
        for (size_t k = 0; k < K; k++)
            if (o->blocks[k]->n > j->lent.max_n) j->lent.max_n = o->blocks[k]->n;
        *p_raw = (long)o->blocks[0]->p;
        *classes = o->classes;
        return FC_OK;
    }
    int err = fc_shards_load(c, lo, hi, &j->shards);
    if (err) return err;
    *p_raw = (long)j->shards->p_raw;
    *classes = j->shards->max_class;
    return FC_OK;
}

static const char *model_key_value(const char *key, const void *cfg)
{
    return fc_config_model_value(cfg, key);
}

/* The model row's own part: its keys and dimension (setup), and its prior mean. */
static int model_own(fc_job_t *j)
{
    const fc_model_ops_t *ops = j->model.ops;
    j->model.seed = j->cfg->run.seed;
    j->model.bias_column = j->cfg->model.bias;
    int err = ops->setup ? ops->setup(&j->model, model_key_value, j->cfg) : FC_OK;
    if (err || !ops->init_mean) return err;
    err = fc_calloc(j->model.d, sizeof(double), &j->mu0);
    if (!err) ops->init_mean(&j->model, j->cfg->run.seed, j->mu0);
    return err;
}

/* The model (features after the bias column, classes) and, on rank 0, the test set. */
static int build_model(fc_job_t *j, long p_raw, long classes)
{
    const fc_config_t *c = j->cfg;
    const fc_model_ops_t *ops =
        j->opts.model_ops ? j->opts.model_ops : fc_model_find(c->model.type);
    if (c->data.classes > 0) classes = c->data.classes;
    if (ops->labels != FC_LABEL_CLASS) classes = 0;
    size_t p = (size_t)p_raw;
    int err = FC_OK;
    if (j->shards) {
        err = fc_shards_finish(j->shards, (size_t)p_raw, (int)classes, c->model.bias);
        p += c->model.bias ? 1 : 0;
    }
    if (!err)
        err = fc_model_init(&j->model, ops, p, ops->labels == FC_LABEL_CLASS ? (int)classes : 1,
                            c->model.noise_precision);
    if (!err) err = model_own(j);
    if (!err && j->shards && fc_tp_rank(j->tp) == 0)
        err = fc_testset_load(c, (size_t)p_raw, (int)classes, &j->test);
    return err;
}

/* Chain callback: this rank's examples, added in client order. */
static void add_examples(void *ctx, double *acc)
{
    const fc_shards_t *sh = ctx;
    for (size_t i = 0; i < sh->hi - sh->lo; i++)
        acc[0] += (double)sh->block[i]->n;
}

/* Collective: N = Σ_k N_k over every client, on every rank (fedavg's share N_k/N of the
 * prior, SPEC §9). Exact in a double up to 2^53 examples. */
static int count_examples(fc_job_t *j)
{
    double acc[1] = {0.0};
    int err = fc_tp_chain_sum(j->tp, acc, 1, add_examples, (void *)job_shards(j));
    if (!err) err = fc_tp_bcast(j->tp, acc, sizeof acc, 0);
    if (!err) j->n_total = (size_t)acc[0];
    return err;
}

/* The run's algorithm and the central reference (empty without run.reference). */
static void build_contexts(fc_job_t *j)
{
    const fc_config_t *c = j->cfg;
    size_t K = (size_t)c->partition.clients;
    const fc_algo_ops_t *ops =
        j->opts.algo_ops ? j->opts.algo_ops : fc_algo_find(c->algorithm.name);
    fc_algo_ctx_init(&j->ctx[FC_SLOT_MAIN], c, ops, &j->model, K);
    j->ctx[FC_SLOT_MAIN].mu0 = j->mu0;
    j->ctx[FC_SLOT_MAIN].n_total = j->n_total;
    if (c->run.reference) {
        fc_algo_ctx_init(&j->ctx[FC_SLOT_REF], c, fc_algo_find("central"), &j->model, K);
        j->ctx[FC_SLOT_REF].mu0 = j->mu0;
        j->ctx[FC_SLOT_REF].n_total = j->n_total;
    }
}

/* Settings that are valid but rarely what a researcher means. */
static void warn_config(const fc_job_t *j)
{
    const fc_config_t *c = j->cfg;
    const fc_algo_ops_t *a = j->ctx[FC_SLOT_MAIN].ops;
    if (fc_tp_rank(j->tp) != 0 || j->opts.silent) return;
    if (a->exact_local_solve && c->algorithm.local_steps > 0 && c->algorithm.local_steps < 5)
        fprintf(stderr,
                "fedpc: warning: algorithm.local_steps = %d with %s: its fixed point needs the "
                "local problem solved, so it can miss θ* (pvi is the algorithm for inexact "
                "local steps)\n",
                c->algorithm.local_steps, a->name);
    if (!a->partial_participation && c->algorithm.participation < 1.0)
        fprintf(stderr,
                "fedpc: warning: %s needs every client each round: algorithm.participation = "
                "%g is ignored\n",
                a->name, c->algorithm.participation);
}

int fc_job_create(fc_tp_t *tp, const fc_config_t *c, const fc_job_opts_t *o, fc_job_t **out)
{
    fc_job_t *j = NULL;
    long p_raw = 0, classes = 0;
    *out = NULL;
    int err = fc_calloc(1, sizeof *j, &j);
    if (err) return agree_or_report(tp, err); /* the others agree on it too */
    j->tp = tp;
    j->cfg = c;
    if (o) j->opts = *o;
    fc_la_set_threads(c->run.threads);
    err = agree_or_report(tp, load_clients(j, &p_raw, &classes));
    /* libsvm files may differ in width; softmax classes come from all clients' labels. */
    if (!err) err = fc_tp_max_long(tp, &p_raw);
    if (!err) err = fc_tp_max_long(tp, &classes);
    if (!err) err = agree_or_report(tp, build_model(j, p_raw, classes));
    if (!err) err = count_examples(j);
    if (!err) {
        build_contexts(j);
        warn_config(j);
        const fc_shards_t *sh = job_shards(j);
        err = check_family_rank(j);
        if (!err) err = check_expectation_dims(j);
        if (!err) err = check_dims(j);
        if (!err) err = check_memory(j, sh->hi - sh->lo);
        if (!err)
            err = fc_host_create(tp, j->ctx, sh, c->run.seed, c->algorithm.participation, &j->host);
        err = agree_or_report(tp, err);
    }
    if (err) {
        fc_job_destroy(&j);
        return err;
    }
    *out = j;
    return FC_OK;
}

void fc_job_destroy(fc_job_t **pj)
{
    fc_job_t *j = pj ? *pj : NULL;
    if (!j) return;
    fc_host_destroy(&j->host);
    fc_data_destroy(&j->test);
    fc_shards_destroy(&j->shards);
    fc_free(&j->mu0);
    fc_free(pj);
}

const fc_server_env_t *fc_job_server_env(fc_job_t *j, const char *out_dir)
{
    const fc_data_t *test = j->opts.blocks ? j->opts.test : j->test;
    j->env = (fc_server_env_t){j->tp, fc_host_execute, j->host,       j->cfg,        j->ctx,
                               test,  out_dir,         j->opts.quiet, j->opts.silent};
    return &j->env;
}

const fc_algo_ctx_t *fc_job_ctx(const fc_job_t *j)
{
    return &j->ctx[FC_SLOT_MAIN];
}

int fc_job_run(fc_job_t *j, const char *out_dir, fc_run_result_t *res)
{
    memset(res, 0, sizeof *res);
    snprintf(res->status, sizeof res->status, "error");
    if (fc_tp_rank(j->tp) != 0) return res->exit_status = fc_host_serve(j->host);
    if (fc_server_run(fc_job_server_env(j, out_dir), res) && !res->exit_status)
        res->exit_status = FC_EXIT_INTERNAL;
    return res->exit_status;
}

/* Exit status of a run that could not be set up (SPEC §5, the one list). */
static int setup_status(int err)
{
    fc_err_trace_dump(stderr);
    return fc_exit_status(err);
}

int fc_job_run_config(fc_tp_t *tp, const fc_config_t *c, const char *out_dir, int quiet, int silent,
                      fc_run_result_t *res)
{
    fc_job_t *j = NULL;
    fc_job_opts_t o = {.quiet = quiet, .silent = silent};
    memset(res, 0, sizeof *res);
    snprintf(res->status, sizeof res->status, "error");
    int err = fc_job_create(tp, c, &o, &j);
    if (err) return res->exit_status = setup_status(err);
    int status = fc_job_run(j, out_dir, res);
    fc_job_destroy(&j);
    return status;
}
