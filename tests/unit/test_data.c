/* The data family (libpetro/ops/data.c): set, replace and remove named values, the static
 * checks, and that nothing else of the state moves. Runs on the trade fixture's devnet. */
#include <string.h>

#include "petro/schema.h"
#include "test.h"
#include "trade_fixture.h"

static petro_op op_data(const char *name, const char *value) {
    return OP_MAKE("data_set", OP_V("name", name), OP_LIST("value", value, strlen(value)));
}

static size_t get(fx *f, int who, const char *name, uint8_t *value, petro_result want) {
    size_t size = 99;
    ASSERT_RESULT(petro_data_get(&f->store, &K[who].pk, name, value, &size), want);
    return size;
}

static void test_set_replace_remove(void) {
    fx f;
    fx_init(&f);
    uint8_t v[PETRO_DATA_VALUE_MAX];
    get(&f, K_IMP, "kyc", v, PETRO_ERR_NOT_FOUND);
    EXPECT_OP(&f, K_IMP, op_data("kyc", "attested-by-bank-7"), PETRO_OK);
    fx_sync(&f, 1000);
    ASSERT_EQ(get(&f, K_IMP, "kyc", v, PETRO_OK), 18);
    ASSERT_MEMEQ(v, "attested-by-bank-7", 18);
    get(&f, K_EXP, "kyc", v, PETRO_ERR_NOT_FOUND); /* entries are per account */
    /* A 64-byte value replaces it. */
    char big[PETRO_DATA_VALUE_MAX + 1];
    memset(big, 'x', PETRO_DATA_VALUE_MAX);
    big[PETRO_DATA_VALUE_MAX] = '\0';
    EXPECT_OP(&f, K_IMP, op_data("kyc", big), PETRO_OK);
    fx_sync(&f, 1000);
    ASSERT_EQ(get(&f, K_IMP, "kyc", v, PETRO_OK), PETRO_DATA_VALUE_MAX);
    /* Empty removes; removing again changes nothing. */
    EXPECT_OP(&f, K_IMP, op_data("kyc", ""), PETRO_OK);
    EXPECT_OP(&f, K_IMP, op_data("kyc", ""), PETRO_OK);
    fx_sync(&f, 1000);
    get(&f, K_IMP, "kyc", v, PETRO_ERR_NOT_FOUND);
    fx_free(&f);
}

static void test_checks(void) {
    petro_op op = op_data("", "x");
    ASSERT_RESULT(petro_op_check(&op), PETRO_ERR_BAD_TEXT);
    op = op_data("tab\there", "x");
    ASSERT_RESULT(petro_op_check(&op), PETRO_ERR_BAD_TEXT);
    op = op_data("ok", "x");
    ASSERT_OK(petro_op_check(&op));
    op.u.data_set.value_size = PETRO_DATA_VALUE_MAX + 1;
    ASSERT_RESULT(petro_op_check(&op), PETRO_ERR_MALFORMED);
    uint8_t v[PETRO_DATA_VALUE_MAX];
    size_t size;
    petro_store none = {0};
    ASSERT_RESULT(petro_data_get(&none, &K[0].pk, "", v, &size), PETRO_ERR_BAD_TEXT);
    /* The schema is the registry's: name, then value as hex bytes. */
    const petro_op_schema *s = petro_op_schema_find("data_set");
    ASSERT_TRUE(s != NULL && s->type == PETRO_OP_DATA_SET && s->field_count == 2);
    ASSERT_STREQ(s->family, "data");
    ASSERT_TRUE((s->fields[1].flags & PETRO_FIELD_F_HEX) != 0);
}

/* A fee is all it costs: balances move by the fee only, supply by the burned fee. */
static void test_only_fee_moves(void) {
    fx f;
    fx_init(&f);
    petro_amount before = balance(&f, K_EXP, petro_asset_native());
    EXPECT_OP(&f, K_EXP, op_data("doc", "0123456789abcdef0123456789abcdef"), PETRO_OK);
    fx_sync(&f, 1000);
    ASSERT_EQ(balance(&f, K_EXP, petro_asset_native()), before - PETRO_BASE_FEE);
    fx_free(&f);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    keys_init();
    RUN_TEST(test_set_replace_remove);
    RUN_TEST(test_checks);
    RUN_TEST(test_only_fee_moves);
    return 0;
}
