/* The shared JSON and text layer of operations (opjson.h): one walk over a field schema for
 * rendering and one for parsing, so no operation is spelled out here by name.
 *
 * Design: values are reached through the field's offset into the operation's struct, with
 * the same kinds as the canonical codec (libpetro/tx.c). Rendering never fails on content
 * (an out-of-range enumeration value renders as "unknown"); parsing refuses anything the
 * field's kind and limits do not allow, with a one-line reason, before a transaction is
 * built. No floats: amounts go through petro_amount_parse / petro_amount_format. */
#include "opjson.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- assets */

size_t opjson_asset_text(char text[OPJSON_ASSET_TEXT_SIZE], const petro_asset *asset,
                         petro_net_kind kind) {
    if (asset->kind == PETRO_ASSET_NATIVE) {
        memcpy(text, "PTR", sizeof "PTR");
        return 3;
    }
    char issuer[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(issuer, &asset->issuer, kind);
    int n = snprintf(text, OPJSON_ASSET_TEXT_SIZE, "%.*s:%s", PETRO_ASSET_CODE_SIZE_MAX,
                     asset->code, issuer);
    if (n < 0 || (size_t)n >= OPJSON_ASSET_TEXT_SIZE) {
        text[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

petro_result opjson_asset_parse_net(petro_asset *asset, const char *text, petro_net_kind kind) {
    memset(asset, 0, sizeof *asset);
    if (text == NULL || strcmp(text, "PTR") == 0) {
        *asset = petro_asset_native();
        return PETRO_OK;
    }
    const char *colon = strchr(text, ':');
    if (colon == NULL || colon == text || (size_t)(colon - text) > PETRO_ASSET_CODE_SIZE_MAX) {
        return PETRO_ERR_BAD_ASSET_CODE;
    }
    asset->kind = PETRO_ASSET_ISSUED;
    memcpy(asset->code, text, (size_t)(colon - text));
    if (petro_asset_code_check(asset->code) != PETRO_OK) return PETRO_ERR_BAD_ASSET_CODE;
    return petro_address_decode(&asset->issuer, colon + 1, strlen(colon + 1), kind);
}

petro_result opjson_asset_parse(petro_asset *asset, petro_net_kind *issuer_kind,
                                const char *text) {
    *issuer_kind = PETRO_NET_TEST;
    petro_result rc = opjson_asset_parse_net(asset, text, PETRO_NET_TEST);
    if (rc != PETRO_ERR_WRONG_ADDRESS_PREFIX) return rc;
    *issuer_kind = PETRO_NET_MAIN;
    return opjson_asset_parse_net(asset, text, PETRO_NET_MAIN);
}

/* An address of either kind; *kind tells which. */
static petro_result address_any(petro_pubkey *pk, petro_net_kind *kind, const char *text) {
    *kind = PETRO_NET_TEST;
    petro_result rc = petro_address_decode(pk, text, strlen(text), PETRO_NET_TEST);
    if (rc != PETRO_ERR_WRONG_ADDRESS_PREFIX) return rc;
    *kind = PETRO_NET_MAIN;
    return petro_address_decode(pk, text, strlen(text), PETRO_NET_MAIN);
}

/* ---------------------------------------------------------------- rendering */

static json_t *hex(const uint8_t *bytes, size_t size) {
    char text[2 * 64 + 1];
    if (size > 64) return NULL;
    petro_hex_encode(text, bytes, size);
    return json_stringn(text, 2 * size);
}

static json_t *u64_value(uint64_t v) {
    if (v <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v);
    char text[24];
    int n = snprintf(text, sizeof text, "%" PRIu64, v);
    return n > 0 && (size_t)n < sizeof text ? json_stringn(text, (size_t)n) : NULL;
}

/* A U8 shown by name, or "unknown" outside the table. */
static json_t *enum_value(const petro_field *f, uint8_t v) {
    const char *name = v < f->name_count ? f->names[v] : NULL;
    return json_string(name != NULL ? name : "unknown");
}

/* A U32 flag word as {name: bool} over the named bits. */
static json_t *flags_value(const petro_field *f, uint32_t v) {
    json_t *o = json_object();
    bool ok = o != NULL;
    for (uint8_t bit = 0; ok && bit < f->name_count && bit < 32; bit++) {
        if (f->names[bit] == NULL) continue;
        ok = json_object_set_new(o, f->names[bit], json_boolean((v >> bit) & 1u)) == 0;
    }
    if (!ok) json_decref(o);
    return ok ? o : NULL;
}

static json_t *int_value(const petro_field *f, uint64_t v) {
    if ((f->flags & PETRO_FIELD_F_BOOLEAN) != 0) return json_boolean(v != 0);
    if ((f->flags & PETRO_FIELD_F_ENUM) != 0) return enum_value(f, (uint8_t)v);
    if ((f->flags & PETRO_FIELD_F_FLAGS) != 0) return flags_value(f, (uint32_t)v);
    return json_integer((json_int_t)v);
}

json_t *opjson_value(const petro_field *f, const void *p, petro_net_kind kind) {
    const uint8_t *b = p;
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY: {
        char text[PETRO_ADDRESS_SIZE_MAX];
        petro_address_encode(text, (const petro_pubkey *)p, kind);
        return json_string(text);
    }
    case PETRO_FIELD_ASSET: {
        char text[OPJSON_ASSET_TEXT_SIZE];
        size_t n = opjson_asset_text(text, (const petro_asset *)p, kind);
        return n == 0 ? NULL : json_stringn(text, n);
    }
    case PETRO_FIELD_CODE:
        return json_stringn((const char *)p, strnlen((const char *)p, PETRO_ASSET_CODE_SIZE_MAX));
    case PETRO_FIELD_AMOUNT: {
        char text[PETRO_AMOUNT_TEXT_SIZE];
        size_t n = petro_amount_format(text, *(const petro_amount *)p);
        return json_stringn(text, n);
    }
    case PETRO_FIELD_U8: return int_value(f, *b);
    case PETRO_FIELD_BOOL: return json_boolean(*b != 0);
    case PETRO_FIELD_U16: return int_value(f, *(const uint16_t *)p);
    case PETRO_FIELD_U32: return int_value(f, *(const uint32_t *)p);
    case PETRO_FIELD_U64: return u64_value(*(const uint64_t *)p);
    case PETRO_FIELD_TEXT: return json_stringn((const char *)p, strnlen((const char *)p, f->text_max));
    case PETRO_FIELD_HASH: return hex(b, 32);
    case PETRO_FIELD_SIG: return hex(b, 64);
    case PETRO_FIELD_COUNTRY: return json_stringn((const char *)p, strnlen((const char *)p, 2));
    }
    return NULL;
}

static json_t *list_value(const petro_field *f, const uint8_t *base, petro_net_kind kind) {
    if ((f->flags & PETRO_FIELD_F_HEX) != 0) {
        uint8_t count = base[f->count_offset];
        return hex(base + f->offset, count <= f->list_max ? count : f->list_max);
    }
    json_t *arr = json_array();
    bool ok = arr != NULL;
    uint8_t count = base[f->count_offset];
    for (uint8_t i = 0; ok && i < count && i < f->list_max; i++) {
        json_t *v = opjson_value(f, base + f->offset + (size_t)i * f->elem_size, kind);
        ok = v != NULL && json_array_append_new(arr, v) == 0;
    }
    if (!ok) json_decref(arr);
    return ok ? arr : NULL;
}

bool opjson_fields(json_t *obj, const petro_op_schema *schema, const void *fields,
                   petro_net_kind kind) {
    const uint8_t *base = fields;
    for (uint8_t i = 0; i < schema->field_count; i++) {
        const petro_field *f = &schema->fields[i];
        json_t *v = f->list_max == 0 ? opjson_value(f, base + f->offset, kind)
                                     : list_value(f, base, kind);
        if (v == NULL || json_object_set_new(obj, f->name, v) != 0) return false;
    }
    return true;
}

json_t *opjson_op(const petro_op *op, petro_net_kind kind) {
    json_t *o = json_object();
    if (o == NULL) return NULL;
    const petro_op_schema *schema = petro_op_schema_of(op->type);
    bool ok;
    if (schema == NULL) {
        /* A decoded transaction never holds one; render it rather than fail. */
        ok = json_object_set_new(o, "type", json_string("unknown")) == 0 &&
             json_object_set_new(o, "type_number", json_integer(op->type)) == 0;
    } else {
        ok = json_object_set_new(o, "type", json_string(schema->name)) == 0 &&
             opjson_fields(o, schema, petro_op_fields_const(op), kind);
    }
    if (!ok) json_decref(o);
    return ok ? o : NULL;
}

/* ---------------------------------------------------------------- parsing */

/* Digits only, no sign or spaces, within [min, max] (max 0: the kind's own maximum). */
static petro_result parse_int(const petro_field *f, uint64_t kind_max, const char *text,
                              uint64_t *out, const char **why) {
    uint64_t v = 0;
    if (text[0] == '\0') goto bad;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c < '0' || *c > '9') goto bad;
        uint64_t d = (uint64_t)(*c - '0');
        if (v > (UINT64_MAX - d) / 10) goto range;
        v = v * 10 + d;
    }
    uint64_t lo = f->min > 0 ? (uint64_t)f->min : 0;
    uint64_t hi = f->max > 0 && (uint64_t)f->max < kind_max ? (uint64_t)f->max : kind_max;
    if (v < lo || v > hi) goto range;
    *out = v;
    return PETRO_OK;
bad:
    *why = "not a whole number (digits only)";
    return PETRO_ERR_BAD_REQUEST;
range:
    *why = "out of range";
    return PETRO_ERR_BAD_REQUEST;
}

static petro_result parse_enum(const petro_field *f, const char *text, uint64_t *out,
                               const char **why) {
    for (uint8_t i = 0; i < f->name_count; i++) {
        if (f->names[i] != NULL && strcmp(f->names[i], text) == 0) {
            *out = i;
            return PETRO_OK;
        }
    }
    *why = "not one of the names this field takes";
    return PETRO_ERR_BAD_REQUEST;
}

static petro_result parse_bool(const char *text, uint8_t *out, const char **why) {
    if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0) {
        *out = 1;
    } else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0) {
        *out = 0;
    } else {
        *why = "not true or false";
        return PETRO_ERR_BAD_REQUEST;
    }
    return PETRO_OK;
}

