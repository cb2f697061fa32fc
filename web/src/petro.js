// petro.js: the JavaScript client of Petro, for the browser and Node.js 20 (an ES module, no
// bundler needed). What an exchange, a bank or the explorer pages use instead of shelling out
// to the `petro` CLI: addresses, exact amounts, decoding of transactions and blocks from their
// canonical bytes with their ids and hashes, proof-of-reserves and state-proof verification,
// and a small HTTP client of the node's API. docs/protocol.md is the specification;
// web/README.md shows how.
//
// Design:
// - Amounts are BigInt base units (1 unit = 10^8), parsed from and printed to the API's
//   decimal strings exactly; a float never touches an amount.
// - Decoding walks one operation table (./ops.js, generated from the registry's block of
//   docs/protocol.md), so a new operation needs no code here. Decoded transactions and blocks
//   are rendered as the API renders them (same keys, addresses, decimal strings), so what the
//   bytes say can be compared field by field with what a node says.
// - The decoder is strict in the order the C decoder is (petro_tx_decode): a problem is a
//   PetroError whose `code` is the result name the node would give (`malformed`,
//   `bad_version`, ...). The families' own static checks (ranges, texts, dates) stay the
//   node's; a block only ever contains transactions that passed them.
// - Proof verification reports every check by name (shape, salt, sums, root, signature,
//   reserves, like `petro verify-proof`; shape, leaf, root, signature for a state proof,
//   like `petro verify-state-proof`), never just "invalid".
// - Cryptography is @noble/hashes (BLAKE2b-256) and @noble/curves (Ed25519, RFC 8032 strict
//   verification), both from npm with a lock file.
import { blake2b } from '@noble/hashes/blake2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { FAMILIES, OPS_BY_NAME, OPS_BY_TYPE } from './ops.js';

export { FAMILIES, OPS_BY_NAME, OPS_BY_TYPE };

// ------------------------------------------------------------------ limits (include/petro/limits.h)

export const DECIMALS = 8;
export const UNIT = 100000000n;
export const SUPPLY_MAX = 92233720368n * UNIT;
export const TX_SIZE_MAX = 4096;
export const TX_OPS_MAX = 16;
export const TX_SIGS_MAX = 20;
export const MEMO_SIZE_MAX = 32;
export const TX_VERSION = 2;
export const BLOCK_VERSION = 2;
/** The hashed part of a block header (every field but the signature), then the signature. */
export const BLOCK_HASHED_SIZE = 213;
export const BLOCK_HEADER_SIZE = BLOCK_HASHED_SIZE + 64;
export const BLOCK_TX_COUNT_MAX = 20000;
export const PROOF_FORMAT = 'petro-proof-v2';
export const PROOF_LOCKS_MAX = 64;
export const PROOF_DEPTH_MAX = 40;
const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;

/** An error with the result name a Petro node would give (`code`) and a sentence. */
export class PetroError extends Error {
  constructor(code, message) {
    super(message ? `${code}: ${message}` : code);
    this.name = 'PetroError';
    this.code = code;
  }
}

// ------------------------------------------------------------------ bytes

const HEX = '0123456789abcdef';

/** Lower-case hex of bytes. */
export function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4] + HEX[b & 15];
  return s;
}

/** Bytes of a hex string (upper or lower case). Throws PetroError bad_hex; with `size`, the
 *  string must hold exactly that many bytes. */
