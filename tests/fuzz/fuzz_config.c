/* fuzz_config.c — fuzz the configuration reader: the input as an INI file
 * (fc_config_load, then fc_config_validate and the echo), and as --set assignments
 * (the whole input as one, then each line in turn, as `fedpc run --set` would). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_config.h"
#include "fc_error.h"
#include "fuzz_util.h"

typedef struct {
    const fc_config_t *c;
    size_t keys;
} echo_t;

/* The echo and fc_config_where for every key: both format every field as text. */
static void echo_key(const char *section, const char *key, const char *value, void *ctx)
{
    echo_t *e = ctx;
    char name[96], where[FC_PATH_MAX + 128], back[FC_CONFIG_VALUE_MAX];
    snprintf(name, sizeof name, "%s.%s", section, key);
    fc_config_where(e->c, name, where, sizeof where);
    if (fc_config_get(e->c, name, back, sizeof back) != FC_OK)
        fz_fail("config", "fc_config_get fails on a key the echo shows");
    if (strcmp(back, value) != 0) fz_fail("config", "fc_config_get and the echo disagree");
    e->keys++;
}

static void echo(const fc_config_t *c)
{
    echo_t e = {c, 0};
    fc_config_visit(c, echo_key, &e);
    if (e.keys != FC_CONFIG_NKEYS) fz_fail("config", "the echo skipped keys");
}

/* A failed call must leave the config as it was (fc_config.h: "*c is untouched"). */
static void check_untouched(const fc_config_t *before, const fc_config_t *after)
{
    if (memcmp(before, after, sizeof *before) != 0)
        fz_fail("config", "a failed call changed the config");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The struct is large (paths, groups): keep it off the stack. */
    static fc_config_t c, saved;
    char path[1024];
    char *text, *line, *next;
    int err;

    /* 1. The input as a config file. */
    fz_write("fuzz.ini", data, size);
    fz_path(path, sizeof path, "fuzz.ini");
    fc_config_defaults(&c);
    saved = c;
    err = fc_config_load(path, &c);
    if (err == FC_OK) {
        echo(&c);
        err = fc_config_validate(&c);
        if (err != FC_OK) fz_check_error("config", err, NULL);
    } else {
        fz_check_error("config", err, path);
        check_untouched(&saved, &c);
        fc_config_defaults(&c);
    }

    /* 2. The whole input as one --set (up to the first NUL, as argv would cut it). */
    text = fz_strndup(data, size);
    saved = c;
    err = fc_config_set(&c, text);
    if (err != FC_OK) {
        fz_check_error("config", err, "--set ");
        check_untouched(&saved, &c);
    }

    /* 3. Each line as its own --set on top of the loaded file (or the defaults), then
     * the cross-key checks, whose messages name where each key came from. */
    for (line = text; line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        if (!*line) continue;
        saved = c;
        err = fc_config_set(&c, line);
        if (err != FC_OK) {
            fz_check_error("config", err, "--set ");
            check_untouched(&saved, &c);
        }
    }
    echo(&c);
    err = fc_config_validate(&c);
    if (err != FC_OK) fz_check_error("config", err, NULL);
    free(text);
    return 0;
}
