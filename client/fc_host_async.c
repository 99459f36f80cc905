/* fc_host_async.c — the client role of the asynchronous schedule (SPEC §11).
 *
 * A client's update is computed against a version v of the posterior it received, with its
 * own current site in the cavity: v contains the client's site as it was then, and only the
 * client changes its site, so the cavity S_v − H_k is the exact leave-one-out of v however
 * many versions have passed since. In real timing a rank's clients take turns, each against
 * the newest version the rank has received (the answer to its last update); in the
 * server-driven modes (replay, one rank) the server hands each client the version its next
 * update uses, and the client holds it until then. Before an update the client's state is backed
 * up; the server's answer then says what became of it: applied (factor 1), applied with inverse
 * staleness damping (factor 1/(1+s): the site moves by factor × its damped change, as the server's
 * sums do), dropped (factor 0: the backup is restored), or not answered at the end of a round (the
 * backup is restored and the update is computed again, identically, next round). */
#include "fc_host_async.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fc_async_proto.h"
#include "fc_la.h"
#include "fc_mem.h"

struct fc_host_async {
    size_t nc, held_len, sl, dl;
    double *held;      /* nc blocks of held_len: [version, updates, state] */
    double *rank_held; /* real timing: the newest version this rank received (a block) */
    double *backup;    /* the state of the client whose update is out (client_state_len) */
    double *metrics;   /* 2 + d */
    double *up;        /* FC_UP_HEAD + dl */
    double *down;      /* FC_DOWN_HEAD + sl */
    unsigned char *mask;
    size_t cursor;     /* real timing: whose turn is next on this rank */
    double next_delay; /* real timing: seconds before the next update goes up */
};

size_t fc_async_held_len(const fc_algo_ctx_t *a)
{
    return FC_HELD_HEAD + a->ops->state_len(a);
}

size_t fc_host_async_result_len(const fc_algo_ctx_t *a, const fc_cmd_t *cmd)
{
    if (cmd->code == FC_CMD_ASYNC_ONE) return FC_ONE_HEAD + a->ops->delta_len(a);
    if (cmd->code == FC_CMD_ASYNC_STATE_GET) return a->K * fc_async_held_len(a);
    return 0;
}

void fc_host_async_destroy(fc_host_async_t **pas)
{
    fc_host_async_t *as = pas ? *pas : NULL;
    if (!as) return;
    fc_free(&as->held);
    fc_free(&as->rank_held);
    fc_free(&as->backup);
    fc_free(&as->metrics);
    fc_free(&as->up);
    fc_free(&as->down);
    fc_free(&as->mask);
    fc_free(pas);
}

static int async_create(const fc_host_view_t *v, fc_host_async_t **out)
{
    int err;
    const fc_algo_ctx_t *a = v->ctx;
    fc_host_async_t *as = NULL;
    FC_CALL(fc_calloc(1, sizeof *as, &as));
    as->nc = v->hi - v->lo;
    as->sl = a->ops->state_len(a);
    as->dl = a->ops->delta_len(a);
    as->held_len = fc_async_held_len(a);
    FC_CALL(fc_calloc(as->nc ? as->nc * as->held_len : 1, sizeof(double), &as->held));
    for (size_t i = 0; i < as->nc; i++)
        as->held[i * as->held_len] = -1.0; /* not joined */
    FC_CALL(fc_calloc(as->held_len, sizeof(double), &as->rank_held));
    as->rank_held[0] = -1.0;
    FC_CALL(fc_calloc(fc_client_state_len(a), sizeof(double), &as->backup));
    FC_CALL(fc_calloc(2 + a->d, sizeof(double), &as->metrics));
    FC_CALL(fc_calloc(FC_UP_HEAD + as->dl, sizeof(double), &as->up));
    FC_CALL(fc_calloc(FC_DOWN_HEAD + as->sl, sizeof(double), &as->down));
    FC_CALL(fc_calloc(a->K, 1, &as->mask));
    *out = as;
    return FC_OK;
cleanup:
    fc_host_async_destroy(&as);
    return err;
}

static double *held_block(fc_host_async_t *as, size_t i)
{
    return as->held + i * as->held_len;
}

/* Client i's update against the version in block hb ([version, updates, state]): out =
 * [version used, ℓ_k, corr², delta] at that mean, the client's state backed up first. */
static int compute(const fc_host_view_t *v, fc_host_async_t *as, size_t i, const double *hb,
                   double *out)
{
    const fc_algo_ctx_t *a = v->ctx;
    fc_client_t *c = v->client[i];
    const double *state = hb + FC_HELD_HEAD;
    if (hb[0] < 0)
        return fc_err_set(FC_EINVAL, "client %zu has no version of the posterior yet", c->k);
    fc_client_metrics(a, c, 1, state, as->metrics, NULL, v->work);
    out[0] = hb[0];
    out[1] = as->metrics[0];
    out[2] = as->metrics[1];
    fc_client_state_pack(a, c, as->backup);
    return a->ops->local(a, c, state, out + FC_ONE_HEAD, v->work);
}

