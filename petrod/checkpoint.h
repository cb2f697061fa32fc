/* Proof-of-reserves checkpoints of the node (docs/operations.md "Proof of reserves").
 *
 * After the node starts (checkpoint_start: "at genesis" for a fresh devnet) and after every
 * committed block whose height is a multiple of the interval (checkpoint_after_block, called
 * by the thread that commits blocks: the producer, or in a cluster also for every block
 * applied from the leader), the node computes for each reserve-backed asset the Merkle sum
 * tree over all holders and locks (petro_checkpoint_build) on a snapshot at exactly that
 * height, signs
 * the checkpoint with its validator key, keeps the latest tree in memory to serve inclusion
 * proofs, and appends a line to <data>/reserves-history.jsonl (coverage and supply over
 * time). So every validator of a cluster checkpoints the same heights, with the same roots.
 *
 * Configuration (node_config, read once by checkpoint_start): checkpoint_interval,
 * validator_wallet (empty: <data>/wallets/validator.json) and validator_passphrase; in a
 * cluster cluster_key_file instead of the wallet. Without a key matching the node's proposer
 * key (in a cluster: its own key in the cluster file), checkpoints are off (logged as an
 * error naming the key file and, for an encrypted wallet, PETRO_VALIDATOR_PASSPHRASE).
 *
 * A checkpoint that cannot be built (or a due height without a snapshot) is a failure: logged
 * as an error, counted, and kept with its height and reason (checkpoint_health) for /metrics,
 * GET /v1/status and /healthz, which fails until a later checkpoint succeeds. The trees of the
 * last good checkpoint keep serving proofs meanwhile.
 *
 * Ownership: the node creates its checkpoints in node_open (node_checkpoints returns them)
 * and destroys them in node_close, after the producer has stopped. All functions taking a
 * checkpoints are thread-safe. */
#ifndef PETROD_CHECKPOINT_H
#define PETROD_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "node.h"
#include "proof_json.h"

#define CHECKPOINT_INTERVAL_DEFAULT 100u
#define CHECKPOINT_INTERVAL_MAX 1000000u
#define CHECKPOINT_HISTORY_MAX 100000u /* records kept in memory (oldest dropped) */

/** The proof-of-reserves state of one node: off, no trees, no history, no worker. */
typedef struct checkpoints checkpoints;

/** Allocate the state (node_open). Returns PETRO_OK, PETRO_ERR_NOMEM. */
petro_result checkpoint_create(checkpoints **out);
/** Stop and join the worker, then free everything; checkpoint_destroy(NULL) is a no-op. Called
 *  by node_close after the producer has stopped and before the store closes (the worker reads
 *  through the node). */
void checkpoint_destroy(checkpoints *cs);

/** Load the validator key named by cfg, read the history file, compute the checkpoint at the
 *  current tip, and start the worker thread that computes the next ones. cfg is read during
 *  the call only. Call once, after node_open. Never fails the node: problems are logged. */
void checkpoint_start(checkpoints *cs, node *n, const node_config *cfg);
/** Hook after the block at height was committed, called by the thread that commits blocks
 *  before it commits the next one: when height is a multiple of the interval, take a read
 *  snapshot (at height) and hand it to the worker, so blocks keep coming meanwhile. If the
 *  worker has not started on the previous snapshot yet, that one is dropped (logged). */
void checkpoint_after_block(checkpoints *cs, node *n, uint64_t height);

/** petrod-test only (petrod/main.c, PETRO_TEST_FAULT_CHECKPOINT_FAIL=FILE): from now on,
 *  while the file at path exists, every checkpoint is computed and then failed as corrupt
 *  data would fail it, so a test can see the failure reported. path is borrowed for the
 *  life of cs (the environment). Call before checkpoint_start. petrod never calls it. */
void checkpoint_fault_fail_while(checkpoints *cs, const char *path);

/** Whether checkpoints are on, and the interval. */
bool checkpoint_enabled(checkpoints *cs, uint32_t *interval);

/** The latest checkpoint of asset. PETRO_ERR_NOT_FOUND if none. */
petro_result checkpoint_latest(checkpoints *cs, const petro_asset *asset, petro_checkpoint *out);
/** The inclusion proofs of account at the latest checkpoint of asset, all from one tree: its
 *  balance (when it held a line of the asset) and the first PROOF_JSON_LOCKS_MAX locks it
 *  owned (the others counted in locks_omitted). PETRO_ERR_NOT_FOUND if there is no checkpoint
 *  or the account held neither a line nor a lock of the asset then. */
petro_result checkpoint_proofs(checkpoints *cs, const petro_asset *asset,
                               const petro_pubkey *account, proof_set *out);

#define CHECKPOINT_TOP_MAX 100u /* largest balances kept per checkpoint (top holders) */

/** One holder of a checkpoint's top list. */
typedef struct checkpoint_holder {
    petro_pubkey account;
    petro_amount balance;
} checkpoint_holder;

/** The largest balances of asset at its latest checkpoint, largest first (equal balances by
 *  account key, ascending): the first min(max, CHECKPOINT_TOP_MAX) of the balance leaves with a
 *  balance above 0, chosen once when the checkpoint was built (O(holders log
 *  CHECKPOINT_TOP_MAX) there, O(max) here). *count: how many out holds; cp: the checkpoint.
 *  PETRO_ERR_NOT_FOUND if there is no checkpoint of asset. */
petro_result checkpoint_top_holders(checkpoints *cs, const petro_asset *asset,
                                    checkpoint_holder *out, size_t max, size_t *count,
                                    petro_checkpoint *cp);

#define CHECKPOINT_REASON_SIZE 192

/** Whether checkpoints work: the last good one and the last failure. */
typedef struct checkpoint_health {
    bool enabled;
    uint32_t interval;
    bool has_ok;             /* a checkpoint was built since the start */
    uint64_t ok_height;      /* the height of the last one built */
    uint64_t failures_total; /* since the start */
    bool has_failure;        /* the fields below name the last failure */
    uint64_t failure_height;
    petro_result failure_code;
    char failure_reason[CHECKPOINT_REASON_SIZE]; /* "PTR: <result message>" */
    bool is_failing;         /* the latest due checkpoint failed (none built since) */
} checkpoint_health;
/** A copy of the figures, consistent with each other. */
void checkpoint_health_get(checkpoints *cs, checkpoint_health *out);

typedef struct checkpoint_record {
    uint64_t height;
    uint64_t timestamp_ms;
    petro_asset asset;
    petro_amount supply;   /* checkpoint total */
    petro_amount attested;
    petro_amount cap;
    uint64_t leaf_count;   /* holders + locks */
    uint64_t lock_count;
    petro_hash root;
    petro_hash block_hash;
    petro_pubkey validator;
    petro_sig signature; /* over the checkpoint message (docs/protocol.md) */
} checkpoint_record;
/** Visit the history, oldest first (at most limit newest records; 0 = all). cb returns 0 to
 *  continue. */
void checkpoint_history(checkpoints *cs, size_t limit,
                        int (*cb)(void *ctx, const checkpoint_record *r), void *ctx);

#endif
