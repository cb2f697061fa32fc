// Reserves: per reserve-backed asset (GET /v1/reserves) the attestations in force with their
// documents' hashes and validity, the oracle prices (the fresh count and reference price from
// the node; each posted price read from the latest blocks' bytes, decoded here), coverage and
// supply, the latest signed checkpoint (its Ed25519 signature verified here), and coverage and
// supply over time (GET /v1/reserves/history) drawn with uPlot. Amounts stay the API's decimal
// strings everywhere they are shown; the chart alone plots them as numbers, and its legend
// shows the exact strings.
import uPlot from 'uplot';
import { decodeBlock, parseAmount, verifyCheckpoint } from '../src/petro.js';
import { amount, assetName, client, el, fileHash, header, kv, link, nodeStatus, showError,
  table, time } from './ui.js';

header('reserves');

const PRICE_BLOCKS = 512; // how far back the page looks for posted oracle prices
const HISTORY = 1000;
const charts = [];
let attestations = []; // every attestation shown, for the certificate check

const unit = (r) => r.commodity_unit.replace(/_/g, ' ');

function validity(a, now) {
  const days = Math.floor((a.valid_until_ms - now) / 86400000);
  return [time(a.valid_from_ms), ' to ', time(a.valid_until_ms),
    el('br'), now < a.valid_from_ms ? el('span', { class: 'hint' }, 'not yet in force')
      : el('span', { class: 'ok' }, `in force, ${days} day${days === 1 ? '' : 's'} left`)];
}

function attestationTable(r, now) {
  if (r.attestations.length === 0) {
    return el('p', { class: 'error' }, 'No attestation in force: nothing backs new issuance.');
  }
  return table(`Attestations in force for ${r.asset.split(':')[0]}`,
    ['#', 'Quantity', 'Custodian', 'Document hash (BLAKE2b-256)', 'Validity', 'Block'],
    r.attestations.map((a) => el('tr', { 'data-attestation': a.id },
      el('td', { class: 'num' }, String(a.id)),
      el('td', { class: 'num' }, amount(a.quantity), el('span', { class: 'hint' }, ` ${unit(r)}s`)),
      el('td', {}, a.custodian),
      el('td', {}, el('span', { class: 'mono', 'data-testid': 'document-hash' }, a.document_hash)),
      el('td', {}, validity(a, now)),
      el('td', {}, link.block(a.height)))));
}

function coverageCell(r) {
  if (r.coverage === null) return 'no supply yet';
  const supply = parseAmount(r.supply);
  const cap = parseAmount(r.cap);
  const bps = supply === 0n ? 10000n : (cap * 10000n) / supply;
  const pct = Number(bps > 20000n ? 20000n : bps) / 100;
  return [el('meter', { min: 0, max: 200, low: 100, optimum: 150, value: pct,
    'aria-label': `coverage of ${r.asset.split(':')[0]}` }), ' ', r.coverage,
  r.under_covered ? el('strong', { class: 'bad' }, ' under-covered: issuance blocked') : ''];
}

function checkpointView(cp, status) {
  if (!cp) return el('p', {}, 'Checkpoints are off on this node.');
  let ok = false;
  try { ok = verifyCheckpoint(cp); } catch { ok = false; }
  const ours = cp.validator === status.proposer ||
    (status.cluster && status.cluster.validators.some((v) => v.pubkey === cp.validator_key));
  return kv([
    ['Height', link.block(cp.height)],
    ['Time', time(cp.timestamp_ms)],
    ['Block hash', el('span', { class: 'mono' }, cp.block_hash)],
    ['Merkle-sum root', el('span', { class: 'mono' }, cp.root)],
    ['Total held (the supply)', amount(cp.total)],
    ['Attested, cap', [amount(cp.attested), ' , cap ', amount(cp.cap)]],
    ['Leaves', `${cp.leaf_count - cp.lock_count} balances, ${cp.lock_count} locks`],
    ['Validator', [el('span', { class: 'mono' }, cp.validator_key),
      ours ? el('span', { class: 'hint' }, ' (this network\'s validator)') : '']],
    ['Signature', el('span', { 'data-testid': 'checkpoint-check', class: ok ? 'ok' : 'bad' },
      ok ? '✓ verified in your browser (Ed25519 over the checkpoint)' : '✗ the signature does not verify')],
    ['Your balance in it', el('a', { href: 'account.html' }, 'verify your proof on the account page')],
  ]);
}

