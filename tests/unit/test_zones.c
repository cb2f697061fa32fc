/* Unit tests of the zones family over the in-memory store: the genesis zones section (encode,
 * decode, every rejection), zone creation and policy by the right authority only, account
 * assignment and KYC tiers, the receiving zone's policy on payments (fee destroyed, limit,
 * allowed assets, minimum KYC tier of the payer), turnover targets, the fee arithmetic at the
 * ends of the amount range, and the invariants after every block. */
#include "trade_fixture.h"
#include "roles.h"

static petro_op op_zone_create(uint32_t id, const char *name, const char *country) {
    return OP_MAKE("zone_create", OP_V("zone_id", &id), OP_V("name", name),
                   OP_V("country", country));
}
static petro_op op_policy(uint32_t id, uint16_t fee, petro_amount limit, uint8_t tier,
                          uint8_t n, const petro_asset *assets) {
    return OP_MAKE("zone_policy", OP_V("zone_id", &id), OP_V("fee_bps", &fee),
                   OP_V("tx_limit", &limit), OP_V("min_kyc_tier", &tier),
                   OP_LIST("assets", assets, n));
}
static petro_op op_assign(int who, uint32_t zone) {
    return OP_MAKE("zone_assign", OP_V("account", &K[who].pk), OP_V("zone_id", &zone));
}
static petro_op op_kyc(int who, uint8_t tier) {
    return OP_MAKE("set_kyc_tier", OP_V("account", &K[who].pk), OP_V("tier", &tier));
}
static petro_op op_target(const char *o, const char *d, uint16_t base, uint16_t target,
                          uint32_t growth) {
    petro_asset ptr = petro_asset_native();
    return OP_MAKE("trade_target", OP_V("origin", o), OP_V("destination", d), OP_V("asset", &ptr),
                   OP_V("base_year", &base), OP_V("target_year", &target),
                   OP_V("growth_bps", &growth));
}

static petro_zone zone(fx *f, uint32_t id) {
    petro_zone z;
    ASSERT_OK(petro_zone_get(&f->store, &z, id));
    return z;
}
static petro_account account(fx *f, int who) {
    petro_account a;
    ASSERT_OK(petro_state_get_account(&f->store, &a, &K[who].pk));
    return a;
}

static void test_genesis(void) {
    petro_genesis g, back;
    make_genesis(&g);
    static uint8_t buf[PETRO_GENESIS_SIZE_MAX];
    size_t size;
    ASSERT_OK(petro_genesis_encode(buf, sizeof buf, &size, &g));
    ASSERT_OK(petro_genesis_decode(&back, buf, size));
    ASSERT_EQ(back.zone_count, 3u);
    ASSERT_STREQ(back.zones[1].name, "Zona Franca de Barranquilla");
    ASSERT_EQ(back.zones[1].tx_limit, 5000 * UNIT);
    ASSERT_EQ(back.member_count, 2u);
    /* Trailing and missing bytes. */
    ASSERT_RESULT(petro_genesis_decode(&back, buf, size - 1), PETRO_ERR_MALFORMED);
    /* Rejections. */
#define BAD(mutate, want)                                                                    \
    do {                                                                                     \
        make_genesis(&g);                                                                    \
        mutate;                                                                              \
        ASSERT_RESULT(petro_genesis_encode(buf, sizeof buf, &size, &g), want);               \
    } while (0)
    BAD(g.zones[2].authority = K[K_IMP].pk, PETRO_ERR_ZONE_NOT_AUTHORITY);
    BAD(g.zones[1].id = ZONE_VE, PETRO_ERR_ZONE_EXISTS);
    BAD(g.zones[0].id = 0, PETRO_ERR_ZONE_MISSING);
    BAD(memcpy(g.zones[0].country, "V1", 3), PETRO_ERR_ZONE_BAD_COUNTRY);
    BAD(g.zones[0].fee_bps = PETRO_ZONE_FEE_BPS_MAX + 1, PETRO_ERR_ZONE_BAD_POLICY);
    BAD(g.members[0].zone_id = 9, PETRO_ERR_ZONE_MISSING);
    BAD(g.members[1].account = g.members[0].account, PETRO_ERR_MALFORMED);
    BAD(memset(g.zone_authorities[1].bytes, 7, 32), PETRO_ERR_MALFORMED);
    BAD(g.zone_authorities[1] = g.zone_authorities[0], PETRO_ERR_MALFORMED);
    BAD(g.members[0].kyc_tier = PETRO_KYC_TIER_MAX + 1, PETRO_ERR_ZONE_BAD_POLICY);
    /* Applied: zones and the members' zone and tier. */
    fx f;
    fx_init(&f);
    petro_zone z = zone(&f, ZONE_CO);
    ASSERT_EQ(z.fee_bps, 50);
    ASSERT_TRUE(petro_pubkey_equal(&z.authority, &K[K_ZAUTH].pk));
    ASSERT_EQ(account(&f, K_IMP).zone_id, ZONE_VE);
    ASSERT_EQ(account(&f, K_IMP).kyc_tier, 2);
    ASSERT_EQ(account(&f, K_OTHER).zone_id, 0u);
    fx_free(&f);
}

