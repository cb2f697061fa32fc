/* Operation family "reserves": attest_reserve, oracle_price, issue_reserve, redeem_reserve,
 * fulfill_redemption; the reserve section of the genesis; the coverage cap; and the public
 * reads of include/petro/reserves.h (docs/protocol.md "Reserves").
 *
 * State (prefix 'R', docs/protocol.md "Reserves: state"):
 *   'R' 'c'                  configuration (treasury, auditors, oracles, reserve-backed assets)
 *   'R' 'i'                  counters: next attestation id, next redemption id
 *   'R' 'b' commodity        book: ids of the attestations not superseded and not pruned
 *   'R' 'a' id(u64 BE)       attestation record (kept forever, for history)
 *   'R' 'p' commodity index  latest price of oracle number index
 *   'R' 'r' id(u64 BE)       redemption request
 *
 * The cap of an asset at time t: floor(sum of the quantities of the book's attestations with
 * valid_from <= t < valid_until, times units_per_commodity, times 10000, over coverage_bps),
 * computed in 128-bit arithmetic and clamped to PETRO_SUPPLY_MAX. Issuing (issue_reserve, or
 * issue of a reserve-backed issued asset) fails with reserve_cap_exceeded when the supply after
 * it would exceed the cap at the block's timestamp. Nothing else ever looks at the cap: when
 * attestations expire, balances stay as they are and only issuance is blocked.
 *
 * Invariants kept: per asset, sum of balances == issued - redeemed - burned (issue_reserve adds
 * to issued and one balance; redeem_reserve subtracts from one balance and adds to redeemed);
 * the book holds at most PETRO_ATTESTATIONS_ACTIVE_MAX ids, each of an attestation of its
 * commodity with superseded_by == 0. */
#include <string.h>

#include "internal.h"
#include "ops.h"
#include "petro/reserves.h"
#include "state.h"

#define KEY_RESERVES ((uint8_t)'R')
#define SUB_CONFIG ((uint8_t)'c')
#define SUB_COUNTERS ((uint8_t)'i')
#define SUB_BOOK ((uint8_t)'b')
#define SUB_ATTEST ((uint8_t)'a')
#define SUB_PRICE ((uint8_t)'p')
#define SUB_REDEMPTION ((uint8_t)'r')

#define CONFIG_RECORD_MAX                                                                    \
    (32 + 32 + 8 + 1 + PETRO_ORACLES_MAX * 32 + 1 +                                          \
     PETRO_GENESIS_RESERVES_MAX * (PETRO__ASSET_ENCODING_MAX + 1 + 4 + 4 + 1 +               \
                                   PETRO_ASSET_CODE_SIZE_MAX))
#define TEXT_ENCODING_MAX (1 + PETRO_RESERVE_TEXT_MAX)
#define ATTEST_RECORD_MAX (8 + 1 + 8 + TEXT_ENCODING_MAX + 32 + 8 + 8 + 8 + 8)
#define BOOK_RECORD_MAX (1 + PETRO_ATTESTATIONS_ACTIVE_MAX * 8)
#define PRICE_RECORD_MAX (1 + PETRO_ASSET_CODE_SIZE_MAX + 8 + 8 + 8)
#define REDEMPTION_RECORD_MAX \
    (8 + 32 + PETRO__ASSET_ENCODING_MAX + 1 + 8 + TEXT_ENCODING_MAX + 8 + 1 + 8)
_Static_assert(CONFIG_RECORD_MAX <= PETRO_STORE_VALUE_SIZE_MAX, "config fits");
_Static_assert(REDEMPTION_RECORD_MAX <= PETRO_STORE_VALUE_SIZE_MAX, "redemption fits");

/* ---------------------------------------------------------------- 128-bit arithmetic */

typedef struct u128 { uint64_t hi, lo; } u128;

static u128 mul64(uint64_t a, uint64_t b) {
    uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32, b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    uint64_t p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
    uint64_t mid = (p0 >> 32) + (p1 & 0xFFFFFFFFu) + (p2 & 0xFFFFFFFFu);
    u128 r;
    r.lo = (p0 & 0xFFFFFFFFu) | (mid << 32);
    r.hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
    return r;
}

/* a * m where the product fits 128 bits (callers bound it). */
static u128 mul128_64(u128 a, uint64_t m) {
    u128 lo = mul64(a.lo, m);
    lo.hi += a.hi * m;
    return lo;
}

/* floor(a / d), d > 0: binary long division. */
static u128 div128_64(u128 a, uint64_t d) {
    u128 q = {0, 0};
    uint64_t rem = 0;
    for (int i = 127; i >= 0; i--) {
        uint64_t bit = i >= 64 ? (a.hi >> (i - 64)) & 1u : (a.lo >> i) & 1u;
        bool carry = (rem >> 63) != 0;
        rem = (rem << 1) | bit;
        if (carry || rem >= d) {
            rem -= d;
            if (i >= 64) {
                q.hi |= (uint64_t)1 << (i - 64);
            } else {
                q.lo |= (uint64_t)1 << i;
            }
        }
    }
    return q;
}

static uint64_t clamp128(u128 a, uint64_t max) {
    if (a.hi != 0 || a.lo > max) return max;
    return a.lo;
}

petro_amount petro_reserves_cap(petro_amount attested, uint32_t units_per_commodity,
                                uint32_t coverage_bps) {
    if (attested <= 0 || units_per_commodity == 0 || coverage_bps == 0) return 0;
    u128 v = mul64((uint64_t)attested, units_per_commodity);
    v = mul128_64(v, 10000u);
    v = div128_64(v, coverage_bps);
    return (petro_amount)clamp128(v, (uint64_t)PETRO_SUPPLY_MAX);
}

static int amount_cmp(const void *a, const void *b) {
    petro_amount x = *(const petro_amount *)a, y = *(const petro_amount *)b;
    return (x > y) - (x < y);
}

petro_amount petro_reserves_median(petro_amount *prices, uint32_t n) {
    PETRO_ASSERT(prices != NULL && n >= 1);
    /* Insertion sort: n <= PETRO_ORACLES_MAX, and the order of equal values is irrelevant. */
    for (uint32_t i = 1; i < n; i++) {
        for (uint32_t j = i; j > 0 && amount_cmp(&prices[j - 1], &prices[j]) > 0; j--) {
            petro_amount t = prices[j];
            prices[j] = prices[j - 1];
            prices[j - 1] = t;
        }
    }
    if (n % 2 == 1) return prices[n / 2];
    petro_amount a = prices[n / 2 - 1], b = prices[n / 2];
    return a + (b - a) / 2; /* 0 < a <= b: no overflow, floor of the mean */
}

/* ---------------------------------------------------------------- text and codec */

static petro_result check_attest(const petro_op_attest_reserve *o) {
    if (o->commodity < 1 || o->commodity > PETRO_COMMODITY_MAX) return PETRO_ERR_BAD_COMMODITY;
    petro_result rc = petro__check_positive(o->quantity);
    if (rc != PETRO_OK) return rc;
    if (!petro__text_ok(o->custodian, PETRO_RESERVE_TEXT_MAX)) return PETRO_ERR_BAD_TEXT;
    if (o->valid_from_ms >= o->valid_until_ms) return PETRO_ERR_BAD_VALIDITY;
    return PETRO_OK;
}

static void encode_attest(petro__writer *w, const petro_op_attest_reserve *o) {
    petro__w_u8(w, o->commodity);
    petro__w_i64(w, o->quantity);
    petro__w_text(w, o->custodian, PETRO_RESERVE_TEXT_MAX);
    petro__w_bytes(w, o->document_hash.bytes, 32);
    petro__w_u64(w, o->valid_from_ms);
    petro__w_u64(w, o->valid_until_ms);
    petro__w_u64(w, o->supersedes);
}

