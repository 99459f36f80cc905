/* fc_mem.c — checked allocation. */
#include "fc_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int fc_mul_size(size_t n, size_t size, size_t *out)
{
    if (size != 0 && n > SIZE_MAX / size)
        return fc_err_set(FC_ENOMEM, "allocation size overflow: %zu x %zu bytes", n, size);
    *out = n * size;
    return FC_OK;
}

static int alloc_impl(size_t n, size_t size, void *out, int zero)
{
    size_t bytes = 0;
    void *p;
    *(void **)out = NULL;
    if (fc_mul_size(n, size, &bytes) != FC_OK) return FC_ENOMEM;
    if (bytes == 0) bytes = 1;
    p = zero ? calloc(1, bytes) : malloc(bytes);
    if (!p) return fc_err_set(FC_ENOMEM, "out of memory allocating %zu bytes", bytes);
    *(void **)out = p;
    return FC_OK;
}

int fc_alloc(size_t n, size_t size, void *out)
{
    return alloc_impl(n, size, out, 0);
}

int fc_calloc(size_t n, size_t size, void *out)
{
    return alloc_impl(n, size, out, 1);
}

int fc_realloc(void *p, size_t n, size_t size)
{
    size_t bytes = 0;
    void *q;
    if (fc_mul_size(n, size, &bytes) != FC_OK) return FC_ENOMEM;
    if (bytes == 0) bytes = 1;
    q = realloc(*(void **)p, bytes);
    if (!q) return fc_err_set(FC_ENOMEM, "out of memory allocating %zu bytes", bytes);
    *(void **)p = q;
    return FC_OK;
}

void fc_free(void *p)
{
    if (!p) return;
    free(*(void **)p);
    *(void **)p = NULL;
}

int fc_strdup(const char *s, char **out)
{
    size_t n = strlen(s) + 1;
    int err = fc_alloc(n, 1, out);
    if (err) return err;
    memcpy(*out, s, n);
    return FC_OK;
}
