/* Proof-of-reserves checkpoints (checkpoint.h). The heavy work (collecting holders, hashing
 * the tree) runs without the module lock, on a read snapshot; only the swap of the finished
 * trees and the history append take it. */
#include "checkpoint.h"

#include <sys/prctl.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "log.h"
#include "wallet.h"

typedef struct cp_state {
    pthread_mutex_t lock;
    bool enabled;
    uint32_t interval;
    wallet_key key;
    char history_path[PATH_MAX + 32];
    petro_net_kind kind;
    bool has_latest;
    uint64_t latest_height;
    uint32_t tree_count;
    petro_checkpoint_tree *trees[PETRO_GENESIS_RESERVES_MAX];
    checkpoint_record *history;
    size_t history_count, history_cap;
    pthread_mutex_t compute_lock; /* one computation at a time */
    /* The worker computes off the producer thread, so blocks keep coming meanwhile. */
    node *n;
    pthread_t worker;
    bool has_worker;
    bool is_due;      /* a computation was asked for */
    bool is_stopping; /* the worker must exit */
    pthread_cond_t wake;
} cp_state;

static cp_state cps = {.lock = PTHREAD_MUTEX_INITIALIZER,
                       .compute_lock = PTHREAD_MUTEX_INITIALIZER,
                       .wake = PTHREAD_COND_INITIALIZER};

static uint64_t ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000u +
           (uint64_t)((t1.tv_nsec - t0->tv_nsec) / 1000000L);
}

/* Under cps.lock. */
static void history_add(const checkpoint_record *r) {
    if (cps.history_count == cps.history_cap) {
        if (cps.history_cap >= CHECKPOINT_HISTORY_MAX) {
            memmove(cps.history, cps.history + 1, (cps.history_count - 1) * sizeof *cps.history);
            cps.history_count--;
        } else {
            size_t cap = cps.history_cap == 0 ? 256 : cps.history_cap * 2;
            checkpoint_record *grown = realloc(cps.history, cap * sizeof *grown);
            if (grown == NULL) return;
            cps.history = grown;
            cps.history_cap = cap;
        }
    }
    cps.history[cps.history_count++] = *r;
}

static void asset_name(char *out, size_t cap, const petro_asset *a) {
    if (a->kind == PETRO_ASSET_NATIVE) {
        snprintf(out, cap, "PTR");
        return;
    }
    char issuer[65];
    petro_hex_encode(issuer, a->issuer.bytes, 32);
    snprintf(out, cap, "%.*s:%s", PETRO_ASSET_CODE_SIZE_MAX, a->code, issuer);
}

static bool parse_asset_name(petro_asset *a, const char *s) {
    memset(a, 0, sizeof *a);
    if (strcmp(s, "PTR") == 0) {
        *a = petro_asset_native();
        return true;
    }
    const char *colon = strchr(s, ':');
    if (colon == NULL || colon == s || (size_t)(colon - s) > PETRO_ASSET_CODE_SIZE_MAX) return false;
    a->kind = PETRO_ASSET_ISSUED;
    memcpy(a->code, s, (size_t)(colon - s));
    return petro_asset_code_check(a->code) == PETRO_OK &&
           petro_hex_decode(a->issuer.bytes, 32, colon + 1, strlen(colon + 1)) == PETRO_OK;
}

/* One history line: {"height","timestamp_ms","asset","supply","attested","cap","leaf_count",
 * "root"}; amounts in base units (integers), root in hex. */
