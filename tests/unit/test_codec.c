/* Codec primitives: little-endian layout, sticky writer overflow, reader errors, bool, code
 * and asset encodings (docs/protocol.md, "Primitives"). */
#include "internal.h"
#include "petro/petro.h"
#include "test.h"

static void test_writer(void) {
    uint8_t buf[64];
    petro__writer w;
    petro__w_init(&w, buf, sizeof buf);
    petro__w_u8(&w, 0x01);
    petro__w_u16(&w, 0x0302);
    petro__w_u32(&w, 0x07060504);
    petro__w_u64(&w, UINT64_C(0x0f0e0d0c0b0a0908));
    petro__w_i64(&w, -2);
    ASSERT_TRUE(!w.is_overflow);
    ASSERT_EQ(w.size, 1 + 2 + 4 + 8 + 8);
    for (int i = 0; i < 15; i++) ASSERT_EQ(buf[i], i + 1);
    ASSERT_EQ(buf[15], 0xfe);
    for (int i = 16; i < 23; i++) ASSERT_EQ(buf[i], 0xff);

    /* Sticky overflow: a write that does not fit is dropped whole, and so is every later
     * one, even if it would fit. */
    petro__w_init(&w, buf, 5);
    petro__w_u32(&w, 1);
    petro__w_u16(&w, 2);
    ASSERT_TRUE(w.is_overflow);
    ASSERT_EQ(w.size, 4);
    petro__w_u8(&w, 3);
    ASSERT_EQ(w.size, 4);
    petro__writer z;
    petro__w_init(&z, NULL, 0);
    petro__w_bytes(&z, "", 0);
    ASSERT_TRUE(!z.is_overflow);
    petro__w_u8(&z, 0);
    ASSERT_TRUE(z.is_overflow);
}

static void test_reader(void) {
    uint8_t buf[23];
    for (int i = 0; i < 15; i++) buf[i] = (uint8_t)(i + 1);
    buf[15] = 0xfe;
    for (int i = 16; i < 23; i++) buf[i] = 0xff;
    petro__reader r;
    petro__r_init(&r, buf, sizeof buf);
    ASSERT_EQ(petro__r_u8(&r), 1);
    ASSERT_EQ(petro__r_u16(&r), 0x0302);
    ASSERT_EQ(petro__r_u32(&r), 0x07060504);
    ASSERT_TRUE(petro__r_u64(&r) == UINT64_C(0x0f0e0d0c0b0a0908));
    ASSERT_EQ(petro__r_i64(&r), -2);
    ASSERT_TRUE(petro__r_done(&r));
    /* Past the end: error, 0, and it stays. */
    ASSERT_EQ(petro__r_u8(&r), 0);
    ASSERT_TRUE(r.is_error);
    ASSERT_TRUE(!petro__r_done(&r));

    petro__r_init(&r, buf, 3);
    ASSERT_EQ(petro__r_u32(&r), 0); /* needs 4, has 3 */
    ASSERT_TRUE(r.is_error);
    ASSERT_EQ(petro__r_u8(&r), 0); /* sticky even though a byte is left */
    /* Not everything consumed. */
    petro__r_init(&r, buf, 3);
    (void)petro__r_u16(&r);
    ASSERT_TRUE(!r.is_error);
    ASSERT_TRUE(!petro__r_done(&r));

    /* i64 extremes. */
    uint8_t e[16];
    petro__writer w;
    petro__w_init(&w, e, sizeof e);
    petro__w_i64(&w, INT64_MIN);
    petro__w_i64(&w, INT64_MAX);
    petro__r_init(&r, e, sizeof e);
    ASSERT_TRUE(petro__r_i64(&r) == INT64_MIN);
    ASSERT_TRUE(petro__r_i64(&r) == INT64_MAX);
    ASSERT_TRUE(petro__r_done(&r));

    /* Bools. */
    uint8_t b[3] = {0, 1, 2};
    petro__r_init(&r, b, 3);
    ASSERT_EQ(petro__r_bool(&r), 0);
    ASSERT_EQ(petro__r_bool(&r), 1);
    ASSERT_TRUE(!r.is_error);
    ASSERT_EQ(petro__r_bool(&r), 0);
    ASSERT_TRUE(r.is_error);
}

