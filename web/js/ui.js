// Shared code of the explorer pages: the API client on the page's own origin, DOM building
// (text only: everything on the ledger is untrusted input, so no HTML is ever built from it),
// the header with its search box, and operations in words.
import { OPS_BY_NAME, PetroClient, decodeBlock, hash, isAddress, toHex } from '../src/petro.js';

export const client = new PetroClient('');

let statusPromise = null;
/** GET /v1/status, once per page load (network kind, ids, keys). */
export function nodeStatus() {
  if (!statusPromise) statusPromise = client.status();
  return statusPromise;
}

/** el('a', {href: '#'}, 'text', child, ...): an element; strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** A hash or address shortened in the middle for the eye; the full value for everyone else. */
export function short(value, keep = 8) {
  const s = String(value);
  if (s.length <= 2 * keep + 1) return el('span', { class: 'mono' }, s);
  return el('span', { class: 'mono', title: s, 'aria-label': s },
    el('span', { 'aria-hidden': 'true' }, `${s.slice(0, keep)}…${s.slice(-keep)}`));
}

export const link = {
  account: (a, keep) => el('a', { href: `account.html?address=${encodeURIComponent(a)}` }, short(a, keep)),
  tx: (h, keep) => el('a', { href: `tx.html?hash=${encodeURIComponent(h)}` }, short(h, keep)),
  block: (h) => el('a', { href: `block.html?height=${encodeURIComponent(h)}` }, `#${h}`),
};

/** A timestamp in unix ms as an ISO date-time (UTC), with the local reading on hover. */
export function time(ms) {
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return el('span', {}, `${ms} ms`);
  return el('time', { datetime: d.toISOString(), title: d.toString() },
    `${d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`);
}

/** Amount text as the API gives it, with its asset's code. */
export function amount(text, asset) {
  const code = asset === undefined ? '' : String(asset).split(':')[0];
  return el('span', { class: 'amount' }, text, code ? el('span', { class: 'code' }, ` ${code}`) : null);
}

function valueNode(f, v) {
  if (f && f.kind === 'pubkey' && typeof v === 'string' && isAddress(v)) return link.account(v);
  if (f && f.kind === 'amount') return el('span', { class: 'amount' }, v);
  if (f && f.kind === 'u64' && f.name.endsWith('_ms') && Number(v) > 0) return time(v);
  if (Array.isArray(v)) return el('span', {}, ...v.flatMap((x, i) => [i ? ', ' : '', valueNode(f, x)]));
  if (v && typeof v === 'object') {
    return Object.entries(v).filter(([, on]) => on).map(([k]) => k).join(', ') || 'none';
  }
  if (typeof v === 'string' && /^[0-9a-f]{64,}$/.test(v)) return short(v);
  return String(v);
}

/** An operation object (API JSON or decoded from bytes) in words: a sentence for the common
 *  ones, else the registry's summary and every field by name. */
export function opInWords(op, source) {
  const schema = OPS_BY_NAME.get(op.type);
  const words = {
    payment: () => ['pays ', amount(op.amount, op.asset), ' to ', link.account(op.destination)],
    create_account: () => ['creates account ', link.account(op.destination), ' with ',
      amount(op.starting_balance, 'PTR')],
    issue: () => ['issues ', amount(op.amount, op.code), ' to ', link.account(op.destination)],
    change_trust: () => op.limit === '0' ? ['closes its trust line of ', op.asset.split(':')[0]]
      : ['trusts ', op.asset.split(':')[0], ' up to ', op.limit],
    redeem: () => ['redeems ', amount(op.amount, op.asset)],
  };
  const head = [source ? link.account(source) : null, source ? ' ' : null];
  if (words[op.type]) return el('span', { class: 'op' }, ...head, ...words[op.type]());
  const fields = schema ? schema.fields : [];
  return el('span', { class: 'op' }, ...head,
    el('strong', {}, op.type.replace(/_/g, ' ')),
    schema ? `: ${schema.summary}` : '',
    el('dl', { class: 'fields' }, ...fields.filter((f) => op[f.name] !== undefined).flatMap((f) => [
      el('dt', { title: f.doc }, f.name.replace(/_/g, ' ')),
      el('dd', {}, valueNode(f, op[f.name])),
    ])));
}

/** Where a search goes, without asking the node: an address, a block height, a contract id
 *  (`c7`, `c 7`, `contract 7` or `contract #7`, any case), or, for 64 hex digits, null with
 *  `hash` set: a block or a transaction hash, which resolveHash tells apart. */
export function searchTarget(q) {
  const s = q.trim();
  if (/^\d+$/.test(s)) return { href: `block.html?height=${s}` };
  const c = /^(?:c|contract)\s*#?\s*(\d+)$/i.exec(s);
  if (c && BigInt(c[1]) > 0n) return { href: `trade.html?contract=${BigInt(c[1])}` };
  if (/^[0-9a-fA-F]{64}$/.test(s)) return { hash: s.toLowerCase() };
  if (isAddress(s)) return { href: `account.html?address=${encodeURIComponent(s.toLowerCase())}` };
  return null;
}

/** How many of the latest blocks resolveHash reads (as bytes, hashes recomputed here): the API
 *  finds blocks by height only. The first RECENT_HASH_BLOCKS are read before the transaction
 *  lookup (a recent block or transaction is found without a 404), the rest after it. */
