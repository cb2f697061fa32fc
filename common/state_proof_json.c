/* JSON of signed state roots and state proofs (state_proof_json.h). */
#include "state_proof_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_fields.h"

json_t *state_root_to_json(const petro_state_root *sr, petro_net_kind kind) {
    char addr[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(addr, &sr->validator, kind);
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && jf_set(o, "network_id", jf_hex(sr->network_id.bytes, 32));
    ok = ok && jf_set(o, "height", jf_u64(sr->height));
    ok = ok && jf_set(o, "block_hash", jf_hex(sr->block_hash.bytes, 32));
    ok = ok && jf_set(o, "state_hash", jf_hex(sr->state_hash.bytes, 32));
    ok = ok && jf_set(o, "root", jf_hex(sr->root.bytes, 32));
    ok = ok && jf_set(o, "record_count", jf_u64(sr->record_count));
    ok = ok && jf_set(o, "validator", json_string(addr));
    ok = ok && jf_set(o, "validator_key", jf_hex(sr->validator.bytes, 32));
    ok = ok && jf_set(o, "signature", jf_hex(sr->signature.bytes, 64));
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
        ok = ok && jf_set(s, "side", json_string(p->steps[i].side == PETRO_STATE_SIBLING_LEFT
                                                  ? "left"
                                                  : "right"));
        ok = ok && jf_set(s, "hash", jf_hex(p->steps[i].hash.bytes, 32));
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
    ok = ok && jf_set(o, "format", json_string(STATE_PROOF_JSON_FORMAT));
    ok = ok && jf_set(o, "key", jf_hex(p->key, p->key_size));
    ok = ok && jf_set(o, "value", jf_hex(p->value, p->value_size));
    ok = ok && jf_set(o, "leaf", jf_hex(p->leaf.bytes, 32));
    ok = ok && jf_set(o, "index", jf_u64(p->index));
    ok = ok && jf_set(o, "path", path_to_json(p));
    ok = ok && jf_set(o, "state_root", state_root_to_json(&p->root, kind));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ------------------------------------------------------------------ parsing */

static void get_root(jf_parser *ps, const json_t *o, petro_state_root *sr) {
    if (!json_is_object(o)) {
        jf_bad(ps, "state_root");
        return;
    }
    jf_get_hex(ps, o, "network_id", sr->network_id.bytes, 32);
    jf_get_u64(ps, o, "height", &sr->height);
    jf_get_hex(ps, o, "block_hash", sr->block_hash.bytes, 32);
    jf_get_hex(ps, o, "state_hash", sr->state_hash.bytes, 32);
    jf_get_hex(ps, o, "root", sr->root.bytes, 32);
    jf_get_u64(ps, o, "record_count", &sr->record_count);
    jf_get_hex(ps, o, "validator_key", sr->validator.bytes, 32);
    jf_get_hex(ps, o, "signature", sr->signature.bytes, 64);
}

static void get_path(jf_parser *ps, const json_t *arr, petro_state_proof *p) {
    if (!json_is_array(arr) || json_array_size(arr) > PETRO_STATE_PATH_MAX) {
        jf_bad(ps, "path");
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
            jf_bad(ps, "path.side");
        }
        jf_get_hex(ps, s, "hash", p->steps[i].hash.bytes, 32);
    }
}

petro_result state_proof_from_json(petro_state_proof *p, const json_t *j, char *why,
                                   size_t why_cap) {
    memset(p, 0, sizeof *p);
    jf_parser ps = {why, why_cap, true};
    if (why_cap > 0) why[0] = '\0';
    const char *format = json_string_value(json_object_get(j, "format"));
    if (format == NULL || strcmp(format, STATE_PROOF_JSON_FORMAT) != 0) jf_bad(&ps, "format");
    jf_get_hex_var(&ps, j, "key", p->key, sizeof p->key, &p->key_size);
    jf_get_hex_var(&ps, j, "value", p->value, sizeof p->value, &p->value_size);
    jf_get_hex(&ps, j, "leaf", p->leaf.bytes, 32);
    jf_get_u64(&ps, j, "index", &p->index);
    get_path(&ps, json_object_get(j, "path"), p);
    get_root(&ps, json_object_get(j, "state_root"), &p->root);
    return ps.ok ? PETRO_OK : PETRO_ERR_MALFORMED;
}
