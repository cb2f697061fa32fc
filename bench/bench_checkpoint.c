/* bench-checkpoint: time and memory of one proof-of-reserves checkpoint (issue #4).
 *
 *   bench-checkpoint [--holders N]     (default 1000000)
 *
 * Setup (not measured): a ledger over the in-memory store with a reserve-backed PTR, then N
 * holder accounts created by real, signed create_account transactions (16 per transaction,
 * up to 20,000 transactions per block). Measured: petro_checkpoint_build (collect every
 * holder's balance from the store, salt, Merkle sum tree) plus the Ed25519 signature of the
 * checkpoint; the heap the checkpoint holds (leaves and tree, from mallinfo2) and the
 * process's peak RSS. Then 1,000 proofs of random holders are generated and verified.
 * Ends with the headline line `checkpoint_time: <number> ms`.
 *
 *   bench-checkpoint --state-root [--holders N]
 *
 * The same setup, then measured instead: one signed state root (issue #15, docs/protocol.md
 * "State commitment"): petro_state_tree_build over every record of the store (2 per holder:
 * the account and its PTR balance) plus the signature, the memory the node keeps for proofs
 * (the tree's levels from 16-leaf buckets up and each bucket's first key) and the heap.
 * Ends with `state_root_time: <number> ms`. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench_util.h"
#include "petro/petro.h"

#define UNIT PETRO_UNIT
#define TXS_PER_BLOCK 20000u

static void die(const char *what, petro_result rc) {
    fprintf(stderr, "bench-checkpoint: %s: %s\n", what, petro_result_str(rc));
    exit(1);
}

static void keypair(petro_pubkey *pk, petro_seckey *sk, uint64_t n) {
    uint8_t seed[32];
    memset(seed, 0, sizeof seed);
    for (int i = 0; i < 8; i++) seed[i] = (uint8_t)(n >> (8 * i));
    seed[31] = 0xbc;
    petro_result rc = petro_keypair_from_seed(pk, sk, seed);
    if (rc != PETRO_OK) die("keypair", rc);
}

static int acct_cmp(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_genesis_account *)a)->id,
                            &((const petro_genesis_account *)b)->id);
}

static int count_cb(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                    size_t value_size) {
    (void)key, (void)key_size, (void)value, (void)value_size;
    (*(uint64_t *)ctx)++;
    return 0;
}

/* One signed state root over the whole store (--state-root); frees everything. */
static int state_root_bench(const petro_store *store, const petro_pubkey *validator,
                            const petro_seckey *validator_sk, petro_ledger *l,
                            petro_store_mem *mem) {
    petro_state_tree t;
    petro_state_root sr;
    /* Not measured: the in-memory store sorts its keys lazily on the first iteration (LMDB
     * keeps them sorted), so iterate once before timing the build. */
    uint64_t records = 0;
    petro_result rc0 = store->iter(store->ctx, NULL, 0, count_cb, &records);
    if (rc0 != PETRO_OK) die("iterate", rc0);
    struct mallinfo2 m0 = mallinfo2();
    uint64_t t0 = bench_now_ns();
    petro_result rc = petro_state_tree_build(&t, &sr, store, PETRO_STATE_BUCKET_BITS);
    if (rc != PETRO_OK) die("state root", rc);
    petro_state_root_sign(&sr, validator, validator_sk);
    uint64_t t1 = bench_now_ns();
    struct mallinfo2 m1 = mallinfo2();
    size_t kept = t.keys_cap + t.key_offsets_cap * sizeof(uint64_t);
    for (uint32_t j = 0; j < t.level_count; j++) kept += t.level_caps[j] * sizeof(petro_hash);
    size_t heap0 = m0.uordblks + m0.hblkhd, heap1 = m1.uordblks + m1.hblkhd;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char cpu[128];
    bench_cpu_model(cpu, sizeof cpu);
    printf("machine: %s, %u cores\n", cpu, bench_cores());
    printf("records (leaves): %llu, buckets of %u: %llu, kept levels %u\n",
           (unsigned long long)sr.record_count, PETRO_STATE_BUCKET_MAX,
           (unsigned long long)t.level_sizes[0], t.level_count);
    printf("state tree kept for proofs (levels >= 4 + first keys): %.1f MiB\n",
           (double)kept / (1024.0 * 1024.0));
    printf("heap held after the build: %.1f MiB\n",
           (double)(heap1 > heap0 ? heap1 - heap0 : 0) / (1024.0 * 1024.0));
    printf("process peak RSS (store + ledger + tree): %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
    printf("state_root_time: %.0f ms\n", (double)(t1 - t0) / 1e6);
    petro_state_tree_free(&t);
    petro_ledger_destroy(l);
    petro_store_mem_destroy(mem);
    return 0;
}

int main(int argc, char **argv) {
    uint64_t holders = 1000000;
    bool is_state_root = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--state-root") == 0) {
            is_state_root = true;
        } else if (strcmp(argv[i], "--holders") == 0 && i + 1 < argc) {
            holders = bench_parse_u64("bench-checkpoint", "--holders", argv[++i], 1, 50000000);
        } else {
            fprintf(stderr, "usage: bench-checkpoint [--state-root] [--holders N]\n");
            return 2;
        }
    }
    petro_result rc = petro_crypto_init();
    if (rc != PETRO_OK) die("crypto", rc);
    petro_pubkey treas, aud, validator, holder;
    petro_seckey treas_sk, aud_sk, validator_sk, holder_sk;
    keypair(&treas, &treas_sk, UINT64_MAX);
    keypair(&aud, &aud_sk, UINT64_MAX - 1);
    keypair(&validator, &validator_sk, UINT64_MAX - 2);

    petro_genesis *g = calloc(1, sizeof *g);
    if (g == NULL) die("genesis", PETRO_ERR_NOMEM);
    snprintf(g->network_name, sizeof g->network_name, "bench-checkpoint");
    g->net_kind = PETRO_NET_TEST;
    g->timestamp_ms = 1700000000000ull;
    g->treasury = treas;
    g->account_count = 2;
    g->accounts[0].id = treas;
    g->accounts[0].balance = 50000000000 * UNIT;
    g->accounts[0].master_weight = 1;
    g->accounts[1].id = aud;
    g->accounts[1].balance = 100 * UNIT;
    g->accounts[1].master_weight = 1;
    qsort(g->accounts, 2, sizeof g->accounts[0], acct_cmp);
    g->auditors = aud;
    g->reserve_count = 1;
    g->reserves[0].asset = petro_asset_native();
    g->reserves[0].commodity = PETRO_COMMODITY_OIL;
    g->reserves[0].units_per_commodity = 1;
    g->reserves[0].coverage_bps = 10000;
    snprintf(g->reserves[0].quote, sizeof g->reserves[0].quote, "USD");
    g->attestation_count = 1;
    g->attestations[0].commodity = PETRO_COMMODITY_OIL;
    g->attestations[0].quantity = 60000000000 * UNIT;
    snprintf(g->attestations[0].custodian, sizeof g->attestations[0].custodian, "bench");
    g->attestations[0].valid_from_ms = g->timestamp_ms;
    g->attestations[0].valid_until_ms = g->timestamp_ms + 86400000ull * 365;

    petro_store store;
    petro_store_mem *mem;
    petro_ledger *l;
    if ((rc = petro_store_mem_create(&mem, &store)) != PETRO_OK) die("store", rc);
    if ((rc = petro_ledger_create(&l, &store)) != PETRO_OK) die("ledger", rc);
    petro_block_header h;
    if ((rc = petro_ledger_genesis(l, &h, g)) != PETRO_OK) die("genesis", rc);
    if ((rc = petro_ledger_commit(l)) != PETRO_OK) die("commit", rc);
    petro_hash net;
    if ((rc = petro_genesis_network_id(&net, g)) != PETRO_OK) die("network id", rc);
    free(g);

    /* Setup: N holders through signed create_account transactions. */
    uint64_t t_setup = bench_now_ns();
    uint64_t created = 0, seq = 0, height = 0, ts = 1700000000000ull;
    while (created < holders) {
        ts += 1000;
        if ((rc = petro_ledger_begin(l, ++height, ts)) != PETRO_OK) die("begin", rc);
        for (uint32_t t = 0; t < TXS_PER_BLOCK && created < holders; t++) {
            petro_tx tx;
            memset(&tx, 0, sizeof tx);
            tx.version = PETRO_TX_VERSION;
            tx.network_id = net;
            tx.source = treas;
            tx.sequence = ++seq;
            while (created < holders && tx.op_count < PETRO_TX_OPS_MAX) {
                petro_op *op = &tx.ops[tx.op_count++];
                keypair(&holder, &holder_sk, created);
                op->type = PETRO_OP_CREATE_ACCOUNT;
                op->u.create_account.destination = holder;
                op->u.create_account.starting_balance =
                    (petro_amount)(1 + created % 1000) * UNIT + (petro_amount)created;
                created++;
            }
            tx.fee = PETRO_BASE_FEE * tx.op_count;
            if ((rc = petro_tx_sign(&tx, &treas, &treas_sk)) != PETRO_OK) die("sign", rc);
            petro_hash id;
            if ((rc = petro_tx_id(&id, &tx)) != PETRO_OK) die("id", rc);
            petro_tx_result res;
            rc = petro_ledger_apply_tx(l, &res, &tx, &id, petro_tx_verify_sigs(&tx, &id));
            if (rc != PETRO_OK || res.code != PETRO_OK)
                die("apply", rc != PETRO_OK ? rc : res.code);
        }
        if ((rc = petro_ledger_finish(l, &h, &validator)) != PETRO_OK) die("finish", rc);
        if ((rc = petro_ledger_commit(l)) != PETRO_OK) die("commit", rc);
    }
    printf("setup: %llu holders in %llu blocks, %.1f s (not measured)\n",
           (unsigned long long)holders, (unsigned long long)height,
           (double)(bench_now_ns() - t_setup) / 1e9);

    if (is_state_root) return state_root_bench(&store, &validator, &validator_sk, l, mem);

    /* Measured: one checkpoint. */
    struct mallinfo2 m0 = mallinfo2();
    petro_asset ptr = petro_asset_native();
    petro_checkpoint_tree cp;
    uint64_t t0 = bench_now_ns();
    if ((rc = petro_checkpoint_build(&cp, &store, &ptr)) != PETRO_OK) die("checkpoint", rc);
    petro_checkpoint_sign(&cp.checkpoint, &validator, &validator_sk);
    uint64_t t1 = bench_now_ns();
    struct mallinfo2 m1 = mallinfo2();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    size_t heap0 = m0.uordblks + m0.hblkhd, heap1 = m1.uordblks + m1.hblkhd;
    double mib = (double)(heap1 > heap0 ? heap1 - heap0 : 0) / (1024.0 * 1024.0);

    /* 1,000 random proofs verify. */
    uint64_t rng = 42;
    petro_proof *p = malloc(sizeof *p);
    if (p == NULL) die("proof", PETRO_ERR_NOMEM);
    uint64_t tv0 = bench_now_ns();
    for (int i = 0; i < 1000; i++) {
        keypair(&holder, &holder_sk, bench_rand(&rng) % holders);
        if ((rc = petro_checkpoint_tree_proof(&cp, &holder, p)) != PETRO_OK) die("proof", rc);
        if (petro_proof_verify(p) != 0) die("verify", PETRO_ERR_CORRUPT);
    }
    uint64_t tv1 = bench_now_ns();

    char cpu[128];
    bench_cpu_model(cpu, sizeof cpu);
    printf("machine: %s, %u cores\n", cpu, bench_cores());
    printf("holders (leaves): %llu, tree depth %u, total %lld base units\n",
           (unsigned long long)cp.checkpoint.leaf_count, cp.tree.depth,
           (long long)cp.checkpoint.total);
    printf("checkpoint memory (leaves + tree, heap): %.1f MiB\n", mib);
    printf("process peak RSS (store + ledger + checkpoint): %.1f MiB\n",
           (double)ru.ru_maxrss / 1024.0);
    printf("proof generate+verify: %.1f us each (1000 random holders)\n",
           (double)(tv1 - tv0) / 1000.0 / 1000.0);
    printf("checkpoint_time: %.0f ms\n", (double)(t1 - t0) / 1e6);
    free(p);
    petro_checkpoint_tree_free(&cp);
    petro_ledger_destroy(l);
    petro_store_mem_destroy(mem);
    return 0;
}