static void test_code_asset(void) {
    uint8_t buf[64];
    petro__writer w;
    petro__reader r;
    char code[PETRO_ASSET_CODE_SIZE_MAX + 1];

    petro__w_init(&w, buf, sizeof buf);
    petro__w_code(&w, "GOLD");
    ASSERT_EQ(w.size, 5);
    ASSERT_EQ(buf[0], 4);
    ASSERT_MEMEQ(buf + 1, "GOLD", 4);
    petro__r_init(&r, buf, w.size);
    petro__r_code(&r, code);
    ASSERT_TRUE(petro__r_done(&r));
    ASSERT_STREQ(code, "GOLD");

    /* Bad lengths and characters. */
    static const struct { const char *bytes; size_t size; } bad[] = {
        {"\x00", 1}, {"\x0d" "ABCDEFGHIJKLM", 14}, {"\x03" "AbC", 4}, {"\x03" "A C", 4},
        {"\x03" "A\0C", 4}, {"\x03" "AB", 3}, {"", 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        petro__r_init(&r, (const uint8_t *)bad[i].bytes, bad[i].size);
        memset(code, 'x', sizeof code);
        petro__r_code(&r, code);
        ASSERT_TRUE(r.is_error);
        ASSERT_STREQ(code, "");
    }
    /* "PTR" is a well-formed code; the asset reader refuses it as an issued asset. */
    petro__r_init(&r, (const uint8_t *)"\x03PTR", 4);
    petro__r_code(&r, code);
    ASSERT_TRUE(petro__r_done(&r));

    /* Assets. */
    petro_asset native = petro_asset_native(), issued, back;
    ASSERT_EQ(native.kind, PETRO_ASSET_NATIVE);
    ASSERT_STREQ(native.code, "PTR");
    memset(&issued, 0, sizeof issued);
    issued.kind = PETRO_ASSET_ISSUED;
    strcpy(issued.code, "VES");
    memset(issued.issuer.bytes, 0x42, 32);
    petro__w_init(&w, buf, sizeof buf);
    petro__w_asset(&w, &native);
    ASSERT_EQ(w.size, 1);
    ASSERT_EQ(buf[0], 0);
    petro__w_asset(&w, &issued);
    ASSERT_EQ(w.size, 1 + 1 + 1 + 3 + 32);
    petro__r_init(&r, buf, w.size);
    petro__r_asset(&r, &back);
    ASSERT_TRUE(petro_asset_equal(&back, &native));
    ASSERT_STREQ(back.code, "PTR");
    petro__r_asset(&r, &back);
    ASSERT_TRUE(petro__r_done(&r));
    ASSERT_TRUE(petro_asset_equal(&back, &issued));
    ASSERT_TRUE(!petro_asset_equal(&back, &native));
    back.issuer.bytes[3] ^= 1;
    ASSERT_TRUE(!petro_asset_equal(&back, &issued));

    /* Unknown kind, issued "PTR", truncated issuer. */
    uint8_t k2[1] = {2};
    petro__r_init(&r, k2, 1);
    petro__r_asset(&r, &back);
    ASSERT_TRUE(r.is_error);
    petro__w_init(&w, buf, sizeof buf);
    petro__w_u8(&w, 1);
    petro__w_code(&w, "PTR");
    petro__w_bytes(&w, issued.issuer.bytes, 32);
    petro__r_init(&r, buf, w.size);
    petro__r_asset(&r, &back);
    ASSERT_TRUE(r.is_error);
    petro__r_init(&r, buf, w.size - 1);
    petro__r_asset(&r, &back);
    ASSERT_TRUE(r.is_error);

    /* The code rule. */
    ASSERT_OK(petro_asset_code_check("A"));
    ASSERT_OK(petro_asset_code_check("ABCDEFGHIJ12"));
    ASSERT_OK(petro_asset_code_check("PTR2"));
    ASSERT_RESULT(petro_asset_code_check(""), PETRO_ERR_BAD_ASSET_CODE);
    ASSERT_RESULT(petro_asset_code_check("PTR"), PETRO_ERR_BAD_ASSET_CODE);
    ASSERT_RESULT(petro_asset_code_check("ABCDEFGHIJ123"), PETRO_ERR_BAD_ASSET_CODE);
    ASSERT_RESULT(petro_asset_code_check("usd"), PETRO_ERR_BAD_ASSET_CODE);
    ASSERT_RESULT(petro_asset_code_check("US-D"), PETRO_ERR_BAD_ASSET_CODE);
    ASSERT_RESULT(petro_asset_code_check(NULL), PETRO_ERR_BAD_ASSET_CODE);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    RUN_TEST(test_writer);
    RUN_TEST(test_reader);
    RUN_TEST(test_code_asset);
    return 0;
}
