/* Deadlines for pthread_cond_timedwait on CLOCK_MONOTONIC (the clock the node's condition
 * variables are set to use). */
#ifndef PETROD_DEADLINE_H
#define PETROD_DEADLINE_H

#include <stdint.h>
#include <time.h>

/** Now (CLOCK_MONOTONIC) plus ms milliseconds. */
static inline struct timespec deadline_after_ms(uint32_t ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000u);
    ts.tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

#endif
