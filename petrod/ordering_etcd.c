/* The etcd ordering backend (ordering.h; docs/operations.md "Cluster").
 *
 * Keys under cfg.prefix (P):
 *   P leader              "<id> <api address>", attached to the leader's lease
 *   P block/<%020 height> the encoded block (header + body)
 *   P att/<id>            the validator's latest attestation (JSON, attest.h)
 *   P atth/<%020 height>/<id>  its attestation of that block (pruned with the blocks)
 *
 * Threads, each with its own etcd handle:
 *   elect:   grants a lease, campaigns with a txn (create_revision(leader) == 0), keeps the
 *            lease alive every ttl/3; steps down when keep-alive fails for a whole ttl.
 *   reader:  reads the block keys after the applied height (range, limit 16) into a small
 *            cache and wakes the node; publishes this node's attestation; reads the others'
 *            and compares them with its own; the leader prunes and compacts old blocks.
 *   watch:   holds an etcd watch stream on the block keys (POST /v3/watch) and wakes the
 *            reader when a block above the applied height appears. It is a doorbell only:
 *            the reader still reads every block with a range, polls every 500 ms as a safety
 *            net, and every 40 ms while the stream is down. A stream that breaks, is canceled
 *            (compaction) or fails to announce a block the reader found is opened again, with
 *            backoff, from the revision of a fresh read, and the reader is rung once then.
 *   forward: followers send admitted submissions to the leader's POST /v1/transactions/batch.
 * The producer thread calls ordering_finalize with a fourth handle.
 *
 * Lock order: o->lock is a leaf; the wake callback is never called with it held. */
#include "ordering.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "attest.h"
#include "etcd.h"
#include "log.h"

#define CACHE_MAX 32u
#define RANGE_LIMIT 16
#define READER_IDLE_MS 40u          /* poll period while the watch stream is down */
#define READER_WATCHED_IDLE_MS 500u /* safety-net poll period while the watch stream is up */
#define WATCH_BACKOFF_MIN_MS 100u   /* before opening a watch stream again, doubling to: */
#define WATCH_BACKOFF_MAX_MS 5000u
#define WATCH_HEALTHY_MS 10000u /* a stream that lived this long resets the backoff */
#define WATCH_STALE_MS 2000u    /* a block the reader found, not announced by the stream */
#define FORWARD_BYTES_MAX ((size_t)8 << 20)
#define RECENT_MAX 4096u /* own state hashes remembered, to compare others' attestations */
#define PRUNE_MARGIN 8u
#define PRUNE_EVERY_MS 2000u
#define ATT_QUEUE_MAX 64u /* attestations of applied blocks not yet published per height */
#define PEER_BATCH_MAX 64u /* blocks per GET /v1/blocks request (the API's maximum) */
#define PEER_MARK_EVERY 16u /* a verified block hash every this many heights of a catch-up */
#define PEER_GAP_MAX ((uint64_t)1 << 22) /* heights one catch-up may span (marks: 8 MiB) */
#define PEER_RETRY_MS 1000u /* after a catch-up from peers failed or was refused */

typedef struct cached_block {
    uint64_t height;
    uint8_t *bytes;
    size_t size;
} cached_block;

/* A verified catch-up from peers (fetch_from_peers): the blocks base..anchor, where the block
 * at anchor carries f+1 attestations and every block below hangs from it by the hash chain.
 * marks[j] is the verified hash of the block at plan_mark_height(plan, j). Reader thread. */
typedef struct catchup_plan {
    uint64_t base; /* 0: no plan */
    uint64_t anchor;
    size_t peer; /* the validator whose chain was verified (asked first) */
    petro_hash *marks;
    size_t mark_count;
} catchup_plan;

typedef struct peer_state {
    bool has_attestation;
    attestation latest;
    bool is_diverged;
    uint64_t diverged_height;
} peer_state;

typedef struct etcd_ordering etcd_ordering;

struct etcd_ordering {
    ordering base; /* first: etcd_of casts back */
    ordering_config cfg;
    petro_hash network_id;
    petro_pubkey pk;
    petro_seckey sk;
    size_t self_index;

    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool is_closing;
    ordering_wake_fn wake;
    void *wake_ctx;

    /* election */
    bool is_leader;
    uint64_t lease_id;
    uint64_t leader_create_rev;
    bool has_leader;
    char leader_id[ORDERING_ID_SIZE_MAX];
    char leader_api[ORDERING_ADDR_SIZE_MAX];
    bool is_etcd_ok;
    bool has_read_as_leader; /* the reader completed a range since this node became leader */
    bool is_leader_new;      /* another node became leader: resend our pending submissions */

    /* blocks */
    cached_block cache[CACHE_MAX];
    size_t cache_count;
    uint64_t applied_height;
    uint64_t known_tip; /* highest block key seen in etcd */
    uint64_t refused_height;
    petro_result refused_why;
    uint64_t last_refused_height; /* the last refused block: counted and logged once */
    petro_hash last_refused;
    petro_hash recent_state[RECENT_MAX];
    petro_hash recent_block[RECENT_MAX];
    uint64_t recent_height[RECENT_MAX];
    attestation mine;
    bool has_mine;
    bool is_mine_published;
    attestation att_queue[ATT_QUEUE_MAX]; /* oldest first */
    size_t att_queue_count;
    pthread_mutex_t api_lock; /* e_api, used by API threads (per-block attestations) */
    etcd *e_api;

    peer_state peers[ORDERING_VALIDATOR_COUNT_MAX];
    ordering_counters counters;

    /* catch-up from peers after pruning (reader thread) */
    catchup_plan plan;
    uint64_t peer_retry_ms; /* no new plan before this (mono_ms) */
    uint64_t logged_anchor; /* the anchor last logged as unusable (once per anchor) */
    /* the last peer chain refused (under lock): logged and counted once */
    bool has_peer_refused;
    size_t peer_refused_index;
    uint64_t peer_refused_height;
    const char *peer_refused_reason;

    /* forwarding */
    uint8_t *fwd;
    size_t fwd_size;
    size_t fwd_cap;
    bool is_fwd_full; /* the queue overflowed (logged once until it takes entries again) */

    /* watch stream (watch thread; under lock) */
    bool is_watching;    /* a stream is open and etcd confirmed the watch */
    bool is_watch_rung;  /* it announced a block above applied_height since the reader looked */
    bool is_watch_stale; /* the reader asks for a new stream (one failed to announce a block) */
    uint64_t watch_tip;  /* highest block height announced (or present when it opened) */

    etcd *e_finalize;
    pthread_t threads[4];
    size_t thread_count;
};

static const ordering_ops etcd_ops;

/* The backend behind an interface pointer (its first member). */
static etcd_ordering *etcd_of(ordering *base) {
    PETROD_ASSERT(base != NULL);
    PETROD_ASSERT(base->ops == &etcd_ops);
    return (etcd_ordering *)base;
}

static uint64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait on o->cond (held) for at most ms. */
static void wait_ms_locked(etcd_ordering *o, uint32_t ms) {
    PETROD_ASSERT_HELD(&o->lock);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000u);
    ts.tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&o->cond, &o->lock, &ts);
}

static void do_wake(etcd_ordering *o) {
    pthread_mutex_lock(&o->lock);
    ordering_wake_fn fn = o->wake;
    void *ctx = o->wake_ctx;
    pthread_mutex_unlock(&o->lock);
    if (fn != NULL) fn(ctx);
}

static void key_of(char *out, size_t cap, const etcd_ordering *o, const char *suffix) {
    snprintf(out, cap, "%s%s", o->cfg.prefix, suffix);
}

static void block_key(char *out, size_t cap, const etcd_ordering *o, uint64_t height) {
    snprintf(out, cap, "%sblock/%020llu", o->cfg.prefix, (unsigned long long)height);
}

static json_t *b64s(const char *s) { return etcd_b64((const uint8_t *)s, strlen(s)); }

static json_t *range_end_of(const char *prefix) {
    size_t len = strlen(prefix);
    uint8_t end[256];
    if (len == 0 || len > sizeof end) return NULL;
    etcd_prefix_end(end, (const uint8_t *)prefix, len);
    return etcd_b64(end, len);
}

/* ------------------------------------------------------------ config */

static void trim(char *s) {
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r' ||
                       s[len - 1] == '\t')) {
        s[--len] = '\0';
    }
    size_t start = 0;
    while (s[start] == ' ' || s[start] == '\t') start++;
    if (start > 0) memmove(s, s + start, len - start + 1);
}

static bool copy_str(char *out, size_t cap, const char *v) {
    size_t len = strlen(v);
    if (len == 0 || len >= cap) return false;
    memcpy(out, v, len + 1);
    return true;
}