static void history_append_file(const checkpoint_record *r) {
    char asset[PETRO_ASSET_CODE_SIZE_MAX + 70], root[65], block[65], validator[65], sig[129];
    asset_name(asset, sizeof asset, &r->asset);
    petro_hex_encode(root, r->root.bytes, 32);
    petro_hex_encode(block, r->block_hash.bytes, 32);
    petro_hex_encode(validator, r->validator.bytes, 32);
    petro_hex_encode(sig, r->signature.bytes, 64);
    FILE *f = fopen(cps.history_path, "a");
    if (f == NULL) {
        log_warn("checkpoint: cannot append to %s: %s", cps.history_path, strerror(errno));
        return;
    }
    fprintf(f,
            "{\"height\":%" PRIu64 ",\"timestamp_ms\":%" PRIu64 ",\"asset\":\"%s\","
            "\"supply\":%" PRId64 ",\"attested\":%" PRId64 ",\"cap\":%" PRId64
            ",\"leaf_count\":%" PRIu64 ",\"root\":\"%s\",\"block_hash\":\"%s\","
            "\"validator\":\"%s\",\"signature\":\"%s\"}\n",
            r->height, r->timestamp_ms, asset, r->supply, r->attested, r->cap, r->leaf_count,
            root, block, validator, sig);
    if (fclose(f) != 0) log_warn("checkpoint: cannot write %s", cps.history_path);
}

static void history_load_file(void) {
    FILE *f = fopen(cps.history_path, "r");
    if (f == NULL) return; /* none yet */
    char line[1024];
    size_t bad = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);
        checkpoint_record r;
        memset(&r, 0, sizeof r);
        const char *asset = json_string_value(json_object_get(j, "asset"));
        const char *root = json_string_value(json_object_get(j, "root"));
        const char *block = json_string_value(json_object_get(j, "block_hash"));
        const char *validator = json_string_value(json_object_get(j, "validator"));
        const char *sig = json_string_value(json_object_get(j, "signature"));
        bool ok = j != NULL && asset != NULL && root != NULL && block != NULL &&
                  validator != NULL && sig != NULL && parse_asset_name(&r.asset, asset) &&
                  petro_hex_decode(r.root.bytes, 32, root, strlen(root)) == PETRO_OK &&
                  petro_hex_decode(r.block_hash.bytes, 32, block, strlen(block)) == PETRO_OK &&
                  petro_hex_decode(r.validator.bytes, 32, validator, strlen(validator)) ==
                      PETRO_OK &&
                  petro_hex_decode(r.signature.bytes, 64, sig, strlen(sig)) == PETRO_OK;
        if (ok) {
            r.height = (uint64_t)json_integer_value(json_object_get(j, "height"));
            r.timestamp_ms = (uint64_t)json_integer_value(json_object_get(j, "timestamp_ms"));
            r.supply = (petro_amount)json_integer_value(json_object_get(j, "supply"));
            r.attested = (petro_amount)json_integer_value(json_object_get(j, "attested"));
            r.cap = (petro_amount)json_integer_value(json_object_get(j, "cap"));
            r.leaf_count = (uint64_t)json_integer_value(json_object_get(j, "leaf_count"));
            history_add(&r);
        } else {
            bad++;
        }
        json_decref(j);
    }
    fclose(f);
    if (bad > 0) log_warn("checkpoint: %zu unreadable lines in %s skipped", bad, cps.history_path);
}

