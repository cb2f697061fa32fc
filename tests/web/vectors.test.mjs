// Differential test: web/src/petro.js against the C core (libpetro) on thousands of inputs,
// through tests/web/c_vectors.c (built as `web_vectors` next to petrod). Transaction decoding
// runs over the committed fuzz corpus and seeded mutations of it; addresses, amounts and the
// proof-of-reserves primitives over seeded random and edge-case inputs. The seed is printed;
// PETRO_TEST_SEED replays a run. Then the protocol test vectors of docs/vectors (no C needed),
// the proof of reserves and the state proofs among them, intact and tampered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as P from '../../web/src/petro.js';
import { PETRO_BIN, REPO } from './harness.mjs';

const VECTORS = process.env.PETRO_WEB_VECTORS || join(PETRO_BIN, 'web_vectors');
const SEED = Number(process.env.PETRO_TEST_SEED || (Date.now() % 1000000));
console.log(`# seed ${SEED} (PETRO_TEST_SEED=${SEED} replays it)`);

// A small seeded generator (xorshift32): reproducible inputs.
let state = SEED >>> 0 || 1;
function rnd(n) {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state % n;
}
const randBytes = (n) => Uint8Array.from({ length: n }, () => rnd(256));
const pick = (xs) => xs[rnd(xs.length)];

/** Asks the C core: one command per line, one answer line each. */
function askC(lines) {
  const out = execFileSync(VECTORS, [], { input: `${lines.join('\n')}\n`, maxBuffer: 64 << 20 });
  const answers = out.toString().split('\n').slice(0, -1);
  assert.equal(answers.length, lines.length, 'one answer per question');
  return answers;
}

const codeOf = (f) => {
  try {
    return ['ok', f()];
  } catch (e) {
    if (!(e instanceof P.PetroError)) throw e;
    return [e.code, null];
  }
};

const skip = !existsSync(VECTORS) && !process.env.PETRO_WEB_VECTORS
  ? `${VECTORS} not built (tests/CMakeLists.txt builds web_vectors from tests/web/c_vectors.c)` : false;

// ------------------------------------------------------------------ transactions

function mutations(bytes) {
  const out = [];
  for (let i = 0; i < 40; i++) {
    const b = bytes.slice();
    const at = rnd(Math.max(1, b.length));
    switch (rnd(6)) {
      case 0: b[at] ^= 1 << rnd(8); out.push(b); break;
      case 1: out.push(b.slice(0, at)); break;
      case 2: out.push(P.concatBytes(b.slice(0, at), Uint8Array.of(rnd(256)), b.slice(at))); break;
      case 3: b[at] = pick([0, 1, 2, 16, 17, 20, 21, 32, 33, 64, 65, 255]); out.push(b); break;
      case 4: out.push(P.concatBytes(b, randBytes(1 + rnd(3)))); break;
      default: out.push(P.concatBytes(b.slice(0, at), b.slice(at + 1 + rnd(4)))); break;
    }
  }
  return out;
}

// What the JS decoder must say for what the C decoder says. The JS decoder leaves the
// families' static checks (petro_op_check: ranges, texts, dates) to the node; the C decoder
// runs them before the fee and signature-order checks, so when C reports one of them, JS sees
// a decodable envelope, or one of the later envelope checks.
const STRUCTURAL = new Set(['tx_too_large', 'bad_version', 'malformed', 'memo_too_long', 'no_ops',
  'too_many_ops', 'unknown_op', 'too_many_signatures', 'duplicate_signature', 'no_signatures']);
const AFTER_OP_CHECKS = new Set(['ok', 'amount_negative', 'amount_too_large', 'duplicate_signature',
  'no_signatures']);

test('transaction decoding agrees with petro_tx_decode on the fuzz corpus and its mutations', { skip }, () => {
  const dir = join(REPO, 'tests', 'fuzz', 'corpus', 'fuzz_tx_decode');
  const seeds = readdirSync(dir).sort().map((f) => new Uint8Array(readFileSync(join(dir, f))));
  const apiTx = readFileSync(join(REPO, 'docs', 'api.md'), 'utf8').match(/"tx": "([0-9a-f]{200,})"/);
  if (apiTx) seeds.push(P.fromHex(apiTx[1]));
  const inputs = [...seeds, ...seeds.flatMap(mutations)].filter((b) => b.length <= 8000);
  const answers = askC(inputs.map((b) => `tx ${b.length ? P.toHex(b) : '-'}`));
  const tally = {};
  inputs.forEach((bytes, i) => {
    const [cCode, cId] = answers[i].split(' ');
    const [jsCode, tx] = codeOf(() => P.decodeTx(bytes, 'test'));
    tally[cCode] = (tally[cCode] || 0) + 1;
    const what = `input ${i} (${P.toHex(bytes).slice(0, 80)}...): C ${cCode}, JS ${jsCode}`;
    if (cCode === 'ok') {
      assert.equal(jsCode, 'ok', what);
      assert.equal(tx.hash, cId, `${what}: ids differ`);
    } else if (STRUCTURAL.has(cCode)) {
      assert.equal(jsCode, cCode, what);
    } else {
      assert.ok(AFTER_OP_CHECKS.has(jsCode), what);
    }
  });
  console.log(`# ${inputs.length} envelopes; C said ${JSON.stringify(tally)}`);
  assert.ok(tally.ok >= seeds.length / 2 && tally.malformed > 100, 'the inputs cover both sides');
});

