// Differential test: web/src/petro.js against the C core (libpetro) on thousands of inputs,
// through tests/web/c_vectors.c (built as `web_vectors` next to petrod). Transaction decoding
// runs over the committed fuzz corpus and seeded mutations of it; addresses, amounts and the
// proof-of-reserves primitives over seeded random and edge-case inputs. The seed is printed;
// PETRO_TEST_SEED replays a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
