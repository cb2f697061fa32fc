/* The ledger state machine (include/petro/ledger.h, docs/protocol.md "Applying a
 * transaction", "State hash", "Genesis"): genesis, blocks, transactions, the state hash.
 *
 * Design. A block is applied into a write overlay on top of the store; each transaction's
 * operations go into a second, nested overlay that is merged into the block overlay only if
 * every operation succeeded (atomicity). Reads look in the operation overlay, then the block
 * overlay, then the store. The fee charge and the sequence bump are written straight into
 * the block overlay, before the operations. At finish, the block overlay's keys are sorted
 * and hashed into the state hash; commit writes them, in that order, plus the tip record.
 *
 * Fees: every included transaction adds its fee to PTR's `burned`. Instead of rewriting the
 * PTR asset record per transaction, the block keeps the sum of its fees (fees_pending) and
 * folds it into the record at finish. Every read of the PTR record adds fees_pending and
 * every write subtracts it, so readers see the exact value at all times; and since every
 * included transaction pays a fee > 0, the record is in the write set iff the block
 * includes a transaction, with the same final bytes as a per-transaction update.
 *
 * An overlay is an open-addressing hash table (linear probing, load <= 1/2) indexing a dense
 * array of entries, whose keys and values live in one arena. Clearing walks the used entries
 * only, and the memory is kept for the next block/transaction, so a warmed-up ledger applies
 * transactions without allocating. The hash-table layout never influences a result or a
 * hash: lookups are exact, and every walk that feeds a result or a hash is in sorted key
 * order (state hash, commit) or in insertion order of a deterministic computation (merge).
 *
 * Phases: IDLE -begin/genesis-> OPEN -finish-> FINISHED -commit-> IDLE; abort from anywhere.
 * A local failure (NOMEM, IO, CORRUPT) is sticky: every call but abort returns it. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ops/ops.h"
#include "state.h"


/* ---------------------------------------------------------------- overlay */

typedef struct ov_entry {
    uint32_t key_off; /* into arena */
    uint32_t val_off; /* into arena */
    uint32_t slot;    /* index slot pointing at this entry */
    uint32_t hash;
    uint16_t key_size;
    uint16_t val_size;
    uint16_t val_cap;
    uint8_t present; /* 0: deleted (tombstone) */
} ov_entry;

/* An index slot: entry number + 1 in the low half (0 = empty), the key hash in the high
 * half, so that most mismatching probes never touch the entry. */
typedef uint64_t ov_slot;
#define SLOT(hash, e) (((uint64_t)(hash) << 32) | (uint64_t)(e))
#define SLOT_ENTRY(s) ((uint32_t)((s) & 0xFFFFFFFFu))
#define SLOT_HASH(s) ((uint32_t)((s) >> 32))

typedef struct overlay {
    ov_slot *index; /* see ov_slot */
    uint32_t index_cap; /* power of two */
    ov_entry *entries;
    uint32_t count;
    uint32_t entries_cap;
    uint8_t *arena;
    size_t arena_size;
    size_t arena_cap;
} overlay;

#define OV_ARENA_MAX ((size_t)UINT32_MAX)

static petro_result ov_init(overlay *ov, uint32_t index_cap, uint32_t entries_cap,
                            size_t arena_cap) {
    memset(ov, 0, sizeof *ov);
    PETRO_ASSERT(index_cap >= 2 * entries_cap && (index_cap & (index_cap - 1)) == 0);
    ov->index = calloc(index_cap, sizeof *ov->index);
    ov->entries = malloc(entries_cap * sizeof *ov->entries);
    ov->arena = malloc(arena_cap);
    if (ov->index == NULL || ov->entries == NULL || ov->arena == NULL) {
        free(ov->index);
        free(ov->entries);
        free(ov->arena);
        memset(ov, 0, sizeof *ov);
        return PETRO_ERR_NOMEM;
    }
    ov->index_cap = index_cap;
    ov->entries_cap = entries_cap;
    ov->arena_cap = arena_cap;
    return PETRO_OK;
}

static void ov_deinit(overlay *ov) {
    free(ov->index);
    free(ov->entries);
    free(ov->arena);
    memset(ov, 0, sizeof *ov);
}

/* Forget every entry, keep the memory. O(entries used). */
static void ov_clear(overlay *ov) {
    for (uint32_t i = 0; i < ov->count; i++) ov->index[ov->entries[i].slot] = 0;
    ov->count = 0;
    ov->arena_size = 0;
}

static uint32_t key_hash(const uint8_t *key, size_t size) { return petro__key_hash(key, size); }

/* The entry for key, or NULL; *slot_out is where it is or would go. */
static ov_entry *ov_find(const overlay *ov, const uint8_t *key, size_t key_size, uint32_t hash,
                         uint32_t *slot_out) {
    uint32_t mask = ov->index_cap - 1;
    uint32_t slot = hash & mask;
    /* Bounded: the table is never more than half full, so an empty slot is always found. */
    for (uint32_t probes = 0; probes < ov->index_cap; probes++) {
        ov_slot sl = ov->index[slot];
        uint32_t e = SLOT_ENTRY(sl);
        if (e == 0) break;
        if (SLOT_HASH(sl) == hash) {
            ov_entry *en = &ov->entries[e - 1];
            if (en->key_size == key_size && memcmp(ov->arena + en->key_off, key, key_size) == 0) {
                if (slot_out != NULL) *slot_out = slot;
                return en;
            }
        }
        slot = (slot + 1) & mask;
    }
    if (slot_out != NULL) *slot_out = slot;
    return NULL;
}

static petro_result ov_arena_alloc(overlay *ov, size_t size, uint32_t *off) {
    if (size > OV_ARENA_MAX - ov->arena_size) return PETRO_ERR_NOMEM;
    if (ov->arena_size + size > ov->arena_cap) {
        size_t cap = ov->arena_cap;
        while (cap < ov->arena_size + size) {
            if (cap > OV_ARENA_MAX / 2) {
                cap = OV_ARENA_MAX;
                break;
            }
            cap *= 2;
        }
        uint8_t *arena = realloc(ov->arena, cap);
        if (arena == NULL) return PETRO_ERR_NOMEM;
        ov->arena = arena;
        ov->arena_cap = cap;
    }
    *off = (uint32_t)ov->arena_size;
    ov->arena_size += size;
    return PETRO_OK;
}

/* Make room for one more entry: entries array and index (rehash from stored hashes). */
static petro_result ov_reserve(overlay *ov) {
    if (ov->count == ov->entries_cap) {
        if (ov->entries_cap > UINT32_MAX / 4) return PETRO_ERR_NOMEM;
        uint32_t cap = ov->entries_cap * 2;
        ov_entry *entries = realloc(ov->entries, (size_t)cap * sizeof *entries);
        if (entries == NULL) return PETRO_ERR_NOMEM;
        ov->entries = entries;
        ov->entries_cap = cap;
    }
    if ((ov->count + 1) * 2 > ov->index_cap) {
        if (ov->index_cap > UINT32_MAX / 2) return PETRO_ERR_NOMEM;
        uint32_t cap = ov->index_cap * 2;
        ov_slot *index = calloc(cap, sizeof *index);
        if (index == NULL) return PETRO_ERR_NOMEM;
        for (uint32_t i = 0; i < ov->count; i++) {
            uint32_t slot = ov->entries[i].hash & (cap - 1);
            while (index[slot] != 0) slot = (slot + 1) & (cap - 1);
            index[slot] = SLOT(ov->entries[i].hash, i + 1);
            ov->entries[i].slot = slot;
        }
        free(ov->index);
        ov->index = index;
        ov->index_cap = cap;
    }
    return PETRO_OK;
}

