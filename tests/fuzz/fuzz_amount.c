/* Fuzz target: decimal amount parsing (every amount a person types: CLI, API docs, wallets).
 * The first byte chooses allow_negative. A parsed amount is within the supply bound, formats
 * to text that parses back to the same value, and that text is the shortest form. */
#include <string.h>

#include "fuzz_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    bool allow_negative = (data[0] & 1u) != 0;
    const char *text = (const char *)data + 1;
    size_t text_size = size - 1;
    petro_amount a = 12345;
    petro_result rc = petro_amount_parse(&a, text, text_size, allow_negative);
    if (rc != PETRO_OK) {
        FUZZ_CHECK(a == 12345, "output written on failure");
        FUZZ_CHECK(rc == PETRO_ERR_AMOUNT_SYNTAX || rc == PETRO_ERR_AMOUNT_PRECISION ||
                       rc == PETRO_ERR_AMOUNT_NEGATIVE || rc == PETRO_ERR_AMOUNT_TOO_LARGE,
                   "unexpected code");
        return 0;
    }
    FUZZ_CHECK(a <= PETRO_SUPPLY_MAX && a >= -PETRO_SUPPLY_MAX, "beyond the supply bound");
    FUZZ_CHECK(allow_negative || a >= 0, "negative without allow_negative");
    char out[PETRO_AMOUNT_TEXT_SIZE];
    size_t n = petro_amount_format(out, a);
    FUZZ_CHECK(n == strlen(out) && n < sizeof out, "format length");
    petro_amount back = 0;
    FUZZ_CHECK(petro_amount_parse(&back, out, n, true) == PETRO_OK, out);
    FUZZ_CHECK(back == a, "format/parse round trip");
    FUZZ_CHECK(n <= text_size || text_size == 0, "formatted text longer than the input");
    return 0;
}
