/* JSON of checkpoints and proofs (proof_json.h). */
#include "proof_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *hex_of(const uint8_t *b, size_t n) {
    char text[2 * 64 + 1];
    if (n > 64) return NULL;
    petro_hex_encode(text, b, n);
    return json_string(text);
}

static json_t *amount_of(petro_amount a) {
    char text[PETRO_AMOUNT_TEXT_SIZE];
    size_t n = petro_amount_format(text, a);
    return json_stringn(text, n);
}

static json_t *address_of(const petro_pubkey *pk, petro_net_kind kind) {
    char text[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(text, pk, kind);
    return json_string(text);
}

static json_t *u64_of(uint64_t v) {
    if (v <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v);
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, v);
    return json_string(text);
}

static bool set(json_t *o, const char *k, json_t *v) {
    if (o == NULL || v == NULL) {
        json_decref(v);
        return false;
    }
    return json_object_set_new(o, k, v) == 0;
}

json_t *checkpoint_to_json(const petro_checkpoint *c, petro_net_kind kind) {
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && set(o, "network_id", hex_of(c->network_id.bytes, 32));
    ok = ok && set(o, "height", u64_of(c->height));
    ok = ok && set(o, "block_hash", hex_of(c->block_hash.bytes, 32));
    ok = ok && set(o, "timestamp_ms", u64_of(c->timestamp_ms));
    ok = ok && set(o, "asset", json_stringn(c->asset.code, strnlen(c->asset.code,
                                                                    PETRO_ASSET_CODE_SIZE_MAX)));
    ok = ok && set(o, "asset_issuer_key", c->asset.kind == PETRO_ASSET_NATIVE
                                              ? json_null()
                                              : hex_of(c->asset.issuer.bytes, 32));
    ok = ok && set(o, "root", hex_of(c->root.bytes, 32));
    ok = ok && set(o, "total", amount_of(c->total));
    ok = ok && set(o, "leaf_count", u64_of(c->leaf_count));
    ok = ok && set(o, "attested", amount_of(c->attested));
    ok = ok && set(o, "cap", amount_of(c->cap));
    ok = ok && set(o, "validator", address_of(&c->validator, kind));
    ok = ok && set(o, "validator_key", hex_of(c->validator.bytes, 32));
    ok = ok && set(o, "signature", hex_of(c->signature.bytes, 64));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *proof_to_json(const petro_proof *p, petro_net_kind kind) {
    json_t *o = json_object();
    json_t *path = json_array();
    bool ok = o != NULL && path != NULL;
    for (uint32_t i = 0; ok && i < p->depth && i < PETRO_PROOF_DEPTH_MAX; i++) {
        json_t *n = json_object();
        ok = n != NULL;
        ok = ok && set(n, "hash", hex_of(p->siblings[i].hash.bytes, 32));
        ok = ok && set(n, "sum", amount_of(p->siblings[i].sum));
        if (ok) {
            ok = json_array_append_new(path, n) == 0;
        } else {
            json_decref(n);
        }
    }
    ok = ok && set(o, "format", json_string(PROOF_JSON_FORMAT));
    ok = ok && set(o, "account", address_of(&p->account, kind));
    ok = ok && set(o, "account_key", hex_of(p->account.bytes, 32));
    ok = ok && set(o, "balance", amount_of(p->balance));
    ok = ok && set(o, "salt", hex_of(p->salt.bytes, 32));
    ok = ok && set(o, "index", u64_of(p->index));
    if (ok) {
        ok = json_object_set_new(o, "path", path) == 0;
        path = NULL;
    }
    ok = ok && set(o, "checkpoint", checkpoint_to_json(&p->checkpoint, kind));
    json_decref(path);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---------------------------------------------------------------- parsing */

typedef struct parser {
    char *why;
    size_t why_cap;
    bool ok;
} parser;

static void bad(parser *ps, const char *field) {
    if (ps->ok && ps->why_cap > 0) snprintf(ps->why, ps->why_cap, "%s", field);
    ps->ok = false;
}

static void get_hex(parser *ps, const json_t *o, const char *k, uint8_t *out, size_t n) {
    const char *s = json_string_value(json_object_get(o, k));
    if (s == NULL || petro_hex_decode(out, n, s, strlen(s)) != PETRO_OK) bad(ps, k);
}

static void get_amount(parser *ps, const json_t *o, const char *k, petro_amount *out) {
    const char *s = json_string_value(json_object_get(o, k));
    /* Negative sums are syntax the verifier must see (and reject), so allow the sign. */
    if (s == NULL || petro_amount_parse(out, s, strlen(s), true) != PETRO_OK) bad(ps, k);
}

static void get_u64(parser *ps, const json_t *o, const char *k, uint64_t *out) {
    const json_t *v = json_object_get(o, k);
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

petro_result proof_from_json(petro_proof *p, const json_t *j, char *why, size_t why_cap) {
    memset(p, 0, sizeof *p);
    parser ps = {why, why_cap, true};
    if (why_cap > 0) why[0] = '\0';
    if (!json_is_object(j)) {
        bad(&ps, "not a JSON object");
        return PETRO_ERR_MALFORMED;
    }
    const char *format = json_string_value(json_object_get(j, "format"));
    if (format == NULL || strcmp(format, PROOF_JSON_FORMAT) != 0) bad(&ps, "format");
    get_hex(&ps, j, "account_key", p->account.bytes, 32);
    get_amount(&ps, j, "balance", &p->balance);
    get_hex(&ps, j, "salt", p->salt.bytes, 32);
    get_u64(&ps, j, "index", &p->index);
    const json_t *path = json_object_get(j, "path");
    if (!json_is_array(path) || json_array_size(path) > PETRO_PROOF_DEPTH_MAX) {
        bad(&ps, "path");
    } else {
        p->depth = (uint32_t)json_array_size(path);
        for (uint32_t i = 0; i < p->depth; i++) {
            const json_t *n = json_array_get(path, i);
            get_hex(&ps, n, "hash", p->siblings[i].hash.bytes, 32);
            get_amount(&ps, n, "sum", &p->siblings[i].sum);
        }
    }
    const json_t *c = json_object_get(j, "checkpoint");
    if (!json_is_object(c)) {
        bad(&ps, "checkpoint");
        return PETRO_ERR_MALFORMED;
    }
    petro_checkpoint *cp = &p->checkpoint;
    get_hex(&ps, c, "network_id", cp->network_id.bytes, 32);
    get_u64(&ps, c, "height", &cp->height);
    get_hex(&ps, c, "block_hash", cp->block_hash.bytes, 32);
    get_u64(&ps, c, "timestamp_ms", &cp->timestamp_ms);
    const char *code = json_string_value(json_object_get(c, "asset"));
    const json_t *issuer = json_object_get(c, "asset_issuer_key");
    if (code != NULL && strcmp(code, "PTR") == 0 && json_is_null(issuer)) {
        cp->asset = petro_asset_native();
    } else if (code != NULL && petro_asset_code_check(code) == PETRO_OK && json_is_string(issuer)) {
        cp->asset.kind = PETRO_ASSET_ISSUED;
        memcpy(cp->asset.code, code, strlen(code) + 1);
        get_hex(&ps, c, "asset_issuer_key", cp->asset.issuer.bytes, 32);
    } else {
        bad(&ps, "checkpoint.asset");
    }
    get_hex(&ps, c, "root", cp->root.bytes, 32);
    get_amount(&ps, c, "total", &cp->total);
    get_u64(&ps, c, "leaf_count", &cp->leaf_count);
    get_amount(&ps, c, "attested", &cp->attested);
    get_amount(&ps, c, "cap", &cp->cap);
    get_hex(&ps, c, "validator_key", cp->validator.bytes, 32);
    get_hex(&ps, c, "signature", cp->signature.bytes, 64);
    return ps.ok ? PETRO_OK : PETRO_ERR_MALFORMED;
}
