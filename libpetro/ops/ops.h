/* Private: the interface between the ledger and the operation families (the files in ops/).
 *
 * Adding a family = one new ops/<family>.c defining its apply functions, their declarations
 * below, and one line per operation in the table in ledger.c ({threshold level, apply}).
 *
 * An apply function gets a context (the transaction's source, its signing weight, the block
 * height and time) and reads and writes state only through the helpers below. Reads see the
 * operation's own earlier writes, then the block's, then the store; writes go to the
 * per-transaction overlay, which the ledger merges into the block only if every operation of
 * the transaction succeeds. So an apply function may return an error after having written:
 * its writes vanish. It returns PETRO_OK, an operation result (a ledger code, 1..999) which
 * fails the transaction with op_failed, or a local error (PETRO_ERR_NOMEM, PETRO_ERR_IO,
 * PETRO_ERR_CORRUPT, >= 1000) which aborts the block. Threshold checks happen before apply.
 *
 * Every helper is deterministic; nothing may depend on the overlay's hash-table layout. */
#ifndef PETRO_OPS_OPS_H
#define PETRO_OPS_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petro/petro.h"

typedef enum {
    PETRO__THRESHOLD_LOW = 0,
    PETRO__THRESHOLD_MEDIUM = 1,
    PETRO__THRESHOLD_HIGH = 2,
} petro__threshold_level;

typedef struct petro__op_ctx {
    struct petro_ledger *ledger; /* private to the helpers */
    petro_pubkey source;         /* the transaction's source account */
    uint64_t height;             /* block being applied */
    uint64_t timestamp_ms;       /* its timestamp */
    uint32_t op_index;           /* position of the operation in the transaction */
} petro__op_ctx;

typedef petro_result (*petro__op_apply_fn)(petro__op_ctx *ctx, const petro_op *op);

typedef struct petro__op_def {
    uint8_t threshold;        /* petro__threshold_level */
    petro__op_apply_fn apply; /* NULL: unknown type */
} petro__op_def;

/* ---------------------------------------------------------------- state helpers */

/* Typed reads: *found = false (and the record zeroed) if absent; PETRO_OK or a local error. */
petro_result petro__op_get_account(petro__op_ctx *ctx, petro_account *acct,
                                   const petro_pubkey *id, bool *found);
petro_result petro__op_get_line(petro__op_ctx *ctx, petro_trust_line *line,
                                const petro_pubkey *account, const petro_asset *asset,
                                bool *found);
petro_result petro__op_get_asset(petro__op_ctx *ctx, petro_asset_info *info,
                                 const petro_asset *asset, bool *found);

/* Typed writes into the transaction overlay. PETRO_OK or PETRO_ERR_NOMEM. */
petro_result petro__op_put_account(petro__op_ctx *ctx, const petro_account *acct);
petro_result petro__op_put_line(petro__op_ctx *ctx, const petro_pubkey *account,
                                const petro_asset *asset, const petro_trust_line *line);
petro_result petro__op_del_line(petro__op_ctx *ctx, const petro_pubkey *account,
                                const petro_asset *asset);
petro_result petro__op_put_asset(petro__op_ctx *ctx, const petro_asset_info *info);

/* Raw access for families with their own key prefixes (documented in docs/protocol.md);
 * never 'A', 'T', 'S' (use the typed helpers) or 'M' (asserted). get copies at most
 * value_cap bytes; a larger value is PETRO_ERR_CORRUPT. */
petro_result petro__op_get_raw(petro__op_ctx *ctx, const uint8_t *key, size_t key_size,
                               uint8_t *value, size_t value_cap, size_t *value_size,
                               bool *found);
petro_result petro__op_put_raw(petro__op_ctx *ctx, const uint8_t *key, size_t key_size,
                               const uint8_t *value, size_t value_size);
petro_result petro__op_del_raw(petro__op_ctx *ctx, const uint8_t *key, size_t key_size);

/* Counter helpers for holder_count / trust_line_count: PETRO_ERR_AMOUNT_OVERFLOW at the ends. */
petro_result petro__count_inc(uint32_t *count);
petro_result petro__count_dec(uint32_t *count);

/* ---------------------------------------------------------------- families */

