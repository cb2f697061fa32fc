/* The node: LMDB storage, mempool, signature workers and the block producer (node.h).
 *
 * Locking: one mutex (n->lock) guards the mempool, the in-memory tip, the counters and the
 * closing flag. Admission takes it for the state check and the insert (signatures are
 * verified before, unlocked); the producer takes it only to peek at the mempool and, after a
 * durable commit, to complete the included and dropped entries. LMDB reads never take it.
 *
 * Ordering that makes answers honest: the producer commits the LMDB write transaction
 * (fsync'd) BEFORE it removes the block's entries from the mempool and wakes waiters. So a
 * waiter told PETRO_OK has a durable block behind it, and a transaction that is no longer
 * pending is either findable in txindex, remembered as dropped, or unknown.
 *
 * Admission consistency: under the lock, the admission snapshot is opened after every
 * completed removal, so it is never older than the mempool; it may be newer (a block
 * committed whose entries are not removed yet), which mempool_pending_of handles by counting
 * only the pending entries above the snapshot's account sequence. */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "assert.h"
#include "deadline.h"
#include "attest.h"
#include "checkpoint.h"
#include "stateroot.h"
#include "wallet.h"
#include "log.h"
#include "mempool.h"
#include "ordering.h"
#include "petro/history.h"
#include "sigpool.h"
#include "store_lmdb.h"

#define NODE_BATCH_CHUNK 256u /* envelopes decoded and verified together in a batch */
#define NODE_BLOCK_INTERVAL_MS_MAX 3600000u
#define NODE_RETRY_MS_MAX 5000u /* longest wait between retries of a failing block */

/* The framing of blocks and results written below (put_u32_le, the u16 result sizes). */
_Static_assert(PETRO_TX_SIZE_MAX <= UINT32_MAX, "a block's u32 LE transaction sizes");
_Static_assert(PETRO_TX_RESULT_SIZE_MAX <= UINT16_MAX, "a result's u16 LE size");

struct node {
    node_config cfg;
    int lock_fd;
    store_lmdb *store;
    sigpool *sigs;
    mempool *mp;
    checkpoints *cps; /* created before the producer starts, destroyed after it stops */
    stateroots *srs;  /* the same */
    /* The ordering backend (ordering.h): cfg.ordering (a cluster), or the local one that
     * node_open creates (is_ordering_owned) when the configuration names none. Set once in
     * node_open, before the producer starts; never NULL after it. */
    ordering *ord;
    bool is_ordering_owned;
    char network_name[PETRO_NETWORK_NAME_SIZE_MAX + 1];
    petro_pubkey treasury;
    petro_pubkey proposer;
    /* The validator key: it signs this node's blocks and checkpoints (load_validator_key). */
    wallet_key key;

    pthread_mutex_t lock;
    pthread_cond_t changed;       /* block committed, entries completed, or closing */
    pthread_cond_t producer_wake; /* a full block is pending, or closing */
    bool is_sync_ready;           /* lock and conds initialised */
    bool is_closing;
    petro_ledger_tip tip;
    uint64_t txs_committed_total;
    uint64_t txs_rejected_total;
    uint64_t blocks_committed_total;
    _Atomic uint64_t producer_cpu_us; /* the producer thread's CPU time (node_status) */
    store_txn admit_txn; /* read txn reused by admission, under lock; reset between uses */

    /* Producer thread state: only the producer touches these after node_open. */
    pthread_t producer;
    bool is_producer_started;
    pthread_t scrubber; /* background scrub (scrubber_main) */
    bool is_scrubber_started;
    petro_ledger *ledger;
    store_txn producer_txn; /* the ledger borrows &producer_txn.store */
    mempool_entry **batch;
    petro_result *batch_codes;
    uint32_t *batch_index;
    petro_tx_result *results;
    size_t batch_cap; /* entries of batch, batch_codes, batch_index and results */
    petro_tx *tx; /* one decoded mempool envelope at a time (entries keep only the bytes) */
    store_links links; /* the history links of the block being written */
    uint8_t *block_buf;
    size_t block_cap;
    uint8_t *results_buf;
    size_t results_cap;
    bool is_commit_failing; /* log a failing commit once, not every interval */
    bool is_op_capped;      /* producer only: the last block was cut by block_op_count_max */
    /* Under lock: the last block commit failed (storage full or failing); submissions get
     * PETRO_ERR_UNAVAILABLE until a block commits again, instead of queueing for a block that
     * cannot be written. */
    bool is_store_failing;
    size_t block_size;      /* encoded size of the block in block_buf after write_block */
    /* Cluster follower: the oldest pending entry and since when (monotonic ms) it is the
     * oldest; pending for NODE_REFORWARD_MS, the head of the mempool is forwarded again. */
    bool has_oldest;
    petro_hash oldest_id;
    uint64_t oldest_since_ms;
};

struct node_read {
    node *n;
    store_txn txn;
};

static uint64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}


void node_config_default(node_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->block_interval_ms = 200;
    cfg->block_tx_count_max = 8000;
    cfg->block_op_count_max = 8000;
    cfg->mempool_tx_count_max = 100000;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->sig_thread_count =
        cores > 0 && cores <= (long)SIGPOOL_THREAD_COUNT_MAX ? (uint32_t)cores : 1u;
    cfg->map_size = (size_t)8 << 30;
    cfg->check_invariants = false;
    cfg->checkpoint_interval = CHECKPOINT_INTERVAL_DEFAULT;
    cfg->scrub_interval_s = NODE_SCRUB_INTERVAL_S_DEFAULT;
    cfg->validator_wallet[0] = '\0';
    cfg->validator_passphrase = NULL;
}

/* ------------------------------------------------------------ open: recovery */

static petro_result read_file_bounded(const char *path, uint8_t *buf, size_t cap, size_t *size) {
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        log_error("cannot open %s: %s", path, strerror(errno));
        return PETRO_ERR_IO;
    }
    size_t n = fread(buf, 1, cap, f);
    bool is_error = ferror(f) != 0;
    bool is_more = !is_error && n == cap && fgetc(f) != EOF;
    fclose(f);
    if (is_error) {
        log_error("cannot read %s", path);
        return PETRO_ERR_IO;
    }
    if (is_more) {
        log_error("%s is larger than %zu bytes", path, cap);
        return PETRO_ERR_CORRUPT;
    }
    *size = n;
    return PETRO_OK;
}

/* Load genesis.bin: network name, treasury, and its network id for the tip check. */
static petro_result load_genesis(node *n, petro_hash *network_id) {
    char path[PATH_MAX + 32];
    int len = snprintf(path, sizeof path, "%s/genesis.bin", n->cfg.data_dir);
    if (len < 0 || (size_t)len >= sizeof path) return PETRO_ERR_IO;
    petro_genesis *g = malloc(sizeof *g);
    uint8_t *bytes = malloc(PETRO_GENESIS_SIZE_MAX);
    petro_result r = PETRO_ERR_NOMEM;
    if (g == NULL || bytes == NULL) goto done;
    size_t size;
    r = read_file_bounded(path, bytes, PETRO_GENESIS_SIZE_MAX, &size);
    if (r != PETRO_OK) goto done;
    r = petro_genesis_decode(g, bytes, size);
    if (r != PETRO_OK) {
        log_error("%s does not decode: %s", path, petro_result_str(r));
        r = PETRO_ERR_CORRUPT;
        goto done;
    }
    r = petro_genesis_network_id(network_id, g);
    if (r != PETRO_OK) {
        r = PETRO_ERR_CORRUPT;
        goto done;
    }
    memcpy(n->network_name, g->network_name, sizeof n->network_name);
    n->network_name[PETRO_NETWORK_NAME_SIZE_MAX] = '\0';
    n->treasury = g->treasury;
done:
    free(bytes);
    free(g);
    return r;
}

/* Check that the stored block at the state's tip is the one the state says it is. Blocks above
 * it are the ones the state writer had not written when petrod stopped: replay_blocks applies
 * them. */
static petro_result recover_tip(node *n, const petro_hash *genesis_id) {
    store_txn t;
    petro_result r = store_txn_begin(n->store, false, &t);
    if (r != PETRO_OK) return r;
    r = petro_ledger_tip_get(&t.store, &n->tip);
    if (r == PETRO_ERR_NOT_FOUND) {
        log_error("the ledger in %s has no genesis state", n->cfg.data_dir);
        r = PETRO_ERR_CORRUPT;
        goto done;
    }
    if (r != PETRO_OK) goto done;
    if (!petro_hash_equal(&n->tip.network_id, genesis_id)) {
        log_error("the ledger belongs to another network than genesis.bin");
        r = PETRO_ERR_CORRUPT;
        goto done;
    }
    const uint8_t *block;
    size_t block_size;
    r = store_get_block(&t, n->tip.height, &block, &block_size);
    if (r == PETRO_ERR_NOT_FOUND) {
        log_error("the tip block %llu is missing from the block store",
                  (unsigned long long)n->tip.height);
        r = PETRO_ERR_CORRUPT;
        goto done;
    }
    if (r != PETRO_OK) goto done;
    petro_block_header h;
    if (block_size < PETRO_BLOCK_HEADER_SIZE ||
        petro_block_header_decode(&h, block, PETRO_BLOCK_HEADER_SIZE) != PETRO_OK) {
        log_error("the tip block %llu does not decode", (unsigned long long)n->tip.height);
        r = PETRO_ERR_CORRUPT;
        goto done;
    }
    petro_hash hash;
    petro_block_hash(&hash, &h);
    if (h.height != n->tip.height || !petro_hash_equal(&hash, &n->tip.block_hash) ||
        !petro_hash_equal(&h.state_hash, &n->tip.state_hash)) {
        log_error("the stored block %llu does not match the state's tip (hash or state hash)",
                  (unsigned long long)n->tip.height);
        r = PETRO_ERR_CORRUPT;
        goto done;
    }
    uint8_t format[4];
    r = store_get_meta_exact(&t, "format", format, sizeof format);
    if (r == PETRO_OK &&
        (format[0] | format[1] << 8 | format[2] << 16 | (uint32_t)format[3] << 24) !=
            STORE_FORMAT_VERSION) {
        log_error("the ledger has an unknown storage format");
        r = PETRO_ERR_CORRUPT;
    }
    if (r == PETRO_OK) r = store_get_meta_exact(&t, "proposer", n->proposer.bytes, 32);
    if (r == PETRO_ERR_NOT_FOUND) {
        log_error("the ledger's metadata is missing (format/proposer)");
        r = PETRO_ERR_CORRUPT;
    }
done:
    store_txn_abort(&t);
    return r;
}

