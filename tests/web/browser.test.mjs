// The explorer pages in a real browser (headless Debian chromium driven by playwright-core)
// against a real devnet that serves the pages itself (petrod --web web/, on the API's origin),
// a payment made with the CLI appears live without a reload on the
// home and account pages, a proof of reserves verifies in the page, a tampered proof file is
// refused with its failing checks named, the block and transaction pages check the bytes in
// the browser, the search box (address, block and transaction hash, contract) and the keyboard
// work, the home page fits a phone screen, a trade contract made with the CLI shows its whole
// timeline on the trade page, the assets page lists every asset, the reserves page shows the
// attestations, verifies the checkpoint and draws its chart, the validators page names the
// proposer and checks the block signatures, and no page logs a console error. Screenshots go to PETRO_WEB_ARTIFACTS (default: web-screenshots
// next to PETRO_BIN's build directory).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { PETRO_BIN, REPO, startDevnet, tempDir } from './harness.mjs';

// playwright-core is a devDependency of web/ (web/package-lock.json), resolved from there.
const { chromium } = createRequire(join(REPO, 'web', 'package.json'))('playwright-core');

const CHROMIUM = process.env.PETRO_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.PETRO_WEB_ARTIFACTS || join(dirname(PETRO_BIN), 'web-screenshots');
const CHECKPOINT_INTERVAL = 2;
const WEB_ROOT = join(REPO, 'web');

let node;
let server;
let browser;
let work;
const consoleErrors = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: run scripts/install-deps (Debian chromium)`);
  mkdirSync(SHOTS, { recursive: true });
  work = tempDir('browser');
  // The node and the browser start at the same time (each takes seconds on a loaded machine).
  [node, browser] = await Promise.all([
    startDevnet({ checkpointInterval: CHECKPOINT_INTERVAL, blockIntervalMs: 50,
                  args: ['--web', WEB_ROOT] }),
    chromium.launch({ executablePath: CHROMIUM, headless: true }),
  ]);
  server = { url: node.url }; // petrod serves the pages at / next to its API
});

after(async () => {
  if (browser) await browser.close();
  if (node) await node.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

let context; // one browser context for every page, so they share the module cache

async function newPage(viewport = { width: 1200, height: 900 }) {
  context = context || await browser.newContext();
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function pay(from, to, amount, memo) {
  const out = await node.cliOk('pay', '--wallet', node.wallet(from), '--to', node.address(to),
    '--amount', amount, '--memo', memo, '--wait');
  return /^hash\s+([0-9a-f]{64})/m.exec(out)[1];
}

async function checkpointAtTip() {
  const { height } = await node.get('/v1/status');
  const want = height - (height % CHECKPOINT_INTERVAL);
  await node.until(async () => {
    const cp = (await node.get('/v1/reserves')).reserves[0].latest_checkpoint;
    return cp && cp.height >= want;
  }, 'a checkpoint at the tip');
}

test('home: a payment made with the CLI appears live, without a reload', async () => {
  await pay('alice', 'bob', '1', 'warm-up');
  const page = await newPage();
  await page.goto(`${server.url}/`);
  const { height } = await node.get('/v1/status');
  await page.waitForFunction((h) => Number(document.getElementById('height').textContent) >= h, height);
  await page.waitForFunction(() => document.getElementById('live').textContent.startsWith('connected'));
  await page.evaluate(() => { window.notReloaded = true; });
  const hash = await pay('alice', 'bob', '3.25', 'live on home');
  const row = page.locator(`#txs tr[data-hash="${hash}"]`);
  await row.waitFor({ timeout: 10000 });
  assert.match(await row.innerText(), /pays 3\.25 PTR to/);
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  assert.ok(Number(await page.textContent('#height')) > height, 'the height moved on');
  await page.locator('#blocks tr[data-height]').first().waitFor();
  await shot(page, 'home');
  // Keyboard: the first Tab reaches the skip link, which leads to the content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => location.hash), '#main');
  await page.close();
});

