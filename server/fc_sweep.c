/* fc_sweep.c — parameter sweeps. */
#include "fc_sweep.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fc_mem.h"
#include "fc_output.h"
#include "fc_plot.h"

typedef struct {
    int index[FC_CLI_MAX_VARY]; /* value index per --vary key */
    fc_run_result_t res;
    char dir[64];
} sweep_row_t;

static size_t product_size(const fc_cli_t *cli)
{
    size_t n = 1;
    for (int j = 0; j < cli->nvary; j++)
        n *= (size_t)cli->vary[j].count;
    return n;
}

/* Row i of the product, the last --vary key varying fastest. */
static void decode(const fc_cli_t *cli, size_t i, int *index)
{
    for (int j = cli->nvary - 1; j >= 0; j--) {
        index[j] = (int)(i % (size_t)cli->vary[j].count);
        i /= (size_t)cli->vary[j].count;
    }
}

static void fmt_num(char *buf, size_t n, double v)
{
    if (isnan(v))
        buf[0] = '\0';
    else
        snprintf(buf, n, "%.6g", v);
}

/* text as the last field of a CSV line: every row must split on commas alone (the plotter
 * and awk -F, read it so), so commas become semicolons and line breaks spaces. Returns the
 * bytes written. */
static size_t csv_last_field(char *out, size_t cap, const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p && n + 2 < cap; p++)
        out[n++] = *p == ',' ? ';' : *p == '\n' || *p == '\r' ? ' ' : *p;
    if (n + 1 < cap) out[n++] = '\n';
    out[n < cap ? n : cap - 1] = '\0';
    return n;
}

/* Did run r get as far as a verdict? (not "invalid" or "error") */
static int ran(const sweep_row_t *r)
{
    return strcmp(r->res.status, "invalid") != 0 && strcmp(r->res.status, "error") != 0;
}

static int write_csv(const char *dir, const fc_cli_t *cli, const sweep_row_t *rows, size_t n)
{
    int err;
    size_t cap = (n + 1) * (size_t)(256 + sizeof rows->res.reason + 80 * cli->nvary), len = 0;
    char *text = NULL, g[32], c[32];
    FC_CALL(fc_alloc(cap, 1, &text));
    for (int j = 0; j < cli->nvary; j++)
        len += (size_t)snprintf(text + len, cap - len, "%s,", cli->vary[j].key);
    len += (size_t)snprintf(text + len, cap - len,
                            "status,%s,radius,rounds,rounds_to_tol,objective_gap,correction,dir,"
                            "reason\n",
                            fc_stability_csv_header());
    for (size_t i = 0; i < n; i++) {
        const sweep_row_t *r = &rows[i];
        for (int j = 0; j < cli->nvary; j++)
            len += (size_t)snprintf(text + len, cap - len, "%s,", cli->vary[j].value[r->index[j]]);
        fmt_num(g, sizeof g, r->res.objective_gap);
        fmt_num(c, sizeof c, r->res.correction);
        char tol[16] = "";
        if (r->res.rounds_to_tol >= 0) snprintf(tol, sizeof tol, "%d", r->res.rounds_to_tol);
        char st[FC_STABILITY_CSV_CAP] = ",,,,", rad[32];
        if (ran(r)) FC_CALL(fc_stability_csv_row(st, sizeof st, &r->res.stability));
        fmt_num(rad, sizeof rad, r->res.radius);
        len += (size_t)snprintf(text + len, cap - len, "%s,%s,%s,%d,%s,%s,%s,%s,", r->res.status,
                                st, rad, r->res.rounds, tol, g, c, r->dir);
        len += csv_last_field(text + len, cap - len, r->res.reason);
    }
    FC_CALL(fc_write_atomic(dir, "sweep.csv", text, len));
cleanup:
    fc_free(&text);
    return err;
}

/* A --vary column is as wide as its key or its longest value, at least 22. */
static int column_width(const fc_vary_t *v)
{
    size_t w = strlen(v->key) > 22 ? strlen(v->key) : 22;
    for (int i = 0; i < v->count; i++)
        if (strlen(v->value[i]) > w) w = strlen(v->value[i]);
    return (int)w;
}

