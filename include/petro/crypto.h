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
/** Sign the raw message with sk (no domain: the protocol signs with petro_sign_in). */
PETRO_API void petro_sign(petro_sig *sig, const uint8_t *msg, size_t msg_size,
                          const petro_seckey *sk);
/** Verify; true if sig is a valid signature of msg by pk. Thread-safe. */
PETRO_API bool petro_verify(const petro_sig *sig, const uint8_t *msg, size_t msg_size,
                            const petro_pubkey *pk);

/* Signature domains (docs/protocol.md, "Signature domains"). Every signature the protocol
 * makes is Ed25519 over  u8 tag_length || tag || message,  with the tag of what is signed, so
 * a signature made for one purpose never verifies for another (a transaction id can never
 * pass for a block, a checkpoint or a countersignature). Numbers and tags are protocol.
 * Columns: X(enum, tag, what is signed, who signs, the message after the tag). */
#define PETRO_SIG_DOMAINS(X)                                                                    \
    X(PETRO_DOMAIN_TX, "petro-tx-v2", "transaction", "the accounts' signers",                  \
      "transaction id (32)")                                                                     \
    X(PETRO_DOMAIN_BLOCK, "petro-block-v2", "block", "the block's proposer",                   \
      "network id (32), block hash (32)")                                                        \
    X(PETRO_DOMAIN_ATTESTATION, "petro-attest-v2", "cluster attestation", "each validator",    \
      "network id (32), u64 height, block hash (32), state hash (32)")                           \
    X(PETRO_DOMAIN_CHECKPOINT, "petro-checkpoint-v2", "proof-of-reserves checkpoint",          \
      "the validator", "the checkpoint bytes (\"Proof of reserves\")")                           \
    X(PETRO_DOMAIN_TRADE_AMEND, "petro-trade-amend-v2", "trade amendment countersignature",    \
      "the other party", "network id (32), u64 contract id, u32 amend count, i64 amount, "       \
      "u64 deadline, u64 expiry")                                                               \
    X(PETRO_DOMAIN_STATE_ROOT, "petro-state-root-v1", "state commitment", "the validator",     \
      "the state root bytes (\"State commitment\")")

typedef enum petro_sig_domain {
#define PETRO__DOMAIN_ENUM(e, tag, what, who, msg) e,
    PETRO_SIG_DOMAINS(PETRO__DOMAIN_ENUM)
#undef PETRO__DOMAIN_ENUM
    PETRO_DOMAIN_COUNT
} petro_sig_domain;

/** Longest message petro_sign_in / petro_verify_in take after the tag. */
#define PETRO_SIGNED_MESSAGE_MAX 448

/** The tag of a domain (ASCII, no terminator counted in its length). */
PETRO_API const char *petro_sig_domain_tag(petro_sig_domain d);
/** Sign u8 len || tag || msg with sk. msg_size <= PETRO_SIGNED_MESSAGE_MAX. */
PETRO_API void petro_sign_in(petro_sig *sig, petro_sig_domain d, const uint8_t *msg,
                             size_t msg_size, const petro_seckey *sk);
/** Verify a signature made by petro_sign_in. false for msg_size over the maximum. */
PETRO_API bool petro_verify_in(const petro_sig *sig, petro_sig_domain d, const uint8_t *msg,
                               size_t msg_size, const petro_pubkey *pk);

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