/* Set key to value (present) or to deleted. value must not point into ov's arena. */
static petro_result ov_put(overlay *ov, const uint8_t *key, size_t key_size, uint32_t hash,
                           const uint8_t *value, size_t value_size, bool present) {
    PETRO_ASSERT(key_size > 0 && key_size <= PETRO_STORE_KEY_SIZE_MAX);
    PETRO_ASSERT(value_size <= PETRO_STORE_VALUE_SIZE_MAX);
    if (!present) value_size = 0;
    uint32_t slot;
    ov_entry *en = ov_find(ov, key, key_size, hash, &slot);
    petro_result rc;
    if (en == NULL) {
        uint32_t index_cap = ov->index_cap;
        rc = ov_reserve(ov);
        if (rc != PETRO_OK) return rc;
        /* A rebuilt index moves the free slot. */
        if (ov->index_cap != index_cap) (void)ov_find(ov, key, key_size, hash, &slot);
        uint32_t key_off, val_off = 0;
        rc = ov_arena_alloc(ov, key_size, &key_off);
        if (rc == PETRO_OK && value_size > 0) rc = ov_arena_alloc(ov, value_size, &val_off);
        if (rc != PETRO_OK) return rc;
        memcpy(ov->arena + key_off, key, key_size);
        en = &ov->entries[ov->count];
        memset(en, 0, sizeof *en);
        en->key_off = key_off;
        en->val_off = val_off;
        en->val_cap = (uint16_t)value_size;
        en->slot = slot;
        en->hash = hash;
        en->key_size = (uint16_t)key_size;
        ov->index[slot] = SLOT(hash, ov->count + 1);
        ov->count++;
    } else if (value_size > en->val_cap) {
        uint32_t val_off;
        rc = ov_arena_alloc(ov, value_size, &val_off);
        if (rc != PETRO_OK) return rc;
        en->val_off = val_off;
        en->val_cap = (uint16_t)value_size;
    }
    if (value_size > 0) memcpy(ov->arena + en->val_off, value, value_size);
    en->val_size = (uint16_t)value_size;
    en->present = present ? 1 : 0;
    return PETRO_OK;
}

/* ---------------------------------------------------------------- ledger */

enum { PHASE_IDLE = 0, PHASE_OPEN = 1, PHASE_FINISHED = 2 };

typedef struct sorted_key {
    uint64_t prefix; /* first 8 key bytes big-endian, zero-padded */
    const uint8_t *key;
    const uint8_t *value;
    uint16_t key_size;
    uint16_t value_size;
    uint8_t present;
} sorted_key;

struct petro_ledger {
    const petro_store *store;
    int phase;
    petro_result failure;   /* sticky local failure, PETRO_OK when healthy */
    petro_ledger_tip tip;   /* what the open block extends (zero parent for genesis) */
    uint64_t height;
    uint64_t timestamp_ms;
    petro_amount fees_pending; /* fees of the block not yet in PTR's record (see top) */
    overlay block;          /* the block's write set */
    overlay op;             /* the current transaction's operations */
    bool write_op;          /* writes go to op (else block) */
    petro_hash *tx_ids;     /* included transactions, in order */
    petro_hash *witnesses;  /* their witness leaves (signatures) */
    petro_hash *leaves;     /* their result leaves */
    petro_hash *scratch;
    uint32_t tx_count;
    uint32_t tx_cap;
    sorted_key *sorted;     /* the write set in key order (finish .. commit) */
    uint32_t sorted_count;
    uint32_t sorted_cap;
    petro_ledger_tip next_tip; /* written at commit */
    uint8_t read_buf[PETRO_STORE_VALUE_SIZE_MAX];
};

static petro_result fail(petro_ledger *l, petro_result rc) {
    if (rc != PETRO_OK && l->failure == PETRO_OK) l->failure = rc;
    return rc;
}

petro_result petro_ledger_create(petro_ledger **out, const petro_store *store) {
    PETRO_ASSERT(out != NULL && store != NULL);
    *out = NULL;
    petro_ledger *l = calloc(1, sizeof *l);
    if (l == NULL) return PETRO_ERR_NOMEM;
    l->store = store;
    l->tx_cap = 256;
    petro_result rc = ov_init(&l->block, 8192, 4096, (size_t)1 << 18);
    if (rc == PETRO_OK) rc = ov_init(&l->op, 256, 128, (size_t)1 << 12);
    if (rc == PETRO_OK) {
        l->tx_ids = malloc(l->tx_cap * sizeof *l->tx_ids);
        l->witnesses = malloc(l->tx_cap * sizeof *l->witnesses);
        l->leaves = malloc(l->tx_cap * sizeof *l->leaves);
        l->scratch = malloc(l->tx_cap * sizeof *l->scratch);
        if (l->tx_ids == NULL || l->witnesses == NULL || l->leaves == NULL || l->scratch == NULL) {
            rc = PETRO_ERR_NOMEM;
        }
    }
    if (rc != PETRO_OK) {
        petro_ledger_destroy(l);
        return rc;
    }
    *out = l;
    return PETRO_OK;
}

void petro_ledger_destroy(petro_ledger *l) {
    if (l == NULL) return;
    ov_deinit(&l->block);
    ov_deinit(&l->op);
    free(l->tx_ids);
    free(l->witnesses);
    free(l->leaves);
    free(l->scratch);
    free(l->sorted);
    free(l);
}

static void reset_block(petro_ledger *l) {
    ov_clear(&l->block);
    ov_clear(&l->op);
    l->write_op = false;
    l->fees_pending = 0;
    l->tx_count = 0;
    l->sorted_count = 0;
    l->height = 0;
    l->timestamp_ms = 0;
    memset(&l->tip, 0, sizeof l->tip);
    memset(&l->next_tip, 0, sizeof l->next_tip);
    l->phase = PHASE_IDLE;
}

void petro_ledger_abort(petro_ledger *l) {
    if (l == NULL) return;
    reset_block(l);
    l->failure = PETRO_OK;
}

/* ---------------------------------------------------------------- reads and writes */

/* Value of key as seen by the current operation. *value is borrowed until the next write. */
static petro_result l_get(petro_ledger *l, const uint8_t *key, size_t key_size,
                          const uint8_t **value, size_t *value_size, bool *found) {
    uint32_t hash = key_hash(key, key_size);
    ov_entry *en = NULL;
    const overlay *ov = NULL;
    if (l->op.count > 0) {
        en = ov_find(&l->op, key, key_size, hash, NULL);
        ov = &l->op;
    }
    if (en == NULL) {
        en = ov_find(&l->block, key, key_size, hash, NULL);
        ov = &l->block;
    }
    if (en != NULL) {
        *found = en->present != 0;
        *value = ov->arena + en->val_off;
        *value_size = en->val_size;
        return PETRO_OK;
    }
    *value = l->read_buf;
    return fail(l, petro__store_get(l->store, key, key_size, l->read_buf, sizeof l->read_buf,
                                    value_size, found));
}

static petro_result l_put(petro_ledger *l, const uint8_t *key, size_t key_size,
                          const uint8_t *value, size_t value_size, bool present) {
    /* Metadata keys are the ledger's own; no state write may touch them. */
    PETRO_ASSERT(key_size > 0 && key[0] != PETRO__KEY_META);
    overlay *ov = l->write_op ? &l->op : &l->block;
    return fail(l, ov_put(ov, key, key_size, key_hash(key, key_size), value, value_size,
                          present));
}

static petro_result l_get_account(petro_ledger *l, petro_account *acct, const petro_pubkey *id,
                                  bool *found) {
    uint8_t key[PETRO__KEY_MAX];
    size_t key_size = petro__key_account(key, id), size;
    const uint8_t *value;
    petro_result rc = l_get(l, key, key_size, &value, &size, found);
    if (rc != PETRO_OK || !*found) {
        memset(acct, 0, sizeof *acct);
        return rc;
    }
    rc = petro__account_decode(acct, value, size);
    if (rc == PETRO_OK && !petro_pubkey_equal(&acct->id, id)) rc = PETRO_ERR_CORRUPT;
    return fail(l, rc);
}

