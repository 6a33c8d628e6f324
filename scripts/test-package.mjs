#!/usr/bin/env node
// `npm test`'s `package` stage: the packed npm package works where authors put it.
//   1. scripts/build-package.mjs --pack → packages/pruning-playground-VERSION.tgz
//   2. a blank Vite project in a temporary folder: `npm install --offline TGZ` (the package has no
//      dependencies, so nothing is downloaded), `import 'pruning-playground'`, TypeScript checks a
//      file against the package's declarations, `vite build` (vite: the repository's devDependency,
//      linked in) → vite/dist/
//   3. a blank HTML folder: the same tarball installed, a page with the strict CSP of the docs
//      (docs/element.md) as a meta tag and one <script type="module" src="./node_modules/…">
//   4. each served by scripts/serve.mjs on a free port; e2e/package.spec.js drives both in Chromium
//      (PP_PACKAGE_VITE_URL, PP_PACKAGE_HTML_URL; the spec is skipped without them).
// The temporary folder is removed at the end (PP_KEEP_PACKAGE_FIXTURES=1 keeps it).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (/** @type {string} */ name) => join(root, 'node_modules', '.bin', name);

/** @param {string} cmd @param {string[]} args @param {string} cwd */
function run(cmd, args, cwd) {
  console.log(`[test-package] ${cwd === root ? '' : `(${cwd}) `}${cmd} ${args.join(' ')}`);
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The CSP the docs give for a page that serves the package from its own origin. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src 'self'; style-src 'self'; img-src 'self' data: blob:";

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts scripts/serve.mjs on DIR; resolves with its URL once it listens.
 * @param {string} dir
 * @returns {Promise<{ url: string, stop: () => void }>}
 */
async function serve(dir) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'scripts', 'serve.mjs'), dir], {
    env: { ...process.env, PORT: String(port), STRICT_PORT: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('Serving') && resolve(undefined));
    child.once('exit', (code) => reject(new Error(`serve.mjs ${dir} exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

const packed = run(process.execPath, [join(root, 'scripts', 'build-package.mjs'), '--pack'], root);
const tgz = /packages\/(pruning-playground-[^:]+\.tgz)/.exec(packed)?.[1];
if (!tgz) throw new Error(`no tarball named in:\n${packed}`);
const tarball = join(root, 'packages', tgz);

const tmp = mkdtempSync(join(tmpdir(), 'pp-package-'));
/** @type {{ stop: () => void }[]} */
const servers = [];
let failed = false;
try {
  const install = ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tarball];

  // A blank Vite project.
  const vite = join(tmp, 'vite');
  mkdirSync(vite);
  writeFileSync(join(vite, 'package.json'), JSON.stringify({ name: 'blank-vite', private: true, type: 'module' }));
  writeFileSync(join(vite, 'index.html'), `<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<link rel="icon" href="data:,">
<title>Vite + pruning-playground</title></head>
<body><pruning-playground id="pg" data="xor" seed="3" ep="4" views="network training density" lang="en"></pruning-playground>
<script type="module" src="./main.ts"></script></body></html>
`);
  // Typed use of the element through the package's declarations (checked by tsc below).
  writeFileSync(join(vite, 'main.ts'), `import 'pruning-playground';
import type { PruneResult } from 'pruning-playground';

// The page's own listener: e2e/package.spec.js reads what it wrote.
const pg = document.querySelector('pruning-playground');
pg?.addEventListener('pruned', (e) => {
  const detail: PruneResult = e.detail;
  pg.dataset.lastDensity = String(detail.density);
});
`);
  writeFileSync(join(vite, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'es2022', module: 'esnext', moduleResolution: 'bundler', strict: true, noEmit: true, lib: ['es2022', 'dom'], skipLibCheck: false },
    include: ['main.ts'],
  }));
  run('npm', install, vite);
  symlinkSync(join(root, 'node_modules', 'vite'), join(vite, 'node_modules', 'vite'));
  run(bin('tsc'), ['-p', 'tsconfig.json'], vite);
  console.log(run(process.execPath, [join(vite, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], vite));

  // A blank HTML folder: the package as it is installed, one module script, the strict CSP.
  const html = join(tmp, 'html');
  mkdirSync(html);
  writeFileSync(join(html, 'package.json'), JSON.stringify({ name: 'blank-html', private: true }));
  run('npm', install, html);
  writeFileSync(join(html, 'index.html'), `<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<link rel="icon" href="data:,">
<title>pruning-playground in a static folder</title>
<script type="module" src="./node_modules/pruning-playground/dist/pruning-playground.js"></script></head>
<body><pruning-playground id="pg" data="digits" layers="16" seed="5" ep="2" views="density training" lang="ko"></pruning-playground></body></html>
`);

  const [v, h] = [await serve(join(vite, 'dist')), await serve(html)];
  servers.push(v, h);
  const env = { ...process.env, PP_PACKAGE_VITE_URL: v.url, PP_PACKAGE_HTML_URL: h.url, E2E_PORT: process.env.E2E_PORT ?? String(await freePort()) };
  console.log(`[test-package] Vite build at ${v.url}, HTML folder at ${h.url}`);
  try {
    execFileSync(bin('playwright'), ['test', 'e2e/package.spec.js'], { cwd: root, env, stdio: 'inherit' });
  } catch {
    failed = true;
  }
} finally {
  for (const s of servers) s.stop();
  if (process.env.PP_KEEP_PACKAGE_FIXTURES === '1') console.log(`[test-package] fixtures kept in ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
if (failed) process.exit(1);
