/* Unit tests of the ledger state machine over the in-memory store: genesis, every
 * transaction-level and operation result code, multisig thresholds, atomicity, overflow
 * near the supply maximum, invariants after every block, state-hash determinism, block
 * replay and tampering, and a seeded random run against a reference model. */
#include "test.h"
#include "op_build.h"

#include "petro/petro.h"
#include "state.h"

/* ---------------------------------------------------------------- keys */

enum {
    K_TREAS, K_ALICE, K_BOB, K_CAROL, K_AUTH, /* genesis accounts */
    K_S1, K_S2, K_S3,                          /* signers of AUTH (not accounts) */
    K_DAVE, K_ERIN,                            /* created later */
    K_X,                                       /* never an account */
    K_E0,                                      /* K_E0..K_E0+8: extra signers */
    K_COUNT = K_E0 + 9
};

typedef struct keypair {
    petro_pubkey pk;
    petro_seckey sk;
} keypair;

static keypair K[K_COUNT];

static void keys_init(void) {
    for (int i = 0; i < K_COUNT; i++) {
        uint8_t seed[32];
        memset(seed, 0, sizeof seed);
        seed[0] = (uint8_t)(i + 1);
        seed[1] = 0x42;
        ASSERT_OK(petro_keypair_from_seed(&K[i].pk, &K[i].sk, seed));
    }
}

static petro_asset native(void) { return petro_asset_native(); }

static petro_asset issued(const char *code, int issuer) {
    petro_asset a;
    memset(&a, 0, sizeof a);
    a.kind = PETRO_ASSET_ISSUED;
    snprintf(a.code, sizeof a.code, "%s", code);
    a.issuer = K[issuer].pk;
    return a;
}

#define UNIT PETRO_UNIT

/* ---------------------------------------------------------------- genesis */

static void add_genesis_account(petro_genesis *g, int k, petro_amount balance) {
    petro_genesis_account *a = &g->accounts[g->account_count++];
    memset(a, 0, sizeof *a);
    a->id = K[k].pk;
    a->balance = balance;
    a->master_weight = 1;
}

static int acct_cmp(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_genesis_account *)a)->id,
                            &((const petro_genesis_account *)b)->id);
}

static int signer_cmp(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_signer *)a)->key, &((const petro_signer *)b)->key);
}

static void make_genesis(petro_genesis *g) {
    memset(g, 0, sizeof *g);
    snprintf(g->network_name, sizeof g->network_name, "petro-unit-test");
    g->net_kind = PETRO_NET_TEST;
    g->timestamp_ms = 1700000000000ull;
    g->treasury = K[K_TREAS].pk;
    add_genesis_account(g, K_TREAS, 1000000 * UNIT);
    add_genesis_account(g, K_ALICE, 1000 * UNIT);
    add_genesis_account(g, K_BOB, 1000 * UNIT);
    add_genesis_account(g, K_CAROL, 10 * UNIT);
    add_genesis_account(g, K_AUTH, 1000 * UNIT);
    /* AUTH: multisig authority, master weight 0, three signers of weight 1, 2/2/2. */
    petro_genesis_account *auth = &g->accounts[4];
    auth->master_weight = 0;
    auth->threshold_low = auth->threshold_medium = auth->threshold_high = 2;
    auth->signer_count = 3;
    for (int i = 0; i < 3; i++) {
        auth->signers[i].key = K[K_S1 + i].pk;
        auth->signers[i].weight = 1;
    }
    qsort(auth->signers, 3, sizeof auth->signers[0], signer_cmp);
    qsort(g->accounts, g->account_count, sizeof g->accounts[0], acct_cmp);
    /* USD by the treasury, open; VES by AUTH, auth-required and revocable; GLD by the
     * treasury, auth-required, not revocable. */
    g->asset_count = 3;
    snprintf(g->assets[0].code, sizeof g->assets[0].code, "USD");
    g->assets[0].issuer = K[K_TREAS].pk;
    snprintf(g->assets[1].code, sizeof g->assets[1].code, "VES");
    g->assets[1].issuer = K[K_AUTH].pk;
    g->assets[1].flags = PETRO_ASSET_FLAG_AUTH_REQUIRED | PETRO_ASSET_FLAG_REVOCABLE;
    snprintf(g->assets[2].code, sizeof g->assets[2].code, "GLD");
    g->assets[2].issuer = K[K_TREAS].pk;
    g->assets[2].flags = PETRO_ASSET_FLAG_AUTH_REQUIRED;
}

/* ---------------------------------------------------------------- fixture */

#define MAX_BLOCKS 64
#define BLOCK_BYTES_MAX (1 << 20)

typedef struct fx {
    petro_store store;
    petro_store_mem *mem;
    petro_ledger *l;
    petro_hash net;
    uint64_t height;
    uint64_t ts;
    uint64_t seq[K_COUNT];
    petro_block_header last;
    /* Recorded encoded blocks (for replay), when record is set. */
    bool record;
    uint8_t *blocks[MAX_BLOCKS];
    size_t block_sizes[MAX_BLOCKS];
    size_t block_count;
    uint8_t *cur;
    size_t cur_size;
    petro_hash state_hashes[MAX_BLOCKS + 1];
} fx;

static void check_inv(const petro_store *st) {
    char msg[256];
    petro_result rc = petro_ledger_check_invariants(st, msg, sizeof msg);
    if (rc != PETRO_OK) fprintf(stderr, "invariant: %s\n", msg);
    ASSERT_OK(rc);
}

static void fx_begin(fx *f) {
    f->ts += 1000;
    ASSERT_OK(petro_ledger_begin(f->l, f->height + 1, f->ts));
    if (f->record) {
        ASSERT_TRUE(f->block_count < MAX_BLOCKS);
        f->cur = malloc(BLOCK_BYTES_MAX);
        ASSERT_TRUE(f->cur != NULL);
        f->cur_size = PETRO_BLOCK_HEADER_SIZE;
    }
}

static void fx_init_with(fx *f, const petro_genesis *g, bool record) {
    memset(f, 0, sizeof *f);
    f->record = record;
    ASSERT_OK(petro_store_mem_create(&f->mem, &f->store));
    ASSERT_OK(petro_ledger_create(&f->l, &f->store));
    petro_block_header b0;
    ASSERT_OK(petro_ledger_genesis(f->l, &b0, g));
    ASSERT_EQ(b0.height, 0);
    ASSERT_EQ(b0.tx_count, 0);
    ASSERT_TRUE(petro_hash_is_zero(&b0.prev_hash));
    ASSERT_OK(petro_ledger_commit(f->l));
    ASSERT_OK(petro_genesis_network_id(&f->net, g));
    f->ts = g->timestamp_ms;
    f->last = b0;
    f->state_hashes[0] = b0.state_hash;
    check_inv(&f->store);
    fx_begin(f);
}

static void fx_init(fx *f) {
    petro_genesis g;
    make_genesis(&g);
    fx_init_with(f, &g, false);
}

/* Finish and commit the open block, check invariants, open the next. */
static void fx_sync(fx *f) {
    petro_block_header h;
    ASSERT_OK(petro_ledger_finish(f->l, &h, &K[K_TREAS].pk));
    ASSERT_OK(petro_block_sign(&h, &f->net, &K[K_TREAS].sk));
    ASSERT_EQ(h.height, f->height + 1);
    petro_hash prev;
    petro_block_hash(&prev, &f->last);
    ASSERT_MEMEQ(h.prev_hash.bytes, prev.bytes, 32);
    ASSERT_OK(petro_ledger_commit(f->l));
    f->height++;
    f->last = h;
    petro_ledger_tip tip;
    ASSERT_OK(petro_ledger_tip_get(&f->store, &tip));
    ASSERT_EQ(tip.height, f->height);
    ASSERT_MEMEQ(tip.state_hash.bytes, h.state_hash.bytes, 32);
    petro_hash bh;
    petro_block_hash(&bh, &h);
    ASSERT_MEMEQ(tip.block_hash.bytes, bh.bytes, 32);
    check_inv(&f->store);
    if (f->record) {
        petro_block_header_encode(f->cur, &h);
        f->blocks[f->block_count] = f->cur;
        f->block_sizes[f->block_count] = f->cur_size;
        f->block_count++;
        f->state_hashes[f->block_count] = h.state_hash;
        f->cur = NULL;
    }
    fx_begin(f);
}

static void fx_free(fx *f) {
    petro_ledger_abort(f->l);
    petro_ledger_destroy(f->l);
    petro_store_mem_destroy(f->mem);
    for (size_t i = 0; i < f->block_count; i++) free(f->blocks[i]);
    free(f->cur);
}

static int key_index(const petro_pubkey *pk) {
    for (int i = 0; i < K_COUNT; i++) {
        if (petro_pubkey_equal(pk, &K[i].pk)) return i;
    }
    return -1;
}

/* A transaction from src with the given ops, next sequence, minimum fee. */
static petro_tx mk_tx(fx *f, int src, const petro_op *ops, int op_count) {
    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.network_id = f->net;
    tx.source = K[src].pk;
    tx.sequence = f->seq[src] + 1;
    tx.fee = PETRO_BASE_FEE * op_count;
    tx.op_count = (uint8_t)op_count;
    for (int i = 0; i < op_count; i++) tx.ops[i] = ops[i];
    return tx;
}

static void sign(petro_tx *tx, int k) { ASSERT_OK(petro_tx_sign(tx, &K[k].pk, &K[k].sk)); }

/* Apply a signed tx in the open block; records it on success. */
static petro_result apply_raw(fx *f, const petro_tx *tx, petro_tx_result *res) {
    petro_hash id;
    uint32_t mask = 0;
    /* A tx failing the static checks has no id; apply_tx must reject it all the same. */
    if (petro_tx_id(&id, tx) == PETRO_OK) {
        mask = petro_tx_verify_sigs(tx, &id);
    } else {
        memset(&id, 0, sizeof id);
    }
    petro_result rc = petro_ledger_apply_tx(f->l, res, tx, &id, mask);
    if (rc == PETRO_OK) {
        int src = key_index(&tx->source);
        ASSERT_TRUE(src >= 0);
        f->seq[src] = tx->sequence;
        ASSERT_EQ(res->fee_charged, tx->fee);
        ASSERT_EQ(res->op_count, tx->op_count);
        if (f->record) {
            uint8_t buf[PETRO_TX_SIZE_MAX];
            size_t size;
            ASSERT_OK(petro_tx_encode(buf, sizeof buf, &size, tx));
            ASSERT_TRUE(f->cur_size + 4 + size <= BLOCK_BYTES_MAX);
            for (int i = 0; i < 4; i++)
                f->cur[f->cur_size + (size_t)i] = (uint8_t)(size >> (8 * i));
            memcpy(f->cur + f->cur_size + 4, buf, size);
            f->cur_size += 4 + size;
        }
    }
    return rc;
}

/* Sign tx with the keys listed (terminated by -1), apply. */
static petro_result apply_signed(fx *f, petro_tx *tx, petro_tx_result *res, const int *signers) {
    for (int i = 0; signers[i] >= 0; i++) sign(tx, signers[i]);
    return apply_raw(f, tx, res);
}

static const int *default_signers(int src) {
    static const int auth2[] = {K_S1, K_S2, -1};
    static int single[2];
    if (src == K_AUTH) return auth2;
    single[0] = src;
    single[1] = -1;
    return single;
}

/* One-op transaction signed by src's default keys; expects inclusion and the op result. */
static void expect_op_with(fx *f, int src, petro_op op, petro_result expected,
                           const int *signers, int line) {
    petro_tx tx = mk_tx(f, src, &op, 1);
    petro_tx_result res;
    petro_result rc = apply_signed(f, &tx, &res, signers);
    if (rc != PETRO_OK) fprintf(stderr, "line %d: ", line);
    ASSERT_RESULT(rc, PETRO_OK);
    if (res.op_codes[0] != (uint16_t)expected) {
        fprintf(stderr, "line %d: op result %s, expected %s\n", line,
                petro_result_name((petro_result)res.op_codes[0]), petro_result_name(expected));
        exit(1);
    }
    ASSERT_EQ(res.code, expected == PETRO_OK ? PETRO_OK : PETRO_ERR_OP_FAILED);
}
#define EXPECT_OP(f, src, op, expected) \
    expect_op_with((f), (src), (op), (expected), default_signers(src), __LINE__)
#define EXPECT_OP_SIGNED(f, src, op, expected, signers) \
    expect_op_with((f), (src), (op), (expected), (signers), __LINE__)

/* Expect a transaction-level rejection: nothing included. */
static void expect_tx(fx *f, petro_tx *tx, const int *signers, petro_result expected, int line) {
    petro_tx_result res;
    petro_result rc = apply_signed(f, tx, &res, signers);
    if (rc != expected) fprintf(stderr, "line %d: ", line);
    ASSERT_RESULT(rc, expected);
}
#define EXPECT_TX(f, tx, signers, expected) expect_tx((f), (tx), (signers), (expected), __LINE__)

/* A -1-terminated list of signing keys. */
#define SIGNERS(...) ((const int[]){__VA_ARGS__, -1})
#define NO_SIGNERS ((const int[]){-1})

/* ---------------------------------------------------------------- op builders */