// ------------------------------------------------------------------ addresses

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function addressInputs() {
  const out = ['-', 'tptr1', 'hello', 'A1LQFN3A', 'a1lqfn3a', 'abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx',
    'tptr1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqazlzyl'];
  for (let i = 0; i < 300; i++) {
    const a = P.encodeAddress(randBytes(32), pick(['main', 'test']));
    const chars = [...a];
    const sep = a.lastIndexOf('1');
    const at = sep + 1 + rnd(chars.length - sep - 1);
    switch (rnd(8)) {
      case 0: out.push(a); break;
      case 1: out.push(a.toUpperCase()); break;
      case 2: chars[at] = pick([...CHARSET]); out.push(chars.join('')); break;
      case 3: chars[at] = chars[at].toUpperCase(); out.push(chars.join('')); break;
      case 4: out.push(a.slice(0, a.length - 1 - rnd(5))); break;
      case 5: out.push(a + pick([...CHARSET])); break;
      case 6: chars[at] = pick(['b', 'i', 'o', '1', '!', '~']); out.push(chars.join('')); break;
      default: out.push(pick(['ptr', 'tptr', 'xptr', 'tpt']) + a.slice(sep)); break;
    }
  }
  return out;
}

test('addresses agree with petro_address_decode/encode', { skip }, () => {
  const inputs = addressInputs();
  const answers = askC(inputs.map((t) => `addr ${t}`));
  inputs.forEach((text, i) => {
    const [tCode, tKey, mCode, mKey] = answers[i].split(' ');
    const t = text === '-' ? '' : text;
    for (const [net, code, key] of [['test', tCode, tKey], ['main', mCode, mKey]]) {
      const [jsCode, r] = codeOf(() => P.decodeAddress(t, net));
      assert.equal(jsCode, code, `${JSON.stringify(t)} as ${net}`);
      if (code === 'ok') assert.equal(P.toHex(r.key), key, `${t}: key`);
    }
  });
  const keys = Array.from({ length: 100 }, () => randBytes(32));
  const enc = askC(keys.map((k) => `addrenc ${P.toHex(k)}`));
  keys.forEach((k, i) => {
    assert.equal(`${P.encodeAddress(k, 'test')} ${P.encodeAddress(k, 'main')}`, enc[i]);
  });
});

// ------------------------------------------------------------------ amounts

function amountInputs() {
  const out = ['-', '0', '-0', '1', '.5', '1.', '+1', '1e5', '00012.50', '92233720368',
    '92233720368.00000001', '92233720367.99999999', '-92233720368', '0.000000001', '0.00000001',
    '18446744073709551616', '999999999999999999999999999', '1..2', '-.1', '--1', '0x10'];
  const digits = (n) => Array.from({ length: n }, () => rnd(10)).join('');
  for (let i = 0; i < 400; i++) {
    let s = (rnd(4) === 0 ? '-' : '') + digits(1 + rnd(rnd(3) === 0 ? 14 : 6));
    if (rnd(3) > 0) s += `.${digits(rnd(11))}`;
    if (rnd(10) === 0) s = s.slice(0, rnd(s.length + 1)) || '-';
    out.push(s);
  }
  return out;
}

test('amounts agree with petro_amount_parse and petro_amount_format', { skip }, () => {
  const inputs = amountInputs();
  const answers = askC(inputs.map((t) => `amount ${t}`));
  inputs.forEach((text, i) => {
    const [c1, v1, c2, v2] = answers[i].split(' ');
    const t = text === '-' ? '' : text;
    for (const [allowNegative, code, value] of [[false, c1, v1], [true, c2, v2]]) {
      const [jsCode, v] = codeOf(() => P.parseAmount(t, { allowNegative }));
      assert.equal(jsCode, code, `${JSON.stringify(t)} allowNegative ${allowNegative}`);
      if (code === 'ok') assert.equal(v, BigInt(value), `${t}: value`);
    }
  });
  const values = [0n, 1n, -1n, 99999999n, 100000000n, P.SUPPLY_MAX, -(1n << 63n), (1n << 63n) - 1n];
  for (let i = 0; i < 200; i++) values.push(BigInt.asIntN(64, BigInt(`0x${P.toHex(randBytes(8))}`)) >> BigInt(rnd(60)));
  const fmt = askC(values.map((v) => `fmt ${v}`));
  values.forEach((v, i) => assert.equal(P.formatAmount(v), fmt[i], `format ${v}`));
});

