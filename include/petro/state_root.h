/* State commitment (docs/protocol.md "State commitment"): a Merkle root over every state
 * record, signed by the validator, and proofs of one record that a light client checks
 * offline. Pure and deterministic: no I/O, no clock, no threads.
 *
 * Records: every (key, value) of the store except keys starting with 'M', ascending by key
 * bytes (the store's order). Leaf = BLAKE2b-256("petro-state-leaf-v1" || u16 key_size || key ||
 * u32 value_size || value). The tree is the block Merkle rule (petro_merkle_root: leaf node
 * H(0x00 || leaf), inner node H(0x01 || left || right), an odd last node carried up, empty =
 * 32 zero bytes), the same rule as the block's roots on purpose.
 *
 * Memory: petro_state_tree keeps only the levels from `bucket_bits` upwards (nodes of buckets
 * of 2^bucket_bits leaves) and the first key of each bucket; a proof takes the bucket's records
 * again from the caller (who re-reads them from the snapshot of the root's height). With
 * PETRO_STATE_BUCKET_BITS (16 leaves) that is about 4 bytes of hashes per record, plus one key
 * per 16 records. */
#ifndef PETRO_STATE_ROOT_H
#define PETRO_STATE_ROOT_H

#include "limits.h"
#include "store.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Signed state root bytes: network_id(32) || u64 height || block_hash(32) || state_hash(32) ||
 *  state_root(32) || u64 record_count || validator(32). */
#define PETRO_STATE_ROOT_MESSAGE_SIZE 176
/** Path steps at most (record_count < 2^64). */
#define PETRO_STATE_PATH_MAX 64
/** Leaves per bucket the node keeps no hashes of: 2^4 = 16. */
#define PETRO_STATE_BUCKET_BITS 4
#define PETRO_STATE_BUCKET_MAX (1u << PETRO_STATE_BUCKET_BITS)

/** What the validator signs (domain PETRO_DOMAIN_STATE_ROOT), plus its signature. */
typedef struct petro_state_root {
    petro_hash network_id;
    uint64_t height;
    petro_hash block_hash; /* of the block at height */
    petro_hash state_hash; /* that block header's state_hash */
    petro_hash root;       /* Merkle root over the records */
    uint64_t record_count;
    petro_pubkey validator;
    petro_sig signature;
} petro_state_root;

/** Side of a path step's sibling: LEFT means the sibling is the left child (the path node is
 *  the right one). Numbers are not protocol; the JSON says "left" / "right". */
typedef enum petro_state_side { PETRO_STATE_SIBLING_LEFT = 0, PETRO_STATE_SIBLING_RIGHT = 1 } petro_state_side;

typedef struct petro_state_step {
    uint8_t side; /* petro_state_side */
    petro_hash hash;
} petro_state_step;

/** The proof of one record against a signed state root. */
typedef struct petro_state_proof {
    uint8_t key[PETRO_STORE_KEY_SIZE_MAX];
    size_t key_size;
    uint8_t value[PETRO_STORE_VALUE_SIZE_MAX];
    size_t value_size;
    petro_hash leaf; /* the record's leaf hash, as claimed (check "leaf" recomputes it) */
    uint64_t index;  /* position of the record, 0-based */
    uint32_t step_count;
    petro_state_step steps[PETRO_STATE_PATH_MAX]; /* bottom-up; only levels with a sibling */
    petro_state_root root;
} petro_state_proof;

/** The leaf hash of a record. key_size <= PETRO_STORE_KEY_SIZE_MAX, value_size <=
 *  PETRO_STORE_VALUE_SIZE_MAX (larger is a caller bug and aborts). */
PETRO_API void petro_state_leaf(petro_hash *out, const uint8_t *key, size_t key_size,
                                const uint8_t *value, size_t value_size);
/** Whether a key is a state record of the commitment (not empty, not starting with 'M'). */
PETRO_API bool petro_state_key_committed(const uint8_t *key, size_t key_size);
/** Merkle nodes of the block rule: H(0x00 || leaf) and H(0x01 || left || right). */
PETRO_API void petro_state_leaf_node(petro_hash *out, const petro_hash *leaf);
PETRO_API void petro_state_inner_node(petro_hash *out, const petro_hash *left,
                                      const petro_hash *right);

/** The path shape of index among count leaves: the levels that have a sibling and on which
 *  side, bottom-up. At level k (0 = leaf nodes, level size n_k = ceil(count / 2^k)) the path
 *  node is p = index >> k; if p is odd its sibling is node p-1 (LEFT), else if p+1 < n_k it
 *  is node p+1 (RIGHT), else the node is carried up and the level has no step. Levels go up
 *  while n_k > 1. Returns false (steps 0) unless 1 <= count and index < count. */
PETRO_API bool petro_state_path_shape(uint8_t sides[PETRO_STATE_PATH_MAX], uint32_t *step_count,
                                      uint64_t index, uint64_t count);

/** The bytes the validator signs. */
PETRO_API void petro_state_root_message(uint8_t out[PETRO_STATE_ROOT_MESSAGE_SIZE],
                                        const petro_state_root *sr);
/** Set sr->validator = pk and sign (domain PETRO_DOMAIN_STATE_ROOT). */
PETRO_API void petro_state_root_sign(petro_state_root *sr, const petro_pubkey *pk,
                                     const petro_seckey *sk);
/** Whether sr->signature is sr->validator's signature of the message. */
PETRO_API bool petro_state_root_verify(const petro_state_root *sr);

/* ------------------------------------------------------------------ the tree */