static petro_op op_pay(int dest, petro_asset asset, petro_amount amount) {
    return OP_MAKE("payment", OP_V("destination", &K[dest].pk), OP_V("asset", &asset),
                   OP_V("amount", &amount));
}
static petro_op op_create(int dest, petro_amount balance) {
    return OP_MAKE("create_account", OP_V("destination", &K[dest].pk),
                   OP_V("starting_balance", &balance));
}
static petro_op op_signer(int signer, uint8_t weight) {
    return OP_MAKE("set_signer", OP_V("signer", &K[signer].pk), OP_V("weight", &weight));
}
static petro_op op_thresholds(uint8_t master, uint8_t low, uint8_t medium, uint8_t high) {
    return OP_MAKE("set_thresholds", OP_V("master_weight", &master), OP_V("low", &low),
                   OP_V("medium", &medium), OP_V("high", &high));
}
static petro_op op_create_asset(const char *code, uint32_t flags) {
    return OP_MAKE("create_asset", OP_V("code", code), OP_V("flags", &flags));
}
static petro_op op_trust(petro_asset asset, petro_amount limit) {
    return OP_MAKE("change_trust", OP_V("asset", &asset), OP_V("limit", &limit));
}
static petro_op op_authorize(int trustor, const char *code, uint8_t authorize) {
    return OP_MAKE("authorize_trust", OP_V("trustor", &K[trustor].pk), OP_V("code", code),
                   OP_V("authorize", &authorize));
}
static petro_op op_issue(int dest, const char *code, petro_amount amount) {
    return OP_MAKE("issue", OP_V("destination", &K[dest].pk), OP_V("code", code),
                   OP_V("amount", &amount));
}
static petro_op op_redeem(petro_asset asset, petro_amount amount) {
    return OP_MAKE("redeem", OP_V("asset", &asset), OP_V("amount", &amount));
}

/* ---------------------------------------------------------------- reads */

static petro_amount bal(fx *f, int k, petro_asset asset) {
    petro_trust_line line;
    petro_result rc = petro_state_get_trust_line(&f->store, &line, &K[k].pk, &asset);
    if (rc == PETRO_ERR_NOT_FOUND) return -1;
    ASSERT_OK(rc);
    return line.balance;
}

static petro_trust_line line_of(fx *f, int k, petro_asset asset) {
    petro_trust_line line;
    ASSERT_OK(petro_state_get_trust_line(&f->store, &line, &K[k].pk, &asset));
    return line;
}

static petro_account acct_of(fx *f, int k) {
    petro_account a;
    ASSERT_OK(petro_state_get_account(&f->store, &a, &K[k].pk));
    return a;
}

static petro_asset_info asset_of(fx *f, petro_asset asset) {
    petro_asset_info info;
    ASSERT_OK(petro_state_get_asset(&f->store, &info, &asset));
    return info;
}

/* Rewrite an account record in the store between blocks (to set flags no op sets yet). */
static void poke_account_flags(fx *f, int k, uint32_t flags) {
    petro_account a = acct_of(f, k);
    a.flags = flags;
    uint8_t key[PETRO__KEY_MAX], value[PETRO__ACCOUNT_RECORD_MAX];
    size_t ks = petro__key_account(key, &a.id);
    size_t vs = petro__account_encode(value, &a);
    ASSERT_OK(f->store.put(f->store.ctx, key, ks, value, vs));
}

/* ---------------------------------------------------------------- tests */

static void test_genesis(void) {
    petro_genesis g, g2;
    make_genesis(&g);
    uint8_t buf[PETRO_GENESIS_SIZE_MAX];
    size_t size;
    ASSERT_OK(petro_genesis_encode(buf, sizeof buf, &size, &g));
    ASSERT_OK(petro_genesis_decode(&g2, buf, size));
    uint8_t buf2[PETRO_GENESIS_SIZE_MAX];
    size_t size2;
    ASSERT_OK(petro_genesis_encode(buf2, sizeof buf2, &size2, &g2));
    ASSERT_EQ(size, size2);
    ASSERT_MEMEQ(buf, buf2, size);
    ASSERT_RESULT(petro_genesis_decode(&g2, buf, size - 1), PETRO_ERR_MALFORMED);
    buf[size] = 0;
    ASSERT_RESULT(petro_genesis_decode(&g2, buf, size + 1), PETRO_ERR_MALFORMED);
    ASSERT_EQ(buf[0], PETRO_GENESIS_VERSION);
    /* Version 1 (the development layouts) and any later version are refused as such. */
    buf[0] = 1;
    ASSERT_RESULT(petro_genesis_decode(&g2, buf, size), PETRO_ERR_BAD_VERSION);
    buf[0] = PETRO_GENESIS_VERSION + 1;
    ASSERT_RESULT(petro_genesis_decode(&g2, buf, size), PETRO_ERR_BAD_VERSION);
    buf[0] = 0;
    ASSERT_RESULT(petro_genesis_decode(&g2, buf, size), PETRO_ERR_BAD_VERSION);
    buf[0] = PETRO_GENESIS_VERSION;
    ASSERT_RESULT(petro_genesis_encode(buf2, 10, &size2, &g), PETRO_ERR_BUFFER_TOO_SMALL);

    /* Network id depends on every byte. */
    petro_hash id1, id2;
    ASSERT_OK(petro_genesis_network_id(&id1, &g));
    g2 = g;
    g2.timestamp_ms++;
    ASSERT_OK(petro_genesis_network_id(&id2, &g2));
    ASSERT_TRUE(!petro_hash_equal(&id1, &id2));

    /* Invalid geneses. */
    g2 = g;
    petro_pubkey tmp = g2.accounts[0].id;
    g2.accounts[0].id = g2.accounts[1].id;
    g2.accounts[1].id = tmp;
    ASSERT_RESULT(petro_genesis_encode(buf, sizeof buf, &size, &g2), PETRO_ERR_MALFORMED);
    g2 = g;
    g2.treasury = K[K_X].pk;
    ASSERT_RESULT(petro_genesis_encode(buf, sizeof buf, &size, &g2), PETRO_ERR_MALFORMED);
    g2 = g;
    g2.assets[0].issuer = K[K_X].pk;
    ASSERT_RESULT(petro_genesis_encode(buf, sizeof buf, &size, &g2), PETRO_ERR_MALFORMED);
    g2 = g;
    snprintf(g2.assets[0].code, sizeof g2.assets[0].code, "PTR");
    ASSERT_RESULT(petro_genesis_encode(buf, sizeof buf, &size, &g2), PETRO_ERR_BAD_ASSET_CODE);
    g2 = g;
    g2.assets[1].flags = 0x80;
    ASSERT_RESULT(petro_genesis_encode(buf, sizeof buf, &size, &g2), PETRO_ERR_BAD_FLAGS);
    g2 = g;
    g2.accounts[0].balance = PETRO_SUPPLY_MAX;
    ASSERT_RESULT(petro_genesis_encode(buf, sizeof buf, &size, &g2), PETRO_ERR_SUPPLY_EXCEEDED);
    g2 = g;
    g2.accounts[0].balance = -1;
    ASSERT_RESULT(petro_genesis_encode(buf, sizeof buf, &size, &g2), PETRO_ERR_AMOUNT_NEGATIVE);
    g2 = g;
    g2.accounts[0].master_weight = 0;
    ASSERT_RESULT(petro_genesis_encode(buf, sizeof buf, &size, &g2), PETRO_ERR_BAD_THRESHOLDS);
    g2 = g;
    g2.network_name[0] = '\0';
    ASSERT_RESULT(petro_genesis_encode(buf, sizeof buf, &size, &g2), PETRO_ERR_MALFORMED);

    fx f;
    fx_init(&f);
    petro_ledger_tip tip;
    ASSERT_OK(petro_ledger_tip_get(&f.store, &tip));
    ASSERT_EQ(tip.height, 0);
    ASSERT_MEMEQ(tip.network_id.bytes, f.net.bytes, 32);
    ASSERT_EQ(tip.net_kind, PETRO_NET_TEST);
    ASSERT_EQ(tip.timestamp_ms, g.timestamp_ms);
    ASSERT_EQ(bal(&f, K_ALICE, native()), 1000 * UNIT);
    ASSERT_EQ(bal(&f, K_TREAS, native()), 1000000 * UNIT);
    ASSERT_EQ(bal(&f, K_DAVE, native()), -1);
    petro_asset_info ptr = asset_of(&f, native());
    ASSERT_EQ(ptr.issued, (1000000 + 1000 + 1000 + 10 + 1000) * UNIT);
    ASSERT_EQ(ptr.holder_count, 5);
    petro_asset_info ves = asset_of(&f, issued("VES", K_AUTH));
    ASSERT_EQ(ves.flags, PETRO_ASSET_FLAG_AUTH_REQUIRED | PETRO_ASSET_FLAG_REVOCABLE);
    ASSERT_EQ(ves.issued, 0);
    petro_account auth = acct_of(&f, K_AUTH);
    ASSERT_EQ(auth.master_weight, 0);
    ASSERT_EQ(auth.signer_count, 3);
    ASSERT_EQ(auth.threshold_high, 2);
    ASSERT_EQ(auth.sequence, 0);

    /* A second genesis into a non-empty store is refused. */
    petro_ledger *l2;
    petro_block_header b0;
    ASSERT_OK(petro_ledger_create(&l2, &f.store));
    ASSERT_RESULT(petro_ledger_genesis(l2, &b0, &g), PETRO_ERR_BAD_HEIGHT);
    petro_ledger_destroy(l2);

    /* Same genesis in two stores: same block 0. */
    fx f2;
    fx_init(&f2);
    ASSERT_MEMEQ(f.last.state_hash.bytes, f2.last.state_hash.bytes, 32);
    fx_free(&f2);
    /* begin checks height and time. */
    petro_ledger_abort(f.l);
    ASSERT_RESULT(petro_ledger_begin(f.l, 2, f.ts), PETRO_ERR_BAD_HEIGHT);
    ASSERT_RESULT(petro_ledger_begin(f.l, 1, g.timestamp_ms - 1), PETRO_ERR_BAD_TIMESTAMP);
    ASSERT_OK(petro_ledger_begin(f.l, 1, g.timestamp_ms));
    fx_free(&f);

    /* Begin on an empty store: no tip. */
    petro_store st;
    petro_store_mem *m;
    ASSERT_OK(petro_store_mem_create(&m, &st));
    ASSERT_OK(petro_ledger_create(&l2, &st));
    ASSERT_RESULT(petro_ledger_begin(l2, 1, 0), PETRO_ERR_NOT_FOUND);
    petro_ledger_tip t2;
    ASSERT_RESULT(petro_ledger_tip_get(&st, &t2), PETRO_ERR_NOT_FOUND);
    petro_ledger_destroy(l2);
    petro_store_mem_destroy(m);
}

