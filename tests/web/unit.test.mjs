// Unit tests of web/src/petro.js without a node: the operation table is current with
// docs/protocol.md, the examples of docs/api.md decode to what the docs show, addresses and
// amounts behave exactly as the C core's (docs/protocol.md), Merkle roots follow the rules,
// checkpoints verify on their own, and the explorer's search box reads what it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as P from '../../web/src/petro.js';
import { REPO } from './harness.mjs';

test('web/src/ops.js is the table of docs/protocol.md (gen-ops --check)', () => {
  execFileSync(process.execPath, [join(REPO, 'web', 'tools', 'gen-ops.mjs'), '--check'],
    { stdio: 'pipe' });
  const types = [...P.OPS_BY_TYPE.keys()];
  for (const t of [1, 4, 10, 30, 40, 90]) assert.ok(types.includes(t), `op ${t} in the table`);
  assert.equal(P.OPS_BY_NAME.get('payment').fields.map((f) => f.name).join(),
    'destination,asset,amount');
});

// docs/api.md, POST /v1/transactions: the example envelope and GET /v1/transactions of it.
const API_TX = '020fbf03c4f6f4e8e13e9480d6b15a4775ef885da9eb126eaeef13d2371e924ba1cc958a9976fa357b9dc7a58294375a2634bf8268169362ab8f14104f61994b3401000000000000006400000000000000000000000000000000000000000000000a696e766f6963652d34320104bc25df752b67e0e33608b882579af6ac9c4a3481a61cd4b7befc944b698069f000807c814a0000000001cc958a9976fa357b9dc7a58294375a2634bf8268169362ab8f14104f61994b34072874b5f4b93f377d222d831f44c16fd8a7285897a0a795f4257ad5674eea7eb86f885e4111f9dfbf945048ee03bffbd19cc8017865e48b777cefa32dd69104';

test('the transaction example of docs/api.md decodes to its JSON and id', () => {
  const doc = readFileSync(join(REPO, 'docs', 'api.md'), 'utf8');
  assert.ok(doc.includes(API_TX), 'docs/api.md still holds the example envelope');
  const tx = P.decodeTx(P.fromHex(API_TX), 'test');
  assert.equal(tx.hash, '86cb937b8eac3dfdb1d836e52ae924baa869d7120c1ec5b4545c366cecc3f90b');
  assert.equal(tx.source, 'tptr1ej2c4xtklg6hh8w85kpfgd66yc6tlqngz6fk92u0zsgy7cvefv6qug6gxa');
  assert.equal(tx.sequence, 1);
  assert.equal(tx.fee, '0.000001');
  assert.equal(tx.memo, '696e766f6963652d3432');
  assert.deepEqual(tx.operations, [{ type: 'payment',
    destination: 'tptr1hsja7aftvlswxdsghzp90xhk4jwy5dyp5cwdfda7lj2yk6vqd8cqrp0stc',
    asset: 'PTR', amount: '12.5' }]);
  assert.deepEqual(P.verifyTxSignatures(tx).map((s) => s.ok), [true]);
});