static petro_result l_put_account(petro_ledger *l, const petro_account *acct) {
    uint8_t key[PETRO__KEY_MAX], value[PETRO__ACCOUNT_RECORD_MAX];
    size_t key_size = petro__key_account(key, &acct->id);
    size_t size = petro__account_encode(value, acct);
    return l_put(l, key, key_size, value, size, true);
}

static petro_result l_get_line(petro_ledger *l, petro_trust_line *line,
                               const petro_pubkey *account, const petro_asset *asset,
                               bool *found) {
    uint8_t key[PETRO__KEY_MAX];
    size_t key_size = petro__key_trust(key, account, asset), size;
    const uint8_t *value;
    memset(line, 0, sizeof *line);
    petro_result rc = l_get(l, key, key_size, &value, &size, found);
    if (rc != PETRO_OK || !*found) return rc;
    return fail(l, petro__trust_decode(line, value, size));
}

static petro_result l_put_line(petro_ledger *l, const petro_pubkey *account,
                               const petro_asset *asset, const petro_trust_line *line,
                               bool present) {
    uint8_t key[PETRO__KEY_MAX], value[PETRO__TRUST_RECORD_SIZE];
    size_t key_size = petro__key_trust(key, account, asset);
    size_t size = present ? petro__trust_encode(value, line) : 0;
    return l_put(l, key, key_size, value, size, present);
}

static petro_result l_get_asset(petro_ledger *l, petro_asset_info *info,
                                const petro_asset *asset, bool *found) {
    uint8_t key[PETRO__KEY_MAX];
    size_t key_size = petro__key_asset(key, asset), size;
    const uint8_t *value;
    memset(info, 0, sizeof *info);
    petro_result rc = l_get(l, key, key_size, &value, &size, found);
    if (rc != PETRO_OK || !*found) return rc;
    rc = petro__asset_info_decode(info, value, size);
    if (rc == PETRO_OK && !petro_asset_equal(&info->asset, asset)) rc = PETRO_ERR_CORRUPT;
    /* The view of PTR includes the block's fees not yet folded in (see top). */
    if (rc == PETRO_OK && asset->kind == PETRO_ASSET_NATIVE &&
        petro_amount_add(&info->burned, info->burned, l->fees_pending) != PETRO_OK) {
        rc = PETRO_ERR_CORRUPT;
    }
    return fail(l, rc);
}

static petro_result l_put_asset(petro_ledger *l, const petro_asset_info *info) {
    uint8_t key[PETRO__KEY_MAX], value[PETRO__ASSET_RECORD_MAX];
    size_t key_size = petro__key_asset(key, &info->asset);
    size_t size;
    if (info->asset.kind == PETRO_ASSET_NATIVE && l->fees_pending != 0) {
        petro_asset_info stored = *info;
        /* A writer read the view (burned including fees_pending) and kept it or added. */
        if (petro_amount_sub(&stored.burned, stored.burned, l->fees_pending) != PETRO_OK ||
            stored.burned < 0) {
            return fail(l, PETRO_ERR_CORRUPT);
        }
        size = petro__asset_info_encode(value, &stored);
    } else {
        size = petro__asset_info_encode(value, info);
    }
    return l_put(l, key, key_size, value, size, true);
}

/* Fold the block's fees into PTR's record (finish). */
static petro_result fold_fees(petro_ledger *l) {
    if (l->fees_pending == 0) return PETRO_OK;
    const petro_asset ptr = petro_asset_native();
    petro_asset_info info;
    bool found;
    petro_result rc = l_get_asset(l, &info, &ptr, &found); /* burned includes the fees */
    if (rc != PETRO_OK) return rc;
    if (!found) return fail(l, PETRO_ERR_CORRUPT);
    l->fees_pending = 0;
    return l_put_asset(l, &info);
}

/* ---------------------------------------------------------------- op helpers (ops.h) */

petro_result petro__op_get_account(petro__op_ctx *ctx, petro_account *acct,
                                   const petro_pubkey *id, bool *found) {
    return l_get_account(ctx->ledger, acct, id, found);
}
petro_result petro__op_get_line(petro__op_ctx *ctx, petro_trust_line *line,
                                const petro_pubkey *account, const petro_asset *asset,
                                bool *found) {
    return l_get_line(ctx->ledger, line, account, asset, found);
}
petro_result petro__op_get_asset(petro__op_ctx *ctx, petro_asset_info *info,
                                 const petro_asset *asset, bool *found) {
    return l_get_asset(ctx->ledger, info, asset, found);
}
petro_result petro__op_put_account(petro__op_ctx *ctx, const petro_account *acct) {
    return l_put_account(ctx->ledger, acct);
}
petro_result petro__op_put_line(petro__op_ctx *ctx, const petro_pubkey *account,
                                const petro_asset *asset, const petro_trust_line *line) {
    return l_put_line(ctx->ledger, account, asset, line, true);
}
petro_result petro__op_del_line(petro__op_ctx *ctx, const petro_pubkey *account,
                                const petro_asset *asset) {
    return l_put_line(ctx->ledger, account, asset, NULL, false);
}
petro_result petro__op_put_asset(petro__op_ctx *ctx, const petro_asset_info *info) {
    return l_put_asset(ctx->ledger, info);
}

/* Raw access is for a family's own prefixes; the core records ('A', 'T', 'S') go through
 * the typed helpers (the PTR record's view depends on it) and 'M' is the ledger's. */
static bool raw_key_ok(const uint8_t *key, size_t key_size) {
    return key_size > 0 && key[0] != PETRO__KEY_ACCOUNT && key[0] != PETRO__KEY_TRUST &&
           key[0] != PETRO__KEY_ASSET && key[0] != PETRO__KEY_META;
}

petro_result petro__op_get_raw(petro__op_ctx *ctx, const uint8_t *key, size_t key_size,
                               uint8_t *value, size_t value_cap, size_t *value_size,
                               bool *found) {
    PETRO_ASSERT(raw_key_ok(key, key_size));
    const uint8_t *v;
    size_t size;
    *value_size = 0;
    petro_result rc = l_get(ctx->ledger, key, key_size, &v, &size, found);
    if (rc != PETRO_OK || !*found) return rc;
    if (size > value_cap) return fail(ctx->ledger, PETRO_ERR_CORRUPT);
    if (size > 0) memcpy(value, v, size);
    *value_size = size;
    return PETRO_OK;
}
petro_result petro__op_put_raw(petro__op_ctx *ctx, const uint8_t *key, size_t key_size,
                               const uint8_t *value, size_t value_size) {
    PETRO_ASSERT(raw_key_ok(key, key_size));
    return l_put(ctx->ledger, key, key_size, value, value_size, true);
}
petro_result petro__op_del_raw(petro__op_ctx *ctx, const uint8_t *key, size_t key_size) {
    PETRO_ASSERT(raw_key_ok(key, key_size));
    return l_put(ctx->ledger, key, key_size, NULL, 0, false);
}

petro_result petro__count_inc(uint32_t *count) {
    if (*count == UINT32_MAX) return PETRO_ERR_AMOUNT_OVERFLOW;
    (*count)++;
    return PETRO_OK;
}
petro_result petro__count_dec(uint32_t *count) {
    if (*count == 0) return PETRO_ERR_CORRUPT; /* a count below the records it counts */
    (*count)--;
    return PETRO_OK;
}

/* ---------------------------------------------------------------- transaction checks */

static uint32_t effective_threshold(uint8_t t) { return t == 0 ? 1u : t; }

