/* Wallet files, shared by petro (CLI) and petrod (devnet genesis writes the demo wallets).
 *
 * A wallet holds one Ed25519 key. Two forms, both JSON, written with mode 0600:
 *  - encrypted (the default): the 32-byte seed sealed with XChaCha20-Poly1305, the key derived
 *    from the passphrase with Argon2id (libsodium crypto_pwhash, ALG_ARGON2ID13);
 *  - devnet: the seed in hex, marked "devnet_only": true; opens without a passphrase and is
 *    refused by the CLI for a network that is not a test network.
 * Secrets live in sodium_malloc'd memory and are wiped on every path. */
#ifndef PETRO_COMMON_WALLET_H
#define PETRO_COMMON_WALLET_H

#include <stdbool.h>
#include <stddef.h>

#include "petro/petro.h"

typedef struct wallet_key {
    petro_pubkey pk;
    petro_seckey *sk; /* sodium_malloc'd; freed by wallet_key_deinit */
    char name[64];
    bool is_devnet;
} wallet_key;

/** Generate a fresh random key (libsodium randombytes). Returns PETRO_OK, PETRO_ERR_NOMEM or
 *  PETRO_ERR_CRYPTO. */
petro_result wallet_key_generate(wallet_key *key, const char *name);
/** Wipe and free. deinit of a zeroed or already deinit'ed key is a no-op. */
void wallet_key_deinit(wallet_key *key);

/** Write key to path (0600, created exclusively unless overwrite is set, written to a
 *  temporary file, fsync'd and renamed). passphrase NULL writes the devnet form.
 *  Returns PETRO_OK, PETRO_ERR_IO (errno kept), PETRO_ERR_NOMEM, PETRO_ERR_CRYPTO. */
petro_result wallet_write(const char *path, const wallet_key *key, const char *passphrase,
                          bool overwrite);

/** Whether the file at path is a devnet (unencrypted) wallet. Returns PETRO_OK with *is_devnet,
 *  or PETRO_ERR_IO / PETRO_ERR_BAD_REQUEST (not a wallet file). */
petro_result wallet_probe(const char *path, bool *is_devnet);

/** Read and, for the encrypted form, decrypt. passphrase is ignored for devnet wallets.
 *  Returns PETRO_OK; PETRO_ERR_IO (cannot read); PETRO_ERR_BAD_REQUEST (not a wallet file:
 *  bad JSON, missing fields, bad hex); PETRO_ERR_BAD_PASSPHRASE (wrong passphrase or tampered
 *  file; key untouched); PETRO_ERR_CORRUPT (decrypts, but the stored address does not match). */
petro_result wallet_read(wallet_key *key, const char *path, const char *passphrase);

#endif
