/* Signed state roots and state proofs (stateroot.h). The build (a pass over every record)
 * runs on the worker thread without s->lock, on the snapshot of its height, which it ends
 * when done; only the swap of the finished tree takes the lock. A proof takes s->lock for its
 * whole duration (the tree must not be swapped under it); it reads at most 16 records from a
 * snapshot of its own and hashes at most 47 nodes, so proofs queue for microseconds. */
#include "stateroot.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "assert.h"
#include "log.h"
#include "wallet.h"

struct stateroots {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool enabled;
    uint32_t interval;
    const wallet_key *key; /* the node's, borrowed (node_validator_key) */
    /* The latest root, its tree, and the snapshot of its height while it is kept: an LMDB
     * read transaction held open stops LMDB from reusing the pages freed meanwhile (held for a
     * whole interval, the file grew 11x at 1M accounts: 7.0 GB against 0.64 GB), so it is
     * released once the ledger file grew SNAP_GROWTH_MAX since the root (release_if_grown).
     * Without it a proof reads its bucket from the current state and is served only if the
     * bucket still hashes as at the root (prove_locked). */
    bool has_root;
    petro_state_root root;
    petro_state_tree tree;
    node_read *snap;      /* NULL once released */
    uint64_t snap_bytes;  /* the ledger file's used bytes when the root was installed */
    node *node;           /* borrowed (stateroot_start) */
    /* The worker and the snapshot it is to build next. */
    pthread_t worker;
    bool has_worker;
    node_read *pending;
    uint64_t pending_height;
    bool is_stopping;
};

#define SNAP_GROWTH_MAX ((uint64_t)64 << 20) /* 64 MiB of file growth, then the snapshot goes */

static uint64_t ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000u +
           (uint64_t)((t1.tv_nsec - t0->tv_nsec) / 1000000L);
}

/* Build, sign and install the root of snapshot rd, which the state keeps (it ends the one it
 * replaces). Called by the worker only (or, without a worker, by the caller of the hook). */
static void compute(stateroots *s, node_read *rd) {
    PETROD_ASSERT(rd != NULL && s->key != NULL && s->key->sk != NULL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    petro_state_tree tree;
    petro_state_root root;
    petro_result r = petro_state_tree_build(&tree, &root, node_read_store(rd),
                                            PETRO_STATE_BUCKET_BITS);
    if (r != PETRO_OK) {
        log_error("state root: failed: %s", petro_result_str(r));
        node_read_end(rd);
        return;
    }
    petro_state_root_sign(&root, &s->key->pk, s->key->sk);
    uint64_t bytes = node_store_used_bytes(s->node);
    pthread_mutex_lock(&s->lock);
    petro_state_tree old_tree = s->tree;
    node_read *old_snap = s->snap;
    s->tree = tree;
    s->root = root;
    s->snap = rd;
    s->snap_bytes = bytes;
    s->has_root = true;
    pthread_mutex_unlock(&s->lock);
    petro_state_tree_free(&old_tree);
    node_read_end(old_snap);
    char hex[65];
    petro_hex_encode(hex, root.root.bytes, 32);
    log_info("state root: height %" PRIu64 " records %" PRIu64 " root %.16s (%" PRIu64 " ms)",
             root.height, root.record_count, hex, ms_since(&t0));
}

static void *worker_main(void *arg) {
    prctl(PR_SET_NAME, "stateroot", 0, 0, 0);
    stateroots *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->is_stopping) {
        if (s->pending == NULL) {
            pthread_cond_wait(&s->wake, &s->lock);
            continue;
        }
        node_read *rd = s->pending;
        s->pending = NULL;
        pthread_mutex_unlock(&s->lock);
        compute(s, rd);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

petro_result stateroot_create(stateroots **out) {
    *out = NULL;
    stateroots *s = calloc(1, sizeof *s);
    if (s == NULL) return PETRO_ERR_NOMEM;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return PETRO_ERR_NOMEM;
    }
    if (pthread_cond_init(&s->wake, NULL) != 0) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return PETRO_ERR_NOMEM;
    }
    petro_state_tree_init(&s->tree, PETRO_STATE_BUCKET_BITS);
    *out = s;
    return PETRO_OK;
}

