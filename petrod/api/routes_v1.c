/* The core routes (docs/api.md), those of no operation family: /healthz, /metrics, status,
 * accounts, transactions, blocks, assets, events, admin; the table is at the end.
 *
 * Design: every read runs on one node_read snapshot that the handler begins and ends itself
 * (one snapshot per thread, never kept across requests), so an answer is consistent with a
 * single committed height. Path and query input is validated here, before the node sees it;
 * loops over stored data are bounded by protocol limits (transactions per block, ids per
 * page). Writes happen only through node_submit / node_submit_batch. */
#include "server.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../ordering.h"
#include "checkpoint.h"
#include "faults.h"
#include "json.h"
#include "txbody.h"

#define ACCOUNT_TXS_LIMIT_DEFAULT 50u
#define ACCOUNT_TXS_LIMIT_MAX 200u
#define BATCH_REJECTS_LISTED_MAX 1000u /* rejections listed one by one in a batch answer */

static const char *net_kind_name(petro_net_kind kind) {
    return kind == PETRO_NET_MAIN ? "main" : "test";
}

/* The network kind for decoding addresses in requests. */
static petro_result request_net_kind(const api_request *req, petro_net_kind *kind) {
    node_status st;
    petro_result rc = node_status_get(req->api->node, &st);
    if (rc == PETRO_OK) {
        *kind = apij_net_kind(st.tip.net_kind);
    }
    return rc;
}

/* The account address of the path (/v1/accounts/{address}...) and the network kind it was
 * decoded for. Returns PETRO_OK, the node's status error, or the address decoder's error. */
static petro_result request_address(const api_request *req, petro_pubkey *pk,
                                    petro_net_kind *kind) {
    petro_result rc = request_net_kind(req, kind);
    if (rc == PETRO_OK) {
        rc = petro_address_decode(pk, req->param, req->param_size, *kind);
    }
    return rc;
}

