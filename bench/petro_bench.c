/* petro-bench: load generator for a running petrod.
 *
 *   petro-bench --node URL --funder WALLET --accounts N --txs M [--connections C] [--batch B]
 *               [--rate R] [--window W] [--node-pid PID] [--seed S] [--timeout-s T] [--json]
 *
 * 1. Creates and funds N fresh accounts from the funder (a devnet wallet file, e.g.
 *    DATA/wallets/alice.json), 16 create_account operations per transaction, and waits until
 *    they are committed.
 * 2. Pre-signs M payments between random accounts (sequences consecutive per source) before
 *    the clock starts. All payments of one source go through one connection, in order, so the
 *    node's per-account chains always extend.
 * 3. Submits them through POST /v1/transactions/batch with C connections and B envelopes per
 *    request, at most W (default 20000) submitted but not yet committed (and, with --rate, at
 *    R tx/s). Funding keeps to the same window.
 *    "mempool_full" answers are back-pressure: those envelopes (and the ones of the same
 *    request that could not extend a chain because of them) are sent again. Any other
 *    rejection is counted and reported.
 * 4. A watcher reads every new block (GET /v1/blocks/H) and counts our payments in them:
 *    committed TPS comes from committed blocks, and submit-to-commit latency is the time from
 *    sending the request holding a payment to seeing the block that holds it.
 *
 * Last line: `committed_tps: <n> tx/s`. --json prints one JSON object instead. */
#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "petro/petro.h"
#include "wallet.h"

#define SLOT_SIZE 256u  /* bytes reserved per pre-signed envelope */
#define FUND_OPS 16u    /* create_account operations per funding transaction */
#define PROG "petro-bench"

typedef struct buf {
    char *data;
    size_t size, cap;
} buf;

static size_t buf_write(void *ptr, size_t size, size_t nmemb, void *ctx) {
    buf *b = ctx;
    size_t n = size * nmemb;
    if (b->size + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
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

/* fmt holds one %s for arg. */
static _Noreturn void fail(const char *fmt, const char *arg) {
    const char *at = strstr(fmt, "%s");
    fprintf(stderr, PROG ": %.*s%s%s\n", at ? (int)(at - fmt) : (int)strlen(fmt), fmt,
            at ? (arg ? arg : "") : "", at ? at + 2 : "");
    exit(1);
}

typedef struct http {
    CURL *curl;
    struct curl_slist *headers;
    buf resp;
} http;

static void http_init(http *h) {
    memset(h, 0, sizeof *h);
    h->curl = curl_easy_init();
    if (h->curl == NULL) fail("%s", "curl_easy_init failed");
    h->headers = curl_slist_append(NULL, "Content-Type: application/octet-stream");
    h->headers = curl_slist_append(h->headers, "Expect:");
    curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, buf_write);
    curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &h->resp);
    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h->curl, CURLOPT_TCP_NODELAY, 1L);
}

static void http_deinit(http *h) {
    curl_slist_free_all(h->headers);
    curl_easy_cleanup(h->curl);
    free(h->resp.data);
}

/* GET or (body != NULL) POST; returns the HTTP status, 0 on a transport error. The body of the
 * answer is in h->resp (NUL-terminated). */
static long http_do(http *h, const char *url, const void *body, size_t body_size) {
    h->resp.size = 0;
    if (h->resp.data != NULL) h->resp.data[0] = '\0';
    curl_easy_setopt(h->curl, CURLOPT_URL, url);
    if (body != NULL) {
        curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
        curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_size);
    } else {
        curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
    }
    if (curl_easy_perform(h->curl) != CURLE_OK) return 0;
    long status = 0;
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    if (h->resp.data == NULL) buf_write("", 1, 0, &h->resp);
    return status;
}

static json_t *http_get_json(http *h, const char *url, long *status) {
    *status = http_do(h, url, NULL, 0);
    if (*status == 0) return NULL;
    return json_loads(h->resp.data != NULL ? h->resp.data : "", 0, NULL);
}

/* Two counters of the node's /metrics: transactions committed and the producer thread's CPU
 * time. Their differences over the run give the producer capacity (bench/README.md). A node
 * without the metric leaves *cpu_us at 0. */
typedef struct producer_reading {
    uint64_t committed, cpu_us;
} producer_reading;

static uint64_t metric_value(const char *text, const char *name) {
    size_t len = strlen(name);
    const char *p = text;
    while (p != NULL && *p != '\0') {
        if (strncmp(p, name, len) == 0 && p[len] == ' ') return strtoull(p + len + 1, NULL, 10);
        p = strchr(p, '\n');
        if (p != NULL) p++;
    }
    return 0;
}

