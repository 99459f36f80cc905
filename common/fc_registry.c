/* fc_registry.c — name registries for the tables of operations. */
#include "fc_registry.h"

#include <stdio.h>
#include <string.h>

static const char *row_name(const void *row)
{
    return *(const char *const *)row;
}

const void *fc_registry_find(const fc_registry_t *r, const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(row_name(r->row[i]), name) == 0) return r->row[i];
    return NULL;
}

int fc_registry_add(fc_registry_t *r, const void *row)
{
    if (!row || !row_name(row) || !row_name(row)[0])
        return fc_err_set(FC_EINVAL, "a %s row needs a name", r->kind);
    if (fc_registry_find(r, row_name(row)))
        return fc_err_set(FC_EINVAL, "%s '%s' is registered already", r->kind, row_name(row));
    if (r->n == FC_REGISTRY_MAX)
        return fc_err_set(FC_EINVAL, "cannot register %s '%s': at most %d", r->kind, row_name(row),
                          FC_REGISTRY_MAX);
    r->row[r->n++] = row;
    return FC_OK;
}

void fc_registry_names(const fc_registry_t *r, char *buf, size_t size)
{
    size_t used = 0;
    if (size) buf[0] = '\0';
    for (size_t i = 0; i < r->n && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", row_name(r->row[i]));
        if (n < 0) return;
        used += (size_t)n;
    }
}