// ------------------------------------------------------------------ proof-of-reserves primitives

test('proof-of-reserves primitives and Merkle roots agree with libpetro', { skip }, () => {
  const q = [];
  const expect = [];
  for (let i = 0; i < 50; i++) {
    const block = randBytes(32);
    const issuer = randBytes(32);
    const code = pick(['XAU', 'USD', 'A', 'ABCDEFGHIJKL', 'VES9']);
    q.push(`salt ${P.toHex(block)} PTR`);
    expect.push(P.toHex(P.proofSalt(block, { code: 'PTR', issuer: null })));
    q.push(`salt ${P.toHex(block)} ${code} ${P.toHex(issuer)}`);
    expect.push(P.toHex(P.proofSalt(block, { code, issuer })));
    const salt = randBytes(32);
    const account = randBytes(32);
    const balance = BigInt(rnd(1000000)) * BigInt(rnd(1000000));
    q.push(`leaf ${P.toHex(salt)} ${P.toHex(account)} ${balance}`);
    const leaf = P.porLeaf(salt, account, balance);
    expect.push(`${P.toHex(leaf.hash)} ${leaf.sum}`);
    const family = pick(['trade', 'offer', 'a', 'sixteen-letters!', 'swap_v2']);
    const id = BigInt.asUintN(64, BigInt(`0x${P.toHex(randBytes(8))}`)) >> BigInt(rnd(64));
    q.push(`lock ${P.toHex(salt)} ${family} ${id} ${P.toHex(account)} ${balance + 1n}`);
    const lock = P.porLockLeaf(salt, family, id, account, balance + 1n);
    expect.push(`${P.toHex(lock.hash)} ${lock.sum}`);
    const sums = [0n, 1n, -1n, P.SUPPLY_MAX, P.SUPPLY_MAX - 5n, P.SUPPLY_MAX + 1n, 5n, balance];
    const l = { hash: randBytes(32), sum: pick(sums) };
    const r = { hash: randBytes(32), sum: pick(sums) };
    q.push(`parent ${P.toHex(l.hash)} ${l.sum} ${P.toHex(r.hash)} ${r.sum}`);
    const p = P.porParent(l, r);
    expect.push(p === null ? null : `ok ${P.toHex(p.hash)} ${p.sum}`);
    const leaves = Array.from({ length: rnd(9) }, () => randBytes(32));
    q.push(`merkle ${leaves.map(P.toHex).join(' ')}`.trim());
    expect.push(P.toHex(P.merkleRoot(leaves)));
  }
  q.push('empty');
  const e = P.porEmpty();
  expect.push(`${P.toHex(e.hash)} ${e.sum}`);
  const answers = askC(q);
  answers.forEach((a, i) => {
    if (expect[i] === null) assert.match(a, /^amount_(negative|too_large)$/, q[i]);
    else assert.equal(a, expect[i], q[i]);
  });
});

// ------------------------------------------------------------------ docs/vectors

// The protocol test vectors (docs/vectors/README.md, written by tests/tools/gen_vectors.c from
// libpetro): every transaction and block decodes to the same ids, roots and hash here, and
// every signature verifies. Signatures are also re-made with Node's own Ed25519 (node:crypto,
// RFC 8032 is deterministic), so a vector is checked by a second implementation too.
const VEC = join(REPO, 'docs', 'vectors');
const vec = (name) => JSON.parse(readFileSync(join(VEC, name), 'utf8'));
const ED25519_PKCS8 = P.fromHex('302e020100300506032b657004220420');

function nodeKey(seedHex) {
  const der = P.concatBytes(ED25519_PKCS8, P.fromHex(seedHex, 32));
  const priv = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  return { priv, pub: P.toHex(new Uint8Array(spki).slice(-32)) };
}

const nodeSign = (seedHex, bytes) => P.toHex(new Uint8Array(
  cryptoSign(null, Buffer.from(bytes), nodeKey(seedHex).priv)));

const seedOf = (() => {
  const m = new Map();
  for (const k of vec('keys.json').keys) m.set(k.public_key, k.seed);
  return (pub) => {
    assert.ok(m.has(pub), `${pub} is a key of keys.json`);
    return m.get(pub);
  };
})();

test('docs/vectors keys: seeds, public keys and addresses', () => {
  const { keys } = vec('keys.json');
  assert.ok(keys.length >= 2);
  for (const k of keys) {
    assert.equal(P.toHex(P.hash(`petro test vector key: ${k.name}`)), k.seed, `${k.name}: seed`);
    assert.equal(nodeKey(k.seed).pub, k.public_key, `${k.name}: public key`);
    const pub = P.fromHex(k.public_key, 32);
    assert.equal(P.encodeAddress(pub, 'test'), k.address_test, `${k.name}: test address`);
    assert.equal(P.encodeAddress(pub, 'main'), k.address_main, `${k.name}: main address`);
    assert.equal(P.toHex(P.decodeAddress(k.address_main, 'main').key), k.public_key);
  }
});

