/* Blocks: the 277-byte header (docs/protocol.md, "Block"), the block hash, the proposer's
 * signature, Merkle roots ("Merkle trees") and the walk over an encoded body. */
#include <string.h>

#include "internal.h"

static void w_hash(petro__writer *w, const petro_hash *h) {
    petro__w_bytes(w, h->bytes, sizeof h->bytes);
}

void petro_block_header_encode(uint8_t out[PETRO_BLOCK_HEADER_SIZE], const petro_block_header *h) {
    petro__writer w;
    petro__w_init(&w, out, PETRO_BLOCK_HEADER_SIZE);
    petro__w_u8(&w, h->version);
    petro__w_u64(&w, h->height);
    w_hash(&w, &h->prev_hash);
    petro__w_u64(&w, h->timestamp_ms);
    w_hash(&w, &h->tx_root);
    w_hash(&w, &h->witness_root);
    w_hash(&w, &h->result_root);
    w_hash(&w, &h->state_hash);
    petro__w_bytes(&w, h->proposer.bytes, sizeof h->proposer.bytes);
    petro__w_u32(&w, h->tx_count);
    PETRO_ASSERT(w.size == PETRO_BLOCK_HASHED_SIZE);
    petro__w_bytes(&w, h->signature.bytes, sizeof h->signature.bytes);
    PETRO_ASSERT(!w.is_overflow);
    PETRO_ASSERT(w.size == PETRO_BLOCK_HEADER_SIZE);
}

petro_result petro_block_header_decode(petro_block_header *h, const uint8_t *bytes,
                                       size_t bytes_size) {
    memset(h, 0, sizeof *h);
    if (bytes_size != PETRO_BLOCK_HEADER_SIZE) return PETRO_ERR_MALFORMED;
    petro__reader r;
    petro__r_init(&r, bytes, bytes_size);
    petro_block_header tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.version = petro__r_u8(&r);
    tmp.height = petro__r_u64(&r);
    petro__r_bytes(&r, tmp.prev_hash.bytes, sizeof tmp.prev_hash.bytes);
    tmp.timestamp_ms = petro__r_u64(&r);
    petro__r_bytes(&r, tmp.tx_root.bytes, sizeof tmp.tx_root.bytes);
    petro__r_bytes(&r, tmp.witness_root.bytes, sizeof tmp.witness_root.bytes);
    petro__r_bytes(&r, tmp.result_root.bytes, sizeof tmp.result_root.bytes);
    petro__r_bytes(&r, tmp.state_hash.bytes, sizeof tmp.state_hash.bytes);
    petro__r_bytes(&r, tmp.proposer.bytes, sizeof tmp.proposer.bytes);
    tmp.tx_count = petro__r_u32(&r);
    petro__r_bytes(&r, tmp.signature.bytes, sizeof tmp.signature.bytes);
    if (!petro__r_done(&r)) return PETRO_ERR_MALFORMED;
    if (tmp.version != PETRO_BLOCK_VERSION) return PETRO_ERR_BAD_VERSION;
    if (tmp.tx_count > PETRO_BLOCK_TX_COUNT_MAX) return PETRO_ERR_BLOCK_TOO_LARGE;
    *h = tmp;
    return PETRO_OK;
}

void petro_block_hash(petro_hash *out, const petro_block_header *h) {
    uint8_t buf[PETRO_BLOCK_HEADER_SIZE];
    petro_block_header_encode(buf, h);
    petro_hash_bytes(out, buf, PETRO_BLOCK_HASHED_SIZE);
}

/* network_id || block hash: what the proposer signs, in the block domain. */
static void block_message(uint8_t out[64], const petro_block_header *h,
                          const petro_hash *network_id) {
    petro_hash id;
    petro_block_hash(&id, h);
    memcpy(out, network_id->bytes, 32);
    memcpy(out + 32, id.bytes, 32);
}

