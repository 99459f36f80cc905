/* fc_error.h — error codes, the error-message slot and the propagation macro.
 * One list (FC_ERRNO_MAP) generates the enum, fc_strerror() and fc_errname(). */
#ifndef FC_ERROR_H
#define FC_ERROR_H

#include <stddef.h>

#define FC_ERRNO_MAP(X)                                                                            \
    X(OK, "success")                                                                               \
    X(ENOMEM, "out of memory")                                                                     \
    X(EINVAL, "invalid argument")                                                                  \
    X(ECONFIG, "bad configuration")                                                                \
    X(EDATA, "bad data")                                                                           \
    X(ENOTSPD, "matrix not positive definite")                                                     \
    X(ENUMERIC, "non-finite number")                                                               \
    X(EMPI, "MPI failure")                                                                         \
    X(EIO, "input/output error")

typedef enum {
#define FC__ENUM(name, text) FC_##name,
    FC_ERRNO_MAP(FC__ENUM)
#undef FC__ENUM
        FC_NERR
} fc_err_t;

#define FC_MUST __attribute__((warn_unused_result))

/* Text and symbolic name of an error code ("out of memory", "FC_ENOMEM"). */
const char *fc_strerror(int err);
const char *fc_errname(int err);

/* The error message slot: like errno, one per thread. The function where an error
 * is born writes a message with its context (file, line, key, client); callers
 * only propagate the code. fc_err_set returns err so it can be returned directly. */
int fc_err_set(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *fc_err_msg(void);
void fc_err_clear(void);
/* Prefix the current message with more context ("rank 2, client 5: ..."). */
void fc_err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Propagate: requires `int err` and a `cleanup:` label in the caller. */
#define FC_CALL(expr)                                                                              \
    do {                                                                                           \
        err = (expr);                                                                              \
        if (err != FC_OK) goto cleanup;                                                            \
    } while (0)

/* Fail with a fresh message and jump to cleanup. */
#define FC_FAIL(code, ...)                                                                         \
    do {                                                                                           \
        err = fc_err_set((code), __VA_ARGS__);                                                     \
        goto cleanup;                                                                              \
    } while (0)

#endif