/* Read and check every stored value before anything is served or applied (store_lmdb.c,
 * "value checks"): a ledger with one damaged value does not open. */
static petro_result scrub_store(node *n) {
    uint64_t t0 = mono_us(), records = 0, damaged = 0;
    petro_result r = store_lmdb_scrub(n->store, &records, &damaged);
    if (r == PETRO_ERR_CORRUPT) {
        log_error("the ledger in %s/ledger holds %llu damaged value%s (of %llu): refusing to open "
                  "it; restore it from a backup or a peer (docs/operations.md, "
                  "\"Damaged storage\")",
                  n->cfg.data_dir, (unsigned long long)damaged, damaged == 1 ? "" : "s",
                  (unsigned long long)records);
        return r;
    }
    if (r != PETRO_OK) return r;
    log_info("checked %llu stored values in %.1f s", (unsigned long long)records,
             (double)(mono_us() - t0) / 1e6);
    return PETRO_OK;
}

/* The tip block is signed by a proposer this node accepts (its own key alone, a validator of
 * its cluster): a tip rewritten with another key is refused at start-up, not served. The
 * blocks below it are tied to it by their links (checked by the scrub). */
static petro_result check_tip_signature(node *n) {
    if (n->tip.height == 0) return PETRO_OK; /* genesis carries no signature */
    store_txn t;
    petro_result r = store_txn_begin(n->store, false, &t);
    if (r != PETRO_OK) return r;
    const uint8_t *block;
    size_t block_size;
    petro_block_header h;
    r = store_get_block(&t, n->tip.height, &block, &block_size);
    if (r == PETRO_OK && (block_size < PETRO_BLOCK_HEADER_SIZE ||
                          petro_block_header_decode(&h, block, PETRO_BLOCK_HEADER_SIZE) !=
                              PETRO_OK)) {
        r = PETRO_ERR_CORRUPT;
    }
    if (r == PETRO_OK && (!petro_block_signature_ok(&h, &n->tip.network_id) ||
                          !ordering_is_validator(n->ord, &h.proposer))) {
        log_error("the tip block %llu is not signed by %s: the ledger was altered; refusing to "
                  "open it (docs/operations.md, \"Damaged storage\")",
                  (unsigned long long)n->tip.height,
                  n->cfg.ordering != NULL ? "a validator of the cluster" : "this node's key");
        r = PETRO_ERR_CORRUPT;
    }
    store_txn_abort(&t);
    return r;
}

static petro_result lock_data_dir(node *n) {
    char path[PATH_MAX + 32];
    int len = snprintf(path, sizeof path, "%s/petrod.lock", n->cfg.data_dir);
    if (len < 0 || (size_t)len >= sizeof path) return PETRO_ERR_IO;
    n->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (n->lock_fd < 0) {
        log_error("cannot open %s: %s", path, strerror(errno));
        return PETRO_ERR_IO;
    }
    if (flock(n->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        log_error("%s is in use by another petrod (%s)", n->cfg.data_dir, strerror(errno));
        return PETRO_ERR_IO;
    }
    return PETRO_OK;
}

static petro_result check_config(const node_config *cfg) {
    if (cfg->data_dir[0] == '\0' || memchr(cfg->data_dir, '\0', sizeof cfg->data_dir) == NULL) {
        log_error("node: no data directory");
        return PETRO_ERR_BAD_REQUEST;
    }
    if (cfg->block_interval_ms == 0 || cfg->block_interval_ms > NODE_BLOCK_INTERVAL_MS_MAX ||
        cfg->block_tx_count_max == 0 || cfg->block_tx_count_max > PETRO_BLOCK_TX_COUNT_MAX ||
        cfg->block_op_count_max == 0 || cfg->mempool_tx_count_max == 0 ||
        cfg->mempool_tx_count_max > MEMPOOL_TX_COUNT_MAX ||
        cfg->sig_thread_count > SIGPOOL_THREAD_COUNT_MAX || cfg->map_size < ((size_t)1 << 20) ||
        cfg->checkpoint_interval == 0 || cfg->checkpoint_interval > CHECKPOINT_INTERVAL_MAX ||
        cfg->scrub_interval_s > NODE_SCRUB_INTERVAL_S_MAX ||
        memchr(cfg->validator_wallet, '\0', sizeof cfg->validator_wallet) == NULL) {
        log_error("node: configuration out of range");
        return PETRO_ERR_BAD_REQUEST;
    }
    return PETRO_OK;
}

static petro_result alloc_producer_buffers(node *n) {
    /* A cluster validator applies the blocks of other leaders, which may cut them bigger than
     * its own --block-max-txs: room for the protocol's maximum (untouched pages cost nothing). */
    size_t max = ordering_receives_blocks(n->ord) ? PETRO_BLOCK_TX_COUNT_MAX
                                                  : n->cfg.block_tx_count_max;
    PETROD_ASSERT(n->cfg.block_tx_count_max <= max); /* check_config: <= the protocol's */
    n->batch_cap = max;
    n->batch = calloc(max, sizeof n->batch[0]);
    n->batch_codes = calloc(max, sizeof n->batch_codes[0]);
    n->batch_index = calloc(max, sizeof n->batch_index[0]);
    n->results = calloc(max, sizeof n->results[0]);
    n->tx = malloc(sizeof *n->tx);
    n->block_cap = PETRO_BLOCK_HEADER_SIZE + max * (4 + PETRO_TX_SIZE_MAX);
    n->block_buf = malloc(n->block_cap);
    n->results_cap = max * (2 + PETRO_TX_RESULT_SIZE_MAX);
    n->results_buf = malloc(n->results_cap);
    if (n->batch == NULL || n->batch_codes == NULL || n->batch_index == NULL ||
        n->results == NULL || n->tx == NULL || n->block_buf == NULL || n->results_buf == NULL) {
        return PETRO_ERR_NOMEM;
    }
    return PETRO_OK;
}

static petro_result init_sync(node *n) {
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return PETRO_ERR_NOMEM;
    petro_result r = PETRO_ERR_NOMEM;
    if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0) goto done;
    if (pthread_mutex_init(&n->lock, NULL) != 0) goto done;
    if (pthread_cond_init(&n->changed, &attr) != 0) {
        pthread_mutex_destroy(&n->lock);
        goto done;
    }
    if (pthread_cond_init(&n->producer_wake, &attr) != 0) {
        pthread_cond_destroy(&n->changed);
        pthread_mutex_destroy(&n->lock);
        goto done;
    }
    n->is_sync_ready = true;
    r = PETRO_OK;
done:
    pthread_condattr_destroy(&attr);
    return r;
}

/* The configured cluster backend, or else a local one naming the ledger's proposer key (read
 * by recover_tip). The one place where the backend is chosen. */
static petro_result open_ordering(node *n) {
    PETROD_ASSERT(n->ord == NULL);
    if (n->cfg.ordering != NULL) {
        n->ord = n->cfg.ordering;
        return PETRO_OK;
    }
    petro_result r = ordering_local_create(&n->ord, &n->proposer);
    n->is_ordering_owned = r == PETRO_OK;
    return r;
}

/* The key that signs this node's blocks and checkpoints, which must be the key the node names
 * as proposer (ordering_self_key). In a cluster: the validator's cluster key file. Alone: the
 * validator wallet (--validator-wallet, default DIR/validator.json), which may be encrypted
 * (PETRO_VALIDATOR_PASSPHRASE). Without it the node cannot sign a block, so it does not open. */
static petro_result load_validator_key(node *n) {
    const node_config *cfg = &n->cfg;
    petro_pubkey expected;
    ordering_self_key(n->ord, &expected);
    bool is_cluster = cfg->cluster_key_file[0] != '\0';
    petro_result r;
    const char *source;
    char path[PATH_MAX + 64];
    if (is_cluster) {
        if (cfg->validator_wallet[0] != '\0') {
            log_warn("a cluster validator signs with its key_file; --validator-wallet %s is not "
                     "used", cfg->validator_wallet);
        }
        source = cfg->cluster_key_file;
        n->key.sk = sodium_malloc(sizeof *n->key.sk);
        r = n->key.sk == NULL ? PETRO_ERR_NOMEM : attest_key_load(source, &n->key.pk, n->key.sk);
    } else {
        source = cfg->validator_wallet;
        if (source[0] == '\0') {
            snprintf(path, sizeof path, "%s/validator.json", cfg->data_dir);
            source = path;
        }
        r = wallet_read(&n->key, source, cfg->validator_passphrase);
    }
    if (r == PETRO_ERR_BAD_PASSPHRASE && !is_cluster) {
        if (cfg->validator_passphrase == NULL) {
            log_error("validator wallet %s is encrypted and PETRO_VALIDATOR_PASSPHRASE is not "
                      "set; the node cannot sign its blocks", source);
        } else {
            log_error("PETRO_VALIDATOR_PASSPHRASE does not open validator wallet %s (wrong "
                      "passphrase, or a damaged wallet); the node cannot sign its blocks", source);
        }
        wallet_key_deinit(&n->key);
        return PETRO_ERR_NO_VALIDATOR_KEY;
    }
    if (r != PETRO_OK) {
        log_error("no validator key (%s: %s); the node cannot sign its blocks", source,
                  petro_result_str(r));
        wallet_key_deinit(&n->key);
        return r == PETRO_ERR_NOMEM ? r : PETRO_ERR_NO_VALIDATOR_KEY;
    }
    if (!petro_pubkey_equal(&n->key.pk, &expected)) {
        char want[PETRO_ADDRESS_SIZE_MAX];
        petro_address_encode(want, &expected, (petro_net_kind)n->tip.net_kind);
        log_error("%s is not this node's validator key (the ledger's proposer is %s)", source,
                  want);
        wallet_key_deinit(&n->key);
        return PETRO_ERR_NO_VALIDATOR_KEY;
    }
    return PETRO_OK;
}