static void test_tx_level_codes(void) {
    fx f;
    fx_init(&f);
    petro_op pay = op_pay(K_BOB, native(), 1 * UNIT);
    static const int alice[] = {K_ALICE, -1};
    petro_tx tx;

    /* 1: static checks. */
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.op_count = 0;
    EXPECT_TX(&f, &tx, NO_SIGNERS, PETRO_ERR_NO_OPS);
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.ops[0].u.payment.amount = 0;
    EXPECT_TX(&f, &tx, NO_SIGNERS, PETRO_ERR_AMOUNT_ZERO);
    /* 2: wrong network. */
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.network_id.bytes[0] ^= 1;
    EXPECT_TX(&f, &tx, alice, PETRO_ERR_WRONG_NETWORK);
    /* 3: no source account. */
    tx = mk_tx(&f, K_X, &pay, 1);
    EXPECT_TX(&f, &tx, SIGNERS(K_X), PETRO_ERR_NO_SOURCE_ACCOUNT);
    /* 5: too early / too late (block time is f.ts). */
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.valid_after_ms = f.ts + 1;
    EXPECT_TX(&f, &tx, alice, PETRO_ERR_TOO_EARLY);
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.valid_until_ms = f.ts - 1;
    EXPECT_TX(&f, &tx, alice, PETRO_ERR_TOO_LATE);
    /* Bounds are inclusive. */
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.valid_after_ms = f.ts;
    tx.valid_until_ms = f.ts;
    EXPECT_TX(&f, &tx, alice, PETRO_OK);
    /* 6: sequence. */
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.sequence = f.seq[K_ALICE];
    EXPECT_TX(&f, &tx, alice, PETRO_ERR_BAD_SEQUENCE);
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.sequence = f.seq[K_ALICE] + 2;
    EXPECT_TX(&f, &tx, alice, PETRO_ERR_BAD_SEQUENCE);
    /* 7: signatures. */
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    sign(&tx, K_ALICE);
    tx.sigs[0].sig.bytes[5] ^= 0x10;
    {
        petro_tx_result res;
        ASSERT_RESULT(apply_raw(&f, &tx, &res), PETRO_ERR_BAD_SIGNATURE);
    }
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    EXPECT_TX(&f, &tx, SIGNERS(K_ALICE, K_X), PETRO_ERR_EXTRA_SIGNATURE);
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    EXPECT_TX(&f, &tx, SIGNERS(K_BOB), PETRO_ERR_EXTRA_SIGNATURE);
    /* No signature at all is refused by step 1 (stateless), not by the weight check. */
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    EXPECT_TX(&f, &tx, NO_SIGNERS, PETRO_ERR_NO_SIGNATURES);
    /* A bad signature takes precedence over an extra one. */
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    sign(&tx, K_ALICE);
    sign(&tx, K_X);
    for (int i = 0; i < tx.sig_count; i++) {
        if (petro_pubkey_equal(&tx.sigs[i].key, &K[K_ALICE].pk)) tx.sigs[i].sig.bytes[0] ^= 1;
    }
    {
        petro_tx_result res;
        ASSERT_RESULT(apply_raw(&f, &tx, &res), PETRO_ERR_BAD_SIGNATURE);
    }
    /* Multisig: 1 of 3 is below the low threshold 2; the master key (weight 0) is extra. */
    petro_op auth_pay = op_pay(K_BOB, native(), 1 * UNIT);
    tx = mk_tx(&f, K_AUTH, &auth_pay, 1);
    EXPECT_TX(&f, &tx, SIGNERS(K_S1), PETRO_ERR_BAD_AUTH);
    tx = mk_tx(&f, K_AUTH, &auth_pay, 1);
    EXPECT_TX(&f, &tx, SIGNERS(K_AUTH, K_S1, K_S2), PETRO_ERR_EXTRA_SIGNATURE);
    tx = mk_tx(&f, K_AUTH, &auth_pay, 1);
    EXPECT_TX(&f, &tx, SIGNERS(K_S2, K_S3), PETRO_OK);
    tx = mk_tx(&f, K_AUTH, &auth_pay, 1);
    EXPECT_TX(&f, &tx, SIGNERS(K_S1, K_S2, K_S3), PETRO_OK);
    /* 8: fee too low. */
    petro_op two[2] = {pay, pay};
    tx = mk_tx(&f, K_ALICE, two, 2);
    tx.fee = 2 * PETRO_BASE_FEE - 1;
    EXPECT_TX(&f, &tx, alice, PETRO_ERR_FEE_TOO_LOW);
    /* 9: fee balance low: ERIN gets exactly 150 base units. */
    EXPECT_OP(&f, K_ALICE, op_create(K_ERIN, 150), PETRO_OK);
    petro_op erin_pay = op_pay(K_BOB, native(), 1);
    tx = mk_tx(&f, K_ERIN, &erin_pay, 1);
    tx.fee = 151;
    EXPECT_TX(&f, &tx, SIGNERS(K_ERIN), PETRO_ERR_FEE_BALANCE_LOW);
    /* The fee can take the whole balance; the payment then fails. */
    tx = mk_tx(&f, K_ERIN, &erin_pay, 1);
    tx.fee = 150;
    {
        petro_tx_result res;
        ASSERT_OK(apply_signed(&f, &tx, &res, SIGNERS(K_ERIN)));
        ASSERT_EQ(res.code, PETRO_ERR_OP_FAILED);
        ASSERT_EQ(res.op_codes[0], PETRO_ERR_BALANCE_LOW);
    }
    fx_sync(&f);
    ASSERT_EQ(bal(&f, K_ERIN, native()), 0);
    ASSERT_EQ(acct_of(&f, K_ERIN).sequence, 1);
    /* Rejected transactions changed nothing: alice paid 1 unit + 100 fee once, then 1 fee
     * for ERIN's creation (100) and 150 units... */
    ASSERT_EQ(acct_of(&f, K_ALICE).sequence, 2);
    ASSERT_EQ(bal(&f, K_ALICE, native()), 1000 * UNIT - 1 * UNIT - 100 - 150 - 100);
    ASSERT_EQ(acct_of(&f, K_AUTH).sequence, 2);

    /* 4: frozen source. */
    petro_ledger_abort(f.l);
    poke_account_flags(&f, K_ALICE, PETRO_ACCOUNT_FLAG_FROZEN);
    fx_begin(&f);
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.valid_after_ms = f.ts + 1; /* frozen precedes too_early */
    EXPECT_TX(&f, &tx, alice, PETRO_ERR_ACCOUNT_FROZEN);
    /* Frozen destination. */
    EXPECT_OP(&f, K_BOB, op_pay(K_ALICE, native(), 1), PETRO_ERR_DEST_FROZEN);
    fx_sync(&f);
    petro_ledger_abort(f.l);
    poke_account_flags(&f, K_ALICE, 0);
    fx_begin(&f);

    fx_sync(&f);
    fx_free(&f);
}

static void test_block_tx_limit(void) {
    fx f;
    fx_init(&f);
    petro_op pay = op_pay(K_BOB, native(), 1);
    petro_hash id;
    petro_tx_result res;
    for (uint32_t i = 0; i < PETRO_BLOCK_TX_COUNT_MAX; i++) {
        petro_tx tx = mk_tx(&f, K_ALICE, &pay, 1);
        tx.sig_count = 1;
        tx.sigs[0].key = K[K_ALICE].pk;
        ASSERT_OK(petro_tx_id(&id, &tx));
        ASSERT_OK(petro_ledger_apply_tx(f.l, &res, &tx, &id, 1));
        ASSERT_EQ(res.code, PETRO_OK);
        f.seq[K_ALICE]++;
    }
    petro_tx tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.sig_count = 1;
    tx.sigs[0].key = K[K_ALICE].pk;
    ASSERT_OK(petro_tx_id(&id, &tx));
    ASSERT_RESULT(petro_ledger_apply_tx(f.l, &res, &tx, &id, 1), PETRO_ERR_BLOCK_TOO_LARGE);
    fx_sync(&f);
    ASSERT_EQ(f.last.tx_count, PETRO_BLOCK_TX_COUNT_MAX);
    ASSERT_EQ(bal(&f, K_BOB, native()), 1000 * UNIT + PETRO_BLOCK_TX_COUNT_MAX);
    petro_asset_info ptr = asset_of(&f, native());
    ASSERT_EQ(ptr.burned, 100 * PETRO_BLOCK_TX_COUNT_MAX);
    /* Without the valid bit, the signature is bad. */
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.sig_count = 1;
    tx.sigs[0].key = K[K_ALICE].pk;
    ASSERT_OK(petro_tx_id(&id, &tx));
    ASSERT_RESULT(petro_ledger_apply_tx(f.l, &res, &tx, &id, 0), PETRO_ERR_BAD_SIGNATURE);
    fx_free(&f);
}

static void test_accounts_ops(void) {
    fx f;
    fx_init(&f);
    /* create_account */
    EXPECT_OP(&f, K_ALICE, op_create(K_BOB, 1 * UNIT), PETRO_ERR_ACCOUNT_EXISTS);
    EXPECT_OP(&f, K_ALICE, op_create(K_ALICE, 1 * UNIT), PETRO_ERR_ACCOUNT_EXISTS);
    EXPECT_OP(&f, K_CAROL, op_create(K_DAVE, 10 * UNIT), PETRO_ERR_BALANCE_LOW);
    EXPECT_OP(&f, K_CAROL, op_create(K_DAVE, 10 * UNIT - 200), PETRO_OK); /* after 2 fees */
    EXPECT_OP(&f, K_ALICE, op_create(K_DAVE, 1), PETRO_ERR_ACCOUNT_EXISTS);
    fx_sync(&f);
    ASSERT_EQ(bal(&f, K_CAROL, native()), 0);
    ASSERT_EQ(bal(&f, K_DAVE, native()), 10 * UNIT - 200);
    petro_account dave = acct_of(&f, K_DAVE);
    ASSERT_EQ(dave.master_weight, 1);
    ASSERT_EQ(dave.threshold_low + dave.threshold_medium + dave.threshold_high, 0);
    ASSERT_EQ(dave.sequence, 0);
    ASSERT_EQ(dave.created_height, f.height);
    ASSERT_EQ(asset_of(&f, native()).holder_count, 6);

    /* set_signer (high threshold) */
    EXPECT_OP(&f, K_DAVE, op_signer(K_DAVE, 1), PETRO_ERR_BAD_SIGNER);
    for (int i = 0; i < PETRO_SIGNERS_MAX; i++)
        EXPECT_OP(&f, K_DAVE, op_signer(K_E0 + i, 1), PETRO_OK);
    EXPECT_OP(&f, K_DAVE, op_signer(K_E0 + PETRO_SIGNERS_MAX, 1), PETRO_ERR_TOO_MANY_SIGNERS);
    EXPECT_OP(&f, K_DAVE, op_signer(K_E0, 5), PETRO_OK); /* update at the maximum */
    EXPECT_OP(&f, K_DAVE, op_signer(K_E0 + PETRO_SIGNERS_MAX, 0), PETRO_OK); /* absent: no-op */
    fx_sync(&f);
    dave = acct_of(&f, K_DAVE);
    ASSERT_EQ(dave.signer_count, PETRO_SIGNERS_MAX);
    for (int i = 1; i < dave.signer_count; i++) {
        ASSERT_TRUE(petro_pubkey_cmp(&dave.signers[i - 1].key, &dave.signers[i].key) < 0);
    }
    for (int i = 0; i < PETRO_SIGNERS_MAX; i++)
        EXPECT_OP(&f, K_DAVE, op_signer(K_E0 + i, 0), PETRO_OK);
    fx_sync(&f);
    ASSERT_EQ(acct_of(&f, K_DAVE).signer_count, 0);

    /* set_thresholds */
    EXPECT_OP(&f, K_DAVE, op_thresholds(1, 2, 1, 3), PETRO_ERR_BAD_THRESHOLDS); /* order */
    EXPECT_OP(&f, K_DAVE, op_thresholds(1, 1, 1, 2), PETRO_ERR_BAD_THRESHOLDS); /* weight */
    EXPECT_OP(&f, K_DAVE, op_thresholds(0, 0, 0, 0), PETRO_ERR_BAD_THRESHOLDS); /* weight 0 */
    EXPECT_OP(&f, K_DAVE, op_thresholds(2, 1, 2, 2), PETRO_OK);
    /* Removing weight below high through set_signer: add E0 (1), raise high to 3, remove. */
    EXPECT_OP(&f, K_DAVE, op_signer(K_E0, 1), PETRO_OK);
    EXPECT_OP(&f, K_DAVE, op_thresholds(2, 1, 2, 3), PETRO_OK);
    /* Now high is 3 and dave alone has 2: high ops need E0 too. */
    static const int dave_e0[] = {K_DAVE, K_E0, -1};
    EXPECT_OP(&f, K_DAVE, op_signer(K_E0 + 1, 1), PETRO_ERR_BAD_AUTH);
    EXPECT_OP_SIGNED(&f, K_DAVE, op_signer(K_E0, 0), PETRO_ERR_BAD_THRESHOLDS, dave_e0);
    EXPECT_OP_SIGNED(&f, K_DAVE, op_thresholds(0, 1, 1, 1), PETRO_OK, dave_e0);
    /* Master weight 0 now: dave's own key is extra. */
    {
        petro_op op = op_pay(K_BOB, native(), 1);
        petro_tx tx = mk_tx(&f, K_DAVE, &op, 1);
        EXPECT_TX(&f, &tx, SIGNERS(K_DAVE), PETRO_ERR_EXTRA_SIGNATURE);
    }
    EXPECT_OP_SIGNED(&f, K_DAVE, op_pay(K_BOB, native(), 1), PETRO_OK,
                     SIGNERS(K_E0));
    fx_sync(&f);
    dave = acct_of(&f, K_DAVE);
    ASSERT_EQ(dave.master_weight, 0);
    ASSERT_EQ(dave.threshold_high, 1);
    fx_free(&f);
}

