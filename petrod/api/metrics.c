/* GET /metrics: Prometheus text exposition format (version 0.0.4).
 *
 * Node figures come from node_status_get; HTTP figures from the API's own atomic counters;
 * checkpoint figures from checkpoint_health_get; reserve figures from the same view of a read
 * snapshot as GET /v1/reserves (api_reserves_view_read), one sample per reserve-backed asset.
 * The text is rendered into a fixed buffer: the set of metrics is fixed and the reserves are
 * at most PETRO_GENESIS_RESERVES_MAX, so its size is bounded, and a render that would not fit
 * is a 500, never a truncated scrape. */
#include "server.h"

#include "../ordering.h"
#include "checkpoint.h"
#include "json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define METRICS_TEXT_SIZE_MAX 16384u

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

/* ------------------------------------------------------------ reserves */

/* One gauge family per figure of petro_reserve_status, one sample per reserve-backed asset,
 * labelled asset="PTR" or asset="CODE:ISSUER_ADDRESS" as in GET /v1/reserves. */
typedef enum reserve_gauge {
    RESERVE_ATTESTED,
    RESERVE_ATTESTATIONS,
    RESERVE_EXPIRES,
    RESERVE_SUPPLY,
    RESERVE_OUTSTANDING,
    RESERVE_CAP,
    RESERVE_COVERAGE,
    RESERVE_MIN_COVERAGE,
    RESERVE_UNDER_COVERED,
    RESERVE_GAUGE_COUNT
} reserve_gauge;

static const char *const reserve_gauge_name[RESERVE_GAUGE_COUNT] = {
    [RESERVE_ATTESTED] = "petro_reserve_attested_base_units",
    [RESERVE_ATTESTATIONS] = "petro_reserve_attestations",
    [RESERVE_EXPIRES] = "petro_reserve_attestation_expires_ms",
    [RESERVE_SUPPLY] = "petro_reserve_supply_base_units",
    [RESERVE_OUTSTANDING] = "petro_reserve_outstanding_base_units",
    [RESERVE_CAP] = "petro_reserve_cap_base_units",
    [RESERVE_COVERAGE] = "petro_reserve_coverage_bps",
    [RESERVE_MIN_COVERAGE] = "petro_reserve_min_coverage_bps",
    [RESERVE_UNDER_COVERED] = "petro_reserve_under_covered",
};

static const char *const reserve_gauge_help[RESERVE_GAUGE_COUNT] = {
    [RESERVE_ATTESTED] = "Commodity base units (1e-8 barrel or troy ounce) in the attestations "
                         "in force at the latest block.",
    [RESERVE_ATTESTATIONS] = "Attestations in force at the latest block.",
    [RESERVE_EXPIRES] = "Earliest end of validity of the attestations in force, unix "
                        "milliseconds; 0 if none is in force.",
    [RESERVE_SUPPLY] = "Supply held by holders (issued - redeemed - burned), base units.",
    [RESERVE_OUTSTANDING] = "Issued - redeemed, base units: what issuance is checked against.",
    [RESERVE_CAP] = "Largest supply the attested reserves allow, base units.",
    [RESERVE_COVERAGE] = "Attested backing over supply, basis points; +Inf while the supply is "
                         "0.",
    [RESERVE_MIN_COVERAGE] = "Minimum coverage of the genesis, basis points.",
    [RESERVE_UNDER_COVERED] = "1 if the supply exceeds the cap (issuance blocked), else 0.",
};