static int count_zone(void *v, const petro_zone *z) {
    (void)z;
    (*(int *)v)++;
    return 0;
}

static void test_authority(void) {
    fx f;
    fx_init(&f);
    EXPECT_OP(&f, K_OTHER, op_zone_create(9, "Zona Franca de Colon", "PA"),
              PETRO_ERR_ZONE_NOT_AUTHORITY);
    EXPECT_OP(&f, K_ZAUTH2, op_zone_create(ZONE_VE, "again", "VE"), PETRO_ERR_ZONE_EXISTS);
    EXPECT_OP(&f, K_ZAUTH2, op_zone_create(9, "Zona Franca de Colon", "PA"), PETRO_OK);
    fx_sync(&f, 1000);
    int n = 0;
    ASSERT_OK(petro_zone_each(&f.store, count_zone, &n));
    ASSERT_EQ(n, 4);
    petro_zone z9 = zone(&f, 9);
    ASSERT_TRUE(petro_pubkey_equal(&z9.authority, &K[K_ZAUTH2].pk));
    /* Policy and assignment by the zone's own authority only. */
    EXPECT_OP(&f, K_ZAUTH, op_policy(9, 10, 0, 0, 0, NULL), PETRO_ERR_ZONE_WRONG_AUTHORITY);
    EXPECT_OP(&f, K_OTHER, op_policy(9, 10, 0, 0, 0, NULL), PETRO_ERR_ZONE_WRONG_AUTHORITY);
    EXPECT_OP(&f, K_ZAUTH2, op_policy(77, 10, 0, 0, 0, NULL), PETRO_ERR_ZONE_MISSING);
    petro_asset eur = usd();
    snprintf(eur.code, sizeof eur.code, "EUR");
    EXPECT_OP(&f, K_ZAUTH2, op_policy(9, 10, 0, 0, 1, &eur), PETRO_ERR_NO_ASSET);
    EXPECT_OP(&f, K_ZAUTH2, op_policy(9, 10, 0, 0, 0, NULL), PETRO_OK);
    EXPECT_OP(&f, K_ZAUTH, op_assign(K_OTHER, 9), PETRO_ERR_ZONE_WRONG_AUTHORITY);
    EXPECT_OP(&f, K_ZAUTH2, op_assign(K_OTHER, 9), PETRO_OK);
    fx_sync(&f, 1000);
    ASSERT_EQ(account(&f, K_OTHER).zone_id, 9u);
    /* Removal: only the current zone's authority. */
    EXPECT_OP(&f, K_ZAUTH, op_assign(K_OTHER, 0), PETRO_ERR_ZONE_WRONG_AUTHORITY);
    EXPECT_OP(&f, K_ZAUTH2, op_assign(K_OTHER, 0), PETRO_OK);
    petro_op ghost = op_assign(K_OTHER, ZONE_VE);
    memset(ghost.u.zone_assign.account.bytes, 9, 32);
    EXPECT_OP(&f, K_ZAUTH, ghost, PETRO_ERR_ZONE_NO_ACCOUNT);
    EXPECT_OP(&f, K_OTHER, op_kyc(K_OTHER, 3), PETRO_ERR_ZONE_NOT_AUTHORITY);
    EXPECT_OP(&f, K_ZAUTH, op_kyc(K_OTHER, 3), PETRO_OK);
    fx_sync(&f, 1000);
    ASSERT_EQ(account(&f, K_OTHER).zone_id, 0u);
    ASSERT_EQ(account(&f, K_OTHER).kyc_tier, 3);
    ASSERT_EQ(zone(&f, 9).fee_bps, 10);
    /* Static checks. */
    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.op_count = 1;
    tx.ops[0] = op_policy(9, PETRO_ZONE_FEE_BPS_MAX + 1, 0, 0, 0, NULL);
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_ZONE_BAD_POLICY);
    tx.ops[0] = op_policy(9, 0, -1, 0, 0, NULL);
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_ZONE_BAD_POLICY);
    petro_asset two[2] = {usd(), usd()};
    tx.ops[0] = op_policy(9, 0, 0, 0, 2, two);
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_ZONE_BAD_POLICY);
    tx.ops[0] = op_zone_create(9, "", "PA");
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_BAD_TEXT);
    tx.ops[0] = op_zone_create(9, "x", "pa");
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_ZONE_BAD_COUNTRY);
    tx.ops[0] = op_kyc(K_OTHER, PETRO_KYC_TIER_MAX + 1);
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_ZONE_BAD_POLICY);
    tx.ops[0] = op_target("VE", "BR", 2026, 2026, 3000);
    ASSERT_RESULT(petro_tx_check(&tx), PETRO_ERR_ZONE_BAD_TARGET);
    petro_op ops[] = {op_zone_create(9, "Zona Franca de Colon", "PA"),
                      op_policy(9, 10, 7 * UNIT, 1, 2,
                                (petro_asset[]){usd(), petro_asset_native()}),
                      op_assign(K_OTHER, 9), op_kyc(K_OTHER, 2),
                      op_target("BR", "VE", 2025, 2026, 3000)};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) roundtrip(&ops[i]);
    fx_free(&f);
}

