/* fc_server.c — the server role: rounds, metrics, stopping, output (SPEC §3-§7). */
#include "fc_server.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fc_la.h"
#include "fc_mem.h"
#include "fc_output.h"
#include "fc_server_async.h"
#include "fc_server_impl.h"

/* Broadcast a command and its payload, then run it (collective). */
int fc_srv_call(server_t *s, int code, int slot, int round, int64_t k, int flags,
                const double *payload, size_t len, double *result)
{
    fc_tp_t *tp = s->env->tp;
    fc_cmd_t cmd = {code, slot, round, flags, k, (int64_t)len};
    int err = fc_tp_bcast(tp, &cmd, sizeof cmd, 0);
    if (!err) err = fc_tp_bcast(tp, (void *)payload, len * sizeof(double), 0);
    if (!err) err = s->env->exec(s->env->exec_ctx, &cmd, payload, result);
    return err;
}

/* F(θ) = δ/2‖θ‖² + Σ_k ℓ_k(θ) (SPEC §1). */
static int objective(server_t *s, const double *theta, double *F)
{
    double sum;
    int err = fc_srv_call(s, FC_CMD_EVAL, FC_SLOT_MAIN, 0, 0, FC_EVAL_LOSS_ONLY, theta, s->d, &sum);
    if (err) return err;
    *F = fc_prior_value(s->ctx, theta) + sum;
    return FC_OK;
}

/* The central algorithm's line-search oracle; counts its payload when it is the run's. */
typedef struct {
    server_t *s;
    int count_bytes;
    int slot;
} oracle_ctx_t;

static int oracle_objective(void *vctx, const double *theta, double *F)
{
    oracle_ctx_t *o = vctx;
    if (o->count_bytes) o->s->bytes += (double)o->s->K * (double)(o->s->d + 1) * sizeof(double);
    return objective(o->s, theta, F);
}

/* [m, the precision of slot a's shape]: the payload of an evaluation under q. */
static size_t vi_payload(server_t *s, const fc_algo_ctx_t *a, const double *m, const double *prec)
{
    size_t nq = fc_vi_prec_len(a);
    fc_copy(s->d, m, s->vi_payload);
    if (nq) fc_copy(nq, prec, s->vi_payload + s->d);
    return s->d + nq;
}

/* SPEC §10: Σ_k E_q[ℓ_k] + δ/2‖θ − μ₀‖² under q = (theta, prec), mc stream round 0 (the central
 * step's draws). */
static int oracle_expected(void *vctx, const double *theta, const double *prec, double *F)
{
    oracle_ctx_t *o = vctx;
    server_t *s = o->s;
    const fc_algo_ctx_t *a = &s->env->ctx[o->slot];
    size_t len = vi_payload(s, a, theta, prec);
    double sum;
    if (o->count_bytes) s->bytes += (double)s->K * (double)(len + 1) * sizeof(double);
    int err = fc_srv_call(s, FC_CMD_EVAL, o->slot, 0, 0, FC_EVAL_LOSS_ONLY | FC_EVAL_EXPECT,
                          s->vi_payload, len, &sum);
    if (err) return err;
    *F = fc_prior_value(a, theta) + sum;
    return FC_OK;
}

/* The metrics' mc round: the same draws every round, so the curves are not mc noise. */
#define VI_METRICS_ROUND 0x7fffffff

/* SPEC §10 under the server's q = (g->m, S⁻¹) of slot `slot`: the summed [E_q ℓ_k,
 * correction², E_q ∇ℓ_k] into s->result, and the ELBO
 *     E_q[log p(D|θ) + log p₀(θ)] + H(q) = −(Σ_k E_q ℓ_k + δ/2(‖m − μ₀‖² + tr S⁻¹))
 *                                         + ½(d(1 + log δ) − log det S)
 * (the likelihood's normalising constants, absent from ℓ, are left out). */