static void test_multisig(void) {
    fx f;
    fx_init(&f);
    static const int s12[] = {K_S1, K_S2, -1};
    static const int s13[] = {K_S1, K_S3, -1};
    static const int s123[] = {K_S1, K_S2, K_S3, -1};
    static const int s1[] = {K_S1, -1};
    /* 2 of 3 works for medium and high (2/2/2). */
    EXPECT_OP_SIGNED(&f, K_AUTH, op_pay(K_BOB, native(), UNIT), PETRO_OK, s12);
    EXPECT_OP_SIGNED(&f, K_AUTH, op_create_asset("BOND", 0), PETRO_OK, s13);
    /* 1 of 3 fails at the transaction level. */
    {
        petro_op op = op_pay(K_BOB, native(), UNIT);
        petro_tx tx = mk_tx(&f, K_AUTH, &op, 1);
        EXPECT_TX(&f, &tx, s1, PETRO_ERR_BAD_AUTH);
    }
    /* Thresholds 1/2/3: one signer passes the tx check (low) but not medium ops. */
    EXPECT_OP_SIGNED(&f, K_AUTH, op_thresholds(0, 1, 2, 3), PETRO_OK, s12);
    EXPECT_OP_SIGNED(&f, K_AUTH, op_pay(K_BOB, native(), UNIT), PETRO_ERR_BAD_AUTH, s1);
    EXPECT_OP_SIGNED(&f, K_AUTH, op_trust(issued("USD", K_TREAS), UNIT), PETRO_ERR_BAD_AUTH, s1);
    /* authorize_trust is a low-threshold op: one signer suffices. */
    EXPECT_OP(&f, K_BOB, op_trust(issued("VES", K_AUTH), 100 * UNIT), PETRO_OK);
    EXPECT_OP_SIGNED(&f, K_AUTH, op_authorize(K_BOB, "VES", 1), PETRO_OK, s1);
    /* High (3) for set_signer: two signers fail, three succeed. */
    EXPECT_OP_SIGNED(&f, K_AUTH, op_signer(K_E0, 1), PETRO_ERR_BAD_AUTH, s12);
    EXPECT_OP_SIGNED(&f, K_AUTH, op_signer(K_E0, 1), PETRO_OK, s123);
    EXPECT_OP_SIGNED(&f, K_AUTH, op_thresholds(0, 1, 2, 4), PETRO_ERR_BAD_AUTH, s12);
    /* Removing a signer below high is refused even with all signatures. */
    EXPECT_OP_SIGNED(&f, K_AUTH, op_thresholds(0, 1, 2, 4), PETRO_OK, s123);
    EXPECT_OP_SIGNED(&f, K_AUTH, op_signer(K_S3, 0), PETRO_ERR_BAD_THRESHOLDS,
                     SIGNERS(K_S1, K_S2, K_S3, K_E0));
    /* Several ops in one multisig transaction. */
    {
        petro_op ops[2] = {op_thresholds(0, 1, 4, 4), op_pay(K_BOB, native(), 1)};
        petro_tx tx = mk_tx(&f, K_AUTH, ops, 2);
        petro_tx_result res;
        ASSERT_OK(apply_signed(&f, &tx, &res, SIGNERS(K_S1, K_S2, K_S3, K_E0)));
        ASSERT_EQ(res.code, PETRO_OK);
    }
    fx_sync(&f);
    petro_account auth = acct_of(&f, K_AUTH);
    ASSERT_EQ(auth.threshold_medium, 4);
    ASSERT_EQ(auth.signer_count, 4);
    ASSERT_EQ(line_of(&f, K_BOB, issued("VES", K_AUTH)).flags, PETRO_TRUST_FLAG_AUTHORIZED);
    fx_free(&f);
}

/* Operation thresholds use the account as it was when the transaction started. */
static void test_threshold_snapshot(void) {
    fx f;
    fx_init(&f);
    EXPECT_OP(&f, K_ALICE, op_signer(K_E0, 1), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_signer(K_E0 + 1, 1), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_thresholds(1, 0, 1, 2), PETRO_OK);
    /* Weight 2 (alice + E0): raise medium to 3 and pay in the same transaction. */
    petro_op ops[2] = {op_thresholds(1, 0, 3, 3), op_pay(K_BOB, native(), 1)};
    petro_tx tx = mk_tx(&f, K_ALICE, ops, 2);
    petro_tx_result res;
    ASSERT_OK(apply_signed(&f, &tx, &res, SIGNERS(K_ALICE, K_E0)));
    ASSERT_EQ(res.code, PETRO_OK);
    /* The next transaction sees medium 3. */
    EXPECT_OP_SIGNED(&f, K_ALICE, op_pay(K_BOB, native(), 1), PETRO_ERR_BAD_AUTH,
                     SIGNERS(K_ALICE, K_E0));
    EXPECT_OP_SIGNED(&f, K_ALICE, op_pay(K_BOB, native(), 1), PETRO_OK,
                     SIGNERS(K_ALICE, K_E0, K_E0 + 1));
    fx_sync(&f);
    ASSERT_EQ(bal(&f, K_BOB, native()), 1000 * UNIT + 2);
    fx_free(&f);
}

static void test_payment_ops(void) {
    fx f;
    fx_init(&f);
    const petro_asset usd = issued("USD", K_TREAS), ves = issued("VES", K_AUTH);
    const petro_asset nope = issued("NOPE", K_TREAS);
    EXPECT_OP(&f, K_ALICE, op_pay(K_X, native(), 1), PETRO_ERR_NO_DESTINATION);
    EXPECT_OP(&f, K_ALICE, op_pay(K_ALICE, native(), 1), PETRO_ERR_SELF_NOT_ALLOWED);
    EXPECT_OP(&f, K_ALICE, op_pay(K_TREAS, usd, 1), PETRO_ERR_ISSUER_CANNOT_HOLD);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, nope, 1), PETRO_ERR_NO_ASSET);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, usd, 1), PETRO_ERR_NO_TRUST); /* source */
    EXPECT_OP(&f, K_TREAS, op_pay(K_BOB, usd, 1), PETRO_ERR_NO_TRUST); /* issuer sends */
    EXPECT_OP(&f, K_ALICE, op_trust(usd, 100 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, usd, 1), PETRO_ERR_NO_TRUST); /* destination */
    EXPECT_OP(&f, K_BOB, op_trust(usd, 50 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, usd, 1), PETRO_ERR_BALANCE_LOW);
    EXPECT_OP(&f, K_TREAS, op_issue(K_ALICE, "USD", 80 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, usd, 81 * UNIT), PETRO_ERR_BALANCE_LOW);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, usd, 51 * UNIT), PETRO_ERR_LINE_FULL);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, usd, 50 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, usd, 1), PETRO_ERR_LINE_FULL);
    /* not_authorized: source line, then destination line (VES needs authorisation). */
    EXPECT_OP(&f, K_ALICE, op_trust(ves, 100 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_BOB, op_trust(ves, 100 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, ves, 1), PETRO_ERR_NOT_AUTHORIZED);
    EXPECT_OP(&f, K_AUTH, op_authorize(K_ALICE, "VES", 1), PETRO_OK);
    EXPECT_OP(&f, K_AUTH, op_issue(K_ALICE, "VES", 10 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, ves, 1), PETRO_ERR_NOT_AUTHORIZED);
    EXPECT_OP(&f, K_AUTH, op_authorize(K_BOB, "VES", 1), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, ves, 3 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, native(), 1001 * UNIT), PETRO_ERR_BALANCE_LOW);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, native(), 7 * UNIT), PETRO_OK);
    fx_sync(&f);
    ASSERT_EQ(bal(&f, K_ALICE, usd), 30 * UNIT);
    ASSERT_EQ(bal(&f, K_BOB, usd), 50 * UNIT);
    ASSERT_EQ(bal(&f, K_ALICE, ves), 7 * UNIT);
    ASSERT_EQ(bal(&f, K_BOB, ves), 3 * UNIT);
    ASSERT_EQ(bal(&f, K_BOB, native()), 1007 * UNIT - 100 * 2);
    /* Precedence: no_destination before self_not_allowed before dest_frozen ... */
    EXPECT_OP(&f, K_ALICE, op_pay(K_X, nope, 0 + 1), PETRO_ERR_NO_DESTINATION);
    EXPECT_OP(&f, K_ALICE, op_pay(K_ALICE, nope, 1), PETRO_ERR_SELF_NOT_ALLOWED);
    EXPECT_OP(&f, K_ALICE, op_pay(K_TREAS, nope, 1), PETRO_ERR_ISSUER_CANNOT_HOLD);
    EXPECT_OP(&f, K_CAROL, op_pay(K_BOB, usd, 1), PETRO_ERR_NO_TRUST);
    fx_sync(&f);
    fx_free(&f);
}

