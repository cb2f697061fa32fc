/* The HTTP server: libmicrohttpd daemon, routing, request bodies, error responses.
 *
 * Design: one thread per connection (MHD_USE_THREAD_PER_CONNECTION), so handlers may block
 * for ?wait=commit and event streams; they block only in slices of API_WAIT_SLICE_MS and
 * re-check api_is_stopping, so api_stop finishes within about a second. Request bodies are
 * accumulated into one heap buffer bounded by the route's limit (1 MiB JSON, 16 MiB batch);
 * a declared Content-Length over the limit is refused before the body is read, a chunked body
 * that grows past it is discarded and answered 413 (and the connection is dropped if the
 * client keeps sending far beyond it).
 *
 * Slow clients: a connection must deliver each request within fixed deadlines from the moment
 * it starts waiting for it, and one still waiting is closed for each new connection when the
 * limit comes close (conns.c, docs/security.md); libmicrohttpd's own timeout below only
 * measures inactivity, which a client sending a byte at a time never shows. libmicrohttpd's
 * log lines about single clients go to debug level (on_log).
 *
 * Routing: every routes file exports a table of api_route (method, path pattern, handler,
 * flags, body limit; server.h) and routes.def lists the tables, one line each. A path is
 * looked up in all of them (a literal route before a parameterised one); an unknown path is
 * 404, a known one with another method 405. The checks every route shares (method, body size,
 * stopping, admin token) are made here, in dispatch, before the handler runs.
 *
 * Every error is JSON {"error", "message"} with the status of its result code: the http column
 * of PETRO_RESULT_TABLE (include/petro/result.h, petro_result_http_status), so a new code
 * cannot be added without choosing its status. */
#include "server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conns.h"
#include "json.h"
#include "listen.h"
#include "log.h"
#include "static.h"

/* Inactivity limit per connection: it still covers a client that stops reading an answer
 * (the deadlines of conns.h cover the requests). Longer than the longest wait a handler does,
 * so a ?wait=commit answer is never cut by it. */
#define API_CONNECTION_TIMEOUT_S 45u
#define API_CONNECTION_MEMORY_LIMIT ((size_t)64 * 1024) /* headers and I/O buffers */
#define API_BODY_CHUNK_MIN ((size_t)4096)
/* How long api_stop lets requests in progress finish their answers. */
#define API_STOP_GRACE_MS 3000u
/* A client still sending this far past the limit is cut off without an answer. */
#define API_BODY_DISCARD_MAX ((size_t)16 * 1024 * 1024)
/* All request bodies held at once, over every connection; past it requests get 503. This
 * keeps 512 slow uploads of 16 MiB from holding 8 GiB. */
#define API_BODY_BUDGET ((size_t)256 * 1024 * 1024)

_Static_assert(API_CONNECTION_TIMEOUT_S * 1000u > API_WAIT_COMMIT_MS_MAX + 5000u,
               "connections outlive the longest handler wait");

/* Every route table, one line each (routes.def). */
static const api_route_table *const ROUTE_TABLES[] = {
#define API_ROUTES(name) &api_routes_##name,
#include "routes.def"
#undef API_ROUTES
};

/** Per-request state, kept by MHD in *con_cls between calls of the access handler. */
typedef struct req_ctx {
    const api_route *route; /* NULL: no such route */
    uint8_t *body;
    size_t body_size;
    size_t body_cap;
    size_t body_seen;  /* bytes received, kept or not */
    bool too_large;
    bool over_budget;  /* the server-wide body budget was exhausted */
    bool answered;     /* a response was queued early */
} req_ctx;

/* ------------------------------------------------------------ responses */

static void count_status(api *a, unsigned status) {
    unsigned cls = status / 100u;
    if (cls >= 1u && cls <= API_STATUS_CLASS_COUNT) {
        atomic_fetch_add(&a->responses_by_class[cls - 1u], 1u);
    }
}

enum MHD_Result api_send_response(const api_request *req, unsigned status,
                                  struct MHD_Response *resp) {
    if (resp == NULL) {
        return MHD_NO; /* MHD closes the connection */
    }
    enum MHD_Result ret = MHD_queue_response(req->conn, status, resp);
    MHD_destroy_response(resp);
    if (ret == MHD_YES) {
        count_status(req->api, status);
    }
    return ret;
}

