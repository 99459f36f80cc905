/* fc_cli.h — the command line (SPEC §5): parsing into a struct, sweep value lists, help. */
#ifndef FC_CLI_H
#define FC_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "fc_error.h"

#define FC_CLI_MAX_SETS 64
#define FC_CLI_MAX_VARY 8
#define FC_CLI_MAX_VALUES 256
#define FC_CLI_MAX_DIRS 64

typedef enum {
    FC_CLI_RUN,
    FC_CLI_SWEEP,
    FC_CLI_PARTITION,
    FC_CLI_PLOT,
    FC_CLI_HELP,
    FC_CLI_VERSION
} fc_cli_cmd_t;

/* One --vary: a key and its values, or several keys joined by '+' whose values are
 * joined by '+' too and vary together ("algorithm.name+algorithm.family=fpc+full,ama+iso"). */
typedef struct {
    char key[96]; /* section.key[+section.key...] */
    int count;
    char value[FC_CLI_MAX_VALUES][64]; /* expanded values */
} fc_vary_t;

typedef struct {
    fc_cli_cmd_t cmd;
    const char *config; /* borrowed from argv (plot: the first folder) */
    int ndirs;          /* plot: the folders given, ≥ 1 */
    const char *dirs[FC_CLI_MAX_DIRS];
    const char *out; /* --out, or NULL */
    int quiet;
    int nsets;
    const char *set[FC_CLI_MAX_SETS]; /* "section.key=value", borrowed */
    int nvary;
    fc_vary_t vary[FC_CLI_MAX_VARY];
} fc_cli_t;

/* Parse argv. FC_EINVAL with a message naming the offending argument. */
FC_MUST int fc_cli_parse(int argc, char **argv, fc_cli_t *cli);
/* Expand "key=v1,v2,..." or "key=start:stop:count[:log]" into v. */
FC_MUST int fc_cli_parse_vary(const char *spec, fc_vary_t *v);
/* The --help text. */
const char *fc_cli_help(void);
/* Print it, then the registered algorithms, families and models (the registries' names). */
void fc_cli_print_help(FILE *f);

#endif
