/* fc_host.c — the client role: local updates and metric contributions for the clients
 * of this rank, computed first, then added in client order along the transport's chain. */
#include "fc_host.h"

#include <stdio.h>
#include <string.h>

#include "fc_host_async.h"
#include "fc_la.h"
#include "fc_mem.h"

struct fc_host {
    fc_tp_t *tp;
    fc_algo_ctx_t ctx[FC_NSLOTS];
    size_t lo, hi;        /* hosted clients [lo, hi) */
    fc_client_t **client; /* hi − lo */
    fc_work_t *work;
    uint64_t seed;
    double participation;
    unsigned char *mask; /* K participation flags */
    double *rows;        /* per-client result rows, for commands that keep them (lazy) */
    size_t rows_cap, stride;
    double *one; /* one client's delta or contribution (the main slot's delta_len) */
    double *acc; /* serving ranks' running sum on the chain */
    size_t acc_cap;
    size_t state_len; /* one client's checkpoint state */
    double *payload;  /* serving ranks' copy of the broadcast payload */
    size_t payload_cap;
    /* The command being summed (for the chain callback). */
    const fc_cmd_t *cur;
    size_t cur_len;
    fc_host_async_t *async; /* the asynchronous schedule's state (created on first use) */
};

size_t fc_host_result_len(const fc_algo_ctx_t *ctx, const fc_cmd_t *cmd)
{
    const fc_algo_ctx_t *a = &ctx[cmd->slot];
    switch (cmd->code) {
    case FC_CMD_UPDATE:
    case FC_CMD_UPDATE_ONE:
    case FC_CMD_FIXED_POINT:
    case FC_CMD_SUM:
        return a->ops->delta_len(a);
    case FC_CMD_EVAL:
        return cmd->flags & FC_EVAL_LOSS_ONLY ? 1 : 2 + a->d;
    case FC_CMD_STATE_GET:
        return a->K * fc_client_state_len(a);
    case FC_CMD_ASYNC_ONE:
    case FC_CMD_ASYNC_STATE_GET:
        return fc_host_async_result_len(a, cmd);
    default:
        return 0;
    }
}

static size_t max_result_len(const fc_algo_ctx_t ctx[FC_NSLOTS])
{
    size_t best = 0;
    for (int s = 0; s < FC_NSLOTS; s++) {
        if (!ctx[s].ops) continue; /* slot unused (no reference solve) */
        fc_cmd_t up = {.code = FC_CMD_UPDATE, .slot = s}, ev = {.code = FC_CMD_EVAL, .slot = s};
        size_t a = fc_host_result_len(ctx, &up), b = fc_host_result_len(ctx, &ev);
        if (a > best) best = a;
        if (b > best) best = b;
    }
    return best;
}

int fc_host_create(fc_tp_t *tp, const fc_algo_ctx_t ctx[FC_NSLOTS], const fc_shards_t *shards,
                   uint64_t seed, double participation, fc_host_t **out)
{
    int err;
    fc_host_t *h = NULL;
    size_t n = shards->hi - shards->lo, K = ctx[FC_SLOT_MAIN].K;
    *out = NULL;
    FC_CALL(fc_calloc(1, sizeof *h, &h));
    h->tp = tp;
    memcpy(h->ctx, ctx, sizeof h->ctx);
    h->lo = shards->lo;
    h->hi = shards->hi;
    h->seed = seed;
    h->participation = participation;
    FC_CALL(fc_calloc(n, sizeof *h->client, &h->client));
    for (size_t i = 0; i < n; i++)
        FC_CALL(fc_client_create(&ctx[FC_SLOT_MAIN], h->lo + i, shards->block[i], &h->client[i]));
    FC_CALL(fc_work_create(&ctx[FC_SLOT_MAIN], shards->max_n, &h->work));
    FC_CALL(fc_calloc(K, 1, &h->mask));
    h->state_len = fc_client_state_len(&ctx[FC_SLOT_MAIN]);
    FC_CALL(
        fc_calloc(ctx[FC_SLOT_MAIN].ops->delta_len(&ctx[FC_SLOT_MAIN]), sizeof(double), &h->one));
    h->acc_cap = max_result_len(ctx);
    FC_CALL(fc_calloc(h->acc_cap, sizeof(double), &h->acc));
    *out = h;
    return FC_OK;
cleanup:
    fc_host_destroy(&h);
    return err;
}

void fc_host_destroy(fc_host_t **ph)
{
    fc_host_t *h = ph ? *ph : NULL;
    if (!h) return;
    if (h->client)
        for (size_t i = 0; i < h->hi - h->lo; i++)
            fc_client_destroy(&h->client[i]);
    fc_free(&h->client);
    fc_work_destroy(&h->work);
    fc_free(&h->mask);
    fc_free(&h->rows);
    fc_free(&h->one);
    fc_free(&h->acc);
    fc_free(&h->payload);
    fc_host_async_destroy(&h->async);
    fc_free(ph);
}