static producer_reading read_producer(http *h, const char *node) {
    char url[512];
    snprintf(url, sizeof url, "%s/metrics", node);
    producer_reading pr = {0, 0};
    if (http_do(h, url, NULL, 0) != 200 || h->resp.data == NULL) return pr;
    pr.committed = metric_value(h->resp.data, "petro_txs_committed_total");
    pr.cpu_us = metric_value(h->resp.data, "petro_producer_cpu_microseconds_total");
    return pr;
}

/* ------------------------------------------------------------------ the run */

typedef struct options {
    const char *node, *funder;
    uint64_t accounts, txs, connections, batch, rate, window, node_pid, seed, timeout_s;
    bool json;
} options;

typedef struct run {
    options o;
    petro_hash network_id;
    uint8_t net_kind;
    /* accounts */
    petro_pubkey *pks;
    petro_seckey *sks;
    /* payments: envelope i in slots[i * SLOT_SIZE], sizes[i] bytes */
    uint8_t *slots;
    uint16_t *sizes;
    petro_hash *ids;
    uint32_t *src;                 /* source account of payment i */
    _Atomic uint64_t *submit_ns;   /* first time payment i was sent (read by the watcher) */
    uint32_t *latency_us;          /* submit -> commit seen; filled in commit order */
    _Atomic uint8_t *state;        /* 0 pending, 1 committed, 2 rejected */
    /* per connection: the payment indices in order */
    uint32_t **conn_list;
    size_t *conn_count;
    /* id -> index + 1 (open addressing) */
    uint32_t *table;
    size_t table_mask;
    /* progress */
    _Atomic uint64_t submitted, committed, rejected, retried;
    _Atomic bool stop;
    uint64_t start_ns, last_commit_ns;
    uint64_t start_height;
    size_t latency_count;
    char first_reject[64];
    pthread_mutex_t lock;
} run;

static size_t table_slot(const petro_hash *id) {
    uint64_t v;
    memcpy(&v, id->bytes, sizeof v);
    return (size_t)v;
}

static void table_put(run *r, uint32_t index) {
    size_t i = table_slot(&r->ids[index]) & r->table_mask;
    while (r->table[i] != 0) i = (i + 1) & r->table_mask;
    r->table[i] = index + 1;
}

static int64_t table_find(const run *r, const petro_hash *id) {
    size_t i = table_slot(id) & r->table_mask;
    while (r->table[i] != 0) {
        uint32_t idx = r->table[i] - 1;
        if (petro_hash_equal(&r->ids[idx], id)) return idx;
        i = (i + 1) & r->table_mask;
    }
    return -1;
}

/* ------------------------------------------------------------------ setup */

typedef struct keygen_job {
    run *r;
    uint64_t from, to;
} keygen_job;

static void account_seed(uint8_t out[32], uint64_t seed, uint64_t i) {
    uint8_t in[32] = "petro-bench-account-seed";
    memcpy(in + 16, &seed, sizeof seed);
    memcpy(in + 24, &i, sizeof i);
    petro_hash h;
    petro_hash_bytes(&h, in, sizeof in);
    memcpy(out, h.bytes, 32);
}

static void *keygen_main(void *arg) {
    keygen_job *j = arg;
    for (uint64_t i = j->from; i < j->to; i++) {
        uint8_t seed[32];
        account_seed(seed, j->r->o.seed, i);
        if (petro_keypair_from_seed(&j->r->pks[i], &j->r->sks[i], seed) != PETRO_OK) {
            fail("%s", "key generation failed");
        }
    }
    return NULL;
}

typedef struct sign_job {
    run *r;
    uint64_t from, to;
    const uint32_t *dst;
    const uint64_t *seq;
} sign_job;

static void *sign_main(void *arg) {
    sign_job *j = arg;
    run *r = j->r;
    petro_tx *tx = calloc(1, sizeof *tx);
    if (tx == NULL) fail("%s", "out of memory");
    for (uint64_t i = j->from; i < j->to; i++) {
        uint32_t s = r->src[i];
        tx->version = PETRO_TX_VERSION;
        tx->network_id = r->network_id;
        tx->source = r->pks[s];
        tx->sequence = j->seq[i];
        tx->fee = PETRO_BASE_FEE;
        tx->op_count = 1;
        tx->ops[0].type = PETRO_OP_PAYMENT;
        tx->ops[0].u.payment.destination = r->pks[j->dst[i]];
        tx->ops[0].u.payment.asset = petro_asset_native();
        tx->ops[0].u.payment.amount = 1;
        tx->sig_count = 0;
        size_t size = 0;
        if (petro_tx_sign(tx, &r->pks[s], &r->sks[s]) != PETRO_OK ||
            petro_tx_id(&r->ids[i], tx) != PETRO_OK ||
            petro_tx_encode(r->slots + i * SLOT_SIZE, SLOT_SIZE, &size, tx) != PETRO_OK) {
            fail("%s", "cannot sign a payment");
        }
        r->sizes[i] = (uint16_t)size;
    }
    free(tx);
    return NULL;
}

