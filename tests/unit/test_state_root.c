/* State commitment (libpetro/state_root.c, docs/protocol.md "State commitment"): leaf and
 * roots against hand computations for small states (odd counts included), the signed root's
 * bytes, proofs of every index of sizes 1..40 with buckets of 1 and 16 leaves, and the checks
 * that fail for a changed value, a changed path hash, a root of another height and a bad
 * signature. Then a tree over a real ledger store. */
#include "petro/petro.h"
#include "test.h"
#include "trade_fixture.h"

static petro_pubkey VPK;
static petro_seckey VSK;

static void H(petro_hash *out, const uint8_t *b, size_t n) { petro_hash_bytes(out, b, n); }

/* leaf node and inner node by hand */
static petro_hash LN(const petro_hash *leaf) {
    uint8_t b[33] = {0x00};
    memcpy(b + 1, leaf->bytes, 32);
    petro_hash h;
    H(&h, b, sizeof b);
    return h;
}
static petro_hash IN(petro_hash l, petro_hash r) {
    uint8_t b[65] = {0x01};
    memcpy(b + 1, l.bytes, 32);
    memcpy(b + 33, r.bytes, 32);
    petro_hash h;
    H(&h, b, sizeof b);
    return h;
}

/* The i-th test record: key 'T' || u32 big-endian i (ascending), value i bytes long. */
static size_t rec(uint8_t *key, uint8_t *value, uint32_t i) {
    key[0] = 'T';
    key[1] = (uint8_t)(i >> 24);
    key[2] = (uint8_t)(i >> 16);
    key[3] = (uint8_t)(i >> 8);
    key[4] = (uint8_t)i;
    for (uint32_t k = 0; k < i % 40; k++) value[k] = (uint8_t)(i * 7 + k);
    return i % 40;
}

static void build(petro_state_tree *t, petro_hash *leaves, uint32_t n, unsigned bits) {
    petro_state_tree_init(t, bits);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t key[5], value[64];
        size_t vs = rec(key, value, i);
        petro_state_tree_add(t, key, 5, value, vs);
        if (leaves != NULL) petro_state_leaf(&leaves[i], key, 5, value, vs);
    }
    ASSERT_OK(petro_state_tree_finish(t));
}

static void test_leaf(void) {
    /* "petro-state-leaf-v1" || u16 3 || "Abc" || u32 2 || 0x01 0x02 */
    uint8_t b[64];
    size_t n = 0;
    memcpy(b, "petro-state-leaf-v1", 19);
    n = 19;
    b[n++] = 3;
    b[n++] = 0;
    memcpy(b + n, "Abc", 3);
    n += 3;
    b[n++] = 2, b[n++] = 0, b[n++] = 0, b[n++] = 0;
    b[n++] = 1, b[n++] = 2;
    petro_hash want, got;
    H(&want, b, n);
    const uint8_t v[2] = {1, 2};
    petro_state_leaf(&got, (const uint8_t *)"Abc", 3, v, 2);
    ASSERT_TRUE(petro_hash_equal(&want, &got));
    ASSERT_TRUE(!petro_state_key_committed((const uint8_t *)"Mtip", 4));
    ASSERT_TRUE(!petro_state_key_committed((const uint8_t *)"", 0));
    ASSERT_TRUE(petro_state_key_committed((const uint8_t *)"A", 1));
}

