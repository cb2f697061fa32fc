/* Operation family "trade" (op types 30..38, result codes 600..649; docs/protocol.md
 * "Trade"): trade contracts whose escrow is released to the exporter against presented
 * documents and the approvals of named inspectors or banks (m of n).
 *
 * State (prefix 'C'):
 *   'C' 'n'                               next contract id (u64)
 *   'C' 'c' id(u64 BE)                    contract record
 *   'C' 'd' id(u64 BE) shipment(u32 BE) type(u8)   presented document
 *   'C' 's' group groupkey month(u32 BE) asset     turnover aggregate: count u64, value i64
 *
 * Escrow: funding moves the amount out of the importer's balance into the contract's
 * `locked`; the units stay in the asset's supply (the invariant checker adds every
 * contract's locked to the sum of balances). Release moves locked to the exporter, less the
 * receiving zone's fee (destroyed, petro__zones_burn). Refund, resolution and amendments move
 * locked back. So per asset: sum(balances) + sum(locked) == issued - redeemed - burned.
 *
 * Turnover: every payment to an exporter out of escrow (release, or the exporter's share of a
 * resolution) adds one to count and the gross amount to value in four aggregates: total,
 * the exporter's zone, the contract's country pair and its HS chapter, each for the UTC
 * month of the block timestamp and the contract's asset. */
#include <string.h>

#include "internal.h"
#include "ops.h"
#include "state.h"

#define KEY_TRADE ((uint8_t)'C')
#define SUB_NEXT ((uint8_t)'n')
#define SUB_CONTRACT ((uint8_t)'c')
#define SUB_DOC ((uint8_t)'d')
#define SUB_STAT ((uint8_t)'s')

#define TEXT_ENC (1 + PETRO_TRADE_TEXT_MAX)
#define CREATE_ENC_MAX                                                                       \
    (32 + PETRO__ASSET_ENCODING_MAX + 8 + 4 + TEXT_ENC + 8 + 1 + PETRO_TRADE_UNIT_MAX + 1 +  \
     2 + 2 + 1 + PETRO_TRADE_DOCS_MAX + 1 + 32 * PETRO_TRADE_APPROVERS_MAX + 1 + 1 + 8 + 8)
#define CONTRACT_RECORD_MAX                                                                  \
    (8 + 32 + CREATE_ENC_MAX + 1 + 8 + 8 + 8 + 4 + 4 + 1 + 1 + 2 + 1 + 2 + 1 + 8 + 4 + 8 +  \
     8 + 8)
#define DOC_RECORD_MAX (32 + TEXT_ENC + 32 + 8 + 8)
#define STAT_KEY_MAX (2 + 1 + 4 + 4 + PETRO__ASSET_ENCODING_MAX)
_Static_assert(CONTRACT_RECORD_MAX <= PETRO_STORE_VALUE_SIZE_MAX, "contract fits");
_Static_assert(STAT_KEY_MAX <= PETRO_STORE_KEY_SIZE_MAX, "stat key fits");

/* ---------------------------------------------------------------- names and time */

static const char *const doc_names[PETRO_DOC_TYPE_MAX + 1] = {
    NULL,           "commercial_invoice",        "bill_of_lading",
    "certificate_of_origin", "inspection_certificate", "packing_list",
    "insurance_certificate", "phytosanitary_certificate", "air_waybill"};
static const char *const incoterm_names[PETRO_INCOTERM_MAX + 1] = {
    NULL, "EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"};
static const char *const state_names[PETRO_TRADE_STATE_MAX + 1] = {
    NULL, "created", "funded", "disputed", "released", "refunded", "resolved"};

const char *petro_trade_doc_name(uint8_t t) {
    return t <= PETRO_DOC_TYPE_MAX ? doc_names[t] : NULL;
}
const char *petro_trade_incoterm_name(uint8_t t) {
    return t <= PETRO_INCOTERM_MAX ? incoterm_names[t] : NULL;
}
const char *petro_trade_state_name(uint8_t s) {
    return s <= PETRO_TRADE_STATE_MAX ? state_names[s] : NULL;
}
int petro_trade_doc_from_name(uint8_t *out, const char *name) {
    for (uint8_t i = 1; i <= PETRO_DOC_TYPE_MAX; i++) {
        if (strcmp(doc_names[i], name) == 0) {
            *out = i;
            return 1;
        }
    }
    return 0;
}
int petro_trade_incoterm_from_name(uint8_t *out, const char *name) {
    for (uint8_t i = 1; i <= PETRO_INCOTERM_MAX; i++) {
        if (strcmp(incoterm_names[i], name) == 0) {
            *out = i;
            return 1;
        }
    }
    return 0;
}

uint32_t petro_trade_month(uint64_t unix_ms) {
    /* Days since 1970-01-01 to a proleptic Gregorian date (era arithmetic, 400-year eras,
     * March-based years so the leap day is last). */
    uint64_t z = unix_ms / 86400000u + 719468u;
    uint64_t era = z / 146097u;
    uint64_t doe = z - era * 146097u;
    uint64_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    uint64_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    uint64_t mp = (5u * doy + 2u) / 153u;
    uint64_t m = mp < 10u ? mp + 3u : mp - 9u;
    uint64_t y = yoe + era * 400u + (m <= 2u ? 1u : 0u);
    return (uint32_t)(y * 100u + m);
}

void petro_trade_amend_message(uint8_t out[PETRO_TRADE_AMEND_MESSAGE_SIZE],
                               const petro_hash *network_id, uint64_t contract_id,
                               uint32_t amend_count, petro_amount amount,
                               uint64_t shipment_deadline_ms, uint64_t expiry_ms) {
    petro__writer w;
    petro__w_init(&w, out, PETRO_TRADE_AMEND_MESSAGE_SIZE);
    petro__w_bytes(&w, network_id->bytes, sizeof network_id->bytes);
    petro__w_u64(&w, contract_id);
    petro__w_u32(&w, amend_count);
    petro__w_i64(&w, amount);
    petro__w_u64(&w, shipment_deadline_ms);
    petro__w_u64(&w, expiry_ms);
    PETRO_ASSERT(!w.is_overflow && w.size == PETRO_TRADE_AMEND_MESSAGE_SIZE);
}

void petro_trade_amend_sign(petro_sig *sig, const petro_hash *network_id, uint64_t contract_id,
                            uint32_t amend_count, petro_amount amount,
                            uint64_t shipment_deadline_ms, uint64_t expiry_ms,
                            const petro_seckey *sk) {
    uint8_t msg[PETRO_TRADE_AMEND_MESSAGE_SIZE];
    petro_trade_amend_message(msg, network_id, contract_id, amend_count, amount,
                              shipment_deadline_ms, expiry_ms);
    petro_sign_in(sig, PETRO_DOMAIN_TRADE_AMEND, msg, sizeof msg, sk);
}

