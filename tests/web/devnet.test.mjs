// The JavaScript client module against a real devnet: payments and other operations made with
// the real `petro` CLI; then every block the node returns as bytes (GET /v1/blocks?from=H)
// decodes to the hashes, ids and fields its JSON routes show, blocks arrive on the SSE stream,
// addresses round trip, and a real proof of reserves and real state proofs (an account, its
// PTR balance, a USD trust line) verify while tampered ones are refused with the same failing
// checks named as `petro verify-proof` and `petro verify-state-proof` (the C library) name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as P from '../../web/src/petro.js';
import { startDevnet, tempDir } from './harness.mjs';

const CHECKPOINT_INTERVAL = 2;
let node;
let client;
let net;
let work;
const seenEvents = [];
const stopEvents = new AbortController();
let eventsDone;

before(async () => {
  node = await startDevnet({ checkpointInterval: CHECKPOINT_INTERVAL, blockIntervalMs: 50 });
  client = new P.PetroClient(node.url);
  net = (await client.status()).net_kind;
  work = tempDir('work');
  eventsDone = (async () => {
    try {
      for await (const b of client.events({ signal: stopEvents.signal })) seenEvents.push(b);
    } catch (e) {
      if (e.name !== 'AbortError') throw e;
    }
  })();
  // Give the stream a moment to attach before the first block.
  await new Promise((r) => setTimeout(r, 300));
  await makeTraffic();
});

