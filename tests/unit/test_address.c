/* Addresses: bech32m round trips, fixed vectors, and the error for every kind of mistake. */
#include <ctype.h>

#include "petro/petro.h"
#include "test.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* Key 00 01 02 .. 1f; expected strings computed independently from the BIP-350 reference
 * algorithm (checked against the BIP's own vectors below). */
static const char key_main[] = "ptr1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0se3nk94";
static const char key_test[] = "tptr1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0s5k5qyx";
/* Same key with a non-zero padding bit and a valid bech32m checksum. */
static const char key_bad_padding[] =
    "ptr1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc03y88rc8";
/* Same key with a valid bech32 (BIP-173) checksum instead of bech32m. */
static const char key_bech32[] = "ptr1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0svdr6qh";

static petro_result decode(petro_pubkey *pk, const char *s, petro_net_kind kind) {
    return petro_address_decode(pk, s, strlen(s), kind);
}

static petro_pubkey counting_key(void) {
    petro_pubkey pk;
    for (int i = 0; i < 32; i++) pk.bytes[i] = (uint8_t)i;
    return pk;
}

static void test_vectors(void) {
    petro_pubkey pk = counting_key(), back;
    char buf[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(buf, &pk, PETRO_NET_MAIN);
    ASSERT_STREQ(buf, key_main);
    petro_address_encode(buf, &pk, PETRO_NET_TEST);
    ASSERT_STREQ(buf, key_test);
    ASSERT_OK(decode(&back, key_main, PETRO_NET_MAIN));
    ASSERT_MEMEQ(back.bytes, pk.bytes, 32);
    ASSERT_OK(decode(&back, key_test, PETRO_NET_TEST));
    ASSERT_MEMEQ(back.bytes, pk.bytes, 32);
}

/* The BIP-350 valid bech32m strings have other human parts: a valid checksum with another
 * prefix. The BIP-173 valid bech32 strings are not bech32m at all. */
static void test_bip_vectors(void) {
    static const char *bech32m[] = {
        "A1LQFN3A",
        "a1lqfn3a",
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
        "?1v759aa",
        "11lllllllllllllllllllllllllllllllllllllllllll"
        "lllllllllllllllllllllllllllllllllllllllludsr8",
        "an83characterlonghumanreadablepartthatcontain"
        "sthetheexcludedcharactersbioandnumber11sg7hg6",
    };
    static const char *bech32[] = {
        "A12UEL5L",
        "a12uel5l",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    };
    petro_pubkey pk;
    for (size_t i = 0; i < sizeof bech32m / sizeof bech32m[0]; i++) {
        ASSERT_RESULT(decode(&pk, bech32m[i], PETRO_NET_MAIN), PETRO_ERR_WRONG_ADDRESS_PREFIX);
    }
    for (size_t i = 0; i < sizeof bech32 / sizeof bech32[0]; i++) {
        ASSERT_RESULT(decode(&pk, bech32[i], PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    }
}

static void random_key(petro_pubkey *pk) {
    for (int i = 0; i < 32; i += 8) {
        uint64_t r = test_rand();
        memcpy(pk->bytes + i, &r, 8);
    }
}

static void test_round_trip(void) {
    for (int i = 0; i < 500; i++) {
        petro_pubkey pk, back;
        random_key(&pk);
        petro_net_kind kind = (i % 2) ? PETRO_NET_TEST : PETRO_NET_MAIN;
        char buf[PETRO_ADDRESS_SIZE_MAX];
        petro_address_encode(buf, &pk, kind);
        ASSERT_EQ(strlen(buf), kind == PETRO_NET_MAIN ? 62 : 63);
        memset(&back, 0xAA, sizeof back);
        ASSERT_OK(decode(&back, buf, kind));
        ASSERT_MEMEQ(back.bytes, pk.bytes, 32);
        /* Upper case is accepted. */
        char up[PETRO_ADDRESS_SIZE_MAX];
        for (size_t k = 0; k <= strlen(buf); k++) up[k] = (char)toupper((unsigned char)buf[k]);
        memset(&back, 0, sizeof back);
        ASSERT_OK(decode(&back, up, kind));
        ASSERT_MEMEQ(back.bytes, pk.bytes, 32);
        /* The other network's prefix. */
        petro_net_kind other = kind == PETRO_NET_MAIN ? PETRO_NET_TEST : PETRO_NET_MAIN;
        petro_pubkey untouched;
        memset(&untouched, 0x55, sizeof untouched);
        ASSERT_RESULT(decode(&untouched, buf, other), PETRO_ERR_WRONG_ADDRESS_PREFIX);
        ASSERT_EQ(untouched.bytes[0], 0x55);
    }
}

/* Every single-character substitution (a typo) is caught by the checksum: in the data part
 * by any other data character, in the human part by any other letter. */
static void test_typos(void) {
    petro_pubkey pk;
    random_key(&pk);
    char addr[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(addr, &pk, PETRO_NET_MAIN);
    size_t len = strlen(addr);
    for (size_t pos = 0; pos < len; pos++) {
        if (pos == 3) continue; /* the separator */
        char orig = addr[pos];
        const char *alphabet = pos < 3 ? "abcdefghijklmnopqrstuvwxyz" : charset;
        for (const char *c = alphabet; *c; c++) {
            if (*c == orig) continue;
            addr[pos] = *c;
            petro_pubkey out;
            memset(&out, 0x33, sizeof out);
            petro_result rc = decode(&out, addr, PETRO_NET_MAIN);
            if (rc != PETRO_ERR_BAD_ADDRESS_CHECKSUM) fprintf(stderr, "typo: %s\n", addr);
            ASSERT_RESULT(rc, PETRO_ERR_BAD_ADDRESS_CHECKSUM);
            ASSERT_EQ(out.bytes[0], 0x33);
        }
        addr[pos] = orig;
    }
    /* Two adjacent characters swapped. */
    for (size_t pos = 4; pos + 1 < len; pos++) {
        if (addr[pos] == addr[pos + 1]) continue;
        char t = addr[pos];
        addr[pos] = addr[pos + 1];
        addr[pos + 1] = t;
        ASSERT_RESULT(decode(&pk, addr, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS_CHECKSUM);
        addr[pos + 1] = addr[pos];
        addr[pos] = t;
    }
    ASSERT_OK(decode(&pk, addr, PETRO_NET_MAIN));
}

static void test_malformed(void) {
    petro_pubkey pk;
    char buf[128];
    /* Mixed case. */
    strcpy(buf, key_main);
    buf[10] = (char)toupper((unsigned char)buf[10]);
    ASSERT_RESULT(decode(&pk, buf, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    strcpy(buf, key_main);
    buf[0] = 'P';
    ASSERT_RESULT(decode(&pk, buf, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    /* Characters outside the bech32 alphabet in the data part (b, i, o), and spaces. */
    const char *bad_chars = "bio ";
    for (const char *c = bad_chars; *c; c++) {
        strcpy(buf, key_main);
        buf[20] = *c;
        ASSERT_RESULT(decode(&pk, buf, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    }
    /* Truncated at every length, and one character too many. */
    size_t len = strlen(key_main);
    for (size_t n = 0; n < len; n++) {
        petro_result rc = petro_address_decode(&pk, key_main, n, PETRO_NET_MAIN);
        ASSERT_RESULT(rc, PETRO_ERR_BAD_ADDRESS);
    }
    strcpy(buf, key_main);
    strcat(buf, "q");
    ASSERT_RESULT(decode(&pk, buf, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    /* Padding and checksum variant. */
    ASSERT_RESULT(decode(&pk, key_bad_padding, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    ASSERT_RESULT(decode(&pk, key_bech32, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    /* A non-zero-padded address of the other network is not "wrong prefix" either. */
    ASSERT_RESULT(decode(&pk, key_bad_padding, PETRO_NET_TEST), PETRO_ERR_BAD_ADDRESS);
    /* Empty, no separator, nothing after it, too long, control and non-ASCII bytes. */
    ASSERT_RESULT(petro_address_decode(&pk, "", 0, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    ASSERT_RESULT(petro_address_decode(&pk, NULL, 0, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    ASSERT_RESULT(decode(&pk, "ptrqqqqqqqqqqqq", PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    ASSERT_RESULT(decode(&pk, "ptr1", PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    ASSERT_RESULT(decode(&pk, "1qqqqqqqqq", PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    memset(buf, 'q', 100);
    memcpy(buf, "ptr1", 4);
    ASSERT_RESULT(petro_address_decode(&pk, buf, 100, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    strcpy(buf, key_main);
    buf[30] = '\0';
    ASSERT_RESULT(petro_address_decode(&pk, buf, len, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    strcpy(buf, key_main);
    buf[30] = (char)0xC3;
    ASSERT_RESULT(decode(&pk, buf, PETRO_NET_MAIN), PETRO_ERR_BAD_ADDRESS);
    /* Not NUL-terminated input: only text_size bytes count. */
    strcpy(buf, key_main);
    strcat(buf, "zzzz");
    ASSERT_OK(petro_address_decode(&pk, buf, len, PETRO_NET_MAIN));
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    RUN_TEST(test_vectors);
    RUN_TEST(test_bip_vectors);
    RUN_TEST(test_round_trip);
    RUN_TEST(test_typos);
    RUN_TEST(test_malformed);
    return 0;
}
