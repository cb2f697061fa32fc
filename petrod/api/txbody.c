/* POST /v1/transactions body parsing (txbody.h). */
#include "txbody.h"

#include <stdio.h>

#include <jansson.h>

bool txbody_depth_ok(const uint8_t *text, size_t size, size_t depth_max) {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (size_t i = 0; i < size; i++) {
        uint8_t c = text[i];
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > depth_max) {
                return false;
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return true;
}

petro_result txbody_parse(const uint8_t *body, size_t body_size, size_t depth_max, uint8_t *tx,
                          size_t *tx_size, const char **why, char *why_buf, size_t why_cap) {
    *tx_size = 0;
    if (body_size == 0) {
        *why = "request body must be a JSON object {\"tx\": \"<hex>\"}";
        return PETRO_ERR_BAD_REQUEST;
    }
    if (!txbody_depth_ok(body, body_size, depth_max)) {
        *why = "request body is nested too deeply";
        return PETRO_ERR_BAD_REQUEST;
    }
    json_error_t err;
    json_t *root = json_loadb((const char *)body, body_size, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL) {
        int n = snprintf(why_buf, why_cap, "request body is not valid JSON (line %d, column %d)",
                         err.line, err.column);
        *why = n > 0 && (size_t)n < why_cap ? why_buf : "request body is not valid JSON";
        return PETRO_ERR_BAD_REQUEST;
    }
    petro_result rc = PETRO_OK;
    json_t *hex = json_object_get(root, "tx");
    if (!json_is_object(root)) {
        *why = "request body must be a JSON object {\"tx\": \"<hex>\"}";
        rc = PETRO_ERR_BAD_REQUEST;
    } else if (json_object_size(root) != 1 || hex == NULL) {
        *why = "request body must have exactly one field, \"tx\"";
        rc = PETRO_ERR_BAD_REQUEST;
    } else if (!json_is_string(hex)) {
        *why = "\"tx\" must be a string of hexadecimal characters";
        rc = PETRO_ERR_BAD_REQUEST;
    } else {
        size_t len = json_string_length(hex);
        if (len > 2u * PETRO_TX_SIZE_MAX) {
            *why = "transaction is larger than 4096 bytes";
            rc = PETRO_ERR_TX_TOO_LARGE;
        } else if (len % 2u != 0) {
            *why = "\"tx\" has an odd number of hexadecimal characters";
            rc = PETRO_ERR_BAD_HEX;
        } else if (petro_hex_decode(tx, len / 2u, json_string_value(hex), len) != PETRO_OK) {
            *why = "\"tx\" holds a character that is not hexadecimal";
            rc = PETRO_ERR_BAD_HEX;
        } else {
            *tx_size = len / 2u;
        }
    }
    json_decref(root);
    return rc;
}
