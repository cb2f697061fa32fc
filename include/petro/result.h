/* Result codes: one table, stable numbers.
 *
 * 1..999 are ledger results: they are written into blocks (they feed the results Merkle
 * root), so their numbers are frozen forever. Never renumber or reuse one; retire it as
 * PETRO_ERR_RETIRED_<num>. 1000.. are local results, never written into a block.
 *
 * Columns: X(enum, number, name, http, message).
 *   name:    snake_case; the JSON "error" field of the API.
 *   http:    the HTTP status an API server answers a request that failed with this result
 *            (advisory: libpetro does no HTTP; petrod/api uses it for every error answer).
 *            400 when the client must change the request, 404 not found, 409 already seen,
 *            429/503 retry later, 504 timed out, 500 a fault of the node. Not frozen: it may
 *            change without touching a block.
 *   message: one sentence.
 */
#ifndef PETRO_RESULT_H
#define PETRO_RESULT_H

#ifdef __cplusplus
extern "C" {
#endif

#define PETRO_RESULT_TABLE(X)                                                                  \
    X(PETRO_OK, 0, "ok", 200, "success")                                                       \
    /* 1..99: encoding and transaction envelope */                                             \
    X(PETRO_ERR_MALFORMED, 1, "malformed", 400, "bytes are not a canonical encoding")          \
    X(PETRO_ERR_TX_TOO_LARGE, 2, "tx_too_large", 400, "transaction is larger than the maximum") \
    X(PETRO_ERR_BAD_VERSION, 3, "bad_version", 400, "unsupported encoding version")            \
    X(PETRO_ERR_WRONG_NETWORK, 4, "wrong_network", 400, "transaction is for another network")  \
    X(PETRO_ERR_NO_OPS, 5, "no_ops", 400, "transaction has no operations")                     \
    X(PETRO_ERR_TOO_MANY_OPS, 6, "too_many_ops", 400, "transaction has too many operations")   \
    X(PETRO_ERR_UNKNOWN_OP, 7, "unknown_op", 400, "unknown operation type")                    \
    X(PETRO_ERR_MEMO_TOO_LONG, 8, "memo_too_long", 400, "memo is longer than 32 bytes")        \
    X(PETRO_ERR_NO_SIGNATURES, 9, "no_signatures", 400, "transaction carries no signature")    \
    X(PETRO_ERR_DUPLICATE_SIGNATURE, 10, "duplicate_signature", 400,                           \
      "signatures are not in strictly ascending key order, or repeat a key")                   \
    X(PETRO_ERR_BAD_SIGNATURE, 11, "bad_signature", 400, "a signature does not verify")        \
    X(PETRO_ERR_TOO_MANY_SIGNATURES, 12, "too_many_signatures", 400, "too many signatures")    \
    /* 100..199: transaction-level ledger checks, in this order of precedence */               \
    X(PETRO_ERR_NO_SOURCE_ACCOUNT, 100, "no_source_account", 400, "source account does not exist") \
    X(PETRO_ERR_TOO_EARLY, 101, "too_early", 400, "transaction is not valid yet (valid_after)") \
    X(PETRO_ERR_TOO_LATE, 102, "too_late", 400, "transaction has expired (valid_until)")       \
    X(PETRO_ERR_BAD_SEQUENCE, 103, "bad_sequence", 400,                                        \
      "sequence number is not the account's sequence + 1")                                     \
    X(PETRO_ERR_BAD_AUTH, 104, "bad_auth", 400,                                                \
      "signature weight is below the required threshold")                                      \
    X(PETRO_ERR_FEE_TOO_LOW, 105, "fee_too_low", 400, "fee is below 100 base units per operation") \
    X(PETRO_ERR_FEE_BALANCE_LOW, 106, "fee_balance_low", 400, "PTR balance cannot pay the fee") \
    X(PETRO_ERR_ACCOUNT_FROZEN, 107, "account_frozen", 400, "account is frozen")               \
    X(PETRO_ERR_OP_FAILED, 108, "op_failed", 400, "an operation failed; no operation was applied") \
    X(PETRO_ERR_EXTRA_SIGNATURE, 109, "extra_signature", 400,                                  \
      "a signature is not from a signer of the account")                                       \
    /* 200..299: amounts */                                                                    \
    X(PETRO_ERR_AMOUNT_OVERFLOW, 200, "amount_overflow", 400, "amount arithmetic would overflow") \
    X(PETRO_ERR_AMOUNT_NEGATIVE, 201, "amount_negative", 400, "amount is negative")            \
    X(PETRO_ERR_AMOUNT_ZERO, 202, "amount_zero", 400, "amount must be greater than zero")      \
    X(PETRO_ERR_AMOUNT_PRECISION, 203, "amount_precision", 400,                                \
      "amount has more than 8 decimal places")                                                 \
    X(PETRO_ERR_AMOUNT_SYNTAX, 204, "amount_syntax", 400, "amount is not a decimal number")    \
    X(PETRO_ERR_AMOUNT_TOO_LARGE, 205, "amount_too_large", 400,                                \
      "amount exceeds the maximum supply")                                                     \
    /* 300..399: operation results (accounts, payments, assets) */                             \
    X(PETRO_ERR_BALANCE_LOW, 300, "balance_low", 400, "insufficient balance")                  \
    X(PETRO_ERR_NO_DESTINATION, 301, "no_destination", 400, "destination account does not exist") \
    X(PETRO_ERR_ACCOUNT_EXISTS, 302, "account_exists", 400, "account already exists")          \
    X(PETRO_ERR_NO_TRUST, 303, "no_trust", 400, "account has no trust line for this asset")    \
    X(PETRO_ERR_NOT_AUTHORIZED, 304, "not_authorized", 400,                                    \
      "trust line is not authorised by the issuer")                                            \
    X(PETRO_ERR_LINE_FULL, 305, "line_full", 400, "payment would exceed the trust line limit") \
    X(PETRO_ERR_NO_ASSET, 306, "no_asset", 400, "asset does not exist")                        \
    X(PETRO_ERR_ASSET_EXISTS, 307, "asset_exists", 400, "asset already exists")                \
    X(PETRO_ERR_BAD_ASSET_CODE, 308, "bad_asset_code", 400,                                    \
      "asset code must be 1 to 12 characters A-Z or 0-9, and not PTR")                         \
    X(PETRO_ERR_NOT_ISSUER, 309, "not_issuer", 400, "only the asset's issuer may do this")     \
    X(PETRO_ERR_SELF_NOT_ALLOWED, 310, "self_not_allowed", 400,                                \
      "source and destination are the same")                                                   \
    X(PETRO_ERR_TRUST_HAS_BALANCE, 311, "trust_has_balance", 400,                              \
      "trust line still holds a balance")                                                      \
    X(PETRO_ERR_LIMIT_BELOW_BALANCE, 312, "limit_below_balance", 400,                          \
      "trust line limit is below its balance")                                                 \
    X(PETRO_ERR_TOO_MANY_SIGNERS, 313, "too_many_signers", 400,                                \
      "account has the maximum of signers")                                                    \
    X(PETRO_ERR_BAD_THRESHOLDS, 314, "bad_thresholds", 400,                                    \
      "thresholds would lock the account or are out of order")                                 \
    X(PETRO_ERR_ISSUER_CANNOT_HOLD, 315, "issuer_cannot_hold", 400,                            \
      "the issuer of an asset cannot hold a trust line for it")                                \
    X(PETRO_ERR_SUPPLY_EXCEEDED, 316, "supply_exceeded", 400, "supply would exceed the maximum") \
    X(PETRO_ERR_BAD_FLAGS, 317, "bad_flags", 400, "unknown or not permitted flags")            \
    X(PETRO_ERR_DEST_FROZEN, 318, "dest_frozen", 400, "destination account is frozen")         \
    X(PETRO_ERR_NOT_SUPPORTED, 319, "not_supported", 400,                                      \
      "operation not supported for this asset")                                                \
    X(PETRO_ERR_BAD_SIGNER, 320, "bad_signer", 400, "a signer cannot be the account's own key") \
    /* 400..499: block checks */                                                               \
    X(PETRO_ERR_BAD_HEIGHT, 400, "bad_height", 500, "block height is not the next height")     \
    X(PETRO_ERR_BAD_PREV_HASH, 401, "bad_prev_hash", 500,                                      \
      "block does not extend the latest block")                                                \
    X(PETRO_ERR_BAD_TIMESTAMP, 402, "bad_timestamp", 500, "block time goes backwards")         \
    X(PETRO_ERR_BAD_TX_ROOT, 403, "bad_tx_root", 500, "transaction Merkle root does not match") \
    X(PETRO_ERR_BAD_RESULT_ROOT, 404, "bad_result_root", 500,                                  \
      "results Merkle root does not match")                                                    \
    X(PETRO_ERR_BAD_STATE_HASH, 405, "bad_state_hash", 500, "state hash does not match")       \
    X(PETRO_ERR_BLOCK_TOO_LARGE, 406, "block_too_large", 500, "block has too many transactions") \
    X(PETRO_ERR_TX_REJECTED_IN_BLOCK, 407, "tx_rejected_in_block", 500,                        \
      "block holds a transaction that cannot be included")                                     \
    X(PETRO_ERR_DUPLICATE_TX, 408, "duplicate_tx", 409, "transaction already seen")            \
    X(PETRO_ERR_BAD_BLOCK_SIGNATURE, 409, "bad_block_signature", 500,                          \
      "block is not signed by its proposer")                                                     \
    X(PETRO_ERR_BAD_WITNESS_ROOT, 410, "bad_witness_root", 500,                                \
      "signature (witness) Merkle root does not match")                                         \
    /* 500..549: reserves */                                                                   \
    X(PETRO_ERR_RESERVE_CAP_EXCEEDED, 500, "reserve_cap_exceeded", 400,                        \
      "issuing would exceed the attested reserves times the coverage ratio")                   \
    X(PETRO_ERR_NOT_AUDITORS, 501, "not_auditors", 400, "only the reserve auditors may attest") \
    X(PETRO_ERR_NOT_ORACLE, 502, "not_oracle", 400, "source is not a price oracle")            \
    X(PETRO_ERR_NOT_RESERVE_BACKED, 503, "not_reserve_backed", 400, "asset is not reserve-backed") \
    X(PETRO_ERR_BAD_COMMODITY, 504, "bad_commodity", 400, "unknown or undeclared commodity")   \
    X(PETRO_ERR_BAD_VALIDITY, 505, "bad_validity", 400,                                        \
      "attestation validity window is empty or already over")                                  \
    X(PETRO_ERR_NO_ATTESTATION, 506, "no_attestation", 400,                                    \
      "superseded attestation is not active for this commodity")                               \
    X(PETRO_ERR_ATTESTATIONS_FULL, 507, "attestations_full", 400,                              \
      "commodity has the maximum of active attestations")                                      \
    X(PETRO_ERR_STALE_PRICE, 508, "stale_price", 400,                                          \
      "price timestamp is in the future or not newer than the oracle's last price")            \
    X(PETRO_ERR_NO_REDEMPTION, 509, "no_redemption", 400, "no such redemption request")        \
    X(PETRO_ERR_REDEMPTION_DONE, 510, "redemption_done", 400,                                  \
      "redemption request already fulfilled")                                                  \
    X(PETRO_ERR_BAD_TEXT, 511, "bad_text", 400,                                                \
      "a text field is empty where required, too long, or not printable ASCII")                \
    X(PETRO_ERR_WRONG_QUOTE, 512, "wrong_quote", 400,                                          \
      "price is not in the quote unit declared for this commodity")                            \
    /* 600..649: trade */                                                                      \
    X(PETRO_ERR_TRADE_NO_CONTRACT, 600, "trade_no_contract", 400, "no such trade contract")    \
    X(PETRO_ERR_TRADE_BAD_TERMS, 601, "trade_bad_terms", 400,                                  \
      "contract terms are invalid (documents, approvers, threshold, dates, "                   \
      "HS code, countries)")                                                                   \
    X(PETRO_ERR_TRADE_NOT_IMPORTER, 602, "trade_not_importer", 400,                            \
      "only the contract importer may do this")                                                \
    X(PETRO_ERR_TRADE_NOT_EXPORTER, 603, "trade_not_exporter", 400,                            \
      "only the contract exporter may do this")                                                \
    X(PETRO_ERR_TRADE_NOT_APPROVER, 604, "trade_not_approver", 400,                            \
      "source is not an approver of the contract")                                             \
    X(PETRO_ERR_TRADE_NOT_PARTY, 605, "trade_not_party", 400,                                  \
      "only the importer or the exporter may do this")                                         \
    X(PETRO_ERR_TRADE_NOT_FUNDED, 606, "trade_not_funded", 400, "contract is not funded")      \
    X(PETRO_ERR_TRADE_ALREADY_FUNDED, 607, "trade_already_funded", 400,                        \
      "contract is already funded")                                                            \
    X(PETRO_ERR_TRADE_DOC_NOT_REQUIRED, 608, "trade_doc_not_required", 400,                    \
      "document type is not required by the contract")                                         \
    X(PETRO_ERR_TRADE_DOC_PRESENTED, 609, "trade_doc_presented", 400,                          \
      "document of this type already presented for this shipment")                             \
    X(PETRO_ERR_TRADE_DOCS_MISSING, 610, "trade_docs_missing", 400,                            \
      "a required document has not been presented")                                            \
    X(PETRO_ERR_TRADE_APPROVALS_LOW, 611, "trade_approvals_low", 400,                          \
      "approvals are below the contract threshold")                                            \
    X(PETRO_ERR_TRADE_ALREADY_VOTED, 612, "trade_already_voted", 400,                          \
      "approver already approved this shipment")                                               \
    X(PETRO_ERR_TRADE_CLOSED, 613, "trade_closed", 400, "contract is fully released or resolved") \
    X(PETRO_ERR_TRADE_REFUNDED, 614, "trade_refunded", 400, "contract was refunded")           \
    X(PETRO_ERR_TRADE_NOT_EXPIRED, 615, "trade_not_expired", 400, "contract has not expired yet") \
    X(PETRO_ERR_TRADE_EXPIRED, 616, "trade_expired", 400, "contract has expired")              \
    X(PETRO_ERR_TRADE_DEADLINE_PASSED, 617, "trade_deadline_passed", 400,                      \
      "shipment deadline has passed")                                                          \
    X(PETRO_ERR_TRADE_DISPUTED, 618, "trade_disputed", 400, "contract is in dispute")          \
    X(PETRO_ERR_TRADE_NOT_DISPUTED, 619, "trade_not_disputed", 400, "contract is not in dispute") \
    X(PETRO_ERR_TRADE_PARTIAL_NOT_ALLOWED, 620, "trade_partial_not_allowed", 400,              \
      "contract does not allow partial releases")                                              \
    X(PETRO_ERR_TRADE_EXCEEDS_ESCROW, 621, "trade_exceeds_escrow", 400,                        \
      "amount exceeds the funds held in escrow")                                               \
    X(PETRO_ERR_TRADE_BAD_COUNTER_SIG, 622, "trade_bad_counter_sig", 400,                      \
      "amendment lacks a valid signature of the other party")                                  \
    X(PETRO_ERR_TRADE_AMEND_BELOW_RELEASED, 623, "trade_amend_below_released", 400,            \
      "amended amount is below the amount already released")                                   \
    X(PETRO_ERR_TRADE_SELF_DEALING, 624, "trade_self_dealing", 400,                            \
      "importer, exporter and approvers must be distinct accounts")                            \
    X(PETRO_ERR_TRADE_NO_EXPORTER, 625, "trade_no_exporter", 400,                              \
      "exporter account does not exist")                                                       \
    X(PETRO_ERR_TRADE_NO_APPROVER_ACCOUNT, 626, "trade_no_approver_account", 400,              \
      "an approver account does not exist")                                                    \
    X(PETRO_ERR_TRADE_BAD_REASON, 627, "trade_bad_reason", 400,                                \
      "a rejection or dispute needs a reason code > 0")                                        \
    /* 650..699: zones */                                                                      \
    X(PETRO_ERR_ZONE_NOT_AUTHORITY, 650, "zone_not_authority", 400,                            \
      "source is not a zone authority named in genesis")                                       \
    X(PETRO_ERR_ZONE_EXISTS, 651, "zone_exists", 400, "zone already exists")                   \
    X(PETRO_ERR_ZONE_MISSING, 652, "zone_missing", 400, "no such zone")                        \
    X(PETRO_ERR_ZONE_WRONG_AUTHORITY, 653, "zone_wrong_authority", 400,                        \
      "source is not the authority of this zone")                                              \
    X(PETRO_ERR_ZONE_BAD_POLICY, 654, "zone_bad_policy", 400,                                  \
      "zone policy is invalid (fee, limit, tier or assets)")                                   \
    X(PETRO_ERR_ZONE_BAD_COUNTRY, 655, "zone_bad_country", 400,                                \
      "country must be two capital letters (ISO 3166-1 alpha-2)")                              \
    X(PETRO_ERR_ZONE_LIMIT_EXCEEDED, 656, "zone_limit_exceeded", 400,                          \
      "amount exceeds the receiving zone's per-transaction limit")                             \
    X(PETRO_ERR_ZONE_ASSET_NOT_ALLOWED, 657, "zone_asset_not_allowed", 400,                    \
      "asset is not allowed in the receiving zone")                                            \
    X(PETRO_ERR_ZONE_KYC_TIER_LOW, 658, "zone_kyc_tier_low", 400,                              \
      "payer's KYC tier is below the receiving zone's minimum")                                \
    X(PETRO_ERR_ZONE_BAD_TARGET, 659, "zone_bad_target", 400,                                  \
      "turnover target years or growth are invalid")                                           \
    X(PETRO_ERR_ZONE_NO_ACCOUNT, 660, "zone_no_account", 400, "account does not exist")        \
    /* 550..599 exchange, 600..649 trade, 650..699 zones,             */                       \
    /* 700..749 compliance, 750..799 governance, 800..849 sale, 850..899 swap            */    \
    /* 1000..: local results, never written into a block */                                    \
    X(PETRO_ERR_NOMEM, 1000, "nomem", 500, "out of memory")                                    \
    X(PETRO_ERR_IO, 1001, "io", 500, "storage I/O error")                                      \
    X(PETRO_ERR_STORE_FULL, 1002, "store_full", 500, "storage map is full")                    \
    X(PETRO_ERR_NOT_FOUND, 1003, "not_found", 404, "not found")                                \
    X(PETRO_ERR_MEMPOOL_FULL, 1004, "mempool_full", 429, "mempool is full; retry later")       \
    X(PETRO_ERR_BAD_ADDRESS, 1005, "bad_address", 400, "not a valid address")                  \
    X(PETRO_ERR_BAD_ADDRESS_CHECKSUM, 1006, "bad_address_checksum", 400,                       \
      "address checksum does not match (typo?)")                                               \
    X(PETRO_ERR_WRONG_ADDRESS_PREFIX, 1007, "wrong_address_prefix", 400,                       \
      "address is for another kind of network (ptr/tptr)")                                     \
    X(PETRO_ERR_BAD_HEX, 1008, "bad_hex", 400, "not valid hexadecimal")                        \
    X(PETRO_ERR_BAD_REQUEST, 1009, "bad_request", 400, "bad request")                          \
    X(PETRO_ERR_TIMEOUT, 1010, "timeout", 504, "timed out")                                    \
    X(PETRO_ERR_UNAVAILABLE, 1011, "unavailable", 503, "node unavailable")                     \
    X(PETRO_ERR_CRYPTO, 1012, "crypto", 500, "cryptography library failure")                   \
    X(PETRO_ERR_BUFFER_TOO_SMALL, 1013, "buffer_too_small", 500, "output buffer too small")    \
    X(PETRO_ERR_UNAUTHORIZED, 1014, "unauthorized", 401, "missing or wrong admin token")       \
    X(PETRO_ERR_BAD_PASSPHRASE, 1015, "bad_passphrase", 400, "wrong passphrase or damaged wallet") \
    X(PETRO_ERR_CORRUPT, 1016, "corrupt", 503, "stored data failed its integrity check")       \
    X(PETRO_ERR_NO_VALIDATOR_KEY, 1017, "no_validator_key", 500,                               \
      "the validator key that signs this node's blocks cannot be loaded")                        \
    X(PETRO_ERR_CHANGED_SINCE_ROOT, 1018, "changed_since_root", 409,                           \
      "the record changed since the latest state root; prove it after the next root")

typedef enum {
#define PETRO_RESULT_ENUM_(id, num, name, http, msg) id = num,
    PETRO_RESULT_TABLE(PETRO_RESULT_ENUM_)
#undef PETRO_RESULT_ENUM_
} petro_result;

#if defined(__GNUC__)
#define PETRO_MUST_USE __attribute__((warn_unused_result))
#else
#define PETRO_MUST_USE
#endif

#if defined(__GNUC__) && !defined(PETRO_STATIC)
#define PETRO_API __attribute__((visibility("default")))
#else
#define PETRO_API
#endif

/** The snake_case name of a result ("balance_low"); "unknown" for a number not in the table.
 *  Returns a static string. Pure. */
PETRO_API const char *petro_result_name(petro_result r);

/** One sentence describing a result. Returns a static string. Pure. */
PETRO_API const char *petro_result_str(petro_result r);

/** The HTTP status an API server should answer for r (the table's http column): 200 for
 *  PETRO_OK, 4xx/5xx for errors, 500 for a number not in the table. Advisory: libpetro itself
 *  does no HTTP; petrod's API answers every error with this status. Pure. */
PETRO_API int petro_result_http_status(petro_result r);

/** Whether r is a ledger result (1..999), i.e. may appear in a block. Pure. */
PETRO_API int petro_result_is_ledger(petro_result r);

/** Look up a result by its snake_case name. Returns 1 and sets *out if found, else 0. */
PETRO_API int petro_result_from_name(petro_result *out, const char *name);

#ifdef __cplusplus
}
#endif
#endif
