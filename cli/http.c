/* petro CLI HTTP client: one libcurl easy handle per request (the CLI makes a handful of
 * requests per run, so reuse would buy nothing), bounded reply size, connect and total
 * timeouts, and a JSON parse of every reply. Transport failures are "node unreachable"
 * (exit 3); anything the node says is handed back to the caller as JSON. */
#include "http.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "output.h"
#include "parse.h"

typedef struct reply_buf {
    char *bytes;
    size_t size;
    size_t capacity;
    bool is_too_large;
} reply_buf;

int http_global_init(void) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return cli_fail(CLI_EXIT_FAILED, "cannot initialise libcurl");
    }
    return CLI_EXIT_OK;
}

void http_global_deinit(void) { curl_global_cleanup(); }

static size_t on_data(char *data, size_t size, size_t count, void *user) {
    reply_buf *buf = user;
    if (count != 0 && size > SIZE_MAX / count) return 0;
    size_t n = size * count;
    if (n > HTTP_REPLY_SIZE_MAX - buf->size) {
        buf->is_too_large = true;
        return 0; /* makes curl fail with CURLE_WRITE_ERROR */
    }
    if (buf->size + n + 1 > buf->capacity) {
        size_t cap = buf->capacity == 0 ? 4096 : buf->capacity;
        while (cap < buf->size + n + 1) cap *= 2; /* bounded: size + n <= 16 MiB */
        char *grown = realloc(buf->bytes, cap);
        if (grown == NULL) return 0;
        buf->bytes = grown;
        buf->capacity = cap;
    }
    memcpy(buf->bytes + buf->size, data, n);
    buf->size += n;
    buf->bytes[buf->size] = '\0';
    return n;
}

static bool is_transport_error(CURLcode rc) {
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PARTIAL_FILE:
        return true;
    default:
        return false;
    }
}

/* Report a failed curl_easy_perform (unless quiet). */
static int perform_fail(const cli_config *cfg, CURLcode rc, const char *errbuf,
                        const reply_buf *buf, bool quiet) {
    if (quiet) return CLI_EXIT_FAILED;
    const char *detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    if (buf->is_too_large) {
        return cli_fail(CLI_EXIT_FAILED, "reply from %s is larger than %u bytes", cfg->node_url,
                        HTTP_REPLY_SIZE_MAX);
    }
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
        return cli_fail(CLI_EXIT_USAGE, "bad node URL %s: %s", cfg->node_url, detail);
    }
    if (is_transport_error(rc)) {
        return cli_fail(CLI_EXIT_UNREACHABLE, "node unreachable at %s: %s", cfg->node_url,
                        detail);
    }
    return cli_fail(CLI_EXIT_FAILED, "request to %s failed: %s", cfg->node_url, detail);
}

/* Turn a received body into a node_reply. */
static int parse_reply(const cli_config *cfg, long status, const reply_buf *buf,
                       node_reply *reply, bool quiet) {
    json_error_t err;
    json_t *body = buf->size > 0 ? json_loadb(buf->bytes, buf->size, 0, &err) : NULL;
    if (body == NULL) {
        if (quiet) return CLI_EXIT_FAILED;
        if (status >= 400) {
            /* Not our API's error shape (a proxy, or an unimplemented route): show the first
             * line of what came back. */
            const char *text = buf->size > 0 ? buf->bytes : "";
            size_t len = strcspn(text, "\r\n");
            if (len > 200) len = 200;
            return cli_fail(CLI_EXIT_FAILED, "node at %s answered HTTP %ld%s%.*s", cfg->node_url,
                            status, len > 0 ? ": " : "", (int)len, text);
        }
        return cli_fail(CLI_EXIT_FAILED,
                        "node at %s answered HTTP %ld with a body that is not JSON",
                        cfg->node_url, status);
    }
    reply->status = status;
    reply->body = body;
    reply->is_error = status >= 400;
    if (reply->is_error) {
        reply->error_name = jstr(body, "error");
        reply->message = jstr(body, "message");
        petro_result r = PETRO_ERR_BAD_REQUEST;
        if (reply->error_name != NULL && petro_result_from_name(&r, reply->error_name)) {
            reply->error = r;
        } else {
            reply->error = PETRO_ERR_BAD_REQUEST;
        }
    }
    return CLI_EXIT_OK;
}

/* A request's tick callback (node_post_ticking) and when the request started. */
typedef struct ticker {
    http_tick_fn tick;
    void *user;
    struct timespec start;
    bool is_abandoned;
} ticker;

