/* State proofs (docs/api.md "State proofs", docs/protocol.md "State commitment"):
 *   GET /v1/state-root                  the latest signed state root
 *   GET /v1/proofs/state?key=HEX        the proof of one state record at that root
 *   GET /v1/accounts/{address}/proof    the proofs of an account's record and PTR balance
 * Before the node's first root (at start-up it is built off-thread): 503 unavailable with
 * "reason": "no_state_root". A key without a record at the root: 404 not_found. Proofs come
 * from stateroot.c, which reads the records of the key's bucket from the current state and
 * proves them only while they are still as at the root (else 409 changed_since_root: after
 * the next root); a proof proves the state at the root's height, not at the tip. */
#include "server.h"

#include <string.h>

#include "json.h"
#include "state_proof_json.h"
#include "stateroot.h"

static enum MHD_Result no_root(const api_request *req) {
    json_t *extra = json_object();
    if (extra != NULL) json_object_set_new(extra, "reason", json_string("no_state_root"));
    return api_send_error(req, PETRO_ERR_UNAVAILABLE,
                          "no signed state root yet (one is built at start-up and every "
                          "checkpoint interval); retry shortly",
                          extra);
}

static petro_net_kind net_kind(const api_request *req) {
    node_status st;
    if (node_status_get(req->api->node, &st) != PETRO_OK) return PETRO_NET_TEST;
    return apij_net_kind(st.tip.net_kind);
}

static enum MHD_Result api_v1_state_root(const api_request *req) {
    petro_state_root sr;
    if (stateroot_latest(node_stateroots(req->api->node), &sr) != PETRO_OK) return no_root(req);
    json_t *body = state_root_to_json(&sr, net_kind(req));
    if (body == NULL) return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    return api_send_json(req, MHD_HTTP_OK, body);
}

/* The proof of key as JSON into *out; the error otherwise. */
static petro_result prove(const api_request *req, const uint8_t *key, size_t key_size,
                          petro_net_kind kind, json_t **out) {
    *out = NULL;
    petro_state_proof *p = malloc(sizeof *p);
    if (p == NULL) return PETRO_ERR_NOMEM;
    petro_result rc = stateroot_proof(node_stateroots(req->api->node), key, key_size, p);
    if (rc == PETRO_OK) {
        *out = state_proof_to_json(p, kind);
        if (*out == NULL) rc = PETRO_ERR_NOMEM;
    }
    free(p);
    return rc;
}

static enum MHD_Result send_failure(const api_request *req, petro_result rc, const char *absent) {
    if (rc == PETRO_ERR_UNAVAILABLE) return no_root(req);
    return api_send_error(req, rc, rc == PETRO_ERR_NOT_FOUND ? absent : NULL, NULL);
}

static enum MHD_Result api_v1_proofs_state(const api_request *req) {
    const char *hex = api_query(req, "key");
    size_t len = hex != NULL ? strlen(hex) : 0;
    uint8_t key[PETRO_STORE_KEY_SIZE_MAX];
    if (len == 0 || len % 2 != 0 || len / 2 > sizeof key ||
        petro_hex_decode(key, len / 2, hex, len) != PETRO_OK) {
        return api_send_error(req, PETRO_ERR_BAD_REQUEST,
                              "key=HEX is required: 1..128 bytes of hex", NULL);
    }
    json_t *body = NULL;
    petro_result rc = prove(req, key, len / 2, net_kind(req), &body);
    if (rc != PETRO_OK) {
        return send_failure(req, rc, "no record with this key at the latest state root");
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

static enum MHD_Result api_v1_account_proof(const api_request *req) {
    petro_net_kind kind = net_kind(req);
    petro_pubkey pk;
    petro_result rc = petro_address_decode(&pk, req->param, req->param_size, kind);
    if (rc != PETRO_OK) return api_send_error(req, rc, NULL, NULL);
    /* docs/protocol.md "State": 'A' pubkey (the account), 'T' pubkey 0x00 (its PTR balance). */
    uint8_t account_key[33] = {'A'}, balance_key[34] = {'T'};
    memcpy(account_key + 1, pk.bytes, 32);
    memcpy(balance_key + 1, pk.bytes, 32);
    balance_key[33] = 0x00;
    json_t *account = NULL, *balance = NULL;
    rc = prove(req, account_key, sizeof account_key, kind, &account);
    if (rc == PETRO_OK) rc = prove(req, balance_key, sizeof balance_key, kind, &balance);
    /* Two proofs, two reads: a new root between them would mix heights. Both come from the
     * latest root; if it changed, the client asks again (rare: once per interval). */
    bool is_mixed = false;
    if (rc == PETRO_OK) {
        json_t *a = json_object_get(json_object_get(account, "state_root"), "height");
        json_t *b = json_object_get(json_object_get(balance, "state_root"), "height");
        is_mixed = !json_equal(a, b);
    }
    if (rc != PETRO_OK || is_mixed) {
        json_decref(account);
        json_decref(balance);
        if (is_mixed) {
            return api_send_error(req, PETRO_ERR_UNAVAILABLE,
                                  "a new state root arrived between the two proofs; retry", NULL);
        }
        return send_failure(req, rc, "no such account at the latest state root");
    }
    json_t *height = json_copy(json_object_get(json_object_get(account, "state_root"), "height"));
    json_t *body = json_object(), *proofs = json_array();
    bool ok = body != NULL;
    ok = apij_append(proofs, account) && ok; /* takes account and balance either way */
    ok = apij_append(proofs, balance) && ok;
    ok = ok && apij_set(body, "account", apij_address(&pk, kind));
    ok = apij_set_if(ok, body, "height", height);
    ok = apij_set_if(ok, body, "proofs", proofs);
    if (!ok) {
        json_decref(body);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

static const api_route ROUTES[] = {
    {API_GET, "/v1/state-root", api_v1_state_root, 0, 0},
    {API_GET, "/v1/proofs/state", api_v1_proofs_state, 0, 0},
    {API_GET, "/v1/accounts/{address}/proof", api_v1_account_proof, 0, 0},
};
API_ROUTE_TABLE(state, ROUTES);
