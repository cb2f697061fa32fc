/* etcd v3 JSON gateway client (etcd.h). */
#include "etcd.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "log.h"

#define ETCD_RESPONSE_SIZE_MAX ((size_t)64 << 20) /* a range of blocks stays far below */

struct etcd {
    CURL *curl;
    struct curl_slist *headers;
    char endpoints[ETCD_ENDPOINT_COUNT_MAX][ETCD_ENDPOINT_SIZE_MAX];
    size_t endpoint_count;
    size_t current;
    uint32_t timeout_ms;
    bool is_failing; /* log an unreachable etcd once per episode */
};

typedef struct buffer {
    char *data;
    size_t size;
    size_t cap;
    bool is_too_large;
} buffer;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ctx) {
    buffer *b = ctx;
    size_t n = size * nmemb;
    if (n > ETCD_RESPONSE_SIZE_MAX - b->size) {
        b->is_too_large = true;
        return 0;
    }
    if (b->size + n + 1 > b->cap) {
        size_t cap = b->cap == 0 ? 4096 : b->cap;
        while (cap < b->size + n + 1) cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL) return 0;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->size, ptr, n);
    b->size += n;
    b->data[b->size] = '\0';
    return n;
}

/* e's handle, reset and set for a POST of the JSON text to path on the current member, its
 * answer going to fn(data); the connect timeout is set, the total one is the caller's. */
static CURL *post_setup(etcd *e, const char *path, const char *text, curl_write_callback fn,
                        void *data) {
    char url[ETCD_ENDPOINT_SIZE_MAX + 64];
    snprintf(url, sizeof url, "%s%s", e->endpoints[e->current], path);
    CURL *c = e->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url); /* libcurl copies the string */
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(text));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, e->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fn);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, data);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(e->timeout_ms < 1000 ? e->timeout_ms : 1000));
    return c;
}

etcd *etcd_new(const char *endpoints, uint32_t timeout_ms) {
    etcd *e = calloc(1, sizeof *e);
    if (e == NULL) return NULL;
    const char *p = endpoints;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= ETCD_ENDPOINT_SIZE_MAX ||
            e->endpoint_count == ETCD_ENDPOINT_COUNT_MAX) {
            free(e);
            return NULL;
        }
        memcpy(e->endpoints[e->endpoint_count], p, len);
        e->endpoints[e->endpoint_count][len] = '\0';
        e->endpoint_count++;
        p += len;
        if (*p == ',') p++;
    }
    e->timeout_ms = timeout_ms;
    e->curl = curl_easy_init();
    e->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (e->headers != NULL) {
        struct curl_slist *h = curl_slist_append(e->headers, "Grpc-Metadata-hasleader: true");
        if (h != NULL) e->headers = h;
    }
    if (e->endpoint_count == 0 || e->curl == NULL || e->headers == NULL) {
        etcd_free(e);
        return NULL;
    }
    return e;
}

void etcd_free(etcd *e) {
    if (e == NULL) return;
    if (e->curl != NULL) curl_easy_cleanup(e->curl);
    curl_slist_free_all(e->headers);
    free(e);
}

petro_result etcd_post(etcd *e, const char *path, json_t *body, json_t **out) {
    *out = NULL;
    char *text = json_dumps(body, JSON_COMPACT);
    if (text == NULL) return PETRO_ERR_NOMEM;
    buffer b = {0};
    CURL *c = post_setup(e, path, text, on_data, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)e->timeout_ms);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    if (cc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    free(text);
    petro_result r = PETRO_OK;
    if (cc != CURLE_OK || status != 200) {
        if (!e->is_failing) {
            log_warn("etcd %s%s: %s%s%.200s", e->endpoints[e->current], path,
                     cc != CURLE_OK ? curl_easy_strerror(cc) : "HTTP error ",
                     cc != CURLE_OK ? "" : ": ", cc != CURLE_OK || b.data == NULL ? "" : b.data);
        }
        e->is_failing = true;
        e->current = (e->current + 1) % e->endpoint_count;
        r = PETRO_ERR_UNAVAILABLE;
    } else {
        json_error_t err;
        *out = json_loadb(b.data != NULL ? b.data : "", b.size, 0, &err);
        if (*out == NULL) {
            log_warn("etcd %s: answer is not JSON", path);
            r = PETRO_ERR_MALFORMED;
        } else if (json_object_get(*out, "error") != NULL ||
                   json_object_get(*out, "code") != NULL) {
            log_warn("etcd %s: error answer %.200s", path, b.data);
            json_decref(*out);
            *out = NULL;
            r = PETRO_ERR_UNAVAILABLE;
        } else {
            if (e->is_failing) log_info("etcd reachable again at %s", e->endpoints[e->current]);
            e->is_failing = false;
        }
    }
    free(b.data);
    return r;
}

