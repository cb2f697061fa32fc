/* Trade settlement and economic zones (docs/protocol.md "Trade" and "Zones"): the stored
 * contract, document, zone, turnover and target records and read access to them. Pure
 * functions over a store. */
#ifndef PETRO_TRADE_H
#define PETRO_TRADE_H

#include "ledger.h"
#include "store.h"
#include "trade_ops.h"
#include "zones_ops.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Contract states. */
#define PETRO_TRADE_CREATED 1  /* proposed, not funded */
#define PETRO_TRADE_FUNDED 2   /* escrow locked; documents and approvals collected */
#define PETRO_TRADE_DISPUTED 3 /* escrow locked; only the approvers' resolution moves it */
#define PETRO_TRADE_RELEASED 4 /* the whole amount paid to the exporter (closed) */
#define PETRO_TRADE_REFUNDED 5 /* escrow returned to the importer after expiry (closed) */
#define PETRO_TRADE_RESOLVED 6 /* dispute settled by the approvers (closed) */
#define PETRO_TRADE_STATE_MAX 6

/** A stored trade contract. locked + released (+ refunded) == amount once funded. */
typedef struct petro_trade_contract {
    uint64_t id;
    petro_pubkey importer;
    petro_op_trade_create terms; /* as created, amount / dates as last amended */
    uint8_t state;
    petro_amount locked;   /* held in escrow now; counts in the asset's supply */
    petro_amount released; /* paid to the exporter so far (gross, before zone fees) */
    petro_amount refunded; /* returned to the importer */
    uint32_t shipment;     /* current shipment number, from 1; bumped by each release */
    uint32_t release_count;
    uint8_t approved_mask; /* bit i: approvers[i] approved the current shipment */
    uint8_t rejected_mask; /* bit i: approvers[i] rejected it (last_reason) */
    uint16_t last_reason;
    uint8_t disputed_by;   /* 0 none, 1 importer, 2 exporter */
    uint16_t dispute_reason;
    uint8_t resolve_mask;  /* approvers voting for resolve_amount */
    petro_amount resolve_amount;
    uint32_t amend_count;
    uint64_t created_height, created_ms, updated_height;
} petro_trade_contract;

/** A presented document (one per contract, shipment and type). */
typedef struct petro_trade_document {
    uint64_t contract_id;
    uint32_t shipment;
    uint8_t doc_type;
    petro_hash doc_hash;
    char reference[PETRO_TRADE_TEXT_MAX + 1];
    petro_pubkey presenter;
    uint64_t time_ms, height;
} petro_trade_document;

/** An economic zone and its policy. */
typedef struct petro_zone {
    uint32_t id;
    char name[PETRO_TRADE_TEXT_MAX + 1];
    char country[3];
    petro_pubkey authority;
    uint16_t fee_bps;
    petro_amount tx_limit;
    uint8_t min_kyc_tier;
    uint8_t asset_count;
    petro_asset assets[PETRO_ZONE_ASSETS_MAX];
    uint64_t created_height;
} petro_zone;

/* Turnover groups (the stats records). */
#define PETRO_STATS_TOTAL 't'
#define PETRO_STATS_ZONE 'z'         /* receiving (exporter's) zone; 0 = none */
#define PETRO_STATS_COUNTRY_PAIR 'c' /* origin -> destination */
#define PETRO_STATS_HS_CHAPTER 'h'

/** One turnover aggregate: releases in one group, month and asset. */
typedef struct petro_trade_stat {
    uint8_t group;      /* PETRO_STATS_* */
    uint32_t zone_id;   /* group zone */
    char origin[3], destination[3]; /* group country pair */
    uint8_t hs_chapter; /* group hs chapter */
    uint32_t month;     /* yyyymm (UTC) of the block timestamp */
    petro_asset asset;
    uint64_t count;
    petro_amount value;
} petro_trade_stat;

/** A bilateral turnover target. */
typedef struct petro_trade_target {
    petro_trade_target_terms t;
    petro_pubkey set_by;
    uint64_t height;
} petro_trade_target;