export const HASH_SEARCH_BLOCKS = 2048;
const RECENT_HASH_BLOCKS = 256;

/** Looks for a block hash or a transaction id among the blocks [low, top], newest first. */
async function scanBlocks(h, net, top, low) {
  while (top >= low) {
    const from = Math.max(low, top - 63);
    const blocks = (await client.blockBytes(from, top - from + 1)).map((bytes) => decodeBlock(bytes, net));
    for (const b of blocks.reverse()) {
      if (b.hash === h) return `block.html?height=${b.height}`;
      if (b.txs.some((t) => t.hash === h)) return `tx.html?hash=${h}`;
    }
    top = from - 1;
  }
  return null;
}

/** A 64-hex hash: the tip or the genesis block, a block or a transaction in the latest
 *  RECENT_HASH_BLOCKS blocks, else a transaction (GET /v1/transactions/{hash}), else a block
 *  among the latest HASH_SEARCH_BLOCKS. Resolves the page to open, or null. */
export async function resolveHash(h) {
  const s = await client.status();
  if (s.latest_block_hash === h) return `block.html?height=${s.height}`;
  if ((await client.block(0)).hash === h) return 'block.html?height=0';
  const recentLow = Math.max(1, s.height - RECENT_HASH_BLOCKS + 1);
  const recent = await scanBlocks(h, s.net_kind, s.height, recentLow);
  if (recent) return recent;
  try {
    await client.transaction(h);
    return `tx.html?hash=${h}`;
  } catch (e) {
    if (e.code !== 'not_found') throw e;
  }
  const older = await scanBlocks(h, s.net_kind, recentLow - 1, Math.max(1, s.height - HASH_SEARCH_BLOCKS + 1));
  return older;
}

const PAGES = [
  ['home', 'index.html', 'Home'],
  ['assets', 'assets.html', 'Assets'],
  ['reserves', 'reserves.html', 'Reserves'],
  ['trade', 'trade.html', 'Trade'],
  ['validators', 'validators.html', 'Validators'],
  ['account', 'account.html', 'Account & proof'],
];

/** The page header: name, navigation and the search box. */
export function header(current) {
  const input = el('input', { id: 'search', type: 'search', name: 'q', autocomplete: 'off',
    placeholder: 'address, tx or block hash, height, c7', 'aria-describedby': 'search-help' });
  const help = el('span', { id: 'search-help', class: 'visually-hidden' },
    'Enter an account address, a transaction or block hash, a block height, or a trade contract as c7 or contract 7.');
  const msg = el('span', { class: 'search-msg', role: 'status' });
  const form = el('form', { role: 'search', class: 'search', onsubmit: async (e) => {
    e.preventDefault();
    const target = searchTarget(input.value);
    if (!target) {
      msg.textContent = 'Not an address, a hash, a block height or a contract (c7).';
      return;
    }
    if (target.href) {
      location.href = target.href;
      return;
    }
    msg.textContent = 'Looking for a block or a transaction with this hash…';
    try {
      const href = await resolveHash(target.hash);
      if (href) location.href = href;
      else msg.textContent = `No transaction and none of the latest ${HASH_SEARCH_BLOCKS} blocks has this hash.`;
    } catch (err) {
      msg.textContent = `Could not search: ${err.message}`;
    }
  } }, el('label', { for: 'search', class: 'visually-hidden' }, 'Search the ledger'), input, help,
  el('button', { type: 'submit' }, 'Search'), msg);
  const nav = el('nav', { 'aria-label': 'Main' }, el('ul', {},
    ...PAGES.map(([id, href, name]) => el('li', {},
      el('a', { href, 'aria-current': current === id ? 'page' : null }, name)))));
  const h = el('header', { class: 'site' },
    el('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    el('a', { class: 'brand', href: 'index.html' }, 'Petro explorer'),
    el('span', { class: 'network', id: 'network' }), nav, form);
  document.body.prepend(h);
  nodeStatus().then((s) => {
    document.getElementById('network').textContent = `${s.network} (${s.net_kind} network)`;
  }).catch(() => {});
}

/** Shows an error in a region instead of the content. */
export function showError(region, err) {
  region.replaceChildren(el('p', { class: 'error', role: 'alert' },
    err && err.code === 'not_found' ? 'Not found: ' : 'Could not load: ', err && err.message ? err.message : String(err)));
}

/** A table in a scrollable, keyboard-focusable region (phone screens). */
export function table(caption, heads, rows) {
  return el('div', { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0' },
    el('table', {}, el('caption', {}, caption),
      el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows)));
}

export const param = (name) => new URLSearchParams(location.search).get(name);

/** A definition list of [label, value] pairs. */
export function kv(pairs) {
  return el('dl', { class: 'kv' }, ...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

/** An asset id (`PTR` or `CODE:ISSUER`) as its code, with the issuer on hover. */
export function assetName(asset) {
  const [code, issuer] = String(asset).split(':');
  return issuer ? el('span', { title: `${code} issued by ${issuer}` }, code) : el('span', {}, code);
}

/** A BLAKE2b-256 of a file the user chose, computed in the page (hex). */
export async function fileHash(file) {
  return toHex(hash(new Uint8Array(await file.arrayBuffer())));
}