static void run_parallel(void *(*fn)(void *), void *jobs, size_t job_size, unsigned count) {
    pthread_t *t = calloc(count, sizeof *t);
    if (t == NULL) fail("%s", "out of memory");
    for (unsigned i = 0; i < count; i++) {
        if (pthread_create(&t[i], NULL, fn, (char *)jobs + i * job_size) != 0) {
            fail("%s", "cannot start a thread");
        }
    }
    for (unsigned i = 0; i < count; i++) pthread_join(t[i], NULL);
    free(t);
}

/* Parse the node's batch answer. For each rejected index call back. Returns false if the
 * answer is not the documented one. */
typedef struct reject {
    size_t index;
    petro_result code;
} reject;

static bool parse_batch_answer(const char *text, reject *rejects, size_t *reject_count,
                               size_t cap, bool *truncated) {
    json_t *j = json_loads(text, 0, NULL);
    if (j == NULL) return false;
    json_t *list = json_object_get(j, "rejected");
    *truncated = json_is_true(json_object_get(j, "rejected_truncated"));
    *reject_count = 0;
    bool ok = json_is_array(list);
    for (size_t i = 0; ok && i < json_array_size(list) && *reject_count < cap; i++) {
        json_t *e = json_array_get(list, i);
        json_t *idx = json_object_get(e, "index");
        const char *name = json_string_value(json_object_get(e, "error"));
        petro_result code = PETRO_ERR_MALFORMED;
        if (!json_is_integer(idx) || name == NULL) {
            ok = false;
            break;
        }
        if (petro_result_from_name(&code, name) != 0) code = PETRO_ERR_MALFORMED;
        rejects[*reject_count].index = (size_t)json_integer_value(idx);
        rejects[(*reject_count)++].code = code;
    }
    json_decref(j);
    return ok;
}

/* Submit envelopes idx[0..count) in one request; envelopes rejected for back-pressure are
 * moved to the front of idx and their number returned (the caller sends them again). */
static size_t submit_once(run *r, http *h, const char *url, uint8_t *body, uint32_t *idx,
                          size_t count, reject *rejects) {
    size_t off = 0;
    for (size_t k = 0; k < count; k++) {
        uint32_t i = idx[k];
        uint32_t size = r->sizes[i];
        body[off] = (uint8_t)size;
        body[off + 1] = (uint8_t)(size >> 8);
        body[off + 2] = 0;
        body[off + 3] = 0;
        memcpy(body + off + 4, r->slots + (size_t)i * SLOT_SIZE, size);
        off += 4 + size;
    }
    uint64_t now = bench_now_ns();
    for (size_t k = 0; k < count; k++) {
        if (r->submit_ns[idx[k]] == 0) r->submit_ns[idx[k]] = now;
    }
    long status = http_do(h, url, body, off);
    if (status != 200) {
        fprintf(stderr, PROG ": batch request failed (HTTP %ld): %s\n", status,
                h->resp.data ? h->resp.data : "");
        exit(1);
    }
    size_t nrej = 0;
    bool truncated = false;
    if (!parse_batch_answer(h->resp.data, rejects, &nrej, count, &truncated) || truncated) {
        fprintf(stderr, PROG ": unexpected batch answer: %.200s\n", h->resp.data);
        exit(1);
    }
    bool backpressure = false;
    for (size_t k = 0; k < nrej; k++) {
        if (rejects[k].code == PETRO_ERR_MEMPOOL_FULL) backpressure = true;
    }
    size_t again = 0;
    for (size_t k = 0; k < nrej; k++) {
        uint32_t i = idx[rejects[k].index];
        petro_result code = rejects[k].code;
        if (backpressure && (code == PETRO_ERR_MEMPOOL_FULL || code == PETRO_ERR_BAD_SEQUENCE)) {
            idx[again++] = i; /* rejects are in ascending index order: chain order kept */
            continue;
        }
        atomic_store(&r->state[i], 2);
        atomic_fetch_add(&r->rejected, 1);
        pthread_mutex_lock(&r->lock);
        if (r->first_reject[0] == '\0') {
            snprintf(r->first_reject, sizeof r->first_reject, "%s", petro_result_name(code));
        }
        pthread_mutex_unlock(&r->lock);
    }
    atomic_fetch_add(&r->submitted, count - again);
    if (again > 0) atomic_fetch_add(&r->retried, again);
    return again;
}

typedef struct conn_job {
    run *r;
    size_t conn;
} conn_job;

static void sleep_ns(uint64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    nanosleep(&ts, NULL);
}

