/* Replay of a recorded protocol-v2 chain: tests/data/chain-v2.txt, written by
 * tests/data/record_chain.py against a real devnet (petrod and the petro CLI of protocol v2:
 * signed blocks with a witness root, transactions signed in the petro-tx-v2 domain, genesis
 * format 3). The protocol bytes must never change under a refactor: whatever code is in the
 * tree has to decode every recorded transaction and block and reach every recorded block
 * hash and state hash.
 *
 * Design: one pass over the file (format in its header and in record_chain.py). Two ledgers
 * on fresh in-memory stores start from the recorded genesis; block 0 they produce must be the
 * recorded block 0. Then, for each recorded block:
 *   - the header and every transaction decode, and each transaction re-encodes to the very
 *     same bytes; the operation types, signature counts and operation counts are tallied;
 *   - the follower replays the bytes with petro_ledger_apply_block (every check of a
 *     received block: signatures, roots, state hash) and its tip must be the recorded block
 *     hash and state hash;
 *   - the producer rebuilds the block the way petrod's producer does (petro_ledger_begin,
 *     petro_ledger_apply_tx per transaction, petro_ledger_finish with the recorded proposer)
 *     and the hashed part of its header (the first PETRO_BLOCK_HASHED_SIZE bytes) must be
 *     byte for byte the recorded one; its results are tallied. The file does not hold the
 *     proposer's secret key (the devnet's DIR/validator.json), so the producer cannot sign:
 *     the recorded signature is checked with petro_block_signature_ok instead.
 * At the end both stores pass petro_ledger_check_invariants, and the chain must have covered
 * what it was recorded for: a nonzero number of blocks, every operation type of
 * RECORDED_TYPES, transactions that failed in a block (op_failed), multi-op and multisig
 * transactions, and a block of several transactions.
 *
 * The file is tests/data/chain-v2.txt under PETRO_SOURCE_DIR (set by tests/CMakeLists.txt),
 * or the path given as the first argument.
 *
 * tests/data/chain-v1.txt, recorded by protocol v1 before the registry refactor, stays in the
 * tree as a record that v2 does not read v1 by design: test_v1_refused checks that its genesis
 * (format 2) and its block headers (version 1) are refused with bad_version. */
#include <errno.h>

#include "petro/petro.h"
#include "test.h"

#ifndef PETRO_SOURCE_DIR
#define PETRO_SOURCE_DIR "."
#endif
#define CHAIN_PATH PETRO_SOURCE_DIR "/tests/data/chain-v2.txt"
#define CHAIN_V1_PATH PETRO_SOURCE_DIR "/tests/data/chain-v1.txt"
#define CHAIN_SIZE_MAX ((size_t)16 << 20)

/* Every operation type of the protocol when the chain was recorded (include/petro/tx.h):
 * each must occur in the chain. None had to be left out. */
static const struct {
    uint8_t type;
    const char *name;
} RECORDED_TYPES[] = {
    {1, "create_account"},  {2, "set_signer"},       {3, "set_thresholds"},
    {4, "payment"},         {5, "create_asset"},     {6, "change_trust"},
    {7, "authorize_trust"}, {8, "issue"},            {9, "redeem"},
    {10, "attest_reserve"}, {11, "oracle_price"},    {12, "issue_reserve"},
    {13, "redeem_reserve"}, {14, "fulfill_redemption"},
    {30, "trade_create"},   {31, "trade_fund"},      {32, "trade_present"},
    {33, "trade_approve"},  {34, "trade_release"},   {35, "trade_refund"},
    {36, "trade_dispute"},  {37, "trade_resolve"},   {38, "trade_amend"},
    {40, "zone_create"},    {41, "zone_policy"},     {42, "zone_assign"},
    {43, "set_kyc_tier"},   {44, "trade_target"},    {90, "data_set"},
};
#define RECORDED_TYPE_COUNT (sizeof RECORDED_TYPES / sizeof RECORDED_TYPES[0])

