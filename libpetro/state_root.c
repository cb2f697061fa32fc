/* State commitment (include/petro/state_root.h, docs/protocol.md "State commitment"): the
 * Merkle root over every state record, the signed state root, proofs of one record and their
 * verification.
 *
 * The tree streams: records arrive in key order, each bucket of 2^bucket_bits leaves is hashed
 * as soon as it is full and only its node is kept (level bucket_bits of the tree), with the
 * bucket's first key. The levels above are built at the end from those nodes. A proof gets the
 * bucket's records back from the caller, recomputes the bucket's subtree (at most 31 hashes)
 * and takes the rest of the path from the kept levels. Because every bucket starts at a
 * multiple of 2^bucket_bits, the nodes of level bucket_bits are exactly the block Merkle roots
 * of the buckets (the carried-up odd node rule slices along aligned ranges), so a bucket's root
 * is petro_merkle_root of its leaves. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char leaf_domain[] = "petro-state-leaf-v1";

#define NODE_LEAF 0x00u
#define NODE_INNER 0x01u

void petro_state_leaf(petro_hash *out, const uint8_t *key, size_t key_size, const uint8_t *value,
                      size_t value_size) {
    PETRO_ASSERT(key_size <= PETRO_STORE_KEY_SIZE_MAX);
    PETRO_ASSERT(value_size <= PETRO_STORE_VALUE_SIZE_MAX);
    const uint8_t ks[2] = {(uint8_t)key_size, (uint8_t)(key_size >> 8)};
    const uint8_t vs[4] = {(uint8_t)value_size, (uint8_t)(value_size >> 8),
                           (uint8_t)(value_size >> 16), (uint8_t)(value_size >> 24)};
    petro_hasher h;
    petro_hasher_init(&h);
    petro_hasher_update(&h, (const uint8_t *)leaf_domain, sizeof leaf_domain - 1);
    petro_hasher_update(&h, ks, sizeof ks);
    petro_hasher_update(&h, key, key_size);
    petro_hasher_update(&h, vs, sizeof vs);
    petro_hasher_update(&h, value, value_size);
    petro_hasher_final(&h, out);
}

bool petro_state_key_committed(const uint8_t *key, size_t key_size) {
    return key_size >= 1 && key_size <= PETRO_STORE_KEY_SIZE_MAX && key[0] != 'M';
}

void petro_state_leaf_node(petro_hash *out, const petro_hash *leaf) {
    const uint8_t tag = NODE_LEAF;
    petro_hasher h;
    petro_hasher_init(&h);
    petro_hasher_update(&h, &tag, 1);
    petro_hasher_update(&h, leaf->bytes, 32);
    petro_hasher_final(&h, out);
}

void petro_state_inner_node(petro_hash *out, const petro_hash *left, const petro_hash *right) {
    const uint8_t tag = NODE_INNER;
    petro_hasher h;
    petro_hasher_init(&h);
    petro_hasher_update(&h, &tag, 1);
    petro_hasher_update(&h, left->bytes, 32);
    petro_hasher_update(&h, right->bytes, 32);
    petro_hasher_final(&h, out);
}

bool petro_state_path_shape(uint8_t sides[PETRO_STATE_PATH_MAX], uint32_t *step_count,
                            uint64_t index, uint64_t count) {
    *step_count = 0;
    if (count == 0 || index >= count) return false;
    uint64_t p = index, n = count;
    /* n halves (rounding up) per level: at most 64 levels for a u64 count. */
    while (n > 1) {
        PETRO_ASSERT(*step_count < PETRO_STATE_PATH_MAX);
        if ((p & 1u) != 0) {
            sides[(*step_count)++] = PETRO_STATE_SIBLING_LEFT;
        } else if (p + 1 < n) {
            sides[(*step_count)++] = PETRO_STATE_SIBLING_RIGHT;
        }
        p >>= 1;
        n = n / 2 + (n & 1u);
    }
    return true;
}

/* ------------------------------------------------------------------ the signed root */