/* A stream being read (etcd_stream): the bytes after the last newline, and how it ended. */
typedef struct stream_state {
    buffer line;
    etcd_stream_fn on_msg;
    void *ctx;
    bool is_done;      /* on_msg ended it */
    bool is_malformed; /* a line was not JSON or too long */
    bool has_error;    /* the gateway sent {"error": ...} */
    char error[201];
} stream_state;

/* One line of the stream: parse it and hand its result to on_msg. */
static void stream_line(stream_state *s, const char *text, size_t len) {
    json_t *msg = json_loadb(text, len, 0, NULL);
    if (msg == NULL) {
        s->is_malformed = true;
        return;
    }
    const json_t *err = json_object_get(msg, "error");
    const json_t *result = json_object_get(msg, "result");
    if (err != NULL || !json_is_object(result)) {
        s->has_error = true;
        snprintf(s->error, sizeof s->error, "%.*s", (int)(len < 200 ? len : 200), text);
    } else if (!s->on_msg(s->ctx, result)) {
        s->is_done = true;
    }
    json_decref(msg);
}

static bool stream_is_over(const stream_state *s) {
    return s->is_done || s->is_malformed || s->has_error;
}

static size_t on_stream_data(char *ptr, size_t size, size_t nmemb, void *ctx) {
    stream_state *s = ctx;
    size_t n = size * nmemb;
    if (n == 0 || stream_is_over(s)) return n; /* the loop of etcd_stream ends the transfer */
    if (on_data(ptr, size, nmemb, &s->line) != n) {
        s->is_malformed = true; /* a line longer than ETCD_RESPONSE_SIZE_MAX, or no memory */
        return n;
    }
    /* Every newline ends a message; only the n new bytes can hold one. Each round consumes a
     * line, so the loop is bounded by the chunk's size. */
    size_t start = 0;
    size_t scan = s->line.size - n;
    char *nl;
    while (!stream_is_over(s) &&
           (nl = memchr(s->line.data + scan, '\n', s->line.size - scan)) != NULL) {
        size_t len = (size_t)(nl - (s->line.data + start));
        if (len > 0) stream_line(s, s->line.data + start, len);
        start += len + 1;
        scan = start;
    }
    memmove(s->line.data, s->line.data + start, s->line.size - start);
    s->line.size -= start;
    s->line.data[s->line.size] = '\0';
    return n;
}

/* Drive one transfer on its own multi handle until it ends or the stream is over: returns
 * whether it ended, with its result in *done; *is_stopped when should_stop ended it. */
static bool stream_run(CURLM *m, stream_state *s, etcd_stop_fn should_stop, CURLcode *done,
                       bool *is_stopped) {
    *is_stopped = false;
    /* Bounded by the stream's life: each round waits at most ETCD_STREAM_POLL_MS, and ends
     * the loop when the transfer ends, a message ends it, or should_stop says so. */
    for (;;) {
        int running = 0;
        if (curl_multi_perform(m, &running) != CURLM_OK) {
            *done = CURLE_FAILED_INIT;
            return true;
        }
        int left = 0;
        CURLMsg *msg;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg == CURLMSG_DONE) {
                *done = msg->data.result;
                return true;
            }
        }
        if (stream_is_over(s)) return false;
        if (should_stop(s->ctx)) {
            *is_stopped = true;
            return false;
        }
        (void)curl_multi_poll(m, NULL, 0, ETCD_STREAM_POLL_MS, NULL);
    }
}

