/* Per-account history: the accounts a transaction touches. petrod writes one history entry
 * (acct_txs, GET /v1/accounts/{address}/transactions, `petro history`) per included
 * transaction and listed account; docs/api.md says what the history lists. */
#ifndef PETRO_HISTORY_H
#define PETRO_HISTORY_H

#include <stddef.h>

#include "limits.h"
#include "store.h"
#include "trade_ops.h"
#include "tx.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most accounts petro_tx_accounts lists for one transaction: the source, plus per operation
 * at most 1 + PETRO_TRADE_APPROVERS_MAX (trade_create: the exporter and the approvers). */
#define PETRO_TX_ACCOUNTS_MAX (1 + PETRO_TX_OPS_MAX * (1 + PETRO_TRADE_APPROVERS_MAX))

/** List the accounts a transaction touches, each once, in order of first appearance: the
 *  source, then per operation in op order:
 *    create_account, payment, issue, issue_reserve: the destination;
 *    authorize_trust: the trustor;        zone_assign, set_kyc_tier: the account;
 *    redeem, redeem_reserve: the asset's issuer (for PTR, the treasury of the reserve
 *      configuration read from state);
 *    fulfill_redemption: the request's holder (from state);
 *    trade_create: the exporter and every approver;
 *    trade_fund .. trade_amend (31..38): the contract's importer and exporter (from state);
 *    every other op: nothing beyond the source.
 *  Parties read from state are skipped when the record is absent (the operation failed) or
 *  when state is NULL. A contract's importer, exporter and approvers and a redemption's
 *  holder never change once written, so any state at or after the transaction's block
 *  gives the same list.
 *  Returns: PETRO_OK; PETRO_ERR_BUFFER_TOO_SMALL if out_cap is below the count (never when
 *           out_cap >= PETRO_TX_ACCOUNTS_MAX); PETRO_ERR_MALFORMED for an op type the
 *           decoder never yields; PETRO_ERR_IO / PETRO_ERR_CORRUPT from state reads.
 *  Out:     out:     out[0 .. *count) on PETRO_OK.
 *           count:   the number listed; 0 on failure.
 *  In:      out_cap: entries out holds.
 *           tx:      a decoded transaction; borrowed for the call only.
 *           state:   the state to read contract, redemption and reserve records from, or
 *                    NULL; read only.
 *  Threads: deterministic and allocation-free; safe to call concurrently if state is. */
PETRO_API PETRO_MUST_USE petro_result petro_tx_accounts(petro_pubkey *out, size_t out_cap,
                                                        size_t *count, const petro_tx *tx,
                                                        const petro_store *state);

#ifdef __cplusplus
}
#endif
#endif
