/* fc_algo_fedavg.c — the FedAvg and FedProx baselines (SPEC §9). Each participating client
 * runs E = algorithm.local_epochs passes of seeded minibatch SGD or Adam from θ̄ on
 *     f_k(θ) = ℓ_k(θ) + (N_k/N) ℓ₀(θ)      (Σ_k f_k = F)
 * plus, for fedprox, μ/2‖θ − θ̄‖² with μ = algorithm.penalty; the server averages the θ_k
 * weighted by N_k over the participants. Client state: its last θ_k (c->theta).
 * What persists between rounds is θ̄ alone: the optimiser (Adam's moments and step count)
 * restarts every round and the shuffles are drawn from the stream (seed, client, round), so
 * a checkpoint of θ̄ and the round number resumes bit for bit. */
#include <math.h>
#include <string.h>

#include "fc_algo_impl.h"
#include "fc_la.h"
#include "fc_rng.h"

/* The shuffle stream of client k in round t is (run.seed, FEDAVG_STREAM ^ k, t): distinct
 * from the participation stream and from every family's. */
#define FEDAVG_STREAM 0x6665646176670000ULL

/* Adam's constants (Kingma & Ba, 2015). */
#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPS 1e-8

static size_t fedavg_state_len(const fc_algo_ctx_t *a)
{
    return a->d; /* θ̄ */
}

static size_t fedavg_delta_len(const fc_algo_ctx_t *a)
{
    return a->d + 1; /* N_k θ_k, then N_k */
}

/* Payload (SPEC §9): θ̄ down, θ_k up; N_k is fixed, so it is not counted. */
static size_t fedavg_wire_len(const fc_algo_ctx_t *a)
{
    return 2 * a->d;
}

static void fedavg_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *state)
{
    fc_copy(a->d, g->m, state);
}

/* Doubles holding max_n size_t values. */
static size_t index_doubles(size_t max_n)
{
    return (max_n * sizeof(size_t) + sizeof(double) - 1) / sizeof(double);
}

/* Rows in one minibatch for a client of n examples. */
static size_t batch_rows(const fc_algo_ctx_t *a, size_t n)
{
    return a->batch_size < n ? a->batch_size : n;
}

/* Scratch: the shuffle (max_n indices) and one minibatch's rows and labels, which a
 * full-batch run needs neither of (it reads the client's block in place); Adam's two
 * moment vectors. */
static size_t fedavg_work_len(const fc_algo_ctx_t *a, size_t max_n)
{
    size_t b = batch_rows(a, max_n), len = 0;
    if (b < max_n) len += index_doubles(max_n) + b * (a->model->p + 1);
    if (a->optimizer == FC_OPT_ADAM) len += 2 * a->d;
    return len;
}

typedef struct {
    size_t *perm;      /* the client's example order this epoch */
    double *Xb, *yb;   /* the minibatch, gathered in that order */
    double *mom, *vel; /* Adam's first and second moments */
    int steps;         /* Adam's step count in this round */
} local_opt_t;

/* Cut the algorithm's scratch into its arrays (the layout of fedavg_work_len). */
static void opt_carve(const fc_algo_ctx_t *a, fc_work_t *w, local_opt_t *o)
{
    size_t max_n = w->algo_max_n, b = batch_rows(a, max_n);
    double *p = w->algo;
    memset(o, 0, sizeof *o);
    if (b < max_n) {
        o->perm = (size_t *)(void *)p; /* fc_alloc's block is aligned for any type */
        p += index_doubles(max_n);
        o->Xb = p;
        o->yb = p + b * a->model->p;
        p += b * (a->model->p + 1);
    }
    if (a->optimizer == FC_OPT_ADAM) {
        o->mom = p;
        o->vel = p + a->d;
        memset(o->mom, 0, 2 * a->d * sizeof(double)); /* the optimiser restarts each round */
    }
}

/* Gather the rows perm[0..nb) of the client's block into the minibatch buffers. */
static void gather_batch(const fc_data_t *x, const size_t *perm, size_t nb, double *Xb, double *yb)
{
    for (size_t i = 0; i < nb; i++) {
        memcpy(Xb + i * x->p, x->X + perm[i] * x->p, x->p * sizeof(double));
        yb[i] = x->y[perm[i]];
    }
}

/* The minibatch estimate of ∇f_k (sum semantics, SPEC §9) at θ, into g:
 *   (N_k/n_b) Σ_{i∈B} ∇ℓ_i(θ) + (N_k/N) δ(θ − μ₀) [+ μ(θ − θ̄)]. */
static void batch_gradient(const fc_algo_ctx_t *a, const double *X, const double *y, size_t nb,
                           size_t n, double mu, const double *theta, const double *theta_bar,
                           double *g, fc_work_t *w)
{
    double loss, scale = (double)n / (double)nb, share = (double)n / (double)a->n_total;
    a->model->ops->eval(a->model, X, y, nb, theta, &loss, g, NULL, NULL, fc_work_model(w));
    for (size_t i = 0; i < a->d; i++) {
        double prior = a->delta * (a->mu0 ? theta[i] - a->mu0[i] : theta[i]);
        g[i] = scale * g[i] + share * prior;
        if (mu > 0.0) g[i] += mu * (theta[i] - theta_bar[i]);
    }
}