static int vi_measure(server_t *s, int slot, const fc_global_t *g, double *elbo)
{
    const fc_algo_ctx_t *a = &s->env->ctx[slot];
    size_t d = s->d;
    fc_prec_t q;
    fc_global_prec(a, g, &q);
    size_t len = vi_payload(s, a, g->m, a->cov == FC_COV_FULL ? q.L : q.s);
    int err = fc_srv_call(s, FC_CMD_EVAL, slot, VI_METRICS_ROUND, 0, FC_EVAL_EXPECT, s->vi_payload,
                          len, s->result);
    if (err) return err;
    fc_prec_variance(d, &q, s->var, s->var_work);
    double tr = 0.0;
    for (size_t i = 0; i < d; i++)
        tr += s->var[i];
    *elbo = -(s->result[0] + fc_prior_value(a, g->m) + 0.5 * a->delta * tr) +
            0.5 * ((double)d * (1.0 + log(a->delta)) - fc_prec_logdet(d, &q));
    return FC_OK;
}

/* The reference solve of a large model takes a while: say what it will cost before it
 * starts, and report each Newton step. Small ones print one line when they are done. */
#define REFERENCE_VERBOSE_D 500

static void reference_banner(const server_t *s, const fc_algo_ctx_t *a)
{
    if (s->env->quiet || s->env->silent || s->d < REFERENCE_VERBOSE_D) return;
    double d = (double)s->d, mib = (2.0 * d * d + 3.0 * d) * sizeof(double) / 1048576.0;
    printf("reference: θ* by central Newton over all %zu clients (d = %zu; %.3g GiB on the "
           "server for its d x d Hessian and factor, %.3g GFLOP per step for the Cholesky)\n",
           a->K, s->d, mib / 1024.0, d * d * d / 3e9);
    fflush(stdout);
}

static void reference_progress(const server_t *s, int it, double gn, int done)
{
    if (s->env->quiet || s->env->silent || (!done && s->d < REFERENCE_VERBOSE_D)) return;
    printf("reference: %s %3d  grad %.3e  %.2fs\n", done ? "θ* after Newton steps" : "Newton step",
           it, gn, fc_tp_wtime(s->env->tp) - s->t0);
    fflush(stdout);
}

/* θ* by central Newton to the floating-point floor (SPEC §3.5, run.reference), over every
 * client whatever algorithm.participation is (central's row needs them all). */
static int compute_reference(server_t *s)
{
    const fc_algo_ctx_t *a = &s->env->ctx[FC_SLOT_REF];
    oracle_ctx_t oc = {s, 0, FC_SLOT_REF};
    fc_oracle_t oracle = {oracle_objective, oracle_expected, &oc};
    int err = FC_OK;
    double g0 = -1.0;
    reference_banner(s, a);
    for (int it = 0; it < 200; it++) {
        a->ops->pack(a, s->gref, s->state);
        err = fc_srv_call(s, FC_CMD_UPDATE, FC_SLOT_REF, it, 0, 0, s->state, a->ops->state_len(a),
                          s->result);
        if (err) break;
        fc_prior_gradient(a, s->gref->m, s->result + 1, s->grad);
        double gn2 = 0.0; /* summed in order, not by dnrm2: θ* must not move with the BLAS */
        for (size_t i = 0; i < s->d; i++)
            gn2 += s->grad[i] * s->grad[i];
        double gn = sqrt(gn2);
        reference_progress(s, it, gn, 0);
        if (g0 < 0) g0 = gn;
        /* The variational q* also needs its precision at its fixed point (SPEC §10). */
        int settled = a->expect.kind == FC_EXPECT_POINT || s->gref->settled;
        if (gn <= 1e-14 * fmax(1.0, g0) && settled) {
            reference_progress(s, it, gn, 1);
            break;
        }
        err = a->ops->apply(a, s->gref, s->result, &oracle);
        if (err) break;
        if (s->gref->stalled) {
            reference_progress(s, it + 1, gn, 1);
            break;
        }
    }
    if (err) {
        fc_err_prefix("reference solve (central Newton): ");
        return err;
    }
    fc_copy(s->d, s->gref->m, s->theta_star);
    s->have_ref = 1;
    if (a->expect.kind == FC_EXPECT_POINT) return objective(s, s->theta_star, &s->F_star);
    double elbo; /* q*: the objective of a variational run is −ELBO */
    err = vi_measure(s, FC_SLOT_REF, s->gref, &elbo);
    s->F_star = -elbo;
    return err;
}