void petro_state_root_message(uint8_t out[PETRO_STATE_ROOT_MESSAGE_SIZE],
                              const petro_state_root *sr) {
    petro__writer w;
    petro__w_init(&w, out, PETRO_STATE_ROOT_MESSAGE_SIZE);
    petro__w_bytes(&w, sr->network_id.bytes, 32);
    petro__w_u64(&w, sr->height);
    petro__w_bytes(&w, sr->block_hash.bytes, 32);
    petro__w_bytes(&w, sr->state_hash.bytes, 32);
    petro__w_bytes(&w, sr->root.bytes, 32);
    petro__w_u64(&w, sr->record_count);
    petro__w_bytes(&w, sr->validator.bytes, 32);
    PETRO_ASSERT(!w.is_overflow && w.size == PETRO_STATE_ROOT_MESSAGE_SIZE);
}

void petro_state_root_sign(petro_state_root *sr, const petro_pubkey *pk, const petro_seckey *sk) {
    sr->validator = *pk;
    uint8_t msg[PETRO_STATE_ROOT_MESSAGE_SIZE];
    petro_state_root_message(msg, sr);
    petro_sign_in(&sr->signature, PETRO_DOMAIN_STATE_ROOT, msg, sizeof msg, sk);
}

bool petro_state_root_verify(const petro_state_root *sr) {
    uint8_t msg[PETRO_STATE_ROOT_MESSAGE_SIZE];
    petro_state_root_message(msg, sr);
    return petro_verify_in(&sr->signature, PETRO_DOMAIN_STATE_ROOT, msg, sizeof msg,
                           &sr->validator);
}

/* ------------------------------------------------------------------ the tree */

/* memcmp order, shorter first on a common prefix (the store's order). */
static int key_cmp(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size) {
    size_t n = a_size < b_size ? a_size : b_size;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0) return c;
    return a_size < b_size ? -1 : a_size > b_size ? 1 : 0;
}

void petro_state_tree_init(petro_state_tree *t, unsigned bucket_bits) {
    PETRO_ASSERT(bucket_bits <= PETRO_STATE_BUCKET_BITS);
    memset(t, 0, sizeof *t);
    t->bucket_bits = bucket_bits;
}

void petro_state_tree_free(petro_state_tree *t) {
    for (size_t i = 0; i <= PETRO_STATE_PATH_MAX; i++) free(t->levels[i]);
    free(t->keys);
    free(t->key_offsets);
    unsigned bits = t->bucket_bits;
    petro_state_tree_init(t, bits);
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return true;
    size_t cap2 = *cap == 0 ? 1024 : *cap;
    while (cap2 < need) {
        if (cap2 > SIZE_MAX / 2 / elem) return false;
        cap2 *= 2;
    }
    void *q = realloc(*p, cap2 * elem);
    if (q == NULL) return false;
    *p = q;
    *cap = cap2;
    return true;
}

/* Append the bucket's node to level 0 (of the kept levels). */
static void flush_bucket(petro_state_tree *t) {
    if (t->pending_count == 0) return;
    petro_hash scratch[PETRO_STATE_BUCKET_MAX], node;
    petro_merkle_root(&node, t->pending, t->pending_count, scratch);
    t->pending_count = 0;
    if (!grow((void **)&t->levels[0], &t->level_caps[0], t->level_sizes[0] + 1, sizeof node)) {
        t->error = PETRO_ERR_NOMEM;
        return;
    }
    t->levels[0][t->level_sizes[0]++] = node;
}

static void add_first_key(petro_state_tree *t, const uint8_t *key, size_t key_size) {
    uint64_t b = t->level_sizes[0]; /* this bucket's number */
    if (!grow((void **)&t->key_offsets, &t->key_offsets_cap, (size_t)b + 2, sizeof(uint64_t)) ||
        !grow((void **)&t->keys, &t->keys_cap, t->keys_size + key_size, 1)) {
        t->error = PETRO_ERR_NOMEM;
        return;
    }
    t->key_offsets[b] = t->keys_size;
    memcpy(t->keys + t->keys_size, key, key_size);
    t->keys_size += key_size;
}