/* Hand rd to the worker (or compute inline without one). height: for the log only. */
static void hand_over(stateroots *s, node_read *rd, uint64_t height) {
    node_read *dropped = NULL;
    uint64_t dropped_height = 0;
    pthread_mutex_lock(&s->lock);
    bool is_inline = !s->has_worker && !s->is_stopping;
    if (s->has_worker && !s->is_stopping) {
        dropped = s->pending;
        dropped_height = s->pending_height;
        s->pending = rd;
        s->pending_height = height;
        rd = NULL;
        pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&s->lock);
    if (dropped != NULL) {
        log_warn("state root: height %" PRIu64 " skipped: the build before it was still "
                 "running when height %" PRIu64 " was due", dropped_height, height);
        node_read_end(dropped);
    }
    if (is_inline) {
        compute(s, rd);
    } else {
        node_read_end(rd); /* NULL when the worker took it */
    }
}

void stateroot_start(stateroots *s, node *n, uint32_t interval) {
    PETROD_ASSERT(interval > 0);
    pthread_mutex_lock(&s->lock);
    PETROD_ASSERT(!s->enabled && !s->has_worker); /* started once */
    s->key = node_validator_key(n); /* node_open loaded it before */
    s->node = n;
    s->interval = interval;
    s->enabled = true;
    int rc = pthread_create(&s->worker, NULL, worker_main, s);
    s->has_worker = rc == 0;
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) log_warn("state root: no worker thread (%s); computing inline", strerror(rc));
    node_read *rd = NULL;
    petro_result r = node_read_begin(n, &rd);
    if (r != PETRO_OK) {
        log_error("state root: no snapshot for the start-up root: %s", petro_result_str(r));
        return;
    }
    hand_over(s, rd, 0);
}

/* Release the root's snapshot once the ledger file grew SNAP_GROWTH_MAX since the root: the
 * pages LMDB cannot reuse while it is open would otherwise grow the file for the whole
 * interval. Proofs of records unchanged since the root are still served (prove_locked). */
