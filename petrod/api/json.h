/* JSON rendering of core types for the HTTP API (shapes in docs/api.md).
 *
 * Conventions: amounts are exact decimal strings (petro_amount_format), hashes and bytes are
 * lower-case hex, keys are addresses of the network's kind, an asset is "PTR" or
 * "CODE:ISSUER_ADDRESS". Every function returns a new reference, or NULL when jansson cannot
 * allocate (callers answer 500 nomem then); nothing here reads or changes node state except
 * the store reads named below. */
#ifndef PETROD_API_JSON_H
#define PETROD_API_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "petro/petro.h"

/* Most balances / assets one response lists; past it the list ends with a truncated flag. */
#define APIJ_LIST_COUNT_MAX 10000u

/** Set obj[key] = value, taking value. Returns false if obj or value is NULL or the set fails
 *  (value is released then). Meant for `ok = ok && apij_set(...)` chains. */
bool apij_set(json_t *obj, const char *key, json_t *value);
/** Append value to arr, taking value; false as apij_set. */
bool apij_append(json_t *arr, json_t *value);
/** If ok, apij_set(obj, key, value); else release value. Takes value either way. For a list
 *  built before its object is known to be whole: `ok = apij_set_if(ok, body, "items", list)`. */
bool apij_set_if(bool ok, json_t *obj, const char *key, json_t *value);
/** obj if ok; else releases obj and returns NULL. Ends an `ok = ok && ...` chain. */
json_t *apij_finish(json_t *obj, bool ok);

/** The network kind named by a stored tip's net_kind byte: main or (anything else) test. */
petro_net_kind apij_net_kind(uint8_t net_kind);
/** "PTR" (or NULL) as the native asset, "CODE:ISSUER_ADDRESS" as an issued one: the asset
 *  query parameter of the routes. Returns PETRO_OK, PETRO_ERR_BAD_ASSET_CODE, or the
 *  address decoder's error. */
petro_result apij_asset_parse(petro_asset *asset, const char *text, petro_net_kind kind);

/** A fixed-size text field of a core record (NUL-terminated within max + 1 bytes): at most
 *  max bytes of it, up to its NUL. */
json_t *apij_text(const char *text, size_t max);
json_t *apij_hex(const uint8_t *bytes, size_t bytes_size);
json_t *apij_hash(const petro_hash *h);
json_t *apij_amount(petro_amount a);
json_t *apij_address(const petro_pubkey *pk, petro_net_kind kind);
/* Size of an asset's text with its NUL: "CODE:ISSUER_ADDRESS" at the longest. */
#define APIJ_ASSET_TEXT_SIZE (PETRO_ASSET_CODE_SIZE_MAX + 1 + PETRO_ADDRESS_SIZE_MAX)
/** "PTR" or "CODE:ISSUER_ADDRESS" into text, NUL-terminated. Returns its length; 0 (and "")
 *  if it does not fit, which a checked asset code never does. */
size_t apij_asset_text(char text[APIJ_ASSET_TEXT_SIZE], const petro_asset *asset,
                       petro_net_kind kind);
/** "PTR" or "CODE:ISSUER_ADDRESS". */
json_t *apij_asset(const petro_asset *asset, petro_net_kind kind);
/** A u64 as a JSON integer; above INT64_MAX (jansson's range) as a decimal string. */
json_t *apij_u64(uint64_t v);
/** The snake_case name of a result code. */
json_t *apij_code(petro_result code);

/** "oil", "gold" or "unknown". */
const char *apij_commodity_name(uint8_t commodity);

/** One operation: {"type": ..., fields of its type}, from its family's schema (opjson.c). */
json_t *apij_op(const petro_op *op, petro_net_kind kind);
/** The transaction fields: source, sequence, fee, memo, valid_after_ms, valid_until_ms,
 *  operations, signatures. Callers add hash, status and location. */
json_t *apij_tx(const petro_tx *tx, petro_net_kind kind);
/** {"code", "fee_charged", "op_results": [...]} */
json_t *apij_tx_result(const petro_tx_result *r);
/** {"height", "hash", "prev_hash", "timestamp_ms", "tx_root", "result_root", "state_hash",
 *  "proposer", "tx_count"} */
json_t *apij_block_header(const petro_block_header *h, petro_net_kind kind);

/** The account object with its balances (read from store through
 *  petro_state_each_balance). Returns PETRO_OK (*out set), PETRO_ERR_NOMEM, or the store's
 *  error. */
petro_result apij_account(json_t **out, const petro_store *store, const petro_account *acct,
                          petro_net_kind kind);

/** {"assets": [...]} over petro_state_each_asset. The native asset's issuer is treasury.
 *  Returns PETRO_OK (*out set), PETRO_ERR_NOMEM, PETRO_ERR_CORRUPT (supply arithmetic fails),
 *  or the store's error. */
petro_result apij_assets(json_t **out, const petro_store *store, const petro_pubkey *treasury,
                         petro_net_kind kind);

#endif
