/* Unit tests of the reserves family over the in-memory store: genesis reserve section, the
 * exact cap boundary (PTR and gold, issue_reserve and plain issue), m-of-n attestation,
 * expiry and under-coverage, supersession, the median of fresh oracle prices, the redemption
 * flow (and the accounts its transactions list for history), and the invariants after every
 * block (sum of balances == supply; supply within the cap unless the status flags
 * under-coverage). */
#include "test.h"
#include "op_build.h"
#include "roles.h"

#include "petro/petro.h"

enum { K_TREAS, K_AUD, K_ALICE, K_BOB, K_O1, K_O2, K_O3, K_S1, K_S2, K_S3, K_X, K_COUNT };

typedef struct keypair { petro_pubkey pk; petro_seckey sk; } keypair;
static keypair K[K_COUNT];

#define UNIT PETRO_UNIT
#define T0 1700000000000ull
#define HOUR 3600000ull

static void keys_init(void) {
    for (int i = 0; i < K_COUNT; i++) {
        uint8_t seed[32];
        memset(seed, 0, sizeof seed);
        seed[0] = (uint8_t)(i + 1);
        seed[1] = 0x77;
        ASSERT_OK(petro_keypair_from_seed(&K[i].pk, &K[i].sk, seed));
    }
}

static petro_asset gold(void) {
    petro_asset a;
    memset(&a, 0, sizeof a);
    a.kind = PETRO_ASSET_ISSUED;
    snprintf(a.code, sizeof a.code, "XAU");
    a.issuer = K[K_TREAS].pk;
    return a;
}

static int acct_cmp(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_genesis_account *)a)->id,
                            &((const petro_genesis_account *)b)->id);
}
static int signer_cmp(const void *a, const void *b) {
    return petro_pubkey_cmp(&((const petro_signer *)a)->key, &((const petro_signer *)b)->key);
}

#define GENESIS_PTR (1000000 * UNIT + 3 * 1000 * UNIT + 3 * 10 * UNIT)

static petro_op_attest_reserve attestation(uint8_t commodity, petro_amount qty, uint64_t from,
                                           uint64_t until, uint64_t supersedes) {
    petro_op_attest_reserve a;
    memset(&a, 0, sizeof a);
    a.commodity = commodity;
    a.quantity = qty;
    snprintf(a.custodian, sizeof a.custodian, "PDVSA tank farm Jose, Anzoategui");
    petro_hash_bytes(&a.document_hash, (const uint8_t *)"certificate", 11);
    a.valid_from_ms = from;
    a.valid_until_ms = until;
    a.supersedes = supersedes;
    return a;
}

static void make_genesis(petro_genesis *g) {
    memset(g, 0, sizeof *g);
    snprintf(g->network_name, sizeof g->network_name, "petro-reserves-test");
    g->net_kind = PETRO_NET_TEST;
    g->timestamp_ms = T0;
    g->treasury = K[K_TREAS].pk;
    static const struct { int k; petro_amount bal; } accts[] = {
        {K_TREAS, 1000000 * UNIT}, {K_AUD, 1000 * UNIT}, {K_ALICE, 1000 * UNIT},
        {K_BOB, 1000 * UNIT},      {K_O1, 10 * UNIT},    {K_O2, 10 * UNIT},
        {K_O3, 10 * UNIT},
    };
    for (size_t i = 0; i < sizeof accts / sizeof accts[0]; i++) {
        petro_genesis_account *a = &g->accounts[g->account_count++];
        a->id = K[accts[i].k].pk;
        a->balance = accts[i].bal;
        a->master_weight = 1;
        if (accts[i].k == K_AUD) { /* auditors: 2 of 3 */
            a->master_weight = 0;
            a->threshold_low = a->threshold_medium = a->threshold_high = 2;
            a->signer_count = 3;
            for (int j = 0; j < 3; j++) {
                a->signers[j].key = K[K_S1 + j].pk;
                a->signers[j].weight = 1;
            }
            qsort(a->signers, 3, sizeof a->signers[0], signer_cmp);
        }
    }
    qsort(g->accounts, g->account_count, sizeof g->accounts[0], acct_cmp);
    g->asset_count = 1;
    snprintf(g->assets[0].code, sizeof g->assets[0].code, "XAU");
    g->assets[0].issuer = K[K_TREAS].pk;
    g->auditors = K[K_AUD].pk;
    g->oracle_count = 3;
    g->oracles[0] = K[K_O1].pk;
    g->oracles[1] = K[K_O2].pk;
    g->oracles[2] = K[K_O3].pk;
    g->oracle_max_age_ms = HOUR;
    g->reserve_count = 2;
    g->reserves[0].asset = petro_asset_native();
    g->reserves[0].commodity = PETRO_COMMODITY_OIL;
    g->reserves[0].units_per_commodity = 1; /* 1 PTR = 1 barrel */
    g->reserves[0].coverage_bps = 10000;
    snprintf(g->reserves[0].quote, sizeof g->reserves[0].quote, "USD");
    g->reserves[1].asset = gold();
    g->reserves[1].commodity = PETRO_COMMODITY_GOLD;
    g->reserves[1].units_per_commodity = 100; /* 1 XAU = 0.01 troy ounce */
    g->reserves[1].coverage_bps = 10000;
    snprintf(g->reserves[1].quote, sizeof g->reserves[1].quote, "USD");
    /* Oil: the genesis supply plus 500 barrels, for 30 days. Gold: 10 oz, for 30 days. */
    g->attestation_count = 2;
    g->attestations[0] =
        attestation(PETRO_COMMODITY_OIL, GENESIS_PTR + 500 * UNIT, T0, T0 + 720 * HOUR, 0);
    g->attestations[1] = attestation(PETRO_COMMODITY_GOLD, 10 * UNIT, T0, T0 + 720 * HOUR, 0);
}

