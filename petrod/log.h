/* Logging of petrod: one line per event on stderr, with a UTC timestamp and a level.
 *
 * stdout is reserved for the startup banner (tests read it through a pipe), so every
 * diagnostic goes to stderr. Lines are written with one stdio call each, so lines of
 * different threads never interleave. Secrets are never passed here. */
#ifndef PETROD_LOG_H
#define PETROD_LOG_H

#include <stddef.h>

typedef enum {
    LOG_LEVEL_DEBUG = 0,
    LOG_LEVEL_INFO = 1,
    LOG_LEVEL_WARN = 2,
    LOG_LEVEL_ERROR = 3
} log_level;

/** Lines below level are not written. Default LOG_LEVEL_INFO. Call before threads start. */
void log_set_level(log_level level);

#if defined(__GNUC__)
#define LOG_PRINTF_(fmt_index) __attribute__((format(printf, fmt_index, fmt_index + 1)))
#else
#define LOG_PRINTF_(fmt_index)
#endif

/** Write one line: "<time> petrod <level>: <message>". Thread-safe. */
void log_write(log_level level, const char *fmt, ...) LOG_PRINTF_(2);

/** Format one line of text into out (cap bytes, always terminated); a line cut by a small
 *  buffer ends in "..." so the cut shows. For the one-line reasons petrod prints. */
void fmt_line(char *out, size_t cap, const char *fmt, ...) LOG_PRINTF_(3);

#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)

#endif
