/* Transactions: static checks, the canonical encoding (docs/protocol.md, "Transaction"), the
 * strict decoder, ids, signing and signature verification, and transaction results.
 *
 * The encoder writes exactly what the decoder accepts: both walk the same field order, the
 * decoder runs petro_tx_check_envelope on what it read, and the envelope encoder refuses
 * anything that fails petro_tx_check_envelope (the body encoder, used for ids and signing,
 * petro_tx_check: a body is signed before it has signatures). So every accepted byte string
 * has exactly one petro_tx, and back. */
#include <string.h>

#include "internal.h"
#include "petro/schema.h"

/* ---------------------------------------------------------------- static checks */

petro_result petro_tx_check(const petro_tx *tx) {
    if (tx->version != PETRO_TX_VERSION) return PETRO_ERR_BAD_VERSION;
    if (tx->op_count == 0) return PETRO_ERR_NO_OPS;
    if (tx->op_count > PETRO_TX_OPS_MAX) return PETRO_ERR_TOO_MANY_OPS;
    if (tx->memo_size > PETRO_MEMO_SIZE_MAX) return PETRO_ERR_MEMO_TOO_LONG;
    for (size_t i = 0; i < tx->op_count; i++) {
        petro_result rc = petro_op_check(&tx->ops[i]); /* the family's check */
        if (rc != PETRO_OK) return rc;
    }
    petro_result rc = petro__check_non_negative(tx->fee);
    if (rc != PETRO_OK) return rc;
    if (tx->sig_count > PETRO_TX_SIGS_MAX) return PETRO_ERR_TOO_MANY_SIGNATURES;
    for (size_t i = 1; i < tx->sig_count; i++) {
        if (petro_pubkey_cmp(&tx->sigs[i - 1].key, &tx->sigs[i].key) >= 0) {
            return PETRO_ERR_DUPLICATE_SIGNATURE;
        }
    }
    return PETRO_OK;
}

/* Stateless, and a function of the envelope's bytes only, so every node gives the same code:
 * an envelope without a signature is no_signatures, before any state is read. */
petro_result petro_tx_check_envelope(const petro_tx *tx) {
    petro_result rc = petro_tx_check(tx);
    if (rc != PETRO_OK) return rc;
    if (tx->sig_count == 0) return PETRO_ERR_NO_SIGNATURES;
    return PETRO_OK;
}

/* ---------------------------------------------------------------- encoding */

static void w_key(petro__writer *w, const petro_pubkey *k) {
    petro__w_bytes(w, k->bytes, sizeof k->bytes);
}

/* One value of a field's kind at p (docs/protocol.md, "Primitives"). */
static void encode_value(petro__writer *w, const petro_field *f, const uint8_t *p) {
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY: petro__w_bytes(w, p, 32); return;
    case PETRO_FIELD_HASH: petro__w_bytes(w, p, 32); return;
    case PETRO_FIELD_SIG: petro__w_bytes(w, p, 64); return;
    case PETRO_FIELD_ASSET: petro__w_asset(w, (const petro_asset *)(const void *)p); return;
    case PETRO_FIELD_CODE: petro__w_code(w, (const char *)p); return;
    case PETRO_FIELD_AMOUNT: petro__w_i64(w, *(const int64_t *)(const void *)p); return;
    case PETRO_FIELD_U8:
    case PETRO_FIELD_BOOL: petro__w_u8(w, *p); return;
    case PETRO_FIELD_U16: petro__w_u16(w, *(const uint16_t *)(const void *)p); return;
    case PETRO_FIELD_U32: petro__w_u32(w, *(const uint32_t *)(const void *)p); return;
    case PETRO_FIELD_U64: petro__w_u64(w, *(const uint64_t *)(const void *)p); return;
    case PETRO_FIELD_TEXT: petro__w_text(w, (const char *)p, f->text_max); return;
    case PETRO_FIELD_COUNTRY: petro__w_country(w, (const char *)p); return;
    }
    PETRO_ASSERT(false && "field kind outside the schema");
}