/* Compute, sign and install the checkpoints at the current tip. */
static void compute(node *n) {
    pthread_mutex_lock(&cps.compute_lock);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    node_read *rd = NULL;
    petro_result r = node_read_begin(n, &rd);
    petro_checkpoint_tree *fresh[PETRO_GENESIS_RESERVES_MAX] = {0};
    uint32_t count = 0;
    petro_reserve_config cfg;
    if (r == PETRO_OK) r = petro_reserves_config(node_read_store(rd), &cfg);
    for (uint32_t i = 0; r == PETRO_OK && i < cfg.reserve_count; i++) {
        fresh[i] = calloc(1, sizeof *fresh[i]);
        if (fresh[i] == NULL) {
            r = PETRO_ERR_NOMEM;
            break;
        }
        count = i + 1;
        r = petro_checkpoint_build(fresh[i], node_read_store(rd), &cfg.reserves[i].asset);
        if (r == PETRO_OK) petro_checkpoint_sign(&fresh[i]->checkpoint, &cps.key.pk, cps.key.sk);
    }
    node_read_end(rd);
    if (r != PETRO_OK) {
        if (r != PETRO_ERR_NOT_FOUND) log_error("checkpoint: failed: %s", petro_result_str(r));
        for (uint32_t i = 0; i < count; i++) {
            if (fresh[i] != NULL) petro_checkpoint_tree_free(fresh[i]);
            free(fresh[i]);
        }
        pthread_mutex_unlock(&cps.compute_lock);
        return;
    }
    petro_checkpoint_tree *old[PETRO_GENESIS_RESERVES_MAX] = {0};
    pthread_mutex_lock(&cps.lock);
    uint32_t old_count = cps.tree_count;
    memcpy(old, cps.trees, sizeof old);
    memcpy(cps.trees, fresh, sizeof fresh);
    cps.tree_count = count;
    cps.has_latest = count > 0;
    for (uint32_t i = 0; i < count; i++) {
        const petro_checkpoint *c = &fresh[i]->checkpoint;
        cps.latest_height = c->height;
        checkpoint_record rec = {c->height,     c->timestamp_ms, c->asset,
                                 c->total,      c->attested,     c->cap,
                                 c->leaf_count, c->root,         c->block_hash,
                                 c->validator,  c->signature};
        history_add(&rec);
        history_append_file(&rec);
        char total[PETRO_AMOUNT_TEXT_SIZE], cap[PETRO_AMOUNT_TEXT_SIZE];
        petro_amount_format(total, c->total);
        petro_amount_format(cap, c->cap);
        log_info("checkpoint: height %" PRIu64 " %.12s holders %" PRIu64 " total %s cap %s%s"
                 " (%" PRIu64 " ms)",
                 c->height, c->asset.code, c->leaf_count, total, cap,
                 c->total > c->cap ? " UNDER-COVERED" : "", ms_since(&t0));
    }
    pthread_mutex_unlock(&cps.lock);
    for (uint32_t i = 0; i < old_count; i++) {
        petro_checkpoint_tree_free(old[i]);
        free(old[i]);
    }
    pthread_mutex_unlock(&cps.compute_lock);
}

static void *worker_main(void *arg) {
    prctl(PR_SET_NAME, "checkpoint", 0, 0, 0); /* thread name, for top -H and perf */
    (void)arg;
    pthread_mutex_lock(&cps.lock);
    while (!cps.is_stopping) {
        if (!cps.is_due) {
            pthread_cond_wait(&cps.wake, &cps.lock);
            continue;
        }
        cps.is_due = false;
        node *n = cps.n;
        pthread_mutex_unlock(&cps.lock);
        compute(n); /* at the tip of its snapshot: the block that asked, or a later one */
        pthread_mutex_lock(&cps.lock);
    }
    pthread_mutex_unlock(&cps.lock);
    return NULL;
}

void checkpoint_start(node *n, const char *data_dir) {
    node_status st;
    if (node_status_get(n, &st) != PETRO_OK) return;
    uint32_t interval = CHECKPOINT_INTERVAL_DEFAULT;
    const char *iv = getenv("PETRO_CHECKPOINT_INTERVAL");
    if (iv != NULL) {
        char *end = NULL;
        unsigned long v = strtoul(iv, &end, 10);
        if (end == iv || *end != '\0' || v < 1 || v > 1000000) {
            log_warn("checkpoint: PETRO_CHECKPOINT_INTERVAL=%s is not 1..1000000; using %u", iv,
                     interval);
        } else {
            interval = (uint32_t)v;
        }
    }
    char path[PATH_MAX + 64];
    const char *wallet = getenv("PETRO_VALIDATOR_WALLET");
    if (wallet == NULL) {
        snprintf(path, sizeof path, "%s/wallets/validator.json", data_dir);
        wallet = path;
    }
    wallet_key key;
    memset(&key, 0, sizeof key);
    petro_result r = wallet_read(&key, wallet, getenv("PETRO_VALIDATOR_PASSPHRASE"));
    if (r != PETRO_OK) {
        log_warn("checkpoint: no validator key (%s: %s); proof-of-reserves checkpoints are off",
                 wallet, petro_result_str(r));
        return;
    }
    if (!petro_pubkey_equal(&key.pk, &st.proposer)) {
        log_warn("checkpoint: %s is not this node's validator key; checkpoints are off", wallet);
        wallet_key_deinit(&key);
        return;
    }
    pthread_mutex_lock(&cps.lock);
    cps.key = key;
    cps.interval = interval;
    cps.kind = st.tip.net_kind == PETRO_NET_MAIN ? PETRO_NET_MAIN : PETRO_NET_TEST;
    snprintf(cps.history_path, sizeof cps.history_path, "%s/reserves-history.jsonl", data_dir);
    history_load_file();
    cps.enabled = true;
    cps.n = n;
    cps.is_stopping = false;
    pthread_mutex_unlock(&cps.lock);
    compute(n); /* the start-up checkpoint, before the API serves */
    pthread_mutex_lock(&cps.lock);
    int rc = pthread_create(&cps.worker, NULL, worker_main, NULL);
    cps.has_worker = rc == 0;
    if (rc != 0) log_warn("checkpoint: no worker thread (%s); computing on the producer", strerror(rc));
    pthread_mutex_unlock(&cps.lock);
}

