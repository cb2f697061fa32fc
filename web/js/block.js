// Block: its header as the node shows it, checked against the block's own bytes decoded here
// (hash, transaction and witness roots recomputed, the proposer's signature verified in the
// browser), and its transactions in words.
import { decodeBlock, verifyBlockSignature } from '../src/petro.js';
import { client, el, header, link, nodeStatus, opInWords, param, showError, table, time } from './ui.js';

header('block');

function kv(pairs) {
  return el('dl', { class: 'kv' }, ...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function check(ok, yes, no) {
  return el('span', { class: ok ? 'ok' : 'bad' }, ok ? `✓ ${yes}` : `✗ ${no}`);
}

async function main() {
  const region = document.getElementById('content');
  const want = param('height') || 'latest';
  try {
    const s = await nodeStatus();
    const b = await client.block(want);
    document.getElementById('title').textContent = `Block ${b.height}`;
    document.title = `Block ${b.height} · Petro explorer`;
    let decoded = null;
    if (b.height >= 1) decoded = decodeBlock((await client.blockBytes(b.height, 1))[0], s.net_kind);
    const nav = el('p', { class: 'pager' },
      b.height > 0 ? el('a', { href: `block.html?height=${b.height - 1}` }, '← previous block') : '',
      el('a', { href: `block.html?height=${b.height + 1}` }, 'next block →'));
    const checks = decoded ? [
      ['Checked in your browser', el('span', { 'data-testid': 'block-check' },
        check(decoded.hash === b.hash, 'the hash of the header bytes is this block hash', 'the header bytes hash to another value'),
        el('br'), check(decoded.tx_root_ok, 'the transaction root is the Merkle root of the ids', 'the transaction root does not match'),
        el('br'), check(decoded.witness_root_ok, 'the witness root is the Merkle root of the signatures', 'the witness root does not match'),
        el('br'), check(verifyBlockSignature(decoded, s.network_id), 'the proposer signed this block', 'the proposer\'s signature does not verify'))],
    ] : [['Checked in your browser', 'the genesis block has no transactions (its bytes are not served)']];
    const txs = decoded ? decoded.txs : [];
    region.replaceChildren(nav, kv([
      ['Height', String(b.height)],
      ['Hash', el('span', { class: 'mono' }, b.hash)],
      ['Previous', b.height > 0 ? el('a', { href: `block.html?height=${b.height - 1}` }, el('span', { class: 'mono' }, b.prev_hash)) : '–'],
      ['Time', time(b.timestamp_ms)],
      ['Proposer', link.account(b.proposer, 10)],
      ['Transactions', String(b.tx_count)],
      ['Transaction root', el('span', { class: 'mono' }, b.tx_root)],
      ['Witness root', el('span', { class: 'mono' }, b.witness_root)],
      ['Result root', el('span', { class: 'mono' }, b.result_root)],
      ['State hash', el('span', { class: 'mono' }, b.state_hash)],
      ['Signature', el('span', { class: 'mono' }, b.signature)],
      ...checks,
    ]), el('h2', {}, 'Transactions'), txs.length === 0 ? el('p', {}, 'None.') :
      table(`Transactions of block ${b.height}, in block order`, ['#', 'Hash', 'What'],
        txs.map((t, i) => el('tr', { 'data-hash': t.hash }, el('td', { class: 'num' }, String(i)),
          el('td', {}, link.tx(t.hash, 6)),
          el('td', {}, ...t.operations.map((op) => el('div', {}, opInWords(op, t.source))))))));
  } catch (e) {
    showError(region, e);
  }
}

main();
