/* Result table: names unique and round-trip through petro_result_from_name, ledger range,
 * the advisory HTTP status of each code. */
#include "petro/petro.h"
#include "test.h"

static const struct {
    petro_result code;
    int num;
    const char *name;
    int http;
    const char *msg;
} rows[] = {
#define ROW_(id, num, name, http, msg) {id, num, name, http, msg},
    PETRO_RESULT_TABLE(ROW_)
#undef ROW_
};
#define ROW_COUNT (sizeof rows / sizeof rows[0])

static void test_names_unique_and_round_trip(void) {
    for (size_t i = 0; i < ROW_COUNT; i++) {
        ASSERT_STREQ(petro_result_name(rows[i].code), rows[i].name);
        ASSERT_STREQ(petro_result_str(rows[i].code), rows[i].msg);
        ASSERT_EQ((int)rows[i].code, rows[i].num);
        petro_result back = PETRO_ERR_CORRUPT;
        ASSERT_EQ(petro_result_from_name(&back, rows[i].name), 1);
        ASSERT_RESULT(back, rows[i].code);
        ASSERT_TRUE(strlen(rows[i].name) > 0);
        for (size_t j = i + 1; j < ROW_COUNT; j++) {
            ASSERT_TRUE(strcmp(rows[i].name, rows[j].name) != 0);
            ASSERT_TRUE(rows[i].num != rows[j].num);
        }
        /* Names are snake_case: the API's JSON "error" field. */
        for (const char *p = rows[i].name; *p; p++) {
            ASSERT_TRUE((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
        }
    }
}

static void test_unknown(void) {
    petro_result r = PETRO_OK;
    ASSERT_STREQ(petro_result_name((petro_result)99999), "unknown");
    ASSERT_EQ(petro_result_from_name(&r, "no_such_result"), 0);
    ASSERT_EQ(petro_result_from_name(&r, ""), 0);
    ASSERT_EQ(petro_result_from_name(&r, NULL), 0);
    ASSERT_RESULT(r, PETRO_OK); /* untouched */
}

static void test_ledger_range(void) {
    ASSERT_EQ(petro_result_is_ledger(PETRO_OK), 0);
    ASSERT_EQ(petro_result_is_ledger(PETRO_ERR_MALFORMED), 1);
    ASSERT_EQ(petro_result_is_ledger(PETRO_ERR_OP_FAILED), 1);
    ASSERT_EQ(petro_result_is_ledger(PETRO_ERR_DUPLICATE_TX), 1);
    ASSERT_EQ(petro_result_is_ledger(PETRO_ERR_NOMEM), 0);
    ASSERT_EQ(petro_result_is_ledger(PETRO_ERR_CORRUPT), 0);
    for (size_t i = 0; i < ROW_COUNT; i++) {
        ASSERT_EQ(petro_result_is_ledger(rows[i].code), rows[i].num >= 1 && rows[i].num <= 999);
    }
}

/* Every error is a 4xx or 5xx of the few the API uses; a block check never comes from a
 * client request, so seeing one is the node's fault (500). */
static void test_http_status(void) {
    static const int USED[] = {400, 401, 404, 409, 429, 500, 503, 504};
    for (size_t i = 0; i < ROW_COUNT; i++) {
        ASSERT_EQ(petro_result_http_status(rows[i].code), rows[i].http);
        if (rows[i].code == PETRO_OK) {
            ASSERT_EQ(rows[i].http, 200);
            continue;
        }
        bool used = false;
        for (size_t k = 0; k < sizeof USED / sizeof USED[0]; k++) {
            used = used || rows[i].http == USED[k];
        }
        ASSERT_TRUE(used);
        if (rows[i].num >= 400 && rows[i].num <= 407) {
            ASSERT_EQ(rows[i].http, 500);
        }
    }
    ASSERT_EQ(petro_result_http_status(PETRO_ERR_BALANCE_LOW), 400);
    ASSERT_EQ(petro_result_http_status(PETRO_ERR_NOT_FOUND), 404);
    ASSERT_EQ(petro_result_http_status(PETRO_ERR_DUPLICATE_TX), 409);
    ASSERT_EQ(petro_result_http_status(PETRO_ERR_UNAVAILABLE), 503);
    ASSERT_EQ(petro_result_http_status((petro_result)99999), 500);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    RUN_TEST(test_names_unique_and_round_trip);
    RUN_TEST(test_unknown);
    RUN_TEST(test_ledger_range);
    RUN_TEST(test_http_status);
    return 0;
}