function priceTable(r, prices) {
  const mine = prices.filter((p) => p.commodity === r.commodity);
  if (mine.length === 0) return el('p', { class: 'hint' }, `No oracle price posted for ${r.commodity} in the latest ${PRICE_BLOCKS} blocks.`);
  return table(`Oracle prices of ${r.commodity} posted in the latest ${PRICE_BLOCKS} blocks, newest first`,
    ['Oracle', 'Price', 'Observed', 'Block'],
    mine.map((p) => el('tr', {},
      el('td', {}, link.account(p.oracle, 6)),
      el('td', { class: 'num' }, amount(p.price), el('span', { class: 'hint' }, ` ${p.quote} per ${unit(r)}`)),
      el('td', {}, time(p.timestamp_ms)),
      el('td', {}, link.block(p.height)))));
}

function historyTable(r, records) {
  return table(`Checkpoints of ${r.asset.split(':')[0]}, oldest first`,
    ['Height', 'Time', 'Supply', 'Cap', 'Cap / supply', 'Holders', 'Locks'],
    records.map((h) => el('tr', { class: h.under_covered ? 'diverged' : null },
      el('td', {}, link.block(h.height)), el('td', {}, time(h.timestamp_ms)),
      el('td', { class: 'num' }, amount(h.supply)), el('td', { class: 'num' }, amount(h.cap)),
      el('td', { class: 'num' }, h.cap_over_supply ?? '–'),
      el('td', { class: 'num' }, String(h.holders)), el('td', { class: 'num' }, String(h.locks)))));
}

/** Coverage (right axis, %) and supply and cap (left axis) at every checkpoint. */
function drawChart(box, r, records) {
  const code = r.asset.split(':')[0];
  const num = (s) => (s === null || s === undefined ? null : Number(parseAmount(s)) / 1e8);
  const pct = (s) => (typeof s === 'string' && /^[0-9.]+%$/.test(s) ? parseFloat(s) : null);
  const data = [records.map((h) => h.timestamp_ms / 1000), records.map((h) => num(h.supply)),
    records.map((h) => num(h.cap)), records.map((h) => pct(h.cap_over_supply))];
  const exact = (key) => (u, v, si, i) => (i === null || i === undefined ? '–' : records[i][key] ?? '–');
  const opts = {
    width: Math.max(280, box.clientWidth - 16),
    height: 260,
    series: [
      { label: 'Time', value: (u, v, si, i) => (i === null || i === undefined ? '–'
        : `block ${records[i].height}`) },
      { label: `Supply (${code})`, stroke: '#0b4f9c', width: 2, scale: 'units', value: exact('supply'),
        points: { show: records.length < 40 } },
      { label: `Cap (${code})`, stroke: '#116329', width: 2, dash: [6, 4], scale: 'units', value: exact('cap'),
        points: { show: records.length < 40 } },
      { label: 'Cap / supply', stroke: '#a15c00', width: 2, scale: '%', value: exact('cap_over_supply'),
        points: { show: records.length < 40 } },
    ],
    axes: [{}, { scale: 'units', size: 110 }, { scale: '%', side: 1, size: 60, grid: { show: false },
      values: (u, vals) => vals.map((v) => `${v}%`) }],
    scales: { '%': { range: (u, min, max) => [Math.min(0, min ?? 0), Math.max(150, (max ?? 100) * 1.1)] } },
  };
  const chart = new uPlot(opts, data, box);
  charts.push([chart, box]);
}

/** Oracle prices in the latest blocks, read from their bytes: [{oracle, commodity, price, ...}]. */
async function recentPrices(status) {
  const out = [];
  let top = status.height;
  while (top >= 1 && status.height - top < PRICE_BLOCKS) {
    const from = Math.max(1, top - 63);
    const blocks = (await client.blockBytes(from, top - from + 1)).map((b) => decodeBlock(b, status.net_kind));
    for (const b of blocks.reverse()) {
      for (const tx of b.txs) {
        for (const op of tx.operations) {
          if (op.type === 'oracle_price') out.push({ oracle: tx.source, height: b.height, ...op });
        }
      }
    }
    top = from - 1;
  }
  return out;
}

