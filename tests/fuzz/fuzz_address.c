/* Fuzz target: address decoding (bech32m, every address in a request path, a CLI argument or
 * a wallet file). A decoded address encodes back to the input (lower-cased), and it decodes
 * for at most one network kind. */
#include <ctype.h>
#include <string.h>

#include "fuzz_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    petro_pubkey pk_main, pk_test;
    petro_result rm = petro_address_decode(&pk_main, text, size, PETRO_NET_MAIN);
    petro_result rt = petro_address_decode(&pk_test, text, size, PETRO_NET_TEST);
    FUZZ_CHECK(!(rm == PETRO_OK && rt == PETRO_OK), "valid for both network kinds");
    if (rm != PETRO_OK && rt != PETRO_OK) return 0;
    petro_net_kind kind = rm == PETRO_OK ? PETRO_NET_MAIN : PETRO_NET_TEST;
    const petro_pubkey *pk = rm == PETRO_OK ? &pk_main : &pk_test;
    char out[PETRO_ADDRESS_SIZE_MAX];
    petro_address_encode(out, pk, kind);
    size_t n = strlen(out);
    FUZZ_CHECK(n == size, "re-encoded length differs");
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(out[i] == tolower((unsigned char)text[i]), "re-encoded text differs");
    }
    return 0;
}
