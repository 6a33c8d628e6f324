// `npm run build`, last step: copies the page into a static dist/ that works from any static host
// or a sub-path, with the repository's layout: dist/index.html (the entry), dist/www/ (its modules,
// the wasm in www/pkg/, d3 in www/vendor/, the element bundle) and dist/sw.js, the service worker,
// beside index.html so that its scope covers the page. Run after scripts/build-wasm.sh,
// scripts/vendor.mjs and scripts/build-embed.mjs. Checks that the page uses relative URLs only
// (no leading "/" in src/href/import map), so it does not break under https://host/some/path/.
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const www = join(root, 'www');
const dist = join(root, 'dist');

/** @param {string} msg */
function fail(msg) {
  console.error(`[build-dist] ERROR: ${msg}`);
  process.exit(1);
}

for (const [dir, how] of [
  ['pkg', 'bash scripts/build-wasm.sh'],
  ['vendor', 'node scripts/vendor.mjs'],
  ['pruning-playground.js', 'node scripts/build-embed.mjs'],
]) {
  if (!existsSync(join(www, dir))) fail(`www/${dir} is missing: run ${how} first`);
}

/** Files that are for developers, not for the static site (sw.js goes to the top level). */
const SKIP = new Set(['README.md', '.build-stamp', '.gitignore', 'package.json', 'sw.js']);

rmSync(dist, { recursive: true, force: true });
cpSync(www, join(dist, 'www'), {
  recursive: true,
  filter: (src) => !SKIP.has(src.split(/[\\/]/).at(-1) ?? ''),
});
cpSync(join(root, 'index.html'), join(dist, 'index.html'));
cpSync(join(www, 'sw.js'), join(dist, 'sw.js'));

/** @param {string} dir @returns {string[]} */
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

// Root-absolute URLs would point outside a sub-path deployment.
/** @type {string[]} */
const problems = [];
const files = walk(dist);
for (const file of files) {
  if (!/\.(html|js|css)$/.test(file) || file.startsWith(join(dist, 'www', 'vendor'))) continue;
  const text = readFileSync(file, 'utf8');
  // src="/x", href="/x", import … from '/x', "imports": { "a": "/x" }, url(/x) — but not "//".
  const patterns = [/\b(?:src|href)="\/(?!\/)/g, /\bfrom\s+['"]\/(?!\/)/g, /":\s*"\/(?!\/)/g, /url\(\s*['"]?\/(?!\/)/g];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) problems.push(`${relative(root, file)}: ${m[0]}`);
  }
}
if (problems.length > 0) fail(`root-absolute URLs (use relative ones):\n  ${problems.join('\n  ')}`);

// Offline: the service worker precaches every file (relative to dist/), versioned by their hash;
// index.html opts in to registering it (the dev server's page does not).
const hash = createHash('sha256');
// MNIST (pkg/mnist.bin, 7.85 MB) is left out: it is fetched only when that data set is chosen,
// and offline the other data sets work without it.
const cached = files
  .map((f) => relative(dist, f).split(sep).join('/'))
  .filter((f) => f !== 'sw.js' && f !== 'pkg/mnist.bin')
  .sort();
for (const f of cached) hash.update(f).update(readFileSync(join(dist, f)));
const version = hash.digest('hex').slice(0, 16);
const swPath = join(dist, 'sw.js');
const swText = readFileSync(swPath, 'utf8')
  .replace('JSON.parse(\'[]\')', () => JSON.stringify(cached))
  .replace("const VERSION = 'dev';", `const VERSION = '${version}';`);
if (!swText.includes(version) || swText.includes("JSON.parse('[]')")) fail('www/sw.js: could not fill in the file list and version');
writeFileSync(swPath, swText);
const indexPath = join(dist, 'index.html');
const index = readFileSync(indexPath, 'utf8');
if (!index.includes('<html lang="en">')) fail('index.html: expected <html lang="en"> to mark the offline build');
writeFileSync(indexPath, index.replace('<html lang="en">', '<html lang="en" data-offline="sw.js">'));

const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
writeFileSync(join(dist, '.nojekyll'), '');
console.log(`[build-dist] dist/: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB, offline cache ${version} — serve it from any static host or sub-path`);
