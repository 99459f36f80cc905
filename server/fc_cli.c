/* fc_cli.c — command-line parsing (SPEC §5). */
#include "fc_cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_algo.h"
#include "fc_family.h"
#include "fc_model.h"
#include "fc_registry.h"

const char *fc_cli_help(void)
{
    return "usage:\n"
           "  fedpc run   CONFIG.ini [--set section.key=value]... [--out DIR] [--quiet]\n"
           "  fedpc sweep CONFIG.ini --vary section.key=v1,v2,... [--vary ...]\n"
           "              [--set section.key=value]... [--out DIR]\n"
           "  fedpc partition CONFIG.ini --out DIR [--set section.key=value]...\n"
           "  fedpc plot DIR | fedpc plot DIR DIR... --out OUT\n"
           "  fedpc --help | --version\n"
           "\n"
           "commands:\n"
           "  run        run one experiment; one progress line per round, then the status.\n"
           "             Writes metrics.csv, mean.txt, summary.json to output.dir (or --out).\n"
           "  sweep      run the Cartesian product of the --vary values one after another\n"
           "             in this MPI job; prints a table (with the reason of each failed or\n"
           "             diverged run) and writes DIR/sweep.csv plus one output folder per\n"
           "             run. An unknown --vary key, or a value no run could use, stops it\n"
           "             before the first run (exit status 2).\n"
           "  partition  write one data file per client (DIR/client_<k>.csv or .svm) and\n"
           "             DIR/partition.ini, to be read back with partition.scheme = files\n"
           "             (the other keys stay as they were, [output] dir included).\n"
           "  plot       draw PNG plots (gnuplot) from the CSV files of a run or a sweep;\n"
           "             with several run folders, one comparison of them into OUT.\n"
           "\n"
           "options:\n"
           "  --set section.key=value  override one config key (repeatable)\n"
           "  --vary section.key=LIST  sweep values: v1,v2,... or start:stop:count or\n"
           "                           start:stop:count:log (repeatable)\n"
           "  --out DIR                output folder (relative to the current directory)\n"
           "  --quiet                  no per-round progress lines\n"
           "  --help, --version\n"
           "\n"
           "exit status: 0 done (converged or hit run.rounds), 3 diverged,\n"
           "             2 bad input (config, data, command line), 1 internal error.\n"
           "Run under MPI: mpirun -n P fedpc run CONFIG.ini (rank 0 is the server).\n";
}

void fc_cli_print_help(FILE *f)
{
    char names[FC_REGISTRY_NAMES_MAX];
    fputs(fc_cli_help(), f);
    fc_algo_names(names, sizeof names);
    fprintf(f, "\nalgorithm.name:   %s\n", names);
    fc_family_names(names, sizeof names);
    fprintf(f, "algorithm.family: %s\n", names);
    fc_model_names(names, sizeof names);
    fprintf(f, "model.type:       %s\n", names);
}

/* start:stop:count[:log] → count values, linear or logarithmic. */
static int expand_range(const char *spec, fc_vary_t *v)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    char *parts[4] = {0};
    int np = 0;
    for (char *tok = strtok(buf, ":"); tok && np < 4; tok = strtok(NULL, ":"))
        parts[np++] = tok;
    if (np < 3)
        return fc_err_set(FC_EINVAL, "--vary %s=%s: expected start:stop:count[:log]", v->key, spec);
    char *end;
    errno = 0;
    double a = strtod(parts[0], &end);
    int bad = *end != '\0' || errno;
    double b = strtod(parts[1], &end);
    bad |= *end != '\0' || errno;
    long n = strtol(parts[2], &end, 10);
    bad |= *end != '\0' || errno || n < 1 || n > FC_CLI_MAX_VALUES;
    int lg = np == 4 && strcmp(parts[3], "log") == 0;
    bad |= np == 4 && !lg;
    bad |= lg && (a <= 0 || b <= 0);
    if (bad || !isfinite(a) || !isfinite(b))
        return fc_err_set(FC_EINVAL,
                          "--vary %s=%s: expected start:stop:count[:log] (count 1..%d, log needs "
                          "positive ends)",
                          v->key, spec, FC_CLI_MAX_VALUES);
    v->count = (int)n;
    for (long i = 0; i < n; i++) {
        double t = n == 1 ? 0.0 : (double)i / (double)(n - 1);
        double x = lg ? exp(log(a) + t * (log(b) - log(a))) : a + t * (b - a);
        snprintf(v->value[i], sizeof v->value[i], "%.6g", x);
    }
    return FC_OK;
}

