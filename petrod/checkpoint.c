/* Proof-of-reserves checkpoints (checkpoint.h). The heavy work (collecting holders and locks,
 * hashing the tree) runs without the state lock (cs->lock), on a read snapshot; only the swap
 * of the finished trees, the history append and the health figures take it. The state belongs
 * to the node (node_open creates it, node_close destroys it); nothing here is module-wide. */
#include "checkpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "attest.h"
#include "assert.h"
#include "log.h"
#include "wallet.h"

/* The largest balances of one checkpoint (checkpoint_top_holders), best first. */
typedef struct checkpoint_top {
    size_t count;
    checkpoint_holder h[CHECKPOINT_TOP_MAX];
} checkpoint_top;

struct checkpoints {
    pthread_mutex_t lock;
    bool enabled;
    uint32_t interval;
    const wallet_key *key; /* the node's, borrowed (node_validator_key) */
    char history_path[PATH_MAX + 32];
    petro_net_kind kind;
    uint32_t tree_count;
    petro_checkpoint_tree *trees[PETRO_GENESIS_RESERVES_MAX];
    checkpoint_top tops[PETRO_GENESIS_RESERVES_MAX]; /* of trees[i], same index */
    checkpoint_record *history;
    size_t history_count, history_cap;
    pthread_mutex_t compute_lock; /* one computation at a time */
    /* The worker computes off the producer thread, so blocks keep coming meanwhile. */
    pthread_t worker;
    bool has_worker;
    node_read *pending; /* snapshot at the due height, taken by checkpoint_after_block */
    uint64_t pending_height;
    bool is_stopping; /* the worker must exit */
    pthread_cond_t wake;
    /* Health (under lock): the last good checkpoint and the last failure. */
    bool has_ok;
    uint64_t ok_height;
    uint64_t failures_total;
    bool has_failure;
    uint64_t failure_height;
    petro_result failure_code;
    char failure_reason[CHECKPOINT_REASON_SIZE];
    bool is_failing;
    const char *fault_fail_file; /* petrod-test only (checkpoint_fault_fail_while); NULL */
};

static uint64_t ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000u +
           (uint64_t)((t1.tv_nsec - t0->tv_nsec) / 1000000L);
}

/* Under cs->lock. */
static void history_add(checkpoints *cs, const checkpoint_record *r) {
    PETROD_ASSERT_HELD(&cs->lock);
    PETROD_ASSERT(cs->history_count <= cs->history_cap);
    if (cs->history_count == cs->history_cap) {
        if (cs->history_cap >= CHECKPOINT_HISTORY_MAX) {
            PETROD_ASSERT(cs->history_count > 0);
            memmove(cs->history, cs->history + 1, (cs->history_count - 1) * sizeof *cs->history);
            cs->history_count--;
        } else {
            size_t cap = cs->history_cap == 0 ? 256 : cs->history_cap * 2;
            checkpoint_record *grown = realloc(cs->history, cap * sizeof *grown);
            if (grown == NULL) return;
            cs->history = grown;
            cs->history_cap = cap;
        }
    }
    PETROD_ASSERT(cs->history_count < cs->history_cap);
    cs->history[cs->history_count++] = *r;
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
    if (colon == NULL || colon == s || (size_t)(colon - s) > PETRO_ASSET_CODE_SIZE_MAX)
        return false;
    a->kind = PETRO_ASSET_ISSUED;
    PETROD_ASSERT((size_t)(colon - s) < sizeof a->code); /* checked above; NUL stays */
    memcpy(a->code, s, (size_t)(colon - s));
    return petro_asset_code_check(a->code) == PETRO_OK &&
           petro_hex_decode(a->issuer.bytes, 32, colon + 1, strlen(colon + 1)) == PETRO_OK;
}

/* One history line: {"height","timestamp_ms","asset","supply","attested","cap","leaf_count",
 * "lock_count","root","block_hash","validator","signature"}; amounts in base units
 * (integers), hashes, keys and signatures in hex. */
