/* Unit tests of petro_tx_accounts (petro/history.h), the accounts a transaction touches:
 * every op type without state (the accounts the op names), the trade ops with a contract in
 * state (importer and exporter from the record, nothing for an unknown contract), PTR
 * redemptions without a reserve configuration, deduplication across ops and the source, the
 * exact maximum PETRO_TX_ACCOUNTS_MAX, a too small output and an op type the decoder never
 * yields. Redemption holders and the treasury read from state: test_reserves.c. */
#include "trade_fixture.h"

/* A synthetic account key, distinct for every n (no state needed without a store). */
static petro_pubkey pk(uint32_t n) {
    petro_pubkey k;
    memset(&k, 0xA5, sizeof k);
    k.bytes[0] = (uint8_t)n;
    k.bytes[1] = (uint8_t)(n >> 8);
    return k;
}

static petro_tx tx_of(const petro_pubkey *source, const petro_op *ops, uint8_t op_count) {
    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.source = *source;
    tx.sequence = 1;
    tx.fee = PETRO_BASE_FEE * op_count;
    tx.op_count = op_count;
    for (uint8_t i = 0; i < op_count; i++) tx.ops[i] = ops[i];
    return tx;
}

/* petro_tx_accounts of a one-op transaction from pk(1) equals want[0 .. want_count). */
static void expect_accounts(const petro_op *op, const petro_store *state,
                            const petro_pubkey *want, size_t want_count, int line) {
    petro_pubkey src = pk(1);
    petro_tx tx = tx_of(&src, op, 1);
    petro_pubkey out[PETRO_TX_ACCOUNTS_MAX];
    size_t count = 99;
    petro_result rc = petro_tx_accounts(out, PETRO_TX_ACCOUNTS_MAX, &count, &tx, state);
    if (rc != PETRO_OK || count != want_count) {
        fprintf(stderr, "line %d: op %u: %s, %zu accounts, expected %zu\n", line, op->type,
                petro_result_name(rc), count, want_count);
        exit(1);
    }
    for (size_t i = 0; i < want_count; i++) {
        if (!petro_pubkey_equal(&out[i], &want[i])) {
            fprintf(stderr, "line %d: op %u: account %zu differs\n", line, op->type, i);
            exit(1);
        }
    }
}
#define EXPECT_ACCOUNTS(op, state, ...)                                                     \
    do {                                                                                    \
        const petro_pubkey want_[] = {__VA_ARGS__};                                         \
        expect_accounts(&(op), (state), want_, sizeof want_ / sizeof want_[0], __LINE__);   \
    } while (0)

static petro_op op_of(uint8_t type) {
    if (petro_op_schema_of(type) != NULL) return OP_EMPTY(op_name_of(type));
    petro_op op; /* no such operation: what history makes of an unknown type */
    memset(&op, 0, sizeof op);
    op.type = type;
    return op;
}

static petro_asset issued(const char *code, uint32_t issuer) {
    petro_asset a;
    memset(&a, 0, sizeof a);
    a.kind = PETRO_ASSET_ISSUED;
    snprintf(a.code, sizeof a.code, "%s", code);
    a.issuer = pk(issuer);
    return a;
}

/* Families accounts, payments and assets (1..9). */
static void test_classic_ops(void) {
    petro_op op = op_of(PETRO_OP_CREATE_ACCOUNT);
    op.u.create_account.destination = pk(2);
    EXPECT_ACCOUNTS(op, NULL, pk(1), pk(2));
    op = op_of(PETRO_OP_SET_SIGNER);
    op.u.set_signer.signer = pk(2); /* a key, not an account whose state changes */
    op.u.set_signer.weight = 1;
    EXPECT_ACCOUNTS(op, NULL, pk(1));
    op = op_of(PETRO_OP_SET_THRESHOLDS);
    EXPECT_ACCOUNTS(op, NULL, pk(1));
    op = op_of(PETRO_OP_PAYMENT);
    op.u.payment.destination = pk(3);
    op.u.payment.asset = issued("USD", 4); /* the issuer's state does not change */
    op.u.payment.amount = 1;
    EXPECT_ACCOUNTS(op, NULL, pk(1), pk(3));
    op = op_of(PETRO_OP_CREATE_ASSET);
    EXPECT_ACCOUNTS(op, NULL, pk(1));
    op = op_of(PETRO_OP_CHANGE_TRUST);
    op.u.change_trust.asset = issued("USD", 4);
    EXPECT_ACCOUNTS(op, NULL, pk(1));
    op = op_of(PETRO_OP_AUTHORIZE_TRUST);
    op.u.authorize_trust.trustor = pk(5);
    EXPECT_ACCOUNTS(op, NULL, pk(1), pk(5));
    op = op_of(PETRO_OP_ISSUE);
    op.u.issue.destination = pk(6);
    EXPECT_ACCOUNTS(op, NULL, pk(1), pk(6));
    op = op_of(PETRO_OP_REDEEM);
    op.u.redeem.asset = issued("USD", 4);
    EXPECT_ACCOUNTS(op, NULL, pk(1), pk(4));
}

