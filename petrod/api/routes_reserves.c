/* The reserves routes (docs/api.md "Reserves") and the JSON of the reserves ops.
 *
 * GET /v1/reserves, /v1/reserves/history, /v1/reserves/proof/{address}?asset=PTR (the
 * account's balance proof and the proofs of the locks it owns, one document), and
 * /v1/assets/{asset}/holders (the largest balances at the latest checkpoint, which chose them
 * when it walked every holder: no request scans the accounts). Reads run on
 * one node_read snapshot each; "now" for expiry and price freshness is the tip's block
 * timestamp, so an answer is the same on every node at the same height. */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "json.h"
#include "petro/reserves.h"
#include "proof_json.h"

static json_t *text_string(const char *s) { return apij_text(s, PETRO_RESERVE_TEXT_MAX); }

static json_t *code_text(const char *s) { return apij_text(s, PETRO_ASSET_CODE_SIZE_MAX); }

const char *apij_commodity_name(uint8_t commodity) {
    switch (commodity) {
    case PETRO_COMMODITY_OIL: return "oil";
    case PETRO_COMMODITY_GOLD: return "gold";
    default: return "unknown";
    }
}

/* ------------------------------------------------------------ helpers */

static const char *commodity_unit(uint8_t commodity) {
    switch (commodity) {
    case PETRO_COMMODITY_OIL: return "barrel";
    case PETRO_COMMODITY_GOLD: return "troy_ounce";
    default: return "unit";
    }
}

/* A ratio in basis points as "123.45%"; NULL (JSON null) for "infinite". */
static json_t *percent(uint64_t bps) {
    if (bps == UINT64_MAX) return json_null();
    char text[40];
    snprintf(text, sizeof text, "%llu.%02llu%%", (unsigned long long)(bps / 100u),
             (unsigned long long)(bps % 100u));
    return json_string(text);
}

typedef struct attest_list {
    json_t *arr;
    uint8_t commodity;
    uint64_t now_ms;
    bool ok;
} attest_list;

static int add_attestation(void *c, const petro_attestation *a) {
    attest_list *l = c;
    if (a->commodity != l->commodity || a->superseded_by != 0 || a->valid_from_ms > l->now_ms ||
        l->now_ms >= a->valid_until_ms) {
        return 0;
    }
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && apij_set(o, "id", apij_u64(a->id));
    ok = ok && apij_set(o, "quantity", apij_amount(a->quantity));
    ok = ok && apij_set(o, "custodian", text_string(a->custodian));
    ok = ok && apij_set(o, "document_hash", apij_hash(&a->document_hash));
    ok = ok && apij_set(o, "valid_from_ms", apij_u64(a->valid_from_ms));
    ok = ok && apij_set(o, "valid_until_ms", apij_u64(a->valid_until_ms));
    ok = ok && apij_set(o, "height", apij_u64(a->height));
    if (!ok) json_decref(o);
    l->ok = ok && apij_append(l->arr, o);
    return l->ok ? 0 : 1;
}

/* Blocks from a checkpoint to the tip: how old a proof taken from it is. A checkpoint made
 * after the caller read its tip (it runs on its own thread) counts as 0 blocks old. */
static json_t *checkpoint_age(const petro_checkpoint *cp, uint64_t tip_height) {
    return apij_u64(tip_height > cp->height ? tip_height - cp->height : 0);
}

