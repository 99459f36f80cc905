/* fc_server_ckpt.c — checkpoints of a run (SPEC §7 checkpoint.bin): everything needed to
 * continue exactly — the global state, every client's site or dual and local solution, θ*,
 * the rows so far — and the resume that checks the config still matches. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fc_checkpoint.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_server_async.h"
#include "fc_server_impl.h"

#define CKPT_NAME "checkpoint.bin"
#define ROW_DOUBLES 13

/* Keys that may change between a run and its resume: they steer the run, not its state. */
static const char *const may_change[] = {"run.rounds", "run.resume", "run.threads", "output.dir",
                                         "output.checkpoint_every"};

enum {
    META_ROUND,
    META_D,
    META_K,
    META_CLIENT_LEN,
    META_GLOBAL_LEN,
    META_HAVE_REF,
    META_FSTAR,
    META_GTOL,
    META_BYTES,
    META_SECONDS,
    META_NROWS,
    META_N
};

typedef struct {
    char *text;
    size_t len, cap;
} echo_t;

static void echo_key(const char *section, const char *key, const char *value, void *ctx)
{
    echo_t *e = ctx;
    size_t need = strlen(section) + strlen(key) + strlen(value) + 3;
    if (!e->text || e->len + need + 1 > e->cap) {
        size_t cap = (e->cap + need + 1) * 2;
        if (fc_realloc(&e->text, cap, 1)) return; /* checked by the caller via e->text */
        e->cap = cap;
    }
    e->len +=
        (size_t)snprintf(e->text + e->len, e->cap - e->len, "%s.%s=%s\n", section, key, value);
}

static int config_echo(const fc_config_t *c, echo_t *e)
{
    memset(e, 0, sizeof *e);
    fc_config_visit(c, echo_key, e);
    if (!e->text) return fc_err_set(FC_ENOMEM, "out of memory echoing the config");
    return FC_OK;
}

static void row_to_doubles(const fc_metrics_t *m, double *v)
{
    double t[ROW_DOUBLES] = {
        m->round,      m->seconds,         m->objective,          m->grad_norm, m->dist_to_opt,
        m->correction, m->test_loss,       m->test_accuracy,      m->bytes,     m->kl_to_opt,
        m->elbo,       m->test_loss_bayes, m->test_accuracy_bayes};
    memcpy(v, t, sizeof t);
}

static void row_from_doubles(const double *v, fc_metrics_t *m)
{
    m->round = (int)v[0];
    m->seconds = v[1];
    m->objective = v[2];
    m->grad_norm = v[3];
    m->dist_to_opt = v[4];
    m->correction = v[5];
    m->test_loss = v[6];
    m->test_accuracy = v[7];
    m->bytes = v[8];
    m->kl_to_opt = v[9];
    m->elbo = v[10];
    m->test_loss_bayes = v[11];
    m->test_accuracy_bayes = v[12];
}

static int put_doubles(fc_ckpt_t *ck, const char *tag, const double *v, size_t n)
{
    return fc_ckpt_put(ck, tag, v, n * sizeof(double));
}

/* A variational run's reference is the Gaussian q*, kept whole in the checkpoint. */
static int vi_reference(const server_t *s)
{
    return s->have_ref && s->gref && s->env->ctx[FC_SLOT_REF].expect.kind != FC_EXPECT_POINT;
}

