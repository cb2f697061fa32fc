/* Test fault switches of the API (faults.h): compiled only into petrod-test.
 *
 * The switches come from api_config.faults, read once at startup (petrod/main.c); nothing
 * here reads the environment. Used by tests/integration/test_cluster_faults.py. */
#include "faults.h"

#include <string.h>
#include <unistd.h>

#include "server.h"
#include "wallet.h"

#ifndef PETROD_TEST_FAULTS
#error "faults.c belongs to petrod-test only (-DPETROD_TEST_FAULTS)"
#endif

bool api_fault_refuse_batch(const api *a) {
    const char *path = a->faults.refuse_batch_file;
    return path != NULL && access(path, F_OK) == 0;
}

/* Relink one header onto the forged chain: one millisecond later, after *prev if there is one,
 * proposed and signed by this (faulty) validator, as a validator gone rogue would; *prev
 * becomes its hash. */
static void fork_header(const api *a, petro_block_header *hdr, petro_hash *prev,
                        bool *has_prev) {
    if (*has_prev) {
        hdr->prev_hash = *prev;
    }
    hdr->timestamp_ms++;
    const wallet_key *key = node_validator_key(a->node);
    node_status st;
    hdr->proposer = key->pk;
    if (node_status_get(a->node, &st) != PETRO_OK ||
        petro_block_sign(hdr, &st.tip.network_id, key->sk) != PETRO_OK) {
        memset(&hdr->signature, 0, sizeof hdr->signature); /* unsigned: refused, still a fork */
    }
    petro_block_hash(prev, hdr);
    *has_prev = true;
}

void api_fault_serve_fork(const api *a, node_read *r, uint8_t *buf, size_t size,
                          uint64_t from) {
    uint64_t fork = a->faults.serve_fork_from;
    if (fork == 0) {
        return;
    }
    petro_hash prev = {{0}};
    bool has_prev = false;
    petro_block_header hdr;
    for (uint64_t h = fork; h < from; h++) { /* the served hash of block from - 1 */
        const uint8_t *block = NULL;
        size_t block_size = 0;
        if (node_read_block(r, h, &block, &block_size) != PETRO_OK ||
            petro_block_header_decode(&hdr, block, PETRO_BLOCK_HEADER_SIZE) != PETRO_OK) {
            return;
        }
        fork_header(a, &hdr, &prev, &has_prev);
    }
    size_t off = 0;
    for (uint64_t h = from; size - off >= 4; h++) {
        size_t n = (size_t)buf[off] | (size_t)buf[off + 1] << 8 | (size_t)buf[off + 2] << 16 |
                   (size_t)buf[off + 3] << 24;
        uint8_t *block = buf + off + 4;
        off += 4 + n;
        if (h < fork ||
            petro_block_header_decode(&hdr, block, PETRO_BLOCK_HEADER_SIZE) != PETRO_OK) {
            continue;
        }
        fork_header(a, &hdr, &prev, &has_prev);
        petro_block_header_encode(block, &hdr);
    }
}
