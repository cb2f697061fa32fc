/* The in-memory state store (include/petro/store.h), for tests, tools and benchmarks.
 *
 * Design: every key/value pair is a node in a pool (its key and value in one heap block that a
 * replaced value reuses when it fits). Point operations go through a hash index (open
 * addressing, linear probing, load <= 1/2), so get/put/del cost O(1) whatever the size; this
 * is what keeps block apply and commit fast with millions of accounts. Ordered iteration uses
 * a sorted dynamic array of node ids (ascending memcmp order, shorter key first on a common
 * prefix) searched by binary search. New keys are appended to a pending list and deleted
 * nodes are only marked; both are folded into the sorted array (sort the pending ids, merge,
 * drop the deleted) when an iteration needs the order, or when the pending or deleted part
 * outgrows the sorted part (amortised O(log n) per update).
 *
 * Invariants: every live node is in the index and in exactly one of sorted/pending; a
 * deleted node is in neither the index nor the free list until the next fold. All buffers the
 * fold needs are reserved by put, so iteration never allocates and a failed allocation
 * leaves the store unchanged (PETRO_ERR_NOMEM). Not thread-safe; the iteration callback must
 * not modify the store. The hash only places nodes; no result depends on it. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "state.h"

enum { NODE_FREE = 0, NODE_LIVE = 1, NODE_DEAD = 2 };

typedef struct mem_node {
    uint8_t *data;    /* key bytes, then value bytes; capacity data_cap */
    size_t data_cap;
    uint64_t prefix;  /* first 8 key bytes big-endian, zero-padded: a fast first comparison */
    uint32_t hash;
    uint32_t key_size;
    uint32_t value_size;
    uint32_t next_free; /* free list link (node id + 1), when NODE_FREE */
    uint8_t state;
} mem_node;

struct petro_store_mem {
    mem_node *nodes;
    uint32_t node_count; /* ids in use or on the free list: [0, node_count) */
    uint32_t node_cap;
    uint32_t free_head;  /* node id + 1; 0 = empty */
    uint64_t *index;     /* slot: node id + 1 (0 = empty) low, key hash high */
    uint32_t index_cap;  /* power of two */
    uint32_t *sorted;    /* node ids by key (may hold dead nodes) */
    uint32_t *merge;     /* fold output buffer; same capacity as sorted */
    uint32_t sorted_count;
    uint32_t total_cap;  /* capacity of sorted and merge */
    uint32_t *pending;   /* node ids not yet in sorted (may hold dead nodes) */
    uint32_t *tmp;       /* sort buffer; same capacity as pending */
    uint32_t pending_count;
    uint32_t pending_cap;
    uint32_t dead_count;
    size_t live_count;
};

#define FOLD_MIN 4096u

/* ---------------------------------------------------------------- ordering */

static uint64_t key_prefix(const uint8_t *key, size_t size) {
    uint64_t p = 0;
    for (size_t i = 0; i < 8; i++) p = (p << 8) | (i < size ? key[i] : 0u);
    return p;
}

/* memcmp order, shorter first on a common prefix. */
static int key_cmp(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size) {
    size_t n = a_size < b_size ? a_size : b_size;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0) return c;
    if (a_size < b_size) return -1;
    if (a_size > b_size) return 1;
    return 0;
}

/* Differing zero-padded 8-byte prefixes already decide the memcmp order. */
static int node_cmp(const struct petro_store_mem *m, uint32_t x, uint32_t y) {
    const mem_node *a = &m->nodes[x], *b = &m->nodes[y];
    if (a->prefix != b->prefix) return a->prefix < b->prefix ? -1 : 1;
    return key_cmp(a->data, a->key_size, b->data, b->key_size);
}

/* Bottom-up merge sort of ids (stable, no recursion), using tmp of the same length. */
static void sort_ids(const struct petro_store_mem *m, uint32_t *ids, uint32_t *tmp, uint32_t n) {
    uint32_t *src = ids, *dst = tmp;
    for (uint32_t width = 1; width < n; width = width > UINT32_MAX / 2 ? n : width * 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = lo + width < n ? lo + width : n;
            uint32_t hi = mid + width < n ? mid + width : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                dst[k++] = node_cmp(m, src[j], src[i]) < 0 ? src[j++] : src[i++];
            }
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != ids) memcpy(ids, src, (size_t)n * sizeof *ids);
}

