// Generated from the "Operation fields" block of docs/protocol.md by
// web/tools/gen-ops.mjs: do not edit. `node web/tools/gen-ops.mjs --write` rewrites it;
// the test tests/web/ops.test.mjs fails when it is stale.
//
// Each operation: type, name, family, threshold, summary, and its fields in wire order.
// A field: name, kind (pubkey asset code amount u8 bool u16 u32 u64 text hash sig
// country), and when present: listMin/listMax (a list: u8 count then values), textMin/
// textMax, min/max (BigInt), names (enum values or flag bits by number), party, enum,
// flagWord, boolean, hex, optional, doc.

export const FAMILIES = Object.freeze([
  Object.freeze({ name: "accounts", summary: "accounts, their signers and thresholds", ops: Object.freeze([
    Object.freeze({ type: 1, name: "create_account", family: "accounts", threshold: "medium",
      summary: "create an account funded with PTR from the source", fields: Object.freeze([
        Object.freeze({ name: "destination", kind: "pubkey", doc: "the new account's public key", party: true }),
        Object.freeze({ name: "starting_balance", kind: "amount", doc: "PTR moved from the source, > 0", min: 1n, max: 9223372036800000000n }),
      ]) }),
    Object.freeze({ type: 2, name: "set_signer", family: "accounts", threshold: "high",
      summary: "add, change or remove (weight 0) a signer of the source account", fields: Object.freeze([
        Object.freeze({ name: "signer", kind: "pubkey", doc: "a key other than the account's own" }),
        Object.freeze({ name: "weight", kind: "u8", doc: "its weight; 0 removes the signer", min: 0n, max: 255n }),
      ]) }),
    Object.freeze({ type: 3, name: "set_thresholds", family: "accounts", threshold: "high",
      summary: "set the source's master weight and low/medium/high thresholds", fields: Object.freeze([
        Object.freeze({ name: "master_weight", kind: "u8", doc: "weight of the account's own key", min: 0n, max: 255n }),
        Object.freeze({ name: "low", kind: "u8", doc: "weight needed for low-threshold operations", min: 0n, max: 255n }),
        Object.freeze({ name: "medium", kind: "u8", doc: "weight needed for medium-threshold operations", min: 0n, max: 255n }),
        Object.freeze({ name: "high", kind: "u8", doc: "weight needed for high-threshold operations", min: 0n, max: 255n }),
      ]) }),
  ]) }),
  Object.freeze({ name: "payments", summary: "payments between accounts", ops: Object.freeze([
    Object.freeze({ type: 4, name: "payment", family: "payments", threshold: "medium",
      summary: "pay an amount of an asset to another account", fields: Object.freeze([
        Object.freeze({ name: "destination", kind: "pubkey", doc: "the receiving account", party: true }),
        Object.freeze({ name: "asset", kind: "asset", doc: "PTR or CODE:ISSUER" }),
        Object.freeze({ name: "amount", kind: "amount", doc: "amount sent, > 0", min: 1n, max: 9223372036800000000n }),
      ]) }),
  ]) }),
  Object.freeze({ name: "assets", summary: "issued assets, trust lines, issue and redeem", ops: Object.freeze([
    Object.freeze({ type: 5, name: "create_asset", family: "assets", threshold: "medium",
      summary: "create an asset issued by the source", fields: Object.freeze([
        Object.freeze({ name: "code", kind: "code", doc: "1..12 of A-Z 0-9, not PTR; the issuer is the source" }),
        Object.freeze({ name: "flags", kind: "u32", doc: "bit 0 auth_required (lines need authorising), bit 1 revocable", flagWord: true, optional: true, names: { 0: "auth_required", 1: "revocable" } }),
      ]) }),
    Object.freeze({ type: 6, name: "change_trust", family: "assets", threshold: "medium",
      summary: "open, change or close (limit 0) a trust line", fields: Object.freeze([
        Object.freeze({ name: "asset", kind: "asset", doc: "CODE:ISSUER of an existing asset" }),
        Object.freeze({ name: "limit", kind: "amount", doc: "most the line may hold; 0 removes the line", min: 0n, max: 9223372036800000000n }),
      ]) }),
    Object.freeze({ type: 7, name: "authorize_trust", family: "assets", threshold: "low",
      summary: "the issuer authorises or revokes a holder's trust line", fields: Object.freeze([
        Object.freeze({ name: "trustor", kind: "pubkey", doc: "the holder of the trust line", party: true }),
        Object.freeze({ name: "code", kind: "code", doc: "the source's asset code" }),
        Object.freeze({ name: "authorize", kind: "bool", doc: "true authorises, false revokes" }),
      ]) }),
    Object.freeze({ type: 8, name: "issue", family: "assets", threshold: "medium",
      summary: "the issuer creates new units at a holder", fields: Object.freeze([
        Object.freeze({ name: "destination", kind: "pubkey", doc: "the receiving holder", party: true }),
        Object.freeze({ name: "code", kind: "code", doc: "the source's asset code" }),
        Object.freeze({ name: "amount", kind: "amount", doc: "new units created, > 0", min: 1n, max: 9223372036800000000n }),
      ]) }),
    Object.freeze({ type: 9, name: "redeem", family: "assets", threshold: "medium",
      summary: "a holder returns units to their issuer, which destroys them", fields: Object.freeze([
        Object.freeze({ name: "asset", kind: "asset", doc: "CODE:ISSUER of an issued asset" }),
        Object.freeze({ name: "amount", kind: "amount", doc: "units returned to the issuer and destroyed", min: 1n, max: 9223372036800000000n }),
      ]) }),
  ]) }),
  Object.freeze({ name: "reserves", summary: "reserve attestations, oracle prices, reserve-backed issue and redemption", ops: Object.freeze([
    Object.freeze({ type: 10, name: "attest_reserve", family: "reserves", threshold: "medium",
      summary: "the auditors attest a reserve certificate", fields: Object.freeze([
        Object.freeze({ name: "commodity", kind: "u8", doc: "oil or gold", enum: true, names: { 1: "oil", 2: "gold" } }),
        Object.freeze({ name: "quantity", kind: "amount", doc: "barrels or troy ounces, 8 decimals", min: 1n, max: 9223372036800000000n }),
        Object.freeze({ name: "custodian", kind: "text", doc: "who holds the reserve", textMin: 0, textMax: 64 }),
        Object.freeze({ name: "document_hash", kind: "hash", doc: "hash of the signed certificate" }),
        Object.freeze({ name: "valid_from_ms", kind: "u64", doc: "start of validity, unix ms" }),
        Object.freeze({ name: "valid_until_ms", kind: "u64", doc: "end of validity, unix ms, > valid_from_ms" }),
        Object.freeze({ name: "supersedes", kind: "u64", doc: "id of the attestation it replaces; 0 none", optional: true }),
      ]) }),
    Object.freeze({ type: 11, name: "oracle_price", family: "reserves", threshold: "medium",
      summary: "an oracle publishes a commodity price", fields: Object.freeze([
        Object.freeze({ name: "commodity", kind: "u8", doc: "oil or gold", enum: true, names: { 1: "oil", 2: "gold" } }),
        Object.freeze({ name: "quote", kind: "code", doc: "the quote currency's code, e.g. USD" }),
        Object.freeze({ name: "price", kind: "amount", doc: "price of one commodity unit, > 0", min: 1n, max: 9223372036800000000n }),
        Object.freeze({ name: "timestamp_ms", kind: "u64", doc: "observation time, unix ms" }),
      ]) }),
    Object.freeze({ type: 12, name: "issue_reserve", family: "reserves", threshold: "medium",
      summary: "the issuer creates reserve-backed units, capped by coverage", fields: Object.freeze([
        Object.freeze({ name: "asset", kind: "asset", doc: "a reserve-backed asset" }),
        Object.freeze({ name: "destination", kind: "pubkey", doc: "the receiving account", party: true }),
        Object.freeze({ name: "amount", kind: "amount", doc: "new units, within the coverage cap", min: 1n, max: 9223372036800000000n }),
      ]) }),
    Object.freeze({ type: 13, name: "redeem_reserve", family: "reserves", threshold: "medium",
      summary: "a holder burns reserve-backed units and asks for delivery", fields: Object.freeze([
        Object.freeze({ name: "asset", kind: "asset", doc: "a reserve-backed asset" }),
        Object.freeze({ name: "amount", kind: "amount", doc: "units burned", min: 1n, max: 9223372036800000000n }),
        Object.freeze({ name: "delivery", kind: "text", doc: "delivery reference", textMin: 0, textMax: 64 }),
      ]) }),
    Object.freeze({ type: 14, name: "fulfill_redemption", family: "reserves", threshold: "medium",
      summary: "the issuer marks a redemption request delivered", fields: Object.freeze([
        Object.freeze({ name: "request_id", kind: "u64", doc: "the redemption request", min: 1n }),
      ]) }),
  ]) }),
  Object.freeze({ name: "trade", summary: "trade contracts with document-bound escrow", ops: Object.freeze([
    Object.freeze({ type: 30, name: "trade_create", family: "trade", threshold: "medium",
      summary: "the importer proposes a contract", fields: Object.freeze([
        Object.freeze({ name: "exporter", kind: "pubkey", doc: "the seller; paid out of escrow", party: true }),
        Object.freeze({ name: "asset", kind: "asset", doc: "settlement asset" }),
        Object.freeze({ name: "amount", kind: "amount", doc: "contract value, > 0", min: 1n, max: 9223372036800000000n }),
        Object.freeze({ name: "hs_code", kind: "u32", doc: "6-digit HS code of the goods", min: 10000n, max: 979999n }),
        Object.freeze({ name: "description", kind: "text", doc: "the goods", textMin: 0, textMax: 64 }),
        Object.freeze({ name: "quantity", kind: "amount", doc: "quantity, 8 decimals", min: 1n, max: 9223372036800000000n }),
        Object.freeze({ name: "unit", kind: "text", doc: "unit of the quantity (t, kg, pcs)", textMin: 0, textMax: 8 }),
        Object.freeze({ name: "incoterm", kind: "u8", doc: "Incoterms 2020 rule", enum: true, names: { 1: "EXW", 2: "FCA", 3: "FAS", 4: "FOB", 5: "CFR", 6: "CIF", 7: "CPT", 8: "CIP", 9: "DAP", 10: "DPU", 11: "DDP" } }),
        Object.freeze({ name: "origin", kind: "country", doc: "exporting country" }),
        Object.freeze({ name: "destination", kind: "country", doc: "importing country" }),
        Object.freeze({ name: "documents", kind: "u8", doc: "required document types, distinct", enum: true, listMin: 1, listMax: 6, names: { 1: "commercial_invoice", 2: "bill_of_lading", 3: "certificate_of_origin", 4: "inspection_certificate", 5: "packing_list", 6: "insurance_certificate", 7: "phytosanitary_certificate", 8: "air_waybill" } }),
        Object.freeze({ name: "approvers", kind: "pubkey", doc: "inspector accounts, distinct", party: true, listMin: 1, listMax: 4 }),
        Object.freeze({ name: "threshold", kind: "u8", doc: "approvals needed, <= approvers", min: 1n, max: 4n }),
        Object.freeze({ name: "allow_partial", kind: "u8", doc: "partial shipments and releases", boolean: true, optional: true, min: 0n, max: 1n }),
        Object.freeze({ name: "shipment_deadline_ms", kind: "u64", doc: "documents due by, unix ms" }),
        Object.freeze({ name: "expiry_ms", kind: "u64", doc: "refund possible after, unix ms, > the deadline" }),
      ]) }),
    Object.freeze({ type: 31, name: "trade_fund", family: "trade", threshold: "medium",
      summary: "the importer moves the contract value into escrow", fields: Object.freeze([
        Object.freeze({ name: "contract_id", kind: "u64", doc: "the contract", min: 1n }),
      ]) }),
    Object.freeze({ type: 32, name: "trade_present", family: "trade", threshold: "medium",
      summary: "the exporter presents a document of the shipment", fields: Object.freeze([
        Object.freeze({ name: "contract_id", kind: "u64", doc: "the contract", min: 1n }),
        Object.freeze({ name: "document", kind: "u8", doc: "document type", enum: true, names: { 1: "commercial_invoice", 2: "bill_of_lading", 3: "certificate_of_origin", 4: "inspection_certificate", 5: "packing_list", 6: "insurance_certificate", 7: "phytosanitary_certificate", 8: "air_waybill" } }),
        Object.freeze({ name: "document_hash", kind: "hash", doc: "hash of the document" }),
        Object.freeze({ name: "reference", kind: "text", doc: "the document's number", optional: true, textMin: 0, textMax: 64 }),
      ]) }),
    Object.freeze({ type: 33, name: "trade_approve", family: "trade", threshold: "medium",
      summary: "an approver approves or rejects the documents", fields: Object.freeze([
        Object.freeze({ name: "contract_id", kind: "u64", doc: "the contract", min: 1n }),
        Object.freeze({ name: "approve", kind: "bool", doc: "true approves, false rejects" }),
        Object.freeze({ name: "reason", kind: "u16", doc: "rejection reason code, > 0 when rejecting", optional: true, min: 0n, max: 65535n }),
      ]) }),
    Object.freeze({ type: 34, name: "trade_release", family: "trade", threshold: "medium",
      summary: "pays escrow to the exporter once the documents are approved", fields: Object.freeze([
        Object.freeze({ name: "contract_id", kind: "u64", doc: "the contract", min: 1n }),
        Object.freeze({ name: "amount", kind: "amount", doc: "amount released; 0 = the whole escrow", optional: true, min: 0n, max: 9223372036800000000n }),
      ]) }),
    Object.freeze({ type: 35, name: "trade_refund", family: "trade", threshold: "medium",
      summary: "returns the escrow to the importer after expiry", fields: Object.freeze([
        Object.freeze({ name: "contract_id", kind: "u64", doc: "the contract", min: 1n }),
      ]) }),
    Object.freeze({ type: 36, name: "trade_dispute", family: "trade", threshold: "medium",
      summary: "a party opens a dispute", fields: Object.freeze([
        Object.freeze({ name: "contract_id", kind: "u64", doc: "the contract", min: 1n }),
        Object.freeze({ name: "reason", kind: "u16", doc: "dispute reason code, > 0", min: 1n, max: 65535n }),
      ]) }),
    Object.freeze({ type: 37, name: "trade_resolve", family: "trade", threshold: "medium",
      summary: "an approver votes to split a disputed escrow", fields: Object.freeze([
        Object.freeze({ name: "contract_id", kind: "u64", doc: "the contract", min: 1n }),
        Object.freeze({ name: "exporter_amount", kind: "amount", doc: "the exporter's share; the rest refunds", min: 0n, max: 9223372036800000000n }),
      ]) }),
    Object.freeze({ type: 38, name: "trade_amend", family: "trade", threshold: "medium",
      summary: "the parties amend amount and dates", fields: Object.freeze([
        Object.freeze({ name: "contract_id", kind: "u64", doc: "the contract", min: 1n }),
        Object.freeze({ name: "amount", kind: "amount", doc: "new contract value", min: 1n, max: 9223372036800000000n }),
        Object.freeze({ name: "shipment_deadline_ms", kind: "u64", doc: "new document deadline, unix ms" }),
        Object.freeze({ name: "expiry_ms", kind: "u64", doc: "new expiry, unix ms" }),
        Object.freeze({ name: "counter_sig", kind: "sig", doc: "the other party's signature over the amendment" }),
      ]) }),
  ]) }),
  Object.freeze({ name: "zones", summary: "economic zones, their policies, members and targets", ops: Object.freeze([
    Object.freeze({ type: 40, name: "zone_create", family: "zones", threshold: "medium",
      summary: "a zone authority creates a zone", fields: Object.freeze([
        Object.freeze({ name: "zone_id", kind: "u32", doc: "the new zone's number, > 0", min: 1n, max: 4294967295n }),
        Object.freeze({ name: "name", kind: "text", doc: "its name, not empty", textMin: 1, textMax: 64 }),
        Object.freeze({ name: "country", kind: "country", doc: "ISO 3166-1 alpha-2" }),
      ]) }),
    Object.freeze({ type: 41, name: "zone_policy", family: "zones", threshold: "medium",
      summary: "the zone's authority sets its policy", fields: Object.freeze([
        Object.freeze({ name: "zone_id", kind: "u32", doc: "the zone", min: 1n, max: 4294967295n }),
        Object.freeze({ name: "fee_bps", kind: "u16", doc: "fee on incoming transfers, basis points (burned)", optional: true, min: 0n, max: 1000n }),
        Object.freeze({ name: "tx_limit", kind: "amount", doc: "largest incoming transfer; 0 = no limit", optional: true, min: 0n, max: 9223372036800000000n }),
        Object.freeze({ name: "min_kyc_tier", kind: "u8", doc: "payer's minimum KYC tier", optional: true, min: 0n, max: 3n }),
        Object.freeze({ name: "assets", kind: "asset", doc: "allowed assets, distinct; none = every asset", optional: true, listMin: 0, listMax: 4 }),
      ]) }),
    Object.freeze({ type: 42, name: "zone_assign", family: "zones", threshold: "medium",
      summary: "the zone's authority assigns an account to its zone", fields: Object.freeze([
        Object.freeze({ name: "account", kind: "pubkey", doc: "the account", party: true }),
        Object.freeze({ name: "zone_id", kind: "u32", doc: "the source's zone; 0 removes it from its zone", min: 0n, max: 4294967295n }),
      ]) }),
    Object.freeze({ type: 43, name: "set_kyc_tier", family: "zones", threshold: "medium",
      summary: "a zone authority sets an account's KYC tier", fields: Object.freeze([
        Object.freeze({ name: "account", kind: "pubkey", doc: "the account", party: true }),
        Object.freeze({ name: "tier", kind: "u8", doc: "KYC tier 0..3", min: 0n, max: 3n }),
      ]) }),
    Object.freeze({ type: 44, name: "trade_target", family: "zones", threshold: "medium",
      summary: "a zone authority sets a bilateral turnover target", fields: Object.freeze([
        Object.freeze({ name: "origin", kind: "country", doc: "exporting country" }),
        Object.freeze({ name: "destination", kind: "country", doc: "importing country" }),
        Object.freeze({ name: "asset", kind: "asset", doc: "settlement asset" }),
        Object.freeze({ name: "base_year", kind: "u16", doc: "the reference year", min: 1970n, max: 9998n }),
        Object.freeze({ name: "target_year", kind: "u16", doc: "the year of the target, > base_year", min: 1971n, max: 9999n }),
        Object.freeze({ name: "growth_bps", kind: "u32", doc: "growth over the base year, basis points", min: 0n, max: 1000000n }),
      ]) }),
  ]) }),
  Object.freeze({ name: "data", summary: "named values an account publishes", ops: Object.freeze([
    Object.freeze({ type: 90, name: "data_set", family: "data", threshold: "medium",
      summary: "set, replace or remove a named value of the source account", fields: Object.freeze([
        Object.freeze({ name: "name", kind: "text", doc: "the entry's name, 1..64 printable ASCII", textMin: 1, textMax: 64 }),
        Object.freeze({ name: "value", kind: "u8", doc: "0..64 bytes (hex in JSON and CLI); empty removes the entry", hex: true, optional: true, listMin: 0, listMax: 64 }),
      ]) }),
  ]) }),
]);

/** Operation schema by type number. */
export const OPS_BY_TYPE = new Map(FAMILIES.flatMap((f) => f.ops).map((o) => [o.type, o]));
/** Operation schema by name ("payment"). */
export const OPS_BY_NAME = new Map(FAMILIES.flatMap((f) => f.ops).map((o) => [o.name, o]));
