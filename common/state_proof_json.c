/* JSON of signed state roots and state proofs (state_proof_json.h). */
#include "state_proof_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *hex_of(const uint8_t *b, size_t n) {
    char *text = malloc(2 * n + 1);
    if (text == NULL) return NULL;
    petro_hex_encode(text, b, n);
    json_t *s = json_string(text);
    free(text);
    return s;
}

static json_t *u64_of(uint64_t v) {
    if (v <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v);
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, v);
    return json_string(text);
}

/* Takes v; false when v is NULL or the set fails. */
static bool set(json_t *o, const char *k, json_t *v) {
    if (v == NULL) return false;
    return json_object_set_new(o, k, v) == 0;
}

json_t *state_root_to_json(const petro_state_root *sr, petro_net_kind kind) {
    char addr[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(addr, &sr->validator, kind);
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "network_id", hex_of(sr->network_id.bytes, 32));
    ok = ok && set(o, "height", u64_of(sr->height));
    ok = ok && set(o, "block_hash", hex_of(sr->block_hash.bytes, 32));
    ok = ok && set(o, "state_hash", hex_of(sr->state_hash.bytes, 32));
    ok = ok && set(o, "root", hex_of(sr->root.bytes, 32));
    ok = ok && set(o, "record_count", u64_of(sr->record_count));
    ok = ok && set(o, "validator", json_string(addr));
    ok = ok && set(o, "validator_key", hex_of(sr->validator.bytes, 32));
    ok = ok && set(o, "signature", hex_of(sr->signature.bytes, 64));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *path_to_json(const petro_state_proof *p) {
    json_t *arr = json_array();
    bool ok = arr != NULL;
    for (uint32_t i = 0; ok && i < p->step_count; i++) {
        json_t *s = json_object();
        ok = s != NULL;
        ok = ok && set(s, "side", json_string(p->steps[i].side == PETRO_STATE_SIBLING_LEFT
                                                  ? "left"
                                                  : "right"));
        ok = ok && set(s, "hash", hex_of(p->steps[i].hash.bytes, 32));
        if (ok) {
            ok = json_array_append_new(arr, s) == 0;
        } else {
            json_decref(s);
        }
    }
    if (!ok) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

json_t *state_proof_to_json(const petro_state_proof *p, petro_net_kind kind) {
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "format", json_string(STATE_PROOF_JSON_FORMAT));
    ok = ok && set(o, "key", hex_of(p->key, p->key_size));
    ok = ok && set(o, "value", hex_of(p->value, p->value_size));
    ok = ok && set(o, "leaf", hex_of(p->leaf.bytes, 32));
    ok = ok && set(o, "index", u64_of(p->index));
    ok = ok && set(o, "path", path_to_json(p));
    ok = ok && set(o, "state_root", state_root_to_json(&p->root, kind));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ------------------------------------------------------------------ parsing */

typedef struct parser {
    char *why;
    size_t why_cap;
    bool ok;
} parser;

static void bad(parser *ps, const char *field) {
    if (ps->ok && ps->why_cap > 0) snprintf(ps->why, ps->why_cap, "%s", field);
    ps->ok = false;
}

/* Exactly n bytes of hex. */
static void get_hex(parser *ps, const json_t *o, const char *k, uint8_t *out, size_t n) {
    const char *s = json_string_value(json_object_get(o, k));
    if (s == NULL || petro_hex_decode(out, n, s, strlen(s)) != PETRO_OK) bad(ps, k);
}

/* Hex of 0..cap bytes. */
static void get_hex_var(parser *ps, const json_t *o, const char *k, uint8_t *out, size_t cap,
                        size_t *size) {
    const char *s = json_string_value(json_object_get(o, k));
    size_t len = s != NULL ? strlen(s) : 1;
    *size = 0;
    if (s == NULL || len % 2 != 0 || len / 2 > cap ||
        (len > 0 && petro_hex_decode(out, len / 2, s, len) != PETRO_OK)) {
        bad(ps, k);
        return;
    }
    *size = len / 2;
}

/* A non-negative integer, or its decimal string (above INT64_MAX). */
static void get_u64(parser *ps, const json_t *o, const char *k, uint64_t *out) {
    const json_t *v = json_object_get(o, k);
    *out = 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return;
    }
    const char *s = json_string_value(v);
    char *end = NULL;
    if (s != NULL && s[0] >= '0' && s[0] <= '9') {
        unsigned long long x = strtoull(s, &end, 10);
        if (end != NULL && *end == '\0') {
            *out = (uint64_t)x;
            return;
        }
    }
    bad(ps, k);
}

static void get_root(parser *ps, const json_t *o, petro_state_root *sr) {
    if (!json_is_object(o)) {
        bad(ps, "state_root");
        return;
    }
    get_hex(ps, o, "network_id", sr->network_id.bytes, 32);
    get_u64(ps, o, "height", &sr->height);
    get_hex(ps, o, "block_hash", sr->block_hash.bytes, 32);
    get_hex(ps, o, "state_hash", sr->state_hash.bytes, 32);
    get_hex(ps, o, "root", sr->root.bytes, 32);
    get_u64(ps, o, "record_count", &sr->record_count);
    get_hex(ps, o, "validator_key", sr->validator.bytes, 32);
    get_hex(ps, o, "signature", sr->signature.bytes, 64);
}

static void get_path(parser *ps, const json_t *arr, petro_state_proof *p) {
    if (!json_is_array(arr) || json_array_size(arr) > PETRO_STATE_PATH_MAX) {
        bad(ps, "path");
        return;
    }
    p->step_count = (uint32_t)json_array_size(arr);
    for (uint32_t i = 0; i < p->step_count; i++) {
        const json_t *s = json_array_get(arr, i);
        const char *side = json_string_value(json_object_get(s, "side"));
        if (side != NULL && strcmp(side, "left") == 0) {
            p->steps[i].side = PETRO_STATE_SIBLING_LEFT;
        } else if (side != NULL && strcmp(side, "right") == 0) {
            p->steps[i].side = PETRO_STATE_SIBLING_RIGHT;
        } else {
            bad(ps, "path.side");
        }
        get_hex(ps, s, "hash", p->steps[i].hash.bytes, 32);
    }
}

petro_result state_proof_from_json(petro_state_proof *p, const json_t *j, char *why,
                                   size_t why_cap) {
    memset(p, 0, sizeof *p);
    parser ps = {why, why_cap, true};
    if (why_cap > 0) why[0] = '\0';
    const char *format = json_string_value(json_object_get(j, "format"));
    if (format == NULL || strcmp(format, STATE_PROOF_JSON_FORMAT) != 0) bad(&ps, "format");
    get_hex_var(&ps, j, "key", p->key, sizeof p->key, &p->key_size);
    get_hex_var(&ps, j, "value", p->value, sizeof p->value, &p->value_size);
    get_hex(&ps, j, "leaf", p->leaf.bytes, 32);
    get_u64(&ps, j, "index", &p->index);
    get_path(&ps, json_object_get(j, "path"), p);
    get_root(&ps, json_object_get(j, "state_root"), &p->root);
    return ps.ok ? PETRO_OK : PETRO_ERR_MALFORMED;
}
