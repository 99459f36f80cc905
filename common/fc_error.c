/* fc_error.c — error names and exit statuses from the one list, and the per-thread message
 * slot and call-site trace. */
#include "fc_error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FC_ERRMSG_MAX 1024

/* Thread-local like errno: not knobs, only the last error's text and call sites. */
static _Thread_local char errmsg[FC_ERRMSG_MAX];
static _Thread_local fc_err_site_t trace[FC_TRACE_MAX];
static _Thread_local size_t trace_len, trace_dropped;

const char *fc_strerror(int err)
{
    switch (err) {
#define FC__TEXT(name, status, text)                                                               \
    case FC_##name:                                                                                \
        return text;
        FC_ERRNO_MAP(FC__TEXT)
#undef FC__TEXT
    default:
        return "unknown error";
    }
}

const char *fc_errname(int err)
{
    switch (err) {
#define FC__NAME(name, status, text)                                                               \
    case FC_##name:                                                                                \
        return "FC_" #name;
        FC_ERRNO_MAP(FC__NAME)
#undef FC__NAME
    default:
        return "FC_UNKNOWN";
    }
}

int fc_exit_status(int err)
{
    switch (err) {
#define FC__STATUS(name, status, text)                                                             \
    case FC_##name:                                                                                \
        return FC_EXIT_##status;
        FC_ERRNO_MAP(FC__STATUS)
#undef FC__STATUS
    default:
        return FC_EXIT_INTERNAL;
    }
}

void fc__err_trace_push(const char *file, int line, const char *func)
{
    if (trace_len == FC_TRACE_MAX) {
        trace_dropped++;
        return;
    }
    trace[trace_len].file = file;
    trace[trace_len].func = func;
    trace[trace_len].line = line;
    trace_len++;
}

static void trace_reset(void)
{
    trace_len = trace_dropped = 0;
}

int fc__err_set_at(const char *file, int line, const char *func, int err, const char *fmt, ...)
{
    /* Format aside first: the arguments may point into errmsg (wrapping fc_err_msg()), and
     * vsnprintf must not read what it is writing. */
    char text[FC_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    memcpy(errmsg, text, sizeof errmsg);
    trace_reset();
    fc__err_trace_push(file, line, func);
    return err;
}

const char *fc_err_msg(void)
{
    return errmsg;
}

void fc_err_clear(void)
{
    errmsg[0] = '\0';
    trace_reset();
}

void fc_err_prefix(const char *fmt, ...)
{
    char head[FC_ERRMSG_MAX], old[FC_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, errmsg, sizeof old);
    /* Truncation is acceptable: the head is short and the message is for humans. */
    size_t hl = strlen(head);
    if (hl >= sizeof errmsg) hl = sizeof errmsg - 1;
    memcpy(errmsg, head, hl);
    size_t ol = strlen(old);
    if (ol > sizeof errmsg - 1 - hl) ol = sizeof errmsg - 1 - hl;
    memcpy(errmsg + hl, old, ol);
    errmsg[hl + ol] = '\0';
}

size_t fc_err_trace(const fc_err_site_t **sites)
{
    if (sites) *sites = trace;
    return trace_len;
}

size_t fc_err_trace_dropped(void)
{
    return trace_dropped;
}

void fc_err_trace_dump(FILE *f)
{
    const char *on = getenv("FEDPC_TRACE");
    if (!on || !*on || strcmp(on, "0") == 0 || trace_len == 0) return;
    for (size_t i = 0; i < trace_len; i++) {
        /* The build passes absolute paths; the file name is enough to find the line. */
        const char *base = strrchr(trace[i].file, '/');
        fprintf(f, "  at %s:%d (%s)\n", base ? base + 1 : trace[i].file, trace[i].line,
                trace[i].func);
    }
    if (trace_dropped) fprintf(f, "  ... and %zu more call sites\n", trace_dropped);
}