static void test_asset_ops(void) {
    fx f;
    fx_init(&f);
    const petro_asset usd = issued("USD", K_TREAS), ves = issued("VES", K_AUTH);
    const petro_asset gld = issued("GLD", K_TREAS), nope = issued("NOPE", K_TREAS);

    /* create_asset */
    {
        petro_op op = op_create_asset("PTR", 0);
        petro_tx tx = mk_tx(&f, K_ALICE, &op, 1);
        EXPECT_TX(&f, &tx, NO_SIGNERS, PETRO_ERR_BAD_ASSET_CODE);
        op = op_create_asset("ABC", 0x4);
        tx = mk_tx(&f, K_ALICE, &op, 1);
        EXPECT_TX(&f, &tx, NO_SIGNERS, PETRO_ERR_BAD_FLAGS);
    }
    EXPECT_OP(&f, K_TREAS, op_create_asset("USD", 0), PETRO_ERR_ASSET_EXISTS);
    EXPECT_OP(&f, K_ALICE, op_create_asset("USD", PETRO_ASSET_FLAG_REVOCABLE), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_create_asset("USD", 0), PETRO_ERR_ASSET_EXISTS);

    /* change_trust */
    EXPECT_OP(&f, K_ALICE, op_trust(native(), UNIT), PETRO_ERR_NOT_SUPPORTED);
    EXPECT_OP(&f, K_TREAS, op_trust(usd, UNIT), PETRO_ERR_ISSUER_CANNOT_HOLD);
    EXPECT_OP(&f, K_ALICE, op_trust(nope, UNIT), PETRO_ERR_NO_ASSET);
    EXPECT_OP(&f, K_ALICE, op_trust(usd, 0), PETRO_OK); /* absent: no-op */
    EXPECT_OP(&f, K_ALICE, op_trust(usd, 10 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_trust(gld, 10 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_issue(K_ALICE, "USD", 5 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_trust(usd, 5 * UNIT - 1), PETRO_ERR_LIMIT_BELOW_BALANCE);
    EXPECT_OP(&f, K_ALICE, op_trust(usd, 0), PETRO_ERR_TRUST_HAS_BALANCE);
    EXPECT_OP(&f, K_ALICE, op_trust(usd, 5 * UNIT), PETRO_OK); /* update to exactly balance */
    fx_sync(&f);
    ASSERT_EQ(line_of(&f, K_ALICE, usd).limit, 5 * UNIT);
    ASSERT_EQ(line_of(&f, K_ALICE, usd).flags, PETRO_TRUST_FLAG_AUTHORIZED);
    ASSERT_EQ(line_of(&f, K_ALICE, gld).flags, 0); /* auth required */
    ASSERT_EQ(acct_of(&f, K_ALICE).trust_line_count, 2);
    ASSERT_EQ(asset_of(&f, usd).holder_count, 1);
    ASSERT_EQ(asset_of(&f, gld).holder_count, 1);
    /* Remove a line with zero balance. */
    EXPECT_OP(&f, K_ALICE, op_trust(gld, 0), PETRO_OK);
    fx_sync(&f);
    ASSERT_EQ(bal(&f, K_ALICE, gld), -1);
    ASSERT_EQ(acct_of(&f, K_ALICE).trust_line_count, 1);
    ASSERT_EQ(asset_of(&f, gld).holder_count, 0);

    /* authorize_trust */
    EXPECT_OP(&f, K_ALICE, op_authorize(K_BOB, "VES", 1), PETRO_ERR_NO_ASSET);
    EXPECT_OP(&f, K_AUTH, op_authorize(K_BOB, "VES", 1), PETRO_ERR_NO_TRUST);
    EXPECT_OP(&f, K_BOB, op_trust(ves, 10 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_BOB, op_trust(gld, 10 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_authorize(K_BOB, "GLD", 1), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_authorize(K_BOB, "GLD", 0), PETRO_ERR_BAD_FLAGS); /* not revocable */
    EXPECT_OP(&f, K_AUTH, op_authorize(K_BOB, "VES", 1), PETRO_OK);
    EXPECT_OP(&f, K_AUTH, op_issue(K_BOB, "VES", 4 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_AUTH, op_authorize(K_BOB, "VES", 0), PETRO_OK); /* revocable */
    EXPECT_OP(&f, K_AUTH, op_issue(K_BOB, "VES", UNIT), PETRO_ERR_NOT_AUTHORIZED);
    fx_sync(&f);
    ASSERT_EQ(line_of(&f, K_BOB, ves).flags, 0);
    ASSERT_EQ(bal(&f, K_BOB, ves), 4 * UNIT);

    /* issue */
    EXPECT_OP(&f, K_ALICE, op_issue(K_BOB, "VES", 1), PETRO_ERR_NO_ASSET);
    EXPECT_OP(&f, K_TREAS, op_issue(K_X, "USD", 1), PETRO_ERR_NO_DESTINATION);
    EXPECT_OP(&f, K_TREAS, op_issue(K_TREAS, "USD", 1), PETRO_ERR_ISSUER_CANNOT_HOLD);
    EXPECT_OP(&f, K_TREAS, op_issue(K_CAROL, "USD", 1), PETRO_ERR_NO_TRUST);
    EXPECT_OP(&f, K_CAROL, op_trust(gld, UNIT), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_issue(K_CAROL, "GLD", 1), PETRO_ERR_NOT_AUTHORIZED);
    EXPECT_OP(&f, K_TREAS, op_issue(K_BOB, "GLD", 10 * UNIT + 1), PETRO_ERR_LINE_FULL);
    EXPECT_OP(&f, K_TREAS, op_issue(K_BOB, "GLD", 10 * UNIT), PETRO_OK);

    /* redeem */
    EXPECT_OP(&f, K_BOB, op_redeem(native(), 1), PETRO_ERR_NOT_SUPPORTED);
    EXPECT_OP(&f, K_BOB, op_redeem(nope, 1), PETRO_ERR_NO_ASSET);
    EXPECT_OP(&f, K_CAROL, op_redeem(usd, 1), PETRO_ERR_NO_TRUST);
    EXPECT_OP(&f, K_TREAS, op_redeem(usd, 1), PETRO_ERR_NO_TRUST);
    EXPECT_OP(&f, K_BOB, op_redeem(gld, 10 * UNIT + 1), PETRO_ERR_BALANCE_LOW);
    EXPECT_OP(&f, K_BOB, op_redeem(gld, 3 * UNIT), PETRO_OK);
    fx_sync(&f);
    petro_asset_info gi = asset_of(&f, gld);
    ASSERT_EQ(gi.issued, 10 * UNIT);
    ASSERT_EQ(gi.redeemed, 3 * UNIT);
    ASSERT_EQ(bal(&f, K_BOB, gld), 7 * UNIT);
    fx_free(&f);
}

static void test_overflow(void) {
    fx f;
    fx_init(&f);
    const petro_asset usd = issued("USD", K_TREAS);
    const petro_amount max = PETRO_SUPPLY_MAX;
    EXPECT_OP(&f, K_ALICE, op_trust(usd, max), PETRO_OK);
    EXPECT_OP(&f, K_BOB, op_trust(usd, max), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_issue(K_ALICE, "USD", max - 10), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_issue(K_BOB, "USD", 11), PETRO_ERR_SUPPLY_EXCEEDED);
    EXPECT_OP(&f, K_TREAS, op_issue(K_BOB, "USD", 10), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_issue(K_BOB, "USD", 1), PETRO_ERR_SUPPLY_EXCEEDED);
    fx_sync(&f);
    EXPECT_OP(&f, K_BOB, op_pay(K_ALICE, usd, 10), PETRO_OK); /* alice at exactly max */
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, usd, max), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, usd, 1), PETRO_ERR_BALANCE_LOW);
    /* Redeem everything, then issue max again: issued would pass INT64_MAX. */
    EXPECT_OP(&f, K_BOB, op_redeem(usd, max), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_issue(K_ALICE, "USD", max), PETRO_ERR_AMOUNT_OVERFLOW);
    EXPECT_OP(&f, K_TREAS, op_issue(K_ALICE, "USD", 5), PETRO_OK);
    fx_sync(&f);
    petro_asset_info ui = asset_of(&f, usd);
    ASSERT_EQ(ui.issued, max + 5);
    ASSERT_EQ(ui.redeemed, max);
    /* Only INT64_MAX - max more units can ever be issued of USD. */
    EXPECT_OP(&f, K_TREAS, op_issue(K_ALICE, "USD", INT64_MAX - max - 5 + 1),
              PETRO_ERR_AMOUNT_OVERFLOW);
    EXPECT_OP(&f, K_TREAS, op_issue(K_ALICE, "USD", INT64_MAX - max - 5), PETRO_OK);
    /* line_full near the maximum, with a fresh asset: a limit just below the max. */
    const petro_asset big = issued("BIG", K_ALICE);
    EXPECT_OP(&f, K_ALICE, op_create_asset("BIG", 0), PETRO_OK);
    EXPECT_OP(&f, K_BOB, op_trust(big, max - 1), PETRO_OK);
    EXPECT_OP(&f, K_CAROL, op_trust(big, max), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_issue(K_BOB, "BIG", max), PETRO_ERR_LINE_FULL);
    EXPECT_OP(&f, K_ALICE, op_issue(K_BOB, "BIG", max - 1), PETRO_OK);
    EXPECT_OP(&f, K_ALICE, op_issue(K_CAROL, "BIG", 1), PETRO_OK);
    fx_sync(&f);
    EXPECT_OP(&f, K_CAROL, op_pay(K_BOB, big, 1), PETRO_ERR_LINE_FULL);
    /* supply_exceeded comes before line_full. */
    EXPECT_OP(&f, K_ALICE, op_issue(K_BOB, "BIG", 1), PETRO_ERR_SUPPLY_EXCEEDED);
    fx_sync(&f);
    ASSERT_EQ(asset_of(&f, usd).issued, INT64_MAX);
    ASSERT_EQ(bal(&f, K_BOB, big), max - 1);
    fx_free(&f);
}

static void test_atomicity(void) {
    fx f;
    fx_init(&f);
    const petro_asset usd = issued("USD", K_TREAS);
    petro_amount alice0 = bal(&f, K_ALICE, native()), bob0 = bal(&f, K_BOB, native());
    /* Op 1 pays bob, op 2 fails: bob gets nothing, alice pays the fee, sequence bumped. */
    petro_op ops[2] = {op_pay(K_BOB, native(), 5 * UNIT), op_pay(K_BOB, usd, 1)};
    petro_tx tx = mk_tx(&f, K_ALICE, ops, 2);
    tx.fee = 777;
    petro_tx_result res;
    ASSERT_OK(apply_signed(&f, &tx, &res, SIGNERS(K_ALICE)));
    ASSERT_EQ(res.code, PETRO_ERR_OP_FAILED);
    ASSERT_EQ(res.op_count, 2);
    ASSERT_EQ(res.op_codes[0], 0);
    ASSERT_EQ(res.op_codes[1], PETRO_ERR_NO_TRUST);
    ASSERT_EQ(res.fee_charged, 777);
    /* Failure in the first of three ops: the later ones are not attempted (0). */
    petro_op ops3[3] = {op_create(K_BOB, 1), op_create(K_DAVE, UNIT), op_create(K_ERIN, UNIT)};
    tx = mk_tx(&f, K_ALICE, ops3, 3);
    ASSERT_OK(apply_signed(&f, &tx, &res, SIGNERS(K_ALICE)));
    ASSERT_EQ(res.op_codes[0], PETRO_ERR_ACCOUNT_EXISTS);
    ASSERT_EQ(res.op_codes[1], 0);
    ASSERT_EQ(res.op_codes[2], 0);
    /* Trust line created then the tx fails: no line, no counts. */
    petro_op ops_t[2] = {op_trust(usd, UNIT), op_redeem(usd, 1)};
    tx = mk_tx(&f, K_BOB, ops_t, 2);
    ASSERT_OK(apply_signed(&f, &tx, &res, SIGNERS(K_BOB)));
    ASSERT_EQ(res.op_codes[1], PETRO_ERR_BALANCE_LOW);
    /* Later ops see earlier ops' writes within one tx. */
    petro_op ops_ok[3] = {op_create(K_DAVE, 3 * UNIT), op_pay(K_DAVE, native(), UNIT),
                          op_pay(K_DAVE, native(), UNIT)};
    tx = mk_tx(&f, K_ALICE, ops_ok, 3);
    ASSERT_OK(apply_signed(&f, &tx, &res, SIGNERS(K_ALICE)));
    ASSERT_EQ(res.code, PETRO_OK);
    fx_sync(&f);
    ASSERT_EQ(bal(&f, K_BOB, native()), bob0 - 200);
    ASSERT_EQ(bal(&f, K_ALICE, native()), alice0 - 777 - 300 - 300 - 5 * UNIT);
    ASSERT_EQ(bal(&f, K_DAVE, native()), 5 * UNIT);
    ASSERT_EQ(acct_of(&f, K_ALICE).sequence, 3);
    ASSERT_EQ(acct_of(&f, K_BOB).sequence, 1);
    ASSERT_EQ(bal(&f, K_BOB, usd), -1);
    ASSERT_EQ(acct_of(&f, K_BOB).trust_line_count, 0);
    ASSERT_EQ(asset_of(&f, usd).holder_count, 0);
    ASSERT_EQ(bal(&f, K_ERIN, native()), -1);
    ASSERT_EQ(asset_of(&f, native()).burned, 777 + 300 + 200 + 300);
    fx_free(&f);
}

/* A scripted multi-block scenario; the same calls give the same blocks. */
static void scenario(fx *f) {
    const petro_asset usd = issued("USD", K_TREAS), ves = issued("VES", K_AUTH);
    EXPECT_OP(f, K_ALICE, op_create(K_DAVE, 50 * UNIT), PETRO_OK);
    EXPECT_OP(f, K_ALICE, op_trust(usd, 100 * UNIT), PETRO_OK);
    EXPECT_OP(f, K_BOB, op_trust(usd, 100 * UNIT), PETRO_OK);
    fx_sync(f);
    EXPECT_OP(f, K_TREAS, op_issue(K_ALICE, "USD", 60 * UNIT), PETRO_OK);
    EXPECT_OP(f, K_ALICE, op_pay(K_BOB, usd, 20 * UNIT), PETRO_OK);
    EXPECT_OP(f, K_ALICE, op_pay(K_BOB, usd, 90 * UNIT), PETRO_ERR_BALANCE_LOW);
    EXPECT_OP(f, K_DAVE, op_trust(ves, 10 * UNIT), PETRO_OK);
    EXPECT_OP(f, K_AUTH, op_authorize(K_DAVE, "VES", 1), PETRO_OK);
    fx_sync(f);
    EXPECT_OP(f, K_AUTH, op_issue(K_DAVE, "VES", 7 * UNIT), PETRO_OK);
    EXPECT_OP(f, K_BOB, op_redeem(usd, 5 * UNIT), PETRO_OK);
    EXPECT_OP(f, K_DAVE, op_signer(K_E0, 1), PETRO_OK);
    EXPECT_OP(f, K_BOB, op_trust(usd, 0), PETRO_ERR_TRUST_HAS_BALANCE);
    fx_sync(f);
    fx_sync(f); /* an empty block */
}

typedef struct dump {
    uint8_t *bytes;
    size_t size;
    size_t cap;
} dump;

static int dump_visit(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                      size_t value_size) {
    dump *d = ctx;
    size_t need = d->size + 4 + key_size + value_size;
    if (need > d->cap) {
        d->cap = need * 2;
        d->bytes = realloc(d->bytes, d->cap);
        ASSERT_TRUE(d->bytes != NULL);
    }
    d->bytes[d->size++] = (uint8_t)key_size;
    memcpy(d->bytes + d->size, key, key_size);
    d->size += key_size;
    d->bytes[d->size++] = (uint8_t)value_size;
    d->bytes[d->size++] = (uint8_t)(value_size >> 8);
    memcpy(d->bytes + d->size, value, value_size);
    d->size += value_size;
    return 0;
}

static void store_equal(const petro_store *a, const petro_store *b) {
    dump da = {0}, db = {0};
    ASSERT_OK(a->iter(a->ctx, NULL, 0, dump_visit, &da));
    ASSERT_OK(b->iter(b->ctx, NULL, 0, dump_visit, &db));
    ASSERT_EQ(da.size, db.size);
    ASSERT_MEMEQ(da.bytes, db.bytes, da.size);
    free(da.bytes);
    free(db.bytes);
}

static void replay_all(fx *src, fx *dst) {
    for (size_t i = 0; i < src->block_count; i++) {
        ASSERT_OK(petro_ledger_apply_block(dst->l, src->blocks[i], src->block_sizes[i]));
        ASSERT_OK(petro_ledger_commit(dst->l));
        petro_ledger_tip tip;
        ASSERT_OK(petro_ledger_tip_get(&dst->store, &tip));
        ASSERT_EQ(tip.height, i + 1);
        ASSERT_MEMEQ(tip.state_hash.bytes, src->state_hashes[i + 1].bytes, 32);
        check_inv(&dst->store);
    }
}

static void expect_block_rejected(fx *dst, const uint8_t *block, size_t size,
                                  petro_result expected, int line) {
    size_t count = petro_store_mem_count(dst->mem);
    petro_ledger_tip before, after;
    ASSERT_OK(petro_ledger_tip_get(&dst->store, &before));
    petro_result rc = petro_ledger_apply_block(dst->l, block, size);
    if (rc != expected) fprintf(stderr, "line %d: ", line);
    ASSERT_RESULT(rc, expected);
    ASSERT_EQ(petro_store_mem_count(dst->mem), count);
    ASSERT_OK(petro_ledger_tip_get(&dst->store, &after));
    ASSERT_MEMEQ(&before, &after, sizeof before);
}
#define EXPECT_BLOCK_REJECTED(dst, block, size, expected) \
    expect_block_rejected((dst), (block), (size), (expected), __LINE__)

/* Sign an encoded header again as key k, after a test changed it. */
static void resign(uint8_t *bytes, const petro_hash *net, int k) {
    petro_block_header h;
    ASSERT_OK(petro_block_header_decode(&h, bytes, PETRO_BLOCK_HEADER_SIZE));
    h.proposer = K[k].pk;
    ASSERT_OK(petro_block_sign(&h, net, &K[k].sk));
    petro_block_header_encode(bytes, &h);
}

static void test_determinism_and_replay(void) {
    petro_genesis g;
    make_genesis(&g);
    fx a, b;
    fx_init_with(&a, &g, true);
    fx_init_with(&b, &g, true);
    scenario(&a);
    scenario(&b);
    ASSERT_EQ(a.block_count, b.block_count);
    for (size_t i = 0; i <= a.block_count; i++) {
        ASSERT_MEMEQ(a.state_hashes[i].bytes, b.state_hashes[i].bytes, 32);
    }
    for (size_t i = 0; i < a.block_count; i++) {
        ASSERT_EQ(a.block_sizes[i], b.block_sizes[i]);
        ASSERT_MEMEQ(a.blocks[i], b.blocks[i], a.block_sizes[i]);
    }
    store_equal(&a.store, &b.store);
    /* Every block changed the state hash, even the empty one (height is hashed). */
    for (size_t i = 0; i < a.block_count; i++) {
        ASSERT_TRUE(!petro_hash_equal(&a.state_hashes[i], &a.state_hashes[i + 1]));
    }

    /* Replay into a fresh store from the same genesis. */
    fx c;
    fx_init_with(&c, &g, false);
    petro_ledger_abort(c.l);
    replay_all(&a, &c);
    store_equal(&a.store, &c.store);
    fx_free(&c);

    /* Tampering, against a fresh replica at height 1. */
    fx d;
    fx_init_with(&d, &g, false);
    petro_ledger_abort(d.l);
    ASSERT_OK(petro_ledger_apply_block(d.l, a.blocks[0], a.block_sizes[0]));
    ASSERT_OK(petro_ledger_commit(d.l));
    const uint8_t *blk = a.blocks[1];
    size_t size = a.block_sizes[1];
    uint8_t *t = malloc(size + 8);
    ASSERT_TRUE(t != NULL);
    /* Header offsets: version 0, height 1, prev 9, time 41, tx_root 49, witness_root 81,
     * result_root 113, state 145, proposer 177, tx_count 209, signature 213. A mutated header
     * is signed again (RESIGN) so that the check after the signature is the one exercised. */
    const size_t off_height = 1, off_prev = 9, off_time = 41, off_txr = 49, off_wr = 81,
                 off_rr = 113, off_state = 145, off_prop = 177, off_count = 209, off_sig = 213;
#define RESIGN(bytes) resign((bytes), &d.net, K_TREAS)
    /* The signature first: flipped, zeroed, or by another key than the named proposer. */
    memcpy(t, blk, size);
    t[off_sig + 5] ^= 1;
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_BLOCK_SIGNATURE);
    memcpy(t, blk, size);
    memset(t + off_sig, 0, 64);
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_BLOCK_SIGNATURE);
    memcpy(t, blk, size);
    memcpy(t + off_prop, K[K_ALICE].pk.bytes, 32); /* names alice, signed by the treasury */
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_BLOCK_SIGNATURE);
    memcpy(t, blk, size);
    t[off_state] ^= 1; /* any hashed byte changes the hash the signature covers */
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_BLOCK_SIGNATURE);
    memcpy(t, blk, size);
    t[off_txr] ^= 1;
    RESIGN(t);
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_TX_ROOT);
    memcpy(t, blk, size);
    t[off_wr + 2] ^= 4;
    RESIGN(t);
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_WITNESS_ROOT);
    memcpy(t, blk, size);
    t[off_rr + 31] ^= 0x80;
    RESIGN(t);
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_RESULT_ROOT);
    memcpy(t, blk, size);
    t[off_state + 7] ^= 2;
    RESIGN(t);
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_STATE_HASH);
    memcpy(t, blk, size);
    t[off_height] ^= 1;
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_HEIGHT);
    memcpy(t, blk, size);
    t[off_prev] ^= 1;
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_PREV_HASH);
    memcpy(t, blk, size);
    memset(t + off_time, 0, 8);
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_BAD_TIMESTAMP);
    memcpy(t, blk, size);
    t[off_count] = (uint8_t)(t[off_count] + 1);
    RESIGN(t);
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_MALFORMED);
    memcpy(t, blk, size);
    t[off_count] = (uint8_t)(t[off_count] - 1);
    RESIGN(t);
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_MALFORMED);
    /* Truncated body. */
    EXPECT_BLOCK_REJECTED(&d, blk, size - 1, PETRO_ERR_MALFORMED);
    EXPECT_BLOCK_REJECTED(&d, blk, 10, PETRO_ERR_MALFORMED);
    /* The last byte of the block is in the last tx's last signature: it fails to verify. */
    memcpy(t, blk, size);
    t[size - 1] ^= 1;
    EXPECT_BLOCK_REJECTED(&d, t, size, PETRO_ERR_TX_REJECTED_IN_BLOCK);
    /* The same block twice: the second is at the wrong height. */
    ASSERT_OK(petro_ledger_apply_block(d.l, blk, size));
    ASSERT_OK(petro_ledger_commit(d.l));
    EXPECT_BLOCK_REJECTED(&d, blk, size, PETRO_ERR_BAD_HEIGHT);
    /* A block whose transaction is not includable (replayed sequence), with a correct
     * header chain: rebuild block 2 of a's chain on top of d and swap in block 1's body. */
    {
        petro_block_header h;
        ASSERT_OK(petro_block_header_decode(&h, a.blocks[2], PETRO_BLOCK_HEADER_SIZE));
        size_t body = a.block_sizes[1] - PETRO_BLOCK_HEADER_SIZE;
        uint8_t *x = malloc(PETRO_BLOCK_HEADER_SIZE + body);
        ASSERT_TRUE(x != NULL);
        ASSERT_OK(petro_block_header_decode(&h, a.blocks[2], PETRO_BLOCK_HEADER_SIZE));
        petro_block_header h1;
        ASSERT_OK(petro_block_header_decode(&h1, a.blocks[1], PETRO_BLOCK_HEADER_SIZE));
        h.tx_count = h1.tx_count;
        ASSERT_OK(petro_block_sign(&h, &d.net, &K[K_TREAS].sk));
        petro_block_header_encode(x, &h);
        memcpy(x + PETRO_BLOCK_HEADER_SIZE, a.blocks[1] + PETRO_BLOCK_HEADER_SIZE, body);
        EXPECT_BLOCK_REJECTED(&d, x, PETRO_BLOCK_HEADER_SIZE + body,
                              PETRO_ERR_TX_REJECTED_IN_BLOCK);
        free(x);
    }
    /* After all rejections, the rest of the chain still applies and matches. */
    for (size_t i = 2; i < a.block_count; i++) {
        ASSERT_OK(petro_ledger_apply_block(d.l, a.blocks[i], a.block_sizes[i]));
        ASSERT_OK(petro_ledger_commit(d.l));
    }
    store_equal(&a.store, &d.store);
    free(t);
    fx_free(&d);
