/* The mempool: see mempool.h.
 *
 * Two open-addressing tables with linear probing and backward-shift deletion (no
 * tombstones, so probe lengths never degrade over time): transactions by id, and accounts
 * (source key -> chain of its pending entries) by key. Both are sized at create to at least
 * twice the entry bound, so the load factor stays at or under one half. */
#include "mempool.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "assert.h"

typedef struct mempool_account {
    bool is_used;
    petro_pubkey key;
    uint32_t count;
    petro_amount fee_sum;       /* fees of the chain's entries (<= the supply: see add) */
    mempool_entry *head, *tail; /* ascending sequence */
} mempool_account;

typedef struct mempool_recent {
    petro_hash id;
    petro_result code;
} mempool_recent;

struct mempool {
    uint32_t tx_count_max;
    size_t count;
    size_t slot_mask; /* table capacity - 1 (a power of two) */
    mempool_entry **txs;
    mempool_account *accounts;
    mempool_entry *fifo_head, *fifo_tail;
    uint8_t hash_key[crypto_shorthash_KEYBYTES];
    mempool_recent recent[MEMPOOL_RECENT_MAX];
    size_t recent_next;
    size_t recent_count;
};

static size_t slot_of(const mempool *mp, const uint8_t bytes[32]) {
    uint8_t h[crypto_shorthash_BYTES];
    crypto_shorthash(h, bytes, 32, mp->hash_key);
    uint64_t v;
    memcpy(&v, h, sizeof v);
    return (size_t)v & mp->slot_mask;
}

petro_result mempool_create(mempool **out, uint32_t tx_count_max) {
    *out = NULL;
    if (tx_count_max == 0 || tx_count_max > MEMPOOL_TX_COUNT_MAX) return PETRO_ERR_BAD_REQUEST;
    mempool *mp = calloc(1, sizeof *mp);
    if (mp == NULL) return PETRO_ERR_NOMEM;
    size_t capacity = 16;
    while (capacity < (size_t)tx_count_max * 2) capacity *= 2;
    PETROD_ASSERT((capacity & (capacity - 1)) == 0); /* slot_mask masks a power of two */
    mp->tx_count_max = tx_count_max;
    mp->slot_mask = capacity - 1;
    mp->txs = calloc(capacity, sizeof mp->txs[0]);
    mp->accounts = calloc(capacity, sizeof mp->accounts[0]);
    if (mp->txs == NULL || mp->accounts == NULL) {
        mempool_destroy(mp);
        return PETRO_ERR_NOMEM;
    }
    crypto_shorthash_keygen(mp->hash_key);
    *out = mp;
    return PETRO_OK;
}

void mempool_destroy(mempool *mp) {
    if (mp == NULL) return;
    mempool_entry *e = mp->fifo_head;
    while (e != NULL) {
        mempool_entry *next = e->fifo_next;
        PETROD_ASSERT(e->waiters == NULL); /* a waiter would wake on freed memory */
        free(e);
        e = next;
    }
    free(mp->txs);
    free(mp->accounts);
    sodium_memzero(mp->hash_key, sizeof mp->hash_key);
    free(mp);
}

size_t mempool_count(const mempool *mp) { return mp->count; }
bool mempool_is_full(const mempool *mp) { return mp->count >= mp->tx_count_max; }

/* ------------------------------------------------------------ id table */

static size_t tx_slot_find(const mempool *mp, const petro_hash *id) {
    /* The probe below ends only because the table is at most half full. */
    PETROD_ASSERT(mp->count <= mp->tx_count_max);
    size_t i = slot_of(mp, id->bytes);
    /* Bounded: the table is never more than half full, so an empty slot exists. */
    while (mp->txs[i] != NULL) {
        if (memcmp(mp->txs[i]->id.bytes, id->bytes, 32) == 0) return i;
        i = (i + 1) & mp->slot_mask;
    }
    return i;
}

mempool_entry *mempool_find(const mempool *mp, const petro_hash *id) {
    return mp->txs[tx_slot_find(mp, id)];
}

/* Whether home slot k lies cyclically in (i, j]: then the element at j may not move to i. */
static bool in_cyclic_range(size_t i, size_t k, size_t j) {
    if (i <= j) return i < k && k <= j;
    return i < k || k <= j;
}

static void tx_slot_delete(mempool *mp, size_t i) {
    PETROD_ASSERT(mp->txs[i] != NULL);
    mp->txs[i] = NULL;
    size_t j = i;
    for (;;) {
        j = (j + 1) & mp->slot_mask;
        if (mp->txs[j] == NULL) break;
        size_t k = slot_of(mp, mp->txs[j]->id.bytes);
        if (in_cyclic_range(i, k, j)) continue;
        mp->txs[i] = mp->txs[j];
        mp->txs[j] = NULL;
        i = j;
    }
}

/* ------------------------------------------------------------ account table */