static void *conn_main(void *arg) {
    conn_job *j = arg;
    run *r = j->r;
    http h;
    http_init(&h);
    char url[512];
    snprintf(url, sizeof url, "%s/v1/transactions/batch", r->o.node);
    size_t batch = (size_t)r->o.batch;
    uint8_t *body = malloc(batch * (SLOT_SIZE + 4));
    uint32_t *idx = malloc(batch * sizeof *idx);
    reject *rejects = malloc(batch * sizeof *rejects);
    if (body == NULL || idx == NULL || rejects == NULL) fail("%s", "out of memory");
    const uint32_t *list = r->conn_list[j->conn];
    size_t total = r->conn_count[j->conn], pos = 0;
    double conn_rate = r->o.rate > 0 ? (double)r->o.rate / (double)r->o.connections : 0;
    while (pos < total && !atomic_load(&r->stop)) {
        size_t count = total - pos < batch ? total - pos : batch;
        if (conn_rate > 0) {
            uint64_t due = r->start_ns + (uint64_t)((double)pos * 1e9 / conn_rate);
            uint64_t now = bench_now_ns();
            if (due > now) sleep_ns(due - now);
        }
        /* Window: at most W submitted and not yet committed (or rejected). */
        while (!atomic_load(&r->stop) &&
               atomic_load(&r->submitted) >= atomic_load(&r->committed) + r->o.window) {
            sleep_ns(1000000);
        }
        memcpy(idx, list + pos, count * sizeof *idx);
        size_t n = count;
        unsigned tries = 0;
        while (n > 0 && !atomic_load(&r->stop)) {
            n = submit_once(r, &h, url, body, idx, n, rejects);
            if (n > 0) {
                if (++tries > 20000) fail("%s", "node stays full (mempool_full) for too long");
                sleep_ns(5000000);
            }
        }
        pos += count;
    }
    free(body);
    free(idx);
    free(rejects);
    http_deinit(&h);
    return NULL;
}

/* Watch committed blocks from start_height + 1 and count our payments. */
static void *watch_main(void *arg) {
    run *r = arg;
    http h;
    http_init(&h);
    uint64_t height = r->start_height + 1;
    char url[512];
    while (!atomic_load(&r->stop)) {
        snprintf(url, sizeof url, "%s/v1/blocks/%" PRIu64, r->o.node, height);
        long status = 0;
        json_t *j = http_get_json(&h, url, &status);
        uint64_t now = bench_now_ns();
        if (status == 404 || j == NULL) {
            json_decref(j);
            sleep_ns(2000000);
            continue;
        }
        if (status != 200) fail("block read failed: %s", h.resp.data ? h.resp.data : "");
        json_t *list = json_object_get(j, "transactions");
        size_t found = 0;
        for (size_t k = 0; k < json_array_size(list); k++) {
            const char *hex = json_string_value(json_array_get(list, k));
            petro_hash id;
            if (hex == NULL || petro_hex_decode(id.bytes, 32, hex, strlen(hex)) != PETRO_OK) {
                fail("%s", "bad transaction id in a block");
            }
            int64_t i = table_find(r, &id);
            if (i < 0) continue;
            uint8_t expect = 0;
            if (!atomic_compare_exchange_strong(&r->state[i], &expect, 1)) continue;
            uint64_t lat = now - r->submit_ns[i];
            r->latency_us[r->latency_count++] = (uint32_t)(lat / 1000u);
            found++;
        }
        json_decref(j);
        if (found > 0) {
            r->last_commit_ns = now;
            atomic_fetch_add(&r->committed, found);
        }
        height++;
    }
    http_deinit(&h);
    return NULL;
}

/* ------------------------------------------------------------------ funding */

static json_t *get_account(http *h, const run *r, const petro_pubkey *pk, long *status) {
    char addr[PETRO_ADDRESS_SIZE_MAX], url[600];
    petro_address_encode(addr, pk, r->net_kind);
    snprintf(url, sizeof url, "%s/v1/accounts/%s", r->o.node, addr);
    return http_get_json(h, url, status);
}

/* The funder's committed sequence (0 if unreadable). */
static uint64_t committed_sequence(http *h, const run *r, const petro_pubkey *pk) {
    long status = 0;
    json_t *acct = get_account(h, r, pk, &status);
    uint64_t seq = acct ? (uint64_t)json_integer_value(json_object_get(acct, "sequence")) : 0;
    json_decref(acct);
    return seq;
}