#undef RESIGN

    /* A different transaction order gives a different state hash chain. */
    fx e;
    fx_init_with(&e, &g, false);
    EXPECT_OP(&e, K_ALICE, op_create(K_DAVE, 50 * UNIT), PETRO_OK);
    EXPECT_OP(&e, K_BOB, op_trust(issued("USD", K_TREAS), 100 * UNIT), PETRO_OK);
    EXPECT_OP(&e, K_ALICE, op_trust(issued("USD", K_TREAS), 100 * UNIT), PETRO_OK);
    fx_sync(&e);
    petro_block_header a1;
    ASSERT_OK(petro_block_header_decode(&a1, a.blocks[0], PETRO_BLOCK_HEADER_SIZE));
    ASSERT_TRUE(!petro_hash_equal(&e.last.tx_root, &a1.tx_root));
    ASSERT_TRUE(!petro_hash_equal(&e.last.result_root, &a1.result_root));
    ASSERT_MEMEQ(e.last.state_hash.bytes, a1.state_hash.bytes, 32); /* same write set */
    fx_free(&e);
    fx_free(&a);
    fx_free(&b);
}

static void test_check_tx(void) {
    fx f;
    fx_init(&f);
    petro_op pay = op_pay(K_BOB, native(), UNIT);
    petro_tx tx = mk_tx(&f, K_ALICE, &pay, 1);
    sign(&tx, K_ALICE);
    petro_hash id;
    ASSERT_OK(petro_tx_id(&id, &tx));
    uint32_t mask = petro_tx_verify_sigs(&tx, &id);
    ASSERT_OK(petro_ledger_check_tx(&f.store, &tx, mask, f.ts, 0, 0));
    ASSERT_RESULT(petro_ledger_check_tx(&f.store, &tx, 0, f.ts, 0, 0), PETRO_ERR_BAD_SIGNATURE);
    ASSERT_RESULT(petro_ledger_check_tx(&f.store, &tx, mask, f.ts, 1, 0), PETRO_ERR_BAD_SEQUENCE);
    tx.sequence = 3;
    tx.sig_count = 0;
    sign(&tx, K_ALICE);
    ASSERT_OK(petro_tx_id(&id, &tx));
    mask = petro_tx_verify_sigs(&tx, &id);
    ASSERT_OK(petro_ledger_check_tx(&f.store, &tx, mask, f.ts, 2, 200));
    ASSERT_RESULT(petro_ledger_check_tx(&f.store, &tx, mask, f.ts, 2, 1000 * UNIT),
                  PETRO_ERR_FEE_BALANCE_LOW);
    ASSERT_RESULT(petro_ledger_check_tx(&f.store, &tx, mask, f.ts, UINT64_MAX, 0),
                  PETRO_ERR_BAD_SEQUENCE);
    tx.valid_until_ms = f.ts;
    tx.sig_count = 0;
    sign(&tx, K_ALICE);
    ASSERT_OK(petro_tx_id(&id, &tx));
    mask = petro_tx_verify_sigs(&tx, &id);
    ASSERT_RESULT(petro_ledger_check_tx(&f.store, &tx, mask, f.ts + 1, 2, 0), PETRO_ERR_TOO_LATE);
    tx.network_id.bytes[3] ^= 1;
    ASSERT_RESULT(petro_ledger_check_tx(&f.store, &tx, mask, f.ts, 2, 0),
                  PETRO_ERR_WRONG_NETWORK);
    tx = mk_tx(&f, K_X, &pay, 1);
    sign(&tx, K_X);
    ASSERT_RESULT(petro_ledger_check_tx(&f.store, &tx, 0, f.ts, 0, 0),
                  PETRO_ERR_NO_SOURCE_ACCOUNT);
    /* check_tx reads committed state only and changes nothing. */
    size_t count = petro_store_mem_count(f.mem);
    tx = mk_tx(&f, K_ALICE, &pay, 1);
    tx.fee = 50;
    ASSERT_RESULT(petro_ledger_check_tx(&f.store, &tx, 0, f.ts, 0, 0), PETRO_ERR_NO_SIGNATURES);
    sign(&tx, K_ALICE);
    ASSERT_OK(petro_tx_id(&id, &tx));
    ASSERT_RESULT(petro_ledger_check_tx(&f.store, &tx, petro_tx_verify_sigs(&tx, &id), f.ts, 0, 0),
                  PETRO_ERR_FEE_TOO_LOW);
    ASSERT_EQ(petro_store_mem_count(f.mem), count);
    fx_free(&f);
}

/* Envelope = body || u8 sig_count 0: what a user who forgot to sign sends. */
static size_t unsigned_envelope(uint8_t *out, size_t out_cap, const petro_tx *tx) {
    size_t size = 0;
    ASSERT_OK(petro_tx_encode_body(out, out_cap, &size, tx));
    ASSERT_TRUE(size < out_cap);
    out[size] = 0;
    return size + 1;
}

/* A transaction without signatures is no_signatures (9) at the first, stateless check: in the
 * decoder, in petro_tx_check_envelope, at admission (check_tx) and in a block (apply_tx), ahead
 * of every check that reads state; a block holding one is rejected like any envelope failure. */