/* accounts.c */
petro_result petro__op_create_account(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_set_signer(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_set_thresholds(petro__op_ctx *ctx, const petro_op *op);
/* payments.c */
petro_result petro__op_payment(petro__op_ctx *ctx, const petro_op *op);
/* assets.c */
petro_result petro__op_create_asset(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_change_trust(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_authorize_trust(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_issue(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_redeem(petro__op_ctx *ctx, const petro_op *op);
/* reserves.c: ops, the reserve cap (also consulted by issue), the tx codec of its ops
 * (called from tx.c) and the genesis reserve section (called from ledger.c). */
petro_result petro__op_attest_reserve(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_oracle_price(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_issue_reserve(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_redeem_reserve(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_fulfill_redemption(petro__op_ctx *ctx, const petro_op *op);
/* PETRO_OK if asset is not reserve-backed or supply_after is within its cap at the block's
 * time; else PETRO_ERR_RESERVE_CAP_EXCEEDED. */
petro_result petro__reserves_check_cap(petro__op_ctx *ctx, const petro_asset *asset,
                                       petro_amount supply_after);
struct petro__writer;
struct petro__reader;
petro_result petro__reserves_check_op(const petro_op *op);
void petro__reserves_encode_op(struct petro__writer *w, const petro_op *op);
void petro__reserves_decode_op(struct petro__reader *r, petro_op *op);
petro_result petro__reserves_genesis_check(const petro_genesis *g);
void petro__reserves_genesis_encode(struct petro__writer *w, const petro_genesis *g);
void petro__reserves_genesis_decode(struct petro__reader *r, petro_genesis *g);
/* Writes the reserve configuration and the genesis attestations (ctx: height 0). */
petro_result petro__reserves_genesis_apply(petro__op_ctx *ctx, const petro_genesis *g);
/* zones.c: ops, their codec, the genesis zones section, the receiving zone's policy (also
 * applied by payment and trade releases) and text helpers shared with trade.c. */
petro_result petro__op_zone_create(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_zone_policy(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_zone_assign(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_set_kyc_tier(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_trade_target(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__zones_check_op(const petro_op *op);
void petro__zones_encode_op(struct petro__writer *w, const petro_op *op);
void petro__zones_decode_op(struct petro__reader *r, petro_op *op);
petro_result petro__zones_genesis_check(const petro_genesis *g);
void petro__zones_genesis_encode(struct petro__writer *w, const petro_genesis *g);
void petro__zones_genesis_decode(struct petro__reader *r, petro_genesis *g);
petro_result petro__zones_genesis_apply(petro__op_ctx *ctx, const petro_genesis *g);
/* The payee's zone policy for amount of asset paid by payer: PETRO_OK with *fee =
 * floor(amount * fee_bps / 10000), or zone_asset_not_allowed / zone_limit_exceeded /
 * zone_kyc_tier_low. No zone: PETRO_OK, fee 0. */
petro_result petro__zones_inbound(petro__op_ctx *ctx, const petro_account *payer,
                                  const petro_account *payee, const petro_asset *asset,
                                  petro_amount amount, petro_amount *fee);
petro_result petro__zones_fee(petro_amount amount, uint16_t fee_bps, petro_amount *fee);
/* Destroys fee units already taken out of balances: adds them to the asset's burned. */
petro_result petro__zones_burn(petro__op_ctx *ctx, const petro_asset *asset, petro_amount fee);
bool petro__trade_country_ok(const char *c);
void petro__trade_w_country(struct petro__writer *w, const char *c);
void petro__trade_r_country(struct petro__reader *r, char *c);
/* trade.c: ops, their codec, and the escrow of a stored contract record (invariants). */
petro_result petro__op_trade_create(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_trade_fund(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_trade_present(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_trade_approve(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_trade_release(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_trade_refund(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_trade_dispute(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_trade_resolve(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__op_trade_amend(petro__op_ctx *ctx, const petro_op *op);
petro_result petro__trade_check_op(const petro_op *op);
void petro__trade_encode_op(struct petro__writer *w, const petro_op *op);
void petro__trade_decode_op(struct petro__reader *r, petro_op *op);
#define PETRO__KEY_TRADE_CONTRACT_PREFIX "Cc" /* 'C' 'c' id: contract records */
petro_result petro__trade_contract_locked(const uint8_t *value, size_t size, petro_asset *asset,
                                          petro_amount *locked);

#endif
