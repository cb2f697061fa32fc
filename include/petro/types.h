/* Fixed-size value types of the protocol. All are plain bytes and safe to copy; none is
 * ever hashed or signed through its struct bytes, only through the codec. */
#ifndef PETRO_TYPES_H
#define PETRO_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Amount in base units (1 unit = 10^8 base units). Arithmetic only through amount.h. */
typedef int64_t petro_amount;

typedef struct petro_pubkey { uint8_t bytes[32]; } petro_pubkey;   /* Ed25519 public key */
typedef struct petro_hash { uint8_t bytes[32]; } petro_hash;       /* BLAKE2b-256 */
typedef struct petro_sig { uint8_t bytes[64]; } petro_sig;         /* Ed25519 signature */
/** Ed25519 secret key in libsodium's layout (32-byte seed followed by the public key).
 *  Keep it in sodium_malloc'd memory and wipe it after use. */
typedef struct petro_seckey { uint8_t bytes[64]; } petro_seckey;

typedef enum {
    PETRO_ASSET_NATIVE = 0, /* PTR, the network's own asset; pays fees */
    PETRO_ASSET_ISSUED = 1, /* code + issuer account */
} petro_asset_kind;

/** An asset. For PETRO_ASSET_NATIVE, code is "PTR" and issuer is all zero.
 *  code is NUL-terminated, 1..12 characters of A-Z and 0-9. */
typedef struct petro_asset {
    uint8_t kind; /* petro_asset_kind */
    char code[PETRO_ASSET_CODE_SIZE_MAX + 1];
    petro_pubkey issuer;
} petro_asset;

PETRO_API petro_asset petro_asset_native(void);
PETRO_API bool petro_asset_equal(const petro_asset *a, const petro_asset *b);
/** Check an issued asset code: 1..12 of [A-Z0-9], not "PTR". Returns PETRO_OK or
 *  PETRO_ERR_BAD_ASSET_CODE. */
PETRO_API PETRO_MUST_USE petro_result petro_asset_code_check(const char *code);

#ifdef __cplusplus
}
#endif
#endif
