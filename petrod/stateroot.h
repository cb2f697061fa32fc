/* Signed state roots of the node and the state proofs served from them (docs/protocol.md
 * "State commitment", docs/api.md "State proofs").
 *
 * At start-up and after every committed block whose height is a multiple of the checkpoint
 * interval (the heights of the proof-of-reserves checkpoints, so every validator of a cluster
 * signs the same heights), a worker thread builds the state tree (petro_state_tree_build) on a
 * read snapshot taken at exactly that height, signs the root with the node's validator key and
 * installs it. The node keeps the tree's levels from 16-leaf buckets up and the first key of
 * each bucket (about 14 MB at 1M accounts), and the snapshot of the root's height until the
 * ledger file has grown 64 MiB since: a proof re-reads the ≤16 records of its bucket from it.
 * After that, from the current state, served only while that bucket still hashes as it did at
 * the root (else PETRO_ERR_CHANGED_SINCE_ROOT: after the next root). Keeping the snapshot for
 * the whole interval stopped LMDB from reusing the pages freed meanwhile: the file grew to
 * 7.0 GB at 1M accounts, against 0.64 GB without.
 *
 * Ownership: node_open creates the state (stateroot_create), starts it (stateroot_start) and
 * node_close destroys it after the producer has stopped and before the store closes. All
 * functions are thread-safe. */
#ifndef PETROD_STATEROOT_H
#define PETROD_STATEROOT_H

#include <stdbool.h>
#include <stdint.h>

#include "node.h"

typedef struct stateroots stateroots;

/** Allocate the state: no root, no worker. Returns PETRO_OK, PETRO_ERR_NOMEM. */
petro_result stateroot_create(stateroots **out);
/** Stop and join the worker, end the snapshots, free everything. NULL is a no-op. */
void stateroot_destroy(stateroots *s);

/** Take the validator key of n (borrowed until destroy) and the interval (1..1000000), start
 *  the worker and hand it the start-up snapshot (the current tip). Call once, from node_open
 *  before the producer starts. Never fails the node: problems are logged. */
void stateroot_start(stateroots *s, node *n, uint32_t interval);
/** Hook after the block at height was committed, by the thread that commits blocks: when
 *  height is a multiple of the interval, take a snapshot (at height) for the worker. A
 *  snapshot the worker has not started on yet is dropped (logged). */
void stateroot_after_block(stateroots *s, node *n, uint64_t height);

/** The latest signed root. PETRO_ERR_NOT_FOUND before the first. */
petro_result stateroot_latest(stateroots *s, petro_state_root *out);
/** The proof of the record key at the latest root. PETRO_ERR_UNAVAILABLE before the first
 *  root; PETRO_ERR_NOT_FOUND when the key had no record then (or is not committed: 'M');
 *  PETRO_ERR_CHANGED_SINCE_ROOT when a record of its bucket changed since the root. */
petro_result stateroot_proof(stateroots *s, const uint8_t *key, size_t key_size,
                             petro_state_proof *out);

#endif