/* Client i takes the server's answer to its update: 0 dropped (the backup comes back),
 * else its site = the backup + factor × the damped change it sent (delta). */
static void settle_site(const fc_host_view_t *v, fc_host_async_t *as, size_t i, double factor,
                        const double *delta)
{
    const fc_algo_ctx_t *a = v->ctx;
    fc_client_t *c = v->client[i];
    size_t d = a->d, np = fc_family_site_len(a->family, &a->fd);
    if (factor == 0.0) {
        fc_client_state_unpack(a, c, as->backup);
    } else if (factor != 1.0) {
        /* A family whose site is its own term of the sums (checked by the config). */
        fc_copy(d, as->backup, c->h);
        fc_axpy(d, factor, delta, c->h);
        if (np) {
            fc_copy(np, as->backup + 2 * d, c->H);
            fc_axpy(np, factor, delta + d, c->H);
        }
    }
    held_block(as, i)[1] += 1.0; /* one more update answered: the next delay's index */
}

/* Keep version `version` of the posterior (state) in block hb. */
static void hold(fc_host_async_t *as, double *hb, double version, const double *state)
{
    hb[0] = version;
    fc_copy(as->sl, state, hb + FC_HELD_HEAD);
}

/* ---- the server-driven modes (replay, one rank): one collective command per step ---- */

static size_t local_index(const fc_host_view_t *v, int64_t k, int *mine)
{
    *mine = k >= (int64_t)v->lo && k < (int64_t)v->hi;
    return *mine ? (size_t)k - v->lo : 0;
}

typedef struct {
    const double *row;
    size_t n;
} one_sum_t;

static void add_one(void *ctx, double *acc)
{
    one_sum_t *o = ctx;
    if (o->row) fc_axpy(o->n, 1.0, o->row, acc);
}

/* Agree on the outcome (the lowest failing rank's message goes to every rank). */
static int agree(const fc_host_view_t *v, int err)
{
    int agreed = fc_tp_agree(v->tp, err);
    if (!agreed) return FC_OK;
    char msg[FC_FAIL_TEXT];
    snprintf(msg, sizeof msg, "%s", err ? fc_err_msg() : "");
    int serr = fc_tp_share_message(v->tp, err != 0, msg, sizeof msg);
    if (serr) return serr;
    fc_err_set(agreed, "%s", msg);
    return agreed;
}

static int one_update(const fc_host_view_t *v, fc_host_async_t *as, const fc_cmd_t *cmd,
                      double *result)
{
    int mine, err = FC_OK;
    size_t i = local_index(v, cmd->k, &mine), n = FC_ONE_HEAD + as->dl;
    double *row = as->up + FC_UP_HEAD - FC_ONE_HEAD; /* [used, loss, corr², delta] */
    if (mine) {
        err = compute(v, as, i, held_block(as, i), row);
        if (err) fc_err_prefix("rank %d, client %lld: ", fc_tp_rank(v->tp), (long long)cmd->k);
    }
    err = agree(v, err);
    if (err) return err;
    one_sum_t o = {mine ? row : NULL, n};
    return fc_tp_chain_sum(v->tp, result, n, add_one, &o);
}

static int one_settle(const fc_host_view_t *v, fc_host_async_t *as, const double *payload)
{
    int mine;
    size_t i = local_index(v, (int64_t)payload[0], &mine);
    if (!mine) return FC_OK;
    if (payload[1] >= 0.0) settle_site(v, as, i, payload[1], as->up + FC_UP_HEAD);
    hold(as, held_block(as, i), payload[2], payload + FC_SETTLE_HEAD);
    return FC_OK;
}

/* ---- real timing (P > 1): the rank's clients take turns on point-to-point messages ---- */

