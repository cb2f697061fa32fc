/* The node: LMDB storage, mempool, signature workers and the block producer, behind one
 * handle. The HTTP API (api/) uses only this header to reach them.
 *
 * Threads: node_open starts the signature workers and the producer thread. Every function
 * here is thread-safe unless it says otherwise; reads run on their own LMDB read transactions
 * and never block the producer. */
#ifndef PETROD_NODE_H
#define PETROD_NODE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petro/petro.h"

typedef struct node node;

typedef struct node_config {
    char data_dir[PATH_MAX];
    uint32_t block_interval_ms;    /* default 200 */
    uint32_t block_tx_count_max;   /* default 8000, <= PETRO_BLOCK_TX_COUNT_MAX */
    /* Operations per block, default 8000: bounds a block's write set (and so LMDB's dirty
     * pages, which it keeps allocated) when transactions carry many operations each. A
     * transaction larger than the cap still gets a block of its own. */
    uint32_t block_op_count_max;
    uint32_t mempool_tx_count_max; /* default 100000 */
    uint32_t sig_thread_count;     /* default: number of cores */
    size_t map_size;               /* LMDB map size in bytes; default 8 GiB */
    bool check_invariants;         /* full invariant scan after every block (tests) */
    /* Cluster (ordering.h): the etcd backend; NULL: node_open creates and owns the local
     * single-node backend (ordering_local_create). Borrowed; outlives the node.
     * block_bytes_max (0 = no limit) also cuts blocks by encoded size. */
    struct ordering *ordering;
    uint32_t block_bytes_max;
    /* Proof-of-reserves checkpoints (checkpoint.h), read once by checkpoint_start. */
    uint32_t checkpoint_interval;     /* blocks between checkpoints, default 100, 1..1000000 */
    char validator_wallet[PATH_MAX];  /* empty (default): <data_dir>/validator.json */
    const char *validator_passphrase; /* NULL (default): an unencrypted wallet. Borrowed;
                                         never logged, and never from argv (petrod takes it
                                         from PETRO_VALIDATOR_PASSPHRASE) */
    /* In a cluster (ordering != NULL) the checkpoints are signed with this validator's cluster
     * key (the cluster file's key_file), not with validator_wallet. */
    char cluster_key_file[PATH_MAX];
    /* Seconds between background scrubs (every stored value read and checked, as at start-up;
     * store_lmdb_scrub); 0 = none. Default NODE_SCRUB_INTERVAL_S_DEFAULT. */
    uint32_t scrub_interval_s;
} node_config;

#define NODE_SCRUB_INTERVAL_S_DEFAULT 3600u
#define NODE_SCRUB_INTERVAL_S_MAX 604800u /* a week */

void node_config_default(node_config *cfg);

/** Open the data directory (which must already hold a genesis: see devnet.c), recover the tip,
 *  start workers and the producer. Returns PETRO_OK, PETRO_ERR_IO, PETRO_ERR_CORRUPT,
 *  PETRO_ERR_NOMEM. */
petro_result node_open(node **out, const node_config *cfg);
/** Begin shutdown without freeing anything: from now on node_is_closing is true, submissions
 *  get PETRO_ERR_UNAVAILABLE, node_wait_commit returns PETRO_ERR_UNAVAILABLE and
 *  node_wait_block returns at once, so API handlers finish quickly. Reads keep working until
 *  node_close. Idempotent; node_close calls it. (Order on shutdown: node_stop, api_stop,
 *  node_close.) */
void node_stop(node *n);
/** Stop accepting, let the producer finish the block in progress, stop threads, close LMDB.
 *  node_close(NULL) is a no-op. */
void node_close(node *n);

/* ------------------------------------------------------------ status */

typedef struct node_status {
    petro_ledger_tip tip;
    char network_name[PETRO_NETWORK_NAME_SIZE_MAX + 1];
    petro_pubkey treasury;
    petro_pubkey proposer;
    size_t mempool_size;
    uint64_t txs_committed_total;   /* since this process started */
    uint64_t txs_rejected_total;    /* since this process started */
    uint64_t blocks_committed_total;/* since this process started */
    uint64_t store_damaged_total;   /* stored values that failed their check since start */
    /* The state writer (store_lmdb.h): blocks of state in memory not yet in state.mdb, their
     * bytes, batches written since start, and whether its last batch failed. */
    uint64_t producer_cpu_us; /* CPU time of the producer thread since start */
    uint64_t state_layers;
    uint64_t state_layer_bytes;
    uint64_t state_batches_total;
    bool is_state_writer_failing;
} node_status;
petro_result node_status_get(node *n, node_status *out);

/* ------------------------------------------------------------ reads */

/** A consistent read snapshot (an LMDB read transaction). Borrowed pointers returned by the
 *  node_read_* functions stay valid until node_read_end. One snapshot is used by one thread at
 *  a time; it may be handed to another thread (the store opens LMDB with MDB_NOTLS). */
