/* The family registry (petro/schema.h) as the one source of truth about operations (issue #14):
 *   - the registry is self-consistent: families and types, names, lookups, and every field's
 *     kind, flags, limits and place inside its operation's struct;
 *   - every registered operation, built at random within its schema (tests/harness/op_build.h),
 *     passes petro_op_check and survives encode / decode / encode with identical bytes and an
 *     identical petro_op, alone and mixed with others; its encoded size is the one the wire
 *     kinds of docs/protocol.md give, computed here independently of the codec;
 *   - for every field of every operation, mutations the decoder must reject (truncation in the
 *     field, a list count over list_max, a BOOL byte 2, bad text/code/asset lengths) are
 *     malformed, and values outside the schema's limits are refused by the check, with the
 *     same code from petro_tx_decode and petro_op_check.
 * Nothing here names an operation: a new family is covered with no edit. A failure names the
 * operation and field. Seeded (--seed N or PETRO_TEST_SEED; printed first). */
#include <stdarg.h>

#include "op_build.h"
#include "petro/petro.h"
#include "petro/schema.h"
#include "test.h"

#define SCHEMAS_MAX 256
#define ROUNDS_PER_OP 64      /* random round trips per operation type */
#define MUTATION_ROUNDS 8     /* random operations per type whose fields are all mutated */
#define MIXED_ROUNDS 200      /* transactions with several random operations */
#define FIELDS_MAX 64
/* Body bytes before the first operation: version, network_id, source, sequence, fee,
 * valid_after_ms, valid_until_ms, memo_size (then the memo), op_count. */
#define TX_HEAD_SIZE (1 + 32 + 32 + 8 + 8 + 8 + 8 + 1 + 1)
#define TX_SIG_SIZE (32 + 64)

static const petro_op_schema *schemas[SCHEMAS_MAX];
static size_t schema_count;

/* ---------------------------------------------------------------- failures */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void schema_fail(int line, const petro_op_schema *s, const petro_field *f,
                        const char *fmt, ...) {
    fprintf(stderr, "%s:%d: schema of op %s (type %u)%s%s: ", __FILE__, line,
            s != NULL ? s->name : "?", s != NULL ? s->type : 0u, f != NULL ? ", field " : "",
            f != NULL ? f->name : "");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

#define SCHEMA_CHECK(cond, s, f, ...)                                 \
    do {                                                              \
        if (!(cond)) schema_fail(__LINE__, (s), (f), __VA_ARGS__);    \
    } while (0)

/* ---------------------------------------------------------------- helpers */

static bool lower_snake(const char *name) {
    if (name == NULL || !(name[0] >= 'a' && name[0] <= 'z')) return false;
    size_t len = strlen(name);
    if (name[len - 1] == '_') return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
        if (c == '_' && name[i + 1] == '_') return false;
    }
    return true;
}

/* Bytes of one value of a kind in the operation's struct; 0 for a kind outside the enum. */
static size_t kind_mem_size(const petro_field *f) {
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY: return sizeof(petro_pubkey);
    case PETRO_FIELD_ASSET: return sizeof(petro_asset);
    case PETRO_FIELD_CODE: return PETRO_ASSET_CODE_SIZE_MAX + 1;
    case PETRO_FIELD_AMOUNT: return sizeof(petro_amount);
    case PETRO_FIELD_U8:
    case PETRO_FIELD_BOOL: return 1;
    case PETRO_FIELD_U16: return 2;
    case PETRO_FIELD_U32: return 4;
    case PETRO_FIELD_U64: return 8;
    case PETRO_FIELD_TEXT: return (size_t)f->text_max + 1;
    case PETRO_FIELD_HASH: return sizeof(petro_hash);
    case PETRO_FIELD_SIG: return sizeof(petro_sig);
    case PETRO_FIELD_COUNTRY: return 3;
    }
    return 0;
}

/* Bytes of one value on the wire, from docs/protocol.md ("Primitives" and the operation
 * fields section), not from the codec. */
static size_t wire_value_size(const petro_field *f, const uint8_t *p) {
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY:
    case PETRO_FIELD_HASH: return 32;
    case PETRO_FIELD_SIG: return 64;
    case PETRO_FIELD_ASSET: {
        petro_asset a;
        memcpy(&a, p, sizeof a);
        if (a.kind == PETRO_ASSET_NATIVE) return 1;
        return 1 + 1 + strnlen(a.code, PETRO_ASSET_CODE_SIZE_MAX + 1) + 32;
    }
    case PETRO_FIELD_CODE: return 1 + strnlen((const char *)p, PETRO_ASSET_CODE_SIZE_MAX + 1);
    case PETRO_FIELD_AMOUNT:
    case PETRO_FIELD_U64: return 8;
    case PETRO_FIELD_U8:
    case PETRO_FIELD_BOOL: return 1;
    case PETRO_FIELD_U16: return 2;
    case PETRO_FIELD_U32: return 4;
    case PETRO_FIELD_TEXT: return 1 + strnlen((const char *)p, f->text_max);
    case PETRO_FIELD_COUNTRY: return 2;
    }
    return 0;
}

