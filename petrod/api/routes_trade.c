/* The trade and zone routes (docs/api.md "Trade") and the JSON of the trade and zones ops.
 *
 * GET /v1/trade/contracts/{id}, /v1/trade/contracts?party=ADDRESS&state=NAME,
 * /v1/trade/targets, /v1/zones, /v1/zones/{id}, /v1/stats/trade?group=...&period=...
 * Every answer is read from one node_read snapshot of the committed state: contracts, zones
 * and the turnover aggregates are core state, identical on every node at the same height. */
#include "server.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "opjson.h"
#include "petro/trade.h"

static json_t *doc_json_name(uint8_t t) {
    const char *n = petro_trade_doc_name(t);
    return json_string(n != NULL ? n : "unknown");
}

/* The fields of a trade target, as set (the op) and as listed (/v1/trade/targets). */
static bool target_fields(json_t *o, const petro_trade_target_terms *t, petro_net_kind kind) {
    bool ok = apij_set(o, "origin", apij_text(t->origin, 2));
    ok = ok && apij_set(o, "destination", apij_text(t->destination, 2));
    ok = ok && apij_set(o, "asset", apij_asset(&t->asset, kind));
    ok = ok && apij_set(o, "base_year", json_integer(t->base_year));
    ok = ok && apij_set(o, "target_year", json_integer(t->target_year));
    ok = ok && apij_set(o, "growth_bps", json_integer(t->growth_bps));
    return ok;
}

/* ------------------------------------------------------------ contracts */

