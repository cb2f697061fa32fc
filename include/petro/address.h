/* Addresses: bech32m (BIP-350) of the 32-byte Ed25519 public key, human part "ptr" on main
 * networks and "tptr" on test and dev networks. Lower case only on output; input may be all
 * upper or all lower case, never mixed. */
#ifndef PETRO_ADDRESS_H
#define PETRO_ADDRESS_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { PETRO_NET_MAIN = 0, PETRO_NET_TEST = 1 } petro_net_kind;

#define PETRO_ADDRESS_SIZE_MAX 80 /* "tptr" + "1" + 52 data chars + 6 checksum + NUL, rounded */

/** Encode pk as an address of the given kind into out (NUL-terminated). */
PETRO_API void petro_address_encode(char out[PETRO_ADDRESS_SIZE_MAX], const petro_pubkey *pk,
                                    petro_net_kind kind);

/** Decode an address.
 *  Returns: PETRO_OK; PETRO_ERR_WRONG_ADDRESS_PREFIX (valid for the other kind, or another
 *  human part); PETRO_ERR_BAD_ADDRESS_CHECKSUM (checksum fails: a typo); PETRO_ERR_BAD_ADDRESS
 *  (anything else: length, characters, mixed case, padding, bech32 instead of bech32m).
 *  Out: *pk set only on PETRO_OK. */
PETRO_API PETRO_MUST_USE petro_result petro_address_decode(petro_pubkey *pk, const char *text,
                                                           size_t text_size, petro_net_kind kind);

#ifdef __cplusplus
}
#endif
#endif
