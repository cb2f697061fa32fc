/* Proof of reserves (docs/protocol.md "Proof of reserves"): the Merkle sum tree over the
 * holders of a reserve-backed asset and the locks holding its units, the signed checkpoint of
 * its root, inclusion proofs and their offline verification. Pure and deterministic: the same
 * leaves and salt give the same root on every machine.
 *
 * Tree: the leaves are first the holders' balances in ascending account order, then the locks
 * (petro_state_each_lock: trade escrow today) in ascending (family, id, owner) order, so the
 * root's sum is the whole supply. A balance leaf node is
 * (BLAKE2b-256("petro-por-leaf-v2" || salt || account || balance), balance); a lock leaf node
 * is (BLAKE2b-256("petro-por-lock-v2" || salt || u8 family length || family || u64 id ||
 * owner || amount), amount). A parent is (BLAKE2b-256("petro-por-node-v2" || left.hash ||
 * left.sum || right.hash || right.sum), left.sum + right.sum): both children's sums are
 * committed, so no level can understate a total; every sum is checked to stay within
 * 0..PETRO_SUPPLY_MAX. A level of odd length is padded with the empty node
 * (BLAKE2b-256("petro-por-empty-v2"), 0). An empty tree's root is the empty node. Integers
 * are little-endian, as everywhere in the protocol. */
#ifndef PETRO_PROOF_H
#define PETRO_PROOF_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PETRO_PROOF_DEPTH_MAX 40 /* up to 2^40 leaves */

typedef struct petro_sum_node {
    petro_hash hash;
    petro_amount sum;
} petro_sum_node;

/* What a leaf stands for. Numbers are part of the proof format (petro_proof.kind). */
typedef enum petro_leaf_kind {
    PETRO_LEAF_BALANCE = 0, /* a holder's balance */
    PETRO_LEAF_LOCK = 1,    /* units a family set aside (petro_lock) */
} petro_leaf_kind;

/** Longest family name in a lock leaf, in bytes (the registry's names are far shorter). */
#define PETRO_LOCK_FAMILY_SIZE_MAX 16

typedef struct petro_sum_leaf {
    petro_pubkey account;  /* the holder; for a lock, its owner */
    petro_amount balance;  /* the balance; for a lock, the locked amount */
    uint8_t kind;          /* petro_leaf_kind */
    char family[PETRO_LOCK_FAMILY_SIZE_MAX + 1]; /* lock: 1..16 bytes, NUL-terminated */
    uint64_t lock_id;      /* lock: the family's id of the record (a contract id) */
} petro_sum_leaf;

/** The checkpoint salt: BLAKE2b-256("petro-por-salt-v1" || block_hash || asset encoding). */
PETRO_API void petro_proof_salt(petro_hash *salt, const petro_hash *block_hash,
                                const petro_asset *asset);
/** The node of a balance leaf. */
PETRO_API void petro_proof_leaf(petro_sum_node *out, const petro_hash *salt,
                                const petro_pubkey *account, petro_amount balance);
/** The node of a lock leaf. family: 1..PETRO_LOCK_FAMILY_SIZE_MAX bytes, NUL-terminated
 *  (petro_proof_lock_family_ok; anything else is a caller bug and aborts). */
PETRO_API void petro_proof_lock_leaf(petro_sum_node *out, const petro_hash *salt,
                                     const char *family, uint64_t lock_id,
                                     const petro_pubkey *owner, petro_amount amount);
/** Whether family (borrowed, NUL-terminated within PETRO_LOCK_FAMILY_SIZE_MAX + 1 bytes) can
 *  name a lock: 1..16 printable ASCII characters other than space. */
PETRO_API bool petro_proof_lock_family_ok(const char *family);
PETRO_API void petro_proof_empty(petro_sum_node *out);
/** Parent of two nodes. PETRO_ERR_AMOUNT_NEGATIVE if a child's sum is negative,
 *  PETRO_ERR_AMOUNT_TOO_LARGE if a sum exceeds PETRO_SUPPLY_MAX (out is zeroed then). */
PETRO_API PETRO_MUST_USE petro_result petro_proof_parent(petro_sum_node *out,
                                                         const petro_sum_node *left,
                                                         const petro_sum_node *right);

/** Levels below this are not kept: a proof recomputes its leaf's chunk of 2^6 leaves (127
 *  hashes) instead, so a tree costs ~1.3 bytes per holder on top of the leaves, not 80. */
#define PETRO_SUM_TREE_BASE 6