test('docs/vectors transactions: every operation type decodes, ids and signatures agree', () => {
  const { network_id: net, transactions } = vec('transactions.json');
  const types = new Set(transactions.map((t) => t.op_type));
  for (const schema of P.OPS_BY_TYPE.values()) {
    assert.ok(types.has(schema.type), `a vector of ${schema.name}`);
  }
  assert.ok(transactions.some((t) => t.tx.signatures.length === 2), 'a multisig vector');
  for (const { name, tx: v } of transactions) {
    const what = `vector ${name}`;
    const tx = P.decodeTx(P.fromHex(v.envelope), 'test');
    assert.equal(tx.hash, v.id, `${what}: id`);
    assert.equal(P.toHex(tx.body), v.body, `${what}: body`);
    assert.equal(P.toHex(P.hash(tx.body)), v.id, `${what}: id = BLAKE2b-256(body)`);
    assert.equal(tx.network_id, net, `${what}: network id`);
    for (const f of ['version', 'network_id', 'source', 'source_key', 'sequence', 'fee',
      'valid_after_ms', 'valid_until_ms', 'memo']) {
      assert.deepEqual(tx[f], v[f], `${what}: ${f}`);
    }
    assert.deepEqual(tx.operations, v.operations, `${what}: operations as the API shows them`);
    assert.deepEqual(tx.signatures, v.signatures.map((s) => ({ key: s.key, sig: s.sig })), `${what}: signatures`);
    assert.equal(P.toHex(P.domainMessage('tx', P.fromHex(v.id, 32))), v.signed_message, `${what}: signed message`);
    assert.ok(P.verifyTxSignatures(tx).every((s) => s.ok), `${what}: signatures verify`);
    for (const s of v.signatures) {
      assert.equal(nodeSign(seedOf(s.public_key), P.fromHex(v.signed_message)), s.sig, `${what}: node:crypto signature`);
    }
    assert.equal(P.toHex(P.witnessLeaf(tx)), v.witness_leaf, `${what}: witness leaf`);
    const other = P.fromHex(v.id, 32);
    other[0] ^= 1;
    assert.ok(!P.verifyIn('tx', P.fromHex(v.signatures[0].sig, 64), other, P.fromHex(v.signatures[0].public_key, 32)));
  }
});

test('docs/vectors transactions: the module builds and signs every vector from its JSON, byte for byte', () => {
  const { transactions } = vec('transactions.json');
  for (const { name, tx: v } of transactions) {
    const what = `vector ${name}`;
    // From the JSON the API shows (operations, decimal amounts, addresses, hex memo).
    assert.equal(P.toHex(P.encodeTxBody(v, 'test')), v.body, `${what}: body`);
    const keys = v.signatures.map((s) => seedOf(s.public_key));
    const built = P.buildTransaction(v, { keys: [...keys].reverse(), net: 'test' });
    assert.equal(built.hash, v.id, `${what}: id`);
    assert.equal(built.hex, v.envelope, `${what}: envelope (signatures sorted by key)`);
    for (const [i, s] of v.signatures.entries()) {
      assert.equal(P.toHex(P.signIn('tx', P.fromHex(v.id, 32), keys[i])), s.sig, `${what}: signature ${i}`);
    }
  }
  const v = transactions[0].tx;
  const key = seedOf(v.signatures[0].public_key);
  assert.throws(() => P.buildTransaction(v, { keys: [key, key], net: 'test' }), { code: 'duplicate_signature' });
  assert.throws(() => P.buildTransaction(v, { keys: [], net: 'test' }), { code: 'no_signatures' });
  assert.throws(() => P.encodeTxBody({ ...v, operations: [] }, 'test'), { code: 'no_ops' });
  assert.throws(() => P.encodeTxBody({ ...v, memo_text: 'x'.repeat(33) }, 'test'), { code: 'memo_too_long' });
  assert.throws(() => P.encodeOp({ type: 'payment', destination: v.source, asset: 'PTR' }, 'test'),
    { code: 'bad_request', message: /payment\.amount: missing/ });
  assert.throws(() => P.encodeOp({ type: 'payment', destination: v.source, asset: 'PTR', amount: '0' }, 'test'),
    { code: 'bad_request', message: /payment\.amount: outside/ });
  assert.throws(() => P.encodeOp({ type: 'nope' }, 'test'), { code: 'unknown_op' });
  assert.throws(() => P.encodeOp({ type: 'payment', destination: P.encodeAddress(P.fromHex(v.source_key), 'main'),
    asset: 'PTR', amount: '1' }, 'test'), { code: 'wrong_address_prefix' });
  // An optional field left out is zero: create_asset without flags.
  assert.equal(P.toHex(P.encodeOp({ type: 'create_asset', code: 'GLD' }, 'test')),
    P.toHex(P.encodeOp({ type: 'create_asset', code: 'GLD', flags: { auth_required: false } }, 'test')));
});

