/* Blocks: header encoding, block hash, Merkle roots, and the body (a list of encoded signed
 * transactions). See docs/protocol.md, "Block". */
#ifndef PETRO_BLOCK_H
#define PETRO_BLOCK_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct petro_block_header {
    uint8_t version;        /* PETRO_BLOCK_VERSION */
    uint64_t height;        /* genesis is 0 */
    petro_hash prev_hash;   /* zero for genesis */
    uint64_t timestamp_ms;  /* unix ms, set by the proposer, >= previous block's */
    petro_hash tx_root;     /* Merkle root of transaction ids */
    petro_hash witness_root; /* Merkle root of petro_tx_witness_hash leaves (signatures) */
    petro_hash result_root; /* Merkle root of petro_tx_result_hash leaves */
    petro_hash state_hash;  /* state hash after applying this block */
    petro_pubkey proposer;  /* zero for genesis only */
    uint32_t tx_count;      /* <= PETRO_BLOCK_TX_COUNT_MAX */
    petro_sig signature;    /* the proposer's, over the block hash (petro_block_sign); not
                               hashed; zero for genesis */
} petro_block_header;

/* The hashed part: every field but the signature. */
#define PETRO_BLOCK_HASHED_SIZE (1 + 8 + 32 + 8 + 32 + 32 + 32 + 32 + 32 + 4)
/* The encoded header: the hashed part, then the 64-byte signature. */
#define PETRO_BLOCK_HEADER_SIZE (PETRO_BLOCK_HASHED_SIZE + 64)

/** Encode a header into exactly PETRO_BLOCK_HEADER_SIZE bytes (signature last). */
PETRO_API void petro_block_header_encode(uint8_t out[PETRO_BLOCK_HEADER_SIZE],
                                         const petro_block_header *h);
/** Decode strictly. Returns PETRO_OK, PETRO_ERR_MALFORMED (wrong size),
 *  PETRO_ERR_BAD_VERSION, or PETRO_ERR_BLOCK_TOO_LARGE (tx_count over the maximum). */
PETRO_API PETRO_MUST_USE petro_result petro_block_header_decode(petro_block_header *h,
                                                                const uint8_t *bytes,
                                                                size_t bytes_size);
/** Block hash: BLAKE2b-256 of the first PETRO_BLOCK_HASHED_SIZE bytes of the encoded header
 *  (everything but the signature). */
PETRO_API void petro_block_hash(petro_hash *out, const petro_block_header *h);

/** Sign a finished header as its proposer: h->signature = Ed25519 in the signature domain
 *  PETRO_DOMAIN_BLOCK over network_id || block hash. Returns PETRO_OK, or
 *  PETRO_ERR_BAD_SIGNATURE (sk is not the key of h->proposer; nothing signed). */
PETRO_API PETRO_MUST_USE petro_result petro_block_sign(petro_block_header *h,
                                                       const petro_hash *network_id,
                                                       const petro_seckey *sk);
/** Whether the header's signature is its proposer's over this network's block hash. A
 *  height-0 header (genesis) carries none: true iff its proposer and signature are zero. */
PETRO_API bool petro_block_signature_ok(const petro_block_header *h, const petro_hash *network_id);

/** Merkle root over count leaf hashes (docs/protocol.md, "Merkle trees"): leaf nodes are
 *  H(0x00 || leaf), inner nodes H(0x01 || left || right), an odd node is carried up
 *  unchanged; the root of zero leaves is all zero. scratch must hold count hashes (may alias
 *  nothing else). */
PETRO_API void petro_merkle_root(petro_hash *root, const petro_hash *leaves, size_t count,
                                 petro_hash *scratch);

/** Encoded block = header, then for each transaction a u32 little-endian length followed by
 *  the signed envelope. petro_block_body_next walks the body: *offset starts at
 *  PETRO_BLOCK_HEADER_SIZE; returns PETRO_OK with tx bytes borrowed from block (valid while
 *  block is), PETRO_ERR_NOT_FOUND at the exact end, PETRO_ERR_MALFORMED otherwise. */
PETRO_API PETRO_MUST_USE petro_result petro_block_body_next(const uint8_t *block, size_t block_size,
                                                            size_t *offset, const uint8_t **tx,
                                                            size_t *tx_size);

#ifdef __cplusplus
}
#endif
#endif
