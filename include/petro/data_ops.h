/* Operations of the data family (op types 90..99; docs/protocol.md "Data"): an account
 * publishes named values (a document hash, a KYC attestation reference, a contact), like
 * Stellar's manage_data. Included by tx.h for the petro_op union. */
#ifndef PETRO_DATA_OPS_H
#define PETRO_DATA_OPS_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PETRO_DATA_NAME_MAX 64  /* printable ASCII, 1..64 bytes */
#define PETRO_DATA_VALUE_MAX 64 /* bytes; 0 removes the entry */

/** 90: set (value_size > 0) or remove (value_size 0) the source's entry called name. */
typedef struct {
    char name[PETRO_DATA_NAME_MAX + 1];
    uint8_t value_size;
    uint8_t value[PETRO_DATA_VALUE_MAX];
} petro_op_data_set;

struct petro_store;
/** The value of account's entry called name (1..64 printable ASCII) in state, copied into
 *  value (PETRO_DATA_VALUE_MAX bytes). Returns PETRO_OK with *value_size set,
 *  PETRO_ERR_NOT_FOUND, PETRO_ERR_BAD_TEXT (not a valid name), PETRO_ERR_CORRUPT (a stored
 *  value of a size the family never writes), or the store's error. */
PETRO_API PETRO_MUST_USE petro_result petro_data_get(const struct petro_store *state,
                                                     const petro_pubkey *account,
                                                     const char *name,
                                                     uint8_t value[PETRO_DATA_VALUE_MAX],
                                                     size_t *value_size);

#ifdef __cplusplus
}
#endif
#endif
