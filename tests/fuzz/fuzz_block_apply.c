/* Fuzz target: applying transactions and decoded blocks to a small ledger. The input is a
 * list of records [u8 flags][u16 LE size][envelope]; flags bit 0 puts the fixture's network
 * id in the envelope, bit 1 replaces its signatures by the fixture keys' (so the fuzzer
 * reaches the ledger rules, not just signature checks), bit 2 ends the block after it, bits
 * 3..5 advance the block clock. The fixture ledger (store A) applies every transaction; each
 * block is then finished, committed, encoded and replayed with petro_ledger_apply_block into
 * a second ledger (store B). Whatever the bytes:
 *   - the invariants hold on both stores after every block;
 *   - the replay accepts the block and reaches the same state hash (determinism);
 *   - the raw input, applied as a block to B, is refused without changing B's tip (or, if
 *     it were ever accepted, the invariants still hold). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_fixture.h"

#define RECORDS_MAX 256
#define BLOCK_BYTES_CAP (PETRO_BLOCK_HEADER_SIZE + FUZZ_BLOCK_TXS_MAX * (4 + PETRO_TX_SIZE_MAX))

typedef struct chain {
    petro_store store;
    petro_store_mem *mem;
    petro_ledger *l;
} chain;

static void chain_open(chain *c, const petro_genesis *g) {
    FUZZ_CHECK(petro_store_mem_create(&c->mem, &c->store) == PETRO_OK, "store");
    FUZZ_CHECK(petro_ledger_create(&c->l, &c->store) == PETRO_OK, "ledger");
    petro_block_header b0;
    FUZZ_CHECK(petro_ledger_genesis(c->l, &b0, g) == PETRO_OK, "genesis");
    FUZZ_CHECK(petro_ledger_commit(c->l) == PETRO_OK, "genesis commit");
}

static void chain_close(chain *c) {
    petro_ledger_abort(c->l);
    petro_ledger_destroy(c->l);
    petro_store_mem_destroy(c->mem);
}

static void check_invariants(const petro_store *s, const char *which) {
    char msg[256];
    if (petro_ledger_check_invariants(s, msg, sizeof msg) != PETRO_OK) {
        fuzz_fail(which, msg);
    }
}

static void put_u32le(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Replace the signatures by those of the fixture keys that may sign for the source. */
static void resign(petro_tx *tx) {
    int src = fuzz_key_index(&tx->source);
    tx->sig_count = 0;
    if (src < 0) return;
    /* Signing fails only for a tx that fails petro_tx_check; the caller checks that. */
    if (petro_tx_sign(tx, &FUZZ_KEYS[src].pk, &FUZZ_KEYS[src].sk) != PETRO_OK) return;
    if (src == 3 && petro_tx_sign(tx, &FUZZ_KEYS[2].pk, &FUZZ_KEYS[2].sk) != PETRO_OK) return;
}

typedef struct block_buf {
    uint8_t *bytes;
    size_t size;
    uint32_t tx_count;
} block_buf;

