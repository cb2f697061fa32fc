/* Transactions: encode/decode round trips for every registered operation type with random
 * fields (the schema-driven builder of tests/harness/op_build.h), every
 * decode rejection, petro_tx_check precedence, ids, signing and verification, results. */
#include "internal.h"
#include "petro/petro.h"
#include "petro/schema.h"
#include "test.h"
#include "op_build.h"

/* ---------------------------------------------------------------- random values */

static void rand_bytes(uint8_t *out, size_t size) {
    for (size_t i = 0; i < size; i++) out[i] = (uint8_t)test_rand();
}

static petro_pubkey rand_key(void) {
    petro_pubkey k;
    rand_bytes(k.bytes, sizeof k.bytes);
    return k;
}

/* ---------------------------------------------------------------- random operations */

/* Operations come from the shared schema-driven builder (tests/harness/op_build.h): any
 * registered type, every field within its limits, passing its family's static check. */
static op_build_rng builder;
static uint8_t known_types[256];
static size_t known_type_count;

static void collect_types(void) {
    for (size_t f = 0; f < petro_family_count(); f++) {
        const petro_family_info *fam = petro_family_at(f);
        for (size_t i = 0; i < fam->op_count; i++) {
            known_types[known_type_count++] = petro_family_op(fam, i)->type;
        }
    }
    ASSERT_TRUE(known_type_count > 0);
}

/* Whether type is an operation the library knows (types are not contiguous). */
static bool type_known(int type) {
    petro_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.version = PETRO_TX_VERSION;
    tx.op_count = 1;
    tx.ops[0].type = (uint8_t)type;
    return petro_tx_check(&tx) != PETRO_ERR_UNKNOWN_OP;
}

static void rand_op(petro_op *op, uint8_t type) {
    const petro_op_schema *schema = petro_op_schema_of(type);
    ASSERT_TRUE(schema != NULL);
    ASSERT_OK(op_build(&builder, op, schema, NULL));
}

static petro_hash network_a, network_b;

static void rand_tx(petro_tx *tx, size_t op_count, int forced_type) {
    memset(tx, 0, sizeof *tx);
    tx->version = PETRO_TX_VERSION;
    tx->network_id = network_a;
    tx->source = rand_key();
    tx->sequence = test_rand();
    tx->fee = (petro_amount)(test_rand() % (uint64_t)PETRO_SUPPLY_MAX);
    tx->valid_after_ms = test_rand();
    tx->valid_until_ms = test_rand();
    tx->memo_size = (uint8_t)(test_rand() % (PETRO_MEMO_SIZE_MAX + 1));
    rand_bytes(tx->memo, tx->memo_size);
    tx->op_count = (uint8_t)op_count;
    for (size_t i = 0; i < op_count; i++) {
        uint8_t type = forced_type > 0 ? (uint8_t)forced_type
                                       : known_types[test_rand() % known_type_count];
        rand_op(&tx->ops[i], type);
    }
    /* Large ops (trade_create): keep the envelope within the maximum with room for a few
     * signatures. */
    uint8_t buf[PETRO_TX_SIZE_MAX];
    size_t size;
    while (tx->op_count > 1 &&
           petro_tx_encode_body(buf, PETRO_TX_SIZE_MAX - 4 * 96, &size, tx) != PETRO_OK) {
        tx->op_count--;
        memset(&tx->ops[tx->op_count], 0, sizeof tx->ops[0]);
    }
}

/* ---------------------------------------------------------------- comparison */

static void assert_op_eq(const petro_op *a, const petro_op *b) {
    ASSERT_EQ(a->type, b->type);
    ASSERT_TRUE(petro_op_schema_of(a->type) != NULL);
    /* Both sides start zeroed (op_build, petro_tx_decode): every byte must match. */
    ASSERT_MEMEQ(&a->u, &b->u, sizeof a->u);
}

static void assert_tx_eq(const petro_tx *a, const petro_tx *b) {
    ASSERT_EQ(a->version, b->version);
    ASSERT_MEMEQ(a->network_id.bytes, b->network_id.bytes, 32);
    ASSERT_MEMEQ(a->source.bytes, b->source.bytes, 32);
    ASSERT_TRUE(a->sequence == b->sequence);
    ASSERT_EQ(a->fee, b->fee);
    ASSERT_TRUE(a->valid_after_ms == b->valid_after_ms);
    ASSERT_TRUE(a->valid_until_ms == b->valid_until_ms);
    ASSERT_EQ(a->memo_size, b->memo_size);
    ASSERT_MEMEQ(a->memo, b->memo, a->memo_size);
    ASSERT_EQ(a->op_count, b->op_count);
    for (size_t i = 0; i < a->op_count; i++) assert_op_eq(&a->ops[i], &b->ops[i]);
    ASSERT_EQ(a->sig_count, b->sig_count);
    for (size_t i = 0; i < a->sig_count; i++) {
        ASSERT_MEMEQ(a->sigs[i].key.bytes, b->sigs[i].key.bytes, 32);
        ASSERT_MEMEQ(a->sigs[i].sig.bytes, b->sigs[i].sig.bytes, 64);
    }
}

static bool is_all_zero(const void *p, size_t size) {
    const uint8_t *b = p;
    for (size_t i = 0; i < size; i++) {
        if (b[i] != 0) return false;
    }
    return true;
}