void petro_state_tree_add(petro_state_tree *t, const uint8_t *key, size_t key_size,
                          const uint8_t *value, size_t value_size) {
    PETRO_ASSERT(!t->is_finished);
    if (t->error != PETRO_OK) return;
    if (!petro_state_key_committed(key, key_size) || value_size > PETRO_STORE_VALUE_SIZE_MAX ||
        (t->record_count > 0 && key_cmp(t->last_key, t->last_key_size, key, key_size) >= 0)) {
        t->error = PETRO_ERR_CORRUPT;
        return;
    }
    if (t->pending_count == 0) add_first_key(t, key, key_size);
    petro_state_leaf(&t->pending[t->pending_count++], key, key_size, value, value_size);
    memcpy(t->last_key, key, key_size);
    t->last_key_size = key_size;
    t->record_count++;
    if (t->pending_count == (1u << t->bucket_bits)) flush_bucket(t);
}

petro_result petro_state_tree_finish(petro_state_tree *t) {
    PETRO_ASSERT(!t->is_finished);
    if (t->error == PETRO_OK) flush_bucket(t);
    if (t->error != PETRO_OK) {
        petro_result r = t->error;
        petro_state_tree_free(t);
        return r;
    }
    t->is_finished = true;
    if (t->record_count == 0) {
        memset(&t->root, 0, sizeof t->root);
        return PETRO_OK;
    }
    t->key_offsets[t->level_sizes[0]] = t->keys_size;
    uint32_t j = 0;
    /* Each level halves (rounding up): at most 64 - bucket_bits levels above level 0. */
    while (t->level_sizes[j] > 1) {
        PETRO_ASSERT(j + 1 <= PETRO_STATE_PATH_MAX);
        uint64_t n = t->level_sizes[j], up = n / 2 + (n & 1u);
        petro_hash *next = malloc((size_t)up * sizeof *next);
        if (next == NULL) {
            petro_state_tree_free(t);
            return PETRO_ERR_NOMEM;
        }
        for (uint64_t i = 0; i + 1 < n; i += 2) {
            petro_state_inner_node(&next[i / 2], &t->levels[j][i], &t->levels[j][i + 1]);
        }
        if ((n & 1u) != 0) next[up - 1] = t->levels[j][n - 1]; /* carried up unchanged */
        t->levels[j + 1] = next;
        t->level_sizes[j + 1] = up;
        t->level_caps[j + 1] = (size_t)up;
        j++;
    }
    t->level_count = j + 1;
    t->root = t->levels[j][0];
    return PETRO_OK;
}

typedef struct build_ctx {
    petro_state_tree *t;
} build_ctx;

static int build_cb(void *c, const uint8_t *key, size_t key_size, const uint8_t *value,
                    size_t value_size) {
    build_ctx *b = c;
    if (key_size >= 1 && key[0] == 'M') return 0; /* node metadata: not committed */
    petro_state_tree_add(b->t, key, key_size, value, value_size);
    return b->t->error != PETRO_OK ? 1 : 0;
}

petro_result petro_state_tree_build(petro_state_tree *t, petro_state_root *sr,
                                    const petro_store *store, unsigned bucket_bits) {
    memset(sr, 0, sizeof *sr);
    petro_state_tree_init(t, bucket_bits);
    petro_ledger_tip tip;
    petro_result r = petro_ledger_tip_get(store, &tip);
    if (r != PETRO_OK) return r;
    build_ctx b = {t};
    r = store->iter(store->ctx, NULL, 0, build_cb, &b);
    petro_result f = petro_state_tree_finish(t); /* frees t on failure */
    if (r != PETRO_OK) {
        petro_state_tree_free(t);
        return r;
    }
    if (f != PETRO_OK) return f;
    sr->network_id = tip.network_id;
    sr->height = tip.height;
    sr->block_hash = tip.block_hash;
    sr->state_hash = tip.state_hash;
    sr->root = t->root;
    sr->record_count = t->record_count;
    return PETRO_OK;
}