static json_t *reserve_json(checkpoints *cs, const petro_store *store,
                            const petro_reserve_status *s, const petro_ledger_tip *tip,
                            petro_net_kind kind, petro_result *rc) {
    uint64_t now_ms = tip->timestamp_ms;
    json_t *o = json_object();
    bool ok = o != NULL;
    const petro_genesis_reserve *r = &s->reserve;
    char per_unit[PETRO_AMOUNT_TEXT_SIZE];
    /* asset units per commodity unit = units_per_commodity (base per base). */
    petro_amount_format(per_unit, (petro_amount)r->units_per_commodity * PETRO_UNIT);
    ok = ok && apij_set(o, "asset", apij_asset(&r->asset, kind));
    ok = ok && apij_set(o, "commodity", json_string(apij_commodity_name(r->commodity)));
    ok = ok && apij_set(o, "commodity_unit", json_string(commodity_unit(r->commodity)));
    ok = ok && apij_set(o, "asset_units_per_commodity_unit", json_string(per_unit));
    ok = ok && apij_set(o, "attested", apij_amount(s->attested));
    ok = ok && apij_set(o, "attestation_count", json_integer(s->attestation_count));
    ok = ok && apij_set(o, "attestations_expire_ms", s->attestation_count > 0
                                                         ? apij_u64(s->attestations_expire_ms)
                                                         : json_null());
    ok = ok && apij_set(o, "supply", apij_amount(s->supply));
    ok = ok && apij_set(o, "cap", apij_amount(s->cap));
    ok = ok && apij_set(o, "outstanding", apij_amount(s->outstanding));
    ok = ok && apij_set(o, "headroom", apij_amount(s->headroom));
    ok = ok && apij_set(o, "min_coverage", percent(r->coverage_bps));
    ok = ok && apij_set(o, "coverage", percent(s->coverage_bps));
    ok = ok && apij_set(o, "under_covered", json_boolean(s->under_covered));
    ok = ok && apij_set(o, "quote", code_text(r->quote));
    ok = ok && apij_set(o, "fresh_prices", json_integer(s->price_count));
    ok = ok && apij_set(o, "reference_price",
                        s->price_count > 0 ? apij_amount(s->reference_price) : json_null());
    ok = ok && apij_set(o, "valuation",
                        s->price_count > 0 ? apij_amount(s->valuation) : json_null());
    petro_checkpoint cp;
    bool has_cp = checkpoint_latest(cs, &r->asset, &cp) == PETRO_OK;
    ok = ok && apij_set(o, "latest_checkpoint", has_cp ? checkpoint_to_json(&cp, kind)
                                                       : json_null());
    ok = ok && apij_set(o, "checkpoint_age_blocks",
                        has_cp ? checkpoint_age(&cp, tip->height) : json_null());
    attest_list l = {json_array(), r->commodity, now_ms, true};
    if (ok && l.arr != NULL) {
        *rc = petro_reserves_each_attestation(store, add_attestation, &l);
        ok = *rc == PETRO_OK && l.ok && apij_set(o, "attestations", l.arr);
        l.arr = NULL;
    }
    json_decref(l.arr);
    return apij_finish(o, ok);
}

/* ------------------------------------------------------------ GET /v1/reserves */

petro_result api_reserves_view_read(api_reserves_view *v, const petro_store *store) {
    memset(v, 0, sizeof *v);
    petro_result rc = petro_ledger_tip_get(store, &v->tip);
    if (rc != PETRO_OK) return rc;
    v->kind = apij_net_kind(v->tip.net_kind);
    rc = petro_reserves_status(store, v->tip.timestamp_ms, v->status, PETRO_GENESIS_RESERVES_MAX,
                               &v->count);
    if (rc == PETRO_OK && v->count > PETRO_GENESIS_RESERVES_MAX) rc = PETRO_ERR_CORRUPT;
    if (rc != PETRO_OK) v->count = 0;
    return rc;
}