const wallet_key *node_validator_key(const node *n) { return &n->key; }

static void *producer_main(void *arg);
static void wake_producer(void *ctx);

/* Every cfg.scrub_interval_s seconds, read and check every stored value on a snapshot, as at
 * start-up: damage in records nobody reads (an old account, an old block) is found too, and
 * counted where /healthz, /v1/status and /metrics see it (store_lmdb_damaged). Stops with the
 * node; a scrub in progress finishes first (it only reads). */
static void *scrubber_main(void *arg) {
    node *n = arg;
    (void)prctl(PR_SET_NAME, "petro-scrub", 0, 0, 0);
    pthread_mutex_lock(&n->lock);
    for (;;) {
        /* scrub_interval_s <= NODE_SCRUB_INTERVAL_S_MAX: the product stays below 6.1e8. */
        struct timespec due = deadline_after_ms(n->cfg.scrub_interval_s * 1000u);
        /* Woken by every block (changed); bounded by the deadline. */
        while (!n->is_closing &&
               pthread_cond_timedwait(&n->changed, &n->lock, &due) != ETIMEDOUT) {
        }
        if (n->is_closing) break;
        pthread_mutex_unlock(&n->lock);
        uint64_t t0 = mono_us(), records = 0, damaged = 0;
        petro_result r = store_lmdb_scrub(n->store, &records, &damaged);
        if (r == PETRO_ERR_CORRUPT) {
            log_error("scrub: %llu of %llu stored values are DAMAGED (docs/operations.md, "
                      "\"Damaged storage\"); reads of them answer 503 corrupt",
                      (unsigned long long)damaged, (unsigned long long)records);
        } else if (r != PETRO_OK) {
            log_error("scrub: could not read the ledger: %s", petro_result_str(r));
        } else {
            log_info("scrub: %llu stored values checked in %.1f s", (unsigned long long)records,
                     (double)(mono_us() - t0) / 1e6);
        }
        pthread_mutex_lock(&n->lock);
    }
    pthread_mutex_unlock(&n->lock);
    return NULL;
}

/* Apply the blocks of the block log above the state's tip (store_lmdb.h, "Durability": the
 * state writer had not written their state when petrod stopped), each checked by
 * petro_ledger_apply_block as a follower checks a block (signature, roots, state hash), then
 * their indexes in state.mdb (replay_block_indexes). The state can never be above the block
 * log: recover_tip found the block of its tip. */
static petro_result put_block_indexes(node *n, petro_tx *tx, const uint8_t *bytes, size_t size,
                                      const petro_hash *ids, uint32_t count, uint64_t height,
                                      bool is_replay);

/* The indexes of a replayed block (txindex, acct_last: state.mdb's, so they lag with the
 * state), as the producer wrote them: after petro_ledger_commit of the block, in the open write
 * txn. Its history links are in the block log already: the ones rebuilt here must equal them
 * (store_check_block_indexes), and the block log is not written. */
static petro_result replay_block_indexes(node *n, const uint8_t *block, size_t size,
                                         uint64_t height) {
    petro_block_header h;
    petro_result r = petro_block_header_decode(&h, block, size < PETRO_BLOCK_HEADER_SIZE
                                                             ? size
                                                             : PETRO_BLOCK_HEADER_SIZE);
    if (r != PETRO_OK || h.tx_count > PETRO_BLOCK_TX_COUNT_MAX) return PETRO_ERR_CORRUPT;
    petro_tx *tx = malloc(sizeof *tx);
    petro_hash *ids = malloc(((size_t)h.tx_count + 1u) * sizeof *ids);
    r = tx == NULL || ids == NULL ? PETRO_ERR_NOMEM : PETRO_OK;
    size_t offset = PETRO_BLOCK_HEADER_SIZE;
    uint32_t count = 0;
    /* Bounded by the block's transactions (it applied: they walk and decode). */
    while (r == PETRO_OK) {
        const uint8_t *tx_bytes;
        size_t tx_size;
        r = petro_block_body_next(block, size, &offset, &tx_bytes, &tx_size);
        if (r == PETRO_ERR_NOT_FOUND) {
            r = PETRO_OK;
            break;
        }
        if (r != PETRO_OK || count >= h.tx_count || petro_tx_decode(tx, tx_bytes, tx_size) !=
                                                         PETRO_OK ||
            petro_tx_id(&ids[count], tx) != PETRO_OK) {
            r = PETRO_ERR_CORRUPT;
            break;
        }
        count++;
    }
    if (r == PETRO_OK) r = put_block_indexes(n, tx, block, size, ids, count, height, true);
    free(ids);
    free(tx);
    return r;
}

static petro_result replay_blocks(node *n) {
    uint64_t t0 = mono_us(), first = n->tip.height + 1, replayed = 0;
    /* Bounded by the blocks stored above the state's tip. */
    for (;;) {
        petro_result r = store_txn_begin(n->store, true, &n->producer_txn);
        if (r != PETRO_OK) return r;
        const uint8_t *block;
        size_t block_size;
        r = store_get_block(&n->producer_txn, n->tip.height + 1, &block, &block_size);
        if (r == PETRO_ERR_NOT_FOUND) {
            store_txn_abort(&n->producer_txn);
            break;
        }
        if (r == PETRO_OK) r = petro_ledger_apply_block(n->ledger, block, block_size);
        if (r == PETRO_OK) r = petro_ledger_commit(n->ledger);
        else petro_ledger_abort(n->ledger);
        if (r == PETRO_OK) r = replay_block_indexes(n, block, block_size, n->tip.height + 1);
        if (r != PETRO_OK) {
            store_txn_abort(&n->producer_txn);
            log_error("replay: block %llu of the block log does not apply on the state (%s): "
                      "the ledger is damaged (docs/operations.md, \"Damaged storage\")",
                      (unsigned long long)(n->tip.height + 1), petro_result_name(r));
            return r == PETRO_ERR_NOMEM || r == PETRO_ERR_IO ? r : PETRO_ERR_CORRUPT;
        }
        r = store_txn_commit(&n->producer_txn);
        if (r != PETRO_OK) return r;
        store_txn t;
        r = store_txn_begin(n->store, false, &t);
        if (r == PETRO_OK) r = petro_ledger_tip_get(&t.store, &n->tip);
        store_txn_abort(&t);
        if (r != PETRO_OK) return r;
        replayed++;
    }
    /* The replay stopped at the first missing height: nothing may be stored above it (a
     * gap in the block log is damage, and the producer would overwrite what follows it). */
    store_txn t;
    petro_result r = store_txn_begin(n->store, false, &t);
    uint64_t last = 0;
    if (r == PETRO_OK) r = store_last_block_height(&t, &last);
    store_txn_abort(&t);
    if (r != PETRO_OK) return r;
    if (last != n->tip.height) {
        log_error("the block log holds block %llu but not block %llu: the ledger is damaged "
                  "(docs/operations.md, \"Damaged storage\")", (unsigned long long)last,
                  (unsigned long long)(n->tip.height + 1));
        return PETRO_ERR_CORRUPT;
    }
    if (replayed > 0) {
        log_info("replayed blocks %llu..%llu from the block log onto the state in %.1f s",
                 (unsigned long long)first, (unsigned long long)n->tip.height,
                 (double)(mono_us() - t0) / 1e6);
    }
    return PETRO_OK;
}

petro_result node_open(node **out, const node_config *cfg) {
    PETROD_ASSERT(out != NULL);
    PETROD_ASSERT(cfg != NULL);
    *out = NULL;
    petro_result r = check_config(cfg);
    if (r != PETRO_OK) return r;
    node *n = calloc(1, sizeof *n);
    if (n == NULL) return PETRO_ERR_NOMEM;
    n->cfg = *cfg;
    n->lock_fd = -1;

    r = lock_data_dir(n);
    if (r != PETRO_OK) goto fail;
    petro_hash genesis_id;
    r = load_genesis(n, &genesis_id);
    if (r != PETRO_OK) goto fail;
    char ledger_dir[PATH_MAX + 16];
    int len = snprintf(ledger_dir, sizeof ledger_dir, "%s/ledger", cfg->data_dir);
    if (len < 0 || (size_t)len >= sizeof ledger_dir) {
        r = PETRO_ERR_IO;
        goto fail;
    }
    r = store_lmdb_open(&n->store, ledger_dir, cfg->map_size, false);
    if (r != PETRO_OK) goto fail;
    r = scrub_store(n);
    if (r != PETRO_OK) goto fail;
    r = recover_tip(n, &genesis_id);
    if (r != PETRO_OK) goto fail;
    store_txn_prepare(n->store, &n->producer_txn);
    store_txn_prepare(n->store, &n->admit_txn);
    r = petro_ledger_create(&n->ledger, &n->producer_txn.store);
    if (r != PETRO_OK) goto fail;
    r = replay_blocks(n);
    if (r != PETRO_OK) goto fail;
    r = open_ordering(n);
    if (r != PETRO_OK) goto fail;
    r = check_tip_signature(n);
    if (r != PETRO_OK) goto fail;
    r = load_validator_key(n);
    if (r != PETRO_OK) goto fail;

    r = init_sync(n);
    if (r != PETRO_OK) goto fail;
    r = mempool_create(&n->mp, cfg->mempool_tx_count_max);
    if (r != PETRO_OK) goto fail;
    r = alloc_producer_buffers(n);
    if (r != PETRO_OK) goto fail;
    r = sigpool_create(&n->sigs, cfg->sig_thread_count);
    if (r != PETRO_OK) goto fail;
    r = checkpoint_create(&n->cps);
    if (r != PETRO_OK) goto fail;
    r = stateroot_create(&n->srs);
    if (r != PETRO_OK) goto fail;
    stateroot_start(n->srs, n, cfg->checkpoint_interval); /* the start-up root, off-thread */
    ordering_applied(n->ord, n->tip.height, &n->tip.block_hash, &n->tip.state_hash);
    ordering_set_wake(n->ord, wake_producer, n);
    int rc = pthread_create(&n->producer, NULL, producer_main, n);
    if (rc != 0) {
        log_error("cannot start the producer thread: %s", strerror(rc));
        r = PETRO_ERR_IO;
        goto fail;
    }
    n->is_producer_started = true;
    if (cfg->scrub_interval_s > 0) {
        rc = pthread_create(&n->scrubber, NULL, scrubber_main, n);
        if (rc != 0) {
            log_error("cannot start the scrub thread: %s", strerror(rc));
            r = PETRO_ERR_IO;
            goto fail;
        }
        n->is_scrubber_started = true;
    }
    PETROD_ASSERT(n->ord != NULL);
    log_info("opened %s at height %llu", cfg->data_dir, (unsigned long long)n->tip.height);
    *out = n;
    return PETRO_OK;
fail:
    node_close(n);
    return r;
}

