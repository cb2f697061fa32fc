/* The data family's route (docs/api.md "Data"): GET /v1/data/{address}?name=NAME answers
 * {"account", "name", "value": hex, "height"} from one committed snapshot, or 404 not_found
 * when the account has no entry of that name. The value is the bytes data_set stored. */
#include "server.h"

#include <string.h>

#include "json.h"
#include "petro/data_ops.h"

static json_t *entry_json(const petro_pubkey *account, const char *name, const uint8_t *value,
                          size_t value_size, petro_net_kind kind, uint64_t height) {
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && apij_set(o, "account", apij_address(account, kind));
    ok = ok && apij_set(o, "name", json_string(name));
    ok = ok && apij_set(o, "value", apij_hex(value, value_size));
    ok = ok && apij_set(o, "height", apij_u64(height));
    return apij_finish(o, ok);
}

static enum MHD_Result api_v1_data(const api_request *req) {
    const char *name = api_query(req, "name");
    if (name == NULL) {
        return api_send_error(req, PETRO_ERR_BAD_REQUEST, "name=NAME is required", NULL);
    }
    node_read *rd = NULL;
    petro_result rc = node_read_begin(req->api->node, &rd);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    const petro_store *store = node_read_store(rd);
    petro_ledger_tip tip;
    petro_pubkey account;
    uint8_t value[PETRO_DATA_VALUE_MAX];
    size_t value_size = 0;
    rc = petro_ledger_tip_get(store, &tip);
    petro_net_kind kind = apij_net_kind(tip.net_kind);
    if (rc == PETRO_OK) rc = petro_address_decode(&account, req->param, req->param_size, kind);
    if (rc == PETRO_OK) rc = petro_data_get(store, &account, name, value, &value_size);
    json_t *body = NULL;
    if (rc == PETRO_OK) body = entry_json(&account, name, value, value_size, kind, tip.height);
    node_read_end(rd);
    if (rc != PETRO_OK) {
        const char *why = rc == PETRO_ERR_NOT_FOUND ? "no entry of that name" : NULL;
        if (rc == PETRO_ERR_BAD_TEXT) why = "name must be 1..64 printable ASCII characters";
        return api_send_error(req, rc, why, NULL);
    }
    if (body == NULL) return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    return api_send_json(req, MHD_HTTP_OK, body);
}

static const api_route ROUTES[] = {
    {API_GET, "/v1/data/{address}", api_v1_data, 0, 0},
};
API_ROUTE_TABLE(data, ROUTES);
