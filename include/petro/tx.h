/* Transactions: the canonical binary encoding (docs/protocol.md, "Transaction"), ids and
 * signatures. Decoding is strict: one encoding per value, no trailing bytes, bounded sizes. */
#ifndef PETRO_TX_H
#define PETRO_TX_H

#include "data_ops.h"
#include "trade_ops.h"
#include "zones_ops.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Operation types. Numbers are part of the protocol; never reuse one. Each family owns a
 * range: accounts/payments/assets 1..9, reserves 10..19, exchange 20..29, trade 30..39,
 * zones 40..49, compliance 50..59, governance 60..69, sale 70..79, swap 80..89, data 90..99. */
typedef enum {
    PETRO_OP_CREATE_ACCOUNT = 1,  /* family accounts */
    PETRO_OP_SET_SIGNER = 2,      /* family accounts */
    PETRO_OP_SET_THRESHOLDS = 3,  /* family accounts */
    PETRO_OP_PAYMENT = 4,         /* family payments */
    PETRO_OP_CREATE_ASSET = 5,    /* family assets */
    PETRO_OP_CHANGE_TRUST = 6,    /* family assets */
    PETRO_OP_AUTHORIZE_TRUST = 7, /* family assets */
    PETRO_OP_ISSUE = 8,           /* family assets */
    PETRO_OP_REDEEM = 9,          /* family assets */
    PETRO_OP_ATTEST_RESERVE = 10,     /* family reserves */
    PETRO_OP_ORACLE_PRICE = 11,       /* family reserves */
    PETRO_OP_ISSUE_RESERVE = 12,      /* family reserves */
    PETRO_OP_REDEEM_RESERVE = 13,     /* family reserves */
    PETRO_OP_FULFILL_REDEMPTION = 14, /* family reserves */
    PETRO_OP_TRADE_CREATE = 30,       /* family trade (trade_ops.h) */
    PETRO_OP_TRADE_FUND = 31,
    PETRO_OP_TRADE_PRESENT = 32,
    PETRO_OP_TRADE_APPROVE = 33,
    PETRO_OP_TRADE_RELEASE = 34,
    PETRO_OP_TRADE_REFUND = 35,
    PETRO_OP_TRADE_DISPUTE = 36,
    PETRO_OP_TRADE_RESOLVE = 37,
    PETRO_OP_TRADE_AMEND = 38,
    PETRO_OP_ZONE_CREATE = 40,        /* family zones (zones_ops.h) */
    PETRO_OP_ZONE_POLICY = 41,
    PETRO_OP_ZONE_ASSIGN = 42,
    PETRO_OP_SET_KYC_TIER = 43,
    PETRO_OP_TRADE_TARGET = 44,
    PETRO_OP_DATA_SET = 90,           /* family data (data_ops.h) */
} petro_op_type;

/* The family that owns an operation type, its name and its fields: petro/schema.h. */

/* Asset flags (petro_op_create_asset.flags). */
#define PETRO_ASSET_FLAG_AUTH_REQUIRED 0x1u /* trust lines need the issuer's authorisation */
#define PETRO_ASSET_FLAG_REVOCABLE 0x2u     /* the issuer may revoke an authorisation */
#define PETRO_ASSET_FLAGS_ALL 0x3u

typedef struct { petro_pubkey destination; petro_amount starting_balance; } petro_op_create_account;
/** weight 0 removes the signer. */
typedef struct { petro_pubkey signer; uint8_t weight; } petro_op_set_signer;
typedef struct {
    uint8_t master_weight, low, medium, high;
} petro_op_set_thresholds;
typedef struct {
    petro_pubkey destination;
    petro_asset asset;
    petro_amount amount;
} petro_op_payment;
typedef struct { char code[PETRO_ASSET_CODE_SIZE_MAX + 1]; uint32_t flags; } petro_op_create_asset;
/** limit 0 removes the trust line (its balance must be 0). asset must be issued. */
typedef struct { petro_asset asset; petro_amount limit; } petro_op_change_trust;
/** Asset is (code, source account). authorize is 0 or 1. */
typedef struct {
    petro_pubkey trustor;
    char code[PETRO_ASSET_CODE_SIZE_MAX + 1];
    uint8_t authorize;
} petro_op_authorize_trust;
/** Asset is (code, source account): the issuer creates new units at destination. */
typedef struct {
    petro_pubkey destination;
    char code[PETRO_ASSET_CODE_SIZE_MAX + 1];
    petro_amount amount;
} petro_op_issue;
/** The holder returns amount of an issued asset to its issuer; the units are destroyed. */
typedef struct { petro_asset asset; petro_amount amount; } petro_op_redeem;