static void test_no_signatures(void) {
    petro_genesis g;
    make_genesis(&g);
    fx a;
    fx_init_with(&a, &g, true);
    petro_op pay = op_pay(K_BOB, native(), UNIT);
    petro_tx tx = mk_tx(&a, K_ALICE, &pay, 1);
    ASSERT_EQ(tx.sig_count, 0);
    /* The body is fine (it can be hashed and signed); the envelope is not. */
    ASSERT_OK(petro_tx_check(&tx));
    ASSERT_RESULT(petro_tx_check_envelope(&tx), PETRO_ERR_NO_SIGNATURES);
    petro_hash id;
    ASSERT_OK(petro_tx_id(&id, &tx));
    ASSERT_EQ(petro_tx_verify_sigs(&tx, &id), 0);
    uint8_t env[PETRO_TX_SIZE_MAX];
    size_t env_size = 0;
    ASSERT_RESULT(petro_tx_encode(env, sizeof env, &env_size, &tx), PETRO_ERR_NO_SIGNATURES);
    ASSERT_EQ(env_size, 0);
    env_size = unsigned_envelope(env, sizeof env, &tx);
    petro_tx back;
    ASSERT_RESULT(petro_tx_decode(&back, env, env_size), PETRO_ERR_NO_SIGNATURES);

    /* Admission: 9 whatever the state would say (unknown source, wrong network, bad sequence
     * with a fee below the minimum, any signature mask), and nothing changes. */
    size_t count = petro_store_mem_count(a.mem);
    ASSERT_RESULT(petro_ledger_check_tx(&a.store, &tx, 0, a.ts, 0, 0), PETRO_ERR_NO_SIGNATURES);
    ASSERT_RESULT(petro_ledger_check_tx(&a.store, &tx, UINT32_MAX, a.ts, 0, 0),
                  PETRO_ERR_NO_SIGNATURES);
    petro_tx other = mk_tx(&a, K_X, &pay, 1);
    ASSERT_RESULT(petro_ledger_check_tx(&a.store, &other, 0, a.ts, 0, 0),
                  PETRO_ERR_NO_SIGNATURES);
    other = tx;
    other.network_id.bytes[0] ^= 1;
    ASSERT_RESULT(petro_ledger_check_tx(&a.store, &other, 0, a.ts, 0, 0),
                  PETRO_ERR_NO_SIGNATURES);
    other = tx;
    other.sequence += 5;
    other.fee = 1;
    ASSERT_RESULT(petro_ledger_check_tx(&a.store, &other, 0, a.ts, 0, 0),
                  PETRO_ERR_NO_SIGNATURES);
    /* A failing op field still comes first: petro_tx_check runs before the signature count. */
    other = tx;
    other.ops[0].u.payment.amount = 0;
    ASSERT_RESULT(petro_ledger_check_tx(&a.store, &other, 0, a.ts, 0, 0),
                  PETRO_ERR_AMOUNT_ZERO);
    ASSERT_EQ(petro_store_mem_count(a.mem), count);

    /* In the open block: not includable, nothing recorded. */
    EXPECT_TX(&a, &tx, NO_SIGNERS, PETRO_ERR_NO_SIGNATURES);
    ASSERT_EQ(a.cur_size, PETRO_BLOCK_HEADER_SIZE);
    /* Signed, the same transaction is included: block 1 holds exactly it. */
    EXPECT_TX(&a, &tx, SIGNERS(K_ALICE), PETRO_OK);
    fx_sync(&a);
    ASSERT_EQ(a.block_count, 1);

    /* A block carrying the unsigned envelope instead is rejected whole on a replica (the
     * header is block 1's, so only the envelope differs), then the real block 1 applies. */
    fx d;
    fx_init_with(&d, &g, false);
    petro_ledger_abort(d.l);
    petro_tx unsigned_tx = tx;
    unsigned_tx.sig_count = 0;
    memset(unsigned_tx.sigs, 0, sizeof unsigned_tx.sigs);
    env_size = unsigned_envelope(env, sizeof env, &unsigned_tx);
    uint8_t *blk = malloc(PETRO_BLOCK_HEADER_SIZE + 4 + env_size);
    ASSERT_TRUE(blk != NULL);
    memcpy(blk, a.blocks[0], PETRO_BLOCK_HEADER_SIZE);
    for (int i = 0; i < 4; i++) {
        blk[PETRO_BLOCK_HEADER_SIZE + (size_t)i] = (uint8_t)(env_size >> (8 * i));
    }
    memcpy(blk + PETRO_BLOCK_HEADER_SIZE + 4, env, env_size);
    petro_block_header h;
    ASSERT_OK(petro_block_header_decode(&h, blk, PETRO_BLOCK_HEADER_SIZE));
    ASSERT_EQ(h.tx_count, 1);
    EXPECT_BLOCK_REJECTED(&d, blk, PETRO_BLOCK_HEADER_SIZE + 4 + env_size,
                          PETRO_ERR_TX_REJECTED_IN_BLOCK);
    /* The same, applied by hand: apply_tx names the reason, 9. */
    ASSERT_OK(petro_ledger_begin(d.l, 1, h.timestamp_ms));
    petro_tx_result res;
    ASSERT_RESULT(petro_ledger_apply_tx(d.l, &res, &unsigned_tx, &id, 0), PETRO_ERR_NO_SIGNATURES);
    ASSERT_EQ(res.code, 0);
    ASSERT_EQ(res.fee_charged, 0);
    petro_ledger_abort(d.l);
    ASSERT_OK(petro_ledger_apply_block(d.l, a.blocks[0], a.block_sizes[0]));
    ASSERT_OK(petro_ledger_commit(d.l));
    store_equal(&a.store, &d.store);
    free(blk);
    fx_free(&d);
    fx_free(&a);
}

static void test_sticky_and_misuse(void) {
    fx f;
    fx_init(&f);
    /* Abort drops an open block without a trace. */
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, native(), UNIT), PETRO_OK);
    petro_ledger_abort(f.l);
    petro_ledger_abort(f.l);
    ASSERT_EQ(bal(&f, K_BOB, native()), 1000 * UNIT);
    f.seq[K_ALICE] = 0;
    f.ts -= 1000;
    fx_begin(&f);
    EXPECT_OP(&f, K_ALICE, op_pay(K_BOB, native(), UNIT), PETRO_OK);
    /* A corrupt record is a local failure that sticks until abort. */
    petro_ledger_abort(f.l);
    uint8_t key[PETRO__KEY_MAX];
    size_t ks = petro__key_account(key, &K[K_CAROL].pk);
    const uint8_t junk[3] = {1, 2, 3};
    ASSERT_OK(f.store.put(f.store.ctx, key, ks, junk, sizeof junk));
    char msg[200];
    ASSERT_RESULT(petro_ledger_check_invariants(&f.store, msg, sizeof msg), PETRO_ERR_CORRUPT);
    ASSERT_TRUE(strstr(msg, "does not decode") != NULL);
    f.seq[K_ALICE] = 0;
    f.ts -= 1000;
    fx_begin(&f);
    petro_tx_result res;
    petro_op pay = op_pay(K_CAROL, native(), UNIT);
    petro_tx tx = mk_tx(&f, K_ALICE, &pay, 1);
    ASSERT_RESULT(apply_signed(&f, &tx, &res, SIGNERS(K_ALICE)), PETRO_ERR_CORRUPT);
    petro_block_header h;
    ASSERT_RESULT(petro_ledger_finish(f.l, &h, &K[K_TREAS].pk), PETRO_ERR_CORRUPT);
    ASSERT_RESULT(petro_ledger_commit(f.l), PETRO_ERR_CORRUPT);
    petro_ledger_abort(f.l);
    ASSERT_RESULT(petro_state_get_account(&f.store, &(petro_account){0}, &K[K_CAROL].pk),
                  PETRO_ERR_CORRUPT);
    fx_free(&f);
}

/* A store wrapper that fails get or put with PETRO_ERR_IO after a number of calls. */
typedef struct faulty {
    petro_store inner;
    long get_budget; /* < 0: never fail */
    long put_budget;
} faulty;

static petro_result faulty_get(void *ctx, const uint8_t *key, size_t key_size, uint8_t *value,
                               size_t value_cap, size_t *value_size, bool *found) {
    faulty *f = ctx;
    if (f->get_budget == 0) return PETRO_ERR_IO;
    if (f->get_budget > 0) f->get_budget--;
    return f->inner.get(f->inner.ctx, key, key_size, value, value_cap, value_size, found);
}
static petro_result faulty_put(void *ctx, const uint8_t *key, size_t key_size,
                               const uint8_t *value, size_t value_size) {
    faulty *f = ctx;
    if (f->put_budget == 0) return PETRO_ERR_IO;
    if (f->put_budget > 0) f->put_budget--;
    return f->inner.put(f->inner.ctx, key, key_size, value, value_size);
}
static petro_result faulty_del(void *ctx, const uint8_t *key, size_t key_size) {
    faulty *f = ctx;
    return f->inner.del(f->inner.ctx, key, key_size);
}
static petro_result faulty_iter(void *ctx, const uint8_t *prefix, size_t prefix_size,
                                petro_store_iter_cb cb, void *cb_ctx) {
    faulty *f = ctx;
    return f->inner.iter(f->inner.ctx, prefix, prefix_size, cb, cb_ctx);
}

static void test_store_faults(void) {
    petro_genesis g;
    make_genesis(&g);
    petro_hash net;
    ASSERT_OK(petro_genesis_network_id(&net, &g));
    petro_store_mem *mem;
    faulty f = {.get_budget = -1, .put_budget = -1};
    ASSERT_OK(petro_store_mem_create(&mem, &f.inner));
    petro_store st = {.ctx = &f, .get = faulty_get, .put = faulty_put, .del = faulty_del,
                      .iter = faulty_iter};
    petro_ledger *l;
    ASSERT_OK(petro_ledger_create(&l, &st));
    petro_block_header h;
    ASSERT_OK(petro_ledger_genesis(l, &h, &g));
    ASSERT_OK(petro_ledger_commit(l));

    petro_op pay = op_pay(K_BOB, native(), UNIT);
    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.network_id = net;
    tx.source = K[K_ALICE].pk;
    tx.sequence = 1;
    tx.fee = 100;
    tx.op_count = 1;
    tx.ops[0] = pay;
    sign(&tx, K_ALICE);
    petro_hash id;
    ASSERT_OK(petro_tx_id(&id, &tx));
    uint32_t mask = petro_tx_verify_sigs(&tx, &id);
    petro_tx_result res;

    /* A read error while applying sticks until abort. */
    ASSERT_OK(petro_ledger_begin(l, 1, g.timestamp_ms + 1));
    f.get_budget = 1;
    ASSERT_RESULT(petro_ledger_apply_tx(l, &res, &tx, &id, mask), PETRO_ERR_IO);
    f.get_budget = -1;
    ASSERT_RESULT(petro_ledger_apply_tx(l, &res, &tx, &id, mask), PETRO_ERR_IO);
    ASSERT_RESULT(petro_ledger_finish(l, &h, &K[K_TREAS].pk), PETRO_ERR_IO);
    ASSERT_RESULT(petro_ledger_commit(l), PETRO_ERR_IO);
    ASSERT_RESULT(petro_ledger_begin(l, 1, g.timestamp_ms + 1), PETRO_ERR_IO);
    petro_ledger_abort(l);

    /* Healthy again: the same transaction applies. A write error at commit sticks. */
    ASSERT_OK(petro_ledger_begin(l, 1, g.timestamp_ms + 1));
    ASSERT_OK(petro_ledger_apply_tx(l, &res, &tx, &id, mask));
    ASSERT_OK(petro_ledger_finish(l, &h, &K[K_TREAS].pk));
    petro_ledger_tip before;
    ASSERT_OK(petro_ledger_tip_get(&st, &before));
    f.put_budget = 1;
    ASSERT_RESULT(petro_ledger_commit(l), PETRO_ERR_IO);
    ASSERT_RESULT(petro_ledger_commit(l), PETRO_ERR_IO);
    petro_ledger_abort(l);
    f.put_budget = -1;
    /* The tip is written last, so it still names the previous block. */
    petro_ledger_tip after;
    ASSERT_OK(petro_ledger_tip_get(&st, &after));
    ASSERT_EQ(after.height, 0);
    ASSERT_MEMEQ(before.block_hash.bytes, after.block_hash.bytes, 32);
    petro_ledger_destroy(l);
    petro_store_mem_destroy(mem);
}

/* Invariant checker catches damage. */
static void test_invariants_detect(void) {
    fx f;
    fx_init(&f);
    petro_ledger_abort(f.l);
    char msg[200];
    /* Balance changed behind the ledger's back. */
    uint8_t key[PETRO__KEY_MAX], value[PETRO__TRUST_RECORD_SIZE];
    petro_asset ptr = native();
    size_t ks = petro__key_trust(key, &K[K_BOB].pk, &ptr);
    petro_trust_line line = line_of(&f, K_BOB, ptr);
    line.balance += 1;
    size_t vs = petro__trust_encode(value, &line);
    ASSERT_OK(f.store.put(f.store.ctx, key, ks, value, vs));
    ASSERT_RESULT(petro_ledger_check_invariants(&f.store, msg, sizeof msg), PETRO_ERR_CORRUPT);
    ASSERT_TRUE(strstr(msg, "PTR") != NULL);
    line.balance -= 1;
    vs = petro__trust_encode(value, &line);
    ASSERT_OK(f.store.put(f.store.ctx, key, ks, value, vs));
    check_inv(&f.store);
    /* A trust line whose account is missing. */
    petro_asset usd = issued("USD", K_TREAS);
    ks = petro__key_trust(key, &K[K_X].pk, &usd);
    petro_trust_line zero = {0, UNIT, PETRO_TRUST_FLAG_AUTHORIZED};
    vs = petro__trust_encode(value, &zero);
    ASSERT_OK(f.store.put(f.store.ctx, key, ks, value, vs));
    ASSERT_RESULT(petro_ledger_check_invariants(&f.store, msg, sizeof msg), PETRO_ERR_CORRUPT);
    ASSERT_OK(f.store.del(f.store.ctx, key, ks));
    check_inv(&f.store);
    /* A line the account's trust_line_count does not know of. */
    ks = petro__key_trust(key, &K[K_BOB].pk, &usd);
    ASSERT_OK(f.store.put(f.store.ctx, key, ks, value, vs));
    ASSERT_RESULT(petro_ledger_check_invariants(&f.store, msg, sizeof msg), PETRO_ERR_CORRUPT);
    ASSERT_OK(f.store.del(f.store.ctx, key, ks));
    /* Balance above limit. */
    ks = petro__key_trust(key, &K[K_BOB].pk, &ptr);
    line = line_of(&f, K_BOB, ptr);
    line.limit = line.balance - 1;
    vs = petro__trust_encode(value, &line);
    ASSERT_OK(f.store.put(f.store.ctx, key, ks, value, vs));
    ASSERT_RESULT(petro_ledger_check_invariants(&f.store, msg, sizeof msg), PETRO_ERR_CORRUPT);
    fx_free(&f);
}

/* ---------------------------------------------------------------- random vs model */

