/* Blocks: header layout and round trip, strict header decoding, block hash, the proposer's
 * signature, Merkle roots against hand computations, and the body walk. */
#include "petro/petro.h"
#include "test.h"

static void rand_bytes(uint8_t *out, size_t size) {
    for (size_t i = 0; i < size; i++) out[i] = (uint8_t)test_rand();
}

static petro_block_header rand_header(void) {
    petro_block_header h;
    memset(&h, 0, sizeof h);
    h.version = PETRO_BLOCK_VERSION;
    h.height = test_rand();
    rand_bytes(h.prev_hash.bytes, 32);
    h.timestamp_ms = test_rand();
    rand_bytes(h.tx_root.bytes, 32);
    rand_bytes(h.witness_root.bytes, 32);
    rand_bytes(h.result_root.bytes, 32);
    rand_bytes(h.state_hash.bytes, 32);
    rand_bytes(h.proposer.bytes, 32);
    rand_bytes(h.signature.bytes, 64);
    h.tx_count = (uint32_t)(test_rand() % (PETRO_BLOCK_TX_COUNT_MAX + 1));
    return h;
}

static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void test_header(void) {
    ASSERT_EQ(PETRO_BLOCK_HASHED_SIZE, 213);
    ASSERT_EQ(PETRO_BLOCK_HEADER_SIZE, 277);
    for (int i = 0; i < 1000; i++) {
        petro_block_header h = rand_header(), back;
        if (i == 0) h.tx_count = PETRO_BLOCK_TX_COUNT_MAX;
        uint8_t buf[PETRO_BLOCK_HEADER_SIZE + 1];
        petro_block_header_encode(buf, &h);
        /* Layout of docs/protocol.md, "Block". */
        ASSERT_EQ(buf[0], h.version);
        ASSERT_TRUE(le64(buf + 1) == h.height);
        ASSERT_MEMEQ(buf + 9, h.prev_hash.bytes, 32);
        ASSERT_TRUE(le64(buf + 41) == h.timestamp_ms);
        ASSERT_MEMEQ(buf + 49, h.tx_root.bytes, 32);
        ASSERT_MEMEQ(buf + 81, h.witness_root.bytes, 32);
        ASSERT_MEMEQ(buf + 113, h.result_root.bytes, 32);
        ASSERT_MEMEQ(buf + 145, h.state_hash.bytes, 32);
        ASSERT_MEMEQ(buf + 177, h.proposer.bytes, 32);
        ASSERT_EQ(buf[209] | (buf[210] << 8) | (buf[211] << 16) | ((uint32_t)buf[212] << 24),
                  h.tx_count);
        ASSERT_MEMEQ(buf + 213, h.signature.bytes, 64);
        ASSERT_OK(petro_block_header_decode(&back, buf, PETRO_BLOCK_HEADER_SIZE));
        ASSERT_MEMEQ(&back, &h, sizeof h);
        /* Block hash = BLAKE2b-256(encoded header without the signature). */
        petro_hash want, got;
        petro_hash_bytes(&want, buf, PETRO_BLOCK_HASHED_SIZE);
        petro_block_hash(&got, &h);
        ASSERT_TRUE(petro_hash_equal(&want, &got));
        /* Wrong sizes. */
        ASSERT_RESULT(petro_block_header_decode(&back, buf, PETRO_BLOCK_HEADER_SIZE - 1),
                      PETRO_ERR_MALFORMED);
        buf[PETRO_BLOCK_HEADER_SIZE] = 0;
        ASSERT_RESULT(petro_block_header_decode(&back, buf, PETRO_BLOCK_HEADER_SIZE + 1),
                      PETRO_ERR_MALFORMED);
    }
    petro_block_header h = rand_header(), back;
    uint8_t buf[PETRO_BLOCK_HEADER_SIZE];
    h.version = 1; /* the version before signed blocks */
    petro_block_header_encode(buf, &h);
    ASSERT_RESULT(petro_block_header_decode(&back, buf, sizeof buf), PETRO_ERR_BAD_VERSION);
    h.version = 3;
    petro_block_header_encode(buf, &h);
    ASSERT_RESULT(petro_block_header_decode(&back, buf, sizeof buf), PETRO_ERR_BAD_VERSION);
    h.version = 0;
    petro_block_header_encode(buf, &h);
    ASSERT_RESULT(petro_block_header_decode(&back, buf, sizeof buf), PETRO_ERR_BAD_VERSION);
    h.version = PETRO_BLOCK_VERSION;
    h.tx_count = PETRO_BLOCK_TX_COUNT_MAX + 1;
    petro_block_header_encode(buf, &h);
    ASSERT_RESULT(petro_block_header_decode(&back, buf, sizeof buf), PETRO_ERR_BLOCK_TOO_LARGE);
    uint8_t zeros[sizeof back];
    memset(zeros, 0, sizeof zeros);
    ASSERT_MEMEQ(&back, zeros, sizeof back); /* zeroed on failure */
    /* Any change of a field changes the hash. */
    h = rand_header();
    petro_hash h1, h2;
    petro_block_hash(&h1, &h);
    h.timestamp_ms ^= 1;
    petro_block_hash(&h2, &h);
    ASSERT_TRUE(!petro_hash_equal(&h1, &h2));
    h.witness_root.bytes[7] ^= 1;
    petro_block_hash(&h1, &h);
    ASSERT_TRUE(!petro_hash_equal(&h1, &h2));
    /* ... but not the signature, which signs the hash. */
    h.signature.bytes[0] ^= 1;
    petro_block_hash(&h2, &h);
    ASSERT_TRUE(petro_hash_equal(&h1, &h2));
}

