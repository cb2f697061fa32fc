/* State layers: the state records committed by recent blocks, held in memory until the state
 * writer thread has written them into the state environment (store_lmdb.c, "the state
 * writer"). One layer per committed block: its write set, sorted by key, each record a new
 * value or a deletion. Readers see the state of a block as the state environment's snapshot
 * with the layers above it laid on top, newest first.
 *
 * A layer is built by one thread (put/del; get sees its own writes), then sealed and
 * published; a published layer never changes again, so any thread may read it without a lock.
 * Its lifetime is counted: the list of published layers, each reader's view and the
 * producer's index each hold a reference.
 *
 * layer_index: the producer's merged index over every published layer it has not yet seen
 * written (key -> the newest layer's entry), so that a read costs one probe instead of one per
 * layer. Used by one thread only. */
#ifndef PETROD_LAYERS_H
#define PETROD_LAYERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petro/petro.h"

#define LAYER_DELETED UINT32_MAX /* value_size of a deletion */

typedef struct layer_entry {
    uint32_t key_off; /* into the arena */
    uint32_t value_off;
    uint32_t value_size; /* LAYER_DELETED: the record was deleted */
    uint16_t key_size;
    uint16_t reserved;
    uint64_t hash; /* layer_key_hash of the key */
} layer_entry;

typedef struct layer {
    _Atomic uint32_t refs;
    uint8_t *arena;
    size_t arena_size, arena_cap;
    layer_entry *entries;
    uint32_t count, cap;
    uint32_t *slots; /* open addressing over entries: entry index + 1, 0 empty */
    uint32_t slot_mask;
    bool is_sorted;
} layer;

/** The hash of a key for the layers' tables (in-memory only, never stored). */
uint64_t layer_key_hash(const uint8_t *key, size_t key_size);

/** A new empty layer with one reference, or NULL (out of memory). */
layer *layer_new(void);
void layer_ref(layer *l);
/** Drop a reference; the last one frees the layer. NULL is a no-op. */
void layer_unref(layer *l);
/** Forget every entry (the building thread only; keeps the buffers). */
void layer_clear(layer *l);
/** Bytes of memory the layer holds. */
size_t layer_bytes(const layer *l);

/** Record a value (value_size < LAYER_DELETED) or a deletion (value NULL, value_size
 *  LAYER_DELETED) of key in a layer being built; replaces an earlier one of the same key.
 *  Returns PETRO_OK or PETRO_ERR_NOMEM. */
petro_result layer_put(layer *l, const uint8_t *key, size_t key_size, const uint8_t *value,
                       uint32_t value_size);

/** The entry of key in l, or NULL. */
const layer_entry *layer_find(const layer *l, const uint8_t *key, size_t key_size,
                              uint64_t hash);
static inline const uint8_t *layer_key(const layer *l, const layer_entry *e) {
    return l->arena + e->key_off;
}
static inline const uint8_t *layer_value(const layer *l, const layer_entry *e) {
    return l->arena + e->value_off;
}

/** Sort the entries by key (the store's order: memcmp, shorter first on a common prefix).
 *  A no-op on a sorted layer; a put after it unsorts. Returns PETRO_OK or PETRO_ERR_NOMEM. */
petro_result layer_sort(layer *l);

/** Index of the first entry of a sorted layer whose key is >= key (count if none). */
uint32_t layer_lower_bound(const layer *l, const uint8_t *key, size_t key_size);

/** The store's key order. */
int layer_key_cmp(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size);

/* ------------------------------------------------------------ merged index (one thread) */

typedef struct layer_index_slot {
    layer *l; /* NULL: empty */
    uint32_t entry;
    uint32_t hash; /* the key's hash, low 32 bits: its home slot, and most probes of other
                    * keys end here without reading the layer's entry (a cache miss) */
} layer_index_slot;

typedef struct layer_index {
    layer_index_slot *slots;
    uint32_t mask, count;
} layer_index;

/** Make room for more entries, so that the next layer_index_add of that many cannot fail. */
petro_result layer_index_reserve(layer_index *ix, uint32_t more);
/** Add (a reference to) a published layer: its entries replace those of older layers. */
petro_result layer_index_add(layer_index *ix, layer *l);
/** Remove l's entries that are still the newest of their key, and its reference. */
void layer_index_remove(layer_index *ix, layer *l);
/** The newest entry of key, or NULL; *owner receives its layer. */
const layer_entry *layer_index_find(const layer_index *ix, const uint8_t *key, size_t key_size,
                                    uint64_t hash, const layer **owner);
void layer_index_free(layer_index *ix);

/* ------------------------------------------------------------ ordered merge */

#define LAYER_MERGE_MAX 256u /* layers one merge walks: the most a view holds */

/** Walks the union of several sorted layers in key order, the newest entry of each key
 *  only (layers[0] is the newest), from the first key >= start. */
typedef struct layer_merge {
    layer *const *layers;
    size_t layer_count;
    uint32_t pos[LAYER_MERGE_MAX];
    long min; /* the layer holding the smallest current key, -1 none; -2 not known yet */
} layer_merge;

void layer_merge_init(layer_merge *m, layer *const *layers, size_t layer_count,
                      const uint8_t *start, size_t start_size);
/** The next entry (and its layer), or NULL at the end. */
const layer_entry *layer_merge_next(layer_merge *m, const layer **owner);
/** The next entry without consuming it. */
const layer_entry *layer_merge_peek(layer_merge *m, const layer **owner);

#endif