petro_result ordering_config_load(ordering_config *cfg, const char *path) {
    memset(cfg, 0, sizeof *cfg);
    cfg->lease_ttl_s = 1;
    cfg->etcd_timeout_ms = 1000;
    cfg->block_bytes_max = 262144;
    cfg->retain_blocks = 1000;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        log_error("cannot open the cluster file %s: %s", path, strerror(errno));
        return PETRO_ERR_IO;
    }
    char line[1024];
    unsigned lineno = 0;
    petro_result r = PETRO_OK;
    while (r == PETRO_OK && fgets(line, sizeof line, f) != NULL) {
        lineno++;
        trim(line);
        if (line[0] == '\0' || line[0] == '#') continue;
        char *eq = strchr(line, '=');
        if (eq == NULL) {
            r = PETRO_ERR_MALFORMED;
            break;
        }
        *eq = '\0';
        char *k = line;
        char *v = eq + 1;
        trim(k);
        trim(v);
        bool ok = true;
        if (strcmp(k, "self") == 0) {
            ok = copy_str(cfg->self, sizeof cfg->self, v);
        } else if (strcmp(k, "key_file") == 0) {
            ok = copy_str(cfg->key_file, sizeof cfg->key_file, v);
        } else if (strcmp(k, "etcd") == 0) {
            ok = copy_str(cfg->etcd_endpoints, sizeof cfg->etcd_endpoints, v);
        } else if (strcmp(k, "prefix") == 0) {
            ok = copy_str(cfg->prefix, sizeof cfg->prefix, v);
        } else if (strcmp(k, "lease_ttl_s") == 0) {
            unsigned long x = strtoul(v, NULL, 10);
            ok = x >= 1 && x <= 60;
            cfg->lease_ttl_s = (uint32_t)x;
        } else if (strcmp(k, "etcd_timeout_ms") == 0) {
            unsigned long x = strtoul(v, NULL, 10);
            ok = x >= 100 && x <= 60000;
            cfg->etcd_timeout_ms = (uint32_t)x;
        } else if (strcmp(k, "block_bytes_max") == 0) {
            unsigned long x = strtoul(v, NULL, 10);
            ok = x >= 16384 && x <= 1048576;
            cfg->block_bytes_max = (uint32_t)x;
        } else if (strcmp(k, "retain_blocks") == 0) {
            unsigned long long x = strtoull(v, NULL, 10);
            ok = x >= 16;
            cfg->retain_blocks = x;
        } else if (strcmp(k, "validator") == 0) {
            /* validator = ID PUBKEY_HEX API_URL */
            if (cfg->validator_count == ORDERING_VALIDATOR_COUNT_MAX) {
                ok = false;
            } else {
                ordering_validator *val = &cfg->validators[cfg->validator_count];
                char id[64], hex[80], api[ORDERING_ADDR_SIZE_MAX];
                ok = sscanf(v, "%63s %79s %127s", id, hex, api) == 3 &&
                     copy_str(val->id, sizeof val->id, id) &&
                     copy_str(val->api, sizeof val->api, api) &&
                     petro_hex_decode(val->pubkey.bytes, 32, hex, strlen(hex)) == PETRO_OK;
                cfg->validator_count++;
            }
        } else {
            ok = false;
        }
        if (!ok) r = PETRO_ERR_MALFORMED;
    }
    fclose(f);
    if (r != PETRO_OK) {
        log_error("%s line %u: bad or unknown setting", path, lineno);
        return r;
    }
    bool has_self = false;
    for (size_t i = 0; i < cfg->validator_count; i++) {
        if (strcmp(cfg->validators[i].id, cfg->self) == 0) has_self = true;
    }
    if (!has_self || cfg->key_file[0] == '\0' || cfg->etcd_endpoints[0] == '\0' ||
        cfg->prefix[0] == '\0') {
        log_error("%s: needs self (one of the validators), key_file, etcd and prefix", path);
        return PETRO_ERR_MALFORMED;
    }
    return PETRO_OK;
}

/* ------------------------------------------------------------ election */

static void set_role(etcd_ordering *o, bool is_leader, const char *leader_id,
                     const char *leader_api) {
    pthread_mutex_lock(&o->lock);
    bool changed = o->is_leader != is_leader || !o->has_leader ||
                   strcmp(o->leader_id, leader_id) != 0;
    if (changed) {
        o->counters.leader_changes_total++;
        log_info("cluster: leader is %s (%s)%s", leader_id, leader_api,
                 is_leader ? "; this node leads" : "");
    }
    if (is_leader && !o->is_leader) o->has_read_as_leader = false;
    if (changed && !is_leader) o->is_leader_new = true;
    o->is_leader = is_leader;
    o->counters.is_leader = is_leader;
    o->has_leader = true;
    snprintf(o->leader_id, sizeof o->leader_id, "%s", leader_id);
    snprintf(o->leader_api, sizeof o->leader_api, "%s", leader_api);
    pthread_cond_broadcast(&o->cond);
    pthread_mutex_unlock(&o->lock);
    if (changed) do_wake(o);
}

static void step_down(etcd_ordering *o, const char *why) {
    pthread_mutex_lock(&o->lock);
    bool was = o->is_leader;
    o->is_leader = false;
    o->counters.is_leader = false;
    o->has_leader = false;
    pthread_mutex_unlock(&o->lock);
    if (was) log_warn("cluster: this node steps down as leader: %s", why);
}

static void set_etcd_ok(etcd_ordering *o, bool ok) {
    pthread_mutex_lock(&o->lock);
    if (!ok) o->counters.etcd_failures_total++;
    o->is_etcd_ok = ok;
    pthread_mutex_unlock(&o->lock);
}

/* Parse "<id> <api>" from a leader value. */
static void parse_leader(const json_t *kv, char *id, size_t id_cap, char *api, size_t api_cap) {
    id[0] = api[0] = '\0';
    uint8_t *v;
    size_t size;
    if (etcd_unb64(json_object_get(kv, "value"), &v, &size) != PETRO_OK) return;
    char text[256];
    if (size >= sizeof text) size = sizeof text - 1;
    memcpy(text, v, size);
    text[size] = '\0';
    free(v);
    char *sp = strchr(text, ' ');
    if (sp == NULL) return;
    *sp = '\0';
    /* Truncation to the callers' buffers is intended (checked return: -Wformat-truncation). */
    if (snprintf(id, id_cap, "%s", text) < 0) id[0] = '\0';
    if (snprintf(api, api_cap, "%s", sp + 1) < 0) api[0] = '\0';
}

/* One campaign round: returns PETRO_OK (leader or follower decided), or an etcd failure. */
static petro_result campaign(etcd_ordering *o, etcd *e, uint64_t lease) {
    char key[256], value[256];
    key_of(key, sizeof key, o, "leader");
    snprintf(value, sizeof value, "%s %s", o->cfg.self, o->cfg.validators[o->self_index].api);
    json_t *body = json_pack("{s:[{s:s,s:s,s:o,s:s}],s:[{s:{s:o,s:o,s:o}}],s:[{s:{s:o}}]}",
                             "compare", "key", "", "target", "CREATE", "create_revision",
                             etcd_u64_json(0), "result", "EQUAL",
                             "success", "request_put", "key", b64s(key), "value", b64s(value),
                             "lease", etcd_u64_json(lease),
                             "failure", "request_range", "key", b64s(key));
    if (body == NULL) return PETRO_ERR_NOMEM;
    json_object_set_new(json_array_get(json_object_get(body, "compare"), 0), "key", b64s(key));
    json_t *resp;
    petro_result r = etcd_post(e, "/v3/kv/txn", body, &resp);
    json_decref(body);
    if (r != PETRO_OK) return r;
    if (json_is_true(json_object_get(resp, "succeeded"))) {
        uint64_t rev = etcd_u64(json_object_get(resp, "header"), "revision");
        pthread_mutex_lock(&o->lock);
        o->lease_id = lease;
        o->leader_create_rev = rev;
        pthread_mutex_unlock(&o->lock);
        set_role(o, true, o->cfg.self, o->cfg.validators[o->self_index].api);
    } else {
        json_t *rr = json_object_get(json_array_get(json_object_get(resp, "responses"), 0),
                                     "response_range");
        json_t *kv = json_array_get(json_object_get(rr, "kvs"), 0);
        if (kv != NULL) {
            char id[ORDERING_ID_SIZE_MAX], api[ORDERING_ADDR_SIZE_MAX];
            parse_leader(kv, id, sizeof id, api, sizeof api);
            if (strcmp(id, o->cfg.self) == 0 && etcd_u64(kv, "lease") == lease) {
                /* Our own key from a round whose answer was lost. */
                pthread_mutex_lock(&o->lock);
                o->lease_id = lease;
                o->leader_create_rev = etcd_u64(kv, "create_revision");
                pthread_mutex_unlock(&o->lock);
                set_role(o, true, id, api);
            } else if (id[0] != '\0') {
                set_role(o, false, id, api);
            }
        }
    }
    json_decref(resp);
    return PETRO_OK;
}

static void *elect_main(void *arg) {
    etcd_ordering *o = arg;
    etcd *e = etcd_new(o->cfg.etcd_endpoints, o->cfg.etcd_timeout_ms);
    uint32_t ttl_ms = o->cfg.lease_ttl_s * 1000u;
    uint32_t period_ms = ttl_ms / 4u;
    uint64_t lease = 0;
    uint64_t last_ok = mono_ms();
    pthread_mutex_lock(&o->lock);
    while (e != NULL && !o->is_closing) {
        pthread_mutex_unlock(&o->lock);
        petro_result r = PETRO_OK;
        if (lease == 0) {
            json_t *body = json_pack("{s:o}", "TTL", etcd_u64_json(o->cfg.lease_ttl_s));
            json_t *resp;
            r = body != NULL ? etcd_post(e, "/v3/lease/grant", body, &resp) : PETRO_ERR_NOMEM;
            json_decref(body);
            if (r == PETRO_OK) {
                lease = etcd_u64(resp, "ID");
                json_decref(resp);
                last_ok = mono_ms();
            }
        } else {
            json_t *body = json_pack("{s:o}", "ID", etcd_u64_json(lease));
            json_t *resp;
            r = body != NULL ? etcd_post(e, "/v3/lease/keepalive", body, &resp) : PETRO_ERR_NOMEM;
            json_decref(body);
            if (r == PETRO_OK) {
                uint64_t ttl = etcd_u64(json_object_get(resp, "result"), "TTL");
                json_decref(resp);
                if (ttl == 0) {
                    step_down(o, "the election lease expired");
                    lease = 0;
                } else {
                    last_ok = mono_ms();
                }
            }
        }
        if (r == PETRO_OK && lease != 0) {
            pthread_mutex_lock(&o->lock);
            bool is_leader = o->is_leader;
            pthread_mutex_unlock(&o->lock);
            if (!is_leader) r = campaign(o, e, lease);
        }
        set_etcd_ok(o, r == PETRO_OK);
        if (r != PETRO_OK && mono_ms() - last_ok >= ttl_ms) {
            step_down(o, "etcd unreachable for a whole lease");
            lease = 0;
        }
        pthread_mutex_lock(&o->lock);
        if (!o->is_closing) wait_ms_locked(o, period_ms);
    }
    bool was_leader = o->is_leader;
    pthread_mutex_unlock(&o->lock);
    if (e != NULL && lease != 0) {
        /* Hand the leadership over at once on a clean stop. */
        json_t *body = json_pack("{s:o}", "ID", etcd_u64_json(lease));
        json_t *resp = NULL;
        if (body != NULL && etcd_post(e, "/v3/lease/revoke", body, &resp) == PETRO_OK &&
            was_leader) {
            log_info("cluster: released the leadership");
        }
        json_decref(body);
        json_decref(resp);
    }
    etcd_free(e);
    return NULL;
}

/* ------------------------------------------------------------ finalize */

/* Read the block key at height: PETRO_OK with bytes, PETRO_ERR_NOT_FOUND, or a failure. */
static petro_result read_block_key(etcd_ordering *o, etcd *e, uint64_t height, uint8_t **bytes,
                                   size_t *size) {
    char key[256];
    block_key(key, sizeof key, o, height);
    json_t *body = json_pack("{s:o}", "key", b64s(key));
    json_t *resp;
    petro_result r = body != NULL ? etcd_post(e, "/v3/kv/range", body, &resp) : PETRO_ERR_NOMEM;
    json_decref(body);
    if (r != PETRO_OK) return r;
    json_t *kv = json_array_get(json_object_get(resp, "kvs"), 0);
    r = kv == NULL ? PETRO_ERR_NOT_FOUND : etcd_unb64(json_object_get(kv, "value"), bytes, size);
    json_decref(resp);
    return r;
}