static void test_metrics(server_t *s, const double *theta, fc_metrics_t *m)
{
    const fc_data_t *t = s->env->test;
    const fc_model_t *model = s->ctx->model;
    m->test_loss = m->test_accuracy = NAN;
    if (!t || t->n == 0) return;
    double loss;
    fc_model_eval(model, t, theta, &loss, NULL, NULL, NULL, s->test_work);
    m->test_loss = loss / (double)t->n;
    if (model->ops->correct)
        m->test_accuracy =
            (double)model->ops->correct(model, t->X, t->y, t->n, theta, s->test_work) /
            (double)t->n;
}

/* SPEC §10: KL(q_t ‖ q*) and the posterior predictive on the test set. */
static void vi_metrics(server_t *s, fc_metrics_t *m)
{
    const fc_algo_ctx_t *a = s->ctx;
    const fc_data_t *t = s->env->test;
    fc_prec_t q, qs;
    fc_global_prec(a, s->g, &q);
    if (s->have_ref && s->gref) {
        fc_global_prec(&s->env->ctx[FC_SLOT_REF], s->gref, &qs);
        m->kl_to_opt = fc_gauss_kl(s->d, s->g->m, &q, s->theta_star, &qs, s->kl_work);
    }
    if (!t || t->n == 0) return;
    double nll, hits;
    fc_vi_predict(&a->expect, a->model, t, s->g->m, &q, VI_METRICS_ROUND, &nll, &hits,
                  s->pred_work);
    m->test_loss_bayes = nll / (double)t->n;
    m->test_accuracy_bayes = hits / (double)t->n;
}

/* Every metric of SPEC §7 at the current mean; for a variational run (SPEC §10) the
 * objective is −ELBO(q_t), its gradient in the mean ∇_m E_q[F], and the KL and predictive
 * columns are filled. */
int fc_srv_measure(server_t *s, int round, fc_metrics_t *m)
{
    size_t d = s->d;
    const double *theta = s->g->m;
    int vi = s->ctx->expect.kind != FC_EXPECT_POINT, err;
    double elbo = NAN;
    m->kl_to_opt = m->elbo = m->test_loss_bayes = m->test_accuracy_bayes = NAN;
    if (vi)
        err = vi_measure(s, FC_SLOT_MAIN, s->g, &elbo);
    else
        err = fc_srv_call(s, FC_CMD_EVAL, FC_SLOT_MAIN, round, 0, 0, theta, d, s->result);
    if (err) return err;
    fc_prior_gradient(s->ctx, theta, s->result + 2, s->grad);
    m->round = round;
    m->objective = vi ? -elbo : fc_prior_value(s->ctx, theta) + s->result[0];
    m->elbo = elbo;
    m->grad_norm = fc_nrm2(d, s->grad);
    m->correction = s->ctx->ops->has_sites ? sqrt(s->result[1]) : NAN;
    m->dist_to_opt = NAN;
    if (s->have_ref) {
        double dd = 0.0;
        for (size_t i = 0; i < d; i++)
            dd += (theta[i] - s->theta_star[i]) * (theta[i] - s->theta_star[i]);
        m->dist_to_opt = sqrt(dd);
    }
    test_metrics(s, theta, m);
    if (vi) vi_metrics(s, m);
    m->bytes = s->bytes;
    m->seconds = fc_tp_wtime(s->env->tp) - s->t0;
    return FC_OK;
}

/* One client update and its application (the sequential schedule's step): the totals are
 * the server's sums plus that client's delta. */
static int update_one(server_t *s, int round, size_t k, const fc_oracle_t *oracle)
{
    const fc_algo_ctx_t *a = s->ctx;
    size_t sl = a->ops->state_len(a), dl = a->ops->delta_len(a);
    a->ops->pack(a, s->g, s->state);
    int err = fc_srv_call(s, FC_CMD_UPDATE_ONE, FC_SLOT_MAIN, round, (int64_t)k, 0, s->state, sl,
                          s->result);
    if (err) return err;
    s->bytes += (double)fc_algo_wire_len(a) * sizeof(double);
    fc_global_sums(a, s->g, s->state);
    fc_axpy(dl, 1.0, s->result, s->state);
    return a->ops->apply(a, s->g, s->state, oracle);
}