void checkpoint_after_block(node *n, uint64_t height) {
    pthread_mutex_lock(&cps.lock);
    bool due = cps.enabled && !cps.is_stopping &&
               (!cps.has_latest || height >= cps.latest_height + cps.interval);
    bool inline_compute = due && !cps.has_worker;
    if (due && cps.has_worker) {
        cps.is_due = true;
        pthread_cond_signal(&cps.wake);
    }
    pthread_mutex_unlock(&cps.lock);
    if (inline_compute) compute(n);
}

void checkpoint_stop(void) {
    pthread_mutex_lock(&cps.lock);
    cps.is_stopping = true;
    bool join = cps.has_worker;
    cps.has_worker = false;
    pthread_cond_signal(&cps.wake);
    pthread_mutex_unlock(&cps.lock);
    if (join) pthread_join(cps.worker, NULL);
    pthread_mutex_lock(&cps.lock);
    for (uint32_t i = 0; i < cps.tree_count; i++) {
        petro_checkpoint_tree_free(cps.trees[i]);
        free(cps.trees[i]);
        cps.trees[i] = NULL;
    }
    cps.tree_count = 0;
    cps.has_latest = false;
    cps.enabled = false;
    wallet_key_deinit(&cps.key);
    free(cps.history);
    cps.history = NULL;
    cps.history_count = cps.history_cap = 0;
    pthread_mutex_unlock(&cps.lock);
}

bool checkpoint_enabled(uint32_t *interval) {
    pthread_mutex_lock(&cps.lock);
    bool on = cps.enabled;
    *interval = cps.interval;
    pthread_mutex_unlock(&cps.lock);
    return on;
}

static petro_checkpoint_tree *find_tree(const petro_asset *asset) {
    for (uint32_t i = 0; i < cps.tree_count; i++) {
        if (petro_asset_equal(&cps.trees[i]->checkpoint.asset, asset)) return cps.trees[i];
    }
    return NULL;
}

petro_result checkpoint_latest(const petro_asset *asset, petro_checkpoint *out) {
    pthread_mutex_lock(&cps.lock);
    petro_checkpoint_tree *t = find_tree(asset);
    if (t != NULL) *out = t->checkpoint;
    pthread_mutex_unlock(&cps.lock);
    return t != NULL ? PETRO_OK : PETRO_ERR_NOT_FOUND;
}

petro_result checkpoint_proof(const petro_asset *asset, const petro_pubkey *account,
                              petro_proof *out) {
    pthread_mutex_lock(&cps.lock);
    petro_checkpoint_tree *t = find_tree(asset);
    petro_result r = t != NULL ? petro_checkpoint_tree_proof(t, account, out) : PETRO_ERR_NOT_FOUND;
    pthread_mutex_unlock(&cps.lock);
    return r;
}

void checkpoint_history(size_t limit, int (*cb)(void *ctx, const checkpoint_record *r),
                        void *ctx) {
    pthread_mutex_lock(&cps.lock);
    size_t start = limit != 0 && cps.history_count > limit ? cps.history_count - limit : 0;
    for (size_t i = start; i < cps.history_count; i++) {
        if (cb(ctx, &cps.history[i]) != 0) break;
    }
    pthread_mutex_unlock(&cps.lock);
}