static petro_result etcd_finalize(ordering *base, uint64_t height, const uint8_t *block,
                                  size_t size) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    bool is_leader = o->is_leader;
    uint64_t lease = o->lease_id;
    uint64_t create_rev = o->leader_create_rev;
    pthread_mutex_unlock(&o->lock);
    if (!is_leader) return PETRO_ERR_UNAVAILABLE;
    char key[256], lkey[256];
    block_key(key, sizeof key, o, height);
    key_of(lkey, sizeof lkey, o, "leader");
    /* block key absent AND our election key still exists with our create_revision and lease */
    json_t *body = json_pack(
        "{s:[{s:o,s:s,s:o,s:s},{s:o,s:s,s:o,s:s},{s:o,s:s,s:o,s:s}],s:[{s:{s:o,s:o}}]}",
        "compare",
        "key", b64s(key), "target", "CREATE", "create_revision", etcd_u64_json(0),
        "result", "EQUAL",
        "key", b64s(lkey), "target", "CREATE", "create_revision", etcd_u64_json(create_rev),
        "result", "EQUAL",
        "key", b64s(lkey), "target", "LEASE", "lease", etcd_u64_json(lease), "result", "EQUAL",
        "success", "request_put", "key", b64s(key), "value", etcd_b64(block, size));
    if (body == NULL) return PETRO_ERR_NOMEM;
    uint64_t deadline = mono_ms() + 3u * o->cfg.etcd_timeout_ms;
    uint32_t backoff = 50;
    petro_result result = PETRO_ERR_UNAVAILABLE;
    for (;;) {
        json_t *resp;
        petro_result r = etcd_post(o->e_finalize, "/v3/kv/txn", body, &resp);
        if (r == PETRO_OK) {
            bool ok = json_is_true(json_object_get(resp, "succeeded"));
            json_decref(resp);
            if (ok) {
                result = PETRO_OK;
                break;
            }
            /* A compare failed: either the height is taken (maybe by our own earlier attempt)
             * or we are deposed. Settle by reading the key. */
        }
        uint8_t *have = NULL;
        size_t have_size = 0;
        petro_result rr = read_block_key(o, o->e_finalize, height, &have, &have_size);
        if (rr == PETRO_OK) {
            bool same = have_size == size && memcmp(have, block, size) == 0;
            free(have);
            result = same ? PETRO_OK : PETRO_ERR_UNAVAILABLE;
            if (!same) {
                log_warn("cluster: height %llu holds another block; dropping ours",
                         (unsigned long long)height);
            }
            break;
        }
        if (r == PETRO_OK && rr == PETRO_ERR_NOT_FOUND) {
            /* Key absent and the fence failed: we are no longer the leader. */
            step_down(o, "the fence of a block write failed");
            break;
        }
        if (mono_ms() >= deadline) {
            log_warn("cluster: block %llu not written to etcd (unreachable)",
                     (unsigned long long)height);
            break;
        }
        pthread_mutex_lock(&o->lock);
        bool still = o->is_leader && !o->is_closing;
        if (still) wait_ms_locked(o, backoff);
        pthread_mutex_unlock(&o->lock);
        if (!still) break;
        backoff = backoff < 400 ? backoff * 2 : backoff;
    }
    json_decref(body);
    set_etcd_ok(o, result == PETRO_OK || o->is_etcd_ok);
    if (result == PETRO_OK) {
        pthread_mutex_lock(&o->lock);
        if (height > o->known_tip) o->known_tip = height;
        pthread_mutex_unlock(&o->lock);
    }
    return result;
}

/* ------------------------------------------------------------ reader */

static void cache_put(etcd_ordering *o, uint64_t height, uint8_t *bytes, size_t size) {
    PETROD_ASSERT_HELD(&o->lock);
    PETROD_ASSERT(o->cache_count <= CACHE_MAX);
    if (height <= o->applied_height || o->cache_count == CACHE_MAX) {
        free(bytes);
        return;
    }
    for (size_t i = 0; i < o->cache_count; i++) {
        if (o->cache[i].height == height) {
            free(o->cache[i].bytes);
            o->cache[i].bytes = bytes;
            o->cache[i].size = size;
            return;
        }
    }
    o->cache[o->cache_count++] = (cached_block){.height = height, .bytes = bytes, .size = size};
}

static void cache_drop_upto(etcd_ordering *o, uint64_t height) {
    size_t k = 0;
    for (size_t i = 0; i < o->cache_count; i++) {
        if (o->cache[i].height <= height) {
            free(o->cache[i].bytes);
        } else {
            o->cache[k++] = o->cache[i];
        }
    }
    o->cache_count = k;
}

/* The height of block key k (P block/ then 20 digits; pfx_len: the length of P block/), or 0
 * if k is another key. */
static uint64_t height_of_key(const uint8_t *k, size_t ks, size_t pfx_len) {
    if (ks != pfx_len + 20) return 0;
    uint64_t h = 0;
    for (size_t j = pfx_len; j < ks; j++) {
        if (k[j] < '0' || k[j] > '9') return 0;
        h = h * 10u + (uint64_t)(k[j] - '0');
    }
    return h;
}

/* Range the block keys from height want on; returns how many were cached. *first is the
 * lowest height etcd returned (0 if none): above want means want was pruned. */
static petro_result read_blocks(etcd_ordering *o, etcd *e, uint64_t want, size_t *got,
                                uint64_t *first) {
    *got = 0;
    *first = 0;
    char key[256], pfx[256];
    block_key(key, sizeof key, o, want);
    key_of(pfx, sizeof pfx, o, "block/");
    json_t *body = json_pack("{s:o,s:o,s:i}", "key", b64s(key), "range_end", range_end_of(pfx),
                             "limit", RANGE_LIMIT);
    json_t *resp;
    petro_result r = body != NULL ? etcd_post(e, "/v3/kv/range", body, &resp) : PETRO_ERR_NOMEM;
    json_decref(body);
    if (r != PETRO_OK) return r;
    json_t *kvs = json_object_get(resp, "kvs");
    size_t pfx_len = strlen(pfx);
    pthread_mutex_lock(&o->lock);
    for (size_t i = 0; i < json_array_size(kvs); i++) {
        json_t *kv = json_array_get(kvs, i);
        uint8_t *k;
        size_t ks;
        if (etcd_unb64(json_object_get(kv, "key"), &k, &ks) != PETRO_OK) continue;
        uint64_t h = height_of_key(k, ks, pfx_len);
        free(k);
        if (*first == 0 || h < *first) *first = h;
        if (h > o->known_tip) o->known_tip = h;
        uint8_t *v;
        size_t vs;
        if (etcd_unb64(json_object_get(kv, "value"), &v, &vs) != PETRO_OK) continue;
        cache_put(o, h, v, vs);
        (*got)++;
    }
    if (o->refused_height == want && *got == 0) {
        log_info("cluster: the refused block %llu is gone from etcd", (unsigned long long)want);
        o->refused_height = 0;
        if (o->known_tip >= want) o->known_tip = want - 1;
        size_t k = 0;
        for (size_t i = 0; i < o->cache_count; i++) {
            if (o->cache[i].height >= want) {
                free(o->cache[i].bytes);
            } else {
                o->cache[k++] = o->cache[i];
            }
        }
        o->cache_count = k;
    }
    if (o->is_leader) o->has_read_as_leader = true;
    pthread_mutex_unlock(&o->lock);
    json_decref(resp);
    return PETRO_OK;
}

static json_t *attestation_json(const attestation *a) {
    char bh[65], sh[65], sig[129];
    petro_hex_encode(bh, a->block_hash.bytes, 32);
    petro_hex_encode(sh, a->state_hash.bytes, 32);
    petro_hex_encode(sig, a->sig.bytes, 64);
    return json_pack("{s:o,s:s,s:s,s:s}", "height", etcd_u64_json(a->height), "block_hash", bh,
                     "state_hash", sh, "signature", sig);
}

static bool attestation_parse(attestation *a, const json_t *o) {
    const char *bh = json_string_value(json_object_get(o, "block_hash"));
    const char *sh = json_string_value(json_object_get(o, "state_hash"));
    const char *sig = json_string_value(json_object_get(o, "signature"));
    if (bh == NULL || sh == NULL || sig == NULL) return false;
    a->height = etcd_u64(o, "height");
    return petro_hex_decode(a->block_hash.bytes, 32, bh, strlen(bh)) == PETRO_OK &&
           petro_hex_decode(a->state_hash.bytes, 32, sh, strlen(sh)) == PETRO_OK &&
           petro_hex_decode(a->sig.bytes, 64, sig, strlen(sig)) == PETRO_OK;
}

/* A put of attestation a at key (a txn request_put). */
static json_t *attestation_put(const char *key, const attestation *a) {
    json_t *aj = attestation_json(a);
    char *text = aj != NULL ? json_dumps(aj, JSON_COMPACT) : NULL;
    json_decref(aj);
    if (text == NULL) return NULL;
    json_t *op = json_pack("{s:{s:o,s:o}}", "request_put", "key", b64s(key), "value", b64s(text));
    free(text);
    return op;
}

/* One txn: the latest attestation at att/<self>, and each queued one at atth/<height>/<self>. */
static void publish_attestation(etcd_ordering *o, etcd *e) {
    pthread_mutex_lock(&o->lock);
    bool todo = o->has_mine && !o->is_mine_published;
    attestation a = o->mine;
    size_t n = o->att_queue_count;
    attestation queued[ATT_QUEUE_MAX];
    PETROD_ASSERT(n <= ATT_QUEUE_MAX);
    memcpy(queued, o->att_queue, n * sizeof queued[0]);
    pthread_mutex_unlock(&o->lock);
    if (!todo && n == 0) return;
    json_t *ops = json_array();
    char key[256], sub[96];
    snprintf(sub, sizeof sub, "att/%s", o->cfg.self);
    key_of(key, sizeof key, o, sub);
    if (ops != NULL) json_array_append_new(ops, attestation_put(key, &a));
    for (size_t i = 0; ops != NULL && i < n; i++) {
        snprintf(sub, sizeof sub, "atth/%020llu/%s", (unsigned long long)queued[i].height,
                 o->cfg.self);
        key_of(key, sizeof key, o, sub);
        json_array_append_new(ops, attestation_put(key, &queued[i]));
    }
    json_t *body = ops != NULL ? json_pack("{s:o}", "success", ops) : NULL;
    json_t *resp = NULL;
    if (body != NULL && etcd_post(e, "/v3/kv/txn", body, &resp) == PETRO_OK) {
        pthread_mutex_lock(&o->lock);
        if (o->mine.height == a.height) o->is_mine_published = true;
        size_t done = n <= o->att_queue_count ? n : o->att_queue_count;
        memmove(o->att_queue, o->att_queue + done,
                (o->att_queue_count - done) * sizeof o->att_queue[0]);
        o->att_queue_count -= done;
        pthread_mutex_unlock(&o->lock);
    }
    json_decref(body);
    json_decref(resp);
}

