/* Proof of reserves (include/petro/proof.h, docs/protocol.md "Proof of reserves"): Merkle
 * sum tree, checkpoint message and signature, inclusion proofs and their verification.
 *
 * Building is two passes per level over flat arrays (no recursion, no per-node allocation):
 * 1,000,000 leaves are about 2,000,000 BLAKE2b calls and 80 MB of nodes. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "petro/reserves.h"
#include "state.h"

static const char leaf_domain[] = "petro-por-leaf-v1";
static const char node_domain[] = "petro-por-node-v1";
static const char empty_domain[] = "petro-por-empty-v1";
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
    for (uint64_t i = 0; i < n; i++) {
        petro_proof_leaf(&scratch[i], &t->salt, &leaves[lo + i].account, leaves[lo + i].balance);
    }
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
        if (i > 0 && petro_pubkey_cmp(&leaves[i - 1].account, &leaves[i].account) >= 0) {
            return PETRO_ERR_MALFORMED;
        }
        petro_result rc = sum_ok(leaves[i].balance);
        if (rc != PETRO_OK) return rc;
        if (petro_amount_add(&total, total, leaves[i].balance) != PETRO_OK) {
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
    uint64_t lo = 0, hi = t->leaf_count;
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
    p->account = leaves[index].account;
    p->balance = leaves[index].balance;
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

/* ---------------------------------------------------------------- holders */

typedef struct collect_ctx {
    uint8_t suffix[PETRO__KEY_MAX]; /* the asset part of a trust key */
    size_t suffix_size;
    petro_sum_leaf *leaves;
    uint64_t count, cap;
    petro_result rc;
} collect_ctx;

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
    if (cc->count == cc->cap) {
        uint64_t cap = cc->cap < 1024 ? 1024 : cc->cap * 2;
        petro_sum_leaf *grown = realloc(cc->leaves, (size_t)cap * sizeof *grown);
        if (grown == NULL) {
            cc->rc = PETRO_ERR_NOMEM;
            return 1;
        }
        cc->leaves = grown;
        cc->cap = cap;
    }
    memcpy(cc->leaves[cc->count].account.bytes, key + 1, 32);
    cc->leaves[cc->count].balance = line.balance;
    cc->count++;
    return 0;
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
    /* Every holder is a leaf, so the total is the supply: the ledger invariant, re-checked. */
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

/* ---------------------------------------------------------------- verification */

uint32_t petro_proof_verify(const petro_proof *p) {
    uint32_t failed = 0;
    const petro_checkpoint *c = &p->checkpoint;
    if (c->asset.kind != PETRO_ASSET_NATIVE &&
        (c->asset.kind != PETRO_ASSET_ISSUED ||
         petro_asset_code_check(c->asset.code) != PETRO_OK)) {
        return PETRO_PROOF_CHECK_ALL; /* nothing below can be evaluated */
    }
    if (p->depth > PETRO_PROOF_DEPTH_MAX || c->leaf_count == 0 || p->index >= c->leaf_count ||
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

    /* Hashes, with the proof's own salt (a wrong salt is reported by its own check). */
    petro_sum_node node;
    petro_proof_leaf(&node, &p->salt, &p->account, p->balance);
    bool root_ok = sums_ok;
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
        return "leaf index or path length does not fit the checkpoint's leaf count";
    case PETRO_PROOF_CHECK_SALT:
        return "salt is not the one derived from the checkpoint's block hash and asset";
    case PETRO_PROOF_CHECK_SUMS:
        return "balance and sibling sums are out of range or do not add up to the total";
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