static void wait_seconds(double s)
{
    if (!(s > 0.0)) return;
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* The next participating hosted client from the cursor, or nc if none. */
static size_t next_turn(const fc_host_view_t *v, fc_host_async_t *as)
{
    for (size_t t = 0; t < as->nc; t++) {
        size_t i = (as->cursor + t) % as->nc;
        if (as->mask[v->lo + i]) return i;
    }
    return as->nc;
}

static int send_up(const fc_host_view_t *v, fc_host_async_t *as, int kind, size_t i, size_t n)
{
    as->up[0] = kind;
    as->up[1] = (double)(v->lo + i);
    return fc_tp_send(v->tp, 0, FC_TAG_UP, as->up, n * sizeof(double));
}

/* The server's answer; *stop when the round is over. */
static int recv_down(const fc_host_view_t *v, fc_host_async_t *as, int *stop)
{
    int err = fc_tp_recv(v->tp, 0, FC_TAG_DOWN, as->down, (FC_DOWN_HEAD + as->sl) * sizeof(double),
                         NULL, NULL);
    *stop = err || as->down[0] == FC_DOWN_STOP;
    return err;
}

static int send_failure(const fc_host_view_t *v, fc_host_async_t *as, size_t i, int err)
{
    char text[FC_FAIL_TEXT];
    int stop;
    fc_err_prefix("rank %d, client %zu: ", fc_tp_rank(v->tp), v->lo + i);
    snprintf(text, sizeof text, "%s", fc_err_msg());
    as->up[2] = err;
    int e = send_up(v, as, FC_UP_FAIL, i, FC_UP_HEAD);
    if (!e) e = fc_tp_send(v->tp, 0, FC_TAG_TEXT, text, sizeof text);
    if (!e) e = recv_down(v, as, &stop);
    fc_err_set(err, "%s", text);
    return e ? e : err;
}

/* One turn of client i: fetch the newest version if the rank holds none yet, compute
 * against the newest version the rank holds (it contains client i's current site: only
 * client i changes it, and none of the rank's clients has an update out), wait the delay,
 * send, take the answer, which is the newest version. *stop when the round ended. */
static int take_turn(const fc_host_view_t *v, fc_host_async_t *as, size_t i, int *stop)
{
    double *rank = as->rank_held;
    int err;
    if (rank[0] < 0) {
        if ((err = send_up(v, as, FC_UP_JOIN, i, FC_UP_HEAD)) || (err = recv_down(v, as, stop)) ||
            *stop)
            return err;
        hold(as, rank, as->down[3], as->down + FC_DOWN_HEAD);
        as->next_delay = as->down[4];
    }
    double *row = as->up + FC_UP_HEAD - FC_ONE_HEAD;
    err = compute(v, as, i, rank, row);
    if (err) return send_failure(v, as, i, err);
    as->up[2] = held_block(as, i)[1];
    wait_seconds(as->next_delay);
    if ((err = send_up(v, as, FC_UP_UPDATE, i, FC_UP_HEAD + as->dl)) ||
        (err = recv_down(v, as, stop)))
        return err;
    if (*stop) { /* not applied: computed again, identically, next round */
        fc_client_state_unpack(v->ctx, v->client[i], as->backup);
        return FC_OK;
    }
    settle_site(v, as, i, as->down[2], as->up + FC_UP_HEAD);
    hold(as, rank, as->down[3], as->down + FC_DOWN_HEAD);
    as->next_delay = as->down[4];
    as->cursor = i + 1;
    return FC_OK;
}

static int free_round(const fc_host_view_t *v, fc_host_async_t *as, const fc_cmd_t *cmd)
{
    const fc_algo_ctx_t *a = v->ctx;
    int err = FC_OK, stop = 0;
    fc_participants(a->K, a->ops->partial_participation ? v->participation : 1.0, v->seed,
                    cmd->round, as->mask);
    while (!err && !stop) {
        size_t i = next_turn(v, as);
        if (i == as->nc) { /* nobody here takes part: say so and wait for the round's end */
            err = send_up(v, as, FC_UP_IDLE, 0, FC_UP_HEAD);
            if (!err) err = recv_down(v, as, &stop);
            break;
        }
        err = take_turn(v, as, i, &stop);
    }
    return agree(v, err);
}

/* ---- checkpoints: every client's held block, gathered to rank 0 in client order ---- */

static int held_collective(const fc_host_view_t *v, fc_host_async_t *as, int get, double *all)
{
    fc_tp_piece_t piece = {as->held, as->nc * as->held_len};
    if (get) return fc_tp_gather_pieces(v->tp, as->nc ? 1 : 0, &piece, as->held_len, all, 0);
    return fc_tp_scatter_pieces(v->tp, all, as->nc ? 1 : 0, &piece, as->held_len, 0);
}

int fc_host_async_execute(const fc_host_view_t *v, fc_host_async_t **pas, const fc_cmd_t *cmd,
                          const double *payload, double *result)
{
    int err = *pas ? FC_OK : async_create(v, pas);
    err = agree(v, err);
    if (err) return err;
    fc_host_async_t *as = *pas;
    switch (cmd->code) {
    case FC_CMD_ASYNC_ONE:
        return one_update(v, as, cmd, result);
    case FC_CMD_ASYNC_SETTLE:
        return one_settle(v, as, payload);
    case FC_CMD_ASYNC_FREE:
        return free_round(v, as, cmd);
    case FC_CMD_ASYNC_STATE_GET:
        return held_collective(v, as, 1, result);
    case FC_CMD_ASYNC_STATE_PUT:
        return held_collective(v, as, 0, (double *)payload);
    default:
        return fc_err_set(FC_EINVAL, "unknown command %d", cmd->code);
    }
}