/* The index of the validator whose id ends key (after pfx_len bytes), or SIZE_MAX. */
static size_t validator_of_key(const etcd_ordering *o, const uint8_t *k, size_t ks,
                               size_t pfx_len) {
    for (size_t j = 0; j < o->cfg.validator_count; j++) {
        const char *id = o->cfg.validators[j].id;
        if (ks == pfx_len + strlen(id) && memcmp(k + pfx_len, id, strlen(id)) == 0) return j;
    }
    return SIZE_MAX;
}

typedef void (*attestation_cb)(void *ctx, size_t idx, const attestation *a);

/* Range over the etcd keys under pfx (P att/ or P atth/<height>/), each ending in a
 * validator id, and call cb for every attestation that parses, is signed by that validator's
 * key from the cluster file and, with is_exact_height, is at height. Others are skipped.
 * Returns PETRO_OK, or the error of the range request. */
static petro_result each_verified_attestation(etcd_ordering *o, etcd *e, const char *pfx,
                                              bool is_exact_height, uint64_t height,
                                              attestation_cb cb, void *ctx) {
    json_t *body = json_pack("{s:o,s:o}", "key", b64s(pfx), "range_end", range_end_of(pfx));
    json_t *resp = NULL;
    petro_result r = body != NULL ? etcd_post(e, "/v3/kv/range", body, &resp) : PETRO_ERR_NOMEM;
    json_decref(body);
    if (r != PETRO_OK) return r;
    json_t *kvs = json_object_get(resp, "kvs");
    for (size_t i = 0; i < json_array_size(kvs); i++) {
        json_t *kv = json_array_get(kvs, i);
        uint8_t *k = NULL, *v = NULL;
        size_t ks, vs;
        if (etcd_unb64(json_object_get(kv, "key"), &k, &ks) != PETRO_OK ||
            etcd_unb64(json_object_get(kv, "value"), &v, &vs) != PETRO_OK) {
            free(k);
            continue;
        }
        size_t idx = validator_of_key(o, k, ks, strlen(pfx));
        json_t *aj = json_loadb((const char *)v, vs, 0, NULL);
        attestation a;
        bool ok = idx != SIZE_MAX && aj != NULL && attestation_parse(&a, aj) &&
                  (!is_exact_height || a.height == height) &&
                  attest_verify(&a, &o->network_id, &o->cfg.validators[idx].pubkey);
        json_decref(aj);
        free(k);
        free(v);
        if (ok) cb(ctx, idx, &a);
    }
    json_decref(resp);
    return PETRO_OK;
}

typedef struct attestations_json_ctx {
    const etcd_ordering *o;
    json_t *out;
    const char *block_hash_hex;
    const char *state_hash_hex;
} attestations_json_ctx;

static void attestation_to_json(void *ctx, size_t idx, const attestation *a) {
    attestations_json_ctx *c = ctx;
    char bh[65], sh[65];
    petro_hex_encode(bh, a->block_hash.bytes, sizeof a->block_hash.bytes);
    petro_hex_encode(sh, a->state_hash.bytes, sizeof a->state_hash.bytes);
    bool agrees = strcmp(bh, c->block_hash_hex) == 0 && strcmp(sh, c->state_hash_hex) == 0;
    json_array_append_new(c->out, json_pack("{s:s,s:s,s:s,s:b}", "validator",
                                            c->o->cfg.validators[idx].id, "block_hash", bh,
                                            "state_hash", sh, "agrees", agrees));
}

static json_t *etcd_block_attestations_json(ordering *base, uint64_t height,
                                            const char *block_hash_hex,
                                            const char *state_hash_hex) {
    etcd_ordering *o = etcd_of(base);
    char pfx[256], sub[64];
    snprintf(sub, sizeof sub, "atth/%020llu/", (unsigned long long)height);
    key_of(pfx, sizeof pfx, o, sub);
    attestations_json_ctx c = {o, json_array(), block_hash_hex, state_hash_hex};
    if (c.out == NULL) return NULL;
    pthread_mutex_lock(&o->api_lock);
    if (o->e_api == NULL) o->e_api = etcd_new(o->cfg.etcd_endpoints, o->cfg.etcd_timeout_ms);
    petro_result r = o->e_api != NULL ? each_verified_attestation(o, o->e_api, pfx, true, height,
                                                                  attestation_to_json, &c)
                                      : PETRO_ERR_NOMEM;
    pthread_mutex_unlock(&o->api_lock);
    if (r != PETRO_OK) {
        json_decref(c.out);
        return NULL;
    }
    return c.out;
}

/* A verified attestation of validator idx: record it as the peer's latest and compare it with
 * our own state at that height. */
static void attestation_note(void *ctx, size_t idx, const attestation *a) {
    etcd_ordering *o = ctx;
    PETROD_ASSERT(idx < o->cfg.validator_count); /* each_verified_attestation resolved it */
    pthread_mutex_lock(&o->lock);
    peer_state *p = &o->peers[idx];
    p->has_attestation = true;
    p->latest = *a;
    size_t slot = (size_t)(a->height % RECENT_MAX);
    if (idx != o->self_index && o->recent_height[slot] == a->height && a->height > 0) {
        bool same = petro_hash_equal(&o->recent_state[slot], &a->state_hash) &&
                    petro_hash_equal(&o->recent_block[slot], &a->block_hash);
        if (!same && (!p->is_diverged || p->diverged_height != a->height)) {
            o->counters.divergences_total++;
            log_error("cluster: DIVERGENCE: validator %s attests height %llu with another "
                      "block or state hash than this node",
                      o->cfg.validators[idx].id, (unsigned long long)a->height);
            p->diverged_height = a->height;
        }
        p->is_diverged = !same;
    }
    pthread_mutex_unlock(&o->lock);
}

/* Read every validator's latest attestation (P att/<id>), verify it, compare with our own
 * state at that height. */
static void read_attestations(etcd_ordering *o, etcd *e) {
    char pfx[256];
    key_of(pfx, sizeof pfx, o, "att/");
    (void)each_verified_attestation(o, e, pfx, false, 0, attestation_note, o);
}

/* Leader: delete the block keys every validator applied (or older than retain_blocks), then
 * compact etcd's history up to that delete. */
static void prune(etcd_ordering *o, etcd *e) {
    pthread_mutex_lock(&o->lock);
    uint64_t min_att = UINT64_MAX;
    for (size_t i = 0; i < o->cfg.validator_count; i++) {
        uint64_t h = o->peers[i].has_attestation ? o->peers[i].latest.height : 0;
        if (h < min_att) min_att = h;
    }
    uint64_t tip = o->known_tip;
    pthread_mutex_unlock(&o->lock);
    uint64_t below = min_att > PRUNE_MARGIN ? min_att - PRUNE_MARGIN : 0;
    if (tip > o->cfg.retain_blocks && tip - o->cfg.retain_blocks > below) {
        below = tip - o->cfg.retain_blocks;
    }
    if (below <= 1) return;
    char from[256], to[256], sub[64];
    snprintf(sub, sizeof sub, "atth/%020llu/", 0ull);
    key_of(from, sizeof from, o, sub);
    snprintf(sub, sizeof sub, "atth/%020llu/", (unsigned long long)below);
    key_of(to, sizeof to, o, sub);
    json_t *abody = json_pack("{s:o,s:o}", "key", b64s(from), "range_end", b64s(to));
    json_t *aresp = NULL;
    if (abody != NULL) (void)etcd_post(e, "/v3/kv/deleterange", abody, &aresp);
    json_decref(abody);
    json_decref(aresp);
    block_key(from, sizeof from, o, 0);
    block_key(to, sizeof to, o, below);
    json_t *body = json_pack("{s:o,s:o}", "key", b64s(from), "range_end", b64s(to));
    json_t *resp;
    petro_result r =
        body != NULL ? etcd_post(e, "/v3/kv/deleterange", body, &resp) : PETRO_ERR_NOMEM;
    json_decref(body);
    if (r != PETRO_OK) return;
    uint64_t deleted = etcd_u64(resp, "deleted");
    uint64_t rev = etcd_u64(json_object_get(resp, "header"), "revision");
    json_decref(resp);
    if (deleted == 0) return;
    body = json_pack("{s:o}", "revision", etcd_u64_json(rev));
    if (body != NULL && etcd_post(e, "/v3/kv/compaction", body, &resp) == PETRO_OK) {
        json_decref(resp);
    }
    json_decref(body);
    log_info("cluster: pruned %llu blocks below %llu from etcd, compacted at revision %llu",
             (unsigned long long)deleted, (unsigned long long)below, (unsigned long long)rev);
}

typedef struct peer_buf {
    uint8_t *data;
    size_t size;
} peer_buf;

static size_t peer_data(char *ptr, size_t size, size_t nmemb, void *ctx) {
    peer_buf *b = ctx;
    size_t n = size * nmemb;
    if (b->size + n > ((size_t)16 << 20)) return 0;
    uint8_t *d = realloc(b->data, b->size + n);
    if (d == NULL) return 0;
    memcpy(d + b->size, ptr, n);
    b->data = d;
    b->size += n;
    return n;
}

/* Attestations needed to accept blocks from a peer: f+1, where f = (N-1)/3 is the number of
 * faulty validators a cluster of N tolerates; f+1 attesters include at least one honest one.
 * They come from validators other than this node and the serving peer (docs/protocol.md,
 * "Catching up from a peer"). */
static size_t peer_quorum(const etcd_ordering *o) { return (o->cfg.validator_count - 1) / 3 + 1; }

typedef struct height_attestations_ctx {
    attestation *att;
    bool *has;
    size_t count;
} height_attestations_ctx;

static void attestation_collect(void *ctx, size_t idx, const attestation *a) {
    height_attestations_ctx *c = ctx;
    if (c->has[idx]) return; /* one per validator */
    c->att[idx] = *a;
    c->has[idx] = true;
    c->count++;
}