static size_t account_slot_find(const mempool *mp, const petro_pubkey *key) {
    size_t i = slot_of(mp, key->bytes);
    while (mp->accounts[i].is_used) {
        if (memcmp(mp->accounts[i].key.bytes, key->bytes, 32) == 0) return i;
        i = (i + 1) & mp->slot_mask;
    }
    return i;
}

static void account_slot_delete(mempool *mp, size_t i) {
    PETROD_ASSERT(mp->accounts[i].is_used);
    PETROD_ASSERT(mp->accounts[i].count == 0);
    memset(&mp->accounts[i], 0, sizeof mp->accounts[i]);
    size_t j = i;
    for (;;) {
        j = (j + 1) & mp->slot_mask;
        if (!mp->accounts[j].is_used) break;
        size_t k = slot_of(mp, mp->accounts[j].key.bytes);
        if (in_cyclic_range(i, k, j)) continue;
        mp->accounts[i] = mp->accounts[j];
        memset(&mp->accounts[j], 0, sizeof mp->accounts[j]);
        i = j;
    }
}

petro_result mempool_pending_of(const mempool *mp, const petro_pubkey *account,
                                uint64_t after_sequence, uint64_t *count, petro_amount *fees) {
    *count = 0;
    *fees = 0;
    const mempool_account *a = &mp->accounts[account_slot_find(mp, account)];
    if (!a->is_used) return PETRO_OK;
    PETROD_ASSERT(a->head != NULL);
    uint64_t n = a->count;
    petro_amount sum = a->fee_sum;
    /* Entries at or below after_sequence are committed already and only wait for the
     * producer to remove them: at most one block's worth, at the head of the chain. */
    for (const mempool_entry *e = a->head; e != NULL && e->sequence <= after_sequence;
         e = e->chain_next) {
        petro_result r = petro_amount_sub(&sum, sum, e->fee);
        if (r != PETRO_OK) return r;
        PETROD_ASSERT(n > 0);
        n--;
    }
    *count = n;
    *fees = sum;
    return PETRO_OK;
}

void mempool_account_tail(const mempool *mp, const petro_pubkey *account, uint64_t *count,
                          uint64_t *last_sequence) {
    const mempool_account *a = &mp->accounts[account_slot_find(mp, account)];
    if (a->is_used) PETROD_ASSERT(a->tail != NULL);
    *count = a->is_used ? a->count : 0;
    *last_sequence = a->is_used ? a->tail->sequence : 0;
}

/* ------------------------------------------------------------ add / peek / complete */

petro_result mempool_add(mempool *mp, const petro_tx *tx, const petro_hash *id,
                         const petro_hash *witness, uint32_t sig_mask, const uint8_t *bytes,
                         size_t bytes_size) {
    PETROD_ASSERT(tx != NULL);
    PETROD_ASSERT(bytes != NULL);
    size_t tx_slot = tx_slot_find(mp, id);
    if (mp->txs[tx_slot] != NULL) return PETRO_ERR_DUPLICATE_TX;
    if (mempool_is_full(mp)) return PETRO_ERR_MEMPOOL_FULL;
    size_t acct_slot = account_slot_find(mp, &tx->source);
    mempool_account *a = &mp->accounts[acct_slot];
    if (a->is_used) PETROD_ASSERT(a->tail != NULL && a->count > 0);
    if (a->is_used && tx->sequence != a->tail->sequence + 1) return PETRO_ERR_BAD_SEQUENCE;
    if (bytes_size > PETRO_TX_SIZE_MAX) return PETRO_ERR_TX_TOO_LARGE;
    /* The ledger admits a fee only if the balance covers it plus the pending fees, so the sum
     * stays within the supply; checked anyway. */
    petro_amount fee_sum = 0;
    petro_result r = petro_amount_add(&fee_sum, a->is_used ? a->fee_sum : 0, tx->fee);
    if (r != PETRO_OK) return r;

    mempool_entry *e = malloc(sizeof *e + bytes_size);
    if (e == NULL) return PETRO_ERR_NOMEM;
    memset(e, 0, sizeof *e);
    e->id = *id;
    e->witness = *witness;
    e->sig_mask = sig_mask;
    e->source = tx->source;
    e->sequence = tx->sequence;
    e->fee = tx->fee;
    e->bytes_size = bytes_size;
    memcpy(e->bytes, bytes, bytes_size);

    mp->txs[tx_slot] = e;
    if (!a->is_used) {
        a->is_used = true;
        a->key = tx->source;
        a->head = e;
    } else {
        a->tail->chain_next = e;
        e->chain_prev = a->tail;
    }
    a->tail = e;
    a->count++;
    a->fee_sum = fee_sum;

    e->fifo_prev = mp->fifo_tail;
    if (mp->fifo_tail != NULL) {
        mp->fifo_tail->fifo_next = e;
    } else {
        mp->fifo_head = e;
    }
    mp->fifo_tail = e;
    mp->count++;
    PETROD_ASSERT(mp->count <= mp->tx_count_max);
    PETROD_ASSERT(a->count <= mp->count);
    /* An account's chain is its pending sequences, consecutive and ascending. */
    if (e->chain_prev != NULL) PETROD_ASSERT(e->chain_prev->sequence + 1 == e->sequence);
    return PETRO_OK;
}