/* The proposer signs network id || block hash in the block domain; any change of a hashed
 * field, the network, the signature or the proposer fails the check. Genesis carries none. */
static void test_signature(void) {
    uint8_t seed[32], seed2[32];
    rand_bytes(seed, 32);
    rand_bytes(seed2, 32);
    petro_pubkey pk, pk2;
    petro_seckey sk, sk2;
    ASSERT_OK(petro_keypair_from_seed(&pk, &sk, seed));
    ASSERT_OK(petro_keypair_from_seed(&pk2, &sk2, seed2));
    petro_hash net, other_net;
    rand_bytes(net.bytes, 32);
    other_net = net;
    other_net.bytes[31] ^= 0x80;
    petro_block_header h = rand_header();
    h.height = 5;
    h.proposer = pk;
    ASSERT_RESULT(petro_block_sign(&h, &net, &sk2), PETRO_ERR_BAD_SIGNATURE); /* not its key */
    ASSERT_OK(petro_block_sign(&h, &net, &sk));
    ASSERT_TRUE(petro_block_signature_ok(&h, &net));
    ASSERT_TRUE(!petro_block_signature_ok(&h, &other_net));
    /* The message: u8 14 || "petro-block-v2" || network id || block hash. */
    uint8_t msg[1 + 14 + 64];
    msg[0] = 14;
    memcpy(msg + 1, "petro-block-v2", 14);
    memcpy(msg + 15, net.bytes, 32);
    petro_hash id;
    petro_block_hash(&id, &h);
    memcpy(msg + 47, id.bytes, 32);
    ASSERT_TRUE(petro_verify(&h.signature, msg, sizeof msg, &pk));
    petro_block_header x = h;
    x.state_hash.bytes[3] ^= 1;
    ASSERT_TRUE(!petro_block_signature_ok(&x, &net));
    x = h;
    x.witness_root.bytes[0] ^= 1;
    ASSERT_TRUE(!petro_block_signature_ok(&x, &net));
    x = h;
    x.signature.bytes[10] ^= 1;
    ASSERT_TRUE(!petro_block_signature_ok(&x, &net));
    x = h;
    x.proposer = pk2;
    ASSERT_TRUE(!petro_block_signature_ok(&x, &net));
    memset(&x.signature, 0, sizeof x.signature); /* unsigned */
    ASSERT_TRUE(!petro_block_signature_ok(&x, &net));
    /* A transaction signature over the same 32 bytes never passes for a block signature. */
    petro_sig tx_sig;
    petro_sign_in(&tx_sig, PETRO_DOMAIN_TX, id.bytes, 32, &sk);
    x = h;
    x.signature = tx_sig;
    ASSERT_TRUE(!petro_block_signature_ok(&x, &net));
    /* Genesis: zero proposer and signature only. */
    petro_block_header g;
    memset(&g, 0, sizeof g);
    g.version = PETRO_BLOCK_VERSION;
    ASSERT_TRUE(petro_block_signature_ok(&g, &net));
    g.signature.bytes[0] = 1;
    ASSERT_TRUE(!petro_block_signature_ok(&g, &net));
    g.signature.bytes[0] = 0;
    g.proposer = pk;
    ASSERT_TRUE(!petro_block_signature_ok(&g, &net));
}

