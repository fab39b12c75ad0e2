/*
 * kgw_log: the gateway's one logger. Lines go to stderr, one write(2) per
 * line so that lines from different worker threads never interleave.
 *
 * Two formats: "text" (timestamp level message) and "json" (one object per
 * line with ts, level, msg). Callers must never pass secrets (passwords,
 * SASL tokens, key material) to these functions: the logger cannot tell.
 */
#ifndef KGW_LOG_H
#define KGW_LOG_H

#include <stdarg.h>
#include <stdbool.h>

typedef enum kgw_log_level {
    KGW_LOG_ERROR = 0,
    KGW_LOG_WARN = 1,
    KGW_LOG_INFO = 2,
    KGW_LOG_DEBUG = 3,
} kgw_log_level_t;

typedef enum kgw_log_format {
    KGW_LOG_TEXT = 0,
    KGW_LOG_JSON = 1,
} kgw_log_format_t;

/* Sets the threshold and format; safe to call at any time from any thread. */
void kgw_log_configure(kgw_log_level_t level, kgw_log_format_t format);

/* Parses "error" | "warn" | "info" | "debug"; returns false for anything else. */
bool kgw_log_level_parse(const char *name, kgw_log_level_t *out);

/* Parses "text" | "json"; returns false for anything else. */
bool kgw_log_format_parse(const char *name, kgw_log_format_t *out);

/* True when a message at `level` would be written (to skip costly formatting). */
bool kgw_log_enabled(kgw_log_level_t level);

/* Formats and writes one line. Messages longer than 4 KiB are truncated. */
void kgw_log(kgw_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kgw_logv(kgw_log_level_t level, const char *fmt, va_list ap);

#define kgw_log_error(...) kgw_log(KGW_LOG_ERROR, __VA_ARGS__)
#define kgw_log_warn(...) kgw_log(KGW_LOG_WARN, __VA_ARGS__)
#define kgw_log_info(...) kgw_log(KGW_LOG_INFO, __VA_ARGS__)
#define kgw_log_debug(...)                                                                         \
    do {                                                                                           \
        if (kgw_log_enabled(KGW_LOG_DEBUG))                                                        \
            kgw_log(KGW_LOG_DEBUG, __VA_ARGS__);                                                   \
    } while (0)

#endif
