/* fc_server_async.c — the server role of the asynchronous schedule (SPEC §11).
 *
 * Version v of the posterior is the server's state after v applied updates. An update
 * computed from version u that arrives when the server holds v has staleness s = v − u; the
 * staleness rule (fc_async_factor) drops it (max_staleness) or applies factor × its damped
 * change to the server's sums (staleness_damping), which makes version v + 1; the answer —
 * the newest version — goes to that client alone. Who arrives next is decided by
 *   - real timing (P > 1): the ranks' point-to-point messages, in the order they come;
 *   - the virtual clock (one rank): each client's update takes its run.client_delay;
 *   - a recorded order (run.replay, any P): arrivals.csv of an earlier run, step by step.
 * Every arrival is written to arrivals.csv and updates.csv, so any run can be replayed. */
#include "fc_server_async.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "fc_async.h"
#include "fc_async_proto.h"
#include "fc_host_async.h"
#include "fc_la.h"
#include "fc_file.h"
#include "fc_mem.h"

typedef enum { MODE_VIRTUAL, MODE_REPLAY, MODE_FREE } mode_t_;

struct fc_srv_async {
    mode_t_ mode;
    size_t K, sl, dl;
    int64_t version, arrivals;
    int64_t *held;    /* K: the version each client holds, −1 before it joined */
    int64_t *updates; /* K: updates each client has had answered (its delay index) */
    fc_vevent_t *ev;  /* K: the virtual clock's next event of each client */
    uint64_t seq;     /* events scheduled so far */
    double now;       /* virtual seconds */
    fc_delay_t delay;
    fc_replay_t rp;
    size_t rpos;       /* arrivals of the record used so far */
    long *cur;         /* K: the index in the record of each client's next arrival, or −1 */
    long *nexti;       /* the record's next arrival of the same client, or −1 */
    double *one;       /* FC_ONE_HEAD + dl: an update's result */
    double *settle;    /* FC_SETTLE_HEAD + sl */
    double *up, *down; /* real timing's messages */
    double *totals;    /* dl */
    int *owes;         /* P: real timing: a message received and not answered yet */
    FILE *arr, *upd;
    double stale_sum; /* this round's arrivals: Σ staleness, count, largest */
    int64_t stale_n, stale_max;
};
typedef struct fc_srv_async async_t;

/* ---- setup ---- */

