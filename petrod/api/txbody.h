/* The request body of POST /v1/transactions, {"tx": "<hex>"}, parsed into envelope bytes.
 * Pure (no node, no connection): linked into the libFuzzer target tests/fuzz/fuzz_tx_body.c. */
#ifndef PETROD_API_TXBODY_H
#define PETROD_API_TXBODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petro/petro.h"

/** Nesting depth of JSON text without parsing it (brackets outside strings), so deep nesting
 *  is refused before jansson builds anything. True iff it never exceeds depth_max. */
bool txbody_depth_ok(const uint8_t *text, size_t size, size_t depth_max);

/** Parse body (body_size bytes, not NUL-terminated) into tx (capacity PETRO_TX_SIZE_MAX).
 *  Returns PETRO_OK with *tx_size set; otherwise PETRO_ERR_BAD_REQUEST (empty, too deep, not
 *  JSON, not exactly {"tx": string}), PETRO_ERR_TX_TOO_LARGE or PETRO_ERR_BAD_HEX, with *why
 *  set to a message (possibly written into why_buf). */
petro_result txbody_parse(const uint8_t *body, size_t body_size, size_t depth_max, uint8_t *tx,
                          size_t *tx_size, const char **why, char *why_buf, size_t why_cap);

#endif
