/* Fuzz target: the signed transaction envelope decoder (outside input: POST /v1/transactions,
 * batches, blocks). Whatever the bytes: no crash, and a decoded envelope passes
 * petro_tx_check and re-encodes to exactly the same bytes (the encoding is canonical, so a
 * transaction has one id). */
#include <string.h>

#include "fuzz_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static petro_tx tx;
    static uint8_t out[PETRO_TX_SIZE_MAX];
    fuzz_init();
    if (petro_tx_decode(&tx, data, size) != PETRO_OK) {
        return 0;
    }
    FUZZ_CHECK(size <= PETRO_TX_SIZE_MAX, "decoded an oversized envelope");
    FUZZ_CHECK(petro_tx_check(&tx) == PETRO_OK, "decoded tx fails the static check");
    size_t n = 0;
    FUZZ_CHECK(petro_tx_encode(out, sizeof out, &n, &tx) == PETRO_OK, "re-encode failed");
    FUZZ_CHECK(n == size && memcmp(out, data, size) == 0, "encoding is not canonical");
    petro_hash id;
    FUZZ_CHECK(petro_tx_id(&id, &tx) == PETRO_OK, "id of a checked tx");
    uint32_t mask = petro_tx_verify_sigs(&tx, &id);
    FUZZ_CHECK(tx.sig_count == 32 || (mask >> tx.sig_count) == 0, "mask beyond the signatures");
    return 0;
}