static void fund_accounts(run *r, http *h, const wallet_key *funder) {
    long status = 0;
    json_t *acct = get_account(h, r, &funder->pk, &status);
    if (status != 200 || acct == NULL) fail("cannot read the funder's account: %s", h->resp.data);
    uint64_t seq = (uint64_t)json_integer_value(json_object_get(acct, "next_sequence"));
    json_t *bal0 = json_array_get(json_object_get(acct, "balances"), 0);
    const char *bal_text = json_string_value(json_object_get(bal0, "balance"));
    petro_amount balance = 0;
    if (seq == 0 || bal_text == NULL ||
        petro_amount_parse(&balance, bal_text, strlen(bal_text), false) != PETRO_OK) {
        fail("%s", "unexpected account answer for the funder");
    }
    json_decref(acct);
    uint64_t n = r->o.accounts;
    uint64_t fund_txs = (n + FUND_OPS - 1) / FUND_OPS;
    petro_amount fees = (petro_amount)(n * PETRO_BASE_FEE);
    /* Enough for the busiest account: fee + 1 base unit per payment, with a wide margin. */
    uint64_t per_acct = r->o.txs / n;
    petro_amount need = (petro_amount)((per_acct * 4 + 64) * (PETRO_BASE_FEE + 1));
    petro_amount each = (balance - fees) / (petro_amount)n / 2;
    if (each > 10 * PETRO_UNIT) each = 10 * PETRO_UNIT;
    if (each < need) fail("%s", "the funder has too little PTR for this many accounts/txs");

    uint8_t *body = malloc((size_t)r->o.batch * (PETRO_TX_SIZE_MAX + 4));
    petro_tx *tx = calloc(1, sizeof *tx);
    reject *rejects = malloc((size_t)r->o.batch * sizeof *rejects);
    if (body == NULL || tx == NULL || rejects == NULL) fail("%s", "out of memory");
    char url[512];
    snprintf(url, sizeof url, "%s/v1/transactions/batch", r->o.node);
    uint64_t created = 0, last_seq = seq - 1;
    for (uint64_t t = 0; t < fund_txs;) {
        /* The same window as the payments: at most W funding transactions pending. */
        while (t > 0 && (seq + t - 1) - committed_sequence(h, r, &funder->pk) >= r->o.window) {
            sleep_ns(10000000);
        }
        size_t off = 0, count = 0;
        while (count < r->o.batch && t < fund_txs) {
            memset(tx, 0, sizeof *tx);
            tx->version = PETRO_TX_VERSION;
            tx->network_id = r->network_id;
            tx->source = funder->pk;
            tx->sequence = seq + t;
            while (tx->op_count < FUND_OPS && created < n) {
                petro_op *op = &tx->ops[tx->op_count++];
                op->type = PETRO_OP_CREATE_ACCOUNT;
                op->u.create_account.destination = r->pks[created++];
                op->u.create_account.starting_balance = each;
            }
            tx->fee = PETRO_BASE_FEE * tx->op_count;
            size_t size = 0;
            if (petro_tx_sign(tx, &funder->pk, funder->sk) != PETRO_OK ||
                petro_tx_encode(body + off + 4, PETRO_TX_SIZE_MAX, &size, tx) != PETRO_OK) {
                fail("%s", "cannot sign a funding transaction");
            }
            body[off] = (uint8_t)size;
            body[off + 1] = (uint8_t)(size >> 8);
            body[off + 2] = 0;
            body[off + 3] = 0;
            off += 4 + size;
            last_seq = tx->sequence;
            count++;
            t++;
        }
        for (unsigned tries = 0;; tries++) {
            long st = http_do(h, url, body, off);
            size_t nrej = 0;
            bool truncated = false;
            if (st != 200 || !parse_batch_answer(h->resp.data, rejects, &nrej, count, &truncated)) {
                fail("funding batch failed: %s", h->resp.data ? h->resp.data : "");
            }
            if (nrej == 0) break;
            if (rejects[0].code != PETRO_ERR_MEMPOOL_FULL || rejects[0].index != 0 ||
                tries > 2000) {
                fail("funding transaction rejected: %s", petro_result_name(rejects[0].code));
            }
            /* Nothing of this request was admitted only if the first one was refused for
             * back-pressure; a partial admission would break the chain. */
            if (nrej != count) fail("%s", "funding batch partly admitted under back-pressure");
            sleep_ns(20000000);
        }
    }
    free(body);
    free(tx);
    free(rejects);
    /* Wait until the last funding transaction is committed. */
    uint64_t deadline = bench_now_ns() + r->o.timeout_s * 1000000000u;
    for (;;) {
        if (committed_sequence(h, r, &funder->pk) >= last_seq) break;
        if (bench_now_ns() > deadline) fail("%s", "funding did not commit in time");
        sleep_ns(20000000);
    }
}

/* ------------------------------------------------------------------ main */

/* From /proc/PID/status: peak RSS (VmHWM) and the current split of RSS into anonymous memory
 * (heap: mempool, buffers) and file-backed pages (LMDB's memory map), all in KiB. */
typedef struct node_mem {
    uint64_t peak_kib, anon_kib, file_kib;
} node_mem;

