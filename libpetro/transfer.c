/* The core transfer path (ops/ops.h, docs/architecture.md "The transfer path"): the one place
 * where value moves into an account's balance, and where the families' policy hooks run.
 *
 * Design. Operations keep their own rules and their own order of checks (which results a
 * transaction gets is part of the protocol), then hand the movement to petro__transfer_run.
 * It runs every registered on_transfer hook in registry order, so a policy family (zones
 * today; compliance next) applies to payments, escrow releases and every future movement
 * without the paying family knowing it exists; then it debits, credits and burns the fee.
 * Lines the caller already read are passed in, so the hot path reads each record once. */
#include <string.h>

#include "internal.h"
#include "ops/ops.h"
#include "state.h"

petro_result petro__load_line(petro__op_ctx *ctx, petro_trust_line *line,
                              const petro_pubkey *account, const petro_asset *asset) {
    bool found;
    petro_result rc = petro__op_get_line(ctx, line, account, asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return asset->kind == PETRO_ASSET_NATIVE ? PETRO_ERR_CORRUPT : PETRO_ERR_NO_TRUST;
    if ((line->flags & PETRO_TRUST_FLAG_AUTHORIZED) == 0) return PETRO_ERR_NOT_AUTHORIZED;
    return PETRO_OK;
}

static petro_result run_hooks(petro__op_ctx *ctx, petro__transfer *t) {
    for (size_t i = 0; i < petro__family_count(); i++) {
        const petro__family *f = petro__family_get(i);
        if (f->on_transfer == NULL) continue;
        petro_result rc = f->on_transfer(ctx, t);
        if (rc != PETRO_OK) return rc;
    }
    /* A fee is a part of the amount: hooks never charge more than they move. */
    if (t->fee < 0 || t->fee > t->amount) return PETRO_ERR_CORRUPT;
    return PETRO_OK;
}

/* *line: the account's line as the caller read it, or NULL: then own is loaded and used. */
static petro_result line_or_load(petro__op_ctx *ctx, petro_trust_line **line,
                                 petro_trust_line *own, const petro_pubkey *account,
                                 const petro_asset *asset) {
    if (*line != NULL) return PETRO_OK;
    *line = own;
    return petro__load_line(ctx, own, account, asset);
}

/* line: the account's line as the caller read it, or NULL to load it. */
static petro_result debit(petro__op_ctx *ctx, const petro_pubkey *account,
                          const petro_asset *asset, petro_trust_line *line,
                          petro_amount amount) {
    if (amount == 0) return PETRO_OK;
    petro_trust_line own;
    petro_result rc = line_or_load(ctx, &line, &own, account, asset);
    if (rc != PETRO_OK) return rc;
    if (line->balance < amount) return PETRO_ERR_BALANCE_LOW;
    line->balance -= amount; /* 0 < amount <= balance */
    PETRO_DEBUG_ASSERT(line->balance >= 0 && line->balance <= line->limit);
    return petro__op_put_line(ctx, account, asset, line);
}

static petro_result credit(petro__op_ctx *ctx, const petro_pubkey *account,
                           const petro_asset *asset, petro_trust_line *line,
                           petro_amount amount) {
    if (amount == 0) return PETRO_OK;
    petro_trust_line own;
    petro_result rc = line_or_load(ctx, &line, &own, account, asset);
    if (rc != PETRO_OK) return rc;
    petro_amount after;
    rc = petro_amount_add(&after, line->balance, amount);
    if (rc != PETRO_OK) return rc;
    if (after > line->limit) return PETRO_ERR_LINE_FULL;
    line->balance = after;
    PETRO_DEBUG_ASSERT(line->balance > 0 && line->balance <= line->limit);
    return petro__op_put_line(ctx, account, asset, line);
}

petro_result petro__line_debit(petro__op_ctx *ctx, const petro_pubkey *account,
                               const petro_asset *asset, petro_amount amount) {
    return debit(ctx, account, asset, NULL, amount);
}

petro_result petro__line_credit(petro__op_ctx *ctx, const petro_pubkey *account,
                                const petro_asset *asset, petro_amount amount) {
    return credit(ctx, account, asset, NULL, amount);
}

petro_result petro__transfer_run(petro__op_ctx *ctx, petro__transfer *t) {
    PETRO_ASSERT(ctx != NULL && t != NULL && t->to != NULL);
    PETRO_ASSERT(t->amount > 0);
    PETRO_ASSERT(t->fee == 0);
    petro_result rc = run_hooks(ctx, t);
    if (rc != PETRO_OK) return rc;
    if (!t->from_lock) {
        rc = debit(ctx, &t->from, &t->asset, t->from_line, t->amount);
        if (rc != PETRO_OK) return rc;
    }
    rc = credit(ctx, &t->to->id, &t->asset, t->to_line, t->amount - t->fee);
    if (rc == PETRO_OK) rc = petro__burn(ctx, &t->asset, t->fee);
    return rc;
}

petro_result petro__burn(petro__op_ctx *ctx, const petro_asset *asset, petro_amount amount) {
    PETRO_ASSERT(amount >= 0);
    if (amount == 0) return PETRO_OK;
    petro_asset_info info;
    bool found;
    petro_result rc = petro__op_get_asset(ctx, &info, asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_CORRUPT;
    rc = petro_amount_add(&info.burned, info.burned, amount);
    if (rc != PETRO_OK) return rc;
    return petro__op_put_asset(ctx, &info);
}
