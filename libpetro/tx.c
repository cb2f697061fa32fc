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
#include "ops/ops.h"

/* ---------------------------------------------------------------- static checks */

/* An amount that must be > 0 and <= PETRO_SUPPLY_MAX. */
static petro_result check_positive(petro_amount a) {
    if (a < 0) return PETRO_ERR_AMOUNT_NEGATIVE;
    if (a == 0) return PETRO_ERR_AMOUNT_ZERO;
    if (a > PETRO_SUPPLY_MAX) return PETRO_ERR_AMOUNT_TOO_LARGE;
    return PETRO_OK;
}

/* An amount that must be >= 0 and <= PETRO_SUPPLY_MAX (fees, trust limits). */
static petro_result check_non_negative(petro_amount a) {
    if (a < 0) return PETRO_ERR_AMOUNT_NEGATIVE;
    if (a > PETRO_SUPPLY_MAX) return PETRO_ERR_AMOUNT_TOO_LARGE;
    return PETRO_OK;
}

/* The native asset carries no fields on the wire, so its code and issuer in memory are
 * ignored (petro_asset_equal ignores them too). */
static petro_result check_asset(const petro_asset *a) {
    if (a->kind == PETRO_ASSET_NATIVE) return PETRO_OK;
    if (a->kind != PETRO_ASSET_ISSUED) return PETRO_ERR_MALFORMED;
    return petro_asset_code_check(a->code);
}

/* The operation families outside this file: each owns its ops' field checks and codec
 * (ops/reserves.c, ops/trade.c, ops/zones.c). One list, used by check, encode and decode. */
typedef struct op_family {
    petro_result (*check)(const petro_op *op);
    void (*encode)(petro__writer *w, const petro_op *op);
    void (*decode)(petro__reader *r, petro_op *op);
} op_family;

static const op_family reserves_family = {petro__reserves_check_op, petro__reserves_encode_op,
                                          petro__reserves_decode_op};
static const op_family trade_family = {petro__trade_check_op, petro__trade_encode_op,
                                       petro__trade_decode_op};
static const op_family zones_family = {petro__zones_check_op, petro__zones_encode_op,
                                       petro__zones_decode_op};

petro_op_family petro_op_family_of(uint8_t type) {
    switch ((petro_op_type)type) {
    case PETRO_OP_CREATE_ACCOUNT:
    case PETRO_OP_SET_SIGNER:
    case PETRO_OP_SET_THRESHOLDS:
    case PETRO_OP_PAYMENT:
    case PETRO_OP_CREATE_ASSET:
    case PETRO_OP_CHANGE_TRUST:
    case PETRO_OP_AUTHORIZE_TRUST:
    case PETRO_OP_ISSUE:
    case PETRO_OP_REDEEM:
        return PETRO_OP_FAMILY_CORE;
    case PETRO_OP_ATTEST_RESERVE:
    case PETRO_OP_ORACLE_PRICE:
    case PETRO_OP_ISSUE_RESERVE:
    case PETRO_OP_REDEEM_RESERVE:
    case PETRO_OP_FULFILL_REDEMPTION:
        return PETRO_OP_FAMILY_RESERVES;
    case PETRO_OP_TRADE_CREATE:
    case PETRO_OP_TRADE_FUND:
    case PETRO_OP_TRADE_PRESENT:
    case PETRO_OP_TRADE_APPROVE:
    case PETRO_OP_TRADE_RELEASE:
    case PETRO_OP_TRADE_REFUND:
    case PETRO_OP_TRADE_DISPUTE:
    case PETRO_OP_TRADE_RESOLVE:
    case PETRO_OP_TRADE_AMEND:
        return PETRO_OP_FAMILY_TRADE;
    case PETRO_OP_ZONE_CREATE:
    case PETRO_OP_ZONE_POLICY:
    case PETRO_OP_ZONE_ASSIGN:
    case PETRO_OP_SET_KYC_TIER:
    case PETRO_OP_TRADE_TARGET:
        return PETRO_OP_FAMILY_ZONES;
    }
    return PETRO_OP_FAMILY_NONE;
}

/* The codec of an op type's family, or NULL for the core families handled in this file (and
 * for unknown types). */