/* One sample of gauge g for s, from integers only ("+Inf" coverage while the supply is 0). */
static void put_reserve_sample(text_buf *b, reserve_gauge g, const char *asset,
                               const petro_reserve_status *s) {
    put(b, "%s{asset=\"%s\"} ", reserve_gauge_name[g], asset);
    switch (g) {
    case RESERVE_ATTESTED: put(b, "%" PRId64 "\n", s->attested); return;
    case RESERVE_SUPPLY: put(b, "%" PRId64 "\n", s->supply); return;
    case RESERVE_OUTSTANDING: put(b, "%" PRId64 "\n", s->outstanding); return;
    case RESERVE_CAP: put(b, "%" PRId64 "\n", s->cap); return;
    case RESERVE_ATTESTATIONS: put(b, "%" PRIu32 "\n", s->attestation_count); return;
    case RESERVE_EXPIRES: put(b, "%" PRIu64 "\n", s->attestations_expire_ms); return;
    case RESERVE_COVERAGE:
        if (s->coverage_bps == UINT64_MAX) {
            put(b, "+Inf\n");
        } else {
            put(b, "%" PRIu64 "\n", s->coverage_bps);
        }
        return;
    case RESERVE_MIN_COVERAGE: put(b, "%" PRIu32 "\n", s->reserve.coverage_bps); return;
    case RESERVE_UNDER_COVERED: put(b, "%u\n", s->under_covered ? 1u : 0u); return;
    case RESERVE_GAUGE_COUNT:
    default: break;
    }
    abort(); /* a bug: the callers loop g below RESERVE_GAUGE_COUNT */
}

/* The petro_reserve_* families; nothing when the genesis declared no reserve. The checkpoint
 * heights are those /v1/reserves shows as latest_checkpoint (none while checkpoints are off). */
static petro_result put_reserves(text_buf *b, node *n) {
    node_read *rd = NULL;
    petro_result rc = node_read_begin(n, &rd);
    if (rc != PETRO_OK) return rc;
    api_reserves_view v;
    rc = api_reserves_view_read(&v, node_read_store(rd));
    node_read_end(rd);
    if (rc != PETRO_OK) return rc;
    char asset[PETRO_GENESIS_RESERVES_MAX][APIJ_ASSET_TEXT_SIZE];
    for (uint32_t i = 0; i < v.count; i++) {
        if (apij_asset_text(asset[i], &v.status[i].reserve.asset, v.kind) == 0) {
            return PETRO_ERR_CORRUPT;
        }
    }
    for (unsigned g = 0; v.count > 0 && g < RESERVE_GAUGE_COUNT; g++) {
        const char *name = reserve_gauge_name[g];
        put(b, "# HELP %s %s\n# TYPE %s gauge\n", name, reserve_gauge_help[g], name);
        for (uint32_t i = 0; i < v.count; i++) {
            put_reserve_sample(b, (reserve_gauge)g, asset[i], &v.status[i]);
        }
    }
    checkpoints *cs = node_checkpoints(n);
    bool has[PETRO_GENESIS_RESERVES_MAX] = {false};
    uint64_t height[PETRO_GENESIS_RESERVES_MAX] = {0};
    bool any = false;
    for (uint32_t i = 0; i < v.count; i++) {
        petro_checkpoint cp;
        has[i] = checkpoint_latest(cs, &v.status[i].reserve.asset, &cp) == PETRO_OK;
        height[i] = has[i] ? cp.height : 0;
        any = any || has[i];
    }
    if (!any) return PETRO_OK;
    put(b, "# HELP petro_reserve_checkpoint_height Height of the latest signed "
           "proof-of-reserves checkpoint.\n# TYPE petro_reserve_checkpoint_height gauge\n");
    for (uint32_t i = 0; i < v.count; i++) {
        if (has[i]) {
            put(b, "petro_reserve_checkpoint_height{asset=\"%s\"} %" PRIu64 "\n", asset[i],
                height[i]);
        }
    }
    return PETRO_OK;
}