/* The verified per-block attestations at height (P atth/<height>/<id>): has[i] and att[i]
 * for validator i. Returns how many verified, or SIZE_MAX if etcd does not answer. */
static size_t read_height_attestations(etcd_ordering *o, etcd *e, uint64_t height,
                                       attestation att[ORDERING_VALIDATOR_COUNT_MAX],
                                       bool has[ORDERING_VALIDATOR_COUNT_MAX]) {
    memset(has, 0, ORDERING_VALIDATOR_COUNT_MAX * sizeof has[0]);
    char pfx[256], sub[64];
    snprintf(sub, sizeof sub, "atth/%020llu/", (unsigned long long)height);
    key_of(pfx, sizeof pfx, o, sub);
    height_attestations_ctx c = {att, has, 0};
    if (each_verified_attestation(o, e, pfx, true, height, attestation_collect, &c) != PETRO_OK) {
        return SIZE_MAX;
    }
    return c.count;
}

/* GET <api>/v1/blocks?from=&limit= into *b (caller frees b->data). Whether it answered 200. */
static bool peer_get(CURL *c, const char *api, uint64_t from, uint64_t limit, peer_buf *b) {
    *b = (peer_buf){0};
    char url[ORDERING_ADDR_SIZE_MAX + 64];
    snprintf(url, sizeof url, "%s/v1/blocks?from=%llu&limit=%llu", api, (unsigned long long)from,
             (unsigned long long)limit);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, peer_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 500L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status == 200;
}

/* The next framed block (u32 LE size + block) of a peer's answer at *off, with its decoded
 * header and hash. False at the end or on bad framing or a bad header. */
static bool peer_next(const peer_buf *b, size_t *off, const uint8_t **blk, size_t *size,
                      petro_block_header *hdr, petro_hash *hash) {
    if (b->size - *off < 4) return false;
    const uint8_t *p = b->data + *off;
    size_t n = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
    if (n > b->size - *off - 4 || n < PETRO_BLOCK_HEADER_SIZE) return false;
    if (petro_block_header_decode(hdr, p + 4, PETRO_BLOCK_HEADER_SIZE) != PETRO_OK) return false;
    petro_block_hash(hash, hdr);
    *blk = p + 4;
    *size = n;
    *off += 4 + n;
    return true;
}

static uint64_t plan_mark_height(const catchup_plan *p, size_t j) {
    uint64_t h = p->base + (uint64_t)j * PEER_MARK_EVERY + (PEER_MARK_EVERY - 1u);
    return h < p->anchor ? h : p->anchor;
}

static void plan_clear(catchup_plan *p) {
    free(p->marks);
    *p = (catchup_plan){0};
}

/* Count and log a refused peer chain once (status "peer_refused", metric
 * petro_cluster_peer_blocks_refused_total). */
static void peer_refuse(etcd_ordering *o, size_t k, uint64_t base, uint64_t height,
                        const char *reason, const char *detail) {
    PETROD_ASSERT(k < o->cfg.validator_count);
    PETROD_ASSERT(reason != NULL);
    pthread_mutex_lock(&o->lock);
    bool is_new = !o->has_peer_refused || o->peer_refused_index != k ||
                  o->peer_refused_height != height || strcmp(o->peer_refused_reason, reason) != 0;
    o->has_peer_refused = true;
    o->peer_refused_index = k;
    o->peer_refused_height = height;
    o->peer_refused_reason = reason;
    if (is_new) o->counters.peer_blocks_refused_total++;
    pthread_mutex_unlock(&o->lock);
    if (is_new) {
        log_error("cluster: REFUSED the blocks from %llu served by peer %s (%s at height %llu: "
                  "%s); none applied, asking the other validators",
                  (unsigned long long)base, o->cfg.validators[k].id, reason,
                  (unsigned long long)height, detail);
    }
}

/* Verify peer k's chain base..anchor: exact heights, each block's prev_hash the hash of the one
 * before, and the block at anchor attested (block and state hash) by peer_quorum validators
 * other than this node and k. Fills plan (marks) on success. */
static bool plan_verify(etcd_ordering *o, CURL *c, size_t k, const attestation *att,
                        const bool *has, catchup_plan *plan) {
    petro_hash prev = {{0}};
    petro_block_header top = {0};
    uint64_t h = plan->base;
    size_t j = 0;
    while (h <= plan->anchor) {
        uint64_t left = plan->anchor - h + 1;
        uint64_t limit = left < PEER_BATCH_MAX ? left : PEER_BATCH_MAX;
        peer_buf b;
        bool ok = peer_get(c, o->cfg.validators[k].api, h, limit, &b);
        size_t off = 0, n;
        const uint8_t *blk;
        petro_block_header hdr;
        petro_hash hash;
        uint64_t start = h;
        while (ok && h <= plan->anchor && peer_next(&b, &off, &blk, &n, &hdr, &hash)) {
            if (hdr.height != h || (h > plan->base && !petro_hash_equal(&hdr.prev_hash, &prev))) {
                free(b.data);
                peer_refuse(o, k, plan->base, h, "broken_chain",
                            "the height or previous hash does not follow the block before");
                return false;
            }
            prev = hash;
            if (h == plan_mark_height(plan, j)) {
                PETROD_ASSERT(j < plan->mark_count); /* plan_make counted the marks to anchor */
                plan->marks[j++] = hash;
            }
            if (h == plan->anchor) top = hdr;
            h++;
        }
        free(b.data);
        if (h == start) return false; /* unreachable, or it does not have the blocks */
    }
    if (j != plan->mark_count || top.height != plan->anchor) return false; /* cannot happen */
    const petro_hash *hash = &plan->marks[plan->mark_count - 1];
    size_t agree = 0, other = 0;
    for (size_t i = 0; i < o->cfg.validator_count; i++) {
        if (i == o->self_index || i == k || !has[i]) continue;
        other++;
        if (petro_hash_equal(&att[i].block_hash, hash) &&
            petro_hash_equal(&att[i].state_hash, &top.state_hash)) {
            agree++;
        }
    }
    if (agree >= peer_quorum(o)) return true;
    char detail[160];
    snprintf(detail, sizeof detail, "%zu of the %zu other validators' attestations of that height "
             "name its block and state hash; %zu needed", agree, other, peer_quorum(o));
    if (other >= peer_quorum(o)) {
        peer_refuse(o, k, plan->base, plan->anchor, "not_attested", detail);
    }
    return false;
}

/* Make a catch-up plan for want..first (first: the lowest block left in etcd): read the
 * attestations of block first, then verify each peer's chain against them until one holds. */
static bool plan_make(etcd_ordering *o, etcd *e, CURL *c, uint64_t want, uint64_t first) {
    if (first - want > PEER_GAP_MAX) {
        if (o->logged_anchor != first) {
            log_error("cluster: this node is %llu blocks behind etcd's oldest block; too far to "
                      "catch up from peers (restore a recent backup of the ledger)",
                      (unsigned long long)(first - want));
        }
        o->logged_anchor = first;
        return false;
    }
    attestation att[ORDERING_VALIDATOR_COUNT_MAX];
    bool has[ORDERING_VALIDATOR_COUNT_MAX];
    size_t count = read_height_attestations(o, e, first, att, has);
    if (count == SIZE_MAX) return false;
    catchup_plan plan = {.base = want, .anchor = first};
    plan.mark_count = (size_t)((first - want) / PEER_MARK_EVERY) + 1u;
    plan.marks = calloc(plan.mark_count, sizeof plan.marks[0]);
    if (plan.marks == NULL) return false;
    size_t others = count - (has[o->self_index] ? 1u : 0u);
    if (others < peer_quorum(o)) {
        if (o->logged_anchor != first) {
            log_warn("cluster: blocks from %llu were pruned from etcd; waiting for %zu validators "
                     "to attest block %llu before fetching them from a peer (%zu have)",
                     (unsigned long long)want, peer_quorum(o), (unsigned long long)first, others);
            o->logged_anchor = first;
        }
        plan_clear(&plan);
        return false;
    }
    for (size_t k = 0; k < o->cfg.validator_count; k++) {
        if (k == o->self_index) continue;
        if (plan_verify(o, c, k, att, has, &plan)) {
            plan.peer = k;
            o->plan = plan;
            log_info("cluster: blocks %llu..%llu were pruned from etcd; the chain of %s hangs "
                     "from block %llu, attested by at least %zu validator(s) other than it and "
                     "this node",
                     (unsigned long long)want, (unsigned long long)first,
                     o->cfg.validators[k].id, (unsigned long long)first, peer_quorum(o));
            return true;
        }
    }
    plan_clear(&plan);
    return false;
}

/* Fetch want..(the next mark) from a peer and cache it if its hash chain ends on the mark's
 * verified hash. Returns how many were cached. */
static size_t fetch_planned(etcd_ordering *o, CURL *c, uint64_t want) {
    const catchup_plan *p = &o->plan;
    size_t j = (size_t)((want - p->base) / PEER_MARK_EVERY);
    uint64_t mark = plan_mark_height(p, j);
    size_t got = 0;
    for (size_t t = 0; t < o->cfg.validator_count && got == 0; t++) {
        size_t k = (p->peer + t) % o->cfg.validator_count;
        if (k == o->self_index) continue;
        peer_buf b;
        bool is_answered = peer_get(c, o->cfg.validators[k].api, want, mark - want + 1, &b);
        bool is_linked = true;
        const uint8_t *blks[PEER_MARK_EVERY];
        size_t sizes[PEER_MARK_EVERY];
        petro_block_header hdr;
        petro_hash hash, prev = {{0}};
        size_t off = 0, n = 0;
        uint64_t h = want;
        while (is_answered && is_linked && h <= mark &&
               peer_next(&b, &off, &blks[n], &sizes[n], &hdr, &hash)) {
            is_linked = hdr.height == h && (h == want || petro_hash_equal(&hdr.prev_hash, &prev));
            prev = hash;
            n++;
            h++;
        }
        bool is_whole = is_linked && h == mark + 1;
        if (is_whole && petro_hash_equal(&prev, &p->marks[j])) {
            pthread_mutex_lock(&o->lock);
            for (size_t i = 0; i < n; i++) {
                uint8_t *copy = malloc(sizes[i]);
                if (copy == NULL) break;
                memcpy(copy, blks[i], sizes[i]);
                cache_put(o, want + i, copy, sizes[i]);
                got++;
            }
            pthread_mutex_unlock(&o->lock);
            log_info("cluster: blocks from %llu were pruned from etcd; fetched %zu from %s "
                     "(hash chain to the attested block %llu)", (unsigned long long)want, got,
                     o->cfg.validators[k].id, (unsigned long long)p->anchor);
        } else if (!is_linked || is_whole) { /* not a short answer: another chain */
            peer_refuse(o, k, want, h - 1, "broken_chain",
                        "its blocks do not hash to the verified chain");
        }
        free(b.data);
    }
    return got;
}