static uint64_t bucket_total(const petro_state_tree *t) {
    return t->record_count == 0 ? 0 : t->level_sizes[0];
}

const uint8_t *petro_state_tree_bucket_key(const petro_state_tree *t, uint64_t bucket,
                                           size_t *key_size) {
    PETRO_ASSERT(t->is_finished && bucket < bucket_total(t));
    *key_size = (size_t)(t->key_offsets[bucket + 1] - t->key_offsets[bucket]);
    return t->keys + t->key_offsets[bucket];
}

bool petro_state_tree_locate(const petro_state_tree *t, const uint8_t *key, size_t key_size,
                             uint64_t *bucket, uint64_t *first_index, uint32_t *bucket_count) {
    *bucket = *first_index = 0;
    *bucket_count = 0;
    uint64_t buckets = bucket_total(t);
    if (!t->is_finished || buckets == 0) return false;
    /* The last bucket whose first key is <= key: lo..hi brackets it. */
    uint64_t lo = 0, hi = buckets;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        size_t ks;
        const uint8_t *k = petro_state_tree_bucket_key(t, mid, &ks);
        if (key_cmp(k, ks, key, key_size) <= 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) return false;
    uint64_t b = lo - 1, first = b << t->bucket_bits;
    uint64_t left = t->record_count - first, full = (uint64_t)1 << t->bucket_bits;
    *bucket = b;
    *first_index = first;
    *bucket_count = (uint32_t)(left < full ? left : full);
    return true;
}

static void step(petro_state_proof *out, uint8_t side, const petro_hash *h) {
    PETRO_ASSERT(out->step_count < PETRO_STATE_PATH_MAX);
    out->steps[out->step_count].side = side;
    out->steps[out->step_count].hash = *h;
    out->step_count++;
}

/* The path inside the bucket: its local levels over the leaf nodes. */
static void bucket_path(petro_state_proof *out, const petro_hash *leaves, uint32_t count,
                        uint32_t at) {
    petro_hash nodes[PETRO_STATE_BUCKET_MAX];
    for (uint32_t i = 0; i < count; i++) petro_state_leaf_node(&nodes[i], &leaves[i]);
    uint32_t p = at, n = count;
    while (n > 1) {
        if ((p & 1u) != 0) {
            step(out, PETRO_STATE_SIBLING_LEFT, &nodes[p - 1]);
        } else if (p + 1 < n) {
            step(out, PETRO_STATE_SIBLING_RIGHT, &nodes[p + 1]);
        }
        uint32_t up = n / 2 + (n & 1u);
        for (uint32_t i = 0; i + 1 < n; i += 2) {
            petro_hash parent;
            petro_state_inner_node(&parent, &nodes[i], &nodes[i + 1]);
            nodes[i / 2] = parent;
        }
        if ((n & 1u) != 0) nodes[up - 1] = nodes[n - 1];
        p >>= 1;
        n = up;
    }
}

petro_result petro_state_tree_proof(petro_state_proof *out, const petro_state_tree *t,
                                    const petro_state_root *root, uint64_t bucket,
                                    const petro_hash *leaves, uint32_t count, uint32_t at,
                                    const uint8_t *key, size_t key_size, const uint8_t *value,
                                    size_t value_size) {
    memset(out, 0, sizeof *out);
    PETRO_ASSERT(t->is_finished && bucket < bucket_total(t));
    PETRO_ASSERT(count >= 1 && count <= (1u << t->bucket_bits) && at < count);
    PETRO_ASSERT(key_size <= PETRO_STORE_KEY_SIZE_MAX && value_size <= PETRO_STORE_VALUE_SIZE_MAX);
    petro_hash scratch[PETRO_STATE_BUCKET_MAX], node;
    petro_merkle_root(&node, leaves, count, scratch);
    if (!petro_hash_equal(&node, &t->levels[0][bucket])) return PETRO_ERR_CORRUPT;
    bucket_path(out, leaves, count, at);
    for (uint32_t j = 0; j < t->level_count && t->level_sizes[j] > 1; j++) {
        uint64_t p = bucket >> j, n = t->level_sizes[j];
        if ((p & 1u) != 0) {
            step(out, PETRO_STATE_SIBLING_LEFT, &t->levels[j][p - 1]);
        } else if (p + 1 < n) {
            step(out, PETRO_STATE_SIBLING_RIGHT, &t->levels[j][p + 1]);
        }
    }
    memcpy(out->key, key, key_size);
    out->key_size = key_size;
    memcpy(out->value, value, value_size);
    out->value_size = value_size;
    out->leaf = leaves[at];
    out->index = (bucket << t->bucket_bits) + at;
    out->root = *root;
    return PETRO_OK;
}