typedef struct chain {
    petro_store store;
    petro_store_mem *mem;
    petro_ledger *l;
} chain;

typedef struct replay {
    chain follower, producer;
    petro_tx *tx;
    uint8_t *enc; /* PETRO_TX_SIZE_MAX: a re-encoded transaction */
    bool has_genesis;
    petro_hash network_id; /* of the recorded genesis: what block signatures sign over */
    uint64_t blocks, txs, failed_txs, multi_op_txs, multisig_txs, multi_tx_blocks;
    uint64_t op_counts[256];
} replay;

/* ------------------------------------------------------------------ the file */

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    char *text = malloc(CHAIN_SIZE_MAX + 1);
    ASSERT_TRUE(text != NULL);
    size_t size = fread(text, 1, CHAIN_SIZE_MAX + 1, f);
    fclose(f);
    ASSERT_TRUE(size > 0 && size <= CHAIN_SIZE_MAX);
    text[size] = '\0';
    return text;
}

/* The next space-separated field of a line; NULL at its end. */
static const char *next_field(char **cursor) {
    char *p = *cursor;
    while (*p == ' ') p++;
    if (*p == '\0') return NULL;
    char *start = p;
    while (*p != '\0' && *p != ' ') p++;
    if (*p == ' ') *p++ = '\0';
    *cursor = p;
    return start;
}

/* A hex field decoded into a fresh buffer (the caller frees it). */
static uint8_t *hex_field(const char *hex, size_t *size) {
    size_t len = strlen(hex);
    ASSERT_TRUE(len % 2 == 0);
    *size = len / 2;
    uint8_t *bytes = malloc(*size + 1);
    ASSERT_TRUE(bytes != NULL);
    ASSERT_OK(petro_hex_decode(bytes, *size, hex, len));
    return bytes;
}

static petro_hash hash_field(const char *hex) {
    petro_hash h;
    ASSERT_TRUE(hex != NULL && strlen(hex) == 64);
    ASSERT_OK(petro_hex_decode(h.bytes, sizeof h.bytes, hex, 64));
    return h;
}

/* ------------------------------------------------------------------ ledgers */

static void chain_open(chain *c, const petro_genesis *g, const uint8_t *block0, size_t size) {
    ASSERT_OK(petro_store_mem_create(&c->mem, &c->store));
    ASSERT_OK(petro_ledger_create(&c->l, &c->store));
    petro_block_header h0;
    ASSERT_OK(petro_ledger_genesis(c->l, &h0, g));
    uint8_t enc[PETRO_BLOCK_HEADER_SIZE];
    petro_block_header_encode(enc, &h0);
    ASSERT_EQ(size, PETRO_BLOCK_HEADER_SIZE);
    ASSERT_MEMEQ(enc, block0, PETRO_BLOCK_HEADER_SIZE);
    ASSERT_OK(petro_ledger_commit(c->l));
}

static void chain_close(chain *c) {
    char msg[256] = "";
    petro_result rc = petro_ledger_check_invariants(&c->store, msg, sizeof msg);
    if (rc != PETRO_OK) fprintf(stderr, "invariant violated: %s\n", msg);
    ASSERT_OK(rc);
    petro_ledger_destroy(c->l);
    petro_store_mem_destroy(c->mem);
}

static void check_tip(const chain *c, uint64_t height, const petro_hash *block_hash,
                      const petro_hash *state_hash) {
    petro_ledger_tip tip;
    ASSERT_OK(petro_ledger_tip_get(&c->store, &tip));
    ASSERT_TRUE(tip.height == height);
    ASSERT_TRUE(petro_hash_equal(&tip.block_hash, block_hash));
    ASSERT_TRUE(petro_hash_equal(&tip.state_hash, state_hash));
}