static void history_append_file(checkpoints *cs, const checkpoint_record *r) {
    char asset[PETRO_ASSET_CODE_SIZE_MAX + 70], root[65], block[65], validator[65], sig[129];
    asset_name(asset, sizeof asset, &r->asset);
    petro_hex_encode(root, r->root.bytes, 32);
    petro_hex_encode(block, r->block_hash.bytes, 32);
    petro_hex_encode(validator, r->validator.bytes, 32);
    petro_hex_encode(sig, r->signature.bytes, 64);
    FILE *f = fopen(cs->history_path, "a");
    if (f == NULL) {
        log_warn("checkpoint: cannot append to %s: %s", cs->history_path, strerror(errno));
        return;
    }
    fprintf(f,
            "{\"height\":%" PRIu64 ",\"timestamp_ms\":%" PRIu64 ",\"asset\":\"%s\","
            "\"supply\":%" PRId64 ",\"attested\":%" PRId64 ",\"cap\":%" PRId64
            ",\"leaf_count\":%" PRIu64 ",\"lock_count\":%" PRIu64 ",\"root\":\"%s\","
            "\"block_hash\":\"%s\",\"validator\":\"%s\",\"signature\":\"%s\"}\n",
            r->height, r->timestamp_ms, asset, r->supply, r->attested, r->cap, r->leaf_count,
            r->lock_count, root, block, validator, sig);
    if (fclose(f) != 0) log_warn("checkpoint: cannot write %s", cs->history_path);
}

static void history_load_file(checkpoints *cs) {
    FILE *f = fopen(cs->history_path, "r");
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
            /* 0 in lines written before checkpoints had lock leaves. */
            r.lock_count = (uint64_t)json_integer_value(json_object_get(j, "lock_count"));
            ok = r.lock_count <= r.leaf_count;
        }
        if (ok) {
            history_add(cs, &r);
        } else {
            bad++;
        }
        json_decref(j);
    }
    fclose(f);
    if (bad > 0) log_warn("checkpoint: %zu unreadable lines in %s skipped", bad, cs->history_path);
}

/* A checkpoint due at height was not built: count it, keep it for checkpoint_health (the
 * latest due one failed until one is built again) and log it as an error. what: the asset
 * code, or what was missing. Takes cs->lock. */
static void record_failure(checkpoints *cs, uint64_t height, const char *what, petro_result r) {
    pthread_mutex_lock(&cs->lock);
    cs->failures_total++;
    cs->has_failure = true;
    cs->is_failing = true;
    cs->failure_height = height;
    cs->failure_code = r;
    int n = snprintf(cs->failure_reason, sizeof cs->failure_reason, "%s: %s", what,
                     petro_result_str(r));
    if (n < 0) cs->failure_reason[0] = '\0'; /* a longer one is cut: it is a message */
    uint64_t total = cs->failures_total;
    pthread_mutex_unlock(&cs->lock);
    log_error("checkpoint: height %" PRIu64 " FAILED: %s: %s (%s); /v1/reserves keeps the "
              "previous checkpoint; failures since the start: %" PRIu64,
              height, what, petro_result_str(r), petro_result_name(r), total);
}

/* Under cs->lock: the checkpoint at height was built and installed. */
static void record_ok(checkpoints *cs, uint64_t height) {
    PETROD_ASSERT_HELD(&cs->lock);
    cs->has_ok = true;
    cs->ok_height = height;
    cs->is_failing = false;
}

/* Whether holder a ranks before b: a larger balance, or the same and a smaller key. */
static bool holder_before(const checkpoint_holder *a, const checkpoint_holder *b) {
    if (a->balance != b->balance) return a->balance > b->balance;
    return petro_pubkey_cmp(&a->account, &b->account) < 0;
}

/* Restore the heap below i of top (a heap whose root ranks last: the one to drop). */
static void top_sift_down(checkpoint_top *top, size_t i) {
    for (;;) {
        size_t worst = i, l = 2 * i + 1, r = l + 1;
        if (l < top->count && holder_before(&top->h[worst], &top->h[l])) worst = l;
        if (r < top->count && holder_before(&top->h[worst], &top->h[r])) worst = r;
        if (worst == i) return;
        checkpoint_holder t = top->h[i];
        top->h[i] = top->h[worst];
        top->h[worst] = t;
        i = worst;
    }
}

static int holder_cmp(const void *a, const void *b) {
    return holder_before(a, b) ? -1 : holder_before(b, a) ? 1 : 0;
}

/* The CHECKPOINT_TOP_MAX largest positive balances of t, best first: one pass over the
 * leaves keeping a heap of the best so far, O(leaves log CHECKPOINT_TOP_MAX). */