/* ---------------------------------------------------------------- fixture */

typedef struct fx {
    petro_store store;
    petro_store_mem *mem;
    petro_ledger *l;
    petro_hash net;
    uint64_t height, ts;
    uint64_t seq[K_COUNT];
    bool expect_under; /* under-coverage is allowed (attestations expired) */
} fx;

static void status(fx *f, petro_reserve_status st[2]) {
    uint32_t n;
    ASSERT_OK(petro_reserves_status(&f->store, f->ts, st, 2, &n));
    ASSERT_EQ(n, 2);
}

/* Invariants after every block: ledger invariants (sum of balances == issued - redeemed -
 * burned, per asset) and supply within the cap unless under-coverage is flagged and expected. */
static void check_inv(fx *f) {
    char msg[256];
    petro_result rc = petro_ledger_check_invariants(&f->store, msg, sizeof msg);
    if (rc != PETRO_OK) fprintf(stderr, "invariant: %s\n", msg);
    ASSERT_OK(rc);
    petro_reserve_status st[2];
    status(f, st);
    for (int i = 0; i < 2; i++) {
        ASSERT_EQ(st[i].under_covered, st[i].supply > st[i].cap);
        if (!f->expect_under) ASSERT_TRUE(st[i].supply <= st[i].cap);
    }
}

static void fx_begin(fx *f, uint64_t advance_ms) {
    f->ts += advance_ms;
    ASSERT_OK(petro_ledger_begin(f->l, f->height + 1, f->ts));
}

