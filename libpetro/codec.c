/* The canonical codec primitives (docs/protocol.md, "Primitives"): fixed-width little-endian
 * integers, codes and assets over a bounded writer and reader.
 *
 * Both sides have sticky failure: after the first overflow or short read, every further
 * operation is a no-op (reads return 0), so encoders and decoders are straight-line code
 * with a single check at the end. Byte order is produced by shifts, never by memcpy of host
 * integers, so the encoding does not depend on the machine. */
#include <string.h>

#include "internal.h"

/* ---------------------------------------------------------------- writer */

void petro__w_init(petro__writer *w, uint8_t *bytes, size_t capacity) {
    PETRO_ASSERT(w != NULL);
    PETRO_ASSERT(bytes != NULL || capacity == 0);
    w->bytes = bytes;
    w->capacity = capacity;
    w->size = 0;
    w->is_overflow = false;
}

void petro__w_bytes(petro__writer *w, const void *bytes, size_t size) {
    if (w->is_overflow) return;
    PETRO_DEBUG_ASSERT(w->size <= w->capacity);
    if (size > w->capacity - w->size) {
        w->is_overflow = true;
        return;
    }
    if (size > 0) memcpy(w->bytes + w->size, bytes, size);
    w->size += size;
}

/* Little-endian store of the low `width` bytes of v. */
static void w_le(petro__writer *w, uint64_t v, size_t width) {
    uint8_t buf[8];
    PETRO_DEBUG_ASSERT(width <= sizeof buf);
    for (size_t i = 0; i < width; i++) buf[i] = (uint8_t)(v >> (8 * i));
    petro__w_bytes(w, buf, width);
}

void petro__w_u8(petro__writer *w, uint8_t v) { w_le(w, v, 1); }
void petro__w_u16(petro__writer *w, uint16_t v) { w_le(w, v, 2); }
void petro__w_u32(petro__writer *w, uint32_t v) { w_le(w, v, 4); }
void petro__w_u64(petro__writer *w, uint64_t v) { w_le(w, v, 8); }
/* Two's complement: the conversion to uint64_t is defined modulo 2^64. */
void petro__w_i64(petro__writer *w, int64_t v) { w_le(w, (uint64_t)v, 8); }

void petro__w_code(petro__writer *w, const char *code) {
    size_t len = strnlen(code, PETRO_ASSET_CODE_SIZE_MAX + 1);
    /* Encoders check codes before writing; an unchecked code here is a programming error. */
    PETRO_ASSERT(len >= 1 && len <= PETRO_ASSET_CODE_SIZE_MAX);
    petro__w_u8(w, (uint8_t)len);
    petro__w_bytes(w, code, len);
}

void petro__w_asset(petro__writer *w, const petro_asset *asset) {
    PETRO_ASSERT(asset->kind == PETRO_ASSET_NATIVE || asset->kind == PETRO_ASSET_ISSUED);
    petro__w_u8(w, asset->kind);
    if (asset->kind == PETRO_ASSET_ISSUED) {
        petro__w_code(w, asset->code);
        petro__w_bytes(w, asset->issuer.bytes, sizeof asset->issuer.bytes);
    }
}

/* ---------------------------------------------------------------- reader */

void petro__r_init(petro__reader *r, const uint8_t *bytes, size_t size) {
    PETRO_ASSERT(r != NULL);
    PETRO_ASSERT(bytes != NULL || size == 0);
    r->bytes = bytes;
    r->size = size;
    r->offset = 0;
    r->is_error = false;
}

void petro__r_bytes(petro__reader *r, void *out, size_t size) {
    if (!r->is_error && size > r->size - r->offset) r->is_error = true;
    if (r->is_error) {
        if (size > 0) memset(out, 0, size);
        return;
    }
    if (size > 0) memcpy(out, r->bytes + r->offset, size);
    r->offset += size;
}