/* Checks 4..9 of "Applying a transaction" (1..3 are done by the callers, which read the
 * source account; step 1 refused an envelope without signatures as no_signatures, so
 * bad_auth here means signatures whose weight is too low). expected_sequence and fee_needed
 * are what the caller requires.
 * On PETRO_OK, *weight is the summed weight of the signing keys. */
static petro_result check_tx_account(const petro_tx *tx, const petro_account *acct,
                                     petro_amount ptr_balance, uint64_t now_ms,
                                     uint64_t expected_sequence, bool sequence_overflow,
                                     petro_amount fee_needed, bool fee_overflow,
                                     uint32_t sig_valid_mask, uint32_t *weight) {
    *weight = 0;
    if ((acct->flags & PETRO_ACCOUNT_FLAG_FROZEN) != 0) return PETRO_ERR_ACCOUNT_FROZEN;
    if (tx->valid_after_ms != 0 && now_ms < tx->valid_after_ms) return PETRO_ERR_TOO_EARLY;
    if (tx->valid_until_ms != 0 && now_ms > tx->valid_until_ms) return PETRO_ERR_TOO_LATE;
    if (sequence_overflow || tx->sequence != expected_sequence) return PETRO_ERR_BAD_SEQUENCE;
    if (tx->sig_count > PETRO_TX_SIGS_MAX) return PETRO_ERR_TOO_MANY_SIGNATURES;
    for (uint8_t i = 0; i < tx->sig_count; i++) {
        if ((sig_valid_mask & (UINT32_C(1) << i)) == 0) return PETRO_ERR_BAD_SIGNATURE;
    }
    uint32_t total = 0;
    for (uint8_t i = 0; i < tx->sig_count; i++) {
        int32_t w = petro__account_key_weight(acct, &tx->sigs[i].key);
        if (w < 0) return PETRO_ERR_EXTRA_SIGNATURE;
        total += (uint32_t)w;
    }
    if (total < effective_threshold(acct->threshold_low)) return PETRO_ERR_BAD_AUTH;
    if (tx->fee < PETRO_BASE_FEE * (petro_amount)tx->op_count) return PETRO_ERR_FEE_TOO_LOW;
    if (fee_overflow || ptr_balance < fee_needed) return PETRO_ERR_FEE_BALANCE_LOW;
    *weight = total;
    return PETRO_OK;
}

petro_result petro_ledger_check_tx(const petro_store *store, const petro_tx *tx,
                                   uint32_t sig_valid_mask, uint64_t now_ms,
                                   uint64_t pending_count, petro_amount pending_fees) {
    PETRO_ASSERT(store != NULL && tx != NULL);
    petro_result rc = petro_tx_check_envelope(tx);
    if (rc != PETRO_OK) return rc;
    petro_ledger_tip tip;
    rc = petro_ledger_tip_get(store, &tip);
    if (rc != PETRO_OK) return rc;
    if (!petro_hash_equal(&tx->network_id, &tip.network_id)) return PETRO_ERR_WRONG_NETWORK;
    petro_account acct;
    rc = petro_state_get_account(store, &acct, &tx->source);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_ERR_NO_SOURCE_ACCOUNT;
    if (rc != PETRO_OK) return rc;
    petro_trust_line native;
    const petro_asset ptr = petro_asset_native();
    rc = petro_state_get_trust_line(store, &native, &tx->source, &ptr);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_ERR_CORRUPT;
    if (rc != PETRO_OK) return rc;
    /* Sequence: account's + 1 + pending, all in u64 without wrapping. */
    uint64_t expected = acct.sequence;
    bool seq_overflow = expected == UINT64_MAX || pending_count > UINT64_MAX - expected - 1;
    if (!seq_overflow) expected += 1 + pending_count;
    petro_amount needed = 0;
    bool fee_overflow = pending_fees < 0 || petro_amount_add(&needed, pending_fees, tx->fee) !=
                                                PETRO_OK;
    uint32_t weight;
    return check_tx_account(tx, &acct, native.balance, now_ms, expected, seq_overflow, needed,
                            fee_overflow, sig_valid_mask, &weight);
}

/* Room for one more included transaction. */
static petro_result reserve_tx(petro_ledger *l) {
    if (l->tx_count < l->tx_cap) return PETRO_OK;
    uint32_t cap = l->tx_cap * 2;
    if (cap > PETRO_BLOCK_TX_COUNT_MAX) cap = PETRO_BLOCK_TX_COUNT_MAX;
    PETRO_ASSERT(cap > l->tx_count);
    petro_hash *ids = realloc(l->tx_ids, cap * sizeof *ids);
    if (ids == NULL) return PETRO_ERR_NOMEM;
    l->tx_ids = ids;
    petro_hash *witnesses = realloc(l->witnesses, cap * sizeof *witnesses);
    if (witnesses == NULL) return PETRO_ERR_NOMEM;
    l->witnesses = witnesses;
    petro_hash *leaves = realloc(l->leaves, cap * sizeof *leaves);
    if (leaves == NULL) return PETRO_ERR_NOMEM;
    l->leaves = leaves;
    petro_hash *scratch = realloc(l->scratch, cap * sizeof *scratch);
    if (scratch == NULL) return PETRO_ERR_NOMEM;
    l->scratch = scratch;
    l->tx_cap = cap;
    return PETRO_OK;
}

/* Charge the fee (to PTR's burned, through fees_pending) and set the sequence, in the block
 * overlay. */
static petro_result charge(petro_ledger *l, const petro_tx *tx, petro_account *acct,
                           petro_trust_line *native) {
    const petro_asset ptr = petro_asset_native();
    /* balance >= fee was checked, and the fees of a block are bounded by the supply: an
     * overflow here is damage. */
    if (petro_amount_sub(&native->balance, native->balance, tx->fee) != PETRO_OK ||
        petro_amount_add(&l->fees_pending, l->fees_pending, tx->fee) != PETRO_OK) {
        return fail(l, PETRO_ERR_CORRUPT);
    }
    acct->sequence = tx->sequence;
    petro_result rc = l_put_line(l, &acct->id, &ptr, native, true);
    if (rc == PETRO_OK) rc = l_put_account(l, acct);
    return rc;
}

/* Apply the operations into the op overlay; merge it into the block if all succeed.
 * Returns PETRO_OK (result filled) or a local failure. */
static petro_result apply_ops(petro_ledger *l, petro_tx_result *result, const petro_tx *tx,
                              const petro_account *acct, uint32_t weight) {
    petro__op_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.ledger = l;
    ctx.source = tx->source;
    ctx.height = l->height;
    ctx.timestamp_ms = l->timestamp_ms;
    ctx.network_id = l->tip.network_id;
    /* Signers and thresholds as they were when the transaction started. */
    const uint32_t thresholds[3] = {effective_threshold(acct->threshold_low),
                                    effective_threshold(acct->threshold_medium),
                                    effective_threshold(acct->threshold_high)};
    PETRO_ASSERT(l->op.count == 0);
    l->write_op = true;
    petro_result failed = PETRO_OK;
    for (uint8_t i = 0; i < tx->op_count && i < PETRO_TX_OPS_MAX; i++) {
        const petro_op *op = &tx->ops[i];
        ctx.op_index = i;
        const petro__op_def *def = petro__op_def_of(op->type);
        petro_result rc;
        if (def == NULL || def->apply == NULL) {
            rc = PETRO_ERR_UNKNOWN_OP;
        } else if (weight < thresholds[def->schema.threshold]) {
            rc = PETRO_ERR_BAD_AUTH;
        } else {
            rc = def->apply(&ctx, op);
        }
        if (rc == PETRO_OK) continue;
        if (!petro_result_is_ledger(rc) || l->failure != PETRO_OK) {
            l->write_op = false;
            ov_clear(&l->op);
            return fail(l, rc);
        }
        result->op_codes[i] = (uint16_t)rc;
        failed = rc;
        break;
    }
    l->write_op = false;
    if (failed == PETRO_OK) {
        /* Insertion order: the merged map is the same whatever the order. */
        for (uint32_t i = 0; i < l->op.count; i++) {
            const ov_entry *en = &l->op.entries[i];
            petro_result rc = ov_put(&l->block, l->op.arena + en->key_off, en->key_size,
                                     en->hash, l->op.arena + en->val_off, en->val_size,
                                     en->present != 0);
            if (rc != PETRO_OK) {
                ov_clear(&l->op);
                return fail(l, rc);
            }
        }
    }
    ov_clear(&l->op);
    result->code = (uint16_t)(failed == PETRO_OK ? PETRO_OK : PETRO_ERR_OP_FAILED);
    return PETRO_OK;
}

