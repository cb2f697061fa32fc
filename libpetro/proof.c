/* Proof of reserves (include/petro/proof.h, docs/protocol.md "Proof of reserves"): Merkle
 * sum tree, checkpoint message and signature, inclusion proofs and their verification.
 *
 * The leaves are the holders' balances and then the locks every family reports through
 * petro_state_each_lock (this file names no family), so the root's sum is the whole supply:
 * a unit in escrow is in exactly one leaf, its lock's, and its owner can prove it.
 *
 * Building is two passes per level over flat arrays (no recursion, no per-node allocation):
 * 1,000,000 leaves are about 2,000,000 BLAKE2b calls and 80 MB of nodes. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "petro/reserves.h"
#include "petro/schema.h"
#include "state.h"

/* v2: the tree holds lock leaves too (its total is the supply, not the holders' balances), so
 * no v1 node or proof can pass for a v2 one. The salt's derivation did not change. */
static const char leaf_domain[] = "petro-por-leaf-v2";
static const char lock_domain[] = "petro-por-lock-v2";
static const char node_domain[] = "petro-por-node-v2";
static const char empty_domain[] = "petro-por-empty-v2";
static const char salt_domain[] = "petro-por-salt-v1";

static void le64(uint8_t out[8], uint64_t v) {
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(v >> (8 * i));
}

void petro_proof_salt(petro_hash *salt, const petro_hash *block_hash, const petro_asset *asset) {
    uint8_t enc[1 + 1 + PETRO_ASSET_CODE_SIZE_MAX + 32];
    petro__writer w;
    petro__w_init(&w, enc, sizeof enc);
    petro__w_asset(&w, asset);
    PETRO_ASSERT(!w.is_overflow);
    petro_hasher h;
    petro_hasher_init(&h);
    petro_hasher_update(&h, (const uint8_t *)salt_domain, sizeof salt_domain - 1);
    petro_hasher_update(&h, block_hash->bytes, 32);
    petro_hasher_update(&h, enc, w.size);
    petro_hasher_final(&h, salt);
}

void petro_proof_leaf(petro_sum_node *out, const petro_hash *salt, const petro_pubkey *account,
                      petro_amount balance) {
    uint8_t buf[sizeof leaf_domain - 1 + 32 + 32 + 8];
    size_t n = sizeof leaf_domain - 1;
    memcpy(buf, leaf_domain, n);
    memcpy(buf + n, salt->bytes, 32);
    memcpy(buf + n + 32, account->bytes, 32);
    le64(buf + n + 64, (uint64_t)balance);
    petro_hash_bytes(&out->hash, buf, sizeof buf);
    out->sum = balance;
}

bool petro_proof_lock_family_ok(const char *family) {
    size_t n = strnlen(family, PETRO_LOCK_FAMILY_SIZE_MAX + 1);
    if (n < 1 || n > PETRO_LOCK_FAMILY_SIZE_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        if (family[i] <= 0x20 || family[i] > 0x7e) return false;
    }
    return true;
}

void petro_proof_lock_leaf(petro_sum_node *out, const petro_hash *salt, const char *family,
                           uint64_t lock_id, const petro_pubkey *owner, petro_amount amount) {
    PETRO_ASSERT(petro_proof_lock_family_ok(family));
    size_t family_size = strlen(family);
    uint8_t buf[sizeof lock_domain - 1 + 32 + 1 + PETRO_LOCK_FAMILY_SIZE_MAX + 8 + 32 + 8];
    petro__writer w;
    petro__w_init(&w, buf, sizeof buf);
    petro__w_bytes(&w, lock_domain, sizeof lock_domain - 1);
    petro__w_bytes(&w, salt->bytes, 32);
    petro__w_u8(&w, (uint8_t)family_size);
    petro__w_bytes(&w, family, family_size);
    petro__w_u64(&w, lock_id);
    petro__w_bytes(&w, owner->bytes, 32);
    petro__w_i64(&w, amount);
    PETRO_ASSERT(!w.is_overflow);
    petro_hash_bytes(&out->hash, buf, w.size);
    out->sum = amount;
}

