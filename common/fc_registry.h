/* fc_registry.h — name registries for the tables of operations (families, models,
 * algorithms). A row is any struct whose first member is `const char *name`; a registry
 * holds borrowed pointers to rows, built-in ones first, then those added through the
 * public registration calls (fc_family_register, fc_model_register, fc_algo_register)
 * before a run starts. This is the one piece of process-wide mutable state: like PETSc's
 * KSPRegister, it is written at start-up and only read afterwards. */
#ifndef FC_REGISTRY_H
#define FC_REGISTRY_H

#include <stddef.h>

#include "fc_error.h"

#define FC_REGISTRY_MAX 32

typedef struct {
    const char *kind; /* "family", "model", "algorithm": for messages */
    const void *row[FC_REGISTRY_MAX];
    size_t n;
} fc_registry_t;

/* The row called name, or NULL (also for name == NULL). */
const void *fc_registry_find(const fc_registry_t *r, const char *name);
/* Add a row (borrowed: it must outlive every run). FC_EINVAL, naming the kind, if the row
 * has no name, the name is taken or the registry is full. */
FC_MUST int fc_registry_add(fc_registry_t *r, const void *row);
/* The registered names, comma-separated, in registration order ("iso, diag, full"). */
void fc_registry_names(const fc_registry_t *r, char *buf, size_t size);

/* Largest length of fc_registry_names's text. */
#define FC_REGISTRY_NAMES_MAX 512

#endif
