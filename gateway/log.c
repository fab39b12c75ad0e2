/*
 * kgw_log: formatted lines to stderr, one write(2) each. No locks: the
 * level and format are atomics, and each line is built in a stack buffer.
 */
#include "log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KGW_LOG_LINE_MAX 4096

static _Atomic int kgw__log_level = KGW_LOG_INFO;
static _Atomic int kgw__log_format = KGW_LOG_TEXT;

static const char *const kgw__log_names[] = {"error", "warn", "info", "debug"};

void
kgw_log_configure(kgw_log_level_t level, kgw_log_format_t format)
{
    atomic_store(&kgw__log_level, (int)level);
    atomic_store(&kgw__log_format, (int)format);
}

bool
kgw_log_level_parse(const char *name, kgw_log_level_t *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, kgw__log_names[i]) == 0) {
            *out = (kgw_log_level_t)i;
            return true;
        }
    }
    return false;
}

bool
kgw_log_format_parse(const char *name, kgw_log_format_t *out)
{
    if (strcmp(name, "text") == 0) {
        *out = KGW_LOG_TEXT;
        return true;
    }
    if (strcmp(name, "json") == 0) {
        *out = KGW_LOG_JSON;
        return true;
    }
    return false;
}

bool
kgw_log_enabled(kgw_log_level_t level)
{
    return (int)level <= atomic_load(&kgw__log_level);
}

/* Appends `s` JSON-escaped to out[*len..cap-1]; stops silently when full. */
static void
kgw__log_json_escape(char *out, size_t cap, size_t *len, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[7];
        size_t n = 0;
        if (c == '"' || c == '\\') {
            esc[n++] = '\\';
            esc[n++] = (char)c;
        } else if (c == '\n') {
            esc[n++] = '\\';
            esc[n++] = 'n';
        } else if (c == '\t') {
            esc[n++] = '\\';
            esc[n++] = 't';
        } else if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            n = 4;
            esc[n++] = hex[c >> 4];
            esc[n++] = hex[c & 15];
        } else {
            esc[n++] = (char)c;
        }
        if (*len + n >= cap)
            return;
        memcpy(out + *len, esc, n);
        *len += n;
    }
}

void
kgw_logv(kgw_log_level_t level, const char *fmt, va_list ap)
{
    if (!kgw_log_enabled(level))
        return;

    char msg[KGW_LOG_LINE_MAX];
    int m = vsnprintf(msg, sizeof(msg), fmt, ap);
    if (m < 0)
        return;

    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[96];
    snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);

    char line[KGW_LOG_LINE_MAX + 256];
    size_t len = 0;
    if (atomic_load(&kgw__log_format) == KGW_LOG_JSON) {
        int n = snprintf(line, sizeof(line), "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"", stamp,
                         kgw__log_names[level]);
        len = (size_t)n;
        kgw__log_json_escape(line, sizeof(line) - 3, &len, msg);
        memcpy(line + len, "\"}\n", 3);
        len += 3;
    } else {
        for (char *p = msg; *p != '\0'; p++) {
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        }
        int n = snprintf(line, sizeof(line) - 1, "%s %-5s %s", stamp, kgw__log_names[level], msg);
        len = n < (int)sizeof(line) - 1 ? (size_t)n : sizeof(line) - 2;
        line[len++] = '\n';
    }

    size_t off = 0;
    while (off < len) {
        ssize_t w = write(STDERR_FILENO, line + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        off += (size_t)w;
    }
}

void
kgw_log(kgw_log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kgw_logv(level, fmt, ap);
    va_end(ap);
}