enum MHD_Result api_send_text(const api_request *req, unsigned status, const char *content_type,
                              const char *text, size_t text_size) {
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(text_size, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL) {
        return MHD_NO;
    }
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) != MHD_YES ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES) {
        MHD_destroy_response(resp);
        return MHD_NO;
    }
    return api_send_response(req, status, resp);
}

/* Serialise and queue body (taken), adding header name: value if name is not NULL. The
 * fallback keeps errors JSON even when jansson cannot allocate. */
static enum MHD_Result send_json_with(const api_request *req, unsigned status, json_t *body,
                                      const char *name, const char *value) {
    static const char NOMEM_BODY[] = "{\"error\": \"nomem\", \"message\": \"out of memory\"}\n";
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(body);
    size_t size = text != NULL ? strlen(text) : 0;
    /* Append a newline for terminal users: re-allocate once rather than copy twice. */
    char *line = text != NULL ? realloc(text, size + 2) : NULL;
    if (line == NULL) {
        free(text);
        return api_send_text(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json", NOMEM_BODY,
                             sizeof NOMEM_BODY - 1);
    }
    line[size] = '\n';
    line[size + 1] = '\0';
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(size + 1, line, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(line);
        return MHD_NO;
    }
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") !=
            MHD_YES ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES ||
        (name != NULL && MHD_add_response_header(resp, name, value) != MHD_YES)) {
        MHD_destroy_response(resp);
        return MHD_NO;
    }
    return api_send_response(req, status, resp);
}

enum MHD_Result api_send_json(const api_request *req, unsigned status, json_t *body) {
    return send_json_with(req, status, body, NULL, NULL);
}

/* The error object {"error", "message", extra...}; NULL if it cannot be built. */
static json_t *error_object(petro_result code, const char *message, json_t *extra) {
    json_t *o = json_object();
    bool ok = o != NULL;
    ok = ok && apij_set(o, "error", json_string(petro_result_name(code)));
    ok = ok && apij_set(o, "message", json_string(message != NULL ? message
                                                                  : petro_result_str(code)));
    if (ok && extra != NULL) {
        ok = json_object_update(o, extra) == 0;
    }
    json_decref(extra);
    if (!ok) {
        json_decref(o);
        return NULL; /* the sender answers 500 nomem */
    }
    return o;
}

enum MHD_Result api_send_error_status(const api_request *req, unsigned status,
                                      petro_result code, const char *message, json_t *extra) {
    return api_send_json(req, status, error_object(code, message, extra));
}

enum MHD_Result api_send_error(const api_request *req, petro_result code, const char *message,
                               json_t *extra) {
    return api_send_error_status(req, (unsigned)petro_result_http_status(code), code, message,
                                 extra);
}

/* ------------------------------------------------------------ helpers */

bool api_is_stopping(api *a) {
    return atomic_load(&a->stopping) || node_is_closing(a->node);
}

const char *api_query(const api_request *req, const char *name) {
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool api_parse_u64(uint64_t *out, const char *text, size_t text_size) {
    *out = 0;
    if (text == NULL || text_size == 0 || text_size > 20) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < text_size; i++) {
        char c = text[i];
        if (c < '0' || c > '9') {
            return false;
        }
        uint64_t digit = (uint64_t)(c - '0');
        if (v > (UINT64_MAX - digit) / 10u) {
            return false;
        }
        v = v * 10u + digit;
    }
    *out = v;
    return true;
}