/* Fields in schema order (a list: u8 count, then its values). */
void petro__fields_encode(petro__writer *w, const petro_op_schema *s, const void *fields) {
    const uint8_t *base = fields;
    for (uint8_t i = 0; i < s->field_count; i++) {
        const petro_field *f = &s->fields[i];
        if (f->list_max == 0) {
            encode_value(w, f, base + f->offset);
            continue;
        }
        uint8_t count = base[f->count_offset];
        petro__w_u8(w, count);
        for (uint8_t j = 0; j < count && j < f->list_max; j++) {
            encode_value(w, f, base + f->offset + (size_t)j * f->elem_size);
        }
    }
}

/* An operation: its type, then its fields. */
static void encode_op(petro__writer *w, const petro_op *op) {
    const petro_op_schema *s = petro_op_schema_of(op->type);
    /* petro_tx_check ran first: an unknown type cannot get here. */
    PETRO_ASSERT(s != NULL);
    petro__w_u8(w, op->type);
    petro__fields_encode(w, s, petro_op_fields_const(op));
}

static void encode_body(petro__writer *w, const petro_tx *tx) {
    petro__w_u8(w, tx->version);
    petro__w_bytes(w, tx->network_id.bytes, sizeof tx->network_id.bytes);
    w_key(w, &tx->source);
    petro__w_u64(w, tx->sequence);
    petro__w_i64(w, tx->fee);
    petro__w_u64(w, tx->valid_after_ms);
    petro__w_u64(w, tx->valid_until_ms);
    petro__w_u8(w, tx->memo_size);
    petro__w_bytes(w, tx->memo, tx->memo_size);
    petro__w_u8(w, tx->op_count);
    for (size_t i = 0; i < tx->op_count; i++) encode_op(w, &tx->ops[i]);
}

static void encode_sigs(petro__writer *w, const petro_tx *tx) {
    petro__w_u8(w, tx->sig_count);
    for (size_t i = 0; i < tx->sig_count; i++) {
        w_key(w, &tx->sigs[i].key);
        petro__w_bytes(w, tx->sigs[i].sig.bytes, sizeof tx->sigs[i].sig.bytes);
    }
}

static petro_result encode(uint8_t *out, size_t out_cap, size_t *out_size, const petro_tx *tx,
                           bool with_sigs) {
    *out_size = 0;
    petro_result rc = with_sigs ? petro_tx_check_envelope(tx) : petro_tx_check(tx);
    if (rc != PETRO_OK) return rc;
    /* Encode into a scratch buffer of the protocol maximum, so "too large" and "buffer too
     * small" are told apart whatever the caller's capacity. */
    uint8_t buf[PETRO_TX_SIZE_MAX];
    petro__writer w;
    petro__w_init(&w, buf, sizeof buf);
    encode_body(&w, tx);
    if (with_sigs) encode_sigs(&w, tx);
    if (w.is_overflow) return PETRO_ERR_TX_TOO_LARGE;
    if (w.size > out_cap) return PETRO_ERR_BUFFER_TOO_SMALL;
    memcpy(out, buf, w.size);
    *out_size = w.size;
    return PETRO_OK;
}

petro_result petro_tx_encode_body(uint8_t *out, size_t out_cap, size_t *out_size,
                                  const petro_tx *tx) {
    return encode(out, out_cap, out_size, tx, false);
}

petro_result petro_tx_encode(uint8_t *out, size_t out_cap, size_t *out_size, const petro_tx *tx) {
    return encode(out, out_cap, out_size, tx, true);
}

/* ---------------------------------------------------------------- decoding */

static void r_key(petro__reader *r, petro_pubkey *k) {
    petro__r_bytes(r, k->bytes, sizeof k->bytes);
}