static void fx_init(fx *f) {
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

/* Commit the open block, check invariants, open the next one advance_ms later. */
static void fx_sync(fx *f, uint64_t advance_ms) {
    petro_block_header h;
    ASSERT_OK(petro_ledger_finish(f->l, &h, &K[K_TREAS].pk));
    ASSERT_OK(petro_ledger_commit(f->l));
    f->height++;
    check_inv(f);
    fx_begin(f, advance_ms);
}

static void fx_free(fx *f) {
    petro_ledger_abort(f->l);
    petro_ledger_destroy(f->l);
    petro_store_mem_destroy(f->mem);
}

#define SIGNERS(...) ((const int[]){__VA_ARGS__, -1})

/* Apply a one-op tx from src signed by signers; returns the tx-level code, *op_code the op's. */
static petro_result run(fx *f, int src, petro_op op, const int *signers, petro_result *op_code) {
    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.network_id = f->net;
    tx.source = K[src].pk;
    tx.sequence = f->seq[src] + 1;
    tx.fee = PETRO_BASE_FEE;
    tx.op_count = 1;
    tx.ops[0] = op;
    for (int i = 0; signers[i] >= 0; i++) {
        ASSERT_OK(petro_tx_sign(&tx, &K[signers[i]].pk, &K[signers[i]].sk));
    }
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

static void expect_op(fx *f, int src, petro_op op, const int *signers, petro_result want,
                      int line) {
    petro_result code = PETRO_OK;
    petro_result rc = run(f, src, op, signers, &code);
    if (rc != PETRO_OK || code != want) {
        fprintf(stderr, "line %d: tx %s, op %s, expected op %s\n", line, petro_result_name(rc),
                petro_result_name(code), petro_result_name(want));
        exit(1);
    }
}
#define EXPECT_OP(f, src, op, want) expect_op((f), (src), (op), SIGNERS(src), (want), __LINE__)
#define EXPECT_AUD(f, op, want) expect_op((f), K_AUD, (op), SIGNERS(K_S1, K_S2), (want), __LINE__)

static petro_op op_attest(petro_op_attest_reserve a) {
    return OP_PAYLOAD("attest_reserve", &a);
}
static petro_op op_issue_reserve(petro_asset asset, int dest, petro_amount amount) {
    return OP_MAKE("issue_reserve", OP_V("asset", &asset), OP_V("destination", &K[dest].pk),
                   OP_V("amount", &amount));
}
static petro_op op_price(uint8_t commodity, const char *quote, petro_amount price, uint64_t ts) {
    return OP_MAKE("oracle_price", OP_V("commodity", &commodity), OP_V("quote", quote),
                   OP_V("price", &price), OP_V("timestamp_ms", &ts));
}
static petro_op op_redeem_reserve(petro_asset asset, petro_amount amount, const char *ref) {
    return OP_MAKE("redeem_reserve", OP_V("asset", &asset), OP_V("amount", &amount),
                   OP_V("delivery", ref));
}
static petro_op op_fulfill(uint64_t id) {
    return OP_MAKE("fulfill_redemption", OP_V("request_id", &id));
}
static petro_op op_trust(petro_asset asset, petro_amount limit) {
    return OP_MAKE("change_trust", OP_V("asset", &asset), OP_V("limit", &limit));
}

static petro_amount balance(fx *f, int k, petro_asset asset) {
    petro_trust_line line;
    ASSERT_OK(petro_state_get_trust_line(&f->store, &line, &K[k].pk, &asset));
    return line.balance;
}

/* ---------------------------------------------------------------- tests */


/* Treasury, auditors and oracles are read through the role table, kept by reserves. */
static void test_roles(void) {
    fx f;
    fx_init(&f);
    role_list l = roles_of(&f.store, PETRO_ROLE_TREASURY, PETRO_OK);
    ASSERT_EQ(l.count, 1u);
    ASSERT_TRUE(petro_pubkey_equal(&l.holders[0], &K[K_TREAS].pk));
    l = roles_of(&f.store, PETRO_ROLE_AUDITORS, PETRO_OK);
    ASSERT_EQ(l.count, 1u);
    ASSERT_TRUE(petro_pubkey_equal(&l.holders[0], &K[K_AUD].pk));
    l = roles_of(&f.store, PETRO_ROLE_ORACLE, PETRO_OK);
    ASSERT_EQ(l.count, 3u);
    ASSERT_TRUE(petro_pubkey_equal(&l.holders[0], &K[K_O1].pk));
    ASSERT_TRUE(petro_pubkey_equal(&l.holders[2], &K[K_O3].pk));
    petro_pubkey who;
    ASSERT_OK(petro_role_get(&f.store, PETRO_ROLE_AUDITORS, &who));
    ASSERT_TRUE(petro_pubkey_equal(&who, &K[K_AUD].pk));
    bool has = true;
    ASSERT_OK(petro_role_has(&f.store, PETRO_ROLE_ORACLE, &K[K_O2].pk, &has));
    ASSERT_TRUE(has);
    ASSERT_OK(petro_role_has(&f.store, PETRO_ROLE_ORACLE, &K[K_ALICE].pk, &has));
    ASSERT_TRUE(!has);
    /* No zones section in this genesis: nobody keeps the role. */
    roles_of(&f.store, PETRO_ROLE_ZONE_AUTHORITY, PETRO_ERR_NOT_FOUND);
    ASSERT_EQ(petro_role_get(&f.store, PETRO_ROLE_ZONE_AUTHORITY, &who), PETRO_ERR_NOT_FOUND);
    ASSERT_OK(petro_role_has(&f.store, PETRO_ROLE_ZONE_AUTHORITY, &K[K_ALICE].pk, &has));
    ASSERT_TRUE(!has);
    ASSERT_STREQ(petro_role_name(PETRO_ROLE_ZONE_AUTHORITY), "zone_authority");
    ASSERT_TRUE(petro_role_name((petro_role)0) == NULL);
    ASSERT_TRUE(petro_role_name((petro_role)(PETRO_ROLE_MAX + 1)) == NULL);
    fx_free(&f);
}

static void test_pure_helpers(void) {
    ASSERT_EQ(petro_reserves_cap(1000, 1, 10000), 1000);
    ASSERT_EQ(petro_reserves_cap(1000, 1, 12000), 833); /* 120% coverage: floor(1000/1.2) */
    ASSERT_EQ(petro_reserves_cap(10 * UNIT, 100, 10000), 1000 * UNIT);
    ASSERT_EQ(petro_reserves_cap(0, 1, 10000), 0);
    /* 128-bit intermediate: clamps at the supply maximum instead of wrapping. */
    ASSERT_EQ(petro_reserves_cap(PETRO_SUPPLY_MAX, 4000000000u, 1), PETRO_SUPPLY_MAX);
    ASSERT_EQ(petro_reserves_cap(PETRO_SUPPLY_MAX, 1, 20000), PETRO_SUPPLY_MAX / 2);
    petro_amount p1[] = {90, 70, 80};
    ASSERT_EQ(petro_reserves_median(p1, 3), 80);
    petro_amount p2[] = {90, 70};
    ASSERT_EQ(petro_reserves_median(p2, 2), 80);
    petro_amount p3[] = {71, 70};
    ASSERT_EQ(petro_reserves_median(p3, 2), 70); /* floor of 70.5 */
    petro_amount p4[] = {PETRO_SUPPLY_MAX, PETRO_SUPPLY_MAX - 1};
    ASSERT_EQ(petro_reserves_median(p4, 2), PETRO_SUPPLY_MAX - 1);
}

static void test_genesis(void) {
    petro_genesis g, back;
    make_genesis(&g);
    uint8_t *buf = malloc(PETRO_GENESIS_SIZE_MAX);
    ASSERT_TRUE(buf != NULL);
    size_t size;
    ASSERT_OK(petro_genesis_encode(buf, PETRO_GENESIS_SIZE_MAX, &size, &g));
    ASSERT_OK(petro_genesis_decode(&back, buf, size));
    ASSERT_MEMEQ(back.auditors.bytes, g.auditors.bytes, 32);
    ASSERT_EQ(back.reserve_count, 2);
    ASSERT_EQ(back.reserves[1].units_per_commodity, 100);
    ASSERT_STREQ(back.attestations[0].custodian, g.attestations[0].custodian);
    size_t size2;
    uint8_t *buf2 = malloc(PETRO_GENESIS_SIZE_MAX);
    ASSERT_TRUE(buf2 != NULL);
    ASSERT_OK(petro_genesis_encode(buf2, PETRO_GENESIS_SIZE_MAX, &size2, &back));
    ASSERT_EQ(size, size2);
    ASSERT_MEMEQ(buf, buf2, size);
    /* Truncated reserve section, trailing byte: malformed. */
    ASSERT_RESULT(petro_genesis_decode(&back, buf, size - 1), PETRO_ERR_MALFORMED);
    free(buf2);
    free(buf);
    /* Semantic checks. */
    petro_genesis bad = g;
    memset(&bad.auditors, 0, sizeof bad.auditors);
    ASSERT_RESULT(petro_genesis_network_id(&(petro_hash){{0}}, &bad), PETRO_ERR_MALFORMED);
    bad = g;
    bad.reserves[1].commodity = PETRO_COMMODITY_OIL; /* two assets on one commodity */
    ASSERT_RESULT(petro_genesis_network_id(&(petro_hash){{0}}, &bad), PETRO_ERR_MALFORMED);
    bad = g;
    snprintf(bad.reserves[1].asset.code, sizeof bad.reserves[1].asset.code, "NOPE");
    ASSERT_RESULT(petro_genesis_network_id(&(petro_hash){{0}}, &bad), PETRO_ERR_NO_ASSET);
    bad = g;
    bad.attestations[0].valid_until_ms = bad.attestations[0].valid_from_ms;
    ASSERT_RESULT(petro_genesis_network_id(&(petro_hash){{0}}, &bad), PETRO_ERR_BAD_VALIDITY);

    fx f;
    fx_init(&f);
    petro_reserve_config cfg;
    ASSERT_OK(petro_reserves_config(&f.store, &cfg));
    ASSERT_MEMEQ(cfg.treasury.bytes, K[K_TREAS].pk.bytes, 32);
    ASSERT_EQ(cfg.oracle_count, 3);
    petro_reserve_status st[2];
    status(&f, st);
    ASSERT_EQ(st[0].supply, GENESIS_PTR);
    ASSERT_EQ(st[0].attested, GENESIS_PTR + 500 * UNIT);
    ASSERT_EQ(st[0].cap, GENESIS_PTR + 500 * UNIT);
    ASSERT_EQ(st[0].attestation_count, 1);
    ASSERT_EQ(st[0].attestations_expire_ms, T0 + 720 * HOUR);
    ASSERT_TRUE(!st[0].under_covered);
    ASSERT_EQ(st[1].supply, 0);
    ASSERT_EQ(st[1].cap, 1000 * UNIT);
    ASSERT_TRUE(st[1].coverage_bps == UINT64_MAX);
    petro_attestation a;
    ASSERT_OK(petro_reserves_get_attestation(&f.store, 1, &a));
    ASSERT_EQ(a.commodity, PETRO_COMMODITY_OIL);
    ASSERT_EQ(a.height, 0);
    ASSERT_RESULT(petro_reserves_get_attestation(&f.store, 3, &a), PETRO_ERR_NOT_FOUND);
    fx_free(&f);
}

static void test_cap_boundary(void) {
    fx f;
    fx_init(&f);
    petro_asset ptr = petro_asset_native();
    petro_reserve_status st[2];
    status(&f, st);
    /* Genesis: 500 barrels of headroom over the genesis supply, nothing burned yet. */
    ASSERT_EQ(st[0].outstanding, GENESIS_PTR);
    ASSERT_EQ(st[0].headroom, 500 * UNIT);
    petro_amount room = st[0].headroom;
    /* One base unit more than the headroom fails; the fee burned by the issuing transaction
     * itself does not make room (the cap is checked against issued - redeemed). */
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(ptr, K_ALICE, room + 1),
              PETRO_ERR_RESERVE_CAP_EXCEEDED);
    petro_amount before = balance(&f, K_ALICE, ptr);
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(ptr, K_ALICE, room), PETRO_OK);
    fx_sync(&f, 1000);
    ASSERT_EQ(balance(&f, K_ALICE, ptr), before + room);
    status(&f, st);
    ASSERT_EQ(st[0].outstanding, st[0].cap); /* exactly at the cap */
    ASSERT_EQ(st[0].headroom, 0);
    ASSERT_EQ(st[0].supply, st[0].cap - 2 * PETRO_BASE_FEE); /* two fees burned */
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(ptr, K_BOB, 1), PETRO_ERR_RESERVE_CAP_EXCEEDED);
    fx_sync(&f, 1000);
    /* Redeeming makes room again, exactly the redeemed amount. */
    EXPECT_OP(&f, K_BOB, op_redeem_reserve(ptr, 7 * UNIT, "ref"), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(ptr, K_BOB, 7 * UNIT + 1),
              PETRO_ERR_RESERVE_CAP_EXCEEDED);
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(ptr, K_BOB, 7 * UNIT), PETRO_OK);
    fx_sync(&f, 1000);
    status(&f, st);
    ASSERT_EQ(st[0].headroom, 0);
    /* Only the treasury issues PTR. */
    EXPECT_OP(&f, K_ALICE, op_issue_reserve(ptr, K_BOB, 1), PETRO_ERR_NOT_ISSUER);

    /* Gold: 10 oz attested, 100 XAU base units per oz base unit: cap 1000 XAU exactly. */
    petro_asset xau = gold();
    EXPECT_OP(&f, K_ALICE, op_trust(xau, 5000 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(xau, K_ALICE, 600 * UNIT), PETRO_OK);
    /* Plain issue consults the cap too. */
    petro_op plain;
    memset(&plain, 0, sizeof plain);
    plain.type = PETRO_OP_ISSUE;
    plain.u.issue.destination = K[K_ALICE].pk;
    snprintf(plain.u.issue.code, sizeof plain.u.issue.code, "XAU");
    plain.u.issue.amount = 400 * UNIT + 1;
    EXPECT_OP(&f, K_TREAS, plain, PETRO_ERR_RESERVE_CAP_EXCEEDED);
    plain.u.issue.amount = 400 * UNIT;
    EXPECT_OP(&f, K_TREAS, plain, PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(xau, K_ALICE, 1), PETRO_ERR_RESERVE_CAP_EXCEEDED);
    fx_sync(&f, 1000);
    status(&f, st);
    ASSERT_EQ(st[1].supply, 1000 * UNIT);
    ASSERT_EQ(st[1].cap, 1000 * UNIT);
    ASSERT_TRUE(st[1].coverage_bps == 10000);
    /* Not reserve-backed / unknown asset. */
    petro_asset usd = gold();
    snprintf(usd.code, sizeof usd.code, "USD");
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(usd, K_ALICE, 1), PETRO_ERR_NOT_RESERVE_BACKED);
    fx_sync(&f, 1000);
    fx_free(&f);
}