/* ---------------------------------------------------------------- Merkle, by hand */

static petro_hash leaf_node(const petro_hash *leaf) {
    uint8_t buf[33];
    buf[0] = 0x00;
    memcpy(buf + 1, leaf->bytes, 32);
    petro_hash out;
    petro_hash_bytes(&out, buf, sizeof buf);
    return out;
}

static petro_hash inner_node(petro_hash l, petro_hash r) {
    uint8_t buf[65];
    buf[0] = 0x01;
    memcpy(buf + 1, l.bytes, 32);
    memcpy(buf + 33, r.bytes, 32);
    petro_hash out;
    petro_hash_bytes(&out, buf, sizeof buf);
    return out;
}

static petro_hash root_of(const petro_hash *leaves, size_t count) {
    petro_hash scratch[16], root;
    ASSERT_TRUE(count <= 16);
    memset(&root, 0xEE, sizeof root);
    petro_merkle_root(&root, leaves, count, count ? scratch : NULL);
    return root;
}

static void test_merkle(void) {
    petro_hash x[8], n[8];
    for (int i = 0; i < 8; i++) {
        rand_bytes(x[i].bytes, 32);
        n[i] = leaf_node(&x[i]);
    }
    petro_hash zero;
    memset(&zero, 0, sizeof zero);

    petro_hash r0 = root_of(x, 0);
    ASSERT_TRUE(petro_hash_equal(&r0, &zero));

    petro_hash r1 = root_of(x, 1);
    ASSERT_TRUE(petro_hash_equal(&r1, &n[0]));

    petro_hash r2 = root_of(x, 2), w2 = inner_node(n[0], n[1]);
    ASSERT_TRUE(petro_hash_equal(&r2, &w2));

    /* Three leaves: the third node is carried up unchanged, not duplicated. */
    petro_hash r3 = root_of(x, 3), w3 = inner_node(inner_node(n[0], n[1]), n[2]);
    ASSERT_TRUE(petro_hash_equal(&r3, &w3));

    petro_hash r4 = root_of(x, 4);
    petro_hash w4 = inner_node(inner_node(n[0], n[1]), inner_node(n[2], n[3]));
    ASSERT_TRUE(petro_hash_equal(&r4, &w4));

    /* Five leaves: (((0 1)(2 3)) 4). */
    petro_hash r5 = root_of(x, 5);
    petro_hash w5 = inner_node(inner_node(inner_node(n[0], n[1]), inner_node(n[2], n[3])), n[4]);
    ASSERT_TRUE(petro_hash_equal(&r5, &w5));

    /* Six: (((0 1)(2 3)) (4 5)); seven: (((0 1)(2 3)) ((4 5) 6)). */
    petro_hash r6 = root_of(x, 6);
    petro_hash w6 = inner_node(inner_node(inner_node(n[0], n[1]), inner_node(n[2], n[3])),
                               inner_node(n[4], n[5]));
    ASSERT_TRUE(petro_hash_equal(&r6, &w6));
    petro_hash r7 = root_of(x, 7);
    petro_hash w7 = inner_node(inner_node(inner_node(n[0], n[1]), inner_node(n[2], n[3])),
                               inner_node(inner_node(n[4], n[5]), n[6]));
    ASSERT_TRUE(petro_hash_equal(&r7, &w7));

    /* Duplicating the last leaf gives a different root (no Bitcoin-style duplication). */
    petro_hash dup[4] = {x[0], x[1], x[2], x[2]};
    petro_hash r3d = root_of(dup, 4);
    ASSERT_TRUE(!petro_hash_equal(&r3, &r3d));
    /* A leaf is never mistaken for an inner node: the root of the 2 leaf nodes as leaves
     * differs from the root of 2 leaves. */
    petro_hash as_leaves[2] = {n[0], n[1]};
    petro_hash rn = root_of(as_leaves, 2);
    ASSERT_TRUE(!petro_hash_equal(&rn, &r2));
    /* Order matters. */
    petro_hash swapped[2] = {x[1], x[0]};
    petro_hash rs = root_of(swapped, 2);
    ASSERT_TRUE(!petro_hash_equal(&rs, &r2));
}

