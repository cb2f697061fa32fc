/* The ledger state machine: genesis, applying transactions and blocks, the state hash,
 * invariants, and read access to accounts, trust lines and assets.
 *
 * Design: a block is applied into a write overlay on top of the store. Each transaction
 * first charges its fee and bumps its sequence (tx layer), then applies its operations into a
 * nested overlay that is merged only if every operation succeeded (atomicity). At the end of
 * a block the write set (every key changed, sorted) is hashed with the previous state hash
 * into the new state hash; commit then writes the overlay to the store. Nothing touches the
 * store before commit, so an aborted block leaves no trace. */
#ifndef PETRO_LEDGER_H
#define PETRO_LEDGER_H

#include "block.h"
#include "store.h"
#include "tx.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PETRO_ACCOUNT_FLAG_FROZEN 0x1u
#define PETRO_TRUST_FLAG_AUTHORIZED 0x1u

typedef struct petro_signer { petro_pubkey key; uint8_t weight; } petro_signer;

/** An account record. */
typedef struct petro_account {
    petro_pubkey id;
    uint64_t sequence;        /* sequence of the last applied transaction; 0 at creation */
    uint32_t flags;           /* PETRO_ACCOUNT_FLAG_* */
    uint8_t master_weight;    /* weight of the account's own key */
    uint8_t threshold_low;    /* authorize_trust; fee and sequence */
    uint8_t threshold_medium; /* payments, issue, trust, create account */
    uint8_t threshold_high;   /* set_signer, set_thresholds */
    uint8_t signer_count;
    petro_signer signers[PETRO_SIGNERS_MAX]; /* sorted by key */
    uint8_t kyc_tier;
    uint32_t zone_id;
    uint32_t trust_line_count;
    uint64_t created_height;
} petro_account;

/** A balance of one account in one asset. For the native asset it always exists for an
 *  account and limit is PETRO_SUPPLY_MAX with the authorised flag. */
typedef struct petro_trust_line {
    petro_amount balance;
    petro_amount limit;
    uint32_t flags; /* PETRO_TRUST_FLAG_* */
} petro_trust_line;

/** An asset record. Invariant: sum of balances == issued - redeemed - burned. */
typedef struct petro_asset_info {
    petro_asset asset;
    uint32_t flags;        /* PETRO_ASSET_FLAG_* */
    petro_amount issued;   /* total ever created */
    petro_amount redeemed; /* total returned to the issuer and destroyed */
    petro_amount burned;   /* total destroyed as fees (native only) */
    uint32_t holder_count; /* trust lines (accounts, for native) */
    uint64_t created_height;
} petro_asset_info;

/* ---------------------------------------------------------------- genesis */

typedef struct petro_genesis_account {
    petro_pubkey id;
    petro_amount balance; /* PTR base units */
    uint8_t master_weight, threshold_low, threshold_medium, threshold_high;
    uint8_t signer_count;
    petro_signer signers[PETRO_SIGNERS_MAX];
} petro_genesis_account;

typedef struct petro_genesis_asset {
    char code[PETRO_ASSET_CODE_SIZE_MAX + 1];
    petro_pubkey issuer; /* must be a genesis account */
    uint32_t flags;
} petro_genesis_asset;

/** A reserve-backed asset (docs/protocol.md "Reserves"): its supply may not exceed
 *  floor(attested quantity of its commodity * units_per_commodity * 10000 / coverage_bps). */
typedef struct petro_genesis_reserve {
    petro_asset asset;            /* native PTR or an issued asset of this genesis */
    uint8_t commodity;            /* PETRO_COMMODITY_*; one asset per commodity */
    uint32_t units_per_commodity; /* asset base units per commodity base unit, >= 1 */
    uint32_t coverage_bps;        /* minimum coverage ratio, basis points, >= 1 (10000 = 100%) */
    char quote[PETRO_ASSET_CODE_SIZE_MAX + 1]; /* quote unit of its oracle prices, e.g. "USD" */
} petro_genesis_reserve;
#define PETRO_GENESIS_RESERVES_MAX 4
#define PETRO_GENESIS_ATTESTATIONS_MAX 8
#define PETRO_ORACLES_MAX 8

/** Zones (docs/protocol.md "Zones: genesis"): an economic zone in force at genesis, with its
 *  policy (every asset allowed), and the zone and KYC tier of a genesis account. */
typedef struct petro_genesis_zone {
    uint32_t id; /* > 0, distinct */
    char name[PETRO_TRADE_TEXT_MAX + 1];
    char country[3];
    petro_pubkey authority; /* one of zone_authorities */
    uint16_t fee_bps;
    petro_amount tx_limit; /* 0 = none */
    uint8_t min_kyc_tier;
} petro_genesis_zone;
typedef struct petro_genesis_member {
    petro_pubkey account; /* a genesis account, listed once */
    uint32_t zone_id;     /* a genesis zone, or 0 */
    uint8_t kyc_tier;
} petro_genesis_member;
#define PETRO_ZONE_AUTHORITIES_MAX 4
#define PETRO_GENESIS_ZONES_MAX 8
#define PETRO_GENESIS_MEMBERS_MAX 64