/* A JSON object {"hash": hex(id)} for error answers that name a transaction. */
static json_t *hash_extra(const petro_hash *id) {
    json_t *o = json_object();
    if (o != NULL && !apij_set(o, "hash", apij_hash(id))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Answer {"hash": hex(id), "status": "pending"} with the given HTTP status. */
static enum MHD_Result send_pending(const api_request *req, const petro_hash *id,
                                    unsigned int http_status) {
    json_t *o = hash_extra(id);
    if (o == NULL || !apij_set(o, "status", json_string("pending"))) {
        json_decref(o);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, http_status, o);
}

static uint64_t monotonic_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------ status */

/* {"enabled", "interval", "last_height", "failing", "failures_total", "last_failure"} of the
 * proof-of-reserves checkpoints (docs/api.md "GET /v1/status"); NULL when out of memory. */
static json_t *checkpoint_status_json(checkpoints *cs) {
    checkpoint_health hl;
    checkpoint_health_get(cs, &hl);
    json_t *failure = NULL;
    if (hl.has_failure) {
        failure = json_object();
        bool fok = failure != NULL;
        fok = fok && apij_set(failure, "height", apij_u64(hl.failure_height));
        fok = fok && apij_set(failure, "error", json_string(petro_result_name(hl.failure_code)));
        fok = fok && apij_set(failure, "reason", json_string(hl.failure_reason));
        if (!fok) {
            json_decref(failure);
            return NULL;
        }
    }
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && apij_set(o, "enabled", json_boolean(hl.enabled));
    ok = ok && apij_set(o, "interval", hl.enabled ? json_integer(hl.interval) : json_null());
    ok = ok && apij_set(o, "last_height", hl.has_ok ? apij_u64(hl.ok_height) : json_null());
    ok = ok && apij_set(o, "failing", json_boolean(hl.is_failing));
    ok = ok && apij_set(o, "failures_total", apij_u64(hl.failures_total));
    ok = apij_set_if(ok, o, "last_failure", failure != NULL ? failure : json_null());
    return apij_finish(o, ok);
}

static enum MHD_Result api_v1_status(const api_request *req) {
    node_status st;
    petro_result rc = node_status_get(req->api->node, &st);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    petro_net_kind kind = apij_net_kind(st.tip.net_kind);
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && apij_set(o, "network", json_string(st.network_name));
    ok = ok && apij_set(o, "network_id", apij_hash(&st.tip.network_id));
    ok = ok && apij_set(o, "net_kind", json_string(net_kind_name(kind)));
    ok = ok && apij_set(o, "height", apij_u64(st.tip.height));
    ok = ok && apij_set(o, "latest_block_hash", apij_hash(&st.tip.block_hash));
    ok = ok && apij_set(o, "state_hash", apij_hash(&st.tip.state_hash));
    ok = ok && apij_set(o, "timestamp_ms", apij_u64(st.tip.timestamp_ms));
    ok = ok && apij_set(o, "mempool_size", apij_u64((uint64_t)st.mempool_size));
    ok = ok && apij_set(o, "store_damaged_values", apij_u64(st.store_damaged_total));
    ok = ok && apij_set(o, "treasury", apij_address(&st.treasury, kind));
    ok = ok && apij_set(o, "proposer", apij_address(&st.proposer, kind));
    ok = ok && apij_set(o, "version", json_string(API_PETRO_VERSION));
    struct ordering *ord = node_ordering(req->api->node);
    if (ord == NULL) {
        ok = ok && apij_set(o, "role", json_string("single"));
    } else {
        json_t *cluster = ordering_status_json(ord);
        ok = ok && cluster != NULL &&
             apij_set(o, "role", json_string(json_string_value(json_object_get(cluster, "role"))));
        ok = ok && apij_set(o, "cluster", cluster);
    }
    ok = ok && apij_set(o, "checkpoint", checkpoint_status_json(node_checkpoints(req->api->node)));
    if (!ok) {
        json_decref(o);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, o);
}

/* ------------------------------------------------------------ accounts */

/* The mempool view of an account: its queued transactions and the sequence to sign next
 * (docs/api.md). Read after the snapshot, so it is at least as new as the committed part. */
static petro_result add_pending(const api_request *req, json_t *body, const petro_account *acct) {
    uint64_t pending_count = 0;
    uint64_t last_sequence = 0;
    node_account_pending(req->api->node, &acct->id, &pending_count, &last_sequence);
    uint64_t base = last_sequence > acct->sequence ? last_sequence : acct->sequence;
    bool ok = apij_set(body, "pending_count", apij_u64(pending_count));
    ok = ok && (base == UINT64_MAX || apij_set(body, "next_sequence", apij_u64(base + 1u)));
    if (!ok) {
        json_decref(body);
        return PETRO_ERR_NOMEM;
    }
    return PETRO_OK;
}

static enum MHD_Result api_v1_account(const api_request *req) {
    petro_net_kind kind;
    petro_pubkey pk;
    petro_result rc = request_address(req, &pk, &kind);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    node_read *r = NULL;
    rc = node_read_begin(req->api->node, &r);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    const petro_store *store = node_read_store(r);
    petro_account acct;
    json_t *body = NULL;
    rc = petro_state_get_account(store, &acct, &pk);
    if (rc == PETRO_OK) {
        rc = apij_account(&body, store, &acct, kind);
    }
    node_read_end(r);
    if (rc == PETRO_OK) {
        rc = add_pending(req, body, &acct);
    }
    if (rc == PETRO_ERR_NOT_FOUND) {
        return api_send_error(req, rc, "account does not exist", NULL);
    }
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

/* Find the index-th transaction of an encoded block. Returns PETRO_OK or PETRO_ERR_CORRUPT. */
static petro_result block_tx_at(const uint8_t *block, size_t block_size, uint32_t index,
                                const uint8_t **tx, size_t *tx_size) {
    size_t offset = PETRO_BLOCK_HEADER_SIZE;
    if (index >= PETRO_BLOCK_TX_COUNT_MAX) {
        return PETRO_ERR_CORRUPT;
    }
    for (uint32_t i = 0; i <= index; i++) {
        if (petro_block_body_next(block, block_size, &offset, tx, tx_size) != PETRO_OK) {
            return PETRO_ERR_CORRUPT;
        }
    }
    return PETRO_OK;
}

/* The full object of a committed transaction (hash, status, location, fields, result).
 * tx is caller scratch (large). */
static petro_result committed_tx_json(json_t **out, node_read *r, const petro_hash *id,
                                      uint64_t height, uint32_t index, petro_net_kind kind,
                                      petro_tx *tx) {
    *out = NULL;
    const uint8_t *block = NULL;
    size_t block_size = 0;
    petro_block_header header;
    petro_result rc = api_read_block(r, height, &header, &block, &block_size);
    if (rc == PETRO_ERR_NOT_FOUND || (rc == PETRO_OK && index >= header.tx_count)) {
        rc = PETRO_ERR_CORRUPT; /* the index named a block and a slot in it */
    }
    if (rc != PETRO_OK) {
        return rc;
    }
    const uint8_t *tx_bytes = NULL;
    size_t tx_size = 0;
    rc = block_tx_at(block, block_size, index, &tx_bytes, &tx_size);
    if (rc != PETRO_OK || petro_tx_decode(tx, tx_bytes, tx_size) != PETRO_OK) {
        return PETRO_ERR_CORRUPT;
    }
    petro_tx_result result;
    rc = node_read_tx_result(r, height, index, &result);
    if (rc != PETRO_OK) {
        return rc == PETRO_ERR_NOT_FOUND ? PETRO_ERR_CORRUPT : rc;
    }
    petro_hash block_hash;
    petro_block_hash(&block_hash, &header);
    json_t *fields = apij_tx(tx, kind);
    json_t *o = json_object();
    bool ok = o != NULL && fields != NULL;
    ok = ok && apij_set(o, "hash", apij_hash(id));
    ok = ok && apij_set(o, "status", json_string("committed"));
    ok = ok && apij_set(o, "height", apij_u64(height));
    ok = ok && apij_set(o, "index", json_integer(index));
    ok = ok && apij_set(o, "block_hash", apij_hash(&block_hash));
    ok = ok && json_object_update(o, fields) == 0;
    ok = ok && apij_set(o, "result", apij_tx_result(&result));
    json_decref(fields);
    if (!ok) {
        json_decref(o);
        return PETRO_ERR_NOMEM;
    }
    *out = o;
    return PETRO_OK;
}

/* limit and cursor of /v1/accounts/{address}/transactions. */
static bool page_args(const api_request *req, size_t *limit, uint64_t *cursor,
                      const char **why) {
    const char *limit_text = api_query(req, "limit");
    const char *cursor_text = api_query(req, "cursor");
    uint64_t v = ACCOUNT_TXS_LIMIT_DEFAULT;
    if (limit_text != NULL &&
        (!api_parse_u64(&v, limit_text, strlen(limit_text)) || v < 1u ||
         v > ACCOUNT_TXS_LIMIT_MAX)) {
        *why = "limit must be a whole number from 1 to 200";
        return false;
    }
    *limit = (size_t)v;
    *cursor = 0;
    if (cursor_text != NULL && cursor_text[0] != '\0' &&
        !api_parse_u64(cursor, cursor_text, strlen(cursor_text))) {
        *why = "cursor must be a next_cursor value from an earlier page";
        return false;
    }
    return true;
}

/* Render ids (all committed) into a list of transaction objects. */
static petro_result tx_list_json(json_t **out, node_read *r, const petro_hash *ids, size_t count,
                                 petro_net_kind kind) {
    *out = NULL;
    petro_tx *tx = malloc(sizeof *tx);
    json_t *list = json_array();
    petro_result rc = (tx != NULL && list != NULL) ? PETRO_OK : PETRO_ERR_NOMEM;
    for (size_t i = 0; rc == PETRO_OK && i < count; i++) {
        uint64_t height = 0;
        uint32_t index = 0;
        json_t *item = NULL;
        rc = node_read_tx_location(r, &ids[i], &height, &index);
        if (rc == PETRO_ERR_NOT_FOUND) {
            rc = PETRO_ERR_CORRUPT; /* the account index names a transaction not stored */
        }
        if (rc == PETRO_OK) {
            rc = committed_tx_json(&item, r, &ids[i], height, index, kind, tx);
        }
        if (rc == PETRO_OK && !apij_append(list, item)) {
            rc = PETRO_ERR_NOMEM;
        }
    }
    free(tx);
    if (rc != PETRO_OK) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return PETRO_OK;
}

static json_t *cursor_json(uint64_t next) {
    if (next == 0) {
        return json_null();
    }
    char text[24];
    int n = snprintf(text, sizeof text, "%llu", (unsigned long long)next);
    return n > 0 && (size_t)n < sizeof text ? json_stringn(text, (size_t)n) : NULL;
}

static enum MHD_Result api_v1_account_txs(const api_request *req) {
    size_t limit = 0;
    uint64_t cursor = 0;
    const char *why = NULL;
    if (!page_args(req, &limit, &cursor, &why)) {
        return api_send_error(req, PETRO_ERR_BAD_REQUEST, why, NULL);
    }
    petro_net_kind kind;
    petro_pubkey pk;
    petro_result rc = request_address(req, &pk, &kind);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    petro_hash ids[ACCOUNT_TXS_LIMIT_MAX];
    size_t count = 0;
    uint64_t next = 0;
    json_t *list = NULL;
    node_read *r = NULL;
    rc = node_read_begin(req->api->node, &r);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    rc = node_read_account_txs(r, &pk, cursor, limit, ids, &count, &next);
    if (rc == PETRO_OK && count > limit) {
        rc = PETRO_ERR_CORRUPT;
    }
    if (rc == PETRO_OK) {
        rc = tx_list_json(&list, r, ids, count, kind);
    }
    node_read_end(r);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    json_t *o = json_object();
    bool ok = o != NULL;
    if (ok) {
        ok = apij_set(o, "transactions", list);
        list = NULL;
    }
    ok = ok && apij_set(o, "next_cursor", cursor_json(next));
    json_decref(list);
    if (!ok) {
        json_decref(o);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, o);
}

/* ------------------------------------------------------------ transactions: reads */

/* Look the transaction up on a fresh snapshot: committed (PETRO_OK, *out set) or
 * PETRO_ERR_NOT_FOUND. */
static petro_result lookup_committed(const api_request *req, const petro_hash *id,
                                     petro_net_kind kind, petro_tx *tx, json_t **out) {
    node_read *r = NULL;
    petro_result rc = node_read_begin(req->api->node, &r);
    if (rc != PETRO_OK) {
        return rc;
    }
    uint64_t height = 0;
    uint32_t index = 0;
    rc = node_read_tx_location(r, id, &height, &index);
    if (rc == PETRO_OK) {
        rc = committed_tx_json(out, r, id, height, index, kind, tx);
    }
    node_read_end(r);
    return rc;
}

static enum MHD_Result api_v1_tx_get(const api_request *req) {
    petro_hash id;
    if (req->param_size != 2 * sizeof id.bytes ||
        petro_hex_decode(id.bytes, sizeof id.bytes, req->param, req->param_size) != PETRO_OK) {
        return api_send_error(req, PETRO_ERR_BAD_HEX,
                              "transaction hash must be 64 hexadecimal characters", NULL);
    }
    petro_net_kind kind;
    petro_result rc = request_net_kind(req, &kind);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    petro_tx *tx = malloc(sizeof *tx);
    if (tx == NULL) {
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    json_t *body = NULL;
    rc = lookup_committed(req, &id, kind, tx, &body);
    if (rc == PETRO_ERR_NOT_FOUND) {
        if (node_tx_is_pending(req->api->node, &id)) {
            free(tx);
            return send_pending(req, &id, MHD_HTTP_OK);
        }
        /* It may have left the mempool by being committed after the first look. */
        rc = lookup_committed(req, &id, kind, tx, &body);
    }
    free(tx);
    if (rc == PETRO_ERR_NOT_FOUND) {
        return api_send_error(req, rc, "no such transaction, committed or pending", NULL);
    }
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

/* ------------------------------------------------------------ transactions: submit */

/* The id of an envelope that decodes, for error answers (duplicate_tx). */
static json_t *envelope_hash_extra(const uint8_t *bytes, size_t size) {
    petro_tx *tx = malloc(sizeof *tx);
    json_t *extra = NULL;
    petro_hash id;
    if (tx != NULL && petro_tx_decode(tx, bytes, size) == PETRO_OK &&
        petro_tx_id(&id, tx) == PETRO_OK) {
        extra = hash_extra(&id);
    }
    free(tx);
    return extra;
}

/* Wait (bounded) for id to be committed and answer with its result. */
static enum MHD_Result wait_commit(const api_request *req, const petro_hash *id) {
    node *n = req->api->node;
    uint64_t start = monotonic_ms();
    uint64_t height = 0;
    uint32_t index = 0;
    petro_result rc = PETRO_ERR_TIMEOUT;
    for (;;) { /* ends by the deadline: each round waits up to one slice */
        if (api_is_stopping(req->api)) {
            return api_send_error(req, PETRO_ERR_UNAVAILABLE,
                                  "node is shutting down; the transaction may still commit",
                                  hash_extra(id));
        }
        uint64_t elapsed = monotonic_ms() - start;
        if (elapsed >= API_WAIT_COMMIT_MS_MAX) {
            return api_send_error(req, PETRO_ERR_TIMEOUT,
                                  "not committed within 30 s; it is still pending",
                                  hash_extra(id));
        }
        uint64_t left = API_WAIT_COMMIT_MS_MAX - elapsed;
        uint32_t slice = left < API_WAIT_SLICE_MS ? (uint32_t)left : API_WAIT_SLICE_MS;
        rc = node_wait_commit(n, id, slice, &height, &index);
        if (rc != PETRO_ERR_TIMEOUT) {
            break;
        }
    }
    if (rc == PETRO_ERR_NOT_FOUND) {
        return api_send_error(req, rc, "transaction left the mempool without being committed",
                              hash_extra(id));
    }
    if (rc == PETRO_ERR_UNAVAILABLE) {
        return api_send_error(req, rc, "node is shutting down; the transaction may still commit",
                              hash_extra(id));
    }
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, hash_extra(id));
    }
    node_read *r = NULL;
    petro_tx_result result;
    rc = node_read_begin(n, &r);
    if (rc == PETRO_OK) {
        rc = node_read_tx_result(r, height, index, &result);
        node_read_end(r);
    }
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, hash_extra(id));
    }
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && apij_set(o, "hash", apij_hash(id));
    ok = ok && apij_set(o, "status", json_string("committed"));
    ok = ok && apij_set(o, "height", apij_u64(height));
    ok = ok && apij_set(o, "index", json_integer(index));
    ok = ok && apij_set(o, "result", apij_tx_result(&result));
    if (!ok) {
        json_decref(o);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, o);
}

static enum MHD_Result api_v1_tx_submit(const api_request *req) {
    const char *wait = api_query(req, "wait");
    bool wait_commit_requested = false;
    if (wait != NULL) {
        if (strcmp(wait, "commit") != 0) {
            return api_send_error(req, PETRO_ERR_BAD_REQUEST, "wait must be \"commit\"", NULL);
        }
        wait_commit_requested = true;
    }
    uint8_t tx[PETRO_TX_SIZE_MAX];
    size_t tx_size = 0;
    const char *why = NULL;
    char why_buf[96];
    petro_result rc = txbody_parse(req->body, req->body_size, API_JSON_DEPTH_MAX, tx, &tx_size,
                                   &why, why_buf, sizeof why_buf);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, why, NULL);
    }
    petro_hash id;
    memset(&id, 0, sizeof id);
    rc = node_submit(req->api->node, &id, tx, tx_size);
    if (rc == PETRO_ERR_DUPLICATE_TX) {
        return api_send_error(req, rc, NULL, envelope_hash_extra(tx, tx_size));
    }
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    if (wait_commit_requested) {
        return wait_commit(req, &id);
    }
    return send_pending(req, &id, MHD_HTTP_ACCEPTED);
}