static void top_build(checkpoint_top *top, const petro_checkpoint_tree *t) {
    top->count = 0;
    for (uint64_t i = 0; i < t->tree.leaf_count; i++) {
        const petro_sum_leaf *leaf = &t->leaves[i];
        if (leaf->kind != PETRO_LEAF_BALANCE || leaf->balance <= 0) continue;
        checkpoint_holder c = {.account = leaf->account, .balance = leaf->balance};
        if (top->count < CHECKPOINT_TOP_MAX) {
            size_t j = top->count++;
            top->h[j] = c; /* sift up: a parent ranks after its children */
            while (j > 0 && holder_before(&top->h[(j - 1) / 2], &top->h[j])) {
                checkpoint_holder p = top->h[(j - 1) / 2];
                top->h[(j - 1) / 2] = top->h[j];
                top->h[j] = p;
                j = (j - 1) / 2;
            }
        } else if (holder_before(&c, &top->h[0])) {
            top->h[0] = c;
            top_sift_down(top, 0);
        }
    }
    qsort(top->h, top->count, sizeof top->h[0], holder_cmp);
}

/* Compute, sign and install the checkpoints at the tip of the snapshot rd, which this call
 * ends (LMDB read transactions of this store may move between threads: MDB_NOTLS). */
static void compute(checkpoints *cs, node_read *rd) {
    PETROD_ASSERT(rd != NULL);
    PETROD_ASSERT(cs->key != NULL && cs->key->sk != NULL); /* set by checkpoint_start */
    pthread_mutex_lock(&cs->compute_lock);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    petro_checkpoint_tree *fresh[PETRO_GENESIS_RESERVES_MAX] = {0};
    checkpoint_top fresh_top[PETRO_GENESIS_RESERVES_MAX]; /* ~16 KB */
    uint32_t count = 0;
    petro_reserve_config cfg;
    petro_ledger_tip tip;
    memset(&tip, 0, sizeof tip);
    const char *what = "ledger tip";
    petro_result r = petro_ledger_tip_get(node_read_store(rd), &tip);
    if (r == PETRO_OK) {
        what = "reserve configuration";
        r = petro_reserves_config(node_read_store(rd), &cfg);
    }
    bool no_reserves = r == PETRO_ERR_NOT_FOUND; /* a genesis without reserves: nothing due */
    if (r == PETRO_OK) PETROD_ASSERT(cfg.reserve_count <= PETRO_GENESIS_RESERVES_MAX);
    char code[PETRO_ASSET_CODE_SIZE_MAX + 1] = "";
    pthread_mutex_lock(&cs->lock);
    const char *fault = cs->fault_fail_file;
    pthread_mutex_unlock(&cs->lock);
    bool is_fault = fault != NULL && access(fault, F_OK) == 0;
    for (uint32_t i = 0; r == PETRO_OK && i < cfg.reserve_count; i++) {
        fresh[i] = calloc(1, sizeof *fresh[i]);
        if (fresh[i] == NULL) {
            r = PETRO_ERR_NOMEM;
            break;
        }
        count = i + 1;
        snprintf(code, sizeof code, "%.*s", PETRO_ASSET_CODE_SIZE_MAX, cfg.reserves[i].asset.code);
        what = code;
        /* The test fault fails the first asset as if its leaves did not add up. */
        r = is_fault ? PETRO_ERR_CORRUPT
                     : petro_checkpoint_build(fresh[i], node_read_store(rd),
                                              &cfg.reserves[i].asset);
        if (r == PETRO_OK) {
            petro_checkpoint_sign(&fresh[i]->checkpoint, &cs->key->pk, cs->key->sk);
            top_build(&fresh_top[i], fresh[i]);
        }
    }
    node_read_end(rd);
    if (r != PETRO_OK) {
        if (!no_reserves) record_failure(cs, tip.height, what, r);
        for (uint32_t i = 0; i < count; i++) {
            if (fresh[i] != NULL) petro_checkpoint_tree_free(fresh[i]);
            free(fresh[i]);
        }
        pthread_mutex_unlock(&cs->compute_lock);
        return;
    }
    petro_checkpoint_tree *old[PETRO_GENESIS_RESERVES_MAX] = {0};
    pthread_mutex_lock(&cs->lock);
    uint32_t old_count = cs->tree_count;
    memcpy(old, cs->trees, sizeof old);
    memcpy(cs->trees, fresh, sizeof fresh);
    memcpy(cs->tops, fresh_top, count * sizeof fresh_top[0]);
    cs->tree_count = count;
    record_ok(cs, tip.height);
    for (uint32_t i = 0; i < count; i++) {
        const petro_checkpoint *c = &fresh[i]->checkpoint;
        PETROD_ASSERT(c->height == tip.height); /* every tree from the one snapshot */
        checkpoint_record rec = {.height = c->height,
                                 .timestamp_ms = c->timestamp_ms,
                                 .asset = c->asset,
                                 .supply = c->total,
                                 .attested = c->attested,
                                 .cap = c->cap,
                                 .leaf_count = c->leaf_count,
                                 .lock_count = c->lock_count,
                                 .root = c->root,
                                 .block_hash = c->block_hash,
                                 .validator = c->validator,
                                 .signature = c->signature};
        history_add(cs, &rec);
        history_append_file(cs, &rec);
        char total[PETRO_AMOUNT_TEXT_SIZE], cap[PETRO_AMOUNT_TEXT_SIZE];
        petro_amount_format(total, c->total);
        petro_amount_format(cap, c->cap);
        log_info("checkpoint: height %" PRIu64 " %.12s holders %" PRIu64 " locks %" PRIu64
                 " total %s cap %s%s (%" PRIu64 " ms)",
                 c->height, c->asset.code, c->leaf_count - c->lock_count, c->lock_count, total,
                 cap,
                 c->total > c->cap ? " UNDER-COVERED" : "", ms_since(&t0));
    }
    pthread_mutex_unlock(&cs->lock);
    for (uint32_t i = 0; i < old_count; i++) {
        petro_checkpoint_tree_free(old[i]);
        free(old[i]);
    }
    pthread_mutex_unlock(&cs->compute_lock);
}