static enum MHD_Result api_v1_reserves(const api_request *req) {
    checkpoints *cs = node_checkpoints(req->api->node);
    node_read *rd = NULL;
    petro_result rc = node_read_begin(req->api->node, &rd);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    const petro_store *store = node_read_store(rd);
    api_reserves_view v;
    rc = api_reserves_view_read(&v, store);
    const petro_ledger_tip tip = v.tip;
    json_t *body = json_object(), *arr = json_array();
    bool ok = rc == PETRO_OK && body != NULL && arr != NULL;
    bool under = false;
    for (uint32_t i = 0; ok && i < v.count; i++) {
        under = under || v.status[i].under_covered;
        ok = apij_append(arr, reserve_json(cs, store, &v.status[i], &tip, v.kind, &rc));
    }
    node_read_end(rd);
    uint32_t interval = 0;
    bool on = checkpoint_enabled(cs, &interval);
    ok = ok && apij_set(body, "height", apij_u64(tip.height));
    ok = ok && apij_set(body, "timestamp_ms", apij_u64(tip.timestamp_ms));
    ok = ok && apij_set(body, "under_covered", json_boolean(under));
    ok = ok && apij_set(body, "warning",
                        under ? json_string("UNDER-COVERED: the supply of a reserve-backed asset "
                                            "exceeds its attested reserves times the minimum "
                                            "coverage; issuance of it is blocked until more "
                                            "reserves are attested")
                              : json_null());
    ok = ok && apij_set(body, "checkpoint_interval", on ? json_integer(interval) : json_null());
    ok = apij_set_if(ok, body, "reserves", arr);
    if (!ok) {
        json_decref(body);
        return api_send_error(req, rc != PETRO_OK ? rc : PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

/* ------------------------------------------------------------ GET /v1/reserves/history */

#define HISTORY_LIMIT_DEFAULT 1000u
#define HISTORY_LIMIT_MAX 100000u

typedef struct history_ctx {
    json_t *arr;
    bool has_asset;
    petro_asset asset;
    petro_net_kind kind;
    bool ok;
    bool counting;  /* first pass: count the matching records */
    uint64_t count; /* matching records (first pass) */
    uint64_t skip;  /* matching records to skip (second pass): keep the newest `limit` */
} history_ctx;

static int add_record(void *c, const checkpoint_record *r) {
    history_ctx *h = c;
    if (h->has_asset && !petro_asset_equal(&h->asset, &r->asset)) return 0;
    if (h->counting) {
        h->count++;
        return 0;
    }
    if (h->skip > 0) {
        h->skip--;
        return 0;
    }
    json_t *o = json_object();
    bool ok = o != NULL;
    uint64_t bps = UINT64_MAX;
    if (r->supply > 0) {
        petro_amount q;
        /* coverage = cap / supply at 100% minimum: reserves allow cap, supply used. */
        if (petro_amount_mul_div_floor(&q, r->cap, 10000, r->supply) == PETRO_OK) {
            bps = (uint64_t)q;
        }
    }
    ok = ok && apij_set(o, "height", apij_u64(r->height));
    ok = ok && apij_set(o, "timestamp_ms", apij_u64(r->timestamp_ms));
    ok = ok && apij_set(o, "asset", apij_asset(&r->asset, h->kind));
    ok = ok && apij_set(o, "supply", apij_amount(r->supply));
    ok = ok && apij_set(o, "attested", apij_amount(r->attested));
    ok = ok && apij_set(o, "cap", apij_amount(r->cap));
    ok = ok && apij_set(o, "cap_over_supply", percent(bps));
    ok = ok && apij_set(o, "under_covered", json_boolean(r->supply > r->cap));
    ok = ok && apij_set(o, "holders", apij_u64(r->leaf_count - r->lock_count));
    ok = ok && apij_set(o, "locks", apij_u64(r->lock_count));
    ok = ok && apij_set(o, "root", apij_hash(&r->root));
    ok = ok && apij_set(o, "block_hash", apij_hash(&r->block_hash));
    ok = ok && apij_set(o, "validator", apij_address(&r->validator, h->kind));
    ok = ok && apij_set(o, "signature", apij_hex(r->signature.bytes, 64));
    if (!ok) json_decref(o);
    h->ok = ok && apij_append(h->arr, o);
    return h->ok ? 0 : 1;
}

static enum MHD_Result api_v1_reserves_history(const api_request *req) {
    node_status st;
    petro_result rc = node_status_get(req->api->node, &st);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    history_ctx h = {json_array(), false, {0}, apij_net_kind(st.tip.net_kind), true, true, 0, 0};
    const char *asset = api_query(req, "asset");
    if (asset != NULL) {
        rc = apij_asset_parse(&h.asset, asset, h.kind);
        if (rc != PETRO_OK) {
            json_decref(h.arr);
            return api_send_error(req, rc, "asset: PTR or CODE:ISSUER_ADDRESS", NULL);
        }
        h.has_asset = true;
    }
    uint64_t limit = HISTORY_LIMIT_DEFAULT;
    const char *lim = api_query(req, "limit");
    if (lim != NULL && (!api_parse_u64(&limit, lim, strlen(lim)) || limit < 1 ||
                        limit > HISTORY_LIMIT_MAX)) {
        json_decref(h.arr);
        return api_send_error(req, PETRO_ERR_BAD_REQUEST, "limit: 1..100000", NULL);
    }
    if (h.arr == NULL) return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    /* Two passes over the history: count the matching records, then keep the newest limit.
     * A checkpoint made between the passes only adds at the end (it may be left out). */
    checkpoints *cs = node_checkpoints(req->api->node);
    checkpoint_history(cs, 0, add_record, &h);
    h.counting = false;
    h.skip = h.count > limit ? h.count - limit : 0;
    checkpoint_history(cs, 0, add_record, &h);
    json_t *body = json_object();
    bool ok = h.ok && body != NULL && apij_set(body, "records", h.arr);
    if (!ok) {
        if (body == NULL || !h.ok) json_decref(h.arr);
        json_decref(body);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

/* ------------------------------------------------------------ GET /v1/reserves/proof/{a} */

static enum MHD_Result api_v1_reserves_proof(const api_request *req) {
    node_status st;
    petro_result rc = node_status_get(req->api->node, &st);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    petro_net_kind kind = apij_net_kind(st.tip.net_kind);
    petro_pubkey pk;
    rc = petro_address_decode(&pk, req->param, req->param_size, kind);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    petro_asset asset;
    rc = apij_asset_parse(&asset, api_query(req, "asset"), kind);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, "asset: PTR or CODE:ISSUER_ADDRESS", NULL);
    }
    proof_set *ps = malloc(sizeof *ps); /* ~140 KB: the balance and up to 64 lock proofs */
    if (ps == NULL) return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    checkpoints *cs = node_checkpoints(req->api->node);
    rc = checkpoint_proofs(cs, &asset, &pk, ps);
    if (rc != PETRO_OK) {
        free(ps);
        petro_checkpoint cp;
        bool has = checkpoint_latest(cs, &asset, &cp) == PETRO_OK;
        return api_send_error(req, rc,
                              has ? "the account held no balance of this asset and owned no "
                                    "lock of it at the latest checkpoint"
                                  : "no checkpoint for this asset (not reserve-backed, or "
                                    "checkpoints are off on this node)",
                              NULL);
    }
    /* The tip after the proof: at or above its checkpoint's height. Not part of what the
     * checkpoint signs: it says how old the proof was when this node served it. */
    rc = node_status_get(req->api->node, &st);
    json_t *body = rc == PETRO_OK ? proof_set_to_json(ps, kind) : NULL;
    const petro_checkpoint *cp = ps->has_balance ? &ps->balance.checkpoint
                                                 : &ps->locks[0].checkpoint;
    bool ok = body != NULL && apij_set(body, "tip_height", apij_u64(st.tip.height));
    ok = ok && apij_set(body, "checkpoint_age_blocks", checkpoint_age(cp, st.tip.height));
    free(ps);
    if (!ok) {
        json_decref(body);
        return api_send_error(req, rc != PETRO_OK ? rc : PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

/* ------------------------------------------------------------ GET /v1/assets/{a}/holders */

#define HOLDERS_LIMIT_DEFAULT 20u

static json_t *holders_json(const checkpoint_holder *h, size_t count, petro_net_kind kind) {
    json_t *arr = json_array();
    bool ok = arr != NULL;
    for (size_t i = 0; ok && i < count; i++) {
        json_t *o = json_object();
        ok = o != NULL;
        ok = ok && apij_set(o, "rank", apij_u64(i + 1));
        ok = ok && apij_set(o, "address", apij_address(&h[i].account, kind));
        ok = ok && apij_set(o, "balance", apij_amount(h[i].balance));
        if (!ok) json_decref(o);
        ok = ok && apij_append(arr, o);
    }
    return apij_finish(arr, ok);
}

static enum MHD_Result api_v1_asset_holders(const api_request *req) {
    node_status st;
    petro_result rc = node_status_get(req->api->node, &st);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    petro_net_kind kind = apij_net_kind(st.tip.net_kind);
    char text[APIJ_ASSET_TEXT_SIZE];
    petro_asset asset;
    rc = PETRO_ERR_BAD_REQUEST;
    if (req->param_size < sizeof text) {
        memcpy(text, req->param, req->param_size);
        text[req->param_size] = '\0';
        rc = apij_asset_parse(&asset, text, kind);
    }
    if (rc != PETRO_OK) return api_send_error(req, rc, "asset: PTR or CODE:ISSUER_ADDRESS", NULL);
    uint64_t limit = HOLDERS_LIMIT_DEFAULT;
    const char *lim = api_query(req, "limit");
    if (lim != NULL && (!api_parse_u64(&limit, lim, strlen(lim)) || limit < 1 ||
                        limit > CHECKPOINT_TOP_MAX)) {
        return api_send_error(req, PETRO_ERR_BAD_REQUEST, "limit: 1..100", NULL);
    }
    checkpoint_holder top[CHECKPOINT_TOP_MAX];
    size_t count = 0;
    petro_checkpoint cp;
    rc = checkpoint_top_holders(node_checkpoints(req->api->node), &asset, top, (size_t)limit,
                                &count, &cp);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc,
                              "no checkpoint for this asset (not reserve-backed, or checkpoints "
                              "are off on this node)",
                              NULL);
    }
    json_t *body = json_object();
    bool ok = body != NULL;
    ok = ok && apij_set(body, "asset", apij_asset(&asset, kind));
    ok = ok && apij_set(body, "height", apij_u64(cp.height));
    ok = ok && apij_set(body, "timestamp_ms", apij_u64(cp.timestamp_ms));
    ok = ok && apij_set(body, "total", apij_amount(cp.total));
    ok = ok && apij_set(body, "holder_count", apij_u64(cp.leaf_count - cp.lock_count));
    ok = ok && apij_set(body, "lock_count", apij_u64(cp.lock_count));
    ok = ok && apij_set(body, "holders", holders_json(top, count, kind));
    ok = ok && apij_set(body, "checkpoint", checkpoint_to_json(&cp, kind));
    if (!ok) {
        json_decref(body);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

static const api_route ROUTES[] = {
    {API_GET, "/v1/reserves", api_v1_reserves, 0, 0},
    {API_GET, "/v1/reserves/history", api_v1_reserves_history, 0, 0},
    {API_GET, "/v1/reserves/proof/{address}", api_v1_reserves_proof, 0, 0},
    {API_GET, "/v1/assets/{asset}/holders", api_v1_asset_holders, 0, 0},
};
API_ROUTE_TABLE(reserves, ROUTES);
