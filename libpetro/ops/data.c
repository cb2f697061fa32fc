/* Operation family "data": an account attaches, replaces or removes a named value of up to 64
 * bytes (docs/protocol.md "Data"), to publish a document's hash, a KYC attestation reference
 * or any small fact under its own key, signed like every transaction.
 *
 * State (prefix 'D', docs/protocol.md "Data: state"):
 *   'D' 'v' account(32) name     the value's bytes (1..64)
 * A name is 1..64 printable ASCII bytes, so keys are at most 98 bytes. Setting a value
 * replaces the old one; an empty value removes the entry, and removing one that does not
 * exist changes nothing. Each entry costs its transaction's fee; the family holds no value,
 * so it has no lock, no genesis section and no transfer hook.
 *
 * This family is written only against ops/ops.h: its fields, checks, apply and parties are
 * declared below once, and the codec, JSON, CLI (`petro op data_set`) and docs come from
 * that. */
#include <string.h>

#include "internal.h"
#include "ops.h"
#include "petro/data_ops.h"

#define KEY_DATA ((uint8_t)'D')
#define SUB_VALUE ((uint8_t)'v')
#define DATA_KEY_MAX (2 + 32 + PETRO_DATA_NAME_MAX)
_Static_assert(DATA_KEY_MAX <= PETRO_STORE_KEY_SIZE_MAX, "data keys fit the store");
_Static_assert(PETRO_DATA_VALUE_MAX <= PETRO_STORE_VALUE_SIZE_MAX, "data values fit");

static size_t key_value(uint8_t *k, const petro_pubkey *account, const char *name) {
    size_t n = strnlen(name, PETRO_DATA_NAME_MAX);
    k[0] = KEY_DATA;
    k[1] = SUB_VALUE;
    memcpy(k + 2, account->bytes, 32);
    memcpy(k + 34, name, n);
    return 34 + n;
}

static petro_result check_data_set(const petro_op *op) {
    const petro_op_data_set *o = &op->u.data_set;
    if (o->name[0] == '\0' || !petro__text_ok(o->name, PETRO_DATA_NAME_MAX)) {
        return PETRO_ERR_BAD_TEXT;
    }
    return o->value_size <= PETRO_DATA_VALUE_MAX ? PETRO_OK : PETRO_ERR_MALFORMED;
}

static petro_result op_data_set(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_DATA_SET);
    const petro_op_data_set *o = &op->u.data_set;
    PETRO_ASSERT(o->value_size <= PETRO_DATA_VALUE_MAX); /* static check, re-asserted */
    uint8_t key[DATA_KEY_MAX];
    size_t key_size = key_value(key, &ctx->source, o->name);
    if (o->value_size == 0) return petro__op_del_raw(ctx, key, key_size);
    return petro__op_put_raw(ctx, key, key_size, o->value, o->value_size);
}

petro_result petro_data_get(const petro_store *state, const petro_pubkey *account,
                            const char *name, uint8_t value[PETRO_DATA_VALUE_MAX],
                            size_t *value_size) {
    PETRO_ASSERT(state != NULL && account != NULL && name != NULL && value_size != NULL);
    *value_size = 0;
    if (name[0] == '\0' || strnlen(name, PETRO_DATA_NAME_MAX + 1) > PETRO_DATA_NAME_MAX ||
        !petro__text_ok(name, PETRO_DATA_NAME_MAX)) {
        return PETRO_ERR_BAD_TEXT;
    }
    uint8_t key[DATA_KEY_MAX];
    size_t key_size = key_value(key, account, name);
    bool found = false;
    size_t size = 0;
    petro_result rc = state->get(state->ctx, key, key_size, value, PETRO_DATA_VALUE_MAX, &size,
                                 &found);
    if (rc == PETRO_ERR_BUFFER_TOO_SMALL) return PETRO_ERR_CORRUPT;
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NOT_FOUND;
    if (size == 0 || size > PETRO_DATA_VALUE_MAX) return PETRO_ERR_CORRUPT;
    *value_size = size;
    return PETRO_OK;
}

static const petro_field data_set_fields[] = {
    PETRO__F(petro_op_data_set, name, "name", PETRO_FIELD_TEXT,
             .text_max = PETRO_DATA_NAME_MAX, .size_min = 1, .doc = "the entry's name, 1..64 printable ASCII"),
    PETRO__LIST(petro_op_data_set, value, value_size, "value", PETRO_FIELD_U8,
                PETRO_DATA_VALUE_MAX, .flags = PETRO_FIELD_F_HEX | PETRO_FIELD_F_OPTIONAL,
                .doc = "0..64 bytes (hex in JSON and CLI); empty removes the entry"),
};

static const petro__op_def ops[] = {
    {.schema = {.type = PETRO_OP_DATA_SET, .name = "data_set", .family = "data",
                .threshold = PETRO_THRESHOLD_MEDIUM, .size = sizeof(petro_op_data_set),
                .summary = "set, replace or remove a named value of the source account",
                .fields = data_set_fields, .field_count = PETRO__COUNT(data_set_fields)},
     .check = check_data_set, .apply = op_data_set},
};

const petro__family petro__family_data = {
    .info = {.name = "data", .summary = "named values an account publishes",
             .op_count = PETRO__COUNT(ops), .state_prefix = KEY_DATA},
    .ops = ops,
};
