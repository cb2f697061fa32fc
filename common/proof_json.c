/* JSON of checkpoints and proofs (proof_json.h). */
#include "proof_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_fields.h"

/* Programmer errors only (a caller's proof_set); never reached by file contents. */
#define PROOF_JSON_ASSERT(cond)                                                               \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d %s: assertion failed: %s\n", __FILE__, __LINE__, __func__, \
                    #cond);                                                                   \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

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

json_t *checkpoint_to_json(const petro_checkpoint *c, petro_net_kind kind) {
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && jf_set(o, "network_id", jf_hex(c->network_id.bytes, 32));
    ok = ok && jf_set(o, "height", jf_u64(c->height));
    ok = ok && jf_set(o, "block_hash", jf_hex(c->block_hash.bytes, 32));
    ok = ok && jf_set(o, "timestamp_ms", jf_u64(c->timestamp_ms));
    ok = ok && jf_set(o, "asset", json_stringn(c->asset.code, strnlen(c->asset.code,
                                                                    PETRO_ASSET_CODE_SIZE_MAX)));
    ok = ok && jf_set(o, "asset_issuer_key", c->asset.kind == PETRO_ASSET_NATIVE
                                              ? json_null()
                                              : jf_hex(c->asset.issuer.bytes, 32));
    ok = ok && jf_set(o, "root", jf_hex(c->root.bytes, 32));
    ok = ok && jf_set(o, "total", amount_of(c->total));
    ok = ok && jf_set(o, "leaf_count", jf_u64(c->leaf_count));
    ok = ok && jf_set(o, "lock_count", jf_u64(c->lock_count));
    ok = ok && jf_set(o, "attested", amount_of(c->attested));
    ok = ok && jf_set(o, "cap", amount_of(c->cap));
    ok = ok && jf_set(o, "validator", address_of(&c->validator, kind));
    ok = ok && jf_set(o, "validator_key", jf_hex(c->validator.bytes, 32));
    ok = ok && jf_set(o, "signature", jf_hex(c->signature.bytes, 64));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* [{"hash","sum"}] of p's siblings, from the leaf upwards. */
static json_t *path_to_json(const petro_proof *p) {
    json_t *path = json_array();
    bool ok = path != NULL;
    for (uint32_t i = 0; ok && i < p->depth && i < PETRO_PROOF_DEPTH_MAX; i++) {
        json_t *n = json_object();
        ok = n != NULL;
        ok = ok && jf_set(n, "hash", jf_hex(p->siblings[i].hash.bytes, 32));
        ok = ok && jf_set(n, "sum", amount_of(p->siblings[i].sum));
        if (ok) {
            ok = json_array_append_new(path, n) == 0;
        } else {
            json_decref(n);
        }
    }
    if (!ok) {
        json_decref(path);
        return NULL;
    }
    return path;
}

/* {"family", "id", "amount", "index", "path"} of a lock proof. */
static json_t *lock_to_json(const petro_proof *p) {
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && jf_set(o, "family", json_string(p->family));
    ok = ok && jf_set(o, "id", jf_u64(p->lock_id));
    ok = ok && jf_set(o, "amount", amount_of(p->balance));
    ok = ok && jf_set(o, "index", jf_u64(p->index));
    ok = ok && jf_set(o, "path", path_to_json(p));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *proof_set_to_json(const proof_set *s, petro_net_kind kind) {
    PROOF_JSON_ASSERT(s->has_balance || s->lock_count > 0);
    PROOF_JSON_ASSERT(s->lock_count <= PROOF_JSON_LOCKS_MAX);
    const petro_proof *first = s->has_balance ? &s->balance : &s->locks[0];
    json_t *o = json_object(), *locks = json_array();
    bool ok = o != NULL && locks != NULL;
    for (uint32_t i = 0; ok && i < s->lock_count; i++) {
        json_t *l = lock_to_json(&s->locks[i]);
        ok = l != NULL && json_array_append_new(locks, l) == 0;
    }
    const petro_proof *b = s->has_balance ? &s->balance : NULL;
    ok = ok && jf_set(o, "format", json_string(PROOF_JSON_FORMAT));
    ok = ok && jf_set(o, "account", address_of(&first->account, kind));
    ok = ok && jf_set(o, "account_key", jf_hex(first->account.bytes, 32));
    ok = ok && jf_set(o, "salt", jf_hex(first->salt.bytes, 32));
    ok = ok && jf_set(o, "balance", b != NULL ? amount_of(b->balance) : json_null());
    ok = ok && jf_set(o, "index", b != NULL ? jf_u64(b->index) : json_null());
    ok = ok && jf_set(o, "path", b != NULL ? path_to_json(b) : json_null());
    if (ok) {
        ok = json_object_set_new(o, "locks", locks) == 0;
        locks = NULL;
    }
    ok = ok && jf_set(o, "locks_omitted", jf_u64(s->locks_omitted));
    ok = ok && jf_set(o, "checkpoint", checkpoint_to_json(&first->checkpoint, kind));
    json_decref(locks);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---------------------------------------------------------------- parsing */

static void get_amount(jf_parser *ps, const json_t *o, const char *k, petro_amount *out) {
    const char *s = json_string_value(json_object_get(o, k));
    /* Negative sums are syntax the verifier must see (and reject), so allow the sign. */
    if (s == NULL || petro_amount_parse(out, s, strlen(s), true) != PETRO_OK) jf_bad(ps, k);
}

/* The siblings of "path" into p (depth and siblings). */
static void get_path(jf_parser *ps, const json_t *path, petro_proof *p) {
    if (!json_is_array(path) || json_array_size(path) > PETRO_PROOF_DEPTH_MAX) {
        jf_bad(ps, "path");
        return;
    }
    p->depth = (uint32_t)json_array_size(path);
    for (uint32_t i = 0; i < p->depth; i++) {
        const json_t *n = json_array_get(path, i);
        jf_get_hex(ps, n, "hash", p->siblings[i].hash.bytes, 32);
        get_amount(ps, n, "sum", &p->siblings[i].sum);
    }
}

static void get_checkpoint(jf_parser *ps, const json_t *c, petro_checkpoint *cp) {
    jf_get_hex(ps, c, "network_id", cp->network_id.bytes, 32);
    jf_get_u64(ps, c, "height", &cp->height);
    jf_get_hex(ps, c, "block_hash", cp->block_hash.bytes, 32);
    jf_get_u64(ps, c, "timestamp_ms", &cp->timestamp_ms);
    const char *code = json_string_value(json_object_get(c, "asset"));
    const json_t *issuer = json_object_get(c, "asset_issuer_key");
    if (code != NULL && strcmp(code, "PTR") == 0 && json_is_null(issuer)) {
        cp->asset = petro_asset_native();
    } else if (code != NULL && petro_asset_code_check(code) == PETRO_OK && json_is_string(issuer)) {
        cp->asset.kind = PETRO_ASSET_ISSUED;
        memcpy(cp->asset.code, code, strlen(code) + 1);
        jf_get_hex(ps, c, "asset_issuer_key", cp->asset.issuer.bytes, 32);
    } else {
        jf_bad(ps, "checkpoint.asset");
    }
    jf_get_hex(ps, c, "root", cp->root.bytes, 32);
    get_amount(ps, c, "total", &cp->total);
    jf_get_u64(ps, c, "leaf_count", &cp->leaf_count);
    jf_get_u64(ps, c, "lock_count", &cp->lock_count);
    get_amount(ps, c, "attested", &cp->attested);
    get_amount(ps, c, "cap", &cp->cap);
    jf_get_hex(ps, c, "validator_key", cp->validator.bytes, 32);
    jf_get_hex(ps, c, "signature", cp->signature.bytes, 64);
}

/* One entry of "locks" into p (kind, family, id, amount, index, path). */
static void get_lock(jf_parser *ps, const json_t *l, petro_proof *p) {
    p->kind = PETRO_LEAF_LOCK;
    const char *family = json_string_value(json_object_get(l, "family"));
    if (family == NULL || strlen(family) > PETRO_LOCK_FAMILY_SIZE_MAX ||
        !petro_proof_lock_family_ok(family)) {
        jf_bad(ps, "locks.family");
    } else {
        memcpy(p->family, family, strlen(family) + 1);
    }
    jf_get_u64(ps, l, "id", &p->lock_id);
    get_amount(ps, l, "amount", &p->balance);
    jf_get_u64(ps, l, "index", &p->index);
    get_path(ps, json_object_get(l, "path"), p);
}

petro_result proof_set_from_json(proof_set *s, const json_t *j, char *why, size_t why_cap) {
    memset(s, 0, sizeof *s);
    jf_parser ps = {why, why_cap, true};
    if (why_cap > 0) why[0] = '\0';
    if (!json_is_object(j)) {
        jf_bad(&ps, "not a JSON object");
        return PETRO_ERR_MALFORMED;
    }
    const char *format = json_string_value(json_object_get(j, "format"));
    if (format == NULL || strcmp(format, PROOF_JSON_FORMAT) != 0) jf_bad(&ps, "format");
    /* The shared part, parsed into the balance proof and copied to every lock proof. */
    petro_proof *b = &s->balance;
    b->kind = PETRO_LEAF_BALANCE;
    jf_get_hex(&ps, j, "account_key", b->account.bytes, 32);
    jf_get_hex(&ps, j, "salt", b->salt.bytes, 32);
    const json_t *c = json_object_get(j, "checkpoint");
    if (!json_is_object(c)) {
        jf_bad(&ps, "checkpoint");
        return PETRO_ERR_MALFORMED;
    }
    get_checkpoint(&ps, c, &b->checkpoint);
    s->has_balance = !json_is_null(json_object_get(j, "balance"));
    if (s->has_balance) {
        get_amount(&ps, j, "balance", &b->balance);
        jf_get_u64(&ps, j, "index", &b->index);
        get_path(&ps, json_object_get(j, "path"), b);
    } else if (!json_is_null(json_object_get(j, "index")) ||
               !json_is_null(json_object_get(j, "path"))) {
        jf_bad(&ps, "index"); /* no balance leaf: no index or path either */
    }
    const json_t *locks = json_object_get(j, "locks");
    if (!json_is_array(locks) || json_array_size(locks) > PROOF_JSON_LOCKS_MAX) {
        jf_bad(&ps, "locks");
        return PETRO_ERR_MALFORMED;
    }
    s->lock_count = (uint32_t)json_array_size(locks);
    for (uint32_t i = 0; i < s->lock_count; i++) {
        petro_proof *p = &s->locks[i];
        p->checkpoint = b->checkpoint;
        p->salt = b->salt;
        p->account = b->account;
        get_lock(&ps, json_array_get(locks, i), p);
    }
    if (json_object_get(j, "locks_omitted") != NULL) {
        jf_get_u64(&ps, j, "locks_omitted", &s->locks_omitted);
    }
    if (!s->has_balance && s->lock_count == 0) jf_bad(&ps, "balance"); /* proves nothing */
    return ps.ok ? PETRO_OK : PETRO_ERR_MALFORMED;
}
