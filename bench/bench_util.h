/* Small helpers shared by the bench tools: monotonic clock, flag parsing, machine facts and
 * the headline line every instrument ends with (`<name>: <number> <unit>`). */
#ifndef PETRO_BENCH_UTIL_H
#define PETRO_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Monotonic time in nanoseconds. */
uint64_t bench_now_ns(void);
/** Parse a whole decimal number in [min, max] for flag; on error print and exit 2. */
uint64_t bench_parse_u64(const char *prog, const char *flag, const char *text, uint64_t min,
                         uint64_t max);
/** Number of online cores (>= 1). */
unsigned bench_cores(void);
/** CPU model name from /proc/cpuinfo into out ("unknown" if absent). */
void bench_cpu_model(char *out, size_t cap);
/** splitmix64 step: a fast deterministic generator for the load. */
uint64_t bench_rand(uint64_t *state);

#endif
