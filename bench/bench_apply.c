/* bench-apply: the core state machine alone (libpetro ledger over the in-memory store).
 * Payments applied per second on one core between N accounts: no signatures (every signature
 * is taken as verified), no I/O. A block is begin + apply_tx per payment + finish (roots and
 * state hash) + commit into the store, and all of it is timed; building the transactions is
 * not. Every payment must succeed and the invariants must hold at the end (else exit 1).
 *
 * The protocol's own hashing floor, measured in the same run: after each timed block, the
 * BLAKE2b work the protocol requires of that block (docs/protocol.md: the three Merkle roots,
 * one result leaf per transaction, the state hash over every record the block wrote, the
 * block hash) is done again on the same bytes, timed on its own, and checked against the
 * ledger's. Transaction ids and witness leaves are computed with the transactions, untimed:
 * petrod computes both on the thread that admits a transaction, in parallel, and its producer
 * only copies them (petro_ledger_apply_tx_witnessed). No implementation of these rules applies payments faster than that on this
 * machine, so it is the ceiling for this figure. The records are captured by a thin wrapper around the store's put/del (a copy of each record
 * the commit writes, inside the timed part: a few hundred bytes per payment).
 *
 *   bench-apply [--accounts N] [--payments M] [--block B] [--seed S] [--json]
 *
 * Last line: `apply_payments_per_sec: <n> payments/s`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "petro/petro.h"

#define START_TS 1700000000000ull

static void die(const char *what, petro_result r) {
    fprintf(stderr, "bench-apply: %s: %s\n", what, petro_result_name(r));
    exit(1);
}

static petro_pubkey account_key(uint64_t i) {
    uint8_t in[16] = "bench-apply-acc";
    memcpy(in + 8, &i, sizeof i);
    petro_hash h;
    petro_hash_bytes(&h, in, sizeof in);
    petro_pubkey pk;
    memcpy(pk.bytes, h.bytes, sizeof pk.bytes);
    return pk;
}

static void tx_init(petro_tx *tx, const petro_hash *net, const petro_pubkey *source,
                    uint64_t sequence) {
    /* Only the fields a transaction uses: the rest of petro_tx is never read. */
    tx->version = PETRO_TX_VERSION;
    tx->network_id = *net;
    tx->source = *source;
    tx->sequence = sequence;
    tx->valid_after_ms = 0;
    tx->valid_until_ms = 0;
    tx->memo_size = 0;
    tx->sig_count = 1;
    tx->sigs[0].key = *source;
    memset(tx->sigs[0].sig.bytes, 0, sizeof tx->sigs[0].sig.bytes);
}

/* The records one commit wrote, in the state hash's framing (docs/protocol.md "State hash":
 * u16 key size, key, present, then u32 value size and value if present), one after another;
 * the tip's metadata key, which the state hash leaves out, is not recorded. */
typedef struct recorder {
    petro_store inner;
    uint8_t *bytes;
    size_t size, cap;
    uint32_t *ends; /* end offset of each record */
    size_t count, ends_cap;
    bool failed;
} recorder;

static void rec_append(recorder *r, const uint8_t *key, size_t key_size, const uint8_t *value,
                       size_t value_size, bool present) {
    if (key_size > 0 && key[0] == (uint8_t)'M') return;
    size_t need = 2 + key_size + 1 + (present ? 4 + value_size : 0);
    if (r->failed || r->size + need > UINT32_MAX) { /* offsets are u32; checked per block */
        r->failed = true;
        return;
    }
    if (r->size + need > r->cap) {
        size_t cap = r->cap * 2 + need;
        uint8_t *bytes = realloc(r->bytes, cap);
        if (bytes == NULL) {
            r->failed = true;
            return;
        }
        r->bytes = bytes;
        r->cap = cap;
    }
    if (r->count == r->ends_cap) {
        size_t ends_cap = r->ends_cap * 2 + 64;
        uint32_t *ends = realloc(r->ends, ends_cap * sizeof *ends);
        if (ends == NULL) {
            r->failed = true;
            return;
        }
        r->ends = ends;
        r->ends_cap = ends_cap;
    }
    uint8_t *p = r->bytes + r->size;
    p[0] = (uint8_t)key_size;
    p[1] = (uint8_t)(key_size >> 8);
    memcpy(p + 2, key, key_size);
    p += 2 + key_size;
    *p++ = present ? 1 : 0;
    if (present) {
        for (int i = 0; i < 4; i++) p[i] = (uint8_t)(value_size >> (8 * i));
        if (value_size > 0) memcpy(p + 4, value, value_size);
    }
    r->size += need;
    r->ends[r->count++] = (uint32_t)r->size;
}