/* One value of a field's kind into p; structural errors are left in r->is_error. */
static void decode_value(petro__reader *r, const petro_field *f, uint8_t *p) {
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY: petro__r_bytes(r, p, 32); return;
    case PETRO_FIELD_HASH: petro__r_bytes(r, p, 32); return;
    case PETRO_FIELD_SIG: petro__r_bytes(r, p, 64); return;
    case PETRO_FIELD_ASSET: petro__r_asset(r, (petro_asset *)(void *)p); return;
    case PETRO_FIELD_CODE: petro__r_code(r, (char *)p); return;
    case PETRO_FIELD_AMOUNT: *(int64_t *)(void *)p = petro__r_i64(r); return;
    case PETRO_FIELD_U8: *p = petro__r_u8(r); return;
    case PETRO_FIELD_BOOL: *p = petro__r_bool(r); return;
    case PETRO_FIELD_U16: *(uint16_t *)(void *)p = petro__r_u16(r); return;
    case PETRO_FIELD_U32: *(uint32_t *)(void *)p = petro__r_u32(r); return;
    case PETRO_FIELD_U64: *(uint64_t *)(void *)p = petro__r_u64(r); return;
    case PETRO_FIELD_TEXT: petro__r_text(r, (char *)p, f->text_max); return;
    case PETRO_FIELD_COUNTRY: petro__r_country(r, (char *)p); return;
    }
    PETRO_ASSERT(false && "field kind outside the schema");
}

/* Fields in schema order; structural errors, including a list count over its maximum, are
 * left in r->is_error (and the rest is not read). */
void petro__fields_decode(petro__reader *r, const petro_op_schema *s, void *fields) {
    uint8_t *base = fields;
    for (uint8_t i = 0; i < s->field_count && !r->is_error; i++) {
        const petro_field *f = &s->fields[i];
        if (f->list_max == 0) {
            decode_value(r, f, base + f->offset);
            continue;
        }
        uint8_t count = petro__r_u8(r);
        if (count > f->list_max) {
            r->is_error = true;
            break;
        }
        base[f->count_offset] = count;
        for (uint8_t j = 0; j < count; j++) {
            decode_value(r, f, base + f->offset + (size_t)j * f->elem_size);
        }
    }
}

/* Reads one operation. Returns PETRO_ERR_UNKNOWN_OP for a type no family registers (the rest
 * of the bytes cannot be parsed then); structural errors are left in r->is_error. */
static petro_result decode_op(petro__reader *r, petro_op *op) {
    op->type = petro__r_u8(r);
    if (r->is_error) return PETRO_OK;
    const petro_op_schema *s = petro_op_schema_of(op->type);
    if (s == NULL) return PETRO_ERR_UNKNOWN_OP;
    petro__fields_decode(r, s, petro_op_fields(op));
    return PETRO_OK;
}

/* Decodes without the final petro_tx_check; tx is zeroed by the caller. Counts that bound an
 * array are checked as soon as they are read, so no index ever leaves its array. */
static petro_result decode(petro_tx *tx, petro__reader *r) {
    tx->version = petro__r_u8(r);
    if (r->is_error) return PETRO_ERR_MALFORMED;
    /* Another version may lay out the rest differently: stop here. */
    if (tx->version != PETRO_TX_VERSION) return PETRO_ERR_BAD_VERSION;
    petro__r_bytes(r, tx->network_id.bytes, sizeof tx->network_id.bytes);
    r_key(r, &tx->source);
    tx->sequence = petro__r_u64(r);
    tx->fee = petro__r_i64(r);
    tx->valid_after_ms = petro__r_u64(r);
    tx->valid_until_ms = petro__r_u64(r);
    tx->memo_size = petro__r_u8(r);
    if (r->is_error) return PETRO_ERR_MALFORMED;
    if (tx->memo_size > PETRO_MEMO_SIZE_MAX) return PETRO_ERR_MEMO_TOO_LONG;
    petro__r_bytes(r, tx->memo, tx->memo_size);
    tx->op_count = petro__r_u8(r);
    if (r->is_error) return PETRO_ERR_MALFORMED;
    if (tx->op_count == 0) return PETRO_ERR_NO_OPS;
    if (tx->op_count > PETRO_TX_OPS_MAX) return PETRO_ERR_TOO_MANY_OPS;
    for (size_t i = 0; i < tx->op_count; i++) {
        petro_result rc = decode_op(r, &tx->ops[i]);
        if (r->is_error) return PETRO_ERR_MALFORMED;
        if (rc != PETRO_OK) return rc;
    }
    tx->sig_count = petro__r_u8(r);
    if (r->is_error) return PETRO_ERR_MALFORMED;
    if (tx->sig_count > PETRO_TX_SIGS_MAX) return PETRO_ERR_TOO_MANY_SIGNATURES;
    for (size_t i = 0; i < tx->sig_count; i++) {
        r_key(r, &tx->sigs[i].key);
        petro__r_bytes(r, tx->sigs[i].sig.bytes, sizeof tx->sigs[i].sig.bytes);
    }
    if (!petro__r_done(r)) return PETRO_ERR_MALFORMED;
    return petro_tx_check_envelope(tx);
}