test('home fits a phone screen', async () => {
  const page = await newPage({ width: 390, height: 844 });
  await page.goto(`${server.url}/`);
  await page.locator('#txs tr[data-hash]').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone screen`);
  await shot(page, 'home-phone');
  await page.close();
});

test('search: an address typed in the box opens its account page', async () => {
  const page = await newPage();
  await page.goto(`${server.url}/`);
  await page.fill('#search', node.address('bob'));
  await page.keyboard.press('Enter');
  await page.waitForURL(/account\.html\?address=/);
  await page.locator('[data-testid="address"]').waitFor();
  assert.equal(await page.textContent('[data-testid="address"]'), node.address('bob'));
  await page.close();
});

test('account: history updates live, and the proof of reserves verifies in the page', async () => {
  const page = await newPage();
  // The key to trust is the user's, never pre-filled from the node being checked: the node's
  // own claim is shown as such.
  const { proposer } = await node.get('/v1/status');
  await page.goto(`${server.url}/account.html?address=${node.address('alice')}`);
  await page.locator('[data-testid="node-says"]').waitFor();
  assert.equal(await page.inputValue('#validator'), '');
  assert.equal(await page.getAttribute('[data-testid="node-says"] [title]', 'title'), proposer);
  // The key comes from a link the user was given (?validator=), and is kept in the browser.
  await page.goto(`${server.url}/account.html?address=${node.address('alice')}&validator=${proposer}`);
  await page.locator('[data-testid="node-says"]').waitFor();
  assert.equal(await page.inputValue('#validator'), proposer);
  await page.locator('#history tr[data-hash]').first().waitFor();
  await page.evaluate(() => { window.notReloaded = true; });
  const hash = await pay('bob', 'alice', '1.75', 'live on account');
  await page.locator(`#history tr[data-hash="${hash}"]`).waitFor({ timeout: 10000 });
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  const balance = (await node.get(`/v1/accounts/${node.address('alice')}`)).balances[0].balance;
  await page.waitForFunction((b) => document.querySelector('[data-testid="balance-PTR"]').textContent === b, balance);

  await checkpointAtTip();
  await page.click('#fetch-proof');
  const verdict = page.locator('[data-testid="proof-verdict"]');
  await verdict.waitFor();
  assert.match(await verdict.innerText(), /^Proof valid/);
  const checks = await page.$$eval('ol.checks li', (lis) => lis.map((li) => [li.dataset.check, li.dataset.ok]));
  assert.deepEqual(checks, [['shape', 'true'], ['salt', 'true'], ['sums', 'true'], ['root', 'true'],
    ['signature', 'true'], ['reserves', 'true'], ['validator', 'true'], ['network', 'true']]);
  await shot(page, 'account-proof-valid');

  // A tampered proof file (a flipped salt byte): refused, the failing checks named.
  const proof = await node.get(`/v1/reserves/proof/${node.address('alice')}?asset=PTR`);
  proof.salt = (proof.salt[0] === '0' ? '1' : '0') + proof.salt.slice(1);
  const file = join(work, 'tampered-proof.json');
  writeFileSync(file, JSON.stringify(proof, null, 2));
  await page.setInputFiles('#proof-file', file);
  await page.waitForFunction(() => /INVALID/.test(document.querySelector('[data-testid="proof-verdict"]').textContent));
  assert.match(await verdict.innerText(), /Proof INVALID \(file tampered-proof\.json\): failed salt, root/);
  const failed = await page.$$eval('ol.checks li[data-ok="false"]', (lis) => lis.map((li) => li.dataset.check));
  assert.deepEqual(failed, ['salt', 'root']);
  await page.locator('li[data-check="salt"]').scrollIntoViewIfNeeded();
  await shot(page, 'account-proof-tampered');

  // The account's records against the signed state root, checked in the page.
  await page.click('#fetch-state');
  const stateVerdict = page.locator('[data-testid="state-verdict"]');
  await stateVerdict.waitFor();
  assert.match(await stateVerdict.innerText(), /^State proof valid: the account's records at block \d+/);
  const stateChecks = await page.$$eval('#state-result ol.checks li', (lis) => lis.map((li) => [li.dataset.check, li.dataset.ok]));
  assert.deepEqual(stateChecks, [['shape', 'true'], ['leaf', 'true'], ['root', 'true'],
    ['signature', 'true'], ['validator', 'true'], ['network', 'true']]);
  await stateVerdict.scrollIntoViewIfNeeded();
  await shot(page, 'account-state-proof');
  await page.close();
});

test('transaction and block pages check the bytes in the browser', async () => {
  const hash = await pay('alice', 'bob', '0.5', 'tx page');
  const t = await node.get(`/v1/transactions/${hash}`);
  const page = await newPage();
  await page.goto(`${server.url}/tx.html?hash=${hash}`);
  await page.locator('[data-testid="tx-check"]').waitFor();
  const lines = await page.$$eval('[data-testid="tx-check"] li', (lis) => lis.map((li) => li.className));
  assert.deepEqual(lines, ['ok', 'ok', 'ok']);
  assert.equal(await page.textContent('[data-testid="tx-result"]'), 'ok');
  assert.match(await page.innerText('main'), /tx page/);
  await shot(page, 'transaction');
  await page.goto(`${server.url}/block.html?height=${t.height}`);
  await page.locator('[data-testid="block-check"]').waitFor();
  // Hash, transaction root, witness root and the proposer's signature, checked in the page.
  assert.equal(await page.locator('[data-testid="block-check"] .ok').count(), 4);
  assert.equal(await page.locator('[data-testid="block-check"] .bad').count(), 0);
  assert.match(await page.innerText('[data-testid="block-check"]'), /the proposer signed this block/);
  assert.equal(await page.locator(`tr[data-hash="${hash}"]`).count(), 1);
  await shot(page, 'block');
  await page.close();
});

test('trade: a contract\'s timeline from creation to release, and the turnover it made', async () => {
  const w = (name) => ['--wallet', node.wallet(name)];
  const bl = join(work, 'bill-of-lading.txt');
  writeFileSync(bl, 'BILL OF LADING MSC-WEB-1\n400 pcs truck brake assemblies\n');
  const out = await node.cliOk('trade', 'create', ...w('importer'), '--exporter', node.address('exporter'),
    '--amount', '1200', '--hs', '870830', '--goods', 'Truck brake assemblies', '--quantity', '400',
    '--unit', 'pcs', '--incoterm', 'CIF', '--origin', 'BR', '--destination', 'VE',
    '--doc', 'bill_of_lading', '--approver', node.address('inspector-1'), '--threshold', '1', '--wait');
  const id = /contract id: (\d+)/.exec(out)[1];
  await node.cliOk('trade', 'fund', ...w('importer'), '--id', id, '--wait');
  await node.cliOk('trade', 'present', ...w('exporter'), '--id', id, '--doc', 'bill_of_lading',
    '--file', bl, '--ref', 'MSC-WEB-1', '--wait');
  await node.cliOk('trade', 'approve', ...w('inspector-1'), '--id', id, '--wait');
  await node.cliOk('trade', 'release', ...w('exporter'), '--id', id, '--wait');

  // The search box takes a contract as c<id>.
  const page = await newPage();
  await page.goto(`${server.url}/`);
  await page.fill('#search', `c${id}`);
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`trade\\.html\\?contract=${id}$`));
  const steps = page.locator('[data-testid="timeline"] li[data-step]');
  await steps.first().waitFor();
  assert.deepEqual(await steps.evaluateAll((lis) => lis.map((li) => [li.dataset.step, li.dataset.ok])),
    [['trade_create', 'true'], ['trade_fund', 'true'], ['trade_present', 'true'],
      ['trade_approve', 'true'], ['trade_release', 'true']]);
  assert.equal(await page.textContent('[data-testid="contract-state"]'), 'released');
  assert.match(await page.innerText('[data-testid="timeline"]'), /bill of lading presented.*reference MSC-WEB-1/);
  // The document the exporter presented, hashed in the page, matches the hash on the ledger.
  await page.setInputFiles('#doc-file', bl);
  await page.waitForFunction(() => /Matches the bill of lading/.test(document.querySelector('#contract-view .verdict')?.textContent));
  // Turnover by zone, country pair and HS chapter includes this release.
  await page.locator('[data-group="hs_chapter"] tbody tr').first().waitFor();
  assert.match(await page.innerText('[data-group="country_pair"]'), /BR → VE/);
  assert.match(await page.innerText('[data-group="hs_chapter"]'), /HS 87/);
  assert.match(await page.innerText('[data-group="zone"]'), /Zona Franca de Manaus/);
  await page.locator(`#contracts tr[data-contract="${id}"]`).waitFor();
  await shot(page, 'trade');
  await page.close();
});

