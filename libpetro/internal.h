/* Private helpers shared inside libpetro: the byte writer and reader of the canonical codec,
 * the asset encoding, and the assertion macros. Never installed. */
#ifndef PETRO_INTERNAL_H
#define PETRO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petro/petro.h"

/* Always-on assertion: a node holding money stops rather than continue in a wrong state. */
_Noreturn void petro__assert_fail(const char *file, int line, const char *func, const char *expr);
#define PETRO_ASSERT(cond) \
    ((cond) ? (void)0 : petro__assert_fail(__FILE__, __LINE__, __func__, #cond))
#ifdef PETRO_DEBUG
#define PETRO_DEBUG_ASSERT(cond) PETRO_ASSERT(cond)
#else
#define PETRO_DEBUG_ASSERT(cond) ((void)0)
#endif

/* Writer over caller memory. After an overflow, is_overflow is set and every further write
 * is ignored; the caller checks once at the end (sticky failure). */
typedef struct petro__writer {
    uint8_t *bytes;
    size_t capacity;
    size_t size;
    bool is_overflow;
} petro__writer;

void petro__w_init(petro__writer *w, uint8_t *bytes, size_t capacity);
void petro__w_bytes(petro__writer *w, const void *bytes, size_t size);
void petro__w_u8(petro__writer *w, uint8_t v);
void petro__w_u16(petro__writer *w, uint16_t v);
void petro__w_u32(petro__writer *w, uint32_t v);
void petro__w_u64(petro__writer *w, uint64_t v);
void petro__w_i64(petro__writer *w, int64_t v);
/* code: u8 length + characters (caller has checked it). */
void petro__w_code(petro__writer *w, const char *code);
void petro__w_asset(petro__writer *w, const petro_asset *asset);

/* Reader over borrowed bytes. Any read past the end sets is_error; values read then are 0.
 * The caller checks is_error (and r->offset == r->size for "no trailing bytes") at the end. */
typedef struct petro__reader {
    const uint8_t *bytes;
    size_t size;
    size_t offset;
    bool is_error;
} petro__reader;

void petro__r_init(petro__reader *r, const uint8_t *bytes, size_t size);
void petro__r_bytes(petro__reader *r, void *out, size_t size);
uint8_t petro__r_u8(petro__reader *r);
uint16_t petro__r_u16(petro__reader *r);
uint32_t petro__r_u32(petro__reader *r);
uint64_t petro__r_u64(petro__reader *r);
int64_t petro__r_i64(petro__reader *r);
/* A u8 that must be 0 or 1; anything else sets is_error. */
uint8_t petro__r_bool(petro__reader *r);
/* Reads a code; sets is_error on bad length or characters (does not reject "PTR"; the
 * caller does, with petro_asset_code_check). out has PETRO_ASSET_CODE_SIZE_MAX + 1 bytes. */
void petro__r_code(petro__reader *r, char *out);
/* Reads an asset; sets is_error on an unknown kind, bad code, or an issued "PTR". */
void petro__r_asset(petro__reader *r, petro_asset *asset);
/* Free text of printable ASCII (0x20..0x7e), at most max bytes: u8 length + bytes. */
bool petro__text_ok(const char *s, size_t max);
void petro__w_text(petro__writer *w, const char *s, size_t max);
/* Reads into out (max + 1 bytes, NUL-terminated); sets is_error on a length over max or a NUL
 * inside. The characters are checked by petro__text_ok afterwards. */
void petro__r_text(petro__reader *r, char *out, size_t max);
/* ISO 3166-1 alpha-2 code: two of A-Z and a NUL (char[3]); 2 bytes on the wire, checked by
 * petro__country_ok after reading. */
bool petro__country_ok(const char *c);
void petro__w_country(petro__writer *w, const char *c);
void petro__r_country(petro__reader *r, char *c);
/* The fields of an operation in schema order (tx.c's op codec without the type byte); also
 * the layout of records that store an operation's terms (a trade contract). */
struct petro_op_schema;
void petro__fields_encode(petro__writer *w, const struct petro_op_schema *s, const void *base);
void petro__fields_decode(petro__reader *r, const struct petro_op_schema *s, void *base);
/* An amount >= 0 and <= PETRO_SUPPLY_MAX (fees, limits): PETRO_ERR_AMOUNT_NEGATIVE,
 * PETRO_ERR_AMOUNT_TOO_LARGE or PETRO_OK (registry.c). */
petro_result petro__check_non_negative(petro_amount a);
/* true iff no error and every byte consumed. */
bool petro__r_done(const petro__reader *r);

#endif
