/* The mempool: admitted transactions waiting for a block.
 *
 * Holds, per transaction, its id, its signature mask, the few decoded fields the mempool needs
 * (source, sequence, fee) and its encoded envelope; the producer decodes the envelope again
 * when it builds a block. (A whole decoded petro_tx is ~7.7 KB for any transaction, which made a
 * full default mempool ~770 MiB; an entry is now ~130 bytes plus the envelope.) Indexes: by id
 * (dedup), per source account a chain in ascending sequence order (so an account can queue
 * sequence n+1, n+2, ...), and one FIFO list in admission order, which is the order the producer
 * takes them in. Bounded by tx_count_max; every table is allocated at create, only the entries
 * themselves are allocated on admission.
 *
 * Not thread-safe: the node serialises every call under its mempool lock. Only the producer
 * removes entries, so the entries it peeked stay valid until it completes them.
 * Hash tables are keyed with a random SipHash key, so crafted ids or keys cannot make probes
 * degrade. */
#ifndef PETROD_MEMPOOL_H
#define PETROD_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petro/petro.h"

#define MEMPOOL_TX_COUNT_MAX 1000000u /* upper bound of --mempool-max */
#define MEMPOOL_RECENT_MAX 4096u      /* dropped ids remembered for late waiters */

typedef struct mempool mempool;
typedef struct mempool_entry mempool_entry;

/** A thread waiting for one entry's outcome (node_wait_commit). Lives on the waiting thread's
 *  stack; linked into the entry until the entry completes or the waiter leaves. */
typedef struct mempool_waiter {
    struct mempool_waiter *next;
    bool is_done;         /* set when the entry completed */
    petro_result code;    /* PETRO_OK: committed at (height, index); else the drop code */
    uint64_t height;
    uint32_t index;
} mempool_waiter;

/** Read-only for users, except through the functions below. */
struct mempool_entry {
    petro_hash id;
    petro_hash witness; /* its witness leaf, computed on the admitting thread */
    uint32_t sig_mask;
    size_t bytes_size;
    mempool_entry *fifo_prev, *fifo_next; /* admission order */
    mempool_entry *chain_prev, *chain_next; /* same source, previous/next sequence */
    mempool_waiter *waiters;
    petro_pubkey source; /* of the transaction */
    uint64_t sequence;
    petro_amount fee;
    uint8_t bytes[]; /* the encoded signed envelope, bytes_size long */
};

/** Allocate every table for tx_count_max (1..MEMPOOL_TX_COUNT_MAX) entries.
 *  Returns PETRO_OK or PETRO_ERR_NOMEM. */
petro_result mempool_create(mempool **out, uint32_t tx_count_max);
/** Free every entry and table. No waiter may be linked. NULL is a no-op. */
void mempool_destroy(mempool *mp);

size_t mempool_count(const mempool *mp);
bool mempool_is_full(const mempool *mp);
mempool_entry *mempool_find(const mempool *mp, const petro_hash *id);

/** Pending transactions of account with a sequence above after_sequence (the committed
 *  sequence of the snapshot the caller checks against): their count and summed fees.
 *  Returns PETRO_OK or PETRO_ERR_AMOUNT_OVERFLOW. */
petro_result mempool_pending_of(const mempool *mp, const petro_pubkey *account,
                                uint64_t after_sequence, uint64_t *count, petro_amount *fees);

/** Number of pending entries of account and the highest sequence among them (0, 0 if none). */
void mempool_account_tail(const mempool *mp, const petro_pubkey *account, uint64_t *count,
                          uint64_t *last_sequence);

/** Add a checked transaction (copies its source, sequence and fee, and bytes, which must be
 *  the envelope tx was decoded from). Returns PETRO_OK, PETRO_ERR_DUPLICATE_TX,
 *  PETRO_ERR_MEMPOOL_FULL, PETRO_ERR_BAD_SEQUENCE (does not extend the account's chain),
 *  PETRO_ERR_AMOUNT_OVERFLOW (pending fees), PETRO_ERR_NOMEM. */
petro_result mempool_add(mempool *mp, const petro_tx *tx, const petro_hash *id,
                         const petro_hash *witness, uint32_t sig_mask, const uint8_t *bytes,
                         size_t bytes_size);

/** Up to max entries from the head of the FIFO, without removing them. Returns the count. */
size_t mempool_peek(const mempool *mp, mempool_entry **entries, size_t max);

/** Complete entry: wake its waiters with (code, height, index), remember a drop code for
 *  late waiters, unlink and free it. If code is not PETRO_OK and drop_followers is set, the
 *  later entries of the same account (which can no longer apply) are completed too, with
 *  PETRO_ERR_BAD_SEQUENCE. Returns how many entries were removed. */
size_t mempool_complete(mempool *mp, mempool_entry *entry, petro_result code, uint64_t height,
                        uint32_t index, bool drop_followers);

void mempool_waiter_add(mempool_entry *entry, mempool_waiter *w);
void mempool_waiter_remove(mempool_entry *entry, mempool_waiter *w);

/** The drop code of a recently dropped id. Returns true and sets *code if remembered. */
bool mempool_recent_drop(const mempool *mp, const petro_hash *id, petro_result *code);

#endif