static void test_attestation_multisig(void) {
    fx f;
    fx_init(&f);
    petro_op op = op_attest(attestation(PETRO_COMMODITY_OIL, 100 * UNIT, T0, T0 + 48 * HOUR, 0));
    /* m - 1 = 1 signature: the transaction is not even includable. */
    petro_result code;
    ASSERT_RESULT(run(&f, K_AUD, op, SIGNERS(K_S1), &code), PETRO_ERR_BAD_AUTH);
    ASSERT_RESULT(run(&f, K_AUD, op, SIGNERS(K_S3), &code), PETRO_ERR_BAD_AUTH);
    /* A stranger's signature adds nothing. */
    ASSERT_RESULT(run(&f, K_AUD, op, SIGNERS(K_S1, K_X), &code), PETRO_ERR_EXTRA_SIGNATURE);
    /* Any m = 2 of the 3. */
    expect_op(&f, K_AUD, op, SIGNERS(K_S2, K_S3), PETRO_OK, __LINE__);
    /* Only the auditors account attests. */
    EXPECT_OP(&f, K_ALICE, op, PETRO_ERR_NOT_AUDITORS);
    /* Validity: over already, or an undeclared commodity. */
    EXPECT_AUD(&f, op_attest(attestation(PETRO_COMMODITY_OIL, 1, T0 - 10, f.ts, 0)),
               PETRO_ERR_BAD_VALIDITY);
    fx_sync(&f, 1000);
    petro_reserve_status st[2];
    status(&f, st);
    ASSERT_EQ(st[0].attestation_count, 2);
    ASSERT_EQ(st[0].attested, GENESIS_PTR + 600 * UNIT);
    petro_attestation a;
    ASSERT_OK(petro_reserves_get_attestation(&f.store, 3, &a));
    ASSERT_EQ(a.quantity, 100 * UNIT);
    ASSERT_EQ(a.height, 1);
    fx_free(&f);
}