static void test_roots_by_hand(void) {
    petro_hash l[5];
    petro_state_tree t;
    /* empty */
    build(&t, NULL, 0, PETRO_STATE_BUCKET_BITS);
    petro_hash zero;
    memset(&zero, 0, sizeof zero);
    ASSERT_TRUE(petro_hash_equal(&t.root, &zero));
    petro_state_tree_free(&t);
    for (unsigned bits = 0; bits <= PETRO_STATE_BUCKET_BITS; bits += PETRO_STATE_BUCKET_BITS) {
        build(&t, l, 1, bits); /* one leaf: its leaf node */
        petro_hash want = LN(&l[0]);
        ASSERT_TRUE(petro_hash_equal(&t.root, &want));
        petro_state_tree_free(&t);
        build(&t, l, 3, bits); /* (0 1) 2 carried */
        want = IN(IN(LN(&l[0]), LN(&l[1])), LN(&l[2]));
        ASSERT_TRUE(petro_hash_equal(&t.root, &want));
        petro_state_tree_free(&t);
        build(&t, l, 5, bits); /* ((0 1)(2 3)) 4 carried twice */
        want = IN(IN(IN(LN(&l[0]), LN(&l[1])), IN(LN(&l[2]), LN(&l[3]))), LN(&l[4]));
        ASSERT_TRUE(petro_hash_equal(&t.root, &want));
        petro_state_tree_free(&t);
    }
    /* Every size 1..100, both bucket sizes: the root is the block rule's root. */
    petro_hash leaves[100], scratch[100], want;
    for (uint32_t n = 1; n <= 100; n++) {
        for (unsigned bits = 0; bits <= PETRO_STATE_BUCKET_BITS; bits++) {
            build(&t, leaves, n, bits);
            petro_merkle_root(&want, leaves, n, scratch);
            ASSERT_TRUE(petro_hash_equal(&t.root, &want));
            ASSERT_EQ(t.record_count, n);
            petro_state_tree_free(&t);
        }
    }
}

static void test_order_refused(void) {
    petro_state_tree t;
    petro_state_tree_init(&t, 4);
    petro_state_tree_add(&t, (const uint8_t *)"Tb", 2, NULL, 0);
    petro_state_tree_add(&t, (const uint8_t *)"Ta", 2, NULL, 0);
    ASSERT_RESULT(petro_state_tree_finish(&t), PETRO_ERR_CORRUPT);
    petro_state_tree_init(&t, 4);
    petro_state_tree_add(&t, (const uint8_t *)"Ta", 2, NULL, 0);
    petro_state_tree_add(&t, (const uint8_t *)"Ta", 2, NULL, 0); /* not strictly ascending */
    ASSERT_RESULT(petro_state_tree_finish(&t), PETRO_ERR_CORRUPT);
    petro_state_tree_init(&t, 4);
    petro_state_tree_add(&t, (const uint8_t *)"T", 1, NULL, 0); /* shorter first */
    petro_state_tree_add(&t, (const uint8_t *)"Ta", 2, NULL, 0);
    petro_state_tree_add(&t, (const uint8_t *)"Mtip", 4, NULL, 0); /* not committed */
    ASSERT_RESULT(petro_state_tree_finish(&t), PETRO_ERR_CORRUPT);
}

static void test_message(void) {
    petro_state_root sr;
    memset(&sr, 0, sizeof sr);
    for (int i = 0; i < 32; i++) {
        sr.network_id.bytes[i] = (uint8_t)i;
        sr.block_hash.bytes[i] = (uint8_t)(64 + i);
        sr.state_hash.bytes[i] = (uint8_t)(128 + i);
        sr.root.bytes[i] = (uint8_t)(192 + i);
    }
    sr.height = 0x0102030405060708u;
    sr.record_count = 77;
    petro_state_root_sign(&sr, &VPK, &VSK);
    uint8_t m[PETRO_STATE_ROOT_MESSAGE_SIZE];
    petro_state_root_message(m, &sr);
    ASSERT_MEMEQ(m, sr.network_id.bytes, 32);
    ASSERT_EQ(m[32], 0x08);
    ASSERT_EQ(m[39], 0x01);
    ASSERT_MEMEQ(m + 40, sr.block_hash.bytes, 32);
    ASSERT_MEMEQ(m + 72, sr.state_hash.bytes, 32);
    ASSERT_MEMEQ(m + 104, sr.root.bytes, 32);
    ASSERT_EQ(m[136], 77);
    ASSERT_MEMEQ(m + 144, VPK.bytes, 32);
    ASSERT_TRUE(petro_state_root_verify(&sr));
    /* Domain separated: the same bytes signed in another domain do not verify. */
    petro_sign_in(&sr.signature, PETRO_DOMAIN_CHECKPOINT, m, sizeof m, &VSK);
    ASSERT_TRUE(!petro_state_root_verify(&sr));
}