/* Where each field of op lies in its encoding: [start, end) from the field's first byte (a
 * list: its count) to past its last. Returns the end of the last field. */
typedef struct field_span {
    size_t start, end;
} field_span;

static size_t layout_fields(field_span *spans, const petro_op_schema *s, const petro_op *op,
                            size_t pos) {
    const uint8_t *base = petro_op_fields_const(op);
    for (uint8_t i = 0; i < s->field_count; i++) {
        const petro_field *f = &s->fields[i];
        spans[i].start = pos;
        if (f->list_max == 0) {
            pos += wire_value_size(f, base + f->offset);
        } else {
            pos += 1;
            for (uint8_t j = 0; j < base[f->count_offset]; j++) {
                pos += wire_value_size(f, base + f->offset + (size_t)j * f->elem_size);
            }
        }
        spans[i].end = pos;
    }
    return pos;
}

static void fill_random(uint8_t *out, size_t size) {
    for (size_t i = 0; i < size; i++) out[i] = (uint8_t)test_rand();
}

/* A transaction around ops[0..n): random envelope fields that pass the checks, one random
 * signature (decoding does not verify signatures), memo_size bytes of memo. */
static void make_tx(petro_tx *tx, const petro_op *ops, size_t n, uint8_t memo_size) {
    memset(tx, 0, sizeof *tx);
    tx->version = PETRO_TX_VERSION;
    fill_random(tx->network_id.bytes, sizeof tx->network_id.bytes);
    fill_random(tx->source.bytes, sizeof tx->source.bytes);
    tx->sequence = test_rand();
    tx->fee = (petro_amount)(test_rand() % (uint64_t)PETRO_SUPPLY_MAX);
    tx->valid_after_ms = test_rand();
    tx->valid_until_ms = test_rand();
    tx->memo_size = memo_size;
    fill_random(tx->memo, memo_size);
    tx->op_count = (uint8_t)n;
    memcpy(tx->ops, ops, n * sizeof ops[0]);
    tx->sig_count = 1;
    fill_random(tx->sigs[0].key.bytes, sizeof tx->sigs[0].key.bytes);
    fill_random(tx->sigs[0].sig.bytes, sizeof tx->sigs[0].sig.bytes);
}

static op_build_rng builder;

/* A random op of schema s passing petro_op_check; fails the test, naming s, if none comes. */
static void build_op(petro_op *op, const petro_op_schema *s, unsigned *draws) {
    petro_result rc = op_build(&builder, op, s, draws);
    SCHEMA_CHECK(rc == PETRO_OK, s, NULL,
                 "no random draw within the schema's limits passes petro_op_check in %u "
                 "tries (last refusal: %s): the check has a rule the schema does not state "
                 "(or states wrongly); state it, or see tests/harness/op_build.h",
                 OP_BUILD_TRIES, petro_result_name(rc));
}

/* ---------------------------------------------------------------- registry */

static void collect_schemas(void) {
    schema_count = 0;
    for (size_t fi = 0; fi < petro_family_count(); fi++) {
        const petro_family_info *fam = petro_family_at(fi);
        for (size_t i = 0; i < fam->op_count; i++) {
            ASSERT_TRUE(schema_count < SCHEMAS_MAX);
            schemas[schema_count++] = petro_family_op(fam, i);
        }
    }
}

/* State key prefixes: printable, distinct across families, never a core prefix. */
static void check_state_prefixes(void) {
    for (size_t i = 0; i < petro_family_count(); i++) {
        const petro_family_info *f = petro_family_at(i);
        if (f->state_prefix == 0) continue;
        ASSERT_TRUE(f->state_prefix > 0x20 && f->state_prefix < 0x7f);
        ASSERT_TRUE(strchr("ATSM", f->state_prefix) == NULL);
        for (size_t j = 0; j < i; j++) {
            ASSERT_TRUE(petro_family_at(j)->state_prefix != f->state_prefix);
        }
    }
}