static petro_result parse_integer_kind(const petro_field *f, void *p, const char *text,
                                       const char **why) {
    uint64_t v = 0, kind_max = UINT64_MAX;
    if (f->kind == PETRO_FIELD_U8) kind_max = UINT8_MAX;
    if (f->kind == PETRO_FIELD_U16) kind_max = UINT16_MAX;
    if (f->kind == PETRO_FIELD_U32) kind_max = UINT32_MAX;
    petro_result rc;
    if ((f->flags & PETRO_FIELD_F_ENUM) != 0) {
        rc = parse_enum(f, text, &v, why);
    } else if ((f->flags & PETRO_FIELD_F_BOOLEAN) != 0) {
        uint8_t b = 0;
        rc = parse_bool(text, &b, why);
        v = b;
    } else {
        rc = parse_int(f, kind_max, text, &v, why);
    }
    if (rc != PETRO_OK) return rc;
    if (f->kind == PETRO_FIELD_U8) *(uint8_t *)p = (uint8_t)v;
    if (f->kind == PETRO_FIELD_U16) *(uint16_t *)p = (uint16_t)v;
    if (f->kind == PETRO_FIELD_U32) *(uint32_t *)p = (uint32_t)v;
    if (f->kind == PETRO_FIELD_U64) *(uint64_t *)p = v;
    return PETRO_OK;
}

