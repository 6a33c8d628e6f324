#!/usr/bin/env node
// A tiny dependency-free static file server for the page (development and e2e tests only).
//
//   node scripts/serve.mjs          the page from the repository: index.html at / and www/ (its
//                                   modules, wasm, vendored d3 and the element bundle) — nothing
//                                   else of the repository (no target/, .git, node_modules, src/)
//   node scripts/serve.mjs DIR      every file under DIR (a built site, e.g. dist/)
//
// Environment:
//   PORT=8080         port to listen on (default 8080); if it is taken, a free port is used instead
//   STRICT_PORT=1     fail instead of falling back to a free port (used by the e2e tests)
//   SERVE_HOST=127.0.0.1  address to bind (default 127.0.0.1: not exposed to the network)
//
// Serves .wasm as application/wasm, never lists directories, refuses paths outside the root,
// and sends no-store caching so a rebuild is always picked up. Every response carries a strict
// Content-Security-Policy (CSP below); an HTML page's inline scripts (the import map) are allowed
// by their sha256, computed from the file served.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '..'));
/**
 * Without DIR, the only parts of the repository served: the page and its modules. A request for
 * anything else is a 404, as if the rest of the repository were not there.
 * @type {Set<string> | null}
 */
const servedTopLevel = process.argv[2] === undefined ? new Set(['index.html', 'www']) : null;
const host = process.env.SERVE_HOST || '127.0.0.1';
const requestedPort = process.env.PORT ? Number(process.env.PORT) : 8080;
const strictPort = process.env.STRICT_PORT === '1';

if (!existsSync(root) || !statSync(root).isDirectory()) {
  console.error(`serve: ${root} is not a directory (usage: node scripts/serve.mjs [root], PORT=… for the port)`);
  process.exit(2);
}

if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  console.error(`serve: invalid PORT ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}

/** @type {Record<string, string>} */
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.safetensors': 'application/octet-stream',
};

/**
 * The Content-Security-Policy of every response: scripts, workers, styles and everything else from
 * this origin only; wasm may be compiled; images may also be data: URLs (PNG export); no plugins,
 * no <base> elsewhere. No frame-ancestors: the page is meant to be embedded in other sites' iframes.
 * @param {string[]} [hashes]  sha256 sources of the page's inline scripts
 */
function csp(hashes = []) {
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${hashes.map((h) => ` '${h}'`).join('')}`,
    "worker-src 'self' blob:",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

/**
 * sha256 sources of the inline <script> elements (no src) of an HTML text.
 * @param {string} html
 */
function inlineScriptHashes(html) {
  return [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)]
    .filter((m) => m[1] !== '')
    .map((m) => `sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}`);
}

/**
 * Map a request URL to a file under root, or null when it would escape the root.
 * @param {string} url
 * @returns {string | null}
 */
function resolveRequest(url) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const file = path.resolve(root, '.' + path.posix.normalize('/' + pathname));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

/**
 * Whether a file under root may be served (see servedTopLevel); root itself serves index.html.
 * @param {string} file
 */
function isServed(file) {
  if (servedTopLevel === null || file === root) return true;
  return servedTopLevel.has(path.relative(root, file).split(path.sep)[0]);
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} message
 */
function sendText(res, status, message) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(message + '\n');
}

const server = createServer(async (req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendText(res, 405, 'method not allowed');
  }
  let file = resolveRequest(req.url ?? '/');
  if (file === null) return sendText(res, 403, 'forbidden');
  if (!isServed(file)) return sendText(res, 404, 'not found');
  try {
    let info = await stat(file);
    if (info.isDirectory()) {
      file = path.join(file, 'index.html');
      info = await stat(file);
    }
    if (!info.isFile()) return sendText(res, 404, 'not found');
    const ext = path.extname(file).toLowerCase();
    const html = ext === '.html' ? await readFile(file) : null;
    res.writeHead(200, {
      'Content-Type': MIME[ext] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Content-Security-Policy': csp(html ? inlineScriptHashes(html.toString('utf8')) : []),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      // Cross-origin isolation: lets the page use SharedArrayBuffer / wasm threads later on.
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    if (req.method === 'HEAD') return res.end();
    if (html) return res.end(html);
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  } catch {
    sendText(res, 404, 'not found');
  }
});

/** @param {number} port */
function listen(port) {
  server.listen(port, host);
}

server.on('error', (/** @type {NodeJS.ErrnoException} */ err) => {
  if (err.code === 'EADDRINUSE' && !strictPort && server.listening === false && requestedPort !== 0) {
    console.error(`serve: port ${requestedPort} is in use; using a free port instead`);
    server.removeAllListeners('listening');
    server.once('listening', announce);
    listen(0);
    return;
  }
  console.error(`serve: ${err.message}`);
  process.exit(1);
});

function announce() {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : requestedPort;
  const what = servedTopLevel ? 'the page (index.html, www/)' : `${path.relative(process.cwd(), root) || '.'}/`;
  console.log(`Serving ${what} at http://${host}:${port}/  (Ctrl+C to stop)`);
  if (servedTopLevel) console.log(`The example post: http://${host}:${port}/www/examples/blog-post.html`);
}

server.once('listening', announce);
listen(requestedPort);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
