/* State layers: see layers.h. */
#include "layers.h"

#include <stdlib.h>
#include <string.h>

#include "assert.h"

uint64_t layer_key_hash(const uint8_t *key, size_t key_size) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)key_size;
    size_t i = 0;
    for (; i + 8 <= key_size; i += 8) {
        uint64_t w;
        memcpy(&w, key + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    for (size_t j = 0; i + j < key_size; j++) tail |= (uint64_t)key[i + j] << (8 * j);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 32;
    return h;
}

int layer_key_cmp(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size) {
    size_t n = a_size < b_size ? a_size : b_size;
    int c = n == 0 ? 0 : memcmp(a, b, n);
    if (c != 0) return c;
    return a_size < b_size ? -1 : a_size > b_size ? 1 : 0;
}

layer *layer_new(void) {
    layer *l = calloc(1, sizeof *l);
    if (l == NULL) return NULL;
    l->refs = 1;
    l->is_sorted = true;
    return l;
}

void layer_ref(layer *l) { l->refs++; }

void layer_unref(layer *l) {
    if (l == NULL) return;
    PETROD_ASSERT(l->refs > 0);
    if (--l->refs != 0) return;
    free(l->arena);
    free(l->entries);
    free(l->slots);
    free(l);
}

void layer_clear(layer *l) {
    l->arena_size = 0;
    l->count = 0;
    l->is_sorted = true;
    if (l->slots != NULL) memset(l->slots, 0, ((size_t)l->slot_mask + 1) * sizeof *l->slots);
}

size_t layer_bytes(const layer *l) {
    return sizeof *l + l->arena_cap + (size_t)l->cap * sizeof *l->entries +
           (l->slots != NULL ? ((size_t)l->slot_mask + 1) * sizeof *l->slots : 0);
}

static void slots_insert(uint32_t *slots, uint32_t mask, uint64_t hash, uint32_t entry) {
    /* Bounded: the table is at most half full (layer_reserve). */
    for (uint32_t i = (uint32_t)hash & mask;; i = (i + 1) & mask) {
        if (slots[i] == 0) {
            slots[i] = entry + 1;
            return;
        }
    }
}

/* Index every entry again in l's (empty) table. */
static void refill_slots(layer *l) {
    for (uint32_t e = 0; e < l->count; e++) {
        slots_insert(l->slots, l->slot_mask, l->entries[e].hash, e);
    }
}

static petro_result rebuild_slots(layer *l, uint32_t slot_count) {
    uint32_t *slots = calloc(slot_count, sizeof *slots);
    if (slots == NULL) return PETRO_ERR_NOMEM;
    free(l->slots);
    l->slots = slots;
    l->slot_mask = slot_count - 1;
    refill_slots(l);
    return PETRO_OK;
}

const layer_entry *layer_find(const layer *l, const uint8_t *key, size_t key_size,
                              uint64_t hash) {
    if (l->slots == NULL) return NULL;
    /* Bounded: the table is at most half full. */
    for (uint32_t i = (uint32_t)hash & l->slot_mask;; i = (i + 1) & l->slot_mask) {
        uint32_t s = l->slots[i];
        if (s == 0) return NULL;
        const layer_entry *e = &l->entries[s - 1];
        if (e->hash == hash && e->key_size == key_size &&
            memcmp(l->arena + e->key_off, key, key_size) == 0) {
            return e;
        }
    }
}

static petro_result arena_add(layer *l, const void *bytes, size_t size, uint32_t *off) {
    if (l->arena_size + size > l->arena_cap) {
        size_t cap = l->arena_cap == 0 ? 4096 : l->arena_cap;
        while (cap < l->arena_size + size) cap *= 2;
        if (cap > UINT32_MAX) return PETRO_ERR_NOMEM;
        uint8_t *a = realloc(l->arena, cap);
        if (a == NULL) return PETRO_ERR_NOMEM;
        l->arena = a;
        l->arena_cap = cap;
    }
    *off = (uint32_t)l->arena_size;
    if (size > 0) memcpy(l->arena + l->arena_size, bytes, size);
    l->arena_size += size;
    return PETRO_OK;
}

petro_result layer_put(layer *l, const uint8_t *key, size_t key_size, const uint8_t *value,
                       uint32_t value_size) {
    PETROD_ASSERT(key_size > 0 && key_size <= UINT16_MAX);
    PETROD_ASSERT(value_size == LAYER_DELETED || value != NULL || value_size == 0);
    uint64_t hash = layer_key_hash(key, key_size);
    layer_entry *e = (layer_entry *)layer_find(l, key, key_size, hash);
    uint32_t voff = 0;
    if (value_size != LAYER_DELETED &&
        arena_add(l, value, value_size, &voff) != PETRO_OK) {
        return PETRO_ERR_NOMEM;
    }
    if (e != NULL) { /* a second write of the key in this block: the newer value wins */
        e->value_off = voff;
        e->value_size = value_size;
        return PETRO_OK;
    }
    if (l->count == l->cap) {
        uint32_t cap = l->cap == 0 ? 256 : l->cap * 2;
        layer_entry *n = realloc(l->entries, (size_t)cap * sizeof *n);
        if (n == NULL) return PETRO_ERR_NOMEM;
        l->entries = n;
        l->cap = cap;
    }
    if (l->slots == NULL || (l->count + 1u) * 2u > l->slot_mask + 1u) {
        uint32_t slot_count = l->slots == NULL ? 512 : (l->slot_mask + 1u) * 2u;
        if (rebuild_slots(l, slot_count) != PETRO_OK) return PETRO_ERR_NOMEM;
    }
    uint32_t koff;
    if (arena_add(l, key, key_size, &koff) != PETRO_OK) return PETRO_ERR_NOMEM;
    l->entries[l->count] = (layer_entry){.key_off = koff, .value_off = voff,
                                         .value_size = value_size,
                                         .key_size = (uint16_t)key_size, .hash = hash};
    slots_insert(l->slots, l->slot_mask, hash, l->count);
    l->count++;
    if (l->count > 1) {
        const layer_entry *p = &l->entries[l->count - 2];
        if (layer_key_cmp(l->arena + p->key_off, p->key_size, key, key_size) > 0) {
            l->is_sorted = false;
        }
    }
    return PETRO_OK;
}

/* qsort has no context argument: sort an array of (entry, arena) pairs instead. */
typedef struct sort_item {
    layer_entry e;
    const uint8_t *arena;
} sort_item;

static int sort_cmp(const void *pa, const void *pb) {
    const sort_item *a = pa, *b = pb;
    return layer_key_cmp(a->arena + a->e.key_off, a->e.key_size, b->arena + b->e.key_off,
                         b->e.key_size);
}

petro_result layer_sort(layer *l) {
    if (l->is_sorted) return PETRO_OK;
    sort_item *items = malloc((size_t)l->count * sizeof *items);
    if (items == NULL) return PETRO_ERR_NOMEM;
    for (uint32_t i = 0; i < l->count; i++) items[i] = (sort_item){l->entries[i], l->arena};
    qsort(items, l->count, sizeof *items, sort_cmp);
    for (uint32_t i = 0; i < l->count; i++) l->entries[i] = items[i].e;
    free(items);
    /* The same table, refilled: cannot fail, so the entries and the table never disagree. */
    memset(l->slots, 0, ((size_t)l->slot_mask + 1) * sizeof *l->slots);
    refill_slots(l);
    l->is_sorted = true;
    return PETRO_OK;
}

uint32_t layer_lower_bound(const layer *l, const uint8_t *key, size_t key_size) {
    PETROD_ASSERT(l->is_sorted);
    uint32_t lo = 0, hi = l->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const layer_entry *e = &l->entries[mid];
        if (layer_key_cmp(l->arena + e->key_off, e->key_size, key, key_size) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* ------------------------------------------------------------ merged index */

static uint32_t slot_hash(const layer_index_slot *s) { return s->hash; }

static layer_index_slot *index_lookup(const layer_index *ix, const uint8_t *key, size_t key_size,
                                      uint64_t hash) {
    if (ix->slots == NULL) return NULL;
    uint32_t low = (uint32_t)hash;
    /* Bounded: the table is at most half full (index_grow). */
    for (uint32_t i = (uint32_t)hash & ix->mask;; i = (i + 1) & ix->mask) {
        layer_index_slot *s = &ix->slots[i];
        if (s->l == NULL) return s;
        if (s->hash != low) continue;
        const layer_entry *e = &s->l->entries[s->entry];
        if (e->hash == hash && e->key_size == key_size &&
            memcmp(s->l->arena + e->key_off, key, key_size) == 0) {
            return s;
        }
    }
}

static petro_result index_grow(layer_index *ix, uint32_t need) {
    uint32_t cap = ix->slots == NULL ? 4096 : ix->mask + 1u;
    if (need * 2u <= cap && ix->slots != NULL) return PETRO_OK;
    while (need * 2u > cap) cap *= 2;
    layer_index_slot *slots = calloc(cap, sizeof *slots);
    if (slots == NULL) return PETRO_ERR_NOMEM;
    layer_index_slot *old = ix->slots;
    uint32_t old_cap = old == NULL ? 0 : ix->mask + 1u;
    ix->slots = slots;
    ix->mask = cap - 1;
    for (uint32_t i = 0; i < old_cap; i++) {
        if (old[i].l == NULL) continue;
        for (uint32_t j = slot_hash(&old[i]) & ix->mask;; j = (j + 1) & ix->mask) {
            if (slots[j].l == NULL) {
                slots[j] = old[i];
                break;
            }
        }
    }
    free(old);
    return PETRO_OK;
}

petro_result layer_index_reserve(layer_index *ix, uint32_t more) {
    return index_grow(ix, ix->count + more);
}

petro_result layer_index_add(layer_index *ix, layer *l) {
    petro_result r = index_grow(ix, ix->count + l->count);
    if (r != PETRO_OK) return r;
    layer_ref(l);
    for (uint32_t e = 0; e < l->count; e++) {
        const layer_entry *le = &l->entries[e];
        layer_index_slot *s = index_lookup(ix, l->arena + le->key_off, le->key_size, le->hash);
        if (s->l == NULL) ix->count++;
        s->l = l;
        s->entry = e;
        s->hash = (uint32_t)le->hash;
    }
    return PETRO_OK;
}

/* Linear probing deletion: shift back the entries of the run after the hole. */
static void index_delete(layer_index *ix, uint32_t hole) {
    uint32_t i = hole;
    for (;;) {
        i = (i + 1) & ix->mask;
        if (ix->slots[i].l == NULL) break;
        uint32_t home = slot_hash(&ix->slots[i]) & ix->mask;
        /* Move it into the hole if its home is not in (hole, i]. */
        bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (stays) continue;
        ix->slots[hole] = ix->slots[i];
        hole = i;
    }
    ix->slots[hole].l = NULL;
    ix->count--;
}

void layer_index_remove(layer_index *ix, layer *l) {
    for (uint32_t e = 0; e < l->count && ix->slots != NULL; e++) {
        const layer_entry *le = &l->entries[e];
        layer_index_slot *s = index_lookup(ix, l->arena + le->key_off, le->key_size, le->hash);
        if (s->l == l) index_delete(ix, (uint32_t)(s - ix->slots));
    }
    layer_unref(l);
}

const layer_entry *layer_index_find(const layer_index *ix, const uint8_t *key, size_t key_size,
                                    uint64_t hash, const layer **owner) {
    layer_index_slot *s = index_lookup(ix, key, key_size, hash);
    if (s == NULL || s->l == NULL) return NULL;
    *owner = s->l;
    return &s->l->entries[s->entry];
}

void layer_index_free(layer_index *ix) {
    free(ix->slots);
    ix->slots = NULL;
    ix->mask = ix->count = 0;
}

/* ------------------------------------------------------------ ordered merge */

void layer_merge_init(layer_merge *m, layer *const *layers, size_t layer_count,
                      const uint8_t *start, size_t start_size) {
    PETROD_ASSERT(layer_count <= LAYER_MERGE_MAX);
    m->layers = layers;
    m->layer_count = layer_count;
    for (size_t i = 0; i < layer_count; i++) {
        m->pos[i] = start_size == 0 ? 0 : layer_lower_bound(layers[i], start, start_size);
    }
    m->min = -2;
}

/* The smallest current key (the newest layer's on a tie): its layer's position, or -1. */
static long merge_min(const layer_merge *m) {
    long best = -1;
    const uint8_t *bk = NULL;
    size_t bs = 0;
    for (size_t i = 0; i < m->layer_count; i++) {
        const layer *l = m->layers[i];
        if (m->pos[i] >= l->count) continue;
        const layer_entry *e = &l->entries[m->pos[i]];
        if (best < 0 || layer_key_cmp(l->arena + e->key_off, e->key_size, bk, bs) < 0) {
            best = (long)i;
            bk = l->arena + e->key_off;
            bs = e->key_size;
        }
    }
    return best;
}

const layer_entry *layer_merge_peek(layer_merge *m, const layer **owner) {
    if (m->min == -2) m->min = merge_min(m);
    long i = m->min;
    if (i < 0) return NULL;
    *owner = m->layers[i];
    return &m->layers[i]->entries[m->pos[i]];
}

const layer_entry *layer_merge_next(layer_merge *m, const layer **owner) {
    long best = m->min == -2 ? merge_min(m) : m->min;
    m->min = -2; /* the positions move below */
    if (best < 0) return NULL;
    const layer *bl = m->layers[best];
    const layer_entry *be = &bl->entries[m->pos[best]];
    /* Every layer at the same key moves past it: only the newest entry counts. */
    for (size_t i = 0; i < m->layer_count; i++) {
        const layer *l = m->layers[i];
        if (m->pos[i] >= l->count) continue;
        const layer_entry *e = &l->entries[m->pos[i]];
        if (layer_key_cmp(l->arena + e->key_off, e->key_size, bl->arena + be->key_off,
                          be->key_size) == 0) {
            m->pos[i]++;
        }
    }
    *owner = bl;
    return be;
}
