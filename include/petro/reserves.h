/* Reserves (docs/protocol.md "Reserves"): read access to the reserve configuration,
 * attestations, oracle prices, redemption requests and the coverage status of each
 * reserve-backed asset. Pure functions over a store; "now" is always passed in (the tip's
 * block timestamp on a node), never read from a clock. */
#ifndef PETRO_RESERVES_H
#define PETRO_RESERVES_H

#include "ledger.h"
#include "store.h"
#include "tx.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most attestations in force at once per commodity. */
#define PETRO_ATTESTATIONS_ACTIVE_MAX 16

/** A stored attestation. Counts towards reserves at time t iff superseded_by == 0 and
 *  valid_from_ms <= t < valid_until_ms. */
typedef struct petro_attestation {
    uint64_t id;
    uint8_t commodity;
    petro_amount quantity;
    char custodian[PETRO_RESERVE_TEXT_MAX + 1];
    petro_hash document_hash;
    uint64_t valid_from_ms, valid_until_ms;
    uint64_t height;        /* block that recorded it (0 = genesis) */
    uint64_t superseded_by; /* id of the attestation that replaced it; 0 = none */
} petro_attestation;

/** The latest price of one oracle for one commodity. */
typedef struct petro_oracle_quote {
    petro_pubkey oracle;
    uint8_t commodity;
    char quote[PETRO_ASSET_CODE_SIZE_MAX + 1];
    petro_amount price; /* quote base units per commodity unit */
    uint64_t timestamp_ms;
    uint64_t height;
} petro_oracle_quote;

#define PETRO_REDEMPTION_PENDING 0
#define PETRO_REDEMPTION_FULFILLED 1
typedef struct petro_redemption {
    uint64_t id;
    petro_pubkey holder;
    petro_asset asset;
    uint8_t commodity;
    petro_amount amount;
    char delivery[PETRO_RESERVE_TEXT_MAX + 1];
    uint64_t height;
    uint8_t status; /* PETRO_REDEMPTION_* */
    uint64_t fulfilled_height;
} petro_redemption;

/** The reserve configuration of the genesis, as stored. */
typedef struct petro_reserve_config {
    petro_pubkey treasury; /* issuer of PTR */
    petro_pubkey auditors;
    uint64_t oracle_max_age_ms;
    uint32_t oracle_count;
    petro_pubkey oracles[PETRO_ORACLES_MAX];
    uint32_t reserve_count;
    petro_genesis_reserve reserves[PETRO_GENESIS_RESERVES_MAX];
} petro_reserve_config;

/** Coverage of one reserve-backed asset at time now_ms. */
typedef struct petro_reserve_status {
    petro_genesis_reserve reserve;
    petro_amount attested;       /* commodity base units in attestations counting at now */
    uint32_t attestation_count;  /* how many count at now */
    uint64_t attestations_expire_ms; /* earliest valid_until_ms of those (0 if none): when
                                        attested next drops without a new attestation */
    petro_amount supply;         /* issued - redeemed - burned: what holders hold */
    petro_amount outstanding;    /* issued - redeemed: what issuance is checked with (fee
                                    burns do not make room for new units) */
    petro_amount cap;            /* largest supply the attested reserves allow */
    petro_amount headroom;       /* max(0, cap - outstanding): the most one issue can add */
    bool under_covered;          /* supply > cap: issuance blocked */
    uint64_t coverage_bps;       /* attested * units * 10000 / supply (UINT64_MAX if supply 0
                                    or too large) */
    uint32_t price_count;        /* fresh oracle prices */
    char quote[PETRO_ASSET_CODE_SIZE_MAX + 1]; /* quote of the reference price ("" if none) */
    petro_amount reference_price;              /* median of the fresh prices; 0 if none */
    petro_amount valuation;      /* floor(attested * reference_price / 10^8): quote base
                                    units, clamped to INT64_MAX */
} petro_reserve_status;

/** Read the reserve configuration. PETRO_ERR_NOT_FOUND if the genesis declared none. */
PETRO_API PETRO_MUST_USE petro_result petro_reserves_config(const petro_store *store,
                                                            petro_reserve_config *cfg);

/** Status of every reserve-backed asset, in genesis order, at now_ms. out holds out_cap
 *  entries; *count is the number of reserve-backed assets (0 if none). */
PETRO_API PETRO_MUST_USE petro_result petro_reserves_status(const petro_store *store,
                                                            uint64_t now_ms,
                                                            petro_reserve_status *out,
                                                            uint32_t out_cap, uint32_t *count);

/** The largest supply that attested quantity allows: floor(attested * units * 10000 /
 *  coverage_bps), clamped to PETRO_SUPPLY_MAX. Pure. */
PETRO_API petro_amount petro_reserves_cap(petro_amount attested, uint32_t units_per_commodity,
                                          uint32_t coverage_bps);

/** Median of n prices (sorted in place): the middle one, or for even n the floor of the mean
 *  of the two middle ones. n >= 1. Pure. */
PETRO_API petro_amount petro_reserves_median(petro_amount *prices, uint32_t n);

PETRO_API PETRO_MUST_USE petro_result petro_reserves_get_attestation(const petro_store *store,
                                                                     uint64_t id,
                                                                     petro_attestation *out);
typedef int (*petro_attestation_cb)(void *cb_ctx, const petro_attestation *a);
/** Every attestation ever recorded, by id. */
PETRO_API PETRO_MUST_USE petro_result petro_reserves_each_attestation(const petro_store *store,
                                                                      petro_attestation_cb cb,
                                                                      void *cb_ctx);
typedef int (*petro_quote_cb)(void *cb_ctx, const petro_oracle_quote *q);
/** The latest price of every oracle, by commodity then oracle. */
PETRO_API PETRO_MUST_USE petro_result petro_reserves_each_quote(const petro_store *store,
                                                                petro_quote_cb cb, void *cb_ctx);
PETRO_API PETRO_MUST_USE petro_result petro_reserves_get_redemption(const petro_store *store,
                                                                    uint64_t id,
                                                                    petro_redemption *out);
typedef int (*petro_redemption_cb)(void *cb_ctx, const petro_redemption *r);
/** Every redemption request, by id. */
PETRO_API PETRO_MUST_USE petro_result petro_reserves_each_redemption(const petro_store *store,
                                                                     petro_redemption_cb cb,
                                                                     void *cb_ctx);

#ifdef __cplusplus
}
#endif
#endif