/* Blocks from want on were pruned from etcd (first: the lowest height etcd still holds):
 * fetch them from a peer's GET /v1/blocks?from=, but only along a chain whose block at first
 * carries f+1 attestations of validators other than this node and the peer (plan_make).
 * They are then verified like any block when the node applies them. Returns how many were
 * cached. */
static size_t fetch_from_peers(etcd_ordering *o, etcd *e, uint64_t want, uint64_t first) {
    if (o->plan.base != 0 && (want < o->plan.base || want > o->plan.anchor)) plan_clear(&o->plan);
    if (o->plan.base == 0 && mono_ms() < o->peer_retry_ms) return 0;
    CURL *c = curl_easy_init();
    if (c == NULL) return 0;
    size_t got = 0;
    if (o->plan.base != 0 || plan_make(o, e, c, want, first)) got = fetch_planned(o, c, want);
    curl_easy_cleanup(c);
    if (got == 0) {
        plan_clear(&o->plan);
        o->peer_retry_ms = mono_ms() + PEER_RETRY_MS;
    }
    return got;
}

/* ------------------------------------------------------------ watch */

/* One watch stream of the watch thread (watch_main). */
typedef struct watch_stream {
    etcd_ordering *o;
    size_t pfx_len;      /* length of P block/ */
    uint64_t start_rev;  /* the stream reports every change from this revision on */
    uint64_t top;        /* the highest block key when the stream was asked for */
    uint64_t created_by; /* mono_ms deadline for etcd to confirm the watch */
    bool is_created;
    bool is_restart;     /* not the first stream of this process */
} watch_stream;

/* Whether the stream should end: closing, this node became the leader, the reader found it
 * stale, or etcd has not confirmed it in time (a member that accepts connections but does not
 * answer). */
static bool watch_should_stop(void *ctx) {
    watch_stream *w = ctx;
    etcd_ordering *o = w->o;
    pthread_mutex_lock(&o->lock);
    bool stop = o->is_closing || o->is_leader || o->is_watch_stale;
    pthread_mutex_unlock(&o->lock);
    return stop || (!w->is_created && mono_ms() >= w->created_by);
}

/* etcd confirmed the watch: from now on it announces every block write. Ring the reader once,
 * for blocks written between its last read and the stream's start revision. */
static void watch_created(watch_stream *w) {
    etcd_ordering *o = w->o;
    w->is_created = true;
    pthread_mutex_lock(&o->lock);
    o->is_watching = true;
    o->counters.is_watching = true;
    if (w->is_restart) o->counters.watch_restarts_total++;
    if (w->top > o->watch_tip) o->watch_tip = w->top;
    o->is_watch_rung = true;
    pthread_cond_broadcast(&o->cond);
    pthread_mutex_unlock(&o->lock);
    if (w->is_restart) {
        log_info("cluster: watching etcd for new blocks again (from revision %llu)",
                 (unsigned long long)w->start_rev);
    } else {
        log_info("cluster: watching etcd for new blocks (from revision %llu); polling only every "
                 "%u ms as a safety net", (unsigned long long)w->start_rev,
                 READER_WATCHED_IDLE_MS);
    }
}

/* One message of the watch stream (a WatchResponse). Returns false to end the stream. */
static bool watch_on_response(void *ctx, const json_t *resp) {
    watch_stream *w = ctx;
    etcd_ordering *o = w->o;
    if (json_is_true(json_object_get(resp, "canceled"))) {
        uint64_t compacted = etcd_u64(resp, "compact_revision");
        const char *why = json_string_value(json_object_get(resp, "cancel_reason"));
        if (compacted != 0) {
            log_warn("cluster: etcd canceled the watch on the block keys: revision %llu is "
                     "compacted; opening a new one", (unsigned long long)compacted);
        } else {
            log_warn("cluster: etcd canceled the watch on the block keys: %s; opening a new one",
                     why != NULL ? why : "no reason given");
        }
        return false;
    }
    if (!w->is_created && json_is_true(json_object_get(resp, "created"))) watch_created(w);
    const json_t *events = json_object_get(resp, "events");
    uint64_t top = 0;
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(events); i++) {
        const json_t *ev = json_array_get(events, i);
        const char *type = json_string_value(json_object_get(ev, "type"));
        if (type != NULL && strcmp(type, "PUT") != 0) continue; /* PUT is the omitted default */
        uint8_t *k;
        size_t ks;
        if (etcd_unb64(json_object_get(json_object_get(ev, "kv"), "key"), &k, &ks) != PETRO_OK) {
            continue;
        }
        uint64_t h = height_of_key(k, ks, w->pfx_len);
        free(k);
        if (h == 0) continue;
        n++;
        if (h > top) top = h;
    }
    if (n == 0) return true;
    pthread_mutex_lock(&o->lock);
    o->counters.watch_events_total += n;
    if (top > o->watch_tip) o->watch_tip = top;
    if (top > o->applied_height) {
        o->is_watch_rung = true;
        pthread_cond_broadcast(&o->cond);
    }
    pthread_mutex_unlock(&o->lock);
    return true;
}

/* The current revision of etcd and the highest block key at it (a keys-only range of one key,
 * the last): a stream from revision + 1 misses no block written after that key. */
static petro_result watch_position(etcd *e, const char *pfx, watch_stream *w) {
    json_t *body = json_pack("{s:o,s:o,s:i,s:s,s:s,s:b}", "key", b64s(pfx), "range_end",
                             range_end_of(pfx), "limit", 1, "sort_order", "DESCEND",
                             "sort_target", "KEY", "keys_only", 1);
    json_t *resp;
    petro_result r = body != NULL ? etcd_post(e, "/v3/kv/range", body, &resp) : PETRO_ERR_NOMEM;
    json_decref(body);
    if (r != PETRO_OK) return r;
    w->start_rev = etcd_u64(json_object_get(resp, "header"), "revision") + 1u;
    json_t *kv = json_array_get(json_object_get(resp, "kvs"), 0);
    uint8_t *k = NULL;
    size_t ks = 0;
    if (kv != NULL && etcd_unb64(json_object_get(kv, "key"), &k, &ks) == PETRO_OK) {
        w->top = height_of_key(k, ks, w->pfx_len);
    }
    free(k);
    json_decref(resp);
    return w->start_rev > 1u ? PETRO_OK : PETRO_ERR_MALFORMED;
}

/* Ask for a watch of the block keys from w->start_rev (deletions filtered out: pruning) and
 * hold the stream until it ends. */
static petro_result watch_hold(etcd *e, const char *pfx, watch_stream *w, uint32_t timeout_ms) {
    json_t *body = json_pack("{s:{s:o,s:o,s:o,s:[s]}}", "create_request", "key", b64s(pfx),
                             "range_end", range_end_of(pfx), "start_revision",
                             etcd_u64_json(w->start_rev), "filters", "NODELETE");
    if (body == NULL) return PETRO_ERR_NOMEM;
    w->created_by = mono_ms() + timeout_ms;
    petro_result r = etcd_stream(e, "/v3/watch", body, watch_on_response, watch_should_stop, w);
    json_decref(body);
    return r;
}

static void *watch_main(void *arg) {
    etcd_ordering *o = arg;
    etcd *e = etcd_new(o->cfg.etcd_endpoints, o->cfg.etcd_timeout_ms);
    char pfx[256];
    key_of(pfx, sizeof pfx, o, "block/");
    uint32_t backoff = WATCH_BACKOFF_MIN_MS;
    bool has_watched = false;
    pthread_mutex_lock(&o->lock);
    /* One stream per round, until the node closes; a round that fails waits backoff. */
    while (e != NULL && !o->is_closing) {
        if (o->is_leader) {
            /* The leader writes the blocks itself: it needs no doorbell (and would only parse
             * its own blocks again). A deposed leader opens a stream within this wait. */
            wait_ms_locked(o, READER_WATCHED_IDLE_MS);
            continue;
        }
        o->is_watch_stale = false;
        pthread_mutex_unlock(&o->lock);
        watch_stream w = {.o = o, .pfx_len = strlen(pfx), .is_restart = has_watched};
        uint64_t opened = mono_ms();
        petro_result r = watch_position(e, pfx, &w);
        if (r == PETRO_OK) r = watch_hold(e, pfx, &w, o->cfg.etcd_timeout_ms);
        pthread_mutex_lock(&o->lock);
        bool was_watching = o->is_watching;
        o->is_watching = false;
        o->counters.is_watching = false;
        if (o->is_closing) break;
        has_watched = has_watched || w.is_created;
        if (was_watching && r != PETRO_OK) { /* the other ends were logged where they happened */
            log_warn("cluster: the etcd watch on the block keys broke (%s); reading etcd every "
                     "%u ms until it is back", petro_result_name(r), READER_IDLE_MS);
        }
        if (o->is_leader || mono_ms() - opened >= WATCH_HEALTHY_MS) {
            backoff = WATCH_BACKOFF_MIN_MS;
        }
        wait_ms_locked(o, backoff);
        backoff = backoff < WATCH_BACKOFF_MAX_MS / 2u ? backoff * 2u : WATCH_BACKOFF_MAX_MS;
    }
    pthread_mutex_unlock(&o->lock);
    etcd_free(e);
    return NULL;
}

/* Under o->lock, after a read: a block the reader found above what the stream announced must
 * be announced within WATCH_STALE_MS, else the stream is stale (a member that stopped sending
 * but keeps the connection): ask the watch thread for a new one. *pending is the block waited
 * for (0: none), *since when the reader found it. */
static void watch_check(etcd_ordering *o, uint64_t *pending, uint64_t *since, uint64_t now) {
    PETROD_ASSERT_HELD(&o->lock);
    if (!o->is_watching || o->known_tip <= o->watch_tip) {
        *pending = 0;
    } else if (*pending == 0 || *pending <= o->watch_tip) {
        *pending = o->known_tip;
        *since = now;
    } else if (now - *since >= WATCH_STALE_MS && !o->is_watch_stale) {
        log_warn("cluster: the etcd watch did not announce block %llu within %u ms; opening a "
                 "new one", (unsigned long long)*pending, WATCH_STALE_MS);
        o->is_watch_stale = true;
        *pending = 0;
    }
}