/* ------------------------------------------------------------ transactions: batch */

/* Rejections of a batch: the BATCH_REJECTS_LISTED_MAX lowest indices are kept in a max-heap
 * (the callback may come from worker threads in any order), all are counted. */
typedef struct reject_entry {
    size_t index;
    petro_result code;
} reject_entry;

typedef struct batch_rejects {
    pthread_mutex_t lock;
    reject_entry heap[BATCH_REJECTS_LISTED_MAX];
    size_t heap_count;
    uint64_t total;
} batch_rejects;

static void heap_swap(reject_entry *a, reject_entry *b) {
    reject_entry t = *a;
    *a = *b;
    *b = t;
}

static void heap_sift_down(reject_entry *h, size_t count, size_t i) {
    for (;;) { /* at most log2(count) rounds */
        size_t big = i;
        size_t l = 2u * i + 1u;
        size_t r = l + 1u;
        if (l < count && h[l].index > h[big].index) {
            big = l;
        }
        if (r < count && h[r].index > h[big].index) {
            big = r;
        }
        if (big == i) {
            return;
        }
        heap_swap(&h[i], &h[big]);
        i = big;
    }
}

static void heap_push(batch_rejects *b, size_t index, petro_result code) {
    if (b->heap_count < BATCH_REJECTS_LISTED_MAX) {
        size_t i = b->heap_count++;
        b->heap[i] = (reject_entry){index, code};
        while (i > 0 && b->heap[(i - 1u) / 2u].index < b->heap[i].index) {
            heap_swap(&b->heap[(i - 1u) / 2u], &b->heap[i]);
            i = (i - 1u) / 2u;
        }
    } else if (index < b->heap[0].index) {
        b->heap[0] = (reject_entry){index, code};
        heap_sift_down(b->heap, b->heap_count, 0);
    }
}

