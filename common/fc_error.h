/* fc_error.h — error codes and exit statuses, the error-message slot, the call-site trace
 * and the propagation macros. One list (FC_ERRNO_MAP) generates the enum, fc_strerror(),
 * fc_errname() and fc_exit_status(), so none of them can drift from the others. */
#ifndef FC_ERROR_H
#define FC_ERROR_H

#include <stddef.h>
#include <stdio.h>

/* The process exit statuses (SPEC §5): X(name, value, meaning). */
#define FC_EXIT_MAP(X)                                                                             \
    X(DONE, 0, "done: converged or reached run.rounds")                                            \
    X(INTERNAL, 1, "internal or system error")                                                     \
    X(INPUT, 2, "bad input: command line, config, data, checkpoint or output path")                \
    X(DIVERGED, 3, "diverged")

enum {
#define FC__EXIT_ENUM(name, value, text) FC_EXIT_##name = value,
    FC_EXIT_MAP(FC__EXIT_ENUM)
#undef FC__EXIT_ENUM
};

/* X(code, exit status, text). The exit status is that of a run the error ends:
 * - INPUT for everything the user can fix by changing what they gave us. EINVAL is a value
 *   refused by a function (today: a command-line or config value, a model size); EIO is a
 *   file or folder named in the config or on the command line that cannot be opened, read
 *   or written (missing data, unwritable output folder, full disk); ETOOBIG is a size that
 *   does not fit (BLAS's int lengths: d×d with d above 46 340; also meant for the memory
 *   pre-flight).
 * - DIVERGED for the numerical failures: a precision that is not positive definite or a
 *   non-finite number. (Inside the rounds the server catches them and ends the run as
 *   "diverged" with its rows kept; elsewhere they still mean the iteration blew up.)
 * - INTERNAL for the system and the library: memory allocation and MPI.
 * New codes go at the end: ranks agree on an error by its largest code (fc_tp_agree). */
#define FC_ERRNO_MAP(X)                                                                            \
    X(OK, DONE, "success")                                                                         \
    X(ENOMEM, INTERNAL, "out of memory")                                                           \
    X(EINVAL, INPUT, "invalid argument")                                                           \
    X(ECONFIG, INPUT, "bad configuration")                                                         \
    X(EDATA, INPUT, "bad data")                                                                    \
    X(ENOTSPD, DIVERGED, "matrix not positive definite")                                           \
    X(ENUMERIC, DIVERGED, "non-finite number")                                                     \
    X(EMPI, INTERNAL, "MPI failure")                                                               \
    X(EIO, INPUT, "input/output error")                                                            \
    X(ETOOBIG, INPUT, "problem too large")

typedef enum {
#define FC__ENUM(name, status, text) FC_##name,
    FC_ERRNO_MAP(FC__ENUM)
#undef FC__ENUM
        FC_NERR
} fc_err_t;

#define FC_MUST __attribute__((warn_unused_result))

/* Text and symbolic name of an error code ("out of memory", "FC_ENOMEM"); "unknown error"
 * and "FC_UNKNOWN" for a value outside the list. */
const char *fc_strerror(int err);
const char *fc_errname(int err);
/* The exit status (FC_EXIT_*) of a run that ends with error err: FC_EXIT_DONE for FC_OK,
 * FC_EXIT_INTERNAL for a value outside the list. */
int fc_exit_status(int err);

/* The error message slot: like errno, one per thread. The function where an error
 * is born writes a message with its context (file, line, key, client); callers
 * only propagate the code. fc_err_set returns err so it can be returned directly; the
 * arguments may include fc_err_msg() itself (wrapping the previous message). It also
 * starts a new trace whose first site is the caller's. */
#define fc_err_set(...) fc__err_set_at(__FILE__, __LINE__, __func__, __VA_ARGS__)
int fc__err_set_at(const char *file, int line, const char *func, int err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
const char *fc_err_msg(void);
/* Empty the message and the trace. */
void fc_err_clear(void);
/* Prefix the current message with more context ("rank 2, client 5: ..."). */
void fc_err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The trace: the call sites an error went through on this thread, born first, one entry
 * per fc_err_set / FC_FAIL (which restart it) and per FC_CALL that propagated it. At most
 * FC_TRACE_MAX sites are kept (the innermost ones); later ones are only counted. No
 * allocation: the strings are the compiler's __FILE__ and __func__ literals. An error
 * returned without fc_err_set (a bare `return FC_EMPI`, another rank's code from an
 * agreement) adds its FC_CALL steps to whatever trace the thread holds. */
enum { FC_TRACE_MAX = 16 };
typedef struct {
    const char *file; /* as the compiler saw it (__FILE__) */
    const char *func;
    int line;
} fc_err_site_t;
/* Number of sites kept; *sites (optional) points at them, born first. Borrowed: valid until
 * this thread's next error. */
size_t fc_err_trace(const fc_err_site_t **sites);
/* Sites that did not fit in the trace. */
size_t fc_err_trace_dropped(void);
/* Record one propagation step (what FC_CALL does on failure). */
void fc__err_trace_push(const char *file, int line, const char *func);
/* Write the trace to f ("  at fc_data_csv.c:120 (read_row)" per site, born first) when the
 * environment has FEDPC_TRACE=1 and the trace is not empty; otherwise nothing. For main and
 * the server, after the message: users see the message, developers ask for the sites. */
void fc_err_trace_dump(FILE *f);

/* Propagate: requires `int err` and a `cleanup:` label in the caller. */
#define FC_CALL(expr)                                                                              \
    do {                                                                                           \
        err = (expr);                                                                              \
        if (err != FC_OK) {                                                                        \
            fc__err_trace_push(__FILE__, __LINE__, __func__);                                      \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* Fail with a fresh message (and a fresh trace starting here) and jump to cleanup. */
#define FC_FAIL(code, ...)                                                                         \
    do {                                                                                           \
        err = fc_err_set((code), __VA_ARGS__);                                                     \
        goto cleanup;                                                                              \
    } while (0)

#endif
