/* The operations of the zones family (libpetro/ops/zones.c): economic zones, their policies,
 * members, KYC tiers and bilateral turnover targets. Their limits (zone names, allowed assets,
 * fees, tiers) are in trade_ops.h, shared with the trade family's texts. */
#ifndef PETRO_ZONES_OPS_H
#define PETRO_ZONES_OPS_H

#include "trade_ops.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** 40: a zone authority creates a zone (it becomes the zone's authority). */
typedef struct {
    uint32_t zone_id; /* > 0 */
    char name[PETRO_TRADE_TEXT_MAX + 1];
    char country[3];
} petro_op_zone_create;
/** 41: the zone's authority sets its policy. */
typedef struct {
    uint32_t zone_id;
    uint16_t fee_bps;      /* 0..PETRO_ZONE_FEE_BPS_MAX */
    petro_amount tx_limit; /* 0 = no limit */
    uint8_t min_kyc_tier;  /* 0..PETRO_KYC_TIER_MAX */
    uint8_t asset_count;   /* 0 = every asset allowed */
    petro_asset assets[PETRO_ZONE_ASSETS_MAX];
} petro_op_zone_policy;
/** 42: the zone's authority assigns an account to its zone (zone_id 0: the authority of the
 *  account's current zone removes it). */
typedef struct { petro_pubkey account; uint32_t zone_id; } petro_op_zone_assign;
/** 43: a zone authority sets an account's KYC tier (until the compliance family exists). */
typedef struct { petro_pubkey account; uint8_t tier; } petro_op_set_kyc_tier;
/** 44: a zone authority sets a bilateral turnover target: turnover origin -> destination in
 *  asset during target_year = turnover in base_year * (10000 + growth_bps) / 10000. */
typedef struct {
    char origin[3];
    char destination[3];
    petro_asset asset;
    uint16_t base_year, target_year; /* base_year < target_year */
    uint32_t growth_bps;
} petro_op_trade_target;

/** A bilateral target as recorded (petro_trade_each_target): the terms an operation 44 set. */
typedef petro_op_trade_target petro_trade_target_terms;

#ifdef __cplusplus
}
#endif
#endif
