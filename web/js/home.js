// Home: the chain tip, reserve coverage, and the latest blocks and transactions, kept live by
// the node's event stream (GET /v1/events). Blocks are read as bytes (GET /v1/blocks?from=H)
// and decoded here, so each block's hash and transaction ids are recomputed in the browser.
import { decodeBlock, parseAmount } from '../src/petro.js';
import { amount, client, el, header, link, nodeStatus, opInWords, showError, table, time } from './ui.js';

const SHOWN_BLOCKS = 10;
const SHOWN_TXS = 15;
const blocks = []; // decoded, newest first
let net = 'test';

header('home');

function blockRow(b) {
  return el('tr', { 'data-height': b.height, class: b.fresh ? 'fresh' : null },
    el('td', {}, link.block(b.height)),
    el('td', {}, time(b.timestamp_ms)),
    el('td', { class: 'num' }, String(b.tx_count)),
    el('td', {}, link.account(b.proposer, 6)),
    el('td', {}, el('span', { class: 'ok', title: 'hash recomputed from the block bytes' }, '✓ '),
      el('span', { class: 'mono' }, b.hash.slice(0, 12), '…')));
}

function txRow(tx, b) {
  const first = tx.operations[0];
  return el('tr', { 'data-hash': tx.hash, class: b.fresh ? 'fresh' : null },
    el('td', {}, link.tx(tx.hash, 6)),
    el('td', {}, link.block(b.height)),
    el('td', {}, opInWords(first, tx.source),
      tx.operations.length > 1 ? el('span', { class: 'hint' }, ` and ${tx.operations.length - 1} more`) : null));
}

function render() {
  const shown = blocks.slice(0, SHOWN_BLOCKS);
  document.getElementById('blocks').replaceChildren(
    table('Latest blocks, newest first', ['Height', 'Time', 'Txs', 'Proposer', 'Hash'], shown.map(blockRow)));
  const txs = blocks.flatMap((b) => b.txs.map((t) => [t, b])).slice(0, SHOWN_TXS);
  document.getElementById('txs').replaceChildren(txs.length === 0
    ? el('p', {}, 'No transactions in the latest blocks yet.')
    : table('Latest transactions, newest first', ['Hash', 'Block', 'What'], txs.map(([t, b]) => txRow(t, b))));
  if (shown.length > 0) {
    document.getElementById('height').textContent = String(shown[0].height);
    document.getElementById('block-time').replaceChildren(time(shown[0].timestamp_ms));
  }
  // Transactions per second over the shown blocks (a display figure, not an amount).
  if (shown.length >= 2) {
    const span = (shown[0].timestamp_ms - shown[shown.length - 1].timestamp_ms) / 1000;
    const count = shown.slice(0, -1).reduce((a, b) => a + b.tx_count, 0);
    document.getElementById('tps').textContent = span > 0 ? (count / span).toFixed(2) : '–';
    document.getElementById('tps-hint').textContent = ` over the last ${shown.length} blocks`;
  }
}

async function loadBlocks(from, count) {
  if (from < 1) { count -= 1 - from; from = 1; }
  if (count <= 0) return [];
  const raw = await client.blockBytes(from, count);
  return raw.map((bytes) => decodeBlock(bytes, net));
}

async function loadReserves() {
  const region = document.getElementById('reserves');
  try {
    const r = await client.reserves();
    const rows = r.reserves.map((a) => {
      // Coverage as a gauge: cap / supply in basis points, exact integers.
      const supply = parseAmount(a.supply);
      const cap = parseAmount(a.cap);
      const bps = supply === 0n ? 10000n : (cap * 10000n) / supply;
      const pct = Number(bps > 20000n ? 20000n : bps) / 100;
      return el('tr', {},
        el('th', { scope: 'row' }, a.asset.split(':')[0], el('span', { class: 'hint' }, ` backed by ${a.commodity}`)),
        el('td', {}, amount(a.supply)),
        el('td', {}, amount(a.attested), el('span', { class: 'hint' }, ` ${a.commodity_unit.replace(/_/g, ' ')}s`)),
        el('td', {}, supply === 0n ? '' : el('meter', { min: 0, max: 200, low: 100, optimum: 150,
          value: pct, 'aria-label': `coverage of ${a.asset.split(':')[0]}` }), ' ', a.coverage ?? 'no supply yet'),
        el('td', {}, a.latest_checkpoint ? link.block(a.latest_checkpoint.height) : 'off'));
    });
    region.replaceChildren(
      r.warning ? el('p', { class: 'error', role: 'alert' }, r.warning) : '',
      table('Reserve-backed assets', ['Asset', 'Supply', 'Attested', 'Coverage', 'Checkpoint'], rows));
  } catch (e) {
    showError(region, e);
  }
}

async function onBlock(height) {
  if (blocks.length > 0 && height <= blocks[0].height) return;
  const from = blocks.length > 0 ? blocks[0].height + 1 : height;
  const fresh = await loadBlocks(from, Math.min(64, height - from + 1));
  for (const b of fresh) {
    b.fresh = true;
    blocks.unshift(b);
  }
  blocks.length = Math.min(blocks.length, 64);
  render();
  const n = fresh.reduce((a, b) => a + b.tx_count, 0);
  document.getElementById('announce').textContent =
    `New block ${height} with ${n} transaction${n === 1 ? '' : 's'}.`;
  const s = await client.status();
  document.getElementById('mempool').textContent = String(s.mempool_size);
  loadReserves();
}

function listen() {
  const live = document.getElementById('live');
  const es = new EventSource('/v1/events');
  es.addEventListener('open', () => { live.textContent = 'connected: blocks appear as they are committed'; });
  es.addEventListener('error', () => { live.textContent = 'reconnecting…'; });
  let queue = Promise.resolve();
  es.addEventListener('block', (ev) => {
    const b = JSON.parse(ev.data);
    queue = queue.then(() => onBlock(b.height)).catch((e) => console.warn('block', b.height, e));
  });
}

async function main() {
  try {
    const s = await nodeStatus();
    net = s.net_kind;
    document.getElementById('mempool').textContent = String(s.mempool_size);
    document.getElementById('height').textContent = String(s.height);
    const got = await loadBlocks(s.height - SHOWN_BLOCKS + 1, SHOWN_BLOCKS);
    blocks.push(...got.reverse());
    render();
    if (blocks.length === 0) {
      document.getElementById('blocks').replaceChildren(el('p', {}, 'Only the genesis block so far.'));
    }
  } catch (e) {
    showError(document.getElementById('blocks'), e);
  }
  loadReserves();
  listen();
}

main();
