/*
 * error.c — messages for SK_E… codes and -errno, generated from SK_ERRNO_MAP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sakimori/error.h"
#include "sakimori/log.h"

static const char *const sk_err_msgs[] = {
#define SK__ERR_MSG(name, msg) msg,
    SK_ERRNO_MAP(SK__ERR_MSG)
#undef SK__ERR_MSG
};

static const char *const sk_err_names[] = {
#define SK__ERR_NAME(name, msg) "SK_" #name,
    SK_ERRNO_MAP(SK__ERR_NAME)
#undef SK__ERR_NAME
};

const char *sk_strerror(int err)
{
    if (-err > SK__EBASE && -err < SK__ELAST)
        return sk_err_msgs[-err - SK__EBASE - 1];
    if (err == 0)
        return "success";
    if (err < 0 && err > -4096)
        return strerror(-err);
    return "unknown error";
}

const char *sk_errname(int err)
{
    if (-err > SK__EBASE && -err < SK__ELAST)
        return sk_err_names[-err - SK__EBASE - 1];
    if (err == 0)
        return "OK";
    if (err < 0 && err > -4096) {
        const char *n = strerrorname_np(-err);
        return n ? n : "ERRNO";
    }
    return "UNKNOWN";
}

void sk_errinfo_set(struct sk_errinfo *ei, const char *fmt, ...)
{
    va_list ap;

    if (!ei)
        return;
    va_start(ap, fmt);
    vsnprintf(ei->msg, sizeof ei->msg, fmt, ap);
    va_end(ap);
}

int sk_fail(struct sk_errinfo *ei, int err, const char *fmt, ...)
{
    va_list ap;

    if (ei) {
        va_start(ap, fmt);
        vsnprintf(ei->msg, sizeof ei->msg, fmt, ap);
        va_end(ap);
    }
    return err;
}

int sk__fails(int cond, const char *expr, const char *file, int line)
{
    if (cond)
        sk_log(SK_LOG_WARN, "check", "%s:%d: check failed: %s", file, line, expr);
    return cond;
}
