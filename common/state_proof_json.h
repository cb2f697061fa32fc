/* The JSON form of signed state roots and state proofs (docs/api.md "State proofs"), shared
 * by petrod (GET /v1/state-root, /v1/proofs/state, /v1/accounts/{address}/proof) and the petro
 * CLI (petro state-proof, petro verify-state-proof).
 *
 * Hashes, keys, values and signatures are lower-case hex; the validator is given both as an
 * address (for people) and as hex (validator_key: what the verifier uses, so a proof verifies
 * without knowing the network kind). Decoding is strict: every field present with its type;
 * it checks syntax only, petro_state_proof_verify checks the meaning. */
#ifndef PETRO_COMMON_STATE_PROOF_JSON_H
#define PETRO_COMMON_STATE_PROOF_JSON_H

#include <jansson.h>

#include "petro/petro.h"

#define STATE_PROOF_JSON_FORMAT "petro-state-proof-v1"

/** {"network_id", "height", "block_hash", "state_hash", "root", "record_count", "validator",
 *  "validator_key", "signature"}. NULL when out of memory. */
json_t *state_root_to_json(const petro_state_root *sr, petro_net_kind kind);
/** {"format", "key", "value", "leaf", "index", "path": [{"side": "left"|"right", "hash"}],
 *  "state_root": {...}}. NULL when out of memory. */
json_t *state_proof_to_json(const petro_state_proof *p, petro_net_kind kind);
/** Parse a proof; PETRO_OK or PETRO_ERR_MALFORMED with the failing field's name in why. */
petro_result state_proof_from_json(petro_state_proof *p, const json_t *j, char *why,
                                   size_t why_cap);

#endif