/* Finish and commit A's open block, replay it into B, compare, check invariants. */
static void close_block(chain *a, chain *b, block_buf *blk) {
    petro_block_header h;
    petro_ledger_tip before;
    FUZZ_CHECK(petro_ledger_tip_get(&a->store, &before) == PETRO_OK, "tip before");
    FUZZ_CHECK(petro_ledger_finish(a->l, &h, &FUZZ_KEYS[0].pk) == PETRO_OK, "finish");
    FUZZ_CHECK(petro_block_sign(&h, &before.network_id, &FUZZ_KEYS[0].sk) == PETRO_OK, "sign");
    FUZZ_CHECK(h.tx_count == blk->tx_count, "tx_count");
    FUZZ_CHECK(petro_ledger_commit(a->l) == PETRO_OK, "commit A");
    check_invariants(&a->store, "invariants A");
    petro_block_header_encode(blk->bytes, &h);
    petro_result rc = petro_ledger_apply_block(b->l, blk->bytes, blk->size);
    if (rc != PETRO_OK) fuzz_fail("replay of a produced block refused", petro_result_name(rc));
    FUZZ_CHECK(petro_ledger_commit(b->l) == PETRO_OK, "commit B");
    check_invariants(&b->store, "invariants B");
    petro_ledger_tip ta, tb;
    FUZZ_CHECK(petro_ledger_tip_get(&a->store, &ta) == PETRO_OK, "tip A");
    FUZZ_CHECK(petro_ledger_tip_get(&b->store, &tb) == PETRO_OK, "tip B");
    FUZZ_CHECK(ta.height == tb.height, "heights differ after replay");
    FUZZ_CHECK(petro_hash_equal(&ta.state_hash, &tb.state_hash), "state hash differs on replay");
    FUZZ_CHECK(petro_hash_equal(&ta.block_hash, &tb.block_hash), "block hash differs on replay");
    blk->size = PETRO_BLOCK_HEADER_SIZE;
    blk->tx_count = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static petro_tx tx;
    static uint8_t enc[PETRO_TX_SIZE_MAX];
    static uint8_t *block_bytes;
    static petro_genesis g;
    static petro_hash net;
    fuzz_init();
    if (block_bytes == NULL) {
        block_bytes = malloc(BLOCK_BYTES_CAP);
        FUZZ_CHECK(block_bytes != NULL, "block buffer");
        fuzz_genesis(&g);
        fuzz_network_id(&net);
    }
    chain a, b;
    chain_open(&a, &g);
    chain_open(&b, &g);
    block_buf blk = {block_bytes, PETRO_BLOCK_HEADER_SIZE, 0};
    uint64_t height = 1;
    uint64_t ts = FUZZ_GENESIS_TS + 1000;
    FUZZ_CHECK(petro_ledger_begin(a.l, height, ts) == PETRO_OK, "begin");

    const uint8_t *p = data;
    size_t left = size;
    for (int rec = 0; rec < RECORDS_MAX; rec++) {
        uint8_t flags = 0;
        uint16_t len = 0;
        if (!fuzz_take_u8(&p, &left, &flags) || !fuzz_take_u16(&p, &left, &len)) break;
        size_t n = len < left ? len : left;
        const uint8_t *env = p;
        p += n;
        left -= n;
        if (petro_tx_decode(&tx, env, n) == PETRO_OK) {
            if (flags & 1u) tx.network_id = net;
            if (flags & 2u) resign(&tx);
            petro_hash id;
            size_t enc_size = 0;
            if (petro_tx_check(&tx) == PETRO_OK && petro_tx_id(&id, &tx) == PETRO_OK &&
                petro_tx_encode(enc, sizeof enc, &enc_size, &tx) == PETRO_OK) {
                uint32_t mask = petro_tx_verify_sigs(&tx, &id);
                petro_tx_result result;
                petro_result rc = petro_ledger_apply_tx(a.l, &result, &tx, &id, mask);
                FUZZ_CHECK(rc != PETRO_ERR_NOMEM && rc != PETRO_ERR_IO &&
                               rc != PETRO_ERR_CORRUPT,
                           petro_result_name(rc));
                if (rc == PETRO_OK) {
                    FUZZ_CHECK(result.code == PETRO_OK || result.code == PETRO_ERR_OP_FAILED,
                               "included with a bad result code");
                    put_u32le(blk.bytes + blk.size, (uint32_t)enc_size);
                    memcpy(blk.bytes + blk.size + 4, enc, enc_size);
                    blk.size += 4 + enc_size;
                    blk.tx_count++;
                }
            }
        }
        if ((flags & 4u) || blk.tx_count == FUZZ_BLOCK_TXS_MAX) {
            close_block(&a, &b, &blk);
            height++;
            ts += 1000u * (1u + ((flags >> 3) & 7u));
            FUZZ_CHECK(petro_ledger_begin(a.l, height, ts) == PETRO_OK, "begin");
        }
    }
    close_block(&a, &b, &blk);

    /* The raw bytes as a block received from elsewhere. */
    petro_ledger_tip before, after;
    FUZZ_CHECK(petro_ledger_tip_get(&b.store, &before) == PETRO_OK, "tip");
    if (petro_ledger_apply_block(b.l, data, size) == PETRO_OK) {
        FUZZ_CHECK(petro_ledger_commit(b.l) == PETRO_OK, "commit raw");
        check_invariants(&b.store, "invariants after a raw block");
    } else {
        FUZZ_CHECK(petro_ledger_tip_get(&b.store, &after) == PETRO_OK, "tip");
        FUZZ_CHECK(after.height == before.height &&
                       petro_hash_equal(&after.state_hash, &before.state_hash),
                   "a refused block changed the state");
        check_invariants(&b.store, "invariants after a refused block");
    }
    chain_close(&a);
    chain_close(&b);
    return 0;
}