/* Genesis bytes: decode, re-encode to the same bytes; block 0 comes with the first block
 * line. The genesis is kept until then. */
static void decode_genesis(petro_genesis *g, const uint8_t *bytes, size_t size) {
    ASSERT_OK(petro_genesis_decode(g, bytes, size));
    uint8_t *again = malloc(PETRO_GENESIS_SIZE_MAX);
    ASSERT_TRUE(again != NULL);
    size_t again_size = 0;
    ASSERT_OK(petro_genesis_encode(again, PETRO_GENESIS_SIZE_MAX, &again_size, g));
    ASSERT_EQ(again_size, size);
    ASSERT_MEMEQ(again, bytes, size);
    free(again);
}

/* ------------------------------------------------------------------ one block */

/* Decode one transaction of a block into r->tx, check it re-encodes to the same bytes and
 * tally it. */
static void decode_tx(replay *r, const uint8_t *bytes, size_t size) {
    ASSERT_OK(petro_tx_decode(r->tx, bytes, size));
    size_t enc_size = 0;
    ASSERT_OK(petro_tx_encode(r->enc, PETRO_TX_SIZE_MAX, &enc_size, r->tx));
    ASSERT_EQ(enc_size, size);
    ASSERT_MEMEQ(r->enc, bytes, size);
    for (uint8_t i = 0; i < r->tx->op_count; i++) r->op_counts[r->tx->ops[i].type]++;
    r->multi_op_txs += r->tx->op_count > 1;
    r->multisig_txs += r->tx->sig_count > 1;
    r->txs++;
}

/* Rebuild the block as a producer: begin, apply every transaction, finish; the header must
 * be the recorded one. Also decodes and tallies the transactions. */
static void produce(replay *r, const uint8_t *block, size_t size, const petro_block_header *h) {
    ASSERT_OK(petro_ledger_begin(r->producer.l, h->height, h->timestamp_ms));
    size_t offset = PETRO_BLOCK_HEADER_SIZE;
    const uint8_t *tx_bytes = NULL;
    size_t tx_size = 0;
    uint32_t count = 0;
    petro_result rc;
    while ((rc = petro_block_body_next(block, size, &offset, &tx_bytes, &tx_size)) == PETRO_OK) {
        decode_tx(r, tx_bytes, tx_size);
        petro_hash id;
        ASSERT_OK(petro_tx_id(&id, r->tx));
        uint32_t mask = petro_tx_verify_sigs(r->tx, &id);
        ASSERT_EQ(mask, (UINT32_C(1) << r->tx->sig_count) - 1u);
        petro_tx_result result;
        ASSERT_OK(petro_ledger_apply_tx(r->producer.l, &result, r->tx, &id, mask));
        ASSERT_TRUE(result.code == PETRO_OK || result.code == PETRO_ERR_OP_FAILED);
        r->failed_txs += result.code == PETRO_ERR_OP_FAILED;
        count++;
    }
    ASSERT_RESULT(rc, PETRO_ERR_NOT_FOUND);
    ASSERT_EQ(count, h->tx_count);
    r->multi_tx_blocks += count > 1;
    petro_block_header made;
    ASSERT_OK(petro_ledger_finish(r->producer.l, &made, &h->proposer));
    uint8_t want[PETRO_BLOCK_HEADER_SIZE], got[PETRO_BLOCK_HEADER_SIZE];
    petro_block_header_encode(want, h);
    petro_block_header_encode(got, &made);
    ASSERT_MEMEQ(got, want, PETRO_BLOCK_HASHED_SIZE);
    ASSERT_TRUE(petro_block_signature_ok(h, &r->network_id));
    ASSERT_OK(petro_ledger_commit(r->producer.l));
}

