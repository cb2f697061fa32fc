/* Shared fixture of test_trade.c and test_zones.c: a genesis with an importer, an exporter,
 * two inspectors, a bank, a zone authority and three zones, over the in-memory store; one-op
 * transactions applied into an open block; invariants checked after every block. */
#ifndef PETRO_TEST_TRADE_FIXTURE_H
#define PETRO_TEST_TRADE_FIXTURE_H

#include "test.h"
#include "op_build.h"

#include "petro/petro.h"

enum { K_TREAS, K_IMP, K_EXP, K_INS1, K_INS2, K_BANK, K_ZAUTH, K_ZAUTH2, K_OTHER, K_COUNT };

typedef struct keypair { petro_pubkey pk; petro_seckey sk; } keypair;
static keypair K[K_COUNT];

#define UNIT PETRO_UNIT
#define T0 1767225600000ull /* 2026-01-01T00:00:00Z */
#define DAY 86400000ull

/* Zones of the genesis: 1 (VE, fee 0), 2 (CO, 50 bps, limit 5000, tier 1), 3 (BR, PTR only). */
#define ZONE_VE 1u
#define ZONE_CO 2u
#define ZONE_BR 3u

static inline void keys_init(void) {
    for (int i = 0; i < K_COUNT; i++) {
        uint8_t seed[32];
        memset(seed, 0, sizeof seed);
        seed[0] = (uint8_t)(i + 1);
        seed[1] = 0x54;
        ASSERT_OK(petro_keypair_from_seed(&K[i].pk, &K[i].sk, seed));
    }
}

static inline petro_asset usd(void) {
    petro_asset a;
    memset(&a, 0, sizeof a);
    a.kind = PETRO_ASSET_ISSUED;
    snprintf(a.code, sizeof a.code, "USD");
    a.issuer = K[K_BANK].pk;
    return a;
}

static inline int acct_cmp(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_genesis_account *)a)->id,
                            &((const petro_genesis_account *)b)->id);
}

static inline void make_genesis(petro_genesis *g) {
    memset(g, 0, sizeof *g);
    snprintf(g->network_name, sizeof g->network_name, "petro-trade-test");
    g->net_kind = PETRO_NET_TEST;
    g->timestamp_ms = T0;
    g->treasury = K[K_TREAS].pk;
    for (int i = 0; i < K_COUNT; i++) {
        petro_genesis_account *a = &g->accounts[g->account_count++];
        a->id = K[i].pk;
        a->balance = (i == K_TREAS ? 1000000 : 100000) * UNIT;
        a->master_weight = 1;
    }
    qsort(g->accounts, g->account_count, sizeof g->accounts[0], acct_cmp);
    g->asset_count = 1;
    snprintf(g->assets[0].code, sizeof g->assets[0].code, "USD");
    g->assets[0].issuer = K[K_BANK].pk;
    g->zone_authority_count = 2;
    g->zone_authorities[0] = K[K_ZAUTH].pk;
    g->zone_authorities[1] = K[K_ZAUTH2].pk;
    g->zone_count = 3;
    g->zones[0] = (petro_genesis_zone){.id = ZONE_VE, .authority = K[K_ZAUTH].pk};
    snprintf(g->zones[0].name, sizeof g->zones[0].name, "Puerto Cabello free zone");
    memcpy(g->zones[0].country, "VE", 3);
    g->zones[1] = (petro_genesis_zone){.id = ZONE_CO, .authority = K[K_ZAUTH].pk,
                                       .fee_bps = 50, .tx_limit = 5000 * UNIT,
                                       .min_kyc_tier = 1};
    snprintf(g->zones[1].name, sizeof g->zones[1].name, "Zona Franca de Barranquilla");
    memcpy(g->zones[1].country, "CO", 3);
    g->zones[2] = (petro_genesis_zone){.id = ZONE_BR, .authority = K[K_ZAUTH2].pk};
    snprintf(g->zones[2].name, sizeof g->zones[2].name, "Zona Franca de Manaus");
    memcpy(g->zones[2].country, "BR", 3);
    g->member_count = 2;
    g->members[0] = (petro_genesis_member){.account = K[K_IMP].pk, .zone_id = ZONE_VE,
                                           .kyc_tier = 2};
    g->members[1] = (petro_genesis_member){.account = K[K_EXP].pk, .zone_id = 0, .kyc_tier = 1};
}

typedef struct fx {
    petro_store store;
    petro_store_mem *mem;
    petro_ledger *l;
    petro_hash net;
    uint64_t height, ts;
    uint64_t seq[K_COUNT];
} fx;

static inline void check_inv(fx *f) {
    char msg[256];
    petro_result rc = petro_ledger_check_invariants(&f->store, msg, sizeof msg);
    if (rc != PETRO_OK) fprintf(stderr, "invariant: %s\n", msg);
    ASSERT_OK(rc);
}

static inline void fx_begin(fx *f, uint64_t advance_ms) {
    f->ts += advance_ms;
    ASSERT_OK(petro_ledger_begin(f->l, f->height + 1, f->ts));
}