/* Reserves (family reserves, docs/protocol.md "Reserves"). Commodities and text fields: */
#define PETRO_COMMODITY_OIL 1  /* crude oil; quantities in 10^-8 barrel */
#define PETRO_COMMODITY_GOLD 2 /* gold; quantities in 10^-8 troy ounce */
#define PETRO_COMMODITY_MAX 2
#define PETRO_RESERVE_TEXT_MAX 64 /* custodian, delivery reference: printable ASCII */
/** Auditors attest a reserve certificate (source: the genesis auditors account). */
typedef struct {
    uint8_t commodity;
    petro_amount quantity; /* commodity base units, > 0 */
    char custodian[PETRO_RESERVE_TEXT_MAX + 1];
    petro_hash document_hash;
    uint64_t valid_from_ms, valid_until_ms; /* valid_from < valid_until */
    uint64_t supersedes; /* id of an active attestation it replaces; 0 = none */
} petro_op_attest_reserve;
/** The terms of a reserve attestation, attested by the operation or named in genesis. */
typedef petro_op_attest_reserve petro_attestation_terms;
/** An oracle's price of one commodity unit in quote base units (source: a genesis oracle). */
typedef struct {
    uint8_t commodity;
    char quote[PETRO_ASSET_CODE_SIZE_MAX + 1]; /* e.g. "USD" */
    petro_amount price;                        /* > 0 */
    uint64_t timestamp_ms;                     /* observation time */
} petro_op_oracle_price;
/** The asset's issuer creates units of a reserve-backed asset, capped by coverage. */
typedef struct {
    petro_asset asset;
    petro_pubkey destination;
    petro_amount amount;
} petro_op_issue_reserve;
/** A holder burns units of a reserve-backed asset and asks for delivery. */
typedef struct {
    petro_asset asset;
    petro_amount amount;
    char delivery[PETRO_RESERVE_TEXT_MAX + 1];
} petro_op_redeem_reserve;
/** The asset's issuer marks a redemption request delivered. */
typedef struct { uint64_t request_id; } petro_op_fulfill_redemption;

typedef struct petro_op {
    uint8_t type; /* petro_op_type */
    union {
        petro_op_create_account create_account;
        petro_op_set_signer set_signer;
        petro_op_set_thresholds set_thresholds;
        petro_op_payment payment;
        petro_op_create_asset create_asset;
        petro_op_change_trust change_trust;
        petro_op_authorize_trust authorize_trust;
        petro_op_issue issue;
        petro_op_redeem redeem;
        petro_op_attest_reserve attest_reserve;
        petro_op_oracle_price oracle_price;
        petro_op_issue_reserve issue_reserve;
        petro_op_redeem_reserve redeem_reserve;
        petro_op_fulfill_redemption fulfill_redemption;
        petro_op_trade_create trade_create;
        petro_op_trade_id trade_id; /* trade_fund, trade_refund */
        petro_op_trade_present trade_present;
        petro_op_trade_approve trade_approve;
        petro_op_trade_release trade_release;
        petro_op_trade_dispute trade_dispute;
        petro_op_trade_resolve trade_resolve;
        petro_op_trade_amend trade_amend;
        petro_op_zone_create zone_create;
        petro_op_zone_policy zone_policy;
        petro_op_zone_assign zone_assign;
        petro_op_set_kyc_tier set_kyc_tier;
        petro_op_trade_target trade_target;
        petro_op_data_set data_set;
    } u;
} petro_op;

/* A decoded transaction holds PETRO_TX_OPS_MAX of these, so an operation that grows grows
 * every decoded transaction: the largest today is trade_create (344 bytes of payload). A
 * family whose operation needs more must hold variable parts elsewhere, not raise this. */
_Static_assert(sizeof(petro_op) <= 352, "petro_op stays within its budget");

typedef struct petro_tx_sig { petro_pubkey key; petro_sig sig; } petro_tx_sig;

/** A signed transaction. Fixed size; owns no heap memory. */
typedef struct petro_tx {
    uint8_t version;          /* PETRO_TX_VERSION */
    petro_hash network_id;
    petro_pubkey source;
    uint64_t sequence;        /* exactly the account's sequence + 1 */
    petro_amount fee;         /* PTR base units, >= PETRO_BASE_FEE * op_count */
    uint64_t valid_after_ms;  /* unix ms; 0 = no lower bound */
    uint64_t valid_until_ms;  /* unix ms; 0 = no upper bound */
    uint8_t memo_size;
    uint8_t memo[PETRO_MEMO_SIZE_MAX];
    uint8_t op_count;         /* 1..PETRO_TX_OPS_MAX */
    petro_op ops[PETRO_TX_OPS_MAX];
    uint8_t sig_count;        /* 0..PETRO_TX_SIGS_MAX (0 only before signing); sorted by key,
                                 strictly ascending */
    petro_tx_sig sigs[PETRO_TX_SIGS_MAX];
} petro_tx;

_Static_assert(sizeof(petro_tx) <= 8 * 1024, "a decoded transaction stays within 8 KiB");

/** Check the fields of a transaction without state: version, op count, memo size, op types,
 *  field ranges of each op (amounts > 0 and <= PETRO_SUPPLY_MAX, asset codes, flags), fee >= 0,
 *  signature count and order. Returns the first failing PETRO_ERR_* (envelope codes 1..99,
 *  amount codes 200..299, PETRO_ERR_BAD_ASSET_CODE, PETRO_ERR_BAD_FLAGS) or PETRO_OK. */