/* Family reserves (10..14) without state. */
static void test_reserve_ops(void) {
    petro_op op = op_of(PETRO_OP_ATTEST_RESERVE);
    EXPECT_ACCOUNTS(op, NULL, pk(1));
    op = op_of(PETRO_OP_ORACLE_PRICE);
    EXPECT_ACCOUNTS(op, NULL, pk(1));
    op = op_of(PETRO_OP_ISSUE_RESERVE);
    op.u.issue_reserve.asset = petro_asset_native();
    op.u.issue_reserve.destination = pk(7);
    EXPECT_ACCOUNTS(op, NULL, pk(1), pk(7));
    op = op_of(PETRO_OP_REDEEM_RESERVE);
    op.u.redeem_reserve.asset = issued("GLD", 8);
    EXPECT_ACCOUNTS(op, NULL, pk(1), pk(8));
    op.u.redeem_reserve.asset = petro_asset_native(); /* the treasury only comes from state */
    EXPECT_ACCOUNTS(op, NULL, pk(1));
    op = op_of(PETRO_OP_FULFILL_REDEMPTION);
    op.u.fulfill_redemption.request_id = 1; /* the holder only comes from state */
    EXPECT_ACCOUNTS(op, NULL, pk(1));
}

/* Families trade (30..38) and zones (40..44) without state. */
static void test_trade_and_zone_ops(void) {
    petro_op op = op_of(PETRO_OP_TRADE_CREATE);
    op.u.trade_create.exporter = pk(10);
    op.u.trade_create.approver_count = PETRO_TRADE_APPROVERS_MAX;
    for (uint32_t i = 0; i < PETRO_TRADE_APPROVERS_MAX; i++) {
        op.u.trade_create.approvers[i] = pk(11 + i);
    }
    EXPECT_ACCOUNTS(op, NULL, pk(1), pk(10), pk(11), pk(12), pk(13), pk(14));
    const uint8_t by_id[] = {PETRO_OP_TRADE_FUND,    PETRO_OP_TRADE_PRESENT,
                             PETRO_OP_TRADE_APPROVE, PETRO_OP_TRADE_RELEASE,
                             PETRO_OP_TRADE_REFUND,  PETRO_OP_TRADE_DISPUTE,
                             PETRO_OP_TRADE_RESOLVE, PETRO_OP_TRADE_AMEND};
    for (size_t i = 0; i < sizeof by_id; i++) {
        op = op_of(by_id[i]); /* the parties only come from state */
        EXPECT_ACCOUNTS(op, NULL, pk(1));
    }
    op = op_of(PETRO_OP_ZONE_CREATE);
    EXPECT_ACCOUNTS(op, NULL, pk(1));
    op = op_of(PETRO_OP_ZONE_POLICY);
    EXPECT_ACCOUNTS(op, NULL, pk(1));
    op = op_of(PETRO_OP_ZONE_ASSIGN);
    op.u.zone_assign.account = pk(20);
    op.u.zone_assign.zone_id = 1;
    EXPECT_ACCOUNTS(op, NULL, pk(1), pk(20));
    op = op_of(PETRO_OP_SET_KYC_TIER);
    op.u.set_kyc_tier.account = pk(21);
    op.u.set_kyc_tier.tier = 2;
    EXPECT_ACCOUNTS(op, NULL, pk(1), pk(21));
    op = op_of(PETRO_OP_TRADE_TARGET);
    EXPECT_ACCOUNTS(op, NULL, pk(1));
}

/* Trade ops on a contract created in a real block: importer and exporter come from the
 * record (the source, an approver here, stays first); an unknown contract adds nothing. */
