/* Private: the state layout of docs/protocol.md ("State"): key builders and the record
 * encodings of accounts, trust lines, assets and the tip metadata.
 *
 * Encoders write into caller buffers of the *_RECORD_MAX sizes below and cannot fail.
 * Decoders are strict (exact size, no trailing bytes, field ranges) and return PETRO_OK or
 * PETRO_ERR_CORRUPT: a stored record that does not decode is damage, never input to trust. */
#ifndef PETRO_STATE_H
#define PETRO_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petro/petro.h"

/* Key prefixes. */
#define PETRO__KEY_ACCOUNT ((uint8_t)'A')
#define PETRO__KEY_TRUST ((uint8_t)'T')
#define PETRO__KEY_ASSET ((uint8_t)'S')
#define PETRO__KEY_META ((uint8_t)'M')

/* Largest encodings. */
#define PETRO__ASSET_ENCODING_MAX (1 + 1 + PETRO_ASSET_CODE_SIZE_MAX + 32)
#define PETRO__KEY_MAX (1 + 32 + PETRO__ASSET_ENCODING_MAX)
#define PETRO__ACCOUNT_RECORD_MAX \
    (32 + 8 + 4 + 4 + 1 + PETRO_SIGNERS_MAX * (32 + 1) + 1 + 4 + 4 + 8)
#define PETRO__TRUST_RECORD_SIZE (8 + 8 + 4)
#define PETRO__ASSET_RECORD_MAX (PETRO__ASSET_ENCODING_MAX + 4 + 8 + 8 + 8 + 4 + 8)
#define PETRO__TIP_RECORD_SIZE (8 + 32 + 32 + 8 + 32 + 1)

_Static_assert(PETRO__KEY_MAX <= PETRO_STORE_KEY_SIZE_MAX, "keys fit the store");
_Static_assert(PETRO__ACCOUNT_RECORD_MAX <= PETRO_STORE_VALUE_SIZE_MAX, "accounts fit");
_Static_assert(PETRO__ASSET_RECORD_MAX <= PETRO_STORE_VALUE_SIZE_MAX, "assets fit");

/* Trust line flags a stored line may carry. */
#define PETRO__TRUST_FLAGS_KNOWN PETRO_TRUST_FLAG_AUTHORIZED

/* The single metadata key holding the chain tip: "Mtip". */
extern const uint8_t petro__key_tip[4];

/* ---------------------------------------------------------------- keys */

/* Each returns the key size; out holds PETRO__KEY_MAX bytes. */
size_t petro__key_account(uint8_t *out, const petro_pubkey *id);
size_t petro__key_trust(uint8_t *out, const petro_pubkey *account, const petro_asset *asset);
size_t petro__key_asset(uint8_t *out, const petro_asset *asset);

/* Parse the asset part of a 'T' key (after 'T' and the pubkey) or an 'S' key (after 'S').
 * Returns false if the bytes are not exactly one canonical asset encoding. */
bool petro__key_parse_asset(petro_asset *asset, const uint8_t *bytes, size_t size);

/* ---------------------------------------------------------------- records */

size_t petro__account_encode(uint8_t out[PETRO__ACCOUNT_RECORD_MAX], const petro_account *a);
petro_result petro__account_decode(petro_account *a, const uint8_t *bytes, size_t size);

size_t petro__trust_encode(uint8_t out[PETRO__TRUST_RECORD_SIZE], const petro_trust_line *t);
petro_result petro__trust_decode(petro_trust_line *t, const uint8_t *bytes, size_t size);

size_t petro__asset_info_encode(uint8_t out[PETRO__ASSET_RECORD_MAX],
                                const petro_asset_info *info);
petro_result petro__asset_info_decode(petro_asset_info *info, const uint8_t *bytes, size_t size);

size_t petro__tip_encode(uint8_t out[PETRO__TIP_RECORD_SIZE], const petro_ledger_tip *tip);
petro_result petro__tip_decode(petro_ledger_tip *tip, const uint8_t *bytes, size_t size);

/* ---------------------------------------------------------------- helpers */

/* A fresh native balance record (balance 0, limit supply max, authorised). */
petro_trust_line petro__native_line(petro_amount balance);

/* Store get for records: a value too large for buf is a damaged record (PETRO_ERR_CORRUPT);
 * other store errors pass through. */
petro_result petro__store_get(const petro_store *store, const uint8_t *key, size_t key_size,
                              uint8_t *buf, size_t buf_cap, size_t *size, bool *found);

/* A fast non-cryptographic hash of key bytes, for in-memory hash tables only: its value
 * may differ between machines (byte order) and must never reach a result or a hash. */
uint32_t petro__key_hash(const uint8_t *key, size_t size);

/* Total signing weight of an account's configuration (master + signers). */
uint32_t petro__account_total_weight(const petro_account *a);
/* Weight of key for account a: master weight if key is the account id, a signer's weight,
 * or -1 if key is neither (a master key of weight 0 counts as neither). */
int32_t petro__account_key_weight(const petro_account *a, const petro_pubkey *key);

#endif