static node_mem read_node_mem(uint64_t pid) {
    node_mem m = {0, 0, 0};
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%" PRIu64 "/status", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return m;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0) m.peak_kib = strtoull(line + 6, NULL, 10);
        if (strncmp(line, "RssAnon:", 8) == 0) m.anon_kib = strtoull(line + 8, NULL, 10);
        if (strncmp(line, "RssFile:", 8) == 0) m.file_kib = strtoull(line + 8, NULL, 10);
    }
    fclose(f);
    return m;
}

static void sodium_memzero_fallback(void *p, size_t size) {
    volatile uint8_t *b = p;
    for (size_t i = 0; i < size; i++) b[i] = 0;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_ms(const uint32_t *sorted, size_t n, double p) {
    if (n == 0) return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return (double)sorted[i] / 1000.0;
}

static void usage(void) {
    fprintf(stderr,
            "usage: petro-bench --node URL --funder WALLET --accounts N --txs M\n"
            "                   [--connections C] [--batch B] [--rate R] [--window W]\n"
            "                   [--node-pid PID] [--seed S] [--timeout-s T] [--json]\n");
    exit(2);
}

int main(int argc, char **argv) {
    run *r = calloc(1, sizeof *r);
    if (r == NULL) return 1;
    options *o = &r->o;
    o->accounts = 1000;
    o->txs = 10000;
    o->connections = 4;
    o->batch = 500;
    o->window = 20000;
    /* Fresh accounts on every run unless --seed repeats one (two runs in one second too). */
    uint64_t seed_mix = (uint64_t)time(NULL) ^ bench_now_ns() ^ ((uint64_t)getpid() << 32);
    o->seed = bench_rand(&seed_mix);
    o->timeout_s = 60;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--json") == 0) {
            o->json = true;
            continue;
        }
        if (v == NULL) usage();
        i++;
        if (strcmp(a, "--node") == 0) o->node = v;
        else if (strcmp(a, "--funder") == 0) o->funder = v;
        else if (strcmp(a, "--accounts") == 0)
            o->accounts = bench_parse_u64(PROG, a, v, 2, 10000000);
        else if (strcmp(a, "--txs") == 0) o->txs = bench_parse_u64(PROG, a, v, 1, 100000000);
        else if (strcmp(a, "--connections") == 0)
            o->connections = bench_parse_u64(PROG, a, v, 1, 256);
        else if (strcmp(a, "--batch") == 0) o->batch = bench_parse_u64(PROG, a, v, 1, 1000);
        else if (strcmp(a, "--rate") == 0) o->rate = bench_parse_u64(PROG, a, v, 0, 100000000);
        else if (strcmp(a, "--window") == 0) o->window = bench_parse_u64(PROG, a, v, 1, 100000000);
        else if (strcmp(a, "--node-pid") == 0)
            o->node_pid = bench_parse_u64(PROG, a, v, 1, UINT32_MAX);
        else if (strcmp(a, "--seed") == 0) o->seed = bench_parse_u64(PROG, a, v, 0, UINT64_MAX);
        else if (strcmp(a, "--timeout-s") == 0)
            o->timeout_s = bench_parse_u64(PROG, a, v, 1, 86400);
        else usage();
    }
    if (o->node == NULL || o->funder == NULL) usage();
    if (petro_crypto_init() != PETRO_OK) fail("%s", "crypto init failed");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_mutex_init(&r->lock, NULL);
    http h;
    http_init(&h);

    /* The network. */
    char url[512];
    snprintf(url, sizeof url, "%s/v1/status", o->node);
    long status = 0;
    json_t *st = http_get_json(&h, url, &status);
    const char *net_hex = json_string_value(json_object_get(st, "network_id"));
    const char *kind = json_string_value(json_object_get(st, "net_kind"));
    if (status != 200 || net_hex == NULL || kind == NULL ||
        petro_hex_decode(r->network_id.bytes, 32, net_hex, strlen(net_hex)) != PETRO_OK) {
        fail("cannot read %s", url);
    }
    r->net_kind = strcmp(kind, "test") == 0 ? PETRO_NET_TEST : PETRO_NET_MAIN;
    json_decref(st);

    wallet_key funder;
    memset(&funder, 0, sizeof funder);
    if (wallet_read(&funder, o->funder, NULL) != PETRO_OK) fail("cannot read wallet %s", o->funder);

    unsigned cores = bench_cores();
    uint64_t n = o->accounts, m = o->txs;
    uint64_t t0 = bench_now_ns();
    r->pks = calloc(n, sizeof *r->pks);
    r->sks = calloc(n, sizeof *r->sks);
    if (r->pks == NULL || r->sks == NULL) fail("%s", "out of memory");
    keygen_job *kj = calloc(cores, sizeof *kj);
    for (unsigned c = 0; c < cores; c++)
        kj[c] = (keygen_job){r, n * c / cores, n * (c + 1) / cores};
    run_parallel(keygen_main, kj, sizeof *kj, cores);
    free(kj);
    fund_accounts(r, &h, &funder);
    wallet_key_deinit(&funder);
    double fund_s = (double)(bench_now_ns() - t0) / 1e9;

    /* Pre-sign the payments. */
    t0 = bench_now_ns();
    r->slots = malloc(m * SLOT_SIZE);
    r->sizes = calloc(m, sizeof *r->sizes);
    r->ids = calloc(m, sizeof *r->ids);
    r->src = calloc(m, sizeof *r->src);
    r->submit_ns = calloc(m, sizeof *r->submit_ns);
    r->latency_us = calloc(m, sizeof *r->latency_us);
    r->state = calloc(m, sizeof *r->state);
    uint32_t *dst = calloc(m, sizeof *dst);
    uint64_t *seq = calloc(m, sizeof *seq);
    uint64_t *next_seq = calloc(n, sizeof *next_seq);
    size_t table_size = 1;
    while (table_size < m * 2) table_size *= 2;
    r->table = calloc(table_size, sizeof *r->table);
    r->table_mask = table_size - 1;
    r->conn_list = calloc(o->connections, sizeof *r->conn_list);
    r->conn_count = calloc(o->connections, sizeof *r->conn_count);
    if (r->slots == NULL || r->sizes == NULL || r->ids == NULL || r->src == NULL ||
        r->submit_ns == NULL || r->latency_us == NULL || r->state == NULL || dst == NULL ||
        seq == NULL || next_seq == NULL || r->table == NULL || r->conn_list == NULL ||
        r->conn_count == NULL) {
        fail("%s", "out of memory");
    }
    uint64_t rng = o->seed ^ UINT64_C(0x5bd1e995);
    for (uint64_t i = 0; i < m; i++) {
        uint64_t s = bench_rand(&rng) % n;
        uint64_t d = bench_rand(&rng) % (n - 1);
        if (d >= s) d++;
        r->src[i] = (uint32_t)s;
        dst[i] = (uint32_t)d;
        seq[i] = 1 + next_seq[s]++; /* new accounts start at sequence 0 */
        r->conn_count[s % o->connections]++;
    }
    for (size_t c = 0; c < o->connections; c++) {
        r->conn_list[c] = malloc((r->conn_count[c] + 1) * sizeof *r->conn_list[c]);
        if (r->conn_list[c] == NULL) fail("%s", "out of memory");
        r->conn_count[c] = 0;
    }
    for (uint64_t i = 0; i < m; i++) {
        size_t c = r->src[i] % o->connections;
        r->conn_list[c][r->conn_count[c]++] = (uint32_t)i;
    }
    sign_job *sj = calloc(cores, sizeof *sj);
    for (unsigned c = 0; c < cores; c++) {
        sj[c] = (sign_job){r, m * c / cores, m * (c + 1) / cores, dst, seq};
    }
    run_parallel(sign_main, sj, sizeof *sj, cores);
    free(sj);
    for (uint64_t i = 0; i < m; i++) table_put(r, (uint32_t)i);
    free(dst);
    free(seq);
    free(next_seq);
    double sign_s = (double)(bench_now_ns() - t0) / 1e9;

    /* The clock starts. */
    snprintf(url, sizeof url, "%s/v1/status", o->node);
    st = http_get_json(&h, url, &status);
    if (status != 200 || st == NULL) fail("cannot read %s", url);
    r->start_height = (uint64_t)json_integer_value(json_object_get(st, "height"));
    json_decref(st);
    producer_reading pr0 = read_producer(&h, o->node);
    r->start_ns = bench_now_ns();
    pthread_t watcher;
    if (pthread_create(&watcher, NULL, watch_main, r) != 0) fail("%s", "cannot start a thread");
    conn_job *cj = calloc(o->connections, sizeof *cj);
    for (size_t c = 0; c < o->connections; c++) cj[c] = (conn_job){r, c};
    run_parallel(conn_main, cj, sizeof *cj, (unsigned)o->connections);
    free(cj);
    uint64_t submit_end = bench_now_ns();
    /* Wait for the blocks: until every admitted payment is seen, or no progress for T s. */
    uint64_t last_progress = bench_now_ns(), last_committed = 0;
    for (;;) {
        uint64_t c = atomic_load(&r->committed);
        if (c + atomic_load(&r->rejected) >= m) break;
        if (c != last_committed) {
            last_committed = c;
            last_progress = bench_now_ns();
        } else if (bench_now_ns() - last_progress > o->timeout_s * 1000000000u) {
            break;
        }
        sleep_ns(5000000);
    }
    atomic_store(&r->stop, true);
    pthread_join(watcher, NULL);
    producer_reading pr1 = read_producer(&h, o->node);
    /* Committed transactions per second of producer-thread CPU: what one node would commit if
     * signature checks and HTTP had enough cores of their own. */
    double producer_cpu_s = (double)(pr1.cpu_us - pr0.cpu_us) / 1e6;
    /* Not measured (0) unless both readings found the metric. */
    double capacity = pr0.cpu_us > 0 && pr1.cpu_us > pr0.cpu_us && pr1.committed >= pr0.committed
                          ? (double)(pr1.committed - pr0.committed) / producer_cpu_s
                          : 0;

    uint64_t committed = atomic_load(&r->committed), rejected = atomic_load(&r->rejected);
    uint64_t missing = m - committed - rejected;
    double elapsed = (double)((r->last_commit_ns > r->start_ns ? r->last_commit_ns : submit_end) -
                              r->start_ns) / 1e9;
    double tps = elapsed > 0 ? (double)committed / elapsed : 0;
    qsort(r->latency_us, r->latency_count, sizeof *r->latency_us, cmp_u32);
    double p50 = percentile_ms(r->latency_us, r->latency_count, 0.50);
    double p99 = percentile_ms(r->latency_us, r->latency_count, 0.99);
    double p999 = percentile_ms(r->latency_us, r->latency_count, 0.999);
    node_mem mem = o->node_pid ? read_node_mem(o->node_pid) : (node_mem){0, 0, 0};
    uint64_t rss_kib = mem.peak_kib;
    if (o->json) {
        printf("{\"accounts\":%" PRIu64 ",\"txs\":%" PRIu64 ",\"connections\":%" PRIu64
               ",\"batch\":%" PRIu64 ",\"rate\":%" PRIu64 ",\"window\":%" PRIu64
               ",\"setup_seconds\":%.2f,\"sign_seconds\":%.2f,\"seconds\":%.3f,"
               "\"committed\":%" PRIu64 ",\"rejected\":%" PRIu64 ",\"missing\":%" PRIu64
               ",\"backpressure_resends\":%" PRIu64 ",\"latency_ms\":{\"p50\":%.1f,\"p99\":%.1f,"
               "\"p999\":%.1f},\"node_peak_rss_mib\":%.1f,\"node_rss_anon_mib\":%.1f,"
               "\"node_rss_file_mib\":%.1f,\"producer_cpu_seconds\":%.3f,"
               "\"producer_capacity_tps\":%.0f,\"committed_tps\":%.0f}\n",
               n, m, o->connections, o->batch, o->rate, o->window, fund_s, sign_s, elapsed,
               committed, rejected, missing, atomic_load(&r->retried), p50, p99, p999,
               (double)rss_kib / 1024.0, (double)mem.anon_kib / 1024.0,
               (double)mem.file_kib / 1024.0, producer_cpu_s, capacity, tps);
    } else {
        printf("accounts %" PRIu64 " (created and funded in %.1f s), payments %" PRIu64
               " (signed in %.1f s), connections %" PRIu64 ", batch %" PRIu64 ", rate %s\n",
               n, fund_s, m, sign_s, o->connections, o->batch, o->rate ? "fixed" : "max");
        if (o->rate) printf("offered_rate: %" PRIu64 " tx/s\n", o->rate);
        printf("committed: %" PRIu64 " in %.3f s\n", committed, elapsed);
        printf("rejected: %" PRIu64 "%s%s\n", rejected, r->first_reject[0] ? " first: " : "",
               r->first_reject);
        printf("missing: %" PRIu64 " (admitted, never seen in a block)\n", missing);
        printf("backpressure_resends: %" PRIu64 "\n", atomic_load(&r->retried));
        printf("latency_p50: %.1f ms\nlatency_p99: %.1f ms\nlatency_p999: %.1f ms\n", p50, p99,
               p999);
        if (rss_kib) {
            printf("node_rss_now: anon %.1f MiB, file-backed (LMDB map) %.1f MiB\n",
                   (double)mem.anon_kib / 1024.0, (double)mem.file_kib / 1024.0);
            printf("node_peak_rss: %.1f MiB\n", (double)rss_kib / 1024.0);
        }
        if (capacity > 0) {
            printf("producer_cpu: %.3f s\nproducer_capacity: %.0f tx/s of producer CPU\n",
                   producer_cpu_s, capacity);
        }
        printf("committed_tps: %.0f tx/s\n", tps);
    }
    http_deinit(&h);
    curl_global_cleanup();
    for (size_t c = 0; c < o->connections; c++) free(r->conn_list[c]);
    free(r->conn_list);
    free(r->conn_count);
    free(r->table);
    free(r->slots);
    free(r->sizes);
    free(r->ids);
    free(r->src);
    free((void *)r->submit_ns);
    free(r->latency_us);
    free((void *)r->state);
    free(r->pks);
    sodium_memzero_fallback(r->sks, n * sizeof *r->sks);
    free(r->sks);
    pthread_mutex_destroy(&r->lock);
    free(r);
    return missing == 0 && rejected == 0 ? 0 : 3;
}
