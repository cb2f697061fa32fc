/* Test fault switches of the API: compiled only into petrod-test, never into petrod.
 *
 * petrod/CMakeLists.txt builds the same sources twice: `petrod`, the shipped node, and
 * `petrod-test` with -DPETROD_TEST_FAULTS and faults.c, next to it in the build tree, for the
 * integration tests that inject faults (tests/integration/test_cluster_faults.py). In petrod
 * the hooks below are empty inline functions, so it has no fault code and reads no switch.
 *
 * In petrod-test the switches are read once at startup by petrod/main.c from the environment
 * (PETRO_TEST_FAULT_REFUSE_BATCH, PETRO_TEST_FAULT_SERVE_FORK; a test sets them per process)
 * and handed to api_start in api_config.faults; handlers only call the hooks. This header is
 * the one place that selects between the two builds. */
#ifndef PETROD_API_FAULTS_H
#define PETROD_API_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node.h"

typedef struct api api;

#ifdef PETROD_TEST_FAULTS

/** The API's fault switches (petrod-test only). All zero: no fault. */
typedef struct api_faults {
    /* POST /v1/transactions/batch answers 503 unavailable, as a leader whose etcd is in
     * turmoil does, while the file of this path exists (NULL: never). Borrowed from the
     * environment, which lives as long as the process. */
    const char *refuse_batch_file;
    /* GET /v1/blocks serves the blocks from this height on as another, internally valid
     * chain (api_fault_serve_fork); 0: never. */
    uint64_t serve_fork_from;
} api_faults;

/** Whether POST /v1/transactions/batch must be refused now (refuse_batch_file exists). */
bool api_fault_refuse_batch(const api *a);

/** With serve_fork_from = F, rewrite the blocks from F on in buf (GET /v1/blocks?from=from:
 *  repeated u32 LE size + block, read from snapshot r) into another chain that is internally
 *  valid: each header's timestamp one millisecond later (a payment's state does not depend
 *  on it, so the roots and state hashes stay right) and its prev_hash the hash of the block
 *  served before it. Only the other validators' attestations tell it from the real chain. */
void api_fault_serve_fork(const api *a, node_read *r, uint8_t *buf, size_t size,
                          uint64_t from);

#else /* the shipped petrod: no fault */

static inline bool api_fault_refuse_batch(const api *a) {
    (void)a;
    return false;
}

static inline void api_fault_serve_fork(const api *a, node_read *r, uint8_t *buf, size_t size,
                                        uint64_t from) {
    (void)a;
    (void)r;
    (void)buf;
    (void)size;
    (void)from;
}

#endif
#endif
