// Account: balances, history with paging (and CSV of a page), live refresh from the event
// stream, and "verify my proof of reserves": the proof is fetched from the node (or a file the
// user chooses) and checked here, by web/src/petro.js, each check shown by name.
import { decodeAddress, verifyProof, verifyStateProof } from '../src/petro.js';
import { amount, client, el, header, link, nodeStatus, opInWords, param, short, showError, table } from './ui.js';

// The validator key the user trusts: from ?validator= (a link someone the user trusts gave
// them) or what they typed before (kept in this browser's localStorage), never from the node
// being checked: a node naming its own key as the one to trust would prove nothing.
const TRUSTED_KEY = 'petro.trustedValidator';

const PAGE = 10;
header('account');

const address = (param('address') || '').trim();
const input = document.getElementById('address');
input.value = address;
document.getElementById('pick').addEventListener('submit', (e) => {
  e.preventDefault();
  location.href = `account.html?address=${encodeURIComponent(input.value.trim())}`;
});

let cursors = [null]; // cursor of each page shown so far; the last is the current page's
let pageTxs = [];
let lastProof = null;

function kv(pairs) {
  return el('dl', { class: 'kv' }, ...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

async function loadAccount() {
  const a = await client.account(address);
  document.getElementById('title').textContent = 'Account';
  document.getElementById('account').replaceChildren(kv([
    ['Address', el('span', { class: 'mono', 'data-testid': 'address' }, a.address)],
    ['Sequence', String(a.sequence)],
    ['Frozen', a.frozen ? 'yes' : 'no'],
    ['Zone', a.zone === null ? 'none' : String(a.zone)],
    ['KYC tier', String(a.kyc_tier)],
    ['Created at block', link.block(a.created_height)],
    ['Pending transactions', String(a.pending_count)],
  ]));
  document.getElementById('balances').replaceChildren(table('Balances', ['Asset', 'Balance', 'Limit'],
    a.balances.map((b) => el('tr', { 'data-asset': b.asset },
      el('th', { scope: 'row' }, b.asset === 'PTR' ? 'PTR' : [b.asset.split(':')[0], ' ',
        el('span', { class: 'hint' }, 'issued by '), link.account(b.asset.split(':')[1], 6)]),
      el('td', { class: 'num', 'data-testid': `balance-${b.asset.split(':')[0]}` }, amount(b.balance)),
      el('td', { class: 'num' }, b.limit === null ? '–' : amount(b.limit))))));
  for (const id of ['balances-s', 'history-s', 'proof-s', 'state-s']) {
    document.getElementById(id).hidden = false;
  }
}

async function loadHistory() {
  const cursor = cursors[cursors.length - 1];
  const page = await client.accountTransactions(address, { limit: PAGE, cursor });
  pageTxs = page.transactions;
  const rows = page.transactions.map((t) => el('tr', { 'data-hash': t.hash },
    el('td', {}, link.tx(t.hash, 6)),
    el('td', {}, link.block(t.height)),
    el('td', {}, ...t.operations.map((op) => el('div', {}, opInWords(op, t.source)))),
    el('td', { class: 'num' }, amount(t.fee, 'PTR')),
    el('td', {}, el('span', { class: t.result.code === 'ok' ? 'ok' : 'bad' }, t.result.code),
      t.result.code === 'ok' ? '' : ` (${t.result.op_results.filter((c) => c !== 'ok').join(', ')})`)));
  document.getElementById('history').replaceChildren(rows.length === 0
    ? el('p', {}, cursors.length > 1 ? 'No older transactions.' : 'No transactions yet.')
    : table(`Transactions, newest first (page ${cursors.length})`, ['Hash', 'Block', 'What', 'Fee', 'Result'], rows));
  const older = document.getElementById('older');
  older.disabled = page.next_cursor === null;
  older.onclick = () => { cursors.push(page.next_cursor); loadHistory().catch(historyError); };
  document.getElementById('newest').disabled = cursors.length === 1;
}

function historyError(e) { showError(document.getElementById('history'), e); }

document.getElementById('newest').addEventListener('click', () => {
  cursors = [null];
  loadHistory().catch(historyError);
});

document.getElementById('csv').addEventListener('click', () => {
  const q = (s) => `"${String(s).replace(/"/g, '""')}"`;
  const lines = ['hash,height,index,source,sequence,fee,result,operations'];
  for (const t of pageTxs) {
    lines.push([t.hash, t.height, t.index, t.source, t.sequence, t.fee, t.result.code,
      q(JSON.stringify(t.operations))].join(','));
  }
  save(`${address}-history-page-${cursors.length}.csv`, lines.join('\n') + '\n', 'text/csv');
});

function save(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ------------------------------------------------------------------ proof of reserves

function renderProof(result, origin) {
  const region = document.getElementById('proof-result');
  const items = result.checks.map((c) => el('li', { 'data-check': c.name, 'data-ok': String(c.ok) },
    el('span', { class: c.ok ? 'ok' : 'bad', 'aria-label': c.ok ? 'passed' : 'failed' }, c.ok ? '✓' : '✗'),
    el('strong', {}, c.name),
    el('span', { class: 'msg' }, c.ok ? c.message : `FAILED: ${c.message}`)));
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  const s = result.summary;
  region.replaceChildren(
    el('p', { class: `verdict ${result.valid ? 'ok' : 'bad'}`, 'data-testid': 'proof-verdict', role: 'status' },
      result.valid ? `Proof valid (${origin})` : `Proof INVALID (${origin}): failed ${failed.join(', ')}`),
    result.error ? el('p', { class: 'error' }, result.error) : '',
    s ? kv([
      ['Your balance at the checkpoint', amount(s.balance)],
      ['Checkpoint', ['block ', link.block(s.height), `, ${s.leaf_count} holders`]],
      ['Total held (signed)', amount(s.total)],
      ['Cap from attested reserves', amount(s.cap)],
      ['Signed by', el('span', { class: 'mono' }, s.validator_key)],
    ]) : '',
    el('ol', { class: 'checks', 'aria-label': 'Checks' }, ...items), untrustedNote());
}

async function verifyOptions() {
  const s = await nodeStatus();
  const v = document.getElementById('validator').value.trim();
  return { validators: v ? [v] : undefined, networkId: s.network_id };
}

const untrustedNote = () => (document.getElementById('validator').value.trim() ? '' : el('p',
  { class: 'hint', 'data-testid': 'no-trusted-key' }, 'No validator key of yours was given: the ',
  'signature shows who signed, not that you should believe them. Enter a key you trust above.'));

function setupTrustedKey(s) {
  const v = document.getElementById('validator');
  const given = (param('validator') || '').trim();
  let saved = null;
  try {
    saved = localStorage.getItem(TRUSTED_KEY);
    if (given) localStorage.setItem(TRUSTED_KEY, given);
  } catch { /* storage off: the field still works for this page */ }
  v.value = given || saved || '';
  v.addEventListener('change', () => {
    try {
      localStorage.setItem(TRUSTED_KEY, v.value.trim());
    } catch { /* as above */ }
  });
  const use = el('button', { type: 'button', class: 'secondary', 'data-testid': 'use-node-key' },
    'Trust the key the node names');
  use.addEventListener('click', () => {
    v.value = s.proposer;
    v.dispatchEvent(new Event('change'));
  });
  document.getElementById('node-validator').replaceChildren('The node says its validator is ',
    el('span', { 'data-testid': 'node-says' }, short(s.proposer, 10)),
    '. That is the node\'s word, not a check: compare it with a key published by someone you trust. ', use);
}

async function fetchAndVerify() {
  const region = document.getElementById('proof-result');
  const asset = document.getElementById('proof-asset').value;
  region.replaceChildren(el('p', {}, 'Fetching the proof…'));
  try {
    lastProof = await client.proof(address, asset);
    document.getElementById('download-proof').disabled = false;
    renderProof(verifyProof(lastProof, await verifyOptions()), 'fetched from the node, checked here');
  } catch (e) {
    if (e.code === 'not_found') {
      region.replaceChildren(el('p', { class: 'error' }, 'No proof: ', e.message,
        '. Proofs exist at checkpoints only (every N blocks, see the node\'s checkpoint interval).'));
    } else {
      showError(region, e);
    }
  }
}

async function verifyFile(file) {
  try {
    const text = await file.text();
    renderProof(verifyProof(text, await verifyOptions()), `file ${file.name}`);
  } catch (e) {
    showError(document.getElementById('proof-result'), e);
  }
}

async function setupProof() {
  setupTrustedKey(await nodeStatus());
  try {
    const r = await client.reserves();
    const select = document.getElementById('proof-asset');
    select.replaceChildren(...r.reserves.map((a) => el('option', { value: a.asset }, a.asset.split(':')[0])));
  } catch { /* keep PTR */ }
  document.getElementById('fetch-proof').addEventListener('click', fetchAndVerify);
  document.getElementById('fetch-state').addEventListener('click', fetchStateProof);
  document.getElementById('proof-file').addEventListener('change', (e) => {
    if (e.target.files.length > 0) verifyFile(e.target.files[0]);
  });
  document.getElementById('download-proof').addEventListener('click', () => {
    if (lastProof) save(`proof-${address}.json`, JSON.stringify(lastProof, null, 2), 'application/json');
  });
}

// ------------------------------------------------------------------ state proof

async function fetchStateProof() {
  const region = document.getElementById('state-result');
  region.replaceChildren(el('p', {}, 'Fetching the state proof…'));
  try {
    const answer = await client.accountProof(address);
    const result = verifyStateProof(answer, await verifyOptions());
    const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
    region.replaceChildren(
      el('p', { class: `verdict ${result.valid ? 'ok' : 'bad'}`, 'data-testid': 'state-verdict', role: 'status' },
        result.valid ? `State proof valid: the account's records at block ${answer.height}, checked here`
          : `State proof INVALID: failed ${failed.join(', ')}`),
      el('ul', {}, ...result.proofs.map((p) => el('li', {}, `${p.record} at block ${p.height}`))),
      el('ol', { class: 'checks', 'aria-label': 'State proof checks' }, ...result.checks.map((c) =>
        el('li', { 'data-check': c.name, 'data-ok': String(c.ok) },
          el('span', { class: c.ok ? 'ok' : 'bad', 'aria-label': c.ok ? 'passed' : 'failed' }, c.ok ? '✓' : '✗'),
          el('strong', {}, c.name),
          el('span', { class: 'msg' }, c.ok ? c.message : `FAILED: ${c.message}`)))), untrustedNote());
  } catch (e) {
    if (e.code === 'changed_since_root') {
      region.replaceChildren(el('p', { class: 'error' }, 'This account changed since the latest signed ',
        'state root; its proof is available after the next root (every checkpoint interval).'));
    } else if (e.status === 503) {
      region.replaceChildren(el('p', { class: 'error' }, 'No signed state root yet; try again shortly.'));
    } else {
      showError(region, e);
    }
  }
}

// ------------------------------------------------------------------ start

function listen() {
  const es = new EventSource('/v1/events');
  let busy = false;
  es.addEventListener('block', () => {
    if (busy) return;
    busy = true;
    // A new block may touch this account: refresh the balances and the newest page.
    const work = [loadAccount()];
    if (cursors.length === 1) work.push(loadHistory());
    Promise.all(work).catch((e) => console.warn('refresh', e)).finally(() => { busy = false; });
  });
}

async function main() {
  if (!address) {
    document.getElementById('account').replaceChildren(
      el('p', {}, 'Enter an address to see its balances, history and proof of reserves.'));
    return;
  }
  try {
    const s = await nodeStatus();
    decodeAddress(address, s.net_kind);
  } catch (e) {
    showError(document.getElementById('account'), e);
    return;
  }
  try {
    await loadAccount();
    await loadHistory();
  } catch (e) {
    showError(document.getElementById('account'), e);
    return;
  }
  setupProof();
  listen();
}

main();
