/* The in-memory state store (include/petro/store.h), for tests, tools and benchmarks.
 *
 * Design: every key/value pair is a node in a pool; its key and value live in one heap block,
 * a record (sizes, then key, then value), that a replaced value reuses when it fits. Point
 * operations go through a hash index (open addressing, linear probing, load <= 1/2), so
 * get/put/del cost O(1) whatever the size; this is what keeps block apply and commit fast with
 * millions of accounts. An index slot holds the key's hash, the node id and the record's
 * address, so a lookup touches the slot and the record and never the node: with a state far
 * larger than the CPU caches each of those is a cache miss, and a get or put is two of them,
 * not three. Ordered iteration uses
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

/* One key/value pair: bytes[0..key_size) is the key, then value_size bytes of value; cap is
 * the room after the header. */
typedef struct mem_rec {
    uint32_t key_size;
    uint32_t value_size;
    uint32_t cap;
    uint32_t reserved;
    uint8_t bytes[];
} mem_rec;

typedef struct mem_node {
    mem_rec *rec;      /* NULL when NODE_FREE */
    uint64_t prefix;   /* first 8 key bytes big-endian, zero-padded: a fast first comparison */
    uint32_t next_free; /* free list link (node id + 1), when NODE_FREE */
    uint8_t state;
} mem_node;

/* An index slot: id1 = node id + 1 (0 = empty), the key's hash, the node's record. */
typedef struct mem_slot {
    uint32_t hash;
    uint32_t id1;
    mem_rec *rec;
} mem_slot;