void node_stop(node *n) {
    if (n == NULL || !n->is_sync_ready) return;
    pthread_mutex_lock(&n->lock);
    n->is_closing = true;
    pthread_cond_broadcast(&n->changed);
    pthread_cond_broadcast(&n->producer_wake);
    pthread_mutex_unlock(&n->lock);
}

void node_close(node *n) {
    if (n == NULL) return;
    node_stop(n);
    if (n->is_producer_started) {
        int rc = pthread_join(n->producer, NULL);
        if (rc != 0) log_error("cannot join the producer: %s", strerror(rc));
    }
    if (n->is_scrubber_started) {
        int rc = pthread_join(n->scrubber, NULL);
        if (rc != 0) log_error("cannot join the scrub thread: %s", strerror(rc));
    }
    if (n->ord != NULL) ordering_set_wake(n->ord, NULL, NULL); /* NULL: node_open failed early */
    if (n->is_ordering_owned) ordering_close(n->ord);
    n->ord = NULL;
    checkpoint_destroy(n->cps); /* joins its worker, which reads through the store */
    stateroot_destroy(n->srs);  /* the same, and ends the snapshot it serves proofs from */
    sigpool_destroy(n->sigs);
    store_txn_abort(&n->admit_txn);
    store_txn_abort(&n->producer_txn);
    petro_ledger_destroy(n->ledger);
    mempool_destroy(n->mp);
    store_lmdb_close(n->store);
    if (n->is_sync_ready) {
        pthread_cond_destroy(&n->producer_wake);
        pthread_cond_destroy(&n->changed);
        pthread_mutex_destroy(&n->lock);
    }
    if (n->lock_fd >= 0) close(n->lock_fd); /* releases the flock */
    free(n->batch);
    free(n->batch_codes);
    free(n->batch_index);
    free(n->results);
    free(n->tx);
    free(n->block_buf);
    free(n->results_buf);
    store_links_free(&n->links);
    wallet_key_deinit(&n->key); /* after checkpoint_destroy: the checkpoints borrow it */
    free(n);
}

struct ordering *node_ordering(node *n) { return n->cfg.ordering; }

void node_self_key(node *n, petro_pubkey *out) { ordering_self_key(n->ord, out); }

checkpoints *node_checkpoints(node *n) { return n->cps; }

stateroots *node_stateroots(node *n) { return n->srs; }

uint64_t node_store_used_bytes(node *n) { return store_lmdb_used_bytes(n->store); }

bool node_is_closing(node *n) {
    pthread_mutex_lock(&n->lock);
    bool is_closing = n->is_closing;
    pthread_mutex_unlock(&n->lock);
    return is_closing;
}

petro_result node_status_get(node *n, node_status *out) {
    memset(out, 0, sizeof *out);
    memcpy(out->network_name, n->network_name, sizeof out->network_name);
    out->treasury = n->treasury;
    out->proposer = n->proposer;
    pthread_mutex_lock(&n->lock);
    out->tip = n->tip;
    out->mempool_size = mempool_count(n->mp);
    out->txs_committed_total = n->txs_committed_total;
    out->txs_rejected_total = n->txs_rejected_total;
    out->blocks_committed_total = n->blocks_committed_total;
    out->producer_cpu_us = n->producer_cpu_us;
    out->store_damaged_total = store_lmdb_damaged(n->store);
    pthread_mutex_unlock(&n->lock);
    store_lmdb_writer_stats(n->store, &out->state_layers, &out->state_layer_bytes,
                            &out->state_batches_total, &out->is_state_writer_failing);
    return PETRO_OK;
}

/* ------------------------------------------------------------ reads */

petro_result node_read_begin(node *n, node_read **out) {
    *out = NULL;
    node_read *r = calloc(1, sizeof *r);
    if (r == NULL) return PETRO_ERR_NOMEM;
    r->n = n;
    petro_result res = store_txn_begin(n->store, false, &r->txn);
    if (res != PETRO_OK) {
        free(r);
        return res;
    }
    *out = r;
    return PETRO_OK;
}

void node_read_end(node_read *r) {
    if (r == NULL) return;
    store_txn_abort(&r->txn);
    free(r);
}

const petro_store *node_read_store(node_read *r) { return &r->txn.store; }

petro_result node_read_state_from(node_read *r, const uint8_t *from, size_t from_size,
                                  petro_store_iter_cb cb, void *cb_ctx) {
    return store_state_each_from(&r->txn, from, from_size, cb, cb_ctx);
}

petro_result node_read_block(node_read *r, uint64_t height, const uint8_t **bytes, size_t *size) {
    return store_get_block(&r->txn, height, bytes, size);
}

petro_result node_read_tx_result(node_read *r, uint64_t height, uint32_t index,
                                 petro_tx_result *result) {
    return store_get_tx_result(&r->txn, height, index, result);
}

petro_result node_read_tx_location(node_read *r, const petro_hash *id, uint64_t *height,
                                   uint32_t *index) {
    return store_get_tx_location(&r->txn, id, height, index);
}

petro_result node_read_account_txs(node_read *r, const petro_pubkey *account, uint64_t cursor,
                                   size_t limit, petro_hash *ids, size_t *count,
                                   uint64_t *next_cursor) {
    return store_account_txs(&r->txn, account, cursor, limit, ids, count, next_cursor);
}

/* ------------------------------------------------------------ admission */

/* Under n->lock: the checks against committed state and the pending chain, then insert. */
static petro_result admit_locked(node *n, const petro_tx *tx, const petro_hash *id,
                                 const petro_hash *witness, uint32_t sig_mask,
                                 const uint8_t *bytes, size_t bytes_size) {
    PETROD_ASSERT_HELD(&n->lock);
    PETROD_ASSERT(bytes_size <= PETRO_TX_SIZE_MAX); /* node_submit* refused larger ones */
    if (n->is_closing) return PETRO_ERR_UNAVAILABLE;
    if (mempool_find(n->mp, id) != NULL) return PETRO_ERR_DUPLICATE_TX;
    if (mempool_is_full(n->mp)) return PETRO_ERR_MEMPOOL_FULL;
    petro_result r = n->admit_txn.txn == NULL ? store_txn_begin(n->store, false, &n->admit_txn)
                                              : store_txn_renew(&n->admit_txn);
    if (r != PETRO_OK) return r == PETRO_ERR_NOT_FOUND ? PETRO_ERR_IO : r;

    petro_account acct;
    uint64_t committed_sequence = 0;
    r = petro_state_get_account(&n->admit_txn.store, &acct, &tx->source);
    if (r == PETRO_OK) {
        committed_sequence = acct.sequence;
    } else if (r != PETRO_ERR_NOT_FOUND) {
        goto done; /* check_tx reports a missing account in its own order */
    }
    uint64_t pending_count;
    petro_amount pending_fees;
    r = mempool_pending_of(n->mp, &tx->source, committed_sequence, &pending_count, &pending_fees);
    if (r != PETRO_OK) goto done;
    r = petro_ledger_check_tx(&n->admit_txn.store, tx, sig_mask, now_ms(), pending_count,
                              pending_fees);
    if (r != PETRO_OK && petro_result_is_ledger(r)) {
        /* Already committed? Looked up only now: a committed transaction cannot pass
         * check_tx (its sequence is at or below its account's, sequences only grow and
         * accounts are never removed), so the lookup in the transaction index, a tree as large
         * as the history, stays off the path of every valid submission. */
        uint64_t height;
        uint32_t index;
        petro_result where = store_get_tx_location(&n->admit_txn, id, &height, &index);
        if (where == PETRO_OK) r = PETRO_ERR_DUPLICATE_TX;
        else if (where != PETRO_ERR_NOT_FOUND) r = where;
    }
    if (r != PETRO_OK) goto done;
    r = mempool_add(n->mp, tx, id, witness, sig_mask, bytes, bytes_size);
    if (r == PETRO_OK) ordering_forward(n->ord, bytes, bytes_size);
    if (r == PETRO_OK && mempool_count(n->mp) >= n->cfg.block_tx_count_max) {
        pthread_cond_signal(&n->producer_wake);
    }
done:
    store_txn_reset(&n->admit_txn);
    return r;
}

static petro_result admit(node *n, const petro_tx *tx, const petro_hash *id, uint32_t sig_mask,
                          const uint8_t *bytes, size_t bytes_size) {
    /* The witness leaf on this (API) thread, outside the lock: the producer's serial path
     * only copies it (petro_ledger_apply_tx_witnessed). */
    petro_hash witness;
    petro_tx_witness_hash(&witness, tx, id);
    pthread_mutex_lock(&n->lock);
    petro_result r = admit_locked(n, tx, id, &witness, sig_mask, bytes, bytes_size);
    if (r != PETRO_OK) n->txs_rejected_total++;
    pthread_mutex_unlock(&n->lock);
    return r;
}