static void *worker_main(void *arg) {
    prctl(PR_SET_NAME, "checkpoint", 0, 0, 0); /* thread name, for top -H and perf */
    checkpoints *cs = arg;
    pthread_mutex_lock(&cs->lock);
    while (!cs->is_stopping) {
        if (cs->pending == NULL) {
            pthread_cond_wait(&cs->wake, &cs->lock);
            continue;
        }
        node_read *rd = cs->pending;
        cs->pending = NULL;
        pthread_mutex_unlock(&cs->lock);
        compute(cs, rd); /* at the height of the block that asked: its snapshot */
        pthread_mutex_lock(&cs->lock);
    }
    pthread_mutex_unlock(&cs->lock);
    return NULL;
}

petro_result checkpoint_create(checkpoints **out) {
    *out = NULL;
    checkpoints *cs = calloc(1, sizeof *cs);
    if (cs == NULL) return PETRO_ERR_NOMEM;
    if (pthread_mutex_init(&cs->lock, NULL) != 0) goto fail_lock;
    if (pthread_mutex_init(&cs->compute_lock, NULL) != 0) goto fail_compute_lock;
    if (pthread_cond_init(&cs->wake, NULL) != 0) goto fail_wake;
    *out = cs;
    return PETRO_OK;
fail_wake:
    pthread_mutex_destroy(&cs->compute_lock);
fail_compute_lock:
    pthread_mutex_destroy(&cs->lock);
fail_lock:
    free(cs);
    return PETRO_ERR_NOMEM;
}

void checkpoint_start(checkpoints *cs, node *n, const node_config *cfg) {
    node_status st;
    if (node_status_get(n, &st) != PETRO_OK) return;
    const wallet_key *key = node_validator_key(n); /* node_open refused to open without it */
    pthread_mutex_lock(&cs->lock);
    PETROD_ASSERT(!cs->enabled); /* started once */
    PETROD_ASSERT(!cs->has_worker);
    PETROD_ASSERT(cfg->checkpoint_interval > 0); /* node_open checked the range */
    PETROD_ASSERT(cfg->checkpoint_interval <= CHECKPOINT_INTERVAL_MAX);
    cs->key = key;
    cs->interval = cfg->checkpoint_interval; /* 1..CHECKPOINT_INTERVAL_MAX: node_open checked */
    cs->kind = st.tip.net_kind == PETRO_NET_MAIN ? PETRO_NET_MAIN : PETRO_NET_TEST;
    snprintf(cs->history_path, sizeof cs->history_path, "%s/reserves-history.jsonl",
             cfg->data_dir);
    history_load_file(cs);
    cs->enabled = true;
    cs->is_stopping = false;
    pthread_mutex_unlock(&cs->lock);
    node_read *rd = NULL;
    petro_result r = node_read_begin(n, &rd);
    if (r == PETRO_OK) {
        compute(cs, rd); /* the start-up checkpoint, before petrod prints "ready" */
    } else {
        record_failure(cs, st.tip.height, "no snapshot for the start-up checkpoint", r);
    }
    pthread_mutex_lock(&cs->lock);
    int rc = pthread_create(&cs->worker, NULL, worker_main, cs);
    cs->has_worker = rc == 0;
    if (rc != 0) {
        log_warn("checkpoint: no worker thread (%s); computing on the producer", strerror(rc));
    }
    pthread_mutex_unlock(&cs->lock);
}