/* One round (SPEC §3): synchronous — every participant from the same state, one sum;
 * sequential — participants one after another, the posterior refreshed after each. */
static int one_round(server_t *s, int round)
{
    const fc_algo_ctx_t *a = s->ctx;
    const fc_config_t *c = s->env->cfg;
    oracle_ctx_t oc = {s, 1, FC_SLOT_MAIN};
    fc_oracle_t oracle = {oracle_objective, oracle_expected, &oc};
    fc_participants(s->K, a->ops->partial_participation ? c->algorithm.participation : 1.0,
                    c->run.seed, round, s->mask);
    if (c->algorithm.schedule == FC_SCHED_ASYNC) return fc_srv_async_round(s, round);
    if (c->algorithm.schedule == FC_SCHED_SEQ) {
        for (size_t k = 0; k < s->K; k++) {
            if (!s->mask[k]) continue;
            int err = update_one(s, round, k, &oracle);
            if (err) return err;
        }
        return FC_OK;
    }
    size_t sl = a->ops->state_len(a), n = 0;
    for (size_t k = 0; k < s->K; k++)
        n += s->mask[k];
    a->ops->pack(a, s->g, s->state);
    int err = fc_srv_call(s, FC_CMD_UPDATE, FC_SLOT_MAIN, round, 0, 0, s->state, sl, s->result);
    if (err) return err;
    s->bytes += (double)n * (double)fc_algo_wire_len(a) * sizeof(double);
    return a->ops->apply(a, s->g, s->result, &oracle);
}

static void progress(const server_t *s, const fc_metrics_t *m)
{
    if (s->env->quiet || s->env->silent) return;
    printf("round %5d  objective %.12e  grad %.3e", m->round, m->objective, m->grad_norm);
    if (!isnan(m->dist_to_opt)) printf("  dist %.3e", m->dist_to_opt);
    if (!isnan(m->correction)) printf("  corr %.3e", m->correction);
    if (!isnan(m->test_accuracy)) printf("  acc %.4f", m->test_accuracy);
    fc_srv_async_progress(s, stdout);
    if (!isnan(m->kl_to_opt)) printf("  kl %.3e", m->kl_to_opt);
    if (!isnan(m->elbo)) printf("  elbo %.9e", m->elbo);
    if (!isnan(m->test_loss_bayes)) printf("  bayes_loss %.4f", m->test_loss_bayes);
    if (!isnan(m->test_accuracy_bayes)) printf("  bayes_acc %.4f", m->test_accuracy_bayes);
    printf("  %.2fs\n", m->seconds);
    fflush(stdout);
}

/* SPEC §6: diverged on a non-finite objective, or ‖m‖ or the gap above run.divergence.
 * Any other metric that overflowed (the correction sums squares) also counts as
 * non-finite: a row never holds Inf or NaN. NaN means "does not apply" for optional ones. */
static const char *divergence(const server_t *s, const fc_metrics_t *m)
{
    double limit = s->env->cfg->run.divergence;
    if (!isfinite(m->objective) || !isfinite(m->grad_norm)) return "non-finite objective";
    if (isinf(m->correction) || isinf(m->dist_to_opt) || isinf(m->test_loss))
        return "non-finite metric (the state overflowed)";
    if (fc_nrm2(s->d, s->g->m) > limit) return "mean norm above run.divergence";
    if (s->have_ref && m->objective - s->F_star > limit)
        return "objective gap above run.divergence";
    return NULL;
}

/* The stability verdict of the rows so far (fc_stability.h): the objective gap, or ‖∇F‖
 * without a reference, with ‖∇F‖ against the run's tolerance. */