static long elapsed_ms(const struct timespec *start) {
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return 0;
    return (long)(now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/* CURLOPT_XFERINFOFUNCTION: libcurl calls it about once a second even when nothing moves. */
static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    ticker *t = user;
    if (t->tick(t->user, elapsed_ms(&t->start))) t->is_abandoned = true;
    return t->is_abandoned ? 1 : 0; /* non-zero: CURLE_ABORTED_BY_CALLBACK */
}

static CURLcode set_ticker(CURL *curl, ticker *t) {
    if (t == NULL) return CURLE_OK;
    if (clock_gettime(CLOCK_MONOTONIC, &t->start) != 0) memset(&t->start, 0, sizeof t->start);
    CURLcode rc = curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_XFERINFODATA, t);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    return rc;
}

/* raw, when not NULL, receives a 2xx body as bytes (not parsed; the caller frees raw->bytes);
 * an error status is still parsed into reply. t, when not NULL, is called while waiting. */
static int request_ticking(const cli_config *cfg, const char *path, const char *json_body,
                           node_reply *reply, bool quiet, reply_buf *raw, ticker *t) {
    memset(reply, 0, sizeof *reply);
    char url[CLI_URL_SIZE_MAX + 512];
    int n = snprintf(url, sizeof url, "%s%s", cfg->node_url, path);
    if (n < 0 || (size_t)n >= sizeof url) return cli_fail(CLI_EXIT_USAGE, "URL too long: %s", path);

    CURL *curl = curl_easy_init();
    if (curl == NULL) return cli_fail(CLI_EXIT_FAILED, "cannot initialise libcurl");
    reply_buf buf = {0};
    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
    if (json_body != NULL && headers != NULL) {
        struct curl_slist *more = curl_slist_append(headers, "Content-Type: application/json");
        if (more == NULL) {
            curl_slist_free_all(headers);
            headers = NULL;
        } else {
            headers = more;
        }
    }
    if (headers == NULL) {
        curl_easy_cleanup(curl);
        return cli_fail(CLI_EXIT_FAILED, "out of memory");
    }
    CURLcode rc = CURLE_OK;
    /* Each setopt can only fail for an unknown option or out of memory; stop at the first. */
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_URL, url);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT_S);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT, HTTP_TIMEOUT_S);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (rc == CURLE_OK && json_body != NULL) {
        rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_body);
    }
    if (rc == CURLE_OK) rc = set_ticker(curl, t);
    if (rc == CURLE_OK) rc = curl_easy_perform(curl);
    long status = 0;
    int result = CLI_EXIT_OK;
    if (rc == CURLE_ABORTED_BY_CALLBACK && t != NULL && t->is_abandoned) {
        result = CLI_EXIT_PENDING; /* the caller says why */
    } else if (rc != CURLE_OK) {
        result = perform_fail(cfg, rc, errbuf, &buf, quiet);
    } else if (curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) {
        result = cli_fail(CLI_EXIT_FAILED, "no HTTP status from %s", cfg->node_url);
    } else if (raw != NULL && status >= 200 && status < 300) {
        reply->status = status;
        *raw = buf;
        buf.bytes = NULL;
    } else {
        result = parse_reply(cfg, status, &buf, reply, quiet);
    }
    free(buf.bytes);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return result;
}

static int request(const cli_config *cfg, const char *path, const char *json_body,
                   node_reply *reply, bool quiet, reply_buf *raw) {
    return request_ticking(cfg, path, json_body, reply, quiet, raw, NULL);
}

int node_post_ticking(const cli_config *cfg, const char *path, const char *json_body,
                      node_reply *reply, http_tick_fn tick, void *user) {
    ticker t = {.tick = tick, .user = user, .is_abandoned = false};
    return request_ticking(cfg, path, json_body, reply, false, NULL, &t);
}

int node_get(const cli_config *cfg, const char *path, node_reply *reply) {
    return request(cfg, path, NULL, reply, false, NULL);
}

int node_get_raw(const cli_config *cfg, const char *path, const char *context, uint8_t **bytes,
                 size_t *size) {
    *bytes = NULL;
    *size = 0;
    node_reply reply;
    reply_buf raw = {0};
    int rc = request(cfg, path, NULL, &reply, false, &raw);
    if (rc != CLI_EXIT_OK) return rc;
    if (reply.body != NULL) { /* an error status, parsed */
        rc = node_fail(&reply, context);
        node_reply_deinit(&reply);
        free(raw.bytes);
        return rc;
    }
    *bytes = (uint8_t *)raw.bytes;
    *size = raw.size;
    return CLI_EXIT_OK;
}