static void release_if_grown(stateroots *s, node *n) {
    uint64_t bytes = node_store_used_bytes(n);
    pthread_mutex_lock(&s->lock);
    node_read *old = NULL;
    uint64_t height = s->root.height;
    if (s->snap != NULL && bytes > s->snap_bytes + SNAP_GROWTH_MAX) {
        old = s->snap;
        s->snap = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    if (old != NULL) {
        node_read_end(old);
        log_info("state root: released the snapshot of height %" PRIu64 " (the ledger file grew "
                 "64 MiB since); records changed since then are proven after the next root",
                 height);
    }
}

void stateroot_after_block(stateroots *s, node *n, uint64_t height) {
    release_if_grown(s, n);
    pthread_mutex_lock(&s->lock);
    bool due = s->enabled && !s->is_stopping && height % s->interval == 0;
    pthread_mutex_unlock(&s->lock);
    if (!due) return;
    /* The caller has just committed height and commits nothing else meanwhile. */
    node_read *rd = NULL;
    petro_result r = node_read_begin(n, &rd);
    if (r != PETRO_OK) {
        log_error("state root: no snapshot at height %" PRIu64 ": %s", height,
                  petro_result_str(r));
        return;
    }
    hand_over(s, rd, height);
}

void stateroot_destroy(stateroots *s) {
    if (s == NULL) return;
    pthread_mutex_lock(&s->lock);
    s->is_stopping = true;
    bool join = s->has_worker;
    s->has_worker = false;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    if (join) pthread_join(s->worker, NULL);
    node_read_end(s->pending); /* the store is still open */
    node_read_end(s->snap);
    petro_state_tree_free(&s->tree);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

petro_result stateroot_latest(stateroots *s, petro_state_root *out) {
    pthread_mutex_lock(&s->lock);
    bool has = s->has_root;
    if (has) *out = s->root;
    pthread_mutex_unlock(&s->lock);
    return has ? PETRO_OK : PETRO_ERR_NOT_FOUND;
}

/* The bucket's records, read back from the current state. */
typedef struct bucket_read {
    uint32_t want, count;
    petro_hash leaves[PETRO_STATE_BUCKET_MAX];
    const uint8_t *key; /* the record asked for */
    size_t key_size;
    bool found;
    uint32_t at;
    uint8_t value[PETRO_STORE_VALUE_SIZE_MAX];
    size_t value_size;
    /* The bucket's first record, to tell "absent at the root" from "changed since". */
    uint8_t first_key[PETRO_STORE_KEY_SIZE_MAX];
    size_t first_key_size;
    uint8_t first_value[PETRO_STORE_VALUE_SIZE_MAX];
    size_t first_value_size;
} bucket_read;

static int bucket_cb(void *c, const uint8_t *key, size_t key_size, const uint8_t *value,
                     size_t value_size) {
    bucket_read *b = c;
    if (!petro_state_key_committed(key, key_size)) return 0; /* 'M' between 'A' and 'S' */
    if (value_size > PETRO_STORE_VALUE_SIZE_MAX) return 1;     /* count stays short: corrupt */
    PETROD_ASSERT(b->count < b->want);
    if (b->count == 0 && key_size <= sizeof b->first_key) {
        memcpy(b->first_key, key, key_size);
        b->first_key_size = key_size;
        memcpy(b->first_value, value, value_size);
        b->first_value_size = value_size;
    }
    if (key_size == b->key_size && memcmp(key, b->key, key_size) == 0) {
        b->found = true;
        b->at = b->count;
        memcpy(b->value, value, value_size);
        b->value_size = value_size;
    }
    petro_state_leaf(&b->leaves[b->count++], key, key_size, value, value_size);
    return b->count == b->want ? 1 : 0;
}

/* Under s->lock, with a root. */
static petro_result prove_locked(stateroots *s, const uint8_t *key, size_t key_size,
                                 petro_state_proof *out) {
    PETROD_ASSERT_HELD(&s->lock);
    uint64_t bucket, first;
    uint32_t count;
    if (!petro_state_tree_locate(&s->tree, key, key_size, &bucket, &first, &count)) {
        return PETRO_ERR_NOT_FOUND;
    }
    size_t from_size;
    const uint8_t *from = petro_state_tree_bucket_key(&s->tree, bucket, &from_size);
    bucket_read *b = calloc(1, sizeof *b);
    if (b == NULL) return PETRO_ERR_NOMEM;
    b->want = count;
    b->key = key;
    b->key_size = key_size;
    /* The root's own snapshot while it is kept (any record is provable), else the current
     * state (a record is provable while its bucket is unchanged since the root). */
    node_read *rd = s->snap;
    petro_result r = rd != NULL ? PETRO_OK : node_read_begin(s->node, &rd);
    if (r == PETRO_OK) r = node_read_state_from(rd, from, from_size, bucket_cb, b);
    if (rd != s->snap) node_read_end(rd);
    /* The bucket as it is now: the records at the root only if it hashes as it did then
     * (petro_state_tree_proof checks the bucket's node); otherwise one of them changed. */
    if (r == PETRO_OK && b->count != count) r = PETRO_ERR_CHANGED_SINCE_ROOT;
    if (r == PETRO_OK && b->found) {
        r = petro_state_tree_proof(out, &s->tree, &s->root, bucket, b->leaves, count, b->at, key,
                                   key_size, b->value, b->value_size);
    } else if (r == PETRO_OK) {
        r = petro_state_tree_proof(out, &s->tree, &s->root, bucket, b->leaves, count, 0,
                                   b->first_key, b->first_key_size, b->first_value,
                                   b->first_value_size);
        memset(out, 0, sizeof *out);
        if (r == PETRO_OK) r = PETRO_ERR_NOT_FOUND; /* the bucket is as at the root */
    }
    if (r == PETRO_ERR_CORRUPT) r = PETRO_ERR_CHANGED_SINCE_ROOT;
    free(b);
    return r;
}

petro_result stateroot_proof(stateroots *s, const uint8_t *key, size_t key_size,
                             petro_state_proof *out) {
    memset(out, 0, sizeof *out);
    if (!petro_state_key_committed(key, key_size)) return PETRO_ERR_NOT_FOUND;
    pthread_mutex_lock(&s->lock);
    petro_result r = s->has_root ? prove_locked(s, key, key_size, out) : PETRO_ERR_UNAVAILABLE;
    pthread_mutex_unlock(&s->lock);
    return r;
}
