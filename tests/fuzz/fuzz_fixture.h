/* A small deterministic ledger for fuzz targets and the seed generator: FUZZ_KEY_COUNT keys
 * derived from fixed seeds, a genesis in which each has PTR (key 0 is the treasury and issues
 * USD and EUR; key 3, a 2-of-2 multisig with key 2, is the auditors account; keys 1 and 2 are
 * oracles; PTR is backed by attested oil; key 2 is the zone authority of zone 1, which holds
 * key 1), and helpers to sign and encode transactions and blocks. */
#ifndef PETRO_FUZZ_FIXTURE_H
#define PETRO_FUZZ_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petro/petro.h"

#define FUZZ_KEY_COUNT 6       /* keys 0..3 are genesis accounts; 4..5 are not (yet) */
#define FUZZ_GENESIS_ACCOUNTS 4
#define FUZZ_GENESIS_TS 1700000000000ull
#define FUZZ_DAY_MS 86400000ull
#define FUZZ_BLOCK_TXS_MAX 64

typedef struct fuzz_key {
    petro_pubkey pk;
    petro_seckey sk;
} fuzz_key;

extern fuzz_key FUZZ_KEYS[FUZZ_KEY_COUNT];

/** Initialise libsodium and the keys (idempotent). Aborts on failure. */
void fuzz_init(void);
/** The fixture genesis. */
void fuzz_genesis(petro_genesis *g);
/** Its network id. */
void fuzz_network_id(petro_hash *id);
/** Index of pk among FUZZ_KEYS, or -1. */
int fuzz_key_index(const petro_pubkey *pk);

/** The libFuzzer entry point every fuzz_*.c defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Abort with a message (a fuzz finding). */
_Noreturn void fuzz_fail(const char *what, const char *detail);
#define FUZZ_CHECK(cond, detail) \
    do { if (!(cond)) fuzz_fail(#cond, (detail)); } while (0)

/** Little-endian u16 / u32 readers over a cursor; false at the end of input. */
bool fuzz_take_u8(const uint8_t **p, size_t *left, uint8_t *out);
bool fuzz_take_u16(const uint8_t **p, size_t *left, uint16_t *out);

#endif