int node_post(const cli_config *cfg, const char *path, const char *json_body, node_reply *reply) {
    return request(cfg, path, json_body, reply, false, NULL);
}

void node_reply_deinit(node_reply *reply) {
    if (reply == NULL) return;
    json_decref(reply->body);
    memset(reply, 0, sizeof *reply);
}

int node_fail(const node_reply *reply, const char *context) {
    char sentence[512];
    /* A gateway in front of the node saying it cannot reach it: same as no answer at all. */
    int status = reply->error == PETRO_ERR_UNAVAILABLE ? CLI_EXIT_UNREACHABLE : CLI_EXIT_FAILED;
    describe_code(sentence, sizeof sentence, reply->error_name, reply->message);
    if (reply->error_name == NULL && reply->message == NULL) {
        return cli_fail(status, "%s: node answered HTTP %ld", context, reply->status);
    }
    return cli_fail(status, "%s: %s", context, sentence);
}

int node_get_ok(const cli_config *cfg, const char *path, const char *context,
                const char *not_found_text, node_reply *reply) {
    int rc = node_get(cfg, path, reply);
    if (rc != CLI_EXIT_OK) return rc;
    if (!reply->is_error) return CLI_EXIT_OK;
    if (reply->error == PETRO_ERR_NOT_FOUND && not_found_text != NULL) {
        rc = cli_fail(CLI_EXIT_FAILED, "%s (not_found)", not_found_text);
    } else {
        rc = node_fail(reply, context);
    }
    node_reply_deinit(reply);
    return rc;
}

int node_get_id(const cli_config *cfg, const char *prefix, const char *id_text, uint64_t id_max,
                const char *context, node_reply *reply) {
    uint64_t id = 0;
    int rc = parse_uint(&id, "ID", id_text, 1, id_max);
    if (rc != CLI_EXIT_OK) return rc;
    char path[128];
    int n = snprintf(path, sizeof path, "%s/%" PRIu64, prefix, id);
    if (n < 0 || (size_t)n >= sizeof path) return cli_fail(CLI_EXIT_FAILED, "path too long");
    return node_get_ok(cfg, path, context, NULL, reply);
}

int node_reply_out_json(node_reply *reply) {
    int rc = out_json(reply->body);
    node_reply_deinit(reply);
    return rc;
}

int node_status(const cli_config *cfg, petro_net_kind *net, petro_hash *network_id,
                json_t **status_body) {
    if (status_body != NULL) *status_body = NULL;
    node_reply reply;
    int rc = node_get_ok(cfg, "/v1/status", "cannot read the node's status", NULL, &reply);
    if (rc != CLI_EXIT_OK) return rc;
    const char *kind = jstr(reply.body, "net_kind");
    const char *id_hex = jstr(reply.body, "network_id");
    if (kind == NULL || (strcmp(kind, "main") != 0 && strcmp(kind, "test") != 0)) {
        node_reply_deinit(&reply);
        return cli_fail(CLI_EXIT_FAILED, "node status has no valid \"net_kind\" (main or test)");
    }
    if (id_hex == NULL || petro_hex_decode(network_id->bytes, sizeof network_id->bytes, id_hex,
                                           strlen(id_hex)) != PETRO_OK) {
        node_reply_deinit(&reply);
        return cli_fail(CLI_EXIT_FAILED, "node status has no valid \"network_id\"");
    }
    *net = strcmp(kind, "main") == 0 ? PETRO_NET_MAIN : PETRO_NET_TEST;
    if (status_body != NULL) {
        *status_body = reply.body;
        reply.body = NULL;
    }
    node_reply_deinit(&reply);
    return CLI_EXIT_OK;
}

bool node_probe_net_kind(const cli_config *cfg, petro_net_kind *net) {
    node_reply reply;
    if (request(cfg, "/v1/status", NULL, &reply, true, NULL) != CLI_EXIT_OK) return false;
    const char *kind = reply.is_error ? NULL : jstr(reply.body, "net_kind");
    bool ok = kind != NULL && (strcmp(kind, "main") == 0 || strcmp(kind, "test") == 0);
    if (ok) *net = strcmp(kind, "main") == 0 ? PETRO_NET_MAIN : PETRO_NET_TEST;
    node_reply_deinit(&reply);
    return ok;
}