petro_result petro_ledger_apply_tx(petro_ledger *l, petro_tx_result *result, const petro_tx *tx,
                                   const petro_hash *tx_id, uint32_t sig_valid_mask) {
    return petro_ledger_apply_tx_witnessed(l, result, tx, tx_id, NULL, sig_valid_mask);
}

petro_result petro_ledger_apply_tx_witnessed(petro_ledger *l, petro_tx_result *result,
                                             const petro_tx *tx, const petro_hash *tx_id,
                                             const petro_hash *witness,
                                             uint32_t sig_valid_mask) {
    PETRO_ASSERT(l != NULL && result != NULL && tx != NULL && tx_id != NULL);
    memset(result, 0, sizeof *result);
    if (l->failure != PETRO_OK) return l->failure;
    PETRO_ASSERT(l->phase == PHASE_OPEN);
    if (l->tx_count >= PETRO_BLOCK_TX_COUNT_MAX) return PETRO_ERR_BLOCK_TOO_LARGE;
    petro_result rc = reserve_tx(l);
    if (rc != PETRO_OK) return fail(l, rc);

    rc = petro_tx_check_envelope(tx);
    if (rc != PETRO_OK) return rc;
    if (!petro_hash_equal(&tx->network_id, &l->tip.network_id)) return PETRO_ERR_WRONG_NETWORK;
    petro_account acct;
    bool found;
    rc = l_get_account(l, &acct, &tx->source, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_SOURCE_ACCOUNT;
    petro_trust_line native;
    const petro_asset ptr = petro_asset_native();
    rc = l_get_line(l, &native, &tx->source, &ptr, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return fail(l, PETRO_ERR_CORRUPT);
    uint32_t weight;
    rc = check_tx_account(tx, &acct, native.balance, l->timestamp_ms, acct.sequence + 1,
                          acct.sequence == UINT64_MAX, tx->fee, false, sig_valid_mask, &weight);
    if (rc != PETRO_OK) return rc;

    /* Included from here on: the fee and sequence stay whatever the operations do. */
    rc = charge(l, tx, &acct, &native);
    if (rc != PETRO_OK) return rc;
    result->fee_charged = tx->fee;
    result->op_count = tx->op_count;
    rc = apply_ops(l, result, tx, &acct, weight);
    if (rc != PETRO_OK) return rc;

    l->tx_ids[l->tx_count] = *tx_id;
    if (witness != NULL) {
        l->witnesses[l->tx_count] = *witness;
#ifdef PETRO_DEBUG
        petro_hash w; /* the caller's leaf is the one this transaction has */
        petro_tx_witness_hash(&w, tx, tx_id);
        PETRO_DEBUG_ASSERT(petro_hash_equal(&w, witness));
#endif
    } else {
        petro_tx_witness_hash(&l->witnesses[l->tx_count], tx, tx_id);
    }
    rc = petro_tx_result_hash(&l->leaves[l->tx_count], tx_id, result);
    if (rc != PETRO_OK) return fail(l, rc);
    l->tx_count++;
    return PETRO_OK;
}

/* ---------------------------------------------------------------- blocks */

petro_result petro_ledger_begin(petro_ledger *l, uint64_t height, uint64_t timestamp_ms) {
    PETRO_ASSERT(l != NULL);
    if (l->failure != PETRO_OK) return l->failure;
    PETRO_ASSERT(l->phase == PHASE_IDLE);
    petro_ledger_tip tip;
    petro_result rc = petro_ledger_tip_get(l->store, &tip);
    if (rc != PETRO_OK) return rc;
    if (tip.height == UINT64_MAX || height != tip.height + 1) return PETRO_ERR_BAD_HEIGHT;
    if (timestamp_ms < tip.timestamp_ms) return PETRO_ERR_BAD_TIMESTAMP;
    reset_block(l);
    l->tip = tip;
    l->height = height;
    l->timestamp_ms = timestamp_ms;
    l->phase = PHASE_OPEN;
    return PETRO_OK;
}

/* memcmp order, shorter first on a common prefix (the store's order). Differing zero-padded
 * 8-byte prefixes already decide it, without touching the keys. */
static int sorted_key_cmp(const void *a, const void *b) {
    const sorted_key *x = a, *y = b;
    if (x->prefix != y->prefix) return x->prefix < y->prefix ? -1 : 1;
    size_t n = x->key_size < y->key_size ? x->key_size : y->key_size;
    int c = memcmp(x->key, y->key, n);
    if (c != 0) return c;
    return (int)x->key_size - (int)y->key_size;
}

/* Sort a[0..n) into sorted_key_cmp order, using tmp[0..n) as scratch: a stable LSD radix sort
 * on the 8-byte prefix (a pass is skipped when every key has the same byte there), then an
 * insertion sort inside each run of equal prefixes by the full comparison. Keys are distinct,
 * so this is the one order qsort with sorted_key_cmp gives; it costs a few instructions per key
 * and byte instead of ~log2(n) indirect comparisons (bench-apply: the sort was 15% of a block). */
static void sort_keys(sorted_key *a, sorted_key *tmp, uint32_t n) {
    uint32_t count[8][256];
    memset(count, 0, sizeof count);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t p = a[i].prefix;
        for (unsigned b = 0; b < 8; b++) count[b][(p >> (8u * b)) & 0xffu]++;
    }
    sorted_key *src = a, *dst = tmp;
    for (unsigned b = 0; b < 8; b++) {
        uint32_t *c = count[b];
        if (c[(src[0].prefix >> (8u * b)) & 0xffu] == n) continue;
        uint32_t sum = 0;
        for (unsigned d = 0; d < 256; d++) {
            uint32_t k = c[d];
            c[d] = sum;
            sum += k;
        }
        for (uint32_t i = 0; i < n; i++) dst[c[(src[i].prefix >> (8u * b)) & 0xffu]++] = src[i];
        sorted_key *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, (size_t)n * sizeof *a);
    for (uint32_t i = 1; i < n; i++) {
        if (a[i].prefix != a[i - 1].prefix) continue;
        sorted_key x = a[i];
        uint32_t j = i;
        while (j > 0 && a[j - 1].prefix == x.prefix && sorted_key_cmp(&a[j - 1], &x) > 0) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Sort the block's write set (metadata keys excluded) into l->sorted (the second half of the
 * allocation, sorted_cap more entries, is the sort's scratch). */
static petro_result sort_write_set(petro_ledger *l) {
    if (l->block.count > l->sorted_cap) {
        sorted_key *sorted = realloc(l->sorted, 2 * (size_t)l->block.count * sizeof *sorted);
        if (sorted == NULL) return PETRO_ERR_NOMEM;
        l->sorted = sorted;
        l->sorted_cap = l->block.count;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < l->block.count; i++) {
        const ov_entry *en = &l->block.entries[i];
        const uint8_t *key = l->block.arena + en->key_off;
        if (key[0] == PETRO__KEY_META) continue;
        uint64_t prefix = 0;
        for (size_t b = 0; b < 8; b++) prefix = (prefix << 8) | (b < en->key_size ? key[b] : 0u);
        l->sorted[n++] = (sorted_key){.prefix = prefix,
                                      .key = key,
                                      .value = l->block.arena + en->val_off,
                                      .key_size = en->key_size,
                                      .value_size = en->val_size,
                                      .present = en->present};
    }
    /* Keys are distinct, so any correct sort yields this one order. */
    if (n > 1) sort_keys(l->sorted, l->sorted + l->sorted_cap, n);
    l->sorted_count = n;
    return PETRO_OK;
}

static void le_store(uint8_t *out, uint64_t v, size_t width) {
    for (size_t i = 0; i < width; i++) out[i] = (uint8_t)(v >> (8 * i));
}

/* docs/protocol.md "State hash". */
static void state_hash(petro_hash *out, const petro_hash *prev, uint64_t height,
                       const sorted_key *keys, uint32_t count) {
    static const char domain[] = "petro-state-v1";
    petro_hasher h;
    petro_hasher_init(&h);
    petro_hasher_update(&h, (const uint8_t *)domain, sizeof domain - 1);
    petro_hasher_update(&h, prev->bytes, sizeof prev->bytes);
    uint8_t u64[8];
    le_store(u64, height, 8);
    petro_hasher_update(&h, u64, 8);
    uint8_t buf[2 + PETRO_STORE_KEY_SIZE_MAX + 1 + 4 + PETRO_STORE_VALUE_SIZE_MAX];
    for (uint32_t i = 0; i < count; i++) {
        const sorted_key *k = &keys[i];
        size_t n = 0;
        le_store(buf, k->key_size, 2);
        n += 2;
        memcpy(buf + n, k->key, k->key_size);
        n += k->key_size;
        buf[n++] = k->present;
        if (k->present) {
            le_store(buf + n, k->value_size, 4);
            n += 4;
            if (k->value_size > 0) memcpy(buf + n, k->value, k->value_size);
            n += k->value_size;
        }
        petro_hasher_update(&h, buf, n);
    }
    petro_hasher_final(&h, out);
}

petro_result petro_ledger_finish(petro_ledger *l, petro_block_header *header,
                                 const petro_pubkey *proposer) {
    PETRO_ASSERT(l != NULL && header != NULL && proposer != NULL);
    memset(header, 0, sizeof *header);
    if (l->failure != PETRO_OK) return l->failure;
    PETRO_ASSERT(l->phase == PHASE_OPEN);
    PETRO_ASSERT(!l->write_op && l->op.count == 0);
    petro_result rc = fold_fees(l);
    if (rc != PETRO_OK) return rc;
    PETRO_ASSERT(l->fees_pending == 0);
    rc = sort_write_set(l);
    if (rc != PETRO_OK) return fail(l, rc);

    header->version = PETRO_BLOCK_VERSION;
    header->height = l->height;
    header->prev_hash = l->tip.block_hash;
    header->timestamp_ms = l->timestamp_ms;
    petro_merkle_root(&header->tx_root, l->tx_ids, l->tx_count, l->scratch);
    petro_merkle_root(&header->witness_root, l->witnesses, l->tx_count, l->scratch);
    petro_merkle_root(&header->result_root, l->leaves, l->tx_count, l->scratch);
    state_hash(&header->state_hash, &l->tip.state_hash, l->height, l->sorted, l->sorted_count);
    header->proposer = *proposer;
    header->tx_count = l->tx_count;

    memset(&l->next_tip, 0, sizeof l->next_tip);
    l->next_tip.height = l->height;
    petro_block_hash(&l->next_tip.block_hash, header);
    l->next_tip.state_hash = header->state_hash;
    l->next_tip.timestamp_ms = l->timestamp_ms;
    l->next_tip.network_id = l->tip.network_id;
    l->next_tip.net_kind = l->tip.net_kind;
    l->phase = PHASE_FINISHED;
    return PETRO_OK;
}

petro_result petro_ledger_commit(petro_ledger *l) {
    PETRO_ASSERT(l != NULL);
    if (l->failure != PETRO_OK) return l->failure;
    PETRO_ASSERT(l->phase == PHASE_FINISHED);
    const petro_store *s = l->store;
    for (uint32_t i = 0; i < l->sorted_count; i++) {
        const sorted_key *k = &l->sorted[i];
        petro_result rc = k->present ? s->put(s->ctx, k->key, k->key_size, k->value, k->value_size)
                                     : s->del(s->ctx, k->key, k->key_size);
        if (rc != PETRO_OK) return fail(l, rc);
    }
    uint8_t tip[PETRO__TIP_RECORD_SIZE];
    size_t tip_size = petro__tip_encode(tip, &l->next_tip);
    petro_result rc = s->put(s->ctx, petro__key_tip, sizeof petro__key_tip, tip, tip_size);
    if (rc != PETRO_OK) return fail(l, rc);
    reset_block(l);
    return PETRO_OK;
}

/* ---------------------------------------------------------------- apply_block */

static petro_result apply_block_body(petro_ledger *l, const petro_block_header *claimed,
                                     const uint8_t *block, size_t block_size) {
    size_t offset = PETRO_BLOCK_HEADER_SIZE;
    uint32_t count = 0;
    petro_tx tx;
    /* Bounded by the header's tx_count (<= PETRO_BLOCK_TX_COUNT_MAX, checked by decode). */
    for (;;) {
        const uint8_t *tx_bytes;
        size_t tx_size;
        petro_result rc = petro_block_body_next(block, block_size, &offset, &tx_bytes, &tx_size);
        if (rc == PETRO_ERR_NOT_FOUND) break;
        if (rc != PETRO_OK) return rc;
        if (count >= claimed->tx_count) return PETRO_ERR_MALFORMED;
        count++;
        rc = petro_tx_decode(&tx, tx_bytes, tx_size);
        if (rc != PETRO_OK) return PETRO_ERR_TX_REJECTED_IN_BLOCK;
        petro_hash id;
        rc = petro_tx_id(&id, &tx);
        if (rc != PETRO_OK) return PETRO_ERR_TX_REJECTED_IN_BLOCK;
        uint32_t mask = petro_tx_verify_sigs(&tx, &id);
        petro_tx_result result;
        rc = petro_ledger_apply_tx(l, &result, &tx, &id, mask);
        if (rc != PETRO_OK) {
            return petro_result_is_ledger(rc) ? PETRO_ERR_TX_REJECTED_IN_BLOCK : rc;
        }
    }
    if (count != claimed->tx_count) return PETRO_ERR_MALFORMED;
    return PETRO_OK;
}

petro_result petro_ledger_apply_block(petro_ledger *l, const uint8_t *block, size_t block_size) {
    PETRO_ASSERT(l != NULL);
    PETRO_ASSERT(block != NULL || block_size == 0);
    if (l->failure != PETRO_OK) return l->failure;
    PETRO_ASSERT(l->phase == PHASE_IDLE);
    petro_block_header claimed;
    if (block_size < PETRO_BLOCK_HEADER_SIZE) return PETRO_ERR_MALFORMED;
    petro_result rc = petro_block_header_decode(&claimed, block, PETRO_BLOCK_HEADER_SIZE);
    if (rc != PETRO_OK) return rc;
    petro_ledger_tip tip;
    rc = petro_ledger_tip_get(l->store, &tip);
    if (rc != PETRO_OK) return rc;
    if (tip.height == UINT64_MAX || claimed.height != tip.height + 1) return PETRO_ERR_BAD_HEIGHT;
    if (!petro_hash_equal(&claimed.prev_hash, &tip.block_hash)) return PETRO_ERR_BAD_PREV_HASH;
    if (claimed.timestamp_ms < tip.timestamp_ms) return PETRO_ERR_BAD_TIMESTAMP;
    if (claimed.tx_count > PETRO_BLOCK_TX_COUNT_MAX) return PETRO_ERR_BLOCK_TOO_LARGE;
    /* Before any transaction is read: a block nobody signed is not worth applying. Which
     * proposers a node accepts is its own policy (the validators of its cluster). */
    if (!petro_block_signature_ok(&claimed, &tip.network_id)) return PETRO_ERR_BAD_BLOCK_SIGNATURE;

    rc = petro_ledger_begin(l, claimed.height, claimed.timestamp_ms);
    if (rc == PETRO_OK) rc = apply_block_body(l, &claimed, block, block_size);
    petro_block_header built;
    if (rc == PETRO_OK) rc = petro_ledger_finish(l, &built, &claimed.proposer);
    if (rc == PETRO_OK) {
        if (!petro_hash_equal(&built.tx_root, &claimed.tx_root)) {
            rc = PETRO_ERR_BAD_TX_ROOT;
        } else if (!petro_hash_equal(&built.witness_root, &claimed.witness_root)) {
            rc = PETRO_ERR_BAD_WITNESS_ROOT;
        } else if (!petro_hash_equal(&built.result_root, &claimed.result_root)) {
            rc = PETRO_ERR_BAD_RESULT_ROOT;
        } else if (!petro_hash_equal(&built.state_hash, &claimed.state_hash)) {
            rc = PETRO_ERR_BAD_STATE_HASH;
        }
    }
    if (rc != PETRO_OK) {
        petro_ledger_abort(l);
        return rc;
    }
    /* Every hashed header field is now equal, so the block hash recorded at commit is the
     * block's; the signature was checked against it above. */
    PETRO_DEBUG_ASSERT(built.height == claimed.height && built.tx_count == claimed.tx_count);
    return PETRO_OK;
}

/* ---------------------------------------------------------------- genesis */

static bool name_ok(const char *name) {
    size_t len = strnlen(name, PETRO_NETWORK_NAME_SIZE_MAX + 1);
    if (len < 1 || len > PETRO_NETWORK_NAME_SIZE_MAX) return false;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < 0x20 || name[i] > 0x7e) return false;
    }
    return true;
}

/* Semantic checks of a genesis (docs/protocol.md "Genesis"). */
static petro_result genesis_check(const petro_genesis *g) {
    if (!name_ok(g->network_name)) return PETRO_ERR_MALFORMED;
    if (g->net_kind > PETRO_NET_TEST) return PETRO_ERR_MALFORMED;
    if (g->account_count < 1 || g->account_count > PETRO_GENESIS_ACCOUNTS_MAX) {
        return PETRO_ERR_MALFORMED;
    }
    if (g->asset_count > PETRO_GENESIS_ASSETS_MAX) return PETRO_ERR_MALFORMED;
    petro_amount total = 0;
    bool has_treasury = false;
    for (uint32_t i = 0; i < g->account_count; i++) {
        const petro_genesis_account *a = &g->accounts[i];
        if (i > 0 && petro_pubkey_cmp(&g->accounts[i - 1].id, &a->id) >= 0) {
            return PETRO_ERR_MALFORMED;
        }
        if (petro_pubkey_equal(&a->id, &g->treasury)) has_treasury = true;
        if (a->balance < 0) return PETRO_ERR_AMOUNT_NEGATIVE;
        if (a->balance > PETRO_SUPPLY_MAX) return PETRO_ERR_AMOUNT_TOO_LARGE;
        if (petro_amount_add(&total, total, a->balance) != PETRO_OK || total > PETRO_SUPPLY_MAX) {
            return PETRO_ERR_SUPPLY_EXCEEDED;
        }
        if (a->signer_count > PETRO_SIGNERS_MAX) return PETRO_ERR_TOO_MANY_SIGNERS;
        uint32_t weight = a->master_weight;
        for (uint8_t j = 0; j < a->signer_count; j++) {
            const petro_signer *s = &a->signers[j];
            if (petro_pubkey_equal(&s->key, &a->id)) return PETRO_ERR_BAD_SIGNER;
            if (s->weight == 0) return PETRO_ERR_BAD_SIGNER;
            if (j > 0 && petro_pubkey_cmp(&a->signers[j - 1].key, &s->key) >= 0) {
                return PETRO_ERR_MALFORMED;
            }
            weight += s->weight;
        }
        if (!(a->threshold_low <= a->threshold_medium &&
              a->threshold_medium <= a->threshold_high) ||
            weight < effective_threshold(a->threshold_high)) {
            return PETRO_ERR_BAD_THRESHOLDS;
        }
    }
    if (!has_treasury) return PETRO_ERR_MALFORMED;
    for (uint32_t i = 0; i < g->asset_count; i++) {
        const petro_genesis_asset *s = &g->assets[i];
        if (petro_asset_code_check(s->code) != PETRO_OK) return PETRO_ERR_BAD_ASSET_CODE;
        if ((s->flags & ~(uint32_t)PETRO_ASSET_FLAGS_ALL) != 0) return PETRO_ERR_BAD_FLAGS;
        bool issuer_ok = false;
        for (uint32_t j = 0; j < g->account_count; j++) {
            if (petro_pubkey_equal(&g->accounts[j].id, &s->issuer)) issuer_ok = true;
        }
        if (!issuer_ok) return PETRO_ERR_MALFORMED;
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(g->assets[j].code, s->code) == 0 &&
                petro_pubkey_equal(&g->assets[j].issuer, &s->issuer)) {
                return PETRO_ERR_ASSET_EXISTS;
            }
        }
    }
    /* The families' sections, in registry order. */
    for (size_t i = 0; i < petro__family_count(); i++) {
        const petro__family *f = petro__family_get(i);
        if (f->genesis_check == NULL) continue;
        petro_result rc = f->genesis_check(g);
        if (rc != PETRO_OK) return rc;
    }
    return PETRO_OK;
}

