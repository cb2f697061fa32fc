// serve: the explorer's static files (web/) and the node's API on one origin, until petrod
// serves the pages itself (issue #19). /v1/*, /healthz and /metrics are passed through to the
// node as they come (the event stream included, unbuffered); everything else is a file under
// web/ (directory traversal refused).
//
//   node web/tools/serve.mjs --node http://127.0.0.1:8420 [--port 8421] [--host 127.0.0.1]
//
// The tests import startServer() from here.
import { createReadStream, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon',
};

function proxy(nodeUrl, req, res) {
  const target = new URL(req.url, nodeUrl);
  const headers = { ...req.headers, host: target.host };
  const up = request(target, { method: req.method, headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    if (typeof res.flushHeaders === 'function') res.flushHeaders();
    r.pipe(res);
  });
  up.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: 'unavailable', message: `node unreachable: ${e.message}` }));
  });
  res.on('close', () => up.destroy());
  req.pipe(up);
}

function file(req, res) {
  let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path.endsWith('/')) path += 'index.html';
  const full = normalize(join(ROOT, path));
  if (!full.startsWith(ROOT + sep)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  let st;
  try {
    st = statSync(full);
  } catch {
    st = null;
  }
  if (!st || !st.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  // Packages are pinned by the lock file: let the browser keep them (a page loads ~40 modules).
  const cache = path.startsWith('/node_modules/') ? 'max-age=3600' : 'no-store';
  res.writeHead(200, { 'Content-Type': TYPES[extname(full)] || 'application/octet-stream',
    'Content-Length': st.size, 'Cache-Control': cache });
  if (req.method === 'HEAD') res.end();
  else createReadStream(full).pipe(res);
}

/** Starts serving; resolves { url, close() }. port 0 picks a free port. */
export function startServer({ nodeUrl, port = 0, host = '127.0.0.1' }) {
  const server = createServer((req, res) => {
    const p = req.url.split('?')[0];
    if (p.startsWith('/v1/') || p === '/healthz' || p === '/metrics') proxy(nodeUrl, req, res);
    else file(req, res);
  });
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const url = `http://${host}:${server.address().port}`;
      resolve({
        url,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
      });
    });
  });
}

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const nodeUrl = arg('--node', process.env.PETRO_NODE || 'http://127.0.0.1:8420');
  startServer({ nodeUrl, port: Number(arg('--port', 8421)), host: arg('--host', '127.0.0.1') })
    .then(({ url }) => console.log(`explorer at ${url}/ (API of ${nodeUrl})`));
}