struct petro_store_mem {
    mem_node *nodes;
    uint32_t node_count; /* ids in use or on the free list: [0, node_count) */
    uint32_t node_cap;
    uint32_t free_head;  /* node id + 1; 0 = empty */
    mem_slot *index;
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
    return key_cmp(a->rec->bytes, a->rec->key_size, b->rec->bytes, b->rec->key_size);
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
    free(nd->rec);
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

/* The slot holding key, or the empty slot where it would go. The hash kept in the slot lets
 * most mismatching probes skip the record. */
static mem_slot *index_find(const struct petro_store_mem *m, const uint8_t *key, size_t key_size,
                            uint32_t hash) {
    uint32_t mask = m->index_cap - 1, slot = hash & mask;
    for (uint32_t probes = 0; probes < m->index_cap; probes++) {
        mem_slot *s = &m->index[slot];
        if (s->id1 == 0) return s;
        if (s->hash == hash && s->rec->key_size == key_size &&
            memcmp(s->rec->bytes, key, key_size) == 0) {
            return s;
        }
        slot = (slot + 1) & mask;
    }
    PETRO_ASSERT(0 && "store index full"); /* load <= 1/2 makes this unreachable */
    return NULL;
}

/* Remove the entry at slot, shifting later entries of the probe run back. */
static void index_remove(struct petro_store_mem *m, uint32_t slot) {
    uint32_t mask = m->index_cap - 1;
    memset(&m->index[slot], 0, sizeof m->index[slot]);
    uint32_t hole = slot, j = slot;
    for (uint32_t probes = 0; probes < m->index_cap; probes++) {
        j = (j + 1) & mask;
        mem_slot e = m->index[j];
        if (e.id1 == 0) return;
        uint32_t home = e.hash & mask;
        /* Move e into the hole unless its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            m->index[hole] = e;
            memset(&m->index[j], 0, sizeof m->index[j]);
            hole = j;
        }
    }
}

static petro_result index_grow(struct petro_store_mem *m) {
    if (m->index_cap > UINT32_MAX / 4) return PETRO_ERR_NOMEM;
    uint32_t cap = m->index_cap * 2;
    mem_slot *index = calloc(cap, sizeof *index);
    if (index == NULL) return PETRO_ERR_NOMEM;
    for (uint32_t s = 0; s < m->index_cap; s++) {
        mem_slot e = m->index[s];
        if (e.id1 == 0) continue;
        uint32_t slot = e.hash & (cap - 1);
        while (index[slot].id1 != 0) slot = (slot + 1) & (cap - 1);
        index[slot] = e;
    }
    free(m->index);
    m->index = index;
    m->index_cap = cap;
    return PETRO_OK;
}

static mem_rec *rec_new(const uint8_t *key, size_t key_size, size_t value_cap) {
    mem_rec *rec = malloc(sizeof *rec + key_size + value_cap);
    if (rec == NULL) return NULL;
    rec->key_size = (uint32_t)key_size;
    rec->value_size = 0;
    rec->cap = (uint32_t)(key_size + value_cap);
    rec->reserved = 0;
    memcpy(rec->bytes, key, key_size);
    return rec;
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
    const mem_slot *s = index_find(m, key, key_size, petro__key_hash(key, key_size));
    if (s->id1 == 0) return PETRO_OK;
    const mem_rec *rec = s->rec;
    if (rec->value_size > value_cap) return PETRO_ERR_BUFFER_TOO_SMALL;
    if (rec->value_size > 0) memcpy(value, rec->bytes + rec->key_size, rec->value_size);
    *value_size = rec->value_size;
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
    mem_slot *slot = index_find(m, key, key_size, hash);
    if (slot->id1 != 0) {
        mem_rec *rec = slot->rec;
        if (key_size + value_size > rec->cap) {
            mem_rec *grown = rec_new(key, key_size, value_size);
            if (grown == NULL) return PETRO_ERR_NOMEM;
            m->nodes[slot->id1 - 1].rec = grown;
            slot->rec = grown;
            free(rec);
            rec = grown;
        }
        if (value_size > 0) memcpy(rec->bytes + key_size, value, value_size);
        rec->value_size = (uint32_t)value_size;
        return PETRO_OK;
    }
    petro_result rc = reserve_one(m);
    if (rc != PETRO_OK) return rc;
    mem_rec *rec = rec_new(key, key_size, value_size);
    if (rec == NULL) return PETRO_ERR_NOMEM;
    if (value_size > 0) memcpy(rec->bytes + key_size, value, value_size);
    rec->value_size = (uint32_t)value_size;
    uint32_t id;
    if (m->free_head != 0) {
        id = m->free_head - 1;
        m->free_head = m->nodes[id].next_free;
    } else {
        id = m->node_count++;
    }
    mem_node *nd = &m->nodes[id];
    memset(nd, 0, sizeof *nd);
    nd->rec = rec;
    nd->prefix = key_prefix(key, key_size);
    nd->state = NODE_LIVE;
    /* The index may have grown: find the free slot again. */
    *index_find(m, key, key_size, hash) = (mem_slot){.hash = hash, .id1 = id + 1, .rec = rec};
    m->pending[m->pending_count++] = id;
    m->live_count++;
    if (m->pending_count > FOLD_MIN && m->pending_count > m->sorted_count) fold(m);
    return PETRO_OK;
}

static petro_result mem_del(void *ctx, const uint8_t *key, size_t key_size) {
    struct petro_store_mem *m = ctx;
    PETRO_ASSERT(m != NULL);
    if (key_size == 0 || key_size > PETRO_STORE_KEY_SIZE_MAX) return PETRO_OK;
    mem_slot *slot = index_find(m, key, key_size, petro__key_hash(key, key_size));
    if (slot->id1 == 0) return PETRO_OK;
    uint32_t id = slot->id1 - 1;
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
        const mem_rec *rec = m->nodes[m->sorted[mid]].rec;
        if (key_cmp(rec->bytes, rec->key_size, prefix, prefix_size) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (uint32_t i = lo; i < m->sorted_count; i++) {
        const mem_rec *rec = m->nodes[m->sorted[i]].rec;
        if (rec->key_size < prefix_size) break;
        if (prefix_size > 0 && memcmp(rec->bytes, prefix, prefix_size) != 0) break;
        if (cb(cb_ctx, rec->bytes, rec->key_size, rec->bytes + rec->key_size, rec->value_size) !=
            0) {
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
    for (uint32_t i = 0; i < m->node_count; i++) free(m->nodes[i].rec);
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
