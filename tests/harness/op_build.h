/* The unit tests' operation builders, driven by the family registry (petro/schema.h, issue
 * #14). Two of them, both header-only (static inline: each unit test is one source file):
 *
 *   OP_MAKE("payment", OP_V("destination", &pk), OP_V("asset", &asset), OP_V("amount", &x))
 *     a given operation, fields set by name through the schema (op_make below); every unit
 *     test builds its operations with it, so no test spells out an operation's struct;
 *   op_build(rng, &op, schema, &draws)
 *     a random operation of any registered type inside its fields' limits, for the codec
 *     round-trip and mutation tests (tests/unit/test_schema.c) and the fuzz seed generator
 *     (tests/fuzz/gen_corpus.c).
 *
 * Design. Nothing here names an operation or a family: every value comes from the field's
 * kind and limits, so a new family's operations are built with no edit here. Per field:
 *   - integers and amounts: in [min, max] (max 0: the kind's maximum), at min one time in
 *     four and at max one time in four, else uniform; ENUM values only where names[v] is
 *     set; FLAGS any set of the named bits (within max); BOOL 0 or 1;
 *   - TEXT printable ASCII, CODE 1..12 of A-Z 0-9 (never PTR), ASSET native one time in
 *     three, else issued with a random code and issuer; COUNTRY two capitals; PUBKEY, HASH
 *     and SIG random bytes;
 *   - lists: 0..list_max elements, pairwise distinct (every list of the protocol so far must
 *     be), except a HEX list, which is a byte string;
 *   - a TEXT or a list gets at least size_min characters or elements, and at least one when
 *     it is not PETRO_FIELD_F_OPTIONAL (a building choice; an empty one is still legal where
 *     the check allows it, and optional ones are drawn empty too).
 * The schema cannot state cross-field rules (trade_create: threshold <= approvers, deadline <
 * expiry; attest_reserve and trade_amend: dates in order; trade_target: base_year <
 * target_year; trade_approve: a rejection needs a reason). op_build meets them without
 * knowing them: it draws again until petro_op_check passes, at most OP_BUILD_TRIES times, and
 * reports how many draws it took. Values at their bounds make such pairs pass often.
 *
 * Everything is deterministic for a given op_build_rng state (splitmix64), and every byte of
 * the operation not written by a field stays zero, as petro_tx_decode leaves it. */
#ifndef PETRO_TEST_OP_BUILD_H
#define PETRO_TEST_OP_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "petro/petro.h"
#include "petro/schema.h"

#define OP_BUILD_TRIES 1000u

typedef struct op_build_rng {
    uint64_t state;
} op_build_rng;