/* Does client k take part in this command? */
static int takes_part(const fc_host_t *h, const fc_cmd_t *cmd, size_t k)
{
    switch (cmd->code) {
    case FC_CMD_UPDATE:
        return h->mask[k];
    case FC_CMD_UPDATE_ONE:
        return (int64_t)k == cmd->k;
    default:
        return 1;
    }
}

/* Does this command keep one result row per hosted client until the running sum reaches
 * the rank? Evaluations and central's updates do; a synchronous update of sites or duals
 * does not (the sum takes each client's current term, SPEC §2 (D)), nor a sequential step
 * (one client, one row). */
static int keeps_rows(const fc_host_t *h, const fc_cmd_t *cmd)
{
    const fc_algo_ctx_t *a = &h->ctx[cmd->slot];
    return cmd->code == FC_CMD_EVAL || (cmd->code == FC_CMD_UPDATE && !a->ops->contribution);
}

/* Rows for this command: grown on demand, and given back once a smaller command follows
 * (the reference solve's d×d rows are not kept through the run). */
static int ensure_rows(fc_host_t *h, size_t stride)
{
    size_t n = h->hi - h->lo, need = n * stride;
    h->stride = stride;
    if (need <= h->rows_cap && 4 * need >= h->rows_cap) return FC_OK;
    fc_free(&h->rows);
    h->rows_cap = 0;
    int err = fc_alloc(need ? need : 1, sizeof(double), &h->rows);
    if (!err) h->rows_cap = need;
    return err;
}

static int run_client(fc_host_t *h, const fc_cmd_t *cmd, const double *payload, size_t i)
{
    const fc_algo_ctx_t *a = &h->ctx[cmd->slot];
    fc_client_t *c = h->client[i];
    double *res = keeps_rows(h, cmd) ? h->rows + i * h->stride : h->one;
    if (cmd->code == FC_CMD_SUM) return FC_OK;
    if (cmd->code == FC_CMD_FIXED_POINT) {
        a->ops->fixed_point(a, c, payload, h->work);
        return FC_OK;
    }
    if (cmd->code == FC_CMD_EVAL) {
        if (cmd->flags & FC_EVAL_LOSS_ONLY) {
            res[0] = fc_client_loss(a, c, payload, h->work);
            return FC_OK;
        }
        if (cmd->flags & FC_EVAL_EXPECT) {
            fc_prec_t q = {a->cov, payload + a->d, payload + a->d, a->delta};
            fc_client_metrics_vi(a, c, payload, &q, res, h->work);
            return FC_OK;
        }
        fc_client_metrics(a, c, a->ops->has_sites, payload, res, NULL, h->work);
        return FC_OK;
    }
    fc_work_set_round(h->work, cmd->round); /* per-round streams: mc draws, fedavg shuffles */
    return a->ops->local(a, c, payload, res, h->work);
}

/* Chain callback: add this rank's terms to the running sum, in client order. */
static void add_results(void *ctx, double *acc)
{
    fc_host_t *h = ctx;
    const fc_cmd_t *cmd = h->cur;
    const fc_algo_ctx_t *a = &h->ctx[cmd->slot];
    for (size_t i = 0; i < h->hi - h->lo; i++) {
        size_t k = h->lo + i;
        if (keeps_rows(h, cmd)) {
            if (takes_part(h, cmd, k)) fc_axpy(h->cur_len, 1.0, h->rows + i * h->stride, acc);
        } else if (cmd->code != FC_CMD_UPDATE_ONE) { /* every client's current term */
            a->ops->contribution(a, h->client[i], h->one);
            fc_axpy(h->cur_len, 1.0, h->one, acc);
        } else if (takes_part(h, cmd, k)) { /* the sequential step's one delta */
            fc_axpy(h->cur_len, 1.0, h->one, acc);
        }
    }
}

/* FC_CMD_STATE_GET / PUT: every client's checkpoint state moves between rank 0 and the
 * rank that hosts it by one gather or scatter in client order, straight from and into the
 * clients' own arrays: a serving rank holds no copy of any state. */
static int state_pieces(fc_host_t *h, fc_tp_piece_t **out, size_t *n)
{
    size_t nc = h->hi - h->lo, cap = nc * FC_CLIENT_STATE_PIECES, k = 0;
    fc_tp_piece_t *pc = NULL;
    int err = fc_calloc(cap ? cap : 1, sizeof *pc, &pc);
    for (size_t i = 0; !err && i < nc; i++) {
        double *ptr[FC_CLIENT_STATE_PIECES];
        size_t len[FC_CLIENT_STATE_PIECES];
        size_t m = fc_client_state_pieces(&h->ctx[FC_SLOT_MAIN], h->client[i], ptr, len);
        for (size_t j = 0; j < m; j++)
            pc[k++] = (fc_tp_piece_t){ptr[j], len[j]};
    }
    if (err) fc_err_prefix("rank %d, checkpoint state: ", fc_tp_rank(h->tp));
    *out = pc;
    *n = k;
    return fc_tp_agree(h->tp, err); /* nobody enters the collective alone */
}