static void *reader_main(void *arg) {
    etcd_ordering *o = arg;
    etcd *e = etcd_new(o->cfg.etcd_endpoints, o->cfg.etcd_timeout_ms);
    uint64_t last_prune = mono_ms();
    uint64_t last_att_read = 0;
    uint64_t unannounced = 0; /* watch_check */
    uint64_t unannounced_since = 0;
    pthread_mutex_lock(&o->lock);
    while (e != NULL && !o->is_closing) {
        o->is_watch_rung = false; /* a ring from now on is for what this round may miss */
        uint64_t want = o->applied_height + 1;
        bool has_tip = o->has_mine; /* the node told its tip: want is real */
        bool has_want = false;
        for (size_t i = 0; i < o->cache_count; i++) {
            if (o->cache[i].height == want && want != o->refused_height) has_want = true;
        }
        bool is_leader = o->is_leader;
        pthread_mutex_unlock(&o->lock);
        size_t got = 0;
        uint64_t first = 0;
        petro_result r = PETRO_OK;
        if (!has_want) r = read_blocks(o, e, want, &got, &first);
        if (r == PETRO_OK && has_tip && first > want) got += fetch_from_peers(o, e, want, first);
        if (got > 0) do_wake(o);
        publish_attestation(o, e);
        uint64_t now = mono_ms();
        if (now - last_att_read >= 200u) {
            read_attestations(o, e);
            last_att_read = now;
        }
        if (is_leader && now - last_prune >= PRUNE_EVERY_MS) {
            prune(o, e);
            last_prune = now;
        }
        pthread_mutex_lock(&o->lock);
        if (r != PETRO_OK) o->counters.etcd_failures_total++;
        watch_check(o, &unannounced, &unannounced_since, now);
        /* A leader writes the blocks itself; a follower is rung by the watch stream, or polls
         * fast while it is down or etcd fails. */
        bool may_idle_long = (o->is_watching || o->is_leader) && r == PETRO_OK;
        uint32_t idle = may_idle_long ? READER_WATCHED_IDLE_MS : READER_IDLE_MS;
        if (!o->is_closing && (got == 0 || has_want) && !o->is_watch_rung) wait_ms_locked(o, idle);
    }
    pthread_mutex_unlock(&o->lock);
    plan_clear(&o->plan);
    etcd_free(e);
    return NULL;
}

/* ------------------------------------------------------------ forwarder */


#define FORWARD_RETRY_ROUNDS 20u /* rounds of 200 ms for envelopes the leader could not take */

/* Whether a rejection by the leader may go away by itself (retry the envelope). */
static bool is_transient_reject(const char *error) {
    return strcmp(error, "unavailable") == 0 || strcmp(error, "mempool_full") == 0 ||
           strcmp(error, "bad_sequence") == 0; /* a predecessor that was refused as unavailable */
}

/* The envelopes of a forwarded batch to send again: all of them if the request failed, else
 * those the leader rejected for a transient reason. Appended to *retry (u32 size + envelope). */
static void collect_retry(const uint8_t *buf, size_t size, const peer_buf *answer, bool is_failed,
                          uint8_t **retry, size_t *retry_size) {
    json_t *rej = NULL;
    json_t *doc = NULL;
    if (!is_failed) {
        doc = answer->data != NULL ? json_loadb((const char *)answer->data, answer->size, 0, NULL)
                                   : NULL;
        rej = json_object_get(doc, "rejected");
        if (json_array_size(rej) == 0) {
            json_decref(doc);
            return;
        }
    }
    size_t off = 0, index = 0;
    while (size - off >= 4) {
        size_t n = (size_t)buf[off] | (size_t)buf[off + 1] << 8 | (size_t)buf[off + 2] << 16 |
                   (size_t)buf[off + 3] << 24;
        bool again = is_failed;
        for (size_t k = 0; !again && k < json_array_size(rej); k++) {
            json_t *e = json_array_get(rej, k);
            const char *err = json_string_value(json_object_get(e, "error"));
            again = json_integer_value(json_object_get(e, "index")) == (json_int_t)index &&
                    err != NULL && is_transient_reject(err);
        }
        if (again) {
            uint8_t *grown = realloc(*retry, *retry_size + 4 + n);
            if (grown != NULL) {
                memcpy(grown + *retry_size, buf + off, 4 + n);
                *retry = grown;
                *retry_size += 4 + n;
            }
        }
        off += 4 + n;
        index++;
    }
    /* Refusals that retrying will not change (duplicate_tx: the leader has it already). */
    size_t refused = 0;
    const char *first = NULL;
    for (size_t k = 0; k < json_array_size(rej); k++) {
        const char *err = json_string_value(json_object_get(json_array_get(rej, k), "error"));
        if (err != NULL && !is_transient_reject(err) && strcmp(err, "duplicate_tx") != 0) {
            if (refused++ == 0) first = err;
        }
    }
    if (refused > 0) {
        log_warn("cluster: the leader refused %zu forwarded submissions (first: %s); they stay "
                 "pending here and are forwarded again while no block includes them",
                 refused, first);
    }
    json_decref(doc);
}

static void *forward_main(void *arg) {
    etcd_ordering *o = arg;
    unsigned retry_round = 0;
    CURL *c = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/octet-stream");
    pthread_mutex_lock(&o->lock);
    while (c != NULL && hdr != NULL && !o->is_closing) {
        if (o->fwd_size == 0 || !o->has_leader) {
            if (o->is_leader) o->fwd_size = 0;
            wait_ms_locked(o, 20);
            continue;
        }
        if (o->is_leader) {
            o->fwd_size = 0; /* they are in our own mempool */
            continue;
        }
        uint8_t *buf = o->fwd;
        size_t size = o->fwd_size;
        o->fwd = NULL;
        o->fwd_size = o->fwd_cap = 0;
        char url[ORDERING_ADDR_SIZE_MAX + 32];
        snprintf(url, sizeof url, "%s/v1/transactions/batch", o->leader_api);
        pthread_mutex_unlock(&o->lock);
        petro_result r = PETRO_ERR_UNAVAILABLE;
        peer_buf answer = {0};
        for (int attempt = 0; attempt < 3 && r != PETRO_OK; attempt++) {
            free(answer.data);
            answer = (peer_buf){0};
            curl_easy_reset(c);
            curl_easy_setopt(c, CURLOPT_URL, url);
            curl_easy_setopt(c, CURLOPT_POST, 1L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, buf);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)size);
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, peer_data);
            curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
            curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
            curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 500L);
            curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
            long status = 0;
            if (curl_easy_perform(c) == CURLE_OK) {
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
                if (status == 200) r = PETRO_OK;
            }
        }
        uint8_t *retry = NULL;
        size_t retry_size = 0;
        collect_retry(buf, size, &answer, r != PETRO_OK, &retry, &retry_size);
        free(answer.data);
        free(buf);
        pthread_mutex_lock(&o->lock);
        if (retry_size > 0 && retry_round < FORWARD_RETRY_ROUNDS &&
            retry_size + o->fwd_size <= FORWARD_BYTES_MAX) {
            /* Put them back in front, in order, and give the leader a moment. */
            uint8_t *joined = realloc(retry, retry_size + o->fwd_size);
            if (joined != NULL) {
                if (o->fwd_size > 0) memcpy(joined + retry_size, o->fwd, o->fwd_size);
                free(o->fwd);
                o->fwd = joined;
                o->fwd_size = o->fwd_cap = retry_size + o->fwd_size;
                retry = NULL;
            }
            retry_round++;
            if (!o->is_closing) wait_ms_locked(o, 200);
        } else if (retry_size > 0) {
            log_warn("cluster: the leader at %s did not take %zu bytes of forwarded submissions; "
                     "they stay pending here and are forwarded again while no block includes them",
                     url, retry_size);
            retry_round = 0;
        } else {
            retry_round = 0;
        }
        free(retry);
    }
    pthread_mutex_unlock(&o->lock);
    curl_slist_free_all(hdr);
    if (c != NULL) curl_easy_cleanup(c);
    return NULL;
}

static void etcd_forward(ordering *base, const uint8_t *tx, size_t size) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    if (!o->is_leader && o->fwd_size + 4 + size <= FORWARD_BYTES_MAX) {
        if (o->fwd_size + 4 + size > o->fwd_cap) {
            size_t cap = o->fwd_cap == 0 ? 65536 : o->fwd_cap * 2;
            while (cap < o->fwd_size + 4 + size) cap *= 2;
            uint8_t *b = realloc(o->fwd, cap);
            if (b == NULL) {
                pthread_mutex_unlock(&o->lock);
                return;
            }
            o->fwd = b;
            o->fwd_cap = cap;
        }
        PETROD_ASSERT(o->fwd_size + 4 + size <= o->fwd_cap);
        uint8_t *p = o->fwd + o->fwd_size;
        p[0] = (uint8_t)size;
        p[1] = (uint8_t)(size >> 8);
        p[2] = (uint8_t)(size >> 16);
        p[3] = (uint8_t)(size >> 24);
        memcpy(p + 4, tx, size);
        o->fwd_size += 4 + size;
        o->is_fwd_full = false;
    } else if (!o->is_leader && !o->is_fwd_full) {
        o->is_fwd_full = true;
        log_warn("cluster: the queue of submissions to forward to the leader is full (%zu bytes); "
                 "new ones stay pending here and are forwarded again while no block includes them",
                 o->fwd_size);
    }
    pthread_mutex_unlock(&o->lock);
}

/* ------------------------------------------------------------ node side */

static void etcd_close(ordering *base);

petro_result ordering_open(ordering **out, const ordering_config *cfg,
                           const petro_hash *network_id) {
    /* ordering_config_load checked these; a config built otherwise must too. */
    PETROD_ASSERT(cfg->validator_count > 0);
    PETROD_ASSERT(cfg->validator_count <= ORDERING_VALIDATOR_COUNT_MAX);
    *out = NULL;
    etcd_ordering *o = calloc(1, sizeof *o);
    if (o == NULL) return PETRO_ERR_NOMEM;
    o->base.ops = &etcd_ops;
    o->cfg = *cfg;
    o->network_id = *network_id;
    for (size_t i = 0; i < cfg->validator_count; i++) {
        if (strcmp(cfg->validators[i].id, cfg->self) == 0) o->self_index = i;
    }
    PETROD_ASSERT(strcmp(cfg->validators[o->self_index].id, cfg->self) == 0);
    petro_result r = attest_key_load(cfg->key_file, &o->pk, &o->sk);
    if (r != PETRO_OK) {
        free(o);
        return r;
    }
    if (!petro_pubkey_equal(&o->pk, &cfg->validators[o->self_index].pubkey)) {
        log_error("the validator key %s is not the key listed for %s", cfg->key_file, cfg->self);
        free(o);
        return PETRO_ERR_MALFORMED;
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&o->lock, NULL);
    pthread_mutex_init(&o->api_lock, NULL);
    pthread_cond_init(&o->cond, &attr);
    pthread_condattr_destroy(&attr);
    o->e_finalize = etcd_new(cfg->etcd_endpoints, cfg->etcd_timeout_ms);
    if (o->e_finalize == NULL) {
        log_error("bad etcd endpoint list '%s'", cfg->etcd_endpoints);
        etcd_close(&o->base);
        return PETRO_ERR_MALFORMED;
    }
    void *(*mains[4])(void *) = {elect_main, reader_main, forward_main, watch_main};
    for (size_t i = 0; i < 4; i++) {
        if (pthread_create(&o->threads[i], NULL, mains[i], o) != 0) {
            etcd_close(&o->base);
            return PETRO_ERR_IO;
        }
        o->thread_count++;
    }
    log_info("cluster: validator %s, etcd %s, prefix %s", cfg->self, cfg->etcd_endpoints,
             cfg->prefix);
    *out = &o->base;
    return PETRO_OK;
}