/* Decoding must fail with want and leave the tx zeroed. */
static void expect_decode_fail(const uint8_t *bytes, size_t size, petro_result want) {
    petro_tx tx;
    memset(&tx, 0xAB, sizeof tx);
    ASSERT_RESULT(petro_tx_decode(&tx, bytes, size), want);
    ASSERT_TRUE(is_all_zero(&tx, sizeof tx));
}

/* ---------------------------------------------------------------- keys */

#define KEY_COUNT (PETRO_TX_SIGS_MAX + 1)
static petro_pubkey keys_pk[KEY_COUNT];
static petro_seckey keys_sk[KEY_COUNT];

static void make_keys(void) {
    for (size_t i = 0; i < KEY_COUNT; i++) {
        uint8_t seed[32];
        rand_bytes(seed, sizeof seed);
        ASSERT_OK(petro_keypair_from_seed(&keys_pk[i], &keys_sk[i], seed));
    }
}

/* ---------------------------------------------------------------- tests */

/* An unsigned transaction: its body encodes (for the id and signing) but it is no envelope.
 * petro_tx_encode refuses it and body || sig_count 0 decodes to no_signatures, so the codec
 * stays a bijection over what it accepts. */
static void check_unsigned(const petro_tx *tx) {
    uint8_t buf[PETRO_TX_SIZE_MAX], body[PETRO_TX_SIZE_MAX];
    size_t size = 1, body_size = 0;
    ASSERT_EQ(tx->sig_count, 0);
    ASSERT_OK(petro_tx_check(tx));
    ASSERT_RESULT(petro_tx_check_envelope(tx), PETRO_ERR_NO_SIGNATURES);
    ASSERT_RESULT(petro_tx_encode(buf, sizeof buf, &size, tx), PETRO_ERR_NO_SIGNATURES);
    ASSERT_EQ(size, 0);
    ASSERT_OK(petro_tx_encode_body(body, sizeof body, &body_size, tx));
    ASSERT_TRUE(body_size < sizeof body);
    body[body_size] = 0;
    petro_tx back;
    ASSERT_RESULT(petro_tx_decode(&back, body, body_size + 1), PETRO_ERR_NO_SIGNATURES);
    ASSERT_TRUE(is_all_zero(&back, sizeof back));
}

static void round_trip(const petro_tx *in) {
    uint8_t buf[PETRO_TX_SIZE_MAX], buf2[PETRO_TX_SIZE_MAX], body[PETRO_TX_SIZE_MAX];
    size_t size = 0, size2 = 0, body_size = 0;
    petro_tx with_sig = *in;
    if (in->sig_count == 0) {
        check_unsigned(in);
        /* Then the same with one signature: the codec does not verify it. */
        with_sig.sig_count = 1;
        with_sig.sigs[0].key = keys_pk[0];
        rand_bytes(with_sig.sigs[0].sig.bytes, sizeof with_sig.sigs[0].sig.bytes);
    }
    const petro_tx *tx = &with_sig;
    ASSERT_OK(petro_tx_check(tx));
    ASSERT_OK(petro_tx_check_envelope(tx));
    ASSERT_OK(petro_tx_encode(buf, sizeof buf, &size, tx));
    ASSERT_OK(petro_tx_encode_body(body, sizeof body, &body_size, tx));
    /* Envelope = body || u8 sig_count || sigs. */
    ASSERT_EQ(size, body_size + 1 + 96 * (size_t)tx->sig_count);
    ASSERT_MEMEQ(buf, body, body_size);
    ASSERT_EQ(buf[body_size], tx->sig_count);
    petro_tx back;
    ASSERT_OK(petro_tx_decode(&back, buf, size));
    assert_tx_eq(tx, &back);
    ASSERT_OK(petro_tx_encode(buf2, sizeof buf2, &size2, &back));
    ASSERT_EQ(size2, size);
    ASSERT_MEMEQ(buf, buf2, size);
    /* Exactly-sized buffer works, one byte less does not. */
    ASSERT_OK(petro_tx_encode(buf2, size, &size2, tx));
    ASSERT_RESULT(petro_tx_encode(buf2, size - 1, &size2, tx), PETRO_ERR_BUFFER_TOO_SMALL);
    ASSERT_EQ(size2, 0);
}

/* The family map agrees with the registry and with what the codec accepts: every type the
 * codec knows has a schema naming a registered family that lists it, and each family's types
 * are one ascending block that no other family's types fall inside (tx.h's ranges). */
static void test_op_family_of(void) {
    int lo[256], hi[256];
    size_t families = petro_family_count();
    ASSERT_TRUE(families > 0 && families < 256);
    for (size_t f = 0; f < families; f++) {
        const petro_family_info *fam = petro_family_at(f);
        ASSERT_TRUE(fam->op_count > 0);
        lo[f] = petro_family_op(fam, 0)->type;
        hi[f] = petro_family_op(fam, fam->op_count - 1)->type;
        for (size_t i = 0; i < fam->op_count; i++) {
            const petro_op_schema *s = petro_family_op(fam, i);
            ASSERT_STREQ(s->family, fam->name);
            ASSERT_TRUE(petro_op_schema_of(s->type) == s);
            if (i > 0) ASSERT_TRUE(s->type > petro_family_op(fam, i - 1)->type);
        }
        for (size_t g = 0; g < f; g++) ASSERT_TRUE(hi[f] < lo[g] || hi[g] < lo[f]);
    }
    size_t seen = 0;
    for (int type = 0; type <= 255; type++) {
        const petro_op_schema *s = petro_op_schema_of((uint8_t)type);
        ASSERT_EQ(type_known(type), s != NULL);
        if (s == NULL) continue;
        seen++;
        const petro_family_info *fam = petro_family_find(s->family);
        ASSERT_TRUE(fam != NULL);
        bool listed = false;
        for (size_t i = 0; i < fam->op_count; i++) listed |= petro_family_op(fam, i) == s;
        ASSERT_TRUE(listed);
    }
    ASSERT_EQ(seen, known_type_count);
}

