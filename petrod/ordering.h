/* Block ordering: who may propose the next block, how a block becomes final, and where the
 * blocks written by others come from. The node (node.c) calls this interface and does not know
 * which backend runs.
 *
 *   local: the single-node devnet (ordering_local.c). Always the proposer, a block is final
 *          once LMDB has it, nothing arrives from elsewhere. node_open creates one when its
 *          configuration names no ordering.
 *   etcd:  a cluster (ordering_etcd.c, docs/operations.md "Cluster"). Leader election on an
 *          etcd lease; the leader makes block N final with a fenced txn; every node reads the
 *          block keys in order and applies them; followers forward submissions to the leader;
 *          each node publishes a signed attestation of the state it reached (attest.h).
 *
 * A backend is a struct whose first member is an `ordering` (the base) pointing at its
 * ordering_ops; the ordering_* functions below dispatch through it. A simulated orderer (tests,
 * a deterministic simulator) is one more ordering_ops.
 *
 * Thread-safety: every function may be called from any thread. */
#ifndef PETROD_ORDERING_H
#define PETROD_ORDERING_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "assert.h"
#include "petro/petro.h"

#define ORDERING_VALIDATOR_COUNT_MAX 16
#define ORDERING_ID_SIZE_MAX 32
#define ORDERING_ADDR_SIZE_MAX 128

typedef struct ordering ordering;

typedef struct ordering_validator {
    char id[ORDERING_ID_SIZE_MAX];     /* "v1" */
    petro_pubkey pubkey;               /* attestation key */
    char api[ORDERING_ADDR_SIZE_MAX];  /* http://127.0.0.1:8431 */
} ordering_validator;

typedef struct ordering_config {
    char self[ORDERING_ID_SIZE_MAX];
    char key_file[PATH_MAX];
    char etcd_endpoints[1024];
    char prefix[128];                  /* key prefix in etcd, e.g. "/petro/devnet/" */
    uint32_t lease_ttl_s;              /* election lease, default 1 */
    uint32_t etcd_timeout_ms;          /* per request, default 1000 */
    uint32_t block_bytes_max;          /* default 262144 */
    uint64_t retain_blocks;            /* blocks kept in etcd behind the tip, default 1000 */
    bool fault_diverge;                /* test-only: attest a wrong state hash */
    size_t validator_count;
    ordering_validator validators[ORDERING_VALIDATOR_COUNT_MAX];
} ordering_config;

/** Read a cluster file (key = value lines; docs/operations.md). Logs the problem and
 *  returns PETRO_ERR_MALFORMED or PETRO_ERR_IO on failure. */
petro_result ordering_config_load(ordering_config *cfg, const char *path);

/** Called by the backend (from its own threads) when a block or leadership arrived. */
typedef void (*ordering_wake_fn)(void *ctx);

/** Counters for /metrics. */
typedef struct ordering_counters {
    bool is_leader;
    uint64_t divergences_total;
    uint64_t blocks_refused_total;
    uint64_t peer_blocks_refused_total; /* peer chains refused when catching up after pruning */
    uint64_t leader_changes_total;
    uint64_t etcd_failures_total;
    bool is_watching;              /* the etcd watch stream on the block keys is open */
    uint64_t watch_events_total;   /* block writes announced by the watch stream */
    uint64_t watch_restarts_total; /* watch streams opened again after one ended */
} ordering_counters;

/* One backend's implementation of the functions below (same names without the ordering_
 * prefix, same contracts). Every member is set. */
typedef struct ordering_ops {
    const char *name; /* "local", "etcd" */
    void (*close)(ordering *o);
    void (*set_wake)(ordering *o, ordering_wake_fn fn, void *ctx);
    bool (*receives_blocks)(ordering *o);
    bool (*may_propose)(ordering *o, uint64_t applied_height);
    void (*self_key)(ordering *o, petro_pubkey *out);
    bool (*is_validator)(ordering *o, const petro_pubkey *pk);
    bool (*is_writable)(ordering *o);
    petro_result (*finalize)(ordering *o, uint64_t height, const uint8_t *block, size_t size);
    petro_result (*next_block)(ordering *o, uint64_t height, uint8_t **bytes, size_t *size);
    void (*applied)(ordering *o, uint64_t height, const petro_hash *block_hash,
                    const petro_hash *state_hash);
    void (*refused)(ordering *o, uint64_t height, petro_result why);
    bool (*take_leader_change)(ordering *o);
    bool (*is_leader)(ordering *o);
    void (*forward)(ordering *o, const uint8_t *tx, size_t size);
    json_t *(*status_json)(ordering *o);
    json_t *(*block_attestations_json)(ordering *o, uint64_t height, const char *block_hash_hex,
                                       const char *state_hash_hex);
    void (*counters_get)(ordering *o, ordering_counters *out);
} ordering_ops;

/* The base of every backend: its first member. Private to the backends. */
struct ordering {
    const ordering_ops *ops;
};

static inline const ordering_ops *ordering_ops_of(ordering *o) {
    PETROD_ASSERT(o != NULL);
    PETROD_ASSERT(o->ops != NULL);
    return o->ops;
}

/** Start the etcd backend: election, block reader, forwarder, attestations. network_id is
 *  the genesis network id (attestations are bound to it). */
petro_result ordering_open(ordering **out, const ordering_config *cfg,
                           const petro_hash *network_id);

/** Create the local backend of a single node: self_key is the ledger's proposer key (meta
 *  "proposer"), which names the proposer of every block. Returns PETRO_OK or
 *  PETRO_ERR_NOMEM. */
