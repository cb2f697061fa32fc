/* Fuzz target: wallet files (common/wallet.c), read with passphrase "fuzz". The bytes are
 * written to a private temporary file. Whatever they hold: no crash, a documented code, and
 * on success a key whose secret key matches its public key (never a partial key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_fixture.h"
#include "wallet.h"

#define FUZZ_WALLET_PASSPHRASE "fuzz"

static char wallet_path[64];

static void remove_wallet(void) {
    if (wallet_path[0] != '\0') unlink(wallet_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_init();
    if (wallet_path[0] == '\0') {
        snprintf(wallet_path, sizeof wallet_path, "/tmp/petro-fuzz-wallet-%ld.json",
                 (long)getpid());
        atexit(remove_wallet);
    }
    FILE *f = fopen(wallet_path, "wb");
    FUZZ_CHECK(f != NULL, wallet_path);
    FUZZ_CHECK(fwrite(data, 1, size, f) == size && fclose(f) == 0, "write temp wallet");
    bool is_devnet = false;
    petro_result probe = wallet_probe(wallet_path, &is_devnet);
    FUZZ_CHECK(probe == PETRO_OK || probe == PETRO_ERR_BAD_REQUEST, "probe code");
    wallet_key key;
    memset(&key, 0xa5, sizeof key);
    petro_result rc = wallet_read(&key, wallet_path, FUZZ_WALLET_PASSPHRASE);
    if (rc != PETRO_OK) {
        FUZZ_CHECK(rc == PETRO_ERR_BAD_REQUEST || rc == PETRO_ERR_BAD_PASSPHRASE ||
                       rc == PETRO_ERR_CORRUPT,
                   petro_result_name(rc));
        return 0;
    }
    FUZZ_CHECK(probe == PETRO_OK, "read a file that probe refused");
    FUZZ_CHECK(key.sk != NULL, "no secret key");
    FUZZ_CHECK(memchr(key.name, '\0', sizeof key.name) != NULL, "name not terminated");
    /* The secret key signs for the public key it claims. */
    static const uint8_t msg[] = "petro wallet fuzz";
    petro_sig sig;
    petro_sign(&sig, msg, sizeof msg, key.sk);
    FUZZ_CHECK(petro_verify(&sig, msg, sizeof msg, &key.pk), "key pair mismatch");
    wallet_key_deinit(&key);
    return 0;
}