int fc_srv_checkpoint_save(server_t *s, int t)
{
    int err;
    const fc_algo_ctx_t *a = s->ctx;
    size_t cl = fc_client_state_len(a), gl = fc_global_state_len(a);
    double meta[META_N] = {0}, *clients = NULL, *global = NULL, *rows = NULL, *async = NULL;
    size_t async_n = 0;
    fc_ckpt_t *ck = NULL;
    echo_t echo = {0};
    FC_CALL(fc_alloc(s->K * cl, sizeof(double), &clients));
    FC_CALL(fc_alloc(gl, sizeof(double), &global));
    FC_CALL(fc_alloc(s->nrows * ROW_DOUBLES, sizeof(double), &rows));
    FC_CALL(fc_srv_call(s, FC_CMD_STATE_GET, FC_SLOT_MAIN, t, 0, 0, NULL, 0, clients));
    fc_global_state_pack(a, s->g, global);
    for (size_t i = 0; i < s->nrows; i++)
        row_to_doubles(&s->rows[i], rows + i * ROW_DOUBLES);
    meta[META_ROUND] = t;
    meta[META_D] = (double)s->d;
    meta[META_K] = (double)s->K;
    meta[META_CLIENT_LEN] = (double)cl;
    meta[META_GLOBAL_LEN] = (double)gl;
    meta[META_HAVE_REF] = s->have_ref;
    meta[META_FSTAR] = s->F_star;
    meta[META_GTOL] = s->gtol;
    meta[META_BYTES] = s->bytes;
    meta[META_SECONDS] = fc_tp_wtime(s->env->tp) - s->t0;
    meta[META_NROWS] = (double)s->nrows;
    FC_CALL(config_echo(s->env->cfg, &echo));
    FC_CALL(fc_ckpt_create(&ck));
    FC_CALL(fc_ckpt_put(ck, "config", echo.text, echo.len));
    FC_CALL(put_doubles(ck, "meta", meta, META_N));
    FC_CALL(put_doubles(ck, "global", global, gl));
    FC_CALL(put_doubles(ck, "theta_star", s->theta_star, s->d));
    FC_CALL(put_doubles(ck, "m_good", s->m_good, s->d));
    FC_CALL(put_doubles(ck, "rows", rows, s->nrows * ROW_DOUBLES));
    FC_CALL(put_doubles(ck, "clients", clients, s->K * cl));
    if (s->env->cfg->algorithm.schedule == FC_SCHED_ASYNC) { /* SPEC §11: the schedule's state */
        FC_CALL(fc_srv_async_save(s, &async, &async_n));
        FC_CALL(put_doubles(ck, "async", async, async_n));
    }
    if (vi_reference(s)) { /* SPEC §10: q*'s precision too, for kl_to_opt after a resume */
        const fc_algo_ctx_t *ra = &s->env->ctx[FC_SLOT_REF];
        fc_free(&global);
        FC_CALL(fc_alloc(fc_global_state_len(ra), sizeof(double), &global));
        fc_global_state_pack(ra, s->gref, global);
        FC_CALL(put_doubles(ck, "reference", global, fc_global_state_len(ra)));
    }
    FC_CALL(fc_ckpt_write(ck, s->env->out_dir, CKPT_NAME));
cleanup:
    fc_ckpt_destroy(&ck);
    fc_free(&echo.text);
    fc_free(&clients);
    fc_free(&global);
    fc_free(&rows);
    fc_free(&async);
    return err;
}

static int allowed_to_change(const char *line)
{
    for (size_t i = 0; i < sizeof may_change / sizeof may_change[0]; i++) {
        size_t n = strlen(may_change[i]);
        if (strncmp(line, may_change[i], n) == 0 && line[n] == '=') return 1;
    }
    return 0;
}

/* The first key whose value differs between the saved and the current config. */
static int compare_configs(const char *path, const char *saved, size_t saved_len, const char *now)
{
    char line[8192];
    const char *p = now;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n >= sizeof line) n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + (nl ? 1 : 0);
        if (allowed_to_change(line)) continue;
        char *eq = strchr(line, '=');
        size_t klen = eq ? (size_t)(eq - line) + 1 : n;
        /* Find the same key in the saved text and compare whole lines. */
        const char *q = saved, *end = saved + saved_len, *found = NULL;
        while (q < end) {
            const char *qn = memchr(q, '\n', (size_t)(end - q));
            size_t qlen = qn ? (size_t)(qn - q) : (size_t)(end - q);
            if (qlen >= klen && strncmp(q, line, klen) == 0) {
                found = q;
                if (qlen != n || strncmp(q, line, n) != 0) {
                    return fc_err_set(FC_ECONFIG,
                                      "%s: cannot resume: %.*s is '%s' now but '%.*s' in the "
                                      "checkpoint",
                                      path, (int)klen - 1, line, eq ? eq + 1 : "",
                                      (int)(qlen - klen), q + klen);
                }
                break;
            }
            q += qlen + 1;
        }
        if (!found)
            return fc_err_set(FC_ECONFIG, "%s: cannot resume: %.*s is not in the checkpoint", path,
                              (int)klen - 1, line);
    }
    return FC_OK;
}

/* A section of exactly n doubles, or a "corrupt checkpoint" error. */
static int get_doubles(const fc_ckpt_t *ck, const char *path, const char *tag, size_t n,
                       const double **out)
{
    size_t bytes;
    const void *p = fc_ckpt_get(ck, tag, &bytes);
    if (!p || bytes != n * sizeof(double))
        return fc_err_set(FC_EDATA,
                          "%s: corrupt checkpoint: section '%s' missing or of the wrong "
                          "size (%zu bytes, expected %zu)",
                          path, tag, bytes, n * sizeof(double));
    *out = p;
    return FC_OK;
}

/* The sizes recorded must be this run's (the config matched, so they can only differ if
 * the file was tampered with). */
