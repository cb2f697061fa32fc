/* Checked arithmetic and exact decimal text for amounts. No floats anywhere. */
#ifndef PETRO_AMOUNT_H
#define PETRO_AMOUNT_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** sum = a + b. Returns PETRO_OK or PETRO_ERR_AMOUNT_OVERFLOW (*sum untouched then). */
PETRO_API PETRO_MUST_USE petro_result petro_amount_add(petro_amount *sum, petro_amount a,
                                                       petro_amount b);
/** diff = a - b. Returns PETRO_OK or PETRO_ERR_AMOUNT_OVERFLOW. */
PETRO_API PETRO_MUST_USE petro_result petro_amount_sub(petro_amount *diff, petro_amount a,
                                                       petro_amount b);
/** out = floor(a * n / d) for a >= 0, n >= 0, d > 0, through a 128-bit intermediate.
 *  Returns PETRO_OK, PETRO_ERR_AMOUNT_NEGATIVE, or PETRO_ERR_AMOUNT_OVERFLOW. */
PETRO_API PETRO_MUST_USE petro_result petro_amount_mul_div_floor(petro_amount *out, petro_amount a,
                                                                 int64_t n, int64_t d);
/** out = ceil(a * n / d), same rules. */
PETRO_API PETRO_MUST_USE petro_result petro_amount_mul_div_ceil(petro_amount *out, petro_amount a,
                                                                int64_t n, int64_t d);

/** Parse exact decimal text ("12.5", "0.00000001", "100") into base units.
 *  Accepted: optional leading '-' only if allow_negative, digits, optional '.' followed by
 *  1..8 digits. No '+', spaces, exponents, leading '.', trailing '.', or empty string.
 *  Leading zeros are accepted ("007.5"). The result must be <= PETRO_SUPPLY_MAX in magnitude.
 *  Returns: PETRO_OK; PETRO_ERR_AMOUNT_SYNTAX; PETRO_ERR_AMOUNT_PRECISION (more than 8
 *  decimals); PETRO_ERR_AMOUNT_NEGATIVE (a '-' without allow_negative);
 *  PETRO_ERR_AMOUNT_TOO_LARGE. Out: *out set only on PETRO_OK.
 *  In: text, text_size (not NUL-terminated necessarily). */
PETRO_API PETRO_MUST_USE petro_result petro_amount_parse(petro_amount *out, const char *text,
                                                         size_t text_size, bool allow_negative);

#define PETRO_AMOUNT_TEXT_SIZE 32 /* enough for any int64 amount with sign, dot and NUL */
/** Format base units as the shortest exact decimal: 1250000000 -> "12.5", 100000000 -> "1",
 *  1 -> "0.00000001", -5 -> "-0.00000005", INT64_MIN works. Writes a NUL-terminated string
 *  into out (at least PETRO_AMOUNT_TEXT_SIZE bytes). Returns the string length. */
PETRO_API size_t petro_amount_format(char out[PETRO_AMOUNT_TEXT_SIZE], petro_amount a);

#ifdef __cplusplus
}
#endif
#endif