static void test_expiry_and_supersession(void) {
    fx f;
    fx_init(&f);
    petro_asset ptr = petro_asset_native();
    /* A short extra attestation of 1000 barrels, valid for one hour from now. */
    uint64_t until = f.ts + HOUR;
    EXPECT_AUD(&f, op_attest(attestation(PETRO_COMMODITY_OIL, 1000 * UNIT, f.ts, until, 0)),
               PETRO_OK);
    fx_sync(&f, 1000);
    /* Issue into that headroom. */
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(ptr, K_ALICE, 1200 * UNIT), PETRO_OK);
    fx_sync(&f, 1000);
    petro_amount alice = balance(&f, K_ALICE, ptr);
    petro_reserve_status st[2];
    status(&f, st);
    ASSERT_TRUE(!st[0].under_covered);
    ASSERT_EQ(st[0].attestation_count, 2);
    ASSERT_EQ(st[0].attestations_expire_ms, until); /* the earliest end of the two */

    /* Jump past valid_until: the attestation no longer counts. */
    f.expect_under = true;
    petro_ledger_abort(f.l);
    f.ts = until - 1000;
    fx_begin(&f, 1000); /* block time == until: [from, until) excludes it */
    status(&f, st);     /* status at the committed tip but "now" = until */
    ASSERT_EQ(st[0].attestation_count, 1);
    ASSERT_EQ(st[0].attestations_expire_ms, T0 + 720 * HOUR); /* the genesis one is left */
    ASSERT_TRUE(st[0].under_covered);
    ASSERT_TRUE(st[0].coverage_bps < 10000);
    /* Nothing is destroyed; issuance is blocked. */
    ASSERT_EQ(balance(&f, K_ALICE, ptr), alice);
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(ptr, K_BOB, 1), PETRO_ERR_RESERVE_CAP_EXCEEDED);
    /* Payments still work. */
    petro_op pay;
    memset(&pay, 0, sizeof pay);
    pay.type = PETRO_OP_PAYMENT;
    pay.u.payment.destination = K[K_BOB].pk;
    pay.u.payment.asset = ptr;
    pay.u.payment.amount = 5 * UNIT;
    EXPECT_OP(&f, K_ALICE, pay, PETRO_OK);
    fx_sync(&f, 1000);

    /* Supersede the genesis attestation (id 1) with a larger one: covered again. */
    EXPECT_AUD(&f, op_attest(attestation(PETRO_COMMODITY_OIL, GENESIS_PTR + 5000 * UNIT, f.ts,
                                         f.ts + 720 * HOUR, 99)),
               PETRO_ERR_NO_ATTESTATION);
    /* Gold's attestation (id 2) is not an oil attestation. */
    EXPECT_AUD(&f, op_attest(attestation(PETRO_COMMODITY_OIL, GENESIS_PTR + 5000 * UNIT, f.ts,
                                         f.ts + 720 * HOUR, 2)),
               PETRO_ERR_NO_ATTESTATION);
    EXPECT_AUD(&f, op_attest(attestation(PETRO_COMMODITY_OIL, GENESIS_PTR + 5000 * UNIT, f.ts,
                                         f.ts + 720 * HOUR, 1)),
               PETRO_OK);
    fx_sync(&f, 1000);
    f.expect_under = false;
    check_inv(&f);
    status(&f, st);
    ASSERT_EQ(st[0].attestation_count, 1);
    ASSERT_EQ(st[0].attested, GENESIS_PTR + 5000 * UNIT);
    petro_attestation a;
    ASSERT_OK(petro_reserves_get_attestation(&f.store, 1, &a));
    ASSERT_TRUE(a.superseded_by == 4);
    ASSERT_OK(petro_reserves_get_attestation(&f.store, 4, &a));
    ASSERT_TRUE(a.superseded_by == 0);
    /* Superseding it twice fails. */
    EXPECT_AUD(&f, op_attest(attestation(PETRO_COMMODITY_OIL, 1, f.ts, f.ts + HOUR, 1)),
               PETRO_ERR_NO_ATTESTATION);
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(ptr, K_BOB, 1000 * UNIT), PETRO_OK);
    fx_sync(&f, 1000);
    fx_free(&f);
}