static void test_registry_families(void) {
    check_state_prefixes();
    ASSERT_TRUE(petro_family_count() > 0);
    ASSERT_TRUE(petro_family_at(petro_family_count()) == NULL);
    ASSERT_TRUE(petro_family_find("no_such_family") == NULL);
    ASSERT_TRUE(petro_op_schema_find("no_such_op") == NULL);
    bool seen_type[256] = {false};
    for (size_t fi = 0; fi < petro_family_count(); fi++) {
        const petro_family_info *fam = petro_family_at(fi);
        ASSERT_TRUE(fam != NULL && fam->name != NULL);
        if (!lower_snake(fam->name) || fam->summary == NULL || fam->summary[0] == '\0' ||
            fam->op_count == 0 || petro_family_find(fam->name) != fam) {
            fprintf(stderr, "family %zu (%s): needs a lower_snake name, a summary, at least "
                    "one op, and petro_family_find to return it\n", fi, fam->name);
            exit(1);
        }
        for (size_t fj = 0; fj < fi; fj++) {
            ASSERT_TRUE(strcmp(petro_family_at(fj)->name, fam->name) != 0);
        }
        for (size_t i = 0; i < fam->op_count; i++) {
            const petro_op_schema *s = petro_family_op(fam, i);
            SCHEMA_CHECK(i == 0 || petro_family_op(fam, i - 1)->type < s->type, s, NULL,
                         "types of family %s must ascend strictly", fam->name);
            SCHEMA_CHECK(!seen_type[s->type], s, NULL, "type registered twice");
            seen_type[s->type] = true;
            SCHEMA_CHECK(s->type != 0, s, NULL, "type 0 is not an operation");
            SCHEMA_CHECK(lower_snake(s->name), s, NULL, "name must be lower_snake");
            SCHEMA_CHECK(s->family != NULL && strcmp(s->family, fam->name) == 0, s, NULL,
                         "family \"%s\" but registered in %s", s->family ? s->family : "(null)",
                         fam->name);
            SCHEMA_CHECK(petro_op_schema_of(s->type) == s, s, NULL, "petro_op_schema_of");
            SCHEMA_CHECK(petro_op_schema_find(s->name) == s, s, NULL,
                         "petro_op_schema_find (a name used twice?)");
            SCHEMA_CHECK(s->threshold <= PETRO_THRESHOLD_HIGH, s, NULL, "threshold %u",
                         s->threshold);
            SCHEMA_CHECK(s->summary != NULL && s->summary[0] != '\0', s, NULL, "no summary");
            SCHEMA_CHECK(s->size > 0 && s->size <= sizeof(((petro_op *)0)->u), s, NULL,
                         "size %u outside petro_op.u (%zu)", s->size,
                         sizeof(((petro_op *)0)->u));
            SCHEMA_CHECK(s->field_count == 0 || s->fields != NULL, s, NULL, "no fields array");
            SCHEMA_CHECK(s->field_count <= FIELDS_MAX, s, NULL, "more than %d fields",
                         FIELDS_MAX);
        }
    }
    /* Every type no family registers is unknown to every lookup. */
    for (unsigned t = 0; t < 256; t++) {
        if (seen_type[t]) continue;
        ASSERT_TRUE(petro_op_schema_of((uint8_t)t) == NULL);
        petro_op op;
        memset(&op, 0, sizeof op);
        op.type = (uint8_t)t;
        ASSERT_RESULT(petro_op_check(&op), PETRO_ERR_UNKNOWN_OP);
    }
    printf("  %zu families, %zu operation types\n", petro_family_count(), schema_count);
}

/* Integer limits: inside the kind's range, min <= max; other kinds carry none. */
static void check_field_limits(const petro_op_schema *s, const petro_field *f) {
    if (!op_build_is_int(f->kind)) {
        SCHEMA_CHECK(f->min == 0 && f->max == 0, s, f, "min/max on a non-integer kind");
        return;
    }
    uint64_t klo, khi;
    op_build_kind_range(f->kind, &klo, &khi);
    if (f->kind == PETRO_FIELD_AMOUNT) {
        SCHEMA_CHECK(f->max == 0 || f->min <= f->max, s, f, "min %lld > max %lld",
                     (long long)f->min, (long long)f->max);
        return;
    }
    SCHEMA_CHECK(f->min >= 0, s, f, "negative min on an unsigned kind");
    SCHEMA_CHECK((uint64_t)f->min <= khi && (f->max == 0 || (uint64_t)f->max <= khi), s, f,
                 "limits outside the kind's range");
    SCHEMA_CHECK(f->max == 0 || f->min <= f->max, s, f, "min %lld > max %lld",
                 (long long)f->min, (long long)f->max);
}

