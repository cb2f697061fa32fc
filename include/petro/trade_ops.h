/* Operations of the trade family (op types 30..39) and the zones family (40..49): their
 * fields as carried in a transaction (docs/protocol.md "Trade" and "Zones"). Included by
 * tx.h for the petro_op union; the state records and reads are in trade.h. */
#ifndef PETRO_TRADE_OPS_H
#define PETRO_TRADE_OPS_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PETRO_TRADE_TEXT_MAX 64     /* description, document reference, zone name */
#define PETRO_TRADE_UNIT_MAX 8      /* quantity unit ("pcs", "t", "kg") */
#define PETRO_TRADE_DOCS_MAX 6      /* required document types per contract */
#define PETRO_TRADE_APPROVERS_MAX 4 /* approver accounts per contract */
#define PETRO_ZONE_ASSETS_MAX 4     /* allowed assets per zone policy; 0 = any */
#define PETRO_ZONE_FEE_BPS_MAX 1000 /* 10% */
#define PETRO_KYC_TIER_MAX 3

/* Document types. */
#define PETRO_DOC_COMMERCIAL_INVOICE 1
#define PETRO_DOC_BILL_OF_LADING 2
#define PETRO_DOC_CERTIFICATE_OF_ORIGIN 3
#define PETRO_DOC_INSPECTION_CERTIFICATE 4
#define PETRO_DOC_PACKING_LIST 5
#define PETRO_DOC_INSURANCE_CERTIFICATE 6
#define PETRO_DOC_PHYTOSANITARY_CERTIFICATE 7
#define PETRO_DOC_AIR_WAYBILL 8
#define PETRO_DOC_TYPE_MAX 8

/* Incoterms 2020, 1..11: EXW FCA FAS FOB CFR CIF CPT CIP DAP DPU DDP. */
#define PETRO_INCOTERM_MAX 11

/** 30: the importer (source) proposes a contract; it gets the next contract id. */
typedef struct {
    petro_pubkey exporter;
    petro_asset asset;
    petro_amount amount; /* > 0 */
    uint32_t hs_code;    /* 6-digit HS code 010000..979999 (chapter = hs_code / 10000) */
    char description[PETRO_TRADE_TEXT_MAX + 1];
    petro_amount quantity; /* > 0, 8 decimals like amounts */
    char unit[PETRO_TRADE_UNIT_MAX + 1];
    uint8_t incoterm;       /* 1..PETRO_INCOTERM_MAX */
    char origin[3];         /* ISO 3166-1 alpha-2, "VE" */
    char destination[3];
    uint8_t doc_count;      /* 1..PETRO_TRADE_DOCS_MAX, distinct types */
    uint8_t doc_types[PETRO_TRADE_DOCS_MAX];
    uint8_t approver_count; /* 1..PETRO_TRADE_APPROVERS_MAX, distinct */
    petro_pubkey approvers[PETRO_TRADE_APPROVERS_MAX];
    uint8_t threshold;      /* 1..approver_count */
    uint8_t allow_partial;  /* 0 or 1 */
    uint64_t shipment_deadline_ms; /* documents must be presented by then */
    uint64_t expiry_ms;            /* > shipment_deadline_ms; refund possible after it */
} petro_op_trade_create;
/** 31 trade_fund, 35 trade_refund. */
typedef struct { uint64_t contract_id; } petro_op_trade_id;
/** 32: the exporter presents one document of the current shipment. */
typedef struct {
    uint64_t contract_id;
    uint8_t doc_type;
    petro_hash doc_hash;
    char reference[PETRO_TRADE_TEXT_MAX + 1];
} petro_op_trade_present;
/** 33: an approver approves (1) or rejects (0, with a reason code > 0) the documents. */
typedef struct {
    uint64_t contract_id;
    uint8_t approve;
    uint16_t reason;
} petro_op_trade_approve;
/** 34: pays amount of the escrow to the exporter (the whole remainder unless partial). */
typedef struct { uint64_t contract_id; petro_amount amount; } petro_op_trade_release;
/** 36: a party opens a dispute. */
typedef struct { uint64_t contract_id; uint16_t reason; } petro_op_trade_dispute;
/** 37: an approver votes to settle a dispute: exporter_amount to the exporter, the rest of
 *  the escrow back to the importer. */
typedef struct { uint64_t contract_id; petro_amount exporter_amount; } petro_op_trade_resolve;
/** 38: one party amends amount and dates; counter_sig is the other party's signature over
 *  petro_trade_amend_message. */
typedef struct {
    uint64_t contract_id;
    petro_amount amount;
    uint64_t shipment_deadline_ms, expiry_ms;
    petro_sig counter_sig;
} petro_op_trade_amend;

#ifdef __cplusplus
}
#endif
#endif
