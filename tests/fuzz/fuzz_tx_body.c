/* Fuzz target: the JSON body of POST /v1/transactions ({"tx": "<hex>"}, petrod/api/txbody.c),
 * followed by the envelope decoder as the node runs it. Any body: no crash, a known code, a
 * message, and on success at most PETRO_TX_SIZE_MAX bytes. */
#include "fuzz_fixture.h"
#include "txbody.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t tx_bytes[PETRO_TX_SIZE_MAX];
    static petro_tx tx;
    fuzz_init();
    size_t tx_size = 0;
    const char *why = NULL;
    char why_buf[96];
    petro_result rc = txbody_parse(data, size, 4, tx_bytes, &tx_size, &why, why_buf,
                                   sizeof why_buf);
    if (rc != PETRO_OK) {
        FUZZ_CHECK(why != NULL && why[0] != '\0', "error without a message");
        FUZZ_CHECK(rc == PETRO_ERR_BAD_REQUEST || rc == PETRO_ERR_TX_TOO_LARGE ||
                       rc == PETRO_ERR_BAD_HEX,
                   "unexpected code");
        return 0;
    }
    FUZZ_CHECK(tx_size <= PETRO_TX_SIZE_MAX, "oversized envelope accepted");
    petro_result decoded = petro_tx_decode(&tx, tx_bytes, tx_size);
    FUZZ_CHECK(decoded != PETRO_OK || tx.op_count >= 1, "decoded tx without ops");
    return 0;
}