static inline uint64_t op_build_next(op_build_rng *r) {
    uint64_t z = (r->state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in 0..n-1; n 0 stands for 2^64. */
static inline uint64_t op_build_below(op_build_rng *r, uint64_t n) {
    return n == 0 ? op_build_next(r) : op_build_next(r) % n;
}

static inline void op_build_bytes(op_build_rng *r, uint8_t *out, size_t size) {
    for (size_t i = 0; i < size; i++) out[i] = (uint8_t)op_build_next(r);
}

/* The range of an integer kind, as two's complement uint64_t (AMOUNT is signed). */
static inline void op_build_kind_range(uint8_t kind, uint64_t *lo, uint64_t *hi) {
    *lo = 0;
    switch (kind) {
    case PETRO_FIELD_U8:
    case PETRO_FIELD_BOOL: *hi = UINT8_MAX; return;
    case PETRO_FIELD_U16: *hi = UINT16_MAX; return;
    case PETRO_FIELD_U32: *hi = UINT32_MAX; return;
    case PETRO_FIELD_U64: *hi = UINT64_MAX; return;
    case PETRO_FIELD_AMOUNT:
        *lo = (uint64_t)INT64_MIN;
        *hi = (uint64_t)INT64_MAX;
        return;
    default: *hi = 0; return;
    }
}

/* The range a field's schema accepts: [min, max], max 0 meaning the kind's maximum. */
static inline void op_build_field_range(const petro_field *f, uint64_t *lo, uint64_t *hi) {
    uint64_t klo, khi;
    op_build_kind_range(f->kind, &klo, &khi);
    *lo = (uint64_t)f->min;
    *hi = f->max != 0 ? (uint64_t)f->max : khi;
    if (f->kind != PETRO_FIELD_AMOUNT && f->min < 0) *lo = klo;
}

/* In [lo, hi] (two's complement for AMOUNT): at a bound half the time. */
static inline uint64_t op_build_int(op_build_rng *r, uint8_t kind, uint64_t lo, uint64_t hi) {
    switch (op_build_below(r, 4)) {
    case 0: return lo;
    case 1: return hi;
    default: break;
    }
    uint64_t span = hi - lo + 1; /* 0: the whole 64-bit range */
    if (kind == PETRO_FIELD_AMOUNT && (int64_t)hi < (int64_t)lo) return lo;
    return lo + op_build_below(r, span);
}

/* Stores v with the width of an integer kind (the caller checked the kind). */
static inline void op_build_store_int(uint8_t *p, uint8_t kind, uint64_t v) {
    switch (kind) {
    case PETRO_FIELD_U8:
    case PETRO_FIELD_BOOL: *p = (uint8_t)v; return;
    case PETRO_FIELD_U16: {
        uint16_t x = (uint16_t)v;
        memcpy(p, &x, sizeof x);
        return;
    }
    case PETRO_FIELD_U32: {
        uint32_t x = (uint32_t)v;
        memcpy(p, &x, sizeof x);
        return;
    }
    case PETRO_FIELD_AMOUNT: {
        int64_t x = (int64_t)v;
        memcpy(p, &x, sizeof x);
        return;
    }
    default: memcpy(p, &v, sizeof v); return;
    }
}

static inline bool op_build_is_int(uint8_t kind) {
    return kind == PETRO_FIELD_U8 || kind == PETRO_FIELD_U16 || kind == PETRO_FIELD_U32 ||
           kind == PETRO_FIELD_U64 || kind == PETRO_FIELD_AMOUNT;
}

/* An ENUM value in [lo, hi] that has a name (lo if none has: the registry test reports it). */
static inline uint64_t op_build_enum(op_build_rng *r, const petro_field *f, uint64_t lo,
                                     uint64_t hi) {
    for (int tries = 0; tries < 64; tries++) {
        uint64_t v = op_build_int(r, f->kind, lo, hi);
        if (f->names != NULL && v < f->name_count && f->names[v] != NULL) return v;
    }
    for (uint64_t v = lo; v <= hi && v < f->name_count; v++) {
        if (f->names != NULL && f->names[v] != NULL) return v;
    }
    return lo;
}

/* A FLAGS value: any set of the named bits, within max if it is set. */
static inline uint64_t op_build_flags(op_build_rng *r, const petro_field *f) {
    uint64_t mask = 0;
    for (unsigned b = 0; b < f->name_count && b < 32; b++) {
        if (f->names != NULL && f->names[b] != NULL) mask |= UINT64_C(1) << b;
    }
    if (f->max != 0) mask &= (uint64_t)f->max;
    return op_build_next(r) & mask;
}

static inline void op_build_code(op_build_rng *r, char *out) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    do {
        memset(out, 0, PETRO_ASSET_CODE_SIZE_MAX + 1);
        size_t len = 1 + (size_t)op_build_below(r, PETRO_ASSET_CODE_SIZE_MAX);
        for (size_t i = 0; i < len; i++) out[i] = alphabet[op_build_below(r, 36)];
    } while (strcmp(out, "PTR") == 0);
}

/* Printable ASCII (0x20..0x7e), min_len..max_len characters, at a bound half the time. */
static inline void op_build_text(op_build_rng *r, char *out, size_t min_len, size_t max_len) {
    size_t len = (size_t)op_build_int(r, PETRO_FIELD_U64, min_len, max_len);
    memset(out, 0, max_len + 1);
    for (size_t i = 0; i < len; i++) out[i] = (char)(0x20 + op_build_below(r, 0x7f - 0x20));
}

/* One value of field f at p (p zeroed by the caller). */
static inline void op_build_value(op_build_rng *r, const petro_field *f, uint8_t *p) {
    uint64_t lo, hi;
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY:
    case PETRO_FIELD_HASH: op_build_bytes(r, p, 32); return;
    case PETRO_FIELD_SIG: op_build_bytes(r, p, 64); return;
    case PETRO_FIELD_ASSET: {
        petro_asset a;
        memset(&a, 0, sizeof a);
        if (op_build_below(r, 3) == 0) {
            a = petro_asset_native();
        } else {
            a.kind = PETRO_ASSET_ISSUED;
            op_build_code(r, a.code);
            op_build_bytes(r, a.issuer.bytes, sizeof a.issuer.bytes);
        }
        memcpy(p, &a, sizeof a);
        return;
    }
    case PETRO_FIELD_CODE: op_build_code(r, (char *)p); return;
    case PETRO_FIELD_BOOL: *p = (uint8_t)(op_build_next(r) & 1u); return;
    case PETRO_FIELD_TEXT: {
        size_t min_len = (f->flags & PETRO_FIELD_F_OPTIONAL) != 0 || f->text_max == 0 ? 0 : 1;
        if (min_len < f->size_min) min_len = f->size_min;
        op_build_text(r, (char *)p, min_len, f->text_max);
        return;
    }
    case PETRO_FIELD_COUNTRY:
        p[0] = (uint8_t)('A' + op_build_below(r, 26));
        p[1] = (uint8_t)('A' + op_build_below(r, 26));
        p[2] = 0;
        return;
    case PETRO_FIELD_AMOUNT:
    case PETRO_FIELD_U8:
    case PETRO_FIELD_U16:
    case PETRO_FIELD_U32:
    case PETRO_FIELD_U64: break;
    }
    if (!op_build_is_int(f->kind)) return; /* a kind outside the schema: left zero */
    op_build_field_range(f, &lo, &hi);
    uint64_t v;
    if ((f->flags & PETRO_FIELD_F_ENUM) != 0) {
        v = op_build_enum(r, f, lo, hi);
    } else if ((f->flags & PETRO_FIELD_F_FLAGS) != 0) {
        v = op_build_flags(r, f);
    } else {
        v = op_build_int(r, f->kind, lo, hi);
    }
    op_build_store_int(p, f->kind, v);
}

