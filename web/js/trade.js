// Trade: turnover by zone, country pair and HS chapter (GET /v1/stats/trade), progress against
// the bilateral targets (GET /v1/trade/targets), every contract (GET /v1/trade/contracts), and
// one contract's timeline: its terms (GET /v1/trade/contracts/{id}) and every transaction that
// acted on it, from creation through funding, documents and approvals to release, read from
// the exporter's history (which lists every trade operation of its contracts, refused ones
// included). A document the user holds can be checked against the presented hashes here.
import { amount, assetName, client, el, fileHash, header, kv, link, param, showError, table, time } from './ui.js';

header('trade');

const CONTRACTS_SHOWN = 50;
const words = (s) => String(s).replace(/_/g, ' ');

/** "7", "c7", "C 7", "contract 7", "contract #7" -> 7n; null for anything else. */
export function contractId(text) {
  const m = /^(?:(?:c|contract)\s*#?\s*)?(\d{1,20})$/i.exec(String(text).trim());
  return m && BigInt(m[1]) > 0n ? BigInt(m[1]) : null;
}

// ------------------------------------------------------------------ one contract

function isThisContract(c, tx, op) {
  if (op.contract_id !== undefined) return String(op.contract_id) === String(c.id);
  return op.type === 'trade_create' && tx.height === c.created_height && tx.source === c.importer &&
    op.exporter === c.exporter && op.hs_code === c.hs_code;
}

/** The transactions that acted on contract c, oldest first, as [tx, op] pairs. */
async function contractTxs(c) {
  const out = [];
  let cursor = null;
  for (;;) {
    const page = await client.accountTransactions(c.exporter, { limit: 200, cursor });
    for (const tx of page.transactions) {
      tx.operations.forEach((op, i) => {
        if (op.type.startsWith('trade_') && isThisContract(c, tx, op)) out.push([tx, op, i]);
      });
    }
    const oldest = page.transactions[page.transactions.length - 1];
    if (!page.next_cursor || !oldest || oldest.height < c.created_height) break;
    cursor = page.next_cursor;
  }
  return out.reverse();
}

const roleOf = (c, a) => (a === c.importer ? 'the importer' : a === c.exporter ? 'the exporter'
  : c.approvers.includes(a) ? `approver ${c.approvers.indexOf(a) + 1}` : 'an account');

function stepWords(c, tx, op) {
  const who = [link.account(tx.source, 6), el('span', { class: 'hint' }, ` (${roleOf(c, tx.source)})`)];
  switch (op.type) {
    case 'trade_create': return [el('strong', {}, 'Created'), ' by ', who, ': ', amount(op.amount, op.asset),
      ` for ${op.quantity} ${op.unit} of ${op.description} (HS ${op.hs_code}), ${op.incoterm} ${op.origin} → ${op.destination}; `,
      `documents ${op.documents.map(words).join(', ')}; ${op.threshold} of ${op.approvers.length} approvers`];
    case 'trade_fund': return [el('strong', {}, 'Funded'), ' by ', who, ': the contract value is locked in escrow'];
    case 'trade_present': return [el('strong', {}, `${words(op.document)} presented`), ' by ', who,
      op.reference ? `, reference ${op.reference}` : '', el('br'),
      el('span', { class: 'hint' }, 'hash '), el('span', { class: 'mono' }, op.document_hash)];
    case 'trade_approve': return op.approve ? [el('strong', {}, 'Approved'), ' by ', who]
      : [el('strong', {}, 'Rejected'), ' by ', who, ` (reason ${op.reason})`];
    case 'trade_release': return [el('strong', {}, 'Released'), ' by ', who, ': ',
      op.amount === '0' ? 'the whole escrow' : amount(op.amount), ' to the exporter'];
    case 'trade_refund': return [el('strong', {}, 'Refunded'), ' to the importer, by ', who];
    case 'trade_dispute': return [el('strong', {}, 'Disputed'), ' by ', who, ` (reason ${op.reason})`];
    case 'trade_resolve': return [el('strong', {}, 'Resolution vote'), ' by ', who, ': ',
      amount(op.exporter_amount), ' to the exporter, the rest back'];
    case 'trade_amend': return [el('strong', {}, 'Amended'), ' by ', who, ': amount ', amount(op.amount)];
    default: return [el('strong', {}, words(op.type)), ' by ', who];
  }
}

function timeline(c, steps) {
  const items = steps.map(([tx, op, i]) => {
    const ok = tx.result.code === 'ok';
    const code = ok ? 'ok' : (tx.result.op_results[i] !== 'ok' ? tx.result.op_results[i] : tx.result.code);
    return el('li', { class: ok ? null : 'failed', 'data-step': op.type, 'data-ok': String(ok) },
      el('span', { class: 'when' }, time(tx.timestamp_ms ?? 0), ' · block ', link.block(tx.height), ' · ', link.tx(tx.hash, 6)),
      ...stepWords(c, tx, op),
      ok ? '' : el('span', { class: 'bad' }, ` — refused: ${code}`));
  });
  const done = ['released', 'refunded', 'resolved'].includes(c.state);
  if (!done) {
    const have = new Set(c.presented.filter((p) => p.shipment === c.shipment).map((p) => p.type));
    const missing = c.documents.filter((d) => !have.has(d));
    const next = c.state === 'created' ? 'Next: the importer funds the escrow.'
      : c.state === 'disputed' ? `Next: the approvers settle the dispute (${c.resolve_votes.length} vote${c.resolve_votes.length === 1 ? '' : 's'} so far).`
        : missing.length ? `Next: the exporter presents ${missing.map(words).join(', ')}.`
          : c.approved_by.length < c.threshold ? `Next: approvals (${c.approved_by.length} of ${c.threshold} so far).`
            : 'Next: the release (by the importer, the exporter or an approver).';
    items.push(el('li', { class: 'upcoming', 'data-step': 'next' }, next));
  }
  return el('ol', { class: 'timeline', 'aria-label': `Timeline of contract ${c.id}`, 'data-testid': 'timeline' }, ...items);
}

function terms(c) {
  return kv([
    ['State', el('strong', { 'data-testid': 'contract-state' }, c.state)],
    ['Importer', link.account(c.importer, 10)],
    ['Exporter', link.account(c.exporter, 10)],
    ['Value', amount(c.amount, c.asset)],
    ['Escrow', [amount(c.locked), ' locked, ', amount(c.released), ' released, ', amount(c.refunded), ' refunded']],
    ['Goods', `${c.quantity} ${c.unit} of ${c.description} (HS ${c.hs_code}, chapter ${c.hs_chapter})`],
    ['Route', `${c.incoterm} ${c.origin} → ${c.destination}`],
    ['Documents required', c.documents.map(words).join(', ')],
    ['Approvers', el('ul', {}, ...c.approvers.map((a) => el('li', {}, link.account(a, 8),
      c.approved_by.includes(a) ? el('span', { class: 'ok' }, ' approved') : '',
      c.rejected_by.includes(a) ? el('span', { class: 'bad' }, ' rejected') : '')))],
    ['Threshold', `${c.threshold} of ${c.approvers.length}${c.allow_partial ? ', partial shipments allowed' : ''}; shipment ${c.shipment}`],
    ['Ship by', time(c.shipment_deadline_ms)],
    ['Expires', time(c.expiry_ms)],
    ['Created', [time(c.created_ms), ' in block ', link.block(c.created_height)]],
  ]);
}

function presentedTable(c) {
  if (c.presented.length === 0) return el('p', {}, 'No document presented yet.');
  return table(`Documents presented for contract ${c.id}`, ['Shipment', 'Document', 'Reference', 'Hash (BLAKE2b-256)', 'Presented'],
    c.presented.map((p) => el('tr', {}, el('td', { class: 'num' }, String(p.shipment)), el('td', {}, words(p.type)),
      el('td', {}, p.reference), el('td', {}, el('span', { class: 'mono' }, p.hash)),
      el('td', {}, time(p.time_ms), ' block ', link.block(p.height)))));
}

function documentCheck(c) {
  const out = el('div', { 'aria-live': 'polite' });
  const input = el('input', { type: 'file', id: 'doc-file', onchange: async (e) => {
    const f = e.target.files[0];
    if (!f) return;
    const h = await fileHash(f);
    const hit = c.presented.find((p) => p.hash === h);
    out.replaceChildren(el('p', { class: `verdict ${hit ? 'ok' : 'bad'}`, role: 'status' },
      hit ? `Matches the ${words(hit.type)} presented in block ${hit.height}` : 'No presented document has this hash.'),
    el('p', {}, 'BLAKE2b-256 of ', f.name, ': ', el('span', { class: 'mono' }, h)));
  } });
  return el('div', { class: 'panel' }, el('label', { for: 'doc-file' },
    'Check a document you hold against the presented hashes (hashed in this browser, sent nowhere) ', input), out);
}

async function showContract(id) {
  const s = document.getElementById('contract-s');
  const view = document.getElementById('contract-view');
  s.hidden = false;
  view.replaceChildren(el('p', {}, 'Loading…'));
  try {
    const c = await client.contract(id);
    document.getElementById('contract-h').textContent = `Contract ${c.id}`;
    document.title = `Contract ${c.id} · Petro explorer`;
    const steps = await contractTxs(c);
    // Transactions carry no time of their own: the block's.
    const heights = [...new Set(steps.map(([tx]) => tx.height))];
    const times = new Map(await Promise.all(heights.map(async (h) => [h, (await client.block(h)).timestamp_ms])));
    for (const [tx] of steps) tx.timestamp_ms = times.get(tx.height);
    view.replaceChildren(terms(c), el('h3', {}, 'Timeline'), timeline(c, steps),
      el('h3', {}, 'Documents'), presentedTable(c), documentCheck(c));
  } catch (e) {
    showError(view, e);
  }
}

// ------------------------------------------------------------------ turnover, targets, list

const GROUPS = [
  ['zone', 'By zone (the exporter\'s)', (r, zones) => (r.zone === null ? 'no zone'
    : `${r.zone} ${zones.get(r.zone)?.name ?? ''}`.trim())],
  ['country_pair', 'By country pair', (r) => `${r.origin} → ${r.destination}`],
  ['hs_chapter', 'By HS chapter', (r) => `HS ${String(r.hs_chapter).padStart(2, '0')}`],
  ['total', 'Total', () => 'all'],
];

async function loadTurnover() {
  const region = document.getElementById('turnover');
  const period = document.getElementById('period').value;
  try {
    const [zl, ...stats] = await Promise.all([client.zones(),
      ...GROUPS.map(([g]) => client.tradeStats({ group: g, period }))]);
    const zones = new Map(zl.zones.map((z) => [z.id, z]));
    region.replaceChildren(...GROUPS.map(([g, title, key], i) => el('section', { 'data-group': g },
      el('h3', {}, title),
      stats[i].rows.length === 0 ? el('p', { class: 'hint' }, 'No release yet.')
        : table(`Turnover ${title.toLowerCase()} per ${period}`, [g === 'total' ? '' : 'Group', period === 'year' ? 'Year' : 'Month', 'Asset', 'Releases', 'Value'],
          stats[i].rows.map((r) => el('tr', {}, el('th', { scope: 'row' }, key(r, zones)), el('td', {}, r[period]),
            el('td', {}, assetName(r.asset)), el('td', { class: 'num' }, String(r.count)),
            el('td', { class: 'num' }, amount(r.value))))))));
  } catch (e) {
    showError(region, e);
  }
}

async function loadTargets() {
  const region = document.getElementById('targets');
  try {
    const { targets } = await client.tradeTargets();
    if (targets.length === 0) {
      region.replaceChildren(el('p', {}, 'No bilateral target set yet (a zone authority sets them: ',
        el('code', {}, 'petro trade target'), ').'));
      return;
    }
    region.replaceChildren(table('Turnover against the bilateral targets',
      ['Pair', 'Asset', 'Base year', 'Target', 'So far', 'Progress'],
      targets.map((t) => el('tr', { 'data-pair': `${t.origin}-${t.destination}` },
        el('th', { scope: 'row' }, `${t.origin} → ${t.destination}`), el('td', {}, assetName(t.asset)),
        el('td', {}, `${t.base_year}: `, amount(t.base_turnover)),
        el('td', {}, `${t.target_year}: `, amount(t.target_turnover), el('span', { class: 'hint' }, ` (+${(t.growth_bps / 100).toFixed(2)}%)`)),
        el('td', { class: 'num' }, amount(t.current_turnover)),
        el('td', {}, t.progress_bps === null ? el('span', { class: 'hint' }, 'n/a (no base-year turnover)')
          : [el('meter', { min: 0, max: 10000, value: Math.min(t.progress_bps, 10000), 'aria-label': `progress ${t.origin} to ${t.destination}` }),
            ` ${(t.progress_bps / 100).toFixed(2)}%`])))));
  } catch (e) {
    showError(region, e);
  }
}

async function loadContracts() {
  const region = document.getElementById('contracts');
  try {
    const { contracts } = await client.contracts();
    if (contracts.length === 0) {
      region.replaceChildren(el('p', {}, 'No contract yet.'));
      return;
    }
    const shown = contracts.slice(-CONTRACTS_SHOWN).reverse();
    region.replaceChildren(table(`${contracts.length} contracts, newest first${contracts.length > CONTRACTS_SHOWN ? ` (the latest ${CONTRACTS_SHOWN})` : ''}`,
      ['Id', 'State', 'Value', 'Route', 'HS', 'Importer', 'Exporter'],
      shown.map((c) => el('tr', { 'data-contract': c.id },
        el('td', {}, el('a', { href: `trade.html?contract=${c.id}` }, `c${c.id}`)), el('td', {}, c.state),
        el('td', { class: 'num' }, amount(c.amount, c.asset)), el('td', {}, `${c.origin} → ${c.destination}`),
        el('td', {}, String(c.hs_code)), el('td', {}, link.account(c.importer, 6)), el('td', {}, link.account(c.exporter, 6))))));
  } catch (e) {
    showError(region, e);
  }
}

const input = document.getElementById('contract');
document.getElementById('pick').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = contractId(input.value);
  if (id === null) document.getElementById('pick-msg').textContent = 'A contract id is a number >= 1 (7, c7 or contract 7).';
  else location.href = `trade.html?contract=${id}`;
});
document.getElementById('period').addEventListener('change', loadTurnover);

const wanted = param('contract');
if (wanted !== null) {
  input.value = wanted;
  const id = contractId(wanted);
  if (id === null) showError(document.getElementById('contract-view'), new Error(`${wanted} is not a contract id`));
  else showContract(id);
  document.getElementById('contract-s').hidden = false;
}
loadTurnover();
loadTargets();
loadContracts();