/* A block line after block 0: header checks, the producer, then the follower. */
static void replay_block(replay *r, const uint8_t *block, size_t size, const petro_hash *hash,
                         const petro_hash *state) {
    petro_block_header h;
    ASSERT_TRUE(size >= PETRO_BLOCK_HEADER_SIZE);
    ASSERT_OK(petro_block_header_decode(&h, block, PETRO_BLOCK_HEADER_SIZE));
    ASSERT_TRUE(h.height == r->blocks);
    petro_hash computed;
    petro_block_hash(&computed, &h);
    ASSERT_TRUE(petro_hash_equal(&computed, hash));
    ASSERT_TRUE(petro_hash_equal(&h.state_hash, state));
    produce(r, block, size, &h);
    check_tip(&r->producer, h.height, hash, state);
    petro_result rc = petro_ledger_apply_block(r->follower.l, block, size);
    if (rc != PETRO_OK) {
        fprintf(stderr, "block %llu does not replay: %s\n", (unsigned long long)h.height,
                petro_result_name(rc));
    }
    ASSERT_OK(rc);
    ASSERT_OK(petro_ledger_commit(r->follower.l));
    check_tip(&r->follower, h.height, hash, state);
}

/* Block 0: both ledgers from the genesis; their block 0 must be the recorded one. */
static void replay_block0(replay *r, const petro_genesis *g, const uint8_t *block, size_t size,
                          const petro_hash *hash, const petro_hash *state) {
    ASSERT_TRUE(r->has_genesis);
    chain_open(&r->follower, g, block, size);
    chain_open(&r->producer, g, block, size);
    check_tip(&r->follower, 0, hash, state);
    check_tip(&r->producer, 0, hash, state);
}

/* ------------------------------------------------------------------ lines */

static void replay_line(replay *r, petro_genesis *g, char *line) {
    char *cursor = line;
    const char *kind = next_field(&cursor);
    if (kind == NULL || kind[0] == '#' || strcmp(kind, "ops") == 0) return;
    if (strcmp(kind, "genesis") == 0) {
        ASSERT_TRUE(!r->has_genesis);
        size_t size = 0;
        uint8_t *bytes = hex_field(next_field(&cursor), &size);
        decode_genesis(g, bytes, size);
        free(bytes);
        ASSERT_OK(petro_genesis_network_id(&r->network_id, g));
        r->has_genesis = true;
        return;
    }
    ASSERT_STREQ(kind, "block");
    const char *height = next_field(&cursor), *hex = next_field(&cursor);
    ASSERT_TRUE(height != NULL && hex != NULL);
    ASSERT_TRUE(strtoull(height, NULL, 10) == r->blocks);
    petro_hash hash = hash_field(next_field(&cursor)), state = hash_field(next_field(&cursor));
    ASSERT_TRUE(next_field(&cursor) == NULL);
    size_t size = 0;
    uint8_t *block = hex_field(hex, &size);
    if (r->blocks == 0) {
        replay_block0(r, g, block, size, &hash, &state);
    } else {
        replay_block(r, block, size, &hash, &state);
    }
    free(block);
    r->blocks++;
}

static void replay_file(replay *r, char *text) {
    petro_genesis *g = malloc(sizeof *g);
    ASSERT_TRUE(g != NULL);
    char *line = text;
    while (line != NULL && *line != '\0') {
        char *end = strchr(line, '\n');
        if (end != NULL) *end = '\0';
        replay_line(r, g, line);
        line = end != NULL ? end + 1 : NULL;
    }
    free(g);
}

/* ------------------------------------------------------------------ coverage */