/* The checks that need no state, before paying for signature verification. */
static petro_result precheck(node *n, const petro_hash *id) {
    pthread_mutex_lock(&n->lock);
    petro_result r = PETRO_OK;
    /* The state writer failing (state.mdb full) stops the next block before the producer
     * has tried one (its layers wait in memory): refuse at once, as for the block log. */
    if (n->is_closing || n->is_store_failing || store_lmdb_writer_failing(n->store) ||
        !ordering_is_writable(n->ord)) {
        r = PETRO_ERR_UNAVAILABLE;
    } else if (mempool_find(n->mp, id) != NULL) {
        r = PETRO_ERR_DUPLICATE_TX;
    } else if (mempool_is_full(n->mp)) {
        r = PETRO_ERR_MEMPOOL_FULL;
    }
    if (r != PETRO_OK) n->txs_rejected_total++;
    pthread_mutex_unlock(&n->lock);
    return r;
}

static void count_rejected(node *n) {
    pthread_mutex_lock(&n->lock);
    n->txs_rejected_total++;
    pthread_mutex_unlock(&n->lock);
}

petro_result node_submit(node *n, petro_hash *id, const uint8_t *tx_bytes, size_t tx_size) {
    memset(id, 0, sizeof *id);
    petro_tx *tx = malloc(sizeof *tx);
    if (tx == NULL) return PETRO_ERR_NOMEM;
    petro_result r = tx_size > PETRO_TX_SIZE_MAX ? PETRO_ERR_TX_TOO_LARGE
                                                 : petro_tx_decode(tx, tx_bytes, tx_size);
    if (r == PETRO_OK) r = petro_tx_id(id, tx);
    if (r != PETRO_OK) {
        count_rejected(n);
        free(tx);
        return r;
    }
    r = precheck(n, id);
    if (r == PETRO_OK) {
        uint32_t mask = petro_tx_verify_sigs(tx, id);
        r = admit(n, tx, id, mask, tx_bytes, tx_size);
    }
    free(tx);
    return r;
}

/* Walk the framing of a batch body: repeated u32 LE size + envelope. Returns the number of
 * envelopes, or SIZE_MAX if the framing is broken. */
static size_t batch_count(const uint8_t *body, size_t body_size) {
    size_t count = 0, offset = 0;
    /* Bounded: every step consumes at least 4 bytes. */
    while (offset < body_size) {
        if (body_size - offset < 4) return SIZE_MAX;
        size_t size = (size_t)body[offset] | (size_t)body[offset + 1] << 8 |
                      (size_t)body[offset + 2] << 16 | (size_t)body[offset + 3] << 24;
        offset += 4;
        if (size > body_size - offset) return SIZE_MAX;
        offset += size;
        count++;
    }
    return count;
}

typedef struct batch_slot {
    petro_tx tx;
    petro_hash id;
    const uint8_t *bytes;
    size_t bytes_size;
    petro_result code;
} batch_slot;

petro_result node_submit_batch(node *n, size_t *accepted, const uint8_t *body, size_t body_size,
                               node_reject_cb reject_cb, void *cb_ctx) {
    *accepted = 0;
    size_t total = batch_count(body, body_size);
    if (total == SIZE_MAX) return PETRO_ERR_MALFORMED;
    batch_slot *slots = malloc(NODE_BATCH_CHUNK * sizeof *slots);
    sigpool_item *items = malloc(NODE_BATCH_CHUNK * sizeof *items);
    size_t *item_slot = malloc(NODE_BATCH_CHUNK * sizeof *item_slot);
    if (slots == NULL || items == NULL || item_slot == NULL) {
        free(slots);
        free(items);
        free(item_slot);
        return PETRO_ERR_NOMEM;
    }
    size_t offset = 0;
    /* Chunks bound memory to NODE_BATCH_CHUNK decoded transactions per call. */
    for (size_t base = 0; base < total; base += NODE_BATCH_CHUNK) {
        size_t chunk = total - base < NODE_BATCH_CHUNK ? total - base : NODE_BATCH_CHUNK;
        size_t item_count = 0;
        for (size_t i = 0; i < chunk; i++) {
            batch_slot *s = &slots[i];
            PETROD_ASSERT(body_size - offset >= 4); /* batch_count walked this framing */
            size_t size = (size_t)body[offset] | (size_t)body[offset + 1] << 8 |
                          (size_t)body[offset + 2] << 16 | (size_t)body[offset + 3] << 24;
            PETROD_ASSERT(size <= body_size - offset - 4);
            s->bytes = body + offset + 4;
            s->bytes_size = size;
            offset += 4 + size;
            s->code = size > PETRO_TX_SIZE_MAX ? PETRO_ERR_TX_TOO_LARGE
                                               : petro_tx_decode(&s->tx, s->bytes, size);
            if (s->code == PETRO_OK) s->code = petro_tx_id(&s->id, &s->tx);
            if (s->code == PETRO_OK) s->code = precheck(n, &s->id);
            else count_rejected(n);
            if (s->code == PETRO_OK) {
                items[item_count] = (sigpool_item){.tx = &s->tx, .id = &s->id, .mask = 0};
                item_slot[item_count++] = i;
            }
        }
        PETROD_ASSERT(item_count <= chunk);
        sigpool_verify(n->sigs, items, item_count);
        for (size_t k = 0; k < item_count; k++) {
            batch_slot *s = &slots[item_slot[k]];
            s->code = admit(n, &s->tx, &s->id, items[k].mask, s->bytes, s->bytes_size);
        }
        for (size_t i = 0; i < chunk; i++) {
            if (slots[i].code == PETRO_OK) {
                (*accepted)++;
            } else if (reject_cb != NULL) {
                reject_cb(cb_ctx, base + i, slots[i].code);
            }
        }
    }
    PETROD_ASSERT(offset == body_size);
    free(slots);
    free(items);
    free(item_slot);
    return PETRO_OK;
}

bool node_tx_is_pending(node *n, const petro_hash *id) {
    pthread_mutex_lock(&n->lock);
    bool is_pending = mempool_find(n->mp, id) != NULL;
    pthread_mutex_unlock(&n->lock);
    return is_pending;
}

void node_account_pending(node *n, const petro_pubkey *account, uint64_t *pending_count,
                          uint64_t *last_sequence) {
    pthread_mutex_lock(&n->lock);
    mempool_account_tail(n->mp, account, pending_count, last_sequence);
    pthread_mutex_unlock(&n->lock);
}

/* ------------------------------------------------------------ waiting */

petro_result node_wait_commit(node *n, const petro_hash *id, uint32_t timeout_ms,
                              uint64_t *height, uint32_t *index) {
    *height = 0;
    *index = 0;
    struct timespec deadline = deadline_after_ms(timeout_ms);
    pthread_mutex_lock(&n->lock);
    mempool_entry *e = mempool_find(n->mp, id);
    if (e != NULL) {
        mempool_waiter w = {0};
        mempool_waiter_add(e, &w);
        while (!w.is_done && !n->is_closing) {
            int rc = pthread_cond_timedwait(&n->changed, &n->lock, &deadline);
            if (rc == ETIMEDOUT) break;
        }
        petro_result r;
        if (w.is_done) {
            PETROD_ASSERT(w.next == NULL); /* remove_one unlinked it */
            r = w.code;
            *height = w.height;
            *index = w.index;
        } else {
            /* Not completed, so the entry still exists: leave it. */
            PETROD_DEBUG_ASSERT(mempool_find(n->mp, id) == e);
            mempool_waiter_remove(e, &w);
            r = n->is_closing ? PETRO_ERR_UNAVAILABLE : PETRO_ERR_TIMEOUT;
        }
        pthread_mutex_unlock(&n->lock);
        return r;
    }
    pthread_mutex_unlock(&n->lock);

    /* Not pending: committed (the commit precedes the removal), dropped, or unknown. */
    store_txn t;
    petro_result r = store_txn_begin(n->store, false, &t);
    if (r != PETRO_OK) return r;
    r = store_get_tx_location(&t, id, height, index);
    store_txn_abort(&t);
    if (r != PETRO_ERR_NOT_FOUND) return r;
    pthread_mutex_lock(&n->lock);
    petro_result code;
    if (mempool_recent_drop(n->mp, id, &code)) r = code;
    pthread_mutex_unlock(&n->lock);
    return r;
}

uint64_t node_wait_block(node *n, uint64_t after_height, uint32_t timeout_ms) {
    struct timespec deadline = deadline_after_ms(timeout_ms);
    pthread_mutex_lock(&n->lock);
    while (n->tip.height <= after_height && !n->is_closing) {
        if (pthread_cond_timedwait(&n->changed, &n->lock, &deadline) == ETIMEDOUT) break;
    }
    uint64_t height = n->tip.height;
    pthread_mutex_unlock(&n->lock);
    return height;
}

/* ------------------------------------------------------------ producer */

static void put_u32_le(uint8_t *out, uint32_t v) {
    out[0] = (uint8_t)v;
    out[1] = (uint8_t)(v >> 8);
    out[2] = (uint8_t)(v >> 16);
    out[3] = (uint8_t)(v >> 24);
}

/* Index entries of one included transaction: its location, and a history link for each
 * account it touches (petro_tx_accounts: the source, destinations, trustors, issuers,
 * contract parties, redemption holders, zone members; store_index_tx). Called after
 * petro_ledger_commit of the block, by the producer (write_block) and by followers
 * (put_block_indexes) alike, so the parties read from state (a released contract's
 * exporter) come from the same committed state on every node. No allocation: the list lives
 * on the stack (PETRO_TX_ACCOUNTS_MAX). */
