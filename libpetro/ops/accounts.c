/* Operation family "accounts": create_account, set_signer, set_thresholds
 * (docs/protocol.md, "Operation rules"; checks in their order of precedence).
 *
 * Invariants kept: signers stay sorted strictly ascending by key, never include the account's
 * own key, have weight > 0 and number at most PETRO_SIGNERS_MAX; the total signing weight
 * never falls below max(high threshold, 1), so no operation can lock an account out; every
 * new account has a native balance record and is counted in PTR's holder_count. */
#include <string.h>

#include "internal.h"
#include "ops.h"
#include "state.h"

/* The source account must exist: the ledger checked it before any operation. */
static petro_result load_source(petro__op_ctx *ctx, petro_account *acct) {
    bool found;
    petro_result rc = petro__op_get_account(ctx, acct, &ctx->source, &found);
    if (rc != PETRO_OK) return rc;
    return found ? PETRO_OK : PETRO_ERR_CORRUPT;
}

static petro_result op_create_account(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_CREATE_ACCOUNT);
    const petro_op_create_account *o = &op->u.create_account;
    if (o->starting_balance <= 0) return PETRO_ERR_AMOUNT_ZERO; /* static check, re-asserted */

    petro_account dest;
    bool found;
    petro_result rc = petro__op_get_account(ctx, &dest, &o->destination, &found);
    if (rc != PETRO_OK) return rc;
    if (found) return PETRO_ERR_ACCOUNT_EXISTS;

    const petro_asset native = petro_asset_native();
    petro_trust_line src_line;
    rc = petro__op_get_line(ctx, &src_line, &ctx->source, &native, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_CORRUPT;
    if (src_line.balance < o->starting_balance) return PETRO_ERR_BALANCE_LOW;
    rc = petro_amount_sub(&src_line.balance, src_line.balance, o->starting_balance);
    if (rc != PETRO_OK) return rc;

    petro_asset_info native_info;
    rc = petro__op_get_asset(ctx, &native_info, &native, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_CORRUPT;
    rc = petro__count_inc(&native_info.holder_count);
    if (rc != PETRO_OK) return rc;

    memset(&dest, 0, sizeof dest);
    dest.id = o->destination;
    dest.master_weight = 1;
    dest.created_height = ctx->height;
    const petro_trust_line dest_line = petro__native_line(o->starting_balance);

    rc = petro__op_put_line(ctx, &ctx->source, &native, &src_line);
    if (rc == PETRO_OK) rc = petro__op_put_account(ctx, &dest);
    if (rc == PETRO_OK) rc = petro__op_put_line(ctx, &dest.id, &native, &dest_line);
    if (rc == PETRO_OK) rc = petro__op_put_asset(ctx, &native_info);
    return rc;
}

/* Effective threshold: 0 counts as 1, so an account always needs some weight. */
static uint32_t effective(uint8_t threshold) { return threshold == 0 ? 1u : threshold; }

static petro_result op_set_signer(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_SET_SIGNER);
    const petro_op_set_signer *o = &op->u.set_signer;
    petro_account acct;
    petro_result rc = load_source(ctx, &acct);
    if (rc != PETRO_OK) return rc;
    if (petro_pubkey_equal(&o->signer, &acct.id)) return PETRO_ERR_BAD_SIGNER;

    /* Position of the signer, or where it would be inserted (signers are sorted). */
    uint8_t pos = 0;
    while (pos < acct.signer_count && petro_pubkey_cmp(&acct.signers[pos].key, &o->signer) < 0) {
        pos++;
    }
    bool exists = pos < acct.signer_count && petro_pubkey_equal(&acct.signers[pos].key, &o->signer);

    if (o->weight > 0) {
        if (exists) {
            acct.signers[pos].weight = o->weight;
        } else {
            if (acct.signer_count >= PETRO_SIGNERS_MAX) return PETRO_ERR_TOO_MANY_SIGNERS;
            memmove(&acct.signers[pos + 1], &acct.signers[pos],
                    (size_t)(acct.signer_count - pos) * sizeof acct.signers[0]);
            acct.signers[pos].key = o->signer;
            acct.signers[pos].weight = o->weight;
            acct.signer_count++;
        }
    } else {
        if (!exists) return PETRO_OK; /* removing an absent signer is a no-op */
        memmove(&acct.signers[pos], &acct.signers[pos + 1],
                (size_t)(acct.signer_count - pos - 1) * sizeof acct.signers[0]);
        acct.signer_count--;
        memset(&acct.signers[acct.signer_count], 0, sizeof acct.signers[0]);
    }
    if (petro__account_total_weight(&acct) < effective(acct.threshold_high)) {
        return PETRO_ERR_BAD_THRESHOLDS;
    }
    return petro__op_put_account(ctx, &acct);
}