static void test_round_trip_every_op(void) {
    for (size_t k = 0; k < known_type_count; k++) {
        for (int i = 0; i < 200; i++) {
            petro_tx tx;
            rand_tx(&tx, 1 + test_rand() % PETRO_TX_OPS_MAX, known_types[k]);
            round_trip(&tx);
        }
    }
}

static void test_round_trip_mixed_signed(void) {
    for (int i = 0; i < 300; i++) {
        petro_tx tx;
        rand_tx(&tx, 1 + test_rand() % PETRO_TX_OPS_MAX, 0);
        size_t signers = test_rand() % 4;
        for (size_t k = 0; k < signers; k++) {
            size_t which = test_rand() % KEY_COUNT;
            ASSERT_OK(petro_tx_sign(&tx, &keys_pk[which], &keys_sk[which]));
        }
        round_trip(&tx);
    }
    /* The largest transaction: 16 of the largest op and 20 signatures. */
    petro_tx tx;
    rand_tx(&tx, PETRO_TX_OPS_MAX, PETRO_OP_PAYMENT);
    tx.memo_size = PETRO_MEMO_SIZE_MAX;
    for (size_t i = 0; i < PETRO_TX_OPS_MAX; i++) {
        tx.ops[i].u.payment.asset.kind = PETRO_ASSET_ISSUED;
        memcpy(tx.ops[i].u.payment.asset.code, "ABCDEFGHIJKL", 13);
    }
    for (size_t k = 0; k < PETRO_TX_SIGS_MAX; k++) {
        ASSERT_OK(petro_tx_sign(&tx, &keys_pk[k], &keys_sk[k]));
    }
    ASSERT_EQ(tx.sig_count, PETRO_TX_SIGS_MAX);
    round_trip(&tx);
}

/* Builds a minimal valid encoding by hand with a payment op whose fields the caller chooses. */
static size_t body_prefix(petro__writer *w, uint8_t version, uint8_t memo_size) {
    petro__w_u8(w, version);
    uint8_t zeros[64] = {0};
    petro__w_bytes(w, network_a.bytes, 32);
    petro__w_bytes(w, zeros, 32); /* source */
    petro__w_u64(w, 1);           /* sequence */
    petro__w_i64(w, 100);         /* fee */
    petro__w_u64(w, 0);
    petro__w_u64(w, 0);
    petro__w_u8(w, memo_size);
    petro__w_bytes(w, zeros, memo_size);
    return w->size;
}

static void w_set_signer_op(petro__writer *w) {
    uint8_t key[32] = {7};
    petro__w_u8(w, PETRO_OP_SET_SIGNER);
    petro__w_bytes(w, key, 32);
    petro__w_u8(w, 1);
}

/* The signature part of an envelope: one entry (zero key and signature; decoding does not
 * verify signatures). */
static void w_one_sig(petro__writer *w) {
    uint8_t entry[96] = {0};
    petro__w_u8(w, 1);
    petro__w_bytes(w, entry, sizeof entry);
}