/* One optimiser step on θ along the gradient estimate g. */
static void opt_step(const fc_algo_ctx_t *a, local_opt_t *o, const double *g, double *theta)
{
    size_t d = a->d;
    if (a->optimizer == FC_OPT_SGD) {
        fc_axpy(d, -a->lr, g, theta);
        return;
    }
    /* Adam with bias-corrected moments. */
    o->steps++;
    double c1 = 1.0 - pow(ADAM_BETA1, o->steps), c2 = 1.0 - pow(ADAM_BETA2, o->steps);
    for (size_t i = 0; i < d; i++) {
        o->mom[i] = ADAM_BETA1 * o->mom[i] + (1.0 - ADAM_BETA1) * g[i];
        o->vel[i] = ADAM_BETA2 * o->vel[i] + (1.0 - ADAM_BETA2) * g[i] * g[i];
        theta[i] -= a->lr * (o->mom[i] / c1) / (sqrt(o->vel[i] / c2) + ADAM_EPS);
    }
}

/* One pass over the client's examples in a fresh seeded order (or, full batch, the block
 * as it is: one gradient step on f_k). */
static void local_epoch(const fc_algo_ctx_t *a, const fc_data_t *x, local_opt_t *o, fc_rng_t *r,
                        double mu, const double *theta_bar, double *theta, fc_work_t *w)
{
    size_t n = x->n, b = batch_rows(a, n);
    if (b == n) {
        batch_gradient(a, x->X, x->y, n, n, mu, theta, theta_bar, w->g, w);
        opt_step(a, o, w->g, theta);
        return;
    }
    fc_rng_shuffle(r, n, o->perm);
    for (size_t start = 0; start < n; start += b) {
        size_t nb = n - start < b ? n - start : b;
        gather_batch(x, o->perm + start, nb, o->Xb, o->yb);
        batch_gradient(a, o->Xb, o->yb, nb, n, mu, theta, theta_bar, w->g, w);
        opt_step(a, o, w->g, theta);
    }
}

/* SPEC §9 local update from θ̄ with proximal weight mu (0: fedavg). Writes N_k θ_k and N_k
 * into delta; FC_ENUMERIC when the iterate leaves the floating-point range (a step size
 * too large for the problem: the run ends `diverged`). */
static int local_update(const fc_algo_ctx_t *a, fc_client_t *c, const double *theta_bar, double mu,
                        double *delta, fc_work_t *w)
{
    size_t d = a->d, n = c->data->n;
    double *theta = w->theta;
    local_opt_t o;
    fc_rng_t r;
    if (n == 0 || a->n_total < n)
        return fc_err_set(FC_EINVAL, "%s: client %zu has %zu examples of N = %zu", a->ops->name,
                          c->k, n, a->n_total);
    opt_carve(a, w, &o);
    if (o.perm)
        for (size_t i = 0; i < n; i++)
            o.perm[i] = i;
    fc_rng_seed(&r, a->fd.seed, FEDAVG_STREAM ^ (uint64_t)c->k, (uint64_t)w->round);
    fc_copy(d, theta_bar, theta);
    for (int e = 0; e < a->local_epochs; e++)
        local_epoch(a, c->data, &o, &r, mu, theta_bar, theta, w);
    for (size_t i = 0; i < d; i++)
        if (!isfinite(theta[i]))
            return fc_err_set(FC_ENUMERIC,
                              "%s: the local iterate is not finite after %d epoch(s) "
                              "(algorithm.lr = %g too large?)",
                              a->ops->name, a->local_epochs, a->lr);
    fc_copy(d, theta, c->theta);
    for (size_t i = 0; i < d; i++)
        delta[i] = (double)n * theta[i];
    delta[d] = (double)n;
    return FC_OK;
}

static int fedavg_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                        fc_work_t *w)
{
    return local_update(a, c, state, 0.0, delta, w);
}

static int fedprox_local(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                         fc_work_t *w)
{
    return local_update(a, c, state, a->penalty, delta, w);
}

/* Server (SPEC §9): θ̄ ← Σ_k N_k θ_k / N_part over the participants, whose rows alone are
 * summed (the algorithm has no per-client term, so the host keeps their rows). */
static int fedavg_apply(const fc_algo_ctx_t *a, fc_global_t *g, const double *totals,
                        const fc_oracle_t *oracle)
{
    (void)oracle;
    double n_part = totals[a->d];
    if (!(n_part > 0.0)) return FC_OK; /* nobody took part: θ̄ stays */
    for (size_t i = 0; i < a->d; i++)
        g->m[i] = totals[i] / n_part;
    return FC_OK;
}

#define FEDAVG_KEYS "participation optimizer lr batch_size local_epochs"

const fc_algo_ops_t fc_algo_fedavg_ops = {
    .name = "fedavg",
    .partial_participation = 1,
    .has_sites = 0,
    .uses_family = 0,
    .default_local_steps = 50,
    .schedules = FC_SCHEDULE_BIT(FC_SCHED_SYNC),
    .keys = FEDAVG_KEYS,
    .state_len = fedavg_state_len,
    .delta_len = fedavg_delta_len,
    .wire_len = fedavg_wire_len,
    .pack = fedavg_pack,
    .local = fedavg_local,
    .apply = fedavg_apply,
    .work_len = fedavg_work_len,
};

const fc_algo_ops_t fc_algo_fedprox_ops = {
    .name = "fedprox",
    .partial_participation = 1,
    .has_sites = 0,
    .uses_family = 0,
    .default_local_steps = 50,
    .schedules = FC_SCHEDULE_BIT(FC_SCHED_SYNC),
    .keys = FEDAVG_KEYS " penalty",
    .state_len = fedavg_state_len,
    .delta_len = fedavg_delta_len,
    .wire_len = fedavg_wire_len,
    .pack = fedavg_pack,
    .local = fedprox_local,
    .apply = fedavg_apply,
    .work_len = fedavg_work_len,
};
