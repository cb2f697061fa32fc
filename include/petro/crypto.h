/* Hashes (BLAKE2b-256, SHA-256), Ed25519 keys and signatures, hex. Thin wrappers over
 * libsodium; deterministic: key generation takes a seed, never reads randomness. */
#ifndef PETRO_CRYPTO_H
#define PETRO_CRYPTO_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Initialise libsodium. Call once before anything else here; idempotent, thread-safe.
 *  Returns PETRO_OK or PETRO_ERR_CRYPTO. */
PETRO_API PETRO_MUST_USE petro_result petro_crypto_init(void);

/** BLAKE2b-256 of bytes. */
PETRO_API void petro_hash_bytes(petro_hash *out, const uint8_t *bytes, size_t bytes_size);

/** Incremental BLAKE2b-256. The state is opaque storage big enough for libsodium's. */
typedef struct petro_hasher { _Alignas(64) uint8_t opaque[384]; } petro_hasher;
PETRO_API void petro_hasher_init(petro_hasher *h);
PETRO_API void petro_hasher_update(petro_hasher *h, const uint8_t *bytes, size_t bytes_size);
PETRO_API void petro_hasher_final(petro_hasher *h, petro_hash *out);

/** SHA-256 (only where another chain must agree, e.g. HTLC locks). */
PETRO_API void petro_sha256(uint8_t out[32], const uint8_t *bytes, size_t bytes_size);

PETRO_API bool petro_hash_equal(const petro_hash *a, const petro_hash *b);
PETRO_API bool petro_hash_is_zero(const petro_hash *a);
PETRO_API bool petro_pubkey_equal(const petro_pubkey *a, const petro_pubkey *b);
/** memcmp order of the 32 bytes: <0, 0, >0. */
PETRO_API int petro_pubkey_cmp(const petro_pubkey *a, const petro_pubkey *b);

/** Derive an Ed25519 key pair from a 32-byte seed. */
PETRO_API PETRO_MUST_USE petro_result petro_keypair_from_seed(petro_pubkey *pk, petro_seckey *sk,
                                                              const uint8_t seed[32]);
/** Sign message with sk. */
PETRO_API void petro_sign(petro_sig *sig, const uint8_t *msg, size_t msg_size,
                          const petro_seckey *sk);
/** Verify; true if sig is a valid signature of msg by pk. Thread-safe. */
PETRO_API bool petro_verify(const petro_sig *sig, const uint8_t *msg, size_t msg_size,
                            const petro_pubkey *pk);

/** Lower-case hex. out must hold 2*bytes_size+1 chars; NUL-terminated. */
PETRO_API void petro_hex_encode(char *out, const uint8_t *bytes, size_t bytes_size);
/** Decode exactly out_size bytes from hex of length 2*out_size (upper or lower case).
 *  Returns PETRO_OK or PETRO_ERR_BAD_HEX (wrong length or a non-hex character). */
PETRO_API PETRO_MUST_USE petro_result petro_hex_decode(uint8_t *out, size_t out_size,
                                                       const char *hex, size_t hex_size);

#ifdef __cplusplus
}
#endif
#endif