petro_result petro_genesis_encode(uint8_t *out, size_t out_cap, size_t *out_size,
                                  const petro_genesis *g) {
    PETRO_ASSERT(out_size != NULL && g != NULL);
    PETRO_ASSERT(out != NULL || out_cap == 0);
    *out_size = 0;
    petro_result rc = genesis_check(g);
    if (rc != PETRO_OK) return rc;
    petro__writer w;
    petro__w_init(&w, out, out_cap);
    petro__w_u8(&w, (uint8_t)PETRO_GENESIS_VERSION);
    size_t name_len = strlen(g->network_name);
    petro__w_u8(&w, (uint8_t)name_len);
    petro__w_bytes(&w, g->network_name, name_len);
    petro__w_u8(&w, g->net_kind);
    petro__w_u64(&w, g->timestamp_ms);
    petro__w_bytes(&w, g->treasury.bytes, 32);
    petro__w_u32(&w, g->account_count);
    for (uint32_t i = 0; i < g->account_count; i++) {
        const petro_genesis_account *a = &g->accounts[i];
        petro__w_bytes(&w, a->id.bytes, 32);
        petro__w_i64(&w, a->balance);
        petro__w_u8(&w, a->master_weight);
        petro__w_u8(&w, a->threshold_low);
        petro__w_u8(&w, a->threshold_medium);
        petro__w_u8(&w, a->threshold_high);
        petro__w_u8(&w, a->signer_count);
        for (uint8_t j = 0; j < a->signer_count; j++) {
            petro__w_bytes(&w, a->signers[j].key.bytes, 32);
            petro__w_u8(&w, a->signers[j].weight);
        }
    }
    petro__w_u32(&w, g->asset_count);
    for (uint32_t i = 0; i < g->asset_count; i++) {
        petro__w_code(&w, g->assets[i].code);
        petro__w_bytes(&w, g->assets[i].issuer.bytes, 32);
        petro__w_u32(&w, g->assets[i].flags);
    }
    for (size_t i = 0; i < petro__family_count(); i++) {
        const petro__family *f = petro__family_get(i);
        if (f->genesis_encode != NULL) f->genesis_encode(&w, g);
    }
    if (w.is_overflow) return PETRO_ERR_BUFFER_TOO_SMALL;
    *out_size = w.size;
    return PETRO_OK;
}