void checkpoint_after_block(checkpoints *cs, node *n, uint64_t height) {
    pthread_mutex_lock(&cs->lock);
    if (cs->enabled) PETROD_ASSERT(cs->interval > 0);
    bool due = cs->enabled && !cs->is_stopping && height % cs->interval == 0;
    pthread_mutex_unlock(&cs->lock);
    if (!due) return;
    /* The caller is the thread that commits blocks and has just committed height, so this
     * snapshot is exactly at height: every validator checkpoints the same heights. */
    node_read *rd = NULL;
    petro_result r = node_read_begin(n, &rd);
    if (r != PETRO_OK) {
        record_failure(cs, height, "no snapshot", r);
        return;
    }
    node_read *dropped = NULL;
    uint64_t dropped_height = 0;
    pthread_mutex_lock(&cs->lock);
    bool is_inline = !cs->has_worker && !cs->is_stopping;
    if (cs->has_worker && !cs->is_stopping) {
        dropped = cs->pending;
        dropped_height = cs->pending_height;
        cs->pending = rd;
        cs->pending_height = height;
        rd = NULL;
        pthread_cond_signal(&cs->wake);
    }
    pthread_mutex_unlock(&cs->lock);
    if (dropped != NULL) {
        log_warn("checkpoint: height %" PRIu64 " skipped: the computation before it was still "
                 "running when height %" PRIu64 " was due", dropped_height, height);
        node_read_end(dropped);
    }
    if (is_inline) {
        compute(cs, rd);
    } else {
        node_read_end(rd); /* NULL when the worker took it */
    }
}

void checkpoint_destroy(checkpoints *cs) {
    if (cs == NULL) return;
    pthread_mutex_lock(&cs->lock);
    cs->is_stopping = true;
    bool join = cs->has_worker;
    cs->has_worker = false;
    pthread_cond_signal(&cs->wake);
    pthread_mutex_unlock(&cs->lock);
    if (join) pthread_join(cs->worker, NULL);
    pthread_mutex_lock(&cs->lock);
    PETROD_ASSERT(cs->tree_count <= PETRO_GENESIS_RESERVES_MAX);
    node_read_end(cs->pending); /* a snapshot the worker did not take; the store is still open */
    cs->pending = NULL;
    for (uint32_t i = 0; i < cs->tree_count; i++) {
        petro_checkpoint_tree_free(cs->trees[i]);
        free(cs->trees[i]);
        cs->trees[i] = NULL;
    }
    cs->tree_count = 0;
    cs->enabled = false;
    cs->key = NULL;
    free(cs->history);
    cs->history = NULL;
    cs->history_count = cs->history_cap = 0;
    pthread_mutex_unlock(&cs->lock);
    pthread_cond_destroy(&cs->wake);
    pthread_mutex_destroy(&cs->compute_lock);
    pthread_mutex_destroy(&cs->lock);
    free(cs);
}

void checkpoint_fault_fail_while(checkpoints *cs, const char *path) {
    pthread_mutex_lock(&cs->lock);
    PETROD_ASSERT(!cs->enabled); /* before checkpoint_start */
    cs->fault_fail_file = path;
    pthread_mutex_unlock(&cs->lock);
}

bool checkpoint_enabled(checkpoints *cs, uint32_t *interval) {
    pthread_mutex_lock(&cs->lock);
    bool on = cs->enabled;
    *interval = cs->interval;
    pthread_mutex_unlock(&cs->lock);
    return on;
}

static petro_checkpoint_tree *find_tree(checkpoints *cs, const petro_asset *asset) {
    PETROD_ASSERT_HELD(&cs->lock);
    PETROD_ASSERT(cs->tree_count <= PETRO_GENESIS_RESERVES_MAX);
    for (uint32_t i = 0; i < cs->tree_count; i++) {
        if (petro_asset_equal(&cs->trees[i]->checkpoint.asset, asset)) return cs->trees[i];
    }
    return NULL;
}