static void signed_root(petro_state_root *sr, const petro_state_tree *t, uint64_t height) {
    memset(sr, 0, sizeof *sr);
    sr->height = height;
    sr->block_hash.bytes[0] = (uint8_t)height;
    sr->root = t->root;
    sr->record_count = t->record_count;
    petro_state_root_sign(sr, &VPK, &VSK);
}

/* The proof of record i of an n-record tree with buckets of 2^bits, as the node makes it. */
static void prove(petro_state_proof *p, const petro_state_tree *t, const petro_state_root *sr,
                  const petro_hash *leaves, uint32_t i) {
    uint8_t key[5], value[64];
    size_t vs = rec(key, value, i);
    uint64_t bucket, first;
    uint32_t count;
    ASSERT_TRUE(petro_state_tree_locate(t, key, 5, &bucket, &first, &count));
    ASSERT_TRUE(first <= i && i < first + count);
    ASSERT_OK(petro_state_tree_proof(p, t, sr, bucket, leaves + first, count,
                                     (uint32_t)(i - first), key, 5, value, vs));
}

static void test_every_proof(void) {
    static petro_state_proof p, q;
    petro_hash leaves[40];
    for (uint32_t n = 1; n <= 40; n++) {
        petro_state_tree t0, t4;
        build(&t0, leaves, n, 0);
        build(&t4, leaves, n, PETRO_STATE_BUCKET_BITS);
        ASSERT_TRUE(petro_hash_equal(&t0.root, &t4.root));
        petro_state_root sr;
        signed_root(&sr, &t4, 9);
        for (uint32_t i = 0; i < n; i++) {
            prove(&p, &t4, &sr, leaves, i);
            prove(&q, &t0, &sr, leaves, i);
            ASSERT_EQ(p.index, i);
            ASSERT_EQ(p.step_count, q.step_count); /* both bucket sizes: the same path */
            ASSERT_TRUE(memcmp(p.steps, q.steps, p.step_count * sizeof p.steps[0]) == 0);
            ASSERT_EQ(petro_state_proof_verify(&p), 0);
        }
        /* A key before every record, between records, after: located in its bucket. */
        uint64_t b, first;
        uint32_t count;
        ASSERT_TRUE(!petro_state_tree_locate(&t4, (const uint8_t *)"A", 1, &b, &first, &count));
        ASSERT_TRUE(petro_state_tree_locate(&t4, (const uint8_t *)"U", 1, &b, &first, &count));
        ASSERT_EQ(first + count, n);
        petro_state_tree_free(&t0);
        petro_state_tree_free(&t4);
    }
}