/** The message the counterparty signs for an amendment, in the signature domain
 *  PETRO_DOMAIN_TRADE_AMEND: network_id (32) || u64 contract_id || u32 amend_count (before) ||
 *  i64 amount || u64 shipment_deadline_ms || u64 expiry_ms (little-endian). The network id
 *  keeps a countersignature given on one network from verifying on another, where the same
 *  keys may hold a contract with the same id and amend count. */
#define PETRO_TRADE_AMEND_MESSAGE_SIZE (32 + 8 + 4 + 8 + 8 + 8)
PETRO_API void petro_trade_amend_message(uint8_t out[PETRO_TRADE_AMEND_MESSAGE_SIZE],
                                         const petro_hash *network_id, uint64_t contract_id,
                                         uint32_t amend_count, petro_amount amount,
                                         uint64_t shipment_deadline_ms, uint64_t expiry_ms);
/** The countersignature: petro_sign_in(PETRO_DOMAIN_TRADE_AMEND, the message above). */
PETRO_API void petro_trade_amend_sign(petro_sig *sig, const petro_hash *network_id,
                                      uint64_t contract_id, uint32_t amend_count,
                                      petro_amount amount, uint64_t shipment_deadline_ms,
                                      uint64_t expiry_ms, const petro_seckey *sk);

/** yyyymm (UTC) of a unix millisecond time. Pure integer arithmetic. */
PETRO_API uint32_t petro_trade_month(uint64_t unix_ms);

/** Names: "bill_of_lading", "FOB", "created"; NULL for an unknown number. */
PETRO_API const char *petro_trade_doc_name(uint8_t doc_type);
PETRO_API int petro_trade_doc_from_name(uint8_t *out, const char *name);
PETRO_API const char *petro_trade_incoterm_name(uint8_t incoterm);
PETRO_API int petro_trade_incoterm_from_name(uint8_t *out, const char *name);
PETRO_API const char *petro_trade_state_name(uint8_t state);

/* Reads. PETRO_ERR_NOT_FOUND if absent. Callbacks return non-zero to stop. */
PETRO_API PETRO_MUST_USE petro_result petro_trade_get(const petro_store *store,
                                                      petro_trade_contract *c, uint64_t id);
typedef int (*petro_trade_contract_cb)(void *cb_ctx, const petro_trade_contract *c);
PETRO_API PETRO_MUST_USE petro_result petro_trade_each(const petro_store *store,
                                                       petro_trade_contract_cb cb, void *cb_ctx);
typedef int (*petro_trade_document_cb)(void *cb_ctx, const petro_trade_document *d);
/** Documents of one contract, by shipment then type. */
PETRO_API PETRO_MUST_USE petro_result petro_trade_each_document(const petro_store *store,
                                                                uint64_t contract_id,
                                                                petro_trade_document_cb cb,
                                                                void *cb_ctx);
PETRO_API PETRO_MUST_USE petro_result petro_zone_get(const petro_store *store, petro_zone *z,
                                                     uint32_t id);
typedef int (*petro_zone_cb)(void *cb_ctx, const petro_zone *z);
PETRO_API PETRO_MUST_USE petro_result petro_zone_each(const petro_store *store, petro_zone_cb cb,
                                                      void *cb_ctx);
typedef int (*petro_trade_stat_cb)(void *cb_ctx, const petro_trade_stat *s);
/** Aggregates of one group (PETRO_STATS_*), in key order (group key, month, asset). */
PETRO_API PETRO_MUST_USE petro_result petro_trade_each_stat(const petro_store *store,
                                                            uint8_t group,
                                                            petro_trade_stat_cb cb,
                                                            void *cb_ctx);
typedef int (*petro_trade_target_cb)(void *cb_ctx, const petro_trade_target *t);
PETRO_API PETRO_MUST_USE petro_result petro_trade_each_target(const petro_store *store,
                                                              petro_trade_target_cb cb,
                                                              void *cb_ctx);

#ifdef __cplusplus
}
#endif
#endif