petro_result petro_block_sign(petro_block_header *h, const petro_hash *network_id,
                              const petro_seckey *sk) {
    /* libsodium's secret key holds its public key in its last 32 bytes. */
    if (memcmp(sk->bytes + 32, h->proposer.bytes, 32) != 0) return PETRO_ERR_BAD_SIGNATURE;
    uint8_t msg[64];
    block_message(msg, h, network_id);
    petro_sign_in(&h->signature, PETRO_DOMAIN_BLOCK, msg, sizeof msg, sk);
    return PETRO_OK;
}

bool petro_block_signature_ok(const petro_block_header *h, const petro_hash *network_id) {
    if (h->height == 0) {
        static const uint8_t zero[64];
        return memcmp(h->proposer.bytes, zero, sizeof h->proposer.bytes) == 0 &&
               memcmp(h->signature.bytes, zero, sizeof h->signature.bytes) == 0;
    }
    uint8_t msg[64];
    block_message(msg, h, network_id);
    return petro_verify_in(&h->signature, PETRO_DOMAIN_BLOCK, msg, sizeof msg, &h->proposer);
}

/* ---------------------------------------------------------------- Merkle trees */

/* The domain bytes keep a leaf node from ever equalling an inner node. */
#define MERKLE_LEAF 0x00u
#define MERKLE_INNER 0x01u

void petro_merkle_root(petro_hash *root, const petro_hash *leaves, size_t count,
                       petro_hash *scratch) {
    if (count == 0) {
        memset(root, 0, sizeof *root);
        return;
    }
    PETRO_ASSERT(scratch != NULL && leaves != NULL);
    for (size_t i = 0; i < count; i++) {
        const uint8_t tag = MERKLE_LEAF;
        petro_hasher h;
        petro_hasher_init(&h);
        petro_hasher_update(&h, &tag, 1);
        petro_hasher_update(&h, leaves[i].bytes, sizeof leaves[i].bytes);
        petro_hasher_final(&h, &scratch[i]);
    }
    /* Each level halves (rounding up) the node count, so this runs ceil(log2(count)) times.
     * Node i/2 of the next level is written after nodes i and i+1 were read, and i/2 <= i,
     * so the level can be built in place. */
    size_t n = count;
    while (n > 1) {
        size_t next = 0;
        for (size_t i = 0; i + 1 < n; i += 2) {
            const uint8_t tag = MERKLE_INNER;
            petro_hash node;
            petro_hasher h;
            petro_hasher_init(&h);
            petro_hasher_update(&h, &tag, 1);
            petro_hasher_update(&h, scratch[i].bytes, sizeof scratch[i].bytes);
            petro_hasher_update(&h, scratch[i + 1].bytes, sizeof scratch[i + 1].bytes);
            petro_hasher_final(&h, &node);
            scratch[next++] = node;
        }
        if (n % 2 == 1) scratch[next++] = scratch[n - 1]; /* odd node carried up unchanged */
        PETRO_DEBUG_ASSERT(next == (n + 1) / 2);
        n = next;
    }
    *root = scratch[0];
}

/* ---------------------------------------------------------------- body */

/* A transaction entry longer than PETRO_TX_SIZE_MAX, or empty, cannot be a valid envelope, so
 * the walk rejects it as malformed without reading it. */
petro_result petro_block_body_next(const uint8_t *block, size_t block_size, size_t *offset,
                                   const uint8_t **tx, size_t *tx_size) {
    *tx = NULL;
    *tx_size = 0;
    if (*offset < PETRO_BLOCK_HEADER_SIZE || *offset > block_size) return PETRO_ERR_MALFORMED;
    if (*offset == block_size) return PETRO_ERR_NOT_FOUND;
    petro__reader r;
    petro__r_init(&r, block + *offset, block_size - *offset);
    uint32_t size = petro__r_u32(&r);
    if (r.is_error || size == 0 || size > PETRO_TX_SIZE_MAX) return PETRO_ERR_MALFORMED;
    if ((size_t)size > r.size - r.offset) return PETRO_ERR_MALFORMED;
    *tx = block + *offset + r.offset;
    *tx_size = size;
    *offset += r.offset + size;
    return PETRO_OK;
}
