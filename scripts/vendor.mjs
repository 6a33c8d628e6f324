#!/usr/bin/env node
// Copies the page's runtime npm dependencies (the d3 modules in package.json "dependencies" and
// everything they import) into www/vendor/ as single ES modules, so the page runs without a
// bundler: index.html (top level) has an import map from each bare specifier to ./www/vendor/NAME.js.
// Run by `npm install`/`npm ci` (postinstall) and by `npm run vendor`. www/vendor/ is generated
// (gitignored). Fails if index.html's import map differs from what it copied, or if the page's
// Content-Security-Policy lacks the import map's hash (an inline script under script-src 'self').
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'www', 'vendor');

/** @param {string} file */
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/**
 * The ES-module entry of an installed package (d3 packages ship one minified .mjs each).
 * @param {any} pkg
 * @returns {string}
 */
function esmEntry(pkg) {
  const dot = pkg.exports?.['.'] ?? pkg.exports;
  const entry = dot?.default ?? pkg.module ?? pkg.main;
  if (typeof entry !== 'string') throw new Error(`${pkg.name}: no ES-module entry`);
  const min = entry.replace(/\.mjs$/, '.min.mjs');
  return min;
}

const top = Object.keys(readJson(path.join(root, 'package.json')).dependencies ?? {});
/** @type {Map<string, string>} name → file copied */
const copied = new Map();
const queue = [...top];
mkdirSync(out, { recursive: true });
while (queue.length > 0) {
  const name = /** @type {string} */ (queue.shift());
  if (copied.has(name)) continue;
  const dir = path.join(root, 'node_modules', name);
  const pkg = readJson(path.join(dir, 'package.json'));
  let entry = esmEntry(pkg);
  if (!existsSync(path.join(dir, entry))) entry = entry.replace(/\.min\.mjs$/, '.mjs');
  const source = readFileSync(path.join(dir, entry), 'utf8');
  const target = `${name}.js`;
  writeFileSync(path.join(out, target), source);
  if (existsSync(path.join(dir, 'LICENSE'))) copyFileSync(path.join(dir, 'LICENSE'), path.join(out, `${name}.LICENSE.txt`));
  copied.set(name, target);
  // Bare imports of the copied file (bundled dependencies such as internmap are not imported).
  for (const m of source.matchAll(/from\s*["']([^."'/][^"']*)["']/g)) queue.push(m[1]);
}

const imports = Object.fromEntries([...copied].sort().map(([name, file]) => [name, `./www/vendor/${file}`]));
const html = readFileSync(path.join(root, 'index.html'), 'utf8');
const mapText = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1];
const inPage = mapText ? JSON.parse(mapText).imports : {};
const missing = Object.keys(imports).filter((k) => inPage[k] !== imports[k]);
console.log(`vendor: ${copied.size} modules → www/vendor/`);
if (missing.length > 0) {
  console.error(`vendor: index.html's import map lacks or differs for: ${missing.join(', ')}`);
  console.error(JSON.stringify({ imports }, null, 2));
  process.exit(1);
}
const hash = `'sha256-${createHash('sha256').update(mapText ?? '').digest('base64')}'`;
const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
if (!csp.includes(hash)) {
  console.error(`vendor: the Content-Security-Policy in index.html must allow the import map: ${hash}`);
  process.exit(1);
}