static void node_release(struct petro_store_mem *m, uint32_t id) {
    mem_node *nd = &m->nodes[id];
    PETRO_ASSERT(nd->state == NODE_DEAD);
    free(nd->data);
    memset(nd, 0, sizeof *nd);
    nd->state = NODE_FREE;
    nd->next_free = m->free_head;
    m->free_head = id + 1;
}

/* Fold pending and deleted nodes into the sorted array. Never allocates. */
static void fold(struct petro_store_mem *m) {
    if (m->pending_count == 0 && m->dead_count == 0) return;
    /* Drop dead pending nodes, sort the rest. */
    uint32_t np = 0;
    for (uint32_t i = 0; i < m->pending_count; i++) {
        uint32_t id = m->pending[i];
        if (m->nodes[id].state == NODE_DEAD) {
            node_release(m, id);
        } else {
            m->pending[np++] = id;
        }
    }
    sort_ids(m, m->pending, m->tmp, np);
    /* Merge the live sorted nodes with them. */
    uint32_t i = 0, j = 0, k = 0;
    while (i < m->sorted_count || j < np) {
        if (i < m->sorted_count && m->nodes[m->sorted[i]].state == NODE_DEAD) {
            node_release(m, m->sorted[i++]);
            continue;
        }
        if (j >= np || (i < m->sorted_count && node_cmp(m, m->sorted[i], m->pending[j]) < 0)) {
            m->merge[k++] = m->sorted[i++];
        } else {
            m->merge[k++] = m->pending[j++];
        }
    }
    PETRO_ASSERT(k == m->live_count);
    uint32_t *t = m->sorted;
    m->sorted = m->merge;
    m->merge = t;
    m->sorted_count = k;
    m->pending_count = 0;
    m->dead_count = 0;
}

/* ---------------------------------------------------------------- hash index */

#define SLOT(hash, id1) (((uint64_t)(hash) << 32) | (uint64_t)(id1))
#define SLOT_ID1(s) ((uint32_t)((s) & 0xFFFFFFFFu))
#define SLOT_HASH(s) ((uint32_t)((s) >> 32))

/* The slot holding key, or the empty slot where it would go. The hash kept in the slot lets
 * most mismatching probes skip the node. */
static uint64_t *index_find(const struct petro_store_mem *m, const uint8_t *key, size_t key_size,
                            uint32_t hash) {
    uint32_t mask = m->index_cap - 1, slot = hash & mask;
    for (uint32_t probes = 0; probes < m->index_cap; probes++) {
        uint64_t s = m->index[slot];
        if (SLOT_ID1(s) == 0) return &m->index[slot];
        if (SLOT_HASH(s) == hash) {
            const mem_node *nd = &m->nodes[SLOT_ID1(s) - 1];
            if (nd->key_size == key_size && memcmp(nd->data, key, key_size) == 0) {
                return &m->index[slot];
            }
        }
        slot = (slot + 1) & mask;
    }
    PETRO_ASSERT(0 && "store index full"); /* load <= 1/2 makes this unreachable */
    return NULL;
}