static void check_coverage(const replay *r) {
    printf("replayed %llu blocks, %llu transactions (%llu op_failed, %llu multi-op, "
           "%llu multisig), %llu blocks of several transactions\n",
           (unsigned long long)r->blocks, (unsigned long long)r->txs,
           (unsigned long long)r->failed_txs, (unsigned long long)r->multi_op_txs,
           (unsigned long long)r->multisig_txs, (unsigned long long)r->multi_tx_blocks);
    int missing = 0;
    for (size_t i = 0; i < RECORDED_TYPE_COUNT; i++) {
        uint64_t n = r->op_counts[RECORDED_TYPES[i].type];
        printf("  op %2u %-20s %llu\n", RECORDED_TYPES[i].type, RECORDED_TYPES[i].name,
               (unsigned long long)n);
        if (n == 0) {
            fprintf(stderr, "operation type %u (%s) is not in the recorded chain\n",
                    RECORDED_TYPES[i].type, RECORDED_TYPES[i].name);
            missing++;
        }
    }
    ASSERT_EQ(missing, 0);
    ASSERT_TRUE(r->blocks > 1);
    ASSERT_TRUE(r->failed_txs > 0);
    ASSERT_TRUE(r->multi_op_txs > 0);
    ASSERT_TRUE(r->multisig_txs > 0);
    ASSERT_TRUE(r->multi_tx_blocks > 0);
}

static const char *chain_path;

/* chain-v1.txt: the genesis (format 2) and every block header of at least a v2 header's size
 * (version 1) are refused with bad_version; v1 block 0 (181 bytes) is not even a header. */
static void check_v1_line(char *line, unsigned *refused) {
    char *cursor = line;
    const char *kind = next_field(&cursor);
    if (kind == NULL || (strcmp(kind, "genesis") != 0 && strcmp(kind, "block") != 0)) return;
    if (strcmp(kind, "block") == 0) (void)next_field(&cursor);
    size_t size = 0;
    uint8_t *bytes = hex_field(next_field(&cursor), &size);
    if (strcmp(kind, "genesis") == 0) {
        petro_genesis *g = malloc(sizeof *g);
        ASSERT_TRUE(g != NULL && size > 0 && bytes[0] == 2);
        ASSERT_RESULT(petro_genesis_decode(g, bytes, size), PETRO_ERR_BAD_VERSION);
        free(g);
        (*refused)++;
    } else if (size >= PETRO_BLOCK_HEADER_SIZE) {
        petro_block_header h;
        ASSERT_TRUE(bytes[0] == 1);
        ASSERT_RESULT(petro_block_header_decode(&h, bytes, PETRO_BLOCK_HEADER_SIZE),
                      PETRO_ERR_BAD_VERSION);
        (*refused)++;
    } else {
        petro_block_header h;
        ASSERT_RESULT(petro_block_header_decode(&h, bytes, size), PETRO_ERR_MALFORMED);
    }
    free(bytes);
}

static void test_v1_refused(void) {
    char *text = read_file(CHAIN_V1_PATH);
    unsigned refused = 0;
    char *line = text;
    while (line != NULL && *line != '\0') {
        char *end = strchr(line, '\n');
        if (end != NULL) *end = '\0';
        check_v1_line(line, &refused);
        line = end != NULL ? end + 1 : NULL;
    }
    free(text);
    printf("chain-v1.txt: genesis and %u block headers refused with bad_version\n", refused - 1);
    ASSERT_TRUE(refused > 1);
}

static void test_replay_chain(void) {
    replay *r = calloc(1, sizeof *r);
    ASSERT_TRUE(r != NULL);
    r->tx = malloc(sizeof *r->tx);
    r->enc = malloc(PETRO_TX_SIZE_MAX);
    ASSERT_TRUE(r->tx != NULL && r->enc != NULL);
    char *text = read_file(chain_path);
    replay_file(r, text);
    free(text);
    ASSERT_TRUE(r->has_genesis);
    check_coverage(r);
    chain_close(&r->follower);
    chain_close(&r->producer);
    free(r->enc);
    free(r->tx);
    free(r);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    chain_path = CHAIN_PATH;
    if (argc >= 2 && strcmp(argv[1], "--seed") != 0) chain_path = argv[1];
    printf("chain: %s\n", chain_path);
    RUN_TEST(test_replay_chain);
    RUN_TEST(test_v1_refused);
    return 0;
}