/* Flags and names: PARTY on PUBKEY, BOOLEAN and ENUM on U8, FLAGS on U32, HEX on a list of
 * U8, names exactly for
 * ENUM (every value of min..max named) and FLAGS (every bit of max named). */
static void check_field_flags(const petro_op_schema *s, const petro_field *f) {
    const uint8_t known = PETRO_FIELD_F_PARTY | PETRO_FIELD_F_BOOLEAN | PETRO_FIELD_F_OPTIONAL |
                          PETRO_FIELD_F_ENUM | PETRO_FIELD_F_FLAGS | PETRO_FIELD_F_HEX;
    SCHEMA_CHECK((f->flags & ~known) == 0, s, f, "unknown flags 0x%x", f->flags);
    if (f->flags & PETRO_FIELD_F_HEX) {
        SCHEMA_CHECK(f->kind == PETRO_FIELD_U8 && f->list_max > 0, s, f,
                     "HEX needs a list of U8");
    }
    if (f->flags & PETRO_FIELD_F_PARTY) {
        SCHEMA_CHECK(f->kind == PETRO_FIELD_PUBKEY, s, f, "PARTY on a non-PUBKEY field");
    }
    if (f->flags & PETRO_FIELD_F_BOOLEAN) {
        SCHEMA_CHECK(f->kind == PETRO_FIELD_U8 && f->max == 1, s, f,
                     "BOOLEAN needs a U8 with max 1");
    }
    bool named = (f->flags & (PETRO_FIELD_F_ENUM | PETRO_FIELD_F_FLAGS)) != 0;
    SCHEMA_CHECK(!((f->flags & PETRO_FIELD_F_ENUM) && (f->flags & PETRO_FIELD_F_FLAGS)), s, f,
                 "both ENUM and FLAGS");
    SCHEMA_CHECK(named == (f->names != NULL), s, f, "names exactly on ENUM and FLAGS fields");
    SCHEMA_CHECK(named == (f->name_count > 0), s, f, "name_count exactly on ENUM and FLAGS");
    if (f->flags & PETRO_FIELD_F_ENUM) {
        SCHEMA_CHECK(f->kind == PETRO_FIELD_U8, s, f, "ENUM on a non-U8 field");
        SCHEMA_CHECK(f->max != 0 && f->max < f->name_count, s, f,
                     "ENUM max %lld must be set and below name_count %u", (long long)f->max,
                     f->name_count);
        for (int64_t v = f->min; v <= f->max; v++) {
            SCHEMA_CHECK(f->names[v] != NULL && f->names[v][0] != '\0', s, f,
                         "ENUM value %lld in min..max has no name", (long long)v);
        }
    }
    if (f->flags & PETRO_FIELD_F_FLAGS) {
        SCHEMA_CHECK(f->kind == PETRO_FIELD_U32, s, f, "FLAGS on a non-U32 field");
        SCHEMA_CHECK(f->name_count <= 32, s, f, "more than 32 flag names");
        for (unsigned b = 0; b < 32; b++) {
            if (f->max == 0 || (((uint64_t)f->max >> b) & 1u) == 0) continue;
            SCHEMA_CHECK(b < f->name_count && f->names[b] != NULL, s, f,
                         "bit %u is allowed by max but has no name", b);
        }
    }
}

/* The field's bytes in the op's struct: [lo, hi) of its value or list, and its count byte. */
static void check_field_place(const petro_op_schema *s, const petro_field *f, size_t *lo,
                              size_t *hi) {
    size_t value = kind_mem_size(f);
    SCHEMA_CHECK(value > 0, s, f, "kind %u outside 1..%d", f->kind, PETRO_FIELD_KIND_MAX);
    *lo = f->offset;
    if (f->list_max == 0) {
        SCHEMA_CHECK(f->offset + value <= s->size, s, f,
                     "offset %u + value size %zu > operation size %u", f->offset, value,
                     s->size);
        SCHEMA_CHECK(f->elem_size == 0 && f->count_offset == 0, s, f,
                     "elem_size/count_offset on a single value");
        *hi = f->offset + value;
        return;
    }
    SCHEMA_CHECK(f->elem_size == value, s, f, "elem_size %u but a %u-kind value is %zu bytes",
                 f->elem_size, f->kind, value);
    SCHEMA_CHECK(f->count_offset + 1u <= s->size, s, f, "count_offset %u outside size %u",
                 f->count_offset, s->size);
    SCHEMA_CHECK(f->offset + (size_t)f->list_max * f->elem_size <= s->size, s, f,
                 "offset %u + list_max %u * elem_size %u > operation size %u", f->offset,
                 f->list_max, f->elem_size, s->size);
    *hi = f->offset + (size_t)f->list_max * f->elem_size;
    SCHEMA_CHECK(f->count_offset < *lo || f->count_offset >= *hi, s, f,
                 "count byte inside the list's values");
}

