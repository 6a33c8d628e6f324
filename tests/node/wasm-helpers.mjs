// Loads the browser build (www/pkg, `wasm-bindgen --target web`) in Node with initSync: the
// training engine and the I/O module (safetensors, PyTorch script, CSV), as the worker does.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkgDir = path.join(repoRoot, 'www', 'pkg');
const jsFile = path.join(pkgDir, 'pruning_playground.js');
const wasmFile = path.join(pkgDir, 'pruning_playground_bg.wasm');
const ioJsFile = path.join(pkgDir, 'pruning_playground_io.js');
const ioWasmFile = path.join(pkgDir, 'pruning_playground_io_bg.wasm');

/** @returns {Promise<typeof import('../../www/pkg/pruning_playground.js')>} */
export async function loadWasm() {
  if (!existsSync(jsFile) || !existsSync(wasmFile)) {
    throw new Error(`${path.relative(repoRoot, pkgDir)}/ is not built: run \`bash scripts/build-wasm.sh\` (npm test does)`);
  }
  const mod = await import(pathToFileURL(jsFile).href);
  mod.initSync({ module: readFileSync(wasmFile) });
  return mod;
}

/** @returns {Promise<typeof import('../../www/pkg/pruning_playground_io.js')>} */
export async function loadIo() {
  if (!existsSync(ioJsFile) || !existsSync(ioWasmFile)) {
    throw new Error(`${path.relative(repoRoot, pkgDir)}/ has no I/O module: run \`bash scripts/build-wasm.sh\``);
  }
  const mod = await import(pathToFileURL(ioJsFile).href);
  mod.initSync({ module: readFileSync(ioWasmFile) });
  return mod;
}

/** The config that the CLI example (docs/cli.md) and the page's defaults use. */
export function circleConfig(overrides = {}) {
  return {
    dataset: { kind: 'circle', noise: 0.1, trainFraction: 0.5, samples: 500, seed: 0 },
    hidden: [8, 8],
    activation: 'tanh',
    optimizer: 'sgd',
    learningRate: 0.03,
    batchSize: 10,
    seed: 0,
    ...overrides,
  };
}
