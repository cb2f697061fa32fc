/* A small etcd v3 client over the HTTP/JSON gateway (POST /v3/...), on libcurl.
 *
 * One etcd handle belongs to one thread (it owns a curl easy handle). Every request is
 * bounded by a connect and a total timeout (a stream, etcd_stream, by its connect timeout
 * only); on a transport failure the handle moves to the next endpoint, so a petrod keeps
 * working while its local member is down.
 *
 * Facts of the 3.4 gateway this relies on (docs/operations.md, "Cluster"): fields at their
 * default value are omitted (a missing "succeeded" is false), 64-bit integers are JSON
 * strings, keys and values are base64. Header "Grpc-Metadata-hasleader: true" makes a member
 * cut off from the quorum fail the request instead of answering stale data. */
#ifndef PETROD_ETCD_H
#define PETROD_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "petro/petro.h"

#define ETCD_ENDPOINT_COUNT_MAX 8
#define ETCD_ENDPOINT_SIZE_MAX 128

typedef struct etcd etcd;

/** endpoints: comma-separated base URLs (http://127.0.0.1:23790,...). timeout_ms bounds each
 *  request. Returns NULL on a bad list or out of memory. */
etcd *etcd_new(const char *endpoints, uint32_t timeout_ms);
void etcd_free(etcd *e);

/** POST body to path (e.g. "/v3/kv/range") and parse the JSON answer into *out (caller
 *  decrefs). Returns PETRO_OK; PETRO_ERR_UNAVAILABLE on a transport failure, a timeout or an
 *  HTTP error (the outcome of a write is then unknown: read it back); PETRO_ERR_MALFORMED if
 *  the answer is not JSON. */
petro_result etcd_post(etcd *e, const char *path, json_t *body, json_t **out);

/** One message of a stream (etcd_stream): the "result" object of one line, borrowed for the
 *  call. Returns false to end the stream. */
typedef bool (*etcd_stream_fn)(void *ctx, const json_t *result);
/** Whether the caller wants the stream ended now (asked at least every ETCD_STREAM_POLL_MS). */
typedef bool (*etcd_stop_fn)(void *ctx);

#define ETCD_STREAM_POLL_MS 50

/** POST body to path (e.g. "/v3/watch") on the current endpoint and hold the answer open: the
 *  gateway sends one JSON object per line, {"result": ...} or {"error": ...}; on_msg gets each
 *  result in order. The connection is bounded by the connect timeout, the stream is not (a
 *  watch stays quiet while nothing changes). Runs on the calling thread until on_msg returns
 *  false or should_stop answers true (PETRO_OK), or the stream fails, ends or carries an error
 *  (PETRO_ERR_UNAVAILABLE: the handle moves to the next endpoint), or a line is not JSON or is
 *  longer than 64 MiB (PETRO_ERR_MALFORMED). Transport failures are logged as etcd_post's. */
petro_result etcd_stream(etcd *e, const char *path, json_t *body, etcd_stream_fn on_msg,
                         etcd_stop_fn should_stop, void *ctx);

/** base64 of bytes as a new JSON string. */
json_t *etcd_b64(const uint8_t *bytes, size_t size);
/** Decode the base64 JSON string v into a malloc'd buffer (*out, *size); an absent or
 *  non-string v decodes as empty. Returns PETRO_OK, PETRO_ERR_MALFORMED or PETRO_ERR_NOMEM. */
petro_result etcd_unb64(const json_t *v, uint8_t **out, size_t *size);
/** A 64-bit field that the gateway sends as a string (absent = 0). */
uint64_t etcd_u64(const json_t *obj, const char *field);
/** A 64-bit value as the decimal JSON string the gateway expects. */
json_t *etcd_u64_json(uint64_t v);

/** The key just after every key starting with prefix (for range_end). out holds size bytes. */
void etcd_prefix_end(uint8_t *out, const uint8_t *prefix, size_t size);

#endif