static petro_result rec_get(void *ctx, const uint8_t *key, size_t key_size, uint8_t *value,
                            size_t value_cap, size_t *value_size, bool *found) {
    recorder *r = ctx;
    return r->inner.get(r->inner.ctx, key, key_size, value, value_cap, value_size, found);
}

static petro_result rec_put(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                            size_t value_size) {
    recorder *r = ctx;
    rec_append(r, key, key_size, value, value_size, true);
    return r->inner.put(r->inner.ctx, key, key_size, value, value_size);
}

static petro_result rec_del(void *ctx, const uint8_t *key, size_t key_size) {
    recorder *r = ctx;
    rec_append(r, key, key_size, NULL, 0, false);
    return r->inner.del(r->inner.ctx, key, key_size);
}

static petro_result rec_iter(void *ctx, const uint8_t *prefix, size_t prefix_size,
                             petro_store_iter_cb cb, void *cb_ctx) {
    recorder *r = ctx;
    return r->inner.iter(r->inner.ctx, prefix, prefix_size, cb, cb_ctx);
}

typedef struct bench {
    petro_ledger *l;
    petro_store store;
    petro_store_mem *mem;
    recorder rec;
    petro_hash *leaves, *scratch;
    uint64_t hash_ns;    /* the hashing floor's time, payment blocks only */
    uint64_t hash_bytes; /* bytes fed to the state hash, payment blocks only */
    petro_hash parent_state;     /* the tip's state hash before the last block */
    petro_block_header header;   /* the last block's header */
    uint64_t height, ts;
    petro_pubkey proposer;
    petro_tx *txs;
    petro_hash *ids;
    petro_hash *witnesses;
    petro_tx_result *results;
} bench;

/* Apply txs[0..count) as one block; returns the nanoseconds it took. */
static uint64_t apply_block(bench *b, size_t count) {
    b->rec.size = 0;
    b->rec.count = 0;
    petro_ledger_tip tip;
    petro_result r = petro_ledger_tip_get(&b->store, &tip);
    if (r != PETRO_OK) die("tip", r);
    b->parent_state = tip.state_hash;
    uint64_t start = bench_now_ns();
    r = petro_ledger_begin(b->l, b->height + 1, ++b->ts);
    if (r != PETRO_OK) die("begin", r);
    for (size_t i = 0; i < count; i++) {
        r = petro_ledger_apply_tx_witnessed(b->l, &b->results[i], &b->txs[i], &b->ids[i],
                                            &b->witnesses[i], 1u);
        if (r != PETRO_OK) die("apply_tx", r);
        if (b->results[i].code != PETRO_OK) die("payment result", b->results[i].code);
    }
    r = petro_ledger_finish(b->l, &b->header, &b->proposer);
    if (r != PETRO_OK) die("finish", r);
    r = petro_ledger_commit(b->l);
    if (r != PETRO_OK) die("commit", r);
    b->height++;
    uint64_t elapsed = bench_now_ns() - start;
    if (b->rec.failed) die("record the write set", PETRO_ERR_NOMEM);
    return elapsed;
}

/* The hashing the protocol requires of the block just applied, on the same bytes: returns
 * the nanoseconds it took. The state hash is framed as docs/protocol.md "State hash" says
 * (domain, parent state hash, height, then one update per record). Every result is checked
 * against the ledger's (exit 1 if one differs), so this replay cannot drift from the
 * protocol's work unnoticed. */
static uint64_t hash_floor_block(bench *b, size_t count) {
    static const char domain[] = "petro-state-v1";
    uint64_t start = bench_now_ns();
    petro_hash tx_root, witness_root, result_root, state;
    petro_merkle_root(&tx_root, b->ids, count, b->scratch);
    petro_merkle_root(&witness_root, b->witnesses, count, b->scratch);
    for (size_t i = 0; i < count; i++) {
        petro_result r = petro_tx_result_hash(&b->leaves[i], &b->ids[i], &b->results[i]);
        if (r != PETRO_OK) die("result hash", r);
    }
    petro_merkle_root(&result_root, b->leaves, count, b->scratch);
    petro_hasher h;
    petro_hasher_init(&h);
    petro_hasher_update(&h, (const uint8_t *)domain, sizeof domain - 1);
    petro_hasher_update(&h, b->parent_state.bytes, sizeof b->parent_state.bytes);
    uint8_t height[8];
    for (int i = 0; i < 8; i++) height[i] = (uint8_t)(b->height >> (8 * i));
    petro_hasher_update(&h, height, sizeof height);
    size_t off = 0;
    for (size_t i = 0; i < b->rec.count; i++) {
        petro_hasher_update(&h, b->rec.bytes + off, b->rec.ends[i] - off);
        off = b->rec.ends[i];
    }
    petro_hasher_final(&h, &state);
    petro_hash block_hash;
    petro_block_hash(&block_hash, &b->header);
    uint64_t elapsed = bench_now_ns() - start;
    b->hash_bytes += b->rec.size;
    petro_ledger_tip tip;
    petro_result r = petro_ledger_tip_get(&b->store, &tip);
    if (r != PETRO_OK) die("tip", r);
    if (!petro_hash_equal(&tx_root, &b->header.tx_root) ||
        !petro_hash_equal(&witness_root, &b->header.witness_root) ||
        !petro_hash_equal(&result_root, &b->header.result_root) ||
        !petro_hash_equal(&state, &b->header.state_hash) ||
        !petro_hash_equal(&block_hash, &tip.block_hash)) {
        fprintf(stderr, "bench-apply: the hashing replay of block %llu differs from the "
                        "ledger's\n", (unsigned long long)b->height);
        exit(1);
    }
    return elapsed;
}