static void assess(const server_t *s, const char *status, const char *why, fc_stability_t *st)
{
    double *value = NULL, *grad = NULL;
    size_t n = s->nrows;
    memset(st, 0, sizeof *st);
    st->verdict = FC_VERDICT_STALLED;
    st->rate = st->amplitude = st->projected_rounds = NAN;
    st->period = -1;
    if (fc_alloc(n ? n : 1, sizeof(double), &value) || fc_alloc(n ? n : 1, sizeof(double), &grad)) {
        snprintf(st->reason, sizeof st->reason, "out of memory for the verdict");
    } else {
        for (size_t i = 0; i < n; i++) {
            grad[i] = s->rows[i].grad_norm;
            value[i] = s->have_ref ? s->rows[i].objective - s->F_star : grad[i];
        }
        int diverged = strcmp(status, "diverged") == 0;
        fc_stability_input_t in = {n,
                                   value,
                                   grad,
                                   s->gtol,
                                   s->have_ref ? 64.0 * DBL_EPSILON * fmax(1.0, fabs(s->F_star))
                                               : NAN,
                                   strcmp(status, "converged") == 0,
                                   diverged ? (why ? why : "diverged") : NULL};
        if (fc_stability_assess(&in, st))
            snprintf(st->reason, sizeof st->reason, "%s", fc_err_msg());
    }
    fc_free(&value);
    fc_free(&grad);
}

static int server_alloc(server_t *s)
{
    int err;
    const fc_algo_ctx_t *ctx = s->env->ctx;
    size_t big = 0;
    for (int i = 0; i < FC_NSLOTS; i++) {
        if (!ctx[i].ops) continue; /* slot unused (no reference solve) */
        size_t sl = ctx[i].ops->state_len(&ctx[i]), dl = ctx[i].ops->delta_len(&ctx[i]);
        big = sl > big ? sl : big;
        big = dl > big ? dl : big;
    }
    big = big > s->d + 2 ? big : s->d + 2;
    FC_CALL(fc_global_create(&ctx[FC_SLOT_MAIN], &s->g));
    if (ctx[FC_SLOT_REF].ops) FC_CALL(fc_global_create(&ctx[FC_SLOT_REF], &s->gref));
    FC_CALL(fc_calloc(big, sizeof(double), &s->state));
    FC_CALL(fc_calloc(big, sizeof(double), &s->result));
    FC_CALL(fc_calloc(s->d, sizeof(double), &s->grad));
    FC_CALL(fc_calloc(s->d, sizeof(double), &s->theta_star));
    FC_CALL(fc_calloc(s->d, sizeof(double), &s->m_good));
    FC_CALL(fc_calloc(s->K, 1, &s->mask));
    if (s->env->test)
        FC_CALL(fc_alloc(s->ctx->model->ops->work_size(s->ctx->model, s->env->test->n),
                         sizeof(double), &s->test_work));
    FC_CALL(fc_calloc(s->d, sizeof(double), &s->var));
    if (ctx[FC_SLOT_MAIN].cov == FC_COV_FULL || ctx[FC_SLOT_REF].cov == FC_COV_FULL)
        FC_CALL(fc_calloc(s->d * s->d, sizeof(double), &s->var_work));
    if (ctx[FC_SLOT_MAIN].expect.kind != FC_EXPECT_POINT) {
        FC_CALL(fc_calloc(s->d + s->d * s->d, sizeof(double), &s->vi_payload));
        FC_CALL(fc_calloc(fc_gauss_kl_work(s->d), sizeof(double), &s->kl_work));
        if (s->env->test)
            FC_CALL(fc_calloc(fc_vi_work_len(&s->ctx->expect, s->ctx->model, s->env->test->n),
                              sizeof(double), &s->pred_work));
    }
cleanup:
    return err;
}

static void server_free(server_t *s)
{
    fc_global_destroy(&s->g);
    fc_global_destroy(&s->gref);
    fc_free(&s->state);
    fc_free(&s->result);
    fc_free(&s->grad);
    fc_free(&s->theta_star);
    fc_free(&s->m_good);
    fc_free(&s->rows);
    fc_free(&s->mask);
    fc_free(&s->test_work);
    fc_free(&s->vi_payload);
    fc_free(&s->kl_work);
    fc_free(&s->var);
    fc_free(&s->var_work);
    fc_free(&s->pred_work);
    fc_output_close(&s->out);
    fc_srv_async_destroy(s);
}