static json_t *mask_addresses(const petro_trade_contract *c, uint8_t mask, petro_net_kind kind) {
    json_t *arr = json_array();
    for (uint8_t i = 0; arr != NULL && i < c->terms.approver_count; i++) {
        if ((mask & (1u << i)) != 0 &&
            !apij_append(arr, apij_address(&c->terms.approvers[i], kind))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

typedef struct doc_list {
    json_t *arr;
    petro_net_kind kind;
    bool ok;
} doc_list;

static int add_doc(void *v, const petro_trade_document *d) {
    doc_list *l = v;
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && apij_set(o, "shipment", json_integer(d->shipment));
    ok = ok && apij_set(o, "type", doc_json_name(d->doc_type));
    ok = ok && apij_set(o, "hash", apij_hash(&d->doc_hash));
    ok = ok && apij_set(o, "reference", apij_text(d->reference, PETRO_TRADE_TEXT_MAX));
    ok = ok && apij_set(o, "presented_by", apij_address(&d->presenter, l->kind));
    ok = ok && apij_set(o, "time_ms", apij_u64(d->time_ms));
    ok = ok && apij_set(o, "height", apij_u64(d->height));
    if (!ok) json_decref(o);
    l->ok = ok && apij_append(l->arr, o);
    return l->ok ? 0 : 1;
}

static json_t *contract_json(const petro_store *store, const petro_trade_contract *c,
                             petro_net_kind kind, bool with_docs, petro_result *rc) {
    json_t *o = json_object();
    /* The terms, rendered as the trade_create operation that set them. */
    const petro_op_schema *terms = petro_op_schema_of(PETRO_OP_TRADE_CREATE);
    bool ok = o != NULL && terms != NULL && opjson_fields(o, terms, &c->terms, kind);
    const char *state = petro_trade_state_name(c->state);
    ok = ok && apij_set(o, "id", apij_u64(c->id));
    ok = ok && apij_set(o, "state", json_string(state != NULL ? state : "unknown"));
    ok = ok && apij_set(o, "importer", apij_address(&c->importer, kind));
    ok = ok && apij_set(o, "hs_chapter", json_integer(c->terms.hs_code / 10000));
    ok = ok && apij_set(o, "locked", apij_amount(c->locked));
    ok = ok && apij_set(o, "released", apij_amount(c->released));
    ok = ok && apij_set(o, "refunded", apij_amount(c->refunded));
    ok = ok && apij_set(o, "shipment", json_integer(c->shipment));
    ok = ok && apij_set(o, "release_count", json_integer(c->release_count));
    ok = ok && apij_set(o, "approved_by", mask_addresses(c, c->approved_mask, kind));
    ok = ok && apij_set(o, "rejected_by", mask_addresses(c, c->rejected_mask, kind));
    ok = ok && apij_set(o, "last_reason", json_integer(c->last_reason));
    ok = ok && apij_set(o, "disputed_by",
                        c->disputed_by == 1   ? json_string("importer")
                        : c->disputed_by == 2 ? json_string("exporter")
                                              : json_null());
    ok = ok && apij_set(o, "dispute_reason", json_integer(c->dispute_reason));
    ok = ok && apij_set(o, "resolve_votes", mask_addresses(c, c->resolve_mask, kind));
    ok = ok && apij_set(o, "resolve_amount", apij_amount(c->resolve_amount));
    ok = ok && apij_set(o, "amend_count", json_integer(c->amend_count));
    ok = ok && apij_set(o, "created_height", apij_u64(c->created_height));
    ok = ok && apij_set(o, "created_ms", apij_u64(c->created_ms));
    ok = ok && apij_set(o, "updated_height", apij_u64(c->updated_height));
    if (ok && with_docs) {
        doc_list l = {json_array(), kind, true};
        ok = l.arr != NULL;
        if (ok) *rc = petro_trade_each_document(store, c->id, add_doc, &l);
        ok = ok && *rc == PETRO_OK && l.ok && apij_set(o, "presented", l.arr);
        if (!ok) json_decref(l.arr);
    }
    return apij_finish(o, ok);
}

static bool parse_u64(const char *s, size_t n, uint64_t *out) {
    if (n == 0 || n > 19) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* Runs with a snapshot: store, tip and kind. */
typedef struct snap {
    node_read *rd;
    const petro_store *store;
    petro_ledger_tip tip;
    petro_net_kind kind;
} snap;

static petro_result snap_begin(const api_request *req, snap *s) {
    memset(s, 0, sizeof *s);
    petro_result rc = node_read_begin(req->api->node, &s->rd);
    if (rc != PETRO_OK) return rc;
    s->store = node_read_store(s->rd);
    rc = petro_ledger_tip_get(s->store, &s->tip);
    s->kind = apij_net_kind(s->tip.net_kind);
    if (rc != PETRO_OK) node_read_end(s->rd);
    return rc;
}

static enum MHD_Result send_body(const api_request *req, snap *s, json_t *body, petro_result rc) {
    bool ok = body != NULL && rc == PETRO_OK;
    ok = ok && apij_set(body, "height", apij_u64(s->tip.height));
    node_read_end(s->rd);
    if (!ok) {
        json_decref(body);
        return api_send_error(req, rc != PETRO_OK ? rc : PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

/* Send {key: list, "height"} after a walk that built list; list_ok is false when the walk
 * failed to add an item. Takes list. */
static enum MHD_Result send_list(const api_request *req, snap *s, const char *key, json_t *list,
                                 bool list_ok, petro_result rc) {
    json_t *body = json_object();
    bool ok = apij_set_if(body != NULL && list != NULL && list_ok && rc == PETRO_OK, body, key,
                          list);
    if (!ok && rc == PETRO_OK) rc = PETRO_ERR_NOMEM;
    return send_body(req, s, body, rc);
}

static enum MHD_Result api_v1_trade_contract(const api_request *req) {
    uint64_t id;
    if (!parse_u64(req->param, req->param_size, &id) || id == 0) {
        return api_send_error(req, PETRO_ERR_BAD_REQUEST, "contract id must be a number >= 1",
                              NULL);
    }
    snap s;
    petro_result rc = snap_begin(req, &s);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    petro_trade_contract c;
    rc = petro_trade_get(s.store, &c, id);
    if (rc != PETRO_OK) {
        node_read_end(s.rd);
        return api_send_error(req, rc, rc == PETRO_ERR_NOT_FOUND ? "no such contract" : NULL,
                              NULL);
    }
    json_t *body = contract_json(s.store, &c, s.kind, true, &rc);
    return send_body(req, &s, body, rc);
}

typedef struct contract_list {
    json_t *arr;
    const petro_store *store;
    petro_net_kind kind;
    bool has_party;
    petro_pubkey party;
    uint8_t state; /* 0 = any */
    bool ok;
    petro_result rc;
} contract_list;

static int add_contract(void *v, const petro_trade_contract *c) {
    contract_list *l = v;
    if (l->state != 0 && c->state != l->state) return 0;
    if (l->has_party) {
        bool match = petro_pubkey_equal(&c->importer, &l->party) ||
                     petro_pubkey_equal(&c->terms.exporter, &l->party);
        for (uint8_t i = 0; i < c->terms.approver_count; i++) {
            match = match || petro_pubkey_equal(&c->terms.approvers[i], &l->party);
        }
        if (!match) return 0;
    }
    l->ok = apij_append(l->arr, contract_json(l->store, c, l->kind, false, &l->rc));
    return l->ok ? 0 : 1;
}

static enum MHD_Result api_v1_trade_contracts(const api_request *req) {
    snap s;
    petro_result rc = snap_begin(req, &s);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    contract_list l = {json_array(), s.store, s.kind, false, {{0}}, 0, true, PETRO_OK};
    const char *party = api_query(req, "party"), *state = api_query(req, "state");
    if (party != NULL) {
        l.has_party = true;
        rc = petro_address_decode(&l.party, party, strlen(party), s.kind);
    }
    if (rc == PETRO_OK && state != NULL) {
        for (uint8_t i = 1; i <= PETRO_TRADE_STATE_MAX; i++) {
            if (strcmp(petro_trade_state_name(i), state) == 0) l.state = i;
        }
        if (l.state == 0) rc = PETRO_ERR_BAD_REQUEST;
    }
    if (rc != PETRO_OK) {
        node_read_end(s.rd);
        json_decref(l.arr);
        return api_send_error(req, rc,
                              rc == PETRO_ERR_BAD_REQUEST
                                  ? "state must be created, funded, disputed, released, "
                                    "refunded or resolved"
                                  : NULL,
                              NULL);
    }
    if (l.arr != NULL) rc = petro_trade_each(s.store, add_contract, &l);
    if (rc == PETRO_OK) rc = l.rc;
    return send_list(req, &s, "contracts", l.arr, l.ok, rc);
}

/* ------------------------------------------------------------ zones */

static json_t *zone_json(const petro_zone *z, petro_net_kind kind) {
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && apij_set(o, "id", json_integer(z->id));
    ok = ok && apij_set(o, "name", apij_text(z->name, PETRO_TRADE_TEXT_MAX));
    ok = ok && apij_set(o, "country", apij_text(z->country, 2));
    ok = ok && apij_set(o, "authority", apij_address(&z->authority, kind));
    ok = ok && apij_set(o, "fee_bps", json_integer(z->fee_bps));
    ok = ok && apij_set(o, "tx_limit", z->tx_limit > 0 ? apij_amount(z->tx_limit) : json_null());
    ok = ok && apij_set(o, "min_kyc_tier", json_integer(z->min_kyc_tier));
    json_t *assets = z->asset_count > 0 ? json_array() : json_null();
    for (uint8_t i = 0; assets != NULL && i < z->asset_count; i++) {
        ok = ok && apij_append(assets, apij_asset(&z->assets[i], kind));
    }
    ok = ok && apij_set(o, "allowed_assets", assets);
    ok = ok && apij_set(o, "created_height", apij_u64(z->created_height));
    return apij_finish(o, ok);
}

typedef struct zone_list {
    json_t *arr;
    petro_net_kind kind;
    bool ok;
} zone_list;

static int add_zone(void *v, const petro_zone *z) {
    zone_list *l = v;
    l->ok = apij_append(l->arr, zone_json(z, l->kind));
    return l->ok ? 0 : 1;
}

static enum MHD_Result api_v1_zones(const api_request *req) {
    snap s;
    petro_result rc = snap_begin(req, &s);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    zone_list l = {json_array(), s.kind, true};
    if (l.arr != NULL) rc = petro_zone_each(s.store, add_zone, &l);
    return send_list(req, &s, "zones", l.arr, l.ok, rc);
}

static enum MHD_Result api_v1_zone(const api_request *req) {
    uint64_t id;
    if (!parse_u64(req->param, req->param_size, &id) || id == 0 || id > UINT32_MAX) {
        return api_send_error(req, PETRO_ERR_BAD_REQUEST, "zone id must be a number >= 1", NULL);
    }
    snap s;
    petro_result rc = snap_begin(req, &s);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    petro_zone z;
    rc = petro_zone_get(s.store, &z, (uint32_t)id);
    if (rc != PETRO_OK) {
        node_read_end(s.rd);
        return api_send_error(req, rc, rc == PETRO_ERR_NOT_FOUND ? "no such zone" : NULL, NULL);
    }
    return send_body(req, &s, zone_json(&z, s.kind), PETRO_OK);
}

/* ------------------------------------------------------------ statistics */

/* Aggregation of stat records into rows keyed by (group key, period, asset), in record order:
 * records of one group key come sorted by month then asset, so rows of a year are merged by
 * looking back over the rows of the same group key. */
typedef struct stat_row {
    petro_trade_stat s; /* month holds yyyymm or yyyy */
} stat_row;

typedef struct stat_agg {
    stat_row *rows;
    size_t count, cap;
    bool yearly;
    bool has_asset;
    petro_asset asset;
    petro_result rc;
} stat_agg;

static bool same_group(const petro_trade_stat *a, const petro_trade_stat *b) {
    return a->zone_id == b->zone_id && a->hs_chapter == b->hs_chapter &&
           strcmp(a->origin, b->origin) == 0 && strcmp(a->destination, b->destination) == 0;
}

static int agg_stat(void *v, const petro_trade_stat *s) {
    stat_agg *a = v;
    if (a->has_asset && !petro_asset_equal(&a->asset, &s->asset)) return 0;
    petro_trade_stat k = *s;
    if (a->yearly) k.month = s->month / 100;
    for (size_t i = a->count; i > 0; i--) {
        stat_row *r = &a->rows[i - 1];
        if (!same_group(&r->s, &k)) break;
        if (r->s.month == k.month && petro_asset_equal(&r->s.asset, &k.asset)) {
            r->s.count += k.count;
            if (petro_amount_add(&r->s.value, r->s.value, k.value) != PETRO_OK) {
                a->rc = PETRO_ERR_AMOUNT_OVERFLOW;
                return 1;
            }
            return 0;
        }
    }
    if (a->count == a->cap) {
        size_t cap = a->cap == 0 ? 64 : a->cap * 2;
        stat_row *rows = realloc(a->rows, cap * sizeof *rows);
        if (rows == NULL) {
            a->rc = PETRO_ERR_NOMEM;
            return 1;
        }
        a->rows = rows;
        a->cap = cap;
    }
    a->rows[a->count++].s = k;
    return 0;
}

static json_t *period_json(uint32_t p, bool yearly) {
    char text[16];
    if (yearly) {
        snprintf(text, sizeof text, "%04" PRIu32, p);
    } else {
        snprintf(text, sizeof text, "%04" PRIu32 "-%02" PRIu32, p / 100, p % 100);
    }
    return json_string(text);
}

static enum MHD_Result api_v1_stats_trade(const api_request *req) {
    const char *group = api_query(req, "group"), *period = api_query(req, "period");
    uint8_t g = PETRO_STATS_TOTAL;
    const char *gname = "total";
    if (group != NULL) {
        gname = group;
        if (strcmp(group, "total") == 0) {
            g = PETRO_STATS_TOTAL;
        } else if (strcmp(group, "zone") == 0) {
            g = PETRO_STATS_ZONE;
        } else if (strcmp(group, "country_pair") == 0) {
            g = PETRO_STATS_COUNTRY_PAIR;
        } else if (strcmp(group, "hs_chapter") == 0) {
            g = PETRO_STATS_HS_CHAPTER;
        } else {
            return api_send_error(req, PETRO_ERR_BAD_REQUEST,
                                  "group must be total, zone, country_pair or hs_chapter", NULL);
        }
    }
    bool yearly = false;
    if (period != NULL) {
        if (strcmp(period, "year") == 0) {
            yearly = true;
        } else if (strcmp(period, "month") != 0) {
            return api_send_error(req, PETRO_ERR_BAD_REQUEST, "period must be month or year",
                                  NULL);
        }
    }
    snap s;
    petro_result rc = snap_begin(req, &s);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    stat_agg a;
    memset(&a, 0, sizeof a);
    a.yearly = yearly;
    const char *asset = api_query(req, "asset");
    if (asset != NULL) {
        a.has_asset = true;
        rc = apij_asset_parse(&a.asset, asset, s.kind);
        if (rc != PETRO_OK) {
            node_read_end(s.rd);
            return api_send_error(req, rc, NULL, NULL);
        }
    }
    rc = petro_trade_each_stat(s.store, g, agg_stat, &a);
    if (rc == PETRO_OK) rc = a.rc;
    json_t *body = json_object(), *rows = json_array();
    bool ok = rc == PETRO_OK && body != NULL && rows != NULL;
    for (size_t i = 0; ok && i < a.count; i++) {
        const petro_trade_stat *st = &a.rows[i].s;
        json_t *o = json_object();
        ok = o != NULL;
        switch (g) {
        case PETRO_STATS_ZONE:
            ok = ok && apij_set(o, "zone", st->zone_id != 0 ? json_integer(st->zone_id)
                                                            : json_null());
            break;
        case PETRO_STATS_COUNTRY_PAIR:
            ok = ok && apij_set(o, "origin", apij_text(st->origin, 2));
            ok = ok && apij_set(o, "destination", apij_text(st->destination, 2));
            break;
        case PETRO_STATS_HS_CHAPTER:
            ok = ok && apij_set(o, "hs_chapter", json_integer(st->hs_chapter));
            break;
        default:
            break;
        }
        ok = ok && apij_set(o, yearly ? "year" : "month", period_json(st->month, yearly));
        ok = ok && apij_set(o, "asset", apij_asset(&st->asset, s.kind));
        ok = ok && apij_set(o, "count", apij_u64(st->count));
        ok = ok && apij_set(o, "value", apij_amount(st->value));
        if (!ok) json_decref(o);
        ok = ok && apij_append(rows, o);
    }
    free(a.rows);
    ok = ok && apij_set(body, "group", json_string(gname));
    ok = ok && apij_set(body, "period", json_string(yearly ? "year" : "month"));
    ok = apij_set_if(ok, body, "rows", rows);
    if (!ok && rc == PETRO_OK) rc = PETRO_ERR_NOMEM;
    return send_body(req, &s, body, rc);
}

/* ------------------------------------------------------------ targets */

typedef struct pair_sum {
    const petro_trade_target *t;
    petro_amount base, current;
    petro_result rc;
} pair_sum;

static int sum_pair(void *v, const petro_trade_stat *s) {
    pair_sum *p = v;
    if (strcmp(s->origin, p->t->t.origin) != 0 ||
        strcmp(s->destination, p->t->t.destination) != 0 ||
        !petro_asset_equal(&s->asset, &p->t->t.asset)) {
        return 0;
    }
    uint32_t year = s->month / 100;
    petro_amount *into = year == p->t->t.base_year     ? &p->base
                         : year == p->t->t.target_year ? &p->current
                                                       : NULL;
    if (into != NULL && petro_amount_add(into, *into, s->value) != PETRO_OK) {
        p->rc = PETRO_ERR_AMOUNT_OVERFLOW;
        return 1;
    }
    return 0;
}

typedef struct target_list {
    json_t *arr;
    const petro_store *store;
    petro_net_kind kind;
    bool ok;
    petro_result rc;
} target_list;

static int add_target(void *v, const petro_trade_target *t) {
    target_list *l = v;
    pair_sum p = {t, 0, 0, PETRO_OK};
    l->rc = petro_trade_each_stat(l->store, PETRO_STATS_COUNTRY_PAIR, sum_pair, &p);
    if (l->rc == PETRO_OK) l->rc = p.rc;
    petro_amount target = 0, progress_bps = 0;
    if (l->rc == PETRO_OK) {
        l->rc = petro_amount_mul_div_floor(&target, p.base, 10000 + (petro_amount)t->t.growth_bps,
                                           10000);
    }
    if (l->rc == PETRO_OK && target > 0) {
        l->rc = petro_amount_mul_div_floor(&progress_bps, p.current, 10000, target);
    }
    if (l->rc != PETRO_OK) return 1;
    json_t *o = json_object();
    bool ok = o != NULL && target_fields(o, &t->t, l->kind);
    ok = ok && apij_set(o, "base_turnover", apij_amount(p.base));
    ok = ok && apij_set(o, "target_turnover", apij_amount(target));
    ok = ok && apij_set(o, "current_turnover", apij_amount(p.current));
    ok = ok && apij_set(o, "progress_bps", target > 0 ? json_integer(progress_bps) : json_null());
    ok = ok && apij_set(o, "set_by", apij_address(&t->set_by, l->kind));
    ok = ok && apij_set(o, "height", apij_u64(t->height));
    if (!ok) json_decref(o);
    l->ok = ok && apij_append(l->arr, o);
    return l->ok ? 0 : 1;
}

static enum MHD_Result api_v1_trade_targets(const api_request *req) {
    snap s;
    petro_result rc = snap_begin(req, &s);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    target_list l = {json_array(), s.store, s.kind, true, PETRO_OK};
    if (l.arr != NULL) rc = petro_trade_each_target(s.store, add_target, &l);
    if (rc == PETRO_OK) rc = l.rc;
    return send_list(req, &s, "targets", l.arr, l.ok, rc);
}

static const api_route ROUTES[] = {
    {API_GET, "/v1/trade/contracts/{id}", api_v1_trade_contract, 0, 0},
    {API_GET, "/v1/trade/contracts", api_v1_trade_contracts, 0, 0},
    {API_GET, "/v1/trade/targets", api_v1_trade_targets, 0, 0},
    {API_GET, "/v1/zones", api_v1_zones, 0, 0},
    {API_GET, "/v1/zones/{id}", api_v1_zone, 0, 0},
    {API_GET, "/v1/stats/trade", api_v1_stats_trade, 0, 0},
};
API_ROUTE_TABLE(trade, ROUTES);
