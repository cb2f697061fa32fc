// Makes the README's two screenshots from a real devnet: the home page with blocks and
// transactions streaming in, and the account page's proof of reserves verified in the page.
//
//   node web/tools/screenshots.mjs [--bin build/bin] [--out docs/img]     (or: make screenshots)
//
// It starts its own `petrod devnet` (fresh data directory, free port, serving web/), makes a
// few payments with the `petro` CLI, waits for a checkpoint, opens the pages in Debian's
// headless chromium (playwright-core, as the browser test) and writes home.png and
// proof-check.png: viewport-sized, at 1x, so each stays near 100 KB. Same harness as
// tests/web (tests/web/harness.mjs); nothing is left running.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: {
  bin: { type: 'string', default: 'build/bin' },
  out: { type: 'string', default: 'docs/img' },
} });
process.env.PETRO_BIN = resolve(opt.bin);
const { REPO, startDevnet } = await import('../../tests/web/harness.mjs');
const { chromium } = createRequire(join(REPO, 'web', 'package.json'))('playwright-core');
const out = resolve(opt.out);
mkdirSync(out, { recursive: true });

const node = await startDevnet({ checkpointInterval: 2, blockIntervalMs: 200, args: ['--web', join(REPO, 'web')] });
const browser = await chromium.launch({ executablePath: process.env.PETRO_CHROMIUM || '/usr/bin/chromium' });
try {
  const pay = (from, to, amount, memo) => node.cliOk('pay', '--wallet', node.wallet(from),
    '--to', node.address(to), '--amount', amount, '--memo', memo, '--wait');
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 }, deviceScaleFactor: 1 });
  await page.goto(`${node.url}/`);
  await page.waitForFunction(() => document.getElementById('live').textContent.startsWith('connected'));
  for (const [from, to, amount, memo] of [['alice', 'bob', '12.5', 'invoice 42'], ['bob', 'importer', '3.25', 'rent'],
    ['importer', 'alice', '0.75', 'coffee'], ['alice', 'exporter', '40', 'march'], ['bob', 'alice', '1.5', 'refund']]) {
    await pay(from, to, amount, memo);
  }
  await page.locator('#txs tr[data-hash]').nth(4).waitFor();
  await page.screenshot({ path: join(out, 'home.png') });

  const { height, proposer } = await node.get('/v1/status');
  await node.until(async () => {
    const cp = (await node.get('/v1/reserves')).reserves[0].latest_checkpoint;
    return cp && cp.height >= height - (height % 2);
  }, 'a checkpoint at the tip');
  await page.goto(`${node.url}/account.html?address=${node.address('alice')}&validator=${proposer}`);
  await page.click('#fetch-proof');
  await page.locator('[data-testid="proof-verdict"]').waitFor();
  await page.locator('#proof-s').screenshot({ path: join(out, 'proof-check.png') });
  console.log(`wrote ${join(out, 'home.png')} and ${join(out, 'proof-check.png')}`);
} finally {
  await browser.close();
  await node.close();
}
