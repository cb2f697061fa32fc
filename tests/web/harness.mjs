// Harness of the web tests: a real `petrod devnet` on 127.0.0.1 and the real `petro` CLI.
//
// Why this shape: the tests check the JavaScript module against what a node says, so they
// need a node of their own (fresh data directory, free port) that never outlives them. petrod
// is started under a small `sh` watchdog whose stdin is a pipe from this process: when the
// test exits in any way (even SIGKILL by a CTest timeout) the pipe closes, `read` returns and
// the watchdog stops petrod. (Node has no PR_SET_PDEATHSIG; the Python harness uses that.)
//
// Environment: PETRO_BIN, the directory holding petrod and petro (CTest sets it); else the
// first of build/bin, build-web/bin... next to the repository that has them.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function defaultBin() {
  for (const dir of [join(REPO, 'build', 'bin'), join(REPO, '..', 'build-web', 'bin')]) {
    if (existsSync(join(dir, 'petrod'))) return dir;
  }
  return join(REPO, 'build', 'bin');
}

export const PETRO_BIN = process.env.PETRO_BIN || defaultBin();
export const PETROD = join(PETRO_BIN, 'petrod');
export const PETRO = join(PETRO_BIN, 'petro');

/** Removes the temp dirs of earlier test processes that were killed before they could (their
 *  names carry the owner's pid). */
function removeStaleDirs() {
  for (const name of readdirSync(tmpdir())) {
    const m = /^petro-web-(?:[a-z]+-)?(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      if (e.code === 'ESRCH') rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}
removeStaleDirs();

/** A fresh temporary directory, named after this process. */
export function tempDir(label = '') {
  return mkdtempSync(join(tmpdir(), `petro-web-${label ? `${label}-` : ''}${process.pid}-`));
}

/** A TCP port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const WATCHDOG = '"$0" "$@" </dev/null & p=$!; trap \'kill $p; wait $p; exit 0\' TERM; ' +
  'read _ignored; kill $p 2>/dev/null; wait $p';

/**
 * Starts `petrod devnet` on a fresh data directory. Options: checkpointInterval,
 * blockIntervalMs, args (more flags). Resolves when the node printed "ready".
 */
export async function startDevnet({ checkpointInterval, blockIntervalMs, args = [] } = {}) {
  if (!existsSync(PETROD)) throw new Error(`petrod not found at ${PETROD} (set PETRO_BIN)`);
  const tmp = tempDir();
  const data = join(tmp, 'data');
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const flags = ['devnet', '--data', data, '--http', `127.0.0.1:${port}`];
    if (checkpointInterval) flags.push('--checkpoint-interval', String(checkpointInterval));
    if (blockIntervalMs) flags.push('--block-interval-ms', String(blockIntervalMs));
    const child = spawn('sh', ['-c', WATCHDOG, PETROD, ...flags, ...args],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const ready = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 30000);
      const onData = () => {
        if (/^ready$/m.test(out)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout.on('data', onData);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (ready) return new Devnet({ child, tmp, data, url: `http://127.0.0.1:${port}`, out: () => out, err: () => err });
    child.stdin.end();
    if (!/in use/i.test(err)) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`petrod did not start:\n${out}\n${err}`);
    }
  }
  throw new Error('petrod: no free port after 3 attempts');
}

export class Devnet {
  constructor({ child, tmp, data, url, out, err }) {
    Object.assign(this, { child, tmp, data, url, out, err });
    this.addresses = {};
    for (const m of out().matchAll(/^\s+([a-z0-9-]+)\s+(tptr1[0-9a-z]{58})\s/gm)) {
      this.addresses[m[1]] = m[2];
    }
  }

  wallet(name) { return join(this.data, 'wallets', `${name}.json`); }
  address(name) {
    if (!this.addresses[name]) throw new Error(`no demo account ${name}`);
    return this.addresses[name];
  }

  /** Runs the CLI against this node; resolves { code, stdout, stderr }. */
  cli(...args) {
    return new Promise((resolve) => {
      execFile(PETRO, ['--node', this.url, ...args],
        { env: { ...process.env, PETRO_PASSPHRASE: 'web-tests' }, timeout: 60000 },
        (e, stdout, stderr) => resolve({ code: e ? (e.code ?? 1) : 0, stdout, stderr }));
    });
  }

  /** Runs the CLI and fails unless it exits 0; returns stdout. */
  async cliOk(...args) {
    const r = await this.cli(...args);
    if (r.code !== 0) throw new Error(`petro ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  async get(path) {
    const res = await fetch(this.url + path);
    const body = await res.json();
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  /** Waits until cond() (async) is truthy; returns its value. */
  async until(cond, what, ms = 20000) {
    const end = Date.now() + ms;
    for (;;) {
      const v = await cond();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the node (SIGTERM through the watchdog) and removes its directory. */
  async close() {
    if (this.child.exitCode === null) {
      let timer;
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.stdin.end();
      await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 15000); })]);
      clearTimeout(timer); // else it keeps the test process alive for 15 s
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