/* Write mean.txt and summary.json for the rows so far. */
static int finish(server_t *s, const fc_metrics_t *last, const char *status, const char *why,
                  fc_run_result_t *r)
{
    const fc_config_t *c = s->env->cfg;
    fc_summary_t sum = {0};
    sum.status = status;
    sum.reason = why;
    sum.rounds = last->round;
    sum.final = *last;
    sum.theta_star_objective = s->have_ref ? s->F_star : NAN;
    sum.wall_seconds = fc_tp_wtime(s->env->tp) - s->t0;
    sum.ranks = fc_tp_size(s->env->tp);
    sum.clients = s->K;
    sum.parameters = s->d;
    assess(s, status, why, &r->stability);
    sum.stability = &r->stability;
    sum.radius = r->radius;
    snprintf(r->status, sizeof r->status, "%s", status);
    snprintf(r->reason, sizeof r->reason, "%s", why ? why : "");
    r->rounds = last->round;
    r->objective_gap = s->have_ref ? last->objective - s->F_star : NAN;
    r->correction = last->correction;
    int err = fc_output_mean(s->env->out_dir, s->d, s->m_good);
    /* SPEC §10: diag(S⁻¹) of the final server posterior (iso and algorithms without a
     * precision: 1/δ). */
    fc_prec_t q;
    fc_global_prec(s->ctx, s->g, &q);
    fc_prec_variance(s->d, &q, s->var, s->var_work);
    if (!err) err = fc_output_variance(s->env->out_dir, s->d, s->var);
    if (!err) err = fc_output_summary(s->env->out_dir, c, &sum);
    return err;
}

/* Keep a written row (for the trend and for checkpoints). */
static int keep_row(server_t *s, const fc_metrics_t *m)
{
    if (s->nrows == s->rows_cap) {
        size_t cap = s->rows_cap ? 2 * s->rows_cap : 64;
        int err = fc_realloc(&s->rows, cap, sizeof *s->rows);
        if (err) return err;
        s->rows_cap = cap;
    }
    s->rows[s->nrows++] = *m;
    return FC_OK;
}

/* Measure round t and decide (SPEC §6): divergence first, then convergence. Writes the
 * row unless the round diverged. *stop: 1 when the run ends here. */
static int record(server_t *s, int t, const char **status, const char **why, int *stop,
                  fc_run_result_t *r)
{
    fc_metrics_t m;
    int err = fc_srv_measure(s, t, &m);
    if (err) return err;
    if (t == 0) s->gtol = s->env->cfg->run.tol * fmax(1.0, m.grad_norm);
    *why = divergence(s, &m);
    if (*why) {
        *status = "diverged";
        *stop = 1;
        return s->nrows ? FC_OK : keep_row(s, &m); /* round 0: nothing better to report */
    }
    if ((err = fc_output_row(s->out, &m)) || (err = keep_row(s, &m))) return err;
    progress(s, &m);
    fc_copy(s->d, s->g->m, s->m_good);
    if (m.grad_norm <= s->gtol) {
        *status = "converged";
        r->rounds_to_tol = t;
        *stop = 1;
    } else if (t >= s->env->cfg->run.rounds) {
        *stop = 1;
    }
    return FC_OK;
}

/* The rounds: record round t, checkpoint, update to round t+1. */
static int run_rounds(server_t *s, int start, fc_run_result_t *r)
{
    const fc_config_t *c = s->env->cfg;
    const char *status = "max_rounds", *why = NULL;
    int err = FC_OK, stop = 0, every = c->output.checkpoint_every;
    char reason[512];
    if (start == 0)
        err = record(s, 0, &status, &why, &stop, r);
    else
        stop = start >= c->run.rounds;
    for (int t = start; !err && !stop; t++) {
        if (every > 0 && t > start && t % every == 0) err = fc_srv_checkpoint_save(s, t);
        if (err) break;
        err = one_round(s, t + 1);
        if (err == FC_ENOTSPD || err == FC_ENUMERIC) {
            snprintf(reason, sizeof reason, "round %d: %s", t + 1, fc_err_msg());
            status = "diverged";
            why = reason;
            err = FC_OK;
            break;
        }
        if (!err) err = record(s, t + 1, &status, &why, &stop, r);
    }
    if (err) return err;
    const fc_metrics_t *last = &s->rows[s->nrows - 1];
    r->radius = NAN;
    if (fc_srv_radius_applies(s)) {
        /* A round that fails near θ* (an overflow) leaves the radius unknown, not the run. */
        int rerr = fc_srv_radius(s, &r->radius);
        if (rerr == FC_ENUMERIC || rerr == FC_ENOTSPD)
            r->radius = NAN;
        else if (rerr)
            return rerr;
    }
    if (!s->env->silent) { /* even with --quiet: how the run ended, and why */
        printf("status %s%s%s after %d rounds", status, why ? ": " : "", why ? why : "",
               last->round);
        if (!isnan(r->radius)) printf(" (round map's linearised radius at θ*: %.6f)", r->radius);
        printf("\n");
        fflush(stdout);
    }
    err = finish(s, last, status, why, r);
    if (err) return err;
    r->exit_status = strcmp(status, "diverged") == 0 ? FC_EXIT_DIVERGED : FC_EXIT_DONE;
    return FC_OK;
}

