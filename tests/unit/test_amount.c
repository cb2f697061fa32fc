/* Amounts: checked arithmetic, mul_div rounding, and exact decimal parse/format including
 * every error code, the extremes and long inputs. */
#include "petro/petro.h"
#include "test.h"

__extension__ typedef unsigned __int128 u128;

static petro_result parse(petro_amount *out, const char *s, bool neg) {
    return petro_amount_parse(out, s, strlen(s), neg);
}

static void expect_parse(const char *s, bool neg, petro_amount want) {
    petro_amount v = 12345;
    petro_result rc = parse(&v, s, neg);
    if (rc != PETRO_OK) fprintf(stderr, "parsing \"%s\"\n", s);
    ASSERT_OK(rc);
    ASSERT_EQ(v, want);
}

static void expect_parse_fail(const char *s, bool neg, petro_result want) {
    petro_amount v = 777;
    petro_result rc = parse(&v, s, neg);
    if (rc != want) fprintf(stderr, "parsing \"%s\"\n", s);
    ASSERT_RESULT(rc, want);
    ASSERT_EQ(v, 777); /* untouched on failure */
}

static void expect_format(petro_amount a, const char *want) {
    char buf[PETRO_AMOUNT_TEXT_SIZE];
    size_t n = petro_amount_format(buf, a);
    ASSERT_STREQ(buf, want);
    ASSERT_EQ(n, strlen(want));
}

static void test_add_sub(void) {
    petro_amount r = 5;
    ASSERT_OK(petro_amount_add(&r, 2, 3));
    ASSERT_EQ(r, 5);
    ASSERT_OK(petro_amount_add(&r, INT64_MAX, 0));
    ASSERT_EQ(r, INT64_MAX);
    r = 9;
    ASSERT_RESULT(petro_amount_add(&r, INT64_MAX, 1), PETRO_ERR_AMOUNT_OVERFLOW);
    ASSERT_EQ(r, 9);
    ASSERT_RESULT(petro_amount_add(&r, INT64_MIN, -1), PETRO_ERR_AMOUNT_OVERFLOW);
    ASSERT_RESULT(petro_amount_add(&r, PETRO_SUPPLY_MAX, PETRO_SUPPLY_MAX),
                  PETRO_ERR_AMOUNT_OVERFLOW);
    ASSERT_OK(petro_amount_sub(&r, 3, 5));
    ASSERT_EQ(r, -2);
    ASSERT_OK(petro_amount_sub(&r, -1, INT64_MAX));
    ASSERT_EQ(r, INT64_MIN);
    ASSERT_RESULT(petro_amount_sub(&r, INT64_MIN, 1), PETRO_ERR_AMOUNT_OVERFLOW);
    ASSERT_RESULT(petro_amount_sub(&r, 0, INT64_MIN), PETRO_ERR_AMOUNT_OVERFLOW);
    ASSERT_RESULT(petro_amount_sub(&r, -PETRO_SUPPLY_MAX, PETRO_SUPPLY_MAX),
                  PETRO_ERR_AMOUNT_OVERFLOW);
}