static void on_batch_reject(void *cb_ctx, size_t index, petro_result code) {
    batch_rejects *b = cb_ctx;
    pthread_mutex_lock(&b->lock);
    b->total++;
    heap_push(b, index, code);
    pthread_mutex_unlock(&b->lock);
}

static int reject_cmp(const void *a, const void *b) {
    size_t x = ((const reject_entry *)a)->index;
    size_t y = ((const reject_entry *)b)->index;
    return (x > y) - (x < y);
}

static json_t *rejects_json(batch_rejects *b) {
    qsort(b->heap, b->heap_count, sizeof b->heap[0], reject_cmp);
    json_t *arr = json_array();
    bool ok = arr != NULL;
    for (size_t i = 0; ok && i < b->heap_count; i++) {
        json_t *e = json_object();
        bool eok = e != NULL;
        eok = eok && apij_set(e, "index", apij_u64((uint64_t)b->heap[i].index));
        eok = eok && apij_set(e, "error", apij_code(b->heap[i].code));
        if (!eok) {
            json_decref(e);
            e = NULL;
        }
        ok = apij_append(arr, e);
    }
    if (!ok) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

static enum MHD_Result api_v1_tx_batch(const api_request *req) {
    static const uint8_t EMPTY[1] = {0};
    if (api_fault_refuse_batch(req->api)) { /* petrod-test only (faults.h) */
        return api_send_error(req, PETRO_ERR_UNAVAILABLE, NULL, NULL);
    }
    batch_rejects *b = calloc(1, sizeof *b);
    if (b == NULL) {
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    if (pthread_mutex_init(&b->lock, NULL) != 0) {
        free(b);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    size_t accepted = 0;
    petro_result rc = node_submit_batch(req->api->node, &accepted,
                                        req->body != NULL ? req->body : EMPTY, req->body_size,
                                        on_batch_reject, b);
    pthread_mutex_destroy(&b->lock);
    if (rc != PETRO_OK) {
        free(b);
        return api_send_error(req, rc,
                              rc == PETRO_ERR_MALFORMED
                                  ? "batch framing is broken: expected repeated u32 "
                                    "little-endian size + envelope; nothing was admitted"
                                  : NULL,
                              NULL);
    }
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && apij_set(o, "accepted", apij_u64((uint64_t)accepted));
    ok = ok && apij_set(o, "rejected", rejects_json(b));
    ok = ok && apij_set(o, "rejected_count", apij_u64(b->total));
    if (ok && b->total > b->heap_count) {
        ok = apij_set(o, "rejected_truncated", json_true());
    }
    free(b);
    if (!ok) {
        json_decref(o);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, o);
}

/* ------------------------------------------------------------ blocks */

/* Ids of every transaction of an encoded block, in order; exactly tx_count of them. */
static petro_result block_tx_ids(json_t **out, const uint8_t *block, size_t block_size,
                                 uint32_t tx_count) {
    *out = NULL;
    petro_tx *tx = malloc(sizeof *tx);
    json_t *ids = json_array();
    petro_result rc = (tx != NULL && ids != NULL) ? PETRO_OK : PETRO_ERR_NOMEM;
    size_t offset = PETRO_BLOCK_HEADER_SIZE;
    for (uint32_t i = 0; rc == PETRO_OK && i < tx_count; i++) { /* tx_count <= the block max */
        const uint8_t *bytes = NULL;
        size_t size = 0;
        petro_hash id;
        if (petro_block_body_next(block, block_size, &offset, &bytes, &size) != PETRO_OK ||
            petro_tx_decode(tx, bytes, size) != PETRO_OK || petro_tx_id(&id, tx) != PETRO_OK) {
            rc = PETRO_ERR_CORRUPT;
        } else if (!apij_append(ids, apij_hash(&id))) {
            rc = PETRO_ERR_NOMEM;
        }
    }
    const uint8_t *rest = NULL;
    size_t rest_size = 0;
    if (rc == PETRO_OK &&
        petro_block_body_next(block, block_size, &offset, &rest, &rest_size) !=
            PETRO_ERR_NOT_FOUND) {
        rc = PETRO_ERR_CORRUPT; /* more transactions than the header counts */
    }
    free(tx);
    if (rc != PETRO_OK) {
        json_decref(ids);
        return rc;
    }
    *out = ids;
    return PETRO_OK;
}

/* GET /v1/blocks?from=H[&limit=N]: the encoded blocks H, H+1, ... as stored (a validator
 * catching up from a peer, docs/api.md): repeated u32 LE size + block, at most limit blocks
 * (default and maximum 64) and 8 MiB; empty past the tip. Only the tip ends the answer early:
 * a block at or below it that cannot be read is an error (corrupt), never a shorter answer,
 * which a peer would take for the tip. */
#define BLOCKS_RAW_LIMIT_MAX 64u
#define BLOCKS_RAW_BYTES_MAX ((size_t)8 << 20)

/* The height of snapshot r's tip: 0 before genesis (every height is past it). */
static petro_result read_tip_height(node_read *r, uint64_t *height) {
    *height = 0;
    petro_ledger_tip tip;
    petro_result rc = petro_ledger_tip_get(node_read_store(r), &tip);
    if (rc == PETRO_ERR_NOT_FOUND) {
        return PETRO_OK;
    }
    if (rc == PETRO_OK) {
        *height = tip.height;
    }
    return rc;
}

/* Block height from snapshot r, at or below the tip: a missing one is corrupt, not absent. */
static petro_result read_block_below_tip(node_read *r, uint64_t height, const uint8_t **block,
                                         size_t *block_size) {
    petro_result rc = node_read_block(r, height, block, block_size);
    return rc == PETRO_ERR_NOT_FOUND ? PETRO_ERR_CORRUPT : rc;
}

static enum MHD_Result api_v1_blocks_raw(const api_request *req) {
    const char *from_text = api_query(req, "from");
    const char *limit_text = api_query(req, "limit");
    char *end = NULL;
    unsigned long long from = from_text != NULL ? strtoull(from_text, &end, 10) : 0;
    if (from_text == NULL || end == from_text || *end != '\0' || from == 0) {
        return api_send_error(req, PETRO_ERR_BAD_REQUEST, "from must be a height >= 1", NULL);
    }
    unsigned long long limit = BLOCKS_RAW_LIMIT_MAX;
    if (limit_text != NULL) {
        limit = strtoull(limit_text, &end, 10);
        if (end == limit_text || *end != '\0' || limit == 0 || limit > BLOCKS_RAW_LIMIT_MAX) {
            return api_send_error(req, PETRO_ERR_BAD_REQUEST, "limit must be 1..64", NULL);
        }
    }
    node_read *r = NULL;
    petro_result rc = node_read_begin(req->api->node, &r);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    uint64_t tip_height = 0;
    rc = read_tip_height(r, &tip_height);
    if (rc != PETRO_OK) {
        node_read_end(r);
        return api_send_error(req, rc, NULL, NULL);
    }
    uint8_t *buf = NULL;
    size_t size = 0;
    for (unsigned long long i = 0; i < limit && from + i <= tip_height; i++) {
        const uint8_t *block = NULL;
        size_t block_size = 0;
        rc = read_block_below_tip(r, from + i, &block, &block_size);
        if (rc != PETRO_OK) {
            free(buf);
            node_read_end(r);
            return api_send_error(req, rc, NULL, NULL);
        }
        if (size + 4 + block_size > BLOCKS_RAW_BYTES_MAX && size > 0) {
            break;
        }
        uint8_t *grown = realloc(buf, size + 4 + block_size);
        if (grown == NULL) {
            free(buf);
            node_read_end(r);
            return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
        }
        buf = grown;
        buf[size] = (uint8_t)block_size;
        buf[size + 1] = (uint8_t)(block_size >> 8);
        buf[size + 2] = (uint8_t)(block_size >> 16);
        buf[size + 3] = (uint8_t)(block_size >> 24);
        memcpy(buf + size + 4, block, block_size);
        size += 4 + block_size;
    }
    if (buf != NULL) {
        api_fault_serve_fork(req->api, r, buf, size, from); /* petrod-test only (faults.h) */
    }
    node_read_end(r);
    enum MHD_Result ret = api_send_text(req, MHD_HTTP_OK, "application/octet-stream",
                                        buf != NULL ? (const char *)buf : "", size);
    free(buf);
    return ret;
}

/* The block object at height (or the tip if latest) from snapshot r. */
static petro_result block_json(json_t **out, node_read *r, bool latest, uint64_t height) {
    *out = NULL;
    petro_ledger_tip tip;
    petro_result rc = petro_ledger_tip_get(node_read_store(r), &tip);
    if (rc != PETRO_OK) {
        return rc == PETRO_ERR_NOT_FOUND ? PETRO_ERR_UNAVAILABLE : rc;
    }
    if (latest) {
        height = tip.height;
    }
    const uint8_t *block = NULL;
    size_t block_size = 0;
    petro_block_header header;
    rc = api_read_block(r, height, &header, &block, &block_size);
    if (rc == PETRO_ERR_NOT_FOUND && height >= 1 && height <= tip.height) {
        rc = PETRO_ERR_CORRUPT; /* the tip says this block was committed */
    }
    if (rc != PETRO_OK) {
        return rc;
    }
    json_t *ids = NULL;
    rc = block_tx_ids(&ids, block, block_size, header.tx_count);
    if (rc != PETRO_OK) {
        return rc;
    }
    json_t *o = apij_block_header(&header, apij_net_kind(tip.net_kind));
    if (o == NULL || !apij_set(o, "transactions", ids)) {
        json_decref(o);
        return PETRO_ERR_NOMEM;
    }
    *out = o;
    return PETRO_OK;
}

static enum MHD_Result api_v1_block(const api_request *req) {
    bool latest = req->param_size == 6 && memcmp(req->param, "latest", 6) == 0;
    uint64_t height = 0;
    if (!latest && !api_parse_u64(&height, req->param, req->param_size)) {
        return api_send_error(req, PETRO_ERR_BAD_REQUEST,
                              "block height must be a whole number or \"latest\"", NULL);
    }
    node_read *r = NULL;
    petro_result rc = node_read_begin(req->api->node, &r);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    json_t *body = NULL;
    rc = block_json(&body, r, latest, height);
    node_read_end(r);
    if (rc == PETRO_ERR_NOT_FOUND) {
        return api_send_error(req, rc, "no block at this height yet", NULL);
    }
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    struct ordering *ord = node_ordering(req->api->node);
    if (ord != NULL) {
        /* Cluster: which validators attested this block, with which state hash. */
        json_t *atts = ordering_block_attestations_json(
            ord, (uint64_t)json_integer_value(json_object_get(body, "height")),
            json_string_value(json_object_get(body, "hash")),
            json_string_value(json_object_get(body, "state_hash")));
        if (atts != NULL && !apij_set(body, "attestations", atts)) {
            json_decref(body);
            return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
        }
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

/* ------------------------------------------------------------ assets */

static enum MHD_Result api_v1_assets(const api_request *req) {
    node_status st;
    petro_result rc = node_status_get(req->api->node, &st);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    node_read *r = NULL;
    rc = node_read_begin(req->api->node, &r);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    json_t *body = NULL;
    rc = apij_assets(&body, node_read_store(r), &st.treasury, apij_net_kind(st.tip.net_kind));
    node_read_end(r);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    return api_send_json(req, MHD_HTTP_OK, body);
}

/* ------------------------------------------------------------ the core routes */

/* GET /healthz: "ok", or 503 "stopping" once the API or the node stops, so that a load
 * balancer takes the node out; the one route that still runs then. 503 "checkpoint failing:
 * ..." while the latest due proof-of-reserves checkpoint could not be built: the node's proofs
 * and /v1/reserves are stale, which must not pass for healthy. */
static enum MHD_Result healthz(const api_request *req) {
    if (api_is_stopping(req->api)) {
        return api_send_text(req, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "stopping\n", 9);
    }
    node_status st;
    if (node_status_get(req->api->node, &st) != PETRO_OK) memset(&st, 0, sizeof st);
    if (st.store_damaged_total > 0) {
        char text[160];
        int n = snprintf(text, sizeof text,
                         "storage damaged: %" PRIu64 " stored value%s failed its check; reads of "
                         "it answer 503 corrupt (docs/operations.md, \"Damaged storage\")\n",
                         st.store_damaged_total, st.store_damaged_total == 1 ? "" : "s");
        size_t size = n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
        return api_send_text(req, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", text, size);
    }
    checkpoint_health hl;
    checkpoint_health_get(node_checkpoints(req->api->node), &hl);
    if (hl.is_failing) {
        char text[CHECKPOINT_REASON_SIZE + 200], last[48] = "none since the start";
        if (hl.has_ok) snprintf(last, sizeof last, "height %" PRIu64, hl.ok_height);
        int n = snprintf(text, sizeof text,
                         "checkpoint failing: the proof-of-reserves checkpoint at height %" PRIu64
                         " failed (%s); the last good one: %s\n",
                         hl.failure_height, hl.failure_reason, last);
        size_t size = n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
        return api_send_text(req, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", text, size);
    }
    return api_send_text(req, MHD_HTTP_OK, "text/plain", "ok\n", 3);
}

/* The routes of no family (docs/api.md). Each family's are in its routes_<family>.c. */
static const api_route ROUTES[] = {
    {API_GET, "/healthz", healthz, API_ROUTE_WHILE_STOPPING, 0},
    {API_GET, "/metrics", api_metrics, 0, 0},
    {API_GET, "/v1/status", api_v1_status, 0, 0},
    {API_GET, "/v1/accounts/{address}", api_v1_account, 0, 0},
    {API_GET, "/v1/accounts/{address}/transactions", api_v1_account_txs, 0, 0},
    {API_POST, "/v1/transactions", api_v1_tx_submit, 0, 0},
    {API_POST, "/v1/transactions/batch", api_v1_tx_batch, 0, API_BATCH_BODY_SIZE_MAX},
    {API_GET, "/v1/transactions/{hash}", api_v1_tx_get, 0, 0},
    {API_GET, "/v1/blocks/{height}", api_v1_block, 0, 0},
    {API_GET, "/v1/blocks", api_v1_blocks_raw, 0, 0},
    {API_GET, "/v1/assets", api_v1_assets, 0, 0},
    {API_GET, "/v1/events", api_v1_events, 0, 0},
    {API_POST, "/v1/admin/invariants", api_admin_invariants, API_ROUTE_ADMIN, 0},
};
API_ROUTE_TABLE(v1, ROUTES);