static void test_attestations_full(void) {
    fx f;
    fx_init(&f);
    /* The genesis oil attestation plus 15 more fill the book. */
    for (int i = 0; i < PETRO_ATTESTATIONS_ACTIVE_MAX - 1; i++) {
        EXPECT_AUD(&f, op_attest(attestation(PETRO_COMMODITY_OIL, UNIT, f.ts, f.ts + HOUR, 0)),
                   PETRO_OK);
    }
    EXPECT_AUD(&f, op_attest(attestation(PETRO_COMMODITY_OIL, UNIT, f.ts, f.ts + HOUR, 0)),
               PETRO_ERR_ATTESTATIONS_FULL);
    fx_sync(&f, HOUR); /* now the 15 short ones expired: they leave the book on the next one */
    EXPECT_AUD(&f, op_attest(attestation(PETRO_COMMODITY_OIL, UNIT, f.ts, f.ts + HOUR, 0)),
               PETRO_OK);
    fx_sync(&f, 1000);
    petro_reserve_status st[2];
    status(&f, st);
    ASSERT_EQ(st[0].attestation_count, 2);
    fx_free(&f);
}

static void test_oracle_median(void) {
    fx f;
    fx_init(&f);
    petro_reserve_status st[2];
    status(&f, st);
    ASSERT_EQ(st[0].price_count, 0);
    ASSERT_EQ(st[0].reference_price, 0);
    uint64_t now = f.ts;
    EXPECT_OP(&f, K_O1, op_price(PETRO_COMMODITY_OIL, "USD", 70 * UNIT, now - 2 * HOUR),
              PETRO_OK); /* already stale when it lands */
    fx_sync(&f, 1000);
    status(&f, st);
    ASSERT_EQ(st[0].price_count, 0);
    EXPECT_OP(&f, K_O2, op_price(PETRO_COMMODITY_OIL, "USD", 80 * UNIT, now), PETRO_OK);
    EXPECT_OP(&f, K_O3, op_price(PETRO_COMMODITY_OIL, "USD", 91 * UNIT, now), PETRO_OK);
    fx_sync(&f, 1000);
    status(&f, st);
    ASSERT_EQ(st[0].price_count, 2);
    ASSERT_EQ(st[0].reference_price, 85 * UNIT + UNIT / 2); /* (80 + 91) / 2, stale 70 ignored */
    ASSERT_STREQ(st[0].quote, "USD");
    /* valuation = attested barrels * price */
    ASSERT_EQ(st[0].valuation, (GENESIS_PTR + 500 * UNIT) / UNIT * (85 * UNIT + UNIT / 2));
    /* O1 refreshes: three fresh prices, median is the middle one. */
    EXPECT_OP(&f, K_O1, op_price(PETRO_COMMODITY_OIL, "USD", 60 * UNIT, f.ts), PETRO_OK);
    fx_sync(&f, 1000);
    status(&f, st);
    ASSERT_EQ(st[0].price_count, 3);
    ASSERT_EQ(st[0].reference_price, 80 * UNIT);
    /* Rejections. */
    EXPECT_OP(&f, K_ALICE, op_price(PETRO_COMMODITY_OIL, "USD", UNIT, f.ts), PETRO_ERR_NOT_ORACLE);
    EXPECT_OP(&f, K_O1, op_price(PETRO_COMMODITY_OIL, "EUR", UNIT, f.ts), PETRO_ERR_WRONG_QUOTE);
    EXPECT_OP(&f, K_O1, op_price(PETRO_COMMODITY_OIL, "USD", UNIT, f.ts - 1000),
              PETRO_ERR_STALE_PRICE); /* not newer than its last price */
    EXPECT_OP(&f, K_O1, op_price(PETRO_COMMODITY_OIL, "USD", UNIT, f.ts + 1),
              PETRO_ERR_STALE_PRICE); /* from the future */
    EXPECT_OP(&f, K_O2, op_price(PETRO_COMMODITY_GOLD, "USD", 2000 * UNIT, f.ts), PETRO_OK);
    fx_sync(&f, 2 * HOUR);
    status(&f, st); /* every price is now older than an hour */
    ASSERT_EQ(st[0].price_count, 0);
    ASSERT_EQ(st[1].price_count, 0);
    fx_free(&f);
}