petro_result ordering_local_create(ordering **out, const petro_pubkey *self_key);

/** Stop and free any backend. ordering_close(NULL) is a no-op. */
static inline void ordering_close(ordering *o) {
    if (o != NULL) ordering_ops_of(o)->close(o);
}

/** Set (or with fn NULL, clear) the callback the backend calls when it has something. */
static inline void ordering_set_wake(ordering *o, ordering_wake_fn fn, void *ctx) {
    ordering_ops_of(o)->set_wake(o, fn, ctx);
}

/** Whether blocks cut by other nodes arrive through ordering_next_block. They may be cut with
 *  other limits than this node's own (up to the protocol's maximum), so the node sizes its
 *  buffers for the protocol's maximum then. */
static inline bool ordering_receives_blocks(ordering *o) {
    return ordering_ops_of(o)->receives_blocks(o);
}

/** Whether this node may cut the block after applied_height: it holds the leadership and has
 *  applied every block the backend knows of. */
static inline bool ordering_may_propose(ordering *o, uint64_t applied_height) {
    return ordering_ops_of(o)->may_propose(o, applied_height);
}
/** This validator's own key: the proposer field of the blocks it cuts. */
static inline void ordering_self_key(ordering *o, petro_pubkey *out) {
    ordering_ops_of(o)->self_key(o, out);
}
/** Whether pk is the key of one of the cluster's validators (a block's proposer must be). */
static inline bool ordering_is_validator(ordering *o, const petro_pubkey *pk) {
    return ordering_ops_of(o)->is_validator(o, pk);
}

/** Whether submissions are accepted (etcd reachable and a leader known). */
static inline bool ordering_is_writable(ordering *o) {
    return ordering_ops_of(o)->is_writable(o);
}

/** Make the encoded block at height final (fenced put, then read back on an ambiguous
 *  failure). Returns PETRO_OK once etcd holds exactly these bytes at height;
 *  PETRO_ERR_UNAVAILABLE otherwise (not the leader any more, another block holds the
 *  height, or etcd unreachable): the caller drops its block and applies what the backend
 *  delivers. The local backend answers PETRO_OK: its block is final once committed. */
static inline petro_result ordering_finalize(ordering *o, uint64_t height, const uint8_t *block,
                                             size_t size) {
    PETROD_ASSERT(block != NULL);
    PETROD_ASSERT(size >= PETRO_BLOCK_HEADER_SIZE);
    return ordering_ops_of(o)->finalize(o, height, block, size);
}

/** The block at height if the backend has it: a malloc'd copy in *bytes (caller frees).
 *  PETRO_ERR_NOT_FOUND if not (yet). */
static inline petro_result ordering_next_block(ordering *o, uint64_t height, uint8_t **bytes,
                                               size_t *size) {
    return ordering_ops_of(o)->next_block(o, height, bytes, size);
}

/** The node applied (or refused) the block at height. */
static inline void ordering_applied(ordering *o, uint64_t height, const petro_hash *block_hash,
                                    const petro_hash *state_hash) {
    ordering_ops_of(o)->applied(o, height, block_hash, state_hash);
}
static inline void ordering_refused(ordering *o, uint64_t height, petro_result why) {
    PETROD_ASSERT(why != PETRO_OK);
    ordering_ops_of(o)->refused(o, height, why);
}

/** Whether another node became leader since the last call: the node then forwards its
 *  pending submissions again (the old leader may have died with them). */
static inline bool ordering_take_leader_change(ordering *o) {
    return ordering_ops_of(o)->take_leader_change(o);
}
/** Whether this node holds the leadership now. */
static inline bool ordering_is_leader(ordering *o) { return ordering_ops_of(o)->is_leader(o); }

/** A submission admitted by this node: a follower forwards it to the leader. */
static inline void ordering_forward(ordering *o, const uint8_t *tx, size_t size) {
    PETROD_ASSERT(tx != NULL);
    PETROD_ASSERT(size <= PETRO_TX_SIZE_MAX);
    ordering_ops_of(o)->forward(o, tx, size);
}

/** The "cluster" object of GET /v1/status (role, leader, validators' attestations,
 *  divergences, refused blocks, refused peer chains); {"role": "single"} for the local
 *  backend. New reference. */
static inline json_t *ordering_status_json(ordering *o) {
    return ordering_ops_of(o)->status_json(o);
}
/** The attestations published for the block at height (etcd keys P atth/<height>/<id>),
 *  each verified against its validator's key: [{"validator", "block_hash", "state_hash",
 *  "agrees"}] where agrees compares with the given hashes (this node's block). NULL if etcd
 *  does not answer, and always for the local backend. Blocks pruned from etcd have none. New
 *  reference. */
static inline json_t *ordering_block_attestations_json(ordering *o, uint64_t height,
                                                       const char *block_hash_hex,
                                                       const char *state_hash_hex) {
    return ordering_ops_of(o)->block_attestations_json(o, height, block_hash_hex,
                                                       state_hash_hex);
}

/** Counters for /metrics. */
static inline void ordering_counters_get(ordering *o, ordering_counters *out) {
    ordering_ops_of(o)->counters_get(o, out);
}

/* cluster.c */
/** petrod cluster-init (argv[1] == "cluster-init"). Returns the exit status. */
int cluster_init_main(int argc, char **argv);
/** The network id of the genesis.bin in data_dir. */
petro_result cluster_network_id(const char *data_dir, petro_hash *out);

#endif
