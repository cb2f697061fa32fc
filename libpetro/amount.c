/* Checked amount arithmetic and exact decimal text. Overflow is a result code, never UB:
 * sums use the compiler's overflow builtins, products go through an unsigned 128-bit
 * intermediate (a, n < 2^63, so a * n < 2^126 always fits). No floats anywhere. */
#include <string.h>

#include "internal.h"

__extension__ typedef unsigned __int128 petro__u128;

petro_result petro_amount_add(petro_amount *sum, petro_amount a, petro_amount b) {
    petro_amount r;
    if (__builtin_add_overflow(a, b, &r)) return PETRO_ERR_AMOUNT_OVERFLOW;
    *sum = r;
    return PETRO_OK;
}

petro_result petro_amount_sub(petro_amount *diff, petro_amount a, petro_amount b) {
    petro_amount r;
    if (__builtin_sub_overflow(a, b, &r)) return PETRO_ERR_AMOUNT_OVERFLOW;
    *diff = r;
    return PETRO_OK;
}

/* floor or ceil of a * n / d. A negative operand is PETRO_ERR_AMOUNT_NEGATIVE (d < 0 too);
 * d == 0 has no finite quotient and is reported as PETRO_ERR_AMOUNT_OVERFLOW. */
static petro_result mul_div(petro_amount *out, petro_amount a, int64_t n, int64_t d, bool ceil) {
    if (a < 0 || n < 0 || d < 0) return PETRO_ERR_AMOUNT_NEGATIVE;
    if (d == 0) return PETRO_ERR_AMOUNT_OVERFLOW;
    petro__u128 product = (petro__u128)(uint64_t)a * (uint64_t)n;
    petro__u128 quotient = product / (uint64_t)d;
    if (ceil && product % (uint64_t)d != 0) quotient += 1;
    if (quotient > (petro__u128)INT64_MAX) return PETRO_ERR_AMOUNT_OVERFLOW;
    *out = (petro_amount)(uint64_t)quotient;
    return PETRO_OK;
}

petro_result petro_amount_mul_div_floor(petro_amount *out, petro_amount a, int64_t n, int64_t d) {
    return mul_div(out, a, n, d, false);
}

petro_result petro_amount_mul_div_ceil(petro_amount *out, petro_amount a, int64_t n, int64_t d) {
    return mul_div(out, a, n, d, true);
}

/* ---------------------------------------------------------------- text */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Grammar: ['-'] digit+ ['.' digit+]. The whole text is checked for syntax before any value
 * is computed, so a long run of digits followed by junk is a syntax error, not "too large".
 * Then, in order: a '-' that is not allowed, more than 8 decimals, magnitude. */
petro_result petro_amount_parse(petro_amount *out, const char *text, size_t text_size,
                                bool allow_negative) {
    if (text == NULL || text_size == 0) return PETRO_ERR_AMOUNT_SYNTAX;
    size_t i = 0;
    bool negative = false;
    if (text[0] == '-') {
        negative = true;
        i = 1;
    }
    size_t int_begin = i;
    while (i < text_size && is_digit(text[i])) i++;
    size_t int_end = i;
    if (int_end == int_begin) return PETRO_ERR_AMOUNT_SYNTAX; /* "", "-", ".5", "+1", " 1" */
    size_t frac_begin = i, frac_end = i;
    if (i < text_size && text[i] == '.') {
        i++;
        frac_begin = i;
        while (i < text_size && is_digit(text[i])) i++;
        frac_end = i;
        if (frac_end == frac_begin) return PETRO_ERR_AMOUNT_SYNTAX; /* "1." */
    }
    if (i != text_size) return PETRO_ERR_AMOUNT_SYNTAX; /* "1e5", "1 ", "1.2.3" */

    if (negative && !allow_negative) return PETRO_ERR_AMOUNT_NEGATIVE;
    if (frac_end - frac_begin > PETRO_DECIMALS) return PETRO_ERR_AMOUNT_PRECISION;

    /* Whole units, saturating just above the largest allowed so that any number of digits
     * is safe: while units <= limit, units * 10 + 9 < 10^12 fits easily. */
    const int64_t units_max = PETRO_SUPPLY_MAX / PETRO_UNIT;
    int64_t units = 0;
    bool is_over = false;
    for (size_t k = int_begin; k < int_end; k++) {
        units = units * 10 + (text[k] - '0');
        if (units > units_max) {
            is_over = true;
            break;
        }
    }
    int64_t frac = 0;
    size_t frac_digits = frac_end - frac_begin;
    for (size_t k = 0; k < PETRO_DECIMALS; k++) {
        frac = frac * 10 + (k < frac_digits ? text[frac_begin + k] - '0' : 0);
    }
    if (is_over || (units == units_max && frac > 0)) return PETRO_ERR_AMOUNT_TOO_LARGE;
    /* units * UNIT + frac <= PETRO_SUPPLY_MAX now: no overflow. */
    petro_amount v = units * PETRO_UNIT + frac;
    *out = negative ? -v : v;
    return PETRO_OK;
}

size_t petro_amount_format(char out[PETRO_AMOUNT_TEXT_SIZE], petro_amount a) {
    /* The magnitude as unsigned, so INT64_MIN has one too. */
    uint64_t mag = a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
    uint64_t units = mag / (uint64_t)PETRO_UNIT;
    uint64_t frac = mag % (uint64_t)PETRO_UNIT;
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + units % 10);
        units /= 10;
    } while (units > 0);
    size_t len = 0;
    if (a < 0) out[len++] = '-';
    while (n > 0) out[len++] = digits[--n];
    if (frac != 0) {
        char f[PETRO_DECIMALS];
        for (size_t k = PETRO_DECIMALS; k > 0; k--) {
            f[k - 1] = (char)('0' + frac % 10);
            frac /= 10;
        }
        size_t f_len = PETRO_DECIMALS;
        while (f[f_len - 1] == '0') f_len--; /* frac != 0, so some digit is not '0' */
        out[len++] = '.';
        memcpy(out + len, f, f_len);
        len += f_len;
    }
    PETRO_ASSERT(len < PETRO_AMOUNT_TEXT_SIZE);
    out[len] = '\0';
    return len;
}