test('transaction decoding refuses what petro_tx_decode refuses, with its code', () => {
  const good = P.fromHex(API_TX);
  const code = (bytes) => {
    try {
      P.decodeTx(bytes, 'test');
      return 'ok';
    } catch (e) {
      return e.code;
    }
  };
  const mod = (i, v) => { const b = good.slice(); b[i] = v; return b; };
  assert.equal(code(good), 'ok');
  assert.equal(code(mod(0, 1)), 'bad_version'); // version 1: before signature domains
  assert.equal(code(mod(0, 3)), 'bad_version');
  assert.equal(code(good.slice(0, 100)), 'malformed');
  assert.equal(code(P.concatBytes(good, Uint8Array.of(0))), 'malformed');
  const memoAt = 1 + 32 + 32 + 8 + 8 + 8 + 8;
  assert.equal(code(mod(memoAt, 33)), 'memo_too_long');
  const opCountAt = memoAt + 1 + 10;
  assert.equal(code(mod(opCountAt, 0)), 'no_ops');
  assert.equal(code(mod(opCountAt, 17)), 'too_many_ops');
  assert.equal(code(mod(opCountAt + 1, 99)), 'unknown_op');
  assert.equal(code(mod(opCountAt + 1 + 33, 7)), 'malformed'); // asset kind 7
  const sigCountAt = good.length - 97;
  assert.equal(code(mod(sigCountAt, 21)), 'too_many_signatures');
  assert.equal(code(P.concatBytes(good.slice(0, sigCountAt), Uint8Array.of(0))), 'no_signatures');
  assert.equal(code(new Uint8Array(4097)), 'tx_too_large');
  const badSig = mod(good.length - 1, good[good.length - 1] ^ 1);
  assert.equal(code(badSig), 'ok', 'a bad signature decodes');
  assert.deepEqual(P.verifyTxSignatures(P.decodeTx(badSig, 'test')).map((s) => s.ok), [false]);
});

test('addresses: bech32m round trips and the three error codes', () => {
  for (let i = 0; i < 50; i++) {
    const key = new Uint8Array(32).map((_, j) => (i * 37 + j * 11 + (i ^ j)) & 255);
    for (const net of ['main', 'test']) {
      const a = P.encodeAddress(key, net);
      assert.match(a, net === 'main' ? /^ptr1[02-9ac-hj-np-z]{58}$/ : /^tptr1[02-9ac-hj-np-z]{58}$/);
      assert.deepEqual(P.decodeAddress(a, net).key, key);
      assert.deepEqual(P.decodeAddress(a.toUpperCase(), net).key, key);
      assert.throws(() => P.decodeAddress(a, net === 'main' ? 'test' : 'main'),
        { code: 'wrong_address_prefix' });
    }
  }
  const a = 'tptr1hsja7aftvlswxdsghzp90xhk4jwy5dyp5cwdfda7lj2yk6vqd8cqrp0stc'; // docs/api.md
  assert.throws(() => P.decodeAddress(a.slice(0, -1) + 'x', 'test'), { code: 'bad_address_checksum' });
  assert.throws(() => P.decodeAddress(a.slice(0, 10) + a.slice(10).toUpperCase(), 'test'),
    { code: 'bad_address' });
  assert.throws(() => P.decodeAddress(a.slice(0, -2), 'test'), { code: 'bad_address' });
  assert.throws(() => P.decodeAddress(`tptr1${a[5] === 'q' ? 'p' : 'q'}${a.slice(6)}`, 'test'), { code: 'bad_address_checksum' });
  assert.throws(() => P.decodeAddress('hello world', 'test'), { code: 'bad_address' });
  // The all-zero key of docs/api.md's not_found example.
  assert.equal(P.encodeAddress(new Uint8Array(32), 'test'),
    'tptr1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqazlzyl');
});

test('amounts: exact decimal strings and BigInt base units, never floats', () => {
  const cases = [['0', 0n], ['1', 100000000n], ['12.5', 1250000000n], ['0.000001', 100n],
    ['0.00000001', 1n], ['10006.499995', 1000649999500n], ['92233720368', P.SUPPLY_MAX]];
  for (const [text, v] of cases) {
    assert.equal(P.parseAmount(text), v);
    assert.equal(P.formatAmount(v), text);
  }
  assert.equal(P.formatAmount(-150000000n), '-1.5');
  assert.equal(P.parseAmount('1.50000000'), 150000000n);
  assert.equal(P.parseAmount('-2', { allowNegative: true }), -200000000n);
  const err = (t) => { try { P.parseAmount(t); return 'ok'; } catch (e) { return e.code; } };
  for (const t of ['', '.5', '1.', '+1', ' 1', '1e5', '1.2.3', '0x10', '１']) assert.equal(err(t), 'amount_syntax', t);
  assert.equal(err('-1'), 'amount_negative');
  assert.equal(err('0.000000001'), 'amount_precision');
  assert.equal(err('92233720368.00000001'), 'amount_too_large');
  assert.equal(err('99999999999999999999999'), 'amount_too_large');
  // 0.1 + 0.2 is exact here.
  assert.equal(P.formatAmount(P.parseAmount('0.1') + P.parseAmount('0.2')), '0.3');
});

