// Transaction: every operation in words, its signers and its result as the node reports them,
// and the transaction decoded from its block's bytes here: id recomputed, each Ed25519
// signature verified in the browser, and the decoded fields compared with the node's JSON.
import { decodeBlock, verifyTxSignatures } from '../src/petro.js';
import { amount, client, el, header, link, nodeStatus, opInWords, param, showError } from './ui.js';

header('tx');

function kv(pairs) {
  return el('dl', { class: 'kv' }, ...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function memoText(hex) {
  if (!hex) return '–';
  const bytes = hex.match(/../g).map((h) => parseInt(h, 16));
  const printable = bytes.every((b) => b >= 0x20 && b <= 0x7e);
  return printable ? [el('q', {}, String.fromCharCode(...bytes)), el('span', { class: 'hint' }, ` (hex ${hex})`)]
    : el('span', { class: 'mono' }, hex);
}

// Unix ms as a date, or as the number when no date can show it (a u64 may be far beyond).
function msText(v) {
  const n = Number(v);
  return Number.isFinite(n) && Math.abs(n) <= 8.64e15 ? new Date(n).toISOString() : `${v} ms`;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function browserChecks(t, net) {
  const block = decodeBlock((await client.blockBytes(t.height, 1))[0], net);
  const mine = block.txs[t.index];
  const ok = mine && mine.hash === t.hash;
  const sigs = ok ? verifyTxSignatures(mine) : [];
  const fields = ok && ['source', 'sequence', 'fee', 'memo', 'operations', 'signatures']
    .every((k) => same(mine[k], t[k]));
  const line = (good, yes, no) => el('li', { class: good ? 'ok' : 'bad' }, good ? `✓ ${yes}` : `✗ ${no}`);
  return el('ul', { 'data-testid': 'tx-check' },
    line(ok, 'the id is the BLAKE2b-256 of the body bytes in its block', 'not found at its place in the block bytes'),
    line(ok && sigs.every((s) => s.ok), `${sigs.length} Ed25519 signature(s) verify over the id`, 'a signature does not verify'),
    line(fields, 'the decoded bytes say what the node\'s JSON says', 'the decoded bytes differ from the node\'s JSON'));
}

async function main() {
  const region = document.getElementById('content');
  const hash = (param('hash') || '').toLowerCase();
  try {
    const s = await nodeStatus();
    const t = await client.transaction(hash);
    document.title = `Transaction ${hash.slice(0, 12)}… · Petro explorer`;
    if (t.status !== 'committed') {
      region.replaceChildren(kv([['Hash', el('span', { class: 'mono' }, t.hash)],
        ['Status', 'pending: waiting in the mempool for the next block']]));
      return;
    }
    const opList = el('ol', {}, ...t.operations.map((op, i) => el('li', {}, opInWords(op, t.source),
      ' ', el('span', { class: t.result.op_results[i] === 'ok' ? 'ok' : 'bad' }, `(${t.result.op_results[i]})`))));
    region.replaceChildren(kv([
      ['Hash', el('span', { class: 'mono' }, t.hash)],
      ['Status', [el('span', { class: t.result.code === 'ok' ? 'ok' : 'bad', 'data-testid': 'tx-result' }, t.result.code),
        ` in block `, link.block(t.height), ` at position ${t.index}`]],
      ['Source', link.account(t.source, 10)],
      ['Sequence', String(t.sequence)],
      ['Fee charged', amount(t.result.fee_charged, 'PTR')],
      ['Memo', memoText(t.memo)],
      ['Valid', `${Number(t.valid_after_ms) ? `after ${msText(t.valid_after_ms)}` : 'any time'}` +
        `${Number(t.valid_until_ms) ? `, until ${msText(t.valid_until_ms)}` : ''}`],
      ['Signers', el('ul', {}, ...t.signatures.map((g) => el('li', {}, link.account(g.key, 10))))],
      ['Checked in your browser', el('span', {}, 'checking…')],
    ]), el('h2', {}, 'Operations'), opList);
    const dds = region.querySelectorAll('dl.kv dd');
    dds[dds.length - 1].replaceChildren(await browserChecks(t, s.net_kind));
  } catch (e) {
    showError(region, e);
  }
}

main();