petro_result petro_genesis_decode(petro_genesis *g, const uint8_t *bytes, size_t bytes_size) {
    PETRO_ASSERT(g != NULL);
    PETRO_ASSERT(bytes != NULL || bytes_size == 0);
    memset(g, 0, sizeof *g);
    if (bytes_size > PETRO_GENESIS_SIZE_MAX) return PETRO_ERR_MALFORMED;
    petro__reader r;
    petro__r_init(&r, bytes, bytes_size);
    petro_result rc = PETRO_ERR_MALFORMED;
    if (petro__r_u8(&r) != PETRO_GENESIS_VERSION) {
        if (!r.is_error) rc = PETRO_ERR_BAD_VERSION;
        goto fail;
    }
    uint8_t name_len = petro__r_u8(&r);
    if (name_len < 1 || name_len > PETRO_NETWORK_NAME_SIZE_MAX) goto fail;
    petro__r_bytes(&r, g->network_name, name_len);
    g->network_name[name_len] = '\0';
    if (strnlen(g->network_name, name_len) != name_len) goto fail; /* no NUL inside */
    g->net_kind = petro__r_u8(&r);
    g->timestamp_ms = petro__r_u64(&r);
    petro__r_bytes(&r, g->treasury.bytes, 32);
    g->account_count = petro__r_u32(&r);
    if (r.is_error || g->account_count > PETRO_GENESIS_ACCOUNTS_MAX) goto fail;
    for (uint32_t i = 0; i < g->account_count; i++) {
        petro_genesis_account *a = &g->accounts[i];
        petro__r_bytes(&r, a->id.bytes, 32);
        a->balance = petro__r_i64(&r);
        a->master_weight = petro__r_u8(&r);
        a->threshold_low = petro__r_u8(&r);
        a->threshold_medium = petro__r_u8(&r);
        a->threshold_high = petro__r_u8(&r);
        a->signer_count = petro__r_u8(&r);
        if (r.is_error || a->signer_count > PETRO_SIGNERS_MAX) goto fail;
        for (uint8_t j = 0; j < a->signer_count; j++) {
            petro__r_bytes(&r, a->signers[j].key.bytes, 32);
            a->signers[j].weight = petro__r_u8(&r);
        }
    }
    g->asset_count = petro__r_u32(&r);
    if (r.is_error || g->asset_count > PETRO_GENESIS_ASSETS_MAX) goto fail;
    for (uint32_t i = 0; i < g->asset_count; i++) {
        petro__r_code(&r, g->assets[i].code);
        petro__r_bytes(&r, g->assets[i].issuer.bytes, 32);
        g->assets[i].flags = petro__r_u32(&r);
    }
    for (size_t i = 0; i < petro__family_count(); i++) {
        const petro__family *f = petro__family_get(i);
        if (f->genesis_decode != NULL) f->genesis_decode(&r, g);
    }
    if (!petro__r_done(&r)) goto fail;
    rc = genesis_check(g);
    if (rc != PETRO_OK) goto fail;
    return PETRO_OK;
fail:
    memset(g, 0, sizeof *g);
    return rc;
}