/* The node of a leaf of either kind (the kind and family checked by the caller). */
static void leaf_node(petro_sum_node *out, const petro_hash *salt, const petro_sum_leaf *leaf) {
    if (leaf->kind == PETRO_LEAF_LOCK) {
        petro_proof_lock_leaf(out, salt, leaf->family, leaf->lock_id, &leaf->account,
                              leaf->balance);
    } else {
        PETRO_ASSERT(leaf->kind == PETRO_LEAF_BALANCE);
        petro_proof_leaf(out, salt, &leaf->account, leaf->balance);
    }
}

int petro_proof_leaf_cmp(const petro_sum_leaf *a, const petro_sum_leaf *b) {
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->kind == PETRO_LEAF_LOCK) {
        /* Both NUL-terminated within the array: strncmp compares bytes, a prefix first. */
        int c = strncmp(a->family, b->family, sizeof a->family);
        if (c != 0) return c < 0 ? -1 : 1;
        if (a->lock_id != b->lock_id) return a->lock_id < b->lock_id ? -1 : 1;
    }
    return petro_pubkey_cmp(&a->account, &b->account);
}

void petro_proof_empty(petro_sum_node *out) {
    petro_hash_bytes(&out->hash, (const uint8_t *)empty_domain, sizeof empty_domain - 1);
    out->sum = 0;
}

static petro_result sum_ok(petro_amount s) {
    if (s < 0) return PETRO_ERR_AMOUNT_NEGATIVE;
    if (s > PETRO_SUPPLY_MAX) return PETRO_ERR_AMOUNT_TOO_LARGE;
    return PETRO_OK;
}

petro_result petro_proof_parent(petro_sum_node *out, const petro_sum_node *left,
                                const petro_sum_node *right) {
    petro_result rc = sum_ok(left->sum);
    if (rc == PETRO_OK) rc = sum_ok(right->sum);
    petro_amount total = 0;
    if (rc == PETRO_OK && petro_amount_add(&total, left->sum, right->sum) != PETRO_OK) {
        rc = PETRO_ERR_AMOUNT_TOO_LARGE;
    }
    if (rc == PETRO_OK) rc = sum_ok(total);
    if (rc != PETRO_OK) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    uint8_t buf[sizeof node_domain - 1 + 2 * (32 + 8)];
    size_t n = sizeof node_domain - 1;
    memcpy(buf, node_domain, n);
    memcpy(buf + n, left->hash.bytes, 32);
    le64(buf + n + 32, (uint64_t)left->sum);
    memcpy(buf + n + 40, right->hash.bytes, 32);
    le64(buf + n + 72, (uint64_t)right->sum);
    petro_hash_bytes(&out->hash, buf, sizeof buf);
    out->sum = total;
    return PETRO_OK;
}

static uint32_t depth_for(uint64_t count) {
    uint32_t d = 0;
    while (d < 64 && ((uint64_t)1 << d) < count) d++;
    return d;
}

void petro_sum_tree_free(petro_sum_tree *t) {
    if (t == NULL) return;
    for (uint32_t i = 0; i <= PETRO_PROOF_DEPTH_MAX; i++) free(t->levels[i]);
    memset(t, 0, sizeof *t);
}

/* The level above src[0..n): parent i of src[2i] and src[2i + 1], the empty node standing in
 * for a missing right child. dst may be src: parent i is written after both of its children
 * were read, and i <= 2i. */
static petro_result level_up(petro_sum_node *dst, const petro_sum_node *src, uint64_t n) {
    petro_sum_node empty;
    petro_proof_empty(&empty);
    for (uint64_t i = 0; i < (n + 1) / 2; i++) {
        petro_sum_node parent;
        petro_result rc = petro_proof_parent(&parent, &src[2 * i],
                                             2 * i + 1 < n ? &src[2 * i + 1] : &empty);
        if (rc != PETRO_OK) return rc;
        dst[i] = parent;
    }
    return PETRO_OK;
}