async function assetSection(r, status, now, prices) {
  const code = r.asset.split(':')[0];
  const box = el('div', { class: 'chart', role: 'img', 'data-testid': `chart-${code}`,
    'aria-label': `Chart of the supply, cap and coverage of ${code} at each checkpoint; the same figures are in the table below it` });
  const details = el('details', { class: 'data' }, el('summary', {}, 'The chart\'s figures as a table'));
  const section = el('section', { class: 'asset', id: `r-${r.asset}`, 'data-asset': r.asset,
    'aria-labelledby': `h-${code}` },
  el('h2', { id: `h-${code}` }, assetName(r.asset), ` backed by ${r.commodity}`),
  kv([
    ['Supply', [amount(r.supply, r.asset), el('span', { class: 'hint' }, ` (outstanding ${r.outstanding})`)]],
    ['Attested', [amount(r.attested), ` ${unit(r)}s in ${r.attestation_count} attestation${r.attestation_count === 1 ? '' : 's'}`,
      r.attestations_expire_ms ? el('span', { class: 'hint' }, [' (the first expires ', time(r.attestations_expire_ms), ')']) : '']],
    ['Cap', [amount(r.cap, r.asset), el('span', { class: 'hint' }, ` (${r.asset_units_per_commodity_unit} ${code} per ${unit(r)}, min. coverage ${r.min_coverage}); headroom ${r.headroom}`)]],
    ['Coverage', el('span', { 'data-testid': `coverage-${code}` }, coverageCell(r))],
    ['Reference price', el('span', { 'data-testid': `price-${code}` }, r.reference_price === null
      ? `none (${r.fresh_prices} fresh oracle prices)`
      : [amount(r.reference_price), ` ${r.quote} per ${unit(r)}, median of ${r.fresh_prices} fresh oracle price${r.fresh_prices === 1 ? '' : 's'}`])],
    ['Valuation', r.valuation === null ? '–' : amount(r.valuation, r.quote)],
  ]),
  el('h3', {}, 'Attestations'), attestationTable(r, now),
  el('h3', {}, 'Oracle prices'), priceTable(r, prices),
  el('h3', {}, 'Latest checkpoint'), checkpointView(r.latest_checkpoint, status),
  el('h3', {}, 'Coverage and supply over time'), box, details);
  document.getElementById('reserves').append(section);
  try {
    const { records } = await client.reservesHistory({ asset: r.asset, limit: HISTORY });
    if (records.length === 0) {
      box.replaceWith(el('p', { class: 'hint' }, 'No checkpoint recorded yet.'));
      return;
    }
    drawChart(box, r, records);
    details.append(historyTable(r, records));
  } catch (e) {
    showError(box, e);
  }
}

function checkDocument(file) {
  const region = document.getElementById('doc-result');
  region.replaceChildren(el('p', {}, 'Hashing…'));
  fileHash(file).then((h) => {
    const hit = attestations.filter(([, a]) => a.document_hash === h);
    region.replaceChildren(el('p', { class: `verdict ${hit.length ? 'ok' : 'bad'}`, role: 'status', 'data-testid': 'doc-verdict' },
      hit.length ? `Matches attestation ${hit.map(([r, a]) => `#${a.id} of ${r.asset.split(':')[0]}`).join(', ')}`
        : 'No attestation in force has this document hash.'),
    el('p', {}, 'BLAKE2b-256 of ', file.name, ': ', el('span', { class: 'mono' }, h)));
  }).catch((e) => showError(region, e));
}

async function main() {
  const region = document.getElementById('reserves');
  try {
    const [status, res] = await Promise.all([nodeStatus(), client.reserves()]);
    let prices = [];
    try { prices = await recentPrices(status); } catch (e) { console.warn('oracle prices', e); }
    region.replaceChildren();
    if (res.warning) {
      document.getElementById('warning').replaceChildren(el('p', { class: 'error', role: 'alert' }, res.warning));
    }
    if (res.reserves.length === 0) region.append(el('p', {}, 'No reserve-backed asset on this ledger.'));
    attestations = res.reserves.flatMap((r) => r.attestations.map((a) => [r, a]));
    for (const r of res.reserves) await assetSection(r, status, res.timestamp_ms, prices);
    if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
  } catch (e) {
    showError(region, e);
  }
}

document.getElementById('doc-file').addEventListener('change', (e) => {
  if (e.target.files.length > 0) checkDocument(e.target.files[0]);
});
window.addEventListener('resize', () => {
  for (const [c, box] of charts) c.setSize({ width: Math.max(280, box.clientWidth - 16), height: 260 });
});

main();
