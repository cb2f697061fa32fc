/* Internal interface of the HTTP API: what server.c gives the route handlers (routes_*.c,
 * sse.c, metrics.c, auth.c), the route tables they give it, and what the handlers give back.
 * Not used outside petrod/api/.
 *
 * A handler runs on its connection's own thread (libmicrohttpd, one thread per connection),
 * queues exactly one response through the api_send_* functions and returns their result.
 * Handlers may block, but only in bounded slices that re-check api_is_stopping. */
#ifndef PETROD_API_SERVER_H
#define PETROD_API_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "api.h"
#include "conns.h"
#include "node.h"
#include "petro/petro.h"

/* The version reported by /v1/status; keep equal to project(VERSION) in CMakeLists.txt. */
#define API_PETRO_VERSION "0.1.0"

/* Bounds of the waits handlers may do. */
#define API_WAIT_COMMIT_MS_MAX 30000u /* POST /v1/transactions?wait=commit */
#define API_WAIT_SLICE_MS 500u        /* longest single blocking call before re-checking */

/* JSON request bodies: deepest nesting of objects/arrays accepted. */
#define API_JSON_DEPTH_MAX 4

/* Response status classes counted for /metrics: 1xx..5xx. */
#define API_STATUS_CLASS_COUNT 5

/** The server. Fields are private to server.c except where noted. */
struct api {
    node *node;                   /* borrowed; read-only for handlers */
    struct MHD_Daemon *daemon;
    api_conns *conns;             /* request deadlines, eviction (conns.h); /metrics reads it */
    atomic_bool stopping;         /* set first thing in api_stop */
    uint16_t port;
    /* Counters for /metrics (read by metrics.c). */
    atomic_uint_fast64_t requests_total;
    atomic_uint_fast64_t responses_by_class[API_STATUS_CLASS_COUNT];
    atomic_uint_fast64_t event_streams_open;
    atomic_uint_fast64_t event_streams_total;
    atomic_size_t body_bytes_held; /* request bodies held now, all connections */
    atomic_size_t requests_active; /* requests begun and not yet completed */
    int web_fd;                    /* the pages' directory (--web, static.c), or -1 */
#ifdef PETROD_TEST_FAULTS
    api_faults faults; /* petrod-test only (faults.h); read-only after api_start */
#endif
};

/** Whether handlers must wind down: the API is stopping or the node is closing. */
bool api_is_stopping(api *a);

/* ------------------------------------------------------------ requests */

/** One HTTP request, as handlers see it. The body is complete (and within its limit) when a
 *  handler runs; it is not NUL-terminated. */
typedef struct api_request {
    api *api;
    struct MHD_Connection *conn;
    const char *method;   /* "GET", "HEAD", "POST" */
    const char *path;     /* decoded URL path, no query string */
    const char *param;    /* the {address} / {hash} / {height} path segment, or NULL */
    size_t param_size;
    const uint8_t *body;
    size_t body_size;
} api_request;

/** The value of query argument name, or NULL if absent. Borrowed from the connection. */
const char *api_query(const api_request *req, const char *name);

/** Parse a plain unsigned decimal (digits only, at most 20, no sign or spaces) into *out.
 *  Returns false on anything else or on overflow. */
bool api_parse_u64(uint64_t *out, const char *text, size_t text_size);

/** The block at height from snapshot r (*block, *block_size: borrowed from r) and its decoded
 *  header. Returns PETRO_OK, node_read_block's error (PETRO_ERR_NOT_FOUND past the tip), or
 *  PETRO_ERR_CORRUPT when the stored block has no valid header. */
petro_result api_read_block(node_read *r, uint64_t height, petro_block_header *header,
                            const uint8_t **block, size_t *block_size);

/* ------------------------------------------------------------ responses */

/** Queue body (a JSON object, ownership taken even on failure) with status. */
enum MHD_Result api_send_json(const api_request *req, unsigned status, json_t *body);

/** Queue {"error": name(code), "message": message or petro_result_str(code)} with the status
 *  petro_result_http_status(code) (the http column of PETRO_RESULT_TABLE). extra (may be
 *  NULL; ownership taken) adds fields to the object. */