size_t mempool_peek(const mempool *mp, mempool_entry **entries, size_t max) {
    PETROD_ASSERT(entries != NULL || max == 0);
    size_t n = 0;
    for (mempool_entry *e = mp->fifo_head; e != NULL && n < max; e = e->fifo_next) entries[n++] = e;
    return n;
}

static void remember_drop(mempool *mp, const petro_hash *id, petro_result code) {
    PETROD_ASSERT(code != PETRO_OK); /* a committed entry is found in txindex instead */
    PETROD_ASSERT(mp->recent_next < MEMPOOL_RECENT_MAX);
    mp->recent[mp->recent_next].id = *id;
    mp->recent[mp->recent_next].code = code;
    mp->recent_next = (mp->recent_next + 1) % MEMPOOL_RECENT_MAX;
    if (mp->recent_count < MEMPOOL_RECENT_MAX) mp->recent_count++;
}

bool mempool_recent_drop(const mempool *mp, const petro_hash *id, petro_result *code) {
    /* Newest first, so a resubmitted-and-dropped-again id reports its latest code. */
    for (size_t n = 0; n < mp->recent_count; n++) {
        size_t i = (mp->recent_next + MEMPOOL_RECENT_MAX - 1 - n) % MEMPOOL_RECENT_MAX;
        if (memcmp(mp->recent[i].id.bytes, id->bytes, 32) == 0) {
            *code = mp->recent[i].code;
            return true;
        }
    }
    return false;
}

/* Unlink e from every index, wake its waiters and free it. */
static void remove_one(mempool *mp, mempool_entry *e, petro_result code, uint64_t height,
                       uint32_t index) {
    for (mempool_waiter *w = e->waiters; w != NULL;) {
        mempool_waiter *next = w->next;
        w->next = NULL;
        w->is_done = true;
        w->code = code;
        w->height = height;
        w->index = index;
        w = next;
    }
    e->waiters = NULL;
    if (code != PETRO_OK) remember_drop(mp, &e->id, code);

    size_t acct_slot = account_slot_find(mp, &e->source);
    mempool_account *a = &mp->accounts[acct_slot];
    PETROD_ASSERT(a->is_used); /* every entry is on its account's chain */
    PETROD_ASSERT(a->count > 0);
    PETROD_ASSERT(mp->count > 0);
    if (e->chain_prev != NULL) {
        e->chain_prev->chain_next = e->chain_next;
    } else {
        a->head = e->chain_next;
    }
    if (e->chain_next != NULL) {
        e->chain_next->chain_prev = e->chain_prev;
    } else {
        a->tail = e->chain_prev;
    }
    a->count--;
    PETROD_ASSERT(e->fee >= 0 && e->fee <= a->fee_sum);
    a->fee_sum -= e->fee; /* a part of the sum built by checked adds: cannot overflow */
    if (a->count == 0) account_slot_delete(mp, acct_slot);

    if (e->fifo_prev != NULL) {
        e->fifo_prev->fifo_next = e->fifo_next;
    } else {
        mp->fifo_head = e->fifo_next;
    }
    if (e->fifo_next != NULL) {
        e->fifo_next->fifo_prev = e->fifo_prev;
    } else {
        mp->fifo_tail = e->fifo_prev;
    }
    size_t tx_slot = tx_slot_find(mp, &e->id);
    PETROD_ASSERT(mp->txs[tx_slot] == e);
    tx_slot_delete(mp, tx_slot);
    mp->count--;
    free(e);
}

size_t mempool_complete(mempool *mp, mempool_entry *entry, petro_result code, uint64_t height,
                        uint32_t index, bool drop_followers) {
    size_t removed = 0;
    if (code != PETRO_OK && drop_followers) {
        /* From the chain's tail back to entry: bounded by the chain length. */
        const mempool_account *a = &mp->accounts[account_slot_find(mp, &entry->source)];
        while (a->tail != entry) {
            PETROD_ASSERT(a->is_used && a->tail != NULL); /* entry is on this chain */
            remove_one(mp, a->tail, PETRO_ERR_BAD_SEQUENCE, 0, 0);
            removed++;
            a = &mp->accounts[account_slot_find(mp, &entry->source)];
        }
    }
    remove_one(mp, entry, code, height, index);
    return removed + 1;
}

void mempool_waiter_add(mempool_entry *entry, mempool_waiter *w) {
    PETROD_ASSERT(entry != NULL);
    PETROD_ASSERT(w->next == NULL); /* a waiter waits on one entry at a time */
    w->is_done = false;
    w->next = entry->waiters;
    entry->waiters = w;
}

void mempool_waiter_remove(mempool_entry *entry, mempool_waiter *w) {
    /* Bounded by the waiters of one entry (threads waiting on it). */
    for (mempool_waiter **p = &entry->waiters; *p != NULL; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            w->next = NULL;
            return;
        }
    }
}