static void print_row(const fc_cli_t *cli, const sweep_row_t *r, int header)
{
    if (header) {
        for (int j = 0; j < cli->nvary; j++)
            printf("%-*s ", column_width(&cli->vary[j]), cli->vary[j].key);
        printf("%-10s %-11s %9s %8s %6s %8s %12s %12s  %s\n", "status", "verdict", "rate", "radius",
               "rounds", "to_tol", "gap", "correction", "reason");
    }
    char g[32], c[32], tol[16] = "-";
    fmt_num(g, sizeof g, r->res.objective_gap);
    fmt_num(c, sizeof c, r->res.correction);
    if (r->res.rounds_to_tol >= 0) snprintf(tol, sizeof tol, "%d", r->res.rounds_to_tol);
    for (int j = 0; j < cli->nvary; j++)
        printf("%-*s ", column_width(&cli->vary[j]), cli->vary[j].value[r->index[j]]);
    char rate[32] = "-", rad[32] = "-";
    if (ran(r) && !isnan(r->res.stability.rate))
        snprintf(rate, sizeof rate, "%.6f", r->res.stability.rate);
    if (!isnan(r->res.radius)) snprintf(rad, sizeof rad, "%.6f", r->res.radius);
    printf("%-10s %-11s %9s %8s %6d %8s %12s %12s  %s\n", r->res.status,
           ran(r) ? fc_verdict_name(r->res.stability.verdict) : "-", rate, rad, r->res.rounds, tol,
           g[0] ? g : "-", c[0] ? c : "-", r->res.reason[0] ? r->res.reason : "-");
    fflush(stdout);
}

/* Apply "k1+k2" = "v1+v2" as k1=v1 and k2=v2 (a single key is the plain case). */
static int set_zipped(fc_config_t *c, const char *keys, const char *values)
{
    char kb[128], vb[128], assign[256];
    char *ks, *vs;
    snprintf(kb, sizeof kb, "%s", keys);
    snprintf(vb, sizeof vb, "%s", values);
    char *k = strtok_r(kb, "+", &ks), *v = strtok_r(vb, "+", &vs);
    for (; k && v; k = strtok_r(NULL, "+", &ks), v = strtok_r(NULL, "+", &vs)) {
        snprintf(assign, sizeof assign, "%s=%s", k, v);
        int err = fc_config_set(c, assign);
        if (err) return err;
    }
    return FC_OK;
}

/* Build run i's config; a value the config rejects makes the row "invalid". */
static int row_config(const fc_config_t *base, const fc_cli_t *cli, sweep_row_t *r, fc_config_t *c,
                      size_t i, int is_root)
{
    *c = *base;
    snprintf(r->dir, sizeof r->dir, "run%03zu", i);
    for (int j = 0; j < cli->nvary; j++) {
        int err = set_zipped(c, cli->vary[j].key, cli->vary[j].value[r->index[j]]);
        if (err) return err;
    }
    int err = fc_config_validate_role(c, is_root);
    if (err) return err;
    if (strlen(base->output.dir) + 1 + strlen(r->dir) >= sizeof c->output.dir)
        return fc_err_set(FC_ECONFIG, "output.dir: path too long for the sweep's run folders");
    memcpy(c->output.dir, base->output.dir, strlen(base->output.dir));
    c->output.dir[strlen(base->output.dir)] = '/';
    memcpy(c->output.dir + strlen(base->output.dir) + 1, r->dir, strlen(r->dir) + 1);
    return FC_OK;
}

/* Refuse, before any run, a --vary that no cell could use: an unknown key (with the nearest
 * known one) or a value the base config rejects on its own. Values that are only invalid
 * together with another --vary's value still make their cells "invalid". */