static int state_get(fc_host_t *h, double *result)
{
    fc_tp_piece_t *pc = NULL;
    size_t n = 0;
    int err = state_pieces(h, &pc, &n);
    if (!err) err = fc_tp_gather_pieces(h->tp, n, pc, h->state_len, result, 0);
    fc_free(&pc);
    return err;
}

/* payload: every client's state on rank 0 (unused elsewhere). */
static int state_put(fc_host_t *h, const double *payload)
{
    fc_tp_piece_t *pc = NULL;
    size_t n = 0;
    int err = state_pieces(h, &pc, &n);
    if (err) return err;
    err = fc_tp_scatter_pieces(h->tp, payload, n, pc, h->state_len, 0);
    fc_free(&pc);
    return fc_tp_agree(h->tp, err);
}

int fc_host_execute(void *host, const fc_cmd_t *cmd, const double *payload, double *result)
{
    fc_host_t *h = host;
    if (cmd->code == FC_CMD_STATE_GET) return state_get(h, result);
    if (cmd->code == FC_CMD_STATE_PUT) return state_put(h, payload);
    if (cmd->code > FC_CMD_DONE) { /* the asynchronous schedule (SPEC §11) */
        fc_host_view_t v = {h->tp,   &h->ctx[FC_SLOT_MAIN], h->lo, h->hi, h->client, h->work,
                            h->seed, h->participation};
        return fc_host_async_execute(&v, &h->async, cmd, payload, result);
    }
    int err = FC_OK;
    size_t failed = 0;
    if (cmd->code == FC_CMD_UPDATE) {
        /* The reference (central) and any algorithm that needs every client ignore
         * algorithm.participation (SPEC §3.5: θ* is over all the data). */
        const fc_algo_ops_t *ops = h->ctx[cmd->slot].ops;
        fc_participants(h->ctx[FC_SLOT_MAIN].K, ops->partial_participation ? h->participation : 1.0,
                        h->seed, cmd->round, h->mask);
    }
    if (keeps_rows(h, cmd)) err = ensure_rows(h, fc_host_result_len(h->ctx, cmd));
    for (size_t i = 0; i < h->hi - h->lo && !err; i++)
        if (takes_part(h, cmd, h->lo + i)) {
            err = run_client(h, cmd, payload, i);
            failed = h->lo + i;
        }
    /* The server reports every failure (a diverging update is an outcome, anything else an
     * error): the lowest failing rank's message, naming it and the client, goes to all. */
    if (err) fc_err_prefix("rank %d, client %zu: ", fc_tp_rank(h->tp), failed);
    int agreed = fc_tp_agree(h->tp, err);
    if (agreed) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", err ? fc_err_msg() : "");
        int serr = fc_tp_share_message(h->tp, err != 0, msg, sizeof msg);
        if (serr) return serr;
        fc_err_set(agreed, "%s", msg);
        return agreed;
    }
    h->cur = cmd;
    h->cur_len = fc_host_result_len(h->ctx, cmd);
    return fc_tp_chain_sum(h->tp, result, h->cur_len, add_results, h);
}

/* An unrecoverable state on a serving rank: say which rank, then end the whole job. */
static void serve_abort(fc_host_t *h, const char *what)
{
    fprintf(stderr, "fedpc: rank %d: %s: %s\n", fc_tp_rank(h->tp), what, fc_err_msg());
    fc_tp_abort(h->tp, FC_EXIT_INTERNAL);
}

static double *grow(fc_host_t *h, double **buf, size_t *cap, size_t n)
{
    if (n > *cap) {
        if (fc_realloc(buf, n, sizeof(double))) serve_abort(h, "allocating a command buffer");
        *cap = n;
    }
    return *buf;
}

int fc_host_serve(fc_host_t *h)
{
    for (;;) {
        fc_cmd_t cmd;
        if (fc_tp_bcast(h->tp, &cmd, sizeof cmd, 0)) serve_abort(h, "receiving a command");
        if (cmd.code == FC_CMD_DONE) return cmd.round;
        grow(h, &h->payload, &h->payload_cap, (size_t)cmd.len);
        if (fc_tp_bcast(h->tp, h->payload, (size_t)cmd.len * sizeof(double), 0))
            serve_abort(h, "receiving a payload");
        /* A state gather lands on rank 0 only: no room for it here. */
        if (cmd.code != FC_CMD_STATE_GET && cmd.code != FC_CMD_ASYNC_STATE_GET)
            grow(h, &h->acc, &h->acc_cap, fc_host_result_len(h->ctx, &cmd));
        /* The outcome is the server's to judge: it always follows with another command.
         * Only a broken transport ends the job from here. */
        if (fc_host_execute(h, &cmd, h->payload, h->acc) == FC_EMPI)
            serve_abort(h, "in a collective");
    }
}