static petro_result op_set_thresholds(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_SET_THRESHOLDS);
    const petro_op_set_thresholds *o = &op->u.set_thresholds;
    petro_account acct;
    petro_result rc = load_source(ctx, &acct);
    if (rc != PETRO_OK) return rc;
    if (!(o->low <= o->medium && o->medium <= o->high)) return PETRO_ERR_BAD_THRESHOLDS;
    acct.master_weight = o->master_weight;
    if (petro__account_total_weight(&acct) < effective(o->high)) return PETRO_ERR_BAD_THRESHOLDS;
    acct.threshold_low = o->low;
    acct.threshold_medium = o->medium;
    acct.threshold_high = o->high;
    return petro__op_put_account(ctx, &acct);
}

/* ---------------------------------------------------------------- family */

static petro_result check_create_account(const petro_op *op) {
    return petro__check_positive(op->u.create_account.starting_balance);
}

static const petro_field create_account_fields[] = {
    PETRO__F(petro_op_create_account, destination, "destination", PETRO_FIELD_PUBKEY,
             .flags = PETRO_FIELD_F_PARTY, .doc = "the new account's public key"),
    PETRO__F(petro_op_create_account, starting_balance, "starting_balance", PETRO_FIELD_AMOUNT,
             .min = 1, .max = PETRO_SUPPLY_MAX, .doc = "PTR moved from the source, > 0"),
};
static const petro_field set_signer_fields[] = {
    PETRO__F(petro_op_set_signer, signer, "signer", PETRO_FIELD_PUBKEY,
             .doc = "a key other than the account's own"),
    PETRO__F(petro_op_set_signer, weight, "weight", PETRO_FIELD_U8, .max = 255,
             .doc = "its weight; 0 removes the signer"),
};
static const petro_field set_thresholds_fields[] = {
    PETRO__F(petro_op_set_thresholds, master_weight, "master_weight", PETRO_FIELD_U8,
             .max = 255, .doc = "weight of the account's own key"),
    PETRO__F(petro_op_set_thresholds, low, "low", PETRO_FIELD_U8, .max = 255,
             .doc = "weight needed for low-threshold operations"),
    PETRO__F(petro_op_set_thresholds, medium, "medium", PETRO_FIELD_U8, .max = 255,
             .doc = "weight needed for medium-threshold operations"),
    PETRO__F(petro_op_set_thresholds, high, "high", PETRO_FIELD_U8, .max = 255,
             .doc = "weight needed for high-threshold operations"),
};

static const petro__op_def ops[] = {
    {.schema = {.type = PETRO_OP_CREATE_ACCOUNT, .name = "create_account", .family = "accounts",
                .threshold = PETRO_THRESHOLD_MEDIUM, .size = sizeof(petro_op_create_account),
                .summary = "create an account funded with PTR from the source",
                .fields = create_account_fields,
                .field_count = PETRO__COUNT(create_account_fields)},
     .check = check_create_account, .apply = op_create_account},
    {.schema = {.type = PETRO_OP_SET_SIGNER, .name = "set_signer", .family = "accounts",
                .threshold = PETRO_THRESHOLD_HIGH, .size = sizeof(petro_op_set_signer),
                .summary = "add, change or remove (weight 0) a signer of the source account",
                .fields = set_signer_fields, .field_count = PETRO__COUNT(set_signer_fields)},
     .apply = op_set_signer}, /* any u8 weight; the ledger checks the relations */
    {.schema = {.type = PETRO_OP_SET_THRESHOLDS, .name = "set_thresholds", .family = "accounts",
                .threshold = PETRO_THRESHOLD_HIGH, .size = sizeof(petro_op_set_thresholds),
                .summary = "set the source's master weight and low/medium/high thresholds",
                .fields = set_thresholds_fields,
                .field_count = PETRO__COUNT(set_thresholds_fields)},
     .apply = op_set_thresholds},
};

const petro__family petro__family_accounts = {
    .info = {.name = "accounts", .summary = "accounts, their signers and thresholds",
             .op_count = PETRO__COUNT(ops)},
    .ops = ops,
};