static int check_vary(const fc_config_t *base, const fc_cli_t *cli, fc_config_t *c)
{
    char kb[128], value[FC_CONFIG_VALUE_MAX], *ks;
    for (int j = 0; j < cli->nvary; j++) {
        const fc_vary_t *v = &cli->vary[j];
        snprintf(kb, sizeof kb, "%s", v->key);
        for (char *k = strtok_r(kb, "+", &ks); k; k = strtok_r(NULL, "+", &ks))
            if (fc_config_get(base, k, value, sizeof value)) {
                fc_err_prefix("--vary %s: ", v->key);
                return FC_ECONFIG;
            }
        for (int i = 0; i < v->count; i++) {
            *c = *base;
            if (set_zipped(c, v->key, v->value[i])) {
                fc_err_prefix("--vary %s: value '%s' is invalid for every cell: ", v->key,
                              v->value[i]);
                return FC_ECONFIG;
            }
        }
    }
    return FC_OK;
}

/* Why run r could not start or failed, as far as this rank knows. */
static void row_failure(sweep_row_t *r, const char *status)
{
    snprintf(r->res.status, sizeof r->res.status, "%s", status);
    r->res.rounds_to_tol = -1; /* nothing was measured */
    r->res.objective_gap = r->res.correction = r->res.radius = NAN;
    if (r->res.reason[0]) return;
    const char *msg = fc_err_msg();
    snprintf(r->res.reason, sizeof r->res.reason, "%s",
             msg && msg[0] ? msg : "failed on another rank (see its message above)");
}

int fc_sweep_run(const fc_config_t *base, const fc_cli_t *cli, int is_root, fc_sweep_run_fn run,
                 fc_sweep_agree_fn agree, void *ctx)
{
    size_t n = product_size(cli);
    sweep_row_t *rows = NULL;
    fc_config_t *c = NULL;
    int status = FC_EXIT_DONE;
    if (fc_calloc(n, sizeof *rows, &rows) || fc_alloc(1, sizeof *c, &c)) {
        if (is_root) fprintf(stderr, "fedpc: %s\n", fc_err_msg());
        status = FC_EXIT_INTERNAL;
        goto cleanup;
    }
    /* Every rank checks the same lists against the same config, so all refuse together. */
    if (check_vary(base, cli, c)) {
        if (is_root) fprintf(stderr, "fedpc: %s\n", fc_err_msg());
        status = FC_EXIT_INPUT;
        goto cleanup;
    }
    /* Only rank 0 writes here: all ranks learn whether it can. */
    int err = agree(ctx, is_root ? fc_mkdirs(base->output.dir) : FC_OK);
    if (err) {
        status = fc_exit_status(err);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        sweep_row_t *r = &rows[i];
        decode(cli, i, r->index);
        r->res.rounds_to_tol = -1;
        r->res.objective_gap = r->res.correction = r->res.radius = NAN;
        fc_err_clear();
        /* Files that only some hosts hold (the test set on the server's node, SPEC §13)
         * can fail a cell's check on some ranks alone: all skip the cell together. */
        int cell = row_config(base, cli, r, c, i, is_root);
        if (cell) { /* the reason column keeps the bare message; stderr names the cell */
            snprintf(r->res.reason, sizeof r->res.reason, "%s", fc_err_msg());
            fc_err_prefix("sweep %s: ", r->dir);
        }
        if (agree(ctx, cell)) {
            row_failure(r, "invalid");
        } else {
            int st = run(ctx, c, c->output.dir, &r->res);
            if (st == FC_EXIT_INTERNAL) status = FC_EXIT_INTERNAL;
            if (strcmp(r->res.status, "error") == 0) row_failure(r, "error");
        }
        if (is_root) {
            print_row(cli, r, i == 0);
            if (write_csv(base->output.dir, cli, rows, i + 1))
                fprintf(stderr, "fedpc: %s\n", fc_err_msg());
        }
    }
    /* Plots (convergence of every run; the stability map for two keys) are a bonus: a
     * machine without gnuplot still gets every number. */
    if (is_root && fc_plot_dir(base->output.dir))
        fprintf(stderr, "fedpc: warning: no plots: %s\n", fc_err_msg());
cleanup:
    fc_free(&rows);
    fc_free(&c);
    return status;
}
