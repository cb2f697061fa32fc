/* petro CLI: HTTP/JSON calls to petrod (libcurl). See docs/api.md for routes and shapes.
 *
 * node_get/node_post return CLI_EXIT_OK when the node answered with a JSON body, whatever the
 * HTTP status; the caller inspects reply->status and reply->is_error. Any other outcome
 * (node unreachable, a body that is not JSON) is reported with cli_fail and returns
 * CLI_EXIT_UNREACHABLE or CLI_EXIT_FAILED; reply then holds nothing to free. */
#ifndef PETRO_CLI_HTTP_H
#define PETRO_CLI_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cli.h"

#define HTTP_REPLY_SIZE_MAX (16u * 1024u * 1024u)
#define HTTP_CONNECT_TIMEOUT_S 5L
#define HTTP_TIMEOUT_S 45L /* the node waits up to 30 s for a commit */

typedef struct node_reply {
    long status;
    json_t *body;           /* owned; freed by node_reply_deinit */
    bool is_error;          /* status >= 400 */
    const char *error_name; /* the "error" member (borrowed from body), or NULL */
    const char *message;    /* the "message" member (borrowed from body), or NULL */
    petro_result error;     /* error_name mapped through result.h; PETRO_ERR_BAD_REQUEST if
                               unknown */
} node_reply;

/* Call once at start-up and once at exit. */
int http_global_init(void);
void http_global_deinit(void);

int node_get(const cli_config *cfg, const char *path, node_reply *reply);
int node_post(const cli_config *cfg, const char *path, const char *json_body, node_reply *reply);
void node_reply_deinit(node_reply *reply);

/* Called about once a second while a request waits (and when data moves), with the time since
 * it started; returning true abandons the request. */
typedef bool (*http_tick_fn)(void *user, long elapsed_ms);

/* node_post that calls tick while it waits (POST ?wait=commit): when tick abandons it, returns
 * CLI_EXIT_PENDING without printing anything (reply holds nothing). */
int node_post_ticking(const cli_config *cfg, const char *path, const char *json_body,
                      node_reply *reply, http_tick_fn tick, void *user);

/* GET path for a 2xx body of bytes (e.g. /v1/blocks?from=H): *bytes (caller frees) and *size.
 * An error reply is reported with node_fail(reply, context). */
int node_get_raw(const cli_config *cfg, const char *path, const char *context, uint8_t **bytes,
                 size_t *size);

/* Print "petro: <context>: <sentence> (<code>)" for an error reply; returns CLI_EXIT_FAILED. */
int node_fail(const node_reply *reply, const char *context);

/* node_get for a caller that needs a success: an error reply is reported and released, as
 * "petro: <not_found_text> (not_found)" for 404 not_found when not_found_text is not NULL,
 * else as node_fail(reply, context). On CLI_EXIT_OK the reply is a 2xx answer to deinit. */
int node_get_ok(const cli_config *cfg, const char *path, const char *context,
                const char *not_found_text, node_reply *reply);

/* node_get_ok of prefix/ID, where id_text (a positional argument) must be an integer in
 * 1..id_max: a usage error (exit 2) otherwise. */
int node_get_id(const cli_config *cfg, const char *prefix, const char *id_text, uint64_t id_max,
                const char *context, node_reply *reply);

/* Print the reply's body with out_json, release the reply, and return out_json's status. */
int node_reply_out_json(node_reply *reply);

/* GET /v1/status and extract what transactions need. On success *status_body is owned by the
 * caller (json_decref) when status_body is not NULL. */
int node_status(const cli_config *cfg, petro_net_kind *net, petro_hash *network_id,
                json_t **status_body);

/* The node's network kind, without printing anything; false if the node cannot tell. */
bool node_probe_net_kind(const cli_config *cfg, petro_net_kind *net);

#endif