typedef struct node_read node_read;
petro_result node_read_begin(node *n, node_read **out);
void node_read_end(node_read *r);
/** The state store of the snapshot, for petro_state_* reads. */
const petro_store *node_read_store(node_read *r);

/** Visit the snapshot's state records from the first key >= from onwards, ascending, until
 *  cb returns 1 (store_state_each_from): the seek the petro_store adapter lacks. */
petro_result node_read_state_from(node_read *r, const uint8_t *from, size_t from_size,
                                  petro_store_iter_cb cb, void *cb_ctx);

/** Encoded block (header + body) at height. PETRO_ERR_NOT_FOUND past the tip. */
petro_result node_read_block(node_read *r, uint64_t height, const uint8_t **bytes, size_t *size);
/** Result of the index-th transaction of the block at height. */
petro_result node_read_tx_result(node_read *r, uint64_t height, uint32_t index,
                                 petro_tx_result *result);
/** Where a committed transaction is. PETRO_ERR_NOT_FOUND if not committed. */
petro_result node_read_tx_location(node_read *r, const petro_hash *id, uint64_t *height,
                                   uint32_t *index);
/** Ids of transactions touching account (as source or as a destination/trustor of an op),
 *  newest first, strictly older than cursor (0 = from the newest). *next_cursor is 0 when
 *  there are no more. ids holds limit entries. */
petro_result node_read_account_txs(node_read *r, const petro_pubkey *account, uint64_t cursor,
                                   size_t limit, petro_hash *ids, size_t *count,
                                   uint64_t *next_cursor);

/* ------------------------------------------------------------ writes */

/** Admit one signed envelope: decode, static check, verify signatures, check against the
 *  committed state and the account's pending chain, add to the mempool.
 *  Returns PETRO_OK (*id set), a ledger code (1..199, 200..299), PETRO_ERR_DUPLICATE_TX,
 *  PETRO_ERR_MEMPOOL_FULL. */
petro_result node_submit(node *n, petro_hash *id, const uint8_t *tx, size_t tx_size);

/** Admit many envelopes (body: repeated u32 LE size + envelope). Signatures are verified on
 *  the worker pool. For each rejected transaction reject_cb is called with its index and
 *  code. Returns PETRO_OK with *accepted set, or PETRO_ERR_MALFORMED if the framing is
 *  broken (nothing admitted then). */
typedef void (*node_reject_cb)(void *cb_ctx, size_t index, petro_result code);
petro_result node_submit_batch(node *n, size_t *accepted, const uint8_t *body, size_t body_size,
                               node_reject_cb reject_cb, void *cb_ctx);

/** Wait until transaction id is committed (PETRO_OK, *height and *index set), dropped by the
 *  producer (its rejection code), unknown (PETRO_ERR_NOT_FOUND: neither pending nor
 *  committed), or timeout_ms passes (PETRO_ERR_TIMEOUT). */
petro_result node_wait_commit(node *n, const petro_hash *id, uint32_t timeout_ms,
                              uint64_t *height, uint32_t *index);

/** Whether id is in the mempool. */
bool node_tx_is_pending(node *n, const petro_hash *id);

/** The account's transactions waiting in the mempool: how many, and the highest sequence
 *  among them (both 0 if none). The next sequence a client should sign is
 *  max(committed sequence, *last_sequence) + 1, which lets it queue several transactions
 *  without waiting for each to commit. */
void node_account_pending(node *n, const petro_pubkey *account, uint64_t *pending_count,
                          uint64_t *last_sequence);

/** Block until the tip height is greater than after_height or timeout_ms passes, or the node
 *  is closing. Returns the tip height. */
uint64_t node_wait_block(node *n, uint64_t after_height, uint32_t timeout_ms);

/** Whether the node is shutting down (long-poll and SSE handlers stop). */
bool node_is_closing(node *n);

/** The cluster ordering backend of node_config, or NULL on a single node (the devnet): what
 *  the API shows as "cluster". The node itself runs the local backend then (ordering.h). */
struct ordering *node_ordering(node *n);

/** The key this node names as the proposer of the blocks it cuts (ordering_self_key): its
 *  cluster key in a cluster, the ledger's proposer key alone. */
void node_self_key(node *n, petro_pubkey *out);

/** The node's proof-of-reserves checkpoints (checkpoint.h): created by node_open, destroyed
 *  by node_close; borrowed until then. Never NULL. */
struct checkpoints *node_checkpoints(node *n);

/** The node's signed state roots and state proofs (stateroot.h): created by node_open
 *  (which starts the start-up root), destroyed by node_close; borrowed until then. Never
 *  NULL. */
struct stateroots *node_stateroots(node *n);

/** The bytes of the ledger file in use (store_lmdb_used_bytes). */
uint64_t node_store_used_bytes(node *n);

/** The validator key that signs this node's blocks and checkpoints (the key of
 *  node_self_key), loaded by node_open. Borrowed until node_close. */
struct wallet_key;
const struct wallet_key *node_validator_key(const node *n);

#endif
