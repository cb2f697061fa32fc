/* The in-memory state store (include/petro/store.h): a sorted dynamic array of key/value
 * copies, for tests, tools and benchmarks.
 *
 * Design: entries are kept sorted by key in ascending memcmp order, a shorter key first on a
 * common prefix (the order every store must honour). get/put/del binary-search; insertion
 * and deletion move the tail of the array. Each entry owns one heap block holding its key
 * followed by its value; a replaced value reuses the block when it fits, so rewriting the
 * same keys block after block (the common case) allocates nothing.
 *
 * Invariants: entries[0..count) strictly ascending by key; every allocation is checked and a
 * failed one leaves the store unchanged (PETRO_ERR_NOMEM). Not thread-safe. The iteration
 * callback must not modify the store. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct mem_entry {
    uint8_t *data; /* key bytes, then value bytes; capacity data_cap */
    uint32_t key_size;
    uint32_t value_size;
    size_t data_cap;
} mem_entry;

struct petro_store_mem {
    mem_entry *entries;
    size_t count;
    size_t cap;
};

/* memcmp order, shorter first on a common prefix. */
static int key_cmp(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size) {
    size_t n = a_size < b_size ? a_size : b_size;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0) return c;
    if (a_size < b_size) return -1;
    if (a_size > b_size) return 1;
    return 0;
}

/* Index of the first entry whose key is >= key; *exact tells whether it is equal. */
static size_t lower_bound(const struct petro_store_mem *m, const uint8_t *key, size_t key_size,
                          bool *exact) {
    size_t lo = 0, hi = m->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const mem_entry *e = &m->entries[mid];
        if (key_cmp(e->data, e->key_size, key, key_size) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *exact = false;
    if (lo < m->count) {
        const mem_entry *e = &m->entries[lo];
        *exact = key_cmp(e->data, e->key_size, key, key_size) == 0;
    }
    return lo;
}

static petro_result mem_get(void *ctx, const uint8_t *key, size_t key_size, uint8_t *value,
                            size_t value_cap, size_t *value_size, bool *found) {
    struct petro_store_mem *m = ctx;
    PETRO_ASSERT(m != NULL);
    *value_size = 0;
    *found = false;
    if (key_size == 0 || key_size > PETRO_STORE_KEY_SIZE_MAX) return PETRO_OK;
    bool exact;
    size_t i = lower_bound(m, key, key_size, &exact);
    if (!exact) return PETRO_OK;
    const mem_entry *e = &m->entries[i];
    if (e->value_size > value_cap) return PETRO_ERR_BUFFER_TOO_SMALL;
    if (e->value_size > 0) memcpy(value, e->data + e->key_size, e->value_size);
    *value_size = e->value_size;
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
    bool exact;
    size_t i = lower_bound(m, key, key_size, &exact);
    size_t need = key_size + value_size;
    if (exact) {
        mem_entry *e = &m->entries[i];
        if (need > e->data_cap) {
            uint8_t *data = malloc(need);
            if (data == NULL) return PETRO_ERR_NOMEM;
            memcpy(data, key, key_size);
            free(e->data);
            e->data = data;
            e->data_cap = need;
        }
        if (value_size > 0) memcpy(e->data + key_size, value, value_size);
        e->value_size = (uint32_t)value_size;
        return PETRO_OK;
    }
    if (m->count == m->cap) {
        size_t cap = m->cap == 0 ? 64 : m->cap * 2;
        if (cap > SIZE_MAX / sizeof(mem_entry)) return PETRO_ERR_NOMEM;
        mem_entry *entries = realloc(m->entries, cap * sizeof(mem_entry));
        if (entries == NULL) return PETRO_ERR_NOMEM;
        m->entries = entries;
        m->cap = cap;
    }
    uint8_t *data = malloc(need);
    if (data == NULL) return PETRO_ERR_NOMEM;
    memcpy(data, key, key_size);
    if (value_size > 0) memcpy(data + key_size, value, value_size);
    memmove(&m->entries[i + 1], &m->entries[i], (m->count - i) * sizeof(mem_entry));
    m->entries[i] = (mem_entry){.data = data,
                                .key_size = (uint32_t)key_size,
                                .value_size = (uint32_t)value_size,
                                .data_cap = need};
    m->count++;
    PETRO_DEBUG_ASSERT(i == 0 || key_cmp(m->entries[i - 1].data, m->entries[i - 1].key_size,
                                         key, key_size) < 0);
    return PETRO_OK;
}

static petro_result mem_del(void *ctx, const uint8_t *key, size_t key_size) {
    struct petro_store_mem *m = ctx;
    PETRO_ASSERT(m != NULL);
    if (key_size == 0 || key_size > PETRO_STORE_KEY_SIZE_MAX) return PETRO_OK;
    bool exact;
    size_t i = lower_bound(m, key, key_size, &exact);
    if (!exact) return PETRO_OK;
    free(m->entries[i].data);
    memmove(&m->entries[i], &m->entries[i + 1], (m->count - i - 1) * sizeof(mem_entry));
    m->count--;
    return PETRO_OK;
}

static petro_result mem_iter(void *ctx, const uint8_t *prefix, size_t prefix_size,
                             petro_store_iter_cb cb, void *cb_ctx) {
    struct petro_store_mem *m = ctx;
    PETRO_ASSERT(m != NULL);
    PETRO_ASSERT(cb != NULL);
    bool exact;
    size_t i = prefix_size > 0 ? lower_bound(m, prefix, prefix_size, &exact) : 0;
    for (; i < m->count; i++) {
        const mem_entry *e = &m->entries[i];
        if (e->key_size < prefix_size) break;
        if (prefix_size > 0 && memcmp(e->data, prefix, prefix_size) != 0) break;
        if (cb(cb_ctx, e->data, e->key_size, e->data + e->key_size, e->value_size) != 0) break;
    }
    return PETRO_OK;
}

petro_result petro_store_mem_create(petro_store_mem **out, petro_store *store) {
    PETRO_ASSERT(out != NULL);
    PETRO_ASSERT(store != NULL);
    *out = NULL;
    memset(store, 0, sizeof *store);
    struct petro_store_mem *m = calloc(1, sizeof *m);
    if (m == NULL) return PETRO_ERR_NOMEM;
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
    for (size_t i = 0; i < m->count; i++) free(m->entries[i].data);
    free(m->entries);
    free(m);
}

size_t petro_store_mem_count(const petro_store_mem *m) {
    PETRO_ASSERT(m != NULL);
    return m->count;
}
