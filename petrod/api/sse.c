/* GET /v1/events: server-sent events, one `block` event per committed block.
 *
 * Design: the response is produced by a content-reader callback on the connection's own
 * thread (thread per connection), which blocks in node_wait_block for at most
 * API_WAIT_SLICE_MS at a time and re-checks api_is_stopping, so a stream ends within a slice
 * of the node closing or the API stopping. Each event carries `id: <height>`; a client that
 * reconnects with Last-Event-ID resumes after that height. Events are rendered into a small
 * owned buffer (at most SSE_BLOCKS_PER_FILL blocks at a time), so a lagging client costs
 * bounded memory and is fed at its own pace. A comment line is sent every SSE_PING_MS so
 * proxies and the connection timeout never see an idle stream. */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "log.h"

#define SSE_PING_MS 15000u
#define SSE_BLOCKS_PER_FILL 64u
#define SSE_READ_BLOCK_SIZE ((size_t)16 * 1024) /* MHD's buffer per callback */

typedef struct sse_stream {
    api *api;
    uint64_t last_height;  /* highest height sent (or the tip when the stream began) */
    uint64_t last_send_ms; /* monotonic time of the last bytes handed to MHD */
    char *out;             /* rendered, not yet sent */
    size_t out_size;
    size_t out_sent;
    size_t out_cap;
} sse_stream;

static uint64_t now_ms(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool out_append(sse_stream *s, const char *text, size_t size) {
    if (s->out_sent == s->out_size) {
        s->out_sent = 0;
        s->out_size = 0;
    }
    if (size > SIZE_MAX / 2u - s->out_size) {
        return false;
    }
    if (s->out_size + size > s->out_cap) {
        size_t cap = s->out_cap > 0 ? s->out_cap : 4096u;
        while (cap < s->out_size + size) { /* bounded: doubles past a finite size */
            cap *= 2u;
        }
        char *grown = realloc(s->out, cap);
        if (grown == NULL) {
            return false;
        }
        s->out = grown;
        s->out_cap = cap;
    }
    memcpy(s->out + s->out_size, text, size);
    s->out_size += size;
    return true;
}

/* Append one `block` event for the block at height from snapshot r. */
static petro_result append_block_event(sse_stream *s, node_read *r, uint64_t height,
                                       petro_net_kind kind) {
    const uint8_t *block = NULL;
    size_t block_size = 0;
    petro_block_header header;
    petro_result rc = api_read_block(r, height, &header, &block, &block_size);
    if (rc != PETRO_OK) {
        return rc;
    }
    json_t *o = apij_block_header(&header, kind);
    char *data = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    if (data == NULL) {
        return PETRO_ERR_NOMEM;
    }
    char head[64];
    int n = snprintf(head, sizeof head, "event: block\nid: %llu\ndata: ",
                     (unsigned long long)height);
    bool ok = n > 0 && (size_t)n < sizeof head && out_append(s, head, (size_t)n) &&
              out_append(s, data, strlen(data)) && out_append(s, "\n\n", 2);
    free(data);
    return ok ? PETRO_OK : PETRO_ERR_NOMEM;
}

/* Render events for blocks after last_height up to the snapshot's tip (a bounded number). */
static petro_result fill_blocks(sse_stream *s) {
    node_read *r = NULL;
    petro_result rc = node_read_begin(s->api->node, &r);
    if (rc != PETRO_OK) {
        return rc;
    }
    petro_ledger_tip tip;
    memset(&tip, 0, sizeof tip);
    rc = petro_ledger_tip_get(node_read_store(r), &tip);
    petro_net_kind kind = tip.net_kind == PETRO_NET_MAIN ? PETRO_NET_MAIN : PETRO_NET_TEST;
    for (uint32_t i = 0; rc == PETRO_OK && i < SSE_BLOCKS_PER_FILL && s->last_height < tip.height;
         i++) {
        rc = append_block_event(s, r, s->last_height + 1u, kind);
        if (rc == PETRO_OK) {
            s->last_height++;
        }
    }
    node_read_end(r);
    return rc;
}

static ssize_t copy_out(sse_stream *s, char *buf, size_t max) {
    size_t n = s->out_size - s->out_sent;
    if (n > max) {
        n = max;
    }
    memcpy(buf, s->out + s->out_sent, n);
    s->out_sent += n;
    s->last_send_ms = now_ms();
    return (ssize_t)n;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max) {
    sse_stream *s = cls;
    if (max == 0) {
        return 0;
    }
    if (s->out_sent < s->out_size) {
        return copy_out(s, buf, max);
    }
    /* Nothing buffered: block in slices until a block, a ping, or the end. Each round waits
     * at most API_WAIT_SLICE_MS, and a ping is due after SSE_PING_MS, so this ends. */
    for (;;) {
        if (api_is_stopping(s->api)) {
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        uint64_t tip = node_wait_block(s->api->node, s->last_height, API_WAIT_SLICE_MS);
        if (tip > s->last_height) {
            petro_result rc = fill_blocks(s);
            if (rc != PETRO_OK && s->out_size == s->out_sent) {
                log_warn("api: event stream ends: %s", petro_result_str(rc));
                return MHD_CONTENT_READER_END_WITH_ERROR;
            }
            if (s->out_sent < s->out_size) {
                return copy_out(s, buf, max);
            }
        }
        if (now_ms() - s->last_send_ms >= SSE_PING_MS) {
            static const char PING[] = ": ping\n\n";
            if (!out_append(s, PING, sizeof PING - 1)) {
                return MHD_CONTENT_READER_END_WITH_ERROR;
            }
            return copy_out(s, buf, max);
        }
    }
}

static void sse_free(void *cls) {
    sse_stream *s = cls;
    atomic_fetch_sub(&s->api->event_streams_open, 1u);
    free(s->out);
    free(s);
}

enum MHD_Result api_v1_events(const api_request *req) {
    node_status st;
    petro_result rc = node_status_get(req->api->node, &st);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    sse_stream *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    s->api = req->api;
    s->last_height = st.tip.height;
    s->last_send_ms = now_ms();
    /* Resume after the client's last event, if it names a height we have. */
    const char *last_id = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                      MHD_HTTP_HEADER_LAST_EVENT_ID);
    uint64_t resume = 0;
    if (last_id != NULL && api_parse_u64(&resume, last_id, strlen(last_id)) &&
        resume < st.tip.height) {
        s->last_height = resume;
    }
    static const char PRELUDE[] = "retry: 3000\n: petrod events\n\n";
    if (!out_append(s, PRELUDE, sizeof PRELUDE - 1)) {
        free(s);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    atomic_fetch_add(&req->api->event_streams_open, 1u);
    atomic_fetch_add(&req->api->event_streams_total, 1u);
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, SSE_READ_BLOCK_SIZE, sse_read, s, sse_free);
    if (resp == NULL) {
        sse_free(s);
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream") !=
            MHD_YES ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES ||
        MHD_add_response_header(resp, "X-Accel-Buffering", "no") != MHD_YES) {
        MHD_destroy_response(resp); /* calls sse_free */
        return MHD_NO;
    }
    return api_send_response(req, MHD_HTTP_OK, resp);
}
