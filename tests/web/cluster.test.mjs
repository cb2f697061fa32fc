// The validators page on a real 3-validator cluster (issue #19): 3 etcd members and 3 petrods
// on loopback, started as tests/integration/test_cluster.py starts them (petrod cluster-init,
// then `petrod run --cluster`), each serving the pages (--web). A payment made with the CLI
// commits; the page opened on a follower lists the three validators with the block and state
// hash each last attested, all agreeing, and for the latest blocks which state hash each
// validator attested; no divergence is shown, and no console error is logged. A screenshot
// goes to PETRO_WEB_ARTIFACTS (validators-cluster.png). Skipped without etcd.
//
// Every child runs under the harness's watchdog (killed when this process ends in any way).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { PETRO, PETROD, PETRO_BIN, REPO, tempDir } from './harness.mjs';

const { chromium } = createRequire(join(REPO, 'web', 'package.json'))('playwright-core');
const CHROMIUM = process.env.PETRO_CHROMIUM || '/usr/bin/chromium';
const ETCD = process.env.PETRO_ETCD || '/usr/bin/etcd';
const SHOTS = process.env.PETRO_WEB_ARTIFACTS || join(dirname(PETRO_BIN), 'web-screenshots');
const N = 3;
const skip = !existsSync(ETCD) ? `${ETCD} missing (Debian etcd-server; scripts/install-deps)` : false;

// As harness.mjs: the child dies when this process's end closes the watchdog's stdin.
const WATCHDOG = '"$0" "$@" </dev/null & p=$!; trap \'kill $p; wait $p; exit 0\' TERM; ' +
  'read _ignored; kill $p 2>/dev/null; wait $p';

let dir;
let browser;
const children = [];
const api = [];

function start(log, cmd, args) {
  const fd = openSync(join(dir, log), 'a');
  const child = spawn('sh', ['-c', WATCHDOG, cmd, ...args], { stdio: ['pipe', fd, fd] });
  children.push(child);
  return child;
}

async function status(i) {
  const res = await fetch(`${api[i]}/v1/status`, { signal: AbortSignal.timeout(2000) });
  return res.json();
}