/* ---------------------------------------------------------------- op codec */

static petro_result check_create(const petro_op_trade_create *o) {
    if (o->asset.kind == PETRO_ASSET_ISSUED && petro_asset_code_check(o->asset.code) != PETRO_OK) {
        return PETRO_ERR_BAD_ASSET_CODE;
    }
    petro_result rc = petro__check_positive(o->amount);
    if (rc == PETRO_OK) rc = petro__check_positive(o->quantity);
    if (rc != PETRO_OK) return rc;
    if (!petro__text_ok(o->description, PETRO_TRADE_TEXT_MAX) ||
        !petro__text_ok(o->unit, PETRO_TRADE_UNIT_MAX)) {
        return PETRO_ERR_BAD_TEXT;
    }
    if (!petro__country_ok(o->origin) || !petro__country_ok(o->destination)) {
        return PETRO_ERR_ZONE_BAD_COUNTRY;
    }
    if (o->hs_code < 10000u || o->hs_code > 979999u || o->incoterm == 0 ||
        o->incoterm > PETRO_INCOTERM_MAX || o->doc_count == 0 ||
        o->doc_count > PETRO_TRADE_DOCS_MAX || o->approver_count == 0 ||
        o->approver_count > PETRO_TRADE_APPROVERS_MAX || o->threshold == 0 ||
        o->threshold > o->approver_count || o->allow_partial > 1 ||
        o->shipment_deadline_ms >= o->expiry_ms) {
        return PETRO_ERR_TRADE_BAD_TERMS;
    }
    for (uint8_t i = 0; i < o->doc_count; i++) {
        if (o->doc_types[i] == 0 || o->doc_types[i] > PETRO_DOC_TYPE_MAX) {
            return PETRO_ERR_TRADE_BAD_TERMS;
        }
        for (uint8_t j = 0; j < i; j++) {
            if (o->doc_types[i] == o->doc_types[j]) return PETRO_ERR_TRADE_BAD_TERMS;
        }
    }
    for (uint8_t i = 0; i < o->approver_count; i++) {
        for (uint8_t j = 0; j < i; j++) {
            if (petro_pubkey_equal(&o->approvers[i], &o->approvers[j])) {
                return PETRO_ERR_TRADE_BAD_TERMS;
            }
        }
    }
    return PETRO_OK;
}

/* A contract record stores its terms as the trade_create operation's fields. */
static void encode_create(petro__writer *w, const petro_op_trade_create *o) {
    const petro_op_schema *schema = petro_op_schema_of(PETRO_OP_TRADE_CREATE);
    PETRO_ASSERT(schema != NULL);
    petro__fields_encode(w, schema, o);
}

static void decode_create(petro__reader *r, petro_op_trade_create *o) {
    const petro_op_schema *schema = petro_op_schema_of(PETRO_OP_TRADE_CREATE);
    PETRO_ASSERT(schema != NULL);
    petro__fields_decode(r, schema, o);
}

/* ---------------------------------------------------------------- records */

static void w_be64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (56 - 8 * i));
}
static void w_be32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (24 - 8 * i));
}
static uint64_t r_be64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}
static uint32_t r_be32(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | p[i];
    return v;
}

static size_t key_contract(uint8_t *k, uint64_t id) {
    k[0] = KEY_TRADE;
    k[1] = SUB_CONTRACT;
    w_be64(k + 2, id);
    return 10;
}

static size_t key_doc(uint8_t *k, uint64_t id, uint32_t shipment, uint8_t type) {
    k[0] = KEY_TRADE;
    k[1] = SUB_DOC;
    w_be64(k + 2, id);
    w_be32(k + 10, shipment);
    k[14] = type;
    return 15;
}

