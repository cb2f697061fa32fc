/* Crypto wrappers against published vectors (BLAKE2b-256, SHA-256, Ed25519 RFC 8032 test 1),
 * the incremental hasher, comparisons, and strict hex. */
#include "petro/petro.h"
#include "test.h"

static void hex_to(uint8_t *out, size_t size, const char *hex) {
    ASSERT_OK(petro_hex_decode(out, size, hex, strlen(hex)));
}

static void test_hashes(void) {
    petro_hash h, want;
    petro_hash_bytes(&h, (const uint8_t *)"", 0);
    hex_to(want.bytes, 32, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    ASSERT_TRUE(petro_hash_equal(&h, &want));

    uint8_t sha[32], sha_want[32];
    petro_sha256(sha, (const uint8_t *)"abc", 3);
    hex_to(sha_want, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ASSERT_MEMEQ(sha, sha_want, 32);

    /* Incremental in uneven pieces equals one shot. */
    uint8_t data[1000];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)test_rand();
    petro_hash one, inc;
    petro_hash_bytes(&one, data, sizeof data);
    petro_hasher hs;
    petro_hasher_init(&hs);
    size_t off = 0;
    while (off < sizeof data) {
        size_t n = 1 + test_rand() % 97;
        if (n > sizeof data - off) n = sizeof data - off;
        petro_hasher_update(&hs, data + off, n);
        off += n;
    }
    petro_hasher_final(&hs, &inc);
    ASSERT_TRUE(petro_hash_equal(&one, &inc));

    petro_hash zero;
    memset(&zero, 0, sizeof zero);
    ASSERT_TRUE(petro_hash_is_zero(&zero));
    zero.bytes[31] = 1;
    ASSERT_TRUE(!petro_hash_is_zero(&zero));
}

static void test_ed25519_rfc8032(void) {
    uint8_t seed[32];
    hex_to(seed, 32, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    petro_pubkey pk, pk_want;
    petro_seckey sk;
    ASSERT_OK(petro_keypair_from_seed(&pk, &sk, seed));
    hex_to(pk_want.bytes, 32, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    ASSERT_TRUE(petro_pubkey_equal(&pk, &pk_want));
    petro_sig sig, sig_want;
    petro_sign(&sig, (const uint8_t *)"", 0, &sk);
    hex_to(sig_want.bytes, 64,
           "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3"
           "9701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    ASSERT_MEMEQ(sig.bytes, sig_want.bytes, 64);
    ASSERT_TRUE(petro_verify(&sig, (const uint8_t *)"", 0, &pk));
    ASSERT_TRUE(!petro_verify(&sig, (const uint8_t *)"x", 1, &pk));
    sig.bytes[0] ^= 1;
    ASSERT_TRUE(!petro_verify(&sig, (const uint8_t *)"", 0, &pk));
    /* Deterministic: the same seed gives the same keys. */
    petro_pubkey pk2;
    petro_seckey sk2;
    ASSERT_OK(petro_keypair_from_seed(&pk2, &sk2, seed));
    ASSERT_MEMEQ(sk.bytes, sk2.bytes, 64);
}

static void test_pubkey_cmp(void) {
    petro_pubkey a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    ASSERT_EQ(petro_pubkey_cmp(&a, &b), 0);
    b.bytes[31] = 1;
    ASSERT_TRUE(petro_pubkey_cmp(&a, &b) < 0);
    a.bytes[0] = 1;
    ASSERT_TRUE(petro_pubkey_cmp(&a, &b) > 0);
    ASSERT_TRUE(!petro_pubkey_equal(&a, &b));
}

static void test_hex(void) {
    uint8_t bytes[4] = {0x00, 0xAB, 0x7f, 0xff}, back[4];
    char hex[9];
    petro_hex_encode(hex, bytes, 4);
    ASSERT_STREQ(hex, "00ab7fff");
    ASSERT_OK(petro_hex_decode(back, 4, "00AB7fFF", 8));
    ASSERT_MEMEQ(back, bytes, 4);
    ASSERT_RESULT(petro_hex_decode(back, 4, "00ab7ff", 7), PETRO_ERR_BAD_HEX);
    ASSERT_RESULT(petro_hex_decode(back, 4, "00ab7fff0", 9), PETRO_ERR_BAD_HEX);
    ASSERT_RESULT(petro_hex_decode(back, 4, "00ab7fgf", 8), PETRO_ERR_BAD_HEX);
    ASSERT_RESULT(petro_hex_decode(back, 4, " 0ab7fff", 8), PETRO_ERR_BAD_HEX);
    ASSERT_RESULT(petro_hex_decode(back, 4, "0xab7fff", 8), PETRO_ERR_BAD_HEX);
    ASSERT_RESULT(petro_hex_decode(back, 4, "00ab7f\0f", 8), PETRO_ERR_BAD_HEX);
    ASSERT_OK(petro_hex_decode(back, 0, "", 0));
    petro_hex_encode(hex, bytes, 0);
    ASSERT_STREQ(hex, "");
}

/* Signature domains: the signed bytes are u8 len || tag || message, a signature in one domain
 * never verifies in another, and docs/protocol.md's table is PETRO_SIG_DOMAINS row for row. */
static void test_domains(void) {
    uint8_t seed[32];
    for (size_t i = 0; i < 32; i++) seed[i] = (uint8_t)(7 * i + 1);
    petro_pubkey pk;
    petro_seckey sk;
    ASSERT_OK(petro_keypair_from_seed(&pk, &sk, seed));
    const uint8_t msg[32] = {1, 2, 3};
    for (int d = 0; d < PETRO_DOMAIN_COUNT; d++) {
        const char *tag = petro_sig_domain_tag((petro_sig_domain)d);
        size_t n = strlen(tag);
        ASSERT_TRUE(n >= 1 && n <= 32);
        petro_sig sig;
        petro_sign_in(&sig, (petro_sig_domain)d, msg, sizeof msg, &sk);
        ASSERT_TRUE(petro_verify_in(&sig, (petro_sig_domain)d, msg, sizeof msg, &pk));
        uint8_t raw[1 + 32 + sizeof msg];
        raw[0] = (uint8_t)n;
        memcpy(raw + 1, tag, n);
        memcpy(raw + 1 + n, msg, sizeof msg);
        ASSERT_TRUE(petro_verify(&sig, raw, 1 + n + sizeof msg, &pk));
        ASSERT_TRUE(!petro_verify(&sig, msg, sizeof msg, &pk)); /* never the bare message */
        for (int e = 0; e < PETRO_DOMAIN_COUNT; e++) {
            if (e == d) continue;
            ASSERT_TRUE(!petro_verify_in(&sig, (petro_sig_domain)e, msg, sizeof msg, &pk));
            ASSERT_TRUE(strcmp(tag, petro_sig_domain_tag((petro_sig_domain)e)) != 0);
        }
    }
    /* docs/protocol.md, "Signature domains": the rows between the markers. */
    FILE *f = fopen(PETRO_SOURCE_DIR "/docs/protocol.md", "rb");
    ASSERT_TRUE(f != NULL);
    static char doc[1 << 20];
    size_t size = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[size] = '\0';
    const char *begin = strstr(doc, "<!-- domains:begin -->\n");
    const char *end = strstr(doc, "<!-- domains:end -->");
    ASSERT_TRUE(begin != NULL && end != NULL && end > begin);
    static char want[8192];
    size_t w = (size_t)snprintf(want, sizeof want, "<!-- domains:begin -->\n"
                                "| tag | what is signed | signer | message after the tag |\n"
                                "| --- | --- | --- | --- |\n");
#define ROW(e, tag, what, who, m)                                                              \
    w += (size_t)snprintf(want + w, sizeof want - w, "| `%s` | %s | %s | %s |\n", tag, what,   \
                          who, m);
    PETRO_SIG_DOMAINS(ROW)
#undef ROW
    ASSERT_TRUE(w < sizeof want);
    if ((size_t)(end - begin) != w || memcmp(begin, want, w) != 0) {
        fprintf(stderr, "docs/protocol.md's signature domain table differs from "
                        "PETRO_SIG_DOMAINS; expected:\n%s", want);
        ASSERT_TRUE(false);
    }
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    ASSERT_OK(petro_crypto_init()); /* idempotent */
    RUN_TEST(test_hashes);
    RUN_TEST(test_ed25519_rfc8032);
    RUN_TEST(test_pubkey_cmp);
    RUN_TEST(test_hex);
    RUN_TEST(test_domains);
    return 0;
}