static void test_decode_counts(void) {
    uint8_t buf[PETRO_TX_SIZE_MAX + 16];
    petro__writer w;
    petro_tx tx;

    /* The hand-built baseline decodes. */
    petro__w_init(&w, buf, sizeof buf);
    body_prefix(&w, PETRO_TX_VERSION, 0);
    petro__w_u8(&w, 1);
    w_set_signer_op(&w);
    w_one_sig(&w);
    ASSERT_OK(petro_tx_decode(&tx, buf, w.size));
    ASSERT_EQ(tx.ops[0].type, PETRO_OP_SET_SIGNER);
    ASSERT_EQ(tx.sig_count, 1);

    /* sig_count 0: a canonical encoding, but no envelope: no_signatures. With bytes after the
     * count it is not canonical first: malformed. */
    petro__w_init(&w, buf, sizeof buf);
    body_prefix(&w, PETRO_TX_VERSION, 0);
    petro__w_u8(&w, 1);
    w_set_signer_op(&w);
    petro__w_u8(&w, 0);
    expect_decode_fail(buf, w.size, PETRO_ERR_NO_SIGNATURES);
    petro__w_u8(&w, 0);
    expect_decode_fail(buf, w.size, PETRO_ERR_MALFORMED);

    /* op_count 0 and 17. */
    petro__w_init(&w, buf, sizeof buf);
    body_prefix(&w, PETRO_TX_VERSION, 0);
    petro__w_u8(&w, 0);
    w_one_sig(&w);
    expect_decode_fail(buf, w.size, PETRO_ERR_NO_OPS);
    petro__w_init(&w, buf, sizeof buf);
    body_prefix(&w, PETRO_TX_VERSION, 0);
    petro__w_u8(&w, 17);
    for (int i = 0; i < 17; i++) w_set_signer_op(&w);
    w_one_sig(&w);
    expect_decode_fail(buf, w.size, PETRO_ERR_TOO_MANY_OPS);
    /* 16 is fine. */
    petro__w_init(&w, buf, sizeof buf);
    body_prefix(&w, PETRO_TX_VERSION, 0);
    petro__w_u8(&w, 16);
    for (int i = 0; i < 16; i++) w_set_signer_op(&w);
    w_one_sig(&w);
    ASSERT_OK(petro_tx_decode(&tx, buf, w.size));

    /* memo 32 fine, 33 too long. */
    petro__w_init(&w, buf, sizeof buf);
    body_prefix(&w, PETRO_TX_VERSION, 32);
    petro__w_u8(&w, 1);
    w_set_signer_op(&w);
    w_one_sig(&w);
    ASSERT_OK(petro_tx_decode(&tx, buf, w.size));
    petro__w_init(&w, buf, sizeof buf);
    body_prefix(&w, PETRO_TX_VERSION, 33);
    petro__w_u8(&w, 1);
    w_set_signer_op(&w);
    w_one_sig(&w);
    expect_decode_fail(buf, w.size, PETRO_ERR_MEMO_TOO_LONG);

    /* Versions 0, 1 (before domain-separated signatures) and 3. */
    static const uint8_t bad_versions[] = {0, 1, 3};
    for (size_t i = 0; i < sizeof bad_versions; i++) {
        uint8_t v = bad_versions[i];
        petro__w_init(&w, buf, sizeof buf);
        body_prefix(&w, v, 0);
        petro__w_u8(&w, 1);
        w_set_signer_op(&w);
        w_one_sig(&w);
        expect_decode_fail(buf, w.size, PETRO_ERR_BAD_VERSION);
    }

    /* 21 signatures. */
    petro__w_init(&w, buf, sizeof buf);
    body_prefix(&w, PETRO_TX_VERSION, 0);
    petro__w_u8(&w, 1);
    w_set_signer_op(&w);
    petro__w_u8(&w, PETRO_TX_SIGS_MAX + 1);
    for (int i = 0; i < PETRO_TX_SIGS_MAX + 1; i++) {
        uint8_t entry[96] = {0};
        entry[0] = (uint8_t)i;
        petro__w_bytes(&w, entry, sizeof entry);
    }
    expect_decode_fail(buf, w.size, PETRO_ERR_TOO_MANY_SIGNATURES);

    /* Unknown op types: 0, the first unused number above the highest registered type, 255. */
    uint8_t highest = 0;
    for (size_t k = 0; k < known_type_count; k++) {
        if (known_types[k] > highest) highest = known_types[k];
    }
    ASSERT_TRUE(highest < 254);
    const uint8_t unknown[] = {0, (uint8_t)(highest + 1), 255};
    for (size_t i = 0; i < sizeof unknown; i++) {
        petro__w_init(&w, buf, sizeof buf);
        body_prefix(&w, PETRO_TX_VERSION, 0);
        petro__w_u8(&w, 1);
        petro__w_u8(&w, unknown[i]);
        uint8_t pad[40] = {0};
        petro__w_bytes(&w, pad, sizeof pad);
        w_one_sig(&w);
        expect_decode_fail(buf, w.size, PETRO_ERR_UNKNOWN_OP);
    }

    /* Over the size limit, whatever the content. */
    memset(buf, 0, sizeof buf);
    expect_decode_fail(buf, PETRO_TX_SIZE_MAX + 1, PETRO_ERR_TX_TOO_LARGE);
    expect_decode_fail(buf, 0, PETRO_ERR_MALFORMED);
}

/* One op of the given kind written by hand, for field-level rejections. */
typedef void (*op_writer)(petro__writer *w);

static void decode_single_op(op_writer write_op, petro_result want) {
    uint8_t buf[512];
    petro__writer w;
    petro__w_init(&w, buf, sizeof buf);
    body_prefix(&w, PETRO_TX_VERSION, 0);
    petro__w_u8(&w, 1);
    write_op(&w);
    w_one_sig(&w);
    ASSERT_TRUE(!w.is_overflow);
    if (want == PETRO_OK) {
        petro_tx tx;
        ASSERT_OK(petro_tx_decode(&tx, buf, w.size));
    } else {
        expect_decode_fail(buf, w.size, want);
    }
}

static const uint8_t k32[32] = {9};
static void op_authorize(petro__writer *w, uint8_t flag) {
    petro__w_u8(w, PETRO_OP_AUTHORIZE_TRUST);
    petro__w_bytes(w, k32, 32);
    petro__w_u8(w, 3);
    petro__w_bytes(w, "USD", 3);
    petro__w_u8(w, flag);
}
static void op_authorize_1(petro__writer *w) { op_authorize(w, 1); }
static void op_authorize_2(petro__writer *w) { op_authorize(w, 2); }
static void op_authorize_ff(petro__writer *w) { op_authorize(w, 0xff); }