static petro_result parse_amount(const petro_field *f, petro_amount *out, const char *text,
                                 const char **why) {
    petro_result rc = petro_amount_parse(out, text, strlen(text), false);
    if (rc != PETRO_OK) {
        *why = "not an amount (at most 8 decimals, no sign)";
        return rc;
    }
    if (*out < f->min || (f->max > 0 && *out > f->max)) {
        *why = f->min > 0 ? "must be more than 0" : "out of range";
        return PETRO_ERR_BAD_REQUEST;
    }
    return PETRO_OK;
}

static petro_result parse_text(const petro_field *f, char *out, size_t max, const char *text,
                               const char **why) {
    size_t n = strlen(text);
    if (n > max) {
        *why = "too long";
        return PETRO_ERR_BAD_TEXT;
    }
    for (size_t i = 0; i < n; i++) {
        if (text[i] < 0x20 || text[i] > 0x7e) {
            *why = "printable ASCII only";
            return PETRO_ERR_BAD_TEXT;
        }
    }
    memset(out, 0, max + 1);
    memcpy(out, text, n);
    (void)f;
    return PETRO_OK;
}

static petro_result parse_hex(uint8_t *out, size_t size, const char *text, const char **why) {
    petro_result rc = petro_hex_decode(out, size, text, strlen(text));
    if (rc != PETRO_OK) *why = size == 32 ? "not 64 hex digits" : "not 128 hex digits";
    return rc;
}

