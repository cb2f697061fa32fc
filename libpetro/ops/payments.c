/* Operation family "payments": payment of PTR or of an issued asset between two accounts
 * (docs/protocol.md, "Operation rules"; checks in their order of precedence).
 *
 * A payment only moves balance between two existing lines: supply, holder counts and trust
 * line counts never change. The issuer of an asset has no line for it, so it can neither
 * send (no_trust) nor receive (issuer_cannot_hold) its own asset here; it uses issue and
 * holders use redeem. This is the hot path of the benchmark: it reads the destination
 * account, the asset record (issued assets only) and two lines, and writes the two lines.
 * Its own rules come first; the movement itself, with the policy hooks of other families
 * (zones), goes through the core transfer path (petro__transfer_run). */
#include "internal.h"
#include "ops.h"
#include "state.h"

static petro_result op_payment(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_PAYMENT);
    const petro_op_payment *o = &op->u.payment;
    if (o->amount <= 0) return PETRO_ERR_AMOUNT_ZERO; /* static check, re-asserted */

    petro_account dest;
    bool found;
    petro_result rc = petro__op_get_account(ctx, &dest, &o->destination, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_DESTINATION;
    if (petro_pubkey_equal(&o->destination, &ctx->source)) return PETRO_ERR_SELF_NOT_ALLOWED;
    if ((dest.flags & PETRO_ACCOUNT_FLAG_FROZEN) != 0) return PETRO_ERR_DEST_FROZEN;

    if (o->asset.kind == PETRO_ASSET_ISSUED) {
        if (petro_pubkey_equal(&o->destination, &o->asset.issuer)) {
            return PETRO_ERR_ISSUER_CANNOT_HOLD;
        }
        petro_asset_info info;
        rc = petro__op_get_asset(ctx, &info, &o->asset, &found);
        if (rc != PETRO_OK) return rc;
        if (!found) return PETRO_ERR_NO_ASSET;
    } else if (o->asset.kind != PETRO_ASSET_NATIVE) {
        return PETRO_ERR_MALFORMED; /* the decoder never yields another kind */
    }

    petro_trust_line src, dst;
    rc = petro__load_line(ctx, &src, &ctx->source, &o->asset);
    if (rc != PETRO_OK) return rc;
    rc = petro__load_line(ctx, &dst, &o->destination, &o->asset);
    if (rc != PETRO_OK) return rc;

    if (src.balance < o->amount) return PETRO_ERR_BALANCE_LOW;
    petro_amount credited;
    rc = petro_amount_add(&credited, dst.balance, o->amount);
    if (rc != PETRO_OK) return rc;
    if (credited > dst.limit) return PETRO_ERR_LINE_FULL;
    /* The policy hooks (the destination's zone...), the movement and the fee's burn. */
    petro__transfer t = {.from = ctx->source, .to = &dest, .asset = o->asset,
                         .amount = o->amount, .from_line = &src, .to_line = &dst};
    return petro__transfer_run(ctx, &t);
}

/* ---------------------------------------------------------------- family */

static petro_result check_payment(const petro_op *op) {
    petro_result rc = petro__check_asset(&op->u.payment.asset);
    if (rc != PETRO_OK) return rc;
    return petro__check_positive(op->u.payment.amount);
}

static const petro_field payment_fields[] = {
    PETRO__F(petro_op_payment, destination, "destination", PETRO_FIELD_PUBKEY,
             .flags = PETRO_FIELD_F_PARTY, .doc = "the receiving account"),
    PETRO__F(petro_op_payment, asset, "asset", PETRO_FIELD_ASSET, .doc = "PTR or CODE:ISSUER"),
    PETRO__F(petro_op_payment, amount, "amount", PETRO_FIELD_AMOUNT, .min = 1,
             .max = PETRO_SUPPLY_MAX, .doc = "amount sent, > 0"),
};

static const petro__op_def ops[] = {
    {.schema = {.type = PETRO_OP_PAYMENT, .name = "payment", .family = "payments",
                .threshold = PETRO_THRESHOLD_MEDIUM, .size = sizeof(petro_op_payment),
                .summary = "pay an amount of an asset to another account",
                .fields = payment_fields, .field_count = PETRO__COUNT(payment_fields)},
     .check = check_payment, .apply = op_payment},
};

const petro__family petro__family_payments = {
    .info = {.name = "payments", .summary = "payments between accounts",
             .op_count = PETRO__COUNT(ops)},
    .ops = ops,
};
