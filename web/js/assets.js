// Assets: every asset (GET /v1/assets) with its supply, issued, redeemed and burned amounts,
// holders and flags; the reserve-backed ones (GET /v1/reserves) link to the reserves page and
// list their top holders as of the latest proof-of-reserves checkpoint
// (GET /v1/assets/{asset}/holders), whose signature is checked here. Amounts are the API's
// decimal strings, shown as they are; shares are computed in BigInt base units.
import { parseAmount, verifyCheckpoint } from '../src/petro.js';
import { amount, client, el, header, link, param, showError, table } from './ui.js';

const TOP = Math.min(100, Math.max(1, Number(param('top')) || 10));

header('assets');

function flags(a) {
  const f = [];
  if (a.auth_required) f.push(el('span', { class: 'flag', title: 'the issuer must authorize each trust line' }, 'auth required'));
  if (a.revocable) f.push(el('span', { class: 'flag', title: 'the issuer may revoke a trust line' }, 'revocable'));
  return f.length ? f : el('span', { class: 'hint' }, 'none');
}

function row(a, backing) {
  const code = a.code;
  return el('tr', { 'data-asset': a.asset },
    el('th', { scope: 'row' }, el('strong', {}, code),
      a.asset === 'PTR' ? el('span', { class: 'hint' }, ' native') : null,
      el('br'), el('span', { class: 'hint' }, 'issuer '), link.account(a.issuer, 6)),
    el('td', { class: 'num', 'data-testid': `supply-${code}` }, amount(a.supply)),
    el('td', { class: 'num' }, amount(a.issued)),
    el('td', { class: 'num' }, amount(a.redeemed)),
    el('td', { class: 'num' }, amount(a.burned)),
    el('td', { class: 'num' }, String(a.holders)),
    el('td', {}, flags(a)),
    el('td', {}, backing
      ? el('a', { href: `reserves.html#r-${encodeURIComponent(a.asset)}` },
        `${backing.commodity}, coverage ${backing.coverage ?? 'n/a (no supply)'}`)
      : el('span', { class: 'hint' }, 'not reserve-backed')),
    el('td', {}, link.block(a.created_height)));
}

// part / whole as a percentage with two decimals, exactly (BigInt).
function share(part, whole) {
  const w = parseAmount(whole);
  if (w === 0n) return '–';
  const bps = (parseAmount(part) * 10000n) / w;
  if (bps === 0n && parseAmount(part) > 0n) return '< 0.01%';
  return `${bps / 100n}.${String(bps % 100n).padStart(2, '0')}%`;
}

function holdersSection(r, h) {
  const code = r.asset.split(':')[0];
  const signed = verifyCheckpoint(h.checkpoint);
  return el('section', { 'aria-labelledby': `top-${code}`, 'data-holders': r.asset },
    el('h3', { id: `top-${code}` }, h.holders.length ? `${code}: top ${h.holders.length} of ${h.holder_count} holders` : code),
    el('p', { class: 'hint' }, 'As of the proof-of-reserves checkpoint at block ', link.block(h.height),
      ` (total ${h.total} ${code}; the list is as old as that checkpoint). `,
      el('span', { class: signed ? 'ok' : 'bad', 'data-testid': `holders-check-${code}` },
        signed ? '✓ checkpoint signature verified in your browser' : '✗ the checkpoint signature does not verify'),
      '. Each holder can verify their balance in it on the account page.'),
    h.holders.length === 0 ? el('p', {}, `No account held ${code} at that checkpoint.`)
      : table(`Top holders of ${code} at block ${h.height}`, ['Rank', 'Account', 'Balance', 'Share'],
      h.holders.map((x) => el('tr', { 'data-rank': x.rank, 'data-address': x.address },
        el('td', { class: 'num' }, String(x.rank)),
        el('th', { scope: 'row' }, link.account(x.address, 10)),
        el('td', { class: 'num', 'data-testid': 'holder-balance' }, amount(x.balance)),
        el('td', { class: 'num' }, share(x.balance, h.total))))));
}

async function loadHolders(reserves) {
  const region = document.getElementById('holders');
  const parts = [];
  for (const r of reserves) {
    try {
      parts.push(holdersSection(r, await client.holders(r.asset, { limit: TOP })));
    } catch (e) {
      const p = el('div', {});
      showError(p, e);
      parts.push(el('section', { 'data-holders': r.asset }, el('h3', {}, r.asset.split(':')[0]), p));
    }
  }
  region.replaceChildren(...(parts.length ? parts : [el('p', {}, 'No reserve-backed assets.')]));
}

async function main() {
  const region = document.getElementById('assets');
  try {
    const [list, reserves] = await Promise.all([client.assets(), client.reserves()]);
    const backed = new Map(reserves.reserves.map((r) => [r.asset, r]));
    region.replaceChildren(
      table(`${list.assets.length} assets at block ${reserves.height}`,
        ['Asset', 'Supply', 'Issued', 'Redeemed', 'Burned', 'Holders', 'Flags', 'Reserves', 'Created'],
        list.assets.map((a) => row(a, backed.get(a.asset)))),
      list.truncated ? el('p', { class: 'hint' }, 'Only the first 10000 assets are listed.') : '');
    await loadHolders(reserves.reserves);
  } catch (e) {
    showError(region, e);
  }
}

main();