static size_t contract_encode(uint8_t *out, const petro_trade_contract *c) {
    petro__writer w;
    petro__w_init(&w, out, CONTRACT_RECORD_MAX);
    petro__w_u64(&w, c->id);
    petro__w_bytes(&w, c->importer.bytes, 32);
    encode_create(&w, &c->terms);
    petro__w_u8(&w, c->state);
    petro__w_i64(&w, c->locked);
    petro__w_i64(&w, c->released);
    petro__w_i64(&w, c->refunded);
    petro__w_u32(&w, c->shipment);
    petro__w_u32(&w, c->release_count);
    petro__w_u8(&w, c->approved_mask);
    petro__w_u8(&w, c->rejected_mask);
    petro__w_u16(&w, c->last_reason);
    petro__w_u8(&w, c->disputed_by);
    petro__w_u16(&w, c->dispute_reason);
    petro__w_u8(&w, c->resolve_mask);
    petro__w_i64(&w, c->resolve_amount);
    petro__w_u32(&w, c->amend_count);
    petro__w_u64(&w, c->created_height);
    petro__w_u64(&w, c->created_ms);
    petro__w_u64(&w, c->updated_height);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

static petro_result contract_decode(petro_trade_contract *c, const uint8_t *b, size_t size) {
    memset(c, 0, sizeof *c);
    petro__reader r;
    petro__r_init(&r, b, size);
    c->id = petro__r_u64(&r);
    petro__r_bytes(&r, c->importer.bytes, 32);
    decode_create(&r, &c->terms);
    c->state = petro__r_u8(&r);
    c->locked = petro__r_i64(&r);
    c->released = petro__r_i64(&r);
    c->refunded = petro__r_i64(&r);
    c->shipment = petro__r_u32(&r);
    c->release_count = petro__r_u32(&r);
    c->approved_mask = petro__r_u8(&r);
    c->rejected_mask = petro__r_u8(&r);
    c->last_reason = petro__r_u16(&r);
    c->disputed_by = petro__r_u8(&r);
    c->dispute_reason = petro__r_u16(&r);
    c->resolve_mask = petro__r_u8(&r);
    c->resolve_amount = petro__r_i64(&r);
    c->amend_count = petro__r_u32(&r);
    c->created_height = petro__r_u64(&r);
    c->created_ms = petro__r_u64(&r);
    c->updated_height = petro__r_u64(&r);
    if (!petro__r_done(&r) || c->state == 0 || c->state > PETRO_TRADE_STATE_MAX ||
        c->locked < 0 || c->released < 0 || c->refunded < 0 ||
        check_create(&c->terms) != PETRO_OK) {
        return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

/* The lock a contract record holds: its escrow, while locked > 0. */
static petro_result lock_of(const uint8_t *key, size_t key_size, const uint8_t *value,
                            size_t value_size, petro__lock *lock, size_t *count) {
    *count = 0;
    memset(lock, 0, sizeof *lock);
    petro_trade_contract c;
    if (key_size != 10) return PETRO_ERR_CORRUPT;
    petro_result rc = contract_decode(&c, value, value_size);
    if (rc != PETRO_OK) return rc;
    if (c.locked == 0) return PETRO_OK;
    lock->family = "trade";
    lock->id = c.id;
    lock->owner = c.importer;
    lock->asset = c.terms.asset;
    lock->amount = c.locked;
    *count = 1;
    return PETRO_OK;
}

static size_t doc_encode(uint8_t *out, const petro_trade_document *d) {
    petro__writer w;
    petro__w_init(&w, out, DOC_RECORD_MAX);
    petro__w_bytes(&w, d->doc_hash.bytes, 32);
    petro__w_text(&w, d->reference, PETRO_TRADE_TEXT_MAX);
    petro__w_bytes(&w, d->presenter.bytes, 32);
    petro__w_u64(&w, d->time_ms);
    petro__w_u64(&w, d->height);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

static petro_result doc_decode(petro_trade_document *d, const uint8_t *key, size_t key_size,
                               const uint8_t *b, size_t size) {
    memset(d, 0, sizeof *d);
    if (key_size != 15) return PETRO_ERR_CORRUPT;
    d->contract_id = r_be64(key + 2);
    d->shipment = r_be32(key + 10);
    d->doc_type = key[14];
    petro__reader r;
    petro__r_init(&r, b, size);
    petro__r_bytes(&r, d->doc_hash.bytes, 32);
    petro__r_text(&r, d->reference, PETRO_TRADE_TEXT_MAX);
    petro__r_bytes(&r, d->presenter.bytes, 32);
    d->time_ms = petro__r_u64(&r);
    d->height = petro__r_u64(&r);
    return petro__r_done(&r) ? PETRO_OK : PETRO_ERR_CORRUPT;
}

static petro_result load_contract(petro__op_ctx *ctx, uint64_t id, petro_trade_contract *c) {
    uint8_t key[10], buf[CONTRACT_RECORD_MAX];
    size_t size;
    bool found;
    petro_result rc =
        petro__op_get_raw(ctx, key, key_contract(key, id), buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_TRADE_NO_CONTRACT;
    return contract_decode(c, buf, size);
}

static petro_result put_contract(petro__op_ctx *ctx, petro_trade_contract *c) {
    c->updated_height = ctx->height;
    uint8_t key[10], buf[CONTRACT_RECORD_MAX];
    size_t size = contract_encode(buf, c);
    return petro__op_put_raw(ctx, key, key_contract(key, c->id), buf, size);
}

static petro_result doc_present(petro__op_ctx *ctx, const petro_trade_contract *c, uint8_t type,
                                bool *found) {
    uint8_t key[15], buf[DOC_RECORD_MAX];
    size_t size;
    return petro__op_get_raw(ctx, key, key_doc(key, c->id, c->shipment, type), buf, sizeof buf,
                             &size, found);
}

static petro_result all_docs_present(petro__op_ctx *ctx, const petro_trade_contract *c) {
    for (uint8_t i = 0; i < c->terms.doc_count; i++) {
        bool found;
        petro_result rc = doc_present(ctx, c, c->terms.doc_types[i], &found);
        if (rc != PETRO_OK) return rc;
        if (!found) return PETRO_ERR_TRADE_DOCS_MISSING;
    }
    return PETRO_OK;
}

static int approver_index(const petro_trade_contract *c, const petro_pubkey *k) {
    for (uint8_t i = 0; i < c->terms.approver_count; i++) {
        if (petro_pubkey_equal(&c->terms.approvers[i], k)) return i;
    }
    return -1;
}

static uint32_t popcount8(uint8_t m) {
    uint32_t n = 0;
    for (; m != 0; m = (uint8_t)(m & (m - 1))) n++;
    return n;
}

/* The state checks shared by present / approve / release / dispute / amend: the escrow must be
 * live (funded, not disputed). */
static petro_result need_funded(const petro_trade_contract *c) {
    switch (c->state) {
    case PETRO_TRADE_FUNDED:
        return PETRO_OK;
    case PETRO_TRADE_CREATED:
        return PETRO_ERR_TRADE_NOT_FUNDED;
    case PETRO_TRADE_DISPUTED:
        return PETRO_ERR_TRADE_DISPUTED;
    case PETRO_TRADE_REFUNDED:
        return PETRO_ERR_TRADE_REFUNDED;
    default:
        return PETRO_ERR_TRADE_CLOSED;
    }
}

static size_t key_stat(uint8_t *k, uint8_t group, const uint8_t *gkey, size_t gkey_size,
                       uint32_t month, const petro_asset *asset) {
    petro__writer w;
    petro__w_init(&w, k, STAT_KEY_MAX);
    petro__w_u8(&w, KEY_TRADE);
    petro__w_u8(&w, SUB_STAT);
    petro__w_u8(&w, group);
    petro__w_bytes(&w, gkey, gkey_size);
    uint8_t m[4];
    w_be32(m, month);
    petro__w_bytes(&w, m, 4);
    petro__w_asset(&w, asset);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

static petro_result add_stat(petro__op_ctx *ctx, uint8_t group, const uint8_t *gkey,
                             size_t gkey_size, const petro_asset *asset, petro_amount value) {
    uint8_t key[STAT_KEY_MAX], buf[16];
    size_t ks = key_stat(key, group, gkey, gkey_size, petro_trade_month(ctx->timestamp_ms), asset);
    size_t size;
    bool found;
    petro_result rc = petro__op_get_raw(ctx, key, ks, buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK) return rc;
    uint64_t count = 0;
    petro_amount total = 0;
    if (found) {
        if (size != 16) return PETRO_ERR_CORRUPT;
        petro__reader r;
        petro__r_init(&r, buf, size);
        count = petro__r_u64(&r);
        total = petro__r_i64(&r);
        if (!petro__r_done(&r) || total < 0) return PETRO_ERR_CORRUPT;
    }
    if (count == UINT64_MAX) return PETRO_ERR_AMOUNT_OVERFLOW;
    count++;
    rc = petro_amount_add(&total, total, value);
    if (rc != PETRO_OK) return rc;
    petro__writer w;
    petro__w_init(&w, buf, sizeof buf);
    petro__w_u64(&w, count);
    petro__w_i64(&w, total);
    return petro__op_put_raw(ctx, key, ks, buf, w.size);
}

static petro_result record_turnover(petro__op_ctx *ctx, const petro_trade_contract *c,
                                    uint32_t exporter_zone, petro_amount value) {
    const petro_asset *a = &c->terms.asset;
    uint8_t zone[4], pair[4], chapter = (uint8_t)(c->terms.hs_code / 10000u);
    w_be32(zone, exporter_zone);
    memcpy(pair, c->terms.origin, 2);
    memcpy(pair + 2, c->terms.destination, 2);
    petro_result rc = add_stat(ctx, PETRO_STATS_TOTAL, NULL, 0, a, value);
    if (rc == PETRO_OK) rc = add_stat(ctx, PETRO_STATS_ZONE, zone, 4, a, value);
    if (rc == PETRO_OK) rc = add_stat(ctx, PETRO_STATS_COUNTRY_PAIR, pair, 4, a, value);
    if (rc == PETRO_OK) rc = add_stat(ctx, PETRO_STATS_HS_CHAPTER, &chapter, 1, a, value);
    return rc;
}

/* Pay gross out of escrow to the exporter through the core transfer path, the importer as the
 * payer (so the exporter zone's policy applies and its fee is burned); the turnover is
 * recorded. */
static petro_result pay_exporter(petro__op_ctx *ctx, const petro_trade_contract *c,
                                 petro_amount gross) {
    if (gross == 0) return PETRO_OK;
    petro_account exporter;
    bool found;
    petro_result rc = petro__op_get_account(ctx, &exporter, &c->terms.exporter, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_CORRUPT;
    if ((exporter.flags & PETRO_ACCOUNT_FLAG_FROZEN) != 0) return PETRO_ERR_DEST_FROZEN;
    petro__transfer t = {.from = c->importer, .to = &exporter, .asset = c->terms.asset,
                         .amount = gross, .from_lock = true};
    rc = petro__transfer_run(ctx, &t);
    if (rc == PETRO_OK) rc = record_turnover(ctx, c, exporter.zone_id, gross);
    return rc;
}

/* ---------------------------------------------------------------- operations */

static petro_result op_trade_create(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_trade_create *o = &op->u.trade_create;
    if (petro_pubkey_equal(&o->exporter, &ctx->source)) return PETRO_ERR_TRADE_SELF_DEALING;
    for (uint8_t i = 0; i < o->approver_count; i++) {
        if (petro_pubkey_equal(&o->approvers[i], &ctx->source) ||
            petro_pubkey_equal(&o->approvers[i], &o->exporter)) {
            return PETRO_ERR_TRADE_SELF_DEALING;
        }
    }
    petro_account acct;
    bool found;
    petro_result rc = petro__op_get_account(ctx, &acct, &o->exporter, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_TRADE_NO_EXPORTER;
    for (uint8_t i = 0; i < o->approver_count; i++) {
        rc = petro__op_get_account(ctx, &acct, &o->approvers[i], &found);
        if (rc != PETRO_OK) return rc;
        if (!found) return PETRO_ERR_TRADE_NO_APPROVER_ACCOUNT;
    }
    petro_asset asset = o->asset.kind == PETRO_ASSET_NATIVE ? petro_asset_native() : o->asset;
    if (asset.kind == PETRO_ASSET_ISSUED) {
        petro_asset_info info;
        rc = petro__op_get_asset(ctx, &info, &asset, &found);
        if (rc != PETRO_OK) return rc;
        if (!found) return PETRO_ERR_NO_ASSET;
    }
    if (ctx->timestamp_ms >= o->shipment_deadline_ms) return PETRO_ERR_TRADE_DEADLINE_PASSED;

    const uint8_t nkey[2] = {KEY_TRADE, SUB_NEXT};
    uint8_t nbuf[8];
    size_t size;
    rc = petro__op_get_raw(ctx, nkey, 2, nbuf, sizeof nbuf, &size, &found);
    if (rc != PETRO_OK) return rc;
    uint64_t id = 1;
    if (found) {
        if (size != 8) return PETRO_ERR_CORRUPT;
        id = r_be64(nbuf);
        if (id == 0 || id == UINT64_MAX) return PETRO_ERR_CORRUPT;
    }
    w_be64(nbuf, id + 1);
    rc = petro__op_put_raw(ctx, nkey, 2, nbuf, 8);
    if (rc != PETRO_OK) return rc;

    petro_trade_contract c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.importer = ctx->source;
    c.terms = *o;
    c.terms.asset = asset;
    c.state = PETRO_TRADE_CREATED;
    c.shipment = 1;
    c.created_height = ctx->height;
    c.created_ms = ctx->timestamp_ms;
    return put_contract(ctx, &c);
}

static petro_result op_trade_fund(petro__op_ctx *ctx, const petro_op *op) {
    petro_trade_contract c;
    petro_result rc = load_contract(ctx, op->u.trade_id.contract_id, &c);
    if (rc != PETRO_OK) return rc;
    if (!petro_pubkey_equal(&ctx->source, &c.importer)) return PETRO_ERR_TRADE_NOT_IMPORTER;
    if (c.state == PETRO_TRADE_FUNDED || c.state == PETRO_TRADE_DISPUTED) {
        return PETRO_ERR_TRADE_ALREADY_FUNDED;
    }
    if (c.state == PETRO_TRADE_REFUNDED) return PETRO_ERR_TRADE_REFUNDED;
    if (c.state != PETRO_TRADE_CREATED) return PETRO_ERR_TRADE_CLOSED;
    if (ctx->timestamp_ms >= c.terms.expiry_ms) return PETRO_ERR_TRADE_EXPIRED;
    rc = petro__line_debit(ctx, &c.importer, &c.terms.asset, c.terms.amount);
    if (rc != PETRO_OK) return rc;
    c.locked = c.terms.amount;
    c.state = PETRO_TRADE_FUNDED;
    return put_contract(ctx, &c);
}

static petro_result op_trade_present(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_trade_present *o = &op->u.trade_present;
    petro_trade_contract c;
    petro_result rc = load_contract(ctx, o->contract_id, &c);
    if (rc != PETRO_OK) return rc;
    if (!petro_pubkey_equal(&ctx->source, &c.terms.exporter)) return PETRO_ERR_TRADE_NOT_EXPORTER;
    rc = need_funded(&c);
    if (rc != PETRO_OK) return rc;
    bool required = false;
    for (uint8_t i = 0; i < c.terms.doc_count; i++) {
        if (c.terms.doc_types[i] == o->doc_type) required = true;
    }
    if (!required) return PETRO_ERR_TRADE_DOC_NOT_REQUIRED;
    if (ctx->timestamp_ms > c.terms.shipment_deadline_ms) return PETRO_ERR_TRADE_DEADLINE_PASSED;
    bool found;
    rc = doc_present(ctx, &c, o->doc_type, &found);
    if (rc != PETRO_OK) return rc;
    if (found) return PETRO_ERR_TRADE_DOC_PRESENTED;
    petro_trade_document d;
    memset(&d, 0, sizeof d);
    d.doc_hash = o->doc_hash;
    memcpy(d.reference, o->reference, sizeof d.reference);
    d.presenter = ctx->source;
    d.time_ms = ctx->timestamp_ms;
    d.height = ctx->height;
    uint8_t key[15], buf[DOC_RECORD_MAX];
    size_t size = doc_encode(buf, &d);
    rc = petro__op_put_raw(ctx, key, key_doc(key, c.id, c.shipment, o->doc_type), buf, size);
    if (rc != PETRO_OK) return rc;
    return put_contract(ctx, &c);
}

static petro_result op_trade_approve(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_trade_approve *o = &op->u.trade_approve;
    petro_trade_contract c;
    petro_result rc = load_contract(ctx, o->contract_id, &c);
    if (rc != PETRO_OK) return rc;
    int idx = approver_index(&c, &ctx->source);
    if (idx < 0) return PETRO_ERR_TRADE_NOT_APPROVER;
    rc = need_funded(&c);
    if (rc != PETRO_OK) return rc;
    rc = all_docs_present(ctx, &c);
    if (rc != PETRO_OK) return rc;
    uint8_t bit = (uint8_t)(1u << idx);
    if (o->approve != 0) {
        if ((c.approved_mask & bit) != 0) return PETRO_ERR_TRADE_ALREADY_VOTED;
        c.approved_mask = (uint8_t)(c.approved_mask | bit);
        c.rejected_mask = (uint8_t)(c.rejected_mask & ~bit);
    } else {
        c.rejected_mask = (uint8_t)(c.rejected_mask | bit);
        c.approved_mask = (uint8_t)(c.approved_mask & ~bit);
        c.last_reason = o->reason;
    }
    return put_contract(ctx, &c);
}

static bool is_party_or_approver(const petro_trade_contract *c, const petro_pubkey *k) {
    return petro_pubkey_equal(k, &c->importer) || petro_pubkey_equal(k, &c->terms.exporter) ||
           approver_index(c, k) >= 0;
}

static petro_result op_trade_release(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_trade_release *o = &op->u.trade_release;
    petro_trade_contract c;
    petro_result rc = load_contract(ctx, o->contract_id, &c);
    if (rc != PETRO_OK) return rc;
    if (!is_party_or_approver(&c, &ctx->source)) return PETRO_ERR_TRADE_NOT_PARTY;
    rc = need_funded(&c);
    if (rc != PETRO_OK) return rc;
    rc = all_docs_present(ctx, &c);
    if (rc != PETRO_OK) return rc;
    if (popcount8(c.approved_mask) < c.terms.threshold) return PETRO_ERR_TRADE_APPROVALS_LOW;
    petro_amount amount = o->amount == 0 ? c.locked : o->amount;
    if (amount > c.locked) return PETRO_ERR_TRADE_EXCEEDS_ESCROW;
    if (c.terms.allow_partial == 0 && amount != c.locked) {
        return PETRO_ERR_TRADE_PARTIAL_NOT_ALLOWED;
    }
    rc = pay_exporter(ctx, &c, amount);
    if (rc != PETRO_OK) return rc;
    c.locked -= amount;
    c.released += amount;
    if (c.shipment == UINT32_MAX || c.release_count == UINT32_MAX) return PETRO_ERR_AMOUNT_OVERFLOW;
    c.shipment++;
    c.release_count++;
    c.approved_mask = 0;
    c.rejected_mask = 0;
    if (c.locked == 0) c.state = PETRO_TRADE_RELEASED;
    return put_contract(ctx, &c);
}

static petro_result op_trade_refund(petro__op_ctx *ctx, const petro_op *op) {
    petro_trade_contract c;
    petro_result rc = load_contract(ctx, op->u.trade_id.contract_id, &c);
    if (rc != PETRO_OK) return rc;
    if (!petro_pubkey_equal(&ctx->source, &c.importer)) return PETRO_ERR_TRADE_NOT_IMPORTER;
    rc = need_funded(&c);
    if (rc != PETRO_OK) return rc;
    if (ctx->timestamp_ms <= c.terms.expiry_ms) return PETRO_ERR_TRADE_NOT_EXPIRED;
    rc = petro__line_credit(ctx, &c.importer, &c.terms.asset, c.locked);
    if (rc != PETRO_OK) return rc;
    c.refunded += c.locked;
    c.locked = 0;
    c.state = PETRO_TRADE_REFUNDED;
    return put_contract(ctx, &c);
}

static petro_result op_trade_dispute(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_trade_dispute *o = &op->u.trade_dispute;
    petro_trade_contract c;
    petro_result rc = load_contract(ctx, o->contract_id, &c);
    if (rc != PETRO_OK) return rc;
    uint8_t by = petro_pubkey_equal(&ctx->source, &c.importer)          ? 1
                 : petro_pubkey_equal(&ctx->source, &c.terms.exporter) ? 2
                                                                        : 0;
    if (by == 0) return PETRO_ERR_TRADE_NOT_PARTY;
    rc = need_funded(&c);
    if (rc != PETRO_OK) return rc;
    c.state = PETRO_TRADE_DISPUTED;
    c.disputed_by = by;
    c.dispute_reason = o->reason;
    c.resolve_mask = 0;
    c.resolve_amount = 0;
    return put_contract(ctx, &c);
}

static petro_result op_trade_resolve(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_trade_resolve *o = &op->u.trade_resolve;
    petro_trade_contract c;
    petro_result rc = load_contract(ctx, o->contract_id, &c);
    if (rc != PETRO_OK) return rc;
    int idx = approver_index(&c, &ctx->source);
    if (idx < 0) return PETRO_ERR_TRADE_NOT_APPROVER;
    if (c.state == PETRO_TRADE_REFUNDED) return PETRO_ERR_TRADE_REFUNDED;
    if (c.state != PETRO_TRADE_DISPUTED) {
        return c.state == PETRO_TRADE_FUNDED || c.state == PETRO_TRADE_CREATED
                   ? PETRO_ERR_TRADE_NOT_DISPUTED
                   : PETRO_ERR_TRADE_CLOSED;
    }
    if (o->exporter_amount > c.locked) return PETRO_ERR_TRADE_EXCEEDS_ESCROW;
    uint8_t bit = (uint8_t)(1u << idx);
    if (c.resolve_mask != 0 && c.resolve_amount != o->exporter_amount) {
        c.resolve_mask = 0; /* a different settlement: the votes start again */
    }
    if ((c.resolve_mask & bit) != 0) return PETRO_ERR_TRADE_ALREADY_VOTED;
    c.resolve_mask = (uint8_t)(c.resolve_mask | bit);
    c.resolve_amount = o->exporter_amount;
    if (popcount8(c.resolve_mask) >= c.terms.threshold) {
        petro_amount to_importer = c.locked - o->exporter_amount;
        rc = pay_exporter(ctx, &c, o->exporter_amount);
        if (rc == PETRO_OK) {
            rc = petro__line_credit(ctx, &c.importer, &c.terms.asset, to_importer);
        }
        if (rc != PETRO_OK) return rc;
        c.released += o->exporter_amount;
        c.refunded += to_importer;
        if (o->exporter_amount > 0) c.release_count++;
        c.locked = 0;
        c.state = PETRO_TRADE_RESOLVED;
    }
    return put_contract(ctx, &c);
}

static petro_result op_trade_amend(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_trade_amend *o = &op->u.trade_amend;
    petro_trade_contract c;
    petro_result rc = load_contract(ctx, o->contract_id, &c);
    if (rc != PETRO_OK) return rc;
    const petro_pubkey *other;
    if (petro_pubkey_equal(&ctx->source, &c.importer)) {
        other = &c.terms.exporter;
    } else if (petro_pubkey_equal(&ctx->source, &c.terms.exporter)) {
        other = &c.importer;
    } else {
        return PETRO_ERR_TRADE_NOT_PARTY;
    }
    if (c.state != PETRO_TRADE_CREATED) {
        rc = need_funded(&c);
        if (rc != PETRO_OK) return rc;
    }
    uint8_t msg[PETRO_TRADE_AMEND_MESSAGE_SIZE];
    petro_trade_amend_message(msg, &ctx->network_id, c.id, c.amend_count, o->amount,
                              o->shipment_deadline_ms, o->expiry_ms);
    if (!petro_verify_in(&o->counter_sig, PETRO_DOMAIN_TRADE_AMEND, msg, sizeof msg, other)) {
        return PETRO_ERR_TRADE_BAD_COUNTER_SIG;
    }
    if (o->amount < c.released || (o->amount == c.released && c.state == PETRO_TRADE_FUNDED)) {
        return PETRO_ERR_TRADE_AMEND_BELOW_RELEASED;
    }
    if (c.state == PETRO_TRADE_FUNDED) {
        petro_amount delta = o->amount - c.terms.amount;
        rc = delta > 0 ? petro__line_debit(ctx, &c.importer, &c.terms.asset, delta)
                       : petro__line_credit(ctx, &c.importer, &c.terms.asset, -delta);
        if (rc != PETRO_OK) return rc;
        c.locked += delta;
    }
    if (c.amend_count == UINT32_MAX) return PETRO_ERR_AMOUNT_OVERFLOW;
    c.amend_count++;
    c.terms.amount = o->amount;
    c.terms.shipment_deadline_ms = o->shipment_deadline_ms;
    c.terms.expiry_ms = o->expiry_ms;
    return put_contract(ctx, &c);
}

/* ---------------------------------------------------------------- public reads */

petro_result petro_trade_get(const petro_store *store, petro_trade_contract *c, uint64_t id) {
    uint8_t key[10], buf[CONTRACT_RECORD_MAX];
    size_t size;
    bool found;
    petro_result rc =
        petro__store_get(store, key, key_contract(key, id), buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NOT_FOUND;
    return contract_decode(c, buf, size);
}

typedef struct trade_each {
    petro_trade_contract_cb ccb;
    petro_trade_document_cb dcb;
    petro_trade_stat_cb scb;
    void *cb_ctx;
    petro_result rc;
} trade_each;

static int each_contract(void *v, const uint8_t *key, size_t key_size, const uint8_t *value,
                         size_t value_size) {
    trade_each *e = v;
    petro_trade_contract c;
    if (key_size != 10 || contract_decode(&c, value, value_size) != PETRO_OK) {
        e->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    return e->ccb(e->cb_ctx, &c);
}

petro_result petro_trade_each(const petro_store *store, petro_trade_contract_cb cb, void *cb_ctx) {
    trade_each e = {cb, NULL, NULL, cb_ctx, PETRO_OK};
    const uint8_t prefix[2] = {KEY_TRADE, SUB_CONTRACT};
    petro_result rc = store->iter(store->ctx, prefix, 2, each_contract, &e);
    return rc != PETRO_OK ? rc : e.rc;
}

static int each_doc(void *v, const uint8_t *key, size_t key_size, const uint8_t *value,
                    size_t value_size) {
    trade_each *e = v;
    petro_trade_document d;
    if (doc_decode(&d, key, key_size, value, value_size) != PETRO_OK) {
        e->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    return e->dcb(e->cb_ctx, &d);
}

petro_result petro_trade_each_document(const petro_store *store, uint64_t contract_id,
                                       petro_trade_document_cb cb, void *cb_ctx) {
    trade_each e = {NULL, cb, NULL, cb_ctx, PETRO_OK};
    uint8_t prefix[10] = {KEY_TRADE, SUB_DOC};
    w_be64(prefix + 2, contract_id);
    petro_result rc = store->iter(store->ctx, prefix, 10, each_doc, &e);
    return rc != PETRO_OK ? rc : e.rc;
}

static int each_stat(void *v, const uint8_t *key, size_t key_size, const uint8_t *value,
                     size_t value_size) {
    trade_each *e = v;
    petro_trade_stat s;
    memset(&s, 0, sizeof s);
    petro__reader r;
    petro__r_init(&r, key + 2, key_size - 2);
    s.group = petro__r_u8(&r);
    uint8_t g[4];
    switch (s.group) {
    case PETRO_STATS_ZONE:
        petro__r_bytes(&r, g, 4);
        s.zone_id = r_be32(g);
        break;
    case PETRO_STATS_COUNTRY_PAIR:
        petro__r_country(&r, s.origin);
        petro__r_country(&r, s.destination);
        break;
    case PETRO_STATS_HS_CHAPTER:
        s.hs_chapter = petro__r_u8(&r);
        break;
    default:
        break;
    }
    petro__r_bytes(&r, g, 4);
    s.month = r_be32(g);
    petro__r_asset(&r, &s.asset);
    bool ok = petro__r_done(&r);
    petro__r_init(&r, value, value_size);
    s.count = petro__r_u64(&r);
    s.value = petro__r_i64(&r);
    if (!ok || !petro__r_done(&r)) {
        e->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    return e->scb(e->cb_ctx, &s);
}

petro_result petro_trade_each_stat(const petro_store *store, uint8_t group,
                                   petro_trade_stat_cb cb, void *cb_ctx) {
    trade_each e = {NULL, NULL, cb, cb_ctx, PETRO_OK};
    const uint8_t prefix[3] = {KEY_TRADE, SUB_STAT, group};
    petro_result rc = store->iter(store->ctx, prefix, 3, each_stat, &e);
    return rc != PETRO_OK ? rc : e.rc;
}

/* ---------------------------------------------------------------- family */

static petro_result check_create_op(const petro_op *op) { return check_create(&op->u.trade_create); }

static petro_result check_id(const petro_op *op) {
    return op->u.trade_id.contract_id == 0 ? PETRO_ERR_TRADE_NO_CONTRACT : PETRO_OK;
}

static petro_result check_present(const petro_op *op) {
    const petro_op_trade_present *o = &op->u.trade_present;
    if (o->contract_id == 0) return PETRO_ERR_TRADE_NO_CONTRACT;
    if (o->doc_type == 0 || o->doc_type > PETRO_DOC_TYPE_MAX) {
        return PETRO_ERR_TRADE_DOC_NOT_REQUIRED;
    }
    return petro__text_ok(o->reference, PETRO_TRADE_TEXT_MAX) ? PETRO_OK : PETRO_ERR_BAD_TEXT;
}

static petro_result check_approve(const petro_op *op) {
    const petro_op_trade_approve *o = &op->u.trade_approve;
    if (o->contract_id == 0) return PETRO_ERR_TRADE_NO_CONTRACT;
    if (o->approve > 1) return PETRO_ERR_MALFORMED;
    if (o->approve == 0 && o->reason == 0) return PETRO_ERR_TRADE_BAD_REASON;
    return PETRO_OK;
}

static petro_result check_release(const petro_op *op) {
    if (op->u.trade_release.contract_id == 0) return PETRO_ERR_TRADE_NO_CONTRACT;
    if (op->u.trade_release.amount == 0) return PETRO_OK; /* the whole escrow */
    return petro__check_positive(op->u.trade_release.amount);
}

static petro_result check_dispute(const petro_op *op) {
    if (op->u.trade_dispute.contract_id == 0) return PETRO_ERR_TRADE_NO_CONTRACT;
    return op->u.trade_dispute.reason == 0 ? PETRO_ERR_TRADE_BAD_REASON : PETRO_OK;
}

static petro_result check_resolve(const petro_op *op) {
    if (op->u.trade_resolve.contract_id == 0) return PETRO_ERR_TRADE_NO_CONTRACT;
    return petro__check_non_negative(op->u.trade_resolve.exporter_amount);
}

static petro_result check_amend(const petro_op *op) {
    const petro_op_trade_amend *o = &op->u.trade_amend;
    if (o->contract_id == 0) return PETRO_ERR_TRADE_NO_CONTRACT;
    petro_result rc = petro__check_positive(o->amount);
    if (rc != PETRO_OK) return rc;
    return o->shipment_deadline_ms < o->expiry_ms ? PETRO_OK : PETRO_ERR_TRADE_BAD_TERMS;
}

/* Every operation but create names a contract by its first field (contract_id, u64): its
 * importer and exporter are parties, read from state (nothing without it). */
static petro_result contract_accounts(petro__account_list *l, const petro_store *state,
                                      const petro_op *op) {
    if (state == NULL) return PETRO_OK;
    uint64_t id;
    memcpy(&id, petro_op_fields_const(op), sizeof id);
    petro_trade_contract c;
    petro_result rc = petro_trade_get(state, &c, id);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_OK;
    if (rc != PETRO_OK) return rc;
    rc = petro__account_list_add(l, &c.importer);
    if (rc == PETRO_OK) rc = petro__account_list_add(l, &c.terms.exporter);
    return rc;
}

#define ENUM PETRO_FIELD_F_ENUM
#define ID(st) PETRO__F(st, contract_id, "contract_id", PETRO_FIELD_U64, .min = 1, \
                        .doc = "the contract")
static const petro_field create_fields[] = {
    PETRO__F(petro_op_trade_create, exporter, "exporter", PETRO_FIELD_PUBKEY,
             .flags = PETRO_FIELD_F_PARTY, .doc = "the seller; paid out of escrow"),
    PETRO__F(petro_op_trade_create, asset, "asset", PETRO_FIELD_ASSET, .doc = "settlement asset"),
    PETRO__F(petro_op_trade_create, amount, "amount", PETRO_FIELD_AMOUNT, .min = 1,
             .max = PETRO_SUPPLY_MAX, .doc = "contract value, > 0"),
    PETRO__F(petro_op_trade_create, hs_code, "hs_code", PETRO_FIELD_U32, .min = 10000,
             .max = 979999, .doc = "6-digit HS code of the goods"),
    PETRO__F(petro_op_trade_create, description, "description", PETRO_FIELD_TEXT,
             .text_max = PETRO_TRADE_TEXT_MAX, .doc = "the goods"),
    PETRO__F(petro_op_trade_create, quantity, "quantity", PETRO_FIELD_AMOUNT, .min = 1,
             .max = PETRO_SUPPLY_MAX, .doc = "quantity, 8 decimals"),
    PETRO__F(petro_op_trade_create, unit, "unit", PETRO_FIELD_TEXT,
             .text_max = PETRO_TRADE_UNIT_MAX, .doc = "unit of the quantity (t, kg, pcs)"),
    PETRO__F(petro_op_trade_create, incoterm, "incoterm", PETRO_FIELD_U8, .flags = ENUM,
             .min = 1, .max = PETRO_INCOTERM_MAX, .names = incoterm_names,
             .name_count = PETRO_INCOTERM_MAX + 1, .doc = "Incoterms 2020 rule"),
    PETRO__F(petro_op_trade_create, origin, "origin", PETRO_FIELD_COUNTRY,
             .doc = "exporting country"),
    PETRO__F(petro_op_trade_create, destination, "destination", PETRO_FIELD_COUNTRY,
             .doc = "importing country"),
    PETRO__LIST(petro_op_trade_create, doc_types, doc_count, "documents", PETRO_FIELD_U8,
                PETRO_TRADE_DOCS_MAX, .size_min = 1, .flags = ENUM, .min = 1, .max = PETRO_DOC_TYPE_MAX,
                .names = doc_names, .name_count = PETRO_DOC_TYPE_MAX + 1,
                .doc = "required document types, distinct"),
    PETRO__LIST(petro_op_trade_create, approvers, approver_count, "approvers",
                PETRO_FIELD_PUBKEY, PETRO_TRADE_APPROVERS_MAX, .size_min = 1,
                .flags = PETRO_FIELD_F_PARTY,
                .doc = "inspector accounts, distinct"),
    PETRO__F(petro_op_trade_create, threshold, "threshold", PETRO_FIELD_U8, .min = 1,
             .max = PETRO_TRADE_APPROVERS_MAX, .doc = "approvals needed, <= approvers"),
    PETRO__F(petro_op_trade_create, allow_partial, "allow_partial", PETRO_FIELD_U8,
             .flags = PETRO_FIELD_F_BOOLEAN | PETRO_FIELD_F_OPTIONAL, .max = 1,
             .doc = "partial shipments and releases"),
    PETRO__F(petro_op_trade_create, shipment_deadline_ms, "shipment_deadline_ms",
             PETRO_FIELD_U64, .doc = "documents due by, unix ms"),
    PETRO__F(petro_op_trade_create, expiry_ms, "expiry_ms", PETRO_FIELD_U64,
             .doc = "refund possible after, unix ms, > the deadline"),
};
static const petro_field id_fields[] = {ID(petro_op_trade_id)};
static const petro_field present_fields[] = {
    ID(petro_op_trade_present),
    PETRO__F(petro_op_trade_present, doc_type, "document", PETRO_FIELD_U8, .flags = ENUM,
             .min = 1, .max = PETRO_DOC_TYPE_MAX, .names = doc_names,
             .name_count = PETRO_DOC_TYPE_MAX + 1, .doc = "document type"),
    PETRO__F(petro_op_trade_present, doc_hash, "document_hash", PETRO_FIELD_HASH,
             .doc = "hash of the document"),
    PETRO__F(petro_op_trade_present, reference, "reference", PETRO_FIELD_TEXT,
             .text_max = PETRO_TRADE_TEXT_MAX, .flags = PETRO_FIELD_F_OPTIONAL,
             .doc = "the document's number"),
};
static const petro_field approve_fields[] = {
    ID(petro_op_trade_approve),
    PETRO__F(petro_op_trade_approve, approve, "approve", PETRO_FIELD_BOOL,
             .doc = "true approves, false rejects"),
    PETRO__F(petro_op_trade_approve, reason, "reason", PETRO_FIELD_U16,
             .flags = PETRO_FIELD_F_OPTIONAL, .max = 65535,
             .doc = "rejection reason code, > 0 when rejecting"),
};
static const petro_field release_fields[] = {
    ID(petro_op_trade_release),
    PETRO__F(petro_op_trade_release, amount, "amount", PETRO_FIELD_AMOUNT,
             .flags = PETRO_FIELD_F_OPTIONAL, .min = 0, .max = PETRO_SUPPLY_MAX,
             .doc = "amount released; 0 = the whole escrow"),
};
static const petro_field dispute_fields[] = {
    ID(petro_op_trade_dispute),
    PETRO__F(petro_op_trade_dispute, reason, "reason", PETRO_FIELD_U16, .min = 1, .max = 65535,
             .doc = "dispute reason code, > 0"),
};
static const petro_field resolve_fields[] = {
    ID(petro_op_trade_resolve),
    PETRO__F(petro_op_trade_resolve, exporter_amount, "exporter_amount", PETRO_FIELD_AMOUNT,
             .min = 0, .max = PETRO_SUPPLY_MAX, .doc = "the exporter's share; the rest refunds"),
};
static const petro_field amend_fields[] = {
    ID(petro_op_trade_amend),
    PETRO__F(petro_op_trade_amend, amount, "amount", PETRO_FIELD_AMOUNT, .min = 1,
             .max = PETRO_SUPPLY_MAX, .doc = "new contract value"),
    PETRO__F(petro_op_trade_amend, shipment_deadline_ms, "shipment_deadline_ms",
             PETRO_FIELD_U64, .doc = "new document deadline, unix ms"),
    PETRO__F(petro_op_trade_amend, expiry_ms, "expiry_ms", PETRO_FIELD_U64,
             .doc = "new expiry, unix ms"),
    PETRO__F(petro_op_trade_amend, counter_sig, "counter_sig", PETRO_FIELD_SIG,
             .doc = "the other party's signature over the amendment"),
};
#undef ID
#undef ENUM

#define OP(t, nm, st, fl, sum) \
    PETRO__OP_SCHEMA("trade", t, nm, PETRO_THRESHOLD_MEDIUM, st, fl, sum)

static const petro__op_def ops[] = {
    {OP(PETRO_OP_TRADE_CREATE, "trade_create", petro_op_trade_create, create_fields,
        "the importer proposes a contract"),
     .check = check_create_op, .apply = op_trade_create},
    {OP(PETRO_OP_TRADE_FUND, "trade_fund", petro_op_trade_id, id_fields,
        "the importer moves the contract value into escrow"),
     .check = check_id, .apply = op_trade_fund, .accounts = contract_accounts},
    {OP(PETRO_OP_TRADE_PRESENT, "trade_present", petro_op_trade_present, present_fields,
        "the exporter presents a document of the shipment"),
     .check = check_present, .apply = op_trade_present, .accounts = contract_accounts},
    {OP(PETRO_OP_TRADE_APPROVE, "trade_approve", petro_op_trade_approve, approve_fields,
        "an approver approves or rejects the documents"),
     .check = check_approve, .apply = op_trade_approve, .accounts = contract_accounts},
    {OP(PETRO_OP_TRADE_RELEASE, "trade_release", petro_op_trade_release, release_fields,
        "pays escrow to the exporter once the documents are approved"),
     .check = check_release, .apply = op_trade_release, .accounts = contract_accounts},
    {OP(PETRO_OP_TRADE_REFUND, "trade_refund", petro_op_trade_id, id_fields,
        "returns the escrow to the importer after expiry"),
     .check = check_id, .apply = op_trade_refund, .accounts = contract_accounts},
    {OP(PETRO_OP_TRADE_DISPUTE, "trade_dispute", petro_op_trade_dispute, dispute_fields,
        "a party opens a dispute"),
     .check = check_dispute, .apply = op_trade_dispute, .accounts = contract_accounts},
    {OP(PETRO_OP_TRADE_RESOLVE, "trade_resolve", petro_op_trade_resolve, resolve_fields,
        "an approver votes to split a disputed escrow"),
     .check = check_resolve, .apply = op_trade_resolve, .accounts = contract_accounts},
    {OP(PETRO_OP_TRADE_AMEND, "trade_amend", petro_op_trade_amend, amend_fields,
        "the parties amend amount and dates"),
     .check = check_amend, .apply = op_trade_amend, .accounts = contract_accounts},
};

const petro__family petro__family_trade = {
    .info = {.name = "trade", .summary = "trade contracts with document-bound escrow",
             .op_count = PETRO__COUNT(ops), .state_prefix = KEY_TRADE},
    .ops = ops,
    .lock_prefix = PETRO__KEY_TRADE_CONTRACT_PREFIX,
    .lock_of = lock_of,
};