test('building is the inverse of decoding on every valid envelope of the fuzz corpus', () => {
  const dir = join(REPO, 'tests', 'fuzz', 'corpus', 'fuzz_tx_decode');
  let n = 0;
  for (const f of readdirSync(dir).sort()) {
    const bytes = new Uint8Array(readFileSync(join(dir, f)));
    let tx;
    try {
      tx = P.decodeTx(bytes, 'test');
    } catch {
      continue;
    }
    let body;
    try {
      body = P.encodeTxBody(tx, 'test');
    } catch (e) {
      // The builder applies the operations' static ranges, which decoding leaves to the node.
      assert.equal(e.code, 'bad_request', `${f}: ${e.message}`);
      continue;
    }
    assert.equal(P.toHex(body), P.toHex(tx.body), `${f}: rebuilt body`);
    n++;
  }
  console.log(`# ${n} corpus envelopes rebuilt from their JSON`);
  assert.ok(n >= 10, `only ${n} corpus envelopes rebuilt`);
});

function checkHeader(h, v, net, what) {
  for (const f of ['version', 'height', 'prev_hash', 'timestamp_ms', 'tx_root', 'witness_root',
    'result_root', 'state_hash', 'proposer', 'proposer_key', 'tx_count', 'signature', 'hash']) {
    assert.deepEqual(h[f], v[f], `${what}: ${f}`);
  }
  assert.equal(P.toHex(P.hash(P.fromHex(v.header).slice(0, P.BLOCK_HASHED_SIZE))), v.hash, `${what}: hash of the first 213 bytes`);
  assert.equal(v.hashed_part, v.header.slice(0, 2 * P.BLOCK_HASHED_SIZE), `${what}: hashed part`);
  assert.ok(P.verifyBlockSignature(h, net), `${what}: proposer signature`);
}

test('docs/vectors block: genesis, block 0 and block 1 hashes, roots and signature', () => {
  const b = vec('block.json');
  assert.equal(P.toHex(P.hash('petro-network-v1', P.fromHex(b.genesis))), b.network_id, 'network id');
  assert.equal(b.network_id, vec('transactions.json').network_id);
  checkHeader(P.decodeBlockHeader(P.fromHex(b.block0.header), 'test'), b.block0, b.network_id, 'block 0');
  const v = b.block1;
  const blk = P.decodeBlock(P.fromHex(v.block), 'test');
  checkHeader(blk, v, b.network_id, 'block 1');
  assert.ok(blk.tx_root_ok && blk.witness_root_ok, 'tx_root and witness_root recomputed');
  assert.deepEqual(blk.transactions, v.transactions.map((t) => t.id), 'transaction ids');
  assert.equal(P.toHex(P.merkleRoot(v.transactions.map((t) => P.fromHex(t.id, 32)))), v.tx_root);
  assert.equal(P.toHex(P.merkleRoot(blk.txs.map((t) => P.witnessLeaf(t)))), v.witness_root);
  v.transactions.forEach((t, i) => {
    assert.equal(P.toHex(P.witnessLeaf(blk.txs[i])), t.witness_leaf, `tx ${i}: witness leaf`);
    assert.ok(P.verifyTxSignatures(blk.txs[i]).every((s) => s.ok), `tx ${i}: signatures`);
    assert.equal(P.toHex(P.hash(P.fromHex(t.id, 32), P.fromHex(t.result))), t.result_leaf, `tx ${i}: result leaf`);
    const code = P.fromHex(t.result)[0] | (P.fromHex(t.result)[1] << 8);
    assert.equal(code === 0, t.result_code === 'ok', `tx ${i}: result code`);
  });
  assert.ok(v.transactions.some((t) => t.result_code === 'op_failed'), 'a failed operation');
  assert.equal(P.toHex(P.merkleRoot(v.transactions.map((t) => P.fromHex(t.result_leaf, 32)))), v.result_root, 'result root');
  assert.equal(nodeSign(seedOf(v.proposer_key), P.domainMessage('block', P.fromHex(b.network_id + v.hash))), v.signature);
  const bad = P.fromHex(v.header);
  bad[P.BLOCK_HASHED_SIZE + 5] ^= 1;
  assert.ok(!P.verifyBlockSignature(P.decodeBlockHeader(bad, 'test'), b.network_id), 'a bad signature is refused');
});

test('docs/vectors domains: every signature domain', () => {
  const { domains } = vec('domains.json');
  assert.deepEqual(domains.map((d) => d.name).sort(), Object.keys(P.SIG_DOMAINS).sort(), 'the same domains');
  for (const d of domains) {
    assert.equal(P.SIG_DOMAINS[d.name], d.tag, `${d.name}: tag`);
    const msg = P.fromHex(d.message);
    assert.equal(P.toHex(P.domainMessage(d.name, msg)), d.signed_bytes, `${d.name}: signed bytes`);
    const sig = P.fromHex(d.signature, 64);
    const pub = P.fromHex(d.public_key, 32);
    assert.ok(P.verifyIn(d.name, sig, msg, pub), `${d.name}: verifies`);
    for (const other of Object.keys(P.SIG_DOMAINS).filter((n) => n !== d.name)) {
      assert.ok(!P.verifyIn(other, sig, msg, pub), `${d.name}: not valid as ${other}`);
    }
    assert.equal(nodeSign(seedOf(d.public_key), P.fromHex(d.signed_bytes)), d.signature, `${d.name}: node:crypto`);
  }
});