#define R_ACCTS 10 /* model accounts: K_TREAS..K_AUTH plus DAVE, ERIN and E0..E2 */
#define R_ASSETS 2 /* USD (treasury), BOND (alice), both open */

typedef struct model {
    petro_amount ptr[R_ACCTS];
    bool has_line[R_ACCTS][R_ASSETS];
    petro_amount bal[R_ACCTS][R_ASSETS];
    petro_amount limit[R_ACCTS][R_ASSETS];
    petro_amount issued[R_ASSETS], redeemed[R_ASSETS];
    petro_amount burned;
    bool exists[R_ACCTS];
} model;

static const int r_keys[R_ACCTS] = {K_TREAS, K_ALICE, K_BOB, K_CAROL, K_DAVE,
                                    K_ERIN,  K_E0,    K_E0 + 1, K_E0 + 2, K_E0 + 3};
static const int r_issuer[R_ASSETS] = {0, 1}; /* model index of the issuer */
static const char *const r_code[R_ASSETS] = {"USD", "BOND"};

static petro_asset r_asset(int a) { return issued(r_code[a], r_keys[r_issuer[a]]); }

/* Apply one op to the model; returns the op result. */
static petro_result model_op(model *m, int src, const petro_op *op, int dst, int a) {
    switch (op->type) {
    case PETRO_OP_CREATE_ACCOUNT:
        if (m->exists[dst]) return PETRO_ERR_ACCOUNT_EXISTS;
        if (m->ptr[src] < op->u.create_account.starting_balance) return PETRO_ERR_BALANCE_LOW;
        m->ptr[src] -= op->u.create_account.starting_balance;
        m->ptr[dst] = op->u.create_account.starting_balance;
        m->exists[dst] = true;
        return PETRO_OK;
    case PETRO_OP_PAYMENT: {
        petro_amount amt = op->u.payment.amount;
        if (!m->exists[dst]) return PETRO_ERR_NO_DESTINATION;
        if (dst == src) return PETRO_ERR_SELF_NOT_ALLOWED;
        if (a < 0) {
            if (m->ptr[src] < amt) return PETRO_ERR_BALANCE_LOW;
            m->ptr[src] -= amt;
            m->ptr[dst] += amt;
            return PETRO_OK;
        }
        if (dst == r_issuer[a]) return PETRO_ERR_ISSUER_CANNOT_HOLD;
        if (!m->has_line[src][a]) return PETRO_ERR_NO_TRUST;
        if (!m->has_line[dst][a]) return PETRO_ERR_NO_TRUST;
        if (m->bal[src][a] < amt) return PETRO_ERR_BALANCE_LOW;
        if (m->bal[dst][a] + amt > m->limit[dst][a]) return PETRO_ERR_LINE_FULL;
        m->bal[src][a] -= amt;
        m->bal[dst][a] += amt;
        return PETRO_OK;
    }
    case PETRO_OP_CHANGE_TRUST: {
        petro_amount lim = op->u.change_trust.limit;
        if (src == r_issuer[a]) return PETRO_ERR_ISSUER_CANNOT_HOLD;
        if (lim == 0) {
            if (!m->has_line[src][a]) return PETRO_OK;
            if (m->bal[src][a] != 0) return PETRO_ERR_TRUST_HAS_BALANCE;
            m->has_line[src][a] = false;
            m->limit[src][a] = 0;
            return PETRO_OK;
        }
        if (m->has_line[src][a] && lim < m->bal[src][a]) return PETRO_ERR_LIMIT_BELOW_BALANCE;
        m->has_line[src][a] = true;
        m->limit[src][a] = lim;
        return PETRO_OK;
    }
    case PETRO_OP_ISSUE: {
        petro_amount amt = op->u.issue.amount;
        if (src != r_issuer[a]) return PETRO_ERR_NO_ASSET;
        if (!m->exists[dst]) return PETRO_ERR_NO_DESTINATION;
        if (dst == src) return PETRO_ERR_ISSUER_CANNOT_HOLD;
        if (!m->has_line[dst][a]) return PETRO_ERR_NO_TRUST;
        petro_amount after;
        if (__builtin_add_overflow(m->issued[a] - m->redeemed[a], amt, &after) ||
            after > PETRO_SUPPLY_MAX) {
            return PETRO_ERR_SUPPLY_EXCEEDED;
        }
        if (m->bal[dst][a] + amt > m->limit[dst][a]) return PETRO_ERR_LINE_FULL;
        petro_amount total;
        if (__builtin_add_overflow(m->issued[a], amt, &total)) return PETRO_ERR_AMOUNT_OVERFLOW;
        m->bal[dst][a] += amt;
        m->issued[a] = total;
        return PETRO_OK;
    }
    case PETRO_OP_REDEEM: {
        petro_amount amt = op->u.redeem.amount;
        if (!m->has_line[src][a]) return PETRO_ERR_NO_TRUST;
        if (m->bal[src][a] < amt) return PETRO_ERR_BALANCE_LOW;
        m->bal[src][a] -= amt;
        m->redeemed[a] += amt;
        return PETRO_OK;
    }
    default:
        ASSERT_TRUE(0);
    }
    return PETRO_ERR_MALFORMED;
}

static petro_amount r_amount(void) {
    /* Mostly small (so payments succeed), sometimes near the supply maximum. */
    switch (test_rand() % 6) {
    case 0:
    case 1: return (petro_amount)(1 + test_rand() % 1000);
    case 2:
    case 3: return (petro_amount)(1 + test_rand() % (10 * UNIT));
    case 4: return (petro_amount)(1 + test_rand() % (1000 * UNIT));
    default: return (petro_amount)(1 + test_rand() % (PETRO_SUPPLY_MAX / 2));
    }
}

static void test_random(void) {
    petro_genesis g;
    make_genesis(&g);
    fx f;
    fx_init_with(&f, &g, true);
    model m;
    memset(&m, 0, sizeof m);
    for (int i = 0; i < R_ACCTS; i++) {
        m.exists[i] = i < 4;
        m.ptr[i] = bal(&f, r_keys[i], native());
        if (!m.exists[i]) {
            ASSERT_EQ(m.ptr[i], -1);
            m.ptr[i] = 0;
        }
    }
    /* BOND is created by alice in the first transaction. */
    EXPECT_OP(&f, K_ALICE, op_create_asset("BOND", 0), PETRO_OK);
    m.ptr[1] -= 100;
    m.burned += 100;

    const int blocks = 12, per_block = 400;
    int included = 0, op_failed = 0;
    int applied[256] = {0}; /* by operation type */
    for (int b = 0; b < blocks; b++) {
        for (int t = 0; t < per_block; t++) {
            /* Issuers are picked more often so that issue succeeds now and then. */
            int src = test_rand() % 3 == 0 ? (int)(test_rand() % 2)
                                           : (int)(test_rand() % R_ACCTS);
            if (!m.exists[src]) continue;
            int nops = 1 + (int)(test_rand() % 3);
            petro_op ops[3];
            int dsts[3], as[3];
            for (int i = 0; i < nops; i++) {
                int dst = (int)(test_rand() % R_ACCTS);
                int a = (int)(test_rand() % (R_ASSETS + 1)) - 1; /* -1 = native */
                dsts[i] = dst;
                as[i] = a;
                uint64_t kind = test_rand() % 10;
                if (kind < 1) {
                    ops[i] = op_create(r_keys[dst], 1 + (petro_amount)(test_rand() % (20 * UNIT)));
                } else if (kind < 5) {
                    ops[i] = op_pay(r_keys[dst], a < 0 ? native() : r_asset(a), r_amount());
                } else {
                    if (a < 0) a = (int)(test_rand() % R_ASSETS);
                    as[i] = a;
                    if (kind < 7) {
                        petro_amount lim = test_rand() % 4 == 0 ? 0 : r_amount();
                        if (test_rand() % 4 == 0) lim = PETRO_SUPPLY_MAX;
                        ops[i] = op_trust(r_asset(a), lim);
                    } else if (kind < 9) {
                        /* (code, source): no_asset unless the source is the issuer */
                        ops[i] = op_issue(r_keys[dst], r_code[a], r_amount());
                    } else {
                        ops[i] = op_redeem(r_asset(a), r_amount());
                    }
                }
            }
            petro_amount fee = PETRO_BASE_FEE * nops + (petro_amount)(test_rand() % 50);
            petro_tx tx = mk_tx(&f, r_keys[src], ops, nops);
            tx.fee = fee;
            petro_tx_result res;
            petro_result rc = apply_signed(&f, &tx, &res, SIGNERS(r_keys[src]));
            if (m.ptr[src] < fee) {
                ASSERT_RESULT(rc, PETRO_ERR_FEE_BALANCE_LOW);
                continue;
            }
            ASSERT_OK(rc);
            included++;
            m.ptr[src] -= fee;
            m.burned += fee;
            model copy = m;
            petro_result expected = PETRO_OK;
            int failed_at = -1;
            for (int i = 0; i < nops; i++) {
                expected = model_op(&copy, src, &ops[i], dsts[i], as[i]);
                if (expected != PETRO_OK) {
                    failed_at = i;
                    break;
                }
            }
            for (int i = 0; i < nops; i++) {
                petro_result want = i == failed_at ? expected : PETRO_OK;
                if (res.op_codes[i] != (uint16_t)want) {
                    fprintf(stderr, "block %d tx %d op %d (type %d): got %s, model %s\n", b, t,
                            i, ops[i].type, petro_result_name((petro_result)res.op_codes[i]),
                            petro_result_name(want));
                    exit(1);
                }
            }
            if (failed_at < 0) {
                m = copy;
                ASSERT_EQ(res.code, PETRO_OK);
                for (int i = 0; i < nops; i++) applied[ops[i].type]++;
            } else {
                op_failed++;
                ASSERT_EQ(res.code, PETRO_ERR_OP_FAILED);
            }
        }
        fx_sync(&f);
        /* Compare every balance with the model. */
        petro_asset_info ptr = asset_of(&f, native());
        ASSERT_EQ(ptr.burned, m.burned);
        uint32_t accounts = 0;
        for (int i = 0; i < R_ACCTS; i++) {
            if (!m.exists[i]) {
                ASSERT_EQ(bal(&f, r_keys[i], native()), -1);
                continue;
            }
            accounts++;
            ASSERT_EQ(bal(&f, r_keys[i], native()), m.ptr[i]);
            uint32_t lines = 0;
            for (int a = 0; a < R_ASSETS; a++) {
                ASSERT_EQ(bal(&f, r_keys[i], r_asset(a)), m.has_line[i][a] ? m.bal[i][a] : -1);
                if (m.has_line[i][a]) {
                    lines++;
                    ASSERT_EQ(line_of(&f, r_keys[i], r_asset(a)).limit, m.limit[i][a]);
                }
            }
            ASSERT_EQ(acct_of(&f, r_keys[i]).trust_line_count, lines);
        }
        ASSERT_EQ(ptr.holder_count, accounts + 1); /* + AUTH, outside the model */
        for (int a = 0; a < R_ASSETS; a++) {
            petro_asset_info info = asset_of(&f, r_asset(a));
            ASSERT_EQ(info.issued, m.issued[a]);
            ASSERT_EQ(info.redeemed, m.redeemed[a]);
        }
    }
    printf("random: %d included, %d op_failed, %zu blocks\n", included, op_failed,
           f.block_count);
    ASSERT_TRUE(included > blocks * per_block / 4);
    ASSERT_TRUE(op_failed > 0 && op_failed < included);
    printf("random: applied create_account %d, payment %d, change_trust %d, issue %d, "
           "redeem %d\n", applied[PETRO_OP_CREATE_ACCOUNT], applied[PETRO_OP_PAYMENT],
           applied[PETRO_OP_CHANGE_TRUST], applied[PETRO_OP_ISSUE], applied[PETRO_OP_REDEEM]);
    ASSERT_TRUE(applied[PETRO_OP_CREATE_ACCOUNT] > 0 && applied[PETRO_OP_PAYMENT] > 0 &&
                applied[PETRO_OP_CHANGE_TRUST] > 0 && applied[PETRO_OP_ISSUE] > 0 &&
                applied[PETRO_OP_REDEEM] > 0);

    /* Replay everything into a fresh store. */
    fx c;
    fx_init_with(&c, &g, false);
    petro_ledger_abort(c.l);
    replay_all(&f, &c);
    store_equal(&f.store, &c.store);
    fx_free(&c);
    fx_free(&f);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    keys_init();
    RUN_TEST(test_genesis);
    RUN_TEST(test_tx_level_codes);
    RUN_TEST(test_block_tx_limit);
    RUN_TEST(test_accounts_ops);
    RUN_TEST(test_multisig);
    RUN_TEST(test_threshold_snapshot);
    RUN_TEST(test_payment_ops);
    RUN_TEST(test_asset_ops);
    RUN_TEST(test_overflow);
    RUN_TEST(test_atomicity);
    RUN_TEST(test_determinism_and_replay);
    RUN_TEST(test_check_tx);
    RUN_TEST(test_no_signatures);
    RUN_TEST(test_sticky_and_misuse);
    RUN_TEST(test_store_faults);
    RUN_TEST(test_invariants_detect);
    RUN_TEST(test_random);
    return 0;
}
