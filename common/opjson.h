/* The shared JSON and text layer of operations, driven by the registry's field schemas
 * (petro/schema.h): petrod renders transactions with it (docs/api.md) and the CLI parses its
 * flags and prints operations with it, so an operation's fields are spelled once, in its
 * family.
 *
 * Conventions (docs/api.md "Conventions"): amounts are exact decimal strings, hashes and
 * signatures lower-case hex, keys addresses of the network's kind, an asset "PTR" or
 * "CODE:ISSUER_ADDRESS", enumerations by name, flag words as objects of booleans.
 * Renderers return a new reference or NULL when jansson cannot allocate. */
#ifndef PETRO_COMMON_OPJSON_H
#define PETRO_COMMON_OPJSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "petro/petro.h"
#include "petro/schema.h"

/* Size of an asset's text with its NUL: "CODE:ISSUER_ADDRESS" at the longest. */
#define OPJSON_ASSET_TEXT_SIZE (PETRO_ASSET_CODE_SIZE_MAX + 1 + PETRO_ADDRESS_SIZE_MAX)

/** "PTR" or "CODE:ISSUER_ADDRESS" into text, NUL-terminated. Returns its length; 0 (and "")
 *  if it does not fit, which a checked asset code never does. */
size_t opjson_asset_text(char text[OPJSON_ASSET_TEXT_SIZE], const petro_asset *asset,
                         petro_net_kind kind);
/** Parse "PTR" (or NULL) or "CODE:ISSUER_ADDRESS". The issuer may be of either network kind;
 *  *issuer_kind reports it (PETRO_NET_TEST for PTR). Returns PETRO_OK,
 *  PETRO_ERR_BAD_ASSET_CODE, or the address decoder's error. */
petro_result opjson_asset_parse(petro_asset *asset, petro_net_kind *issuer_kind,
                                const char *text);

/** Parse "PTR" (or NULL) or "CODE:ISSUER_ADDRESS" whose issuer is of kind: the asset
 *  parameter of the API's routes. Same returns, the issuer's decoding error included. */
petro_result opjson_asset_parse_net(petro_asset *asset, const char *text, petro_net_kind kind);

/** One value of field (a list's element when the field is a list) at p. */
json_t *opjson_value(const petro_field *field, const void *p, petro_net_kind kind);
/** The fields of schema found at fields (the operation's struct), added to obj in schema
 *  order. Returns false on allocation failure. */
bool opjson_fields(json_t *obj, const petro_op_schema *schema, const void *fields,
                   petro_net_kind kind);
/** {"type": name, fields...}; an unregistered type as {"type": "unknown", "type_number"}. */
json_t *opjson_op(const petro_op *op, petro_net_kind kind);

/** Parse text as one value of field (a list's element) into p, as the CLI's flags and JSON
 *  strings spell it: an address of either kind (its kind in *addr_kind, which is left alone
 *  for other kinds), an asset, a decimal amount, an integer within [min, max] or by name for
 *  an enumeration, true/false/1/0 for booleans, hex for hashes and signatures, text,
 *  a country code. Returns PETRO_OK or a result code, with *why a one-line reason. */
petro_result opjson_parse_value(const petro_field *field, void *p, const char *text,
                                petro_net_kind *addr_kind, const char **why);

/** A byte list (a list of U8 with PETRO_FIELD_F_HEX) from hex text: sets its count and
 *  bytes inside fields (the operation's struct). PETRO_OK or PETRO_ERR_BAD_HEX with *why. */
petro_result opjson_parse_hex_list(const petro_field *field, void *fields, const char *text,
                                   const char **why);

/** A field's name as a CLI flag: "--" and the name with '_' as '-'. */
void opjson_flag_name(char *out, size_t out_size, const petro_field *field);

#endif
