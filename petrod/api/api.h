/* The HTTP API of petrod (docs/api.md): routes under /v1, /metrics, /healthz, served by
 * libmicrohttpd with one thread per connection, JSON through jansson.
 *
 * The API reaches the node only through petrod/node.h. It never changes node state except
 * through node_submit / node_submit_batch, and bad input never crashes it: every request body
 * and every loop over request data is bounded. */
#ifndef PETROD_API_API_H
#define PETROD_API_API_H

#include <stdint.h>

#include "faults.h"
#include "node.h"
#include "petro/result.h"

typedef struct api api;

/* Request body limits (413 bad_request above them). */
#define API_BODY_SIZE_MAX (1024u * 1024u)             /* JSON bodies */
#define API_BATCH_BODY_SIZE_MAX (16u * 1024u * 1024u) /* POST /v1/transactions/batch */

/** How the API is served. */
typedef struct api_config {
    /* Listen on exactly host:port: an IPv4 or IPv6 address ("127.0.0.1", "::1"), or a name,
     * of which the first address is used; port 0 picks a free port (see api_port). host is
     * borrowed for api_start only. */
    const char *host;
    uint16_t port;
    /* The explorer's pages (web/), served at / for GET and HEAD of any path no API route
     * claims (static.c), or NULL for none. Borrowed for api_start only. */
    const char *web_root;
#ifdef PETROD_TEST_FAULTS
    api_faults faults; /* petrod-test only: the test fault switches (faults.h) */
#endif
} api_config;

/** Start serving as cfg says (copied). The node is borrowed until api_stop, which must run
 *  before node_close.
 *  Returns: PETRO_OK (*out set); PETRO_ERR_BAD_REQUEST (host does not resolve);
 *           PETRO_ERR_IO (cannot bind or start the daemon); PETRO_ERR_NOMEM.
 *  Out:     *out is NULL on failure. */
petro_result api_start(api **out, node *n, const api_config *cfg);

/** The TCP port actually bound (useful with port 0). */
uint16_t api_port(const api *a);

/** Stop accepting connections; let requests in progress send their answers (long polls and
 *  event streams end within one wait slice, 0.5 s, since handlers see the API stopping or
 *  the node closing; at most 3 s of grace in all); then close every connection and free
 *  everything. api_stop(NULL) is a no-op. Order on shutdown: node_stop, api_stop,
 *  node_close. */
void api_stop(api *a);

/** Load the admin bearer token from DATA/admin.token, creating it (32 random bytes in hex,
 *  mode 0600) on first start (auth.c). Call once before api_start. Refuses a token file that
 *  group or others may access. Returns PETRO_OK, PETRO_ERR_IO, PETRO_ERR_CORRUPT,
 *  PETRO_ERR_NOMEM. */
petro_result api_auth_init(const char *data_dir);
/** Wipe and free the token (after api_stop). */
void api_auth_clear(void);

#endif