after(async () => {
  stopEvents.abort();
  await eventsDone.catch(() => {});
  if (node) await node.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const W = (n) => node.wallet(n);

async function makeTraffic() {
  const alice = node.address('alice');
  const bob = node.address('bob');
  const bank = node.address('bank');
  await node.cliOk('pay', '--wallet', W('alice'), '--to', bob, '--amount', '12.5', '--memo', 'invoice-42', '--wait');
  await node.cliOk('pay', '--wallet', W('bob'), '--to', alice, '--amount', '0.00000001', '--wait');
  await node.cliOk('trust', '--wallet', W('bob'), '--asset', `USD:${bank}`, '--wait');
  await node.cliOk('issue', '--wallet', W('bank'), '--asset', 'USD', '--to', bob, '--amount', '50', '--wait');
  // A payment whose operation fails (alice has no USD line): committed, fee charged.
  const failed = await node.cli('pay', '--wallet', W('bob'), '--to', alice, '--asset', `USD:${bank}`,
    '--amount', '7.25', '--wait');
  assert.match(failed.stdout, /op_failed/, failed.stderr);
  await node.cliOk('attest', '--wallet', W('auditor-1'), '--wallet', W('auditor-2'), '--source',
    node.address('auditors'), '--commodity', 'oil', '--quantity', '500', '--custodian', 'tank 7',
    '--document-hash', 'ab'.repeat(32), '--wait');
  await node.cliOk('trade', 'create', '--wallet', W('importer'), '--exporter', node.address('exporter'),
    '--amount', '2000', '--hs', '870830', '--goods', 'Brake assemblies', '--quantity', '400',
    '--unit', 'pcs', '--incoterm', 'CIF', '--origin', 'BR', '--destination', 'VE',
    '--doc', 'bill_of_lading', '--doc', 'inspection_certificate',
    '--approver', node.address('inspector-1'), '--approver', node.address('inspector-2'),
    '--threshold', '2', '--wait');
  // Funded: 2000 PTR in escrow, a lock leaf of every checkpoint from now on (issue #15).
  await node.cliOk('trade', 'fund', '--wallet', W('importer'), '--id', '1', '--wait');
  await node.cliOk('op', 'data_set', '--wallet', W('alice'), '--name', 'contact', '--value', '0a0b0c', '--wait');
}

async function allBlocks() {
  const height = (await client.status()).height;
  const blocks = [];
  for (let from = 1; from <= height; from += 64) blocks.push(...(await client.blocks(from, net, 64)));
  return { height, blocks: blocks.filter((b) => b.height <= height) };
}

const HEADER_KEYS = ['height', 'hash', 'prev_hash', 'timestamp_ms', 'tx_root', 'result_root',
  'state_hash', 'proposer', 'tx_count'];
const TX_KEYS = ['hash', 'source', 'sequence', 'fee', 'memo', 'valid_after_ms', 'valid_until_ms',
  'operations', 'signatures'];

test('every block from the raw bytes route decodes to what GET /v1/blocks and /v1/transactions show', async () => {
  const { height, blocks } = await allBlocks();
  assert.ok(height >= 8, `at least 8 blocks (height ${height})`);
  assert.equal(blocks.length, height, 'blocks 1..height came as bytes');
  const opTypes = new Set();
  let prev = (await client.block(0)).hash;
  for (const b of blocks) {
    const api = await client.block(b.height);
    for (const k of HEADER_KEYS) assert.deepEqual(b[k], api[k], `block ${b.height}: ${k}`);
    assert.deepEqual(b.transactions, api.transactions, `block ${b.height}: transaction ids`);
    assert.ok(b.tx_root_ok, `block ${b.height}: tx_root is the Merkle root of the ids`);
    assert.equal(b.prev_hash, prev, `block ${b.height} links to the one before`);
    prev = b.hash;
    for (const [index, tx] of b.txs.entries()) {
      const apiTx = await client.transaction(tx.hash);
      for (const k of TX_KEYS) assert.deepEqual(tx[k], apiTx[k], `tx ${tx.hash}: ${k}`);
      assert.equal(apiTx.height, b.height);
      assert.equal(apiTx.index, index);
      assert.equal(apiTx.block_hash, b.hash);
      assert.equal(tx.network_id, (await client.status()).network_id);
      assert.ok(P.verifyTxSignatures(tx).every((s) => s.ok), `tx ${tx.hash}: signatures verify`);
      tx.operations.forEach((op) => opTypes.add(op.type));
    }
  }
  for (const t of ['payment', 'change_trust', 'issue', 'attest_reserve', 'trade_create', 'data_set']) {
    assert.ok(opTypes.has(t), `decoded a ${t} (saw ${[...opTypes]})`);
  }
  const multisig = blocks.flatMap((b) => b.txs).find((t) => t.operations[0].type === 'attest_reserve');
  assert.equal(multisig.signatures.length, 2, 'the attestation carries two auditor signatures');
});

test('the memo, the failed payment and exact amounts come through as the API shows them', async () => {
  const hist = await client.accountTransactions(node.address('bob'), { limit: 200 });
  const { blocks } = await allBlocks();
  const byId = new Map(blocks.flatMap((b) => b.txs).map((t) => [t.hash, t]));
  for (const t of hist.transactions) {
    const mine = byId.get(t.hash);
    assert.ok(mine, `history entry ${t.hash} is in a decoded block`);
    assert.deepEqual(mine.operations, t.operations);
  }
  const paid = [...byId.values()].find((t) => t.memo === P.toHex(new TextEncoder().encode('invoice-42')));
  assert.equal(paid.operations[0].amount, '12.5');
  assert.equal(paid.exact.fee, 100n);
  const failed = hist.transactions.find((t) => t.result.code === 'op_failed');
  assert.ok(failed, 'the USD payment to alice failed (no trust line)');
  assert.equal(byId.get(failed.hash).operations[0].amount, '7.25');
  for (const bal of (await client.account(node.address('bob'))).balances) {
    assert.equal(P.formatAmount(P.parseAmount(bal.balance)), bal.balance);
  }
});

test('blocks arrive on the SSE stream as the block route shows them', async () => {
  await node.until(() => seenEvents.length >= 3, 'three block events');
  for (const ev of seenEvents) {
    const api = await client.block(ev.height);
    for (const k of HEADER_KEYS) assert.deepEqual(ev[k], api[k], `event of block ${ev.height}: ${k}`);
  }
});

test('addresses of every demo wallet round trip through the module', async () => {
  const names = Object.keys(node.addresses);
  assert.ok(names.length >= 20);
  for (const name of names) {
    const wallet = JSON.parse(readFileSync(node.wallet(name), 'utf8'));
    const addr = node.address(name);
    assert.equal(P.encodeAddress(wallet.public_key, net), addr, name);
    assert.equal(P.toHex(P.decodeAddress(addr, net).key), wallet.public_key, name);
    assert.equal(P.toHex(P.decodeAddress(addr.toUpperCase(), net).key), wallet.public_key, name);
    assert.equal((await node.cliOk('address', '--wallet', node.wallet(name))).trim(), addr);
  }
});

// ------------------------------------------------------------------ proofs of reserves

async function latestProof(name) {
  const status = await client.status();
  await node.until(async () => {
    const r = await client.reserves();
    const cp = r.reserves[0].latest_checkpoint;
    return cp && cp.height >= status.height - (status.height % CHECKPOINT_INTERVAL);
  }, 'a checkpoint at the tip');
  return client.proof(node.address(name), 'PTR');
}

// The failing checks `petro verify-proof` (libpetro's petro_proof_verify) names for a proof.
async function cliFailed(proof, label, ...extra) {
  const path = join(work, `${label}.json`);
  writeFileSync(path, JSON.stringify(proof));
  const r = await node.cli('verify-proof', path, ...extra);
  if (r.code === 0) return [];
  const m = /proof INVALID: failed ([a-z, ]+)/.exec(r.stderr);
  assert.ok(m, `verify-proof ${label}: ${r.stderr}`);
  return m[1].split(', ').sort();
}

const failedOf = (result) => result.checks.filter((c) => !c.ok).map((c) => c.name).sort();

test('a real proof of reserves verifies in the module, every check named', async () => {
  const status = await client.status();
  for (const name of ['alice', 'bob', 'treasury', 'importer']) {
    const proof = await latestProof(name);
    const r = P.verifyProof(proof, { validators: [status.proposer], networkId: status.network_id });
    assert.equal(r.valid, true, `${name}: ${JSON.stringify(r.checks)}`);
    assert.deepEqual(r.checks.map((c) => c.name),
      ['shape', 'salt', 'sums', 'root', 'signature', 'reserves', 'validator', 'network']);
    assert.equal(r.summary.balance, proof.balance);
    assert.equal(r.leaves.length, 1 + proof.locks.length);
    assert.ok(r.leaves.every((l) => l.valid), `${name}: ${JSON.stringify(r.leaves)}`);
    if (name === 'importer') {
      // The escrow is the importer's lock leaf, after the balances, and verifies too.
      assert.deepEqual(proof.locks.map((l) => [l.family, l.id, l.amount]), [['trade', 1, '2000']]);
      assert.equal(r.summary.locked, '2000');
      assert.ok(proof.locks[0].index >= proof.checkpoint.leaf_count - proof.checkpoint.lock_count);
    }
    assert.deepEqual(await cliFailed(proof, `good-${name}`), []);
    // The proof as text (a file a user uploads) verifies the same.
    assert.equal(P.verifyProof(JSON.stringify(proof)).valid, true);
  }
});

test('tampered proofs are refused, naming the same failing checks as petro verify-proof', async () => {
  const proof = await latestProof('alice');
  const flip = (hex, i = 0) => hex.slice(0, 2 * i) +
    ((parseInt(hex.substr(2 * i, 2), 16) ^ 1).toString(16).padStart(2, '0')) + hex.slice(2 * i + 2);
  const plus = (a, d) => P.formatAmount(P.parseAmount(a, { allowNegative: true }) + d);
  const cases = {
    'path-byte': [(p) => { p.path[0].hash = flip(p.path[0].hash, 5); }, ['root']],
    salt: [(p) => { p.salt = flip(p.salt); }, ['root', 'salt']],
    balance: [(p) => { p.balance = plus(p.balance, 1n); }, ['root', 'sums']],
    'sibling-sum': [(p) => { p.path[0].sum = plus(p.path[0].sum, -1n); }, ['root', 'sums']],
    signature: [(p) => { p.checkpoint.signature = flip(p.checkpoint.signature, 10); }, ['signature']],
    total: [(p) => { p.checkpoint.total = plus(p.checkpoint.total, -1n); }, ['signature', 'sums']],
    cap: [(p) => { p.checkpoint.cap = plus(p.checkpoint.total, -1n); }, ['reserves', 'signature']],
    'leaf-count': [(p) => { p.checkpoint.leaf_count = 1; }, ['shape', 'signature']],
  };
  for (const [label, [change, want]] of Object.entries(cases)) {
    const p = structuredClone(proof);
    change(p);
    const r = P.verifyProof(p);
    assert.equal(r.valid, false, label);
    assert.deepEqual(failedOf(r), want, `${label}: the module names ${failedOf(r)}`);
    assert.deepEqual(await cliFailed(p, label), want, `${label}: petro verify-proof agrees`);
  }
  // A tampered lock (the importer's escrow): its amount, id or family; the balance leaf stays
  // valid, the lock's fails, and `leaves` says which.
  const withLock = await latestProof('importer');
  const lockCases = {
    'lock-amount': [(p) => { p.locks[0].amount = plus(p.locks[0].amount, 1n); }, ['root', 'sums']],
    'lock-id': [(p) => { p.locks[0].id = 2; }, ['root']],
    'lock-family': [(p) => { p.locks[0].family = 'trades'; }, ['root']],
    'lock-as-balance': [(p) => { p.balance = p.locks[0].amount; p.index = p.locks[0].index;
      p.path = p.locks[0].path; }, ['root', 'shape']],
  };
  for (const [label, [change, want]] of Object.entries(lockCases)) {
    const p = structuredClone(withLock);
    change(p);
    const r = P.verifyProof(p);
    assert.equal(r.valid, false, label);
    assert.deepEqual(failedOf(r), want, `${label}: the module names ${failedOf(r)}`);
    const balanceBroken = label === 'lock-as-balance';
    assert.deepEqual(r.leaves.map((l) => l.valid), [!balanceBroken, balanceBroken], label);
    assert.deepEqual(await cliFailed(p, label), want, `${label}: petro verify-proof agrees`);
  }
  // Signed by a key the user does not trust: only the "validator" check fails.
  const r = P.verifyProof(proof, { validators: [node.address('alice')] });
  assert.deepEqual(failedOf(r), ['validator']);
  assert.deepEqual(await cliFailed(proof, 'untrusted', '--validator', node.address('alice')), ['validator']);
  // A trusted key with a typo trusts nobody; another network's id fails "network".
  assert.deepEqual(failedOf(P.verifyProof(proof, { validators: ['tptr1typo'] })), ['validator']);
  assert.deepEqual(failedOf(P.verifyProof(proof, { networkId: 'ab'.repeat(32) })), ['network']);
});

// ------------------------------------------------------------------ state proofs

// The account's state proofs at a state root no older than the tip's checkpoint height (a
// root is signed at start-up and every checkpoint interval; 503 no_state_root before the
// first). While the account changed after the latest root the node answers 409
// changed_since_root: a payment between two other accounts then moves the chain on to the
// next root.
async function latestStateProof(address) {
  const status = await client.status();
  const want = status.height - (status.height % CHECKPOINT_INTERVAL);
  let answer;
  await node.until(async () => {
    try {
      answer = await client.accountProof(address);
    } catch (e) {
      if (e.status === 503) return false;
      if (e.status === 409) {
        await node.cli('pay', '--wallet', W('treasury-officer-1'), '--to',
          node.address('treasury-officer-2'), '--amount', '0.00000001', '--wait');
        return false;
      }
      throw e;
    }
    return answer.height >= want;
  }, 'a state root at the tip');
  return answer;
}

// The failing checks `petro verify-state-proof` (libpetro's petro_state_proof_verify) names.
async function cliStateFailed(proof, label, ...extra) {
  const path = join(work, `state-${label}.json`);
  writeFileSync(path, JSON.stringify(proof));
  const r = await node.cli('verify-state-proof', path, ...extra);
  if (r.code === 0) return [];
  const m = /state proof INVALID: failed ([a-z, ]+)/.exec(r.stderr);
  assert.ok(m, `verify-state-proof ${label}: ${r.stderr}`);
  return m[1].split(', ').sort();
}

test('a real state proof of an account and its balances verifies in the module, as petro verify-state-proof says', async () => {
  const status = await client.status();
  const bob = node.address('bob');
  const answer = await latestStateProof(bob);
  assert.equal(answer.account, bob);
  const r = P.verifyStateProof(answer, { validators: [status.proposer], networkId: status.network_id });
  assert.equal(r.valid, true, JSON.stringify(r));
  assert.deepEqual(r.checks.map((c) => c.name), ['shape', 'leaf', 'root', 'signature', 'validator', 'network']);
  assert.deepEqual(r.proofs.map((p) => [p.record, p.height]), [['account', answer.height], ['PTR balance', answer.height]]);
  assert.deepEqual(await cliStateFailed(answer, 'good', '--validator', status.proposer), []);
  // The balance in the proof is the one the account route shows: bob's last transaction is
  // at or below the root's height (no blocks come without transactions).
  const hist = await client.accountTransactions(bob, { limit: 200 });
  assert.ok(hist.transactions.every((t) => t.height <= answer.height), 'bob is unchanged since the root');
  const root = await client.stateRoot();
  assert.equal(root.height, answer.height);
  assert.equal(root.root, answer.proofs[0].state_root.root);
  const balances = (await client.account(bob)).balances;
  assert.equal(r.proofs[1].balance, balances.find((b) => b.asset === 'PTR').balance);
  // Any balance: bob's USD trust line of the bank ('T' bob, asset 01 len "USD" issuer).
  const bank = P.decodeAddress(node.address('bank'), net).key;
  const key = P.concatBytes(Uint8Array.of(0x54), P.decodeAddress(bob, net).key, Uint8Array.of(1, 3),
    new TextEncoder().encode('USD'), bank);
  const usd = await client.stateProof(P.toHex(key));
  const u = P.verifyStateProof(usd, { validators: [status.proposer] });
  assert.equal(u.valid, true, JSON.stringify(u));
  assert.equal(u.proofs[0].record, 'trust line');
  assert.equal(u.proofs[0].balance, balances.find((b) => b.asset.startsWith('USD')).balance);
  assert.equal(u.proofs[0].balance, '50');
  assert.deepEqual(await cliStateFailed(usd, 'usd'), []);
});

test('tampered state proofs are refused, naming the same failing checks as petro verify-state-proof', async () => {
  const answer = await latestStateProof(node.address('alice'));
  const flip = (hex, i = 0) => hex.slice(0, 2 * i) +
    ((parseInt(hex.substr(2 * i, 2), 16) ^ 1).toString(16).padStart(2, '0')) + hex.slice(2 * i + 2);
  const cases = {
    value: [(p) => { p.value = flip(p.value, 2); }, ['leaf']],
    'path-hash': [(p) => { p.path[0].hash = flip(p.path[0].hash, 4); }, ['root']],
    height: [(p) => { p.state_root.height += 1; }, ['signature']],
    signature: [(p) => { p.state_root.signature = flip(p.state_root.signature, 50); }, ['signature']],
    'path-side': [(p) => { p.path[0].side = p.path[0].side === 'left' ? 'right' : 'left'; }, ['root', 'shape']],
  };
  for (const [label, [change, want]] of Object.entries(cases)) {
    const p = structuredClone(answer.proofs[1]);
    change(p);
    const r = P.verifyStateProof(p);
    assert.equal(r.valid, false, label);
    assert.deepEqual(failedOf(r), want, `${label}: the module names ${failedOf(r)}`);
    assert.deepEqual(await cliStateFailed(p, label), want, `${label}: petro verify-state-proof agrees`);
  }
  const r = P.verifyStateProof(answer, { validators: [node.address('alice')] });
  assert.deepEqual(failedOf(r), ['validator']);
  assert.deepEqual(await cliStateFailed(answer, 'untrusted', '--validator', node.address('alice')), ['validator']);
});

// ------------------------------------------------------------------ top holders (issue #19)

test('top holders: the checkpoint\'s largest balances, each the account\'s balance and its proof\'s', async () => {
  // A quiet chain whose tip is a checkpoint height: the balances now are those of the checkpoint.
  if ((await client.status()).height % CHECKPOINT_INTERVAL !== 0) {
    await node.cliOk('pay', '--wallet', W('alice'), '--to', node.address('bob'), '--amount', '0.5', '--wait');
  }
  const { height } = await client.status();
  assert.equal(height % CHECKPOINT_INTERVAL, 0);
  const top = await node.until(async () => {
    const h = await client.holders('PTR', { limit: 100 });
    return h.height === height && h;
  }, 'the holders of the checkpoint at the tip');
  assert.equal(top.asset, 'PTR');
  assert.equal(top.checkpoint.height, height);
  assert.ok(P.verifyCheckpoint(top.checkpoint), 'the checkpoint is signed');
  assert.ok(top.holders.length > 5 && top.holders.length <= top.holder_count, JSON.stringify(top));
  assert.ok(top.holders.length < 100, 'the devnet has fewer holders than the limit: all are listed');
  let sum = 0n;
  top.holders.forEach((h, i) => {
    assert.equal(h.rank, i + 1);
    sum += P.parseAmount(h.balance);
    if (i === 0) return;
    const a = P.parseAmount(top.holders[i - 1].balance);
    const b = P.parseAmount(h.balance);
    assert.ok(a > b || (a === b && P.toHex(P.decodeAddress(top.holders[i - 1].address).key) <
      P.toHex(P.decodeAddress(h.address).key)), `ranks ${i} and ${i + 1} are in order`);
  });
  // Every unit is in a listed balance or a lock (the trade escrow).
  const locked = P.parseAmount(P.verifyProof(await client.proof(node.address('importer'))).summary.locked);
  assert.equal(P.formatAmount(sum + locked), top.total);
  for (const h of top.holders) {
    const account = await client.account(h.address);
    assert.equal(account.balances.find((b) => b.asset === 'PTR').balance, h.balance, `${h.address}: account`);
    const proof = await client.proof(h.address, 'PTR');
    assert.equal(proof.balance, h.balance, `${h.address}: proof`);
    assert.equal(proof.checkpoint.height, height);
  }
  // Every demo account holding PTR is listed.
  const listed = new Set(top.holders.map((h) => h.address));
  for (const [name, address] of Object.entries(node.addresses)) {
    const a = await client.account(address).catch(() => null);
    const ptr = a && a.balances.find((b) => b.asset === 'PTR');
    if (ptr && P.parseAmount(ptr.balance) > 0n) assert.ok(listed.has(address), `${name} is listed`);
  }
  const three = await client.holders('PTR', { limit: 3 });
  assert.deepEqual(three.holders, top.holders.slice(0, 3));
  const usd = `USD:${node.address('bank')}`;
  await assert.rejects(client.holders(usd), (e) => e.code === 'not_found' && e.status === 404);
  await assert.rejects(client.holders('PTR', { limit: 101 }), (e) => e.code === 'bad_request');
});

// ------------------------------------------------------------------ building and signing

const dryRun = async (...args) => /^tx\s+([0-9a-f]+)$/m.exec(await node.cliOk(...args, '--dry-run'))[1];

test('transactions built and signed by the module are the bytes of petro ... --dry-run', async () => {
  const status = await client.status();
  const alice = P.devnetWalletKey(readFileSync(W('alice'), 'utf8'));
  assert.equal(alice.address(net), node.address('alice'));
  const base = async () => ({ network_id: status.network_id, source: node.address('alice'),
    sequence: (await client.account(node.address('alice'))).next_sequence });
  const fresh = P.keyPair(P.randomSeed()).address(net);
  const usd = `USD:${node.address('bank')}`;
  const cases = [
    [[{ type: 'payment', destination: node.address('bob'), asset: 'PTR', amount: '2.5' }], { memo_text: 'js-1' },
      ['pay', '--wallet', W('alice'), '--to', node.address('bob'), '--amount', '2.5', '--memo', 'js-1']],
    [[{ type: 'create_account', destination: fresh, starting_balance: '10' }], {},
      ['create-account', '--wallet', W('alice'), '--address', fresh, '--amount', '10']],
    [[{ type: 'change_trust', asset: usd, limit: '1000' }], { fee: '0.00001' },
      ['trust', '--wallet', W('alice'), '--asset', usd, '--limit', '1000', '--fee', '0.00001']],
    [[{ type: 'set_thresholds', master_weight: 1, low: 0, medium: 1, high: 1 }], {},
      ['op', 'set_thresholds', '--wallet', W('alice'), '--master-weight', '1', '--low', '0', '--medium', '1', '--high', '1']],
    [[{ type: 'data_set', name: 'js', value: '0102' }], {},
      ['op', 'data_set', '--wallet', W('alice'), '--name', 'js', '--value', '0102']],
  ];
  for (const [operations, extra, cli] of cases) {
    const built = P.buildTransaction({ ...(await base()), ...extra, operations }, { keys: [alice], net });
    const want = await dryRun(...cli);
    assert.equal(built.hex, want, `${operations[0].type}: the module's bytes are the CLI's`);
    const tx = P.decodeTx(built.envelope, net);
    assert.equal(tx.hash, built.hash);
    assert.deepEqual(tx.operations, operations.map((o) => ({ ...o })), 'decodeTx gives the operations back');
    assert.ok(P.verifyTxSignatures(tx).every((s) => s.ok));
  }
});

test('a payment signed in the module commits on the devnet, from a key only the module knows', async () => {
  const status = await client.status();
  const alice = P.devnetWalletKey(readFileSync(W('alice'), 'utf8'));
  const mine = P.keyPair(P.randomSeed());
  const tx = (source, sequence, operations) => P.buildTransaction(
    { network_id: status.network_id, source, sequence, operations }, { keys: [source === mine.address(net) ? mine : alice], net });
  // alice creates the module's account; then the module's key pays bob.
  const seqA = (await client.account(node.address('alice'))).next_sequence;
  const created = await client.submit(tx(node.address('alice'), seqA,
    [{ type: 'create_account', destination: mine.address(net), starting_balance: '25' }]).hex, { wait: true });
  assert.equal(created.result.code, 'ok', JSON.stringify(created));
  const before = (await client.account(node.address('bob'))).balances.find((b) => b.asset === 'PTR').balance;
  const seqM = (await client.account(mine.address(net))).next_sequence;
  const pay = tx(mine.address(net), seqM, [{ type: 'payment', destination: node.address('bob'), asset: 'PTR', amount: '7.125' }]);
  const answer = await client.submit(pay.envelope, { wait: true });
  assert.equal(answer.hash, pay.hash);
  assert.equal(answer.result.code, 'ok', JSON.stringify(answer));
  const seen = await client.transaction(pay.hash);
  assert.equal(seen.result.code, 'ok');
  assert.equal(seen.source, mine.address(net));
  const after = (await client.account(node.address('bob'))).balances.find((b) => b.asset === 'PTR').balance;
  assert.equal(P.parseAmount(after) - P.parseAmount(before), P.parseAmount('7.125'));
  assert.equal((await client.account(mine.address(net))).balances.find((b) => b.asset === 'PTR').balance,
    '17.874999'); // 25 - 7.125 - the fee 0.000001
  // A replay of the same envelope is refused with the node's code.
  await assert.rejects(client.submit(pay.hex), (e) => ['bad_sequence', 'duplicate_tx'].includes(e.code));
});
