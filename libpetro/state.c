/* The state layout (docs/protocol.md, "State"): keys, record encodings, reads straight from a
 * store, the chain tip, and the full invariant scan.
 *
 * Records are written only through the encoders here and read only through the strict
 * decoders, so a record that fails to decode can only be damage (PETRO_ERR_CORRUPT). The
 * invariant scan never nests store iterations (the LMDB store need not be re-entrant): it
 * reads the assets, then walks every trust line once (lines are grouped by account in key
 * order), then merges the per-account summaries with the account records. */
#include "state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ops/ops.h"

const uint8_t petro__key_tip[4] = {'M', 't', 'i', 'p'};

/* ---------------------------------------------------------------- byte helpers */

/* The records are on the apply path of every transaction, so they are coded with direct
 * little-endian loads and stores over fixed offsets rather than the general reader and
 * writer; the layouts are exactly those of docs/protocol.md "State". */
static inline void st_u32(uint8_t *p, uint32_t v) {
    for (size_t i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void st_u64(uint8_t *p, uint64_t v) {
    for (size_t i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t ld_u32(const uint8_t *p) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}
static inline uint64_t ld_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}
/* Two's complement both ways without implementation-defined conversions. */
static inline void st_i64(uint8_t *p, int64_t v) { st_u64(p, (uint64_t)v); }
static inline int64_t ld_i64(const uint8_t *p) {
    uint64_t u = ld_u64(p);
    if (u <= (uint64_t)INT64_MAX) return (int64_t)u;
    return -(int64_t)(~u) - 1;
}

/* The asset encoding (kind, then code and issuer if issued). Returns its size. */
static size_t asset_put(uint8_t *out, const petro_asset *asset) {
    if (asset->kind == PETRO_ASSET_NATIVE) {
        out[0] = PETRO_ASSET_NATIVE;
        return 1;
    }
    PETRO_ASSERT(asset->kind == PETRO_ASSET_ISSUED);
    size_t len = strnlen(asset->code, PETRO_ASSET_CODE_SIZE_MAX + 1);
    /* Codes are checked before they reach a key or a record: a bad one is a bug. */
    PETRO_ASSERT(len >= 1 && len <= PETRO_ASSET_CODE_SIZE_MAX);
    out[0] = PETRO_ASSET_ISSUED;
    out[1] = (uint8_t)len;
    memcpy(out + 2, asset->code, len);
    memcpy(out + 2 + len, asset->issuer.bytes, 32);
    return 2 + len + 32;
}

/* Decode one asset at the start of bytes; returns its size, or 0 if it is not canonical. */
static size_t asset_get(petro_asset *asset, const uint8_t *bytes, size_t size) {
    if (size >= 1 && bytes[0] == PETRO_ASSET_NATIVE) {
        *asset = petro_asset_native();
        return 1;
    }
    petro__reader r;
    petro__r_init(&r, bytes, size);
    petro__r_asset(&r, asset);
    if (r.is_error) return 0;
    return r.offset;
}

/* ---------------------------------------------------------------- keys */

size_t petro__key_account(uint8_t *out, const petro_pubkey *id) {
    out[0] = PETRO__KEY_ACCOUNT;
    memcpy(out + 1, id->bytes, 32);
    return 33;
}

size_t petro__key_trust(uint8_t *out, const petro_pubkey *account, const petro_asset *asset) {
    out[0] = PETRO__KEY_TRUST;
    memcpy(out + 1, account->bytes, 32);
    return 33 + asset_put(out + 33, asset);
}

size_t petro__key_asset(uint8_t *out, const petro_asset *asset) {
    out[0] = PETRO__KEY_ASSET;
    return 1 + asset_put(out + 1, asset);
}

bool petro__key_parse_asset(petro_asset *asset, const uint8_t *bytes, size_t size) {
    size_t n = asset_get(asset, bytes, size);
    if (n == 0 || n != size) {
        memset(asset, 0, sizeof *asset);
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- records */

/* Account layout: id 0, sequence 32, flags 40, master 44, low 45, medium 46, high 47,
 * signer_count 48, signers 49 (33 each), then kyc_tier, zone_id, trust_line_count,
 * created_height. */
#define ACCOUNT_FIXED_SIZE (32 + 8 + 4 + 4 + 1 + 1 + 4 + 4 + 8)

size_t petro__account_encode(uint8_t out[PETRO__ACCOUNT_RECORD_MAX], const petro_account *a) {
    PETRO_ASSERT(a->signer_count <= PETRO_SIGNERS_MAX);
    memcpy(out, a->id.bytes, 32);
    st_u64(out + 32, a->sequence);
    st_u32(out + 40, a->flags);
    out[44] = a->master_weight;
    out[45] = a->threshold_low;
    out[46] = a->threshold_medium;
    out[47] = a->threshold_high;
    out[48] = a->signer_count;
    uint8_t *p = out + 49;
    for (uint8_t i = 0; i < a->signer_count; i++) {
        memcpy(p, a->signers[i].key.bytes, 32);
        p[32] = a->signers[i].weight;
        p += 33;
    }
    p[0] = a->kyc_tier;
    st_u32(p + 1, a->zone_id);
    st_u32(p + 5, a->trust_line_count);
    st_u64(p + 9, a->created_height);
    size_t size = (size_t)(p + 17 - out);
    PETRO_ASSERT(size == ACCOUNT_FIXED_SIZE + (size_t)a->signer_count * 33);
    return size;
}

petro_result petro__account_decode(petro_account *a, const uint8_t *bytes, size_t size) {
    if (size < ACCOUNT_FIXED_SIZE) goto corrupt;
    uint8_t count = bytes[48];
    if (count > PETRO_SIGNERS_MAX || size != ACCOUNT_FIXED_SIZE + (size_t)count * 33) {
        goto corrupt;
    }
    memcpy(a->id.bytes, bytes, 32);
    a->sequence = ld_u64(bytes + 32);
    a->flags = ld_u32(bytes + 40);
    a->master_weight = bytes[44];
    a->threshold_low = bytes[45];
    a->threshold_medium = bytes[46];
    a->threshold_high = bytes[47];
    a->signer_count = count;
    const uint8_t *p = bytes + 49;
    for (uint8_t i = 0; i < count; i++) {
        memcpy(a->signers[i].key.bytes, p, 32);
        a->signers[i].weight = p[32];
        p += 33;
        /* Signers are sorted strictly ascending, have weight > 0, and are never the id. */
        if (a->signers[i].weight == 0) goto corrupt;
        if (petro_pubkey_equal(&a->signers[i].key, &a->id)) goto corrupt;
        if (i > 0 && petro_pubkey_cmp(&a->signers[i - 1].key, &a->signers[i].key) >= 0) {
            goto corrupt;
        }
    }
    if (count < PETRO_SIGNERS_MAX) {
        memset(&a->signers[count], 0, (size_t)(PETRO_SIGNERS_MAX - count) * sizeof a->signers[0]);
    }
    a->kyc_tier = p[0];
    a->zone_id = ld_u32(p + 1);
    a->trust_line_count = ld_u32(p + 5);
    a->created_height = ld_u64(p + 9);
    return PETRO_OK;
corrupt:
    memset(a, 0, sizeof *a);
    return PETRO_ERR_CORRUPT;
}

size_t petro__trust_encode(uint8_t out[PETRO__TRUST_RECORD_SIZE], const petro_trust_line *t) {
    st_i64(out, t->balance);
    st_i64(out + 8, t->limit);
    st_u32(out + 16, t->flags);
    return PETRO__TRUST_RECORD_SIZE;
}

petro_result petro__trust_decode(petro_trust_line *t, const uint8_t *bytes, size_t size) {
    memset(t, 0, sizeof *t);
    if (size != PETRO__TRUST_RECORD_SIZE) return PETRO_ERR_CORRUPT;
    t->balance = ld_i64(bytes);
    t->limit = ld_i64(bytes + 8);
    t->flags = ld_u32(bytes + 16);
    if (t->balance < 0 || t->limit < 0 || t->limit > PETRO_SUPPLY_MAX ||
        (t->flags & ~(uint32_t)PETRO__TRUST_FLAGS_KNOWN) != 0) {
        memset(t, 0, sizeof *t);
        return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

#define ASSET_INFO_TAIL (4 + 8 + 8 + 8 + 4 + 8)

size_t petro__asset_info_encode(uint8_t out[PETRO__ASSET_RECORD_MAX],
                                const petro_asset_info *info) {
    size_t n = asset_put(out, &info->asset);
    uint8_t *p = out + n;
    st_u32(p, info->flags);
    st_i64(p + 4, info->issued);
    st_i64(p + 12, info->redeemed);
    st_i64(p + 20, info->burned);
    st_u32(p + 28, info->holder_count);
    st_u64(p + 32, info->created_height);
    return n + ASSET_INFO_TAIL;
}

petro_result petro__asset_info_decode(petro_asset_info *info, const uint8_t *bytes, size_t size) {
    memset(info, 0, sizeof *info);
    size_t n = asset_get(&info->asset, bytes, size);
    if (n == 0 || size != n + ASSET_INFO_TAIL) goto corrupt;
    const uint8_t *p = bytes + n;
    info->flags = ld_u32(p);
    info->issued = ld_i64(p + 4);
    info->redeemed = ld_i64(p + 12);
    info->burned = ld_i64(p + 20);
    info->holder_count = ld_u32(p + 28);
    info->created_height = ld_u64(p + 32);
    if (info->issued < 0 || info->redeemed < 0 || info->burned < 0) goto corrupt;
    return PETRO_OK;
corrupt:
    memset(info, 0, sizeof *info);
    return PETRO_ERR_CORRUPT;
}

size_t petro__tip_encode(uint8_t out[PETRO__TIP_RECORD_SIZE], const petro_ledger_tip *tip) {
    petro__writer w;
    petro__w_init(&w, out, PETRO__TIP_RECORD_SIZE);
    petro__w_u64(&w, tip->height);
    petro__w_bytes(&w, tip->block_hash.bytes, 32);
    petro__w_bytes(&w, tip->state_hash.bytes, 32);
    petro__w_u64(&w, tip->timestamp_ms);
    petro__w_bytes(&w, tip->network_id.bytes, 32);
    petro__w_u8(&w, tip->net_kind);
    PETRO_ASSERT(!w.is_overflow);
    return w.size;
}

petro_result petro__tip_decode(petro_ledger_tip *tip, const uint8_t *bytes, size_t size) {
    memset(tip, 0, sizeof *tip);
    petro__reader r;
    petro__r_init(&r, bytes, size);
    tip->height = petro__r_u64(&r);
    petro__r_bytes(&r, tip->block_hash.bytes, 32);
    petro__r_bytes(&r, tip->state_hash.bytes, 32);
    tip->timestamp_ms = petro__r_u64(&r);
    petro__r_bytes(&r, tip->network_id.bytes, 32);
    tip->net_kind = petro__r_u8(&r);
    if (!petro__r_done(&r) || tip->net_kind > PETRO_NET_TEST) {
        memset(tip, 0, sizeof *tip);
        return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

/* ---------------------------------------------------------------- helpers */

petro_trust_line petro__native_line(petro_amount balance) {
    petro_trust_line t;
    memset(&t, 0, sizeof t);
    t.balance = balance;
    t.limit = PETRO_SUPPLY_MAX;
    t.flags = PETRO_TRUST_FLAG_AUTHORIZED;
    return t;
}

petro_result petro__store_get(const petro_store *store, const uint8_t *key, size_t key_size,
                              uint8_t *buf, size_t buf_cap, size_t *size, bool *found) {
    *size = 0;
    *found = false;
    petro_result rc = store->get(store->ctx, key, key_size, buf, buf_cap, size, found);
    if (rc == PETRO_ERR_BUFFER_TOO_SMALL) return PETRO_ERR_CORRUPT;
    if (rc != PETRO_OK) {
        *found = false;
        return rc;
    }
    return PETRO_OK;
}

uint32_t petro__key_hash(const uint8_t *key, size_t size) {
    uint64_t h = UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)size;
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t v;
        memcpy(&v, key + i, 8);
        h = (h ^ v) * UINT64_C(0xBF58476D1CE4E5B9);
        h ^= h >> 31;
    }
    if (i < size) {
        /* The last 8 bytes (overlapping the loop's) or the whole short key. */
        uint64_t v = 0;
        if (size >= 8) {
            memcpy(&v, key + size - 8, 8);
        } else {
            memcpy(&v, key, size);
        }
        h = (h ^ v) * UINT64_C(0x94D049BB133111EB);
        h ^= h >> 29;
    }
    return (uint32_t)(h ^ (h >> 32));
}

uint32_t petro__account_total_weight(const petro_account *a) {
    uint32_t total = a->master_weight;
    for (uint8_t i = 0; i < a->signer_count && i < PETRO_SIGNERS_MAX; i++) {
        total += a->signers[i].weight;
    }
    return total;
}

int32_t petro__account_key_weight(const petro_account *a, const petro_pubkey *key) {
    if (petro_pubkey_equal(key, &a->id)) return a->master_weight > 0 ? a->master_weight : -1;
    for (uint8_t i = 0; i < a->signer_count && i < PETRO_SIGNERS_MAX; i++) {
        if (petro_pubkey_equal(key, &a->signers[i].key)) return a->signers[i].weight;
    }
    return -1;
}

/* ---------------------------------------------------------------- reads */

petro_result petro_state_get_account(const petro_store *store, petro_account *acct,
                                     const petro_pubkey *id) {
    PETRO_ASSERT(store != NULL && acct != NULL && id != NULL);
    memset(acct, 0, sizeof *acct);
    uint8_t key[PETRO__KEY_MAX], buf[PETRO__ACCOUNT_RECORD_MAX];
    size_t key_size = petro__key_account(key, id), size;
    bool found;
    petro_result rc = petro__store_get(store, key, key_size, buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NOT_FOUND;
    rc = petro__account_decode(acct, buf, size);
    if (rc != PETRO_OK) return rc;
    if (!petro_pubkey_equal(&acct->id, id)) {
        memset(acct, 0, sizeof *acct);
        return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

petro_result petro_state_get_trust_line(const petro_store *store, petro_trust_line *line,
                                        const petro_pubkey *account, const petro_asset *asset) {
    PETRO_ASSERT(store != NULL && line != NULL && account != NULL && asset != NULL);
    memset(line, 0, sizeof *line);
    if (asset->kind != PETRO_ASSET_NATIVE && petro_asset_code_check(asset->code) != PETRO_OK) {
        return PETRO_ERR_NOT_FOUND;
    }
    if (asset->kind != PETRO_ASSET_NATIVE && asset->kind != PETRO_ASSET_ISSUED) {
        return PETRO_ERR_NOT_FOUND;
    }
    uint8_t key[PETRO__KEY_MAX], buf[PETRO__TRUST_RECORD_SIZE];
    size_t key_size = petro__key_trust(key, account, asset), size;
    bool found;
    petro_result rc = petro__store_get(store, key, key_size, buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NOT_FOUND;
    return petro__trust_decode(line, buf, size);
}

petro_result petro_state_get_asset(const petro_store *store, petro_asset_info *info,
                                   const petro_asset *asset) {
    PETRO_ASSERT(store != NULL && info != NULL && asset != NULL);
    memset(info, 0, sizeof *info);
    if (asset->kind != PETRO_ASSET_NATIVE && petro_asset_code_check(asset->code) != PETRO_OK) {
        return PETRO_ERR_NOT_FOUND;
    }
    if (asset->kind != PETRO_ASSET_NATIVE && asset->kind != PETRO_ASSET_ISSUED) {
        return PETRO_ERR_NOT_FOUND;
    }
    uint8_t key[PETRO__KEY_MAX], buf[PETRO__ASSET_RECORD_MAX];
    size_t key_size = petro__key_asset(key, asset), size;
    bool found;
    petro_result rc = petro__store_get(store, key, key_size, buf, sizeof buf, &size, &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NOT_FOUND;
    rc = petro__asset_info_decode(info, buf, size);
    if (rc != PETRO_OK) return rc;
    if (!petro_asset_equal(&info->asset, asset)) {
        memset(info, 0, sizeof *info);
        return PETRO_ERR_CORRUPT;
    }
    return PETRO_OK;
}

typedef struct balance_walk {
    petro_balance_cb cb;
    void *cb_ctx;
    petro_result rc;
} balance_walk;

static int balance_visit(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                         size_t value_size) {
    balance_walk *bw = ctx;
    petro_asset asset;
    petro_trust_line line;
    if (key_size < 33 || !petro__key_parse_asset(&asset, key + 33, key_size - 33) ||
        petro__trust_decode(&line, value, value_size) != PETRO_OK) {
        bw->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    return bw->cb(bw->cb_ctx, &asset, &line) != 0 ? 1 : 0;
}

petro_result petro_state_each_balance(const petro_store *store, const petro_pubkey *account,
                                      petro_balance_cb cb, void *cb_ctx) {
    PETRO_ASSERT(store != NULL && account != NULL && cb != NULL);
    uint8_t prefix[33];
    prefix[0] = PETRO__KEY_TRUST;
    memcpy(prefix + 1, account->bytes, 32);
    /* The native asset encodes as kind 0, so its line sorts first. */
    balance_walk bw = {.cb = cb, .cb_ctx = cb_ctx, .rc = PETRO_OK};
    petro_result rc = store->iter(store->ctx, prefix, sizeof prefix, balance_visit, &bw);
    if (rc != PETRO_OK) return rc;
    return bw.rc;
}

typedef struct asset_walk {
    petro_asset_cb cb;
    void *cb_ctx;
    petro_result rc;
} asset_walk;

static int asset_visit(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                       size_t value_size) {
    asset_walk *aw = ctx;
    petro_asset asset;
    petro_asset_info info;
    if (!petro__key_parse_asset(&asset, key + 1, key_size - 1) ||
        petro__asset_info_decode(&info, value, value_size) != PETRO_OK ||
        !petro_asset_equal(&asset, &info.asset)) {
        aw->rc = PETRO_ERR_CORRUPT;
        return 1;
    }
    return aw->cb(aw->cb_ctx, &info) != 0 ? 1 : 0;
}

petro_result petro_state_each_asset(const petro_store *store, petro_asset_cb cb, void *cb_ctx) {
    PETRO_ASSERT(store != NULL && cb != NULL);
    const uint8_t prefix = PETRO__KEY_ASSET;
    asset_walk aw = {.cb = cb, .cb_ctx = cb_ctx, .rc = PETRO_OK};
    petro_result rc = store->iter(store->ctx, &prefix, 1, asset_visit, &aw);
    if (rc != PETRO_OK) return rc;
    return aw.rc;
}

petro_result petro_ledger_tip_get(const petro_store *store, petro_ledger_tip *tip) {
    PETRO_ASSERT(store != NULL && tip != NULL);
    memset(tip, 0, sizeof *tip);
    uint8_t buf[PETRO__TIP_RECORD_SIZE];
    size_t size;
    bool found;
    petro_result rc =
        petro__store_get(store, petro__key_tip, sizeof petro__key_tip, buf, sizeof buf, &size,
                         &found);
    if (rc != PETRO_OK) return rc;
    if (!found) return PETRO_ERR_NOT_FOUND;
    return petro__tip_decode(tip, buf, size);
}

/* ---------------------------------------------------------------- invariants */

typedef struct inv_asset {
    petro_asset_info info;
    petro_amount sum;   /* sum of balances seen */
    uint32_t lines;     /* lines seen */
} inv_asset;

typedef struct inv_account {
    petro_pubkey id;
    uint32_t issued_lines;
    bool has_native;
} inv_account;

typedef struct inv_scan {
    inv_asset *assets;
    size_t asset_count, asset_cap;
    inv_account *accounts; /* one per account seen in the trust lines, ascending */
    size_t account_count, account_cap, account_pos;
    uint32_t account_records;
    petro_result rc;
    char *msg;
    size_t msg_cap;
} inv_scan;

/* Record the first failure (with its description) and stop the walk. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int inv_fail(inv_scan *s, const char *fmt, ...) {
    if (s->rc == PETRO_OK) {
        s->rc = PETRO_ERR_CORRUPT;
        if (s->msg != NULL && s->msg_cap > 0) {
            va_list ap;
            va_start(ap, fmt);
            int n = vsnprintf(s->msg, s->msg_cap, fmt, ap);
            va_end(ap);
            if (n < 0) s->msg[0] = '\0';
        }
    }
    return 1;
}

static void asset_name(char *out, size_t cap, const petro_asset *a) {
    if (a->kind == PETRO_ASSET_NATIVE) {
        snprintf(out, cap, "PTR");
        return;
    }
    char hex[17];
    petro_hex_encode(hex, a->issuer.bytes, 8);
    snprintf(out, cap, "%s:%s..", a->code, hex);
}

static int inv_asset_visit(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                           size_t value_size) {
    inv_scan *s = ctx;
    petro_asset asset;
    if (!petro__key_parse_asset(&asset, key + 1, key_size - 1)) {
        return inv_fail(s, "asset key %zu bytes does not decode", key_size);
    }
    if (s->asset_count == s->asset_cap) {
        size_t cap = s->asset_cap == 0 ? 16 : s->asset_cap * 2;
        inv_asset *assets = realloc(s->assets, cap * sizeof *assets);
        if (assets == NULL) {
            s->rc = PETRO_ERR_NOMEM;
            return 1;
        }
        s->assets = assets;
        s->asset_cap = cap;
    }
    inv_asset *ia = &s->assets[s->asset_count];
    memset(ia, 0, sizeof *ia);
    char name[48];
    asset_name(name, sizeof name, &asset);
    if (petro__asset_info_decode(&ia->info, value, value_size) != PETRO_OK ||
        !petro_asset_equal(&ia->info.asset, &asset)) {
        return inv_fail(s, "asset record %s does not decode", name);
    }
    s->asset_count++;
    return 0;
}

/* Assets arrive in key order; key order of the asset encoding is what we search by. */
static inv_asset *inv_find_asset(inv_scan *s, const uint8_t *enc, size_t enc_size) {
    size_t lo = 0, hi = s->asset_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint8_t key[PETRO__KEY_MAX];
        size_t ks = petro__key_asset(key, &s->assets[mid].info.asset);
        const uint8_t *menc = key + 1;
        size_t msize = ks - 1;
        size_t n = msize < enc_size ? msize : enc_size;
        int c = memcmp(menc, enc, n);
        if (c == 0) c = msize < enc_size ? -1 : (msize > enc_size ? 1 : 0);
        if (c == 0) return &s->assets[mid];
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* Locks (escrow, and later offers, sales, swaps): their units are still in the supply. */
static int inv_lock_visit(void *ctx, const petro_lock *lock) {
    inv_scan *s = ctx;
    uint8_t akey[PETRO__KEY_MAX];
    size_t ks = petro__key_asset(akey, &lock->asset);
    char name[48];
    asset_name(name, sizeof name, &lock->asset);
    inv_asset *ia = inv_find_asset(s, akey + 1, ks - 1);
    if (ia == NULL) return inv_fail(s, "%s lock in a missing asset %s", lock->family, name);
    if (petro_amount_add(&ia->sum, ia->sum, lock->amount) != PETRO_OK) {
        return inv_fail(s, "sum of balances and locks of %s overflows", name);
    }
    return 0;
}

static int inv_line_visit(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                          size_t value_size) {
    inv_scan *s = ctx;
    petro_asset asset;
    petro_trust_line line;
    if (key_size < 34 || !petro__key_parse_asset(&asset, key + 33, key_size - 33)) {
        return inv_fail(s, "trust line key of %zu bytes does not decode", key_size);
    }
    char name[48], who[17];
    asset_name(name, sizeof name, &asset);
    petro_hex_encode(who, key + 1, 8);
    if (petro__trust_decode(&line, value, value_size) != PETRO_OK) {
        return inv_fail(s, "trust line %s.. %s does not decode (or is negative)", who, name);
    }
    if (line.balance > line.limit) {
        return inv_fail(s, "trust line %s.. %s balance above its limit", who, name);
    }
    inv_asset *ia = inv_find_asset(s, key + 33, key_size - 33);
    if (ia == NULL) return inv_fail(s, "trust line %s.. %s of a missing asset", who, name);
    if (petro_amount_add(&ia->sum, ia->sum, line.balance) != PETRO_OK) {
        return inv_fail(s, "sum of balances of %s overflows", name);
    }
    ia->lines++;
    if (asset.kind == PETRO_ASSET_ISSUED && memcmp(asset.issuer.bytes, key + 1, 32) == 0) {
        return inv_fail(s, "issuer %s.. holds a line of its own asset %s", who, name);
    }
    if (asset.kind == PETRO_ASSET_NATIVE &&
        (line.limit != PETRO_SUPPLY_MAX || line.flags != PETRO_TRUST_FLAG_AUTHORIZED)) {
        return inv_fail(s, "native line %s.. is not at supply max and authorised", who);
    }
    /* Per-account summary; lines of one account are contiguous in key order. */
    inv_account *acc = s->account_count > 0 ? &s->accounts[s->account_count - 1] : NULL;
    if (acc == NULL || memcmp(acc->id.bytes, key + 1, 32) != 0) {
        if (s->account_count == s->account_cap) {
            size_t cap = s->account_cap == 0 ? 64 : s->account_cap * 2;
            inv_account *accounts = realloc(s->accounts, cap * sizeof *accounts);
            if (accounts == NULL) {
                s->rc = PETRO_ERR_NOMEM;
                return 1;
            }
            s->accounts = accounts;
            s->account_cap = cap;
        }
        acc = &s->accounts[s->account_count++];
        memset(acc, 0, sizeof *acc);
        memcpy(acc->id.bytes, key + 1, 32);
    }
    if (asset.kind == PETRO_ASSET_NATIVE) {
        acc->has_native = true;
    } else {
        acc->issued_lines++;
    }
    return 0;
}

static int inv_account_visit(void *ctx, const uint8_t *key, size_t key_size, const uint8_t *value,
                             size_t value_size) {
    inv_scan *s = ctx;
    petro_account a;
    char who[17];
    if (key_size != 33) return inv_fail(s, "account key of %zu bytes", key_size);
    petro_hex_encode(who, key + 1, 8);
    if (petro__account_decode(&a, value, value_size) != PETRO_OK ||
        memcmp(a.id.bytes, key + 1, 32) != 0) {
        return inv_fail(s, "account %s.. does not decode", who);
    }
    s->account_records++;
    /* Both sequences ascend by id: merge. A summary before this account has no account. */
    if (s->account_pos < s->account_count &&
        memcmp(s->accounts[s->account_pos].id.bytes, a.id.bytes, 32) < 0) {
        char other[17];
        petro_hex_encode(other, s->accounts[s->account_pos].id.bytes, 8);
        return inv_fail(s, "trust line of missing account %s..", other);
    }
    if (s->account_pos >= s->account_count ||
        memcmp(s->accounts[s->account_pos].id.bytes, a.id.bytes, 32) != 0) {
        return inv_fail(s, "account %s.. has no native balance", who);
    }
    const inv_account *acc = &s->accounts[s->account_pos++];
    if (!acc->has_native) return inv_fail(s, "account %s.. has no native balance", who);
    if (acc->issued_lines != a.trust_line_count) {
        return inv_fail(s, "account %s.. trust_line_count %u but %u lines", who,
                        a.trust_line_count, acc->issued_lines);
    }
    uint32_t total = petro__account_total_weight(&a);
    if (total == 0) return inv_fail(s, "account %s.. has no signing weight", who);
    return 0;
}

petro_result petro_ledger_check_invariants(const petro_store *store, char *msg, size_t msg_cap) {
    PETRO_ASSERT(store != NULL);
    if (msg != NULL && msg_cap > 0) msg[0] = '\0';
    inv_scan s;
    memset(&s, 0, sizeof s);
    s.msg = msg;
    s.msg_cap = msg_cap;
    const uint8_t pa = PETRO__KEY_ASSET, pt = PETRO__KEY_TRUST, pacc = PETRO__KEY_ACCOUNT;
    petro_result rc = store->iter(store->ctx, &pa, 1, inv_asset_visit, &s);
    if (rc == PETRO_OK && s.rc == PETRO_OK) {
        rc = store->iter(store->ctx, &pt, 1, inv_line_visit, &s);
    }
    if (rc == PETRO_OK && s.rc == PETRO_OK) {
        rc = store->iter(store->ctx, &pacc, 1, inv_account_visit, &s);
    }
    if (rc == PETRO_OK && s.rc == PETRO_OK) {
        rc = petro_state_each_lock(store, inv_lock_visit, &s);
        if (rc == PETRO_ERR_CORRUPT && s.rc == PETRO_OK) {
            inv_fail(&s, "a lock record does not decode");
            rc = PETRO_OK;
        }
    }
    if (rc == PETRO_OK && s.rc == PETRO_OK && s.account_pos < s.account_count) {
        char other[17];
        petro_hex_encode(other, s.accounts[s.account_pos].id.bytes, 8);
        inv_fail(&s, "trust line of missing account %s..", other);
    }
    for (size_t i = 0; rc == PETRO_OK && s.rc == PETRO_OK && i < s.asset_count; i++) {
        const inv_asset *ia = &s.assets[i];
        char name[48];
        asset_name(name, sizeof name, &ia->info.asset);
        petro_amount outstanding;
        if (petro_amount_sub(&outstanding, ia->info.issued, ia->info.redeemed) != PETRO_OK ||
            petro_amount_sub(&outstanding, outstanding, ia->info.burned) != PETRO_OK) {
            inv_fail(&s, "asset %s totals overflow", name);
            break;
        }
        if (outstanding != ia->sum) {
            inv_fail(&s,
                     "asset %s: balances + escrow sum to %lld but issued - redeemed - burned "
                     "is %lld",
                     name, (long long)ia->sum, (long long)outstanding);
            break;
        }
        if (outstanding > PETRO_SUPPLY_MAX) {
            inv_fail(&s, "asset %s supply above the maximum", name);
            break;
        }
        /* Native: one holder per account (the merge above matched accounts to native lines
         * one to one). Issued: one holder per trust line. */
        uint32_t holders =
            ia->info.asset.kind == PETRO_ASSET_NATIVE ? s.account_records : ia->lines;
        if (ia->info.holder_count != holders) {
            inv_fail(&s, "asset %s holder_count %u but %u holders", name, ia->info.holder_count,
                     holders);
            break;
        }
    }
    /* Every issued asset's issuer is an account. */
    for (size_t i = 0; rc == PETRO_OK && s.rc == PETRO_OK && i < s.asset_count; i++) {
        const petro_asset *a = &s.assets[i].info.asset;
        if (a->kind != PETRO_ASSET_ISSUED) continue;
        petro_account issuer;
        petro_result grc = petro_state_get_account(store, &issuer, &a->issuer);
        if (grc == PETRO_ERR_NOT_FOUND) {
            char name[48];
            asset_name(name, sizeof name, a);
            inv_fail(&s, "asset %s has no issuer account", name);
        } else if (grc != PETRO_OK) {
            rc = grc;
        }
    }
    if (rc == PETRO_OK && s.rc == PETRO_OK && s.account_records > 0 &&
        (s.asset_count == 0 || s.assets[0].info.asset.kind != PETRO_ASSET_NATIVE)) {
        inv_fail(&s, "native asset record missing");
    }
    free(s.assets);
    free(s.accounts);
    if (rc != PETRO_OK) return rc;
    return s.rc;
}
