/* The local ordering backend (ordering.h): a single node that orders its own blocks, the
 * devnet and `petrod run` without --cluster.
 *
 * The node is always the proposer and always writable; a block is final once the node's LMDB
 * commit has it (finalize has nothing to do); nothing arrives from elsewhere (next_block never
 * has a block, no leader changes, nothing to forward). It names the ledger's proposer key (meta
 * "proposer") as the proposer of every block, as the node did before it had an ordering object.
 *
 * State: the key, set once at creation, and the last applied height, kept only to check the
 * node's calls (heights strictly increase). The height is atomic so that any thread may call
 * in, as the interface allows. */
#include "ordering.h"

#include <stdatomic.h>
#include <stdlib.h>

typedef struct local_ordering {
    ordering base; /* first: local_of casts back */
    petro_pubkey self_key;
    _Atomic uint64_t applied_height; /* the last height the node reported applied */
    _Atomic bool has_applied;
} local_ordering;

static const ordering_ops local_ops;

static local_ordering *local_of(ordering *base) {
    PETROD_ASSERT(base != NULL);
    PETROD_ASSERT(base->ops == &local_ops);
    return (local_ordering *)base;
}

petro_result ordering_local_create(ordering **out, const petro_pubkey *self_key) {
    PETROD_ASSERT(out != NULL);
    PETROD_ASSERT(self_key != NULL);
    *out = NULL;
    local_ordering *l = calloc(1, sizeof *l);
    if (l == NULL) return PETRO_ERR_NOMEM;
    l->base.ops = &local_ops;
    l->self_key = *self_key;
    atomic_init(&l->applied_height, 0);
    atomic_init(&l->has_applied, false);
    *out = &l->base;
    return PETRO_OK;
}

static void local_close(ordering *base) { free(local_of(base)); }

/* Nothing ever arrives, so the callback is never called: nothing to keep. */
static void local_set_wake(ordering *base, ordering_wake_fn fn, void *ctx) {
    (void)local_of(base);
    (void)fn;
    (void)ctx;
}

static bool local_receives_blocks(ordering *base) {
    (void)local_of(base);
    return false;
}

/* The node applies only its own blocks, each on top of the one before. */
static bool local_may_propose(ordering *base, uint64_t applied_height) {
    local_ordering *l = local_of(base);
    if (atomic_load(&l->has_applied)) {
        PETROD_ASSERT(applied_height == atomic_load(&l->applied_height));
    }
    return true;
}

static void local_self_key(ordering *base, petro_pubkey *out) {
    PETROD_ASSERT(out != NULL);
    *out = local_of(base)->self_key;
}

static bool local_is_validator(ordering *base, const petro_pubkey *pk) {
    PETROD_ASSERT(pk != NULL);
    return petro_pubkey_equal(&local_of(base)->self_key, pk);
}

static bool local_is_writable(ordering *base) {
    (void)local_of(base);
    return true;
}

/* Final once the node commits it: the node's LMDB is the only copy there is. */
static petro_result local_finalize(ordering *base, uint64_t height, const uint8_t *block,
                                   size_t size) {
    local_ordering *l = local_of(base);
    PETROD_ASSERT(block != NULL);
    PETROD_ASSERT(size >= PETRO_BLOCK_HEADER_SIZE);
    if (atomic_load(&l->has_applied)) PETROD_ASSERT(height == atomic_load(&l->applied_height) + 1);
    return PETRO_OK;
}

static petro_result local_next_block(ordering *base, uint64_t height, uint8_t **bytes,
                                     size_t *size) {
    (void)local_of(base);
    (void)height;
    *bytes = NULL;
    *size = 0;
    return PETRO_ERR_NOT_FOUND;
}

static void local_applied(ordering *base, uint64_t height, const petro_hash *block_hash,
                          const petro_hash *state_hash) {
    local_ordering *l = local_of(base);
    PETROD_ASSERT(block_hash != NULL);
    PETROD_ASSERT(state_hash != NULL);
    /* The first call reports the tip recovered at start-up; then one block at a time. */
    if (atomic_load(&l->has_applied)) PETROD_ASSERT(height == atomic_load(&l->applied_height) + 1);
    atomic_store(&l->applied_height, height);
    atomic_store(&l->has_applied, true);
}

/* Only blocks from elsewhere are refused, and none arrive. */
static void local_refused(ordering *base, uint64_t height, petro_result why) {
    (void)local_of(base);
    (void)height;
    (void)why;
    PETROD_ASSERT(!"the local ordering delivers no block that could be refused");
}

static bool local_take_leader_change(ordering *base) {
    (void)local_of(base);
    return false;
}

static bool local_is_leader(ordering *base) {
    (void)local_of(base);
    return true;
}

/* This node is the proposer: its mempool is where the submission belongs already. */
static void local_forward(ordering *base, const uint8_t *tx, size_t size) {
    (void)local_of(base);
    (void)tx;
    (void)size;
}

static json_t *local_status_json(ordering *base) {
    (void)local_of(base);
    return json_pack("{s:s}", "role", "single");
}

static json_t *local_block_attestations_json(ordering *base, uint64_t height,
                                             const char *block_hash_hex,
                                             const char *state_hash_hex) {
    (void)local_of(base);
    (void)height;
    (void)block_hash_hex;
    (void)state_hash_hex;
    return NULL;
}

static void local_counters_get(ordering *base, ordering_counters *out) {
    (void)local_of(base);
    PETROD_ASSERT(out != NULL);
    *out = (ordering_counters){.is_leader = true};
}

static const ordering_ops local_ops = {
    .name = "local",
    .close = local_close,
    .set_wake = local_set_wake,
    .receives_blocks = local_receives_blocks,
    .may_propose = local_may_propose,
    .self_key = local_self_key,
    .is_validator = local_is_validator,
    .is_writable = local_is_writable,
    .finalize = local_finalize,
    .next_block = local_next_block,
    .applied = local_applied,
    .refused = local_refused,
    .take_leader_change = local_take_leader_change,
    .is_leader = local_is_leader,
    .forward = local_forward,
    .status_json = local_status_json,
    .block_attestations_json = local_block_attestations_json,
    .counters_get = local_counters_get,
};
