/* JSON rendering of core types (see json.h for the conventions).
 *
 * Design: objects are built with `ok = ok && apij_set(obj, key, json_xxx(...))` chains, so a
 * failed allocation stops the chain without leaking (the value of a failed set is released
 * by apij_set, and nothing after it is evaluated) and the caller drops the half-built object
 * once. No floats: amounts go through petro_amount_format only. */
#include "json.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "opjson.h"

_Static_assert(sizeof(json_int_t) >= sizeof(int64_t), "JSON integers hold any int64");

bool apij_set(json_t *obj, const char *key, json_t *value) {
    if (value == NULL) {
        return false;
    }
    if (obj == NULL) {
        json_decref(value);
        return false;
    }
    return json_object_set_new(obj, key, value) == 0; /* releases value on failure */
}

bool apij_append(json_t *arr, json_t *value) {
    if (value == NULL) {
        return false;
    }
    if (arr == NULL) {
        json_decref(value);
        return false;
    }
    return json_array_append_new(arr, value) == 0;
}

bool apij_set_if(bool ok, json_t *obj, const char *key, json_t *value) {
    if (!ok) {
        json_decref(value);
        return false;
    }
    return apij_set(obj, key, value);
}

json_t *apij_finish(json_t *obj, bool ok) {
    if (!ok) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

petro_net_kind apij_net_kind(uint8_t net_kind) {
    return net_kind == PETRO_NET_MAIN ? PETRO_NET_MAIN : PETRO_NET_TEST;
}

petro_result apij_asset_parse(petro_asset *asset, const char *text, petro_net_kind kind) {
    return opjson_asset_parse_net(asset, text, kind);
}

json_t *apij_text(const char *text, size_t max) {
    return json_stringn(text, strnlen(text, max));
}

json_t *apij_hex(const uint8_t *bytes, size_t bytes_size) {
    /* Largest hex we render is a memo or a signature; keep a fixed buffer for those. */
    char text[2 * 64 + 1];
    if (bytes_size > 64) {
        return NULL;
    }
    petro_hex_encode(text, bytes, bytes_size);
    return json_stringn(text, 2 * bytes_size);
}

json_t *apij_hash(const petro_hash *h) {
    return apij_hex(h->bytes, sizeof h->bytes);
}

json_t *apij_amount(petro_amount a) {
    char text[PETRO_AMOUNT_TEXT_SIZE];
    size_t n = petro_amount_format(text, a);
    return json_stringn(text, n);
}

json_t *apij_address(const petro_pubkey *pk, petro_net_kind kind) {
    char text[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(text, pk, kind);
    return json_string(text);
}

size_t apij_asset_text(char text[APIJ_ASSET_TEXT_SIZE], const petro_asset *asset,
                       petro_net_kind kind) {
    return opjson_asset_text(text, asset, kind);
}

json_t *apij_asset(const petro_asset *asset, petro_net_kind kind) {
    char text[APIJ_ASSET_TEXT_SIZE];
    size_t n = apij_asset_text(text, asset, kind);
    return n == 0 ? NULL : json_stringn(text, n);
}

json_t *apij_u64(uint64_t v) {
    if (v <= (uint64_t)INT64_MAX) { /* json_int_t is long long: at least 64 bits */
        return json_integer((json_int_t)v);
    }
    char text[24];
    int n = snprintf(text, sizeof text, "%" PRIu64, v);
    if (n < 0 || (size_t)n >= sizeof text) {
        return NULL;
    }
    return json_stringn(text, (size_t)n);
}

json_t *apij_code(petro_result code) {
    return json_string(petro_result_name(code));
}

/* An asset code field (NUL-terminated within its array). */
static json_t *code_string(const char code[PETRO_ASSET_CODE_SIZE_MAX + 1]) {
    return apij_text(code, PETRO_ASSET_CODE_SIZE_MAX);
}

/* Every operation through the shared, schema-driven renderer (common/opjson.c). */
json_t *apij_op(const petro_op *op, petro_net_kind kind) { return opjson_op(op, kind); }

static json_t *operations(const petro_tx *tx, petro_net_kind kind) {
    json_t *arr = json_array();
    bool ok = arr != NULL;
    size_t count = tx->op_count <= PETRO_TX_OPS_MAX ? tx->op_count : PETRO_TX_OPS_MAX;
    for (size_t i = 0; ok && i < count; i++) {
        ok = apij_append(arr, apij_op(&tx->ops[i], kind));
    }
    return apij_finish(arr, ok);
}

static json_t *signatures(const petro_tx *tx, petro_net_kind kind) {
    json_t *arr = json_array();
    bool ok = arr != NULL;
    size_t count = tx->sig_count <= PETRO_TX_SIGS_MAX ? tx->sig_count : PETRO_TX_SIGS_MAX;
    for (size_t i = 0; ok && i < count; i++) {
        json_t *s = json_object();
        bool sok = s != NULL;
        sok = sok && apij_set(s, "key", apij_address(&tx->sigs[i].key, kind));
        sok = sok && apij_set(s, "sig",
                              apij_hex(tx->sigs[i].sig.bytes, sizeof tx->sigs[i].sig.bytes));
        ok = apij_append(arr, apij_finish(s, sok));
    }
    return apij_finish(arr, ok);
}

json_t *apij_tx(const petro_tx *tx, petro_net_kind kind) {
    json_t *o = json_object();
    bool ok = o != NULL;
    size_t memo_size = tx->memo_size <= PETRO_MEMO_SIZE_MAX ? tx->memo_size : PETRO_MEMO_SIZE_MAX;
    ok = ok && apij_set(o, "source", apij_address(&tx->source, kind));
    ok = ok && apij_set(o, "sequence", apij_u64(tx->sequence));
    ok = ok && apij_set(o, "fee", apij_amount(tx->fee));
    ok = ok && apij_set(o, "memo", apij_hex(tx->memo, memo_size));
    ok = ok && apij_set(o, "valid_after_ms", apij_u64(tx->valid_after_ms));
    ok = ok && apij_set(o, "valid_until_ms", apij_u64(tx->valid_until_ms));
    ok = ok && apij_set(o, "operations", operations(tx, kind));
    ok = ok && apij_set(o, "signatures", signatures(tx, kind));
    return apij_finish(o, ok);
}

json_t *apij_tx_result(const petro_tx_result *r) {
    json_t *o = json_object();
    json_t *codes = json_array();
    bool ok = o != NULL && codes != NULL;
    size_t count = r->op_count <= PETRO_TX_OPS_MAX ? r->op_count : PETRO_TX_OPS_MAX;
    for (size_t i = 0; ok && i < count; i++) {
        ok = apij_append(codes, apij_code((petro_result)r->op_codes[i]));
    }
    ok = ok && apij_set(o, "code", apij_code((petro_result)r->code));
    ok = ok && apij_set(o, "fee_charged", apij_amount(r->fee_charged));
    ok = apij_set_if(ok, o, "op_results", codes);
    return apij_finish(o, ok);
}

json_t *apij_block_header(const petro_block_header *h, petro_net_kind kind) {
    petro_hash hash;
    petro_block_hash(&hash, h);
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && apij_set(o, "height", apij_u64(h->height));
    ok = ok && apij_set(o, "hash", apij_hash(&hash));
    ok = ok && apij_set(o, "prev_hash", apij_hash(&h->prev_hash));
    ok = ok && apij_set(o, "timestamp_ms", apij_u64(h->timestamp_ms));
    ok = ok && apij_set(o, "version", json_integer(h->version));
    ok = ok && apij_set(o, "tx_root", apij_hash(&h->tx_root));
    ok = ok && apij_set(o, "witness_root", apij_hash(&h->witness_root));
    ok = ok && apij_set(o, "result_root", apij_hash(&h->result_root));
    ok = ok && apij_set(o, "state_hash", apij_hash(&h->state_hash));
    ok = ok && apij_set(o, "proposer", apij_address(&h->proposer, kind));
    ok = ok && apij_set(o, "tx_count", json_integer(h->tx_count));
    ok = ok && apij_set(o, "signature", apij_hex(h->signature.bytes, sizeof h->signature.bytes));
    return apij_finish(o, ok);
}

/* ------------------------------------------------------------ account */

typedef struct balance_walk {
    json_t *list;
    petro_net_kind kind;
    size_t count;
    bool ok;
    bool truncated;
} balance_walk;

static int balance_cb(void *cb_ctx, const petro_asset *asset, const petro_trust_line *line) {
    balance_walk *w = cb_ctx;
    if (w->count >= APIJ_LIST_COUNT_MAX) {
        w->truncated = true;
        return 1;
    }
    bool native = asset->kind == PETRO_ASSET_NATIVE;
    json_t *b = json_object();
    bool ok = b != NULL;
    ok = ok && apij_set(b, "asset", apij_asset(asset, w->kind));
    ok = ok && apij_set(b, "balance", apij_amount(line->balance));
    /* The native "line" has a nominal limit (the supply maximum): show none. */
    ok = ok && apij_set(b, "limit", native ? json_null() : apij_amount(line->limit));
    ok = ok && apij_set(b, "authorized",
                        json_boolean((line->flags & PETRO_TRUST_FLAG_AUTHORIZED) != 0));
    w->ok = apij_append(w->list, apij_finish(b, ok));
    w->count++;
    return w->ok ? 0 : 1;
}

static json_t *signers_list(const petro_account *acct, petro_net_kind kind) {
    json_t *arr = json_array();
    bool ok = arr != NULL;
    size_t count = acct->signer_count <= PETRO_SIGNERS_MAX ? acct->signer_count : PETRO_SIGNERS_MAX;
    for (size_t i = 0; ok && i < count; i++) {
        json_t *s = json_object();
        bool sok = s != NULL;
        sok = sok && apij_set(s, "address", apij_address(&acct->signers[i].key, kind));
        sok = sok && apij_set(s, "weight", json_integer(acct->signers[i].weight));
        ok = apij_append(arr, apij_finish(s, sok));
    }
    return apij_finish(arr, ok);
}

petro_result apij_account(json_t **out, const petro_store *store, const petro_account *acct,
                          petro_net_kind kind) {
    *out = NULL;
    balance_walk w = {.list = json_array(), .kind = kind, .count = 0, .ok = true};
    if (w.list == NULL) {
        return PETRO_ERR_NOMEM;
    }
    petro_result rc = petro_state_each_balance(store, &acct->id, balance_cb, &w);
    if (rc != PETRO_OK || !w.ok) {
        json_decref(w.list);
        return rc != PETRO_OK ? rc : PETRO_ERR_NOMEM;
    }
    json_t *th = json_object();
    bool tok = th != NULL;
    tok = tok && apij_set(th, "low", json_integer(acct->threshold_low));
    tok = tok && apij_set(th, "medium", json_integer(acct->threshold_medium));
    tok = tok && apij_set(th, "high", json_integer(acct->threshold_high));
    th = apij_finish(th, tok);

    json_t *o = json_object();
    bool ok = o != NULL && th != NULL;
    ok = ok && apij_set(o, "address", apij_address(&acct->id, kind));
    ok = ok && apij_set(o, "sequence", apij_u64(acct->sequence));
    ok = ok && apij_set(o, "frozen", json_boolean((acct->flags & PETRO_ACCOUNT_FLAG_FROZEN) != 0));
    ok = ok && apij_set(o, "master_weight", json_integer(acct->master_weight));
    ok = apij_set_if(ok, o, "thresholds", th);
    ok = ok && apij_set(o, "signers", signers_list(acct, kind));
    ok = apij_set_if(ok, o, "balances", w.list);
    if (ok && w.truncated) {
        ok = apij_set(o, "balances_truncated", json_true());
    }
    ok = ok && apij_set(o, "zone", acct->zone_id != 0 ? json_integer(acct->zone_id) : json_null());
    ok = ok && apij_set(o, "kyc_tier", json_integer(acct->kyc_tier));
    ok = ok && apij_set(o, "created_height", apij_u64(acct->created_height));
    *out = apij_finish(o, ok);
    return *out != NULL ? PETRO_OK : PETRO_ERR_NOMEM;
}

/* ------------------------------------------------------------ assets */

typedef struct asset_walk {
    json_t *list;
    const petro_pubkey *treasury;
    petro_net_kind kind;
    size_t count;
    petro_result rc;
    bool truncated;
} asset_walk;

static int asset_cb(void *cb_ctx, const petro_asset_info *info) {
    asset_walk *w = cb_ctx;
    if (w->count >= APIJ_LIST_COUNT_MAX) {
        w->truncated = true;
        return 1;
    }
    bool native = info->asset.kind == PETRO_ASSET_NATIVE;
    petro_amount supply = 0;
    petro_amount out_total = 0;
    /* supply = issued - redeemed - burned, checked: a failure means a broken record. */
    if (petro_amount_add(&out_total, info->redeemed, info->burned) != PETRO_OK ||
        petro_amount_sub(&supply, info->issued, out_total) != PETRO_OK) {
        w->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    json_t *a = json_object();
    bool ok = a != NULL;
    ok = ok && apij_set(a, "asset", apij_asset(&info->asset, w->kind));
    ok = ok && apij_set(a, "code", code_string(info->asset.code));
    ok = ok && apij_set(a, "issuer",
                        apij_address(native ? w->treasury : &info->asset.issuer, w->kind));
    ok = ok && apij_set(a, "auth_required",
                        json_boolean((info->flags & PETRO_ASSET_FLAG_AUTH_REQUIRED) != 0));
    ok = ok && apij_set(a, "revocable",
                        json_boolean((info->flags & PETRO_ASSET_FLAG_REVOCABLE) != 0));
    ok = ok && apij_set(a, "issued", apij_amount(info->issued));
    ok = ok && apij_set(a, "redeemed", apij_amount(info->redeemed));
    ok = ok && apij_set(a, "burned", apij_amount(info->burned));
    ok = ok && apij_set(a, "supply", apij_amount(supply));
    ok = ok && apij_set(a, "holders", json_integer(info->holder_count));
    ok = ok && apij_set(a, "created_height", apij_u64(info->created_height));
    if (!apij_append(w->list, apij_finish(a, ok))) {
        w->rc = PETRO_ERR_NOMEM;
        return 1;
    }
    w->count++;
    return 0;
}

petro_result apij_assets(json_t **out, const petro_store *store, const petro_pubkey *treasury,
                         petro_net_kind kind) {
    *out = NULL;
    asset_walk w = {.list = json_array(), .treasury = treasury, .kind = kind, .rc = PETRO_OK};
    if (w.list == NULL) {
        return PETRO_ERR_NOMEM;
    }
    petro_result rc = petro_state_each_asset(store, asset_cb, &w);
    if (rc == PETRO_OK) {
        rc = w.rc;
    }
    if (rc != PETRO_OK) {
        json_decref(w.list);
        return rc;
    }
    json_t *o = json_object();
    bool ok = apij_set_if(o != NULL, o, "assets", w.list);
    if (ok && w.truncated) {
        ok = apij_set(o, "truncated", json_true());
    }
    *out = apij_finish(o, ok);
    return *out != NULL ? PETRO_OK : PETRO_ERR_NOMEM;
}