static bool overlaps(size_t a_lo, size_t a_hi, size_t b_lo, size_t b_hi) {
    return a_lo < b_hi && b_lo < a_hi;
}

static void test_registry_fields(void) {
    size_t field_total = 0;
    for (size_t k = 0; k < schema_count; k++) {
        const petro_op_schema *s = schemas[k];
        size_t lo[FIELDS_MAX], hi[FIELDS_MAX], count_at[FIELDS_MAX];
        for (uint8_t i = 0; i < s->field_count; i++) {
            const petro_field *f = &s->fields[i];
            SCHEMA_CHECK(lower_snake(f->name), s, f, "field name must be lower_snake");
            SCHEMA_CHECK(f->doc != NULL && f->doc[0] != '\0', s, f, "no doc line");
            SCHEMA_CHECK(f->kind >= PETRO_FIELD_PUBKEY && f->kind <= PETRO_FIELD_KIND_MAX, s,
                         f, "kind %u outside 1..%d", f->kind, PETRO_FIELD_KIND_MAX);
            SCHEMA_CHECK((f->kind == PETRO_FIELD_TEXT) == (f->text_max > 0), s, f,
                         "text_max (%u) exactly on TEXT fields", f->text_max);
            SCHEMA_CHECK(f->text_max <= 255, s, f, "text_max %u over a u8 length", f->text_max);
            SCHEMA_CHECK(f->size_min == 0 || f->kind == PETRO_FIELD_TEXT || f->list_max > 0, s,
                         f, "size_min on a field that is neither TEXT nor a list");
            SCHEMA_CHECK(f->size_min <= (f->list_max > 0 ? f->list_max : f->text_max), s, f,
                         "size_min %u over the field's maximum", f->size_min);
            check_field_limits(s, f);
            check_field_flags(s, f);
            check_field_place(s, f, &lo[i], &hi[i]);
            count_at[i] = f->list_max > 0 ? f->count_offset : SIZE_MAX;
            for (uint8_t j = 0; j < i; j++) {
                const petro_field *g = &s->fields[j];
                SCHEMA_CHECK(strcmp(f->name, g->name) != 0, s, f, "field name used twice");
                SCHEMA_CHECK(!overlaps(lo[i], hi[i], lo[j], hi[j]), s, f,
                             "bytes [%zu, %zu) overlap field %s [%zu, %zu)", lo[i], hi[i],
                             g->name, lo[j], hi[j]);
                bool clash = (count_at[i] != SIZE_MAX &&
                              (overlaps(count_at[i], count_at[i] + 1, lo[j], hi[j]) ||
                               count_at[i] == count_at[j])) ||
                             (count_at[j] != SIZE_MAX &&
                              overlaps(count_at[j], count_at[j] + 1, lo[i], hi[i]));
                SCHEMA_CHECK(!clash, s, f, "a list count byte overlaps field %s", g->name);
            }
            field_total++;
        }
    }
    printf("  %zu fields checked\n", field_total);
}

/* ---------------------------------------------------------------- round trips */

static petro_tx tx_a, tx_b;
static uint8_t enc_a[PETRO_TX_SIZE_MAX], enc_b[PETRO_TX_SIZE_MAX];

/* encode, decode, encode: identical bytes, identical transaction (operations included). */
static size_t round_trip(const petro_op_schema *s, size_t expected_size) {
    size_t n = 0, m = 0;
    petro_result rc = petro_tx_encode(enc_a, sizeof enc_a, &n, &tx_a);
    SCHEMA_CHECK(rc == PETRO_OK, s, NULL, "petro_tx_encode of a checked op: %s",
                 petro_result_name(rc));
    SCHEMA_CHECK(expected_size == 0 || n == expected_size, s, NULL,
                 "encoded %zu bytes, the wire kinds of docs/protocol.md give %zu", n,
                 expected_size);
    rc = petro_tx_decode(&tx_b, enc_a, n);
    SCHEMA_CHECK(rc == PETRO_OK, s, NULL, "petro_tx_decode of its own encoding: %s",
                 petro_result_name(rc));
    for (size_t i = 0; i < tx_a.op_count; i++) {
        const petro_op_schema *si = petro_op_schema_of(tx_a.ops[i].type);
        SCHEMA_CHECK(memcmp(&tx_a.ops[i], &tx_b.ops[i], sizeof tx_a.ops[i]) == 0, si, NULL,
                     "decoded op %zu differs from the encoded one", i);
    }
    SCHEMA_CHECK(memcmp(&tx_a, &tx_b, sizeof tx_a) == 0, s, NULL,
                 "decoded transaction differs");
    rc = petro_tx_encode(enc_b, sizeof enc_b, &m, &tx_b);
    SCHEMA_CHECK(rc == PETRO_OK && m == n && memcmp(enc_a, enc_b, n) == 0, s, NULL,
                 "re-encoding differs (%s, %zu vs %zu bytes)", petro_result_name(rc), m, n);
    return n;
}