static void test_trade_parties_from_state(void) {
    fx f;
    fx_init(&f);
    petro_op create = op_of(PETRO_OP_TRADE_CREATE);
    petro_op_trade_create *t = &create.u.trade_create;
    t->exporter = K[K_EXP].pk;
    t->asset = petro_asset_native();
    t->amount = 100 * UNIT;
    t->hs_code = 270900;
    snprintf(t->description, sizeof t->description, "Crude oil");
    t->quantity = 10 * UNIT;
    snprintf(t->unit, sizeof t->unit, "t");
    t->incoterm = 4;
    memcpy(t->origin, "VE", 3);
    memcpy(t->destination, "BR", 3);
    t->doc_count = 1;
    t->doc_types[0] = PETRO_DOC_BILL_OF_LADING;
    t->approver_count = 2;
    t->approvers[0] = K[K_INS1].pk;
    t->approvers[1] = K[K_INS2].pk;
    t->threshold = 1;
    t->shipment_deadline_ms = f.ts + 30 * DAY;
    t->expiry_ms = f.ts + 60 * DAY;
    EXPECT_OP(&f, K_IMP, create, PETRO_OK);
    fx_sync(&f, 1000);

    const uint8_t by_id[] = {PETRO_OP_TRADE_FUND,    PETRO_OP_TRADE_PRESENT,
                             PETRO_OP_TRADE_APPROVE, PETRO_OP_TRADE_RELEASE,
                             PETRO_OP_TRADE_REFUND,  PETRO_OP_TRADE_DISPUTE,
                             PETRO_OP_TRADE_RESOLVE, PETRO_OP_TRADE_AMEND};
    for (size_t i = 0; i < sizeof by_id; i++) {
        petro_op op = op_of(by_id[i]);
        /* Each op struct carries contract_id first; set it through the right member. */
        switch (by_id[i]) {
        case PETRO_OP_TRADE_PRESENT: op.u.trade_present.contract_id = 1; break;
        case PETRO_OP_TRADE_APPROVE: op.u.trade_approve.contract_id = 1; break;
        case PETRO_OP_TRADE_RELEASE: op.u.trade_release.contract_id = 1; break;
        case PETRO_OP_TRADE_DISPUTE: op.u.trade_dispute.contract_id = 1; break;
        case PETRO_OP_TRADE_RESOLVE: op.u.trade_resolve.contract_id = 1; break;
        case PETRO_OP_TRADE_AMEND: op.u.trade_amend.contract_id = 1; break;
        default: op.u.trade_id.contract_id = 1; break;
        }
        petro_pubkey src = pk(1);
        petro_tx tx = tx_of(&src, &op, 1);
        petro_pubkey out[PETRO_TX_ACCOUNTS_MAX];
        size_t count;
        ASSERT_OK(petro_tx_accounts(out, PETRO_TX_ACCOUNTS_MAX, &count, &tx, &f.store));
        ASSERT_EQ(count, 3);
        ASSERT_TRUE(petro_pubkey_equal(&out[0], &src));
        ASSERT_TRUE(petro_pubkey_equal(&out[1], &K[K_IMP].pk));
        ASSERT_TRUE(petro_pubkey_equal(&out[2], &K[K_EXP].pk));
        /* The same op from the importer: importer once, then the exporter. */
        tx.source = K[K_IMP].pk;
        ASSERT_OK(petro_tx_accounts(out, PETRO_TX_ACCOUNTS_MAX, &count, &tx, &f.store));
        ASSERT_EQ(count, 2);
        ASSERT_TRUE(petro_pubkey_equal(&out[0], &K[K_IMP].pk));
        ASSERT_TRUE(petro_pubkey_equal(&out[1], &K[K_EXP].pk));
    }
    petro_op unknown = op_of(PETRO_OP_TRADE_RELEASE);
    unknown.u.trade_release.contract_id = 2;
    EXPECT_ACCOUNTS(unknown, &f.store, pk(1));
    /* No reserve configuration in this genesis: a PTR redemption names no treasury, and no
     * redemption record exists. */
    petro_op redeem = op_of(PETRO_OP_REDEEM_RESERVE);
    redeem.u.redeem_reserve.asset = petro_asset_native();
    EXPECT_ACCOUNTS(redeem, &f.store, pk(1));
    petro_op fulfill = op_of(PETRO_OP_FULFILL_REDEMPTION);
    fulfill.u.fulfill_redemption.request_id = 1;
    EXPECT_ACCOUNTS(fulfill, &f.store, pk(1));
    fx_free(&f);
}