/* Node c of level t->base, computed from its 2^base leaves (fewer in the last chunk) in
 * scratch (2^base nodes). At every level the chunk's nodes are the level's nodes
 * [c * 2^(base-d), ...), so a node is unpaired here exactly when it is the last of an odd
 * level, and is padded with the empty node as the protocol says. If sibling_of is not NULL,
 * the sibling on the path of leaf *sibling_of (inside this chunk) at each level below base is
 * written to siblings[d]. */
static petro_result chunk_node(petro_sum_node *out, const petro_sum_tree *t,
                               const petro_sum_leaf *leaves, uint64_t c, petro_sum_node *scratch,
                               const uint64_t *sibling_of, petro_sum_node *siblings) {
    uint64_t lo = c << t->base;
    uint64_t n = t->leaf_count - lo < ((uint64_t)1 << t->base) ? t->leaf_count - lo
                                                                 : (uint64_t)1 << t->base;
    for (uint64_t i = 0; i < n; i++) leaf_node(&scratch[i], &t->salt, &leaves[lo + i]);
    petro_sum_node empty;
    petro_proof_empty(&empty);
    uint64_t pos = sibling_of != NULL ? *sibling_of - lo : 0;
    for (uint32_t d = 0; d < t->base; d++) {
        if (sibling_of != NULL) {
            siblings[d] = (pos ^ 1u) < n ? scratch[pos ^ 1u] : empty;
            pos >>= 1;
        }
        petro_result rc = level_up(scratch, scratch, n);
        if (rc != PETRO_OK) return rc;
        n = (n + 1) / 2;
    }
    PETRO_ASSERT(n == 1);
    *out = scratch[0];
    return PETRO_OK;
}

petro_result petro_sum_tree_build(petro_sum_tree *t, const petro_hash *salt,
                                  const petro_sum_leaf *leaves, uint64_t count) {
    PETRO_ASSERT(t != NULL && salt != NULL && (leaves != NULL || count == 0));
    memset(t, 0, sizeof *t);
    uint32_t depth = depth_for(count);
    if (depth > PETRO_PROOF_DEPTH_MAX) return PETRO_ERR_MALFORMED;
    t->leaf_count = count;
    t->depth = depth;
    t->salt = *salt;
    t->base = depth < PETRO_SUM_TREE_BASE ? depth : PETRO_SUM_TREE_BASE;
    petro_amount total = 0;
    for (uint64_t i = 0; i < count; i++) {
        const petro_sum_leaf *leaf = &leaves[i];
        bool is_lock = leaf->kind == PETRO_LEAF_LOCK;
        if ((!is_lock && leaf->kind != PETRO_LEAF_BALANCE) ||
            (is_lock && (!petro_proof_lock_family_ok(leaf->family) || leaf->balance == 0)) ||
            (i > 0 && petro_proof_leaf_cmp(&leaves[i - 1], leaf) >= 0)) {
            return PETRO_ERR_MALFORMED;
        }
        if (is_lock) t->lock_count++;
        petro_result rc = sum_ok(leaf->balance);
        if (rc != PETRO_OK) return rc;
        if (petro_amount_add(&total, total, leaf->balance) != PETRO_OK) {
            return PETRO_ERR_AMOUNT_TOO_LARGE;
        }
        rc = sum_ok(total);
        if (rc != PETRO_OK) return rc;
    }
    t->level_size[0] = count == 0 ? 1 : count;
    for (uint32_t d = 1; d <= depth; d++) t->level_size[d] = (t->level_size[d - 1] + 1) / 2;
    /* The lowest kept level: from the leaves in chunks of 2^base (the empty node alone for no
     * leaves). */
    uint64_t n = t->level_size[t->base];
    if (n > SIZE_MAX / sizeof(petro_sum_node)) return PETRO_ERR_NOMEM;
    t->levels[t->base] = malloc((size_t)n * sizeof(petro_sum_node));
    petro_sum_node *scratch = malloc(((size_t)1 << t->base) * sizeof *scratch);
    petro_result rc = t->levels[t->base] == NULL || scratch == NULL ? PETRO_ERR_NOMEM : PETRO_OK;
    if (rc == PETRO_OK && count == 0) petro_proof_empty(&t->levels[0][0]);
    for (uint64_t c = 0; rc == PETRO_OK && count > 0 && c < n; c++) {
        rc = chunk_node(&t->levels[t->base][c], t, leaves, c, scratch, NULL, NULL);
    }
    free(scratch);
    for (uint32_t d = t->base + 1; rc == PETRO_OK && d <= depth; d++) {
        t->levels[d] = malloc((size_t)t->level_size[d] * sizeof(petro_sum_node));
        rc = t->levels[d] == NULL ? PETRO_ERR_NOMEM
                                  : level_up(t->levels[d], t->levels[d - 1], t->level_size[d - 1]);
    }
    if (rc != PETRO_OK) petro_sum_tree_free(t);
    return rc;
}