petro_result petro_tx_decode(petro_tx *tx, const uint8_t *bytes, size_t bytes_size) {
    memset(tx, 0, sizeof *tx);
    if (bytes_size > PETRO_TX_SIZE_MAX) return PETRO_ERR_TX_TOO_LARGE;
    petro__reader r;
    petro__r_init(&r, bytes, bytes_size);
    petro_result rc = decode(tx, &r);
    if (rc != PETRO_OK) memset(tx, 0, sizeof *tx);
#ifdef PETRO_DEBUG
    /* The encoding is canonical: whatever the strict decoder accepts re-encodes to the same
     * bytes (ids and signatures depend on it). Checked on every decode in test builds. */
    if (rc == PETRO_OK) {
        uint8_t again[PETRO_TX_SIZE_MAX];
        size_t again_size = 0;
        PETRO_DEBUG_ASSERT(petro_tx_encode(again, sizeof again, &again_size, tx) == PETRO_OK);
        PETRO_DEBUG_ASSERT(again_size == bytes_size && memcmp(again, bytes, bytes_size) == 0);
    }
#endif
    return rc;
}

/* ---------------------------------------------------------------- ids and signatures */

petro_result petro_tx_id(petro_hash *id, const petro_tx *tx) {
    uint8_t body[PETRO_TX_SIZE_MAX];
    size_t body_size = 0;
    petro_result rc = petro_tx_encode_body(body, sizeof body, &body_size, tx);
    if (rc != PETRO_OK) {
        memset(id, 0, sizeof *id);
        return rc;
    }
    petro_hash_bytes(id, body, body_size);
    return PETRO_OK;
}

/* Signs the id with sk after checking that pk is sk's public key (libsodium's secret key
 * holds it in its last 32 bytes); a mismatch would only produce a signature that never
 * verifies, so it is refused as PETRO_ERR_BAD_SIGNATURE. */
petro_result petro_tx_sign(petro_tx *tx, const petro_pubkey *pk, const petro_seckey *sk) {
    if (memcmp(sk->bytes + 32, pk->bytes, sizeof pk->bytes) != 0) return PETRO_ERR_BAD_SIGNATURE;
    petro_hash id;
    petro_result rc = petro_tx_id(&id, tx);
    if (rc != PETRO_OK) return rc;
    /* petro_tx_check passed: sigs are sorted and sig_count <= PETRO_TX_SIGS_MAX. */
    size_t pos = 0;
    while (pos < tx->sig_count && petro_pubkey_cmp(&tx->sigs[pos].key, pk) < 0) pos++;
    petro_sig sig;
    petro_sign_in(&sig, PETRO_DOMAIN_TX, id.bytes, sizeof id.bytes, sk);
    if (pos < tx->sig_count && petro_pubkey_equal(&tx->sigs[pos].key, pk)) {
        tx->sigs[pos].sig = sig;
        return PETRO_OK;
    }
    if (tx->sig_count >= PETRO_TX_SIGS_MAX) return PETRO_ERR_TOO_MANY_SIGNATURES;
    memmove(&tx->sigs[pos + 1], &tx->sigs[pos], (tx->sig_count - pos) * sizeof tx->sigs[0]);
    tx->sigs[pos].key = *pk;
    tx->sigs[pos].sig = sig;
    tx->sig_count++;
    return PETRO_OK;
}