typedef struct petro_genesis {
    char network_name[PETRO_NETWORK_NAME_SIZE_MAX + 1]; /* 1..32 printable ASCII */
    uint8_t net_kind;        /* petro_net_kind: address prefix ptr/tptr */
    uint64_t timestamp_ms;
    petro_pubkey treasury;   /* issuer authority of PTR; must be a genesis account */
    uint32_t account_count;
    petro_genesis_account accounts[PETRO_GENESIS_ACCOUNTS_MAX];
    uint32_t asset_count;
    petro_genesis_asset assets[PETRO_GENESIS_ASSETS_MAX];
    /* Reserves. auditors: the account whose signature weights (signers, medium threshold =
     * m of n) attest reserves; all zero = no auditors (then no reserve may be declared). */
    petro_pubkey auditors;
    uint32_t oracle_count;
    petro_pubkey oracles[PETRO_ORACLES_MAX]; /* distinct */
    uint64_t oracle_max_age_ms;              /* a price older than this is stale; >= 1 */
    uint32_t reserve_count;
    petro_genesis_reserve reserves[PETRO_GENESIS_RESERVES_MAX];
    uint32_t attestation_count;              /* attestations in force at genesis */
    petro_attestation_terms attestations[PETRO_GENESIS_ATTESTATIONS_MAX];
    /* Zones: the accounts allowed to create zones (distinct genesis accounts), the zones in
     * force at genesis and the genesis accounts' zones and KYC tiers. */
    uint32_t zone_authority_count;
    petro_pubkey zone_authorities[PETRO_ZONE_AUTHORITIES_MAX];
    uint32_t zone_count;
    petro_genesis_zone zones[PETRO_GENESIS_ZONES_MAX];
    uint32_t member_count;
    petro_genesis_member members[PETRO_GENESIS_MEMBERS_MAX];
} petro_genesis;

#define PETRO_GENESIS_SIZE_MAX 32768
/* The genesis encoding's version byte (its first byte; docs/protocol.md "Genesis"). Version 1
 * was written by development builds whose layouts changed under it (the reserve and zone
 * sections were added); petro_genesis_decode rejects it, like every version but this one, with
 * PETRO_ERR_BAD_VERSION. */
#define PETRO_GENESIS_VERSION 3u
PETRO_API PETRO_MUST_USE petro_result petro_genesis_encode(uint8_t *out, size_t out_cap,
                                                           size_t *out_size,
                                                           const petro_genesis *g);
PETRO_API PETRO_MUST_USE petro_result petro_genesis_decode(petro_genesis *g, const uint8_t *bytes,
                                                           size_t bytes_size);
/** Network id = BLAKE2b-256("petro-network-v1" || encoded genesis). */
PETRO_API PETRO_MUST_USE petro_result petro_genesis_network_id(petro_hash *id,
                                                               const petro_genesis *g);

/* ---------------------------------------------------------------- ledger */

typedef struct petro_ledger petro_ledger;

/** Create a ledger over store. The store is borrowed until destroy. Allocates the overlay
 *  (grows as needed during a block). Returns PETRO_OK or PETRO_ERR_NOMEM. */
PETRO_API PETRO_MUST_USE petro_result petro_ledger_create(petro_ledger **out,
                                                          const petro_store *store);
PETRO_API void petro_ledger_destroy(petro_ledger *l);

/** Write the genesis state into the overlay and produce block 0's header (tx_count 0,
 *  prev_hash zero, state hash over the genesis write set). The store must be empty.
 *  Follow with petro_ledger_commit. */
PETRO_API PETRO_MUST_USE petro_result petro_ledger_genesis(petro_ledger *l,
                                                           petro_block_header *block0,
                                                           const petro_genesis *g);

/** Chain tip as stored (height, block hash, state hash, timestamp, network id).
 *  Returns PETRO_ERR_NOT_FOUND on an empty store. */
typedef struct petro_ledger_tip {
    uint64_t height;
    petro_hash block_hash;
    petro_hash state_hash;
    uint64_t timestamp_ms;
    petro_hash network_id;
    uint8_t net_kind;
} petro_ledger_tip;
PETRO_API PETRO_MUST_USE petro_result petro_ledger_tip_get(const petro_store *store,
                                                           petro_ledger_tip *tip);

/** Start block height (tip + 1) at timestamp_ms (>= tip's). */
PETRO_API PETRO_MUST_USE petro_result petro_ledger_begin(petro_ledger *l, uint64_t height,
                                                         uint64_t timestamp_ms);

/** Apply one transaction within the open block. sig_valid_mask says which tx->sigs verified
 *  (petro_tx_verify_sigs). The checks of docs/protocol.md run in their order of precedence.
 *  Returns:
 *   PETRO_OK: the transaction is included: fee charged and sequence bumped; result->code is
 *     PETRO_OK (all ops applied) or PETRO_ERR_OP_FAILED (no op applied, op_codes say which).
 *   a tx-level code (100..199, 1..99): not includable; nothing changed.
 *   PETRO_ERR_NOMEM / PETRO_ERR_IO: local failure; the block must be aborted. */