/* ------------------------------------------------------------------ verification */

static bool shape_ok(const petro_state_proof *p) {
    if (p->key_size > PETRO_STORE_KEY_SIZE_MAX || p->value_size > PETRO_STORE_VALUE_SIZE_MAX ||
        !petro_state_key_committed(p->key, p->key_size) ||
        p->step_count > PETRO_STATE_PATH_MAX) {
        return false;
    }
    uint8_t sides[PETRO_STATE_PATH_MAX];
    uint32_t n = 0;
    if (!petro_state_path_shape(sides, &n, p->index, p->root.record_count)) return false;
    if (n != p->step_count) return false;
    for (uint32_t i = 0; i < n; i++) {
        if (sides[i] != p->steps[i].side) return false;
    }
    return true;
}

static bool root_ok(const petro_state_proof *p) {
    if (p->step_count > PETRO_STATE_PATH_MAX) return false;
    petro_hash node;
    petro_state_leaf_node(&node, &p->leaf);
    for (uint32_t i = 0; i < p->step_count; i++) {
        petro_hash up;
        if (p->steps[i].side == PETRO_STATE_SIBLING_LEFT) {
            petro_state_inner_node(&up, &p->steps[i].hash, &node);
        } else {
            petro_state_inner_node(&up, &node, &p->steps[i].hash);
        }
        node = up;
    }
    return petro_hash_equal(&node, &p->root.root);
}

uint32_t petro_state_proof_verify(const petro_state_proof *p) {
    uint32_t failed = 0;
    if (!shape_ok(p)) failed |= PETRO_STATE_CHECK_SHAPE;
    petro_hash leaf;
    if (p->key_size <= PETRO_STORE_KEY_SIZE_MAX && p->value_size <= PETRO_STORE_VALUE_SIZE_MAX) {
        petro_state_leaf(&leaf, p->key, p->key_size, p->value, p->value_size);
        if (!petro_hash_equal(&leaf, &p->leaf)) failed |= PETRO_STATE_CHECK_LEAF;
    } else {
        failed |= PETRO_STATE_CHECK_LEAF;
    }
    if (!root_ok(p)) failed |= PETRO_STATE_CHECK_ROOT;
    if (!petro_state_root_verify(&p->root)) failed |= PETRO_STATE_CHECK_SIGNATURE;
    return failed;
}

const char *petro_state_check_name(uint32_t check) {
    switch (check) {
    case PETRO_STATE_CHECK_SHAPE: return "shape";
    case PETRO_STATE_CHECK_LEAF: return "leaf";
    case PETRO_STATE_CHECK_ROOT: return "root";
    case PETRO_STATE_CHECK_SIGNATURE: return "signature";
    default: return "?";
    }
}

const char *petro_state_check_message(uint32_t check) {
    switch (check) {
    case PETRO_STATE_CHECK_SHAPE:
        return "the key, index, record count or path sides do not fit together";
    case PETRO_STATE_CHECK_LEAF: return "the leaf is not the hash of the key and value";
    case PETRO_STATE_CHECK_ROOT: return "the leaf and path do not give the signed state root";
    case PETRO_STATE_CHECK_SIGNATURE:
        return "the state root is not signed by its validator key";
    default: return "unknown check";
    }
}