// ------------------------------------------------------------------ proofs (the reserves fixture)

const keyOfName = (name) => {
  const k = vec('keys.json').keys.find((x) => x.name === name);
  assert.ok(k, `${name} is a key of keys.json`);
  return k;
};
const failedNames = (r) => r.checks.filter((c) => !c.ok).map((c) => c.name).sort();
const flipHex = (hex, i = 0) => hex.slice(0, 2 * i) +
  ((parseInt(hex.substr(2 * i, 2), 16) ^ 1).toString(16).padStart(2, '0')) + hex.slice(2 * i + 2);
const plusAmount = (a, d) => P.formatAmount(P.parseAmount(a, { allowNegative: true }) + d);

// The fixture chain both files carry: its network id, and block 1 as in block.json.
function checkFixture(f, what) {
  assert.equal(P.toHex(P.hash('petro-network-v1', P.fromHex(f.genesis))), f.network_id, `${what}: network id`);
  assert.notEqual(f.network_id, vec('block.json').network_id, `${what}: a chain of its own`);
  const blk = P.decodeBlock(P.fromHex(f.block1.block), 'test');
  checkHeader(blk, f.block1, f.network_id, `${what}: block 1`);
  assert.ok(blk.tx_root_ok && blk.witness_root_ok, `${what}: roots`);
  assert.deepEqual(blk.txs.map((t) => t.operations[0].type), ['trade_create', 'trade_fund']);
  assert.ok(f.block1.transactions.every((t) => t.result_code === 'ok'), `${what}: both applied`);
}

test('docs/vectors proof: salt, every leaf and level, the signed checkpoint, the proof file', () => {
  const v = vec('proof.json');
  checkFixture(v, 'proof.json');
  const cp = P.parseCheckpoint(v.checkpoint);
  assert.equal(P.toHex(P.hash(P.fromHex(v.salt_hashed))), v.salt, 'salt = BLAKE2b-256(salt_hashed)');
  assert.equal(P.toHex(P.proofSalt(cp.blockHash, cp.asset)), v.salt, 'proofSalt');
  assert.equal(v.checkpoint.block_hash, v.block1.hash, 'the checkpoint is of block 1');
  // Leaves: balances then the lock, each hash of its `hashed` bytes and of porLeaf/porLockLeaf.
  const salt = P.fromHex(v.salt, 32);
  const nodes = v.leaves.map((l, i) => {
    assert.equal(l.index, i);
    const n = l.kind === 'balance'
      ? P.porLeaf(salt, P.fromHex(l.account_key, 32), P.parseAmount(l.balance))
      : P.porLockLeaf(salt, l.family, BigInt(l.id), P.fromHex(l.owner_key, 32), P.parseAmount(l.amount));
    assert.equal(P.toHex(n.hash), l.hash, `leaf ${i}: hash`);
    assert.equal(P.toHex(P.hash(P.fromHex(l.hashed))), l.hash, `leaf ${i}: hash of its bytes`);
    assert.equal(P.formatAmount(n.sum), l.sum, `leaf ${i}: sum`);
    return n;
  });
  assert.deepEqual(v.leaves.map((l) => l.kind), ['balance', 'balance', 'balance', 'balance', 'balance', 'lock']);
  assert.equal(BigInt(v.checkpoint.lock_count), 1n);
  assert.equal(P.toHex(P.porEmpty().hash), v.empty.hash);
  // Levels, recomputed by the rule (an odd level padded with empty), up to the root.
  let level = nodes;
  v.levels.forEach((want, k) => {
    assert.deepEqual(level.map((n) => ({ hash: P.toHex(n.hash), sum: P.formatAmount(n.sum) })), want, `level ${k}`);
    if (level.length === 1) return;
    const padded = level.length % 2 ? [...level, P.porEmpty()] : level;
    level = [];
    for (let i = 0; i < padded.length; i += 2) level.push(P.porParent(padded[i], padded[i + 1]));
  });
  assert.equal(P.toHex(level[0].hash), v.checkpoint.root, 'the root');
  assert.equal(P.formatAmount(level[0].sum), v.checkpoint.total, 'the total');
  // The checkpoint's message, signed bytes and signature.
  assert.equal(P.toHex(P.checkpointMessage(cp)), v.checkpoint.message, 'checkpoint message');
  assert.equal(P.toHex(P.domainMessage('checkpoint', P.fromHex(v.checkpoint.message))), v.checkpoint.signed_bytes);
  assert.ok(P.verifyCheckpoint(v.checkpoint), 'checkpoint signature');
  assert.equal(keyOfName(v.checkpoint.signer).public_key, v.checkpoint.validator_key, 'signer');
  assert.equal(nodeSign(seedOf(v.checkpoint.validator_key), P.fromHex(v.checkpoint.signed_bytes)), v.checkpoint.signature);
  // The proof file verifies, every check named; each walk gives its path nodes.
  const r = P.verifyProof(v.proof_file, { validators: [v.checkpoint.validator], networkId: v.network_id });
  assert.equal(r.valid, true, JSON.stringify(r.checks));
  assert.deepEqual(r.checks.map((c) => c.name), ['shape', 'salt', 'sums', 'root', 'signature', 'reserves', 'validator', 'network']);
  assert.deepEqual(r.leaves.map((l) => [l.leaf, l.valid]), [['balance', true], ['lock', true]]);
  assert.equal(r.summary.locked, '200');
  const file = v.proof_file;
  const leafOf = [
    [P.porLeaf(salt, P.fromHex(file.account_key, 32), P.parseAmount(file.balance)), file.index, file.path],
    [P.porLockLeaf(salt, file.locks[0].family, BigInt(file.locks[0].id), P.fromHex(file.account_key, 32),
      P.parseAmount(file.locks[0].amount)), file.locks[0].index, file.locks[0].path],
  ];
  v.proof_walks.forEach((w, i) => {
    let [node, index, path] = leafOf[i];
    assert.equal(P.toHex(node.hash), w.leaf_node.hash, `${w.leaf}: leaf node`);
    assert.equal(w.index, index);
    path.forEach((s, k) => {
      const sib = { hash: P.fromHex(s.hash, 32), sum: P.parseAmount(s.sum) };
      const right = ((BigInt(index) >> BigInt(k)) & 1n) === 1n;
      node = right ? P.porParent(sib, node) : P.porParent(node, sib);
      assert.equal(w.path_nodes[k].sibling_side, right ? 'left' : 'right');
      assert.equal(P.toHex(node.hash), w.path_nodes[k].hash, `${w.leaf}: path node ${k}`);
      assert.equal(P.formatAmount(node.sum), w.path_nodes[k].sum, `${w.leaf}: path sum ${k}`);
    });
  });
});

