/* The state store interface. libpetro reads and writes state only through this vtable: an
 * in-memory implementation (store_mem, for tests and tools) and LMDB in petrod.
 *
 * Keys and values are opaque byte strings of bounded size. Iteration is in ascending
 * memcmp order of keys (shorter key first on a common prefix), which every implementation
 * must honour: the ledger depends on it for determinism. */
#ifndef PETRO_STORE_H
#define PETRO_STORE_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Iteration callback: return 0 to continue, 1 to stop. Key and value are borrowed for the
 *  duration of the call only. */
typedef int (*petro_store_iter_cb)(void *cb_ctx, const uint8_t *key, size_t key_size,
                                   const uint8_t *value, size_t value_size);

typedef struct petro_store {
    void *ctx;
    /** Copy the value of key into value (capacity value_cap). *found = false if absent.
     *  Returns PETRO_OK, PETRO_ERR_BUFFER_TOO_SMALL, PETRO_ERR_IO. */
    petro_result (*get)(void *ctx, const uint8_t *key, size_t key_size, uint8_t *value,
                        size_t value_cap, size_t *value_size, bool *found);
    /** Insert or replace. Returns PETRO_OK, PETRO_ERR_NOMEM, PETRO_ERR_STORE_FULL, PETRO_ERR_IO. */
    petro_result (*put)(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                        size_t value_size);
    /** Delete; deleting an absent key is PETRO_OK. */
    petro_result (*del)(void *ctx, const uint8_t *key, size_t key_size);
    /** Visit every key starting with prefix, ascending. Returns PETRO_OK or PETRO_ERR_IO. */
    petro_result (*iter)(void *ctx, const uint8_t *prefix, size_t prefix_size,
                         petro_store_iter_cb cb, void *cb_ctx);
} petro_store;

/** In-memory store: a hash index, plus a lazily sorted key order for iteration.
 *  create/destroy; the store struct is filled by create and stays valid until destroy.
 *  Not thread-safe. */
typedef struct petro_store_mem petro_store_mem;
PETRO_API PETRO_MUST_USE petro_result petro_store_mem_create(petro_store_mem **out,
                                                             petro_store *store);
PETRO_API void petro_store_mem_destroy(petro_store_mem *m);
PETRO_API size_t petro_store_mem_count(const petro_store_mem *m);

#ifdef __cplusplus
}
#endif
#endif