static const op_family *op_family_of(uint8_t type) {
    switch (petro_op_family_of(type)) {
    case PETRO_OP_FAMILY_RESERVES: return &reserves_family;
    case PETRO_OP_FAMILY_TRADE: return &trade_family;
    case PETRO_OP_FAMILY_ZONES: return &zones_family;
    case PETRO_OP_FAMILY_CORE:
    case PETRO_OP_FAMILY_NONE: break;
    }
    return NULL;
}

/* Field checks of one operation, in field order. */
static petro_result check_op(const petro_op *op) {
    petro_result rc;
    const op_family *family = op_family_of(op->type);
    if (family != NULL) return family->check(op);
    switch (op->type) {
    case PETRO_OP_CREATE_ACCOUNT:
        return check_positive(op->u.create_account.starting_balance);
    case PETRO_OP_SET_SIGNER:
    case PETRO_OP_SET_THRESHOLDS:
        return PETRO_OK; /* any u8 weight or threshold; the ledger checks their relations */
    case PETRO_OP_PAYMENT:
        rc = check_asset(&op->u.payment.asset);
        if (rc != PETRO_OK) return rc;
        return check_positive(op->u.payment.amount);
    case PETRO_OP_CREATE_ASSET:
        rc = petro_asset_code_check(op->u.create_asset.code);
        if (rc != PETRO_OK) return rc;
        if ((op->u.create_asset.flags & ~PETRO_ASSET_FLAGS_ALL) != 0) return PETRO_ERR_BAD_FLAGS;
        return PETRO_OK;
    case PETRO_OP_CHANGE_TRUST:
        rc = check_asset(&op->u.change_trust.asset);
        if (rc != PETRO_OK) return rc;
        return check_non_negative(op->u.change_trust.limit);
    case PETRO_OP_AUTHORIZE_TRUST:
        rc = petro_asset_code_check(op->u.authorize_trust.code);
        if (rc != PETRO_OK) return rc;
        return op->u.authorize_trust.authorize <= 1 ? PETRO_OK : PETRO_ERR_MALFORMED;
    case PETRO_OP_ISSUE:
        rc = petro_asset_code_check(op->u.issue.code);
        if (rc != PETRO_OK) return rc;
        return check_positive(op->u.issue.amount);
    case PETRO_OP_REDEEM:
        rc = check_asset(&op->u.redeem.asset);
        if (rc != PETRO_OK) return rc;
        return check_positive(op->u.redeem.amount);
    default:
        return PETRO_ERR_UNKNOWN_OP;
    }
}