test('docs/vectors proof: tampering the value, a path hash, the height or the signature fails the named check', () => {
  const v = vec('proof.json');
  const cases = {
    balance: [(p) => { p.balance = plusAmount(p.balance, 1n); }, ['root', 'sums']],
    'lock-amount': [(p) => { p.locks[0].amount = plusAmount(p.locks[0].amount, -1n); }, ['root', 'sums']],
    'path-hash': [(p) => { p.path[1].hash = flipHex(p.path[1].hash, 7); }, ['root']],
    'lock-path-hash': [(p) => { p.locks[0].path[0].hash = flipHex(p.locks[0].path[0].hash); }, ['root']],
    height: [(p) => { p.checkpoint.height += 1; }, ['signature']],
    signature: [(p) => { p.checkpoint.signature = flipHex(p.checkpoint.signature, 33); }, ['signature']],
  };
  for (const [label, [change, want]] of Object.entries(cases)) {
    const p = structuredClone(v.proof_file);
    change(p);
    assert.deepEqual(failedNames(P.verifyProof(p)), want, label);
  }
  const other = keyOfName('alice').address_test;
  assert.deepEqual(failedNames(P.verifyProof(v.proof_file, { validators: [other] })), ['validator']);
});

test('docs/vectors state proof: records, root, the signed state root, both proofs', () => {
  const v = vec('state_proof.json');
  checkFixture(v, 'state_proof.json');
  const proofVec = vec('proof.json');
  assert.equal(v.genesis, proofVec.genesis, 'the same fixture as proof.json');
  assert.equal(v.block1.block, proofVec.block1.block);
  // Every record's leaf; key order; the Merkle root of the leaves is the signed root.
  assert.equal(v.records.length, v.record_count);
  const leaves = v.records.map((r, i) => {
    const leaf = P.stateLeaf(P.fromHex(r.key), P.fromHex(r.value));
    assert.equal(P.toHex(leaf), r.leaf, `record ${i} (${r.key.slice(0, 8)}...): leaf`);
    assert.notEqual(r.key.slice(0, 2), '4d', 'no M records');
    if (i > 0) assert.ok(Buffer.compare(Buffer.from(v.records[i - 1].key, 'hex'), Buffer.from(r.key, 'hex')) < 0, 'key order');
    return leaf;
  });
  const sr = v.state_root;
  assert.equal(P.toHex(P.merkleRoot(leaves)), sr.root, 'state root = Merkle root of the leaves');
  assert.equal(sr.block_hash, v.block1.hash);
  assert.equal(sr.state_hash, v.block1.state_hash);
  const parsed = P.parseStateRoot(sr);
  assert.equal(P.toHex(P.stateRootMessage(parsed)), sr.message, 'the 176 signed bytes');
  assert.equal(sr.message.length, 2 * 176);
  assert.equal(P.toHex(P.domainMessage('state_root', P.fromHex(sr.message))), sr.signed_bytes);
  assert.ok(P.verifyIn('state_root', parsed.signature, P.fromHex(sr.message), parsed.validator), 'signature');
  assert.equal(keyOfName(sr.signer).public_key, sr.validator_key, 'signer');
  assert.equal(nodeSign(seedOf(sr.validator_key), P.fromHex(sr.signed_bytes)), sr.signature);
  // The account's proofs: they verify, are of the records listed, and walk to the root.
  const r = P.verifyStateProof(v.account_proof, { validators: [sr.validator], networkId: v.network_id });
  assert.equal(r.valid, true, JSON.stringify(r));
  assert.deepEqual(r.checks.map((c) => c.name), ['shape', 'leaf', 'root', 'signature', 'validator', 'network']);
  assert.deepEqual(r.proofs.map((p) => p.record), ['account', 'PTR balance']);
  assert.equal(r.proofs[1].balance, proofVec.proof_file.balance, 'the PTR balance of the proof of reserves');
  assert.equal(v.account_proof.account, keyOfName('alice').address_test);
  v.account_proof.proofs.forEach((p, i) => {
    assert.equal(P.verifyStateProof(JSON.stringify(p)).valid, true, `proof ${i} alone, as text`);
    assert.deepEqual(p.state_root, Object.fromEntries(Object.entries(sr).filter(([k]) =>
      !['message', 'signed_bytes', 'signer'].includes(k))), `proof ${i}: the state root`);
    assert.equal(p.leaf, v.records[p.index].leaf, `proof ${i}: the record at its index`);
    assert.equal(p.value, v.records[p.index].value);
    assert.deepEqual(p.path.map((s) => s.side), P.statePathShape(p.index, v.record_count), `proof ${i}: sides`);
    const w = v.proof_walks[i];
    let node = P.hash(Uint8Array.of(0), P.fromHex(p.leaf, 32));
    assert.equal(P.toHex(node), w.leaf_node);
    p.path.forEach((s, k) => {
      const sib = P.fromHex(s.hash, 32);
      node = s.side === 'left' ? P.hash(Uint8Array.of(1), sib, node) : P.hash(Uint8Array.of(1), node, sib);
      assert.equal(P.toHex(node), w.path_nodes[k], `proof ${i}: path node ${k}`);
    });
    assert.equal(P.toHex(node), sr.root);
  });
});

