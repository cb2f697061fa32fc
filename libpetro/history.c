/* The accounts a transaction touches (petro/history.h), for the per-account history index.
 *
 * Design: one pass over the ops in order, appending each account at its first appearance
 * into the caller's array (a linear scan: at most PETRO_TX_ACCOUNTS_MAX entries, a handful
 * in practice). Accounts an op names are its schema's PARTY fields; parties an op only refers
 * to (a contract's importer and exporter, a redemption's holder, PTR's treasury) are added by
 * the op's family (petro__op_def.accounts), from state. No allocation; nothing is written. */
#include "petro/history.h"

#include <string.h>

#include "internal.h"
#include "ops/ops.h"

_Static_assert(PETRO_TX_ACCOUNTS_MAX <= 1024, "the list stays small enough for the stack");

/* The accounts named in op's PARTY fields (pubkeys and lists of pubkeys), in field order. */
static petro_result add_party_fields(petro__account_list *l, const petro_op_schema *schema,
                                     const petro_op *op) {
    const uint8_t *base = petro_op_fields_const(op);
    petro_result rc = PETRO_OK;
    for (uint8_t i = 0; rc == PETRO_OK && i < schema->field_count; i++) {
        const petro_field *f = &schema->fields[i];
        if ((f->flags & PETRO_FIELD_F_PARTY) == 0) continue;
        PETRO_ASSERT(f->kind == PETRO_FIELD_PUBKEY);
        uint8_t count = f->list_max == 0 ? 1 : base[f->count_offset];
        PETRO_ASSERT(f->list_max == 0 || count <= f->list_max);
        for (uint8_t j = 0; rc == PETRO_OK && j < count; j++) {
            petro_pubkey k;
            memcpy(k.bytes, base + f->offset + (size_t)j * f->elem_size, sizeof k.bytes);
            rc = petro__account_list_add(l, &k);
        }
    }
    return rc;
}

/* Parties named in the op's fields, then those its family finds (from state). */
static petro_result add_op(petro__account_list *l, const petro_store *state, const petro_op *op) {
    const petro__op_def *def = petro__op_def_of(op->type);
    if (def == NULL) return PETRO_ERR_MALFORMED;
    petro_result rc = add_party_fields(l, &def->schema, op);
    if (rc == PETRO_OK && def->accounts != NULL) rc = def->accounts(l, state, op);
    return rc;
}

petro_result petro_tx_accounts(petro_pubkey *out, size_t out_cap, size_t *count,
                               const petro_tx *tx, const petro_store *state) {
    PETRO_ASSERT(count != NULL);
    PETRO_ASSERT(tx != NULL);
    *count = 0;
    PETRO_ASSERT(out != NULL || out_cap == 0);
    PETRO_ASSERT(tx->op_count <= PETRO_TX_OPS_MAX);
    petro__account_list l = {out, out_cap, 0};
    petro_result rc = petro__account_list_add(&l, &tx->source);
    for (uint8_t i = 0; rc == PETRO_OK && i < tx->op_count; i++) {
        rc = add_op(&l, state, &tx->ops[i]);
    }
    if (rc != PETRO_OK) return rc;
    PETRO_ASSERT(l.count >= 1 && l.count <= PETRO_TX_ACCOUNTS_MAX);
    *count = l.count;
    return PETRO_OK;
}