static void op_pay(petro__writer *w, uint8_t kind, const char *code, size_t code_len,
                   int64_t amount) {
    petro__w_u8(w, PETRO_OP_PAYMENT);
    petro__w_bytes(w, k32, 32);
    petro__w_u8(w, kind);
    if (kind != 0) {
        petro__w_u8(w, (uint8_t)code_len);
        petro__w_bytes(w, code, code_len);
        petro__w_bytes(w, k32, 32);
    }
    petro__w_i64(w, amount);
}
static void op_pay_ok(petro__writer *w) { op_pay(w, 1, "GOLD", 4, 5); }
static void op_pay_native(petro__writer *w) { op_pay(w, 0, NULL, 0, 5); }
static void op_pay_kind2(petro__writer *w) { op_pay(w, 2, "GOLD", 4, 5); }
static void op_pay_lower(petro__writer *w) { op_pay(w, 1, "gold", 4, 5); }
static void op_pay_len0(petro__writer *w) { op_pay(w, 1, "", 0, 5); }
static void op_pay_len13(petro__writer *w) { op_pay(w, 1, "ABCDEFGHIJKLM", 13, 5); }
static void op_pay_nul(petro__writer *w) { op_pay(w, 1, "AB\0D", 4, 5); }
static void op_pay_ptr(petro__writer *w) { op_pay(w, 1, "PTR", 3, 5); }
static void op_pay_zero(petro__writer *w) { op_pay(w, 1, "GOLD", 4, 0); }
static void op_pay_neg(petro__writer *w) { op_pay(w, 1, "GOLD", 4, -5); }
static void op_pay_min(petro__writer *w) { op_pay(w, 1, "GOLD", 4, INT64_MIN); }
static void op_pay_big(petro__writer *w) { op_pay(w, 0, NULL, 0, PETRO_SUPPLY_MAX + 1); }
static void op_pay_max(petro__writer *w) { op_pay(w, 0, NULL, 0, PETRO_SUPPLY_MAX); }

static void op_create_asset(petro__writer *w, const char *code, uint32_t flags) {
    petro__w_u8(w, PETRO_OP_CREATE_ASSET);
    petro__w_u8(w, (uint8_t)strlen(code));
    petro__w_bytes(w, code, strlen(code));
    petro__w_u32(w, flags);
}
static void op_create_asset_ok(petro__writer *w) { op_create_asset(w, "OIL", 3); }
static void op_create_asset_flags(petro__writer *w) { op_create_asset(w, "OIL", 4); }
static void op_create_asset_ptr(petro__writer *w) { op_create_asset(w, "PTR", 0); }

static void op_trust(petro__writer *w, int64_t limit) {
    petro__w_u8(w, PETRO_OP_CHANGE_TRUST);
    petro__w_u8(w, 1);
    petro__w_u8(w, 3);
    petro__w_bytes(w, "VES", 3);
    petro__w_bytes(w, k32, 32);
    petro__w_i64(w, limit);
}
static void op_trust_zero(petro__writer *w) { op_trust(w, 0); }
static void op_trust_neg(petro__writer *w) { op_trust(w, -1); }
static void op_trust_big(petro__writer *w) { op_trust(w, INT64_MAX); }

static void test_decode_fields(void) {
    decode_single_op(op_authorize_1, PETRO_OK);
    decode_single_op(op_authorize_2, PETRO_ERR_MALFORMED);
    decode_single_op(op_authorize_ff, PETRO_ERR_MALFORMED);
    decode_single_op(op_pay_ok, PETRO_OK);
    decode_single_op(op_pay_native, PETRO_OK);
    decode_single_op(op_pay_max, PETRO_OK);
    decode_single_op(op_pay_kind2, PETRO_ERR_MALFORMED);
    decode_single_op(op_pay_lower, PETRO_ERR_MALFORMED);
    decode_single_op(op_pay_len0, PETRO_ERR_MALFORMED);
    decode_single_op(op_pay_len13, PETRO_ERR_MALFORMED);
    decode_single_op(op_pay_nul, PETRO_ERR_MALFORMED);
    decode_single_op(op_pay_ptr, PETRO_ERR_MALFORMED);
    decode_single_op(op_pay_zero, PETRO_ERR_AMOUNT_ZERO);
    decode_single_op(op_pay_neg, PETRO_ERR_AMOUNT_NEGATIVE);
    decode_single_op(op_pay_min, PETRO_ERR_AMOUNT_NEGATIVE);
    decode_single_op(op_pay_big, PETRO_ERR_AMOUNT_TOO_LARGE);
    decode_single_op(op_create_asset_ok, PETRO_OK);
    decode_single_op(op_create_asset_flags, PETRO_ERR_BAD_FLAGS);
    decode_single_op(op_create_asset_ptr, PETRO_ERR_BAD_ASSET_CODE);
    decode_single_op(op_trust_zero, PETRO_OK);
    decode_single_op(op_trust_neg, PETRO_ERR_AMOUNT_NEGATIVE);
    decode_single_op(op_trust_big, PETRO_ERR_AMOUNT_TOO_LARGE);

    /* A negative fee. */
    uint8_t buf[256];
    petro__writer w;
    petro__w_init(&w, buf, sizeof buf);
    body_prefix(&w, PETRO_TX_VERSION, 0);
    petro__w_u8(&w, 1);
    w_set_signer_op(&w);
    w_one_sig(&w);
    size_t fee_offset = 1 + 32 + 32 + 8;
    buf[fee_offset + 7] = 0x80; /* sign bit of the little-endian i64 */
    expect_decode_fail(buf, w.size, PETRO_ERR_AMOUNT_NEGATIVE);
}