static void test_mul_div(void) {
    petro_amount r = 0;
    ASSERT_OK(petro_amount_mul_div_floor(&r, 10, 1, 3));
    ASSERT_EQ(r, 3);
    ASSERT_OK(petro_amount_mul_div_ceil(&r, 10, 1, 3));
    ASSERT_EQ(r, 4);
    ASSERT_OK(petro_amount_mul_div_ceil(&r, 9, 1, 3));
    ASSERT_EQ(r, 3);
    ASSERT_OK(petro_amount_mul_div_floor(&r, 0, 5, 7));
    ASSERT_EQ(r, 0);
    ASSERT_OK(petro_amount_mul_div_ceil(&r, 0, 5, 7));
    ASSERT_EQ(r, 0);
    /* The intermediate exceeds 64 bits but the quotient fits. */
    ASSERT_OK(petro_amount_mul_div_floor(&r, INT64_MAX, INT64_MAX, INT64_MAX));
    ASSERT_EQ(r, INT64_MAX);
    ASSERT_OK(petro_amount_mul_div_ceil(&r, INT64_MAX, INT64_MAX - 1, INT64_MAX));
    ASSERT_EQ(r, INT64_MAX - 1);
    ASSERT_OK(petro_amount_mul_div_floor(&r, PETRO_SUPPLY_MAX, 3, 7));
    ASSERT_EQ(r, 3952873730057142857); /* 9223372036800000000 * 3 / 7, rounded down */
    ASSERT_OK(petro_amount_mul_div_ceil(&r, PETRO_SUPPLY_MAX, 3, 7));
    ASSERT_EQ(r, 3952873730057142858);
    ASSERT_RESULT(petro_amount_mul_div_floor(&r, INT64_MAX, 2, 1), PETRO_ERR_AMOUNT_OVERFLOW);
    /* floor fits exactly, ceil would be one more. */
    /* (2^64 - 1) / 2: floor is exactly INT64_MAX, ceil would be 2^63. */
    ASSERT_OK(petro_amount_mul_div_floor(&r, INT64_C(6148914691236517205), 3, 2));
    ASSERT_EQ(r, INT64_MAX);
    ASSERT_RESULT(petro_amount_mul_div_ceil(&r, INT64_C(6148914691236517205), 3, 2),
                  PETRO_ERR_AMOUNT_OVERFLOW);
    ASSERT_RESULT(petro_amount_mul_div_ceil(&r, INT64_MAX / 2 + 1, 2, 1),
                  PETRO_ERR_AMOUNT_OVERFLOW);
    ASSERT_RESULT(petro_amount_mul_div_floor(&r, -1, 1, 1), PETRO_ERR_AMOUNT_NEGATIVE);
    ASSERT_RESULT(petro_amount_mul_div_floor(&r, 1, -1, 1), PETRO_ERR_AMOUNT_NEGATIVE);
    ASSERT_RESULT(petro_amount_mul_div_ceil(&r, 1, 1, -1), PETRO_ERR_AMOUNT_NEGATIVE);
    ASSERT_RESULT(petro_amount_mul_div_ceil(&r, 1, 1, 0), PETRO_ERR_AMOUNT_OVERFLOW);
    /* Random cross-check against exact 128-bit arithmetic on small factors. */
    for (int i = 0; i < 2000; i++) {
        int64_t a = (int64_t)(test_rand() % (uint64_t)PETRO_SUPPLY_MAX);
        int64_t n = (int64_t)(test_rand() % 1000000);
        int64_t d = (int64_t)(test_rand() % 1000000) + 1;
        u128 p = (u128)a * (u128)n;
        u128 fl = p / (u128)d;
        u128 ce = fl + (p % (u128)d != 0);
        petro_result rf = petro_amount_mul_div_floor(&r, a, n, d);
        if (fl > (u128)INT64_MAX) {
            ASSERT_RESULT(rf, PETRO_ERR_AMOUNT_OVERFLOW);
        } else {
            ASSERT_OK(rf);
            ASSERT_TRUE((u128)r == fl);
        }
        petro_result rcl = petro_amount_mul_div_ceil(&r, a, n, d);
        if (ce > (u128)INT64_MAX) {
            ASSERT_RESULT(rcl, PETRO_ERR_AMOUNT_OVERFLOW);
        } else {
            ASSERT_OK(rcl);
            ASSERT_TRUE((u128)r == ce);
        }
    }
}

static void test_parse_ok(void) {
    expect_parse("0", false, 0);
    expect_parse("1", false, 100000000);
    expect_parse("12.5", false, 1250000000);
    expect_parse("0.00000001", false, 1);
    expect_parse("007.5", false, 750000000);
    expect_parse("100", false, 10000000000);
    expect_parse("1.10000000", false, 110000000);
    expect_parse("92233720368", false, PETRO_SUPPLY_MAX);
    expect_parse("92233720368.00000000", false, PETRO_SUPPLY_MAX);
    expect_parse("92233720367.99999999", false, PETRO_SUPPLY_MAX - 1);
    expect_parse("-92233720368", true, -PETRO_SUPPLY_MAX);
    expect_parse("-0.00000005", true, -5);
    expect_parse("-0", true, 0);
    expect_parse("0000000000000000000000000000000000000000001.5", false, 150000000);
    /* Not NUL-terminated: only text_size bytes are read. */
    petro_amount v = 0;
    ASSERT_OK(petro_amount_parse(&v, "12.34xyz", 5, false));
    ASSERT_EQ(v, 1234000000);
}