petro_result api_read_block(node_read *r, uint64_t height, petro_block_header *header,
                            const uint8_t **block, size_t *block_size) {
    petro_result rc = node_read_block(r, height, block, block_size);
    if (rc != PETRO_OK) {
        return rc;
    }
    if (*block_size < PETRO_BLOCK_HEADER_SIZE ||
        petro_block_header_decode(header, *block, PETRO_BLOCK_HEADER_SIZE) != PETRO_OK) {
        return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

/* ------------------------------------------------------------ routing */

/* The body limit of route r; an unknown route has the default. */
static size_t route_body_max(const api_route *r) {
    return r != NULL && r->body_max != 0 ? r->body_max : API_BODY_SIZE_MAX;
}

/* Whether path matches pattern (server.h, api_route); *param / *param_size get the text of
 * its {name} segment, or stay NULL / 0 for a literal pattern. */
static bool route_match(const char *pattern, const char *path, const char **param,
                        size_t *param_size) {
    *param = NULL;
    *param_size = 0;
    const char *p = pattern;
    const char *s = path;
    while (*p != '\0') {
        if (*p == '{') {
            size_t n = strcspn(s, "/");
            if (n == 0) {
                return false;
            }
            *param = s;
            *param_size = n;
            s += n;
            p = strchr(p, '}') + 1; /* there is one: routes_check */
        } else if (*p++ != *s++) {
            return false;
        }
    }
    return *s == '\0';
}

/* The route of path, or NULL; *param / *param_size get its {segment}. A literal match wins
 * over a parameterised one, which makes the order of the tables irrelevant. */
static const api_route *resolve(const char *path, const char **param, size_t *param_size) {
    const api_route *found = NULL;
    *param = NULL;
    *param_size = 0;
    for (size_t t = 0; t < sizeof ROUTE_TABLES / sizeof ROUTE_TABLES[0]; t++) {
        for (size_t i = 0; i < ROUTE_TABLES[t]->count; i++) {
            const api_route *r = &ROUTE_TABLES[t]->routes[i];
            const char *p = NULL;
            size_t n = 0;
            if (!route_match(r->pattern, path, &p, &n)) {
                continue;
            }
            if (p == NULL) {
                *param = NULL;
                *param_size = 0;
                return r;
            }
            if (found == NULL) {
                found = r;
                *param = p;
                *param_size = n;
            }
        }
    }
    return found;
}

/* Whether two patterns have the same shape: equal but for the names of their {segments}. */
static bool same_shape(const char *a, const char *b) {
    while (*a != '\0' && *b != '\0') {
        if (*a == '{' && *b == '{') {
            a = strchr(a, '}') + 1;
            b = strchr(b, '}') + 1;
        } else if (*a++ != *b++) {
            return false;
        }
    }
    return *a == *b;
}

/* Whether r's pattern is "/" + segments with at most one "{name}" segment. */
static bool pattern_ok(const char *pattern) {
    if (pattern == NULL || pattern[0] != '/') {
        return false;
    }
    const char *open = strchr(pattern, '{');
    if (open == NULL) {
        return strchr(pattern, '}') == NULL;
    }
    const char *close = strchr(open, '}');
    return open[-1] == '/' && close != NULL && close > open + 1 &&
           (close[1] == '/' || close[1] == '\0') && strchr(close + 1, '{') == NULL &&
           strchr(close + 1, '}') == NULL && memchr(open, '/', (size_t)(close - open)) == NULL &&
           memchr(pattern, '}', (size_t)(open - pattern)) == NULL;
}

/* Whether another route than r has r's shape (two routes for one path). */
static bool shape_repeated(const api_route *r) {
    for (size_t t = 0; t < sizeof ROUTE_TABLES / sizeof ROUTE_TABLES[0]; t++) {
        for (size_t i = 0; i < ROUTE_TABLES[t]->count; i++) {
            const api_route *q = &ROUTE_TABLES[t]->routes[i];
            if (q != r && same_shape(q->pattern, r->pattern)) {
                return true;
            }
        }
    }
    return false;
}

/* The tables are code: a malformed route, or two routes for one path, is a programming error,
 * stopped at startup before the API serves anything. Every pattern is checked before any two
 * are compared (same_shape relies on well-formed patterns). */
static void routes_check(void) {
    for (int pass = 0; pass < 2; pass++) {
        for (size_t t = 0; t < sizeof ROUTE_TABLES / sizeof ROUTE_TABLES[0]; t++) {
            for (size_t i = 0; i < ROUTE_TABLES[t]->count; i++) {
                const api_route *r = &ROUTE_TABLES[t]->routes[i];
                bool ok = pass == 0 ? pattern_ok(r->pattern) && r->handler != NULL &&
                                          (r->method == API_GET || r->method == API_POST)
                                    : !shape_repeated(r);
                if (!ok) {
                    log_error("api: route %zu of table %zu (%s) is %s", i, t,
                              r->pattern != NULL ? r->pattern : "NULL",
                              pass == 0 ? "malformed" : "repeated");
                    abort();
                }
            }
        }
    }
}

static bool method_is(const char *method, const char *want) {
    return strcmp(method, want) == 0;
}

static enum MHD_Result send_method_not_allowed(const api_request *req, api_method want) {
    bool post = want == API_POST;
    json_t *o = error_object(PETRO_ERR_BAD_REQUEST,
                             post ? "method not allowed; use POST" : "method not allowed; use GET",
                             NULL);
    return send_json_with(req, MHD_HTTP_METHOD_NOT_ALLOWED, o, MHD_HTTP_HEADER_ALLOW,
                          post ? "POST" : "GET, HEAD");
}

static enum MHD_Result send_too_large(const api_request *req, size_t limit) {
    char msg[96];
    int n = snprintf(msg, sizeof msg, "request body is larger than %zu bytes", limit);
    return api_send_error_status(req, MHD_HTTP_CONTENT_TOO_LARGE, PETRO_ERR_BAD_REQUEST,
                                 n > 0 && (size_t)n < sizeof msg ? msg : NULL, NULL);
}

/* The checks every route shares, in this order: path (404; 401 first for an unknown path under
 * /v1/admin/ without the token), method (405), body (413, 503), stopping (503), admin token
 * (401); then the route's handler. */
static enum MHD_Result dispatch(api_request *req, const req_ctx *ctx) {
    const api_route *r = ctx->route;
    /* Every path under /v1/admin/ is an admin route (docs/api.md): without the token it is
     * 401 whether a route exists there or not, so the admin surface is not mapped for free. */
    if (r == NULL && strncmp(req->path, "/v1/admin/", 10) == 0 && !api_auth_ok(req)) {
        return api_auth_refuse(req);
    }
    if (r == NULL && req->api->web_fd >= 0 && api_static_claims(req->path) &&
        (method_is(req->method, MHD_HTTP_METHOD_GET) ||
         method_is(req->method, MHD_HTTP_METHOD_HEAD))) {
        return api_static_send(req, req->api->web_fd);
    }
    if (r == NULL) {
        return api_send_error_status(req, MHD_HTTP_NOT_FOUND, PETRO_ERR_NOT_FOUND,
                                     "no such route", NULL);
    }
    bool method_ok = r->method == API_POST ? method_is(req->method, MHD_HTTP_METHOD_POST)
                                           : (method_is(req->method, MHD_HTTP_METHOD_GET) ||
                                              method_is(req->method, MHD_HTTP_METHOD_HEAD));
    if (!method_ok) {
        return send_method_not_allowed(req, r->method);
    }
    if (ctx->too_large) {
        return send_too_large(req, route_body_max(r));
    }
    if (ctx->over_budget) {
        return api_send_error(req, PETRO_ERR_UNAVAILABLE,
                              "server is busy receiving other requests; retry", NULL);
    }
    if ((r->flags & API_ROUTE_WHILE_STOPPING) == 0 && api_is_stopping(req->api)) {
        return api_send_error(req, PETRO_ERR_UNAVAILABLE, "node is shutting down", NULL);
    }
    if ((r->flags & API_ROUTE_ADMIN) != 0 && !api_auth_ok(req)) {
        return api_auth_refuse(req);
    }
    return r->handler(req);
}

/* ------------------------------------------------------------ request bodies */

/* Give the bytes of a dropped body back to the server-wide budget. */
static void body_drop(api *a, req_ctx *ctx) {
    if (ctx->body_cap > 0) {
        atomic_fetch_sub(&a->body_bytes_held, ctx->body_cap);
    }
    free(ctx->body);
    ctx->body = NULL;
    ctx->body_size = 0;
    ctx->body_cap = 0;
}

/* Grow the body buffer to hold need bytes, within the route limit and the budget. */
static bool body_reserve(api *a, req_ctx *ctx, size_t need, size_t limit) {
    size_t cap = ctx->body_cap > 0 ? ctx->body_cap : API_BODY_CHUNK_MIN;
    while (cap < need) { /* at most log2(16 MiB / 4 KiB) rounds */
        cap *= 2u;
    }
    if (cap > limit) {
        cap = limit;
    }
    size_t more = cap - ctx->body_cap;
    size_t held = atomic_fetch_add(&a->body_bytes_held, more);
    if (held + more > API_BODY_BUDGET) {
        atomic_fetch_sub(&a->body_bytes_held, more);
        ctx->over_budget = true;
        return false;
    }
    uint8_t *grown = realloc(ctx->body, cap);
    if (grown == NULL) {
        atomic_fetch_sub(&a->body_bytes_held, more);
        ctx->over_budget = true;
        return false;
    }
    ctx->body = grown;
    ctx->body_cap = cap;
    return true;
}

/* Keep data if it fits the route's limit and the budget; otherwise count and drop it. Returns
 * false to make MHD drop the connection (a client still sending far past the limit). */
static bool body_append(api *a, req_ctx *ctx, const char *data, size_t size) {
    size_t limit = route_body_max(ctx->route);
    if (size > SIZE_MAX - ctx->body_seen) {
        return false;
    }
    ctx->body_seen += size;
    if (!ctx->too_large && !ctx->over_budget && ctx->body_size + size > limit) {
        ctx->too_large = true;
    }
    if (!ctx->too_large && !ctx->over_budget && ctx->body_size + size > ctx->body_cap) {
        (void)body_reserve(a, ctx, ctx->body_size + size, limit);
    }
    if (ctx->too_large || ctx->over_budget) {
        body_drop(a, ctx);
        return ctx->body_seen <= limit + API_BODY_DISCARD_MAX;
    }
    memcpy(ctx->body + ctx->body_size, data, size);
    ctx->body_size += size;
    return true;
}

/* First call of a request: pick the route, refuse a declared body over its limit. */
static enum MHD_Result request_begin(api_request *req, req_ctx *ctx) {
    const char *cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    uint64_t declared = 0;
    size_t limit = route_body_max(ctx->route);
    if (cl != NULL && api_parse_u64(&declared, cl, strlen(cl)) && declared > limit) {
        ctx->too_large = true;
        ctx->answered = true;
        return send_too_large(req, limit);
    }
    return MHD_YES;
}

/* Percent-decoding of the path and query arguments, in place, as MHD's own except that "%00"
 * is left encoded: a decoded NUL would cut the C string handlers see, so "/v1/status%00x"
 * would be routed as "/v1/status" (found by tests/integration/test_hostile.py). */
static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static size_t unescape_no_nul(void *cls, struct MHD_Connection *conn, char *s) {
    (void)cls;
    (void)conn;
    char *w = s;
    for (const char *r = s; *r != '\0';) {
        int hi = r[0] == '%' ? hex_digit(r[1]) : -1;
        int lo = hi >= 0 ? hex_digit(r[2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    api *a = cls;
    req_ctx *ctx = *con_cls;
    api_request req = {.api = a, .conn = conn, .method = method, .path = url};
    if (ctx == NULL) {
        ctx = calloc(1, sizeof *ctx);
        if (ctx == NULL) {
            return MHD_NO;
        }
        *con_cls = ctx;
        api_conns_headers_done(a->conns, conn);
        atomic_fetch_add(&a->requests_total, 1u);
        atomic_fetch_add(&a->requests_active, 1u);
        const char *param = NULL;
        size_t param_size = 0;
        ctx->route = resolve(url, &param, &param_size);
        return request_begin(&req, ctx);
    }
    if (*upload_data_size > 0) {
        bool keep = ctx->answered || body_append(a, ctx, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return keep ? MHD_YES : MHD_NO;
    }
    if (ctx->answered) {
        return MHD_YES;
    }
    ctx->answered = true;
    if (!api_conns_request_done(a->conns, conn)) {
        return MHD_NO; /* closed by its deadline while the last bytes arrived */
    }
    ctx->route = resolve(url, &req.param, &req.param_size);
    req.body = ctx->body;
    req.body_size = ctx->body_size;
    return dispatch(&req, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    api *a = cls;
    req_ctx *ctx = *con_cls;
    api_conns_answered(a->conns, conn); /* a kept-alive connection waits for its next request */
    if (ctx != NULL) {
        body_drop(a, ctx);
        free(ctx);
        *con_cls = NULL;
        atomic_fetch_sub(&a->requests_active, 1u);
    }
}

/* libmicrohttpd's lines about one client leaving or failing mid-request: what any client, and
 * an attacker at will, causes. They are logged at debug level (a flood of slow connections
 * closed by conns.c would write one per connection); the table's warning line sums them up. */
static const char *const MHD_CLIENT_LINES[] = {
    "Socket has been disconnected when reading request",
    "Connection socket is closed when reading request",
    "Connection was closed by remote side with incomplete request",
    "Failed to send data in request for",
    "Failed to send the response headers for the request for",
    "Failed to send the response body for the",
    "Failed to send the chunked response body for the",
    "Failed to send the footers for the",
};
static const char MHD_LIMIT_LINE[] = "Server reached connection limit";

static bool is_client_line(const char *line) {
    for (size_t i = 0; i < sizeof MHD_CLIENT_LINES / sizeof MHD_CLIENT_LINES[0]; i++) {
        if (strncmp(line, MHD_CLIENT_LINES[i], strlen(MHD_CLIENT_LINES[i])) == 0) {
            return true;
        }
    }
    return false;
}

/* fmt comes from libmicrohttpd; the attribute lets the compiler check it as a printf format
 * (va_list form) instead of warning that it is not a literal. */
__attribute__((format(printf, 2, 0)))
static void on_log(void *cls, const char *fmt, va_list ap) {
    api *a = cls;
    char line[512];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n <= 0) {
        return;
    }
    size_t len = strnlen(line, sizeof line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        line[--len] = '\0';
    }
    bool at_limit = strncmp(line, MHD_LIMIT_LINE, sizeof MHD_LIMIT_LINE - 1) == 0;
    if (at_limit) {
        api_conns_note_refused(a->conns);
    }
    if (at_limit || is_client_line(line)) {
        log_debug("api: libmicrohttpd: %s", line);
    } else {
        log_warn("api: libmicrohttpd: %s", line);
    }
}

/* ------------------------------------------------------------ lifecycle */

petro_result api_start(api **out, node *n, const api_config *cfg) {
    *out = NULL;
    const char *host = cfg->host;
    uint16_t port = cfg->port;
    routes_check();
    struct sockaddr_storage ss;
    socklen_t ss_size = 0;
    if (host == NULL || api_listen_resolve(&ss, &ss_size, host, port) != PETRO_OK) {
        log_error("api: cannot resolve listen host '%s'", host != NULL ? host : "");
        return PETRO_ERR_BAD_REQUEST;
    }
    api *a = calloc(1, sizeof *a);
    if (a == NULL) {
        return PETRO_ERR_NOMEM;
    }
    a->node = n;
    a->web_fd = -1;
    if (cfg->web_root != NULL) {
        a->web_fd = api_static_open_root(cfg->web_root);
        if (a->web_fd < 0) {
            free(a);
            return PETRO_ERR_IO;
        }
    }
    if (api_conns_start(&a->conns) != PETRO_OK) {
        if (a->web_fd >= 0) close(a->web_fd);
        free(a);
        return PETRO_ERR_NOMEM;
    }
#ifdef PETROD_TEST_FAULTS
    a->faults = cfg->faults;
#endif
    atomic_init(&a->stopping, false);
    atomic_init(&a->requests_total, 0u);
    for (size_t i = 0; i < API_STATUS_CLASS_COUNT; i++) {
        atomic_init(&a->responses_by_class[i], 0u);
    }
    atomic_init(&a->event_streams_open, 0u);
    atomic_init(&a->event_streams_total, 0u);
    atomic_init(&a->body_bytes_held, 0u);
    atomic_init(&a->requests_active, 0u);

    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                         MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    a->daemon = MHD_start_daemon(
        flags, port, api_conns_accept, a->conns, on_request, a,
        MHD_OPTION_EXTERNAL_LOGGER, on_log, a, /* first, so every message goes through it */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)API_CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)API_CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, API_CONNECTION_MEMORY_LIMIT,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
        MHD_OPTION_NOTIFY_CONNECTION, api_conns_notify, a->conns,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape_no_nul, NULL,
        MHD_OPTION_END);
    if (a->daemon == NULL) {
        log_error("api: cannot listen on %s port %u", host, (unsigned)port);
        api_conns_stop(a->conns);
        if (a->web_fd >= 0) close(a->web_fd);
        free(a);
        return PETRO_ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->daemon, MHD_DAEMON_INFO_BIND_PORT);
    a->port = info != NULL ? info->port : port;
    *out = a;
    return PETRO_OK;
}

uint16_t api_port(const api *a) {
    return a->port;
}

void api_stop(api *a) {
    if (a == NULL) {
        return;
    }
    atomic_store(&a->stopping, true);
    /* Refuse new connections, then give requests in progress (long polls, event streams,
     * which end within one wait slice now) a bounded grace to send their answers; idle
     * keep-alive connections hold no request and do not delay this. */
    MHD_socket listen_fd = MHD_quiesce_daemon(a->daemon);
    for (unsigned i = 0; i < API_STOP_GRACE_MS / 10u; i++) {
        if (atomic_load(&a->requests_active) == 0) {
            break;
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 10L * 1000L * 1000L};
        (void)nanosleep(&ts, NULL);
    }
    /* Joins every connection thread and reports every close to the connection table. */
    MHD_stop_daemon(a->daemon);
    api_conns_stop(a->conns);
    if (listen_fd != MHD_INVALID_SOCKET) {
        (void)close(listen_fd);
    }
    if (a->web_fd >= 0) (void)close(a->web_fd);
    free(a);
}