int fc_cli_parse_vary(const char *spec, fc_vary_t *v)
{
    const char *eq = strchr(spec, '=');
    memset(v, 0, sizeof *v);
    if (!eq || eq == spec || !strchr(spec, '.') || strchr(spec, '.') > eq ||
        (size_t)(eq - spec) >= sizeof v->key)
        return fc_err_set(FC_EINVAL, "--vary %s: expected section.key=values", spec);
    memcpy(v->key, spec, (size_t)(eq - spec));
    const char *vals = eq + 1;
    int nkeys = 1;
    for (const char *q = v->key; *q; q++)
        nkeys += *q == '+';
    if (strchr(vals, ':') && nkeys == 1) return expand_range(vals, v);
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", vals);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (v->count == FC_CLI_MAX_VALUES || strlen(tok) >= sizeof v->value[0])
            return fc_err_set(FC_EINVAL, "--vary %s: too many or too long values", spec);
        int nv = 1;
        for (const char *q = tok; *q; q++)
            nv += *q == '+';
        if (nv != nkeys)
            return fc_err_set(FC_EINVAL, "--vary %s: value '%s' has %d parts for %d keys", spec,
                              tok, nv, nkeys);
        snprintf(v->value[v->count++], sizeof v->value[0], "%s", tok);
    }
    if (v->count == 0) return fc_err_set(FC_EINVAL, "--vary %s: no values", spec);
    return FC_OK;
}

static int parse_command(const char *word, fc_cli_t *cli)
{
    static const struct {
        const char *name;
        fc_cli_cmd_t cmd;
    } cmds[] = {
        {"run", FC_CLI_RUN},   {"sweep", FC_CLI_SWEEP},      {"partition", FC_CLI_PARTITION},
        {"plot", FC_CLI_PLOT}, {"--help", FC_CLI_HELP},      {"-h", FC_CLI_HELP},
        {"help", FC_CLI_HELP}, {"--version", FC_CLI_VERSION}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(word, cmds[i].name) == 0) {
            cli->cmd = cmds[i].cmd;
            return FC_OK;
        }
    return fc_err_set(FC_EINVAL, "unknown command '%s' (try fedpc --help)", word);
}

int fc_cli_parse(int argc, char **argv, fc_cli_t *cli)
{
    memset(cli, 0, sizeof *cli);
    if (argc < 2) return fc_err_set(FC_EINVAL, "no command given (try fedpc --help)");
    int err = parse_command(argv[1], cli);
    if (err || cli->cmd == FC_CLI_HELP || cli->cmd == FC_CLI_VERSION) return err;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "--help") == 0) {
            cli->cmd = FC_CLI_HELP;
            return FC_OK;
        } else if (strcmp(a, "--quiet") == 0) {
            cli->quiet = 1;
        } else if (strcmp(a, "--out") == 0 && has_value) {
            cli->out = argv[++i];
        } else if (strcmp(a, "--set") == 0 && has_value) {
            if (cli->nsets == FC_CLI_MAX_SETS) return fc_err_set(FC_EINVAL, "too many --set");
            cli->set[cli->nsets++] = argv[++i];
        } else if (strcmp(a, "--vary") == 0 && has_value && cli->cmd == FC_CLI_SWEEP) {
            if (cli->nvary == FC_CLI_MAX_VARY) return fc_err_set(FC_EINVAL, "too many --vary");
            err = fc_cli_parse_vary(argv[++i], &cli->vary[cli->nvary++]);
            if (err) return err;
        } else if (a[0] == '-') {
            return fc_err_set(FC_EINVAL, "%s: unknown option or missing value (try fedpc --help)",
                              a);
        } else if (!cli->config) {
            cli->config = a;
            cli->dirs[cli->ndirs++] = a;
        } else if (cli->cmd == FC_CLI_PLOT && cli->ndirs < FC_CLI_MAX_DIRS) {
            cli->dirs[cli->ndirs++] = a;
        } else {
            return fc_err_set(FC_EINVAL, "%s: unexpected argument", a);
        }
    }
    if (!cli->config)
        return fc_err_set(FC_EINVAL, "%s: missing %s", argv[1],
                          cli->cmd == FC_CLI_PLOT ? "DIR" : "CONFIG.ini");
    if (cli->cmd == FC_CLI_SWEEP && cli->nvary == 0)
        return fc_err_set(FC_EINVAL, "sweep: at least one --vary section.key=values is needed");
    if (cli->cmd == FC_CLI_PLOT && cli->ndirs > 1 && !cli->out)
        return fc_err_set(FC_EINVAL, "plot: several folders need --out OUT for the comparison");
    if (cli->cmd == FC_CLI_PARTITION && !cli->out)
        return fc_err_set(FC_EINVAL, "partition: --out DIR is required");
    return FC_OK;
}