test('assets: every asset with its supply; the reserve-backed ones link to their reserves', async () => {
  const { assets } = await node.get('/v1/assets');
  const page = await newPage();
  await page.goto(`${server.url}/assets.html`);
  await page.locator('#assets tr[data-asset="PTR"]').waitFor();
  const shown = await page.$$eval('#assets tr[data-asset]', (trs) => trs.map((tr) => tr.dataset.asset));
  assert.deepEqual(shown, assets.map((a) => a.asset));
  assert.ok(shown.some((a) => a.startsWith('XAU:')), 'XAU is listed');
  assert.equal(await page.textContent('[data-testid="supply-PTR"]'), assets[0].supply);
  assert.equal(await page.locator('tr[data-asset^="XAU:"] a[href^="reserves.html#"]').count(), 1);
  // Top holders of PTR at the latest checkpoint, as the holders route lists them, its
  // checkpoint's signature checked in the page.
  const top = await node.get('/v1/assets/PTR/holders?limit=10');
  const ptr = page.locator('section[data-holders="PTR"]');
  await ptr.locator('[data-testid="holders-check-PTR"]').waitFor();
  assert.match(await ptr.locator('[data-testid="holders-check-PTR"]').innerText(), /^✓/);
  const rows = await ptr.locator('tr[data-rank]').evaluateAll((trs) => trs.map((tr) =>
    [tr.dataset.address, tr.querySelector('[data-testid="holder-balance"]').textContent]));
  if (top.height === Number((await ptr.locator('caption').innerText()).match(/block (\d+)/)[1])) {
    assert.deepEqual(rows, top.holders.map((h) => [h.address, h.balance]));
  }
  assert.ok(rows.length === Math.min(10, top.holders.length) && rows.length > 0);
  await shot(page, 'assets');
  await page.close();
});