petro_result petro_genesis_network_id(petro_hash *id, const petro_genesis *g) {
    PETRO_ASSERT(id != NULL && g != NULL);
    memset(id, 0, sizeof *id);
    uint8_t *buf = malloc(PETRO_GENESIS_SIZE_MAX);
    if (buf == NULL) return PETRO_ERR_NOMEM;
    size_t size;
    petro_result rc = petro_genesis_encode(buf, PETRO_GENESIS_SIZE_MAX, &size, g);
    if (rc == PETRO_OK) {
        static const char domain[] = "petro-network-v1";
        petro_hasher h;
        petro_hasher_init(&h);
        petro_hasher_update(&h, (const uint8_t *)domain, sizeof domain - 1);
        petro_hasher_update(&h, buf, size);
        petro_hasher_final(&h, id);
    }
    free(buf);
    return rc;
}

static int store_nonempty(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                          size_t value_size) {
    *(bool *)ctx = true;
    return 1;
}

petro_result petro_ledger_genesis(petro_ledger *l, petro_block_header *block0,
                                  const petro_genesis *g) {
    PETRO_ASSERT(l != NULL && block0 != NULL && g != NULL);
    memset(block0, 0, sizeof *block0);
    if (l->failure != PETRO_OK) return l->failure;
    PETRO_ASSERT(l->phase == PHASE_IDLE);
    petro_hash network_id;
    petro_result rc = petro_genesis_network_id(&network_id, g); /* runs genesis_check */
    if (rc != PETRO_OK) return rc;
    bool nonempty = false;
    const uint8_t no_prefix = 0;
    rc = l->store->iter(l->store->ctx, &no_prefix, 0, store_nonempty, &nonempty);
    if (rc != PETRO_OK) return rc;
    if (nonempty) return PETRO_ERR_BAD_HEIGHT; /* there is a chain here already */

    reset_block(l);
    l->tip.network_id = network_id;
    l->tip.net_kind = g->net_kind;
    l->height = 0;
    l->timestamp_ms = g->timestamp_ms;
    l->phase = PHASE_OPEN;

    const petro_asset ptr = petro_asset_native();
    petro_asset_info native;
    memset(&native, 0, sizeof native);
    native.asset = ptr;
    for (uint32_t i = 0; rc == PETRO_OK && i < g->account_count; i++) {
        const petro_genesis_account *ga = &g->accounts[i];
        petro_account a;
        memset(&a, 0, sizeof a);
        a.id = ga->id;
        a.master_weight = ga->master_weight;
        a.threshold_low = ga->threshold_low;
        a.threshold_medium = ga->threshold_medium;
        a.threshold_high = ga->threshold_high;
        a.signer_count = ga->signer_count;
        memcpy(a.signers, ga->signers, sizeof a.signers);
        const petro_trust_line line = petro__native_line(ga->balance);
        rc = l_put_account(l, &a);
        if (rc == PETRO_OK) rc = l_put_line(l, &a.id, &ptr, &line, true);
        /* Checked by genesis_check: the sum stays <= supply max. */
        if (rc == PETRO_OK) rc = petro_amount_add(&native.issued, native.issued, ga->balance);
    }
    native.holder_count = g->account_count;
    if (rc == PETRO_OK) rc = l_put_asset(l, &native);
    for (uint32_t i = 0; rc == PETRO_OK && i < g->asset_count; i++) {
        petro_asset_info info;
        memset(&info, 0, sizeof info);
        info.asset.kind = PETRO_ASSET_ISSUED;
        memcpy(info.asset.code, g->assets[i].code, sizeof info.asset.code);
        info.asset.issuer = g->assets[i].issuer;
        info.flags = g->assets[i].flags;
        rc = l_put_asset(l, &info);
    }
    if (rc == PETRO_OK) {
        petro__op_ctx rctx = {.ledger = l, .source = g->treasury, .height = 0,
                              .timestamp_ms = g->timestamp_ms,
                              .network_id = l->tip.network_id, .op_index = 0};
        for (size_t i = 0; rc == PETRO_OK && i < petro__family_count(); i++) {
            const petro__family *f = petro__family_get(i);
            if (f->genesis_apply != NULL) rc = f->genesis_apply(&rctx, g);
        }
    }
    const petro_pubkey no_proposer = {{0}};
    if (rc == PETRO_OK) rc = petro_ledger_finish(l, block0, &no_proposer);
    if (rc != PETRO_OK) {
        petro_ledger_abort(l);
        memset(block0, 0, sizeof *block0);
    }
    return rc;
}
