/*
 * log.h — leveled logging to stderr, as text or as JSON lines.
 *
 * One process-wide logger: level and format are set once at start-up from the
 * command line or configuration. Text lines look like
 *   2026-11-25T18:00:00.123Z warn  sense: capture.pcap: byte 40: truncated
 * JSON lines carry ts, level, subsys, msg.
 */
#ifndef SAKIMORI_LOG_H
#define SAKIMORI_LOG_H

enum sk_log_level {
    SK_LOG_DEBUG,
    SK_LOG_INFO,
    SK_LOG_WARN,
    SK_LOG_ERROR,
    SK_LOG_OFF,
};

void sk_log_set_level(enum sk_log_level level);
enum sk_log_level sk_log_get_level(void);
void sk_log_set_json(int json);
/* Parses "debug", "info", "warn", "error", "off"; -SK_EINVAL otherwise. */
int sk_log_level_parse(const char *s, enum sk_log_level *out);

void sk_log(enum sk_log_level level, const char *subsys, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define sk_debug(sub, ...) sk_log(SK_LOG_DEBUG, sub, __VA_ARGS__)
#define sk_info(sub, ...)  sk_log(SK_LOG_INFO, sub, __VA_ARGS__)
#define sk_warn(sub, ...)  sk_log(SK_LOG_WARN, sub, __VA_ARGS__)
#define sk_error(sub, ...) sk_log(SK_LOG_ERROR, sub, __VA_ARGS__)

#endif