static petro_redemption last_redemption;
static int count_redemption(void *c, const petro_redemption *r) {
    (*(int *)c)++;
    last_redemption = *r;
    return 0;
}

static void test_redemption(void) {
    fx f;
    fx_init(&f);
    petro_asset ptr = petro_asset_native();
    petro_reserve_status st[2], st2[2];
    status(&f, st);
    petro_amount alice = balance(&f, K_ALICE, ptr);
    EXPECT_OP(&f, K_ALICE, op_redeem_reserve(ptr, 250 * UNIT, "BOL-2024-0042 Jose terminal"),
              PETRO_OK);
    fx_sync(&f, 1000);
    /* Supply drops at burn time (plus the 100 base unit fee). */
    status(&f, st2);
    ASSERT_EQ(st2[0].supply, st[0].supply - 250 * UNIT - PETRO_BASE_FEE);
    ASSERT_EQ(balance(&f, K_ALICE, ptr), alice - 250 * UNIT - PETRO_BASE_FEE);
    petro_redemption r;
    ASSERT_OK(petro_reserves_get_redemption(&f.store, 1, &r));
    ASSERT_MEMEQ(r.holder.bytes, K[K_ALICE].pk.bytes, 32);
    ASSERT_EQ(r.amount, 250 * UNIT);
    ASSERT_EQ(r.commodity, PETRO_COMMODITY_OIL);
    ASSERT_STREQ(r.delivery, "BOL-2024-0042 Jose terminal");
    ASSERT_EQ(r.status, PETRO_REDEMPTION_PENDING);
    /* More than the balance; an asset that is not reserve-backed. */
    EXPECT_OP(&f, K_BOB, op_redeem_reserve(ptr, 2000 * UNIT, "x"), PETRO_ERR_BALANCE_LOW);
    EXPECT_OP(&f, K_BOB, op_redeem_reserve(gold(), UNIT, "x"), PETRO_ERR_NO_TRUST);
    /* Fulfilment: only the issuer, once. */
    EXPECT_OP(&f, K_ALICE, op_fulfill(1), PETRO_ERR_NOT_ISSUER);
    EXPECT_OP(&f, K_TREAS, op_fulfill(2), PETRO_ERR_NO_REDEMPTION);
    EXPECT_OP(&f, K_TREAS, op_fulfill(1), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_fulfill(1), PETRO_ERR_REDEMPTION_DONE);
    fx_sync(&f, 1000);
    ASSERT_OK(petro_reserves_get_redemption(&f.store, 1, &r));
    ASSERT_EQ(r.status, PETRO_REDEMPTION_FULFILLED);
    ASSERT_EQ(r.fulfilled_height, 2);
    /* History (petro_tx_accounts): the fulfilment lists the holder read from state, a PTR
     * redemption the treasury of the reserve configuration. */
    petro_tx htx;
    memset(&htx, 0, sizeof htx);
    htx.op_count = 1;
    htx.source = K[K_TREAS].pk;
    htx.ops[0] = op_fulfill(1);
    petro_pubkey hist[PETRO_TX_ACCOUNTS_MAX];
    size_t hist_count;
    ASSERT_OK(petro_tx_accounts(hist, PETRO_TX_ACCOUNTS_MAX, &hist_count, &htx, &f.store));
    ASSERT_EQ(hist_count, 2);
    ASSERT_MEMEQ(hist[0].bytes, K[K_TREAS].pk.bytes, 32);
    ASSERT_MEMEQ(hist[1].bytes, K[K_ALICE].pk.bytes, 32);
    htx.source = K[K_ALICE].pk;
    htx.ops[0] = op_redeem_reserve(ptr, UNIT, "x");
    ASSERT_OK(petro_tx_accounts(hist, PETRO_TX_ACCOUNTS_MAX, &hist_count, &htx, &f.store));
    ASSERT_EQ(hist_count, 2);
    ASSERT_MEMEQ(hist[0].bytes, K[K_ALICE].pk.bytes, 32);
    ASSERT_MEMEQ(hist[1].bytes, K[K_TREAS].pk.bytes, 32);
    /* Gold redemption by a holder. */
    EXPECT_OP(&f, K_BOB, op_trust(gold(), 100 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_TREAS, op_issue_reserve(gold(), K_BOB, 30 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_BOB, op_redeem_reserve(gold(), 10 * UNIT, "vault pickup #7"), PETRO_OK);
    fx_sync(&f, 1000);
    ASSERT_EQ(balance(&f, K_BOB, gold()), 20 * UNIT);
    status(&f, st);
    ASSERT_EQ(st[1].supply, 20 * UNIT);
    int n = 0;
    ASSERT_OK(petro_reserves_each_redemption(&f.store, count_redemption, &n));
    ASSERT_EQ(n, 2);
    ASSERT_EQ(last_redemption.commodity, PETRO_COMMODITY_GOLD);
    ASSERT_EQ(last_redemption.status, PETRO_REDEMPTION_PENDING);
    /* Bad text is a static check failure. */
    petro_op bad = op_redeem_reserve(ptr, 1, "tab\there");
    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.op_count = 1;
    tx.ops[0] = bad;
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_BAD_TEXT);
    fx_free(&f);
}

static petro_result check_one(petro_op op) {
    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.op_count = 1;
    tx.ops[0] = op;
    return petro_tx_check(&tx);
}

static void test_static_checks(void) {
    petro_op_attest_reserve a = attestation(PETRO_COMMODITY_OIL, UNIT, T0, T0 + 1, 0);
    ASSERT_OK(check_one(op_attest(a)));
    a.commodity = 0;
    ASSERT_RESULT(check_one(op_attest(a)), PETRO_ERR_BAD_COMMODITY);
    a.commodity = PETRO_COMMODITY_MAX + 1;
    ASSERT_RESULT(check_one(op_attest(a)), PETRO_ERR_BAD_COMMODITY);
    a = attestation(PETRO_COMMODITY_GOLD, 0, T0, T0 + 1, 0);
    ASSERT_RESULT(check_one(op_attest(a)), PETRO_ERR_AMOUNT_ZERO);
    a = attestation(PETRO_COMMODITY_GOLD, UNIT, T0, T0, 0);
    ASSERT_RESULT(check_one(op_attest(a)), PETRO_ERR_BAD_VALIDITY);
    a = attestation(PETRO_COMMODITY_GOLD, UNIT, T0, T0 + 1, 0);
    a.custodian[3] = '\n';
    ASSERT_RESULT(check_one(op_attest(a)), PETRO_ERR_BAD_TEXT);
    ASSERT_RESULT(check_one(op_price(PETRO_COMMODITY_OIL, "usd", UNIT, T0)),
                  PETRO_ERR_WRONG_QUOTE);
    ASSERT_RESULT(check_one(op_price(PETRO_COMMODITY_OIL, "USD", -1, T0)),
                  PETRO_ERR_AMOUNT_NEGATIVE);
    ASSERT_RESULT(check_one(op_fulfill(0)), PETRO_ERR_NO_REDEMPTION);
    ASSERT_RESULT(check_one(op_issue_reserve(petro_asset_native(), K_ALICE, 0)),
                  PETRO_ERR_AMOUNT_ZERO);

    /* Round trip, and a text length byte over 64 is malformed. */
    petro_tx tx, back;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.op_count = 1;
    tx.ops[0] = op_redeem_reserve(gold(), 5 * UNIT, "vault pickup #7");
    tx.sig_count = 1; /* an envelope carries a signature; the codec does not verify it */
    uint8_t buf[PETRO_TX_SIZE_MAX];
    size_t size;
    ASSERT_OK(petro_tx_encode(buf, sizeof buf, &size, &tx));
    ASSERT_OK(petro_tx_decode(&back, buf, size));
    ASSERT_STREQ(back.ops[0].u.redeem_reserve.delivery, "vault pickup #7");
    /* The text is the last field of the op: its length byte is at size - 96 (one key and
     * signature) - 1 (sig count) - 15 - 1. */
    size_t len_at = size - 96 - 1 - 15 - 1;
    ASSERT_EQ(buf[len_at], 15);
    buf[len_at] = 65;
    ASSERT_RESULT(petro_tx_decode(&back, buf, size), PETRO_ERR_MALFORMED);
    buf[len_at] = 16; /* claims one byte more than there is before the signature count */
    ASSERT_RESULT(petro_tx_decode(&back, buf, size), PETRO_ERR_MALFORMED);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    keys_init();
    RUN_TEST(test_pure_helpers);
    RUN_TEST(test_static_checks);
    RUN_TEST(test_genesis);
    RUN_TEST(test_roles);
    RUN_TEST(test_cap_boundary);
    RUN_TEST(test_attestation_multisig);
    RUN_TEST(test_expiry_and_supersession);
    RUN_TEST(test_attestations_full);
    RUN_TEST(test_oracle_median);
    RUN_TEST(test_redemption);
    return 0;
}