static int open_logs(server_t *s, async_t *as, int append)
{
    char path[FC_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/arrivals.csv", s->env->out_dir);
    as->arr = fopen(path, append ? "a" : "w");
    if (!as->arr) return fc_err_set(FC_EIO, "%s: cannot write", path);
    snprintf(path, sizeof path, "%s/updates.csv", s->env->out_dir);
    as->upd = fopen(path, append ? "a" : "w");
    if (!as->upd) return fc_err_set(FC_EIO, "%s: cannot write", path);
    if (!append) {
        fc_arrivals_header(as->arr, s->K, s->env->cfg->run.seed);
        fprintf(as->upd, "update,client,staleness,objective,correction\n");
    }
    return FC_OK;
}

/* Each client's next arrival in the record from position rpos on, and for every arrival the
 * next of the same client. */
static int next_arrivals(async_t *as)
{
    int err = FC_OK;
    fc_free(&as->nexti);
    FC_CALL(fc_calloc(as->rp.n ? as->rp.n : 1, sizeof *as->nexti, &as->nexti));
    for (size_t k = 0; k < as->K; k++)
        as->cur[k] = -1;
    for (size_t i = as->rp.n; i-- > 0;) {
        size_t k = (size_t)as->rp.a[i].client;
        as->nexti[i] = as->cur[k];
        if (i >= as->rpos) as->cur[k] = (long)i;
    }
cleanup:
    return err;
}

static int async_create(server_t *s, async_t **out, int append)
{
    int err;
    const fc_config_t *c = s->env->cfg;
    const fc_algo_ctx_t *a = s->ctx;
    int P = fc_tp_size(s->env->tp);
    char why[256];
    async_t *as = NULL;
    FC_CALL(fc_calloc(1, sizeof *as, &as));
    as->K = s->K;
    as->sl = a->ops->state_len(a);
    as->dl = a->ops->delta_len(a);
    as->mode = c->run.replay[0] ? MODE_REPLAY : P > 1 ? MODE_FREE : MODE_VIRTUAL;
    if (fc_delay_parse(c->run.client_delay, &as->delay, why, sizeof why))
        FC_FAIL(FC_ECONFIG, "run.client_delay: %s", why); /* the config checked it already */
    FC_CALL(fc_calloc(s->K, sizeof *as->held, &as->held));
    FC_CALL(fc_calloc(s->K, sizeof *as->updates, &as->updates));
    FC_CALL(fc_calloc(s->K, sizeof *as->ev, &as->ev));
    FC_CALL(fc_calloc(s->K, sizeof *as->cur, &as->cur));
    for (size_t k = 0; k < s->K; k++) {
        as->held[k] = -1;
        as->ev[k] = (fc_vevent_t){0.0, as->seq++}; /* every client joins at time 0 */
    }
    FC_CALL(fc_calloc(FC_ONE_HEAD + as->dl, sizeof(double), &as->one));
    FC_CALL(fc_calloc(FC_SETTLE_HEAD + as->sl, sizeof(double), &as->settle));
    FC_CALL(fc_calloc(FC_UP_HEAD + as->dl, sizeof(double), &as->up));
    FC_CALL(fc_calloc(FC_DOWN_HEAD + as->sl, sizeof(double), &as->down));
    FC_CALL(fc_calloc(as->dl, sizeof(double), &as->totals));
    FC_CALL(fc_calloc((size_t)P, sizeof(int), &as->owes));
    if (as->mode == MODE_REPLAY) {
        FC_CALL(fc_replay_load(c->run.replay, s->K, c->run.seed, &as->rp));
        FC_CALL(next_arrivals(as));
    }
    FC_CALL(open_logs(s, as, append));
    *out = as;
    return FC_OK;
cleanup:
    s->async = as;
    fc_srv_async_destroy(s);
    return err;
}

void fc_srv_async_destroy(server_t *s)
{
    async_t *as = s->async;
    if (!as) return;
    if (as->arr) fclose(as->arr);
    if (as->upd) fclose(as->upd);
    fc_free(&as->held);
    fc_free(&as->updates);
    fc_free(&as->ev);
    fc_free(&as->cur);
    fc_free(&as->nexti);
    fc_free(&as->one);
    fc_free(&as->settle);
    fc_free(&as->up);
    fc_free(&as->down);
    fc_free(&as->totals);
    fc_free(&as->owes);
    fc_replay_free(&as->rp);
    fc_free(&s->async);
}

/* ---- one arrival ---- */

static double seconds_now(const server_t *s, const async_t *as)
{
    return as->mode == MODE_VIRTUAL ? as->now : fc_tp_wtime(s->env->tp) - s->t0;
}

static int log_arrival(server_t *s, async_t *as, const fc_arrival_t *a, double loss, double corr2)
{
    fc_arrivals_line(as->arr, a);
    fprintf(as->upd, "%" PRId64 ",%" PRId64 ",%" PRId64 ",%.17g,%.17g\n", a->update, a->client,
            a->staleness, loss, sqrt(corr2));
    if (fflush(as->arr) || fflush(as->upd) || ferror(as->arr) || ferror(as->upd))
        return fc_err_set(FC_EIO, "%s: cannot write arrivals.csv / updates.csv", s->env->out_dir);
    as->stale_sum += (double)a->staleness;
    as->stale_n++;
    if (a->staleness > as->stale_max) as->stale_max = a->staleness;
    return FC_OK;
}

/* Client k's update computed from version `used` (row = [used, ℓ_k, corr², delta]):
 * dropped or applied with the staleness rule's factor; *factor says which. */
static int apply_update(server_t *s, async_t *as, size_t k, const double *row, double *factor,
                        fc_arrival_t *a)
{
    const fc_algo_ctx_t *a_ = s->ctx;
    const fc_config_t *c = s->env->cfg;
    int64_t used = (int64_t)row[0], stale = as->version - used;
    *factor = fc_async_factor(c->algorithm.max_staleness,
                              c->algorithm.staleness_damping == FC_STALE_INVERSE, stale);
    *a = (fc_arrival_t){++as->arrivals, (int64_t)k, used, -1, stale, seconds_now(s, as)};
    s->bytes += (double)fc_algo_wire_len(a_) * sizeof(double);
    if (*factor > 0.0) {
        fc_global_sums(a_, s->g, as->totals);
        fc_axpy(as->dl, *factor, row + FC_ONE_HEAD, as->totals);
        int err = a_->ops->apply(a_, s->g, as->totals, NULL);
        if (err) return err;
        a->made = ++as->version;
    }
    as->updates[k]++;
    as->held[k] = as->version;
    return log_arrival(s, as, a, row[1], row[2]);
}

/* ---- the server-driven modes: one collective command per step ---- */

static int settle_one(server_t *s, async_t *as, size_t k, double factor)
{
    as->settle[0] = (double)k;
    as->settle[1] = factor;
    as->settle[2] = (double)as->version;
    s->ctx->ops->pack(s->ctx, s->g, as->settle + FC_SETTLE_HEAD);
    as->held[k] = as->version;
    return fc_srv_call(s, FC_CMD_ASYNC_SETTLE, FC_SLOT_MAIN, 0, (int64_t)k, 0, as->settle,
                       FC_SETTLE_HEAD + as->sl, NULL);
}

static int step_one(server_t *s, async_t *as, size_t k, int round, fc_arrival_t *a)
{
    double factor;
    int err =
        fc_srv_call(s, FC_CMD_ASYNC_ONE, FC_SLOT_MAIN, round, (int64_t)k, 0, NULL, 0, as->one);
    if (!err) err = apply_update(s, as, k, as->one, &factor, a);
    if (!err) err = settle_one(s, as, k, factor);
    return err;
}

static size_t participants(server_t *s, int round)
{
    const fc_algo_ctx_t *a = s->ctx;
    size_t n = 0;
    fc_participants(s->K,
                    a->ops->partial_participation ? s->env->cfg->algorithm.participation : 1.0,
                    s->env->cfg->run.seed, round, s->mask);
    for (size_t k = 0; k < s->K; k++)
        n += s->mask[k];
    return n;
}

/* The virtual clock (one rank): the earliest event among the round's participants — a
 * join (the client receives the newest version) or an arrival — then the client's next
 * arrival after its delay. A client outside the round keeps its event for a later round. */
static int virtual_round(server_t *s, async_t *as, int round, size_t n)
{
    const fc_config_t *c = s->env->cfg;
    for (size_t applied = 0; applied < n;) {
        long k = fc_vclock_next(s->K, as->ev, s->mask);
        if (as->ev[k].time > as->now) as->now = as->ev[k].time;
        int err;
        if (as->held[k] < 0) {
            err = settle_one(s, as, (size_t)k, -1.0);
        } else {
            fc_arrival_t a;
            err = step_one(s, as, (size_t)k, round, &a);
            applied += a.made >= 0;
        }
        if (err) return err;
        double wait = fc_delay_draw(&as->delay, c->run.seed, (size_t)k, (uint64_t)as->updates[k]);
        as->ev[k] = (fc_vevent_t){as->now + wait, as->seq++};
    }
    return FC_OK;
}

/* The record's clients whose next update uses the version the server holds now are
 * handed it (they hold it until their turn); a client that would need a version the
 * server has gone past makes the record inconsistent. */
static int hand_over(server_t *s, async_t *as)
{
    const char *path = s->env->cfg->run.replay;
    for (size_t k = 0; k < s->K; k++) {
        long j = as->cur[k];
        if (j < 0 || as->held[k] == as->rp.a[j].used) continue;
        if (as->rp.a[j].used < as->version)
            return fc_err_set(FC_ECONFIG,
                              "%s:%ld: run.replay: client %zu's update uses version %" PRId64
                              ", which it was not given (the server held it before client %zu's "
                              "last update was answered)",
                              path, as->rp.line[j], k, as->rp.a[j].used, k);
        if (as->rp.a[j].used == as->version) {
            int err = settle_one(s, as, k, -1.0);
            if (err) return err;
        }
    }
    return FC_OK;
}

/* A recorded order: each arrival as recorded, from the version it records; what this run
 * makes of it must be what the record says. */
static int replay_round(server_t *s, async_t *as, int round, size_t n)
{
    const char *path = s->env->cfg->run.replay;
    for (size_t applied = 0; applied < n;) {
        int err = hand_over(s, as);
        if (err) return err;
        if (as->rpos == as->rp.n)
            return fc_err_set(FC_ECONFIG,
                              "%s:%ld: run.replay: the record ends after %zu arrivals; round %d "
                              "needs more",
                              path, as->rp.last_line, as->rp.n, round);
        const fc_arrival_t *r = &as->rp.a[as->rpos];
        long line = as->rp.line[as->rpos];
        if (as->held[r->client] != r->used)
            return fc_err_set(FC_ECONFIG,
                              "%s:%ld: run.replay: client %" PRId64 " holds version %" PRId64
                              " here, the record says %" PRId64 " (another config?)",
                              path, line, r->client, as->held[r->client], r->used);
        fc_arrival_t a;
        if ((err = step_one(s, as, (size_t)r->client, round, &a))) return err;
        if ((a.made < 0) != (r->made < 0))
            return fc_err_set(FC_ECONFIG,
                              "%s:%ld: run.replay: the record %s this update, this config %s it "
                              "(another algorithm.max_staleness?)",
                              path, line, r->made < 0 ? "dropped" : "applied",
                              a.made < 0 ? "drops" : "applies");
        as->cur[r->client] = as->nexti[as->rpos];
        as->rpos++;
        applied += a.made >= 0;
    }
    return hand_over(s, as);
}

/* ---- real timing (P > 1) ---- */

static int send_down(server_t *s, async_t *as, int rank, int kind, size_t k, double factor)
{
    size_t n = FC_DOWN_HEAD;
    as->down[0] = kind;
    as->down[1] = (double)k;
    as->down[2] = factor;
    as->down[3] = (double)as->version;
    as->down[4] = 0.0;
    if (kind == FC_DOWN_STATE) {
        as->down[4] = fc_delay_draw(&as->delay, s->env->cfg->run.seed, k, (uint64_t)as->updates[k]);
        s->ctx->ops->pack(s->ctx, s->g, as->down + FC_DOWN_HEAD);
        n += as->sl;
        as->held[k] = as->version;
    }
    as->owes[rank] = 0;
    return fc_tp_send(s->env->tp, rank, FC_TAG_DOWN, as->down, n * sizeof(double));
}

/* A client rank's failure: its message follows the header. */
static int take_failure(server_t *s, int rank)
{
    char text[FC_FAIL_TEXT];
    int code = (int)0;
    int err = fc_tp_recv(s->env->tp, rank, FC_TAG_TEXT, text, sizeof text, NULL, NULL);
    if (err) return err;
    text[sizeof text - 1] = '\0';
    code = (int)s->async->up[2];
    return fc_err_set(code ? code : FC_EINVAL, "%s", text);
}

/* One message from `src` (or any rank); *applied counts updates applied. */
static int serve_message(server_t *s, async_t *as, int src, int stopping, size_t *applied)
{
    int from;
    int err = fc_tp_recv(s->env->tp, src, FC_TAG_UP, as->up, (FC_UP_HEAD + as->dl) * sizeof(double),
                         &from, NULL);
    if (err) return err;
    as->owes[from] = 1;
    int kind = (int)as->up[0];
    size_t k = (size_t)as->up[1];
    if (kind == FC_UP_FAIL) return take_failure(s, from);
    if (kind == FC_UP_IDLE || stopping) return FC_OK; /* answered by the round's STOP */
    if (k >= s->K) return fc_err_set(FC_EINVAL, "rank %d sent a message for client %zu", from, k);
    if (kind == FC_UP_JOIN) return send_down(s, as, from, FC_DOWN_STATE, k, -1.0);
    double factor;
    fc_arrival_t a;
    err = apply_update(s, as, k, as->up + FC_UP_HEAD - FC_ONE_HEAD, &factor, &a);
    if (err) return err;
    *applied += a.made >= 0;
    return send_down(s, as, from, FC_DOWN_STATE, k, factor);
}

static int agree(server_t *s, int err)
{
    fc_tp_t *tp = s->env->tp;
    int agreed = fc_tp_agree(tp, err);
    if (!agreed) return FC_OK;
    char msg[FC_FAIL_TEXT];
    snprintf(msg, sizeof msg, "%s", err ? fc_err_msg() : "");
    int serr = fc_tp_share_message(tp, err != 0, msg, sizeof msg);
    if (serr) return serr;
    fc_err_set(agreed, "%s", msg);
    return agreed;
}

/* Until n updates are applied: answer each message as it comes. Then every rank gets to a
 * message the server holds unanswered (an update is discarded: its client restores its
 * state and computes it again next round), and every rank is told to stop. */
static int free_round(server_t *s, async_t *as, int round, size_t n)
{
    fc_tp_t *tp = s->env->tp;
    int P = fc_tp_size(tp), err;
    fc_cmd_t cmd = {FC_CMD_ASYNC_FREE, FC_SLOT_MAIN, round, 0, 0, 0};
    if ((err = fc_tp_bcast(tp, &cmd, sizeof cmd, 0)) || (err = fc_tp_bcast(tp, NULL, 0, 0)))
        return err;
    if ((err = agree(s, FC_OK))) return err; /* the ranks' async state exists */
    for (int r = 1; r < P; r++)
        as->owes[r] = 0;
    size_t applied = 0;
    while (!err && applied < n) {
        int idle = 1;
        for (int r = 1; r < P; r++)
            idle &= as->owes[r];
        if (idle) {
            err =
                fc_err_set(FC_EINVAL, "round %d: every rank is idle before %zu updates", round, n);
            break;
        }
        err = serve_message(s, as, FC_TP_ANY, 0, &applied);
    }
    for (int r = 1; r < P; r++) {
        size_t none = 0;
        int e = as->owes[r] ? FC_OK : serve_message(s, as, r, 1, &none);
        if (e == FC_EMPI) return e; /* the transport is gone: nothing more to say */
        if (!err) err = e;
    }
    for (int r = 1; r < P; r++) {
        int e = send_down(s, as, r, FC_DOWN_STOP, 0, 0.0);
        if (e == FC_EMPI) return e;
    }
    return agree(s, err);
}

int fc_srv_async_round(server_t *s, int round)
{
    int err = s->async ? FC_OK : async_create(s, &s->async, 0);
    if (err) return err;
    async_t *as = s->async;
    size_t n = participants(s, round);
    as->stale_sum = 0.0;
    as->stale_n = as->stale_max = 0;
    switch (as->mode) {
    case MODE_VIRTUAL:
        return virtual_round(s, as, round, n);
    case MODE_REPLAY:
        return replay_round(s, as, round, n);
    default:
        return free_round(s, as, round, n);
    }
}

void fc_srv_async_progress(const server_t *s, FILE *f)
{
    const async_t *as = s->async;
    if (!as || !as->stale_n) return;
    fprintf(f, "  stale %.2f/%" PRId64, as->stale_sum / (double)as->stale_n, as->stale_max);
}

/* ---- checkpoints ---- */

/* The blob: [version, arrivals, seq, now, rpos], then per client [held, updates, event time,
 * event seq], then every client's held block (FC_CMD_ASYNC_STATE_GET, client order). */
#define BLOB_HEAD 5
#define BLOB_PER_CLIENT 4

static size_t blob_len(const server_t *s)
{
    return BLOB_HEAD + s->K * (BLOB_PER_CLIENT + fc_async_held_len(s->ctx));
}

int fc_srv_async_save(server_t *s, double **out, size_t *n)
{
    int err;
    double *b = NULL;
    if (!s->async) FC_CALL(async_create(s, &s->async, 0));
    async_t *as = s->async;
    *n = blob_len(s);
    FC_CALL(fc_alloc(*n, sizeof(double), &b));
    double head[BLOB_HEAD] = {(double)as->version, (double)as->arrivals, (double)as->seq, as->now,
                              (double)as->rpos};
    memcpy(b, head, sizeof head);
    for (size_t k = 0; k < s->K; k++) {
        double *p = b + BLOB_HEAD + k * BLOB_PER_CLIENT;
        p[0] = (double)as->held[k];
        p[1] = (double)as->updates[k];
        p[2] = as->ev[k].time;
        p[3] = (double)as->ev[k].seq;
    }
    FC_CALL(fc_srv_call(s, FC_CMD_ASYNC_STATE_GET, FC_SLOT_MAIN, 0, 0, 0, NULL, 0,
                        b + BLOB_HEAD + s->K * BLOB_PER_CLIENT));
    *out = b;
    return FC_OK;
cleanup:
    fc_free(&b);
    return err;
}

/* Keep the first `keep` lines of a log (its rows up to the checkpoint), as the checkpoint's
 * metrics rows are kept: what follows was written after it and is made again. */
static int truncate_log(const char *dir, const char *name, size_t keep)
{
    char path[FC_PATH_MAX + 32], *text = NULL;
    size_t len = 0, lines = 0, at = 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int err = fc_read_file(path, (size_t)1 << 34, &text, &len);
    if (err) return err;
    while (at < len && lines < keep)
        if (text[at++] == '\n') lines++;
    if (lines < keep) {
        fc_free(&text);
        return fc_err_set(FC_EDATA, "%s: %zu lines, the checkpoint needs %zu", path, lines, keep);
    }
    err = fc_write_atomic(dir, name, text, at);
    fc_free(&text);
    return err;
}

int fc_srv_async_restore(server_t *s, const double *b, size_t n)
{
    int err;
    if (n != blob_len(s))
        return fc_err_set(FC_EDATA,
                          "corrupt checkpoint: the asynchronous state has %zu values, "
                          "this run needs %zu",
                          n, blob_len(s));
    size_t arrivals = (size_t)b[1];
    FC_CALL(truncate_log(s->env->out_dir, "arrivals.csv", 2 + arrivals));
    FC_CALL(truncate_log(s->env->out_dir, "updates.csv", 1 + arrivals));
    FC_CALL(async_create(s, &s->async, 1));
    async_t *as = s->async;
    as->version = (int64_t)b[0];
    as->arrivals = (int64_t)b[1];
    as->seq = (uint64_t)b[2];
    as->now = b[3];
    as->rpos = (size_t)b[4];
    for (size_t k = 0; k < s->K; k++) {
        const double *p = b + BLOB_HEAD + k * BLOB_PER_CLIENT;
        as->held[k] = (int64_t)p[0];
        as->updates[k] = (int64_t)p[1];
        as->ev[k] = (fc_vevent_t){p[2], (uint64_t)p[3]};
    }
    if (as->mode == MODE_REPLAY) {
        if (as->rpos > as->rp.n)
            FC_FAIL(FC_ECONFIG,
                    "%s: run.replay: the checkpoint is %zu arrivals in, the record has %zu",
                    s->env->cfg->run.replay, as->rpos, as->rp.n);
        FC_CALL(next_arrivals(as));
    }
    /* Not broadcast: the clients' held blocks are scattered to their ranks. */
    FC_CALL(fc_srv_call(s, FC_CMD_ASYNC_STATE_PUT, FC_SLOT_MAIN, 0, 0, 0,
                        b + BLOB_HEAD + s->K * BLOB_PER_CLIENT, 0, NULL));
cleanup:
    return err;
}