static petro_result put_tx_indexes(node *n, const petro_tx *tx, const petro_hash *id,
                                   uint64_t height, uint32_t index) {
    store_txn *t = &n->producer_txn;
    petro_pubkey accounts[PETRO_TX_ACCOUNTS_MAX];
    size_t count;
    petro_result r = petro_tx_accounts(accounts, PETRO_TX_ACCOUNTS_MAX, &count, tx, &t->store);
    if (r == PETRO_OK) r = store_index_tx(t, &n->links, id, height, index, accounts, count);
    return r;
}

/* Write the finished block into the open write txn: state, block, results, indexes. */
static petro_result write_block(node *n, const petro_block_header *h, size_t batch_count,
                                uint32_t included) {
    PETROD_ASSERT(batch_count <= n->batch_cap);
    PETROD_ASSERT(included > 0 && included <= batch_count);
    petro_result r = petro_ledger_commit(n->ledger);
    if (r != PETRO_OK) return r;

    store_links_clear(&n->links); /* what a failed block may have left */
    petro_block_header_encode(n->block_buf, h);
    size_t block_size = PETRO_BLOCK_HEADER_SIZE;
    size_t results_size = 0;
    uint32_t index = 0;
    for (size_t i = 0; i < batch_count; i++) {
        if (n->batch_codes[i] != PETRO_OK) continue;
        const mempool_entry *e = n->batch[i];
        PETROD_ASSERT(block_size + 4 + e->bytes_size <= n->block_cap); /* alloc_producer_buffers */
        put_u32_le(n->block_buf + block_size, (uint32_t)e->bytes_size);
        memcpy(n->block_buf + block_size + 4, e->bytes, e->bytes_size);
        block_size += 4 + e->bytes_size;

        size_t rsize;
        PETROD_ASSERT(index < n->batch_cap);
        PETROD_ASSERT(results_size + 2 <= n->results_cap);
        r = petro_tx_result_encode(n->results_buf + results_size + 2,
                                   n->results_cap - results_size - 2, &rsize, &n->results[index]);
        if (r != PETRO_OK) return r;
        PETROD_ASSERT(rsize <= PETRO_TX_RESULT_SIZE_MAX);
        n->results_buf[results_size] = (uint8_t)rsize;
        n->results_buf[results_size + 1] = (uint8_t)(rsize >> 8);
        results_size += 2 + rsize;

        /* Decoded at admission already: a failure here is memory corruption. */
        r = petro_tx_decode(n->tx, e->bytes, e->bytes_size);
        if (r != PETRO_OK) return PETRO_ERR_CORRUPT;
        r = put_tx_indexes(n, n->tx, &e->id, h->height, index);
        if (r != PETRO_OK) return r;
        index++;
    }
    r = store_put_block_indexes(&n->producer_txn, &n->links, h->height);
    if (r != PETRO_OK) return r;
    if (index != included || h->tx_count != included) {
        log_error("producer: block %llu holds %u transactions, expected %u",
                  (unsigned long long)h->height, h->tx_count, included);
        return PETRO_ERR_CORRUPT;
    }
    n->block_size = block_size;
    r = store_put_block(&n->producer_txn, h->height, n->block_buf, block_size);
    if (r == PETRO_OK) {
        r = store_put_results(&n->producer_txn, h->height, n->results_buf, results_size);
    }
    return r;
}

static void check_invariants_or_die(node *n, uint64_t height) {
    store_txn t;
    char msg[256] = "";
    petro_result r = store_txn_begin(n->store, false, &t);
    if (r == PETRO_OK) {
        r = petro_ledger_check_invariants(&t.store, msg, sizeof msg);
        store_txn_abort(&t);
    }
    if (r != PETRO_OK) {
        log_error("INVARIANT VIOLATED after block %llu: %s (%s); aborting",
                  (unsigned long long)height, msg, petro_result_name(r));
        abort();
    }
}

/* Complete the batch after the block is durable (or after an all-rejected batch): included
 * entries with their location, the others with their code. In reverse order, so that the
 * followers a dropped entry takes with it are never entries still to be visited. */
static void complete_batch(node *n, size_t batch_count, uint64_t height, uint32_t included,
                           const petro_block_header *h) {
    PETROD_ASSERT(batch_count <= n->batch_cap);
    PETROD_ASSERT(included <= batch_count);
    pthread_mutex_lock(&n->lock);
    size_t dropped = 0;
    for (size_t k = batch_count; k-- > 0;) {
        petro_result code = n->batch_codes[k];
        dropped += mempool_complete(n->mp, n->batch[k], code, height, n->batch_index[k],
                                    code != PETRO_OK) -
                   (code == PETRO_OK ? 1u : 0u);
    }
    if (included > 0) {
        /* The tip moves one block at a time, and only the producer thread moves it. */
        PETROD_ASSERT(h->height == n->tip.height + 1);
        PETROD_ASSERT(h->height == height);
        n->is_store_failing = false; /* a block was written: storage works again */
        n->tip.height = h->height;
        petro_block_hash(&n->tip.block_hash, h);
        n->tip.state_hash = h->state_hash;
        n->tip.timestamp_ms = h->timestamp_ms;
        n->blocks_committed_total++;
        n->txs_committed_total += included;
    }
    n->txs_rejected_total += dropped;
    pthread_cond_broadcast(&n->changed);
    pthread_mutex_unlock(&n->lock);
}

/* Failures of the node itself (not of a transaction): the block is aborted and retried. */
static bool is_local_failure(petro_result r) {
    return r == PETRO_ERR_NOMEM || r == PETRO_ERR_IO || r == PETRO_ERR_STORE_FULL;
}

/* Cut, apply and durably commit one block from the head of the mempool. Returns false if
 * the block could not be committed (everything stays pending). */
static bool produce_block(node *n) {
    pthread_mutex_lock(&n->lock);
    size_t count = mempool_peek(n->mp, n->batch, n->cfg.block_tx_count_max);
    petro_ledger_tip tip = n->tip;
    pthread_mutex_unlock(&n->lock);
    PETROD_ASSERT(count <= n->batch_cap);
    n->is_op_capped = false;
    if (count == 0) return true;
    if (!ordering_may_propose(n->ord, tip.height)) return true;
    if (n->cfg.block_bytes_max != 0) {
        /* Cut by encoded size too (a cluster keeps blocks below etcd's request limit). */
        size_t bytes = PETRO_BLOCK_HEADER_SIZE, fit = 0;
        while (fit < count && bytes + 4 + n->batch[fit]->bytes_size <= n->cfg.block_bytes_max) {
            bytes += 4 + n->batch[fit++]->bytes_size;
        }
        count = fit > 0 ? fit : 1;
    }
    PETROD_ASSERT(count > 0);

    uint64_t height = tip.height + 1;
    uint64_t t_start = mono_us();
    uint64_t timestamp = now_ms();
    if (timestamp < tip.timestamp_ms) timestamp = tip.timestamp_ms;
    petro_block_header h_unused;
    petro_result r = store_txn_begin(n->store, true, &n->producer_txn);
    if (r != PETRO_OK) goto fail;
    r = petro_ledger_begin(n->ledger, height, timestamp);
    if (r != PETRO_OK) goto fail_txn;
    uint32_t included = 0;
    uint64_t op_total = 0;
    for (size_t i = 0; i < count; i++) {
        const mempool_entry *e = n->batch[i];
        r = petro_tx_decode(n->tx, e->bytes, e->bytes_size);
        if (r == PETRO_OK && i > 0 && op_total + n->tx->op_count > n->cfg.block_op_count_max) {
            count = i; /* the rest follows in the next block, in the same order */
            n->is_op_capped = true;
            break;
        }
        if (r == PETRO_OK) {
            op_total += n->tx->op_count;
            r = petro_ledger_apply_tx_witnessed(n->ledger, &n->results[included], n->tx,
                                                &e->id, &e->witness, e->sig_mask);
        }
        if (is_local_failure(r)) goto fail_block;
        if (r != PETRO_OK && !petro_result_is_ledger(r)) {
            /* Not a documented outcome of apply_tx: do not trust the open block. Drop only
             * this transaction (so it cannot wedge the producer) and retry the rest. */
            log_error("producer: apply of a transaction returned %s; dropping it",
                      petro_result_name(r));
            petro_ledger_abort(n->ledger);
            store_txn_abort(&n->producer_txn);
            n->batch[0] = n->batch[i];
            n->batch_codes[0] = r;
            n->batch_index[0] = 0;
            memset(&h_unused, 0, sizeof h_unused);
            complete_batch(n, 1, height, 0, &h_unused);
            return true;
        }
        n->batch_codes[i] = r;
        n->batch_index[i] = r == PETRO_OK ? included++ : 0;
    }
    PETROD_ASSERT(included <= count);
    petro_block_header h;
    memset(&h, 0, sizeof h);
    if (included == 0) {
        /* Nothing includable: no block, just drop them. */
        petro_ledger_abort(n->ledger);
        store_txn_abort(&n->producer_txn);
        complete_batch(n, count, height, 0, &h);
        return true;
    }
    /* In a cluster each leader names itself as proposer; alone, the node's validator key. */
    petro_pubkey proposer;
    ordering_self_key(n->ord, &proposer);
    uint64_t t_applied = mono_us();
    r = petro_ledger_finish(n->ledger, &h, &proposer);
    if (r != PETRO_OK) goto fail_block;
    /* node_open loaded the key of the proposer named here (load_validator_key). */
    r = petro_block_sign(&h, &n->tip.network_id, n->key.sk);
    PETROD_ASSERT(r == PETRO_OK);
    PETROD_ASSERT(h.height == height);
    PETROD_ASSERT(h.tx_count == included);
    r = write_block(n, &h, count, included);
    if (r != PETRO_OK) goto fail_block;
    if (ordering_finalize(n->ord, height, n->block_buf, n->block_size) != PETRO_OK) {
        /* Not final: drop our block; whatever etcd holds at this height is applied by
         * follow_blocks, and our transactions stay pending. */
        petro_ledger_abort(n->ledger);
        store_txn_abort(&n->producer_txn);
        return true;
    }
    uint64_t t_written = mono_us();
    r = store_txn_commit(&n->producer_txn); /* fsync: durable from here on */
    if (r != PETRO_OK) {
        petro_ledger_abort(n->ledger);
        goto fail;
    }
    uint64_t t_committed = mono_us();
    if (n->is_commit_failing) log_info("producer: commits succeed again");
    n->is_commit_failing = false;
    complete_batch(n, count, height, included, &h);
    petro_hash block_hash;
    petro_block_hash(&block_hash, &h);
    ordering_applied(n->ord, height, &block_hash, &h.state_hash);
    log_debug("block %llu: %u txs; apply %llu us, finish+write %llu us, commit %llu us",
              (unsigned long long)height, included, (unsigned long long)(t_applied - t_start),
              (unsigned long long)(t_written - t_applied),
              (unsigned long long)(t_committed - t_written));
    if (n->cfg.check_invariants) check_invariants_or_die(n, height);
    checkpoint_after_block(n->cps, n, height); /* proof of reserves every N blocks (checkpoint.c) */
    stateroot_after_block(n->srs, n, height);  /* signed state root, same heights (stateroot.c) */
    return true;
fail_block:
    petro_ledger_abort(n->ledger);
fail_txn:
    store_txn_abort(&n->producer_txn);
fail:
    /* Everything stays pending; nobody was told "committed". Retry at the next interval. */
    if (!n->is_commit_failing) {
        log_error("producer: block %llu not committed (%s); its transactions stay pending",
                  (unsigned long long)height, petro_result_str(r));
    }
    if (r == PETRO_ERR_STORE_FULL || r == PETRO_ERR_IO) {
        pthread_mutex_lock(&n->lock);
        if (!n->is_store_failing) {
            log_error("storage cannot commit blocks: new submissions are refused (503 "
                      "unavailable) until a block commits again");
        }
        n->is_store_failing = true;
        pthread_mutex_unlock(&n->lock);
    }
    n->is_commit_failing = true;
    return false;
}