/* Trailing bytes, truncation at every length, and signatures out of order. */
static void test_decode_envelope(void) {
    petro_tx tx;
    rand_tx(&tx, 3, 0);
    ASSERT_OK(petro_tx_sign(&tx, &keys_pk[0], &keys_sk[0]));
    ASSERT_OK(petro_tx_sign(&tx, &keys_pk[1], &keys_sk[1]));
    ASSERT_OK(petro_tx_sign(&tx, &keys_pk[2], &keys_sk[2]));
    uint8_t buf[PETRO_TX_SIZE_MAX + 1];
    size_t size = 0;
    ASSERT_OK(petro_tx_encode(buf, sizeof buf, &size, &tx));
    petro_tx back;
    ASSERT_OK(petro_tx_decode(&back, buf, size));

    buf[size] = 0;
    expect_decode_fail(buf, size + 1, PETRO_ERR_MALFORMED);
    for (size_t n = 0; n < size; n++) expect_decode_fail(buf, n, PETRO_ERR_MALFORMED);

    /* Swap the first two signature entries: not ascending. */
    size_t sigs_at = size - 3 * 96;
    uint8_t tmp[96];
    memcpy(tmp, buf + sigs_at, 96);
    memcpy(buf + sigs_at, buf + sigs_at + 96, 96);
    memcpy(buf + sigs_at + 96, tmp, 96);
    expect_decode_fail(buf, size, PETRO_ERR_DUPLICATE_SIGNATURE);
    /* The same key twice. */
    memcpy(buf + sigs_at, buf + sigs_at + 96, 96);
    expect_decode_fail(buf, size, PETRO_ERR_DUPLICATE_SIGNATURE);
}

/* Random byte mutations of valid encodings never crash, and whatever decodes re-encodes to
 * exactly the same bytes (one encoding per value). */
static void test_decode_mutations(void) {
    for (int i = 0; i < 3000; i++) {
        petro_tx tx;
        rand_tx(&tx, 1 + test_rand() % 4, 0);
        if (i % 4 == 0) {
            ASSERT_OK(petro_tx_sign(&tx, &keys_pk[i % 5], &keys_sk[i % 5]));
        } else {
            /* An entry that does not verify: decoding does not care, and it is cheap. */
            tx.sig_count = 1;
            tx.sigs[0].key = keys_pk[i % 5];
            rand_bytes(tx.sigs[0].sig.bytes, sizeof tx.sigs[0].sig.bytes);
        }
        uint8_t buf[PETRO_TX_SIZE_MAX], again[PETRO_TX_SIZE_MAX];
        size_t size = 0, size2 = 0;
        ASSERT_OK(petro_tx_encode(buf, sizeof buf, &size, &tx));
        size_t flips = 1 + test_rand() % 3;
        for (size_t f = 0; f < flips; f++) {
            size_t at = test_rand() % size;
            buf[at] = (test_rand() % 2) ? (uint8_t)test_rand() : (uint8_t)(buf[at] ^ 1);
        }
        petro_tx back;
        petro_result rc = petro_tx_decode(&back, buf, size);
        if (rc == PETRO_OK) {
            ASSERT_OK(petro_tx_encode(again, sizeof again, &size2, &back));
            ASSERT_EQ(size2, size);
            ASSERT_MEMEQ(again, buf, size);
        } else {
            ASSERT_TRUE(is_all_zero(&back, sizeof back));
        }
    }
}

static void test_check_precedence(void) {
    petro_tx tx;
    rand_tx(&tx, 2, PETRO_OP_PAYMENT);
    ASSERT_OK(petro_tx_check(&tx));

    petro_tx t = tx;
    t.version = 1; /* the version before domain-separated signatures */
    t.op_count = 0;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_BAD_VERSION);
    t = tx;
    t.op_count = 0;
    t.memo_size = 33;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_NO_OPS);
    t.op_count = PETRO_TX_OPS_MAX + 1;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_TOO_MANY_OPS);
    t = tx;
    t.memo_size = 33;
    t.ops[0].type = 99;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_MEMO_TOO_LONG);
    t = tx;
    t.ops[1].type = 99;
    t.fee = -1;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_UNKNOWN_OP);
    t = tx;
    t.ops[0].u.payment.amount = 0;
    t.ops[1].u.payment.amount = -1;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_AMOUNT_ZERO);
    t = tx;
    t.ops[0].u.payment.asset.kind = PETRO_ASSET_ISSUED;
    strcpy(t.ops[0].u.payment.asset.code, "ab");
    t.ops[0].u.payment.amount = 0;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_BAD_ASSET_CODE);
    t = tx;
    t.ops[0].u.payment.asset.kind = 7;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_MALFORMED);
    t = tx;
    t.ops[0].u.payment.amount = PETRO_SUPPLY_MAX + 1;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_AMOUNT_TOO_LARGE);
    t = tx;
    t.fee = -1;
    t.sig_count = 21;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_AMOUNT_NEGATIVE);
    t.fee = PETRO_SUPPLY_MAX + 1;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_AMOUNT_TOO_LARGE);
    t.fee = 0;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_TOO_MANY_SIGNATURES);
    t.sig_count = 2;
    t.sigs[0].key = keys_pk[0];
    t.sigs[1].key = keys_pk[0];
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_DUPLICATE_SIGNATURE);

    /* A code filling all 13 bytes (no NUL) is refused, not read past. */
    rand_tx(&t, 1, PETRO_OP_ISSUE);
    memset(t.ops[0].u.issue.code, 'A', sizeof t.ops[0].u.issue.code);
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_BAD_ASSET_CODE);
    rand_tx(&t, 1, PETRO_OP_AUTHORIZE_TRUST);
    t.ops[0].u.authorize_trust.authorize = 2;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_MALFORMED);
    rand_tx(&t, 1, PETRO_OP_CREATE_ASSET);
    t.ops[0].u.create_asset.flags = 0x80000000u;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_BAD_FLAGS);
    rand_tx(&t, 1, PETRO_OP_CHANGE_TRUST);
    t.ops[0].u.change_trust.limit = 0;
    ASSERT_OK(petro_tx_check(&t));
    t.ops[0].u.change_trust.limit = -1;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_AMOUNT_NEGATIVE);
    rand_tx(&t, 1, PETRO_OP_CREATE_ACCOUNT);
    t.ops[0].u.create_account.starting_balance = 0;
    ASSERT_RESULT(petro_tx_check(&t), PETRO_ERR_AMOUNT_ZERO);

    /* Encoders refuse what the check refuses. */
    uint8_t buf[PETRO_TX_SIZE_MAX];
    size_t size = 99;
    ASSERT_RESULT(petro_tx_encode(buf, sizeof buf, &size, &t), PETRO_ERR_AMOUNT_ZERO);
    ASSERT_EQ(size, 0);
    petro_hash id;
    ASSERT_RESULT(petro_tx_id(&id, &t), PETRO_ERR_AMOUNT_ZERO);
}