static void test_round_trip_every_op(void) {
    petro_op op;
    field_span spans[FIELDS_MAX];
    for (size_t k = 0; k < schema_count; k++) {
        const petro_op_schema *s = schemas[k];
        unsigned draws_total = 0;
        petro_result refusal = PETRO_OK;
        for (int round = 0; round < ROUNDS_PER_OP; round++) {
            unsigned draws = 0;
            /* What the draws before the accepted one were refused for (a cross-field rule). */
            op_build_rng probe = builder;
            op_build_draw(&probe, &op, s);
            if (petro_op_check(&op) != PETRO_OK) refusal = petro_op_check(&op);
            build_op(&op, s, &draws);
            draws_total += draws;
            uint8_t memo = (uint8_t)(test_rand() % (PETRO_MEMO_SIZE_MAX + 1));
            make_tx(&tx_a, &op, 1, memo);
            size_t end = layout_fields(spans, s, &op, TX_HEAD_SIZE + memo + 1);
            round_trip(s, end + 1 + TX_SIG_SIZE);
        }
        if (draws_total > ROUNDS_PER_OP) {
            printf("  %s: %.2f draws per valid op (refused by its check: %s)\n", s->name,
                   (double)draws_total / ROUNDS_PER_OP, petro_result_name(refusal));
        }
    }
}

static void test_round_trip_mixed(void) {
    static petro_op ops[PETRO_TX_OPS_MAX];
    for (int round = 0; round < MIXED_ROUNDS; round++) {
        size_t n = 1 + (size_t)(test_rand() % PETRO_TX_OPS_MAX);
        for (size_t i = 0; i < n; i++) {
            build_op(&ops[i], schemas[test_rand() % schema_count], NULL);
        }
        size_t size = 0;
        do { /* drop operations until the envelope fits its 4096 bytes */
            make_tx(&tx_a, ops, n, 0);
            if (petro_tx_encode(enc_a, sizeof enc_a, &size, &tx_a) != PETRO_ERR_TX_TOO_LARGE) {
                break;
            }
        } while (--n > 0);
        ASSERT_TRUE(n > 0);
        round_trip(petro_op_schema_of(ops[0].type), 0);
    }
}

/* ---------------------------------------------------------------- mutations */

typedef struct mutation_stats {
    size_t truncated, list_counts, below_min, bools, texts, codes, assets, countries, ranges;
} mutation_stats;

static mutation_stats stats;
static uint8_t mutated[PETRO_TX_SIZE_MAX];

static void expect_malformed(const petro_op_schema *s, const petro_field *f, const char *what,
                             size_t size) {
    petro_result rc = petro_tx_decode(&tx_b, mutated, size);
    SCHEMA_CHECK(rc == PETRO_ERR_MALFORMED, s, f, "%s: petro_tx_decode gave %s, not malformed",
                 what, petro_result_name(rc));
}

/* mutated (size bytes) carries op_bad, which the schema's limits exclude: the check must
 * refuse it, and the decoder must give the check's code. */
static void expect_refused(const petro_op_schema *s, const petro_field *f, const char *what,
                           size_t size, const petro_op *op_bad) {
    petro_result want = petro_op_check(op_bad);
    SCHEMA_CHECK(want != PETRO_OK, s, f,
                 "%s: outside the schema's limits, but petro_op_check accepts it (the schema "
                 "and the check disagree)", what);
    petro_result rc = petro_tx_decode(&tx_b, mutated, size);
    SCHEMA_CHECK(rc == want, s, f, "%s: petro_tx_decode gave %s, petro_op_check %s", what,
                 petro_result_name(rc), petro_result_name(want));
}