/* One entry per account however often it appears: the source paid by itself through a
 * payment is still once, two payments to one destination give it once. */
static void test_dedup(void) {
    petro_op ops[4];
    ops[0] = op_of(PETRO_OP_PAYMENT);
    ops[0].u.payment.destination = pk(2);
    ops[1] = ops[0];
    ops[2] = op_of(PETRO_OP_SET_KYC_TIER);
    ops[2].u.set_kyc_tier.account = pk(1); /* the source again */
    ops[3] = op_of(PETRO_OP_TRADE_CREATE);
    ops[3].u.trade_create.exporter = pk(3);
    ops[3].u.trade_create.approver_count = 2;
    ops[3].u.trade_create.approvers[0] = pk(2);
    ops[3].u.trade_create.approvers[1] = pk(4);
    petro_pubkey src = pk(1);
    petro_tx tx = tx_of(&src, ops, 4);
    petro_pubkey out[PETRO_TX_ACCOUNTS_MAX];
    size_t count;
    ASSERT_OK(petro_tx_accounts(out, PETRO_TX_ACCOUNTS_MAX, &count, &tx, NULL));
    ASSERT_EQ(count, 4);
    for (uint32_t i = 0; i < 4; i++) {
        petro_pubkey want = pk(i + 1);
        ASSERT_TRUE(petro_pubkey_equal(&out[i], &want));
    }
    /* Deterministic: the same list again. */
    petro_pubkey again[PETRO_TX_ACCOUNTS_MAX];
    size_t count_again;
    ASSERT_OK(petro_tx_accounts(again, PETRO_TX_ACCOUNTS_MAX, &count_again, &tx, NULL));
    ASSERT_EQ(count_again, count);
    ASSERT_MEMEQ(again, out, count * sizeof out[0]);
}

/* PETRO_TX_ACCOUNTS_MAX is reached exactly (every op a trade_create with its own exporter
 * and approvers); one entry less is buffer_too_small with count 0. */
static void test_bounds(void) {
    petro_op ops[PETRO_TX_OPS_MAX];
    uint32_t next = 2;
    for (uint32_t i = 0; i < PETRO_TX_OPS_MAX; i++) {
        ops[i] = op_of(PETRO_OP_TRADE_CREATE);
        ops[i].u.trade_create.exporter = pk(next++);
        ops[i].u.trade_create.approver_count = PETRO_TRADE_APPROVERS_MAX;
        for (uint32_t j = 0; j < PETRO_TRADE_APPROVERS_MAX; j++) {
            ops[i].u.trade_create.approvers[j] = pk(next++);
        }
    }
    petro_pubkey src = pk(1);
    petro_tx tx = tx_of(&src, ops, PETRO_TX_OPS_MAX);
    petro_pubkey out[PETRO_TX_ACCOUNTS_MAX];
    size_t count;
    ASSERT_OK(petro_tx_accounts(out, PETRO_TX_ACCOUNTS_MAX, &count, &tx, NULL));
    ASSERT_EQ(count, PETRO_TX_ACCOUNTS_MAX);
    for (uint32_t i = 0; i < PETRO_TX_ACCOUNTS_MAX; i++) {
        petro_pubkey want = pk(i + 1);
        ASSERT_TRUE(petro_pubkey_equal(&out[i], &want));
    }
    count = 7;
    ASSERT_RESULT(petro_tx_accounts(out, PETRO_TX_ACCOUNTS_MAX - 1, &count, &tx, NULL),
                  PETRO_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(count, 0);
    count = 7;
    ASSERT_RESULT(petro_tx_accounts(NULL, 0, &count, &tx, NULL), PETRO_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(count, 0);
    /* An op type the decoder never yields (20: the exchange family does not exist). */
    petro_op bad = op_of(20);
    tx = tx_of(&src, &bad, 1);
    count = 7;
    ASSERT_RESULT(petro_tx_accounts(out, PETRO_TX_ACCOUNTS_MAX, &count, &tx, NULL),
                  PETRO_ERR_MALFORMED);
    ASSERT_EQ(count, 0);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    keys_init();
    RUN_TEST(test_classic_ops);
    RUN_TEST(test_reserve_ops);
    RUN_TEST(test_trade_and_zone_ops);
    RUN_TEST(test_trade_parties_from_state);
    RUN_TEST(test_dedup);
    RUN_TEST(test_bounds);
    return 0;
}