static void test_sign_verify(void) {
    petro_tx tx;
    rand_tx(&tx, 2, 0);
    petro_hash id;
    ASSERT_OK(petro_tx_id(&id, &tx));
    ASSERT_EQ(petro_tx_verify_sigs(&tx, &id), 0);

    /* Sign with keys in a random order: signatures stay sorted, all verify. */
    for (size_t k = PETRO_TX_SIGS_MAX; k > 0; k--) {
        size_t which = (k * 7) % PETRO_TX_SIGS_MAX;
        ASSERT_OK(petro_tx_sign(&tx, &keys_pk[which], &keys_sk[which]));
    }
    ASSERT_EQ(tx.sig_count, PETRO_TX_SIGS_MAX);
    for (size_t i = 1; i < tx.sig_count; i++) {
        ASSERT_TRUE(petro_pubkey_cmp(&tx.sigs[i - 1].key, &tx.sigs[i].key) < 0);
    }
    /* The id covers the body only: signing does not change it. */
    petro_hash id2;
    ASSERT_OK(petro_tx_id(&id2, &tx));
    ASSERT_TRUE(petro_hash_equal(&id, &id2));
    ASSERT_EQ(petro_tx_verify_sigs(&tx, &id), (UINT32_C(1) << PETRO_TX_SIGS_MAX) - 1);
    for (size_t i = 0; i < tx.sig_count; i++) {
        /* Ed25519 over u8 11 || "petro-tx-v2" || id (docs/protocol.md, "Signature domains"). */
        uint8_t msg[1 + 11 + 32];
        msg[0] = 11;
        memcpy(msg + 1, "petro-tx-v2", 11);
        memcpy(msg + 12, id.bytes, 32);
        ASSERT_TRUE(petro_verify(&tx.sigs[i].sig, msg, sizeof msg, &tx.sigs[i].key));
        ASSERT_TRUE(!petro_verify(&tx.sigs[i].sig, id.bytes, 32, &tx.sigs[i].key));
    }

    /* Re-signing with a present key replaces, never adds; a 21st key does not fit. */
    ASSERT_OK(petro_tx_sign(&tx, &keys_pk[3], &keys_sk[3]));
    ASSERT_EQ(tx.sig_count, PETRO_TX_SIGS_MAX);
    petro_tx before = tx;
    ASSERT_RESULT(petro_tx_sign(&tx, &keys_pk[PETRO_TX_SIGS_MAX], &keys_sk[PETRO_TX_SIGS_MAX]),
                  PETRO_ERR_TOO_MANY_SIGNATURES);
    ASSERT_MEMEQ(&before, &tx, sizeof tx);

    /* A corrupted signature clears exactly its bit. */
    tx.sigs[5].sig.bytes[10] ^= 0x40;
    ASSERT_EQ(petro_tx_verify_sigs(&tx, &id),
              ((UINT32_C(1) << PETRO_TX_SIGS_MAX) - 1) & ~(1u << 5));
    tx.sigs[5].sig.bytes[10] ^= 0x40;

    /* Changing any body field changes the id, and the old signatures fail. */
    tx.sequence++;
    ASSERT_OK(petro_tx_id(&id2, &tx));
    ASSERT_TRUE(!petro_hash_equal(&id, &id2));
    ASSERT_EQ(petro_tx_verify_sigs(&tx, &id2), 0);

    /* A key that does not match the secret key is refused. */
    rand_tx(&tx, 1, 0);
    ASSERT_RESULT(petro_tx_sign(&tx, &keys_pk[1], &keys_sk[2]), PETRO_ERR_BAD_SIGNATURE);
    ASSERT_EQ(tx.sig_count, 0);
    /* An invalid tx cannot be signed. */
    tx.op_count = 0;
    ASSERT_RESULT(petro_tx_sign(&tx, &keys_pk[1], &keys_sk[1]), PETRO_ERR_NO_OPS);
}