void petro_tx_witness_hash(petro_hash *out, const petro_tx *tx, const petro_hash *id) {
    PETRO_ASSERT(tx->sig_count <= PETRO_TX_SIGS_MAX);
    const uint8_t count = tx->sig_count;
    petro_hasher h;
    petro_hasher_init(&h);
    petro_hasher_update(&h, id->bytes, sizeof id->bytes);
    petro_hasher_update(&h, &count, 1);
    for (size_t i = 0; i < count; i++) {
        petro_hasher_update(&h, tx->sigs[i].key.bytes, sizeof tx->sigs[i].key.bytes);
        petro_hasher_update(&h, tx->sigs[i].sig.bytes, sizeof tx->sigs[i].sig.bytes);
    }
    petro_hasher_final(&h, out);
}

uint32_t petro_tx_verify_sigs(const petro_tx *tx, const petro_hash *id) {
    uint32_t mask = 0;
    size_t count = tx->sig_count <= PETRO_TX_SIGS_MAX ? tx->sig_count : PETRO_TX_SIGS_MAX;
    for (size_t i = 0; i < count; i++) {
        if (petro_verify_in(&tx->sigs[i].sig, PETRO_DOMAIN_TX, id->bytes, sizeof id->bytes,
                            &tx->sigs[i].key)) {
            mask |= UINT32_C(1) << i;
        }
    }
    return mask;
}

/* ---------------------------------------------------------------- results */

petro_result petro_tx_result_encode(uint8_t *out, size_t out_cap, size_t *out_size,
                                    const petro_tx_result *r) {
    *out_size = 0;
    if (r->op_count > PETRO_TX_OPS_MAX) return PETRO_ERR_MALFORMED;
    petro__writer w;
    petro__w_init(&w, out, out_cap);
    petro__w_u16(&w, r->code);
    petro__w_i64(&w, r->fee_charged);
    petro__w_u8(&w, r->op_count);
    for (size_t i = 0; i < r->op_count; i++) petro__w_u16(&w, r->op_codes[i]);
    if (w.is_overflow) return PETRO_ERR_BUFFER_TOO_SMALL;
    *out_size = w.size;
    return PETRO_OK;
}

petro_result petro_tx_result_decode(petro_tx_result *r, const uint8_t *bytes, size_t bytes_size) {
    memset(r, 0, sizeof *r);
    petro__reader rd;
    petro__r_init(&rd, bytes, bytes_size);
    r->code = petro__r_u16(&rd);
    r->fee_charged = petro__r_i64(&rd);
    r->op_count = petro__r_u8(&rd);
    if (rd.is_error || r->op_count > PETRO_TX_OPS_MAX) {
        memset(r, 0, sizeof *r);
        return PETRO_ERR_MALFORMED;
    }
    for (size_t i = 0; i < r->op_count; i++) r->op_codes[i] = petro__r_u16(&rd);
    if (!petro__r_done(&rd)) {
        memset(r, 0, sizeof *r);
        return PETRO_ERR_MALFORMED;
    }
    return PETRO_OK;
}

petro_result petro_tx_result_hash(petro_hash *out, const petro_hash *tx_id,
                                  const petro_tx_result *r) {
    uint8_t buf[PETRO_TX_RESULT_SIZE_MAX];
    size_t size = 0;
    petro_result rc = petro_tx_result_encode(buf, sizeof buf, &size, r);
    if (rc != PETRO_OK) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    petro_hasher h;
    petro_hasher_init(&h);
    petro_hasher_update(&h, tx_id->bytes, sizeof tx_id->bytes);
    petro_hasher_update(&h, buf, size);
    petro_hasher_final(&h, out);
    return PETRO_OK;
}