static void server_init(server_t *s, const fc_server_env_t *env)
{
    s->env = env;
    s->ctx = &env->ctx[FC_SLOT_MAIN];
    s->d = s->ctx->d;
    s->K = s->ctx->K;
    s->t0 = fc_tp_wtime(env->tp);
}

int fc_server_run(const fc_server_env_t *env, fc_run_result_t *r)
{
    server_t s = {0};
    int err;
    server_init(&s, env);
    memset(r, 0, sizeof *r);
    r->exit_status = FC_EXIT_INTERNAL;
    r->rounds_to_tol = -1;
    r->objective_gap = r->correction = r->radius = NAN;
    snprintf(r->status, sizeof r->status, "error");
    int start = 0;
    FC_CALL(server_alloc(&s));
    if (env->cfg->run.resume) {
        FC_CALL(fc_srv_checkpoint_restore(&s, &start, r));
    } else {
        FC_CALL(fc_output_open(env->out_dir, &s.out));
        if (env->cfg->run.reference) FC_CALL(compute_reference(&s));
    }
    FC_CALL(run_rounds(&s, start, r));
cleanup:
    if (err) {
        fprintf(stderr, "fedpc: %s\n", fc_err_msg());
        fc_err_trace_dump(stderr);
        r->exit_status = fc_exit_status(err);
    }
    server_free(&s);
    /* Release the client ranks with the exit status, whatever happened. */
    int berr = fc_server_release(env, r->exit_status);
    return err ? err : berr;
}

int fc_server_release(const fc_server_env_t *env, int exit_status)
{
    fc_cmd_t done = {FC_CMD_DONE, 0, exit_status, 0, 0, 0};
    return fc_tp_bcast(env->tp, &done, sizeof done, 0);
}

int fc_server_create(const fc_server_env_t *env, fc_server_t **out)
{
    int err;
    server_t *s = NULL;
    *out = NULL;
    FC_CALL(fc_calloc(1, sizeof *s, &s));
    server_init(s, env);
    FC_CALL(server_alloc(s));
    *out = s;
    return FC_OK;
cleanup:
    fc_server_destroy(&s);
    return err;
}

void fc_server_destroy(fc_server_t **ps)
{
    if (!ps || !*ps) return;
    server_free(*ps);
    fc_free(ps);
}

int fc_server_reference(fc_server_t *s)
{
    if (!s->gref) return fc_err_set(FC_EINVAL, "no reference slot (run.reference = false)");
    return compute_reference(s);
}

int fc_server_round(fc_server_t *s, int t)
{
    return one_round(s, t);
}

int fc_server_measure(fc_server_t *s, int t, fc_metrics_t *m)
{
    return fc_srv_measure(s, t, m);
}

const double *fc_server_mean(const fc_server_t *s)
{
    return s->g->m;
}

const double *fc_server_theta_star(const fc_server_t *s)
{
    return s->have_ref ? s->theta_star : NULL;
}

int fc_server_radius(fc_server_t *s, double *radius)
{
    *radius = NAN;
    return fc_srv_radius_applies(s) ? fc_srv_radius(s, radius) : FC_OK;
}

const fc_global_t *fc_server_global(const fc_server_t *s)
{
    return s->g;
}

const fc_global_t *fc_server_reference_global(const fc_server_t *s)
{
    return s->gref;
}

int fc_server_stalled(const fc_server_t *s)
{
    return s->g->stalled;
}
