/* Logging: see log.h. The line is formatted into a stack buffer first and written with a
 * single fputs, because stdio locks the stream per call: concurrent lines never mix. A line
 * longer than the buffer is cut and marked with "...", which only ever affects diagnostics.
 * petrod's assertion handler (assert.h) lives here too: its one line is a log line.
 *
 * log_level_min is the one file-scope variable of petrod: the process-wide level, set once by
 * main before any thread starts and read-only afterwards. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assert.h"

static log_level log_level_min = LOG_LEVEL_INFO;

void log_set_level(log_level level) { log_level_min = level; }

static const char *log_level_name(log_level level) {
    switch (level) {
    case LOG_LEVEL_DEBUG: return "debug";
    case LOG_LEVEL_INFO: return "info";
    case LOG_LEVEL_WARN: return "warn";
    case LOG_LEVEL_ERROR: return "error";
    }
    return "?";
}

void log_write(log_level level, const char *fmt, ...) {
    if (level < log_level_min) return;
    char line[1024];
    size_t used = 0;

    struct timespec ts;
    struct tm tm;
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && gmtime_r(&ts.tv_sec, &tm) != NULL) {
        size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
        int m = snprintf(line + n, sizeof line - n, ".%03ldZ ", ts.tv_nsec / 1000000L);
        used = n + (m > 0 ? (size_t)m : 0);
    }
    int m = snprintf(line + used, sizeof line - used, "petrod %s: ", log_level_name(level));
    if (m > 0) used += (size_t)m;
    if (used >= sizeof line) used = sizeof line - 1;

    va_list ap;
    va_start(ap, fmt);
    int body = vsnprintf(line + used, sizeof line - used, fmt, ap);
    va_end(ap);
    if (body < 0) body = 0;
    size_t end = used + (size_t)body;
    if (end >= sizeof line - 1) {
        /* Cut: mark it so nobody mistakes a truncated line for a whole one. */
        memcpy(line + sizeof line - 5, "...\n", 5);
    } else {
        line[end] = '\n';
        line[end + 1] = '\0';
    }
    fputs(line, stderr);
}

_Noreturn void petrod_assert_fail(const char *file, int line, const char *func,
                                  const char *expr) {
    log_write(LOG_LEVEL_ERROR, "assertion failed: %s:%d %s: %s", file, line, func, expr);
    fflush(stderr);
    abort();
}

void fmt_line(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= cap && cap > 4) memcpy(out + cap - 4, "...", 4);
}