test('docs/vectors state proof: tampering the value, a path hash, the height or the signature fails the named check', () => {
  const v = vec('state_proof.json');
  const cases = {
    value: [(p) => { p.value = flipHex(p.value, 3); }, ['leaf']],
    'path-hash': [(p) => { p.path[0].hash = flipHex(p.path[0].hash, 9); }, ['root']],
    height: [(p) => { p.state_root.height += 1; }, ['signature']],
    signature: [(p) => { p.state_root.signature = flipHex(p.state_root.signature, 40); }, ['signature']],
    'path-side': [(p) => { p.path[0].side = p.path[0].side === 'left' ? 'right' : 'left'; }, ['root', 'shape']],
    'record-count': [(p) => { p.state_root.record_count = p.index; }, ['shape', 'signature']],
    'metadata-key': [(p) => { p.key = `4d${p.key.slice(2)}`; }, ['leaf', 'shape']],
    malformed: [(p) => { p.leaf = 'zz'; }, ['shape']],
  };
  for (const [label, [change, want]] of Object.entries(cases)) {
    for (const i of [0, 1]) {
      const p = structuredClone(v.account_proof.proofs[i]);
      change(p);
      const r = P.verifyStateProof(p);
      assert.equal(r.valid, false, `${label} (proof ${i})`);
      assert.deepEqual(failedNames(r), want, `${label} (proof ${i})`);
    }
  }
  // In the account answer, one tampered proof fails the check for the answer, and says which.
  const answer = structuredClone(v.account_proof);
  answer.proofs[1].value = flipHex(answer.proofs[1].value);
  const r = P.verifyStateProof(answer);
  assert.deepEqual(failedNames(r), ['leaf']);
  assert.deepEqual(r.proofs.map((p) => p.failed), [[], ['leaf']]);
  const alice = keyOfName('alice').address_test;
  assert.deepEqual(failedNames(P.verifyStateProof(v.account_proof, { validators: [alice] })), ['validator']);
  assert.deepEqual(failedNames(P.verifyStateProof(v.account_proof, { validators: ['tptr1typo'] })), ['validator']);
  assert.deepEqual(failedNames(P.verifyStateProof(v.account_proof, { networkId: 'ab'.repeat(32) })), ['network']);
  assert.deepEqual(failedNames(P.verifyStateProof('not json')), ['shape']);
  assert.deepEqual(failedNames(P.verifyStateProof({ proofs: [] })), ['shape']);
});