/* A list: count at count_offset, then count elements, pairwise distinct unless it is HEX. */
static inline void op_build_list(op_build_rng *r, const petro_field *f, uint8_t *base) {
    uint64_t min_count = (f->flags & PETRO_FIELD_F_OPTIONAL) != 0 ? 0 : 1;
    if (min_count < f->size_min) min_count = f->size_min;
    bool any = (f->flags & PETRO_FIELD_F_HEX) != 0;
    uint8_t count = (uint8_t)op_build_int(r, PETRO_FIELD_U8, min_count, f->list_max);
    for (uint8_t j = 0; j < count; j++) {
        uint8_t *elem = base + f->offset + (size_t)j * f->elem_size;
        bool distinct = false;
        for (int tries = 0; tries < 64 && !distinct; tries++) {
            memset(elem, 0, f->elem_size);
            op_build_value(r, f, elem);
            distinct = true;
            for (uint8_t k = 0; k < j && distinct && !any; k++) {
                distinct = memcmp(elem, base + f->offset + (size_t)k * f->elem_size,
                                  f->elem_size) != 0;
            }
        }
        if (!distinct) { /* a small value space (an enum) is exhausted: stop the list here */
            memset(elem, 0, f->elem_size);
            count = j;
            break;
        }
    }
    base[f->count_offset] = count;
}

/** One draw: op zeroed, its type set, every field of s filled within its limits. The result
 *  may still fail a cross-field rule of the family's check; op_build draws until it passes. */
static inline void op_build_draw(op_build_rng *r, petro_op *op, const petro_op_schema *s) {
    memset(op, 0, sizeof *op);
    op->type = s->type;
    uint8_t *base = petro_op_fields(op);
    for (uint8_t i = 0; i < s->field_count; i++) {
        const petro_field *f = &s->fields[i];
        if (f->list_max > 0) {
            op_build_list(r, f, base);
        } else {
            op_build_value(r, f, base + f->offset);
        }
    }
}

/** A random operation of schema s that passes petro_op_check. Returns PETRO_OK, or the
 *  check's last refusal after OP_BUILD_TRIES draws (op then holds that draw). *draws (may be
 *  NULL): how many draws it took. */
static inline petro_result op_build(op_build_rng *r, petro_op *op, const petro_op_schema *s,
                                    unsigned *draws) {
    petro_result rc = PETRO_ERR_MALFORMED;
    unsigned n = 0;
    while (n < OP_BUILD_TRIES) {
        op_build_draw(r, op, s);
        n++;
        rc = petro_op_check(op);
        if (rc == PETRO_OK) break;
    }
    if (draws != NULL) *draws = n;
    return rc;
}

/* ---------------------------------------------------------------- op_make */

/** One field's value for op_make: value points to the field's in-memory type (petro_pubkey,
 *  petro_hash, petro_sig, petro_asset, int64_t for amounts, uint8_t..uint64_t, a
 *  NUL-terminated string for TEXT, CODE and COUNTRY); a list passes its first element and
 *  count (OP_LIST). */
typedef struct op_value {
    const char *field;
    const void *value;
    size_t count; /* a list: elements; else 1 */
    bool is_list;
} op_value;

