/* fc_error.c — error names and the per-thread message slot. */
#include "fc_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FC_ERRMSG_MAX 1024

/* Thread-local like errno: not a knob, only the last error's text. */
static _Thread_local char errmsg[FC_ERRMSG_MAX];

const char *fc_strerror(int err)
{
    switch (err) {
#define FC__TEXT(name, text)                                                                       \
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
#define FC__NAME(name, text)                                                                       \
    case FC_##name:                                                                                \
        return "FC_" #name;
        FC_ERRNO_MAP(FC__NAME)
#undef FC__NAME
    default:
        return "FC_UNKNOWN";
    }
}

int fc_err_set(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    return err;
}

const char *fc_err_msg(void)
{
    return errmsg;
}

void fc_err_clear(void)
{
    errmsg[0] = '\0';
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