static inline void fx_init(fx *f) {
    memset(f, 0, sizeof *f);
    petro_genesis g;
    make_genesis(&g);
    ASSERT_OK(petro_store_mem_create(&f->mem, &f->store));
    ASSERT_OK(petro_ledger_create(&f->l, &f->store));
    petro_block_header b0;
    ASSERT_OK(petro_ledger_genesis(f->l, &b0, &g));
    ASSERT_OK(petro_ledger_commit(f->l));
    ASSERT_OK(petro_genesis_network_id(&f->net, &g));
    f->ts = T0;
    check_inv(f);
    fx_begin(f, 1000);
}

/* Commit the open block, check the invariants, open the next one advance_ms later. */
static inline void fx_sync(fx *f, uint64_t advance_ms) {
    petro_block_header h;
    ASSERT_OK(petro_ledger_finish(f->l, &h, &K[K_TREAS].pk));
    ASSERT_OK(petro_ledger_commit(f->l));
    f->height++;
    check_inv(f);
    fx_begin(f, advance_ms);
}

static inline void fx_free(fx *f) {
    petro_ledger_abort(f->l);
    petro_ledger_destroy(f->l);
    petro_store_mem_destroy(f->mem);
}

static inline petro_result run(fx *f, int src, petro_op op, petro_result *op_code) {
    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.network_id = f->net;
    tx.source = K[src].pk;
    tx.sequence = f->seq[src] + 1;
    tx.fee = PETRO_BASE_FEE;
    tx.op_count = 1;
    tx.ops[0] = op;
    ASSERT_OK(petro_tx_sign(&tx, &K[src].pk, &K[src].sk));
    petro_hash id;
    ASSERT_OK(petro_tx_id(&id, &tx));
    uint32_t mask = petro_tx_verify_sigs(&tx, &id);
    petro_tx_result res;
    petro_result rc = petro_ledger_apply_tx(f->l, &res, &tx, &id, mask);
    if (rc == PETRO_OK) {
        f->seq[src] = tx.sequence;
        *op_code = (petro_result)res.op_codes[0];
    }
    return rc;
}

static inline void expect_op(fx *f, int src, petro_op op, petro_result want, int line) {
    petro_result code = PETRO_OK;
    petro_result rc = run(f, src, op, &code);
    if (rc != PETRO_OK || code != want) {
        fprintf(stderr, "line %d: tx %s, op %s, expected op %s\n", line, petro_result_name(rc),
                petro_result_name(code), petro_result_name(want));
        exit(1);
    }
}
#define EXPECT_OP(f, src, op, want) expect_op((f), (src), (op), (want), __LINE__)

static inline petro_amount balance(fx *f, int who, petro_asset asset) {
    petro_trust_line line;
    petro_result rc = petro_state_get_trust_line(&f->store, &line, &K[who].pk, &asset);
    if (rc == PETRO_ERR_NOT_FOUND) return 0;
    ASSERT_OK(rc);
    return line.balance;
}

static inline petro_asset_info asset_info(fx *f, petro_asset asset) {
    petro_asset_info info;
    ASSERT_OK(petro_state_get_asset(&f->store, &info, &asset));
    return info;
}

static inline petro_op op_payment(int dest, petro_asset asset, petro_amount amount) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_PAYMENT;
    op.u.payment.destination = K[dest].pk;
    op.u.payment.asset = asset;
    op.u.payment.amount = amount;
    return op;
}

static inline petro_op op_trust(petro_asset asset, petro_amount limit) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_CHANGE_TRUST;
    op.u.change_trust.asset = asset;
    op.u.change_trust.limit = limit;
    return op;
}

static inline petro_op op_issue(int dest, const char *code, petro_amount amount) {
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = PETRO_OP_ISSUE;
    op.u.issue.destination = K[dest].pk;
    snprintf(op.u.issue.code, sizeof op.u.issue.code, "%s", code);
    op.u.issue.amount = amount;
    return op;
}

/* Encode and decode op inside a transaction: the decoded op must equal the original. */
static inline void roundtrip(const petro_op *op) {
    petro_tx tx, back;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.sequence = 1;
    tx.fee = PETRO_BASE_FEE;
    tx.op_count = 1;
    tx.ops[0] = *op;
    tx.sig_count = 1; /* an envelope carries a signature; the codec does not verify it */
    uint8_t buf[PETRO_TX_SIZE_MAX];
    size_t size;
    ASSERT_OK(petro_tx_encode(buf, sizeof buf, &size, &tx));
    ASSERT_OK(petro_tx_decode(&back, buf, size));
    uint8_t buf2[PETRO_TX_SIZE_MAX];
    size_t size2;
    ASSERT_OK(petro_tx_encode(buf2, sizeof buf2, &size2, &back));
    ASSERT_EQ(size, size2);
    ASSERT_MEMEQ(buf, buf2, size);
    ASSERT_EQ(back.ops[0].type, op->type);
    /* Every truncation is malformed (never a crash, never accepted). */
    for (size_t cut = 1; cut < size; cut += 7) {
        ASSERT_TRUE(petro_tx_decode(&back, buf, size - cut) != PETRO_OK);
    }
}

#endif
