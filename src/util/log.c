/*
 * log.c — the process-wide logger.
 *
 * Lines are formatted into a local buffer and written with one write(2), so
 * lines from several threads do not interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sakimori/log.h"
#include "sakimori/error.h"
#include "sakimori/nstime.h"

static enum sk_log_level log_level = SK_LOG_INFO;
static int log_json;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void sk_log_set_level(enum sk_log_level level) { log_level = level; }
enum sk_log_level sk_log_get_level(void) { return log_level; }
void sk_log_set_json(int json) { log_json = json; }

int sk_log_level_parse(const char *s, enum sk_log_level *out)
{
    for (int i = 0; i <= SK_LOG_OFF; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum sk_log_level)i;
            return 0;
        }
    }
    return -SK_EINVAL;
}

/* Appends s as JSON string contents (without quotes). */
static size_t json_escape(char *out, size_t cap, size_t pos, const char *s)
{
    for (; *s && pos + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[pos++] = '\\';
            out[pos++] = (char)c;
        } else if (c < 0x20) {
            pos += (size_t)snprintf(out + pos, cap - pos, "\\u%04x", c);
        } else {
            out[pos++] = (char)c;
        }
    }
    return pos;
}

void sk_log(enum sk_log_level level, const char *subsys, const char *fmt, ...)
{
    char msg[2048], line[4096 + 64], ts[SK_RFC3339_LEN];
    size_t n;
    va_list ap;

    if (level < log_level || level >= SK_LOG_OFF)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sk_rfc3339(sk_now() / SK_NS_PER_MS * SK_NS_PER_MS, ts, sizeof ts);

    if (log_json) {
        n = (size_t)snprintf(line, sizeof line,
                             "{\"ts\":\"%s\",\"level\":\"%s\",\"subsys\":\"", ts,
                             level_names[level]);
        n = json_escape(line, sizeof line, n, subsys ? subsys : "");
        n += (size_t)snprintf(line + n, sizeof line - n, "\",\"msg\":\"");
        n = json_escape(line, sizeof line, n, msg);
        n += (size_t)snprintf(line + n, sizeof line - n, "\"}\n");
    } else {
        n = (size_t)snprintf(line, sizeof line, "%s %-5s %s: %s\n", ts,
                             level_names[level], subsys ? subsys : "-", msg);
    }
    if (n > sizeof line - 1)
        n = sizeof line - 1;
    if (write(STDERR_FILENO, line, n) < 0) {
        /* nowhere left to report it */
    }
}
