/* The reserves routes (docs/api.md "Reserves") and the JSON of the reserves ops.
 *
 * GET /v1/reserves, /v1/reserves/history, /v1/reserves/proof/{address}?asset=PTR. Reads run on
 * one node_read snapshot each; "now" for expiry and price freshness is the tip's block
 * timestamp, so an answer is the same on every node at the same height. */
#include "server.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "petro/reserves.h"

static json_t *text_string(const char *s) {
    return json_stringn(s, strnlen(s, PETRO_RESERVE_TEXT_MAX));
}

static json_t *code_text(const char *s) {
    return json_stringn(s, strnlen(s, PETRO_ASSET_CODE_SIZE_MAX));
}

const char *apij_commodity_name(uint8_t commodity) {
    switch (commodity) {
    case PETRO_COMMODITY_OIL: return "oil";
    case PETRO_COMMODITY_GOLD: return "gold";
    default: return "unknown";
    }
}

bool apij_reserves_op_fields(json_t *o, const petro_op *op, petro_net_kind kind) {
    bool ok = true;
    switch (op->type) {
    case PETRO_OP_ATTEST_RESERVE: {
        const petro_op_attest_reserve *a = &op->u.attest_reserve;
        ok = ok && apij_set(o, "type", json_string("attest_reserve"));
        ok = ok && apij_set(o, "commodity", json_string(apij_commodity_name(a->commodity)));
        ok = ok && apij_set(o, "quantity", apij_amount(a->quantity));
        ok = ok && apij_set(o, "custodian", text_string(a->custodian));
        ok = ok && apij_set(o, "document_hash", apij_hash(&a->document_hash));
        ok = ok && apij_set(o, "valid_from_ms", apij_u64(a->valid_from_ms));
        ok = ok && apij_set(o, "valid_until_ms", apij_u64(a->valid_until_ms));
        ok = ok && apij_set(o, "supersedes", apij_u64(a->supersedes));
        return ok;
    }
    case PETRO_OP_ORACLE_PRICE: {
        const petro_op_oracle_price *p = &op->u.oracle_price;
        ok = ok && apij_set(o, "type", json_string("oracle_price"));
        ok = ok && apij_set(o, "commodity", json_string(apij_commodity_name(p->commodity)));
        ok = ok && apij_set(o, "quote", code_text(p->quote));
        ok = ok && apij_set(o, "price", apij_amount(p->price));
        ok = ok && apij_set(o, "timestamp_ms", apij_u64(p->timestamp_ms));
        return ok;
    }
    case PETRO_OP_ISSUE_RESERVE: {
        const petro_op_issue_reserve *i = &op->u.issue_reserve;
        ok = ok && apij_set(o, "type", json_string("issue_reserve"));
        ok = ok && apij_set(o, "asset", apij_asset(&i->asset, kind));
        ok = ok && apij_set(o, "destination", apij_address(&i->destination, kind));
        ok = ok && apij_set(o, "amount", apij_amount(i->amount));
        return ok;
    }
    case PETRO_OP_REDEEM_RESERVE: {
        const petro_op_redeem_reserve *r = &op->u.redeem_reserve;
        ok = ok && apij_set(o, "type", json_string("redeem_reserve"));
        ok = ok && apij_set(o, "asset", apij_asset(&r->asset, kind));
        ok = ok && apij_set(o, "amount", apij_amount(r->amount));
        ok = ok && apij_set(o, "delivery", text_string(r->delivery));
        return ok;
    }
    case PETRO_OP_FULFILL_REDEMPTION:
        ok = ok && apij_set(o, "type", json_string("fulfill_redemption"));
        ok = ok && apij_set(o, "request_id", apij_u64(op->u.fulfill_redemption.request_id));
        return ok;
    default:
        ok = ok && apij_set(o, "type", json_string("unknown"));
        ok = ok && apij_set(o, "type_number", json_integer(op->type));
        return ok;
    }
}