/* ------------------------------------------------------------ GET /metrics */

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
    metric(b, "petro_store_damaged_values_total", "counter",
           "Stored values that failed their check when read (refused, never served) since the "
           "process started.", st.store_damaged_total);
    metric(b, "petro_producer_cpu_microseconds_total", "counter",
           "CPU time of the thread that applies and commits blocks, since the process started: "
           "petro_txs_committed_total per second of it is one node's capacity when signature "
           "checks run on other cores.", st.producer_cpu_us);
    metric(b, "petro_state_layers", "gauge",
           "Committed blocks whose state is held in memory, not yet written into state.mdb by "
           "the state writer.", st.state_layers);
    metric(b, "petro_state_layer_bytes", "gauge", "Memory held by those blocks' state.",
           st.state_layer_bytes);
    metric(b, "petro_state_batches_total", "counter",
           "Batches the state writer wrote into state.mdb since the process started.",
           st.state_batches_total);
    metric(b, "petro_state_writer_failing", "gauge",
           "1 while the state writer's last batch failed (no block commits and submissions "
           "are refused until it succeeds), else 0.", st.is_state_writer_failing ? 1u : 0u);
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
    put(b, "# HELP petro_http_connections_cut_total Connections the server closed for being "
           "slow to send a request (docs/security.md), by reason.\n"
           "# TYPE petro_http_connections_cut_total counter\n");
    for (unsigned r = 0; r < API_CUT_REASON_COUNT; r++) {
        put(b, "petro_http_connections_cut_total{reason=\"%s\"} %" PRIu64 "\n",
            api_conn_cut_name((api_conn_cut)r), api_conns_cut_count(a->conns, (api_conn_cut)r));
    }
    put(b, "# HELP petro_http_connections_refused_total Connections refused at accept: at the "
           "limit, or from a flooding address while evicted connections close.\n"
           "# TYPE petro_http_connections_refused_total counter\n");
    for (unsigned r = 0; r < API_REFUSAL_COUNT; r++) {
        put(b, "petro_http_connections_refused_total{reason=\"%s\"} %" PRIu64 "\n",
            api_conn_refusal_name((api_conn_refusal)r),
            api_conns_refused_count(a->conns, (api_conn_refusal)r));
    }
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
        metric(b, "petro_cluster_peer_blocks_refused_total", "counter",
               "Peer chains refused when catching up after pruning (not attested, or broken).",
               oc.peer_blocks_refused_total);
        metric(b, "petro_cluster_leader_changes_total", "counter",
               "Leader changes seen by this node.", oc.leader_changes_total);
        metric(b, "petro_cluster_etcd_failures_total", "counter",
               "Failed etcd requests (unreachable, timeout, error answer).",
               oc.etcd_failures_total);
        metric(b, "petro_cluster_etcd_watch_up", "gauge",
               "1 while the etcd watch stream on the block keys is open (0 on the leader, "
               "which needs none).", oc.is_watching ? 1u : 0u);
        metric(b, "petro_cluster_etcd_watch_events_total", "counter",
               "Block writes announced by the etcd watch stream.", oc.watch_events_total);
        metric(b, "petro_cluster_etcd_watch_restarts_total", "counter",
               "etcd watch streams opened again after one ended (broken, canceled, stale, "
               "or after leading).", oc.watch_restarts_total);
    }
    checkpoint_health hl;
    checkpoint_health_get(node_checkpoints(req->api->node), &hl);
    metric(b, "petro_checkpoint_failures_total", "counter",
           "Proof-of-reserves checkpoints that could not be built since the process started.",
           hl.failures_total);
    metric(b, "petro_checkpoint_failing", "gauge",
           "1 while the latest due proof-of-reserves checkpoint failed (none built since), "
           "else 0.",
           hl.is_failing ? 1u : 0u);
    if (hl.has_ok) {
        metric(b, "petro_checkpoint_last_height", "gauge",
               "Height of the last proof-of-reserves checkpoint built and signed.",
               hl.ok_height);
    }
    rc = put_reserves(b, req->api->node);
    enum MHD_Result ret;
    if (rc != PETRO_OK) {
        ret = api_send_error(req, rc, NULL, NULL);
    } else if (b->overflow) {
        ret = api_send_error(req, PETRO_ERR_BUFFER_TOO_SMALL, "metrics text does not fit", NULL);
    } else {
        ret = api_send_text(req, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
                            b->text, b->size);
    }
    free(b);
    return ret;
}