enum MHD_Result api_send_error(const api_request *req, petro_result code, const char *message,
                               json_t *extra);

/** As api_send_error with an explicit status (413, 405 and unknown routes). */
enum MHD_Result api_send_error_status(const api_request *req, unsigned status,
                                      petro_result code, const char *message, json_t *extra);

/** Queue a text body (copied) with the given content type. */
enum MHD_Result api_send_text(const api_request *req, unsigned status, const char *content_type,
                              const char *text, size_t text_size);

/** Queue a prepared response (destroyed here) and count it for /metrics. */
enum MHD_Result api_send_response(const api_request *req, unsigned status,
                                  struct MHD_Response *resp);

/* ------------------------------------------------------------ routes */

/** A route handler: runs on its connection's thread and queues exactly one response. */
typedef enum MHD_Result (*api_handler)(const api_request *req);

/** The methods a route answers; any other gets 405 with an Allow header. */
typedef enum api_method {
    API_GET,  /* GET and HEAD */
    API_POST, /* POST only */
} api_method;

/* Route flags, checked by the server before the handler runs. */
#define API_ROUTE_ADMIN 1u          /* needs the admin bearer token (api_auth_ok), else 401 */
#define API_ROUTE_WHILE_STOPPING 2u /* also runs while the API stops (else 503 unavailable) */

/** One route. The pattern is literal segments and at most one "{name}" segment, which matches
 *  one non-empty path segment (no '/') and reaches the handler as req->param. A literal route
 *  wins over a parameterised one ("/v1/transactions/batch" over "/v1/transactions/{hash}").
 *  A path serves one method: two routes of the same shape are refused when the API starts.
 *  An unknown path is 404 not_found, a known path with another method 405. */
typedef struct api_route {
    api_method method;
    const char *pattern;
    api_handler handler;
    unsigned flags;  /* API_ROUTE_* */
    size_t body_max; /* request body limit in bytes (413 above it); 0: API_BODY_SIZE_MAX */
} api_route;

/** The routes of one routes file: api_routes_<name>, listed in routes.def. */
typedef struct api_route_table {
    const api_route *routes;
    size_t count;
} api_route_table;

#define API_ROUTES(name) extern const api_route_table api_routes_##name;
#include "routes.def"
#undef API_ROUTES

/** Define api_routes_<name> (routes.def line API_ROUTES(name)) from the array routes. */
#define API_ROUTE_TABLE(name, routes) \
    const api_route_table api_routes_##name = {routes, sizeof routes / sizeof routes[0]}

/* Handlers of the core table (routes_v1.c) defined in other files. */
enum MHD_Result api_v1_events(const api_request *req);        /* sse.c */
enum MHD_Result api_metrics(const api_request *req);          /* metrics.c */
enum MHD_Result api_admin_invariants(const api_request *req); /* auth.c; API_ROUTE_ADMIN */

/* The coverage of every reserve-backed asset at the tip of one read snapshot: what
 * GET /v1/reserves and the petro_reserve_* gauges of /metrics report (routes_reserves.c).
 * "now" for expiry and price freshness is the tip's block timestamp. */
typedef struct api_reserves_view {
    petro_ledger_tip tip;
    petro_net_kind kind; /* the tip's network: how addresses and asset texts are written */
    uint32_t count;      /* reserve-backed assets, in genesis order (0 if none) */
    petro_reserve_status status[PETRO_GENESIS_RESERVES_MAX];
} api_reserves_view;
/** Fill v from store (a node_read snapshot's). PETRO_ERR_CORRUPT if the stored configuration
 *  declares more reserves than PETRO_GENESIS_RESERVES_MAX. */
petro_result api_reserves_view_read(api_reserves_view *v, const petro_store *store);
/** Whether the request carries the admin bearer token (auth.c). */
bool api_auth_ok(const api_request *req);
/** Answer 401 unauthorized, saying where the token is (auth.c). */
enum MHD_Result api_auth_refuse(const api_request *req);

#endif
