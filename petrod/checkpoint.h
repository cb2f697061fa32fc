/* Proof-of-reserves checkpoints of the node (docs/operations.md "Proof of reserves").
 *
 * After the node starts (checkpoint_start: "at genesis" for a fresh devnet) and after every
 * committed block whose height is at least the last checkpoint's + interval
 * (checkpoint_after_block, called by the producer), the node computes for each reserve-backed
 * asset the Merkle sum tree over all holders (petro_checkpoint_build), signs the checkpoint
 * with its validator key, keeps the latest tree in memory to serve inclusion proofs, and
 * appends a line to <data>/reserves-history.jsonl (coverage and supply over time).
 *
 * Configuration (environment, read once by checkpoint_start):
 *   PETRO_CHECKPOINT_INTERVAL   blocks between checkpoints, 1..1000000 (default 100)
 *   PETRO_VALIDATOR_WALLET      the validator's wallet (default <data>/wallets/validator.json)
 *   PETRO_VALIDATOR_PASSPHRASE  its passphrase, for an encrypted wallet
 * Without a validator wallet matching the node's proposer key, checkpoints are off (logged).
 * One node per process: the state is module-wide. Thread-safe. */
#ifndef PETROD_CHECKPOINT_H
#define PETROD_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "node.h"

#define CHECKPOINT_INTERVAL_DEFAULT 100u
#define CHECKPOINT_HISTORY_MAX 100000u /* records kept in memory (oldest dropped) */

/** Load the configuration and the validator key, read the history file, compute the
 *  checkpoint at the current tip, and start the worker thread that computes the next ones.
 *  Never fails the node: problems are logged. */
void checkpoint_start(node *n, const char *data_dir);
/** Producer hook after a committed block at height: when a checkpoint is due, wake the
 *  worker (which computes at the tip of its read snapshot, so blocks keep coming meanwhile). */
void checkpoint_after_block(node *n, uint64_t height);
/** Stop and join the worker, then free everything. Call after node_stop and api_stop and
 *  before node_close (the worker reads through the node). */
void checkpoint_stop(void);

/** Whether checkpoints are on, and the interval. */
bool checkpoint_enabled(uint32_t *interval);

/** The latest checkpoint of asset. PETRO_ERR_NOT_FOUND if none. */
petro_result checkpoint_latest(const petro_asset *asset, petro_checkpoint *out);
/** The inclusion proof of account at the latest checkpoint of asset. PETRO_ERR_NOT_FOUND if
 *  there is no checkpoint or the account held no line of the asset then. */
petro_result checkpoint_proof(const petro_asset *asset, const petro_pubkey *account,
                              petro_proof *out);

typedef struct checkpoint_record {
    uint64_t height;
    uint64_t timestamp_ms;
    petro_asset asset;
    petro_amount supply;   /* checkpoint total */
    petro_amount attested;
    petro_amount cap;
    uint64_t leaf_count;
    petro_hash root;
    petro_hash block_hash;
    petro_pubkey validator;
    petro_sig signature; /* over the checkpoint message (docs/protocol.md) */
} checkpoint_record;
/** Visit the history, oldest first (at most limit newest records; 0 = all). cb returns 0 to
 *  continue. */
void checkpoint_history(size_t limit, int (*cb)(void *ctx, const checkpoint_record *r),
                        void *ctx);

#endif