/** A built tree: level 0 would be the leaf nodes and levels[depth] holds the root alone;
 *  levels[base..depth] are kept (base = min(depth, PETRO_SUM_TREE_BASE)), the ones below are
 *  NULL and recomputed from the leaves and the salt when a proof needs them. */
typedef struct petro_sum_tree {
    uint64_t leaf_count;
    uint64_t lock_count; /* the last lock_count leaves are locks, the others balances */
    uint32_t depth; /* ceil(log2(leaf_count)); 0 for 0 or 1 leaf */
    uint32_t base;
    petro_hash salt;
    petro_sum_node *levels[PETRO_PROOF_DEPTH_MAX + 1];
    uint64_t level_size[PETRO_PROOF_DEPTH_MAX + 1];
} petro_sum_tree;

/** Build over count leaves: the balance leaves in strictly ascending account order, then the
 *  lock leaves in strictly ascending (family, lock_id, account) order (petro_proof_leaf_cmp),
 *  amounts in 0..PETRO_SUPPLY_MAX (a lock's above 0). Returns PETRO_OK, PETRO_ERR_NOMEM,
 *  PETRO_ERR_MALFORMED (order, kind, family name, a lock of 0),
 *  PETRO_ERR_AMOUNT_NEGATIVE / PETRO_ERR_AMOUNT_TOO_LARGE (amounts or their total). */
PETRO_API PETRO_MUST_USE petro_result petro_sum_tree_build(petro_sum_tree *t,
                                                           const petro_hash *salt,
                                                           const petro_sum_leaf *leaves,
                                                           uint64_t count);
PETRO_API void petro_sum_tree_free(petro_sum_tree *t);
PETRO_API petro_sum_node petro_sum_tree_root(const petro_sum_tree *t);
/** Index of account's balance leaf (binary search). PETRO_ERR_NOT_FOUND if absent. */
PETRO_API PETRO_MUST_USE petro_result petro_sum_tree_find(const petro_sum_tree *t,
                                                          const petro_sum_leaf *leaves,
                                                          const petro_pubkey *account,
                                                          uint64_t *index);

/** Order of two leaves in a tree: a balance before a lock; balances by account bytes; locks
 *  by family name (bytes; a prefix first), then lock_id, then owner bytes. <0, 0, >0. */
PETRO_API int petro_proof_leaf_cmp(const petro_sum_leaf *a, const petro_sum_leaf *b);

/** The leaves of asset in store in tree order: its holders (every trust line of it; every
 *  account for PTR), then every lock of it (petro_state_each_lock). *leaves is malloc'd (free
 *  it); *count may be 0. Returns PETRO_OK, PETRO_ERR_NOMEM, PETRO_ERR_CORRUPT (a record that
 *  does not decode, or two locks with the same family, id and owner) or the store's error. */
PETRO_API PETRO_MUST_USE petro_result petro_proof_collect(const struct petro_store *store,
                                                          const petro_asset *asset,
                                                          petro_sum_leaf **leaves,
                                                          uint64_t *count);

/** A checkpoint: the statement a validator signs. */
typedef struct petro_checkpoint {
    petro_hash network_id;
    uint64_t height;
    petro_hash block_hash;
    uint64_t timestamp_ms;
    petro_asset asset;
    petro_hash root;
    petro_amount total;    /* root sum: the asset's supply, held or locked */
    uint64_t leaf_count;   /* balance leaves + lock leaves */
    uint64_t lock_count;   /* lock leaves (the last ones) */
    petro_amount attested; /* commodity base units in attestations in force at timestamp_ms */
    petro_amount cap;      /* largest supply those reserves allow (petro_reserves_cap) */
    petro_pubkey validator;
    petro_sig signature;
} petro_checkpoint;

#define PETRO_CHECKPOINT_MESSAGE_MAX 256
/** The checkpoint message: network_id || height u64 || block_hash || timestamp_ms u64 ||
 *  asset encoding || root || total i64 || leaf_count u64 || lock_count u64 || attested i64 ||
 *  cap i64 || validator. The validator signs it in PETRO_DOMAIN_CHECKPOINT (petro_sign_in).
 *  Returns the size. */
PETRO_API size_t petro_checkpoint_message(uint8_t out[PETRO_CHECKPOINT_MESSAGE_MAX],
                                          const petro_checkpoint *c);
/** Sets c->validator to pk and signs. */
PETRO_API void petro_checkpoint_sign(petro_checkpoint *c, const petro_pubkey *pk,
                                     const petro_seckey *sk);
