/* Operation family "zones" (op types 40..44, result codes 650..699; docs/protocol.md "Zones"):
 * economic zones created by the genesis zone authorities, their policies (fee, allowed
 * assets, per-transaction limit, minimum KYC tier), account assignment, KYC tiers (interim,
 * until the compliance family exists) and bilateral turnover targets.
 *
 * State (prefix 'Z'):
 *   'Z' 'a'                        zone authorities: u8 count, count x pubkey
 *   'Z' 'z' zone_id(u32 BE)        zone record
 *   'Z' 't' origin(2) dest(2) asset  turnover target
 *
 * The policy of the receiving zone applies to payments and trade releases
 * (petro__zones_inbound); the zone fee is destroyed (added to the asset's burned), like
 * transaction fees, so the invariant sum(balances) + escrow == issued - redeemed - burned
 * holds without a zone treasury holding every asset. */
#include <string.h>

#include "internal.h"
#include "ops.h"
#include "state.h"

#define KEY_ZONES ((uint8_t)'Z')
#define SUB_AUTH ((uint8_t)'a')
#define SUB_ZONE ((uint8_t)'z')
#define SUB_TARGET ((uint8_t)'t')

#define AUTH_RECORD_MAX (1 + PETRO_ZONE_AUTHORITIES_MAX * 32)
#define ZONE_RECORD_MAX                                                                      \
    (4 + 1 + PETRO_TRADE_TEXT_MAX + 2 + 32 + 2 + 8 + 1 + 1 +                                 \
     PETRO_ZONE_ASSETS_MAX * PETRO__ASSET_ENCODING_MAX + 8)
#define TARGET_RECORD_MAX (2 + 2 + PETRO__ASSET_ENCODING_MAX + 2 + 2 + 4 + 32 + 8)
#define TARGET_KEY_MAX (2 + 4 + PETRO__ASSET_ENCODING_MAX)
_Static_assert(ZONE_RECORD_MAX <= PETRO_STORE_VALUE_SIZE_MAX, "zone fits");

/* ---------------------------------------------------------------- op codec */

static petro_result check_policy(const petro_op_zone_policy *o) {
    if (o->zone_id == 0) return PETRO_ERR_ZONE_MISSING;
    if (o->fee_bps > PETRO_ZONE_FEE_BPS_MAX || o->tx_limit < 0 ||
        o->tx_limit > PETRO_SUPPLY_MAX || o->min_kyc_tier > PETRO_KYC_TIER_MAX ||
        o->asset_count > PETRO_ZONE_ASSETS_MAX) {
        return PETRO_ERR_ZONE_BAD_POLICY;
    }
    for (uint8_t i = 0; i < o->asset_count; i++) {
        if (o->assets[i].kind == PETRO_ASSET_ISSUED &&
            petro_asset_code_check(o->assets[i].code) != PETRO_OK) {
            return PETRO_ERR_BAD_ASSET_CODE;
        }
        for (uint8_t j = 0; j < i; j++) {
            if (petro_asset_equal(&o->assets[i], &o->assets[j])) return PETRO_ERR_ZONE_BAD_POLICY;
        }
    }
    return PETRO_OK;
}

/* ---------------------------------------------------------------- records */

static size_t key_zone(uint8_t *k, uint32_t id) {
    k[0] = KEY_ZONES;
    k[1] = SUB_ZONE;
    for (int i = 0; i < 4; i++) k[2 + i] = (uint8_t)(id >> (24 - 8 * i));
    return 6;
}