#define OP_V(name, ptr) ((op_value){(name), (ptr), 1, false})
#define OP_LIST(name, ptr, n) ((op_value){(name), (ptr), (n), true})
#define OP_MAKE(op_name, ...)                                                                  \
    op_make((op_name), (const op_value[]){__VA_ARGS__},                                        \
            sizeof((const op_value[]){__VA_ARGS__}) / sizeof(op_value))
/* An operation with no fields set (every field zero). */
#define OP_EMPTY(op_name) op_make((op_name), NULL, 0)

_Noreturn static inline void op_make_fail(const char *op_name, const char *field,
                                          const char *why) {
    fprintf(stderr, "op_make(\"%s\"): field \"%s\": %s\n", op_name, field ? field : "", why);
    abort();
}

static inline size_t op_make_mem_size(const petro_field *f) {
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY: return sizeof(petro_pubkey);
    case PETRO_FIELD_HASH: return sizeof(petro_hash);
    case PETRO_FIELD_SIG: return sizeof(petro_sig);
    case PETRO_FIELD_ASSET: return sizeof(petro_asset);
    case PETRO_FIELD_AMOUNT: return sizeof(int64_t);
    case PETRO_FIELD_U8:
    case PETRO_FIELD_BOOL: return 1;
    case PETRO_FIELD_U16: return 2;
    case PETRO_FIELD_U32: return 4;
    case PETRO_FIELD_U64: return 8;
    case PETRO_FIELD_TEXT:
    case PETRO_FIELD_CODE:
    case PETRO_FIELD_COUNTRY: return 0; /* strings: by length */
    }
    return 0;
}

/* One value at p: strings copied up to their bound (a longer one is a test bug), others by
 * the kind's size. No limit is checked: tests build invalid operations on purpose. */
static inline void op_make_value(const char *op_name, const petro_field *f, uint8_t *p,
                                 const void *value) {
    size_t cap;
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_TEXT: cap = f->text_max; break;
    case PETRO_FIELD_CODE: cap = PETRO_ASSET_CODE_SIZE_MAX; break;
    case PETRO_FIELD_COUNTRY: cap = 2; break;
    default: memcpy(p, value, op_make_mem_size(f)); return;
    }
    size_t len = strlen((const char *)value);
    if (len > cap) op_make_fail(op_name, f->name, "string longer than the field holds");
    memcpy(p, value, len);
}

/** The operation named op_name whose whole field struct is *payload (size bytes, which must
 *  be the schema's size: a test that fills the family's struct itself). */
static inline petro_op op_make_payload(const char *op_name, const void *payload, size_t size) {
    const petro_op_schema *s = petro_op_schema_find(op_name);
    if (s == NULL) op_make_fail(op_name, NULL, "no such operation");
    if (size != s->size) op_make_fail(op_name, NULL, "payload is not the operation's struct");
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = s->type;
    memcpy(petro_op_fields(&op), payload, size);
    return op;
}
#define OP_PAYLOAD(op_name, ptr) op_make_payload((op_name), (ptr), sizeof *(ptr))

/** The name of operation type t, for tests that hold a type number (aborts if unknown). */
static inline const char *op_name_of(uint8_t t) {
    const petro_op_schema *s = petro_op_schema_of(t);
    if (s == NULL) op_make_fail("?", NULL, "no operation of that type");
    return s->name;
}

/** The operation named op_name with the given fields set and every other byte zero. An
 *  unknown operation or field, a list passed as a value (or the reverse) or a list over its
 *  list_max aborts: the test is wrong, not the ledger. */
static inline petro_op op_make(const char *op_name, const op_value *values, size_t count) {
    const petro_op_schema *s = petro_op_schema_find(op_name);
    if (s == NULL) op_make_fail(op_name, NULL, "no such operation");
    petro_op op;
    memset(&op, 0, sizeof op);
    op.type = s->type;
    uint8_t *base = petro_op_fields(&op);
    for (size_t i = 0; i < count; i++) {
        const op_value *v = &values[i];
        const petro_field *f = NULL;
        for (uint8_t k = 0; k < s->field_count && f == NULL; k++) {
            if (strcmp(s->fields[k].name, v->field) == 0) f = &s->fields[k];
        }
        if (f == NULL) op_make_fail(op_name, v->field, "no such field");
        if (v->is_list != (f->list_max > 0)) op_make_fail(op_name, v->field, "list/value mix-up");
        if (!v->is_list) {
            op_make_value(op_name, f, base + f->offset, v->value);
            continue;
        }
        if (v->count > f->list_max) op_make_fail(op_name, v->field, "list over list_max");
        if (v->count > 0) memcpy(base + f->offset, v->value, v->count * f->elem_size);
        base[f->count_offset] = (uint8_t)v->count;
    }
    return op;
}

#endif