/* Remove the entry at slot, shifting later entries of the probe run back. */
static void index_remove(struct petro_store_mem *m, uint32_t slot) {
    uint32_t mask = m->index_cap - 1;
    m->index[slot] = 0;
    uint32_t hole = slot, j = slot;
    for (uint32_t probes = 0; probes < m->index_cap; probes++) {
        j = (j + 1) & mask;
        uint64_t e = m->index[j];
        if (SLOT_ID1(e) == 0) return;
        uint32_t home = SLOT_HASH(e) & mask;
        /* Move e into the hole unless its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            m->index[hole] = e;
            m->index[j] = 0;
            hole = j;
        }
    }
}

static petro_result index_grow(struct petro_store_mem *m) {
    if (m->index_cap > UINT32_MAX / 4) return PETRO_ERR_NOMEM;
    uint32_t cap = m->index_cap * 2;
    uint64_t *index = calloc(cap, sizeof *index);
    if (index == NULL) return PETRO_ERR_NOMEM;
    for (uint32_t s = 0; s < m->index_cap; s++) {
        uint64_t e = m->index[s];
        if (SLOT_ID1(e) == 0) continue;
        uint32_t slot = SLOT_HASH(e) & (cap - 1);
        while (index[slot] != 0) slot = (slot + 1) & (cap - 1);
        index[slot] = e;
    }
    free(m->index);
    m->index = index;
    m->index_cap = cap;
    return PETRO_OK;
}

/* ---------------------------------------------------------------- capacity */

static petro_result grow_u32(uint32_t **a, uint32_t cap) {
    uint32_t *p = realloc(*a, (size_t)cap * sizeof **a);
    if (p == NULL) return PETRO_ERR_NOMEM;
    *a = p;
    return PETRO_OK;
}

static uint32_t next_cap(uint32_t cap) { return cap < 64 ? 64 : cap * 2; }

/* Room for one more live node everywhere, before anything changes. */
static petro_result reserve_one(struct petro_store_mem *m) {
    if (m->live_count >= UINT32_MAX / 4 || m->node_count >= UINT32_MAX / 4) return PETRO_ERR_NOMEM;
    if ((m->live_count + 1) * 2 > m->index_cap) {
        petro_result rc = index_grow(m);
        if (rc != PETRO_OK) return rc;
    }
    if (m->free_head == 0 && m->node_count == m->node_cap) {
        uint32_t cap = next_cap(m->node_cap);
        mem_node *nodes = realloc(m->nodes, (size_t)cap * sizeof *nodes);
        if (nodes == NULL) return PETRO_ERR_NOMEM;
        m->nodes = nodes;
        m->node_cap = cap;
    }
    if (m->pending_count == m->pending_cap) {
        uint32_t cap = next_cap(m->pending_cap);
        petro_result rc = grow_u32(&m->pending, cap);
        if (rc == PETRO_OK) rc = grow_u32(&m->tmp, cap);
        if (rc != PETRO_OK) return rc;
        m->pending_cap = cap;
    }
    if (m->sorted_count + m->pending_count + 1 > m->total_cap) {
        uint32_t cap = next_cap(m->total_cap);
        petro_result rc = grow_u32(&m->sorted, cap);
        if (rc == PETRO_OK) rc = grow_u32(&m->merge, cap);
        if (rc != PETRO_OK) return rc;
        m->total_cap = cap;
    }
    return PETRO_OK;
}

/* ---------------------------------------------------------------- vtable */

static petro_result mem_get(void *ctx, const uint8_t *key, size_t key_size, uint8_t *value,
                            size_t value_cap, size_t *value_size, bool *found) {
    struct petro_store_mem *m = ctx;
    PETRO_ASSERT(m != NULL);
    *value_size = 0;
    *found = false;
    if (key_size == 0 || key_size > PETRO_STORE_KEY_SIZE_MAX) return PETRO_OK;
    uint32_t e = SLOT_ID1(*index_find(m, key, key_size, petro__key_hash(key, key_size)));
    if (e == 0) return PETRO_OK;
    const mem_node *nd = &m->nodes[e - 1];
    if (nd->value_size > value_cap) return PETRO_ERR_BUFFER_TOO_SMALL;
    if (nd->value_size > 0) memcpy(value, nd->data + nd->key_size, nd->value_size);
    *value_size = nd->value_size;
    *found = true;
    return PETRO_OK;
}

static petro_result mem_put(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                            size_t value_size) {
    struct petro_store_mem *m = ctx;
    PETRO_ASSERT(m != NULL);
    /* Sizes come from the ledger's own key builders and encoders: misuse, not input. */
    PETRO_ASSERT(key_size > 0 && key_size <= PETRO_STORE_KEY_SIZE_MAX);
    PETRO_ASSERT(value_size <= PETRO_STORE_VALUE_SIZE_MAX);
    uint32_t hash = petro__key_hash(key, key_size);
    size_t need = key_size + value_size;
    uint64_t *slot = index_find(m, key, key_size, hash);
    if (SLOT_ID1(*slot) != 0) {
        mem_node *nd = &m->nodes[SLOT_ID1(*slot) - 1];
        if (need > nd->data_cap) {
            uint8_t *data = malloc(need);
            if (data == NULL) return PETRO_ERR_NOMEM;
            memcpy(data, key, key_size);
            free(nd->data);
            nd->data = data;
            nd->data_cap = need;
        }
        if (value_size > 0) memcpy(nd->data + key_size, value, value_size);
        nd->value_size = (uint32_t)value_size;
        return PETRO_OK;
    }
    petro_result rc = reserve_one(m);
    if (rc != PETRO_OK) return rc;
    uint8_t *data = malloc(need);
    if (data == NULL) return PETRO_ERR_NOMEM;
    memcpy(data, key, key_size);
    if (value_size > 0) memcpy(data + key_size, value, value_size);
    uint32_t id;
    if (m->free_head != 0) {
        id = m->free_head - 1;
        m->free_head = m->nodes[id].next_free;
    } else {
        id = m->node_count++;
    }
    mem_node *nd = &m->nodes[id];
    memset(nd, 0, sizeof *nd);
    nd->data = data;
    nd->data_cap = need;
    nd->prefix = key_prefix(key, key_size);
    nd->hash = hash;
    nd->key_size = (uint32_t)key_size;
    nd->value_size = (uint32_t)value_size;
    nd->state = NODE_LIVE;
    /* The index may have grown: find the free slot again. */
    *index_find(m, key, key_size, hash) = SLOT(hash, id + 1);
    m->pending[m->pending_count++] = id;
    m->live_count++;
    if (m->pending_count > FOLD_MIN && m->pending_count > m->sorted_count) fold(m);
    return PETRO_OK;
}

static petro_result mem_del(void *ctx, const uint8_t *key, size_t key_size) {
    struct petro_store_mem *m = ctx;
    PETRO_ASSERT(m != NULL);
    if (key_size == 0 || key_size > PETRO_STORE_KEY_SIZE_MAX) return PETRO_OK;
    uint64_t *slot = index_find(m, key, key_size, petro__key_hash(key, key_size));
    if (SLOT_ID1(*slot) == 0) return PETRO_OK;
    uint32_t id = SLOT_ID1(*slot) - 1;
    index_remove(m, (uint32_t)(slot - m->index));
    mem_node *nd = &m->nodes[id];
    nd->state = NODE_DEAD; /* released at the next fold, which removes its id from the order */
    m->dead_count++;
    m->live_count--;
    if (m->dead_count > FOLD_MIN && m->dead_count > m->live_count) fold(m);
    return PETRO_OK;
}

static petro_result mem_iter(void *ctx, const uint8_t *prefix, size_t prefix_size,
                             petro_store_iter_cb cb, void *cb_ctx) {
    struct petro_store_mem *m = ctx;
    PETRO_ASSERT(m != NULL);
    PETRO_ASSERT(cb != NULL);
    PETRO_ASSERT(prefix != NULL || prefix_size == 0);
    fold(m);
    /* First node whose key is >= prefix. */
    uint32_t lo = 0, hi = m->sorted_count;
    while (prefix_size > 0 && lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const mem_node *nd = &m->nodes[m->sorted[mid]];
        if (key_cmp(nd->data, nd->key_size, prefix, prefix_size) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (uint32_t i = lo; i < m->sorted_count; i++) {
        const mem_node *nd = &m->nodes[m->sorted[i]];
        if (nd->key_size < prefix_size) break;
        if (prefix_size > 0 && memcmp(nd->data, prefix, prefix_size) != 0) break;
        if (cb(cb_ctx, nd->data, nd->key_size, nd->data + nd->key_size, nd->value_size) != 0) {
            break;
        }
    }
    return PETRO_OK;
}

/* ---------------------------------------------------------------- lifetime */

petro_result petro_store_mem_create(petro_store_mem **out, petro_store *store) {
    PETRO_ASSERT(out != NULL);
    PETRO_ASSERT(store != NULL);
    *out = NULL;
    memset(store, 0, sizeof *store);
    struct petro_store_mem *m = calloc(1, sizeof *m);
    if (m == NULL) return PETRO_ERR_NOMEM;
    m->index = calloc(64, sizeof *m->index);
    if (m->index == NULL) {
        free(m);
        return PETRO_ERR_NOMEM;
    }
    m->index_cap = 64;
    store->ctx = m;
    store->get = mem_get;
    store->put = mem_put;
    store->del = mem_del;
    store->iter = mem_iter;
    *out = m;
    return PETRO_OK;
}

void petro_store_mem_destroy(petro_store_mem *m) {
    if (m == NULL) return;
    for (uint32_t i = 0; i < m->node_count; i++) free(m->nodes[i].data);
    free(m->nodes);
    free(m->index);
    free(m->sorted);
    free(m->merge);
    free(m->pending);
    free(m->tmp);
    free(m);
}

size_t petro_store_mem_count(const petro_store_mem *m) {
    PETRO_ASSERT(m != NULL);
    return m->live_count;
}