static void etcd_close(ordering *base) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    o->is_closing = true;
    pthread_cond_broadcast(&o->cond);
    pthread_mutex_unlock(&o->lock);
    for (size_t i = 0; i < o->thread_count; i++) pthread_join(o->threads[i], NULL);
    cache_drop_upto(o, UINT64_MAX);
    etcd_free(o->e_finalize);
    etcd_free(o->e_api);
    pthread_mutex_destroy(&o->api_lock);
    free(o->fwd);
    pthread_cond_destroy(&o->cond);
    pthread_mutex_destroy(&o->lock);
    memset(&o->sk, 0, sizeof o->sk);
    free(o);
}

static void etcd_set_wake(ordering *base, ordering_wake_fn fn, void *ctx) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    o->wake = fn;
    o->wake_ctx = ctx;
    pthread_mutex_unlock(&o->lock);
}

static void etcd_self_key(ordering *base, petro_pubkey *out) {
    etcd_ordering *o = etcd_of(base);
    *out = o->pk; /* set once in ordering_open, never changed */
}

static bool etcd_is_validator(ordering *base, const petro_pubkey *pk) {
    etcd_ordering *o = etcd_of(base);
    for (size_t i = 0; i < o->cfg.validator_count; i++) {
        if (petro_pubkey_equal(&o->cfg.validators[i].pubkey, pk)) return true;
    }
    return false;
}

static bool etcd_may_propose(ordering *base, uint64_t applied_height) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    bool may = o->is_leader && o->has_read_as_leader && applied_height >= o->known_tip &&
               o->refused_height == 0;
    pthread_mutex_unlock(&o->lock);
    return may;
}

static bool etcd_take_leader_change(ordering *base) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    bool changed = o->is_leader_new;
    o->is_leader_new = false;
    pthread_mutex_unlock(&o->lock);
    return changed;
}

static bool etcd_is_leader(ordering *base) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    bool is_leader = o->is_leader;
    pthread_mutex_unlock(&o->lock);
    return is_leader;
}

static bool etcd_is_writable(ordering *base) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    bool ok = o->is_etcd_ok && o->has_leader;
    pthread_mutex_unlock(&o->lock);
    return ok;
}

static petro_result etcd_next_block(ordering *base, uint64_t height, uint8_t **bytes,
                                    size_t *size) {
    etcd_ordering *o = etcd_of(base);
    PETROD_ASSERT(height > 0); /* the genesis block is never ordered */
    *bytes = NULL;
    *size = 0;
    petro_result r = PETRO_ERR_NOT_FOUND;
    pthread_mutex_lock(&o->lock);
    for (size_t i = 0; i < o->cache_count; i++) {
        if (o->cache[i].height != height) continue;
        *bytes = malloc(o->cache[i].size);
        if (*bytes == NULL) {
            r = PETRO_ERR_NOMEM;
            break;
        }
        memcpy(*bytes, o->cache[i].bytes, o->cache[i].size);
        *size = o->cache[i].size;
        r = PETRO_OK;
        break;
    }
    pthread_mutex_unlock(&o->lock);
    return r;
}

static void etcd_applied(ordering *base, uint64_t height, const petro_hash *block_hash,
                         const petro_hash *state_hash) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    if (height > o->applied_height) o->applied_height = height;
    if (height > o->known_tip) o->known_tip = height;
    if (o->refused_height != 0 && o->refused_height <= height) o->refused_height = 0;
    cache_drop_upto(o, height);
    size_t slot = (size_t)(height % RECENT_MAX);
    o->recent_height[slot] = height;
    o->recent_block[slot] = *block_hash;
    o->recent_state[slot] = *state_hash;
    o->mine.height = height;
    o->mine.block_hash = *block_hash;
    o->mine.state_hash = *state_hash;
    if (o->cfg.fault_diverge) o->mine.state_hash.bytes[0] ^= 0x5a; /* test-only fault */
    attest_sign(&o->mine, &o->network_id, &o->sk);
    o->has_mine = true;
    o->is_mine_published = false;
    if (o->att_queue_count == ATT_QUEUE_MAX) {
        /* Far behind etcd: keep the newest; older heights go without a per-block entry. */
        memmove(o->att_queue, o->att_queue + 1, (ATT_QUEUE_MAX - 1) * sizeof o->att_queue[0]);
        o->att_queue_count--;
    }
    PETROD_ASSERT(o->att_queue_count < ATT_QUEUE_MAX);
    o->att_queue[o->att_queue_count++] = o->mine;
    pthread_cond_broadcast(&o->cond);
    pthread_mutex_unlock(&o->lock);
}

static void etcd_refused(ordering *base, uint64_t height, petro_result why) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    const cached_block *b = NULL;
    for (size_t i = 0; i < o->cache_count; i++) {
        if (o->cache[i].height == height) b = &o->cache[i];
    }
    if (b == NULL) {
        /* The block left etcd (and the cache) while the node was applying its copy. */
        pthread_mutex_unlock(&o->lock);
        return;
    }
    petro_hash digest;
    petro_hash_bytes(&digest, b->bytes, b->size);
    bool is_same = o->last_refused_height == height && petro_hash_equal(&o->last_refused, &digest);
    o->last_refused_height = height;
    o->last_refused = digest;
    if (!is_same) {
        o->counters.blocks_refused_total++;
        log_error("cluster: REFUSED block %llu from etcd: %s; this node stops at height %llu",
                  (unsigned long long)height, petro_result_name(why),
                  (unsigned long long)o->applied_height);
    }
    o->refused_height = height;
    o->refused_why = why;
    pthread_mutex_unlock(&o->lock);
}

static json_t *etcd_status_json(ordering *base) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    json_t *vals = json_array();
    for (size_t i = 0; i < o->cfg.validator_count && vals != NULL; i++) {
        const peer_state *p = &o->peers[i];
        char pk[65];
        petro_hex_encode(pk, o->cfg.validators[i].pubkey.bytes, 32);
        json_t *v = json_pack("{s:s,s:s,s:s}", "id", o->cfg.validators[i].id, "pubkey", pk,
                              "api", o->cfg.validators[i].api);
        if (v == NULL) continue;
        if (p->has_attestation) {
            char bh[65], sh[65];
            petro_hex_encode(bh, p->latest.block_hash.bytes, 32);
            petro_hex_encode(sh, p->latest.state_hash.bytes, 32);
            json_object_set_new(v, "attested_height", json_integer((json_int_t)p->latest.height));
            json_object_set_new(v, "attested_block_hash", json_string(bh));
            json_object_set_new(v, "attested_state_hash", json_string(sh));
        }
        json_object_set_new(v, "diverged", json_boolean(p->is_diverged));
        if (p->is_diverged) {
            json_object_set_new(v, "diverged_height", json_integer((json_int_t)p->diverged_height));
        }
        json_array_append_new(vals, v);
    }
    json_t *c = json_pack("{s:s,s:s,s:o,s:b,s:I,s:I,s:I}", "role",
                          o->is_leader ? "leader" : "follower", "self", o->cfg.self,
                          "validators", vals != NULL ? vals : json_array(),
                          "etcd_reachable", o->is_etcd_ok,
                          "divergences_total", (json_int_t)o->counters.divergences_total,
                          "blocks_refused_total", (json_int_t)o->counters.blocks_refused_total,
                          "etcd_tip", (json_int_t)o->known_tip);
    if (c != NULL && o->has_leader) {
        json_object_set_new(c, "leader", json_string(o->leader_id));
        json_object_set_new(c, "leader_api", json_string(o->leader_api));
    }
    if (c != NULL) {
        json_object_set_new(c, "peer_blocks_refused_total",
                            json_integer((json_int_t)o->counters.peer_blocks_refused_total));
    }
    if (c != NULL && o->has_peer_refused) {
        json_object_set_new(c, "peer_refused",
                            json_pack("{s:s,s:I,s:s}", "validator",
                                      o->cfg.validators[o->peer_refused_index].id, "height",
                                      (json_int_t)o->peer_refused_height, "reason",
                                      o->peer_refused_reason));
    }
    if (c != NULL && o->refused_height != 0) {
        json_object_set_new(c, "refused_height", json_integer((json_int_t)o->refused_height));
        json_object_set_new(c, "refused_reason", json_string(petro_result_name(o->refused_why)));
    }
    pthread_mutex_unlock(&o->lock);
    return c;
}

static void etcd_counters_get(ordering *base, ordering_counters *out) {
    etcd_ordering *o = etcd_of(base);
    pthread_mutex_lock(&o->lock);
    *out = o->counters;
    pthread_mutex_unlock(&o->lock);
}

/* Blocks of other leaders arrive through the reader thread. */
static bool etcd_receives_blocks(ordering *base) {
    (void)etcd_of(base);
    return true;
}

static const ordering_ops etcd_ops = {
    .name = "etcd",
    .close = etcd_close,
    .set_wake = etcd_set_wake,
    .receives_blocks = etcd_receives_blocks,
    .may_propose = etcd_may_propose,
    .self_key = etcd_self_key,
    .is_validator = etcd_is_validator,
    .is_writable = etcd_is_writable,
    .finalize = etcd_finalize,
    .next_block = etcd_next_block,
    .applied = etcd_applied,
    .refused = etcd_refused,
    .take_leader_change = etcd_take_leader_change,
    .is_leader = etcd_is_leader,
    .forward = etcd_forward,
    .status_json = etcd_status_json,
    .block_attestations_json = etcd_block_attestations_json,
    .counters_get = etcd_counters_get,
};