petro_result petro_tx_check(const petro_tx *tx) {
    if (tx->version != PETRO_TX_VERSION) return PETRO_ERR_BAD_VERSION;
    if (tx->op_count == 0) return PETRO_ERR_NO_OPS;
    if (tx->op_count > PETRO_TX_OPS_MAX) return PETRO_ERR_TOO_MANY_OPS;
    if (tx->memo_size > PETRO_MEMO_SIZE_MAX) return PETRO_ERR_MEMO_TOO_LONG;
    for (size_t i = 0; i < tx->op_count; i++) {
        petro_result rc = check_op(&tx->ops[i]);
        if (rc != PETRO_OK) return rc;
    }
    petro_result rc = check_non_negative(tx->fee);
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

static void encode_op(petro__writer *w, const petro_op *op) {
    petro__w_u8(w, op->type);
    const op_family *family = op_family_of(op->type);
    if (family != NULL) {
        family->encode(w, op);
        return;
    }
    switch (op->type) {
    case PETRO_OP_CREATE_ACCOUNT:
        w_key(w, &op->u.create_account.destination);
        petro__w_i64(w, op->u.create_account.starting_balance);
        break;
    case PETRO_OP_SET_SIGNER:
        w_key(w, &op->u.set_signer.signer);
        petro__w_u8(w, op->u.set_signer.weight);
        break;
    case PETRO_OP_SET_THRESHOLDS:
        petro__w_u8(w, op->u.set_thresholds.master_weight);
        petro__w_u8(w, op->u.set_thresholds.low);
        petro__w_u8(w, op->u.set_thresholds.medium);
        petro__w_u8(w, op->u.set_thresholds.high);
        break;
    case PETRO_OP_PAYMENT:
        w_key(w, &op->u.payment.destination);
        petro__w_asset(w, &op->u.payment.asset);
        petro__w_i64(w, op->u.payment.amount);
        break;
    case PETRO_OP_CREATE_ASSET:
        petro__w_code(w, op->u.create_asset.code);
        petro__w_u32(w, op->u.create_asset.flags);
        break;
    case PETRO_OP_CHANGE_TRUST:
        petro__w_asset(w, &op->u.change_trust.asset);
        petro__w_i64(w, op->u.change_trust.limit);
        break;
    case PETRO_OP_AUTHORIZE_TRUST:
        w_key(w, &op->u.authorize_trust.trustor);
        petro__w_code(w, op->u.authorize_trust.code);
        petro__w_u8(w, op->u.authorize_trust.authorize);
        break;
    case PETRO_OP_ISSUE:
        w_key(w, &op->u.issue.destination);
        petro__w_code(w, op->u.issue.code);
        petro__w_i64(w, op->u.issue.amount);
        break;
    case PETRO_OP_REDEEM:
        petro__w_asset(w, &op->u.redeem.asset);
        petro__w_i64(w, op->u.redeem.amount);
        break;
    default:
        /* petro_tx_check ran first: an unknown type cannot get here. */
        PETRO_ASSERT(false && "unknown op type after petro_tx_check");
    }
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

/* Reads one operation. Returns PETRO_ERR_UNKNOWN_OP for a type it does not know (the rest of
 * the bytes cannot be parsed then); structural errors are left in r->is_error. */
static petro_result decode_op(petro__reader *r, petro_op *op) {
    op->type = petro__r_u8(r);
    if (r->is_error) return PETRO_OK;
    const op_family *family = op_family_of(op->type);
    if (family != NULL) {
        family->decode(r, op);
        return PETRO_OK;
    }
    switch (op->type) {
    case PETRO_OP_CREATE_ACCOUNT:
        r_key(r, &op->u.create_account.destination);
        op->u.create_account.starting_balance = petro__r_i64(r);
        break;
    case PETRO_OP_SET_SIGNER:
        r_key(r, &op->u.set_signer.signer);
        op->u.set_signer.weight = petro__r_u8(r);
        break;
    case PETRO_OP_SET_THRESHOLDS:
        op->u.set_thresholds.master_weight = petro__r_u8(r);
        op->u.set_thresholds.low = petro__r_u8(r);
        op->u.set_thresholds.medium = petro__r_u8(r);
        op->u.set_thresholds.high = petro__r_u8(r);
        break;
    case PETRO_OP_PAYMENT:
        r_key(r, &op->u.payment.destination);
        petro__r_asset(r, &op->u.payment.asset);
        op->u.payment.amount = petro__r_i64(r);
        break;
    case PETRO_OP_CREATE_ASSET:
        petro__r_code(r, op->u.create_asset.code);
        op->u.create_asset.flags = petro__r_u32(r);
        break;
    case PETRO_OP_CHANGE_TRUST:
        petro__r_asset(r, &op->u.change_trust.asset);
        op->u.change_trust.limit = petro__r_i64(r);
        break;
    case PETRO_OP_AUTHORIZE_TRUST:
        r_key(r, &op->u.authorize_trust.trustor);
        petro__r_code(r, op->u.authorize_trust.code);
        op->u.authorize_trust.authorize = petro__r_bool(r);
        break;
    case PETRO_OP_ISSUE:
        r_key(r, &op->u.issue.destination);
        petro__r_code(r, op->u.issue.code);
        op->u.issue.amount = petro__r_i64(r);
        break;
    case PETRO_OP_REDEEM:
        petro__r_asset(r, &op->u.redeem.asset);
        op->u.redeem.amount = petro__r_i64(r);
        break;
    default:
        return PETRO_ERR_UNKNOWN_OP;
    }
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
    petro_sign(&sig, id.bytes, sizeof id.bytes, sk);
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

uint32_t petro_tx_verify_sigs(const petro_tx *tx, const petro_hash *id) {
    uint32_t mask = 0;
    size_t count = tx->sig_count <= PETRO_TX_SIGS_MAX ? tx->sig_count : PETRO_TX_SIGS_MAX;
    for (size_t i = 0; i < count; i++) {
        if (petro_verify(&tx->sigs[i].sig, id->bytes, sizeof id->bytes, &tx->sigs[i].key)) {
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