PETRO_API PETRO_MUST_USE petro_result petro_tx_check(const petro_tx *tx);

/** Check a signed envelope without state: petro_tx_check, then at least one signature.
 *  Returns PETRO_OK, the petro_tx_check error, or PETRO_ERR_NO_SIGNATURES (sig_count 0).
 *  Depends on the transaction's fields only. The decoder, petro_tx_encode and the ledger's
 *  check_tx / apply_tx run this; petro_tx_encode_body, petro_tx_id and petro_tx_sign run
 *  petro_tx_check, so an unsigned body can be hashed and signed. */
PETRO_API PETRO_MUST_USE petro_result petro_tx_check_envelope(const petro_tx *tx);

/** Encode the unsigned body (everything before the signatures). Returns PETRO_OK with
 *  *out_size set, PETRO_ERR_BUFFER_TOO_SMALL, or the petro_tx_check error. */
PETRO_API PETRO_MUST_USE petro_result petro_tx_encode_body(uint8_t *out, size_t out_cap,
                                                           size_t *out_size, const petro_tx *tx);
/** Encode the signed envelope (body, then signatures). Same returns, with the
 *  petro_tx_check_envelope error (PETRO_ERR_NO_SIGNATURES for an unsigned transaction). */
PETRO_API PETRO_MUST_USE petro_result petro_tx_encode(uint8_t *out, size_t out_cap,
                                                      size_t *out_size, const petro_tx *tx);
/** Decode a signed envelope strictly. Returns PETRO_OK; PETRO_ERR_TX_TOO_LARGE;
 *  PETRO_ERR_MALFORMED (truncation, trailing bytes, non-canonical values); or the
 *  petro_tx_check_envelope error (PETRO_ERR_NO_SIGNATURES for sig_count 0).
 *  Out: tx filled on PETRO_OK, zeroed otherwise. Pure. */
PETRO_API PETRO_MUST_USE petro_result petro_tx_decode(petro_tx *tx, const uint8_t *bytes,
                                                      size_t bytes_size);

/** Transaction id: BLAKE2b-256 of the encoded body. Requires a tx that passes petro_tx_check. */
PETRO_API PETRO_MUST_USE petro_result petro_tx_id(petro_hash *id, const petro_tx *tx);

/** Witness leaf (the block's witness_root): BLAKE2b-256(id || u8 sig_count || sig_count x
 *  (pubkey || sig)), i.e. the id followed by the envelope's bytes after the body. With the id
 *  committing to the body, it commits to the whole envelope. id is petro_tx_id(tx). */
PETRO_API void petro_tx_witness_hash(petro_hash *out, const petro_tx *tx, const petro_hash *id);

/** Add (or replace) the signature of sk's key over the transaction id (in the signature
 *  domain PETRO_DOMAIN_TX), keeping sigs sorted.
 *  Returns PETRO_OK, PETRO_ERR_TOO_MANY_SIGNATURES, or a petro_tx_check error. */
PETRO_API PETRO_MUST_USE petro_result petro_tx_sign(petro_tx *tx, const petro_pubkey *pk,
                                                    const petro_seckey *sk);

/** Verify every signature against id. Returns a bit mask: bit i set iff sigs[i] verifies.
 *  Thread-safe and pure; this is the expensive part, meant for a worker pool. */
PETRO_API uint32_t petro_tx_verify_sigs(const petro_tx *tx, const petro_hash *id);

/** Per-transaction result, as recorded in blocks. */
typedef struct petro_tx_result {
    uint16_t code;                        /* petro_result: PETRO_OK or PETRO_ERR_OP_FAILED */
    petro_amount fee_charged;
    uint8_t op_count;
    uint16_t op_codes[PETRO_TX_OPS_MAX];  /* per-op result; ops after the failing one are 0 */
} petro_tx_result;

#define PETRO_TX_RESULT_SIZE_MAX (2 + 8 + 1 + 2 * PETRO_TX_OPS_MAX)
/** Encode a result canonically (u16 code, i64 fee, u8 op_count, u16 per op; little-endian). */
PETRO_API PETRO_MUST_USE petro_result petro_tx_result_encode(uint8_t *out, size_t out_cap,
                                                             size_t *out_size,
                                                             const petro_tx_result *r);
PETRO_API PETRO_MUST_USE petro_result petro_tx_result_decode(petro_tx_result *r,
                                                             const uint8_t *bytes,
                                                             size_t bytes_size);
/** Leaf of the results Merkle tree: BLAKE2b-256(tx id || encoded result). */
PETRO_API PETRO_MUST_USE petro_result petro_tx_result_hash(petro_hash *out, const petro_hash *tx_id,
                                                           const petro_tx_result *r);

#ifdef __cplusplus
}
#endif
#endif
