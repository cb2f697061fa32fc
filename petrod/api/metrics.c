/* GET /metrics: Prometheus text exposition format (version 0.0.4).
 *
 * Node figures come from node_status_get; HTTP figures from the API's own atomic counters.
 * The text is rendered into a fixed buffer: the set of metrics is fixed, so its size is
 * known, and a render that would not fit is a 500, never a truncated scrape. */
#include "server.h"

#include "../ordering.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define METRICS_TEXT_SIZE_MAX 4096u

typedef struct text_buf {
    char text[METRICS_TEXT_SIZE_MAX];
    size_t size;
    bool overflow;
} text_buf;

static void put(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text_buf *b, const char *fmt, ...) {
    if (b->overflow) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->text + b->size, sizeof b->text - b->size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof b->text - b->size) {
        b->overflow = true;
        return;
    }
    b->size += (size_t)n;
}

static void metric(text_buf *b, const char *name, const char *type, const char *help,
                   uint64_t value) {
    put(b, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name, type, name, value);
}

enum MHD_Result api_metrics(const api_request *req) {
    node_status st;
    petro_result rc = node_status_get(req->api->node, &st);
    if (rc != PETRO_OK) {
        return api_send_error(req, rc, NULL, NULL);
    }
    api *a = req->api;
    text_buf *b = calloc(1, sizeof *b);
    if (b == NULL) {
        return api_send_error(req, PETRO_ERR_NOMEM, NULL, NULL);
    }
    metric(b, "petro_height", "gauge", "Height of the latest committed block.", st.tip.height);
    metric(b, "petro_latest_block_timestamp_ms", "gauge",
           "Timestamp of the latest committed block, unix milliseconds.", st.tip.timestamp_ms);
    metric(b, "petro_mempool_size", "gauge", "Transactions waiting in the mempool.",
           (uint64_t)st.mempool_size);
    metric(b, "petro_txs_committed_total", "counter",
           "Transactions committed since the process started.", st.txs_committed_total);
    metric(b, "petro_txs_rejected_total", "counter",
           "Transactions rejected since the process started.", st.txs_rejected_total);
    metric(b, "petro_blocks_committed_total", "counter",
           "Blocks committed since the process started.", st.blocks_committed_total);
    metric(b, "petro_http_requests_total", "counter", "HTTP requests received.",
           (uint64_t)atomic_load(&a->requests_total));
    put(b, "# HELP petro_http_responses_total HTTP responses sent, by status class.\n"
           "# TYPE petro_http_responses_total counter\n");
    for (unsigned i = 0; i < API_STATUS_CLASS_COUNT; i++) {
        put(b, "petro_http_responses_total{class=\"%uxx\"} %" PRIu64 "\n", i + 1u,
            (uint64_t)atomic_load(&a->responses_by_class[i]));
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(a->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    metric(b, "petro_http_connections", "gauge", "Open HTTP connections.",
           info != NULL ? (uint64_t)info->num_connections : 0u);
    metric(b, "petro_event_streams", "gauge", "Open /v1/events streams.",
           (uint64_t)atomic_load(&a->event_streams_open));
    metric(b, "petro_event_streams_total", "counter", "/v1/events streams opened.",
           (uint64_t)atomic_load(&a->event_streams_total));
    struct ordering *ord = node_ordering(req->api->node);
    if (ord != NULL) {
        ordering_counters oc;
        ordering_counters_get(ord, &oc);
        metric(b, "petro_cluster_is_leader", "gauge", "1 if this validator leads the cluster.",
               oc.is_leader ? 1u : 0u);
        metric(b, "petro_cluster_divergences_total", "counter",
               "Attestations of other validators that disagree with this node's state.",
               oc.divergences_total);
        metric(b, "petro_cluster_blocks_refused_total", "counter",
               "Blocks from etcd that failed verification here.", oc.blocks_refused_total);
        metric(b, "petro_cluster_leader_changes_total", "counter",
               "Leader changes seen by this node.", oc.leader_changes_total);
        metric(b, "petro_cluster_etcd_failures_total", "counter",
               "Failed etcd requests (unreachable, timeout, error answer).", oc.etcd_failures_total);
    }
    enum MHD_Result ret;
    if (b->overflow) {
        ret = api_send_error(req, PETRO_ERR_BUFFER_TOO_SMALL, "metrics text does not fit", NULL);
    } else {
        ret = api_send_text(req, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
                            b->text, b->size);
    }
    free(b);
    return ret;
}