/** A state tree being built or built: upper levels and the first key of every bucket. */
typedef struct petro_state_tree {
    unsigned bucket_bits; /* 0..PETRO_STATE_BUCKET_BITS */
    uint64_t record_count;
    petro_hash root;
    uint32_t level_count;   /* levels kept: bucket_bits .. bucket_bits + level_count - 1 */
    petro_hash *levels[PETRO_STATE_PATH_MAX + 1];
    uint64_t level_sizes[PETRO_STATE_PATH_MAX + 1];
    size_t level_caps[PETRO_STATE_PATH_MAX + 1];
    /* First keys: bucket b's key is keys[key_offsets[b] .. key_offsets[b+1]). */
    uint8_t *keys;
    size_t keys_size, keys_cap;
    uint64_t *key_offsets; /* bucket count + 1 entries once finished */
    size_t key_offsets_cap;
    /* The bucket being filled (building only). */
    petro_hash pending[PETRO_STATE_BUCKET_MAX];
    uint32_t pending_count;
    uint8_t last_key[PETRO_STORE_KEY_SIZE_MAX];
    size_t last_key_size;
    bool is_finished;
    petro_result error; /* sticky: PETRO_ERR_NOMEM, or PETRO_ERR_CORRUPT (records out of
                           order, a key not committed); finish returns it */
} petro_state_tree;

/** Start an empty tree keeping levels >= bucket_bits (0..PETRO_STATE_BUCKET_BITS; the node
 *  uses PETRO_STATE_BUCKET_BITS, tests also 0). Allocates nothing yet. */
PETRO_API void petro_state_tree_init(petro_state_tree *t, unsigned bucket_bits);
/** Add the next record (committed keys only, strictly ascending). Errors are sticky and
 *  reported by finish. */
PETRO_API void petro_state_tree_add(petro_state_tree *t, const uint8_t *key, size_t key_size,
                                    const uint8_t *value, size_t value_size);
/** Build the upper levels and the root. Returns PETRO_OK, PETRO_ERR_NOMEM, or
 *  PETRO_ERR_CORRUPT (records not strictly ascending, or a key not committed). */
PETRO_API PETRO_MUST_USE petro_result petro_state_tree_finish(petro_state_tree *t);
/** Free the tree's memory; the struct may be init'ed again. */
PETRO_API void petro_state_tree_free(petro_state_tree *t);

/** Build a tree over every committed record of store (ascending iteration, 'M' skipped) and
 *  fill sr from the store's tip (network id, height, block hash, state hash) with the root
 *  and record count; validator and signature are zeroed (sign with petro_state_root_sign).
 *  t is init'ed here with bucket_bits. Returns PETRO_OK, the store's error, PETRO_ERR_NOMEM,
 *  PETRO_ERR_CORRUPT, PETRO_ERR_NOT_FOUND (no tip); t is freed on failure. */
PETRO_API PETRO_MUST_USE petro_result petro_state_tree_build(petro_state_tree *t,
                                                             petro_state_root *sr,
                                                             const petro_store *store,
                                                             unsigned bucket_bits);

/** The bucket that would hold key: the last bucket whose first key is <= key. Sets *bucket,
 *  the index of its first record and its record count (1..2^bucket_bits). Returns false when
 *  the tree is empty or key sorts before every record. */
PETRO_API bool petro_state_tree_locate(const petro_state_tree *t, const uint8_t *key,
                                       size_t key_size, uint64_t *bucket, uint64_t *first_index,
                                       uint32_t *bucket_count);
/** The first key of a bucket (borrowed from t). */
PETRO_API const uint8_t *petro_state_tree_bucket_key(const petro_state_tree *t, uint64_t bucket,
                                                     size_t *key_size);

/** The proof of the record at position `at` of bucket `bucket`, given the bucket's records
 *  (leaves: their leaf hashes, in order; count must be the bucket's count from locate) and the
 *  record itself; root is copied into the proof. Returns PETRO_OK, or PETRO_ERR_CORRUPT when
 *  the leaves do not give the bucket's stored node (the records read back are not the ones the
 *  tree was built from). */
PETRO_API PETRO_MUST_USE petro_result petro_state_tree_proof(
    petro_state_proof *out, const petro_state_tree *t, const petro_state_root *root,
    uint64_t bucket, const petro_hash *leaves, uint32_t count, uint32_t at, const uint8_t *key,
    size_t key_size, const uint8_t *value, size_t value_size);

/* ------------------------------------------------------------------ verification */

/* The checks of petro_state_proof_verify, each reported on its own (bits of the result). */
#define PETRO_STATE_CHECK_SHAPE 1u     /* sizes, index < count, steps and sides as derived */
#define PETRO_STATE_CHECK_LEAF 2u      /* leaf = the leaf hash of key and value */
#define PETRO_STATE_CHECK_ROOT 4u      /* the leaf folded with the path gives the signed root */
#define PETRO_STATE_CHECK_SIGNATURE 8u /* the validator's signature of the state root */
#define PETRO_STATE_CHECK_ALL 15u

/** Verify a proof offline. Returns 0 if every check passes, else the bits of the failed
 *  checks. The caller decides whether it trusts root.validator. */
PETRO_API uint32_t petro_state_proof_verify(const petro_state_proof *p);
/** "shape", "leaf", "root", "signature" for one check bit; "?" otherwise. */
PETRO_API const char *petro_state_check_name(uint32_t check);
/** One sentence saying what failed. */
PETRO_API const char *petro_state_check_message(uint32_t check);

#ifdef __cplusplus
}
#endif
#endif