/* ------------------------------------------------------------ cluster: blocks from others */

/* Write the indexes of a block applied and committed into the open write txn (as the producer
 * does in write_block: after petro_ledger_commit, through put_tx_indexes). The body was
 * walked and every transaction decoded once already; ids holds their count ids. is_replay: the
 * block is in the block log already (replay_block_indexes): its links are compared, not
 * written. */
static petro_result put_block_indexes(node *n, petro_tx *tx, const uint8_t *bytes, size_t size,
                                      const petro_hash *ids, uint32_t count, uint64_t height,
                                      bool is_replay) {
    size_t offset = PETRO_BLOCK_HEADER_SIZE;
    store_links_clear(&n->links); /* what a failed block may have left */
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *tx_bytes;
        size_t tx_size;
        if (petro_block_body_next(bytes, size, &offset, &tx_bytes, &tx_size) != PETRO_OK ||
            petro_tx_decode(tx, tx_bytes, tx_size) != PETRO_OK) {
            return PETRO_ERR_CORRUPT; /* it walked and decoded the first time */
        }
        petro_result r = put_tx_indexes(n, tx, &ids[i], height, i);
        if (r != PETRO_OK) return r;
    }
    return is_replay ? store_check_block_indexes(&n->producer_txn, &n->links, height)
                     : store_put_block_indexes(&n->producer_txn, &n->links, height);
}

/* Whether this node admitted the same envelope (id and bytes) itself: then its signature
 * mask and witness leaf, computed at admission, are the ones a check of the block's copy would
 * compute again (petro_tx_verify_sigs, petro_tx_witness_hash), and a follower skips paying for
 * the signatures of what it forwarded a second time. Called by the producer thread, the only
 * one that removes mempool entries; the lookup itself is under the lock (admission adds). */
static bool admitted_here(node *n, const petro_hash *id, const uint8_t *bytes, size_t size,
                          uint32_t *mask, petro_hash *witness) {
    pthread_mutex_lock(&n->lock);
    const mempool_entry *e = mempool_find(n->mp, id);
    bool same = e != NULL && e->bytes_size == size && memcmp(e->bytes, bytes, size) == 0;
    if (same) {
        *mask = e->sig_mask;
        *witness = e->witness;
    }
    pthread_mutex_unlock(&n->lock);
    return same;
}

/* Verify and apply one block written by the leader: the header must chain on the tip, every
 * transaction must decode, verify and apply exactly as the leader did, and the rebuilt header
 * (roots, state hash, everything) must equal the claimed one byte for byte. Then the block,
 * results and indexes are committed as the producer would, and the local mempool entries it
 * included are completed (their waiters learn "committed"). */
static petro_result apply_remote_block(node *n, const uint8_t *bytes, size_t size) {
    pthread_mutex_lock(&n->lock);
    petro_ledger_tip tip = n->tip;
    pthread_mutex_unlock(&n->lock);
    petro_block_header claimed;
    if (size < PETRO_BLOCK_HEADER_SIZE ||
        petro_block_header_decode(&claimed, bytes, PETRO_BLOCK_HEADER_SIZE) != PETRO_OK) {
        return PETRO_ERR_MALFORMED;
    }
    if (claimed.height != tip.height + 1) return PETRO_ERR_BAD_HEIGHT;
    if (!petro_hash_equal(&claimed.prev_hash, &tip.block_hash)) return PETRO_ERR_BAD_PREV_HASH;
    if (claimed.timestamp_ms < tip.timestamp_ms) return PETRO_ERR_BAD_TIMESTAMP;
    /* --block-max-txs is how this node cuts its own blocks, not a validity rule. */
    if (claimed.tx_count > PETRO_BLOCK_TX_COUNT_MAX) return PETRO_ERR_BLOCK_TOO_LARGE;
    /* Checked above; room for it because this backend delivers blocks (receives_blocks). */
    PETROD_ASSERT(claimed.tx_count <= n->batch_cap);
    if (!ordering_is_validator(n->ord, &claimed.proposer)) {
        log_error("block %llu names a proposer that is not a validator of this cluster",
                  (unsigned long long)claimed.height);
        return PETRO_ERR_MALFORMED;
    }
    if (!petro_block_signature_ok(&claimed, &tip.network_id)) {
        log_error("block %llu is not signed by its proposer", (unsigned long long)claimed.height);
        return PETRO_ERR_BAD_BLOCK_SIGNATURE;
    }
    petro_tx *tx = malloc(sizeof *tx);
    petro_hash *ids = malloc(((size_t)claimed.tx_count + 1u) * sizeof *ids);
    petro_result r = PETRO_ERR_NOMEM;
    if (tx == NULL || ids == NULL) goto done;
    r = store_txn_begin(n->store, true, &n->producer_txn);
    if (r != PETRO_OK) goto done;
    r = petro_ledger_begin(n->ledger, claimed.height, claimed.timestamp_ms);
    if (r != PETRO_OK) goto fail_txn;
    size_t offset = PETRO_BLOCK_HEADER_SIZE, results_size = 0;
    uint32_t count = 0;
    for (;;) {
        const uint8_t *tx_bytes;
        size_t tx_size;
        r = petro_block_body_next(bytes, size, &offset, &tx_bytes, &tx_size);
        if (r == PETRO_ERR_NOT_FOUND) break;
        if (r != PETRO_OK || count >= claimed.tx_count) {
            r = PETRO_ERR_MALFORMED;
            goto fail_block;
        }
        if (petro_tx_decode(tx, tx_bytes, tx_size) != PETRO_OK ||
            petro_tx_id(&ids[count], tx) != PETRO_OK) {
            r = PETRO_ERR_TX_REJECTED_IN_BLOCK;
            goto fail_block;
        }
        uint32_t mask;
        petro_hash witness;
        bool is_local = admitted_here(n, &ids[count], tx_bytes, tx_size, &mask, &witness);
        PETROD_ASSERT(count < n->batch_cap);
        if (is_local) {
            r = petro_ledger_apply_tx_witnessed(n->ledger, &n->results[count], tx, &ids[count],
                                                &witness, mask);
        } else {
            mask = petro_tx_verify_sigs(tx, &ids[count]);
            r = petro_ledger_apply_tx(n->ledger, &n->results[count], tx, &ids[count], mask);
        }
        if (r != PETRO_OK) {
            if (petro_result_is_ledger(r)) r = PETRO_ERR_TX_REJECTED_IN_BLOCK;
            goto fail_block;
        }
        size_t rsize;
        PETROD_ASSERT(results_size + 2 <= n->results_cap);
        r = petro_tx_result_encode(n->results_buf + results_size + 2,
                                   n->results_cap - results_size - 2, &rsize, &n->results[count]);
        if (r != PETRO_OK) goto fail_block;
        PETROD_ASSERT(rsize <= PETRO_TX_RESULT_SIZE_MAX);
        n->results_buf[results_size] = (uint8_t)rsize;
        n->results_buf[results_size + 1] = (uint8_t)(rsize >> 8);
        results_size += 2 + rsize;
        count++;
    }
    if (count != claimed.tx_count) {
        r = PETRO_ERR_MALFORMED;
        goto fail_block;
    }
    petro_block_header built;
    r = petro_ledger_finish(n->ledger, &built, &claimed.proposer);
    if (r != PETRO_OK) goto fail_block;
    if (!petro_hash_equal(&built.tx_root, &claimed.tx_root)) r = PETRO_ERR_BAD_TX_ROOT;
    else if (!petro_hash_equal(&built.witness_root, &claimed.witness_root))
        r = PETRO_ERR_BAD_WITNESS_ROOT;
    else if (!petro_hash_equal(&built.result_root, &claimed.result_root))
        r = PETRO_ERR_BAD_RESULT_ROOT;
    else if (!petro_hash_equal(&built.state_hash, &claimed.state_hash))
        r = PETRO_ERR_BAD_STATE_HASH;
    /* The signature was checked against the claimed header's hash; the rebuilt hashed part
     * must be the claimed one byte for byte. */
    uint8_t enc_built[PETRO_BLOCK_HEADER_SIZE];
    petro_block_header_encode(enc_built, &built);
    if (r == PETRO_OK && memcmp(enc_built, bytes, PETRO_BLOCK_HASHED_SIZE) != 0)
        r = PETRO_ERR_MALFORMED;
    if (r != PETRO_OK) goto fail_block;
    r = petro_ledger_commit(n->ledger);
    if (r == PETRO_OK) {
        r = put_block_indexes(n, tx, bytes, size, ids, count, claimed.height, false);
    }
    if (r == PETRO_OK) r = store_put_block(&n->producer_txn, claimed.height, bytes, size);
    if (r == PETRO_OK) {
        r = store_put_results(&n->producer_txn, claimed.height, n->results_buf, results_size);
    }
    if (r != PETRO_OK) goto fail_block;
    r = store_txn_commit(&n->producer_txn);
    if (r != PETRO_OK) {
        petro_ledger_abort(n->ledger);
        goto done;
    }
    pthread_mutex_lock(&n->lock);
    PETROD_ASSERT(n->tip.height + 1 == claimed.height); /* only this thread moves the tip */
    for (uint32_t i = 0; i < count; i++) {
        mempool_entry *e = mempool_find(n->mp, &ids[i]);
        if (e != NULL) mempool_complete(n->mp, e, PETRO_OK, claimed.height, i, false);
    }
    n->tip.height = claimed.height;
    n->is_store_failing = false;
    petro_block_hash(&n->tip.block_hash, &claimed);
    n->tip.state_hash = claimed.state_hash;
    n->tip.timestamp_ms = claimed.timestamp_ms;
    n->blocks_committed_total++;
    n->txs_committed_total += count;
    petro_hash block_hash = n->tip.block_hash;
    pthread_cond_broadcast(&n->changed);
    pthread_mutex_unlock(&n->lock);
    ordering_applied(n->ord, claimed.height, &block_hash, &claimed.state_hash);
    log_debug("applied block %llu from the cluster: %u txs", (unsigned long long)claimed.height,
              count);
    if (n->cfg.check_invariants) check_invariants_or_die(n, claimed.height);
    checkpoint_after_block(n->cps, n, claimed.height); /* the same heights as the leader's */
    stateroot_after_block(n->srs, n, claimed.height);
    goto done;
fail_block:
    petro_ledger_abort(n->ledger);
fail_txn:
    store_txn_abort(&n->producer_txn);
done:
    free(tx);
    free(ids);
    return r;
}