static void decode_attest(petro__reader *r, petro_op_attest_reserve *o) {
    o->commodity = petro__r_u8(r);
    o->quantity = petro__r_i64(r);
    petro__r_text(r, o->custodian, PETRO_RESERVE_TEXT_MAX);
    petro__r_bytes(r, o->document_hash.bytes, 32);
    o->valid_from_ms = petro__r_u64(r);
    o->valid_until_ms = petro__r_u64(r);
    o->supersedes = petro__r_u64(r);
}

/* ---------------------------------------------------------------- records */

static size_t key2(uint8_t *k, uint8_t sub) {
    k[0] = KEY_RESERVES;
    k[1] = sub;
    return 2;
}

static size_t key_id(uint8_t *k, uint8_t sub, uint64_t id) {
    key2(k, sub);
    for (int i = 0; i < 8; i++) k[2 + i] = (uint8_t)(id >> (56 - 8 * i));
    return 10;
}

static size_t config_encode(uint8_t *out, const petro_reserve_config *c) {
    petro__writer w;
    petro__w_init(&w, out, CONFIG_RECORD_MAX);
    petro__w_bytes(&w, c->treasury.bytes, 32);
    petro__w_bytes(&w, c->auditors.bytes, 32);
    petro__w_u64(&w, c->oracle_max_age_ms);
    petro__w_u8(&w, (uint8_t)c->oracle_count);
    for (uint32_t i = 0; i < c->oracle_count; i++) petro__w_bytes(&w, c->oracles[i].bytes, 32);
    petro__w_u8(&w, (uint8_t)c->reserve_count);
    for (uint32_t i = 0; i < c->reserve_count; i++) {
        const petro_genesis_reserve *g = &c->reserves[i];
        petro__w_asset(&w, &g->asset);
        petro__w_u8(&w, g->commodity);
        petro__w_u32(&w, g->units_per_commodity);
        petro__w_u32(&w, g->coverage_bps);
        petro__w_code(&w, g->quote);
    }
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

static petro_result config_decode(petro_reserve_config *c, const uint8_t *b, size_t size) {
    memset(c, 0, sizeof *c);
    petro__reader r;
    petro__r_init(&r, b, size);
    petro__r_bytes(&r, c->treasury.bytes, 32);
    petro__r_bytes(&r, c->auditors.bytes, 32);
    c->oracle_max_age_ms = petro__r_u64(&r);
    c->oracle_count = petro__r_u8(&r);
    if (c->oracle_count > PETRO_ORACLES_MAX) return PETRO_ERR_CORRUPT;
    for (uint32_t i = 0; i < c->oracle_count; i++) petro__r_bytes(&r, c->oracles[i].bytes, 32);
    c->reserve_count = petro__r_u8(&r);
    if (c->reserve_count > PETRO_GENESIS_RESERVES_MAX) return PETRO_ERR_CORRUPT;
    for (uint32_t i = 0; i < c->reserve_count; i++) {
        petro_genesis_reserve *g = &c->reserves[i];
        petro__r_asset(&r, &g->asset);
        g->commodity = petro__r_u8(&r);
        g->units_per_commodity = petro__r_u32(&r);
        g->coverage_bps = petro__r_u32(&r);
        petro__r_code(&r, g->quote);
    }
    return petro__r_done(&r) ? PETRO_OK : PETRO_ERR_CORRUPT;
}

static size_t attest_encode(uint8_t *out, const petro_attestation *a) {
    petro__writer w;
    petro__w_init(&w, out, ATTEST_RECORD_MAX);
    petro__w_u64(&w, a->id);
    petro__w_u8(&w, a->commodity);
    petro__w_i64(&w, a->quantity);
    petro__w_text(&w, a->custodian, PETRO_RESERVE_TEXT_MAX);
    petro__w_bytes(&w, a->document_hash.bytes, 32);
    petro__w_u64(&w, a->valid_from_ms);
    petro__w_u64(&w, a->valid_until_ms);
    petro__w_u64(&w, a->height);
    petro__w_u64(&w, a->superseded_by);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

static petro_result attest_decode(petro_attestation *a, const uint8_t *b, size_t size) {
    memset(a, 0, sizeof *a);
    petro__reader r;
    petro__r_init(&r, b, size);
    a->id = petro__r_u64(&r);
    a->commodity = petro__r_u8(&r);
    a->quantity = petro__r_i64(&r);
    petro__r_text(&r, a->custodian, PETRO_RESERVE_TEXT_MAX);
    petro__r_bytes(&r, a->document_hash.bytes, 32);
    a->valid_from_ms = petro__r_u64(&r);
    a->valid_until_ms = petro__r_u64(&r);
    a->height = petro__r_u64(&r);
    a->superseded_by = petro__r_u64(&r);
    if (!petro__r_done(&r) || a->quantity <= 0) return PETRO_ERR_CORRUPT;
    return PETRO_OK;
}

static size_t price_encode(uint8_t *out, const petro_oracle_quote *q) {
    petro__writer w;
    petro__w_init(&w, out, PRICE_RECORD_MAX);
    petro__w_code(&w, q->quote);
    petro__w_i64(&w, q->price);
    petro__w_u64(&w, q->timestamp_ms);
    petro__w_u64(&w, q->height);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

static petro_result price_decode(petro_oracle_quote *q, const uint8_t *b, size_t size) {
    petro__reader r;
    petro__r_init(&r, b, size);
    petro__r_code(&r, q->quote);
    q->price = petro__r_i64(&r);
    q->timestamp_ms = petro__r_u64(&r);
    q->height = petro__r_u64(&r);
    return petro__r_done(&r) && q->price > 0 ? PETRO_OK : PETRO_ERR_CORRUPT;
}

static size_t redemption_encode(uint8_t *out, const petro_redemption *q) {
    petro__writer w;
    petro__w_init(&w, out, REDEMPTION_RECORD_MAX);
    petro__w_u64(&w, q->id);
    petro__w_bytes(&w, q->holder.bytes, 32);
    petro__w_asset(&w, &q->asset);
    petro__w_u8(&w, q->commodity);
    petro__w_i64(&w, q->amount);
    petro__w_text(&w, q->delivery, PETRO_RESERVE_TEXT_MAX);
    petro__w_u64(&w, q->height);
    petro__w_u8(&w, q->status);
    petro__w_u64(&w, q->fulfilled_height);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

static petro_result redemption_decode(petro_redemption *q, const uint8_t *b, size_t size) {
    memset(q, 0, sizeof *q);
    petro__reader r;
    petro__r_init(&r, b, size);
    q->id = petro__r_u64(&r);
    petro__r_bytes(&r, q->holder.bytes, 32);
    petro__r_asset(&r, &q->asset);
    q->commodity = petro__r_u8(&r);
    q->amount = petro__r_i64(&r);
    petro__r_text(&r, q->delivery, PETRO_RESERVE_TEXT_MAX);
    q->height = petro__r_u64(&r);
    q->status = petro__r_u8(&r);
    q->fulfilled_height = petro__r_u64(&r);
    if (!petro__r_done(&r) || q->status > PETRO_REDEMPTION_FULFILLED) return PETRO_ERR_CORRUPT;
    return PETRO_OK;
}

/* The book: u8 count + count ids (u64 BE), ascending. */
typedef struct book { uint32_t count; uint64_t ids[PETRO_ATTESTATIONS_ACTIVE_MAX]; } book;

static size_t book_encode(uint8_t *out, const book *bk) {
    petro__writer w;
    petro__w_init(&w, out, BOOK_RECORD_MAX);
    petro__w_u8(&w, (uint8_t)bk->count);
    for (uint32_t i = 0; i < bk->count; i++) petro__w_u64(&w, bk->ids[i]);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

static petro_result book_decode(book *bk, const uint8_t *b, size_t size) {
    memset(bk, 0, sizeof *bk);
    petro__reader r;
    petro__r_init(&r, b, size);
    bk->count = petro__r_u8(&r);
    if (bk->count > PETRO_ATTESTATIONS_ACTIVE_MAX) return PETRO_ERR_CORRUPT;
    for (uint32_t i = 0; i < bk->count; i++) bk->ids[i] = petro__r_u64(&r);
    return petro__r_done(&r) ? PETRO_OK : PETRO_ERR_CORRUPT;
}

/* ---------------------------------------------------------------- reads through a getter */

/* Reads go either through an operation's overlay (apply) or straight to a store (reads API). */
typedef struct getter {
    petro__op_ctx *ctx;
    const petro_store *store;
} getter;

static petro_result g_get(const getter *g, const uint8_t *key, size_t key_size, uint8_t *buf,
                          size_t cap, size_t *size, bool *found) {
    if (g->ctx != NULL) return petro__op_get_raw(g->ctx, key, key_size, buf, cap, size, found);
    return petro__store_get(g->store, key, key_size, buf, cap, size, found);
}

static petro_result load_config(const getter *g, petro_reserve_config *cfg, bool *found) {
    uint8_t key[2], buf[CONFIG_RECORD_MAX];
    size_t size;
    memset(cfg, 0, sizeof *cfg);
    petro_result rc = g_get(g, key, key2(key, SUB_CONFIG), buf, sizeof buf, &size, found);
    if (rc != PETRO_OK || !*found) return rc;
    return config_decode(cfg, buf, size);
}

static petro_result load_book(const getter *g, uint8_t commodity, book *bk) {
    uint8_t key[3], buf[BOOK_RECORD_MAX];
    size_t size;
    bool found;
    key2(key, SUB_BOOK);
    key[2] = commodity;
    memset(bk, 0, sizeof *bk);
    petro_result rc = g_get(g, key, 3, buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK || !found) return rc;
    return book_decode(bk, buf, size);
}

static petro_result load_attestation(const getter *g, uint64_t id, petro_attestation *a,
                                     bool *found) {
    uint8_t key[10], buf[ATTEST_RECORD_MAX];
    size_t size;
    memset(a, 0, sizeof *a);
    petro_result rc = g_get(g, key, key_id(key, SUB_ATTEST, id), buf, sizeof buf, &size, found);
    if (rc != PETRO_OK || !*found) return rc;
    rc = attest_decode(a, buf, size);
    if (rc == PETRO_OK && a->id != id) rc = PETRO_ERR_CORRUPT;
    return rc;
}

static bool counts_at(const petro_attestation *a, uint64_t t) {
    return a->superseded_by == 0 && a->valid_from_ms <= t && t < a->valid_until_ms;
}

/* Sum of the quantities counting at t, how many count, and the earliest end of validity among
 * them (0 if none counts): the time at which the sum next drops. */
static petro_result attested_at(const getter *g, uint8_t commodity, uint64_t t,
                                petro_amount *sum, uint32_t *count, uint64_t *expires_ms) {
    book bk;
    *sum = 0;
    *count = 0;
    *expires_ms = 0;
    petro_result rc = load_book(g, commodity, &bk);
    if (rc != PETRO_OK) return rc;
    for (uint32_t i = 0; i < bk.count; i++) {
        petro_attestation a;
        bool found;
        rc = load_attestation(g, bk.ids[i], &a, &found);
        if (rc != PETRO_OK) return rc;
        if (!found || a.commodity != commodity) return PETRO_ERR_CORRUPT;
        if (!counts_at(&a, t)) continue;
        /* At most 16 quantities of <= supply max each: saturate rather than fail. */
        if (petro_amount_add(sum, *sum, a.quantity) != PETRO_OK || *sum > PETRO_SUPPLY_MAX) {
            *sum = PETRO_SUPPLY_MAX;
        }
        if (*count == 0 || a.valid_until_ms < *expires_ms) *expires_ms = a.valid_until_ms;
        (*count)++;
    }
    return PETRO_OK;
}

static const petro_genesis_reserve *find_reserve_asset(const petro_reserve_config *cfg,
                                                       const petro_asset *asset) {
    for (uint32_t i = 0; i < cfg->reserve_count; i++) {
        if (petro_asset_equal(&cfg->reserves[i].asset, asset)) return &cfg->reserves[i];
    }
    return NULL;
}

static const petro_genesis_reserve *find_commodity(const petro_reserve_config *cfg,
                                                   uint8_t commodity) {
    for (uint32_t i = 0; i < cfg->reserve_count; i++) {
        if (cfg->reserves[i].commodity == commodity) return &cfg->reserves[i];
    }
    return NULL;
}

static petro_pubkey issuer_of(const petro_reserve_config *cfg, const petro_asset *asset) {
    return asset->kind == PETRO_ASSET_NATIVE ? cfg->treasury : asset->issuer;
}

static petro_amount supply_of(const petro_asset_info *info) {
    /* issued >= redeemed + burned >= 0 in an intact state; read as such. */
    return info->issued - info->redeemed - info->burned;
}

/* ---------------------------------------------------------------- writes */

static petro_result put_attestation(petro__op_ctx *ctx, const petro_attestation *a) {
    uint8_t key[10], buf[ATTEST_RECORD_MAX];
    size_t size = attest_encode(buf, a);
    return petro__op_put_raw(ctx, key, key_id(key, SUB_ATTEST, a->id), buf, size);
}

static petro_result put_book(petro__op_ctx *ctx, uint8_t commodity, const book *bk) {
    uint8_t key[3], buf[BOOK_RECORD_MAX];
    key2(key, SUB_BOOK);
    key[2] = commodity;
    size_t size = book_encode(buf, bk);
    return petro__op_put_raw(ctx, key, 3, buf, size);
}

typedef struct counters { uint64_t next_attestation, next_redemption; } counters;

static petro_result load_counters(petro__op_ctx *ctx, counters *c) {
    uint8_t key[2], buf[16];
    size_t size;
    bool found;
    c->next_attestation = 1;
    c->next_redemption = 1;
    petro_result rc = petro__op_get_raw(ctx, key, key2(key, SUB_COUNTERS), buf, sizeof buf,
                                        &size, &found);
    if (rc != PETRO_OK || !found) return rc;
    petro__reader r;
    petro__r_init(&r, buf, size);
    c->next_attestation = petro__r_u64(&r);
    c->next_redemption = petro__r_u64(&r);
    if (!petro__r_done(&r) || c->next_attestation == 0 || c->next_redemption == 0) {
        return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

static petro_result put_counters(petro__op_ctx *ctx, const counters *c) {
    uint8_t key[2], buf[16];
    petro__writer w;
    petro__w_init(&w, buf, sizeof buf);
    petro__w_u64(&w, c->next_attestation);
    petro__w_u64(&w, c->next_redemption);
    return petro__op_put_raw(ctx, key, key2(key, SUB_COUNTERS), buf, w.size);
}

/* Record a new attestation (apply and genesis): prune expired entries of the book, remove the
 * superseded one, append. The checks of the op come first (see petro__op_attest_reserve). */
static petro_result record_attestation(petro__op_ctx *ctx, const petro_op_attest_reserve *o) {
    getter g = {ctx, NULL};
    book bk, kept;
    petro_result rc = load_book(&g, o->commodity, &bk);
    if (rc != PETRO_OK) return rc;
    counters cnt;
    rc = load_counters(ctx, &cnt);
    if (rc != PETRO_OK) return rc;
    uint64_t id = cnt.next_attestation;
    memset(&kept, 0, sizeof kept);
    bool superseded = o->supersedes == 0;
    for (uint32_t i = 0; i < bk.count; i++) {
        petro_attestation a;
        bool found;
        rc = load_attestation(&g, bk.ids[i], &a, &found);
        if (rc != PETRO_OK) return rc;
        if (!found) return PETRO_ERR_CORRUPT;
        if (a.id == o->supersedes) {
            a.superseded_by = id;
            rc = put_attestation(ctx, &a);
            if (rc != PETRO_OK) return rc;
            superseded = true;
            continue;
        }
        if (a.valid_until_ms <= ctx->timestamp_ms) continue; /* expired: leaves the book */
        kept.ids[kept.count++] = a.id;
    }
    if (!superseded) return PETRO_ERR_NO_ATTESTATION;
    if (kept.count >= PETRO_ATTESTATIONS_ACTIVE_MAX) return PETRO_ERR_ATTESTATIONS_FULL;
    kept.ids[kept.count++] = id;
    petro_attestation a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.commodity = o->commodity;
    a.quantity = o->quantity;
    memcpy(a.custodian, o->custodian, sizeof a.custodian);
    a.custodian[PETRO_RESERVE_TEXT_MAX] = '\0';
    a.document_hash = o->document_hash;
    a.valid_from_ms = o->valid_from_ms;
    a.valid_until_ms = o->valid_until_ms;
    a.height = ctx->height;
    if (cnt.next_attestation == UINT64_MAX) return PETRO_ERR_AMOUNT_OVERFLOW;
    cnt.next_attestation++;
    rc = put_attestation(ctx, &a);
    if (rc == PETRO_OK) rc = put_book(ctx, o->commodity, &kept);
    if (rc == PETRO_OK) rc = put_counters(ctx, &cnt);
    return rc;
}

/* Reads the config or fails with code when the genesis declared no reserves. */
static petro_result need_config(petro__op_ctx *ctx, petro_reserve_config *cfg,
                                petro_result code) {
    getter g = {ctx, NULL};
    bool found;
    petro_result rc = load_config(&g, cfg, &found);
    if (rc != PETRO_OK) return rc;
    return found ? PETRO_OK : code;
}

/* The on_issue hook: the coverage cap of a reserve-backed asset. */
static petro_result check_cap(petro__op_ctx *ctx, const petro_asset *asset,
                             petro_amount supply_after) {
    petro_reserve_config cfg;
    getter g = {ctx, NULL};
    bool found;
    petro_result rc = load_config(&g, &cfg, &found);
    if (rc != PETRO_OK || !found) return rc;
    const petro_genesis_reserve *res = find_reserve_asset(&cfg, asset);
    if (res == NULL) return PETRO_OK; /* not reserve-backed: no cap */
    petro_amount attested;
    uint32_t count;
    uint64_t expires_ms;
    rc = attested_at(&g, res->commodity, ctx->timestamp_ms, &attested, &count, &expires_ms);
    if (rc != PETRO_OK) return rc;
    petro_amount cap = petro_reserves_cap(attested, res->units_per_commodity, res->coverage_bps);
    return supply_after > cap ? PETRO_ERR_RESERVE_CAP_EXCEEDED : PETRO_OK;
}

/* ---------------------------------------------------------------- apply */

static petro_result op_attest_reserve(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_ATTEST_RESERVE);
    const petro_op_attest_reserve *o = &op->u.attest_reserve;
    petro_reserve_config cfg;
    petro_result rc = need_config(ctx, &cfg, PETRO_ERR_NOT_AUDITORS);
    if (rc != PETRO_OK) return rc;
    if (!petro_pubkey_equal(&ctx->source, &cfg.auditors)) return PETRO_ERR_NOT_AUDITORS;
    rc = check_attest(o); /* static check, re-asserted */
    if (rc != PETRO_OK) return rc;
    if (find_commodity(&cfg, o->commodity) == NULL) return PETRO_ERR_BAD_COMMODITY;
    if (o->valid_until_ms <= ctx->timestamp_ms) return PETRO_ERR_BAD_VALIDITY;
    return record_attestation(ctx, o);
}

static petro_result op_oracle_price(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_ORACLE_PRICE);
    const petro_op_oracle_price *o = &op->u.oracle_price;
    petro_reserve_config cfg;
    petro_result rc = need_config(ctx, &cfg, PETRO_ERR_NOT_ORACLE);
    if (rc != PETRO_OK) return rc;
    uint32_t index = cfg.oracle_count;
    for (uint32_t i = 0; i < cfg.oracle_count; i++) {
        if (petro_pubkey_equal(&cfg.oracles[i], &ctx->source)) index = i;
    }
    if (index == cfg.oracle_count) return PETRO_ERR_NOT_ORACLE;
    const petro_genesis_reserve *res = find_commodity(&cfg, o->commodity);
    if (res == NULL) return PETRO_ERR_BAD_COMMODITY;
    if (strcmp(res->quote, o->quote) != 0) return PETRO_ERR_WRONG_QUOTE;
    if (o->price <= 0) return PETRO_ERR_AMOUNT_ZERO; /* static check, re-asserted */
    if (o->timestamp_ms > ctx->timestamp_ms) return PETRO_ERR_STALE_PRICE;
    uint8_t key[4], buf[PRICE_RECORD_MAX];
    key2(key, SUB_PRICE);
    key[2] = o->commodity;
    key[3] = (uint8_t)index;
    size_t size;
    bool found;
    rc = petro__op_get_raw(ctx, key, 4, buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK) return rc;
    petro_oracle_quote q;
    memset(&q, 0, sizeof q);
    if (found) {
        rc = price_decode(&q, buf, size);
        if (rc != PETRO_OK) return rc;
        if (q.timestamp_ms >= o->timestamp_ms) return PETRO_ERR_STALE_PRICE;
    }
    memset(&q, 0, sizeof q);
    memcpy(q.quote, o->quote, sizeof q.quote);
    q.price = o->price;
    q.timestamp_ms = o->timestamp_ms;
    q.height = ctx->height;
    size = price_encode(buf, &q);
    return petro__op_put_raw(ctx, key, 4, buf, size);
}

static petro_result op_issue_reserve(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_ISSUE_RESERVE);
    const petro_op_issue_reserve *o = &op->u.issue_reserve;
    if (o->amount <= 0) return PETRO_ERR_AMOUNT_ZERO; /* static check, re-asserted */
    petro_reserve_config cfg;
    petro_result rc = need_config(ctx, &cfg, PETRO_ERR_NOT_RESERVE_BACKED);
    if (rc != PETRO_OK) return rc;
    if (find_reserve_asset(&cfg, &o->asset) == NULL) return PETRO_ERR_NOT_RESERVE_BACKED;
    petro_pubkey issuer = issuer_of(&cfg, &o->asset);
    if (!petro_pubkey_equal(&issuer, &ctx->source)) return PETRO_ERR_NOT_ISSUER;
    petro_asset_info info;
    bool found;
    rc = petro__op_get_asset(ctx, &info, &o->asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_ASSET;
    petro_account dest;
    rc = petro__op_get_account(ctx, &dest, &o->destination, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_DESTINATION;
    if (o->asset.kind == PETRO_ASSET_ISSUED && petro_pubkey_equal(&o->destination, &issuer)) {
        return PETRO_ERR_ISSUER_CANNOT_HOLD;
    }
    petro_trust_line line;
    rc = petro__op_get_line(ctx, &line, &o->destination, &o->asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return o->asset.kind == PETRO_ASSET_NATIVE ? PETRO_ERR_CORRUPT : PETRO_ERR_NO_TRUST;
    if ((line.flags & PETRO_TRUST_FLAG_AUTHORIZED) == 0) return PETRO_ERR_NOT_AUTHORIZED;

    /* Outstanding = issued - redeemed: fee burns never make room for new units, so the cap
     * boundary does not move with the fee of the issuing transaction itself. */
    petro_amount after;
    if (petro_amount_add(&after, info.issued - info.redeemed, o->amount) != PETRO_OK ||
        after > PETRO_SUPPLY_MAX) {
        return PETRO_ERR_SUPPLY_EXCEEDED;
    }
    rc = check_cap(ctx, &o->asset, after);
    if (rc != PETRO_OK) return rc;
    petro_amount credited;
    rc = petro_amount_add(&credited, line.balance, o->amount);
    if (rc != PETRO_OK) return rc;
    if (credited > line.limit) return PETRO_ERR_LINE_FULL;
    rc = petro_amount_add(&info.issued, info.issued, o->amount);
    if (rc != PETRO_OK) return rc;
    line.balance = credited;
    rc = petro__op_put_line(ctx, &o->destination, &o->asset, &line);
    if (rc == PETRO_OK) rc = petro__op_put_asset(ctx, &info);
    return rc;
}

static petro_result op_redeem_reserve(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_REDEEM_RESERVE);
    const petro_op_redeem_reserve *o = &op->u.redeem_reserve;
    if (o->amount <= 0) return PETRO_ERR_AMOUNT_ZERO; /* static check, re-asserted */
    petro_reserve_config cfg;
    petro_result rc = need_config(ctx, &cfg, PETRO_ERR_NOT_RESERVE_BACKED);
    if (rc != PETRO_OK) return rc;
    const petro_genesis_reserve *res = find_reserve_asset(&cfg, &o->asset);
    if (res == NULL) return PETRO_ERR_NOT_RESERVE_BACKED;
    petro_asset_info info;
    bool found;
    rc = petro__op_get_asset(ctx, &info, &o->asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_ASSET;
    petro_trust_line line;
    rc = petro__op_get_line(ctx, &line, &ctx->source, &o->asset, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_TRUST;
    if (line.balance < o->amount) return PETRO_ERR_BALANCE_LOW;
    rc = petro_amount_sub(&line.balance, line.balance, o->amount);
    if (rc == PETRO_OK) rc = petro_amount_add(&info.redeemed, info.redeemed, o->amount);
    if (rc != PETRO_OK) return rc;
    counters cnt;
    rc = load_counters(ctx, &cnt);
    if (rc != PETRO_OK) return rc;
    petro_redemption q;
    memset(&q, 0, sizeof q);
    q.id = cnt.next_redemption;
    q.holder = ctx->source;
    q.asset = o->asset;
    q.commodity = res->commodity;
    q.amount = o->amount;
    memcpy(q.delivery, o->delivery, sizeof q.delivery);
    q.delivery[PETRO_RESERVE_TEXT_MAX] = '\0';
    q.height = ctx->height;
    q.status = PETRO_REDEMPTION_PENDING;
    if (cnt.next_redemption == UINT64_MAX) return PETRO_ERR_AMOUNT_OVERFLOW;
    cnt.next_redemption++;
    uint8_t key[10], buf[REDEMPTION_RECORD_MAX];
    size_t size = redemption_encode(buf, &q);
    rc = petro__op_put_line(ctx, &ctx->source, &o->asset, &line);
    if (rc == PETRO_OK) rc = petro__op_put_asset(ctx, &info);
    if (rc == PETRO_OK) {
        rc = petro__op_put_raw(ctx, key, key_id(key, SUB_REDEMPTION, q.id), buf, size);
    }
    if (rc == PETRO_OK) rc = put_counters(ctx, &cnt);
    return rc;
}

static petro_result op_fulfill_redemption(petro__op_ctx *ctx, const petro_op *op) {
    PETRO_ASSERT(op->type == PETRO_OP_FULFILL_REDEMPTION);
    uint64_t id = op->u.fulfill_redemption.request_id;
    petro_reserve_config cfg;
    petro_result rc = need_config(ctx, &cfg, PETRO_ERR_NO_REDEMPTION);
    if (rc != PETRO_OK) return rc;
    uint8_t key[10], buf[REDEMPTION_RECORD_MAX];
    size_t key_size = key_id(key, SUB_REDEMPTION, id), size;
    bool found;
    rc = petro__op_get_raw(ctx, key, key_size, buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NO_REDEMPTION;
    petro_redemption q;
    rc = redemption_decode(&q, buf, size);
    if (rc != PETRO_OK) return rc;
    petro_pubkey issuer = issuer_of(&cfg, &q.asset);
    if (!petro_pubkey_equal(&issuer, &ctx->source)) return PETRO_ERR_NOT_ISSUER;
    if (q.status != PETRO_REDEMPTION_PENDING) return PETRO_ERR_REDEMPTION_DONE;
    q.status = PETRO_REDEMPTION_FULFILLED;
    q.fulfilled_height = ctx->height;
    size = redemption_encode(buf, &q);
    return petro__op_put_raw(ctx, key, key_size, buf, size);
}

/* ---------------------------------------------------------------- genesis */

static bool key_is_zero(const petro_pubkey *k) {
    uint8_t acc = 0;
    for (size_t i = 0; i < sizeof k->bytes; i++) acc |= k->bytes[i];
    return acc == 0;
}

static petro_result genesis_check(const petro_genesis *g) {
    bool has_auditors = !key_is_zero(&g->auditors);
    if (g->oracle_count > PETRO_ORACLES_MAX || g->reserve_count > PETRO_GENESIS_RESERVES_MAX ||
        g->attestation_count > PETRO_GENESIS_ATTESTATIONS_MAX) {
        return PETRO_ERR_MALFORMED;
    }
    if (has_auditors) {
        bool ok = false;
        for (uint32_t i = 0; i < g->account_count; i++) {
            if (petro_pubkey_equal(&g->accounts[i].id, &g->auditors)) ok = true;
        }
        if (!ok) return PETRO_ERR_MALFORMED;
    }
    for (uint32_t i = 0; i < g->oracle_count; i++) {
        for (uint32_t j = 0; j < i; j++) {
            if (petro_pubkey_equal(&g->oracles[i], &g->oracles[j])) return PETRO_ERR_MALFORMED;
        }
    }
    if (g->oracle_count > 0 && g->oracle_max_age_ms == 0) return PETRO_ERR_MALFORMED;
    if (g->reserve_count > 0 && !has_auditors) return PETRO_ERR_MALFORMED;
    for (uint32_t i = 0; i < g->reserve_count; i++) {
        const petro_genesis_reserve *r = &g->reserves[i];
        if (r->commodity < 1 || r->commodity > PETRO_COMMODITY_MAX) return PETRO_ERR_BAD_COMMODITY;
        if (r->units_per_commodity == 0 || r->coverage_bps == 0) return PETRO_ERR_MALFORMED;
        if (petro_asset_code_check(r->quote) != PETRO_OK) return PETRO_ERR_WRONG_QUOTE;
        if (r->asset.kind == PETRO_ASSET_ISSUED) {
            bool declared = false;
            for (uint32_t j = 0; j < g->asset_count; j++) {
                if (strcmp(g->assets[j].code, r->asset.code) == 0 &&
                    petro_pubkey_equal(&g->assets[j].issuer, &r->asset.issuer)) {
                    declared = true;
                }
            }
            if (!declared) return PETRO_ERR_NO_ASSET;
        } else if (r->asset.kind != PETRO_ASSET_NATIVE) {
            return PETRO_ERR_MALFORMED;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (g->reserves[j].commodity == r->commodity ||
                petro_asset_equal(&g->reserves[j].asset, &r->asset)) {
                return PETRO_ERR_MALFORMED;
            }
        }
    }
    for (uint32_t i = 0; i < g->attestation_count; i++) {
        const petro_op_attest_reserve *a = &g->attestations[i];
        petro_result rc = check_attest(a);
        if (rc != PETRO_OK) return rc;
        if (a->supersedes != 0) return PETRO_ERR_NO_ATTESTATION;
        bool declared = false;
        for (uint32_t j = 0; j < g->reserve_count; j++) {
            if (g->reserves[j].commodity == a->commodity) declared = true;
        }
        if (!declared) return PETRO_ERR_BAD_COMMODITY;
    }
    return PETRO_OK;
}

static void genesis_encode(petro__writer *w, const petro_genesis *g) {
    petro__w_bytes(w, g->auditors.bytes, 32);
    petro__w_u32(w, g->oracle_count);
    for (uint32_t i = 0; i < g->oracle_count; i++) petro__w_bytes(w, g->oracles[i].bytes, 32);
    petro__w_u64(w, g->oracle_max_age_ms);
    petro__w_u32(w, g->reserve_count);
    for (uint32_t i = 0; i < g->reserve_count; i++) {
        const petro_genesis_reserve *r = &g->reserves[i];
        petro__w_asset(w, &r->asset);
        petro__w_u8(w, r->commodity);
        petro__w_u32(w, r->units_per_commodity);
        petro__w_u32(w, r->coverage_bps);
        petro__w_code(w, r->quote);
    }
    petro__w_u32(w, g->attestation_count);
    for (uint32_t i = 0; i < g->attestation_count; i++) encode_attest(w, &g->attestations[i]);
}

static void genesis_decode(petro__reader *r, petro_genesis *g) {
    petro__r_bytes(r, g->auditors.bytes, 32);
    g->oracle_count = petro__r_u32(r);
    if (r->is_error || g->oracle_count > PETRO_ORACLES_MAX) goto bad;
    for (uint32_t i = 0; i < g->oracle_count; i++) petro__r_bytes(r, g->oracles[i].bytes, 32);
    g->oracle_max_age_ms = petro__r_u64(r);
    g->reserve_count = petro__r_u32(r);
    if (r->is_error || g->reserve_count > PETRO_GENESIS_RESERVES_MAX) goto bad;
    for (uint32_t i = 0; i < g->reserve_count; i++) {
        petro_genesis_reserve *res = &g->reserves[i];
        petro__r_asset(r, &res->asset);
        res->commodity = petro__r_u8(r);
        res->units_per_commodity = petro__r_u32(r);
        res->coverage_bps = petro__r_u32(r);
        petro__r_code(r, res->quote);
    }
    g->attestation_count = petro__r_u32(r);
    if (r->is_error || g->attestation_count > PETRO_GENESIS_ATTESTATIONS_MAX) goto bad;
    for (uint32_t i = 0; i < g->attestation_count; i++) decode_attest(r, &g->attestations[i]);
    return;
bad:
    r->is_error = true;
}

static petro_result genesis_apply(petro__op_ctx *ctx, const petro_genesis *g) {
    if (g->reserve_count == 0 && g->oracle_count == 0 &&
        key_is_zero(&g->auditors)) {
        return PETRO_OK; /* no reserve section: no records */
    }
    petro_reserve_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.treasury = g->treasury;
    cfg.auditors = g->auditors;
    cfg.oracle_max_age_ms = g->oracle_max_age_ms;
    cfg.oracle_count = g->oracle_count;
    memcpy(cfg.oracles, g->oracles, sizeof cfg.oracles);
    cfg.reserve_count = g->reserve_count;
    for (uint32_t i = 0; i < g->reserve_count; i++) {
        cfg.reserves[i] = g->reserves[i];
        if (cfg.reserves[i].asset.kind == PETRO_ASSET_NATIVE) {
            cfg.reserves[i].asset = petro_asset_native();
        }
    }
    uint8_t key[2], buf[CONFIG_RECORD_MAX];
    size_t size = config_encode(buf, &cfg);
    petro_result rc = petro__op_put_raw(ctx, key, key2(key, SUB_CONFIG), buf, size);
    for (uint32_t i = 0; rc == PETRO_OK && i < g->attestation_count; i++) {
        if (g->attestations[i].valid_until_ms <= ctx->timestamp_ms) return PETRO_ERR_BAD_VALIDITY;
        rc = record_attestation(ctx, &g->attestations[i]);
    }
    return rc;
}

/* ---------------------------------------------------------------- public reads */

petro_result petro_reserves_config(const petro_store *store, petro_reserve_config *cfg) {
    getter g = {NULL, store};
    bool found;
    petro_result rc = load_config(&g, cfg, &found);
    if (rc != PETRO_OK) return rc;
    return found ? PETRO_OK : PETRO_ERR_NOT_FOUND;
}

typedef struct quote_scan {
    const petro_reserve_config *cfg;
    uint64_t now_ms;
    uint8_t commodity;
    const char *quote;
    petro_amount prices[PETRO_ORACLES_MAX];
    uint32_t count;
    petro_result rc;
} quote_scan;

static int scan_quote(void *c, const uint8_t *key, size_t key_size, const uint8_t *value,
                      size_t value_size) {
    quote_scan *s = c;
    petro_oracle_quote q;
    memset(&q, 0, sizeof q);
    if (key_size != 4 || key[3] >= s->cfg->oracle_count ||
        price_decode(&q, value, value_size) != PETRO_OK) {
        s->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    /* Fresh: not in the future, and at most oracle_max_age_ms old. */
    if (strcmp(q.quote, s->quote) != 0 || q.timestamp_ms > s->now_ms ||
        s->now_ms - q.timestamp_ms > s->cfg->oracle_max_age_ms) {
        return 0;
    }
    if (s->count < PETRO_ORACLES_MAX) s->prices[s->count++] = q.price;
    return 0;
}

petro_result petro_reserves_status(const petro_store *store, uint64_t now_ms,
                                   petro_reserve_status *out, uint32_t out_cap, uint32_t *count) {
    PETRO_ASSERT(store != NULL && count != NULL && (out != NULL || out_cap == 0));
    *count = 0;
    petro_reserve_config cfg;
    getter g = {NULL, store};
    bool found;
    petro_result rc = load_config(&g, &cfg, &found);
    if (rc != PETRO_OK || !found) return rc;
    *count = cfg.reserve_count;
    for (uint32_t i = 0; i < cfg.reserve_count && i < out_cap; i++) {
        petro_reserve_status *s = &out[i];
        memset(s, 0, sizeof *s);
        s->reserve = cfg.reserves[i];
        rc = attested_at(&g, s->reserve.commodity, now_ms, &s->attested, &s->attestation_count,
                         &s->attestations_expire_ms);
        if (rc != PETRO_OK) return rc;
        petro_asset_info info;
        rc = petro_state_get_asset(store, &info, &s->reserve.asset);
        if (rc != PETRO_OK) return rc == PETRO_ERR_NOT_FOUND ? PETRO_ERR_CORRUPT : rc;
        s->supply = supply_of(&info);
        s->outstanding = info.issued - info.redeemed;
        s->cap = petro_reserves_cap(s->attested, s->reserve.units_per_commodity,
                                    s->reserve.coverage_bps);
        s->under_covered = s->supply > s->cap;
        s->headroom = s->cap > s->outstanding ? s->cap - s->outstanding : 0;
        u128 backing = mul128_64(mul64((uint64_t)s->attested, s->reserve.units_per_commodity),
                                 10000u);
        s->coverage_bps = s->supply <= 0 ? UINT64_MAX
                                         : clamp128(div128_64(backing, (uint64_t)s->supply),
                                                    UINT64_MAX);
        quote_scan scan;
        memset(&scan, 0, sizeof scan);
        scan.cfg = &cfg;
        scan.now_ms = now_ms;
        scan.commodity = s->reserve.commodity;
        scan.quote = s->reserve.quote;
        scan.rc = PETRO_OK;
        uint8_t prefix[3] = {KEY_RESERVES, SUB_PRICE, s->reserve.commodity};
        rc = store->iter(store->ctx, prefix, 3, scan_quote, &scan);
        if (rc == PETRO_OK) rc = scan.rc;
        if (rc != PETRO_OK) return rc;
        memcpy(s->quote, s->reserve.quote, sizeof s->quote);
        s->price_count = scan.count;
        if (scan.count > 0) {
            s->reference_price = petro_reserves_median(scan.prices, scan.count);
            u128 v = div128_64(mul64((uint64_t)s->attested, (uint64_t)s->reference_price),
                               (uint64_t)PETRO_UNIT);
            s->valuation = (petro_amount)clamp128(v, (uint64_t)INT64_MAX);
        }
    }
    return PETRO_OK;
}

petro_result petro_reserves_get_attestation(const petro_store *store, uint64_t id,
                                            petro_attestation *out) {
    getter g = {NULL, store};
    bool found;
    petro_result rc = load_attestation(&g, id, out, &found);
    if (rc != PETRO_OK) return rc;
    return found ? PETRO_OK : PETRO_ERR_NOT_FOUND;
}

typedef struct each_ctx {
    petro_attestation_cb attestation_cb;
    petro_redemption_cb redemption_cb;
    void *cb_ctx;
    petro_result rc;
} each_ctx;

static int each_attestation(void *c, const uint8_t *key, size_t key_size, const uint8_t *value,
                            size_t value_size) {
    each_ctx *e = c;
    petro_attestation a;
    if (key_size != 10 || attest_decode(&a, value, value_size) != PETRO_OK) {
        e->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    return e->attestation_cb(e->cb_ctx, &a);
}

petro_result petro_reserves_each_attestation(const petro_store *store, petro_attestation_cb cb,
                                             void *cb_ctx) {
    each_ctx e = {cb, NULL, cb_ctx, PETRO_OK};
    const uint8_t prefix[2] = {KEY_RESERVES, SUB_ATTEST};
    petro_result rc = store->iter(store->ctx, prefix, 2, each_attestation, &e);
    return rc != PETRO_OK ? rc : e.rc;
}

typedef struct quote_each {
    petro_reserve_config cfg;
    petro_quote_cb cb;
    void *cb_ctx;
    petro_result rc;
} quote_each;

static int each_quote(void *c, const uint8_t *key, size_t key_size, const uint8_t *value,
                      size_t value_size) {
    quote_each *e = c;
    petro_oracle_quote q;
    memset(&q, 0, sizeof q);
    if (key_size != 4 || key[3] >= e->cfg.oracle_count ||
        price_decode(&q, value, value_size) != PETRO_OK) {
        e->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    q.commodity = key[2];
    q.oracle = e->cfg.oracles[key[3]];
    return e->cb(e->cb_ctx, &q);
}

petro_result petro_reserves_each_quote(const petro_store *store, petro_quote_cb cb,
                                       void *cb_ctx) {
    quote_each e;
    memset(&e, 0, sizeof e);
    petro_result rc = petro_reserves_config(store, &e.cfg);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_OK;
    if (rc != PETRO_OK) return rc;
    e.cb = cb;
    e.cb_ctx = cb_ctx;
    const uint8_t prefix[2] = {KEY_RESERVES, SUB_PRICE};
    rc = store->iter(store->ctx, prefix, 2, each_quote, &e);
    return rc != PETRO_OK ? rc : e.rc;
}

petro_result petro_reserves_get_redemption(const petro_store *store, uint64_t id,
                                           petro_redemption *out) {
    uint8_t key[10], buf[REDEMPTION_RECORD_MAX];
    size_t size;
    bool found;
    memset(out, 0, sizeof *out);
    petro_result rc = petro__store_get(store, key, key_id(key, SUB_REDEMPTION, id), buf,
                                       sizeof buf, &size, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NOT_FOUND;
    return redemption_decode(out, buf, size);
}

static int each_redemption(void *c, const uint8_t *key, size_t key_size, const uint8_t *value,
                           size_t value_size) {
    each_ctx *e = c;
    petro_redemption q;
    if (key_size != 10 || redemption_decode(&q, value, value_size) != PETRO_OK) {
        e->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    return e->redemption_cb(e->cb_ctx, &q);
}

petro_result petro_reserves_each_redemption(const petro_store *store, petro_redemption_cb cb,
                                            void *cb_ctx) {
    each_ctx e = {NULL, cb, cb_ctx, PETRO_OK};
    const uint8_t prefix[2] = {KEY_RESERVES, SUB_REDEMPTION};
    petro_result rc = store->iter(store->ctx, prefix, 2, each_redemption, &e);
    return rc != PETRO_OK ? rc : e.rc;
}

/* ---------------------------------------------------------------- family */

static petro_result check_attest_op(const petro_op *op) { return check_attest(&op->u.attest_reserve); }

static petro_result check_oracle_price(const petro_op *op) {
    const petro_op_oracle_price *o = &op->u.oracle_price;
    if (o->commodity < 1 || o->commodity > PETRO_COMMODITY_MAX) return PETRO_ERR_BAD_COMMODITY;
    if (petro_asset_code_check(o->quote) != PETRO_OK) return PETRO_ERR_WRONG_QUOTE;
    return petro__check_positive(o->price);
}

static petro_result check_issue_reserve(const petro_op *op) {
    petro_result rc = petro__check_asset(&op->u.issue_reserve.asset);
    if (rc != PETRO_OK) return rc;
    return petro__check_positive(op->u.issue_reserve.amount);
}

static petro_result check_redeem_reserve(const petro_op *op) {
    const petro_op_redeem_reserve *o = &op->u.redeem_reserve;
    petro_result rc = petro__check_asset(&o->asset);
    if (rc != PETRO_OK) return rc;
    rc = petro__check_positive(o->amount);
    if (rc != PETRO_OK) return rc;
    return petro__text_ok(o->delivery, PETRO_RESERVE_TEXT_MAX) ? PETRO_OK : PETRO_ERR_BAD_TEXT;
}

static petro_result check_fulfill(const petro_op *op) {
    return op->u.fulfill_redemption.request_id == 0 ? PETRO_ERR_NO_REDEMPTION : PETRO_OK;
}

static petro_result redeem_reserve_accounts(petro__account_list *l, const petro_store *state,
                                            const petro_op *op) {
    return petro__add_issuer(l, state, &op->u.redeem_reserve.asset);
}

/* The holder of the redemption request (from state; nothing without it). */
static petro_result fulfill_accounts(petro__account_list *l, const petro_store *state,
                                     const petro_op *op) {
    if (state == NULL) return PETRO_OK;
    petro_redemption q;
    petro_result rc =
        petro_reserves_get_redemption(state, op->u.fulfill_redemption.request_id, &q);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_OK;
    if (rc != PETRO_OK) return rc;
    return petro__account_list_add(l, &q.holder);
}

/* PETRO_ROLE_TREASURY, PETRO_ROLE_AUDITORS and PETRO_ROLE_ORACLE, from the configuration
 * record (no record: a genesis without reserves, which keeps none of them). Auditors all
 * zero means none were named. */
static petro_result role_each(const petro_store *state, uint8_t role, petro_role_cb cb,
                              void *cb_ctx, bool *kept) {
    *kept = false;
    if (role != PETRO_ROLE_TREASURY && role != PETRO_ROLE_AUDITORS && role != PETRO_ROLE_ORACLE) {
        return PETRO_OK;
    }
    petro_reserve_config cfg;
    petro_result rc = petro_reserves_config(state, &cfg);
    if (rc == PETRO_ERR_NOT_FOUND) return PETRO_OK;
    if (rc != PETRO_OK) return rc;
    *kept = true;
    if (role == PETRO_ROLE_TREASURY) {
        cb(cb_ctx, &cfg.treasury);
    } else if (role == PETRO_ROLE_AUDITORS) {
        if (!key_is_zero(&cfg.auditors)) cb(cb_ctx, &cfg.auditors);
    } else {
        for (uint32_t i = 0; i < cfg.oracle_count && i < PETRO_ORACLES_MAX; i++) {
            if (cb(cb_ctx, &cfg.oracles[i]) != 0) break;
        }
    }
    return PETRO_OK;
}

static const char *const commodity_names[] = {NULL, "oil", "gold"};

#define T PETRO_FIELD_F_ENUM
static const petro_field attest_fields[] = {
    PETRO__F(petro_op_attest_reserve, commodity, "commodity", PETRO_FIELD_U8, .flags = T,
             .min = 1, .max = PETRO_COMMODITY_MAX, .names = commodity_names, .name_count = 3,
             .doc = "oil or gold"),
    PETRO__F(petro_op_attest_reserve, quantity, "quantity", PETRO_FIELD_AMOUNT, .min = 1,
             .max = PETRO_SUPPLY_MAX, .doc = "barrels or troy ounces, 8 decimals"),
    PETRO__F(petro_op_attest_reserve, custodian, "custodian", PETRO_FIELD_TEXT,
             .text_max = PETRO_RESERVE_TEXT_MAX, .doc = "who holds the reserve"),
    PETRO__F(petro_op_attest_reserve, document_hash, "document_hash", PETRO_FIELD_HASH,
             .doc = "hash of the signed certificate"),
    PETRO__F(petro_op_attest_reserve, valid_from_ms, "valid_from_ms", PETRO_FIELD_U64,
             .doc = "start of validity, unix ms"),
    PETRO__F(petro_op_attest_reserve, valid_until_ms, "valid_until_ms", PETRO_FIELD_U64,
             .doc = "end of validity, unix ms, > valid_from_ms"),
    PETRO__F(petro_op_attest_reserve, supersedes, "supersedes", PETRO_FIELD_U64,
             .flags = PETRO_FIELD_F_OPTIONAL, .doc = "id of the attestation it replaces; 0 none"),
};
static const petro_field oracle_price_fields[] = {
    PETRO__F(petro_op_oracle_price, commodity, "commodity", PETRO_FIELD_U8, .flags = T,
             .min = 1, .max = PETRO_COMMODITY_MAX, .names = commodity_names, .name_count = 3,
             .doc = "oil or gold"),
    PETRO__F(petro_op_oracle_price, quote, "quote", PETRO_FIELD_CODE,
             .doc = "the quote currency's code, e.g. USD"),
    PETRO__F(petro_op_oracle_price, price, "price", PETRO_FIELD_AMOUNT, .min = 1,
             .max = PETRO_SUPPLY_MAX, .doc = "price of one commodity unit, > 0"),
    PETRO__F(petro_op_oracle_price, timestamp_ms, "timestamp_ms", PETRO_FIELD_U64,
             .doc = "observation time, unix ms"),
};
#undef T
static const petro_field issue_reserve_fields[] = {
    PETRO__F(petro_op_issue_reserve, asset, "asset", PETRO_FIELD_ASSET,
             .doc = "a reserve-backed asset"),
    PETRO__F(petro_op_issue_reserve, destination, "destination", PETRO_FIELD_PUBKEY,
             .flags = PETRO_FIELD_F_PARTY, .doc = "the receiving account"),
    PETRO__F(petro_op_issue_reserve, amount, "amount", PETRO_FIELD_AMOUNT, .min = 1,
             .max = PETRO_SUPPLY_MAX, .doc = "new units, within the coverage cap"),
};
static const petro_field redeem_reserve_fields[] = {
    PETRO__F(petro_op_redeem_reserve, asset, "asset", PETRO_FIELD_ASSET,
             .doc = "a reserve-backed asset"),
    PETRO__F(petro_op_redeem_reserve, amount, "amount", PETRO_FIELD_AMOUNT, .min = 1,
             .max = PETRO_SUPPLY_MAX, .doc = "units burned"),
    PETRO__F(petro_op_redeem_reserve, delivery, "delivery", PETRO_FIELD_TEXT,
             .text_max = PETRO_RESERVE_TEXT_MAX, .doc = "delivery reference"),
};
static const petro_field fulfill_fields[] = {
    PETRO__F(petro_op_fulfill_redemption, request_id, "request_id", PETRO_FIELD_U64, .min = 1,
             .doc = "the redemption request"),
};

#define OP(t, nm, st, fl, sum) \
    PETRO__OP_SCHEMA("reserves", t, nm, PETRO_THRESHOLD_MEDIUM, st, fl, sum)

static const petro__op_def ops[] = {
    {OP(PETRO_OP_ATTEST_RESERVE, "attest_reserve", petro_op_attest_reserve, attest_fields,
        "the auditors attest a reserve certificate"),
     .check = check_attest_op, .apply = op_attest_reserve},
    {OP(PETRO_OP_ORACLE_PRICE, "oracle_price", petro_op_oracle_price, oracle_price_fields,
        "an oracle publishes a commodity price"),
     .check = check_oracle_price, .apply = op_oracle_price},
    {OP(PETRO_OP_ISSUE_RESERVE, "issue_reserve", petro_op_issue_reserve, issue_reserve_fields,
        "the issuer creates reserve-backed units, capped by coverage"),
     .check = check_issue_reserve, .apply = op_issue_reserve},
    {OP(PETRO_OP_REDEEM_RESERVE, "redeem_reserve", petro_op_redeem_reserve,
        redeem_reserve_fields, "a holder burns reserve-backed units and asks for delivery"),
     .check = check_redeem_reserve, .apply = op_redeem_reserve,
     .accounts = redeem_reserve_accounts},
    {OP(PETRO_OP_FULFILL_REDEMPTION, "fulfill_redemption", petro_op_fulfill_redemption,
        fulfill_fields, "the issuer marks a redemption request delivered"),
     .check = check_fulfill, .apply = op_fulfill_redemption, .accounts = fulfill_accounts},
};

const petro__family petro__family_reserves = {
    .info = {.name = "reserves",
             .summary = "reserve attestations, oracle prices, reserve-backed issue and redemption",
             .op_count = PETRO__COUNT(ops), .state_prefix = KEY_RESERVES},
    .ops = ops,
    .genesis_check = genesis_check,
    .genesis_encode = genesis_encode,
    .genesis_decode = genesis_decode,
    .genesis_apply = genesis_apply,
    .on_issue = check_cap,
    .role_each = role_each,
};
