/* The JSON form of checkpoints and inclusion proofs (docs/api.md "Reserves"), shared by
 * petrod (GET /v1/reserves/proof) and the petro CLI (petro proof, petro verify-proof).
 *
 * Keys are given both as addresses (for people) and as hex (account_key, validator_key: what
 * the verifier uses, so a proof verifies without knowing the network kind). Amounts are exact
 * decimal strings, hashes and signatures lower-case hex. Decoding is strict: every field
 * present with its type; it checks syntax only, petro_proof_verify checks the meaning. */
#ifndef PETRO_COMMON_PROOF_JSON_H
#define PETRO_COMMON_PROOF_JSON_H

#include <jansson.h>

#include "petro/petro.h"

#define PROOF_JSON_FORMAT "petro-proof-v1"

/** {"network_id", "height", "block_hash", "timestamp_ms", "asset", "asset_issuer_key",
 *  "root", "total", "leaf_count", "attested", "cap", "validator", "validator_key",
 *  "signature"}. NULL when out of memory. */
json_t *checkpoint_to_json(const petro_checkpoint *c, petro_net_kind kind);
/** {"format", "account", "account_key", "balance", "salt", "index", "path": [{"hash","sum"}],
 *  "checkpoint": {...}}. NULL when out of memory. */
json_t *proof_to_json(const petro_proof *p, petro_net_kind kind);
/** Parse; PETRO_OK or PETRO_ERR_MALFORMED with a reason (field name) in why. */
petro_result proof_from_json(petro_proof *p, const json_t *j, char *why, size_t why_cap);

#endif
