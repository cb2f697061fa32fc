/* Operation family "assets": create_asset, change_trust, authorize_trust, issue, redeem
 * (docs/protocol.md, "Operation rules"; checks in their order of precedence).
 *
 * Invariants kept, per issued asset: sum of balances == issued - redeemed; holder_count ==
 * number of trust lines; issued - redeemed <= PETRO_SUPPLY_MAX; the issuer never holds a line
 * of its own asset; each account's trust_line_count == its number of issued-asset lines. */
#include <string.h>

#include "internal.h"
#include "ops.h"
#include "state.h"

/* The issued asset (code, issuer). */
static petro_asset issued_asset(const char *code, const petro_pubkey *issuer) {
    petro_asset a;
    memset(&a, 0, sizeof a);
    a.kind = PETRO_ASSET_ISSUED;
    memcpy(a.code, code, PETRO_ASSET_CODE_SIZE_MAX);
    a.code[PETRO_ASSET_CODE_SIZE_MAX] = '\0';
    a.issuer = *issuer;
    return a;
}

static petro_result op_create_asset(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_CREATE_ASSET);
    const petro_op_create_asset *o = &op->u.create_asset;
    if (petro_asset_code_check(o->code) != PETRO_OK) return PETRO_ERR_BAD_ASSET_CODE;
    if ((o->flags & ~(uint32_t)PETRO_ASSET_FLAGS_ALL) != 0) return PETRO_ERR_BAD_FLAGS;
    petro_asset_info info;
    petro_asset asset = issued_asset(o->code, &ctx->source);
    bool found;
    petro_result rc = petro__op_get_asset(ctx, &info, &asset, &found);
    if (rc != PETRO_OK) return rc;
    if (found) return PETRO_ERR_ASSET_EXISTS;
    memset(&info, 0, sizeof info);
    info.asset = asset;
    info.flags = o->flags;
    info.created_height = ctx->height;
    return petro__op_put_asset(ctx, &info);
}