static void test_network_binding(void) {
    petro_tx a;
    rand_tx(&a, 1, PETRO_OP_PAYMENT);
    a.network_id = network_a;
    petro_tx b = a;
    b.network_id = network_b;
    petro_hash id_a, id_b;
    ASSERT_OK(petro_tx_id(&id_a, &a));
    ASSERT_OK(petro_tx_id(&id_b, &b));
    ASSERT_TRUE(!petro_hash_equal(&id_a, &id_b));
    /* The id is the BLAKE2b-256 of the body. */
    uint8_t body[PETRO_TX_SIZE_MAX];
    size_t body_size = 0;
    ASSERT_OK(petro_tx_encode_body(body, sizeof body, &body_size, &a));
    petro_hash direct;
    petro_hash_bytes(&direct, body, body_size);
    ASSERT_TRUE(petro_hash_equal(&direct, &id_a));
    /* Signed for network A, replayed on network B: the signature does not verify. */
    ASSERT_OK(petro_tx_sign(&a, &keys_pk[0], &keys_sk[0]));
    b.sig_count = a.sig_count;
    memcpy(b.sigs, a.sigs, sizeof a.sigs);
    ASSERT_EQ(petro_tx_verify_sigs(&a, &id_a), 1);
    ASSERT_EQ(petro_tx_verify_sigs(&b, &id_b), 0);
}

static void test_results(void) {
    for (int i = 0; i < 500; i++) {
        petro_tx_result r, back;
        memset(&r, 0, sizeof r);
        r.code = (i % 2) ? PETRO_ERR_OP_FAILED : PETRO_OK;
        r.fee_charged = (petro_amount)(test_rand() % 100000);
        r.op_count = (uint8_t)(1 + test_rand() % PETRO_TX_OPS_MAX);
        for (size_t k = 0; k < r.op_count; k++) r.op_codes[k] = (uint16_t)test_rand();
        uint8_t buf[PETRO_TX_RESULT_SIZE_MAX + 1];
        size_t size = 0;
        ASSERT_OK(petro_tx_result_encode(buf, sizeof buf, &size, &r));
        ASSERT_EQ(size, 2 + 8 + 1 + 2 * (size_t)r.op_count);
        ASSERT_EQ(buf[0] | (buf[1] << 8), r.code);
        ASSERT_OK(petro_tx_result_decode(&back, buf, size));
        ASSERT_MEMEQ(&back, &r, sizeof r);
        ASSERT_RESULT(petro_tx_result_decode(&back, buf, size - 1), PETRO_ERR_MALFORMED);
        ASSERT_TRUE(is_all_zero(&back, sizeof back));
        buf[size] = 0;
        ASSERT_RESULT(petro_tx_result_decode(&back, buf, size + 1), PETRO_ERR_MALFORMED);
        ASSERT_RESULT(petro_tx_result_encode(buf, size - 1, &size, &r), PETRO_ERR_BUFFER_TOO_SMALL);

        /* Leaf = BLAKE2b-256(tx id || encoded result). */
        petro_hash id, leaf, want;
        rand_bytes(id.bytes, 32);
        ASSERT_OK(petro_tx_result_encode(buf, sizeof buf, &size, &r));
        uint8_t cat[32 + PETRO_TX_RESULT_SIZE_MAX];
        memcpy(cat, id.bytes, 32);
        memcpy(cat + 32, buf, size);
        petro_hash_bytes(&want, cat, 32 + size);
        ASSERT_OK(petro_tx_result_hash(&leaf, &id, &r));
        ASSERT_TRUE(petro_hash_equal(&leaf, &want));
    }
    petro_tx_result r;
    memset(&r, 0, sizeof r);
    r.op_count = PETRO_TX_OPS_MAX + 1;
    uint8_t buf[64];
    size_t size = 0;
    ASSERT_RESULT(petro_tx_result_encode(buf, sizeof buf, &size, &r), PETRO_ERR_MALFORMED);
    memset(buf, 0, sizeof buf);
    buf[10] = PETRO_TX_OPS_MAX + 1;
    petro_tx_result back;
    ASSERT_RESULT(petro_tx_result_decode(&back, buf, 11 + 2 * (PETRO_TX_OPS_MAX + 1)),
                  PETRO_ERR_MALFORMED);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    ASSERT_OK(petro_crypto_init());
    rand_bytes(network_a.bytes, 32);
    rand_bytes(network_b.bytes, 32);
    make_keys();
    builder.state = test_rand();
    collect_types();
    RUN_TEST(test_op_family_of);
    RUN_TEST(test_round_trip_every_op);
    RUN_TEST(test_round_trip_mixed_signed);
    RUN_TEST(test_decode_counts);
    RUN_TEST(test_decode_fields);
    RUN_TEST(test_decode_envelope);
    RUN_TEST(test_decode_mutations);
    RUN_TEST(test_check_precedence);
    RUN_TEST(test_sign_verify);
    RUN_TEST(test_network_binding);
    RUN_TEST(test_results);
    return 0;
}