static void put_le(uint8_t *p, uint64_t v, size_t width) {
    for (size_t i = 0; i < width; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* An integer value outside the field's limits, written both into the wire bytes at pos and
 * into a copy of op at mem; each must be refused. */
static void mutate_int(const petro_op_schema *s, const petro_field *f, const petro_op *op,
                       size_t size, size_t pos, size_t mem) {
    uint64_t lo, hi, klo, khi, bad[3];
    size_t nbad = 0;
    op_build_field_range(f, &lo, &hi);
    op_build_kind_range(f->kind, &klo, &khi);
    if (f->flags & PETRO_FIELD_F_FLAGS) {
        /* the lowest bit max does not allow (max 0: every bit is allowed) */
        for (unsigned b = 0; b < 32 && nbad == 0 && f->max != 0; b++) {
            if ((((uint64_t)f->max >> b) & 1u) == 0) bad[nbad++] = UINT64_C(1) << b;
        }
    } else if (f->kind == PETRO_FIELD_AMOUNT) {
        if ((int64_t)lo > INT64_MIN) bad[nbad++] = lo - 1;
        if ((int64_t)hi < INT64_MAX) bad[nbad++] = hi + 1;
    } else {
        if (lo > klo) bad[nbad++] = lo - 1;
        if (hi < khi) bad[nbad++] = hi + 1;
    }
    size_t width = wire_value_size(f, NULL);
    for (size_t i = 0; i < nbad; i++) {
        petro_op op_bad = *op;
        op_build_store_int((uint8_t *)petro_op_fields(&op_bad) + mem, f->kind, bad[i]);
        memcpy(mutated, enc_a, size);
        put_le(mutated + pos, bad[i], width);
        char what[96];
        snprintf(what, sizeof what, "value %lld", (long long)bad[i]);
        expect_refused(s, f, what, size, &op_bad);
        stats.ranges++;
    }
}

/* Mutations of the value at wire offset pos (in-memory offset mem) of field f. */
static void mutate_value(const petro_op_schema *s, const petro_field *f, const petro_op *op,
                         size_t size, size_t pos, size_t mem) {
    const uint8_t *p = (const uint8_t *)petro_op_fields_const(op) + mem;
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_BOOL:
        memcpy(mutated, enc_a, size);
        mutated[pos] = 2;
        expect_malformed(s, f, "bool byte 2", size);
        stats.bools++;
        return;
    case PETRO_FIELD_TEXT: {
        size_t len = strnlen((const char *)p, f->text_max);
        if (f->text_max < 255) {
            memcpy(mutated, enc_a, size);
            mutated[pos] = (uint8_t)(f->text_max + 1);
            expect_malformed(s, f, "text length over text_max", size);
        }
        if (len > 0) {
            memcpy(mutated, enc_a, size);
            mutated[pos + 1] = 0;
            expect_malformed(s, f, "text with a NUL", size);
            memcpy(mutated, enc_a, size);
            mutated[pos + 1] = 0x01;
            petro_op op_bad = *op;
            ((char *)petro_op_fields(&op_bad))[mem] = 0x01;
            expect_refused(s, f, "text with a control character", size, &op_bad);
        }
        stats.texts++;
        return;
    }
    case PETRO_FIELD_CODE:
        memcpy(mutated, enc_a, size);
        mutated[pos] = 0;
        expect_malformed(s, f, "code of length 0", size);
        memcpy(mutated, enc_a, size);
        mutated[pos] = PETRO_ASSET_CODE_SIZE_MAX + 1;
        expect_malformed(s, f, "code of length 13", size);
        memcpy(mutated, enc_a, size);
        mutated[pos + 1] = 'a';
        expect_malformed(s, f, "code with a lower-case letter", size);
        stats.codes++;
        return;
    case PETRO_FIELD_ASSET:
        memcpy(mutated, enc_a, size);
        mutated[pos] = 2;
        expect_malformed(s, f, "asset kind 2", size);
        if (p[0] == PETRO_ASSET_ISSUED) {
            memcpy(mutated, enc_a, size);
            mutated[pos + 1] = 0;
            expect_malformed(s, f, "issued asset with an empty code", size);
        }
        stats.assets++;
        return;
    case PETRO_FIELD_COUNTRY: {
        memcpy(mutated, enc_a, size);
        mutated[pos] = 'a';
        petro_op op_bad = *op;
        ((char *)petro_op_fields(&op_bad))[mem] = 'a';
        expect_refused(s, f, "lower-case country", size, &op_bad);
        stats.countries++;
        return;
    }
    case PETRO_FIELD_AMOUNT:
    case PETRO_FIELD_U8:
    case PETRO_FIELD_U16:
    case PETRO_FIELD_U32:
    case PETRO_FIELD_U64: mutate_int(s, f, op, size, pos, mem); return;
    case PETRO_FIELD_PUBKEY:
    case PETRO_FIELD_HASH:
    case PETRO_FIELD_SIG: return; /* every value is valid: truncation only */
    }
}

/* A TEXT shorter than size_min, or a list with fewer elements: well formed, so the decoder
 * takes it, and the family's check must refuse it with its own code. The encoder refuses
 * what the check refuses, so the bytes are cut by hand: the field keeps its first
 * size_min - 1 characters or elements (a prefix of its encoding after the length byte). */
static void mutate_below_min(const petro_op_schema *s, const petro_field *f, const petro_op *op,
                             size_t size, const field_span *span) {
    petro_op op_bad = *op;
    uint8_t *base = petro_op_fields(&op_bad);
    uint8_t keep = (uint8_t)(f->size_min - 1);
    size_t prefix = 0;
    if (f->list_max > 0) {
        for (uint8_t j = 0; j < keep; j++) {
            prefix += wire_value_size(f, base + f->offset + (size_t)j * f->elem_size);
        }
        memset(base + f->offset + (size_t)keep * f->elem_size, 0,
               (size_t)(base[f->count_offset] - keep) * f->elem_size);
        base[f->count_offset] = keep;
    } else {
        prefix = keep;
        memset(base + f->offset + keep, 0, f->text_max + 1u - keep);
    }
    size_t head = span->start, tail = size - span->end;
    memcpy(mutated, enc_a, head);
    mutated[head] = keep;
    memcpy(mutated + head + 1, enc_a + head + 1, prefix);
    memcpy(mutated + head + 1 + prefix, enc_a + span->end, tail);
    expect_refused(s, f, "shorter than size_min", head + 1 + prefix + tail, &op_bad);
    stats.below_min++;
}

static void mutate_field(const petro_op_schema *s, const petro_field *f, const petro_op *op,
                         size_t size, const field_span *span) {
    if (f->size_min > 0) mutate_below_min(s, f, op, size, span);
    /* Truncated inside the field: its last byte (with everything after it) is missing. */
    memcpy(mutated, enc_a, size);
    expect_malformed(s, f, "truncated by one byte inside the field", span->end - 1);
    stats.truncated++;
    if (f->list_max == 0) {
        mutate_value(s, f, op, size, span->start, f->offset);
        return;
    }
    if (f->list_max < 255) {
        memcpy(mutated, enc_a, size);
        mutated[span->start] = (uint8_t)(f->list_max + 1);
        expect_malformed(s, f, "list count over list_max", size);
        stats.list_counts++;
    }
    const uint8_t *base = petro_op_fields_const(op);
    if (base[f->count_offset] > 0) mutate_value(s, f, op, size, span->start + 1, f->offset);
}

static void test_mutations_every_field(void) {
    petro_op op;
    field_span spans[FIELDS_MAX];
    for (size_t k = 0; k < schema_count; k++) {
        const petro_op_schema *s = schemas[k];
        for (int round = 0; round < MUTATION_ROUNDS; round++) {
            build_op(&op, s, NULL);
            make_tx(&tx_a, &op, 1, 0);
            size_t size = 0;
            ASSERT_OK(petro_tx_encode(enc_a, sizeof enc_a, &size, &tx_a));
            size_t end = layout_fields(spans, s, &op, TX_HEAD_SIZE + 1);
            SCHEMA_CHECK(end + 1 + TX_SIG_SIZE == size, s, NULL, "layout %zu vs %zu bytes",
                         end + 1 + TX_SIG_SIZE, size);
            for (uint8_t i = 0; i < s->field_count; i++) {
                mutate_field(s, &s->fields[i], &op, size, &spans[i]);
            }
        }
    }
    printf("  refused: %zu truncations, %zu list counts, %zu below size_min, %zu bools, "
           "%zu texts, %zu codes, %zu assets, %zu countries, %zu out-of-range values\n",
           stats.truncated, stats.list_counts, stats.below_min, stats.bools, stats.texts,
           stats.codes, stats.assets, stats.countries, stats.ranges);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    builder.state = test_rand();
    collect_schemas();
    RUN_TEST(test_registry_families);
    RUN_TEST(test_registry_fields);
    RUN_TEST(test_round_trip_every_op);
    RUN_TEST(test_round_trip_mixed);
    RUN_TEST(test_mutations_every_field);
    return 0;
}
