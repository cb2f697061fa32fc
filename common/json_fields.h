/* The JSON field helpers of the proof files (proof_json.c, state_proof_json.c): writing hex,
 * u64 and object members, and a parser that reads typed fields and names the first one that
 * is missing or malformed. */
#ifndef PETRO_COMMON_JSON_FIELDS_H
#define PETRO_COMMON_JSON_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "petro/petro.h"

/** Lower-case hex of n bytes as a JSON string; NULL when out of memory. */
json_t *jf_hex(const uint8_t *bytes, size_t n);
/** v as a JSON integer, or as its decimal string above INT64_MAX. */
json_t *jf_u64(uint64_t v);
/** Set o[k] = v, taking v either way; false when o or v is NULL or the set fails. */
bool jf_set(json_t *o, const char *k, json_t *v);

/** A parse in progress: ok until the first bad field, whose name goes into why. */
typedef struct jf_parser {
    char *why;
    size_t why_cap;
    bool ok;
} jf_parser;

/** Mark field bad (only the first one is named). */
void jf_bad(jf_parser *ps, const char *field);
/** o[k]: exactly n bytes of hex. */
void jf_get_hex(jf_parser *ps, const json_t *o, const char *k, uint8_t *out, size_t n);
/** o[k]: hex of 0..cap bytes; *size receives the count. */
void jf_get_hex_var(jf_parser *ps, const json_t *o, const char *k, uint8_t *out, size_t cap,
                    size_t *size);
/** o[k]: a non-negative integer, or its decimal string (above INT64_MAX). */
void jf_get_u64(jf_parser *ps, const json_t *o, const char *k, uint64_t *out);

#endif
