// scripts/serve.mjs: MIME types, index.html, only the page's files, no directory traversal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from './wasm-helpers.mjs';

/** @type {import('node:child_process').ChildProcess} */
let server;
let base = '';

before(async () => {
  server = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'serve.mjs')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  for await (const chunk of server.stdout) {
    out += chunk;
    const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
    if (m) {
      base = m[0];
      break;
    }
  }
  assert.ok(base, `server announced its URL (got: ${out})`);
});

after(async () => {
  server.kill('SIGTERM');
  await once(server, 'exit');
});

test('serves index.html at / with an inline favicon', async () => {
  const res = await fetch(base);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(await res.text(), /<link rel="icon" href="data:,">/);
});

test('serves JavaScript and CSS with their MIME types', async () => {
  const js = await fetch(new URL('www/main.js', base));
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  const css = await fetch(new URL('www/style.css', base));
  assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
});

test('serves .wasm as application/wasm', async () => {
  const res = await fetch(new URL('www/pkg/pruning_playground_bg.wasm', base));
  assert.equal(res.status, 200, 'www/pkg is built before the node tests');
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
});

test('serves the page and www/ only, never the rest of the repository', async () => {
  assert.equal((await fetch(new URL('index.html', base))).status, 200);
  assert.equal((await fetch(new URL('www/vendor/d3-array.js', base))).status, 200, 'the vendored d3 is served');
  for (const p of ['package.json', 'Cargo.toml', 'src/lib.rs', '.git/HEAD', 'target/', 'node_modules/esbuild/package.json', 'scripts/serve.mjs', 'README.md']) {
    assert.equal((await fetch(new URL(p, base))).status, 404, p);
  }
});

test('never serves a file outside the repository', async () => {
  // fetch() normalises "..", so send raw paths over a socket-level request instead.
  const { request } = await import('node:http');
  const url = new URL(base);
  for (const raw of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/www/pkg/..%2f..%2f..%2fpackage.json', '/www/..%2fpackage.json', '/%00']) {
    const status = await new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: raw }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    assert.ok(status === 403 || status === 404, `${raw} → ${status}`);
  }
});

test('unknown paths are 404 and other methods 405', async () => {
  assert.equal((await fetch(new URL('nope.js', base))).status, 404);
  assert.equal((await fetch(base, { method: 'POST' })).status, 405);
});