static uint64_t r_le(petro__reader *r, size_t width) {
    uint8_t buf[8];
    uint64_t v = 0;
    PETRO_DEBUG_ASSERT(width <= sizeof buf);
    petro__r_bytes(r, buf, width);
    if (r->is_error) return 0;
    for (size_t i = 0; i < width; i++) v |= (uint64_t)buf[i] << (8 * i);
    return v;
}

uint8_t petro__r_u8(petro__reader *r) { return (uint8_t)r_le(r, 1); }
uint16_t petro__r_u16(petro__reader *r) { return (uint16_t)r_le(r, 2); }
uint32_t petro__r_u32(petro__reader *r) { return (uint32_t)r_le(r, 4); }
uint64_t petro__r_u64(petro__reader *r) { return r_le(r, 8); }

int64_t petro__r_i64(petro__reader *r) {
    uint64_t u = r_le(r, 8);
    /* Two's complement decode without implementation-defined conversion. */
    if (u <= (uint64_t)INT64_MAX) return (int64_t)u;
    return -(int64_t)(~u) - 1;
}

uint8_t petro__r_bool(petro__reader *r) {
    uint8_t v = petro__r_u8(r);
    if (v > 1) {
        r->is_error = true;
        return 0;
    }
    return v;
}

void petro__r_code(petro__reader *r, char *out) {
    memset(out, 0, PETRO_ASSET_CODE_SIZE_MAX + 1);
    uint8_t len = petro__r_u8(r);
    if (r->is_error) return;
    if (len < 1 || len > PETRO_ASSET_CODE_SIZE_MAX) {
        r->is_error = true;
        return;
    }
    petro__r_bytes(r, out, len);
    if (r->is_error) {
        memset(out, 0, PETRO_ASSET_CODE_SIZE_MAX + 1);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        char c = out[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            r->is_error = true;
            memset(out, 0, PETRO_ASSET_CODE_SIZE_MAX + 1);
            return;
        }
    }
}

void petro__r_asset(petro__reader *r, petro_asset *asset) {
    memset(asset, 0, sizeof *asset);
    uint8_t kind = petro__r_u8(r);
    if (r->is_error) return;
    if (kind == PETRO_ASSET_NATIVE) {
        *asset = petro_asset_native();
        return;
    }
    if (kind != PETRO_ASSET_ISSUED) {
        r->is_error = true;
        return;
    }
    asset->kind = PETRO_ASSET_ISSUED;
    petro__r_code(r, asset->code);
    petro__r_bytes(r, asset->issuer.bytes, sizeof asset->issuer.bytes);
    if (!r->is_error && strcmp(asset->code, "PTR") == 0) r->is_error = true;
    if (r->is_error) memset(asset, 0, sizeof *asset);
}

bool petro__r_done(const petro__reader *r) {
    return !r->is_error && r->offset == r->size;
}

bool petro__text_ok(const char *s, size_t max) {
    size_t len = strnlen(s, max + 1);
    if (len > max) return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e) return false;
    }
    return true;
}

void petro__w_text(petro__writer *w, const char *s, size_t max) {
    size_t len = strnlen(s, max);
    petro__w_u8(w, (uint8_t)len);
    petro__w_bytes(w, s, len);
}

void petro__r_text(petro__reader *r, char *out, size_t max) {
    memset(out, 0, max + 1);
    uint8_t len = petro__r_u8(r);
    if (r->is_error) return;
    if (len > max) {
        r->is_error = true;
        return;
    }
    petro__r_bytes(r, out, len);
    if (!r->is_error && strnlen(out, len) != len) r->is_error = true; /* NUL inside */
}

/* ---------------------------------------------------------------- countries */

bool petro__country_ok(const char *c) {
    return c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && c[2] == '\0';
}

void petro__w_country(petro__writer *w, const char *c) { petro__w_bytes(w, c, 2); }

void petro__r_country(petro__reader *r, char *c) {
    petro__r_bytes(r, c, 2);
    c[2] = '\0';
}
