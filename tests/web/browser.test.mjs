// The explorer pages in a real browser (headless Debian chromium driven by playwright-core)
// against a real devnet that serves the pages itself (petrod --web web/, on the API's origin),
// a payment made with the CLI appears live without a reload on the
// home and account pages, a proof of reserves verifies in the page, a tampered proof file is
// refused with its failing checks named, the block and transaction pages check the bytes in
// the browser, the search box and the keyboard work, the home page fits a phone screen, and no
// page logs a console error. Screenshots go to PETRO_WEB_ARTIFACTS (default: web-screenshots
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
  await page.goto(`${server.url}/account.html?address=${node.address('alice')}`);
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

test('no page logged a console error', () => {
  assert.deepEqual(consoleErrors, []);
});