petro_sum_node petro_sum_tree_root(const petro_sum_tree *t) {
    PETRO_ASSERT(t->levels[t->depth] != NULL);
    return t->levels[t->depth][0];
}

petro_result petro_sum_tree_find(const petro_sum_tree *t, const petro_sum_leaf *leaves,
                                 const petro_pubkey *account, uint64_t *index) {
    PETRO_ASSERT(t->lock_count <= t->leaf_count);
    uint64_t lo = 0, hi = t->leaf_count - t->lock_count; /* the balance leaves */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        int c = petro_pubkey_cmp(&leaves[mid].account, account);
        if (c == 0) {
            *index = mid;
            return PETRO_OK;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return PETRO_ERR_NOT_FOUND;
}

petro_result petro_sum_tree_proof(const petro_sum_tree *t, const petro_sum_leaf *leaves,
                                  uint64_t index, petro_proof *p) {
    if (index >= t->leaf_count) return PETRO_ERR_NOT_FOUND;
    const petro_sum_leaf *leaf = &leaves[index];
    p->kind = leaf->kind;
    p->account = leaf->account;
    p->balance = leaf->balance;
    memset(p->family, 0, sizeof p->family);
    p->lock_id = 0;
    if (leaf->kind == PETRO_LEAF_LOCK) {
        memcpy(p->family, leaf->family, sizeof p->family);
        p->lock_id = leaf->lock_id;
    }
    p->index = index;
    p->depth = t->depth;
    /* Below the kept levels: recompute the leaf's chunk, keeping its path's siblings. */
    petro_sum_node scratch[1u << PETRO_SUM_TREE_BASE], chunk_root;
    petro_result rc = chunk_node(&chunk_root, t, leaves, index >> t->base, scratch, &index,
                                 p->siblings);
    if (rc != PETRO_OK) return rc;
    /* Leaves other than the tree's would give a path to a different root. */
    const petro_sum_node *kept = &t->levels[t->base][index >> t->base];
    if (!petro_hash_equal(&chunk_root.hash, &kept->hash) || chunk_root.sum != kept->sum) {
        return PETRO_ERR_CORRUPT;
    }
    petro_sum_node empty;
    petro_proof_empty(&empty);
    uint64_t pos = index >> t->base;
    for (uint32_t d = t->base; d < t->depth; d++) {
        uint64_t sib = pos ^ 1u;
        p->siblings[d] = sib < t->level_size[d] ? t->levels[d][sib] : empty;
        pos >>= 1;
    }
    return PETRO_OK;
}

/* ---------------------------------------------------------------- holders and locks */

typedef struct collect_ctx {
    uint8_t suffix[PETRO__KEY_MAX]; /* the asset part of a trust key */
    size_t suffix_size;
    petro_asset asset;
    petro_sum_leaf *leaves;
    uint64_t count, cap;
    petro_result rc;
} collect_ctx;

/* A free slot at the end of cc->leaves (grown as needed), or NULL with cc->rc set. */
static petro_sum_leaf *collect_slot(collect_ctx *cc) {
    if (cc->count == cc->cap) {
        uint64_t cap = cc->cap < 1024 ? 1024 : cc->cap * 2;
        if (cap > SIZE_MAX / sizeof(petro_sum_leaf)) {
            cc->rc = PETRO_ERR_NOMEM;
            return NULL;
        }
        petro_sum_leaf *grown = realloc(cc->leaves, (size_t)cap * sizeof *grown);
        if (grown == NULL) {
            cc->rc = PETRO_ERR_NOMEM;
            return NULL;
        }
        cc->leaves = grown;
        cc->cap = cap;
    }
    PETRO_ASSERT(cc->count < cc->cap);
    petro_sum_leaf *leaf = &cc->leaves[cc->count++];
    memset(leaf, 0, sizeof *leaf);
    return leaf;
}

static int collect_cb(void *c, const uint8_t *key, size_t key_size, const uint8_t *value,
                      size_t value_size) {
    collect_ctx *cc = c;
    if (key_size != 33 + cc->suffix_size ||
        memcmp(key + 33, cc->suffix, cc->suffix_size) != 0) {
        return 0; /* another asset's line */
    }
    petro_trust_line line;
    petro_result rc = petro__trust_decode(&line, value, value_size);
    if (rc != PETRO_OK) {
        cc->rc = rc;
        return 1;
    }
    petro_sum_leaf *leaf = collect_slot(cc);
    if (leaf == NULL) return 1;
    leaf->kind = PETRO_LEAF_BALANCE;
    memcpy(leaf->account.bytes, key + 1, 32);
    leaf->balance = line.balance;
    return 0;
}

static int collect_lock_cb(void *c, const petro_lock *lock) {
    collect_ctx *cc = c;
    if (!petro_asset_equal(&lock->asset, &cc->asset)) return 0; /* another asset's lock */
    /* Family names are the registry's constants: a bad one is a bug, not stored data. */
    PETRO_ASSERT(lock->family != NULL && petro_proof_lock_family_ok(lock->family));
    petro_sum_leaf *leaf = collect_slot(cc);
    if (leaf == NULL) return 1;
    leaf->kind = PETRO_LEAF_LOCK;
    leaf->account = lock->owner;
    leaf->balance = lock->amount;
    memcpy(leaf->family, lock->family, strlen(lock->family));
    leaf->lock_id = lock->id;
    return 0;
}

static int leaf_qsort_cmp(const void *a, const void *b) {
    return petro_proof_leaf_cmp(a, b);
}

/* The locks of cc->asset after the holders, in tree order; two with the same family, id and
 * owner are CORRUPT (a leaf must name one lock). */
static petro_result collect_locks(collect_ctx *cc, const petro_store *store) {
    uint64_t first = cc->count;
    petro_result rc = petro_state_each_lock(store, collect_lock_cb, cc);
    if (rc == PETRO_OK) rc = cc->rc;
    if (rc != PETRO_OK) return rc;
    uint64_t n = cc->count - first;
    if (n > 1) qsort(cc->leaves + first, (size_t)n, sizeof *cc->leaves, leaf_qsort_cmp);
    for (uint64_t i = first + 1; i < cc->count; i++) {
        if (petro_proof_leaf_cmp(&cc->leaves[i - 1], &cc->leaves[i]) == 0) {
            return PETRO_ERR_CORRUPT;
        }
    }
    return PETRO_OK;
}

petro_result petro_proof_collect(const petro_store *store, const petro_asset *asset,
                                 petro_sum_leaf **leaves, uint64_t *count) {
    PETRO_ASSERT(store != NULL && asset != NULL && leaves != NULL && count != NULL);
    *leaves = NULL;
    *count = 0;
    collect_ctx *cc = calloc(1, sizeof *cc);
    if (cc == NULL) return PETRO_ERR_NOMEM;
    uint8_t key[PETRO__KEY_MAX];
    petro_pubkey zero;
    memset(&zero, 0, sizeof zero);
    size_t key_size = petro__key_trust(key, &zero, asset);
    cc->suffix_size = key_size - 33;
    memcpy(cc->suffix, key + 33, cc->suffix_size);
    cc->asset = *asset;
    cc->rc = PETRO_OK;
    petro_asset_info info;
    if (petro_state_get_asset(store, &info, asset) == PETRO_OK && info.holder_count > 0) {
        cc->cap = info.holder_count;
        cc->leaves = malloc((size_t)cc->cap * sizeof *cc->leaves);
        if (cc->leaves == NULL) cc->cap = 0;
    }
    const uint8_t prefix = PETRO__KEY_TRUST;
    petro_result rc = store->iter(store->ctx, &prefix, 1, collect_cb, cc);
    if (rc == PETRO_OK) rc = cc->rc;
    if (rc == PETRO_OK) rc = collect_locks(cc, store);
    if (rc == PETRO_OK) {
        *leaves = cc->leaves;
        *count = cc->count;
    } else {
        free(cc->leaves);
    }
    free(cc);
    return rc;
}

/* ---------------------------------------------------------------- checkpoint */

size_t petro_checkpoint_message(uint8_t out[PETRO_CHECKPOINT_MESSAGE_MAX],
                                const petro_checkpoint *c) {
    petro__writer w;
    petro__w_init(&w, out, PETRO_CHECKPOINT_MESSAGE_MAX);
    petro__w_bytes(&w, c->network_id.bytes, 32);
    petro__w_u64(&w, c->height);
    petro__w_bytes(&w, c->block_hash.bytes, 32);
    petro__w_u64(&w, c->timestamp_ms);
    petro__w_asset(&w, &c->asset);
    petro__w_bytes(&w, c->root.bytes, 32);
    petro__w_i64(&w, c->total);
    petro__w_u64(&w, c->leaf_count);
    petro__w_u64(&w, c->lock_count);
    petro__w_i64(&w, c->attested);
    petro__w_i64(&w, c->cap);
    petro__w_bytes(&w, c->validator.bytes, 32);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

void petro_checkpoint_sign(petro_checkpoint *c, const petro_pubkey *pk, const petro_seckey *sk) {
    c->validator = *pk;
    uint8_t msg[PETRO_CHECKPOINT_MESSAGE_MAX];
    size_t n = petro_checkpoint_message(msg, c);
    petro_sign_in(&c->signature, PETRO_DOMAIN_CHECKPOINT, msg, n, sk);
}

bool petro_checkpoint_verify(const petro_checkpoint *c) {
    uint8_t msg[PETRO_CHECKPOINT_MESSAGE_MAX];
    size_t n = petro_checkpoint_message(msg, c);
    return petro_verify_in(&c->signature, PETRO_DOMAIN_CHECKPOINT, msg, n, &c->validator);
}

/* ---------------------------------------------------------------- checkpoint trees */

petro_result petro_checkpoint_build(petro_checkpoint_tree *out, const petro_store *store,
                                    const petro_asset *asset) {
    PETRO_ASSERT(out != NULL && store != NULL && asset != NULL);
    memset(out, 0, sizeof *out);
    petro_ledger_tip tip;
    petro_result rc = petro_ledger_tip_get(store, &tip);
    if (rc != PETRO_OK) return rc;
    petro_reserve_status st[PETRO_GENESIS_RESERVES_MAX];
    uint32_t n;
    rc = petro_reserves_status(store, tip.timestamp_ms, st, PETRO_GENESIS_RESERVES_MAX, &n);
    if (rc != PETRO_OK) return rc;
    const petro_reserve_status *mine = NULL;
    for (uint32_t i = 0; i < n && i < PETRO_GENESIS_RESERVES_MAX; i++) {
        if (petro_asset_equal(&st[i].reserve.asset, asset)) mine = &st[i];
    }
    if (mine == NULL) return PETRO_ERR_NOT_FOUND;
    petro_checkpoint *c = &out->checkpoint;
    c->network_id = tip.network_id;
    c->height = tip.height;
    c->block_hash = tip.block_hash;
    c->timestamp_ms = tip.timestamp_ms;
    c->asset = mine->reserve.asset;
    c->attested = mine->attested;
    c->cap = mine->cap;
    petro_proof_salt(&out->salt, &tip.block_hash, &c->asset);
    rc = petro_proof_collect(store, &c->asset, &out->leaves, &c->leaf_count);
    if (rc == PETRO_OK) {
        rc = petro_sum_tree_build(&out->tree, &out->salt, out->leaves, c->leaf_count);
    }
    if (rc != PETRO_OK) {
        petro_checkpoint_tree_free(out);
        return rc == PETRO_ERR_MALFORMED ? PETRO_ERR_CORRUPT : rc;
    }
    petro_sum_node root = petro_sum_tree_root(&out->tree);
    c->root = root.hash;
    c->total = root.sum;
    c->lock_count = out->tree.lock_count;
    /* Every holder and every lock is a leaf, so the total is the supply: the ledger
     * invariant (balances + locked = issued - redeemed - burned), re-checked. */
    if (c->total != mine->supply) {
        petro_checkpoint_tree_free(out);
        return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

void petro_checkpoint_tree_free(petro_checkpoint_tree *t) {
    if (t == NULL) return;
    petro_sum_tree_free(&t->tree);
    free(t->leaves);
    memset(t, 0, sizeof *t);
}

petro_result petro_checkpoint_tree_proof(const petro_checkpoint_tree *t,
                                         const petro_pubkey *account, petro_proof *p) {
    memset(p, 0, sizeof *p);
    uint64_t index;
    petro_result rc = petro_sum_tree_find(&t->tree, t->leaves, account, &index);
    if (rc != PETRO_OK) return rc;
    p->checkpoint = t->checkpoint;
    p->salt = t->salt;
    return petro_sum_tree_proof(&t->tree, t->leaves, index, p);
}

petro_result petro_checkpoint_tree_lock_proof(const petro_checkpoint_tree *t,
                                              const petro_pubkey *owner, uint64_t *from,
                                              petro_proof *p) {
    PETRO_ASSERT(t != NULL && owner != NULL && from != NULL && p != NULL);
    PETRO_ASSERT(t->tree.lock_count <= t->tree.leaf_count);
    memset(p, 0, sizeof *p);
    uint64_t first_lock = t->tree.leaf_count - t->tree.lock_count;
    for (uint64_t i = *from > first_lock ? *from : first_lock; i < t->tree.leaf_count; i++) {
        if (!petro_pubkey_equal(&t->leaves[i].account, owner)) continue;
        PETRO_ASSERT(t->leaves[i].kind == PETRO_LEAF_LOCK);
        p->checkpoint = t->checkpoint;
        p->salt = t->salt;
        *from = i + 1;
        return petro_sum_tree_proof(&t->tree, t->leaves, i, p);
    }
    *from = t->tree.leaf_count;
    return PETRO_ERR_NOT_FOUND;
}

/* ---------------------------------------------------------------- verification */

/* The leaf's form and position: a balance leaf among the first leaf_count - lock_count, a
 * lock leaf (valid family name, amount above 0) among the last lock_count. */
static bool leaf_shape_ok(const petro_proof *p) {
    const petro_checkpoint *c = &p->checkpoint;
    if (c->leaf_count == 0 || c->lock_count > c->leaf_count || p->index >= c->leaf_count) {
        return false;
    }
    uint64_t first_lock = c->leaf_count - c->lock_count;
    if (p->kind == PETRO_LEAF_BALANCE) return p->index < first_lock;
    if (p->kind != PETRO_LEAF_LOCK) return false;
    return p->index >= first_lock && p->balance > 0 && petro_proof_lock_family_ok(p->family);
}

uint32_t petro_proof_verify(const petro_proof *p) {
    uint32_t failed = 0;
    const petro_checkpoint *c = &p->checkpoint;
    if (c->asset.kind != PETRO_ASSET_NATIVE &&
        (c->asset.kind != PETRO_ASSET_ISSUED ||
         petro_asset_code_check(c->asset.code) != PETRO_OK)) {
        return PETRO_PROOF_CHECK_ALL; /* nothing below can be evaluated */
    }
    if (!leaf_shape_ok(p) || p->depth > PETRO_PROOF_DEPTH_MAX ||
        p->depth != depth_for(c->leaf_count)) {
        failed |= PETRO_PROOF_CHECK_SHAPE;
    }
    uint32_t depth = p->depth <= PETRO_PROOF_DEPTH_MAX ? p->depth : PETRO_PROOF_DEPTH_MAX;

    petro_hash salt;
    petro_proof_salt(&salt, &c->block_hash, &c->asset);
    if (!petro_hash_equal(&salt, &p->salt)) failed |= PETRO_PROOF_CHECK_SALT;

    /* Sums: every one in range, and the path adds up to the total. */
    bool sums_ok = sum_ok(p->balance) == PETRO_OK && sum_ok(c->total) == PETRO_OK;
    petro_amount sum = p->balance;
    for (uint32_t d = 0; sums_ok && d < depth; d++) {
        if (sum_ok(p->siblings[d].sum) != PETRO_OK) {
            sums_ok = false;
            break;
        }
        if (petro_amount_add(&sum, sum, p->siblings[d].sum) != PETRO_OK ||
            sum_ok(sum) != PETRO_OK) {
            sums_ok = false;
        }
    }
    if (!sums_ok || sum != c->total) failed |= PETRO_PROOF_CHECK_SUMS;

    /* Hashes, with the proof's own salt (a wrong salt is reported by its own check). A leaf
     * of an unknown kind or a bad family name has no hash: the shape check names it. */
    bool form_ok = p->kind == PETRO_LEAF_BALANCE ||
                   (p->kind == PETRO_LEAF_LOCK && petro_proof_lock_family_ok(p->family));
    petro_sum_node node;
    memset(&node, 0, sizeof node);
    if (form_ok) {
        petro_sum_leaf leaf = {.account = p->account, .balance = p->balance, .kind = p->kind,
                               .lock_id = p->lock_id};
        memcpy(leaf.family, p->family, sizeof leaf.family);
        leaf_node(&node, &p->salt, &leaf);
    }
    bool root_ok = sums_ok && form_ok;
    uint64_t pos = p->index;
    for (uint32_t d = 0; root_ok && d < depth; d++) {
        petro_sum_node parent;
        petro_result rc = (pos & 1u) == 0 ? petro_proof_parent(&parent, &node, &p->siblings[d])
                                           : petro_proof_parent(&parent, &p->siblings[d], &node);
        if (rc != PETRO_OK) root_ok = false;
        node = parent;
        pos >>= 1;
    }
    if (!root_ok || !petro_hash_equal(&node.hash, &c->root)) failed |= PETRO_PROOF_CHECK_ROOT;

    if (!petro_checkpoint_verify(c)) failed |= PETRO_PROOF_CHECK_SIGNATURE;
    if (c->total > c->cap) failed |= PETRO_PROOF_CHECK_RESERVES;
    return failed;
}

const char *petro_proof_check_name(uint32_t check) {
    switch (check) {
    case PETRO_PROOF_CHECK_SHAPE: return "shape";
    case PETRO_PROOF_CHECK_SALT: return "salt";
    case PETRO_PROOF_CHECK_SUMS: return "sums";
    case PETRO_PROOF_CHECK_ROOT: return "root";
    case PETRO_PROOF_CHECK_SIGNATURE: return "signature";
    case PETRO_PROOF_CHECK_RESERVES: return "reserves";
    default: return "unknown";
    }
}

const char *petro_proof_check_message(uint32_t check) {
    switch (check) {
    case PETRO_PROOF_CHECK_SHAPE:
        return "leaf form, leaf index or path length does not fit the checkpoint's leaf counts";
    case PETRO_PROOF_CHECK_SALT:
        return "salt is not the one derived from the checkpoint's block hash and asset";
    case PETRO_PROOF_CHECK_SUMS:
        return "leaf amount (balance or lock) and sibling sums are out of range or do not add up "
               "to the total";
    case PETRO_PROOF_CHECK_ROOT:
        return "the path from the leaf does not hash to the checkpoint root";
    case PETRO_PROOF_CHECK_SIGNATURE:
        return "the validator's signature over the checkpoint does not verify";
    case PETRO_PROOF_CHECK_RESERVES:
        return "the checkpoint total exceeds what the attested reserves cover";
    default:
        return "unknown check";
    }
}
