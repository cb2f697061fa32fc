/* The JSON form of checkpoints and inclusion proofs (docs/api.md "Reserves"), shared by
 * petrod (GET /v1/reserves/proof) and the petro CLI (petro proof, petro verify-proof). One
 * document holds an account's balance proof and the proofs of the locks it owns (escrow),
 * all at one checkpoint.
 *
 * Keys are given both as addresses (for people) and as hex (account_key, validator_key: what
 * the verifier uses, so a proof verifies without knowing the network kind). Amounts are exact
 * decimal strings, hashes and signatures lower-case hex. Decoding is strict: every field
 * present with its type; it checks syntax only, petro_proof_verify checks the meaning. */
#ifndef PETRO_COMMON_PROOF_JSON_H
#define PETRO_COMMON_PROOF_JSON_H

#include <jansson.h>

#include "petro/petro.h"

#define PROOF_JSON_FORMAT "petro-proof-v2"
/** Lock proofs in one answer or file at most; an account owning more is told how many were
 *  left out (locks_omitted). */
#define PROOF_JSON_LOCKS_MAX 64

/** An account's proofs at one checkpoint: its balance leaf (when it held a line of the asset)
 *  and the lock leaves it owns, in tree order. Every proof carries the same checkpoint, salt
 *  and account. About 140 KB: allocate it. */
typedef struct proof_set {
    bool has_balance;
    petro_proof balance;
    uint32_t lock_count;
    petro_proof locks[PROOF_JSON_LOCKS_MAX];
    uint64_t locks_omitted; /* locks the account owns beyond the listed ones */
} proof_set;

/** {"network_id", "height", "block_hash", "timestamp_ms", "asset", "asset_issuer_key",
 *  "root", "total", "leaf_count", "lock_count", "attested", "cap", "validator",
 *  "validator_key", "signature"}. NULL when out of memory. */
json_t *checkpoint_to_json(const petro_checkpoint *c, petro_net_kind kind);
/** {"format", "account", "account_key", "salt", "balance", "index", "path": [{"hash","sum"}]
 *  (the three null without a balance leaf), "locks": [{"family", "id", "amount", "index",
 *  "path"}], "locks_omitted", "checkpoint": {...}} (docs/api.md). s must hold at least one
 *  proof. NULL when out of memory. */
json_t *proof_set_to_json(const proof_set *s, petro_net_kind kind);
/** Parse; PETRO_OK or PETRO_ERR_MALFORMED with a reason (field name) in why. Every proof of
 *  s gets the file's checkpoint, salt and account. */
petro_result proof_set_from_json(proof_set *s, const json_t *j, char *why, size_t why_cap);

#endif
