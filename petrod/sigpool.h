/* Signature verification workers: a fixed pool of threads that run petro_tx_verify_sigs over
 * batches of transactions, so a batch submission uses every core.
 *
 * The queue of batches is bounded (SIGPOOL_QUEUE_JOBS_MAX). When it is full the caller verifies
 * its batch itself, so nothing waits on an unbounded backlog. The caller also works on its
 * own batch while waiting, which keeps every thread busy and makes a pool of zero workers
 * valid (everything runs on the caller). */
#ifndef PETROD_SIGPOOL_H
#define PETROD_SIGPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "petro/petro.h"

#define SIGPOOL_THREAD_COUNT_MAX 256u
#define SIGPOOL_QUEUE_JOBS_MAX 64u

typedef struct sigpool sigpool;

/** One transaction to verify. tx and id are borrowed for the call; mask is the output. */
typedef struct sigpool_item {
    const petro_tx *tx;
    const petro_hash *id;
    uint32_t mask; /* out: bit i set iff tx->sigs[i] verifies */
} sigpool_item;

/** Start thread_count workers (0..SIGPOOL_THREAD_COUNT_MAX). Returns PETRO_OK, PETRO_ERR_NOMEM,
 *  or PETRO_ERR_IO (a thread could not start). */
petro_result sigpool_create(sigpool **out, uint32_t thread_count);
/** Stop and join the workers. No sigpool_verify may be running. NULL is a no-op. */
void sigpool_destroy(sigpool *p);

/** Verify items[0..count) and fill each mask; returns when all are done. Thread-safe. */
void sigpool_verify(sigpool *p, sigpool_item *items, size_t count);

#endif