static int check_meta(const server_t *s, const char *path, const double *meta, size_t cl, size_t gl)
{
    double nrows = meta[META_NROWS], round = meta[META_ROUND];
    if (meta[META_D] != (double)s->d || meta[META_K] != (double)s->K ||
        meta[META_CLIENT_LEN] != (double)cl || meta[META_GLOBAL_LEN] != (double)gl ||
        !(nrows >= 1 && nrows <= 1e9 && nrows == floor(nrows)) ||
        !(round >= 0 && round == nrows - 1))
        return fc_err_set(FC_EDATA, "%s: corrupt checkpoint: sizes do not match this run", path);
    return FC_OK;
}

static int restore_rows(server_t *s, const double *rows, size_t nrows)
{
    int err = fc_output_open(s->env->out_dir, &s->out);
    for (size_t i = 0; !err && i < nrows; i++) {
        fc_metrics_t m;
        row_from_doubles(rows + i * ROW_DOUBLES, &m);
        if (s->nrows == s->rows_cap) {
            err = fc_realloc(&s->rows, nrows, sizeof *s->rows);
            s->rows_cap = nrows;
        }
        if (!err) s->rows[s->nrows++] = m;
        if (!err) err = fc_output_row(s->out, &m);
    }
    return err;
}

int fc_srv_checkpoint_restore(server_t *s, int *round, fc_run_result_t *r)
{
    int err;
    char path[FC_PATH_MAX + 32];
    const fc_algo_ctx_t *a = s->ctx;
    size_t cl = fc_client_state_len(a), gl = fc_global_state_len(a), bytes;
    const double *meta = NULL, *global = NULL, *star = NULL, *good = NULL, *rows = NULL,
                 *clients = NULL;
    fc_ckpt_t *ck = NULL;
    echo_t echo = {0};
    (void)r;
    snprintf(path, sizeof path, "%s/%s", s->env->out_dir, CKPT_NAME);
    err = fc_ckpt_read(path, &ck);
    /* Prefix the reader's message: formatting the message slot into itself garbles it. */
    if (err == FC_EIO) {
        fc_err_prefix("run.resume = true but there is no checkpoint: ");
        err = FC_ECONFIG;
    }
    if (err) goto cleanup;
    const char *saved = fc_ckpt_get(ck, "config", &bytes);
    if (!saved) FC_FAIL(FC_EDATA, "%s: corrupt checkpoint: no config section", path);
    FC_CALL(config_echo(s->env->cfg, &echo));
    FC_CALL(compare_configs(path, saved, bytes, echo.text));
    FC_CALL(get_doubles(ck, path, "meta", META_N, &meta));
    FC_CALL(check_meta(s, path, meta, cl, gl));
    size_t nrows = (size_t)meta[META_NROWS];
    FC_CALL(get_doubles(ck, path, "global", gl, &global));
    FC_CALL(get_doubles(ck, path, "theta_star", s->d, &star));
    FC_CALL(get_doubles(ck, path, "m_good", s->d, &good));
    FC_CALL(get_doubles(ck, path, "rows", nrows * ROW_DOUBLES, &rows));
    FC_CALL(get_doubles(ck, path, "clients", s->K * cl, &clients));
    fc_global_state_unpack(a, s->g, global);
    fc_copy(s->d, star, s->theta_star);
    fc_copy(s->d, good, s->m_good);
    s->have_ref = meta[META_HAVE_REF] != 0.0;
    s->F_star = meta[META_FSTAR];
    s->gtol = meta[META_GTOL];
    s->bytes = meta[META_BYTES];
    s->t0 = fc_tp_wtime(s->env->tp) - meta[META_SECONDS];
    if (vi_reference(s)) {
        const fc_algo_ctx_t *ra = &s->env->ctx[FC_SLOT_REF];
        const double *ref = NULL;
        FC_CALL(get_doubles(ck, path, "reference", fc_global_state_len(ra), &ref));
        fc_global_state_unpack(ra, s->gref, ref);
    }
    FC_CALL(restore_rows(s, rows, nrows));
    /* Not broadcast: the clients' blocks are scattered to their ranks (fc_host.c). */
    FC_CALL(fc_srv_call(s, FC_CMD_STATE_PUT, FC_SLOT_MAIN, 0, 0, 0, clients, 0, NULL));
    if (s->env->cfg->algorithm.schedule == FC_SCHED_ASYNC) {
        const void *blob = fc_ckpt_get(ck, "async", &bytes);
        if (!blob || bytes % sizeof(double))
            FC_FAIL(FC_EDATA, "%s: corrupt checkpoint: no asynchronous state", path);
        err = fc_srv_async_restore(s, blob, bytes / sizeof(double));
        if (err) fc_err_prefix("%s: ", path);
        if (err) goto cleanup;
    }
    *round = (int)meta[META_ROUND];
    if (!s->env->quiet) printf("resumed from %s after round %d\n", path, *round);
cleanup:
    fc_ckpt_destroy(&ck);
    fc_free(&echo.text);
    return err;
}