static void test_failures(void) {
    static petro_state_proof p, bad;
    petro_hash leaves[40];
    petro_state_tree t;
    build(&t, leaves, 37, PETRO_STATE_BUCKET_BITS);
    petro_state_root sr, other;
    signed_root(&sr, &t, 9);
    prove(&p, &t, &sr, leaves, 20);
    ASSERT_EQ(petro_state_proof_verify(&p), 0);
    /* a changed value: the leaf no longer matches */
    bad = p;
    bad.value[0] ^= 1;
    ASSERT_EQ(petro_state_proof_verify(&bad), PETRO_STATE_CHECK_LEAF);
    /* a changed value with the leaf recomputed: the root no longer matches */
    petro_state_leaf(&bad.leaf, bad.key, bad.key_size, bad.value, bad.value_size);
    ASSERT_EQ(petro_state_proof_verify(&bad), PETRO_STATE_CHECK_ROOT);
    /* a changed path hash */
    for (uint32_t s = 0; s < p.step_count; s++) {
        bad = p;
        bad.steps[s].hash.bytes[31] ^= 0x80;
        ASSERT_EQ(petro_state_proof_verify(&bad), PETRO_STATE_CHECK_ROOT);
    }
    /* a swapped side, a dropped step, a wrong index */
    bad = p;
    bad.steps[0].side ^= 1;
    ASSERT_TRUE((petro_state_proof_verify(&bad) & PETRO_STATE_CHECK_SHAPE) != 0);
    bad = p;
    bad.step_count--;
    ASSERT_TRUE((petro_state_proof_verify(&bad) & PETRO_STATE_CHECK_SHAPE) != 0);
    bad = p;
    bad.index = 37;
    ASSERT_TRUE((petro_state_proof_verify(&bad) & PETRO_STATE_CHECK_SHAPE) != 0);
    /* a root from another height (another state: one more record), properly signed */
    petro_state_tree t2;
    build(&t2, NULL, 38, PETRO_STATE_BUCKET_BITS);
    signed_root(&other, &t2, 10);
    bad = p;
    bad.root = other;
    ASSERT_TRUE((petro_state_proof_verify(&bad) & PETRO_STATE_CHECK_ROOT) != 0);
    ASSERT_TRUE((petro_state_proof_verify(&bad) & PETRO_STATE_CHECK_SIGNATURE) == 0);
    /* the height changed after signing */
    bad = p;
    bad.root.height++;
    ASSERT_EQ(petro_state_proof_verify(&bad), PETRO_STATE_CHECK_SIGNATURE);
    /* a bad validator signature: another key's, or a flipped bit */
    bad = p;
    bad.root.signature.bytes[5] ^= 1;
    ASSERT_EQ(petro_state_proof_verify(&bad), PETRO_STATE_CHECK_SIGNATURE);
    petro_pubkey pk2;
    petro_seckey sk2;
    uint8_t seed[32] = {2};
    ASSERT_OK(petro_keypair_from_seed(&pk2, &sk2, seed));
    bad = p;
    petro_state_root_sign(&bad.root, &pk2, &sk2);
    ASSERT_EQ(petro_state_proof_verify(&bad), 0); /* valid, by another key: the caller decides */
    bad.root.validator = VPK;
    ASSERT_EQ(petro_state_proof_verify(&bad), PETRO_STATE_CHECK_SIGNATURE);
    /* records read back that are not the tree's: refused when proving */
    leaves[17].bytes[0] ^= 1;
    uint8_t key[5], value[64];
    size_t vs = rec(key, value, 20);
    ASSERT_RESULT(petro_state_tree_proof(&bad, &t, &sr, 1, leaves + 16, 16, 4, key, 5, value, vs),
                  PETRO_ERR_CORRUPT);
    petro_state_tree_free(&t);
    petro_state_tree_free(&t2);
}

typedef struct collect {
    petro_hash leaves[256];
    uint32_t n;
} collect;

static int collect_cb(void *c, const uint8_t *key, size_t key_size, const uint8_t *value,
                      size_t value_size) {
    collect *cc = c;
    if (key[0] == 'M') return 0;
    ASSERT_TRUE(cc->n < 256);
    petro_state_leaf(&cc->leaves[cc->n++], key, key_size, value, value_size);
    return 0;
}

static void test_ledger_store(void) {
    fx f;
    fx_init(&f);
    fx_sync(&f, 1000);
    petro_state_tree t;
    petro_state_root sr;
    ASSERT_OK(petro_state_tree_build(&t, &sr, &f.store, PETRO_STATE_BUCKET_BITS));
    static collect c;
    ASSERT_OK(f.store.iter(f.store.ctx, NULL, 0, collect_cb, &c));
    petro_hash want, scratch[256];
    petro_merkle_root(&want, c.leaves, c.n, scratch);
    ASSERT_TRUE(c.n > 16);
    ASSERT_EQ(sr.record_count, c.n);
    ASSERT_TRUE(petro_hash_equal(&sr.root, &want));
    petro_ledger_tip tip;
    ASSERT_OK(petro_ledger_tip_get(&f.store, &tip));
    ASSERT_EQ(sr.height, tip.height);
    ASSERT_TRUE(petro_hash_equal(&sr.state_hash, &tip.state_hash));
    ASSERT_TRUE(petro_hash_equal(&sr.block_hash, &tip.block_hash));
    ASSERT_TRUE(petro_hash_equal(&sr.network_id, &tip.network_id));
    petro_state_tree_free(&t);
    fx_free(&f);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    keys_init();
    uint8_t seed[32] = {1};
    ASSERT_OK(petro_keypair_from_seed(&VPK, &VSK, seed));
    RUN_TEST(test_leaf);
    RUN_TEST(test_roots_by_hand);
    RUN_TEST(test_order_refused);
    RUN_TEST(test_message);
    RUN_TEST(test_every_proof);
    RUN_TEST(test_failures);
    RUN_TEST(test_ledger_store);
    return 0;
}