export function fromHex(text, size) {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new PetroError('bad_hex', 'not an even number of hexadecimal digits');
  }
  if (size !== undefined && text.length !== 2 * size) {
    throw new PetroError('bad_hex', `expected ${size} bytes of hex, got ${text.length / 2}`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
  return out;
}

export function concatBytes(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

const ascii = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function leBytes(v, size, signed) {
  let x = BigInt(v);
  const bits = BigInt(size * 8);
  if (signed && x < 0n) x += 1n << bits;
  if (x < 0n || x >= 1n << bits) throw new RangeError(`${v} does not fit ${size} bytes`);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}
export const u64le = (v) => leBytes(v, 8, false);
export const i64le = (v) => leBytes(v, 8, true);
export const u32le = (v) => leBytes(v, 4, false);

/** BLAKE2b-256 (unkeyed, 32-byte output) of the concatenated parts (bytes or ASCII strings). */
export function hash(...parts) {
  const h = blake2b.create({ dkLen: 32 });
  for (const p of parts) h.update(typeof p === 'string' ? ascii(p) : p);
  return h.digest();
}

// ------------------------------------------------------------------ amounts

/** Decimal text -> BigInt base units, exactly as petro_amount_parse: digits, an optional
 *  '.' and 1..8 decimals; at most the supply max. Throws PetroError amount_syntax,
 *  amount_negative (unless allowNegative), amount_precision or amount_too_large. */
export function parseAmount(text, { allowNegative = false } = {}) {
  if (typeof text !== 'string') throw new PetroError('amount_syntax', 'an amount is a string');
  const m = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(text);
  if (!m) throw new PetroError('amount_syntax', `not a decimal amount: ${JSON.stringify(text)}`);
  if (m[1] && !allowNegative) throw new PetroError('amount_negative', 'amount is negative');
  const frac = m[3] || '';
  if (frac.length > DECIMALS) {
    throw new PetroError('amount_precision', `more than ${DECIMALS} decimals`);
  }
  const v = BigInt(m[2]) * UNIT + BigInt(frac.padEnd(DECIMALS, '0'));
  if (v > SUPPLY_MAX) throw new PetroError('amount_too_large', 'above the supply maximum');
  return m[1] ? -v : v;
}

/** BigInt base units -> the shortest exact decimal ("12.5", "0.000001"), as the API prints. */
export function formatAmount(baseUnits) {
  const v = BigInt(baseUnits);
  const mag = v < 0n ? -v : v;
  const whole = (mag / UNIT).toString();
  const frac = (mag % UNIT).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return (v < 0n ? '-' : '') + whole + (frac ? `.${frac}` : '');
}

// ------------------------------------------------------------------ addresses (bech32m, BIP-350)

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32M_CONST = 0x2bc830a3;
const HRP = { main: 'ptr', test: 'tptr' };
const KEY_GROUPS = 52;

function checkNet(net) {
  if (net !== 'main' && net !== 'test') {
    throw new TypeError(`network kind must be "main" or "test", not ${JSON.stringify(net)}`);
  }
}

function polymod(hrp, data) {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  const step = (v) => {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk = (chk ^ gen[i]) >>> 0;
  };
  for (const c of hrp) step(c.charCodeAt(0) >> 5);
  step(0);
  for (const c of hrp) step(c.charCodeAt(0) & 31);
  for (const v of data) step(v);
  return chk >>> 0;
}

/** The address of a 32-byte public key: `ptr1...` (net 'main') or `tptr1...` (net 'test'). */
export function encodeAddress(pubkey, net) {
  checkNet(net);
  const key = typeof pubkey === 'string' ? fromHex(pubkey, 32) : pubkey;
  if (key.length !== 32) throw new PetroError('bad_address', 'a public key is 32 bytes');
  const data = [];
  let acc = 0;
  let bits = 0;
  for (const b of key) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data.push((acc >> bits) & 31);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) data.push((acc << (5 - bits)) & 31);
  const hrp = HRP[net];
  const mod = polymod(hrp, [...data, 0, 0, 0, 0, 0, 0]) ^ BECH32M_CONST;
  for (let i = 0; i < 6; i++) data.push((mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${data.map((d) => CHARSET[d]).join('')}`;
}

/** Decodes an address into { key (32 bytes), net }. Throws PetroError bad_address (not an
 *  address: characters, mixed case, length, padding, a bech32 rather than bech32m checksum),
 *  bad_address_checksum (a typo) or wrong_address_prefix (valid, but not a Petro address of
 *  the expected network `net`, when given). */
export function decodeAddress(text, net) {
  if (net !== undefined) checkNet(net);
  const bad = (why) => new PetroError('bad_address', why);
  if (typeof text !== 'string' || text.length < 8 || text.length > 90) throw bad('length');
  if (!/^[\x21-\x7e]+$/.test(text)) throw bad('characters');
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) throw bad('mixed case');
  const lower = text.toLowerCase();
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || sep > 83 || lower.length - sep - 1 < 6) throw bad('no separator');
  const hrp = lower.slice(0, sep);
  const data = [];
  for (const c of lower.slice(sep + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) throw bad(`character ${JSON.stringify(c)}`);
    data.push(v);
  }
  const isPetro = hrp === 'ptr' || hrp === 'tptr';
  if (isPetro && data.length !== KEY_GROUPS + 6) throw bad('truncated or padded');
  const mod = polymod(hrp, data);
  if (mod === 1) throw bad('a bech32 checksum, not bech32m');
  if (mod !== BECH32M_CONST) {
    throw new PetroError('bad_address_checksum', 'address checksum does not match (typo?)');
  }
  if (!isPetro) throw new PetroError('wrong_address_prefix', `not a Petro address (${hrp})`);
  const key = new Uint8Array(32);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < KEY_GROUPS; i++) {
    acc = ((acc << 5) | data[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      key[n++] = (acc >> bits) & 0xff;
    }
  }
  if (bits !== 4 || (acc & 15) !== 0) throw bad('padding bits are not zero');
  const kind = hrp === 'ptr' ? 'main' : 'test';
  if (net !== undefined && kind !== net) {
    throw new PetroError('wrong_address_prefix', `an address of the ${kind} network`);
  }
  return { key, net: kind };
}

/** True when text is an address (of network `net`, when given). */
export function isAddress(text, net) {
  try {
    decodeAddress(text, net);
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ the reader

/** Reads the canonical little-endian encodings; any overrun is `malformed`. */
class Reader {
  constructor(bytes) {
    this.b = bytes;
    this.o = 0;
  }
  need(n) {
    if (this.o + n > this.b.length) throw new PetroError('malformed', 'truncated');
  }
  bytes(n) {
    this.need(n);
    const out = this.b.slice(this.o, this.o + n);
    this.o += n;
    return out;
  }
  u8() {
    this.need(1);
    return this.b[this.o++];
  }
  uint(n) {
    this.need(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.b[this.o + i]);
    this.o += n;
    return v;
  }
  u16() { return Number(this.uint(2)); }
  u32() { return Number(this.uint(4)); }
  u64() { return this.uint(8); }
  i64() { return BigInt.asIntN(64, this.uint(8)); }
  bool() {
    const v = this.u8();
    if (v > 1) throw new PetroError('malformed', 'a bool-like byte other than 0 or 1');
    return v;
  }
  code() {
    const len = this.u8();
    if (len < 1 || len > 12) throw new PetroError('malformed', 'asset code length');
    const s = String.fromCharCode(...this.bytes(len));
    if (!/^[A-Z0-9]+$/.test(s)) throw new PetroError('malformed', 'asset code characters');
    return s;
  }
  asset() {
    const kind = this.u8();
    if (kind === 0) return { code: 'PTR', issuer: null };
    if (kind !== 1) throw new PetroError('malformed', 'unknown asset kind');
    const code = this.code();
    const issuer = this.bytes(32);
    if (code === 'PTR') throw new PetroError('malformed', 'an issued asset coded PTR');
    return { code, issuer };
  }
  text(max) {
    const len = this.u8();
    if (len > max) throw new PetroError('malformed', 'text longer than its field allows');
    const b = this.bytes(len);
    if (b.includes(0)) throw new PetroError('malformed', 'NUL inside a text');
    return String.fromCharCode(...b);
  }
  done() {
    if (this.o !== this.b.length) throw new PetroError('malformed', 'bytes left over');
  }
}

// A u64 as the API shows it: a JSON number, or a decimal string above 2^63 - 1. (Above 2^53
// this gives the exact decimal string instead of a rounded number.)
function u64Json(v) {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** The API's text of an asset: "PTR" or "CODE:ISSUER_ADDRESS". */
export function assetText(asset, net) {
  return asset.issuer === null ? 'PTR' : `${asset.code}:${encodeAddress(asset.issuer, net)}`;
}

/** The primitive encoding of an asset ({code, issuer: bytes|null}). */
export function encodeAsset(asset) {
  if (asset.issuer === null || asset.code === 'PTR') return Uint8Array.of(0);
  return concatBytes(Uint8Array.of(1, asset.code.length), ascii(asset.code), asset.issuer);
}

// ------------------------------------------------------------------ operations

function readValue(r, f) {
  switch (f.kind) {
    case 'pubkey': return r.bytes(32);
    case 'hash': return r.bytes(32);
    case 'sig': return r.bytes(64);
    case 'asset': return r.asset();
    case 'code': return r.code();
    case 'amount': return r.i64();
    case 'u8': return r.u8();
    case 'bool': return r.bool();
    case 'u16': return r.u16();
    case 'u32': return r.u32();
    case 'u64': return r.u64();
    case 'text': return r.text(f.textMax);
    case 'country': return String.fromCharCode(...r.bytes(2));
    default: throw new Error(`field kind ${f.kind} outside the table`);
  }
}

function intJson(f, v) {
  if (f.boolean) return v !== 0;
  if (f.enum) return (f.names && f.names[v]) || 'unknown';
  if (f.flagWord) {
    const o = {};
    for (const [bit, name] of Object.entries(f.names || {})) o[name] = ((v >>> Number(bit)) & 1) === 1;
    return o;
  }
  return v;
}

/** One field value as the API's JSON shows it (docs/api.md, "Operation objects"). */
export function fieldJson(f, v, net) {
  switch (f.kind) {
    case 'pubkey': return encodeAddress(v, net);
    case 'hash':
    case 'sig': return toHex(v);
    case 'asset': return assetText(v, net);
    case 'amount': return formatAmount(v);
    case 'bool': return v === 1;
    case 'u8':
    case 'u16':
    case 'u32': return intJson(f, v);
    case 'u64': return u64Json(v);
    default: return v; // code, text, country
  }
}

function readOp(r, net) {
  const type = r.u8();
  const schema = OPS_BY_TYPE.get(type);
  if (!schema) throw new PetroError('unknown_op', `operation type ${type}`);
  const op = { type: schema.name };
  for (const f of schema.fields) {
    if (!f.listMax) {
      op[f.name] = fieldJson(f, readValue(r, f), net);
      continue;
    }
    const count = r.u8();
    if (count > f.listMax) throw new PetroError('malformed', `${f.name}: more than ${f.listMax}`);
    const values = [];
    for (let i = 0; i < count; i++) values.push(readValue(r, f));
    op[f.name] = f.hex ? toHex(Uint8Array.from(values)) : values.map((v) => fieldJson(f, v, net));
  }
  return op;
}

// ------------------------------------------------------------------ transactions

/**
 * Decodes a signed transaction envelope (docs/protocol.md, "Transaction") from its bytes.
 * net ('main' | 'test') chooses how keys are shown as addresses.
 * Returns the transaction as GET /v1/transactions/{hash} shows it (hash, source, sequence,
 * fee, memo, valid_after_ms, valid_until_ms, operations, signatures), plus version,
 * network_id, source_key, size and `body` (the bytes whose BLAKE2b-256 is the id), and the
 * exact BigInt values under `exact` ({sequence, fee, valid_after_ms, valid_until_ms}).
 * Throws PetroError with the code petro_tx_decode gives: tx_too_large, bad_version, malformed,
 * memo_too_long, no_ops, too_many_ops, unknown_op, too_many_signatures, duplicate_signature,
 * amount_negative (fee), no_signatures.
 */
export function decodeTx(bytes, net) {
  checkNet(net);
  if (bytes.length > TX_SIZE_MAX) throw new PetroError('tx_too_large', `${bytes.length} bytes`);
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== TX_VERSION) throw new PetroError('bad_version', `version ${version}`);
  const networkId = r.bytes(32);
  const source = r.bytes(32);
  const sequence = r.u64();
  const fee = r.i64();
  const validAfter = r.u64();
  const validUntil = r.u64();
  const memoSize = r.u8();
  if (memoSize > MEMO_SIZE_MAX) throw new PetroError('memo_too_long', `${memoSize} bytes`);
  const memo = r.bytes(memoSize);
  const opCount = r.u8();
  if (opCount === 0) throw new PetroError('no_ops');
  if (opCount > TX_OPS_MAX) throw new PetroError('too_many_ops', `${opCount}`);
  const operations = [];
  for (let i = 0; i < opCount; i++) operations.push(readOp(r, net));
  const bodySize = r.o;
  const sigCount = r.u8();
  if (sigCount > TX_SIGS_MAX) throw new PetroError('too_many_signatures', `${sigCount}`);
  const sigs = [];
  for (let i = 0; i < sigCount; i++) sigs.push({ key: r.bytes(32), sig: r.bytes(64) });
  r.done();
  if (fee < 0n) throw new PetroError('amount_negative', 'fee is negative');
  if (fee > SUPPLY_MAX) throw new PetroError('amount_too_large', 'fee above the supply maximum');
  for (let i = 1; i < sigs.length; i++) {
    if (compareBytes(sigs[i - 1].key, sigs[i].key) >= 0) {
      throw new PetroError('duplicate_signature', 'signatures are not in strictly ascending key order');
    }
  }
  if (sigCount === 0) throw new PetroError('no_signatures');
  const body = bytes.slice(0, bodySize);
  const id = hash(body);
  return {
    hash: toHex(id),
    source: encodeAddress(source, net),
    sequence: u64Json(sequence),
    fee: formatAmount(fee),
    memo: toHex(memo),
    valid_after_ms: u64Json(validAfter),
    valid_until_ms: u64Json(validUntil),
    operations,
    signatures: sigs.map((s) => ({ key: encodeAddress(s.key, net), sig: toHex(s.sig) })),
    version,
    network_id: toHex(networkId),
    source_key: toHex(source),
    size: bytes.length,
    body,
    exact: { sequence, fee, valid_after_ms: validAfter, valid_until_ms: validUntil },
    signature_keys: sigs.map((s) => toHex(s.key)),
  };
}

function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The transaction id: BLAKE2b-256 of the body (hex). */
export function txId(envelopeBytes, net = 'test') {
  return decodeTx(envelopeBytes, net).hash;
}

// ------------------------------------------------------------------ signature domains

/** The signature domains (docs/protocol.md, "Signature domains"; include/petro/crypto.h):
 *  every protocol signature is Ed25519 over u8 len(tag) || tag || message. */
export const SIG_DOMAINS = Object.freeze({
  tx: 'petro-tx-v2',
  block: 'petro-block-v2',
  attestation: 'petro-attest-v2',
  checkpoint: 'petro-checkpoint-v2',
  trade_amend: 'petro-trade-amend-v2',
  state_root: 'petro-state-root-v1',
});

/** The bytes signed in a domain: u8 len(tag) || tag || msg. */
export function domainMessage(domain, msg) {
  const tag = SIG_DOMAINS[domain];
  if (tag === undefined) throw new PetroError('malformed', `unknown signature domain ${domain}`);
  const t = new TextEncoder().encode(tag);
  return concatBytes(Uint8Array.of(t.length), t, msg);
}

/** Whether sig is pub's Ed25519 signature of msg in the domain. */
export function verifyIn(domain, sig, msg, pub) {
  return ed25519Verify(sig, domainMessage(domain, msg), pub);
}

/** Whether each signature of a decoded transaction is a valid Ed25519 signature over its id
 *  in the transaction domain (the node also checks the signers' weights against the account's
 *  thresholds). */
export function verifyTxSignatures(tx) {
  const id = fromHex(tx.hash, 32);
  return tx.signatures.map((s, i) => ({
    key: s.key,
    ok: verifyIn('tx', fromHex(s.sig, 64), id, fromHex(tx.signature_keys[i], 32)),
  }));
}

/** The witness leaf of a decoded transaction: BLAKE2b-256(id || u8 sig_count || (key || sig)
 *  per signature), i.e. the id followed by the envelope's bytes after the body. */
export function witnessLeaf(tx) {
  const parts = [fromHex(tx.hash, 32), Uint8Array.of(tx.signatures.length)];
  tx.signatures.forEach((s, i) => {
    parts.push(fromHex(tx.signature_keys[i], 32), fromHex(s.sig, 64));
  });
  return hash(...parts);
}

function ed25519Verify(sig, msg, pub) {
  try {
    return ed25519.verify(sig, msg, pub, { zip215: false });
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ building and signing

// docs/protocol.md, "Transaction": the body, then the signatures. Building walks the same
// operation table as decoding (./ops.js), so every registered operation is built from the
// JSON the API shows for it (docs/api.md "Operation objects"), and decodeTx of the result
// gives that JSON back. Ed25519 signing is deterministic (RFC 8032), so the same inputs give
// the same bytes as `petro ... --dry-run`.

/** The minimum fee of a transaction of n operations: 100 base units each. */
export const FEE_PER_OP = 100n;

const buildError = (what, why) => new PetroError('bad_request', `${what}: ${why}`);

// 32 key bytes from an address (of net), 64 hex digits or bytes.
function keyArg(v, net, what) {
  if (v instanceof Uint8Array && v.length === 32) return v;
  if (typeof v === 'string' && /^[0-9a-fA-F]{64}$/.test(v)) return fromHex(v, 32);
  if (typeof v === 'string') return decodeAddress(v, net).key;
  throw buildError(what, 'not an address, 64 hex digits or 32 bytes');
}

function bytesArg(v, size, what) {
  if (v instanceof Uint8Array && v.length === size) return v;
  try {
    return fromHex(String(v), size);
  } catch {
    throw buildError(what, `not ${size} bytes of hex`);
  }
}

function u64Arg(v, what) {
  let x;
  try {
    x = BigInt(v);
  } catch {
    throw buildError(what, `not an integer: ${JSON.stringify(v)}`);
  }
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw buildError(what, 'not an exact integer');
  if (x < 0n || x > U64_MAX) throw buildError(what, 'outside 0..2^64-1');
  return x;
}

/** An asset from its API text ("PTR", "CODE:ISSUER_ADDRESS") or {code, issuer}. */
export function parseAssetText(text, net) {
  if (text && typeof text === 'object') {
    return text.issuer === null || text.code === 'PTR' ? { code: 'PTR', issuer: null }
      : { code: text.code, issuer: keyArg(text.issuer, net, 'asset issuer') };
  }
  if (text === 'PTR') return { code: 'PTR', issuer: null };
  const m = /^([A-Z0-9]{1,12}):(.+)$/.exec(String(text));
  if (!m || m[1] === 'PTR') throw buildError('asset', `not PTR or CODE:ISSUER: ${JSON.stringify(text)}`);
  return { code: m[1], issuer: keyArg(m[2], net, 'asset issuer') };
}

function intArg(f, v, what) {
  if (f.boolean && typeof v === 'boolean') return v ? 1n : 0n;
  if (f.enum && typeof v === 'string') {
    const hit = Object.entries(f.names || {}).find(([, name]) => name === v);
    if (!hit) throw buildError(what, `not one of ${Object.values(f.names || {}).join(', ')}`);
    return BigInt(hit[0]);
  }
  if (f.flagWord && v && typeof v === 'object') {
    let word = 0n;
    for (const [name, on] of Object.entries(v)) {
      const hit = Object.entries(f.names || {}).find(([, n]) => n === name);
      if (!hit) throw buildError(what, `no flag ${name}`);
      if (on) word |= 1n << BigInt(hit[0]);
    }
    return word;
  }
  return u64Arg(v, what);
}

function checkRange(f, x, what) {
  if ((f.min !== undefined && x < f.min) || (f.max !== undefined && x > f.max)) {
    throw buildError(what, `outside ${f.min ?? 0}..${f.max ?? U64_MAX}`);
  }
  return x;
}

const INT_SIZES = { u8: 1, u16: 2, u32: 4, u64: 8 };

// The encoding of one value of field f (what: for messages).
function encodeValue(f, v, net, what) {
  switch (f.kind) {
    case 'pubkey': return keyArg(v, net, what);
    case 'hash': return bytesArg(v, 32, what);
    case 'sig': return bytesArg(v, 64, what);
    case 'asset': return encodeAsset(parseAssetText(v, net));
    case 'code': {
      if (typeof v !== 'string' || !/^[A-Z0-9]{1,12}$/.test(v)) throw buildError(what, '1..12 of A-Z 0-9');
      return concatBytes(Uint8Array.of(v.length), ascii(v));
    }
    case 'amount': {
      const x = typeof v === 'bigint' ? v : parseAmount(String(v));
      return i64le(checkRange(f, x, what));
    }
    case 'bool': {
      if (v !== true && v !== false && v !== 0 && v !== 1) throw buildError(what, 'not a boolean');
      return Uint8Array.of(v === true || v === 1 ? 1 : 0);
    }
    case 'u8':
    case 'u16':
    case 'u32':
    case 'u64': return leBytes(checkRange(f, intArg(f, v, what), what), INT_SIZES[f.kind], false);
    case 'text': {
      if (typeof v !== 'string' || !/^[\x20-\x7e]*$/.test(v)) throw buildError(what, 'not printable ASCII');
      if (v.length < (f.textMin || 0) || v.length > f.textMax) {
        throw buildError(what, `${v.length} bytes, not ${f.textMin || 0}..${f.textMax}`);
      }
      return concatBytes(Uint8Array.of(v.length), ascii(v));
    }
    case 'country': {
      if (typeof v !== 'string' || !/^[A-Z]{2}$/.test(v)) throw buildError(what, 'not two capital letters');
      return ascii(v);
    }
    default: throw new Error(`field kind ${f.kind} outside the table`);
  }
}

// The value an omitted optional field takes ("may be left zero when building").
function zeroOf(f) {
  if (f.listMax) return [];
  if (f.kind === 'text') return '';
  if (f.kind === 'amount') return 0n;
  return 0;
}

/** The bytes of one operation (its u8 type, then its fields in order) from the API's JSON of
 *  it ({type: 'payment', destination, asset, amount}; docs/api.md "Operation objects"); an
 *  optional field left out is zero. net ('main' | 'test') is that of its addresses.
 *  Throws PetroError unknown_op, or bad_request naming the field. */
export function encodeOp(op, net) {
  checkNet(net);
  const schema = op && OPS_BY_NAME.get(op.type);
  if (!schema) throw new PetroError('unknown_op', `operation ${JSON.stringify(op && op.type)}`);
  const parts = [Uint8Array.of(schema.type)];
  for (const f of schema.fields) {
    const what = `${schema.name}.${f.name}`;
    let v = op[f.name];
    if (v === undefined || v === null) {
      if (!f.optional) throw buildError(what, 'missing');
      v = zeroOf(f);
    }
    if (!f.listMax) {
      parts.push(encodeValue(f, v, net, what));
      continue;
    }
    const values = f.hex ? Array.from(typeof v === 'string' ? fromHex(v) : v) : v;
    if (!Array.isArray(values) || values.length < (f.listMin || 0) || values.length > f.listMax) {
      throw buildError(what, `a list of ${f.listMin || 0}..${f.listMax} values`);
    }
    parts.push(Uint8Array.of(values.length));
    values.forEach((x, i) => parts.push(encodeValue(f, x, net, `${what}[${i}]`)));
  }
  return concatBytes(...parts);
}

/**
 * The body of a transaction (the bytes its id hashes) from the JSON the API shows for one
 * (GET /v1/transactions/{hash}; what decodeTx returns): network_id (hex, from GET
 * /v1/status), source (address or hex key), sequence (the account's next_sequence), fee
 * (decimal PTR; default 0.000001 per operation), memo (hex; or memo_text, ASCII, as the CLI's
 * --memo), valid_after_ms and valid_until_ms (0, the default, is no bound) and operations.
 * Throws PetroError (bad_request naming the field, unknown_op, no_ops, too_many_ops,
 * memo_too_long).
 */
export function encodeTxBody(tx, net) {
  checkNet(net);
  const ops = tx.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw new PetroError('no_ops');
  if (ops.length > TX_OPS_MAX) throw new PetroError('too_many_ops', `${ops.length}`);
  const memo = tx.memo_text !== undefined ? ascii(String(tx.memo_text))
    : tx.memo instanceof Uint8Array ? tx.memo : fromHex(tx.memo || '');
  if (memo.length > MEMO_SIZE_MAX) throw new PetroError('memo_too_long', `${memo.length} bytes`);
  const fee = tx.fee === undefined ? FEE_PER_OP * BigInt(ops.length)
    : typeof tx.fee === 'bigint' ? tx.fee : parseAmount(String(tx.fee));
  if (tx.sequence === undefined) throw buildError('sequence', 'missing');
  return concatBytes(Uint8Array.of(TX_VERSION), bytesArg(tx.network_id, 32, 'network_id'),
    keyArg(tx.source, net, 'source'), u64le(u64Arg(tx.sequence, 'sequence')), i64le(fee),
    u64le(u64Arg(tx.valid_after_ms ?? 0, 'valid_after_ms')),
    u64le(u64Arg(tx.valid_until_ms ?? 0, 'valid_until_ms')),
    Uint8Array.of(memo.length), memo, Uint8Array.of(ops.length),
    ...ops.map((op) => encodeOp(op, net)));
}

/** An Ed25519 key pair from a 32-byte seed (bytes or hex): { seed, publicKey, address(net) }.
 *  The seed is the secret: keep it as you would a wallet file. */
export function keyPair(seed) {
  const s = bytesArg(seed, 32, 'seed');
  const publicKey = ed25519.getPublicKey(s);
  return { seed: s, publicKey, address: (net) => encodeAddress(publicKey, net) };
}

/** A fresh random seed (crypto.getRandomValues), for keyPair. */
export function randomSeed() {
  return globalThis.crypto.getRandomValues(new Uint8Array(32));
}

/** The key pair of a devnet wallet file (docs/protocol.md "Wallet files", devnet form: the
 *  seed in clear; text or object). The encrypted form is not read here (PetroError
 *  not_supported): use the CLI, or keep the seed in your own key store. */
export function devnetWalletKey(wallet) {
  const w = typeof wallet === 'string' ? JSON.parse(wallet) : wallet;
  if (!w || w.petro_wallet !== 1 || typeof w.public_key !== 'string') {
    throw new PetroError('bad_request', 'not a Petro wallet file');
  }
  if (w.devnet_only !== true || typeof w.seed !== 'string') {
    throw new PetroError('not_supported', 'an encrypted wallet: open it with the CLI');
  }
  const k = keyPair(w.seed);
  if (toHex(k.publicKey) !== w.public_key.toLowerCase()) {
    throw new PetroError('corrupt', 'the seed is not that of public_key');
  }
  return k;
}

/** Ed25519 signature of seed's key over msg in the signature domain (u8 len || tag || msg). */
export function signIn(domain, msg, seed) {
  return ed25519.sign(domainMessage(domain, msg), bytesArg(seed, 32, 'seed'));
}

/** The envelope: body, then one signature per key (seeds, or keyPair results) over the id in
 *  the transaction domain, sorted by public key. Throws PetroError duplicate_signature (a key
 *  twice), no_signatures, too_many_signatures. */
export function signTxBody(body, keys) {
  if (!Array.isArray(keys) || keys.length === 0) throw new PetroError('no_signatures');
  if (keys.length > TX_SIGS_MAX) throw new PetroError('too_many_signatures', `${keys.length}`);
  const id = hash(body);
  const sigs = keys.map((k) => keyPair(k && k.seed ? k.seed : k))
    .map((k) => ({ key: k.publicKey, sig: signIn('tx', id, k.seed) }))
    .sort((a, b) => compareBytes(a.key, b.key));
  for (let i = 1; i < sigs.length; i++) {
    if (compareBytes(sigs[i - 1].key, sigs[i].key) === 0) throw new PetroError('duplicate_signature');
  }
  const envelope = concatBytes(body, Uint8Array.of(sigs.length), ...sigs.flatMap((s) => [s.key, s.sig]));
  if (envelope.length > TX_SIZE_MAX) throw new PetroError('tx_too_large', `${envelope.length} bytes`);
  return envelope;
}

/**
 * Builds and signs a transaction (encodeTxBody, then signTxBody): tx as encodeTxBody takes
 * it, keys the signers' seeds (or keyPair results). Returns { hash, envelope (bytes), hex
 * (what POST /v1/transactions takes, as `petro ... --dry-run` prints it), body }.
 */
export function buildTransaction(tx, { keys, net }) {
  const body = encodeTxBody(tx, net);
  const envelope = signTxBody(body, keys);
  return { hash: toHex(hash(body)), envelope, hex: toHex(envelope), body };
}

// ------------------------------------------------------------------ blocks

/** The Merkle root of 32-byte leaves (docs/protocol.md, "Merkle trees"): leaf node =
 *  H(0x00 || leaf), inner = H(0x01 || left || right), an odd last node carried up. */
export function merkleRoot(leaves) {
  if (leaves.length === 0) return new Uint8Array(32);
  let level = leaves.map((l) => hash(Uint8Array.of(0), l));
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? hash(Uint8Array.of(1), level[i], level[i + 1]) : level[i]);
    }
    level = next;
  }
  return level[0];
}

/** Decodes a 277-byte block header; adds its hash (of the first 213 bytes). Shown as
 *  GET /v1/blocks/{h} shows it. */
export function decodeBlockHeader(bytes, net) {
  checkNet(net);
  if (bytes.length !== BLOCK_HEADER_SIZE) throw new PetroError('malformed', 'header size');
  const r = new Reader(bytes);
  const version = r.u8();
  const height = r.u64();
  const prev = r.bytes(32);
  const ts = r.u64();
  const txRoot = r.bytes(32);
  const witnessRoot = r.bytes(32);
  const resultRoot = r.bytes(32);
  const stateHash = r.bytes(32);
  const proposer = r.bytes(32);
  const txCount = r.u32();
  const signature = r.bytes(64);
  if (version !== BLOCK_VERSION) throw new PetroError('bad_version', `block version ${version}`);
  if (txCount > BLOCK_TX_COUNT_MAX) throw new PetroError('block_too_large', `${txCount} transactions`);
  return {
    height: u64Json(height),
    hash: toHex(hash(bytes.slice(0, BLOCK_HASHED_SIZE))),
    prev_hash: toHex(prev),
    timestamp_ms: u64Json(ts),
    version,
    tx_root: toHex(txRoot),
    witness_root: toHex(witnessRoot),
    result_root: toHex(resultRoot),
    state_hash: toHex(stateHash),
    proposer: encodeAddress(proposer, net),
    tx_count: txCount,
    signature: toHex(signature),
    proposer_key: toHex(proposer),
  };
}

/** Whether a decoded header carries its proposer's signature over network id || block hash
 *  (networkId: 64 hex digits, as GET /v1/status shows it). Genesis (height 0) carries none:
 *  true iff its proposer and signature are zero. */
export function verifyBlockSignature(header, networkId) {
  const sig = fromHex(header.signature, 64);
  const pub = fromHex(header.proposer_key, 32);
  if (header.height === '0' || header.height === 0) {
    return sig.every((b) => b === 0) && pub.every((b) => b === 0);
  }
  return verifyIn('block', sig, concatBytes(fromHex(networkId, 32), fromHex(header.hash, 32)), pub);
}

/**
 * Decodes an encoded block: the header, then per transaction `u32 size` + envelope.
 * Returns the header fields (as decodeBlockHeader), `transactions` (their ids, as the API
 * lists them), `txs` (each decoded with decodeTx), `tx_root_ok` (the header's tx_root is
 * the Merkle root of the ids) and `witness_root_ok` (its witness_root is the Merkle root of
 * the witness leaves). The result root needs the results, which blocks do not carry; the
 * proposer's signature needs the network id (verifyBlockSignature).
 */
export function decodeBlock(bytes, net) {
  if (bytes.length < BLOCK_HEADER_SIZE) throw new PetroError('malformed', 'shorter than a header');
  const header = decodeBlockHeader(bytes.slice(0, BLOCK_HEADER_SIZE), net);
  const r = new Reader(bytes);
  r.o = BLOCK_HEADER_SIZE;
  const txs = [];
  for (let i = 0; i < header.tx_count; i++) {
    const size = r.u32();
    if (size === 0 || size > TX_SIZE_MAX) throw new PetroError('malformed', `transaction size ${size}`);
    txs.push(decodeTx(r.bytes(size), net));
  }
  r.done();
  const root = merkleRoot(txs.map((t) => fromHex(t.hash, 32)));
  const witness = merkleRoot(txs.map((t) => witnessLeaf(t)));
  return {
    ...header,
    transactions: txs.map((t) => t.hash),
    txs,
    tx_root_ok: toHex(root) === header.tx_root,
    witness_root_ok: toHex(witness) === header.witness_root,
  };
}

/** Splits the body of GET /v1/blocks?from=H (repeated u32 size + encoded block) into blocks. */
export function splitBlocks(bytes) {
  const r = new Reader(bytes);
  const out = [];
  while (r.o < bytes.length) out.push(r.bytes(r.u32()));
  return out;
}

// ------------------------------------------------------------------ proof of reserves

// The Merkle sum tree (docs/protocol.md, "Proof of reserves"): the holders' balance leaves,
// then the lock leaves (units a family set aside, e.g. trade escrow), so the root's sum is the
// whole supply. v2 domains: a v1 node or proof never passes for a v2 one.
const por = {
  empty: () => ({ hash: hash('petro-por-empty-v2'), sum: 0n }),
  leaf: (salt, account, balance) =>
    ({ hash: hash('petro-por-leaf-v2', salt, account, i64le(balance)), sum: balance }),
  lock: (salt, family, id, owner, amount) => ({
    hash: hash('petro-por-lock-v2', salt, Uint8Array.of(family.length), family, u64le(id), owner,
      i64le(amount)),
    sum: amount,
  }),
};
const inSupply = (v) => v >= 0n && v <= SUPPLY_MAX;
/** Longest family name of a lock leaf, in bytes. */
export const LOCK_FAMILY_SIZE_MAX = 16;
const isFamily = (f) => typeof f === 'string' && /^[\x21-\x7e]{1,16}$/.test(f);

/** The parent of two Merkle-sum nodes, or null when a sum leaves 0..supply max. */
export function porParent(left, right) {
  if (!inSupply(left.sum) || !inSupply(right.sum) || !inSupply(left.sum + right.sum)) return null;
  return {
    hash: hash('petro-por-node-v2', left.hash, i64le(left.sum), right.hash, i64le(right.sum)),
    sum: left.sum + right.sum,
  };
}
export const porLeaf = por.leaf;
/** The node of a lock leaf: family (1..16 printable ASCII), id (BigInt u64), owner key, amount. */
export function porLockLeaf(salt, family, id, owner, amount) {
  if (!isFamily(family)) throw new PetroError('malformed', `lock family ${JSON.stringify(family)}`);
  return por.lock(salt, family, id, owner, amount);
}
export const porEmpty = por.empty;

/** salt = BLAKE2b-256("petro-por-salt-v1" || block_hash || asset encoding). */
export function proofSalt(blockHash, asset) {
  return hash('petro-por-salt-v1', blockHash, encodeAsset(asset));
}

/** The checkpoint message (parsed as by parseProof). The validator signs it in the checkpoint
 *  domain: Ed25519 over u8 len || "petro-checkpoint-v2" || message (verifyIn('checkpoint')). */
export function checkpointMessage(c) {
  return concatBytes(c.networkId, u64le(c.height), c.blockHash, u64le(c.timestampMs),
    encodeAsset(c.asset), c.root, i64le(c.total), u64le(c.leafCount), u64le(c.lockCount),
    i64le(c.attested), i64le(c.cap), c.validator);
}

// 32 bytes from an address or 64 hex digits; null for anything else.
function keyOf(text) {
  if (isAddress(text)) return decodeAddress(text).key;
  try {
    return fromHex(text, 32);
  } catch {
    return null;
  }
}

function depthFor(leafCount) {
  let d = 0;
  while ((1n << BigInt(d)) < leafCount) d++;
  return d;
}

function jsonU64(v, what) {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^[0-9]+$/.test(v) && BigInt(v) <= U64_MAX) return BigInt(v);
  throw new PetroError('malformed', `${what} is not a u64`);
}

function jsonHex(o, k, size, where) {
  try {
    return fromHex(o[k], size);
  } catch {
    throw new PetroError('malformed', `${where}${k} is not ${size} bytes of hex`);
  }
}

function jsonAmount(o, k, where) {
  try {
    return parseAmount(o[k], { allowNegative: true });
  } catch (e) {
    throw new PetroError('malformed', `${where}${k}: ${e.message}`);
  }
}

function jsonPath(path, where) {
  if (!Array.isArray(path) || path.length > PROOF_DEPTH_MAX) {
    throw new PetroError('malformed', `${where}path is not a list of at most 40 nodes`);
  }
  return path.map((n, i) => ({ hash: jsonHex(n || {}, 'hash', 32, `${where}path[${i}].`),
    sum: jsonAmount(n || {}, 'sum', `${where}path[${i}].`) }));
}

/** A signed checkpoint as JSON (a proof file's `checkpoint`, `latest_checkpoint` of
 *  GET /v1/reserves) into bytes and BigInts. Throws PetroError malformed naming the field. */
export function parseCheckpoint(c) {
  if (!c || typeof c !== 'object') throw new PetroError('malformed', 'checkpoint missing');
  let asset;
  if (c.asset === 'PTR' && c.asset_issuer_key === null) {
    asset = { code: 'PTR', issuer: null };
  } else if (typeof c.asset === 'string' && /^[A-Z0-9]{1,12}$/.test(c.asset) && c.asset !== 'PTR' &&
             typeof c.asset_issuer_key === 'string') {
    asset = { code: c.asset, issuer: jsonHex(c, 'asset_issuer_key', 32, 'checkpoint.') };
  } else {
    throw new PetroError('malformed', 'checkpoint.asset');
  }
  return {
    networkId: jsonHex(c, 'network_id', 32, 'checkpoint.'),
    height: jsonU64(c.height, 'checkpoint.height'),
    blockHash: jsonHex(c, 'block_hash', 32, 'checkpoint.'),
    timestampMs: jsonU64(c.timestamp_ms, 'checkpoint.timestamp_ms'),
    asset,
    root: jsonHex(c, 'root', 32, 'checkpoint.'),
    total: jsonAmount(c, 'total', 'checkpoint.'),
    leafCount: jsonU64(c.leaf_count, 'checkpoint.leaf_count'),
    lockCount: jsonU64(c.lock_count, 'checkpoint.lock_count'),
    attested: jsonAmount(c, 'attested', 'checkpoint.'),
    cap: jsonAmount(c, 'cap', 'checkpoint.'),
    validator: jsonHex(c, 'validator_key', 32, 'checkpoint.'),
    signature: jsonHex(c, 'signature', 64, 'checkpoint.'),
  };
}

/** Whether the validator named in a checkpoint (JSON or parsed) signed it: Ed25519 in the
 *  checkpoint domain over checkpointMessage. Says nothing about whether to trust that key. */
export function verifyCheckpoint(c) {
  const p = c && c.validator instanceof Uint8Array ? c : parseCheckpoint(c);
  return verifyIn('checkpoint', p.signature, checkpointMessage(p), p.validator);
}

/**
 * Parses a proof file (the JSON of GET /v1/reserves/proof/{address} or `petro proof --out`,
 * as text or an object) into bytes and BigInts: the shared account, salt and checkpoint, the
 * balance leaf (`balance` null when the account held no line) and the lock leaves (`locks`).
 * Throws PetroError malformed naming the field.
 */
export function parseProof(input) {
  let j = input;
  if (typeof input === 'string') {
    try {
      j = JSON.parse(input);
    } catch {
      throw new PetroError('malformed', 'not JSON');
    }
  }
  if (!j || typeof j !== 'object') throw new PetroError('malformed', 'not a JSON object');
  if (j.format !== PROOF_FORMAT) throw new PetroError('malformed', `format is not ${PROOF_FORMAT}`);
  const checkpoint = parseCheckpoint(j.checkpoint);
  const account = jsonHex(j, 'account_key', 32, '');
  if (j.account !== undefined) {
    let named;
    try {
      named = decodeAddress(j.account).key;
    } catch (e) {
      throw new PetroError('malformed', `account: ${e.message}`);
    }
    if (!bytesEqual(named, account)) throw new PetroError('malformed', 'account is not account_key');
  }
  let balance = null;
  if (j.balance !== null) {
    balance = { amount: jsonAmount(j, 'balance', ''), index: jsonU64(j.index, 'index'),
      path: jsonPath(j.path, '') };
  } else if (j.index !== null || j.path !== null) {
    throw new PetroError('malformed', 'index and path must be null without a balance');
  }
  if (!Array.isArray(j.locks) || j.locks.length > PROOF_LOCKS_MAX) {
    throw new PetroError('malformed', `locks is not a list of at most ${PROOF_LOCKS_MAX}`);
  }
  const locks = j.locks.map((l, i) => {
    const where = `locks[${i}].`;
    if (!l || typeof l !== 'object' || !isFamily(l.family)) {
      throw new PetroError('malformed', `${where}family`);
    }
    return { family: l.family, id: jsonU64(l.id, `${where}id`),
      amount: jsonAmount(l, 'amount', where), index: jsonU64(l.index, `${where}index`),
      path: jsonPath(l.path, where) };
  });
  if (balance === null && locks.length === 0) {
    throw new PetroError('malformed', 'neither a balance nor a lock');
  }
  return {
    account,
    salt: jsonHex(j, 'salt', 32, ''),
    balance,
    locks,
    checkpoint,
  };
}

/** The checks of a proof, in the order docs/protocol.md lists them. */
export const PROOF_CHECKS = Object.freeze([
  ['shape', 'each leaf\'s index is in its kind\'s range and its path length fits the leaf count'],
  ['salt', 'the salt is the one derived from the checkpoint\'s block hash and asset'],
  ['sums', 'each leaf\'s amount and sibling sums are in range and add up to the checkpoint total'],
  ['root', 'the path from each leaf hashes to the checkpoint root'],
  ['signature', 'the validator\'s Ed25519 signature over the checkpoint verifies'],
  ['reserves', 'the checkpoint total is within what the attested reserves cover (total <= cap)'],
]);

// The shape, sums and root checks of one leaf (node: its leaf node; lock: whether it is one).
function verifyLeaf(c, leaf, node, isLock) {
  const firstLock = c.leafCount - c.lockCount;
  const inRange = c.lockCount <= c.leafCount && leaf.index < c.leafCount &&
    (isLock ? leaf.index >= firstLock && leaf.amount > 0n : leaf.index < firstLock);
  const shape = c.leafCount >= 1n && inRange && leaf.path.length === depthFor(c.leafCount);
  let sum = leaf.amount;
  let sumsOk = inSupply(leaf.amount) && inSupply(c.total);
  for (const n of leaf.path) {
    if (!sumsOk) break;
    if (!inSupply(n.sum)) sumsOk = false;
    sum += n.sum;
    if (!inSupply(sum)) sumsOk = false;
  }
  let rootOk = sumsOk;
  let pos = leaf.index;
  for (const sib of leaf.path) {
    if (!rootOk) break;
    node = (pos & 1n) === 0n ? porParent(node, sib) : porParent(sib, node);
    if (node === null) rootOk = false;
    pos >>= 1n;
  }
  return { shape, sums: sumsOk && sum === c.total, root: rootOk && bytesEqual(node.hash, c.root) };
}

/**
 * Verifies a proof of reserves (docs/protocol.md, "Proof of reserves") the way
 * `petro verify-proof` does: the balance leaf and every lock leaf, each check reported on its
 * own (failed if it fails for any leaf; `leaves` says which).
 * input: the proof JSON (text or object). options.validators: hex keys or addresses of the
 * validators you trust; given, a "validator" check is added (the signer must be one of them).
 * options.networkId: hex; given, a "network" check is added.
 * Returns { valid, checks: [{ name, ok, message }], leaves?, error?, proof?, summary? }. A proof
 * that does not parse gives valid false, one failed "format" check, and `error`.
 */
export function verifyProof(input, options = {}) {
  let p;
  try {
    p = parseProof(input);
  } catch (e) {
    if (!(e instanceof PetroError)) throw e;
    return { valid: false, error: e.message,
      checks: [{ name: 'format', ok: false, message: `the proof does not parse: ${e.message}` }] };
  }
  const c = p.checkpoint;
  const leaves = [];
  if (p.balance !== null) {
    const r = verifyLeaf(c, p.balance, por.leaf(p.salt, p.account, p.balance.amount), false);
    leaves.push({ leaf: 'balance', amount: formatAmount(p.balance.amount),
      index: u64Json(p.balance.index), ...r });
  }
  for (const l of p.locks) {
    const r = verifyLeaf(c, l, por.lock(p.salt, l.family, l.id, p.account, l.amount), true);
    leaves.push({ leaf: 'lock', family: l.family, id: u64Json(l.id),
      amount: formatAmount(l.amount), index: u64Json(l.index), ...r });
  }
  const ok = {
    shape: leaves.every((x) => x.shape),
    salt: bytesEqual(proofSalt(c.blockHash, c.asset), p.salt),
    sums: leaves.every((x) => x.sums),
    root: leaves.every((x) => x.root),
    signature: verifyIn('checkpoint', c.signature, checkpointMessage(c), c.validator),
    reserves: c.total <= c.cap,
  };
  const checks = PROOF_CHECKS.map(([name, message]) => ({ name, ok: ok[name], message }));
  if (options.validators) {
    // Keys that are neither an address nor 32 bytes of hex trust nobody (a typo fails the check).
    const trusted = options.validators.map((v) => keyOf(String(v).trim())).filter((k) => k !== null);
    checks.push({ name: 'validator', ok: trusted.some((k) => bytesEqual(k, c.validator)),
      message: trusted.length > 0 ? 'the checkpoint is signed by a validator you trust'
        : 'the checkpoint is signed by a validator you trust (no valid key was given)' });
  }
  if (options.networkId) {
    const want = keyOf(String(options.networkId).trim());
    checks.push({ name: 'network', ok: want !== null && bytesEqual(want, c.networkId),
      message: 'the checkpoint is of the expected network' });
  }
  const locked = p.locks.reduce((a, l) => a + l.amount, 0n);
  return {
    valid: checks.every((x) => x.ok),
    checks,
    leaves: leaves.map(({ shape, sums, root, ...rest }) =>
      ({ ...rest, valid: shape && sums && root && ok.salt })),
    proof: p,
    summary: {
      account_key: toHex(p.account),
      balance: p.balance !== null ? formatAmount(p.balance.amount) : null,
      locked: formatAmount(locked),
      locks: p.locks.length,
      height: u64Json(c.height),
      total: formatAmount(c.total),
      cap: formatAmount(c.cap),
      attested: formatAmount(c.attested),
      leaf_count: u64Json(c.leafCount),
      holders: u64Json(c.lockCount <= c.leafCount ? c.leafCount - c.lockCount : 0n),
      lock_count: u64Json(c.lockCount),
      validator_key: toHex(c.validator),
    },
  };
}

// ------------------------------------------------------------------ state commitment

// docs/protocol.md, "State commitment": a Merkle root over every state record (the block
// tree rule of merkleRoot), signed by the validator; one record's proof is checked offline.
export const STATE_PROOF_FORMAT = 'petro-state-proof-v1';
export const STATE_PATH_MAX = 64;
export const STATE_KEY_SIZE_MAX = 128;
export const STATE_VALUE_SIZE_MAX = 1024;
const u16le = (v) => leBytes(v, 2, false);

/** A record's leaf: BLAKE2b-256("petro-state-leaf-v1" || u16 key_size || key ||
 *  u32 value_size || value). */
export function stateLeaf(key, value) {
  return hash('petro-state-leaf-v1', u16le(key.length), key, u32le(value.length), value);
}

/** The sides of the siblings on the path of record index among count (BigInts or numbers),
 *  bottom-up: 'left' when the sibling is the left child; a carried-up odd last node has no
 *  step. null unless 1 <= count and index < count. */
export function statePathShape(index, count) {
  let p = BigInt(index);
  let n = BigInt(count);
  if (n < 1n || p < 0n || p >= n) return null;
  const sides = [];
  while (n > 1n) {
    if ((p & 1n) === 1n) sides.push('left');
    else if (p + 1n < n) sides.push('right');
    p >>= 1n;
    n = (n >> 1n) + (n & 1n);
  }
  return sides;
}

/** The 176 bytes the validator signs in the state-root domain (parsed as by
 *  parseStateProof): network_id || u64 height || block_hash || state_hash || root ||
 *  u64 record_count || validator. */
export function stateRootMessage(sr) {
  return concatBytes(sr.networkId, u64le(sr.height), sr.blockHash, sr.stateHash, sr.root,
    u64le(sr.recordCount), sr.validator);
}

/** A signed state root as JSON (GET /v1/state-root, a proof's `state_root`) into bytes and
 *  BigInts. Throws PetroError malformed naming the field. */
export function parseStateRoot(o) {
  if (!o || typeof o !== 'object') throw new PetroError('malformed', 'state_root missing');
  return {
    networkId: jsonHex(o, 'network_id', 32, 'state_root.'),
    height: jsonU64(o.height, 'state_root.height'),
    blockHash: jsonHex(o, 'block_hash', 32, 'state_root.'),
    stateHash: jsonHex(o, 'state_hash', 32, 'state_root.'),
    root: jsonHex(o, 'root', 32, 'state_root.'),
    recordCount: jsonU64(o.record_count, 'state_root.record_count'),
    validator: jsonHex(o, 'validator_key', 32, 'state_root.'),
    signature: jsonHex(o, 'signature', 64, 'state_root.'),
  };
}

// Hex of 0..max bytes (an empty string is no bytes).
function jsonHexVar(o, k, max) {
  const v = o[k];
  if (typeof v !== 'string' || v.length % 2 !== 0 || v.length / 2 > max) {
    throw new PetroError('malformed', `${k} is not hex of at most ${max} bytes`);
  }
  try {
    return v.length === 0 ? new Uint8Array(0) : fromHex(v, v.length / 2);
  } catch {
    throw new PetroError('malformed', `${k} is not hex of at most ${max} bytes`);
  }
}

/** One state proof (format petro-state-proof-v1, docs/api.md "State proofs") into bytes and
 *  BigInts: { key, value, leaf, index, path: [{ side, hash }], stateRoot }. Syntax only
 *  (verifyStateProof checks the meaning). Throws PetroError malformed naming the field. */
export function parseStateProof(j) {
  if (!j || typeof j !== 'object') throw new PetroError('malformed', 'not a JSON object');
  if (j.format !== STATE_PROOF_FORMAT) {
    throw new PetroError('malformed', `format is not ${STATE_PROOF_FORMAT}`);
  }
  if (!Array.isArray(j.path) || j.path.length > STATE_PATH_MAX) {
    throw new PetroError('malformed', `path is not a list of at most ${STATE_PATH_MAX} steps`);
  }
  const path = j.path.map((s, i) => {
    if (!s || (s.side !== 'left' && s.side !== 'right')) {
      throw new PetroError('malformed', `path[${i}].side is not "left" or "right"`);
    }
    return { side: s.side, hash: jsonHex(s, 'hash', 32, `path[${i}].`) };
  });
  return {
    key: jsonHexVar(j, 'key', STATE_KEY_SIZE_MAX),
    value: jsonHexVar(j, 'value', STATE_VALUE_SIZE_MAX),
    leaf: jsonHex(j, 'leaf', 32, ''),
    index: jsonU64(j.index, 'index'),
    path,
    stateRoot: parseStateRoot(j.state_root),
  };
}

/** The checks of a state proof, in the order docs/protocol.md lists them (the names of
 *  petro_state_check_name). */
export const STATE_PROOF_CHECKS = Object.freeze([
  ['shape', 'the key, index, record count and path sides fit together'],
  ['leaf', 'the leaf is the hash of the key and value'],
  ['root', 'the leaf and path give the signed state root'],
  ['signature', 'the validator\'s Ed25519 signature over the state root verifies'],
]);

// What a record is, when its key says (docs/protocol.md "State"): the account record
// ('A' key), the PTR balance ('T' key 00) or another trust line ('T' key asset), with the
// balance (the value's first i64).
function describeRecord(key, value) {
  if (key.length === 33 && key[0] === 0x41) return { record: 'account', account_key: toHex(key.slice(1)) };
  if (key.length < 34 || key[0] !== 0x54) return { record: 'state record' };
  const out = { record: key.length === 34 && key[33] === 0 ? 'PTR balance' : 'trust line',
    account_key: toHex(key.slice(1, 33)) };
  if (value.length < 8) return out;
  let b = 0n;
  for (let i = 7; i >= 0; i--) b = (b << 8n) | BigInt(value[i]);
  if (b >= 1n << 63n) b -= 1n << 64n;
  return { ...out, balance: formatAmount(b) };
}

// The four checks of one parsed proof.
function stateChecks(p) {
  const sr = p.stateRoot;
  const sides = statePathShape(p.index, sr.recordCount);
  const shape = p.key.length >= 1 && p.key[0] !== 0x4d && sides !== null &&
    sides.length === p.path.length && sides.every((s, i) => s === p.path[i].side);
  let node = hash(Uint8Array.of(0), p.leaf);
  for (const s of p.path) {
    node = s.side === 'left' ? hash(Uint8Array.of(1), s.hash, node) : hash(Uint8Array.of(1), node, s.hash);
  }
  return {
    shape,
    leaf: bytesEqual(stateLeaf(p.key, p.value), p.leaf),
    root: bytesEqual(node, sr.root),
    signature: verifyIn('state_root', sr.signature, stateRootMessage(sr), sr.validator),
  };
}

/**
 * Verifies state proofs (docs/protocol.md, "State commitment") the way
 * `petro verify-state-proof` does. input: one proof (format petro-state-proof-v1) or the
 * answer of GET /v1/accounts/{address}/proof (its `proofs`), as text or an object. Each check
 * is reported on its own and fails if it fails for any proof (`proofs` says which):
 * shape, leaf, root, signature; with options.validators (hex keys or addresses of validators
 * you trust) also "validator"; with options.networkId (hex) also "network".
 * Returns { valid, checks: [{ name, ok, message }], proofs: [{ key, record, index, height,
 * record_count, root, validator_key, valid, failed }], error? }. Input that does not parse
 * fails "shape" alone, as `petro verify-state-proof` reports a malformed proof, with `error`.
 */
export function verifyStateProof(input, options = {}) {
  let parsed;
  try {
    let j = input;
    if (typeof input === 'string') {
      try {
        j = JSON.parse(input);
      } catch {
        throw new PetroError('malformed', 'not JSON');
      }
    }
    const list = j && typeof j === 'object' && Array.isArray(j.proofs) ? j.proofs : [j];
    if (list.length === 0) throw new PetroError('malformed', 'no proofs');
    parsed = list.map(parseStateProof);
  } catch (e) {
    if (!(e instanceof PetroError)) throw e;
    return { valid: false, error: e.message, proofs: [],
      checks: [{ name: 'shape', ok: false, message: `the proof does not parse: ${e.message}` }] };
  }
  const trusted = options.validators
    ? options.validators.map((v) => keyOf(String(v).trim())).filter((k) => k !== null) : null;
  const network = options.networkId ? keyOf(String(options.networkId).trim()) : undefined;
  const proofs = parsed.map((p) => {
    const ok = stateChecks(p);
    if (trusted) ok.validator = trusted.some((k) => bytesEqual(k, p.stateRoot.validator));
    if (options.networkId) ok.network = network !== null && bytesEqual(network, p.stateRoot.networkId);
    const failed = Object.keys(ok).filter((k) => !ok[k]);
    return { key: toHex(p.key), ...describeRecord(p.key, p.value), index: u64Json(p.index),
      height: u64Json(p.stateRoot.height), record_count: u64Json(p.stateRoot.recordCount),
      root: toHex(p.stateRoot.root), validator_key: toHex(p.stateRoot.validator),
      valid: failed.length === 0, failed, ok };
  });
  const checks = STATE_PROOF_CHECKS.map(([name, message]) =>
    ({ name, ok: proofs.every((x) => x.ok[name]), message }));
  if (trusted) {
    checks.push({ name: 'validator', ok: proofs.every((x) => x.ok.validator),
      message: trusted.length > 0 ? 'the state root is signed by a validator you trust'
        : 'the state root is signed by a validator you trust (no valid key was given)' });
  }
  if (options.networkId) {
    checks.push({ name: 'network', ok: proofs.every((x) => x.ok.network),
      message: 'the state root is of the expected network' });
  }
  return { valid: checks.every((x) => x.ok), checks, proofs: proofs.map(({ ok, ...rest }) => rest) };
}

// ------------------------------------------------------------------ the HTTP client

/** A small client of the node's JSON API (docs/api.md). baseUrl '' means the page's origin. */
export class PetroClient {
  constructor(baseUrl = '', { fetch: f } = {}) {
    this.base = baseUrl.replace(/\/$/, '');
    this.fetch = f || globalThis.fetch.bind(globalThis);
  }

  async get(path) {
    const res = await this.fetch(this.base + path, { headers: { Accept: 'application/json' } });
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new PetroError('bad_request', `${path}: answer is not JSON (${res.status})`);
    }
    if (!res.ok) {
      const e = new PetroError(body.error || 'unknown', body.message || `HTTP ${res.status}`);
      e.status = res.status;
      throw e;
    }
    return body;
  }

  status() { return this.get('/v1/status'); }
  account(address) { return this.get(`/v1/accounts/${encodeURIComponent(address)}`); }
  accountTransactions(address, { limit, cursor } = {}) {
    const q = new URLSearchParams();
    if (limit) q.set('limit', String(limit));
    if (cursor) q.set('cursor', String(cursor));
    const qs = q.toString();
    return this.get(`/v1/accounts/${encodeURIComponent(address)}/transactions${qs ? `?${qs}` : ''}`);
  }
  transaction(hashHex) { return this.get(`/v1/transactions/${encodeURIComponent(hashHex)}`); }
  block(height) { return this.get(`/v1/blocks/${encodeURIComponent(String(height))}`); }
  /** The latest signed state root (GET /v1/state-root). */
  stateRoot() { return this.get('/v1/state-root'); }
  /** The state proof of the record with key (hex) at the latest state root. */
  stateProof(keyHex) { return this.get(`/v1/proofs/state?key=${encodeURIComponent(keyHex)}`); }
  /** The state proofs of an account's record and PTR balance (verifyStateProof takes it). */
  accountProof(address) { return this.get(`/v1/accounts/${encodeURIComponent(address)}/proof`); }
  assets() { return this.get('/v1/assets'); }
  reserves() { return this.get('/v1/reserves'); }
  proof(address, asset = 'PTR') {
    return this.get(`/v1/reserves/proof/${encodeURIComponent(address)}?asset=${encodeURIComponent(asset)}`);
  }
  /** Coverage and supply at every checkpoint, oldest first (the newest `limit`). */
  reservesHistory({ asset, limit } = {}) {
    const q = new URLSearchParams();
    if (asset) q.set('asset', asset);
    if (limit) q.set('limit', String(limit));
    const qs = q.toString();
    return this.get(`/v1/reserves/history${qs ? `?${qs}` : ''}`);
  }
  contract(id) { return this.get(`/v1/trade/contracts/${encodeURIComponent(String(id))}`); }
  contracts({ party, state } = {}) {
    const q = new URLSearchParams();
    if (party) q.set('party', party);
    if (state) q.set('state', state);
    const qs = q.toString();
    return this.get(`/v1/trade/contracts${qs ? `?${qs}` : ''}`);
  }
  tradeTargets() { return this.get('/v1/trade/targets'); }
  /** Turnover: group 'total' | 'zone' | 'country_pair' | 'hs_chapter', period 'month' | 'year'. */
  tradeStats({ group, period, asset } = {}) {
    const q = new URLSearchParams();
    if (group) q.set('group', group);
    if (period) q.set('period', period);
    if (asset) q.set('asset', asset);
    const qs = q.toString();
    return this.get(`/v1/stats/trade${qs ? `?${qs}` : ''}`);
  }
  zones() { return this.get('/v1/zones'); }
  /** The largest balances of a reserve-backed asset at its latest proof-of-reserves
   *  checkpoint (GET /v1/assets/{asset}/holders; limit 1..100, default 20). */
  holders(asset = 'PTR', { limit } = {}) {
    const qs = limit ? `?limit=${encodeURIComponent(String(limit))}` : '';
    return this.get(`/v1/assets/${encodeURIComponent(asset)}/holders${qs}`);
  }

  /** POST /v1/transactions: a signed envelope (bytes or hex, e.g. buildTransaction's);
   *  with wait, until it is committed (?wait=commit). Resolves the node's answer; a refusal
   *  throws PetroError with the node's code (bad_sequence, fee_balance_low, ...). */
  async submit(envelope, { wait = false } = {}) {
    const tx = typeof envelope === 'string' ? envelope : toHex(envelope);
    const res = await this.fetch(`${this.base}/v1/transactions${wait ? '?wait=commit' : ''}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ tx }),
    });
    const body = JSON.parse(await res.text());
    if (!res.ok) {
      const e = new PetroError(body.error || 'unknown', body.message || `HTTP ${res.status}`);
      e.status = res.status;
      e.hash = body.hash;
      throw e;
    }
    return body;
  }

  /** The encoded blocks from height `from` (GET /v1/blocks?from=H&limit=N), as bytes. */
  async blockBytes(from, limit = 64) {
    const res = await this.fetch(`${this.base}/v1/blocks?from=${from}&limit=${limit}`);
    if (!res.ok) throw new PetroError('bad_request', `blocks from ${from}: HTTP ${res.status}`);
    return splitBlocks(new Uint8Array(await res.arrayBuffer()));
  }

  /** Decoded blocks from height `from` (net: 'main' | 'test', from GET /v1/status). */
  async blocks(from, net, limit = 64) {
    return (await this.blockBytes(from, limit)).map((b) => decodeBlock(b, net));
  }

  /**
   * The committed blocks as they come (GET /v1/events): an async iterator of block objects.
   * Works without EventSource (Node 20); pass an AbortSignal to stop. lastEventId resumes
   * after that height.
   */
  async *events({ signal, lastEventId } = {}) {
    const headers = { Accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['Last-Event-ID'] = String(lastEventId);
    const res = await this.fetch(`${this.base}/v1/events`, { headers, signal });
    if (!res.ok || !res.body) throw new PetroError('unavailable', `events: HTTP ${res.status}`);
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buf.search(/\r?\n\r?\n/)) >= 0) {
        const raw = buf.slice(0, end);
        buf = buf.slice(end).replace(/^\r?\n\r?\n/, '');
        const ev = parseSseEvent(raw);
        if (ev && ev.event === 'block') yield JSON.parse(ev.data);
      }
    }
  }
}

/** One server-sent event's lines into { event, id, data }; null for comments only. */
export function parseSseEvent(raw) {
  const ev = { event: 'message', id: null, data: [] };
  let any = false;
  for (const line of raw.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') ev.event = value;
    else if (field === 'id') ev.id = value;
    else if (field === 'data') ev.data.push(value);
    else continue;
    any = true;
  }
  if (!any || ev.data.length === 0) return null;
  return { event: ev.event, id: ev.id, data: ev.data.join('\n') };
}
