/* fc_mem.h — the one checked allocator. Every buffer comes from fc_alloc/fc_calloc
 * (n * size checked for overflow, message on failure) and goes back via fc_free. */
#ifndef FC_MEM_H
#define FC_MEM_H

#include <stddef.h>

#include "fc_error.h"

/* Allocate n*size bytes (uninitialised / zeroed) into *out. Returns FC_ENOMEM on
 * overflow or failure, with *out left NULL. n == 0 yields a valid 1-byte block. */
FC_MUST int fc_alloc(size_t n, size_t size, void *out);
FC_MUST int fc_calloc(size_t n, size_t size, void *out);
/* Resize *p to n*size bytes; on failure *p is unchanged. */
FC_MUST int fc_realloc(void *p, size_t n, size_t size);
/* Free *p (a pointer to the pointer) and set it to NULL. Accepts NULL. */
void fc_free(void *p);
/* n*size without overflow: returns 0 and writes *out, or FC_ENOMEM. */
FC_MUST int fc_mul_size(size_t n, size_t size, size_t *out);
/* Duplicate a string. */
FC_MUST int fc_strdup(const char *s, char **out);

#endif
