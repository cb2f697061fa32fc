// gen-ops: web/src/ops.js (the operation table of the JavaScript client) from the generated
// "Operation fields" block of docs/protocol.md.
//
//   node web/tools/gen-ops.mjs            print the module on stdout
//   node web/tools/gen-ops.mjs --write    rewrite web/src/ops.js
//   node web/tools/gen-ops.mjs --check    exit 1 unless web/src/ops.js is what it would write
//
// Why from the docs: the block between `<!-- ops:begin -->` and `<!-- ops:end -->` is itself
// generated from the family registry (tests/tools/gen_ops_doc.c) and checked by CTest
// (unit.ops_doc), so registry -> protocol.md -> ops.js is one chain with a check at each link.
// The client keeps exactly one table and never fetches it at run time.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
const DOC = join(REPO, 'docs', 'protocol.md');
const OUT = join(REPO, 'web', 'src', 'ops.js');
const SUPPLY_MAX = 92233720368n * 100000000n;
const KINDS = new Set(['pubkey', 'asset', 'code', 'amount', 'u8', 'bool', 'u16', 'u32', 'u64',
  'text', 'hash', 'sig', 'country']);

function fail(msg) {
  process.stderr.write(`gen-ops: ${msg}\n`);
  process.exit(2);
}

// A markdown table row into its cells ('\|' is a literal bar).
function cells(line) {
  const parts = line.trim().replace(/\\\|/g, '\u0000').split('|').slice(1, -1);
  return parts.map((c) => c.trim().replace(/\u0000/g, '|'));
}

function bound(s, kind) {
  if (s === 'supply max' && kind === 'amount') return SUPPLY_MAX;
  if (!/^-?\d+$/.test(s)) fail(`bad bound ${JSON.stringify(s)}`);
  return BigInt(s);
}

// "1 oil, 2 gold" -> {1: 'oil', 2: 'gold'}
function enumNames(s) {
  const names = {};
  for (const part of s.split(', ')) {
    const m = /^(\d+) (.+)$/.exec(part);
    if (!m) fail(`bad enum limits ${JSON.stringify(s)}`);
    names[Number(m[1])] = m[2];
  }
  return names;
}

// "bit 0 auth_required, bit 1 revocable; other bits 0" -> {0: 'auth_required', 1: 'revocable'}
function flagNames(s) {
  const m = /^(.*); other bits 0$/.exec(s);
  if (!m) fail(`bad flags limits ${JSON.stringify(s)}`);
  const names = {};
  for (const part of m[1].split(', ')) {
    const b = /^bit (\d+) (.+)$/.exec(part);
    if (!b) fail(`bad flag ${JSON.stringify(part)}`);
    names[Number(b[1])] = b[2];
  }
  return names;
}

function intLimits(f, s) {
  if (s === '') return;
  if (f.enum) { f.names = enumNames(s); return; }
  if (f.flagWord) { f.names = flagNames(s); return; }
  const ge = /^>= (.+)$/.exec(s);
  if (ge) { f.min = bound(ge[1], f.kind); return; }
  const r = /^(.+)\.\.(.+)$/.exec(s);
  if (!r) fail(`bad range ${JSON.stringify(s)} of ${f.name}`);
  f.min = bound(r[1], f.kind);
  f.max = bound(r[2], f.kind);
}

function parseField(name, kindCell, limits, doc) {
  const m = /^(list of )?([a-z0-9]+)(?: \(([a-z, ]+)\))?$/.exec(kindCell);
  if (!m || !KINDS.has(m[2])) fail(`bad kind ${JSON.stringify(kindCell)} of ${name}`);
  const notes = new Set(m[3] ? m[3].split(', ') : []);
  const f = { name, kind: m[2], doc };
  for (const n of notes) {
    if (n === 'party') f.party = true;
    else if (n === 'enum') f.enum = true;
    else if (n === 'flags') f.flagWord = true;
    else if (n === 'boolean') f.boolean = true;
    else if (n === 'hex') f.hex = true;
    else if (n === 'optional') f.optional = true;
    else fail(`unknown annotation ${n} of ${name}`);
  }
  let rest = limits;
  if (m[1]) {
    const l = /^(\d+)\.\.(\d+) values(?:; each (.*))?$/.exec(limits);
    if (!l) fail(`bad list limits ${JSON.stringify(limits)} of ${name}`);
    f.listMin = Number(l[1]);
    f.listMax = Number(l[2]);
    rest = l[3] || '';
  }
  if (f.kind === 'text') {
    const t = /^(\d+)\.\.(\d+) bytes$/.exec(rest);
    if (!t) fail(`bad text limits ${JSON.stringify(rest)} of ${name}`);
    f.textMin = Number(t[1]);
    f.textMax = Number(t[2]);
  } else if (f.kind === 'bool') {
    if (rest !== '0 or 1') fail(`bad bool limits ${JSON.stringify(rest)} of ${name}`);
  } else if (['amount', 'u8', 'u16', 'u32', 'u64'].includes(f.kind)) {
    if (!f.hex) intLimits(f, rest);
  } else if (rest !== '') {
    fail(`unexpected limits ${JSON.stringify(rest)} of ${name}`);
  }
  return f;
}