static petro_result op_change_trust(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_CHANGE_TRUST);
    const petro_op_change_trust *o = &op->u.change_trust;
    if (o->asset.kind != PETRO_ASSET_ISSUED) return PETRO_ERR_NOT_SUPPORTED;
    if (o->limit < 0) return PETRO_ERR_AMOUNT_NEGATIVE; /* static check, re-asserted */
    if (petro_pubkey_equal(&o->asset.issuer, &ctx->source)) return PETRO_ERR_ISSUER_CANNOT_HOLD;
    petro_asset_info info;
    bool found;
    petro_result rc = petro__op_get_asset(ctx, &info, &o->asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_ASSET;

    petro_trust_line line;
    bool has_line;
    rc = petro__op_get_line(ctx, &line, &ctx->source, &o->asset, &has_line);
    if (rc != PETRO_OK) return rc;

    if (has_line && o->limit > 0) {
        /* Update the limit only. */
        if (o->limit < line.balance) return PETRO_ERR_LIMIT_BELOW_BALANCE;
        line.limit = o->limit;
        return petro__op_put_line(ctx, &ctx->source, &o->asset, &line);
    }
    if (!has_line && o->limit == 0) return PETRO_OK; /* removing an absent line: no-op */
    if (has_line && line.balance != 0) return PETRO_ERR_TRUST_HAS_BALANCE;

    /* Create or remove: the line, the account's line count and the asset's holder count. */
    petro_account acct;
    rc = petro__op_get_account(ctx, &acct, &ctx->source, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_CORRUPT;
    if (has_line) {
        rc = petro__count_dec(&acct.trust_line_count);
        if (rc == PETRO_OK) rc = petro__count_dec(&info.holder_count);
        if (rc == PETRO_OK) rc = petro__op_del_line(ctx, &ctx->source, &o->asset);
    } else {
        memset(&line, 0, sizeof line);
        line.limit = o->limit;
        if ((info.flags & PETRO_ASSET_FLAG_AUTH_REQUIRED) == 0) {
            line.flags = PETRO_TRUST_FLAG_AUTHORIZED;
        }
        rc = petro__count_inc(&acct.trust_line_count);
        if (rc == PETRO_OK) rc = petro__count_inc(&info.holder_count);
        if (rc == PETRO_OK) rc = petro__op_put_line(ctx, &ctx->source, &o->asset, &line);
    }
    if (rc == PETRO_OK) rc = petro__op_put_account(ctx, &acct);
    if (rc == PETRO_OK) rc = petro__op_put_asset(ctx, &info);
    return rc;
}

static petro_result op_authorize_trust(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_AUTHORIZE_TRUST);
    const petro_op_authorize_trust *o = &op->u.authorize_trust;
    if (petro_asset_code_check(o->code) != PETRO_OK) return PETRO_ERR_BAD_ASSET_CODE;
    if (o->authorize > 1) return PETRO_ERR_BAD_FLAGS; /* static check, re-asserted */
    petro_asset asset = issued_asset(o->code, &ctx->source);
    petro_asset_info info;
    bool found;
    petro_result rc = petro__op_get_asset(ctx, &info, &asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_ASSET;
    petro_trust_line line;
    rc = petro__op_get_line(ctx, &line, &o->trustor, &asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_TRUST;
    if (o->authorize == 0 && (info.flags & PETRO_ASSET_FLAG_REVOCABLE) == 0) {
        return PETRO_ERR_BAD_FLAGS;
    }
    if (o->authorize != 0) {
        line.flags |= PETRO_TRUST_FLAG_AUTHORIZED;
    } else {
        line.flags &= ~(uint32_t)PETRO_TRUST_FLAG_AUTHORIZED;
    }
    return petro__op_put_line(ctx, &o->trustor, &asset, &line);
}

static petro_result op_issue(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_ISSUE);
    const petro_op_issue *o = &op->u.issue;
    if (petro_asset_code_check(o->code) != PETRO_OK) return PETRO_ERR_BAD_ASSET_CODE;
    if (o->amount <= 0) return PETRO_ERR_AMOUNT_ZERO; /* static check, re-asserted */
    petro_asset asset = issued_asset(o->code, &ctx->source);
    petro_asset_info info;
    bool found;
    petro_result rc = petro__op_get_asset(ctx, &info, &asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_ASSET;
    petro_account dest;
    rc = petro__op_get_account(ctx, &dest, &o->destination, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_DESTINATION;
    if (petro_pubkey_equal(&o->destination, &ctx->source)) return PETRO_ERR_ISSUER_CANNOT_HOLD;
    petro_trust_line line;
    rc = petro__op_get_line(ctx, &line, &o->destination, &asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_TRUST;
    if ((line.flags & PETRO_TRUST_FLAG_AUTHORIZED) == 0) return PETRO_ERR_NOT_AUTHORIZED;

    petro_amount outstanding, after;
    rc = petro_amount_sub(&outstanding, info.issued, info.redeemed);
    if (rc != PETRO_OK) return PETRO_ERR_CORRUPT; /* 0 <= redeemed <= issued when intact */
    if (petro_amount_add(&after, outstanding, o->amount) != PETRO_OK ||
        after > PETRO_SUPPLY_MAX) {
        return PETRO_ERR_SUPPLY_EXCEEDED;
    }
    rc = petro__issue_hooks(ctx, &asset, after); /* e.g. reserves: coverage caps the supply */
    if (rc != PETRO_OK) return rc;
    petro_amount credited;
    rc = petro_amount_add(&credited, line.balance, o->amount);
    if (rc != PETRO_OK) return rc;
    if (credited > line.limit) return PETRO_ERR_LINE_FULL;
    /* issued counts every unit ever created, so after many issue/redeem cycles it can reach
     * the int64 range even though the supply cannot: amount_overflow. */
    rc = petro_amount_add(&info.issued, info.issued, o->amount);
    if (rc != PETRO_OK) return rc;
    line.balance = credited;
    rc = petro__op_put_line(ctx, &o->destination, &asset, &line);
    if (rc == PETRO_OK) rc = petro__op_put_asset(ctx, &info);
    return rc;
}

static petro_result op_redeem(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_REDEEM);
    const petro_op_redeem *o = &op->u.redeem;
    if (o->asset.kind != PETRO_ASSET_ISSUED) return PETRO_ERR_NOT_SUPPORTED;
    if (o->amount <= 0) return PETRO_ERR_AMOUNT_ZERO; /* static check, re-asserted */
    petro_asset_info info;
    bool found;
    petro_result rc = petro__op_get_asset(ctx, &info, &o->asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_ASSET;
    petro_trust_line line;
    rc = petro__op_get_line(ctx, &line, &ctx->source, &o->asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_TRUST;
    if (line.balance < o->amount) return PETRO_ERR_BALANCE_LOW;
    rc = petro_amount_sub(&line.balance, line.balance, o->amount);
    if (rc == PETRO_OK) rc = petro_amount_add(&info.redeemed, info.redeemed, o->amount);
    if (rc != PETRO_OK) return rc;
    rc = petro__op_put_line(ctx, &ctx->source, &o->asset, &line);
    if (rc == PETRO_OK) rc = petro__op_put_asset(ctx, &info);
    return rc;
}

/* ---------------------------------------------------------------- family */

static petro_result check_create_asset(const petro_op *op) {
    petro_result rc = petro_asset_code_check(op->u.create_asset.code);
    if (rc != PETRO_OK) return rc;
    if ((op->u.create_asset.flags & ~PETRO_ASSET_FLAGS_ALL) != 0) return PETRO_ERR_BAD_FLAGS;
    return PETRO_OK;
}

static petro_result check_change_trust(const petro_op *op) {
    petro_result rc = petro__check_asset(&op->u.change_trust.asset);
    if (rc != PETRO_OK) return rc;
    return petro__check_non_negative(op->u.change_trust.limit);
}

static petro_result check_authorize_trust(const petro_op *op) {
    petro_result rc = petro_asset_code_check(op->u.authorize_trust.code);
    if (rc != PETRO_OK) return rc;
    return op->u.authorize_trust.authorize <= 1 ? PETRO_OK : PETRO_ERR_MALFORMED;
}

static petro_result check_issue(const petro_op *op) {
    petro_result rc = petro_asset_code_check(op->u.issue.code);
    if (rc != PETRO_OK) return rc;
    return petro__check_positive(op->u.issue.amount);
}

static petro_result check_redeem(const petro_op *op) {
    petro_result rc = petro__check_asset(&op->u.redeem.asset);
    if (rc != PETRO_OK) return rc;
    return petro__check_positive(op->u.redeem.amount);
}

/* The issuer a redemption goes to: an issued asset's issuer, or PTR's treasury. */
static petro_result redeem_accounts(petro__account_list *l, const petro_store *state,
                                    const petro_op *op) {
    return petro__add_issuer(l, state, &op->u.redeem.asset);
}

static const char *const asset_flag_names[] = {"auth_required", "revocable"};

static const petro_field create_asset_fields[] = {
    PETRO__F(petro_op_create_asset, code, "code", PETRO_FIELD_CODE,
             .doc = "1..12 of A-Z 0-9, not PTR; the issuer is the source"),
    PETRO__F(petro_op_create_asset, flags, "flags", PETRO_FIELD_U32,
             .flags = PETRO_FIELD_F_FLAGS | PETRO_FIELD_F_OPTIONAL, .max = PETRO_ASSET_FLAGS_ALL,
             .names = asset_flag_names, .name_count = 2,
             .doc = "bit 0 auth_required (lines need authorising), bit 1 revocable"),
};
static const petro_field change_trust_fields[] = {
    PETRO__F(petro_op_change_trust, asset, "asset", PETRO_FIELD_ASSET,
             .doc = "CODE:ISSUER of an existing asset"),
    PETRO__F(petro_op_change_trust, limit, "limit", PETRO_FIELD_AMOUNT, .min = 0,
             .max = PETRO_SUPPLY_MAX, .doc = "most the line may hold; 0 removes the line"),
};
static const petro_field authorize_trust_fields[] = {
    PETRO__F(petro_op_authorize_trust, trustor, "trustor", PETRO_FIELD_PUBKEY,
             .flags = PETRO_FIELD_F_PARTY, .doc = "the holder of the trust line"),
    PETRO__F(petro_op_authorize_trust, code, "code", PETRO_FIELD_CODE,
             .doc = "the source's asset code"),
    PETRO__F(petro_op_authorize_trust, authorize, "authorize", PETRO_FIELD_BOOL,
             .doc = "true authorises, false revokes"),
};
static const petro_field issue_fields[] = {
    PETRO__F(petro_op_issue, destination, "destination", PETRO_FIELD_PUBKEY,
             .flags = PETRO_FIELD_F_PARTY, .doc = "the receiving holder"),
    PETRO__F(petro_op_issue, code, "code", PETRO_FIELD_CODE, .doc = "the source's asset code"),
    PETRO__F(petro_op_issue, amount, "amount", PETRO_FIELD_AMOUNT, .min = 1,
             .max = PETRO_SUPPLY_MAX, .doc = "new units created, > 0"),
};
static const petro_field redeem_fields[] = {
    PETRO__F(petro_op_redeem, asset, "asset", PETRO_FIELD_ASSET,
             .doc = "CODE:ISSUER of an issued asset"),
    PETRO__F(petro_op_redeem, amount, "amount", PETRO_FIELD_AMOUNT, .min = 1,
             .max = PETRO_SUPPLY_MAX, .doc = "units returned to the issuer and destroyed"),
};

#define OP(t, nm, th, st, fl, sum) PETRO__OP_SCHEMA("assets", t, nm, th, st, fl, sum)

static const petro__op_def ops[] = {
    {OP(PETRO_OP_CREATE_ASSET, "create_asset", PETRO_THRESHOLD_MEDIUM, petro_op_create_asset,
        create_asset_fields, "create an asset issued by the source"),
     .check = check_create_asset, .apply = op_create_asset},
    {OP(PETRO_OP_CHANGE_TRUST, "change_trust", PETRO_THRESHOLD_MEDIUM, petro_op_change_trust,
        change_trust_fields, "open, change or close (limit 0) a trust line"),
     .check = check_change_trust, .apply = op_change_trust},
    {OP(PETRO_OP_AUTHORIZE_TRUST, "authorize_trust", PETRO_THRESHOLD_LOW,
        petro_op_authorize_trust, authorize_trust_fields,
        "the issuer authorises or revokes a holder's trust line"),
     .check = check_authorize_trust, .apply = op_authorize_trust},
    {OP(PETRO_OP_ISSUE, "issue", PETRO_THRESHOLD_MEDIUM, petro_op_issue, issue_fields,
        "the issuer creates new units at a holder"),
     .check = check_issue, .apply = op_issue},
    {OP(PETRO_OP_REDEEM, "redeem", PETRO_THRESHOLD_MEDIUM, petro_op_redeem, redeem_fields,
        "a holder returns units to their issuer, which destroys them"),
     .check = check_redeem, .apply = op_redeem, .accounts = redeem_accounts},
};

const petro__family petro__family_assets = {
    .info = {.name = "assets", .summary = "issued assets, trust lines, issue and redeem",
             .op_count = PETRO__COUNT(ops)},
    .ops = ops,
};
