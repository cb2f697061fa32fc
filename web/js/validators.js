// Validators (GET /v1/status): in a cluster, every validator with the block and state hash it
// last attested, a divergence in red, and per latest block who attested which state hash (GET
// /v1/blocks/{h}, `attestations`); on a single node, the node's validator key and the latest
// blocks' signatures, checked here against that key (block bytes decoded and the Ed25519
// signature verified in the browser). Refreshed on every block of the event stream.
import { decodeAddress, decodeBlock, toHex, verifyBlockSignature } from '../src/petro.js';
import { client, el, header, kv, link, short, showError, table, time } from './ui.js';

header('validators');

const RECENT = 8;

function mark(ok, yes, no) {
  return el('span', { class: ok ? 'ok' : 'bad' }, ok ? `✓ ${yes}` : `✗ ${no}`);
}

function summary(s) {
  const c = s.cluster;
  const cp = s.checkpoint;
  const pairs = [
    ['Role', el('strong', { 'data-testid': 'role' }, s.role)],
    ['Height', [link.block(s.height), ' ', time(s.timestamp_ms)]],
    ['State hash', el('span', { class: 'mono' }, s.state_hash)],
    ['Checkpoints', !cp || !cp.enabled ? 'off' : [`every ${cp.interval} blocks, last at `,
      cp.last_height === null ? 'none yet' : link.block(cp.last_height),
      cp.failing ? el('strong', { class: 'bad' }, ` failing: ${cp.last_failure?.reason ?? ''}`) : '']],
  ];
  if (c) {
    pairs.push(['This validator', `${c.self}`],
      ['Leader', c.leader ? [c.leader, ' ', c.leader_api ? el('span', { class: 'hint' }, c.leader_api) : ''] : el('span', { class: 'bad' }, 'none known')],
      ['etcd', [c.etcd_reachable ? mark(true, 'reachable', '') : mark(false, '', 'unreachable'), `, tip ${c.etcd_tip ?? '–'}`]],
      ['Divergences', el('span', { class: c.divergences_total ? 'bad' : null }, String(c.divergences_total))],
      ['Blocks refused', [String(c.blocks_refused_total),
        c.refused_height !== undefined ? el('strong', { class: 'bad' }, ` now refusing block ${c.refused_height}: ${c.refused_reason}`) : '']],
      ['Peer chains refused', [String(c.peer_blocks_refused_total ?? 0),
        c.peer_refused ? el('span', { class: 'bad' }, ` last: ${c.peer_refused.validator} at ${c.peer_refused.height} (${c.peer_refused.reason})`) : '']]);
  }
  return kv(pairs);
}

function clusterTable(s) {
  const c = s.cluster;
  return table('Validators of the cluster and their latest verified attestations',
    ['Validator', 'Key', 'Attested height', 'Block hash', 'State hash', 'Agrees'],
    c.validators.map((v) => el('tr', { 'data-validator': v.id, class: v.diverged ? 'diverged' : null },
      el('th', { scope: 'row' }, v.id, v.id === c.self ? el('span', { class: 'hint' }, ' (this node)') : '',
        v.id === c.leader ? el('span', { class: 'hint' }, ' leader') : '',
        v.api ? [el('br'), el('span', { class: 'hint' }, v.api)] : ''),
      el('td', {}, short(v.pubkey)),
      el('td', { class: 'num' }, v.attested_height === undefined ? '–' : link.block(v.attested_height)),
      el('td', {}, v.attested_block_hash ? short(v.attested_block_hash) : '–'),
      el('td', {}, v.attested_state_hash ? short(v.attested_state_hash) : '–'),
      el('td', {}, v.attested_height === undefined ? el('span', { class: 'hint' }, 'no attestation yet')
        : v.diverged ? el('strong', { class: 'bad' }, `✗ diverged at ${v.diverged_height ?? v.attested_height}`)
          : mark(true, 'agrees', '')))));
}

function singleView(s) {
  const key = toHex(decodeAddress(s.proposer).key);
  return kv([
    ['Validator (signs every block and checkpoint)', el('span', { 'data-testid': 'proposer' }, link.account(s.proposer, 40))],
    ['Its key', el('span', { class: 'mono' }, key)],
    ['Network id', el('span', { class: 'mono' }, s.network_id)],
    ['Ordering', 'a single node orders its own blocks; it is not an account'],
  ]);
}

async function recentSingle(s) {
  const from = Math.max(1, s.height - RECENT + 1);
  const blocks = s.height >= 1 ? (await client.blockBytes(from, s.height - from + 1)).map((b) => decodeBlock(b, s.net_kind)) : [];
  if (blocks.length === 0) return el('p', {}, 'Only the genesis block so far.');
  return table('Latest blocks, newest first: the signature checked in your browser',
    ['Height', 'Time', 'Proposer', 'State hash', 'Signature'],
    blocks.reverse().map((b) => {
      const ok = verifyBlockSignature(b, s.network_id);
      const ours = b.proposer === s.proposer;
      return el('tr', { 'data-height': b.height, class: ok && ours ? null : 'diverged' },
        el('td', {}, link.block(b.height)), el('td', {}, time(b.timestamp_ms)),
        el('td', {}, link.account(b.proposer, 6), ours ? '' : el('span', { class: 'bad' }, ' not this node\'s validator')),
        el('td', {}, short(b.state_hash)),
        el('td', { 'data-testid': 'signature-check' }, mark(ok, 'signed by the proposer', 'bad signature')));
    }));
}

async function recentCluster(s) {
  const heights = [];
  for (let h = s.height; h >= 1 && heights.length < RECENT; h--) heights.push(h);
  const blocks = await Promise.all(heights.map((h) => client.block(h)));
  const ids = s.cluster.validators.map((v) => v.id);
  return table('Latest blocks, newest first: each validator\'s attested state hash',
    ['Height', 'State hash here', ...ids],
    blocks.map((b) => {
      const atts = new Map((b.attestations || []).map((a) => [a.validator, a]));
      const bad = [...atts.values()].some((a) => !a.agrees);
      return el('tr', { 'data-height': b.height, class: bad ? 'diverged' : null },
        el('td', {}, link.block(b.height)), el('td', {}, short(b.state_hash)),
        ...ids.map((id) => {
          const a = atts.get(id);
          if (!a) return el('td', {}, el('span', { class: 'hint' }, b.attestations ? 'none' : 'etcd not answering'));
          return el('td', {}, a.agrees ? mark(true, '', '') : mark(false, '', 'differs: '), short(a.state_hash));
        }));
    }));
}

let busy = false;
async function refresh() {
  if (busy) return;
  busy = true;
  try {
    const s = await client.status();
    document.getElementById('summary').replaceChildren(summary(s));
    document.getElementById('validators').replaceChildren(s.cluster ? clusterTable(s) : singleView(s));
    document.getElementById('recent-h').textContent = s.cluster
      ? 'Latest blocks: who attested which state hash' : 'Latest blocks: who signed them';
    document.getElementById('recent').replaceChildren(await (s.cluster ? recentCluster(s) : recentSingle(s)));
  } catch (e) {
    showError(document.getElementById('summary'), e);
  } finally {
    busy = false;
  }
}

refresh();
new EventSource('/v1/events').addEventListener('block', () => refresh());