static void test_payment_policy(void) {
    fx f;
    fx_init(&f);
    const petro_asset ptr = petro_asset_native(), dollar = usd();
    /* K_OTHER joins zone CO (50 bps, limit 5000, min tier 1); K_IMP has tier 2, K_EXP tier 1,
     * K_INS1 tier 0. */
    EXPECT_OP(&f, K_ZAUTH, op_assign(K_OTHER, ZONE_CO), PETRO_OK);
    EXPECT_OP(&f, K_OTHER, op_trust(dollar, 100000 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_IMP, op_trust(dollar, 100000 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_BANK, op_issue(K_IMP, "USD", 10000 * UNIT), PETRO_OK);
    fx_sync(&f, 1000);
    petro_amount other = balance(&f, K_OTHER, ptr);
    petro_asset_info info = asset_info(&f, ptr);
    EXPECT_OP(&f, K_IMP, op_payment(K_OTHER, ptr, 1000 * UNIT), PETRO_OK);
    fx_sync(&f, 1000);
    /* 0.5% of 1000 = 5, destroyed. */
    ASSERT_EQ(balance(&f, K_OTHER, ptr), other + 995 * UNIT);
    ASSERT_EQ(asset_info(&f, ptr).burned - info.burned, 5 * UNIT + PETRO_BASE_FEE);
    /* Limit, KYC tier of the payer, then allowed assets. */
    EXPECT_OP(&f, K_IMP, op_payment(K_OTHER, ptr, 5000 * UNIT + 1), PETRO_ERR_ZONE_LIMIT_EXCEEDED);
    EXPECT_OP(&f, K_IMP, op_payment(K_OTHER, ptr, 5000 * UNIT), PETRO_OK);
    EXPECT_OP(&f, K_INS1, op_payment(K_OTHER, ptr, 10 * UNIT), PETRO_ERR_ZONE_KYC_TIER_LOW);
    EXPECT_OP(&f, K_ZAUTH, op_policy(ZONE_CO, 0, 0, 0, 1, &ptr), PETRO_OK);
    EXPECT_OP(&f, K_IMP, op_payment(K_OTHER, dollar, 10 * UNIT), PETRO_ERR_ZONE_ASSET_NOT_ALLOWED);
    EXPECT_OP(&f, K_INS1, op_payment(K_OTHER, ptr, 10 * UNIT), PETRO_OK); /* tier 0 now */
    fx_sync(&f, 1000);
    EXPECT_OP(&f, K_ZAUTH, op_policy(ZONE_CO, 1000, 0, 0, 1, &dollar), PETRO_OK);
    fx_sync(&f, 1000);
    petro_asset_info uinfo = asset_info(&f, dollar);
    EXPECT_OP(&f, K_IMP, op_payment(K_OTHER, dollar, 3 * UNIT + 7), PETRO_OK);
    fx_sync(&f, 1000);
    /* 10% of 3.00000007 = 0.300000007 -> floor 0.30000000. */
    ASSERT_EQ(balance(&f, K_OTHER, dollar), 3 * UNIT + 7 - 30000000);
    ASSERT_EQ(asset_info(&f, dollar).burned - uinfo.burned, 30000000);
    /* Payments out of a zone, or to accounts without one, pay no fee. */
    petro_amount imp = balance(&f, K_IMP, ptr);
    EXPECT_OP(&f, K_OTHER, op_payment(K_IMP, ptr, 100 * UNIT), PETRO_OK);
    fx_sync(&f, 1000);
    ASSERT_EQ(balance(&f, K_IMP, ptr), imp + 100 * UNIT);
    fx_free(&f);
}

/* The core's fee rule (libpetro/ops/zones.c; internal, linked from the static library). */
petro_result petro__zones_fee(petro_amount amount, uint16_t fee_bps, petro_amount *fee);

static void test_fee_arithmetic(void) {
    petro_amount fee;
    ASSERT_OK(petro__zones_fee(PETRO_SUPPLY_MAX, PETRO_ZONE_FEE_BPS_MAX, &fee));
    ASSERT_EQ(fee, PETRO_SUPPLY_MAX / 10);
    ASSERT_OK(petro__zones_fee(9999, 1, &fee));
    ASSERT_EQ(fee, 0);
    ASSERT_OK(petro__zones_fee(10000, 1, &fee));
    ASSERT_EQ(fee, 1);
    ASSERT_OK(petro__zones_fee(123456789, 25, &fee));
    ASSERT_EQ(fee, 308641); /* floor(123456789 * 25 / 10000) */
}

typedef struct target_seen {
    int count;
    petro_trade_target last;
} target_seen;

static int see_target(void *v, const petro_trade_target *t) {
    target_seen *s = v;
    s->count++;
    s->last = *t;
    return 0;
}

static void test_targets(void) {
    fx f;
    fx_init(&f);
    EXPECT_OP(&f, K_OTHER, op_target("BR", "VE", 2025, 2026, 3000), PETRO_ERR_ZONE_NOT_AUTHORITY);
    EXPECT_OP(&f, K_ZAUTH, op_target("BR", "VE", 2025, 2026, 3000), PETRO_OK);
    EXPECT_OP(&f, K_ZAUTH2, op_target("BR", "VE", 2025, 2027, 5000), PETRO_OK); /* replaces */
    fx_sync(&f, 1000);
    target_seen s;
    memset(&s, 0, sizeof s);
    ASSERT_OK(petro_trade_each_target(&f.store, see_target, &s));
    ASSERT_EQ(s.count, 1);
    ASSERT_EQ(s.last.t.target_year, 2027);
    ASSERT_EQ(s.last.t.growth_bps, 5000u);
    ASSERT_STREQ(s.last.t.origin, "BR");
    ASSERT_TRUE(petro_pubkey_equal(&s.last.set_by, &K[K_ZAUTH2].pk));
    fx_free(&f);
}


/* Zone authorities are read through the role table, kept by zones, in genesis order. */
static void test_roles(void) {
    fx f;
    fx_init(&f);
    role_list l = roles_of(&f.store, PETRO_ROLE_ZONE_AUTHORITY, PETRO_OK);
    ASSERT_EQ(l.count, 2u);
    ASSERT_TRUE(petro_pubkey_equal(&l.holders[0], &K[K_ZAUTH].pk));
    ASSERT_TRUE(petro_pubkey_equal(&l.holders[1], &K[K_ZAUTH2].pk));
    bool has = false;
    ASSERT_OK(petro_role_has(&f.store, PETRO_ROLE_ZONE_AUTHORITY, &K[K_ZAUTH2].pk, &has));
    ASSERT_TRUE(has);
    ASSERT_OK(petro_role_has(&f.store, PETRO_ROLE_ZONE_AUTHORITY, &K[K_IMP].pk, &has));
    ASSERT_TRUE(!has);
    fx_free(&f);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    keys_init();
    RUN_TEST(test_genesis);
    RUN_TEST(test_roles);
    RUN_TEST(test_authority);
    RUN_TEST(test_payment_policy);
    RUN_TEST(test_fee_arithmetic);
    RUN_TEST(test_targets);
    return 0;
}