test('reserves: the PTR attestation, a checkpoint verified in the page, and a chart drawn', async () => {
  await checkpointAtTip();
  const r = (await node.get('/v1/reserves')).reserves[0];
  const page = await newPage();
  await page.goto(`${server.url}/reserves.html`);
  const ptr = page.locator('section[data-asset="PTR"]');
  await ptr.locator('[data-testid="checkpoint-check"]').waitFor();
  const hashes = await ptr.locator('[data-testid="document-hash"]').allTextContents();
  assert.deepEqual(hashes, r.attestations.map((a) => a.document_hash));
  assert.match(await ptr.locator('[data-testid="checkpoint-check"]').innerText(), /^✓ verified in your browser/);
  // The chart drew: its canvas has painted pixels.
  await ptr.locator('[data-testid="chart-PTR"] canvas').waitFor();
  const painted = await page.$eval('[data-testid="chart-PTR"] canvas', (c) => {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) n++;
    return { n, w: c.width, h: c.height };
  });
  assert.ok(painted.w > 0 && painted.h > 0 && painted.n > 500, `chart canvas is blank: ${JSON.stringify(painted)}`);
  await shot(page, 'reserves');
  await page.close();
});

test('validators: the proposer, and the latest blocks\' signatures checked in the page', async () => {
  const s = await node.get('/v1/status');
  const page = await newPage();
  await page.goto(`${server.url}/validators.html`);
  await page.locator('[data-testid="signature-check"]').first().waitFor();
  assert.equal(await page.textContent('[data-testid="proposer"]'), s.proposer);
  assert.equal(await page.textContent('[data-testid="role"]'), 'single');
  const checks = await page.locator('[data-testid="signature-check"]').allInnerTexts();
  assert.ok(checks.length > 0 && checks.every((t) => t.startsWith('✓')), checks.join(' | '));
  await shot(page, 'validators');
  await page.close();
});

test('search: a block hash opens its block page, a transaction hash its transaction', async () => {
  const b = await node.get('/v1/blocks/1');
  const genesis = await node.get('/v1/blocks/0');
  const page = await newPage();
  for (const [q, url] of [[b.hash.toUpperCase(), /block\.html\?height=1$/],
    [genesis.hash, /block\.html\?height=0$/], [b.transactions[0], /tx\.html\?hash=/]]) {
    await page.goto(`${server.url}/index.html`);
    await page.fill('#search', q);
    await page.keyboard.press('Enter');
    await page.waitForURL(url);
  }
  await page.close();
});

test('no page logged a console error', () => {
  assert.deepEqual(consoleErrors, []);
});
