/* The accounts a transaction touches (petro/history.h), for the per-account history index.
 *
 * Design: one pass over the ops in order, appending each account at its first appearance
 * into the caller's array (a linear scan: at most PETRO_TX_ACCOUNTS_MAX entries, a handful
 * in practice). Accounts an op names are taken from the op; parties an op only refers to (a
 * contract's importer and exporter, a redemption's holder, PTR's treasury) are read from
 * state. No allocation; nothing is written. */
#include "petro/history.h"

#include <string.h>

#include "internal.h"
#include "petro/reserves.h"
#include "petro/trade.h"

_Static_assert(PETRO_TX_ACCOUNTS_MAX <= 1024, "the list stays small enough for the stack");

typedef struct account_list {
    petro_pubkey *out;
    size_t cap;
    size_t count;
} account_list;

static petro_result list_add(account_list *l, const petro_pubkey *k) {
    for (size_t i = 0; i < l->count; i++) {
        if (petro_pubkey_equal(&l->out[i], k)) return PETRO_OK;
    }
    if (l->count >= l->cap) return PETRO_ERR_BUFFER_TOO_SMALL;
    l->out[l->count++] = *k;
    return PETRO_OK;
}

/* The parties of a trade contract; nothing if state is NULL or has no such contract. */
static petro_result add_contract_parties(account_list *l, const petro_store *state,
                                         uint64_t contract_id) {
    if (state == NULL) return PETRO_OK;
    petro_trade_contract c;
    petro_result rc = petro_trade_get(state, &c, contract_id);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_OK;
    if (rc != PETRO_OK) return rc;
    rc = list_add(l, &c.importer);
    if (rc == PETRO_OK) rc = list_add(l, &c.terms.exporter);
    return rc;
}

static petro_result add_redemption_holder(account_list *l, const petro_store *state,
                                          uint64_t request_id) {
    if (state == NULL) return PETRO_OK;
    petro_redemption q;
    petro_result rc = petro_reserves_get_redemption(state, request_id, &q);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_OK;
    if (rc != PETRO_OK) return rc;
    return list_add(l, &q.holder);
}

/* The issuer a redemption of asset goes to: an issued asset's issuer, or for PTR the treasury
 * of the reserve configuration (nothing without state or configuration). */
static petro_result add_issuer(account_list *l, const petro_store *state,
                               const petro_asset *asset) {
    if (asset->kind == PETRO_ASSET_ISSUED) return list_add(l, &asset->issuer);
    if (state == NULL) return PETRO_OK;
    petro_reserve_config cfg;
    petro_result rc = petro_reserves_config(state, &cfg);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_OK;
    if (rc != PETRO_OK) return rc;
    return list_add(l, &cfg.treasury);
}

static petro_result add_trade_create(account_list *l, const petro_op_trade_create *o) {
    PETRO_ASSERT(o->approver_count <= PETRO_TRADE_APPROVERS_MAX);
    petro_result rc = list_add(l, &o->exporter);
    for (uint8_t i = 0; rc == PETRO_OK && i < o->approver_count; i++) {
        rc = list_add(l, &o->approvers[i]);
    }
    return rc;
}

static petro_result add_op(account_list *l, const petro_store *state, const petro_op *op) {
    const petro_op_type type = (petro_op_type)op->type;
    switch (type) {
    case PETRO_OP_CREATE_ACCOUNT: return list_add(l, &op->u.create_account.destination);
    case PETRO_OP_PAYMENT: return list_add(l, &op->u.payment.destination);
    case PETRO_OP_AUTHORIZE_TRUST: return list_add(l, &op->u.authorize_trust.trustor);
    case PETRO_OP_ISSUE: return list_add(l, &op->u.issue.destination);
    case PETRO_OP_REDEEM: return add_issuer(l, state, &op->u.redeem.asset);
    case PETRO_OP_ISSUE_RESERVE: return list_add(l, &op->u.issue_reserve.destination);
    case PETRO_OP_REDEEM_RESERVE: return add_issuer(l, state, &op->u.redeem_reserve.asset);
    case PETRO_OP_FULFILL_REDEMPTION:
        return add_redemption_holder(l, state, op->u.fulfill_redemption.request_id);
    case PETRO_OP_TRADE_CREATE: return add_trade_create(l, &op->u.trade_create);
    case PETRO_OP_TRADE_FUND:
    case PETRO_OP_TRADE_REFUND:
        return add_contract_parties(l, state, op->u.trade_id.contract_id);
    case PETRO_OP_TRADE_PRESENT:
        return add_contract_parties(l, state, op->u.trade_present.contract_id);
    case PETRO_OP_TRADE_APPROVE:
        return add_contract_parties(l, state, op->u.trade_approve.contract_id);
    case PETRO_OP_TRADE_RELEASE:
        return add_contract_parties(l, state, op->u.trade_release.contract_id);
    case PETRO_OP_TRADE_DISPUTE:
        return add_contract_parties(l, state, op->u.trade_dispute.contract_id);
    case PETRO_OP_TRADE_RESOLVE:
        return add_contract_parties(l, state, op->u.trade_resolve.contract_id);
    case PETRO_OP_TRADE_AMEND:
        return add_contract_parties(l, state, op->u.trade_amend.contract_id);
    case PETRO_OP_ZONE_ASSIGN: return list_add(l, &op->u.zone_assign.account);
    case PETRO_OP_SET_KYC_TIER: return list_add(l, &op->u.set_kyc_tier.account);
    case PETRO_OP_SET_SIGNER:
    case PETRO_OP_SET_THRESHOLDS:
    case PETRO_OP_CREATE_ASSET:
    case PETRO_OP_CHANGE_TRUST:
    case PETRO_OP_ATTEST_RESERVE:
    case PETRO_OP_ORACLE_PRICE:
    case PETRO_OP_ZONE_CREATE:
    case PETRO_OP_ZONE_POLICY:
    case PETRO_OP_TRADE_TARGET:
        return PETRO_OK; /* they change the source's state (or none) only */
    }
    return PETRO_ERR_MALFORMED;
}

petro_result petro_tx_accounts(petro_pubkey *out, size_t out_cap, size_t *count,
                               const petro_tx *tx, const petro_store *state) {
    PETRO_ASSERT(count != NULL);
    PETRO_ASSERT(tx != NULL);
    *count = 0;
    PETRO_ASSERT(out != NULL || out_cap == 0);
    PETRO_ASSERT(tx->op_count <= PETRO_TX_OPS_MAX);
    account_list l = {out, out_cap, 0};
    petro_result rc = list_add(&l, &tx->source);
    for (uint8_t i = 0; rc == PETRO_OK && i < tx->op_count; i++) {
        rc = add_op(&l, state, &tx->ops[i]);
    }
    if (rc != PETRO_OK) return rc;
    PETRO_ASSERT(l.count >= 1 && l.count <= PETRO_TX_ACCOUNTS_MAX);
    *count = l.count;
    return PETRO_OK;
}