PETRO_API PETRO_MUST_USE petro_result petro_ledger_apply_tx(petro_ledger *l,
                                                            petro_tx_result *result,
                                                            const petro_tx *tx,
                                                            const petro_hash *tx_id,
                                                            uint32_t sig_valid_mask);
/** petro_ledger_apply_tx with the transaction's witness leaf computed by the caller
 *  (petro_tx_witness_hash(tx, tx_id)), e.g. on the thread that verified its signatures, so
 *  that it stays off the block's serial path. witness NULL: computed here. */
PETRO_API PETRO_MUST_USE petro_result petro_ledger_apply_tx_witnessed(petro_ledger *l,
                                                                     petro_tx_result *result,
                                                                     const petro_tx *tx,
                                                                     const petro_hash *tx_id,
                                                                     const petro_hash *witness,
                                                                     uint32_t sig_valid_mask);

/** Finish the open block: fill header (height, prev_hash, timestamp, roots over the txs and
 *  results applied, state hash, proposer, tx_count). The ledger keeps the ids and results
 *  of the applied transactions. Then call commit or abort. */
PETRO_API PETRO_MUST_USE petro_result petro_ledger_finish(petro_ledger *l,
                                                          petro_block_header *header,
                                                          const petro_pubkey *proposer);

/** Write the overlay (state and tip metadata) into the store. Store errors make the ledger
 *  unusable until abort (sticky failure). */
PETRO_API PETRO_MUST_USE petro_result petro_ledger_commit(petro_ledger *l);
/** Drop the open block's overlay. Always safe. */
PETRO_API void petro_ledger_abort(petro_ledger *l);

/** Verify and apply a whole encoded block received from elsewhere (replay, followers):
 *  checks height, prev hash, timestamp, every signature, every transaction includable, the
 *  roots and the state hash. On PETRO_OK the block is finished (call commit); on error
 *  the block is aborted already. */
PETRO_API PETRO_MUST_USE petro_result petro_ledger_apply_block(petro_ledger *l,
                                                               const uint8_t *block,
                                                               size_t block_size);

/** Check a transaction against committed state the way the mempool admits it: checks 1..9 of
 *  docs/protocol.md ("Applying a transaction") with now_ms standing in for the block
 *  timestamp, except that the sequence must equal the account's sequence + 1 + pending_count
 *  (transactions of this account already in the mempool) and the PTR balance must cover
 *  pending_fees + fee. Changes nothing. Returns PETRO_OK or the first failing code. */
PETRO_API PETRO_MUST_USE petro_result petro_ledger_check_tx(const petro_store *store,
                                                            const petro_tx *tx,
                                                            uint32_t sig_valid_mask,
                                                            uint64_t now_ms,
                                                            uint64_t pending_count,
                                                            petro_amount pending_fees);

/* ---------------------------------------------------------------- reads */

/** Read records straight from a store (not the overlay). PETRO_ERR_NOT_FOUND if absent. */
PETRO_API PETRO_MUST_USE petro_result petro_state_get_account(const petro_store *store,
                                                              petro_account *acct,
                                                              const petro_pubkey *id);
PETRO_API PETRO_MUST_USE petro_result petro_state_get_trust_line(const petro_store *store,
                                                                 petro_trust_line *line,
                                                                 const petro_pubkey *account,
                                                                 const petro_asset *asset);
PETRO_API PETRO_MUST_USE petro_result petro_state_get_asset(const petro_store *store,
                                                            petro_asset_info *info,
                                                            const petro_asset *asset);

typedef int (*petro_balance_cb)(void *cb_ctx, const petro_asset *asset,
                                const petro_trust_line *line);
/** Visit an account's balances, native first, then issued assets in key order. */
PETRO_API PETRO_MUST_USE petro_result petro_state_each_balance(const petro_store *store,
                                                               const petro_pubkey *account,
                                                               petro_balance_cb cb, void *cb_ctx);
typedef int (*petro_asset_cb)(void *cb_ctx, const petro_asset_info *info);
/** Visit every asset, native first. */
PETRO_API PETRO_MUST_USE petro_result petro_state_each_asset(const petro_store *store,
                                                             petro_asset_cb cb, void *cb_ctx);

/** Full scan of the invariants: per asset, sum of balances == issued - redeemed - burned and
 *  holder counts match; no negative balance; no balance above its limit; every trust line's
 *  account exists. Returns PETRO_OK or PETRO_ERR_CORRUPT (with the first failure described
 *  in msg, NUL-terminated, if msg is not NULL). O(state). */
PETRO_API PETRO_MUST_USE petro_result petro_ledger_check_invariants(const petro_store *store,
                                                                    char *msg, size_t msg_cap);

#ifdef __cplusplus
}
#endif
#endif
