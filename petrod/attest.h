/* Validator keys and attestations (docs/protocol.md, "Attestation").
 *
 * An attestation says: validator V applied block `height` with hash `block_hash` and reached
 * `state_hash`. It is signed in the signature domain PETRO_DOMAIN_ATTESTATION over
 *   network_id (32) || height (u64 LE) || block_hash (32) || state_hash (32) = 104 bytes. */
#ifndef PETROD_ATTEST_H
#define PETROD_ATTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "petro/petro.h"

#define ATTEST_MESSAGE_SIZE (32 + 8 + 32 + 32)

typedef struct attestation {
    uint64_t height;
    petro_hash block_hash;
    petro_hash state_hash;
    petro_sig sig;
} attestation;

void attest_message(uint8_t out[ATTEST_MESSAGE_SIZE], const petro_hash *network_id,
                    const attestation *a);
void attest_sign(attestation *a, const petro_hash *network_id, const petro_seckey *sk);
bool attest_verify(const attestation *a, const petro_hash *network_id, const petro_pubkey *pk);

/** Read a validator key file (64 hex characters: the Ed25519 seed, then a newline).
 *  Returns PETRO_OK, PETRO_ERR_IO or PETRO_ERR_MALFORMED. */
petro_result attest_key_load(const char *path, petro_pubkey *pk, petro_seckey *sk);
/** Create a new random validator key file (mode 0600). */
petro_result attest_key_create(const char *path, petro_pubkey *pk);

#endif