test('Merkle roots: empty, one leaf, an odd last node carried up', () => {
  const leaf = (i) => P.hash(`leaf-${i}`);
  assert.deepEqual(P.merkleRoot([]), new Uint8Array(32));
  const n = (l) => P.hash(Uint8Array.of(0), l);
  const inner = (a, b) => P.hash(Uint8Array.of(1), a, b);
  assert.deepEqual(P.merkleRoot([leaf(0)]), n(leaf(0)));
  assert.deepEqual(P.merkleRoot([leaf(0), leaf(1), leaf(2)]),
    inner(inner(n(leaf(0)), n(leaf(1))), n(leaf(2))));
});

test('proofs that do not parse give one failed "format" check', () => {
  const r = P.verifyProof('{"format":"petro-proof-v0"}');
  assert.equal(r.valid, false);
  assert.deepEqual(r.checks.map((c) => [c.name, c.ok]), [['format', false]]);
  assert.equal(P.verifyProof('not json').checks[0].name, 'format');
});

test('server-sent events parse as the API sends them', () => {
  const ev = P.parseSseEvent('event: block\nid: 7\ndata: {"height":7}');
  assert.deepEqual(ev, { event: 'block', id: '7', data: '{"height":7}' });
  assert.equal(P.parseSseEvent(': ping'), null);
});

test('the search box: addresses, heights, contracts (c7, contract 7) and 64-hex hashes', async () => {
  const { searchTarget } = await import('../../web/js/ui.js');
  const addr = P.encodeAddress(new Uint8Array(32).fill(7), 'test');
  assert.deepEqual(searchTarget(' 12 '), { href: 'block.html?height=12' });
  for (const q of ['c7', 'C7', 'c 7', 'contract 7', 'Contract #7', 'c007']) {
    assert.deepEqual(searchTarget(q), { href: 'trade.html?contract=7' }, q);
  }
  assert.equal(searchTarget('c0'), null);
  assert.equal(searchTarget('contract'), null);
  assert.deepEqual(searchTarget('AB'.repeat(32)), { hash: 'ab'.repeat(32) });
  assert.deepEqual(searchTarget(addr), { href: `account.html?address=${addr}` });
  assert.equal(searchTarget('ab'.repeat(31)), null);
});

test('checkpoints verify alone (verifyCheckpoint), and a changed field fails', async () => {
  const { ed25519 } = await import(join(REPO, 'web', 'node_modules', '@noble', 'curves', 'ed25519.js'));
  const secret = new Uint8Array(32).fill(3);
  const key = ed25519.getPublicKey(secret);
  const cp = { network_id: '11'.repeat(32), height: 6, block_hash: '22'.repeat(32), timestamp_ms: 1795442867395,
    asset: 'PTR', asset_issuer_key: null, root: '33'.repeat(32), total: '1000.5', leaf_count: 4, lock_count: 1,
    attested: '2000', cap: '2000', validator_key: P.toHex(key), signature: '' };
  const sig = ed25519.sign(P.domainMessage('checkpoint', P.checkpointMessage(P.parseCheckpoint({ ...cp, signature: '00'.repeat(64) }))), secret);
  cp.signature = P.toHex(sig);
  assert.equal(P.verifyCheckpoint(cp), true);
  for (const [k, v] of [['total', '1000.6'], ['height', 7], ['lock_count', 0], ['root', '44'.repeat(32)]]) {
    assert.equal(P.verifyCheckpoint({ ...cp, [k]: v }), false, k);
  }
  assert.throws(() => P.parseCheckpoint(null), (e) => e.code === 'malformed');
  assert.throws(() => P.parseCheckpoint({ ...cp, asset: 'XAU' }), (e) => e.code === 'malformed');
});