static void test_parse_errors(void) {
    expect_parse_fail("", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("1.", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail(".5", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("+1", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail(" 1", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("1 ", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("1e5", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("1.2.3", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("-", true, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("--1", true, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("-.5", true, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("1,5", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("0x10", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("١", false, PETRO_ERR_AMOUNT_SYNTAX); /* a non-ASCII digit */
    expect_parse_fail("99999999999999999999999999999999x", false, PETRO_ERR_AMOUNT_SYNTAX);
    expect_parse_fail("-1", false, PETRO_ERR_AMOUNT_NEGATIVE);
    expect_parse_fail("-0", false, PETRO_ERR_AMOUNT_NEGATIVE);
    expect_parse_fail("0.000000001", false, PETRO_ERR_AMOUNT_PRECISION);
    expect_parse_fail("1.000000000", false, PETRO_ERR_AMOUNT_PRECISION);
    expect_parse_fail("92233720368.00000001", false, PETRO_ERR_AMOUNT_TOO_LARGE);
    expect_parse_fail("92233720369", false, PETRO_ERR_AMOUNT_TOO_LARGE);
    expect_parse_fail("-92233720368.00000001", true, PETRO_ERR_AMOUNT_TOO_LARGE);
    expect_parse_fail("92233720368.54775807", false, PETRO_ERR_AMOUNT_TOO_LARGE);
    expect_parse_fail("92233720368.99999999", false, PETRO_ERR_AMOUNT_TOO_LARGE);
    expect_parse_fail("184467440737095516160000", false, PETRO_ERR_AMOUNT_TOO_LARGE);
    /* A very long run of digits: the accumulation must not overflow. */
    char big[600];
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    expect_parse_fail(big, false, PETRO_ERR_AMOUNT_TOO_LARGE);
    big[10] = '.';
    expect_parse_fail(big, false, PETRO_ERR_AMOUNT_PRECISION);
    petro_amount v = 3;
    ASSERT_RESULT(petro_amount_parse(&v, NULL, 0, false), PETRO_ERR_AMOUNT_SYNTAX);
    ASSERT_RESULT(petro_amount_parse(&v, "1\0", 2, false), PETRO_ERR_AMOUNT_SYNTAX);
    ASSERT_EQ(v, 3);
}

static void test_format(void) {
    expect_format(0, "0");
    expect_format(1, "0.00000001");
    expect_format(-5, "-0.00000005");
    expect_format(100000000, "1");
    expect_format(1250000000, "12.5");
    expect_format(-1250000000, "-12.5");
    expect_format(10000000000, "100");
    expect_format(123456789, "1.23456789");
    expect_format(PETRO_SUPPLY_MAX, "92233720368");
    expect_format(INT64_MAX, "92233720368.54775807");
    expect_format(INT64_MIN, "-92233720368.54775808");
    expect_format(INT64_MIN + 1, "-92233720368.54775807");
}

/* format then parse gives the value back, for random amounts within the supply. */
static void test_round_trip(void) {
    for (int i = 0; i < 20000; i++) {
        petro_amount a = (petro_amount)(test_rand() % (uint64_t)(PETRO_SUPPLY_MAX + 1));
        if (i % 3 == 0) a = (petro_amount)(test_rand() % 100000000000ULL);
        if (i % 2 == 1) a = -a;
        char buf[PETRO_AMOUNT_TEXT_SIZE];
        size_t n = petro_amount_format(buf, a);
        petro_amount back = 0;
        ASSERT_OK(petro_amount_parse(&back, buf, n, true));
        ASSERT_EQ(back, a);
        if (a < 0) {
            ASSERT_RESULT(petro_amount_parse(&back, buf, n, false), PETRO_ERR_AMOUNT_NEGATIVE);
        }
    }
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    RUN_TEST(test_add_sub);
    RUN_TEST(test_mul_div);
    RUN_TEST(test_parse_ok);
    RUN_TEST(test_parse_errors);
    RUN_TEST(test_format);
    RUN_TEST(test_round_trip);
    return 0;
}