PETRO_API bool petro_checkpoint_verify(const petro_checkpoint *c);

/** An inclusion proof of one leaf at one checkpoint: an account's balance, or one lock it
 *  owns. */
typedef struct petro_proof {
    petro_checkpoint checkpoint;
    petro_hash salt;
    uint8_t kind;          /* petro_leaf_kind */
    petro_pubkey account;  /* the holder; for a lock, its owner */
    petro_amount balance;  /* the balance; for a lock, the locked amount */
    char family[PETRO_LOCK_FAMILY_SIZE_MAX + 1]; /* lock only (else empty) */
    uint64_t lock_id;      /* lock only (else 0) */
    uint64_t index;  /* leaf position; bit i says whether the node at level i is a right child */
    uint32_t depth;  /* number of siblings */
    petro_sum_node siblings[PETRO_PROOF_DEPTH_MAX]; /* from the leaf's sibling upwards */
} petro_proof;

/** Fill p's leaf and path for leaf index (from leaves[index], which must be the leaves the
 *  tree was built from). PETRO_ERR_NOT_FOUND if index is out of range,
 *  PETRO_ERR_CORRUPT if the leaves around index are not the ones the tree was built from. */
PETRO_API PETRO_MUST_USE petro_result petro_sum_tree_proof(const petro_sum_tree *t,
                                                           const petro_sum_leaf *leaves,
                                                           uint64_t index, petro_proof *p);

/** A computed checkpoint with its tree, from which proofs are served. */
typedef struct petro_checkpoint_tree {
    petro_checkpoint checkpoint; /* unsigned until petro_checkpoint_sign */
    petro_hash salt;
    petro_sum_tree tree;
    petro_sum_leaf *leaves;
} petro_checkpoint_tree;

/** Compute the checkpoint of a reserve-backed asset at the store's tip: holders and locks,
 *  salt from the tip's block hash, tree, total, and the attested reserves and cap at the tip's
 *  block timestamp (petro_reserves_status). PETRO_ERR_NOT_FOUND if asset is not
 *  reserve-backed; PETRO_ERR_CORRUPT if the leaves do not add up to the supply (or a record
 *  does not decode). */
PETRO_API PETRO_MUST_USE petro_result petro_checkpoint_build(petro_checkpoint_tree *out,
                                                             const struct petro_store *store,
                                                             const petro_asset *asset);
PETRO_API void petro_checkpoint_tree_free(petro_checkpoint_tree *t);
/** The inclusion proof of account's balance (checkpoint and salt copied).
 *  PETRO_ERR_NOT_FOUND if the account holds no line of the asset at the checkpoint. */
PETRO_API PETRO_MUST_USE petro_result petro_checkpoint_tree_proof(const petro_checkpoint_tree *t,
                                                                  const petro_pubkey *account,
                                                                  petro_proof *p);
/** The inclusion proof of the next lock owned by owner at leaf index *from or after it:
 *  start with *from = 0; on PETRO_OK, p is filled and *from is set past its leaf.
 *  PETRO_ERR_NOT_FOUND when there is none (left). O(locks after *from). */
PETRO_API PETRO_MUST_USE petro_result petro_checkpoint_tree_lock_proof(
    const petro_checkpoint_tree *t, const petro_pubkey *owner, uint64_t *from, petro_proof *p);

/* The checks of petro_proof_verify; it returns the OR of the ones that failed (0 = valid). */
#define PETRO_PROOF_CHECK_SHAPE 0x01u     /* leaf form; index in its kind's range; depth fits */
#define PETRO_PROOF_CHECK_SALT 0x02u      /* salt derives from the block hash and asset */
#define PETRO_PROOF_CHECK_SUMS 0x04u      /* sums in range and adding up to the total */
#define PETRO_PROOF_CHECK_ROOT 0x08u      /* the path hashes to the root */
#define PETRO_PROOF_CHECK_SIGNATURE 0x10u /* the validator's signature over the checkpoint */
#define PETRO_PROOF_CHECK_RESERVES 0x20u  /* total <= cap (supply covered by reserves) */
#define PETRO_PROOF_CHECK_ALL 0x3Fu

PETRO_API uint32_t petro_proof_verify(const petro_proof *p);
/** A short name of one check bit ("shape", "salt", "sums", "root", "signature", "reserves"). */
PETRO_API const char *petro_proof_check_name(uint32_t check);
/** One sentence saying what a failure of that check means. */
PETRO_API const char *petro_proof_check_message(uint32_t check);

#ifdef __cplusplus
}
#endif
#endif
