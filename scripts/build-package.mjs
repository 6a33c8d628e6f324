#!/usr/bin/env node
// Builds the publishable npm package `pruning-playground` in packages/element/ (`npm run package`;
// `npm run package -- --pack` also runs `npm pack` into packages/, printing the tarball's name).
// Committed there: README.md (the npm page) and index.d.ts (the element's types); generated
// (git-ignored): package.json, with the version of Cargo.toml, and dist/, which keeps the layout
// the element expects next to itself (import.meta.url):
//   dist/pruning-playground.js   the element with the app and d3 (scripts/build-embed.mjs)
//   dist/worker.js               the engine's module worker; imports pkg/pruning_playground.js
//   dist/lottery-trials.js       and this (each trial's seeds, shared with the page)
//   dist/style.css               the element's shadow styles
//   dist/pkg/                    the engine and I/O wasm with their wasm-bindgen glue, digits.bin,
//                                mnist.bin (7.85 MB: the MNIST presets need it; fetched only then)
//   dist/vendor/*.LICENSE.txt    the licenses of the bundled d3 modules
// Run after scripts/build-wasm.sh and scripts/vendor.mjs; builds the bundle itself.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const www = join(root, 'www');
const out = join(root, 'packages', 'element');
const dist = join(out, 'dist');

/** @param {string} msg */
function fail(msg) {
  console.error(`[build-package] ERROR: ${msg}`);
  process.exit(1);
}

/** Files of www/pkg the package ships: the glue, the wasm and the data sets (not the .d.ts). */
const PKG_FILES = [
  'pruning_playground.js', 'pruning_playground_bg.wasm',
  'pruning_playground_io.js', 'pruning_playground_io_bg.wasm',
  'digits.bin', 'mnist.bin',
];
for (const f of PKG_FILES) {
  if (!existsSync(join(www, 'pkg', f))) fail(`www/pkg/${f} is missing: run bash scripts/build-wasm.sh first`);
}
if (!existsSync(join(www, 'vendor'))) fail('www/vendor is missing: run node scripts/vendor.mjs first');

execFileSync(process.execPath, [join(root, 'scripts', 'build-embed.mjs')], { stdio: 'inherit' });

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'pkg'), { recursive: true });
mkdirSync(join(dist, 'vendor'));
// worker.js and the one module it shares with the page (the trials' seed rule).
for (const f of ['pruning-playground.js', 'worker.js', 'lottery-trials.js', 'style.css']) cpSync(join(www, f), join(dist, f));
for (const f of PKG_FILES) cpSync(join(www, 'pkg', f), join(dist, 'pkg', f));
for (const f of readdirSync(join(www, 'vendor')).filter((n) => n.endsWith('.LICENSE.txt'))) {
  cpSync(join(www, 'vendor', f), join(dist, 'vendor', f));
}

// The worker must not need anything the package lacks: its runtime imports are the glue and
// lottery-trials.js.
const workerImports = [...readFileSync(join(dist, 'worker.js'), 'utf8').matchAll(/^import\b[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
for (const spec of workerImports) {
  if (!existsSync(join(dist, spec))) fail(`worker.js imports ${spec}, which the package does not ship`);
}

const cargo = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const version = /^version\s*=\s*"([^"]+)"/m.exec(cargo)?.[1];
if (!version) fail('could not read the version from Cargo.toml');
const manifest = {
  name: 'pruning-playground',
  version,
  description: 'The <pruning-playground> web component: train and prune small neural networks in the browser (Rust → WebAssembly, in a Web Worker). Lottery tickets, structured and global pruning, MNIST.',
  keywords: ['web-component', 'custom-element', 'neural-network', 'pruning', 'lottery-ticket', 'webassembly', 'education', 'mnist'],
  license: 'MIT OR Apache-2.0',
  type: 'module',
  main: './dist/pruning-playground.js',
  module: './dist/pruning-playground.js',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', default: './dist/pruning-playground.js' },
    './pruning-playground.js': { types: './index.d.ts', default: './dist/pruning-playground.js' },
    './worker.js': './dist/worker.js',
    './style.css': './dist/style.css',
    './pkg/*': './dist/pkg/*',
    './package.json': './package.json',
  },
  files: ['dist/', 'index.d.ts', 'README.md'],
  // Importing the module defines the custom element.
  sideEffects: ['./dist/pruning-playground.js'],
  browser: './dist/pruning-playground.js',
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

/** @param {string} dir @returns {string[]} */
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const files = walk(dist);
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
console.log(`[build-package] packages/element: pruning-playground@${version}, dist/ ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB`);

if (process.argv.includes('--pack')) {
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', join(root, 'packages')], { cwd: out, encoding: 'utf8' });
  const [info] = JSON.parse(json);
  console.log(`[build-package] packages/${info.filename}: ${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${info.entryCount} files`);
}