petro_result checkpoint_latest(checkpoints *cs, const petro_asset *asset, petro_checkpoint *out) {
    pthread_mutex_lock(&cs->lock);
    petro_checkpoint_tree *t = find_tree(cs, asset);
    if (t != NULL) *out = t->checkpoint;
    pthread_mutex_unlock(&cs->lock);
    return t != NULL ? PETRO_OK : PETRO_ERR_NOT_FOUND;
}

/* Under cs->lock: the proofs of the first PROOF_JSON_LOCKS_MAX locks of account in t, and
 * the count of the others (out->lock_count, locks, locks_omitted). */
static petro_result lock_proofs(const petro_checkpoint_tree *t, const petro_pubkey *account,
                                proof_set *out) {
    PETROD_ASSERT(out->lock_count == 0 && out->locks_omitted == 0);
    uint64_t from = 0;
    while (out->lock_count < PROOF_JSON_LOCKS_MAX) {
        petro_result r =
            petro_checkpoint_tree_lock_proof(t, account, &from, &out->locks[out->lock_count]);
        if (r == PETRO_ERR_NOT_FOUND) return PETRO_OK;
        if (r != PETRO_OK) return r;
        out->lock_count++;
    }
    for (uint64_t i = from; i < t->tree.leaf_count; i++) {
        if (petro_pubkey_equal(&t->leaves[i].account, account)) out->locks_omitted++;
    }
    return PETRO_OK;
}

petro_result checkpoint_proofs(checkpoints *cs, const petro_asset *asset,
                               const petro_pubkey *account, proof_set *out) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&cs->lock);
    petro_checkpoint_tree *t = find_tree(cs, asset);
    petro_result r = PETRO_ERR_NOT_FOUND;
    if (t != NULL) {
        r = petro_checkpoint_tree_proof(t, account, &out->balance);
        out->has_balance = r == PETRO_OK;
        if (r == PETRO_OK || r == PETRO_ERR_NOT_FOUND) r = lock_proofs(t, account, out);
    }
    pthread_mutex_unlock(&cs->lock);
    if (r == PETRO_OK && !out->has_balance && out->lock_count == 0) r = PETRO_ERR_NOT_FOUND;
    return r;
}

petro_result checkpoint_top_holders(checkpoints *cs, const petro_asset *asset,
                                    checkpoint_holder *out, size_t max, size_t *count,
                                    petro_checkpoint *cp) {
    *count = 0;
    petro_result r = PETRO_ERR_NOT_FOUND;
    pthread_mutex_lock(&cs->lock);
    for (uint32_t i = 0; i < cs->tree_count; i++) {
        if (!petro_asset_equal(&cs->trees[i]->checkpoint.asset, asset)) continue;
        const checkpoint_top *top = &cs->tops[i];
        PETROD_ASSERT(top->count <= CHECKPOINT_TOP_MAX);
        *count = max < top->count ? max : top->count;
        memcpy(out, top->h, *count * sizeof *out);
        *cp = cs->trees[i]->checkpoint;
        r = PETRO_OK;
        break;
    }
    pthread_mutex_unlock(&cs->lock);
    return r;
}

void checkpoint_health_get(checkpoints *cs, checkpoint_health *out) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&cs->lock);
    out->enabled = cs->enabled;
    out->interval = cs->interval;
    out->has_ok = cs->has_ok;
    out->ok_height = cs->ok_height;
    out->failures_total = cs->failures_total;
    out->has_failure = cs->has_failure;
    out->failure_height = cs->failure_height;
    out->failure_code = cs->failure_code;
    memcpy(out->failure_reason, cs->failure_reason, sizeof out->failure_reason);
    out->is_failing = cs->is_failing;
    pthread_mutex_unlock(&cs->lock);
    if (out->is_failing) PETROD_ASSERT(out->has_failure);
}

void checkpoint_history(checkpoints *cs, size_t limit,
                        int (*cb)(void *ctx, const checkpoint_record *r), void *ctx) {
    pthread_mutex_lock(&cs->lock);
    size_t start = limit != 0 && cs->history_count > limit ? cs->history_count - limit : 0;
    for (size_t i = start; i < cs->history_count; i++) {
        if (cb(ctx, &cs->history[i]) != 0) break;
    }
    pthread_mutex_unlock(&cs->lock);
}