async function until(cond, what, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond().catch(() => null);
    if (v) return v;
    if (Date.now() > end) {
      const logs = ['petrod1', 'petrod2', 'petrod3'].map((m) => {
        const p = join(dir, `${m}.log`);
        return existsSync(p) ? `${m}:\n${readFileSync(p, 'utf8').split('\n').slice(-8).join('\n')}` : '';
      });
      throw new Error(`timed out waiting for ${what}\n${logs.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  if (skip) return;
  dir = tempDir('cluster');
  mkdirSync(SHOTS, { recursive: true });
  const launching = chromium.launch({ executablePath: CHROMIUM, headless: true });
  // cluster-init wants consecutive ports: API base..base+2, etcd clients base+1..+3, peers +100.
  let apiBase;
  let etcdBase;
  for (;;) {
    apiBase = 20000 + Math.floor(Math.random() * 9000);
    etcdBase = 30000 + Math.floor(Math.random() * 9000);
    const want = [0, 1, 2].flatMap((i) => [apiBase + i, etcdBase + 1 + i, etcdBase + 101 + i]);
    const free = await Promise.all(want.map((p) => new Promise((resolve) => {
      import('node:net').then(({ createServer }) => {
        const s = createServer();
        s.once('error', () => resolve(false));
        s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
      });
    })));
    if (free.every(Boolean)) break;
  }
  execFileSync(PETROD, ['cluster-init', '--validators', String(N), '--dir', dir,
    '--api-base-port', String(apiBase), '--etcd-base-port', String(etcdBase)], { stdio: 'ignore' });
  const initial = [1, 2, 3].map((i) => `m${i}=http://127.0.0.1:${etcdBase + 100 + i}`).join(',');
  for (let i = 1; i <= N; i++) {
    const client = `http://127.0.0.1:${etcdBase + i}`;
    const peer = `http://127.0.0.1:${etcdBase + 100 + i}`;
    start(`etcd${i}.log`, ETCD, ['--name', `m${i}`, '--data-dir', join(dir, `etcd${i}`),
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', initial, '--initial-cluster-state', 'new',
      '--initial-cluster-token', 'petro-web', '--heartbeat-interval', '100',
      '--election-timeout', '500', '--pre-vote']);
  }
  for (let i = 0; i < N; i++) {
    api.push(`http://127.0.0.1:${apiBase + i}`);
    start(`petrod${i + 1}.log`, PETROD, ['run', '--data', join(dir, `node${i + 1}`),
      '--http', `127.0.0.1:${apiBase + i}`, '--cluster', join(dir, `node${i + 1}`, 'cluster.conf'),
      '--block-interval-ms', '50', '--checkpoint-interval', '4', '--web', join(REPO, 'web')]);
  }
  await until(async () => (await Promise.all(api.map((_, i) => status(i))))
    .every((s) => s.cluster && s.cluster.leader), 'three nodes that know the leader');
  browser = await launching;
});

after(async () => {
  if (browser) await browser.close();
  for (const c of children) if (c.exitCode === null) c.stdin.end();
  await Promise.all(children.map((c) => (c.exitCode === null
    ? new Promise((r) => { c.once('exit', r); setTimeout(r, 8000); }) : null)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('validators page on a 3-node cluster: who attested which state hash, all agreeing', { skip, timeout: 90000 }, async () => {
  const leader = (await status(0)).cluster.leader;
  const s0 = await status(0);
  const leaderIndex = s0.cluster.validators.findIndex((v) => v.id === leader);
  const leaderUrl = leaderIndex >= 0 && s0.cluster.validators[leaderIndex].api
    ? s0.cluster.validators[leaderIndex].api : api[0];
  const wallets = join(dir, 'wallets');
  const address = (name) => JSON.parse(readFileSync(join(wallets, `${name}.json`), 'utf8')).address;
  for (const amount of ['1', '2']) {
    execFileSync(PETRO, ['--node', leaderUrl.startsWith('http') ? leaderUrl : `http://${leaderUrl}`,
      'pay', '--wallet', join(wallets, 'alice.json'), '--to', address('bob'), '--amount', amount, '--wait'],
    { env: { ...process.env, PETRO_PASSPHRASE: 'web-tests' }, timeout: 30000 });
  }
  // Every validator attested the tip (the leader's height) on every node.
  const follower = [0, 1, 2].find((i) => s0.cluster.validators[i]?.id !== leader) ?? 1;
  const tip = (await status(follower)).height;
  await until(async () => {
    const s = await status(follower);
    return s.height >= tip && s.cluster.validators.every((v) => v.attested_height >= tip && !v.diverged) && s;
  }, 'every validator attesting the tip');

  const page = await (await browser.newContext()).newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(`${api[follower]}/validators.html`);
  await page.locator('#validators tr[data-validator]').nth(N - 1).waitFor();
  const s = await status(follower);
  assert.notEqual(await page.textContent('[data-testid="role"]'), 'single');
  const rows = page.locator('#validators tr[data-validator]');
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.validator)),
    s.cluster.validators.map((v) => v.id));
  assert.equal(await page.locator('#validators tr.diverged').count(), 0);
  await page.waitForFunction((n) => [...document.querySelectorAll('#validators tr[data-validator]')]
    .filter((tr) => /agrees/.test(tr.textContent)).length === n, N);
  // The latest blocks: per block, each validator's attested state hash, none differing.
  await page.locator('#recent tr[data-height]').first().waitFor();
  assert.equal(await page.locator('#recent tr.diverged').count(), 0);
  const tipRow = page.locator(`#recent tr[data-height="${tip}"]`);
  await tipRow.waitFor();
  const cells = await tipRow.locator('td').allInnerTexts();
  assert.equal(cells.length, 2 + N, cells.join(' | '));
  for (const c of cells.slice(2)) assert.match(c, /^✓/, `tip row: ${cells.join(' | ')}`);
  // Each validator's column holds the state hash this node computed for the tip.
  const here = (await (await fetch(`${api[follower]}/v1/blocks/${tip}`)).json()).state_hash;
  const titles = await tipRow.locator('td [title]').evaluateAll((xs) => xs.map((x) => x.title));
  assert.deepEqual(titles, Array(1 + N).fill(here));
  await page.screenshot({ path: join(SHOTS, 'validators-cluster.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
