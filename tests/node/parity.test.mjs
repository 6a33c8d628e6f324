// Native CLI and WebAssembly build must compute the same training run (up to GEMM rounding:
// native matrixmultiply may use FMA kernels, wasm uses simd128), so losses agree to 1e-4 relative.
//
// The CLI runs with the dev profile by default (`cargo run`, already built by `cargo test`);
// PARITY_RELEASE=1 uses `cargo run --release` instead.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { circleConfig, loadWasm, repoRoot } from './wasm-helpers.mjs';

const EPOCHS = 5;
const REL_TOL = 1e-4;

/** @param {number} a @param {number} b */
function relDiff(a, b) {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

function runCli() {
  const args = ['run', '--quiet'];
  if (process.env.PARITY_RELEASE === '1') args.push('--release');
  args.push('--', 'train', '--dataset', 'circle', '--hidden', '8,8', '--activation', 'tanh',
    '--optimizer', 'sgd', '--lr', '0.03', '--batch', '10', '--epochs', String(EPOCHS),
    '--seed', '0', '--json');
  const out = execFileSync('cargo', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

test('CLI `train --json` and the wasm Playground agree on every epoch', { timeout: 600_000 }, async (t) => {
  const native = runCli();
  assert.equal(native.length, EPOCHS, 'one JSON line per epoch from the CLI');

  const { Playground } = await loadWasm();
  const pg = new Playground(circleConfig());
  const web = pg.train(EPOCHS);
  pg.free();
  assert.equal(web.length, EPOCHS);

  let worst = 0;
  for (let i = 0; i < EPOCHS; i += 1) {
    const n = native[i];
    const w = web[i];
    assert.equal(w.epoch, n.epoch, `epoch number at index ${i}`);
    for (const [jsKey, cliKey] of [['trainLoss', 'train_loss'], ['testLoss', 'test_loss']]) {
      const d = relDiff(w[jsKey], n[cliKey]);
      worst = Math.max(worst, d);
      assert.ok(d <= REL_TOL, `epoch ${n.epoch} ${jsKey}: wasm ${w[jsKey]} vs native ${n[cliKey]} (rel. diff ${d.toExponential(2)})`);
    }
    // Accuracies may differ by a sample whose logit sits right at the boundary.
    for (const [jsKey, cliKey] of [['trainAccuracy', 'train_accuracy'], ['testAccuracy', 'test_accuracy']]) {
      assert.ok(Math.abs(w[jsKey] - n[cliKey]) <= 0.01, `epoch ${n.epoch} ${jsKey}: wasm ${w[jsKey]} vs native ${n[cliKey]}`);
    }
  }
  t.diagnostic(`largest relative loss difference over ${EPOCHS} epochs: ${worst.toExponential(2)}`);
});

test('CLI and wasm agree on real MNIST (data/mnist.bin) with the LeNet-300-100 preset network', { timeout: 600_000 }, async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const args = ['run', '--quiet'];
  if (process.env.PARITY_RELEASE === '1') args.push('--release');
  args.push('--', 'train', '--dataset', 'mnist', '--hidden', '300,100', '--activation', 'relu',
    '--weight-init', 'glorot-normal', '--optimizer', 'adam', '--lr', '0.0012', '--batch', '60',
    '--epochs', '1', '--seed', '3', '--json');
  const out = execFileSync('cargo', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [native] = out.trim().split('\n').map((line) => JSON.parse(line));

  const { Playground } = await loadWasm();
  assert.equal(Playground.hasMnist(), false, 'the wasm engine does not embed MNIST');
  assert.throws(() => new Playground({ dataset: { kind: 'mnist' }, hidden: [4] }), /mnist\.bin|loadMnist/);
  Playground.loadMnist(readFileSync(join(repoRoot, 'data', 'mnist.bin')));
  assert.equal(Playground.hasMnist(), true);
  const pg = new Playground({
    dataset: { kind: 'mnist', seed: 3 }, hidden: [300, 100], activation: 'relu', init: 'glorot-normal',
    optimizer: 'adam', learningRate: 0.0012, batchSize: 60, seed: 3,
  });
  const [web] = pg.train(1);
  pg.free();
  for (const [jsKey, cliKey] of [['trainLoss', 'train_loss'], ['testLoss', 'test_loss'], ['valLoss', 'val_loss']]) {
    assert.ok(relDiff(web[jsKey], native[cliKey]) <= REL_TOL, `${jsKey}: wasm ${web[jsKey]} vs native ${native[cliKey]}`);
  }
  assert.ok(Math.abs(web.testAccuracy - native.test_accuracy) <= 0.002, `test accuracy ${web.testAccuracy} vs ${native.test_accuracy}`);
});