export function parseOpsBlock(text) {
  const begin = text.indexOf('<!-- ops:begin -->');
  const end = text.indexOf('<!-- ops:end -->');
  if (begin < 0 || end < begin) fail('markers <!-- ops:begin/end --> not found');
  const families = [];
  let family = null;
  let op = null;
  const lines = text.slice(begin, end).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fam = /^#### Family `([a-z_]+)`$/.exec(line);
    if (fam) {
      let j = i + 1;
      while (lines[j] === '') j++;
      family = { name: fam[1], summary: lines[j].replace(/\.$/, ''), ops: [] };
      families.push(family);
      op = null;
      continue;
    }
    if (!family || !line.startsWith('| ') || line.startsWith('| type') || line.startsWith('| ---')) {
      continue;
    }
    const c = cells(line);
    if (c.length !== 7) fail(`row with ${c.length} cells: ${line}`);
    if (c[0] !== '') {
      op = { type: Number(c[0]), name: c[1].replace(/`/g, ''), family: family.name,
        threshold: c[2], summary: c[6], fields: [] };
      family.ops.push(op);
    } else {
      if (!op) fail(`field row before an operation: ${line}`);
      op.fields.push(parseField(c[3].replace(/`/g, ''), c[4], c[5], c[6]));
    }
  }
  if (families.length === 0) fail('no family found');
  return families;
}

function lit(v) {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'object') {
    return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${JSON.stringify(x)}`).join(', ')} }`;
  }
  return JSON.stringify(v);
}

export function render(families) {
  const out = [];
  out.push('// Generated from the "Operation fields" block of docs/protocol.md by');
  out.push('// web/tools/gen-ops.mjs: do not edit. `node web/tools/gen-ops.mjs --write` rewrites it;');
  out.push('// the test tests/web/ops.test.mjs fails when it is stale.');
  out.push('//');
  out.push('// Each operation: type, name, family, threshold, summary, and its fields in wire order.');
  out.push('// A field: name, kind (pubkey asset code amount u8 bool u16 u32 u64 text hash sig');
  out.push('// country), and when present: listMin/listMax (a list: u8 count then values), textMin/');
  out.push('// textMax, min/max (BigInt), names (enum values or flag bits by number), party, enum,');
  out.push('// flagWord, boolean, hex, optional, doc.');
  out.push('');
  out.push('export const FAMILIES = Object.freeze([');
  for (const fam of families) {
    out.push(`  Object.freeze({ name: ${lit(fam.name)}, summary: ${lit(fam.summary)}, ops: Object.freeze([`);
    for (const op of fam.ops) {
      out.push(`    Object.freeze({ type: ${op.type}, name: ${lit(op.name)}, family: ${lit(op.family)}, ` +
        `threshold: ${lit(op.threshold)},`);
      out.push(`      summary: ${lit(op.summary)}, fields: Object.freeze([`);
      for (const f of op.fields) {
        const parts = Object.entries(f).map(([k, v]) => `${k}: ${lit(v)}`);
        out.push(`        Object.freeze({ ${parts.join(', ')} }),`);
      }
      out.push('      ]) }),');
    }
    out.push('  ]) }),');
  }
  out.push(']);');
  out.push('');
  out.push('/** Operation schema by type number. */');
  out.push('export const OPS_BY_TYPE = new Map(FAMILIES.flatMap((f) => f.ops).map((o) => [o.type, o]));');
  out.push('/** Operation schema by name ("payment"). */');
  out.push('export const OPS_BY_NAME = new Map(FAMILIES.flatMap((f) => f.ops).map((o) => [o.name, o]));');
  out.push('');
  return out.join('\n');
}

function main() {
  const text = render(parseOpsBlock(readFileSync(DOC, 'utf8')));
  const mode = process.argv[2];
  if (mode === '--write') {
    writeFileSync(OUT, text);
  } else if (mode === '--check') {
    let have = '';
    try { have = readFileSync(OUT, 'utf8'); } catch { /* missing: stale */ }
    if (have !== text) {
      const a = have.split('\n');
      const b = text.split('\n');
      const i = b.findIndex((l, k) => l !== a[k]);
      process.stderr.write(`gen-ops: web/src/ops.js is stale (line ${i + 1}); run ` +
        '`node web/tools/gen-ops.mjs --write`\n');
      process.exit(1);
    }
  } else if (mode === undefined) {
    process.stdout.write(text);
  } else {
    fail(`unknown argument ${mode}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
