/* Validator keys and attestations (attest.h). */
#include "attest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "assert.h"
#include "log.h"

_Static_assert(ATTEST_MESSAGE_SIZE == 104, "the signed message of docs/protocol.md");

void attest_message(uint8_t out[ATTEST_MESSAGE_SIZE], const petro_hash *network_id,
                    const attestation *a) {
    PETROD_ASSERT(network_id != NULL);
    PETROD_ASSERT(a != NULL);
    size_t o = 0;
    memcpy(out + o, network_id->bytes, 32);
    o += 32;
    for (unsigned i = 0; i < 8; i++) out[o + i] = (uint8_t)(a->height >> (8 * i));
    o += 8;
    memcpy(out + o, a->block_hash.bytes, 32);
    o += 32;
    memcpy(out + o, a->state_hash.bytes, 32);
    PETROD_ASSERT(o + 32 == ATTEST_MESSAGE_SIZE);
}

void attest_sign(attestation *a, const petro_hash *network_id, const petro_seckey *sk) {
    PETROD_ASSERT(sk != NULL);
    uint8_t msg[ATTEST_MESSAGE_SIZE];
    attest_message(msg, network_id, a);
    petro_sign_in(&a->sig, PETRO_DOMAIN_ATTESTATION, msg, sizeof msg, sk);
}

bool attest_verify(const attestation *a, const petro_hash *network_id, const petro_pubkey *pk) {
    uint8_t msg[ATTEST_MESSAGE_SIZE];
    attest_message(msg, network_id, a);
    return petro_verify_in(&a->sig, PETRO_DOMAIN_ATTESTATION, msg, sizeof msg, pk);
}

petro_result attest_key_load(const char *path, petro_pubkey *pk, petro_seckey *sk) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        log_error("cannot open the validator key %s: %s", path, strerror(errno));
        return PETRO_ERR_IO;
    }
    char text[80] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    PETROD_ASSERT(n < sizeof text); /* text stays NUL-terminated */
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) n--;
    uint8_t seed[32];
    if (n != 64 || petro_hex_decode(seed, sizeof seed, text, n) != PETRO_OK) {
        log_error("the validator key %s is not 64 hex characters", path);
        return PETRO_ERR_MALFORMED;
    }
    petro_result r = petro_keypair_from_seed(pk, sk, seed);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(text, sizeof text);
    return r;
}

petro_result attest_key_create(const char *path, petro_pubkey *pk) {
    uint8_t seed[32];
    randombytes_buf(seed, sizeof seed);
    petro_seckey sk;
    petro_result r = petro_keypair_from_seed(pk, &sk, seed);
    sodium_memzero(&sk, sizeof sk);
    if (r != PETRO_OK) return r;
    char hex[65];
    petro_hex_encode(hex, seed, sizeof seed);
    sodium_memzero(seed, sizeof seed);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_error("cannot create %s: %s", path, strerror(errno));
        return PETRO_ERR_IO;
    }
    hex[64] = '\n';
    bool ok = write(fd, hex, 65) == 65 && fsync(fd) == 0;
    sodium_memzero(hex, sizeof hex);
    if (close(fd) != 0) ok = false;
    if (!ok) {
        log_error("cannot write %s", path);
        return PETRO_ERR_IO;
    }
    return PETRO_OK;
}