/* The timed payment blocks, a function of their own so that a profiler can count only them
 * (valgrind --tool=callgrind --toggle-collect=apply_payment_block). */
__attribute__((noinline)) static uint64_t apply_payment_block(bench *b, size_t count) {
    return apply_block(b, count);
}

int main(int argc, char **argv) {
    uint64_t accounts = 100000, payments = 1000000, block = 5000, seed = 1;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--accounts") == 0) {
            accounts = bench_parse_u64("bench-apply", a, v, 2, 100000000), i++;
        } else if (strcmp(a, "--payments") == 0) {
            payments = bench_parse_u64("bench-apply", a, v, 1, 1000000000), i++;
        } else if (strcmp(a, "--block") == 0) {
            block = bench_parse_u64("bench-apply", a, v, 1, PETRO_BLOCK_TX_COUNT_MAX), i++;
        } else if (strcmp(a, "--seed") == 0) {
            seed = bench_parse_u64("bench-apply", a, v, 0, UINT64_MAX), i++;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else {
            fprintf(stderr, "usage: bench-apply [--accounts N] [--payments M] [--block B] "
                            "[--seed S] [--json]\n");
            return 2;
        }
    }
    if (petro_crypto_init() != PETRO_OK) return 1;

    bench b;
    memset(&b, 0, sizeof b);
    petro_genesis *g = calloc(1, sizeof *g);
    b.txs = malloc(block * sizeof *b.txs);
    b.ids = calloc(block, sizeof *b.ids);
    b.witnesses = calloc(block, sizeof *b.witnesses);
    b.results = calloc(block, sizeof *b.results);
    b.leaves = calloc(block, sizeof *b.leaves);
    b.scratch = calloc(block, sizeof *b.scratch);
    petro_pubkey *keys = malloc(accounts * sizeof *keys);
    uint64_t *seqs = calloc(accounts, sizeof *seqs);
    if (g == NULL || b.txs == NULL || b.ids == NULL || b.witnesses == NULL || b.results == NULL || keys == NULL ||
        seqs == NULL || b.leaves == NULL || b.scratch == NULL) {
        die("allocate", PETRO_ERR_NOMEM);
    }
    for (uint64_t i = 0; i < accounts; i++) keys[i] = account_key(i);

    /* Genesis: one funder (also the treasury) with enough PTR for every account. */
    petro_pubkey funder = account_key(UINT64_MAX);
    b.proposer = funder;
    snprintf(g->network_name, sizeof g->network_name, "bench-apply");
    g->net_kind = PETRO_NET_TEST;
    g->timestamp_ms = START_TS;
    g->treasury = funder;
    g->account_count = 1;
    g->accounts[0].id = funder;
    g->accounts[0].balance = 1000000000 * PETRO_UNIT;
    g->accounts[0].master_weight = 1;
    g->oracle_max_age_ms = 1;
    petro_hash net;
    petro_result r = petro_genesis_network_id(&net, g);
    if (r != PETRO_OK) die("genesis id", r);
    r = petro_store_mem_create(&b.mem, &b.rec.inner);
    if (r != PETRO_OK) die("store", r);
    b.store = (petro_store){.ctx = &b.rec, .get = rec_get, .put = rec_put, .del = rec_del,
                            .iter = rec_iter};
    r = petro_ledger_create(&b.l, &b.store);
    if (r != PETRO_OK) die("ledger", r);
    petro_block_header b0;
    r = petro_ledger_genesis(b.l, &b0, g);
    if (r == PETRO_OK) r = petro_ledger_commit(b.l);
    if (r != PETRO_OK) die("genesis", r);
    b.ts = START_TS;

    /* Create the accounts: 16 per transaction, untimed. */
    const petro_amount each = 1000 * PETRO_UNIT;
    uint64_t funder_seq = 0, created = 0;
    while (created < accounts) {
        size_t count = 0;
        while (count < block && created < accounts) {
            petro_tx *tx = &b.txs[count];
            tx_init(tx, &net, &funder, ++funder_seq);
            tx->op_count = 0;
            while (tx->op_count < PETRO_TX_OPS_MAX && created < accounts) {
                petro_op *op = &tx->ops[tx->op_count++];
                op->type = PETRO_OP_CREATE_ACCOUNT;
                op->u.create_account.destination = keys[created++];
                op->u.create_account.starting_balance = each;
            }
            tx->fee = PETRO_BASE_FEE * tx->op_count;
            memset(&b.ids[count], 0, sizeof b.ids[count]);
            memcpy(b.ids[count].bytes, &funder_seq, sizeof funder_seq);
            petro_tx_witness_hash(&b.witnesses[count], tx, &b.ids[count]);
            count++;
        }
        (void)apply_block(&b, count);
    }

    /* Payments: random source and destination, timed per block. */
    uint64_t rng = seed, elapsed = 0, done = 0, id_counter = 0;
    while (done < payments) {
        size_t count = payments - done < block ? (size_t)(payments - done) : (size_t)block;
        for (size_t i = 0; i < count; i++) {
            uint64_t s = bench_rand(&rng) % accounts;
            uint64_t d = bench_rand(&rng) % (accounts - 1);
            if (d >= s) d++;
            petro_tx *tx = &b.txs[i];
            tx_init(tx, &net, &keys[s], ++seqs[s]);
            tx->fee = PETRO_BASE_FEE;
            tx->op_count = 1;
            tx->ops[0].type = PETRO_OP_PAYMENT;
            tx->ops[0].u.payment.destination = keys[d];
            tx->ops[0].u.payment.asset = petro_asset_native();
            tx->ops[0].u.payment.amount = 1 + (petro_amount)(bench_rand(&rng) % 1000);
            /* Distinct ids (no signatures: the id only names the tx in the block roots). */
            id_counter++;
            memset(&b.ids[i], 0xa5, sizeof b.ids[i]);
            memcpy(b.ids[i].bytes, &id_counter, sizeof id_counter);
            petro_tx_witness_hash(&b.witnesses[i], tx, &b.ids[i]);
        }
        elapsed += apply_payment_block(&b, count);
        b.hash_ns += hash_floor_block(&b, count);
        done += count;
    }

    char msg[256] = "";
    r = petro_ledger_check_invariants(&b.store, msg, sizeof msg);
    if (r != PETRO_OK) {
        fprintf(stderr, "bench-apply: invariants broken: %s\n", msg);
        return 1;
    }
    /* The final state hash: deterministic for given flags, so two builds can be compared. */
    petro_ledger_tip tip;
    r = petro_ledger_tip_get(&b.store, &tip);
    if (r != PETRO_OK) die("tip", r);
    char state_hex[65];
    petro_hex_encode(state_hex, tip.state_hash.bytes, sizeof tip.state_hash.bytes);
    double per_sec = (double)payments * 1e9 / (double)elapsed;
    double floor_per_sec = (double)payments * 1e9 / (double)b.hash_ns;
    double bytes_per_payment = (double)b.hash_bytes / (double)payments;
    if (json) {
        printf("{\"accounts\":%llu,\"payments\":%llu,\"block\":%llu,\"seconds\":%.3f,"
               "\"state_hash\":\"%s\",\"hash_floor_seconds\":%.3f,"
               "\"state_hash_bytes_per_payment\":%.1f,\"hash_floor_payments_per_sec\":%.0f,"
               "\"apply_payments_per_sec\":%.0f}\n",
               (unsigned long long)accounts, (unsigned long long)payments,
               (unsigned long long)block, (double)elapsed / 1e9, state_hex,
               (double)b.hash_ns / 1e9, bytes_per_payment, floor_per_sec, per_sec);
    } else {
        printf("accounts %llu, payments %llu in blocks of %llu: %.3f s applying\n",
               (unsigned long long)accounts, (unsigned long long)payments,
               (unsigned long long)block, (double)elapsed / 1e9);
        printf("state_hash: %s (height %llu)\n", state_hex, (unsigned long long)tip.height);
        printf("protocol hashing alone (Merkle roots, result leaves, state hash over %.1f bytes "
               "per payment, block hash), same blocks: %.3f s\n",
               bytes_per_payment, (double)b.hash_ns / 1e9);
        printf("hash_floor_payments_per_sec: %.0f payments/s (apply reaches %.2f of it)\n",
               floor_per_sec, per_sec / floor_per_sec);
        printf("apply_payments_per_sec: %.0f payments/s\n", per_sec);
    }
    petro_ledger_destroy(b.l);
    petro_store_mem_destroy(b.mem);
    free(g);
    free(b.txs);
    free(b.ids);
    free(b.witnesses);
    free(b.results);
    free(b.leaves);
    free(b.scratch);
    free(b.rec.bytes);
    free(b.rec.ends);
    free(keys);
    free(seqs);
    return 0;
}