/* Pending entries whose sequence the chain has passed (the same sequence was committed
 * through another node) can never apply: drop them, so a follower's mempool does not keep
 * them (nor count them in the next sequence it tells clients). */
static void drop_stale_pending(node *n) {
    store_txn t;
    if (store_txn_begin(n->store, false, &t) != PETRO_OK) return;
    pthread_mutex_lock(&n->lock);
    size_t count = mempool_peek(n->mp, n->batch, n->cfg.block_tx_count_max);
    size_t dropped = 0;
    for (size_t i = count; i-- > 0;) {
        mempool_entry *e = n->batch[i];
        petro_account acct;
        if (petro_state_get_account(&t.store, &acct, &e->source) == PETRO_OK &&
            e->sequence <= acct.sequence) {
            dropped += mempool_complete(n->mp, e, PETRO_ERR_BAD_SEQUENCE, 0, 0, false);
        }
    }
    n->txs_rejected_total += dropped;
    if (dropped > 0) pthread_cond_broadcast(&n->changed);
    pthread_mutex_unlock(&n->lock);
    store_txn_abort(&t);
}

/* Another node leads now: send it our pending submissions (the oldest first, up to a
 * block's worth), in case the old leader died with them. */
static void reforward_pending(node *n) {
    pthread_mutex_lock(&n->lock);
    size_t count = mempool_peek(n->mp, n->batch, n->cfg.block_tx_count_max);
    PETROD_ASSERT(count <= n->batch_cap);
    for (size_t i = 0; i < count; i++) {
        ordering_forward(n->ord, n->batch[i]->bytes, n->batch[i]->bytes_size);
    }
    pthread_mutex_unlock(&n->lock);
    if (count > 0) log_info("cluster: forwarded %zu pending submissions to the new leader", count);
}

/* A forward can be lost without a leader change (the leader refused it as unavailable for
 * longer than the forwarder retries, a request failed, the queue was full): while the oldest
 * pending entry stays the same for NODE_REFORWARD_MS, send the head of the mempool (a block's
 * worth) to the leader again. The leader answers duplicate_tx for those it holds already. */
#define NODE_REFORWARD_MS 2000u
static void reforward_stuck(node *n) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    bool is_leader = ordering_is_leader(n->ord);
    pthread_mutex_lock(&n->lock);
    size_t count = is_leader ? 0 : mempool_peek(n->mp, n->batch, 1);
    if (count == 0 || !n->has_oldest || !petro_hash_equal(&n->oldest_id, &n->batch[0]->id)) {
        n->has_oldest = count > 0;
        if (count > 0) n->oldest_id = n->batch[0]->id;
        n->oldest_since_ms = now;
        pthread_mutex_unlock(&n->lock);
        return;
    }
    if (now - n->oldest_since_ms < NODE_REFORWARD_MS) {
        pthread_mutex_unlock(&n->lock);
        return;
    }
    n->oldest_since_ms = now;
    count = mempool_peek(n->mp, n->batch, n->cfg.block_tx_count_max);
    for (size_t i = 0; i < count; i++) {
        ordering_forward(n->ord, n->batch[i]->bytes, n->batch[i]->bytes_size);
    }
    pthread_mutex_unlock(&n->lock);
    log_info("cluster: the oldest pending submission is still not in a block after %u ms; "
             "forwarded %zu pending submissions to the leader again", NODE_REFORWARD_MS, count);
}

/* Apply every block the ordering backend has after the tip, in order. */
static void follow_blocks(node *n) {
    if (ordering_take_leader_change(n->ord)) reforward_pending(n);
    reforward_stuck(n);
    for (;;) {
        pthread_mutex_lock(&n->lock);
        uint64_t next = n->tip.height + 1;
        bool is_closing = n->is_closing;
        pthread_mutex_unlock(&n->lock);
        uint8_t *bytes;
        size_t size;
        if (is_closing || ordering_next_block(n->ord, next, &bytes, &size) != PETRO_OK)
            return;
        petro_result r = apply_remote_block(n, bytes, size);
        free(bytes);
        if (r == PETRO_OK) {
            drop_stale_pending(n);
            continue;
        }
        if (is_local_failure(r)) {
            log_error("cluster: block %llu not applied (%s); retrying", (unsigned long long)next,
                      petro_result_str(r));
        } else {
            ordering_refused(n->ord, next, r);
        }
        return;
    }
}

static void wake_producer(void *ctx) {
    node *n = ctx;
    PETROD_ASSERT(n != NULL); /* the wake is cleared before the node is freed */
    pthread_mutex_lock(&n->lock);
    pthread_cond_signal(&n->producer_wake);
    pthread_mutex_unlock(&n->lock);
}

static void *producer_main(void *arg) {
    node *n = arg;
    PETROD_ASSERT(n->is_sync_ready);
    PETROD_ASSERT(n->ord != NULL);
    prctl(PR_SET_NAME, "producer", 0, 0, 0); /* thread name, for top -H and perf */
    struct timespec last_block;
    clock_gettime(CLOCK_MONOTONIC, &last_block);
    /* After a failed block, wait even when a full block is pending, doubling the wait up to
     * NODE_RETRY_MS_MAX while failures repeat (a full map fails every time). */
    uint32_t wait_ms = n->cfg.block_interval_ms;
    bool is_failing = false;
    pthread_mutex_lock(&n->lock);
    while (!n->is_closing) {
        pthread_mutex_unlock(&n->lock);
        follow_blocks(n);
        pthread_mutex_lock(&n->lock);
        if (n->is_closing) break;
        struct timespec due = last_block;
        due.tv_sec += (time_t)(wait_ms / 1000u);
        due.tv_nsec += (long)(wait_ms % 1000u) * 1000000L;
        if (due.tv_nsec >= 1000000000L) {
            due.tv_sec += 1;
            due.tv_nsec -= 1000000000L;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        bool is_due = now.tv_sec > due.tv_sec ||
                      (now.tv_sec == due.tv_sec && now.tv_nsec >= due.tv_nsec);
        size_t pending = mempool_count(n->mp);
        /* Full: a whole block is pending, or the last block was cut by its operation count
         * and the rest is ready at once. */
        bool is_full = !is_failing && (pending >= n->cfg.block_tx_count_max || n->is_op_capped);
        if (pending == 0 || (!is_due && !is_full)) {
            if (pending == 0 && is_due) {
                /* Idle: wait one interval at a time (admission of a full block wakes us). */
                last_block = now;
                continue;
            }
            pthread_cond_timedwait(&n->producer_wake, &n->lock, &due);
            continue;
        }
        pthread_mutex_unlock(&n->lock);
        /* The interval runs from the start of a block: under steady load a block is cut as
         * soon as the previous one has committed if that took longer than the interval, so a
         * transaction waits for at most one block in progress plus its own. */
        last_block = now;
        is_failing = !produce_block(n);
        struct timespec cpu; /* the producer's own CPU time: its capacity (/metrics) */
        if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0) {
            n->producer_cpu_us = (uint64_t)cpu.tv_sec * 1000000u + (uint64_t)cpu.tv_nsec / 1000u;
        }
        if (!is_failing) {
            wait_ms = n->cfg.block_interval_ms;
        } else {
            if (wait_ms < NODE_RETRY_MS_MAX) {
                wait_ms = wait_ms > NODE_RETRY_MS_MAX / 2 ? NODE_RETRY_MS_MAX : wait_ms * 2;
            }
            clock_gettime(CLOCK_MONOTONIC, &last_block); /* back off from the failure */
        }
        pthread_mutex_lock(&n->lock);
    }
    pthread_mutex_unlock(&n->lock);
    return NULL;
}