static petro_result parse_country(char *out, const char *text, const char **why) {
    char c[3] = {0};
    if (strlen(text) == 2) memcpy(c, text, 2);
    if (!(c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z')) {
        *why = "not a two-letter country code (VE, CN)";
        return PETRO_ERR_ZONE_BAD_COUNTRY;
    }
    memcpy(out, c, 3);
    return PETRO_OK;
}

petro_result opjson_parse_value(const petro_field *f, void *p, const char *text,
                                petro_net_kind *addr_kind, const char **why) {
    *why = "";
    switch ((petro_field_kind)f->kind) {
    case PETRO_FIELD_PUBKEY: {
        petro_result rc = address_any(p, addr_kind, text);
        if (rc != PETRO_OK) *why = petro_result_str(rc);
        return rc;
    }
    case PETRO_FIELD_ASSET: {
        petro_result rc = opjson_asset_parse(p, addr_kind, text);
        if (rc != PETRO_OK) *why = "not PTR or CODE:ISSUER";
        return rc;
    }
    case PETRO_FIELD_CODE:
        if (strlen(text) > PETRO_ASSET_CODE_SIZE_MAX || petro_asset_code_check(text) != PETRO_OK) {
            *why = "not an asset code (1..12 of A-Z 0-9, not PTR)";
            return PETRO_ERR_BAD_ASSET_CODE;
        }
        memset(p, 0, PETRO_ASSET_CODE_SIZE_MAX + 1);
        memcpy(p, text, strlen(text));
        return PETRO_OK;
    case PETRO_FIELD_AMOUNT: return parse_amount(f, p, text, why);
    case PETRO_FIELD_BOOL: return parse_bool(text, p, why);
    case PETRO_FIELD_U8:
    case PETRO_FIELD_U16:
    case PETRO_FIELD_U32:
    case PETRO_FIELD_U64: return parse_integer_kind(f, p, text, why);
    case PETRO_FIELD_TEXT: return parse_text(f, p, f->text_max, text, why);
    case PETRO_FIELD_HASH: return parse_hex(p, 32, text, why);
    case PETRO_FIELD_SIG: return parse_hex(p, 64, text, why);
    case PETRO_FIELD_COUNTRY: return parse_country(p, text, why);
    }
    *why = "unknown field kind";
    return PETRO_ERR_BAD_REQUEST;
}

petro_result opjson_parse_hex_list(const petro_field *f, void *fields, const char *text,
                                   const char **why) {
    uint8_t *base = fields;
    size_t n = strlen(text);
    if (n % 2 != 0 || n / 2 > f->list_max) {
        *why = "not hex of at most the field's length";
        return PETRO_ERR_BAD_HEX;
    }
    memset(base + f->offset, 0, f->list_max);
    petro_result rc = petro_hex_decode(base + f->offset, n / 2, text, n);
    if (rc != PETRO_OK) {
        *why = "not hex";
        return rc;
    }
    base[f->count_offset] = (uint8_t)(n / 2);
    return PETRO_OK;
}

void opjson_flag_name(char *out, size_t out_size, const petro_field *field) {
    int n = snprintf(out, out_size, "--%s", field->name);
    if (n < 0 || (size_t)n >= out_size) {
        if (out_size > 0) out[0] = '\0';
        return;
    }
    for (char *c = out + 2; *c != '\0'; c++) {
        if (*c == '_') *c = '-';
    }
}
