// Assets: every asset (GET /v1/assets) with its supply, issued, redeemed and burned amounts,
// holders and flags; the reserve-backed ones (GET /v1/reserves) link to the reserves page.
// Amounts are the API's decimal strings, shown as they are.
import { amount, client, el, header, link, showError, table } from './ui.js';

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
  } catch (e) {
    showError(region, e);
  }
}

main();