petro_result etcd_stream(etcd *e, const char *path, json_t *body, etcd_stream_fn on_msg,
                         etcd_stop_fn should_stop, void *ctx) {
    char *text = json_dumps(body, JSON_COMPACT);
    CURLM *m = curl_multi_init();
    if (text == NULL || m == NULL) {
        free(text);
        if (m != NULL) curl_multi_cleanup(m);
        return PETRO_ERR_NOMEM;
    }
    stream_state s = {.on_msg = on_msg, .ctx = ctx};
    CURL *c = post_setup(e, path, text, on_stream_data, &s);
    /* A member that vanishes without closing the connection (a cut link) is noticed by TCP
     * keep-alive; the caller's should_stop covers one that stops answering. */
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, 5L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, 5L);
    CURLcode done = CURLE_OK;
    bool is_stopped = false;
    petro_result r = PETRO_ERR_NOMEM;
    if (curl_multi_add_handle(m, c) == CURLM_OK) {
        bool is_ended = stream_run(m, &s, should_stop, &done, &is_stopped);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_multi_remove_handle(m, c);
        if (s.is_done || is_stopped) {
            r = PETRO_OK;
        } else if (s.is_malformed && status == 200) {
            log_warn("etcd %s: the stream carried a line that is not JSON or too long", path);
            r = PETRO_ERR_MALFORMED;
        } else { /* an error answer (its page need not be JSON) or a broken stream */
            if (!e->is_failing) {
                log_warn("etcd %s%s: stream ended: %s%s", e->endpoints[e->current], path,
                         s.has_error ? "error answer " : !is_ended ? "" :
                         done != CURLE_OK ? curl_easy_strerror(done) :
                         status != 200 ? "HTTP error" : "closed by the server",
                         s.has_error ? s.error : "");
            }
            e->is_failing = true;
            e->current = (e->current + 1) % e->endpoint_count;
            r = PETRO_ERR_UNAVAILABLE;
        }
    }
    curl_multi_cleanup(m);
    free(s.line.data);
    free(text);
    return r;
}

json_t *etcd_b64(const uint8_t *bytes, size_t size) {
    size_t cap = sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(cap);
    if (text == NULL) return NULL;
    sodium_bin2base64(text, cap, bytes, size, sodium_base64_VARIANT_ORIGINAL);
    json_t *s = json_string(text);
    free(text);
    return s;
}

petro_result etcd_unb64(const json_t *v, uint8_t **out, size_t *size) {
    *out = NULL;
    *size = 0;
    const char *text = json_is_string(v) ? json_string_value(v) : "";
    size_t len = strlen(text);
    uint8_t *buf = malloc(len / 4 * 3 + 3);
    if (buf == NULL) return PETRO_ERR_NOMEM;
    size_t n = 0;
    if (len > 0 && sodium_base642bin(buf, len / 4 * 3 + 3, text, len, NULL, &n, NULL,
                                     sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(buf);
        return PETRO_ERR_MALFORMED;
    }
    *out = buf;
    *size = n;
    return PETRO_OK;
}

uint64_t etcd_u64(const json_t *obj, const char *field) {
    const json_t *v = json_object_get(obj, field);
    if (json_is_string(v)) return strtoull(json_string_value(v), NULL, 10);
    if (json_is_integer(v) && json_integer_value(v) >= 0) return (uint64_t)json_integer_value(v);
    return 0;
}

json_t *etcd_u64_json(uint64_t v) {
    char text[24];
    snprintf(text, sizeof text, "%llu", (unsigned long long)v);
    return json_string(text);
}

void etcd_prefix_end(uint8_t *out, const uint8_t *prefix, size_t size) {
    memcpy(out, prefix, size);
    /* Prefixes here are printable ASCII, so the last byte never overflows. */
    out[size - 1]++;
}