/* Builds an encoded block: header then (u32 size, bytes) per entry. */
static size_t build_block(uint8_t *out, const size_t *sizes, size_t count) {
    petro_block_header h = rand_header();
    h.tx_count = (uint32_t)count;
    petro_block_header_encode(out, &h);
    size_t off = PETRO_BLOCK_HEADER_SIZE;
    for (size_t i = 0; i < count; i++) {
        uint32_t s = (uint32_t)sizes[i];
        out[off] = (uint8_t)s;
        out[off + 1] = (uint8_t)(s >> 8);
        out[off + 2] = (uint8_t)(s >> 16);
        out[off + 3] = (uint8_t)(s >> 24);
        off += 4;
        memset(out + off, (int)(i + 1), sizes[i]);
        off += sizes[i];
    }
    return off;
}

static void test_body_walk(void) {
    static uint8_t block[PETRO_BLOCK_HEADER_SIZE + 4 * 8 + 4 * PETRO_TX_SIZE_MAX + 16];
    const size_t sizes[] = {1, 200, PETRO_TX_SIZE_MAX, 57};
    size_t size = build_block(block, sizes, 4);
    size_t offset = PETRO_BLOCK_HEADER_SIZE;
    const uint8_t *tx = NULL;
    size_t tx_size = 0;
    for (size_t i = 0; i < 4; i++) {
        ASSERT_OK(petro_block_body_next(block, size, &offset, &tx, &tx_size));
        ASSERT_EQ(tx_size, sizes[i]);
        ASSERT_EQ(tx[0], i + 1);
        ASSERT_EQ(tx[tx_size - 1], i + 1);
        ASSERT_TRUE(tx >= block && tx + tx_size <= block + size);
    }
    ASSERT_EQ(offset, size);
    ASSERT_RESULT(petro_block_body_next(block, size, &offset, &tx, &tx_size), PETRO_ERR_NOT_FOUND);

    /* An empty body. */
    size_t empty = build_block(block, sizes, 0);
    offset = PETRO_BLOCK_HEADER_SIZE;
    ASSERT_RESULT(petro_block_body_next(block, empty, &offset, &tx, &tx_size),
                  PETRO_ERR_NOT_FOUND);

    /* Truncated anywhere inside the last entry, or inside a length prefix: malformed. */
    size = build_block(block, sizes, 2);
    for (size_t cut = PETRO_BLOCK_HEADER_SIZE + 4 + 1 + 1; cut < size; cut++) {
        offset = PETRO_BLOCK_HEADER_SIZE;
        ASSERT_OK(petro_block_body_next(block, cut, &offset, &tx, &tx_size));
        ASSERT_RESULT(petro_block_body_next(block, cut, &offset, &tx, &tx_size),
                      PETRO_ERR_MALFORMED);
        ASSERT_TRUE(tx == NULL);
    }
    /* Size 0 and size over the maximum. */
    const size_t zero[] = {0};
    size = build_block(block, zero, 1);
    offset = PETRO_BLOCK_HEADER_SIZE;
    ASSERT_RESULT(petro_block_body_next(block, size, &offset, &tx, &tx_size), PETRO_ERR_MALFORMED);
    const size_t huge[] = {PETRO_TX_SIZE_MAX + 1};
    size = build_block(block, huge, 1);
    offset = PETRO_BLOCK_HEADER_SIZE;
    ASSERT_RESULT(petro_block_body_next(block, size, &offset, &tx, &tx_size), PETRO_ERR_MALFORMED);
    /* Offsets outside the body. */
    size = build_block(block, sizes, 1);
    offset = 0;
    ASSERT_RESULT(petro_block_body_next(block, size, &offset, &tx, &tx_size), PETRO_ERR_MALFORMED);
    offset = size + 1;
    ASSERT_RESULT(petro_block_body_next(block, size, &offset, &tx, &tx_size), PETRO_ERR_MALFORMED);
    /* A length of 0xffffffff cannot wrap the offset. */
    block[PETRO_BLOCK_HEADER_SIZE] = 0xff;
    block[PETRO_BLOCK_HEADER_SIZE + 1] = 0xff;
    block[PETRO_BLOCK_HEADER_SIZE + 2] = 0xff;
    block[PETRO_BLOCK_HEADER_SIZE + 3] = 0xff;
    offset = PETRO_BLOCK_HEADER_SIZE;
    ASSERT_RESULT(petro_block_body_next(block, size, &offset, &tx, &tx_size), PETRO_ERR_MALFORMED);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    RUN_TEST(test_header);
    RUN_TEST(test_signature);
    RUN_TEST(test_merkle);
    RUN_TEST(test_body_walk);
    return 0;
}