static size_t zone_encode(uint8_t *out, const petro_zone *z) {
    petro__writer w;
    petro__w_init(&w, out, ZONE_RECORD_MAX);
    petro__w_u32(&w, z->id);
    petro__w_text(&w, z->name, PETRO_TRADE_TEXT_MAX);
    petro__w_country(&w, z->country);
    petro__w_bytes(&w, z->authority.bytes, 32);
    petro__w_u16(&w, z->fee_bps);
    petro__w_i64(&w, z->tx_limit);
    petro__w_u8(&w, z->min_kyc_tier);
    petro__w_u8(&w, z->asset_count);
    for (uint8_t i = 0; i < z->asset_count; i++) petro__w_asset(&w, &z->assets[i]);
    petro__w_u64(&w, z->created_height);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

static petro_result zone_decode(petro_zone *z, const uint8_t *b, size_t size) {
    memset(z, 0, sizeof *z);
    petro__reader r;
    petro__r_init(&r, b, size);
    z->id = petro__r_u32(&r);
    petro__r_text(&r, z->name, PETRO_TRADE_TEXT_MAX);
    petro__r_country(&r, z->country);
    petro__r_bytes(&r, z->authority.bytes, 32);
    z->fee_bps = petro__r_u16(&r);
    z->tx_limit = petro__r_i64(&r);
    z->min_kyc_tier = petro__r_u8(&r);
    z->asset_count = petro__r_u8(&r);
    if (z->asset_count > PETRO_ZONE_ASSETS_MAX) return PETRO_ERR_CORRUPT;
    for (uint8_t i = 0; i < z->asset_count; i++) petro__r_asset(&r, &z->assets[i]);
    z->created_height = petro__r_u64(&r);
    if (!petro__r_done(&r) || z->fee_bps > PETRO_ZONE_FEE_BPS_MAX || z->tx_limit < 0) {
        return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

static petro_result load_zone(petro__op_ctx *ctx, uint32_t id, petro_zone *z, bool *found) {
    uint8_t key[6], buf[ZONE_RECORD_MAX];
    size_t size;
    petro_result rc = petro__op_get_raw(ctx, key, key_zone(key, id), buf, sizeof buf, &size, found);
    if (rc != PETRO_OK || !*found) return rc;
    return zone_decode(z, buf, size);
}

static petro_result put_zone(petro__op_ctx *ctx, const petro_zone *z) {
    uint8_t key[6], buf[ZONE_RECORD_MAX];
    size_t size = zone_encode(buf, z);
    return petro__op_put_raw(ctx, key, key_zone(key, z->id), buf, size);
}

static petro_result is_authority(petro__op_ctx *ctx, const petro_pubkey *who, bool *yes) {
    *yes = false;
    const uint8_t key[2] = {KEY_ZONES, SUB_AUTH};
    uint8_t buf[AUTH_RECORD_MAX];
    size_t size;
    bool found;
    petro_result rc = petro__op_get_raw(ctx, key, 2, buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK || !found) return rc;
    if (size < 1 || size != 1 + (size_t)buf[0] * 32) return PETRO_ERR_CORRUPT;
    for (uint8_t i = 0; i < buf[0]; i++) {
        if (memcmp(buf + 1 + 32 * (size_t)i, who->bytes, 32) == 0) *yes = true;
    }
    return PETRO_OK;
}

/* ---------------------------------------------------------------- policy on transfers */

/* floor(amount * fee_bps / 10000); not static: tests/unit/test_zones.c checks its ends. */
petro_result petro__zones_fee(petro_amount amount, uint16_t fee_bps, petro_amount *fee);
petro_result petro__zones_fee(petro_amount amount, uint16_t fee_bps, petro_amount *fee) {
    /* floor(amount * bps / 10000) without overflow: amount = q * 10000 + r. */
    petro_amount q = amount / 10000, r = amount % 10000;
    *fee = q * fee_bps + (r * fee_bps) / 10000;
    return PETRO_OK;
}

/* The transfer hook: the receiving account's zone policy (allowed assets, per-transfer limit,
 * the payer's minimum KYC tier) and its fee, floor(amount * fee_bps / 10000), which the
 * transfer path burns. No zone: nothing. */
static petro_result on_transfer(petro__op_ctx *ctx, petro__transfer *t) {
    if (t->to->zone_id == 0) return PETRO_OK;
    petro_account payer;
    bool found;
    petro_result rc = petro__op_get_account(ctx, &payer, &t->from, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_CORRUPT;
    petro_zone z;
    rc = load_zone(ctx, t->to->zone_id, &z, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_CORRUPT; /* assignment checks the zone exists */
    if (z.asset_count > 0) {
        bool allowed = false;
        for (uint8_t i = 0; i < z.asset_count; i++) {
            if (petro_asset_equal(&z.assets[i], &t->asset)) allowed = true;
        }
        if (!allowed) return PETRO_ERR_ZONE_ASSET_NOT_ALLOWED;
    }
    if (z.tx_limit > 0 && t->amount > z.tx_limit) return PETRO_ERR_ZONE_LIMIT_EXCEEDED;
    if (payer.kyc_tier < z.min_kyc_tier) return PETRO_ERR_ZONE_KYC_TIER_LOW;
    petro_amount fee;
    rc = petro__zones_fee(t->amount, z.fee_bps, &fee);
    if (rc != PETRO_OK) return rc;
    return petro_amount_add(&t->fee, t->fee, fee);
}

/* ---------------------------------------------------------------- operations */

static petro_result op_zone_create(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_zone_create *o = &op->u.zone_create;
    bool yes;
    petro_result rc = is_authority(ctx, &ctx->source, &yes);
    if (rc != PETRO_OK) return rc;
    if (!yes) return PETRO_ERR_ZONE_NOT_AUTHORITY;
    petro_zone z;
    bool found;
    rc = load_zone(ctx, o->zone_id, &z, &found);
    if (rc != PETRO_OK) return rc;
    if (found) return PETRO_ERR_ZONE_EXISTS;
    memset(&z, 0, sizeof z);
    z.id = o->zone_id;
    memcpy(z.name, o->name, sizeof z.name);
    memcpy(z.country, o->country, sizeof z.country);
    z.authority = ctx->source;
    z.created_height = ctx->height;
    return put_zone(ctx, &z);
}

static petro_result own_zone(petro__op_ctx *ctx, uint32_t id, petro_zone *z) {
    bool found;
    petro_result rc = load_zone(ctx, id, z, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_ZONE_MISSING;
    if (!petro_pubkey_equal(&z->authority, &ctx->source)) return PETRO_ERR_ZONE_WRONG_AUTHORITY;
    return PETRO_OK;
}

static petro_result op_zone_policy(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_zone_policy *o = &op->u.zone_policy;
    petro_zone z;
    petro_result rc = own_zone(ctx, o->zone_id, &z);
    if (rc != PETRO_OK) return rc;
    for (uint8_t i = 0; i < o->asset_count; i++) {
        if (o->assets[i].kind == PETRO_ASSET_NATIVE) continue;
        petro_asset_info info;
        bool found;
        rc = petro__op_get_asset(ctx, &info, &o->assets[i], &found);
        if (rc != PETRO_OK) return rc;
        if (!found) return PETRO_ERR_NO_ASSET;
    }
    z.fee_bps = o->fee_bps;
    z.tx_limit = o->tx_limit;
    z.min_kyc_tier = o->min_kyc_tier;
    z.asset_count = o->asset_count;
    memset(z.assets, 0, sizeof z.assets);
    for (uint8_t i = 0; i < o->asset_count; i++) {
        z.assets[i] = o->assets[i].kind == PETRO_ASSET_NATIVE ? petro_asset_native() : o->assets[i];
    }
    return put_zone(ctx, &z);
}

static petro_result op_zone_assign(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_zone_assign *o = &op->u.zone_assign;
    petro_account acct;
    bool found;
    petro_result rc = petro__op_get_account(ctx, &acct, &o->account, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_ZONE_NO_ACCOUNT;
    petro_zone z;
    if (o->zone_id != 0) {
        rc = own_zone(ctx, o->zone_id, &z);
    } else if (acct.zone_id != 0) {
        rc = own_zone(ctx, acct.zone_id, &z); /* only the current zone's authority removes */
    } else {
        bool yes;
        rc = is_authority(ctx, &ctx->source, &yes);
        if (rc == PETRO_OK && !yes) rc = PETRO_ERR_ZONE_NOT_AUTHORITY;
    }
    if (rc != PETRO_OK) return rc;
    acct.zone_id = o->zone_id;
    return petro__op_put_account(ctx, &acct);
}

static petro_result op_set_kyc_tier(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_set_kyc_tier *o = &op->u.set_kyc_tier;
    bool yes;
    petro_result rc = is_authority(ctx, &ctx->source, &yes);
    if (rc != PETRO_OK) return rc;
    if (!yes) return PETRO_ERR_ZONE_NOT_AUTHORITY;
    petro_account acct;
    bool found;
    rc = petro__op_get_account(ctx, &acct, &o->account, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_ZONE_NO_ACCOUNT;
    acct.kyc_tier = o->tier;
    return petro__op_put_account(ctx, &acct);
}

static size_t key_target(uint8_t *k, const char *origin, const char *dest,
                         const petro_asset *asset) {
    petro__writer w;
    petro__w_init(&w, k, TARGET_KEY_MAX);
    petro__w_u8(&w, KEY_ZONES);
    petro__w_u8(&w, SUB_TARGET);
    petro__w_country(&w, origin);
    petro__w_country(&w, dest);
    petro__w_asset(&w, asset);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

static petro_result op_trade_target(petro__op_ctx *ctx, const petro_op *op) {
    const petro_op_trade_target *o = &op->u.trade_target;
    bool yes;
    petro_result rc = is_authority(ctx, &ctx->source, &yes);
    if (rc != PETRO_OK) return rc;
    if (!yes) return PETRO_ERR_ZONE_NOT_AUTHORITY;
    petro_asset asset = o->asset.kind == PETRO_ASSET_NATIVE ? petro_asset_native() : o->asset;
    if (asset.kind == PETRO_ASSET_ISSUED) {
        petro_asset_info info;
        bool found;
        rc = petro__op_get_asset(ctx, &info, &asset, &found);
        if (rc != PETRO_OK) return rc;
        if (!found) return PETRO_ERR_NO_ASSET;
    }
    uint8_t key[TARGET_KEY_MAX], buf[TARGET_RECORD_MAX];
    size_t ks = key_target(key, o->origin, o->destination, &asset);
    petro__writer w;
    petro__w_init(&w, buf, sizeof buf);
    petro__w_u16(&w, o->base_year);
    petro__w_u16(&w, o->target_year);
    petro__w_u32(&w, o->growth_bps);
    petro__w_bytes(&w, ctx->source.bytes, 32);
    petro__w_u64(&w, ctx->height);
    PETRO_ASSERT(!w.is_overflow);
    return petro__op_put_raw(ctx, key, ks, buf, w.size);
}

/* ---------------------------------------------------------------- genesis */

static bool is_genesis_account(const petro_genesis *g, const petro_pubkey *k) {
    for (uint32_t i = 0; i < g->account_count; i++) {
        if (petro_pubkey_equal(&g->accounts[i].id, k)) return true;
    }
    return false;
}

static petro_result genesis_check(const petro_genesis *g) {
    if (g->zone_authority_count > PETRO_ZONE_AUTHORITIES_MAX ||
        g->zone_count > PETRO_GENESIS_ZONES_MAX || g->member_count > PETRO_GENESIS_MEMBERS_MAX) {
        return PETRO_ERR_MALFORMED;
    }
    for (uint32_t i = 0; i < g->zone_authority_count; i++) {
        if (!is_genesis_account(g, &g->zone_authorities[i])) return PETRO_ERR_MALFORMED;
        for (uint32_t j = 0; j < i; j++) {
            if (petro_pubkey_equal(&g->zone_authorities[i], &g->zone_authorities[j])) {
                return PETRO_ERR_MALFORMED;
            }
        }
    }
    for (uint32_t i = 0; i < g->zone_count; i++) {
        const petro_genesis_zone *z = &g->zones[i];
        if (z->id == 0) return PETRO_ERR_ZONE_MISSING;
        if (!petro__country_ok(z->country)) return PETRO_ERR_ZONE_BAD_COUNTRY;
        if (!petro__text_ok(z->name, PETRO_TRADE_TEXT_MAX) || z->name[0] == '\0') {
            return PETRO_ERR_BAD_TEXT;
        }
        if (z->fee_bps > PETRO_ZONE_FEE_BPS_MAX || z->tx_limit < 0 ||
            z->tx_limit > PETRO_SUPPLY_MAX || z->min_kyc_tier > PETRO_KYC_TIER_MAX) {
            return PETRO_ERR_ZONE_BAD_POLICY;
        }
        bool auth = false;
        for (uint32_t j = 0; j < g->zone_authority_count; j++) {
            if (petro_pubkey_equal(&g->zone_authorities[j], &z->authority)) auth = true;
        }
        if (!auth) return PETRO_ERR_ZONE_NOT_AUTHORITY;
        for (uint32_t j = 0; j < i; j++) {
            if (g->zones[j].id == z->id) return PETRO_ERR_ZONE_EXISTS;
        }
    }
    for (uint32_t i = 0; i < g->member_count; i++) {
        const petro_genesis_member *m = &g->members[i];
        if (!is_genesis_account(g, &m->account)) return PETRO_ERR_MALFORMED;
        if (m->kyc_tier > PETRO_KYC_TIER_MAX) return PETRO_ERR_ZONE_BAD_POLICY;
        bool zone_ok = m->zone_id == 0;
        for (uint32_t j = 0; j < g->zone_count; j++) {
            if (g->zones[j].id == m->zone_id) zone_ok = true;
        }
        if (!zone_ok) return PETRO_ERR_ZONE_MISSING;
        for (uint32_t j = 0; j < i; j++) {
            if (petro_pubkey_equal(&g->members[j].account, &m->account)) return PETRO_ERR_MALFORMED;
        }
    }
    return PETRO_OK;
}

static void genesis_encode(petro__writer *w, const petro_genesis *g) {
    petro__w_u32(w, g->zone_authority_count);
    for (uint32_t i = 0; i < g->zone_authority_count && i < PETRO_ZONE_AUTHORITIES_MAX; i++) {
        petro__w_bytes(w, g->zone_authorities[i].bytes, 32);
    }
    petro__w_u32(w, g->zone_count);
    for (uint32_t i = 0; i < g->zone_count && i < PETRO_GENESIS_ZONES_MAX; i++) {
        const petro_genesis_zone *z = &g->zones[i];
        petro__w_u32(w, z->id);
        petro__w_text(w, z->name, PETRO_TRADE_TEXT_MAX);
        petro__w_country(w, z->country);
        petro__w_bytes(w, z->authority.bytes, 32);
        petro__w_u16(w, z->fee_bps);
        petro__w_i64(w, z->tx_limit);
        petro__w_u8(w, z->min_kyc_tier);
    }
    petro__w_u32(w, g->member_count);
    for (uint32_t i = 0; i < g->member_count && i < PETRO_GENESIS_MEMBERS_MAX; i++) {
        petro__w_bytes(w, g->members[i].account.bytes, 32);
        petro__w_u32(w, g->members[i].zone_id);
        petro__w_u8(w, g->members[i].kyc_tier);
    }
}

static void genesis_decode(petro__reader *r, petro_genesis *g) {
    g->zone_authority_count = petro__r_u32(r);
    if (r->is_error || g->zone_authority_count > PETRO_ZONE_AUTHORITIES_MAX) goto bad;
    for (uint32_t i = 0; i < g->zone_authority_count; i++) {
        petro__r_bytes(r, g->zone_authorities[i].bytes, 32);
    }
    g->zone_count = petro__r_u32(r);
    if (r->is_error || g->zone_count > PETRO_GENESIS_ZONES_MAX) goto bad;
    for (uint32_t i = 0; i < g->zone_count; i++) {
        petro_genesis_zone *z = &g->zones[i];
        z->id = petro__r_u32(r);
        petro__r_text(r, z->name, PETRO_TRADE_TEXT_MAX);
        petro__r_country(r, z->country);
        petro__r_bytes(r, z->authority.bytes, 32);
        z->fee_bps = petro__r_u16(r);
        z->tx_limit = petro__r_i64(r);
        z->min_kyc_tier = petro__r_u8(r);
    }
    g->member_count = petro__r_u32(r);
    if (r->is_error || g->member_count > PETRO_GENESIS_MEMBERS_MAX) goto bad;
    for (uint32_t i = 0; i < g->member_count; i++) {
        petro__r_bytes(r, g->members[i].account.bytes, 32);
        g->members[i].zone_id = petro__r_u32(r);
        g->members[i].kyc_tier = petro__r_u8(r);
    }
    return;
bad:
    r->is_error = true;
}

static petro_result genesis_apply(petro__op_ctx *ctx, const petro_genesis *g) {
    if (g->zone_authority_count == 0) return PETRO_OK; /* no zones section: no records */
    uint8_t buf[AUTH_RECORD_MAX];
    buf[0] = (uint8_t)g->zone_authority_count;
    for (uint32_t i = 0; i < g->zone_authority_count; i++) {
        memcpy(buf + 1 + 32 * (size_t)i, g->zone_authorities[i].bytes, 32);
    }
    const uint8_t key[2] = {KEY_ZONES, SUB_AUTH};
    petro_result rc = petro__op_put_raw(ctx, key, 2, buf, 1 + 32 * (size_t)g->zone_authority_count);
    for (uint32_t i = 0; rc == PETRO_OK && i < g->zone_count; i++) {
        const petro_genesis_zone *gz = &g->zones[i];
        petro_zone z;
        memset(&z, 0, sizeof z);
        z.id = gz->id;
        memcpy(z.name, gz->name, sizeof z.name);
        memcpy(z.country, gz->country, sizeof z.country);
        z.authority = gz->authority;
        z.fee_bps = gz->fee_bps;
        z.tx_limit = gz->tx_limit;
        z.min_kyc_tier = gz->min_kyc_tier;
        rc = put_zone(ctx, &z);
    }
    for (uint32_t i = 0; rc == PETRO_OK && i < g->member_count; i++) {
        petro_account acct;
        bool found;
        rc = petro__op_get_account(ctx, &acct, &g->members[i].account, &found);
        if (rc == PETRO_OK && !found) rc = PETRO_ERR_CORRUPT;
        if (rc != PETRO_OK) break;
        acct.zone_id = g->members[i].zone_id;
        acct.kyc_tier = g->members[i].kyc_tier;
        rc = petro__op_put_account(ctx, &acct);
    }
    return rc;
}

/* ---------------------------------------------------------------- public reads */

petro_result petro_zone_get(const petro_store *store, petro_zone *z, uint32_t id) {
    uint8_t key[6], buf[ZONE_RECORD_MAX];
    size_t size;
    bool found;
    petro_result rc =
        petro__store_get(store, key, key_zone(key, id), buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NOT_FOUND;
    return zone_decode(z, buf, size);
}

typedef struct zone_each {
    petro_zone_cb cb;
    petro_trade_target_cb tcb;
    void *cb_ctx;
    petro_result rc;
} zone_each;

static int each_zone(void *c, const uint8_t *key, size_t key_size, const uint8_t *value,
                     size_t value_size) {
    zone_each *e = c;
    petro_zone z;
    if (key_size != 6 || zone_decode(&z, value, value_size) != PETRO_OK) {
        e->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    return e->cb(e->cb_ctx, &z);
}

petro_result petro_zone_each(const petro_store *store, petro_zone_cb cb, void *cb_ctx) {
    zone_each e = {cb, NULL, cb_ctx, PETRO_OK};
    const uint8_t prefix[2] = {KEY_ZONES, SUB_ZONE};
    petro_result rc = store->iter(store->ctx, prefix, 2, each_zone, &e);
    return rc != PETRO_OK ? rc : e.rc;
}

static int each_target(void *c, const uint8_t *key, size_t key_size, const uint8_t *value,
                       size_t value_size) {
    zone_each *e = c;
    petro_trade_target t;
    memset(&t, 0, sizeof t);
    petro__reader r;
    petro__r_init(&r, key + 2, key_size - 2);
    petro__r_country(&r, t.t.origin);
    petro__r_country(&r, t.t.destination);
    petro__r_asset(&r, &t.t.asset);
    bool ok = petro__r_done(&r);
    petro__r_init(&r, value, value_size);
    t.t.base_year = petro__r_u16(&r);
    t.t.target_year = petro__r_u16(&r);
    t.t.growth_bps = petro__r_u32(&r);
    petro__r_bytes(&r, t.set_by.bytes, 32);
    t.height = petro__r_u64(&r);
    if (!ok || !petro__r_done(&r)) {
        e->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    return e->tcb(e->cb_ctx, &t);
}

petro_result petro_trade_each_target(const petro_store *store, petro_trade_target_cb cb,
                                     void *cb_ctx) {
    zone_each e = {NULL, cb, cb_ctx, PETRO_OK};
    const uint8_t prefix[2] = {KEY_ZONES, SUB_TARGET};
    petro_result rc = store->iter(store->ctx, prefix, 2, each_target, &e);
    return rc != PETRO_OK ? rc : e.rc;
}

/* ---------------------------------------------------------------- family */

static petro_result check_zone_create(const petro_op *op) {
    const petro_op_zone_create *o = &op->u.zone_create;
    if (o->zone_id == 0) return PETRO_ERR_ZONE_MISSING;
    if (!petro__country_ok(o->country)) return PETRO_ERR_ZONE_BAD_COUNTRY;
    if (!petro__text_ok(o->name, PETRO_TRADE_TEXT_MAX) || o->name[0] == '\0') {
        return PETRO_ERR_BAD_TEXT;
    }
    return PETRO_OK;
}

static petro_result check_zone_policy(const petro_op *op) { return check_policy(&op->u.zone_policy); }

static petro_result check_kyc_tier(const petro_op *op) {
    return op->u.set_kyc_tier.tier <= PETRO_KYC_TIER_MAX ? PETRO_OK : PETRO_ERR_ZONE_BAD_POLICY;
}

static petro_result check_target(const petro_op *op) {
    const petro_op_trade_target *t = &op->u.trade_target;
    if (!petro__country_ok(t->origin) || !petro__country_ok(t->destination)) {
        return PETRO_ERR_ZONE_BAD_COUNTRY;
    }
    if (t->asset.kind == PETRO_ASSET_ISSUED && petro_asset_code_check(t->asset.code) != PETRO_OK) {
        return PETRO_ERR_BAD_ASSET_CODE;
    }
    if (t->base_year < 1970 || t->base_year >= t->target_year || t->target_year > 9999 ||
        t->growth_bps > 1000000u) {
        return PETRO_ERR_ZONE_BAD_TARGET;
    }
    return PETRO_OK;
}

static const petro_field zone_create_fields[] = {
    PETRO__F(petro_op_zone_create, zone_id, "zone_id", PETRO_FIELD_U32, .min = 1,
             .max = UINT32_MAX, .doc = "the new zone's number, > 0"),
    PETRO__F(petro_op_zone_create, name, "name", PETRO_FIELD_TEXT,
             .text_max = PETRO_TRADE_TEXT_MAX, .size_min = 1, .doc = "its name, not empty"),
    PETRO__F(petro_op_zone_create, country, "country", PETRO_FIELD_COUNTRY,
             .doc = "ISO 3166-1 alpha-2"),
};
static const petro_field zone_policy_fields[] = {
    PETRO__F(petro_op_zone_policy, zone_id, "zone_id", PETRO_FIELD_U32, .min = 1,
             .max = UINT32_MAX, .doc = "the zone"),
    PETRO__F(petro_op_zone_policy, fee_bps, "fee_bps", PETRO_FIELD_U16,
             .flags = PETRO_FIELD_F_OPTIONAL, .max = PETRO_ZONE_FEE_BPS_MAX,
             .doc = "fee on incoming transfers, basis points (burned)"),
    PETRO__F(petro_op_zone_policy, tx_limit, "tx_limit", PETRO_FIELD_AMOUNT,
             .flags = PETRO_FIELD_F_OPTIONAL, .min = 0, .max = PETRO_SUPPLY_MAX,
             .doc = "largest incoming transfer; 0 = no limit"),
    PETRO__F(petro_op_zone_policy, min_kyc_tier, "min_kyc_tier", PETRO_FIELD_U8,
             .flags = PETRO_FIELD_F_OPTIONAL, .max = PETRO_KYC_TIER_MAX,
             .doc = "payer's minimum KYC tier"),
    PETRO__LIST(petro_op_zone_policy, assets, asset_count, "assets", PETRO_FIELD_ASSET,
                PETRO_ZONE_ASSETS_MAX, .flags = PETRO_FIELD_F_OPTIONAL,
                .doc = "allowed assets, distinct; none = every asset"),
};
static const petro_field zone_assign_fields[] = {
    PETRO__F(petro_op_zone_assign, account, "account", PETRO_FIELD_PUBKEY,
             .flags = PETRO_FIELD_F_PARTY, .doc = "the account"),
    PETRO__F(petro_op_zone_assign, zone_id, "zone_id", PETRO_FIELD_U32, .max = UINT32_MAX,
             .doc = "the source's zone; 0 removes it from its zone"),
};
static const petro_field set_kyc_tier_fields[] = {
    PETRO__F(petro_op_set_kyc_tier, account, "account", PETRO_FIELD_PUBKEY,
             .flags = PETRO_FIELD_F_PARTY, .doc = "the account"),
    PETRO__F(petro_op_set_kyc_tier, tier, "tier", PETRO_FIELD_U8, .max = PETRO_KYC_TIER_MAX,
             .doc = "KYC tier 0..3"),
};
static const petro_field trade_target_fields[] = {
    PETRO__F(petro_op_trade_target, origin, "origin", PETRO_FIELD_COUNTRY,
             .doc = "exporting country"),
    PETRO__F(petro_op_trade_target, destination, "destination", PETRO_FIELD_COUNTRY,
             .doc = "importing country"),
    PETRO__F(petro_op_trade_target, asset, "asset", PETRO_FIELD_ASSET,
             .doc = "settlement asset"),
    PETRO__F(petro_op_trade_target, base_year, "base_year", PETRO_FIELD_U16, .min = 1970,
             .max = 9998, .doc = "the reference year"),
    PETRO__F(petro_op_trade_target, target_year, "target_year", PETRO_FIELD_U16, .min = 1971,
             .max = 9999, .doc = "the year of the target, > base_year"),
    PETRO__F(petro_op_trade_target, growth_bps, "growth_bps", PETRO_FIELD_U32, .max = 1000000,
             .doc = "growth over the base year, basis points"),
};

#define OP(t, nm, st, fl, sum) \
    PETRO__OP_SCHEMA("zones", t, nm, PETRO_THRESHOLD_MEDIUM, st, fl, sum)

static const petro__op_def ops[] = {
    {OP(PETRO_OP_ZONE_CREATE, "zone_create", petro_op_zone_create, zone_create_fields,
        "a zone authority creates a zone"),
     .check = check_zone_create, .apply = op_zone_create},
    {OP(PETRO_OP_ZONE_POLICY, "zone_policy", petro_op_zone_policy, zone_policy_fields,
        "the zone's authority sets its policy"),
     .check = check_zone_policy, .apply = op_zone_policy},
    {OP(PETRO_OP_ZONE_ASSIGN, "zone_assign", petro_op_zone_assign, zone_assign_fields,
        "the zone's authority assigns an account to its zone"),
     .apply = op_zone_assign},
    {OP(PETRO_OP_SET_KYC_TIER, "set_kyc_tier", petro_op_set_kyc_tier, set_kyc_tier_fields,
        "a zone authority sets an account's KYC tier"),
     .check = check_kyc_tier, .apply = op_set_kyc_tier},
    {OP(PETRO_OP_TRADE_TARGET, "trade_target", petro_op_trade_target, trade_target_fields,
        "a zone authority sets a bilateral turnover target"),
     .check = check_target, .apply = op_trade_target},
};

/* PETRO_ROLE_ZONE_AUTHORITY: the authorities record, written at genesis when the zones
 * section names any (none: the role is not kept). */
static petro_result role_each(const petro_store *state, uint8_t role, petro_role_cb cb,
                              void *cb_ctx, bool *kept) {
    *kept = false;
    if (role != PETRO_ROLE_ZONE_AUTHORITY) return PETRO_OK;
    const uint8_t key[2] = {KEY_ZONES, SUB_AUTH};
    uint8_t buf[AUTH_RECORD_MAX];
    size_t size;
    bool found;
    petro_result rc = petro__store_get(state, key, sizeof key, buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK || !found) return rc;
    if (size < 1 || size != 1 + (size_t)buf[0] * 32) return PETRO_ERR_CORRUPT;
    *kept = true;
    for (uint8_t i = 0; i < buf[0]; i++) {
        petro_pubkey holder;
        memcpy(holder.bytes, buf + 1 + 32 * (size_t)i, 32);
        if (cb(cb_ctx, &holder) != 0) break;
    }
    return PETRO_OK;
}

const petro__family petro__family_zones = {
    .info = {.name = "zones", .summary = "economic zones, their policies, members and targets",
             .op_count = PETRO__COUNT(ops), .state_prefix = KEY_ZONES},
    .ops = ops,
    .genesis_check = genesis_check,
    .genesis_encode = genesis_encode,
    .genesis_decode = genesis_decode,
    .genesis_apply = genesis_apply,
    .on_transfer = on_transfer,
    .role_each = role_each,
};
