/* Fuzz target: block decoding (header, body framing, every envelope in it) and the encoded
 * transaction result and genesis decoders, the other byte formats read back from storage or
 * received from elsewhere. A header or result that decodes re-encodes to the same bytes. */
#include <string.h>

#include "fuzz_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static petro_tx tx;
    static petro_genesis g;
    fuzz_init();
    if (size == 0) return 0;
    uint8_t mode = data[0];
    const uint8_t *bytes = data + 1;
    size_t bytes_size = size - 1;
    if (mode % 3 == 1) {
        petro_tx_result r;
        if (petro_tx_result_decode(&r, bytes, bytes_size) == PETRO_OK) {
            uint8_t out[PETRO_TX_RESULT_SIZE_MAX];
            size_t n = 0;
            FUZZ_CHECK(petro_tx_result_encode(out, sizeof out, &n, &r) == PETRO_OK, "result");
            FUZZ_CHECK(n == bytes_size && memcmp(out, bytes, n) == 0, "result not canonical");
        }
        return 0;
    }
    if (mode % 3 == 2) {
        if (petro_genesis_decode(&g, bytes, bytes_size) == PETRO_OK) {
            static uint8_t out[PETRO_GENESIS_SIZE_MAX];
            size_t n = 0;
            FUZZ_CHECK(petro_genesis_encode(out, sizeof out, &n, &g) == PETRO_OK, "genesis");
            FUZZ_CHECK(n == bytes_size && memcmp(out, bytes, n) == 0, "genesis not canonical");
            petro_hash id;
            FUZZ_CHECK(petro_genesis_network_id(&id, &g) == PETRO_OK, "genesis id");
        }
        return 0;
    }
    petro_block_header h;
    if (petro_block_header_decode(&h, bytes, bytes_size < PETRO_BLOCK_HEADER_SIZE
                                                 ? bytes_size
                                                 : PETRO_BLOCK_HEADER_SIZE) == PETRO_OK) {
        uint8_t out[PETRO_BLOCK_HEADER_SIZE];
        petro_block_header_encode(out, &h);
        FUZZ_CHECK(memcmp(out, bytes, sizeof out) == 0, "header not canonical");
        FUZZ_CHECK(h.tx_count <= PETRO_BLOCK_TX_COUNT_MAX, "tx_count over the maximum");
    }
    if (bytes_size < PETRO_BLOCK_HEADER_SIZE) return 0;
    size_t offset = PETRO_BLOCK_HEADER_SIZE;
    size_t count = 0;
    size_t decoded = 0;
    for (;;) { /* ends: every PETRO_OK moves offset forward by at least 4 bytes */
        const uint8_t *t = NULL;
        size_t t_size = 0;
        size_t before = offset;
        petro_result rc = petro_block_body_next(bytes, bytes_size, &offset, &t, &t_size);
        if (rc != PETRO_OK) {
            FUZZ_CHECK(rc == PETRO_ERR_NOT_FOUND || rc == PETRO_ERR_MALFORMED, "body walk code");
            break;
        }
        FUZZ_CHECK(offset >= before + 4 && offset <= bytes_size, "body walk did not advance");
        FUZZ_CHECK(t >= bytes && t + t_size <= bytes + bytes_size, "tx outside the block");
        if (petro_tx_decode(&tx, t, t_size) == PETRO_OK) decoded++;
        count++;
    }
    FUZZ_CHECK(count <= bytes_size / 4, "more txs than the bytes allow");
    FUZZ_CHECK(decoded <= count, "decoded count");
    return 0;
}
