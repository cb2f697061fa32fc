/* Thin wrappers over libsodium: BLAKE2b-256 (crypto_generichash with a 32-byte output),
 * SHA-256, Ed25519 from a seed, and strict hex. Nothing here reads randomness: keys come
 * from caller-provided seeds, and Ed25519 signing is deterministic. */
#include <sodium.h>
#include <string.h>

#include "internal.h"

_Static_assert(sizeof(crypto_generichash_state) <= sizeof(((petro_hasher *)0)->opaque),
               "petro_hasher can hold libsodium's BLAKE2b state");
_Static_assert(_Alignof(crypto_generichash_state) <= 64, "petro_hasher alignment suffices");
_Static_assert(crypto_sign_PUBLICKEYBYTES == sizeof(petro_pubkey), "pubkey size");
_Static_assert(crypto_sign_SECRETKEYBYTES == sizeof(petro_seckey), "seckey size");
_Static_assert(crypto_sign_BYTES == sizeof(petro_sig), "signature size");
_Static_assert(crypto_sign_SEEDBYTES == 32, "seed size");
_Static_assert(crypto_hash_sha256_BYTES == 32, "sha256 size");
_Static_assert(sizeof(petro_hash) == 32, "hash size");

petro_result petro_crypto_init(void) {
    /* sodium_init returns 0 the first time, 1 if already initialised, -1 on failure; it is
     * itself thread-safe. */
    return sodium_init() < 0 ? PETRO_ERR_CRYPTO : PETRO_OK;
}

void petro_hash_bytes(petro_hash *out, const uint8_t *bytes, size_t bytes_size) {
    int rc = crypto_generichash(out->bytes, sizeof out->bytes, bytes, bytes_size, NULL, 0);
    PETRO_ASSERT(rc == 0);
}

static crypto_generichash_state *hasher_state(petro_hasher *h) {
    return (crypto_generichash_state *)(void *)h->opaque;
}

void petro_hasher_init(petro_hasher *h) {
    int rc = crypto_generichash_init(hasher_state(h), NULL, 0, sizeof(petro_hash));
    PETRO_ASSERT(rc == 0);
}

void petro_hasher_update(petro_hasher *h, const uint8_t *bytes, size_t bytes_size) {
    int rc = crypto_generichash_update(hasher_state(h), bytes, bytes_size);
    PETRO_ASSERT(rc == 0);
}

void petro_hasher_final(petro_hasher *h, petro_hash *out) {
    int rc = crypto_generichash_final(hasher_state(h), out->bytes, sizeof out->bytes);
    PETRO_ASSERT(rc == 0);
}

void petro_sha256(uint8_t out[32], const uint8_t *bytes, size_t bytes_size) {
    int rc = crypto_hash_sha256(out, bytes, bytes_size);
    PETRO_ASSERT(rc == 0);
}

bool petro_hash_equal(const petro_hash *a, const petro_hash *b) {
    return memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

bool petro_hash_is_zero(const petro_hash *a) {
    uint8_t acc = 0;
    for (size_t i = 0; i < sizeof a->bytes; i++) acc |= a->bytes[i];
    return acc == 0;
}

bool petro_pubkey_equal(const petro_pubkey *a, const petro_pubkey *b) {
    return memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

int petro_pubkey_cmp(const petro_pubkey *a, const petro_pubkey *b) {
    return memcmp(a->bytes, b->bytes, sizeof a->bytes);
}

petro_result petro_keypair_from_seed(petro_pubkey *pk, petro_seckey *sk, const uint8_t seed[32]) {
    if (crypto_sign_seed_keypair(pk->bytes, sk->bytes, seed) != 0) {
        sodium_memzero(sk->bytes, sizeof sk->bytes);
        return PETRO_ERR_CRYPTO;
    }
    return PETRO_OK;
}

void petro_sign(petro_sig *sig, const uint8_t *msg, size_t msg_size, const petro_seckey *sk) {
    int rc = crypto_sign_detached(sig->bytes, NULL, msg, msg_size, sk->bytes);
    PETRO_ASSERT(rc == 0);
}

bool petro_verify(const petro_sig *sig, const uint8_t *msg, size_t msg_size,
                  const petro_pubkey *pk) {
    return crypto_sign_verify_detached(sig->bytes, msg, msg_size, pk->bytes) == 0;
}

/* ---------------------------------------------------------------- signature domains */

static const char *const domain_tags[PETRO_DOMAIN_COUNT] = {
#define PETRO__DOMAIN_TAG(e, tag, what, who, msg) [e] = tag,
    PETRO_SIG_DOMAINS(PETRO__DOMAIN_TAG)
#undef PETRO__DOMAIN_TAG
};

const char *petro_sig_domain_tag(petro_sig_domain d) {
    PETRO_ASSERT((unsigned)d < PETRO_DOMAIN_COUNT);
    return domain_tags[d];
}

/* u8 len || tag || msg into out; returns the size. */
static size_t domain_message(uint8_t *out, petro_sig_domain d, const uint8_t *msg,
                             size_t msg_size) {
    const char *tag = petro_sig_domain_tag(d);
    size_t tag_size = strlen(tag);
    PETRO_ASSERT(tag_size >= 1 && tag_size <= 32);
    out[0] = (uint8_t)tag_size;
    memcpy(out + 1, tag, tag_size);
    if (msg_size > 0) memcpy(out + 1 + tag_size, msg, msg_size);
    return 1 + tag_size + msg_size;
}

void petro_sign_in(petro_sig *sig, petro_sig_domain d, const uint8_t *msg, size_t msg_size,
                   const petro_seckey *sk) {
    PETRO_ASSERT(msg_size <= PETRO_SIGNED_MESSAGE_MAX);
    uint8_t buf[1 + 32 + PETRO_SIGNED_MESSAGE_MAX];
    size_t n = domain_message(buf, d, msg, msg_size);
    petro_sign(sig, buf, n, sk);
}

bool petro_verify_in(const petro_sig *sig, petro_sig_domain d, const uint8_t *msg,
                     size_t msg_size, const petro_pubkey *pk) {
    if (msg_size > PETRO_SIGNED_MESSAGE_MAX) return false;
    uint8_t buf[1 + 32 + PETRO_SIGNED_MESSAGE_MAX];
    size_t n = domain_message(buf, d, msg, msg_size);
    return petro_verify(sig, buf, n, pk);
}

/* ---------------------------------------------------------------- hex */

void petro_hex_encode(char *out, const uint8_t *bytes, size_t bytes_size) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < bytes_size; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
    out[2 * bytes_size] = '\0';
}

/* Value of one hex digit, or -1. */
static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

petro_result petro_hex_decode(uint8_t *out, size_t out_size, const char *hex, size_t hex_size) {
    if (out_size > SIZE_MAX / 2 || hex_size != 2 * out_size) return PETRO_ERR_BAD_HEX;
    for (size_t i = 0; i < out_size; i++) {
        int hi = hex_digit(hex[2 * i]);
        int lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            memset(out, 0, out_size);
            return PETRO_ERR_BAD_HEX;
        }
        out[i] = (uint8_t)((hi << 4) | lo);
    }
    return PETRO_OK;
}
